/*
 * test_kanon.c: unit tests of libprep/kanon.c, the k-anonymity,
 * l-diversity, t-closeness and re-identification risk figures kcheck
 * reports.
 *
 * Written from the definitions (kanon.h, kcheck(1)), not from
 * the implementation. Each table is small enough to work out by hand; the
 * working is in the comment beside it: class sizes, counts, logarithms,
 * cumulative sums of the earth mover's distance. Integers are asserted
 * exactly; reals to 1e-12, or exactly where the value is a dyadic fraction
 * every step of the computation represents exactly. The report is filled
 * with garbage before each call so that a figure left unwritten fails.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "classes.h"
#include "kanon.h"

#define NROWS(t) (sizeof(t) / sizeof((t)[0]))
#define NCOLS(t) (sizeof((t)[0]) / sizeof((t)[0][0]))

static prep_classes *tab;
static prep_kanon_report r;
static int have_r;
static prep_kanon_params p;

static void
setup(void)
{
	prep_kanon_params_init(&p);
}

static void
teardown(void)
{
	if (have_r)
		prep_kanon_report_free(&r);
	have_r = 0;
	prep_classes_free(tab);
	tab = NULL;
}

TestSuite(kanon, .init = setup, .fini = teardown);

/* A new table: QIs are columns 0 .. nqi-1, sensitive column sens or -1. */
static void
table(size_t nqi, long sens)
{
	size_t qi[4];
	prep_status st;

	cr_assert_leq(nqi, 4);
	for (size_t i = 0; i < nqi; i++)
		qi[i] = i;
	prep_classes_free(tab);
	tab = NULL;
	st = prep_classes_new(qi, nqi, sens, 0, &tab);
	cr_assert_eq(st, PREP_OK, "prep_classes_new: %s", prep_strerror(st));
}

/* Add nrows rows of ncols NUL-terminated cells each. */
static void
load(const char *const *cells, size_t ncols, size_t nrows)
{
	prep_field row[4];

	cr_assert_leq(ncols, 4);
	for (size_t i = 0; i < nrows; i++) {
		for (size_t j = 0; j < ncols; j++) {
			row[j].data = cells[i * ncols + j];
			row[j].len = strlen(row[j].data);
		}
		cr_assert_eq(prep_classes_add(tab, row, NULL), PREP_OK,
			     "row %zu", i);
	}
}
#define LOAD(t) load(&(t)[0][0], NCOLS(t), NROWS(t))

/* Evaluate p on tab; must succeed. */
static void
eval(void)
{
	prep_status st;

	if (have_r)
		prep_kanon_report_free(&r);
	have_r = 0;
	memset(&r, 0xA5, sizeof r);
	st = prep_kanon_evaluate(tab, &p, &r);
	cr_assert_eq(st, PREP_OK, "prep_kanon_evaluate: %s", prep_strerror(st));
	have_r = 1;
}

/* Evaluate p on tab; must fail with PREP_ERR_ARG. */
static void
eval_arg(const char *what)
{
	prep_status st;

	if (have_r)
		prep_kanon_report_free(&r);
	have_r = 0;
	memset(&r, 0, sizeof r);
	st = prep_kanon_evaluate(tab, &p, &r);
	cr_assert_eq(st, PREP_ERR_ARG, "%s: got %d (%s), want PREP_ERR_ARG",
		     what, st, prep_strerror(st));
	/* Whatever it left in r must be safe to free. */
	prep_kanon_report_free(&r);
	memset(&r, 0, sizeof r);
}

#define U(field, want)                                                         \
	cr_assert_eq((uint64_t)r.field, (uint64_t)(want),                      \
		     #field ": got %" PRIu64 ", want %" PRIu64,                \
		     (uint64_t)r.field, (uint64_t)(want))
#define I(field, want)                                                         \
	cr_assert_eq(r.field, (want), #field ": got %d, want %d", r.field,     \
		     (int)(want))
#define NEAR(field, want)                                                      \
	cr_assert_float_eq(r.field, (double)(want), 1e-12,                     \
			   #field ": got %.17g, want %.17g", r.field,          \
			   (double)(want))
#define EXACT(field, want)                                                     \
	cr_assert(r.field == (double)(want), #field ": got %.17g, want %.17g", \
		  r.field, (double)(want))

/* The figures every report has; hist holds (size, classes) pairs. */
struct fig {
	uint64_t rows, classes, min, k, viol, violrows, supp;
	double avg, rmax, ravg, rar, uniq;
	const uint64_t *hist;
	size_t nhist;
	int k_ok, supp_ok, sat;
};

#define HIST(...)                                                              \
	.hist = (const uint64_t[]){__VA_ARGS__},                               \
	.nhist =                                                               \
	    sizeof((const uint64_t[]){__VA_ARGS__}) / sizeof(uint64_t) / 2

static void
figures(struct fig w)
{
	U(rows, w.rows);
	U(classes, w.classes);
	U(min_class_size, w.min);
	NEAR(avg_class_size, w.avg);
	U(k, w.k);
	U(violating_classes, w.viol);
	U(violating_rows, w.violrows);
	U(suppressed_rows, w.supp);
	NEAR(prosecutor_risk_max, w.rmax);
	NEAR(prosecutor_risk_avg, w.ravg);
	NEAR(records_at_risk, w.rar);
	NEAR(sample_uniqueness, w.uniq);
	cr_assert_eq(r.nhistogram, w.nhist, "nhistogram: got %zu, want %zu",
		     r.nhistogram, w.nhist);
	for (size_t i = 0; i < w.nhist; i++) {
		cr_assert_eq(r.histogram[i].size, w.hist[2 * i],
			     "histogram[%zu].size: got %" PRIu64
			     ", want %" PRIu64,
			     i, r.histogram[i].size, w.hist[2 * i]);
		cr_assert_eq(r.histogram[i].classes, w.hist[2 * i + 1],
			     "histogram[%zu].classes: got %" PRIu64
			     ", want %" PRIu64,
			     i, r.histogram[i].classes, w.hist[2 * i + 1]);
	}
	I(k_ok, w.k_ok);
	I(suppress_ok, w.supp_ok);
	I(satisfied, w.sat);
}

/* ------------------------------------------------------------------ */
/* Parameters */

Test(kanon, params_defaults)
{
	prep_kanon_params q;

	memset(&q, 0xA5, sizeof q);
	prep_kanon_params_init(&q);
	cr_assert_eq(q.k, 2);
	cr_assert_eq(q.suppress, 0);
	cr_assert(q.max_suppress == 0.05);
	cr_assert_eq(q.check_l, 0);
	cr_assert_eq(q.ldiv, PREP_LDIV_DISTINCT);
	cr_assert(q.c == 1.0);
	cr_assert_eq(q.check_t, 0);
}

/* ------------------------------------------------------------------ */
/* k-anonymity and risk figures */

/*
 * MIX: QIs zip, age; sensitive disease. 12 rows, 5 classes:
 *   A (130,30) 4 rows: flu flu cold cancer
 *   B (131,40) 3 rows: flu flu cold
 *   C (132,50) 2 rows: hiv hiv
 *   D (133,60) 1 row:  flu
 *   E (134,70) 2 rows: cold flu
 * min 1; avg 12/5 = 2.4; risk max 1/1; risk avg 5/12; uniqueness 1/12
 * (D); histogram 1:1 2:2 3:1 4:1.
 */
static const char *const MIX[][3] = {
    {"130", "30", "flu"},    {"130", "30", "cold"}, {"130", "30", "flu"},
    {"131", "40", "flu"},    {"131", "40", "flu"},  {"132", "50", "hiv"},
    {"130", "30", "cancer"}, {"131", "40", "cold"}, {"133", "60", "flu"},
    {"132", "50", "hiv"},    {"134", "70", "cold"}, {"134", "70", "flu"}};

static void
mix(void)
{
	table(2, 2);
	LOAD(MIX);
	cr_assert_eq(prep_classes_count(tab), 5);
}

/* k = 2: only D (1 row) is smaller: 1 class, 1 row; at risk 1/12. */
Test(kanon, mix_k2)
{
	mix();
	eval();
	figures((struct fig){.rows = 12,
			     .classes = 5,
			     .min = 1,
			     .avg = 2.4,
			     .k = 2,
			     .viol = 1,
			     .violrows = 1,
			     .supp = 0,
			     .rmax = 1.0,
			     .ravg = 5.0 / 12,
			     .rar = 1.0 / 12,
			     .uniq = 1.0 / 12,
			     HIST(1, 1, 2, 2, 3, 1, 4, 1),
			     .k_ok = 0,
			     .supp_ok = 1,
			     .sat = 0});
	I(has_l, 0);
	I(has_t, 0);
	I(l_ok, 1);
	I(t_ok, 1);
	for (size_t id = 0; id < 5; id++)
		cr_assert_eq(prep_kanon_class_kept(tab, &p, id), 1,
			     "class %zu kept without suppression", id);
}

/*
 * k = 3: C (2), D (1), E (2) fail: 3 classes, 5 rows, at risk 5/12.
 * k = 4: A (exactly 4) passes, the rest fail: 4 classes, 8 rows, 8/12.
 * k = 5: all fail: 5 classes, 12 rows, at risk 1.
 * k = 1: all pass, at risk 0; uniqueness stays 1/12 (it ignores k).
 */
Test(kanon, mix_k_boundaries)
{
	static const struct {
		uint64_t k, viol, violrows;
		double rar;
	} c[] = {{1, 0, 0, 0.0},
		 {3, 3, 5, 5.0 / 12},
		 {4, 4, 8, 8.0 / 12},
		 {5, 5, 12, 1.0}};

	mix();
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		p.k = c[i].k;
		eval();
		figures((struct fig){.rows = 12,
				     .classes = 5,
				     .min = 1,
				     .avg = 2.4,
				     .k = c[i].k,
				     .viol = c[i].viol,
				     .violrows = c[i].violrows,
				     .rmax = 1.0,
				     .ravg = 5.0 / 12,
				     .rar = c[i].rar,
				     .uniq = 1.0 / 12,
				     HIST(1, 1, 2, 2, 3, 1, 4, 1),
				     .k_ok = c[i].viol == 0,
				     .supp_ok = 1,
				     .sat = c[i].viol == 0});
	}
}

/*
 * Ties: sizes 2 1 2 1 2 (8 rows, 5 classes). min 1; avg 8/5; histogram
 * 1:2 2:3; risk avg 5/8; uniqueness 2/8. k = 2: the two singletons fail
 * (2 classes, 2 rows, at risk 2/8); k = 3: all 5 fail (8 rows, at risk 1).
 */
Test(kanon, ties_in_class_sizes)
{
	static const char *const T[][2] = {
	    {"t1", "a"}, {"t1", "a"}, {"t2", "a"}, {"t3", "a"},
	    {"t3", "a"}, {"t4", "a"}, {"t5", "a"}, {"t5", "a"}};

	table(1, 1);
	LOAD(T);
	eval();
	figures((struct fig){.rows = 8,
			     .classes = 5,
			     .min = 1,
			     .avg = 1.6,
			     .k = 2,
			     .viol = 2,
			     .violrows = 2,
			     .rmax = 1.0,
			     .ravg = 0.625,
			     .rar = 0.25,
			     .uniq = 0.25,
			     HIST(1, 2, 2, 3),
			     .k_ok = 0,
			     .supp_ok = 1,
			     .sat = 0});
	p.k = 3;
	eval();
	figures((struct fig){.rows = 8,
			     .classes = 5,
			     .min = 1,
			     .avg = 1.6,
			     .k = 3,
			     .viol = 5,
			     .violrows = 8,
			     .rmax = 1.0,
			     .ravg = 0.625,
			     .rar = 1.0,
			     .uniq = 0.25,
			     HIST(1, 2, 2, 3),
			     .k_ok = 0,
			     .supp_ok = 1,
			     .sat = 0});
}

/*
 * A single class of 4 rows, sensitive a b a c. min 4, avg 4, risk max
 * 1/4, risk avg 1/4, histogram 4:1. k = 4 passes (exactly k), k = 5 fails
 * (1 class, 4 rows, at risk 1). Distinct l_min 3. P = Q so the distance
 * is 0: p = q = (1/2, 1/4, 1/4), exact, so t = 0 passes.
 */
/*
 * Sizes on both sides of the counts kept by size (1024): classes of
 * 1, 1023, 1024 (twice), 1025, 3000 and 2 rows, added in a mixed order;
 * the histogram lists each size once, ascending.
 */
Test(kanon, histogram_small_and_large_sizes)
{
	static const uint64_t sizes[] = {1024, 2, 3000, 1, 1025, 1024, 1023};
	const size_t n = sizeof sizes / sizeof *sizes;
	char key[16];
	prep_field row[1];
	size_t i;
	uint64_t j;

	table(1, -1);
	for (i = 0; i < n; i++) {
		snprintf(key, sizeof key, "c%zu", i);
		row[0].data = key;
		row[0].len = strlen(key);
		for (j = 0; j < sizes[i]; j++)
			cr_assert_eq(prep_classes_add(tab, row, NULL), PREP_OK);
	}
	p.k = 2;
	eval();
	cr_assert_eq(r.nhistogram, 6);
	{
		static const uint64_t want[][2] = {
		    {1, 1}, {2, 1}, {1023, 1}, {1024, 2}, {1025, 1}, {3000, 1}};

		for (i = 0; i < 6; i++) {
			cr_assert_eq(r.histogram[i].size, want[i][0]);
			cr_assert_eq(r.histogram[i].classes, want[i][1]);
		}
	}
	U(classes, 7);
	U(min_class_size, 1);
}

Test(kanon, single_class)
{
	static const char *const T[][2] = {
	    {"q", "a"}, {"q", "b"}, {"q", "a"}, {"q", "c"}};

	table(1, 1);
	LOAD(T);
	p.k = 4;
	p.check_l = 1;
	p.l = 3;
	p.check_t = 1;
	p.t = 0;
	eval();
	figures((struct fig){.rows = 4,
			     .classes = 1,
			     .min = 4,
			     .avg = 4,
			     .k = 4,
			     .rmax = 0.25,
			     .ravg = 0.25,
			     .rar = 0,
			     .uniq = 0,
			     HIST(4, 1),
			     .k_ok = 1,
			     .supp_ok = 1,
			     .sat = 1});
	I(has_l, 1);
	EXACT(l_min, 3);
	I(l_ok, 1);
	I(has_t, 1);
	I(t_ordered, 0);
	EXACT(t_max, 0);
	I(t_ok, 1);

	p.k = 5;
	eval();
	figures((struct fig){.rows = 4,
			     .classes = 1,
			     .min = 4,
			     .avg = 4,
			     .k = 5,
			     .viol = 1,
			     .violrows = 4,
			     .rmax = 0.25,
			     .ravg = 0.25,
			     .rar = 1,
			     .uniq = 0,
			     HIST(4, 1),
			     .k_ok = 0,
			     .supp_ok = 1,
			     .sat = 0});
	I(l_ok, 1);
	I(t_ok, 1);
}

/*
 * All unique: 4 rows, 4 classes of 1. avg 1, risk max 1, risk avg 1,
 * uniqueness 1, histogram 1:4. k = 2: all fail (4, 4, at risk 1); k = 1:
 * satisfied, at risk 0, uniqueness still 1.
 */
Test(kanon, all_unique)
{
	static const char *const T[][1] = {{"w"}, {"x"}, {"y"}, {"z"}};

	table(1, -1);
	LOAD(T);
	eval();
	figures((struct fig){.rows = 4,
			     .classes = 4,
			     .min = 1,
			     .avg = 1,
			     .k = 2,
			     .viol = 4,
			     .violrows = 4,
			     .rmax = 1,
			     .ravg = 1,
			     .rar = 1,
			     .uniq = 1,
			     HIST(1, 4),
			     .k_ok = 0,
			     .supp_ok = 1,
			     .sat = 0});
	p.k = 1;
	eval();
	figures((struct fig){.rows = 4,
			     .classes = 4,
			     .min = 1,
			     .avg = 1,
			     .k = 1,
			     .rmax = 1,
			     .ravg = 1,
			     .rar = 0,
			     .uniq = 1,
			     HIST(1, 4),
			     .k_ok = 1,
			     .supp_ok = 1,
			     .sat = 1});
}

/*
 * Empty values: QIs (q1, q2), sensitive s.
 *   ("","") 3 rows: "" "" x      ("a","") 1 row: ""      ("","a") 1: ""
 * 5 rows, 3 classes, min 1, avg 5/3, histogram 1:2 3:1, risk avg 3/5,
 * uniqueness 2/5. The empty sensitive value is a value: ("","") has 2
 * distinct values. k = 2, l = 2 distinct: the two singletons fail both
 * (counted once each: 2 classes, 2 rows); l_min 1. k = 1: the same two
 * fail l only; at risk 0.
 */
Test(kanon, empty_values)
{
	static const char *const T[][3] = {{"", "", ""},
					   {"", "", ""},
					   {"", "", "x"},
					   {"a", "", ""},
					   {"", "a", ""}};

	table(2, 2);
	LOAD(T);
	cr_assert_eq(prep_classes_count(tab), 3);
	p.check_l = 1;
	p.l = 2;
	eval();
	figures((struct fig){.rows = 5,
			     .classes = 3,
			     .min = 1,
			     .avg = 5.0 / 3,
			     .k = 2,
			     .viol = 2,
			     .violrows = 2,
			     .rmax = 1,
			     .ravg = 0.6,
			     .rar = 0.4,
			     .uniq = 0.4,
			     HIST(1, 2, 3, 1),
			     .k_ok = 0,
			     .supp_ok = 1,
			     .sat = 0});
	EXACT(l_min, 1);
	I(l_ok, 0);
	p.k = 1;
	eval();
	figures((struct fig){.rows = 5,
			     .classes = 3,
			     .min = 1,
			     .avg = 5.0 / 3,
			     .k = 1,
			     .viol = 2,
			     .violrows = 2,
			     .rmax = 1,
			     .ravg = 0.6,
			     .rar = 0,
			     .uniq = 0.4,
			     HIST(1, 2, 3, 1),
			     .k_ok = 1,
			     .supp_ok = 1,
			     .sat = 0});
	I(l_ok, 0);
}

/* No rows: every figure 0, every check passes, with or without l, t. */
Test(kanon, no_rows)
{
	table(1, 1);
	p.k = 1000;
	eval();
	figures((struct fig){.k = 1000, .k_ok = 1, .supp_ok = 1, .sat = 1});
	p.check_l = 1;
	p.l = 2;
	p.check_t = 1;
	p.t = 0;
	p.suppress = 1;
	eval();
	figures((struct fig){.k = 1000, .k_ok = 1, .supp_ok = 1, .sat = 1});
	I(has_l, 1);
	EXACT(l_min, 0);
	I(l_ok, 1);
	I(has_t, 1);
	EXACT(t_max, 0);
	I(t_ok, 1);
	p.ldiv = PREP_LDIV_ENTROPY;
	eval();
	EXACT(l_min, 0);
	I(satisfied, 1);
	p.ldiv = PREP_LDIV_RECURSIVE;
	eval();
	EXACT(l_min, 0);
	I(satisfied, 1);
}

/* The same table evaluated again after more rows, and with other k. */
Test(kanon, evaluate_again)
{
	static const char *const more[][3] = {{"133", "60", "cold"}};

	mix();
	p.k = 2;
	eval();
	U(violating_classes, 1);
	LOAD(more);
	/* D now has 2 rows: sizes 4 3 2 2 2; 13 rows; nobody < 2. */
	eval();
	figures((struct fig){.rows = 13,
			     .classes = 5,
			     .min = 2,
			     .avg = 2.6,
			     .k = 2,
			     .rmax = 0.5,
			     .ravg = 5.0 / 13,
			     .rar = 0,
			     .uniq = 0,
			     HIST(2, 3, 3, 1, 4, 1),
			     .k_ok = 1,
			     .supp_ok = 1,
			     .sat = 1});
	p.k = 3;
	eval();
	U(violating_classes, 3);
	U(violating_rows, 6);
	NEAR(records_at_risk, 6.0 / 13);
}

/* ------------------------------------------------------------------ */
/* Suppression */

/*
 * S: H1 3 rows, H2 3 rows, H3 1 row, H4 1 row (8 rows).
 * Without suppression, k = 2: min 1, avg 2, H3 and H4 fail (2 classes,
 * 2 rows), at risk 2/8, uniqueness 2/8, risk avg 4/8, histogram 1:2 3:2.
 * With suppression: H3, H4 go (2 rows); left 6 rows in 2 classes of 3:
 * min 3, avg 3, risk max 1/3, risk avg 2/6, at risk 0, histogram 3:2.
 * max_suppress 0.25: 2 <= 0.25 * 8 = 2, exactly at the limit: passes.
 */
static const char *const S[][2] = {{"h1", "a"}, {"h2", "b"}, {"h1", "a"},
				   {"h3", "c"}, {"h2", "b"}, {"h1", "a"},
				   {"h4", "d"}, {"h2", "b"}};

Test(kanon, suppression_off)
{
	table(1, 1);
	LOAD(S);
	eval();
	figures((struct fig){.rows = 8,
			     .classes = 4,
			     .min = 1,
			     .avg = 2,
			     .k = 2,
			     .viol = 2,
			     .violrows = 2,
			     .supp = 0,
			     .rmax = 1,
			     .ravg = 0.5,
			     .rar = 0.25,
			     .uniq = 0.25,
			     HIST(1, 2, 3, 2),
			     .k_ok = 0,
			     .supp_ok = 1,
			     .sat = 0});
}

Test(kanon, suppression_at_limit)
{
	table(1, 1);
	LOAD(S);
	p.suppress = 1;
	p.max_suppress = 0.25;
	eval();
	figures((struct fig){.rows = 6,
			     .classes = 2,
			     .min = 3,
			     .avg = 3,
			     .k = 2,
			     .viol = 0,
			     .violrows = 0,
			     .supp = 2,
			     .rmax = 1.0 / 3,
			     .ravg = 1.0 / 3,
			     .rar = 0,
			     .uniq = 0,
			     HIST(3, 2),
			     .k_ok = 1,
			     .supp_ok = 1,
			     .sat = 1});
	/* Classes in first appearance: h1 0, h2 1, h3 2, h4 3. */
	cr_assert_eq(prep_kanon_class_kept(tab, &p, 0), 1);
	cr_assert_eq(prep_kanon_class_kept(tab, &p, 1), 1);
	cr_assert_eq(prep_kanon_class_kept(tab, &p, 2), 0);
	cr_assert_eq(prep_kanon_class_kept(tab, &p, 3), 0);
	/* k = 1: nothing to suppress. */
	p.k = 1;
	for (size_t id = 0; id < 4; id++)
		cr_assert_eq(prep_kanon_class_kept(tab, &p, id), 1);
	eval();
	U(suppressed_rows, 0);
	U(rows, 8);
	I(satisfied, 1);
}

/*
 * Over the limit: 0.2499 allows 1.9992 rows, 0.2 allows 1.6 and 0 none:
 * 2 rows is more; suppress_ok 0, not satisfied. The number suppressed is
 * still 2.
 */
Test(kanon, suppression_over_limit)
{
	const double lim[] = {0.2499, 0.2, 0};

	table(1, 1);
	LOAD(S);
	p.suppress = 1;
	for (size_t i = 0; i < 3; i++) {
		p.max_suppress = lim[i];
		eval();
		U(suppressed_rows, 2);
		I(suppress_ok, 0);
		I(satisfied, 0);
	}
	/* max_suppress 1: anything may go. */
	p.max_suppress = 1;
	eval();
	I(suppress_ok, 1);
	I(satisfied, 1);
}

/*
 * A decimal limit whose product with the rows rounds below the integer:
 * 0.29 * 100 is 28.999999999999996 in binary floating point, yet 29 of
 * 100 rows is exactly at the limit and must pass; 30 must fail. 71 rows
 * in one class, 29 (or 30) singletons.
 */
static void
limit_case(unsigned singles, int want_ok)
{
	char qb[16];
	prep_field row[1];

	table(1, -1);
	row[0] = (prep_field){"big", 3};
	for (unsigned i = 0; i < 100 - singles; i++)
		cr_assert_eq(prep_classes_add(tab, row, NULL), PREP_OK);
	for (unsigned i = 0; i < singles; i++) {
		int n = snprintf(qb, sizeof qb, "u%u", i);

		row[0] = (prep_field){qb, (size_t)n};
		cr_assert_eq(prep_classes_add(tab, row, NULL), PREP_OK);
	}
	p.suppress = 1;
	p.max_suppress = 0.29;
	eval();
	U(suppressed_rows, singles);
	U(rows, 100 - singles);
	cr_assert_eq(r.suppress_ok, want_ok, "%u of 100 rows at 0.29", singles);
	cr_assert_eq(r.satisfied, want_ok);
}

Test(kanon, suppression_decimal_limit)
{
	limit_case(29, 1);
	limit_case(30, 0);
}

/*
 * Default max_suppress 0.05 of 20 rows = 1 row. 19 + 1: one row goes,
 * passes; 18 + 1 + 1: two rows go, fails.
 */
Test(kanon, suppression_default_limit)
{
	char qb[2][4] = {"big", "u1"};
	prep_field row[1];

	table(1, -1);
	for (int i = 0; i < 19; i++) {
		row[0] = (prep_field){qb[0], 3};
		cr_assert_eq(prep_classes_add(tab, row, NULL), PREP_OK);
	}
	row[0] = (prep_field){qb[1], 2};
	cr_assert_eq(prep_classes_add(tab, row, NULL), PREP_OK);
	p.suppress = 1;
	eval();
	figures((struct fig){.rows = 19,
			     .classes = 1,
			     .min = 19,
			     .avg = 19,
			     .k = 2,
			     .supp = 1,
			     .rmax = 1.0 / 19,
			     .ravg = 1.0 / 19,
			     HIST(19, 1),
			     .k_ok = 1,
			     .supp_ok = 1,
			     .sat = 1});

	/* Now 18 + 1 + 1: replace by a fresh table. */
	table(1, -1);
	for (int i = 0; i < 18; i++) {
		row[0] = (prep_field){qb[0], 3};
		cr_assert_eq(prep_classes_add(tab, row, NULL), PREP_OK);
	}
	row[0] = (prep_field){"u1", 2};
	cr_assert_eq(prep_classes_add(tab, row, NULL), PREP_OK);
	row[0] = (prep_field){"u2", 2};
	cr_assert_eq(prep_classes_add(tab, row, NULL), PREP_OK);
	eval();
	U(suppressed_rows, 2);
	I(suppress_ok, 0);
	I(satisfied, 0);
}

/*
 * Everything suppressed: 4 unique rows, k = 2, max 1: 4 rows go; nothing
 * is left, so every figure is 0 and the checks pass. With max 0.75
 * (3 rows): 4 > 3, fails.
 */
Test(kanon, suppression_of_everything)
{
	static const char *const T[][2] = {
	    {"w", "1"}, {"x", "2"}, {"y", "3"}, {"z", "4"}};

	table(1, 1);
	LOAD(T);
	p.suppress = 1;
	p.max_suppress = 1;
	p.check_l = 1;
	p.l = 2;
	p.check_t = 1;
	p.t = 0;
	eval();
	figures(
	    (struct fig){.k = 2, .supp = 4, .k_ok = 1, .supp_ok = 1, .sat = 1});
	EXACT(l_min, 0);
	EXACT(t_max, 0);
	I(l_ok, 1);
	I(t_ok, 1);
	for (size_t id = 0; id < 4; id++)
		cr_assert_eq(prep_kanon_class_kept(tab, &p, id), 0);
	p.max_suppress = 0.75;
	eval();
	U(suppressed_rows, 4);
	I(suppress_ok, 0);
	I(satisfied, 0);
}

/*
 * T5: sensitive numeric except the suppressed row's "x".
 *   G1 4 rows: 1 1 1 3    G2 4 rows: 2 2 3 3    G3 1 row: x
 * k = 2, suppression (max 0.2: 1 <= 1.8). Left: 8 rows, all numeric, so
 * the ordered distance over m = 3 values (1, 2, 3):
 *   Q = (3/8, 2/8, 3/8)
 *   G1 P = (3/4, 0, 1/4): P-Q = (3/8, -1/4, -1/8), cumulative 3/8, 1/8, 0:
 *      (3/8 + 1/8 + 0) / (3-1) = 1/4
 *   G2 P = (0, 1/2, 1/2): P-Q = (-3/8, 1/4, 1/8), cumulative -3/8, -1/8, 0:
 *      1/4
 * t_max = 1/4 exactly; t = 1/4 passes. Distinct l: G1 {1,3}, G2 {2,3}:
 * l_min 2 (G3 had 1 but is gone). Figures: 8 rows, 2 classes of 4, risk
 * 1/4 and 2/8, histogram 4:2.
 * Had Q kept G3 (9 rows, with "x": equal distance) G1 would be
 * 1/2 (5/12 + 2/9 + 1/12 + 1/9) = 5/12; had m stayed 3 with "x" as a
 * zero-probability value the ordered result would differ too.
 */
static const char *const T5[][2] = {{"g1", "1"}, {"g1", "1"}, {"g2", "2"},
				    {"g1", "1"}, {"g3", "x"}, {"g2", "2"},
				    {"g2", "3"}, {"g1", "3"}, {"g2", "3"}};

Test(kanon, suppression_then_checks_on_rows_left)
{
	table(1, 1);
	LOAD(T5);
	p.suppress = 1;
	p.max_suppress = 0.2;
	p.check_l = 1;
	p.l = 2;
	p.check_t = 1;
	p.t = 0.25;
	eval();
	figures((struct fig){.rows = 8,
			     .classes = 2,
			     .min = 4,
			     .avg = 4,
			     .k = 2,
			     .supp = 1,
			     .rmax = 0.25,
			     .ravg = 0.25,
			     .rar = 0,
			     .uniq = 0,
			     HIST(4, 2),
			     .k_ok = 1,
			     .supp_ok = 1,
			     .sat = 1});
	I(has_l, 1);
	EXACT(l_min, 2);
	I(l_ok, 1);
	I(has_t, 1);
	I(t_ordered, 1);
	EXACT(t_max, 0.25);
	I(t_ok, 1);

	/* l = 3 on the rows left: both classes fail l only (2, 8 rows). */
	p.l = 3;
	eval();
	figures((struct fig){.rows = 8,
			     .classes = 2,
			     .min = 4,
			     .avg = 4,
			     .k = 2,
			     .viol = 2,
			     .violrows = 8,
			     .supp = 1,
			     .rmax = 0.25,
			     .ravg = 0.25,
			     .rar = 0,
			     .uniq = 0,
			     HIST(4, 2),
			     .k_ok = 1,
			     .supp_ok = 1,
			     .sat = 0});
	EXACT(l_min, 2);
	I(l_ok, 0);
	I(t_ok, 1);
}

/*
 * T5 without suppression: 9 rows, "x" is not a number: equal distance.
 *   Q over (1, 2, 3, x) = (3/9, 2/9, 3/9, 1/9)
 *   G1 P = (3/4, 0, 1/4, 0): 1/2 (5/12 + 2/9 + 1/12 + 1/9) = 5/12
 *   G2 P = (0, 1/2, 1/2, 0): 1/2 (1/3 + 5/18 + 1/6 + 1/9) = 4/9
 *   G3 P = (0, 0, 0, 1):     1/2 (1/3 + 2/9 + 1/3 + 8/9) = 8/9
 * t_max 8/9; with k = 2, l = 2, t = 1/4 every class fails something
 * (G1, G2: t; G3: k, l, t): 3 classes, 9 rows; l_min 1.
 */
Test(kanon, no_suppression_whole_table_distribution)
{
	table(1, 1);
	LOAD(T5);
	p.check_l = 1;
	p.l = 2;
	p.check_t = 1;
	p.t = 0.25;
	eval();
	figures((struct fig){.rows = 9,
			     .classes = 3,
			     .min = 1,
			     .avg = 3,
			     .k = 2,
			     .viol = 3,
			     .violrows = 9,
			     .rmax = 1,
			     .ravg = 1.0 / 3,
			     .rar = 1.0 / 9,
			     .uniq = 1.0 / 9,
			     HIST(1, 1, 4, 2),
			     .k_ok = 0,
			     .supp_ok = 1,
			     .sat = 0});
	EXACT(l_min, 1);
	I(t_ordered, 0);
	NEAR(t_max, 8.0 / 9);
	/* t = 0.45 > 4/9: only G3 fails t (and k and l): 1 class, 1 row. */
	p.t = 0.45;
	eval();
	U(violating_classes, 1);
	U(violating_rows, 1);
	I(t_ok, 0);
	p.t = 8.0 / 9 + 1e-9;
	p.k = 1;
	p.l = 1;
	eval();
	I(t_ok, 1);
	I(satisfied, 1);
}

/* ------------------------------------------------------------------ */
/* l-diversity */

/*
 * L: QI q, sensitive s; k = 1 so only l counts. 14 rows:
 *   X 6 rows: a a a b b c   counts (3, 2, 1), 3 distinct
 *   Y 3 rows: a b c         counts (1, 1, 1), 3 distinct
 *   Z 5 rows: a a b c d     counts (2, 1, 1, 1), 4 distinct
 */
static const char *const LT[][2] = {
    {"X", "a"}, {"Y", "a"}, {"Z", "a"}, {"X", "a"}, {"X", "b"},
    {"Y", "b"}, {"Z", "a"}, {"X", "a"}, {"Z", "b"}, {"X", "b"},
    {"Y", "c"}, {"Z", "c"}, {"X", "c"}, {"Z", "d"}};

static void
ltable(void)
{
	table(1, 1);
	LOAD(LT);
	p.k = 1;
	p.check_l = 1;
}

/* Distinct: l_min 3. l = 3 passes; l = 4: X and Y fail (2 classes, 9). */
Test(kanon, l_distinct)
{
	ltable();
	p.l = 3;
	eval();
	figures((struct fig){.rows = 14,
			     .classes = 3,
			     .min = 3,
			     .avg = 14.0 / 3,
			     .k = 1,
			     .rmax = 1.0 / 3,
			     .ravg = 3.0 / 14,
			     HIST(3, 1, 5, 1, 6, 1),
			     .k_ok = 1,
			     .supp_ok = 1,
			     .sat = 1});
	I(has_l, 1);
	EXACT(l_min, 3);
	I(l_ok, 1);
	I(has_t, 0);
	p.l = 4;
	eval();
	U(violating_classes, 2);
	U(violating_rows, 9);
	EXACT(l_min, 3);
	I(l_ok, 0);
	I(k_ok, 1);
	I(satisfied, 0);
	p.l = 1;
	eval();
	I(l_ok, 1);
	U(violating_classes, 0);
}

/*
 * Entropy (natural log):
 *   X: p = 1/2, 1/3, 1/6: H = 1/2 ln 2 + 1/3 ln 3 + 1/6 ln 6
 *      = 2/3 ln 2 + 1/2 ln 3; exp H = 2^(2/3) 3^(1/2) = 2.7494592739972...
 *   Y: p = 1/3 x 3: H = ln 3, exp H = 3 (exactly L equal values)
 *   Z: p = 2/5, 1/5 x 3: H = ln 5 - 2/5 ln 2, exp H = 5 / 2^0.4 = 3.78929...
 * l_min = exp H(X). l = 2.7: all pass. l = 3: X fails (1 class, 6 rows)
 * and Y passes although ln 3 may be computed a rounding off. l = 3(1 +
 * 1e-9): X and Y fail (9 rows): the tolerance is no looser than relative
 * 1e-12 allows.
 */
Test(kanon, l_entropy)
{
	const double lx = pow(2, 2.0 / 3) * sqrt(3);

	ltable();
	p.ldiv = PREP_LDIV_ENTROPY;
	p.l = 2.7;
	eval();
	I(has_l, 1);
	NEAR(l_min, lx);
	cr_assert_float_eq(r.l_min, 2.7494592739972, 1e-12);
	I(l_ok, 1);
	I(satisfied, 1);
	p.l = 3;
	eval();
	U(violating_classes, 1);
	U(violating_rows, 6);
	I(l_ok, 0);
	NEAR(l_min, lx);
	p.l = 3 * (1 + 1e-9);
	eval();
	U(violating_classes, 2);
	U(violating_rows, 9);
	p.l = 1;
	eval();
	U(violating_classes, 0);
	I(l_ok, 1);
}

/*
 * Exactly L equally frequent values pass l = L under entropy, for L = 2 to
 * 40 and repetitions 1, 3 and 7 (H = ln L, computed as a sum of L terms
 * that need not round to log(L)); l_min = L (to 1e-12 relative). l =
 * L (1 + 1e-9) fails.
 */
Test(kanon, l_entropy_equal_frequencies)
{
	static const unsigned rep[] = {1, 3, 7};
	char vb[16];
	prep_field row[2];

	for (unsigned L = 2; L <= 40; L++)
		for (size_t ri = 0; ri < 3; ri++) {
			table(1, 1);
			row[0] = (prep_field){"q", 1};
			for (unsigned j = 0; j < rep[ri]; j++)
				for (unsigned v = 0; v < L; v++) {
					int n =
					    snprintf(vb, sizeof vb, "v%u", v);

					row[1] = (prep_field){vb, (size_t)n};
					cr_assert_eq(
					    prep_classes_add(tab, row, NULL),
					    PREP_OK);
				}
			p.k = 1;
			p.check_l = 1;
			p.ldiv = PREP_LDIV_ENTROPY;
			p.l = L;
			eval();
			cr_assert_eq(r.l_ok, 1, "L = %u x %u: l_ok 0", L,
				     rep[ri]);
			cr_assert_eq(r.satisfied, 1);
			cr_assert_float_eq(r.l_min, (double)L, 1e-12 * L,
					   "L = %u: l_min %.17g", L, r.l_min);
			p.l = L * (1 + 1e-9);
			eval();
			cr_assert_eq(r.l_ok, 0, "L = %u x %u: l = L(1+1e-9)", L,
				     rep[ri]);
		}
}

/*
 * Recursive (c, l): r1 < c (r_l + ... + r_m), counts descending.
 *   X (3,2,1): l=1: 3 < 6c   l=2: 3 < 3c   l=3: 3 < 1c
 *   Y (1,1,1): l=1: 1 < 3c   l=2: 1 < 2c   l=3: 1 < 1c
 *   Z (2,1,1,1): l=1: 2 < 5c l=2: 2 < 3c   l=3: 2 < 2c   l=4: 2 < 1c
 * Largest l satisfied (X, Y, Z) -> l_min:
 *   c = 1:   X 1 (3<3 no), Y 2 (1<1 no), Z 2 (2<2 no)     -> 1
 *   c = 2:   X 2 (3<2 no), Y 3, Z 3 (2<2 no)               -> 2
 *   c = 3:   X 2 (3<3 no: strict), Y 3, Z 4 (2<3)          -> 2
 *   c = 3.5: X 3 (3<3.5), Y 3, Z 4                         -> 3
 *   c = 0.5: X 0 (3<3 no), Y 1 (1<1 no at l=2), Z 1        -> 0
 * l > m needs a sum over no values: fails (Y at l = 4 whatever c).
 */
Test(kanon, l_recursive)
{
	static const struct {
		double c, l, lmin;
		uint64_t viol, violrows;
	} cs[] = {
	    {1, 1, 1, 0, 0},   {1, 2, 1, 1, 6},	  {2, 2, 2, 0, 0},
	    {2, 3, 2, 1, 6},   {3, 2, 2, 0, 0},	  {3, 3, 2, 1, 6},
	    {3.5, 3, 3, 0, 0}, {3.5, 4, 3, 2, 9}, {0.5, 1, 0, 1, 6},
	    {100, 4, 3, 2, 9}, {100, 3, 3, 0, 0},
	};

	ltable();
	p.ldiv = PREP_LDIV_RECURSIVE;
	for (size_t i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
		p.c = cs[i].c;
		p.l = cs[i].l;
		eval();
		cr_assert_eq(r.has_l, 1);
		cr_assert(r.l_min == cs[i].lmin,
			  "c %g l %g: l_min %.17g, want %g", cs[i].c, cs[i].l,
			  r.l_min, cs[i].lmin);
		cr_assert_eq(r.violating_classes, cs[i].viol,
			     "c %g l %g: violating %" PRIu64, cs[i].c, cs[i].l,
			     r.violating_classes);
		cr_assert_eq(r.violating_rows, cs[i].violrows,
			     "c %g l %g: violating rows %" PRIu64, cs[i].c,
			     cs[i].l, r.violating_rows);
		cr_assert_eq(r.l_ok, cs[i].viol == 0, "c %g l %g", cs[i].c,
			     cs[i].l);
		cr_assert_eq(r.satisfied, cs[i].viol == 0);
	}
}

/*
 * A class with one value, (4): l = 1 with c = 2: 4 < 8, passes, l_min 1;
 * with c = 1: 4 < 4 fails, l_min 0. l = 2 with c = 100: the sum is empty,
 * fails.
 */
Test(kanon, l_recursive_one_value)
{
	static const char *const T[][2] = {
	    {"w", "a"}, {"w", "a"}, {"w", "a"}, {"w", "a"}};

	table(1, 1);
	LOAD(T);
	p.k = 1;
	p.check_l = 1;
	p.ldiv = PREP_LDIV_RECURSIVE;
	p.c = 2;
	p.l = 1;
	eval();
	EXACT(l_min, 1);
	I(l_ok, 1);
	p.c = 1;
	eval();
	EXACT(l_min, 0);
	I(l_ok, 0);
	U(violating_classes, 1);
	U(violating_rows, 4);
	p.c = 100;
	p.l = 2;
	eval();
	EXACT(l_min, 1);
	I(l_ok, 0);
}

/*
 * MIX under the three variants, k = 1, l = 2:
 *   distinct: A 3, B 2, C 1, D 1, E 2: C, D fail (2 classes, 3 rows);
 *     l_min 1.
 *   entropy: A (1/2,1/4,1/4) exp = 2^1.5; B (2/3,1/3) exp = 3/2^(2/3) =
 *     1.88988 < 2 fails; C, D exp 0 = 1 fail; E (1/2,1/2) = 2 passes:
 *     3 classes, 6 rows; l_min 1.
 *   recursive c = 1: A (2,1,1) 1; B (2,1) 1; C (2) 0; D (1) 0; E (1,1) 1:
 *     all fail l = 2: 5 classes, 12 rows; l_min 0.
 */
Test(kanon, l_variants_on_mix)
{
	static const struct {
		prep_ldiv v;
		double lmin;
		uint64_t viol, violrows;
	} cs[] = {{PREP_LDIV_DISTINCT, 1, 2, 3},
		  {PREP_LDIV_ENTROPY, 1, 3, 6},
		  {PREP_LDIV_RECURSIVE, 0, 5, 12}};

	mix();
	p.k = 1;
	p.check_l = 1;
	p.l = 2;
	for (size_t i = 0; i < 3; i++) {
		p.ldiv = cs[i].v;
		eval();
		cr_assert_float_eq(r.l_min, cs[i].lmin, 1e-12,
				   "variant %zu: l_min %.17g", i, r.l_min);
		cr_assert_eq(r.violating_classes, cs[i].viol, "variant %zu", i);
		cr_assert_eq(r.violating_rows, cs[i].violrows, "variant %zu",
			     i);
		cr_assert_eq(r.l_ok, 0);
		cr_assert_eq(r.k_ok, 1);
	}
}

/* ------------------------------------------------------------------ */
/* t-closeness */

/*
 * T1: numeric with a negative decimal; "10" must sort after "9".
 *   P1 2 rows: 10 10    P2 2 rows: -1.5 2    P3 4 rows: 9 2 10 -1.5
 * Sorted numerically: -1.5, 2, 9, 10 (m = 4); Q = (2/8, 2/8, 1/8, 3/8).
 *   P1 (0,0,0,1):       P-Q = (-1/4,-1/4,-1/8,5/8)  cum -1/4,-1/2,-5/8,0
 *                        sum 11/8, /3 = 11/24 = 0.458333...
 *   P2 (1/2,1/2,0,0):   P-Q = (1/4,1/4,-1/8,-3/8)   cum 1/4,1/2,3/8,0
 *                        sum 9/8, /3 = 3/8
 *   P3 (1/4 each):      P-Q = (0,0,1/8,-1/8)         cum 0,0,1/8,0 -> 1/24
 * t_max 11/24. (Sorted as strings, "-1.5","10","2","9", P1 would be 1/4;
 * the equal distance of P1 would be 5/8.)
 * t = 0.46 passes; 0.45 and 0.4: P1 fails (1, 2 rows); 0.3: P1, P2 (2, 4).
 */
static const char *const T1[][2] = {{"p1", "10"}, {"p2", "-1.5"}, {"p3", "9"},
				    {"p3", "2"},  {"p1", "10"},	  {"p2", "2"},
				    {"p3", "10"}, {"p3", "-1.5"}};

Test(kanon, t_ordered_numeric_sort)
{
	static const struct {
		double t;
		uint64_t viol, violrows;
	} cs[] = {
	    {0.46, 0, 0}, {0.45, 1, 2}, {0.4, 1, 2}, {0.3, 2, 4}, {1, 0, 0}};

	table(1, 1);
	LOAD(T1);
	p.k = 1;
	p.check_t = 1;
	for (size_t i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
		p.t = cs[i].t;
		eval();
		I(has_t, 1);
		I(has_l, 0);
		I(t_ordered, 1);
		NEAR(t_max, 11.0 / 24);
		cr_assert_eq(r.violating_classes, cs[i].viol, "t %g", cs[i].t);
		cr_assert_eq(r.violating_rows, cs[i].violrows, "t %g", cs[i].t);
		cr_assert_eq(r.t_ok, cs[i].viol == 0, "t %g", cs[i].t);
		cr_assert_eq(r.satisfied, cs[i].viol == 0, "t %g", cs[i].t);
	}
}

/*
 * T2: exponent and decimals, m = 3, every step dyadic (exact).
 *   U1 4 rows: -3 -3 -3 0.25     U2 4 rows: 0.25 0.25 0.25 1e-1
 * Sorted numerically: -3, 0.1 ("1e-1"), 0.25; Q = (3/8, 1/8, 4/8).
 *   U1 (3/4, 0, 1/4): P-Q = (3/8, -1/8, -1/4), cum 3/8, 1/4, 0 -> 5/8 / 2
 *   U2 (0, 1/4, 3/4): P-Q = (-3/8, 1/8, 1/4), cum -3/8, -1/4, 0 -> 5/16
 * t_max = 5/16 exactly; t = 5/16 passes, t = 5/16 - 1e-9 fails (both,
 * 8 rows). (As strings "-3","0.25","1e-1": 1/4; equal distance: 3/8.)
 */
Test(kanon, t_ordered_exact_boundary)
{
	static const char *const T[][2] = {
	    {"u1", "-3"}, {"u2", "0.25"}, {"u1", "-3"},	  {"u2", "0.25"},
	    {"u1", "-3"}, {"u2", "0.25"}, {"u1", "0.25"}, {"u2", "1e-1"}};

	table(1, 1);
	LOAD(T);
	p.k = 1;
	p.check_t = 1;
	p.t = 0.3125;
	eval();
	figures((struct fig){.rows = 8,
			     .classes = 2,
			     .min = 4,
			     .avg = 4,
			     .k = 1,
			     .rmax = 0.25,
			     .ravg = 0.25,
			     HIST(4, 2),
			     .k_ok = 1,
			     .supp_ok = 1,
			     .sat = 1});
	I(t_ordered, 1);
	EXACT(t_max, 0.3125);
	I(t_ok, 1);
	p.t = 0.3125 - 1e-9;
	eval();
	EXACT(t_max, 0.3125);
	I(t_ok, 0);
	U(violating_classes, 2);
	U(violating_rows, 8);
	I(satisfied, 0);
}

/*
 * Twelve values "1".."12", added in a shuffled order: A has 1..6, B 7..12.
 * Q = 1/12 each. A: P-Q = +1/12 six times then -1/12 six times; cum
 * 1..6 then 5..0 (in 12ths): sum 36/12 = 3, / 11 = 3/11; B the mirror,
 * 3/11. (Sorted as strings "1","10","11","12","2",...,"9": 14/12/11 =
 * 7/66.)
 */
Test(kanon, t_ordered_many_values)
{
	static const char *const T[][2] = {{"A", "6"}, {"B", "12"}, {"A", "1"},
					   {"B", "7"}, {"B", "10"}, {"A", "3"},
					   {"A", "2"}, {"B", "9"},  {"B", "11"},
					   {"A", "5"}, {"B", "8"},  {"A", "4"}};

	table(1, 1);
	LOAD(T);
	p.k = 1;
	p.check_t = 1;
	p.t = 0.25;
	eval();
	I(t_ordered, 1);
	NEAR(t_max, 3.0 / 11);
	U(violating_classes, 2);
	U(violating_rows, 12);
	p.t = 0.28;
	eval();
	U(violating_classes, 0);
	I(satisfied, 1);
}

/*
 * T3: an empty value is not a number: equal distance.
 *   V1: 1 1    V2: 1 ""    V3: 2 "" 1 2
 * Q over (1, "", 2) = (4/8, 2/8, 2/8).
 *   V1 (1, 0, 0):        1/2 (1/2 + 1/4 + 1/4) = 1/2
 *   V2 (1/2, 1/2, 0):    1/2 (0 + 1/4 + 1/4)   = 1/4
 *   V3 (1/4, 1/4, 1/2):  1/2 (1/4 + 0 + 1/4)   = 1/4
 * t_max 1/2 exactly (ordered with "" as 0 would give 1/4). t = 1/2
 * passes; t = 0.4: V1 fails (1 class, 2 rows).
 */
Test(kanon, t_equal_with_empty_value)
{
	static const char *const T[][2] = {
	    {"v1", "1"}, {"v1", "1"}, {"v2", "1"}, {"v2", ""},
	    {"v3", "2"}, {"v3", ""},  {"v3", "1"}, {"v3", "2"}};

	table(1, 1);
	LOAD(T);
	p.k = 1;
	p.check_t = 1;
	p.t = 0.5;
	eval();
	I(t_ordered, 0);
	EXACT(t_max, 0.5);
	I(t_ok, 1);
	I(satisfied, 1);
	p.t = 0.4;
	eval();
	EXACT(t_max, 0.5);
	I(t_ok, 0);
	U(violating_classes, 1);
	U(violating_rows, 2);
}

/*
 * Strict numbers. A: 1 1, B: 2 X; Q = (1: 1/2, 2: 1/4, X: 1/4).
 * X not a number -> equal: A (1,0,0): 1/2 (1/2+1/4+1/4) = 1/2; B
 * (0,1/2,1/2): 1/2 (1/2+1/4+1/4) = 1/2. t_max 1/2, t_ordered 0.
 * X a number above 2 -> ordered over (1, 2, X): A: P-Q = (1/2,-1/4,-1/4),
 * cum 1/2, 1/4, 0 -> 3/4 / 2 = 3/8; B the mirror, 3/8.
 * X a number below 1 -> ordered over (X, 1, 2): Q = (1/4, 1/2, 1/4);
 * A (0,1,0): cum -1/4, 1/4, 0 -> 1/4; B (1/2,0,1/2): cum 1/4,-1/4,0 ->
 * 1/4.
 */
static void
strict_case(const char *x, int ordered, double tmax)
{
	const char *cells[4][2] = {
	    {"A", "1"}, {"A", "1"}, {"B", "2"}, {"B", x}};

	table(1, 1);
	load(&cells[0][0], 2, 4);
	p.k = 1;
	p.check_t = 1;
	p.t = 1;
	eval();
	cr_assert_eq(r.t_ordered, ordered, "\"%s\": t_ordered %d, want %d", x,
		     r.t_ordered, ordered);
	cr_assert(r.t_max == tmax, "\"%s\": t_max %.17g, want %.17g", x,
		  r.t_max, tmax);
}

Test(kanon, t_strict_numbers)
{
	static const char *const no[] = {
	    " 5", "5 ", "0x10", "inf", "nan", "-inf", "1e",  "1e+",
	    "-",  "+",	".",	"1,5", "abc", "1 2",  "--1", "5e5x"};
	static const char *const above[] = {"+5", "1E3", "1e+2", "12.5",
					    "2.0001"};
	static const char *const below[] = {"2.5e-3", "-0.0", "-7", "0.5"};

	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		strict_case(no[i], 0, 0.5);
	for (size_t i = 0; i < sizeof(above) / sizeof(above[0]); i++)
		strict_case(above[i], 1, 0.375);
	for (size_t i = 0; i < sizeof(below) / sizeof(below[0]); i++)
		strict_case(below[i], 1, 0.25);
}

/*
 * m = 1: one value in the whole table, distance 0 (ordered when it is a
 * number, equal otherwise); t = 0 passes.
 */
Test(kanon, t_one_value)
{
	static const char *const num[][2] = {
	    {"a", "7"}, {"b", "7"}, {"a", "7"}};
	static const char *const text[][2] = {
	    {"a", "x"}, {"b", "x"}, {"a", "x"}};

	table(1, 1);
	LOAD(num);
	p.k = 1;
	p.check_t = 1;
	p.t = 0;
	eval();
	I(t_ordered, 1);
	EXACT(t_max, 0);
	I(t_ok, 1);
	I(satisfied, 1);
	table(1, 1);
	LOAD(text);
	eval();
	I(t_ordered, 0);
	EXACT(t_max, 0);
	I(t_ok, 1);
}

/*
 * Values equal as numbers are one value of the ordered distance
 * (kcheck(1): "5 and 5.0 count as one") but two values for l-diversity
 * (byte for byte).
 *   A: 5 7    B: 5.0 7    C: 5 5.0
 * Ordered over m = 2 numbers (5, 7): Q = (4/6, 2/6).
 *   A (1/2, 1/2): |1/2 - 2/3| = 1/6 (the last cumulative sum is 0), /1
 *   B the same, 1/6;  C (1, 0): 1/3.   t_max 1/3.
 * (As three values 5, 5.0, 7, C would be (1/6 + 1/3 + 0) / 2 = 1/4.)
 * Distinct l: 2 in every class ("5" and "5.0" differ): l_min 2.
 */
Test(kanon, t_numerically_equal_values)
{
	static const char *const T[][2] = {{"a", "5"},	 {"a", "7"},
					   {"b", "5.0"}, {"b", "7"},
					   {"c", "5"},	 {"c", "5.0"}};

	table(1, 1);
	LOAD(T);
	p.k = 1;
	p.check_l = 1;
	p.l = 2;
	p.check_t = 1;
	p.t = 0.3;
	eval();
	I(t_ordered, 1);
	NEAR(t_max, 1.0 / 3);
	EXACT(l_min, 2);
	I(l_ok, 1);
	I(t_ok, 0);
	U(violating_classes, 1);
	U(violating_rows, 2);
}

/* t = 0 with classes whose distributions differ: fails (T1). */
Test(kanon, t_zero_fails_when_distributions_differ)
{
	table(1, 1);
	LOAD(T1);
	p.k = 1;
	p.check_t = 1;
	p.t = 0;
	eval();
	U(violating_classes, 3);
	U(violating_rows, 8);
	I(t_ok, 0);
}

/* ------------------------------------------------------------------ */
/* Classes that fail one check or several */

/*
 * FT: k = 3, distinct l = 2, t = 1/2, values a b c (equal distance).
 *   F1 2 rows: b c           F2 4 rows: c c c c     F3 4 rows: a a b b
 *   F4 5 rows: a c c c c     F5 1 row:  a
 * 16 rows; a 2+1+1 = 4, b 1+2 = 3, c 1+4+4 = 9: Q = (4/16, 3/16, 9/16).
 *   F1 (0, 1/2, 1/2):   1/2 (4/16 + 5/16 + 1/16)   = 5/16
 *   F2 (0, 0, 1):       1/2 (4/16 + 3/16 + 7/16)   = 7/16
 *   F3 (1/2, 1/2, 0):   1/2 (4/16 + 5/16 + 9/16)   = 9/16
 *   F4 (1/5, 0, 4/5):   1/2 (1/20 + 3/16 + 19/80)  = 19/80
 *   F5 (1, 0, 0):       1/2 (12/16 + 3/16 + 9/16)  = 3/4
 * F1 fails only k (2 < 3); F2 only l (1 value); F3 only t (9/16 > 1/2);
 * F4 passes; F5 fails k, l and t and is counted once.
 */
static const char *const FT[][2] = {
    {"f1", "b"}, {"f2", "c"}, {"f3", "a"}, {"f4", "a"},
    {"f5", "a"}, {"f1", "c"}, {"f2", "c"}, {"f3", "a"},
    {"f4", "c"}, {"f2", "c"}, {"f3", "b"}, {"f4", "c"},
    {"f2", "c"}, {"f3", "b"}, {"f4", "c"}, {"f4", "c"}};

static void
ft(void)
{
	table(1, 1);
	LOAD(FT);
	cr_assert_eq(prep_classes_count(tab), 5);
	cr_assert_eq(prep_classes_rows(tab), 16);
}

Test(kanon, every_check_counted_once)
{
	ft();
	p.k = 3;
	p.check_l = 1;
	p.l = 2;
	p.check_t = 1;
	p.t = 0.5;
	eval();
	/* F1 2 + F2 4 + F3 4 + F5 1 = 11 rows; at risk F1 + F5 = 3/16. */
	figures((struct fig){.rows = 16,
			     .classes = 5,
			     .min = 1,
			     .avg = 16.0 / 5,
			     .k = 3,
			     .viol = 4,
			     .violrows = 11,
			     .rmax = 1,
			     .ravg = 5.0 / 16,
			     .rar = 3.0 / 16,
			     .uniq = 1.0 / 16,
			     HIST(1, 1, 2, 1, 4, 2, 5, 1),
			     .k_ok = 0,
			     .supp_ok = 1,
			     .sat = 0});
	EXACT(l_min, 1);
	I(l_ok, 0);
	I(t_ordered, 0);
	EXACT(t_max, 0.75);
	I(t_ok, 0);
}

/*
 * The same table, checks one or two at a time:
 *   k=3 only:            F1, F5          2 classes, 3 rows
 *   k=3, l=2:            F1, F2, F5      3, 7
 *   k=3, t=1/2:          F1, F3, F5      3, 7
 *   k=1, l=2, t=1/2:     F2, F3, F5      3, 9
 *   k=1, l=2, t=3/4:     F2, F5 (only l) 2, 5   (t_max 3/4 passes exactly)
 *   k=1, l=1, t=1/2:     F3, F5 (only t) 2, 5
 *   k=3, l=1, t=1:       F1, F5 (only k) 2, 3
 */
Test(kanon, single_failures)
{
	static const struct {
		uint64_t k;
		int cl;
		double l;
		int ct;
		double t;
		uint64_t viol, violrows;
		int k_ok, l_ok, t_ok;
	} cs[] = {
	    {3, 0, 0, 0, 0, 2, 3, 0, 1, 1},    {3, 1, 2, 0, 0, 3, 7, 0, 0, 1},
	    {3, 0, 0, 1, 0.5, 3, 7, 0, 1, 0},  {1, 1, 2, 1, 0.5, 3, 9, 1, 0, 0},
	    {1, 1, 2, 1, 0.75, 2, 5, 1, 0, 1}, {1, 1, 1, 1, 0.5, 2, 5, 1, 1, 0},
	    {3, 1, 1, 1, 1, 2, 3, 0, 1, 1},
	};

	ft();
	for (size_t i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
		p.k = cs[i].k;
		p.check_l = cs[i].cl;
		p.l = cs[i].cl ? cs[i].l : 2;
		p.check_t = cs[i].ct;
		p.t = cs[i].ct ? cs[i].t : 0.5;
		eval();
		cr_assert_eq(r.violating_classes, cs[i].viol,
			     "case %zu: violating %" PRIu64, i,
			     r.violating_classes);
		cr_assert_eq(r.violating_rows, cs[i].violrows,
			     "case %zu: rows %" PRIu64, i, r.violating_rows);
		cr_assert_eq(r.k_ok, cs[i].k_ok, "case %zu: k_ok", i);
		cr_assert_eq(r.l_ok, cs[i].l_ok, "case %zu: l_ok", i);
		cr_assert_eq(r.t_ok, cs[i].t_ok, "case %zu: t_ok", i);
		cr_assert_eq(r.has_l, cs[i].cl, "case %zu: has_l", i);
		cr_assert_eq(r.has_t, cs[i].ct, "case %zu: has_t", i);
		cr_assert_eq(r.satisfied, 0, "case %zu", i);
	}
}

/* ------------------------------------------------------------------ */
/* Bad parameters */

Test(kanon, bad_parameters)
{
	static const char *const T[][2] = {{"a", "1"}, {"a", "2"}};

	/* l or t without a sensitive column. */
	table(1, -1);
	LOAD(T);
	p.check_l = 1;
	p.l = 2;
	eval_arg("l without sensitive");
	prep_kanon_params_init(&p);
	p.check_t = 1;
	p.t = 0.5;
	eval_arg("t without sensitive");

	table(1, 1);
	LOAD(T);
	prep_kanon_params_init(&p);
	p.k = 0;
	eval_arg("k = 0");

	prep_kanon_params_init(&p);
	p.check_l = 1;
	p.l = 0.999;
	eval_arg("l < 1");
	p.l = 0;
	eval_arg("l = 0");
	p.l = -2;
	eval_arg("l < 0");
	p.l = NAN;
	eval_arg("l NaN");
	p.ldiv = PREP_LDIV_ENTROPY;
	p.l = 0.5;
	eval_arg("entropy l < 1");
	p.l = 1; /* boundary: fine */
	p.k = 1;
	eval();
	I(satisfied, 1);

	prep_kanon_params_init(&p);
	p.check_l = 1;
	p.ldiv = PREP_LDIV_RECURSIVE;
	p.l = 1;
	p.c = 0;
	eval_arg("c = 0");
	p.c = -1;
	eval_arg("c < 0");
	p.c = NAN;
	eval_arg("c NaN");

	prep_kanon_params_init(&p);
	p.check_t = 1;
	p.t = -0.01;
	eval_arg("t < 0");
	p.t = 1.01;
	eval_arg("t > 1");
	p.t = NAN;
	eval_arg("t NaN");
	p.t = 0; /* boundaries: fine */
	p.k = 1;
	eval();
	p.t = 1;
	eval();
	I(t_ok, 1);
}

/* max_suppress outside 0..1 when suppressing (kcheck(1), OPTIONS: from
 * 0 to 1). */
Test(kanon, bad_max_suppress)
{
	static const char *const T[][1] = {{"a"}, {"a"}};

	table(1, -1);
	LOAD(T);
	p.suppress = 1;
	p.max_suppress = -0.1;
	eval_arg("max_suppress < 0");
	p.max_suppress = 1.5;
	eval_arg("max_suppress > 1");
	p.max_suppress = NAN;
	eval_arg("max_suppress NaN");
}

/* ------------------------------------------------------------------ */
/* Reports: the exact text, JSON and summary line of kcheck */

/* What a report function writes to a stream: malloc'd. */
enum { TEXT, JSON };
static char *
report_of(int which)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	prep_status st;

	cr_assert_not_null(f);
	st = which == JSON ? prep_kanon_report_json(f, &r)
			   : prep_kanon_report_text(f, &r, &p);
	cr_assert_eq(st, PREP_OK, "report: %s", prep_strerror(st));
	cr_assert_eq(fclose(f), 0);
	return buf;
}

static void
report_is(int which, const char *want)
{
	char *got = report_of(which);

	cr_assert_str_eq(got, want);
	free(got);
}

static void
summary_is(const char *want)
{
	char line[PREP_KANON_SUMMARY_SIZE];
	prep_status st;

	memset(line, 'x', sizeof line);
	st = prep_kanon_report_summary(&r, &p, line, sizeof line);
	cr_assert_eq(st, PREP_OK, "summary: %s", prep_strerror(st));
	cr_assert_str_eq(line, want);
}

/*
 * QI q, sensitive s; classes a {x, y, x}, b {x, x}, c {y}. k = 2,
 * distinct l = 2, t = 0.5.
 * rows 6, classes 3, min 1, avg 6/3 = 2. c fails k; b and c have one
 * distinct value each and fail l: 2 violating classes, 2 + 1 = 3 rows.
 * Risk: max 1/1 = 1, avg 3/6 = 0.5; rows in classes < 2: 1 of 6, in
 * classes of 1: 1 of 6, 0.1666666667 (%.10g), 0.166666666666667 (JSON).
 * Histogram 1:1 2:1 3:1. l_min 1.
 * t, equal distance (x, y are not numbers): table x 4/6 = 2/3, y 1/3;
 * a (2/3, 1/3): 0; b (1, 0): (1/3 + 1/3)/2 = 1/3; c (0, 1): (2/3 +
 * 2/3)/2 = 2/3 = 0.6666666667 (%.10g), 0.666666666666667 (%.15g),
 * 0.6667 (%.4g).
 */
static const char *const REP1[][2] = {{"a", "x"}, {"a", "y"}, {"a", "x"},
				      {"b", "x"}, {"b", "x"}, {"c", "y"}};

static void
rep1(void)
{
	table(1, 1);
	LOAD(REP1);
	p.check_l = 1;
	p.l = 2;
	p.check_t = 1;
	p.t = 0.5;
	eval();
}

Test(kanon, report_text_fails_k_l_t)
{
	rep1();
	report_is(TEXT, "rows: 6\n"
			"classes: 3\n"
			"min_class_size: 1\n"
			"avg_class_size: 2\n"
			"k: 2\n"
			"violating_classes: 2\n"
			"violating_rows: 3\n"
			"suppressed_rows: 0\n"
			"prosecutor_risk_max: 1\n"
			"prosecutor_risk_avg: 0.5\n"
			"records_at_risk: 0.1666666667\n"
			"sample_uniqueness: 0.1666666667\n"
			"class_size_histogram: 1:1 2:1 3:1\n"
			"l_min: 1 (distinct)\n"
			"t_max: 0.6666666667 (equal)\n"
			"satisfied: no\n");
}

Test(kanon, report_json_fails_k_l_t)
{
	rep1();
	report_is(JSON, "{\"rows\":6,\"classes\":3,\"min_class_size\":1,"
			"\"avg_class_size\":2,\"k\":2,\"violating_classes\":2,"
			"\"violating_rows\":3,\"suppressed_rows\":0,"
			"\"prosecutor_risk_max\":1,\"prosecutor_risk_avg\":0.5,"
			"\"records_at_risk\":0.166666666666667,"
			"\"sample_uniqueness\":0.166666666666667,"
			"\"class_size_histogram\":{\"1\":1,\"2\":1,\"3\":1},"
			"\"l_min\":1,\"t_max\":0.666666666666667,"
			"\"satisfied\":false}\n");
}

Test(kanon, report_summary_fails_k_l_t)
{
	rep1();
	summary_is("not satisfied: 2 of 3 classes (3 rows) fail; smallest "
		   "class 1 (k=2), l_min 1 (l=2), t_max 0.6667 (t=0.5)");
}

/*
 * QI q, sensitive s numeric; a {1, 2, 2}, b {3, 3}, c {1}; k = 2 with
 * suppression up to 0.5: c goes (1 row <= 0.5 * 6), a and b stay.
 * rows 5, classes 2, min 2, avg 2.5; risk max 1/2, avg 2/5 = 0.4; none
 * at risk or unique; histogram 2:1 3:1.
 * Recursive (c,l), c = 3: a's counts 2, 1: l = 2 as 2 < 3 * 1; b's 2:
 * l = 1. l_min 1 (l = 1 holds).
 * Ordered t over the released rows: table 1: 1/5, 2: 2/5, 3: 2/5, m = 3.
 * a (1/3, 2/3, 0): p - q = (2/15, 4/15, -6/15), cumulative 2/15, 6/15,
 * 0: (8/15) / (m - 1) = 4/15. b (0, 0, 1): p - q = (-3/15, -6/15,
 * 9/15), cumulative -3/15, -9/15, 0: (12/15) / 2 = 0.4 = t_max.
 */
static const char *const REP2[][2] = {{"a", "1"}, {"a", "2"}, {"a", "2"},
				      {"b", "3"}, {"b", "3"}, {"c", "1"}};

static void
rep2(void)
{
	table(1, 1);
	LOAD(REP2);
	p.suppress = 1;
	p.max_suppress = 0.5;
	p.check_l = 1;
	p.l = 1;
	p.ldiv = PREP_LDIV_RECURSIVE;
	p.c = 3;
	p.check_t = 1;
	p.t = 0.5;
	eval();
}

Test(kanon, report_text_suppressed_recursive_ordered)
{
	rep2();
	report_is(TEXT, "rows: 5\n"
			"classes: 2\n"
			"min_class_size: 2\n"
			"avg_class_size: 2.5\n"
			"k: 2\n"
			"violating_classes: 0\n"
			"violating_rows: 0\n"
			"suppressed_rows: 1\n"
			"prosecutor_risk_max: 0.5\n"
			"prosecutor_risk_avg: 0.4\n"
			"records_at_risk: 0\n"
			"sample_uniqueness: 0\n"
			"class_size_histogram: 2:1 3:1\n"
			"l_min: 1 (recursive, c=3)\n"
			"t_max: 0.4 (ordered)\n"
			"satisfied: yes\n");
}

Test(kanon, report_json_suppressed_recursive_ordered)
{
	rep2();
	report_is(JSON,
		  "{\"rows\":5,\"classes\":2,\"min_class_size\":2,"
		  "\"avg_class_size\":2.5,\"k\":2,\"violating_classes\":0,"
		  "\"violating_rows\":0,\"suppressed_rows\":1,"
		  "\"prosecutor_risk_max\":0.5,\"prosecutor_risk_avg\":0.4,"
		  "\"records_at_risk\":0,\"sample_uniqueness\":0,"
		  "\"class_size_histogram\":{\"2\":1,\"3\":1},"
		  "\"l_min\":1,\"t_max\":0.4,\"satisfied\":true}\n");
}

Test(kanon, report_summary_suppressed_recursive_ordered)
{
	rep2();
	summary_is("satisfied: 5 rows, 2 classes, smallest class 2 (k=2), "
		   "l_min 1 (l=1), t_max 0.4 (t=0.5), 1 row suppressed");
}

/*
 * Suppression past its limit: REP1's QI alone, k = 3, at most 0.25 of
 * the rows: b and c would go, 3 rows > 0.25 * 6. Left: a, 3 rows, 1
 * class; risk 1/3 (0.3333333333, 0.333333333333333); nothing violates
 * k, but the run is not satisfied. No "suppressed" at the end of the
 * summary: nothing was.
 */
static void
rep3(void)
{
	table(1, -1);
	LOAD(REP1);
	p.k = 3;
	p.suppress = 1;
	p.max_suppress = 0.25;
	eval();
}

Test(kanon, report_text_suppression_over_limit)
{
	rep3();
	report_is(TEXT, "rows: 3\n"
			"classes: 1\n"
			"min_class_size: 3\n"
			"avg_class_size: 3\n"
			"k: 3\n"
			"violating_classes: 0\n"
			"violating_rows: 0\n"
			"suppressed_rows: 3\n"
			"prosecutor_risk_max: 0.3333333333\n"
			"prosecutor_risk_avg: 0.3333333333\n"
			"records_at_risk: 0\n"
			"sample_uniqueness: 0\n"
			"class_size_histogram: 3:1\n"
			"satisfied: no\n");
}

Test(kanon, report_json_suppression_over_limit)
{
	rep3();
	report_is(JSON, "{\"rows\":3,\"classes\":1,\"min_class_size\":3,"
			"\"avg_class_size\":3,\"k\":3,\"violating_classes\":0,"
			"\"violating_rows\":0,\"suppressed_rows\":3,"
			"\"prosecutor_risk_max\":0.333333333333333,"
			"\"prosecutor_risk_avg\":0.333333333333333,"
			"\"records_at_risk\":0,\"sample_uniqueness\":0,"
			"\"class_size_histogram\":{\"3\":1},"
			"\"satisfied\":false}\n");
}

Test(kanon, report_summary_suppression_over_limit)
{
	rep3();
	summary_is("not satisfied: 3 rows would be suppressed, more than "
		   "0.25 of the input (k=3)");
}

/* No rows: every figure 0, an empty histogram, satisfied. */
Test(kanon, report_empty)
{
	table(1, -1);
	eval();
	report_is(TEXT, "rows: 0\n"
			"classes: 0\n"
			"min_class_size: 0\n"
			"avg_class_size: 0\n"
			"k: 2\n"
			"violating_classes: 0\n"
			"violating_rows: 0\n"
			"suppressed_rows: 0\n"
			"prosecutor_risk_max: 0\n"
			"prosecutor_risk_avg: 0\n"
			"records_at_risk: 0\n"
			"sample_uniqueness: 0\n"
			"class_size_histogram:\n"
			"satisfied: yes\n");
	report_is(JSON, "{\"rows\":0,\"classes\":0,\"min_class_size\":0,"
			"\"avg_class_size\":0,\"k\":2,\"violating_classes\":0,"
			"\"violating_rows\":0,\"suppressed_rows\":0,"
			"\"prosecutor_risk_max\":0,\"prosecutor_risk_avg\":0,"
			"\"records_at_risk\":0,\"sample_uniqueness\":0,"
			"\"class_size_histogram\":{},\"satisfied\":true}\n");
	summary_is("satisfied: 0 rows, 0 classes, smallest class 0 (k=2)");
}

/* One of everything: "row", "class", but "of 1 classes". */
Test(kanon, report_summary_singular)
{
	static const char *const ONE[][1] = {{"a"}};
	static const char *const TWO[][1] = {{"a"}, {"b"}, {"b"}};

	table(1, -1);
	LOAD(ONE);
	p.k = 1;
	eval();
	summary_is("satisfied: 1 row, 1 class, smallest class 1 (k=1)");
	p.k = 2;
	eval();
	summary_is("not satisfied: 1 of 1 classes (1 row) fail; smallest "
		   "class 1 (k=2)");
	p.suppress = 1;
	p.max_suppress = 0;
	eval();
	summary_is("not satisfied: 1 row would be suppressed, more than 0 of "
		   "the input (k=2)");
	/* a (1 row) goes, 1 <= 0.5 * 3 */
	table(1, -1);
	LOAD(TWO);
	p.max_suppress = 0.5;
	eval();
	summary_is("satisfied: 2 rows, 1 class, smallest class 2 (k=2), 1 row "
		   "suppressed");
	/* suppression asked for, none needed */
	p.k = 1;
	eval();
	summary_is("satisfied: 3 rows, 2 classes, smallest class 1 (k=1), 0 "
		   "rows suppressed");
}

/*
 * The formats on figures set by hand: %.10g cuts 0.123456789012345678
 * to 0.123456789, JSON keeps 15 digits, 0.123456789012346, the summary
 * 4, 0.1235; entropy is named; a whole l_min stays an integer in JSON
 * and a fraction does not; counts past 2^32 are whole.
 */
Test(kanon, report_formats_by_hand)
{
	static prep_kanon_bin bins[] = {{87, 1}, {5000000000ULL, 2}};

	memset(&r, 0, sizeof r);
	r.rows = 10000000087ULL;
	r.classes = 3;
	r.min_class_size = 87;
	r.avg_class_size = 3016.2;
	r.k = 100;
	r.violating_classes = 1;
	r.violating_rows = 87;
	r.prosecutor_risk_max = 0.125;
	r.prosecutor_risk_avg = 0.0625;
	r.records_at_risk = 0.123456789012345678;
	r.sample_uniqueness = 0;
	r.histogram = bins;
	r.nhistogram = 2;
	r.has_l = 1;
	r.l_min = 1.5;
	r.has_t = 1;
	r.t_max = 0.123456789012345678;
	r.t_ordered = 0;
	r.k_ok = 0;
	r.l_ok = r.t_ok = r.suppress_ok = 1;
	p.check_l = 1;
	p.l = 2;
	p.ldiv = PREP_LDIV_ENTROPY;
	p.check_t = 1;
	p.t = 0.1;
	report_is(TEXT, "rows: 10000000087\n"
			"classes: 3\n"
			"min_class_size: 87\n"
			"avg_class_size: 3016.2\n"
			"k: 100\n"
			"violating_classes: 1\n"
			"violating_rows: 87\n"
			"suppressed_rows: 0\n"
			"prosecutor_risk_max: 0.125\n"
			"prosecutor_risk_avg: 0.0625\n"
			"records_at_risk: 0.123456789\n"
			"sample_uniqueness: 0\n"
			"class_size_histogram: 87:1 5000000000:2\n"
			"l_min: 1.5 (entropy)\n"
			"t_max: 0.123456789 (equal)\n"
			"satisfied: no\n");
	report_is(JSON, "{\"rows\":10000000087,\"classes\":3,"
			"\"min_class_size\":87,\"avg_class_size\":3016.2,"
			"\"k\":100,\"violating_classes\":1,"
			"\"violating_rows\":87,\"suppressed_rows\":0,"
			"\"prosecutor_risk_max\":0.125,"
			"\"prosecutor_risk_avg\":0.0625,"
			"\"records_at_risk\":0.123456789012346,"
			"\"sample_uniqueness\":0,"
			"\"class_size_histogram\":{\"87\":1,\"5000000000\":2},"
			"\"l_min\":1.5,\"t_max\":0.123456789012346,"
			"\"satisfied\":false}\n");
	summary_is("not satisfied: 1 of 3 classes (87 rows) fail; smallest "
		   "class 87 (k=100), l_min 1.5 (l=2), t_max 0.1235 (t=0.1)");
	memset(&r, 0, sizeof r); /* bins are not the report's to free */
}

/* A summary that does not fit: cut, NUL-terminated, PREP_ERR_RANGE. */
Test(kanon, report_summary_too_small)
{
	static const char *const ONE[][1] = {{"a"}};
	char line[10];

	table(1, -1);
	LOAD(ONE);
	p.k = 1;
	eval();
	cr_assert_eq(prep_kanon_report_summary(&r, &p, line, sizeof line),
		     PREP_ERR_RANGE);
	cr_assert_str_eq(line, "satisfied");
	cr_assert_eq(prep_kanon_report_summary(&r, &p, line, 0),
		     PREP_ERR_RANGE);
}

/* A stream that can't be written: PREP_ERR_IO from both reports. */
Test(kanon, report_write_error)
{
	FILE *f = fopen("/dev/null", "r");

	cr_assert_not_null(f);
	table(1, -1);
	eval();
	cr_assert_eq(prep_kanon_report_text(f, &r, &p), PREP_ERR_IO);
	clearerr(f);
	cr_assert_eq(prep_kanon_report_json(f, &r), PREP_ERR_IO);
	(void)fclose(f);
}

/* The --ldiv names, both ways. */
Test(kanon, ldiv_names)
{
	prep_ldiv v = PREP_LDIV_ENTROPY;

	cr_assert_str_eq(prep_kanon_ldiv_name(PREP_LDIV_DISTINCT), "distinct");
	cr_assert_str_eq(prep_kanon_ldiv_name(PREP_LDIV_ENTROPY), "entropy");
	cr_assert_str_eq(prep_kanon_ldiv_name(PREP_LDIV_RECURSIVE),
			 "recursive");
	cr_assert_eq(prep_kanon_ldiv_parse("distinct", &v), PREP_OK);
	cr_assert_eq(v, PREP_LDIV_DISTINCT);
	cr_assert_eq(prep_kanon_ldiv_parse("entropy", &v), PREP_OK);
	cr_assert_eq(v, PREP_LDIV_ENTROPY);
	cr_assert_eq(prep_kanon_ldiv_parse("recursive", &v), PREP_OK);
	cr_assert_eq(v, PREP_LDIV_RECURSIVE);
	cr_assert_eq(prep_kanon_ldiv_parse("Distinct", &v), PREP_ERR_ARG);
	cr_assert_eq(prep_kanon_ldiv_parse("", &v), PREP_ERR_ARG);
	cr_assert_eq(v, PREP_LDIV_RECURSIVE); /* untouched */
}

/*
 * Classes as arrays (kanon's recodings): sizes 3, 1, 0, 2; the class of
 * 1 row suppressed, the class of 0 rows ignored. Sensitive values a, b:
 * class 0 holds a a b, class 1 b, class 3 a a. k = 2, distinct l = 2,
 * at most 0.2 of the 6 rows suppressed (1 <= 1.2). Released: 5 rows in
 * 2 classes (sizes 3 and 2), smallest 2, average 2.5, risk 1/2 and 2/5;
 * no class under k, none alone. Class 3 has one distinct value: l_min
 * 1, it violates l (1 class, 2 rows), so not satisfied.
 */
Test(kanon, evaluate_table)
{
	static const uint64_t size[] = {3, 1, 0, 2};
	static const unsigned char kept[] = {1, 0, 1, 1};
	static const size_t srun[] = {0, 2, 3, 3, 4};
	static const prep_class_count scount[] = {
	    {0, 2}, {1, 1}, {1, 1}, {0, 2}};
	static const prep_field values[] = {{"a", 1}, {"b", 1}};
	prep_kanon_table t = {4, size, kept, srun, scount, values, 2};
	prep_status st;

	p.k = 2;
	p.suppress = 1;
	p.max_suppress = 0.2;
	p.check_l = 1;
	p.l = 2;
	memset(&r, 0xA5, sizeof r);
	st = prep_kanon_evaluate_table(&t, &p, &r);
	cr_assert_eq(st, PREP_OK, "%s", prep_strerror(st));
	have_r = 1;
	U(rows, 5);
	U(classes, 2);
	U(min_class_size, 2);
	EXACT(avg_class_size, 2.5);
	U(suppressed_rows, 1);
	EXACT(prosecutor_risk_max, 0.5);
	NEAR(prosecutor_risk_avg, 0.4);
	EXACT(records_at_risk, 0);
	EXACT(sample_uniqueness, 0);
	U(nhistogram, 2);
	U(histogram[0].size, 2);
	U(histogram[0].classes, 1);
	U(histogram[1].size, 3);
	U(histogram[1].classes, 1);
	EXACT(l_min, 1);
	U(violating_classes, 1);
	U(violating_rows, 2);
	I(k_ok, 1);
	I(l_ok, 0);
	I(suppress_ok, 1);
	I(satisfied, 0);
}

/* l asked for without sensitive counts: an argument error, as for a table. */
Test(kanon, evaluate_table_l_without_sensitive)
{
	static const uint64_t size[] = {2};
	prep_kanon_table t = {1, size, NULL, NULL, NULL, NULL, 0};

	p.check_l = 1;
	p.l = 2;
	memset(&r, 0, sizeof r);
	cr_assert_eq(prep_kanon_evaluate_table(&t, &p, &r), PREP_ERR_ARG);
	prep_kanon_report_free(&r);
}

/*
 * The record's bins: sizes up to 31 alone, then 32-63, 64-127, ...;
 * 32 and 63 share a bin, 63 and 64 do not, 1000 and 1023 share 512-1023,
 * and the largest size there is falls in 2^63 .. 2^64-1.
 */
Test(kanon, size_bins)
{
	prep_kanon_bin h[] = {{1, 2},	 {5, 1},	 {31, 1},   {32, 1},
			      {63, 2},	 {64, 1},	 {1000, 3}, {1023, 1},
			      {1024, 1}, {UINT64_MAX, 1}};
	static const uint64_t want[][3] = {
	    {1, 1, 2},	     {5, 5, 1},
	    {31, 31, 1},     {32, 63, 3},
	    {64, 127, 1},    {512, 1023, 4},
	    {1024, 2047, 1}, {(uint64_t)1 << 63, UINT64_MAX, 1}};
	prep_kanon_size_bin bins[PREP_KANON_SIZE_BINS];
	prep_kanon_report rep;
	size_t n, i;

	memset(&rep, 0, sizeof rep);
	rep.histogram = h;
	rep.nhistogram = NROWS(h);
	n = prep_kanon_size_bins(&rep, bins);
	cr_assert_eq(n, NROWS(want), "%zu bins", n);
	for (i = 0; i < n; i++) {
		cr_assert_eq(bins[i].lo, want[i][0], "bin %zu lo", i);
		cr_assert_eq(bins[i].hi, want[i][1], "bin %zu hi", i);
		cr_assert_eq(bins[i].classes, want[i][2], "bin %zu", i);
	}
	rep.nhistogram = 0;
	cr_assert_eq(prep_kanon_size_bins(&rep, bins), 0);
}
