/* Unit tests of libprep/missing.c: the list, its default and its caps. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "missing.h"

#define IS(m, s) prep_missing_is(m, s, strlen(s))

Test(missing, default_is_the_empty_cell)
{
	cr_assert(IS(NULL, ""));
	cr_assert_not(IS(NULL, "NA"));
	cr_assert_not(IS(NULL, " "));
}

Test(missing, list_replaces_the_default)
{
	prep_missing *m;

	cr_assert_eq(prep_missing_new("NA", &m), PREP_OK);
	cr_assert(IS(m, "NA"));
	cr_assert_not(IS(m, ""));
	cr_assert_not(IS(m, "na"));
	cr_assert_not(IS(m, "NAN"));
	prep_missing_free(m);
}

Test(missing, empty_item_keeps_the_empty_cell)
{
	prep_missing *m;

	cr_assert_eq(prep_missing_new("NA,,-", &m), PREP_OK);
	cr_assert(IS(m, "NA"));
	cr_assert(IS(m, ""));
	cr_assert(IS(m, "-"));
	cr_assert_not(IS(m, "--"));
	prep_missing_free(m);
	cr_assert_eq(prep_missing_new("", &m), PREP_OK);
	cr_assert(IS(m, ""));
	cr_assert_not(IS(m, "NA"));
	prep_missing_free(m);
}

Test(missing, caps)
{
	char list[64 * 3 + 8], big[PREP_MISSING_MAX_LEN + 2];
	prep_missing *m;
	size_t i;

	/* 64 values are accepted, 65 are not */
	for (list[0] = '\0', i = 0; i < 64; i++)
		sprintf(list + strlen(list), "%s%zu", i ? "," : "", i % 10);
	cr_assert_eq(prep_missing_new(list, &m), PREP_OK);
	prep_missing_free(m);
	strcat(list, ",x");
	cr_assert_eq(prep_missing_new(list, &m), PREP_ERR_LIMIT);
	cr_assert_null(m);
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	cr_assert_eq(prep_missing_new(big, &m), PREP_ERR_LIMIT);
	big[sizeof big - 2] = '\0';
	cr_assert_eq(prep_missing_new(big, &m), PREP_OK);
	cr_assert(prep_missing_is(m, big, strlen(big)));
	prep_missing_free(m);
}

/* The values as listed, a value twice there twice; NULL: the empty cell. */
Test(missing, values_listed)
{
	prep_missing *m;
	prep_field f;

	cr_assert_eq(prep_missing_count(NULL), 1);
	f = prep_missing_value(NULL, 0);
	cr_assert_eq(f.len, 0);
	cr_assert_eq(prep_missing_new("NA,,n/a,NA", &m), PREP_OK);
	cr_assert_eq(prep_missing_count(m), 4);
	f = prep_missing_value(m, 0);
	cr_assert(f.len == 2 && memcmp(f.data, "NA", 2) == 0);
	cr_assert_eq(prep_missing_value(m, 1).len, 0);
	f = prep_missing_value(m, 2);
	cr_assert(f.len == 3 && memcmp(f.data, "n/a", 3) == 0);
	f = prep_missing_value(m, 3);
	cr_assert(f.len == 2 && memcmp(f.data, "NA", 2) == 0);
	cr_assert_eq(prep_missing_value(m, 4).len, 0);
	prep_missing_free(m);
}
