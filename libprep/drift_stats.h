/*
 * drift_stats.h: two-sample statistics for comparing a reference
 * distribution with a current one, the arithmetic of drift(1): the
 * Kolmogorov-Smirnov distance and its p-value, the Wasserstein-1 distance
 * between numeric distributions, and for the same m categories counted on
 * both sides the chi-squared test of homogeneity, the Jensen-Shannon and
 * Hellinger distances and the population stability index.
 *
 * Each function follows the definition scipy 1.10 implements (named at
 * the function), so that a number printed by drift(1) can be checked with
 * scipy; the unit tests hold them to scipy's values (test_drift_stats.c,
 * vectors by tests/unit/kat/gen_drift_stats.py).
 *
 * Conventions: only the KS p-value allocates (a row of n2 + 1 doubles, or
 * Durbin's matrices, under 210 KB); sums of many terms are compensated
 * (Neumaier, "Rundungsfehleranalyse einiger Verfahren zur Summation
 * endlicher Summen", ZAMM 54, 1974); weights and counts are doubles,
 * exact as integers up to 2^53. Empty input (no value, no category, or a
 * side whose weights sum to 0) gives NaN, as does NaN input; a statistic
 * that rounding could push out of its range is clamped into it.
 */
#ifndef PREP_DRIFT_STATS_H
#define PREP_DRIFT_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "prep.h"

/*
 * A distribution of numbers: n distinct values in ascending order, each
 * with a weight > 0 (a count, or a sketch's weight: prep_kll_sorted).
 * The functions below rely on the order and on the weights being
 * positive and finite; they do not check it.
 */
typedef struct prep_dist {
	const double *value;
	const double *weight;
	size_t n;
} prep_dist;

/*
 * The two-sample Kolmogorov-Smirnov statistic D = sup_x |F_a(x) - F_b(x)|,
 * F the weighted empirical CDFs (the weight of the values <= x over the
 * total), evaluated at every value of either side, so ties between and
 * within the sides count as scipy.stats.ks_2samp counts them. In [0, 1];
 * NaN when a side is empty. O(n_a + n_b).
 */
double prep_stat_ks(const prep_dist *a, const prep_dist *b);

/*
 * The two-sided p-value P(D >= d) of the KS statistic d between samples
 * of sizes n1 and n2 under the null hypothesis (both from one continuous
 * distribution), as scipy.stats.ks_2samp(method='auto') computes it:
 *
 * Exact when max(n1, n2) <= 10000. With g = gcd(n1, n2) and
 * L = n1 n2 / g, d is first rounded to the lattice, h = round(d L) (half
 * to even, as numpy), and D >= h / L holds iff the path of the merged
 * sample, (0,0) to (n1,n2) by a step in i for each value of the first
 * sample and in j for each of the second, reaches a point with
 * |i n2/g - j n1/g| >= h (Hodges, "The significance probability of the
 * Smirnov two-sample test", Arkiv for Matematik 3, 1958). Under the null
 * hypothesis every arrangement is equally likely, so the path is a chain
 * that steps in i from (i,j) with probability (n1-i)/(n1+n2-i-j). The
 * code carries that probability mass through the band of points still
 * inside, row by row, and adds up the mass that steps out of it: the
 * p-value is a sum of positive terms, accurate to a few ulps times the
 * path length even when tiny (the same aim as T. Viehmann, "Numerically
 * more stable computation of the p-values for the two-sample
 * Kolmogorov-Smirnov test", arXiv:2102.08037, 2021). A cell's mass below
 * 1e-290 is dropped (the answer loses < 1e-281). Against scipy: within
 * 1e-14 relative on the unit tests' cases, p down to 1e-261. Time
 * O(n1 * band), the band 2 d n2 + 1 wide, at most (n1+1)(n2+1) cells: for
 * n1 = n2 = 10000, 0.02 s at d = 0.03 (p = 2e-4), 0.08 s at d = 0.1
 * (p = 6e-44), at most about 0.15 s (d near 0.2; past it p is below the
 * smallest double and the mass dies out sooner), on a 2-core AMD EPYC
 * at -O2.
 *
 * Otherwise asymptotic, as scipy: prep_stat_kstwo_sf(d, en), en = n1 n2 /
 * (n1 + n2) rounded half to even.
 *
 * NaN when d is NaN, n1 or n2 is 0, or the row can't be allocated; 1 when
 * d <= 0; 0 when d > 1.
 */
double prep_stat_ks_p(double d, uint64_t n1, uint64_t n2);

/*
 * The survival function P(D_n >= d) of the one-sample two-sided KS
 * statistic of n values (scipy.stats.kstwo.sf(d, n)), computed the way
 * Simard and L'Ecuyer recommend ("Computing the two-sided
 * Kolmogorov-Smirnov distribution", J. Stat. Software 39(11), 2011) and
 * scipy follows, with t = n d:
 *
 *  - t <= 1/2: 1; t <= 1: 1 - n!/n^n (2t - 1)^n; t >= n - 1:
 *    2 (1 - d)^n (exact; Ruben and Gambino, "The exact distribution of
 *    Kolmogorov's statistic D_n for n <= 10", Ann. Inst. Stat. Math. 34,
 *    1982);
 *  - d >= 1/2, or n d^2 >= 4 (n <= 140) or >= 2.2 (n > 140): twice the
 *    one-sided P(D+_n >= d) (exact for d >= 1/2, else Miller's
 *    approximation, J. Amer. Stat. Assoc. 51, 1956, high by the chance of
 *    crossing both bounds, about 2 exp(-8 n d^2): 2e-6 of p at
 *    n d^2 = 2.2, 4e-11 at 4), the one-sided one by
 *    the Birnbaum-Tingey sum (Ann. Math. Stat. 22, 1951) of positive
 *    terms, each from Stirling's series and log1p(x) - x so that nothing
 *    cancels (relative error ~1e-13) for n <= 10^6; O(n). For n > 10^6,
 *    2 exp(-(6 n d + 1)^2 / (18 n)), Smirnov's one-sided expansion to
 *    order 1/sqrt(n) (scipy's choice there too). n d^2 >= 370: 0;
 *  - otherwise, for n <= 1000, 1 - P(D_n < d) by the Durbin matrix
 *    (Marsaglia, Tsang and Wang, "Evaluating Kolmogorov's distribution",
 *    J. Stat. Software 8(18), 2003: n!/n^n times an entry of H^n, H of
 *    order 2 floor(n d) + 1 <= 93 here, at most ~15 ms), exact to ~1e-13
 *    (if its matrices can't be allocated, the next route);
 *  - otherwise (n > 1000, p above ~0.02) Kolmogorov's limiting law at
 *    the argument Vrbik corrects for n ("Small-sample corrections to
 *    Kolmogorov-Smirnov test statistic", Pioneer J. Theor. Appl. Stat. 15,
 *    2018): K(x + 1/(6 sqrt n) + (x - 1)/(4 n)), x = sqrt(n) d.
 *
 * Measured against scipy 1.10 over a grid of n from 1 to 10^9 and d in
 * (0, 1) (the unit tests hold it to these): where both compute exactly,
 * within 1.7e-12 relative; for 140 < n <= 1000, where scipy uses the
 * Pelz-Good expansion in part of the body, within 2.9e-6 absolute of it
 * (this code's Durbin agrees with scipy's own Durbin evaluation to
 * 4e-13); in the last region (n > 1000, p > 0.02) within 2.1e-5 absolute
 * and 4.1e-4 relative, both largest at n = 1001 and falling as 1/n
 * (2.2e-6 and 4e-5 at n = 10^4, 2.2e-8 and 4e-7 at 10^6).
 * NaN when d is NaN or n is 0.
 */
double prep_stat_kstwo_sf(double d, uint64_t n);

/*
 * The asymptotic critical value of D at level alpha,
 * c(alpha) sqrt((n1 + n2) / (n1 n2)), c(alpha) = sqrt(-ln(alpha / 2) / 2)
 * (Smirnov's limit, as Apache DataSketches' KS test on sketches uses it):
 * D above it rejects at about level alpha. NaN unless 0 < alpha <= 1 and
 * n1, n2 > 0.
 */
double prep_stat_ks_critical(double alpha, uint64_t n1, uint64_t n2);

/*
 * The Wasserstein-1 (earth mover's) distance between the two weighted
 * distributions, the integral of |F_a - F_b| dx over the line, as
 * scipy.stats.wasserstein_distance(u_values, v_values, u_weights,
 * v_weights): each side's weights normalized to sum 1. In the unit of the
 * values; NaN when a side is empty. O(n_a + n_b).
 */
double prep_stat_wasserstein(const prep_dist *a, const prep_dist *b);

/*
 * Categorical statistics: ref[i] and cur[i] are the counts (or weights:
 * finite, >= 0, else the answer is NaN or PREP_ERR_VALUE) of the same
 * category i in the reference and the current data, i < m.
 */

/*
 * The chi-squared test of homogeneity of the 2 x m contingency table
 * [ref; cur], as scipy.stats.chi2_contingency(table, correction=False),
 * except that first the columns where both counts are 0 (a category seen
 * on neither side) are dropped, where scipy refuses the table. With R, C
 * the row sums of the kept columns, c_i = ref[i] + cur[i]:
 *   *stat = sum (O - E)^2 / E = sum_i (ref[i] C - cur[i] R)^2 / (R C c_i),
 *   *df   = (columns kept) - 1,
 *   *p    = prep_chi2_sf(*stat, *df).
 * PREP_ERR_VALUE (and all three NaN) when fewer than 2 columns remain, a
 * row sums to 0, or a count is negative, infinite or NaN. O(m).
 */
prep_status prep_stat_chi2(const double *ref, const double *cur, size_t m,
			   double *stat, double *df, double *p);

/*
 * The upper tail of the chi-squared distribution with df degrees of
 * freedom, P(X >= x) = Q(df/2, x/2), Q the regularized upper incomplete
 * gamma function (scipy.stats.chi2.sf(x, df)). Q(a, y) is summed as in
 * Numerical Recipes (Press, Teukolsky, Vetterling and Flannery, 3rd ed.,
 * 2007, section 6.2): for y < a + 1 by the series of P(a, y) and
 * Q = 1 - P, else by the continued fraction of Q (modified Lentz), both
 * times the factor y^a e^-y / Gamma(a), which for a >= 10 is taken from
 * Stirling's series (Abramowitz and Stegun 6.1.41) as
 * sqrt(a / 2 pi) exp(-a (t - 1 - ln t) - mu(a)), t = y / a, mu the
 * series' remainder, so that its exponent does not come from the
 * difference of large logarithms. Relative difference from scipy within
 * 1e-12 for df 1..200, x 0..1000 (the largest seen: 1.4e-13 on the unit
 * tests' grid, 3.8e-13 over 170000 points with df up to 10^5; against
 * 40-digit mpmath, 1e-13). 1 for x <= 0, 0 for x infinite; NaN when x or df is
 * NaN or df <= 0.
 */
double prep_chi2_sf(double x, double df);

/*
 * The Jensen-Shannon distance with natural logarithms, as
 * scipy.spatial.distance.jensenshannon(ref, cur): p and q the two count
 * vectors each normalized to sum 1, M = (p + q) / 2,
 * sqrt((KL(p || M) + KL(q || M)) / 2), in [0, sqrt(ln 2)]. Summed per
 * category as M_i phi((p_i - q_i) / (p_i + q_i)), phi(e) =
 * (1 + e) ln(1 + e) + (1 - e) ln(1 - e) >= 0, taken for small |e| as
 * log1p(-e^2) + 2 e atanh(e), so no term cancels and identical inputs give
 * exactly 0. NaN when m is 0 or a side sums to 0. O(m).
 */
double prep_stat_js(const double *ref, const double *cur, size_t m);

/*
 * The population stability index on proportions: r and c the two count
 * vectors each normalized to sum 1, every proportion of 0 replaced by
 * prop_floor (0 < prop_floor < 1; drift(1) uses 1e-4) before the
 * logarithm, then sum (c_i - r_i) ln(c_i / r_i) (>= 0). Categories empty
 * on both sides add 0. NaN when m is 0, a side sums to 0, or prop_floor
 * is out of range. O(m).
 */
double prep_stat_psi(const double *ref, const double *cur, size_t m,
		     double prop_floor);

/*
 * The Hellinger distance of the normalized proportions p and q,
 * sqrt(sum (sqrt p_i - sqrt q_i)^2 / 2), which equals
 * sqrt(1 - sum sqrt(p_i q_i)), in [0, 1]. Computed in the first form with
 * sqrt p - sqrt q = (p - q) / (sqrt p + sqrt q), so that it has no
 * difference of nearly equal numbers: identical inputs give exactly 0,
 * near ones a small distance with a small relative error. NaN when m is
 * 0 or a side sums to 0. O(m).
 */
double prep_stat_hellinger(const double *ref, const double *cur, size_t m);

#endif
