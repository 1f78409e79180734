/*
 * test_sketch_kll.c: unit tests of libprep/sketch_kll.c, the KLL quantile
 * sketch behind profile's numeric columns and drift's distances.
 *
 * Exact answers while nothing was compacted (checked against a sort of
 * the input); then the rank error on 10^6 values, a permutation of
 * 0..10^6-1 and a heavy-tailed Pareto sample full of ties, measured as the
 * largest |estimated - true rank| over a grid of 1000 query points and
 * held to the stated bound, 2.296 / k^0.9723 (DataSketches' fit to the
 * 99th percentile of that maximum: a single run with a fixed seed passes
 * with about 99% confidence, and these seeds do). Negative controls: a
 * sketch of k = 8 on the same data, and ranks moved by twice the bound,
 * fail that check. Merges (two halves, 100 parts, small exact ones, into
 * itself), determinism, the JSON round trip and each corruption
 * from_json must refuse, the edges (q = 0 and 1, NaN, empty), the memory
 * bound of the header and the memcap.h budget.
 *
 * The measured maxima are logged (run with --verbose to see them).
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memcap.h"
#include "noise.h"
#include "sketch_kll.h"

#define N 1000000
#define GRID 1000

static prep_kll *
new_sketch(uint32_t k, uint64_t seed)
{
	prep_kll *s = NULL;

	cr_assert_eq(prep_kll_new(k, seed, &s), PREP_OK);
	cr_assert_not_null(s);
	return s;
}

static void
add_all(prep_kll *s, const double *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		cr_assert_eq(prep_kll_add(s, v[i]), PREP_OK);
}

/* 0..n-1 in an order shuffled by Fisher-Yates from the seeded generator. */
static double *
permutation(size_t n, uint64_t seed)
{
	double *v = malloc(n * sizeof *v), t;
	prep_rng *g;
	uint64_t j;
	size_t i;

	cr_assert_not_null(v);
	cr_assert_eq(prep_rng_new_seeded(seed, &g), PREP_OK);
	for (i = 0; i < n; i++)
		v[i] = (double)i;
	for (i = n - 1; i > 0; i--) {
		cr_assert_eq(prep_rng_uniform(g, i + 1, &j), PREP_OK);
		t = v[i];
		v[i] = v[j];
		v[j] = t;
	}
	prep_rng_free(g);
	return v;
}

/*
 * Pareto with shape 1.16 (the "80/20" tail), rounded down to integers:
 * floor(u^(-1/1.16)), u uniform in (0, 1]. P(1) = 1 - 2^-1.16 = 55%, and
 * the largest of 10^6 is near 10^6^(1/1.16) = 1.5 10^5: skewed, and full
 * of ties.
 */
static double *
pareto(size_t n, uint64_t seed)
{
	double *v = malloc(n * sizeof *v), u;
	prep_rng *g;
	uint64_t x;
	size_t i;

	cr_assert_not_null(v);
	cr_assert_eq(prep_rng_new_seeded(seed, &g), PREP_OK);
	for (i = 0; i < n; i++) {
		cr_assert_eq(prep_rng_u64(g, &x), PREP_OK);
		u = (double)((x >> 11) + 1) * 0x1p-53;
		v[i] = floor(pow(u, -1 / 1.16));
	}
	prep_rng_free(g);
	return v;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double *
sorted_copy(const double *v, size_t n)
{
	double *c = malloc(n * sizeof *c);

	cr_assert_not_null(c);
	memcpy(c, v, n * sizeof *c);
	qsort(c, n, sizeof *c, cmp_double);
	return c;
}

/* The true rank of x: the fraction of sorted[0..n) that is <= x. */
static double
true_rank(const double *sorted, size_t n, double x)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (sorted[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (double)lo / (double)n;
}

/*
 * The largest |estimated rank + shift - true rank| over GRID query points:
 * the values at ranks (i + 0.5)/GRID of the data, and the midpoints
 * between neighbours there (points that are no value of the data).
 */
static double
max_rank_error(const prep_kll *s, const double *sorted, size_t n, double shift)
{
	double worst = 0, x, e;
	size_t i, at;

	for (i = 0; i < GRID; i++) {
		at = (size_t)(((double)i + 0.5) * (double)n / GRID);
		x = sorted[at];
		if (i % 2 && at + 1 < n)
			x = (x + sorted[at + 1]) / 2;
		e = fabs(prep_kll_rank(s, x) + shift - true_rank(sorted, n, x));
		if (e > worst)
			worst = e;
	}
	return worst;
}

/*
 * The largest |true rank of quantile(q) - q| over q = (i + 0.5)/GRID,
 * the true rank of a value taken as the middle of its run of ties.
 */
static double
max_quantile_error(const prep_kll *s, const double *sorted, size_t n)
{
	double worst = 0, q, x, hi, lo, e;
	size_t i;

	for (i = 0; i < GRID; i++) {
		q = ((double)i + 0.5) / GRID;
		cr_assert_eq(prep_kll_quantile(s, q, &x), PREP_OK);
		hi = true_rank(sorted, n, x);
		lo = true_rank(sorted, n, nextafter(x, -INFINITY));
		/* q within [lo, hi]: no error */
		e = q < lo ? lo - q : q > hi ? q - hi : 0;
		if (e > worst)
			worst = e;
	}
	return worst;
}

static char *
text(const prep_kll *s)
{
	json_t *j = prep_kll_to_json(s);
	char *t;

	cr_assert_not_null(j);
	t = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER |
			      JSON_REAL_PRECISION(17));
	cr_assert_not_null(t);
	json_decref(j);
	return t;
}

/* The stated bound, by the formula of sketch_kll.h. */
static double
bound(uint32_t k)
{
	return 2.296 / pow(k, 0.9723);
}

Test(sketch_kll, exact_while_small)
{
	/* 150 values, some repeated, in no order */
	double v[150], *sorted, x, q;
	prep_kll *s = new_sketch(PREP_KLL_DEFAULT_K, 1);
	size_t i, n = 150, r;

	for (i = 0; i < n; i++)
		v[i] = (double)((i * 37) % 101) - 50.5;
	sorted = sorted_copy(v, n);
	add_all(s, v, n);
	cr_assert_eq(prep_kll_count(s), n);
	cr_assert_eq(prep_kll_retained(s), n);
	cr_assert_eq(prep_kll_levels(s), 1);
	cr_assert_eq(prep_kll_rank_error(s), 0);
	cr_assert_eq(prep_kll_pmf_error(s), 0);
	cr_assert_eq(prep_kll_min(s), sorted[0]);
	cr_assert_eq(prep_kll_max(s), sorted[n - 1]);
	/* quantile(q) is the ceil(q n)-th smallest: q = r/n and just above */
	for (r = 1; r <= n; r++) {
		q = (double)r / (double)n;
		cr_assert_eq(prep_kll_quantile(s, q, &x), PREP_OK);
		cr_assert_eq(x, sorted[r - 1], "q=%zu/150: %g, not %g", r, x,
			     sorted[r - 1]);
		if (r < n) {
			cr_assert_eq(prep_kll_quantile(s, nextafter(q, 1), &x),
				     PREP_OK);
			cr_assert_eq(x, sorted[r]);
		}
	}
	/* 0.3 of 10 equal-weight items is the 3rd, not the 4th */
	{
		prep_kll *t = new_sketch(16, 1);

		for (i = 1; i <= 10; i++)
			cr_assert_eq(prep_kll_add(t, (double)i), PREP_OK);
		cr_assert_eq(prep_kll_quantile(t, 0.3, &x), PREP_OK);
		cr_assert_eq(x, 3);
		cr_assert_eq(prep_kll_quantile(t, 0.7, &x), PREP_OK);
		cr_assert_eq(x, 7);
		prep_kll_free(t);
	}
	/* ranks at every value and between them, against a count */
	for (i = 0; i < 110; i++) {
		x = (double)i - 55.0;
		cr_assert_eq(prep_kll_rank(s, x), true_rank(sorted, n, x));
		x += 0.5;
		cr_assert_eq(prep_kll_rank(s, x), true_rank(sorted, n, x));
	}
	free(sorted);
	prep_kll_free(s);
}

/* k items fit C(1) = k; the (k+1)-th compacts, and the bound appears. */
Test(sketch_kll, first_compaction_at_k_plus_one)
{
	prep_kll *s = new_sketch(8, 3);
	int i;

	for (i = 0; i < 8; i++)
		cr_assert_eq(prep_kll_add(s, i), PREP_OK);
	cr_assert_eq(prep_kll_rank_error(s), 0);
	cr_assert_eq(prep_kll_retained(s), 8);
	cr_assert_eq(prep_kll_add(s, 8), PREP_OK);
	cr_assert_eq(prep_kll_levels(s), 2);
	/* level 0's 8 items became 4 of weight 2; then the new item */
	cr_assert_eq(prep_kll_retained(s), 5);
	cr_assert_eq(prep_kll_rank_error(s), bound(8));
	cr_assert_eq(prep_kll_pmf_error(s), 2.446 / pow(8, 0.9433));
	cr_assert_eq(prep_kll_count(s), 9);
	cr_assert_eq(prep_kll_min(s), 0);
	cr_assert_eq(prep_kll_max(s), 8);
	prep_kll_free(s);
}

Test(sketch_kll, rank_error_on_a_permutation)
{
	double *v = permutation(N, 11), *sorted = sorted_copy(v, N);
	prep_kll *s = new_sketch(PREP_KLL_DEFAULT_K, 12);
	double eps, err, qerr;

	add_all(s, v, N);
	eps = prep_kll_rank_error(s);
	cr_assert_eq(eps, bound(200));
	cr_assert(eps > 0.0132 && eps < 0.0134, "%g", eps);
	err = max_rank_error(s, sorted, N, 0);
	qerr = max_quantile_error(s, sorted, N);
	cr_log_info("permutation of 10^6, k=200: max rank error %.6f, "
		    "quantile %.6f, bound %.6f; %zu items in %zu levels",
		    err, qerr, eps, prep_kll_retained(s), prep_kll_levels(s));
	cr_assert(err <= eps, "max rank error %g > %g", err, eps);
	cr_assert(qerr <= eps, "max quantile error %g > %g", qerr, eps);
	/* a sketch, not a copy: some error there is */
	cr_assert(err > 0);
	/* negative control: ranks moved by twice the bound fail the check */
	cr_assert(max_rank_error(s, sorted, N, 2 * eps) > eps);
	cr_assert_eq(prep_kll_min(s), 0);
	cr_assert_eq(prep_kll_max(s), N - 1);
	prep_kll_free(s);
	/* negative control: k = 8 is far off the bound of k = 200 */
	s = new_sketch(8, 12);
	add_all(s, v, N);
	err = max_rank_error(s, sorted, N, 0);
	cr_log_info("permutation of 10^6, k=8: max rank error %.6f (its "
		    "bound %.6f)",
		    err, prep_kll_rank_error(s));
	cr_assert(err > eps, "k=8: %g", err);
	cr_assert(err <= prep_kll_rank_error(s));
	prep_kll_free(s);
	free(sorted);
	free(v);
}

Test(sketch_kll, rank_error_on_a_skewed_sample)
{
	double *v = pareto(N, 21), *sorted = sorted_copy(v, N);
	prep_kll *s = new_sketch(PREP_KLL_DEFAULT_K, 22);
	double eps, err, qerr;

	/* the sample is as skewed as said */
	cr_assert(true_rank(sorted, N, 1) > 0.54);
	cr_assert(sorted[N - 1] > 1e4);
	add_all(s, v, N);
	eps = prep_kll_rank_error(s);
	err = max_rank_error(s, sorted, N, 0);
	qerr = max_quantile_error(s, sorted, N);
	cr_log_info("Pareto(1.16) 10^6, k=200: max rank error %.6f, "
		    "quantile %.6f, bound %.6f",
		    err, qerr, eps);
	cr_assert(err <= eps, "max rank error %g > %g", err, eps);
	cr_assert(qerr <= eps, "max quantile error %g > %g", qerr, eps);
	cr_assert_eq(prep_kll_min(s), sorted[0]);
	cr_assert_eq(prep_kll_max(s), sorted[N - 1]);
	prep_kll_free(s);
	s = new_sketch(8, 22);
	add_all(s, v, N);
	cr_assert(max_rank_error(s, sorted, N, 0) > eps);
	prep_kll_free(s);
	free(sorted);
	free(v);
}

/* sketch_kll.h's bound: C(L) <= 3k + 8L items, L <= 2 + log2(n/k). */
Test(sketch_kll, memory_bound)
{
	prep_kll *s = new_sketch(PREP_KLL_DEFAULT_K, 5);
	uint64_t i;
	size_t most = 0, L;

	for (i = 0; i < N; i++) {
		cr_assert_eq(prep_kll_add(s, (double)(i * 7919 % N)), PREP_OK);
		if (prep_kll_retained(s) > most)
			most = prep_kll_retained(s);
		L = prep_kll_levels(s);
		if (i + 1 > 200)
			cr_assert(L <= 2 + log2((double)(i + 1) / 200));
		cr_assert(prep_kll_retained(s) <= 3 * 200 + 8 * L);
	}
	cr_log_info("k=200, 10^6 items: at most %zu retained, %zu levels", most,
		    prep_kll_levels(s));
	prep_kll_free(s);
}

Test(sketch_kll, merge_of_two_halves)
{
	double *v = permutation(N, 31), *sorted = sorted_copy(v, N);
	prep_kll *a = new_sketch(PREP_KLL_DEFAULT_K, 32);
	prep_kll *b = new_sketch(PREP_KLL_DEFAULT_K, 33);
	char *before, *after;
	double err;

	add_all(a, v, N / 2);
	add_all(b, v + N / 2, N - N / 2);
	before = text(b);
	cr_assert_eq(prep_kll_merge(a, b), PREP_OK);
	after = text(b);
	cr_assert_str_eq(before, after, "from changed");
	cr_assert_eq(prep_kll_count(a), N);
	cr_assert_eq(prep_kll_min(a), 0);
	cr_assert_eq(prep_kll_max(a), N - 1);
	err = max_rank_error(a, sorted, N, 0);
	cr_log_info("two halves merged: max rank error %.6f, bound %.6f", err,
		    prep_kll_rank_error(a));
	cr_assert(err <= prep_kll_rank_error(a), "%g", err);
	cr_assert(max_quantile_error(a, sorted, N) <= prep_kll_rank_error(a));
	free(before);
	free(after);
	prep_kll_free(a);
	prep_kll_free(b);
	free(sorted);
	free(v);
}

Test(sketch_kll, merge_of_100_parts)
{
	double *v = pareto(N, 41), *sorted = sorted_copy(v, N);
	prep_kll *all = new_sketch(PREP_KLL_DEFAULT_K, 42), *p;
	size_t i, part = N / 100;
	uint64_t total_weight = 0, *w;
	double *x, err;
	size_t m;

	for (i = 0; i < 100; i++) {
		p = new_sketch(PREP_KLL_DEFAULT_K, 100 + i);
		add_all(p, v + i * part, part);
		cr_assert_eq(prep_kll_merge(all, p), PREP_OK);
		prep_kll_free(p);
	}
	cr_assert_eq(prep_kll_count(all), N);
	cr_assert_eq(prep_kll_min(all), sorted[0]);
	cr_assert_eq(prep_kll_max(all), sorted[N - 1]);
	err = max_rank_error(all, sorted, N, 0);
	cr_log_info("100 parts merged: max rank error %.6f, bound %.6f; %zu "
		    "items",
		    err, prep_kll_rank_error(all), prep_kll_retained(all));
	cr_assert(err <= prep_kll_rank_error(all), "%g", err);
	cr_assert(prep_kll_retained(all) <= 3 * 200 + 8 * prep_kll_levels(all));
	/* the sorted view: ascending, distinct, weights summing to n */
	cr_assert_eq(prep_kll_sorted(all, &x, &w, &m), PREP_OK);
	for (i = 0; i < m; i++) {
		cr_assert(i == 0 || x[i - 1] < x[i]);
		total_weight += w[i];
	}
	cr_assert_eq(total_weight, N);
	free(x);
	free(w);
	prep_kll_free(all);
	free(sorted);
	free(v);
}

/* Merging sketches that were never compacted is exact, if it fits. */
Test(sketch_kll, merge_of_small_sketches_exact)
{
	prep_kll *a = new_sketch(200, 1), *b = new_sketch(200, 2);
	double x;
	int i;

	for (i = 0; i < 60; i++) {
		cr_assert_eq(prep_kll_add(a, 2 * i), PREP_OK);
		cr_assert_eq(prep_kll_add(b, 2 * i + 1), PREP_OK);
	}
	cr_assert_eq(prep_kll_merge(a, b), PREP_OK);
	cr_assert_eq(prep_kll_count(a), 120);
	cr_assert_eq(prep_kll_rank_error(a), 0);
	for (i = 0; i < 120; i++)
		cr_assert_eq(prep_kll_rank(a, i), (i + 1) / 120.0);
	cr_assert_eq(prep_kll_quantile(a, 0.5, &x), PREP_OK);
	cr_assert_eq(x, 59);
	/* into itself: every item twice */
	cr_assert_eq(prep_kll_merge(a, a), PREP_OK);
	cr_assert_eq(prep_kll_count(a), 240);
	cr_assert(fabs(prep_kll_rank(a, 59) - 0.5) <= prep_kll_rank_error(a));
	cr_assert_eq(prep_kll_min(a), 0);
	cr_assert_eq(prep_kll_max(a), 119);
	/* past C(1) = 200: compacted, no longer exact */
	cr_assert(prep_kll_retained(a) <= 3 * 200 + 8 * prep_kll_levels(a));
	cr_assert(prep_kll_rank_error(a) > 0);
	prep_kll_free(a);
	prep_kll_free(b);
}

Test(sketch_kll, merge_edges)
{
	prep_kll *a = new_sketch(200, 1), *b = new_sketch(100, 2);
	prep_kll *e = new_sketch(200, 3);
	char *t0, *t1;

	cr_assert_eq(prep_kll_add(a, 5), PREP_OK);
	cr_assert_eq(prep_kll_add(b, 6), PREP_OK);
	cr_assert_eq(prep_kll_merge(a, b), PREP_ERR_ARG);
	cr_assert_eq(prep_kll_count(a), 1);
	/* an empty one changes nothing */
	t0 = text(a);
	cr_assert_eq(prep_kll_merge(a, e), PREP_OK);
	t1 = text(a);
	cr_assert_str_eq(t0, t1);
	free(t1);
	/* into an empty one: a copy */
	cr_assert_eq(prep_kll_merge(e, a), PREP_OK);
	t1 = text(e);
	cr_assert_str_eq(t0, t1);
	free(t0);
	free(t1);
	prep_kll_free(a);
	prep_kll_free(b);
	prep_kll_free(e);
}

Test(sketch_kll, deterministic)
{
	double *v = permutation(100000, 51);
	prep_kll *a = new_sketch(200, 7), *b = new_sketch(200, 7);
	prep_kll *c = new_sketch(200, 8);
	char *ta, *tb, *tc;

	add_all(a, v, 100000);
	add_all(b, v, 100000);
	add_all(c, v, 100000);
	ta = text(a);
	tb = text(b);
	tc = text(c);
	cr_assert_str_eq(ta, tb);
	cr_assert_str_neq(ta, tc);
	free(ta);
	free(tb);
	free(tc);
	/* and after merges */
	cr_assert_eq(prep_kll_merge(a, c), PREP_OK);
	cr_assert_eq(prep_kll_merge(b, c), PREP_OK);
	ta = text(a);
	tb = text(b);
	cr_assert_str_eq(ta, tb);
	free(ta);
	free(tb);
	prep_kll_free(a);
	prep_kll_free(b);
	prep_kll_free(c);
	free(v);
}

/*
 * Streams of one seed: stream 0 is prep_kll_new's sketch, byte for byte;
 * streams 1 and 2^63 toss other coins (other sketches, as accurate),
 * each the same on every run.
 */
Test(sketch_kll, streams)
{
	static const uint64_t streams[] = {1, (uint64_t)1 << 63};
	double *v = permutation(100000, 53), *sorted = sorted_copy(v, 100000);
	prep_kll *a = new_sketch(200, 7), *b, *c;
	char *ta, *tb, *tc;
	size_t i;

	add_all(a, v, 100000);
	ta = text(a);
	cr_assert_eq(prep_kll_new_stream(200, 7, 0, &b), PREP_OK);
	add_all(b, v, 100000);
	tb = text(b);
	cr_assert_str_eq(ta, tb);
	free(tb);
	prep_kll_free(b);
	for (i = 0; i < 2; i++) {
		cr_assert_eq(prep_kll_new_stream(200, 7, streams[i], &b),
			     PREP_OK);
		cr_assert_eq(prep_kll_new_stream(200, 7, streams[i], &c),
			     PREP_OK);
		add_all(b, v, 100000);
		add_all(c, v, 100000);
		tb = text(b);
		tc = text(c);
		cr_assert_str_neq(ta, tb, "stream %zu", i);
		cr_assert_str_eq(tb, tc);
		cr_assert_leq(max_rank_error(b, sorted, 100000, 0), bound(200));
		free(tb);
		free(tc);
		prep_kll_free(b);
		prep_kll_free(c);
	}
	free(ta);
	prep_kll_free(a);
	free(sorted);
	free(v);
}

/* to_json, dumped with 17 digits, loaded and rebuilt: the same text. */
static void
round_trip(const prep_kll *s)
{
	char *t = text(s), *t2;
	json_t *j;
	json_error_t jerr;
	prep_kll *r = NULL;
	const char *why = "unset";

	j = json_loads(t, 0, &jerr);
	cr_assert_not_null(j, "%s", jerr.text);
	cr_assert_eq(prep_kll_from_json(j, 99, &r, &why), PREP_OK, "%s", why);
	cr_assert_null(why);
	t2 = text(r);
	cr_assert_str_eq(t, t2);
	cr_assert_eq(prep_kll_count(r), prep_kll_count(s));
	cr_assert_eq(prep_kll_retained(r), prep_kll_retained(s));
	if (prep_kll_count(s))
		cr_assert_eq(prep_kll_rank(r, 0.5), prep_kll_rank(s, 0.5));
	cr_assert_eq(prep_kll_rank_error(r), prep_kll_rank_error(s));
	json_decref(j);
	free(t);
	free(t2);
	prep_kll_free(r);
}

Test(sketch_kll, json_round_trip)
{
	prep_kll *s = new_sketch(200, 1);
	int i;

	round_trip(s); /* empty */
	cr_assert_eq(prep_kll_add(s, -0.0), PREP_OK);
	cr_assert(!signbit(prep_kll_min(s)));
	cr_assert_eq(prep_kll_add(s, 0.1), PREP_OK);
	cr_assert_eq(prep_kll_add(s, 1e300), PREP_OK);
	cr_assert_eq(prep_kll_add(s, -4.9e-324), PREP_OK);
	cr_assert_eq(prep_kll_add(s, 9007199254740993.0), PREP_OK);
	round_trip(s); /* exact, odd doubles */
	for (i = 0; i < 100000; i++)
		cr_assert_eq(prep_kll_add(s, i / 7.0 - 3000), PREP_OK);
	round_trip(s); /* compacted */
	prep_kll_free(s);
	/* the exact form, field by field */
	s = new_sketch(8, 1);
	cr_assert_eq(prep_kll_add(s, 2.5), PREP_OK);
	cr_assert_eq(prep_kll_add(s, -1), PREP_OK);
	{
		char *t = text(s);

		cr_assert_str_eq(t, "{\"k\":8,\"n\":2,\"min\":-1,\"max\":2.5,"
				    "\"levels\":[[-1,2.5]]}");
		free(t);
	}
	prep_kll_free(s);
}

/* A valid compacted state of k = 8 and n = 11 (see the first test). */
static const char valid[] = "{\"k\":8,\"n\":11,\"min\":0,\"max\":10,"
			    "\"levels\":[[3,9,10],[1,4,5,7]]}";

/*
 * valid with one change made by edit; from_json must refuse it, for the
 * reason expected (so each check is seen to catch its own corruption).
 */
static void
refused(void (*edit)(json_t *), const char *what, const char *expect)
{
	json_error_t jerr;
	json_t *j = json_loads(valid, 0, &jerr);
	prep_kll *s = NULL;
	const char *why = NULL;

	cr_assert_not_null(j);
	edit(j);
	cr_assert_eq(prep_kll_from_json(j, 1, &s, &why), PREP_ERR_VALUE,
		     "%s accepted", what);
	cr_assert_null(s);
	cr_assert_not_null(why, "%s: no reason", what);
	cr_assert_str_eq(why, expect, "%s", what);
	json_decref(j);
}

static json_t *
level(json_t *j, size_t h)
{
	return json_array_get(json_object_get(j, "levels"), h);
}

#define EDIT(name, body)                                                       \
	static void name(json_t *j)                                            \
	{                                                                      \
		body;                                                          \
	}

EDIT(no_k, json_object_del(j, "k"))
EDIT(no_n, json_object_del(j, "n"))
EDIT(no_min, json_object_del(j, "min"))
EDIT(no_max, json_object_del(j, "max"))
EDIT(no_levels, json_object_del(j, "levels"))
EDIT(extra, json_object_set_new(j, "seed", json_integer(1)))
EDIT(k_string, json_object_set_new(j, "k", json_string("8")))
EDIT(k_real, json_object_set_new(j, "k", json_real(8)))
EDIT(k_small, json_object_set_new(j, "k", json_integer(7)))
EDIT(k_large, json_object_set_new(j, "k", json_integer(65536)))
EDIT(n_more, json_object_set_new(j, "n", json_integer(12)))
EDIT(n_less, json_object_set_new(j, "n", json_integer(10)))
EDIT(n_negative, json_object_set_new(j, "n", json_integer(-11)))
EDIT(n_huge, json_object_set_new(j, "n", json_integer(INT64_MAX)))
EDIT(n_string, json_object_set_new(j, "n", json_string("11")))
EDIT(min_string, json_object_set_new(j, "min", json_string("0")))
EDIT(min_null, json_object_set_new(j, "min", json_null()))
EDIT(max_null, json_object_set_new(j, "max", json_null()))
EDIT(min_above_max, json_object_set_new(j, "min", json_integer(11)))
EDIT(min_above_item, json_object_set_new(j, "min", json_real(1.5)))
EDIT(max_below_item, json_object_set_new(j, "max", json_integer(9)))
EDIT(levels_object, json_object_set_new(j, "levels", json_object()))
EDIT(levels_empty, json_object_set_new(j, "levels", json_array()))
EDIT(level_number,
     json_array_set_new(json_object_get(j, "levels"), 1, json_integer(4)))
EDIT(item_string, json_array_set_new(level(j, 0), 1, json_string("9")))
EDIT(item_null, json_array_set_new(level(j, 0), 1, json_null()))
EDIT(item_bool, json_array_set_new(level(j, 1), 0, json_true()))
EDIT(item_inexact,
     json_array_set_new(level(j, 1), 0, json_integer(9007199254740993LL)))
EDIT(unsorted_0, json_array_set_new(level(j, 0), 0, json_real(9.5)))
EDIT(unsorted_1, json_array_set_new(level(j, 1), 3, json_real(4.5)))
EDIT(item_below_min, json_array_set_new(level(j, 1), 0, json_integer(-1)))
EDIT(item_above_max, json_array_set_new(level(j, 0), 2, json_real(10.5)))
EDIT(top_empty,
     json_array_append_new(json_object_get(j, "levels"), json_array()))
/* an item more on level 0 and n one more: the weights agree */
EDIT(over_capacity, {
	json_t *l0 = level(j, 0);
	int i;

	for (i = 0; i < 30; i++)
		json_array_insert_new(l0, 0, json_integer(0));
	json_object_set_new(j, "n", json_integer(41));
})
/* three levels need n >= 8 * 2: 3 + 4 = 7 is too few */
EDIT(too_many_levels, {
	json_object_set_new(j, "levels",
			    json_loads("[[3,9,10],[],[5]]", 0, NULL));
	json_object_set_new(j, "n", json_integer(7));
})
/* one level: min and max must be its ends */
EDIT(exact_min_not_item, {
	json_t *l = json_object_get(j, "levels");

	json_array_remove(l, 1);
	json_object_set_new(j, "n", json_integer(3));
})
EDIT(empty_not_null, {
	json_object_set_new(j, "n", json_integer(0));
	json_object_set_new(j, "levels", json_pack("[[]]"));
})
EDIT(array_not_object, {
	json_object_clear(j);
	json_object_set_new(j, "k", json_integer(8));
	json_object_set_new(j, "x", json_integer(8));
})

#define K_RANGE "k not an integer in [8, 65535]"
#define N_RANGE "n not an integer in [0, 2^62]"
#define NOT_ITEM "item not an exact finite number"
#define NOT_ENDS "min or max not an item of an exact sketch"
#define NOT_NULL "min or max of an empty sketch not null"

Test(sketch_kll, from_json_refuses_corruption)
{
	static const struct {
		void (*edit)(json_t *);
		const char *what, *why;
	} c[] = {
	    {no_k, "no k", "k missing"},
	    {no_n, "no n", "n missing"},
	    {no_min, "no min", "min missing"},
	    {no_max, "no max", "max missing"},
	    {no_levels, "no levels", "levels missing"},
	    {extra, "unknown field", "unknown field"},
	    {k_string, "k a string", K_RANGE},
	    {k_real, "k a real", K_RANGE},
	    {k_small, "k 7", K_RANGE},
	    {k_large, "k 65536", K_RANGE},
	    {n_more, "n one more", "weights do not sum to n"},
	    {n_less, "n one less", "weights do not sum to n"},
	    {n_negative, "n negative", N_RANGE},
	    {n_huge, "n 2^63-1", N_RANGE},
	    {n_string, "n a string", N_RANGE},
	    {min_string, "min a string", "min not an exact finite number"},
	    {min_null, "min null", "min or max null"},
	    {max_null, "max null", "min or max null"},
	    {min_above_max, "min above max", "min above max"},
	    {min_above_item, "min above an item", "item outside min..max"},
	    {max_below_item, "max below an item", "item outside min..max"},
	    {levels_object, "levels an object", "levels not an array"},
	    {levels_empty, "no level", "no level"},
	    {level_number, "a level a number", "level not an array"},
	    {item_string, "an item a string", NOT_ITEM},
	    {item_null, "an item null", NOT_ITEM},
	    {item_bool, "an item true", NOT_ITEM},
	    {item_inexact, "an integer past 2^53", NOT_ITEM},
	    {unsorted_0, "level 0 unsorted", "level not ascending"},
	    {unsorted_1, "level 1 unsorted", "level not ascending"},
	    {item_below_min, "an item below min", "item outside min..max"},
	    {item_above_max, "an item above max", "item outside min..max"},
	    {top_empty, "an empty top level", "empty top level"},
	    {over_capacity, "more items than C(L)",
	     "more items than the capacity"},
	    {too_many_levels, "more levels than n allows",
	     "more levels than n allows"},
	    {exact_min_not_item, "exact, min not an item", NOT_ENDS},
	    {empty_not_null, "empty, min not null", NOT_NULL},
	    {array_not_object, "other keys", "n missing"},
	};
	json_error_t jerr;
	json_t *j = json_loads(valid, 0, &jerr), *a;
	prep_kll *s = NULL;
	const char *why = "unset";
	size_t i;

	/* the base is valid, and a real where an integer was is too */
	cr_assert_eq(prep_kll_from_json(j, 1, &s, &why), PREP_OK, "%s", why);
	cr_assert_eq(prep_kll_count(s), 11);
	cr_assert_eq(prep_kll_rank(s, 5), 7.0 / 11);
	prep_kll_free(s);
	json_array_set_new(level(j, 0), 0, json_real(3.0));
	cr_assert_eq(prep_kll_from_json(j, 1, &s, NULL), PREP_OK);
	prep_kll_free(s);
	json_decref(j);
	for (i = 0; i < sizeof c / sizeof c[0]; i++)
		refused(c[i].edit, c[i].what, c[i].why);
	/* not an object at all */
	a = json_array();
	s = NULL;
	cr_assert_eq(prep_kll_from_json(a, 1, &s, &why), PREP_ERR_VALUE);
	cr_assert_str_eq(why, "not an object");
	cr_assert_null(s);
	json_decref(a);
}

Test(sketch_kll, edges_and_errors)
{
	prep_kll *s = NULL;
	double x = 42;
	int i;

	cr_assert_eq(prep_kll_new(7, 1, &s), PREP_ERR_ARG);
	cr_assert_null(s);
	cr_assert_eq(prep_kll_new(65536, 1, &s), PREP_ERR_ARG);
	cr_assert_eq(prep_kll_new(65535, 1, &s), PREP_OK);
	cr_assert_eq(prep_kll_k(s), 65535);
	prep_kll_free(s);
	prep_kll_free(NULL);
	s = new_sketch(8, 1);
	/* empty */
	cr_assert_eq(prep_kll_quantile(s, 0.5, &x), PREP_ERR_RANGE);
	cr_assert_eq(prep_kll_quantile(s, 0, &x), PREP_ERR_RANGE);
	cr_assert_eq(x, 42);
	cr_assert(isnan(prep_kll_rank(s, 1)));
	cr_assert(isnan(prep_kll_min(s)));
	cr_assert(isnan(prep_kll_max(s)));
	cr_assert_eq(prep_kll_count(s), 0);
	cr_assert_eq(prep_kll_rank_error(s), 0);
	/* values refused, nothing counted */
	cr_assert_eq(prep_kll_add(s, NAN), PREP_ERR_ARG);
	cr_assert_eq(prep_kll_add(s, INFINITY), PREP_ERR_ARG);
	cr_assert_eq(prep_kll_add(s, -INFINITY), PREP_ERR_ARG);
	cr_assert_eq(prep_kll_count(s), 0);
	for (i = 0; i < 1000; i++)
		cr_assert_eq(prep_kll_add(s, 1000 - i), PREP_OK);
	cr_assert(prep_kll_levels(s) > 1);
	/* q = 0 and 1: the exact min and max even when compacted */
	cr_assert_eq(prep_kll_quantile(s, 0, &x), PREP_OK);
	cr_assert_eq(x, 1);
	cr_assert_eq(prep_kll_quantile(s, 1, &x), PREP_OK);
	cr_assert_eq(x, 1000);
	cr_assert_eq(prep_kll_quantile(s, -0.1, &x), PREP_ERR_ARG);
	cr_assert_eq(prep_kll_quantile(s, 1.1, &x), PREP_ERR_ARG);
	cr_assert_eq(prep_kll_quantile(s, NAN, &x), PREP_ERR_ARG);
	cr_assert_eq(prep_kll_rank(s, 0.5), 0);
	cr_assert_eq(prep_kll_rank(s, 1000), 1);
	cr_assert(isnan(prep_kll_rank(s, NAN)));
	prep_kll_free(s);
}

Test(sketch_kll, sorted_combines_equal_values)
{
	prep_kll *s = new_sketch(8, 1);
	double *v;
	uint64_t *w;
	size_t n;
	int i;

	cr_assert_eq(prep_kll_sorted(s, &v, &w, &n), PREP_OK);
	cr_assert_eq(n, 0);
	cr_assert_null(v);
	for (i = 0; i < 5; i++)
		cr_assert_eq(prep_kll_add(s, 2), PREP_OK);
	cr_assert_eq(prep_kll_add(s, -1), PREP_OK);
	cr_assert_eq(prep_kll_add(s, 0.0), PREP_OK);
	cr_assert_eq(prep_kll_add(s, -0.0), PREP_OK);
	cr_assert_eq(prep_kll_sorted(s, &v, &w, &n), PREP_OK);
	cr_assert_eq(n, 3);
	cr_assert_eq(v[0], -1);
	cr_assert_eq(w[0], 1);
	cr_assert_eq(v[1], 0);
	cr_assert_eq(w[1], 2);
	cr_assert_eq(v[2], 2);
	cr_assert_eq(w[2], 5);
	free(v);
	free(w);
	prep_kll_free(s);
}

/* Past the memcap.h budget: refused with PREP_ERR_MEMORY, nothing lost. */
Test(sketch_kll, memory_budget)
{
	prep_kll *s = NULL;
	char *before, *after;
	prep_status st = PREP_OK;
	int i;

	prep_memcap_set(prep_memcap_used() + 100 * sizeof(double));
	cr_assert_eq(prep_kll_new(200, 1, &s), PREP_ERR_MEMORY);
	cr_assert_null(s);
	/* C(1) = 8 doubles for k = 8; C(2) = 16 would pass the budget */
	prep_memcap_set(prep_memcap_used() + 12 * sizeof(double));
	s = new_sketch(8, 1);
	for (i = 0; i < 8; i++)
		cr_assert_eq(prep_kll_add(s, i), PREP_OK);
	before = text(s);
	st = prep_kll_add(s, 8);
	cr_assert_eq(st, PREP_ERR_MEMORY);
	after = text(s);
	cr_assert_str_eq(before, after);
	cr_assert_eq(prep_kll_count(s), 8);
	prep_memcap_set(PREP_MEMCAP_DEFAULT);
	cr_assert_eq(prep_kll_add(s, 8), PREP_OK);
	cr_assert_eq(prep_kll_count(s), 9);
	free(before);
	free(after);
	prep_kll_free(s);
}
