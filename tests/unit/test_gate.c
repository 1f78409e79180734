/*
 * test_gate.c: unit tests of libprep/gate.c, the slack of every gate.
 *
 * Values are built from the definition in gate.h: a bound b passes a
 * figure within 1e-12 * max(1, |b|) of it, and fails one a little further.
 */
#include <criterion/criterion.h>
#include <math.h>

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
