/*
 * gate.h: a computed figure against a bound the user gave, for the checks
 * that pass or fail a run (kcheck's l, t and --max-suppress, fairness's
 * --min-di, --max-spd and --max-eod).
 *
 * A figure computed in floating point lands a few units in the last place
 * away from its exact value: data reweighted to a disparate impact of
 * exactly 1 gives 0.9999999999999998, a class of l equally frequent values
 * an entropy an ulp below ln l. Compared exactly, such a figure fails the
 * bound it meets. Every gate therefore allows a slack of PREP_GATE_SLACK
 * relative to the bound, absolute for bounds below 1 in magnitude (a
 * difference of 1e-16 meets a bound of 0): far above rounding and far
 * below any difference data can make.
 */
#ifndef PREP_GATE_H
#define PREP_GATE_H

#include <stddef.h>

#define PREP_GATE_SLACK 1e-12

/*
 * 1 when v >= bound - PREP_GATE_SLACK * max(1, |bound|), else 0. A NAN v
 * or bound gives 0: a figure that is not a number fails.
 */
int prep_gate_at_least(double v, double bound);

/* 1 when v <= bound + PREP_GATE_SLACK * max(1, |bound|); NAN gives 0. */
int prep_gate_at_most(double v, double bound);

/*
 * A figure v that fails its gate, as a message shows it: with 10
 * significant digits, or as many more as it takes for the text, read
 * back, to fail the gate too (up to 17, which read back as v itself), so
 * that a figure just past its bound shows why: "0.99999999999 < 1", not
 * "1 < 1". at_most: the gate is prep_gate_at_most, else
 * prep_gate_at_least. Writes into buf (n bytes; 32 are enough) and
 * returns it.
 */
const char *prep_gate_failing_text(double v, double bound, int at_most,
				   char *buf, size_t n);

/*
 * A figure as the reports write it: with 10 significant digits ("%.10g"),
 * or "NA" when it is not a number. Writes into buf (n bytes; 32 are
 * enough) and returns it, or returns "NA".
 */
const char *prep_figure_text(double v, char *buf, size_t n);

#endif
