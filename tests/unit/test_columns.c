/* Unit tests of libprep/columns.c: names, numbers, ranges, errors. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"

#define F(s)                                                                   \
	{                                                                      \
		s, sizeof(s) - 1                                               \
	}
static const prep_field hdr[] = {F("id"),  F("name"), F("3"),
				 F("zip"), F("a-b"),  F("")};

static void
expect(const char *list, const size_t *want, size_t nwant)
{
	size_t *idx, n, off, len, i;

	cr_assert_eq(
	    prep_columns_resolve(list, hdr, 6, &idx, &n, &off, &len, NULL),
	    PREP_OK, "list %s", list);
	cr_assert_eq(n, nwant, "list %s: %zu columns", list, n);
	for (i = 0; i < n; i++)
		cr_assert_eq(idx[i], want[i], "list %s item %zu", list, i);
	free(idx);
}

static void
expect_bad(const char *list, const prep_field *h, size_t off_want,
	   size_t len_want)
{
	size_t *idx = (size_t *)1, n = 9, off = 99, len = 99;

	cr_assert_eq(
	    prep_columns_resolve(list, h, 6, &idx, &n, &off, &len, NULL),
	    PREP_ERR_COLUMN, "list %s", list);
	cr_assert_null(idx);
	cr_assert_eq(n, 0);
	cr_assert_eq(off, off_want, "list %s offset %zu", list, off);
	cr_assert_eq(len, len_want, "list %s length %zu", list, len);
}

Test(columns, names)
{
	size_t w[] = {1, 3};

	expect("name,zip", w, 2);
}

Test(columns, numbers_and_ranges)
{
	size_t w1[] = {0, 3, 4, 5};
	size_t w2[] = {1, 0, 1};

	expect("1,4-6", w1, 4);
	expect("2,1,name", w2, 3); /* order and duplicates kept */
}

Test(columns, name_wins_over_number)
{
	size_t w[] = {2, 4};

	/* "3" is a header name (column 3 by position too); "a-b" is a name,
	 * not a range. */
	expect("3,a-b", w, 2);
}

Test(columns, unknown)
{
	expect_bad("name,zipp", hdr, 5, 4);
	expect_bad("7", hdr, 0, 1);
	expect_bad("0", hdr, 0, 1);
	expect_bad("4-2", hdr, 0, 3);
	expect_bad("2-9", hdr, 0, 3);
	expect_bad("id,,zip", hdr, 3, 0);
	expect_bad("ID", hdr, 0, 2); /* names are exact bytes */
}

Test(columns, no_header_numbers_only)
{
	size_t *idx, n, off, len;

	cr_assert_eq(
	    prep_columns_resolve("2-3", NULL, 3, &idx, &n, &off, &len, NULL),
	    PREP_OK);
	cr_assert_eq(n, 2);
	cr_assert_eq(idx[0], 1);
	cr_assert_eq(idx[1], 2);
	free(idx);
	expect_bad("name", NULL, 0, 4);
}

/* The closest name: distances worked out by hand. */
Test(columns, closest_name)
{
	static const prep_field h[] = {F("income"), F("zip"), F("birth"),
				       F("sex"), F("Age")};

	/* incme -> income: one insertion */
	cr_assert_eq(prep_columns_closest(h, 5, "incme", 5), 0);
	/* ZIP -> zip: letters without case, 0 edits */
	cr_assert_eq(prep_columns_closest(h, 5, "ZIP", 3), 1);
	/* bith -> birth: one insertion */
	cr_assert_eq(prep_columns_closest(h, 5, "bith", 4), 2);
	/* age -> Age (0) beats sex (3) */
	cr_assert_eq(prep_columns_closest(h, 5, "age", 3), 4);
	/* salary: 6 letters, at most 2 edits: nothing that close */
	cr_assert_eq(prep_columns_closest(h, 5, "salary", 6), (size_t)-1);
	/* sexx -> sex: one deletion */
	cr_assert_eq(prep_columns_closest(h, 5, "sexx", 4), 3);
	cr_assert_eq(prep_columns_closest(NULL, 5, "sex", 3), (size_t)-1);
}

/* Ties go to the first column; a long name is within len / 3 edits. */
Test(columns, closest_ties_and_long_names)
{
	static const prep_field h[] = {F("ab"), F("cb"),
				       F("marital_status_of_person")};

	cr_assert_eq(prep_columns_closest(h, 3, "xb", 2), 0);
	/* 7 edits away, 24 letters: limit 8 */
	cr_assert_eq(prep_columns_closest(h, 3, "marital_status", 14),
		     (size_t)-1); /* 10 deletions > 14 / 3 */
	cr_assert_eq(prep_columns_closest(h, 3, "marital-status-of-persn", 23),
		     2); /* 3 substitutions, one insertion */
}

/* by_name says whether an item was taken as a header name. */
Test(columns, resolve_says_by_name)
{
	size_t *idx, n, off, len;
	int by_name = -1;

	cr_assert_eq(prep_columns_resolve("1,4-5", hdr, 6, &idx, &n, &off, &len,
					  &by_name),
		     PREP_OK);
	cr_assert_eq(by_name, 0);
	free(idx);
	/* "3" is a header name as well as a number: taken as the name */
	cr_assert_eq(
	    prep_columns_resolve("1,3", hdr, 6, &idx, &n, &off, &len, &by_name),
	    PREP_OK);
	cr_assert_eq(by_name, 1);
	cr_assert_eq(idx[1], 2);
	free(idx);
	cr_assert_eq(
	    prep_columns_resolve("zip", hdr, 6, &idx, &n, &off, &len, &by_name),
	    PREP_OK);
	cr_assert_eq(by_name, 1);
	free(idx);
}

static void
expect_dup(const prep_field *h, size_t n, size_t first, size_t second)
{
	size_t a = 7, b = 7;

	cr_assert_eq(prep_columns_duplicate(h, n, &a, &b), PREP_OK);
	cr_assert_eq(b, second, "second %zu, want %zu", b, second);
	if (second != (size_t)-1)
		cr_assert_eq(a, first, "first %zu, want %zu", a, first);
}

/* The earliest repeat of a non-blank name, with both positions. */
Test(columns, duplicate_names)
{
	static const prep_field distinct[] = {F("id"), F("ID"), F("i d"), F(""),
					      F("")};
	static const prep_field twice[] = {F("id"), F("email"), F("zip"),
					   F("email")};
	/* zip repeats at 4 before id at 5: the smallest second position */
	static const prep_field two_pairs[] = {F("id"), F("zip"), F("x"),
					       F("zip"), F("id")};
	static const prep_field thrice[] = {F("a"), F("a"), F("a")};
	/* a name and a prefix of it are different names */
	static const prep_field prefix[] = {F("ab"), F("a"), F("abc")};

	expect_dup(distinct, 5, 0, (size_t)-1); /* blanks can't be named */
	expect_dup(twice, 4, 1, 3);
	expect_dup(two_pairs, 5, 1, 3);
	expect_dup(thrice, 3, 0, 1);
	expect_dup(prefix, 3, 0, (size_t)-1);
	expect_dup(NULL, 3, 0, (size_t)-1); /* no header */
	expect_dup(twice, 0, 0, (size_t)-1);
}

/* A long header is checked in one pass: 100,000 names, the last repeats
 * the 50,000th. */
Test(columns, duplicate_names_long_header)
{
	size_t n = 100000, i;
	prep_field *h = calloc(n, sizeof *h);
	char *names = calloc(n, 8);

	cr_assert(h && names);
	for (i = 0; i < n; i++) {
		size_t k = i == n - 1 ? 49999 : i;

		h[i].len = (size_t)snprintf(names + 8 * i, 8, "c%zu", k);
		h[i].data = names + 8 * i;
	}
	expect_dup(h, n, 49999, n - 1);
	h[n - 1].data = "c100000";
	h[n - 1].len = 7;
	expect_dup(h, n, 0, (size_t)-1);
	free(names);
	free(h);
}

/* A column's label: its header name, else its 1-based number. */
static void
expect_label(const prep_field *h, size_t ncols, size_t col, const char *want)
{
	char number[PREP_COLUMNS_LABEL_SIZE];
	prep_field f;

	memset(number, 'x', sizeof number);
	f = prep_columns_label(h, ncols, col, number);
	cr_assert_eq(f.len, strlen(want), "column %zu: %zu bytes", col, f.len);
	cr_assert(memcmp(f.data, want, f.len) == 0, "column %zu: %.*s", col,
		  (int)f.len, f.data);
}

Test(columns, label)
{
	char number[PREP_COLUMNS_LABEL_SIZE];
	prep_field f;

	expect_label(hdr, 6, 0, "id");
	expect_label(hdr, 6, 2, "3"); /* a name that is a number */
	expect_label(hdr, 6, 5, "");  /* a blank name stays blank */
	expect_label(NULL, 0, 0, "1");
	expect_label(NULL, 0, 9, "10");
	expect_label(NULL, 6, 4, "5");
	expect_label(hdr, 6, 6, "7"); /* past the header */
	expect_label(NULL, 0, (size_t)4294967295u, "4294967296");
	/* a header field is the header's own bytes, not a copy */
	f = prep_columns_label(hdr, 6, 3, number);
	cr_assert_eq(f.data, hdr[3].data);
	/* a number is NUL-terminated in the caller's buffer */
	f = prep_columns_label(NULL, 0, 122, number);
	cr_assert_eq(f.data, number);
	cr_assert_str_eq(number, "123");
}
