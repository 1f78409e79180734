/*
 * strset.h: a set of byte strings with dense ids, for the tables that
 * count things by key (classes.c, aggregate.c).
 *
 * Ids are 0..n-1 in order of insertion. Keys live in one arena; an
 * open-addressing table of slots finds them by their SipHash-1-3
 * (siphash.h), each slot holding 32 bits of that hash beside the id, so a
 * probe reads a key only when the hashes agree. The key of the hash is the
 * process's random table key, taken at the set's first lookup: without it,
 * crafted input can't choose keys that share slots, and the time per
 * lookup stays constant however the keys were chosen. At most max ids.
 */
#ifndef PREP_STRSET_H
#define PREP_STRSET_H

#include <stdint.h>
#include <stddef.h>

#include "prep.h"
#include "siphash.h"

typedef struct prep_strset {
	size_t n; /* ids in use (read-only) */
	size_t max;
	prep_siphash_key key;
	int keyed; /* key set (at the first lookup) */
	uint64_t *slots;
	size_t nslots;	/* power of two */
	uint64_t *hash; /* per id, for growing the slots */
	struct prep_strset_span {
		size_t off;
		size_t len;
	} * at; /* per id: the key in the arena */
	size_t cap;
	char *arena;
	size_t arena_len, arena_cap;
} prep_strset;

/* An empty set of at most max keys (0: no limit but memory). */
void prep_strset_init(prep_strset *s, size_t max);
void prep_strset_free(prep_strset *s);

/*
 * The id of key[0..len). When absent: PREP_ERR_NOT_FOUND unless add, then
 * a new id (*added = 1 when added is not NULL), or PREP_ERR_LIMIT past max.
 * PREP_ERR_CRYPTO when there is no random key for the hash
 * (prep_siphash_table_key).
 */
prep_status prep_strset_lookup(prep_strset *s, const void *key, size_t len,
			       int add, size_t *id, int *added);

/* The bytes of key id (not NUL-terminated). */
prep_field prep_strset_key(const prep_strset *s, size_t id);

/*
 * Tuple keys: each field written as a varint length (7 bits a byte, low
 * first) and its bytes, so that no two tuples share a key (("ab","c") and
 * ("a","bc") differ). prep_tuple_put writes f at o, which has room for
 * f->len + PREP_TUPLE_OVERHEAD bytes, and returns the end;
 * prep_tuple_next reads the field at *p and moves *p past it.
 */
#define PREP_TUPLE_OVERHEAD 10
unsigned char *prep_tuple_put(unsigned char *o, const prep_field *f);
prep_field prep_tuple_next(const unsigned char **p);

#endif
