/*
 * stat_noise.c: statistical tests of the noise of libprep/noise.c.
 *
 * Each test draws from a generator with a fixed seed, so its outcome is
 * fixed too: it can only change when the implementation does. Each
 * tolerance is still chosen from the mathematics as if the seed were
 * random, so that a correct sampler would fail a check with probability
 * at most 1e-8 and the whole file with probability below 1e-6
 * (tests/stat/README.md derives every tolerance and adds them up).
 *
 * What is tested: the integer mechanism against the exact two-sided
 * geometric PMF (chi-squared, moments) and CDF (Kolmogorov-Smirnov), the
 * real mechanism against the Laplace CDF (Kolmogorov-Smirnov, moments),
 * its outputs on the grid of multiples of the power of two r and the low
 * bits of its grid steps, the differential-privacy ratio of output
 * histograms for neighbouring inputs, the generator (known answers for
 * the seeded AES-256-CTR keystream, reproducibility, rejection sampling
 * without modulo bias). Every statistical test has a negative
 * control: the same statistic on a deliberately wrong distribution must
 * reject it. The statistics themselves (incomplete gamma, chi-squared
 * quantile, KS distance, binning) are first checked on values computed
 * independently with mpmath or by hand.
 *
 * References: Massart, "The tight constant in the Dvoretzky-Kiefer-
 * Wolfowitz inequality", Ann. Probab. 18 (1990); Abramowitz & Stegun
 * 6.5.29 and 6.5.31 (incomplete gamma series and continued fraction);
 * Google differential-privacy, go/noise/laplace_noise_test.go (moment
 * tolerances z*sqrt(var/n) and z*sqrt(5)*var/sqrt(n)); Mironov, CCS 2012.
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "noise.h"

/* False-failure probability allowed to one statistical check. */
#define ALPHA 1e-8
/*
 * Two-sided normal quantile for the moment checks: P(|Z| > 6) = 1.97e-9,
 * leaving room for the skewness of x^2 (README, "moments").
 */
#define Z_MOMENT 6.0
/*
 * One-sided normal quantile for each bin of the DP-ratio checks:
 * P(Z > 6.5) = 4.0e-11, times at most 2 * DP_MAX_BINS comparisons.
 */
#define Z_DP 6.5
#define DP_MAX_BINS 100
/* A bin of a DP-ratio check needs this many expected draws per input. */
#define DP_MIN_EXPECTED 1000.0
/* A chi-squared bin needs this many expected draws (README: why not 5). */
#define CHI2_MIN_EXPECTED 100.0

#define N_CHI2 1000000
#define N_KS 250000
#define N_DP_INT 1000000
#define N_DP_REAL 500000

/* ---- the statistics, independent of the sampler ---- */

/*
 * Regularized upper incomplete gamma Q(a, x): the series for P(a, x)
 * (A&S 6.5.29) when x < a + 1, else the Legendre continued fraction for
 * Q (A&S 6.5.31) evaluated by the modified Lentz method, so that a tiny
 * Q is computed directly and not as 1 - P.
 */
static double
gamma_q(double a, double x)
{
	double lpre, sum, term, h, c, d, bn, an, del;
	int i;

	if (x <= 0)
		return 1.0;
	lpre = a * log(x) - x - lgamma(a);
	if (x < a + 1) {
		term = 1.0 / a;
		sum = term;
		for (i = 1; i < 100000; i++) {
			term *= x / (a + i);
			sum += term;
			if (term < sum * 1e-17)
				break;
		}
		return 1.0 - sum * exp(lpre);
	}
	bn = x + 1 - a;
	c = 1e300;
	d = 1 / bn;
	h = d;
	for (i = 1; i < 100000; i++) {
		an = -i * (i - a);
		bn += 2;
		d = an * d + bn;
		if (fabs(d) < 1e-300)
			d = 1e-300;
		c = bn + an / c;
		if (fabs(c) < 1e-300)
			c = 1e-300;
		d = 1 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1) < 1e-16)
			break;
	}
	return exp(lpre) * h;
}

/* P(X > x) for X chi-squared with df degrees of freedom. */
static double
chi2_sf(double x, int df)
{
	return gamma_q(df / 2.0, x / 2.0);
}

/* The x with P(X > x) = p, X chi-squared with df degrees, by bisection. */
static double
chi2_crit(int df, double p)
{
	double lo = 0, hi = df + 100 + 20 * sqrt((double)df), mid;
	int i;

	for (i = 0; i < 200; i++) {
		mid = (lo + hi) / 2;
		if (chi2_sf(mid, df) > p)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

/*
 * KS critical value from the Dvoretzky-Kiefer-Wolfowitz inequality with
 * Massart's constant, P(D_n > t) <= 2 exp(-2 n t^2): a bound valid for
 * every n, not an asymptotic one.
 */
static double
ks_crit(size_t n, double alpha)
{
	return sqrt(log(2 / alpha) / 2) / sqrt((double)n);
}

static double
laplace_cdf(double x, double b)
{
	if (x < 0)
		return 0.5 * exp(x / b);
	return 1 - 0.5 * exp(-x / b);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* KS distance sup |F_n - F| against Laplace(0, b); sorts x. */
static double
ks_laplace(double *x, size_t n, double b)
{
	double d = 0, f, lo, hi;
	size_t i;

	qsort(x, n, sizeof(*x), cmp_double);
	for (i = 0; i < n; i++) {
		f = laplace_cdf(x[i], b);
		lo = f - (double)i / (double)n;
		hi = (double)(i + 1) / (double)n - f;
		if (lo > d)
			d = lo;
		if (hi > d)
			d = hi;
	}
	return d;
}

/*
 * The two-sided geometric with P(i) proportional to exp(-lam |i|), q =
 * exp(-lam): P(i) = (1-q)/(1+q) q^|i| = tanh(lam/2) q^|i| (expm1 and tanh
 * keep the precision when lam is tiny).
 */
static double
geo_pmf(double lam, int64_t i)
{
	return tanh(lam / 2) * exp(-lam * (double)llabs(i));
}

/* P(i >= k) for k >= 1, = q^k / (1+q). */
static double
geo_tail(double lam, int64_t k)
{
	return exp(-lam * (double)k) / (1 + exp(-lam));
}

/* P(i <= k): q^-k/(1+q) for k < 0, 1 - q^(k+1)/(1+q) for k >= 0. */
static double
geo_cdf(double lam, int64_t k)
{
	if (k < 0)
		return geo_tail(lam, -k);
	return 1 - geo_tail(lam, k + 1);
}

/* E i^2 = 2q/(1-q)^2 and E i^4 = 2q(1+10q+q^2)/(1-q)^4. */
static double
geo_var(double lam)
{
	double q = exp(-lam), d = expm1(-lam);

	return 2 * q / (d * d);
}

static double
geo_mu4(double lam)
{
	double q = exp(-lam), d = expm1(-lam);

	return 2 * q * (1 + 10 * q + q * q) / (d * d * d * d);
}

static int
cmp_int64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/*
 * KS distance sup |F_n - F| of integer draws against the two-sided
 * geometric CDF; sorts v. F_n and F are step functions, so the sup is
 * taken at each distinct value k, just before it (F(k-1) against the
 * draws < k) and at it (F(k) against the draws <= k).
 */
static double
ks_geo(int64_t *v, size_t n, double lam)
{
	double d = 0, dn = (double)n, lo, hi;
	size_t i = 0, j;

	qsort(v, n, sizeof(*v), cmp_int64);
	while (i < n) {
		for (j = i; j < n && v[j] == v[i]; j++)
			;
		lo = fabs(geo_cdf(lam, v[i] - 1) - (double)i / dn);
		hi = fabs((double)j / dn - geo_cdf(lam, v[i]));
		d = fmax(d, fmax(lo, hi));
		i = j;
	}
	return d;
}

struct chi2 {
	double stat; /* Pearson's sum (O-E)^2/E */
	double crit; /* the chi-squared quantile for ALPHA */
	int df;	     /* bins - 1 */
	int tail;    /* tails are i <= -tail and i >= tail */
};

/*
 * Pearson's chi-squared of integer draws against the two-sided geometric
 * exp(-lam |i|): one bin per i with |i| < L, the tails i <= -L and i >= L
 * merged, L as large as keeps every expected count >= min_exp.
 */
static struct chi2
geo_chi2(const int64_t *v, size_t n, double lam, double min_exp)
{
	struct chi2 r = {0, 0, 0, 1};
	double dn = (double)n, e, o;
	uint64_t *cnt;
	int64_t k, L;
	size_t i;

	cr_assert_geq(dn * geo_pmf(lam, 0), min_exp);
	cr_assert_geq(dn * geo_tail(lam, 1), min_exp, "lam %g: no tail", lam);
	L = 1;
	while (dn * geo_pmf(lam, L) >= min_exp &&
	       dn * geo_tail(lam, L + 1) >= min_exp)
		L++;
	cnt = calloc((size_t)(2 * L + 1), sizeof(*cnt));
	cr_assert_not_null(cnt);
	for (i = 0; i < n; i++) {
		k = v[i];
		if (k < -L)
			k = -L;
		if (k > L)
			k = L;
		cnt[k + L]++;
	}
	for (k = -L; k <= L; k++) {
		e = dn * (llabs(k) == L ? geo_tail(lam, L) : geo_pmf(lam, k));
		o = (double)cnt[k + L];
		r.stat += (o - e) * (o - e) / e;
	}
	free(cnt);
	r.df = (int)(2 * L);
	r.tail = (int)L;
	r.crit = chi2_crit(r.df, ALPHA);
	return r;
}

/* Pearson's chi-squared of counts against equal expected counts. */
static double
chi2_uniform(const uint64_t *cnt, int bins, double n)
{
	double e = n / bins, s = 0, o;
	int j;

	for (j = 0; j < bins; j++) {
		o = (double)cnt[j];
		s += (o - e) * (o - e) / e;
	}
	return s;
}

/*
 * The moment checks (Google's tolerances, README): the mean m1 within
 * Z_MOMENT * sqrt(var/n) of 0 and the second moment about 0, m2, within
 * Z_MOMENT * sqrt((mu4 - var^2)/n) of var.
 */
struct moments {
	double m1, m2, tol1, tol2;
};

static struct moments
moments(const double *x, size_t n, double var, double mu4)
{
	struct moments r = {0, 0, 0, 0};
	size_t i;

	for (i = 0; i < n; i++) {
		r.m1 += x[i];
		r.m2 += x[i] * x[i];
	}
	r.m1 /= (double)n;
	r.m2 /= (double)n;
	r.tol1 = Z_MOMENT * sqrt(var / (double)n);
	r.tol2 = Z_MOMENT * sqrt((mu4 - var * var) / (double)n);
	return r;
}

static int
moments_ok(struct moments m, double var)
{
	return fabs(m.m1) <= m.tol1 && fabs(m.m2 - var) <= m.tol2;
}

/*
 * The DP-ratio check over histograms c0, c1 of n draws each for two
 * inputs, p0, p1 the bins' exact probabilities: in each bin where both
 * expect DP_MIN_EXPECTED draws, c0 - e^eps c1 (whose mean is <= 0 for an
 * eps-DP mechanism) over its standard error sqrt(c0 + e^2eps c1), and
 * the same with c0, c1 swapped; zmax is the largest, to compare with Z_DP.
 */
struct dp {
	double zmax;	  /* largest z over bins and both directions */
	double ratio_max; /* largest c0/c1 or c1/c0 in the bins used */
	double tol;	  /* ratio tolerance of the bin with ratio_max */
	int bins;	  /* bins used */
};

static struct dp
dp_check(const uint64_t *c0, const uint64_t *c1, const double *p0,
	 const double *p1, int nbins, size_t n, double eps)
{
	struct dp r = {-INFINITY, 0, 0, 0};
	double e = exp(eps), a, b, z, ratio;
	int j, dir;

	for (j = 0; j < nbins; j++) {
		if ((double)n * fmin(p0[j], p1[j]) < DP_MIN_EXPECTED)
			continue;
		r.bins++;
		for (dir = 0; dir < 2; dir++) {
			a = (double)(dir ? c1[j] : c0[j]);
			b = (double)(dir ? c0[j] : c1[j]);
			z = (a - e * b) / sqrt(a + e * e * b);
			if (z > r.zmax)
				r.zmax = z;
			ratio = a / b;
			if (ratio > r.ratio_max) {
				r.ratio_max = ratio;
				r.tol = Z_DP * sqrt(a + e * e * b) / (e * b);
			}
		}
	}
	cr_assert_leq(r.bins, DP_MAX_BINS);
	return r;
}

/* ---- drawing ---- */

static prep_rng *
seeded(uint64_t seed)
{
	prep_rng *g = NULL;

	cr_assert_eq(prep_rng_new_seeded(seed, &g), PREP_OK);
	cr_assert_not_null(g);
	return g;
}

static prep_laplace *
mech_int(double eps, double delta)
{
	prep_laplace *m = NULL;

	cr_assert_eq(prep_laplace_new_int(eps, delta, &m), PREP_OK,
		     "new_int(%g, %g)", eps, delta);
	return m;
}

static prep_laplace *
mech_real(double eps, double delta)
{
	prep_laplace *m = NULL;

	cr_assert_eq(prep_laplace_new_real(eps, delta, &m), PREP_OK,
		     "new_real(%g, %g)", eps, delta);
	return m;
}

/* n draws of add_int(x) - x, or of sample() when use_sample. */
static int64_t *
int_noise(double eps, double delta, int64_t x, int use_sample, size_t n,
	  uint64_t seed)
{
	prep_laplace *m = mech_int(eps, delta);
	prep_rng *g = seeded(seed);
	int64_t *v = malloc(n * sizeof(*v)), out;
	size_t i;
	prep_status st;

	cr_assert_not_null(v);
	for (i = 0; i < n; i++) {
		if (use_sample) {
			st = prep_laplace_sample(m, g, &v[i]);
		} else {
			st = prep_laplace_add_int(m, g, x, &out);
			v[i] = out - x;
		}
		if (st != PREP_OK)
			cr_assert_fail("draw %zu: %s", i, prep_strerror(st));
	}
	prep_laplace_free(m);
	prep_rng_free(g);
	return v;
}

/* n draws of add_real(x) - x. */
static double *
real_noise(double eps, double delta, double x, size_t n, uint64_t seed)
{
	prep_laplace *m = mech_real(eps, delta);
	prep_rng *g = seeded(seed);
	double *v = malloc(n * sizeof(*v)), out;
	size_t i;
	prep_status st;

	cr_assert_not_null(v);
	for (i = 0; i < n; i++) {
		st = prep_laplace_add_real(m, g, x, &out);
		if (st != PREP_OK)
			cr_assert_fail("draw %zu: %s", i, prep_strerror(st));
		v[i] = out - x;
	}
	prep_laplace_free(m);
	prep_rng_free(g);
	return v;
}

static uint64_t
u64(prep_rng *g)
{
	uint64_t v;

	if (prep_rng_u64(g, &v) != PREP_OK)
		cr_assert_fail("prep_rng_u64 failed");
	return v;
}

/*
 * The textbook sampler the library must not use, for negative controls:
 * sgn * (-b log u), u uniform in (0, 1) from 53 bits, the sign another bit.
 */
static double
textbook_laplace(prep_rng *g, double b)
{
	uint64_t v = u64(g);
	double u = ((double)(v >> 11) + 0.5) * 0x1p-53;

	return (v & 1 ? -b : b) * -log(u);
}

static double *
to_double(const int64_t *v, size_t n)
{
	double *d = malloc(n * sizeof(*d));
	size_t i;

	cr_assert_not_null(d);
	for (i = 0; i < n; i++)
		d[i] = (double)v[i];
	return d;
}

/* ---- the statistics checked on known values ---- */

Test(machinery, incomplete_gamma_against_mpmath)
{
	/* mpmath 1.3, gammainc(a, x, inf, regularized=True), 40 digits */
	static const struct {
		double a, x, q;
	} t[] = {
	    {2.5, 3, 0.3062189184132784},
	    {0.5, 0.1, 0.65472084601857702},
	    {10, 30, 7.1217508628155771e-6},
	    {300, 400, 7.5073808355216141e-8},
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		cr_expect(fabs(gamma_q(t[i].a, t[i].x) / t[i].q - 1) < 1e-10,
			  "Q(%g, %g) = %.17g, want %.17g", t[i].a, t[i].x,
			  gamma_q(t[i].a, t[i].x), t[i].q);
}

Test(machinery, chi2_critical_values_against_mpmath)
{
	/* the x with Q(df/2, x/2) = 1e-8, mpmath bisection at 40 digits */
	static const struct {
		int df;
		double x;
	} t[] = {
	    {1, 32.8412533612368},   {2, 36.8413614879047},
	    {5, 45.7945871230846},   {10, 57.6639616261997},
	    {20, 77.5980150210577},  {50, 127.700922001517},
	    {100, 200.631908736817}, {600, 815.150797474692},
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		cr_expect(fabs(chi2_crit(t[i].df, 1e-8) / t[i].x - 1) < 1e-9,
			  "df %d: %.15g, want %.15g", t[i].df,
			  chi2_crit(t[i].df, 1e-8), t[i].x);
	/* chi2 with 2 df is exponential: P(X > x) = exp(-x/2) */
	cr_expect(fabs(chi2_crit(2, 1e-8) - 2 * log(1e8)) < 1e-9);
}

Test(machinery, normal_quantiles)
{
	/* the tails the README's false-failure budget relies on */
	cr_expect_lt(erfc(Z_MOMENT / sqrt(2)), 2e-9);
	cr_expect_lt(erfc(Z_DP / sqrt(2)) / 2, 4.1e-11);
	cr_expect_lt(2 * DP_MAX_BINS * erfc(Z_DP / sqrt(2)) / 2, 1e-8);
}

Test(machinery, ks_on_a_hand_computed_sample)
{
	/*
	 * {-1, 0, 2} against Laplace(0, 1): F = e^-1/2, 1/2, 1 - e^-2/2;
	 * the largest gap is F(2) - 2/3 = 1/3 - e^-2/2 = 0.26566...
	 */
	double x[] = {2, -1, 0}, d = ks_laplace(x, 3, 1);

	cr_expect(fabs(d - (1.0 / 3 - exp(-2) / 2)) < 1e-15, "D = %.17g", d);
	cr_expect_eq(x[0], -1); /* sorted */
	/* 1e4 points at the quantiles (i+1/2)/n: D = 1/(2n) exactly */
	{
		size_t n = 10000, i;
		double *y = malloc(n * sizeof(*y)), p;

		cr_assert_not_null(y);
		for (i = 0; i < n; i++) {
			p = (i + 0.5) / n;
			y[i] = p < 0.5 ? log(2 * p) : -log(2 * (1 - p));
		}
		d = ks_laplace(y, n, 1);
		cr_expect(fabs(d - 0.5 / n) < 1e-12, "D = %.17g", d);
		free(y);
	}
	cr_expect(fabs(ks_crit(250000, 1e-8) - sqrt(log(2e8) / 5e5)) < 1e-15);
}

Test(machinery, chi2_binning_on_a_hand_computed_sample)
{
	/*
	 * q = 1/2: P(0) = 1/3, P(+-1) = 1/6, P(i >= 2) = 1/6; n = 30 and
	 * min 4.9 give bins <=-2, -1, 0, 1, >=2 expecting 5, 5, 10, 5, 5.
	 * Counts 6, 4, 10, 5, 5: chi2 = 1/5 + 1/5 = 0.4 with 4 df.
	 */
	int64_t v[30];
	int i = 0, j;
	struct chi2 r;

	for (j = 0; j < 5; j++)
		v[i++] = -2 - j; /* 5 in the left tail ... */
	v[i++] = -9;		 /* ... and a sixth */
	for (j = 0; j < 4; j++)
		v[i++] = -1;
	for (j = 0; j < 10; j++)
		v[i++] = 0;
	for (j = 0; j < 5; j++)
		v[i++] = 1;
	for (j = 0; j < 5; j++)
		v[i++] = 2 + 10 * j;
	r = geo_chi2(v, 30, log(2), 4.9);
	cr_expect_eq(r.tail, 2);
	cr_expect_eq(r.df, 4);
	cr_expect(fabs(r.stat - 0.4) < 1e-12, "chi2 = %.17g", r.stat);
}

Test(machinery, moments_of_the_two_sided_geometric)
{
	/* sum over |i| <= 2000 of the PMF times 1, i^2, i^4, lam = 1/2 */
	double lam = 0.5, s2 = 0, s4 = 0, s0 = 0, p;
	int i;

	for (i = -2000; i <= 2000; i++) {
		p = geo_pmf(lam, i);
		s0 += p;
		s2 += p * i * i;
		s4 += p * (double)i * i * i * i;
	}
	cr_expect(fabs(s0 - 1) < 1e-12);
	cr_expect(fabs(s2 / geo_var(lam) - 1) < 1e-12);
	cr_expect(fabs(s4 / geo_mu4(lam) - 1) < 1e-12);
	/* the CDF sums the PMF */
	for (p = 0, i = -2000; i <= 5; i++) {
		p += geo_pmf(lam, i);
		if (i >= -40)
			cr_expect(fabs(geo_cdf(lam, i) - p) < 1e-14, "%d", i);
	}
	/* tiny lam: expm1 and tanh keep 2/lam^2 */
	cr_expect(fabs(geo_var(1e-6) * 1e-12 / 2 - 1) < 1e-9);
}

Test(machinery, discrete_ks_on_a_hand_computed_sample)
{
	/*
	 * {1, 0, 0} against lam = ln 2 (q = 1/2): F(-1) = 1/3, F(0) = 2/3,
	 * F(1) = 5/6; the gaps are F(-1) - 0 = 1/3 before 0, 2/3 - 2/3 at
	 * 0, F(0) - 2/3 before 1 and 1 - 5/6 at 1: D = 1/3.
	 */
	int64_t v[] = {1, 0, 0};
	double d = ks_geo(v, 3, log(2));

	cr_expect(fabs(d - 1.0 / 3) < 1e-15, "D = %.17g", d);
	cr_expect_eq(v[0], 0);
}

/*
 * A positive control for KS independent of the library's sampler: the
 * textbook continuous Laplace is the right distribution, so KS accepts
 * it (the grid test below is what rejects it).
 */
Test(machinery, ks_accepts_the_textbook_laplace)
{
	prep_rng *g = seeded(101);
	double *x = malloc(N_KS * sizeof(*x)), d, crit = ks_crit(N_KS, ALPHA);
	size_t i;

	cr_assert_not_null(x);
	for (i = 0; i < N_KS; i++)
		x[i] = textbook_laplace(g, 3);
	d = ks_laplace(x, N_KS, 3);
	cr_log_info("textbook laplace: KS %.6f crit %.6f", d, crit);
	cr_expect_lt(d, crit);
	free(x);
	prep_rng_free(g);
}

/* ---- integer mechanism: chi-squared and moments ---- */

/* chi2 and moments of n integer draws against lam = eps/delta. */
static void
check_int(const char *name, double eps, double delta, const int64_t *v,
	  size_t n, int expect_ok)
{
	double lam = eps / delta;
	struct chi2 c = geo_chi2(v, n, lam, CHI2_MIN_EXPECTED);
	double *d = to_double(v, n);
	struct moments m = moments(d, n, geo_var(lam), geo_mu4(lam));

	cr_log_info("%s: chi2 %.2f crit %.2f df %d (tails |i| >= %d); "
		    "mean %.5f tol %.5f; m2 %.5f want %.5f tol %.5f",
		    name, c.stat, c.crit, c.df, c.tail, m.m1, m.tol1, m.m2,
		    geo_var(lam), m.tol2);
	if (expect_ok) {
		cr_expect_lt(c.stat, c.crit, "%s: chi2 %g >= %g", name, c.stat,
			     c.crit);
		cr_expect(moments_ok(m, geo_var(lam)), "%s: moments", name);
	}
	free(d);
}

Test(integer, sample_eps1_delta1)
{
	int64_t *v = int_noise(1, 1, 0, 1, N_CHI2, 1);

	check_int("int sample eps 1 delta 1", 1, 1, v, N_CHI2, 1);
	free(v);
}

Test(integer, add_eps05_delta3)
{
	int64_t *v = int_noise(0.5, 3, 1000, 0, N_CHI2, 2);

	check_int("int add eps 0.5 delta 3", 0.5, 3, v, N_CHI2, 1);
	free(v);
}

Test(integer, add_eps01_delta1_wide)
{
	int64_t *v = int_noise(0.1, 1, -77, 0, N_CHI2, 3);

	check_int("int add eps 0.1 delta 1", 0.1, 1, v, N_CHI2, 1);
	free(v);
}

Test(integer, add_eps5_delta1_narrow)
{
	int64_t *v = int_noise(5, 1, 0, 0, N_CHI2, 4);

	check_int("int add eps 5 delta 1", 5, 1, v, N_CHI2, 1);
	free(v);
}

/*
 * Scales too wide for one bin per value: KS against the exact discrete
 * CDF (DKW holds, conservatively, for a discontinuous F too).
 */
static double
check_int_ks(const char *name, double eps, double delta, double lam, size_t n,
	     uint64_t seed)
{
	int64_t *v = int_noise(eps, delta, 5, 0, n, seed);
	double d = ks_geo(v, n, lam);

	cr_log_info("%s: KS %.6f crit %.6f", name, d, ks_crit(n, ALPHA));
	free(v);
	return d;
}

Test(integer, ks_eps1_delta1e6)
{
	double d = check_int_ks("int eps 1 delta 1e6", 1, 1e6, 1e-6, N_KS, 5);

	cr_expect_lt(d, ks_crit(N_KS, ALPHA));
}

Test(integer, ks_eps03_delta12345)
{
	double d = check_int_ks("int eps 0.3 delta 12345", 0.3, 12345,
				0.3 / 12345, N_KS, 6);

	cr_expect_lt(d, ks_crit(N_KS, ALPHA));
}

Test(integer, negative_ks_scale_1_1)
{
	double d = check_int_ks("NEG int eps 1/1.1 delta 1e6 against eps 1",
				1 / 1.1, 1e6, 1e-6, N_KS, 7);

	cr_expect_gt(d, ks_crit(N_KS, ALPHA));
}

Test(integer, granularity_and_scale)
{
	prep_laplace *m = mech_int(0.5, 3);

	cr_expect_eq(prep_laplace_granularity(m), 1.0);
	cr_expect_eq(prep_laplace_scale(m), 6.0);
	prep_laplace_free(m);
}

/* Negative controls: each must be rejected by the statistic above. */

Test(integer, negative_rounded_continuous_laplace)
{
	prep_rng *g = seeded(11);
	int64_t *v = malloc(N_CHI2 * sizeof(*v));
	double lam = 1, *d;
	struct chi2 c;
	struct moments m;
	size_t i;

	cr_assert_not_null(v);
	for (i = 0; i < N_CHI2; i++)
		v[i] = (int64_t)llround(textbook_laplace(g, 1));
	c = geo_chi2(v, N_CHI2, lam, CHI2_MIN_EXPECTED);
	d = to_double(v, N_CHI2);
	m = moments(d, N_CHI2, geo_var(lam), geo_mu4(lam));
	cr_log_info("NEG rounded textbook: chi2 %.1f crit %.2f; m2 %.4f "
		    "want %.4f tol %.4f",
		    c.stat, c.crit, m.m2, geo_var(lam), m.tol2);
	cr_expect_gt(c.stat, c.crit);
	cr_expect(!moments_ok(m, geo_var(lam)));
	free(d);
	free(v);
	prep_rng_free(g);
}

Test(integer, negative_scale_1_1)
{
	/* the library's own sampler with b 1.1 times too large */
	int64_t *v = int_noise(1 / 1.1, 1, 0, 0, N_CHI2, 12);
	double lam = 1, *d = to_double(v, N_CHI2);
	struct chi2 c = geo_chi2(v, N_CHI2, lam, CHI2_MIN_EXPECTED);
	struct moments m = moments(d, N_CHI2, geo_var(lam), geo_mu4(lam));

	cr_log_info("NEG int scale 1.1: chi2 %.1f crit %.2f; m2 %.4f want "
		    "%.4f tol %.4f",
		    c.stat, c.crit, m.m2, geo_var(lam), m.tol2);
	cr_expect_gt(c.stat, c.crit);
	cr_expect_gt(fabs(m.m2 - geo_var(lam)), m.tol2);
	free(d);
	free(v);
}

Test(integer, negative_shift_by_one)
{
	int64_t *v = int_noise(1, 1, 0, 0, N_CHI2, 13);
	double lam = 1, *d;
	struct chi2 c;
	struct moments m;
	size_t i;

	for (i = 0; i < N_CHI2; i++)
		v[i] += 1;
	c = geo_chi2(v, N_CHI2, lam, CHI2_MIN_EXPECTED);
	d = to_double(v, N_CHI2);
	m = moments(d, N_CHI2, geo_var(lam), geo_mu4(lam));
	cr_log_info("NEG int shift 1: chi2 %.1f crit %.2f; mean %.4f tol %.4f",
		    c.stat, c.crit, m.m1, m.tol1);
	cr_expect_gt(c.stat, c.crit);
	cr_expect_gt(fabs(m.m1), m.tol1);
	free(d);
	free(v);
}

/* ---- real mechanism: the grid, KS and moments ---- */

/* The smallest power of two >= t, t > 0 a normal double. */
static double
pow2_ceil(double t)
{
	int e;
	double f = frexp(t, &e); /* t = f 2^e, 1/2 <= f < 1 */

	return f == 0.5 ? t : ldexp(1, e);
}

Test(real, granularity)
{
	/*
	 * r = smallest power of two >= (delta/eps)/2^40. The quotients
	 * are exact powers of two or far (in ulps) from one, so rounding
	 * delta/eps to a double cannot move r.
	 */
	static const struct {
		double eps, delta, r;
	} t[] = {
	    {1, 1, 0x1p-40},	    /* b = 1 exactly */
	    {0.5, 1, 0x1p-39},	    /* b = 2 exactly */
	    {0.25, 2, 0x1p-37},	    /* b = 8 exactly */
	    {3, 3, 0x1p-40},	    /* b = 1 */
	    {1, 3, 0x1p-38},	    /* b = 3 -> 4 */
	    {0.7, 10, 0x1p-36},	    /* b = 14.29 -> 16 */
	    {0.1, 250000, 0x1p-18}, /* b = 2.5e6 -> 2^22 */
	    {1.1, 0.001, 0x1p-50},  /* b = 9.09e-4 -> 2^-10 */
	    {0x1p20, 1, 0x1p-60},   /* eps at its upper limit */
	    {0x1p-40, 1, 1.0},	    /* eps at its lower limit */
	    {0.3, 1e300, 0x1p959},  /* b = 3.3e300 -> 2^999 */
	    {2, 3e-300, 0x1p-1035}, /* b = 1.5e-300 -> 2^-995 */
	};
	prep_laplace *m;
	size_t i;
	double r;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		m = mech_real(t[i].eps, t[i].delta);
		r = prep_laplace_granularity(m);
		cr_expect_eq(r, t[i].r, "eps %a delta %a: r = %a, want %a",
			     t[i].eps, t[i].delta, r, t[i].r);
		cr_expect_eq(r, pow2_ceil(ldexp(t[i].delta / t[i].eps, -40)));
		/* the noise's own scale: 1/lambda steps of r */
		cr_expect_eq(prep_laplace_scale(m),
			     (t[i].delta + r) / t[i].eps);
		prep_laplace_free(m);
	}
}

/* Is every x + noise[i] of n a multiple of r? Counts those that are not. */
static size_t
off_grid(double x, const double *noise, size_t n, double r)
{
	size_t i, bad = 0;

	for (i = 0; i < n; i++)
		if (fmod(x + noise[i], r) != 0)
			bad++;
	return bad;
}

Test(real, outputs_on_the_power_of_two_grid)
{
	static const struct {
		double eps, delta, x;
	} t[] = {
	    {1, 1, 0},		 {1, 1, 0.1},
	    {0.7, 10, -123.456}, {0.1, 250000, 123456.789},
	    {2, 3e-9, 2.5e-7},	 {0.01, 1, 1e6 + 0.3},
	    {1, 1, 1e12 + 0.7},	 {3, 1e-300, 1e-300},
	};
	size_t i, j, n = 2000;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		prep_laplace *m = mech_real(t[i].eps, t[i].delta);
		prep_rng *g = seeded(200 + i);
		double r = prep_laplace_granularity(m), out, k;

		cr_assert_eq(r, pow2_ceil(ldexp(t[i].delta / t[i].eps, -40)));
		for (j = 0; j < n; j++) {
			cr_assert_eq(prep_laplace_add_real(m, g, t[i].x, &out),
				     PREP_OK);
			k = out / r; /* exact: r is a power of two */
			if (k != nearbyint(k) || fmod(out, r) != 0)
				cr_assert_fail(
				    "eps %g delta %g x %a: output %a is "
				    "not a multiple of r = %a",
				    t[i].eps, t[i].delta, t[i].x, out, r);
		}
		prep_laplace_free(m);
		prep_rng_free(g);
	}
}

Test(real, negative_textbook_sampler_is_off_the_grid)
{
	prep_rng *g = seeded(21);
	double r = 0x1p-40, x = 0.1, *v = malloc(1000 * sizeof(*v));
	size_t i, bad;

	cr_assert_not_null(v);
	for (i = 0; i < 1000; i++)
		v[i] = textbook_laplace(g, 1);
	bad = off_grid(x, v, 1000, r);
	cr_log_info("NEG textbook sampler: %zu of 1000 off the grid", bad);
	cr_expect_gt(bad, 0);
	free(v);
	prep_rng_free(g);
}

/*
 * The low-order bits of i = (output - x rounded) / r: i is geometric
 * with lam = r eps/(delta + r) ~ 2^-40, so i mod 256 is uniform to within
 * 2^-30; a sampler that leaves holes in the grid (too few random bits,
 * Mironov's attack) shows them here. Chi-squared with 255 df.
 */
static double
low_bits_chi2(const double *out, size_t n, double xr, double r)
{
	uint64_t cnt[256] = {0};
	double k;
	size_t i;

	for (i = 0; i < n; i++) {
		k = (out[i] - xr) / r; /* exact: both on the grid, |k| < 2^53 */
		cr_assert(k == nearbyint(k) && fabs(k) < 0x1p53);
		cnt[(uint64_t)(int64_t)k & 255]++;
	}
	return chi2_uniform(cnt, 256, (double)n);
}

Test(real, low_bits_uniform)
{
	enum { N = 256000 };
	const double x = 0.1, r = 0x1p-40, xr = nearbyint(x / r) * r;
	double *v = real_noise(1, 1, x, N, 22), s, crit = chi2_crit(255, ALPHA);
	size_t i;

	for (i = 0; i < N; i++)
		v[i] += x;
	s = low_bits_chi2(v, N, xr, r);
	cr_log_info("real eps 1 delta 1: i mod 256 chi2 %.2f crit %.2f df 255",
		    s, crit);
	cr_expect_lt(s, crit);
	free(v);
}

Test(real, negative_low_bits_of_a_float_sampler)
{
	/* the textbook sampler in single precision, rounded to the grid */
	enum { N = 256000 };
	const double x = 0.1, r = 0x1p-40, xr = nearbyint(x / r) * r;
	prep_rng *g = seeded(23);
	double *v = malloc(N * sizeof(*v)), s, crit = chi2_crit(255, ALPHA);
	size_t i;

	cr_assert_not_null(v);
	for (i = 0; i < N; i++)
		v[i] = xr +
		       nearbyint((double)(float)textbook_laplace(g, 1) / r) * r;
	s = low_bits_chi2(v, N, xr, r);
	cr_log_info("NEG float textbook: i mod 256 chi2 %.0f crit %.2f", s,
		    crit);
	cr_expect_gt(s, crit);
	free(v);
	prep_rng_free(g);
}

/*
 * The scale of the real mechanism's noise: i r with P(i) proportional to
 * exp(-|i| r eps/(delta + r)) is Laplace of scale (delta + r)/eps on the
 * grid, not delta/eps (the r pays for rounding x to the grid). The two
 * differ by the factor 1 + r/delta, at most 1 + 2^-40/eps: negligible but
 * for the smallest epsilons (2 at eps = 2^-40, delta = 1).
 */
static double
real_b(double eps, double delta)
{
	double r = pow2_ceil(ldexp(delta / eps, -40));

	return (delta + r) / eps;
}

/* KS and moments of n real draws against Laplace(0, b). */
static void
check_real(const char *name, double *v, size_t n, double b, int expect_ok,
	   double *ks, struct moments *mo)
{
	double crit = ks_crit(n, ALPHA);
	struct moments m = moments(v, n, 2 * b * b, 24 * b * b * b * b);
	double d = ks_laplace(v, n, b); /* after moments: it sorts */

	cr_log_info("%s: KS %.6f crit %.6f; mean/b %.5f tol %.5f; "
		    "m2/b^2 %.5f want 2 tol %.5f",
		    name, d, crit, m.m1 / b, m.tol1 / b, m.m2 / (b * b),
		    m.tol2 / (b * b));
	if (expect_ok) {
		cr_expect_lt(d, crit, "%s: KS %g >= %g", name, d, crit);
		cr_expect(moments_ok(m, 2 * b * b), "%s: moments", name);
	}
	*ks = d;
	*mo = m;
}

Test(real, eps1_delta1)
{
	double *v = real_noise(1, 1, 0, N_KS, 31), d;
	struct moments m;

	check_real("real eps 1 delta 1 x 0", v, N_KS, real_b(1, 1), 1, &d, &m);
	free(v);
}

Test(real, eps07_delta10)
{
	double *v = real_noise(0.7, 10, 0.1, N_KS, 32), d;
	struct moments m;

	check_real("real eps 0.7 delta 10 x 0.1", v, N_KS, real_b(0.7, 10), 1,
		   &d, &m);
	free(v);
}

Test(real, eps01_delta250000)
{
	double *v = real_noise(0.1, 250000, 123456.789, N_KS, 33), d;
	struct moments m;

	check_real("real eps 0.1 delta 250000 x 123456.789", v, N_KS,
		   real_b(0.1, 250000), 1, &d, &m);
	free(v);
}

/* epsilon at the two ends of the range new_real accepts */
Test(real, eps_2_20_delta1)
{
	double *v = real_noise(0x1p20, 1, 0.1, N_KS, 36), d;
	struct moments m;

	check_real("real eps 2^20 delta 1 x 0.1", v, N_KS, real_b(0x1p20, 1), 1,
		   &d, &m);
	free(v);
}

/* here r = delta = 1: the noise has scale 2^41, twice delta/eps */
Test(real, eps_2_minus_40_delta1)
{
	double *v = real_noise(0x1p-40, 1, 0.5, N_KS, 37), d;
	struct moments m;

	cr_assert_eq(real_b(0x1p-40, 1), 0x1p41);
	check_real("real eps 2^-40 delta 1 x 0.5", v, N_KS, 0x1p41, 1, &d, &m);
	free(v);
}

Test(real, negative_scale_1_1)
{
	double *v = real_noise(1 / 1.1, 1, 0, N_KS, 34), d;
	struct moments m;

	check_real("NEG real scale 1.1", v, N_KS, real_b(1, 1), 0, &d, &m);
	cr_expect_gt(d, ks_crit(N_KS, ALPHA));
	cr_expect_gt(fabs(m.m2 - 2 * real_b(1, 1) * real_b(1, 1)), m.tol2);
	free(v);
}

Test(real, negative_shifted_mean)
{
	double *v = real_noise(1, 1, 0, N_KS, 35), d;
	struct moments m;
	size_t i;

	for (i = 0; i < N_KS; i++)
		v[i] += 0.05;
	check_real("NEG real shift 0.05 b", v, N_KS, real_b(1, 1), 0, &d, &m);
	cr_expect_gt(d, ks_crit(N_KS, ALPHA));
	cr_expect_gt(fabs(m.m1), m.tol1);
	free(v);
}

/* ---- the differential-privacy ratio ---- */

/* Integer mechanism: histograms of add_int(0) and add_int(x1). */
static struct dp
dp_int(double eps, double delta, int64_t x1, size_t n, uint64_t seed)
{
	enum { K = 200, NB = 2 * K + 1 };
	prep_laplace *m = mech_int(eps, delta);
	prep_rng *g = seeded(seed);
	uint64_t *c0 = calloc(NB, sizeof(*c0)), *c1 = calloc(NB, sizeof(*c1));
	double p0[NB], p1[NB], lam = eps / delta;
	int64_t v;
	size_t i;
	int j;
	struct dp r;

	cr_assert(c0 && c1);
	for (i = 0; i < n; i++) {
		if (prep_laplace_add_int(m, g, 0, &v) != PREP_OK)
			cr_assert_fail("add_int");
		if (v >= -K && v <= K)
			c0[v + K]++;
		if (prep_laplace_add_int(m, g, x1, &v) != PREP_OK)
			cr_assert_fail("add_int");
		if (v >= -K && v <= K)
			c1[v + K]++;
	}
	for (j = 0; j < NB; j++) {
		p0[j] = geo_pmf(lam, j - K);
		p1[j] = geo_pmf(lam, j - K - x1);
	}
	r = dp_check(c0, c1, p0, p1, NB, n, eps);
	free(c0);
	free(c1);
	prep_laplace_free(m);
	prep_rng_free(g);
	return r;
}

/* Real mechanism: NB bins of width w from lo. */
static struct dp
dp_real(double eps, double delta, double x1, size_t n, uint64_t seed)
{
	enum { NB = 100 };
	const double lo = -12.5, w = 0.25, b = real_b(eps, delta);
	prep_laplace *m = mech_real(eps, delta);
	prep_rng *g = seeded(seed);
	uint64_t c0[NB] = {0}, c1[NB] = {0};
	double p0[NB], p1[NB], v, a, z;
	size_t i;
	int j;
	struct dp r;

	for (i = 0; i < n; i++) {
		if (prep_laplace_add_real(m, g, 0, &v) != PREP_OK)
			cr_assert_fail("add_real");
		j = (int)floor((v - lo) / w);
		if (j >= 0 && j < NB)
			c0[j]++;
		if (prep_laplace_add_real(m, g, x1, &v) != PREP_OK)
			cr_assert_fail("add_real");
		j = (int)floor((v - lo) / w);
		if (j >= 0 && j < NB)
			c1[j]++;
	}
	for (j = 0; j < NB; j++) {
		a = lo + j * w;
		z = a + w;
		p0[j] = laplace_cdf(z, b) - laplace_cdf(a, b);
		p1[j] = laplace_cdf(z - x1, b) - laplace_cdf(a - x1, b);
	}
	r = dp_check(c0, c1, p0, p1, NB, n, eps);
	prep_laplace_free(m);
	prep_rng_free(g);
	return r;
}

static void
log_dp(const char *name, struct dp r, double eps)
{
	cr_log_info("%s: %d bins, max z %.3f (limit %.1f); max ratio %.4f, "
		    "e^eps %.4f, its tolerance e^eps(1+%.4f) = %.4f",
		    name, r.bins, r.zmax, Z_DP, r.ratio_max, exp(eps), r.tol,
		    exp(eps) * (1 + r.tol));
}

Test(dp, int_eps1_inputs_0_and_delta)
{
	struct dp r = dp_int(1, 1, 1, N_DP_INT, 41);

	log_dp("dp int eps 1, 0 vs 1", r, 1);
	cr_expect_lt(r.zmax, Z_DP);
	cr_expect_geq(r.bins, 10);
}

Test(dp, int_eps05_delta3_inputs_0_and_delta)
{
	struct dp r = dp_int(0.5, 3, 3, N_DP_INT / 2, 42);

	log_dp("dp int eps 0.5 delta 3, 0 vs 3", r, 0.5);
	cr_expect_lt(r.zmax, Z_DP);
	cr_expect_geq(r.bins, 10);
}

Test(dp, real_eps1_inputs_0_and_delta)
{
	struct dp r = dp_real(1, 1, 1, N_DP_REAL, 43);

	log_dp("dp real eps 1, 0 vs 1", r, 1);
	cr_expect_lt(r.zmax, Z_DP);
	cr_expect_geq(r.bins, 10);
}

Test(dp, negative_int_inputs_0_and_3delta)
{
	struct dp r = dp_int(1, 1, 3, N_DP_INT, 44);

	log_dp("NEG dp int eps 1, 0 vs 3", r, 1);
	cr_expect_gt(r.zmax, Z_DP);
}

Test(dp, negative_real_inputs_0_and_3delta)
{
	struct dp r = dp_real(1, 1, 3, N_DP_REAL, 45);

	log_dp("NEG dp real eps 1, 0 vs 3", r, 1);
	cr_expect_gt(r.zmax, Z_DP);
}

/* ---- the generator ---- */

static void
hex_bytes(const char *hex, unsigned char *out, size_t n)
{
	size_t i;
	unsigned int byte;

	for (i = 0; i < n; i++) {
		cr_assert_eq(sscanf(hex + 2 * i, "%2x", &byte), 1);
		out[i] = (unsigned char)byte;
	}
}

/*
 * The first 64 keystream bytes of AES-256-CTR, key SHA-256("prep seed
 * v1" || seed as 8 bytes big-endian), counter block 16 zero bytes,
 * computed by Python's cryptography package and by openssl enc (README).
 * prep_rng_u64 is assumed to return bytes 8k..8k+7 as a little-endian
 * word (byte 8k the least significant).
 */
Test(rng, seeded_known_answer)
{
	static const struct {
		uint64_t seed;
		const char *ks;
	} t[] = {
	    {1, "b09e8e8a4980ed74a086bcdcacd092807f6a9e5e814467a24a24c5ea"
		"3db17ae813cdfab0b0babf3720cf3384d89944629415501c58973baa"
		"59aa0f4a6f1b223c"},
	    {0, "36ddc6bf7c81b963d63f97a59ef9326fafe164d280f00b282c99aee8"
		"b107de0b42adb2d3c28260fed3ebac16810e656002380b84f847abe6"
		"cc08bbddafac1efb"},
	    {0x0102030405060708,
	     "691d7615ff01d503991f8f7ffc6b16cba2cc951e71139eb19c884e7f"
	     "17ef29d8f527496e90146864acd7c0d7d9d5c1d1a9dc9e2ddfc3a12a"
	     "a972db5440fca318"},
	    {UINT64_MAX,
	     "f7074e0daeba306b163364f8c05f7e9838d7fce66705ac2cc8d5cf39"
	     "5c6eb1696c5972a556744fc84786bf0b65cb12514664659cc4afe3da"
	     "3b506d1b77b726fd"},
	};
	unsigned char ks[64];
	size_t i, k;
	int j;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		prep_rng *g = seeded(t[i].seed);

		hex_bytes(t[i].ks, ks, 64);
		for (k = 0; k < 8; k++) {
			uint64_t le = 0, be = 0, v = u64(g);

			for (j = 7; j >= 0; j--)
				le = le << 8 | ks[8 * k + (size_t)j];
			for (j = 0; j < 8; j++)
				be = be << 8 | ks[8 * k + (size_t)j];
			cr_expect_eq(
			    v, le,
			    "seed %#llx word %zu: %#018llx, want "
			    "%#018llx (little-endian keystream)%s",
			    (unsigned long long)t[i].seed, k,
			    (unsigned long long)v, (unsigned long long)le,
			    v == be ? ": it is the big-endian word" : "");
		}
		prep_rng_free(g);
	}
}

/*
 * Words far into the stream (past any buffer refill) for seed 1, from
 * the same Python computation: words 510 to 513, 4095, 4096 and 19999.
 */
Test(rng, seeded_known_answer_far)
{
	static const struct {
		int at;
		uint64_t w;
	} t[] = {
	    {510, 0x2d22b03617bd4f0b},	 {511, 0xce41d6d7129b826b},
	    {512, 0xed21613e67f5fadd},	 {513, 0x154c5e02b6083f31},
	    {4095, 0x6326260898857408},	 {4096, 0xb61c6a656b13ad24},
	    {19999, 0x697c41f68f08d5a7},
	};
	prep_rng *g = seeded(1);
	size_t k = 0;
	int i;
	uint64_t v;

	for (i = 0; i < 20000; i++) {
		v = u64(g);
		if (k < sizeof(t) / sizeof(t[0]) && t[k].at == i) {
			cr_expect_eq(v, t[k].w, "word %d: %#018llx", i,
				     (unsigned long long)v);
			k++;
		}
	}
	cr_expect_eq(k, sizeof(t) / sizeof(t[0]));
	prep_rng_free(g);
}

/*
 * The whole stream, 2^17 words, against the keystream computed here with
 * OpenSSL's EVP interface from the documented key derivation.
 */
Test(rng, seeded_stream_is_the_keystream)
{
	enum { W = 1 << 17 };
	const uint64_t seed = 0x5eed;
	unsigned char msg[20], key[32], iv[16] = {0};
	unsigned char *zero = calloc(8, W), *ks = malloc(8 * (size_t)W);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	unsigned int klen;
	int len, i, j;
	prep_rng *g = seeded(seed);
	uint64_t le;

	cr_assert(zero && ks && ctx);
	memcpy(msg, "prep seed v1", 12);
	for (i = 0; i < 8; i++)
		msg[12 + i] = (unsigned char)(seed >> (56 - 8 * i));
	cr_assert_eq(EVP_Digest(msg, 20, key, &klen, EVP_sha256(), NULL), 1);
	cr_assert_eq(EVP_EncryptInit_ex(ctx, EVP_aes_256_ctr(), NULL, key, iv),
		     1);
	cr_assert_eq(EVP_EncryptUpdate(ctx, ks, &len, zero, 8 * W), 1);
	cr_assert_eq(len, 8 * W);
	for (i = 0; i < W; i++) {
		for (le = 0, j = 7; j >= 0; j--)
			le = le << 8 | ks[8 * i + j];
		if (u64(g) != le)
			cr_assert_fail("word %d differs from the keystream", i);
	}
	EVP_CIPHER_CTX_free(ctx);
	free(zero);
	free(ks);
	prep_rng_free(g);
}

Test(rng, same_seed_same_sequence)
{
	prep_rng *a = seeded(77), *b = seeded(77);
	prep_laplace *mi = mech_int(1, 1), *mr = mech_real(0.3, 7);
	int64_t ia, ib;
	double ra, rb;
	int i;

	for (i = 0; i < 10000; i++)
		cr_assert_eq(u64(a), u64(b), "word %d", i);
	for (i = 0; i < 2000; i++) {
		cr_assert_eq(prep_laplace_sample(mi, a, &ia), PREP_OK);
		cr_assert_eq(prep_laplace_sample(mi, b, &ib), PREP_OK);
		cr_assert_eq(ia, ib, "int draw %d", i);
		cr_assert_eq(prep_laplace_add_real(mr, a, 12.5, &ra), PREP_OK);
		cr_assert_eq(prep_laplace_add_real(mr, b, 12.5, &rb), PREP_OK);
		cr_assert_eq(ra, rb, "real draw %d", i);
	}
	prep_laplace_free(mi);
	prep_laplace_free(mr);
	prep_rng_free(a);
	prep_rng_free(b);
}

Test(rng, different_seeds_differ)
{
	/* 2^32 + 1 and 2^63 + 1 catch a seed cut to 32 bits or 63 */
	static const uint64_t seeds[] = {
	    0,		1, 2, ((uint64_t)1 << 32) + 1, ((uint64_t)1 << 63) + 1,
	    UINT64_MAX,
	};
	enum { S = sizeof(seeds) / sizeof(seeds[0]) };
	uint64_t w[S][4];
	size_t i, j, k;

	for (i = 0; i < S; i++) {
		prep_rng *g = seeded(seeds[i]);

		for (k = 0; k < 4; k++)
			w[i][k] = u64(g);
		prep_rng_free(g);
	}
	for (i = 0; i < S; i++)
		for (j = i + 1; j < S; j++)
			cr_expect(memcmp(w[i], w[j], sizeof(w[i])) != 0,
				  "seeds %zu and %zu give the same words", i,
				  j);
}

Test(rng, secure_instances_differ)
{
	prep_rng *a = NULL, *b = NULL;
	uint64_t wa[4], wb[4];
	int k;

	cr_assert_eq(prep_rng_new_secure(&a), PREP_OK);
	cr_assert_eq(prep_rng_new_secure(&b), PREP_OK);
	for (k = 0; k < 4; k++) {
		wa[k] = u64(a);
		wb[k] = u64(b);
	}
	cr_expect(memcmp(wa, wb, sizeof(wa)) != 0);
	/* and the words of one instance are not stuck */
	for (k = 0; k < 4; k++)
		cr_expect(wa[k] != wa[(k + 1) % 4]);
	prep_rng_free(a);
	prep_rng_free(b);
}

static uint64_t
uniform(prep_rng *g, uint64_t n)
{
	uint64_t v;

	if (prep_rng_uniform(g, n, &v) != PREP_OK)
		cr_assert_fail("prep_rng_uniform(%llu)", (unsigned long long)n);
	if (v >= n)
		cr_assert_fail("prep_rng_uniform(%llu) = %llu",
			       (unsigned long long)n, (unsigned long long)v);
	return v;
}

Test(rng, uniform_6)
{
	enum { N = 600000 };
	prep_rng *g = seeded(51);
	uint64_t cnt[6] = {0};
	double s, crit = chi2_crit(5, ALPHA);
	int i;

	for (i = 0; i < N; i++)
		cnt[uniform(g, 6)]++;
	s = chi2_uniform(cnt, 6, N);
	cr_log_info("uniform(6): chi2 %.3f crit %.3f df 5", s, crit);
	cr_expect_lt(s, crit);
	prep_rng_free(g);
}

/*
 * n = 3 * 2^62: u64 % n would give [0, 2^62) twice the weight of
 * [2^62, 2^63) and [2^63, 3 * 2^62), 1/2 against 1/3: the three bins
 * v / 2^62 expose it. The same statistic on u64 % n must reject.
 */
Test(rng, uniform_no_modulo_bias)
{
	enum { N = 300000 };
	const uint64_t n = (uint64_t)3 << 62;
	prep_rng *g = seeded(52);
	uint64_t cnt[3] = {0}, bad[3] = {0};
	double s, sb, crit = chi2_crit(2, ALPHA);
	int i;

	for (i = 0; i < N; i++) {
		cnt[uniform(g, n) >> 62]++;
		bad[(u64(g) % n) >> 62]++;
	}
	s = chi2_uniform(cnt, 3, N);
	sb = chi2_uniform(bad, 3, N);
	cr_log_info("uniform(3*2^62): chi2 %.3f crit %.3f df 2; NEG u64 %% n: "
		    "chi2 %.1f",
		    s, crit, sb);
	cr_expect_lt(s, crit);
	cr_expect_gt(sb, crit);
	prep_rng_free(g);
}

/*
 * n = 2^63 + 1, where a rejection sampler rejects almost half the
 * words: every value < n, the quarters v >> 61 of [0, 2^63) uniform
 * (the one value 2^63, probability 1/n, joins the last bin).
 */
Test(rng, uniform_2_63_plus_1)
{
	enum { N = 300000 };
	const uint64_t n = ((uint64_t)1 << 63) + 1;
	prep_rng *g = seeded(53);
	uint64_t cnt[4] = {0}, v;
	double s, crit = chi2_crit(3, ALPHA);
	int i;

	for (i = 0; i < N; i++) {
		v = uniform(g, n) >> 61;
		cnt[v > 3 ? 3 : v]++;
	}
	s = chi2_uniform(cnt, 4, N);
	cr_log_info("uniform(2^63+1): chi2 %.3f crit %.3f df 3", s, crit);
	cr_expect_lt(s, crit);
	prep_rng_free(g);
}

Test(rng, uniform_edges)
{
	prep_rng *g = seeded(54);
	int i;

	for (i = 0; i < 1000; i++) {
		cr_assert_eq(uniform(g, 1), 0);
		(void)uniform(g, UINT64_MAX);
		(void)uniform(g, 2);
	}
	prep_rng_free(g);
}
