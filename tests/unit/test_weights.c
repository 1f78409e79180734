/*
 * test_weights.c: unit tests of libprep/weights.c, the reweighing
 * weights of reweight (Kamiran and Calders, KAIS 33(1), 2012).
 *
 * Written from the contract (weights.h, reweight(1)): every
 * table below is counted by hand in the comment beside it, with W(g,y) =
 * n_g n_y / (n n_gy), or W(g) = n / (G n_g) without a label, and the
 * weights are checked as the exact text written ("%.15g"). Then the
 * defining property of reweighing on a larger table: under the weights,
 * P(y | g) = P(y) for every group, weighted or not; then bad weights,
 * sums of 0 or past DBL_MAX, the caps, and calls out of order.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "weights.h"

/* A string literal as a field, embedded NULs included. */
#define F(lit) ((prep_field){(lit), sizeof(lit) - 1})

static prep_weights *tab;

static void
teardown(void)
{
	prep_weights_free(tab);
	tab = NULL;
}

TestSuite(weights, .fini = teardown);

static void
mk(const size_t *group, size_t ngroup, long label, long weight, size_t max)
{
	prep_status st;

	tab = NULL;
	st = prep_weights_new(group, ngroup, label, weight, max, &tab);
	cr_assert_eq(st, PREP_OK, "prep_weights_new: %s", prep_strerror(st));
	cr_assert_not_null(tab);
}

static void
add(const prep_field *row)
{
	prep_status st = prep_weights_add(tab, row);

	cr_assert_eq(st, PREP_OK, "prep_weights_add: %s", prep_strerror(st));
}

static void
finish(void)
{
	prep_status st = prep_weights_finish(tab);

	cr_assert_eq(st, PREP_OK, "prep_weights_finish: %s", prep_strerror(st));
}

/* The weight text of a row, which must be known. */
static const char *
row_text(const prep_field *row)
{
	static char buf[64];
	const char *text = NULL;
	size_t len = 0;
	prep_status st = prep_weights_row(tab, row, NULL, &text, &len);

	cr_assert_eq(st, PREP_OK, "prep_weights_row: %s", prep_strerror(st));
	cr_assert(len < sizeof buf);
	memcpy(buf, text, len);
	buf[len] = '\0';
	return buf;
}

static double
row_value(const prep_field *row)
{
	const char *text;
	size_t len;
	double v = -1;
	prep_status st = prep_weights_row(tab, row, &v, &text, &len);

	cr_assert_eq(st, PREP_OK, "prep_weights_row: %s", prep_strerror(st));
	return v;
}

/* Cell (g, y) must hold these counts and weight (weight < 0: NA). */
static void
cell_is(size_t g, size_t y, double ng, double ny, double ngy, double w)
{
	prep_weights_cell_info c;
	prep_status st = prep_weights_cell(tab, g, y, &c);

	cr_assert_eq(st, PREP_OK, "cell %zu,%zu: %s", g, y, prep_strerror(st));
	cr_expect_eq(c.n_g, ng, "cell %zu,%zu: n_g %.17g, want %.17g", g, y,
		     c.n_g, ng);
	cr_expect_eq(c.n_y, ny, "cell %zu,%zu: n_y %.17g, want %.17g", g, y,
		     c.n_y, ny);
	cr_expect_eq(c.n_gy, ngy, "cell %zu,%zu: n_gy %.17g, want %.17g", g, y,
		     c.n_gy, ngy);
	if (w < 0) {
		cr_expect(c.empty, "cell %zu,%zu: not empty", g, y);
		cr_expect_eq(c.weight, 0.0);
	} else {
		cr_expect(!c.empty, "cell %zu,%zu: empty", g, y);
		cr_expect_eq(c.weight, w, "cell %zu,%zu: W %.17g, want %.17g",
			     g, y, c.weight, w);
	}
}

static void
field_is(prep_field f, const char *want, size_t len)
{
	cr_expect(f.len == len && memcmp(f.data, want, len) == 0,
		  "field '%.*s', want '%.*s'", (int)f.len, f.data, (int)len,
		  want);
}

/*
 * sex,label: F 1, F 0, F 0, M 1, M 1, M 0.
 * n = 6, n_F = n_M = 3, n_1 = n_0 = 3; n_F1 = 1, n_F0 = 2, n_M1 = 2,
 * n_M0 = 1. W(F,1) = 3*3/(6*1) = 1.5, W(F,0) = 9/12 = 0.75,
 * W(M,1) = 0.75, W(M,0) = 1.5.
 */
Test(weights, two_groups_two_labels)
{
	static const size_t g[] = {0};
	prep_field rows[6][2] = {{F("F"), F("1")}, {F("F"), F("0")},
				 {F("F"), F("0")}, {F("M"), F("1")},
				 {F("M"), F("1")}, {F("M"), F("0")}};
	static const char *const want[] = {"1.5",  "0.75", "0.75",
					   "0.75", "0.75", "1.5"};
	size_t i;

	mk(g, 1, 1, -1, 0);
	for (i = 0; i < 6; i++)
		add(rows[i]);
	finish();
	cr_assert_eq(prep_weights_rows(tab), 6);
	cr_assert_eq(prep_weights_groups(tab), 2);
	cr_assert_eq(prep_weights_labels(tab), 2);
	cr_assert_eq(prep_weights_total(tab), 6.0);
	cr_assert_eq(prep_weights_empty_cells(tab), 0);
	for (i = 0; i < 6; i++)
		cr_expect_str_eq(row_text(rows[i]), want[i], "row %zu", i);
	/* groups and labels in order of first appearance */
	field_is(prep_weights_group_field(tab, 0, 0), "F", 1);
	field_is(prep_weights_group_field(tab, 1, 0), "M", 1);
	field_is(prep_weights_label(tab, 0), "1", 1);
	field_is(prep_weights_label(tab, 1), "0", 1);
	cell_is(0, 0, 3, 3, 1, 1.5);
	cell_is(0, 1, 3, 3, 2, 0.75);
	cell_is(1, 0, 3, 3, 2, 0.75);
	cell_is(1, 1, 3, 3, 1, 1.5);
}

/*
 * An empty cell: A yes, A yes, A no, B no, B no.
 * n = 5, n_A = 3, n_B = 2, n_yes = 2, n_no = 3; n_Ayes = 2, n_Ano = 1,
 * n_Byes = 0, n_Bno = 2. W(A,yes) = 3*2/(5*2) = 0.6, W(A,no) =
 * 3*3/(5*1) = 1.8, W(B,yes) = NA (never divided by), W(B,no) =
 * 2*3/(5*2) = 0.6.
 */
Test(weights, empty_cell_reported_not_divided)
{
	static const size_t g[] = {1};
	prep_field rows[5][2] = {{F("yes"), F("A")},
				 {F("yes"), F("A")},
				 {F("no"), F("A")},
				 {F("no"), F("B")},
				 {F("no"), F("B")}};
	static const char *const want[] = {"0.6", "0.6", "1.8", "0.6", "0.6"};
	size_t i;

	mk(g, 1, 0, -1, 0);
	for (i = 0; i < 5; i++)
		add(rows[i]);
	finish();
	for (i = 0; i < 5; i++)
		cr_expect_str_eq(row_text(rows[i]), want[i], "row %zu", i);
	cr_assert_eq(prep_weights_empty_cells(tab), 1);
	cell_is(0, 0, 3, 2, 2, 3.0 * 2 / (5 * 2));
	cell_is(0, 1, 3, 3, 1, 3.0 * 3 / (5 * 1));
	cell_is(1, 0, 2, 2, 0, -1);
	cell_is(1, 1, 2, 3, 2, 2.0 * 3 / (5 * 2));
}

/*
 * Intersections of two group columns. Rows (sex, race, label):
 * F a 1, F a 0, F b 1, M a 0, M a 0, M b 1, M b 1, F a 1.
 * Groups in order: Fa (3 rows: 1 1 0), Fb (1: 1), Ma (2: 0 0),
 * Mb (2: 1 1); labels 1, 0. n = 8, n_1 = 5, n_0 = 3.
 * W(Fa,1) = 3*5/(8*2) = 0.9375, W(Fa,0) = 3*3/(8*1) = 1.125,
 * W(Fb,1) = 1*5/(8*1) = 0.625, W(Ma,0) = 2*3/(8*2) = 0.375,
 * W(Mb,1) = 2*5/(8*2) = 0.625; (Fb,0), (Ma,1), (Mb,0) are empty.
 */
Test(weights, intersections)
{
	static const size_t g[] = {0, 1};
	prep_field rows[8][3] = {
	    {F("F"), F("a"), F("1")}, {F("F"), F("a"), F("0")},
	    {F("F"), F("b"), F("1")}, {F("M"), F("a"), F("0")},
	    {F("M"), F("a"), F("0")}, {F("M"), F("b"), F("1")},
	    {F("M"), F("b"), F("1")}, {F("F"), F("a"), F("1")}};
	static const char *const want[] = {"0.9375", "1.125", "0.625",
					   "0.375",  "0.375", "0.625",
					   "0.625",  "0.9375"};
	size_t i;

	mk(g, 2, 2, -1, 0);
	for (i = 0; i < 8; i++)
		add(rows[i]);
	finish();
	cr_assert_eq(prep_weights_groups(tab), 4);
	cr_assert_eq(prep_weights_labels(tab), 2);
	cr_assert_eq(prep_weights_empty_cells(tab), 3);
	for (i = 0; i < 8; i++)
		cr_expect_str_eq(row_text(rows[i]), want[i], "row %zu", i);
	field_is(prep_weights_group_field(tab, 1, 0), "F", 1);
	field_is(prep_weights_group_field(tab, 1, 1), "b", 1);
	field_is(prep_weights_group_field(tab, 2, 0), "M", 1);
	field_is(prep_weights_group_field(tab, 2, 1), "a", 1);
	cell_is(0, 0, 3, 5, 2, 0.9375);
	cell_is(0, 1, 3, 3, 1, 1.125);
	cell_is(1, 0, 1, 5, 1, 0.625);
	cell_is(1, 1, 1, 3, 0, -1);
	cell_is(2, 0, 2, 5, 0, -1);
	cell_is(2, 1, 2, 3, 2, 0.375);
	cell_is(3, 0, 2, 5, 2, 0.625);
	cell_is(3, 1, 2, 3, 0, -1);
}

/*
 * The tuple is unambiguous: ("ab","c") and ("a","bc") are two groups, as
 * are ("", "x") and ("x", ""); a label is compared byte for byte, NULs
 * and the empty label included.
 */
Test(weights, keys_byte_for_byte)
{
	static const size_t g[] = {0, 1};
	prep_field rows[5][3] = {{F("ab"), F("c"), F("")},
				 {F("a"), F("bc"), F("")},
				 {F(""), F("x"), F("a\0b")},
				 {F("x"), F(""), F("a\0c")},
				 {F("ab"), F("c"), F("a\0b")}};
	size_t i;

	mk(g, 2, 2, -1, 0);
	for (i = 0; i < 5; i++)
		add(rows[i]);
	finish();
	cr_assert_eq(prep_weights_groups(tab), 4);
	cr_assert_eq(prep_weights_labels(tab), 3);
	field_is(prep_weights_group_field(tab, 2, 0), "", 0);
	field_is(prep_weights_group_field(tab, 2, 1), "x", 1);
	field_is(prep_weights_label(tab, 0), "", 0);
	field_is(prep_weights_label(tab, 1), "a\0b", 3);
	field_is(prep_weights_label(tab, 2), "a\0c", 3);
	/* n = 5, n_ab,c = 2, n_"" = 2, n_a\0b = 2: W = 2*2/(5*1) = 0.8 */
	cr_expect_str_eq(row_text(rows[0]), "0.8");
	/* (a,bc) alone with label "": W = 1*2/(5*1) = 0.4 */
	cr_expect_str_eq(row_text(rows[1]), "0.4");
	/* (x,"") alone with a\0c: W = 1*1/(5*1) = 0.2 */
	cr_expect_str_eq(row_text(rows[3]), "0.2");
	/* out of range: the empty field */
	field_is(prep_weights_group_field(tab, 9, 0), "", 0);
	field_is(prep_weights_group_field(tab, 0, 2), "", 0);
	field_is(prep_weights_label(tab, 3), "", 0);
}

/*
 * Without a label: W(g) = n / (G n_g). Groups A (3 rows), B (1 row):
 * n = 4, G = 2, W(A) = 4/6 = 0.666666666666667 (15 digits), W(B) = 2.
 * Each group then weighs n/G = 2. The table has one label per group:
 * n_y = n, n_gy = n_g.
 */
Test(weights, no_label_equalizes_groups)
{
	static const size_t g[] = {0};
	prep_field rows[4][1] = {{F("A")}, {F("B")}, {F("A")}, {F("A")}};

	mk(g, 1, -1, -1, 0);
	add(rows[0]);
	add(rows[1]);
	add(rows[2]);
	add(rows[3]);
	finish();
	cr_assert_eq(prep_weights_labels(tab), 1);
	cr_assert_eq(prep_weights_empty_cells(tab), 0);
	cr_expect_str_eq(row_text(rows[0]), "0.666666666666667");
	cr_expect_str_eq(row_text(rows[1]), "2");
	cr_expect_eq(row_value(rows[0]), 4.0 / 6.0);
	field_is(prep_weights_label(tab, 0), "", 0);
	cell_is(0, 0, 3, 4, 3, 4.0 / 6.0);
	cell_is(1, 0, 1, 4, 1, 2);
}

/*
 * Weighted counts. Rows (group, label, weight): A 1 2, A 0 1, B 1 0.5,
 * B 0 1.5, B 0 0. n = 5, n_A = 3, n_B = 2, n_1 = 2.5, n_0 = 2.5;
 * n_A1 = 2, n_A0 = 1, n_B1 = 0.5, n_B0 = 1.5.
 * W(A,1) = 3*2.5/(5*2) = 0.75, W(A,0) = 3*2.5/(5*1) = 1.5,
 * W(B,1) = 2*2.5/(5*0.5) = 2, W(B,0) = 2*2.5/(5*1.5) = 2/3.
 * Output = own weight x W: 1.5, 1.5, 1, 1, and 0 for the weight 0.
 * Weighted P(1|A) = 1.5/3 = 0.5, P(1|B) = 1/2 = 0.5 = n_1/n.
 */
Test(weights, weighted_counts)
{
	static const size_t g[] = {0};
	prep_field rows[5][3] = {{F("A"), F("1"), F("2")},
				 {F("A"), F("0"), F("1")},
				 {F("B"), F("1"), F("0.5")},
				 {F("B"), F("0"), F("1.5")},
				 {F("B"), F("0"), F("0")}};
	static const char *const want[] = {"1.5", "1.5", "1", "1", "0"};
	size_t i;

	mk(g, 1, 1, 2, 0);
	for (i = 0; i < 5; i++)
		add(rows[i]);
	finish();
	cr_assert_eq(prep_weights_rows(tab), 5);
	cr_assert_eq(prep_weights_total(tab), 5.0);
	for (i = 0; i < 5; i++)
		cr_expect_str_eq(row_text(rows[i]), want[i], "row %zu", i);
	cell_is(0, 0, 3, 2.5, 2, 0.75);
	cell_is(0, 1, 3, 2.5, 1, 1.5);
	cell_is(1, 0, 2, 2.5, 0.5, 2);
	cell_is(1, 1, 2, 2.5, 1.5, 2.0 * 2.5 / (5 * 1.5));
}

/*
 * A cell whose rows all weigh 0 has count 0: NA, and its rows get 0.
 * Rows: A 1 1, A 0 1, B 1 0, B 0 2. n = 4, n_A = 2, n_B = 2, n_1 = 1,
 * n_0 = 3; W(A,1) = 2*1/(4*1) = 0.5, W(A,0) = 2*3/(4*1) = 1.5,
 * (B,1) NA, W(B,0) = 2*3/(4*2) = 0.75: output 0.5, 1.5, 0, 1.5.
 */
Test(weights, zero_weight_cell)
{
	static const size_t g[] = {0};
	prep_field rows[4][3] = {{F("A"), F("1"), F("1")},
				 {F("A"), F("0"), F("1")},
				 {F("B"), F("1"), F("0")},
				 {F("B"), F("0"), F("2")}};
	static const char *const want[] = {"0.5", "1.5", "0", "1.5"};
	size_t i;

	mk(g, 1, 1, 2, 0);
	for (i = 0; i < 4; i++)
		add(rows[i]);
	finish();
	cr_assert_eq(prep_weights_empty_cells(tab), 1);
	for (i = 0; i < 4; i++)
		cr_expect_str_eq(row_text(rows[i]), want[i], "row %zu", i);
	cell_is(1, 0, 2, 1, 0, -1);
}

/*
 * Without a label, a group of weight 0 is not one of the G groups:
 * A 1, A 3, B 0: n = 4, G = 1, W(A) = 4/(1*4) = 1; B is NA and its row
 * gets 0.
 */
Test(weights, no_label_zero_weight_group)
{
	static const size_t g[] = {0};
	prep_field rows[3][2] = {
	    {F("A"), F("1")}, {F("A"), F("3")}, {F("B"), F("0")}};

	mk(g, 1, -1, 1, 0);
	add(rows[0]);
	add(rows[1]);
	add(rows[2]);
	finish();
	cr_expect_str_eq(row_text(rows[0]), "1");
	cr_expect_str_eq(row_text(rows[1]), "3");
	cr_expect_str_eq(row_text(rows[2]), "0");
	cr_assert_eq(prep_weights_empty_cells(tab), 1);
	cell_is(0, 0, 4, 4, 4, 1);
	cell_is(1, 0, 0, 4, 0, -1);
}

/* At least 10 significant digits: 1/3 and 2/7 written with 15. */
Test(weights, digits)
{
	static const size_t g[] = {0};
	/* A: 1 1 0, B: 0 0 0 0: n = 7, n_1 = 2, n_0 = 5.
	 * W(A,1) = 3*2/(7*2) = 3/7, W(A,0) = 3*5/(7*1) = 15/7,
	 * W(B,0) = 4*5/(7*4) = 5/7. */
	prep_field rows[7][2] = {{F("A"), F("1")}, {F("A"), F("1")},
				 {F("A"), F("0")}, {F("B"), F("0")},
				 {F("B"), F("0")}, {F("B"), F("0")},
				 {F("B"), F("0")}};
	char want[32];
	size_t i;

	mk(g, 1, 1, -1, 0);
	for (i = 0; i < 7; i++)
		add(rows[i]);
	finish();
	cr_expect_str_eq(row_text(rows[0]), "0.428571428571429");
	cr_expect_str_eq(row_text(rows[2]), "2.14285714285714");
	cr_expect_str_eq(row_text(rows[3]), "0.714285714285714");
	snprintf(want, sizeof want, "%.15g", 3.0 / 7.0);
	cr_expect_str_eq(row_text(rows[0]), want);
	cr_expect_eq(row_value(rows[0]), 3.0 / 7.0);
}

/* A small deterministic generator for the property tests. */
static uint64_t
next_rand(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

/*
 * The defining property (Kamiran and Calders 2012): under the weights,
 * P(y | g) = P(y) for every group and label, so the weighted disparate
 * impact between any two groups is 1. ngroup groups over two columns,
 * three labels with rates that depend on the group, and (weighted) own
 * weights from 0 to 4; every cell has rows. Exact to 1e-12.
 */
static void
check_property(int weighted)
{
	static const size_t g[] = {0, 1};
	enum { NROWS = 20000, NA = 4, NB = 3, NY = 3 };
	char a[NA][2] = {"p", "q", "r", "s"}, b[NB][2] = {"x", "y", "z"};
	char y[NY][2] = {"0", "1", "2"};
	char wtext[32];
	double sum_gy[NA][NB][NY] = {{{0}}}, sum_y[NY] = {0}, total = 0;
	double in_gy[NA][NB][NY] = {{{0}}}, in_y[NY] = {0}, in_total = 0;
	uint64_t s = 42;
	int i, ia, ib, iy;

	mk(g, 2, 2, weighted ? 3 : -1, 0);
	/* two passes over the same generated rows */
	for (int pass = 0; pass < 2; pass++) {
		s = 42;
		for (i = 0; i < NROWS; i++) {
			prep_field row[4];
			double own = 1, v;

			ia = (int)(next_rand(&s) % NA);
			ib = (int)(next_rand(&s) % NB);
			/* label skewed by group: rate of "0" varies */
			iy = (int)(next_rand(&s) % (unsigned)(NY + ia + ib));
			iy = iy >= NY ? 0 : iy;
			if (weighted)
				own = (double)(next_rand(&s) % 17) / 4;
			snprintf(wtext, sizeof wtext, "%g", own);
			row[0] = (prep_field){a[ia], 1};
			row[1] = (prep_field){b[ib], 1};
			row[2] = (prep_field){y[iy], 1};
			row[3] = (prep_field){wtext, strlen(wtext)};
			if (pass == 0) {
				add(row);
				in_gy[ia][ib][iy] += own;
				in_y[iy] += own;
				in_total += own;
				continue;
			}
			v = row_value(row);
			sum_gy[ia][ib][iy] += v;
			sum_y[iy] += v;
			total += v;
		}
		if (pass == 0)
			finish();
	}
	cr_assert_eq(prep_weights_empty_cells(tab), 0);
	/* the total weight is kept */
	cr_expect(fabs(total - in_total) <= 1e-9 * in_total,
		  "total %.17g, want %.17g", total, in_total);
	for (ia = 0; ia < NA; ia++)
		for (ib = 0; ib < NB; ib++) {
			double n_g = 0, in_g = 0;

			for (iy = 0; iy < NY; iy++) {
				n_g += sum_gy[ia][ib][iy];
				in_g += in_gy[ia][ib][iy];
			}
			/* each group keeps its weight */
			cr_expect(fabs(n_g - in_g) <= 1e-9 * in_g);
			for (iy = 0; iy < NY; iy++) {
				double p = sum_gy[ia][ib][iy] / n_g;
				double want = in_y[iy] / in_total;

				cr_expect(fabs(p - want) <= 1e-12,
					  "P(%d | %d,%d) = %.17g, P(y) = %.17g",
					  iy, ia, ib, p, want);
			}
		}
	(void)sum_y;
}

Test(weights, property_label_independent_of_group)
{
	check_property(0);
}

Test(weights, property_weighted)
{
	check_property(1);
}

/* Bad own weights: refused, and the table is left as it was. */
Test(weights, bad_weights)
{
	static const size_t g[] = {0};
	static const char *const not_number[] = {"",	 "abc",	  "inf", "nan",
						 "-inf", "1e999", " 1",	 "1 ",
						 "0x10", "1,5"};
	prep_field row[2] = {F("A"), F("1")};
	size_t i;

	mk(g, 1, -1, 1, 0);
	for (i = 0; i < sizeof not_number / sizeof *not_number; i++) {
		row[1] = (prep_field){not_number[i], strlen(not_number[i])};
		cr_expect_eq(prep_weights_add(tab, row), PREP_ERR_VALUE,
			     "weight '%s'", not_number[i]);
	}
	row[1] = F("-1");
	cr_expect_eq(prep_weights_add(tab, row), PREP_ERR_RANGE);
	row[1] = F("-1e-300");
	cr_expect_eq(prep_weights_add(tab, row), PREP_ERR_RANGE);
	cr_assert_eq(prep_weights_rows(tab), 0);
	cr_assert_eq(prep_weights_groups(tab), 0);
	/* -0 is 0, and accepted */
	row[1] = F("-0");
	add(row);
	row[1] = F("2.5e0");
	add(row);
	finish();
	cr_assert_eq(prep_weights_total(tab), 2.5);
	row[1] = F("-0");
	cr_expect_str_eq(row_text(row), "0");
	row[1] = F("2.5e0");
	cr_expect_str_eq(row_text(row), "2.5");
	/* pass 2 refuses what pass 1 would */
	row[1] = F("x");
	{
		const char *t;
		size_t len;

		cr_expect_eq(prep_weights_row(tab, row, NULL, &t, &len),
			     PREP_ERR_VALUE);
	}
}

/* Rows whose weights sum to 0: no weights can be made. */
Test(weights, zero_total)
{
	static const size_t g[] = {0};
	prep_field row[3] = {F("A"), F("1"), F("0")};

	mk(g, 1, 1, 2, 0);
	add(row);
	row[0] = F("B");
	add(row);
	cr_expect_eq(prep_weights_finish(tab), PREP_ERR_VALUE);
	/* and a second call is refused, whatever the first gave */
	cr_expect_eq(prep_weights_finish(tab), PREP_ERR_ARG);
}

/* Sums past DBL_MAX: refused, never an infinite or NaN weight. */
Test(weights, overflow)
{
	static const size_t g[] = {0};
	prep_field row[2] = {F("A"), F("1e308")};

	mk(g, 1, -1, 1, 0);
	add(row);
	add(row);
	cr_expect_eq(prep_weights_finish(tab), PREP_ERR_RANGE);
}

/* Huge but finite sums: the products would overflow, W is still right. */
Test(weights, large_weights)
{
	static const size_t g[] = {0};
	/* A 1 w, A 0 w, B 1 w, B 0 3w with w = 1e300:
	 * n = 6w, n_A = 2w, n_B = 4w, n_1 = 2w, n_0 = 4w.
	 * W(A,1) = 2w*2w/(6w*w) = 2/3, W(B,0) = 4w*4w/(6w*3w) = 8/9. */
	prep_field rows[4][3] = {{F("A"), F("1"), F("1e300")},
				 {F("A"), F("0"), F("1e300")},
				 {F("B"), F("1"), F("1e300")},
				 {F("B"), F("0"), F("3e300")}};
	prep_weights_cell_info c;
	size_t i;

	mk(g, 1, 1, 2, 0);
	for (i = 0; i < 4; i++)
		add(rows[i]);
	finish();
	cr_assert_eq(prep_weights_cell(tab, 0, 0, &c), PREP_OK);
	cr_expect(fabs(c.weight - 2.0 / 3) < 1e-15, "W %.17g", c.weight);
	cr_assert_eq(prep_weights_cell(tab, 1, 1, &c), PREP_OK);
	cr_expect(fabs(c.weight - 8.0 / 9) < 1e-15, "W %.17g", c.weight);
	cr_expect(isfinite(row_value(rows[3])));
}

/*
 * The cap on groups, labels and cells (cells come first: there are at
 * least as many); a refused row changes nothing.
 */
Test(weights, caps)
{
	static const size_t g[] = {0};
	prep_field row[2] = {F("A"), F("1")};

	mk(g, 1, 1, -1, 2);
	add(row);
	row[1] = F("2");
	add(row);
	/* a third label */
	row[1] = F("3");
	cr_expect_eq(prep_weights_add(tab, row), PREP_ERR_LIMIT);
	/* a new group: (A,1), (A,2), (B,1) would be three cells */
	row[0] = F("B");
	row[1] = F("1");
	cr_expect_eq(prep_weights_add(tab, row), PREP_ERR_LIMIT);
	cr_assert_eq(prep_weights_rows(tab), 2);
	cr_assert_eq(prep_weights_groups(tab), 1);
	cr_assert_eq(prep_weights_labels(tab), 2);
	/* known cells still count */
	row[0] = F("A");
	add(row);
	finish();
	cr_assert_eq(prep_weights_total(tab), 3.0);
	teardown();

	/* groups */
	mk(g, 1, -1, -1, 1);
	row[0] = F("A");
	add(row);
	row[0] = F("B");
	cr_expect_eq(prep_weights_add(tab, row), PREP_ERR_LIMIT);
	cr_assert_eq(prep_weights_groups(tab), 1);
}

/* Calls out of order, unknown rows, and bad arguments. */
Test(weights, misuse)
{
	static const size_t g[] = {0};
	prep_field row[2] = {F("A"), F("1")};
	prep_weights_cell_info c;
	const char *t;
	size_t len;

	cr_expect_eq(prep_weights_new(g, 0, -1, -1, 0, &tab), PREP_ERR_ARG);
	cr_expect_null(tab);
	cr_expect_eq(prep_weights_new(NULL, 1, -1, -1, 0, &tab), PREP_ERR_ARG);
	cr_expect_eq(
	    prep_weights_new(g, 1, -1, -1, ((size_t)1 << 31) + 1, &tab),
	    PREP_ERR_ARG);
	mk(g, 1, 1, -1, 0);
	add(row);
	cr_expect_eq(prep_weights_row(tab, row, NULL, &t, &len), PREP_ERR_ARG);
	cr_expect_eq(prep_weights_cell(tab, 0, 0, &c), PREP_ERR_ARG);
	finish();
	cr_expect_eq(prep_weights_add(tab, row), PREP_ERR_ARG);
	cr_expect_eq(prep_weights_finish(tab), PREP_ERR_ARG);
	row[0] = F("B");
	cr_expect_eq(prep_weights_row(tab, row, NULL, &t, &len),
		     PREP_ERR_NOT_FOUND);
	row[0] = F("A");
	row[1] = F("2");
	cr_expect_eq(prep_weights_row(tab, row, NULL, &t, &len),
		     PREP_ERR_NOT_FOUND);
	cr_expect_eq(prep_weights_cell(tab, 1, 0, &c), PREP_ERR_ARG);
	cr_expect_eq(prep_weights_cell(tab, 0, 1, &c), PREP_ERR_ARG);
	cell_is(0, 0, 1, 1, 1, 1);
}

/* No rows: nothing to weigh, and no error. */
Test(weights, no_rows)
{
	static const size_t g[] = {0};

	mk(g, 1, 1, 2, 0);
	finish();
	cr_assert_eq(prep_weights_rows(tab), 0);
	cr_assert_eq(prep_weights_groups(tab), 0);
	cr_assert_eq(prep_weights_labels(tab), 0);
	cr_assert_eq(prep_weights_total(tab), 0.0);
	cr_assert_eq(prep_weights_empty_cells(tab), 0);
}

/*
 * The text prep_weights_report writes for tab with header[0..ncols), on
 * a writer of delimiter delim (CRLF line ends with crlf): malloc'd.
 */
static char *
report_text(const prep_field *header, size_t ncols, int delim, int crlf)
{
	prep_writer_options wo = {.delim = delim, .crlf = crlf};
	prep_writer *wr = NULL;
	FILE *f = tmpfile();
	char *text = calloc(1, 4096);
	ssize_t got;
	prep_status st;

	cr_assert(f && text);
	cr_assert_eq(prep_writer_new(fileno(f), &wo, &wr), PREP_OK);
	st = prep_weights_report(tab, header, ncols, wr);
	cr_assert_eq(st, PREP_OK, "prep_weights_report: %s", prep_strerror(st));
	cr_assert_eq(prep_writer_finish(wr), PREP_OK);
	prep_writer_free(wr);
	cr_assert_eq(lseek(fileno(f), 0, SEEK_SET), 0);
	got = read(fileno(f), text, 4095);
	cr_assert(got >= 0 && got < 4095);
	(void)fclose(f);
	return text;
}

/*
 * The table of two_groups_two_labels, with its header: the columns by
 * name, each group's labels in order of first appearance (1 before 0),
 * the counts and W worked out there.
 */
Test(weights, report_header_names)
{
	static const size_t g[] = {0};
	static const prep_field header[] = {F("sex"), F("label")};
	prep_field rows[6][2] = {{F("F"), F("1")}, {F("F"), F("0")},
				 {F("F"), F("0")}, {F("M"), F("1")},
				 {F("M"), F("1")}, {F("M"), F("0")}};
	char *text;
	size_t i;

	mk(g, 1, 1, -1, 0);
	for (i = 0; i < 6; i++)
		add(rows[i]);
	finish();
	text = report_text(header, 2, ',', 0);
	cr_assert_str_eq(text, "sex,label,n_g,n_y,n_gy,weight\n"
			       "F,1,3,3,1,1.5\n"
			       "F,0,3,3,2,0.75\n"
			       "M,1,3,3,2,0.75\n"
			       "M,0,3,3,1,1.5\n");
	free(text);
}

/*
 * No header: the columns by number. Columns a,y,b,w; groups a and b
 * (their intersection), label y, weight w:
 *	x,1,p,2  x,0,p,1  z,1,q,0  z,0,q,3
 * n = 6; n_xp = 2+1 = 3, n_zq = 0+3 = 3; n_1 = 2+0 = 2, n_0 = 1+3 = 4.
 * W(xp,1) = 3*2/(6*2) = 0.5, W(xp,0) = 3*4/(6*1) = 2, (zq,1) has a
 * count of 0: NA, W(zq,0) = 3*4/(6*3) = 2/3, 0.666666666666667.
 */
Test(weights, report_numbers_weighted_na)
{
	static const size_t g[] = {0, 2};
	prep_field rows[4][4] = {{F("x"), F("1"), F("p"), F("2")},
				 {F("x"), F("0"), F("p"), F("1")},
				 {F("z"), F("1"), F("q"), F("0")},
				 {F("z"), F("0"), F("q"), F("3")}};
	char *text;
	size_t i;

	mk(g, 2, 1, 3, 0);
	for (i = 0; i < 4; i++)
		add(rows[i]);
	finish();
	text = report_text(NULL, 4, ',', 0);
	cr_assert_str_eq(text, "1,3,2,n_g,n_y,n_gy,weight\n"
			       "x,p,1,3,2,2,0.5\n"
			       "x,p,0,3,4,1,2\n"
			       "z,q,1,3,2,0,NA\n"
			       "z,q,0,3,4,3,0.666666666666667\n");
	free(text);
}

/*
 * No label column: no label field, n_y = n and n_gy = n_g. Groups of
 * city: "a,b" once, c"d three times; n = 4, G = 2: W = 4/(2*1) = 2 and
 * 4/(2*3) = 0.666666666666667. Fields are written in the writer's
 * dialect: with ';' the comma needs no quotes, the quote does.
 */
Test(weights, report_no_label_dialect)
{
	static const size_t g[] = {0};
	static const prep_field header[] = {F("city")};
	prep_field rows[4][1] = {
	    {F("a,b")}, {F("c\"d")}, {F("c\"d")}, {F("c\"d")}};
	char *text;
	size_t i;

	mk(g, 1, -1, -1, 0);
	for (i = 0; i < 4; i++)
		add(rows[i]);
	finish();
	text = report_text(header, 1, ';', 1);
	cr_assert_str_eq(text, "city;n_g;n_y;n_gy;weight\r\n"
			       "a,b;1;4;1;2\r\n"
			       "\"c\"\"d\";3;4;3;0.666666666666667\r\n");
	free(text);
	text = report_text(header, 1, ',', 0);
	cr_assert_str_eq(text, "city,n_g,n_y,n_gy,weight\n"
			       "\"a,b\",1,4,1,2\n"
			       "\"c\"\"d\",3,4,3,0.666666666666667\n");
	free(text);
}

/* Before prep_weights_finish there is no table: nothing is written. */
Test(weights, report_before_finish)
{
	static const size_t g[] = {0};
	prep_writer_options wo = {.delim = ','};
	prep_writer *wr = NULL;
	FILE *f = tmpfile();

	cr_assert_not_null(f);
	mk(g, 1, -1, -1, 0);
	add((prep_field[]){F("a")});
	cr_assert_eq(prep_writer_new(fileno(f), &wo, &wr), PREP_OK);
	cr_assert_eq(prep_weights_report(tab, NULL, 1, wr), PREP_ERR_ARG);
	cr_assert_eq(prep_writer_finish(wr), PREP_OK);
	prep_writer_free(wr);
	cr_assert_eq(lseek(fileno(f), 0, SEEK_END), 0);
	(void)fclose(f);
}
