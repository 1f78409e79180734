/*
 * test_fairness_proxies.c: unit tests of libprep/fairness_proxies.c, the
 * association of each column with a protected attribute.
 *
 * Written from the definitions (fairness_proxies.h), not from the
 * implementation. The expected figures of the table `eight` were
 * computed apart with Python 3 (numpy 1.24, pandas 1.5): the crosstab by
 * pandas.crosstab, then Bergsma's formula, the entropies and the mutual
 * information by hand from it, and eta from the group means
 * (pandas.Series.groupby) over the rows whose value is a number:
 *
 *	ct = pd.crosstab(X, A); n = ct.sum(); R, C = row, column sums
 *	chi2 = ((ct - E)^2 / E).sum(), E = outer(R, C) / n
 *	phi2 = max(0, chi2/n - (k-1)(r-1)/(n-1)); k~, r~ likewise
 *	V = sqrt(phi2 / min(k~-1, r~-1)); nmi = I / ((H(X) + H(A)) / 2)
 *	eta = sqrt(sum len(g) (mean(g) - m)^2 / sum (x - m)^2)
 *
 * and are asserted to 1e-12.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "csv.h"
#include "fairness_proxies.h"
#include "report_capture.h"

#define NROWS(t) (sizeof(t) / sizeof((t)[0]))

static prep_proxies *px;

static void
teardown(void)
{
	prep_proxies_free(px);
	px = NULL;
}

TestSuite(proxies, .fini = teardown);

/*
 * g is the protected column; x categorical, y numeric with one missing
 * value, z mixed (numbers and text: categorical).
 *
 *	  x: u v w    y (mean)        z: 1 2 a b
 *	A    2 1 .    1 2 3           A  1 1 1 .
 *	B    . 2 2    10 11 - 12      B  1 1 1 1
 *	C    . . 1    20              C  . . . 1
 */
static const char *const eight[][4] = {
    {"A", "u", "1", "1"},  {"A", "u", "2", "2"},  {"A", "v", "3", "a"},
    {"B", "v", "10", "1"}, {"B", "v", "11", "2"}, {"B", "w", "", "a"},
    {"B", "w", "12", "b"}, {"C", "w", "20", "b"},
};
static const prep_field names4[] = {{"g", 1}, {"x", 1}, {"y", 1}, {"z", 1}};

static void
make(const size_t *prot, size_t np, const size_t *cols, size_t nc,
     size_t max_levels)
{
	prep_proxies_params p;

	memset(&p, 0, sizeof p);
	p.protected = prot;
	p.nprotected = np;
	p.columns = cols;
	p.ncolumns = nc;
	p.max_levels = max_levels;
	p.names = names4;
	prep_proxies_free(px);
	px = NULL;
	cr_assert_eq(prep_proxies_new(&p, &px), PREP_OK);
}

/* Rows [from, to) of a table of 4 columns into x. */
static void
load(prep_proxies *x, const char *const (*t)[4], size_t from, size_t to)
{
	prep_field f[4];

	for (size_t i = from; i < to; i++) {
		for (size_t j = 0; j < 4; j++) {
			f[j].data = t[i][j];
			f[j].len = strlen(t[i][j]);
		}
		cr_assert_eq(prep_proxies_add(x, f), PREP_OK);
	}
}

static const size_t g0[] = {0};
static const size_t xyz[] = {1, 2, 3};

/* The entry of column col in the list. */
static const prep_proxy *
entry(const prep_proxy *list, size_t n, size_t col)
{
	for (size_t i = 0; i < n; i++)
		if (list[i].column == col)
			return &list[i];
	cr_assert_fail("column %zu not in the list", col);
	return NULL;
}

Test(proxies, figures_against_python)
{
	const prep_proxy *l, *e;
	const size_t *sk;
	size_t n, ns;

	make(g0, 1, xyz, 3, 0);
	load(px, eight, 0, NROWS(eight));
	cr_assert_eq(prep_proxies_results(px, &l, &n, &sk, &ns), PREP_OK);
	cr_assert_eq(n, 3);
	cr_assert_eq(ns, 0);
	cr_assert_eq(prep_proxies_rows(px), 8);
	cr_assert_eq(prep_proxies_levels(px), 3);

	e = entry(l, n, 1);
	cr_assert_eq(e->kind, PREP_PROXY_CATEGORICAL);
	cr_assert_eq(e->levels, 3);
	cr_assert_float_eq(e->cramers_v, 0.380058475033046, 1e-12);
	cr_assert_float_eq(e->nmi, 0.4832741472564202, 1e-12);
	cr_assert(isnan(e->eta));
	cr_assert_eq(e->strength, e->cramers_v);

	e = entry(l, n, 2);
	cr_assert_eq(e->kind, PREP_PROXY_NUMERIC);
	cr_assert_eq(e->levels, 8); /* seven numbers and the empty value */
	cr_assert_eq(e->n_eta, 7);
	cr_assert_float_eq(e->eta, 0.9928752273264447, 1e-12);
	cr_assert_float_eq(e->nmi, 0.6381090426950289, 1e-12);
	cr_assert(isnan(e->cramers_v));
	cr_assert_eq(e->strength, e->eta);

	/* mixed: categorical; the bias correction takes phi2 to 0 */
	e = entry(l, n, 3);
	cr_assert_eq(e->kind, PREP_PROXY_CATEGORICAL);
	cr_assert_eq(e->cramers_v, 0);
	cr_assert_float_eq(e->nmi, 0.23821612027435876, 1e-12);

	/* by strength: y (eta .99), x (.38), z (0) */
	cr_assert_eq(l[0].column, 2);
	cr_assert_eq(l[1].column, 1);
	cr_assert_eq(l[2].column, 3);
}

/*
 * A column that is the protected attribute under other names is the
 * strongest possible: V 1 (Bergsma's correction keeps a perfect
 * association at 1 when k = r), nmi 1; its copy with every value
 * renamed, the same.
 */
Test(proxies, copy_of_the_attribute)
{
	static const char *const t[][4] = {
	    {"A", "a", "1", "p"}, {"B", "b", "2", "q"}, {"A", "a", "1", "q"},
	    {"C", "c", "3", "p"}, {"B", "b", "2", "p"}, {"C", "c", "3", "q"},
	};
	const prep_proxy *l;
	const size_t *sk;
	size_t n, ns;

	make(g0, 1, xyz, 3, 0);
	load(px, t, 0, NROWS(t));
	cr_assert_eq(prep_proxies_results(px, &l, &n, &sk, &ns), PREP_OK);
	cr_assert_float_eq(entry(l, n, 1)->cramers_v, 1, 1e-15);
	cr_assert_float_eq(entry(l, n, 1)->nmi, 1, 1e-15);
	cr_assert_float_eq(entry(l, n, 2)->eta, 1, 1e-15);
	/* z: p and q once in each group: independent of g, V 0, I 0 */
	cr_assert_eq(entry(l, n, 3)->cramers_v, 0);
	cr_assert_float_eq(entry(l, n, 3)->nmi, 0, 1e-15);
	/* ties (x and y at 1) by name: x before y */
	cr_assert_eq(l[0].column, 1);
	cr_assert_eq(l[1].column, 2);
	cr_assert_eq(l[2].column, 3);
}

/* Zero denominators: NA, never 0. */
Test(proxies, na)
{
	static const char *const one[][4] = {{"A", "u", "5", "k"}};
	static const char *const flat[][4] = {
	    {"A", "u", "5", "k"}, {"B", "u", "5", "k"}, {"A", "u", "5", "k"}};
	const prep_proxy *l;
	const size_t *sk;
	size_t n, ns, i;

	/* one row: n - 1 = 0 */
	make(g0, 1, xyz, 3, 0);
	load(px, one, 0, 1);
	cr_assert_eq(prep_proxies_results(px, &l, &n, &sk, &ns), PREP_OK);
	for (i = 0; i < n; i++) {
		cr_assert(isnan(l[i].strength));
		cr_assert(isnan(l[i].nmi));
	}
	/* one value each: V's k~ - 1 = 0, eta's total sum of squares 0,
	 * and H(X) = 0 < H(A): nmi 0 */
	make(g0, 1, xyz, 3, 0);
	load(px, flat, 0, NROWS(flat));
	cr_assert_eq(prep_proxies_results(px, &l, &n, &sk, &ns), PREP_OK);
	cr_assert(isnan(entry(l, n, 1)->cramers_v));
	cr_assert(isnan(entry(l, n, 2)->eta));
	cr_assert_eq(entry(l, n, 2)->kind, PREP_PROXY_NUMERIC);
	cr_assert_eq(entry(l, n, 1)->nmi, 0);
	/* no rows at all */
	make(g0, 1, xyz, 3, 0);
	cr_assert_eq(prep_proxies_results(px, &l, &n, &sk, &ns), PREP_OK);
	cr_assert_eq(n, 3);
	cr_assert(isnan(l[0].strength) && isnan(l[0].nmi));
	cr_assert_eq(prep_proxies_check(l, n, &(prep_proxies_gate){1, 0.5}),
		     0); /* NA fails */
}

/* A column past max_levels is skipped, and counted no further. */
Test(proxies, max_levels)
{
	const prep_proxy *l;
	const size_t *sk;
	size_t n, ns;

	make(g0, 1, xyz, 3, 3);
	load(px, eight, 0, NROWS(eight));
	cr_assert_eq(prep_proxies_results(px, &l, &n, &sk, &ns), PREP_OK);
	/* x has 3 values: kept; y 8, z 4: skipped, in the columns' order */
	cr_assert_eq(n, 1);
	cr_assert_eq(l[0].column, 1);
	cr_assert_float_eq(l[0].cramers_v, 0.380058475033046, 1e-12);
	cr_assert_eq(ns, 2);
	cr_assert_eq(sk[0], 2);
	cr_assert_eq(sk[1], 3);
}

/* The protected attribute past max_levels is an error. */
Test(proxies, protected_limit)
{
	prep_field f[4] = {{"A", 1}, {"u", 1}, {"1", 1}, {"1", 1}};

	make(g0, 1, xyz, 3, 2);
	cr_assert_eq(prep_proxies_add(px, f), PREP_OK);
	f[0].data = "B";
	cr_assert_eq(prep_proxies_add(px, f), PREP_OK);
	f[0].data = "C";
	cr_assert_eq(prep_proxies_add(px, f), PREP_ERR_LIMIT);
}

/*
 * Tables of parts, merged, give the figures of the whole table to the
 * bit, whatever the split (the figures are summed in the values' byte
 * order); max_levels judged on the sum.
 */
Test(proxies, merge_is_the_whole)
{
	const prep_proxy *lw, *lm;
	const size_t *sk;
	size_t nw, nm, ns, cut, i;
	prep_proxies_params p;
	prep_proxies *a, *b;

	make(g0, 1, xyz, 3, 0);
	load(px, eight, 0, NROWS(eight));
	cr_assert_eq(prep_proxies_results(px, &lw, &nw, &sk, &ns), PREP_OK);
	memset(&p, 0, sizeof p);
	p.protected = g0;
	p.nprotected = 1;
	p.columns = xyz;
	p.ncolumns = 3;
	p.names = names4;
	for (cut = 0; cut <= NROWS(eight); cut++) {
		cr_assert_eq(prep_proxies_new(&p, &a), PREP_OK);
		cr_assert_eq(prep_proxies_new(&p, &b), PREP_OK);
		/* b gets the second half first: other ids everywhere */
		load(b, eight, cut, NROWS(eight));
		load(a, eight, 0, cut);
		cr_assert_eq(prep_proxies_merge(b, a), PREP_OK);
		cr_assert_eq(prep_proxies_results(b, &lm, &nm, &sk, &ns),
			     PREP_OK);
		cr_assert_eq(nm, nw);
		cr_assert_eq(prep_proxies_rows(b), 8);
		for (i = 0; i < nm; i++) {
			cr_assert_eq(lm[i].column, lw[i].column);
			cr_assert_eq(lm[i].levels, lw[i].levels);
			cr_assert(memcmp(&lm[i].nmi, &lw[i].nmi,
					 sizeof(double)) == 0);
			cr_assert(memcmp(&lm[i].strength, &lw[i].strength,
					 sizeof(double)) == 0);
		}
		prep_proxies_free(a);
		prep_proxies_free(b);
	}
	/* x has 3 values in all, 2 in each half: skipped only in the sum */
	p.max_levels = 2;
	cr_assert_eq(prep_proxies_new(&p, &a), PREP_OK);
	cr_assert_eq(prep_proxies_new(&p, &b), PREP_OK);
	load(a, eight, 0, 3); /* x: u v */
	load(b, eight, 3, 7); /* x: v w */
	cr_assert_eq(prep_proxies_merge(a, b), PREP_OK);
	cr_assert_eq(prep_proxies_results(a, &lm, &nm, &sk, &ns), PREP_OK);
	cr_assert_eq(ns, 3); /* x past 2 only now; y and z before */
	prep_proxies_free(a);
	prep_proxies_free(b);
}

/* Several protected columns are one attribute: their tuple. */
Test(proxies, combined_attribute)
{
	static const size_t g01[] = {0, 1};
	static const size_t c2[] = {2};
	static const char *const t[][4] = {
	    {"A", "u", "p", ""}, {"A", "v", "q", ""}, {"A", "u", "p", ""},
	    {"A", "v", "q", ""}, {"B", "u", "r", ""}, {"B", "u", "r", ""},
	};
	const prep_proxy *l;
	const size_t *sk;
	size_t n, ns;

	make(g01, 2, c2, 1, 0);
	load(px, t, 0, NROWS(t));
	cr_assert_eq(prep_proxies_results(px, &l, &n, &sk, &ns), PREP_OK);
	cr_assert_eq(prep_proxies_levels(px), 3); /* Au, Av, Bu */
	/* p, q, r are the three levels themselves */
	cr_assert_float_eq(l[0].cramers_v, 1, 1e-15);
	cr_assert_float_eq(l[0].nmi, 1, 1e-15);
}

/* A candidate that is a protected column is refused. */
Test(proxies, arguments)
{
	prep_proxies_params p;
	prep_proxies *x = NULL;
	static const size_t c0[] = {0};

	memset(&p, 0, sizeof p);
	p.protected = g0;
	p.nprotected = 0;
	cr_assert_eq(prep_proxies_new(&p, &x), PREP_ERR_ARG);
	p.nprotected = 1;
	p.columns = c0;
	p.ncolumns = 1;
	cr_assert_eq(prep_proxies_new(&p, &x), PREP_ERR_ARG);
	p.columns = xyz;
	p.max_levels = PREP_PROXIES_MAX_LEVELS + 1;
	cr_assert_eq(prep_proxies_new(&p, &x), PREP_ERR_ARG);
	cr_assert_null(x);
}

/* ---- reports ---- */

/* The figures of `eight` (above) to 10 digits in the table. */
Test(proxies, reports)
{
	const prep_proxy *l;
	const size_t *sk;
	size_t n, ns;
	prep_proxies_gate g = {1, 0.5};

	make(g0, 1, xyz, 3, 4);
	load(px, eight, 0, NROWS(eight));
	cr_assert_eq(prep_proxies_results(px, &l, &n, &sk, &ns), PREP_OK);
	cr_assert_eq(prep_proxies_report_table(l, n, names4, 1, report_open()),
		     PREP_OK);
	cr_assert_str_eq(report_text(),
			 "column,kind,levels,cramers_v,eta,nmi,strength\n"
			 "x,categorical,3,0.380058475,NA,0.4832741473,"
			 "0.380058475\n"
			 "z,categorical,4,0,NA,0.2382161203,0\n");
	cr_assert_eq(
	    prep_proxies_report_json(l, n, sk, ns, names4, &g, report_open()),
	    PREP_OK);
	cr_assert_str_eq(
	    report_text(),
	    "{\"strongest\":\"x\",\"strength\":0.380058475033046,"
	    "\"proxies\":[{\"column\":\"x\",\"kind\":\"categorical\","
	    "\"levels\":3,\"cramers_v\":0.380058475033046,\"eta\":null,"
	    "\"nmi\":0.48327414725642,\"strength\":0.380058475033046},"
	    "{\"column\":\"z\",\"kind\":\"categorical\",\"levels\":4,"
	    "\"cramers_v\":0,\"eta\":null,\"nmi\":0.238216120274359,"
	    "\"strength\":0}],\"skipped\":[\"y\"],\"satisfied\":true}\n");
	report_file = tmpfile();
	cr_assert_eq(prep_proxies_report_summary(report_file, l, n, names4, &g),
		     PREP_OK);
	cr_assert_str_eq(report_text(), "strongest: x\n"
					"strength: 0.380058475\n"
					"satisfied: yes\n");
	/* without names, columns by number; the gate failed */
	g.max = 0.3;
	report_file = tmpfile();
	cr_assert_eq(prep_proxies_report_summary(report_file, l, n, NULL, &g),
		     PREP_OK);
	cr_assert_str_eq(report_text(), "strongest: 2\n"
					"strength: 0.380058475\n"
					"satisfied: no\n");
}

/*
 * A column the params name categorical is measured as categories, its
 * numbers or not: y of `eight`, 8 values in 8 rows, has no V (k~ - 1 =
 * (k-1)(n-k)/(n-1) = 0), and the same nmi.
 */
Test(proxies, forced_categorical)
{
	static const size_t y[] = {2};
	prep_proxies_params p;
	const prep_proxy *l;
	const size_t *sk;
	size_t n, ns;

	memset(&p, 0, sizeof p);
	p.protected = g0;
	p.nprotected = 1;
	p.columns = xyz;
	p.ncolumns = 3;
	p.categorical = y;
	p.ncategorical = 1;
	cr_assert_eq(prep_proxies_new(&p, &px), PREP_OK);
	load(px, eight, 0, NROWS(eight));
	cr_assert_eq(prep_proxies_results(px, &l, &n, &sk, &ns), PREP_OK);
	cr_assert_eq(entry(l, n, 2)->kind, PREP_PROXY_CATEGORICAL);
	cr_assert(isnan(entry(l, n, 2)->cramers_v));
	cr_assert(isnan(entry(l, n, 2)->eta));
	cr_assert_float_eq(entry(l, n, 2)->nmi, 0.6381090426950289, 1e-12);
	cr_assert_eq(entry(l, n, 1)->kind, PREP_PROXY_CATEGORICAL);
}
