/*
 * aggregate_partial.h: the state of dpnoise's aggregate mode in a
 * partial (man5/prep-partial.5, "STATES", dpnoise), and its merge.
 *
 * A run over a part of the input takes the state of its rows after the
 * contribution bounding and before any noise: per group, the number of
 * rows and the exact sum of their clamped values (exactsum.h). States of
 * all the parts, added into one aggregation made with the same
 * parameters, give exactly the groups a run over the whole input would
 * have, so its release, with the same generator, is the very release of
 * that run. This holds with an id column only when every row of an id is
 * in one part (the caller sees to it: dpnoise --part-by).
 *
 * The state, one JSON object, its members in this order:
 *   "by"        the --by columns as the input names them (its header's
 *               names, or their 1-based numbers without one), each as
 *               prep_json_bytes writes bytes (partial_input.h); []
 *               without --by
 *   "delimiter" the input's delimiter, one byte (partial_input.h)
 *   "groups"    the groups that have rows, sorted by key (field by
 *               field, bytes as unsigned, a prefix first), each
 *               {"key": [field, ...], "count": N, "sum": S}: the key's
 *               fields (prep_json_bytes), the rows kept (a whole number
 *               from 1), and for a sum or a mean the exact sum of their
 *               values in exactsum.h's JSON form (an integer, or a text
 *               "0xMpE", either with its sign)
 *   "keys"      with a public list of keys, the SHA-256 (lowercase hex)
 *               of the list: each key as the varint-length tuple of
 *               strset.h with a NUL after each field, in the list's
 *               order; else null
 * Reading one refuses, with a reason that quotes nothing of it, any
 * other shape, a group twice or out of order, a key of another length or
 * (with keys) not in the list, a count of 0 or past 2^63 - 1, a sum that
 * is not in the text form, is not within count * [lo, hi] or, for an
 * integer sum, not whole.
 */
#ifndef PREP_AGGREGATE_PARTIAL_H
#define PREP_AGGREGATE_PARTIAL_H

#include <jansson.h>
#include <stddef.h>

#include "aggregate.h"
#include "partial_input.h"

/*
 * The state of a's rows (after the last one, before the release; the
 * ids' reservoirs are summed into their groups now) in *out, a new JSON
 * object. in: the input's delimiter and the names of a's nby key columns
 * (names NULL when there are none). PREP_ERR_ARG after the release;
 * PREP_ERR_NOMEM.
 */
prep_status prep_agg_state(prep_agg *a, const prep_partial_input *in,
			   json_t **out);

/*
 * The input of a state, its "by" and "delimiter", in *in (free with
 * prep_partial_input_free; names NULL without key columns).
 * PREP_ERR_VALUE, with why (n bytes), for a state that is not an object
 * of the four members, or whose "by" or "delimiter" is not of their
 * form; PREP_ERR_NOMEM.
 */
prep_status prep_agg_state_input(const json_t *state, prep_partial_input *in,
				 char *why, size_t n);

/*
 * Add the groups of a state to a, an aggregation made with the
 * parameters of the runs that wrote the states (a's nby key columns, its
 * keys loaded), before the release. PREP_ERR_VALUE with why (n bytes)
 * for a state refused (see above; with keys, also one of another list);
 * PREP_ERR_RANGE when the counts added pass 2^63 - 1; PREP_ERR_LIMIT
 * past the cap on groups; PREP_ERR_MEMORY, PREP_ERR_NOMEM. On any error
 * a may hold part of the state: discard it.
 */
prep_status prep_agg_state_add(prep_agg *a, const json_t *state, char *why,
			       size_t n);

/*
 * Add the groups of src, an aggregation of other rows made with dst's
 * parameters, to dst, both before the release: what the rows of both in
 * one aggregation would give (through src's state, as a merge of
 * partials adds them). Statuses as prep_agg_state's and
 * prep_agg_state_add's (PREP_ERR_LIMIT past dst's cap on groups); on
 * an error dst may hold part of src.
 */
prep_status prep_agg_merge(prep_agg *dst, prep_agg *src);

#endif
