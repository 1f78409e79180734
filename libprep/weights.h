/*
 * weights.h: reweighing, weights that make the label independent of the
 * group (reweight(1)).
 *
 * After Kamiran and Calders, "Data preprocessing techniques for
 * classification without discrimination", Knowledge and Information
 * Systems 33(1), 2012, §4.2 "Reweighing": a row of group g and label y
 * gets the weight
 *
 *	W(g,y) = n_g * n_y / (n * n_{g,y})
 *
 * the count the cell would have if label and group were independent,
 * divided by the count it has; under these weights P(y | g) = P(y) for
 * every group and label whose cell has rows. A group is the tuple of
 * several columns' values (their intersection), compared byte for byte.
 * Without a label column the groups are equalized instead:
 * W(g) = n / (G * n_g), G the number of groups with a count above 0, so
 * that every group weighs n / G and all of them n.
 *
 * With a weight column, each row counts as its own weight (a finite
 * number >= 0) and its output weight is that weight times W: every count
 * above is then a sum of weights, added exactly and rounded once
 * (exactsum.c), so that it does not depend on the order of the rows;
 * otherwise a count of rows, exact up to 2^53. A cell whose count is 0
 * (no rows, or rows of weight 0 only) has no W (NA); a row of weight 0
 * gets 0 wherever it is.
 *
 * Use: prep_weights_add every row, prep_weights_finish once, then
 * prep_weights_row for the weight of each row (a second pass over the
 * same rows) and prep_weights_cell for the table. Memory follows the
 * cells that have rows (one key, its counts and the weight's text each),
 * the groups and the labels, never the rows. A table's state, for the
 * partials of reweight(1), and the merge of two tables are
 * weights_state.h's.
 */
#ifndef PREP_WEIGHTS_H
#define PREP_WEIGHTS_H

#include <stdint.h>
#include <stddef.h>

#include "buf.h"
#include "csv.h"
#include "prep.h"

#define PREP_WEIGHTS_DEFAULT_MAX ((size_t)10000000)

/* How weights are written: 15 significant digits, shortest form. */
#define PREP_WEIGHTS_FORMAT "%.15g"

typedef struct prep_weights prep_weights;

/*
 * A table for rows whose group is the tuple of fields group[0..ngroup)
 * (ngroup >= 1), whose label is field label (-1: none) and whose own
 * weight is field weight (-1: every row weighs 1). max (0: the default)
 * caps the groups, the labels and the cells with rows, each.
 */
prep_status prep_weights_new(const size_t *group, size_t ngroup, long label,
			     long weight, size_t max, prep_weights **out);
void prep_weights_free(prep_weights *w);

/*
 * Count one row. The weight field must be a number (prep_parse_number's
 * syntax, finite): otherwise PREP_ERR_VALUE; a negative one (-0 is 0) is
 * PREP_ERR_RANGE. PREP_ERR_LIMIT past the cap; PREP_ERR_ARG after
 * prep_weights_finish. A row refused for its weight or a cap leaves the
 * table as it was.
 */
prep_status prep_weights_add(prep_weights *w, const prep_field *row);
/*
 * The same with the number of the row given, for a table of some of the
 * rows (a thread's, weights_state.h prep_weights_merge_places): first
 * is what orders cells, groups and labels by first appearance; numbers
 * must increase from call to call.
 */
prep_status prep_weights_add_at(prep_weights *w, const prep_field *row,
				uint64_t first);

/*
 * prep_weights_add_at, and the id of the row's cell in *cell (ids from
 * 0, in the order the table met the cells, below prep_weights_cells)
 * and its own weight in *own (1 without a weight column).
 */
prep_status prep_weights_add_cell(prep_weights *w, const prep_field *row,
				  uint64_t first, size_t *cell, double *own);
/* The cells that have rows. */
size_t prep_weights_cells(const prep_weights *w);

/*
 * Compute the weights, once, after the last row. PREP_ERR_VALUE when
 * there are rows but their weights sum to 0, PREP_ERR_RANGE when a sum
 * of weights overflows; PREP_ERR_ARG when called twice. No rows is fine.
 */
prep_status prep_weights_finish(prep_weights *w);

/*
 * The weight of a row counted before prep_weights_finish: W of its cell,
 * times its own weight with a weight column (0 for a row of weight 0).
 * *value gets it (may be NULL) and *text, *len its text in
 * PREP_WEIGHTS_FORMAT, valid until the next call. PREP_ERR_NOT_FOUND for
 * a row of no known cell, PREP_ERR_VALUE or _RANGE for a weight
 * prep_weights_add would refuse, PREP_ERR_ARG before prep_weights_finish.
 */
prep_status prep_weights_row(prep_weights *w, const prep_field *row,
			     double *value, const char **text, size_t *len);

/*
 * The same for one of several threads: w is only read (after
 * prep_weights_finish, with at least one row counted), the caller gives
 * the key buffer and buf, PREP_WEIGHTS_TEXT bytes that *text points
 * into.
 */
#define PREP_WEIGHTS_TEXT 24
prep_status prep_weights_row_r(const prep_weights *w, const prep_field *row,
			       prep_buf *key, char *buf, double *value,
			       const char **text, size_t *len);

/*
 * prep_weights_row_r in two steps, for a second pass that keeps each
 * row's cell rather than the row: the row's cell id and own weight (1
 * without a weight column), with prep_weights_row_r's statuses but for
 * the text; then the weight of a row of that cell and own weight, and
 * its text, as prep_weights_row_r gives them (PREP_ERR_ARG for an id
 * that is no cell's).
 */
prep_status prep_weights_row_cell(const prep_weights *w, const prep_field *row,
				  prep_buf *key, size_t *cell, double *own);
prep_status prep_weights_cell_text(const prep_weights *w, size_t cell,
				   double own, char *buf, double *value,
				   const char **text, size_t *len);

/* Data rows counted. */
uint64_t prep_weights_rows(const prep_weights *w);
/* Groups and labels seen, in order of first appearance; labels is 1
 * without a label column (one label for every row). */
size_t prep_weights_groups(const prep_weights *w);
size_t prep_weights_labels(const prep_weights *w);
/* After prep_weights_finish: n, and the cells of groups x labels whose
 * count is 0 (no W). */
double prep_weights_total(const prep_weights *w);
uint64_t prep_weights_empty_cells(const prep_weights *w);

/* Field i (0 .. ngroup-1) of group g, and the label of id y ("" for
 * every id without a label column). Not NUL-terminated. */
prep_field prep_weights_group_field(const prep_weights *w, size_t g, size_t i);
prep_field prep_weights_label(const prep_weights *w, size_t y);

/* One cell of the table. Without a label column n_y is n and n_gy is
 * n_g. */
typedef struct prep_weights_cell_info {
	double n_g, n_y, n_gy; /* counts, or sums of weights */
	int empty;	       /* n_gy is 0: no weight (NA) */
	double weight;	       /* W(g,y), or W(g); 0 when empty */
} prep_weights_cell_info;

/*
 * The cell of group g and label y, after prep_weights_finish; PREP_ERR_ARG
 * for ids out of range or before it. Cells without rows are reported too.
 */
prep_status prep_weights_cell(const prep_weights *w, size_t g, size_t y,
			      prep_weights_cell_info *out);

/*
 * The table of cells (reweight -v) as CSV records on wr, after
 * prep_weights_finish. First a header record: the name of each group
 * column, then of the label column if there is one, each as
 * prep_columns_label gives it from header[0..ncols) (header NULL: their
 * 1-based numbers), then n_g, n_y, n_gy and weight. Then one record per
 * cell, groups in order of first appearance and each group's labels in
 * order of first appearance too, empty cells included: the group's
 * fields, the label (with a label column), the three counts and W, each
 * in PREP_WEIGHTS_FORMAT, W "NA" for an empty cell. For example, groups
 * F (labels 1, 0 with 1 and 2 rows) and M (labels 1, 0 with 2 and 1
 * rows) of columns sex and label:
 *
 *	sex,label,n_g,n_y,n_gy,weight
 *	F,1,3,3,1,1.5
 *	F,0,3,3,2,0.75
 *	M,1,3,3,2,0.75
 *	M,0,3,3,1,1.5
 *
 * Writes records only: the caller finishes and frees wr. PREP_ERR_ARG
 * before prep_weights_finish, else the writer's first failure.
 */
prep_status prep_weights_report(const prep_weights *w, const prep_field *header,
				size_t ncols, prep_writer *wr);

#endif
