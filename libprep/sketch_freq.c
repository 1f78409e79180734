/*
 * sketch_freq.c: the Misra-Gries summary of sketch_freq.h.
 *
 * The kept items are an array of at most k + 1 entries (the copy of each
 * item's bytes, its length, counter and hash) found through an
 * open-addressing table of their indexes, hashed with SipHash-1-3 under
 * the process's table key (siphash.h): a crafted column can't make the
 * lookups slow. Entries are never deleted one by one: a subtraction
 * rewrites the array and rebuilds the table, O(k), which it costs anyway.
 * Every change is checked (bytes, counts, memory) before the summary is
 * touched, so a refused add or merge leaves it as it was.
 */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "memcap.h"
#include "siphash.h"
#include "sketch_freq.h"
#include "text.h"

/* total stays below 2^63, the largest json_int_t */
#define MAX_TOTAL ((uint64_t)INT64_MAX)

struct entry {
	char *data; /* len bytes and a NUL, charged len + 1 */
	size_t len;
	uint64_t count; /* > 0 */
	uint64_t hash;
};

struct prep_freq {
	size_t k, max_bytes; /* max_bytes: SIZE_MAX for no cap */
	struct entry *e;
	size_t n, cap;	 /* n <= k entries in use, cap <= k + 1 */
	uint32_t *slots; /* index + 1 of an entry, 0 empty */
	size_t nslots;	 /* power of two >= 2 cap */
	size_t bytes;	 /* sum of the kept items' lengths */
	uint64_t total, error;
	prep_siphash_key key;
};

prep_status
prep_freq_new(size_t k, size_t max_bytes, prep_freq **out)
{
	prep_freq *f;
	prep_status st;

	*out = NULL;
	if (k < 1 || k > PREP_FREQ_MAX_K)
		return PREP_ERR_ARG;
	if ((f = calloc(1, sizeof *f)) == NULL)
		return PREP_ERR_NOMEM;
	if ((st = prep_siphash_table_key(&f->key)) != PREP_OK) {
		free(f);
		return st;
	}
	f->k = k;
	f->max_bytes = max_bytes ? max_bytes : SIZE_MAX;
	*out = f;
	return PREP_OK;
}

void
prep_freq_free(prep_freq *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->n; i++)
		prep_memcap_free(f->e[i].data, f->e[i].len + 1);
	prep_memcap_free(f->e, f->cap * sizeof *f->e);
	prep_memcap_free(f->slots, f->nslots * sizeof *f->slots);
	free(f);
}

static uint64_t
hash_of(const prep_freq *f, const void *data, size_t len)
{
	return prep_siphash13(&f->key, len ? data : "", len);
}

/* The index of the item, or SIZE_MAX. */
static size_t
lookup(const prep_freq *f, const void *data, size_t len, uint64_t h)
{
	size_t mask = f->nslots - 1, j;

	if (f->nslots == 0)
		return SIZE_MAX;
	for (j = (size_t)h & mask; f->slots[j]; j = (j + 1) & mask) {
		const struct entry *e = &f->e[f->slots[j] - 1];

		if (e->hash == h && e->len == len &&
		    (len == 0 || memcmp(e->data, data, len) == 0))
			return f->slots[j] - 1;
	}
	return SIZE_MAX;
}

static void
slot_insert(prep_freq *f, size_t i)
{
	size_t mask = f->nslots - 1, j;

	for (j = (size_t)f->e[i].hash & mask; f->slots[j]; j = (j + 1) & mask)
		;
	f->slots[j] = (uint32_t)(i + 1);
}

static void
rebuild_slots(prep_freq *f)
{
	size_t i;

	if (f->nslots == 0)
		return; /* nothing kept yet: no table */
	memset(f->slots, 0, f->nslots * sizeof *f->slots);
	for (i = 0; i < f->n; i++)
		slot_insert(f, i);
}

/*
 * Room for need entries (need <= k + 1), the table at most half full.
 * Only capacity changes: the summary holds the same items.
 */
static prep_status
reserve(prep_freq *f, size_t need)
{
	size_t cap = f->cap ? f->cap : 4, ns = f->nslots ? f->nslots : 8;
	struct entry *e;
	uint32_t *slots;
	prep_status st;

	if (need <= f->cap)
		return PREP_OK;
	while (cap < need)
		cap *= 2;
	if (cap > f->k + 1)
		cap = f->k + 1;
	while (ns < 2 * cap)
		ns *= 2;
	e = prep_memcap_realloc(f->e, f->cap * sizeof *e, cap * sizeof *e, &st);
	if (e == NULL)
		return st;
	f->e = e;
	f->cap = cap;
	if (ns != f->nslots) {
		if ((slots = prep_memcap_calloc(ns, sizeof *slots, &st)) ==
		    NULL)
			return st;
		prep_memcap_free(f->slots, f->nslots * sizeof *f->slots);
		f->slots = slots;
		f->nslots = ns;
		rebuild_slots(f);
	}
	return PREP_OK;
}

/* A NUL-terminated copy of data[0..len), charged to the budget. */
static char *
copy_bytes(const void *data, size_t len, prep_status *st)
{
	char *c;

	if (len == SIZE_MAX) {
		*st = PREP_ERR_NOMEM;
		return NULL;
	}
	if ((c = prep_memcap_realloc(NULL, 0, len + 1, st)) == NULL)
		return NULL;
	if (len)
		memcpy(c, data, len);
	c[len] = '\0';
	return c;
}

/* Keep a new entry (room reserved, not already kept). */
static void
keep(prep_freq *f, char *copy, size_t len, uint64_t h, uint64_t count)
{
	struct entry *e = &f->e[f->n];

	e->data = copy;
	e->len = len;
	e->count = count;
	e->hash = h;
	f->bytes += len;
	slot_insert(f, f->n++);
}

/* Subtract d from every counter, dropping those it brings to 0. */
static void
subtract(prep_freq *f, uint64_t d)
{
	size_t i, j = 0;

	for (i = 0; i < f->n; i++) {
		if (f->e[i].count <= d) {
			f->bytes -= f->e[i].len;
			prep_memcap_free(f->e[i].data, f->e[i].len + 1);
			continue;
		}
		f->e[j] = f->e[i];
		f->e[j++].count -= d;
	}
	f->n = j;
	f->error += d;
	rebuild_slots(f);
}

prep_status
prep_freq_add(prep_freq *f, const void *item, size_t len, uint64_t count)
{
	uint64_t h, d;
	size_t i, need;
	char *copy = NULL;
	prep_status st;

	if (count == 0)
		return PREP_OK;
	if (item == NULL && len > 0)
		return PREP_ERR_ARG;
	if (count > MAX_TOTAL - f->total)
		return PREP_ERR_RANGE;
	h = hash_of(f, item, len);
	if ((i = lookup(f, item, len, h)) != SIZE_MAX) {
		f->e[i].count += count;
		f->total += count;
		return PREP_OK;
	}
	if (f->n < f->k) {
		if (len > f->max_bytes - f->bytes)
			return PREP_ERR_LIMIT;
		if ((st = reserve(f, f->n + 1)) != PREP_OK ||
		    (copy = copy_bytes(item, len, &st)) == NULL)
			return st;
		keep(f, copy, len, h, count);
		f->total += count;
		return PREP_OK;
	}
	/* k + 1 counters: subtract the smallest, d, from each */
	d = count;
	for (i = 0; i < f->n; i++)
		if (f->e[i].count < d)
			d = f->e[i].count;
	need = 0; /* the bytes of the counters that stay, <= f->bytes */
	for (i = 0; i < f->n; i++)
		if (f->e[i].count > d)
			need += f->e[i].len;
	if (count > d && len > f->max_bytes - need)
		return PREP_ERR_LIMIT;
	if (count > d && (copy = copy_bytes(item, len, &st)) == NULL)
		return st;
	subtract(f, d);
	if (copy != NULL)
		keep(f, copy, len, h, count - d); /* subtract freed a slot */
	f->total += count;
	return PREP_OK;
}

/* One counter of a merge: an item of into, or of from not in into. */
struct merged {
	char *data; /* into's copy, or from's until one is made */
	size_t len;
	uint64_t count, hash;
	size_t into; /* index in into, or SIZE_MAX */
	char *copy;  /* for an item of from that is kept */
};

static int
count_desc(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* The (k+1)-th largest count of m[0..n), n > k. */
static prep_status
kth_count(const struct merged *m, size_t n, size_t k, uint64_t *d)
{
	uint64_t *c = malloc(n * sizeof *c);
	size_t i;

	if (c == NULL)
		return PREP_ERR_NOMEM;
	for (i = 0; i < n; i++)
		c[i] = m[i].count;
	qsort(c, n, sizeof *c, count_desc);
	*d = c[k];
	free(c);
	return PREP_OK;
}

prep_status
prep_freq_merge(prep_freq *into, const prep_freq *from)
{
	struct merged *m;
	size_t n = 0, i, j, kept = 0, need = 0;
	uint64_t d = 0, total, error;
	prep_status st = PREP_OK;

	if (into->k != from->k)
		return PREP_ERR_ARG;
	if (from->total > MAX_TOTAL - into->total)
		return PREP_ERR_RANGE;
	total = into->total + from->total;
	error = into->error + from->error; /* <= total: no overflow */
	if ((m = calloc(into->n + from->n + 1, sizeof *m)) == NULL)
		return PREP_ERR_NOMEM;
	for (i = 0; i < into->n; i++, n++) {
		m[n].data = into->e[i].data;
		m[n].len = into->e[i].len;
		m[n].count = into->e[i].count;
		m[n].hash = into->e[i].hash;
		m[n].into = i;
	}
	for (i = 0; i < from->n; i++) {
		const struct entry *e = &from->e[i];
		uint64_t h = hash_of(into, e->data, e->len);

		if ((j = lookup(into, e->data, e->len, h)) != SIZE_MAX) {
			m[j].count += e->count; /* <= total */
			continue;
		}
		m[n].data = e->data;
		m[n].len = e->len;
		m[n].count = e->count;
		m[n].hash = h;
		m[n++].into = SIZE_MAX;
	}
	if (n > into->k && (st = kth_count(m, n, into->k, &d)) != PREP_OK)
		goto out;
	for (i = 0; i < n; i++)
		if (m[i].count > d) {
			kept++;
			need +=
			    m[i].len; /* each part's bytes fit in a size_t */
		}
	if (need > into->max_bytes) {
		st = PREP_ERR_LIMIT;
		goto out;
	}
	if ((st = reserve(into, kept)) != PREP_OK)
		goto out;
	for (i = 0; i < n; i++)
		if (m[i].count > d && m[i].into == SIZE_MAX &&
		    (m[i].copy = copy_bytes(m[i].data, m[i].len, &st)) == NULL)
			goto out;
	/* commit: nothing can fail from here */
	for (i = 0; i < into->n; i++)
		if (m[i].count <= d)
			prep_memcap_free(into->e[i].data, into->e[i].len + 1);
	into->n = 0;
	into->bytes = 0;
	for (i = 0; i < n; i++) {
		if (m[i].count <= d)
			continue;
		into->e[into->n].data = m[i].copy ? m[i].copy : m[i].data;
		into->e[into->n].len = m[i].len;
		into->e[into->n].count = m[i].count - d;
		into->e[into->n++].hash = m[i].hash;
		into->bytes += m[i].len;
		m[i].copy = NULL;
	}
	into->total = total;
	into->error = error + d;
	rebuild_slots(into);
out:
	for (i = 0; i < n; i++)
		if (m[i].copy != NULL)
			prep_memcap_free(m[i].copy, m[i].len + 1);
	free(m);
	return st;
}

uint64_t
prep_freq_total(const prep_freq *f)
{
	return f->total;
}

uint64_t
prep_freq_error(const prep_freq *f)
{
	return f->error;
}

size_t
prep_freq_size(const prep_freq *f)
{
	return f->n;
}

size_t
prep_freq_k(const prep_freq *f)
{
	return f->k;
}

/* Bytes ascending, a prefix before the longer string. */
static int
bytes_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}

/* Count descending, then bytes ascending. */
static int
item_cmp(const void *a, const void *b)
{
	const prep_freq_item *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return bytes_cmp(x->data, x->len, y->data, y->len);
}

prep_status
prep_freq_items(const prep_freq *f, prep_freq_item **items, size_t *n)
{
	prep_freq_item *a;
	size_t i;

	*items = NULL;
	*n = 0;
	if (f->n == 0)
		return PREP_OK;
	if ((a = malloc(f->n * sizeof *a)) == NULL)
		return PREP_ERR_NOMEM;
	for (i = 0; i < f->n; i++) {
		a[i].data = f->e[i].data;
		a[i].len = f->e[i].len;
		a[i].count = f->e[i].count;
	}
	qsort(a, f->n, sizeof *a, item_cmp);
	*items = a;
	*n = f->n;
	return PREP_OK;
}

/* ---- values in JSON ---- */

json_t *
prep_freq_to_json(const prep_freq *f)
{
	json_t *o = json_object(), *a = json_array(), *pair;
	prep_freq_item *items = NULL;
	size_t n = 0, i;
	int ok = o != NULL;

	if (prep_freq_items(f, &items, &n) != PREP_OK)
		ok = 0;
	prep_json_set(o, "k", json_integer((json_int_t)f->k), &ok);
	prep_json_set(o, "total", json_integer((json_int_t)f->total), &ok);
	prep_json_set(o, "error", json_integer((json_int_t)f->error), &ok);
	for (i = 0; i < n && ok; i++) {
		pair = json_array();
		prep_json_append(
		    pair, prep_json_bytes(items[i].data, items[i].len), &ok);
		prep_json_append(pair, json_integer((json_int_t)items[i].count),
				 &ok);
		prep_json_append(a, pair, &ok);
	}
	prep_json_set(o, "items", a, &ok);
	free(items);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/*
 * Read the items of a (checked: an array of at most k) into f; *sum, the
 * sum of their counts, stays <= total.
 */
static prep_status
read_items(prep_freq *f, const json_t *a, uint64_t total, uint64_t *sum,
	   const char **why)
{
	const char *prev = NULL;
	size_t prev_len = 0, len, idx;
	uint64_t prev_count = 0, count, h;
	json_t *pair;
	char *b, *copy;
	prep_status st;

	*sum = 0;
	json_array_foreach(a, idx, pair)
	{
		if (!json_is_array(pair) || json_array_size(pair) != 2 ||
		    !json_is_string(json_array_get(pair, 0))) {
			*why = "an item is not [\"value\", count]";
			return PREP_ERR_VALUE;
		}
		if (prep_json_uint(json_array_get(pair, 1), 1, UINT64_MAX,
				   &count) != 0) {
			*why = "an item's count is not an integer >= 1";
			return PREP_ERR_VALUE;
		}
		if (count > total - *sum) {
			*why = "counts above total";
			return PREP_ERR_VALUE;
		}
		*why = prep_json_bytes_read(
		    json_string_value(json_array_get(pair, 0)),
		    json_string_length(json_array_get(pair, 0)), &b, &len);
		if (*why != NULL)
			return PREP_ERR_VALUE;
		if (b == NULL)
			return PREP_ERR_NOMEM;
		if (prev != NULL &&
		    (count > prev_count ||
		     (count == prev_count &&
		      bytes_cmp(prev, prev_len, b, len) >= 0))) {
			free(b);
			*why = "items not by count, then value";
			return PREP_ERR_VALUE;
		}
		h = hash_of(f, b, len);
		if (lookup(f, b, len, h) != SIZE_MAX) {
			free(b);
			*why = "a value twice";
			return PREP_ERR_VALUE;
		}
		if (len > f->max_bytes - f->bytes) {
			free(b);
			*why = "items pass the byte cap";
			return PREP_ERR_LIMIT;
		}
		copy = NULL;
		if ((st = reserve(f, f->n + 1)) == PREP_OK)
			copy = copy_bytes(b, len, &st);
		free(b);
		if (copy == NULL)
			return st;
		keep(f, copy, len, h, count);
		prev = copy;
		prev_len = len;
		prev_count = count;
		*sum += count;
	}
	return PREP_OK;
}

prep_status
prep_freq_from_json(const json_t *j, size_t max_bytes, prep_freq **out,
		    const char **why)
{
	static const char *const keys[] = {"k", "total", "error", "items"};
	const char *dummy;
	json_t *items;
	uint64_t k, total, error, sum;
	prep_freq *f;
	prep_status st;

	*out = NULL;
	if (why == NULL)
		why = &dummy;
	*why = NULL;
	if (!json_is_object(j)) {
		*why = "not an object";
		return PREP_ERR_VALUE;
	}
	if (!prep_json_only_keys(j, keys, 4)) {
		*why = "unknown key";
		return PREP_ERR_VALUE;
	}
	if (prep_json_uint(json_object_get(j, "k"), 1, UINT64_MAX, &k) != 0 ||
	    k > PREP_FREQ_MAX_K) {
		*why = "k is not an integer in [1, 2^24]";
		return PREP_ERR_VALUE;
	}
	if (prep_json_uint(json_object_get(j, "total"), 0, UINT64_MAX,
			   &total) != 0) {
		*why = "total is not an integer >= 0";
		return PREP_ERR_VALUE;
	}
	if (prep_json_uint(json_object_get(j, "error"), 0, UINT64_MAX,
			   &error) != 0) {
		*why = "error is not an integer >= 0";
		return PREP_ERR_VALUE;
	}
	items = json_object_get(j, "items");
	if (!json_is_array(items) || json_array_size(items) > k) {
		*why = "items is not an array of at most k";
		return PREP_ERR_VALUE;
	}
	if ((st = prep_freq_new((size_t)k, max_bytes, &f)) != PREP_OK)
		return st;
	if ((st = read_items(f, items, total, &sum, why)) != PREP_OK) {
		prep_freq_free(f);
		return st;
	}
	/* the bound every summary keeps: (k + 1) error <= total - sum */
	if (error > (total - sum) / (k + 1)) {
		*why = "error above (total - counts) / (k + 1)";
		prep_freq_free(f);
		return PREP_ERR_VALUE;
	}
	f->total = total;
	f->error = error;
	*out = f;
	return PREP_OK;
}
