/*
 * fairness.h: per-group rates of a binary label and prediction, and the
 * group fairness metrics fairness(1) reports and gates on, and their
 * reports (fairness(1), sections Rates, Metrics and Output).
 *
 * A group is a distinct tuple of the group columns of a row, compared byte
 * for byte (classes.h does the grouping; ids are dense, in order of first
 * appearance). A label or prediction is positive when its bytes are
 * exactly the positive value; anything else, the empty value included, is
 * negative. Without a prediction column the label plays its part
 * (AIF360's dataset metrics, BinaryLabelDatasetMetric). Every count is a
 * sum of weights w (1 without a weight column), added exactly and rounded
 * once (exactsum.h), so that it does not depend on the order of the rows;
 * per group (y: label, p: prediction, + positive):
 *
 *   base_rate      = sum w[y=+] / sum w
 *   selection_rate = sum w[p=+] / sum w
 *   tpr            = sum w[p=+, y=+] / sum w[y=+]
 *   fpr            = sum w[p=+, y=-] / sum w[y=-]
 *   precision      = sum w[p=+, y=+] / sum w[p=+]
 *
 * A rate whose denominator is 0 is not a number: NAN here, NA or null in
 * the output, never 0. Metrics (SR selection rate; u, p the unprivileged
 * and privileged sides):
 *
 * With a privileged group (AIF360's ClassificationMetric and
 * BinaryLabelDatasetMetric; unprivileged = every row not in the
 * privileged group, the complement):
 *   disparate_impact              SR_u / SR_p    (Feldman et al. 2015)
 *   statistical_parity_difference SR_u - SR_p
 *   equal_opportunity_difference  TPR_u - TPR_p  (Hardt et al. 2016)
 *   average_odds_difference       ((FPR_u - FPR_p) + (TPR_u - TPR_p)) / 2
 *   equalized_odds_difference     max(|TPR_u - TPR_p|, |FPR_u - FPR_p|)
 *                                 (Fairlearn's, on the two sides)
 * Without one, over every group (Fairlearn's demographic_parity_ratio,
 * demographic_parity_difference, equalized_odds_difference with
 * agg="worst_case" and, for the average, agg="mean"):
 *   disparate_impact              min SR / max SR
 *   statistical_parity_difference max SR - min SR
 *   equal_opportunity_difference  max TPR - min TPR
 *   average_odds_difference       ((max FPR - min FPR)
 *                                  + (max TPR - min TPR)) / 2
 *   equalized_odds_difference     max(max TPR - min TPR,
 *                                     max FPR - min FPR)
 * A metric is NAN when a rate it needs is NAN (for the min/max forms: the
 * rate of any group), when its own denominator is 0, when there are no
 * groups, and, without a prediction column, for the three metrics of TPR
 * and FPR (with the label as prediction they would be 1 and 0 by
 * construction and say nothing).
 *
 * Memory follows the number of groups, never the number of rows. A
 * table's state, for the partials of fairness(1), and the merge of two
 * tables are fairness_state.h's.
 */
#ifndef PREP_FAIRNESS_H
#define PREP_FAIRNESS_H

#include <stdint.h>
#include <stddef.h>
#include <stdio.h>

#include "csv.h"
#include "prep.h"

#define PREP_FAIRNESS_DEFAULT_MAX_GROUPS ((size_t)10000000)

/* Largest weight accepted: no sum of 2^64 of them can overflow. */
#define PREP_FAIRNESS_MAX_WEIGHT 1e280

typedef struct prep_fairness prep_fairness;

typedef struct prep_fairness_params {
	const size_t *groups; /* group columns of a row (0-based) */
	size_t ngroups;	      /* at least 1 */
	size_t label;	      /* label column */
	long pred;	      /* prediction column; -1: none */
	long weight;	      /* weight column; -1: every row weighs 1 */
	const char *positive; /* the positive value, positive_len bytes */
	size_t positive_len;
	size_t max_groups; /* cap on groups (0: the default; <= 2^31) */
} prep_fairness_params;

/* The counts and rates of one group, or of a side of the summary. */
typedef struct prep_fairness_rates {
	uint64_t n;	/* rows, whatever their weight */
	uint64_t n_pos; /* rows with a positive label (unweighted) */
	uint64_t n_sel; /* rows with a positive prediction (unweighted) */
	double w;	/* sum of weights */
	double w_pos;	/* ... of rows with a positive label */
	double w_sel;	/* ... with a positive prediction */
	double w_tp;	/* ... with both positive */
	double w_fp;	/* ... with a positive prediction, negative label */
	double base_rate, selection_rate;
	double tpr, fpr, precision; /* NAN without a prediction column */
} prep_fairness_rates;

typedef struct prep_fairness_summary {
	double disparate_impact;
	double statistical_parity_difference;
	double equal_opportunity_difference;
	double average_odds_difference;
	double equalized_odds_difference;
} prep_fairness_summary;

/*
 * Gates: a metric past its bound, or NAN, fails. Bounds are compared with
 * gate.h's slack (1e-12, relative above 1), so a disparate impact of 1 up
 * to rounding passes --min-di 1.
 */
typedef struct prep_fairness_gates {
	int min_di_set, max_spd_set, max_eod_set;
	double min_di;	/* fail when disparate_impact < min_di */
	double max_spd; /* fail when |statistical_parity_difference| > max */
	double max_eod; /* fail when |equal_opportunity_difference| > max */
} prep_fairness_gates;

#define PREP_FAIRNESS_FAIL_DI 1u
#define PREP_FAIRNESS_FAIL_SPD 2u
#define PREP_FAIRNESS_FAIL_EOD 4u

/*
 * A table for rows laid out as p describes (p->positive is copied).
 * PREP_ERR_ARG for no group column or a cap past 2^31.
 */
prep_status prep_fairness_new(const prep_fairness_params *p,
			      prep_fairness **out);
void prep_fairness_free(prep_fairness *f);

/*
 * Count one row (its fields must cover every column p names). A weight
 * that is empty or not a number (prep_parse_number's syntax) is
 * PREP_ERR_VALUE, one below 0 or above PREP_FAIRNESS_MAX_WEIGHT
 * PREP_ERR_RANGE; more groups than the cap is PREP_ERR_LIMIT. A refused
 * row leaves the table as it was.
 */
prep_status prep_fairness_add(prep_fairness *f, const prep_field *row);
/*
 * The same with the row's number given, for a table of some of the rows
 * (a thread's, fairness_state.h prep_fairness_merge_places): it orders
 * the groups by first appearance; numbers must increase from call to
 * call.
 */
prep_status prep_fairness_add_at(prep_fairness *f, const prep_field *row,
				 uint64_t first);

/* Number of groups seen. */
size_t prep_fairness_groups(const prep_fairness *f);
/* Was the table made with a prediction column? */
int prep_fairness_has_pred(const prep_fairness *f);

/*
 * The values of group id's columns into values[0..ngroups), in the order
 * of p->groups; valid until the next prep_fairness_add. PREP_ERR_ARG for
 * an id out of range.
 */
prep_status prep_fairness_group_values(const prep_fairness *f, size_t id,
				       prep_field *values);

/* The counts and rates of group id. */
prep_status prep_fairness_group_rates(const prep_fairness *f, size_t id,
				      prep_fairness_rates *r);

/* The counts and rates of every row. */
void prep_fairness_total(const prep_fairness *f, prep_fairness_rates *r);

/*
 * The id of the group whose values are values[0..ngroups), or
 * PREP_ERR_NOT_FOUND.
 */
prep_status prep_fairness_find(const prep_fairness *f, const prep_field *values,
			       size_t *id);

/*
 * A group named by text, as --privileged names it: with one group column
 * the text is its value as it stands (':' and ',' and all); with several,
 * their values in order separated by ':' or by ','
 * (prep_classes_split_name). A text that splits both ways keeps both
 * readings, and the table decides (prep_fairness_name_find).
 */
typedef struct prep_fairness_name {
	prep_field *colon, *comma; /* the readings; NULL: no such reading */
} prep_fairness_name;

/*
 * Read text (borrowed: n points into it) as the name of a group of
 * ngroups columns. PREP_ERR_VALUE when it splits neither way (fewer
 * separators than ngroups - 1), PREP_ERR_NOMEM; n is then empty.
 */
prep_status prep_fairness_name_parse(const char *text, size_t ngroups,
				     prep_fairness_name *n);
void prep_fairness_name_free(prep_fairness_name *n);

/*
 * The id of the group n names: the one reading the table has.
 * PREP_ERR_NOT_FOUND when it has neither, PREP_ERR_ARG when the two
 * readings name two different groups, PREP_ERR_NOMEM.
 */
prep_status prep_fairness_name_find(const prep_fairness *f,
				    const prep_fairness_name *n, size_t *id);

/*
 * The five metrics: privileged (a group id) against every other row, or,
 * with privileged -1, over every group. PREP_ERR_ARG for an id out of
 * range.
 */
prep_status prep_fairness_summarize(const prep_fairness *f, long privileged,
				    prep_fairness_summary *s);

/*
 * The rates of r from its sums w, w_pos, w_sel, w_tp, w_fp and w_neg
 * (the weight of the rows with a negative label), as a group's (tpr, fpr
 * and precision NAN without a prediction column): for tables counted
 * elsewhere (a profile's group counts, drift(1)).
 */
void prep_fairness_rates_fill(prep_fairness_rates *r, double w_neg,
			      int has_pred);

/*
 * The metrics over every group (Fairlearn's forms above) of rates added
 * one group at a time: init, add each group's rates, end.
 */
struct prep_fairness_range {
	double lo, hi;
	int na, seen;
};
typedef struct prep_fairness_over {
	struct prep_fairness_range sr, tpr, fpr;
} prep_fairness_over;
void prep_fairness_over_init(prep_fairness_over *o);
void prep_fairness_over_add(prep_fairness_over *o,
			    const prep_fairness_rates *r);
void prep_fairness_over_end(const prep_fairness_over *o,
			    prep_fairness_summary *s);

/* The gates of g that s fails, as PREP_FAIRNESS_FAIL_* bits; 0: passed. */
unsigned prep_fairness_check(const prep_fairness_summary *s,
			     const prep_fairness_gates *g);

/*
 * Reports. Rates in the table and in the metric lines have 10
 * significant digits (printf's %.10g), NA for NAN; in JSON they follow
 * json.h's rule (a whole number as an integer, else 15 significant
 * digits, null for NAN). The rate columns, in this order, are base_rate
 * and selection_rate, then, with a prediction column, tpr, fpr and
 * precision. names[0..ngroups) are the names of the group columns (header
 * fields, or the columns' numbers without a header), borrowed.
 */

/*
 * The table, as CSV records on w: with names, a header record "NAME...,
 * n,RATE..." first (names NULL: none); then one record per group, in the
 * order of first appearance: the group's values, its number of rows n,
 * its rates. Returns the writer's status.
 */
prep_status prep_fairness_report_table(const prep_fairness *f,
				       const prep_field *names, prep_writer *w);

/*
 * The report as one JSON object on one line, written raw to w:
 * {"disparate_impact":X,"statistical_parity_difference":X,
 * "equal_opportunity_difference":X,"average_odds_difference":X,
 * "equalized_odds_difference":X,"groups":[GROUP...]} where each GROUP is
 * {"NAME":"VALUE"...,"n":N,"RATE":X...}, in the order of the table; then,
 * when g sets a gate, "satisfied":true or false (prep_fairness_check) as
 * the last key. f NULL (an input without columns): "groups":[]. Names and
 * values are expected to be UTF-8 (prep_fairness_json_names,
 * prep_fairness_json_group); a NUL in a name cuts it and an invalid byte
 * becomes U+FFFD. PREP_ERR_NOMEM, or the writer's status.
 */
prep_status prep_fairness_report_json(const prep_fairness *f,
				      const prep_field *names,
				      const prep_fairness_summary *s,
				      const prep_fairness_gates *g,
				      prep_writer *w);

/*
 * The metric lines, "NAME: X\n" for each of the five metrics in the order
 * of prep_fairness_summary, then, when g sets a gate, "satisfied: yes\n"
 * or "satisfied: no\n". PREP_ERR_IO when out could not take them.
 */
prep_status prep_fairness_report_metrics(FILE *out,
					 const prep_fairness_summary *s,
					 const prep_fairness_gates *g);

/*
 * Can names[0..ngroups) be keys of the JSON report's group objects? Each
 * must be UTF-8 text without a NUL (else PREP_ERR_UTF8, *bad its index),
 * not "n" nor a rate's name, any of the five, with or without a
 * prediction column (else PREP_ERR_ARG, *bad its index, *other ngroups),
 * and not an earlier one's (else PREP_ERR_ARG, *other < *bad the earlier
 * one's index). The first fault of the lowest index is reported.
 */
prep_status prep_fairness_json_names(const prep_field *names, size_t ngroups,
				     size_t *bad, size_t *other);

/*
 * Are the values of group id UTF-8, as JSON strings need? PREP_OK, or
 * PREP_ERR_UTF8 with *bad the index (in p->groups) of the first that is
 * not; PREP_ERR_ARG for an id out of range.
 */
prep_status prep_fairness_json_group(const prep_fairness *f, size_t id,
				     size_t *bad);

#endif
