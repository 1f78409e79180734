/*
 * test_aggregate.c: unit tests of libprep/aggregate.c, dpnoise's noisy
 * counts, sums and means by group.
 *
 * Written from the contract (aggregate.h, dpnoise(1) "Aggregate mode").
 * Exact results come from an epsilon so large that the noise is zero: the
 * integer mechanism's draw is nonzero with probability about
 * 2 exp(-epsilon/delta), nil for epsilon/delta >= 2^20. The real
 * mechanism is capped at epsilon 2^20, so its results are checked within
 * 40 b of the truth (b the Laplace scale the summary reports: a miss has
 * probability e^-40). Statistical claims (the random subset of an id's
 * rows, partition selection) run on a seeded generator with bounds many
 * standard deviations wide.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aggregate.h"

#define F(lit) ((prep_field){(lit), sizeof(lit) - 1})
#define ROW(...) ((const prep_field[]){__VA_ARGS__})
#define HUGE_EPS 0x1p30 /* integer mechanism: noise exactly 0 */
#define REAL_EPS 0x1p20 /* the real mechanism's largest epsilon */

static prep_agg *agg;
static prep_rng *rng;

/* What the emit callback saw: "key1|key2=value" per released group. */
#define MAX_LINES 512
static char lines[MAX_LINES][160];
static size_t nlines;

static void
setup(void)
{
	prep_status st = prep_rng_new_seeded(42, &rng);

	cr_assert_eq(st, PREP_OK, "prep_rng_new_seeded: %s", prep_strerror(st));
	nlines = 0;
}

static void
teardown(void)
{
	prep_agg_free(agg);
	agg = NULL;
	prep_rng_free(rng);
	rng = NULL;
}

TestSuite(aggregate, .init = setup, .fini = teardown);

static prep_status
collect(void *ctx, const prep_field *key, size_t nkey, const char *value,
	size_t len)
{
	char *o;
	size_t i, at = 0;

	cr_assert_null(ctx);
	cr_assert_not_null(key, "key must not be NULL, even with nkey 0");
	cr_assert_lt(nlines, MAX_LINES);
	o = lines[nlines++];
	for (i = 0; i < nkey; i++) {
		cr_assert_eq(key[i].data[key[i].len], '\0',
			     "key field not NUL-terminated");
		at += (size_t)snprintf(o + at, 160 - at, "%s%.*s", i ? "|" : "",
				       (int)key[i].len, key[i].data);
	}
	cr_assert_eq(value[len], '\0', "value not NUL-terminated");
	cr_assert_eq(strlen(value), len);
	snprintf(o + at, 160 - at, "=%.*s", (int)len, value);
	return PREP_OK;
}

static prep_status
fail_io(void *ctx, const prep_field *key, size_t nkey, const char *value,
	size_t len)
{
	(void)ctx;
	(void)key;
	(void)nkey;
	(void)value;
	(void)len;
	return PREP_ERR_IO;
}

/* Counts the released groups and checks they come sorted by key. */
static prep_status
count_only(void *ctx, const prep_field *key, size_t nkey, const char *value,
	   size_t len)
{
	static char last[64];
	size_t *n = ctx;

	(void)value;
	(void)len;
	cr_assert_eq(nkey, 1);
	cr_assert_lt(key[0].len, sizeof last);
	if (*n)
		cr_assert_gt(strcmp(key[0].data, last), 0, "not sorted");
	memcpy(last, key[0].data, key[0].len + 1);
	(*n)++;
	return PREP_OK;
}

static const size_t col0[] = {0}, col01[] = {0, 1};

/* Parameters of a count over the whole table, noise exactly zero. */
static prep_agg_params
count_params(void)
{
	prep_agg_params p;

	memset(&p, 0, sizeof p);
	p.kind = PREP_AGG_COUNT;
	p.groups = PREP_AGG_ONE;
	p.value = -1;
	p.id = -1;
	p.max_contrib = 1;
	p.epsilon = HUGE_EPS;
	p.digits = -1;
	return p;
}

/* A sum (or mean) of column 1 in [lo, hi], by column 0 with keys. */
static prep_agg_params
value_params(prep_agg_kind kind, double lo, double hi, double eps)
{
	prep_agg_params p = count_params();

	p.kind = kind;
	p.groups = PREP_AGG_KEYS;
	p.by = col0;
	p.nby = 1;
	p.value = 1;
	p.lo = lo;
	p.hi = hi;
	p.epsilon = eps;
	return p;
}

static void
mk(const prep_agg_params *p)
{
	prep_status st;

	prep_agg_free(agg);
	agg = NULL;
	st = prep_agg_new(p, &agg);
	cr_assert_eq(st, PREP_OK, "prep_agg_new: %s", prep_strerror(st));
	cr_assert_not_null(agg);
}

static void
bad_params(const prep_agg_params *p, const char *what)
{
	prep_agg *a = (prep_agg *)1;
	prep_status st = prep_agg_new(p, &a);

	cr_assert_eq(st, PREP_ERR_ARG, "%s: got %d (%s)", what, st,
		     prep_strerror(st));
	cr_assert_null(a, "%s: *out not cleared", what);
}

static void
add(const prep_field *row)
{
	size_t bad = 999;
	prep_status st = prep_agg_add_row(agg, rng, row, &bad);

	cr_assert_eq(st, PREP_OK, "prep_agg_add_row: %s", prep_strerror(st));
	cr_assert_eq(bad, 999, "bad set on success");
}

static void
key(const prep_field *k)
{
	prep_status st = prep_agg_add_key(agg, k);

	cr_assert_eq(st, PREP_OK, "prep_agg_add_key: %s", prep_strerror(st));
}

static prep_agg_summary
release(void)
{
	prep_agg_summary s;
	prep_status st;

	nlines = 0;
	st = prep_agg_release(agg, rng, collect, NULL, &s);
	cr_assert_eq(st, PREP_OK, "prep_agg_release: %s", prep_strerror(st));
	cr_assert_eq(s.released, nlines, "released %llu, emitted %zu",
		     (unsigned long long)s.released, nlines);
	return s;
}

/* The released value of a group (its "key=" prefix), or NULL. */
static const char *
value_of(const char *k)
{
	size_t n = strlen(k), i;

	for (i = 0; i < nlines; i++)
		if (strncmp(lines[i], k, n) == 0 && lines[i][n] == '=')
			return lines[i] + n + 1;
	return NULL;
}

/* A released decimal, read back; checks it is strict number text. */
static double
number_of(const char *k)
{
	const char *v = value_of(k);
	char *end;
	double d;

	cr_assert_not_null(v, "group %s not released", k);
	d = strtod(v, &end);
	cr_assert(*v && *end == '\0', "%s: not a number: '%s'", k, v);
	return d;
}

/* ---- parameters ---- */

Test(aggregate, parameter_errors)
{
	prep_agg_params p;
	prep_agg *a = (prep_agg *)1;

	cr_assert_eq(prep_agg_new(NULL, &a), PREP_ERR_ARG);
	cr_assert_null(a);

	p = count_params();
	p.value = 1;
	bad_params(&p, "count with a value column");
	p = count_params();
	p.kind = (prep_agg_kind)7;
	bad_params(&p, "unknown kind");
	p = count_params();
	p.groups = (prep_agg_groups)7;
	bad_params(&p, "unknown groups");

	p = value_params(PREP_AGG_SUM, 0, 10, 1);
	p.value = -1;
	bad_params(&p, "sum without value");
	p = value_params(PREP_AGG_MEAN, 0, 10, 1);
	p.value = -1;
	bad_params(&p, "mean without value");
	p = value_params(PREP_AGG_SUM, 10, 10, 1);
	bad_params(&p, "lo == hi");
	p = value_params(PREP_AGG_SUM, 10, 0, 1);
	bad_params(&p, "lo > hi");
	p = value_params(PREP_AGG_SUM, 0, INFINITY, 1);
	bad_params(&p, "infinite hi");
	p = value_params(PREP_AGG_SUM, NAN, 1, 1);
	bad_params(&p, "NaN lo");
	p = value_params(PREP_AGG_SUM, 0, 10, 0x1p21);
	bad_params(&p, "sum epsilon past the real mechanism's 2^20");
	p = value_params(PREP_AGG_MEAN, 0, 10, 0x1p21);
	mk(&p); /* mean: two shares of 2^20 each */

	p = count_params();
	p.nby = 1;
	p.by = col0;
	bad_params(&p, "--by columns without --by groups");
	p = count_params();
	p.groups = PREP_AGG_KEYS;
	bad_params(&p, "keys without columns");
	p.nby = 1;
	bad_params(&p, "keys with nby but by NULL");
	p = count_params();
	p.groups = PREP_AGG_SELECT;
	p.by = col0;
	p.nby = 1;
	p.delta = 0;
	bad_params(&p, "delta 0");
	p.delta = 1;
	bad_params(&p, "delta 1");
	p.delta = NAN;
	bad_params(&p, "delta NaN");
	p.delta = 1e-6;
	mk(&p);

	p = count_params();
	p.max_contrib = 2;
	bad_params(&p, "max_contrib 2 without id");
	p.max_contrib = 0;
	bad_params(&p, "max_contrib 0");
	p.id = 0;
	bad_params(&p, "max_contrib 0 with id");
	p.id = -2;
	p.max_contrib = 1;
	bad_params(&p, "id -2");

	p = count_params();
	p.epsilon = 0;
	bad_params(&p, "epsilon 0");
	p.epsilon = -1;
	bad_params(&p, "epsilon < 0");
	p.epsilon = INFINITY;
	bad_params(&p, "epsilon inf");
	p.epsilon = NAN;
	bad_params(&p, "epsilon NaN");

	p = count_params();
	p.digits = -2;
	bad_params(&p, "digits -2");
	p.digits = 101;
	bad_params(&p, "digits 101");
	p.max_groups = (1ULL << 31) + 1;
	p.digits = 0;
	bad_params(&p, "max_groups past 2^31");
}

Test(aggregate, call_errors)
{
	prep_agg_params p = count_params();
	prep_agg_summary s;

	mk(&p);
	/* keys only in keys mode */
	cr_assert_eq(prep_agg_add_key(agg, ROW(F("a"))), PREP_ERR_ARG);
	cr_assert_eq(prep_agg_release(agg, NULL, collect, NULL, &s),
		     PREP_ERR_ARG);
	cr_assert_eq(prep_agg_release(agg, rng, NULL, NULL, &s), PREP_ERR_ARG);
	/* a release happens once; no rows after it */
	release();
	cr_assert_eq(nlines, 1);
	cr_assert_eq(prep_agg_release(agg, rng, collect, NULL, &s),
		     PREP_ERR_ARG);
	cr_assert_eq(prep_agg_add_row(agg, rng, ROW(F("x")), NULL),
		     PREP_ERR_ARG);

	/* keys: no duplicates, none after the first row */
	p.groups = PREP_AGG_KEYS;
	p.by = col0;
	p.nby = 1;
	mk(&p);
	key(ROW(F("a")));
	cr_assert_eq(prep_agg_add_key(agg, ROW(F("a"))), PREP_ERR_ARG);
	cr_assert_eq(prep_agg_add_key(agg, NULL), PREP_ERR_ARG);
	add(ROW(F("a")));
	cr_assert_eq(prep_agg_add_key(agg, ROW(F("b"))), PREP_ERR_ARG);

	/* an id column needs a generator */
	p = count_params();
	p.id = 0;
	mk(&p);
	cr_assert_eq(prep_agg_add_row(agg, NULL, ROW(F("u")), NULL),
		     PREP_ERR_ARG);
	/* without one it is not used */
	p.id = -1;
	mk(&p);
	cr_assert_eq(prep_agg_add_row(agg, NULL, ROW(F("u")), NULL), PREP_OK);
}

/* ---- groups ---- */

Test(aggregate, one_group)
{
	prep_agg_params p = count_params();
	prep_agg_summary s;
	int i;

	mk(&p);
	for (i = 0; i < 5; i++)
		add(ROW(F("x")));
	s = release();
	cr_assert_eq(nlines, 1);
	cr_assert_str_eq(lines[0], "=5");
	cr_assert_eq(s.rows, 5);
	cr_assert_eq(s.rows_dropped, 0);
	cr_assert_eq(s.groups, 1);
	cr_assert_eq(s.released, 1);
	cr_assert_eq(s.count_epsilon, HUGE_EPS);
	cr_assert_eq(s.sum_epsilon, 0);
	cr_assert_eq(s.count_scale, 1 / HUGE_EPS);
	cr_assert_eq(s.sum_scale, 0);
	cr_assert_eq(s.threshold, 0);

	/* an empty table still has its one (public) group */
	mk(&p);
	s = release();
	cr_assert_eq(nlines, 1);
	cr_assert_str_eq(lines[0], "=0");
	cr_assert_eq(s.groups, 1);
}

Test(aggregate, keys_in_order_absent_ones_too)
{
	prep_agg_params p = count_params();
	prep_agg_summary s;

	p.groups = PREP_AGG_KEYS;
	p.by = col0;
	p.nby = 1;
	mk(&p);
	key(ROW(F("zeta")));
	key(ROW(F("alpha")));
	key(ROW(F("")));
	key(ROW(F("mid")));
	add(ROW(F("alpha")));
	add(ROW(F("other")));
	add(ROW(F("zeta")));
	add(ROW(F("alpha")));
	add(ROW(F("")));
	add(ROW(F("Alpha"))); /* bytes, not case-folded: not a key */
	s = release();
	cr_assert_eq(nlines, 4);
	cr_assert_str_eq(lines[0], "zeta=1");
	cr_assert_str_eq(lines[1], "alpha=2");
	cr_assert_str_eq(lines[2], "=1");
	cr_assert_str_eq(lines[3], "mid=0");
	cr_assert_eq(s.rows, 6);
	cr_assert_eq(s.rows_dropped, 2);
	cr_assert_eq(s.groups, 4);
	cr_assert_eq(s.released, 4);
}

Test(aggregate, keys_of_two_columns)
{
	prep_agg_params p = count_params();

	p.groups = PREP_AGG_KEYS;
	p.by = col01;
	p.nby = 2;
	mk(&p);
	key(ROW(F("a"), F("bc")));
	key(ROW(F("ab"), F("c")));
	/* the by columns are looked up in the row by index */
	add(ROW(F("ab"), F("c"), F("x")));
	add(ROW(F("ab"), F("c"), F("y")));
	add(ROW(F("a"), F("bc"), F("z")));
	add(ROW(F("abc"), F(""), F("z")));
	release();
	cr_assert_eq(nlines, 2);
	cr_assert_str_eq(lines[0], "a|bc=1");
	cr_assert_str_eq(lines[1], "ab|c=2");
}

Test(aggregate, negative_counts_are_released)
{
	prep_agg_params p = count_params();
	char name[8];
	int i, negative = 0;

	p.groups = PREP_AGG_KEYS;
	p.by = col0;
	p.nby = 1;
	p.epsilon = 0.5; /* scale 2: P(noisy 0 < 0) = 0.30 each */
	mk(&p);
	for (i = 0; i < 40; i++) {
		prep_field k = {name, 0};

		k.len = (size_t)snprintf(name, sizeof name, "k%d", i);
		key(&k);
	}
	release();
	cr_assert_eq(nlines, 40);
	for (i = 0; i < 40; i++)
		if (atoi(strchr(lines[i], '=') + 1) < 0)
			negative++;
	/* P(none of 40 negative) = 0.7^40 < 1e-6 */
	cr_assert_gt(negative, 0, "negative counts clamped?");
}

/* ---- partition selection ---- */

/* tau for N = 1, computed apart from the library. */
static double
tau1(double eps, double delta)
{
	return 1 + log(1 / ((1 + exp(-eps)) * delta)) / eps;
}

Test(aggregate, selection_releases_big_groups_only)
{
	prep_agg_params p = count_params();
	prep_agg_summary s;
	uint64_t seed;
	int i;

	p.groups = PREP_AGG_SELECT;
	p.by = col0;
	p.nby = 1;
	p.epsilon = 1;
	p.delta = 1e-6;
	/* tau = 1 + ln(1/((1+e^-1) 1e-6)) = 14.49; noise scale 1 */
	for (seed = 1; seed <= 30; seed++) {
		prep_rng_free(rng);
		cr_assert_eq(prep_rng_new_seeded(seed, &rng), PREP_OK);
		mk(&p);
		for (i = 0; i < 500; i++) {
			add(ROW(F("big")));
			add(ROW(F("Big")));
		}
		add(ROW(F("tiny")));
		add(ROW(F("two")));
		add(ROW(F("two")));
		s = release();
		cr_assert_float_eq(s.threshold, tau1(1, 1e-6), 1e-9);
		cr_assert_gt(s.threshold, 14.4);
		cr_assert_lt(s.threshold, 14.6);
		cr_assert_eq(s.count_epsilon, 1);
		cr_assert_eq(s.groups, 4);
		/* P(noise < -485) ~ e^-485; P(tiny or two released) < 1e-6 */
		cr_assert_eq(nlines, 2, "seed %llu: %zu groups released",
			     (unsigned long long)seed, nlines);
		cr_assert_eq(s.released, 2);
		/* sorted by key bytes, not by first appearance */
		cr_assert_eq(strncmp(lines[0], "Big=", 4), 0);
		cr_assert_eq(strncmp(lines[1], "big=", 4), 0);
		cr_assert_lt(fabs(number_of("big") - 500), 40);
		cr_assert_lt(fabs(number_of("Big") - 500), 40);
	}
}

Test(aggregate, selection_threshold_is_strict_and_exact_at_huge_epsilon)
{
	prep_agg_params p = count_params();
	prep_agg_summary s;
	int i;

	p.groups = PREP_AGG_SELECT;
	p.by = col0;
	p.nby = 1;
	p.delta = 1e-6;
	/* tau = 1 + 13.8/2^30: one row is not enough, two are */
	mk(&p);
	add(ROW(F("one")));
	for (i = 0; i < 2; i++)
		add(ROW(F("two")));
	s = release();
	cr_assert_gt(s.threshold, 1);
	cr_assert_lt(s.threshold, 1.0001);
	cr_assert_eq(nlines, 1);
	cr_assert_str_eq(lines[0], "two=2");
}

Test(aggregate, tiny_delta_releases_nothing_small)
{
	prep_agg_params p = count_params();
	prep_agg_summary s;
	int i;

	p.groups = PREP_AGG_SELECT;
	p.by = col0;
	p.nby = 1;
	p.epsilon = 1;
	p.delta = 1e-300; /* tau = 1 + 690.5 */
	mk(&p);
	for (i = 0; i < 100; i++)
		add(ROW(F("a")));
	for (i = 0; i < 5; i++)
		add(ROW(F("b")));
	s = release();
	cr_assert_float_eq(s.threshold, tau1(1, 1e-300), 1e-9);
	cr_assert_eq(nlines, 0);
	cr_assert_eq(s.released, 0);
	cr_assert_eq(s.groups, 2);
}

Test(aggregate, selection_threshold_with_max_contrib)
{
	prep_agg_params p = count_params();
	prep_agg_summary s;
	double n = 4, b, alpha, want;

	p.groups = PREP_AGG_SELECT;
	p.by = col0;
	p.nby = 1;
	p.id = 1;
	p.max_contrib = 4;
	p.epsilon = 2;
	p.delta = 1e-5;
	mk(&p);
	s = release();
	/* tau = N + b ln(N / ((1 + alpha) delta)), b = N/eps, alpha = e^-1/b */
	b = n / 2;
	alpha = exp(-1 / b);
	want = n + b * log(n / ((1 + alpha) * 1e-5));
	cr_assert_float_eq(s.threshold, want, 1e-9);
	cr_assert_float_eq(s.count_scale, 2.0, 1e-12);
	/* and never below the continuous N + b ln(N / (2 delta)) */
	cr_assert_geq(s.threshold, n + b * log(n / (2 * 1e-5)));
}

Test(aggregate, selection_with_sum_splits_epsilon)
{
	prep_agg_params p = value_params(PREP_AGG_SUM, 0, 10, 2 * REAL_EPS);
	prep_agg_summary s;
	int i;

	p.groups = PREP_AGG_SELECT;
	p.delta = 1e-9;
	mk(&p);
	for (i = 0; i < 3; i++)
		add(ROW(F("g"), F("7")));
	add(ROW(F("h"), F("1")));
	s = release();
	cr_assert_eq(s.count_epsilon, REAL_EPS);
	cr_assert_eq(s.sum_epsilon, REAL_EPS);
	cr_assert_eq(s.sum_integer, 1);
	/* count 3 > tau ~ 1, count 1 not */
	cr_assert_eq(nlines, 1);
	cr_assert_str_eq(lines[0], "g=21");
}

/* ---- contribution bounding ---- */

Test(aggregate, max_contrib_bounds_an_id)
{
	prep_agg_params p = count_params();
	prep_agg_summary s;
	int i;

	p.groups = PREP_AGG_KEYS;
	p.by = col0;
	p.nby = 1;
	p.id = 1;
	p.max_contrib = 3;
	mk(&p);
	key(ROW(F("A")));
	key(ROW(F("B")));
	for (i = 0; i < 10; i++)
		add(ROW(F("A"), F("u1")));
	add(ROW(F("A"), F("u2")));
	add(ROW(F("B"), F("u2")));
	add(ROW(F("C"), F("u3"))); /* outside the keys: not u3's quota */
	s = release();
	cr_assert_str_eq(value_of("A"), "4");
	cr_assert_str_eq(value_of("B"), "1");
	cr_assert_eq(s.rows, 13);
	cr_assert_eq(s.rows_dropped, 8);
	cr_assert_eq(s.count_scale, 3 / HUGE_EPS);
}

Test(aggregate, max_contrib_across_groups)
{
	prep_agg_params p = count_params();
	prep_agg_summary s;
	int i;

	p.groups = PREP_AGG_SELECT;
	p.by = col0;
	p.nby = 1;
	p.delta = 1e-6;
	p.id = 1;
	p.max_contrib = 2;
	mk(&p);
	/* u1: 5 rows in A, 5 in B, keeps 2; 40 others one row each in C */
	for (i = 0; i < 5; i++) {
		add(ROW(F("A"), F("u1")));
		add(ROW(F("B"), F("u1")));
	}
	for (i = 0; i < 40; i++) {
		char id[8];
		prep_field f = {id, 0};

		f.len = (size_t)snprintf(id, sizeof id, "v%d", i);
		add(ROW(F("C"), f));
	}
	s = release();
	cr_assert_eq(s.rows, 50);
	cr_assert_eq(s.rows_dropped, 8);
	cr_assert_str_eq(value_of("C"), "40");
	/* tau ~ 2: A and B together hold 2 rows, so neither clears it */
	cr_assert_null(value_of("A"));
	cr_assert_null(value_of("B"));
	cr_assert_eq(s.groups, 3);
}

/* Algorithm R keeps each of an id's t rows with probability N/t. */
Test(aggregate, reservoir_is_uniform)
{
	prep_agg_params p = count_params();
	static const char *names[10] = {"g0", "g1", "g2", "g3", "g4",
					"g5", "g6", "g7", "g8", "g9"};
	long kept[10] = {0};
	int trial, i, total;

	p.groups = PREP_AGG_KEYS;
	p.by = col0;
	p.nby = 1;
	p.id = 1;
	p.max_contrib = 3;
	for (trial = 0; trial < 3000; trial++) {
		mk(&p);
		for (i = 0; i < 10; i++) {
			prep_field k = {names[i], 2};

			key(&k);
		}
		for (i = 0; i < 10; i++) {
			prep_field r[2] = {{names[i], 2}, F("u")};

			add(r);
		}
		release();
		cr_assert_eq(nlines, 10);
		total = 0;
		for (i = 0; i < 10; i++) {
			int c = atoi(strchr(lines[i], '=') + 1);

			cr_assert(c == 0 || c == 1);
			kept[i] += c;
			total += c;
		}
		cr_assert_eq(total, 3);
	}
	/* mean 900, sd sqrt(3000 .3 .7) = 25.1: 6 sd */
	for (i = 0; i < 10; i++)
		cr_assert_lt(labs(kept[i] - 900), 151,
			     "group %d kept %ld times", i, kept[i]);
}

/*
 * The subset an id keeps is a function of the subset key, the id and its
 * own rows in their order: the rows of other ids between them (which
 * draw too) change nothing. So the part of an input that holds all of
 * an id's rows keeps the subset a run over the whole input keeps.
 */
Test(aggregate, subset_depends_on_the_id_alone)
{
	prep_agg_params p = count_params();
	static const char *names[11] = {"g0", "g1", "g2", "g3", "g4", "g5",
					"g6", "g7", "g8", "g9", "h0"};
	char seen[2][11][160];
	int run, i, j, kept = 0;

	p.groups = PREP_AGG_KEYS;
	p.by = col0;
	p.nby = 1;
	p.id = 1;
	p.max_contrib = 2;
	for (run = 0; run < 3; run++) {
		prep_rng_free(rng);
		cr_assert_eq(prep_rng_new_seeded(5, &rng), PREP_OK);
		mk(&p);
		for (i = 0; i < 11; i++) {
			prep_field k = {names[i], 2};

			key(&k);
		}
		/* the third run leaves the key to the first row */
		if (run < 2)
			cr_assert_eq(prep_agg_draw_subset_key(agg, rng),
				     PREP_OK);
		for (i = 0; i < 10; i++) {
			prep_field r[2] = {{names[i], 2}, F("u")};

			add(r);
			/* in the first run, 7 rows of v in h0 after each */
			for (j = 0; run == 0 && j < 7; j++)
				add(ROW(F("h0"), F("v")));
		}
		release();
		cr_assert_eq(nlines, 11);
		for (i = 0; i < 10; i++) {
			if (run == 0)
				memcpy(seen[0][i], lines[i], 160);
			else
				cr_assert_str_eq(lines[i], seen[0][i], "run %d",
						 run);
			kept += run == 0 && strcmp(lines[i] + 3, "1") == 0;
		}
		cr_assert_str_eq(lines[10], run == 0 ? "h0=2" : "h0=0");
	}
	cr_assert_eq(kept, 2);
}

Test(aggregate, empty_id_is_one_contributor)
{
	prep_agg_params p = count_params();
	prep_agg_summary s;

	p.id = 0;
	mk(&p);
	add(ROW(F("")));
	add(ROW(F("")));
	add(ROW(F("")));
	s = release();
	cr_assert_str_eq(lines[0], "=1");
	cr_assert_eq(s.rows_dropped, 2);
}

/* ---- sums ---- */

Test(aggregate, integer_sum_is_exact)
{
	prep_agg_params p = value_params(PREP_AGG_SUM, 0, 10, REAL_EPS);
	prep_agg_summary s;

	mk(&p);
	key(ROW(F("a")));
	key(ROW(F("b")));
	key(ROW(F("c")));
	add(ROW(F("a"), F("1")));
	add(ROW(F("a"), F("+2")));
	add(ROW(F("a"), F("003")));
	add(ROW(F("a"), F("")));    /* empty: ignored */
	add(ROW(F("b"), F("100"))); /* clamped to 10 */
	add(ROW(F("b"), F("-5")));  /* clamped to 0 */
	add(ROW(F("b"), F("7")));
	add(ROW(F("b"), F("99999999999999999999999"))); /* 10 */
	add(ROW(F("x"), F("4")));			/* not a key */
	s = release();
	cr_assert_eq(s.sum_integer, 1);
	cr_assert_eq(s.count_epsilon, 0);
	cr_assert_eq(s.sum_epsilon, REAL_EPS);
	cr_assert_eq(s.sum_scale, 10 / REAL_EPS);
	cr_assert_eq(nlines, 3);
	cr_assert_str_eq(lines[0], "a=6");
	cr_assert_str_eq(lines[1], "b=27");
	cr_assert_str_eq(lines[2], "c=0");
	cr_assert_eq(s.rows, 9);
	cr_assert_eq(s.rows_dropped, 2);
}

Test(aggregate, negative_bounds)
{
	prep_agg_params p = value_params(PREP_AGG_SUM, -20, -5, REAL_EPS);
	prep_agg_summary s;

	p.groups = PREP_AGG_ONE;
	p.by = NULL;
	p.nby = 0;
	mk(&p);
	add(ROW(F(""), F("-7")));
	add(ROW(F(""), F("-100"))); /* -20 */
	add(ROW(F(""), F("3")));    /* -5 */
	s = release();
	cr_assert_eq(s.sum_scale, 20 / REAL_EPS);
	cr_assert_str_eq(lines[0], "=-32");
}

Test(aggregate, decimal_value_uses_the_real_mechanism)
{
	prep_agg_params p = value_params(PREP_AGG_SUM, 0, 10, REAL_EPS);
	prep_agg_summary s;

	p.real_values = 1; /* bounds written 0:10.0 */
	mk(&p);
	key(ROW(F("a")));
	add(ROW(F("a"), F("1.5")));
	add(ROW(F("a"), F("2")));
	add(ROW(F("a"), F("3")));
	add(ROW(F("a"), F("1e1")));   /* 10, but not written as an integer */
	add(ROW(F("a"), F("12.75"))); /* 10 */
	s = release();
	cr_assert_eq(s.sum_integer, 0);
	cr_assert_float_eq(s.sum_scale, 10 / REAL_EPS, 1e-18);
	cr_assert_lt(fabs(number_of("a") - 26.5), 40 * s.sum_scale);
}

/* Whole bounds: an integer sum whatever the values look like, each value
 * rounded to the nearest integer (1.5 -> 2, ties to even; 12.75 -> 10). */
Test(aggregate, whole_bounds_round_decimal_values)
{
	prep_agg_params p = value_params(PREP_AGG_SUM, 0, 10, REAL_EPS);
	prep_agg_summary s;

	mk(&p);
	key(ROW(F("a")));
	add(ROW(F("a"), F("1.5")));
	add(ROW(F("a"), F("2.4")));
	add(ROW(F("a"), F("12.75")));
	s = release();
	cr_assert_eq(s.sum_integer, 1);
	cr_assert_lt(fabs(number_of("a") - 14), 40 * s.sum_scale);
	cr_assert_gt(fabs(number_of("a") - 14.65), 0.3);
}

Test(aggregate, decimal_bounds_use_the_real_mechanism)
{
	prep_agg_params p = value_params(PREP_AGG_SUM, 0, 10.5, REAL_EPS);
	prep_agg_summary s;

	mk(&p);
	key(ROW(F("a")));
	add(ROW(F("a"), F("1")));
	add(ROW(F("a"), F("20")));
	s = release();
	cr_assert_eq(s.sum_integer, 0);
	cr_assert_float_eq(s.sum_scale, 10.5 / REAL_EPS, 1e-18);
	cr_assert_lt(fabs(number_of("a") - 11.5), 40 * s.sum_scale);
}

Test(aggregate, real_sum_is_exact_before_noise)
{
	/*
	 * 0.1 + 0.2 + 0.3 as doubles in two orders: a floating-point sum
	 * depends on the order (0.6000000000000001 vs 0.6); the released
	 * values must agree once the same noise is drawn.
	 */
	prep_agg_params p = value_params(PREP_AGG_SUM, 0, 1, 0.001);
	char first[160];
	int i;

	for (i = 0; i < 2; i++) {
		prep_rng_free(rng);
		cr_assert_eq(prep_rng_new_seeded(7, &rng), PREP_OK);
		mk(&p);
		key(ROW(F("a")));
		if (i == 0) {
			add(ROW(F("a"), F("0.1")));
			add(ROW(F("a"), F("0.2")));
			add(ROW(F("a"), F("0.3")));
		} else {
			add(ROW(F("a"), F("0.3")));
			add(ROW(F("a"), F("0.2")));
			add(ROW(F("a"), F("0.1")));
		}
		release();
		if (i == 0)
			memcpy(first, lines[0], sizeof first);
		else
			cr_assert_str_eq(lines[0], first);
	}
}

/*
 * The sum is exact before it is rounded once to the grid r: 1e15 + 0.1 -
 * 1e15 + 0.1 + 0.1 + 0.1 releases what 0.4 alone does (four times the
 * double 0.1 is the double 0.4), with the same noise. A double loop gives
 * 0.125 + 0.3 for the first; rounding each value to a grid on which 1e15
 * is exact, 2^-3, gives 0.5 against 0.375 for 0.4 alone: 512 and 384
 * steps r = 2^-10, where the exact 0.4 is 410.
 */
Test(aggregate, real_sum_cancels_exactly)
{
	prep_agg_params p = value_params(PREP_AGG_SUM, -1e15, 1e15, REAL_EPS);
	char first[160];
	int i;

	p.real_values = 1;
	for (i = 0; i < 2; i++) {
		prep_rng_free(rng);
		cr_assert_eq(prep_rng_new_seeded(3, &rng), PREP_OK);
		mk(&p);
		key(ROW(F("a")));
		if (i == 0) {
			add(ROW(F("a"), F("1e15")));
			add(ROW(F("a"), F("0.1")));
			add(ROW(F("a"), F("-1e15")));
			add(ROW(F("a"), F("0.1")));
			add(ROW(F("a"), F("0.1")));
			add(ROW(F("a"), F("0.1")));
		} else {
			add(ROW(F("a"), F("0.4")));
		}
		release();
		if (i == 0)
			memcpy(first, lines[0], sizeof first);
		else
			cr_assert_str_eq(lines[0], first);
	}
}

Test(aggregate, real_sum_scale_with_max_contrib)
{
	prep_agg_params p = value_params(PREP_AGG_SUM, 0, 10, 1);
	prep_agg_summary s;

	p.id = 2;
	p.max_contrib = 3;
	p.real_values = 1;
	mk(&p);
	key(ROW(F("a")));
	add(ROW(F("a"), F("0.5"), F("u")));
	s = release();
	cr_assert_eq(s.sum_integer, 0);
	/*
	 * 30, plus 2 grid steps of 2^-35 for the rounding of 3 groups, plus
	 * the one step r the noise's own scale (delta + r)/epsilon adds.
	 */
	cr_assert_geq(s.sum_scale, 30 + 3 * 0x1p-35);
	cr_assert_lt(s.sum_scale, 30 + 4 * 0x1p-35);
}

Test(aggregate, integer_sum_with_ids)
{
	prep_agg_params p = value_params(PREP_AGG_SUM, 0, 100, REAL_EPS);
	prep_agg_summary s;
	int i;

	p.id = 2;
	p.max_contrib = 2;
	mk(&p);
	key(ROW(F("a")));
	/* u1's three rows all 50: two kept whichever they are */
	for (i = 0; i < 3; i++)
		add(ROW(F("a"), F("50"), F("u1")));
	add(ROW(F("a"), F("7"), F("u2")));
	s = release();
	cr_assert_eq(s.sum_integer, 1);
	cr_assert_eq(s.sum_scale, 200 / REAL_EPS);
	cr_assert_str_eq(lines[0], "a=107");
	cr_assert_eq(s.rows_dropped, 1);
}

Test(aggregate, bad_values)
{
	static const prep_field bad[] = {
	    F("abc"), F(" 1"),	F("1 "), F("1,5"), F("0x10"),
	    F("inf"), F("nan"), F("1e"), F("--1"), F("."),
	};
	prep_agg_params p = value_params(PREP_AGG_SUM, 0, 10, 1);
	prep_agg_summary s;
	size_t i, col;

	mk(&p);
	key(ROW(F("a")));
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		prep_field r[2] = {F("a"), bad[i]};

		col = 99;
		cr_assert_eq(prep_agg_add_row(agg, rng, r, &col),
			     PREP_ERR_VALUE, "'%.*s' accepted", (int)bad[i].len,
			     bad[i].data);
		cr_assert_eq(col, 1);
	}
	/* rows outside the keys are checked too */
	col = 99;
	cr_assert_eq(prep_agg_add_row(agg, rng, ROW(F("zz"), F("x")), &col),
		     PREP_ERR_VALUE);
	cr_assert_eq(col, 1);
	/* a magnitude past DBL_MAX is a number: clamped */
	add(ROW(F("a"), F("1e999")));
	add(ROW(F("a"), F("-1e999")));
	s = release();
	cr_assert_eq(s.rows, 2, "refused rows counted");
	cr_assert_lt(fabs(number_of("a") - 10), 40 * s.sum_scale);
}

Test(aggregate, integer_sum_overflow)
{
	prep_agg_params p =
	    value_params(PREP_AGG_SUM, 0, 9007199254740992.0, 1);
	prep_agg_summary s;
	prep_status st;
	int i;

	p.groups = PREP_AGG_ONE;
	p.nby = 0;
	p.by = NULL;
	mk(&p);
	/* 1025 * 2^53 > 2^63 - 1 */
	for (i = 0; i < 1025; i++)
		add(ROW(F(""), F("9007199254740992")));
	st = prep_agg_release(agg, rng, collect, NULL, &s);
	cr_assert_eq(st, PREP_ERR_RANGE, "got %s", prep_strerror(st));
	cr_assert_eq(nlines, 0);

	/* 1000 fit, with room for the noise (scale 2^53) */
	mk(&p);
	for (i = 0; i < 1000; i++)
		add(ROW(F(""), F("9007199254740992")));
	s = release();
	cr_assert_eq(s.sum_integer, 1);
	cr_assert_eq(nlines, 1);
}

/* ---- means ---- */

Test(aggregate, mean)
{
	prep_agg_params p = value_params(PREP_AGG_MEAN, 0, 10, 2 * REAL_EPS);
	prep_agg_summary s;

	mk(&p);
	key(ROW(F("a")));
	key(ROW(F("none")));
	add(ROW(F("a"), F("1")));
	add(ROW(F("a"), F("2")));
	add(ROW(F("a"), F("")));
	add(ROW(F("a"), F("3")));
	add(ROW(F("a"), F("4")));
	s = release();
	cr_assert_eq(s.count_epsilon, REAL_EPS);
	cr_assert_eq(s.sum_epsilon, REAL_EPS);
	cr_assert_eq(s.sum_integer, 1);
	cr_assert_str_eq(value_of("a"), "2.5");
	/* 0/0: noisy sum / max(1, noisy count) = 0 */
	cr_assert_str_eq(value_of("none"), "0");
	cr_assert_eq(s.rows_dropped, 1);

	/* clamped to the bounds: 0 -> 1 */
	p.lo = 1;
	p.digits = 2;
	mk(&p);
	key(ROW(F("a")));
	key(ROW(F("none")));
	add(ROW(F("a"), F("1")));
	add(ROW(F("a"), F("2")));
	release();
	cr_assert_str_eq(value_of("a"), "1.50");
	cr_assert_str_eq(value_of("none"), "1.00");
}

Test(aggregate, mean_of_decimals)
{
	prep_agg_params p = value_params(PREP_AGG_MEAN, 0, 1, 2 * REAL_EPS);
	prep_agg_summary s;

	p.real_values = 1;
	mk(&p);
	key(ROW(F("a")));
	add(ROW(F("a"), F("0.1")));
	add(ROW(F("a"), F("0.25")));
	s = release();
	cr_assert_eq(s.sum_integer, 0);
	cr_assert_lt(fabs(number_of("a") - 0.175), 40 * s.sum_scale);
}

/* ---- caps ---- */

Test(aggregate, caps)
{
	prep_agg_params p = count_params();

	p.groups = PREP_AGG_SELECT;
	p.by = col0;
	p.nby = 1;
	p.delta = 1e-6;
	p.max_groups = 2;
	mk(&p);
	add(ROW(F("a")));
	add(ROW(F("b")));
	cr_assert_eq(prep_agg_add_row(agg, rng, ROW(F("c")), NULL),
		     PREP_ERR_LIMIT);
	add(ROW(F("a"))); /* known groups still count */

	p.groups = PREP_AGG_KEYS;
	mk(&p);
	key(ROW(F("a")));
	key(ROW(F("b")));
	cr_assert_eq(prep_agg_add_key(agg, ROW(F("c"))), PREP_ERR_LIMIT);

	p = count_params();
	p.id = 0;
	p.max_ids = 2;
	mk(&p);
	add(ROW(F("u1")));
	add(ROW(F("u2")));
	cr_assert_eq(prep_agg_add_row(agg, rng, ROW(F("u3")), NULL),
		     PREP_ERR_LIMIT);
	add(ROW(F("u1")));
}

Test(aggregate, many_groups_and_ids)
{
	prep_agg_params p = count_params();
	prep_agg_summary s;
	char g[16], id[16];
	size_t n = 0;
	int i;

	/* past the first growth of every table */
	p.groups = PREP_AGG_SELECT;
	p.by = col0;
	p.nby = 1;
	p.delta = 1e-6;
	p.id = 1;
	mk(&p);
	for (i = 0; i < 5000; i++) {
		prep_field r[2] = {{g, 0}, {id, 0}};

		r[0].len = (size_t)snprintf(g, sizeof g, "g%04d", i % 2500);
		r[1].len = (size_t)snprintf(id, sizeof id, "u%d", i);
		add(r);
	}
	cr_assert_eq(prep_agg_release(agg, rng, count_only, &n, &s), PREP_OK);
	cr_assert_eq(s.groups, 2500);
	cr_assert_eq(s.rows, 5000);
	cr_assert_eq(s.rows_dropped, 0);
	/* two rows each: every group clears tau ~ 1 */
	cr_assert_eq(s.released, 2500);
	cr_assert_eq(n, 2500);
}

Test(aggregate, emit_error_stops_release)
{
	prep_agg_params p = count_params();
	prep_agg_summary s;

	mk(&p);
	cr_assert_eq(prep_agg_release(agg, rng, fail_io, NULL, &s),
		     PREP_ERR_IO);
	cr_assert_eq(s.released, 0);
}

Test(aggregate, same_seed_same_release)
{
	prep_agg_params p = value_params(PREP_AGG_SUM, 0, 10, 0.5);
	char first[3][160];
	int run, i;

	for (run = 0; run < 2; run++) {
		prep_rng_free(rng);
		cr_assert_eq(prep_rng_new_seeded(99, &rng), PREP_OK);
		mk(&p);
		key(ROW(F("a")));
		key(ROW(F("b")));
		key(ROW(F("c")));
		add(ROW(F("a"), F("2.5")));
		add(ROW(F("b"), F("4")));
		release();
		for (i = 0; i < 3; i++) {
			if (run == 0)
				memcpy(first[i], lines[i], 160);
			else
				cr_assert_str_eq(lines[i], first[i]);
		}
	}
}

/* ---- the keys file, and the output as CSV ---- */

static char dir[256];

static void
dir_make(void)
{
	const char *tmp = getenv("TMPDIR");

	if (tmp == NULL || *tmp == '\0' || strlen(tmp) > 200)
		tmp = "/tmp";
	snprintf(dir, sizeof dir, "%s/test_aggregate.XXXXXX", tmp);
	cr_assert_not_null(mkdtemp(dir));
}

static void
dir_remove(void)
{
	char p[512];
	struct dirent *d;
	DIR *dp = opendir(dir);

	if (dp == NULL)
		return;
	while ((d = readdir(dp)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, d->d_name);
		unlink(p);
	}
	closedir(dp);
	rmdir(dir);
}

/* dir/name holding text; the path, in a static buffer. */
static const char *
put_file(const char *name, const char *text)
{
	static char p[512];
	FILE *f;

	snprintf(p, sizeof p, "%s/%s", dir, name);
	f = fopen(p, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(text, 1, strlen(text), f), strlen(text));
	cr_assert_eq(fclose(f), 0);
	return p;
}

/* A prep_writer of commas and LF on dir/out.csv. */
static prep_writer *
out_open(int *fd)
{
	char p[512];
	prep_writer_options wo = {',', 0, 0, 0, 0, 0};
	prep_writer *w;

	snprintf(p, sizeof p, "%s/out.csv", dir);
	*fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(*fd >= 0);
	cr_assert_eq(prep_writer_new(*fd, &wo, &w), PREP_OK);
	return w;
}

/* Finish w and check that dir/out.csv holds exactly want. */
static void
out_check(prep_writer *w, int fd, const char *want)
{
	char p[512], got[1024];
	size_t n;
	FILE *f;

	cr_assert_eq(prep_writer_finish(w), PREP_OK);
	prep_writer_free(w);
	close(fd);
	snprintf(p, sizeof p, "%s/out.csv", dir);
	f = fopen(p, "rb");
	cr_assert_not_null(f);
	n = fread(got, 1, sizeof got - 1, f);
	fclose(f);
	got[n] = '\0';
	cr_assert_str_eq(got, want);
}

static prep_agg_params
keys_params(const size_t *by, size_t nby)
{
	prep_agg_params p = count_params();

	p.groups = PREP_AGG_KEYS;
	p.by = by;
	p.nby = nby;
	return p;
}

/* The input's header: id, g, x. */
static const prep_field in_header[] = {{"id", 2}, {"g", 1}, {"x", 1}};
static const size_t col1[] = {1}, col20[] = {2, 0};

static prep_status
load(const char *path, const prep_field *h, prep_where *w, size_t *f1,
     size_t *f2)
{
	prep_csv_options o;

	prep_csv_options_init(&o);
	o.delim = ',';
	return prep_agg_load_keys(agg, path, &o, h, w, f1, f2);
}

Test(aggregate, kind_names)
{
	cr_assert_str_eq(prep_agg_kind_name(PREP_AGG_COUNT), "count");
	cr_assert_str_eq(prep_agg_kind_name(PREP_AGG_SUM), "sum");
	cr_assert_str_eq(prep_agg_kind_name(PREP_AGG_MEAN), "mean");
}

/*
 * The keys file's column g (its second) gives the keys a, b, z in that
 * order; its column x is not a key column and is ignored. Rows a, a, b
 * and q (not a key: dropped) count 2, 1 and 0, exactly (noise 0).
 */
Test(aggregate, keys_file_and_csv_output, .init = dir_make, .fini = dir_remove)
{
	prep_agg_params p = keys_params(col1, 1);
	prep_where w;
	prep_writer *out;
	prep_agg_summary sm;
	int fd;

	mk(&p);
	cr_assert_eq(load(put_file("k.csv", "x,g\n1,a\n2,b\n3,z\n"), in_header,
			  &w, NULL, NULL),
		     PREP_OK);
	add(ROW(F("1"), F("a"), F("p")));
	add(ROW(F("2"), F("a"), F("p")));
	add(ROW(F("3"), F("b"), F("p")));
	add(ROW(F("4"), F("q"), F("p")));
	out = out_open(&fd);
	cr_assert_eq(prep_agg_write_header(agg, out, in_header), PREP_OK);
	cr_assert_eq(prep_agg_release_csv(agg, rng, out, &sm), PREP_OK);
	out_check(out, fd, "g,count\na,2\nb,1\nz,0\n");
	cr_assert_eq(sm.released, 3);
}

/* Two key columns, x then id, found by name in another order. */
Test(aggregate, keys_file_two_columns, .init = dir_make, .fini = dir_remove)
{
	prep_agg_params p = keys_params(col20, 2);
	prep_where w;
	prep_writer *out;
	int fd;

	mk(&p);
	cr_assert_eq(load(put_file("k.csv", "id,junk,x\n1,j,p\n2,j,p\n"),
			  in_header, &w, NULL, NULL),
		     PREP_OK);
	add(ROW(F("2"), F("a"), F("p")));
	add(ROW(F("2"), F("b"), F("p")));
	add(ROW(F("1"), F("c"), F("q")));
	out = out_open(&fd);
	cr_assert_eq(prep_agg_write_header(agg, out, in_header), PREP_OK);
	cr_assert_eq(prep_agg_release_csv(agg, rng, out, NULL), PREP_OK);
	out_check(out, fd, "x,id,count\np,1,0\np,2,2\n");
}

/* Without a header (-H) the file's first columns are the key columns. */
Test(aggregate, keys_file_without_header, .init = dir_make, .fini = dir_remove)
{
	prep_agg_params p = keys_params(col1, 1);
	prep_where w;

	mk(&p);
	cr_assert_eq(
	    load(put_file("k.csv", "b,extra\na,extra\n"), NULL, &w, NULL, NULL),
	    PREP_OK);
	add(ROW(F("1"), F("a"), F("p")));
	release();
	cr_assert_eq(nlines, 2);
	cr_assert_str_eq(lines[0], "b=0");
	cr_assert_str_eq(lines[1], "a=1");

	p = keys_params(col20, 2);
	mk(&p);
	cr_assert_eq(load(put_file("k1.csv", "a\n"), NULL, &w, NULL, NULL),
		     PREP_ERR_COLUMN);
	cr_assert_eq(w.line, 0);
	cr_assert_str_eq(w.file, put_file("k1.csv", "a\n"));
}

Test(aggregate, keys_file_errors, .init = dir_make, .fini = dir_remove)
{
	prep_agg_params p = keys_params(col20, 2);
	prep_where w;
	size_t f1 = 99, f2 = 99;
	char path[512];

	mk(&p);
	cr_assert_eq(
	    load(put_file("dup.csv", "x,id,x\n"), in_header, &w, &f1, &f2),
	    PREP_ERR_HEADER_MISMATCH);
	cr_assert_eq(f1, 0);
	cr_assert_eq(f2, 2);
	cr_assert_eq(w.line, 1);
	cr_assert_str_eq(w.file, put_file("dup.csv", "x,id,x\n"));

	/* x is there, id is not: key column 1 */
	mk(&p);
	cr_assert_eq(
	    load(put_file("nocol.csv", "x,y\n1,2\n"), in_header, &w, &f1, NULL),
	    PREP_ERR_COLUMN);
	cr_assert_eq(f1, 1);
	cr_assert_eq(w.line, 0);
	mk(&p);
	f1 = 99;
	cr_assert_eq(load(put_file("empty.csv", ""), in_header, &w, &f1, NULL),
		     PREP_ERR_COLUMN);
	cr_assert_eq(f1, 0);

	mk(&p);
	cr_assert_eq(load(put_file("rep.csv", "x,id\np,1\np,2\np,1\n"),
			  in_header, &w, NULL, NULL),
		     PREP_ERR_ARG);
	cr_assert_eq(w.line, 4);

	mk(&p);
	cr_assert_eq(load(put_file("quote.csv", "x,id\n\"p,1\n"), in_header, &w,
			  NULL, NULL),
		     PREP_ERR_UNCLOSED_QUOTE);
	cr_assert_eq(w.line, 2);

	mk(&p);
	snprintf(path, sizeof path, "%s/missing.csv", dir);
	errno = 0;
	cr_assert_eq(load(path, in_header, &w, NULL, NULL), PREP_ERR_IO);
	cr_assert_eq(errno, ENOENT);
	cr_assert_eq(w.line, 0);
	cr_assert_str_eq(w.file, path);
}

/* The text of prep_agg_report on the current table and summary s. */
static char *
report_of(const prep_agg_summary *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cr_assert_not_null(f);
	cr_assert_eq(prep_agg_report(agg, s, "dpnoise", f), PREP_OK);
	cr_assert_eq(fclose(f), 0);
	return text;
}

/*
 * A count by partition selection, epsilon 1, delta 1e-6, one row per
 * person: b = 1, bound 3 (2 e^-4 / (1 + e^-1) = 0.027 <= 0.05 <
 * 2 e^-3 / (1 + e^-1)); tau = 1 + ln(1 / ((1 + e^-1) 1e-6)) = 14.5022.
 * Group a has 200 rows, b one: only a clears tau (b would need noise
 * above 13, probability about e^-13.5).
 */
Test(aggregate, report_selection)
{
	prep_agg_params p = count_params();
	prep_agg_summary sm;
	char *text;
	int i;

	p.groups = PREP_AGG_SELECT;
	p.by = col0;
	p.nby = 1;
	p.epsilon = 1;
	p.delta = 1e-6;
	mk(&p);
	for (i = 0; i < 200; i++)
		add(ROW(F("a")));
	add(ROW(F("b")));
	sm = release();
	text = report_of(&sm);
	cr_assert_str_eq(text,
			 "dpnoise: laplace (integer) on count: epsilon 1, "
			 "scale b 1, 95% error bound 3\n"
			 "dpnoise: partition selection: threshold 14.5022, 1 "
			 "group released\n");
	free(text);
}

/*
 * A mean over [0, 10], epsilon 2 with keys: epsilon 1 for the count (b
 * = 1, bound 3) and 1 for the sum (b = 10 max(|lo|, |hi|) / 1 = 10, the
 * integer mechanism: bound 30, 2 a^31 / (1 + a) = 0.047 <= 0.05 < 2 a^30
 * / (1 + a), a = e^-0.1). No selection line with keys.
 */
Test(aggregate, report_mean)
{
	prep_agg_params p = value_params(PREP_AGG_MEAN, 0, 10, 2);
	prep_agg_summary sm;
	char *text;

	mk(&p);
	key(ROW(F("a")));
	add(ROW(F("a"), F("5")));
	sm = release();
	text = report_of(&sm);
	cr_assert_str_eq(text,
			 "dpnoise: laplace (integer) on count: epsilon 1, "
			 "scale b 1, 95% error bound 3\n"
			 "dpnoise: laplace (integer) on sum: epsilon 1, scale "
			 "b 10, 95% error bound 30\n");
	free(text);
}

/* The message of every fault of prep_agg_load_keys, from real files. */
Test(aggregate, keys_file_error_texts, .init = dir_make, .fini = dir_remove)
{
	prep_agg_params p = keys_params(col20, 2);
	prep_where w;
	size_t f1 = 99, f2 = 99;
	prep_status st;
	char *t, path[512];

	mk(&p);
	st = load(put_file("dup.csv", "x,id,x\n"), in_header, &w, &f1, &f2);
	t = prep_agg_keys_strerror(st, &w, in_header, col20, f1, f2);
	cr_assert_str_eq(
	    t, "fields 1 and 3 of the header have the same name: rename one");
	free(t);

	/* key column 1 is input column 0, named id */
	mk(&p);
	st = load(put_file("nocol.csv", "x,y\n1,2\n"), in_header, &w, &f1, &f2);
	t = prep_agg_keys_strerror(st, &w, in_header, col20, f1, f2);
	cr_assert_str_eq(t, "no column 'id' in its header");
	free(t);

	mk(&p);
	st = load(put_file("rep.csv", "x,id\np,1\np,1\n"), in_header, &w, &f1,
		  &f2);
	t = prep_agg_keys_strerror(st, &w, in_header, col20, f1, f2);
	cr_assert_str_eq(t, "the same key twice");
	free(t);

	mk(&p);
	st = load(put_file("quote.csv", "x,id\n\"p,1\n"), in_header, &w, &f1,
		  &f2);
	t = prep_agg_keys_strerror(st, &w, in_header, col20, f1, f2);
	cr_assert_str_eq(t, "unclosed quote at end of input");
	free(t);

	mk(&p);
	snprintf(path, sizeof path, "%s/missing.csv", dir);
	st = load(path, in_header, &w, &f1, &f2);
	t = prep_agg_keys_strerror(st, &w, in_header, col20, f1, f2);
	cr_assert_str_eq(t, "No such file or directory");
	free(t);

	/* without a header: fewer columns than the two key columns */
	mk(&p);
	st = load(put_file("one.csv", "a\n"), NULL, &w, &f1, &f2);
	t = prep_agg_keys_strerror(st, &w, NULL, col20, f1, f2);
	cr_assert_str_eq(t, "fewer columns than --by");
	free(t);

	/* an I/O error on a later record has no errno to tell */
	w.line = 7;
	t = prep_agg_keys_strerror(PREP_ERR_IO, &w, in_header, col20, 0, 0);
	cr_assert_str_eq(t, "I/O error");
	free(t);
}

/* The defaults of prep_agg_params_init, field by field, and the bounds. */
Test(aggregate, params_init_and_bounds)
{
	prep_agg_params p;
	prep_bounds b;

	memset(&p, 0x5a, sizeof p);
	prep_agg_params_init(&p, PREP_AGG_MEAN, 0.75);
	cr_assert_eq(p.kind, PREP_AGG_MEAN);
	cr_assert_eq(p.groups, PREP_AGG_ONE);
	cr_assert_null(p.by);
	cr_assert_eq(p.nby, 0);
	cr_assert_eq(p.value, -1);
	cr_assert_eq(p.lo, 0);
	cr_assert_eq(p.hi, 0);
	cr_assert_eq(p.real_values, 0);
	cr_assert_eq(p.id, -1);
	cr_assert_eq(p.max_contrib, 1);
	cr_assert_eq(p.epsilon, 0.75);
	cr_assert_eq(p.delta, 0);
	cr_assert_eq(p.digits, -1);
	cr_assert_eq(p.max_groups, 0);
	cr_assert_eq(p.max_ids, 0);
	cr_assert_null(p.missing);

	cr_assert_eq(prep_bounds_parse("-2:10", &b), PREP_OK);
	prep_agg_params_bounds(&p, &b);
	cr_assert_eq(p.lo, -2);
	cr_assert_eq(p.hi, 10);
	cr_assert_eq(p.real_values, 0);
	cr_assert_eq(prep_bounds_parse("0:2.5", &b), PREP_OK);
	prep_agg_params_bounds(&p, &b);
	cr_assert_eq(p.lo, 0);
	cr_assert_eq(p.hi, 2.5);
	cr_assert_eq(p.real_values, 1);

	/* a count over the whole input, as init leaves it, is valid */
	prep_agg_params_init(&p, PREP_AGG_COUNT, 1);
	mk(&p);
}
