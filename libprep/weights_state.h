/*
 * weights_state.h: the state of a table of weights (weights.h), what a
 * partial of reweight(1) holds (man5/prep-partial.5, STATES), read back,
 * and the merge of two tables.
 *
 * The state of a table is its cells, each with the values of its group,
 * its label, its count of rows, the number of its first row (from 1) and,
 * with a weight column, the exact sum of their weights (exactsum.h);
 * beside them, the rows counted and what a merge needs to report as the
 * whole run would: the input's delimiter and the names of the group and
 * label columns. Tables read from the states of the parts of an input and
 * merged in the parts' order are the table of the whole input: the same
 * cells, counts and sums, so the same weights to the last bit, and the
 * same order of first appearance of groups, labels and cells, since a
 * part's rows are numbered after the rows of the parts before it.
 *
 * As JSON, one object (values and names as prep_json_bytes writes them,
 * counts as integers):
 *
 *   {"delimiter":D,"group_columns":[NAME...],"label_column":NAME|null,
 *    "rows":N,"cells":[{"group":[VALUE...],"label":VALUE,"n":ROWS,
 *                       "first":ROW,"w":SUM}...]}
 *
 * "label" of a cell only with a label column, "w" only with a weight
 * column (prep_exactsum_json's form); cells in the order of their values,
 * group values first, each compared byte for byte (a value that is a
 * prefix of another first). An input without columns (empty) has
 * "group_columns":null, "label_column":null, "rows":0 and no cells. The
 * names are the input's (partial_input.h): the group columns', then the
 * label column's.
 */
#ifndef PREP_WEIGHTS_STATE_H
#define PREP_WEIGHTS_STATE_H

#include <jansson.h>

#include "partial_input.h"
#include "weights.h"

/* The most rows a state or a merge of them holds: counts stay exact. */
#define PREP_WEIGHTS_STATE_MAX_ROWS ((uint64_t)1 << 53)

/*
 * The state of w (before or after prep_weights_finish) counted from in,
 * whose names are w's group columns' and label column's; w NULL for an
 * input without columns (in->names NULL). NULL when out of memory or
 * when in does not fit w.
 */
json_t *prep_weights_state(const prep_weights *w, const prep_partial_input *in);

/*
 * A table (not finished) read from state, for rows that have a label
 * column (labelled) and a weight column (weighted) or not: its group
 * columns 0 .. k-1 (k the number of group names in the state), the label
 * column next, then the weight column (prep_weights_set_columns lays it
 * out for real rows); max as prep_weights_new. *in gets the input's
 * delimiter and names. *out is NULL, and so are in's names, for the state
 * of an input without columns.
 *
 * Refused with *why (a short phrase that quotes nothing of the state):
 * PREP_ERR_VALUE for anything not in the form above (a key unknown or
 * missing, a count out of range, cells out of order or twice, cells whose
 * counts do not add up to the rows, two cells of the same first row, a
 * label or a sum where there should be none, or none where there should);
 * PREP_ERR_LIMIT past max or past PREP_WEIGHTS_STATE_MAX_ROWS; and
 * PREP_ERR_MEMORY, PREP_ERR_NOMEM (*why NULL).
 */
prep_status prep_weights_from_state(const json_t *state, int labelled,
				    int weighted, size_t max,
				    prep_weights **out, prep_partial_input *in,
				    const char **why);

/*
 * The columns of the rows w will be given (prep_weights_add,
 * prep_weights_row) from now on, as prep_weights_new takes them: as many
 * group columns as w has, and a label and weight column where w has
 * them, else PREP_ERR_ARG.
 */
prep_status prep_weights_set_columns(prep_weights *w, const size_t *group,
				     size_t ngroup, long label, long weight);

/*
 * Add the rows of b to a, as rows that come after a's: their counts and
 * sums to a's cells, new cells after a's in b's order, their first rows
 * numbered after a's rows. PREP_ERR_ARG when a is finished or the two
 * differ in group columns, label or weight column; PREP_ERR_LIMIT past
 * a's cap or PREP_WEIGHTS_STATE_MAX_ROWS; PREP_ERR_RANGE when a sum of
 * weights passes exactsum.h's bound; PREP_ERR_MEMORY, PREP_ERR_NOMEM. On
 * failure a is to be freed.
 */
prep_status prep_weights_merge(prep_weights *a, const prep_weights *b);

/*
 * Add up into a (empty, not finished) the tables parts[0..n) that
 * threads counted from one input's rows, each with prep_weights_add_at
 * and first the row's place, piece << 32 | index (par.h): the cells,
 * groups and labels come in order of first appearance in the input, as
 * one table of every row would have them, and a cell's first row is
 * base[piece] + index + 1, base[p] the rows in the pieces before piece p
 * (nbase entries). Failures as prep_weights_merge's.
 */
prep_status prep_weights_merge_places(prep_weights *a,
				      prep_weights *const *parts, size_t n,
				      const uint64_t *base, size_t nbase);

/*
 * After a merge into a: map[j] the id in a of part's cell j, for j below
 * prep_weights_cells(part). PREP_ERR_NOT_FOUND when a has no such cell.
 */
prep_status prep_weights_cell_map(const prep_weights *a,
				  const prep_weights *part, size_t *map);

#endif
