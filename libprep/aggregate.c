/*
 * aggregate.c: differentially private counts, sums and means by group,
 * dpnoise's aggregate mode (see aggregate.h for the contract).
 *
 * Groups and contributor ids live in two keyed-hash sets of byte strings
 * (strset.h). Without an id column every row is added
 * to its group as it comes; with one, each id keeps a reservoir of at most
 * max_contrib (group, value) pairs (Vitter, "Random Sampling with a
 * Reservoir", ACM TOMS 1985, Algorithm R) and the groups are summed from
 * the reservoirs at release.
 *
 * Sums are exact. A value is clamped to [lo, hi] and written as an integer
 * multiple q of g = 2^(ilogb(max(|lo|,|hi|)) - 52), a grid on which that
 * bound is exact, so |q g| <= max(|lo|,|hi|); the q are added in 128-bit
 * integers. Neither the order of the rows nor floating-point rounding can
 * then move a sum by more than the sensitivity the noise is scaled to
 * (Casacuberta et al., "Widespread Underestimation of Sensitivity in
 * Differentially Private Libraries", CCS 2022). The real mechanism's grid
 * step r is applied to the exact sum in integers too, and the noise is
 * added there: the released value is (K + i) r.
 *
 * Relies on noise.h for the mechanisms and the random subset, on
 * text.h for the number syntax, and on strset.h for the tables.
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
#include "buf.h"
#include "columns.h"
#include "memcap.h"
#include "strset.h"
#include "text.h"

typedef __int128 i128;
typedef unsigned __int128 u128;

#define DEFAULT_MAX ((uint64_t)10000000)
#define TABLE_MAX ((uint64_t)1 << 31)
#define CONTRIB_MAX ((uint64_t)UINT32_MAX)
#define DIGITS_MAX 100
#define TWO53 9007199254740992.0

struct group {
	uint64_t count; /* rows (with a value, for sum and mean) */
	i128 sum;	/* in units of g */
};

/* One kept row of an id. */
struct entry {
	uint32_t group;
	int64_t q;
};

struct idrec {
	uint64_t seen; /* rows of this id so far */
	struct entry *res;
	uint32_t cap;	  /* of res */
	struct entry one; /* the reservoir when max_contrib is 1 */
};

struct prep_agg {
	prep_agg_params p;
	size_t *by;
	prep_buf scratch;
	prep_field *keyf; /* a decoded key for emit */

	double max;  /* max(|lo|, |hi|) */
	int gexp;    /* g = 2^gexp */
	int ibounds; /* lo, hi whole, and N max <= 2^53 */
	double count_eps, sum_eps;
	prep_laplace *count_m, *sum_int_m, *sum_real_m;

	prep_strset groups;
	struct group *gs;
	size_t gs_cap;
	prep_strset ids;
	struct idrec *idr;
	size_t idr_cap;

	uint64_t rows, dropped;
	int started;  /* a row was added: no more keys */
	int released; /* prep_agg_release was called */
};

/*
 * A group's key: each field as a varint length, its bytes and a NUL (so
 * that ("ab","c") and ("a","bc") differ, and a decoded field is a C
 * string). fields[idx[i]] or, without idx, fields[i].
 */
static prep_status
encode_key(prep_agg *a, const prep_field *fields, const size_t *idx)
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

/* The next field of an encoded key at *p; moves *p past it. */
static prep_field
decode_field(const unsigned char **p)
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
		a->keyf[i] = decode_field(&p);
}

/* Make room for group gi's counters. */
static prep_status
reserve_groups(prep_agg *a, size_t n)
{
	struct group *g;
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

/* A new or known group of the key in a->scratch. */
static prep_status
find_group(prep_agg *a, int add, size_t *gi)
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
		a->gexp = ilogb(a->max) - 52;
		a->ibounds = !p->real_values && whole53(p->lo) &&
			     whole53(p->hi) &&
			     (uint64_t)a->max <= (1ULL << 53) / p->max_contrib;
		if (a->ibounds) {
			if (a->gexp > 0)
				a->gexp = 0;
			st = prep_laplace_new_int(a->sum_eps, n * a->max,
						  &a->sum_int_m);
		}
		if (st == PREP_OK)
			st = make_real(a, &a->sum_real_m);
	}
	/* the whole table's group, released even without rows */
	if (st == PREP_OK && p->groups == PREP_AGG_ONE &&
	    (st = encode_key(a, NULL, NULL)) == PREP_OK)
		st = find_group(a, 1, &gi);
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
	prep_memcap_free(a->gs, a->gs_cap * sizeof *a->gs);
	prep_strset_free(&a->groups);
	prep_laplace_free(a->count_m);
	prep_laplace_free(a->sum_int_m);
	prep_laplace_free(a->sum_real_m);
	prep_buf_free(&a->scratch);
	free(a->keyf);
	free(a->by);
	free(a);
}

prep_status
prep_agg_add_key(prep_agg *a, const prep_field *key)
{
	prep_status st;
	size_t gi;

	if (a == NULL || key == NULL || a->p.groups != PREP_AGG_KEYS ||
	    a->started || a->released)
		return PREP_ERR_ARG;
	if ((st = encode_key(a, key, NULL)) != PREP_OK)
		return st;
	st = find_group(a, 0, &gi);
	if (st == PREP_OK)
		return PREP_ERR_ARG; /* the same key twice */
	if (st != PREP_ERR_NOT_FOUND)
		return st;
	return find_group(a, 1, &gi);
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
 * The value of a row as q, a multiple of g: clamped to [lo, hi], then
 * rounded to the grid (to whole numbers for an integer sum). *empty for
 * a missing value (the empty field by default).
 */
static prep_status
read_value(prep_agg *a, const prep_field *f, int64_t *q, int *empty)
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
	/* |v| <= max < 2^(gexp + 53): exact scaling, |q| <= 2^53 */
	*q = (int64_t)nearbyint(ldexp(v, -a->gexp));
	return PREP_OK;
}

static void
group_add(struct group *g, int64_t q)
{
	g->count++;
	g->sum += q;
}

/*
 * Keep one row of id i in its reservoir (Algorithm R): the t-th row takes
 * slot t-1 while there is room, later a uniform j in [0, t) and replaces
 * slot j when j < N. Either way one row of the id is then dropped.
 */
static prep_status
reservoir_add(prep_agg *a, prep_rng *g, struct idrec *r, struct entry e)
{
	uint64_t n = a->p.max_contrib, t = r->seen + 1, j;
	struct entry *res = n == 1 ? &r->one : r->res;
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
		if ((st = prep_rng_uniform(g, t, &j)) != PREP_OK)
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
	int64_t q = 0;
	size_t gi = 0, ii;
	prep_status st;
	struct entry e;

	if (a == NULL || row == NULL || a->released ||
	    (a->p.id >= 0 && g == NULL))
		return PREP_ERR_ARG;
	vals = a->p.kind != PREP_AGG_COUNT;
	if (vals) {
		st = read_value(a, &row[a->p.value], &q, &empty);
		if (st != PREP_OK) {
			if (bad)
				*bad = (size_t)a->p.value;
			return st;
		}
	}
	drop = empty;
	if (!drop && a->p.groups != PREP_AGG_ONE) {
		if ((st = encode_key(a, row, a->by)) != PREP_OK)
			return st;
		st = find_group(a, a->p.groups == PREP_AGG_SELECT, &gi);
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
		group_add(&a->gs[gi], q);
	} else {
		const prep_field *f = &row[a->p.id];

		if (a->ids.n == a->idr_cap && a->ids.n < a->ids.max) {
			size_t cap = a->idr_cap ? a->idr_cap * 2 : 1024;
			struct idrec *r =
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
		e.q = q;
		if ((st = reservoir_add(a, g, &a->idr[ii], e)) != PREP_OK)
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
		prep_field f = decode_field(&p), h = decode_field(&q);
		size_t n = f.len < h.len ? f.len : h.len;
		int c = n ? memcmp(f.data, h.data, n) : 0;

		if (c)
			return c;
		if (f.len != h.len)
			return f.len < h.len ? -1 : 1;
	}
	return 0;
}

/* The order of release: keys as given; selected groups sorted by key. */
static prep_status
release_order(prep_agg *a, size_t **order)
{
	size_t n = a->groups.n, i;
	struct keyref *k;
	size_t *o;

	*order = o = malloc((n ? n : 1) * sizeof *o);
	if (o == NULL)
		return PREP_ERR_NOMEM;
	for (i = 0; i < n; i++)
		o[i] = i;
	if (a->p.groups != PREP_AGG_SELECT || n < 2)
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
 * The real mechanism on an exact sum S g: K = S g / r rounded to the
 * nearest integer (halves away from zero), released as (K + i) r.
 */
static prep_status
noisy_real_sum(prep_agg *a, prep_rng *g, i128 s, double *out)
{
	int k = ilogb(prep_laplace_granularity(a->sum_real_m));
	int shift = k - a->gexp;
	u128 mag = s < 0 ? -(u128)s : (u128)s;
	i128 kk;
	int64_t i;
	prep_status st;
	double x;

	if (shift > 0) {
		if (shift >= 120) /* |S| < 2^118 */
			mag = 0;
		else
			mag = (mag + ((u128)1 << (shift - 1))) >> shift;
	} else if (shift < 0) {
		if (-shift >= 64 || mag > ((u128)1 << (126 + shift)))
			return PREP_ERR_RANGE;
		mag <<= -shift;
	}
	kk = s < 0 ? -(i128)mag : (i128)mag;
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

/* Sum the reservoirs of the ids into their groups. */
static void
collect_reservoirs(prep_agg *a)
{
	size_t i, j, n;

	for (i = 0; i < a->ids.n; i++) {
		const struct idrec *r = &a->idr[i];
		const struct entry *res =
		    a->p.max_contrib == 1 ? &r->one : r->res;

		n = r->seen < a->p.max_contrib ? (size_t)r->seen
					       : (size_t)a->p.max_contrib;
		for (j = 0; j < n; j++)
			group_add(&a->gs[res[j].group], res[j].q);
	}
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

	if (a->p.id >= 0)
		collect_reservoirs(a);
	if ((st = release_order(a, &order)) != PREP_OK)
		return st;
	for (k = 0; k < a->groups.n; k++) {
		/*
		 * order holds a->groups.n indexes; emit cannot add groups
		 * (a->released), which the analyzer cannot see through it.
		 */
		/* NOLINTNEXTLINE(clang-analyzer-core.uninitialized.*) */
		const struct group *grp = &a->gs[order[k]];
		int64_t nc = 0, ns = 0, c;
		double ds = 0;

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
			/* the q are v 2^-gexp, gexp <= 0: exact division */
			if ((st = to_int64(grp->sum / ((i128)1 << -a->gexp),
					   &ns)) != PREP_OK ||
			    (st = prep_laplace_add_int(a->sum_int_m, g, ns,
						       &ns)) != PREP_OK)
				goto out;
			ds = (double)ns;
		} else if (vals) {
			st = noisy_real_sum(a, g, grp->sum, &ds);
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
