/*
 * exactsum.c: exact sums of non-negative doubles (exactsum.h).
 *
 * A sum is an integer in units of 2^-1074 (bit b of it weighs 2^(b -
 * 1074)), held in the limbs lo .. lo + n - 1 of 64 bits each; the first
 * and the last limb kept are never 0, so a sum of 0 has none. Adding a
 * double adds its 53-bit significand at the bit its exponent says, which
 * touches two limbs and the carry; every limb an addition can reach is
 * made room for before any is changed, so that a failure changes nothing.
 * Reading rounds the top 53 bits to nearest, ties to even, with the next
 * bit and whether any bit below it is set (IEEE 754-2008, §4.3.1).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exactsum.h"
#include "memcap.h"

/* The bit of 2^0: the lowest bit of a double is 2^-1074. */
#define BIAS 1074
/*
 * A sum's bits are below this one: its highest limb is never the last
 * one, which only an addition's carry may reach (and is then refused).
 */
#define TOP_BITS (64L * (PREP_EXACTSUM_MAX_LIMBS - 1))

void
prep_exactsum_init(prep_exactsum *s)
{
	memset(s, 0, sizeof *s);
}

void
prep_exactsum_free(prep_exactsum *s)
{
	prep_memcap_free(s->limb, (size_t)s->cap * sizeof *s->limb);
	memset(s, 0, sizeof *s);
}

int
prep_exactsum_is_zero(const prep_exactsum *s)
{
	return s->n == 0;
}

/* Limb a (absolute), 0 outside those kept. */
static uint64_t
limb_at(const prep_exactsum *s, uint32_t a)
{
	return a >= s->lo && a - s->lo < s->n ? s->limb[a - s->lo] : 0;
}

/* Bits pos .. pos + cnt - 1 (cnt 1 .. 64) of the sum, as an integer. */
static uint64_t
bits(const prep_exactsum *s, uint32_t pos, unsigned cnt)
{
	uint32_t a = pos / 64;
	unsigned sh = pos % 64;
	uint64_t v = limb_at(s, a) >> sh;

	if (sh && cnt > 64 - sh)
		v |= limb_at(s, a + 1) << (64 - sh);
	return cnt < 64 ? v & (((uint64_t)1 << cnt) - 1) : v;
}

/* The highest bit set, of a sum that is not 0. */
static uint32_t
high_bit(const prep_exactsum *s)
{
	return 64 * (s->lo + s->n - 1) + 63 -
	       (uint32_t)__builtin_clzll(s->limb[s->n - 1]);
}

/* The lowest bit set, of a sum that is not 0. */
static uint32_t
low_bit(const prep_exactsum *s)
{
	return 64 * s->lo + (uint32_t)__builtin_ctzll(s->limb[0]);
}

/*
 * Make limbs a0 .. a1 - 1 (a1 <= PREP_EXACTSUM_MAX_LIMBS) part of those
 * kept, 0 where new; the sum's value is unchanged, and on failure so is
 * everything else.
 */
static prep_status
cover(prep_exactsum *s, uint32_t a0, uint32_t a1)
{
	uint32_t lo = s->n && s->lo < a0 ? s->lo : a0;
	uint32_t hi = s->n && s->lo + s->n > a1 ? s->lo + s->n : a1;
	uint32_t need = hi - lo, shift = s->n ? s->lo - lo : 0;
	prep_status st;
	uint64_t *p;

	if (need > s->cap) {
		p = prep_memcap_realloc(s->limb, (size_t)s->cap * sizeof *p,
					(size_t)need * sizeof *p, &st);
		if (p == NULL)
			return st;
		s->limb = p;
		s->cap = need;
	}
	if (s->n && shift)
		memmove(s->limb + shift, s->limb, s->n * sizeof *s->limb);
	memset(s->limb, 0, shift * sizeof *s->limb);
	memset(s->limb + shift + s->n, 0,
	       (need - shift - s->n) * sizeof *s->limb);
	s->lo = lo;
	s->n = need;
	return PREP_OK;
}

/* Drop the limbs of 0 at both ends. */
static void
trim(prep_exactsum *s)
{
	uint32_t k = 0;

	while (s->n && s->limb[s->n - 1] == 0)
		s->n--;
	while (k < s->n && s->limb[k] == 0)
		k++;
	if (k) {
		memmove(s->limb, s->limb + k, (s->n - k) * sizeof *s->limb);
		s->n -= k;
		s->lo += k;
	}
	if (s->n == 0)
		s->lo = 0;
}

/* The limb past the highest that adding at limbs a .. a1 - 1 can reach. */
static uint32_t
carry_end(const prep_exactsum *s, uint32_t a1)
{
	uint32_t top = s->n ? s->lo + s->n : 0;

	return (top > a1 ? top : a1) + 1;
}

/*
 * Add w[0 .. k) at limbs a .. a + k - 1: on a copy, so that a sum whose
 * carry reaches the last limb is refused as it was.
 */
static prep_status
add_limbs(prep_exactsum *s, uint32_t a, const uint64_t *w, uint32_t k)
{
	uint64_t buf[PREP_EXACTSUM_MAX_LIMBS], carry = 0, t, u;
	uint32_t i, at;
	prep_status st;

	if (a + k >= PREP_EXACTSUM_MAX_LIMBS)
		return PREP_ERR_RANGE;
	/* the limbs of w, and one above the highest for the carry */
	if ((st = cover(s, a, carry_end(s, a + k))) != PREP_OK)
		return st;
	memcpy(buf, s->limb, s->n * sizeof *buf);
	for (i = a - s->lo; i < s->n; i++) {
		at = i - (a - s->lo);
		if (at >= k && !carry)
			break;
		t = buf[i] + (at < k ? w[at] : 0);
		u = t + carry;
		/* at most one of the two additions wraps */
		carry =
		    (uint64_t)(t < (at < k ? w[at] : 0)) | (uint64_t)(u < t);
		buf[i] = u;
	}
	if (s->lo + s->n == PREP_EXACTSUM_MAX_LIMBS && buf[s->n - 1] != 0) {
		trim(s); /* the limbs cover() added, all 0 */
		return PREP_ERR_RANGE;
	}
	memcpy(s->limb, buf, s->n * sizeof *buf);
	trim(s);
	return PREP_OK;
}

prep_status
prep_exactsum_add(prep_exactsum *s, double x)
{
	uint64_t u, m, w[2];
	uint32_t b, e;

	if (!(x >= 0) || !isfinite(x))
		return PREP_ERR_ARG;
	if (x == 0)
		return PREP_OK;
	memcpy(&u, &x, sizeof u);
	e = (uint32_t)(u >> 52);
	m = u & (((uint64_t)1 << 52) - 1);
	/* a normal double is (2^52 + m) 2^(e - 1075); a subnormal m 2^-1074 */
	if (e) {
		m |= (uint64_t)1 << 52;
		b = e - 1;
	} else {
		b = 0;
	}
	w[0] = m << (b % 64);
	w[1] = b % 64 ? m >> (64 - b % 64) : 0;
	return add_limbs(s, b / 64, w, w[1] ? 2 : 1);
}

prep_status
prep_exactsum_add_sum(prep_exactsum *s, const prep_exactsum *t)
{
	if (t->n == 0)
		return PREP_OK;
	return add_limbs(s, t->lo, t->limb, t->n);
}

double
prep_exactsum_value(const prep_exactsum *s)
{
	uint32_t h;
	uint64_t m;
	int up;

	if (s->n == 0)
		return 0;
	h = high_bit(s);
	if (h < 53) /* below 2^-1021: a multiple of 2^-1074, exact */
		return ldexp((double)bits(s, 0, 53), -BIAS);
	m = bits(s, h - 52, 53);
	/* round to nearest on the next bit, ties (no bit below) to even */
	up = bits(s, h - 53, 1) && (low_bit(s) < h - 53 || (m & 1) != 0);
	if (up && ++m == (uint64_t)1 << 53) {
		m >>= 1;
		h++;
	}
	return ldexp((double)m, (int)h - 52 - BIAS); /* +inf past DBL_MAX */
}

double
prep_exactsum_value_sum(const prep_exactsum *const *t, size_t n)
{
	/* 8 sums below 2^1166 stay below 2^1169: within the limbs */
	uint64_t buf[PREP_EXACTSUM_MAX_LIMBS] = {0}, carry, x, u, v;
	prep_exactsum view;
	size_t k;
	uint32_t i, a, lo = PREP_EXACTSUM_MAX_LIMBS, hi = 0;

	for (k = 0; k < n && k < 8; k++) {
		for (i = 0, carry = 0; i < t[k]->n || carry; i++) {
			a = t[k]->lo + i;
			if (a >= PREP_EXACTSUM_MAX_LIMBS)
				return INFINITY; /* not reached */
			x = i < t[k]->n ? t[k]->limb[i] : 0;
			u = buf[a] + x;
			v = u + carry;
			carry = (uint64_t)(u < x) | (uint64_t)(v < u);
			buf[a] = v;
		}
	}
	for (i = 0; i < PREP_EXACTSUM_MAX_LIMBS; i++)
		if (buf[i]) {
			lo = lo < i ? lo : i;
			hi = i + 1;
		}
	if (hi == 0)
		return 0;
	view.limb = buf + lo;
	view.lo = lo;
	view.n = hi - lo;
	view.cap = view.n;
	return prep_exactsum_value(&view);
}

json_t *
prep_exactsum_json(const prep_exactsum *s)
{
	static const char hex[] = "0123456789abcdef";
	/* "0x", a digit per 4 bits, "p", the exponent, NUL */
	char buf[2 + PREP_EXACTSUM_MAX_LIMBS * 16 + 16], *o = buf;
	uint32_t lo, hi, d, j;

	if (s->n == 0)
		return json_integer(0);
	lo = low_bit(s);
	hi = high_bit(s);
	if (lo >= BIAS && hi < BIAS + 53)
		return json_integer((json_int_t)bits(s, BIAS, 53));
	*o++ = '0';
	*o++ = 'x';
	for (d = (hi - lo) / 4 + 1, j = d; j-- > 0;)
		*o++ = hex[bits(s, lo + 4 * j, 4)];
	snprintf(o, sizeof buf - (size_t)(o - buf), "p%ld",
		 (long)lo - (long)BIAS);
	return json_string(buf);
}

/* A hexadecimal digit's value, or -1. */
static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * The string form: "0x", the digits of M (the first not 0, the last
 * odd), "p", E; *digits, *ndigits and *e get them. 0, or -1.
 */
static int
parse_text(const char *t, size_t len, const char **digits, size_t *ndigits,
	   long *e)
{
	size_t i = 2, k;
	int neg;

	if (len < 5 || t[0] != '0' || t[1] != 'x')
		return -1;
	while (i < len && hex_digit(t[i]) >= 0)
		i++;
	*digits = t + 2;
	*ndigits = i - 2;
	if (*ndigits == 0 || t[2] == '0' || hex_digit(t[i - 1]) % 2 == 0 ||
	    *ndigits > (size_t)PREP_EXACTSUM_MAX_LIMBS * 16 || i >= len ||
	    t[i] != 'p')
		return -1;
	neg = ++i < len && t[i] == '-';
	i += (size_t)neg;
	if (i == len || len - i > 6 || (t[i] == '0' && (neg || len - i > 1)))
		return -1;
	for (*e = 0, k = i; k < len; k++) {
		if (t[k] < '0' || t[k] > '9')
			return -1;
		*e = *e * 10 + (t[k] - '0');
	}
	if (neg)
		*e = -*e;
	return 0;
}

prep_status
prep_exactsum_from_json(const json_t *j, prep_exactsum *s)
{
	const char *t, *digits;
	size_t nd, k;
	long e, lo, hi;
	prep_status st;
	json_int_t v;

	s->n = 0;
	s->lo = 0;
	if (json_is_integer(j)) {
		v = json_integer_value(j);
		if (v < 0 || v >= (json_int_t)1 << 53)
			return PREP_ERR_VALUE;
		return prep_exactsum_add(s, (double)v);
	}
	if (!json_is_string(j))
		return PREP_ERR_VALUE;
	t = json_string_value(j);
	if (parse_text(t, json_string_length(j), &digits, &nd, &e) != 0)
		return PREP_ERR_VALUE;
	lo = e + BIAS;
	/* the top digit's highest bit set */
	hi = lo + 4 * (long)(nd - 1) + 3 - (hex_digit(digits[0]) < 8) -
	     (hex_digit(digits[0]) < 4) - (hex_digit(digits[0]) < 2);
	if (lo < 0 || hi >= TOP_BITS)
		return PREP_ERR_VALUE;
	if (lo >= BIAS && hi < BIAS + 53)
		return PREP_ERR_VALUE; /* a whole number below 2^53: an integer
					*/
	if ((st = cover(s, (uint32_t)lo / 64, (uint32_t)hi / 64 + 1)) !=
	    PREP_OK) {
		s->n = 0;
		return st;
	}
	for (k = 0; k < nd; k++) {
		uint64_t nib = (uint64_t)hex_digit(digits[nd - 1 - k]);
		uint32_t pos = (uint32_t)lo + 4 * (uint32_t)k, i = pos / 64;
		unsigned sh = pos % 64;

		s->limb[i - s->lo] |= nib << sh;
		/* a digit across two limbs; the top one's high bits may be 0,
		 * and past the limbs covered */
		if (sh > 60 && nib >> (64 - sh) != 0)
			s->limb[i + 1 - s->lo] |= nib >> (64 - sh);
	}
	trim(s);
	return PREP_OK;
}
