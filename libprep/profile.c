/*
 * profile.c: building and merging profiles (profile.h); their JSON form
 * is profile_json.c's.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "datetime.h"
#include "memcap.h"
#include "profile_impl.h"
#include "text.h"

const char *const prep_profile_type_names[PREP_PROFILE_NTYPES] = {
    "integer", "number", "date", "datetime", "boolean", "text"};

static int
is_boolean(const char *s, size_t len)
{
	static const char *const words[] = {"true",  "True",  "TRUE",
					    "false", "False", "FALSE"};
	size_t i;

	if (len != 4 && len != 5)
		return 0;
	for (i = 0; i < sizeof words / sizeof *words; i++)
		if (strlen(words[i]) == len && memcmp(s, words[i], len) == 0)
			return 1;
	return 0;
}

enum prep_profile_type
prep_profile_type_of(const char *s, size_t len, double *v)
{
	int64_t i;
	int64_t days, sec;
	int32_t ns;
	unsigned char c = len ? (unsigned char)s[0] : 0;

	if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.') {
		if (prep_parse_int64(s, len, &i) == PREP_OK) {
			*v = (double)i;
			return PREP_PROFILE_INTEGER;
		}
		if (prep_parse_number(s, len, v) == PREP_OK)
			return PREP_PROFILE_NUMBER;
		if (len == 10 && prep_iso_date(s, len, &days))
			return PREP_PROFILE_DATE;
		if (len > 10 && prep_iso_datetime(s, len, &sec, &ns))
			return PREP_PROFILE_DATETIME;
		return PREP_PROFILE_TEXT;
	}
	if (is_boolean(s, len))
		return PREP_PROFILE_BOOLEAN;
	return PREP_PROFILE_TEXT;
}

/* ---- columns ---- */

prep_status
profile_column_init(prep_profile *p, prep_profile_column *c, const char *name,
		    size_t len)
{
	memset(c, 0, sizeof *c);
	c->input = SIZE_MAX;
	c->exact = 1;
	prep_moments_init(&c->moments);
	prep_strset_init(&c->values, 0);
	if ((c->name = malloc(len + 1)) == NULL)
		return PREP_ERR_NOMEM;
	memcpy(c->name, name, len);
	c->name[len] = '\0';
	c->name_len = len;
	(void)p;
	return PREP_OK;
}

void
profile_column_free(prep_profile_column *c)
{
	free(c->name);
	prep_kll_free(c->kll);
	prep_strset_free(&c->values);
	prep_memcap_free(c->counts, c->counts_cap * sizeof *c->counts);
	prep_freq_free(c->freq);
	prep_hll_free(c->hll);
	memset(c, 0, sizeof *c);
}

/* Start counting distinct values in a HyperLogLog sketch. */
static prep_status
start_hll(const prep_profile *p, prep_profile_column *c)
{
	prep_status st;
	prep_field k;
	size_t id;

	if (c->hll != NULL)
		return PREP_OK;
	if ((st = prep_hll_new(p->hll_p, &c->hll)) != PREP_OK)
		return st;
	if (c->exact)
		for (id = 0; id < c->values.n; id++) {
			k = prep_strset_key(&c->values, id);
			prep_hll_add(c->hll, k.data, k.len);
		}
	return PREP_OK;
}

/* The exact counts become a summary (max_distinct counters). */
static prep_status
to_summary(const prep_profile *p, prep_profile_column *c)
{
	prep_status st;
	prep_field k;
	size_t id;

	if (!c->exact)
		return PREP_OK;
	if ((st = start_hll(p, c)) != PREP_OK)
		return st;
	st = prep_freq_new(p->max_distinct,
			   p->max_distinct * (size_t)PREP_PROFILE_VALUE_MAX,
			   &c->freq);
	for (id = 0; st == PREP_OK && id < c->values.n; id++) {
		k = prep_strset_key(&c->values, id);
		st = prep_freq_add(c->freq, k.data, k.len, c->counts[id]);
	}
	if (st != PREP_OK)
		return st;
	prep_strset_free(&c->values);
	prep_strset_init(&c->values, 0);
	prep_memcap_free(c->counts, c->counts_cap * sizeof *c->counts);
	c->counts = NULL;
	c->counts_cap = 0;
	c->exact = 0;
	return PREP_OK;
}

/* Count value s[0..len) (at most PREP_PROFILE_VALUE_MAX bytes) count times. */
prep_status
profile_count_value(const prep_profile *p, prep_profile_column *c,
		    const char *s, size_t len, uint64_t count)
{
	prep_status st;
	size_t id, cap;
	int added;
	uint64_t *t;

	if (c->exact) {
		/* a new value past max_distinct is not added, but summarized */
		st = prep_strset_lookup(&c->values, s, len,
					c->values.n < p->max_distinct, &id,
					&added);
		if (st == PREP_OK) {
			if (id >= c->counts_cap) {
				cap = c->counts_cap ? 2 * c->counts_cap : 16;
				t = prep_memcap_realloc(
				    c->counts, c->counts_cap * sizeof *t,
				    cap * sizeof *t, &st);
				if (t == NULL)
					return st;
				c->counts = t;
				c->counts_cap = cap;
			}
			if (added) {
				c->counts[id] = 0;
				if (c->hll != NULL)
					prep_hll_add(c->hll, s, len);
			}
			c->counts[id] += count;
			return PREP_OK;
		}
		if (st != PREP_ERR_NOT_FOUND)
			return st;
		if ((st = to_summary(p, c)) != PREP_OK)
			return st;
	}
	if (c->hll != NULL)
		prep_hll_add(c->hll, s, len);
	return prep_freq_add(c->freq, s, len, count);
}

/*
 * Numbers spread past what a double holds ({-1e308, 1e308}: variance
 * 1e616) leave no finite mean or variance to write: refused.
 */
static int
moments_finite(const prep_moments *m)
{
	return isfinite(m->mean) && isfinite(m->m2);
}

static prep_status
column_add(prep_profile *p, prep_profile_column *c, const prep_field *f)
{
	enum prep_profile_type t;
	prep_status st;
	double v;

	c->rows++;
	if (prep_missing_is(p->missing, f->data, f->len)) {
		c->empty++;
		return PREP_OK;
	}
	t = prep_profile_type_of(f->data, f->len, &v);
	c->types[t]++;
	if (t == PREP_PROFILE_INTEGER || t == PREP_PROFILE_NUMBER) {
		prep_moments_add(&c->moments, v);
		if (!moments_finite(&c->moments))
			return PREP_ERR_RANGE;
		if (c->kll == NULL &&
		    (st = prep_kll_new_stream(p->kll_k, p->seed, p->stream,
					      &c->kll)) != PREP_OK)
			return st;
		if ((st = prep_kll_add(c->kll, v)) != PREP_OK)
			return st;
	}
	if (f->len > PREP_PROFILE_VALUE_MAX) {
		c->longs++;
		if ((st = start_hll(p, c)) != PREP_OK)
			return st;
		prep_hll_add(c->hll, f->data, f->len);
		return PREP_OK;
	}
	return profile_count_value(p, c, f->data, f->len, 1);
}

/* ---- groups ---- */

prep_status
profile_group_counts(prep_profile *p, const void *key, size_t len,
		     prep_profile_group_counts **g)
{
	prep_status st;
	size_t id, cap;
	int added;
	prep_profile_group_counts *t;

	st = prep_strset_lookup(&p->gset, key, len, 1, &id, &added);
	if (st != PREP_OK)
		return st;
	if (id >= p->gcap) {
		cap = p->gcap ? 2 * p->gcap : 16;
		t = prep_memcap_realloc(p->gcounts, p->gcap * sizeof *t,
					cap * sizeof *t, &st);
		if (t == NULL) /* st says why; never PREP_OK without *g */
			return st != PREP_OK ? st : PREP_ERR_NOMEM;
		p->gcounts = t;
		p->gcap = cap;
	}
	if (added)
		memset(&p->gcounts[id], 0, sizeof p->gcounts[id]);
	*g = &p->gcounts[id];
	return PREP_OK;
}

static prep_status
group_add(prep_profile *p, const prep_field *row)
{
	prep_profile_group_counts *g;
	unsigned char *o;
	size_t i, need = 0;
	prep_status st;
	int pos, pred = 0;

	for (i = 0; i < p->ngroups; i++)
		need += row[p->groups[i]].len + PREP_TUPLE_OVERHEAD;
	prep_buf_reset(&p->key);
	if ((st = prep_buf_reserve(&p->key, need)) != PREP_OK)
		return st;
	o = (unsigned char *)p->key.data;
	for (i = 0; i < p->ngroups; i++)
		o = prep_tuple_put(o, &row[p->groups[i]]);
	if ((st = profile_group_counts(
		 p, p->key.data, (size_t)(o - (unsigned char *)p->key.data),
		 &g)) != PREP_OK)
		return st;
	pos = row[p->label].len == p->positive_len &&
	      memcmp(row[p->label].data, p->positive, p->positive_len) == 0;
	if (p->pred >= 0)
		pred = row[p->pred].len == p->positive_len &&
		       memcmp(row[p->pred].data, p->positive,
			      p->positive_len) == 0;
	g->n++;
	g->positives += (uint64_t)pos;
	g->predicted += (uint64_t)pred;
	g->tp += (uint64_t)(pos && pred);
	g->fp += (uint64_t)(!pos && pred);
	return PREP_OK;
}

/* ---- the profile ---- */

prep_status
profile_alloc(prep_profile **out, size_t ncols)
{
	prep_profile *p = calloc(1, sizeof *p);

	*out = NULL;
	if (p == NULL)
		return PREP_ERR_NOMEM;
	p->cols = calloc(ncols ? ncols : 1, sizeof *p->cols);
	if (p->cols == NULL) {
		free(p);
		return PREP_ERR_NOMEM;
	}
	p->pred = -1;
	prep_buf_init(&p->key, 0);
	*out = p;
	return PREP_OK;
}

static prep_status
copy_text(char **dst, size_t *dlen, const char *s, size_t len)
{
	if ((*dst = malloc(len + 1)) == NULL)
		return PREP_ERR_NOMEM;
	if (len)
		memcpy(*dst, s, len);
	(*dst)[len] = '\0';
	*dlen = len;
	return PREP_OK;
}

prep_status
profile_set_groups(prep_profile *p, size_t ngroups, const prep_field *names,
		   const prep_field *label, const prep_field *pred,
		   const char *positive, size_t positive_len)
{
	size_t i;
	prep_status st;

	p->ngroups = ngroups;
	p->gnames = calloc(ngroups ? ngroups : 1, sizeof *p->gnames);
	if (p->gnames == NULL)
		return PREP_ERR_NOMEM;
	for (i = 0; i < ngroups; i++)
		if ((st = copy_text(&p->gnames[i].text, &p->gnames[i].len,
				    names[i].data, names[i].len)) != PREP_OK)
			return st;
	if ((st = copy_text(&p->label_name.text, &p->label_name.len,
			    label->data, label->len)) != PREP_OK)
		return st;
	if (pred != NULL &&
	    (st = copy_text(&p->pred_name.text, &p->pred_name.len, pred->data,
			    pred->len)) != PREP_OK)
		return st;
	p->has_pred = pred != NULL;
	prep_strset_init(&p->gset, p->max_groups);
	return copy_text(&p->positive, &p->positive_len, positive,
			 positive_len);
}

static prep_field
column_name(const prep_profile_params *pp, size_t col, char *num, size_t n)
{
	prep_field f;

	if (pp->names != NULL)
		return pp->names[col];
	f.len = (size_t)snprintf(num, n, "%zu", col + 1);
	f.data = num;
	return f;
}

static prep_status
check_params(const prep_profile_params *pp)
{
	size_t i, j, n = pp->cols ? pp->ncols : pp->ncolumns;

	if ((pp->max_distinct > PREP_PROFILE_MAX_MAX_DISTINCT) ||
	    (pp->kll_k != 0 &&
	     (pp->kll_k < PREP_KLL_MIN_K || pp->kll_k > PREP_KLL_MAX_K)) ||
	    (pp->hll_p != 0 &&
	     (pp->hll_p < PREP_HLL_MIN_P || pp->hll_p > PREP_HLL_MAX_P)) ||
	    pp->max_groups > PREP_PROFILE_MAX_MAX_GROUPS)
		return PREP_ERR_ARG;
	for (i = 0; pp->cols && i < n; i++) {
		if (pp->cols[i] >= pp->ncolumns)
			return PREP_ERR_ARG;
		for (j = 0; j < i; j++)
			if (pp->cols[j] == pp->cols[i])
				return PREP_ERR_ARG;
	}
	for (i = 0; i < pp->ngroups; i++)
		if (pp->groups[i] >= pp->ncolumns)
			return PREP_ERR_ARG;
	if (pp->ngroups &&
	    (pp->label >= pp->ncolumns ||
	     (pp->pred >= 0 && (size_t)pp->pred >= pp->ncolumns)))
		return PREP_ERR_ARG;
	return PREP_OK;
}

prep_status
prep_profile_new(const prep_profile_params *pp, prep_profile **out)
{
	prep_profile *p;
	prep_status st;
	size_t i, col, n = pp->cols ? pp->ncols : pp->ncolumns;
	char num[32], num2[32];
	prep_field name, label, pred, *gn;

	*out = NULL;
	if ((st = check_params(pp)) != PREP_OK)
		return st;
	if ((st = profile_alloc(&p, n)) != PREP_OK)
		return st;
	p->max_distinct = pp->max_distinct ? pp->max_distinct
					   : PREP_PROFILE_DEFAULT_MAX_DISTINCT;
	p->kll_k = pp->kll_k ? pp->kll_k : PREP_KLL_DEFAULT_K;
	p->hll_p = pp->hll_p ? pp->hll_p : PREP_PROFILE_DEFAULT_HLL_P;
	p->seed = pp->seed;
	p->stream = pp->stream;
	p->max_groups =
	    pp->max_groups ? pp->max_groups : PREP_PROFILE_DEFAULT_MAX_GROUPS;
	p->missing = pp->missing;
	p->ncolumns = pp->ncolumns;
	for (i = 0; i < n; i++) {
		col = pp->cols ? pp->cols[i] : i;
		name = column_name(pp, col, num, sizeof num);
		st = profile_column_init(p, &p->cols[i], name.data, name.len);
		p->ncols = i + 1;
		if (st != PREP_OK)
			goto fail;
		p->cols[i].input = col;
	}
	if (pp->ngroups) {
		if ((gn = calloc(pp->ngroups, sizeof *gn)) == NULL) {
			st = PREP_ERR_NOMEM;
			goto fail;
		}
		for (i = 0; i < pp->ngroups; i++) {
			name = column_name(pp, pp->groups[i], num, sizeof num);
			if ((gn[i].data = strndup(name.data, name.len)) == NULL)
				st = PREP_ERR_NOMEM;
			gn[i].len = name.len;
		}
		label = column_name(pp, pp->label, num, sizeof num);
		if (pp->pred >= 0)
			pred = column_name(pp, (size_t)pp->pred, num2,
					   sizeof num2);
		if (st == PREP_OK)
			st = profile_set_groups(p, pp->ngroups, gn, &label,
						pp->pred >= 0 ? &pred : NULL,
						pp->positive, pp->positive_len);
		for (i = 0; i < pp->ngroups; i++)
			free((char *)gn[i].data);
		free(gn);
		if (st != PREP_OK)
			goto fail;
		p->groups = malloc(pp->ngroups * sizeof *p->groups);
		if (p->groups == NULL) {
			st = PREP_ERR_NOMEM;
			goto fail;
		}
		memcpy(p->groups, pp->groups, pp->ngroups * sizeof *p->groups);
		p->label = pp->label;
		p->pred = pp->pred;
	}
	*out = p;
	return PREP_OK;
fail:
	prep_profile_free(p);
	return st;
}

prep_status
prep_profile_new_like(const prep_profile *like, uint64_t stream,
		      prep_profile **out)
{
	prep_field *gn = NULL, label, pred;
	prep_profile *p;
	prep_status st;
	size_t i;

	*out = NULL;
	if ((st = profile_alloc(&p, like->ncols)) != PREP_OK)
		return st;
	p->max_distinct = like->max_distinct;
	p->kll_k = like->kll_k;
	p->hll_p = like->hll_p;
	p->seed = like->seed;
	p->stream = stream;
	p->max_groups = like->max_groups;
	p->missing = like->missing;
	p->ncolumns = like->ncolumns;
	for (i = 0; i < like->ncols; i++) {
		st = profile_column_init(p, &p->cols[i], like->cols[i].name,
					 like->cols[i].name_len);
		p->ncols = i + 1;
		if (st != PREP_OK)
			goto fail;
		p->cols[i].input = like->cols[i].input;
	}
	if (like->ngroups) {
		if ((gn = calloc(like->ngroups, sizeof *gn)) == NULL) {
			st = PREP_ERR_NOMEM;
			goto fail;
		}
		for (i = 0; i < like->ngroups; i++) {
			gn[i].data = like->gnames[i].text;
			gn[i].len = like->gnames[i].len;
		}
		label.data = like->label_name.text;
		label.len = like->label_name.len;
		pred.data = like->pred_name.text;
		pred.len = like->pred_name.len;
		st = profile_set_groups(p, like->ngroups, gn, &label,
					like->has_pred ? &pred : NULL,
					like->positive, like->positive_len);
		free(gn);
		if (st != PREP_OK)
			goto fail;
		if (like->groups != NULL) {
			p->groups = malloc(like->ngroups * sizeof *p->groups);
			if (p->groups == NULL) {
				st = PREP_ERR_NOMEM;
				goto fail;
			}
			memcpy(p->groups, like->groups,
			       like->ngroups * sizeof *p->groups);
		}
		p->label = like->label;
		p->pred = like->pred;
	}
	*out = p;
	return PREP_OK;
fail:
	prep_profile_free(p);
	return st;
}

void
prep_profile_free(prep_profile *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->ncols; i++)
		profile_column_free(&p->cols[i]);
	free(p->cols);
	for (i = 0; p->gnames && i < p->ngroups; i++)
		free(p->gnames[i].text);
	free(p->gnames);
	free(p->label_name.text);
	free(p->pred_name.text);
	free(p->positive);
	free(p->groups);
	prep_strset_free(&p->gset);
	prep_memcap_free(p->gcounts, p->gcap * sizeof *p->gcounts);
	prep_buf_free(&p->key);
	free(p);
}

prep_status
prep_profile_add(prep_profile *p, const prep_field *row)
{
	prep_status st;
	size_t i;

	if (p->rows >= PREP_KLL_MAX_N)
		return PREP_ERR_RANGE;
	p->rows++;
	for (i = 0; i < p->ncols; i++)
		if ((st = column_add(p, &p->cols[i], &row[p->cols[i].input])) !=
		    PREP_OK)
			return st;
	if (p->ngroups && p->groups != NULL)
		return group_add(p, row);
	return PREP_OK;
}

/* ---- merging ---- */

static int
same_text(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

static const char *
mismatch(const prep_profile *a, const prep_profile *b)
{
	size_t i;

	if (a->max_distinct != b->max_distinct)
		return "made with different --max-distinct";
	if (a->kll_k != b->kll_k)
		return "made with different --kll-k";
	if (a->hll_p != b->hll_p)
		return "made with different HyperLogLog precisions";
	if (a->ncols != b->ncols)
		return "of different columns";
	for (i = 0; i < a->ncols; i++)
		if (!same_text(a->cols[i].name, a->cols[i].name_len,
			       b->cols[i].name, b->cols[i].name_len))
			return "of different columns";
	return prep_profile_groups_differ(a, b);
}

const char *
prep_profile_groups_differ(const prep_profile *a, const prep_profile *b)
{
	size_t i;

	if (a->ngroups != b->ngroups || a->has_pred != b->has_pred)
		return "made with different group options";
	if (a->ngroups == 0)
		return NULL;
	for (i = 0; i < a->ngroups; i++)
		if (!same_text(a->gnames[i].text, a->gnames[i].len,
			       b->gnames[i].text, b->gnames[i].len))
			return "made with different group columns";
	if (!same_text(a->label_name.text, a->label_name.len,
		       b->label_name.text, b->label_name.len) ||
	    !same_text(a->pred_name.text, a->pred_name.len, b->pred_name.text,
		       b->pred_name.len) ||
	    !same_text(a->positive, a->positive_len, b->positive,
		       b->positive_len))
		return "made with different label, prediction or positive "
		       "value";
	return NULL;
}

static prep_status
merge_column(prep_profile *p, prep_profile_column *c,
	     const prep_profile_column *f)
{
	prep_status st;
	prep_field k;
	size_t id, t;

	c->rows += f->rows;
	c->empty += f->empty;
	for (t = 0; t < PREP_PROFILE_NTYPES; t++)
		c->types[t] += f->types[t];
	prep_moments_merge(&c->moments, &f->moments);
	if (f->kll != NULL && c->kll == NULL &&
	    (st = prep_kll_new_stream(p->kll_k, p->seed, p->stream, &c->kll)) !=
		PREP_OK)
		return st;
	if (f->kll != NULL && (st = prep_kll_merge(c->kll, f->kll)) != PREP_OK)
		return st;
	c->longs += f->longs;
	if (f->hll != NULL) {
		if ((st = start_hll(p, c)) != PREP_OK)
			return st;
		if ((st = prep_hll_merge(c->hll, f->hll)) != PREP_OK)
			return st;
	}
	if (f->exact) {
		for (id = 0; id < f->values.n; id++) {
			k = prep_strset_key(&f->values, id);
			st = profile_count_value(p, c, k.data, k.len,
						 f->counts[id]);
			if (st != PREP_OK)
				return st;
		}
		return PREP_OK;
	}
	if ((st = to_summary(p, c)) != PREP_OK)
		return st;
	return prep_freq_merge(c->freq, f->freq);
}

prep_status
prep_profile_merge(prep_profile *into, const prep_profile *from,
		   const char **why)
{
	prep_profile_group_counts *g;
	const prep_profile_group_counts *h;
	prep_moments m;
	prep_status st;
	prep_field k;
	size_t i;

	if ((*why = mismatch(into, from)) != NULL)
		return PREP_ERR_ARG;
	if (from->rows > PREP_KLL_MAX_N - into->rows)
		return PREP_ERR_RANGE;
	for (i = 0; i < into->ncols; i++) {
		m = into->cols[i].moments;
		prep_moments_merge(&m, &from->cols[i].moments);
		if (!moments_finite(&m))
			return PREP_ERR_RANGE;
	}
	into->rows += from->rows;
	for (i = 0; i < into->ncols; i++)
		if ((st = merge_column(into, &into->cols[i], &from->cols[i])) !=
		    PREP_OK) {
			if (st == PREP_ERR_ARG)
				*why = "with sketches of different sizes";
			return st;
		}
	for (i = 0; i < from->gset.n; i++) {
		k = prep_strset_key(&from->gset, i);
		if ((st = profile_group_counts(into, k.data, k.len, &g)) !=
		    PREP_OK)
			return st;
		h = &from->gcounts[i];
		g->n += h->n;
		g->positives += h->positives;
		g->predicted += h->predicted;
		g->tp += h->tp;
		g->fp += h->fp;
	}
	return PREP_OK;
}

/* ---- accessors ---- */

uint64_t
prep_profile_rows(const prep_profile *p)
{
	return p->rows;
}

size_t
prep_profile_columns(const prep_profile *p)
{
	return p->ncols;
}

const prep_profile_column *
prep_profile_column_at(const prep_profile *p, size_t i)
{
	return i < p->ncols ? &p->cols[i] : NULL;
}

size_t
prep_profile_max_distinct(const prep_profile *p)
{
	return p->max_distinct;
}

size_t
prep_profile_max_groups(const prep_profile *p)
{
	return p->max_groups;
}

int
prep_profile_has_groups(const prep_profile *p, int *pred)
{
	if (pred != NULL)
		*pred = p->has_pred;
	return p->ngroups > 0;
}

size_t
prep_profile_ngroups(const prep_profile *p)
{
	return p->gset.n;
}

void
prep_profile_group(const prep_profile *p, size_t id,
		   prep_profile_group_counts *c, prep_field *key)
{
	*c = p->gcounts[id];
	*key = prep_strset_key(&p->gset, id);
}

prep_status
prep_profile_group_find(const prep_profile *p, const prep_field *key,
			size_t *id)
{
	return prep_strset_lookup((prep_strset *)&p->gset, key->data, key->len,
				  0, id, NULL);
}

size_t
prep_profile_group_names(const prep_profile *p, prep_field *names, size_t max)
{
	size_t i;

	for (i = 0; i < p->ngroups && i < max; i++) {
		names[i].data = p->gnames[i].text;
		names[i].len = p->gnames[i].len;
	}
	return p->ngroups;
}

double
prep_profile_distinct(const prep_profile_column *c, double *std_error)
{
	if (c->hll == NULL) {
		*std_error = 0;
		return (double)c->values.n;
	}
	*std_error = prep_hll_std_error(c->hll);
	return prep_hll_estimate(c->hll);
}

uint64_t
prep_profile_other(const prep_profile_column *c)
{
	uint64_t listed = 0;
	size_t i, n;
	prep_freq_item *items;

	if (c->exact)
		return c->longs;
	if (prep_freq_items(c->freq, &items, &n) != PREP_OK)
		return c->rows - c->empty; /* no counter: none accounted */
	for (i = 0; i < n; i++)
		listed += items[i].count;
	free(items);
	return c->rows - c->empty - listed;
}

static int
item_cmp(const void *a, const void *b)
{
	const prep_freq_item *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int r;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if ((r = memcmp(x->data, y->data, n)) != 0)
		return r;
	return (x->len > y->len) - (x->len < y->len);
}

prep_status
prep_profile_values(const prep_profile_column *c, prep_freq_item **items,
		    size_t *n)
{
	prep_freq_item *a;
	prep_field k;
	size_t id;

	if (!c->exact)
		return prep_freq_items(c->freq, items, n);
	*items = NULL;
	*n = 0;
	if (c->values.n == 0)
		return PREP_OK;
	if ((a = malloc(c->values.n * sizeof *a)) == NULL)
		return PREP_ERR_NOMEM;
	for (id = 0; id < c->values.n; id++) {
		k = prep_strset_key(&c->values, id);
		a[id].data = k.data;
		a[id].len = k.len;
		a[id].count = c->counts[id];
	}
	qsort(a, c->values.n, sizeof *a, item_cmp);
	*items = a;
	*n = c->values.n;
	return PREP_OK;
}
