/*
 * columns.h: column lists as users write them on the command line.
 *
 * A list is comma-separated; each item is a header name (exact bytes), a
 * 1-based column number, or a range N-M of numbers. A name that is also a
 * number is taken as the name. Indexes come back 0-based, in the order
 * written, duplicates kept.
 */
#ifndef PREP_COLUMNS_H
#define PREP_COLUMNS_H

#include <stddef.h>

#include "prep.h"

/*
 * Resolve list against header[0..ncols) (header may be NULL: numbers only).
 * On PREP_OK *idx (malloc'd, free it) holds *n indexes, and *by_name (when
 * not NULL) is 1 if some item was taken as a header name. On
 * PREP_ERR_COLUMN the offending item is list[*bad_off .. *bad_off +
 * *bad_len).
 */
prep_status prep_columns_resolve(const char *list, const prep_field *header,
				 size_t ncols, size_t **idx, size_t *n,
				 size_t *bad_off, size_t *bad_len,
				 int *by_name);

/*
 * A name that header[0..ncols) holds twice, which a column list could
 * not name without ambiguity: on PREP_OK, *second is (size_t)-1 when
 * every non-blank name is distinct, else the 0-based positions *first <
 * *second of the earliest repeat (the smallest *second; blank names, which
 * no list can name, are left out). Linear expected time.
 */
prep_status prep_columns_duplicate(const prep_field *header, size_t ncols,
				   size_t *first, size_t *second);

/*
 * The header name closest to name[0..len), for a "did you mean" hint:
 * the index of the name with the fewest edits (Levenshtein distance,
 * letters compared without case), provided it needs at most
 * max(2, len / 3) of them; (size_t)-1 when none is that close. Names
 * longer than PREP_COLUMNS_HINT_MAX bytes are not considered. Ties go to
 * the first column.
 */
#define PREP_COLUMNS_HINT_MAX 256
size_t prep_columns_closest(const prep_field *header, size_t ncols,
			    const char *name, size_t len);

/*
 * The name of column col (0-based) as reports and messages show it: its
 * header field header[col], or, without a header (header NULL) or past
 * its ncols fields, the column's 1-based number written in decimal into
 * number[] (NUL-terminated), which the result then points to. Use the
 * result's length: a header field need not end in a NUL.
 */
#define PREP_COLUMNS_LABEL_SIZE 24 /* the longest number and its NUL */
prep_field prep_columns_label(const prep_field *header, size_t ncols,
			      size_t col, char number[PREP_COLUMNS_LABEL_SIZE]);

#endif
