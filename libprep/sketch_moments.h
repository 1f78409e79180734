/*
 * sketch_moments.h: count, minimum, maximum, mean and variance of a
 * stream of numbers in constant memory, mergeable across parts: the
 * numeric summary of a profile column (profile(1)).
 *
 * Values are added by Welford's update (B. P. Welford, "Note on a method
 * for calculating corrected sums of squares and products",
 * Technometrics 4(3), 1962): the mean and M2, the sum of squared
 * deviations from it, without the cancellation of sum-of-squares
 * formulas. Two summaries merge by the pairwise rule of Chan, Golub and
 * LeVeque ("Updating formulae and a pairwise algorithm for computing
 * sample variances", Stanford CS report STAN-CS-79-773, 1979, eq. 2.1b):
 * n = na + nb, delta = mean_b - mean_a, mean = mean_a + delta nb / n,
 * M2 = M2a + M2b + delta^2 na nb / n. Counts, minimum and maximum merge
 * exactly; mean and M2 equal the single pass's up to rounding (relative
 * error of a few ulps times log of the number of merges for data of one
 * sign; the unit tests hold them to 1e-12).
 */
#ifndef PREP_SKETCH_MOMENTS_H
#define PREP_SKETCH_MOMENTS_H

#include <stdint.h>

typedef struct prep_moments {
	uint64_t n;
	double mean;
	double m2; /* sum of squared deviations from the mean */
	double min;
	double max;
} prep_moments;

/* An empty summary (n 0; mean, m2 0; min +inf, max -inf). */
void prep_moments_init(prep_moments *m);

/* Add x (finite: the caller keeps NaN and infinities out). */
void prep_moments_add(prep_moments *m, double x);

/* Add every value summarized by from into into. */
void prep_moments_merge(prep_moments *into, const prep_moments *from);

/* The population variance M2 / n; NaN when n is 0. */
double prep_moments_variance(const prep_moments *m);

#endif
