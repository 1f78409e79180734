/*
 * exactsum.c: exact sums of doubles (exactsum.h).
 *
 * A sum is an integer in units of 2^-1074 (bit b of it weighs 2^(b -
 * 1074)), its magnitude held in the limbs lo .. lo + n - 1 of 64 bits
 * each and its sign apart (neg); the first and the last limb kept are
 * never 0, so a sum of 0 has none (and is not negative). Adding a double
 * adds its 53-bit significand at the bit its exponent says, which
 * touches two limbs and the carry; a term of the other sign than the sum
 * is subtracted, and when it is the larger the difference is negated and
 * the sign turns. Every limb an addition can reach is made room for
 * before any is changed, so that a failure changes nothing. Reading
 * rounds the top 53 bits to nearest, ties to even, with the next bit and
 * whether any bit below it is set (IEEE 754-2008, §4.3.1).
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
	if (s->n == 0) {
		s->lo = 0;
		s->neg = 0;
	}
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

/*
 * Subtract w[0 .. k) at limbs a .. a + k - 1 from the magnitude, on a
 * copy; when w was the larger, the difference, negative in two's
 * complement, is negated and the sign turns.
 */
static prep_status
sub_limbs(prep_exactsum *s, uint32_t a, const uint64_t *w, uint32_t k)
{
	uint64_t buf[PREP_EXACTSUM_MAX_LIMBS], borrow = 0, x, t, u;
	uint32_t i, at, top = s->lo + s->n;
	prep_status st;

	if (a + k > PREP_EXACTSUM_MAX_LIMBS)
		return PREP_ERR_RANGE;
	if ((st = cover(s, a, top > a + k ? top : a + k)) != PREP_OK)
		return st;
	memcpy(buf, s->limb, s->n * sizeof *buf);
	for (i = 0; i < s->n; i++) {
		at = s->lo + i;
		x = at >= a && at - a < k ? w[at - a] : 0;
		t = buf[i] - x;
		u = t - borrow;
		/* at most one of the two subtractions wraps */
		borrow = (uint64_t)(buf[i] < x) | (uint64_t)(t < borrow);
		buf[i] = u;
	}
	if (borrow) {
		/* w - magnitude = -(magnitude - w): negate */
		for (i = 0, borrow = 1; i < s->n; i++) {
			buf[i] = ~buf[i] + borrow;
			borrow = borrow && buf[i] == 0;
		}
		s->neg = !s->neg;
	}
	memcpy(s->limb, buf, s->n * sizeof *buf);
	trim(s);
	return PREP_OK;
}

/* Add (neg 0) or subtract (neg 1) w[0 .. k) at limbs a .. a + k - 1. */
static prep_status
add_signed(prep_exactsum *s, uint32_t a, const uint64_t *w, uint32_t k, int neg)
{
	prep_status st;

	if (s->n == 0) {
		if ((st = add_limbs(s, a, w, k)) == PREP_OK && s->n)
			s->neg = neg;
		return st;
	}
	return s->neg == neg ? add_limbs(s, a, w, k) : sub_limbs(s, a, w, k);
}

/*
 * |x| (finite) as m 2^(b - BIAS): the significand m (53 bits at most) and
 * its bit b; m 0 for 0.
 */
static uint64_t
split(double x, uint32_t *b)
{
	uint64_t u, m;
	uint32_t e;

	memcpy(&u, &x, sizeof u);
	e = (uint32_t)(u >> 52) & 0x7ff;
	m = u & (((uint64_t)1 << 52) - 1);
	/* a normal double is (2^52 + m) 2^(e - 1075); a subnormal m 2^-1074 */
	if (e) {
		m |= (uint64_t)1 << 52;
		*b = e - 1;
	} else {
		*b = 0;
	}
	return m;
}

/* m 2^(b - BIAS) times n as limbs w[0 .. 3) from limb b / 64; their
 * number (trailing zero limbs dropped). */
static uint32_t
spread(uint64_t m, uint64_t n, uint32_t b, uint64_t w[3])
{
	unsigned __int128 p = (unsigned __int128)m * n;
	unsigned sh = b % 64;

	w[0] = (uint64_t)(p << sh);
	w[1] = (uint64_t)(sh ? p >> (64 - sh) : p >> 64);
	w[2] = sh ? (uint64_t)(p >> (128 - sh)) : 0;
	return w[2] ? 3 : w[1] ? 2 : 1;
}

prep_status
prep_exactsum_add(prep_exactsum *s, double x)
{
	if (!(x >= 0) || !isfinite(x))
		return PREP_ERR_ARG;
	return prep_exactsum_add_signed(s, x);
}

prep_status
prep_exactsum_add_signed(prep_exactsum *s, double x)
{
	return prep_exactsum_add_times(s, x, 1);
}

prep_status
prep_exactsum_add_times(prep_exactsum *s, double x, uint64_t n)
{
	uint64_t m, w[3];
	uint32_t b, k;

	if (!isfinite(x))
		return PREP_ERR_ARG;
	if (x == 0 || n == 0)
		return PREP_OK;
	m = split(x, &b);
	k = spread(m, n, b, w);
	return add_signed(s, b / 64, w, k, x < 0);
}

prep_status
prep_exactsum_add_sum(prep_exactsum *s, const prep_exactsum *t)
{
	if (t->n == 0)
		return PREP_OK;
	return add_signed(s, t->lo, t->limb, t->n, t->neg);
}

int
prep_exactsum_sign(const prep_exactsum *s)
{
	return s->n == 0 ? 0 : s->neg ? -1 : 1;
}

int
prep_exactsum_is_integer(const prep_exactsum *s)
{
	return s->n == 0 || low_bit(s) >= BIAS;
}

prep_status
prep_exactsum_cmp_times(const prep_exactsum *s, double x, uint64_t n, int *sign)
{
	prep_exactsum t;
	prep_status st;

	*sign = 0;
	prep_exactsum_init(&t);
	if ((st = prep_exactsum_add_sum(&t, s)) == PREP_OK &&
	    (st = prep_exactsum_add_times(&t, -x, n)) == PREP_OK)
		*sign = prep_exactsum_sign(&t);
	prep_exactsum_free(&t);
	return st;
}

/* Bit p (absolute, any) of the magnitude: 0 outside the limbs. */
static unsigned
bit_at(const prep_exactsum *s, long p)
{
	return p < 0 ? 0 : (unsigned)bits(s, (uint32_t)p, 1);
}

prep_status
prep_exactsum_round(const prep_exactsum *s, int k, __int128 *out)
{
	long b = (long)k + BIAS; /* the bit of 2^k */
	unsigned __int128 q = 0;
	long h;
	int j;

	*out = 0;
	if (s->n == 0)
		return PREP_OK;
	h = (long)high_bit(s);
	if (h - b >= 126)
		return PREP_ERR_RANGE;
	if (h < b - 1)
		return PREP_OK; /* below half of 2^k */
	for (j = 125; j >= 0; j--)
		q = q << 1 | bit_at(s, b + j);
	q += bit_at(s, b - 1); /* a half or more: away from 0 */
	if (q >> 126)
		return PREP_ERR_RANGE;
	*out = s->neg ? -(__int128)q : (__int128)q;
	return PREP_OK;
}

/* The magnitude rounded to the nearest double, ties to even. */
static double
magnitude_value(const prep_exactsum *s)
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
prep_exactsum_value(const prep_exactsum *s)
{
	double v = magnitude_value(s);

	/* rounding to nearest is symmetric: the sign after it */
	return s->neg ? -v : v;
}

double
prep_exactsum_value_sum(const prep_exactsum *const *t, size_t n)
{
	/* 8 sums below 2^1166 stay below 2^1169: within the limbs */
	uint64_t buf[PREP_EXACTSUM_MAX_LIMBS] = {0}, carry, x, u, v;
	prep_exactsum view;
	size_t k;
	uint32_t i, a, lo = PREP_EXACTSUM_MAX_LIMBS, hi = 0;

	for (k = 0; k < n && k < 8; k++)
		if (t[k]->neg)
			return NAN;
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
	view.neg = 0;
	return prep_exactsum_value(&view);
}

json_t *
prep_exactsum_json(const prep_exactsum *s)
{
	static const char hex[] = "0123456789abcdef";
	/* "0x", a digit per 4 bits, "p", the exponent, NUL */
	char buf[3 + PREP_EXACTSUM_MAX_LIMBS * 16 + 16], *o = buf;
	uint32_t lo, hi, d, j;
	json_int_t v;

	if (s->n == 0)
		return json_integer(0);
	lo = low_bit(s);
	hi = high_bit(s);
	if (lo >= BIAS && hi < BIAS + 53) {
		v = (json_int_t)bits(s, BIAS, 53);
		return json_integer(s->neg ? -v : v);
	}
	if (s->neg)
		*o++ = '-';
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

/* j into s, a negative sum's forms too with signed_ok. */
static prep_status
from_json(const json_t *j, prep_exactsum *s, int signed_ok)
{
	const char *t, *digits;
	size_t nd, k, len;
	long e, lo, hi;
	prep_status st;
	json_int_t v;
	int neg;

	s->n = 0;
	s->lo = 0;
	s->neg = 0;
	if (json_is_integer(j)) {
		v = json_integer_value(j);
		if (v < (signed_ok ? -((json_int_t)1 << 53) + 1 : 0) ||
		    v >= (json_int_t)1 << 53)
			return PREP_ERR_VALUE;
		return prep_exactsum_add_signed(s, (double)v);
	}
	if (!json_is_string(j))
		return PREP_ERR_VALUE;
	t = json_string_value(j);
	len = json_string_length(j);
	neg = signed_ok && len > 0 && t[0] == '-';
	if (parse_text(t + neg, len - (size_t)neg, &digits, &nd, &e) != 0)
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
	s->neg = neg && s->n;
	return PREP_OK;
}

prep_status
prep_exactsum_from_json(const json_t *j, prep_exactsum *s)
{
	return from_json(j, s, 0);
}

prep_status
prep_exactsum_from_json_signed(const json_t *j, prep_exactsum *s)
{
	return from_json(j, s, 1);
}
