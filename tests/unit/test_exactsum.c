/*
 * test_exactsum.c: unit tests of libprep/exactsum.c, exact sums of
 * non-negative doubles rounded once.
 *
 * The vectors below were made with Python's fractions.Fraction, which
 * adds the terms exactly, and float() of the result, which rounds to
 * nearest, ties to even: the expected value, and the sum's text (M 2^E,
 * M odd) worked out from the same fraction. Each vector is added in its
 * order, backwards, and as the sum of two partial sums, and must give
 * that value and that text every time; the text reads back to the same
 * sum. Then the refusals: bad terms, every way a text can be out of
 * form, sums past the limbs, and the memory budget.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "exactsum.h"
#include "memcap.h"

struct vec {
	const double *x;
	size_t n;
	double value;
	const char *json;
};

/* 0.1, 0.2, 0.3, 1, 2.5 and 0.001, fifty of them */
static const double c0[] = {
    0x1.999999999999ap-3,  0x1.999999999999ap-4, 0x1.0624dd2f1a9fcp-10,
    0x1.0000000000000p+0,  0x1.3333333333333p-2, 0x1.999999999999ap-3,
    0x1.999999999999ap-3,  0x1.0000000000000p+0, 0x1.0624dd2f1a9fcp-10,
    0x1.0000000000000p+0,  0x1.999999999999ap-3, 0x1.0000000000000p+0,
    0x1.3333333333333p-2,  0x1.0000000000000p+0, 0x1.3333333333333p-2,
    0x1.999999999999ap-3,  0x1.3333333333333p-2, 0x1.0624dd2f1a9fcp-10,
    0x1.999999999999ap-4,  0x1.3333333333333p-2, 0x1.4000000000000p+1,
    0x1.0624dd2f1a9fcp-10, 0x1.999999999999ap-3, 0x1.999999999999ap-3,
    0x1.999999999999ap-3,  0x1.999999999999ap-3, 0x1.999999999999ap-3,
    0x1.0624dd2f1a9fcp-10, 0x1.3333333333333p-2, 0x1.4000000000000p+1,
    0x1.4000000000000p+1,  0x1.999999999999ap-3, 0x1.0624dd2f1a9fcp-10,
    0x1.0000000000000p+0,  0x1.999999999999ap-3, 0x1.0624dd2f1a9fcp-10,
    0x1.3333333333333p-2,  0x1.3333333333333p-2, 0x1.999999999999ap-4,
    0x1.3333333333333p-2,  0x1.0000000000000p+0, 0x1.999999999999ap-3,
    0x1.0624dd2f1a9fcp-10, 0x1.0000000000000p+0, 0x1.4000000000000p+1,
    0x1.3333333333333p-2,  0x1.4000000000000p+1, 0x1.4000000000000p+1,
    0x1.4000000000000p+1,  0x1.3333333333333p-2};
/* a hundred uniform in [0, 1) */
static const double c1[] = {
    0x1.a6abba9140b7cp-1, 0x1.332a0b6d5bd26p-1, 0x1.367723c6a3050p-2,
    0x1.d65832900a108p-4, 0x1.e8dcd5c8b0c8ap-2, 0x1.d88d58a00c65fp-1,
    0x1.295fd27efc060p-3, 0x1.5e2c9772d2530p-1, 0x1.43211b32c528bp-1,
    0x1.4837193099f08p-3, 0x1.a79a8ea5b20f8p-3, 0x1.5f5ba7f39fe8dp-1,
    0x1.bf79a190d0ad2p-2, 0x1.a0c70bc1b9b70p-2, 0x1.ebde774970528p-2,
    0x1.9e9ae1d31a590p-4, 0x1.68c151cce114bp-1, 0x1.2d4015109a24ep-1,
    0x1.1184423605100p-1, 0x1.5bc949e535a86p-2, 0x1.9f8835354f7c2p-1,
    0x1.a5decf6a10294p-1, 0x1.16f844de098abp-1, 0x1.6b40cefbbcba8p-4,
    0x1.2eec687a41534p-3, 0x1.37aebb7d4fdf0p-3, 0x1.42f0367fc7468p-4,
    0x1.4bef21c5ed5f6p-1, 0x1.16436a568e3fdp-1, 0x1.a1849beeb5becp-3,
    0x1.d21a4ff226ad5p-1, 0x1.427358992c1e7p-1, 0x1.959689650b975p-1,
    0x1.a2d68d6217383p-1, 0x1.5cf14db0868bbp-1, 0x1.0db5b3406763fp-1,
    0x1.f82f03ff51a72p-1, 0x1.102d18c5e45a0p-3, 0x1.60e885f63cc3ep-1,
    0x1.c4bb0fc59401bp-1, 0x1.e9def6b339be6p-2, 0x1.a2674659e75cdp-1,
    0x1.736bb762a5f50p-3, 0x1.aa3a47108b288p-2, 0x1.15625a5a8d014p-2,
    0x1.967aa7570840cp-2, 0x1.675c2d9714278p-1, 0x1.25f30855e9320p-3,
    0x1.5a970bdd786b0p-2, 0x1.b12f87e71f757p-1, 0x1.34a581f4cda22p-2,
    0x1.0229e76f146f8p-3, 0x1.fd1c9e2cb847fp-1, 0x1.1513b0f744baap-1,
    0x1.28fd573064ce0p-6, 0x1.2480df1b1c58dp-1, 0x1.2b12cdc4bb8a0p-3,
    0x1.4d67869d8aba0p-3, 0x1.7a3f60f3ac8b7p-1, 0x1.4deb52f9049a5p-1,
    0x1.b49f4500bb10ap-2, 0x1.0761dee399a56p-1, 0x1.1e08bfb4f49b8p-1,
    0x1.d5f08b4635a02p-2, 0x1.9e8b60047a9a8p-4, 0x1.898ede66d9b79p-1,
    0x1.8a6a75107893fp-1, 0x1.b0202a5f13b02p-2, 0x1.9d9bf0bd64ab8p-2,
    0x1.388cdca3bc616p-1, 0x1.e34fe7ef3546ep-2, 0x1.a94a7beb08e2ap-2,
    0x1.c09602b5b918fp-1, 0x1.cf4dcc32b2993p-1, 0x1.34f9da399c420p-3,
    0x1.609115da9d4ecp-3, 0x1.91ade98b417bdp-1, 0x1.ea51f1d795cdap-1,
    0x1.75e5492835cf6p-1, 0x1.300682bf73e54p-2, 0x1.df8b231ea8130p-5,
    0x1.a79a5c85fe707p-1, 0x1.dc39c65688280p-1, 0x1.846920a2912e3p-1,
    0x1.78d005cb6dde4p-1, 0x1.f20a5c76ee077p-1, 0x1.0c20cd89aa9a4p-1,
    0x1.dc360a8d87673p-1, 0x1.0c8d22f91a3dep-2, 0x1.38eec8538faa0p-4,
    0x1.adccc424a036ap-1, 0x1.65b5067fb959fp-1, 0x1.97c982cec2ec2p-1,
    0x1.0aeb45ed4c82cp-3, 0x1.3344a70d9baf2p-2, 0x1.2cacbc17edb0fp-1,
    0x1.089c1cb717d48p-4, 0x1.50620e8b5e1a2p-2, 0x1.34b80b9111536p-1,
    0x1.dfa961d63e40dp-1};
/* twenty of random exponents, subnormal to 2^1000 */
static const double c2[] = {
    0x1.704cf38aee685p+549, 0x1.65eae39a1b443p+601, 0x0.017b9f4e21660p-1022,
    0x1.17c3cd7677a3cp+703, 0x1.9aedb4afc0963p-888, 0x1.214e219067cf5p+572,
    0x1.1811e60b79380p-194, 0x1.22e23314c67f4p+456, 0x1.174330b1bf154p+716,
    0x1.6e164436d3ce8p+262, 0x1.ab98eaabcf43cp-10,  0x1.8e94ca351a712p+833,
    0x1.0f7b5264a7175p-715, 0x1.c06e1cb58016cp-767, 0x1.bfcd5addec0d3p+216,
    0x1.4c7d3ac263028p-694, 0x1.c34aa65d1cf00p+934, 0x1.0f2f097154a87p+483,
    0x1.b7d41c19cda49p+187, 0x1.d267ed60fa3acp-992};
/* the smallest subnormal, a subnormal, the smallest normal, 1e300, 1e-300 */
static const double c3[] = {0x0.0000000000001p-1022, 0x0.012688b70e62bp-1022,
			    0x1.0000000000000p-1022, 0x1.7e43c8800759cp+996,
			    0x1.56e1fc2f8f359p-997};
/* twice DBL_MAX: +inf */
static const double c4[] = {0x1.fffffffffffffp+1023, 0x1.fffffffffffffp+1023};
/* 1 + 2^-53 + 2^-53: exactly 1 + 2^-52 */
static const double c5[] = {0x1.0000000000000p+0, 0x1.0000000000000p-53,
			    0x1.0000000000000p-53};
/* 1 + 2^-53: a tie, to the even 1 */
static const double c6[] = {0x1.0000000000000p+0, 0x1.0000000000000p-53};
/* (1 + 2^-52) + 2^-53: a tie, to the even 1 + 2^-51 */
static const double c7[] = {0x1.0000000000001p+0, 0x1.0000000000000p-53};
/* 2^53 + 1: a tie, to the even 2^53 */
static const double c8[] = {0x1.0000000000000p+53, 0x1.0000000000000p+0};
/* 2^53 - 1: the largest integer of the JSON form */
static const double c9[] = {0x1.fffffffffffffp+52};
/* 0.5 + 0.25 */
static const double c10[] = {0x1.0000000000000p-1, 0x1.0000000000000p-2};
static const struct vec vecs[] = {
    {c0, 50, 0x1.fb53f7ced9168p+4, "\"0x3f6a7ef9db22d0ebp-57\""},
    {c1, 100, 0x1.9b8b5a82e73e5p+5, "\"0x66e2d6a0b9cf925p-53\""},
    {c2, 20, 0x1.c34aa65d1cf00p+934,
     "\"0xe1a5532e8e78000000000000063a5328d469c4800000000000000022e97dda05591fa3c000000000000597ab8e8c96d54e2036ccbb9a140010f2f0995b0eed298cfe800000000000000000000000000000000000b70b221b69eabf9ab5d7555c219cda49000000000000000000000000000000000000d5cc7555e7a1e0000000000000000000000000000000008c08f305bc9c00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000a63ea19f1ecad29c5db01b872d6005b00000000000000000335db695f812c60000000000003a4cfdac200527a710b3p-1069\""},
    {c3, 5, 0x1.7e43c8800759cp+996,
     "\"0x17e43c8800759c00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000ab70fe58113cf5c398bp-1072\""},
    {c4, 2, INFINITY, "\"0x1fffffffffffffp972\""},
    {c5, 3, 0x1.0000000000001p+0, "\"0x10000000000001p-52\""},
    {c6, 2, 0x1.0000000000000p+0, "\"0x20000000000001p-53\""},
    {c7, 2, 0x1.0000000000002p+0, "\"0x20000000000003p-53\""},
    {c8, 2, 0x1.0000000000000p+53, "\"0x20000000000001p0\""},
    {c9, 1, 0x1.fffffffffffffp+52, "9007199254740991"},
    {c10, 2, 0x1.8000000000000p-1, "\"0x3p-2\""},
};

static void
reset(void)
{
	prep_memcap_set(PREP_MEMCAP_DEFAULT);
}

TestSuite(exactsum, .fini = reset);

/* The sum's JSON text (malloc'd). */
static char *
text_of(const prep_exactsum *s)
{
	json_t *j = prep_exactsum_json(s);
	char *t;

	cr_assert_not_null(j);
	t = json_dumps(j, JSON_ENCODE_ANY);
	json_decref(j);
	cr_assert_not_null(t);
	return t;
}

/* s must hold vector v's sum: its value, its text, and read back so. */
static void
sum_is(const prep_exactsum *s, const struct vec *v, const char *how)
{
	prep_exactsum r;
	json_t *j;
	char *t = text_of(s), *u;
	double got = prep_exactsum_value(s);

	cr_expect(got == v->value || (isinf(v->value) && isinf(got)),
		  "%s: %a, want %a", how, got, v->value);
	cr_expect_str_eq(t, v->json, "%s", how);
	j = json_loads(t, JSON_DECODE_ANY, NULL);
	cr_assert_not_null(j);
	prep_exactsum_init(&r);
	cr_assert_eq(prep_exactsum_from_json(j, &r), PREP_OK, "%s: %s", how, t);
	u = text_of(&r);
	cr_expect_str_eq(u, t);
	cr_expect(prep_exactsum_value(&r) == got ||
		  (isinf(got) && isinf(prep_exactsum_value(&r))));
	prep_exactsum_free(&r);
	json_decref(j);
	free(t);
	free(u);
}

Test(exactsum, vectors_in_any_order_and_grouping)
{
	size_t i, k;

	for (i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
		const struct vec *v = &vecs[i];
		prep_exactsum a, b, h1, h2;

		prep_exactsum_init(&a);
		prep_exactsum_init(&b);
		prep_exactsum_init(&h1);
		prep_exactsum_init(&h2);
		for (k = 0; k < v->n; k++) {
			cr_assert_eq(prep_exactsum_add(&a, v->x[k]), PREP_OK);
			cr_assert_eq(prep_exactsum_add(&b, v->x[v->n - 1 - k]),
				     PREP_OK);
			cr_assert_eq(
			    prep_exactsum_add(k % 2 ? &h1 : &h2, v->x[k]),
			    PREP_OK);
		}
		sum_is(&a, v, "in order");
		sum_is(&b, v, "backwards");
		cr_assert_eq(prep_exactsum_add_sum(&h1, &h2), PREP_OK);
		sum_is(&h1, v, "two halves");
		prep_exactsum_free(&a);
		prep_exactsum_free(&b);
		prep_exactsum_free(&h1);
		prep_exactsum_free(&h2);
	}
}

/* A sum of sums, rounded once: the halves of each vector. */
Test(exactsum, value_of_a_sum_of_sums)
{
	size_t i, k;

	for (i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
		const struct vec *v = &vecs[i];
		prep_exactsum h[3];
		const prep_exactsum *t[3] = {&h[0], &h[1], &h[2]};
		double got;

		for (k = 0; k < 3; k++)
			prep_exactsum_init(&h[k]);
		for (k = 0; k < v->n; k++)
			cr_assert_eq(prep_exactsum_add(&h[k % 3], v->x[k]),
				     PREP_OK);
		got = prep_exactsum_value_sum(t, 3);
		cr_expect(got == v->value || (isinf(v->value) && isinf(got)),
			  "vector %zu: %a, want %a", i, got, v->value);
		for (k = 0; k < 3; k++)
			prep_exactsum_free(&h[k]);
	}
	cr_expect_eq(prep_exactsum_value_sum(NULL, 0), 0.0);
}

Test(exactsum, zero)
{
	prep_exactsum s;
	char *t;

	prep_exactsum_init(&s);
	cr_assert(prep_exactsum_is_zero(&s));
	cr_assert_eq(prep_exactsum_value(&s), 0.0);
	cr_assert_eq(prep_exactsum_add(&s, 0.0), PREP_OK);
	cr_assert_eq(prep_exactsum_add(&s, -0.0), PREP_OK);
	cr_assert(prep_exactsum_is_zero(&s));
	t = text_of(&s);
	cr_assert_str_eq(t, "0");
	free(t);
	cr_assert_eq(prep_exactsum_add(&s, 0.75), PREP_OK);
	cr_assert(!prep_exactsum_is_zero(&s));
	prep_exactsum_free(&s);
}

/* Terms that are not finite numbers >= 0 are refused, changing nothing. */
Test(exactsum, bad_terms)
{
	prep_exactsum s;
	char *t;

	prep_exactsum_init(&s);
	cr_assert_eq(prep_exactsum_add(&s, 1.5), PREP_OK);
	cr_expect_eq(prep_exactsum_add(&s, -1), PREP_ERR_ARG);
	cr_expect_eq(prep_exactsum_add(&s, -5e-324), PREP_ERR_ARG);
	cr_expect_eq(prep_exactsum_add(&s, NAN), PREP_ERR_ARG);
	cr_expect_eq(prep_exactsum_add(&s, INFINITY), PREP_ERR_ARG);
	t = text_of(&s);
	cr_expect_str_eq(t, "\"0x3p-1\"");
	free(t);
	prep_exactsum_free(&s);
}

/* Texts that are not in the one form are refused, and leave 0. */
Test(exactsum, texts_out_of_form)
{
	static const char *const bad[] = {
	    "1.5",		/* a real */
	    "-1",		/* negative */
	    "9007199254740992", /* 2^53: "0x1p53" */
	    "null",
	    "true",
	    "{}",
	    "[]",
	    "\"\"",
	    "\"0x\"",
	    "\"0xp1\"",
	    "\"0x1p\"",
	    "\"0x2p0\"",  /* M even */
	    "\"0x01p3\"", /* a leading zero */
	    "\"0X1p1\"",
	    "\"0x1P1\"",
	    "\"0x1Fp1\"",
	    "\"0x1p+1\"",
	    "\"0x1p01\"",
	    "\"0x1p-0\"",
	    "\"0x1.8p1\"",
	    "\"0x3p0\"",     /* 3: an integer */
	    "\"0x1p52\"",    /* 2^52: an integer */
	    "\"0x1p-1075\"", /* below 2^-1074 */
	    "\"0x1p1166\"",  /* 2^1166: too large */
	    "\"0x1p1234567\"",
	    " \"0x1p1\"",
	    "\"0x1p1 \"",
	    "\"3\"",
	};
	prep_exactsum s;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json_t *j = json_loads(bad[i], JSON_DECODE_ANY, NULL);

		if (j == NULL)
			j = json_string(bad[i]);
		prep_exactsum_init(&s);
		cr_assert_eq(prep_exactsum_add(&s, 2.5), PREP_OK);
		cr_expect_eq(prep_exactsum_from_json(j, &s), PREP_ERR_VALUE,
			     "%s", bad[i]);
		cr_expect(prep_exactsum_is_zero(&s), "%s", bad[i]);
		prep_exactsum_free(&s);
		json_decref(j);
	}
}

/*
 * The edges of the form: the lowest bit, the largest value, 2^53, and a
 * top digit across two limbs whose bits in the upper one are 0 (2^60 + 1
 * units of 2^-1071, bits 3 and 63: 2^-1011 rounded).
 */
Test(exactsum, texts_at_the_edges)
{
	static const char *const good[] = {
	    "\"0x1p-1074\"",	"\"0x1p1165\"",
	    "\"0x1p53\"",	"\"0x1fp-3\"",
	    "\"0x3p-1\"",	"0",
	    "9007199254740991", "\"0x1000000000000001p-1071\"",
	};
	static const double value[] = {
	    5e-324, INFINITY, 9007199254740992.0, 3.875,
	    1.5,    0,	      9007199254740991.0, 0x1p-1011,
	};
	prep_exactsum s;
	size_t i;
	char *t;

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		json_t *j = json_loads(good[i], JSON_DECODE_ANY, NULL);

		cr_assert_not_null(j);
		prep_exactsum_init(&s);
		cr_expect_eq(prep_exactsum_from_json(j, &s), PREP_OK, "%s",
			     good[i]);
		cr_expect(prep_exactsum_value(&s) == value[i], "%s: %a",
			  good[i], prep_exactsum_value(&s));
		t = text_of(&s);
		cr_expect_str_eq(t, good[i]);
		free(t);
		prep_exactsum_free(&s);
		json_decref(j);
	}
}

/* A sum that would pass the limbs is refused, and stays as it was. */
Test(exactsum, past_the_limbs)
{
	json_t *j = json_string("0x1p1165");
	prep_exactsum s, t;
	char *a, *b;

	prep_exactsum_init(&s);
	prep_exactsum_init(&t);
	cr_assert_eq(prep_exactsum_from_json(j, &s), PREP_OK);
	cr_assert_eq(prep_exactsum_from_json(j, &t), PREP_OK);
	a = text_of(&s);
	cr_expect_eq(prep_exactsum_add_sum(&s, &t), PREP_ERR_RANGE);
	b = text_of(&s);
	cr_expect_str_eq(a, b);
	/* 2^1165 plus small terms is fine: no carry reaches the top */
	cr_expect_eq(prep_exactsum_add(&s, 1.0), PREP_OK);
	cr_expect_eq(prep_exactsum_add(&s, 5e-324), PREP_OK);
	free(a);
	free(b);
	prep_exactsum_free(&s);
	prep_exactsum_free(&t);
	json_decref(j);
}

/* A carry through limbs of all ones: 2^128 - 1 units and 1 more. */
Test(exactsum, carry_through_limbs)
{
	json_t *j = json_string("0xffffffffffffffffffffffffffffffffp-1074");
	prep_exactsum s;
	char *t;

	prep_exactsum one;
	const prep_exactsum *both[2] = {&s, &one};

	prep_exactsum_init(&s);
	prep_exactsum_init(&one);
	cr_assert_eq(prep_exactsum_from_json(j, &s), PREP_OK);
	cr_assert_eq(prep_exactsum_add(&one, 5e-324), PREP_OK);
	cr_expect_eq(prep_exactsum_value_sum(both, 2), ldexp(1, -946));
	prep_exactsum_free(&one);
	cr_assert_eq(prep_exactsum_add(&s, 5e-324), PREP_OK);
	t = text_of(&s);
	cr_expect_str_eq(t, "\"0x1p-946\"");
	cr_expect_eq(prep_exactsum_value(&s), ldexp(1, -946));
	free(t);
	prep_exactsum_free(&s);
	json_decref(j);
}

/* The limbs come out of the --max-memory budget. */
Test(exactsum, memory_budget)
{
	prep_exactsum s;
	size_t base = prep_memcap_used();

	prep_exactsum_init(&s);
	cr_assert_eq(prep_exactsum_add(&s, 1.0), PREP_OK);
	cr_expect_gt(prep_memcap_used(), base);
	prep_memcap_set(prep_memcap_used());
	/* 2^-1000 is 30 limbs below 1: no room */
	cr_expect_eq(prep_exactsum_add(&s, ldexp(1, -1000)), PREP_ERR_MEMORY);
	cr_expect_eq(prep_exactsum_value(&s), 1.0);
	prep_memcap_set(PREP_MEMCAP_DEFAULT);
	cr_expect_eq(prep_exactsum_add(&s, ldexp(1, -1000)), PREP_OK);
	prep_exactsum_free(&s);
	cr_expect_eq(prep_memcap_used(), base);
}
