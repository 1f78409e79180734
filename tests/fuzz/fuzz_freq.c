/*
 * fuzz_freq.c: libFuzzer harness of the frequent-items summary's JSON
 * reader (sketch_freq.h), what profile --merge and drift read from
 * profiles.
 *
 * The input is parsed by jansson (json_loadb, any value, NUL allowed) and
 * given to prep_freq_from_json() with no byte cap. When it is accepted:
 * prep_freq_to_json() gives back an equal document; the items are at
 * most k, by count descending then bytes ascending, and (k + 1) error +
 * their counts <= total; read again under a cap of 8 bytes it is accepted
 * exactly when its items fit (else PREP_ERR_LIMIT); merged with itself
 * it keeps that bound (or refuses with PREP_ERR_RANGE, total unchanged);
 * and so it does after each kept value is added again, and a new one. When it
 * is refused: the status is PREP_ERR_VALUE with a reason, or a memory status.
 */
#include "fuzz_common.h"

#include "sketch_freq.h"

#define SMALL_CAP 8

/* The bound of sketch_freq.h, and the order of the items; 0 or -1. */
static int
consistent(const prep_freq *f, size_t *bytes)
{
	prep_freq_item *it = NULL;
	size_t n = 0, i;
	uint64_t kept = 0, k = prep_freq_k(f);
	int rc = 0;

	if (prep_freq_items(f, &it, &n) != PREP_OK)
		return 0; /* out of memory: nothing to say */
	*bytes = 0;
	if (n > k || n != prep_freq_size(f))
		rc = -1;
	for (i = 0; i < n; i++) {
		if (it[i].count == 0 || it[i].data[it[i].len] != '\0')
			rc = -1;
		if (i > 0 &&
		    (it[i - 1].count < it[i].count ||
		     (it[i - 1].count == it[i].count &&
		      it[i - 1].len == it[i].len &&
		      memcmp(it[i - 1].data, it[i].data, it[i].len) == 0)))
			rc = -1;
		kept += it[i].count;
		*bytes += it[i].len;
	}
	if (kept > prep_freq_total(f) ||
	    prep_freq_error(f) > (prep_freq_total(f) - kept) / (k + 1))
		rc = -1;
	free(it);
	return rc;
}

static void
check(const json_t *j, prep_freq *f)
{
	json_t *back = prep_freq_to_json(f);
	prep_freq *small = NULL;
	prep_freq_item *it = NULL;
	size_t bytes = 0, n = 0, i, *lens;
	uint64_t total;
	char **copies;
	prep_status st;

	if (consistent(f, &bytes) != 0)
		abort();
	if (back != NULL && !json_equal((json_t *)j, back))
		abort();
	json_decref(back);
	st = prep_freq_from_json(j, SMALL_CAP, &small, NULL);
	if (st == PREP_OK ? bytes > SMALL_CAP
	    : st == PREP_ERR_LIMIT
		? bytes <= SMALL_CAP
		: st != PREP_ERR_NOMEM && st != PREP_ERR_MEMORY)
		abort();
	prep_freq_free(small);
	total = prep_freq_total(f);
	st = prep_freq_merge(f, f);
	if (st == PREP_ERR_RANGE
		? prep_freq_total(f) != total
		: st == PREP_OK && prep_freq_total(f) != 2 * total)
		abort();
	if (consistent(f, &bytes) != 0)
		abort();
	/* the kept values once more, then a new one, each with count 1 */
	if (prep_freq_items(f, &it, &n) != PREP_OK)
		return;
	copies = calloc(n + 1, sizeof *copies);
	lens = calloc(n + 1, sizeof *lens);
	for (i = 0; copies != NULL && lens != NULL && i < n; i++) {
		copies[i] = fuzz_strndup(it[i].data, it[i].len);
		lens[i] = it[i].len;
	}
	free(it); /* it pointed into f, which is about to change */
	for (i = 0; copies != NULL && lens != NULL && i <= n; i++) {
		st = i < n
			 ? (copies[i] ? prep_freq_add(f, copies[i], lens[i], 1)
				      : PREP_OK)
			 : prep_freq_add(f, "fuzz-new", 8, 1);
		if (st != PREP_OK && st != PREP_ERR_RANGE &&
		    st != PREP_ERR_NOMEM && st != PREP_ERR_MEMORY)
			abort();
		if (consistent(f, &bytes) != 0)
			abort();
	}
	for (i = 0; copies != NULL && i < n; i++)
		free(copies[i]);
	free(copies);
	free(lens);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = json_loadb((const char *)data, size,
			       JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	prep_freq *f = NULL;
	const char *why = NULL;
	prep_status st;

	if (j == NULL)
		return 0;
	st = prep_freq_from_json(j, 0, &f, &why);
	if (st == PREP_OK) {
		if (f == NULL || why != NULL)
			abort();
		check(j, f);
	} else {
		if (f != NULL)
			abort();
		if (st == PREP_ERR_VALUE || st == PREP_ERR_LIMIT
			? why == NULL
			: st != PREP_ERR_NOMEM && st != PREP_ERR_MEMORY &&
			      st != PREP_ERR_CRYPTO)
			abort();
	}
	prep_freq_free(f);
	json_decref(j);
	return 0;
}
