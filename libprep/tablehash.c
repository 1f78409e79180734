/*
 * tablehash.c: NH with a finalizer, the tables' fast keyed hash (see
 * tablehash.h for the formula, the paper and what it promises).
 *
 * A key of len bytes becomes a fixed number of 8-byte blocks, each read as
 * a little-endian number whose low and high 32 bits are NH's two words,
 * one NH term per block:
 *	len >= 8	blocks at 0, 8, ..., and the last 8 bytes, which may
 *			overlap the block before
 *	4 <= len < 8	the first 4 bytes and the last 4 (they may overlap)
 *	1 <= len < 4	bytes 0, len / 2 and len - 1, packed
 *	len == 0	no term
 * For each length the blocks cover every byte, so two keys of one length
 * with the same blocks are the same key, as NH's bound requires.
 */
#include <pthread.h>
#include <string.h>

#include "tablehash.h"

/* Little-endian loads, so that the hash is one function everywhere. */
static inline uint64_t
load64(const unsigned char *p)
{
	uint64_t x;

	memcpy(&x, p, sizeof x);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	x = __builtin_bswap64(x);
#endif
	return x;
}

static inline uint32_t
load32(const unsigned char *p)
{
	uint32_t x;

	memcpy(&x, p, sizeof x);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	x = __builtin_bswap32(x);
#endif
	return x;
}

/* One NH term: the block's two 32-bit words plus key words k[0], k[1]. */
static inline uint64_t
nh_term(uint64_t m, const uint32_t *k)
{
	return (uint64_t)(uint32_t)((uint32_t)m + k[0]) *
	       (uint64_t)(uint32_t)((uint32_t)(m >> 32) + k[1]);
}

/* MurmurHash3's 64-bit finalizer: a bijection that spreads every bit. */
static inline uint64_t
fmix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

uint64_t
prep_tablehash(const prep_tablehash_key *k, const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t sum = 0;

	if (len > PREP_TABLEHASH_MAX)
		return prep_siphash13(&k->sip, data, len);
	if (len >= 8) {
		size_t q = (len - 1) / 8, i;
		const uint32_t *kw = k->nh;

		for (i = 0; i < q; i++, kw += 2)
			sum += nh_term(load64(p + 8 * i), kw);
		sum += nh_term(load64(p + len - 8), kw);
	} else if (len >= 4) {
		sum = nh_term((uint64_t)load32(p + len - 4) << 32 | load32(p),
			      k->nh);
	} else if (len > 0) {
		sum = nh_term((uint64_t)p[0] | (uint64_t)p[len / 2] << 8 |
				  (uint64_t)p[len - 1] << 16,
			      k->nh);
	}
	return fmix64(sum + (uint64_t)len * k->len_mul);
}

uint64_t
prep_tablehash_u64(const prep_tablehash_key *k, uint64_t x)
{
	return fmix64(nh_term(x, k->nh) + 8 * k->len_mul);
}

void
prep_tablehash_key_derive(const prep_siphash_key *sk, prep_tablehash_key *out)
{
	size_t i;
	uint64_t x;

	/* counters 0 .. 63: K, two words each; 64: K_len; 65, 66: sip */
	for (i = 0; i < PREP_TABLEHASH_MAX / 8; i++) {
		x = prep_siphash13_u64(sk, i);
		out->nh[2 * i] = (uint32_t)x;
		out->nh[2 * i + 1] = (uint32_t)(x >> 32);
	}
	out->len_mul = prep_siphash13_u64(sk, i) | 1;
	out->sip.k0 = prep_siphash13_u64(sk, i + 1);
	out->sip.k1 = prep_siphash13_u64(sk, i + 2);
}

static pthread_once_t table_key_once = PTHREAD_ONCE_INIT;
static prep_tablehash_key table_key;
static prep_status table_key_status = PREP_ERR_CRYPTO;

static void
make_table_key(void)
{
	prep_siphash_key sk;

	if ((table_key_status = prep_siphash_table_key(&sk)) != PREP_OK)
		return;
	prep_tablehash_key_derive(&sk, &table_key);
	memset(&sk, 0, sizeof sk);
}

prep_status
prep_tablehash_table_key(const prep_tablehash_key **k)
{
	if (pthread_once(&table_key_once, make_table_key) != 0)
		return PREP_ERR_CRYPTO;
	if (table_key_status != PREP_OK)
		return table_key_status;
	*k = &table_key;
	return PREP_OK;
}
