/*
 * weights_impl.h: the inside of a table of weights, shared by weights.c
 * (counting, weighing, the report) and weights_state.c (its state for
 * the partials of reweight, and merging). Not an API.
 */
#ifndef PREP_WEIGHTS_IMPL_H
#define PREP_WEIGHTS_IMPL_H

#include "buf.h"
#include "exactsum.h"
#include "strset.h"
#include "weights.h"

/* A weight's text: "%.15g" of a double >= 0 takes at most 21 bytes. */
#define WEIGHTS_TEXT_MAX PREP_WEIGHTS_TEXT

struct weights_cell {
	uint32_t group, label;
	uint64_t rows;	   /* rows counted in the cell */
	uint64_t first;	   /* the number of its first row, from 1 */
	prep_exactsum sum; /* with a weight column: their weights */
	double n;	   /* the count: rows, or sum rounded (finish) */
	double w;	   /* W, set by prep_weights_finish */
	int empty;	   /* count 0: no W */
	unsigned char textlen;
	char text[WEIGHTS_TEXT_MAX];
};

struct prep_weights {
	size_t *group;
	size_t ngroup;
	long label, weight;
	size_t max;
	/* keys: a cell's is its group's (prep_tuple_put of the group fields)
	 * followed by the label's tuple; a group's and a label's, their own */
	prep_strset cells, groups, labels;
	struct weights_cell *cell; /* per cell id */
	size_t cell_cap;
	uint64_t rows;
	prep_buf key;	   /* the current row's cell key */
	size_t group_part; /* bytes of key that are the group */
	int finished;
	/* from prep_weights_finish */
	double *n_g, *n_y; /* per group, per label */
	double n;
	size_t live_groups; /* groups whose count is above 0 */
	uint64_t empty_cells;
	size_t *run;   /* cells of group g: order[run[g] .. run[g+1]) */
	size_t *order; /* cell ids by group, then label */
	char text[WEIGHTS_TEXT_MAX];
};

/*
 * The id of the cell of key[0 .. len), whose first group_part bytes are
 * its group's key and label (NULL without a label column) its label; a
 * new cell, of no rows and first row first, when there is none. Every cap
 * is checked before the first change: PREP_ERR_LIMIT past one, and the
 * table is as it was.
 */
prep_status weights_cell_at(prep_weights *w, const char *key, size_t len,
			    size_t group_part, const prep_field *label,
			    uint64_t first, size_t *id);

#endif
