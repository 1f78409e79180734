/*
 * gate.c: comparisons of computed figures with user bounds, with the
 * slack gate.h explains.
 */
#include <math.h>

#include "gate.h"

static double
slack(double bound)
{
	return PREP_GATE_SLACK * fmax(1, fabs(bound));
}

int
prep_gate_at_least(double v, double bound)
{
	return v >= bound - slack(bound);
}

int
prep_gate_at_most(double v, double bound)
{
	return v <= bound + slack(bound);
}
