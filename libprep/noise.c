/*
 * noise.c: random bits and the exact discrete Laplace sampler behind
 * dpnoise (see noise.h for the design and its sources).
 *
 * The sampler is Canonne, Kamath and Steinke 2020, Algorithm 2 with the
 * Bernoulli(exp(-gamma)) of their Algorithm 1, run on rationals s/t whose
 * numerator and denominator are unsigned 128-bit integers. Every draw is a
 * comparison of uniform random integers, so the output distribution is
 * exactly the two-sided geometric; no floating-point value ever decides a
 * branch. lambda comes from the doubles epsilon and delta bit by bit
 * (frexp and powers of two), so no rounding enters it either; when the
 * exact ratio would not fit in 120 bits, epsilon is rounded down (less
 * privacy loss, more noise) until it does.
 */
#include <endian.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "noise.h"
#include "text.h"

typedef unsigned __int128 u128;

#define RNG_BUF 4096
/* The first refill after prep_rng_seek: a record's few draws. */
#define RNG_SEEK_BUF 64
#define RATIO_MAX ((u128)1 << 120)

struct prep_rng {
	EVP_CIPHER_CTX *ctx; /* seeded: AES-256-CTR; NULL: RAND_priv_bytes */
	unsigned char buf[RNG_BUF];
	size_t pos, len; /* next byte of buf, bytes in it */
	size_t want;	 /* bytes the next refill makes: RNG_BUF or less */
	uint64_t bits;	 /* random bits not used yet, for coin flips */
	int nbits;
};

struct prep_laplace {
	u128 s, t; /* P(i) ~ exp(-|i| s/t) */
	double r;  /* granularity; 1 for integers */
	double scale;
	int integer;
};

static const unsigned char zeros[RNG_BUF];

/*
 * A new buffer of random bytes. A seeded generator's keystream is the
 * same whatever the buffers' sizes (CTR mode: block i is AES(counter + i),
 * and every size is a whole number of blocks).
 */
static prep_status
refill(prep_rng *g)
{
	size_t want = g->want ? g->want : RNG_BUF;
	int n;

	if (g->ctx == NULL) {
		if (RAND_priv_bytes(g->buf, (int)want) != 1)
			return PREP_ERR_CRYPTO;
	} else if (EVP_EncryptUpdate(g->ctx, g->buf, &n, zeros, (int)want) !=
		       1 ||
		   n != (int)want) {
		return PREP_ERR_CRYPTO;
	}
	g->pos = 0;
	g->len = want;
	g->want = RNG_BUF;
	return PREP_OK;
}

prep_status
prep_rng_new_secure(prep_rng **out)
{
	prep_rng *g = calloc(1, sizeof *g);
	prep_status st;

	*out = NULL;
	if (g == NULL)
		return PREP_ERR_NOMEM;
	if ((st = refill(g)) != PREP_OK) {
		free(g);
		return st;
	}
	*out = g;
	return PREP_OK;
}

prep_status
prep_rng_new_seeded(uint64_t seed, prep_rng **out)
{
	static const char label[] = "prep seed v1";
	unsigned char msg[sizeof label - 1 + 8], key[32], iv[16] = {0};
	unsigned int klen = 0;
	prep_rng *g;
	prep_status st;
	int i;

	*out = NULL;
	memcpy(msg, label, sizeof label - 1);
	for (i = 0; i < 8; i++)
		msg[sizeof label - 1 + i] =
		    (unsigned char)(seed >> (56 - 8 * i));
	if (EVP_Digest(msg, sizeof msg, key, &klen, EVP_sha256(), NULL) != 1)
		return PREP_ERR_CRYPTO;
	g = calloc(1, sizeof *g);
	if (g == NULL)
		return PREP_ERR_NOMEM;
	g->ctx = EVP_CIPHER_CTX_new();
	if (g->ctx == NULL ||
	    EVP_EncryptInit_ex(g->ctx, EVP_aes_256_ctr(), NULL, key, iv) != 1) {
		prep_rng_free(g);
		return PREP_ERR_CRYPTO;
	}
	OPENSSL_cleanse(key, sizeof key);
	if ((st = refill(g)) != PREP_OK) {
		prep_rng_free(g);
		return st;
	}
	*out = g;
	return PREP_OK;
}

prep_status
prep_rng_seek(prep_rng *g, uint64_t stream)
{
	unsigned char iv[16] = {0};
	int i;

	if (g->ctx == NULL)
		return PREP_ERR_ARG;
	for (i = 0; i < 8; i++)
		iv[i] = (unsigned char)(stream >> (56 - 8 * i));
	/* the key stays; the counter starts again at the IV */
	if (EVP_EncryptInit_ex(g->ctx, NULL, NULL, NULL, iv) != 1)
		return PREP_ERR_CRYPTO;
	g->pos = g->len = 0;
	g->want = RNG_SEEK_BUF;
	g->bits = 0;
	g->nbits = 0;
	return PREP_OK;
}

void
prep_rng_free(prep_rng *g)
{
	if (g == NULL)
		return;
	EVP_CIPHER_CTX_free(g->ctx);
	OPENSSL_cleanse(g->buf, sizeof g->buf);
	free(g);
}

prep_status
prep_rng_u64(prep_rng *g, uint64_t *v)
{
	prep_status st;
	uint64_t x;

	if (g->pos + 8 > g->len && (st = refill(g)) != PREP_OK)
		return st;
	memcpy(&x, g->buf + g->pos, 8);
	g->pos += 8;
	*v = le64toh(x); /* the bytes as a little-endian number */
	return PREP_OK;
}

/*
 * Lemire's nearly divisionless method ("Fast Random Integer Generation in
 * an Interval", ACM TOMACS 2019): the high word of x * n is uniform in
 * [0, n) once the draws whose low word falls below 2^64 mod n are
 * rejected; that remainder is computed only when the low word is small.
 */
prep_status
prep_rng_uniform(prep_rng *g, uint64_t n, uint64_t *v)
{
	uint64_t x, lo, threshold;
	u128 m;
	prep_status st;

	if (n == 0)
		return PREP_ERR_ARG;
	if ((st = prep_rng_u64(g, &x)) != PREP_OK)
		return st;
	m = (u128)x * n;
	lo = (uint64_t)m;
	if (lo < n) {
		threshold = -n % n; /* 2^64 mod n */
		while (lo < threshold) {
			if ((st = prep_rng_u64(g, &x)) != PREP_OK)
				return st;
			m = (u128)x * n;
			lo = (uint64_t)m;
		}
	}
	*v = (uint64_t)(m >> 64);
	return PREP_OK;
}

/* One fair coin, from a cached word of random bits. */
static prep_status
coin(prep_rng *g, int *bit)
{
	prep_status st;

	if (g->nbits == 0) {
		if ((st = prep_rng_u64(g, &g->bits)) != PREP_OK)
			return st;
		g->nbits = 64;
	}
	*bit = (int)(g->bits & 1);
	g->bits >>= 1;
	g->nbits--;
	return PREP_OK;
}

/* Uniform in [0, n), n > 0, by masking and rejection. */
static prep_status
uniform128(prep_rng *g, u128 n, u128 *v)
{
	u128 x, mask;
	uint64_t lo, hi;
	prep_status st;
	int bits = 0;

	if (n >> 64 == 0) {
		if ((st = prep_rng_uniform(g, (uint64_t)n, &lo)) != PREP_OK)
			return st;
		*v = lo;
		return PREP_OK;
	}
	for (x = n - 1; x; x >>= 1)
		bits++;
	mask = bits == 128 ? ~(u128)0 : (((u128)1 << bits) - 1);
	do {
		if ((st = prep_rng_u64(g, &lo)) != PREP_OK ||
		    (st = prep_rng_u64(g, &hi)) != PREP_OK)
			return st;
		x = ((u128)hi << 64 | lo) & mask;
	} while (x >= n);
	*v = x;
	return PREP_OK;
}

/*
 * Bernoulli(exp(-num/den)) for 0 <= num/den <= 1 (CKS Algorithm 1):
 * K = 1; while Bernoulli(num/(den K)) K++; return K odd.
 */
static prep_status
bernoulli_exp(prep_rng *g, u128 num, u128 den, int *out)
{
	uint64_t k;
	u128 u;
	prep_status st;

	for (k = 1;; k++) {
		if (den > (RATIO_MAX << 6) / k)
			return PREP_ERR_RANGE; /* K > 64: p < 1/64!, never */
		if ((st = uniform128(g, den * k, &u)) != PREP_OK)
			return st;
		if (u >= num)
			break;
	}
	*out = (int)(k & 1);
	return PREP_OK;
}

/*
 * Two-sided geometric, P(x) ~ exp(-|x| s/t) (CKS Algorithm 2, with their
 * scale t/s): U uniform in [0,t), accept with probability exp(-U/t); V
 * geometric with parameter exp(-1); Y = floor((U + tV)/s); a random sign,
 * rejecting -0.
 */
static prep_status
discrete_laplace(prep_rng *g, u128 s, u128 t, int64_t *out)
{
	prep_status st;
	u128 u, x, y;
	uint64_t v;
	int d, a, bit;

	for (;;) {
		if ((st = uniform128(g, t, &u)) != PREP_OK ||
		    (st = bernoulli_exp(g, u, t, &d)) != PREP_OK)
			return st;
		if (!d)
			continue;
		for (v = 0;; v++) {
			if ((st = bernoulli_exp(g, 1, 1, &a)) != PREP_OK)
				return st;
			if (!a)
				break;
		}
		if (v > 0 && t > ((~(u128)0) - u) / v)
			return PREP_ERR_RANGE;
		x = u + t * v;
		y = x / s;
		if ((st = coin(g, &bit)) != PREP_OK)
			return st;
		if (bit && y == 0)
			continue;
		if (y > (u128)INT64_MAX)
			return PREP_ERR_RANGE;
		*out = bit ? -(int64_t)y : (int64_t)y;
		return PREP_OK;
	}
}

/* A positive finite double as odd mantissa m and exponent e: m 2^e. */
static void
dyadic(double x, uint64_t *m, int *e)
{
	int ex;
	double f = frexp(x, &ex); /* x = f 2^ex, 0.5 <= f < 1 */

	*m = (uint64_t)ldexp(f, 53);
	*e = ex - 53;
	while ((*m & 1) == 0) {
		*m >>= 1;
		(*e)++;
	}
}

/* v << k for k >= 0, or 0 when it would not stay below RATIO_MAX. */
static u128
shifted(u128 v, int k)
{
	if (k >= 120 || (k > 0 && v > (RATIO_MAX - 1) >> k))
		return 0;
	return v << k;
}

/* Remove common factors of two. */
static void
reduce(u128 *s, u128 *t)
{
	while (((*s | *t) & 1) == 0) {
		*s >>= 1;
		*t >>= 1;
	}
}

/*
 * lambda = (eps 2^k) / (delta + 2^k) as s/t (k: log2 of the granularity;
 * without the granularity, lambda = eps / delta). 0 when it does not fit.
 */
static int
ratio(double eps, double delta, int with_r, int k, u128 *s, u128 *t)
{
	uint64_t me, md;
	int ee, ed, e0, x;
	u128 num, den;

	dyadic(eps, &me, &ee);
	dyadic(delta, &md, &ed);
	if (!with_r) {
		/* me 2^ee / (md 2^ed) */
		num = shifted(me, ee > ed ? ee - ed : 0);
		den = shifted(md, ed > ee ? ed - ee : 0);
	} else {
		/* denominator delta + 2^k = 2^e0 (md 2^(ed-e0) + 2^(k-e0)) */
		u128 a, b;

		e0 = ed < k ? ed : k;
		a = shifted(md, ed - e0);
		b = shifted(1, k - e0);
		if (a == 0 || b == 0 || a > RATIO_MAX - b)
			return 0;
		den = a + b;
		/* numerator me 2^(ee + k - e0) */
		x = ee + k - e0;
		num = shifted(me, x > 0 ? x : 0);
		den = shifted(den, x < 0 ? -x : 0);
	}
	if (num == 0 || den == 0)
		return 0;
	reduce(&num, &den);
	*s = num;
	*t = den;
	return 1;
}

/* Round eps down to fewer significant bits (never up: more noise). */
static double
fewer_bits(double eps, int bits)
{
	int ex;
	double f = frexp(eps, &ex);

	return ldexp(floor(ldexp(f, bits)), ex - bits);
}

static prep_status
mechanism(double eps, double delta, int integer, prep_laplace **out)
{
	prep_laplace *m;
	int k = 0, bits;
	double e = eps;

	*out = NULL;
	if (!(eps > 0) || !(delta > 0) || !isfinite(eps) || !isfinite(delta))
		return PREP_ERR_ARG;
	if (integer && delta != floor(delta))
		return PREP_ERR_ARG;
	if (!integer && (eps < 0x1p-40 || eps > 0x1p20))
		return PREP_ERR_ARG;
	if (!isfinite(delta / eps))
		return PREP_ERR_ARG;
	m = calloc(1, sizeof *m);
	if (m == NULL)
		return PREP_ERR_NOMEM;
	m->integer = integer;
	m->scale = delta / eps;
	m->r = 1;
	if (!integer) {
		/*
		 * The smallest k with 2^k >= (delta/eps) / 2^40, decided
		 * exactly: delta <= eps 2^(k+40) compares doubles scaled by
		 * powers of two only.
		 */
		k = ilogb(delta) - ilogb(eps) - 42;
		while (delta > ldexp(eps, k + 40))
			k++;
		while (delta <= ldexp(eps, k + 39))
			k--;
		m->r = ldexp(1, k);
		/* the noise's real scale: 1/lambda steps of r */
		m->scale = (delta + m->r) / eps;
		if (!(m->r > 0) || !isfinite(m->scale)) {
			free(m);
			return PREP_ERR_ARG;
		}
	}
	for (bits = 53; bits > 0; bits--) {
		e = bits == 53 ? eps : fewer_bits(eps, bits);
		if (e > 0 && ratio(e, delta, !integer, k, &m->s, &m->t))
			break;
	}
	if (bits == 0) {
		free(m);
		return PREP_ERR_ARG;
	}
	*out = m;
	return PREP_OK;
}

prep_status
prep_laplace_new_int(double epsilon, double delta, prep_laplace **out)
{
	return mechanism(epsilon, delta, 1, out);
}

prep_status
prep_laplace_new_real(double epsilon, double delta, prep_laplace **out)
{
	return mechanism(epsilon, delta, 0, out);
}

void
prep_laplace_free(prep_laplace *m)
{
	free(m);
}

double
prep_laplace_granularity(const prep_laplace *m)
{
	return m->r;
}

double
prep_laplace_scale(const prep_laplace *m)
{
	return m->scale;
}

prep_status
prep_laplace_sample(prep_laplace *m, prep_rng *g, int64_t *i)
{
	return discrete_laplace(g, m->s, m->t, i);
}

prep_status
prep_laplace_add_real(prep_laplace *m, prep_rng *g, double x, double *out)
{
	int64_t i;
	int k = ilogb(m->r);
	double q, y;
	prep_status st;

	if (!isfinite(x))
		return PREP_ERR_VALUE;
	if ((st = discrete_laplace(g, m->s, m->t, &i)) != PREP_OK)
		return st;
	/*
	 * x/r and back are exact (powers of two); ties to even. When x/r
	 * overflows, x's own spacing is coarser than r: it is on the grid.
	 */
	q = ldexp(x, -k);
	if (isfinite(q))
		x = ldexp(nearbyint(q), k);
	y = x + (double)i * m->r;
	if (!isfinite(y))
		return PREP_ERR_RANGE;
	*out = y;
	return PREP_OK;
}

prep_status
prep_laplace_add_int(prep_laplace *m, prep_rng *g, int64_t x, int64_t *out)
{
	int64_t i;
	prep_status st;

	if ((st = discrete_laplace(g, m->s, m->t, &i)) != PREP_OK)
		return st;
	if ((i > 0 && x > INT64_MAX - i) || (i < 0 && x < INT64_MIN - i))
		return PREP_ERR_RANGE;
	*out = x + i;
	return PREP_OK;
}

double
prep_laplace_bound95(double b, int integer)
{
	double a, t;

	if (!integer)
		return b * log(20.0);
	a = exp(-1 / b);
	t = ceil(log(0.05 * (1 + a) / 2) / log(a) - 1);
	return t < 0 ? 0 : t;
}

prep_status
prep_laplace_report(FILE *f, const char *prefix, int integer, const char *on,
		    double epsilon, double b)
{
	if (fprintf(f,
		    "%s: laplace (%s) on %s: epsilon %g, scale b %g, 95%% "
		    "error bound %g\n",
		    prefix, integer ? "integer" : "real", on, epsilon, b,
		    prep_laplace_bound95(b, integer)) < 0)
		return PREP_ERR_IO;
	return PREP_OK;
}

prep_status
prep_bounds_parse(const char *s, prep_bounds *b)
{
	const char *colon = s[0] ? strchr(s + 1, ':') : NULL;
	size_t llen;
	prep_bounds v;
	int64_t span;

	if (colon == NULL)
		return PREP_ERR_ARG;
	llen = (size_t)(colon - s);
	if (prep_parse_number(s, llen, &v.lo) != PREP_OK ||
	    prep_parse_number(colon + 1, strlen(colon + 1), &v.hi) != PREP_OK ||
	    !isfinite(v.lo) || !isfinite(v.hi))
		return PREP_ERR_VALUE;
	if (!(v.lo < v.hi))
		return PREP_ERR_RANGE;
	v.ilo = v.ihi = 0;
	v.integer =
	    prep_parse_int64(s, llen, &v.ilo) == PREP_OK &&
	    prep_parse_int64(colon + 1, strlen(colon + 1), &v.ihi) == PREP_OK &&
	    !__builtin_sub_overflow(v.ihi, v.ilo, &span) && span > 0 &&
	    span < ((int64_t)1 << 53);
	*b = v;
	return PREP_OK;
}
