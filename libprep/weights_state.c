/*
 * weights_state.c: a table of weights as JSON and back, and the merge of
 * two tables (weights_state.h).
 *
 * A cell's key (weights_impl.h) is its group's values and its label as
 * tuples, so the state is written from the keys, in the order of their
 * values, and read back into keys. A table read from a state takes its
 * cells in the order of their first rows, so that its ids of cells,
 * groups and labels are those of first appearance, as if its rows had
 * been counted; a merge keeps that order by taking the later table's new
 * cells after the earlier table's, in the later table's order.
 */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "memcap.h"
#include "partial.h"
#include "partial_input.h"
#include "weights_impl.h"
#include "par.h"
#include "weights_state.h"

/* The most names of group columns: the fields of a record. */
#define MAX_NAMES PREP_CSV_DEFAULT_MAX_FIELDS

/*
 * Two cell keys of nfields tuples in the order of their values: field by
 * field, bytes compared as unsigned, a prefix before what it begins.
 */
static int
key_cmp(const unsigned char *a, const unsigned char *b, size_t nfields)
{
	prep_field x, y;
	size_t i, m;
	int c;

	for (i = 0; i < nfields; i++) {
		x = prep_tuple_next(&a);
		y = prep_tuple_next(&b);
		m = x.len < y.len ? x.len : y.len;
		c = m ? memcmp(x.data, y.data, m) : 0;
		if (c != 0)
			return c;
		if (x.len != y.len)
			return x.len < y.len ? -1 : 1;
	}
	return 0;
}

/* ---- writing ---- */

struct by_values {
	const unsigned char *key;
	size_t nfields, id;
};

static int
by_values_cmp(const void *a, const void *b)
{
	const struct by_values *x = a, *y = b;

	return key_cmp(x->key, y->key, x->nfields);
}

static json_t *
cell_json(const prep_weights *w, size_t id, int *ok)
{
	const struct weights_cell *c = &w->cell[id];
	prep_field k = prep_strset_key(&w->cells, id), f;
	const unsigned char *p = (const unsigned char *)k.data;
	json_t *o = json_object(), *g = json_array();
	size_t i;

	for (i = 0; i < w->ngroup; i++) {
		f = prep_tuple_next(&p);
		prep_json_append(g, prep_json_bytes(f.data, f.len), ok);
	}
	prep_json_set(o, "group", g, ok);
	if (w->label >= 0) {
		f = prep_tuple_next(&p);
		prep_json_set(o, "label", prep_json_bytes(f.data, f.len), ok);
	}
	prep_json_set(o, "n", json_integer((json_int_t)c->rows), ok);
	prep_json_set(o, "first", json_integer((json_int_t)c->first), ok);
	if (w->weight >= 0)
		prep_json_set(o, "w", prep_exactsum_json(&c->sum), ok);
	return o;
}

json_t *
prep_weights_state(const prep_weights *w, const prep_partial_input *in)
{
	json_t *o = json_object(), *names = NULL, *cells = json_array();
	size_t i, n = w ? w->cells.n : 0;
	size_t ngroup = w ? w->ngroup : 0, nnames;
	struct by_values *e = NULL;
	int ok = 1;

	nnames = w ? ngroup + (w->label >= 0) : 0;
	if ((w != NULL) != (in->names != NULL) || (w && in->nnames != nnames)) {
		json_decref(o);
		json_decref(cells);
		return NULL;
	}
	prep_json_set(o, "delimiter", prep_partial_delim_json(in->delim), &ok);
	if (w)
		names = prep_partial_names_json(in->names, ngroup);
	prep_json_set(o, "group_columns", w ? names : json_null(), &ok);
	prep_json_set(
	    o, "label_column",
	    w && w->label >= 0
		? prep_json_bytes(in->names[ngroup].data, in->names[ngroup].len)
		: json_null(),
	    &ok);
	prep_json_set(o, "rows", json_integer(w ? (json_int_t)w->rows : 0),
		      &ok);
	if (n && (e = malloc(n * sizeof *e)) == NULL)
		ok = 0;
	for (i = 0; e && i < n; i++) {
		e[i].key =
		    (const unsigned char *)prep_strset_key(&w->cells, i).data;
		e[i].nfields = nnames;
		e[i].id = i;
	}
	if (e)
		qsort(e, n, sizeof *e, by_values_cmp);
	for (i = 0; e && i < n; i++)
		prep_json_append(cells, cell_json(w, e[i].id, &ok), &ok);
	free(e);
	prep_json_set(o, "cells", cells, &ok);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ---- reading ---- */

/* A cell read: its key in the arena, its counts. */
struct rd_cell {
	size_t off, len, gpart;
	uint64_t rows, first;
	prep_exactsum sum;
};

struct rd {
	prep_state_refusal ref; /* the first refusal */
	prep_buf arena;		/* the cells' keys */
	struct rd_cell *cell;
	size_t ncells, cap;
};

static int
bad(struct rd *r, const char *why)
{
	(void)prep_state_refuse(&r->ref, PREP_ERR_VALUE, why);
	return -1; /* here, where the static analyzer sees it */
}

static int
fail(struct rd *r, prep_status st, const char *why)
{
	(void)prep_state_refuse(&r->ref, st, why);
	return -1;
}

/* The bytes of a prep_json_bytes string j, appended to b. */
static int
get_bytes(struct rd *r, const json_t *j, prep_buf *b, size_t *len,
	  const char *why)
{
	const char *w;
	char *s;
	prep_status st;

	if (!json_is_string(j))
		return bad(r, why);
	w = prep_json_bytes_read(json_string_value(j), json_string_length(j),
				 &s, len);
	if (w != NULL)
		return bad(r, w);
	if (s == NULL)
		return fail(r, PREP_ERR_NOMEM, NULL);
	st = prep_buf_append(b, s, *len);
	free(s);
	return st == PREP_OK ? 0 : fail(r, st, NULL);
}

/* One cell of the state into r->cell[r->ncells]. */
static int
read_cell(struct rd *r, const json_t *o, size_t ngroup, int labelled,
	  int weighted, uint64_t rows)
{
	static const char *const keys[] = {"group", "label", "n", "first", "w"};
	const json_t *g = json_object_get(o, "group");
	struct rd_cell *c = &r->cell[r->ncells];
	size_t i, len, need = (size_t)2 + (size_t)labelled + (size_t)weighted;
	unsigned char *p;
	prep_buf v;
	prep_field f;
	prep_status st;

	if (!json_is_object(o) || json_object_size(o) != need + 1 ||
	    !prep_json_only_keys(o, keys, 5) || !json_is_array(g) ||
	    json_array_size(g) != ngroup ||
	    (json_object_get(o, "label") != NULL) != labelled ||
	    (json_object_get(o, "w") != NULL) != weighted)
		return bad(r, "bad cell");
	if (prep_json_uint(json_object_get(o, "n"), 1, rows, &c->rows) != 0 ||
	    prep_json_uint(json_object_get(o, "first"), 1, rows, &c->first) !=
		0)
		return bad(r, "bad count or first row of a cell");
	c->off = r->arena.len;
	prep_buf_init(&v, PREP_PARTIAL_MAX_BYTES);
	for (i = 0; i < ngroup + (size_t)labelled; i++) {
		prep_buf_reset(&v);
		if (get_bytes(r,
			      i < ngroup ? json_array_get(g, i)
					 : json_object_get(o, "label"),
			      &v, &len, "bad value of a cell") != 0)
			break;
		if (i == ngroup)
			c->gpart = r->arena.len - c->off;
		f.data = v.data ? v.data : "";
		f.len = len;
		st = prep_buf_reserve(&r->arena, len + PREP_TUPLE_OVERHEAD);
		if (st != PREP_OK) {
			fail(r, st,
			     st == PREP_ERR_LIMIT ? "values too long" : NULL);
			break;
		}
		p = prep_tuple_put(
		    (unsigned char *)r->arena.data + r->arena.len, &f);
		r->arena.len = (size_t)((char *)p - r->arena.data);
	}
	prep_buf_free(&v);
	if (r->ref.st != PREP_OK)
		return -1;
	c->len = r->arena.len - c->off;
	if (!labelled)
		c->gpart = c->len;
	if (weighted) {
		st = prep_exactsum_from_json(json_object_get(o, "w"), &c->sum);
		if (st == PREP_ERR_VALUE)
			return bad(r, "bad sum of weights of a cell");
		if (st != PREP_OK)
			return fail(r, st, NULL);
	}
	r->ncells++;
	/* in the order of their values, each once */
	if (r->ncells > 1 &&
	    key_cmp((const unsigned char *)r->arena.data + c[-1].off,
		    (const unsigned char *)r->arena.data + c->off,
		    ngroup + (size_t)labelled) >= 0)
		return bad(r, "cells out of order, or a cell twice");
	return 0;
}

/* A cell read, by its first row. */
struct by_first {
	uint64_t first;
	size_t i;
};

static int
by_first_cmp(const void *a, const void *b)
{
	const struct by_first *x = a, *y = b;

	return (x->first > y->first) - (x->first < y->first);
}

/* A table of r's cells, taken in the order of their first rows. */
static int
build(struct rd *r, size_t ngroup, int labelled, int weighted, size_t max,
      uint64_t rows, prep_weights **out)
{
	struct by_first *order;
	size_t *cols, i, id;
	prep_field label;
	prep_weights *w;
	prep_status st;
	const unsigned char *p;

	order = malloc((r->ncells ? r->ncells : 1) * sizeof *order);
	cols = malloc((ngroup ? ngroup : 1) * sizeof *cols);
	if (order == NULL || cols == NULL) {
		free(order);
		free(cols);
		return fail(r, PREP_ERR_NOMEM, NULL);
	}
	for (i = 0; i < r->ncells; i++) {
		order[i].first = r->cell[i].first;
		order[i].i = i;
	}
	qsort(order, r->ncells, sizeof *order, by_first_cmp);
	for (i = 0; i < ngroup; i++)
		cols[i] = i;
	st = prep_weights_new(cols, ngroup, labelled ? (long)ngroup : -1,
			      weighted ? (long)ngroup + labelled : -1, max, &w);
	free(cols);
	if (st != PREP_OK) {
		free(order);
		return fail(r, st, NULL);
	}
	for (i = 0; i < r->ncells; i++) {
		struct rd_cell *c = &r->cell[order[i].i];

		if (i > 0 && order[i].first == order[i - 1].first) {
			bad(r, "two cells of the same first row");
			break;
		}
		p = (const unsigned char *)r->arena.data + c->off + c->gpart;
		if (labelled)
			label = prep_tuple_next(&p);
		st =
		    weights_cell_at(w, r->arena.data + c->off, c->len, c->gpart,
				    labelled ? &label : NULL, c->first, &id);
		if (st != PREP_OK) {
			fail(r, st,
			     st == PREP_ERR_LIMIT ? "more groups, labels or "
						    "cells than the cap"
						  : NULL);
			break;
		}
		w->cell[id].rows = c->rows;
		/* the sum is the table's now */
		w->cell[id].sum = c->sum;
		prep_exactsum_init(&c->sum);
	}
	free(order);
	if (r->ref.st != PREP_OK) {
		prep_weights_free(w);
		return -1;
	}
	w->rows = rows;
	*out = w;
	return 0;
}

static void
rd_free(struct rd *r)
{
	size_t i;

	for (i = 0; r->cell && i < r->cap; i++)
		prep_exactsum_free(&r->cell[i].sum);
	prep_memcap_free(r->cell, r->cap * sizeof *r->cell);
	prep_buf_free(&r->arena);
}

/* The state's cells, their counts adding up to rows. */
static int
read_cells(struct rd *r, const json_t *cells, size_t ngroup, int labelled,
	   int weighted, size_t max, uint64_t rows)
{
	size_t i, n = json_array_size(cells);
	uint64_t total = 0;
	prep_status st;

	if (!json_is_array(cells) || n > rows)
		return bad(r, "bad cells");
	if (n > max)
		return fail(r, PREP_ERR_LIMIT,
			    "more groups, labels or cells than the cap");
	r->cell = prep_memcap_calloc(n ? n : 1, sizeof *r->cell, &st);
	if (r->cell == NULL)
		return fail(r, st, NULL);
	r->cap = n ? n : 1;
	for (i = 0; i < n; i++) {
		if (read_cell(r, json_array_get(cells, i), ngroup, labelled,
			      weighted, rows) != 0)
			return -1;
		total += r->cell[i].rows; /* n <= rows <= 2^53: no overflow */
	}
	if (total != rows)
		return bad(r, "the cells' counts do not add up to the rows");
	return 0;
}

prep_status
prep_weights_from_state(const json_t *state, int labelled, int weighted,
			size_t max, prep_weights **out, prep_partial_input *in,
			const char **why)
{
	static const char *const keys[] = {"delimiter", "group_columns",
					   "label_column", "rows", "cells"};
	const json_t *groups = json_object_get(state, "group_columns");
	const json_t *label = json_object_get(state, "label_column");
	const json_t *cells = json_object_get(state, "cells");
	const char *w;
	struct rd r;
	uint64_t rows = 0;
	prep_status st;

	*out = NULL;
	memset(in, 0, sizeof *in);
	memset(&r, 0, sizeof r);
	prep_buf_init(&r.arena, PREP_PARTIAL_MAX_BYTES);
	max = max ? max : PREP_WEIGHTS_DEFAULT_MAX;
	labelled = labelled != 0;
	weighted = weighted != 0;
	if (!json_is_object(state) || json_object_size(state) != 5 ||
	    !prep_json_only_keys(state, keys, 5))
		bad(&r, "a member of the state is missing or unknown");
	else if ((w = prep_partial_delim_read(
		      json_object_get(state, "delimiter"), &in->delim)) != NULL)
		bad(&r, w);
	else if (prep_json_uint(json_object_get(state, "rows"), 0,
				PREP_WEIGHTS_STATE_MAX_ROWS, &rows) != 0)
		bad(&r, "bad rows");
	else if (json_is_null(groups) &&
		 (!json_is_null(label) || rows != 0 || !json_is_array(cells) ||
		  json_array_size(cells) != 0))
		bad(&r, "an input without columns, with rows");
	else if (json_is_null(groups))
		;
	else if (labelled && !json_is_string(label))
		bad(&r, "no label column, which the options have");
	else if (!labelled && !json_is_null(label))
		bad(&r, "a label column, which the options have not");
	else if ((st = prep_partial_names_read(groups, labelled ? label : NULL,
					       MAX_NAMES, in, &w)) != PREP_OK)
		fail(&r, st, w);
	else if (read_cells(&r, cells, in->nnames - (size_t)labelled, labelled,
			    weighted, max, rows) == 0)
		build(&r, in->nnames - (size_t)labelled, labelled, weighted,
		      max, rows, out);
	rd_free(&r);
	if (r.ref.st != PREP_OK) {
		prep_partial_input_free(in);
		*why = r.ref.why;
		return r.ref.st;
	}
	return PREP_OK;
}

prep_status
prep_weights_set_columns(prep_weights *w, const size_t *group, size_t ngroup,
			 long label, long weight)
{
	if (group == NULL || ngroup != w->ngroup ||
	    (label >= 0) != (w->label >= 0) ||
	    (weight >= 0) != (w->weight >= 0))
		return PREP_ERR_ARG;
	memcpy(w->group, group, ngroup * sizeof *group);
	w->label = label;
	w->weight = weight;
	return PREP_OK;
}

prep_status
prep_weights_merge(prep_weights *a, const prep_weights *b)
{
	size_t i, id;
	prep_field key, label;
	prep_status st;

	if (a->finished || a->ngroup != b->ngroup ||
	    (a->label >= 0) != (b->label >= 0) ||
	    (a->weight >= 0) != (b->weight >= 0))
		return PREP_ERR_ARG;
	if (b->rows > PREP_WEIGHTS_STATE_MAX_ROWS - a->rows)
		return PREP_ERR_LIMIT;
	for (i = 0; i < b->cells.n; i++) {
		const struct weights_cell *c = &b->cell[i];

		key = prep_strset_key(&b->cells, i);
		if (b->label >= 0)
			label = prep_strset_key(&b->labels, c->label);
		st = weights_cell_at(a, key.data, key.len,
				     prep_strset_key(&b->groups, c->group).len,
				     b->label >= 0 ? &label : NULL,
				     a->rows + c->first, &id);
		if (st == PREP_OK && b->weight >= 0)
			st = prep_exactsum_add_sum(&a->cell[id].sum, &c->sum);
		if (st != PREP_OK)
			return st;
		a->cell[id].rows += c->rows;
	}
	a->rows += b->rows;
	return PREP_OK;
}

prep_status
prep_weights_merge_places(prep_weights *a, prep_weights *const *parts, size_t n,
			  const uint64_t *base, size_t nbase)
{
	prep_par_first *all;
	size_t total = 0, i, j, k = 0, id;
	prep_status st = PREP_OK;

	for (i = 0; i < n; i++) {
		const prep_weights *b = parts[i];

		if (a->finished || a->ngroup != b->ngroup ||
		    (a->label >= 0) != (b->label >= 0) ||
		    (a->weight >= 0) != (b->weight >= 0))
			return PREP_ERR_ARG;
		total += b->cells.n;
	}
	if ((all = malloc((total ? total : 1) * sizeof *all)) == NULL)
		return PREP_ERR_NOMEM;
	for (i = 0; i < n; i++)
		for (j = 0; j < parts[i]->cells.n; j++) {
			all[k].first = parts[i]->cell[j].first;
			all[k].part = i;
			all[k++].id = j;
		}
	qsort(all, total, sizeof *all, prep_par_first_cmp);
	for (k = 0; st == PREP_OK && k < total; k++) {
		const prep_weights *b = parts[all[k].part];
		const struct weights_cell *c = &b->cell[all[k].id];
		uint64_t row = prep_par_row_number(c->first, base, nbase);
		prep_field key = prep_strset_key(&b->cells, all[k].id);
		prep_field label;

		if (b->label >= 0)
			label = prep_strset_key(&b->labels, c->label);
		st = weights_cell_at(a, key.data, key.len,
				     prep_strset_key(&b->groups, c->group).len,
				     b->label >= 0 ? &label : NULL, row, &id);
		if (st == PREP_OK && b->weight >= 0)
			st = prep_exactsum_add_sum(&a->cell[id].sum, &c->sum);
		if (st == PREP_OK)
			a->cell[id].rows += c->rows;
	}
	for (i = 0; st == PREP_OK && i < n; i++)
		a->rows += parts[i]->rows;
	free(all);
	return st;
}

prep_status
prep_weights_cell_map(const prep_weights *a, const prep_weights *part,
		      size_t *map)
{
	size_t j;
	prep_status st;

	for (j = 0; j < part->cells.n; j++) {
		prep_field key = prep_strset_key(&part->cells, j);

		/* a lookup that adds nothing changes nothing */
		st = prep_strset_lookup((prep_strset *)&a->cells, key.data,
					key.len, 0, &map[j], NULL);
		if (st != PREP_OK)
			return st;
	}
	return PREP_OK;
}
