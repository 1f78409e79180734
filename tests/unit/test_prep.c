/*
 * test_prep.c: unit tests of libprep/prep.c, the text of the status
 * codes (prep.h).
 *
 * Every status has its own text, fit to end a message such as
 * "TOOL: FILE:LINE: TEXT": not empty, one line of printable ASCII, no
 * final period. A value that is no status gets a fallback, never NULL.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <string.h>

#include "prep.h"

/* Every status of prep.h, in the enum's order. */
static const prep_status all[] = {
    PREP_OK,
    PREP_END,
    PREP_ERR_NOMEM,
    PREP_ERR_IO,
    PREP_ERR_ARG,
    PREP_ERR_QUOTE,
    PREP_ERR_UNCLOSED_QUOTE,
    PREP_ERR_FIELD_TOO_LONG,
    PREP_ERR_TOO_MANY_FIELDS,
    PREP_ERR_RAGGED,
    PREP_ERR_HEADER_MISMATCH,
    PREP_ERR_NO_HEADER,
    PREP_ERR_GZIP,
    PREP_ERR_COLUMN,
    PREP_ERR_VALUE,
    PREP_ERR_UTF8,
    PREP_ERR_KEY,
    PREP_ERR_AUTH,
    PREP_ERR_NOT_FOUND,
    PREP_ERR_RANGE,
    PREP_ERR_LIMIT,
    PREP_ERR_CRYPTO,
    PREP_ERR_BUDGET,
    PREP_ERR_BUDGET_CHANGED,
    PREP_ERR_NOT_REGULAR,
    PREP_ERR_MEMORY,
    PREP_ERR_LEGACY_TOKEN,
};
#define NALL (sizeof all / sizeof *all)

static const char fallback[] = "unknown error";

Test(prep, status_values)
{
	size_t i;

	/* 0 is success, and the codes run 0, 1, 2, ... with no gap */
	cr_assert_eq(PREP_OK, 0);
	for (i = 0; i < NALL; i++)
		cr_assert_eq((size_t)all[i], i, "status %zu is %d", i,
			     (int)all[i]);
}

Test(prep, every_status_has_its_own_text)
{
	size_t i, j, k;

	for (i = 0; i < NALL; i++) {
		const char *t = prep_strerror(all[i]);

		cr_assert_not_null(t, "status %zu", i);
		cr_assert_gt(strlen(t), 0, "status %zu: empty text", i);
		cr_assert_str_neq(t, fallback, "status %zu: no text", i);
		for (k = 0; t[k] != '\0'; k++)
			cr_assert(t[k] >= ' ' && t[k] <= '~',
				  "status %zu: byte %zu of \"%s\"", i, k, t);
		cr_assert_neq(t[strlen(t) - 1], '.', "status %zu: \"%s\"", i,
			      t);
		for (j = 0; j < i; j++)
			cr_assert_str_neq(t, prep_strerror(all[j]),
					  "statuses %zu and %zu share \"%s\"",
					  j, i, t);
	}
}

/* A few texts the filters' messages and their tests rely on. */
Test(prep, known_texts)
{
	cr_assert_str_eq(prep_strerror(PREP_OK), "success");
	cr_assert_str_eq(prep_strerror(PREP_ERR_RAGGED),
			 "wrong number of fields");
	cr_assert_str_eq(prep_strerror(PREP_ERR_UTF8), "invalid UTF-8");
}

/* Past the last status, below the first, far off: the fallback. The
 * value right after the last one is the first test to fail when a status
 * is added without its place in all[] above. */
Test(prep, unknown_values)
{
	static const int odd[] = {-1, 1000, INT_MAX, INT_MIN};
	size_t i;

	cr_assert_str_eq(prep_strerror((prep_status)NALL), fallback);
	cr_assert_str_eq(prep_strerror((prep_status)(NALL + 1)), fallback);
	for (i = 0; i < sizeof odd / sizeof *odd; i++) {
		const char *t = prep_strerror((prep_status)odd[i]);

		cr_assert_not_null(t, "value %d", odd[i]);
		cr_assert_str_eq(t, fallback, "value %d", odd[i]);
	}
}
