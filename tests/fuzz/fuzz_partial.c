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
 * (check_state), which must refuse or accept it without harm.
 */
#include "fuzz_common.h"

#include "fairness_state.h"
#include "fuzz_classes_state.h"
#include "partial.h"
#include "weights_state.h"

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
