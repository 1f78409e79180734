/*
 * generalize.c: mask, truncate, bin, topcode, bottomcode, date and age, the
 * keyless actions of anonymize (see generalize.h for the rules they share).
 *
 * Relies on prep_buf for output (capped) and on text.h for characters and
 * numbers (UTF-8, the strict integer and number syntax). Dates follow
 * ISO 8601 / RFC 3339 §5.6 (extended format, proleptic Gregorian
 * calendar).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "generalize.h"

/* 1 if mask[0..mask_len) is exactly one well-formed UTF-8 character. */
static int
is_one_char(const char *mask, size_t mask_len)
{
	size_t n;

	if (mask == NULL || mask_len == 0)
		return 0;
	return prep_utf8_count(mask, mask_len, &n) == PREP_OK && n == 1;
}

/*
 * Copy in[0..len) to out with the characters of index [from, to) replaced
 * by mask. The input has been validated and holds nchars characters.
 */
static prep_status
mask_range(const char *in, size_t len, size_t nchars, size_t from, size_t to,
	   const char *mask, size_t mask_len, prep_buf *out)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i = 0, c = 0, start, nmask, masked;
	prep_status st;
	char *o;

	if (nchars == len) {
		/* ASCII: characters are bytes */
		start = from;
		i = c = to;
	} else {
		while (i < len && c < from) {
			i += prep_utf8_seq_len(p + i, len - i);
			c++;
		}
		start = i;
		while (i < len && c < to) {
			i += prep_utf8_seq_len(p + i, len - i);
			c++;
		}
	}
	nmask = c - from;
	/* One reservation, then plain copies: this runs once per field
	 * (and without a division, which costs as much as the copies). */
	if (__builtin_mul_overflow(nmask, mask_len, &masked) ||
	    masked > PREP_BUF_DEFAULT_MAX - len)
		return PREP_ERR_LIMIT;
	if ((st = prep_buf_reserve(out, start + masked + len - i)))
		return st;
	o = out->data + out->len;
	memcpy(o, in, start);
	o += start;
	if (mask_len == 1) {
		memset(o, mask[0], nmask);
		o += nmask;
	} else {
		for (c = 0; c < nmask; c++, o += mask_len)
			memcpy(o, mask, mask_len);
	}
	memcpy(o, in + i, len - i);
	o += len - i;
	*o = '\0';
	out->len = (size_t)(o - out->data);
	return PREP_OK;
}

/* Reset out and report st: a failed action leaves nothing behind. */
static prep_status
fail(prep_buf *out, prep_status st)
{
	prep_buf_reset(out);
	return st;
}

/*
 * Every character of in replaced by mask except `keep` of them, at the end
 * (mask:N) or at the start (truncate:N).
 */
static prep_status
mask_except(const char *in, size_t len, size_t keep, int keep_at_end,
	    const char *mask, size_t mask_len, prep_buf *out)
{
	prep_status st;
	size_t n;

	prep_buf_reset(out);
	if (!is_one_char(mask, mask_len))
		return PREP_ERR_ARG;
	if ((st = prep_utf8_count(in, len, &n)) != PREP_OK)
		return st;
	if (keep >= n)
		st = prep_buf_append(out, in, len);
	else if (keep_at_end)
		st = mask_range(in, len, n, 0, n - keep, mask, mask_len, out);
	else
		st = mask_range(in, len, n, keep, n, mask, mask_len, out);
	return st == PREP_OK ? PREP_OK : fail(out, st);
}

prep_status
prep_mask(const char *in, size_t len, size_t keep_last, const char *mask,
	  size_t mask_len, prep_buf *out)
{
	return mask_except(in, len, keep_last, 1, mask, mask_len, out);
}

prep_status
prep_truncate(const char *in, size_t len, size_t keep_first, const char *mask,
	      size_t mask_len, prep_buf *out)
{
	return mask_except(in, len, keep_first, 0, mask, mask_len, out);
}

prep_status
prep_bin(const char *in, size_t len, int64_t width, prep_buf *out)
{
	char text[2 * PREP_INT64_TEXT + 1];
	int64_t v, m, lo, hi;
	prep_status st;
	size_t n;

	prep_buf_reset(out);
	if (width < 1)
		return PREP_ERR_ARG;
	if (len == 0)
		return PREP_OK;
	if ((st = prep_parse_int64(in, len, &v)) != PREP_OK)
		return st;
	/* L = v - (v mod W) with the mathematical (non-negative) modulus. */
	m = v % width;
	if (m < 0)
		m += width;
	if (v < INT64_MIN + m)
		return PREP_ERR_RANGE;
	lo = v - m;
	if (lo > INT64_MAX - (width - 1))
		return PREP_ERR_RANGE;
	hi = lo + (width - 1);
	n = prep_format_int64(lo, text);
	text[n++] = '-';
	n += prep_format_int64(hi, text + n);
	st = prep_buf_append(out, text, n);
	return st == PREP_OK ? PREP_OK : fail(out, st);
}

/*
 * topcode (top = 1: value >= thr -> "T+") and bottomcode (top = 0:
 * value < thr -> "<B"); any other number is copied unchanged.
 */
static prep_status
code_number(const char *in, size_t len, double thr, int top,
	    const char *thr_text, prep_buf *out)
{
	prep_status st;
	int hit;
	double v;

	prep_buf_reset(out);
	if (thr_text == NULL || isnan(thr))
		return PREP_ERR_ARG;
	if (len == 0)
		return PREP_OK;
	if ((st = prep_parse_number(in, len, &v)) != PREP_OK)
		return st;
	hit = top ? v >= thr : v < thr;
	if (!hit)
		st = prep_buf_append(out, in, len);
	else if (top) {
		st = prep_buf_append_str(out, thr_text);
		if (st == PREP_OK)
			st = prep_buf_append_byte(out, '+');
	} else {
		st = prep_buf_append_byte(out, '<');
		if (st == PREP_OK)
			st = prep_buf_append_str(out, thr_text);
	}
	return st == PREP_OK ? PREP_OK : fail(out, st);
}

prep_status
prep_topcode(const char *in, size_t len, double t, const char *t_text,
	     prep_buf *out)
{
	return code_number(in, len, t, 1, t_text, out);
}

prep_status
prep_bottomcode(const char *in, size_t len, double b, const char *b_text,
		prep_buf *out)
{
	return code_number(in, len, b, 0, b_text, out);
}

static int
is_leap(int y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int
days_in_month(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

int
prep_date_valid(const prep_date *d)
{
	return d->year >= 0 && d->year <= 9999 && d->month >= 1 &&
	       d->month <= 12 && d->day >= 1 &&
	       d->day <= days_in_month(d->year, d->month);
}

/* n ASCII digits at s[*i] as a number, advancing *i; -1 if not digits. */
static int
fixed_digits(const char *s, size_t len, size_t *i, size_t n)
{
	int v = 0;
	size_t k;

	if (len - *i < n)
		return -1;
	for (k = 0; k < n; k++) {
		if (!prep_is_digit(s[*i + k]))
			return -1;
		v = v * 10 + (s[*i + k] - '0');
	}
	*i += n;
	return v;
}

/* The time of day and offset after the date (RFC 3339 §5.6 plus ISO
 * 8601's hhmm and hh offsets); 1 if s[i..len) is exactly that. */
static int
time_syntax(const char *s, size_t len, size_t i)
{
	int hh, mm, ss;

	if ((hh = fixed_digits(s, len, &i, 2)) < 0 || hh > 23)
		return 0;
	if (i == len || s[i++] != ':')
		return 0;
	if ((mm = fixed_digits(s, len, &i, 2)) < 0 || mm > 59)
		return 0;
	if (i < len && s[i] == ':') {
		i++;
		if ((ss = fixed_digits(s, len, &i, 2)) < 0 || ss > 60)
			return 0;
		if (i < len && (s[i] == '.' || s[i] == ',')) {
			i++;
			if (i == len || !prep_is_digit(s[i]))
				return 0;
			while (i < len && prep_is_digit(s[i]))
				i++;
		}
	}
	if (i == len)
		return 1;
	if (s[i] == 'Z' || s[i] == 'z')
		return i + 1 == len;
	if (s[i] != '+' && s[i] != '-')
		return 0;
	i++;
	if ((hh = fixed_digits(s, len, &i, 2)) < 0 || hh > 23)
		return 0;
	if (i == len)
		return 1; /* +hh */
	if (s[i] == ':')
		i++;
	if ((mm = fixed_digits(s, len, &i, 2)) < 0 || mm > 59)
		return 0;
	return i == len;
}

prep_status
prep_parse_date(const char *in, size_t len, prep_date *d)
{
	prep_date t;
	size_t i = 0;

	if ((t.year = fixed_digits(in, len, &i, 4)) < 0)
		return PREP_ERR_VALUE;
	if (i == len || in[i++] != '-')
		return PREP_ERR_VALUE;
	if ((t.month = fixed_digits(in, len, &i, 2)) < 0)
		return PREP_ERR_VALUE;
	if (i == len || in[i++] != '-')
		return PREP_ERR_VALUE;
	if ((t.day = fixed_digits(in, len, &i, 2)) < 0)
		return PREP_ERR_VALUE;
	if (!prep_date_valid(&t))
		return PREP_ERR_VALUE;
	if (i < len) {
		if (in[i] != 'T' && in[i] != 't' && in[i] != ' ')
			return PREP_ERR_VALUE;
		if (!time_syntax(in, len, i + 1))
			return PREP_ERR_VALUE;
	}
	*d = t;
	return PREP_OK;
}

prep_status
prep_date_unit_parse(const char *s, prep_date_unit *unit)
{
	if (strcmp(s, "year") == 0)
		*unit = PREP_DATE_YEAR;
	else if (strcmp(s, "month") == 0)
		*unit = PREP_DATE_MONTH;
	else if (strcmp(s, "decade") == 0)
		*unit = PREP_DATE_DECADE;
	else
		return PREP_ERR_ARG;
	return PREP_OK;
}

/* Append snprintf's result; the texts here are short and bounded. */
static prep_status
append_text(prep_buf *out, const char *text, int n, size_t size)
{
	if (n < 0 || (size_t)n >= size)
		return PREP_ERR_RANGE;
	return prep_buf_append(out, text, (size_t)n);
}

/* v (0 <= v < 10^width) as exactly width decimal digits. */
static int
put_digits(char *out, int v, int width)
{
	int i;

	for (i = width - 1; i >= 0; i--, v /= 10)
		out[i] = (char)('0' + v % 10);
	return width;
}

prep_status
prep_date_generalize(const char *in, size_t len, prep_date_unit unit,
		     prep_buf *out)
{
	char text[32];
	prep_status st;
	prep_date d;
	int n, dec;

	prep_buf_reset(out);
	if (len == 0)
		return PREP_OK;
	if ((st = prep_parse_date(in, len, &d)) != PREP_OK)
		return st;
	/* Years are 0000..9999 (prep_parse_date): fixed-width digits. */
	switch (unit) {
	case PREP_DATE_YEAR:
		n = put_digits(text, d.year, 4);
		break;
	case PREP_DATE_MONTH:
		n = put_digits(text, d.year, 4);
		text[n++] = '-';
		n += put_digits(text + n, d.month, 2);
		break;
	case PREP_DATE_DECADE:
		dec = d.year - d.year % 10;
		n = put_digits(text, dec, 4);
		text[n++] = '-';
		n += put_digits(text + n, dec + 9, 4);
		break;
	default:
		return PREP_ERR_ARG;
	}
	st = append_text(out, text, n, sizeof(text));
	return st == PREP_OK ? PREP_OK : fail(out, st);
}

prep_status
prep_age(const char *in, size_t len, const prep_date *ref, prep_buf *out)
{
	char text[16];
	prep_status st;
	prep_date b;
	int years;

	prep_buf_reset(out);
	if (ref == NULL || !prep_date_valid(ref))
		return PREP_ERR_ARG;
	if (len == 0)
		return PREP_OK;
	if ((st = prep_parse_date(in, len, &b)) != PREP_OK)
		return st;
	/*
	 * Completed years: the difference of the years, less one when the
	 * birthday (month, day) has not come yet in the reference year. A
	 * 29 February birthday therefore comes on 1 March in a common year.
	 */
	years = ref->year - b.year;
	if (ref->month < b.month || (ref->month == b.month && ref->day < b.day))
		years--;
	if (years < 0)
		return PREP_ERR_VALUE;
	st = append_text(out, text, snprintf(text, sizeof(text), "%d", years),
			 sizeof(text));
	return st == PREP_OK ? PREP_OK : fail(out, st);
}
