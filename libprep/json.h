/*
 * json.h: JSON documents of the reports, built with jansson, under one
 * rule for numbers and one policy for running out of memory.
 *
 * Numbers: a whole number of magnitude below 2^53 is written as an
 * integer (3, not 3.0), any other finite number with 15 significant
 * digits, and NaN (a figure that does not exist, such as a rate of an
 * empty group) as null.
 *
 * Memory: the builders never stop half-way. Each takes an ok flag that
 * the first failure (a NULL value, a failed insertion) clears, keeps
 * building, and frees what it could not insert; prep_json_text then
 * returns PREP_ERR_NOMEM instead of a document with holes.
 */
#ifndef PREP_JSON_H
#define PREP_JSON_H

#include <jansson.h>
#include <stdint.h>

#include "csv.h"
#include "prep.h"

/* v by the rule for numbers above (NULL when out of memory). */
json_t *prep_json_number(double v);

/* A JSON string of s[0..n), invalid UTF-8 replaced by U+FFFD. */
json_t *prep_json_string(const char *s, size_t n);

/*
 * Set o[key] (key: n bytes, which may hold a NUL or invalid UTF-8: cut
 * at the NUL, invalid bytes replaced) to val, taking val's reference;
 * *ok becomes 0 on failure. o may be NULL (then *ok is 0 already).
 */
void prep_json_set(json_t *o, const char *key, json_t *val, int *ok);
void prep_json_setn(json_t *o, const char *key, size_t n, json_t *val, int *ok);

/* Append val to array a, taking val's reference; *ok 0 on failure. */
void prep_json_append(json_t *a, json_t *val, int *ok);

/*
 * o as one compact line, keys in insertion order, ending in '\n', in
 * *text (free it); takes o's reference. PREP_ERR_NOMEM when !ok or the
 * text can't be made.
 */
prep_status prep_json_text(json_t *o, int ok, char **text);

/* The same, written to w as bytes (prep_writer_raw); a writer's status. */
prep_status prep_json_write(json_t *o, int ok, prep_writer *w);

/*
 * Readers of the sketches' saved states (sketch_*.c), which refuse
 * anything but their own shape.
 */

/* j is a JSON integer in [lo, hi]: 0 and its value in *v; else -1. */
int prep_json_uint(const json_t *j, uint64_t lo, uint64_t hi, uint64_t *v);

/* Is every key of object o one of keys[0 .. n)? */
int prep_json_only_keys(const json_t *o, const char *const *keys, size_t n);

/*
 * A byte string as a JSON string: the text itself when it is UTF-8
 * without a NUL and does not begin with "hex:", else "hex:" and its bytes
 * in lowercase hexadecimal (so that any value, binary included, survives
 * a round trip). NULL when out of memory.
 */
json_t *prep_json_bytes(const char *s, size_t len);
/*
 * The bytes of such a JSON string s[0..len) in *out (malloc'd, *olen
 * bytes and a NUL; the caller frees it): NULL, or a short static reason
 * why it is not in prep_json_bytes's form (a "hex:" form of odd length or
 * not lowercase hexadecimal, or of a value that needed none; a NUL
 * outside the hex form). NULL with *out NULL when out of memory.
 */
const char *prep_json_bytes_read(const char *s, size_t len, char **out,
				 size_t *olen);

/*
 * A JSON syntax error in words that quote nothing of the text (which may
 * be a file given by mistake: a key, personal data): one of jansson's
 * fixed phrases ("':' expected"), or its kind by error code.
 */
const char *prep_json_syntax_phrase(const json_error_t *je);

/*
 * text[0..len) as one JSON document, duplicate keys refused: PREP_OK and
 * *out; PREP_ERR_VALUE with the 1-based *line and *column of the syntax
 * error and why ("not valid JSON: " and the phrase above, n bytes);
 * PREP_ERR_NOMEM.
 */
prep_status prep_json_parse(const char *text, size_t len, json_t **out,
			    int *line, int *column, char *why, size_t n);

#endif
