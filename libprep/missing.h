/*
 * missing.h: the cell values that mean "missing".
 *
 * A set of strings given as a comma-separated list (--missing NA,), with
 * the meaning of Table Schema's missingValues: a cell is missing when its
 * bytes equal one of them exactly. The list replaces the default, which
 * is the empty string alone; an empty item in the list keeps it
 * ("NA," is NA and the empty string). A NULL set is the default, so code
 * that is handed no set treats exactly the empty cell as missing.
 */
#ifndef PREP_MISSING_H
#define PREP_MISSING_H

#include <stddef.h>

#include "prep.h"

typedef struct prep_missing prep_missing;

/* At most this many values, each at most PREP_MISSING_MAX_LEN bytes. */
#define PREP_MISSING_MAX_VALUES 64
#define PREP_MISSING_MAX_LEN 256

/*
 * Parse a comma-separated list ("" is the empty string alone). Returns
 * PREP_ERR_LIMIT past the caps above, PREP_ERR_NOMEM.
 */
prep_status prep_missing_new(const char *list, prep_missing **out);
void prep_missing_free(prep_missing *m);

/* 1 when s[0..len) is a missing value of m (NULL m: when len is 0). */
int prep_missing_is(const prep_missing *m, const char *s, size_t len);

/*
 * The values of m in the order of the list (a value listed twice is
 * there twice): prep_missing_count of them, value i by
 * prep_missing_value (borrowed). A NULL m has one, the empty string.
 */
size_t prep_missing_count(const prep_missing *m);
prep_field prep_missing_value(const prep_missing *m, size_t i);

#endif
