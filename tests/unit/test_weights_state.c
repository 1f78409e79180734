/*
 * test_weights_state.c: unit tests of libprep/weights_state.c, the state
 * of reweight's partials: to JSON, from JSON, and merged.
 *
 * The state of a small table is checked against its text worked out by
 * hand in the comment beside it (cells in the order of their values,
 * first rows counted from 1, a sum of weights in exactsum.h's form). A
 * state read back writes the same state. The tables of two halves of the
 * rows, written, read back and merged, give the state, the weights and
 * the report of the table of all the rows: the whole is the reference.
 * Then every kind of damage to a state is refused with its reason, and
 * the merge's and the columns' rules.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memcap.h"
#include "weights_state.h"

#define F(lit) ((prep_field){(lit), sizeof(lit) - 1})

static const size_t group1[] = {0};

/*
 * sex,label,w: F 1 0.1 | M 0 1 | F 0 2 | M 1 0.5 | X 1 0.25 | F 1 0.2.
 */
static const prep_field rows[6][3] = {
    {F("F"), F("1"), F("0.1")},	 {F("M"), F("0"), F("1")},
    {F("F"), F("0"), F("2")},	 {F("M"), F("1"), F("0.5")},
    {F("X"), F("1"), F("0.25")}, {F("F"), F("1"), F("0.2")},
};

static const prep_field names[] = {F("sex"), F("label")};

/* A table of rows[from .. to), by sex, with label (and weight). */
static prep_weights *
table(size_t from, size_t to, int label, int weight)
{
	prep_weights *w;
	size_t i;

	cr_assert_eq(
	    prep_weights_new(group1, 1, label ? 1 : -1, weight ? 2 : -1, 0, &w),
	    PREP_OK);
	for (i = from; i < to; i++)
		cr_assert_eq(prep_weights_add(w, rows[i]), PREP_OK);
	return w;
}

static prep_partial_input
input(int label)
{
	prep_partial_input in = {',', (prep_field *)names, label ? 2 : 1, NULL};

	return in;
}

/* The compact text of a state (malloc'd). */
static char *
text_of(json_t *j)
{
	char *t;

	cr_assert_not_null(j);
	t = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	cr_assert_not_null(t);
	return t;
}

static char *
state_text(const prep_weights *w, int label)
{
	prep_partial_input in = input(label);
	json_t *j = prep_weights_state(w, &in);
	char *t = text_of(j);

	json_decref(j);
	return t;
}

/* The table of a state's text; it must be read. */
static prep_weights *
read_state(const char *text, int label, int weight, prep_partial_input *in)
{
	json_t *j = json_loads(text, 0, NULL);
	prep_weights *w = NULL;
	const char *why = NULL;
	prep_status st;

	cr_assert_not_null(j, "%s", text);
	st = prep_weights_from_state(j, label, weight, 0, &w, in, &why);
	cr_assert_eq(st, PREP_OK, "%s: %s", text, why ? why : "");
	json_decref(j);
	return w;
}

/*
 * Cells (first row, rows): F,1 (1; 1 and 6), M,0 (2), F,0 (3), M,1 (4),
 * X,1 (5); in the order of their values F,0 F,1 M,0 M,1 X,1. With the
 * weights, F,1 sums 0.1 + 0.2 exactly: 0x26666666666667p-55; F,0 2, M,0
 * 1, M,1 0.5 = 0x1p-1 and X,1 0.25 = 0x1p-2.
 */
Test(weights_state, text)
{
	prep_weights *w = table(0, 6, 1, 0);
	char *t = state_text(w, 1);

	cr_expect_str_eq(
	    t, "{\"delimiter\":\",\",\"group_columns\":[\"sex\"],"
	       "\"label_column\":\"label\",\"rows\":6,\"cells\":["
	       "{\"group\":[\"F\"],\"label\":\"0\",\"n\":1,\"first\":3},"
	       "{\"group\":[\"F\"],\"label\":\"1\",\"n\":2,\"first\":1},"
	       "{\"group\":[\"M\"],\"label\":\"0\",\"n\":1,\"first\":2},"
	       "{\"group\":[\"M\"],\"label\":\"1\",\"n\":1,\"first\":4},"
	       "{\"group\":[\"X\"],\"label\":\"1\",\"n\":1,\"first\":5}]}");
	free(t);
	prep_weights_free(w);

	w = table(0, 6, 1, 1);
	t = state_text(w, 1);
	cr_expect(strstr(t, "{\"group\":[\"F\"],\"label\":\"1\",\"n\":2,"
			    "\"first\":1,\"w\":\"0x26666666666667p-55\"}"),
		  "%s", t);
	cr_expect(strstr(t, "\"label\":\"0\",\"n\":1,\"first\":3,\"w\":2}"),
		  "%s", t);
	cr_expect(strstr(t, "\"first\":4,\"w\":\"0x1p-1\"}"), "%s", t);
	free(t);
	prep_weights_free(w);

	/* without a label: one cell per group */
	w = table(0, 6, 0, 0);
	t = state_text(w, 0);
	cr_expect_str_eq(t, "{\"delimiter\":\",\",\"group_columns\":[\"sex\"],"
			    "\"label_column\":null,\"rows\":6,\"cells\":["
			    "{\"group\":[\"F\"],\"n\":3,\"first\":1},"
			    "{\"group\":[\"M\"],\"n\":2,\"first\":2},"
			    "{\"group\":[\"X\"],\"n\":1,\"first\":5}]}");
	free(t);
	prep_weights_free(w);
}

/* An input without columns: no table, no cells. */
Test(weights_state, no_columns)
{
	prep_partial_input in = {';', NULL, 0, NULL}, got;
	json_t *j = prep_weights_state(NULL, &in);
	char *t = text_of(j);
	prep_weights *w = (prep_weights *)1;
	const char *why;

	cr_expect_str_eq(t, "{\"delimiter\":\";\",\"group_columns\":null,"
			    "\"label_column\":null,\"rows\":0,\"cells\":[]}");
	cr_assert_eq(prep_weights_from_state(j, 1, 0, 0, &w, &got, &why),
		     PREP_OK);
	cr_expect_null(w);
	cr_expect_null(got.names);
	cr_expect_eq(got.delim, ';');
	json_decref(j);
	free(t);
}

/* Read back, a state writes itself again, every form. */
Test(weights_state, round_trip)
{
	int label, weight;

	for (label = 0; label < 2; label++)
		for (weight = 0; weight < 2; weight++) {
			prep_weights *w = table(0, 6, label, weight), *r;
			prep_partial_input in;
			char *a = state_text(w, label), *b;

			r = read_state(a, label, weight, &in);
			cr_expect_eq(in.delim, ',');
			cr_assert_eq(in.nnames, label ? 2u : 1u);
			cr_expect(in.names[0].len == 3 &&
				  memcmp(in.names[0].data, "sex", 3) == 0);
			b = state_text(r, label);
			cr_expect_str_eq(a, b);
			/* the same order of first appearance */
			cr_expect_eq(prep_weights_groups(r), 3);
			cr_expect(prep_weights_group_field(r, 1, 0).data[0] ==
				  'M');
			prep_partial_input_free(&in);
			prep_weights_free(w);
			prep_weights_free(r);
			free(a);
			free(b);
		}
}

/*
 * Halves merged: the state, the cells and the weights of the whole, rows
 * weighed through a table laid out for real rows.
 */
Test(weights_state, halves_merged_are_the_whole)
{
	int weight;
	size_t cut, i, g, y;

	for (weight = 0; weight < 2; weight++)
		for (cut = 0; cut <= 6; cut++) {
			prep_weights *whole = table(0, 6, 1, weight);
			prep_weights *a = table(0, cut, 1, weight);
			prep_weights *b = table(cut, 6, 1, weight);
			char *ta = state_text(a, 1), *tb = state_text(b, 1);
			char *tw = state_text(whole, 1), *tm;
			prep_partial_input ia, ib;
			prep_weights *ra = read_state(ta, 1, weight, &ia);
			prep_weights *rb = read_state(tb, 1, weight, &ib);
			static const size_t real[] = {0};

			cr_assert_eq(prep_weights_merge(ra, rb), PREP_OK);
			tm = state_text(ra, 1);
			cr_expect_str_eq(tm, tw, "cut %zu", cut);
			cr_assert_eq(prep_weights_set_columns(ra, real, 1, 1,
							      weight ? 2 : -1),
				     PREP_OK);
			cr_assert_eq(prep_weights_finish(ra), PREP_OK);
			cr_assert_eq(prep_weights_finish(whole), PREP_OK);
			for (g = 0; g < 3; g++)
				for (y = 0; y < 2; y++) {
					prep_weights_cell_info x, z;

					cr_assert_eq(
					    prep_weights_cell(ra, g, y, &x),
					    PREP_OK);
					cr_assert_eq(
					    prep_weights_cell(whole, g, y, &z),
					    PREP_OK);
					cr_expect(memcmp(&x, &z, sizeof x) == 0,
						  "cut %zu cell %zu,%zu", cut,
						  g, y);
				}
			for (i = 0; i < 6; i++) {
				const char *s1, *s2;
				size_t l1, l2;
				char c1[32];

				cr_assert_eq(prep_weights_row(whole, rows[i],
							      NULL, &s1, &l1),
					     PREP_OK);
				memcpy(c1, s1, l1);
				cr_assert_eq(prep_weights_row(ra, rows[i], NULL,
							      &s2, &l2),
					     PREP_OK);
				cr_expect(l1 == l2 && memcmp(c1, s2, l1) == 0);
			}
			prep_partial_input_free(&ia);
			prep_partial_input_free(&ib);
			prep_weights_free(whole);
			prep_weights_free(a);
			prep_weights_free(b);
			prep_weights_free(ra);
			prep_weights_free(rb);
			free(ta);
			free(tb);
			free(tw);
			free(tm);
		}
}

/* A valid state, labelled and weighted, damaged as each case says. */
static const char good[] =
    "{\"delimiter\":\",\",\"group_columns\":[\"sex\"],\"label_column\":"
    "\"label\",\"rows\":3,\"cells\":["
    "{\"group\":[\"F\"],\"label\":\"0\",\"n\":1,\"first\":3,\"w\":2},"
    "{\"group\":[\"F\"],\"label\":\"1\",\"n\":2,\"first\":1,\"w\":1}]}";

struct damage {
	const char *from, *to, *why;
};

static const struct damage damages[] = {
    {"\"rows\":3,", "", "a member of the state is missing or unknown"},
    {"\"rows\":3,", "\"rows\":3,\"more\":1,",
     "a member of the state is missing or unknown"},
    {"\"delimiter\":\",\"", "\"delimiter\":\",,\"", "bad delimiter"},
    {"\"delimiter\":\",\"", "\"delimiter\":\"\\n\"", "bad delimiter"},
    {"\"delimiter\":\",\"", "\"delimiter\":44", "bad delimiter"},
    {"\"rows\":3", "\"rows\":-3", "bad rows"},
    {"\"rows\":3", "\"rows\":9007199254740993", "bad rows"},
    {"[\"sex\"]", "[]", "bad names of the columns"},
    {"[\"sex\"]", "[\"hex:7\"]", "hex: value of odd length"},
    {"\"label_column\":\"label\"", "\"label_column\":null",
     "no label column, which the options have"},
    {"\"group_columns\":[\"sex\"]", "\"group_columns\":null",
     "an input without columns, with rows"},
    {"\"rows\":3", "\"rows\":4", "the cells' counts do not add up to the rows"},
    {"\"n\":2", "\"n\":1", "the cells' counts do not add up to the rows"},
    {"\"n\":1", "\"n\":0", "bad count or first row of a cell"},
    {"\"first\":3", "\"first\":4", "bad count or first row of a cell"},
    {"\"first\":3", "\"first\":1", "two cells of the same first row"},
    {"\"label\":\"0\"", "\"label\":\"2\"",
     "cells out of order, or a cell twice"},
    {"\"label\":\"0\"", "\"label\":\"1\"",
     "cells out of order, or a cell twice"},
    {"[\"F\"],\"label\":\"0\"", "[\"F\",\"G\"],\"label\":\"0\"", "bad cell"},
    {"\"w\":2", "\"w\":2,\"x\":0", "bad cell"},
    {",\"w\":2}", "}", "bad cell"},
    {"\"w\":2", "\"w\":\"0x2p0\"", "bad sum of weights of a cell"},
    {"\"w\":2", "\"w\":2.0", "bad sum of weights of a cell"},
    {"\"w\":2", "\"w\":-2", "bad sum of weights of a cell"},
    {"[\"F\"],\"label\":\"0\"", "[7],\"label\":\"0\"", "bad value of a cell"},
    {"\"cells\":[", "\"cells\":{\"a\":[", "bad cells"},
};

/* good with damage d applied (the first occurrence of d->from). */
static char *
damaged(const struct damage *d)
{
	const char *at = strstr(good, d->from);
	char *t;

	cr_assert_not_null(at, "%s", d->from);
	t = malloc(sizeof good + strlen(d->to) + 2);
	cr_assert_not_null(t);
	sprintf(t, "%.*s%s%s", (int)(at - good), good, d->to,
		at + strlen(d->from));
	if (strcmp(d->from, "\"cells\":[") == 0)
		strcat(t, "}"); /* the object's close */
	return t;
}

Test(weights_state, damage_refused)
{
	prep_partial_input in;
	prep_weights *w;
	size_t i;

	/* the undamaged state is read */
	w = read_state(good, 1, 1, &in);
	prep_partial_input_free(&in);
	prep_weights_free(w);
	for (i = 0; i < sizeof damages / sizeof damages[0]; i++) {
		char *t = damaged(&damages[i]);
		json_t *j = json_loads(t, 0, NULL);
		const char *why = NULL;
		prep_status st;

		cr_assert_not_null(j, "%s", t);
		w = (prep_weights *)1;
		st = prep_weights_from_state(j, 1, 1, 0, &w, &in, &why);
		cr_expect_eq(st, PREP_ERR_VALUE, "%s", t);
		cr_expect_null(w, "%s", t);
		cr_expect_null(in.names, "%s", t);
		cr_expect(why && strcmp(why, damages[i].why) == 0,
			  "%s: '%s', want '%s'", t, why ? why : "(null)",
			  damages[i].why);
		json_decref(j);
		free(t);
	}
}

/* Read with other options than it was written with: refused. */
Test(weights_state, shape_of_the_options)
{
	json_t *j = json_loads(good, 0, NULL);
	prep_partial_input in;
	prep_weights *w;
	const char *why;

	cr_assert_not_null(j);
	cr_expect_eq(prep_weights_from_state(j, 0, 1, 0, &w, &in, &why),
		     PREP_ERR_VALUE);
	cr_expect_str_eq(why, "a label column, which the options have not");
	cr_expect_eq(prep_weights_from_state(j, 1, 0, 0, &w, &in, &why),
		     PREP_ERR_VALUE);
	cr_expect_str_eq(why, "bad cell");
	json_decref(j);
}

/* The cap on cells, and on the rows of a merge. */
Test(weights_state, caps)
{
	json_t *j = json_loads(good, 0, NULL);
	prep_partial_input in;
	prep_weights *w, *a, *b;
	const char *why;

	cr_expect_eq(prep_weights_from_state(j, 1, 1, 1, &w, &in, &why),
		     PREP_ERR_LIMIT);
	cr_expect_str_eq(why, "more groups, labels or cells than the cap");
	json_decref(j);

	a = table(0, 6, 1, 0);
	b = table(0, 6, 1, 0);
	cr_expect_eq(prep_weights_merge(a, b), PREP_OK);
	/* a table's rows and b's past 2^53: refused */
	j = json_loads("{\"delimiter\":\",\",\"group_columns\":[\"sex\"],"
		       "\"label_column\":\"label\",\"rows\":9007199254740992,"
		       "\"cells\":[{\"group\":[\"F\"],\"label\":\"0\","
		       "\"n\":9007199254740992,\"first\":1}]}",
		       0, NULL);
	cr_assert_not_null(j);
	cr_assert_eq(prep_weights_from_state(j, 1, 0, 0, &w, &in, &why),
		     PREP_OK);
	cr_expect_eq(prep_weights_merge(a, w), PREP_ERR_LIMIT);
	prep_partial_input_free(&in);
	prep_weights_free(w);
	prep_weights_free(a);
	prep_weights_free(b);
	json_decref(j);
}

/* Merges of tables of other shapes, or into a finished table. */
Test(weights_state, merge_rules)
{
	prep_weights *a = table(0, 3, 1, 0), *b = table(3, 6, 0, 0);
	prep_weights *c = table(3, 6, 1, 1), *d = table(3, 6, 1, 0);
	static const size_t two[] = {0, 1};

	cr_expect_eq(prep_weights_merge(a, b), PREP_ERR_ARG);
	cr_expect_eq(prep_weights_merge(a, c), PREP_ERR_ARG);
	cr_expect_eq(prep_weights_set_columns(a, two, 2, 1, -1), PREP_ERR_ARG);
	cr_expect_eq(prep_weights_set_columns(a, two, 1, -1, -1), PREP_ERR_ARG);
	cr_expect_eq(prep_weights_set_columns(a, two, 1, 1, 2), PREP_ERR_ARG);
	cr_assert_eq(prep_weights_finish(a), PREP_OK);
	cr_expect_eq(prep_weights_merge(a, d), PREP_ERR_ARG);
	prep_weights_free(a);
	prep_weights_free(b);
	prep_weights_free(c);
	prep_weights_free(d);
}

/* Reading a state takes its tables' memory from --max-memory's budget. */
Test(weights_state, memory_budget)
{
	json_t *j = json_loads(good, 0, NULL);
	prep_partial_input in;
	prep_weights *w;
	const char *why;
	prep_status st;

	prep_memcap_set(prep_memcap_used() + 64);
	st = prep_weights_from_state(j, 1, 1, 0, &w, &in, &why);
	prep_memcap_set(PREP_MEMCAP_DEFAULT);
	cr_expect_eq(st, PREP_ERR_MEMORY);
	cr_expect_null(w);
	json_decref(j);
}

/*
 * Threads' tables (prep_weights_add_at by place, pieces dealt round
 * the threads) added up by prep_weights_merge_places: the state of the
 * whole, first rows and order of first appearance included, for every
 * way of cutting the six rows into pieces and 1 to 3 threads.
 */
Test(weights_state, threads_tables_by_place_are_the_whole)
{
	int weight, cuts, threads;

	for (weight = 0; weight < 2; weight++)
		for (cuts = 0; cuts < 32; cuts++) /* a cut after row i+1 */
			for (threads = 1; threads <= 3; threads++) {
				prep_weights *whole = table(0, 6, 1, weight);
				prep_weights *part[3], *sum;
				uint64_t base[8] = {0}, piece = 1, index = 0;
				size_t i, t = 0;
				char *tw, *tm;

				for (i = 0; i < 3; i++)
					cr_assert_eq(
					    prep_weights_new(group1, 1, 1,
							     weight ? 2 : -1, 0,
							     &part[i]),
					    PREP_OK);
				cr_assert_eq(prep_weights_new(group1, 1, 1,
							      weight ? 2 : -1,
							      0, &sum),
					     PREP_OK);
				size_t of[6], cell[6], *map[3], got;
				double own[6], o;

				base[1] = 0;
				for (i = 0; i < 6; i++) {
					of[i] = t;
					cr_assert_eq(prep_weights_add_cell(
							 part[t], rows[i],
							 piece << 32 | index++,
							 &cell[i], &own[i]),
						     PREP_OK);
					if (i < 5 && (cuts >> i & 1)) {
						base[piece + 1] = i + 1;
						piece++;
						index = 0;
						t = (t + 1) % (size_t)threads;
					}
				}
				cr_assert_eq(prep_weights_merge_places(
						 sum, part, (size_t)threads,
						 base, (size_t)piece + 1),
					     PREP_OK);
				tw = state_text(whole, 1);
				tm = state_text(sum, 1);
				cr_expect_str_eq(tm, tw, "cuts %d, %d threads",
						 cuts, threads);
				/* each thread's cell ids mapped to the sum's:
				 * the cell and own weight of each row */
				for (i = 0; i < (size_t)threads; i++) {
					map[i] = calloc(6, sizeof **map);
					cr_assert_eq(prep_weights_cell_map(
							 sum, part[i], map[i]),
						     PREP_OK);
				}
				{
					prep_buf key;

					prep_buf_init(&key, 0);
					cr_assert_eq(prep_weights_finish(sum),
						     PREP_OK);
					for (i = 0; i < 6; i++) {
						cr_assert_eq(
						    prep_weights_row_cell(
							sum, rows[i], &key,
							&got, &o),
						    PREP_OK);
						cr_assert_eq(
						    got, map[of[i]][cell[i]]);
						cr_assert(o == own[i]);
					}
					prep_buf_free(&key);
				}
				for (i = 0; i < (size_t)threads; i++)
					free(map[i]);
				/* groups and labels in order of first
				 * appearance (the state orders by value) */
				cr_assert_eq(prep_weights_groups(sum),
					     prep_weights_groups(whole));
				for (i = 0; i < prep_weights_groups(whole);
				     i++) {
					prep_field a =
					    prep_weights_group_field(sum, i, 0);
					prep_field b = prep_weights_group_field(
					    whole, i, 0);

					cr_expect(
					    a.len == b.len &&
						!memcmp(a.data, b.data, a.len),
					    "group %zu, cuts %d", i, cuts);
				}
				for (i = 0; i < prep_weights_labels(whole);
				     i++) {
					prep_field a =
					    prep_weights_label(sum, i);
					prep_field b =
					    prep_weights_label(whole, i);

					cr_expect(
					    a.len == b.len &&
					    !memcmp(a.data, b.data, a.len));
				}
				free(tw);
				free(tm);
				for (i = 0; i < 3; i++)
					prep_weights_free(part[i]);
				prep_weights_free(sum);
				prep_weights_free(whole);
			}
}
