/*
 * strset.h: a set of byte strings with dense ids, for the tables that
 * count things by key (classes.c, aggregate.c, weights.c, ...).
 *
 * Ids are 0..n-1 in order of insertion. Each key lives in one record of
 * an arena, in insertion order: its length, its id, an optional value of
 * the caller's (value_size bytes, zeroed when the key is added: a count,
 * say) and the key's bytes. An open-addressing table of 8-byte slots
 * (linear probing, load at most 3/4) finds the records: each slot holds
 * the record's place and a 24-bit fingerprint of the key's hash, so a
 * probe reads the arena only when the fingerprints agree (about once in
 * 16 million for another key), and a lookup that finds its key touches
 * two cache lines, the slot's and the record's, when the key and value
 * are short.
 *
 * The hash is tablehash.h's, under the process's random table key, taken
 * at the set's first lookup. No probe walks more than
 * PREP_STRSET_PROBE_MAX slots under it: a longer probe (which random keys
 * make about never, see tablehash.h) rehashes the set under SipHash-1-3
 * (siphash.h) for the rest of its life, so the time per lookup stays
 * bounded however the keys were chosen. At most max ids, 2^32 - 1 at
 * most, of keys under 4 GiB each.
 */
#ifndef PREP_STRSET_H
#define PREP_STRSET_H

#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include "prep.h"
#include "siphash.h"
#include "tablehash.h"

/*
 * Slots a probe walks under the fast hash before the set turns to SipHash.
 * At load 3/4 the longest run of full slots grows with the log of their
 * number, by about 26 slots each time it is multiplied by e: some 360 in
 * 2^26 slots, under 500 in 2^32, so random keys never come near it.
 */
#define PREP_STRSET_PROBE_MAX 1024

/*
 * The fields that hash a key come first, and the ones every insert
 * writes (n, key_bytes, arena_len) last, 64 bytes or more after them,
 * with the fields written only as the set grows in between: threads
 * that hash keys for a set (prep_strset_fast_hash) while one thread
 * inserts into it then read a cache line that no insert writes, instead
 * of fetching it back after each. (Padding would do the same, but a
 * profile holds several sets per column: it would cost memory.)
 */
typedef struct prep_strset {
	int keyed;	 /* hash keys set (at the first lookup) */
	int strong;	 /* hashed with SipHash-1-3 since a long probe */
	int want_strong; /* a long probe seen; the rehash still to do */
	const prep_tablehash_key *hk;
	prep_siphash_key sk;
	uint64_t (*test_hash)(const void *, size_t); /* see below */
	size_t max;
	size_t value_size; /* bytes of each key's value, a multiple of 8 */
	uint64_t *slots;
	size_t nslots; /* power of two */
	uint64_t *at;  /* per id: where its record starts in the arena */
	size_t cap;
	unsigned char *arena;
	size_t arena_cap;
	size_t n;	  /* ids in use (read-only) */
	size_t key_bytes; /* the keys' lengths added up (read-only) */
	size_t arena_len;
} prep_strset;

/* An empty set of at most max keys (0: no limit but memory). */
void prep_strset_init(prep_strset *s, size_t max);
/*
 * The same, each key with a value of value_size bytes (rounded up to a
 * multiple of 8, aligned for any integer), zeroed when the key is added:
 * prep_strset_value, or the value pointer of find and insert.
 */
void prep_strset_init_values(prep_strset *s, size_t max, size_t value_size);
void prep_strset_free(prep_strset *s);

/*
 * The id of key[0..len). When absent: PREP_ERR_NOT_FOUND unless add, then
 * a new id (*added = 1 when added is not NULL), or PREP_ERR_LIMIT past max.
 * PREP_ERR_CRYPTO when there is no random key for the hash
 * (prep_siphash_table_key); PREP_ERR_MEMORY, PREP_ERR_NOMEM.
 */
prep_status prep_strset_lookup(prep_strset *s, const void *key, size_t len,
			       int add, size_t *id, int *added);

/*
 * Where prep_strset_find saw that a key was missing: for a
 * prep_strset_insert of that key that follows with no change to the set
 * in between, so that the key is hashed and probed once.
 */
typedef struct prep_strset_pos {
	uint64_t hash;
	size_t slot;
	int strong;
} prep_strset_pos;

/*
 * The id of key[0..len) and, when value is not NULL, its value (valid
 * until the next insert); PREP_ERR_NOT_FOUND with *pos filled when
 * absent; PREP_ERR_CRYPTO as above. With pos (a find that may be
 * followed by an insert), a probe past PREP_STRSET_PROBE_MAX rehashes the
 * set under SipHash, which changes no id. Without, a find of a set that a
 * lookup has keyed writes nothing, so threads may share the set for such
 * finds (and for prep_strset_lookup without add) while nobody adds to it;
 * its probes stay within the bound for the keys in the set, which every
 * add and growth keeps within it.
 */
prep_status prep_strset_find(prep_strset *s, const void *key, size_t len,
			     size_t *id, void **value, prep_strset_pos *pos);
/*
 * For loops that look up many keys one after the other (a piece of rows
 * whose keys other threads encoded): prep_strset_fast_hash fills *pos
 * with the hash a find of key starts from while the set has not turned
 * to SipHash; it only reads what prep_strset_ready set, so other threads
 * may call it while one adds to the set. prep_strset_prefetch asks the
 * CPU for the slot of pos some keys ahead of their prep_strset_find_at,
 * so that the loads of several probes overlap. find_at is
 * prep_strset_find from the hash of pos (hashed again when the set has
 * turned to SipHash), and leaves pos ready for prep_strset_insert as
 * find does. prep_strset_ready keys the set now, as its first lookup
 * would (PREP_ERR_CRYPTO); fast_hash needs it first.
 */
prep_status prep_strset_ready(prep_strset *s);
void prep_strset_fast_hash(const prep_strset *s, const void *key, size_t len,
			   prep_strset_pos *pos);
prep_status prep_strset_find_at(prep_strset *s, const void *key, size_t len,
				prep_strset_pos *pos, size_t *id, void **value);

static inline void
prep_strset_prefetch(const prep_strset *s, const prep_strset_pos *pos)
{
	if (s->nslots)
		__builtin_prefetch(&s->slots[pos->hash & (s->nslots - 1)]);
}

/*
 * Add key[0..len), which the last prep_strset_find said was missing and
 * placed at *pos: its new id, and its zeroed value when value is not
 * NULL. PREP_ERR_LIMIT past max (or 2^32 - 1 ids, or a key of 4 GiB),
 * PREP_ERR_MEMORY or PREP_ERR_NOMEM; the set is then as it was.
 */
prep_status prep_strset_insert(prep_strset *s, const void *key, size_t len,
			       const prep_strset_pos *pos, size_t *id,
			       void **value);

/* The bytes of key id (not NUL-terminated). */
prep_field prep_strset_key(const prep_strset *s, size_t id);
/* The value of key id, value_size bytes (NULL for a set without). */
void *prep_strset_value(const prep_strset *s, size_t id);

/*
 * For the tests only: a hash that sets initialized after the call use
 * instead of tablehash.h's until they turn to SipHash (NULL: tablehash
 * again), so that a test can make keys share fingerprints and slots at
 * will. Not thread-safe; never set outside tests.
 */
void prep_strset_test_hash(uint64_t (*hash)(const void *key, size_t len));

/*
 * Tuple keys: each field written as a varint length (7 bits a byte, low
 * first) and its bytes, so that no two tuples share a key (("ab","c") and
 * ("a","bc") differ). prep_tuple_put writes f at o, which has room for
 * f->len + PREP_TUPLE_OVERHEAD bytes, and returns the end;
 * prep_tuple_next reads the field at *p and moves *p past it.
 */
#define PREP_TUPLE_OVERHEAD 10
unsigned char *prep_tuple_put_long(unsigned char *o, const prep_field *f);
prep_field prep_tuple_next(const unsigned char **p);

/*
 * The key of the n fields f[idx[0]], f[idx[1]], ... (idx NULL: f[0..n),
 * n >= 1): one field's bytes as they are, several as a tuple written in
 * *buf, grown as needed (*cap its size; free it with free). *key and *len
 * get the key; PREP_ERR_NOMEM when *buf can't grow.
 */
prep_status prep_tuple_key(unsigned char **buf, size_t *cap,
			   const prep_field *f, const size_t *idx, size_t n,
			   const void **key, size_t *len);

/*
 * Inline, for the fields of up to 16 bytes rows are mostly made of: the
 * length byte, then two overlapping words (never reading past the
 * field's end, which may be the end of the reader's buffer) in place of
 * a call to memcpy.
 */
static inline unsigned char *
prep_tuple_put(unsigned char *o, const prep_field *f)
{
	size_t n = f->len;
	const char *src = f->data;
	uint64_t a, b;
	uint32_t x, y;

	if (n > 16)
		return prep_tuple_put_long(o, f);
	*o++ = (unsigned char)n;
	if (n >= 8) {
		memcpy(&a, src, 8);
		memcpy(&b, src + n - 8, 8);
		memcpy(o, &a, 8);
		memcpy(o + n - 8, &b, 8);
	} else if (n >= 4) {
		memcpy(&x, src, 4);
		memcpy(&y, src + n - 4, 4);
		memcpy(o, &x, 4);
		memcpy(o + n - 4, &y, 4);
	} else if (n > 0) {
		o[0] = (unsigned char)src[0];
		o[n / 2] = (unsigned char)src[n / 2];
		o[n - 1] = (unsigned char)src[n - 1];
	}
	return o + n;
}

#endif
