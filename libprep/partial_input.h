/*
 * partial_input.h: the input a partial's state was counted from, as much
 * of it as a merge needs to report as one run over the whole input would:
 * the input's delimiter (the dialect of the reports) and the names of the
 * columns the filter reads (the reports' headers, JSON keys). Shared by
 * the states of reweight and fairness (weights_state.h, fairness_state.h);
 * with the order of keys and the first-refusal record that the states'
 * readers (dpnoise's too) use alike.
 *
 * In a state: "delimiter" the one byte, and the names as an array, each
 * as prep_json_bytes writes it (json.h), so that any header survives.
 */
#ifndef PREP_PARTIAL_INPUT_H
#define PREP_PARTIAL_INPUT_H

#include <jansson.h>

#include "prep.h"

/*
 * The input's delimiter and the names of its columns that a state
 * names (header fields, or their numbers without a header); names NULL
 * for an input without columns. One read from a state owns its memory
 * (prep_partial_input_free); one a caller fills in is the caller's.
 */
typedef struct prep_partial_input {
	int delim;
	prep_field *names;
	size_t nnames;
	char *text; /* the names' bytes, of one read from a state */
} prep_partial_input;

void prep_partial_input_free(prep_partial_input *in);

/* The same delimiter and names? */
int prep_partial_input_same(const prep_partial_input *a,
			    const prep_partial_input *b);

/* The delimiter as a JSON string; NULL when out of memory. */
json_t *prep_partial_delim_json(int delim);
/* names[0 .. n) as a JSON array of strings; NULL when out of memory. */
json_t *prep_partial_names_json(const prep_field *names, size_t n);

/*
 * A delimiter read: one byte, not a quote, CR, LF or NUL. NULL and
 * *delim, or why not.
 */
const char *prep_partial_delim_read(const json_t *j, int *delim);

/*
 * The names of the array names (1 .. max strings), then extra (a string,
 * or NULL for none), into in->names (in->delim is left as it is):
 * PREP_OK; PREP_ERR_VALUE with *why; PREP_ERR_NOMEM, PREP_ERR_MEMORY.
 */
prep_status prep_partial_names_read(const json_t *names, const json_t *extra,
				    size_t max, prep_partial_input *in,
				    const char **why);

/*
 * Tuples of n values in the order of states' keys: value by value, bytes
 * compared as unsigned, a prefix before what it begins: < 0, 0, > 0.
 */
int prep_partial_values_cmp(const prep_field *a, const prep_field *b, size_t n);

/* The first refusal of a state's reader: kept once set. */
typedef struct prep_state_refusal {
	prep_status st; /* PREP_OK: none yet */
	const char *why;
} prep_state_refusal;

/* Record st and why unless a refusal is recorded already; returns -1,
 * for a reader's "return prep_state_refuse(...)". */
int prep_state_refuse(prep_state_refusal *r, prep_status st, const char *why);

#endif
