/*
 * fuzz_profile.c: libFuzzer harness of the profile reader (profile.h,
 * prep_profile_parse), what profile --merge and drift read from files
 * another process wrote.
 *
 * Input: the text of a document, as the tools hand it over. Refused: no
 * profile, and PREP_ERR_VALUE with a reason in err.text (a syntax error
 * with its line and column, both >= 1; another version than 1 with its
 * number), or a lack of memory.
 *
 * Accepted: the profile holds what profile.h promises (every column's
 * rows are the profile's, empty plus the types are the rows, the numbers
 * are the KLL sketch's count, exact values plus long cells are the
 * non-empty cells, the groups' n add up to the rows) and its sketches are
 * of the sizes its options say (profile_impl.h: a merge with a profile of
 * the same options checks no more than those); written back
 * (to_json, dumped with 17 digits) it parses again and is written back the
 * same, byte for byte. Then it is merged with itself: every count doubles
 * and the distinct estimates stay (a union with itself), or the merge is
 * refused with PREP_ERR_RANGE and the profile is written as before; the
 * merge is written, read back and written the same. Last, the copy read
 * from the text is merged into it, from another object.
 */
#include "fuzz_common.h"

#include <math.h>

#include "profile_impl.h"

static char *
dump(const prep_profile *p)
{
	json_t *j = prep_profile_to_json(p);
	char *s;

	if (j == NULL)
		abort(); /* only for a lack of memory, which fuzzing has not */
	s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(17));
	json_decref(j);
	if (s == NULL)
		abort();
	return s;
}

/* Parsed back and written the same; the copy in *out when out != NULL. */
static void
round_trip(const char *text, prep_profile **out)
{
	prep_profile_error e;
	prep_profile *q = NULL;
	prep_status st = prep_profile_parse(text, strlen(text), &q, &e);
	char *again;

	if (st == PREP_ERR_NOMEM || st == PREP_ERR_MEMORY)
		return;
	if (st != PREP_OK)
		abort(); /* what it wrote, it refuses */
	again = dump(q);
	if (strcmp(text, again) != 0)
		abort();
	free(again);
	if (out != NULL)
		*out = q;
	else
		prep_profile_free(q);
}

/* The sums profile.h states; 0 or -1. */
static int
consistent(const prep_profile *p)
{
	const prep_profile_column *c;
	prep_profile_group_counts g;
	prep_freq_item *it = NULL;
	uint64_t sum, nonempty;
	prep_field key;
	size_t i, t, n = 0;
	double se;

	for (i = 0; i < prep_profile_columns(p); i++) {
		c = prep_profile_column_at(p, i);
		if (c == NULL || c->rows != prep_profile_rows(p) ||
		    c->empty > c->rows)
			return -1;
		for (sum = 0, t = 0; t < PREP_PROFILE_NTYPES; t++)
			sum += c->types[t];
		nonempty = c->rows - c->empty;
		if (sum != nonempty)
			return -1;
		sum = c->types[PREP_PROFILE_INTEGER] +
		      c->types[PREP_PROFILE_NUMBER];
		/* the KLL sketch is made at the first number */
		if ((c->kll == NULL) != (sum == 0))
			return -1;
		if (c->moments.n != sum ||
		    (c->kll != NULL && prep_kll_count(c->kll) != sum) ||
		    (sum > 0 &&
		     !(isfinite(c->moments.mean) && isfinite(c->moments.m2))))
			return -1;
		if (c->exact != (c->freq == NULL))
			return -1;
		/* the sketches are of the options' sizes: what lets a merge
		 * with any profile of the same options go through */
		if ((c->kll != NULL && prep_kll_k(c->kll) != p->kll_k) ||
		    (c->hll != NULL && prep_hll_p(c->hll) != p->hll_p) ||
		    (c->freq != NULL &&
		     prep_freq_k(c->freq) != p->max_distinct))
			return -1;
		if ((c->hll != NULL) != (!c->exact || c->longs > 0))
			return -1;
		if (prep_profile_distinct(c, &se) < 0 || se < 0)
			return -1;
		if (prep_profile_values(c, &it, &n) != PREP_OK)
			continue;
		for (sum = 0, t = 0; t < n; t++)
			sum += it[t].count;
		free(it);
		if (c->exact ? sum + c->longs != nonempty ||
				   n > prep_profile_max_distinct(p)
			     : prep_freq_total(c->freq) + c->longs != nonempty)
			return -1;
		if (prep_profile_other(c) != nonempty - sum)
			return -1;
	}
	if (!prep_profile_has_groups(p, NULL))
		return prep_profile_ngroups(p) == 0 ? 0 : -1;
	for (sum = 0, i = 0; i < prep_profile_ngroups(p); i++) {
		prep_profile_group(p, i, &g, &key);
		if (g.n == 0 || g.positives > g.n || g.tp > g.positives ||
		    g.fp > g.n - g.positives || g.predicted != g.tp + g.fp)
			return -1;
		sum += g.n;
	}
	return sum == prep_profile_rows(p) ? 0 : -1;
}

/* After p was merged with itself: twice each count of was. */
static int
doubled(const prep_profile *p, const prep_profile *was)
{
	const prep_profile_column *a, *b;
	prep_profile_group_counts ga, gb;
	prep_field key;
	double sa, sb;
	size_t i, t, id;

	if (prep_profile_rows(p) != 2 * prep_profile_rows(was))
		return -1;
	for (i = 0; i < prep_profile_columns(p); i++) {
		a = prep_profile_column_at(p, i);
		b = prep_profile_column_at(was, i);
		if (a->empty != 2 * b->empty || a->longs != 2 * b->longs ||
		    a->moments.n != 2 * b->moments.n || a->exact != b->exact)
			return -1;
		for (t = 0; t < PREP_PROFILE_NTYPES; t++)
			if (a->types[t] != 2 * b->types[t])
				return -1;
		if (a->moments.n && (a->moments.min != b->moments.min ||
				     a->moments.max != b->moments.max ||
				     a->moments.mean != b->moments.mean))
			return -1;
		if (prep_profile_distinct(a, &sa) !=
			prep_profile_distinct(b, &sb) ||
		    sa != sb)
			return -1;
	}
	if (prep_profile_ngroups(p) != prep_profile_ngroups(was))
		return -1;
	for (i = 0; i < prep_profile_ngroups(was); i++) {
		prep_profile_group(was, i, &gb, &key);
		if (prep_profile_group_find(p, &key, &id) != PREP_OK)
			return -1;
		prep_profile_group(p, id, &ga, &key);
		if (ga.n != 2 * gb.n || ga.positives != 2 * gb.positives ||
		    ga.tp != 2 * gb.tp || ga.fp != 2 * gb.fp)
			return -1;
	}
	return 0;
}

static void
check(prep_profile *p)
{
	prep_profile *copy = NULL;
	const char *why = NULL;
	char *t1, *t2, *t3;
	prep_status st;

	if (consistent(p) != 0)
		abort();
	t1 = dump(p);
	round_trip(t1, &copy);
	if (copy == NULL) {
		free(t1);
		return;
	}
	st = prep_profile_merge(p, p, &why);
	if (st == PREP_OK) {
		if (why != NULL || consistent(p) != 0 || doubled(p, copy) != 0)
			abort();
		t2 = dump(p);
		round_trip(t2, NULL);
		free(t2);
		/* and the copy, another object, into it */
		st = prep_profile_merge(p, copy, &why);
		if (st == PREP_OK) {
			if (consistent(p) != 0)
				abort();
			t3 = dump(p);
			round_trip(t3, NULL);
			free(t3);
		} else if (st != PREP_ERR_RANGE && st != PREP_ERR_NOMEM &&
			   st != PREP_ERR_MEMORY)
			abort();
	} else if (st == PREP_ERR_RANGE) {
		/* refused before it changed anything */
		t2 = dump(p);
		if (strcmp(t1, t2) != 0)
			abort();
		free(t2);
	} else if (st != PREP_ERR_NOMEM && st != PREP_ERR_MEMORY &&
		   st != PREP_ERR_LIMIT) {
		abort();
	}
	free(t1);
	prep_profile_free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	prep_profile *p = (prep_profile *)1;
	prep_profile_error e;
	prep_status st;

	st = prep_profile_parse((const char *)data, size, &p, &e);
	if (st != PREP_OK) {
		if (p != NULL)
			abort();
		if (st == PREP_ERR_VALUE) {
			if (e.text[0] == '\0' ||
			    memchr(e.text, '\0', sizeof e.text) == NULL)
				abort();
			if (e.line > 0 &&
			    (e.column < 1 ||
			     strncmp(e.text, "not valid JSON: ", 16) != 0))
				abort();
			if (e.version >= 0 &&
			    e.version != PREP_PROFILE_VERSION &&
			    strcmp(e.text, "unsupported profile version") != 0)
				abort();
		} else if (st != PREP_ERR_NOMEM && st != PREP_ERR_MEMORY &&
			   st != PREP_ERR_CRYPTO) {
			abort();
		}
		return 0;
	}
	if (p == NULL)
		abort();
	check(p);
	prep_profile_free(p);
	return 0;
}
