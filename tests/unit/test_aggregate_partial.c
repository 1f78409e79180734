/*
 * test_aggregate_partial.c: unit tests of libprep/aggregate_partial.c,
 * the state of dpnoise's aggregate mode in a partial.
 *
 * The reference is the run over the whole input: rows split into parts,
 * each part's state written to JSON text, read back and added into a new
 * aggregation, must release, with the same seed, exactly what one
 * aggregation of all the rows releases (counts, sums and means; one
 * group, keys, partition selection; with an id column, parts holding all
 * of an id's rows), whatever the order of the parts. The state's text is
 * the same whatever the order of the rows. Then the refusals: each
 * member of a good state broken in turn is refused with its reason, and
 * a negative control (a state of other rows) releases something else.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "aggregate_partial.h"

#define F(lit) ((prep_field){(lit), sizeof(lit) - 1})
#define MAXROWS 4096
#define OUT_MAX 65536

static const size_t col0[] = {0};

/* The rows of a test: group, value, id. */
struct row {
	char g[16], v[32], id[16];
};

static struct row rows[MAXROWS];
static size_t nrows;

/* A test's parameters: kind, groups (with keys a, b, c, z), id. */
static prep_agg_params
params(prep_agg_kind kind, prep_agg_groups groups, int id, double lo, double hi,
       int real)
{
	prep_agg_params p;

	prep_agg_params_init(&p, kind, 1);
	p.groups = groups;
	if (groups != PREP_AGG_ONE) {
		p.by = col0;
		p.nby = 1;
	}
	if (groups == PREP_AGG_SELECT)
		p.delta = 1e-3;
	if (kind != PREP_AGG_COUNT) {
		p.value = 1;
		p.lo = lo;
		p.hi = hi;
		p.real_values = real;
	}
	if (id) {
		p.id = 2;
		p.max_contrib = 2;
	}
	return p;
}

static prep_agg *
make(const prep_agg_params *p)
{
	static const char *keys[] = {"a", "b", "c", "z"};
	prep_agg *a;
	size_t i;

	cr_assert_eq(prep_agg_new(p, &a), PREP_OK);
	for (i = 0; p->groups == PREP_AGG_KEYS && i < 4; i++) {
		prep_field k = {keys[i], 1};

		cr_assert_eq(prep_agg_add_key(a, &k), PREP_OK);
	}
	return a;
}

static void
add_row(prep_agg *a, prep_rng *g, const struct row *r)
{
	prep_field f[3] = {
	    {r->g, strlen(r->g)}, {r->v, strlen(r->v)}, {r->id, strlen(r->id)}};

	cr_assert_eq(prep_agg_add_row(a, g, f, NULL), PREP_OK);
}

/* What a release emits, as text: "key=value\n" per group. */
static prep_status
emit(void *ctx, const prep_field *key, size_t nkey, const char *value,
     size_t len)
{
	char *out = ctx;
	size_t at = strlen(out);

	cr_assert_lt(at + 200, OUT_MAX);
	snprintf(out + at, OUT_MAX - at, "%.*s=%.*s\n",
		 nkey ? (int)key[0].len : 0, nkey ? key[0].data : "", (int)len,
		 value);
	return PREP_OK;
}

static void
release(prep_agg *a, uint64_t seed, char *out)
{
	prep_rng *g;

	out[0] = '\0';
	cr_assert_eq(prep_rng_new_seeded(seed, &g), PREP_OK);
	if (a != NULL)
		cr_assert_eq(prep_agg_release(a, g, emit, out, NULL), PREP_OK);
	prep_rng_free(g);
}

static const prep_partial_input input = {',', (prep_field[]){{"g", 1}}, 1,
					 NULL};
static const prep_partial_input input0 = {',', NULL, 0, NULL};

/* The state of a as JSON text (made, written, freed). */
static char *
state_text(prep_agg *a, const prep_agg_params *p)
{
	json_t *s;
	char *t;

	cr_assert_eq(prep_agg_state(a, p->nby ? &input : &input0, &s), PREP_OK);
	t = json_dumps(s, JSON_COMPACT | JSON_PRESERVE_ORDER);
	cr_assert_not_null(t);
	json_decref(s);
	return t;
}

/* Add the state text t into a; PREP_OK or the status, why filled. */
static prep_status
add_text(prep_agg *a, const char *t, char *why, size_t n)
{
	json_error_t e;
	json_t *s = json_loads(t, JSON_REJECT_DUPLICATES, &e);
	prep_status st;

	cr_assert_not_null(s, "%s: %s", t, e.text);
	why[0] = '\0';
	st = prep_agg_state_add(a, s, why, n);
	json_decref(s);
	return st;
}

/*
 * The run over rows 0 .. nrows-1 against the merge of nparts parts
 * (row i in part part_of(i)), each part's state through JSON text,
 * added in reverse order. With an id column every aggregation draws its
 * subset key from the seed first, as dpnoise does.
 */
static void
check_merge(const prep_agg_params *p, size_t nparts, size_t (*part_of)(size_t),
	    uint64_t seed)
{
	static char whole[OUT_MAX], merged[OUT_MAX];
	prep_agg *a = make(p), *m = make(p), *parts[8];
	prep_rng *g;
	char *texts[8], why[200];
	size_t i, k;

	cr_assert_leq(nparts, 8);
	cr_assert_eq(prep_rng_new_seeded(seed, &g), PREP_OK);
	if (p->id >= 0)
		cr_assert_eq(prep_agg_draw_subset_key(a, g), PREP_OK);
	for (i = 0; i < nrows; i++)
		add_row(a, g, &rows[i]);
	prep_rng_free(g);
	release(a, seed + 1, whole);
	for (k = 0; k < nparts; k++) {
		parts[k] = make(p);
		cr_assert_eq(prep_rng_new_seeded(seed, &g), PREP_OK);
		if (p->id >= 0)
			cr_assert_eq(prep_agg_draw_subset_key(parts[k], g),
				     PREP_OK);
		for (i = 0; i < nrows; i++)
			if (part_of(i) == k)
				add_row(parts[k], g, &rows[i]);
		prep_rng_free(g);
		texts[k] = state_text(parts[k], p);
	}
	for (k = nparts; k-- > 0;)
		cr_assert_eq(add_text(m, texts[k], why, sizeof why), PREP_OK,
			     "%s", why);
	release(m, seed + 1, merged);
	cr_assert_str_eq(merged, whole);
	cr_assert_gt(strlen(whole), 0);
	for (k = 0; k < nparts; k++) {
		free(texts[k]);
		prep_agg_free(parts[k]);
	}
	prep_agg_free(a);
	prep_agg_free(m);
}

static size_t
halves(size_t i)
{
	return i < nrows / 2 ? 0 : 1;
}

static size_t
seven_interleaved(size_t i)
{
	return i % 7;
}

/* Parts by id (all of an id's rows in one part), as --part-by does. */
static size_t
three_by_id(size_t i)
{
	return (size_t)atoi(rows[i].id + 1) % 3;
}

static size_t
one_part(size_t i)
{
	(void)i;
	return 0;
}

/* Rows of groups a, b, c (and d outside the keys) whose decimal values
 * cancel: 1e15 and -1e15 around small ones. */
static void
make_rows(unsigned seed)
{
	static const char *groups[] = {"a", "b", "c", "d"};
	static const char *values[] = {
	    "1e15", "-1e15", "0.1", "2.5", "1e-300", "7", "-3", "", "123.456"};
	size_t i;

	nrows = 600;
	for (i = 0; i < nrows; i++) {
		seed = seed * 1103515245u + 12345u;
		snprintf(rows[i].g, sizeof rows[i].g, "%s",
			 groups[(seed >> 8) % 4]);
		snprintf(rows[i].v, sizeof rows[i].v, "%s",
			 values[(seed >> 12) % 9]);
		snprintf(rows[i].id, sizeof rows[i].id, "u%u",
			 (seed >> 16) % 50);
	}
}

Test(aggregate_partial, merge_equals_whole)
{
	static const prep_agg_kind kinds[] = {PREP_AGG_COUNT, PREP_AGG_SUM,
					      PREP_AGG_MEAN};
	static const prep_agg_groups groups[] = {PREP_AGG_ONE, PREP_AGG_KEYS,
						 PREP_AGG_SELECT};
	size_t k, g, real;
	prep_agg_params p;

	make_rows(1);
	for (k = 0; k < 3; k++)
		for (g = 0; g < 3; g++)
			for (real = 0; real < 2; real++) {
				p = params(kinds[k], groups[g], 0, -1e15, 1e15,
					   (int)real);
				check_merge(&p, 1, one_part, 10 + k);
				check_merge(&p, 2, halves, 20 + g);
				check_merge(&p, 7, seven_interleaved, 30);
			}
}

/*
 * prep_agg_merge, as the threads add up: rows dealt to three
 * aggregations, the second and third made like the first
 * (prep_agg_new_like), merged into it, released as the whole run over
 * every row is.
 */
Test(aggregate_partial, agg_merge_equals_whole)
{
	static const prep_agg_kind kinds[] = {PREP_AGG_COUNT, PREP_AGG_SUM,
					      PREP_AGG_MEAN};
	static const prep_agg_groups groups[] = {PREP_AGG_ONE, PREP_AGG_KEYS,
						 PREP_AGG_SELECT};
	static char whole[OUT_MAX], merged[OUT_MAX];
	size_t k, g, real, i, t;

	make_rows(2);
	for (k = 0; k < 3; k++)
		for (g = 0; g < 3; g++)
			for (real = 0; real < 2; real++) {
				prep_agg_params p =
				    params(kinds[k], groups[g], 0, -1e15, 1e15,
					   (int)real);
				prep_agg *a = make(&p), *parts[3];

				/* the others like the first: its keys too */
				parts[0] = make(&p);
				for (t = 1; t < 3; t++)
					cr_assert_eq(prep_agg_new_like(
							 parts[0], &parts[t]),
						     PREP_OK);
				for (i = 0; i < nrows; i++) {
					add_row(a, NULL, &rows[i]);
					add_row(parts[(i / 7) % 3], NULL,
						&rows[i]);
				}
				for (t = 1; t < 3; t++) {
					cr_assert_eq(
					    prep_agg_merge(parts[0], parts[t]),
					    PREP_OK);
					prep_agg_free(parts[t]);
				}
				/* no copy of one that has rows */
				{
					prep_agg *no = (prep_agg *)&no;

					cr_assert_eq(
					    prep_agg_new_like(parts[0], &no),
					    PREP_ERR_ARG);
					cr_assert_null(no);
				}
				release(a, 40 + k, whole);
				release(parts[0], 40 + k, merged);
				cr_assert_str_eq(merged, whole);
				cr_assert_gt(strlen(whole), 0);
				prep_agg_free(a);
				prep_agg_free(parts[0]);
			}
}

Test(aggregate_partial, merge_with_ids_in_one_part_each)
{
	static const prep_agg_kind kinds[] = {PREP_AGG_COUNT, PREP_AGG_SUM,
					      PREP_AGG_MEAN};
	size_t k;
	prep_agg_params p;

	make_rows(2);
	for (k = 0; k < 3; k++) {
		p = params(kinds[k], PREP_AGG_KEYS, 1, -10, 10, 0);
		check_merge(&p, 3, three_by_id, 40 + k);
		p = params(kinds[k], PREP_AGG_SELECT, 1, 0, 1e15, 1);
		check_merge(&p, 3, three_by_id, 50 + k);
	}
}

/* The negative control: a merge of other rows releases something else. */
Test(aggregate_partial, other_rows_release_otherwise)
{
	prep_agg_params p = params(PREP_AGG_SUM, PREP_AGG_KEYS, 0, 0, 1e6, 1);
	static char whole[OUT_MAX], merged[OUT_MAX];
	prep_agg *a = make(&p), *half = make(&p), *m = make(&p);
	char *t, why[200];
	size_t i;

	make_rows(3);
	for (i = 0; i < nrows; i++) {
		add_row(a, NULL, &rows[i]);
		if (i != 5)
			add_row(half, NULL, &rows[i]);
	}
	release(a, 9, whole);
	t = state_text(half, &p);
	cr_assert_eq(add_text(m, t, why, sizeof why), PREP_OK, "%s", why);
	release(m, 9, merged);
	cr_assert_str_neq(merged, whole);
	free(t);
	prep_agg_free(a);
	prep_agg_free(half);
	prep_agg_free(m);
}

/* The same rows in another order: the same state, byte for byte. */
Test(aggregate_partial, state_text_is_order_free)
{
	prep_agg_params p =
	    params(PREP_AGG_MEAN, PREP_AGG_SELECT, 0, -1e15, 1e15, 1);
	prep_agg *a = make(&p), *b = make(&p);
	char *ta, *tb;
	size_t i;

	make_rows(4);
	for (i = 0; i < nrows; i++) {
		add_row(a, NULL, &rows[i]);
		add_row(b, NULL, &rows[nrows - 1 - i]);
	}
	ta = state_text(a, &p);
	tb = state_text(b, &p);
	cr_assert_str_eq(ta, tb);
	free(ta);
	free(tb);
	prep_agg_free(a);
	prep_agg_free(b);
}

/* A small state, written exactly as the page says. */
Test(aggregate_partial, state_layout)
{
	prep_agg_params p = params(PREP_AGG_SUM, PREP_AGG_KEYS, 0, 0, 100, 0);
	prep_agg *a = make(&p);
	struct row r[] = {{"b", "12", ""},  {"a", "0.4", ""}, {"a", "0.6", ""},
			  {"a", "250", ""}, {"d", "5", ""},   {"b", "", ""}};
	char *t;
	size_t i;

	for (i = 0; i < sizeof r / sizeof *r; i++)
		add_row(a, NULL, &r[i]);
	t = state_text(a, &p);
	/* integer bounds: 0.4 -> 0, 0.6 -> 1, 250 -> 100; d not a key; the
	 * keys digest: SHA-256 of 01 61 00 01 62 00 01 63 00 01 7a 00 (Python
	 * hashlib);
	 * empty value left out; c and z without rows not written */
	cr_assert_str_eq(
	    t,
	    "{\"by\":[\"g\"],\"delimiter\":\",\",\"groups\":["
	    "{\"key\":[\"a\"],\"count\":3,\"sum\":101},"
	    "{\"key\":[\"b\"],\"count\":1,\"sum\":12}],"
	    "\"keys\":"
	    "\"f139f63b658a98fd976f5302f606bb554c382ce2e2c68d4444bf64129a370d0b\"}");
	free(t);
	prep_agg_free(a);
}

/* ---- refusals ---- */

#define GOOD_KEYS                                                              \
	"\"f139f63b658a98fd976f5302f606bb554c382ce2e2c68d4444bf64129a370d0b\""

/* A state for a sum in [0, 100] by keys a, b, c, z: refused with why. */
static void
refused(const char *text, const char *reason)
{
	prep_agg_params p = params(PREP_AGG_SUM, PREP_AGG_KEYS, 0, 0, 100, 0);
	prep_agg *a = make(&p);
	char why[200];

	cr_assert_eq(add_text(a, text, why, sizeof why), PREP_ERR_VALUE, "%s",
		     text);
	cr_assert_str_eq(why, reason, "%s", text);
	prep_agg_free(a);
}

Test(aggregate_partial, malformed_states_refused)
{
	const char *g1 = "{\"key\":[\"a\"],\"count\":3,\"sum\":101}";
	char t[1024], pair[256];

	refused("[]", "state: not an object of by, delimiter, groups and keys");
	refused("{\"by\":[\"g\"],\"delimiter\":\",\",\"groups\":[]}",
		"state: not an object of by, delimiter, groups and keys");
	refused("{\"by\":[\"g\"],\"delimiter\":\",\",\"groups\":[],\"keys\":"
		"null,\"more\":1}",
		"state: not an object of by, delimiter, groups and keys");
	refused(
	    "{\"by\":[],\"delimiter\":\",\",\"groups\":[],\"keys\":" GOOD_KEYS
	    "}",
	    "state: by is not a list of 1 column names");
	refused("{\"by\":[\"g\"],\"delimiter\":\",\",\"groups\":[],\"keys\":"
		"null}",
		"state: made with another list of --keys");
	refused("{\"by\":[\"g\"],\"delimiter\":\",\",\"groups\":[],\"keys\":"
		"\"00\"}",
		"state: made with another list of --keys");
	refused("{\"by\":[\"g\"],\"delimiter\":\",\",\"groups\":{},\"keys\":"
		"" GOOD_KEYS "}",
		"state: groups is not a list");
#define WITH(groups)                                                           \
	(snprintf(t, sizeof t,                                                 \
		  "{\"by\":[\"g\"],\"delimiter\":\",\",\"groups\":[%s],"       \
		  "\"keys\":" GOOD_KEYS "}",                                   \
		  groups),                                                     \
	 t)
	/* the good one, for the record */
	{
		prep_agg_params p =
		    params(PREP_AGG_SUM, PREP_AGG_KEYS, 0, 0, 100, 0);
		prep_agg *a = make(&p);
		char why[200];

		cr_assert_eq(add_text(a, WITH(g1), why, sizeof why), PREP_OK,
			     "%s", why);
		prep_agg_free(a);
	}
	refused(WITH("[]"), "state: group 1 is not an object of key, count "
			    "and sum");
	refused(WITH("{\"key\":[\"a\"],\"count\":3}"),
		"state: group 1 is not an object of key, count and sum");
	refused(WITH("{\"key\":[\"a\"],\"count\":3,\"sum\":1,\"x\":1}"),
		"state: group 1 is not an object of key, count and sum");
	refused(WITH("{\"key\":[],\"count\":3,\"sum\":1}"),
		"state: group 1: its key is not 1 values");
	refused(WITH("{\"key\":[1],\"count\":3,\"sum\":1}"),
		"state: group 1: its key is not 1 values");
	refused(WITH("{\"key\":[\"hex:zz\"],\"count\":3,\"sum\":1}"),
		"state: group 1: its key is not 1 values");
	refused(WITH("{\"key\":[\"x\"],\"count\":3,\"sum\":1}"),
		"state: group 1 is not one of the keys");
	snprintf(pair, sizeof pair, "%s,%s", g1, g1);
	refused(WITH(pair), "state: group 2 is out of order, or there twice");
	refused(WITH("{\"key\":[\"b\"],\"count\":1,\"sum\":1},"
		     "{\"key\":[\"a\"],\"count\":1,\"sum\":1}"),
		"state: group 2 is out of order, or there twice");
	refused(WITH("{\"key\":[\"a\"],\"count\":0,\"sum\":\"0x0p+0\"}"),
		"state: group 1: its count is not a whole number from 1");
	refused(WITH("{\"key\":[\"a\"],\"count\":-1,\"sum\":\"0x0p+0\"}"),
		"state: group 1: its count is not a whole number from 1");
	refused(WITH("{\"key\":[\"a\"],\"count\":1.5,\"sum\":\"0x0p+0\"}"),
		"state: group 1: its count is not a whole number from 1");
	refused(WITH("{\"key\":[\"a\"],\"count\":\"2\",\"sum\":\"0x0p+0\"}"),
		"state: group 1: its count is not a whole number from 1");
	refused(WITH("{\"key\":[\"a\"],\"count\":1,\"sum\":1.0}"),
		"state: group 1: its sum is not an exact sum");
	refused(WITH("{\"key\":[\"a\"],\"count\":1,\"sum\":\"0x2p-1\"}"),
		"state: group 1: its sum is not an exact sum");
	refused(WITH("{\"key\":[\"a\"],\"count\":1,\"sum\":\"1\"}"),
		"state: group 1: its sum is not an exact sum");
	/* 101 > 1 * 100; -1 < 1 * 0; 2.5 not whole with whole bounds */
	refused(WITH("{\"key\":[\"a\"],\"count\":1,\"sum\":101}"),
		"state: group 1: its sum is outside count * [lo, hi]");
	refused(WITH("{\"key\":[\"a\"],\"count\":1,\"sum\":-1}"),
		"state: group 1: its sum is outside count * [lo, hi]");
	refused(WITH("{\"key\":[\"a\"],\"count\":1,\"sum\":\"0x5p-1\"}"),
		"state: group 1: its sum is not a whole number");
	refused(WITH("{\"key\":[\"a\"],\"count\":1,\"sum\":\"0x5p-1\"},"
		     "{\"key\":[\"b\"],\"count\":1,\"sum\":\"0x5p-1\"},"
		     "{\"key\":[\"c\"],\"count\":1,\"sum\":\"0x5p-1\"},"
		     "{\"key\":[\"x\"],\"count\":1,\"sum\":\"0x5p-1\"},"
		     "{\"key\":[\"z\"],\"count\":1,\"sum\":\"0x5p-1\"}"),
		"state: more groups than keys");
#undef WITH
}

Test(aggregate_partial, one_group_and_selection_refusals)
{
	prep_agg_params p = params(PREP_AGG_COUNT, PREP_AGG_ONE, 0, 0, 0, 0);
	prep_agg *a = make(&p);
	char why[200];

	cr_assert_eq(add_text(a,
			      "{\"by\":[],\"delimiter\":\";\",\"groups\":[{"
			      "\"key\":[],\"count\":2},{\"key\":[],\"count\":"
			      "2}],\"keys\":null}",
			      why, sizeof why),
		     PREP_ERR_VALUE);
	cr_assert_str_eq(why, "state: more than one group without --by");
	cr_assert_eq(add_text(a,
			      "{\"by\":[],\"delimiter\":\";\",\"groups\":[{"
			      "\"key\":[],\"count\":2,\"sum\":1}],"
			      "\"keys\":null}",
			      why, sizeof why),
		     PREP_ERR_VALUE);
	cr_assert_str_eq(why,
			 "state: group 1 is not an object of key and count");
	cr_assert_eq(add_text(a,
			      "{\"by\":[],\"delimiter\":\";\",\"groups\":[],"
			      "\"keys\":\"00\"}",
			      why, sizeof why),
		     PREP_ERR_VALUE);
	cr_assert_str_eq(why, "state: keys is not null without --keys");
	prep_agg_free(a);
}

/* Counts past 2^63 - 1 in all: a range error, not a wrapped count. */
Test(aggregate_partial, counts_overflow)
{
	prep_agg_params p = params(PREP_AGG_COUNT, PREP_AGG_ONE, 0, 0, 0, 0);
	prep_agg *a = make(&p);
	const char *t = "{\"by\":[],\"delimiter\":\",\",\"groups\":[{\"key\":"
			"[],\"count\":9223372036854775807}],\"keys\":null}";
	char why[200];

	cr_assert_eq(add_text(a, t, why, sizeof why), PREP_OK, "%s", why);
	cr_assert_eq(add_text(a, t, why, sizeof why), PREP_ERR_RANGE);
	prep_agg_free(a);
}

Test(aggregate_partial, input_of_a_state)
{
	prep_partial_input in, other;
	char why[200];
	json_t *s;

	s = json_loads("{\"by\":[\"sex\",\"hex:00ff\"],\"delimiter\":\"\\t\","
		       "\"groups\":[],\"keys\":null}",
		       0, NULL);
	cr_assert_eq(prep_agg_state_input(s, &in, why, sizeof why), PREP_OK);
	cr_assert_eq(in.delim, '\t');
	cr_assert_eq(in.nnames, 2);
	cr_assert_eq(in.names[0].len, 3);
	cr_assert_eq(memcmp(in.names[0].data, "sex", 3), 0);
	cr_assert_eq(in.names[1].len, 2);
	cr_assert_eq(memcmp(in.names[1].data, "\0\xff", 2), 0);
	cr_assert(prep_partial_input_same(&in, &in));
	json_decref(s);
	s = json_loads("{\"by\":[\"sex\",\"hex:00ff\"],\"delimiter\":\",\","
		       "\"groups\":[],\"keys\":null}",
		       0, NULL);
	cr_assert_eq(prep_agg_state_input(s, &other, why, sizeof why), PREP_OK);
	cr_assert_not(prep_partial_input_same(&in, &other));
	prep_partial_input_free(&other);
	prep_partial_input_free(&in);
	json_decref(s);
	static const char *const bad[][2] = {
	    {"{\"by\":{},\"delimiter\":\",\",\"groups\":[],\"keys\":null}",
	     "state: by is not a list of columns"},
	    {"{\"by\":[1],\"delimiter\":\",\",\"groups\":[],\"keys\":null}",
	     "state: bad name of a column"},
	    {"{\"by\":[],\"delimiter\":\",,\",\"groups\":[],\"keys\":null}",
	     "state: bad delimiter"},
	    {"{\"by\":[],\"delimiter\":\"\\\"\",\"groups\":[],\"keys\":null}",
	     "state: bad delimiter"},
	    {"{\"by\":[],\"delimiter\":\"\\n\",\"groups\":[],\"keys\":null}",
	     "state: bad delimiter"},
	    {"{\"by\":[],\"delimiter\":null,\"groups\":[],\"keys\":null}",
	     "state: bad delimiter"},
	    {"{\"by\":[],\"groups\":[],\"keys\":null}",
	     "state: not an object of by, delimiter, groups and keys"},
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		s = json_loads(bad[i][0], 0, NULL);
		cr_assert_not_null(s, "%s", bad[i][0]);
		cr_assert_eq(prep_agg_state_input(s, &in, why, sizeof why),
			     PREP_ERR_VALUE, "%s", bad[i][0]);
		cr_assert_str_eq(why, bad[i][1]);
		cr_assert_null(in.names);
		json_decref(s);
	}
}

/* No state after the release; a state made, rows no more. */
Test(aggregate_partial, call_order)
{
	prep_agg_params p = params(PREP_AGG_COUNT, PREP_AGG_ONE, 0, 0, 0, 0);
	prep_agg *a = make(&p);
	struct row r = {"a", "", ""};
	prep_field f[3] = {{r.g, 1}, {r.v, 0}, {r.id, 0}};
	static char out[OUT_MAX];
	json_t *s;

	add_row(a, NULL, &r);
	cr_assert_eq(prep_agg_state(a, &input0, &s), PREP_OK);
	json_decref(s);
	cr_assert_eq(prep_agg_add_row(a, NULL, f, NULL), PREP_ERR_ARG);
	release(a, 1, out);
	cr_assert_eq(prep_agg_state(a, &input0, &s), PREP_ERR_ARG);
	cr_assert_null(s);
	prep_agg_free(a);
}
