/*
 * fairness_state.h: the state of a table of group rates (fairness.h),
 * what a partial of fairness(1) holds (man5/prep-partial.5, STATES), read
 * back, and the merge of two tables.
 *
 * The state of a table is its groups, each with its values, the number of
 * its first row (from 1) and its rows in the four cells of label and
 * prediction (tp: both positive, fp: prediction only, fn: label only, tn:
 * neither) and, with a weight column, the exact sums of their weights
 * (exactsum.h); beside them the rows counted and what a merge needs to
 * report as the whole run would (partial_input.h): the input's delimiter
 * and the names of the group columns. Tables read from the states of the
 * parts of an input and merged in the parts' order are the table of the
 * whole input: the same counts and sums, so the same rates and metrics to
 * the last digit, and the groups in the same order of first appearance,
 * since a part's rows are numbered after the rows of the parts before
 * it.
 *
 * As JSON, one object (values and names as prep_json_bytes writes them,
 * counts as integers):
 *
 *   {"delimiter":D,"group_columns":[NAME...],"rows":N,
 *    "groups":[{"values":[VALUE...],"first":ROW,"tp":A,"fp":B,"fn":C,
 *               "tn":D,"w_tp":SUM,"w_fp":SUM,"w_fn":SUM,"w_tn":SUM}...]}
 *
 * The w_ sums only with a weight column (prep_exactsum_json's form).
 * Without a prediction column the label is the prediction: fp and fn are
 * 0. Groups in the order of their values, each compared byte for byte (a
 * value that is a prefix of another first). An input without columns
 * (empty) has "group_columns":null, "rows":0 and no groups.
 */
#ifndef PREP_FAIRNESS_STATE_H
#define PREP_FAIRNESS_STATE_H

#include <jansson.h>

#include "fairness.h"
#include "partial_input.h"

/* The most rows a state or a merge of them holds: counts stay exact. */
#define PREP_FAIRNESS_STATE_MAX_ROWS ((uint64_t)1 << 53)

/*
 * The state of f counted from in, whose names are f's group columns'; f
 * NULL for an input without columns (in->names NULL). NULL when out of
 * memory or when in does not fit f.
 */
json_t *prep_fairness_state(const prep_fairness *f,
			    const prep_partial_input *in);

/*
 * A table read from state, for rows with a prediction column (has_pred)
 * and a weight column (weighted) or not: its group columns 0 .. k-1 (k
 * the number of names in the state), the label column next, then the
 * prediction and the weight column, and the positive value
 * positive[0 .. positive_len); max_groups as prep_fairness_params's. *in
 * gets the input's delimiter and names. *out is NULL, and so are in's
 * names, for the state of an input without columns.
 *
 * Refused with *why (a short phrase that quotes nothing of the state):
 * PREP_ERR_VALUE for anything not in the form above (a key unknown or
 * missing, a count out of range, groups out of order or twice, groups
 * whose counts do not add up to the rows, two groups of the same first
 * row, false predictions without a prediction column, a sum of weights
 * above the count's times PREP_FAIRNESS_MAX_WEIGHT, sums where there
 * should be none, or none where there should); PREP_ERR_LIMIT past
 * max_groups or PREP_FAIRNESS_STATE_MAX_ROWS; PREP_ERR_MEMORY,
 * PREP_ERR_NOMEM (*why NULL).
 */
prep_status prep_fairness_from_state(const json_t *state, int has_pred,
				     int weighted, const char *positive,
				     size_t positive_len, size_t max_groups,
				     prep_fairness **out,
				     prep_partial_input *in, const char **why);

/*
 * Add the rows of b to a, as rows that come after a's: their counts and
 * sums to a's groups, new groups after a's in b's order, their first rows
 * numbered after a's rows. PREP_ERR_ARG when the two differ in group
 * columns, prediction or weight column; PREP_ERR_LIMIT past a's cap or
 * PREP_FAIRNESS_STATE_MAX_ROWS; PREP_ERR_RANGE when a sum of weights
 * passes exactsum.h's bound; PREP_ERR_MEMORY, PREP_ERR_NOMEM. On failure
 * a is to be freed.
 */
prep_status prep_fairness_merge(prep_fairness *a, const prep_fairness *b);

/*
 * Add up into a (empty) the tables parts[0..n) that threads counted from
 * one input's rows, each with prep_fairness_add_at and first the row's
 * place, piece << 32 | index (par.h): the groups come in order of first
 * appearance in the input, as one table of every row would have them,
 * and a group's first row is base[piece] + index + 1, base[p] the rows
 * in the pieces before piece p (nbase entries). Failures as
 * prep_fairness_merge's.
 */
prep_status prep_fairness_merge_places(prep_fairness *a,
				       prep_fairness *const *parts, size_t n,
				       const uint64_t *base, size_t nbase);

#endif
