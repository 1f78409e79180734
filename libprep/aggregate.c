/*
 * aggregate.c: differentially private counts, sums and means by group,
 * dpnoise's aggregate mode (see aggregate.h for the contract).
 *
 * Groups and contributor ids live in two keyed-hash sets of byte strings
 * (strset.h). Without an id column every row is added
 * to its group as it comes; with one, each id keeps a reservoir of at most
 * max_contrib (group, value) pairs (Vitter, "Random Sampling with a
 * Reservoir", ACM TOMS 1985, Algorithm R) and the groups are summed from
 * the reservoirs at release (or when a partial's state is taken). The
 * reservoir's draws come from SipHash-2-4 under a key drawn once from
 * the run's generator, of the id and the row's rank among the id's rows:
 * the subset an id keeps is the same in a run over the whole input and
 * in the run over the part that holds all of the id's rows.
 *
 * Sums are exact. A value is clamped to [lo, hi] and added without
 * rounding to its group's long accumulator (exactsum.h). Neither the
 * order of the rows nor floating-point rounding can then move a sum by
 * more than the sensitivity the noise is scaled to (Casacuberta et al.,
 * "Widespread Underestimation of Sensitivity in Differentially Private
 * Libraries", CCS 2022), and the sums of parts add up to the sum of the
 * whole. The real mechanism's grid step r is applied to the exact sum,
 * rounded once, and the noise is added there: the released value is
 * (K + i) r.
 *
 * Relies on noise.h for the mechanisms, on exactsum.h for the sums, on
 * text.h for the number syntax, on strset.h for the tables and on
 * siphash.h for the random subset.
 */
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "aggregate_impl.h"
#include "buf.h"
#include "columns.h"
#include "memcap.h"
#include "text.h"

typedef __int128 i128;
typedef unsigned __int128 u128;

#define DEFAULT_MAX ((uint64_t)10000000)
#define TABLE_MAX ((uint64_t)1 << 31)
#define CONTRIB_MAX ((uint64_t)UINT32_MAX)
#define DIGITS_MAX 100
#define TWO53 9007199254740992.0

/*
 * A group's key: each field as a varint length, its bytes and a NUL (so
 * that ("ab","c") and ("a","bc") differ, and a decoded field is a C
 * string). fields[idx[i]] or, without idx, fields[i].
 */
prep_status
agg_encode_key(prep_agg *a, const prep_field *fields, const size_t *idx)
{
	size_t i, total = 0;
	unsigned char *o;
	prep_status st;

	for (i = 0; i < a->p.nby; i++) {
		/* fields is NULL only for PREP_AGG_ONE, where nby is 0 */
		/* cppcheck-suppress nullPointer */
		size_t len = fields[idx ? idx[i] : i].len;

		if (len >
		    PREP_BUF_DEFAULT_MAX - total - PREP_TUPLE_OVERHEAD - 1)
			return PREP_ERR_LIMIT;
		total += len + PREP_TUPLE_OVERHEAD + 1;
	}
	prep_buf_reset(&a->scratch);
	if ((st = prep_buf_reserve(&a->scratch, total)) != PREP_OK)
		return st;
	o = (unsigned char *)a->scratch.data;
	for (i = 0; i < a->p.nby; i++) {
		o = prep_tuple_put(o, &fields[idx ? idx[i] : i]);
		*o++ = '\0';
	}
	a->scratch.len = (size_t)((char *)o - a->scratch.data);
	return PREP_OK;
}

prep_field
agg_decode_field(const unsigned char **p)
{
	prep_field f = prep_tuple_next(p);

	(*p)++; /* the NUL after the field */
	return f;
}

/* Group gi's key fields into a->keyf. */
static void
decode_key(prep_agg *a, size_t gi)
{
	const unsigned char *p =
	    (const unsigned char *)prep_strset_key(&a->groups, gi).data;
	size_t i;

	for (i = 0; i < a->p.nby; i++)
		a->keyf[i] = agg_decode_field(&p);
}

/* Make room for group gi's counters. */
static prep_status
reserve_groups(prep_agg *a, size_t n)
{
	struct agg_group *g;
	size_t cap;
	prep_status st;

	if (n <= a->gs_cap)
		return PREP_OK;
	cap = a->gs_cap ? a->gs_cap * 2 : 1024;
	g = prep_memcap_realloc(a->gs, a->gs_cap * sizeof *g, cap * sizeof *g,
				&st);
	if (g == NULL)
		return st;
	a->gs = g;
	a->gs_cap = cap;
	return PREP_OK;
}

prep_status
agg_find_group(prep_agg *a, int add, size_t *gi)
{
	prep_status st;
	int added;

	if (add && (st = reserve_groups(a, a->groups.n + 1)) != PREP_OK)
		return st;
	st = prep_strset_lookup(&a->groups, a->scratch.data, a->scratch.len,
				add, gi, &added);
	if (st == PREP_OK && added)
		memset(&a->gs[*gi], 0, sizeof a->gs[*gi]);
	return st;
}

/* 1 when x is a whole number of magnitude at most 2^53. */
static int
whole53(double x)
{
	return x == floor(x) && fabs(x) <= TWO53;
}

/* x rounded up to the next double when x = a*b was rounded down. */
static double
product_up(double a, double b)
{
	double x = a * b;

	if (isfinite(x) && fma(a, b, -x) > 0)
		x = nextafter(x, INFINITY);
	return x;
}

/*
 * The real mechanism for sums. Rounding each released sum to the grid r
 * moves it by up to r/2, and one id changes at most N groups: in l1 the
 * sums of neighbouring tables differ by up to N max + N r, which noise.h
 * covers as delta + r; so delta = N max + (N - 1) r (r itself depends on
 * delta, hence the loop, which ends after one or two turns).
 */
static prep_status
make_real(prep_agg *a, prep_laplace **out)
{
	double n = (double)a->p.max_contrib, base, d, r = 0;
	prep_laplace *m = NULL;
	prep_status st;
	int turn;

	*out = NULL;
	base = product_up(n, a->max);
	if (!isfinite(base))
		return PREP_ERR_ARG;
	for (turn = 0; turn < 8; turn++) {
		d = base;
		if (a->p.max_contrib > 1) {
			d = base + (n - 1) * r;
			d = nextafter(d, INFINITY);
		}
		if (!isfinite(d))
			return PREP_ERR_ARG;
		prep_laplace_free(m);
		if ((st = prep_laplace_new_real(a->sum_eps, d, &m)) != PREP_OK)
			return st;
		if (a->p.max_contrib == 1 || prep_laplace_granularity(m) <= r) {
			*out = m;
			return PREP_OK;
		}
		r = prep_laplace_granularity(m);
	}
	prep_laplace_free(m);
	return PREP_ERR_ARG;
}

static prep_status
check_params(const prep_agg_params *p)
{
	int vals = p->kind == PREP_AGG_SUM || p->kind == PREP_AGG_MEAN;

	if (p->kind != PREP_AGG_COUNT && !vals)
		return PREP_ERR_ARG;
	if (vals ? p->value < 0 : p->value != -1)
		return PREP_ERR_ARG;
	if (vals && !(isfinite(p->lo) && isfinite(p->hi) && p->lo < p->hi))
		return PREP_ERR_ARG;
	switch (p->groups) {
	case PREP_AGG_ONE:
		if (p->nby != 0)
			return PREP_ERR_ARG;
		break;
	case PREP_AGG_SELECT:
		if (!(p->delta > 0 && p->delta < 1))
			return PREP_ERR_ARG;
		/* FALLTHROUGH */
	case PREP_AGG_KEYS:
		if (p->nby == 0 || p->by == NULL)
			return PREP_ERR_ARG;
		break;
	default:
		return PREP_ERR_ARG;
	}
	if (p->id < -1 || p->max_contrib < 1 || p->max_contrib > CONTRIB_MAX)
		return PREP_ERR_ARG;
	if (p->id == -1 && p->max_contrib != 1)
		return PREP_ERR_ARG;
	if (!(p->epsilon > 0) || !isfinite(p->epsilon))
		return PREP_ERR_ARG;
	if (p->digits < -1 || p->digits > DIGITS_MAX)
		return PREP_ERR_ARG;
	if (p->max_groups > TABLE_MAX || p->max_ids > TABLE_MAX)
		return PREP_ERR_ARG;
	return PREP_OK;
}

void
prep_agg_params_init(prep_agg_params *p, prep_agg_kind kind, double epsilon)
{
	memset(p, 0, sizeof *p);
	p->kind = kind;
	p->groups = PREP_AGG_ONE;
	p->value = -1;
	p->id = -1;
	p->max_contrib = 1;
	p->epsilon = epsilon;
	p->digits = -1;
}

void
prep_agg_params_bounds(prep_agg_params *p, const prep_bounds *b)
{
	p->lo = b->lo;
	p->hi = b->hi;
	p->real_values = !b->integer;
}

prep_status
prep_agg_new(const prep_agg_params *p, prep_agg **out)
{
	prep_agg *a;
	prep_status st;
	double n;
	size_t gi;

	if (out == NULL)
		return PREP_ERR_ARG;
	*out = NULL;
	if (p == NULL || check_params(p) != PREP_OK)
		return PREP_ERR_ARG;
	if ((a = calloc(1, sizeof *a)) == NULL)
		return PREP_ERR_NOMEM;
	prep_buf_init(&a->scratch, 0);
	prep_buf_init(&a->prf, 0);
	a->p = *p;
	a->by = malloc((p->nby ? p->nby : 1) * sizeof *a->by);
	a->keyf = calloc(p->nby ? p->nby : 1, sizeof *a->keyf);
	if (a->by == NULL || a->keyf == NULL) {
		prep_agg_free(a);
		return PREP_ERR_NOMEM;
	}
	if (p->nby)
		memcpy(a->by, p->by, p->nby * sizeof *a->by);
	a->p.by = a->by;
	prep_strset_init(&a->groups,
			 (size_t)(p->max_groups ? p->max_groups : DEFAULT_MAX));
	prep_strset_init(&a->ids,
			 (size_t)(p->max_ids ? p->max_ids : DEFAULT_MAX));
	n = (double)p->max_contrib;

	/* the shares of epsilon */
	if (p->kind == PREP_AGG_COUNT) {
		a->count_eps = p->epsilon;
	} else if (p->kind == PREP_AGG_MEAN || p->groups == PREP_AGG_SELECT) {
		a->count_eps = p->epsilon / 2;
		a->sum_eps = p->epsilon / 2;
	} else {
		a->sum_eps = p->epsilon;
	}
	st = PREP_OK;
	if (a->count_eps > 0)
		st = prep_laplace_new_int(a->count_eps, n, &a->count_m);
	if (st == PREP_OK && a->sum_eps > 0) {
		a->max = fmax(fabs(p->lo), fabs(p->hi));
		a->ibounds = !p->real_values && whole53(p->lo) &&
			     whole53(p->hi) &&
			     (uint64_t)a->max <= (1ULL << 53) / p->max_contrib;
		if (a->ibounds) {
			st = prep_laplace_new_int(a->sum_eps, n * a->max,
						  &a->sum_int_m);
		}
		if (st == PREP_OK)
			st = make_real(a, &a->sum_real_m);
	}
	/* the whole table's group, released even without rows */
	if (st == PREP_OK && p->groups == PREP_AGG_ONE &&
	    (st = agg_encode_key(a, NULL, NULL)) == PREP_OK)
		st = agg_find_group(a, 1, &gi);
	if (st != PREP_OK) {
		prep_agg_free(a);
		return st == PREP_ERR_NOMEM ? st : PREP_ERR_ARG;
	}
	*out = a;
	return PREP_OK;
}

void
prep_agg_free(prep_agg *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->ids.n; i++)
		prep_memcap_free(a->idr[i].res,
				 (size_t)a->idr[i].cap * sizeof *a->idr[i].res);
	prep_memcap_free(a->idr, a->idr_cap * sizeof *a->idr);
	prep_strset_free(&a->ids);
	for (i = 0; i < a->groups.n; i++)
		prep_exactsum_free(&a->gs[i].sum);
	prep_memcap_free(a->gs, a->gs_cap * sizeof *a->gs);
	prep_strset_free(&a->groups);
	prep_laplace_free(a->count_m);
	prep_laplace_free(a->sum_int_m);
	prep_laplace_free(a->sum_real_m);
	prep_buf_free(&a->scratch);
	prep_buf_free(&a->prf);
	free(a->keyf);
	free(a->by);
	free(a);
}

prep_status
prep_agg_new_like(const prep_agg *a, prep_agg **out)
{
	prep_agg *b;
	size_t gi, id;
	prep_status st;

	*out = NULL;
	if (a == NULL || a->started || a->released || a->subset_keyed)
		return PREP_ERR_ARG;
	if ((st = prep_agg_new(&a->p, &b)) != PREP_OK)
		return st;
	/* the public keys, in their order: the groups a holds before a row */
	for (gi = 0; st == PREP_OK && gi < a->groups.n; gi++) {
		prep_field k = prep_strset_key(&a->groups, gi);

		prep_buf_reset(&b->scratch);
		st = prep_buf_append(&b->scratch, k.data, k.len);
		if (st == PREP_OK)
			st = agg_find_group(b, 1, &id);
	}
	if (st != PREP_OK) {
		prep_agg_free(b);
		return st;
	}
	*out = b;
	return PREP_OK;
}

prep_status
prep_agg_add_key(prep_agg *a, const prep_field *key)
{
	prep_status st;
	size_t gi;

	if (a == NULL || key == NULL || a->p.groups != PREP_AGG_KEYS ||
	    a->started || a->released)
		return PREP_ERR_ARG;
	if ((st = agg_encode_key(a, key, NULL)) != PREP_OK)
		return st;
	st = agg_find_group(a, 0, &gi);
	if (st == PREP_OK)
		return PREP_ERR_ARG; /* the same key twice */
	if (st != PREP_ERR_NOT_FOUND)
		return st;
	return agg_find_group(a, 1, &gi);
}

/*
 * Where each key column is in the keys file's records: map[i] for by[i].
 * A header (kh, nk columns) must name each key column as the input's
 * header h does; without one the first nby columns are the key columns.
 */
static prep_status
keys_map(const prep_agg *a, const prep_field *kh, size_t nk,
	 const prep_field *h, size_t *map, size_t *f1)
{
	size_t i, j;

	for (i = 0; i < a->p.nby; i++) {
		if (h == NULL) {
			if (i >= nk)
				return PREP_ERR_COLUMN;
			map[i] = i;
			continue;
		}
		for (j = 0; kh && j < nk; j++)
			if (kh[j].len == h[a->by[i]].len &&
			    memcmp(kh[j].data, h[a->by[i]].data, kh[j].len) ==
				0)
				break;
		if (kh == NULL || j == nk) {
			*f1 = i;
			return PREP_ERR_COLUMN;
		}
		map[i] = j;
	}
	return PREP_OK;
}

/* The keys of reader r, key column i in field map[i]. */
static prep_status
keys_read(prep_agg *a, prep_reader *r, const size_t *map, prep_field *key)
{
	const prep_field *f;
	size_t i, n;
	prep_status st;

	while ((st = prep_reader_next_row(r, &f, &n)) == PREP_OK) {
		for (i = 0; i < a->p.nby; i++)
			key[i] = f[map[i]];
		if ((st = prep_agg_add_key(a, key)) != PREP_OK)
			return st;
	}
	return st == PREP_END ? PREP_OK : st;
}

prep_status
prep_agg_load_keys(prep_agg *a, const char *path, const prep_csv_options *o,
		   const prep_field *header, prep_where *where, size_t *f1,
		   size_t *f2)
{
	prep_csv_options ko = *o;
	prep_reader *r = NULL;
	const prep_field *kh;
	size_t nk, d1 = 0, d2 = (size_t)-1, unused;
	size_t nby = a->p.nby ? a->p.nby : 1, *map = NULL;
	prep_field *key = NULL;
	prep_status st;
	int e;

	if (f1 == NULL)
		f1 = &unused;
	if (f2 == NULL)
		f2 = &unused;
	*where = (prep_where){path, 0, 0};
	ko.has_header = header != NULL;
	ko.part_i = ko.part_n = 0; /* the keys are whole, not a part */
	st = prep_reader_new(&ko, &path, 1, &r);
	if (st != PREP_OK) {
		if (r == NULL) {
			where->file = NULL;
		} else if (st != PREP_ERR_IO) {
			*where = prep_reader_where(r);
		}
		e = errno;
		prep_reader_free(r);
		errno = e;
		return st;
	}
	kh = prep_reader_header(r, &nk);
	if (header != NULL &&
	    (st = prep_columns_duplicate(kh, nk, &d1, &d2)) != PREP_OK) {
		where->file = NULL;
		goto done;
	}
	if (d2 != (size_t)-1) {
		*where = (prep_where){path, 1, 0};
		*f1 = d1;
		*f2 = d2;
		st = PREP_ERR_HEADER_MISMATCH;
		goto done;
	}
	map = calloc(nby, sizeof *map);
	key = calloc(nby, sizeof *key);
	if (map == NULL || key == NULL) {
		where->file = NULL;
		st = PREP_ERR_NOMEM;
		goto done;
	}
	if ((st = keys_map(a, kh, nk, header, map, f1)) != PREP_OK)
		goto done;
	if ((st = keys_read(a, r, map, key)) != PREP_OK)
		*where = prep_reader_where(r);
done:
	free(map);
	free(key);
	prep_reader_free(r);
	return st;
}

/*
 * The value of a row: clamped to [lo, hi] (and rounded to a whole number
 * for an integer sum). *empty for a missing value (the empty field by
 * default).
 */
static prep_status
read_value(prep_agg *a, const prep_field *f, double *out, int *empty)
{
	prep_status st;
	double v;

	*empty = prep_missing_is(a->p.missing, f->data, f->len);
	if (*empty)
		return PREP_OK;
	st = prep_parse_number(f->data, f->len, &v);
	if (st == PREP_ERR_RANGE) /* a magnitude past DBL_MAX: clamped */
		v = f->data[0] == '-' ? -INFINITY : INFINITY;
	else if (st != PREP_OK)
		return st;
	if (v < a->p.lo)
		v = a->p.lo;
	if (v > a->p.hi)
		v = a->p.hi;
	/*
	 * Whole-number bounds release an integer sum, whatever the values
	 * look like: choosing the mechanism from the data would leak.
	 */
	if (a->ibounds)
		v = nearbyint(v);
	*out = v + 0.0; /* never -0 */
	return PREP_OK;
}

/* One row of value v (0 for a count) into group g. */
static prep_status
group_add(prep_agg *a, struct agg_group *g, double v)
{
	prep_status st;

	if (a->p.kind != PREP_AGG_COUNT &&
	    (st = prep_exactsum_add_signed(&g->sum, v)) != PREP_OK)
		return st;
	g->count++;
	return PREP_OK;
}

prep_status
prep_agg_draw_subset_key(prep_agg *a, prep_rng *g)
{
	unsigned char b[16];
	uint64_t w[2];
	prep_status st;
	int i;

	if (a == NULL || g == NULL)
		return PREP_ERR_ARG;
	if ((st = prep_rng_u64(g, &w[0])) != PREP_OK ||
	    (st = prep_rng_u64(g, &w[1])) != PREP_OK)
		return st;
	for (i = 0; i < 16; i++)
		b[i] = (unsigned char)(w[i / 8] >> (8 * (i % 8)));
	a->subset_key = prep_siphash_key_from_bytes(b);
	a->subset_keyed = 1;
	return PREP_OK;
}

/*
 * A uniform j in [0, t) for the t-th row of the id idf: SipHash-2-4, a
 * pseudorandom function (Aumasson & Bernstein, INDOCRYPT 2012), under the
 * subset key, of t, a counter c and the id's bytes, for c = 0, 1, ...
 * until a draw falls below the largest multiple of t (no modulo bias).
 * A function of the id and of its rows' order alone: the same rows of an
 * id keep the same subset however the input is split into parts.
 */
static prep_status
subset_uniform(prep_agg *a, const prep_field *idf, uint64_t t, uint64_t *j)
{
	uint64_t limit = UINT64_MAX - UINT64_MAX % t, c, x;
	unsigned char *p;
	prep_status st;
	int i;

	prep_buf_reset(&a->prf);
	if ((st = prep_buf_reserve(&a->prf, 16 + idf->len)) != PREP_OK)
		return st;
	p = (unsigned char *)a->prf.data;
	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(t >> (8 * i));
	if (idf->len)
		memcpy(p + 16, idf->data, idf->len);
	for (c = 0;; c++) {
		for (i = 0; i < 8; i++)
			p[8 + i] = (unsigned char)(c >> (8 * i));
		x = prep_siphash(2, 4, &a->subset_key, p, 16 + idf->len);
		if (x < limit)
			break;
	}
	*j = x % t;
	return PREP_OK;
}

/*
 * Keep one row of id i (whose bytes are idf) in its reservoir (Algorithm
 * R): the t-th row takes slot t-1 while there is room, later a uniform j
 * in [0, t) and replaces slot j when j < N. Either way one row of the id
 * is then dropped.
 */
static prep_status
reservoir_add(prep_agg *a, const prep_field *idf, struct agg_idrec *r,
	      struct agg_entry e)
{
	uint64_t n = a->p.max_contrib, t = r->seen + 1, j;
	struct agg_entry *res = n == 1 ? &r->one : r->res;
	prep_status st;

	if (t <= n) {
		if (n > 1 && t > r->cap) {
			uint64_t cap = r->cap ? (uint64_t)r->cap * 2 : 4;

			if (cap > n)
				cap = n;
			res = prep_memcap_realloc(
			    r->res, (size_t)r->cap * sizeof *res,
			    (size_t)cap * sizeof *res, &st);
			if (res == NULL)
				return st;
			r->res = res;
			r->cap = (uint32_t)cap;
		}
		res[t - 1] = e;
	} else {
		if ((st = subset_uniform(a, idf, t, &j)) != PREP_OK)
			return st;
		if (j < n)
			res[j] = e;
		a->dropped++;
	}
	r->seen = t;
	return PREP_OK;
}

/* A message, formatted as printf does, malloc'd; NULL out of memory. */
static char *text_printf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static char *
text_printf(const char *fmt, ...)
{
	va_list ap;
	char *text;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (text = malloc((size_t)n + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	(void)vsnprintf(text, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return text;
}

char *
prep_agg_keys_strerror(prep_status s, const prep_where *where,
		       const prep_field *header, const size_t *by, size_t f1,
		       size_t f2)
{
	if (s == PREP_ERR_IO && where->line == 0)
		return text_printf("%s", strerror(errno));
	if (s == PREP_ERR_HEADER_MISMATCH)
		return text_printf(
		    "fields %zu and %zu of the header have the same name: rename one",
		    f1 + 1, f2 + 1);
	if (s == PREP_ERR_COLUMN && header == NULL)
		return text_printf("fewer columns than --by");
	if (s == PREP_ERR_COLUMN)
		return text_printf("no column '%.*s' in its header",
				   (int)header[by[f1]].len,
				   header[by[f1]].data);
	return text_printf("%s", s == PREP_ERR_ARG ? "the same key twice"
						   : prep_strerror(s));
}

prep_status
prep_agg_add_row(prep_agg *a, prep_rng *g, const prep_field *row, size_t *bad)
{
	int empty = 0, added, vals, drop;
	double v = 0;
	size_t gi = 0, ii;
	prep_status st;
	struct agg_entry e;

	if (a == NULL || row == NULL || a->released || a->collected ||
	    (a->p.id >= 0 && g == NULL && !a->subset_keyed))
		return PREP_ERR_ARG;
	if (a->p.id >= 0 && !a->subset_keyed &&
	    (st = prep_agg_draw_subset_key(a, g)) != PREP_OK)
		return st;
	vals = a->p.kind != PREP_AGG_COUNT;
	if (vals) {
		st = read_value(a, &row[a->p.value], &v, &empty);
		if (st != PREP_OK) {
			if (bad)
				*bad = (size_t)a->p.value;
			return st;
		}
	}
	drop = empty;
	if (!drop && a->p.groups != PREP_AGG_ONE) {
		if ((st = agg_encode_key(a, row, a->by)) != PREP_OK)
			return st;
		st = agg_find_group(a, a->p.groups == PREP_AGG_SELECT, &gi);
		if (st != PREP_OK && st != PREP_ERR_NOT_FOUND)
			return st;
		drop = st == PREP_ERR_NOT_FOUND; /* outside the keys */
	}
	if (drop) {
		a->started = 1;
		a->rows++;
		a->dropped++;
		return PREP_OK;
	}
	if (a->p.id < 0) {
		if ((st = group_add(a, &a->gs[gi], v)) != PREP_OK)
			return st;
	} else {
		const prep_field *f = &row[a->p.id];

		if (a->ids.n == a->idr_cap && a->ids.n < a->ids.max) {
			size_t cap = a->idr_cap ? a->idr_cap * 2 : 1024;
			struct agg_idrec *r =
			    prep_memcap_realloc(a->idr, a->idr_cap * sizeof *r,
						cap * sizeof *r, &st);

			if (r == NULL)
				return st;
			a->idr = r;
			a->idr_cap = cap;
		}
		st = prep_strset_lookup(&a->ids, f->data, f->len, 1, &ii,
					&added);
		if (st != PREP_OK)
			return st;
		if (added)
			memset(&a->idr[ii], 0, sizeof a->idr[ii]);
		e.group = (uint32_t)gi;
		e.v = v;
		if ((st = reservoir_add(a, f, &a->idr[ii], e)) != PREP_OK)
			return st;
	}
	a->started = 1;
	a->rows++;
	return PREP_OK;
}

/* Group ids with their keys, for sorting the selected groups. */
struct keyref {
	const unsigned char *p;
	size_t nby;
	size_t gi;
};

/* Keys field by field, bytes as unsigned, a prefix first (LC_ALL=C). */
static int
by_key(const void *x, const void *y)
{
	const struct keyref *a = x, *b = y;
	const unsigned char *p = a->p, *q = b->p;
	size_t i;

	for (i = 0; i < a->nby; i++) {
		prep_field f = agg_decode_field(&p), h = agg_decode_field(&q);
		size_t n = f.len < h.len ? f.len : h.len;
		int c = n ? memcmp(f.data, h.data, n) : 0;

		if (c)
			return c;
		if (f.len != h.len)
			return f.len < h.len ? -1 : 1;
	}
	return 0;
}

prep_status
agg_sorted_groups(const prep_agg *a, size_t **order)
{
	size_t n = a->groups.n, i;
	struct keyref *k;
	size_t *o;

	*order = o = malloc((n ? n : 1) * sizeof *o);
	if (o == NULL)
		return PREP_ERR_NOMEM;
	for (i = 0; i < n; i++)
		o[i] = i;
	if (n < 2)
		return PREP_OK;
	if ((k = malloc(n * sizeof *k)) == NULL) {
		free(o);
		*order = NULL;
		return PREP_ERR_NOMEM;
	}
	for (i = 0; i < n; i++) {
		k[i].p =
		    (const unsigned char *)prep_strset_key(&a->groups, i).data;
		k[i].nby = a->p.nby;
		k[i].gi = i;
	}
	qsort(k, n, sizeof *k, by_key);
	for (i = 0; i < n; i++)
		o[i] = k[i].gi;
	free(k);
	return PREP_OK;
}

/* The order of release: keys as given; selected groups sorted by key. */
static prep_status
release_order(prep_agg *a, size_t **order)
{
	size_t n = a->groups.n, i;

	if (a->p.groups == PREP_AGG_SELECT)
		return agg_sorted_groups(a, order);
	if ((*order = malloc((n ? n : 1) * sizeof **order)) == NULL)
		return PREP_ERR_NOMEM;
	for (i = 0; i < n; i++)
		(*order)[i] = i;
	return PREP_OK;
}

/*
 * Laplace partition selection (Korolova et al., WWW 2009; Google's
 * partition-selection note): a group that exists only because of one id
 * holds at most N rows, and the id reaches at most N groups, so each may
 * be released with probability delta/N. The noise is the two-sided
 * geometric, P(noisy count > N + x) = alpha^(floor(x)+1) / (1 + alpha)
 * with alpha = exp(-1/b), which is at most delta/N for
 * x = b ln(N / ((1 + alpha) delta)). For small epsilon 1 + alpha -> 2 and
 * this is the continuous tau = N + b ln(N / (2 delta)); it is never lower.
 * The last term nudges tau up past the rounding of log() and of the
 * products, so that it is never below the exact value either.
 */
static double
threshold(const prep_agg *a)
{
	double n = (double)a->p.max_contrib;
	double b = n / a->count_eps;
	double alpha = exp(-a->count_eps / n);
	double tau = n + b * log(n / ((1 + alpha) * a->p.delta));

	return tau + fabs(tau) * 0x1p-40;
}

/* i128 -> int64, or PREP_ERR_RANGE. */
static prep_status
to_int64(i128 x, int64_t *v)
{
	if (x > INT64_MAX || x < INT64_MIN)
		return PREP_ERR_RANGE;
	*v = (int64_t)x;
	return PREP_OK;
}

/*
 * The real mechanism on an exact sum S: K = S / r rounded to the nearest
 * integer (halves away from zero), once, released as (K + i) r.
 */
static prep_status
noisy_real_sum(prep_agg *a, prep_rng *g, const prep_exactsum *s, double *out)
{
	int k = ilogb(prep_laplace_granularity(a->sum_real_m));
	i128 kk;
	int64_t i;
	prep_status st;
	double x;

	if ((st = prep_exactsum_round(s, k, &kk)) != PREP_OK)
		return st;
	if ((st = prep_laplace_sample(a->sum_real_m, g, &i)) != PREP_OK)
		return st;
	kk += i;
	x = ldexp((double)kk, k) + 0.0; /* + 0.0: never "-0" */
	if (!isfinite(x))
		return PREP_ERR_RANGE;
	*out = x;
	return PREP_OK;
}

const char *
prep_agg_kind_name(prep_agg_kind k)
{
	return k == PREP_AGG_COUNT ? "count"
	       : k == PREP_AGG_SUM ? "sum"
				   : "mean";
}

prep_status
prep_agg_write_header(const prep_agg *a, prep_writer *w,
		      const prep_field *names)
{
	const char *name = prep_agg_kind_name(a->p.kind);
	size_t i;
	prep_status st;

	for (i = 0; i < a->p.nby; i++)
		if ((st = prep_writer_field(w, names[a->by[i]].data,
					    names[a->by[i]].len)) != PREP_OK)
			return st;
	if ((st = prep_writer_field(w, name, strlen(name))) != PREP_OK)
		return st;
	return prep_writer_end_row(w);
}

prep_status
prep_agg_report(const prep_agg *a, const prep_agg_summary *s,
		const char *prefix, FILE *f)
{
	prep_status st;

	if (s->count_epsilon > 0 &&
	    (st = prep_laplace_report(f, prefix, 1, "count", s->count_epsilon,
				      s->count_scale)) != PREP_OK)
		return st;
	if (s->sum_epsilon > 0 &&
	    (st = prep_laplace_report(f, prefix, s->sum_integer, "sum",
				      s->sum_epsilon, s->sum_scale)) != PREP_OK)
		return st;
	if (a->p.groups == PREP_AGG_SELECT &&
	    fprintf(f,
		    "%s: partition selection: threshold %g, %llu group%s "
		    "released\n",
		    prefix, s->threshold, (unsigned long long)s->released,
		    s->released == 1 ? "" : "s") < 0)
		return PREP_ERR_IO;
	return PREP_OK;
}

/* prep_agg_release_csv's emit: one record per group. */
static prep_status
emit_record(void *ctx, const prep_field *key, size_t nkey, const char *value,
	    size_t len)
{
	prep_writer *w = ctx;
	size_t i;
	prep_status st;

	for (i = 0; i < nkey; i++)
		if ((st = prep_writer_field(w, key[i].data, key[i].len)) !=
		    PREP_OK)
			return st;
	if ((st = prep_writer_field(w, value, len)) != PREP_OK)
		return st;
	return prep_writer_end_row(w);
}

prep_status
prep_agg_release_csv(prep_agg *a, prep_rng *g, prep_writer *w,
		     prep_agg_summary *s)
{
	return prep_agg_release(a, g, emit_record, w, s);
}

/* A released decimal as text: shortest, or with p.digits decimals. */
static prep_status
format_decimal(const prep_agg *a, double v, char *buf, size_t n, size_t *len)
{
	int k = a->p.digits >= 0 ? snprintf(buf, n, "%.*f", a->p.digits, v)
				 : prep_format_double(v, buf, n);

	if (k < 0 || (size_t)k >= n)
		return PREP_ERR_RANGE;
	*len = (size_t)k;
	return PREP_OK;
}

prep_status
agg_collect(prep_agg *a)
{
	size_t i, j, n;
	prep_status st;

	if (a->collected)
		return PREP_OK;
	a->collected = 1;
	for (i = 0; i < a->ids.n; i++) {
		const struct agg_idrec *r = &a->idr[i];
		const struct agg_entry *res =
		    a->p.max_contrib == 1 ? &r->one : r->res;

		n = r->seen < a->p.max_contrib ? (size_t)r->seen
					       : (size_t)a->p.max_contrib;
		for (j = 0; j < n; j++)
			if ((st = group_add(a, &a->gs[res[j].group],
					    res[j].v)) != PREP_OK)
				return st;
	}
	return PREP_OK;
}

prep_status
prep_agg_release(prep_agg *a, prep_rng *g, prep_agg_emit emit, void *ctx,
		 prep_agg_summary *s)
{
	prep_agg_summary sm;
	size_t *order = NULL, k, gi, len;
	int integer, vals;
	double tau = 0;
	prep_status st;
	char text[512];

	if (s)
		memset(s, 0, sizeof *s);
	if (a == NULL || g == NULL || emit == NULL || a->released)
		return PREP_ERR_ARG;
	a->released = 1;
	vals = a->p.kind != PREP_AGG_COUNT;
	integer = vals && a->ibounds;
	memset(&sm, 0, sizeof sm);
	sm.count_epsilon = a->count_eps;
	sm.sum_epsilon = a->sum_eps;
	if (a->count_m)
		sm.count_scale = prep_laplace_scale(a->count_m);
	if (vals) {
		sm.sum_integer = integer;
		sm.sum_scale =
		    prep_laplace_scale(integer ? a->sum_int_m : a->sum_real_m);
	}
	if (a->p.groups == PREP_AGG_SELECT)
		sm.threshold = tau = threshold(a);
	sm.rows = a->rows;
	sm.rows_dropped = a->dropped;
	sm.groups = a->groups.n;
	if (s)
		*s = sm;

	if ((st = agg_collect(a)) != PREP_OK ||
	    (st = release_order(a, &order)) != PREP_OK)
		return st;
	for (k = 0; k < a->groups.n; k++) {
		/*
		 * order holds a->groups.n indexes; emit cannot add groups
		 * (a->released), which the analyzer cannot see through it.
		 */
		/* NOLINTNEXTLINE(clang-analyzer-core.uninitialized.*) */
		const struct agg_group *grp = &a->gs[order[k]];
		int64_t nc = 0, ns = 0, c;
		double ds = 0;
		i128 kk;

		gi = order[k];
		/*
		 * A selectable group all of whose rows bounding dropped has
		 * no contributor: it must not exist, or one person's rows
		 * could open many groups to the threshold.
		 */
		if (a->p.groups == PREP_AGG_SELECT && grp->count == 0)
			continue;
		if (a->count_m) {
			if ((st = to_int64((i128)grp->count, &c)) != PREP_OK ||
			    (st = prep_laplace_add_int(a->count_m, g, c,
						       &nc)) != PREP_OK)
				goto out;
			if (a->p.groups == PREP_AGG_SELECT &&
			    !((double)nc > tau))
				continue;
		}
		if (vals && integer) {
			/* a sum of whole numbers: exact */
			if ((st = prep_exactsum_round(&grp->sum, 0, &kk)) !=
				PREP_OK ||
			    (st = to_int64(kk, &ns)) != PREP_OK ||
			    (st = prep_laplace_add_int(a->sum_int_m, g, ns,
						       &ns)) != PREP_OK)
				goto out;
			ds = (double)ns;
		} else if (vals) {
			st = noisy_real_sum(a, g, &grp->sum, &ds);
			if (st != PREP_OK)
				goto out;
		}
		if (a->p.kind == PREP_AGG_COUNT) {
			len =
			    (size_t)snprintf(text, sizeof text, "%" PRId64, nc);
		} else if (a->p.kind == PREP_AGG_SUM && integer) {
			len =
			    (size_t)snprintf(text, sizeof text, "%" PRId64, ns);
		} else {
			double v = ds;

			if (a->p.kind == PREP_AGG_MEAN) {
				/* post-processing: clamped to the bounds */
				v = ds / (double)(nc > 1 ? nc : 1);
				v = fmin(fmax(v, a->p.lo), a->p.hi) + 0.0;
			}
			st = format_decimal(a, v, text, sizeof text, &len);
			if (st != PREP_OK)
				goto out;
		}
		if (a->p.nby)
			decode_key(a, gi);
		st = emit(ctx, a->keyf, a->p.nby, text, len);
		if (st != PREP_OK)
			goto out;
		sm.released++;
		if (s)
			s->released = sm.released;
	}
	st = PREP_OK;
out:
	free(order);
	return st;
}
