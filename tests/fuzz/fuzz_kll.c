/*
 * fuzz_kll.c: libFuzzer harness of the KLL sketch's JSON loader
 * (sketch_kll.h, prep_kll_from_json), the way profile --merge and drift
 * read a sketch another process wrote.
 *
 * Input: JSON text, parsed with json_loadb (any value at the top, so that
 * arrays and scalars reach the loader too). Refused: the status is
 * PREP_ERR_VALUE with a reason, or a lack of memory.
 *
 * Accepted: the sketch written back (to_json, dumped with 17 digits) holds
 * the input's k, n, min, max and items, the same numbers in the same
 * places; that text loads again and is written back the same, byte for
 * byte. Its answers are within what the header promises: ranks in [0, 1],
 * quantiles in [min, max] and q = 0, 1 the min and max, the sorted view
 * ascending with weights summing to n, the rank error 0 exactly when
 * there is one level. Then the state is used as a sketch: a few adds and
 * a merge into itself, which compact it from a state no stream made,
 * and must keep count, min and max exact and the items within
 * 3k + 8L.
 */
#include "fuzz_common.h"

#include <math.h>

#include "sketch_kll.h"

static char *
dump(const json_t *j)
{
	return json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER |
				 JSON_REAL_PRECISION(17));
}

/* a and b the same number (doubles, or both null); 0 or -1. */
static int
same_number(const json_t *a, const json_t *b)
{
	if (json_is_null(a) || json_is_null(b))
		return json_is_null(a) && json_is_null(b) ? 0 : -1;
	if (!json_is_number(a) || !json_is_number(b))
		return -1;
	return json_number_value(a) == json_number_value(b) ? 0 : -1;
}

/* out, written by to_json, holds in's fields: 0 or -1. */
static int
same_state(const json_t *in, const json_t *out)
{
	static const char *const fields[] = {"k", "n", "min", "max"};
	const json_t *li = json_object_get(in, "levels");
	const json_t *lo = json_object_get(out, "levels");
	size_t f, h, i;

	if (json_object_size(out) != 5)
		return -1;
	for (f = 0; f < 4; f++)
		if (same_number(json_object_get(in, fields[f]),
				json_object_get(out, fields[f])) != 0)
			return -1;
	if (json_array_size(li) != json_array_size(lo))
		return -1;
	for (h = 0; h < json_array_size(li); h++) {
		const json_t *a = json_array_get(li, h);
		const json_t *b = json_array_get(lo, h);

		if (json_array_size(a) != json_array_size(b))
			return -1;
		for (i = 0; i < json_array_size(a); i++)
			if (same_number(json_array_get(a, i),
					json_array_get(b, i)) != 0)
				return -1;
	}
	return 0;
}

/* The answers of a loaded sketch, as the header states them. */
static void
check_answers(const prep_kll *s)
{
	static const double qs[] = {0, 1e-9, 0.25, 0.5, 0.75, 1 - 1e-9, 1};
	double lo = prep_kll_min(s), hi = prep_kll_max(s), x, r, *v = NULL;
	uint64_t n = prep_kll_count(s), sum = 0, *w = NULL;
	size_t i, m = 0;
	prep_status st;

	if ((prep_kll_rank_error(s) == 0) != (prep_kll_levels(s) == 1))
		abort();
	if (n == 0) {
		if (!isnan(lo) || !isnan(hi) ||
		    prep_kll_quantile(s, 0.5, &x) != PREP_ERR_RANGE ||
		    !isnan(prep_kll_rank(s, 0)))
			abort();
		return;
	}
	for (i = 0; i < sizeof qs / sizeof qs[0]; i++) {
		st = prep_kll_quantile(s, qs[i], &x);
		if (st == PREP_ERR_NOMEM || st == PREP_ERR_MEMORY)
			return;
		if (st != PREP_OK || x < lo || x > hi)
			abort();
		if ((qs[i] == 0 && x != lo) || (qs[i] == 1 && x != hi))
			abort();
		r = prep_kll_rank(s, x);
		if (!(r >= 0 && r <= 1))
			abort();
	}
	if (prep_kll_rank(s, lo) <= 0 && prep_kll_levels(s) == 1)
		abort(); /* exact: the min is an item */
	if (prep_kll_rank(s, hi) != 1 ||
	    prep_kll_rank(s, nextafter(lo, -INFINITY)) != 0)
		abort();
	st = prep_kll_sorted(s, &v, &w, &m);
	if (st == PREP_OK) {
		for (i = 0; i < m; i++) {
			if ((i > 0 && !(v[i - 1] < v[i])) || w[i] == 0)
				abort();
			sum += w[i];
		}
		if (sum != n)
			abort();
	} else if (st != PREP_ERR_NOMEM && st != PREP_ERR_MEMORY) {
		abort();
	}
	free(v);
	free(w);
}

/* Use the loaded state as a sketch: adds, then a merge into itself. */
static void
check_use(prep_kll *s)
{
	static const double more[] = {-1e300, 0, 0.5, 1e300, 3, 3, 3};
	uint64_t n = prep_kll_count(s);
	double lo = prep_kll_min(s), hi = prep_kll_max(s);
	size_t i;

	for (i = 0; i < sizeof more / sizeof more[0]; i++) {
		if (prep_kll_add(s, more[i]) != PREP_OK)
			return;
		if (n == 0 || more[i] < lo)
			lo = more[i];
		if (n == 0 || more[i] > hi)
			hi = more[i];
		n++;
	}
	if (prep_kll_merge(s, s) == PREP_OK)
		n *= 2;
	if (prep_kll_count(s) != n || prep_kll_min(s) != lo ||
	    prep_kll_max(s) != hi)
		abort();
	if (prep_kll_retained(s) >
	    3 * (size_t)prep_kll_k(s) + 8 * prep_kll_levels(s))
		abort();
	check_answers(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *in, *out = NULL, *in2 = NULL, *out2 = NULL;
	prep_kll *s = NULL, *s2 = NULL;
	const char *why = NULL;
	char *t1 = NULL, *t2 = NULL;
	prep_status st;

	in = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	if (in == NULL)
		return 0;
	st = prep_kll_from_json(in, 1, &s, &why);
	if (st != PREP_OK) {
		if (s != NULL)
			abort();
		if (st == PREP_ERR_VALUE && why == NULL)
			abort();
		if (st != PREP_ERR_VALUE && st != PREP_ERR_NOMEM &&
		    st != PREP_ERR_MEMORY)
			abort();
		json_decref(in);
		return 0;
	}
	if (why != NULL)
		abort();
	if ((out = prep_kll_to_json(s)) == NULL || (t1 = dump(out)) == NULL)
		goto done; /* out of memory */
	if (same_state(in, out) != 0)
		abort();
	if ((in2 = json_loads(t1, 0, NULL)) == NULL)
		abort();
	if (prep_kll_from_json(in2, 2, &s2, &why) != PREP_OK)
		abort();
	if ((out2 = prep_kll_to_json(s2)) == NULL || (t2 = dump(out2)) == NULL)
		goto done;
	if (strcmp(t1, t2) != 0)
		abort();
	check_answers(s);
	check_use(s);
done:
	free(t1);
	free(t2);
	json_decref(in);
	json_decref(out);
	json_decref(in2);
	json_decref(out2);
	prep_kll_free(s);
	prep_kll_free(s2);
	return 0;
}
