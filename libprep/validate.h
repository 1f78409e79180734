/*
 * validate.h: the checks of `validate`, one record at a time.
 *
 * A validator looks at the header (blank, duplicate, and, with a schema,
 * incorrect, missing and extra labels) and at each data record: its
 * length against the header's (missing-cell, extra-cell), blank rows,
 * invalid UTF-8 (encoding-error), the schema's types and constraints
 * (schema.h) and, when asked, personal data in any cell (pii.h). It
 * returns the record's errors as codes with field numbers and messages
 * that never hold a cell's value. Memory is constant except for the
 * schema's unique and primary-key sets and the header's labels.
 *
 * Error codes are Frictionless Data's (https://specs.frictionlessdata.io/
 * / frictionless-py's error catalogue), plus pii-error, and source-error
 * for a record the CSV reader could not read at all.
 */
#ifndef PREP_VALIDATE_H
#define PREP_VALIDATE_H

#include <stddef.h>

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
 * Check the header record h[0..n); records are then expected to have n
 * cells. *issues (owned by the validator) lists the label errors in
 * field order. PREP_ERR_NOMEM.
 */
prep_status prep_validator_header(prep_validator *v, const prep_field *h,
				  size_t n, const prep_vissue **issues,
				  size_t *nissues);
/* Without a header: records are expected to have ncols cells. */
void prep_validator_columns(prep_validator *v, size_t ncols);

/*
 * Check one data record f[0..n). *issues lists its errors in field order,
 * the row's own (blank-row, primary-key) last; a blank row (every cell
 * empty) has that error only. PREP_ERR_LIMIT when a unique or primary-key
 * set is full, PREP_ERR_NOMEM.
 */
prep_status prep_validator_row(prep_validator *v, const prep_field *f, size_t n,
			       const prep_vissue **issues, size_t *nissues);

#endif
