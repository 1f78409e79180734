/*
 * test_fairness_state.c: unit tests of libprep/fairness_state.c, the
 * state of fairness's partials: to JSON, from JSON, and merged.
 *
 * The state of a small table is checked against its text worked out by
 * hand in the comment beside it (groups in the order of their values,
 * first rows counted from 1, the four cells of label and prediction,
 * sums of weights in exactsum.h's form). A state read back writes the
 * same state. The tables of two halves of the rows, written, read back
 * and merged, give the state, the rates, the metrics and the reports of
 * the table of all the rows: the whole is the reference. Then every kind
 * of damage to a state is refused with its reason, and the merge's rules.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fairness_state.h"
#include "memcap.h"

#define F(lit) ((prep_field){(lit), sizeof(lit) - 1})

/*
 * g,label,pred,w (positive "1"):
 *   1 A 1 1 0.1   tp      5 C 1 1 0.25  tp
 *   2 B 0 1 1     fp      6 A 1 0 0.2   fn
 *   3 A 0 0 2     tn      7 A 0 1 3     fp
 *   4 B 1 0 0.5   fn
 * A (first 1): tp 1, fp 1, fn 1, tn 1; weights 0.1, 3, 0.2, 2.
 * B (first 2): fp 1, fn 1; weights 1, 0.5. C (first 5): tp 1; 0.25.
 */
static const char *const cells[7][4] = {
    {"A", "1", "1", "0.1"}, {"B", "0", "1", "1"},    {"A", "0", "0", "2"},
    {"B", "1", "0", "0.5"}, {"C", "1", "1", "0.25"}, {"A", "1", "0", "0.2"},
    {"A", "0", "1", "3"},
};

static const prep_field names[] = {F("g")};

/* A table of rows from .. to - 1, laid out as fairness_state.h reads. */
static prep_fairness *
table(size_t from, size_t to, int pred, int weight)
{
	static const size_t g[] = {0};
	prep_fairness_params p;
	prep_fairness *f;
	prep_field row[4];
	size_t i, k;

	memset(&p, 0, sizeof p);
	p.groups = g;
	p.ngroups = 1;
	p.label = 1;
	p.pred = pred ? 2 : -1;
	p.weight = weight ? (pred ? 3 : 2) : -1;
	p.positive = "1";
	p.positive_len = 1;
	cr_assert_eq(prep_fairness_new(&p, &f), PREP_OK);
	for (i = from; i < to; i++) {
		row[0] = (prep_field){cells[i][0], 1};
		row[1] = (prep_field){cells[i][1], 1};
		k = 2;
		if (pred)
			row[k++] = (prep_field){cells[i][2], 1};
		if (weight)
			row[k] = (prep_field){cells[i][3], strlen(cells[i][3])};
		cr_assert_eq(prep_fairness_add(f, row), PREP_OK);
	}
	return f;
}

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
state_text(const prep_fairness *f)
{
	prep_partial_input in = {',', (prep_field *)names, 1, NULL};
	json_t *j = prep_fairness_state(f, &in);
	char *t = text_of(j);

	json_decref(j);
	return t;
}

static prep_fairness *
read_state(const char *text, int pred, int weight, prep_partial_input *in)
{
	json_t *j = json_loads(text, 0, NULL);
	prep_fairness *f = NULL;
	const char *why = NULL;
	prep_status st;

	cr_assert_not_null(j, "%s", text);
	st = prep_fairness_from_state(j, pred, weight, "1", 1, 0, &f, in, &why);
	cr_assert_eq(st, PREP_OK, "%s: %s", text, why ? why : "");
	json_decref(j);
	return f;
}

Test(fairness_state, text)
{
	prep_fairness *f = table(0, 7, 1, 0);
	char *t = state_text(f);

	cr_expect_str_eq(
	    t, "{\"delimiter\":\",\",\"group_columns\":[\"g\"],\"rows\":7,"
	       "\"groups\":["
	       "{\"values\":[\"A\"],\"first\":1,\"tp\":1,\"fp\":1,\"fn\":1,"
	       "\"tn\":1},"
	       "{\"values\":[\"B\"],\"first\":2,\"tp\":0,\"fp\":1,\"fn\":1,"
	       "\"tn\":0},"
	       "{\"values\":[\"C\"],\"first\":5,\"tp\":1,\"fp\":0,\"fn\":0,"
	       "\"tn\":0}]}");
	free(t);
	prep_fairness_free(f);

	/* 0.1 is 0xccccccccccccdp-55 exactly, 0.2 0xccccccccccccdp-54 */
	f = table(0, 7, 1, 1);
	t = state_text(f);
	cr_expect(strstr(t, "\"tn\":1,\"w_tp\":\"0xccccccccccccdp-55\","
			    "\"w_fp\":3,\"w_fn\":\"0xccccccccccccdp-54\","
			    "\"w_tn\":2}"),
		  "%s", t);
	cr_expect(strstr(t, "\"w_tp\":0,\"w_fp\":1,\"w_fn\":\"0x1p-1\","
			    "\"w_tn\":0}"),
		  "%s", t);
	free(t);
	prep_fairness_free(f);

	/* without a prediction the label is one: no fp, no fn */
	f = table(0, 7, 0, 0);
	t = state_text(f);
	cr_expect(strstr(t, "{\"values\":[\"A\"],\"first\":1,\"tp\":2,"
			    "\"fp\":0,\"fn\":0,\"tn\":2}"),
		  "%s", t);
	free(t);
	prep_fairness_free(f);
}

Test(fairness_state, no_columns)
{
	prep_partial_input in = {'\t', NULL, 0, NULL}, got;
	json_t *j = prep_fairness_state(NULL, &in);
	char *t = text_of(j);
	prep_fairness *f = (prep_fairness *)1;
	const char *why;

	cr_expect_str_eq(t, "{\"delimiter\":\"\\t\",\"group_columns\":null,"
			    "\"rows\":0,\"groups\":[]}");
	cr_assert_eq(
	    prep_fairness_from_state(j, 1, 1, "1", 1, 0, &f, &got, &why),
	    PREP_OK);
	cr_expect_null(f);
	cr_expect_eq(got.delim, '\t');
	json_decref(j);
	free(t);
}

Test(fairness_state, round_trip)
{
	int pred, weight;

	for (pred = 0; pred < 2; pred++)
		for (weight = 0; weight < 2; weight++) {
			prep_fairness *f = table(0, 7, pred, weight), *r;
			prep_partial_input in;
			char *a = state_text(f), *b;
			prep_field v;

			r = read_state(a, pred, weight, &in);
			b = state_text(r);
			cr_expect_str_eq(a, b);
			/* groups in the order of first appearance */
			cr_assert_eq(prep_fairness_group_values(r, 1, &v),
				     PREP_OK);
			cr_expect(v.len == 1 && v.data[0] == 'B');
			prep_partial_input_free(&in);
			prep_fairness_free(f);
			prep_fairness_free(r);
			free(a);
			free(b);
		}
}

/* The text of f's JSON report, all rates and metrics in it. */
static char *
report(const prep_fairness *f, long privileged)
{
	prep_writer_options wo = {.delim = ','};
	prep_fairness_summary s;
	prep_fairness_gates g = {0};
	prep_writer *w;
	FILE *fp = tmpfile();
	char *t = calloc(1, 8192);
	ssize_t n;

	cr_assert(fp && t);
	cr_assert_eq(prep_fairness_summarize(f, privileged, &s), PREP_OK);
	cr_assert_eq(prep_writer_new(fileno(fp), &wo, &w), PREP_OK);
	cr_assert_eq(prep_fairness_report_json(f, names, &s, &g, w), PREP_OK);
	cr_assert_eq(prep_fairness_report_table(f, names, w), PREP_OK);
	cr_assert_eq(prep_writer_finish(w), PREP_OK);
	prep_writer_free(w);
	cr_assert_eq(lseek(fileno(fp), 0, SEEK_SET), 0);
	n = read(fileno(fp), t, 8191);
	cr_assert(n > 0 && n < 8191);
	(void)fclose(fp);
	return t;
}

/* Halves merged: the state, the reports and metrics of the whole. */
Test(fairness_state, halves_merged_are_the_whole)
{
	int pred, weight;
	size_t cut;
	long priv;

	for (pred = 0; pred < 2; pred++)
		for (weight = 0; weight < 2; weight++)
			for (cut = 0; cut <= 7; cut++) {
				prep_fairness *whole =
				    table(0, 7, pred, weight);
				prep_fairness *a = table(0, cut, pred, weight);
				prep_fairness *b = table(cut, 7, pred, weight);
				char *ta = state_text(a), *tb = state_text(b);
				char *tw = state_text(whole), *tm;
				prep_partial_input ia, ib;
				prep_fairness *ra, *rb;

				ra = read_state(ta, pred, weight, &ia);
				rb = read_state(tb, pred, weight, &ib);
				cr_assert_eq(prep_fairness_merge(ra, rb),
					     PREP_OK);
				tm = state_text(ra);
				cr_expect_str_eq(tm, tw, "cut %zu", cut);
				for (priv = -1; priv < 3; priv++) {
					char *r1 = report(whole, priv);
					char *r2 = report(ra, priv);

					cr_expect_str_eq(r1, r2, "cut %zu",
							 cut);
					free(r1);
					free(r2);
				}
				prep_partial_input_free(&ia);
				prep_partial_input_free(&ib);
				prep_fairness_free(whole);
				prep_fairness_free(a);
				prep_fairness_free(b);
				prep_fairness_free(ra);
				prep_fairness_free(rb);
				free(ta);
				free(tb);
				free(tw);
				free(tm);
			}
}

/* A valid state, with a prediction and weights, damaged. */
static const char good[] =
    "{\"delimiter\":\",\",\"group_columns\":[\"g\"],\"rows\":3,"
    "\"groups\":["
    "{\"values\":[\"A\"],\"first\":1,\"tp\":1,\"fp\":0,\"fn\":0,\"tn\":1,"
    "\"w_tp\":1,\"w_fp\":0,\"w_fn\":0,\"w_tn\":\"0x3p-1\"},"
    "{\"values\":[\"B\"],\"first\":2,\"tp\":0,\"fp\":1,\"fn\":0,\"tn\":0,"
    "\"w_tp\":0,\"w_fp\":2,\"w_fn\":0,\"w_tn\":0}]}";

struct damage {
	const char *from, *to, *why;
};

static const struct damage damages[] = {
    {"\"rows\":3,", "", "a member of the state is missing or unknown"},
    {"\"rows\":3,", "\"rows\":3,\"label_column\":null,",
     "a member of the state is missing or unknown"},
    {"\"delimiter\":\",\"", "\"delimiter\":\"\"", "bad delimiter"},
    {"\"rows\":3", "\"rows\":\"3\"", "bad rows"},
    {"\"group_columns\":[\"g\"]", "\"group_columns\":\"g\"",
     "bad names of the columns"},
    {"\"group_columns\":[\"g\"]", "\"group_columns\":null",
     "an input without columns, with rows"},
    {"\"rows\":3", "\"rows\":4",
     "the groups' counts do not add up to the rows"},
    {"\"rows\":3", "\"rows\":2",
     "the groups' counts do not add up to the rows"},
    {"\"rows\":3", "\"rows\":1", "bad groups"},
    {"\"tn\":1", "\"tn\":2", "the groups' counts do not add up to the rows"},
    {"\"tp\":1", "\"tp\":0", "a sum of weights larger than its rows can make"},
    {"\"tp\":0", "\"tp\":4", "bad count of a group"},
    {"\"fp\":1", "\"fp\":0", "bad count of a group"},
    {"\"first\":2", "\"first\":9", "bad first row of a group"},
    {"\"first\":2", "\"first\":1", "two groups of the same first row"},
    {"[\"B\"]", "[\"A\"]", "groups out of order, or a group twice"},
    {"[\"B\"]", "[\"0\"]", "groups out of order, or a group twice"},
    {"[\"B\"]", "[\"B\",\"C\"]", "bad group"},
    {"\"w_tn\":0}", "\"w_tn\":0,\"w_x\":0}", "bad group"},
    {",\"w_tn\":0}", "}", "bad group"},
    {"\"w_fp\":2", "\"w_fp\":\"2\"", "bad sum of weights of a group"},
    {"\"w_fp\":2", "\"w_fp\":\"0x1p1000\"",
     "a sum of weights larger than its rows can make"},
    {"\"w_fn\":0,\"w_tn\":0}", "\"w_fn\":1,\"w_tn\":0}",
     "a sum of weights larger than its rows can make"},
    {"[\"B\"]", "[\"hex:zz\"]", "hex: value not in lowercase hexadecimal"},
    {"\"groups\":[", "\"groups\":{\"a\":[", "bad groups"},
};

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
	if (strcmp(d->from, "\"groups\":[") == 0)
		strcat(t, "}");
	return t;
}

Test(fairness_state, damage_refused)
{
	prep_partial_input in;
	prep_fairness *f;
	size_t i;

	f = read_state(good, 1, 1, &in);
	prep_partial_input_free(&in);
	prep_fairness_free(f);
	for (i = 0; i < sizeof damages / sizeof damages[0]; i++) {
		char *t = damaged(&damages[i]);
		json_t *j = json_loads(t, 0, NULL);
		const char *why = NULL;
		prep_status st;

		cr_assert_not_null(j, "%s", t);
		f = (prep_fairness *)1;
		st =
		    prep_fairness_from_state(j, 1, 1, "1", 1, 0, &f, &in, &why);
		cr_expect_eq(st, PREP_ERR_VALUE, "%s", t);
		cr_expect_null(f, "%s", t);
		cr_expect_null(in.names, "%s", t);
		cr_expect(why && strcmp(why, damages[i].why) == 0,
			  "%s: '%s', want '%s'", t, why ? why : "(null)",
			  damages[i].why);
		json_decref(j);
		free(t);
	}
}

/* Read with other options than it was written with: refused. */
Test(fairness_state, shape_of_the_options)
{
	json_t *j = json_loads(good, 0, NULL);
	prep_partial_input in;
	prep_fairness *f;
	const char *why;

	cr_assert_not_null(j);
	/* no prediction column: fp must be 0 */
	cr_expect_eq(
	    prep_fairness_from_state(j, 0, 1, "1", 1, 0, &f, &in, &why),
	    PREP_ERR_VALUE);
	cr_expect_str_eq(why, "predictions apart from the labels, without a "
			      "prediction column");
	cr_expect_eq(
	    prep_fairness_from_state(j, 1, 0, "1", 1, 0, &f, &in, &why),
	    PREP_ERR_VALUE);
	cr_expect_str_eq(why, "bad group");
	cr_expect_eq(
	    prep_fairness_from_state(j, 1, 1, "1", 1, 1, &f, &in, &why),
	    PREP_ERR_LIMIT);
	cr_expect_str_eq(why, "more groups than the cap");
	json_decref(j);
}

Test(fairness_state, merge_rules)
{
	prep_fairness *a = table(0, 3, 1, 0), *b = table(3, 7, 0, 0);
	prep_fairness *c = table(3, 7, 1, 1), *w;
	prep_partial_input in;
	json_t *j;
	const char *why;

	cr_expect_eq(prep_fairness_merge(a, b), PREP_ERR_ARG);
	cr_expect_eq(prep_fairness_merge(a, c), PREP_ERR_ARG);
	j = json_loads("{\"delimiter\":\",\",\"group_columns\":[\"g\"],"
		       "\"rows\":9007199254740992,\"groups\":[{\"values\":"
		       "[\"A\"],\"first\":1,\"tp\":9007199254740992,\"fp\":0,"
		       "\"fn\":0,\"tn\":0}]}",
		       0, NULL);
	cr_assert_not_null(j);
	cr_assert_eq(
	    prep_fairness_from_state(j, 1, 0, "1", 1, 0, &w, &in, &why),
	    PREP_OK);
	cr_expect_eq(prep_fairness_merge(a, w), PREP_ERR_LIMIT);
	prep_partial_input_free(&in);
	prep_fairness_free(w);
	prep_fairness_free(a);
	prep_fairness_free(b);
	prep_fairness_free(c);
	json_decref(j);
}

Test(fairness_state, memory_budget)
{
	json_t *j = json_loads(good, 0, NULL);
	prep_partial_input in;
	prep_fairness *f;
	const char *why;
	prep_status st;

	prep_memcap_set(prep_memcap_used() + 64);
	st = prep_fairness_from_state(j, 1, 1, "1", 1, 0, &f, &in, &why);
	prep_memcap_set(PREP_MEMCAP_DEFAULT);
	cr_expect_eq(st, PREP_ERR_MEMORY);
	cr_expect_null(f);
	json_decref(j);
}

/*
 * Threads' tables (prep_fairness_add_at by place, pieces dealt round
 * the threads) added up by prep_fairness_merge_places: the state (first
 * rows and all) and the report (groups in order of first appearance) of
 * the whole, for every way of cutting the seven rows into pieces and 1
 * to 3 threads.
 */
Test(fairness_state, threads_tables_by_place_are_the_whole)
{
	int cuts, threads, weight;

	for (weight = 0; weight < 2; weight++)
		for (cuts = 0; cuts < 64; cuts++)
			for (threads = 1; threads <= 3; threads++) {
				prep_fairness *whole = table(0, 7, 1, weight);
				prep_fairness *part[3], *sum;
				uint64_t base[8] = {0}, piece = 1, index = 0;
				size_t i, t = 0;
				char *tw, *tm, *rw, *rm;

				for (i = 0; i < 3; i++)
					part[i] = table(0, 0, 1, weight);
				sum = table(0, 0, 1, weight);
				for (i = 0; i < 7; i++) {
					prep_field row[4];

					row[0] = (prep_field){cells[i][0], 1};
					row[1] = (prep_field){cells[i][1], 1};
					row[2] = (prep_field){cells[i][2], 1};
					row[3] = (prep_field){
					    cells[i][3], strlen(cells[i][3])};
					cr_assert_eq(prep_fairness_add_at(
							 part[t], row,
							 piece << 32 | index++),
						     PREP_OK);
					if (i < 6 && (cuts >> i & 1)) {
						base[piece + 1] = i + 1;
						piece++;
						index = 0;
						t = (t + 1) % (size_t)threads;
					}
				}
				cr_assert_eq(prep_fairness_merge_places(
						 sum, part, (size_t)threads,
						 base, (size_t)piece + 1),
					     PREP_OK);
				tw = state_text(whole);
				tm = state_text(sum);
				cr_expect_str_eq(tm, tw, "cuts %d, %d threads",
						 cuts, threads);
				rw = report(whole, 0);
				rm = report(sum, 0);
				cr_expect_str_eq(rm, rw, "cuts %d, %d threads",
						 cuts, threads);
				free(tw);
				free(tm);
				free(rw);
				free(rm);
				for (i = 0; i < 3; i++)
					prep_fairness_free(part[i]);
				prep_fairness_free(sum);
				prep_fairness_free(whole);
			}
}
