/*
 * fairness_impl.h: the inside of a table of group rates, shared by
 * fairness.c (counting, metrics, reports) and fairness_state.c (its state
 * for the partials of fairness, and merging). Not an API.
 */
#ifndef PREP_FAIRNESS_IMPL_H
#define PREP_FAIRNESS_IMPL_H

#include "buf.h"
#include "classes.h"
#include "exactsum.h"
#include "fairness.h"

/* A group's rows by label (y) and prediction (p): the confusion cells. */
enum { CELL_TP, CELL_FP, CELL_FN, CELL_TN, NCELLS };

struct fairness_group {
	uint64_t n, n_pos, n_sel, n_tp; /* rows: all, y+, p+, both */
	uint64_t first;			/* the number of its first row */
};

struct fairness_span {
	size_t off, len;
};

struct prep_fairness {
	size_t *cols; /* group columns */
	size_t ncols;
	size_t maxcol; /* largest group column */
	size_t label;
	long pred, weight;
	char *positive;
	size_t positive_len;
	prep_classes *classes;
	struct fairness_group *g;    /* per group id */
	struct fairness_span *spans; /* per group id, ncols each, into values */
	prep_exactsum *wsum; /* with a weight column: NCELLS per group id */
	size_t cap;	     /* groups g, spans and wsum have room for */
	prep_buf values;     /* the groups' values, each NUL-terminated */
	uint64_t rows;	     /* rows counted */
	prep_field *row;     /* maxcol + 1 fields, for fairness_group_at */
};

/*
 * The id of the group of values values[0 .. ncols); a new group, of no
 * rows and first row first, when there is none (*added 1). Every buffer
 * is made big enough first: a group refused (PREP_ERR_LIMIT past the cap,
 * PREP_ERR_MEMORY, PREP_ERR_NOMEM) leaves the table as it was.
 */
prep_status fairness_group_at(prep_fairness *f, const prep_field *values,
			      uint64_t first, size_t *id, int *added);

#endif
