/*
 * test_fairness_repr.c: unit tests of libprep/fairness_repr.c, a
 * sample's groups against a population's shares.
 *
 * Written from the definitions (fairness_repr.h). The counts are small
 * enough to do by hand (in the comments); chi2 and p_value were computed
 * apart with scipy 1.10.1: scipy.stats.chisquare(f_obs, f_exp) for the
 * statistic and its p-value, scipy.stats.chi2.sf(x, df) for the upper
 * tail the p-value is, which prep_chi2_sf (drift_stats.h) computes from
 * the regularized upper incomplete gamma function, Q(df/2, x/2).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "drift_stats.h"
#include "fairness_repr.h"
#include "report_capture.h"

static prep_repr *rp;

static void
teardown(void)
{
	prep_repr_free(rp);
	rp = NULL;
}

TestSuite(repr, .fini = teardown);

static const size_t g0[] = {0};

/* Rows of one column, the group's value. */
static void
rows(prep_repr *r, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		prep_field f = {v[i], strlen(v[i])};

		cr_assert_eq(prep_repr_add(r, &f, i), PREP_OK);
	}
}

static void
pop(prep_repr *r, const char *v, double share, unsigned long line)
{
	prep_field f = {v, strlen(v)};

	cr_assert_eq(prep_repr_population_add(r, &f, share, line, NULL),
		     PREP_OK);
}

/* A: 3 rows, B: 4, C: 1 (n = 8), in the order B C A. */
static const char *const sample[] = {"B", "C", "A", "B", "A", "B", "A", "B"};

/*
 * Against shares A 1/4, B 1/2, C 1/4: expected 2, 4, 2; chi2 =
 * 1/2 + 0 + 1/2 = 1, df 2; scipy.stats.chisquare([3, 4, 1], [2, 4, 2])
 * = (1.0, 0.6065306597126334). tvd = (1/8 + 0 + 1/8) / 2.
 */
Test(repr, figures)
{
	prep_repr_summary s;
	prep_repr_group g;
	prep_field v;

	cr_assert_eq(prep_repr_new(g0, 1, &rp), PREP_OK);
	pop(rp, "A", 0.25, 2);
	pop(rp, "B", 0.5, 3);
	pop(rp, "C", 0.25, 4);
	rows(rp, sample, 8);
	cr_assert_eq(prep_repr_finish(rp, &s), PREP_OK);
	cr_assert_eq(s.n, 8);
	cr_assert_eq(s.chi2, 1);
	cr_assert_eq(s.df, 2);
	cr_assert_float_eq(s.p_value, 0.6065306597126334, 1e-15);
	cr_assert_eq(s.tvd, 0.125);
	cr_assert_eq(s.min_ratio, 0.5);
	cr_assert_eq(s.unlisted, 0);
	cr_assert_eq(s.absent, 0);
	cr_assert_eq(prep_repr_groups(rp), 3);
	/* the population's order, not the sample's */
	cr_assert_eq(prep_repr_group_at(rp, 0, &g, &v), PREP_OK);
	cr_assert(v.len == 1 && v.data[0] == 'A');
	cr_assert_eq(g.count, 3);
	cr_assert_eq(g.sample_share, 0.375);
	cr_assert_eq(g.population_share, 0.25);
	cr_assert_eq(g.ratio, 1.5);
	cr_assert_eq(g.difference, 0.125);
	cr_assert_eq(prep_repr_group_at(rp, 2, &g, &v), PREP_OK);
	cr_assert(v.len == 1 && v.data[0] == 'C');
	cr_assert_eq(g.ratio, 0.5);
	cr_assert_eq(g.difference, -0.125);
	cr_assert_eq(prep_repr_group_at(rp, 3, &g, &v), PREP_ERR_ARG);
}

/*
 * Against A .5, B .3, D .2: C is not listed (share 0, ratio NA, chi2
 * and p_value NA: its expected count is 0), D has no row (count 0,
 * ratio 0); df 2 (three shares > 0). tvd = (|.375 - .5| + |.5 - .3| +
 * |0 - .2| + |.125 - 0|) / 2 = .325; the lowest ratio D's, 0. The table:
 * A B D, then C.
 */
Test(repr, unlisted_and_absent)
{
	prep_repr_summary s;
	prep_repr_group g;
	prep_field v;

	cr_assert_eq(prep_repr_new(g0, 1, &rp), PREP_OK);
	pop(rp, "A", 0.5, 2);
	pop(rp, "B", 0.3, 3);
	pop(rp, "D", 0.2, 4);
	rows(rp, sample, 8);
	cr_assert_eq(prep_repr_finish(rp, &s), PREP_OK);
	cr_assert(isnan(s.chi2));
	cr_assert(isnan(s.p_value));
	cr_assert_eq(s.df, 2);
	cr_assert_float_eq(s.tvd, 0.325, 1e-15);
	cr_assert_eq(s.min_ratio, 0);
	cr_assert_eq(s.unlisted, 1);
	cr_assert_eq(s.absent, 1);
	cr_assert_eq(prep_repr_group_at(rp, 2, &g, &v), PREP_OK);
	cr_assert(v.data[0] == 'D' && g.count == 0 && g.ratio == 0);
	cr_assert_eq(g.sample_share, 0);
	cr_assert_float_eq(g.difference, -0.2, 1e-17);
	cr_assert_eq(prep_repr_group_at(rp, 3, &g, &v), PREP_OK);
	cr_assert(v.data[0] == 'C' && g.count == 1 && !g.listed);
	cr_assert_eq(g.population_share, 0);
	cr_assert(isnan(g.ratio));
	cr_assert_eq(g.difference, 0.125);
	/* the gate: D's ratio 0 fails; C's NA is no share to fall short
	 * of */
	prep_repr_gates gt = {1, 0, 0.5, 0};
	cr_assert_eq(prep_repr_check(&s, &gt), PREP_REPR_FAIL_RATIO);
	cr_assert_eq(prep_repr_group_fails(&g, &gt), 0);
}

/* No rows: every share and ratio, tvd, chi2 NA; every gate fails. */
Test(repr, no_rows)
{
	prep_repr_summary s;
	prep_repr_group g;
	prep_repr_gates gt = {1, 1, 0, 1};

	cr_assert_eq(prep_repr_new(g0, 1, &rp), PREP_OK);
	pop(rp, "A", 1, 2);
	cr_assert_eq(prep_repr_finish(rp, &s), PREP_OK);
	cr_assert(isnan(s.tvd) && isnan(s.chi2) && isnan(s.p_value));
	cr_assert(isnan(s.min_ratio));
	cr_assert_eq(s.df, 0);
	cr_assert_eq(prep_repr_group_at(rp, 0, &g, NULL), PREP_OK);
	cr_assert(isnan(g.sample_share) && isnan(g.ratio));
	cr_assert_eq(prep_repr_check(&s, &gt),
		     PREP_REPR_FAIL_RATIO | PREP_REPR_FAIL_TVD);
}

/* df 0 (one group): chi2 0, no p-value. */
Test(repr, one_group)
{
	prep_repr_summary s;
	static const char *const a[] = {"A", "A"};

	cr_assert_eq(prep_repr_new(g0, 1, &rp), PREP_OK);
	pop(rp, "A", 1, 2);
	rows(rp, a, 2);
	cr_assert_eq(prep_repr_finish(rp, &s), PREP_OK);
	cr_assert_eq(s.chi2, 0);
	cr_assert_eq(s.df, 0);
	cr_assert(isnan(s.p_value));
	cr_assert_eq(s.tvd, 0);
}

/* A group listed twice: refused, naming the first line. */
Test(repr, duplicate)
{
	prep_field f = {"A", 1};
	unsigned long first = 0;

	cr_assert_eq(prep_repr_new(g0, 1, &rp), PREP_OK);
	pop(rp, "A", 0.5, 7);
	cr_assert_eq(prep_repr_population_add(rp, &f, 0.5, 9, &first),
		     PREP_ERR_ARG);
	cr_assert_eq(first, 7);
}

/* Two group columns: a tuple ("a", "bc") is not ("ab", "c"). */
Test(repr, tuples)
{
	static const size_t g01[] = {0, 1};
	prep_field t1[2] = {{"a", 1}, {"bc", 2}}, t2[2] = {{"ab", 2}, {"c", 1}};
	prep_repr_summary s;
	prep_repr_group g;
	prep_field v[2];

	cr_assert_eq(prep_repr_new(g01, 2, &rp), PREP_OK);
	cr_assert_eq(prep_repr_population_add(rp, t1, 0.5, 2, NULL), PREP_OK);
	cr_assert_eq(prep_repr_population_add(rp, t2, 0.5, 3, NULL), PREP_OK);
	cr_assert_eq(prep_repr_add(rp, t2, 0), PREP_OK);
	cr_assert_eq(prep_repr_add(rp, t2, 1), PREP_OK);
	cr_assert_eq(prep_repr_add(rp, t1, 2), PREP_OK);
	cr_assert_eq(prep_repr_finish(rp, &s), PREP_OK);
	cr_assert_eq(prep_repr_group_at(rp, 1, &g, v), PREP_OK);
	cr_assert_eq(g.count, 2);
	cr_assert(v[0].len == 2 && memcmp(v[0].data, "ab", 2) == 0);
	cr_assert(v[1].len == 1 && v[1].data[0] == 'c');
}

/*
 * Tables of parts merged: the counts of the whole, and the sample's
 * unlisted groups in the order of their first rows (places), whichever
 * part saw them.
 */
Test(repr, merge)
{
	prep_repr *b;
	prep_repr_summary s;
	prep_repr_group g;
	prep_field f[] = {{"X", 1}, {"Y", 1}, {"A", 1}}, v;

	cr_assert_eq(prep_repr_new(g0, 1, &rp), PREP_OK);
	cr_assert_eq(prep_repr_new(g0, 1, &b), PREP_OK);
	pop(rp, "A", 1, 2);
	/* rows 0 A, 1 Y (part a); 2 X, 3 Y, 4 A (part b) */
	cr_assert_eq(prep_repr_add(rp, &f[2], 0), PREP_OK);
	cr_assert_eq(prep_repr_add(rp, &f[1], 1), PREP_OK);
	cr_assert_eq(prep_repr_add(b, &f[0], 2), PREP_OK);
	cr_assert_eq(prep_repr_add(b, &f[1], 3), PREP_OK);
	cr_assert_eq(prep_repr_add(b, &f[2], 4), PREP_OK);
	cr_assert_eq(prep_repr_merge(rp, b), PREP_OK);
	prep_repr_free(b);
	cr_assert_eq(prep_repr_finish(rp, &s), PREP_OK);
	cr_assert_eq(s.n, 5);
	cr_assert_eq(prep_repr_group_at(rp, 0, &g, &v), PREP_OK);
	cr_assert_eq(g.count, 2);
	cr_assert_eq(prep_repr_group_at(rp, 1, &g, &v), PREP_OK);
	cr_assert(v.data[0] == 'Y' && g.count == 2); /* first at row 1 */
	cr_assert_eq(prep_repr_group_at(rp, 2, &g, &v), PREP_OK);
	cr_assert(v.data[0] == 'X' && g.count == 1);
}

/*
 * The upper tail of chi-squared, the p-value, against
 * scipy.stats.chi2.sf(x, df) (scipy 1.10.1), relative 1e-12.
 */
Test(repr, chi2_sf_against_scipy)
{
	static const struct {
		double x, df, want;
	} k[] = {
	    {0.5, 1, 0.47950012218695337},    {3.0, 2, 0.22313016014842982},
	    {7.0, 4, 0.13588822540043327},    {12.5, 3, 0.005852662593326735},
	    {50, 30, 0.01240206071890054},    {1e-3, 5, 0.9999999983185123},
	    {100, 1, 1.5239706048320995e-23}, {9746.04742425092, 4, 0.0},
	};

	for (size_t i = 0; i < sizeof k / sizeof *k; i++) {
		double got = prep_chi2_sf(k[i].x, k[i].df);

		cr_assert(fabs(got - k[i].want) <= 1e-12 * k[i].want,
			  "chi2.sf(%g, %g) = %.17g, scipy %.17g", k[i].x,
			  k[i].df, got, k[i].want);
	}
}

/* ---- the population file ---- */

static char path[64];

/* A temporary population file holding text. */
static const char *
file(const char *text)
{
	int fd;

	strcpy(path, "/tmp/test_repr.XXXXXX");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static const prep_field race[] = {{"race", 4}};

/* Load text as the population of one group column named race. */
static prep_status
load(const char *text, prep_repr_fault *f)
{
	prep_csv_options o;
	prep_status st;

	prep_csv_options_init(&o);
	prep_repr_free(rp);
	cr_assert_eq(prep_repr_new(g0, 1, &rp), PREP_OK);
	st = prep_repr_population_load(rp, file(text), &o, race, f);
	unlink(path);
	return st;
}

Test(repr, load)
{
	prep_repr_fault f;
	prep_repr_summary s;
	prep_repr_group g;
	prep_field v;

	/* other columns ignored, a quoted value, shares as numbers */
	cr_assert_eq(load("source,share,race\n"
			  "census,.25,\"A,1\"\n"
			  "census,7.5e-1,B\n",
			  &f),
		     PREP_OK);
	cr_assert_eq(prep_repr_population_groups(rp), 2);
	cr_assert_eq(prep_repr_finish(rp, &s), PREP_OK);
	cr_assert_eq(prep_repr_group_at(rp, 0, &g, &v), PREP_OK);
	cr_assert(v.len == 3 && memcmp(v.data, "A,1", 3) == 0);
	cr_assert_eq(g.population_share, 0.25);
	/* the file's own delimiter, whatever the input's */
	cr_assert_eq(load("race;share\nA;1\n", &f), PREP_OK);
	/* shares within 1e-6 of 1 */
	cr_assert_eq(load("race,share\nA,0.3333333\nB,0.6666666\n", &f),
		     PREP_OK);
}

Test(repr, load_errors)
{
	prep_repr_fault f;

	cr_assert_eq(load("race,pct\nA,1\n", &f), PREP_ERR_COLUMN);
	cr_assert_str_eq(f.why, "no column 'share' in the header (it needs "
				"the group columns and 'share')");
	cr_assert_eq(f.where.line, 1);
	cr_assert_eq(load("sex,share\nA,1\n", &f), PREP_ERR_COLUMN);
	cr_assert_str_eq(f.why, "no column 'race' in the header (it needs "
				"the group columns and 'share')");
	cr_assert_eq(load("race,share,share\nA,1,1\n", &f), PREP_ERR_COLUMN);
	cr_assert_str_eq(f.why, "column 'share' twice in the header");
	cr_assert_eq(f.where.field, 3);

	cr_assert_eq(load("race,share\nA,.5\nB,x5\n", &f), PREP_ERR_VALUE);
	cr_assert_str_eq(f.why, "field 2 (share): not a number");
	cr_assert_eq(f.where.line, 3);
	cr_assert_eq(load("race,share\nA,\nB,1\n", &f), PREP_ERR_VALUE);
	cr_assert_str_eq(f.why, "field 2 (share): empty");
	cr_assert_eq(f.where.line, 2);
	cr_assert_eq(load("race,share\nA,-0.5\nB,1.5\n", &f), PREP_ERR_VALUE);
	cr_assert_str_eq(f.why, "field 2 (share): negative");

	cr_assert_eq(load("race,share\nA,.5\nB,.25\nA,.25\n", &f),
		     PREP_ERR_ARG);
	cr_assert_str_eq(f.why, "the same group as line 2");
	cr_assert_eq(f.where.line, 4);

	cr_assert_eq(load("race,share\nA,.5\nB,.49\n", &f), PREP_ERR_RANGE);
	cr_assert_str_eq(f.why,
			 "the shares add up to 0.99, not 1 (within 1e-6)");
	cr_assert_eq(f.where.line, 0);
	cr_assert_eq(load("race,share\n", &f), PREP_ERR_RANGE);
	cr_assert_str_eq(f.why, "the shares add up to 0, not 1 (within 1e-6)");
	cr_assert_eq(load("", &f), PREP_ERR_NO_HEADER);
	cr_assert_str_eq(f.why, "the file is empty");
	cr_assert_eq(load("race,share\nA,1,2\n", &f), PREP_ERR_RAGGED);
	cr_assert_eq(f.where.line, 2);
}

/* ---- reports ---- */

/* The unlisted_and_absent table above, as CSV, JSON and summary. */
Test(repr, reports)
{
	prep_repr_summary s;
	prep_repr_gates gt = {0, 1, 0, 0.3};

	cr_assert_eq(prep_repr_new(g0, 1, &rp), PREP_OK);
	pop(rp, "A", 0.5, 2);
	pop(rp, "B", 0.3, 3);
	pop(rp, "D", 0.2, 4);
	rows(rp, sample, 8);
	cr_assert_eq(prep_repr_finish(rp, &s), PREP_OK);
	cr_assert_eq(prep_repr_report_table(rp, race, 1, report_open()),
		     PREP_OK);
	cr_assert_str_eq(report_text(),
			 "race,count,sample_share,population_share,"
			 "representation_ratio,difference\n"
			 "A,3,0.375,0.5,0.75,-0.125\n"
			 "B,4,0.5,0.3,1.666666667,0.2\n"
			 "D,0,0,0.2,0,-0.2\n"
			 "C,1,0.125,0,NA,0.125\n");
	cr_assert_eq(prep_repr_report_json(rp, race, &s, &gt, report_open()),
		     PREP_OK);
	cr_assert_str_eq(
	    report_text(),
	    "{\"chi2\":null,\"df\":2,\"p_value\":null,\"tvd\":0.325,"
	    "\"groups\":[{\"race\":\"A\",\"count\":3,\"sample_share\":0.375,"
	    "\"population_share\":0.5,\"representation_ratio\":0.75,"
	    "\"difference\":-0.125},{\"race\":\"B\",\"count\":4,"
	    "\"sample_share\":0.5,\"population_share\":0.3,"
	    "\"representation_ratio\":1.66666666666667,\"difference\":0.2},"
	    "{\"race\":\"D\",\"count\":0,\"sample_share\":0,"
	    "\"population_share\":0.2,\"representation_ratio\":0,"
	    "\"difference\":-0.2},{\"race\":\"C\",\"count\":1,"
	    "\"sample_share\":0.125,\"population_share\":0,"
	    "\"representation_ratio\":null,\"difference\":0.125}],"
	    "\"satisfied\":false}\n");
	report_file = tmpfile();
	cr_assert_eq(prep_repr_report_summary(report_file, &s, &gt), PREP_OK);
	cr_assert_str_eq(report_text(), "chi2: NA\n"
					"df: 2\n"
					"p_value: NA\n"
					"tvd: 0.325\n"
					"satisfied: no\n");
}

/* JSON keys: the group columns may not be named like the table's. */
Test(repr, json_names)
{
	prep_field n[] = {{"race", 4}, {"count", 5}, {"race", 4}};
	size_t bad = 9;

	cr_assert_eq(prep_repr_json_names(n, 1, &bad), PREP_OK);
	cr_assert_eq(prep_repr_json_names(n, 2, &bad), PREP_ERR_ARG);
	cr_assert_eq(bad, 1);
	n[1].data = "sex";
	n[1].len = 3;
	cr_assert_eq(prep_repr_json_names(n, 3, &bad), PREP_ERR_ARG);
	cr_assert_eq(bad, 2);
	n[0].data = "\xff";
	n[0].len = 1;
	cr_assert_eq(prep_repr_json_names(n, 1, &bad), PREP_ERR_UTF8);
}
