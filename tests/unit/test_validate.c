/*
 * Unit tests of validate.h: libprep/validate.c without a schema (schema
 * NULL): header labels (blank, duplicate, encoding), rows (blank-row,
 * missing-cell, extra-cell, encoding-error, pii-error) with exact 1-based
 * field numbers, codes and messages, and the Frictionless code names;
 * with a schema; the quarantine and the manifest; and the report of
 * libprep/validate_report.c, its exact text and JSON. The expected
 * issues and reports are written out by hand from validate.h's rules.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pii.h"
#include "validate.h"

/* One expected issue. */
struct want {
	size_t field;
	int code;
	const char *message;
};

#define NCELLS(a) (sizeof(a) / sizeof((a)[0]))

/* Fields over NUL-terminated cells (no cell here holds a NUL byte). */
static prep_field *
fields(const char *const *cells, size_t n)
{
	prep_field *f = calloc(n ? n : 1, sizeof *f);
	size_t i;

	cr_assert_not_null(f);
	for (i = 0; i < n; i++) {
		f[i].data = cells[i];
		f[i].len = strlen(cells[i]);
	}
	return f;
}

static void
expect_issues(const prep_vissue *got, size_t ngot, const struct want *w,
	      size_t nw)
{
	size_t i;

	cr_assert_eq(ngot, nw, "%zu issues, want %zu", ngot, nw);
	if (nw > 0)
		cr_assert_not_null(got);
	for (i = 0; i < nw; i++) {
		cr_assert_eq(got[i].field, w[i].field,
			     "issue %zu: field %zu, want %zu", i, got[i].field,
			     w[i].field);
		cr_assert_eq(
		    got[i].code, w[i].code, "issue %zu: code %s, want %s", i,
		    prep_vcode_name(got[i].code), prep_vcode_name(w[i].code));
		cr_assert_str_eq(got[i].message, w[i].message, "issue %zu", i);
	}
}

/*
 * A clean header the validator keeps (it borrows the fields to name
 * columns): free the result after the validator.
 */
static prep_field *
kept_header(prep_validator *v, const char *const *cells, size_t n)
{
	prep_field *f = fields(cells, n);
	const prep_vissue *is = NULL;
	size_t nis = 99;

	cr_assert_eq(prep_validator_header(v, f, n, &is, &nis), PREP_OK);
	cr_assert_eq(nis, 0);
	return f;
}

/* A header the validator keeps, whatever its issues. */
static prep_field *
kept_header_any(prep_validator *v, const char *const *cells, size_t n)
{
	prep_field *f = fields(cells, n);
	const prep_vissue *is = NULL;
	size_t nis = 99;

	cr_assert_eq(prep_validator_header(v, f, n, &is, &nis), PREP_OK);
	return f;
}

/* The header's issues must be exactly w[0..nw). */
static void
check_header(prep_validator *v, const char *const *cells, size_t n,
	     const struct want *w, size_t nw)
{
	prep_field *f = fields(cells, n);
	const prep_vissue *is = NULL;
	size_t nis = 99;

	cr_assert_eq(prep_validator_header(v, f, n, &is, &nis), PREP_OK);
	expect_issues(is, nis, w, nw);
	free(f);
}

/* The row's issues must be exactly w[0..nw). */
static void
check_row(prep_validator *v, const char *const *cells, size_t n,
	  const struct want *w, size_t nw)
{
	prep_field *f = fields(cells, n);
	const prep_vissue *is = NULL;
	size_t nis = 99;

	cr_assert_eq(prep_validator_row(v, f, n, &is, &nis), PREP_OK);
	expect_issues(is, nis, w, nw);
	free(f);
}

#define HEADER(v, cells, ...)                                                  \
	do {                                                                   \
		const struct want w_[] = {__VA_ARGS__};                        \
		check_header(v, cells, NCELLS(cells), w_, NCELLS(w_));         \
	} while (0)
#define HEADER_OK(v, cells) check_header(v, cells, NCELLS(cells), NULL, 0)
#define ROW(v, cells, ...)                                                     \
	do {                                                                   \
		const struct want w_[] = {__VA_ARGS__};                        \
		check_row(v, cells, NCELLS(cells), w_, NCELLS(w_));            \
	} while (0)
#define ROW_OK(v, cells) check_row(v, cells, NCELLS(cells), NULL, 0)

#define BLANK_LABEL(i)                                                         \
	{                                                                      \
		i, PREP_V_BLANK_LABEL, "blank header label"                    \
	}
#define DUP_LABEL(i)                                                           \
	{                                                                      \
		i, PREP_V_DUPLICATE_LABEL, "label repeats an earlier column's" \
	}
#define ENC_LABEL(i)                                                           \
	{                                                                      \
		i, PREP_V_ENCODING, "header label is not valid UTF-8"          \
	}
#define BLANK_ROW                                                              \
	{                                                                      \
		0, PREP_V_BLANK_ROW, "every cell is empty"                     \
	}
#define MISSING(i)                                                             \
	{                                                                      \
		i, PREP_V_MISSING_CELL, "row has no cell here"                 \
	}
#define EXTRA(i)                                                               \
	{                                                                      \
		i, PREP_V_EXTRA_CELL, "cell beyond the header"                 \
	}
#define ENC(i)                                                                 \
	{                                                                      \
		i, PREP_V_ENCODING, "cell is not valid UTF-8"                  \
	}
#define EMAIL(i)                                                               \
	{                                                                      \
		i, PREP_V_PII, "holds an e-mail address"                       \
	}
#define PHONE(i)                                                               \
	{                                                                      \
		i, PREP_V_PII, "holds a phone number"                          \
	}

static prep_validator *
new_validator(unsigned pii)
{
	prep_validator *v = NULL;

	cr_assert_eq(prep_validator_new(NULL, pii, &v), PREP_OK);
	cr_assert_not_null(v);
	return v;
}

/* ---- code names ---- */

Test(validate, code_names)
{
	static const char *const names[] = {
	    "blank-label",   "duplicate-label",	 "incorrect-label",
	    "missing-label", "extra-label",	 "blank-row",
	    "missing-cell",  "extra-cell",	 "encoding-error",
	    "type-error",    "constraint-error", "unique-error",
	    "primary-key",   "pii-error",	 "source-error"};
	int i;

	cr_assert_eq(PREP_V_NCODES, 15);
	cr_assert_eq(NCELLS(names), PREP_V_NCODES);
	for (i = 0; i < PREP_V_NCODES; i++)
		cr_assert_str_eq(prep_vcode_name(i), names[i], "code %d", i);
	cr_assert_str_eq(prep_vcode_name(PREP_V_BLANK_LABEL), "blank-label");
	cr_assert_str_eq(prep_vcode_name(PREP_V_PII), "pii-error");
	cr_assert_str_eq(prep_vcode_name(PREP_V_SOURCE), "source-error");
	cr_assert_str_eq(prep_vcode_name(PREP_V_NCODES), "error");
	cr_assert_str_eq(prep_vcode_name(-1), "error");
	cr_assert_str_eq(prep_vcode_name(1000), "error");
}

/* ---- validator lifecycle ---- */

Test(validate, new_and_free)
{
	prep_validator *v = (prep_validator *)1;

	cr_assert_eq(prep_validator_new(NULL, 0, &v), PREP_OK);
	cr_assert_not_null(v);
	prep_validator_free(v);
	cr_assert_eq(prep_validator_new(NULL, PREP_PII_ALL, &v), PREP_OK);
	prep_validator_free(v);
	prep_validator_free(NULL);
	/* a pii mask outside PREP_PII_ALL is refused, as by prep_pii_new */
	v = (prep_validator *)1;
	cr_assert_eq(prep_validator_new(NULL, 0x40, &v), PREP_ERR_ARG);
	cr_assert_null(v);
}

/* ---- header ---- */

Test(validate, header_clean)
{
	prep_validator *v = new_validator(0);
	const char *const h[] = {"id", "name", "Name", "NAME ", "Zo\xC3\xAB"};

	/* labels differing by case or a space are distinct */
	HEADER_OK(v, h);
	prep_validator_free(v);
}

Test(validate, header_blank_labels)
{
	prep_validator *v = new_validator(0);
	const char *const h[] = {"", "x", "", ""};

	/* blank labels are blank-label only, never duplicates of each other */
	HEADER(v, h, BLANK_LABEL(1), BLANK_LABEL(3), BLANK_LABEL(4));
	prep_validator_free(v);
}

Test(validate, header_duplicates)
{
	prep_validator *v = new_validator(0);
	const char *const h[] = {"a", "b", "a", "c", "a", "b"};
	const char *const h2[] = {"x", "x", "x"};

	/* one issue per repeat, at the repeat, never at the first */
	HEADER(v, h, DUP_LABEL(3), DUP_LABEL(5), DUP_LABEL(6));
	/* a new header forgets the previous one's labels */
	HEADER(v, h2, DUP_LABEL(2), DUP_LABEL(3));
	prep_validator_free(v);
}

Test(validate, header_encoding)
{
	prep_validator *v = new_validator(0);
	const char *const h[] = {"ok", "bad\xFF", "\xC0\xAF", "caf\xC3\xA9",
				 "\xED\xA0\x80"};

	HEADER(v, h, ENC_LABEL(2), ENC_LABEL(3), ENC_LABEL(5));
	prep_validator_free(v);
}

Test(validate, header_mixed)
{
	prep_validator *v = new_validator(0);
	const char *const h[] = {"id", "", "id", "\xC3", "id", ""};

	HEADER(v, h, BLANK_LABEL(2), DUP_LABEL(3), ENC_LABEL(4), DUP_LABEL(5),
	       BLANK_LABEL(6));
	prep_validator_free(v);
}

Test(validate, header_empty)
{
	prep_validator *v = new_validator(0);
	const prep_vissue *is = (const prep_vissue *)1;
	size_t nis = 99;

	cr_assert_eq(prep_validator_header(v, NULL, 0, &is, &nis), PREP_OK);
	cr_assert_eq(nis, 0);
	prep_validator_free(v);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define WIDE 100000

/* WIDE labels "c0".."c99999" in one arena. */
static prep_field *
wide_header(char **arena)
{
	prep_field *f = calloc(WIDE, sizeof *f);
	char *a = malloc((size_t)WIDE * 8), *p;
	size_t i;

	cr_assert(f && a);
	for (p = a, i = 0; i < WIDE; i++) {
		int k = snprintf(p, 8, "c%zu", i);

		f[i].data = p;
		f[i].len = (size_t)k;
		p += k + 1;
	}
	*arena = a;
	return f;
}

/*
 * 100,000 distinct labels: no issue, and fast. A quadratic scan is ~5e9
 * label comparisons (seconds); one hash pass takes milliseconds.
 */
Test(validate, header_wide_distinct)
{
	prep_validator *v = new_validator(0);
	char *arena;
	prep_field *f = wide_header(&arena);
	const prep_vissue *is;
	size_t nis = 99;
	double t0 = now(), dt;

	cr_assert_eq(prep_validator_header(v, f, WIDE, &is, &nis), PREP_OK);
	dt = now() - t0;
	cr_assert_eq(nis, 0);
	cr_assert_lt(dt, 1.0, "100,000 labels took %.3f s", dt);
	prep_validator_free(v);
	free(f);
	free(arena);
}

Test(validate, header_wide_duplicates)
{
	prep_validator *v = new_validator(0);
	char *arena;
	prep_field *f = wide_header(&arena);
	const prep_vissue *is;
	size_t nis = 0;
	double t0, dt;
	const struct want w[] = {DUP_LABEL(50001), DUP_LABEL(99999),
				 DUP_LABEL(100000)};

	/* 50001 repeats c0, 99999 repeats c777, 100000 repeats c0 again */
	f[50000] = f[0];
	f[99998] = f[777];
	f[99999] = f[0];
	t0 = now();
	cr_assert_eq(prep_validator_header(v, f, WIDE, &is, &nis), PREP_OK);
	dt = now() - t0;
	expect_issues(is, nis, w, NCELLS(w));
	cr_assert_lt(dt, 1.0, "100,000 labels took %.3f s", dt);
	prep_validator_free(v);
	free(f);
	free(arena);
}

/* ---- rows ---- */

Test(validate, row_clean)
{
	prep_validator *v = new_validator(0);
	const char *const h[] = {"a", "b", "c"};
	const char *const r1[] = {"1", "x", "Zo\xC3\xAB"};
	const char *const r2[] = {"", "", "3"};
	const char *const r3[] = {" ", "", ""}; /* a space is not blank */

	HEADER_OK(v, h);
	ROW_OK(v, r1);
	ROW_OK(v, r2);
	ROW_OK(v, r3);
	prep_validator_free(v);
}

Test(validate, blank_row_any_width)
{
	prep_validator *v = new_validator(PREP_PII_ALL);
	const char *const h[] = {"a", "b", "c"};
	const char *const same[] = {"", "", ""};
	const char *const shorter[] = {"", ""};
	const char *const one[] = {""};
	const char *const longer[] = {"", "", "", "", ""};
	const prep_vissue *is;
	size_t nis = 99;
	const struct want w[] = {BLANK_ROW};

	HEADER_OK(v, h);
	/* blank-row only: no missing-cell, no extra-cell */
	ROW(v, same, BLANK_ROW);
	ROW(v, shorter, BLANK_ROW);
	ROW(v, one, BLANK_ROW);
	ROW(v, longer, BLANK_ROW);
	/* a record of no field at all has every (no) cell empty */
	cr_assert_eq(prep_validator_row(v, NULL, 0, &is, &nis), PREP_OK);
	expect_issues(is, nis, w, 1);
	prep_validator_free(v);
}

Test(validate, missing_cells)
{
	prep_validator *v = new_validator(0);
	const char *const h[] = {"a", "b", "c", "d"};
	const char *const r1[] = {"1"};
	const char *const r2[] = {"1", "2", "3"};
	const char *const r3[] = {"",
				  "x"}; /* empty cells present, not missing */

	HEADER_OK(v, h);
	ROW(v, r1, MISSING(2), MISSING(3), MISSING(4));
	ROW(v, r2, MISSING(4));
	ROW(v, r3, MISSING(3), MISSING(4));
	prep_validator_free(v);
}

Test(validate, extra_cells)
{
	prep_validator *v = new_validator(0);
	const char *const h[] = {"a", "b"};
	const char *const r1[] = {"1", "2", "3"};
	const char *const r2[] = {"1", "2", "3", "", "5"};
	const char *const r3[] = {"", "", "x"};

	HEADER_OK(v, h);
	ROW(v, r1, EXTRA(3));
	/* an empty extra cell is still an extra cell */
	ROW(v, r2, EXTRA(3), EXTRA(4), EXTRA(5));
	ROW(v, r3, EXTRA(3));
	prep_validator_free(v);
}

Test(validate, columns_without_header)
{
	prep_validator *v = new_validator(0);
	const char *const r1[] = {"1", "2"};
	const char *const r2[] = {"1", "2", "3", "4"};

	prep_validator_columns(v, 3);
	ROW(v, r1, MISSING(3));
	ROW(v, r2, EXTRA(4));
	prep_validator_columns(v, 4);
	ROW_OK(v, r2);
	ROW(v, r1, MISSING(3), MISSING(4));
	prep_validator_free(v);
}

Test(validate, encoding_errors)
{
	prep_validator *v = new_validator(0);
	const char *const h[] = {"a", "b", "c", "d", "e", "f", "g", "h"};
	const char *const bad[] = {"\xC0\xAF",	    /* overlong "/" */
				   "x\xE0\x80\xAF", /* overlong three-byte */
				   "\xED\xA0\x80",  /* surrogate U+D800 */
				   "ok\xE2\x82",    /* truncated at the end */
				   "\xE2\x82\x78",  /* truncated before "x" */
				   "\x80", /* stray continuation byte */
				   "\xF4\x90\x80\x80", /* above U+10FFFF */
				   "\xFF"};
	const char *const good[] = {
	    "Zo\xC3\xAB",
	    "\xE2\x82\xAC",
	    "\xF0\x9F\x98\x80",
	    "\xED\x9F\xBF",	/* U+D7FF, just below the surrogates */
	    "\xF4\x8F\xBF\xBF", /* U+10FFFF */
	    "\xEF\xBB\xBF\x78", /* a BOM inside a cell is a character */
	    "long ASCII run first \xC3\xA9", /* 8-byte fast path first */
	    "\xE6\x9D\x8E\xE6\x9D\x8E"};
	const char *const mixed[] = {
	    "", "\xC3", "fine", "", "\xE2\x82\xAC", "a\xC3\xA9\xFE", "", ""};

	HEADER_OK(v, h);
	ROW(v, bad, ENC(1), ENC(2), ENC(3), ENC(4), ENC(5), ENC(6), ENC(7),
	    ENC(8));
	ROW_OK(v, good);
	ROW(v, mixed, ENC(2), ENC(6));
	prep_validator_free(v);
}

Test(validate, pii_email_and_phone)
{
	prep_validator *v = new_validator(PREP_PII_EMAIL | PREP_PII_PHONE);
	const char *const h[] = {"id", "contact", "note"};
	const char *const r1[] = {"1", "alice@example.com",
				  "call +1 555-123-4567"};
	const char *const r2[] = {"2", "", "write to bob@example.org today"};
	const char *const r3[] = {"3", "nobody", "12345"};

	HEADER_OK(v, h);
	ROW(v, r1, EMAIL(2), PHONE(3));
	ROW(v, r2, EMAIL(3));
	ROW_OK(v, r3);
	prep_validator_free(v);
}

Test(validate, pii_mask_email_only)
{
	prep_validator *v = new_validator(PREP_PII_EMAIL);
	const char *const h[] = {"a", "b", "c"};
	const char *const r1[] = {"+1 555-123-4567", "alice@example.com",
				  "(555) 123-4567"};
	const char *const r2[] = {"+44 20 7946 0958", "", "x"};

	HEADER_OK(v, h);
	/* phone numbers are not looked for */
	ROW(v, r1, EMAIL(2));
	ROW_OK(v, r2);
	prep_validator_free(v);
}

Test(validate, no_pii_without_mask)
{
	prep_validator *v = new_validator(0);
	const char *const h[] = {"a", "b"};
	const char *const r[] = {"alice@example.com", "+1 555-123-4567"};

	HEADER_OK(v, h);
	ROW_OK(v, r);
	prep_validator_free(v);
}

Test(validate, empty_cell_never_pii_or_encoding)
{
	prep_validator *v = new_validator(PREP_PII_ALL);
	const char *const h[] = {"a", "b", "c", "d"};
	const char *const r1[] = {"", "x", "", ""};
	const char *const r2[] = {"", "", "alice@example.com", ""};
	const char *const r3[] = {"\xC3", "", "", "y"};

	HEADER_OK(v, h);
	ROW_OK(v, r1);
	ROW(v, r2, EMAIL(3));
	ROW(v, r3, ENC(1));
	prep_validator_free(v);
}

/* A cell with invalid UTF-8 is an encoding error, not (also) a pii-error. */
/* PII is looked for in every cell, whatever else is wrong with it. */
Test(validate, encoding_error_and_pii)
{
	prep_validator *v = new_validator(PREP_PII_EMAIL);
	const char *const h[] = {"a", "b"};
	const char *const r[] = {"alice@example.com \xFF", "bob@example.org"};

	HEADER_OK(v, h);
	ROW(v, r, ENC(1), EMAIL(1), EMAIL(2));
	prep_validator_free(v);
}

/* Every kind at once, in field order. */
Test(validate, issues_in_field_order)
{
	prep_validator *v = new_validator(PREP_PII_EMAIL);
	const char *const h[] = {"a", "b", "c", "d"};
	const char *const r1[] = {"\xC0\x80", "",  "x@example.com",
				  "ok",	      "y", ""};
	const char *const r2[] = {"q@example.com", "\xED\xBF\xBF"};

	HEADER_OK(v, h);
	ROW(v, r1, ENC(1), EMAIL(3), EXTRA(5), EXTRA(6));
	ROW(v, r2, EMAIL(1), ENC(2), MISSING(3), MISSING(4));
	prep_validator_free(v);
}

/* Each call resets the list: a clean row after a bad one has no issues. */
Test(validate, issues_reset_between_rows)
{
	prep_validator *v = new_validator(0);
	const char *const h[] = {"a", "b"};
	const char *const bad[] = {"\xFF", "1", "2", "3"};
	const char *const good[] = {"x", "y"};
	const char *const blank[] = {"", ""};

	HEADER_OK(v, h);
	ROW(v, bad, ENC(1), EXTRA(3), EXTRA(4));
	ROW_OK(v, good);
	ROW(v, blank, BLANK_ROW);
	ROW_OK(v, good);
	prep_validator_free(v);
}

/* The issue list grows past its first allocation (64) and stays exact. */
Test(validate, wide_row)
{
	prep_validator *v = new_validator(0);
	size_t n = 1000, i;
	const char **cells = calloc(n, sizeof *cells);
	prep_field *f;
	const prep_vissue *is;
	size_t nis = 0;

	cr_assert_not_null(cells);
	prep_validator_columns(v, n);
	for (i = 0; i < n; i++)
		cells[i] = i % 3 == 0 ? "\xFF" : "ok";
	f = fields(cells, n);
	cr_assert_eq(prep_validator_row(v, f, n, &is, &nis), PREP_OK);
	cr_assert_eq(nis, 334);
	for (i = 0; i < nis; i++) {
		cr_assert_eq(is[i].field, 3 * i + 1);
		cr_assert_eq(is[i].code, PREP_V_ENCODING);
	}
	/* one cell against 1000 expected: 999 missing cells */
	cr_assert_eq(prep_validator_row(v, f + 1, 1, &is, &nis), PREP_OK);
	cr_assert_eq(nis, 999);
	for (i = 0; i < nis; i++) {
		cr_assert_eq(is[i].field, i + 2);
		cr_assert_eq(is[i].code, PREP_V_MISSING_CELL);
	}
	prep_validator_free(v);
	free(f);
	free(cells);
}

/* Messages never hold a cell's value. */
Test(validate, messages_hold_no_value)
{
	prep_validator *v = new_validator(PREP_PII_ALL);
	const char *const h[] = {"secret-label", "secret-label", ""};
	const char *const r[] = {"alice@example.com", "\xC3secret", "", "z"};
	prep_field *f;
	const prep_vissue *is;
	size_t nis = 0, i;

	f = fields(h, 3);
	cr_assert_eq(prep_validator_header(v, f, 3, &is, &nis), PREP_OK);
	cr_assert_eq(nis, 2);
	for (i = 0; i < nis; i++)
		cr_assert_null(strstr(is[i].message, "secret"));
	free(f);
	f = fields(r, 4);
	cr_assert_eq(prep_validator_row(v, f, 4, &is, &nis), PREP_OK);
	cr_assert_eq(nis, 3);
	for (i = 0; i < nis; i++) {
		cr_assert_null(strstr(is[i].message, "secret"));
		cr_assert_null(strstr(is[i].message, "alice"));
	}
	free(f);
	prep_validator_free(v);
}

/* An extra cell is still looked at for personal data: with --mostly an
 * invalid row can pass on. */
Test(validate, pii_in_extra_cell)
{
	prep_validator *v = new_validator(PREP_PII_EMAIL);
	const char *const h[] = {"a", "b"};
	const char *const r[] = {"x", "y", "z@example.com", "w"};

	HEADER_OK(v, h);
	ROW(v, r, EXTRA(3), EMAIL(3), EXTRA(4));
	prep_validator_free(v);
}

/* ---- with a schema ---- */

static prep_schema *
schema_of(const char *json)
{
	prep_schema_error e;
	prep_schema *s = NULL;

	cr_assert_eq(prep_schema_parse(json, strlen(json), &s, &e), PREP_OK,
		     "%s: %s", e.path, e.text);
	return s;
}

static prep_validator *
schema_validator(prep_schema *s, unsigned pii)
{
	prep_validator *v = NULL;

	cr_assert_eq(prep_validator_new(s, pii, &v), PREP_OK);
	return v;
}

#define TYPE_INT(i)                                                            \
	{                                                                      \
		i, PREP_V_TYPE, "not an integer"                               \
	}
#define NOT_ENUM(i)                                                            \
	{                                                                      \
		i, PREP_V_CONSTRAINT, "not one of the enum values"             \
	}
#define REQUIRED(i)                                                            \
	{                                                                      \
		i, PREP_V_CONSTRAINT, "required value is missing"              \
	}
#define EXTRA_SCHEMA(i)                                                        \
	{                                                                      \
		i, PREP_V_EXTRA_CELL, "cell beyond the schema's fields"        \
	}

/* A cell that fails its type or enum is still looked at for PII. */
Test(validate, pii_beside_type_and_constraint_errors)
{
	prep_schema *s = schema_of(
	    "{\"fields\": [{\"name\": \"id\", \"type\": \"integer\"}, "
	    "{\"name\": \"sex\", \"constraints\": {\"enum\": [\"F\", "
	    "\"M\"]}}, {\"name\": \"n\", \"type\": \"integer\"}]}");
	prep_validator *v = schema_validator(s, PREP_PII_EMAIL);
	const char *const h[] = {"id", "sex", "n"};
	const char *const r1[] = {"x@example.com", "y@example.org", "3"};
	const char *const r2[] = {"1", "F", "z@example.net"};
	const char *const r3[] = {"2", "M", "4"};

	HEADER_OK(v, h);
	ROW(v, r1, TYPE_INT(1), EMAIL(1), NOT_ENUM(2), EMAIL(2));
	ROW(v, r2, TYPE_INT(3), EMAIL(3));
	ROW_OK(v, r3);
	prep_validator_free(v);
	prep_schema_free(s);
}

/* A schema wider than the header: its fields past a row's end are
 * missing cells, and a required one a constraint-error first. */
Test(validate, schema_wider_than_header)
{
	prep_schema *s = schema_of(
	    "{\"fields\": [{\"name\": \"a\"}, {\"name\": \"b\", "
	    "\"constraints\": {\"required\": true}}, {\"name\": \"c\"}]}");
	prep_validator *v = schema_validator(s, 0);
	const char *const h[] = {"a"};
	const char *const r1[] = {"1"};
	const char *const r2[] = {"1", "2"};
	const struct want ml[] = {
	    {2, PREP_V_MISSING_LABEL, "the schema's field has no column"},
	    {3, PREP_V_MISSING_LABEL, "the schema's field has no column"}};
	const prep_vissue *is;
	size_t nis;
	prep_field *hf = fields(h, 1);
	char num[PREP_VFIELD_NUM];
	size_t len;

	/* hf is kept: the validator names fields by it */
	cr_assert_eq(prep_validator_header(v, hf, 1, &is, &nis), PREP_OK);
	expect_issues(is, nis, ml, 2);
	ROW(v, r1, REQUIRED(2), MISSING(2), MISSING(3));
	ROW(v, r2, EXTRA(2), MISSING(3));
	/* fields are named by the header, then by the schema */
	cr_assert_str_eq(prep_validator_field_name(v, 1, &len, num), "a");
	cr_assert_str_eq(prep_validator_field_name(v, 3, &len, num), "c");
	cr_assert_eq(len, 1);
	cr_assert_null(prep_validator_field_name(v, 4, &len, num));
	free(hf);
	prep_validator_free(v);
	prep_schema_free(s);
}

/* A schema narrower than the header: the cells past its fields are
 * extra (frictionless-py's extra-cell for every row). */
Test(validate, schema_narrower_than_header)
{
	prep_schema *s = schema_of("{\"fields\": [{\"name\": \"a\"}]}");
	prep_validator *v = schema_validator(s, PREP_PII_EMAIL);
	const char *const h[] = {"a", "b"};
	const char *const r1[] = {"1", "q@example.com"};
	const char *const r2[] = {"1"};
	const struct want xl[] = {
	    {2, PREP_V_EXTRA_LABEL, "column not in the schema"}};

	HEADER(v, h, xl[0]);
	ROW(v, r1, EXTRA_SCHEMA(2), EMAIL(2));
	ROW(v, r2, MISSING(2));
	prep_validator_free(v);
	prep_schema_free(s);
}

/* Without a header the schema's width is the record's. */
Test(validate, no_header_schema_width)
{
	prep_schema *s = schema_of("{\"fields\": [{\"name\": \"a\"}, "
				   "{\"name\": \"b\"}]}");
	prep_validator *v = schema_validator(s, 0);
	const char *const r1[] = {"1"};
	const char *const r2[] = {"1", "2", "3"};
	char num[PREP_VFIELD_NUM];
	size_t len;

	prep_validator_columns(v, 2);
	ROW(v, r1, MISSING(2));
	ROW(v, r2, EXTRA(3));
	cr_assert_str_eq(prep_validator_field_name(v, 2, &len, num), "b");
	prep_validator_free(v);
	prep_schema_free(s);

	/* and without a schema, fields are their numbers */
	v = new_validator(0);
	prep_validator_columns(v, 2);
	cr_assert_str_eq(prep_validator_field_name(v, 2, &len, num), "2");
	cr_assert_eq(len, 1);
	cr_assert_null(prep_validator_field_name(v, 3, &len, num));
	cr_assert_null(prep_validator_field_name(v, 0, &len, num));
	prep_validator_free(v);
}

/* A row of missing values is blank, as a row of empty cells. */
Test(validate, blank_row_of_missing_values)
{
	prep_schema *s = schema_of(
	    "{\"fields\": [{\"name\": \"a\", \"type\": \"integer\", "
	    "\"constraints\": {\"required\": true}}, {\"name\": \"b\"}], "
	    "\"missingValues\": [\"NA\"]}");
	prep_validator *v = schema_validator(s, 0);
	const char *const h[] = {"a", "b"};
	const char *const r1[] = {"NA", "NA"};
	const char *const r2[] = {"NA", ""};
	const char *const r3[] = {"", ""};
	const char *const r4[] = {"NA", "x"};
	const struct want mv = {0, PREP_V_BLANK_ROW,
				"every cell is empty or a missing value"};

	HEADER_OK(v, h);
	ROW(v, r1, mv);
	ROW(v, r2, mv);
	ROW(v, r3, BLANK_ROW);
	ROW(v, r4, REQUIRED(1));
	prep_validator_free(v);
	prep_schema_free(s);
}

/* ---- the quarantine ---- */

/* What w wrote to the temporary file fd, NUL-terminated. */
static char *
written(prep_writer *w, FILE *tf)
{
	static char buf[4096];
	size_t n;

	cr_assert_eq(prep_writer_finish(w), PREP_OK);
	rewind(tf);
	n = fread(buf, 1, sizeof buf - 1, tf);
	buf[n] = '\0';
	return buf;
}

static void
reject(prep_validator *v, prep_writer *w, int delim, const char *const *cells,
       size_t n)
{
	prep_field *f = fields(cells, n);
	const prep_vissue *is;
	size_t nis;

	cr_assert_eq(prep_validator_row(v, f, n, &is, &nis), PREP_OK);
	cr_assert_gt(nis, 0);
	cr_assert_eq(prep_validator_reject_row(v, w, delim, f, n, is, nis),
		     PREP_OK);
	free(f);
}

Test(validate, rejects_are_rectangular)
{
	prep_validator *v = new_validator(PREP_PII_EMAIL);
	const char *const h[] = {"a", "b"};
	const char *const r1[] = {"1"};
	const char *const r2[] = {"1", "2", "3", "x@example.com"};
	const char *const r3[] = {"", ""};
	const char *const r4[] = {"y@example.com", "2"};
	prep_writer_options wo;
	prep_field *hf;
	prep_writer *w;
	FILE *tf = tmpfile();

	cr_assert_not_null(tf);
	memset(&wo, 0, sizeof wo);
	wo.delim = ',';
	cr_assert_eq(prep_writer_new(fileno(tf), &wo, &w), PREP_OK);
	hf = kept_header(v, h, 2);
	cr_assert_eq(prep_validator_reject_header(v, w), PREP_OK);
	reject(v, w, ',', r1, 1);
	reject(v, w, ',', r2, 4);
	reject(v, w, ',', r3, 2);
	reject(v, w, ',', r4, 2);
	cr_assert_str_eq(written(w, tf),
			 "a,b,_errors,_extra\n"
			 "1,,missing-cell:b,\n"
			 "1,2,extra-cell:3; extra-cell:4; pii-error:4,"
			 "\"3,x@example.com\"\n"
			 ",,blank-row,\n"
			 "y@example.com,2,pii-error:a,\n");
	prep_writer_free(w);
	fclose(tf);
	prep_validator_free(v);
	free(hf);
}

Test(validate, rejects_without_header)
{
	prep_validator *v = new_validator(0);
	const char *const r1[] = {"1", "2", "3"};
	prep_writer_options wo;
	prep_writer *w;
	FILE *tf = tmpfile();

	cr_assert_not_null(tf);
	memset(&wo, 0, sizeof wo);
	wo.delim = '\t';
	cr_assert_eq(prep_writer_new(fileno(tf), &wo, &w), PREP_OK);
	prep_validator_columns(v, 1);
	cr_assert_eq(prep_validator_reject_header(v, w), PREP_OK);
	reject(v, w, '\t', r1, 3);
	cr_assert_str_eq(written(w, tf),
			 "1\textra-cell:2; extra-cell:3\t\"2\t3\"\n");
	prep_writer_free(w);
	fclose(tf);
	prep_validator_free(v);
}

/* ---- the report ---- */

static prep_vissue
issue(size_t field, int code, const char *message)
{
	prep_vissue i;

	i.field = field;
	i.code = code;
	i.message = message;
	return i;
}

Test(vreport, passes)
{
	prep_vreport *r;
	prep_vissue bad = issue(1, PREP_V_PII, "holds an e-mail address");
	prep_where w = {"-", 2, 0};
	int i;

	cr_assert_eq(prep_vreport_new(10, &r), PREP_OK);
	/* no rows: every fraction passes */
	cr_assert(prep_vreport_passes(r, 1));
	cr_assert(prep_vreport_passes(r, 0));
	/* 4 of 5 valid */
	for (i = 0; i < 4; i++)
		cr_assert_eq(prep_vreport_row(r, (uint64_t)i + 2, w, NULL, 0),
			     PREP_OK);
	cr_assert_eq(prep_vreport_row(r, 6, w, &bad, 1), PREP_OK);
	cr_assert_eq(prep_vreport_rows(r), 5);
	cr_assert_eq(prep_vreport_valid_rows(r), 4);
	cr_assert(!prep_vreport_passes(r, 1));
	cr_assert(prep_vreport_passes(r, 0.8)); /* 0.8 x 5 = 4 exactly */
	cr_assert(!prep_vreport_passes(r, 0.81));
	cr_assert(prep_vreport_passes(r, 0));
	/* an error of the table fails whatever the fraction */
	cr_assert_eq(prep_vreport_table_error(r, 1, w, 0, PREP_V_SOURCE,
					      "the source is empty"),
		     PREP_OK);
	cr_assert(!prep_vreport_passes(r, 0));
	cr_assert_eq(prep_vreport_count(r, PREP_V_PII), 1);
	cr_assert_eq(prep_vreport_count(r, PREP_V_SOURCE), 1);
	cr_assert_eq(prep_vreport_count(r, -1), 2);
	prep_vreport_free(r);
	prep_vreport_free(NULL);
}

Test(vreport, text_and_json)
{
	prep_validator *v = new_validator(0);
	const char *const h[] = {"id", "n\x01m"};
	prep_vissue is[3];
	prep_where w = {"in.csv", 3, 0}, nowhere = {NULL, 0, 0};
	prep_field *hf = kept_header(v, h, 2);
	prep_vreport *r;
	prep_buf b;
	char *json;
	size_t i;

	is[0] = issue(2, PREP_V_TYPE, "not an integer");
	is[1] = issue(3, PREP_V_EXTRA_CELL, "cell beyond the header");
	is[2] = issue(0, PREP_V_BLANK_ROW, "every cell is empty");
	cr_assert_eq(prep_vreport_new(2, &r), PREP_OK);
	cr_assert_eq(prep_vreport_row(r, 2, w, NULL, 0), PREP_OK);
	cr_assert_eq(prep_vreport_row(r, 3, w, is, 2), PREP_OK);
	cr_assert_eq(prep_vreport_row(r, 4, nowhere, is + 2, 1), PREP_OK);
	cr_assert_eq(prep_vreport_listed(r), 2);
	prep_buf_init(&b, 0);
	for (i = 0; i < prep_vreport_listed(r); i++)
		cr_assert_eq(prep_vreport_line(r, v, i, &b), PREP_OK);
	cr_assert_eq(prep_vreport_line(r, v, 2, &b), PREP_ERR_ARG);
	cr_assert_eq(prep_vreport_summary(r, 0, &b), PREP_OK);
	cr_assert_str_eq(
	    b.data, "in.csv:3: row 3, field 2 (n?m): type-error: not an "
		    "integer\n"
		    "in.csv:3: row 3, field 3: extra-cell: cell beyond the "
		    "header\n"
		    "invalid: 3 rows, 1 valid; 3 errors: blank-row 1, "
		    "extra-cell 1, type-error 1; first 2 listed\n");
	cr_assert_eq(prep_vreport_json(r, v, 0, &json), PREP_OK);
	cr_assert_str_eq(
	    json, "{\"valid\":false,\"rows\":3,\"error_count\":3,"
		  "\"errors_by_code\":{\"blank-row\":1,\"extra-cell\":1,"
		  "\"type-error\":1},\"truncated\":true,\"errors\":["
		  "{\"row\":3,\"field_number\":2,\"field_name\":\"n\\u0001m\","
		  "\"code\":\"type-error\",\"message\":\"not an integer\"},"
		  "{\"row\":3,\"field_number\":3,\"field_name\":null,"
		  "\"code\":\"extra-cell\",\"message\":\"cell beyond the "
		  "header\"}]}\n");
	free(json);
	prep_buf_free(&b);
	prep_vreport_free(r);

	/* nothing wrong */
	cr_assert_eq(prep_vreport_new(0, &r), PREP_OK);
	prep_buf_init(&b, 0);
	cr_assert_eq(prep_vreport_summary(r, 1, &b), PREP_OK);
	cr_assert_str_eq(b.data, "valid: 0 rows, 0 valid; no errors\n");
	prep_buf_free(&b);
	prep_vreport_free(r);
	prep_validator_free(v);
	free(hf);
}

/* What prep_vreport_print wrote, text or JSON; free it. */
static char *
printed(const prep_vreport *r, const prep_validator *v, int valid, int json)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cr_assert_not_null(f);
	cr_assert_eq(prep_vreport_print(r, v, valid, json, f), PREP_OK);
	cr_assert_eq(fclose(f), 0);
	return text;
}

/*
 * The whole report of a run: a header error (placed at line 1 whatever
 * the reader's place), a valid row, a row with an error of a field and
 * one of the row, and a stray quote that stopped the reader in field 2.
 * Rows are those prep_vreport_row counted (2 and 3); the codes of the
 * summary and of errors_by_code come in the order of enum prep_vcode.
 */
Test(vreport, print_text_and_json)
{
	prep_validator *v = new_validator(0);
	const char *const h[] = {"id", "name"};
	prep_field *hf = kept_header(v, h, 2);
	prep_vissue dup = issue(2, PREP_V_DUPLICATE_LABEL,
				"label repeats an earlier column's");
	prep_vissue is[2];
	prep_where wh = {"t.csv", 7, 2}, w2 = {"t.csv", 2, 0},
		   w3 = {"t.csv", 3, 0}, w4 = {"t.csv", 4, 2};
	prep_csv_options o;
	prep_vreport *r;
	char *text;

	prep_csv_options_init(&o);
	is[0] = issue(1, PREP_V_PII, "holds an e-mail address");
	is[1] = issue(0, PREP_V_PRIMARY_KEY, "duplicate primary key (id)");
	cr_assert_eq(prep_vreport_new(10, &r), PREP_OK);
	cr_assert_eq(prep_vreport_header(r, wh, &dup, 1), PREP_OK);
	cr_assert_eq(prep_vreport_row(r, 2, w2, NULL, 0), PREP_OK);
	cr_assert_eq(prep_vreport_row(r, 3, w3, is, 2), PREP_OK);
	cr_assert_eq(prep_vreport_source_error(r, 4, w4, PREP_ERR_QUOTE, &o),
		     PREP_OK);
	cr_assert_eq(prep_vreport_rows(r), 2);
	cr_assert_eq(prep_vreport_valid_rows(r), 1);
	cr_assert(!prep_vreport_passes(r, 0)); /* errors of the table */

	text = printed(r, v, 0, 0);
	cr_assert_str_eq(text,
			 "t.csv:1: row 1, field 2 (name): duplicate-label: "
			 "label repeats an earlier column's\n"
			 "t.csv:3: row 3, field 1 (id): pii-error: holds an "
			 "e-mail address\n"
			 "t.csv:3: row 3: primary-key: duplicate primary key "
			 "(id)\n"
			 "t.csv:4: row 4, field 2 (name): source-error: stray "
			 "quote in an unquoted field; reading stopped\n"
			 "invalid: 2 rows, 1 valid; 4 errors: duplicate-label "
			 "1, primary-key 1, pii-error 1, source-error 1\n");
	free(text);

	text = printed(r, v, 0, 1);
	cr_assert_str_eq(
	    text,
	    "{\"valid\":false,\"rows\":2,\"error_count\":4,"
	    "\"errors_by_code\":{\"duplicate-label\":1,\"primary-key\":1,"
	    "\"pii-error\":1,\"source-error\":1},\"truncated\":false,"
	    "\"errors\":["
	    "{\"row\":1,\"field_number\":2,\"field_name\":\"name\","
	    "\"code\":\"duplicate-label\","
	    "\"message\":\"label repeats an earlier column's\"},"
	    "{\"row\":3,\"field_number\":1,\"field_name\":\"id\","
	    "\"code\":\"pii-error\",\"message\":\"holds an e-mail address\"},"
	    "{\"row\":3,\"field_number\":null,\"field_name\":null,"
	    "\"code\":\"primary-key\","
	    "\"message\":\"duplicate primary key (id)\"},"
	    "{\"row\":4,\"field_number\":2,\"field_name\":\"name\","
	    "\"code\":\"source-error\",\"message\":\"stray quote in an "
	    "unquoted field; reading stopped\"}]}\n");
	free(text);
	prep_vreport_free(r);
	prep_validator_free(v);
	free(hf);
}

/* One row, one error listed of two, then one valid row: "1 row", "1 error"
 * and "first 1 listed" as the summary words them. */
Test(vreport, print_singular_and_truncated)
{
	prep_validator *v = new_validator(0);
	prep_vissue is[2];
	prep_where nowhere = {NULL, 0, 0};
	prep_vreport *r;
	char *text;

	prep_validator_columns(v, 2);
	is[0] = issue(2, PREP_V_TYPE, "not an integer");
	is[1] = issue(2, PREP_V_PII, "holds a phone number");
	cr_assert_eq(prep_vreport_new(1, &r), PREP_OK);
	cr_assert_eq(prep_vreport_row(r, 1, nowhere, is, 2), PREP_OK);
	text = printed(r, v, 0, 0);
	/* without a header the field is named by its number */
	cr_assert_str_eq(text, "row 1, field 2 (2): type-error: not an "
			       "integer\n"
			       "invalid: 1 row, 0 valid; 2 errors: type-error "
			       "1, pii-error 1; first 1 listed\n");
	free(text);
	text = printed(r, v, 0, 1);
	cr_assert_str_eq(text, "{\"valid\":false,\"rows\":1,\"error_count\":2,"
			       "\"errors_by_code\":{\"type-error\":1,"
			       "\"pii-error\":1},\"truncated\":true,"
			       "\"errors\":[{\"row\":1,\"field_number\":2,"
			       "\"field_name\":\"2\",\"code\":\"type-error\","
			       "\"message\":\"not an integer\"}]}\n");
	free(text);
	prep_vreport_free(r);

	cr_assert_eq(prep_vreport_new(5, &r), PREP_OK);
	cr_assert_eq(prep_vreport_row(r, 1, nowhere, is + 1, 1), PREP_OK);
	text = printed(r, v, 1, 0);
	cr_assert_str_eq(text, "row 1, field 2 (2): pii-error: holds a phone "
			       "number\n"
			       "valid: 1 row, 0 valid; 1 error: pii-error 1\n");
	free(text);
	prep_vreport_free(r);

	cr_assert_eq(prep_vreport_new(5, &r), PREP_OK);
	cr_assert_eq(prep_vreport_row(r, 1, nowhere, NULL, 0), PREP_OK);
	text = printed(r, v, 1, 0);
	cr_assert_str_eq(text, "valid: 1 row, 1 valid; no errors\n");
	free(text);
	text = printed(r, v, 1, 1);
	cr_assert_str_eq(text, "{\"valid\":true,\"rows\":1,\"error_count\":0,"
			       "\"errors_by_code\":{},\"truncated\":false,"
			       "\"errors\":[]}\n");
	free(text);
	prep_vreport_free(r);
	prep_validator_free(v);
}

/* An input of 0 bytes: one source-error of the row in row 1, line 1. */
Test(vreport, source_empty)
{
	prep_validator *v = new_validator(0);
	prep_where w = {"-", 9, 3};
	prep_vreport *r;
	char *text;

	prep_validator_columns(v, 0);
	cr_assert_eq(prep_vreport_new(100, &r), PREP_OK);
	cr_assert_eq(prep_vreport_source_empty(r, w), PREP_OK);
	cr_assert(!prep_vreport_passes(r, 0));
	text = printed(r, v, 0, 0);
	cr_assert_str_eq(text, "-:1: row 1: source-error: the source is empty\n"
			       "invalid: 0 rows, 0 valid; 1 error: "
			       "source-error 1\n");
	free(text);
	text = printed(r, v, 0, 1);
	cr_assert_str_eq(text, "{\"valid\":false,\"rows\":0,\"error_count\":1,"
			       "\"errors_by_code\":{\"source-error\":1},"
			       "\"truncated\":false,\"errors\":[{\"row\":1,"
			       "\"field_number\":null,\"field_name\":null,"
			       "\"code\":\"source-error\",\"message\":\"the "
			       "source is empty\"}]}\n");
	free(text);
	prep_vreport_free(r);
	prep_validator_free(v);
}

/*
 * Which reader statuses are source-errors, and where they are placed: in
 * the field the reader stopped in for a quote or a long field, on the
 * row for a record with too many fields; trouble is not noted.
 */
Test(vreport, source_errors)
{
	static const prep_status source[] = {
	    PREP_ERR_QUOTE, PREP_ERR_UNCLOSED_QUOTE, PREP_ERR_FIELD_TOO_LONG,
	    PREP_ERR_TOO_MANY_FIELDS, PREP_ERR_LIMIT};
	static const prep_status trouble[] = {
	    PREP_OK,	    PREP_END,	     PREP_ERR_IO,
	    PREP_ERR_NOMEM, PREP_ERR_RAGGED, PREP_ERR_HEADER_MISMATCH};
	prep_validator *v = new_validator(0);
	prep_where w5 = {"x.csv", 5, 11}, w6 = {"x.csv", 6, 1};
	prep_csv_options o;
	prep_vreport *r;
	char *text;
	size_t i;

	for (i = 0; i < NCELLS(source); i++)
		cr_assert(prep_vsource_error(source[i]), "status %d",
			  (int)source[i]);
	for (i = 0; i < NCELLS(trouble); i++)
		cr_assert(!prep_vsource_error(trouble[i]), "status %d",
			  (int)trouble[i]);
	prep_csv_options_init(&o);
	o.max_fields = 10;
	o.max_field = 64;
	prep_validator_columns(v, 1);
	cr_assert_eq(prep_vreport_new(100, &r), PREP_OK);
	cr_assert_eq(
	    prep_vreport_source_error(r, 5, w5, PREP_ERR_TOO_MANY_FIELDS, &o),
	    PREP_OK);
	cr_assert_eq(
	    prep_vreport_source_error(r, 6, w6, PREP_ERR_FIELD_TOO_LONG, &o),
	    PREP_OK);
	cr_assert_eq(prep_vreport_source_error(r, 7, w6, PREP_ERR_IO, &o),
		     PREP_ERR_ARG);
	cr_assert_eq(prep_vreport_count(r, -1), 2);
	text = printed(r, v, 0, 0);
	cr_assert_str_eq(text, "x.csv:5: row 5: source-error: record has more "
			       "than 10 fields; reading stopped\n"
			       "x.csv:6: row 6, field 1 (1): source-error: "
			       "field longer than --max-field (64 bytes); "
			       "reading stopped\n"
			       "invalid: 0 rows, 0 valid; 2 errors: "
			       "source-error 2\n");
	free(text);
	prep_vreport_free(r);
	prep_validator_free(v);
}

/* ---- manifest, source errors ---- */

Test(validate, manifest)
{
	prep_validator *v = new_validator(0);
	const char *const h[] = {"id", "n\xFFm"};
	prep_field *hf = kept_header_any(v, h, 2);
	unsigned char sha[32];
	char *text;
	size_t i;

	for (i = 0; i < 32; i++)
		sha[i] = (unsigned char)(i * 8);
	cr_assert_eq(prep_validator_manifest(v, 7, sha, &text), PREP_OK);
	cr_assert_str_eq(text,
			 "{\"rows\":7,\"columns\":[\"id\",\"n\xEF\xBF\xBDm\"],"
			 "\"sha256\":\"0008101820283038404850586068707880"
			 "889098a0a8b0b8c0c8d0d8e0e8f0f8\"}\n");
	free(text);
	prep_validator_free(v);
	free(hf);

	/* without a header, the columns are numbers */
	v = new_validator(0);
	prep_validator_columns(v, 2);
	cr_assert_eq(prep_validator_manifest(v, 0, sha, &text), PREP_OK);
	cr_assert_str_eq(text, "{\"rows\":0,\"columns\":[\"1\",\"2\"],"
			       "\"sha256\":\"0008101820283038404850586068707880"
			       "889098a0a8b0b8c0c8d0d8e0e8f0f8\"}\n");
	free(text);
	prep_validator_free(v);
}

Test(validate, source_messages)
{
	prep_csv_options o;
	char buf[128];

	prep_csv_options_init(&o);
	o.max_field = 1024;
	o.max_fields = 10;
	cr_assert_str_eq(
	    prep_vsource_message(PREP_ERR_QUOTE, &o, buf, sizeof buf),
	    "stray quote in an unquoted field; reading stopped");
	cr_assert_str_eq(
	    prep_vsource_message(PREP_ERR_UNCLOSED_QUOTE, &o, buf, sizeof buf),
	    "quoted field not closed at end of input");
	cr_assert_str_eq(
	    prep_vsource_message(PREP_ERR_FIELD_TOO_LONG, &o, buf, sizeof buf),
	    "field longer than --max-field (1024 bytes); reading "
	    "stopped");
	cr_assert_str_eq(
	    prep_vsource_message(PREP_ERR_TOO_MANY_FIELDS, &o, buf, sizeof buf),
	    "record has more than 10 fields; reading stopped");
	cr_assert_str_eq(
	    prep_vsource_message(PREP_ERR_LIMIT, &o, buf, sizeof buf),
	    "record too long; reading stopped");
	cr_assert_null(prep_vsource_message(PREP_ERR_IO, &o, buf, sizeof buf));
	cr_assert_null(prep_vsource_message(PREP_OK, &o, buf, sizeof buf));
}

/*
 * Rows on several threads: workers' validators that put the key lookups
 * off note the rows (prep_validator_note), a third replays the notes
 * (prep_validator_replay); each row's issues, and the bytes made on the
 * workers, must be those of one validator checking the rows in order
 * (prep_validator_row, prep_writer_row, prep_validator_reject_row).
 * Cells from a small alphabet make duplicate keys ("1" and "01" are one
 * integer), type, constraint and encoding errors, personal data, blank,
 * short and long rows.
 */
static prep_schema *
keys_schema(void)
{
	static const char json[] =
	    "{\"fields\": [{\"name\": \"a\", \"type\": \"integer\","
	    " \"constraints\": {\"unique\": true, \"maximum\": 50}},"
	    " {\"name\": \"b\", \"constraints\": {\"unique\": true}},"
	    " {\"name\": \"c\"}], \"primaryKey\": [\"b\", \"c\"]}";
	prep_schema *s = NULL;

	cr_assert_eq(prep_schema_parse(json, strlen(json), &s, NULL), PREP_OK);
	return s;
}

/* The bytes of a memory writer, emptied. */
static void
take(prep_writer *w, prep_buf *b)
{
	const char *p;
	size_t n;

	cr_assert_eq(prep_writer_finish(w), PREP_OK);
	p = prep_writer_data(w, &n);
	prep_buf_reset(b);
	prep_buf_append(b, p ? p : "", n);
	prep_writer_reset(w);
}

static void
replay_matches_one_validator(size_t hcols)
{
	static const char *const alpha[] = {"",	  "1",	  "01",	    "2", "x",
					    "60", "\xff", "a@b.co", "k", "k2"};
	static const char *const hcells[] = {"a", "b", "c"};
	prep_schema *rs = keys_schema(), *ms = keys_schema(), *ws[2];
	prep_validator *ref, *main, *wv[2];
	prep_writer *file, *mw, *vw[2], *rw[2];
	prep_writer_options wo = {0};
	prep_field *h, *hm, *hw[2];
	prep_buf side, want, got;
	unsigned seed = 11;
	size_t row, changed = 0, dups = 0, valid = 0;
	int k;

	wo.delim = ',';
	cr_assert_eq(prep_writer_new(-1, &wo, &file), PREP_OK);
	cr_assert_eq(prep_writer_new_memory(file, &mw), PREP_OK);
	cr_assert_eq(prep_validator_new(rs, PREP_PII_EMAIL, &ref), PREP_OK);
	cr_assert_eq(prep_validator_new(ms, PREP_PII_EMAIL, &main), PREP_OK);
	h = kept_header_any(ref, hcells, hcols);
	hm = kept_header_any(main, hcells, hcols);
	for (k = 0; k < 2; k++) {
		ws[k] = keys_schema();
		cr_assert_eq(prep_validator_new(ws[k], PREP_PII_EMAIL, &wv[k]),
			     PREP_OK);
		hw[k] = kept_header_any(wv[k], hcells, hcols);
		prep_validator_defer(wv[k]);
		cr_assert_eq(prep_writer_new_memory(file, &vw[k]), PREP_OK);
		cr_assert_eq(prep_writer_new_memory(file, &rw[k]), PREP_OK);
	}
	prep_buf_init(&side, 0);
	prep_buf_init(&want, 0);
	prep_buf_init(&got, 0);
	for (row = 0; row < 3000; row++) {
		const char *cells[5];
		prep_field *f;
		const prep_vissue *is;
		size_t n, ni, i, off = 0;
		prep_vnote nt;
		int w = (int)(row / 7 % 2); /* pieces of 7 rows in turn */

		char kb[16];

		seed = seed * 1103515245u + 12345u;
		n = (seed >> 16) % 7;
		n = n > 4 ? 3 : n; /* as wide as the schema, mostly */
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			cells[i] = alpha[(seed >> 16) % NCELLS(alpha)];
			if (i == 1 && (seed >> 28) % 2) { /* b's: dups rarer */
				snprintf(kb, sizeof kb, "k%u",
					 (seed >> 8) % 4000);
				cells[i] = kb;
			}
		}
		f = fields(cells, n);
		prep_buf_reset(&side);
		cr_assert_eq(prep_validator_note(wv[w], f, n, row + 1,
						 (prep_where){"t", row + 2, 0},
						 vw[w], rw[w], ',', &side,
						 NULL),
			     PREP_OK);
		cr_assert_eq(prep_validator_row(ref, f, n, &is, &ni), PREP_OK);
		cr_assert_eq(prep_validator_replay(main, &side, &off, &nt),
			     PREP_OK);
		cr_assert_eq(nt.valid_run, 0);
		cr_assert_eq(nt.rows, row + 1);
		cr_assert_eq(nt.where.line, row + 2);
		cr_assert_eq(nt.nissues, ni, "row %zu: %zu issues, not %zu",
			     row, nt.nissues, ni);
		for (i = 0; i < ni; i++) {
			cr_assert_eq(nt.issues[i].field, is[i].field);
			cr_assert_eq(nt.issues[i].code, is[i].code, "row %zu",
				     row);
			cr_assert_str_eq(nt.issues[i].message, is[i].message);
			dups += is[i].code == PREP_V_UNIQUE ||
				is[i].code == PREP_V_PRIMARY_KEY;
		}
		/* the bytes: the valid row's, or the quarantine row's */
		if (ni == 0) {
			valid++;
			cr_assert_eq(prep_writer_row(mw, f, n), PREP_OK);
			take(mw, &want);
			cr_assert_eq(nt.valid_len, want.len);
			cr_assert(memcmp(nt.valid, want.data, want.len) == 0);
		} else {
			cr_assert_eq(prep_validator_reject_row(ref, mw, ',', f,
							       n, is, ni),
				     PREP_OK);
			take(mw, &want);
			if (nt.changed) {
				changed++;
				cr_assert_eq(nt.n, n);
				cr_assert_eq(prep_validator_reject_row(
						 main, mw, ',', nt.f, nt.n,
						 nt.issues, nt.nissues),
					     PREP_OK);
				take(mw, &got);
				cr_assert_str_eq(got.data, want.data);
			} else {
				cr_assert_eq(nt.reject_len, want.len);
				cr_assert(memcmp(nt.reject, want.data,
						 want.len) == 0);
			}
		}
		cr_assert_eq(prep_validator_replay(main, &side, &off, &nt),
			     PREP_END);
		free(f);
	}
	/* the alphabet does make duplicates, some in rows otherwise valid,
	 * and valid rows (none with a narrow header: every row has a
	 * missing or an extra cell) */
	cr_assert_gt(dups, 100);
	cr_assert_gt(changed, 10);
	cr_assert(hcols < 3 || valid > 10, "%zu valid rows", valid);
	prep_buf_free(&side);
	prep_buf_free(&want);
	prep_buf_free(&got);
	for (k = 0; k < 2; k++) {
		prep_validator_free(wv[k]);
		prep_schema_free(ws[k]);
		prep_writer_free(vw[k]);
		prep_writer_free(rw[k]);
		free(hw[k]);
	}
	prep_validator_free(ref);
	prep_validator_free(main);
	prep_schema_free(rs);
	prep_schema_free(ms);
	free(h);
	free(hm);
	prep_writer_free(mw);
	prep_writer_free(file);
}

Test(validate, notes_replayed_match_one_validator)
{
	replay_matches_one_validator(3);
	/* the schema wider than the header: c's cells are extra, but in
	 * the primary key all the same */
	replay_matches_one_validator(2);
}

Test(validate, runs_of_valid_rows_are_one_note)
{
	static const char *const hc[] = {"x"};
	static const char *const ok[] = {"v"};
	static const char *const bad[] = {"a@b.co"};
	prep_validator *w, *m;
	prep_field *h, *hm, *f = fields(ok, 1), *g = fields(bad, 1);
	prep_buf side;
	prep_vnote nt;
	size_t off = 0, ni = 9;
	int i;

	cr_assert_eq(prep_validator_new(NULL, PREP_PII_EMAIL, &w), PREP_OK);
	cr_assert_eq(prep_validator_new(NULL, PREP_PII_EMAIL, &m), PREP_OK);
	h = kept_header(w, hc, 1);
	hm = kept_header(m, hc, 1);
	prep_validator_defer(w);
	prep_buf_init(&side, 0);
	for (i = 0; i < 5; i++)
		cr_assert_eq(prep_validator_note(w, f, 1, i + 1,
						 (prep_where){"t", 2, 0}, NULL,
						 NULL, ',', &side, &ni),
			     PREP_OK);
	cr_assert_eq(ni, 0);
	cr_assert_eq(prep_validator_note(w, g, 1, 6, (prep_where){"t", 7, 0},
					 NULL, NULL, ',', &side, &ni),
		     PREP_OK);
	cr_assert_eq(ni, 1);
	cr_assert_eq(prep_validator_note(w, f, 1, 7, (prep_where){"t", 8, 0},
					 NULL, NULL, ',', &side, &ni),
		     PREP_OK);
	cr_assert_eq(prep_validator_replay(m, &side, &off, &nt), PREP_OK);
	cr_assert_eq(nt.valid_run, 5);
	cr_assert_eq(prep_validator_replay(m, &side, &off, &nt), PREP_OK);
	cr_assert_eq(nt.valid_run, 0);
	cr_assert_eq(nt.rows, 6);
	cr_assert_eq(nt.nissues, 1);
	cr_assert_eq(nt.issues[0].code, PREP_V_PII);
	cr_assert_eq(prep_validator_replay(m, &side, &off, &nt), PREP_OK);
	cr_assert_eq(nt.valid_run, 1);
	cr_assert_eq(prep_validator_replay(m, &side, &off, &nt), PREP_END);
	/* a fresh piece starts a run of its own */
	prep_buf_reset(&side);
	off = 0;
	cr_assert_eq(prep_validator_note(w, f, 1, 1, (prep_where){"t", 2, 0},
					 NULL, NULL, ',', &side, &ni),
		     PREP_OK);
	cr_assert_eq(prep_validator_replay(m, &side, &off, &nt), PREP_OK);
	cr_assert_eq(nt.valid_run, 1);
	prep_buf_free(&side);
	prep_validator_free(w);
	prep_validator_free(m);
	free(h);
	free(hm);
	free(f);
	free(g);
}
