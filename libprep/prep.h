/*
 * prep.h: status codes and small types shared by every libprep module.
 *
 * Every libprep function that can fail returns a prep_status; PREP_OK is 0.
 * The library never prints, never exits and never aborts on bad data: the
 * caller turns a status into a message with prep_strerror() and the place
 * the module reports (file, line, field).
 */
#ifndef PREP_H
#define PREP_H

#include <stddef.h>

#define PREP_VERSION "0.1.0"

typedef enum prep_status {
	PREP_OK = 0,
	PREP_END,		  /* no more rows / matches: not an error */
	PREP_ERR_NOMEM,		  /* out of memory */
	PREP_ERR_IO,		  /* read or write failed; errno tells why */
	PREP_ERR_ARG,		  /* bad argument (option value, rule) */
	PREP_ERR_QUOTE,		  /* stray quote in an unquoted field */
	PREP_ERR_UNCLOSED_QUOTE,  /* quoted field still open at end of input */
	PREP_ERR_FIELD_TOO_LONG,  /* field longer than the max-field cap */
	PREP_ERR_TOO_MANY_FIELDS, /* record with more fields than the cap */
	PREP_ERR_RAGGED,	  /* field count differs from the header's */
	PREP_ERR_HEADER_MISMATCH, /* input files with different headers */
	PREP_ERR_NO_HEADER,	  /* input without a header record */
	PREP_ERR_GZIP,		  /* corrupt or truncated gzip stream */
	PREP_ERR_COLUMN,	  /* unknown column in a column list */
	PREP_ERR_VALUE,		  /* a value the action can't read */
	PREP_ERR_UTF8,		  /* invalid UTF-8 where text is needed */
	PREP_ERR_KEY,		  /* key missing, too short or unreadable */
	PREP_ERR_AUTH,		  /* token failed authentication (tampered) */
	PREP_ERR_NOT_FOUND,	  /* value missing from a lookup table */
	PREP_ERR_RANGE,		  /* number out of range */
	PREP_ERR_LIMIT,		  /* a resource cap was reached */
	PREP_ERR_CRYPTO,	  /* the crypto library failed */
	PREP_ERR_BUDGET,	  /* privacy budget would be exceeded */
	PREP_ERR_BUDGET_CHANGED,  /* a different budget for a known dataset */
	PREP_ERR_NOT_REGULAR,	  /* output target exists, not a regular file */
	PREP_ERR_MEMORY,       /* tables would pass the --max-memory budget */
	PREP_ERR_LEGACY_TOKEN, /* token without column binding, not asked for */
} prep_status;

/* A short English description of a status, never NULL. */
const char *prep_strerror(prep_status st);

/* One field of a record: bytes (NUL-terminated by the reader) and length. */
typedef struct prep_field {
	const char *data;
	size_t len;
} prep_field;

/*
 * Where a loader found a problem: file name (borrowed from the caller),
 * 1-based physical line and 1-based field number (0: unknown).
 */
typedef struct prep_where {
	const char *file;
	unsigned long line;
	size_t field;
} prep_where;

#endif
