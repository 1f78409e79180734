/*
 * Unit tests of libprep/noise.c's parameter checks and edge cases; the
 * distributions themselves are tested in tests/stat/stat_noise.c.
 */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>

#include "noise.h"

Test(noise, parameters_refused)
{
	prep_laplace *m = NULL;

	cr_assert_eq(prep_laplace_new_real(0, 1, &m), PREP_ERR_ARG);
	cr_assert_eq(prep_laplace_new_real(-1, 1, &m), PREP_ERR_ARG);
	cr_assert_eq(prep_laplace_new_real(1, 0, &m), PREP_ERR_ARG);
	cr_assert_eq(prep_laplace_new_real(NAN, 1, &m), PREP_ERR_ARG);
	cr_assert_eq(prep_laplace_new_real(1, INFINITY, &m), PREP_ERR_ARG);
	cr_assert_eq(prep_laplace_new_real(0x1p-41, 1, &m), PREP_ERR_ARG);
	cr_assert_eq(prep_laplace_new_real(0x1p21, 1, &m), PREP_ERR_ARG);
	/* r would underflow to 0: no noise at all */
	cr_assert_eq(prep_laplace_new_real(1, 1e-320, &m), PREP_ERR_ARG);
	/* an infinite scale */
	cr_assert_eq(prep_laplace_new_real(1e-6, 1e308, &m), PREP_ERR_ARG);
	cr_assert_eq(prep_laplace_new_int(1, 2.5, &m), PREP_ERR_ARG);
	cr_assert_null(m);
}

Test(noise, granularity_and_scale)
{
	prep_laplace *m;

	/* (250000/1)/2^40 = 2^-22.07...: r = 2^-22 */
	cr_assert_eq(prep_laplace_new_real(1, 250000, &m), PREP_OK);
	cr_assert_eq(prep_laplace_granularity(m), 0x1p-22);
	cr_assert_eq(prep_laplace_scale(m), (250000 + 0x1p-22) / 1);
	prep_laplace_free(m);
	/* exactly a power of two: (2^40 / 1) / 2^40 = 1 = r */
	cr_assert_eq(prep_laplace_new_real(1, 0x1p40, &m), PREP_OK);
	cr_assert_eq(prep_laplace_granularity(m), 1);
	prep_laplace_free(m);
	cr_assert_eq(prep_laplace_new_int(0.5, 3, &m), PREP_OK);
	cr_assert_eq(prep_laplace_granularity(m), 1);
	cr_assert_eq(prep_laplace_scale(m), 6);
	prep_laplace_free(m);
}

Test(noise, huge_values_stay_finite_or_fail)
{
	prep_laplace *m;
	prep_rng *g;
	double out;
	int k;

	cr_assert_eq(prep_rng_new_seeded(1, &g), PREP_OK);
	cr_assert_eq(prep_laplace_new_real(1, 1, &m), PREP_OK);
	/* x/r overflows: x is already on the grid */
	cr_assert_eq(prep_laplace_add_real(m, g, 1e308, &out), PREP_OK);
	cr_assert(isfinite(out));
	cr_assert_eq(out, 1e308); /* noise far below 1e308's spacing */
	for (k = 0; k < 50; k++) {
		prep_status st = prep_laplace_add_real(m, g, DBL_MAX, &out);

		cr_assert(st == PREP_OK || st == PREP_ERR_RANGE);
		if (st == PREP_OK)
			cr_assert(isfinite(out));
	}
	cr_assert_eq(prep_laplace_add_real(m, g, INFINITY, &out),
		     PREP_ERR_VALUE);
	prep_laplace_free(m);
	prep_rng_free(g);
}

Test(noise, integer_overflow_is_an_error)
{
	prep_laplace *m;
	prep_rng *g;
	int64_t out;
	int k, ranged = 0, ok = 0;

	cr_assert_eq(prep_rng_new_seeded(2, &g), PREP_OK);
	cr_assert_eq(prep_laplace_new_int(1, 1000, &m), PREP_OK);
	for (k = 0; k < 100; k++) {
		prep_status st = prep_laplace_add_int(m, g, INT64_MAX, &out);

		if (st == PREP_ERR_RANGE)
			ranged++;
		else if (st == PREP_OK && out <= INT64_MAX)
			ok++;
	}
	/* positive noise overflows, the rest fits: both happen */
	cr_assert_gt(ranged, 10);
	cr_assert_gt(ok, 10);
	cr_assert_eq(ranged + ok, 100);
	prep_laplace_free(m);
	prep_rng_free(g);
}

Test(noise, uniform_zero_refused)
{
	prep_rng *g;
	uint64_t v;

	cr_assert_eq(prep_rng_new_seeded(3, &g), PREP_OK);
	cr_assert_eq(prep_rng_uniform(g, 0, &v), PREP_ERR_ARG);
	cr_assert_eq(prep_rng_uniform(g, 1, &v), PREP_OK);
	cr_assert_eq(v, 0);
	prep_rng_free(g);
}
