/*
 * schema.h: Frictionless Table Schema (https://specs.frictionlessdata.io/
 * table-schema/) read with jansson (schema.c), and the typed checks of a
 * record's cells against it (schema_check.c).
 *
 * Supported:
 * - top level: fields, missingValues (an array of strings), primaryKey,
 *   fieldsMatch "exact" (fields are matched to columns by position).
 * - a field: name, type, format, constraints, trueValues, falseValues
 *   (boolean only).
 * - types: string (formats default, email, uri, uuid), integer (any
 *   length), number (NaN, INF, -INF in any letter case too), boolean,
 *   date, datetime, time (format default: ISO 8601, a datetime or time
 *   with an optional Z or +hh:mm/-hh:mm zone; or a strptime(3) pattern
 *   such as "%d/%m/%Y"), year, any. Type absent: string.
 * - constraints: required, unique, minimum, maximum, exclusiveMinimum,
 *   exclusiveMaximum (integer, number, date, datetime, time, year; the
 *   bound is read as a value of the field's type), minLength, maxLength
 *   (string; characters, not bytes), pattern (PCRE2, anchored at both
 *   ends: the whole value must match), enum (typed values).
 *
 * Keys that would change what is valid and are not implemented are an
 * error naming the key, never ignored: foreignKeys, uniqueKeys, a
 * fieldsMatch other than "exact", missingValues that is not an array of
 * strings; in a field decimalChar, groupChar, bareNumber, missingValues,
 * categories; any constraint, type or format not listed above; and a key
 * that differs from one of these or of the supported ones only by letter
 * case. Any other key is an annotation the standard allows ("$schema",
 * "title", "title@fr", "description", "rdfType", "example", a
 * publisher's own): accepted, not used, and listed by prep_schema_note()
 * so that a front end can say so. title and description (with or without
 * a language tag) must be strings.
 *
 * Constraints compare typed values: minimum on an integer compares
 * numbers (exactly, whatever their length), on a date compares dates, on
 * a time or datetime compares instants in UTC (no zone: UTC). A cell equal to
 * one of missingValues (default [""]) is missing: only `required` applies to
 * it. Unique and primary-key checks compare typed values ("01" and "1" are one
 * integer) through a keyed hash set, so their memory grows with the number of
 * distinct values; every other check runs in constant memory.
 *
 * Messages never hold a cell's value; they may quote the schema (a
 * bound, a pattern).
 */
#ifndef PREP_SCHEMA_H
#define PREP_SCHEMA_H

#include <stddef.h>

#include "buf.h"
#include "prep.h"

/* Largest schema file read; more fields than this is an error too. */
#define PREP_SCHEMA_MAX_BYTES ((size_t)4 << 20)
#define PREP_SCHEMA_MAX_FIELDS ((size_t)100000)
/* Backtracking steps (and depth) a pattern may take on one cell before
 * the cell is a constraint-error, "pattern could not be matched". */
#define PREP_PATTERN_MATCH_LIMIT 100000u

typedef struct prep_schema prep_schema;

/*
 * Where a schema is wrong. line/column (1-based) for a JSON syntax error,
 * 0 otherwise; path names the element for the rest ("fields[2].constraints
 * .minimum", "primaryKey", "" for the whole document); text says what is
 * wrong, e.g. "key 'decimalChar' is not supported". A syntax error's text
 * ("not valid JSON: ':' expected") never quotes the file, which may be
 * something else given as a schema by mistake (a key file).
 */
typedef struct prep_schema_error {
	int line, column;
	char path[160];
	char text[200];
} prep_schema_error;

/*
 * Load a schema from a file (PREP_ERR_IO with errno when unreadable,
 * PREP_ERR_LIMIT past PREP_SCHEMA_MAX_BYTES, PREP_ERR_VALUE with *err
 * filled for a malformed or unsupported schema) or from memory. err may
 * be NULL; *out is NULL on failure.
 */
prep_status prep_schema_load(const char *path, prep_schema **out,
			     prep_schema_error *err);
prep_status prep_schema_parse(const char *json, size_t len, prep_schema **out,
			      prep_schema_error *err);
void prep_schema_free(prep_schema *s);

/*
 * The keys the schema has that are accepted and not used (see above), in
 * the order of the file, each as the path of a prep_schema_error
 * ("fields[0].rdfType", "$schema"); NULL when i >= prep_schema_nnotes().
 */
size_t prep_schema_nnotes(const prep_schema *s);
const char *prep_schema_note(const prep_schema *s, size_t i);

size_t prep_schema_nfields(const prep_schema *s);
/*
 * Name of field i (0-based), NUL-terminated; its length in *len. NULL
 * (and *len = 0) when i >= prep_schema_nfields(s).
 */
const char *prep_schema_field_name(const prep_schema *s, size_t i, size_t *len);

/* Codes of the errors a row can have against a schema. */
enum prep_schema_code {
	PREP_SCHEMA_TYPE_ERROR = 1,   /* type-error */
	PREP_SCHEMA_CONSTRAINT_ERROR, /* constraint-error */
	PREP_SCHEMA_UNIQUE_ERROR,     /* unique-error */
	PREP_SCHEMA_PRIMARY_KEY_ERROR /* primary-key */
};

/* A row's error: field (0-based), or PREP_SCHEMA_ROW for the whole row. */
#define PREP_SCHEMA_ROW ((size_t)-1)
typedef struct prep_schema_issue {
	size_t field;
	int code;
	const char *message; /* valid until the next check or free */
} prep_schema_issue;

/*
 * 1 when the cell p[0..n) is one of the schema's missingValues (without
 * a schema, s NULL: when it is empty).
 */
int prep_schema_is_missing(prep_schema *s, const char *p, size_t n);

/*
 * Check one data record f[0..n) against the schema: cell i against field
 * i for i < min(n, nfields); a field past the end of a short record is
 * missing, a constraint-error when it is required (the missing-cell and
 * extra-cell errors are the caller's concern). At most one issue per cell (a
 * type error hides the constraints; among constraints the first failing in the
 * order required, minLength, maxLength, pattern, minimum, maximum,
 * exclusiveMinimum, exclusiveMaximum, enum, unique), then one for the
 * primary key; so issues needs room for nfields + 1 entries. *nissues is
 * their number. A row with a type or constraint error in a primary-key
 * field is not entered in the primary-key set; a cell with an error is
 * not entered in its unique set.
 *
 * Returns PREP_OK whatever the data holds; PREP_ERR_LIMIT when a unique
 * or primary-key set reaches max_keys (prep_schema_set_max_keys, default
 * 10,000,000; 0: no limit but memory; each set has its own count),
 * PREP_ERR_NOMEM. After an error the issues are not meaningful.
 */
prep_status prep_schema_check_row(prep_schema *s, const prep_field *f, size_t n,
				  prep_schema_issue *issues, size_t *nissues);
void prep_schema_set_max_keys(prep_schema *s, size_t max_keys);
/* The most keys of each set (0: no limit but memory); 10,000,000 unless
 * set. */
size_t prep_schema_max_keys(const prep_schema *s);

/*
 * The sets of the unique and primary-key checks, for a partial of
 * validate (man5/prep-partial.5): one per field with a unique
 * constraint, in field order, then the primary key's when there is one.
 * Set k's field (0-based), PREP_SCHEMA_ROW for the primary key's; its
 * number of keys, and key id (0 to that number - 1, in the order each
 * was first seen; borrowed, valid until the next check). A key is the
 * canonical key of its typed value (a string's bytes; an integer, a
 * date, a year as a 64-bit integer, a number as its double, a datetime or
 * time as seconds and nanoseconds, little-endian whatever the machine),
 * of a primary key the tuple of its fields' keys (strset.h's
 * prep_tuple_put): equal keys, equal values.
 */
size_t prep_schema_key_sets(const prep_schema *s);
size_t prep_schema_key_set_field(const prep_schema *s, size_t k);
size_t prep_schema_key_set_size(const prep_schema *s, size_t k);
prep_field prep_schema_key_set_key(const prep_schema *s, size_t k, size_t id);
/* The message of a duplicate in set k, as prep_schema_check_row gives
 * it (unique-error, primary-key); "" past the sets. */
const char *prep_schema_key_set_message(const prep_schema *s, size_t k);

/*
 * Rows checked on several threads (validate -j N): with keys set (NULL:
 * back to looking keys up), prep_schema_check_row on s looks nothing up
 * in the unique and primary-key sets and gives no unique-error or
 * primary-key issue; each lookup it would have made is appended to keys
 * instead, in the order it would have made it (its set k, as
 * prep_schema_key_sets numbers them, and the key). prep_schema_key_next
 * reads them back from *off on (0 at the end); prep_schema_key_enter
 * makes one lookup in set k of s (the schema that keeps the sets, on one
 * thread, in input order): *dup 1 when the key was there before, which
 * is a unique-error (prep_schema_key_set_message) or a primary-key one.
 * PREP_ERR_LIMIT as prep_schema_check_row, PREP_ERR_NOMEM, PREP_ERR_ARG
 * for a k out of range.
 */
void prep_schema_defer_keys(prep_schema *s, prep_buf *keys);
int prep_schema_key_next(const prep_buf *keys, size_t *off, size_t *k,
			 const void **key, size_t *len);
prep_status prep_schema_key_enter(prep_schema *s, size_t k, const void *key,
				  size_t len, int *dup);

/* The SHA-256 of the descriptor's bytes as they were read (the file's,
 * for prep_schema_load): two runs that checked against the same file. */
void prep_schema_sha256(const prep_schema *s, unsigned char out[32]);

#endif
