/*
 * Unit tests of libprep/noise.c's parameter checks and edge cases; the
 * distributions themselves are tested in tests/stat/stat_noise.c.
 */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <endian.h>
#include <openssl/evp.h>

#include "noise.h"

Test(noise, parameters_refused)
{
	prep_laplace *m = NULL;

	cr_assert_eq(prep_laplace_new_real(0, 1, &m), PREP_ERR_ARG);
	cr_assert_eq(prep_laplace_new_real(-1, 1, &m), PREP_ERR_ARG);
	cr_assert_eq(prep_laplace_new_real(1, 0, &m), PREP_ERR_ARG);
	cr_assert_eq(prep_laplace_new_real(NAN, 1, &m), PREP_ERR_ARG);
	cr_assert_eq(prep_laplace_new_real(1, INFINITY, &m), PREP_ERR_ARG);
	cr_assert_eq(prep_laplace_new_real(0x1p-41, 1, &m), PREP_ERR_ARG);
	cr_assert_eq(prep_laplace_new_real(0x1p21, 1, &m), PREP_ERR_ARG);
	/* r would underflow to 0: no noise at all */
	cr_assert_eq(prep_laplace_new_real(1, 1e-320, &m), PREP_ERR_ARG);
	/* an infinite scale */
	cr_assert_eq(prep_laplace_new_real(1e-6, 1e308, &m), PREP_ERR_ARG);
	cr_assert_eq(prep_laplace_new_int(1, 2.5, &m), PREP_ERR_ARG);
	cr_assert_null(m);
}

Test(noise, granularity_and_scale)
{
	prep_laplace *m;

	/* (250000/1)/2^40 = 2^-22.07...: r = 2^-22 */
	cr_assert_eq(prep_laplace_new_real(1, 250000, &m), PREP_OK);
	cr_assert_eq(prep_laplace_granularity(m), 0x1p-22);
	cr_assert_eq(prep_laplace_scale(m), (250000 + 0x1p-22) / 1);
	prep_laplace_free(m);
	/* exactly a power of two: (2^40 / 1) / 2^40 = 1 = r */
	cr_assert_eq(prep_laplace_new_real(1, 0x1p40, &m), PREP_OK);
	cr_assert_eq(prep_laplace_granularity(m), 1);
	prep_laplace_free(m);
	cr_assert_eq(prep_laplace_new_int(0.5, 3, &m), PREP_OK);
	cr_assert_eq(prep_laplace_granularity(m), 1);
	cr_assert_eq(prep_laplace_scale(m), 6);
	prep_laplace_free(m);
}

Test(noise, huge_values_stay_finite_or_fail)
{
	prep_laplace *m;
	prep_rng *g;
	double out;
	int k;

	cr_assert_eq(prep_rng_new_seeded(1, &g), PREP_OK);
	cr_assert_eq(prep_laplace_new_real(1, 1, &m), PREP_OK);
	/* x/r overflows: x is already on the grid */
	cr_assert_eq(prep_laplace_add_real(m, g, 1e308, &out), PREP_OK);
	cr_assert(isfinite(out));
	cr_assert_eq(out, 1e308); /* noise far below 1e308's spacing */
	for (k = 0; k < 50; k++) {
		prep_status st = prep_laplace_add_real(m, g, DBL_MAX, &out);

		cr_assert(st == PREP_OK || st == PREP_ERR_RANGE);
		if (st == PREP_OK)
			cr_assert(isfinite(out));
	}
	cr_assert_eq(prep_laplace_add_real(m, g, INFINITY, &out),
		     PREP_ERR_VALUE);
	prep_laplace_free(m);
	prep_rng_free(g);
}

Test(noise, integer_overflow_is_an_error)
{
	prep_laplace *m;
	prep_rng *g;
	int64_t out;
	int k, ranged = 0, ok = 0;

	cr_assert_eq(prep_rng_new_seeded(2, &g), PREP_OK);
	cr_assert_eq(prep_laplace_new_int(1, 1000, &m), PREP_OK);
	for (k = 0; k < 100; k++) {
		prep_status st = prep_laplace_add_int(m, g, INT64_MAX, &out);

		if (st == PREP_ERR_RANGE)
			ranged++;
		else if (st == PREP_OK && out <= INT64_MAX)
			ok++;
	}
	/* positive noise overflows, the rest fits: both happen */
	cr_assert_gt(ranged, 10);
	cr_assert_gt(ok, 10);
	cr_assert_eq(ranged + ok, 100);
	prep_laplace_free(m);
	prep_rng_free(g);
}

Test(noise, uniform_zero_refused)
{
	prep_rng *g;
	uint64_t v;

	cr_assert_eq(prep_rng_new_seeded(3, &g), PREP_OK);
	cr_assert_eq(prep_rng_uniform(g, 0, &v), PREP_ERR_ARG);
	cr_assert_eq(prep_rng_uniform(g, 1, &v), PREP_OK);
	cr_assert_eq(v, 0);
	prep_rng_free(g);
}

/*
 * The 95% bounds by hand. Real: b ln 20. Integer: the smallest whole t
 * with 2 a^(t+1) / (1 + a) <= 0.05, a = exp(-1/b). b = 1: a = 0.36788,
 * t = 2 gives 2 e^-3 / 1.36788 = 0.0728, t = 3 gives 0.0268: 3. b = 20:
 * a^(t+1) <= 0.025 (1 + e^-0.05) = 0.048781, t + 1 >= 20 ln(1/0.048781)
 * = 60.41: 60 (b ln 20 = 59.9). b = 0.01: the draw is 0 but with
 * probability 2 e^-100: 0.
 */
Test(noise, bound95)
{
	cr_assert_eq(prep_laplace_bound95(1, 0), log(20.0));
	cr_assert_eq(prep_laplace_bound95(2.5, 0), 2.5 * log(20.0));
	cr_assert_eq(prep_laplace_bound95(1, 1), 3);
	cr_assert_eq(prep_laplace_bound95(20, 1), 60);
	cr_assert_eq(prep_laplace_bound95(0.01, 1), 0);
}

Test(noise, bounds_parse)
{
	prep_bounds b;

	cr_assert_eq(prep_bounds_parse("0:10", &b), PREP_OK);
	cr_assert_eq(b.lo, 0);
	cr_assert_eq(b.hi, 10);
	cr_assert(b.integer);
	cr_assert_eq(b.ilo, 0);
	cr_assert_eq(b.ihi, 10);

	cr_assert_eq(prep_bounds_parse("-5:-1", &b), PREP_OK);
	cr_assert(b.integer);
	cr_assert_eq(b.ilo, -5);
	cr_assert_eq(b.ihi, -1);
	cr_assert_eq(b.lo, -5);

	cr_assert_eq(prep_bounds_parse("-1.5:1.5", &b), PREP_OK);
	cr_assert_eq(b.lo, -1.5);
	cr_assert_eq(b.hi, 1.5);
	cr_assert_not(b.integer);

	/* whole values written with an exponent are not integer bounds */
	cr_assert_eq(prep_bounds_parse("1e3:2e3", &b), PREP_OK);
	cr_assert_eq(b.lo, 1000);
	cr_assert_eq(b.hi, 2000);
	cr_assert_not(b.integer);

	/* the span must be below 2^53 for the integer mechanism */
	cr_assert_eq(prep_bounds_parse("0:9007199254740991", &b), PREP_OK);
	cr_assert(b.integer);
	cr_assert_eq(prep_bounds_parse("0:9007199254740992", &b), PREP_OK);
	cr_assert_not(b.integer);
	cr_assert_eq(
	    prep_bounds_parse("-9223372036854775808:9223372036854775807", &b),
	    PREP_OK);
	cr_assert_not(b.integer);

	cr_assert_eq(prep_bounds_parse("10", &b), PREP_ERR_ARG);
	cr_assert_eq(prep_bounds_parse("", &b), PREP_ERR_ARG);
	cr_assert_eq(prep_bounds_parse(":1", &b), PREP_ERR_ARG);
	cr_assert_eq(prep_bounds_parse("a:b", &b), PREP_ERR_VALUE);
	cr_assert_eq(prep_bounds_parse("0:", &b), PREP_ERR_VALUE);
	cr_assert_eq(prep_bounds_parse("1e400:2", &b), PREP_ERR_VALUE);
	cr_assert_eq(prep_bounds_parse("0:1:2", &b), PREP_ERR_VALUE);
	cr_assert_eq(prep_bounds_parse("5:1", &b), PREP_ERR_RANGE);
	cr_assert_eq(prep_bounds_parse("1:1", &b), PREP_ERR_RANGE);
}

/* The summary line; the first is dpnoise(1)'s own example. */
Test(noise, report_line)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cr_assert_not_null(f);
	cr_assert_eq(prep_laplace_report(f, "dpnoise", 1, "income", 1, 250000),
		     PREP_OK);
	/* 3 ln 20 = 8.98720 */
	cr_assert_eq(prep_laplace_report(f, "x", 0, "v", 0.5, 3), PREP_OK);
	cr_assert_eq(fclose(f), 0);
	cr_assert_str_eq(text, "dpnoise: laplace (integer) on income: "
			       "epsilon 1, scale b 250000, 95% error bound "
			       "748933\n"
			       "x: laplace (real) on v: epsilon 0.5, scale b "
			       "3, 95% error bound 8.9872\n");
	free(text);
}

/*
 * prep_rng_seek: stream s of seed 7 is AES-256-CTR of zero bytes under
 * SHA-256("prep seed v1" || 7 as 8 bytes big-endian), counter from
 * s * 2^64 (computed here with OpenSSL's EVP alone), read as little-endian
 * 64-bit words; stream 0 is the generator as made, and a seek drops any
 * bytes or bits left over.
 */
Test(noise, seek_streams)
{
	static const unsigned char label[] = "prep seed v1";
	static const unsigned char zeros[256];
	unsigned char msg[sizeof label - 1 + 8] = {0}, key[32], iv[16] = {0};
	unsigned char ks[256];
	unsigned int klen;
	uint64_t streams[] = {0, 1, 2, 0xfffffffffULL}, v, w;
	prep_rng *g, *fresh;
	EVP_CIPHER_CTX *c;
	size_t s, k;
	int n, i;

	memcpy(msg, label, sizeof label - 1);
	msg[sizeof msg - 1] = 7;
	cr_assert_eq(
	    EVP_Digest(msg, sizeof msg, key, &klen, EVP_sha256(), NULL), 1);
	cr_assert_eq(prep_rng_new_seeded(7, &g), PREP_OK);
	cr_assert_eq(prep_rng_new_seeded(7, &fresh), PREP_OK);
	for (k = 0; k < 601; k++) /* into a later buffer, mid-way */
		cr_assert_eq(prep_rng_u64(g, &v), PREP_OK);
	for (s = 0; s < sizeof streams / sizeof *streams; s++) {
		for (i = 0; i < 8; i++)
			iv[i] = (unsigned char)(streams[s] >> (56 - 8 * i));
		c = EVP_CIPHER_CTX_new();
		cr_assert_not_null(c);
		cr_assert_eq(
		    EVP_EncryptInit_ex(c, EVP_aes_256_ctr(), NULL, key, iv), 1);
		cr_assert_eq(EVP_EncryptUpdate(c, ks, &n, zeros, sizeof ks), 1);
		EVP_CIPHER_CTX_free(c);
		cr_assert_eq(prep_rng_seek(g, streams[s]), PREP_OK);
		for (k = 0; k < sizeof ks / 8; k++) {
			cr_assert_eq(prep_rng_u64(g, &v), PREP_OK);
			memcpy(&w, ks + 8 * k, 8);
			cr_assert_eq(v, le64toh(w), "stream %zu word %zu", s,
				     k);
			if (s > 0)
				continue;
			/* stream 0: the generator as made */
			cr_assert_eq(prep_rng_u64(fresh, &v), PREP_OK);
			cr_assert_eq(v, le64toh(w), "fresh, word %zu", k);
		}
	}
	prep_rng_free(g);
	prep_rng_free(fresh);
	cr_assert_eq(prep_rng_new_secure(&g), PREP_OK);
	cr_assert_eq(prep_rng_seek(g, 1), PREP_ERR_ARG);
	prep_rng_free(g);
}
