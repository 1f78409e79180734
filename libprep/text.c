/*
 * text.c: UTF-8 lengths and counts, strict integer and number syntax, and
 * the shortest text of a double (see text.h for the rules).
 *
 * UTF-8 validation follows RFC 3629 and Unicode 15 Table 3-7 (well-formed
 * byte sequences). A number's syntax is checked here, byte by byte; strtod
 * in the C locale then gives the value of a text already known to be
 * good, and reads back each candidate text of prep_format_double.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

size_t
prep_utf8_seq_len(const void *p, size_t len)
{
	const unsigned char *s = p;
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0; /* no overlongs */
		else if (c == 0xed)
			hi = 0x9f; /* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90; /* no overlongs */
		else if (c == 0xf4)
			hi = 0x8f; /* nothing above U+10FFFF */
	} else
		return 0; /* 80..C1 and F5..FF never start a sequence */
	if (len < n)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

prep_status
prep_utf8_count(const char *s, size_t len, size_t *nchars)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n = 0, k;

	/* ASCII runs eight bytes at a time: no byte with its high bit set. */
	while (i + 8 <= len) {
		uint64_t x;

		memcpy(&x, p + i, 8);
		if (x & 0x8080808080808080ULL)
			break;
		i += 8;
		n += 8;
	}
	/* an ASCII text's last bytes (short values are most of a column's:
	 * no loop over their bytes) in one load ending at len, overlapping
	 * the bytes checked before it */
	if (i < len && len - i < 8) {
		uint64_t x = 0;
		uint32_t a, b;

		if (len >= 8) {
			memcpy(&x, p + len - 8, 8);
		} else if (len >= 4) {
			memcpy(&a, p, 4);
			memcpy(&b, p + len - 4, 4);
			x = a | b;
		} else {
			for (k = 0; k < len; k++)
				x |= (uint64_t)p[k] << (8 * k);
		}
		if (!(x & 0x8080808080808080ULL)) {
			*nchars = len;
			return PREP_OK;
		}
	}
	while (i < len) {
		if (p[i] < 0x80) { /* the tail of an ASCII text: no call */
			i++;
			n++;
			continue;
		}
		if ((k = prep_utf8_seq_len(p + i, len - i)) == 0)
			return PREP_ERR_UTF8;
		i += k;
		n++;
	}
	*nchars = n;
	return PREP_OK;
}

size_t
prep_format_int64(int64_t v, char *buf)
{
	/* "00" to "99": two digits per division */
	static const char pairs[] =
	    "00010203040506070809101112131415161718192021222324252627282930"
	    "31323334353637383940414243444546474849505152535455565758596061"
	    "62636465666768697071727374757677787980818283848586878889909192"
	    "93949596979899";
	char digits[PREP_INT64_TEXT];
	/* the magnitude in unsigned arithmetic: -INT64_MIN overflows */
	uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	size_t n = 0, k = 0;

	if (v < 0)
		buf[k++] = '-';
	if (m < 10) {
		buf[k] = (char)('0' + m);
		return k + 1;
	}
	if (m < 100) {
		buf[k] = pairs[2 * m];
		buf[k + 1] = pairs[2 * m + 1];
		return k + 2;
	}
	while (m >= 100) {
		size_t i = 2 * (size_t)(m % 100);

		m /= 100;
		digits[sizeof digits - ++n] = pairs[i + 1];
		digits[sizeof digits - ++n] = pairs[i];
	}
	if (m >= 10) {
		digits[sizeof digits - ++n] = pairs[2 * m + 1];
		digits[sizeof digits - ++n] = pairs[2 * m];
	} else {
		digits[sizeof digits - ++n] = (char)('0' + m);
	}
	memcpy(buf + k, digits + sizeof digits - n, n);
	return k + n;
}

prep_status
prep_parse_int64(const char *s, size_t len, int64_t *v)
{
	uint64_t mag = 0, lim;
	size_t i = 0;
	int neg = 0;

	if (len > 0 && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == len)
		return PREP_ERR_VALUE;
	for (; i < len; i++)
		if (!prep_is_digit(s[i]))
			return PREP_ERR_VALUE;
	/* Syntax is good; now the magnitude, at most 2^63 when negative. */
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (i = (s[0] == '+' || s[0] == '-'); i < len; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (mag > (lim - d) / 10)
			return PREP_ERR_RANGE;
		mag = mag * 10 + d;
	}
	if (!neg)
		*v = (int64_t)mag;
	else if (mag == (uint64_t)INT64_MAX + 1)
		*v = INT64_MIN;
	else
		*v = -(int64_t)mag;
	return PREP_OK;
}

/* 1 if s[0..len) has the syntax prep_parse_number accepts. */
static int
number_syntax(const char *s, size_t len)
{
	size_t i = 0, digits = 0;

	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	while (i < len && prep_is_digit(s[i])) {
		i++;
		digits++;
	}
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && prep_is_digit(s[i])) {
			i++;
			digits++;
		}
	}
	if (digits == 0)
		return 0;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i == len || !prep_is_digit(s[i]))
			return 0;
		while (i < len && prep_is_digit(s[i]))
			i++;
	}
	return i == len;
}

prep_status
prep_parse_number(const char *s, size_t len, double *v)
{
	char small[64], *copy = small, *end;
	double d;
	int e;

	if (!number_syntax(s, len))
		return PREP_ERR_VALUE;
	/* strtod needs a NUL-terminated string; fields may not have one. */
	if (len >= sizeof(small) && (copy = malloc(len + 1)) == NULL)
		return PREP_ERR_NOMEM;
	memcpy(copy, s, len);
	copy[len] = '\0';
	errno = 0;
	d = strtod(copy, &end);
	e = errno;
	if (end != copy + len) {
		/* Only a locale with another decimal point gets here. */
		if (copy != small)
			free(copy);
		return PREP_ERR_VALUE;
	}
	if (copy != small)
		free(copy);
	if (e == ERANGE && isinf(d))
		return PREP_ERR_RANGE;
	*v = d;
	return PREP_OK;
}

/*
 * The shortest "%.*g" (precision 1 to 17) that strtod reads back as the
 * same double, sign of zero included. When %g picked the exponent form for
 * a number whose integer part has at most 17 digits ("1e+02"), the same
 * number is written in full instead ("100"). Returns the length, as
 * snprintf does (the text is cut to fit n), or -1.
 */
int
prep_format_double(double v, char *buf, size_t n)
{
	char tmp[48], full[48];
	const char *e;
	int len = 0, prec, x, k;

	if (isnan(v))
		len = snprintf(tmp, sizeof tmp, "nan");
	else if (isinf(v))
		len = snprintf(tmp, sizeof tmp, v < 0 ? "-inf" : "inf");
	else
		for (prec = 1; prec <= 17; prec++) {
			double back;

			len = snprintf(tmp, sizeof tmp, "%.*g", prec, v);
			back = strtod(tmp, NULL);
			if (back == v && !signbit(back) == !signbit(v))
				break;
		}
	if (len < 0 || (size_t)len >= sizeof tmp)
		return -1;
	if (isfinite(v) && (e = strchr(tmp, 'e')) != NULL &&
	    (x = (int)strtol(e + 1, NULL, 10)) >= 0 && x < 17) {
		k = snprintf(full, sizeof full, "%.*g", x + 1, v);
		if (k > 0 && (size_t)k < sizeof full &&
		    strtod(full, NULL) == v) {
			memcpy(tmp, full, (size_t)k + 1);
			len = k;
		}
	}
	if (n > 0) {
		size_t c = (size_t)len < n - 1 ? (size_t)len : n - 1;

		memcpy(buf, tmp, c);
		buf[c] = '\0';
	}
	return len;
}
