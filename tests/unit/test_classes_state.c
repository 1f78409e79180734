/*
 * test_classes_state.c: unit tests of libprep/classes_state.c, a table
 * of classes as a partial's state (kcheck --partial, --merge, --state).
 *
 * Written from the layout in classes_state.h and prep-partial(5): the
 * state of a small table is compared with its text written by hand; a
 * state read back and written again is the same text; the same rows in
 * another order give the same state; the states of two halves merged
 * are the state of the whole; the canonical copy of a table does not
 * depend on the order its rows came in. Then every kind of malformed
 * state is refused with its reason, and a merge past the cap on classes
 * is refused as a limit.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classes_state.h"
#include "json.h"

#define F(lit) ((prep_field){(lit), sizeof(lit) - 1})

/* Rows of (qi0, qi1, sensitive) in a table of both QIs and column 2. */
static prep_classes *
table_of(const prep_field (*rows)[3], size_t n, int sensitive)
{
	static const size_t qi[] = {0, 1};
	prep_classes *c = NULL;
	size_t i;

	cr_assert_eq(prep_classes_new(qi, 2, sensitive ? 2 : -1, 0, &c),
		     PREP_OK);
	for (i = 0; i < n; i++)
		cr_assert_eq(prep_classes_add(c, rows[i], NULL), PREP_OK);
	return c;
}

static const prep_field names2[] = {F("zip"), F("age")};

static prep_classes_names
names_of(int sensitive)
{
	prep_classes_names n;

	memset(&n, 0, sizeof n);
	n.nqi = 2;
	n.qi = (prep_field *)names2;
	if (sensitive)
		n.sensitive = F("disease");
	return n;
}

/* The state of c as compact text (keys in the order written). */
static char *
state_text(prep_classes *c, int sensitive)
{
	prep_classes_names n = names_of(sensitive);
	json_t *s = NULL;
	char *t;

	cr_assert_eq(prep_classes_state(c, &n, &s), PREP_OK);
	t = json_dumps(s, JSON_COMPACT | JSON_PRESERVE_ORDER);
	cr_assert_not_null(t);
	json_decref(s);
	return t;
}

/* Merge states given as texts; the status, *out and *why. */
static prep_status
merge_texts(const char *const *texts, size_t n, size_t max, prep_classes **out,
	    size_t *bad, const char **why)
{
	json_t *s[8];
	prep_classes_names names;
	prep_status st;
	size_t i;

	cr_assert_leq(n, 8);
	for (i = 0; i < n; i++) {
		json_error_t e;

		s[i] = json_loads(texts[i], JSON_ALLOW_NUL, &e);
		cr_assert_not_null(s[i], "test state %zu: %s", i, e.text);
	}
	st = prep_classes_state_merge((const json_t *const *)s, n, max, out,
				      &names, bad, why);
	if (st == PREP_OK) {
		cr_assert_eq(names.nqi, 2);
		cr_assert_eq(names.qi[0].len, 3);
		cr_assert_eq(memcmp(names.qi[0].data, "zip", 3), 0);
		prep_classes_names_free(&names);
	}
	for (i = 0; i < n; i++)
		json_decref(s[i]);
	return st;
}

/*
 * Rows (zip, age, disease): 130/30 flu, 131/30 cold, 130/30 cold,
 * 130/30 flu, 131/3 flu, 131/30 cold. Classes: 130|30 (3 rows: flu 2,
 * cold 1), 131|3 (1: flu), 131|30 (2: cold 2). Values in byte order:
 * cold 0, flu 1. Class order: 130|30, then 131|3 before 131|30 ("3" a
 * prefix of "30").
 */
static const prep_field rows6[][3] = {
    {F("130"), F("30"), F("flu")},  {F("131"), F("30"), F("cold")},
    {F("130"), F("30"), F("cold")}, {F("130"), F("30"), F("flu")},
    {F("131"), F("3"), F("flu")},   {F("131"), F("30"), F("cold")},
};

static const char want6[] =
    "{\"quasi\":[\"zip\",\"age\"],\"sensitive\":\"disease\",\"rows\":6,"
    "\"values\":[\"cold\",\"flu\"],"
    "\"classes\":[[[\"130\",\"30\"],3,[[0,1],[1,2]]],"
    "[[\"131\",\"3\"],1,[[1,1]]],"
    "[[\"131\",\"30\"],2,[[0,2]]]]}";

Test(classes_state, layout_by_hand)
{
	prep_classes *c = table_of(rows6, 6, 1);
	char *t = state_text(c, 1);

	cr_assert_str_eq(t, want6);
	free(t);
	prep_classes_free(c);
}

Test(classes_state, layout_without_sensitive)
{
	prep_classes *c = table_of(rows6, 6, 0);
	char *t = state_text(c, 0);

	cr_assert_str_eq(t, "{\"quasi\":[\"zip\",\"age\"],\"sensitive\":null,"
			    "\"rows\":6,\"values\":[],"
			    "\"classes\":[[[\"130\",\"30\"],3],"
			    "[[\"131\",\"3\"],1],[[\"131\",\"30\"],2]]}");
	free(t);
	prep_classes_free(c);
}

/* The same rows backwards: the same state, byte for byte. */
Test(classes_state, row_order_does_not_matter)
{
	prep_field rev[6][3];
	prep_classes *a = table_of(rows6, 6, 1), *b;
	char *ta, *tb;
	size_t i;

	for (i = 0; i < 6; i++)
		memcpy(rev[i], rows6[5 - i], sizeof rev[i]);
	b = table_of((const prep_field(*)[3])rev, 6, 1);
	ta = state_text(a, 1);
	tb = state_text(b, 1);
	cr_assert_str_eq(ta, tb);
	free(ta);
	free(tb);
	prep_classes_free(a);
	prep_classes_free(b);
}

/* Read back and written again: the same text. */
Test(classes_state, round_trip)
{
	const char *texts[] = {want6};
	prep_classes *c = NULL;
	size_t bad;
	const char *why;
	char *t;

	cr_assert_eq(merge_texts(texts, 1, 0, &c, &bad, &why), PREP_OK);
	cr_assert_eq(prep_classes_rows(c), 6);
	cr_assert_eq(prep_classes_count(c), 3);
	t = state_text(c, 1);
	cr_assert_str_eq(t, want6);
	free(t);
	prep_classes_free(c);
}

/*
 * Rows 0-2 and 3-5 as two parts: their states merged are the whole's
 * state; and the merged table finds each class by its values.
 */
Test(classes_state, halves_merge_to_whole)
{
	prep_classes *h1 = table_of(rows6, 3, 1),
		     *h2 = table_of(rows6 + 3, 3, 1);
	prep_classes *m = NULL;
	char *t1 = state_text(h1, 1), *t2 = state_text(h2, 1), *tm;
	const char *texts[] = {t1, t2}, *why;
	const prep_field k[] = {F("131"), F("30")}, u[] = {F("13"), F("130")};
	size_t bad, id;

	cr_assert_str_neq(t1, want6);
	cr_assert_eq(merge_texts(texts, 2, 0, &m, &bad, &why), PREP_OK);
	tm = state_text(m, 1);
	cr_assert_str_eq(tm, want6);
	cr_assert_eq(prep_classes_find_key(m, k, &id), PREP_OK);
	cr_assert_eq(prep_classes_size(m, id), 2);
	cr_assert_eq(prep_classes_find_key(m, u, &id), PREP_ERR_NOT_FOUND);
	free(t1);
	free(t2);
	free(tm);
	prep_classes_free(h1);
	prep_classes_free(h2);
	prep_classes_free(m);
}

/* A state of no header (quasi null) adds nothing and merges with any. */
Test(classes_state, empty_part_without_header)
{
	const char *texts[] = {"{\"quasi\":null,\"sensitive\":null,\"rows\":0,"
			       "\"values\":[],\"classes\":[]}",
			       want6};
	prep_classes *m = NULL;
	size_t bad;
	const char *why;
	char *t;

	cr_assert_eq(merge_texts(texts, 2, 0, &m, &bad, &why), PREP_OK);
	t = state_text(m, 1);
	cr_assert_str_eq(t, want6);
	free(t);
	prep_classes_free(m);
}

/*
 * The canonical copy: the same class ids for the same key, the same
 * sensitive value ids, whichever order the rows came in; counts kept.
 */
Test(classes_state, canonical_copy)
{
	prep_field rev[6][3];
	prep_classes *a = table_of(rows6, 6, 1), *b, *ca = NULL, *cb = NULL;
	size_t i, j;

	for (i = 0; i < 6; i++)
		memcpy(rev[i], rows6[5 - i], sizeof rev[i]);
	b = table_of((const prep_field(*)[3])rev, 6, 1);
	cr_assert_eq(prep_classes_canonical(a, &ca), PREP_OK);
	cr_assert_eq(prep_classes_canonical(b, &cb), PREP_OK);
	cr_assert_eq(prep_classes_count(ca), 3);
	cr_assert_eq(prep_classes_values(ca), prep_classes_values(cb));
	for (i = 0; i < 3; i++) {
		prep_field ka = prep_classes_key_bytes(ca, i);
		prep_field kb = prep_classes_key_bytes(cb, i);
		const prep_class_count *da, *db;
		size_t na, nb;

		cr_assert_eq(ka.len, kb.len);
		cr_assert_eq(memcmp(ka.data, kb.data, ka.len), 0);
		cr_assert_eq(prep_classes_size(ca, i),
			     prep_classes_size(cb, i));
		cr_assert_eq(prep_classes_dist(ca, i, &da, &na), PREP_OK);
		cr_assert_eq(prep_classes_dist(cb, i, &db, &nb), PREP_OK);
		cr_assert_eq(na, nb);
		for (j = 0; j < na; j++) {
			cr_assert_eq(da[j].value, db[j].value);
			cr_assert_eq(da[j].count, db[j].count);
		}
	}
	/* 130|30 first, its values cold then flu: ids 0 and 1 */
	cr_assert_eq(prep_classes_size(ca, 0), 3);
	cr_assert_eq(prep_classes_value(ca, 0).len, 4);
	cr_assert_eq(memcmp(prep_classes_value(ca, 0).data, "cold", 4), 0);
	/* rows are found as in the table copied (QIs columns 0, 1) */
	cr_assert_eq(prep_classes_find(ca, rows6[4], &j), PREP_OK);
	cr_assert_eq(j, 1);
	prep_classes_free(a);
	prep_classes_free(b);
	prep_classes_free(ca);
	prep_classes_free(cb);
}

/* Values that are not text, and the empty value, survive the trip. */
Test(classes_state, bytes_round_trip)
{
	static const size_t qi[] = {0, 1};
	const prep_field r1[] = {{"a\0b", 3}, F("")},
			 r2[] = {F("hex:1"), {"\xff", 1}};
	prep_classes *c = NULL, *m = NULL;
	prep_classes_names n = names_of(0);
	json_t *s = NULL;
	const json_t *ss[1];
	prep_classes_names got;
	size_t bad, id;
	const char *why;

	cr_assert_eq(prep_classes_new(qi, 2, -1, 0, &c), PREP_OK);
	cr_assert_eq(prep_classes_add(c, r1, NULL), PREP_OK);
	cr_assert_eq(prep_classes_add(c, r2, NULL), PREP_OK);
	cr_assert_eq(prep_classes_state(c, &n, &s), PREP_OK);
	ss[0] = s;
	cr_assert_eq(prep_classes_state_merge(ss, 1, 0, &m, &got, &bad, &why),
		     PREP_OK);
	cr_assert_eq(prep_classes_find_key(m, r1, &id), PREP_OK);
	cr_assert_eq(prep_classes_find_key(m, r2, &id), PREP_OK);
	cr_assert_eq(prep_classes_count(m), 2);
	prep_classes_names_free(&got);
	json_decref(s);
	prep_classes_free(c);
	prep_classes_free(m);
}

/* One malformed state: refused with a reason holding want. */
static void
refused(const char *text, const char *want)
{
	const char *texts[] = {text};
	prep_classes *m = (prep_classes *)1;
	size_t bad = 9;
	const char *why = NULL;
	prep_status st = merge_texts(texts, 1, 0, &m, &bad, &why);

	cr_assert_eq(st, PREP_ERR_VALUE, "%s: status %d", text, st);
	cr_assert_null(m);
	cr_assert_eq(bad, 0);
	cr_assert_not_null(why, "%s: no reason", text);
	cr_assert_not_null(strstr(why, want), "%s: reason '%s', not '%s'", text,
			   why, want);
}

#define HEAD "{\"quasi\":[\"zip\",\"age\"],\"sensitive\":\"disease\","

Test(classes_state, malformed_refused)
{
	refused("[]", "a member is missing");
	refused(HEAD "\"rows\":6,\"values\":[]}", "a member is missing");
	refused(HEAD "\"rows\":0,\"values\":[],\"classes\":[],\"x\":1}",
		"a member is missing or unknown");
	refused("{\"quasi\":\"zip\",\"sensitive\":null,\"rows\":0,"
		"\"values\":[],\"classes\":[]}",
		"quasi is neither");
	refused("{\"quasi\":[1],\"sensitive\":null,\"rows\":0,"
		"\"values\":[],\"classes\":[]}",
		"not a string");
	refused(HEAD "\"rows\":1,\"values\":{},\"classes\":[]}", "not a list");
	refused("{\"quasi\":null,\"sensitive\":null,\"rows\":1,"
		"\"values\":[],\"classes\":[[[],1]]}",
		"without columns");
	/* the count changed: rows no longer the sum */
	refused(HEAD "\"rows\":7,\"values\":[\"cold\",\"flu\"],"
		     "\"classes\":[[[\"130\",\"30\"],3,[[0,1],[1,2]]],"
		     "[[\"131\",\"3\"],1,[[1,1]]],"
		     "[[\"131\",\"30\"],2,[[0,2]]]]}",
		"rows is not the sum");
	refused(HEAD "\"rows\":-1,\"values\":[],\"classes\":[]}",
		"rows is not a count");
	refused(HEAD "\"rows\":3,\"values\":[\"cold\",\"flu\"],"
		     "\"classes\":[[[\"130\",\"30\"],3,[[0,2],[1,2]]]]}",
		"do not add up");
	refused(HEAD "\"rows\":3,\"values\":[\"cold\",\"flu\"],"
		     "\"classes\":[[[\"130\",\"30\"],3,[[0,1],[1,1]]]]}",
		"do not add up");
	refused(HEAD "\"rows\":3,\"values\":[\"cold\",\"flu\"],"
		     "\"classes\":[[[\"130\",\"30\"],3,[[1,2],[0,1]]]]}",
		"out of order");
	refused(HEAD "\"rows\":3,\"values\":[\"cold\",\"flu\"],"
		     "\"classes\":[[[\"130\",\"30\"],3,[[0,1],[2,2]]]]}",
		"[index, rows]");
	refused(HEAD "\"rows\":3,\"values\":[\"cold\",\"flu\"],"
		     "\"classes\":[[[\"130\",\"30\"],3,[[0,3],[1,0]]]]}",
		"[index, rows]");
	refused(HEAD "\"rows\":3,\"values\":[\"cold\",\"flu\"],"
		     "\"classes\":[[[\"130\",\"30\"],3,[[1,3]]]]}",
		"no class holds");
	refused(HEAD "\"rows\":2,\"values\":[\"flu\",\"cold\"],"
		     "\"classes\":[[[\"130\",\"30\"],2,[[0,1],[1,1]]]]}",
		"values out of order");
	refused(HEAD "\"rows\":2,\"values\":[\"flu\",\"flu\"],"
		     "\"classes\":[[[\"130\",\"30\"],2,[[0,1],[1,1]]]]}",
		"values out of order or twice");
	refused(HEAD "\"rows\":2,\"values\":[\"flu\"],"
		     "\"classes\":[[[\"131\",\"30\"],1,[[0,1]]],"
		     "[[\"130\",\"30\"],1,[[0,1]]]]}",
		"classes out of order");
	refused(HEAD "\"rows\":2,\"values\":[\"flu\"],"
		     "\"classes\":[[[\"130\",\"30\"],1,[[0,1]]],"
		     "[[\"130\",\"30\"],1,[[0,1]]]]}",
		"classes out of order or twice");
	refused(HEAD "\"rows\":1,\"values\":[\"flu\"],"
		     "\"classes\":[[[\"130\"],1,[[0,1]]]]}",
		"one value for each");
	refused(HEAD "\"rows\":1,\"values\":[\"flu\"],"
		     "\"classes\":[[[\"130\",\"30\"],1]]}",
		"[values, rows]");
	refused(HEAD "\"rows\":0,\"values\":[\"flu\"],"
		     "\"classes\":[[[\"130\",\"30\"],0,[[0,1]]]]}",
		"1 or more");
	refused(HEAD "\"rows\":1,\"values\":[\"flu\"],"
		     "\"classes\":[[[\"130\",\"hex:zz\"],1,[[0,1]]]]}",
		"hex");
	refused(HEAD "\"rows\":1,\"values\":[\"flu\"],"
		     "\"classes\":[[[\"130\",\"hex:61\"],1,[[0,1]]]]}",
		"hex");
	refused(HEAD "\"rows\":1,\"values\":[\"flu\"],"
		     "\"classes\":[[[\"130\",\"a\\u0000b\"],1,[[0,1]]]]}",
		"NUL");
	refused("{\"quasi\":[\"zip\",\"age\"],\"sensitive\":null,"
		"\"rows\":1,\"values\":[\"flu\"],"
		"\"classes\":[[[\"130\",\"30\"],1]]}",
		"without a sensitive column");
}

/* Two states of other columns are not merged; the second is named. */
Test(classes_state, other_columns_refused)
{
	const char *texts[] = {
	    want6, "{\"quasi\":[\"zip\",\"sex\"],\"sensitive\":\"disease\","
		   "\"rows\":0,\"values\":[],\"classes\":[]}"};
	prep_classes *m = NULL;
	size_t bad = 9;
	const char *why = NULL;

	cr_assert_eq(merge_texts(texts, 2, 0, &m, &bad, &why), PREP_ERR_VALUE);
	cr_assert_eq(bad, 1);
	cr_assert_not_null(strstr(why, "other columns"));
	cr_assert_null(m);
}

/* Three classes with a cap of two: a limit, the state named. */
Test(classes_state, cap_on_classes)
{
	const char *texts[] = {want6};
	prep_classes *m = NULL;
	size_t bad = 9;
	const char *why;

	cr_assert_eq(merge_texts(texts, 1, 2, &m, &bad, &why), PREP_ERR_LIMIT);
	cr_assert_eq(bad, 0);
	cr_assert_null(m);
	cr_assert_eq(merge_texts(texts, 1, 3, &m, &bad, &why), PREP_OK);
	prep_classes_free(m);
}

/* Rows adding up past 2^53 over two states: out of range. */
Test(classes_state, counts_past_2_53)
{
	char big[256];
	const char *texts[2] = {big, big};
	prep_classes *m = NULL;
	size_t bad;
	const char *why;

	snprintf(big, sizeof big,
		 "{\"quasi\":[\"zip\",\"age\"],\"sensitive\":null,"
		 "\"rows\":%llu,\"values\":[],"
		 "\"classes\":[[[\"1\",\"2\"],%llu]]}",
		 (1ULL << 52) + 1, (1ULL << 52) + 1);
	cr_assert_eq(merge_texts(texts, 1, 0, &m, &bad, &why), PREP_OK);
	prep_classes_free(m);
	m = NULL;
	cr_assert_eq(merge_texts(texts, 2, 0, &m, &bad, &why), PREP_ERR_RANGE);
	cr_assert_null(m);
}
