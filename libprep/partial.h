/*
 * partial.h: the envelope of a filter's partial state, the file that
 * --partial writes and --merge reads (man5/prep-partial.5).
 *
 * A whole-input filter run on a part of its input can write, instead of
 * its result, the exact state the whole run would have built from that
 * part's rows (class counts, group cells, sums before noise, key sets).
 * Partials of all the parts, merged, finish as the whole run would. The
 * envelope around each filter's own state is one JSON line:
 *
 *   {"format":"prep-partial","version":1,"filter":NAME,
 *    "options":{...},"part":{"i":I,"n":N,"by":COLUMN|null}|null,
 *    "state":{...},"sha256":HEX}
 *
 * options: whatever of the filter's options shapes the state or the
 * verdict, as the filter chooses to write them (the merge refuses
 * partials whose options differ from one another's or from its own).
 * part: the --part I/N (and --part-by COLUMN) that chose the rows, or
 * null for a part cut some other way (a map task's split). state: the
 * filter's own. sha256: the SHA-256, in lowercase hexadecimal, of the
 * canonical text of the document without "sha256" (jansson's compact
 * form, keys sorted, reals with 17 digits): a partial truncated or
 * edited by hand is refused. It proves nothing against someone who
 * means to forge one: anyone can compute it. A partial holds exact
 * counts of small classes and exact sums, so it is kept like the raw
 * data (written mode 0600 by the filters) and is never a release.
 */
#ifndef PREP_PARTIAL_H
#define PREP_PARTIAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "prep.h"

#define PREP_PARTIAL_VERSION 1
/* The largest partial read, bytes. */
#define PREP_PARTIAL_MAX_BYTES ((size_t)1 << 30)

/* The rows a partial was made from: part i of n (1-based), kept by byte
 * range or, with by, by the keyed hash of that column; i = 0: unknown. */
typedef struct prep_partial_part {
	uint64_t i, n;
	const char *by; /* NULL: by byte range */
} prep_partial_part;

/*
 * The text of a partial of filter (one line ending in '\n') in *text
 * (malloc'd, *len bytes); takes the references of options and state,
 * which may be NULL only when out of memory (then PREP_ERR_NOMEM).
 * part may be NULL (unknown).
 */
prep_status prep_partial_text(const char *filter, json_t *options,
			      const prep_partial_part *part, json_t *state,
			      char **text, size_t *len);

/* Why a text is not a partial, in words that quote nothing of it. */
typedef struct prep_partial_error {
	int line, column;  /* of a JSON syntax error; else 0 */
	long long version; /* the partial's version when it has one, or -1 */
	char text[160];
} prep_partial_error;

/* A partial read back; free with prep_partial_free. */
typedef struct prep_partial {
	json_t *options, *state;
	prep_partial_part part; /* part.by points into the document */
	json_t *doc;
} prep_partial;

/*
 * Parse a partial of filter: PREP_ERR_VALUE with *err filled when the
 * text is not JSON (with its line and column), not a partial, of another
 * version (err->version set) or of another filter, or fails its
 * checksum; PREP_ERR_LIMIT past PREP_PARTIAL_MAX_BYTES; PREP_ERR_NOMEM.
 */
prep_status prep_partial_parse(const char *text, size_t len, const char *filter,
			       prep_partial *out, prep_partial_error *err);

void prep_partial_free(prep_partial *p);

/*
 * NULL when the partials p[0 .. n) may be merged: options equal to one
 * another's and to options (when not NULL), and parts that are all
 * unknown or make a whole (the same n and column, each i of 1 .. n once);
 * else why not, naming the offending partial by its index in *which.
 */
const char *prep_partial_mismatch(const prep_partial *p, size_t n,
				  const json_t *options, size_t *which);

#endif
