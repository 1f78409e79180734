/*
 * classes.c: equivalence classes of quasi-identifiers (see classes.h).
 *
 * A row's key is its quasi-identifier fields, each written as a varint
 * length and the bytes, so that ("ab","c") and ("a","bc") differ; a
 * set of byte strings (strset.h) gives each key its class id and keeps
 * beside the key the class's row count and the sensitive value of its
 * first row, so that a row of a known class reads one slot and one
 * record. Sensitive values are interned the same way. A row whose value
 * is not its class's first is counted in a third table of (class, value)
 * pairs, an open addressing one of 16-byte entries hashed like the sets
 * (tablehash.h, with the same bound on probes and the same turn to
 * SipHash-1-3 past it), since the pairs too follow from the data; the
 * first value's count is what the pairs leave of the class's. Most rows
 * carry their class's first value (classes are small, or one value
 * dominates), so most never touch the pairs. prep_classes_dist() lays
 * the counts out as one sorted run per class on demand.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "classes.h"
#include "memcap.h"
#include "siphash.h"
#include "strset.h"
#include "tablehash.h"

struct pair {
	uint64_t key; /* class << 32 | value, + 1; 0: empty */
	uint64_t count;
};

/* What the table keeps beside each class's key (strset's value). */
struct class_info {
	uint64_t size;	/* rows */
	uint64_t first; /* the sensitive value of its first row */
};

struct prep_classes {
	size_t *qi;
	size_t nqi;
	long sensitive;
	size_t max;
	prep_strset keys; /* value: a struct class_info */
	uint64_t rows;
	prep_buf scratch;
	prep_strset values;
	/* the pairs' table and its hash (pairs_strong: SipHash-1-3) */
	const prep_tablehash_key *hk;
	prep_siphash_key key;
	int pairs_strong, pairs_want_strong;
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
	const prep_tablehash_key *hk;
	prep_status st;

	*out = NULL;
	if (max_classes == 0)
		max_classes = PREP_CLASSES_DEFAULT_MAX;
	if (max_classes > ((size_t)1 << 31))
		return PREP_ERR_ARG;
	if ((st = prep_siphash_table_key(&key)) != PREP_OK ||
	    (st = prep_tablehash_table_key(&hk)) != PREP_OK)
		return st;
	c = calloc(1, sizeof *c);
	if (c == NULL)
		return PREP_ERR_NOMEM;
	c->key = key;
	c->hk = hk;
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
	prep_strset_init_values(&c->keys, max_classes,
				sensitive >= 0 ? sizeof(struct class_info)
					       : sizeof(uint64_t));
	prep_strset_init(&c->values, max_classes);
	/* keyed now: prep_classes_encode_at hashes on other threads */
	if ((st = prep_strset_ready(&c->keys)) != PREP_OK) {
		prep_classes_free(c);
		return st;
	}
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
	prep_memcap_free(c->pairs, c->pairs_slots * sizeof *c->pairs);
	free(c->run);
	free(c->counts);
	prep_buf_free(&c->scratch);
	free(c);
}

/*
 * A key appended to b: each quasi-identifier as varint length, then
 * bytes (prep_tuple_put); field j is f[idx[j]] (idx NULL: f[j]). The room
 * for the fields at their longest encoding is taken first, so that the
 * fields are then written without a test each; a key whose fields would
 * pass PREP_BUF_DEFAULT_MAX so encoded is PREP_ERR_LIMIT (b as it was).
 */
static prep_status
encode_into(size_t nqi, const prep_field *f, const size_t *idx, prep_buf *b)
{
	size_t i, need = 0, any = 0;
	unsigned char *o;
	prep_status st;

	if (nqi == 0)
		return PREP_OK;
	/* any: the lengths or'ed, at least the longest; while it is under
	 * PREP_BUF_DEFAULT_MAX the sum can't wrap (nqi counts columns) */
	if (idx)
		for (i = 0; i < nqi; i++) {
			any |= f[idx[i]].len;
			need += f[idx[i]].len;
		}
	else
		for (i = 0; i < nqi; i++) {
			any |= f[i].len;
			need += f[i].len;
		}
	if (any > PREP_BUF_DEFAULT_MAX ||
	    nqi > PREP_BUF_DEFAULT_MAX / PREP_TUPLE_OVERHEAD ||
	    need > PREP_BUF_DEFAULT_MAX - nqi * PREP_TUPLE_OVERHEAD)
		return PREP_ERR_LIMIT;
	need += nqi * PREP_TUPLE_OVERHEAD;
	if ((st = prep_buf_reserve(b, need)) != PREP_OK)
		return st;
	o = (unsigned char *)b->data + b->len;
	if (idx)
		for (i = 0; i < nqi; i++)
			o = prep_tuple_put(o, &f[idx[i]]);
	else
		for (i = 0; i < nqi; i++)
			o = prep_tuple_put(o, &f[i]);
	b->len = (size_t)((char *)o - b->data);
	return PREP_OK;
}

/* A key into the scratch buffer, as encode_into. */
static prep_status
encode_fields(prep_classes *c, const prep_field *f, const size_t *idx)
{
	prep_buf_reset(&c->scratch);
	return encode_into(c->nqi, f, idx, &c->scratch);
}

/* The row's key. */
static prep_status
encode_key(prep_classes *c, const prep_field *row)
{
	return encode_fields(c, row, c->qi);
}

static inline uint64_t
pair_hash(const prep_classes *c, uint64_t key)
{
	if (c->pairs_strong)
		return prep_siphash13_u64(&c->key, key);
	if (c->keys.test_hash) {
		/* the tests' hash (strset.h), of the key's 8 bytes */
		unsigned char b[8];
		int i;

		for (i = 0; i < 8; i++)
			b[i] = (unsigned char)(key >> (8 * i));
		return c->keys.test_hash(b, sizeof b);
	}
	return prep_tablehash_u64(c->hk, key);
}

/*
 * The pairs into n fresh slots, hashed as the table hashes now (a table
 * that saw a long probe but could not rehash then turns to SipHash).
 */
static prep_status
place_pairs(prep_classes *c, size_t n)
{
	struct pair *p;
	size_t i, j;
	prep_status st;

	if ((p = prep_memcap_calloc(n, sizeof *p, &st)) == NULL)
		return st;
	if (c->pairs_want_strong) {
		c->pairs_strong = 1;
		c->pairs_want_strong = 0;
	}
	for (i = 0; i < c->pairs_slots; i++) {
		uint64_t k = c->pairs[i].key;

		if (k == 0)
			continue;
		for (j = (size_t)pair_hash(c, k) & (n - 1); p[j].key;
		     j = (j + 1) & (n - 1))
			;
		p[j] = c->pairs[i];
	}
	prep_memcap_free(c->pairs, c->pairs_slots * sizeof *p);
	c->pairs = p;
	c->pairs_slots = n;
	return PREP_OK;
}

static prep_status
count_pair(prep_classes *c, size_t cls, size_t val, uint64_t rows)
{
	uint64_t key = ((uint64_t)cls << 32 | (uint64_t)val) + 1, h;
	size_t j, probes;
	prep_status st;

	if ((c->npairs + 1) * 2 > c->pairs_slots &&
	    (st = place_pairs(c, c->pairs_slots ? c->pairs_slots * 2 : 1024)) !=
		PREP_OK)
		return st;
again:
	h = pair_hash(c, key);
	for (j = (size_t)h & (c->pairs_slots - 1), probes = 0; c->pairs[j].key;
	     j = (j + 1) & (c->pairs_slots - 1)) {
		if (++probes > PREP_STRSET_PROBE_MAX && !c->pairs_strong &&
		    !c->pairs_want_strong) {
			/* as strset.c's turn_strong */
			c->pairs_want_strong = 1;
			if (place_pairs(c, c->pairs_slots) == PREP_OK)
				goto again;
		}
		if (c->pairs[j].key == key) {
			c->pairs[j].count += rows;
			return PREP_OK;
		}
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
add_encoded(prep_classes *c, const void *key, size_t len,
	    prep_strset_pos *hashed, const prep_field *sval, uint64_t n,
	    size_t *id)
{
	size_t cls = 0, val = 0;
	void *v = NULL;
	struct class_info info = {0, 0};
	prep_strset_pos own = {0}, *pos = hashed ? hashed : &own;
	prep_status st;

	if ((c->sensitive >= 0) != (sval != NULL))
		return PREP_ERR_ARG;
	st = hashed ? prep_strset_find_at(&c->keys, key, len, hashed, &cls, &v)
		    : prep_strset_find(&c->keys, key, len, &cls, &v, pos);
	if (st == PREP_OK) {
		memcpy(&info, v, c->keys.value_size);
		if (info.size > UINT64_MAX - n)
			return PREP_ERR_RANGE;
	} else if (st != PREP_ERR_NOT_FOUND)
		return st;
	else if (c->keys.n >= c->max)
		return PREP_ERR_LIMIT;
	if (c->rows > UINT64_MAX - n)
		return PREP_ERR_RANGE;
	if (sval != NULL) {
		st = prep_strset_lookup(&c->values, sval->data, sval->len, 1,
					&val, NULL);
		if (st != PREP_OK)
			return st;
	}
	if (v == NULL) {
		/* the values' set is another set: pos still holds */
		st = prep_strset_insert(&c->keys, key, len, pos, &cls, &v);
		if (st != PREP_OK)
			return st;
		info.first = val;
	} else if (sval != NULL && val != info.first &&
		   (st = count_pair(c, cls, val, n)) != PREP_OK)
		return st;
	if (sval != NULL)
		c->dist_stale = 1;
	info.size += n;
	memcpy(v, &info, c->keys.value_size);
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
	return add_encoded(c, c->scratch.data, c->scratch.len, NULL,
			   c->sensitive >= 0 ? &row[c->sensitive] : NULL, 1,
			   id);
}

prep_status
prep_classes_encode(const prep_classes *c, const prep_field *row, prep_buf *out)
{
	return encode_into(c->nqi, row, c->qi, out);
}

prep_status
prep_classes_add_encoded(prep_classes *c, const void *key, size_t len,
			 const prep_field *value, size_t *id)
{
	return add_encoded(c, key, len, NULL, value, 1, id);
}

prep_status
prep_classes_encode_at(const prep_classes *c, const prep_field *row,
		       prep_buf *out, prep_strset_pos *pos)
{
	size_t start = out->len;
	prep_status st = encode_into(c->nqi, row, c->qi, out);

	if (st == PREP_OK)
		prep_strset_fast_hash(&c->keys, out->data + start,
				      out->len - start, pos);
	return st;
}

void
prep_classes_prefetch(const prep_classes *c, const prep_strset_pos *pos)
{
	prep_strset_prefetch(&c->keys, pos);
}

prep_status
prep_classes_add_encoded_at(prep_classes *c, const void *key, size_t len,
			    prep_strset_pos *pos, const prep_field *value,
			    size_t *id)
{
	return add_encoded(c, key, len, pos, value, 1, id);
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
	return add_encoded(c, c->scratch.data, c->scratch.len, NULL, value, n,
			   id);
}

prep_status
prep_classes_find_key(const prep_classes *c, const prep_field *key, size_t *id)
{
	prep_status st;

	/* encode_fields only writes the scratch buffer; a lookup may
	 * rehash the set, which changes no id */
	if ((st = encode_fields((prep_classes *)c, key, NULL)) != PREP_OK)
		return st;
	return prep_strset_find((prep_strset *)&c->keys, c->scratch.data,
				c->scratch.len, id, NULL, NULL);
}

prep_status
prep_classes_find(const prep_classes *c, const prep_field *row, size_t *id)
{
	prep_status st;

	/* as prep_classes_find_key */
	if ((st = encode_key((prep_classes *)c, row)) != PREP_OK)
		return st;
	return prep_strset_find((prep_strset *)&c->keys, c->scratch.data,
				c->scratch.len, id, NULL, NULL);
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
	uint64_t size = 0;

	if (id < c->keys.n)
		memcpy(&size, prep_strset_value(&c->keys, id), sizeof size);
	return size;
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

/* Sort a run by value id: runs are short, most of one or two counts. */
static void
sort_run(prep_class_count *a, size_t n)
{
	size_t i, j;

	if (n > 16) {
		qsort(a, n, sizeof *a, by_value);
		return;
	}
	for (i = 1; i < n; i++) {
		prep_class_count x = a[i];

		for (j = i; j > 0 && a[j - 1].value > x.value; j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
}

/*
 * Lay the counts out as one run per class, sorted by value id: the first
 * value's count (the class's size less its pairs') at the head of the
 * run, then the pairs.
 */
static prep_status
build_runs(prep_classes *c)
{
	size_t n = c->keys.n, i, *fill;
	prep_class_count *counts;
	size_t *run;

	run = calloc(n + 1, sizeof *run);
	counts = calloc(c->npairs + n ? c->npairs + n : 1, sizeof *counts);
	fill = calloc(n + 1, sizeof *fill);
	if (!run || !counts || !fill) {
		free(run);
		free(counts);
		free(fill);
		return PREP_ERR_NOMEM;
	}
	for (i = 0; i < n; i++)
		run[i + 1] = 1;
	for (i = 0; i < c->pairs_slots; i++)
		if (c->pairs[i].key)
			run[((c->pairs[i].key - 1) >> 32) + 1]++;
	for (i = 0; i < n; i++) {
		struct class_info info;

		run[i + 1] += run[i];
		memcpy(&info, prep_strset_value(&c->keys, i), sizeof info);
		counts[run[i]].value = (size_t)info.first;
		counts[run[i]].count = info.size;
		fill[i] = 1;
	}
	for (i = 0; i < c->pairs_slots; i++) {
		uint64_t k = c->pairs[i].key;
		size_t cls, at;

		if (k == 0)
			continue;
		cls = (size_t)((k - 1) >> 32);
		at = run[cls] + fill[cls]++;
		counts[at].value = (size_t)((k - 1) & 0xffffffffu);
		counts[at].count = c->pairs[i].count;
		counts[run[cls]].count -= c->pairs[i].count;
	}
	for (i = 0; i < n; i++)
		sort_run(counts + run[i], run[i + 1] - run[i]);
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
