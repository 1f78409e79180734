/*
 * csum.h: a compensated sum of doubles (Neumaier, "Rundungsfehleranalyse
 * einiger Verfahren zur Summation endlicher Summen", ZAMM 54, 1974): the
 * running sum s and the rounding errors it dropped, c, so that s + c is
 * the sum to about one rounding whatever the order and the magnitudes.
 * For sums that must be exact, exactsum.h. Not an API.
 */
#ifndef PREP_CSUM_H
#define PREP_CSUM_H

#include <math.h>

typedef struct prep_csum {
	double s, c;
} prep_csum;

static inline void
prep_csum_add(prep_csum *k, double x)
{
	double t = k->s + x;

	if (fabs(k->s) >= fabs(x))
		k->c += (k->s - t) + x;
	else
		k->c += (x - t) + k->s;
	k->s = t;
}

static inline double
prep_csum_value(const prep_csum *k)
{
	return k->s + k->c;
}

#endif
