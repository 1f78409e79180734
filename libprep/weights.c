/*
 * weights.c: reweighing weights (see weights.h; Kamiran and Calders,
 * "Data preprocessing techniques for classification without
 * discrimination", Knowledge and Information Systems 33(1):1-33, 2012).
 *
 * A row's cell key is its group fields, then its label, each written as
 * a varint length and the bytes, so that no two tuples share a key; one
 * keyed-hash set of byte strings (strset.h) maps the key to a cell, so each
 * row costs one lookup in either pass. A new cell looks its group (the
 * key's group part) and its label up in two more sets, which give the
 * ids of first appearance the table is reported in. Each cell counts its
 * rows and keeps the number of its first (for the partials of
 * weights_state.c) and, with a weight column, the exact sum of their
 * weights (exactsum.h), so that the same rows give the same counts
 * however they were split and merged; prep_weights_finish adds the cells
 * up into n_g, n_y and n, exactly again, computes W once per cell with
 * its text, and sorts the cells of each group by label for
 * prep_weights_cell.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "text.h"
#include "weights_impl.h"

#define TEXT_MAX WEIGHTS_TEXT_MAX

prep_status
prep_weights_new(const size_t *group, size_t ngroup, long label, long weight,
		 size_t max, prep_weights **out)
{
	prep_weights *w;

	*out = NULL;
	if (ngroup == 0 || group == NULL)
		return PREP_ERR_ARG;
	if (max == 0)
		max = PREP_WEIGHTS_DEFAULT_MAX;
	if (max > ((size_t)1 << 31))
		return PREP_ERR_ARG;
	w = calloc(1, sizeof *w);
	if (w == NULL)
		return PREP_ERR_NOMEM;
	w->group = malloc(ngroup * sizeof *w->group);
	if (w->group == NULL) {
		free(w);
		return PREP_ERR_NOMEM;
	}
	memcpy(w->group, group, ngroup * sizeof *group);
	w->ngroup = ngroup;
	w->label = label;
	w->weight = weight;
	w->max = max;
	prep_strset_init(&w->cells, max);
	prep_strset_init(&w->groups, max);
	prep_strset_init(&w->labels, max);
	prep_buf_init(&w->key, 0);
	*out = w;
	return PREP_OK;
}

void
prep_weights_free(prep_weights *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < w->cells.n; i++)
		prep_exactsum_free(&w->cell[i].sum);
	prep_strset_free(&w->cells);
	prep_strset_free(&w->groups);
	prep_strset_free(&w->labels);
	prep_buf_free(&w->key);
	free(w->group);
	free(w->cell);
	free(w->n_g);
	free(w->n_y);
	free(w->run);
	free(w->order);
	free(w);
}

/* The row's cell key into w->key: the group fields, then the label. */
static prep_status
encode_key_into(const prep_weights *w, const prep_field *row, prep_buf *key,
		size_t *group_part)
{
	size_t i, total = 0, len;
	unsigned char *o;
	prep_status st;

	for (i = 0; i <= w->ngroup; i++) {
		if (i == w->ngroup && w->label < 0)
			break;
		len = row[i < w->ngroup ? w->group[i] : (size_t)w->label].len;
		if (len > PREP_BUF_DEFAULT_MAX - total - PREP_TUPLE_OVERHEAD)
			return PREP_ERR_LIMIT;
		total += len + PREP_TUPLE_OVERHEAD;
	}
	prep_buf_reset(key);
	if ((st = prep_buf_reserve(key, total)) != PREP_OK)
		return st;
	o = (unsigned char *)key->data;
	for (i = 0; i < w->ngroup; i++)
		o = prep_tuple_put(o, &row[w->group[i]]);
	*group_part = (size_t)((char *)o - key->data);
	if (w->label >= 0)
		o = prep_tuple_put(o, &row[w->label]);
	key->len = (size_t)((char *)o - key->data);
	return PREP_OK;
}

static prep_status
encode_key(prep_weights *w, const prep_field *row)
{
	return encode_key_into(w, row, &w->key, &w->group_part);
}

/* A row's own weight: 1 without a weight column. */
static prep_status
own_weight(const prep_weights *w, const prep_field *row, double *v)
{
	const prep_field *f;

	if (w->weight < 0) {
		*v = 1.0;
		return PREP_OK;
	}
	f = &row[w->weight];
	if (prep_parse_number(f->data, f->len, v) != PREP_OK || !isfinite(*v))
		return PREP_ERR_VALUE;
	if (*v < 0)
		return PREP_ERR_RANGE;
	*v += 0.0; /* -0 is 0 */
	return PREP_OK;
}

prep_status
weights_cell_at(prep_weights *w, const char *key, size_t len, size_t group_part,
		const prep_field *label, uint64_t first, size_t *id)
{
	size_t g, y = 0, c;
	prep_status st;

	st = prep_strset_lookup(&w->cells, key, len, 0, id, NULL);
	if (st != PREP_ERR_NOT_FOUND)
		return st;
	if (w->cells.n >= w->max)
		return PREP_ERR_LIMIT;
	st = prep_strset_lookup(&w->groups, key, group_part, 0, &g, NULL);
	if (st == PREP_ERR_NOT_FOUND && w->groups.n >= w->max)
		return PREP_ERR_LIMIT;
	if (st != PREP_OK && st != PREP_ERR_NOT_FOUND)
		return st;
	if (label) {
		st = prep_strset_lookup(&w->labels, label->data, label->len, 0,
					&y, NULL);
		if (st == PREP_ERR_NOT_FOUND && w->labels.n >= w->max)
			return PREP_ERR_LIMIT;
		if (st != PREP_OK && st != PREP_ERR_NOT_FOUND)
			return st;
	}
	if (w->cells.n == w->cell_cap) {
		size_t n = w->cell_cap ? w->cell_cap * 2 : 64;
		struct weights_cell *p = realloc(w->cell, n * sizeof *p);

		if (p == NULL)
			return PREP_ERR_NOMEM;
		w->cell = p;
		w->cell_cap = n;
	}
	st = prep_strset_lookup(&w->groups, key, group_part, 1, &g, NULL);
	if (st == PREP_OK && label)
		st = prep_strset_lookup(&w->labels, label->data, label->len, 1,
					&y, NULL);
	if (st == PREP_OK)
		st = prep_strset_lookup(&w->cells, key, len, 1, &c, NULL);
	if (st != PREP_OK)
		return st; /* out of memory */
	memset(&w->cell[c], 0, sizeof w->cell[c]);
	w->cell[c].group = (uint32_t)g;
	w->cell[c].label = (uint32_t)y;
	w->cell[c].first = first;
	*id = c;
	return PREP_OK;
}

prep_status
prep_weights_add(prep_weights *w, const prep_field *row)
{
	return prep_weights_add_at(w, row, w->rows + 1);
}

prep_status
prep_weights_add_at(prep_weights *w, const prep_field *row, uint64_t first)
{
	size_t id;
	double own;

	return prep_weights_add_cell(w, row, first, &id, &own);
}

prep_status
prep_weights_add_cell(prep_weights *w, const prep_field *row, uint64_t first,
		      size_t *cell, double *own)
{
	struct weights_cell *c;
	size_t id;
	double v;
	prep_status st;

	if (w->finished)
		return PREP_ERR_ARG;
	if ((st = own_weight(w, row, &v)) != PREP_OK)
		return st;
	if ((st = encode_key(w, row)) != PREP_OK)
		return st;
	st = weights_cell_at(w, w->key.data, w->key.len, w->group_part,
			     w->label >= 0 ? &row[w->label] : NULL, first, &id);
	if (st != PREP_OK)
		return st;
	c = &w->cell[id];
	if (w->weight >= 0 && (st = prep_exactsum_add(&c->sum, v)) != PREP_OK)
		return st;
	c->rows++;
	w->rows++;
	*cell = id;
	*own = v;
	return PREP_OK;
}

struct sort_entry {
	uint64_t key; /* group << 32 | label */
	size_t id;
};

static int
by_key(const void *a, const void *b)
{
	const struct sort_entry *x = a, *y = b;

	return (x->key > y->key) - (x->key < y->key);
}

/* Group the cell ids by group, each run sorted by label. */
static prep_status
build_runs(prep_weights *w)
{
	size_t ncells = w->cells.n, ngroups = w->groups.n, i;
	struct sort_entry *e;

	w->run = calloc(ngroups + 1, sizeof *w->run);
	w->order = malloc((ncells ? ncells : 1) * sizeof *w->order);
	e = malloc((ncells ? ncells : 1) * sizeof *e);
	if (!w->run || !w->order || !e) {
		free(e);
		return PREP_ERR_NOMEM;
	}
	for (i = 0; i < ncells; i++) {
		e[i].key = (uint64_t)w->cell[i].group << 32 | w->cell[i].label;
		e[i].id = i;
		w->run[w->cell[i].group + 1]++;
	}
	qsort(e, ncells, sizeof *e, by_key);
	for (i = 0; i < ncells; i++)
		w->order[i] = e[i].id;
	for (i = 0; i < ngroups; i++)
		w->run[i + 1] += w->run[i];
	free(e);
	return PREP_OK;
}

/*
 * W of one cell (Kamiran and Calders 2012): n_g n_y / (n n_gy), or
 * n / (G n_g) without a label. Counted rows make exact integers, so the
 * products are exact below 2^53 and one division rounds once; sums of
 * weights whose products would overflow or lose precision to underflow
 * are divided first.
 */
static double
cell_weight(const prep_weights *w, double ng, double ny, double ngy)
{
	double num, den;

	if (w->label < 0) {
		den = (double)w->live_groups * ng;
		return isnormal(den) ? w->n / den
				     : w->n / ng / (double)w->live_groups;
	}
	num = ng * ny;
	den = w->n * ngy;
	if (isnormal(num) && isnormal(den))
		return num / den;
	return (ng / w->n) * (ny / ngy);
}

static void
set_text(char *text, unsigned char *len, double v)
{
	int k = snprintf(text, TEXT_MAX, PREP_WEIGHTS_FORMAT, v);

	*len = (unsigned char)(k > 0 && k < TEXT_MAX ? k : 0);
}

/*
 * n_g, n_y and n from the cells: sums of counts of rows, or exact sums of
 * the cells' exact sums of weights, each rounded once.
 */
static prep_status
totals(prep_weights *w, size_t ngroups, size_t nlabels)
{
	size_t i, k = ngroups + nlabels + 1;
	prep_exactsum *e;
	uint64_t *r;
	prep_status st = PREP_OK;

	if (w->weight < 0) {
		if ((r = calloc(k, sizeof *r)) == NULL)
			return PREP_ERR_NOMEM;
		for (i = 0; i < w->cells.n; i++) {
			r[w->cell[i].group] += w->cell[i].rows;
			r[ngroups + w->cell[i].label] += w->cell[i].rows;
			r[k - 1] += w->cell[i].rows;
			w->cell[i].n = (double)w->cell[i].rows;
		}
		for (i = 0; i < ngroups; i++)
			w->n_g[i] = (double)r[i];
		for (i = 0; i < nlabels; i++)
			w->n_y[i] = (double)r[ngroups + i];
		w->n = (double)r[k - 1];
		free(r);
		return PREP_OK;
	}
	if ((e = calloc(k, sizeof *e)) == NULL)
		return PREP_ERR_NOMEM;
	for (i = 0; st == PREP_OK && i < w->cells.n; i++) {
		const struct weights_cell *c = &w->cell[i];

		st = prep_exactsum_add_sum(&e[c->group], &c->sum);
		if (st == PREP_OK)
			st = prep_exactsum_add_sum(&e[ngroups + c->label],
						   &c->sum);
		if (st == PREP_OK)
			st = prep_exactsum_add_sum(&e[k - 1], &c->sum);
		w->cell[i].n = prep_exactsum_value(&c->sum);
	}
	for (i = 0; i < ngroups; i++)
		w->n_g[i] = prep_exactsum_value(&e[i]);
	for (i = 0; i < nlabels; i++)
		w->n_y[i] = prep_exactsum_value(&e[ngroups + i]);
	w->n = prep_exactsum_value(&e[k - 1]);
	for (i = 0; i < k; i++)
		prep_exactsum_free(&e[i]);
	free(e);
	return st;
}

prep_status
prep_weights_finish(prep_weights *w)
{
	size_t ngroups = w->groups.n, i;
	size_t nlabels = w->label >= 0 ? w->labels.n : 1;
	prep_status st;

	if (w->finished || w->n_g)
		return PREP_ERR_ARG; /* a second call, after success or not */
	w->n_g = calloc(ngroups ? ngroups : 1, sizeof *w->n_g);
	w->n_y = calloc(nlabels ? nlabels : 1, sizeof *w->n_y);
	if (!w->n_g || !w->n_y)
		return PREP_ERR_NOMEM;
	if ((st = totals(w, ngroups, nlabels)) != PREP_OK)
		return st;
	if (!isfinite(w->n))
		return PREP_ERR_RANGE;
	if (w->rows > 0 && w->n == 0)
		return PREP_ERR_VALUE;
	if ((st = build_runs(w)) != PREP_OK)
		return st;
	w->live_groups = 0;
	for (i = 0; i < ngroups; i++)
		if (w->n_g[i] > 0)
			w->live_groups++;
	w->empty_cells = (uint64_t)ngroups * nlabels;
	for (i = 0; i < w->cells.n; i++) {
		struct weights_cell *c = &w->cell[i];

		c->empty = c->n == 0;
		if (!c->empty)
			w->empty_cells--;
		c->w = c->empty ? 0
				: cell_weight(w, w->n_g[c->group],
					      w->n_y[c->label], c->n);
		set_text(c->text, &c->textlen, c->w);
	}
	w->finished = 1;
	return PREP_OK;
}

prep_status
prep_weights_row(prep_weights *w, const prep_field *row, double *value,
		 const char **text, size_t *len)
{
	return prep_weights_row_r(w, row, &w->key, w->text, value, text, len);
}

prep_status
prep_weights_row_r(const prep_weights *w, const prep_field *row, prep_buf *key,
		   char *buf, double *value, const char **text, size_t *len)
{
	size_t id;
	double v;
	prep_status st = prep_weights_row_cell(w, row, key, &id, &v);

	if (st != PREP_OK)
		return st;
	return prep_weights_cell_text(w, id, v, buf, value, text, len);
}

prep_status
prep_weights_row_cell(const prep_weights *w, const prep_field *row,
		      prep_buf *key, size_t *cell, double *own)
{
	size_t group_part;
	prep_status st;

	if (!w->finished)
		return PREP_ERR_ARG;
	if ((st = own_weight(w, row, own)) != PREP_OK)
		return st;
	if ((st = encode_key_into(w, row, key, &group_part)) != PREP_OK)
		return st;
	/* a lookup that adds nothing writes nothing to a keyed set: the
	 * first pass keyed it, so threads may share it */
	return prep_strset_lookup((prep_strset *)&w->cells, key->data, key->len,
				  0, cell, NULL);
}

size_t
prep_weights_cells(const prep_weights *w)
{
	return w->cells.n;
}

prep_status
prep_weights_cell_text(const prep_weights *w, size_t cell, double own,
		       char *buf, double *value, const char **text, size_t *len)
{
	const struct weights_cell *c;
	unsigned char tlen;
	double v = own;

	if (!w->finished || cell >= w->cells.n)
		return PREP_ERR_ARG;
	c = &w->cell[cell];
	if (w->weight < 0) {
		if (value)
			*value = c->w;
		*text = c->text;
		*len = c->textlen;
		return PREP_OK;
	}
	/* a row of weight 0 stays 0, in a cell of count 0 too */
	v = v == 0 || c->empty ? 0.0 : v * c->w + 0.0;
	if (value)
		*value = v;
	set_text(buf, &tlen, v);
	*text = buf;
	*len = tlen;
	return PREP_OK;
}

uint64_t
prep_weights_rows(const prep_weights *w)
{
	return w->rows;
}

size_t
prep_weights_groups(const prep_weights *w)
{
	return w->groups.n;
}

size_t
prep_weights_labels(const prep_weights *w)
{
	return w->label >= 0 ? w->labels.n : 1;
}

double
prep_weights_total(const prep_weights *w)
{
	return w->finished ? w->n : 0;
}

uint64_t
prep_weights_empty_cells(const prep_weights *w)
{
	return w->finished ? w->empty_cells : 0;
}

prep_field
prep_weights_group_field(const prep_weights *w, size_t g, size_t i)
{
	prep_field f = {"", 0}, key;
	const unsigned char *p;
	size_t k;

	if (g >= w->groups.n || i >= w->ngroup)
		return f;
	key = prep_strset_key(&w->groups, g);
	p = (const unsigned char *)key.data;
	for (k = 0; k <= i; k++)
		f = prep_tuple_next(&p);
	return f;
}

prep_field
prep_weights_label(const prep_weights *w, size_t y)
{
	prep_field f = {"", 0};

	if (w->label >= 0 && y < w->labels.n)
		f = prep_strset_key(&w->labels, y);
	return f;
}

prep_status
prep_weights_cell(const prep_weights *w, size_t g, size_t y,
		  prep_weights_cell_info *out)
{
	size_t lo, hi;

	if (!w->finished || g >= w->groups.n || y >= prep_weights_labels(w))
		return PREP_ERR_ARG;
	memset(out, 0, sizeof *out);
	out->n_g = w->n_g[g];
	out->n_y = w->n_y[y];
	out->empty = 1;
	/* binary search of group g's run, sorted by label */
	lo = w->run[g];
	hi = w->run[g + 1];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct weights_cell *c = &w->cell[w->order[mid]];

		if (c->label < y) {
			lo = mid + 1;
		} else if (c->label > y) {
			hi = mid;
		} else {
			out->n_gy = c->n;
			out->empty = c->empty;
			out->weight = c->w;
			break;
		}
	}
	return PREP_OK;
}

/* A count or weight of the report, in PREP_WEIGHTS_FORMAT. */
static prep_status
report_number(prep_writer *wr, double v)
{
	char buf[32];
	int k = snprintf(buf, sizeof buf, PREP_WEIGHTS_FORMAT, v);

	if (k < 0 || (size_t)k >= sizeof buf)
		return PREP_ERR_RANGE;
	return prep_writer_field(wr, buf, (size_t)k);
}

/* The report's header record: the columns' names, then the figures'. */
static prep_status
report_header(const prep_weights *w, const prep_field *header, size_t ncols,
	      prep_writer *wr)
{
	static const char *const names[] = {"n_g", "n_y", "n_gy", "weight"};
	char number[PREP_COLUMNS_LABEL_SIZE];
	prep_status st = PREP_OK;
	prep_field f;
	size_t i;

	for (i = 0; st == PREP_OK && i < w->ngroup; i++) {
		f = prep_columns_label(header, ncols, w->group[i], number);
		st = prep_writer_field(wr, f.data, f.len);
	}
	if (st == PREP_OK && w->label >= 0) {
		f = prep_columns_label(header, ncols, (size_t)w->label, number);
		st = prep_writer_field(wr, f.data, f.len);
	}
	for (i = 0; st == PREP_OK && i < 4; i++)
		st = prep_writer_field(wr, names[i], strlen(names[i]));
	return st == PREP_OK ? prep_writer_end_row(wr) : st;
}

/* The record of the cell of group g and label y. */
static prep_status
report_cell(const prep_weights *w, size_t g, size_t y, prep_writer *wr)
{
	prep_weights_cell_info c;
	prep_status st;
	prep_field f;
	size_t i;

	if ((st = prep_weights_cell(w, g, y, &c)) != PREP_OK)
		return st;
	for (i = 0; st == PREP_OK && i < w->ngroup; i++) {
		f = prep_weights_group_field(w, g, i);
		st = prep_writer_field(wr, f.data, f.len);
	}
	if (st == PREP_OK && w->label >= 0) {
		f = prep_weights_label(w, y);
		st = prep_writer_field(wr, f.data, f.len);
	}
	if (st == PREP_OK)
		st = report_number(wr, c.n_g);
	if (st == PREP_OK)
		st = report_number(wr, c.n_y);
	if (st == PREP_OK)
		st = report_number(wr, c.n_gy);
	if (st == PREP_OK)
		st = c.empty ? prep_writer_field(wr, "NA", 2)
			     : report_number(wr, c.weight);
	return st == PREP_OK ? prep_writer_end_row(wr) : st;
}

prep_status
prep_weights_report(const prep_weights *w, const prep_field *header,
		    size_t ncols, prep_writer *wr)
{
	size_t g, y, nlabels = prep_weights_labels(w);
	prep_status st;

	if (!w->finished)
		return PREP_ERR_ARG;
	st = report_header(w, header, ncols, wr);
	for (g = 0; st == PREP_OK && g < w->groups.n; g++)
		for (y = 0; st == PREP_OK && y < nlabels; y++)
			st = report_cell(w, g, y, wr);
	return st;
}
