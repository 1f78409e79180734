/*
 * fairness.c: per-group rates and group fairness metrics (see fairness.h
 * for the definitions and their sources).
 *
 * Groups come from prep_classes (classes.h), keyed by the group columns;
 * beside each class this module keeps its counts of rows by label and
 * prediction, the number of its first row (for the partials of
 * fairness_state.c), a copy of its values for the report and, with a
 * weight column, the exact sums of the weights of its four cells of
 * label and prediction (exactsum.h), rounded once when read, so that the
 * same rows give the same rates whatever their order or however they
 * were split and merged. Memory follows the number of groups. The sides
 * of the AIF360 metrics add the groups' rounded sums up in the order of
 * the groups with Neumaier's improved Kahan summation (Neumaier 1974,
 * "Rundungsfehleranalyse einiger Verfahren zur Summation endlicher
 * Summen", ZAMM 54).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "fairness_impl.h"
#include "gate.h"
#include "json.h"
#include "memcap.h"
#include "text.h"

/* The sums of a group's rates, in this order. */
enum { W, W_POS, W_NEG, W_SEL, W_TP, W_FP, NSUMS };

/*
 * num / den, or NAN (NA) when den is 0: a rate of nothing. A NAN
 * argument gives NAN too (NAN > 0 is false; NAN / x is NAN).
 */
static double
ratio(double num, double den)
{
	return den > 0 ? num / den : NAN;
}

prep_status
prep_fairness_new(const prep_fairness_params *p, prep_fairness **out)
{
	prep_fairness *f;
	size_t i, max = p->max_groups ? p->max_groups
				      : PREP_FAIRNESS_DEFAULT_MAX_GROUPS;
	prep_status st;

	*out = NULL;
	if (p->ngroups == 0 || max > ((size_t)1 << 31) ||
	    (p->positive == NULL && p->positive_len > 0))
		return PREP_ERR_ARG;
	f = calloc(1, sizeof *f);
	if (f == NULL)
		return PREP_ERR_NOMEM;
	f->cols = malloc(p->ngroups * sizeof *f->cols);
	f->positive = malloc(p->positive_len + 1);
	if (f->cols == NULL || f->positive == NULL) {
		prep_fairness_free(f);
		return PREP_ERR_NOMEM;
	}
	memcpy(f->cols, p->groups, p->ngroups * sizeof *f->cols);
	f->ncols = p->ngroups;
	for (i = 0; i < f->ncols; i++)
		if (f->cols[i] > f->maxcol)
			f->maxcol = f->cols[i];
	if (p->positive_len)
		memcpy(f->positive, p->positive, p->positive_len);
	f->positive[p->positive_len] = '\0';
	f->positive_len = p->positive_len;
	f->label = p->label;
	f->pred = p->pred;
	f->weight = p->weight;
	prep_buf_init(&f->values, 0);
	st = prep_classes_new(f->cols, f->ncols, -1, max, &f->classes);
	if (st != PREP_OK) {
		prep_fairness_free(f);
		return st;
	}
	*out = f;
	return PREP_OK;
}

void
prep_fairness_free(prep_fairness *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0;
	     f->wsum && f->classes && i < prep_fairness_groups(f) * NCELLS; i++)
		prep_exactsum_free(&f->wsum[i]);
	prep_classes_free(f->classes);
	prep_buf_free(&f->values);
	free(f->cols);
	free(f->positive);
	free(f->row);
	prep_memcap_free(f->g, f->cap * sizeof *f->g);
	prep_memcap_free(f->spans, f->cap * f->ncols * sizeof *f->spans);
	prep_memcap_free(f->wsum,
			 f->wsum ? f->cap * NCELLS * sizeof *f->wsum : 0);
	free(f);
}

static int
is_positive(const prep_fairness *f, const prep_field *v)
{
	return v->len == f->positive_len &&
	       memcmp(v->data, f->positive, v->len) == 0;
}

/* Room for one group more in g, spans and wsum. */
static prep_status
grow(prep_fairness *f)
{
	size_t n = f->cap ? f->cap * 2 : 64, nw = f->weight >= 0 ? NCELLS : 0;
	struct fairness_group *g;
	struct fairness_span *s;
	prep_exactsum *e;
	size_t more;
	prep_status st;

	if (prep_classes_count(f->classes) < f->cap)
		return PREP_OK;
	if (n > SIZE_MAX / (sizeof *g + sizeof *e * NCELLS) ||
	    n > SIZE_MAX / sizeof *s / f->ncols)
		return PREP_ERR_NOMEM;
	more =
	    (n - f->cap) * (sizeof *g + f->ncols * sizeof *s + nw * sizeof *e);
	if ((st = prep_memcap_take(more)) != PREP_OK)
		return st;
	if ((g = realloc(f->g, n * sizeof *g)) != NULL)
		f->g = g;
	if (g != NULL &&
	    (s = realloc(f->spans, n * f->ncols * sizeof *s)) != NULL)
		f->spans = s;
	if (g == NULL || s == NULL ||
	    (nw && (e = realloc(f->wsum, n * nw * sizeof *e)) == NULL)) {
		prep_memcap_give(more);
		return PREP_ERR_NOMEM;
	}
	if (nw) {
		memset(e + f->cap * nw, 0, (n - f->cap) * nw * sizeof *e);
		f->wsum = e;
	}
	f->cap = n;
	return PREP_OK;
}

/*
 * The group of row (whose fields cover the group columns), added when
 * new with first row first. The buffers are made big enough before
 * prep_classes_add, the last step that can fail, so that a refused group
 * changes nothing.
 */
static prep_status
group_of_row(prep_fairness *f, const prep_field *row, uint64_t first,
	     size_t *id, int *added)
{
	size_t i, before, need = 0;
	struct fairness_group *g;
	prep_status st;

	if ((st = grow(f)) != PREP_OK)
		return st;
	for (i = 0; i < f->ncols; i++) {
		size_t len = row[f->cols[i]].len;

		if (len >= PREP_BUF_DEFAULT_MAX - need)
			return PREP_ERR_LIMIT;
		need += len + 1;
	}
	if ((st = prep_buf_reserve(&f->values, need)) != PREP_OK)
		return st;
	before = prep_classes_count(f->classes);
	if ((st = prep_classes_add(f->classes, row, id)) != PREP_OK)
		return st;
	*added = *id == before;
	if (!*added)
		return PREP_OK;
	/* a new group: keep its values for the report */
	g = &f->g[*id];
	memset(g, 0, sizeof *g);
	g->first = first;
	for (i = 0; i < f->ncols; i++) {
		const prep_field *v = &row[f->cols[i]];
		struct fairness_span *sp = &f->spans[*id * f->ncols + i];

		sp->off = f->values.len;
		sp->len = v->len;
		if (v->len)
			memcpy(f->values.data + f->values.len, v->data, v->len);
		f->values.len += v->len;
		f->values.data[f->values.len++] = '\0';
	}
	return PREP_OK;
}

prep_status
fairness_group_at(prep_fairness *f, const prep_field *values, uint64_t first,
		  size_t *id, int *added)
{
	size_t i;

	if (f->row == NULL &&
	    (f->row = calloc(f->maxcol + 1, sizeof *f->row)) == NULL)
		return PREP_ERR_NOMEM;
	for (i = 0; i < f->ncols; i++)
		f->row[f->cols[i]] = values[i];
	return group_of_row(f, f->row, first, id, added);
}

/*
 * Count one row. The weight is read and the group found or added before
 * anything is counted, so that a refused row changes nothing (but for a
 * lack of memory for its sum of weights, which ends the run).
 */
prep_status
prep_fairness_add(prep_fairness *f, const prep_field *row)
{
	return prep_fairness_add_at(f, row, f->rows + 1);
}

prep_status
prep_fairness_add_at(prep_fairness *f, const prep_field *row, uint64_t first)
{
	double w = 1;
	size_t id;
	int y, yhat, added;
	struct fairness_group *g;
	prep_status st;

	if (f->weight >= 0) {
		const prep_field *wf = &row[f->weight];

		st = prep_parse_number(wf->data, wf->len, &w);
		if (st != PREP_OK)
			return st;
		if (!(w >= 0) || w > PREP_FAIRNESS_MAX_WEIGHT)
			return PREP_ERR_RANGE;
		w = fabs(w); /* -0 reads as 0 */
	}
	if ((st = group_of_row(f, row, first, &id, &added)) != PREP_OK)
		return st;
	y = is_positive(f, &row[f->label]);
	yhat = f->pred >= 0 ? is_positive(f, &row[f->pred]) : y;
	if (f->weight >= 0) {
		st = prep_exactsum_add(
		    &f->wsum[id * NCELLS + (yhat ? (y ? CELL_TP : CELL_FP)
						 : (y ? CELL_FN : CELL_TN))],
		    w);
		if (st != PREP_OK)
			return st;
	}
	g = &f->g[id];
	g->n++;
	g->n_pos += (uint64_t)y;
	g->n_sel += (uint64_t)yhat;
	g->n_tp += (uint64_t)(y && yhat);
	f->rows++;
	return PREP_OK;
}

size_t
prep_fairness_groups(const prep_fairness *f)
{
	return prep_classes_count(f->classes);
}

int
prep_fairness_has_pred(const prep_fairness *f)
{
	return f->pred >= 0;
}

prep_status
prep_fairness_group_values(const prep_fairness *f, size_t id,
			   prep_field *values)
{
	size_t i;

	if (id >= prep_fairness_groups(f))
		return PREP_ERR_ARG;
	for (i = 0; i < f->ncols; i++) {
		const struct fairness_span *s = &f->spans[id * f->ncols + i];

		values[i].data = f->values.data + s->off;
		values[i].len = s->len;
	}
	return PREP_OK;
}

/*
 * The sums of group id, in the order W .. W_FP: its counts of rows, or
 * its cells' exact sums of weights, each sum of cells rounded once.
 */
static void
group_sums(const prep_fairness *f, size_t id, double v[NSUMS])
{
	const struct fairness_group *g = &f->g[id];
	const prep_exactsum *c = f->wsum ? &f->wsum[id * NCELLS] : NULL;
	const prep_exactsum *all[4], *pos[2], *neg[2], *sel[2];

	if (f->weight < 0) {
		v[W] = (double)g->n;
		v[W_POS] = (double)g->n_pos;
		v[W_NEG] = (double)(g->n - g->n_pos);
		v[W_SEL] = (double)g->n_sel;
		v[W_TP] = (double)g->n_tp;
		v[W_FP] = (double)(g->n_sel - g->n_tp);
		return;
	}
	all[0] = pos[0] = sel[0] = &c[CELL_TP];
	all[1] = neg[0] = sel[1] = &c[CELL_FP];
	all[2] = pos[1] = &c[CELL_FN];
	all[3] = neg[1] = &c[CELL_TN];
	v[W] = prep_exactsum_value_sum(all, 4);
	v[W_POS] = prep_exactsum_value_sum(pos, 2);
	v[W_NEG] = prep_exactsum_value_sum(neg, 2);
	v[W_SEL] = prep_exactsum_value_sum(sel, 2);
	v[W_TP] = prep_exactsum_value(&c[CELL_TP]);
	v[W_FP] = prep_exactsum_value(&c[CELL_FP]);
}

/* Fill in the rates of r from its sums. */
static void
rates(const prep_fairness *f, const double v[NSUMS], prep_fairness_rates *r)
{
	r->w = v[W];
	r->w_pos = v[W_POS];
	r->w_sel = v[W_SEL];
	r->w_tp = v[W_TP];
	r->w_fp = v[W_FP];
	prep_fairness_rates_fill(r, v[W_NEG], f->pred >= 0);
}

void
prep_fairness_rates_fill(prep_fairness_rates *r, double w_neg, int has_pred)
{
	r->base_rate = ratio(r->w_pos, r->w);
	r->selection_rate = ratio(r->w_sel, r->w);
	if (has_pred) {
		r->tpr = ratio(r->w_tp, r->w_pos);
		r->fpr = ratio(r->w_fp, w_neg);
		r->precision = ratio(r->w_tp, r->w_sel);
	} else {
		r->tpr = r->fpr = r->precision = NAN;
	}
}

/* The counts and rates of group id, which exists. */
static void
group_rates(const prep_fairness *f, size_t id, prep_fairness_rates *r)
{
	const struct fairness_group *g = &f->g[id];
	double v[NSUMS];

	r->n = g->n;
	r->n_pos = g->n_pos;
	r->n_sel = g->n_sel;
	group_sums(f, id, v);
	rates(f, v, r);
}

prep_status
prep_fairness_group_rates(const prep_fairness *f, size_t id,
			  prep_fairness_rates *r)
{
	if (id >= prep_fairness_groups(f))
		return PREP_ERR_ARG;
	group_rates(f, id, r);
	return PREP_OK;
}

/* The counts and rates of every group but skip (-1: of every group). */
static void
side(const prep_fairness *f, long skip, prep_fairness_rates *r)
{
	prep_csum sum[NSUMS];
	double v[NSUMS];
	size_t i, k, n = prep_fairness_groups(f);

	memset(sum, 0, sizeof sum);
	r->n = r->n_pos = r->n_sel = 0;
	for (i = 0; i < n; i++) {
		if ((long)i == skip)
			continue;
		r->n += f->g[i].n;
		r->n_pos += f->g[i].n_pos;
		r->n_sel += f->g[i].n_sel;
		group_sums(f, i, v);
		for (k = 0; k < NSUMS; k++)
			prep_csum_add(&sum[k], v[k]);
	}
	for (k = 0; k < NSUMS; k++)
		v[k] = prep_csum_value(&sum[k]);
	rates(f, v, r);
}

void
prep_fairness_total(const prep_fairness *f, prep_fairness_rates *r)
{
	side(f, -1, r);
}

prep_status
prep_fairness_find(const prep_fairness *f, const prep_field *values, size_t *id)
{
	prep_field *row;
	size_t i;
	prep_status st;

	if (f->maxcol >= SIZE_MAX / sizeof *row)
		return PREP_ERR_NOMEM;
	row = calloc(f->maxcol + 1, sizeof *row);
	if (row == NULL)
		return PREP_ERR_NOMEM;
	for (i = 0; i < f->ncols; i++)
		row[f->cols[i]] = values[i];
	st = prep_classes_find(f->classes, row, id);
	free(row);
	return st;
}

void
prep_fairness_name_free(prep_fairness_name *n)
{
	free(n->colon);
	free(n->comma);
	n->colon = n->comma = NULL;
}

/* Read text in one way into *v, or free *v when it does not split so. */
static void
name_reading(const char *text, char sep, size_t ngroups, prep_field **v)
{
	if (prep_classes_split_name(text, strlen(text), sep, *v, ngroups) !=
	    PREP_OK) {
		free(*v);
		*v = NULL;
	}
}

prep_status
prep_fairness_name_parse(const char *text, size_t ngroups,
			 prep_fairness_name *n)
{
	n->colon = calloc(ngroups ? ngroups : 1, sizeof *n->colon);
	n->comma = calloc(ngroups ? ngroups : 1, sizeof *n->comma);
	if (n->colon == NULL || n->comma == NULL) {
		prep_fairness_name_free(n);
		return PREP_ERR_NOMEM;
	}
	if (ngroups == 1) {
		n->comma[0].data = text;
		n->comma[0].len = strlen(text);
		free(n->colon);
		n->colon = NULL;
		return PREP_OK;
	}
	name_reading(text, ':', ngroups, &n->colon);
	name_reading(text, ',', ngroups, &n->comma);
	return n->colon || n->comma ? PREP_OK : PREP_ERR_VALUE;
}

prep_status
prep_fairness_name_find(const prep_fairness *f, const prep_fairness_name *n,
			size_t *id)
{
	prep_status sa = PREP_ERR_NOT_FOUND, sb = PREP_ERR_NOT_FOUND;
	size_t a = 0, b = 0;

	if (n->colon)
		sa = prep_fairness_find(f, n->colon, &a);
	if (n->comma)
		sb = prep_fairness_find(f, n->comma, &b);
	if (sa != PREP_OK && sa != PREP_ERR_NOT_FOUND)
		return sa;
	if (sb != PREP_OK && sb != PREP_ERR_NOT_FOUND)
		return sb;
	if (sa == PREP_OK && sb == PREP_OK && a != b)
		return PREP_ERR_ARG;
	*id = sa == PREP_OK ? a : b;
	return sa == PREP_OK ? PREP_OK : sb;
}

static void
range_add(struct prep_fairness_range *r, double v)
{
	if (isnan(v)) {
		r->na = 1;
		return;
	}
	if (!r->seen || v < r->lo)
		r->lo = v;
	if (!r->seen || v > r->hi)
		r->hi = v;
	r->seen = 1;
}

/* max - min, or NAN. */
static double
range_diff(const struct prep_fairness_range *r)
{
	return r->na || !r->seen ? NAN : r->hi - r->lo;
}

/* NAN stays NAN through fmax, which would drop it: be explicit. */
static double
max_na(double a, double b)
{
	return isnan(a) || isnan(b) ? NAN : a > b ? a : b;
}

void
prep_fairness_over_init(prep_fairness_over *o)
{
	memset(o, 0, sizeof *o);
}

void
prep_fairness_over_add(prep_fairness_over *o, const prep_fairness_rates *r)
{
	range_add(&o->sr, r->selection_rate);
	range_add(&o->tpr, r->tpr);
	range_add(&o->fpr, r->fpr);
}

void
prep_fairness_over_end(const prep_fairness_over *o, prep_fairness_summary *s)
{
	double dt = range_diff(&o->tpr), df = range_diff(&o->fpr);

	s->disparate_impact =
	    o->sr.na || !o->sr.seen ? NAN : ratio(o->sr.lo, o->sr.hi);
	s->statistical_parity_difference = range_diff(&o->sr);
	s->equal_opportunity_difference = dt;
	s->average_odds_difference = (df + dt) / 2;
	s->equalized_odds_difference = max_na(dt, df);
}

/* Fairlearn's forms over every group (see fairness.h). */
static void
over_groups(const prep_fairness *f, prep_fairness_summary *s)
{
	prep_fairness_over o;
	prep_fairness_rates r;
	size_t i, n = prep_fairness_groups(f);

	prep_fairness_over_init(&o);
	for (i = 0; i < n; i++) {
		group_rates(f, i, &r);
		prep_fairness_over_add(&o, &r);
	}
	prep_fairness_over_end(&o, s);
}

/* AIF360's forms, privileged group p against the rest (see fairness.h). */
static void
against(const prep_fairness *f, size_t p, prep_fairness_summary *s)
{
	prep_fairness_rates u, v;
	double dt, df;

	side(f, (long)p, &u);
	group_rates(f, p, &v); /* p < groups, checked by the caller */
	/* NAN in, NAN out: ratio() and the differences carry NA through */
	s->disparate_impact = ratio(u.selection_rate, v.selection_rate);
	s->statistical_parity_difference = u.selection_rate - v.selection_rate;
	dt = u.tpr - v.tpr;
	df = u.fpr - v.fpr;
	s->equal_opportunity_difference = dt;
	s->average_odds_difference = (df + dt) / 2;
	s->equalized_odds_difference = max_na(fabs(dt), fabs(df));
}

prep_status
prep_fairness_summarize(const prep_fairness *f, long privileged,
			prep_fairness_summary *s)
{
	if (privileged >= 0 && (size_t)privileged >= prep_fairness_groups(f))
		return PREP_ERR_ARG;
	if (privileged >= 0)
		against(f, (size_t)privileged, s);
	else
		over_groups(f, s);
	return PREP_OK;
}

unsigned
prep_fairness_check(const prep_fairness_summary *s,
		    const prep_fairness_gates *g)
{
	unsigned fail = 0;

	/* with gate.h's slack; a NAN metric fails */
	if (g->min_di_set &&
	    !prep_gate_at_least(s->disparate_impact, g->min_di))
		fail |= PREP_FAIRNESS_FAIL_DI;
	if (g->max_spd_set &&
	    !prep_gate_at_most(fabs(s->statistical_parity_difference),
			       g->max_spd))
		fail |= PREP_FAIRNESS_FAIL_SPD;
	if (g->max_eod_set &&
	    !prep_gate_at_most(fabs(s->equal_opportunity_difference),
			       g->max_eod))
		fail |= PREP_FAIRNESS_FAIL_EOD;
	return fail;
}

/* ---- reports ---- */

/* The rate columns of the table, in order; the last three need -p. */
static const char *const rate_names[] = {
    "base_rate", "selection_rate", "tpr", "fpr", "precision",
};

#define NRATES (sizeof rate_names / sizeof rate_names[0])

/* The metrics, in the order of prep_fairness_summary. */
static const char *const metric_names[] = {
    "disparate_impact",
    "statistical_parity_difference",
    "equal_opportunity_difference",
    "average_odds_difference",
    "equalized_odds_difference",
};

#define NMETRICS (sizeof metric_names / sizeof metric_names[0])

static size_t
nrates(const prep_fairness *f)
{
	return f->pred >= 0 ? NRATES : 2;
}

/* The rates of r in table order. */
static void
rate_values(const prep_fairness_rates *r, double v[NRATES])
{
	v[0] = r->base_rate;
	v[1] = r->selection_rate;
	v[2] = r->tpr;
	v[3] = r->fpr;
	v[4] = r->precision;
}

static void
metric_values(const prep_fairness_summary *s, double v[NMETRICS])
{
	v[0] = s->disparate_impact;
	v[1] = s->statistical_parity_difference;
	v[2] = s->equal_opportunity_difference;
	v[3] = s->average_odds_difference;
	v[4] = s->equalized_odds_difference;
}

static int
gated(const prep_fairness_gates *g)
{
	return g && (g->min_di_set || g->max_spd_set || g->max_eod_set);
}

static prep_status
put_str(prep_writer *w, const char *s)
{
	return prep_writer_field(w, s, strlen(s));
}

static prep_status
table_header(const prep_fairness *f, const prep_field *names, prep_writer *w)
{
	size_t i;
	prep_status st = PREP_OK;

	for (i = 0; i < f->ncols && st == PREP_OK; i++)
		st = prep_writer_field(w, names[i].data, names[i].len);
	if (st == PREP_OK)
		st = put_str(w, "n");
	for (i = 0; i < nrates(f) && st == PREP_OK; i++)
		st = put_str(w, rate_names[i]);
	return st == PREP_OK ? prep_writer_end_row(w) : st;
}

static prep_status
table_row(const prep_fairness *f, size_t id, prep_writer *w)
{
	const struct fairness_span *sp = &f->spans[id * f->ncols];
	prep_fairness_rates r;
	char buf[64];
	double v[NRATES];
	size_t i;
	prep_status st = PREP_OK;

	for (i = 0; i < f->ncols && st == PREP_OK; i++)
		st =
		    prep_writer_field(w, f->values.data + sp[i].off, sp[i].len);
	if (st != PREP_OK)
		return st;
	group_rates(f, id, &r);
	(void)snprintf(buf, sizeof buf, "%llu", (unsigned long long)r.n);
	st = put_str(w, buf);
	rate_values(&r, v);
	for (i = 0; i < nrates(f) && st == PREP_OK; i++)
		st = put_str(w, prep_figure_text(v[i], buf, sizeof buf));
	return st == PREP_OK ? prep_writer_end_row(w) : st;
}

prep_status
prep_fairness_report_table(const prep_fairness *f, const prep_field *names,
			   prep_writer *w)
{
	size_t id;
	prep_status st = PREP_OK;

	if (names)
		st = table_header(f, names, w);
	for (id = 0; id < prep_fairness_groups(f) && st == PREP_OK; id++)
		st = table_row(f, id, w);
	return st;
}

/* The object of group id in the JSON report. */
static json_t *
json_group(const prep_fairness *f, const prep_field *names, size_t id, int *ok)
{
	const struct fairness_span *sp = &f->spans[id * f->ncols];
	json_t *o = json_object();
	prep_fairness_rates r;
	double v[NRATES];
	size_t i;

	for (i = 0; i < f->ncols; i++)
		prep_json_setn(
		    o, names[i].data, names[i].len,
		    prep_json_string(f->values.data + sp[i].off, sp[i].len),
		    ok);
	group_rates(f, id, &r);
	prep_json_set(o, "n", json_integer((json_int_t)r.n), ok);
	rate_values(&r, v);
	for (i = 0; i < nrates(f); i++)
		prep_json_set(o, rate_names[i], prep_json_number(v[i]), ok);
	return o;
}

prep_status
prep_fairness_report_json(const prep_fairness *f, const prep_field *names,
			  const prep_fairness_summary *s,
			  const prep_fairness_gates *g, prep_writer *w)
{
	json_t *o = json_object(), *groups = json_array();
	double v[NMETRICS];
	size_t i, id;
	int ok = 1;

	metric_values(s, v);
	for (i = 0; i < NMETRICS; i++)
		prep_json_set(o, metric_names[i], prep_json_number(v[i]), &ok);
	for (id = 0; f && id < prep_fairness_groups(f); id++)
		prep_json_append(groups, json_group(f, names, id, &ok), &ok);
	prep_json_set(o, "groups", groups, &ok);
	if (gated(g))
		prep_json_set(o, "satisfied",
			      json_boolean(prep_fairness_check(s, g) == 0),
			      &ok);
	return prep_json_write(o, ok, w);
}

prep_status
prep_fairness_report_metrics(FILE *out, const prep_fairness_summary *s,
			     const prep_fairness_gates *g)
{
	char buf[64];
	double v[NMETRICS];
	size_t i;
	int bad = 0;

	metric_values(s, v);
	for (i = 0; i < NMETRICS; i++)
		bad |= fprintf(out, "%s: %s\n", metric_names[i],
			       prep_figure_text(v[i], buf, sizeof buf)) < 0;
	if (gated(g))
		bad |=
		    fprintf(out, "satisfied: %s\n",
			    prep_fairness_check(s, g) == 0 ? "yes" : "no") < 0;
	return bad ? PREP_ERR_IO : PREP_OK;
}

static int
field_is(const prep_field *f, const char *s)
{
	return f->len == strlen(s) && memcmp(f->data, s, f->len) == 0;
}

static int
field_eq(const prep_field *a, const prep_field *b)
{
	return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

prep_status
prep_fairness_json_names(const prep_field *names, size_t ngroups, size_t *bad,
			 size_t *other)
{
	size_t i, j, nchars;

	for (i = 0; i < ngroups; i++) {
		const prep_field *x = &names[i];

		*bad = i;
		*other = ngroups;
		if (prep_utf8_count(x->data, x->len, &nchars) != PREP_OK ||
		    memchr(x->data, '\0', x->len) != NULL)
			return PREP_ERR_UTF8;
		for (j = 0; j < NRATES; j++)
			if (field_is(x, rate_names[j]))
				return PREP_ERR_ARG;
		if (field_is(x, "n"))
			return PREP_ERR_ARG;
		for (j = 0; j < i; j++)
			if (field_eq(x, &names[j])) {
				*other = j;
				return PREP_ERR_ARG;
			}
	}
	return PREP_OK;
}

prep_status
prep_fairness_json_group(const prep_fairness *f, size_t id, size_t *bad)
{
	const struct fairness_span *sp;
	size_t i, nchars;

	if (id >= prep_fairness_groups(f))
		return PREP_ERR_ARG;
	sp = &f->spans[id * f->ncols];
	for (i = 0; i < f->ncols; i++)
		if (prep_utf8_count(f->values.data + sp[i].off, sp[i].len,
				    &nchars) != PREP_OK) {
			*bad = i;
			return PREP_ERR_UTF8;
		}
	return PREP_OK;
}
