/*
 * recode.c: the input of kanon's recodings, their suppression and their
 * metrics (see recode.h for the definitions and their sources).
 *
 * Every figure comes from tables whose size follows the distinct tuples,
 * values and classes: a class's size and sensitive counts are the sums of
 * its tuples', merged through one dense array indexed by value id.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "recode.h"
#include "strset.h"
#include "text.h"

/* calloc of n items, at least one. */
static void *
alloc0(size_t n, size_t size)
{
	return calloc(n ? n : 1, size);
}

static void
qi_free(prep_recode_qi *q)
{
	size_t l;

	free(q->value);
	free(q->number);
	for (l = 0; l < q->height; l++) {
		free(q->label ? q->label[l] : NULL);
		free(q->label_text ? q->label_text[l] : NULL);
		free(q->share ? q->share[l] : NULL);
		free(q->ncp ? q->ncp[l] : NULL);
	}
	free(q->label);
	free(q->nlabels);
	free(q->label_text);
	free(q->share);
	free(q->ncp);
}

void
prep_recode_input_free(prep_recode_input *in)
{
	size_t j;

	if (in == NULL)
		return;
	for (j = 0; j < in->nqi; j++)
		qi_free(&in->qi[j]);
	free(in->qi);
	free(in->code);
	free(in->count);
	free(in->svalue);
	free(in->srun);
	free(in->scount);
	prep_buf_free(&in->text);
	free(in);
}

/* Numbers of QI j's values: numeric when every value parses. */
static prep_status
qi_numbers(prep_recode_qi *q)
{
	size_t v;

	q->numeric = q->nvalues > 0;
	if ((q->number = alloc0(q->nvalues, sizeof *q->number)) == NULL)
		return PREP_ERR_NOMEM;
	for (v = 0; v < q->nvalues && q->numeric; v++) {
		if (prep_parse_number(q->value[v].data, q->value[v].len,
				      &q->number[v]) != PREP_OK ||
		    !isfinite(q->number[v]))
			q->numeric = 0;
		else if (v == 0 || q->number[v] < q->min)
			q->min = q->number[v];
		if (q->numeric && (v == 0 || q->number[v] > q->max))
			q->max = q->number[v];
	}
	return PREP_OK;
}

/*
 * One level (l >= 1) of QI q's hierarchy h: label ids for every
 * hierarchy row (rowlab, by interning the row's cell), the data codes'
 * labels, the shares and the texts.
 */
static prep_status
qi_level(prep_recode_qi *q, const prep_hierarchy *h, size_t l,
	 const size_t *row_of, size_t *rowlab)
{
	size_t rows = prep_hierarchy_size(h), r, id, v;
	uint64_t *under;
	prep_strset set;
	prep_status st = PREP_OK;

	prep_strset_init(&set, 0);
	for (r = 0; r < rows && st == PREP_OK; r++) {
		prep_field f = prep_hierarchy_cell(h, r, l);

		st = prep_strset_lookup(&set, f.data, f.len, 1, &rowlab[r],
					NULL);
	}
	if (st != PREP_OK) {
		prep_strset_free(&set);
		return st;
	}
	q->nlabels[l] = set.n;
	q->label[l] = alloc0(q->nvalues, sizeof **q->label);
	q->label_text[l] = alloc0(set.n, sizeof **q->label_text);
	q->share[l] = alloc0(set.n, sizeof **q->share);
	q->ncp[l] = alloc0(set.n, sizeof **q->ncp);
	under = alloc0(set.n, sizeof *under);
	if (!q->label[l] || !q->label_text[l] || !q->share[l] || !q->ncp[l] ||
	    !under) {
		free(under);
		prep_strset_free(&set);
		return PREP_ERR_NOMEM;
	}
	/* the texts are the hierarchy's own cells, which outlive the set */
	for (r = 0; r < rows; r++) {
		id = rowlab[r];
		if (under[id]++ == 0)
			q->label_text[l][id] = prep_hierarchy_cell(h, r, l);
	}
	for (id = 0; id < set.n; id++) {
		q->share[l][id] = (double)under[id] / (double)rows;
		q->ncp[l][id] =
		    rows > 1 ? (double)(under[id] - 1) / (double)(rows - 1) : 0;
	}
	for (v = 0; v < q->nvalues; v++)
		q->label[l][v] = (uint32_t)rowlab[row_of[v]];
	if (q->numeric) {
		/* the data values under each label: (max - min) / range */
		double *lo = alloc0(set.n, sizeof *lo);
		double *hi = alloc0(set.n, sizeof *hi);
		unsigned char *seen = alloc0(set.n, 1);
		double range = q->max - q->min;

		if (!lo || !hi || !seen) {
			free(lo);
			free(hi);
			free(under);
			prep_strset_free(&set);
			return PREP_ERR_NOMEM;
		}
		for (v = 0; v < q->nvalues; v++) {
			id = q->label[l][v];
			if (!seen[id] || q->number[v] < lo[id])
				lo[id] = q->number[v];
			if (!seen[id] || q->number[v] > hi[id])
				hi[id] = q->number[v];
			seen[id] = 1;
		}
		for (id = 0; id < set.n; id++)
			q->ncp[l][id] = seen[id] && range > 0
					    ? (hi[id] - lo[id]) / range
					    : 0;
		free(lo);
		free(hi);
		free(seen);
	}
	free(under);
	prep_strset_free(&set);
	return PREP_OK;
}

/*
 * Is level l a function of level l-1 over the hierarchy's rows (every
 * label of l-1 under one label of l)? Else *bad_row the first row that
 * says otherwise.
 */
static prep_status
qi_tree(const size_t *below, size_t nbelow, const size_t *above, size_t rows,
	size_t *bad_row)
{
	size_t *parent = malloc((nbelow ? nbelow : 1) * sizeof *parent), r;

	if (parent == NULL)
		return PREP_ERR_NOMEM;
	for (r = 0; r < nbelow; r++)
		parent[r] = (size_t)-1;
	for (r = 0; r < rows; r++) {
		if (parent[below[r]] == (size_t)-1)
			parent[below[r]] = above[r];
		else if (parent[below[r]] != above[r]) {
			*bad_row = r;
			free(parent);
			return PREP_ERR_VALUE;
		}
	}
	free(parent);
	return PREP_OK;
}

/* QI q's hierarchy h, every level; the data's values must be in it. */
static prep_status
qi_hierarchy(prep_recode_qi *q, const prep_hierarchy *h, prep_where *where)
{
	size_t rows = prep_hierarchy_size(h), v, l, bad = 0;
	size_t *row_of = NULL, *lab[2] = {NULL, NULL};
	prep_status st = PREP_ERR_NOMEM;

	q->height = prep_hierarchy_levels(h) + 1;
	q->leaves = rows;
	q->label = alloc0(q->height, sizeof *q->label);
	q->nlabels = alloc0(q->height, sizeof *q->nlabels);
	q->label_text = alloc0(q->height, sizeof(prep_field *));
	q->share = alloc0(q->height, sizeof *q->share);
	q->ncp = alloc0(q->height, sizeof *q->ncp);
	row_of = alloc0(q->nvalues, sizeof *row_of);
	lab[0] = alloc0(rows, sizeof *lab[0]);
	lab[1] = alloc0(rows, sizeof *lab[1]);
	if (!q->label || !q->nlabels || !q->label_text || !q->share ||
	    !q->ncp || !row_of || !lab[0] || !lab[1])
		goto out;
	for (v = 0; v < q->nvalues; v++)
		if ((st = prep_hierarchy_row(h, q->value[v].data,
					     q->value[v].len, &row_of[v])) !=
		    PREP_OK)
			goto out;
	/* level 0: the data values themselves */
	st = PREP_ERR_NOMEM;
	q->nlabels[0] = q->nvalues;
	q->label_text[0] = alloc0(q->nvalues, sizeof **q->label_text);
	q->share[0] = alloc0(q->nvalues, sizeof **q->share);
	q->ncp[0] = alloc0(q->nvalues, sizeof **q->ncp);
	if (!q->label_text[0] || !q->share[0] || !q->ncp[0])
		goto out;
	for (v = 0; v < q->nvalues; v++) {
		q->label_text[0][v] = q->value[v];
		q->share[0][v] = 1.0 / (double)rows;
	}
	for (v = 0; v < rows; v++)
		lab[0][v] = v; /* level 0 of the rows: the rows themselves */
	for (l = 1; l < q->height; l++) {
		size_t *cur = lab[l & 1], *prev = lab[(l - 1) & 1];
		size_t nprev = l == 1 ? rows : q->nlabels[l - 1];

		if ((st = qi_level(q, h, l, row_of, cur)) != PREP_OK)
			goto out;
		if ((st = qi_tree(prev, nprev, cur, rows, &bad)) != PREP_OK) {
			where->line = bad + 1;
			where->field = l + 1;
			goto out;
		}
	}
	st = PREP_OK;
out:
	free(row_of);
	free(lab[0]);
	free(lab[1]);
	return st;
}

/* Every level's label array at level 0 is the identity: codes. */
static prep_status
qi_identity(prep_recode_qi *q)
{
	size_t v;

	if (q->height == 0)
		return PREP_OK;
	q->label[0] = malloc((q->nvalues ? q->nvalues : 1) * sizeof **q->label);
	if (q->label[0] == NULL)
		return PREP_ERR_NOMEM;
	for (v = 0; v < q->nvalues; v++)
		q->label[0][v] = (uint32_t)v;
	return PREP_OK;
}

/* The codes of every tuple and the values of every QI. */
static prep_status
encode(prep_recode_input *in, prep_classes *c)
{
	size_t nqi = in->nqi, t, j, total;
	prep_field *key = alloc0(nqi, sizeof *key);
	prep_strset *dict = alloc0(nqi, sizeof *dict);
	prep_status st = PREP_OK;

	if (key == NULL || dict == NULL) {
		free(key);
		free(dict);
		return PREP_ERR_NOMEM;
	}
	for (j = 0; j < nqi; j++)
		prep_strset_init(&dict[j], 0);
	for (t = 0; t < in->ntuples && st == PREP_OK; t++) {
		prep_classes_key(c, t, key);
		in->count[t] = prep_classes_size(c, t);
		in->rows += in->count[t];
		for (j = 0; j < nqi && st == PREP_OK; j++) {
			size_t id;

			st = prep_strset_lookup(&dict[j], key[j].data,
						key[j].len, 1, &id, NULL);
			in->code[t * nqi + j] = (uint32_t)id;
		}
	}
	for (j = 0; j < nqi && st == PREP_OK; j++) {
		prep_recode_qi *q = &in->qi[j];
		size_t v;

		q->nvalues = dict[j].n;
		if ((q->value = alloc0(q->nvalues, sizeof *q->value)) == NULL) {
			st = PREP_ERR_NOMEM;
			break;
		}
		for (v = 0; v < q->nvalues; v++)
			q->value[v] = prep_strset_key(&dict[j], v);
	}
	/* the values point into the sets: copy them into in->text, whose
	 * room is reserved first so that it does not move */
	for (j = 0, total = 0; j < nqi && st == PREP_OK; j++)
		total += dict[j].key_bytes + dict[j].n;
	if (st == PREP_OK)
		st = prep_buf_reserve(&in->text, total);
	for (j = 0; j < nqi && st == PREP_OK; j++) {
		prep_recode_qi *q = &in->qi[j];
		size_t v;

		for (v = 0; v < q->nvalues && st == PREP_OK; v++) {
			const char *at = in->text.data + in->text.len;

			st = prep_buf_append(&in->text, q->value[v].data,
					     q->value[v].len);
			if (st == PREP_OK)
				st = prep_buf_append_byte(&in->text, '\0');
			q->value[v].data = at;
		}
	}
	for (j = 0; j < nqi; j++)
		prep_strset_free(&dict[j]);
	free(dict);
	free(key);
	return st;
}

/* The sensitive values of every tuple, as runs of (value, count). */
static prep_status
sensitive(prep_recode_input *in, prep_classes *c)
{
	size_t t, n, total = 0, v;
	const prep_class_count *cnt;
	prep_status st;

	in->nsvalues = prep_classes_values(c);
	in->svalue = alloc0(in->nsvalues, sizeof *in->svalue);
	in->srun = alloc0(in->ntuples + 1, sizeof *in->srun);
	if (!in->svalue || !in->srun)
		return PREP_ERR_NOMEM;
	for (v = 0; v < in->nsvalues; v++)
		in->svalue[v] = prep_classes_value(c, v);
	for (t = 0; t < in->ntuples; t++) {
		if ((st = prep_classes_dist(c, t, &cnt, &n)) != PREP_OK)
			return st;
		total += n;
	}
	if ((in->scount = alloc0(total, sizeof *in->scount)) == NULL)
		return PREP_ERR_NOMEM;
	for (t = 0; t < in->ntuples; t++) {
		(void)prep_classes_dist(c, t, &cnt, &n);
		in->srun[t + 1] = in->srun[t] + n;
		if (n)
			memcpy(&in->scount[in->srun[t]], cnt, n * sizeof *cnt);
	}
	return PREP_OK;
}

prep_status
prep_recode_input_new(prep_classes *c, const prep_field *names,
		      prep_hierarchy *const *hier, size_t nqi,
		      const prep_kanon_params *p, prep_recode_input **out,
		      size_t *bad_qi, prep_where *where)
{
	prep_recode_input *in = calloc(1, sizeof *in);
	prep_status st = PREP_ERR_NOMEM;
	size_t j;

	*out = NULL;
	*bad_qi = 0;
	memset(where, 0, sizeof *where);
	if (in == NULL)
		return PREP_ERR_NOMEM;
	prep_buf_init(&in->text, 0);
	in->nqi = nqi;
	in->params = *p;
	in->ntuples = prep_classes_count(c);
	in->qi = alloc0(nqi, sizeof *in->qi);
	in->code = alloc0(in->ntuples * (nqi ? nqi : 1), sizeof *in->code);
	in->count = alloc0(in->ntuples, sizeof *in->count);
	if (!in->qi || !in->code || !in->count)
		goto fail;
	if ((st = encode(in, c)) != PREP_OK)
		goto fail;
	for (j = 0; j < nqi; j++) {
		prep_recode_qi *q = &in->qi[j];

		q->name = names[j];
		*bad_qi = j;
		if ((st = qi_numbers(q)) != PREP_OK)
			goto fail;
		if (hier[j] &&
		    (st = qi_hierarchy(q, hier[j], where)) != PREP_OK)
			goto fail;
		if ((st = qi_identity(q)) != PREP_OK)
			goto fail;
	}
	*bad_qi = 0;
	if ((p->check_l || p->check_t) && (st = sensitive(in, c)) != PREP_OK)
		goto fail;
	*out = in;
	return PREP_OK;
fail:
	prep_recode_input_free(in);
	return st;
}

/* ---- results ---- */

prep_status
prep_recode_result_init(prep_recode_result *r, const prep_recode_input *in,
			size_t nclasses, int own_values)
{
	size_t cells = nclasses * (in->nqi ? in->nqi : 1), j;
	int ok;

	memset(r, 0, sizeof *r);
	prep_buf_init(&r->text, 0);
	r->nclasses = nclasses;
	r->nqi = in->nqi;
	r->class_of = alloc0(in->ntuples, sizeof *r->class_of);
	r->values = alloc0(in->nqi, sizeof *r->values);
	ok = r->class_of && r->values;
	if (ok && own_values) {
		r->release = alloc0(cells, sizeof *r->release);
		r->share = alloc0(cells, sizeof *r->share);
		r->ncp = alloc0(cells, sizeof *r->ncp);
		ok = r->release && r->share && r->ncp;
		for (j = 0; ok && j < in->nqi; j++)
			r->values[j] =
			    (prep_recode_values){r->release, r->share, r->ncp};
	} else if (ok) {
		ok = (r->label = alloc0(cells, sizeof *r->label)) != NULL;
	}
	if (!ok) {
		prep_recode_result_free(r);
		return PREP_ERR_NOMEM;
	}
	return PREP_OK;
}

/* The index of class c's value of QI j in r->values[j]. */
static size_t
value_at(const prep_recode_result *r, size_t c, size_t j)
{
	return r->label ? r->label[c * r->nqi + j] : c * r->nqi + j;
}

const prep_field *
prep_recode_text(const prep_recode_result *r, size_t c, size_t j)
{
	return &r->values[j].text[value_at(r, c, j)];
}

double
prep_recode_share(const prep_recode_result *r, size_t c, size_t j)
{
	return r->values[j].share[value_at(r, c, j)];
}

double
prep_recode_ncp(const prep_recode_result *r, size_t c, size_t j)
{
	return r->values[j].ncp[value_at(r, c, j)];
}

void
prep_recode_result_free(prep_recode_result *r)
{
	free(r->class_of);
	free(r->label);
	free(r->values);
	free(r->release);
	free(r->share);
	free(r->ncp);
	free(r->size);
	free(r->kept);
	free(r->levels);
	prep_buf_free(&r->text);
	memset(r, 0, sizeof *r);
}

/*
 * The released rows' count of each sensitive value, over kept classes,
 * into table[0..nsvalues).
 */
static void
released_table(const prep_recode_input *in, const prep_recode_classes *k,
	       const unsigned char *kept, uint64_t *table)
{
	size_t i, e;

	memset(table, 0, (in->nsvalues ? in->nsvalues : 1) * sizeof *table);
	for (i = 0; i < k->n; i++)
		if (kept[i])
			for (e = k->srun[i]; e < k->srun[i + 1]; e++)
				table[k->scount[e].value] += k->scount[e].count;
}

prep_status
prep_recode_suppress(const prep_recode_input *in, const prep_recode_classes *k,
		     prep_kanon_judge *judge, unsigned char *kept,
		     uint64_t *suppressed)
{
	const prep_kanon_params *p = &in->params;
	uint64_t *table = NULL;
	size_t i;
	double l, t;
	int fails, changed = 1;
	prep_status st;

	*suppressed = 0;
	if (p->check_t) {
		table = alloc0(in->nsvalues, sizeof *table);
		if (table == NULL)
			return PREP_ERR_NOMEM;
		/* the judge wants a table even for l: the whole one, for now */
		memset(kept, 1, k->n);
		released_table(in, k, kept, table);
		if ((st = prep_kanon_judge_table(judge, table)) != PREP_OK) {
			free(table);
			return st;
		}
	}
	for (i = 0; i < k->n; i++) {
		const prep_class_count *cnt =
		    p->check_l ? &k->scount[k->srun[i]] : NULL;
		size_t n = p->check_l ? k->srun[i + 1] - k->srun[i] : 0;

		kept[i] = 1;
		if (k->size[i] < p->k) {
			kept[i] = 0;
		} else if (p->check_l) {
			st = prep_kanon_judge_class(judge, k->size[i], cnt, n,
						    &l, &t, &fails);
			if (st != PREP_OK) {
				free(table);
				return st;
			}
			kept[i] = !(fails & PREP_KANON_FAIL_L);
		}
	}
	/* t against the rows still released, until no class fails it */
	while (p->check_t && changed) {
		changed = 0;
		released_table(in, k, kept, table);
		if ((st = prep_kanon_judge_table(judge, table)) != PREP_OK) {
			free(table);
			return st;
		}
		for (i = 0; i < k->n; i++) {
			if (!kept[i])
				continue;
			st = prep_kanon_judge_class(
			    judge, k->size[i], &k->scount[k->srun[i]],
			    k->srun[i + 1] - k->srun[i], &l, &t, &fails);
			if (st != PREP_OK) {
				free(table);
				return st;
			}
			if (fails & PREP_KANON_FAIL_T) {
				kept[i] = 0;
				changed = 1;
			}
		}
	}
	free(table);
	for (i = 0; i < k->n; i++)
		if (!kept[i])
			*suppressed += k->size[i];
	return PREP_OK;
}

int
prep_recode_within(const prep_recode_input *in, uint64_t suppressed)
{
	return suppressed == 0 ||
	       prep_gate_at_most((double)suppressed,
				 in->params.max_suppress * (double)in->rows);
}

void
prep_recode_classes_free(prep_recode_classes *k)
{
	free(k->size);
	free(k->srun);
	free(k->scount);
	memset(k, 0, sizeof *k);
}

prep_status
prep_recode_merge(const prep_recode_input *in, const prep_recode_classes *src,
		  const size_t *group_of, size_t ngroups,
		  prep_recode_classes *k)
{
	int dist = in->params.check_l || in->params.check_t;
	size_t t, e, i, ntouched, *first = NULL, *next = NULL;
	size_t *touched = NULL;
	uint64_t *acc = NULL;
	prep_status st = PREP_ERR_NOMEM;

	memset(k, 0, sizeof *k);
	k->n = ngroups;
	k->size = alloc0(ngroups, sizeof *k->size);
	if (k->size == NULL)
		goto out;
	for (t = 0; t < src->n; t++)
		k->size[group_of[t]] += src->size[t];
	if (!dist) {
		st = PREP_OK;
		goto out;
	}
	if ((k->srun = alloc0(ngroups + 1, sizeof *k->srun)) == NULL)
		goto out;
	/* the members of each group as linked lists, then one merge each
	 * through a dense array indexed by value id */
	first = malloc((ngroups ? ngroups : 1) * sizeof *first);
	next = malloc((src->n ? src->n : 1) * sizeof *next);
	acc = alloc0(in->nsvalues, sizeof *acc);
	touched = malloc((in->nsvalues ? in->nsvalues : 1) * sizeof *touched);
	/* no more entries than the members have */
	k->scount = alloc0(src->srun[src->n], sizeof *k->scount);
	if (!first || !next || !acc || !touched || !k->scount)
		goto out;
	for (i = 0; i < ngroups; i++)
		first[i] = (size_t)-1;
	for (t = src->n; t-- > 0;) {
		next[t] = first[group_of[t]];
		first[group_of[t]] = t;
	}
	for (i = 0; i < ngroups; i++) {
		ntouched = 0;
		for (t = first[i]; t != (size_t)-1; t = next[t])
			for (e = src->srun[t]; e < src->srun[t + 1]; e++) {
				size_t v = src->scount[e].value;

				if (acc[v] == 0)
					touched[ntouched++] = v;
				acc[v] += src->scount[e].count;
			}
		k->srun[i + 1] = k->srun[i] + ntouched;
		for (e = 0; e < ntouched; e++) {
			k->scount[k->srun[i] + e].value = touched[e];
			k->scount[k->srun[i] + e].count = acc[touched[e]];
			acc[touched[e]] = 0;
		}
	}
	st = PREP_OK;
out:
	free(first);
	free(next);
	free(acc);
	free(touched);
	if (st != PREP_OK)
		prep_recode_classes_free(k);
	return st;
}

void
prep_recode_tuples(const prep_recode_input *in, prep_recode_classes *k)
{
	k->n = in->ntuples;
	k->size = in->count;
	k->srun = in->srun;
	k->scount = in->scount;
}

prep_status
prep_recode_classes_of(const prep_recode_input *in, const size_t *class_of,
		       size_t nclasses, prep_recode_classes *k)
{
	prep_recode_classes tuples;

	prep_recode_tuples(in, &tuples);
	return prep_recode_merge(in, &tuples, class_of, nclasses, k);
}

prep_status
prep_recode_finish(const prep_recode_input *in, prep_recode_result *r,
		   uint64_t *suppressed, int *pass)
{
	prep_recode_classes k;
	prep_kanon_judge *judge = NULL;
	prep_status st;

	*pass = 0;
	*suppressed = 0;
	free(r->size);
	free(r->kept);
	r->size = NULL;
	r->kept = alloc0(r->nclasses, 1);
	if (r->kept == NULL)
		return PREP_ERR_NOMEM;
	if ((st = prep_recode_classes_of(in, r->class_of, r->nclasses, &k)) !=
	    PREP_OK)
		return st;
	st =
	    prep_kanon_judge_new(&in->params, in->svalue, in->nsvalues, &judge);
	if (st == PREP_OK)
		st = prep_recode_suppress(in, &k, judge, r->kept, suppressed);
	prep_kanon_judge_free(judge);
	if (st == PREP_OK) {
		r->size = k.size;
		k.size = NULL;
		*pass = prep_recode_within(in, *suppressed);
	}
	prep_recode_classes_free(&k);
	return st;
}

prep_status
prep_recode_checks(const prep_recode_input *in, const prep_recode_result *r,
		   prep_kanon_report *k)
{
	prep_recode_classes cls;
	prep_kanon_table t;
	prep_status st;

	memset(k, 0, sizeof *k);
	st = prep_recode_classes_of(in, r->class_of, r->nclasses, &cls);
	if (st != PREP_OK)
		return st;
	memset(&t, 0, sizeof t);
	t.n = cls.n;
	t.size = cls.size;
	t.kept = r->kept;
	t.srun = cls.srun;
	t.scount = cls.scount;
	t.values = in->svalue;
	t.nvalues = in->nsvalues;
	st = prep_kanon_evaluate_table(&t, &in->params, k);
	prep_recode_classes_free(&cls);
	return st;
}

/* ---- metrics ---- */

static const char *const metric_names[] = {"loss", "dm", "aecs", "gcp"};

prep_status
prep_recode_metric_parse(const char *name, prep_recode_metric *m)
{
	size_t i;

	for (i = 0; i < sizeof metric_names / sizeof *metric_names; i++)
		if (strcmp(name, metric_names[i]) == 0) {
			*m = (prep_recode_metric)i;
			return PREP_OK;
		}
	return PREP_ERR_ARG;
}

const char *
prep_recode_metric_name(prep_recode_metric m)
{
	return metric_names[m];
}

double
prep_recode_domain(const prep_recode_qi *q)
{
	return q->height ? (double)q->leaves : (double)q->nvalues;
}

double
prep_recode_loss(const prep_recode_input *in, const double *sum)
{
	double n = (double)in->rows, prod = 1;
	size_t j;

	if (in->nqi == 0 || in->rows == 0)
		return 0;
	for (j = 0; j < in->nqi; j++) {
		double dom = prep_recode_domain(&in->qi[j]), lj = 0;

		if (dom > 1) {
			lj = (sum[j] - n / dom) / (n - n / dom);
			/* at least 0; and what is left of sum[j] = n/|D| after
			 * adding n shares of 1/|D| in floating point is 0 */
			if (lj < 1e-12)
				lj = 0;
		}
		prod *= pow(1 + lj, 1.0 / (double)in->nqi);
	}
	return prod - 1;
}

prep_status
prep_recode_metrics(const prep_recode_input *in, const prep_recode_result *r,
		    prep_recode_figures *f)
{
	size_t i, j, d = in->nqi;
	double ncp = 0, *sum = alloc0(d, sizeof *sum);
	uint64_t n = in->rows;

	memset(f, 0, sizeof *f);
	if (sum == NULL)
		return PREP_ERR_NOMEM;
	for (i = 0; i < r->nclasses; i++) {
		uint64_t s = r->size[i];

		if (s == 0)
			continue;
		if (!r->kept[i]) {
			f->suppressed_rows += s;
			continue;
		}
		f->classes++;
		f->rows += s;
		f->dm += s * s;
		if (f->min_class_size == 0 || s < f->min_class_size)
			f->min_class_size = s;
		for (j = 0; j < d; j++) {
			ncp += (double)s * prep_recode_ncp(r, i, j);
			sum[j] += (double)s * prep_recode_share(r, i, j);
		}
	}
	f->dm += n * f->suppressed_rows;
	if (f->classes)
		f->aecs = (double)f->rows /
			  ((double)f->classes * (double)in->params.k);
	if (n && d)
		f->gcp = (ncp + (double)f->suppressed_rows * (double)d) /
			 ((double)n * (double)d);
	for (j = 0; j < d; j++)
		sum[j] += (double)f->suppressed_rows;
	f->loss = prep_recode_loss(in, sum);
	free(sum);
	return PREP_OK;
}

double
prep_recode_figure(const prep_recode_figures *f, prep_recode_metric m)
{
	switch (m) {
	case PREP_METRIC_DM:
		return (double)f->dm;
	case PREP_METRIC_AECS:
		return f->aecs;
	case PREP_METRIC_GCP:
		return f->gcp;
	case PREP_METRIC_LOSS:
		break;
	}
	return f->loss;
}
