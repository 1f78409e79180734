/*
 * test_sketch_moments.c: unit tests of libprep/sketch_moments.c against
 * hand-computed values and a two-pass computation in long double.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "sketch_moments.h"

#define N 100000

static double x[N];

/* Mean and population variance by two passes in long double. */
static void
two_pass(const double *v, size_t n, double *mean, double *var)
{
	long double s = 0, q = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += v[i];
	s /= n;
	for (i = 0; i < n; i++)
		q += (v[i] - s) * (v[i] - s);
	*mean = (double)s;
	*var = (double)(q / n);
}

static void
fill(unsigned seed, double offset)
{
	size_t i;

	srand(seed);
	for (i = 0; i < N; i++)
		x[i] = offset + (double)rand() / RAND_MAX * 100.0;
}

static int
close_to(double a, double b, double rel)
{
	return fabs(a - b) <= rel * fabs(b);
}

Test(moments, by_hand)
{
	static const double v[] = {2, 4, 4, 4, 5, 5, 7, 9};
	prep_moments m;
	size_t i;

	prep_moments_init(&m);
	cr_assert(isnan(prep_moments_variance(&m)));
	for (i = 0; i < 8; i++)
		prep_moments_add(&m, v[i]);
	/* mean 40/8 = 5; squared deviations 9+1+1+1+0+0+4+16 = 32 */
	cr_assert_eq(m.n, 8);
	cr_assert_eq(m.mean, 5.0);
	cr_assert_eq(m.m2, 32.0);
	cr_assert_eq(prep_moments_variance(&m), 4.0);
	cr_assert_eq(m.min, 2.0);
	cr_assert_eq(m.max, 9.0);
}

/* Far from zero, where sum-of-squares formulas cancel catastrophically. */
Test(moments, single_pass_against_two_pass)
{
	prep_moments m;
	double mean, var;
	size_t i;

	fill(1, 1e9);
	prep_moments_init(&m);
	for (i = 0; i < N; i++)
		prep_moments_add(&m, x[i]);
	two_pass(x, N, &mean, &var);
	cr_assert(close_to(m.mean, mean, 1e-15), "%.17g %.17g", m.mean, mean);
	cr_assert(close_to(prep_moments_variance(&m), var, 1e-9), "%.17g %.17g",
		  prep_moments_variance(&m), var);
	/* negative control: the textbook formula loses every digit here */
	{
		double s = 0, q = 0;

		for (i = 0; i < N; i++) {
			s += x[i];
			q += x[i] * x[i];
		}
		cr_assert_not(close_to(q / N - (s / N) * (s / N), var, 1e-3));
	}
}

Test(moments, merge_of_parts_equals_whole)
{
	static const size_t cuts[] = {1, 7, 500, 50000, 99999};
	prep_moments whole, a, b, many, part;
	size_t c, i;

	fill(2, -50);
	prep_moments_init(&whole);
	for (i = 0; i < N; i++)
		prep_moments_add(&whole, x[i]);
	for (c = 0; c < sizeof cuts / sizeof *cuts; c++) {
		prep_moments_init(&a);
		prep_moments_init(&b);
		for (i = 0; i < N; i++)
			prep_moments_add(i < cuts[c] ? &a : &b, x[i]);
		prep_moments_merge(&a, &b);
		cr_assert_eq(a.n, whole.n);
		cr_assert_eq(a.min, whole.min);
		cr_assert_eq(a.max, whole.max);
		cr_assert(close_to(a.mean, whole.mean, 1e-12));
		cr_assert(close_to(a.m2, whole.m2, 1e-12));
	}
	/* 1000 parts of 100, merged in turn; and empty parts on both sides */
	prep_moments_init(&many);
	for (c = 0; c < 1000; c++) {
		prep_moments_init(&part);
		for (i = c * 100; i < (c + 1) * 100; i++)
			prep_moments_add(&part, x[i]);
		prep_moments_merge(&many, &part);
		prep_moments_init(&part);
		prep_moments_merge(&many, &part);
	}
	cr_assert_eq(many.n, whole.n);
	cr_assert(close_to(many.mean, whole.mean, 1e-12));
	cr_assert(close_to(many.m2, whole.m2, 1e-12));
	cr_assert_eq(many.min, whole.min);
	cr_assert_eq(many.max, whole.max);
}
