/*
 * drift.c: comparing two profiles (drift.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "drift.h"
#include "drift_stats.h"
#include "gate.h"
#include "strset.h"

const char *const prep_drift_method_names[PREP_DRIFT_NMETHODS] = {
    "auto", "ks", "chi2", "wasserstein", "js", "psi", "hellinger"};

double
prep_drift_default_threshold(enum prep_drift_method m)
{
	switch (m) {
	case PREP_DRIFT_KS:
	case PREP_DRIFT_CHI2:
		return 0.05;
	case PREP_DRIFT_PSI:
		return 0.25;
	default:
		return 0.1;
	}
}

/* ---- what a column holds ---- */

static int
exact(const prep_profile_column *c)
{
	return c->exact && c->longs == 0;
}

static int
is_numeric(const prep_profile_column *c)
{
	return c->moments.n > 0 &&
	       c->moments.n == c->rows - c->empty; /* every value a number */
}

static enum prep_profile_type
main_type(const prep_profile_column *c)
{
	size_t t, best = PREP_PROFILE_TEXT;
	uint64_t most = 0;

	for (t = 0; t < PREP_PROFILE_NTYPES; t++)
		if (c->types[t] > most) {
			most = c->types[t];
			best = t;
		}
	return (enum prep_profile_type)best;
}

static double
rate(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : NAN;
}

/* Distinct values of both sides together: exact when both are. */
static double
distinct_union(const prep_profile_column *a, const prep_profile_column *b)
{
	double se, da, db;
	size_t id, other, n;
	prep_field k;

	if (exact(a) && exact(b)) {
		n = a->values.n;
		for (id = 0; id < b->values.n; id++) {
			k = prep_strset_key(&b->values, id);
			if (prep_strset_lookup((prep_strset *)&a->values,
					       k.data, k.len, 0, &other,
					       NULL) != PREP_OK)
				n++;
		}
		return (double)n;
	}
	da = prep_profile_distinct(a, &se);
	db = prep_profile_distinct(b, &se);
	return da > db ? da : db;
}

/* ---- numbers: a side's distribution ---- */

struct numdist {
	double *v, *w;
	size_t n;
	double err; /* rank error: 0 when exact */
};

static int
num_cmp(const void *a, const void *b)
{
	const double *x = a, *y = b;

	return (*x > *y) - (*x < *y);
}

static void
numdist_free(struct numdist *d)
{
	free(d->v);
	free(d->w);
}

static prep_status
numdist_of(const prep_profile_column *c, struct numdist *d)
{
	uint64_t *w = NULL;
	double *pairs, v;
	prep_field k;
	size_t i, n = 0;
	prep_status st;

	memset(d, 0, sizeof *d);
	if (!exact(c) && c->kll == NULL) /* no numbers */
		return PREP_OK;
	if (!exact(c)) {
		st = prep_kll_sorted(c->kll, &d->v, &w, &d->n);
		if (st != PREP_OK)
			return st;
		d->w = malloc((d->n ? d->n : 1) * sizeof *d->w);
		if (d->w == NULL) {
			free(w);
			numdist_free(d);
			return PREP_ERR_NOMEM;
		}
		for (i = 0; i < d->n; i++)
			d->w[i] = (double)w[i];
		free(w);
		d->err = prep_kll_rank_error(c->kll);
		return PREP_OK;
	}
	/* the exact values that read as numbers, sorted, equal ones merged */
	pairs = malloc((c->values.n ? c->values.n : 1) * 2 * sizeof *pairs);
	d->v = malloc((c->values.n ? c->values.n : 1) * sizeof *d->v);
	d->w = malloc((c->values.n ? c->values.n : 1) * sizeof *d->w);
	if (pairs == NULL || d->v == NULL || d->w == NULL) {
		free(pairs);
		numdist_free(d);
		return PREP_ERR_NOMEM;
	}
	for (i = 0; i < c->values.n; i++) {
		enum prep_profile_type t;

		k = prep_strset_key(&c->values, i);
		t = prep_profile_type_of(k.data, k.len, &v);
		if (t != PREP_PROFILE_INTEGER && t != PREP_PROFILE_NUMBER)
			continue;
		pairs[2 * n] = v;
		pairs[2 * n + 1] = (double)c->counts[i];
		n++;
	}
	qsort(pairs, n, 2 * sizeof *pairs, num_cmp);
	for (i = 0; i < n; i++) {
		if (d->n > 0 && d->v[d->n - 1] == pairs[2 * i]) {
			d->w[d->n - 1] += pairs[2 * i + 1];
			continue;
		}
		d->v[d->n] = pairs[2 * i];
		d->w[d->n] = pairs[2 * i + 1];
		d->n++;
	}
	free(pairs);
	return PREP_OK;
}

static double
numdist_total(const struct numdist *d)
{
	double s = 0;
	size_t i;

	for (i = 0; i < d->n; i++)
		s += d->w[i];
	return s;
}

/* Fraction of d at or below x. */
static double
numdist_cdf(const struct numdist *d, double total, double x)
{
	double s = 0;
	size_t i;

	for (i = 0; i < d->n && d->v[i] <= x; i++)
		s += d->w[i];
	return total > 0 ? s / total : NAN;
}

/* The q-quantile: the least value whose fraction at or below is >= q. */
static double
numdist_quantile(const struct numdist *d, double total, double q)
{
	double s = 0;
	size_t i;

	for (i = 0; i < d->n; i++) {
		s += d->w[i];
		if (s >= q * total)
			return d->v[i];
	}
	return d->n ? d->v[d->n - 1] : NAN;
}

/* ---- bins ---- */

struct bins {
	double *ref, *cur;
	size_t n, cap;
	double err;
	uint64_t unseen;
};

static prep_status
bins_grow(struct bins *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 16;
	double *r, *c;

	if (need <= b->cap)
		return PREP_OK;
	while (cap < need)
		cap *= 2;
	if ((r = realloc(b->ref, cap * sizeof *r)) == NULL)
		return PREP_ERR_NOMEM;
	b->ref = r;
	if ((c = realloc(b->cur, cap * sizeof *c)) == NULL)
		return PREP_ERR_NOMEM;
	b->cur = c;
	memset(b->ref + b->cap, 0, (cap - b->cap) * sizeof *r);
	memset(b->cur + b->cap, 0, (cap - b->cap) * sizeof *c);
	b->cap = cap;
	return PREP_OK;
}

static double
freq_err(const prep_profile_column *c)
{
	uint64_t n = c->rows - c->empty;

	if (c->exact || n == 0)
		return 0;
	return (double)prep_freq_error(c->freq) / (double)n;
}

/* One bin per value listed on either side, and one for the rest. */
static prep_status
value_bins(const prep_profile_column *r, const prep_profile_column *c,
	   struct bins *b)
{
	prep_freq_item *ri = NULL, *ci = NULL;
	size_t nr = 0, nc = 0, i, id;
	prep_strset keys;
	prep_status st;
	int added;

	prep_strset_init(&keys, 0);
	st = prep_profile_values(r, &ri, &nr);
	if (st == PREP_OK)
		st = prep_profile_values(c, &ci, &nc);
	if (st == PREP_OK)
		st = bins_grow(b, nr + nc + 1);
	for (i = 0; st == PREP_OK && i < nr; i++) {
		st = prep_strset_lookup(&keys, ri[i].data, ri[i].len, 1, &id,
					&added);
		if (st == PREP_OK)
			b->ref[id] += (double)ri[i].count;
	}
	for (i = 0; st == PREP_OK && i < nc; i++) {
		st = prep_strset_lookup(&keys, ci[i].data, ci[i].len, 1, &id,
					&added);
		if (st == PREP_OK) {
			b->cur[id] += (double)ci[i].count;
			if (added)
				b->unseen += ci[i].count;
		}
	}
	if (st == PREP_OK) {
		b->n = keys.n;
		b->ref[b->n] = (double)prep_profile_other(r);
		b->cur[b->n] = (double)prep_profile_other(c);
		if (b->ref[b->n] > 0 || b->cur[b->n] > 0)
			b->n++;
		b->err = freq_err(r) + freq_err(c);
	}
	free(ri);
	free(ci);
	prep_strset_free(&keys);
	return st;
}

/* The ten intervals between the reference's deciles. */
static prep_status
decile_bins(const struct numdist *r, const struct numdist *c, struct bins *b)
{
	double tr = numdist_total(r), tc = numdist_total(c), e[10] = {0}, q;
	double fr = 0, fc = 0, nr, nc;
	size_t i, ne = 0;
	prep_status st;

	for (i = 1; i <= 9; i++) {
		q = numdist_quantile(r, tr, (double)i / 10);
		if (ne == 0 || q > e[ne - 1])
			e[ne++] = q;
	}
	if ((st = bins_grow(b, ne + 1)) != PREP_OK)
		return st;
	for (i = 0; i < ne; i++) {
		nr = numdist_cdf(r, tr, e[i]);
		nc = numdist_cdf(c, tc, e[i]);
		b->ref[i] = (nr - fr) * tr;
		b->cur[i] = (nc - fc) * tc;
		fr = nr;
		fc = nc;
	}
	b->ref[ne] = (1 - fr) * tr;
	b->cur[ne] = (1 - fc) * tc;
	b->n = ne + 1;
	b->err = r->err + c->err;
	return PREP_OK;
}

/* ---- one column ---- */

static enum prep_drift_method
auto_method(const prep_profile_column *r, int numeric, double distinct)
{
	int continuous = numeric && distinct > PREP_DRIFT_FEW_VALUES;

	if (r->rows - r->empty <= PREP_DRIFT_SMALL)
		return continuous ? PREP_DRIFT_KS : PREP_DRIFT_CHI2;
	return continuous ? PREP_DRIFT_WASSERSTEIN : PREP_DRIFT_JS;
}

static prep_status
numeric_stat(const prep_profile_column *r, const prep_profile_column *c,
	     prep_drift_column *d)
{
	struct numdist a, b;
	prep_dist da, db;
	prep_status st;
	double e, sd, lo, hi, dd;

	if ((st = numdist_of(r, &a)) != PREP_OK)
		return st;
	if ((st = numdist_of(c, &b)) != PREP_OK) {
		numdist_free(&a);
		return st;
	}
	da.value = a.v;
	da.weight = a.w;
	da.n = a.n;
	db.value = b.v;
	db.weight = b.w;
	db.n = b.n;
	e = a.err + b.err;
	if (a.n == 0 || b.n == 0) {
		d->statistic = NAN;
	} else if (d->method == PREP_DRIFT_KS) {
		d->ks_d = prep_stat_ks(&da, &db);
		dd = d->ks_d - e > 0 ? d->ks_d - e : 0;
		d->statistic = prep_stat_ks_p(dd, r->moments.n, c->moments.n);
		d->error = e;
	} else {
		sd = sqrt(prep_moments_variance(&r->moments));
		if (!(sd >= PREP_DRIFT_MIN_SD))
			sd = PREP_DRIFT_MIN_SD;
		lo = fmin(r->moments.min, c->moments.min);
		hi = fmax(r->moments.max, c->moments.max);
		d->statistic = prep_stat_wasserstein(&da, &db) / sd;
		d->error = e * (hi - lo) / sd;
	}
	numdist_free(&a);
	numdist_free(&b);
	return PREP_OK;
}

static prep_status
binned_stat(const prep_profile_column *r, const prep_profile_column *c,
	    int by_value, prep_drift_column *d)
{
	struct bins b;
	struct numdist x, y;
	double stat, df, sr = 0, sc = 0;
	prep_status st;
	size_t i;

	memset(&b, 0, sizeof b);
	if (by_value)
		st = value_bins(r, c, &b);
	else {
		if ((st = numdist_of(r, &x)) != PREP_OK)
			return st;
		if ((st = numdist_of(c, &y)) == PREP_OK) {
			if (x.n > 0 && y.n > 0)
				st = decile_bins(&x, &y, &b);
			numdist_free(&y);
		}
		numdist_free(&x);
	}
	for (i = 0; i < b.n; i++) {
		sr += b.ref[i];
		sc += b.cur[i];
	}
	d->unseen = b.unseen;
	d->error = b.err;
	if (st != PREP_OK || !(sr > 0) || !(sc > 0)) {
		d->statistic = NAN;
	} else if (d->method == PREP_DRIFT_CHI2) {
		/* one bin on both sides: the same distribution */
		if (prep_stat_chi2(b.ref, b.cur, b.n, &stat, &df,
				   &d->statistic) != PREP_OK)
			d->statistic = 1;
	} else if (d->method == PREP_DRIFT_JS)
		d->statistic = prep_stat_js(b.ref, b.cur, b.n);
	else if (d->method == PREP_DRIFT_PSI)
		d->statistic =
		    prep_stat_psi(b.ref, b.cur, b.n, PREP_DRIFT_PSI_FLOOR);
	else
		d->statistic = prep_stat_hellinger(b.ref, b.cur, b.n);
	free(b.ref);
	free(b.cur);
	return st;
}

static prep_status
compare_column(const prep_profile_column *r, const prep_profile_column *c,
	       const prep_drift_options *o, prep_drift_column *d)
{
	double distinct;
	int continuous;
	enum prep_drift_method m = o->method;
	prep_status st;

	memset(d, 0, sizeof *d);
	d->name = r->name;
	d->name_len = r->name_len;
	d->numeric = is_numeric(r);
	d->missing_reference = rate(r->empty, r->rows);
	d->missing_current = rate(c->empty, c->rows);
	d->type_reference = main_type(r);
	d->type_current = main_type(c);
	d->type_changed = (r->rows > r->empty && c->rows > c->empty &&
			   d->type_reference != d->type_current) ||
			  (d->numeric && c->rows > c->empty && !is_numeric(c));
	d->ks_d = NAN;
	distinct = distinct_union(r, c);
	continuous = d->numeric && distinct > PREP_DRIFT_FEW_VALUES;
	if (m == PREP_DRIFT_AUTO ||
	    (!continuous &&
	     (m == PREP_DRIFT_KS || m == PREP_DRIFT_WASSERSTEIN))) {
		m = auto_method(r, d->numeric, distinct);
		if (!continuous &&
		    (m == PREP_DRIFT_KS || m == PREP_DRIFT_WASSERSTEIN))
			m = PREP_DRIFT_CHI2;
	}
	d->method = m;
	d->threshold =
	    o->threshold_set ? o->threshold : prep_drift_default_threshold(m);
	if (m == PREP_DRIFT_KS || m == PREP_DRIFT_WASSERSTEIN)
		st = numeric_stat(r, c, d);
	else
		st = binned_stat(r, c, !continuous, d);
	if (st != PREP_OK)
		return st;
	if (isnan(d->statistic)) /* a side without values of the kind */
		d->drifted = d->type_changed;
	else if (m == PREP_DRIFT_KS)
		d->drifted = d->statistic <= d->threshold;
	else if (m == PREP_DRIFT_CHI2)
		d->drifted = d->statistic < d->threshold;
	else
		d->drifted = d->statistic >= d->threshold;
	return PREP_OK;
}

/* ---- bias ---- */

static void
group_rates(const prep_profile *p, size_t id, int has_pred,
	    prep_fairness_rates *r)
{
	prep_profile_group_counts g;
	prep_field key;

	prep_profile_group(p, id, &g, &key);
	memset(r, 0, sizeof *r);
	r->n = g.n;
	r->n_pos = g.positives;
	r->n_sel = has_pred ? g.predicted : g.positives;
	r->w = (double)g.n;
	r->w_pos = (double)g.positives;
	r->w_sel = (double)r->n_sel;
	r->w_tp = (double)(has_pred ? g.tp : g.positives);
	r->w_fp = (double)(has_pred ? g.fp : 0);
	prep_fairness_rates_fill(r, (double)(g.n - g.positives), has_pred);
}

static void
no_rates(prep_fairness_rates *r)
{
	memset(r, 0, sizeof *r);
	r->base_rate = r->selection_rate = r->tpr = r->fpr = r->precision = NAN;
}

static prep_status
compare_groups(const prep_profile *ref, const prep_profile *cur,
	       prep_drift_result *res)
{
	size_t nr = prep_profile_ngroups(ref), nc = prep_profile_ngroups(cur);
	prep_fairness_over orf, ocu;
	prep_profile_group_counts g;
	prep_drift_group *d;
	prep_field key;
	size_t i, id, n = 0;

	res->groups = calloc(nr + nc + 1, sizeof *res->groups);
	if (res->groups == NULL)
		return PREP_ERR_NOMEM;
	prep_fairness_over_init(&orf);
	prep_fairness_over_init(&ocu);
	for (i = 0; i < nr; i++) {
		d = &res->groups[n++];
		prep_profile_group(ref, i, &g, &key);
		d->key = key;
		d->in_reference = 1;
		group_rates(ref, i, res->has_pred, &d->reference);
		prep_fairness_over_add(&orf, &d->reference);
		if (prep_profile_group_find(cur, &key, &id) == PREP_OK) {
			d->in_current = 1;
			group_rates(cur, id, res->has_pred, &d->current);
			prep_fairness_over_add(&ocu, &d->current);
		} else
			no_rates(&d->current);
	}
	for (i = 0; i < nc; i++) {
		prep_profile_group(cur, i, &g, &key);
		if (prep_profile_group_find(ref, &key, &id) == PREP_OK)
			continue;
		d = &res->groups[n++];
		d->key = key;
		d->in_current = 1;
		no_rates(&d->reference);
		group_rates(cur, i, res->has_pred, &d->current);
		prep_fairness_over_add(&ocu, &d->current);
	}
	res->ngroups = n;
	prep_fairness_over_end(&orf, &res->bias_reference);
	prep_fairness_over_end(&ocu, &res->bias_current);
	return PREP_OK;
}

static void
bias_gates(const prep_drift_options *o, prep_drift_result *r)
{
	const prep_fairness_summary *a = &r->bias_reference,
				    *b = &r->bias_current;

	/* with gate.h's slack; a NAN change fails */
	if (o->max_di_drop_set &&
	    !prep_gate_at_most(a->disparate_impact - b->disparate_impact,
			       o->max_di_drop))
		r->bias_failed |= PREP_DRIFT_FAIL_DI;
	if (o->max_spd_change_set &&
	    !prep_gate_at_most(b->statistical_parity_difference -
				   a->statistical_parity_difference,
			       o->max_spd_change))
		r->bias_failed |= PREP_DRIFT_FAIL_SPD;
}

/* ---- the comparison ---- */

static int
listed(const prep_field *names, size_t n, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i].len == len &&
		    (len == 0 || memcmp(names[i].data, s, len) == 0))
			return 1;
	return 0;
}

/* The column named like c in p, or NULL. */
static const prep_profile_column *
find_column(prep_strset *names, const prep_profile *p,
	    const prep_profile_column *c)
{
	size_t id;

	if (prep_strset_lookup(names, c->name, c->name_len, 0, &id, NULL) !=
	    PREP_OK)
		return NULL;
	return prep_profile_column_at(p, id);
}

static prep_status
index_names(const prep_profile *p, prep_strset *s)
{
	size_t i, id;
	const prep_profile_column *c;
	prep_status st;

	prep_strset_init(s, 0);
	for (i = 0; i < prep_profile_columns(p); i++) {
		c = prep_profile_column_at(p, i);
		st = prep_strset_lookup(s, c->name, c->name_len, 1, &id, NULL);
		if (st != PREP_OK)
			return st;
	}
	return PREP_OK;
}

static int
known(const prep_field *f, prep_strset *a, prep_strset *b)
{
	size_t id;

	return prep_strset_lookup(a, f->data, f->len, 0, &id, NULL) ==
		   PREP_OK ||
	       prep_strset_lookup(b, f->data, f->len, 0, &id, NULL) == PREP_OK;
}

static prep_status
compare_columns(const prep_profile *ref, const prep_profile *cur,
		const prep_drift_options *o, prep_drift_result *r,
		prep_strset *rn, prep_strset *cn, const char **why)
{
	size_t i, nr = prep_profile_columns(ref),
		  nc = prep_profile_columns(cur);
	const prep_profile_column *a, *b;
	prep_drift_column *d;
	prep_status st;

	for (i = 0; i < o->nonly; i++)
		if (!known(&o->only[i], rn, cn)) {
			*why = "--columns names a column neither side has";
			return PREP_ERR_NOT_FOUND;
		}
	for (i = 0; i < o->nkeys; i++)
		if (!known(&o->keys[i], rn, cn)) {
			*why = "--key-columns names a column neither side has";
			return PREP_ERR_NOT_FOUND;
		}
	r->columns = calloc(nr + 1, sizeof *r->columns);
	r->added = calloc(nc + 1, sizeof(const prep_profile_column *));
	r->removed = calloc(nr + 1, sizeof(const prep_profile_column *));
	if (r->columns == NULL || r->added == NULL || r->removed == NULL)
		return PREP_ERR_NOMEM;
	for (i = 0; i < nr; i++) {
		a = prep_profile_column_at(ref, i);
		if (o->only && !listed(o->only, o->nonly, a->name, a->name_len))
			continue;
		if ((b = find_column(cn, cur, a)) == NULL) {
			r->removed[r->nremoved++] = a;
			continue;
		}
		d = &r->columns[r->ncolumns++];
		if ((st = compare_column(a, b, o, d)) != PREP_OK)
			return st;
		d->key = listed(o->keys, o->nkeys, a->name, a->name_len);
		r->ndrifted += (size_t)d->drifted;
		if (d->key && d->drifted)
			r->key_drifted = 1;
	}
	for (i = 0; i < nc; i++) {
		b = prep_profile_column_at(cur, i);
		if (o->only && !listed(o->only, o->nonly, b->name, b->name_len))
			continue;
		if (find_column(rn, ref, b) == NULL)
			r->added[r->nadded++] = b;
	}
	if (r->ncolumns == 0) {
		*why = "the two sides have no column in common";
		return PREP_ERR_NOT_FOUND;
	}
	return PREP_OK;
}

prep_status
prep_drift_compare(const prep_profile *ref, const prep_profile *cur,
		   const prep_drift_options *o, prep_drift_result **out,
		   const char **why)
{
	prep_drift_result *r;
	prep_strset rn, cn;
	prep_status st;
	int pr, pc;

	*out = NULL;
	*why = NULL;
	if ((r = calloc(1, sizeof *r)) == NULL)
		return PREP_ERR_NOMEM;
	r->reference = ref;
	st = index_names(ref, &rn);
	if (st == PREP_OK)
		st = index_names(cur, &cn);
	if (st == PREP_OK)
		st = compare_columns(ref, cur, o, r, &rn, &cn, why);
	prep_strset_free(&rn);
	prep_strset_free(&cn);
	if (st != PREP_OK) {
		prep_drift_result_free(r);
		return st;
	}
	r->drifted_share = (double)r->ndrifted / (double)r->ncolumns;
	r->bias = prep_profile_has_groups(ref, &pr) &&
		  prep_profile_has_groups(cur, &pc);
	if (r->bias && prep_profile_groups_differ(ref, cur) != NULL) {
		r->bias = 0;
		r->groups_differ = 1;
	}
	if ((o->max_di_drop_set || o->max_spd_change_set) && !r->bias) {
		*why = r->groups_differ
			   ? "bias gates need groups counted alike on both "
			     "sides (the same -g, -y, -p and --positive)"
			   : "bias gates need group counts on both sides";
		prep_drift_result_free(r);
		return PREP_ERR_ARG;
	}
	if (r->bias) {
		r->has_pred = pr;
		r->ngroup_names = prep_profile_group_names(ref, NULL, 0);
		if ((st = compare_groups(ref, cur, r)) != PREP_OK) {
			prep_drift_result_free(r);
			return st;
		}
		bias_gates(o, r);
	}
	r->drift = r->drifted_share >= o->drift_share || r->key_drifted ||
		   r->nadded || r->nremoved || r->bias_failed;
	*out = r;
	return PREP_OK;
}

void
prep_drift_result_free(prep_drift_result *r)
{
	if (r == NULL)
		return;
	free(r->columns);
	free(r->added);
	free(r->removed);
	free(r->groups);
	free(r);
}
