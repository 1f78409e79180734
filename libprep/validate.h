/*
 * validate.h: the checks of `validate`, one record at a time, the
 * quarantine rows of its --rejects file and its report.
 *
 * A validator looks at the header (blank, duplicate, and, with a schema,
 * incorrect, missing and extra labels) and at each data record: its
 * length against the header's and the schema's (missing-cell,
 * extra-cell), blank rows, invalid UTF-8 (encoding-error), the schema's
 * types and constraints (schema.h) and, when asked, personal data in
 * every cell whatever else is wrong with it (pii.h). It returns the
 * record's errors as codes with field numbers and messages that never
 * hold a cell's value. Memory is constant except for the schema's unique
 * and primary-key sets and the header's labels.
 *
 * A report (prep_vreport, validate_report.c) counts a run's errors by
 * code, keeps the first of them for the listing, counts rows and valid
 * rows, and says whether the run passes; it writes itself as text lines
 * or as one JSON object, to a prep_buf, a string or a FILE *. It never
 * prints by itself.
 *
 * Error codes are Frictionless Data's (https://specs.frictionlessdata.io/
 * / frictionless-py's error catalogue), plus pii-error, and source-error
 * for input the CSV reader could not read at all (or that is empty).
 */
#ifndef PREP_VALIDATE_H
#define PREP_VALIDATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "csv.h"
#include "missing.h"
#include "prep.h"
#include "schema.h"

enum prep_vcode {
	PREP_V_BLANK_LABEL,
	PREP_V_DUPLICATE_LABEL,
	PREP_V_INCORRECT_LABEL,
	PREP_V_MISSING_LABEL,
	PREP_V_EXTRA_LABEL,
	PREP_V_BLANK_ROW,
	PREP_V_MISSING_CELL,
	PREP_V_EXTRA_CELL,
	PREP_V_ENCODING,
	PREP_V_TYPE,
	PREP_V_CONSTRAINT,
	PREP_V_UNIQUE,
	PREP_V_PRIMARY_KEY,
	PREP_V_PII,
	PREP_V_SOURCE,
	PREP_V_NCODES
};

/* "blank-label", "type-error", ... for a code; "error" for anything else. */
const char *prep_vcode_name(int code);

/* One error: 1-based field number (0: the whole row), code, message. */
typedef struct prep_vissue {
	size_t field;
	int code;
	const char *message; /* valid until the next call on the validator */
} prep_vissue;

typedef struct prep_validator prep_validator;

/*
 * A validator against schema (borrowed, may be NULL) that also looks for
 * the personal data types of pii_types (a mask of pii.h; 0: none).
 */
prep_status prep_validator_new(prep_schema *schema, unsigned pii_types,
			       prep_validator **out);
void prep_validator_free(prep_validator *v);

/*
 * Without a schema, the values that mean missing (borrowed; NULL: the
 * empty cell): a record of missing values is a blank-row. With a schema,
 * its missingValues decide and m is not used.
 */
void prep_validator_set_missing(prep_validator *v, const prep_missing *m);

/*
 * Check the header record h[0..n); records are then expected to have n
 * cells, and as many as the schema has fields. h is borrowed to name the
 * fields (prep_validator_field_name): it must stay valid as long as the
 * validator is used (the CSV reader's header does). *issues (owned by the
 * validator) lists the label errors in field order. PREP_ERR_NOMEM.
 */
prep_status prep_validator_header(prep_validator *v, const prep_field *h,
				  size_t n, const prep_vissue **issues,
				  size_t *nissues);
/* Without a header: records are expected to have ncols cells. */
void prep_validator_columns(prep_validator *v, size_t ncols);

/*
 * Check one data record f[0..n). *issues lists its errors in field order,
 * the row's own (blank-row, primary-key) first for a blank row, last
 * otherwise:
 * - a position with no cell that the header or the schema has is a
 *   missing-cell (and a constraint-error before it when the schema's
 *   field is required); a cell where the header or the schema has none
 *   is an extra-cell;
 * - a cell is an encoding-error, or else it may have the schema's one
 *   type, constraint or unique error;
 * - any cell, whatever else is wrong with it, may have a pii-error after
 *   its other error;
 * - a blank row (every cell empty or, with a schema, one of its
 *   missingValues) has the blank-row error only, bar pii-errors.
 * PREP_ERR_LIMIT when a unique or primary-key set is full, PREP_ERR_NOMEM.
 */
prep_status prep_validator_row(prep_validator *v, const prep_field *f, size_t n,
			       const prep_vissue **issues, size_t *nissues);

/*
 * 1 when the schema's error of cell i (0-based) of the record f[0..n)
 * just checked would be its reported error: the cell is within the
 * header (not an extra-cell) and valid UTF-8 (not an encoding-error).
 * For a partial (validate_partial.h), whose merge finds unique errors
 * that a part could not see.
 */
int prep_validator_schema_shows(const prep_validator *v, const prep_field *f,
				size_t n, size_t i);
/* The cells a record is held to (the header's, or as set). */
size_t prep_validator_ncols(const prep_validator *v);

/* Room for a field number as text. */
#define PREP_VFIELD_NUM 24

/*
 * The name of field i (1-based): the header's label, else the schema's
 * field name, else without a header its number written in num; NULL when
 * none names it (an extra cell). *len is its length in bytes.
 */
const char *prep_validator_field_name(const prep_validator *v, size_t i,
				      size_t *len, char num[PREP_VFIELD_NUM]);

/*
 * The quarantine of --rejects, a rectangular CSV: the header's labels,
 * then "_errors" and "_extra" (nothing without a header); each rejected
 * record as its first ncols cells (empty cells for those it lacks), its
 * errors as "code:field; code:field; ..." (the code alone for an error of
 * the row), and its cells past ncols joined by delim (the writer's
 * delimiter), or an empty field. issues are those prep_validator_row gave
 * for f. PREP_ERR_LIMIT when a built field passes 256 MiB, a writer's
 * status otherwise.
 */
prep_status prep_validator_reject_header(prep_validator *v, prep_writer *w);
prep_status prep_validator_reject_row(prep_validator *v, prep_writer *w,
				      int delim, const prep_field *f, size_t n,
				      const prep_vissue *issues,
				      size_t nissues);

/*
 * The --manifest of the data written: one JSON line ending in '\n',
 * {"rows":R,"columns":[...],"sha256":"..."}, the columns being the
 * header's labels (invalid UTF-8 as U+FFFD) or, without a header, their
 * numbers as strings. *text is malloc'd. PREP_ERR_NOMEM.
 */
prep_status prep_validator_manifest(const prep_validator *v, uint64_t rows,
				    const unsigned char sha256[32],
				    char **text);

/*
 * Rows on several threads (validate -j N, par.h). A record's checks but
 * the unique and primary-key ones depend on it alone; those depend on
 * the records before it. So a worker's validator, on a schema of its
 * own (the same descriptor), is set by prep_validator_defer to put those
 * lookups off, and prep_validator_note checks a record as
 * prep_validator_row does and appends to side a note of it: rows (the
 * reader's count at the record) and w (its place), its issues, the
 * lookups put off with the place of the error each would give, and,
 * made on the worker, the record as written by the memory writer valid
 * (prep_writer_new_memory; NULL: no data output) when it has no issue,
 * as a quarantine row by rej (NULL: no --rejects; delim its delimiter)
 * when it has some, and its cells when it has lookups and rej is given.
 * *nissues (if not NULL) is the number of its issues so far: with no
 * lookup put off, they are all it has, and a record without one may be
 * written by the caller instead (valid NULL). A note is whole or absent
 * (PREP_ERR_NOMEM, a writer's status, or prep_validator_row's). Message
 * pointers in a note are the worker validator's and its schema's: keep them
 * until the notes are replayed.
 *
 * prep_validator_replay, on the calling thread in input order, reads
 * the note at *off of side on the validator whose schema keeps the sets
 * (its header set as the workers'): it makes the lookups and gives the
 * record's issues as prep_validator_row would have, in note (valid until
 * the next call), or a run of records without any (valid_run), noted
 * as one. changed: a duplicate key added an error, and the
 * bytes made on the worker are stale: the record is a quarantine row
 * (prep_validator_reject_row on note->f) if rej was given. PREP_END
 * past the last note, PREP_ERR_LIMIT when a set is full, PREP_ERR_NOMEM,
 * PREP_ERR_ARG for a note cut short.
 */
typedef struct prep_vnote {
	uint64_t valid_run; /* > 0: this many records without an issue
			       (nor bytes: valid was NULL), and nothing
			       else is set */
	uint64_t rows;
	prep_where where;
	const prep_vissue *issues;
	size_t nissues;
	int changed;
	const char *valid; /* the record as a valid row, or NULL */
	size_t valid_len;
	const char *reject; /* ... as a quarantine row, or NULL */
	size_t reject_len;
	const prep_field *f; /* its cells, when kept (else NULL) */
	size_t n;
} prep_vnote;

void prep_validator_defer(prep_validator *v);
prep_status prep_validator_note(prep_validator *v, const prep_field *f,
				size_t n, uint64_t rows, prep_where w,
				prep_writer *valid, prep_writer *rej, int delim,
				prep_buf *side, size_t *nissues);
prep_status prep_validator_replay(prep_validator *v, const prep_buf *side,
				  size_t *off, prep_vnote *note);

/* ---- the report (validate_report.c) ---- */

typedef struct prep_vreport prep_vreport;

/* A report listing at most max_listed errors (all are counted). */
prep_status prep_vreport_new(size_t max_listed, prep_vreport **out);
void prep_vreport_free(prep_vreport *r);

/*
 * An error of the table, not of a data row: a header label, a
 * source-error. It fails the run whatever the fraction of valid rows.
 * w.file must outlive the report. PREP_ERR_NOMEM.
 */
prep_status prep_vreport_table_error(prep_vreport *r, uint64_t row,
				     prep_where w, size_t field, int code,
				     const char *message);
/*
 * The header's issues (prep_validator_header) as errors of the table in
 * row 1, at line 1 of w.file whatever w.line says. PREP_ERR_NOMEM.
 */
prep_status prep_vreport_header(prep_vreport *r, prep_where w,
				const prep_vissue *issues, size_t nissues);
/*
 * An input without a single record, not even a header: frictionless-py's
 * source-error "the source is empty", of the row, in row 1 at line 1 of
 * w.file. PREP_ERR_NOMEM.
 */
prep_status prep_vreport_source_empty(prep_vreport *r, prep_where w);

/*
 * 1 when a CSV reader status is a problem of the data that validate
 * reports as a source-error rather than trouble: PREP_ERR_QUOTE,
 * PREP_ERR_UNCLOSED_QUOTE, PREP_ERR_FIELD_TOO_LONG,
 * PREP_ERR_TOO_MANY_FIELDS, PREP_ERR_LIMIT.
 */
int prep_vsource_error(prep_status st);
/*
 * The source-error message for such a status, naming the reader's caps
 * o; NULL for any other status. Written in buf.
 */
const char *prep_vsource_message(prep_status st, const prep_csv_options *o,
				 char *buf, size_t cap);
/*
 * The reader stopped with status st at place w (prep_reader_where) in
 * row: a source-error of the table with prep_vsource_message's text,
 * for field w.field when the reader stopped inside one (a stray or
 * unclosed quote, a field too long), else for the row. PREP_ERR_ARG when
 * st is not a source-error (prep_vsource_error), PREP_ERR_NOMEM.
 */
prep_status prep_vreport_source_error(prep_vreport *r, uint64_t row,
				      prep_where w, prep_status st,
				      const prep_csv_options *o);

/* A data row and its issues (none: a valid row). PREP_ERR_NOMEM. */
prep_status prep_vreport_row(prep_vreport *r, uint64_t row, prep_where w,
			     const prep_vissue *issues, size_t nissues);

/*
 * For a merge of partials (validate_partial.h), which replays the parts'
 * errors in the whole run's order: an error as prep_vreport_row notes it
 * (counted, and listed while there is room), of the table when table is
 * 1 (it fails the run); n errors of code counted, not listed (those a
 * part did not list); rows and valid rows counted; the run failed by an
 * error of the table not listed. PREP_ERR_NOMEM, PREP_ERR_ARG for a code
 * out of range.
 */
prep_status prep_vreport_note(prep_vreport *r, uint64_t row, prep_where w,
			      size_t field, int code, const char *message,
			      int table);
prep_status prep_vreport_add(prep_vreport *r, int code, uint64_t n);
void prep_vreport_add_rows(prep_vreport *r, uint64_t rows, uint64_t valid_rows);
void prep_vreport_fail(prep_vreport *r);

/*
 * Listed error i (i < prep_vreport_listed): its row, place, field
 * (1-based; 0: the row), code and message (the report's). PREP_ERR_ARG
 * past the listing.
 */
prep_status prep_vreport_error(const prep_vreport *r, size_t i, uint64_t *row,
			       prep_where *w, size_t *field, int *code,
			       const char **message);

uint64_t prep_vreport_rows(const prep_vreport *r);
uint64_t prep_vreport_valid_rows(const prep_vreport *r);
uint64_t prep_vreport_count(const prep_vreport *r, int code);

/*
 * Whether the run passes: no error of the table, and valid rows >=
 * mostly x rows (mostly from 0 to 1; at 1, every row valid).
 */
int prep_vreport_passes(const prep_vreport *r, double mostly);

/*
 * The text report, each piece appended to out; v names the fields:
 * - listed error i (i < prep_vreport_listed), one line:
 *   "FILE:LINE: row R, field N (NAME): CODE: MESSAGE\n", with
 *   "FILE:LINE: " left out when the file is unknown, ", field N (NAME)"
 *   for an error of the row, " (NAME)" when nothing names the field; in
 *   FILE and NAME control bytes and invalid UTF-8 become '?';
 * - the summary, one line: "valid: " or "invalid: ", then "R rows, V
 *   valid; " ("1 row"), then "no errors\n", or "E errors: CODE n, CODE
 *   n" ("1 error") with the codes in the order of enum prep_vcode, then
 *   "; first L listed" when errors were left out of the listing, "\n".
 */
size_t prep_vreport_listed(const prep_vreport *r);
prep_status prep_vreport_line(const prep_vreport *r, const prep_validator *v,
			      size_t i, prep_buf *out);
prep_status prep_vreport_summary(const prep_vreport *r, int valid,
				 prep_buf *out);

/*
 * The report as one compact JSON object on one line ending in '\n', keys
 * in this order: valid (true/false), rows, error_count, errors_by_code
 * ({"CODE": n, ...} in the order of enum prep_vcode, codes that occurred
 * only), truncated (errors were left out of the listing), errors (the
 * listed ones: {"row", "field_number", "field_name", "code", "message"};
 * null field_number for an error of the row, null field_name when none
 * names it; invalid UTF-8 as U+FFFD). *text is malloc'd. PREP_ERR_NOMEM.
 */
prep_status prep_vreport_json(const prep_vreport *r, const prep_validator *v,
			      int valid, char **text);

/*
 * The whole report to f: with json, prep_vreport_json's line; else each
 * listed error's line, then the summary. A failed write is left in f's
 * error indicator (ferror) for the caller to judge: a report on stderr
 * is best effort, one that is the data of -r is checked. PREP_ERR_NOMEM.
 */
prep_status prep_vreport_print(const prep_vreport *r, const prep_validator *v,
			       int valid, int json, FILE *f);

#endif
