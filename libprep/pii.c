/*
 * pii.c: the PII detectors of pii.h.
 *
 * Each detector is a PCRE2 pattern that finds a candidate (compiled once
 * in prep_pii_new(), JIT-compiled when the platform allows, run in byte
 * mode so that invalid UTF-8 can't upset it) and a C function that decides
 * whether the candidate is one: it checks the boundaries (no match starts
 * or ends inside a word), the checksum or the shape, and may move the end
 * back to the longest valid prefix.  A candidate that fails is skipped by
 * one byte only, so it never hides a valid match that starts inside it.
 *
 * Relies on PCRE2 (8-bit library) and inet_pton(3).  References are next
 * to each rule: ISO/IEC 7812-1 (card numbers, Luhn), the published IIN
 * ranges of the card networks, ISO 13616-1 and the SWIFT IBAN Registry,
 * ISO 7064 (MOD 97-10), RFC 5321 (e-mail lengths), the SSA's SSN
 * randomization rules, RFC 4291 (IPv6 text form), ITU-T E.164 (phones).
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "pii.h"
#include "text.h"

/* ---- characters and boundaries ---- */

static int
is_alpha(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int
is_alnum(unsigned char c)
{
	return prep_is_digit(c) || is_alpha(c);
}

static int
is_xdigit(unsigned char c)
{
	return prep_is_digit(c) || (c >= 'A' && c <= 'F') ||
	       (c >= 'a' && c <= 'f');
}

/*
 * Decode the UTF-8 sequence at u[i] (i < len) into *n bytes: its code
 * point, or -1 (with *n = 1) for an invalid, overlong, surrogate or
 * truncated sequence (RFC 3629).
 */
static long
utf8_decode(const unsigned char *u, size_t len, size_t i, size_t *n)
{
	unsigned c = u[i];
	size_t need, k;
	long cp;

	*n = 1;
	if (c < 0x80)
		return c;
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		cp = c & 0x07;
	} else
		return -1;
	if (len - i - 1 < need)
		return -1;
	for (k = 1; k <= need; k++) {
		if ((u[i + k] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (u[i + k] & 0x3f);
	}
	if ((need == 2 && cp < 0x800) ||
	    (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*n = need + 1;
	return cp;
}

/* The code point that ends just before u[i] (i > 0), or -1. */
static long
utf8_before(const unsigned char *u, size_t i)
{
	size_t k = 1, n;
	long cp;

	while (k < 4 && k < i && (u[i - k] & 0xc0) == 0x80)
		k++;
	cp = utf8_decode(u, i, i - k, &n);
	return n == k ? cp : -1;
}

/*
 * Whether a code point belongs to a word for the boundary rule: ASCII
 * letters and digits, and non-ASCII characters except spaces, punctuation
 * and symbols (Latin-1 U+0080..U+00BF, U+00D7, U+00F7, U+2000..U+2BFF,
 * U+2E00..U+2E7F, U+3000..U+303F, small and full-width forms, specials,
 * emoji) and the scripts written without spaces between words (Thai, Lao,
 * Myanmar, Khmer, kana, CJK ideographs), so that "电话+86 ..." and
 * "«jean@example.com»" still match.  Invalid UTF-8 is no word.  This is
 * a heuristic by ranges, not the Unicode database.
 */
static int
cp_is_word(long cp)
{
	if (cp < 0)
		return 0;
	if (cp < 0x80)
		return is_alnum((unsigned char)cp);
	if (cp <= 0xbf || cp == 0xd7 || cp == 0xf7)
		return 0;
	if ((cp >= 0x0e00 && cp <= 0x0eff) || (cp >= 0x1000 && cp <= 0x109f) ||
	    (cp >= 0x1780 && cp <= 0x17ff))
		return 0;
	if ((cp >= 0x2000 && cp <= 0x2bff) || (cp >= 0x2e00 && cp <= 0x2e7f))
		return 0;
	if ((cp >= 0x3000 && cp <= 0x30ff) || (cp >= 0x3400 && cp <= 0x4dbf) ||
	    (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xf900 && cp <= 0xfaff))
		return 0;
	if ((cp >= 0xfe30 && cp <= 0xfe6f) || (cp >= 0xff00 && cp <= 0xff0f) ||
	    (cp >= 0xff1a && cp <= 0xff20) || (cp >= 0xff3b && cp <= 0xff40) ||
	    (cp >= 0xff5b && cp <= 0xff65) || (cp >= 0xfff0 && cp <= 0xffff))
		return 0;
	if ((cp >= 0x1f000 && cp <= 0x1faff) ||
	    (cp >= 0x20000 && cp <= 0x3ffff))
		return 0;
	return 1;
}

/*
 * Whether a match may start at t[s]: the character before is not part of
 * a word and, when `joined` is set, not a '-' or '.' right after a digit
 * (the match would be the tail of a longer run such as "1.2.3.4.5" or
 * "1-555-12-3456-7").
 */
static int
left_ok(const char *t, size_t s, int joined)
{
	const unsigned char *u = (const unsigned char *)t;

	if (s == 0)
		return 1;
	if (cp_is_word(utf8_before(u, s)))
		return 0;
	if (joined && s >= 2 && (u[s - 1] == '-' || u[s - 1] == '.') &&
	    prep_is_digit(u[s - 2]))
		return 0;
	return 1;
}

/* Whether a match may end before t[e]: the mirror of left_ok(). */
static int
right_ok(const char *t, size_t len, size_t e, int joined)
{
	const unsigned char *u = (const unsigned char *)t;
	size_t n;

	if (e >= len)
		return 1;
	if (cp_is_word(utf8_decode(u, len, e, &n)))
		return 0;
	if (joined && e + 1 < len && (u[e] == '-' || u[e] == '.') &&
	    prep_is_digit(u[e + 1]))
		return 0;
	return 1;
}

/* ---- checksums ---- */

/* Luhn (mod 10) check, ISO/IEC 7812-1 annex B: from the right, double every
 * second digit, subtract 9 from doubles above 9; the sum ends in 0. */
int
prep_luhn_valid(const char *digits, size_t n)
{
	unsigned sum = 0, d;
	size_t i;

	if (digits == NULL || n < 2)
		return 0;
	for (i = 0; i < n; i++) {
		if (!prep_is_digit((unsigned char)digits[n - 1 - i]))
			return 0;
		d = (unsigned)(digits[n - 1 - i] - '0');
		if (i % 2 == 1) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return sum % 10 == 0;
}

/*
 * IBAN length by country: SWIFT IBAN Registry (the registration authority
 * of ISO 13616-1), 89 countries as of 2025.  Territories that use another
 * country's format (GF, RE ... under FR; IM, JE, GG under GB; AX under FI)
 * write that country's code, so they need no row of their own.
 */
static const struct iban_country {
	char cc[3];
	unsigned char len;
} iban_countries[] = {
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20},
    {"BE", 16}, {"BG", 22}, {"BH", 22}, {"BI", 27}, {"BR", 29}, {"BY", 28},
    {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24}, {"DE", 22}, {"DJ", 27},
    {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18},
    {"FK", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23},
    {"GL", 18}, {"GR", 27}, {"GT", 28}, {"HN", 28}, {"HR", 21}, {"HU", 28},
    {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27}, {"JO", 30},
    {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20},
    {"LU", 20}, {"LV", 21}, {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22},
    {"MK", 19}, {"MN", 20}, {"MR", 27}, {"MT", 31}, {"MU", 30}, {"NI", 28},
    {"NL", 18}, {"NO", 15}, {"OM", 23}, {"PK", 24}, {"PL", 28}, {"PS", 29},
    {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"RU", 33}, {"SA", 24},
    {"SC", 31}, {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27},
    {"SO", 23}, {"ST", 25}, {"SV", 28}, {"TL", 23}, {"TN", 24}, {"TR", 26},
    {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20}, {"YE", 30},
};

static unsigned char
upper(unsigned char c)
{
	return c >= 'a' && c <= 'z' ? (unsigned char)(c - 'a' + 'A') : c;
}

/* The IBAN length of a country code (either case), 0 if not in the list. */
static size_t
iban_length(unsigned char a, unsigned char b)
{
	size_t i;

	a = upper(a);
	b = upper(b);
	for (i = 0; i < sizeof(iban_countries) / sizeof(iban_countries[0]); i++)
		if ((unsigned char)iban_countries[i].cc[0] == a &&
		    (unsigned char)iban_countries[i].cc[1] == b)
			return iban_countries[i].len;
	return 0;
}

/*
 * ISO 13616-1 check: move the first four characters to the end, read
 * letters as 10..35, and the number mod 97 must be 1 (ISO 7064 MOD 97-10).
 * Check digits 00, 01 and 99 are never issued.
 */
int
prep_iban_valid(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned rem = 0, v;
	size_t i, k;

	if (s == NULL || n < 5 || !is_alpha(u[0]) || !is_alpha(u[1]) ||
	    !prep_is_digit(u[2]) || !prep_is_digit(u[3]))
		return 0;
	if (iban_length(u[0], u[1]) != n)
		return 0;
	v = (unsigned)(u[2] - '0') * 10 + (unsigned)(u[3] - '0');
	if (v < 2 || v > 98)
		return 0;
	for (k = 0; k < n; k++) {
		i = (k + 4) % n;
		if (prep_is_digit(u[i]))
			rem = (rem * 10 + (unsigned)(u[i] - '0')) % 97;
		else if (is_alpha(u[i]))
			rem = (rem * 100 + (unsigned)(upper(u[i]) - 'A' + 10)) %
			      97;
		else
			return 0;
	}
	return rem == 1;
}

/* ---- payment cards ---- */

#define LENS(a, b) ((((1u << ((b) + 1)) - 1) >> (a)) << (a)) /* a..b */
#define LEN(a) (1u << (a))

/*
 * Card networks by leading digits (IIN ranges) and lengths, from the
 * networks' published ranges as summarized by the "Payment card number"
 * article of Wikipedia (2024).  UATP (prefix 1, 15 digits) is left out on
 * purpose: it would take ordinary 15-digit ids that begin with 1.
 */
static const struct card_range {
	unsigned lo, hi;      /* range of the first `digits` digits */
	unsigned char digits; /* how many leading digits lo and hi have */
	unsigned lengths;     /* bit n set: n digits allowed */
} card_ranges[] = {
    {4, 4, 1, LEN(13) | LEN(16) | LEN(19)},	      /* Visa */
    {51, 55, 2, LEN(16)},			      /* Mastercard */
    {2221, 2720, 4, LEN(16)},			      /* Mastercard */
    {34, 34, 2, LEN(15)},			      /* American Express */
    {37, 37, 2, LEN(15)},			      /* American Express */
    {6011, 6011, 4, LENS(16, 19)},		      /* Discover */
    {644, 649, 3, LENS(16, 19)},		      /* Discover */
    {65, 65, 2, LENS(16, 19)},			      /* Discover, RuPay */
    {622126, 622925, 6, LENS(16, 19)},		      /* Discover */
    {300, 305, 3, LENS(14, 19)},		      /* Diners Club */
    {3095, 3095, 4, LENS(14, 19)},		      /* Diners Club */
    {36, 36, 2, LENS(14, 19)},			      /* Diners Club */
    {38, 39, 2, LENS(16, 19)},			      /* Diners Club */
    {3528, 3589, 4, LENS(16, 19)},		      /* JCB */
    {62, 62, 2, LENS(16, 19)},			      /* UnionPay */
    {81, 81, 2, LENS(16, 19)},			      /* UnionPay */
    {5018, 5018, 4, LENS(12, 19)},		      /* Maestro */
    {5020, 5020, 4, LENS(12, 19)},		      /* Maestro */
    {5038, 5038, 4, LENS(12, 19)},		      /* Maestro */
    {5893, 5893, 4, LENS(12, 19)},		      /* Maestro */
    {6304, 6304, 4, LENS(12, 19)},		      /* Maestro */
    {6759, 6759, 4, LENS(12, 19)},		      /* Maestro */
    {6761, 6763, 4, LENS(12, 19)},		      /* Maestro */
    {2200, 2204, 4, LENS(16, 19)},		      /* Mir */
    {5019, 5019, 4, LEN(16)},			      /* Dankort */
    {60, 60, 2, LEN(16)},			      /* RuPay */
    {508, 508, 3, LEN(16)},			      /* RuPay */
    {9792, 9792, 4, LEN(16)},			      /* Troy */
    {506099, 506198, 6, LEN(16) | LEN(18) | LEN(19)}, /* Verve */
    {507865, 507964, 6, LEN(16) | LEN(18) | LEN(19)}, /* Verve */
    {650002, 650027, 6, LEN(16) | LEN(18) | LEN(19)}, /* Verve */
    {636, 636, 3, LENS(16, 19)},		      /* InterPayment */
    {637, 639, 3, LEN(16)},			      /* InstaPayment */
};

/* Whether n digits (12..19) have a network's prefix and length and pass
 * the Luhn check. */
static int
card_number_ok(const char *d, size_t n)
{
	size_t i, k;
	unsigned v;

	if (n < 12 || n > 19 || !prep_luhn_valid(d, n))
		return 0;
	for (i = 0; i < sizeof(card_ranges) / sizeof(card_ranges[0]); i++) {
		const struct card_range *r = &card_ranges[i];

		if (!(r->lengths >> n & 1))
			continue;
		for (v = 0, k = 0; k < r->digits; k++)
			v = v * 10 + (unsigned)(d[k] - '0');
		if (v >= r->lo && v <= r->hi)
			return 1;
	}
	return 0;
}

/* Length of the run of ASCII digits at t[i]. */
static size_t
digit_run(const char *t, size_t len, size_t i)
{
	size_t j = i;

	while (j < len && prep_is_digit((unsigned char)t[j]))
		j++;
	return j - i;
}

/*
 * A card number: 12..19 digits written together, or a first group of 4
 * then groups of 3..6 digits, all separated by the same single space or
 * dash.  Grouped, the longest run of whole groups that is a valid card
 * wins ("4111 1111 1111 1111 2025" holds a card and a year).
 */
static int
card_check(const char *t, size_t len, size_t *s, size_t *e)
{
	char d[19];
	size_t ends[8], counts[8], ng = 0, nd, i, run, k;
	char sep;

	if (!left_ok(t, *s, 1))
		return 0;
	run = digit_run(t, len, *s);
	if (run >= 12) {
		if (run > 19 || !card_number_ok(t + *s, run) ||
		    !right_ok(t, len, *s + run, 1))
			return 0;
		*e = *s + run;
		return 1;
	}
	if (run != 4 || *s + 4 >= len)
		return 0;
	sep = t[*s + 4];
	if (sep != ' ' && sep != '-')
		return 0;
	memcpy(d, t + *s, 4);
	nd = 4;
	i = *s + 4;
	while (ng < 8 && i + 1 < len && t[i] == sep) {
		run = digit_run(t, len, i + 1);
		if (run < 3 || run > 6 || nd + run > 19)
			break;
		memcpy(d + nd, t + i + 1, run);
		nd += run;
		i += 1 + run;
		ends[ng] = i;
		counts[ng++] = nd;
	}
	for (k = ng; k-- > 0;) {
		if (card_number_ok(d, counts[k]) &&
		    right_ok(t, len, ends[k], 1)) {
			*e = ends[k];
			return 1;
		}
	}
	return 0;
}

/* ---- the other detectors ---- */

/*
 * E-mail: the local part may hold non-ASCII letters (RFC 6531) but a
 * non-ASCII character that is no letter (a quote mark, CJK text run into
 * the address) ends what came before it; non-ASCII characters in the
 * domain must be letters or digits.
 */
static int
email_check(const char *t, size_t len, size_t *s, size_t *e)
{
	const unsigned char *u = (const unsigned char *)t;
	const char *atp = memchr(t + *s, '@', *e - *s);
	size_t at, i, n, start = *s;
	long cp;

	if (atp == NULL)
		return 0;
	at = (size_t)(atp - t);
	for (i = *s; i < at; i += n) {
		n = 1;
		if (u[i] < 0x80)
			continue;
		cp = utf8_decode(u, at, i, &n);
		if (!cp_is_word(cp))
			start = i + n;
	}
	while (start < at && t[start] == '.')
		start++;
	if (start >= at)
		return 0;
	for (i = at + 1; i < *e; i += n) {
		n = 1;
		if (u[i] >= 0x80 && !cp_is_word(utf8_decode(u, *e, i, &n)))
			return 0;
	}
	if (!left_ok(t, start, 0) || !right_ok(t, len, *e, 0))
		return 0;
	*s = start;
	return 1;
}

/*
 * IBAN: country code and check digits, then the rest of the country's
 * length, written together or in the ISO 13616 print form (groups of four
 * separated by one space, the last group shorter).
 */
static int
iban_check(const char *t, size_t len, size_t *s, size_t *e)
{
	char buf[34];
	size_t want, k, i, g;

	if (!left_ok(t, *s, 0) || len - *s < 5)
		return 0;
	want = iban_length((unsigned char)t[*s], (unsigned char)t[*s + 1]);
	if (want == 0)
		return 0;
	memcpy(buf, t + *s, 4);
	k = 4;
	i = *s + 4;
	if (t[i] == ' ') {
		while (k < want) {
			if (i >= len || t[i] != ' ')
				return 0;
			i++;
			for (g = want - k < 4 ? want - k : 4; g > 0; g--) {
				if (i >= len || !is_alnum((unsigned char)t[i]))
					return 0;
				buf[k++] = t[i++];
			}
		}
	} else {
		while (k < want) {
			if (i >= len || !is_alnum((unsigned char)t[i]))
				return 0;
			buf[k++] = t[i++];
		}
	}
	if (!right_ok(t, len, i, 0) || !prep_iban_valid(buf, want))
		return 0;
	*e = i;
	return 1;
}

/*
 * SSN ddd-dd-dddd: area 000, 666 and 900..999, group 00 and serial 0000
 * are never issued (SSA, Social Security Number Randomization, 2011).
 */
static int
ssn_check(const char *t, size_t len, size_t *s, size_t *e)
{
	const char *p = t + *s;

	if (!left_ok(t, *s, 1) || !right_ok(t, len, *e, 1))
		return 0;
	if (memcmp(p, "000", 3) == 0 || memcmp(p, "666", 3) == 0 || p[0] == '9')
		return 0;
	if (memcmp(p + 4, "00", 2) == 0 || memcmp(p + 7, "0000", 4) == 0)
		return 0;
	return 1;
}

/* IPv4 dotted quad, each part 0..255 without leading zeros (inet_pton). */
static int
ipv4_check(const char *t, size_t len, size_t *s, size_t *e)
{
	char buf[16];
	struct in_addr a;

	if (*e - *s >= sizeof(buf) || !left_ok(t, *s, 1) ||
	    !right_ok(t, len, *e, 1))
		return 0;
	memcpy(buf, t + *s, *e - *s);
	buf[*e - *s] = '\0';
	return inet_pton(AF_INET, buf, &a) == 1;
}

/* Whether t[s..e) is an IPv6 address for inet_pton (RFC 4291 2.2). */
static int
ipv6_parse(const char *t, size_t s, size_t e)
{
	char buf[INET6_ADDRSTRLEN];
	struct in6_addr a;

	if (e - s >= sizeof(buf))
		return 0;
	memcpy(buf, t + s, e - s);
	buf[e - s] = '\0';
	return inet_pton(AF_INET6, buf, &a) == 1;
}

/*
 * IPv6 in any RFC 4291 text form (with "::", with a dotted IPv4 tail).
 * It must hold a decimal digit, so that C++ names such as a::b and a bare
 * "::" are not taken.  A trailing ':' of prose ("fe80::1: down") is left
 * out.
 */
static int
ipv6_check(const char *t, size_t len, size_t *s, size_t *e)
{
	size_t i, end = *e;
	int digit = 0;

	for (i = *s; i < end; i++)
		if (prep_is_digit((unsigned char)t[i]))
			digit = 1;
	if (!digit || !left_ok(t, *s, 0))
		return 0;
	if (!ipv6_parse(t, *s, end)) {
		if (end - *s < 3 || t[end - 1] != ':' || t[end - 2] == ':' ||
		    !ipv6_parse(t, *s, end - 1))
			return 0;
		end--;
	}
	if (!right_ok(t, len, end, 1) || (end + 1 < len && t[end] == ':' &&
					  is_xdigit((unsigned char)t[end + 1])))
		return 0;
	*e = end;
	return 1;
}

/* A group of digits in a phone number candidate. */
struct phone_group {
	size_t start, end; /* bytes of the digits (with the parentheses) */
	unsigned ndig;
	char sep;	     /* ' ', '-', '.' before it, or 0 */
	unsigned char paren; /* written as (ddd) */
};

#define PHONE_MAX_GROUPS 12

/*
 * Whether the first k groups are written like a phone number.  With a
 * leading +country code: 8..15 digits in all (ITU-T E.164 allows 15).
 * Otherwise 7..13 digits (a national number with its trunk prefix), and
 * either an area code in parentheses, or at least two groups with one
 * separator throughout, no group but the first shorter than 2 digits or
 * longer than 8, and
 *   two groups: ddd-dddd, or a trunk 0 then 2..5 and 5..8 digits
 *   (030 1234567);
 *   three groups: the middle one of 3 digits or more and the last of 3
 *   or more (555 123 4567, 020 7946 0958; not ddd-dd-dddd, dd.mm.yyyy);
 *   four or more: the last of 3 digits or more, or a trunk 0 first and
 *   9 digits or more (01 23 45 67 89, 044 668 18 00);
 * and not a number with thousands separators (1 234 567), nor a run of
 * 4-digit blocks (2019 2020 2021), nor the tail of a longer run of
 * space-separated digits (`joined`).  The last group always has 2 digits
 * or more.
 */
static int
phone_groups_ok(const char *t, const struct phone_group *g, size_t k, int plus,
		int paren, int joined)
{
	unsigned d = 0, all3 = 1, all4 = 1;
	size_t i;

	if (k == 0 || g[k - 1].paren || g[k - 1].ndig < 2)
		return 0;
	for (i = 0; i < k; i++)
		d += g[i].ndig;
	if (plus)
		return d >= 8 && d <= 15;
	if (d < 7 || d > 13)
		return 0;
	if (paren)
		return 1;
	if (k < 2 || (joined && g[1].sep == ' '))
		return 0;
	for (i = 0; i < k; i++) {
		if (g[i].ndig > 8 || (i > 0 && g[i].ndig < 2))
			return 0;
		if (i > 1 && g[i].sep != g[1].sep)
			return 0;
		if (i > 0 && g[i].ndig != 3)
			all3 = 0;
		if (g[i].ndig != 4)
			all4 = 0;
	}
	if (k == 2)
		return (g[0].ndig == 3 && g[1].ndig == 4) ||
		       (t[g[0].start] == '0' && g[0].ndig >= 2 &&
			g[0].ndig <= 5 && g[1].ndig >= 5);
	if (all4 || (all3 && g[0].ndig <= 3))
		return 0;
	if (k == 3)
		return g[1].ndig >= 3 && g[2].ndig >= 3;
	if (g[k - 1].ndig >= 3)
		return 1;
	return t[g[0].start] == '0' && d >= 9;
}

/*
 * A phone number: split the candidate into groups of digits and take the
 * longest run of whole groups that phone_groups_ok() accepts.  A "(0)"
 * after the country code (+44 (0)20 ...) is not dialled and not counted.
 */
static int
phone_check(const char *t, size_t len, size_t *s, size_t *e)
{
	struct phone_group g[PHONE_MAX_GROUPS];
	size_t ng = 0, i = *s, j, k;
	int plus = 0, paren = 0, joined;
	char sep = 0;

	if (!left_ok(t, *s, 1))
		return 0;
	joined = *s >= 2 && t[*s - 1] == ' ' &&
		 prep_is_digit((unsigned char)t[*s - 2]);
	if (t[i] == '+') {
		plus = 1;
		i++;
	}
	while (i < *e && ng < PHONE_MAX_GROUPS) {
		if (t[i] == '(') {
			for (j = i + 1;
			     j < *e && prep_is_digit((unsigned char)t[j]); j++)
				;
			if (j >= *e || t[j] != ')')
				break;
			if (plus && ng == 1 && j == i + 2 && t[i + 1] == '0') {
				i = j + 1;
				continue;
			}
			g[ng].start = i;
			g[ng].end = j + 1;
			g[ng].ndig = (unsigned)(j - i - 1);
			g[ng].sep = sep;
			g[ng++].paren = 1;
			paren = 1;
			sep = 0;
			i = j + 1;
		} else if (prep_is_digit((unsigned char)t[i])) {
			j = i + digit_run(t, *e, i);
			g[ng].start = i;
			g[ng].end = j;
			g[ng].ndig = (unsigned)(j - i);
			g[ng].sep = sep;
			g[ng++].paren = 0;
			sep = 0;
			i = j;
		} else
			sep = t[i++];
	}
	for (k = ng; k > 0; k--) {
		if (phone_groups_ok(t, g, k, plus, paren, joined) &&
		    right_ok(t, len, g[k - 1].end, 1)) {
			*e = g[k - 1].end;
			return 1;
		}
	}
	return 0;
}

/* ---- the detector table ---- */

/*
 * Candidate patterns, run without UTF mode.  Each begins with a look-
 * behind so that no candidate starts in the middle of an ASCII word; the
 * check function does the rest.  Listed in order of preference at equal
 * start and length.
 */
static const struct detector {
	unsigned type;
	const char *pattern;
	int (*check)(const char *, size_t, size_t *, size_t *);
} detectors[] = {
    {PREP_PII_EMAIL,
     /* local part: dot-separated atoms, at most 64 bytes (RFC 5321
      * 4.5.3.1.1); domain: labels of at most 63 bytes, then a top-level
      * domain of letters or an xn-- label */
     "(?<![A-Za-z0-9_%+-])(?=[A-Za-z0-9._%+\\x80-\\xff-]{1,64}@)"
     "[A-Za-z0-9_%+\\x80-\\xff-]+(?:\\.[A-Za-z0-9_%+\\x80-\\xff-]+)*"
     "@(?:[A-Za-z0-9\\x80-\\xff]"
     "(?:[A-Za-z0-9\\x80-\\xff-]{0,61}[A-Za-z0-9\\x80-\\xff])?\\.){1,8}"
     "(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})(?![A-Za-z0-9-])",
     email_check},
    {PREP_PII_IBAN,
     "(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}"
     "(?:[A-Za-z0-9]{11,30}|(?: [A-Za-z0-9]{4}){2,7}(?: [A-Za-z0-9]{1,3})?)",
     iban_check},
    {PREP_PII_CARD,
     "(?<![A-Za-z0-9])[0-9]{4}"
     "(?:[0-9]{8,15}|([ -])[0-9]{3,6}(?:\\1[0-9]{3,6}){1,5})",
     card_check},
    {PREP_PII_SSN, "(?<![A-Za-z0-9])[0-9]{3}-[0-9]{2}-[0-9]{4}(?![A-Za-z0-9])",
     ssn_check},
    {PREP_PII_IP,
     "(?<![A-Za-z0-9:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,8}"
     "(?:\\.[0-9]{1,3}){0,3}",
     ipv6_check},
    {PREP_PII_IP, "(?<![A-Za-z0-9])[0-9]{1,3}(?:\\.[0-9]{1,3}){3}", ipv4_check},
    {PREP_PII_PHONE,
     /* [+cc [(0)]] [(area)] groups of digits with single separators;
      * the look-ahead skips what has fewer than 7 digits at once */
     "(?<![A-Za-z0-9+])(?=[+(]?(?:[0-9][ .()-]{0,3}){6}[0-9])"
     "(?:\\+[0-9]{1,3}(?:[ .-]?\\(0\\))?[ .-]?)?"
     "(?:\\([0-9]{1,5}\\)[ .-]?)?[0-9]{1,14}(?:[ .-][0-9]{1,14}){0,10}",
     phone_check},
};

#define NDETECTORS (sizeof(detectors) / sizeof(detectors[0]))

struct prep_pii {
	unsigned types;
	pcre2_code *re[NDETECTORS];
	pcre2_match_data *md[NDETECTORS];
};

static const char *const pii_names[] = {"email", "phone", "ssn",
					"card",	 "iban",  "ip"};
static const char *const pii_tags[] = {"[EMAIL]", "[PHONE]", "[SSN]",
				       "[CARD]",  "[IBAN]",  "[IP]"};

/* Index of a single type bit, or -1. */
static int
type_index(unsigned type)
{
	int i;

	for (i = 0; i < 6; i++)
		if (type == 1u << i)
			return i;
	return -1;
}

const char *
prep_pii_tag(unsigned type)
{
	int i = type_index(type);

	return i < 0 ? "[PII]" : pii_tags[i];
}

const char *
prep_pii_name(unsigned type)
{
	int i = type_index(type);

	return i < 0 ? "pii" : pii_names[i];
}

prep_status
prep_pii_types_parse(const char *list, unsigned *types)
{
	unsigned mask = 0;
	const char *p = list, *q;
	size_t n;
	int i, found;

	if (list == NULL || types == NULL)
		return PREP_ERR_ARG;
	for (;;) {
		q = strchr(p, ',');
		n = q ? (size_t)(q - p) : strlen(p);
		if (n == 3 && strncmp(p, "all", 3) == 0)
			mask |= PREP_PII_ALL;
		else {
			for (found = 0, i = 0; i < 6; i++) {
				if (strlen(pii_names[i]) == n &&
				    strncmp(p, pii_names[i], n) == 0) {
					mask |= 1u << i;
					found = 1;
				}
			}
			if (!found)
				return PREP_ERR_ARG;
		}
		if (q == NULL)
			break;
		p = q + 1;
	}
	*types = mask;
	return PREP_OK;
}

void
prep_pii_free(prep_pii *p)
{
	size_t d;

	if (p == NULL)
		return;
	for (d = 0; d < NDETECTORS; d++) {
		pcre2_match_data_free(p->md[d]);
		pcre2_code_free(p->re[d]);
	}
	free(p);
}

prep_status
prep_pii_new(unsigned types, prep_pii **out)
{
	prep_pii *p;
	PCRE2_SIZE eoff;
	size_t d;
	int ecode;

	if (out == NULL || types == 0 || (types & ~(unsigned)PREP_PII_ALL))
		return PREP_ERR_ARG;
	*out = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return PREP_ERR_NOMEM;
	p->types = types;
	for (d = 0; d < NDETECTORS; d++) {
		if (!(types & detectors[d].type))
			continue;
		p->re[d] = pcre2_compile(
		    (PCRE2_SPTR)detectors[d].pattern, PCRE2_ZERO_TERMINATED,
		    PCRE2_NEVER_UTF | PCRE2_NEVER_UCP, &ecode, &eoff, NULL);
		if (p->re[d] == NULL) {
			prep_pii_free(p);
			return ecode == PCRE2_ERROR_HEAP_FAILED ? PREP_ERR_NOMEM
								: PREP_ERR_ARG;
		}
		/* Without JIT (unsupported CPU) the interpreter is used. */
		(void)pcre2_jit_compile(p->re[d], PCRE2_JIT_COMPLETE);
		p->md[d] = pcre2_match_data_create_from_pattern(p->re[d], NULL);
		if (p->md[d] == NULL) {
			prep_pii_free(p);
			return PREP_ERR_NOMEM;
		}
	}
	*out = p;
	return PREP_OK;
}

/*
 * The earliest valid match of detector d that starts at or after `from`.
 * A candidate that fails its check is retried one byte further on.
 */
static prep_status
detect_next(prep_pii *p, size_t d, const char *text, size_t len, size_t from,
	    size_t *ms, size_t *me)
{
	PCRE2_SIZE *ov;
	size_t s, e, pos = from;
	int rc;

	while (pos < len) {
		rc = pcre2_match(p->re[d], (PCRE2_SPTR)text, len, pos, 0,
				 p->md[d], NULL);
		if (rc == PCRE2_ERROR_NOMATCH)
			return PREP_END;
		if (rc <= 0)
			return PREP_ERR_LIMIT;
		ov = pcre2_get_ovector_pointer(p->md[d]);
		s = ov[0];
		e = ov[1];
		if (e > s && detectors[d].check(text, len, &s, &e)) {
			*ms = s;
			*me = e;
			return PREP_OK;
		}
		pos = ov[0] + 1;
	}
	return PREP_END;
}

/* Per-detector state while scanning one text. */
struct next_match {
	enum { NM_UNKNOWN, NM_FOUND, NM_NONE } state;
	size_t s, e;
};

/*
 * Bring every detector's next match up to `pos` and return the index of
 * the one to take (earliest start, then longest, then table order), or
 * -1 when none is left.
 */
static prep_status
choose(prep_pii *p, const char *text, size_t len, size_t pos,
       struct next_match *nm, int *best)
{
	prep_status st;
	size_t d;

	*best = -1;
	for (d = 0; d < NDETECTORS; d++) {
		if (p->re[d] == NULL)
			continue;
		if (nm[d].state == NM_FOUND && nm[d].s < pos)
			nm[d].state = NM_UNKNOWN;
		if (nm[d].state == NM_UNKNOWN) {
			st = detect_next(p, d, text, len, pos, &nm[d].s,
					 &nm[d].e);
			if (st == PREP_END)
				nm[d].state = NM_NONE;
			else if (st != PREP_OK)
				return st;
			else
				nm[d].state = NM_FOUND;
		}
		if (nm[d].state != NM_FOUND)
			continue;
		if (*best < 0 || nm[d].s < nm[*best].s ||
		    (nm[d].s == nm[*best].s &&
		     nm[d].e - nm[d].s > nm[*best].e - nm[*best].s))
			*best = (int)d;
	}
	return PREP_OK;
}

prep_status
prep_pii_find(prep_pii *p, const char *text, size_t len, size_t from,
	      prep_pii_match *m)
{
	struct next_match nm[NDETECTORS];
	prep_status st;
	int best;

	if (p == NULL || m == NULL || (text == NULL && len > 0))
		return PREP_ERR_ARG;
	if (from >= len)
		return PREP_END;
	memset(nm, 0, sizeof(nm));
	if ((st = choose(p, text, len, from, nm, &best)) != PREP_OK)
		return st;
	if (best < 0)
		return PREP_END;
	m->start = nm[best].s;
	m->end = nm[best].e;
	m->type = detectors[best].type;
	return PREP_OK;
}

prep_status
prep_pii_scrub(prep_pii *p, const char *text, size_t len, prep_buf *out,
	       size_t *count)
{
	struct next_match nm[NDETECTORS];
	size_t pos = 0, n = 0, orig;
	prep_status st = PREP_OK;
	int best;

	if (count)
		*count = 0;
	if (p == NULL || out == NULL || (text == NULL && len > 0))
		return PREP_ERR_ARG;
	if (text == NULL)
		text = "";
	orig = out->len;
	memset(nm, 0, sizeof(nm));
	while (pos < len) {
		if ((st = choose(p, text, len, pos, nm, &best)) != PREP_OK)
			goto fail;
		if (best < 0)
			break;
		if ((st = prep_buf_append(out, text + pos, nm[best].s - pos)) !=
			PREP_OK ||
		    (st = prep_buf_append_str(
			 out, prep_pii_tag(detectors[best].type))) != PREP_OK)
			goto fail;
		pos = nm[best].e;
		n++;
	}
	if ((st = prep_buf_append(out, text + pos, len - pos)) != PREP_OK)
		goto fail;
	if (count)
		*count = n;
	return PREP_OK;
fail:
	out->len = orig;
	if (out->data)
		out->data[orig] = '\0';
	return st;
}
