/*
 * test_fairness.c: unit tests of libprep/fairness.c, the per-group rates
 * and group fairness metrics fairness(1) reports and gates on.
 *
 * Written from the definitions (fairness.h; fairness(1), sections Rates,
 * Metrics and Output), not from the implementation. Each table is small enough
 * to count by hand; the counts are in the comment beside it. Rates are asserted
 * to 1e-15, or exactly where every step is a dyadic fraction; NA is NAN and is
 * asserted with isnan, never as a number.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "csv.h"
#include "fairness.h"
#include "report_capture.h"

#define NROWS(t) (sizeof(t) / sizeof((t)[0]))
#define NCOLS(t) (sizeof((t)[0]) / sizeof((t)[0][0]))

static prep_fairness *fa;

static void
teardown(void)
{
	prep_fairness_free(fa);
	fa = NULL;
}

TestSuite(fairness, .fini = teardown);

/*
 * A new table over rows laid out as (group..., label[, pred][, weight]):
 * ngroups group columns first, then the label, then the prediction if
 * pred, then the weight if weight. Positive value "1".
 */
static void
table(size_t ngroups, int pred, int weight, size_t max_groups)
{
	size_t g[4];
	prep_fairness_params p;
	prep_status st;

	cr_assert_leq(ngroups, 4);
	for (size_t i = 0; i < ngroups; i++)
		g[i] = i;
	memset(&p, 0, sizeof p);
	p.groups = g;
	p.ngroups = ngroups;
	p.label = ngroups;
	p.pred = pred ? (long)ngroups + 1 : -1;
	p.weight = weight ? (long)ngroups + 1 + (pred != 0) : -1;
	p.positive = "1";
	p.positive_len = 1;
	p.max_groups = max_groups;
	prep_fairness_free(fa);
	fa = NULL;
	st = prep_fairness_new(&p, &fa);
	cr_assert_eq(st, PREP_OK, "prep_fairness_new: %s", prep_strerror(st));
}

static prep_status
add(const char *const *cells, size_t ncols)
{
	prep_field row[8];

	cr_assert_leq(ncols, 8);
	for (size_t j = 0; j < ncols; j++) {
		row[j].data = cells[j];
		row[j].len = strlen(cells[j]);
	}
	return prep_fairness_add(fa, row);
}

static void
load(const char *const *cells, size_t ncols, size_t nrows)
{
	for (size_t i = 0; i < nrows; i++) {
		prep_status st = add(cells + i * ncols, ncols);

		cr_assert_eq(st, PREP_OK, "row %zu: %s", i, prep_strerror(st));
	}
}
#define LOAD(t) load(&(t)[0][0], NCOLS(t), NROWS(t))

#define NA(x) cr_assert(isnan(x), #x ": got %.17g, want NA", (double)(x))
#define NEAR(x, want)                                                          \
	do {                                                                   \
		double got_ = (x), want_ = (want);                             \
		cr_assert(!isnan(got_), #x ": got NA, want %.17g", want_);     \
		cr_assert(fabs(got_ - want_) <= 1e-15,                         \
			  #x ": got %.17g, want %.17g", got_, want_);          \
	} while (0)
#define EXACT(x, want)                                                         \
	cr_assert((x) == (want), #x ": got %.17g, want %.17g", (double)(x),    \
		  (double)(want))

static prep_fairness_rates
rates_of(size_t id)
{
	prep_fairness_rates r;

	memset(&r, 0xA5, sizeof r);
	cr_assert_eq(prep_fairness_group_rates(fa, id, &r), PREP_OK);
	return r;
}

static prep_fairness_summary
summary(long privileged)
{
	prep_fairness_summary s;
	prep_status st;

	memset(&s, 0xA5, sizeof s);
	st = prep_fairness_summarize(fa, privileged, &s);
	cr_assert_eq(st, PREP_OK, "summarize: %s", prep_strerror(st));
	return s;
}

static void
assert_value(size_t id, size_t col, const char *want)
{
	prep_field v[4];

	cr_assert_eq(prep_fairness_group_values(fa, id, v), PREP_OK);
	cr_assert_eq(v[col].len, strlen(want), "group %zu col %zu", id, col);
	cr_assert(memcmp(v[col].data, want, v[col].len) == 0,
		  "group %zu col %zu: got '%.*s', want '%s'", id, col,
		  (int)v[col].len, v[col].data, want);
}

/*
 * (group, label, prediction). Counts:
 *   A: rows 5, y+ 3, y- 2, p+ 3, tp 2, fp 1
 *      base 3/5, SR 3/5, tpr 2/3, fpr 1/2, precision 2/3
 *   B: rows 4, y+ 1, y- 3, p+ 2, tp 1, fp 1
 *      base 1/4, SR 1/2, tpr 1, fpr 1/3, precision 1/2
 *   C: rows 2, no positive label, y- 2, p+ 1, tp 0, fp 1
 *      base 0, SR 1/2, tpr NA (0/0), fpr 1/2, precision 0/1 = 0
 */
static const char *const three[][3] = {
    {"A", "1", "1"}, {"B", "1", "1"}, {"A", "1", "1"}, {"C", "0", "0"},
    {"A", "1", "0"}, {"B", "0", "0"}, {"A", "0", "1"}, {"B", "0", "0"},
    {"C", "0", "1"}, {"A", "0", "0"}, {"B", "0", "1"},
};

Test(fairness, per_group_rates_with_prediction)
{
	prep_fairness_rates r;

	table(1, 1, 0, 0);
	LOAD(three);
	cr_assert_eq(prep_fairness_groups(fa), 3);
	cr_assert(prep_fairness_has_pred(fa));
	/* ids in order of first appearance */
	assert_value(0, 0, "A");
	assert_value(1, 0, "B");
	assert_value(2, 0, "C");

	r = rates_of(0);
	EXACT(r.n, 5);
	EXACT(r.n_pos, 3);
	EXACT(r.n_sel, 3);
	EXACT(r.w, 5);
	EXACT(r.w_pos, 3);
	EXACT(r.w_sel, 3);
	EXACT(r.w_tp, 2);
	EXACT(r.w_fp, 1);
	NEAR(r.base_rate, 3.0 / 5);
	NEAR(r.selection_rate, 3.0 / 5);
	NEAR(r.tpr, 2.0 / 3);
	EXACT(r.fpr, 0.5);
	NEAR(r.precision, 2.0 / 3);

	r = rates_of(1);
	EXACT(r.n, 4);
	EXACT(r.base_rate, 0.25);
	EXACT(r.selection_rate, 0.5);
	EXACT(r.tpr, 1);
	NEAR(r.fpr, 1.0 / 3);
	EXACT(r.precision, 0.5);

	/* a group without a positive label: tpr NA, never 0 */
	r = rates_of(2);
	EXACT(r.n, 2);
	EXACT(r.n_pos, 0);
	EXACT(r.base_rate, 0);
	EXACT(r.selection_rate, 0.5);
	NA(r.tpr);
	EXACT(r.fpr, 0.5);
	EXACT(r.precision, 0);

	/* every row: 11, y+ 4, y- 7, p+ 6, tp 3, fp 3 */
	memset(&r, 0xA5, sizeof r);
	prep_fairness_total(fa, &r);
	EXACT(r.n, 11);
	EXACT(r.n_pos, 4);
	EXACT(r.n_sel, 6);
	NEAR(r.base_rate, 4.0 / 11);
	NEAR(r.selection_rate, 6.0 / 11);
	EXACT(r.tpr, 0.75);
	NEAR(r.fpr, 3.0 / 7);
	EXACT(r.precision, 0.5);
}

/*
 * Privileged A against B and C together (the complement):
 *   rows 6, y+ 1, y- 5, p+ 3, tp 1, fp 2: SR 1/2, TPR 1, FPR 2/5
 *   DI   = (1/2) / (3/5)               = 5/6
 *   SPD  = 1/2 - 3/5                   = -1/10
 *   EOD  = 1 - 2/3                     = 1/3
 *   AOD  = ((2/5 - 1/2) + (1 - 2/3))/2 = (-1/10 + 1/3)/2 = 7/60
 *   EqOd = max(|1/3|, |-1/10|)         = 1/3
 */
Test(fairness, privileged_against_the_rest)
{
	prep_fairness_summary s;

	table(1, 1, 0, 0);
	LOAD(three);
	s = summary(0);
	NEAR(s.disparate_impact, 5.0 / 6);
	NEAR(s.statistical_parity_difference, -0.1);
	NEAR(s.equal_opportunity_difference, 1.0 / 3);
	NEAR(s.average_odds_difference, 7.0 / 60);
	NEAR(s.equalized_odds_difference, 1.0 / 3);
}

/*
 * Privileged C, the group with no positive label: its TPR is NA, so
 * every metric of TPR is NA. Unprivileged A and B: rows 9, p+ 5.
 *   DI  = (5/9) / (1/2) = 10/9 (above 1: the unprivileged favoured)
 *   SPD = 5/9 - 1/2     = 1/18
 */
Test(fairness, privileged_without_positives)
{
	prep_fairness_summary s;

	table(1, 1, 0, 0);
	LOAD(three);
	s = summary(2);
	NEAR(s.disparate_impact, 10.0 / 9);
	NEAR(s.statistical_parity_difference, 1.0 / 18);
	NA(s.equal_opportunity_difference);
	NA(s.average_odds_difference);
	NA(s.equalized_odds_difference);
}

/*
 * Over every group: SR 3/5, 1/2, 1/2 -> DI 5/6, SPD 1/10; C's TPR is NA,
 * so EOD, AOD and the equalized odds difference are NA (not computed
 * over A and B alone).
 */
Test(fairness, over_groups_na_when_a_rate_is_na)
{
	prep_fairness_summary s;

	table(1, 1, 0, 0);
	LOAD(three);
	s = summary(-1);
	NEAR(s.disparate_impact, 5.0 / 6);
	NEAR(s.statistical_parity_difference, 0.1);
	NA(s.equal_opportunity_difference);
	NA(s.average_odds_difference);
	NA(s.equalized_odds_difference);
}

/*
 * A and B only (the first 8 rows of 'three' without C's):
 *   SR 3/5, 1/2      DI 5/6, SPD 1/10
 *   TPR 2/3, 1       EOD 1/3
 *   FPR 1/2, 1/3     max - min 1/6
 *   AOD (1/6 + 1/3)/2 = 1/4, EqOd max(1/3, 1/6) = 1/3
 */
Test(fairness, over_groups_with_prediction)
{
	static const char *const ab[][3] = {
	    {"A", "1", "1"}, {"B", "1", "1"}, {"A", "1", "1"},
	    {"A", "1", "0"}, {"B", "0", "0"}, {"A", "0", "1"},
	    {"B", "0", "0"}, {"A", "0", "0"}, {"B", "0", "1"},
	};
	prep_fairness_summary s;

	table(1, 1, 0, 0);
	LOAD(ab);
	s = summary(-1);
	NEAR(s.disparate_impact, 5.0 / 6);
	NEAR(s.statistical_parity_difference, 0.1);
	NEAR(s.equal_opportunity_difference, 1.0 / 3);
	NEAR(s.average_odds_difference, 0.25);
	NEAR(s.equalized_odds_difference, 1.0 / 3);
	/* privileged B: A's SR 3/5 over B's 1/2; TPR 2/3 - 1; FPR 1/2 - 1/3 */
	s = summary(1);
	NEAR(s.disparate_impact, 6.0 / 5);
	NEAR(s.statistical_parity_difference, 0.1);
	NEAR(s.equal_opportunity_difference, -1.0 / 3);
	NEAR(s.average_odds_difference, (1.0 / 6 - 1.0 / 3) / 2);
	NEAR(s.equalized_odds_difference, 1.0 / 3);
}

/*
 * Without a prediction column the label is the prediction: SR = base
 * rate, and tpr, fpr, precision and the three metrics of them are NA.
 *   A: 3 rows, y+ 2: 2/3     B: 4 rows, y+ 1: 1/4
 *   over groups: DI (1/4)/(2/3) = 3/8, SPD 2/3 - 1/4 = 5/12
 *   privileged A: DI 3/8, SPD -5/12
 */
Test(fairness, dataset_metrics_without_prediction)
{
	static const char *const t[][2] = {
	    {"A", "1"}, {"A", "1"}, {"A", "0"}, {"B", "0"},
	    {"B", "1"}, {"B", "0"}, {"B", "0"},
	};
	prep_fairness_rates r;
	prep_fairness_summary s;

	table(1, 0, 0, 0);
	LOAD(t);
	cr_assert(!prep_fairness_has_pred(fa));
	r = rates_of(0);
	NEAR(r.base_rate, 2.0 / 3);
	NEAR(r.selection_rate, 2.0 / 3);
	EXACT(r.n_sel, 2);
	NA(r.tpr);
	NA(r.fpr);
	NA(r.precision);
	s = summary(-1);
	NEAR(s.disparate_impact, 0.375);
	NEAR(s.statistical_parity_difference, 5.0 / 12);
	NA(s.equal_opportunity_difference);
	NA(s.average_odds_difference);
	NA(s.equalized_odds_difference);
	s = summary(0);
	NEAR(s.disparate_impact, 0.375);
	NEAR(s.statistical_parity_difference, -5.0 / 12);
	NA(s.equal_opportunity_difference);
}

/*
 * Weighted counts: (group, label, prediction, weight).
 *   A: w 2 (y+ p+), 1 (y+ p-), 0.5 (y- p+), 0.5 (y- p-), 0 (y+ p+)
 *      n 5, sum w 4, y+ 3, y- 1, p+ 2.5, tp 2, fp 0.5
 *      base 3/4, SR 5/8, tpr 2/3, fpr 1/2, precision 4/5
 *   B: w 1 (y- p-), 3 (y+ p+)
 *      n 2, sum w 4, y+ 3, y- 1, p+ 3, tp 3, fp 0
 *      base 3/4, SR 3/4, tpr 1, fpr 0, precision 1
 * A weight of 0 counts in n but in no sum.
 *   privileged B: DI (5/8)/(3/4) = 5/6, SPD -1/8, EOD -1/3,
 *   AOD (1/2 - 1/3)/2 = 1/12, EqOd max(1/3, 1/2) = 1/2
 */
Test(fairness, weighted_counts)
{
	static const char *const t[][4] = {
	    {"A", "1", "1", "2"},    {"A", "1", "0", "1"},
	    {"B", "0", "0", "1"},    {"A", "0", "1", "0.5"},
	    {"A", "0", "0", ".5e0"}, {"B", "1", "1", "3"},
	    {"A", "1", "1", "0"},
	};
	prep_fairness_rates r;
	prep_fairness_summary s;

	table(1, 1, 1, 0);
	LOAD(t);
	r = rates_of(0);
	EXACT(r.n, 5);
	EXACT(r.n_pos, 3);
	EXACT(r.w, 4);
	EXACT(r.w_pos, 3);
	EXACT(r.w_sel, 2.5);
	EXACT(r.w_tp, 2);
	EXACT(r.w_fp, 0.5);
	EXACT(r.base_rate, 0.75);
	EXACT(r.selection_rate, 0.625);
	NEAR(r.tpr, 2.0 / 3);
	EXACT(r.fpr, 0.5);
	EXACT(r.precision, 0.8);
	r = rates_of(1);
	EXACT(r.n, 2);
	EXACT(r.base_rate, 0.75);
	EXACT(r.selection_rate, 0.75);
	EXACT(r.tpr, 1);
	EXACT(r.fpr, 0);
	EXACT(r.precision, 1);
	s = summary(1);
	NEAR(s.disparate_impact, 5.0 / 6);
	EXACT(s.statistical_parity_difference, -0.125);
	NEAR(s.equal_opportunity_difference, -1.0 / 3);
	NEAR(s.average_odds_difference, 1.0 / 12);
	EXACT(s.equalized_odds_difference, 0.5);
}

/*
 * A group whose weights are all 0 has no rates at all: every rate NA,
 * and so every metric over groups; against a privileged group it is
 * part of the unprivileged side and adds nothing.
 */
Test(fairness, zero_weight_group)
{
	static const char *const t[][3] = {
	    {"A", "1", "1"}, {"A", "0", "1"}, {"Z", "1", "0"},
	    {"Z", "0", "0"}, {"B", "1", "1"}, {"B", "0", "3"},
	};
	prep_fairness_rates r;
	prep_fairness_summary s;

	table(1, 0, 1, 0);
	LOAD(t);
	r = rates_of(1);
	EXACT(r.n, 2);
	EXACT(r.w, 0);
	NA(r.base_rate);
	NA(r.selection_rate);
	s = summary(-1);
	NA(s.disparate_impact);
	NA(s.statistical_parity_difference);
	/* privileged A (SR 1/2); Z and B: sum w 4, y+ 1: SR 1/4 */
	s = summary(0);
	EXACT(s.disparate_impact, 0.5);
	EXACT(s.statistical_parity_difference, -0.25);
	/* privileged Z: its own SR is NA */
	s = summary(1);
	NA(s.disparate_impact);
	NA(s.statistical_parity_difference);
}

/* No selection at all: min/max ratio 0/0 and SR_u/SR_p 0/0 are NA. */
Test(fairness, zero_denominator_of_disparate_impact)
{
	static const char *const none[][3] = {
	    {"A", "1", "0"},
	    {"B", "0", "0"},
	    {"B", "1", "0"},
	};
	static const char *const priv_zero[][3] = {
	    {"A", "1", "0"},
	    {"B", "0", "1"},
	    {"B", "1", "0"},
	};
	prep_fairness_summary s;

	table(1, 1, 0, 0);
	LOAD(none);
	s = summary(-1);
	NA(s.disparate_impact);
	EXACT(s.statistical_parity_difference, 0);
	/* A: precision 0/0 */
	NA(rates_of(0).precision);
	s = summary(0);
	NA(s.disparate_impact);
	EXACT(s.statistical_parity_difference, 0);

	/* privileged A selects nobody, B half: DI (1/2)/0 is NA, not inf */
	table(1, 1, 0, 0);
	LOAD(priv_zero);
	s = summary(0);
	NA(s.disparate_impact);
	EXACT(s.statistical_parity_difference, 0.5);
	/* over groups: min 0 / max 1/2 = 0, a real 0 */
	s = summary(-1);
	EXACT(s.disparate_impact, 0);
	EXACT(s.statistical_parity_difference, 0.5);
}

/* One group: ratio 1, difference 0; privileged: the other side is empty. */
Test(fairness, one_group)
{
	static const char *const t[][3] = {
	    {"A", "1", "1"},
	    {"A", "0", "0"},
	    {"A", "0", "1"},
	    {"A", "1", "0"},
	};
	prep_fairness_summary s;

	table(1, 1, 0, 0);
	LOAD(t);
	s = summary(-1);
	EXACT(s.disparate_impact, 1);
	EXACT(s.statistical_parity_difference, 0);
	EXACT(s.equal_opportunity_difference, 0);
	EXACT(s.average_odds_difference, 0);
	EXACT(s.equalized_odds_difference, 0);
	s = summary(0);
	NA(s.disparate_impact);
	NA(s.statistical_parity_difference);
	NA(s.equal_opportunity_difference);
	NA(s.average_odds_difference);
	NA(s.equalized_odds_difference);
}

Test(fairness, empty_table)
{
	prep_fairness_summary s;
	prep_fairness_rates r;

	table(1, 1, 0, 0);
	cr_assert_eq(prep_fairness_groups(fa), 0);
	s = summary(-1);
	NA(s.disparate_impact);
	NA(s.statistical_parity_difference);
	NA(s.equal_opportunity_difference);
	NA(s.average_odds_difference);
	NA(s.equalized_odds_difference);
	cr_assert_eq(prep_fairness_summarize(fa, 0, &s), PREP_ERR_ARG);
	cr_assert_eq(prep_fairness_group_rates(fa, 0, &r), PREP_ERR_ARG);
	prep_fairness_total(fa, &r);
	EXACT(r.n, 0);
	NA(r.base_rate);
}

/*
 * Several group columns: a group is the tuple, compared byte for byte
 * ("a","bc") and ("ab","c") differ, the empty value is a value.
 *   (M,W): 3 rows, y+ 2    (M,B): 1 row, y+ 0
 *   (F,W): 2 rows, y+ 1    (a,bc) 1 row, y+ 1   (ab,c) 1 row y+ 0
 *   ("",W): 1 row, y+ 1
 */
Test(fairness, several_group_columns)
{
	static const char *const t[][3] = {
	    {"M", "W", "1"}, {"M", "B", "0"},  {"F", "W", "1"},
	    {"M", "W", "1"}, {"a", "bc", "1"}, {"ab", "c", "0"},
	    {"F", "W", "0"}, {"M", "W", "0"},  {"", "W", "1"},
	};
	prep_field v[2];
	size_t id = 99;
	prep_fairness_summary s;

	table(2, 0, 0, 0);
	LOAD(t);
	cr_assert_eq(prep_fairness_groups(fa), 6);
	assert_value(0, 0, "M");
	assert_value(0, 1, "W");
	assert_value(3, 0, "a");
	assert_value(3, 1, "bc");
	assert_value(4, 0, "ab");
	assert_value(4, 1, "c");
	assert_value(5, 0, "");
	EXACT(rates_of(0).n, 3);
	NEAR(rates_of(0).base_rate, 2.0 / 3);
	EXACT(rates_of(2).base_rate, 0.5);

	v[0].data = "F";
	v[0].len = 1;
	v[1].data = "W";
	v[1].len = 1;
	cr_assert_eq(prep_fairness_find(fa, v, &id), PREP_OK);
	cr_assert_eq(id, 2);
	v[0].data = "W";
	v[1].data = "F";
	cr_assert_eq(prep_fairness_find(fa, v, &id), PREP_ERR_NOT_FOUND);
	v[0].data = "a";
	v[1].data = "bc";
	v[1].len = 2;
	cr_assert_eq(prep_fairness_find(fa, v, &id), PREP_OK);
	cr_assert_eq(id, 3);

	/*
	 * Over groups: SR 2/3, 0, 1/2, 1, 0, 1 -> DI 0/1 = 0, SPD 1.
	 * Privileged (M,W), SR 2/3; the rest 6 rows, y+ 3: SR 1/2:
	 * DI (1/2)/(2/3) = 3/4, SPD 1/2 - 2/3 = -1/6.
	 */
	s = summary(-1);
	EXACT(s.disparate_impact, 0);
	EXACT(s.statistical_parity_difference, 1);
	s = summary(0);
	NEAR(s.disparate_impact, 0.75);
	NEAR(s.statistical_parity_difference, -1.0 / 6);
}

/* Positive means these exact bytes: no trimming, no numeric equality. */
Test(fairness, positive_is_byte_exact)
{
	static const char *const t[][3] = {
	    {"A", "1", "1"}, {"A", "1 ", "01"},	 {"A", "1.0", "1"},
	    {"A", "", "x"},  {"A", "true", "1"},
	};
	prep_fairness_rates r;

	table(1, 1, 0, 0);
	LOAD(t);
	r = rates_of(0);
	EXACT(r.n_pos, 1);
	EXACT(r.n_sel, 3);
	EXACT(r.w_tp, 1);
	EXACT(r.w_fp, 2);
}

Test(fairness, bad_weights_change_nothing)
{
	static const char *const good[] = {"A", "1", "2"};
	static const char *const zero[] = {"A", "1", "-0"};
	static const struct {
		const char *w;
		prep_status want;
	} bad[] = {
	    {"", PREP_ERR_VALUE},      {"abc", PREP_ERR_VALUE},
	    {" 1", PREP_ERR_VALUE},    {"1 ", PREP_ERR_VALUE},
	    {"nan", PREP_ERR_VALUE},   {"inf", PREP_ERR_VALUE},
	    {"0x10", PREP_ERR_VALUE},  {"1,5", PREP_ERR_VALUE},
	    {"-1", PREP_ERR_RANGE},    {"-1e-300", PREP_ERR_RANGE},
	    {"1e281", PREP_ERR_RANGE}, {"1e400", PREP_ERR_RANGE},
	};
	prep_fairness_rates r;

	table(1, 0, 1, 0);
	cr_assert_eq(add(good, 3), PREP_OK);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		const char *row[] = {i % 2 ? "A" : "new", "1", bad[i].w};

		cr_assert_eq(add(row, 3), bad[i].want, "weight '%s'", bad[i].w);
	}
	/* nothing of the refused rows counted, no group made */
	cr_assert_eq(prep_fairness_groups(fa), 1);
	r = rates_of(0);
	EXACT(r.n, 1);
	EXACT(r.w, 2);
	/* -0 is 0; 1e280 is the largest weight */
	cr_assert_eq(add(zero, 3), PREP_OK);
	{
		const char *big[] = {"B", "0", "1e280"};

		cr_assert_eq(add(big, 3), PREP_OK);
	}
	r = rates_of(0);
	EXACT(r.n, 2);
	EXACT(r.w, 2);
	EXACT(r.base_rate, 1);
	EXACT(rates_of(1).base_rate, 0);
}

Test(fairness, group_cap)
{
	static const char *const t[][2] = {{"A", "1"}, {"B", "0"}, {"A", "0"}};
	static const char *const c[] = {"C", "1"};

	table(1, 0, 0, 2);
	LOAD(t);
	cr_assert_eq(add(c, 2), PREP_ERR_LIMIT);
	cr_assert_eq(prep_fairness_groups(fa), 2);
	EXACT(rates_of(0).n, 2);
	EXACT(rates_of(1).n, 1);
}

/*
 * Many groups, so the per-group arrays and the value arena grow and move:
 * values and counts must survive it.
 */
Test(fairness, many_groups)
{
	char name[32], label[2] = "0";
	const char *row[2] = {name, label};
	size_t i;

	table(1, 0, 0, 0);
	for (i = 0; i < 3000; i++) {
		snprintf(name, sizeof name, "group-%zu", i % 1000);
		label[0] = (char)('0' + (i % 3 == 0));
		cr_assert_eq(add(row, 2), PREP_OK);
	}
	cr_assert_eq(prep_fairness_groups(fa), 1000);
	for (i = 0; i < 1000; i += 111) {
		snprintf(name, sizeof name, "group-%zu", i);
		assert_value(i, 0, name);
		/* rows i, i+1000, i+2000: positive when divisible by 3 */
		EXACT(rates_of(i).n, 3);
		EXACT(rates_of(i).n_pos,
		      (uint64_t)((i % 3 == 0) + ((i + 1000) % 3 == 0) +
				 ((i + 2000) % 3 == 0)));
	}
}

Test(fairness, bad_parameters)
{
	prep_fairness_params p;
	prep_fairness *f = NULL;
	size_t g = 0;

	memset(&p, 0, sizeof p);
	p.groups = &g;
	p.ngroups = 0;
	p.positive = "1";
	p.positive_len = 1;
	p.pred = p.weight = -1;
	cr_assert_eq(prep_fairness_new(&p, &f), PREP_ERR_ARG);
	cr_assert_null(f);
	p.ngroups = 1;
	p.max_groups = ((size_t)1 << 31) + 1;
	cr_assert_eq(prep_fairness_new(&p, &f), PREP_ERR_ARG);
	p.max_groups = 0;
	/* an empty positive value is a value: the empty label */
	p.positive = "";
	p.positive_len = 0;
	cr_assert_eq(prep_fairness_new(&p, &f), PREP_OK);
	prep_fairness_free(f);
	prep_fairness_free(NULL);
}

Test(fairness, gates)
{
	prep_fairness_summary s = {0.8, -0.2, 0.1, 0, 0};
	prep_fairness_gates g;

	memset(&g, 0, sizeof g);
	/* no gate: nothing fails, not even NA */
	cr_assert_eq(prep_fairness_check(&s, &g), 0);
	s.disparate_impact = NAN;
	cr_assert_eq(prep_fairness_check(&s, &g), 0);

	g.min_di_set = g.max_spd_set = g.max_eod_set = 1;
	g.min_di = 0.8;
	g.max_spd = 0.2;
	g.max_eod = 0.1;
	/* on the bound passes */
	s.disparate_impact = 0.8;
	cr_assert_eq(prep_fairness_check(&s, &g), 0);
	s.disparate_impact = 0.79999999;
	cr_assert_eq(prep_fairness_check(&s, &g), PREP_FAIRNESS_FAIL_DI);
	s.disparate_impact = 1.25; /* unprivileged favoured: passes */
	cr_assert_eq(prep_fairness_check(&s, &g), 0);
	s.statistical_parity_difference = 0.2000001;
	cr_assert_eq(prep_fairness_check(&s, &g), PREP_FAIRNESS_FAIL_SPD);
	s.statistical_parity_difference = -0.2000001;
	cr_assert_eq(prep_fairness_check(&s, &g), PREP_FAIRNESS_FAIL_SPD);
	s.statistical_parity_difference = 0;
	s.equal_opportunity_difference = -0.11;
	cr_assert_eq(prep_fairness_check(&s, &g), PREP_FAIRNESS_FAIL_EOD);
	/* NA fails every gate on it */
	s.disparate_impact = NAN;
	s.statistical_parity_difference = NAN;
	s.equal_opportunity_difference = NAN;
	cr_assert_eq(prep_fairness_check(&s, &g), PREP_FAIRNESS_FAIL_DI |
						      PREP_FAIRNESS_FAIL_SPD |
						      PREP_FAIRNESS_FAIL_EOD);
	/* only the gates set are checked */
	g.min_di_set = g.max_eod_set = 0;
	cr_assert_eq(prep_fairness_check(&s, &g), PREP_FAIRNESS_FAIL_SPD);
}

/*
 * Gates allow gate.h's slack of 1e-12 (absolute below 1): a metric on its
 * bound up to rounding passes, one really past it fails.
 */
Test(fairness, check_slack)
{
	prep_fairness_summary s = {nextafter(1, 0), 1.1102230246251565e-16,
				   -1e-13, 0, 0};
	prep_fairness_gates g = {1, 1, 1, 1, 0, 0};

	cr_assert_eq(prep_fairness_check(&s, &g), 0);
	s.disparate_impact = 0.99999999999;
	s.statistical_parity_difference = 2e-12;
	s.equal_opportunity_difference = -2e-12;
	cr_assert_eq(prep_fairness_check(&s, &g), PREP_FAIRNESS_FAIL_DI |
						      PREP_FAIRNESS_FAIL_SPD |
						      PREP_FAIRNESS_FAIL_EOD);
}

/*
 * Compensated sums: 10^6 weights of 0.1 (not exact in binary) make 10^5
 * to within an ulp or two, where a plain running sum is off by about
 * 1e-6; a rate of equal weights is then the exact fraction.
 */
Test(fairness, compensated_sums)
{
	static const char *const pos[] = {"A", "1", "0.1"};
	static const char *const neg[] = {"A", "0", "0.1"};
	prep_fairness_rates r;

	table(1, 0, 1, 0);
	for (int i = 0; i < 1000000; i++)
		cr_assert_eq(add(i % 4 ? neg : pos, 3), PREP_OK);
	r = rates_of(0);
	cr_assert(fabs(r.w - 100000) <= 1e-10, "w %.17g", r.w);
	NEAR(r.base_rate, 0.25);
}

/* ---- reports ---- */

static const prep_field name_g[] = {{"g", 1}};

/*
 * The table of `three` (counts in its comment), rates to 10 significant
 * digits: 2/3 = 0.6666666667, 1/3 = 0.3333333333; C's tpr is NA.
 */
Test(fairness, report_table)
{
	table(1, 1, 0, 0);
	LOAD(three);
	cr_assert_eq(prep_fairness_report_table(fa, name_g, report_open()),
		     PREP_OK);
	cr_assert_str_eq(report_text(),
			 "g,n,base_rate,selection_rate,tpr,fpr,precision\n"
			 "A,5,0.6,0.6,0.6666666667,0.5,0.6666666667\n"
			 "B,4,0.25,0.5,1,0.3333333333,0.5\n"
			 "C,2,0,0.5,NA,0.5,0\n");
}

/*
 * Without a prediction column, two rates; without names, no header
 * record; values are CSV fields of the writer's dialect (quoted as they
 * need). Rows (g, h, y): ("a,b", "x\"y", 1), ("a,b", "x\"y", 0),
 * ("", "z", 0): groups of 2 rows, base 1/2, and of 1 row, base 0.
 */
Test(fairness, report_table_dataset_no_header)
{
	static const char *const t[][3] = {
	    {"a,b", "x\"y", "1"}, {"a,b", "x\"y", "0"}, {"", "z", "0"}};

	table(2, 0, 0, 0);
	LOAD(t);
	cr_assert_eq(prep_fairness_report_table(fa, NULL, report_open()),
		     PREP_OK);
	cr_assert_str_eq(report_text(), "\"a,b\",\"x\"\"y\",2,0.5,0.5\n"
					",z,1,0,0\n");
}

/*
 * The metrics of `three` with A privileged: the rest (B and C) has 6
 * rows, y+ 1, y- 5, p+ 3, tp 1, fp 2, so SR 1/2, TPR 1, FPR 2/5; A has
 * SR 3/5, TPR 2/3, FPR 1/2.
 *   DI 0.5 / 0.6 = 0.8333333333   SPD 0.5 - 0.6 = -0.1
 *   EOD 1 - 2/3 = 0.3333333333     AOD ((0.4 - 0.5) + 1/3) / 2 = 0.1166666667
 *   EqOD max(1/3, 0.1) = 0.3333333333
 */
Test(fairness, report_metrics)
{
	prep_fairness_gates g;
	prep_fairness_summary s;

	table(1, 1, 0, 0);
	LOAD(three);
	s = summary(0);
	memset(&g, 0, sizeof g);
	report_file = tmpfile();
	cr_assert_not_null(report_file);
	cr_assert_eq(prep_fairness_report_metrics(report_file, &s, &g),
		     PREP_OK);
	cr_assert_str_eq(report_text(),
			 "disparate_impact: 0.8333333333\n"
			 "statistical_parity_difference: -0.1\n"
			 "equal_opportunity_difference: 0.3333333333\n"
			 "average_odds_difference: 0.1166666667\n"
			 "equalized_odds_difference: 0.3333333333\n");

	/* a gate set: satisfied, yes or no */
	g.min_di_set = 1;
	g.min_di = 0.8;
	report_file = tmpfile();
	cr_assert_not_null(report_file);
	cr_assert_eq(prep_fairness_report_metrics(report_file, &s, &g),
		     PREP_OK);
	cr_assert(strstr(report_text(), "\nequalized_odds_difference: "
					"0.3333333333\nsatisfied: yes\n"));
	g.min_di = 0.9;
	report_file = tmpfile();
	cr_assert_not_null(report_file);
	cr_assert_eq(prep_fairness_report_metrics(report_file, &s, &g),
		     PREP_OK);
	cr_assert(strstr(report_text(), "\nequalized_odds_difference: "
					"0.3333333333\nsatisfied: no\n"));
}

/* NA metrics, as over the groups of a dataset where one SR is 0. */
Test(fairness, report_metrics_na)
{
	/* (g, y): A 2 rows y+ 1, B 1 row y+ 0: SR 1/2 and 0 */
	static const char *const t[][2] = {{"A", "1"}, {"B", "0"}, {"A", "0"}};
	prep_fairness_gates g = {0, 1, 0, 0, 0.4, 0};
	prep_fairness_summary s;

	table(1, 0, 0, 0);
	LOAD(t);
	s = summary(-1);
	report_file = tmpfile();
	cr_assert_not_null(report_file);
	cr_assert_eq(prep_fairness_report_metrics(report_file, &s, &g),
		     PREP_OK);
	/* DI 0 / 0.5 = 0, SPD 0.5 - 0 = 0.5 > 0.4: the gate fails */
	cr_assert_str_eq(report_text(), "disparate_impact: 0\n"
					"statistical_parity_difference: 0.5\n"
					"equal_opportunity_difference: NA\n"
					"average_odds_difference: NA\n"
					"equalized_odds_difference: NA\n"
					"satisfied: no\n");
}

/*
 * The JSON report of `three`, A privileged (metrics as in
 * report_metrics), reals to 15 significant digits: 2/3 =
 * 0.666666666666667, 1/3 = 0.333333333333333, 0.5 / 0.6 =
 * 0.833333333333333, 0.7 / 6 = 0.116666666666667; whole numbers as
 * integers, NA as null; "satisfied" last, as a gate is set.
 */
Test(fairness, report_json)
{
	prep_fairness_gates g = {1, 0, 0, 0.9, 0, 0};
	prep_fairness_summary s;

	table(1, 1, 0, 0);
	LOAD(three);
	s = summary(0);
	cr_assert_eq(
	    prep_fairness_report_json(fa, name_g, &s, &g, report_open()),
	    PREP_OK);
	cr_assert_str_eq(
	    report_text(),
	    "{\"disparate_impact\":0.833333333333333,"
	    "\"statistical_parity_difference\":-0.1,"
	    "\"equal_opportunity_difference\":0.333333333333333,"
	    "\"average_odds_difference\":0.116666666666667,"
	    "\"equalized_odds_difference\":0.333333333333333,"
	    "\"groups\":["
	    "{\"g\":\"A\",\"n\":5,\"base_rate\":0.6,\"selection_rate\":0.6,"
	    "\"tpr\":0.666666666666667,\"fpr\":0.5,"
	    "\"precision\":0.666666666666667},"
	    "{\"g\":\"B\",\"n\":4,\"base_rate\":0.25,\"selection_rate\":0.5,"
	    "\"tpr\":1,\"fpr\":0.333333333333333,\"precision\":0.5},"
	    "{\"g\":\"C\",\"n\":2,\"base_rate\":0,\"selection_rate\":0.5,"
	    "\"tpr\":null,\"fpr\":0.5,\"precision\":0}],"
	    "\"satisfied\":false}\n");
}

/*
 * Without a prediction column two rates, without a gate no "satisfied";
 * keys are the names given (numbers without a header), values strings
 * with JSON's escapes. Rows (1, 2, y): ("x\"y", "A", 1), ("x\"y", "A",
 * 0), ("B", "", 0): SR 1/2 and 0, so DI 0, SPD 0.5, the rest null.
 */
Test(fairness, report_json_dataset)
{
	static const char *const t[][3] = {
	    {"x\"y", "A", "1"}, {"x\"y", "A", "0"}, {"B", "", "0"}};
	static const prep_field names[] = {{"1", 1}, {"2", 1}};
	prep_fairness_gates g;
	prep_fairness_summary s;

	memset(&g, 0, sizeof g);
	table(2, 0, 0, 0);
	LOAD(t);
	s = summary(-1);
	cr_assert_eq(
	    prep_fairness_report_json(fa, names, &s, &g, report_open()),
	    PREP_OK);
	cr_assert_str_eq(report_text(),
			 "{\"disparate_impact\":0,"
			 "\"statistical_parity_difference\":0.5,"
			 "\"equal_opportunity_difference\":null,"
			 "\"average_odds_difference\":null,"
			 "\"equalized_odds_difference\":null,"
			 "\"groups\":["
			 "{\"1\":\"x\\\"y\",\"2\":\"A\",\"n\":2,"
			 "\"base_rate\":0.5,\"selection_rate\":0.5},"
			 "{\"1\":\"B\",\"2\":\"\",\"n\":1,"
			 "\"base_rate\":0,\"selection_rate\":0}]}\n");
}

/* No table (an input without columns): no groups, every metric null. */
Test(fairness, report_json_without_table)
{
	prep_fairness_gates g = {0, 0, 1, 0, 0, 0.1};
	prep_fairness_summary s = {NAN, NAN, NAN, NAN, NAN};

	cr_assert_eq(
	    prep_fairness_report_json(NULL, NULL, &s, &g, report_open()),
	    PREP_OK);
	cr_assert_str_eq(report_text(),
			 "{\"disparate_impact\":null,"
			 "\"statistical_parity_difference\":null,"
			 "\"equal_opportunity_difference\":null,"
			 "\"average_odds_difference\":null,"
			 "\"equalized_odds_difference\":null,"
			 "\"groups\":[],\"satisfied\":false}\n");
}

static prep_status
json_names(const char *const *s, const size_t *len, size_t n, size_t *bad,
	   size_t *other)
{
	prep_field f[4];

	cr_assert_leq(n, 4);
	for (size_t i = 0; i < n; i++) {
		f[i].data = s[i];
		f[i].len = len ? len[i] : strlen(s[i]);
	}
	*bad = *other = 99;
	return prep_fairness_json_names(f, n, bad, other);
}

Test(fairness, json_names)
{
	static const char *const ok[] = {"g", "h", "rate", "N"};
	static const char *const n[] = {"g", "n"};
	static const char *const tpr[] = {"tpr"};
	static const char *const twice[] = {"a", "b", "a"};
	static const char *const bytes[] = {"ok", "\xff"};
	static const char *const nul[] = {"a\0b"};
	static const size_t nul_len[] = {3};
	static const char *const first[] = {"\xc3(", "n"};
	size_t bad, other;

	cr_assert_eq(json_names(ok, NULL, 4, &bad, &other), PREP_OK);
	cr_assert_eq(json_names(n, NULL, 2, &bad, &other), PREP_ERR_ARG);
	cr_assert_eq(bad, 1);
	cr_assert_eq(other, 2);
	/* a rate's name, also where the table would not have it */
	cr_assert_eq(json_names(tpr, NULL, 1, &bad, &other), PREP_ERR_ARG);
	cr_assert_eq(bad, 0);
	cr_assert_eq(other, 1);
	cr_assert_eq(json_names(twice, NULL, 3, &bad, &other), PREP_ERR_ARG);
	cr_assert_eq(bad, 2);
	cr_assert_eq(other, 0);
	cr_assert_eq(json_names(bytes, NULL, 2, &bad, &other), PREP_ERR_UTF8);
	cr_assert_eq(bad, 1);
	cr_assert_eq(json_names(nul, nul_len, 1, &bad, &other), PREP_ERR_UTF8);
	cr_assert_eq(bad, 0);
	cr_assert_eq(json_names(first, NULL, 2, &bad, &other), PREP_ERR_UTF8);
	cr_assert_eq(bad, 0);
}

Test(fairness, json_group)
{
	static const char *const t[][3] = {
	    {"A", "\xc3\xa9", "1"}, {"A", "\xc3(", "0"}, {"A", "a\0b", "0"}};
	size_t bad = 99;

	table(2, 0, 0, 0);
	LOAD(t);
	cr_assert_eq(prep_fairness_json_group(fa, 0, &bad), PREP_OK);
	cr_assert_eq(prep_fairness_json_group(fa, 1, &bad), PREP_ERR_UTF8);
	cr_assert_eq(bad, 1);
	/* strlen cuts "a\0b" to "a": a group of its own, and text */
	cr_assert_eq(prep_fairness_json_group(fa, 2, &bad), PREP_OK);
	cr_assert_eq(prep_fairness_json_group(fa, 3, &bad), PREP_ERR_ARG);
}

/* ---- groups named by text (--privileged) ---- */

static void
assert_reading(const prep_field *v, size_t n, const char *const *want)
{
	cr_assert_not_null(v);
	for (size_t i = 0; i < n; i++)
		cr_assert(v[i].len == strlen(want[i]) &&
			      memcmp(v[i].data, want[i], v[i].len) == 0,
			  "value %zu: got '%.*s', want '%s'", i, (int)v[i].len,
			  v[i].data, want[i]);
}

Test(fairness, name_parse)
{
	static const char *const whole[] = {"Smith, J:r"};
	static const char *const colon[] = {"a", "b,c"};
	static const char *const comma[] = {"a:b", "c"};
	prep_fairness_name n;

	/* one column: the text as it stands, in the one reading */
	cr_assert_eq(prep_fairness_name_parse("Smith, J:r", 1, &n), PREP_OK);
	cr_assert_null(n.colon);
	assert_reading(n.comma, 1, whole);
	prep_fairness_name_free(&n);
	/* two columns, both ways: the first separator splits */
	cr_assert_eq(prep_fairness_name_parse("a:b,c", 2, &n), PREP_OK);
	assert_reading(n.colon, 2, colon);
	assert_reading(n.comma, 2, comma);
	prep_fairness_name_free(&n);
	/* one way only */
	cr_assert_eq(prep_fairness_name_parse("a:b", 2, &n), PREP_OK);
	cr_assert_null(n.comma);
	prep_fairness_name_free(&n);
	/* neither: fewer separators than columns - 1 */
	cr_assert_eq(prep_fairness_name_parse("a:b", 3, &n), PREP_ERR_VALUE);
	cr_assert_null(n.colon);
	cr_assert_null(n.comma);
}

/*
 * Groups (a, b) of rows ("p", "q,r"), ("p:q", "r"), ("x", "y"): the name
 * "p:q,r" reads both ways and names two groups; "x:y" and "x,y" name
 * the third; "p,q,r" reads one way only, ("p", "q,r"): the first; "x:z"
 * names none.
 */
Test(fairness, name_find)
{
	static const char *const t[][3] = {
	    {"p", "q,r", "1"}, {"p:q", "r", "0"}, {"x", "y", "0"}};
	prep_fairness_name n;
	size_t id = 99;

	table(2, 0, 0, 0);
	LOAD(t);
	cr_assert_eq(prep_fairness_name_parse("p:q,r", 2, &n), PREP_OK);
	cr_assert_eq(prep_fairness_name_find(fa, &n, &id), PREP_ERR_ARG);
	prep_fairness_name_free(&n);
	cr_assert_eq(prep_fairness_name_parse("x:y", 2, &n), PREP_OK);
	cr_assert_eq(prep_fairness_name_find(fa, &n, &id), PREP_OK);
	cr_assert_eq(id, 2);
	prep_fairness_name_free(&n);
	id = 99;
	cr_assert_eq(prep_fairness_name_parse("x,y", 2, &n), PREP_OK);
	cr_assert_eq(prep_fairness_name_find(fa, &n, &id), PREP_OK);
	cr_assert_eq(id, 2);
	prep_fairness_name_free(&n);
	cr_assert_eq(prep_fairness_name_parse("p,q,r", 2, &n), PREP_OK);
	cr_assert_eq(prep_fairness_name_find(fa, &n, &id), PREP_OK);
	cr_assert_eq(id, 0);
	prep_fairness_name_free(&n);
	cr_assert_eq(prep_fairness_name_parse("x:z", 2, &n), PREP_OK);
	cr_assert_eq(prep_fairness_name_find(fa, &n, &id), PREP_ERR_NOT_FOUND);
	prep_fairness_name_free(&n);
}
