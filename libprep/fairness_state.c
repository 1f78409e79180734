/*
 * fairness_state.c: a table of group rates as JSON and back, and the
 * merge of two tables (fairness_state.h).
 *
 * A group's four cells of label and prediction are its counts (n, n_pos,
 * n_sel, n_tp of fairness_impl.h) and, with a weight column, its four
 * exact sums. A table read from a state takes its groups in the order of
 * their first rows, so that its ids are those of first appearance, as if
 * its rows had been counted; a merge keeps that order by taking the later
 * table's new groups after the earlier table's, in the later table's
 * order.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fairness_impl.h"
#include "fairness_state.h"
#include "par.h"
#include "json.h"
#include "memcap.h"
#include "partial.h"

/* The most group columns: the fields of a record. */
#define MAX_NAMES PREP_CSV_DEFAULT_MAX_FIELDS

static const char *const cell_names[NCELLS] = {"tp", "fp", "fn", "tn"};
static const char *const sum_names[NCELLS] = {"w_tp", "w_fp", "w_fn", "w_tn"};

/* The values of group id, into v[0 .. ncols). */
static void
group_values(const prep_fairness *f, size_t id, prep_field *v)
{
	size_t i;

	for (i = 0; i < f->ncols; i++) {
		v[i].data = f->values.data + f->spans[id * f->ncols + i].off;
		v[i].len = f->spans[id * f->ncols + i].len;
	}
}

/* The rows of group g in its four cells. */
static void
cells_of(const struct fairness_group *g, uint64_t c[NCELLS])
{
	c[CELL_TP] = g->n_tp;
	c[CELL_FP] = g->n_sel - g->n_tp;
	c[CELL_FN] = g->n_pos - g->n_tp;
	c[CELL_TN] = g->n - g->n_pos - c[CELL_FP];
}

/* ---- writing ---- */

struct by_values {
	const prep_fairness *f;
	prep_field *v; /* the group's values, f->ncols of them */
	size_t id;
};

static int
by_values_cmp(const void *a, const void *b)
{
	const struct by_values *x = a, *y = b;

	return prep_partial_values_cmp(x->v, y->v, x->f->ncols);
}

static json_t *
group_json(const prep_fairness *f, const struct by_values *e, int *ok)
{
	const struct fairness_group *g = &f->g[e->id];
	json_t *o = json_object(), *v = json_array();
	uint64_t c[NCELLS];
	size_t i;

	for (i = 0; i < f->ncols; i++)
		prep_json_append(v, prep_json_bytes(e->v[i].data, e->v[i].len),
				 ok);
	prep_json_set(o, "values", v, ok);
	prep_json_set(o, "first", json_integer((json_int_t)g->first), ok);
	cells_of(g, c);
	for (i = 0; i < NCELLS; i++)
		prep_json_set(o, cell_names[i], json_integer((json_int_t)c[i]),
			      ok);
	for (i = 0; f->weight >= 0 && i < NCELLS; i++)
		prep_json_set(o, sum_names[i],
			      prep_exactsum_json(&f->wsum[e->id * NCELLS + i]),
			      ok);
	return o;
}

json_t *
prep_fairness_state(const prep_fairness *f, const prep_partial_input *in)
{
	json_t *o, *groups;
	size_t i, n = f ? prep_fairness_groups(f) : 0;
	struct by_values *e = NULL;
	prep_field *v = NULL;
	int ok = 1;

	if ((f != NULL) != (in->names != NULL) || (f && in->nnames != f->ncols))
		return NULL;
	o = json_object();
	groups = json_array();
	prep_json_set(o, "delimiter", prep_partial_delim_json(in->delim), &ok);
	prep_json_set(o, "group_columns",
		      f ? prep_partial_names_json(in->names, in->nnames)
			: json_null(),
		      &ok);
	prep_json_set(o, "rows", json_integer(f ? (json_int_t)f->rows : 0),
		      &ok);
	if (n && ((e = malloc(n * sizeof *e)) == NULL ||
		  (v = malloc(n * f->ncols * sizeof *v)) == NULL))
		ok = 0;
	for (i = 0; ok && i < n; i++) {
		e[i].f = f;
		e[i].v = v + i * f->ncols;
		e[i].id = i;
		group_values(f, i, e[i].v);
	}
	if (ok && n)
		qsort(e, n, sizeof *e, by_values_cmp);
	for (i = 0; ok && i < n; i++)
		prep_json_append(groups, group_json(f, &e[i], &ok), &ok);
	free(e);
	free(v);
	prep_json_set(o, "groups", groups, &ok);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ---- reading ---- */

/* A group read: its values in the arena, its counts and sums. */
struct rd_group {
	size_t at; /* its first value's span in rd.spans */
	uint64_t first, cell[NCELLS];
	prep_exactsum sum[NCELLS];
};

struct rd {
	prep_state_refusal ref; /* the first refusal */
	prep_buf arena;		/* the groups' values */
	struct fairness_span *spans;
	struct rd_group *group;
	size_t ngroups, cap;
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

/* The values of group i of r, into v[0 .. n). */
static void
rd_values(const struct rd *r, size_t i, size_t n, prep_field *v)
{
	size_t k;

	for (k = 0; k < n; k++) {
		v[k].data = r->arena.data ? r->arena.data +
						r->spans[r->group[i].at + k].off
					  : "";
		v[k].len = r->spans[r->group[i].at + k].len;
	}
}

/* A prep_json_bytes value j, appended to the arena as span *sp. */
static int
read_value(struct rd *r, const json_t *j, struct fairness_span *sp)
{
	const char *w;
	char *s;
	size_t len;
	prep_status st;

	if (!json_is_string(j))
		return bad(r, "bad value of a group");
	w = prep_json_bytes_read(json_string_value(j), json_string_length(j),
				 &s, &len);
	if (w != NULL)
		return bad(r, w);
	if (s == NULL)
		return fail(r, PREP_ERR_NOMEM, NULL);
	sp->off = r->arena.len;
	sp->len = len;
	st = prep_buf_append(&r->arena, s, len);
	free(s);
	if (st != PREP_OK)
		return fail(r, st,
			    st == PREP_ERR_LIMIT ? "values too long" : NULL);
	return 0;
}

/* One group of the state into r->group[r->ngroups]. */
static int
read_group(struct rd *r, const json_t *o, size_t ncols, int has_pred,
	   int weighted, uint64_t rows, prep_field *prev, prep_field *cur)
{
	static const char *const keys[] = {"values", "first", "tp",   "fp",
					   "fn",     "tn",    "w_tp", "w_fp",
					   "w_fn",   "w_tn"};
	const json_t *v = json_object_get(o, "values");
	struct rd_group *g = &r->group[r->ngroups];
	size_t i, nkeys = weighted ? 10 : 6;
	uint64_t n = 0;
	prep_status st;
	double s;

	if (!json_is_object(o) || json_object_size(o) != nkeys ||
	    !prep_json_only_keys(o, keys, nkeys) || !json_is_array(v) ||
	    json_array_size(v) != ncols)
		return bad(r, "bad group");
	if (prep_json_uint(json_object_get(o, "first"), 1, rows, &g->first))
		return bad(r, "bad first row of a group");
	for (i = 0; i < NCELLS; i++) {
		if (prep_json_uint(json_object_get(o, cell_names[i]), 0, rows,
				   &g->cell[i]) != 0)
			return bad(r, "bad count of a group");
		n += g->cell[i]; /* 4 counts <= 2^53 each: no overflow */
	}
	if (n == 0 || n > rows)
		return bad(r, "bad count of a group");
	if (!has_pred && (g->cell[CELL_FP] || g->cell[CELL_FN]))
		return bad(r, "predictions apart from the labels, without a "
			      "prediction column");
	for (i = 0; weighted && i < NCELLS; i++) {
		st = prep_exactsum_from_json(json_object_get(o, sum_names[i]),
					     &g->sum[i]);
		if (st == PREP_ERR_VALUE)
			return bad(r, "bad sum of weights of a group");
		if (st != PREP_OK)
			return fail(r, st, NULL);
		s = prep_exactsum_value(&g->sum[i]);
		if (s > (double)g->cell[i] * PREP_FAIRNESS_MAX_WEIGHT)
			return bad(r, "a sum of weights larger than its rows "
				      "can make");
	}
	g->at = r->ngroups * ncols;
	for (i = 0; i < ncols; i++)
		if (read_value(r, json_array_get(v, i), &r->spans[g->at + i]))
			return -1;
	r->ngroups++;
	/* in the order of their values, each once */
	rd_values(r, r->ngroups - 1, ncols, cur);
	if (r->ngroups > 1) {
		rd_values(r, r->ngroups - 2, ncols, prev);
		if (prep_partial_values_cmp(prev, cur, ncols) >= 0)
			return bad(r, "groups out of order, or a group twice");
	}
	return 0;
}

static void
rd_free(struct rd *r)
{
	size_t i, k;

	/* those of a group refused half-read too */
	for (i = 0; r->group && i < r->cap; i++)
		for (k = 0; k < NCELLS; k++)
			prep_exactsum_free(&r->group[i].sum[k]);
	prep_memcap_free(r->group, r->cap * sizeof *r->group);
	free(r->spans);
	prep_buf_free(&r->arena);
}

/* The state's groups, their counts adding up to rows. */
static int
read_groups(struct rd *r, const json_t *groups, size_t ncols, int has_pred,
	    int weighted, size_t max, uint64_t rows)
{
	size_t i, n = json_array_size(groups);
	uint64_t total = 0, k;
	prep_field *v;
	prep_status st;

	if (!json_is_array(groups) || n > rows)
		return bad(r, "bad groups");
	if (n > max)
		return fail(r, PREP_ERR_LIMIT, "more groups than the cap");
	r->group = prep_memcap_calloc(n ? n : 1, sizeof *r->group, &st);
	if (r->group == NULL)
		return fail(r, st, NULL);
	r->cap = n ? n : 1;
	r->spans = calloc(n * ncols + 1, sizeof *r->spans);
	v = calloc(2 * ncols, sizeof *v);
	if (r->spans == NULL || v == NULL) {
		free(v);
		return fail(r, PREP_ERR_NOMEM, NULL);
	}
	for (i = 0; i < n; i++) {
		if (read_group(r, json_array_get(groups, i), ncols, has_pred,
			       weighted, rows, v, v + ncols) != 0)
			break;
		for (k = 0; k < NCELLS; k++)
			total += r->group[i].cell[k];
		if (total > rows) {
			bad(r, "the groups' counts do not add up to the rows");
			break;
		}
	}
	free(v);
	if (r->ref.st == PREP_OK && total != rows)
		bad(r, "the groups' counts do not add up to the rows");
	return r->ref.st == PREP_OK ? 0 : -1;
}

/* A group read, by its first row. */
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

/* A table of r's groups, taken in the order of their first rows. */
static int
build(struct rd *r, const prep_fairness_params *p, uint64_t rows,
      prep_fairness **out)
{
	struct by_first *order;
	struct fairness_group *g;
	prep_fairness *f = NULL;
	prep_field *v;
	size_t i, k, id;
	prep_status st;
	int added;

	order = malloc((r->ngroups ? r->ngroups : 1) * sizeof *order);
	v = calloc(p->ngroups ? p->ngroups : 1, sizeof *v);
	st = order && v ? prep_fairness_new(p, &f) : PREP_ERR_NOMEM;
	if (st != PREP_OK) {
		free(order);
		free(v);
		return fail(r, st, NULL);
	}
	for (i = 0; i < r->ngroups; i++) {
		order[i].first = r->group[i].first;
		order[i].i = i;
	}
	qsort(order, r->ngroups, sizeof *order, by_first_cmp);
	for (i = 0; i < r->ngroups; i++) {
		struct rd_group *c = &r->group[order[i].i];

		if (i > 0 && order[i].first == order[i - 1].first) {
			bad(r, "two groups of the same first row");
			break;
		}
		rd_values(r, order[i].i, p->ngroups, v);
		st = fairness_group_at(f, v, c->first, &id, &added);
		if (st != PREP_OK) {
			fail(r, st,
			     st == PREP_ERR_LIMIT ? "more groups than the cap"
						  : NULL);
			break;
		}
		g = &f->g[id];
		g->n = c->cell[CELL_TP] + c->cell[CELL_FP] + c->cell[CELL_FN] +
		       c->cell[CELL_TN];
		g->n_pos = c->cell[CELL_TP] + c->cell[CELL_FN];
		g->n_sel = c->cell[CELL_TP] + c->cell[CELL_FP];
		g->n_tp = c->cell[CELL_TP];
		/* the sums are the table's now */
		for (k = 0; f->wsum && k < NCELLS; k++) {
			f->wsum[id * NCELLS + k] = c->sum[k];
			prep_exactsum_init(&c->sum[k]);
		}
	}
	free(order);
	free(v);
	if (r->ref.st != PREP_OK) {
		prep_fairness_free(f);
		return -1;
	}
	f->rows = rows;
	*out = f;
	return 0;
}

prep_status
prep_fairness_from_state(const json_t *state, int has_pred, int weighted,
			 const char *positive, size_t positive_len,
			 size_t max_groups, prep_fairness **out,
			 prep_partial_input *in, const char **why)
{
	static const char *const keys[] = {"delimiter", "group_columns", "rows",
					   "groups"};
	const json_t *names = json_object_get(state, "group_columns");
	const json_t *groups = json_object_get(state, "groups");
	prep_fairness_params p;
	size_t *cols = NULL, i;
	const char *w;
	struct rd r;
	uint64_t rows = 0;
	prep_status st;

	*out = NULL;
	memset(in, 0, sizeof *in);
	memset(&r, 0, sizeof r);
	prep_buf_init(&r.arena, PREP_PARTIAL_MAX_BYTES);
	max_groups = max_groups ? max_groups : PREP_FAIRNESS_DEFAULT_MAX_GROUPS;
	has_pred = has_pred != 0;
	weighted = weighted != 0;
	if (!json_is_object(state) || json_object_size(state) != 4 ||
	    !prep_json_only_keys(state, keys, 4))
		bad(&r, "a member of the state is missing or unknown");
	else if ((w = prep_partial_delim_read(
		      json_object_get(state, "delimiter"), &in->delim)) != NULL)
		bad(&r, w);
	else if (prep_json_uint(json_object_get(state, "rows"), 0,
				PREP_FAIRNESS_STATE_MAX_ROWS, &rows) != 0)
		bad(&r, "bad rows");
	else if (json_is_null(names) && (rows != 0 || !json_is_array(groups) ||
					 json_array_size(groups) != 0))
		bad(&r, "an input without columns, with rows");
	else if (json_is_null(names))
		;
	else if ((st = prep_partial_names_read(names, NULL, MAX_NAMES, in,
					       &w)) != PREP_OK)
		fail(&r, st, w);
	else if ((cols = malloc(in->nnames * sizeof *cols)) == NULL)
		fail(&r, PREP_ERR_NOMEM, NULL);
	else if (read_groups(&r, groups, in->nnames, has_pred, weighted,
			     max_groups, rows) == 0) {
		for (i = 0; i < in->nnames; i++)
			cols[i] = i;
		memset(&p, 0, sizeof p);
		p.groups = cols;
		p.ngroups = in->nnames;
		p.label = in->nnames;
		p.pred = has_pred ? (long)in->nnames + 1 : -1;
		p.weight = weighted ? (long)in->nnames + 1 + has_pred : -1;
		p.positive = positive;
		p.positive_len = positive_len;
		p.max_groups = max_groups;
		build(&r, &p, rows, out);
	}
	free(cols);
	rd_free(&r);
	if (r.ref.st != PREP_OK) {
		prep_partial_input_free(in);
		*why = r.ref.why;
		return r.ref.st;
	}
	return PREP_OK;
}

/*
 * Add group i of b to a, as the group of values v whose first row is
 * first there (when new): its counts and sums of weights.
 */
static prep_status
add_group(prep_fairness *a, const prep_field *v, uint64_t first,
	  const prep_fairness *b, size_t i)
{
	const struct fairness_group *c = &b->g[i];
	struct fairness_group *g;
	size_t id, k;
	int added;
	prep_status st = fairness_group_at(a, v, first, &id, &added);

	for (k = 0; st == PREP_OK && a->wsum && k < NCELLS; k++)
		st = prep_exactsum_add_sum(&a->wsum[id * NCELLS + k],
					   &b->wsum[i * NCELLS + k]);
	if (st != PREP_OK)
		return st;
	g = &a->g[id];
	g->n += c->n;
	g->n_pos += c->n_pos;
	g->n_sel += c->n_sel;
	g->n_tp += c->n_tp;
	return PREP_OK;
}

prep_status
prep_fairness_merge(prep_fairness *a, const prep_fairness *b)
{
	size_t i, n = prep_fairness_groups(b);
	prep_field *v;
	prep_status st = PREP_OK;

	if (a->ncols != b->ncols || (a->pred >= 0) != (b->pred >= 0) ||
	    (a->weight >= 0) != (b->weight >= 0))
		return PREP_ERR_ARG;
	if (b->rows > PREP_FAIRNESS_STATE_MAX_ROWS - a->rows)
		return PREP_ERR_LIMIT;
	if ((v = calloc(a->ncols, sizeof *v)) == NULL)
		return PREP_ERR_NOMEM;
	for (i = 0; st == PREP_OK && i < n; i++) {
		const struct fairness_group *c = &b->g[i];

		group_values(b, i, v);
		st = add_group(a, v, a->rows + c->first, b, i);
	}
	free(v);
	if (st == PREP_OK)
		a->rows += b->rows;
	return st;
}

prep_status
prep_fairness_merge_places(prep_fairness *a, prep_fairness *const *parts,
			   size_t n, const uint64_t *base, size_t nbase)
{
	prep_par_first *all;
	size_t total = 0, i, j, k = 0;
	prep_field *v;
	prep_status st = PREP_OK;

	for (i = 0; i < n; i++) {
		const prep_fairness *b = parts[i];

		if (a->ncols != b->ncols || (a->pred >= 0) != (b->pred >= 0) ||
		    (a->weight >= 0) != (b->weight >= 0))
			return PREP_ERR_ARG;
		total += prep_fairness_groups(b);
	}
	all = malloc((total ? total : 1) * sizeof *all);
	v = calloc(a->ncols ? a->ncols : 1, sizeof *v);
	if (all == NULL || v == NULL) {
		free(all);
		free(v);
		return PREP_ERR_NOMEM;
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < prep_fairness_groups(parts[i]); j++) {
			all[k].first = parts[i]->g[j].first;
			all[k].part = i;
			all[k++].id = j;
		}
	qsort(all, total, sizeof *all, prep_par_first_cmp);
	for (k = 0; st == PREP_OK && k < total; k++) {
		const prep_fairness *b = parts[all[k].part];
		const struct fairness_group *c = &b->g[all[k].id];

		group_values(b, all[k].id, v);
		st = add_group(a, v, prep_par_row_number(c->first, base, nbase),
			       b, all[k].id);
	}
	for (i = 0; st == PREP_OK && i < n; i++)
		a->rows += parts[i]->rows;
	free(all);
	free(v);
	return st;
}
