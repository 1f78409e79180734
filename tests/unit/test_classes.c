/*
 * test_classes.c: unit tests of libprep/classes.c, the table of
 * equivalence classes of quasi-identifiers that kcheck builds.
 *
 * Written from the contract (classes.h, kcheck(1)), not from
 * the implementation: class ids dense in order of first appearance, keys
 * compared byte for byte (an empty value is a value, embedded NULs count,
 * the tuple encoding is unambiguous), lookups of known and unknown rows,
 * the distinct sensitive values and their counts per class, and the cap
 * on classes and values. Every expected figure is counted by hand in the
 * comment beside the table. Then 12,000 generated rows against a
 * brute-force count (classes found by a linear search of the list of
 * classes, counts per class and value in an array): ids, keys, sizes and
 * every (class, value) count, under the table's own hash, under a test
 * hash that gives every key one fingerprint, and under one that gives
 * every key and pair one whole hash (strset.h's bound on probes then
 * turns the sets and the pairs to SipHash midway).
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "classes.h"
#include "strset.h"

/* A string literal as a field, embedded NULs included. */
#define F(lit) ((prep_field){(lit), sizeof(lit) - 1})

static prep_classes *tab;

static void
teardown(void)
{
	prep_classes_free(tab);
	tab = NULL;
}

TestSuite(classes, .fini = teardown);

static prep_classes *
mk(const size_t *qi, size_t nqi, long sensitive, size_t max)
{
	prep_status st;

	tab = NULL;
	st = prep_classes_new(qi, nqi, sensitive, max, &tab);
	cr_assert_eq(st, PREP_OK, "prep_classes_new: %s", prep_strerror(st));
	cr_assert_not_null(tab);
	return tab;
}

/* Add a row that must succeed; its class id. */
static size_t
add(const prep_field *row)
{
	size_t id = (size_t)-1;
	prep_status st = prep_classes_add(tab, row, &id);

	cr_assert_eq(st, PREP_OK, "prep_classes_add: %s", prep_strerror(st));
	cr_assert_neq(id, (size_t)-1, "id not set");
	return id;
}

/* The class of a row that must be known. */
static size_t
find(const prep_field *row)
{
	size_t id = (size_t)-1;
	prep_status st = prep_classes_find(tab, row, &id);

	cr_assert_eq(st, PREP_OK, "prep_classes_find: %s", prep_strerror(st));
	return id;
}

static void
not_found(const prep_field *row)
{
	size_t id = 12345;
	prep_status st = prep_classes_find(tab, row, &id);

	cr_assert_eq(st, PREP_ERR_NOT_FOUND, "find of an unknown row: %d (%s)",
		     st, prep_strerror(st));
}

/*
 * The id of the sensitive value with these bytes, or -1; also checks that
 * no two value ids hold the same bytes.
 */
static long
value_id(const char *data, size_t len)
{
	long found = -1;

	for (size_t v = 0; v < prep_classes_values(tab); v++) {
		prep_field f = prep_classes_value(tab, v);

		if (f.len == len &&
		    (len == 0 || memcmp(f.data, data, len) == 0)) {
			cr_assert_eq(found, -1,
				     "two value ids with the same bytes");
			found = (long)v;
		}
	}
	return found;
}

/*
 * The count of value (data, len) in class id (0 when absent), after
 * checking the whole distribution: value ids in range and distinct,
 * counts positive, summing to the class size.
 */
static uint64_t
count_of(size_t id, const char *data, size_t len)
{
	const prep_class_count *cc = NULL;
	size_t n = 0, nv = prep_classes_values(tab);
	uint64_t sum = 0, want = 0;
	long v = value_id(data, len);
	prep_status st = prep_classes_dist(tab, id, &cc, &n);

	cr_assert_eq(st, PREP_OK, "prep_classes_dist: %s", prep_strerror(st));
	cr_assert(n == 0 || cc != NULL);
	for (size_t i = 0; i < n; i++) {
		cr_assert_lt(cc[i].value, nv, "value id out of range");
		cr_assert_gt(cc[i].count, 0, "a zero count listed");
		for (size_t j = 0; j < i; j++)
			cr_assert_neq(cc[i].value, cc[j].value,
				      "value listed twice in a class");
		sum += cc[i].count;
		if (v >= 0 && cc[i].value == (size_t)v)
			want = cc[i].count;
	}
	cr_assert_eq(sum, prep_classes_size(tab, id),
		     "counts sum to %" PRIu64 ", class size %" PRIu64, sum,
		     prep_classes_size(tab, id));
	return want;
}

/* Number of (value, count) pairs of class id. */
static size_t
dist_len(size_t id)
{
	const prep_class_count *cc = NULL;
	size_t n = 99;

	cr_assert_eq(prep_classes_dist(tab, id, &cc, &n), PREP_OK);
	return n;
}

/*
 * One QI. Rows b a b c a b: b is class 0 (rows 1, 3, 6: size 3), a is 1
 * (rows 2, 5: size 2), c is 2 (row 4: size 1); 6 rows, 3 classes. Then d
 * added with a NULL id pointer becomes class 3.
 */
Test(classes, ids_dense_in_first_appearance_order)
{
	static const size_t qi[] = {0};
	const prep_field b[] = {F("b")}, a[] = {F("a")}, c[] = {F("c")},
			 d[] = {F("d")};

	mk(qi, 1, -1, 0);
	cr_assert_eq(prep_classes_count(tab), 0);
	cr_assert_eq(prep_classes_rows(tab), 0);
	cr_assert_eq(add(b), 0);
	cr_assert_eq(add(a), 1);
	cr_assert_eq(add(b), 0);
	cr_assert_eq(add(c), 2);
	cr_assert_eq(add(a), 1);
	cr_assert_eq(add(b), 0);
	cr_assert_eq(prep_classes_count(tab), 3);
	cr_assert_eq(prep_classes_rows(tab), 6);
	cr_assert_eq(prep_classes_size(tab, 0), 3);
	cr_assert_eq(prep_classes_size(tab, 1), 2);
	cr_assert_eq(prep_classes_size(tab, 2), 1);

	cr_assert_eq(prep_classes_add(tab, d, NULL), PREP_OK);
	cr_assert_eq(prep_classes_count(tab), 4);
	cr_assert_eq(prep_classes_rows(tab), 7);
	cr_assert_eq(prep_classes_size(tab, 3), 1);
	cr_assert_eq(find(d), 3);
	cr_assert_eq(find(b), 0);
}

/*
 * Two QIs (columns 0, 1) and a third column that is not a QI. find gives
 * the class of a counted tuple whatever the other column holds, and
 * PREP_ERR_NOT_FOUND for a tuple never added; it counts nothing.
 */
Test(classes, find_known_and_unknown_rows)
{
	static const size_t qi[] = {0, 1};
	const prep_field r1[] = {F("130"), F("30"), F("x")};
	const prep_field r2[] = {F("131"), F("30"), F("y")};
	const prep_field r1b[] = {F("130"), F("30"), F("other")};
	const prep_field u1[] = {F("130"), F("31"), F("x")};
	const prep_field u2[] = {F("30"), F("130"), F("x")};
	const prep_field u3[] = {F("13"), F("030"), F("x")};

	mk(qi, 2, -1, 0);
	not_found(r1); /* empty table */
	cr_assert_eq(add(r1), 0);
	cr_assert_eq(add(r2), 1);
	cr_assert_eq(find(r1), 0);
	cr_assert_eq(find(r1b), 0);
	cr_assert_eq(find(r2), 1);
	not_found(u1);
	not_found(u2);
	not_found(u3);
	cr_assert_eq(prep_classes_count(tab), 2);
	cr_assert_eq(prep_classes_rows(tab), 2);
	cr_assert_eq(add(r1b), 0);
	cr_assert_eq(prep_classes_size(tab, 0), 2);
}

/*
 * QIs need not be the first columns nor in order: qi = {2, 0} of four
 * columns; columns 1 and 3 do not matter. (x,_,y,_) and (y,_,x,_) are
 * different tuples.
 */
Test(classes, qi_columns_anywhere)
{
	static const size_t qi[] = {2, 0};
	const prep_field r1[] = {F("x"), F("1"), F("y"), F("2")};
	const prep_field r2[] = {F("x"), F("3"), F("y"), F("4")};
	const prep_field r3[] = {F("y"), F("1"), F("x"), F("2")};
	const prep_field r4[] = {F("x"), F("1"), F("x"), F("2")};

	mk(qi, 2, -1, 0);
	cr_assert_eq(add(r1), 0);
	cr_assert_eq(add(r2), 0);
	cr_assert_eq(add(r3), 1);
	cr_assert_eq(add(r4), 2);
	cr_assert_eq(prep_classes_count(tab), 3);
	cr_assert_eq(prep_classes_size(tab, 0), 2);
	cr_assert_eq(prep_classes_size(tab, 1), 1);
	cr_assert_eq(prep_classes_size(tab, 2), 1);
}

/*
 * Byte for byte: "a" "A" "a " " a" "" " " "a\0" "a\0b" are eight different
 * values (embedded NULs count), and "" is a value like any other.
 */
Test(classes, keys_byte_for_byte_one_qi)
{
	static const size_t qi[] = {0};
	const prep_field v[][1] = {{F("a")}, {F("A")}, {F("a ")},  {F(" a")},
				   {F("")},  {F(" ")}, {F("a\0")}, {F("a\0b")}};
	const size_t n = sizeof(v) / sizeof(v[0]);

	mk(qi, 1, -1, 0);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(add(v[i]), i, "value %zu", i);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(add(v[i]), i, "value %zu again", i);
	cr_assert_eq(prep_classes_count(tab), n);
	cr_assert_eq(prep_classes_rows(tab), 2 * n);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(prep_classes_size(tab, i), 2);
}

/*
 * Tuples: ("a","") ("","a") ("","") ("a","a") are four classes; so are
 * ("ab","c") and ("a","bc"), and ("a\0","b") and ("a","\0b").
 */
Test(classes, empty_values_and_split_points)
{
	static const size_t qi[] = {0, 1};
	const prep_field t[][2] = {{F("a"), F("")},    {F(""), F("a")},
				   {F(""), F("")},     {F("a"), F("a")},
				   {F("ab"), F("c")},  {F("a"), F("bc")},
				   {F("a\0"), F("b")}, {F("a"), F("\0b")},
				   {F("abc"), F("")},  {F(""), F("abc")}};
	const size_t n = sizeof(t) / sizeof(t[0]);

	mk(qi, 2, -1, 0);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(add(t[i]), i, "tuple %zu", i);
	cr_assert_eq(prep_classes_count(tab), n);
	for (size_t i = n; i-- > 0;)
		cr_assert_eq(find(t[i]), i, "tuple %zu", i);
}

/* The fields of length 0..2 over a small alphabet of awkward bytes. */
static const char alpha[] = {'a', 'b', '\0', '\x1f', '\\', '\xff', ','};
#define NALPHA (sizeof(alpha))
#define NWORDS (1 + NALPHA + NALPHA * NALPHA)

static prep_field
word(size_t i, char buf[2])
{
	prep_field f = {buf, 0};

	if (i == 0)
		return f;
	i--;
	if (i < NALPHA) {
		buf[0] = alpha[i];
		f.len = 1;
		return f;
	}
	i -= NALPHA;
	buf[0] = alpha[i / NALPHA];
	buf[1] = alpha[i % NALPHA];
	f.len = 2;
	return f;
}

/*
 * Every pair of those words (57 x 57 = 3249 tuples, all different) must be
 * its own class, whatever separator or escape byte an encoding picks: ids
 * 0.. in the order added, the same id when added again and when found.
 */
Test(classes, tuple_encoding_unambiguous_pairs)
{
	static const size_t qi[] = {0, 1};
	char b0[2], b1[2];
	prep_field row[2];
	size_t id = 0;

	mk(qi, 2, -1, 0);
	for (int pass = 0; pass < 2; pass++) {
		id = 0;
		for (size_t i = 0; i < NWORDS; i++)
			for (size_t j = 0; j < NWORDS; j++, id++) {
				row[0] = word(i, b0);
				row[1] = word(j, b1);
				cr_assert_eq(add(row), id,
					     "pass %d, pair %zu %zu", pass, i,
					     j);
			}
	}
	cr_assert_eq(prep_classes_count(tab), NWORDS * NWORDS);
	cr_assert_eq(prep_classes_rows(tab), 2 * NWORDS * NWORDS);
	id = 0;
	for (size_t i = 0; i < NWORDS; i++)
		for (size_t j = 0; j < NWORDS; j++, id++) {
			row[0] = word(i, b0);
			row[1] = word(j, b1);
			cr_assert_eq(find(row), id);
			cr_assert_eq(prep_classes_size(tab, id), 2);
		}
}

/* Triples over {"", a, \0, \\, and pairs of them}: 13^3 = 2197 classes. */
Test(classes, tuple_encoding_unambiguous_triples)
{
	static const size_t qi[] = {0, 1, 2};
	static const char ab[] = {'a', '\0', '\\'};
	char buf[3][2];
	prep_field row[3];
	const size_t nw = 1 + 3 + 9;
	size_t id = 0, w[3];

	mk(qi, 3, -1, 0);
	for (w[0] = 0; w[0] < nw; w[0]++)
		for (w[1] = 0; w[1] < nw; w[1]++)
			for (w[2] = 0; w[2] < nw; w[2]++, id++) {
				for (int f = 0; f < 3; f++) {
					size_t i = w[f];

					row[f].data = buf[f];
					if (i == 0) {
						row[f].len = 0;
					} else if (i <= 3) {
						buf[f][0] = ab[i - 1];
						row[f].len = 1;
					} else {
						buf[f][0] = ab[(i - 4) / 3];
						buf[f][1] = ab[(i - 4) % 3];
						row[f].len = 2;
					}
				}
				cr_assert_eq(add(row), id);
			}
	cr_assert_eq(prep_classes_count(tab), nw * nw * nw);
}

/*
 * Long fields: ("x"*n, "x"*(L-n)) for n = 0..L are L+1 different tuples
 * whose concatenation is the same; an encoding that kept only part of a
 * length (say one byte of it) would merge some of them. L = 600 for every
 * n, then lengths around 2^16 for a few n.
 */
Test(classes, tuple_encoding_keeps_whole_lengths)
{
	static const size_t qi[] = {0, 1};
	static const size_t big[] = {0,	    1,	   255,	  256,	 257,
				     65535, 65536, 65537, 65538, 65539};
	const size_t L = 600, BL = 65539;
	char *x = malloc(BL);
	prep_field row[2];
	size_t id = 0;

	cr_assert_not_null(x);
	memset(x, 'x', BL);
	mk(qi, 2, -1, 0);
	for (size_t n = 0; n <= L; n++, id++) {
		row[0] = (prep_field){x, n};
		row[1] = (prep_field){x, L - n};
		cr_assert_eq(add(row), id, "split at %zu", n);
	}
	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++, id++) {
		row[0] = (prep_field){x, big[i]};
		row[1] = (prep_field){x, BL - big[i]};
		cr_assert_eq(add(row), id, "split at %zu of %zu", big[i], BL);
	}
	cr_assert_eq(prep_classes_count(tab), id);
	row[0] = (prep_field){x, 300};
	row[1] = (prep_field){x, 300};
	cr_assert_eq(find(row), 300);
	free(x);
}

/* A field of runs: n1 bytes c1, then n2 bytes c2, then n3 bytes c3. */
static prep_field
runs(char *buf, size_t n1, int c1, size_t n2, int c2, size_t n3, int c3)
{
	memset(buf, c1, n1);
	memset(buf + n1, c2, n2);
	memset(buf + n1 + n2, c3, n3);
	return (prep_field){buf, n1 + n2 + n3};
}

/*
 * Two tuples that collide under "length prefix kept modulo 2^w, then the
 * bytes" for some w, yet differ: (a, b) and (a', b') with
 *   a  = "x" * M                 b  = "y" * (M-w') + T + "z" * m
 *   a' = a + T + "y" * (M-w')    b' = "z" * m
 * where M = 2^w, T the w' bytes of the prefix of m (m mod M), so that
 * prefix(a) = prefix(a') (M = 2M mod M) and prefix(b) = prefix(b') = T.
 * Cases: one byte (M 256, m 600 -> 88 = 'X'), 7 bits with a continuation
 * flag (M 128, m 300 -> 0x80|44 = 0xAC), two bytes either endian (M 65536,
 * m 0x4141 -> "AA").
 */
Test(classes, tuple_encoding_no_truncated_lengths)
{
	static const size_t qi[] = {0, 1};
	static const struct {
		size_t M, m, wb;
		const char *T;
	} cs[] = {{256, 600 - 256, 1, "X"},
		  {128, 300 - 128, 1, "\xac"},
		  {65536, 0x4141, 2, "AA"}};
	size_t id = 0;

	mk(qi, 2, -1, 0);
	for (size_t i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
		size_t M = cs[i].M, m = cs[i].m, wb = cs[i].wb;
		char *a = malloc(2 * M + 4), *b = malloc(M + m + 4);
		char *a2 = malloc(2 * M + 4), *b2 = malloc(m + 4);
		prep_field t1[2], t2[2];

		cr_assert(a && b && a2 && b2);
		/* b: "y" * (M - wb), T, "z" * m */
		t1[1] = runs(b, M - wb, 'y', 0, 0, m, 'z');
		memmove(b + M, b + M - wb, m);
		memcpy(b + M - wb, cs[i].T, wb);
		t1[1].len = M + m;
		t1[0] = runs(a, M, 'x', 0, 0, 0, 0);
		/* a': "x" * M, T, "y" * (M - wb) */
		memset(a2, 'x', M);
		memcpy(a2 + M, cs[i].T, wb);
		memset(a2 + M + wb, 'y', M - wb);
		t2[0] = (prep_field){a2, 2 * M};
		t2[1] = runs(b2, m, 'z', 0, 0, 0, 0);
		cr_assert_eq(add(t1), id, "case %zu, first tuple", i);
		cr_assert_eq(add(t2), id + 1, "case %zu, second tuple", i);
		cr_assert_eq(find(t1), id);
		cr_assert_eq(find(t2), id + 1);
		id += 2;
		free(a);
		free(b);
		free(a2);
		free(b2);
	}
	cr_assert_eq(prep_classes_count(tab), 6);
}

/*
 * The table keeps its own copy of the key bytes: after the caller's buffer
 * changes, a row with the old bytes (from another buffer) is still found,
 * and the new bytes make a new class.
 */
Test(classes, keys_are_copied)
{
	static const size_t qi[] = {0, 1};
	char b0[8], b1[8];
	prep_field row[2] = {{b0, 5}, {b1, 3}};
	const prep_field same[] = {F("alpha"), F("bet")};
	const prep_field changed[] = {F("ALPHA"), F("bet")};

	memcpy(b0, "alpha", 5);
	memcpy(b1, "bet", 3);
	mk(qi, 2, -1, 0);
	cr_assert_eq(add(row), 0);
	memcpy(b0, "ALPHA", 5);
	cr_assert_eq(find(same), 0);
	not_found(changed);
	cr_assert_eq(add(row), 1);
	cr_assert_eq(find(changed), 1);
	cr_assert_eq(add(same), 0);
	cr_assert_eq(prep_classes_size(tab, 0), 2);
	cr_assert_eq(prep_classes_size(tab, 1), 1);
}

/*
 * Sensitive column 1, QI column 0. Rows:
 *   A flu | A cold | B flu | A flu | B "" | C Flu | A "flu\0"
 * Distinct sensitive values, byte for byte: flu, cold, "", Flu, "flu\0"
 * (5). Class A (id 0, 4 rows): flu 2, cold 1, "flu\0" 1 (3 pairs);
 * B (id 1, 2 rows): flu 1, "" 1 (2 pairs); C (id 2, 1 row): Flu 1.
 */
Test(classes, sensitive_values_and_counts)
{
	static const size_t qi[] = {0};
	const prep_field rows[][2] = {{F("A"), F("flu")},  {F("A"), F("cold")},
				      {F("B"), F("flu")},  {F("A"), F("flu")},
				      {F("B"), F("")},	   {F("C"), F("Flu")},
				      {F("A"), F("flu\0")}};
	static const size_t want_id[] = {0, 0, 1, 0, 1, 2, 0};

	mk(qi, 1, 1, 0);
	for (size_t i = 0; i < 7; i++)
		cr_assert_eq(add(rows[i]), want_id[i], "row %zu", i);
	cr_assert_eq(prep_classes_count(tab), 3);
	cr_assert_eq(prep_classes_rows(tab), 7);
	cr_assert_eq(prep_classes_values(tab), 5);
	cr_assert_geq(value_id("flu", 3), 0);
	cr_assert_geq(value_id("cold", 4), 0);
	cr_assert_geq(value_id("", 0), 0);
	cr_assert_geq(value_id("Flu", 3), 0);
	cr_assert_geq(value_id("flu\0", 4), 0);
	cr_assert_eq(value_id("fl", 2), -1);

	cr_assert_eq(dist_len(0), 3);
	cr_assert_eq(count_of(0, "flu", 3), 2);
	cr_assert_eq(count_of(0, "cold", 4), 1);
	cr_assert_eq(count_of(0, "flu\0", 4), 1);
	cr_assert_eq(count_of(0, "", 0), 0);
	cr_assert_eq(dist_len(1), 2);
	cr_assert_eq(count_of(1, "flu", 3), 1);
	cr_assert_eq(count_of(1, "", 0), 1);
	cr_assert_eq(dist_len(2), 1);
	cr_assert_eq(count_of(2, "Flu", 3), 1);
	cr_assert_eq(count_of(2, "flu", 3), 0);

	/* A fourth "flu" in C, then fetch again: C has Flu 1, flu 1. */
	{
		const prep_field more[] = {F("C"), F("flu")};

		cr_assert_eq(add(more), 2);
	}
	cr_assert_eq(prep_classes_values(tab), 5);
	cr_assert_eq(dist_len(2), 2);
	cr_assert_eq(count_of(2, "flu", 3), 1);
	cr_assert_eq(count_of(2, "Flu", 3), 1);
	cr_assert_eq(count_of(0, "flu", 3), 2);
}

/*
 * Empty values first: the very first sensitive value (and QI) is "", then
 * "" again, then "x". Class "" has "" 2, x 1; 2 values. (Run under UBSan:
 * nothing may be computed from a table that holds no bytes yet.)
 */
Test(classes, empty_values_first)
{
	static const size_t qi[] = {0};
	const prep_field e[] = {F(""), F("")}, x[] = {F(""), F("x")};

	mk(qi, 1, 1, 0);
	cr_assert_eq(add(e), 0);
	cr_assert_eq(add(e), 0);
	cr_assert_eq(find(e), 0);
	cr_assert_eq(add(x), 0);
	cr_assert_eq(prep_classes_count(tab), 1);
	cr_assert_eq(prep_classes_values(tab), 2);
	cr_assert_eq(prep_classes_value(tab, (size_t)value_id("", 0)).len, 0);
	cr_assert_eq(count_of(0, "", 0), 2);
	cr_assert_eq(count_of(0, "x", 1), 1);
}

/* The sensitive column may lie before the QIs; it is not part of the key. */
Test(classes, sensitive_column_not_in_key)
{
	static const size_t qi[] = {1};
	const prep_field r1[] = {F("s1"), F("q")};
	const prep_field r2[] = {F("s2"), F("q")};
	const prep_field r3[] = {F("s1"), F("p")};

	mk(qi, 1, 0, 0);
	cr_assert_eq(prep_classes_has_sensitive(tab), 1);
	cr_assert_eq(add(r1), 0);
	cr_assert_eq(add(r2), 0);
	cr_assert_eq(add(r3), 1);
	cr_assert_eq(prep_classes_values(tab), 2);
	cr_assert_eq(dist_len(0), 2);
	cr_assert_eq(count_of(0, "s1", 2), 1);
	cr_assert_eq(count_of(0, "s2", 2), 1);
	cr_assert_eq(count_of(1, "s1", 2), 1);
}

/* Without a sensitive column: no values, and every class's list is empty. */
Test(classes, no_sensitive_column)
{
	static const size_t qi[] = {0};
	const prep_field r1[] = {F("a"), F("x")};
	const prep_field r2[] = {F("a"), F("y")};

	mk(qi, 1, -1, 0);
	cr_assert_eq(prep_classes_has_sensitive(tab), 0);
	cr_assert_eq(add(r1), 0);
	cr_assert_eq(add(r2), 0);
	cr_assert_eq(prep_classes_values(tab), 0);
	cr_assert_eq(dist_len(0), 0);
}

/*
 * A key past PREP_BUF_DEFAULT_MAX bytes, each field counted at its longest
 * encoding (its length and PREP_TUPLE_OVERHEAD), is PREP_ERR_LIMIT with
 * the buffer as it was, however the lengths add up (one too long alone,
 * two whose sum wraps); a key of exactly that many is encoded, as its two
 * fields' bytes after a varint of each length.
 */
Test(classes, encoded_key_limit)
{
	static const size_t qi[] = {1, 0};
	const size_t max = PREP_BUF_DEFAULT_MAX, o = PREP_TUPLE_OVERHEAD;
	char *big = calloc(max, 1);
	prep_field row[2] = {{"ab", 2}, {"c", 1}};
	const unsigned char *p;
	prep_buf out;
	prep_field k;

	cr_assert_not_null(big);
	mk(qi, 2, -1, 0);
	/* a buffer that could take more: the limit is the key's */
	prep_buf_init(&out, 2 * max);
	cr_assert_eq(prep_buf_append(&out, "x", 1), PREP_OK);
	row[0] = (prep_field){big, max - 2 * o};
	cr_assert_eq(prep_classes_encode(tab, row, &out), PREP_ERR_LIMIT);
	row[0] = (prep_field){big, max + 1};
	row[1] = (prep_field){"c", 0};
	cr_assert_eq(prep_classes_encode(tab, row, &out), PREP_ERR_LIMIT);
	row[0] = (prep_field){big, SIZE_MAX / 2 + 1};
	row[1] = (prep_field){big, SIZE_MAX / 2 + 1};
	cr_assert_eq(prep_classes_encode(tab, row, &out), PREP_ERR_LIMIT);
	cr_assert_eq(out.len, 1);
	cr_assert_eq(out.data[0], 'x');
	/* the limit itself, into an empty buffer: max - 2 o bytes of
	 * fields, one of them here */
	prep_buf_reset(&out);
	row[0] = (prep_field){big, max - 2 * o - 1};
	row[1] = (prep_field){"c", 1};
	cr_assert_eq(prep_classes_encode(tab, row, &out), PREP_OK);
	p = (const unsigned char *)out.data;
	k = prep_tuple_next(&p);
	cr_assert_eq(k.len, 1);
	cr_assert_eq(k.data[0], 'c');
	k = prep_tuple_next(&p);
	cr_assert_eq(k.len, max - 2 * o - 1);
	/* after "c" and the 4 bytes of a 28-bit length */
	cr_assert_eq(k.data, out.data + 2 + 4);
	cr_assert_eq((const char *)p, out.data + out.len);
	prep_buf_free(&out);
	free(big);
}

/*
 * max_classes = 2: classes a and b are counted, c fails with
 * PREP_ERR_LIMIT and is not entered (2 classes, 3 rows, c not found);
 * rows of a and b are still counted afterwards.
 */
Test(classes, max_classes_cap)
{
	static const size_t qi[] = {0};
	const prep_field a[] = {F("a")}, b[] = {F("b")}, c[] = {F("c")};
	size_t id = 77;

	mk(qi, 1, -1, 2);
	cr_assert_eq(add(a), 0);
	cr_assert_eq(add(b), 1);
	cr_assert_eq(add(a), 0);
	cr_assert_eq(prep_classes_add(tab, c, &id), PREP_ERR_LIMIT);
	cr_assert_eq(prep_classes_add(tab, c, NULL), PREP_ERR_LIMIT);
	cr_assert_eq(prep_classes_count(tab), 2);
	cr_assert_eq(prep_classes_rows(tab), 3);
	not_found(c);
	cr_assert_eq(add(b), 1);
	cr_assert_eq(prep_classes_rows(tab), 4);
	cr_assert_eq(prep_classes_size(tab, 0), 2);
	cr_assert_eq(prep_classes_size(tab, 1), 2);
}

/*
 * The same cap holds for distinct sensitive values: with max 2, (A,x) and
 * (A,y) are counted, (A,z) fails (a third value) and is not counted; (B,x)
 * makes the second class; (C,x) fails (a third class), (C,w) too. At the
 * end: 2 classes, 3 rows, 2 values; A: x 1, y 1; B: x 1.
 */
Test(classes, max_values_cap)
{
	static const size_t qi[] = {0};
	const prep_field ax[] = {F("A"), F("x")}, ay[] = {F("A"), F("y")},
			 az[] = {F("A"), F("z")}, bx[] = {F("B"), F("x")},
			 cx[] = {F("C"), F("x")}, cw[] = {F("C"), F("w")};

	mk(qi, 1, 1, 2);
	cr_assert_eq(add(ax), 0);
	cr_assert_eq(add(ay), 0);
	cr_assert_eq(prep_classes_add(tab, az, NULL), PREP_ERR_LIMIT);
	cr_assert_eq(add(bx), 1);
	cr_assert_eq(prep_classes_add(tab, cx, NULL), PREP_ERR_LIMIT);
	cr_assert_eq(prep_classes_add(tab, cw, NULL), PREP_ERR_LIMIT);
	cr_assert_eq(prep_classes_count(tab), 2);
	cr_assert_eq(prep_classes_values(tab), 2);
	cr_assert_eq(value_id("z", 1), -1);
	cr_assert_eq(value_id("w", 1), -1);
	cr_assert_eq(prep_classes_rows(tab), 3, "rows %" PRIu64 ", want 3",
		     prep_classes_rows(tab));
	cr_assert_eq(prep_classes_size(tab, 0), 2);
	cr_assert_eq(count_of(0, "x", 1), 1);
	cr_assert_eq(count_of(0, "y", 1), 1);
	cr_assert_eq(count_of(1, "x", 1), 1);
	cr_assert_eq(add(ay), 0);
	cr_assert_eq(count_of(0, "y", 1), 2);
}

/*
 * Growth: 5000 classes "k<i>", each given 3 rows in three passes (so rows
 * of a class are far apart). Class i gets sensitive value v<i%7> in passes
 * 0 and 2 and v<(i+1)%7> in pass 1: 2 distinct values, counts 2 and 1;
 * 7 values in all.
 */
Test(classes, many_classes)
{
	static const size_t qi[] = {0};
	const size_t n = 5000;
	char kb[16], vb[16], vb2[16];
	prep_field row[2];

	mk(qi, 1, 1, 0);
	for (size_t j = 0; j < 3; j++)
		for (size_t i = 0; i < n; i++) {
			int kl = snprintf(kb, sizeof kb, "k%zu", i);
			int vl =
			    snprintf(vb, sizeof vb, "v%zu", (i + (j == 1)) % 7);

			row[0] = (prep_field){kb, (size_t)kl};
			row[1] = (prep_field){vb, (size_t)vl};
			cr_assert_eq(add(row), i, "class %zu pass %zu", i, j);
		}
	cr_assert_eq(prep_classes_count(tab), n);
	cr_assert_eq(prep_classes_rows(tab), 3 * n);
	cr_assert_eq(prep_classes_values(tab), 7);
	for (size_t i = 0; i < n; i++) {
		int kl = snprintf(kb, sizeof kb, "k%zu", i);
		int vl = snprintf(vb, sizeof vb, "v%zu", i % 7);
		int vl2 = snprintf(vb2, sizeof vb2, "v%zu", (i + 1) % 7);

		row[0] = (prep_field){kb, (size_t)kl};
		cr_assert_eq(find(row), i);
		cr_assert_eq(prep_classes_size(tab, i), 3);
		cr_assert_eq(dist_len(i), 2);
		cr_assert_eq(count_of(i, vb, (size_t)vl), 2);
		cr_assert_eq(count_of(i, vb2, (size_t)vl2), 1);
	}
	row[0] = F("k5000");
	not_found(row);
}

/* One class with 300 distinct sensitive values, value i seen i%3+1 times. */
Test(classes, many_values_in_one_class)
{
	static const size_t qi[] = {0};
	char vb[16];
	prep_field row[2];
	uint64_t total = 0;

	mk(qi, 1, 1, 0);
	row[0] = F("q");
	for (size_t i = 0; i < 300; i++)
		for (size_t j = 0; j <= i % 3; j++) {
			int vl = snprintf(vb, sizeof vb, "%zu", i);

			row[1] = (prep_field){vb, (size_t)vl};
			cr_assert_eq(add(row), 0);
			total++;
		}
	/* 100 values each once, twice and three times: 600 rows. */
	cr_assert_eq(total, 600);
	cr_assert_eq(prep_classes_rows(tab), 600);
	cr_assert_eq(prep_classes_values(tab), 300);
	cr_assert_eq(dist_len(0), 300);
	for (size_t i = 0; i < 300; i++) {
		int vl = snprintf(vb, sizeof vb, "%zu", i);

		cr_assert_eq(count_of(0, vb, (size_t)vl), i % 3 + 1);
	}
}

/* v is the text lit */
static void
assert_value(prep_field v, const char *lit)
{
	cr_assert_eq(v.len, strlen(lit), "length %zu, want %zu", v.len,
		     strlen(lit));
	cr_assert(memcmp(v.data, lit, v.len) == 0);
}

/*
 * A class named on the command line: the first n-1 separators split, the
 * last value keeps the rest; too few separators is PREP_ERR_VALUE.
 */
Test(classes, split_name)
{
	prep_field v[3];
	const char *t;

	t = "F:1";
	cr_assert_eq(prep_classes_split_name(t, 3, ':', v, 2), PREP_OK);
	assert_value(v[0], "F");
	assert_value(v[1], "1");
	t = "a:b:c:d";
	cr_assert_eq(prep_classes_split_name(t, 7, ':', v, 3), PREP_OK);
	assert_value(v[0], "a");
	assert_value(v[1], "b");
	assert_value(v[2], "c:d");
	/* empty values are values */
	t = ":,";
	cr_assert_eq(prep_classes_split_name(t, 2, ':', v, 2), PREP_OK);
	assert_value(v[0], "");
	assert_value(v[1], ",");
	cr_assert_eq(prep_classes_split_name(t, 2, ',', v, 2), PREP_OK);
	assert_value(v[0], ":");
	assert_value(v[1], "");
	/* one column: the whole text, separators and all */
	t = "10:30,x";
	cr_assert_eq(prep_classes_split_name(t, 7, ':', v, 1), PREP_OK);
	assert_value(v[0], "10:30,x");
	/* too few separators */
	cr_assert_eq(prep_classes_split_name("F,1", 3, ':', v, 2),
		     PREP_ERR_VALUE);
	cr_assert_eq(prep_classes_split_name("a:b", 3, ':', v, 3),
		     PREP_ERR_VALUE);
	cr_assert_eq(prep_classes_split_name("", 0, ':', v, 2), PREP_ERR_VALUE);
}

/* ---- the table against a brute-force count ---- */

/* A mix of the key's bytes (FNV-1a, then multiply-xorshift). */
static uint64_t
mix(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	return h ^ h >> 32;
}

/* strset.h's test hashes: one fingerprint for every key, slots spread;
 * or one whole hash for every key (classes and pairs alike). */
static uint64_t
one_fingerprint(const void *key, size_t len)
{
	return 0x5a5a5aULL << 40 | (mix(key, len) & ((1ULL << 40) - 1));
}

static uint64_t
one_hash(const void *key, size_t len)
{
	(void)key;
	(void)len;
	return 0x0123456789abcdefULL;
}

#define BF_ROWS 12000
#define BF_VALUES 7

/* A row's three quasi-identifiers and its sensitive value, as text. */
struct bf_row {
	char q[3][8];
	size_t qlen[3];
	size_t value;
};

/* The brute force: classes as the list of their first rows. */
static struct bf_row rows[BF_ROWS];
static size_t first_row[BF_ROWS], nclasses, row_class[BF_ROWS];
static uint64_t bf_count[BF_ROWS][BF_VALUES];

static int
same_key(const struct bf_row *a, const struct bf_row *b)
{
	for (int j = 0; j < 3; j++)
		if (a->qlen[j] != b->qlen[j] ||
		    memcmp(a->q[j], b->q[j], a->qlen[j]) != 0)
			return 0;
	return 1;
}

/*
 * Rows from a fixed generator: q0 one of 40 numbers, q1 0 to 3 bytes of
 * "a", NUL and "b" (empty values and embedded NULs), q2 one of 6 words;
 * the value mostly v0, else one of the other six, so that classes see
 * their first value again and other values too. Each class is found by
 * a linear search of the classes before it.
 */
static void
make_rows(void)
{
	uint64_t s = 0x2545f4914f6cdd1dULL;

	nclasses = 0;
	memset(bf_count, 0, sizeof bf_count);
	for (size_t i = 0; i < BF_ROWS; i++) {
		struct bf_row *r = &rows[i];
		size_t c;

		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		r->qlen[0] = (size_t)snprintf(r->q[0], sizeof r->q[0], "%u",
					      (unsigned)(s >> 33) % 40);
		r->qlen[1] = (size_t)(s >> 20) % 4;
		for (size_t j = 0; j < r->qlen[1]; j++)
			r->q[1][j] = "a\0b"[(s >> (40 + 2 * j)) % 3];
		r->qlen[2] = (size_t)snprintf(r->q[2], sizeof r->q[2], "w%u",
					      (unsigned)(s >> 50) % 6);
		r->value = (s >> 8) % 4 ? 0 : 1 + (size_t)(s >> 12) % 6;
		for (c = 0; c < nclasses; c++)
			if (same_key(&rows[first_row[c]], r))
				break;
		if (c == nclasses)
			first_row[nclasses++] = i;
		row_class[i] = c;
		bf_count[c][r->value]++;
	}
}

static void
row_fields(const struct bf_row *r, prep_field *f, char *vbuf)
{
	/* columns: q0, value, q2, q1 (the QIs out of order) */
	f[0] = (prep_field){r->q[0], r->qlen[0]};
	f[2] = (prep_field){r->q[2], r->qlen[2]};
	f[3] = (prep_field){r->q[1], r->qlen[1]};
	f[1] = (prep_field){vbuf, (size_t)snprintf(vbuf, 8, "v%zu", r->value)};
}

/*
 * Count the rows, then check every class, size, count and find against
 * the brute force. encoded 1: the rows' keys are first encoded one after
 * the other into one buffer (prep_classes_encode appends, as into a
 * thread's side buffer, which grows and moves under it), then counted
 * from there with prep_classes_add_encoded; each key encoded must be
 * the bytes the table holds for its class. encoded 2: the same with
 * their hashes taken as they are encoded (prep_classes_encode_at), all
 * before the first is counted (so before the sets turn to SipHash, under
 * one_hash), and counted with prep_classes_add_encoded_at.
 */
static void
check_brute_force(int encoded)
{
	static const size_t qi[] = {0, 3, 2};
	static size_t off[BF_ROWS + 1];
	static prep_strset_pos pos[BF_ROWS];
	prep_field f[4], k[3];
	char vbuf[8];
	prep_buf keys;

	make_rows();
	mk(qi, 3, 1, 0);
	prep_buf_init(&keys, 0);
	for (size_t i = 0; encoded && i < BF_ROWS; i++) {
		row_fields(&rows[i], f, vbuf);
		off[i] = keys.len;
		cr_assert_eq(encoded == 2 ? prep_classes_encode_at(
						tab, f, &keys, &pos[i])
					  : prep_classes_encode(tab, f, &keys),
			     PREP_OK);
	}
	off[BF_ROWS] = keys.len;
	for (size_t i = 0; i < BF_ROWS; i++) {
		size_t id = (size_t)-1;

		row_fields(&rows[i], f, vbuf);
		if (!encoded) {
			cr_assert_eq(add(f), row_class[i], "row %zu", i);
			continue;
		}
		if (encoded == 2 && i + 4 < BF_ROWS)
			prep_classes_prefetch(tab, &pos[i + 4]);
		cr_assert_eq(encoded == 2
				 ? prep_classes_add_encoded_at(
				       tab, keys.data + off[i],
				       off[i + 1] - off[i], &pos[i], &f[1], &id)
				 : prep_classes_add_encoded(
				       tab, keys.data + off[i],
				       off[i + 1] - off[i], &f[1], &id),
			     PREP_OK);
		cr_assert_eq(id, row_class[i], "row %zu", i);
		cr_assert_eq(prep_classes_key_bytes(tab, id).len,
			     off[i + 1] - off[i]);
		cr_assert(memcmp(prep_classes_key_bytes(tab, id).data,
				 keys.data + off[i], off[i + 1] - off[i]) == 0);
	}
	prep_buf_free(&keys);
	cr_assert_eq(prep_classes_count(tab), nclasses);
	cr_assert_eq(prep_classes_rows(tab), BF_ROWS);
	cr_assert_eq(prep_classes_values(tab), BF_VALUES);
	for (size_t c = 0; c < nclasses; c++) {
		const struct bf_row *r = &rows[first_row[c]];
		uint64_t size = 0;

		row_fields(r, f, vbuf);
		cr_assert_eq(find(f), c);
		prep_classes_key(tab, c, k);
		for (int j = 0; j < 3; j++)
			cr_assert(k[j].len == r->qlen[j] &&
				  memcmp(k[j].data, r->q[j], k[j].len) == 0);
		for (size_t v = 0; v < BF_VALUES; v++) {
			int n = snprintf(vbuf, sizeof vbuf, "v%zu", v);

			cr_assert_eq(count_of(c, vbuf, (size_t)n),
				     bf_count[c][v], "class %zu value %zu", c,
				     v);
			size += bf_count[c][v];
		}
		cr_assert_eq(prep_classes_size(tab, c), size);
	}
	/* a q0 of 40 is in no class */
	row_fields(&rows[0], f, vbuf);
	f[0] = F("40");
	not_found(f);
}

/* The brute force's own check: the rows make many classes, most with
 * more than one value, and first values that are not v0. */
Test(classes, brute_force_rows_are_varied)
{
	size_t multi = 0, other_first = 0;

	make_rows();
	cr_assert_gt(nclasses, 1000);
	for (size_t c = 0; c < nclasses; c++) {
		size_t nv = 0;

		for (size_t v = 0; v < BF_VALUES; v++)
			nv += bf_count[c][v] > 0;
		multi += nv > 1;
		other_first += rows[first_row[c]].value != 0;
	}
	cr_assert_gt(multi, 500);
	cr_assert_gt(other_first, 100);
}

Test(classes, against_brute_force)
{
	check_brute_force(0);
}

/* The same rows counted in two steps, keys encoded apart, with their
 * hashes or without. */
Test(classes, encoded_against_brute_force)
{
	check_brute_force(1);
	teardown();
	check_brute_force(2);
}

/*
 * Encoding appends after what the buffer holds and reads no field but
 * the quasi-identifiers; a value given without a sensitive column, or
 * none with one, is refused.
 */
Test(classes, encoded_keys_append)
{
	static const size_t qi[] = {2, 0};
	prep_field row[3] = {F("b"), F("ignored"), F("a")};
	prep_buf b;
	size_t id = 9;

	mk(qi, 2, -1, 0);
	prep_buf_init(&b, 0);
	cr_assert_eq(prep_buf_append(&b, "xy", 2), PREP_OK);
	cr_assert_eq(prep_classes_encode(tab, row, &b), PREP_OK);
	/* "xy", then "a" and "b" as tuples: length byte, bytes */
	cr_assert_eq(b.len, 6);
	cr_assert(memcmp(b.data, "xy\001a\001b", 6) == 0);
	cr_assert_eq(prep_classes_add_encoded(tab, b.data + 2, 4, NULL, &id),
		     PREP_OK);
	cr_assert_eq(id, 0);
	cr_assert_eq(add(row), 0);
	cr_assert_eq(prep_classes_size(tab, 0), 2);
	cr_assert_eq(prep_classes_add_encoded(tab, b.data + 2, 4, &row[1], &id),
		     PREP_ERR_ARG);
	/* the key of ("b", "a") is another class */
	row[0] = F("a");
	row[2] = F("b");
	cr_assert_eq(add(row), 1);
	prep_buf_free(&b);
}

/* Every class key with one fingerprint: most probes compare bytes in
 * vain; every answer still agrees with the brute force. */
Test(classes, shared_fingerprints_against_brute_force)
{
	prep_strset_test_hash(one_fingerprint);
	check_brute_force(0);
	teardown();
	check_brute_force(2);
	prep_strset_test_hash(NULL);
}

/* Every class key, value and pair with one hash: the probes pass the
 * bound, the sets and the pairs turn to SipHash midway, and the answers
 * agree with the brute force. */
Test(classes, one_hash_against_brute_force)
{
	prep_strset_test_hash(one_hash);
	check_brute_force(0);
	teardown();
	check_brute_force(2);
	prep_strset_test_hash(NULL);
}
