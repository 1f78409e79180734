/*
 * gate.c: comparisons of computed figures with user bounds, with the
 * slack gate.h explains.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

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

const char *
prep_gate_failing_text(double v, double bound, int at_most, char *buf, size_t n)
{
	double back;
	int prec;

	for (prec = 10; prec < 17; prec++) {
		(void)snprintf(buf, n, "%.*g", prec, v);
		back = strtod(buf, NULL);
		if (at_most ? !prep_gate_at_most(back, bound)
			    : !prep_gate_at_least(back, bound))
			return buf;
	}
	(void)snprintf(buf, n, "%.17g", v);
	return buf;
}

const char *
prep_figure_text(double v, char *buf, size_t n)
{
	if (isnan(v))
		return "NA";
	(void)snprintf(buf, n, "%.10g", v);
	return buf;
}
