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

#endif
