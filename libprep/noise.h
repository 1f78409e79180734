/*
 * noise.h: randomness and the Laplace mechanism, safe against the
 * floating-point attacks on textbook samplers (Mironov, "On Significance
 * of the Least Significant Bits for Differential Privacy", CCS 2012).
 *
 * No noise here comes from log() of a uniform double. Following Google's
 * "Secure Noise Generation" (differential-privacy, common_docs), a real
 * value is rounded to a multiple of a power-of-two granularity r and moved
 * by i*r, where i is a two-sided geometric variable, P(i) proportional to
 * exp(-|i| * lambda), drawn exactly from random bits with the discrete
 * Laplace sampler of Canonne, Kamath and Steinke ("The Discrete Gaussian
 * for Differential Privacy", NeurIPS 2020, Algorithms 1 and 2) in exact
 * integer arithmetic. lambda is a ratio of integers read off the bits of
 * the doubles epsilon and delta.
 *
 * Randomness comes from OpenSSL's RAND_priv_bytes, buffered; a seeded
 * generator (an AES-256-CTR keystream under a key derived from the seed)
 * makes runs reproducible for tests, and is not private.
 */
#ifndef PREP_NOISE_H
#define PREP_NOISE_H

#include <stdint.h>
#include <stdio.h>

#include "prep.h"

typedef struct prep_rng prep_rng;

/* Cryptographically secure randomness from RAND_priv_bytes. */
prep_status prep_rng_new_secure(prep_rng **out);
/*
 * Reproducible randomness: AES-256-CTR keystream, key SHA-256("prep seed
 * v1" || seed as 8 bytes big-endian), counter from zero.
 */
prep_status prep_rng_new_seeded(uint64_t seed, prep_rng **out);
/*
 * A seeded generator goes on with stream number stream of its seed: the
 * keystream from the counter stream * 2^64 (IV: stream as 8 bytes
 * big-endian, then 8 zero bytes), with no bit left over from before.
 * Stream 0 is the generator as made. Streams do not overlap before 2^64
 * blocks (2^68 bytes) of one. dpnoise draws each record's noise from the
 * stream of its line number under --part, so that a record's noise does
 * not depend on the records before it. PREP_ERR_ARG for a generator that
 * is not seeded.
 */
prep_status prep_rng_seek(prep_rng *g, uint64_t stream);
void prep_rng_free(prep_rng *g);
/* 64 uniform random bits. */
prep_status prep_rng_u64(prep_rng *g, uint64_t *v);
/* Uniform in [0, n), n > 0, by rejection (no modulo bias). */
prep_status prep_rng_uniform(prep_rng *g, uint64_t n, uint64_t *v);

typedef struct prep_laplace prep_laplace;

/*
 * Integer mechanism: P(i) proportional to exp(-|i| * epsilon / delta);
 * delta (the sensitivity) must be a positive whole number.
 */
prep_status prep_laplace_new_int(double epsilon, double delta,
				 prep_laplace **out);
/*
 * Real mechanism: r = the smallest power of two >= (delta/epsilon) / 2^40,
 * P(i) proportional to exp(-|i| * r * epsilon / (delta + r)).
 * PREP_ERR_ARG unless 0 < epsilon and 0 < delta, both finite, and
 * 2^-40 <= epsilon <= 2^20 (outside that, lambda would not be an exact
 * ratio of 128-bit integers).
 */
prep_status prep_laplace_new_real(double epsilon, double delta,
				  prep_laplace **out);
void prep_laplace_free(prep_laplace *m);

/* r (1 for the integer mechanism). */
double prep_laplace_granularity(const prep_laplace *m);
/*
 * The noise's Laplace scale b, for reports: delta/epsilon for integers,
 * (delta + r)/epsilon for reals (the geometric's 1/lambda steps of r).
 */
double prep_laplace_scale(const prep_laplace *m);

/* One two-sided geometric draw i. */
prep_status prep_laplace_sample(prep_laplace *m, prep_rng *g, int64_t *i);
/* x rounded to the nearest multiple of r, plus i*r. */
prep_status prep_laplace_add_real(prep_laplace *m, prep_rng *g, double x,
				  double *out);
/* x + i; PREP_ERR_RANGE when the sum leaves int64. */
prep_status prep_laplace_add_int(prep_laplace *m, prep_rng *g, int64_t x,
				 int64_t *out);

/*
 * The 95% error bound of a mechanism of Laplace scale b, for summaries:
 * the t with P(|noise| > t) = 0.05. For the (continuous) Laplace, b ln 20;
 * for the integer mechanism (integer non-zero), the smallest whole t with
 * P(|noise| > t) = 2 a^(t+1) / (1 + a) <= 0.05, a = exp(-1/b), which is
 * up to one unit above b ln 20 for small b.
 */
double prep_laplace_bound95(double b, int integer);

/*
 * A mechanism's line of a summary (dpnoise(1), "Summary") to f:
 * "PREFIX: laplace (integer|real) on ON: epsilon E, scale b B, 95% error
 * bound T\n", T = prep_laplace_bound95(b, integer), the numbers as "%g"
 * (6 significant digits). prefix names the tool, as its messages do.
 * PREP_ERR_IO when writing to f fails.
 */
prep_status prep_laplace_report(FILE *f, const char *prefix, int integer,
				const char *on, double epsilon, double b);

/*
 * The bounds LO:HI of the values given to a mechanism (dpnoise --bounds):
 * each value is clamped to [lo, hi], so that one moves by at most hi - lo,
 * the sensitivity.
 */
typedef struct prep_bounds {
	double lo, hi;
	int64_t ilo, ihi; /* lo and hi, when integer */
	int integer;	  /* LO and HI are whole numbers (prep_parse_int64's
			     syntax) and 0 < HI - LO < 2^53 */
} prep_bounds;

/*
 * Parse "LO:HI", two numbers of prep_parse_number's syntax split at the
 * first ':' after the first byte. PREP_ERR_ARG: no such ':';
 * PREP_ERR_VALUE: LO or HI is not a finite number; PREP_ERR_RANGE: not
 * LO < HI. *b is filled only on PREP_OK.
 */
prep_status prep_bounds_parse(const char *s, prep_bounds *b);

#endif
