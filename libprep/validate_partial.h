/*
 * validate_partial.h: the state of validate over a part of its input
 * (validate --partial), and the merge of the parts' states into the
 * report one run over the whole input gives (validate --merge);
 * man5/prep-partial.5, "validate".
 *
 * Every check of validate is of one record, but two: a value of a unique
 * field and a primary key must not repeat an earlier row's, wherever that
 * row is. So a part's state holds what its own run found, less what the
 * header gives (the merge checks the header once): its rows and valid
 * rows, its errors counted by code and the first of them listed (as many
 * as the report lists: enough for the whole run's first ones), and, for
 * each unique field and the primary key, every key the part saw with the
 * row, file and line of its first occurrence there and whether that row
 * was valid. The merge takes the parts in the order of the input: a key
 * a part saw first that an earlier part had is a duplicate the part could
 * not know, and the merge adds its unique-error (or primary-key error) to
 * its row, where the whole run reports it, making the row invalid. Rows
 * are the parts' own numbers, made the whole run's by counting the rows
 * of the parts before; lines and files are the parts' as they read them.
 *
 * Keys are the schema's canonical keys (schema.h), written as bytes.
 * Memory: a state holds one entry per distinct key, as the schema's sets
 * do; a merge holds every part's state and the union of their keys, from
 * the memcap.h budget where it grows with the keys.
 */
#ifndef PREP_VALIDATE_PARTIAL_H
#define PREP_VALIDATE_PARTIAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "missing.h"
#include "prep.h"
#include "schema.h"
#include "validate.h"

typedef struct prep_vstate prep_vstate;

/*
 * What of a run shapes a part's state or the verdict: the options of its
 * partial, which a merge must be given too. The schema (its SHA-256),
 * the --pii types (pii.h), --mostly, --max-errors, --max-keys (the
 * schema's limit), --missing (NULL: the empty cell), whether there is a
 * header (-H), --allow-empty, --lazy-quotes and --max-field (which decide
 * the source-errors).
 */
typedef struct prep_vstate_options {
	const prep_schema *schema; /* NULL: none */
	unsigned pii;
	double mostly;
	size_t max_errors, max_keys;
	const prep_missing *missing;
	int header, allow_empty, lazy_quotes;
	size_t max_field;
} prep_vstate_options;

/*
 * The options as man5/prep-partial.5's JSON object: {"schema":HEX|null,
 * "pii":[TYPE...] (sorted),"mostly":F,"max_errors":N,"max_keys":N,
 * "missing":[...] (prep_partial_missing),"header":B,"allow_empty":B,
 * "lazy_quotes":B,"max_field":N}. NULL when out of memory.
 */
json_t *prep_vstate_options_json(const prep_vstate_options *o);

/* Most columns and files a state read may name. */
#define PREP_VSTATE_MAX_COLUMNS ((size_t)1 << 20)
#define PREP_VSTATE_MAX_FILES ((size_t)1 << 20)
/* Longest message of a listed error read, bytes. */
#define PREP_VSTATE_MAX_MESSAGE 1024

/*
 * An empty state of a run checking against schema (borrowed; NULL: none,
 * and so no key sets). PREP_ERR_NOMEM.
 */
prep_status prep_vstate_new(const prep_schema *schema, prep_vstate **out);
void prep_vstate_free(prep_vstate *st);

/*
 * Building the state of a part, in the order of the run:
 * - prep_vstate_input: the input, read from file (the place where.file
 *   names, NULL when unknown): empty (not a record, not even a header),
 *   or its header h[0..n) (NULL: none) and the cells records are held to
 *   (prep_validator_ncols). The labels are copied.
 * - prep_vstate_row: after prep_validator_row on record f[0..n), which
 *   is row in the part's numbering at w and had nissues errors: the keys
 *   the record added to the schema's sets, with their place.
 * - prep_vstate_report: at the end, the part's report (which must not
 *   have the header's errors: the merge notes them once): its rows,
 *   valid rows, counts and listed errors are copied.
 * PREP_ERR_NOMEM, PREP_ERR_MEMORY (memcap.h).
 */
prep_status prep_vstate_input(prep_vstate *st, int empty, const prep_field *h,
			      size_t n, size_t ncols, const char *file);
prep_status prep_vstate_row(prep_vstate *st, const prep_validator *v,
			    uint64_t row, prep_where w, const prep_field *f,
			    size_t n, size_t nissues);
prep_status prep_vstate_report(prep_vstate *st, const prep_vreport *r);

/*
 * The state as man5/prep-partial.5's JSON object (keys of every key set
 * sorted by their bytes: the same rows give the same bytes); NULL when
 * out of memory.
 */
json_t *prep_vstate_to_json(const prep_vstate *st);

/*
 * A state from its JSON form, for a run against schema (NULL: none)
 * listing max_errors errors: PREP_ERR_VALUE with a static reason in *why,
 * which quotes nothing of it, for anything prep_vstate_to_json would not
 * have written for such a run (its key sets not the schema's, a key
 * twice, more errors listed than max_errors or than counted, counts that
 * do not add up, a row, file or code out of range). PREP_ERR_NOMEM,
 * PREP_ERR_MEMORY, PREP_ERR_CRYPTO.
 */
prep_status prep_vstate_from_json(const json_t *j, const prep_schema *schema,
				  size_t max_errors, prep_vstate **out,
				  const char **why);

/*
 * The whole run's report from the states of its parts[0 .. n), in the
 * order of the input, into r (new, listing what the run lists) and v (a
 * new validator against the same schema, to which the header is given:
 * it names the fields in the report; the states must outlive both).
 * The header's errors are noted once; each part's errors follow in the
 * whole run's order with the duplicates across parts added; a part that
 * stopped at a source-error ends the input there, as the run would.
 * Parts that are all empty give the run's source-error for an empty
 * input unless allow_empty. Returns
 * - PREP_ERR_VALUE, *which the part and *why the reason, when a part's
 *   header (or width) differs from the first part's;
 * - PREP_ERR_LIMIT, *at the place of the key, when the union of the keys
 *   of a set passes the schema's max_keys where the run would have;
 * - PREP_ERR_NOMEM, PREP_ERR_MEMORY, PREP_ERR_CRYPTO.
 */
prep_status prep_vstate_merge(prep_vstate *const *parts, size_t n,
			      int allow_empty, prep_validator *v,
			      prep_vreport *r, prep_where *at, size_t *which,
			      const char **why);

#endif
