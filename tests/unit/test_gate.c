/*
 * test_gate.c: unit tests of libprep/gate.c, the slack of every gate.
 *
 * Values are built from the definition in gate.h: a bound b passes a
 * figure within 1e-12 * max(1, |b|) of it, and fails one a little further.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>

#include "gate.h"

Test(gate, exact_values_pass)
{
	cr_assert(prep_gate_at_least(1, 1));
	cr_assert(prep_gate_at_most(1, 1));
	cr_assert(prep_gate_at_least(0, 0));
	cr_assert(prep_gate_at_most(0, 0));
}

Test(gate, rounding_below_the_bound_passes)
{
	/* the double just below 1: a disparate impact of 1 up to rounding */
	double v = nextafter(1, 0);

	cr_assert(prep_gate_at_least(v, 1));
	cr_assert(prep_gate_at_least(0.8 - 1e-16, 0.8));
	cr_assert(prep_gate_at_most(1.1102230246251565e-16, 0));
	cr_assert(prep_gate_at_most(-1e-13, -0.0));
}

Test(gate, slack_is_relative_above_one)
{
	/* bound 1e6: slack 1e-6 */
	cr_assert(prep_gate_at_least(1e6 - 0.9e-6, 1e6));
	cr_assert_not(prep_gate_at_least(1e6 - 2e-6, 1e6));
	cr_assert(prep_gate_at_most(1e6 + 0.9e-6, 1e6));
	cr_assert_not(prep_gate_at_most(1e6 + 2e-6, 1e6));
}

Test(gate, slack_is_absolute_below_one)
{
	/* bound 0.001: slack 1e-12, not 1e-15 */
	cr_assert(prep_gate_at_least(0.001 - 0.9e-12, 0.001));
	cr_assert_not(prep_gate_at_least(0.001 - 2e-12, 0.001));
	cr_assert(prep_gate_at_most(0.9e-12, 0));
	cr_assert_not(prep_gate_at_most(2e-12, 0));
}

Test(gate, real_differences_fail)
{
	cr_assert_not(prep_gate_at_least(0.99999999999, 1));
	cr_assert_not(prep_gate_at_least(0.79, 0.8));
	cr_assert_not(prep_gate_at_most(0.125, 0.1));
	cr_assert(prep_gate_at_least(1.5, 1));
	cr_assert(prep_gate_at_most(0.05, 0.1));
}

Test(gate, nan_fails)
{
	cr_assert_not(prep_gate_at_least(NAN, 0));
	cr_assert_not(prep_gate_at_most(NAN, 1));
	cr_assert_not(prep_gate_at_least(1, NAN));
	cr_assert_not(prep_gate_at_most(1, NAN));
}

/*
 * The text of a failing figure: 10 significant digits when they fail
 * too, else as many more as it takes, up to 17.
 */
Test(gate, failing_text)
{
	char buf[32];

	cr_assert_str_eq(prep_gate_failing_text(0.5, 0.8, 0, buf, sizeof buf),
			 "0.5");
	cr_assert_str_eq(prep_gate_failing_text(0.125, 0.1, 1, buf, sizeof buf),
			 "0.125");
	/* %.10g gives 1, which passes --min-di 1; 11 digits fail */
	cr_assert_str_eq(
	    prep_gate_failing_text(1 - 1e-11, 1, 0, buf, sizeof buf),
	    "0.99999999999");
	/* past --max-spd 0 by 5e-12: 10 digits already fail */
	cr_assert_str_eq(prep_gate_failing_text(5.000000413701855e-12, 0, 1,
						buf, sizeof buf),
			 "5.000000414e-12");
	/*
	 * The double just below 1 - 1e-12, the bound less its slack:
	 * 0.9999999999989999; up to 15 digits it reads as 1 or as
	 * 0.999999999999, the bound less its slack, which pass.
	 */
	cr_assert_str_eq(prep_gate_failing_text(nextafter(1 - 1e-12, 0), 1, 0,
						buf, sizeof buf),
			 "0.9999999999989999");
	/*
	 * Just below 0.5 - 1e-12 it takes all 17: 16 digits give
	 * 0.499999999999, the bound less its slack exactly, which passes.
	 */
	cr_assert_str_eq(prep_gate_failing_text(nextafter(0.5 - 1e-12, 0), 0.5,
						0, buf, sizeof buf),
			 "0.49999999999899997");
	/* just above 0 + 1e-12: 16 digits give 1e-12, 17 fail */
	cr_assert_str_eq(
	    prep_gate_failing_text(nextafter(1e-12, 1), 0, 1, buf, sizeof buf),
	    "1.0000000000000002e-12");
}

/* A report's figure: printf's %.10g, or NA for what is not a number. */
Test(gate, figure_text)
{
	static const double v[] = {
	    0, -0.0, 1, 0.1, 2.0 / 3, 1e-300, -1e300, 123456789012.0, INFINITY};
	char buf[32], want[32];
	size_t i;

	for (i = 0; i < sizeof v / sizeof *v; i++) {
		(void)snprintf(want, sizeof want, "%.10g", v[i]);
		cr_assert_str_eq(prep_figure_text(v[i], buf, sizeof buf), want);
	}
	cr_assert_str_eq(prep_figure_text(NAN, buf, sizeof buf), "NA");
	cr_assert_str_eq(prep_figure_text(-NAN, buf, sizeof buf), "NA");
}
