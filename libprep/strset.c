/*
 * strset.c: the set of byte strings of strset.h.
 *
 * A record in the arena, 8-byte aligned:
 *	uint32_t len, id; value (value_size bytes); key (len bytes, padded)
 * A slot, 0 when empty:
 *	bits 63..40	the top 24 bits of the key's hash (its fingerprint)
 *	bits 39..0	the record's offset in the arena / 8, plus 1
 * The slot a key starts from is its hash modulo the number of slots,
 * whose bits (under 2^33 slots) are apart from the fingerprint's. The
 * ids' array (at) turns an id into its record; lookups never read it.
 * Hashes are not kept: growing the slots hashes each key again, reading
 * the arena in order, about one more hash per key in all.
 */
#include <stdlib.h>
#include <string.h>

#include "memcap.h"
#include "strset.h"

#define HDR 8 /* len and id */
#define TAG_SHIFT 40
#define OFF_MASK ((UINT64_C(1) << TAG_SHIFT) - 1)
#define MAX_IDS 0xffffffffu

static uint64_t (*test_hash)(const void *, size_t);

void
prep_strset_test_hash(uint64_t (*hash)(const void *key, size_t len))
{
	test_hash = hash;
}

void
prep_strset_init_values(prep_strset *s, size_t max, size_t value_size)
{
	memset(s, 0, sizeof *s);
	s->max = max ? max : SIZE_MAX;
	s->value_size = (value_size + 7) & ~(size_t)7;
	s->test_hash = test_hash;
}

void
prep_strset_init(prep_strset *s, size_t max)
{
	prep_strset_init_values(s, max, 0);
}

void
prep_strset_free(prep_strset *s)
{
	prep_memcap_free(s->slots, s->nslots * sizeof *s->slots);
	prep_memcap_free(s->at, s->cap * sizeof *s->at);
	prep_memcap_free(s->arena, s->arena_cap);
	memset(s, 0, sizeof *s);
}

static inline uint64_t
load64(const unsigned char *p)
{
	uint64_t x;

	memcpy(&x, p, sizeof x);
	return x;
}

static inline uint32_t
load32(const unsigned char *p)
{
	uint32_t x;

	memcpy(&x, p, sizeof x);
	return x;
}

static inline void
store32(unsigned char *p, uint32_t x)
{
	memcpy(p, &x, sizeof x);
}

/* The bytes of a record: header, value, key padded to 8. */
static inline size_t
record_size(const prep_strset *s, size_t len)
{
	return HDR + s->value_size + ((len + 7) & ~(size_t)7);
}

static inline const unsigned char *
record_key(const prep_strset *s, const unsigned char *rec)
{
	return rec + HDR + s->value_size;
}

static inline uint64_t
hash_key(const prep_strset *s, const void *key, size_t len)
{
	if (s->strong)
		return prep_siphash13(&s->sk, len ? key : "", len);
	if (s->test_hash)
		return s->test_hash(key, len);
	return prep_tablehash(s->hk, key, len);
}

/*
 * a[0..len) == b[0..len), two words at a time: keys are short, and a call
 * to memcmp costs as much as comparing them.
 */
static inline int
same_bytes(const unsigned char *a, const unsigned char *b, size_t len)
{
	size_t i;

	if (len >= 8) {
		if (len > 256)
			return memcmp(a, b, len) == 0;
		for (i = 0; i + 16 < len; i += 16)
			if ((load64(a + i) ^ load64(b + i)) |
			    (load64(a + i + 8) ^ load64(b + i + 8)))
				return 0;
		if (len - i > 8 && load64(a + i) != load64(b + i))
			return 0;
		return load64(a + len - 8) == load64(b + len - 8);
	}
	if (len >= 4)
		return load32(a) == load32(b) &&
		       load32(a + len - 4) == load32(b + len - 4);
	for (i = 0; i < len; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

/* The first empty slot of hash h. */
static inline size_t
free_slot(const uint64_t *slots, size_t nslots, uint64_t h)
{
	size_t j;

	for (j = (size_t)h & (nslots - 1); slots[j]; j = (j + 1) & (nslots - 1))
		;
	return j;
}

/*
 * Place the key of record offset off (the arena's, bytes), whose hash is
 * h, in the first empty slot from its own. Returns 0 when that is more
 * than PREP_STRSET_PROBE_MAX slots on under the fast hash: the caller
 * then turns the set to SipHash and starts again.
 */
static inline int
place(prep_strset *s, uint64_t *slots, size_t nslots, uint64_t h, uint64_t off)
{
	size_t start = (size_t)h & (nslots - 1);
	size_t j = free_slot(slots, nslots, h);

	if (!s->strong && ((j - start) & (nslots - 1)) >= PREP_STRSET_PROBE_MAX)
		return 0;
	slots[j] = (h >> TAG_SHIFT) << TAG_SHIFT | (off / 8 + 1);
	return 1;
}

/* Past this many keys, fill_slots places them in the order of their
 * slots (below it the slots fit in the caches anyway). */
#define SORTED_FILL_MIN 65536
/* Slots of a bucket of that order: 64, 512 bytes. */
#define BUCKET_SHIFT 6

struct placed {
	uint64_t hash, off;
};

/*
 * fill_slots for many keys: their hashes first (reading the arena in
 * order), sorted by counting into buckets of 64 slots, then placed in
 * the order of the buckets, so that the slots are written (and probed
 * for an empty one) from start to end rather than at random: a table of
 * megabytes is filled at the speed of memory, not of its latency.
 * Returns 0 when the memory for the sort can't be had (the caller places
 * the keys one by one), -1 when a key landed too far (turn to SipHash).
 */
static int
fill_sorted(prep_strset *s, uint64_t *slots, size_t nslots)
{
	size_t n = s->n, nb = nslots >> BUCKET_SHIFT, i, sum;
	struct placed *by_key, *sorted;
	uint32_t *at;
	prep_status st;
	int ok = 1;

	if (nb < 2 || n > SIZE_MAX / (2 * sizeof *by_key))
		return 0;
	by_key = prep_memcap_calloc(2 * n, sizeof *by_key, &st);
	at = by_key ? prep_memcap_calloc(nb + 1, sizeof *at, &st) : NULL;
	if (at == NULL) {
		prep_memcap_free(by_key, 2 * n * sizeof *by_key);
		return 0;
	}
	sorted = by_key + n;
	for (i = 0; i < n; i++) {
		const unsigned char *rec = s->arena + s->at[i];

		by_key[i].hash = hash_key(s, record_key(s, rec), load32(rec));
		by_key[i].off = s->at[i];
		at[((size_t)by_key[i].hash & (nslots - 1)) >> BUCKET_SHIFT]++;
	}
	for (i = 0, sum = 0; i <= nb; i++) {
		size_t c = at[i];

		at[i] = (uint32_t)sum;
		sum += c;
	}
	for (i = 0; i < n; i++)
		sorted[at[((size_t)by_key[i].hash & (nslots - 1)) >>
			  BUCKET_SHIFT]++] = by_key[i];
	for (i = 0; i < n && ok; i++)
		ok = place(s, slots, nslots, sorted[i].hash, sorted[i].off);
	prep_memcap_free(at, (nb + 1) * sizeof *at);
	prep_memcap_free(by_key, 2 * n * sizeof *by_key);
	return ok ? 1 : -1;
}

/*
 * Slots for every key, hashed as the set hashes now. Under the fast hash,
 * a key placed more than PREP_STRSET_PROBE_MAX slots from where it starts
 * (which its own probe would then walk) turns the set to SipHash and the
 * slots are filled again: so a key in the set is always found within the
 * bound, whatever the growth did to the runs. The order keys are placed
 * in changes where some of them sit, never whether a probe finds them.
 */
static void
fill_slots(prep_strset *s, uint64_t *slots, size_t nslots)
{
	size_t i;
	int done;

again:
	done = s->n >= SORTED_FILL_MIN && nslots <= UINT32_MAX
		   ? fill_sorted(s, slots, nslots)
		   : 0;
	for (i = 0; done == 0 && i < s->n; i++) {
		const unsigned char *rec = s->arena + s->at[i];
		uint64_t h = hash_key(s, record_key(s, rec), load32(rec));

		if (!place(s, slots, nslots, h, s->at[i]))
			done = -1;
	}
	if (done < 0) {
		s->strong = 1;
		s->want_strong = 0;
		memset(slots, 0, nslots * sizeof *slots);
		goto again;
	}
}

/*
 * Twice the slots (16 at first: a table may hold one set per column, and
 * there may be 100,000 columns with a handful of values each). A set
 * that saw a long probe but could not rehash then turns to SipHash now.
 */
static prep_status
grow_slots(prep_strset *s)
{
	size_t n = s->nslots ? s->nslots * 2 : 16;
	uint64_t *slots;
	prep_status st;

	if ((slots = prep_memcap_calloc(n, sizeof *slots, &st)) == NULL)
		return st;
	if (s->want_strong) {
		s->strong = 1;
		s->want_strong = 0;
	}
	fill_slots(s, slots, n);
	prep_memcap_free(s->slots, s->nslots * sizeof *s->slots);
	s->slots = slots;
	s->nslots = n;
	return PREP_OK;
}

/*
 * A probe ran past PREP_STRSET_PROBE_MAX under the fast hash: rehash
 * every key under SipHash-1-3 into new slots. When there is no memory for
 * them, the next growth does it (and until then probes stay long, but
 * the set is not rehashed at every one of them).
 */
static prep_status
turn_strong(prep_strset *s)
{
	uint64_t *slots;
	prep_status st;

	if (s->want_strong)
		return PREP_ERR_MEMORY;
	slots = prep_memcap_calloc(s->nslots, sizeof *slots, &st);
	if (slots == NULL) {
		s->want_strong = 1;
		return st;
	}
	s->strong = 1;
	fill_slots(s, slots, s->nslots);
	prep_memcap_free(s->slots, s->nslots * sizeof *s->slots);
	s->slots = slots;
	return PREP_OK;
}

static prep_status
grow_ids(prep_strset *s)
{
	size_t n = s->cap ? s->cap * 2 : 8;
	uint64_t *at;
	prep_status st;

	if (n > SIZE_MAX / sizeof *at)
		return PREP_ERR_NOMEM;
	at = prep_memcap_realloc(s->at, s->cap * sizeof *at, n * sizeof *at,
				 &st);
	if (at == NULL)
		return st;
	s->at = at;
	s->cap = n;
	return PREP_OK;
}

static prep_status
grow_arena(prep_strset *s, size_t len)
{
	size_t n = s->arena_cap ? s->arena_cap : 256;
	unsigned char *a;
	prep_status st;

	while (n - s->arena_len < len) {
		if (n > SIZE_MAX / 2)
			return PREP_ERR_NOMEM;
		n *= 2;
	}
	if ((a = prep_memcap_realloc(s->arena, s->arena_cap, n, &st)) == NULL)
		return st;
	s->arena = a;
	s->arena_cap = n;
	return PREP_OK;
}

static prep_status
take_keys(prep_strset *s)
{
	prep_status st;

	if ((st = prep_siphash_table_key(&s->sk)) != PREP_OK ||
	    (st = prep_tablehash_table_key(&s->hk)) != PREP_OK)
		return st;
	s->keyed = 1;
	return PREP_OK;
}

/*
 * Look the key up from hash h: 1 found, 0 not, -1 the set turned strong
 * on the way (the key needs hashing anew).
 */
static int
probe(prep_strset *s, const void *key, size_t len, uint64_t h, size_t *id,
      void **value, prep_strset_pos *pos)
{
	uint64_t tag, e;
	size_t j, mask, probes;

	if (pos) {
		pos->hash = h;
		pos->strong = s->strong;
		pos->slot = SIZE_MAX;
	}
	if (s->nslots == 0)
		return 0;
	mask = s->nslots - 1;
	tag = h >> TAG_SHIFT;
	for (j = (size_t)h & mask, probes = 0; (e = s->slots[j]) != 0;
	     j = (j + 1) & mask) {
		const unsigned char *rec;

		/* only a find that may be followed by an insert rehashes:
		 * one without writes nothing, for threads that share a set */
		if (++probes > PREP_STRSET_PROBE_MAX && pos && !s->strong &&
		    !s->want_strong && turn_strong(s) == PREP_OK)
			return -1;
		if (e >> TAG_SHIFT != tag)
			continue;
		rec = s->arena + ((e & OFF_MASK) - 1) * 8;
		if (load32(rec) == len &&
		    same_bytes(record_key(s, rec), key, len)) {
			*id = load32(rec + 4);
			if (value)
				*value = (void *)(rec + HDR);
			return 1;
		}
	}
	if (pos)
		pos->slot = j;
	return 0;
}

/*
 * prep_strset_find, from hash h when have_h (a hash of key as the set
 * hashes now).
 */
static prep_status
find(prep_strset *s, const void *key, size_t len, uint64_t h, int have_h,
     size_t *id, void **value, prep_strset_pos *pos)
{
	prep_status st;
	int found;

	if (!s->keyed && (st = take_keys(s)) != PREP_OK)
		return st;
	if (!have_h)
		h = hash_key(s, key, len);
	while ((found = probe(s, key, len, h, id, value, pos)) < 0)
		h = hash_key(s, key, len);
	return found ? PREP_OK : PREP_ERR_NOT_FOUND;
}

prep_status
prep_strset_find(prep_strset *s, const void *key, size_t len, size_t *id,
		 void **value, prep_strset_pos *pos)
{
	return find(s, key, len, 0, 0, id, value, pos);
}

prep_status
prep_strset_ready(prep_strset *s)
{
	return s->keyed ? PREP_OK : take_keys(s);
}

void
prep_strset_fast_hash(const prep_strset *s, const void *key, size_t len,
		      prep_strset_pos *pos)
{
	pos->hash = s->test_hash ? s->test_hash(key, len)
				 : prep_tablehash(s->hk, key, len);
	pos->strong = 0;
	pos->slot = SIZE_MAX;
}

prep_status
prep_strset_find_at(prep_strset *s, const void *key, size_t len,
		    prep_strset_pos *pos, size_t *id, void **value)
{
	/* a hash taken before the set turned to SipHash is hashed again */
	return find(s, key, len, pos->hash, pos->strong == s->strong, id, value,
		    pos);
}

prep_status
prep_strset_insert(prep_strset *s, const void *key, size_t len,
		   const prep_strset_pos *pos, size_t *id, void **value)
{
	uint64_t h = pos->hash;
	size_t slot = pos->slot, size, i;
	unsigned char *rec;
	prep_status st;

	if (s->n >= s->max || s->n >= MAX_IDS || len > 0xffffffffu ||
	    len > SIZE_MAX / 2)
		return PREP_ERR_LIMIT;
	size = record_size(s, len);
	if (s->arena_len / 8 + size / 8 >= OFF_MASK)
		return PREP_ERR_LIMIT;
	/* load at most 3/4: probes stay within a cache line or two */
	if ((s->n + 1) * 4 > s->nslots * 3) {
		if ((st = grow_slots(s)) != PREP_OK)
			return st;
		slot = SIZE_MAX;
	}
	if (s->n == s->cap && (st = grow_ids(s)) != PREP_OK)
		return st;
	if (size > s->arena_cap - s->arena_len &&
	    (st = grow_arena(s, size)) != PREP_OK)
		return st;
	if (pos->strong != s->strong) {
		h = hash_key(s, key, len);
		slot = SIZE_MAX;
	}
	if (slot == SIZE_MAX)
		slot = free_slot(s->slots, s->nslots, h);
	i = s->n++;
	rec = s->arena + s->arena_len;
	store32(rec, (uint32_t)len);
	store32(rec + 4, (uint32_t)i);
	memset(rec + HDR, 0, s->value_size);
	if (len)
		memcpy(rec + HDR + s->value_size, key, len);
	s->at[i] = s->arena_len;
	s->slots[slot] = (h >> TAG_SHIFT) << TAG_SHIFT | (s->arena_len / 8 + 1);
	s->arena_len += size;
	s->key_bytes += len;
	*id = i;
	if (value)
		*value = rec + HDR;
	return PREP_OK;
}

prep_status
prep_strset_lookup(prep_strset *s, const void *key, size_t len, int add,
		   size_t *id, int *added)
{
	prep_strset_pos pos = {0, SIZE_MAX, 0};
	prep_status st;

	if (added)
		*added = 0;
	st = prep_strset_find(s, key, len, id, NULL, add ? &pos : NULL);
	if (st != PREP_ERR_NOT_FOUND || !add)
		return st;
	if ((st = prep_strset_insert(s, key, len, &pos, id, NULL)) != PREP_OK)
		return st;
	if (added)
		*added = 1;
	return PREP_OK;
}

prep_field
prep_strset_key(const prep_strset *s, size_t id)
{
	prep_field f = {"", 0};

	if (id < s->n) {
		const unsigned char *rec = s->arena + s->at[id];

		if ((f.len = load32(rec)) > 0)
			f.data = (const char *)record_key(s, rec);
		else
			f.data = "";
	}
	return f;
}

void *
prep_strset_value(const prep_strset *s, size_t id)
{
	if (id >= s->n || s->value_size == 0)
		return NULL;
	return s->arena + s->at[id] + HDR;
}

unsigned char *
prep_tuple_put_long(unsigned char *o, const prep_field *f)
{
	size_t len = f->len;

	do {
		*o++ = (unsigned char)((len & 0x7f) | (len > 0x7f ? 0x80 : 0));
		len >>= 7;
	} while (len);
	if (f->len)
		memcpy(o, f->data, f->len);
	return o + f->len;
}

prep_status
prep_tuple_key(unsigned char **buf, size_t *cap, const prep_field *f,
	       const size_t *idx, size_t n, const void **key, size_t *len)
{
	size_t need = 0, i;
	unsigned char *o;

	if (n == 1) {
		*key = f[idx ? idx[0] : 0].data;
		*len = f[idx ? idx[0] : 0].len;
		return PREP_OK;
	}
	for (i = 0; i < n; i++)
		need += f[idx ? idx[i] : i].len + PREP_TUPLE_OVERHEAD;
	if (need > *cap) {
		unsigned char *k = realloc(*buf, need);

		if (k == NULL)
			return PREP_ERR_NOMEM;
		*buf = k;
		*cap = need;
	}
	o = *buf;
	for (i = 0; i < n; i++)
		o = prep_tuple_put(o, &f[idx ? idx[i] : i]);
	*key = *buf;
	*len = (size_t)(o - *buf);
	return PREP_OK;
}

prep_field
prep_tuple_next(const unsigned char **p)
{
	const unsigned char *s = *p;
	size_t len = 0;
	int shift = 0;

	prep_field f;

	do {
		len |= (size_t)(*s & 0x7f) << shift;
		shift += 7;
	} while (*s++ & 0x80);
	f.data = (const char *)s;
	f.len = len;
	*p = s + len;
	return f;
}
