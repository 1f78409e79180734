/*
 * fuzz_partial.c: libFuzzer harness of the partial reader (partial.h,
 * prep_partial_parse), what --merge reads from files other processes,
 * maybe on other machines, wrote.
 *
 * Input: the text of a partial, read as a partial of the filter it names
 * (of kcheck when it names none; of kcheck, to be refused, one time in
 * five). Refused: nothing is returned (p.doc NULL)
 * and PREP_ERR_VALUE comes with a reason in err.text (a syntax error with
 * its line and column, both >= 1), or PREP_ERR_LIMIT, or a lack of memory.
 *
 * Accepted: its part is one of 1..n (or unknown), its options and state
 * are objects; written again with prep_partial_text it is read back, and
 * that text written again is the same byte for byte; a partial merges
 * with itself when it has no part or is the whole (n = 1), and never with
 * a copy of itself among two of n >= 2 (the same part twice or a part
 * missing). Then its state is handed to the filter's own state reader
 * (check_state), which must refuse or accept it without harm; so is the
 * state of any JSON object with options and a state, checksum or not, so
 * that mutated states reach the filters' readers. dpnoise's
 * (check_state_dpnoise) reads a state into an aggregation made of its
 * options and merges it with itself, writes the merge and reads that
 * back, and releases it.
 */
#include "fuzz_common.h"

#include "aggregate_partial.h"
#include "fairness_state.h"
#include "fuzz_classes_state.h"
#include "json.h"
#include "partial.h"
#include "profile.h"
#include "validate_partial.h"
#include "weights_state.h"

/*
 * profile's (profile_partial.c): refused with a reason, or a profile whose
 * partial, written again, has the options it was read with and a state
 * that reads back and is written the same; merged with itself it doubles,
 * or is refused past its max_groups or a double's range.
 */
static void
check_state_profile(const json_t *options, const json_t *state)
{
	json_t *o2 = NULL, *s2 = NULL, *o3 = NULL, *s3 = NULL;
	prep_profile *p = NULL, *q = NULL;
	const char *why = NULL;
	prep_status st;

	st = prep_profile_from_partial(options, state, &p, &why);
	if (st != PREP_OK) {
		if (p != NULL || (st == PREP_ERR_VALUE && why == NULL))
			abort();
		return;
	}
	if (prep_profile_partial(p, NULL, &o2, &s2) != PREP_OK)
		goto out; /* no memory */
	/* the missing values are the run's, not the profile's */
	if (json_object_set(o2, "missing",
			    json_object_get(options, "missing")) != 0)
		goto out;
	if (!json_equal(o2, options))
		abort();
	st = prep_profile_from_partial(o2, s2, &q, &why);
	if (st == PREP_ERR_NOMEM || st == PREP_ERR_MEMORY)
		goto out;
	if (st != PREP_OK)
		abort(); /* what it wrote, it refuses */
	if (prep_profile_partial(q, NULL, &o3, &s3) != PREP_OK)
		goto out;
	if (!json_equal(s2, s3))
		abort();
	st = prep_profile_merge(p, q, &why);
	if (st != PREP_OK && st != PREP_ERR_LIMIT && st != PREP_ERR_RANGE &&
	    st != PREP_ERR_NOMEM && st != PREP_ERR_MEMORY)
		abort();
	if (st == PREP_OK && prep_profile_rows(p) != 2 * prep_profile_rows(q))
		abort();
out:
	json_decref(o2);
	json_decref(s2);
	json_decref(o3);
	json_decref(s3);
	prep_profile_free(p);
	prep_profile_free(q);
}

/*
 * The schema validate's states are read against: the seeds of
 * corpus/partial were written by `validate -s` with this schema (two
 * unique fields and a primary key), so that their key sets are read.
 */
#define VSCHEMA                                                                \
	"{\"fields\":[{\"name\":\"id\",\"type\":\"integer\","                  \
	"\"constraints\":{\"unique\":true}},"                                  \
	"{\"name\":\"email\",\"constraints\":{\"unique\":true}},"              \
	"{\"name\":\"n\",\"type\":\"integer\"}],"                              \
	"\"primaryKey\":[\"email\",\"n\"]}"

/*
 * validate's (validate_partial.c): refused with a reason, or a state
 * that is written again the same after a second reading, and that merges
 * with itself (the second part's keys all duplicates of the first's)
 * into a report, or is refused for a reason of its own (a part of
 * another header cannot be: it is itself).
 */
static void
check_state_validate(const json_t *options, const json_t *state)
{
	prep_vstate *st = NULL, *again = NULL, *parts[2];
	prep_validator *v = NULL;
	prep_vreport *r = NULL;
	prep_schema *sch = NULL;
	json_t *j1 = NULL, *j2 = NULL;
	uint64_t max_errors = 100;
	const char *why = NULL;
	size_t which;
	prep_where at;
	prep_status rc;
	char *text = NULL;

	(void)prep_json_uint(json_object_get(options, "max_errors"), 0, 1000,
			     &max_errors);
	if (prep_schema_parse(VSCHEMA, strlen(VSCHEMA), &sch, NULL) != PREP_OK)
		return;
	rc = prep_vstate_from_json(state, sch, (size_t)max_errors, &st, &why);
	if (rc != PREP_OK) {
		if (st != NULL || (rc == PREP_ERR_VALUE && why == NULL))
			abort();
		goto out;
	}
	if ((j1 = prep_vstate_to_json(st)) == NULL)
		goto out;
	rc = prep_vstate_from_json(j1, sch, (size_t)max_errors, &again, &why);
	if (rc == PREP_ERR_NOMEM || rc == PREP_ERR_MEMORY)
		goto out;
	if (rc != PREP_OK)
		abort(); /* what it wrote, it refuses */
	if ((j2 = prep_vstate_to_json(again)) == NULL)
		goto out;
	if (!json_equal(j1, j2))
		abort();
	if (prep_validator_new(sch, 0, &v) != PREP_OK ||
	    prep_vreport_new((size_t)max_errors, &r) != PREP_OK)
		goto out;
	parts[0] = st;
	parts[1] = again;
	rc = prep_vstate_merge(parts, 2, 0, v, r, &at, &which, &why);
	if (rc == PREP_ERR_VALUE)
		abort();
	if (rc == PREP_OK && prep_vreport_json(r, v, 0, &text) == PREP_OK &&
	    (text == NULL || text[strlen(text) - 1] != '\n'))
		abort();
out:
	free(text);
	prep_vreport_free(r);
	prep_validator_free(v);
	json_decref(j1);
	json_decref(j2);
	prep_vstate_free(again);
	prep_vstate_free(st);
	prep_schema_free(sch);
}

/* Is options[key] a string (a column given), not null? */
static int
given(const json_t *options, const char *key)
{
	return json_is_string(json_object_get(options, key));
}

/*
 * reweight's state (weights_state.h): refused with a reason and nothing
 * returned, or read into a table that writes the same state again,
 * merges with a copy of itself (or hits a cap) and finishes without
 * harm. A small cap keeps the tables small.
 */
static void
check_state_reweight(const json_t *options, const json_t *state)
{
	int lab = given(options, "label"), wt = given(options, "weight");
	prep_weights *w = NULL, *v = NULL;
	prep_partial_input in, in2;
	prep_weights_cell_info c;
	const char *why = NULL;
	json_t *again;
	prep_status st;

	st = prep_weights_from_state(state, lab, wt, 1000, &w, &in, &why);
	if (st != PREP_OK) {
		if (w != NULL || in.names != NULL ||
		    ((st == PREP_ERR_VALUE || st == PREP_ERR_LIMIT) &&
		     why == NULL))
			abort();
		return;
	}
	again = prep_weights_state(w, &in);
	if (again != NULL && !json_equal(again, state))
		abort(); /* a state has one form */
	json_decref(again);
	if (w != NULL && prep_weights_from_state(state, lab, wt, 1000, &v, &in2,
						 &why) == PREP_OK) {
		st = prep_weights_merge(w, v);
		if (st != PREP_OK && st != PREP_ERR_LIMIT &&
		    st != PREP_ERR_RANGE && st != PREP_ERR_NOMEM &&
		    st != PREP_ERR_MEMORY)
			abort();
		if (st == PREP_OK && prep_weights_finish(w) == PREP_OK &&
		    prep_weights_groups(w) > 0)
			(void)prep_weights_cell(w, 0, 0, &c);
		prep_weights_free(v);
		prep_partial_input_free(&in2);
	}
	prep_weights_free(w);
	prep_partial_input_free(&in);
}

/*
 * fairness's state (fairness_state.h): as reweight's, and the merged
 * table's metrics are computed without harm.
 */
static void
check_state_fairness(const json_t *options, const json_t *state)
{
	int pred = given(options, "prediction"), wt = given(options, "weight");
	prep_fairness *f = NULL, *g = NULL;
	prep_partial_input in, in2;
	prep_fairness_summary sum;
	const char *why = NULL;
	json_t *again;
	prep_status st;

	st = prep_fairness_from_state(state, pred, wt, "1", 1, 1000, &f, &in,
				      &why);
	if (st != PREP_OK) {
		if (f != NULL || in.names != NULL ||
		    ((st == PREP_ERR_VALUE || st == PREP_ERR_LIMIT) &&
		     why == NULL))
			abort();
		return;
	}
	again = prep_fairness_state(f, &in);
	if (again != NULL && !json_equal(again, state))
		abort();
	json_decref(again);
	if (f != NULL && prep_fairness_from_state(state, pred, wt, "1", 1, 1000,
						  &g, &in2, &why) == PREP_OK) {
		st = prep_fairness_merge(f, g);
		if (st != PREP_OK && st != PREP_ERR_LIMIT &&
		    st != PREP_ERR_RANGE && st != PREP_ERR_NOMEM &&
		    st != PREP_ERR_MEMORY)
			abort();
		(void)prep_fairness_summarize(f, -1, &sum);
		if (prep_fairness_groups(f) > 0)
			(void)prep_fairness_summarize(f, 0, &sum);
		prep_fairness_free(g);
		prep_partial_input_free(&in2);
	}
	prep_fairness_free(f);
	prep_partial_input_free(&in);
}

/* A number of an options object (dpnoise's), or dflt. */
static double
option_real(const json_t *options, const char *key, double dflt)
{
	const json_t *j = json_object_get(options, key);

	return json_is_number(j) ? json_number_value(j) : dflt;
}

static prep_status
discard(void *ctx, const prep_field *key, size_t nkey, const char *value,
	size_t len)
{
	(void)ctx;
	(void)key;
	(void)nkey;
	(void)value;
	(void)len;
	return PREP_OK;
}

/* An aggregation of dpnoise's options and the state's key columns, with
 * the state's own groups for keys when the options say --keys. */
static prep_agg *
dpnoise_agg(const json_t *options, const json_t *state, size_t nby)
{
	static const size_t by[8] = {0, 1, 2, 3, 4, 5, 6, 7};
	const char *kind = json_string_value(json_object_get(options, "kind"));
	const json_t *groups = json_object_get(state, "groups"), *g;
	prep_agg_params p;
	prep_agg *a;
	json_int_t mc =
	    json_integer_value(json_object_get(options, "max_contrib"));
	size_t i, j;

	if (nby > 8)
		return NULL;
	prep_agg_params_init(&p,
			     kind == NULL		 ? PREP_AGG_COUNT
			     : strcmp(kind, "sum") == 0	 ? PREP_AGG_SUM
			     : strcmp(kind, "mean") == 0 ? PREP_AGG_MEAN
							 : PREP_AGG_COUNT,
			     option_real(options, "epsilon", 1));
	if (nby) {
		p.by = by;
		p.nby = nby;
		p.groups = json_is_true(json_object_get(options, "keys"))
			       ? PREP_AGG_KEYS
			       : PREP_AGG_SELECT;
		p.delta = option_real(options, "delta", 1e-5);
	}
	if (p.kind != PREP_AGG_COUNT) {
		p.value = 0;
		p.lo = option_real(options, "lo", 0);
		p.hi = option_real(options, "hi", 1);
		p.real_values =
		    !json_is_true(json_object_get(options, "whole_bounds"));
	}
	if (!json_is_null(json_object_get(options, "id")) &&
	    json_object_get(options, "id") != NULL) {
		p.id = 0;
		p.max_contrib = mc >= 1 && mc <= 1000 ? (uint64_t)mc : 1;
	}
	p.max_groups = 1000;
	if (prep_agg_new(&p, &a) != PREP_OK)
		return NULL;
	/* keys: the state's own groups' keys, as far as they read */
	for (i = 0;
	     p.groups == PREP_AGG_KEYS && i < json_array_size(groups) && i < 64;
	     i++) {
		prep_field key[8];
		char *data[8] = {0};
		const json_t *k;

		g = json_array_get(groups, i);
		k = json_object_get(g, "key");
		if (json_array_size(k) != nby)
			continue;
		for (j = 0; j < nby; j++) {
			const json_t *f = json_array_get(k, j);

			key[j] = (prep_field){"", 0};
			if (json_is_string(f) &&
			    prep_json_bytes_read(
				json_string_value(f), json_string_length(f),
				&data[j], &key[j].len) == NULL &&
			    data[j] != NULL)
				key[j].data = data[j];
		}
		(void)prep_agg_add_key(a, key);
		for (j = 0; j < nby; j++)
			free(data[j]);
	}
	return a;
}

/*
 * dpnoise's state (aggregate_partial.h): read into an aggregation of its
 * options, twice (a merge with itself); when that is accepted, written
 * again and read back into a fresh one, which must accept it, and
 * released with a seeded generator, which must not fail but on a number
 * out of range.
 */
static void
check_state_dpnoise(const json_t *options, const json_t *state)
{
	prep_partial_input in;
	prep_agg *a, *b = NULL;
	json_t *again = NULL;
	prep_rng *g = NULL;
	char why[200];
	prep_status st;

	if (prep_agg_state_input(state, &in, why, sizeof why) != PREP_OK)
		return;
	a = dpnoise_agg(options, state, in.nnames);
	if (a == NULL) {
		prep_partial_input_free(&in);
		return;
	}
	st = prep_agg_state_add(a, state, why, sizeof why);
	if (st == PREP_ERR_VALUE && why[0] == '\0')
		abort(); /* a refusal says why */
	if (st == PREP_OK)
		st = prep_agg_state_add(a, state, why, sizeof why);
	if (st == PREP_OK && prep_agg_state(a, &in, &again) == PREP_OK) {
		b = dpnoise_agg(options, state, in.nnames);
		if (b != NULL &&
		    prep_agg_state_add(b, again, why, sizeof why) == PREP_OK) {
			if (prep_rng_new_seeded(1, &g) != PREP_OK)
				abort();
			st = prep_agg_release(b, g, discard, NULL, NULL);
			if (st != PREP_OK && st != PREP_ERR_RANGE)
				abort();
		} else if (b != NULL) {
			abort(); /* what it wrote, it refuses */
		}
	}
	prep_rng_free(g);
	json_decref(again);
	prep_agg_free(b);
	prep_agg_free(a);
	prep_partial_input_free(&in);
}

static void
check_state_kcheck(const json_t *options, const json_t *state)
{
	(void)options;
	fuzz_check_classes_state(state);
}

/* kanon --levels: the same table of tuples as kcheck's. */
static void
check_state_kanon(const json_t *options, const json_t *state)
{
	(void)options;
	fuzz_check_classes_state(state);
}

/* The filters' state readers, by the partial's filter. */
static void
check_state(const char *filter, const json_t *options, const json_t *state)
{
	if (strcmp(filter, "reweight") == 0)
		check_state_reweight(options, state);
	if (strcmp(filter, "fairness") == 0)
		check_state_fairness(options, state);
	if (strcmp(filter, "kcheck") == 0)
		check_state_kcheck(options, state);
	if (strcmp(filter, "kanon") == 0)
		check_state_kanon(options, state);
	if (strcmp(filter, "profile") == 0)
		check_state_profile(options, state);
	if (strcmp(filter, "validate") == 0)
		check_state_validate(options, state);
	if (strcmp(filter, "dpnoise") == 0)
		check_state_dpnoise(options, state);
}

static void
rewrite(const prep_partial *p, const char *filter, char **text, size_t *len)
{
	prep_status st;

	st = prep_partial_text(filter, json_deep_copy(p->options), &p->part,
			       json_deep_copy(p->state), text, len);
	if (st == PREP_ERR_NOMEM) {
		*text = NULL;
		return;
	}
	if (st != PREP_OK)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char filter[32] = "kcheck";
	json_t *peek = json_loadb((const char *)data, size, 0, NULL);
	const char *named = json_string_value(json_object_get(peek, "filter"));

	/* the filter it names, mostly, so that its state reader is reached;
	 * a fifth of the inputs are read as another filter's */
	if (named != NULL && strlen(named) < sizeof filter && size % 5 != 0)
		strcpy(filter, named);
	/* A mutated state fails the checksum, and the envelope's reader
	 * refuses it before its filter sees it: the filter's reader must
	 * refuse it all the same, so it is handed the state of any object
	 * that has one (the checksum is not a defence: anyone can write it). */
	if (json_is_object(json_object_get(peek, "options")) &&
	    json_is_object(json_object_get(peek, "state")))
		check_state(filter, json_object_get(peek, "options"),
			    json_object_get(peek, "state"));
	json_decref(peek);
	prep_partial p, q, two[2];
	prep_partial_error e;
	prep_status st;
	char *t1, *t2;
	size_t l1, l2, which;

	st = prep_partial_parse((const char *)data, size, filter, &p, &e);
	if (st != PREP_OK) {
		if (p.doc != NULL)
			abort();
		if (st == PREP_ERR_VALUE) {
			if (e.text[0] == '\0' ||
			    memchr(e.text, '\0', sizeof e.text) == NULL)
				abort();
			if (e.line > 0 && e.column < 1)
				abort();
		} else if (st != PREP_ERR_NOMEM && st != PREP_ERR_LIMIT) {
			abort();
		}
		return 0;
	}
	if (!json_is_object(p.options) || !json_is_object(p.state) ||
	    (p.part.i != 0 && (p.part.i > p.part.n || p.part.n == 0)))
		abort();
	rewrite(&p, filter, &t1, &l1);
	if (t1 == NULL) {
		prep_partial_free(&p);
		return 0;
	}
	if (prep_partial_parse(t1, l1, filter, &q, &e) != PREP_OK)
		abort(); /* what it wrote, it refuses */
	rewrite(&q, filter, &t2, &l2);
	if (t2 != NULL && (l1 != l2 || memcmp(t1, t2, l1) != 0))
		abort();
	if ((p.part.i == 0 || p.part.n == 1) !=
	    (prep_partial_mismatch(&p, 1, p.options, &which) == NULL))
		abort();
	two[0] = p;
	two[1] = q;
	if (p.part.i != 0 && p.part.n >= 2 &&
	    prep_partial_mismatch(two, 2, NULL, &which) == NULL)
		abort();
	check_state(filter, p.options, p.state);
	free(t1);
	free(t2);
	prep_partial_free(&q);
	prep_partial_free(&p);
	return 0;
}
