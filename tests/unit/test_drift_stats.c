/*
 * test_drift_stats.c: unit tests of libprep/drift_stats.c, the two-sample
 * statistics behind drift(1).
 *
 * Known answers: tests/unit/kat/drift_stats.txt, written by
 * tests/unit/kat/gen_drift_stats.py from scipy 1.10 (and exact rationals
 * or 50-digit mpmath where a statistic is a formula; the file's header
 * says which): N(0,1) against N(delta,1) samples, delta 0, 0.1 and 0.5,
 * at sizes (50,60), (300,1000) and (2000,20000); Poisson samples full of
 * ties; weighted distributions; two-sample and one-sample KS p-values on
 * both of scipy's routes; categorical counts with a category moved, an
 * unseen one, an empty one; the chi-squared tail on a grid of x and df.
 * Tolerances: what the header of drift_stats.h states for each function
 * (the KS p-value exact to 1e-9 relative wherever scipy is exact too,
 * within KS_ASYMP_ABS where scipy or this code uses an approximation).
 * The largest differences seen are logged (--verbose).
 *
 * Then answers checked by hand or by brute force (every arrangement of
 * two small samples), the edges (empty, NaN, bad counts), symmetry, and
 * negative controls: samples of one law keep p > 0.05, identical count
 * vectors are at distance exactly 0.
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "drift_stats.h"

#define KAT "tests/unit/kat/drift_stats.txt"
#define MAX_NAMED 32
/* The asymptotic KS p-value against scipy, where either uses an
 * approximation (drift_stats.h: 2.1e-5 measured). */
#define KS_ASYMP_ABS 2.5e-5
/* Where scipy uses Pelz-Good and this code Durbin's exact matrix
 * (140 < n <= 1000): the size of Pelz-Good's error there. */
#define KS_PELZ_GOOD_ABS 5e-6

/* A sample or weighted distribution of the vector file, by name. */
typedef struct {
	char name[32];
	double *raw; /* a sample's values as drawn */
	size_t nraw;
	double *value, *weight; /* a wdist, or a sample made one */
	size_t n;
} named;

/* A pair of count vectors. */
typedef struct {
	char name[32];
	double *ref, *cur;
	size_t m;
} cats;

typedef struct {
	FILE *f;
	named d[MAX_NAMED];
	size_t nd;
	cats c[MAX_NAMED];
	size_t nc;
} kat;

/* The next token, past blanks and '#' comments; 0 at the end. */
static int
token(kat *k, char *buf, size_t cap)
{
	int ch;
	size_t len = 0;

	for (;;) {
		ch = fgetc(k->f);
		if (ch == '#') {
			while (ch != '\n' && ch != EOF)
				ch = fgetc(k->f);
		}
		if (ch == EOF)
			return 0;
		if (ch != ' ' && ch != '\n' && ch != '\t' && ch != '\r')
			break;
	}
	while (ch != EOF && ch != ' ' && ch != '\n' && ch != '\t' &&
	       ch != '\r') {
		cr_assert_lt(len + 1, cap, "token too long");
		buf[len++] = (char)ch;
		ch = fgetc(k->f);
	}
	buf[len] = '\0';
	return 1;
}

static double
number(kat *k)
{
	char buf[64], *end;
	double v;

	cr_assert(token(k, buf, sizeof buf), "%s: truncated", KAT);
	v = strtod(buf, &end);
	cr_assert(*end == '\0' && end != buf, "%s: bad number %s", KAT, buf);
	return v;
}

static uint64_t
count(kat *k)
{
	char buf[64], *end;
	unsigned long long v;

	cr_assert(token(k, buf, sizeof buf), "%s: truncated", KAT);
	v = strtoull(buf, &end, 10);
	cr_assert(*end == '\0' && end != buf, "%s: bad count %s", KAT, buf);
	return (uint64_t)v;
}

static void
name(kat *k, char *buf)
{
	cr_assert(token(k, buf, 32), "%s: truncated", KAT);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* v[0..n) + shift, sorted, as distinct values with their counts. */
static void
make_dist(const double *v, size_t n, double shift, double **value,
	  double **weight, size_t *nd)
{
	double *s = malloc(n * sizeof *s), *w = malloc(n * sizeof *w);
	size_t i, m = 0;

	cr_assert(s != NULL && w != NULL);
	for (i = 0; i < n; i++)
		s[i] = v[i] + shift;
	qsort(s, n, sizeof *s, cmp_double);
	for (i = 0; i < n; i++) {
		if (m > 0 && s[m - 1] == s[i]) {
			w[m - 1] += 1;
		} else {
			s[m] = s[i];
			w[m++] = 1;
		}
	}
	*value = s;
	*weight = w;
	*nd = m;
}

static named *
find(kat *k, const char *nm)
{
	size_t i;

	for (i = 0; i < k->nd; i++)
		if (strcmp(k->d[i].name, nm) == 0)
			return &k->d[i];
	cr_assert_fail("%s: no distribution %s", KAT, nm);
	return NULL;
}

static cats *
find_cats(kat *k, const char *nm)
{
	size_t i;

	for (i = 0; i < k->nc; i++)
		if (strcmp(k->c[i].name, nm) == 0)
			return &k->c[i];
	cr_assert_fail("%s: no categories %s", KAT, nm);
	return NULL;
}

static void
kat_open(kat *k)
{
	memset(k, 0, sizeof *k);
	k->f = fopen(KAT, "r");
	cr_assert_not_null(k->f, "%s: can't open (run from the top directory)",
			   KAT);
}

static void
kat_close(kat *k)
{
	size_t i;

	for (i = 0; i < k->nd; i++) {
		free(k->d[i].raw);
		free(k->d[i].value);
		free(k->d[i].weight);
	}
	for (i = 0; i < k->nc; i++) {
		free(k->c[i].ref);
		free(k->c[i].cur);
	}
	fclose(k->f);
}

/*
 * Reads the next record. sample, wdist and cat records are kept (and
 * "" returned for them); for any other the keyword is returned, its
 * fields left to the caller.
 */
static const char *
kat_next(kat *k, char *kw, size_t cap)
{
	size_t i, n;

	if (!token(k, kw, cap))
		return NULL;
	if (strcmp(kw, "sample") == 0 || strcmp(kw, "wdist") == 0) {
		named *d;

		cr_assert_lt(k->nd, MAX_NAMED);
		d = &k->d[k->nd++];
		name(k, d->name);
		n = (size_t)count(k);
		if (kw[0] == 's') {
			d->raw = malloc(n * sizeof *d->raw);
			cr_assert_not_null(d->raw);
			for (i = 0; i < n; i++)
				d->raw[i] = number(k);
			d->nraw = n;
			make_dist(d->raw, n, 0, &d->value, &d->weight, &d->n);
		} else {
			d->value = malloc(n * sizeof *d->value);
			d->weight = malloc(n * sizeof *d->weight);
			cr_assert(d->value != NULL && d->weight != NULL);
			for (i = 0; i < n; i++) {
				d->value[i] = number(k);
				d->weight[i] = number(k);
			}
			d->n = n;
		}
		return "";
	}
	if (strcmp(kw, "cat") == 0) {
		cats *c;

		cr_assert_lt(k->nc, MAX_NAMED);
		c = &k->c[k->nc++];
		name(k, c->name);
		c->m = (size_t)count(k);
		c->ref = malloc(c->m * sizeof *c->ref);
		c->cur = malloc(c->m * sizeof *c->cur);
		cr_assert(c->ref != NULL && c->cur != NULL);
		for (i = 0; i < c->m; i++)
			c->ref[i] = number(k);
		for (i = 0; i < c->m; i++)
			c->cur[i] = number(k);
		return "";
	}
	return kw;
}

/* Skips the fields of a record that the caller doesn't check. */
static void
skip_fields(kat *k, const char *kw)
{
	static const struct {
		const char *kw;
		int fields;
	} nfields[] = {{"ks", 5},  {"wass", 4},	 {"ksw", 3},	{"wassw", 3},
		       {"ksp", 4}, {"kstwo", 3}, {"durbin", 3}, {"chi2", 4},
		       {"js", 2},  {"psi", 3},	 {"hell", 2},	{"chi2sf", 3}};
	char buf[64];
	size_t i;
	int j;

	for (i = 0; i < sizeof nfields / sizeof nfields[0]; i++)
		if (strcmp(kw, nfields[i].kw) == 0) {
			for (j = 0; j < nfields[i].fields; j++)
				cr_assert(token(k, buf, sizeof buf));
			return;
		}
	cr_assert_fail("%s: unknown record %s", KAT, kw);
}

static double
rel_diff(double got, double want)
{
	if (got == want)
		return 0;
	return fabs(got - want) / fabs(want);
}

/* got within rel of want, or both below 1e-290 (scipy's and this code's
 * underflows differ). */
static void
assert_rel(double got, double want, double rel, const char *what)
{
	if (fabs(want) < 1e-290 && fabs(got) < 1e-280)
		return;
	cr_assert(rel_diff(got, want) <= rel,
		  "%s: got %.17g, scipy %.17g (rel %.3g > %.3g)", what, got,
		  want, rel_diff(got, want), rel);
}

/*
 * Does prep_stat_kstwo_sf(d, n) take an exact route where scipy takes one
 * too (drift_stats.h)? Then the two agree to rounding; elsewhere one of
 * them approximates.
 */
static int
kstwo_both_exact(uint64_t n, double d)
{
	double nn = (double)n, t = nn * d, nd2 = t * d;

	if (t <= 1 || t >= nn - 1 || d >= 0.5)
		return 1;
	if (n <= 140 || nd2 >= 2.2)
		return 1;
	/* the body for n <= 1000: Durbin here; scipy's Durbin only while
	 * n d^1.5 <= 1.4 */
	return n <= 1000 && nn * pow(d, 1.5) <= 1.4;
}

static double ks_max_abs, ks_max_rel;

/* The two-sample p-value against scipy's, by the rules above. */
static void
check_ks_p(double got, double want, uint64_t n1, uint64_t n2, double d,
	   const char *what)
{
	uint64_t n;
	double big, small;

	if (n1 <= 10000 && n2 <= 10000) {
		assert_rel(got, want, 1e-9, what);
		return;
	}
	big = (double)(n1 > n2 ? n1 : n2);
	small = (double)(n1 > n2 ? n2 : n1);
	n = (uint64_t)rint(big * small / (big + small));
	if (kstwo_both_exact(n, d)) {
		assert_rel(got, want, 1e-10, what);
		return;
	}
	cr_assert(fabs(got - want) <= KS_ASYMP_ABS,
		  "%s: got %.17g, scipy %.17g", what, got, want);
	if (fabs(got - want) > ks_max_abs)
		ks_max_abs = fabs(got - want);
	if (rel_diff(got, want) > ks_max_rel)
		ks_max_rel = rel_diff(got, want);
}

Test(drift_kat, ks_and_wasserstein_of_samples)
{
	kat k;
	char kw[64], a[32], b[32], what[128];
	const char *r;
	double max_d = 0, max_w = 0;
	int nks = 0, controls = 0;

	kat_open(&k);
	while ((r = kat_next(&k, kw, sizeof kw)) != NULL) {
		named *da, *db;
		prep_dist pa, pb;
		double shift, *sv, *sw, got;
		size_t sn;

		if (*r == '\0')
			continue;
		if (strcmp(r, "ks") != 0 && strcmp(r, "wass") != 0) {
			skip_fields(&k, r);
			continue;
		}
		name(&k, a);
		name(&k, b);
		shift = number(&k);
		da = find(&k, a);
		db = find(&k, b);
		cr_assert_not_null(db->raw);
		make_dist(db->raw, db->nraw, shift, &sv, &sw, &sn);
		pa = (prep_dist){da->value, da->weight, da->n};
		pb = (prep_dist){sv, sw, sn};
		snprintf(what, sizeof what, "%s %s %s + %g", r, a, b, shift);
		if (strcmp(r, "ks") == 0) {
			double d = number(&k), p = number(&k), gp;

			got = prep_stat_ks(&pa, &pb);
			cr_assert(fabs(got - d) <= 1e-12,
				  "%s: D %.17g, scipy %.17g", what, got, d);
			if (fabs(got - d) > max_d)
				max_d = fabs(got - d);
			gp = prep_stat_ks_p(got, da->nraw, db->nraw);
			check_ks_p(gp, p, da->nraw, db->nraw, got, what);
			/* the negative control: one law on both sides */
			if (shift == 0 && a[0] == 'x') {
				cr_assert_gt(p, 0.05, "%s", what);
				cr_assert_gt(gp, 0.05, "%s", what);
				controls++;
			}
			nks++;
		} else {
			double w = number(&k);

			got = prep_stat_wasserstein(&pa, &pb);
			assert_rel(got, w, 1e-9, what);
			if (rel_diff(got, w) > max_w)
				max_w = rel_diff(got, w);
		}
		free(sv);
		free(sw);
	}
	kat_close(&k);
	cr_assert_eq(nks, 13);
	cr_assert_eq(controls, 3);
	cr_log_info("KS D max |diff| %.3g; Wasserstein max rel %.3g; "
		    "asymptotic p max abs %.3g rel %.3g",
		    max_d, max_w, ks_max_abs, ks_max_rel);
}

Test(drift_kat, weighted_distributions)
{
	kat k;
	char kw[64], a[32], b[32], what[128];
	const char *r;
	int n = 0;

	kat_open(&k);
	while ((r = kat_next(&k, kw, sizeof kw)) != NULL) {
		named *da, *db;
		prep_dist pa, pb;
		double want;

		if (*r == '\0')
			continue;
		if (strcmp(r, "ksw") != 0 && strcmp(r, "wassw") != 0) {
			skip_fields(&k, r);
			continue;
		}
		name(&k, a);
		name(&k, b);
		want = number(&k);
		da = find(&k, a);
		db = find(&k, b);
		pa = (prep_dist){da->value, da->weight, da->n};
		pb = (prep_dist){db->value, db->weight, db->n};
		snprintf(what, sizeof what, "%s %s %s", r, a, b);
		if (r[0] == 'k')
			cr_assert(fabs(prep_stat_ks(&pa, &pb) - want) <= 1e-12,
				  "%s: %.17g, want %.17g", what,
				  prep_stat_ks(&pa, &pb), want);
		else
			assert_rel(prep_stat_wasserstein(&pa, &pb), want, 1e-9,
				   what);
		n++;
	}
	kat_close(&k);
	cr_assert_eq(n, 8);
}

Test(drift_kat, ks_p_values)
{
	kat k;
	char kw[64], what[128];
	const char *r;
	double durbin_rel = 0, pg_abs = 0, exact_rel = 0;
	int nksp = 0, nkstwo = 0, ndurbin = 0;

	ks_max_abs = ks_max_rel = 0;
	kat_open(&k);
	while ((r = kat_next(&k, kw, sizeof kw)) != NULL) {
		uint64_t n1, n2;
		double d, p, got;

		if (*r == '\0')
			continue;
		if (strcmp(r, "ksp") == 0) {
			n1 = count(&k);
			n2 = count(&k);
			d = number(&k);
			p = number(&k);
			snprintf(what, sizeof what, "ksp %llu %llu %.17g",
				 (unsigned long long)n1, (unsigned long long)n2,
				 d);
			got = prep_stat_ks_p(d, n1, n2);
			check_ks_p(got, p, n1, n2, d, what);
			/* symmetric in the two sizes */
			assert_rel(prep_stat_ks_p(d, n2, n1), got, 1e-13, what);
			nksp++;
		} else if (strcmp(r, "kstwo") == 0) {
			n1 = count(&k);
			d = number(&k);
			p = number(&k);
			snprintf(what, sizeof what, "kstwo %llu %.17g",
				 (unsigned long long)n1, d);
			got = prep_stat_kstwo_sf(d, n1);
			if (kstwo_both_exact(n1, d)) {
				assert_rel(got, p, 1e-10, what);
				if (p > 1e-290 && rel_diff(got, p) > exact_rel)
					exact_rel = rel_diff(got, p);
			} else if (n1 <= 1000) {
				cr_assert(fabs(got - p) <= KS_PELZ_GOOD_ABS,
					  "%s: %.17g, scipy %.17g", what, got,
					  p);
				if (fabs(got - p) > pg_abs)
					pg_abs = fabs(got - p);
			} else {
				cr_assert(fabs(got - p) <= KS_ASYMP_ABS,
					  "%s: %.17g, scipy %.17g", what, got,
					  p);
				if (fabs(got - p) > ks_max_abs)
					ks_max_abs = fabs(got - p);
				if (rel_diff(got, p) > ks_max_rel)
					ks_max_rel = rel_diff(got, p);
			}
			nkstwo++;
		} else if (strcmp(r, "durbin") == 0) {
			n1 = count(&k);
			d = number(&k);
			p = number(&k);
			snprintf(what, sizeof what, "durbin %llu %.17g",
				 (unsigned long long)n1, d);
			got = prep_stat_kstwo_sf(d, n1);
			assert_rel(got, p, 1e-10, what);
			if (rel_diff(got, p) > durbin_rel)
				durbin_rel = rel_diff(got, p);
			ndurbin++;
		} else {
			skip_fields(&k, r);
		}
	}
	kat_close(&k);
	cr_assert_eq(nksp, 20);
	cr_assert_gt(nkstwo, 700);
	cr_assert_gt(ndurbin, 30);
	cr_log_info("kstwo.sf: exact routes max rel %.3g; Durbin vs scipy's "
		    "Durbin max rel %.3g; vs Pelz-Good max abs %.3g; "
		    "n > 1000 body max abs %.3g rel %.3g",
		    exact_rel, durbin_rel, pg_abs, ks_max_abs, ks_max_rel);
}

Test(drift_kat, categorical)
{
	kat k;
	char kw[64], nm[32], what[128];
	const char *r;
	int n = 0;

	kat_open(&k);
	while ((r = kat_next(&k, kw, sizeof kw)) != NULL) {
		cats *c;

		if (*r == '\0')
			continue;
		if (strcmp(r, "chi2") != 0 && strcmp(r, "js") != 0 &&
		    strcmp(r, "psi") != 0 && strcmp(r, "hell") != 0) {
			skip_fields(&k, r);
			continue;
		}
		name(&k, nm);
		c = find_cats(&k, nm);
		snprintf(what, sizeof what, "%s %s", r, nm);
		if (strcmp(r, "chi2") == 0) {
			double stat = number(&k), df = number(&k);
			double p = number(&k), gs, gd, gp;

			cr_assert_eq(
			    prep_stat_chi2(c->ref, c->cur, c->m, &gs, &gd, &gp),
			    PREP_OK, "%s", what);
			if (stat == 0)
				cr_assert_eq(gs, 0, "%s", what);
			else
				assert_rel(gs, stat, 1e-12, what);
			cr_assert_eq(gd, df, "%s", what);
			assert_rel(gp, p, 1e-10, what);
		} else if (strcmp(r, "js") == 0) {
			double v = number(&k),
			       got = prep_stat_js(c->ref, c->cur, c->m);

			if (v == 0)
				cr_assert_eq(got, 0, "%s", what);
			else
				assert_rel(got, v, 1e-12, what);
		} else if (strcmp(r, "psi") == 0) {
			double fl = number(&k), v = number(&k);
			double got = prep_stat_psi(c->ref, c->cur, c->m, fl);

			if (v == 0)
				cr_assert_eq(got, 0, "%s", what);
			else
				assert_rel(got, v, 1e-12, what);
		} else {
			double v = number(&k);
			double got = prep_stat_hellinger(c->ref, c->cur, c->m);

			if (v == 0)
				cr_assert_eq(got, 0, "%s", what);
			else
				assert_rel(got, v, 1e-12, what);
		}
		n++;
	}
	kat_close(&k);
	cr_assert_eq(n, 8 * 5); /* 8 pairs: chi2, js, 2 psi, hell */
}

Test(drift_kat, chi2_sf_grid)
{
	kat k;
	char kw[64], what[128];
	const char *r;
	double worst = 0;
	int n = 0;

	kat_open(&k);
	while ((r = kat_next(&k, kw, sizeof kw)) != NULL) {
		double x, df, q, got;

		if (*r == '\0')
			continue;
		if (strcmp(r, "chi2sf") != 0) {
			skip_fields(&k, r);
			continue;
		}
		x = number(&k);
		df = number(&k);
		q = number(&k);
		got = prep_chi2_sf(x, df);
		snprintf(what, sizeof what, "chi2.sf(%.17g, %g)", x, df);
		assert_rel(got, q, 1e-12, what);
		if (q > 1e-290 && rel_diff(got, q) > worst)
			worst = rel_diff(got, q);
		n++;
	}
	kat_close(&k);
	cr_assert_gt(n, 2000);
	cr_log_info("chi2.sf: %d points, max rel %.3g", n, worst);
}

/* Answers that need no scipy. */

static prep_dist
dist(const double *v, const double *w, size_t n)
{
	return (prep_dist){v, w, n};
}

Test(drift_hand, ks_and_wasserstein)
{
	static const double v1[] = {1, 2, 3}, v2[] = {4, 5, 6},
			    one[] = {1, 1, 1};
	static const double zero[] = {0}, unit[] = {1}, w1[] = {1};
	static const double ta[] = {1, 2}, twa[] = {2, 1}, tb[] = {1, 2},
			    twb[] = {1, 2};
	prep_dist a = dist(v1, one, 3), b = dist(v2, one, 3);
	prep_dist z = dist(zero, w1, 1), u = dist(unit, w1, 1);
	prep_dist x = dist(ta, twa, 2), y = dist(tb, twb, 2);

	cr_assert_eq(prep_stat_ks(&a, &b), 1);
	cr_assert_eq(prep_stat_ks(&a, &a), 0);
	cr_assert_eq(prep_stat_wasserstein(&a, &b), 3);
	cr_assert_eq(prep_stat_wasserstein(&b, &a), 3);
	cr_assert_eq(prep_stat_wasserstein(&a, &a), 0);
	cr_assert_eq(prep_stat_wasserstein(&z, &u), 1);
	cr_assert_eq(prep_stat_ks(&z, &u), 1);
	/* ties: {1,1,2} against {1,2,2}: F(1) = 2/3 against 1/3 */
	cr_assert_float_eq(prep_stat_ks(&x, &y), 1.0 / 3, 1e-15);
	/* the mass 1/3 moved by 1 */
	cr_assert_float_eq(prep_stat_wasserstein(&x, &y), 1.0 / 3, 1e-15);
	/* P(D >= 1) for 3 and 3 values: 2 of the C(6,3) = 20 paths */
	cr_assert_float_eq(prep_stat_ks_p(1, 3, 3), 0.1, 1e-15);
	/* weights scale out: doubling one side changes nothing */
	{
		static const double two[] = {2, 2, 2};
		prep_dist a2 = dist(v1, two, 3);

		cr_assert_eq(prep_stat_ks(&a2, &b), 1);
		cr_assert_eq(prep_stat_wasserstein(&a2, &b), 3);
	}
}

/*
 * The exact p-value against a brute force: every arrangement of n1 and n2
 * values (bit i set: the i-th smallest is from the first sample), its
 * D = max |i/n1 - j/n2| in integer units of 1/(n1 n2), and the share of
 * arrangements with D at least each value D can take.
 */
static void
brute_force(unsigned n1, unsigned n2)
{
	unsigned nn = n1 + n2, mask, i, top = 0;
	static unsigned tally[4096]; /* arrangements by D in units */
	double total = 0;

	memset(tally, 0, sizeof tally);
	for (mask = 0; mask < (1u << nn); mask++) {
		int a = 0, b = 0, d = 0;

		for (i = 0, a = 0; i < nn; i++)
			a += (int)(mask >> i & 1);
		if ((unsigned)a != n1)
			continue;
		a = 0;
		for (i = 0; i < nn; i++) {
			int diff;

			if (mask >> i & 1)
				a++;
			else
				b++;
			diff = abs(a * (int)n2 - b * (int)n1);
			if (diff > d)
				d = diff;
		}
		tally[d]++;
		if ((unsigned)d > top)
			top = (unsigned)d;
		total++;
	}
	for (i = 1; i <= top; i++) {
		double at_least = 0, want, got;
		unsigned j;

		if (tally[i] == 0)
			continue;
		for (j = i; j <= top; j++)
			at_least += tally[j];
		want = at_least / total;
		got = prep_stat_ks_p((double)i / (n1 * n2), n1, n2);
		cr_assert_float_eq(got, want, 1e-14 * want,
				   "n1 %u n2 %u D %u/%u: %.17g, brute %.17g",
				   n1, n2, i, n1 * n2, got, want);
	}
}

Test(drift_hand, ks_p_brute_force)
{
	brute_force(3, 3);
	brute_force(5, 5);
	brute_force(4, 6);
	brute_force(3, 8);
	brute_force(7, 9);
	brute_force(1, 12);
}

Test(drift_hand, ks_p_edges)
{
	cr_assert(isnan(prep_stat_ks_p(NAN, 10, 10)));
	cr_assert(isnan(prep_stat_ks_p(0.5, 0, 10)));
	cr_assert(isnan(prep_stat_ks_p(0.5, 10, 0)));
	cr_assert_eq(prep_stat_ks_p(0, 10, 10), 1);
	cr_assert_eq(prep_stat_ks_p(-1, 10, 10), 1);
	cr_assert_eq(prep_stat_ks_p(1.5, 10, 10), 0);
	/* below half a lattice step: no evidence at all */
	cr_assert_eq(prep_stat_ks_p(0.004, 10, 10), 1);
	cr_assert_eq(prep_stat_ks_p(1e-7, 20000, 30000), 1);
	cr_assert(isnan(prep_stat_kstwo_sf(0.5, 0)));
	cr_assert_eq(prep_stat_kstwo_sf(0, 5), 1);
	cr_assert_eq(prep_stat_kstwo_sf(1, 5), 0);
	/* n = 1: D = max(U, 1-U) >= d with probability 2(1-d) */
	cr_assert_float_eq(prep_stat_kstwo_sf(0.75, 1), 0.5, 1e-15);
	/* d <= 1/(2n): every sample does at least that */
	cr_assert_eq(prep_stat_kstwo_sf(0.05, 10), 1);
	/* monotone in d across the body and the tail, large n */
	{
		double prev = 1, d;

		for (d = 3e-3; d < 7e-3; d += 1e-4) {
			double p = prep_stat_kstwo_sf(d, 100000);

			cr_assert_leq(p, prev, "d %g", d);
			prev = p;
		}
	}
}

Test(drift_hand, ks_critical)
{
	/* c(0.05) = sqrt(ln(40) / 2) = 1.3581..., the textbook 1.36 */
	cr_assert_float_eq(prep_stat_ks_critical(0.05, 100, 100),
			   1.3581015157406195 * sqrt(0.02), 1e-15);
	cr_assert_float_eq(prep_stat_ks_critical(0.01, 1000, 4000),
			   1.6276236307187293 * sqrt(5000.0 / 4e6), 1e-15);
	cr_assert(isnan(prep_stat_ks_critical(0, 10, 10)));
	cr_assert(isnan(prep_stat_ks_critical(1.5, 10, 10)));
	cr_assert(isnan(prep_stat_ks_critical(NAN, 10, 10)));
	cr_assert(isnan(prep_stat_ks_critical(0.05, 0, 10)));
}

Test(drift_hand, chi2)
{
	static const double r[] = {10, 20}, c[] = {20, 10};
	static const double r3[] = {10, 0, 20}, c3[] = {20, 0, 10};
	double s, df, p, s3, df3, p3;

	/* E = 15 in every cell: 4 * 25 / 15 = 20/3, df 1; chi2 with one
	 * degree of freedom: P(X >= x) = erfc(sqrt(x / 2)) */
	cr_assert_eq(prep_stat_chi2(r, c, 2, &s, &df, &p), PREP_OK);
	cr_assert_float_eq(s, 20.0 / 3, 1e-14);
	cr_assert_eq(df, 1);
	cr_assert_float_eq(p, erfc(sqrt(10.0 / 3)), 1e-15);
	/* a category seen on neither side is dropped */
	cr_assert_eq(prep_stat_chi2(r3, c3, 3, &s3, &df3, &p3), PREP_OK);
	cr_assert_eq(s3, s);
	cr_assert_eq(df3, 1);
	cr_assert_eq(p3, p);
	/* two degrees of freedom: exp(-x/2) */
	cr_assert_float_eq(prep_chi2_sf(7, 2), exp(-3.5), 1e-16);
	cr_assert_float_eq(prep_chi2_sf(0.001, 2), exp(-0.0005), 1e-16);
	cr_assert_eq(prep_chi2_sf(0, 3), 1);
	cr_assert_eq(prep_chi2_sf(-1, 3), 1);
	cr_assert_eq(prep_chi2_sf(INFINITY, 3), 0);
	cr_assert(isnan(prep_chi2_sf(1, 0)));
	cr_assert(isnan(prep_chi2_sf(NAN, 3)));
	cr_assert(isnan(prep_chi2_sf(1, NAN)));
}

Test(drift_hand, chi2_refuses)
{
	static const double one_r[] = {5, 0}, one_c[] = {7, 0};
	static const double zr[] = {0, 0, 0}, zc[] = {1, 2, 3};
	static const double neg[] = {1, -1}, ok[] = {1, 1};
	static const double nan_[] = {1, NAN};
	double s = 0, df = 0, p = 0;

	/* one column left */
	cr_assert_eq(prep_stat_chi2(one_r, one_c, 2, &s, &df, &p),
		     PREP_ERR_VALUE);
	cr_assert(isnan(s) && isnan(df) && isnan(p));
	/* a side that sums to 0 */
	cr_assert_eq(prep_stat_chi2(zr, zc, 3, &s, &df, &p), PREP_ERR_VALUE);
	cr_assert(isnan(p));
	cr_assert_eq(prep_stat_chi2(neg, ok, 2, &s, &df, &p), PREP_ERR_VALUE);
	cr_assert_eq(prep_stat_chi2(nan_, ok, 2, &s, &df, &p), PREP_ERR_VALUE);
	cr_assert_eq(prep_stat_chi2(ok, ok, 0, &s, &df, &p), PREP_ERR_VALUE);
}

Test(drift_hand, categorical_distances)
{
	static const double p10[] = {1, 0}, p01[] = {0, 1};
	static const double r[] = {1, 1}, c[] = {1, 3};
	static const double v[] = {3, 5, 0, 9}, v2[] = {6, 10, 0, 18};

	/* disjoint supports: the maxima */
	cr_assert_float_eq(prep_stat_js(p10, p01, 2), sqrt(log(2)), 1e-15);
	cr_assert_eq(prep_stat_hellinger(p10, p01, 2), 1);
	/* PSI of (1/2, 1/2) -> (1/4, 3/4): 1/4 ln 2 + 1/4 ln 1.5 */
	cr_assert_float_eq(prep_stat_psi(r, c, 2, 1e-4), 0.25 * log(3), 1e-15);
	/* PSI with a floor: (1, 0) -> (0, 1), each 0 read as 1e-4 */
	cr_assert_float_eq(prep_stat_psi(p10, p01, 2, 1e-4),
			   2 * (1 - 1e-4) * log(1e4), 1e-12);
	/* Hellinger of (1/2, 1/2), (1/4, 3/4): 1 - BC, BC = (sqrt(1/8) +
	 * sqrt(3/8)) */
	cr_assert_float_eq(prep_stat_hellinger(r, c, 2),
			   sqrt(1 - (sqrt(0.125) + sqrt(0.375))), 1e-15);
	/* negative controls: the same proportions are at distance 0,
	 * exactly */
	cr_assert_eq(prep_stat_js(v, v, 4), 0);
	cr_assert_eq(prep_stat_js(v, v2, 4), 0);
	cr_assert_eq(prep_stat_hellinger(v, v2, 4), 0);
	cr_assert_eq(prep_stat_psi(v, v2, 4, 1e-4), 0);
	{
		double s, df, p;

		cr_assert_eq(prep_stat_chi2(v, v2, 4, &s, &df, &p), PREP_OK);
		cr_assert_eq(s, 0);
		cr_assert_eq(df, 2);
		cr_assert_eq(p, 1);
	}
}

Test(drift_hand, empty_and_nan)
{
	static const double v[] = {1, 2}, w[] = {1, 1}, nanv[] = {1, NAN};
	static const double zw[] = {0, 0};
	prep_dist a = dist(v, w, 2), e = dist(NULL, NULL, 0);
	prep_dist n = dist(nanv, w, 2), z = dist(v, zw, 2);

	cr_assert(isnan(prep_stat_ks(&a, &e)));
	cr_assert(isnan(prep_stat_ks(&e, &a)));
	cr_assert(isnan(prep_stat_wasserstein(&a, &e)));
	cr_assert(isnan(prep_stat_ks(&a, &n)));
	cr_assert(isnan(prep_stat_wasserstein(&n, &a)));
	cr_assert(isnan(prep_stat_ks(&a, &z)));
	cr_assert(isnan(prep_stat_js(v, v, 0)));
	cr_assert(isnan(prep_stat_js(v, zw, 2)));
	cr_assert(isnan(prep_stat_js(v, nanv, 2)));
	cr_assert(isnan(prep_stat_hellinger(zw, v, 2)));
	cr_assert(isnan(prep_stat_psi(v, v, 0, 1e-4)));
	cr_assert(isnan(prep_stat_psi(v, v, 2, 0)));
	cr_assert(isnan(prep_stat_psi(v, v, 2, 1)));
	cr_assert(isnan(prep_stat_psi(v, zw, 2, 1e-4)));
}

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * The exact p-value at 10000 a side: a typical D and the worst case
 * (D = 1, where the whole band is walked). The bound, 5 s, only catches
 * a change of complexity (the header says about 0.1 s; sanitizers slow
 * it); the times are logged.
 */
Test(drift_perf, exact_ks_p_at_10000)
{
	double t0, t1, t2, p1, p2;

	t0 = seconds();
	p1 = prep_stat_ks_p(0.0306, 10000, 10000);
	t1 = seconds();
	p2 = prep_stat_ks_p(1, 10000, 10000);
	t2 = seconds();
	assert_rel(p1, 0.00017141101881398295, 1e-9, "ks_p 0.0306");
	cr_assert_eq(p2, 0); /* 2 / C(20000, 10000) underflows */
	cr_assert_lt(t1 - t0, 5);
	cr_assert_lt(t2 - t1, 5);
	cr_log_info("exact KS p at 10000 x 10000: %.3f s (D 0.0306), "
		    "%.3f s (D 1)",
		    t1 - t0, t2 - t1);
}
