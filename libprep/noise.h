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

#include "prep.h"

typedef struct prep_rng prep_rng;

/* Cryptographically secure randomness from RAND_priv_bytes. */
prep_status prep_rng_new_secure(prep_rng **out);
/*
 * Reproducible randomness: AES-256-CTR keystream, key SHA-256("prep seed
 * v1" || seed as 8 bytes big-endian), counter from zero.
 */
prep_status prep_rng_new_seeded(uint64_t seed, prep_rng **out);
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

#endif
