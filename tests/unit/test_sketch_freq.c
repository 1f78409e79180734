/*
 * test_sketch_freq.c: unit tests of libprep/sketch_freq.c, the
 * Misra-Gries frequent values of the profile.
 *
 * The guarantees of sketch_freq.h checked against exact counts made by
 * brute force in the test: on Zipf-like streams (unit and weighted adds)
 * every value's true count f is in [c, c + error] (c = 0 for a value not
 * kept), error <= (total - sum of the kept counters) / (k + 1), and every
 * value with f > total / (k + 1) is kept; the same after merging parts,
 * against the counts of the union. Exact counts (error 0) while at most k
 * distinct values. The order of the items, the JSON form (a known
 * document with values that are not text), its round trip and
 * validation, the byte cap and the count limit, each leaving the summary
 * as it was.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sketch_freq.h"

static prep_freq *
new_freq(size_t k, size_t max_bytes)
{
	prep_freq *f = NULL;
	prep_status st = prep_freq_new(k, max_bytes, &f);

	cr_assert_eq(st, PREP_OK, "new: %s", prep_strerror(st));
	cr_assert_not_null(f);
	return f;
}

static void
add(prep_freq *f, const char *s, uint64_t count)
{
	prep_status st = prep_freq_add(f, s, strlen(s), count);

	cr_assert_eq(st, PREP_OK, "add %s: %s", s, prep_strerror(st));
}

/* The compact JSON text (freed by the caller). */
static char *
text_of(const prep_freq *f)
{
	json_t *j = prep_freq_to_json(f);
	char *s;

	cr_assert_not_null(j);
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	cr_assert_not_null(s);
	return s;
}

static void
assert_text(const prep_freq *f, const char *want)
{
	char *t = text_of(f);

	cr_assert_str_eq(t, want);
	free(t);
}

Test(sketch_freq, new_checks_k)
{
	prep_freq *f = (prep_freq *)1;

	cr_assert_eq(prep_freq_new(0, 0, &f), PREP_ERR_ARG);
	cr_assert_null(f);
	cr_assert_eq(prep_freq_new(PREP_FREQ_MAX_K + 1, 0, &f), PREP_ERR_ARG);
	f = new_freq(PREP_FREQ_MAX_K, 0);
	cr_assert_eq(prep_freq_k(f), PREP_FREQ_MAX_K);
	cr_assert_eq(prep_freq_size(f), 0);
	cr_assert_eq(prep_freq_total(f), 0);
	cr_assert_eq(prep_freq_error(f), 0);
	assert_text(f, "{\"k\":16777216,\"total\":0,\"error\":0,\"items\":[]}");
	prep_freq_free(f);
	prep_freq_free(NULL);
}

/* At most k distinct: the counts are exact, listed by count then bytes. */
Test(sketch_freq, exact_while_at_most_k_distinct)
{
	prep_freq *f = new_freq(6, 0);
	prep_freq_item *items;
	size_t n;
	int round;

	for (round = 0; round < 3; round++) {
		add(f, "b", 2);
		add(f, "ab", 1);
		add(f, "a", 1);
		cr_assert_eq(prep_freq_add(f, NULL, 0, 1), PREP_OK);
		add(f, "zz", 5);
	}
	cr_assert_eq(prep_freq_add(f, "x\0y", 3, 4), PREP_OK);
	add(f, "c", 0); /* nothing */
	cr_assert_eq(prep_freq_add(f, NULL, 1, 1), PREP_ERR_ARG);
	cr_assert_eq(prep_freq_size(f), 6);
	cr_assert_eq(prep_freq_total(f), 34);
	cr_assert_eq(prep_freq_error(f), 0);
	cr_assert_eq(prep_freq_items(f, &items, &n), PREP_OK);
	cr_assert_eq(n, 6);
	/* 15 zz, 6 b, 4 x\0y, then 3 each: "" < "a" < "ab" */
	cr_assert_eq(items[0].count, 15);
	cr_assert_str_eq(items[0].data, "zz");
	cr_assert_eq(items[1].count, 6);
	cr_assert_str_eq(items[1].data, "b");
	cr_assert_eq(items[2].count, 4);
	cr_assert_eq(items[2].len, 3);
	cr_assert_eq(memcmp(items[2].data, "x\0y", 4), 0);
	cr_assert_eq(items[3].len, 0);
	cr_assert_str_eq(items[3].data, "");
	cr_assert_str_eq(items[4].data, "a");
	cr_assert_str_eq(items[5].data, "ab");
	cr_assert_eq(items[5].count, 3);
	free(items);
	assert_text(f,
		    "{\"k\":6,\"total\":34,\"error\":0,\"items\":[[\"zz\",15],"
		    "[\"b\",6],[\"hex:780079\",4],[\"\",3],[\"a\",3],"
		    "[\"ab\",3]]}");
	prep_freq_free(f);
}

/*
 * By hand, k = 2: a x2, b, then c: three counters 2, 1, 1, the smallest
 * (1) subtracted from each: b and c drop, a keeps 1. Then d x5 fits (two
 * items kept).
 */
Test(sketch_freq, subtraction_by_hand)
{
	prep_freq *f = new_freq(2, 0);

	add(f, "a", 2);
	add(f, "b", 1);
	add(f, "c", 1);
	assert_text(f,
		    "{\"k\":2,\"total\":4,\"error\":1,\"items\":[[\"a\",1]]}");
	add(f, "d", 5);
	assert_text(f, "{\"k\":2,\"total\":9,\"error\":1,\"items\":[[\"d\",5],"
		       "[\"a\",1]]}");
	/* e with 3: counters 5, 1, 3, subtract 1: a drops, e keeps 2 */
	add(f, "e", 3);
	assert_text(f, "{\"k\":2,\"total\":12,\"error\":2,\"items\":[[\"d\",4],"
		       "[\"e\",2]]}");
	/* f with 1: the smallest is the new item's, only it drops */
	add(f, "f", 1);
	assert_text(f, "{\"k\":2,\"total\":13,\"error\":3,\"items\":[[\"d\",3],"
		       "[\"e\",1]]}");
	prep_freq_free(f);
	/* k = 1: a then b, both counters 1, both drop */
	f = new_freq(1, 0);
	add(f, "a", 1);
	add(f, "b", 1);
	assert_text(f, "{\"k\":1,\"total\":2,\"error\":1,\"items\":[]}");
	prep_freq_free(f);
}

/* ---- Zipf streams against exact counts ---- */

#define NVALUES 5000

/* splitmix64's output function (Steele, Lea & Flood, OOPSLA 2014). */
static uint64_t
mix(uint64_t x)
{
	uint64_t z = x + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double zipf_cdf[NVALUES];

/* P(value i) proportional to 1 / (i + 1)^1.1. */
static void
zipf_init(void)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < NVALUES; i++) {
		sum += 1 / pow((double)(i + 1), 1.1);
		zipf_cdf[i] = sum;
	}
	for (i = 0; i < NVALUES; i++)
		zipf_cdf[i] /= sum;
}

/* The value of draw j of stream seed. */
static size_t
zipf_draw(uint64_t seed, uint64_t j)
{
	double u = (double)(mix(seed << 32 ^ j) >> 11) * 0x1p-53;
	size_t lo = 0, hi = NVALUES - 1;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (zipf_cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
value_name(char *buf, size_t v)
{
	return snprintf(buf, 16, "v%zu", v);
}

/*
 * Add draws [from, to) of stream seed to f and to exact[]: weight 1, or
 * with weighted, 1 + (a hash of the draw) % 100.
 */
static void
feed(prep_freq *f, uint64_t *exact, uint64_t seed, uint64_t from, uint64_t to,
     int weighted)
{
	char buf[16];
	uint64_t j;

	for (j = from; j < to; j++) {
		size_t v = zipf_draw(seed, j);
		uint64_t w = weighted ? 1 + mix(j ^ 0xabcdef) % 100 : 1;
		int n = value_name(buf, v);
		prep_status st = prep_freq_add(f, buf, (size_t)n, w);

		cr_assert_eq(st, PREP_OK);
		exact[v] += w;
	}
}

/*
 * How many of the guarantees of sketch_freq.h fail against the exact
 * counts: each value's c <= f <= c + error, (k + 1) error <= total -
 * kept, every value with f > total / (k + 1) kept, total exact, at most k
 * items in order. *worst: the largest f - c, the error actually made.
 */
static size_t
violations(const prep_freq *f, const uint64_t *exact, uint64_t *worst)
{
	uint64_t est[NVALUES] = {0}, total = 0, kept = 0;
	uint64_t err = prep_freq_error(f);
	size_t k = prep_freq_k(f), n, i, bad = 0;
	prep_freq_item *items;

	*worst = 0;
	for (i = 0; i < NVALUES; i++)
		total += exact[i];
	bad += prep_freq_total(f) != total;
	cr_assert_eq(prep_freq_items(f, &items, &n), PREP_OK);
	bad += n > k || n != prep_freq_size(f);
	for (i = 0; i < n; i++) {
		unsigned long v = strtoul(items[i].data + 1, NULL, 10);

		cr_assert_lt(v, NVALUES);
		est[v] = items[i].count;
		kept += items[i].count;
		bad += i > 0 && items[i - 1].count < items[i].count;
	}
	free(items);
	bad += kept > total || err * (k + 1) > total - kept;
	for (i = 0; i < NVALUES; i++) {
		bad += est[i] > exact[i] || exact[i] > est[i] + err;
		bad += exact[i] * (k + 1) > total && est[i] == 0;
		if (est[i] <= exact[i] && exact[i] - est[i] > *worst)
			*worst = exact[i] - est[i];
	}
	return bad;
}

static void
check_guarantees(const prep_freq *f, const uint64_t *exact, const char *what)
{
	uint64_t worst;
	size_t bad = violations(f, exact, &worst);

	cr_assert_eq(bad, 0, "%s: %zu violations", what, bad);
	cr_assert_leq(worst, prep_freq_error(f));
}

/*
 * 200,000 unit adds and 50,000 weighted ones (weights 1..100, total
 * 2,514,354) of a Zipf stream over 5000 values, k = 20, 50 and 200.
 * Measured: error = (total - kept) / (k + 1) exactly (adds alone subtract
 * d from exactly k + 1 counters each time): 8010, 2795 and 517 for the
 * unit stream (total / (k + 1) = 9524, 3922, 995), 100663, 35140 and
 * 6488 weighted; the largest f - c over the 5000 values equals error in
 * each case, so the bound is tight. After merging four parts (k = 40):
 * error 48505 against a bound of 48505.8.
 */
Test(sketch_freq, guarantees_on_zipf_streams)
{
	static const size_t ks[] = {20, 50, 200};
	static uint64_t exact[NVALUES];
	size_t i, w;

	zipf_init();
	for (w = 0; w < 2; w++)
		for (i = 0; i < sizeof ks / sizeof ks[0]; i++) {
			prep_freq *f = new_freq(ks[i], 0);

			memset(exact, 0, sizeof exact);
			feed(f, exact, 1 + w, 0, w ? 50000 : 200000, (int)w);
			check_guarantees(f, exact, w ? "weighted" : "unit");
			/* there are heavy hitters to keep: v0 at least */
			cr_assert_gt(exact[0] * (ks[i] + 1),
				     prep_freq_total(f));
			cr_assert_gt(prep_freq_error(f), 0);
			cr_assert_gt(prep_freq_size(f), 0);
			prep_freq_free(f);
		}
}

/*
 * Negative control: the check above has teeth. The same summary read back
 * with error 0 (a valid document: (k + 1) 0 <= total - kept) claims exact
 * counts, which the brute force refutes; so does the true summary checked
 * against a stream with one more occurrence of a value not kept.
 */
Test(sketch_freq, negative_control)
{
	static uint64_t exact[NVALUES];
	prep_freq *f = new_freq(50, 0), *g = NULL;
	json_t *j;
	uint64_t worst;
	size_t v;

	zipf_init();
	feed(f, exact, 1, 0, 100000, 0);
	cr_assert_eq(violations(f, exact, &worst), 0);
	j = prep_freq_to_json(f);
	cr_assert_eq(json_object_set_new(j, "error", json_integer(0)), 0);
	cr_assert_eq(prep_freq_from_json(j, 0, &g, NULL), PREP_OK);
	cr_assert_gt(violations(g, exact, &worst), 0);
	/* a value not kept, given error + 1 occurrences */
	for (v = NVALUES - 1; exact[v] != 0; v--)
		;
	exact[v] = prep_freq_error(f) + 1;
	cr_assert_gt(violations(f, exact, &worst), 0);
	json_decref(j);
	prep_freq_free(f);
	prep_freq_free(g);
}

/*
 * Four parts of a stream, summarized apart and merged left to right: the
 * guarantees hold against the exact counts of the whole stream, and the
 * merged error keeps the bound.
 */
Test(sketch_freq, merge_keeps_the_guarantees)
{
	static uint64_t exact[NVALUES];
	prep_freq *parts[4], *whole;
	size_t i;

	zipf_init();
	memset(exact, 0, sizeof exact);
	for (i = 0; i < 4; i++) {
		parts[i] = new_freq(40, 0);
		/* parts of different sizes, the last one weighted */
		feed(parts[i], exact, 9, i * 30000, (i + 1) * 30000 + i * 7000,
		     i == 3);
	}
	for (i = 1; i < 4; i++)
		cr_assert_eq(prep_freq_merge(parts[0], parts[i]), PREP_OK);
	check_guarantees(parts[0], exact, "merged");
	/* merging a summary with itself doubles every count */
	whole = parts[0];
	cr_assert_eq(prep_freq_merge(whole, whole), PREP_OK);
	for (i = 0; i < NVALUES; i++)
		exact[i] *= 2;
	check_guarantees(whole, exact, "doubled");
	for (i = 0; i < 4; i++)
		prep_freq_free(parts[i]);
}

/* Few distinct values in all: merged counts are exact. */
Test(sketch_freq, merge_exact_when_few)
{
	prep_freq *a = new_freq(4, 0), *b = new_freq(4, 0);
	prep_freq *c = new_freq(5, 0);

	add(a, "x", 3);
	add(a, "y", 1);
	add(b, "y", 2);
	add(b, "z", 7);
	add(b, "w", 2);
	cr_assert_eq(prep_freq_merge(a, b), PREP_OK);
	assert_text(a, "{\"k\":4,\"total\":15,\"error\":0,\"items\":[[\"z\",7],"
		       "[\"x\",3],[\"y\",3],[\"w\",2]]}");
	/* b unchanged */
	assert_text(b, "{\"k\":4,\"total\":11,\"error\":0,\"items\":[[\"z\",7],"
		       "[\"w\",2],[\"y\",2]]}");
	/* one more distinct value: 5 counters 7 3 3 2 1, subtract the 5th */
	add(c, "v", 1);
	cr_assert_eq(prep_freq_merge(a, c), PREP_ERR_ARG);
	prep_freq_free(c);
	c = new_freq(4, 0);
	add(c, "v", 1);
	cr_assert_eq(prep_freq_merge(a, c), PREP_OK);
	assert_text(a, "{\"k\":4,\"total\":16,\"error\":1,\"items\":[[\"z\",6],"
		       "[\"x\",2],[\"y\",2],[\"w\",1]]}");
	prep_freq_free(a);
	prep_freq_free(b);
	prep_freq_free(c);
}

/* Summaries that never kept an item (no table yet) merge. */
Test(sketch_freq, merge_empty)
{
	prep_freq *a = new_freq(1, 0), *b = new_freq(1, 0);

	cr_assert_eq(prep_freq_merge(a, b), PREP_OK);
	cr_assert_eq(prep_freq_merge(a, a), PREP_OK);
	assert_text(a, "{\"k\":1,\"total\":0,\"error\":0,\"items\":[]}");
	add(b, "x", 2);
	cr_assert_eq(prep_freq_merge(a, b), PREP_OK);
	assert_text(a,
		    "{\"k\":1,\"total\":2,\"error\":0,\"items\":[[\"x\",2]]}");
	prep_freq_free(a);
	prep_freq_free(b);
}

Test(sketch_freq, same_input_same_json)
{
	prep_freq *a = new_freq(30, 0), *b = new_freq(30, 0);
	static uint64_t exact[NVALUES];
	char *ta, *tb;

	zipf_init();
	feed(a, exact, 4, 0, 50000, 1);
	feed(b, exact, 4, 0, 50000, 1);
	ta = text_of(a);
	tb = text_of(b);
	cr_assert_str_eq(ta, tb);
	free(ta);
	free(tb);
	prep_freq_free(a);
	prep_freq_free(b);
}

/* ---- JSON ---- */

static void
round_trip(const prep_freq *f)
{
	json_t *j = prep_freq_to_json(f), *j2;
	prep_freq *back = NULL;
	const char *why = NULL;
	prep_status st;

	cr_assert_not_null(j);
	st = prep_freq_from_json(j, 0, &back, &why);
	cr_assert_eq(st, PREP_OK, "%s (%s)", prep_strerror(st),
		     why ? why : "-");
	j2 = prep_freq_to_json(back);
	cr_assert(json_equal(j, j2));
	cr_assert_eq(prep_freq_total(back), prep_freq_total(f));
	cr_assert_eq(prep_freq_error(back), prep_freq_error(f));
	cr_assert_eq(prep_freq_size(back), prep_freq_size(f));
	json_decref(j);
	json_decref(j2);
	prep_freq_free(back);
}

/*
 * Values that are not text: invalid UTF-8, a NUL, a value that begins
 * with "hex:" are written in hex; the rest, multibyte UTF-8 included, as
 * strings.
 */
Test(sketch_freq, json_values_that_are_not_text)
{
	prep_freq *f = new_freq(8, 0);

	cr_assert_eq(prep_freq_add(f, "\xff", 1, 9), PREP_OK);
	cr_assert_eq(prep_freq_add(f, "a\0", 2, 8), PREP_OK);
	add(f, "hex:a", 7);
	add(f, "hex", 6);
	add(f, "caf\xc3\xa9", 5);
	add(f, "\xc3", 4);	   /* a cut sequence */
	add(f, "\xed\xa0\x80", 3); /* a surrogate */
	cr_assert_eq(prep_freq_add(f, NULL, 0, 2), PREP_OK);
	assert_text(f, "{\"k\":8,\"total\":44,\"error\":0,\"items\":["
		       "[\"hex:ff\",9],[\"hex:6100\",8],[\"hex:6865783a61\",7],"
		       "[\"hex\",6],[\"caf\xc3\xa9\",5],[\"hex:c3\",4],"
		       "[\"hex:eda080\",3],[\"\",2]]}");
	round_trip(f);
	prep_freq_free(f);
}

Test(sketch_freq, json_round_trip)
{
	static uint64_t exact[NVALUES];
	prep_freq *f = new_freq(25, 0);

	round_trip(f);
	zipf_init();
	feed(f, exact, 5, 0, 20000, 0);
	round_trip(f);
	feed(f, exact, 6, 0, 20000, 1);
	round_trip(f);
	prep_freq_free(f);
}

static prep_status
from_text(const char *text, size_t max_bytes, const char **why)
{
	json_error_t err;
	json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
	prep_freq *f = (prep_freq *)1;
	prep_status st;

	cr_assert_not_null(j, "bad test JSON %s: %s", text, err.text);
	*why = NULL;
	st = prep_freq_from_json(j, max_bytes, &f, why);
	if (st != PREP_OK)
		cr_assert_null(f);
	prep_freq_free(st == PREP_OK ? f : NULL);
	json_decref(j);
	return st;
}

static void
rejects(const char *text)
{
	const char *why;

	cr_assert_eq(from_text(text, 0, &why), PREP_ERR_VALUE, "accepted %s",
		     text);
	cr_assert_not_null(why);
}

static void
accepts(const char *text)
{
	const char *why;

	cr_assert_eq(from_text(text, 0, &why), PREP_OK, "%s: %s", text,
		     why ? why : "-");
}

Test(sketch_freq, from_json_rejects_corruption)
{
	accepts("{\"k\":2,\"total\":0,\"error\":0,\"items\":[]}");
	accepts("{\"items\":[[\"a\",2],[\"b\",2]],\"k\":2,\"total\":4,"
		"\"error\":0}");
	/* (k + 1) error + counts = 3 * 2 + 4 = total */
	accepts("{\"k\":2,\"total\":10,\"error\":2,\"items\":[[\"a\",2],"
		"[\"b\",2]]}");
	rejects("{\"k\":2,\"total\":9,\"error\":2,\"items\":[[\"a\",2],"
		"[\"b\",2]]}");
	rejects("{\"k\":2,\"total\":3,\"error\":0,\"items\":[[\"a\",2],"
		"[\"b\",2]]}");
	rejects("[]");
	rejects("null");
	rejects("{}");
	rejects("{\"k\":2,\"total\":0,\"error\":0}");
	rejects("{\"k\":2,\"total\":0,\"items\":[]}");
	rejects("{\"k\":2,\"error\":0,\"items\":[]}");
	rejects("{\"total\":0,\"error\":0,\"items\":[]}");
	rejects("{\"k\":2,\"total\":0,\"error\":0,\"items\":[],\"x\":0}");
	/* k */
	rejects("{\"k\":0,\"total\":0,\"error\":0,\"items\":[]}");
	rejects("{\"k\":-1,\"total\":0,\"error\":0,\"items\":[]}");
	rejects("{\"k\":16777217,\"total\":0,\"error\":0,\"items\":[]}");
	rejects("{\"k\":2.0,\"total\":0,\"error\":0,\"items\":[]}");
	rejects("{\"k\":\"2\",\"total\":0,\"error\":0,\"items\":[]}");
	/* total, error */
	rejects("{\"k\":2,\"total\":-1,\"error\":0,\"items\":[]}");
	rejects("{\"k\":2,\"total\":1e3,\"error\":0,\"items\":[]}");
	rejects("{\"k\":2,\"total\":0,\"error\":-1,\"items\":[]}");
	rejects("{\"k\":2,\"total\":0,\"error\":null,\"items\":[]}");
	/* items: type, too many, shape, counts */
	rejects("{\"k\":2,\"total\":0,\"error\":0,\"items\":{}}");
	rejects("{\"k\":1,\"total\":2,\"error\":0,\"items\":[[\"a\",1],"
		"[\"b\",1]]}");
	rejects("{\"k\":2,\"total\":1,\"error\":0,\"items\":[\"a\"]}");
	rejects("{\"k\":2,\"total\":1,\"error\":0,\"items\":[[\"a\"]]}");
	rejects("{\"k\":2,\"total\":1,\"error\":0,\"items\":[[\"a\",1,1]]}");
	rejects("{\"k\":2,\"total\":1,\"error\":0,\"items\":[[1,1]]}");
	rejects("{\"k\":2,\"total\":1,\"error\":0,\"items\":[[\"a\",0]]}");
	rejects("{\"k\":2,\"total\":1,\"error\":0,\"items\":[[\"a\",-1]]}");
	rejects("{\"k\":2,\"total\":1,\"error\":0,\"items\":[[\"a\",1.0]]}");
	rejects("{\"k\":2,\"total\":1,\"error\":0,\"items\":[[\"a\",\"1\"]]}");
	/* order and duplicates */
	rejects("{\"k\":2,\"total\":3,\"error\":0,\"items\":[[\"a\",1],"
		"[\"b\",2]]}");
	rejects("{\"k\":2,\"total\":2,\"error\":0,\"items\":[[\"b\",1],"
		"[\"a\",1]]}");
	rejects("{\"k\":2,\"total\":2,\"error\":0,\"items\":[[\"a\",1],"
		"[\"a\",1]]}");
	rejects("{\"k\":2,\"total\":3,\"error\":0,\"items\":[[\"a\",2],"
		"[\"a\",1]]}");
	/* the hex: form: only for values that need it, lowercase, even */
	accepts("{\"k\":2,\"total\":1,\"error\":0,\"items\":[[\"hex:ff\",1]]}");
	rejects("{\"k\":2,\"total\":1,\"error\":0,\"items\":[[\"hex:\",1]]}");
	rejects("{\"k\":2,\"total\":1,\"error\":0,\"items\":[[\"hex:61\",1]]}");
	rejects("{\"k\":2,\"total\":1,\"error\":0,\"items\":[[\"hex:FF\",1]]}");
	rejects("{\"k\":2,\"total\":1,\"error\":0,\"items\":[[\"hex:f\",1]]}");
	rejects("{\"k\":2,\"total\":1,\"error\":0,\"items\":[[\"hex:fg\",1]]}");
	rejects(
	    "{\"k\":2,\"total\":1,\"error\":0,\"items\":[[\"hex:ff \",1]]}");
	rejects("{\"k\":2,\"total\":1,\"error\":0,\"items\":[[\"a\\u0000\","
		"1]]}");
	/* "hex" is text, odd digits */
	rejects("{\"k\":2,\"total\":1,\"error\":0,\"items\":[[\"hex:686578\","
		"1]]}");
	rejects("{\"k\":2,\"total\":1,\"error\":0,\"items\":[[\"hex:68657\","
		"1]]}");
	/* the "hex:" value itself */
	accepts("{\"k\":2,\"total\":1,\"error\":0,\"items\":[[\"hex:6865783a\","
		"1]]}");
	/* order by bytes, with the hex: values at their bytes' place */
	accepts("{\"k\":3,\"total\":3,\"error\":0,\"items\":[[\"a\",1],"
		"[\"hex:61ff\",1],[\"b\",1]]}");
	rejects("{\"k\":3,\"total\":3,\"error\":0,\"items\":[[\"a\",1],"
		"[\"b\",1],[\"hex:61ff\",1]]}");
}

Test(sketch_freq, byte_cap)
{
	prep_freq *f = new_freq(4, 10), *g;
	const char *why;
	char *before, *after;

	add(f, "aaaa", 1);
	add(f, "bbbb", 1);
	add(f, "cc", 1);
	before = text_of(f);
	cr_assert_eq(prep_freq_add(f, "d", 1, 1), PREP_ERR_LIMIT);
	after = text_of(f);
	cr_assert_str_eq(before, after);
	free(after);
	add(f, "", 3); /* 0 bytes fit */
	add(f, "aaaa", 1);
	prep_freq_free(f);
	/* full: a subtraction that frees room, then one that does not */
	f = new_freq(2, 8);
	add(f, "aaaa", 1);
	add(f, "bbbb", 5);
	add(f, "cccc", 3); /* subtract 1: aaaa drops, cccc keeps 2 */
	assert_text(f,
		    "{\"k\":2,\"total\":9,\"error\":1,\"items\":[[\"bbbb\",4],"
		    "[\"cccc\",2]]}");
	free(before);
	before = text_of(f);
	/* subtract 2: bbbb stays (4 bytes), dddddddd would need 8 more */
	cr_assert_eq(prep_freq_add(f, "dddddddd", 8, 10), PREP_ERR_LIMIT);
	after = text_of(f);
	cr_assert_str_eq(before, after);
	free(after);
	/* the same with count 2: dddddddd drops at once, no bytes needed */
	add(f, "dddddddd", 2);
	assert_text(
	    f, "{\"k\":2,\"total\":11,\"error\":3,\"items\":[[\"bbbb\",2]]}");
	/* merge past the cap leaves into as it was */
	g = new_freq(2, 0);
	add(g, "eeeeeeee", 9);
	free(before);
	before = text_of(f);
	cr_assert_eq(prep_freq_merge(f, g), PREP_ERR_LIMIT);
	after = text_of(f);
	cr_assert_str_eq(before, after);
	free(after);
	free(before);
	/* from_json under a smaller cap */
	cr_assert_eq(from_text("{\"k\":2,\"total\":2,\"error\":0,\"items\":["
			       "[\"aaaa\",1],[\"bbbb\",1]]}",
			       7, &why),
		     PREP_ERR_LIMIT);
	cr_assert_not_null(why);
	cr_assert_eq(from_text("{\"k\":2,\"total\":2,\"error\":0,\"items\":["
			       "[\"aaaa\",1],[\"bbbb\",1]]}",
			       8, &why),
		     PREP_OK);
	prep_freq_free(f);
	prep_freq_free(g);
}

/* total stays below 2^63: the add or merge that would reach it fails. */
Test(sketch_freq, count_limit)
{
	prep_freq *f = new_freq(2, 0), *g = new_freq(2, 0);
	uint64_t big = (uint64_t)INT64_MAX - 1;

	cr_assert_eq(prep_freq_add(f, "a", 1, big), PREP_OK);
	cr_assert_eq(prep_freq_add(f, "b", 1, 2), PREP_ERR_RANGE);
	cr_assert_eq(prep_freq_add(f, "b", 1, 1), PREP_OK);
	cr_assert_eq(prep_freq_total(f), (uint64_t)INT64_MAX);
	cr_assert_eq(prep_freq_add(f, "b", 1, 1), PREP_ERR_RANGE);
	add(g, "a", 1);
	cr_assert_eq(prep_freq_merge(f, g), PREP_ERR_RANGE);
	round_trip(f);
	prep_freq_free(f);
	prep_freq_free(g);
}
