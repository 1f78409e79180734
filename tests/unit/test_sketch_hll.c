/*
 * test_sketch_hll.c: unit tests of libprep/sketch_hll.c, the HyperLogLog
 * distinct count of the profile.
 *
 * Accuracy: the estimate of n distinct values is within 3 standard
 * errors (3 * 1.04 / sqrt(2^p), Flajolet et al. 2007, Theorem 1) of n for
 * n = 10^3 .. 10^7, hashes made by the splitmix64 finalizer of a counter
 * (a bijection, so the n hashes are distinct) and, up to 10^5, strings
 * through prep_hll_add. Each run is deterministic (fixed values), so each
 * assertion is one draw that a correct sketch passes with probability
 * 0.997; a negative control (half the values) must fail the same test.
 * Bias: the mean of 400 sketches at each of several n across the switch
 * from linear counting to Ertl's estimator (and far above it) is within 3
 * standard errors of the mean of n, and so is the mean of 4000 at p = 4. Small
 * counts are exact to within the collisions of linear counting. Merges,
 * duplicates, the JSON form (one known answer computed without libprep) and its
 * validation.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sketch_hll.h"

/* splitmix64's output function (Steele, Lea & Flood, OOPSLA 2014). */
static uint64_t
mix(uint64_t x)
{
	uint64_t z = x + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static prep_hll *
new_hll(unsigned p)
{
	prep_hll *h = NULL;
	prep_status st = prep_hll_new(p, &h);

	cr_assert_eq(st, PREP_OK, "new(%u): %s", p, prep_strerror(st));
	cr_assert_not_null(h);
	return h;
}

/* The hashes of counters from..to-1, salted so that runs differ. */
static void
add_range(prep_hll *h, uint64_t salt, uint64_t from, uint64_t to)
{
	uint64_t i;

	for (i = from; i < to; i++)
		prep_hll_add_hash(h, mix(i ^ salt << 40));
}

static void
add_strings(prep_hll *h, size_t from, size_t to)
{
	char buf[32];
	size_t i;

	for (i = from; i < to; i++) {
		int n = snprintf(buf, sizeof buf, "value-%zu", i);

		prep_hll_add(h, buf, (size_t)n);
	}
}

/* The document's compact text (freed by the caller). */
static char *
text_of(const prep_hll *h)
{
	json_t *j = prep_hll_to_json(h);
	char *s;

	cr_assert_not_null(j);
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	cr_assert_not_null(s);
	return s;
}

Test(sketch_hll, precision_range_and_standard_error)
{
	prep_hll *h = NULL;

	cr_assert_eq(prep_hll_new(3, &h), PREP_ERR_ARG);
	cr_assert_null(h);
	cr_assert_eq(prep_hll_new(19, &h), PREP_ERR_ARG);
	h = new_hll(4);
	cr_assert_eq(prep_hll_p(h), 4);
	cr_assert_float_eq(prep_hll_std_error(h), 0.26, 1e-15);
	prep_hll_free(h);
	h = new_hll(PREP_HLL_DEFAULT_P);
	cr_assert_eq(prep_hll_p(h), 14);
	cr_assert_float_eq(prep_hll_std_error(h), 1.04 / 128, 1e-15);
	prep_hll_free(h);
	h = new_hll(18);
	cr_assert_float_eq(prep_hll_std_error(h), 1.04 / 512, 1e-15);
	prep_hll_free(h);
	prep_hll_free(NULL);
}

/*
 * Linear counting, m ln(m / V): with n values in n distinct registers,
 * V = m - n and the estimate is n + n^2 / 2m + O(n^3 / m^2) (10.003 for
 * n = 10 at m = 16384); each pair sharing a register lowers it by about
 * 1, and the expected number of such pairs is n(n-1) / 2m: 0.003 at
 * n = 10, 0.30 at n = 100. So n <= 10 are within 0.01 and n = 100 within
 * 2 (three shared pairs, Poisson(0.3) probability 0.004).
 */
Test(sketch_hll, small_counts_are_close_to_exact)
{
	static const size_t ns[] = {1, 2, 10, 100};
	prep_hll *h = new_hll(14);
	size_t k;

	cr_assert_eq(prep_hll_estimate(h), 0.0);
	for (k = 0; k < sizeof ns / sizeof ns[0]; k++) {
		double e;

		prep_hll_free(h);
		h = new_hll(14);
		add_strings(h, 0, ns[k]);
		e = prep_hll_estimate(h);
		cr_assert(fabs(e - (double)ns[k]) <= (ns[k] <= 10 ? 0.01 : 2),
			  "n = %zu: estimate %.4f", ns[k], e);
		prep_hll_free(h);
		h = new_hll(14);
		add_range(h, 7, 0, ns[k]);
		e = prep_hll_estimate(h);
		cr_assert(fabs(e - (double)ns[k]) <= (ns[k] <= 10 ? 0.01 : 2),
			  "n = %zu hashes: estimate %.4f", ns[k], e);
	}
	prep_hll_free(h);
	/* the empty value counts once, as any value */
	h = new_hll(14);
	prep_hll_add(h, NULL, 0);
	prep_hll_add(h, "", 0);
	cr_assert(fabs(prep_hll_estimate(h) - 1) < 1e-3);
	prep_hll_free(h);
}

/* |estimate - n| <= 3 standard errors of n. */
static void
assert_within(const prep_hll *h, double n, const char *what)
{
	double e = prep_hll_estimate(h);
	double tol = 3 * prep_hll_std_error(h) * n;

	cr_assert(fabs(e - n) <= tol,
		  "%s, p = %u, n = %.0f: estimate %.1f, error %.4f%% > %.4f%%",
		  what, prep_hll_p(h), n, e, 100 * (e - n) / n, 100 * tol / n);
}

Test(sketch_hll, within_three_standard_errors_up_to_ten_million)
{
	static const uint64_t ns[] = {1000, 10000, 100000, 1000000, 10000000};
	size_t k;
	prep_hll *h;

	for (k = 0; k < sizeof ns / sizeof ns[0]; k++) {
		h = new_hll(14);
		add_range(h, 1, 0, ns[k]);
		assert_within(h, (double)ns[k], "hashes");
		prep_hll_free(h);
		if (ns[k] > 100000)
			continue;
		h = new_hll(14);
		add_strings(h, 0, ns[k]);
		assert_within(h, (double)ns[k], "strings");
		prep_hll_free(h);
	}
	/* other precisions, each in the range above its threshold */
	h = new_hll(4);
	add_range(h, 2, 0, 1000);
	assert_within(h, 1000, "hashes");
	prep_hll_free(h);
	h = new_hll(10);
	add_range(h, 3, 0, 100000);
	assert_within(h, 100000, "hashes");
	prep_hll_free(h);
	h = new_hll(18);
	add_range(h, 4, 0, 1000000);
	assert_within(h, 1000000, "hashes");
	prep_hll_free(h);
}

/*
 * Negative control: the test above would see a count off by a factor of
 * two. Half of 10^6 values estimated against 10^6 fails it, and so does
 * the whole against half.
 */
Test(sketch_hll, negative_control_half_the_values)
{
	prep_hll *h = new_hll(14);
	double tol = 3 * prep_hll_std_error(h) * 1e6;

	add_range(h, 1, 0, 500000);
	cr_assert_gt(fabs(prep_hll_estimate(h) - 1e6), tol);
	add_range(h, 1, 500000, 1000000);
	cr_assert_gt(fabs(prep_hll_estimate(h) - 5e5), 3 * 0.0081 * 5e5);
	prep_hll_free(h);
}

/*
 * The mean and standard deviation of the relative error of `runs`
 * sketches of precision p, each of n distinct hashes.
 */
static void
relative_errors(unsigned p, uint64_t n, size_t runs, double *mean, double *sd)
{
	double sum = 0, sum2 = 0;
	size_t r;

	for (r = 0; r < runs; r++) {
		prep_hll *h = new_hll(p);
		double e;

		add_range(h, 1000 + r, 0, n);
		e = prep_hll_estimate(h) / (double)n - 1;
		sum += e;
		sum2 += e * e;
		prep_hll_free(h);
	}
	*mean = sum / (double)runs;
	*sd = sqrt((sum2 - sum * *mean) / (double)(runs - 1));
}

/*
 * Bias across the range: R = 400 independent sketches (p = 8, m = 256,
 * standard error 6.5%) at each n, from below Heule's linear-counting
 * threshold (220) through the switch to Ertl's estimator, to 20m. The
 * mean relative error must be within 3 of its own standard errors (the
 * sample standard deviation / sqrt(R)) of 0: a bias such as the raw
 * estimate's (tens of percent of n near n = m, Heule et al. figure 2) or a
 * jump at the switch would fail it. The spread must be at most 1.15 times
 * 1.04 / sqrt(m) (below it in the small range, where the registers at 0
 * tell more), and at 20m at least 0.85 times.
 *
 * Measured (R = 400): mean errors +0.1% .. -0.2%, standard deviations
 * 4.4% at n = 100 rising to 6.4% at 5120.
 */
Test(sketch_hll, unbiased_across_the_switch)
{
	static const uint64_t ns[] = {100, 200, 221, 260, 400, 640, 1280, 5120};
	const size_t runs = 400;
	const double se = 1.04 / 16;
	size_t k;

	for (k = 0; k < sizeof ns / sizeof ns[0]; k++) {
		double mean, sd;

		relative_errors(8, ns[k], runs, &mean, &sd);
		cr_assert(fabs(mean) <= 3 * sd / sqrt((double)runs),
			  "n = %llu: mean relative error %.4f, sd %.4f",
			  (unsigned long long)ns[k], mean, sd);
		cr_assert(sd <= 1.15 * se, "n = %llu: sd %.4f > 1.15 * %.4f",
			  (unsigned long long)ns[k], sd, se);
		if (ns[k] >= 20 * 256)
			cr_assert(sd >= 0.85 * se, "n = %llu: sd %.4f",
				  (unsigned long long)ns[k], sd);
	}
}

/*
 * At p = 4 (m = 16, standard error 26%) and n = 100m, 4000 sketches: the
 * mean is within 3 standard errors of the mean (about 3 * 0.28 / 63 =
 * 1.3%) of n. With Ertl's alpha_inf = 1 / (2 ln 2) in place of
 * Flajolet's alpha_16 = 0.673 it would be 7% high (0.7213 / 0.673).
 */
Test(sketch_hll, no_bias_at_the_smallest_precision)
{
	const size_t runs = 4000;
	double mean, sd;

	relative_errors(4, 1600, runs, &mean, &sd);
	cr_assert(fabs(mean) <= 3 * sd / sqrt((double)runs),
		  "mean relative error %.4f, sd %.4f", mean, sd);
	cr_assert_gt(0.7213 / 0.673 - 1, 3 * sd / sqrt((double)runs));
}

Test(sketch_hll, duplicates_do_not_count)
{
	prep_hll *once = new_hll(12), *many = new_hll(12);
	char *a, *b;
	int rep;

	add_strings(once, 0, 20000);
	for (rep = 0; rep < 5; rep++)
		add_strings(many, 0, 20000);
	add_strings(many, 0, 1);
	a = text_of(once);
	b = text_of(many);
	cr_assert_str_eq(a, b);
	cr_assert_eq(prep_hll_estimate(once), prep_hll_estimate(many));
	free(a);
	free(b);
	prep_hll_free(once);
	prep_hll_free(many);
}

/* Merging the sketches of two overlapping parts gives the union's. */
Test(sketch_hll, merge_is_the_sketch_of_the_union)
{
	prep_hll *a = new_hll(14), *b = new_hll(14), *u = new_hll(14);
	prep_hll *b2 = new_hll(14), *other = new_hll(13);
	char *ta, *tb, *tu;

	add_range(a, 5, 0, 60000);
	add_strings(a, 0, 3000);
	add_range(b, 5, 40000, 100000);
	add_range(b2, 5, 40000, 100000);
	add_strings(b2, 0, 3000);
	add_range(u, 5, 0, 100000);
	add_strings(u, 0, 3000);
	cr_assert_eq(prep_hll_merge(b, a), PREP_OK);
	cr_assert_eq(prep_hll_merge(b2, b), PREP_OK); /* b2 already has a's */
	cr_assert_eq(prep_hll_merge(a, b), PREP_OK);
	ta = text_of(a);
	tb = text_of(b);
	tu = text_of(u);
	cr_assert_str_eq(ta, tu);
	cr_assert_str_eq(tb, tu);
	free(tb);
	tb = text_of(b2);
	cr_assert_str_eq(tb, tu);
	assert_within(a, 103000, "merged");
	/* merging with itself changes nothing */
	cr_assert_eq(prep_hll_merge(a, a), PREP_OK);
	free(ta);
	ta = text_of(a);
	cr_assert_str_eq(ta, tu);
	cr_assert_eq(prep_hll_merge(a, other), PREP_ERR_ARG);
	cr_assert_eq(prep_hll_merge(other, a), PREP_ERR_ARG);
	free(ta);
	free(tb);
	free(tu);
	prep_hll_free(a);
	prep_hll_free(b);
	prep_hll_free(b2);
	prep_hll_free(u);
	prep_hll_free(other);
}

/*
 * Known answer, computed without libprep by the SipHash of
 * tests/unit/kat/gen_siphash.py:
 *
 * /usr/bin/python3 - <<'EOF'
 * import base64, importlib.util
 * s = importlib.util.spec_from_file_location("g",
 * "tests/unit/kat/gen_siphash.py") g = importlib.util.module_from_spec(s);
 * s.loader.exec_module(g) p = 4; reg = [0] * (1 << p) for ch in
 * "abcdefghijklmnopqrstuvwxyz": h = g.siphash(1, 3, b"prep-hll-sketch1",
 * ch.encode()) i = h >> (64 - p); w = (h << p) & ((1 << 64) - 1) r = 65 - p if
 * w == 0 else 64 - w.bit_length() + 1 reg[i] = max(reg[i], r) print(reg,
 * base64.b64encode(bytes(reg)).decode()) EOF
 *
 * [0, 3, 3, 2, 3, 1, 3, 4, 2, 0, 3, 3, 2, 2, 2, 5] AAMDAgMBAwQCAAMDAgICBQ==
 */
Test(sketch_hll, json_known_answer)
{
	prep_hll *h = new_hll(4);
	char c[2] = "a", *t;

	for (c[0] = 'a'; c[0] <= 'z'; c[0]++)
		prep_hll_add(h, c, 1);
	t = text_of(h);
	cr_assert_str_eq(
	    t, "{\"p\":4,\"registers\":\"AAMDAgMBAwQCAAMDAgICBQ==\"}");
	free(t);
	prep_hll_free(h);
}

/* from_json(to_json(x)) has the same JSON and the same estimate. */
static void
round_trip(const prep_hll *h)
{
	json_t *j = prep_hll_to_json(h), *j2;
	prep_hll *back = NULL;
	const char *why = "unset";
	prep_status st;

	cr_assert_not_null(j);
	st = prep_hll_from_json(j, &back, &why);
	cr_assert_eq(st, PREP_OK, "from_json: %s (%s)", prep_strerror(st),
		     why ? why : "-");
	cr_assert_null(why);
	j2 = prep_hll_to_json(back);
	cr_assert(json_equal(j, j2));
	cr_assert_eq(prep_hll_estimate(back), prep_hll_estimate(h));
	json_decref(j);
	json_decref(j2);
	prep_hll_free(back);
}

Test(sketch_hll, json_round_trip)
{
	unsigned p;

	for (p = 4; p <= 18; p++) {
		prep_hll *h = new_hll(p);

		round_trip(h); /* empty */
		add_range(h, p, 0, (uint64_t)1 << (p + 2));
		/* the top rank 65 - p: a hash whose last 64 - p bits are 0 */
		prep_hll_add_hash(h, 0);
		round_trip(h);
		prep_hll_free(h);
	}
}

/* from_json of text must fail with PREP_ERR_VALUE and a reason. */
static void
rejects(const char *text)
{
	json_error_t err;
	json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
	prep_hll *h = (prep_hll *)1;
	const char *why = NULL;

	cr_assert_not_null(j, "bad test JSON %s: %s", text, err.text);
	cr_assert_eq(prep_hll_from_json(j, &h, &why), PREP_ERR_VALUE,
		     "accepted %s", text);
	cr_assert_null(h);
	cr_assert_not_null(why);
	json_decref(j);
}

static void
accepts(const char *text)
{
	json_error_t err;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &err);
	prep_hll *h = NULL;
	const char *why = NULL;

	cr_assert_not_null(j, "bad test JSON %s: %s", text, err.text);
	cr_assert_eq(prep_hll_from_json(j, &h, &why), PREP_OK, "%s: %s", text,
		     why);
	prep_hll_free(h);
	json_decref(j);
}

Test(sketch_hll, from_json_rejects_corruption)
{
	/* p = 4: 16 bytes, 24 characters; "PT09..." sets register 0 to 61 */
	accepts("{\"p\":4,\"registers\":\"AAAAAAAAAAAAAAAAAAAAAA==\"}");
	accepts("{\"registers\":\"AAMDAgMBAwQCAAMDAgICBQ==\",\"p\":4}");
	/* 61 = 0x3d, the largest rank at p = 4 */
	accepts("{\"p\":4,\"registers\":\"PQAAAAAAAAAAAAAAAAAAAA==\"}");
	/* 62 = 0x3e */
	rejects("{\"p\":4,\"registers\":\"PgAAAAAAAAAAAAAAAAAAAA==\"}");
	/* 255 in the last register */
	rejects("{\"p\":4,\"registers\":\"AAAAAAAAAAAAAAAAAAAA/w==\"}");
	rejects("[]");
	rejects("4");
	rejects("{}");
	rejects("{\"p\":4}");
	rejects("{\"registers\":\"AAAAAAAAAAAAAAAAAAAAAA==\"}");
	rejects("{\"p\":3,\"registers\":\"AAAAAAAAAAA=\"}");
	rejects("{\"p\":19,\"registers\":\"\"}");
	rejects("{\"p\":-1,\"registers\":\"\"}");
	rejects("{\"p\":4.0,\"registers\":\"AAAAAAAAAAAAAAAAAAAAAA==\"}");
	rejects("{\"p\":\"4\",\"registers\":\"AAAAAAAAAAAAAAAAAAAAAA==\"}");
	rejects("{\"p\":null,\"registers\":\"AAAAAAAAAAAAAAAAAAAAAA==\"}");
	rejects("{\"p\":4,\"registers\":null}");
	rejects("{\"p\":4,\"registers\":[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]}");
	/* wrong lengths: 15 and 17 bytes, a p = 5 block, no padding */
	rejects("{\"p\":4,\"registers\":\"AAAAAAAAAAAAAAAAAAAA\"}");
	rejects("{\"p\":4,\"registers\":\"AAAAAAAAAAAAAAAAAAAAAAA=\"}");
	rejects("{\"p\":4,\"registers\":\"AAAAAAAAAAAAAAAAAAAAAAAA\"}");
	rejects("{\"p\":4,\"registers\":\"AAAAAAAAAAAAAAAAAAAAAA\"}");
	rejects(
	    "{\"p\":4,\"registers\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}");
	/* bad base64: a character outside the alphabet, base64url, '=' inside,
	 * bits after the last byte (canonical is "AA=="), spaces */
	rejects("{\"p\":4,\"registers\":\"AAAAAAAAAAAAAAAAAAAA*A==\"}");
	rejects("{\"p\":4,\"registers\":\"AAAAAAAAAAAAAAAAAAAA_w==\"}");
	rejects("{\"p\":4,\"registers\":\"AA==AAAAAAAAAAAAAAAAAA==\"}");
	rejects("{\"p\":4,\"registers\":\"AAAAAAAAAAAAAAAAAAAAAB==\"}");
	rejects("{\"p\":4,\"registers\":\"AAAAAAAAAAAAAAAAAAAAA===\"}");
	rejects("{\"p\":4,\"registers\":\"AAAAAAAAAAAAAAAAAAAAAA=A\"}");
	rejects("{\"p\":4,\"registers\":\"AAAAAAAAAA AAAAAAAAAAA==\"}");
	rejects("{\"p\":4,\"registers\":\"AAAAAAAAAAAAAAAAAAAAA\\u0000==\"}");
	/* an unknown key */
	rejects("{\"p\":4,\"registers\":\"AAAAAAAAAAAAAAAAAAAAAA==\",\"x\":1}");
}

/* Every register at 61 (0x3d, "PT09" = 3d 3d 3d): saturated, 2^64. */
Test(sketch_hll, saturated_sketch_is_finite)
{
	json_t *j = json_pack("{s:i,s:s}", "p", 4, "registers",
			      "PT09PT09PT09PT09PT09PQ==");
	prep_hll *h = NULL;

	cr_assert_eq(prep_hll_from_json(j, &h, NULL), PREP_OK);
	cr_assert_eq(prep_hll_estimate(h), 0x1p64);
	json_decref(j);
	prep_hll_free(h);
}

Test(sketch_hll, from_json_why_may_be_null)
{
	json_t *j = json_string("x");
	prep_hll *h = NULL;

	cr_assert_eq(prep_hll_from_json(j, &h, NULL), PREP_ERR_VALUE);
	cr_assert_null(h);
	json_decref(j);
}
