/*
 * fuzz_hll.c: libFuzzer harness of the HyperLogLog sketch's JSON reader
 * (sketch_hll.h), what profile --merge and drift read from profiles.
 *
 * The input is parsed by jansson (json_loadb, any value, NUL allowed) and
 * given to prep_hll_from_json(). When it is accepted: prep_hll_to_json()
 * gives back an equal document (the reader takes only canonical text);
 * the estimate is finite and >= 0; merging the sketch into a copy of
 * itself (read again from its own text) changes nothing; and after one
 * more value the estimate is still finite. When it is refused: the status is
 * PREP_ERR_VALUE with a reason, or a memory status.
 */
#include <math.h>

#include "fuzz_common.h"

#include "sketch_hll.h"

/* The document's compact text, or NULL when out of memory. */
static char *
text_of(const prep_hll *h)
{
	json_t *j = prep_hll_to_json(h);
	char *s;

	if (j == NULL)
		return NULL;
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}

static void
check(const json_t *j, prep_hll *h)
{
	json_t *back = prep_hll_to_json(h);
	prep_hll *copy = NULL;
	char *t1 = NULL, *t2 = NULL;
	json_t *jt;
	double e = prep_hll_estimate(h), e2;

	if (back == NULL)
		return;
	if (!json_equal((json_t *)j, back))
		abort();
	json_decref(back);
	if (!isfinite(e) || e < 0 || prep_hll_std_error(h) <= 0)
		abort();
	/* a copy from its own text, merged in: the same registers */
	t1 = text_of(h);
	if (t1 == NULL)
		return;
	jt = json_loads(t1, 0, NULL);
	if (jt != NULL && prep_hll_from_json(jt, &copy, NULL) == PREP_OK) {
		if (prep_hll_merge(h, copy) != PREP_OK)
			abort();
		t2 = text_of(h);
		if (t2 != NULL && strcmp(t1, t2) != 0)
			abort();
	}
	json_decref(jt);
	prep_hll_add(h, t1, strlen(t1));
	e2 = prep_hll_estimate(h);
	if (!isfinite(e2) || e2 < 0)
		abort();
	free(t1);
	free(t2);
	prep_hll_free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = json_loadb((const char *)data, size,
			       JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	prep_hll *h = NULL;
	const char *why = NULL;
	prep_status st;

	if (j == NULL)
		return 0;
	st = prep_hll_from_json(j, &h, &why);
	if (st == PREP_OK) {
		if (h == NULL || why != NULL)
			abort();
		check(j, h);
	} else {
		if (h != NULL)
			abort();
		if (st == PREP_ERR_VALUE
			? why == NULL
			: st != PREP_ERR_NOMEM && st != PREP_ERR_MEMORY)
			abort();
	}
	prep_hll_free(h);
	json_decref(j);
	return 0;
}
