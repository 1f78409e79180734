/*
 * tablehash.h: the fast keyed hash of the tables keyed by data (strset.h,
 * the pair table of classes.c).
 *
 * Every row of kcheck, kanon, reweight, fairness and the rest hashes its
 * key once, so the hash is on the hot path; SipHash-1-3 (siphash.h) spent
 * as long on a 70-byte class key as the rest of the lookup. This hash is
 * NH, the inner hash of UMAC (Black, Halevi, Krawczyk, Krovetz and
 * Rogaway, "UMAC: Fast and Secure Message Authentication", CRYPTO 1999,
 * section 4), followed by a bijective finalizer:
 *
 *	NH_K(M) = sum_i ((m_2i + k_2i) mod 2^32) * ((m_2i+1 + k_2i+1) mod 2^32)
 *		  mod 2^64
 *	h = fmix64(NH_K(M) + len * K_len)
 *
 * over the key's bytes read as little-endian 32-bit words (each 8-byte
 * block one term, the last block overlapping the one before it when len
 * is not a multiple of 8; keys under 8 bytes packed into one block), K a
 * random key of PREP_TABLEHASH_MAX / 4 words, K_len a random odd number, and
 * fmix64 the 64-bit finalizer of MurmurHash3 (Austin Appleby, public
 * domain: xor-shift 33, multiply, xor-shift 33, multiply, xor-shift 33).
 * One multiply per 8 bytes instead of a SipRound's fourteen operations.
 *
 * What it promises, and what it doesn't. NH is 2^-32-almost-universal on
 * equal-length messages (the paper's analysis of NH, with w = 32): for any
 * two distinct keys of one length chosen without knowledge of K, the
 * chance over K that their NH values agree is at most 2^-32; for keys of
 * two lengths whose difference is below 2^32, the odd random K_len makes
 * agreement as unlikely, and fmix64 is a bijection. So two keys share a
 * whole 64-bit hash (and make a table compare their bytes in vain) once
 * in 2^32 pairs at most (SipHash: 2^64), whatever the input file holds;
 * the key is drawn per process and no output depends on it. The bits
 * that pick a slot are a heuristic, as for any hash this fast: the tables
 * don't rely on them. strset.h bounds every probe and rehashes a set
 * under SipHash-1-3 for good when a probe runs long, the sign of a
 * crafted or unlucky input, so the time per lookup stays bounded either
 * way. Keys longer than PREP_TABLEHASH_MAX bytes are hashed with
 * SipHash-1-3 (their comparison costs more than the hash anyway).
 *
 * Values of the hash are never written anywhere: they differ between
 * processes.
 */
#ifndef PREP_TABLEHASH_H
#define PREP_TABLEHASH_H

#include <stddef.h>
#include <stdint.h>

#include "prep.h"
#include "siphash.h"

/* Longest key hashed by NH; longer ones go to SipHash-1-3. */
#define PREP_TABLEHASH_MAX 512

typedef struct prep_tablehash_key {
	uint32_t nh[PREP_TABLEHASH_MAX / 4]; /* K */
	uint64_t len_mul;		     /* K_len, odd */
	prep_siphash_key sip;		     /* for the longer keys */
} prep_tablehash_key;

/*
 * The key derived from a SipHash key: K, K_len and the SipHash key of the
 * long keys are SipHash-1-3 under sk of a counter (the tests fix sk).
 */
void prep_tablehash_key_derive(const prep_siphash_key *sk,
			       prep_tablehash_key *out);

/*
 * The key of every table of this process, derived once from the table
 * key of siphash.h (prep_siphash_table_key): PREP_ERR_CRYPTO when that
 * has none.
 */
prep_status prep_tablehash_table_key(const prep_tablehash_key **k);

/* The hash of data[0..len) under k. */
uint64_t prep_tablehash(const prep_tablehash_key *k, const void *data,
			size_t len);

/*
 * The hash of x, the same as prep_tablehash of its 8 bytes in
 * little-endian order: for tables whose keys are numbers.
 */
uint64_t prep_tablehash_u64(const prep_tablehash_key *k, uint64_t x);

#endif
