/*
 * classes.c: equivalence classes of quasi-identifiers (see classes.h).
 *
 * A row's key is its quasi-identifier fields, each written as a varint
 * length and the bytes, so that ("ab","c") and ("a","bc") differ; a
 * set of byte strings (strset.h) gives each key its class id.
 * Sensitive values are interned the same way, and (class, value) pairs
 * are counted in a third table, hashed with SipHash-1-3 under the same
 * random key (siphash.h), since the pairs too follow from the data;
 * prep_classes_dist() turns the pairs into one sorted run per class on
 * demand.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "classes.h"
#include "memcap.h"
#include "siphash.h"
#include "strset.h"

struct pair {
	uint64_t key; /* class << 32 | value, + 1; 0: empty */
	uint64_t count;
};

struct prep_classes {
	size_t *qi;
	size_t nqi;
	long sensitive;
	size_t max;
	prep_siphash_key key; /* of the pairs' hash */
	prep_strset keys;
	uint64_t *size; /* per class */
	size_t size_cap;
	uint64_t rows;
	prep_buf scratch;
	prep_strset values;
	struct pair *pairs;
	size_t npairs, pairs_slots;
	/* prep_classes_dist's view: counts of class i at run[i]..run[i+1] */
	size_t *run;
	prep_class_count *counts;
	int dist_stale;
};

prep_status
prep_classes_new(const size_t *qi, size_t nqi, long sensitive,
		 size_t max_classes, prep_classes **out)
{
	prep_classes *c;
	prep_siphash_key key;
	prep_status st;

	*out = NULL;
	if (max_classes == 0)
		max_classes = PREP_CLASSES_DEFAULT_MAX;
	if (max_classes > ((size_t)1 << 31))
		return PREP_ERR_ARG;
	if ((st = prep_siphash_table_key(&key)) != PREP_OK)
		return st;
	c = calloc(1, sizeof *c);
	if (c == NULL)
		return PREP_ERR_NOMEM;
	c->key = key;
	c->qi = malloc((nqi ? nqi : 1) * sizeof *c->qi);
	if (c->qi == NULL) {
		free(c);
		return PREP_ERR_NOMEM;
	}
	if (nqi)
		memcpy(c->qi, qi, nqi * sizeof *qi);
	c->nqi = nqi;
	c->sensitive = sensitive;
	c->max = max_classes;
	prep_strset_init(&c->keys, max_classes);
	prep_strset_init(&c->values, max_classes);
	prep_buf_init(&c->scratch, 0);
	c->dist_stale = 1;
	*out = c;
	return PREP_OK;
}

void
prep_classes_free(prep_classes *c)
{
	if (c == NULL)
		return;
	prep_strset_free(&c->keys);
	prep_strset_free(&c->values);
	free(c->qi);
	prep_memcap_free(c->size, c->size_cap * sizeof *c->size);
	prep_memcap_free(c->pairs, c->pairs_slots * sizeof *c->pairs);
	free(c->run);
	free(c->counts);
	prep_buf_free(&c->scratch);
	free(c);
}

/*
 * A key into the scratch buffer: each quasi-identifier as varint length,
 * then bytes; field j is f[idx[j]] (idx NULL: f[j]).
 */
static prep_status
encode_fields(prep_classes *c, const prep_field *f, const size_t *idx)
{
	size_t i, total = 0;
	unsigned char *o;
	prep_status st;

	for (i = 0; i < c->nqi; i++) {
		size_t len = f[idx ? idx[i] : i].len;

		if (len > PREP_BUF_DEFAULT_MAX - total - PREP_TUPLE_OVERHEAD)
			return PREP_ERR_LIMIT;
		total += len + PREP_TUPLE_OVERHEAD;
	}
	prep_buf_reset(&c->scratch);
	if ((st = prep_buf_reserve(&c->scratch, total)) != PREP_OK)
		return st;
	o = (unsigned char *)c->scratch.data;
	for (i = 0; i < c->nqi; i++)
		o = prep_tuple_put(o, &f[idx ? idx[i] : i]);
	c->scratch.len = (size_t)((char *)o - c->scratch.data);
	return PREP_OK;
}

/* The row's key. */
static prep_status
encode_key(prep_classes *c, const prep_field *row)
{
	return encode_fields(c, row, c->qi);
}

static prep_status
count_pair(prep_classes *c, size_t cls, size_t val, uint64_t rows)
{
	uint64_t key = ((uint64_t)cls << 32 | (uint64_t)val) + 1;
	uint64_t h = prep_siphash13_u64(&c->key, key);
	size_t j;

	if ((c->npairs + 1) * 2 > c->pairs_slots) {
		size_t n = c->pairs_slots ? c->pairs_slots * 2 : 1024, i;
		prep_status st;
		struct pair *p = prep_memcap_calloc(n, sizeof *p, &st);

		if (p == NULL)
			return st;
		for (i = 0; i < c->pairs_slots; i++) {
			uint64_t k = c->pairs[i].key;

			if (k == 0)
				continue;
			j = (size_t)prep_siphash13_u64(&c->key, k) & (n - 1);
			while (p[j].key)
				j = (j + 1) & (n - 1);
			p[j] = c->pairs[i];
		}
		prep_memcap_free(c->pairs, c->pairs_slots * sizeof *p);
		c->pairs = p;
		c->pairs_slots = n;
	}
	for (j = (size_t)h & (c->pairs_slots - 1); c->pairs[j].key;
	     j = (j + 1) & (c->pairs_slots - 1))
		if (c->pairs[j].key == key) {
			c->pairs[j].count += rows;
			return PREP_OK;
		}
	c->pairs[j].key = key;
	c->pairs[j].count = rows;
	c->npairs++;
	return PREP_OK;
}

/*
 * Count n rows of the key in the scratch buffer, with sensitive value
 * sval (NULL without a sensitive column). Every check that can fail comes
 * before the first change, so a refused row (a cap reached) leaves the
 * table as it was.
 */
static prep_status
add_scratch(prep_classes *c, const prep_field *sval, uint64_t n, size_t *id)
{
	size_t cls = 0, val = 0;
	int added = 0, known;
	prep_status st;

	if ((c->sensitive >= 0) != (sval != NULL))
		return PREP_ERR_ARG;
	st = prep_strset_lookup(&c->keys, c->scratch.data, c->scratch.len, 0,
				&cls, NULL);
	if (st != PREP_OK && st != PREP_ERR_NOT_FOUND)
		return st;
	known = st == PREP_OK;
	if (!known && c->keys.n >= c->max)
		return PREP_ERR_LIMIT;
	if ((known && c->size[cls] > UINT64_MAX - n) ||
	    c->rows > UINT64_MAX - n)
		return PREP_ERR_RANGE;
	if (!known && c->keys.n == c->size_cap) {
		size_t m = c->size_cap ? c->size_cap * 2 : 1024;
		uint64_t *s = prep_memcap_realloc(
		    c->size, c->size_cap * sizeof *s, m * sizeof *s, &st);

		if (s == NULL)
			return st;
		c->size = s;
		c->size_cap = m;
	}
	if (sval != NULL) {
		st = prep_strset_lookup(&c->values, sval->data, sval->len, 1,
					&val, NULL);
		if (st != PREP_OK)
			return st;
	}
	if (!known) {
		st = prep_strset_lookup(&c->keys, c->scratch.data,
					c->scratch.len, 1, &cls, &added);
		if (st != PREP_OK)
			return st;
		c->size[cls] = 0;
	}
	if (sval != NULL) {
		if ((st = count_pair(c, cls, val, n)) != PREP_OK)
			return st;
		c->dist_stale = 1;
	}
	c->size[cls] += n;
	c->rows += n;
	if (id)
		*id = cls;
	return PREP_OK;
}

prep_status
prep_classes_add(prep_classes *c, const prep_field *row, size_t *id)
{
	prep_status st;

	if ((st = encode_key(c, row)) != PREP_OK)
		return st;
	return add_scratch(c, c->sensitive >= 0 ? &row[c->sensitive] : NULL, 1,
			   id);
}

prep_status
prep_classes_add_key(prep_classes *c, const prep_field *key,
		     const prep_field *value, uint64_t n, size_t *id)
{
	prep_status st;

	if (n == 0 || (c->sensitive >= 0) != (value != NULL))
		return PREP_ERR_ARG;
	if ((st = encode_fields(c, key, NULL)) != PREP_OK)
		return st;
	return add_scratch(c, value, n, id);
}

prep_status
prep_classes_find_key(const prep_classes *c, const prep_field *key, size_t *id)
{
	prep_status st;

	/* encode_fields only writes the scratch buffer */
	if ((st = encode_fields((prep_classes *)c, key, NULL)) != PREP_OK)
		return st;
	return prep_strset_lookup((prep_strset *)&c->keys, c->scratch.data,
				  c->scratch.len, 0, id, NULL);
}

prep_status
prep_classes_find(const prep_classes *c, const prep_field *row, size_t *id)
{
	prep_status st;

	/* encode_key only writes the scratch buffer */
	if ((st = encode_key((prep_classes *)c, row)) != PREP_OK)
		return st;
	return prep_strset_lookup((prep_strset *)&c->keys, c->scratch.data,
				  c->scratch.len, 0, id, NULL);
}

void
prep_classes_key(const prep_classes *c, size_t id, prep_field *fields)
{
	prep_field k = prep_strset_key(&c->keys, id);
	const unsigned char *p = (const unsigned char *)k.data;
	size_t j;

	for (j = 0; j < c->nqi; j++)
		fields[j] = prep_tuple_next(&p);
}

prep_field
prep_classes_key_bytes(const prep_classes *c, size_t id)
{
	return prep_strset_key(&c->keys, id);
}

size_t
prep_classes_nqi(const prep_classes *c)
{
	return c->nqi;
}

const size_t *
prep_classes_qi(const prep_classes *c)
{
	return c->qi;
}

long
prep_classes_sensitive(const prep_classes *c)
{
	return c->sensitive;
}

size_t
prep_classes_max(const prep_classes *c)
{
	return c->max;
}

size_t
prep_classes_count(const prep_classes *c)
{
	return c->keys.n;
}

uint64_t
prep_classes_rows(const prep_classes *c)
{
	return c->rows;
}

uint64_t
prep_classes_size(const prep_classes *c, size_t id)
{
	return id < c->keys.n ? c->size[id] : 0;
}

int
prep_classes_has_sensitive(const prep_classes *c)
{
	return c->sensitive >= 0;
}

size_t
prep_classes_values(const prep_classes *c)
{
	return c->values.n;
}

prep_field
prep_classes_value(const prep_classes *c, size_t v)
{
	prep_field f = {"", 0};

	if (v < c->values.n) {
		f = prep_strset_key(&c->values, v);
	}
	return f;
}

static int
by_value(const void *a, const void *b)
{
	const prep_class_count *x = a, *y = b;

	return (x->value > y->value) - (x->value < y->value);
}

/* Lay the pair counts out as one run per class, sorted by value id. */
static prep_status
build_runs(prep_classes *c)
{
	size_t n = c->keys.n, i, *fill;
	prep_class_count *counts;
	size_t *run;

	run = calloc(n + 1, sizeof *run);
	counts = malloc((c->npairs ? c->npairs : 1) * sizeof *counts);
	fill = calloc(n + 1, sizeof *fill);
	if (!run || !counts || !fill) {
		free(run);
		free(counts);
		free(fill);
		return PREP_ERR_NOMEM;
	}
	for (i = 0; i < c->pairs_slots; i++)
		if (c->pairs[i].key)
			run[((c->pairs[i].key - 1) >> 32) + 1]++;
	for (i = 0; i < n; i++)
		run[i + 1] += run[i];
	for (i = 0; i < c->pairs_slots; i++) {
		uint64_t k = c->pairs[i].key;
		size_t cls, at;

		if (k == 0)
			continue;
		cls = (size_t)((k - 1) >> 32);
		at = run[cls] + fill[cls]++;
		counts[at].value = (size_t)((k - 1) & 0xffffffffu);
		counts[at].count = c->pairs[i].count;
	}
	for (i = 0; i < n; i++)
		qsort(counts + run[i], run[i + 1] - run[i], sizeof *counts,
		      by_value);
	free(fill);
	free(c->run);
	free(c->counts);
	c->run = run;
	c->counts = counts;
	c->dist_stale = 0;
	return PREP_OK;
}

prep_status
prep_classes_dist(prep_classes *c, size_t id, const prep_class_count **counts,
		  size_t *n)
{
	prep_status st;

	*counts = NULL;
	*n = 0;
	if (id >= c->keys.n)
		return PREP_ERR_ARG;
	if (c->sensitive < 0)
		return PREP_OK;
	if (c->dist_stale && (st = build_runs(c)) != PREP_OK)
		return st;
	*counts = c->counts + c->run[id];
	*n = c->run[id + 1] - c->run[id];
	return PREP_OK;
}

prep_status
prep_classes_split_name(const char *text, size_t len, char sep,
			prep_field *values, size_t n)
{
	const char *p = text, *end = text + len, *q;
	size_t i;

	for (i = 0; i + 1 < n; i++) {
		q = memchr(p, sep, (size_t)(end - p));
		if (q == NULL)
			return PREP_ERR_VALUE;
		values[i].data = p;
		values[i].len = (size_t)(q - p);
		p = q + 1;
	}
	if (n > 0) {
		values[n - 1].data = p;
		values[n - 1].len = (size_t)(end - p);
	}
	return PREP_OK;
}
