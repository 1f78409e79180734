/*
 * test_exactsum.c: unit tests of libprep/exactsum.c, the long accumulator
 * of dpnoise's sums.
 *
 * Known answers: tests/unit/kat/exactsum.txt, written by
 * tests/unit/kat/gen_exactsum.py with Python's fractions.Fraction (the
 * exact sum, and its rounding to a multiple of 2^k) and math.fsum (the
 * correctly rounded double, checked there against the Fraction rounded
 * by hand): catastrophic cancellation (1e16, 1, -1e16), sums that
 * overflow a double half-way or at the end, subnormals, ties of the
 * final rounding decided by a bit 2^-1074 far below, and long random
 * lists whose large terms cancel. Each case is summed in its order,
 * reversed, shuffled, and in two parts merged, which must all give the
 * same text, double and rounding; a plain double loop, the negative
 * control, gets the first cases wrong. Then the text form: its round
 * trip, and the refusal of every other spelling of a number.
 */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exactsum.h"
#include "memcap.h"

#define KAT "tests/unit/kat/exactsum.txt"
#define MAXV 1024

struct kcase {
	char name[64];
	char exact[PREP_EXACTSUM_TEXT_SIZE];
	double dbl;
	int k;
	int range; /* the rounding is out of range */
	__int128 round;
	size_t n;
	double v[MAXV];
};

static __int128
parse_i128(const char *s)
{
	__int128 v = 0;
	int neg = *s == '-';

	for (s += neg; *s; s++)
		v = v * 10 + (*s - '0');
	return neg ? -v : v;
}

static double
parse_double(const char *s)
{
	if (strcmp(s, "inf") == 0)
		return HUGE_VAL;
	if (strcmp(s, "-inf") == 0)
		return -HUGE_VAL;
	return strtod(s, NULL);
}

/* The next case of the file, or 0 at its end. */
static int
next_case(FILE *f, struct kcase *c)
{
	char dbl[64], rnd[64], tok[64];
	size_t i;

	if (fscanf(f, "%63s %671s %63s %d %63s %zu", c->name, c->exact, dbl,
		   &c->k, rnd, &c->n) != 6)
		return 0;
	cr_assert_leq(c->n, MAXV);
	c->dbl = parse_double(dbl);
	c->range = strcmp(rnd, "range") == 0;
	c->round = c->range ? 0 : parse_i128(rnd);
	for (i = 0; i < c->n; i++) {
		cr_assert_eq(fscanf(f, "%63s", tok), 1);
		c->v[i] = strtod(tok, NULL);
	}
	return 1;
}

/* Sum of the values at idx[0 .. n), in that order. */
static void
sum_of(prep_exactsum *s, const double *v, const size_t *idx, size_t n)
{
	size_t i;

	prep_exactsum_init(s);
	for (i = 0; i < n; i++)
		cr_assert_eq(prep_exactsum_add(s, v[idx[i]]), PREP_OK);
}

/* The known answers of case c for the sum s. */
static void
check_answers(const struct kcase *c, const prep_exactsum *s, const char *how)
{
	char text[PREP_EXACTSUM_TEXT_SIZE];
	size_t len = prep_exactsum_text(s, text, sizeof text);
	double d = prep_exactsum_double(s);
	__int128 r;
	prep_status st;

	cr_assert_gt(len, 0, "%s %s: text", c->name, how);
	cr_assert_str_eq(text, c->exact, "%s %s", c->name, how);
	cr_assert(d == c->dbl && signbit(d) == signbit(c->dbl),
		  "%s %s: %a, not %a", c->name, how, d, c->dbl);
	st = prep_exactsum_round(s, c->k, &r);
	if (c->range) {
		cr_assert_eq(st, PREP_ERR_RANGE, "%s %s: round", c->name, how);
	} else {
		cr_assert_eq(st, PREP_OK, "%s %s: round", c->name, how);
		cr_assert(r == c->round, "%s %s: round", c->name, how);
	}
	cr_assert_eq(prep_exactsum_sign(s), c->dbl > 0	 ? 1
					    : c->dbl < 0 ? -1
							 : 0);
}

Test(exactsum, known_answers_in_any_order)
{
	static struct kcase c;
	static size_t idx[MAXV];
	FILE *f = fopen(KAT, "r");
	prep_exactsum s, a, b;
	size_t i, j, cases = 0;
	unsigned seed = 18;

	cr_assert_not_null(f, "%s (run from the top directory)", KAT);
	while (next_case(f, &c)) {
		cases++;
		for (i = 0; i < c.n; i++)
			idx[i] = i;
		sum_of(&s, c.v, idx, c.n);
		check_answers(&c, &s, "in order");
		prep_exactsum_free(&s);
		for (i = 0; i < c.n; i++)
			idx[i] = c.n - 1 - i;
		sum_of(&s, c.v, idx, c.n);
		check_answers(&c, &s, "reversed");
		prep_exactsum_free(&s);
		for (i = c.n; i > 1; i--) {
			seed = seed * 1103515245u + 12345u;
			j = (seed >> 8) % i;
			size_t t = idx[i - 1];
			idx[i - 1] = idx[j];
			idx[j] = t;
		}
		sum_of(&s, c.v, idx, c.n);
		check_answers(&c, &s, "shuffled");
		prep_exactsum_free(&s);
		/* in two parts, merged: the partials of dpnoise */
		sum_of(&a, c.v, idx, c.n / 3);
		sum_of(&b, c.v, idx + c.n / 3, c.n - c.n / 3);
		cr_assert_eq(prep_exactsum_add_sum(&a, &b), PREP_OK);
		check_answers(&c, &a, "merged");
		prep_exactsum_free(&a);
		prep_exactsum_free(&b);
	}
	fclose(f);
	cr_assert_geq(cases, 30);
}

/* The negative control: a double loop gets 1e16 + 1 - 1e16 wrong, and
 * the order matters to it. */
Test(exactsum, naive_sum_is_wrong)
{
	volatile double x = 1e16, y = 1.0;
	double naive = x + y - x;
	prep_exactsum s;

	cr_assert_eq(naive, 0.0);
	prep_exactsum_init(&s);
	cr_assert_eq(prep_exactsum_add(&s, 1e16), PREP_OK);
	cr_assert_eq(prep_exactsum_add(&s, 1.0), PREP_OK);
	cr_assert_eq(prep_exactsum_add(&s, -1e16), PREP_OK);
	cr_assert_eq(prep_exactsum_double(&s), 1.0);
	prep_exactsum_free(&s);
}

Test(exactsum, times_and_compare)
{
	prep_exactsum s;
	int sign;
	uint64_t n = UINT64_MAX;

	prep_exactsum_init(&s);
	/* (2^64 - 1) copies of the largest double, less as many of it */
	cr_assert_eq(prep_exactsum_add_times(&s, DBL_MAX, n), PREP_OK);
	cr_assert_eq(prep_exactsum_double(&s), HUGE_VAL);
	cr_assert_eq(prep_exactsum_cmp_times(&s, DBL_MAX, n, &sign), PREP_OK);
	cr_assert_eq(sign, 0);
	cr_assert_eq(prep_exactsum_cmp_times(&s, DBL_MAX, n - 1, &sign),
		     PREP_OK);
	cr_assert_eq(sign, 1);
	cr_assert_eq(prep_exactsum_add(&s, -DBL_MAX), PREP_OK);
	cr_assert_eq(prep_exactsum_cmp_times(&s, DBL_MAX, n - 1, &sign),
		     PREP_OK);
	cr_assert_eq(sign, 0);
	cr_assert_eq(prep_exactsum_add_times(&s, -DBL_MAX, n - 1), PREP_OK);
	cr_assert_eq(prep_exactsum_sign(&s), 0);
	cr_assert_eq(prep_exactsum_add_times(&s, -0x1p-1074, 3), PREP_OK);
	cr_assert_eq(prep_exactsum_double(&s), -0x3p-1074);
	cr_assert_eq(prep_exactsum_cmp_times(&s, -0x1p-1074, 2, &sign),
		     PREP_OK);
	cr_assert_eq(sign, -1);
	prep_exactsum_free(&s);
}

Test(exactsum, not_finite_refused)
{
	prep_exactsum s;

	prep_exactsum_init(&s);
	cr_assert_eq(prep_exactsum_add(&s, 1.5), PREP_OK);
	cr_assert_eq(prep_exactsum_add(&s, INFINITY), PREP_ERR_ARG);
	cr_assert_eq(prep_exactsum_add(&s, NAN), PREP_ERR_ARG);
	cr_assert_eq(prep_exactsum_double(&s), 1.5);
	prep_exactsum_free(&s);
}

Test(exactsum, integer)
{
	prep_exactsum s;

	prep_exactsum_init(&s);
	cr_assert(prep_exactsum_is_integer(&s));
	cr_assert_eq(prep_exactsum_add(&s, 0.5), PREP_OK);
	cr_assert_not(prep_exactsum_is_integer(&s));
	cr_assert_eq(prep_exactsum_add(&s, -2.5), PREP_OK);
	cr_assert(prep_exactsum_is_integer(&s));
	cr_assert_eq(prep_exactsum_add(&s, 0x1p-1074), PREP_OK);
	cr_assert_not(prep_exactsum_is_integer(&s));
	prep_exactsum_free(&s);
}

/* Texts read back to the same sum, and write again the same. */
Test(exactsum, text_round_trip)
{
	static const char *const texts[] = {
	    "0x0p+0",
	    "0x1p+0",
	    "-0x1p+0",
	    "0x1.8p+3",
	    "-0x1.8p-2",
	    "0x1p-1074",
	    "-0x1.fffffffffffffp+1023",
	    "0x1.00000000000008p+0",
	    "0x1.fffffffffffffp+1087",
	    "0x1.0000000000000000000001p+70",
	};
	char buf[PREP_EXACTSUM_TEXT_SIZE];
	prep_exactsum s;
	size_t i;

	prep_exactsum_init(&s);
	for (i = 0; i < sizeof texts / sizeof *texts; i++) {
		cr_assert_eq(
		    prep_exactsum_parse(&s, texts[i], strlen(texts[i])),
		    PREP_OK, "%s", texts[i]);
		cr_assert_gt(prep_exactsum_text(&s, buf, sizeof buf), 0);
		cr_assert_str_eq(buf, texts[i]);
	}
	prep_exactsum_free(&s);
	/* doubles: what printf's %a writes for a normal one */
	prep_exactsum_init(&s);
	cr_assert_eq(prep_exactsum_add(&s, 12.0), PREP_OK);
	prep_exactsum_text(&s, buf, sizeof buf);
	cr_assert_str_eq(buf, "0x1.8p+3");
	cr_assert_eq(prep_exactsum_text(&s, buf, 8), 0); /* no room */
	prep_exactsum_free(&s);
}

Test(exactsum, other_spellings_refused)
{
	static const char *const bad[] = {
	    "",		 "0",		"1",	     "0x0p+0 ",
	    "-0x0p+0",	 "0x0p-0",	"0x2p+0",    "0x1.80p+3",
	    "0X1p+0",	 "0x1.8P+3",	"0x1.Ap+0",  "+0x1p+0",
	    "0x1p0",	 "0x1p+00",	"0x1p-0",    "0x1.p+0",
	    "0x1p+",	 "0x1p+1x",	"0x01p+0",   "0x1p+123456",
	    "0x1p-1075", "0x1.8p-1074", "0x1p+2400", "0x1.g p+0",
	    "0x1 p+0",	 "--0x1p+0",	"0x1.1 p+0", "0x1.8p+3\n",
	    "0x1..8p+3", "nan",
	};
	prep_exactsum s;
	size_t i;

	prep_exactsum_init(&s);
	for (i = 0; i < sizeof bad / sizeof *bad; i++)
		cr_assert_eq(prep_exactsum_parse(&s, bad[i], strlen(bad[i])),
			     PREP_ERR_VALUE, "'%s'", bad[i]);
	cr_assert_eq(prep_exactsum_sign(&s), 0);
	/* a NUL inside */
	cr_assert_eq(prep_exactsum_parse(&s, "0x1p+0\0", 7), PREP_ERR_VALUE);
	prep_exactsum_free(&s);
}

/* The limbs come from the memory budget and go back to it. */
Test(exactsum, memory_budget)
{
	size_t before = prep_memcap_used();
	size_t cap = prep_memcap_get();
	prep_exactsum s;

	prep_exactsum_init(&s);
	cr_assert_eq(prep_exactsum_add(&s, 1.0), PREP_OK);
	cr_assert_gt(prep_memcap_used(), before);
	prep_memcap_set(prep_memcap_used());
	cr_assert_eq(prep_exactsum_add(&s, 0x1p-1074), PREP_ERR_MEMORY);
	cr_assert_eq(prep_exactsum_double(&s), 1.0); /* as it was */
	prep_memcap_set(cap);
	prep_exactsum_free(&s);
	cr_assert_eq(prep_memcap_used(), before);
}
