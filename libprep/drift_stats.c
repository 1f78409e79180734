/*
 * drift_stats.c: the two-sample statistics of drift_stats.h.
 *
 * The numeric distances walk both sorted sides at once, one step per
 * distinct value of either. The KS p-value is exact up to 10000 values a
 * side by carrying the null hypothesis's probability mass through the
 * lattice band of Hodges (1958); past that it is the one-sample law of
 * D_n at n = n1 n2 / (n1 + n2), assembled from exact pieces (Durbin's
 * matrix, the Birnbaum-Tingey sum) where they are cheap and from
 * Kolmogorov's limit with Vrbik's correction where they are not. The
 * categorical ones normalize each side and sum one term per category.
 * Every long sum is compensated (Neumaier).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "drift_stats.h"

/* ks_2samp(method='auto') is exact up to this many values a side. */
#define KS_EXACT_MAX 10000
/* Past this n the one-sided tail is Smirnov's expansion, not the sum. */
#define SMIRNOV_SUM_MAX 1000000
/* Up to this n the body of D_n's law is Durbin's matrix. */
#define DURBIN_MAX_N 1000
/* ln(DBL_MIN): a tail exp(-2 n d^2) below it is 0. */
#define LOG_DBL_MIN (-708.3964185322641)
#define LN_SQRT_2PI 0.91893853320467274178

/* The total weight of d; NaN if a value or weight is NaN, or d is empty. */
static double
dist_total(const prep_dist *d)
{
	prep_csum w = {0, 0};
	size_t i;

	if (d == NULL || d->n == 0 || d->value == NULL || d->weight == NULL)
		return NAN;
	for (i = 0; i < d->n; i++) {
		if (isnan(d->value[i]) || isnan(d->weight[i]))
			return NAN;
		prep_csum_add(&w, d->weight[i]);
	}
	return prep_csum_value(&w);
}

/*
 * One walk over the merged values of a and b: at each distinct value x
 * (ascending), area += |F_a - F_b| (x - previous x) with the CDFs as they
 * stood before x, then both CDFs take x's weights and D is updated. The
 * loop takes the smaller head each time and consumes every value not
 * above it, so it always advances.
 */
static void
walk(const prep_dist *a, const prep_dist *b, double wa, double wb,
     double *d_out, double *area_out)
{
	prep_csum ca = {0, 0}, cb = {0, 0}, area = {0, 0};
	double d = 0, prev = 0, fa = 0, fb = 0;
	size_t i = 0, j = 0;
	int first = 1;

	while (i < a->n || j < b->n) {
		double x, diff;

		if (j >= b->n || (i < a->n && a->value[i] <= b->value[j]))
			x = a->value[i];
		else
			x = b->value[j];
		if (!first)
			prep_csum_add(&area, fabs(fa - fb) * (x - prev));
		first = 0;
		while (i < a->n && !(a->value[i] > x))
			prep_csum_add(&ca, a->weight[i++]);
		while (j < b->n && !(b->value[j] > x))
			prep_csum_add(&cb, b->weight[j++]);
		fa = prep_csum_value(&ca) / wa;
		fb = prep_csum_value(&cb) / wb;
		diff = fabs(fa - fb);
		if (diff > d)
			d = diff;
		prev = x;
	}
	*d_out = d > 1 ? 1 : d;
	*area_out = prep_csum_value(&area);
}

double
prep_stat_ks(const prep_dist *a, const prep_dist *b)
{
	double wa = dist_total(a), wb = dist_total(b), d, area;

	if (!(wa > 0) || !(wb > 0))
		return NAN;
	walk(a, b, wa, wb, &d, &area);
	return d;
}

double
prep_stat_wasserstein(const prep_dist *a, const prep_dist *b)
{
	double wa = dist_total(a), wb = dist_total(b), d, area;

	if (!(wa > 0) || !(wb > 0))
		return NAN;
	walk(a, b, wa, wb, &d, &area);
	return area;
}

static uint64_t
gcd64(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* floor(num / den) for den > 0 and any sign of num. */
static int64_t
floor_div(int64_t num, int64_t den)
{
	int64_t q = num / den;

	if (num % den != 0 && num < 0)
		q--;
	return q;
}

/*
 * P(D >= h / L) for samples of n1 and n2 values, L = lcm(n1, n2), h >= 1.
 * The merged sample is a path from (0,0) to (n1,n2); (i,j) is inside while
 * |i b - j a| < h, a = n1/g, b = n2/g: in row i the j of
 * floor((i b - h) / a) + 1 .. floor((i b + h - 1) / a), a band whose two
 * ends never move left as i grows. row[j] holds the probability that the
 * path reaches (i,j) having stayed inside; it reaches (i,j) from (i-1,j)
 * with probability (n1-i+1)/(N-i-j+1) and from (i,j-1) with
 * (n2-j+1)/(N-i-j+1), N = n1 + n2, a draw without replacement. Mass that
 * steps below the band of the next row, or above the top of its own row,
 * has reached D >= h/L: it is added to the answer and leaves the band.
 *
 * Only the cells from the first to the last that hold mass are visited;
 * a cell's mass below KS_TINY is dropped (the answer loses at most
 * 1e-290 per cell, < 1e-281 in all), which keeps the walk off subnormal
 * numbers and, for a large d, off the far corners of the band where the
 * mass has underflowed anyway.
 */
#define KS_TINY 1e-290

static double
ks_exact_p(uint64_t n1, uint64_t n2, uint64_t h)
{
	uint64_t g = gcd64(n1, n2);
	int64_t a = (int64_t)(n1 / g), b = (int64_t)(n2 / g);
	int64_t nn = (int64_t)(n1 + n2), top = (int64_t)n2, hh = (int64_t)h;
	int64_t i, j, lo, hi, first = 0, last = 0;
	double *row, p;
	prep_csum out = {0, 0};

	row = calloc((size_t)n2 + 1, sizeof *row);
	if (row == NULL)
		return NAN;
	for (i = 0; i <= (int64_t)n1; i++) {
		lo = floor_div(i * b - hh, a) + 1;
		hi = floor_div(i * b + hh - 1, a);
		if (lo < 0)
			lo = 0;
		if (hi > top)
			hi = top;
		if (i == 0) {
			double left = 1;

			row[0] = 1;
			for (j = 1; j <= hi; j++) {
				left *= (double)(top - j + 1) /
					(double)(nn - j + 1);
				if (left < KS_TINY)
					break;
				row[j] = left;
				last = j;
			}
		} else {
			double ci = (double)((int64_t)n1 - i + 1), left = 0;
			int64_t end = lo - 1 < last ? lo - 1 : last;
			int64_t start = lo > first ? lo : first, nf = -1,
				nl = -1;

			/* row i-1 stepping in i to below row i's band */
			for (j = first; j <= end; j++) {
				prep_csum_add(&out,
					      row[j] * ci /
						  (double)(nn - i - j + 1));
				row[j] = 0;
			}
			for (j = start; j <= hi; j++) {
				double r = 1 / (double)(nn - i - j + 1);

				left = row[j] * ci * r +
				       left * (double)(top - j + 1) * r;
				if (left < KS_TINY) {
					left = 0;
					if (j > last)
						break; /* the rest is 0 */
				}
				row[j] = left;
				if (left != 0) {
					if (nf < 0)
						nf = j;
					nl = j;
				}
			}
			if (nf < 0)
				break; /* all left the band, or underflowed */
			first = nf;
			last = nl;
		}
		/* the top of row i stepping in j out of the band */
		if (last == hi && hi < top)
			prep_csum_add(&out, row[hi] * (double)(top - hi) /
						(double)(nn - i - hi));
	}
	free(row);
	p = prep_csum_value(&out);
	return p < 0 ? 0 : p > 1 ? 1 : p;
}

double
prep_stat_ks_p(double d, uint64_t n1, uint64_t n2)
{
	double big, small, en;

	if (isnan(d) || n1 == 0 || n2 == 0)
		return NAN;
	if (d <= 0)
		return 1;
	if (d > 1)
		return 0;
	if (n1 <= KS_EXACT_MAX && n2 <= KS_EXACT_MAX) {
		uint64_t lcm = n1 / gcd64(n1, n2) * n2;
		/* rint: half to even in the default rounding mode, as numpy */
		double h = rint(d * (double)lcm);

		if (h < 1)
			return 1;
		return ks_exact_p(n1, n2, (uint64_t)h);
	}
	big = (double)(n1 > n2 ? n1 : n2);
	small = (double)(n1 > n2 ? n2 : n1);
	en = rint(big * small / (big + small));
	return prep_stat_kstwo_sf(d, (uint64_t)en);
}

/*
 * x - log1p(x) for x > -1, without the cancellation of that difference
 * near 0: with z = x / (2 + x), log1p(x) = 2 atanh(z) and x = 2z / (1-z),
 * so x - log1p(x) = 2z^2 / (1-z) - 2 (z^3/3 + z^5/5 + ...), |z| <= 1/3.
 */
static double
x_minus_log1p(double x)
{
	double z, z2, term, sum = 0;
	int k;

	if (fabs(x) > 0.5)
		return x - log1p(x);
	z = x / (2 + x);
	z2 = z * z;
	term = z * z2;
	for (k = 3; k < 60; k += 2) {
		double t = term / k;

		sum += t;
		if (fabs(t) <= 1e-17 * fabs(sum))
			break;
		term *= z2;
	}
	return 2 * z2 / (1 - z) - 2 * sum;
}

/*
 * ln k! - (k ln k - k + ln sqrt(2 pi k)), Stirling's remainder, k >= 1:
 * its series (Abramowitz and Stegun 6.1.41) from k = 15, where the first
 * term left out, 691 / (360360 k^11), is below 3e-16; lgamma below.
 */
static double
stirling_rest(double k)
{
	double r, r2;

	if (k < 15)
		return lgamma(k + 1) -
		       (k * log(k) - k + LN_SQRT_2PI + 0.5 * log(k));
	r = 1 / k;
	r2 = r * r;
	return r *
	       (1.0 / 12 - r2 * (1.0 / 360 -
				 r2 * (1.0 / 1260 -
				       r2 * (1.0 / 1680 - r2 * (1.0 / 1188)))));
}

/*
 * P(D+_n >= d), the one-sided statistic, 1/n < d < 1 - 1/n, by the
 * Birnbaum-Tingey sum d sum_{j=0}^{floor(n(1-d))} A_j,
 * A_j = C(n,j) (d + j/n)^(j-1) (1 - d - j/n)^(n-j). With Stirling's
 * formula for C(n,j), ln A_j = -j f(nd/j) - (n-j) f(-nd/(n-j))
 * + ln sqrt(n / (2 pi j (n-j))) + r(n) - r(j) - r(n-j) - ln(d + j/n),
 * f(x) = x - log1p(x) >= 0, r Stirling's remainder: no large terms that
 * cancel. The terms rise to a peak and fall; past it the sum stops once
 * all that is left, at most the current term times the terms to go, is
 * below 1e-17 of it. For n > 10^6 (an O(n) sum too long),
 * exp(-(6nd + 1)^2 / (18n)) = exp(-2nd^2 - 2d/3 - 1/(18n)), Smirnov's
 * expansion to order 1/sqrt(n).
 */
static double
smirnov_sf(uint64_t n, double d)
{
	double nn = (double)n, nd = nn * d, rn, sum, prev;
	uint64_t j, last;

	if (-2 * nd * d < LOG_DBL_MIN)
		return 0;
	if (n > SMIRNOV_SUM_MAX)
		return exp(-(6 * nd + 1) * (6 * nd + 1) / (18 * nn));
	rn = stirling_rest(nn);
	last = (uint64_t)floor(nn - nd);
	sum = exp(nn * log1p(-d)) / d; /* A_0 */
	prev = sum;
	for (j = 1; j <= last && j < n; j++) {
		double jj = (double)j, rest = nn - jj, w = rest - nd, la, t;

		if (!(w > 0))
			break;
		la = -jj * x_minus_log1p(nd / jj) -
		     rest * x_minus_log1p(-nd / rest) +
		     0.5 * log(nn / (2 * M_PI * jj * rest)) + rn -
		     stirling_rest(jj) - stirling_rest(rest) -
		     log((nd + jj) / nn);
		t = exp(la);
		sum += t;
		if (t < prev && t * (double)(last - j + 1) < 1e-17 * sum)
			break;
		prev = t;
	}
	return d * sum;
}

/*
 * Kolmogorov's limit P(sup |B| >= x) of a Brownian bridge: for x < 0.82
 * 1 - sqrt(2 pi)/x sum_{k odd} exp(-k^2 pi^2 / (8 x^2)), else
 * 2 sum_{k >= 1} (-1)^(k-1) exp(-2 k^2 x^2); either series converges in
 * a handful of terms there.
 */
static double
kolmogorov_sf(double x)
{
	double s = 0;
	int k;

	if (x <= 0)
		return 1;
	if (x < 0.82) {
		double a = -M_PI * M_PI / (8 * x * x);

		for (k = 1; k < 40; k += 2) {
			double t = exp(a * k * k);

			s += t;
			if (t <= 1e-17 * s)
				break;
		}
		return 1 - sqrt(2 * M_PI) / x * s;
	}
	for (k = 1; k < 40; k++) {
		double t = exp(-2.0 * k * k * x * x);

		s += (k & 1) ? t : -t;
		if (t <= 1e-17 * s)
			break;
	}
	return 2 * s;
}

/* c = a b, all m x m; the result's largest entry scaled into [1/2, 1) by a
 * power of two, which is added to *e. */
static void
mat_mul_scaled(const double *a, const double *b, double *c, size_t m, int *e)
{
	double big = 0;
	size_t i, j, k;
	int ex;

	for (i = 0; i < m; i++)
		for (j = 0; j < m; j++) {
			double s = 0;

			for (k = 0; k < m; k++)
				s += a[i * m + k] * b[k * m + j];
			c[i * m + j] = s;
			if (fabs(s) > big)
				big = fabs(s);
		}
	if (big > 0) {
		(void)frexp(big, &ex);
		for (i = 0; i < m * m; i++)
			c[i] = ldexp(c[i], -ex);
		*e += ex;
	}
}

/*
 * P(D_n < d) by Durbin's matrix as Marsaglia, Tsang and Wang give it
 * (J. Stat. Software 8(18), 2003): k = floor(nd) + 1, m = 2k - 1,
 * h = k - nd; H is m x m with H[i][j] = 1/(i-j+1)! where i-j+1 >= 0
 * (0-based), its first column (1 - h^(i+1))/(i+1)! and last row
 * (1 - h^(m-j))/(m-j)!, the corner (1 - 2h^m + max(0, 2h-1)^m)/m!; then
 * P = n!/n^n (H^n)[k-1][k-1]. The powers are kept scaled by powers of
 * two. NaN when the matrices can't be allocated.
 */
static double
durbin_cdf(uint64_t n, double d)
{
	double nd = (double)n * d, h, *hm, *r, *t, *ifact, s;
	size_t k = (size_t)floor(nd) + 1, m = 2 * k - 1, mm = m * m, i, j;
	int e = 0, bit, ex;
	uint64_t q;

	h = (double)k - nd;
	hm = calloc(mm, sizeof *hm);
	r = calloc(mm, sizeof *r);
	t = calloc(mm, sizeof *t);
	ifact = calloc(m + 1, sizeof *ifact);
	if (hm == NULL || r == NULL || t == NULL || ifact == NULL) {
		free(hm);
		free(r);
		free(t);
		free(ifact);
		return NAN;
	}
	ifact[0] = 1;
	for (i = 1; i <= m; i++)
		ifact[i] = ifact[i - 1] / (double)i;
	/* H[i][j] = 1/(i-j+1)! on and below the superdiagonal */
	for (i = 0; i < m; i++)
		for (j = 0; j <= i + 1 && j < m; j++)
			hm[i * m + j] = ifact[i + 1 - j];
	for (i = 0; i < m; i++) {
		hm[i * m] -= pow(h, (double)(i + 1)) * ifact[i + 1];
		hm[(m - 1) * m + i] -= pow(h, (double)(m - i)) * ifact[m - i];
	}
	if (2 * h - 1 > 0)
		hm[(m - 1) * m] += pow(2 * h - 1, (double)m) * ifact[m];
	/* r = H^n, from the top bit of n down */
	memcpy(r, hm, mm * sizeof *r);
	for (bit = 63; bit >= 0 && !((n >> bit) & 1); bit--)
		;
	for (bit--; bit >= 0; bit--) {
		double *sw;

		e *= 2;
		mat_mul_scaled(r, r, t, m, &e);
		sw = r;
		r = t;
		t = sw;
		if ((n >> bit) & 1) {
			mat_mul_scaled(r, hm, t, m, &e);
			sw = r;
			r = t;
			t = sw;
		}
	}
	s = r[(k - 1) * m + (k - 1)];
	free(hm);
	free(r);
	free(t);
	free(ifact);
	/* times n!/n^n, the mantissa kept in [1/2, 1) */
	for (q = 1; q <= n; q++) {
		s *= (double)q / (double)n;
		s = frexp(s, &ex);
		e += ex;
	}
	return ldexp(s, e);
}

double
prep_stat_kstwo_sf(double d, uint64_t n)
{
	double nn = (double)n, t, nd2, p;

	if (isnan(d) || n == 0)
		return NAN;
	if (d <= 0)
		return 1;
	if (d >= 1)
		return 0;
	t = nn * d;
	if (t <= 0.5)
		return 1;
	if (t <= 1) {
		/* 1 - n!/n^n (2t-1)^n, n!/n^n by Stirling */
		double l = -nn + LN_SQRT_2PI + 0.5 * log(nn) +
			   stirling_rest(nn) + nn * log(2 * t - 1);

		return 1 - exp(l);
	}
	if (t >= nn - 1)
		return 2 * pow(1 - d, nn);
	nd2 = t * d;
	if (d >= 0.5 || nd2 >= (n <= 140 ? 4.0 : 2.2)) {
		if (nd2 >= 370)
			return 0;
		p = 2 * smirnov_sf(n, d);
		return p > 1 ? 1 : p;
	}
	if (n <= DURBIN_MAX_N) {
		p = durbin_cdf(n, d);
		if (!isnan(p))
			return p > 1 ? 0 : 1 - p;
	}
	{
		double rn = sqrt(nn), x = rn * d;

		return kolmogorov_sf(x + 1 / (6 * rn) + (x - 1) / (4 * nn));
	}
}

double
prep_stat_ks_critical(double alpha, uint64_t n1, uint64_t n2)
{
	double a = (double)n1, b = (double)n2;

	if (!(alpha > 0 && alpha <= 1) || n1 == 0 || n2 == 0)
		return NAN;
	return sqrt(-log(alpha / 2) / 2) * sqrt((a + b) / (a * b));
}

/*
 * y^a e^-y / Gamma(a), the factor of both expansions of the incomplete
 * gamma function. For a >= 10 from Stirling's series for ln Gamma(a)
 * (Abramowitz and Stegun 6.1.41):
 * sqrt(a / 2 pi) exp(-a (t - 1 - ln t) - mu(a)), t = y/a, the exponent
 * from x - log1p(x) at x = t - 1, so it has no cancellation however large
 * a and y are.
 */
static double
gamma_factor(double a, double y)
{
	double r, r2, mu;

	if (a < 10)
		return exp(a * log(y) - y - lgamma(a));
	r = 1 / a;
	r2 = r * r;
	mu = r *
	     (1.0 / 12 -
	      r2 * (1.0 / 360 -
		    r2 * (1.0 / 1260 -
			  r2 * (1.0 / 1680 -
				r2 * (1.0 / 1188 - r2 * (691.0 / 360360 -
							 r2 * (1.0 / 156)))))));
	return sqrt(a / (2 * M_PI)) * exp(-a * x_minus_log1p((y - a) / a) - mu);
}

/*
 * Q(a, y), the regularized upper incomplete gamma function, a > 0,
 * y > 0 (Numerical Recipes, 3rd ed., section 6.2): for y < a + 1,
 * 1 - P with P = factor * sum_{k>=0} y^k / (a (a+1) ... (a+k)); else the
 * continued fraction of Q, 1/(y+1-a- 1*(1-a)/(y+3-a- 2*(2-a)/(y+5-a- ...)))
 * times the factor, by the modified Lentz method. Both need about
 * sqrt(a) terms near y = a; the cap is well above that.
 */
static double
gamma_q(double a, double y)
{
	double fac = gamma_factor(a, y);
	long k, cap = 200 + (long)(30 * sqrt(a));

	if (y < a + 1) {
		double ap = a, del = 1 / a, sum = del;

		for (k = 0; k < cap; k++) {
			ap += 1;
			del *= y / ap;
			sum += del;
			if (fabs(del) < fabs(sum) * 1e-17)
				break;
		}
		return 1 - sum * fac;
	} else {
		const double tiny = 1e-300;
		double b = y + 1 - a, c = 1 / tiny, dd = 1 / b, hh = dd;

		for (k = 1; k < cap; k++) {
			double an = -(double)k * ((double)k - a), del;

			b += 2;
			dd = an * dd + b;
			if (fabs(dd) < tiny)
				dd = tiny;
			c = b + an / c;
			if (fabs(c) < tiny)
				c = tiny;
			dd = 1 / dd;
			del = dd * c;
			hh *= del;
			if (fabs(del - 1) < 1e-16)
				break;
		}
		return hh * fac;
	}
}

double
prep_chi2_sf(double x, double df)
{
	double q;

	if (isnan(x) || isnan(df) || !(df > 0))
		return NAN;
	if (x <= 0)
		return 1;
	if (isinf(x))
		return 0;
	if (isinf(df))
		return 1;
	q = gamma_q(df / 2, x / 2);
	return q < 0 ? 0 : q > 1 ? 1 : q;
}

/* The sums of ref and cur; 0 when an entry is negative, infinite or
 * NaN, or m is 0 (the callers then answer NaN). */
static int
side_sums(const double *ref, const double *cur, size_t m, double *sr,
	  double *sc)
{
	prep_csum r = {0, 0}, c = {0, 0};
	size_t i;

	if (m == 0 || ref == NULL || cur == NULL)
		return 0;
	for (i = 0; i < m; i++) {
		if (!(ref[i] >= 0) || !(cur[i] >= 0) || isinf(ref[i]) ||
		    isinf(cur[i]))
			return 0;
		prep_csum_add(&r, ref[i]);
		prep_csum_add(&c, cur[i]);
	}
	*sr = prep_csum_value(&r);
	*sc = prep_csum_value(&c);
	return *sr > 0 && *sc > 0;
}

prep_status
prep_stat_chi2(const double *ref, const double *cur, size_t m, double *stat,
	       double *df, double *p)
{
	double sr, sc;
	prep_csum s = {0, 0};
	size_t i, kept = 0;

	*stat = NAN;
	*df = NAN;
	*p = NAN;
	if (!side_sums(ref, cur, m, &sr, &sc))
		return PREP_ERR_VALUE;
	for (i = 0; i < m; i++) {
		double col = ref[i] + cur[i], x;

		if (col == 0)
			continue; /* seen on neither side */
		kept++;
		x = ref[i] * sc - cur[i] * sr;
		prep_csum_add(&s, x * x / col);
	}
	if (kept < 2)
		return PREP_ERR_VALUE;
	*stat = prep_csum_value(&s) / (sr * sc);
	*df = (double)(kept - 1);
	*p = prep_chi2_sf(*stat, *df);
	return PREP_OK;
}

/*
 * (1+e) ln(1+e) + (1-e) ln(1-e) for |e| <= 1, >= 0: for |e| < 1/2 as
 * log1p(-e^2) + 2 e atanh(e), whose two terms (about -e^2 and 2e^2) do
 * not cancel, so the result keeps its relative accuracy as e goes to 0.
 */
static double
js_phi(double e)
{
	double a = 0, b = 0;

	if (fabs(e) < 0.5)
		return log1p(-e * e) + 2 * e * atanh(e);
	if (1 + e > 0)
		a = (1 + e) * log1p(e);
	if (1 - e > 0)
		b = (1 - e) * log1p(-e);
	return a + b;
}

double
prep_stat_js(const double *ref, const double *cur, size_t m)
{
	double sr, sc, v;
	prep_csum s = {0, 0};
	size_t i;

	if (!side_sums(ref, cur, m, &sr, &sc))
		return NAN;
	for (i = 0; i < m; i++) {
		double p = ref[i] / sr, q = cur[i] / sc, pq = p + q;

		if (pq == 0)
			continue;
		/* p ln(p/M) + q ln(q/M) = M phi(e), M = (p+q)/2,
		 * e = (p-q)/(p+q) */
		prep_csum_add(&s, pq / 2 * js_phi((p - q) / pq));
	}
	v = prep_csum_value(&s) / 2;
	if (v <= 0)
		return 0;
	v = sqrt(v);
	return v > sqrt(M_LN2) ? sqrt(M_LN2) : v;
}

double
prep_stat_psi(const double *ref, const double *cur, size_t m, double prop_floor)
{
	double sr, sc, v;
	prep_csum s = {0, 0};
	size_t i;

	if (!(prop_floor > 0 && prop_floor < 1) ||
	    !side_sums(ref, cur, m, &sr, &sc))
		return NAN;
	for (i = 0; i < m; i++) {
		double r = ref[i] / sr, c = cur[i] / sc;

		if (r == 0)
			r = prop_floor;
		if (c == 0)
			c = prop_floor;
		prep_csum_add(&s, (c - r) * log(c / r));
	}
	v = prep_csum_value(&s);
	return v < 0 ? 0 : v;
}

double
prep_stat_hellinger(const double *ref, const double *cur, size_t m)
{
	double sr, sc, v;
	prep_csum s = {0, 0};
	size_t i;

	if (!side_sums(ref, cur, m, &sr, &sc))
		return NAN;
	for (i = 0; i < m; i++) {
		double p = ref[i] / sr, q = cur[i] / sc, t;

		if (p + q == 0)
			continue;
		t = (p - q) / (sqrt(p) + sqrt(q));
		prep_csum_add(&s, t * t);
	}
	v = prep_csum_value(&s) / 2;
	if (v <= 0)
		return 0;
	return v >= 1 ? 1 : sqrt(v);
}
