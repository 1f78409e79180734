/*
 * text.h: the rules for reading and writing one value's text: what a
 * character is (UTF-8), what a digit is, what an integer and a number
 * are, and how a double is written back.
 *
 * One module, not utf8.h and number.h: each function here looks at the
 * bytes of a single value, keeps no state and needs nothing but prep.h,
 * and the modules that read cells (generalize, schema, validate,
 * aggregate, weights, ...) use both halves; apart, each would be a
 * header of two or three functions.
 *
 * Everything is byte-exact and independent of the locale: a digit is
 * ASCII '0' to '9', never another script's digit; numbers are read and
 * written in the C locale (the tools never set LC_NUMERIC). "Character"
 * means a Unicode code point encoded in UTF-8 (RFC 3629), not a grapheme
 * cluster: a decomposed "e" + U+0301 counts as two characters.
 */
#ifndef PREP_TEXT_H
#define PREP_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "prep.h"

/*
 * 1 when c is an ASCII digit '0' to '9', else 0. Any int: a char (signed
 * or not), an unsigned char or EOF; unlike isdigit(3), never undefined
 * for a negative char and never moved by the locale.
 */
static inline int
prep_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* ---- UTF-8 ---- */

/*
 * Length of the well-formed UTF-8 sequence at p[0..len) (len >= 1): 1 to
 * 4, or 0 when it is ill-formed (Unicode 15 Table 3-7: overlong forms,
 * surrogates, code points above U+10FFFF, a sequence cut by len, a stray
 * continuation byte or a lead byte C0, C1, F5-FF).
 */
size_t prep_utf8_seq_len(const void *p, size_t len);

/*
 * Number of characters in s[0..len). PREP_ERR_UTF8 (and *nchars left
 * as it was) on any ill-formed sequence, by the rules above. NUL is a
 * character like any other.
 */
prep_status prep_utf8_count(const char *s, size_t len, size_t *nchars);

/* ---- numbers ---- */

/*
 * Strict integer text: an optional sign ('+' or '-') and one or more ASCII
 * digits, nothing else (no spaces, no fraction, no exponent, no hex).
 * Leading zeros are allowed. PREP_ERR_VALUE when the text is not of that
 * form (or empty), PREP_ERR_RANGE when it does not fit in int64_t; *v is
 * left as it was on either.
 */
prep_status prep_parse_int64(const char *s, size_t len, int64_t *v);

/* Longest text prep_format_int64 writes: "-9223372036854775808". */
#define PREP_INT64_TEXT 20

/*
 * v in decimal, as printf's "%" PRId64 writes it (a '-' before a negative
 * number, no leading zeros), into buf[0..PREP_INT64_TEXT) without a NUL;
 * returns the length.
 */
size_t prep_format_int64(int64_t v, char *buf);

/*
 * Strict decimal number text: an optional sign, a mantissa of digits with
 * an optional '.' and fraction ("12", "12.5", "12.", ".5"; at least one
 * digit), and an optional exponent ('e' or 'E', optional sign, digits).
 * No spaces, no hex, no "inf"/"nan", no ',' decimal separator.
 * PREP_ERR_VALUE when the text is not of that form (or empty),
 * PREP_ERR_RANGE when its magnitude overflows a double (an underflow reads
 * as the nearest double, possibly 0), PREP_ERR_NOMEM when a text of 64
 * bytes or more can't be copied; *v is left as it was on any error.
 */
prep_status prep_parse_number(const char *s, size_t len, double *v);

/*
 * Shortest text that strtod reads back as v ("%.17g" at most): the
 * smallest %.Pg precision that does, written in full rather than in
 * the exponent form when the integer part has at most 17 digits ("100",
 * not "1e+02"; "1e+21", "5e-324"). -0 is "-0"; NaN and the infinities
 * are "nan", "inf" and "-inf". Returns the length and cuts the text to
 * fit n, as snprintf does (buf may be NULL when n is 0); -1 on error.
 */
int prep_format_double(double v, char *buf, size_t n);

#endif
