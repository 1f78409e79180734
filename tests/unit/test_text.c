/*
 * test_text.c: unit tests of libprep/text.c: UTF-8 sequence lengths and
 * counts, the strict integer and number syntax, the shortest text of a
 * double, and prep_is_digit.
 *
 * Expected values are worked out by hand from the rules in text.h and
 * Unicode 15 Table 3-7; the exhaustive UTF-8 tests compare with a decoder
 * written here from RFC 3629's definition (bit patterns, then the code
 * point's range), not from the table the library uses.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* A string literal as (pointer, length), embedded NULs included. */
#define S(lit) (lit), (sizeof(lit) - 1)

/* A fixed pseudo-random sequence (xorshift64, Marsaglia 2003). */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
next_random(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* ---- prep_is_digit ---- */

Test(text, is_digit)
{
	int c;

	/* every byte, as unsigned char and as a (possibly negative) char */
	for (c = 0; c < 256; c++) {
		int want = c != 0 && memchr("0123456789", c, 10) != NULL;

		cr_assert_eq(prep_is_digit(c), want, "byte %d", c);
		cr_assert_eq(prep_is_digit((char)c), want, "char %d", c);
	}
	cr_assert_eq(prep_is_digit(EOF), 0);
	/* other scripts' digits and Latin-1's superscripts are not digits */
	cr_assert_eq(prep_is_digit((char)0xb2), 0); /* Latin-1 superscript 2 */
	cr_assert_eq(prep_is_digit(0x661), 0);	    /* ARABIC-INDIC ONE */
	cr_assert_eq(prep_is_digit('0' + 256), 0);
}

/* ---- UTF-8 ---- */

/*
 * The reference: a sequence's length from its lead byte's bit pattern
 * (0xxxxxxx, 110xxxxx, 1110xxxx, 11110xxx), each following byte 10xxxxxx,
 * then the code point it encodes must need that many bytes (no overlong
 * form), be no surrogate (U+D800..U+DFFF) and be at most U+10FFFF.
 */
static size_t
ref_seq_len(const unsigned char *s, size_t len)
{
	static const unsigned long least[] = {0, 0, 0x80, 0x800, 0x10000};
	unsigned long cp;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < least[n] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/* prep_utf8_seq_len(s, n) and, for every shorter length, the reference. */
static void
same_seq_len(const unsigned char *s, size_t n)
{
	size_t k;

	for (k = 1; k <= n; k++)
		if (prep_utf8_seq_len(s, k) != ref_seq_len(s, k))
			cr_assert_fail(
			    "%02x %02x %02x %02x (len %zu): %zu, want %zu",
			    s[0], n > 1 ? s[1] : 0, n > 2 ? s[2] : 0,
			    n > 3 ? s[3] : 0, k, prep_utf8_seq_len(s, k),
			    ref_seq_len(s, k));
}

Test(text, utf8_seq_len)
{
	cr_assert_eq(prep_utf8_seq_len("a", 1), 1);
	cr_assert_eq(prep_utf8_seq_len("\0", 1), 1);
	cr_assert_eq(prep_utf8_seq_len("\xC3\xAB", 2), 2);
	cr_assert_eq(prep_utf8_seq_len("\xC3\xAB\x78yz", 5), 2);
	cr_assert_eq(prep_utf8_seq_len("\xE2\x82\xAC", 3), 3);
	cr_assert_eq(prep_utf8_seq_len("\xF0\x9F\x98\x80", 4), 4);
	cr_assert_eq(prep_utf8_seq_len("\xF4\x8F\xBF\xBF", 4), 4);
	cr_assert_eq(prep_utf8_seq_len("\xED\x9F\xBF", 3), 3);
	cr_assert_eq(prep_utf8_seq_len("\xEE\x80\x80", 3), 3); /* U+E000 */
	/* ill-formed: 0 */
	cr_assert_eq(prep_utf8_seq_len("\x80", 1), 0);
	cr_assert_eq(prep_utf8_seq_len("\xBF", 1), 0);
	cr_assert_eq(prep_utf8_seq_len("\xC0\xAF", 2), 0);
	cr_assert_eq(prep_utf8_seq_len("\xC1\xBF", 2), 0);
	cr_assert_eq(prep_utf8_seq_len("\xE0\x9F\xBF", 3), 0);
	cr_assert_eq(prep_utf8_seq_len("\xED\xA0\x80", 3), 0);
	cr_assert_eq(prep_utf8_seq_len("\xF0\x8F\xBF\xBF", 4), 0);
	cr_assert_eq(prep_utf8_seq_len("\xF4\x90\x80\x80", 4), 0);
	cr_assert_eq(prep_utf8_seq_len("\xF5\x80\x80\x80", 4), 0);
	cr_assert_eq(prep_utf8_seq_len("\xFF", 1), 0);
	cr_assert_eq(prep_utf8_seq_len("\xC3\x61", 2), 0);
	cr_assert_eq(prep_utf8_seq_len("\xE2\x82\x61", 3), 0);
	/* truncated by len, though the bytes go on */
	cr_assert_eq(prep_utf8_seq_len("\xE2\x82\xAC", 2), 0);
	cr_assert_eq(prep_utf8_seq_len("\xF0\x9F\x98\x80", 3), 0);
	cr_assert_eq(prep_utf8_seq_len("\xC3\xAB", 1), 0);
}

/* Every one- and two-byte sequence, every three-byte one with a lead byte
 * of a three-byte form, and every four-byte one with a four-byte lead, its
 * second and third byte, and a last byte on each side of the continuation
 * range. */
Test(text, utf8_seq_len_exhaustive)
{
	static const unsigned char last[] = {0x00, 0x7f, 0x80, 0x9f,
					     0xa0, 0xbf, 0xc0, 0xff};
	unsigned char s[4];
	unsigned a, b, c, d;
	size_t valid3 = 0;

	for (a = 0; a < 256; a++)
		for (b = 0; b < 256; b++) {
			s[0] = (unsigned char)a;
			s[1] = (unsigned char)b;
			same_seq_len(s, 2);
		}
	for (a = 0xe0; a <= 0xef; a++)
		for (b = 0; b < 256; b++)
			for (c = 0; c < 256; c++) {
				s[0] = (unsigned char)a;
				s[1] = (unsigned char)b;
				s[2] = (unsigned char)c;
				same_seq_len(s, 3);
				valid3 += prep_utf8_seq_len(s, 3) == 3;
			}
	/* U+0800..U+FFFF less the 2048 surrogates */
	cr_assert_eq(valid3, 0x10000 - 0x800 - 0x800);
	for (a = 0xf0; a <= 0xf7; a++)
		for (b = 0; b < 256; b++)
			for (c = 0; c < 256; c++)
				for (d = 0; d < sizeof last; d++) {
					s[0] = (unsigned char)a;
					s[1] = (unsigned char)b;
					s[2] = (unsigned char)c;
					s[3] = last[d];
					same_seq_len(s, 4);
				}
}

static size_t
count(const char *s, size_t len)
{
	size_t n = 12345;

	cr_assert_eq(prep_utf8_count(s, len, &n), PREP_OK);
	return n;
}

static void
bad_utf8(const char *s, size_t len)
{
	size_t n = 7;

	cr_assert_eq(prep_utf8_count(s, len, &n), PREP_ERR_UTF8);
	cr_assert_eq(n, 7, "count written on error");
}

Test(text, utf8_count)
{
	cr_assert_eq(count(S("")), 0);
	cr_assert_eq(count(S("abc")), 3);
	cr_assert_eq(count(S("Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m")), 12);
	cr_assert_eq(count(S("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e")), 3);
	cr_assert_eq(count(S("\xf0\x9f\x98\x80")), 1); /* U+1F600 */
	cr_assert_eq(count(S("a\0b")), 3);	       /* NUL */
	/* The edges of Table 3-7. */
	cr_assert_eq(count(S("\x7f")), 1);
	cr_assert_eq(count(S("\xc2\x80")), 1);	       /* U+0080 */
	cr_assert_eq(count(S("\xdf\xbf")), 1);	       /* U+07FF */
	cr_assert_eq(count(S("\xe0\xa0\x80")), 1);     /* U+0800 */
	cr_assert_eq(count(S("\xed\x9f\xbf")), 1);     /* U+D7FF */
	cr_assert_eq(count(S("\xee\x80\x80")), 1);     /* U+E000 */
	cr_assert_eq(count(S("\xef\xbf\xbf")), 1);     /* U+FFFF */
	cr_assert_eq(count(S("\xf0\x90\x80\x80")), 1); /* U+10000 */
	cr_assert_eq(count(S("\xf4\x8f\xbf\xbf")), 1); /* U+10FFFF */
	/* Only the first len bytes count. */
	cr_assert_eq(count("abc\xff", 3), 3);
}

Test(text, utf8_invalid)
{
	bad_utf8(S("\x80")); /* stray continuation */
	bad_utf8(S("a\xbf"));
	bad_utf8(S("\xc0\xaf"));	 /* overlong '/' */
	bad_utf8(S("\xc1\xbf"));	 /* overlong */
	bad_utf8(S("\xe0\x80\xaf"));	 /* overlong */
	bad_utf8(S("\xe0\x9f\xbf"));	 /* overlong U+07FF */
	bad_utf8(S("\xf0\x8f\xbf\xbf")); /* overlong U+FFFF */
	bad_utf8(S("\xed\xa0\x80"));	 /* surrogate U+D800 */
	bad_utf8(S("\xed\xbf\xbf"));	 /* surrogate U+DFFF */
	bad_utf8(S("\xf4\x90\x80\x80")); /* U+110000 */
	bad_utf8(S("\xf5\x80\x80\x80"));
	bad_utf8(S("\xfe"));
	bad_utf8(S("\xff"));
	bad_utf8(S("\xc3"));	     /* truncated */
	bad_utf8(S("\xe2\x82"));     /* truncated */
	bad_utf8(S("\xf0\x9f\x98")); /* truncated */
	bad_utf8(S("a\xc3(b"));	     /* bad continuation */
	bad_utf8(S("\xe2\x28\xa1"));
	bad_utf8("\xc3\xab", 1); /* cut by len */
}

/* Counts across the eight-byte ASCII steps: a multi-byte character or a
 * bad byte just before, on and after an eight-byte boundary. */
Test(text, utf8_count_ascii_runs)
{
	cr_assert_eq(count(S("abcdefgh")), 8);
	cr_assert_eq(count(S("abcdefghi")), 9);
	cr_assert_eq(count(S("abcdefg\xc3\xab")), 8);  /* straddles */
	cr_assert_eq(count(S("abcdefgh\xc3\xab")), 9); /* after a run */
	cr_assert_eq(count(S("\303\253abcdefgh")), 9); /* before */
	cr_assert_eq(count(S("abcdefghijklmnop\xe2\x82\xac")), 17);
	cr_assert_eq(count(S("abcdefghijklmno\xf0\x9f\x98\x80xyz")), 19);
	bad_utf8(S("abcdefgh\xff"));
	bad_utf8(S("abcdefghijklmnop\x80"));
	bad_utf8(S("abcdefg\xc3"));
	bad_utf8(S("abcdefghijklmnopqrstuvwxyz\xed\xa0\x80"));
}

/* prep_utf8_count against the reference on random texts, mostly ASCII so
 * that the eight-byte steps are taken, with some multi-byte and bad
 * bytes. */
Test(text, utf8_count_random)
{
	static const char *const pieces[] = {
	    "\xc3\xab",		/* U+00EB */
	    "\xe2\x82\xac",	/* U+20AC */
	    "\xf0\x9f\x98\x80", /* U+1F600 */
	    "\xc0",		/* never a lead byte */
	    "\x80",		/* stray continuation */
	    "\xed\xa0\x80",	/* surrogate */
	    "\xf4\x90",		/* cut, and above U+10FFFF */
	    " ",
	};
	const size_t npieces = sizeof pieces / sizeof *pieces;
	unsigned char text[256];
	int round;

	for (round = 0; round < 20000; round++) {
		size_t len = 0, want = 0, i = 0, k, got = 999999;
		int bad = 0;
		size_t pieces_n = 1 + next_random() % 40;

		while (pieces_n-- > 0) {
			uint64_t r = next_random();
			/* 9 in 10 an ASCII letter, else one of the pieces */
			const char *p =
			    r % 10 ? "x" : pieces[(r >> 8) % npieces];

			memcpy(text + len, p, strlen(p));
			len += strlen(p);
		}
		while (i < len) {
			if ((k = ref_seq_len(text + i, len - i)) == 0) {
				bad = 1;
				break;
			}
			i += k;
			want++;
		}
		if (bad)
			cr_assert_eq(
			    prep_utf8_count((const char *)text, len, &got),
			    PREP_ERR_UTF8, "round %d", round);
		else {
			cr_assert_eq(
			    prep_utf8_count((const char *)text, len, &got),
			    PREP_OK, "round %d", round);
			cr_assert_eq(got, want, "round %d", round);
		}
	}
}

/* ---- numbers ---- */

static int64_t
int64_of(const char *s, size_t len)
{
	int64_t v = 42;

	cr_assert_eq(prep_parse_int64(s, len, &v), PREP_OK, "parse %.*s",
		     (int)len, s);
	return v;
}

static void
bad_int64(const char *s, size_t len, prep_status want)
{
	int64_t v = 42;

	cr_assert_eq(prep_parse_int64(s, len, &v), want, "parse \"%.*s\"",
		     (int)len, s);
	cr_assert_eq(v, 42, "value written on error");
}

Test(text, parse_int64)
{
	cr_assert_eq(int64_of(S("0")), 0);
	cr_assert_eq(int64_of(S("-0")), 0);
	cr_assert_eq(int64_of(S("+0")), 0);
	cr_assert_eq(int64_of(S("37")), 37);
	cr_assert_eq(int64_of(S("+42")), 42);
	cr_assert_eq(int64_of(S("-3")), -3);
	cr_assert_eq(int64_of(S("007")), 7);
	cr_assert_eq(int64_of(S("9223372036854775807")), INT64_MAX);
	cr_assert_eq(int64_of(S("-9223372036854775808")), INT64_MIN);
	cr_assert_eq(int64_of(S("-9223372036854775807")), -INT64_MAX);
	cr_assert_eq(int64_of(S("0000000000000000000000009")), 9);
	cr_assert_eq(int64_of("123", 2), 12);
	bad_int64(S("9223372036854775808"), PREP_ERR_RANGE);
	bad_int64(S("-9223372036854775809"), PREP_ERR_RANGE);
	bad_int64(S("18446744073709551616"), PREP_ERR_RANGE);
	bad_int64(S("99999999999999999999999999"), PREP_ERR_RANGE);
	bad_int64(S(""), PREP_ERR_VALUE);
	bad_int64(S("-"), PREP_ERR_VALUE);
	bad_int64(S("+"), PREP_ERR_VALUE);
	bad_int64(S(" 1"), PREP_ERR_VALUE);
	bad_int64(S("1 "), PREP_ERR_VALUE);
	bad_int64(S("1.0"), PREP_ERR_VALUE);
	bad_int64(S("1e3"), PREP_ERR_VALUE);
	bad_int64(S("0x10"), PREP_ERR_VALUE);
	bad_int64(S("--1"), PREP_ERR_VALUE);
	bad_int64(S("+-1"), PREP_ERR_VALUE);
	bad_int64(S("1_000"), PREP_ERR_VALUE);
	bad_int64(S("1\0"), PREP_ERR_VALUE);
	bad_int64(S("\xd9\xa1"), PREP_ERR_VALUE); /* ARABIC-INDIC ONE */
}

static double
number_of(const char *s, size_t len)
{
	double v = 42;

	cr_assert_eq(prep_parse_number(s, len, &v), PREP_OK, "parse %.*s",
		     (int)len, s);
	return v;
}

static void
bad_number(const char *s, size_t len, prep_status want)
{
	double v = 42;

	cr_assert_eq(prep_parse_number(s, len, &v), want, "parse \"%.*s\"",
		     (int)len, s);
	cr_assert_eq(v, 42, "value written on error");
}

Test(text, parse_number)
{
	char longnum[300];

	cr_assert_eq(number_of(S("0")), 0.0);
	cr_assert_eq(number_of(S("37")), 37.0);
	cr_assert_eq(number_of(S("1.5")), 1.5);
	cr_assert_eq(number_of(S("-0.25")), -0.25);
	cr_assert_eq(number_of(S("+7")), 7.0);
	cr_assert_eq(number_of(S(".5")), 0.5);
	cr_assert_eq(number_of(S("-.5")), -0.5);
	cr_assert_eq(number_of(S("5.")), 5.0);
	cr_assert_eq(number_of(S("1e3")), 1000.0);
	cr_assert_eq(number_of(S("1E-2")), 0.01);
	cr_assert_eq(number_of(S("2.5e+1")), 25.0);
	cr_assert_eq(number_of(S("0.1")), 0.1);
	cr_assert_eq(number_of(S("9223372036854775808")),
		     9223372036854775808.0);
	cr_assert_eq(number_of(S("1e-400")), 0.0); /* underflow reads as 0 */
	cr_assert_eq(number_of("12345", 3), 123.0);
	/* Longer than the on-stack copy: 280 zeros, then 15. */
	memset(longnum, '0', 280);
	memcpy(longnum + 280, "15", 2);
	cr_assert_eq(number_of(longnum, 282), 15.0);
	bad_number(S(""), PREP_ERR_VALUE);
	bad_number(S("."), PREP_ERR_VALUE);
	bad_number(S("-"), PREP_ERR_VALUE);
	bad_number(S("-."), PREP_ERR_VALUE);
	bad_number(S("e5"), PREP_ERR_VALUE);
	bad_number(S(".e5"), PREP_ERR_VALUE);
	bad_number(S("1e"), PREP_ERR_VALUE);
	bad_number(S("1e+"), PREP_ERR_VALUE);
	bad_number(S("1e1.5"), PREP_ERR_VALUE);
	bad_number(S("inf"), PREP_ERR_VALUE);
	bad_number(S("-Infinity"), PREP_ERR_VALUE);
	bad_number(S("nan"), PREP_ERR_VALUE);
	bad_number(S("NaN"), PREP_ERR_VALUE);
	bad_number(S("0x1p3"), PREP_ERR_VALUE);
	bad_number(S("0x10"), PREP_ERR_VALUE);
	bad_number(S(" 1"), PREP_ERR_VALUE);
	bad_number(S("1 "), PREP_ERR_VALUE);
	bad_number(S("1,5"), PREP_ERR_VALUE);
	bad_number(S("1.2.3"), PREP_ERR_VALUE);
	bad_number(S("--1"), PREP_ERR_VALUE);
	bad_number(S("1\0"), PREP_ERR_VALUE);
	bad_number(S("1e999"), PREP_ERR_RANGE);
	bad_number(S("-1e400"), PREP_ERR_RANGE);
}

/* Every integer from -1000 to 1000, as printf writes it, reads back. */
Test(text, parse_int64_printf)
{
	char text[16];
	int64_t i, v;

	for (i = -1000; i <= 1000; i++) {
		int n = snprintf(text, sizeof text, "%lld", (long long)i);

		cr_assert_eq(prep_parse_int64(text, (size_t)n, &v), PREP_OK);
		cr_assert_eq(v, i);
	}
}

/* prep_format_int64 against printf: every value from -20000 to 20000,
 * the ends, every power of ten and its neighbours, and random values of
 * every length. */
static void
format_is_printf(int64_t v)
{
	char want[32], got[PREP_INT64_TEXT + 1];
	int n = snprintf(want, sizeof want, "%" PRId64, v);
	size_t k = prep_format_int64(v, got);

	cr_assert_eq(k, (size_t)n, "%s: length %zu", want, k);
	got[k] = '\0';
	cr_assert_str_eq(got, want);
}

Test(text, format_int64)
{
	int64_t p = 1;
	int i;

	for (i = -20000; i <= 20000; i++) /* every digit pair, both signs */
		format_is_printf(i);
	format_is_printf(INT64_MIN);
	format_is_printf(INT64_MIN + 1);
	format_is_printf(INT64_MAX);
	for (i = 0; i < 19; i++) { /* 10^0 .. 10^18 */
		format_is_printf(p);
		format_is_printf(p - 1);
		format_is_printf(p + 1);
		format_is_printf(-p);
		format_is_printf(1 - p);
		if (i < 18)
			p *= 10;
	}
	for (i = 0; i < 100000; i++) {
		uint64_t r = next_random();

		format_is_printf((int64_t)(r >> (r % 64)));
	}
}

Test(text, parse_number_more)
{
	char text[100];
	double v = 42;

	/* the sign of zero is kept */
	cr_assert_eq(prep_parse_number(S("-0"), &v), PREP_OK);
	cr_assert(v == 0 && signbit(v));
	cr_assert_eq(prep_parse_number(S("+0.0e5"), &v), PREP_OK);
	cr_assert(v == 0 && !signbit(v));
	cr_assert_eq(number_of(S("+1e+2")), 100.0);
	cr_assert_eq(number_of(S("1e0000000000000000000000002")), 100.0);
	cr_assert_eq(number_of(S("1.7976931348623157e308")),
		     1.7976931348623157e308);
	cr_assert_eq(number_of(S("4.9e-324")), 4.9e-324); /* least subnormal */
	/* longer than the on-stack copy: 70 zeros, then 1e2 */
	memset(text, '0', 70);
	memcpy(text + 70, "1e2", 3);
	cr_assert_eq(number_of(text, 73), 100.0);
	/* a long text that is not a number is refused before any copy */
	memset(text, '1', 99);
	text[99] = 'x';
	bad_number(text, 100, PREP_ERR_VALUE);
	/* 80 ones, then an exponent: bad syntax, then too large */
	memcpy(text + 80, "e+1.5", 5);
	bad_number(text, 85, PREP_ERR_VALUE);
	memcpy(text + 80, "e400", 4);
	bad_number(text, 84, PREP_ERR_RANGE);
	memcpy(text + 80, "e-60", 4);
	cr_assert_eq(number_of(text, 84), 1.1111111111111111e19);
}

/* ---- prep_format_double ---- */

static void
fmt(double v, const char *want)
{
	char buf[64];
	int n = prep_format_double(v, buf, sizeof buf);
	double back;

	cr_assert_str_eq(buf, want, "%.17g", v);
	cr_assert_eq(n, (int)strlen(want));
	back = strtod(buf, NULL);
	cr_assert(memcmp(&back, &v, sizeof v) == 0, "%s does not read back",
		  buf);
}

Test(text, format_double)
{
	char buf[8];

	fmt(0.1, "0.1");
	fmt(1e21, "1e+21");
	fmt(5e-324, "5e-324");
	fmt(1.0 / 3, "0.3333333333333333");
	fmt(-0.0, "-0");
	fmt(0.0, "0");
	/* 17 significant digits needed; the exponent form at 18 digits */
	fmt(123456789012345680.0, "1.2345678901234568e+17");
	fmt(0.1 + 0.2, "0.30000000000000004");
	fmt(1e-5, "1e-05");
	fmt(0.0001, "0.0001");
	fmt(-2.5, "-2.5");
	/* written in full up to 17 integer digits, not "1e+02" */
	fmt(100, "100");
	fmt(1e16, "10000000000000000");
	fmt(1e17, "1e+17");
	fmt(123456.75, "123456.75");
	fmt(1.7976931348623157e308, "1.7976931348623157e+308");
	fmt(2.2250738585072014e-308, "2.2250738585072014e-308");
	/* snprintf's convention: the full length, the text cut to fit */
	cr_assert_eq(prep_format_double(1.0 / 3, buf, sizeof buf), 18);
	cr_assert_str_eq(buf, "0.33333");
	cr_assert_eq(prep_format_double(1.0 / 3, NULL, 0), 18);
}

Test(text, format_double_special)
{
	char buf[8];

	cr_assert_eq(prep_format_double(NAN, buf, sizeof buf), 3);
	cr_assert_str_eq(buf, "nan");
	cr_assert_eq(prep_format_double(INFINITY, buf, sizeof buf), 3);
	cr_assert_str_eq(buf, "inf");
	cr_assert_eq(prep_format_double(-INFINITY, buf, sizeof buf), 4);
	cr_assert_str_eq(buf, "-inf");
	/* room for the NUL only */
	cr_assert_eq(prep_format_double(2.5, buf, 1), 3);
	cr_assert_str_eq(buf, "");
}

/* Significant digits of a text: the mantissa's digits less leading
 * zeros. */
static int
significant(const char *t)
{
	int n = 0;
	size_t i;

	for (i = 0; t[i] != '\0' && t[i] != 'e'; i++)
		if (t[i] >= '0' && t[i] <= '9' && (n > 0 || t[i] != '0'))
			n++;
	return n;
}

/*
 * v's text reads back as v, bit for bit. A whole number below 10^17 is
 * written in full, with every digit of its value (as "%.0f" writes it);
 * any other number has no more significant digits than it needs: one
 * digit less, rounded, reads back as another double.
 */
static void
shortest(double v)
{
	char buf[64], less[64];
	double back;
	int n = prep_format_double(v, buf, sizeof buf), sig;

	cr_assert(n > 0 && (size_t)n < sizeof buf, "%a", v);
	back = strtod(buf, NULL);
	cr_assert(memcmp(&back, &v, sizeof v) == 0, "%a: %s", v, buf);
	if (v == floor(v) && fabs(v) < 1e17) {
		(void)snprintf(less, sizeof less, "%.0f", v);
		cr_assert_str_eq(buf, less, "%a", v);
		return;
	}
	sig = significant(buf);
	cr_assert(sig >= 1 && sig <= 17, "%a: %s", v, buf);
	if (sig > 1) {
		(void)snprintf(less, sizeof less, "%.*g", sig - 1, v);
		cr_assert(strtod(less, NULL) != v, "%a: %s, but %s reads back",
			  v, buf, less);
	}
}

Test(text, format_double_random)
{
	int round;

	for (round = 0; round < 20000; round++) {
		uint64_t bits = next_random();
		double v;

		memcpy(&v, &bits, sizeof v);
		if (isfinite(v))
			shortest(v);
		/* a whole number of 0 to 64 bits, either sign */
		v = (double)(next_random() >> (next_random() % 64));
		shortest(round % 2 ? v : -v);
	}
}

/* k / 10^d for k of up to six digits and d up to 4: always the decimal
 * itself, without trailing zeros, never an exponent. */
Test(text, format_double_decimals)
{
	static const int pow10[] = {1, 10, 100, 1000, 10000};
	char buf[64], want[64];
	int round;

	for (round = 0; round < 20000; round++) {
		int k = 1 + (int)(next_random() % 999999);
		int d = (int)(next_random() % 5);
		int ip = k / pow10[d], fp = k % pow10[d], n;

		n = snprintf(want, sizeof want, "%d", ip);
		if (fp != 0) {
			n += snprintf(want + n, sizeof want - (size_t)n,
				      ".%0*d", d, fp);
			while (want[n - 1] == '0')
				want[--n] = '\0';
		}
		cr_assert_eq(
		    prep_format_double((double)k / pow10[d], buf, sizeof buf),
		    n);
		cr_assert_str_eq(buf, want, "%d / %d", k, pow10[d]);
	}
}
