/*
 * siphash.h: SipHash, the keyed hash of the tables keyed by data values:
 * hierarchy.c's and the frequency sketch's, and those of strset.h and
 * classes.c once a probe has run long under their faster hash
 * (tablehash.h, whose key is derived from this one).
 *
 * SipHash (Aumasson & Bernstein, "SipHash: a fast short-input PRF",
 * INDOCRYPT 2012) is a pseudorandom function of a 128-bit key: without
 * the key, nobody can choose inputs whose hashes collide (in the table's
 * slots or in full), so crafted input can't turn a hash table's constant
 * time per key into time in proportion to the keys already there. The
 * tables use SipHash-1-3 (one compression round per 8-byte word, three
 * finalization rounds), the variant CPython and Rust use for their own
 * tables: enough for a hash table, whose outputs an attacker never sees.
 *
 * The key of the tables is drawn once per process from OpenSSL's RAND_bytes
 * (prep_siphash_table_key); when that fails there is no table, never one
 * under a constant key.
 */
#ifndef PREP_SIPHASH_H
#define PREP_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#include "prep.h"

/*
 * A 128-bit key as the paper reads its 16 bytes: k0 the first eight as a
 * little-endian number, k1 the last eight.
 */
typedef struct prep_siphash_key {
	uint64_t k0, k1;
} prep_siphash_key;

/* The key of 16 bytes, in the paper's byte order. */
prep_siphash_key prep_siphash_key_from_bytes(const unsigned char b[16]);

/*
 * SipHash-c-d of data[0..n) under k: c rounds per message word, d rounds
 * of finalization (SipHash-2-4 is c = 2, d = 4). For the tests and for
 * other variants; the tables call prep_siphash13.
 */
uint64_t prep_siphash(unsigned c, unsigned d, const prep_siphash_key *k,
		      const void *data, size_t n);

/* SipHash-1-3 of data[0..n) under k. */
uint64_t prep_siphash13(const prep_siphash_key *k, const void *data, size_t n);

/*
 * SipHash-1-3 of the 8 bytes of x in little-endian order under k, the same
 * as prep_siphash13 of those bytes: for tables whose keys are numbers.
 */
uint64_t prep_siphash13_u64(const prep_siphash_key *k, uint64_t x);

/*
 * The key of every table of this process: 16 bytes of RAND_bytes, drawn
 * on the first call (once, whatever the threads) and the same after.
 * PREP_ERR_CRYPTO when the generator failed, on that call and every later
 * one: a table must then refuse to work rather than use a known key.
 */
prep_status prep_siphash_table_key(prep_siphash_key *k);

#endif
