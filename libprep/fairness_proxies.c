/*
 * fairness_proxies.c: the association of each column with a protected
 * attribute (see fairness_proxies.h for the figures and their sources).
 *
 * One pass over the rows: the protected attribute's value (its field, or
 * the tuple of its fields, strset.h prep_tuple_put) is looked up in a
 * set that gives each level a dense id; then each candidate column's
 * value in a set of its own, whose ids are the rows of a matrix of
 * counts, values by protected levels (the row's cell is incremented).
 * Whether a value is missing or a number is decided once, when the value
 * is first seen, never per row. The matrix's rows are pcap counts wide,
 * pcap the room for protected levels: a level past it doubles pcap and
 * lays every matrix out anew (rare: the attribute has few levels).
 *
 * The figures are computed at the end with the values and levels sorted
 * by their bytes, sums compensated (Neumaier 1974, ZAMM 54), and eta by
 * two passes (the mean first, then the squares of the deviations from
 * it), which keeps the cancellation of the textbook one-pass formula
 * out: the figures agree with a computation in long double to about
 * 1e-15.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "fairness_proxies.h"
#include "gate.h"
#include "json.h"
#include "memcap.h"
#include "strset.h"
#include "text.h"

/* What is known of a value of a candidate column. */
enum { LEVEL_MISSING = 1, LEVEL_NUMBER = 2 };

struct level {
	double x;	/* its number (LEVEL_NUMBER) */
	unsigned flags; /* LEVEL_* */
};

struct proxy_col {
	size_t col;	    /* the row's field */
	prep_strset values; /* value -> id */
	struct level *info; /* per id, icap of them */
	uint64_t *cnt;	    /* lcap x pcap: cnt[id * pcap + level] */
	size_t lcap, icap;  /* values cnt and info have room for */
	int skipped;	    /* more than max_levels values */
	int categorical;    /* measured as categorical, numbers or not */
};

struct prep_proxies {
	size_t *prot, nprot;
	size_t maxprot; /* largest protected column */
	struct proxy_col *c;
	size_t nc;
	size_t max_levels;
	const prep_missing *missing;
	const prep_field *names;
	prep_strset levels; /* the protected attribute's levels */
	size_t pcap;	    /* matrix width */
	unsigned char *key; /* a tuple key being built */
	size_t key_cap;
	uint64_t rows;
	/* results */
	int done;
	prep_proxy *list;
	size_t nlist;
	size_t *skipped;
	size_t nskipped;
};

prep_status
prep_proxies_new(const prep_proxies_params *p, prep_proxies **out)
{
	prep_proxies *x;
	size_t i, j;

	*out = NULL;
	if (p->nprotected == 0 || p->max_levels > PREP_PROXIES_MAX_LEVELS)
		return PREP_ERR_ARG;
	for (i = 0; i < p->ncolumns; i++)
		for (j = 0; j < p->nprotected; j++)
			if (p->columns[i] == p->protected[j])
				return PREP_ERR_ARG;
	if ((x = calloc(1, sizeof *x)) == NULL)
		return PREP_ERR_NOMEM;
	x->prot = malloc(p->nprotected * sizeof *x->prot);
	x->c = calloc(p->ncolumns ? p->ncolumns : 1, sizeof *x->c);
	if (x->prot == NULL || x->c == NULL) {
		free(x->prot);
		free(x->c);
		free(x);
		return PREP_ERR_NOMEM;
	}
	memcpy(x->prot, p->protected, p->nprotected * sizeof *x->prot);
	x->nprot = p->nprotected;
	for (i = 0; i < x->nprot; i++)
		if (x->prot[i] > x->maxprot)
			x->maxprot = x->prot[i];
	x->max_levels =
	    p->max_levels ? p->max_levels : PREP_PROXIES_DEFAULT_MAX_LEVELS;
	x->missing = p->missing;
	x->names = p->names;
	x->nc = p->ncolumns;
	for (i = 0; i < x->nc; i++) {
		x->c[i].col = p->columns[i];
		prep_strset_init(&x->c[i].values, x->max_levels);
		for (j = 0; j < p->ncategorical; j++)
			x->c[i].categorical |=
			    p->categorical[j] == p->columns[i];
	}
	prep_strset_init(&x->levels, x->max_levels);
	x->pcap = 4;
	*out = x;
	return PREP_OK;
}

/* Give back a column's table: it is skipped from now on. */
static void
col_drop(const prep_proxies *x, struct proxy_col *c)
{
	prep_memcap_free(c->cnt, c->lcap * x->pcap * sizeof *c->cnt);
	prep_memcap_free(c->info, c->icap * sizeof *c->info);
	c->cnt = NULL;
	c->info = NULL;
	c->lcap = c->icap = 0;
	prep_strset_free(&c->values);
	prep_strset_init(&c->values, 1);
	c->skipped = 1;
}

void
prep_proxies_free(prep_proxies *x)
{
	size_t i;

	if (x == NULL)
		return;
	for (i = 0; i < x->nc; i++) {
		col_drop(x, &x->c[i]);
		prep_strset_free(&x->c[i].values);
	}
	prep_strset_free(&x->levels);
	free(x->c);
	free(x->prot);
	free(x->key);
	free(x->list);
	free(x->skipped);
	free(x);
}

/*
 * Room for value id in column c: its info and its matrix row, each grown
 * by half again (at least 8 rows). A failure leaves the column as it was.
 */
static prep_status
col_room(const prep_proxies *x, struct proxy_col *c, size_t id)
{
	size_t ncap;
	uint64_t *cnt;
	struct level *info;
	prep_status st;

	if (id < c->lcap)
		return PREP_OK;
	ncap = c->lcap < 8 ? 8 : c->lcap + c->lcap / 2;
	if (ncap > x->max_levels)
		ncap = x->max_levels;
	if (ncap <= id)
		ncap = id + 1;
	if (c->icap < ncap) {
		info = prep_memcap_realloc(c->info, c->icap * sizeof *info,
					   ncap * sizeof *info, &st);
		if (info == NULL)
			return st;
		c->info = info;
		c->icap = ncap;
	}
	cnt = prep_memcap_realloc(c->cnt, c->lcap * x->pcap * sizeof *cnt,
				  ncap * x->pcap * sizeof *cnt, &st);
	if (cnt == NULL)
		return st;
	memset(cnt + c->lcap * x->pcap, 0,
	       (ncap - c->lcap) * x->pcap * sizeof *cnt);
	c->cnt = cnt;
	c->lcap = ncap;
	return PREP_OK;
}

/*
 * Room for protected level id: every matrix widened when it is past
 * pcap, all or none.
 */
static prep_status
widen(prep_proxies *x, size_t id)
{
	size_t ncap = x->pcap, i, v;
	uint64_t **fresh;
	prep_status st = PREP_OK;

	if (id < x->pcap)
		return PREP_OK;
	while (ncap <= id)
		ncap *= 2;
	if ((fresh = calloc(x->nc ? x->nc : 1, sizeof *fresh)) == NULL)
		return PREP_ERR_NOMEM;
	for (i = 0; i < x->nc && st == PREP_OK; i++)
		if (x->c[i].lcap > 0)
			fresh[i] = prep_memcap_calloc(x->c[i].lcap * ncap,
						      sizeof **fresh, &st);
	if (st != PREP_OK) {
		for (i = 0; i < x->nc; i++)
			prep_memcap_free(fresh[i],
					 x->c[i].lcap * ncap * sizeof **fresh);
		free(fresh);
		return st;
	}
	for (i = 0; i < x->nc; i++) {
		struct proxy_col *c = &x->c[i];

		for (v = 0; v < c->lcap; v++)
			memcpy(fresh[i] + v * ncap, c->cnt + v * x->pcap,
			       x->pcap * sizeof **fresh);
		prep_memcap_free(c->cnt, c->lcap * x->pcap * sizeof **fresh);
		c->cnt = fresh[i];
	}
	free(fresh);
	x->pcap = ncap;
	return PREP_OK;
}

/* What a new value of a column is: missing, a number, or text. */
static void
level_info(const prep_proxies *x, const char *s, size_t len, struct level *l)
{
	double v;

	l->flags = 0;
	l->x = 0;
	if (prep_missing_is(x->missing, s, len))
		l->flags = LEVEL_MISSING;
	else if (prep_parse_number(s, len, &v) == PREP_OK && isfinite(v)) {
		l->flags = LEVEL_NUMBER;
		l->x = v;
	}
}

/* The id of protected level key[0..len), added when new. */
static prep_status
level_id(prep_proxies *x, const void *key, size_t len, size_t *id)
{
	int added = 0;
	prep_status st =
	    prep_strset_lookup(&x->levels, key, len, 1, id, &added);

	if (st != PREP_OK)
		return st;
	return added ? widen(x, *id) : PREP_OK;
}

/*
 * Add count to the cell of value s[0..len) of column c at protected
 * level j; a value past max_levels makes the column skipped.
 */
static prep_status
col_add(prep_proxies *x, struct proxy_col *c, const char *s, size_t len,
	size_t j, uint64_t count)
{
	size_t id;
	int added = 0;
	prep_status st = prep_strset_lookup(&c->values, s, len, 1, &id, &added);

	if (st == PREP_ERR_LIMIT) {
		col_drop(x, c);
		return PREP_OK;
	}
	if (st != PREP_OK)
		return st;
	if (added) {
		if ((st = col_room(x, c, id)) != PREP_OK)
			return st;
		level_info(x, s, len, &c->info[id]);
	}
	c->cnt[id * x->pcap + j] += count;
	return PREP_OK;
}

prep_status
prep_proxies_add(prep_proxies *x, const prep_field *row)
{
	const void *key;
	size_t len, j, i;
	prep_status st;

	if ((st = prep_tuple_key(&x->key, &x->key_cap, row, x->prot, x->nprot,
				 &key, &len)) != PREP_OK ||
	    (st = level_id(x, key, len, &j)) != PREP_OK)
		return st;
	for (i = 0; i < x->nc; i++) {
		struct proxy_col *c = &x->c[i];
		const prep_field *f = &row[c->col];

		if (!c->skipped &&
		    (st = col_add(x, c, f->data, f->len, j, 1)) != PREP_OK)
			return st;
	}
	x->rows++;
	return PREP_OK;
}

prep_status
prep_proxies_merge(prep_proxies *into, const prep_proxies *from)
{
	size_t nl = from->levels.n, *map, j, i, v;
	prep_status st = PREP_OK;

	if (into->nc != from->nc)
		return PREP_ERR_ARG;
	if ((map = malloc((nl ? nl : 1) * sizeof *map)) == NULL)
		return PREP_ERR_NOMEM;
	for (j = 0; j < nl && st == PREP_OK; j++) {
		prep_field k = prep_strset_key(&from->levels, j);

		st = level_id(into, k.data, k.len, &map[j]);
	}
	for (i = 0; i < into->nc && st == PREP_OK; i++) {
		struct proxy_col *a = &into->c[i];
		const struct proxy_col *b = &from->c[i];

		if (b->skipped && !a->skipped)
			col_drop(into, a);
		for (v = 0; !a->skipped && v < b->values.n && st == PREP_OK;
		     v++) {
			prep_field k = prep_strset_key(&b->values, v);

			for (j = 0; j < nl && !a->skipped && st == PREP_OK;
			     j++) {
				uint64_t n = b->cnt[v * from->pcap + j];

				if (n > 0)
					st = col_add(into, a, k.data, k.len,
						     map[j], n);
			}
		}
	}
	free(map);
	if (st == PREP_OK)
		into->rows += from->rows;
	into->done = 0;
	return st;
}

uint64_t
prep_proxies_rows(const prep_proxies *x)
{
	return x->rows;
}

size_t
prep_proxies_levels(const prep_proxies *x)
{
	return x->levels.n;
}

/* Byte order of two keys, then length: a sort that no input can sway. */
static int
key_cmp(prep_field a, prep_field b)
{
	int d = memcmp(a.data, b.data, a.len < b.len ? a.len : b.len);

	if (d != 0)
		return d;
	return (a.len > b.len) - (a.len < b.len);
}

/* A key and its id, for sorting ids by their keys. */
struct keyed {
	prep_field key;
	size_t id;
};

static int
keyed_cmp(const void *a, const void *b)
{
	return key_cmp(((const struct keyed *)a)->key,
		       ((const struct keyed *)b)->key);
}

/* The ids of s sorted by their keys' bytes (malloc'd; NULL: no memory). */
static size_t *
sorted_ids(const prep_strset *s)
{
	size_t *ids = calloc(s->n ? s->n : 1, sizeof *ids), i;
	struct keyed *k = calloc(s->n ? s->n : 1, sizeof *k);

	if (ids == NULL || k == NULL) {
		free(ids);
		free(k);
		return NULL;
	}
	for (i = 0; i < s->n; i++) {
		k[i].key = prep_strset_key(s, i);
		k[i].id = i;
	}
	qsort(k, s->n, sizeof *k, keyed_cmp);
	for (i = 0; i < s->n; i++)
		ids[i] = k[i].id;
	free(k);
	return ids;
}

/* num / den, NAN when den is 0 (or either is NAN). */
static double
ratio(double num, double den)
{
	return den > 0 || den < 0 ? num / den : NAN;
}

/* The column's kind: numeric when every value not missing is a number,
 * and one is. */
static prep_proxy_kind
col_kind(const struct proxy_col *c)
{
	size_t v, numbers = 0;

	if (c->categorical)
		return PREP_PROXY_CATEGORICAL;
	for (v = 0; v < c->values.n; v++) {
		if (c->info[v].flags & LEVEL_MISSING)
			continue;
		if (!(c->info[v].flags & LEVEL_NUMBER))
			return PREP_PROXY_CATEGORICAL;
		numbers++;
	}
	return numbers ? PREP_PROXY_NUMERIC : PREP_PROXY_CATEGORICAL;
}

/*
 * The figures of column c, whose values (rows) vi[0..k) and protected
 * levels pj[0..r) are in sorted order; colsum[j] is C_j by level id;
 * rs, cs scratch of k and pcap doubles.
 */
static void
col_figures(const prep_proxies *x, const struct proxy_col *c, const size_t *vi,
	    const size_t *pj, const double *colsum, double *rs, double *cs,
	    prep_proxy *out)
{
	size_t k = c->values.n, r = x->levels.n, a, b;
	double n = (double)x->rows, chi2, phi2, kt, rt, mi, hx, ha, m, ssb, sst,
	       nn;
	prep_csum s, t, u;

	out->levels = k;
	out->cramers_v = out->eta = out->nmi = NAN;
	/* row sums R_i */
	for (a = 0; a < k; a++) {
		const uint64_t *row = c->cnt + vi[a] * x->pcap;

		memset(&s, 0, sizeof s);
		for (b = 0; b < r; b++)
			prep_csum_add(&s, (double)row[pj[b]]);
		rs[a] = prep_csum_value(&s);
	}
	/* chi2, I, H(X), H(A) */
	memset(&s, 0, sizeof s);
	memset(&t, 0, sizeof t);
	memset(&u, 0, sizeof u);
	for (a = 0; a < k && n > 0; a++) {
		const uint64_t *row = c->cnt + vi[a] * x->pcap;

		for (b = 0; b < r; b++) {
			double o = (double)row[pj[b]], cj = colsum[pj[b]];
			double e = rs[a] * cj / n;

			if (e > 0)
				prep_csum_add(&s, (o - e) * (o - e) / e);
			if (o > 0)
				prep_csum_add(
				    &t, o / n * log(n * o / (rs[a] * cj)));
		}
		if (rs[a] > 0)
			prep_csum_add(&u, -rs[a] / n * log(rs[a] / n));
	}
	chi2 = prep_csum_value(&s);
	mi = prep_csum_value(&t);
	hx = prep_csum_value(&u);
	memset(&u, 0, sizeof u);
	for (b = 0; b < r && n > 0; b++)
		if (colsum[pj[b]] > 0)
			prep_csum_add(&u, -colsum[pj[b]] / n *
					      log(colsum[pj[b]] / n));
	ha = prep_csum_value(&u);
	if (n > 0)
		out->nmi = ratio(mi < 0 ? 0 : mi, (hx + ha) / 2);
	out->kind = col_kind(c);
	if (out->kind == PREP_PROXY_CATEGORICAL) {
		if (n > 1) {
			phi2 = chi2 / n -
			       (double)(k - 1) * (double)(r - 1) / (n - 1);
			if (phi2 < 0)
				phi2 = 0;
			kt = (double)k -
			     (double)(k - 1) * (double)(k - 1) / (n - 1);
			rt = (double)r -
			     (double)(r - 1) * (double)(r - 1) / (n - 1);
			kt = kt < rt ? kt - 1 : rt - 1;
			if (k > 0 && r > 0 && kt > 0)
				out->cramers_v = sqrt(phi2 / kt);
		}
		out->strength = out->cramers_v;
		return;
	}
	/* eta over the rows whose value is a number: n', m, then the
	 * deviations' sums by level (C'_j) and squares */
	memset(&s, 0, sizeof s);
	memset(&t, 0, sizeof t);
	for (a = 0; a < k; a++) {
		if (c->info[vi[a]].flags & LEVEL_MISSING)
			continue;
		prep_csum_add(&s, rs[a]);
		prep_csum_add(&t, rs[a] * c->info[vi[a]].x);
	}
	nn = prep_csum_value(&s);
	out->n_eta = (uint64_t)nn;
	m = ratio(prep_csum_value(&t), nn);
	memset(&u, 0, sizeof u);
	for (b = 0; b < r && nn > 0; b++) {
		prep_csum d = {0, 0}, w = {0, 0};

		for (a = 0; a < k; a++) {
			double o;

			if (c->info[vi[a]].flags & LEVEL_MISSING)
				continue;
			o = (double)c->cnt[vi[a] * x->pcap + pj[b]];
			prep_csum_add(&d, o * (c->info[vi[a]].x - m));
			prep_csum_add(&w, o);
		}
		cs[b] = prep_csum_value(&w);
		if (cs[b] > 0)
			prep_csum_add(&u, prep_csum_value(&d) *
					      prep_csum_value(&d) / cs[b]);
	}
	ssb = prep_csum_value(&u);
	memset(&u, 0, sizeof u);
	for (a = 0; a < k && nn > 0; a++) {
		double d;

		if (c->info[vi[a]].flags & LEVEL_MISSING)
			continue;
		d = c->info[vi[a]].x - m;
		prep_csum_add(&u, rs[a] * d * d);
	}
	sst = prep_csum_value(&u);
	if (nn > 0 && sst > 0)
		out->eta = sqrt(ssb / sst > 1 ? 1 : ssb / sst);
	out->strength = out->eta;
}

/* A column's figures and the name that breaks its ties (NULL: none). */
struct ranked {
	prep_proxy p;
	const prep_field *name;
};

/* By strength, strongest first, NA last; ties by name, then number. */
static int
ranked_cmp(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;
	int na = isnan(a->p.strength), nb = isnan(b->p.strength), d;

	if (na != nb)
		return na - nb;
	if (!na && a->p.strength != b->p.strength)
		return a->p.strength > b->p.strength ? -1 : 1;
	if (a->name && b->name && (d = key_cmp(*a->name, *b->name)) != 0)
		return d;
	return (a->p.column > b->p.column) - (a->p.column < b->p.column);
}

/* The list sorted by ranked_cmp. */
static prep_status
rank(prep_proxies *x)
{
	struct ranked *r = malloc((x->nlist ? x->nlist : 1) * sizeof *r);
	size_t i;

	if (r == NULL)
		return PREP_ERR_NOMEM;
	for (i = 0; i < x->nlist; i++) {
		r[i].p = x->list[i];
		r[i].name = x->names ? &x->names[x->list[i].column] : NULL;
	}
	qsort(r, x->nlist, sizeof *r, ranked_cmp);
	for (i = 0; i < x->nlist; i++)
		x->list[i] = r[i].p;
	free(r);
	return PREP_OK;
}

prep_status
prep_proxies_results(prep_proxies *x, const prep_proxy **list, size_t *n,
		     const size_t **skipped, size_t *nskipped)
{
	size_t i, j, *pj = NULL, *vi = NULL, r = x->levels.n, b;
	double *colsum = NULL, *rs = NULL, *cs = NULL;
	prep_status st = PREP_ERR_NOMEM;

	if (x->done)
		goto out;
	free(x->list);
	free(x->skipped);
	x->list = calloc(x->nc ? x->nc : 1, sizeof *x->list);
	x->skipped = calloc(x->nc ? x->nc : 1, sizeof *x->skipped);
	pj = sorted_ids(&x->levels);
	colsum = calloc(x->pcap, sizeof *colsum);
	cs = calloc(x->pcap, sizeof *cs);
	if (x->list == NULL || x->skipped == NULL || pj == NULL ||
	    colsum == NULL || cs == NULL)
		goto fail;
	x->nlist = x->nskipped = 0;
	for (i = 0; i < x->nc; i++) {
		struct proxy_col *c = &x->c[i];
		prep_proxy *p = &x->list[x->nlist];

		if (c->skipped) {
			x->skipped[x->nskipped++] = c->col;
			continue;
		}
		free(vi);
		free(rs);
		vi = sorted_ids(&c->values);
		rs = calloc(c->values.n ? c->values.n : 1, sizeof *rs);
		if (vi == NULL || rs == NULL)
			goto fail;
		/* C_j, the same for every column: every row counts in each */
		for (b = 0; b < r; b++) {
			prep_csum s = {0, 0};

			for (j = 0; j < c->values.n; j++)
				prep_csum_add(
				    &s,
				    (double)c->cnt[vi[j] * x->pcap + pj[b]]);
			colsum[pj[b]] = prep_csum_value(&s);
		}
		memset(p, 0, sizeof *p);
		p->column = c->col;
		col_figures(x, c, vi, pj, colsum, rs, cs, p);
		x->nlist++;
	}
	if (rank(x) != PREP_OK)
		goto fail;
	x->done = 1;
out:
	*list = x->list;
	*n = x->nlist;
	*skipped = x->skipped;
	*nskipped = x->nskipped;
	st = PREP_OK;
fail:
	free(pj);
	free(vi);
	free(rs);
	free(colsum);
	free(cs);
	if (st != PREP_OK) {
		*list = NULL;
		*n = *nskipped = 0;
		*skipped = NULL;
	}
	return st;
}

int
prep_proxies_check(const prep_proxy *list, size_t n, const prep_proxies_gate *g)
{
	if (!g->set)
		return 1;
	return n > 0 && prep_gate_at_most(list[0].strength, g->max);
}

/* ---- reports ---- */

static const char *const kind_names[] = {"categorical", "numeric"};

/* Column col's name: names[col], or its 1-based number in buf. */
static prep_field
col_name(const prep_field *names, size_t col, char *buf, size_t n)
{
	prep_field f;

	if (names)
		return names[col];
	(void)snprintf(buf, n, "%zu", col + 1);
	f.data = buf;
	f.len = strlen(buf);
	return f;
}

static prep_status
put_str(prep_writer *w, const char *s)
{
	return prep_writer_field(w, s, strlen(s));
}

prep_status
prep_proxies_report_table(const prep_proxy *list, size_t n,
			  const prep_field *names, int header, prep_writer *w)
{
	static const char *const head[] = {
	    "column", "kind", "levels", "cramers_v", "eta", "nmi", "strength"};
	char buf[64];
	size_t i, h;
	prep_status st = PREP_OK;

	for (h = 0; header && h < sizeof head / sizeof *head && st == PREP_OK;
	     h++)
		st = put_str(w, head[h]);
	if (header && st == PREP_OK)
		st = prep_writer_end_row(w);
	for (i = 0; i < n && st == PREP_OK; i++) {
		const prep_proxy *p = &list[i];
		prep_field f = col_name(names, p->column, buf, sizeof buf);
		double v[4] = {p->cramers_v, p->eta, p->nmi, p->strength};

		st = prep_writer_field(w, f.data, f.len);
		if (st == PREP_OK)
			st = put_str(w, kind_names[p->kind]);
		(void)snprintf(buf, sizeof buf, "%zu", p->levels);
		if (st == PREP_OK)
			st = put_str(w, buf);
		for (h = 0; h < 4 && st == PREP_OK; h++)
			st =
			    put_str(w, prep_figure_text(v[h], buf, sizeof buf));
		if (st == PREP_OK)
			st = prep_writer_end_row(w);
	}
	return st;
}

/* A column's name as a JSON string. */
static json_t *
name_json(const prep_field *names, size_t col)
{
	char buf[32];
	prep_field f = col_name(names, col, buf, sizeof buf);

	return prep_json_string(f.data, f.len);
}

prep_status
prep_proxies_report_json(const prep_proxy *list, size_t n,
			 const size_t *skipped, size_t nskipped,
			 const prep_field *names, const prep_proxies_gate *g,
			 prep_writer *w)
{
	json_t *o = json_object(), *a = json_array(), *s = json_array();
	int ok = 1, top = n > 0 && !isnan(list[0].strength);
	size_t i;

	prep_json_set(o, "strongest",
		      top ? name_json(names, list[0].column) : json_null(),
		      &ok);
	prep_json_set(o, "strength",
		      prep_json_number(top ? list[0].strength : NAN), &ok);
	for (i = 0; i < n; i++) {
		const prep_proxy *p = &list[i];
		json_t *e = json_object();

		prep_json_set(e, "column", name_json(names, p->column), &ok);
		prep_json_set(e, "kind", json_string(kind_names[p->kind]), &ok);
		prep_json_set(e, "levels", json_integer((json_int_t)p->levels),
			      &ok);
		prep_json_set(e, "cramers_v", prep_json_number(p->cramers_v),
			      &ok);
		prep_json_set(e, "eta", prep_json_number(p->eta), &ok);
		prep_json_set(e, "nmi", prep_json_number(p->nmi), &ok);
		prep_json_set(e, "strength", prep_json_number(p->strength),
			      &ok);
		prep_json_append(a, e, &ok);
	}
	prep_json_set(o, "proxies", a, &ok);
	for (i = 0; i < nskipped; i++)
		prep_json_append(s, name_json(names, skipped[i]), &ok);
	prep_json_set(o, "skipped", s, &ok);
	if (g->set)
		prep_json_set(o, "satisfied",
			      json_boolean(prep_proxies_check(list, n, g)),
			      &ok);
	return prep_json_write(o, ok, w);
}

prep_status
prep_proxies_report_summary(FILE *out, const prep_proxy *list, size_t n,
			    const prep_field *names, const prep_proxies_gate *g)
{
	char buf[64];
	int bad = 0, top = n > 0 && !isnan(list[0].strength);
	prep_field f;

	if (top) {
		f = col_name(names, list[0].column, buf, sizeof buf);
		bad |=
		    fprintf(out, "strongest: %.*s\n", (int)f.len, f.data) < 0;
	} else
		bad |= fprintf(out, "strongest: NA\n") < 0;
	bad |= fprintf(out, "strength: %s\n",
		       prep_figure_text(top ? list[0].strength : NAN, buf,
					sizeof buf)) < 0;
	if (g->set)
		bad |=
		    fprintf(out, "satisfied: %s\n",
			    prep_proxies_check(list, n, g) ? "yes" : "no") < 0;
	return bad ? PREP_ERR_IO : PREP_OK;
}
