/*
 * hierarchy.h: ARX-style generalization hierarchies for anonymize's
 * hierarchy:FILE:LEVEL action.
 *
 * A hierarchy is a CSV file without a header, one row per original value:
 * column 0 the value, column i its generalization at level i (ARX's
 * layout, most specific first):
 *
 *	39;35-39;30-39;20-39;*
 *
 * The delimiter is detected from the first line: whichever of ';' ',' TAB
 * '|' occurs most often there outside quotes (ties in that order; none of
 * them: one column). The file is read with the project's CSV reader, so
 * quoting, CRLF, a byte order mark and gzip compression are all handled as
 * for data, and every row must have as many fields as the first.
 *
 * Only column 0 and the requested level are kept, in a hash table: memory
 * grows with the file's size, lookups take constant time. Values are
 * compared byte for byte.
 */
#ifndef PREP_HIERARCHY_H
#define PREP_HIERARCHY_H

#include <stddef.h>

#include "prep.h"

/* At most this many rows (values) in one hierarchy: PREP_ERR_LIMIT. */
#define PREP_HIERARCHY_MAX_ROWS ((size_t)10000000)

typedef struct prep_hierarchy prep_hierarchy;

/*
 * Load path, keeping the generalization at level (0 maps every value to
 * itself). Errors, with *where set (where->file is path itself, line the
 * physical line of the record, field 1-based or 0):
 * - PREP_ERR_IO: the file can't be opened or read (errno tells why);
 * - PREP_ERR_ARG: path is "-" (standard input carries the data), the file
 *   has no rows, the rows have no column for level (line of the first
 *   row), a row's cell at level is empty (that row, field level+1), or a
 *   value appears twice (line of the second, field 1);
 * - PREP_ERR_LIMIT: more than PREP_HIERARCHY_MAX_ROWS rows, or more than
 *   1 GiB of kept text;
 * - any error of the CSV reader (PREP_ERR_RAGGED, PREP_ERR_QUOTE, ...).
 * where may be NULL.
 */
prep_status prep_hierarchy_load(const char *path, size_t level,
				prep_hierarchy **out, prep_where *where);

/*
 * The same, and *why (when why is not NULL) is set on PREP_ERR_ARG and
 * PREP_ERR_LIMIT to a short static English phrase saying which problem it
 * is ("duplicate value", ...), never containing data; else to NULL.
 */
prep_status prep_hierarchy_load_why(const char *path, size_t level,
				    prep_hierarchy **out, prep_where *where,
				    const char **why);

/*
 * The generalization of in[0..len) at the loaded level: *res (borrowed
 * from h, valid until prep_hierarchy_free, NUL-terminated) and *res_len.
 * PREP_ERR_NOT_FOUND when the value is not in the hierarchy. The empty
 * value is found only when the file lists it (an empty column 0); the
 * caller decides what a missing empty value means.
 */
prep_status prep_hierarchy_lookup(const prep_hierarchy *h, const char *in,
				  size_t len, const char **res,
				  size_t *res_len);

/*
 * With level PREP_HIERARCHY_ALL every level is kept (kanon searches them
 * all), each checked as the requested level is; prep_hierarchy_lookup then
 * gives level 1, and rows and cells are read with these two.
 */
#define PREP_HIERARCHY_ALL ((size_t)-1)

/* The row (0-based, file order) of value in[0..len), or PREP_ERR_NOT_FOUND. */
prep_status prep_hierarchy_row(const prep_hierarchy *h, const char *in,
			       size_t len, size_t *row);

/*
 * The cell of row at level (0: the value; 1 .. prep_hierarchy_levels).
 * Levels above 0 only when every level was kept. Borrowed from h,
 * NUL-terminated.
 */
prep_field prep_hierarchy_cell(const prep_hierarchy *h, size_t row,
			       size_t level);

/* Number of generalization levels in the file (columns after the first). */
size_t prep_hierarchy_levels(const prep_hierarchy *h);

/* Number of values (rows) in the file. */
size_t prep_hierarchy_size(const prep_hierarchy *h);

/*
 * The SHA-256 of the hierarchy's content, into out: its rows and levels
 * and every cell, not the file's bytes, so the same hierarchy written
 * with another delimiter, other quotes or gzip-compressed has the same
 * digest (kanon's partials name their hierarchies by it). Only for a
 * hierarchy loaded with every level (PREP_HIERARCHY_ALL): PREP_ERR_ARG
 * otherwise; PREP_ERR_NOMEM, PREP_ERR_CRYPTO.
 */
prep_status prep_hierarchy_digest(const prep_hierarchy *h,
				  unsigned char out[32]);

/* The delimiter that was detected. */
int prep_hierarchy_delim(const prep_hierarchy *h);

void prep_hierarchy_free(prep_hierarchy *h);

#endif
