/*
 * test_noise_rows.c: unit tests of libprep/noise_rows.c, dpnoise's row
 * mode.
 *
 * Written from the contract (noise_rows.h, dpnoise(1) "Row mode"). Exact
 * texts come from epsilon 2^20, the largest the real mechanism takes
 * (every noised column has one). The integer mechanism's draw is then
 * nonzero with probability about 2 exp(-epsilon / span), nil for span
 * 10. Over [0, 10] the real mechanism's scale b is (10 + 2^-56) / 2^20,
 * so |noise| < 40 b < 4e-4 but with probability e^-40, and a value
 * printed with 2 decimals, away from a rounding edge, reads exactly.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "noise_rows.h"

#define F(lit) ((prep_field){(lit), sizeof(lit) - 1})
#define REAL_EPS 0x1p20

static prep_noise_rows *t;
static prep_rng *rng;

static void
setup(void)
{
	cr_assert_eq(prep_rng_new_seeded(7, &rng), PREP_OK);
}

static void
teardown(void)
{
	prep_noise_rows_free(t);
	t = NULL;
	prep_rng_free(rng);
	rng = NULL;
}

TestSuite(noise_rows, .init = setup, .fini = teardown);

static prep_bounds
bounds(const char *s)
{
	prep_bounds b;

	cr_assert_eq(prep_bounds_parse(s, &b), PREP_OK);
	return b;
}

static void
assert_field(const prep_field *f, const char *want)
{
	cr_assert_eq(f->len, strlen(want), "'%.*s' is not '%s'", (int)f->len,
		     f->data, want);
	cr_assert_eq(memcmp(f->data, want, f->len), 0, "'%.*s' is not '%s'",
		     (int)f->len, f->data, want);
	cr_assert_eq(f->data[f->len], '\0', "not NUL-terminated");
}

Test(noise_rows, columns_and_epsilon)
{
	prep_bounds b = bounds("0:10"), r = bounds("-1.5:1.5");
	int integer = -1;
	double eps = 0, scale = 0;

	cr_assert_eq(prep_noise_rows_new(4, 0.5, -1, NULL, &t), PREP_OK);
	cr_assert_eq(prep_noise_rows_epsilon(t), 0);
	cr_assert_eq(prep_noise_rows_add(t, 1, &b), PREP_OK);
	cr_assert_eq(prep_noise_rows_add(t, 3, &r), PREP_OK);
	cr_assert_eq(prep_noise_rows_add(t, 1, &r), PREP_ERR_COLUMN);
	cr_assert_eq(prep_noise_rows_add(t, 4, &r), PREP_ERR_ARG);
	/* 0.5 per column, two columns */
	cr_assert_eq(prep_noise_rows_epsilon(t), 1);

	cr_assert_eq(prep_noise_rows_noised(t, 0, &integer, &eps, &scale), 0);
	cr_assert_eq(prep_noise_rows_noised(t, 4, NULL, NULL, NULL), 0);
	cr_assert_eq(prep_noise_rows_noised(t, 1, &integer, &eps, &scale), 1);
	/* the integer mechanism: b = span / epsilon = 10 / 0.5 */
	cr_assert_eq(integer, 1);
	cr_assert_eq(eps, 0.5);
	cr_assert_eq(scale, 20);
	/* the real one: r = the power of two >= (3 / 0.5) / 2^40, 2^-37;
	 * b = (3 + r) / 0.5 */
	cr_assert_eq(prep_noise_rows_noised(t, 3, &integer, &eps, &scale), 1);
	cr_assert_eq(integer, 0);
	cr_assert_eq(scale, (3 + 0x1p-37) / 0.5);
}

Test(noise_rows, epsilon_refused)
{
	prep_bounds b = bounds("0:10");

	cr_assert_eq(prep_noise_rows_new(2, 0x1p21, -1, NULL, &t), PREP_OK);
	cr_assert_eq(prep_noise_rows_add(t, 0, &b), PREP_ERR_ARG);
	cr_assert_eq(prep_noise_rows_noised(t, 0, NULL, NULL, NULL), 0);
	cr_assert_eq(prep_noise_rows_epsilon(t), 0);
	prep_noise_rows_free(t);
	t = NULL;
	cr_assert_eq(prep_noise_rows_new(2, 1, 18, NULL, &t), PREP_ERR_ARG);
	cr_assert_null(t);
	cr_assert_eq(prep_noise_rows_new(2, 1, -2, NULL, &t), PREP_ERR_ARG);
}

Test(noise_rows, check)
{
	prep_bounds b = bounds("0:10"), r = bounds("0:2.5");
	prep_field row[3];
	size_t bad = 99;

	cr_assert_eq(prep_noise_rows_new(3, 1, -1, NULL, &t), PREP_OK);
	cr_assert_eq(prep_noise_rows_add(t, 1, &b), PREP_OK);
	cr_assert_eq(prep_noise_rows_add(t, 2, &r), PREP_OK);
	row[0] = F("not noised: anything");
	row[1] = F("7");
	row[2] = F("1.25");
	cr_assert_eq(prep_noise_rows_check(t, row, 3, &bad), PREP_OK);
	row[1] = F("7.5"); /* a decimal under whole bounds: real mechanism */
	row[2] = F("");	   /* missing */
	cr_assert_eq(prep_noise_rows_check(t, row, 3, &bad), PREP_OK);
	row[2] = F("x");
	cr_assert_eq(prep_noise_rows_check(t, row, 3, &bad), PREP_ERR_VALUE);
	cr_assert_eq(bad, 2);
	row[1] = F("1e999"); /* past the doubles */
	cr_assert_eq(prep_noise_rows_check(t, row, 3, &bad), PREP_ERR_VALUE);
	cr_assert_eq(bad, 1);
	row[1] = F("inf");
	cr_assert_eq(prep_noise_rows_check(t, row, 3, NULL), PREP_ERR_VALUE);
}

Test(noise_rows, apply_integer_exact)
{
	prep_bounds b = bounds("0:10");
	prep_field row[3] = {F("a"), F("5"), F("")};
	const prep_field *out;
	size_t bad;

	cr_assert_eq(prep_noise_rows_new(3, REAL_EPS, 3, NULL, &t), PREP_OK);
	cr_assert_eq(prep_noise_rows_add(t, 1, &b), PREP_OK);
	cr_assert_eq(prep_noise_rows_add(t, 2, &b), PREP_OK);
	cr_assert_eq(prep_noise_rows_apply(t, rng, row, 3, &out, &bad),
		     PREP_OK);
	/* other columns and missing cells are the row's own fields */
	cr_assert_eq(out[0].data, row[0].data);
	cr_assert_eq(out[2].data, row[2].data);
	/* digits do not apply to whole numbers */
	assert_field(&out[1], "5");
	row[1] = F("12");
	row[2] = F("-3");
	cr_assert_eq(prep_noise_rows_apply(t, rng, row, 3, &out, &bad),
		     PREP_OK);
	assert_field(&out[1], "10");
	assert_field(&out[2], "0");
}

Test(noise_rows, apply_real_digits)
{
	prep_bounds b = bounds("0:10");
	prep_field row[2] = {F("7.5"), F("12.5")};
	const prep_field *out;

	cr_assert_eq(prep_noise_rows_new(2, REAL_EPS, 2, NULL, &t), PREP_OK);
	cr_assert_eq(prep_noise_rows_add(t, 0, &b), PREP_OK);
	cr_assert_eq(prep_noise_rows_add(t, 1, &b), PREP_OK);
	cr_assert_eq(prep_noise_rows_apply(t, rng, row, 2, &out, NULL),
		     PREP_OK);
	assert_field(&out[0], "7.50");
	assert_field(&out[1], "10.00"); /* clamped */
}

Test(noise_rows, apply_real_shortest)
{
	prep_bounds b = bounds("0:10");
	prep_field row[1] = {F("7.5")};
	const prep_field *out;
	char *end;
	double v;

	cr_assert_eq(prep_noise_rows_new(1, REAL_EPS, -1, NULL, &t), PREP_OK);
	cr_assert_eq(prep_noise_rows_add(t, 0, &b), PREP_OK);
	cr_assert_eq(prep_noise_rows_apply(t, rng, row, 1, &out, NULL),
		     PREP_OK);
	v = strtod(out[0].data, &end);
	cr_assert_eq(end, out[0].data + out[0].len);
	cr_assert_lt(fabs(v - 7.5), 4e-4);
}

/* Missing values (--missing NA) are left as they are, not noised. */
Test(noise_rows, missing_values)
{
	prep_bounds b = bounds("0:10");
	prep_missing *m;
	prep_field row[2] = {F("NA"), F("")};
	const prep_field *out;

	cr_assert_eq(prep_missing_new("NA", &m), PREP_OK);
	cr_assert_eq(prep_noise_rows_new(2, REAL_EPS, -1, m, &t), PREP_OK);
	cr_assert_eq(prep_noise_rows_add(t, 0, &b), PREP_OK);
	cr_assert_eq(prep_noise_rows_add(t, 1, &b), PREP_OK);
	cr_assert_eq(prep_noise_rows_check(t, row, 2, NULL), PREP_ERR_VALUE);
	row[1] = F("4");
	cr_assert_eq(prep_noise_rows_apply(t, rng, row, 2, &out, NULL),
		     PREP_OK);
	cr_assert_eq(out[0].data, row[0].data);
	assert_field(&out[1], "4");
	prep_missing_free(m);
}

/*
 * Cells are noised left to right, row after row: the draws are those of
 * the same mechanisms, in that order, on a generator with the same seed.
 */
Test(noise_rows, draws_in_order)
{
	prep_bounds b = bounds("0:100");
	prep_field row[3] = {F("10"), F("x"), F("20")};
	const prep_field *out;
	prep_laplace *m;
	prep_rng *g2;
	int64_t want[4];
	char buf[32];
	int r, i;

	cr_assert_eq(prep_noise_rows_new(3, 0.5, -1, NULL, &t), PREP_OK);
	cr_assert_eq(prep_noise_rows_add(t, 0, &b), PREP_OK);
	cr_assert_eq(prep_noise_rows_add(t, 2, &b), PREP_OK);
	cr_assert_eq(prep_rng_new_seeded(7, &g2), PREP_OK);
	cr_assert_eq(prep_laplace_new_int(0.5, 100, &m), PREP_OK);
	for (i = 0; i < 4; i++)
		cr_assert_eq(
		    prep_laplace_add_int(m, g2, i % 2 ? 20 : 10, &want[i]),
		    PREP_OK);
	for (r = 0; r < 2; r++) {
		cr_assert_eq(prep_noise_rows_apply(t, rng, row, 3, &out, NULL),
			     PREP_OK);
		snprintf(buf, sizeof buf, "%lld", (long long)want[2 * r]);
		assert_field(&out[0], buf);
		snprintf(buf, sizeof buf, "%lld", (long long)want[2 * r + 1]);
		assert_field(&out[2], buf);
	}
	prep_laplace_free(m);
	prep_rng_free(g2);
}

/*
 * A decimal with many digits is written in full: "%.2f" of a value near
 * 1e300 is 301 digits, the point and 2 decimals.
 */
Test(noise_rows, long_decimal_in_full)
{
	prep_bounds b = bounds("0:1e300");
	prep_field row[1] = {F("1e300")};
	const prep_field *out;
	double v;

	cr_assert_eq(prep_noise_rows_new(1, REAL_EPS, 2, NULL, &t), PREP_OK);
	cr_assert_eq(prep_noise_rows_add(t, 0, &b), PREP_OK);
	cr_assert_eq(prep_noise_rows_apply(t, rng, row, 1, &out, NULL),
		     PREP_OK);
	cr_assert_eq(out[0].len, 304);
	cr_assert_eq(strlen(out[0].data), 304);
	cr_assert_eq(memcmp(out[0].data + 301, ".00", 3), 0);
	v = strtod(out[0].data, NULL);
	cr_assert_lt(fabs(v - 1e300), 1e297);
}

Test(noise_rows, not_a_number_and_out_of_range)
{
	prep_bounds b = bounds("9223372036854775000:9223372036854775807");
	prep_field row[2] = {F("x"), F("9223372036854775807")};
	const prep_field *out;
	size_t bad = 99;
	int k, ranged = 0;

	cr_assert(b.integer);
	cr_assert_eq(prep_noise_rows_new(2, 0.001, -1, NULL, &t), PREP_OK);
	cr_assert_eq(prep_noise_rows_add(t, 1, &b), PREP_OK);
	cr_assert_eq(prep_noise_rows_add(t, 0, &b), PREP_OK);
	cr_assert_eq(prep_noise_rows_apply(t, rng, row, 2, &out, &bad),
		     PREP_ERR_VALUE);
	cr_assert_eq(bad, 0);
	/* at the top of int64 with b = 807000, half the draws overflow */
	row[0] = F("");
	for (k = 0; k < 64 && !ranged; k++) {
		prep_status st =
		    prep_noise_rows_apply(t, rng, row, 2, &out, &bad);

		cr_assert(st == PREP_OK || st == PREP_ERR_RANGE);
		ranged = st == PREP_ERR_RANGE;
	}
	cr_assert(ranged);
	cr_assert_eq(bad, 1);
}

/*
 * The summary: [0, 10] at epsilon 0.5 is the integer mechanism, b = 20,
 * bound 60 (the smallest t with 2 a^(t+1) / (1 + a) <= 0.05, a =
 * exp(-1/20)); [-1.5, 1.5] the real one, b = (3 + 2^-37) / 0.5, printed
 * 6, bound b ln 20 = 17.9744.
 */
Test(noise_rows, report)
{
	static const prep_field header[] = {F("id"), F("income"), F("x"),
					    F("score")};
	prep_bounds b = bounds("0:10"), r = bounds("-1.5:1.5");
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cr_assert_not_null(f);
	cr_assert_eq(prep_noise_rows_new(4, 0.5, -1, NULL, &t), PREP_OK);
	cr_assert_eq(prep_noise_rows_add(t, 3, &r), PREP_OK);
	cr_assert_eq(prep_noise_rows_add(t, 1, &b), PREP_OK);
	cr_assert_eq(prep_noise_rows_report(t, header, "dpnoise", f), PREP_OK);
	cr_assert_eq(prep_noise_rows_report(t, NULL, "dpnoise", f), PREP_OK);
	cr_assert_eq(fclose(f), 0);
	cr_assert_str_eq(
	    text,
	    "dpnoise: laplace (integer) on income: epsilon 0.5, scale b 20, "
	    "95% error bound 60\n"
	    "dpnoise: laplace (real) on score: epsilon 0.5, scale b 6, 95% "
	    "error bound 17.9744\n"
	    "dpnoise: laplace (integer) on column 2: epsilon 0.5, scale b 20, "
	    "95% error bound 60\n"
	    "dpnoise: laplace (real) on column 4: epsilon 0.5, scale b 6, 95% "
	    "error bound 17.9744\n");
	free(text);
}
