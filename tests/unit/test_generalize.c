/*
 * test_generalize.c: unit tests of libprep/generalize.c (mask, truncate,
 * bin, topcode, bottomcode, dates and ages); the UTF-8 and number syntax
 * they share are tested in test_text.c.
 *
 * Every expected output was worked out by hand from the rules in
 * generalize.h and anonymize(1), Actions.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "generalize.h"

/* A string literal as (pointer, length), embedded NULs included. */
#define S(lit) (lit), (sizeof(lit) - 1)

static prep_buf out;

static void
setup(void)
{
	prep_buf_init(&out, 0);
	/* Something in the buffer, to see that every action resets it. */
	prep_buf_append_str(&out, "stale");
}

static void
teardown(void)
{
	prep_buf_free(&out);
}

TestSuite(generalize, .init = setup, .fini = teardown);

/* The call returned PREP_OK and wrote exactly want. */
static void
ok(prep_status st, const char *want)
{
	cr_assert_eq(st, PREP_OK, "status %d (%s), want OK for \"%s\"", st,
		     prep_strerror(st), want);
	cr_assert_eq(out.len, strlen(want), "length %zu, want %zu (\"%s\")",
		     out.len, strlen(want), want);
	cr_assert(memcmp(out.data ? out.data : "", want, out.len) == 0,
		  "got \"%.*s\", want \"%s\"", (int)out.len,
		  out.data ? out.data : "", want);
}

/* The call failed with want and left the buffer empty. */
static void
fails(prep_status st, prep_status want)
{
	cr_assert_eq(st, want, "status %d (%s), want %d (%s)", st,
		     prep_strerror(st), want, prep_strerror(want));
	cr_assert_eq(out.len, 0, "buffer not empty after an error");
}

Test(generalize, mask_characters_not_bytes)
{
	const char *name = "Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m";

	ok(prep_mask(name, strlen(name), 0, S("*"), &out), "************");
	ok(prep_mask(name, strlen(name), 3, S("*"), &out),
	   "*********r\xc3\xb6m");
	ok(prep_mask(name, strlen(name), 10, S("*"), &out),
	   "**\xc3\xab \xc3\x85ngstr\xc3\xb6m");
	ok(prep_mask(name, strlen(name), 11, S("*"), &out),
	   "*o\xc3\xab \xc3\x85ngstr\xc3\xb6m");
	ok(prep_mask(S("Zo\xc3\xab"), 1, S("*"), &out), "**\xc3\xab");
	ok(prep_mask(S("4111111111111111"), 4, S("*"), &out),
	   "************1111");
	ok(prep_mask(S("a\0b"), 1, S("*"), &out), "**b");
}

Test(generalize, mask_keep_all)
{
	const char *name = "Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m";

	ok(prep_mask(name, strlen(name), 12, S("*"), &out), name);
	ok(prep_mask(name, strlen(name), 13, S("*"), &out), name);
	ok(prep_mask(name, strlen(name), SIZE_MAX, S("*"), &out), name);
	ok(prep_mask(S("x"), 1, S("*"), &out), "x");
}

Test(generalize, mask_multibyte_mask)
{
	/* U+2022 BULLET, 3 bytes. */
	ok(prep_mask(S("abcd"), 1, S("\xe2\x80\xa2"), &out),
	   "\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2"
	   "d");
	/* U+00E9, 2 bytes, over 2-byte characters. */
	ok(prep_mask(S("Zo\xc3\xab"), 1, S("\xc3\xa9"), &out),
	   "\xc3\xa9\xc3\xa9\xc3\xab");
	/* U+1F600, 4 bytes. */
	ok(prep_mask(S("ab"), 0, S("\xf0\x9f\x98\x80"), &out),
	   "\xf0\x9f\x98\x80\xf0\x9f\x98\x80");
	/* A 4-byte character masked by a 1-byte one. */
	ok(prep_mask(S("\xf0\x9f\x98\x80z"), 1, S("#"), &out), "#z");
}

Test(generalize, mask_empty_and_errors)
{
	ok(prep_mask(S(""), 0, S("*"), &out), "");
	ok(prep_mask(S(""), 3, S("*"), &out), "");
	fails(prep_mask(S("ab\xffz"), 0, S("*"), &out), PREP_ERR_UTF8);
	fails(prep_mask(S("ab\xffz"), 10, S("*"), &out), PREP_ERR_UTF8);
	fails(prep_mask(S("\xed\xa0\x80"), 0, S("*"), &out), PREP_ERR_UTF8);
	/* The mask must be exactly one character. */
	fails(prep_mask(S("abc"), 0, S("**"), &out), PREP_ERR_ARG);
	fails(prep_mask(S("abc"), 0, S(""), &out), PREP_ERR_ARG);
	fails(prep_mask(S("abc"), 0, NULL, 0, &out), PREP_ERR_ARG);
	fails(prep_mask(S("abc"), 0, S("\xc3"), &out), PREP_ERR_ARG);
	fails(prep_mask(S("abc"), 0, S("\xc3\xa9x"), &out), PREP_ERR_ARG);
}

Test(generalize, mask_output_cap)
{
	prep_buf small;

	prep_buf_init(&small, 5);
	cr_assert_eq(prep_mask(S("abcde"), 0, S("*"), &small), PREP_OK);
	cr_assert_str_eq(small.data, "*****");
	/* 3 characters of a 3-byte mask: 9 bytes > 5. */
	cr_assert_eq(prep_mask(S("abc"), 0, S("\xe2\x80\xa2"), &small),
		     PREP_ERR_LIMIT);
	cr_assert_eq(small.len, 0);
	prep_buf_free(&small);
}

Test(generalize, truncate)
{
	const char *name = "Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m";

	ok(prep_truncate(S("76510"), 3, S("*"), &out), "765**");
	ok(prep_truncate(S("76510"), 0, S("*"), &out), "*****");
	ok(prep_truncate(S("76510"), 1, S("*"), &out), "7****");
	ok(prep_truncate(S("76510"), 4, S("*"), &out), "7651*");
	ok(prep_truncate(S("76510"), 5, S("*"), &out), "76510");
	ok(prep_truncate(S("76510"), 9, S("*"), &out), "76510");
	ok(prep_truncate(S("76510"), SIZE_MAX, S("*"), &out), "76510");
	ok(prep_truncate(name, strlen(name), 5, S("*"), &out),
	   "Zo\xc3\xab \xc3\x85*******");
	ok(prep_truncate(name, strlen(name), 3, S("*"), &out),
	   "Zo\xc3\xab*********");
	ok(prep_truncate(S("76510"), 2, S("\xe2\x80\xa2"), &out),
	   "76\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2");
	ok(prep_truncate(S("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"), 1, S("*"),
			 &out),
	   "\xe6\x97\xa5**");
	ok(prep_truncate(S(""), 0, S("*"), &out), "");
	ok(prep_truncate(S(""), 3, S("*"), &out), "");
	fails(prep_truncate(S("765\xc0\xaf"), 3, S("*"), &out), PREP_ERR_UTF8);
	fails(prep_truncate(S("765\xc3"), 9, S("*"), &out), PREP_ERR_UTF8);
	fails(prep_truncate(S("76510"), 3, S("ab"), &out), PREP_ERR_ARG);
}

Test(generalize, bin)
{
	ok(prep_bin(S("37"), 10, &out), "30-39");
	ok(prep_bin(S("30"), 10, &out), "30-39");
	ok(prep_bin(S("39"), 10, &out), "30-39");
	ok(prep_bin(S("40"), 10, &out), "40-49");
	ok(prep_bin(S("+37"), 10, &out), "30-39");
	ok(prep_bin(S("037"), 10, &out), "30-39");
	ok(prep_bin(S("0"), 10, &out), "0-9");
	ok(prep_bin(S("-0"), 5, &out), "0-4");
	ok(prep_bin(S("9"), 10, &out), "0-9");
	ok(prep_bin(S("-3"), 10, &out), "-10--1");
	ok(prep_bin(S("-1"), 10, &out), "-10--1");
	ok(prep_bin(S("-10"), 10, &out), "-10--1");
	ok(prep_bin(S("-11"), 10, &out), "-20--11");
	ok(prep_bin(S("5"), 3, &out), "3-5");
	ok(prep_bin(S("-5"), 3, &out), "-6--4");
	ok(prep_bin(S("1234"), 100, &out), "1200-1299");
	ok(prep_bin(S("7"), 1, &out), "7-7");
	ok(prep_bin(S("-7"), 1, &out), "-7--7");
	ok(prep_bin(S(""), 10, &out), "");
}

Test(generalize, bin_extremes)
{
	ok(prep_bin(S("9223372036854775807"), 1, &out),
	   "9223372036854775807-9223372036854775807");
	ok(prep_bin(S("9223372036854775799"), 10, &out),
	   "9223372036854775790-9223372036854775799");
	ok(prep_bin(S("-9223372036854775808"), 1, &out),
	   "-9223372036854775808--9223372036854775808");
	ok(prep_bin(S("-9223372036854775808"), 8, &out),
	   "-9223372036854775808--9223372036854775801");
	/* The widest bins. */
	ok(prep_bin(S("5"), INT64_MAX, &out), "0-9223372036854775806");
	ok(prep_bin(S("-1"), INT64_MAX, &out), "-9223372036854775807--1");
	ok(prep_bin(S("-9223372036854775807"), INT64_MAX, &out),
	   "-9223372036854775807--1");
	/* Bins that end past INT64_MAX or start before INT64_MIN. */
	fails(prep_bin(S("9223372036854775807"), 10, &out), PREP_ERR_RANGE);
	fails(prep_bin(S("9223372036854775800"), 10, &out), PREP_ERR_RANGE);
	fails(prep_bin(S("-9223372036854775808"), 10, &out), PREP_ERR_RANGE);
	fails(prep_bin(S("-9223372036854775801"), 10, &out), PREP_ERR_RANGE);
	fails(prep_bin(S("-9223372036854775808"), INT64_MAX, &out),
	      PREP_ERR_RANGE);
	fails(prep_bin(S("9223372036854775807"), INT64_MAX, &out),
	      PREP_ERR_RANGE);
	/* Values that are not int64. */
	fails(prep_bin(S("9223372036854775808"), 10, &out), PREP_ERR_RANGE);
	fails(prep_bin(S("-9223372036854775809"), 10, &out), PREP_ERR_RANGE);
}

Test(generalize, bin_errors)
{
	fails(prep_bin(S("37.5"), 10, &out), PREP_ERR_VALUE);
	fails(prep_bin(S("37.0"), 10, &out), PREP_ERR_VALUE);
	fails(prep_bin(S("3.7e1"), 10, &out), PREP_ERR_VALUE);
	fails(prep_bin(S("abc"), 10, &out), PREP_ERR_VALUE);
	fails(prep_bin(S(" 37"), 10, &out), PREP_ERR_VALUE);
	fails(prep_bin(S("37 "), 10, &out), PREP_ERR_VALUE);
	fails(prep_bin(S("-"), 10, &out), PREP_ERR_VALUE);
	fails(prep_bin(S("37"), 0, &out), PREP_ERR_ARG);
	fails(prep_bin(S("37"), -10, &out), PREP_ERR_ARG);
	fails(prep_bin(S(""), 0, &out), PREP_ERR_ARG);
}

Test(generalize, topcode)
{
	ok(prep_topcode(S("100"), 100, "100", &out), "100+");
	ok(prep_topcode(S("100.0"), 100, "100", &out), "100+");
	ok(prep_topcode(S("150"), 100, "100", &out), "100+");
	ok(prep_topcode(S("1e3"), 100, "100", &out), "100+");
	ok(prep_topcode(S("99.99"), 100, "100", &out), "99.99");
	ok(prep_topcode(S("099"), 100, "100", &out), "099");
	ok(prep_topcode(S("-5"), 100, "100", &out), "-5");
	ok(prep_topcode(S(""), 100, "100", &out), "");
	/* The threshold is written as the user wrote it. */
	ok(prep_topcode(S("100"), 100, "1e2", &out), "1e2+");
	/* Decimal threshold. */
	ok(prep_topcode(S("2.5"), 2.5, "2.5", &out), "2.5+");
	ok(prep_topcode(S("2.50"), 2.5, "2.5", &out), "2.5+");
	ok(prep_topcode(S("2.51"), 2.5, "2.5", &out), "2.5+");
	ok(prep_topcode(S("2.49"), 2.5, "2.5", &out), "2.49");
	ok(prep_topcode(S("0.1"), 0.1, "0.1", &out), "0.1+");
	/* Negative threshold. */
	ok(prep_topcode(S("-10"), -10, "-10", &out), "-10+");
	ok(prep_topcode(S("-9"), -10, "-10", &out), "-10+");
	ok(prep_topcode(S("-10.5"), -10, "-10", &out), "-10.5");
	/* Zero: -0 equals 0. */
	ok(prep_topcode(S("-0"), 0, "0", &out), "0+");
	ok(prep_topcode(S("-0.001"), 0, "0", &out), "-0.001");
	fails(prep_topcode(S("abc"), 100, "100", &out), PREP_ERR_VALUE);
	fails(prep_topcode(S(" 100"), 100, "100", &out), PREP_ERR_VALUE);
	fails(prep_topcode(S("1e999"), 100, "100", &out), PREP_ERR_RANGE);
	fails(prep_topcode(S("1"), 100, NULL, &out), PREP_ERR_ARG);
}

Test(generalize, bottomcode)
{
	ok(prep_bottomcode(S("17"), 18, "18", &out), "<18");
	ok(prep_bottomcode(S("17.999"), 18, "18", &out), "<18");
	ok(prep_bottomcode(S("-3"), 18, "18", &out), "<18");
	ok(prep_bottomcode(S("18"), 18, "18", &out), "18");
	ok(prep_bottomcode(S("18.0"), 18, "18", &out), "18.0");
	ok(prep_bottomcode(S("40"), 18, "18", &out), "40");
	ok(prep_bottomcode(S(""), 18, "18", &out), "");
	/* Negative decimal threshold. */
	ok(prep_bottomcode(S("-1.5"), -1.5, "-1.5", &out), "-1.5");
	ok(prep_bottomcode(S("-1.51"), -1.5, "-1.5", &out), "<-1.5");
	ok(prep_bottomcode(S("-2"), -1.5, "-1.5", &out), "<-1.5");
	ok(prep_bottomcode(S("0"), -1.5, "-1.5", &out), "0");
	ok(prep_bottomcode(S("-1.49"), -1.5, "-1.5", &out), "-1.49");
	/* Zero: -0 is not below 0. */
	ok(prep_bottomcode(S("-0"), 0, "0", &out), "-0");
	ok(prep_bottomcode(S("-0.0001"), 0, "0", &out), "<0");
	ok(prep_bottomcode(S("0.25"), 0.5, ".5", &out), "<.5");
	fails(prep_bottomcode(S("abc"), 18, "18", &out), PREP_ERR_VALUE);
	fails(prep_bottomcode(S("nan"), 18, "18", &out), PREP_ERR_VALUE);
	fails(prep_bottomcode(S("-1e999"), 18, "18", &out), PREP_ERR_RANGE);
}

static prep_date
date_of(const char *s, size_t len)
{
	prep_date d = {-1, -1, -1};

	cr_assert_eq(prep_parse_date(s, len, &d), PREP_OK, "parse \"%.*s\"",
		     (int)len, s);
	return d;
}

static void
date_is(const char *s, size_t len, int y, int m, int d)
{
	prep_date t = date_of(s, len);

	cr_assert(t.year == y && t.month == m && t.day == d,
		  "\"%.*s\" read as %d-%d-%d", (int)len, s, t.year, t.month,
		  t.day);
}

static void
bad_date(const char *s, size_t len)
{
	prep_date d = {-1, -1, -1};

	cr_assert_eq(prep_parse_date(s, len, &d), PREP_ERR_VALUE,
		     "\"%.*s\" accepted", (int)len, s);
	cr_assert_eq(d.year, -1, "date written on error");
}

Test(generalize, parse_date)
{
	date_is(S("1980-10-05"), 1980, 10, 5);
	date_is(S("2000-02-29"), 2000, 2, 29); /* divisible by 400 */
	date_is(S("2024-02-29"), 2024, 2, 29);
	date_is(S("2023-12-31"), 2023, 12, 31);
	date_is(S("2023-04-30"), 2023, 4, 30);
	date_is(S("0000-01-01"), 0, 1, 1);
	date_is(S("0000-02-29"), 0, 2, 29); /* year 0 is a leap year */
	date_is(S("9999-12-31"), 9999, 12, 31);
	date_is("1980-10-05junk", 10, 1980, 10, 5);
	bad_date(S("1900-02-29")); /* divisible by 100, not 400 */
	bad_date(S("2023-02-29"));
	bad_date(S("2023-02-30"));
	bad_date(S("2023-04-31"));
	bad_date(S("2023-13-01"));
	bad_date(S("2023-00-10"));
	bad_date(S("2023-01-00"));
	bad_date(S("2023-01-32"));
	bad_date(S(""));
	bad_date(S("1980"));
	bad_date(S("1980-10"));
	bad_date(S("1980-1-05"));
	bad_date(S("1980-10-5"));
	bad_date(S("80-10-05"));
	bad_date(S("+1980-10-05"));
	bad_date(S("-1980-10-05"));
	bad_date(S("1980/10/05"));
	bad_date(S("19801005"));
	bad_date(S("05.10.1980"));
	bad_date(S(" 1980-10-05"));
	bad_date(S("1980-10-05 "));
	bad_date(S("1980-10-05X"));
	bad_date(S("1980-10-05\0"));
	bad_date(S("\xd9\xa1\xd9\xa9\xd9\xa8\xd9\xa0-10-05"));
}

Test(generalize, parse_datetime)
{
	date_is(S("1980-10-05T12:34"), 1980, 10, 5);
	date_is(S("1980-10-05T12:34:56"), 1980, 10, 5);
	date_is(S("1980-10-05 12:34:56"), 1980, 10, 5);
	date_is(S("1980-10-05t12:34:56"), 1980, 10, 5);
	date_is(S("1980-10-05T12:34:56.789Z"), 1980, 10, 5);
	date_is(S("1980-10-05T12:34:56,5"), 1980, 10, 5);
	date_is(S("1980-10-05T00:00:00z"), 1980, 10, 5);
	date_is(S("1980-10-05T23:59:60Z"), 1980, 10, 5); /* leap second */
	date_is(S("1980-10-05 12:34:56+02:00"), 1980, 10, 5);
	date_is(S("1980-10-05T12:34:56-05:30"), 1980, 10, 5);
	date_is(S("1980-10-05T12:34:56-0530"), 1980, 10, 5);
	date_is(S("1980-10-05T12:34+01"), 1980, 10, 5);
	date_is(S("1980-10-05T12:34Z"), 1980, 10, 5);
	/* Late in the day with an offset: still the date as written. */
	date_is(S("1980-10-05T23:30:00-08:00"), 1980, 10, 5);
	bad_date(S("1980-10-05T"));
	bad_date(S("1980-10-05 "));
	bad_date(S("1980-10-05T12"));
	bad_date(S("1980-10-05T12:3"));
	bad_date(S("1980-10-05T1:30"));
	bad_date(S("1980-10-05T24:00"));
	bad_date(S("1980-10-05T12:60"));
	bad_date(S("1980-10-05T12:34:61"));
	bad_date(S("1980-10-05T12:34:5"));
	bad_date(S("1980-10-05T12:34:56."));
	bad_date(S("1980-10-05T12:34.5")); /* fraction needs seconds */
	bad_date(S("1980-10-05T12:34:56Z0"));
	bad_date(S("1980-10-05T12:34:56ZZ"));
	bad_date(S("1980-10-05T12:34:56+1"));
	bad_date(S("1980-10-05T12:34:56+01:"));
	bad_date(S("1980-10-05T12:34:56+01:5"));
	bad_date(S("1980-10-05T12:34:56+24:00"));
	bad_date(S("1980-10-05T12:34:56+01:60"));
	bad_date(S("1980-10-05T12:34:56 +01:00"));
	bad_date(S("1980-10-05T12:34:56 "));
	bad_date(S("1980-10-05X12:34:56"));
	bad_date(S("1980-10-05T12-34-56"));
}

Test(generalize, date_valid)
{
	prep_date ok1 = {2000, 2, 29}, bad1 = {1900, 2, 29};
	prep_date bad2 = {10000, 1, 1}, bad3 = {-1, 1, 1}, bad4 = {2020, 0, 1};

	cr_assert_eq(prep_date_valid(&ok1), 1);
	cr_assert_eq(prep_date_valid(&bad1), 0);
	cr_assert_eq(prep_date_valid(&bad2), 0);
	cr_assert_eq(prep_date_valid(&bad3), 0);
	cr_assert_eq(prep_date_valid(&bad4), 0);
}

Test(generalize, date_unit_parse)
{
	prep_date_unit u = PREP_DATE_DECADE;

	cr_assert_eq(prep_date_unit_parse("year", &u), PREP_OK);
	cr_assert_eq(u, PREP_DATE_YEAR);
	cr_assert_eq(prep_date_unit_parse("month", &u), PREP_OK);
	cr_assert_eq(u, PREP_DATE_MONTH);
	cr_assert_eq(prep_date_unit_parse("decade", &u), PREP_OK);
	cr_assert_eq(u, PREP_DATE_DECADE);
	cr_assert_eq(prep_date_unit_parse("Year", &u), PREP_ERR_ARG);
	cr_assert_eq(prep_date_unit_parse("years", &u), PREP_ERR_ARG);
	cr_assert_eq(prep_date_unit_parse("day", &u), PREP_ERR_ARG);
	cr_assert_eq(prep_date_unit_parse("", &u), PREP_ERR_ARG);
	cr_assert_eq(u, PREP_DATE_DECADE);
}

Test(generalize, date_generalize)
{
	ok(prep_date_generalize(S("1980-10-05"), PREP_DATE_YEAR, &out), "1980");
	ok(prep_date_generalize(S("1980-10-05"), PREP_DATE_MONTH, &out),
	   "1980-10");
	ok(prep_date_generalize(S("1980-10-05"), PREP_DATE_DECADE, &out),
	   "1980-1989");
	ok(prep_date_generalize(S("2000-01-01"), PREP_DATE_DECADE, &out),
	   "2000-2009");
	ok(prep_date_generalize(S("2000-02-29"), PREP_DATE_YEAR, &out), "2000");
	ok(prep_date_generalize(S("2009-12-31"), PREP_DATE_DECADE, &out),
	   "2000-2009");
	ok(prep_date_generalize(S("2010-01-01"), PREP_DATE_DECADE, &out),
	   "2010-2019");
	ok(prep_date_generalize(S("1999-12-31T23:59:59Z"), PREP_DATE_DECADE,
				&out),
	   "1990-1999");
	ok(prep_date_generalize(S("1999-12-31T23:59:59-08:00"), PREP_DATE_YEAR,
				&out),
	   "1999");
	ok(prep_date_generalize(S("1980-01-05 08:00"), PREP_DATE_MONTH, &out),
	   "1980-01");
	ok(prep_date_generalize(S("0005-03-04"), PREP_DATE_YEAR, &out), "0005");
	ok(prep_date_generalize(S("0005-03-04"), PREP_DATE_MONTH, &out),
	   "0005-03");
	ok(prep_date_generalize(S("0005-03-04"), PREP_DATE_DECADE, &out),
	   "0000-0009");
	ok(prep_date_generalize(S("9999-12-31"), PREP_DATE_DECADE, &out),
	   "9990-9999");
	ok(prep_date_generalize(S(""), PREP_DATE_YEAR, &out), "");
	fails(prep_date_generalize(S("2023-02-29"), PREP_DATE_YEAR, &out),
	      PREP_ERR_VALUE);
	fails(prep_date_generalize(S("1980-13-01"), PREP_DATE_MONTH, &out),
	      PREP_ERR_VALUE);
	fails(prep_date_generalize(S("05/10/1980"), PREP_DATE_YEAR, &out),
	      PREP_ERR_VALUE);
	fails(prep_date_generalize(S("1980-10-05"), (prep_date_unit)99, &out),
	      PREP_ERR_ARG);
}

/* Age at ref of a birth date, expected as text. */
static void
age_is(const char *birth, int ry, int rm, int rd, const char *want)
{
	prep_date ref = {ry, rm, rd};

	ok(prep_age(birth, strlen(birth), &ref, &out), want);
}

Test(generalize, age_around_birthdays)
{
	age_is("1980-10-05", 2020, 10, 4, "39");
	age_is("1980-10-05", 2020, 10, 5, "40");
	age_is("1980-10-05", 2020, 10, 6, "40");
	age_is("1980-10-05", 2020, 9, 30, "39");
	age_is("1980-10-05", 2020, 11, 1, "40");
	age_is("1980-10-05", 2020, 1, 1, "39");
	age_is("1980-10-05", 2020, 12, 31, "40");
	age_is("1980-10-05T23:59:59Z", 2020, 10, 5, "40");
	age_is("1980-10-05 06:00", 2020, 10, 4, "39");
	age_is("1980-12-31", 1981, 12, 30, "0");
	age_is("1980-12-31", 1981, 12, 31, "1");
	age_is("2020-10-05", 2020, 10, 5, "0"); /* born on ref */
	age_is("2020-01-01", 2020, 12, 31, "0");
	age_is("0000-01-01", 9999, 12, 31, "9999");
	age_is("", 2020, 10, 5, "");
}

Test(generalize, age_leap_day)
{
	/* Born 29 February: a year completes on 1 March in a common year. */
	age_is("2000-02-29", 2001, 2, 28, "0");
	age_is("2000-02-29", 2001, 3, 1, "1");
	age_is("2000-02-29", 2021, 2, 28, "20");
	age_is("2000-02-29", 2021, 3, 1, "21");
	age_is("2000-02-29", 2024, 2, 28, "23");
	age_is("2000-02-29", 2024, 2, 29, "24");
	age_is("2000-02-29", 2000, 2, 29, "0");
	/* Born 28 February or 1 March around a leap day. */
	age_is("2000-02-28", 2001, 2, 28, "1");
	age_is("2000-03-01", 2024, 2, 29, "23");
	age_is("2000-03-01", 2024, 3, 1, "24");
	age_is("1999-03-01", 2000, 2, 29, "0");
}

Test(generalize, age_errors)
{
	prep_date ref = {2020, 10, 5}, badref = {2023, 2, 29};
	prep_date zero = {0, 0, 0};

	fails(prep_age(S("2020-10-06"), &ref, &out), PREP_ERR_VALUE);
	fails(prep_age(S("2021-01-01"), &ref, &out), PREP_ERR_VALUE);
	fails(prep_age(S("abc"), &ref, &out), PREP_ERR_VALUE);
	fails(prep_age(S("2023-02-29"), &ref, &out), PREP_ERR_VALUE);
	fails(prep_age(S("1980-10-05"), &badref, &out), PREP_ERR_ARG);
	fails(prep_age(S("1980-10-05"), &zero, &out), PREP_ERR_ARG);
	fails(prep_age(S("1980-10-05"), NULL, &out), PREP_ERR_ARG);
	fails(prep_age(S(""), &badref, &out), PREP_ERR_ARG);
}
