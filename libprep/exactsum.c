/*
 * exactsum.c: exact sums of doubles in a long accumulator (exactsum.h).
 *
 * The accumulator is a two's complement integer over a window of 64-bit
 * limbs, limb[i] holding bits 64 (lo + i) .. 64 (lo + i) + 63. Bits below
 * the window are 0; bits above it repeat the sign, which the top limb
 * always holds whole (0 or all ones): a guard, so that one more addition
 * of an operand that ends below the top limb can't overflow the window.
 * A double v = m 2^e (m < 2^53 a whole number) is added as m at bit
 * e + PREP_EXACTSUM_BIAS, the carry (or borrow) running up to the top;
 * the window first grows to take the operand and two limbs of sign above
 * it and the value (room()), so that an addition either fails before it
 * touches the value or succeeds.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "exactsum.h"
#include "memcap.h"

typedef unsigned __int128 u128;

#define LIMB_BITS 64
/* The lowest bit a double can have: 2^-1074. */
#define LOWEST_BIT (PREP_EXACTSUM_BIAS - 1074)

void
prep_exactsum_init(prep_exactsum *s)
{
	memset(s, 0, sizeof *s);
}

void
prep_exactsum_free(prep_exactsum *s)
{
	prep_memcap_free(s->limb, (size_t)s->n * sizeof *s->limb);
	prep_exactsum_init(s);
}

/* The limb every limb above the window repeats. */
static uint64_t
sign_limb(const prep_exactsum *s)
{
	return s->n && (s->limb[s->n - 1] >> 63) ? UINT64_MAX : 0;
}

/*
 * Make the window cover limbs from .. to - 1 (absolute indexes) and one
 * above: new limbs below are 0, new limbs above the sign.
 */
static prep_status
cover(prep_exactsum *s, int32_t from, int32_t to)
{
	int32_t lo, hi;
	uint64_t *p, ext = sign_limb(s);
	uint32_t n, below, i;
	prep_status st;

	if (s->n == 0) {
		lo = from;
		hi = to + 1;
	} else {
		lo = from < s->lo ? from : s->lo;
		hi = to + 1 > s->lo + (int32_t)s->n ? to + 1
						    : s->lo + (int32_t)s->n;
	}
	if (lo < 0 || hi > PREP_EXACTSUM_MAX_LIMBS)
		return PREP_ERR_RANGE;
	n = (uint32_t)(hi - lo);
	if (n == s->n)
		return PREP_OK;
	p = prep_memcap_realloc(s->limb, (size_t)s->n * sizeof *p,
				(size_t)n * sizeof *p, &st);
	if (p == NULL)
		return st;
	below = s->n ? (uint32_t)(s->lo - lo) : 0;
	if (s->n && below)
		memmove(p + below, p, (size_t)s->n * sizeof *p);
	for (i = 0; i < below; i++)
		p[i] = 0;
	for (i = below + s->n; i < n; i++)
		p[i] = ext;
	s->limb = p;
	s->lo = lo;
	s->n = n;
	return PREP_OK;
}

/*
 * Make the window cover limbs from .. to - 1 and at least two more above
 * them, the top two all sign. With n limbs, the value is then below
 * 2^(64 (n - 2)) in magnitude (counting from the window's lowest bit),
 * and so is an operand within from .. to - 1; their sum is below
 * 2^(64 (n - 2) + 1) <= 2^(64 (n - 1) - 1), and the top limb stays all
 * sign. The value is left as it was, whether or not this fails.
 */
static prep_status
room(prep_exactsum *s, int32_t from, int32_t to)
{
	prep_status st;

	if ((st = cover(s, from, to + 1)) != PREP_OK)
		return st;
	if (s->limb[s->n - 2] != sign_limb(s))
		st = cover(s, s->lo, s->lo + (int32_t)s->n);
	return st;
}

/*
 * Add (or, with neg, subtract) mag 2^(bit - BIAS), mag < 2^128, bit >= 0.
 * The operand takes at most three limbs from bit / 64 up.
 */
static prep_status
add_bits(prep_exactsum *s, u128 mag, int32_t bit, int neg)
{
	int32_t k = bit / LIMB_BITS, sh = bit % LIMB_BITS;
	uint64_t w[3], c = 0;
	uint32_t i, j;
	prep_status st;

	if (mag == 0)
		return PREP_OK;
	if (bit < 0)
		return PREP_ERR_RANGE;
	w[0] = (uint64_t)(mag << sh);
	w[1] = (uint64_t)((sh ? mag >> (LIMB_BITS - sh) : mag >> 64));
	w[2] = sh ? (uint64_t)(mag >> (2 * LIMB_BITS - sh)) : 0;
	if ((st = room(s, k, k + 3)) != PREP_OK)
		return st;
	i = (uint32_t)(k - s->lo);
	for (j = 0; i < s->n; i++, j++) {
		uint64_t a = s->limb[i], b = j < 3 ? w[j] : 0, r;

		if (j >= 3 && c == 0)
			break;
		if (!neg) {
			r = a + b;
			uint64_t c1 = r < a;
			s->limb[i] = r + c;
			c = c1 | (s->limb[i] < r);
		} else {
			r = a - b;
			uint64_t c1 = a < b;
			s->limb[i] = r - c;
			c = c1 | (r < c);
		}
	}
	return PREP_OK;
}

/* |v| = m 2^(bit - BIAS) with m odd; 0 for v = 0. */
static uint64_t
split(double v, int32_t *bit)
{
	int e;
	double f = frexp(fabs(v), &e);
	uint64_t m = (uint64_t)ldexp(f, 53);

	*bit = 0;
	if (m == 0)
		return 0;
	e -= 53 - __builtin_ctzll(m);
	m >>= __builtin_ctzll(m);
	*bit = e + PREP_EXACTSUM_BIAS;
	return m;
}

prep_status
prep_exactsum_add(prep_exactsum *s, double v)
{
	int32_t bit;
	uint64_t m;

	if (!isfinite(v))
		return PREP_ERR_ARG;
	m = split(v, &bit);
	return add_bits(s, m, bit, v < 0);
}

prep_status
prep_exactsum_add_times(prep_exactsum *s, double v, uint64_t n)
{
	int32_t bit;
	uint64_t m;

	if (!isfinite(v))
		return PREP_ERR_ARG;
	m = split(v, &bit);
	return add_bits(s, (u128)m * n, bit, v < 0);
}

prep_status
prep_exactsum_add_sum(prep_exactsum *s, const prep_exactsum *t)
{
	uint64_t ext, c = 0;
	int32_t top, i;
	prep_status st;

	if (t->n == 0)
		return PREP_OK;
	ext = sign_limb(t);
	top = t->lo + (int32_t)t->n;
	if ((st = room(s, t->lo, top)) != PREP_OK)
		return st;
	/* t's limbs, then its sign, up to s's top; the last carry is
	 * dropped, as two's complement addition does */
	for (i = t->lo; i < s->lo + (int32_t)s->n; i++) {
		uint64_t *a = &s->limb[i - s->lo];
		uint64_t b = i < top ? t->limb[i - t->lo] : ext;
		uint64_t r = *a + b, c1 = r < *a;

		*a = r + c;
		c = c1 | (*a < r);
	}
	return PREP_OK;
}

prep_status
prep_exactsum_copy(prep_exactsum *s, const prep_exactsum *t)
{
	prep_exactsum_init(s);
	return prep_exactsum_add_sum(s, t);
}

int
prep_exactsum_sign(const prep_exactsum *s)
{
	uint32_t i;

	if (sign_limb(s))
		return -1;
	for (i = 0; i < s->n; i++)
		if (s->limb[i])
			return 1;
	return 0;
}

prep_status
prep_exactsum_cmp_times(const prep_exactsum *s, double v, uint64_t n, int *sign)
{
	prep_exactsum t;
	prep_status st;

	*sign = 0;
	if ((st = prep_exactsum_copy(&t, s)) == PREP_OK)
		st = prep_exactsum_add_times(&t, -v, n);
	if (st == PREP_OK)
		*sign = prep_exactsum_sign(&t);
	prep_exactsum_free(&t);
	return st;
}

/*
 * The magnitude of the sum, as limbs over the same window (n limbs, the
 * top one 0) in mag; returns the sign. mag has room for s->n limbs.
 */
static int
magnitude(const prep_exactsum *s, uint64_t *mag)
{
	int neg = sign_limb(s) != 0;
	uint64_t c = 1;
	uint32_t i;

	for (i = 0; i < s->n; i++) {
		mag[i] = neg ? ~s->limb[i] + c : s->limb[i];
		if (neg)
			c = c && mag[i] == 0;
	}
	return neg ? -1 : prep_exactsum_sign(s);
}

/* Bit b (absolute) of the magnitude. */
static int
bit_at(const prep_exactsum *s, const uint64_t *mag, int64_t b)
{
	int64_t i = b / LIMB_BITS - s->lo;

	if (b < 0 || i < 0 || i >= (int64_t)s->n)
		return 0;
	return (int)((mag[i] >> (b % LIMB_BITS)) & 1);
}

/* Bits b .. b + 63 (absolute) of the magnitude, as a number. */
static uint64_t
bits_at(const prep_exactsum *s, const uint64_t *mag, int64_t b)
{
	uint64_t v = 0;
	int j;

	for (j = 63; j >= 0; j--)
		v = v << 1 | (uint64_t)bit_at(s, mag, b + j);
	return v;
}

/* The highest and lowest bits set of the magnitude (absolute); 0 when it
 * is 0. */
static int
extent(const prep_exactsum *s, const uint64_t *mag, int64_t *hi, int64_t *lo)
{
	uint32_t i;
	int found = 0;

	for (i = 0; i < s->n; i++) {
		if (mag[i] == 0)
			continue;
		if (!found)
			*lo = (int64_t)(s->lo + (int32_t)i) * LIMB_BITS +
			      __builtin_ctzll(mag[i]);
		*hi = (int64_t)(s->lo + (int32_t)i) * LIMB_BITS + 63 -
		      __builtin_clzll(mag[i]);
		found = 1;
	}
	return found;
}

/* The magnitude's limbs, on the stack (the window is bounded). */
struct mag {
	uint64_t l[PREP_EXACTSUM_MAX_LIMBS];
	int sign;
	int64_t hi, lo;
	int nonzero;
};

static void
mag_of(const prep_exactsum *s, struct mag *m)
{
	m->sign = magnitude(s, m->l);
	m->nonzero = extent(s, m->l, &m->hi, &m->lo);
}

int
prep_exactsum_is_integer(const prep_exactsum *s)
{
	struct mag m;

	mag_of(s, &m);
	return !m.nonzero || m.lo >= PREP_EXACTSUM_BIAS;
}

double
prep_exactsum_double(const prep_exactsum *s)
{
	struct mag m;
	uint64_t top;
	int64_t low;
	int guard, sticky = 0;
	double v;

	mag_of(s, &m);
	if (!m.nonzero)
		return 0.0;
	if (m.hi - m.lo < 53) {
		top = bits_at(s, m.l, m.lo);
		low = m.lo;
	} else {
		/* 53 bits, then round to nearest, ties to even */
		low = m.hi - 52;
		top = bits_at(s, m.l, low) & ((UINT64_C(1) << 53) - 1);
		guard = bit_at(s, m.l, low - 1);
		sticky = m.lo < low - 1;
		if (guard && (sticky || (top & 1)))
			top++;
	}
	/* below 2^-1022 the bits end at 2^-1074 and need no rounding */
	v = ldexp((double)top, (int)(low - PREP_EXACTSUM_BIAS));
	return m.sign < 0 ? -v : v;
}

prep_status
prep_exactsum_round(const prep_exactsum *s, int k, __int128 *out)
{
	struct mag m;
	int64_t b = (int64_t)k + PREP_EXACTSUM_BIAS; /* the bit of 2^k */
	u128 q;
	int j;

	*out = 0;
	mag_of(s, &m);
	if (!m.nonzero)
		return PREP_OK;
	if (m.hi - b >= 126)
		return PREP_ERR_RANGE;
	if (m.hi < b - 1)
		return PREP_OK; /* below half of 2^k */
	q = 0;
	for (j = 125; j >= 0; j--)
		q = q << 1 | (u128)bit_at(s, m.l, b + j);
	q += (u128)bit_at(s, m.l, b - 1); /* a half or more: away from 0 */
	if (q >> 126)
		return PREP_ERR_RANGE;
	*out = m.sign < 0 ? -(__int128)q : (__int128)q;
	return PREP_OK;
}

size_t
prep_exactsum_text(const prep_exactsum *s, char *buf, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	struct mag m;
	size_t len = 0;
	int64_t b;
	int e, k;

	mag_of(s, &m);
	if (!m.nonzero) {
		if (n < 7)
			return 0;
		memcpy(buf, "0x0p+0", 7);
		return 6;
	}
	/* sign, "0x1.", a digit per 4 bits below the top, "p-9999", NUL */
	if ((size_t)(m.hi - m.lo) / 4 + 14 > n)
		return 0;
	if (m.sign < 0)
		buf[len++] = '-';
	buf[len++] = '0';
	buf[len++] = 'x';
	buf[len++] = '1';
	if (m.lo < m.hi)
		buf[len++] = '.';
	for (b = m.hi - 1; b >= m.lo; b -= 4) {
		int d = 0;

		for (k = 0; k < 4; k++)
			d = d << 1 | bit_at(s, m.l, b - k);
		buf[len++] = hex[d];
	}
	e = (int)(m.hi - PREP_EXACTSUM_BIAS);
	len += (size_t)snprintf(buf + len, n - len, "p%+d", e);
	return len;
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

prep_status
prep_exactsum_parse(prep_exactsum *s, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *frac = NULL, *q;
	size_t nfrac = 0, i;
	int neg = 0, eneg;
	long e = 0;
	int64_t top, bit;
	prep_status st;

	prep_exactsum_free(s);
	if (len == 6 && memcmp(text, "0x0p+0", 6) == 0)
		return PREP_OK;
	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	if (end - p < 3 || memcmp(p, "0x1", 3) != 0)
		return PREP_ERR_VALUE;
	p += 3;
	if (p < end && *p == '.') {
		frac = ++p;
		while (p < end && hex_digit(*p) >= 0)
			p++;
		nfrac = (size_t)(p - frac);
		if (nfrac == 0 || frac[nfrac - 1] == '0' ||
		    nfrac > (size_t)PREP_EXACTSUM_MAX_LIMBS * 16)
			return PREP_ERR_VALUE;
	}
	if (end - p < 3 || *p != 'p' || (p[1] != '+' && p[1] != '-'))
		return PREP_ERR_VALUE;
	eneg = p[1] == '-';
	p += 2;
	if (*p == '0' && (end - p != 1 || eneg))
		return PREP_ERR_VALUE; /* "p+0" only */
	for (q = p; q < end; q++) {
		if (*q < '0' || *q > '9' || q - p >= 5)
			return PREP_ERR_VALUE;
		e = e * 10 + (*q - '0');
	}
	if (q == p)
		return PREP_ERR_VALUE;
	top = (eneg ? -e : e) + PREP_EXACTSUM_BIAS;
	/* the lowest bit set: that of the last digit's lowest one */
	bit = top - 4 * (int64_t)nfrac;
	if (nfrac)
		bit += __builtin_ctz((unsigned)hex_digit(frac[nfrac - 1]));
	if (bit < LOWEST_BIT ||
	    top >= (int64_t)PREP_EXACTSUM_MAX_LIMBS * LIMB_BITS - 2)
		return PREP_ERR_VALUE;
	st = add_bits(s, 1, (int32_t)top, neg);
	for (i = 0; st == PREP_OK && i < nfrac; i++)
		st = add_bits(s, (u128)hex_digit(frac[i]),
			      (int32_t)(top - 4 * (int64_t)(i + 1)), neg);
	if (st != PREP_OK)
		prep_exactsum_free(s);
	return st == PREP_ERR_RANGE ? PREP_ERR_VALUE : st;
}
