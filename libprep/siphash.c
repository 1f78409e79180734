/*
 * siphash.c: SipHash-c-d and the process's table key (see siphash.h).
 *
 * Written from the description in Aumasson & Bernstein, "SipHash: a fast
 * short-input PRF", INDOCRYPT 2012, section 2:
 *
 *   - initialization: four 64-bit words of state from the key (k0, k1)
 *     and the constants "somepseudorandomlygeneratedbytes":
 *     v0 = k0 ^ 0x736f6d6570736575, v1 = k1 ^ 0x646f72616e646f6d,
 *     v2 = k0 ^ 0x6c7967656e657261, v3 = k1 ^ 0x7465646279746573;
 *   - compression: the message as little-endian 64-bit words m_i, the last
 *     one holding the 0 to 7 bytes left over and, in its top byte, the
 *     message length mod 256; for each word v3 ^= m_i, c SipRounds,
 *     v0 ^= m_i;
 *   - finalization: v2 ^= 0xff, d SipRounds, and the result is
 *     v0 ^ v1 ^ v2 ^ v3.
 *
 * SipRound is the paper's add-rotate-xor network of the four words.
 *
 * The table key comes from OpenSSL's RAND_bytes under pthread_once, so two
 * threads that make their first tables at once still share one key.
 */
#include <pthread.h>
#include <string.h>

#include <openssl/rand.h>

#include "siphash.h"

static inline uint64_t
rotl(uint64_t x, unsigned b)
{
	return x << b | x >> (64 - b);
}

/* One SipRound, in the paper's order. */
static inline void
sip_round(uint64_t v[4])
{
	v[0] += v[1];
	v[2] += v[3];
	v[1] = rotl(v[1], 13);
	v[3] = rotl(v[3], 16);
	v[1] ^= v[0];
	v[3] ^= v[2];
	v[0] = rotl(v[0], 32);
	v[2] += v[1];
	v[0] += v[3];
	v[1] = rotl(v[1], 17);
	v[3] = rotl(v[3], 21);
	v[1] ^= v[2];
	v[3] ^= v[0];
	v[2] = rotl(v[2], 32);
}

/* The initial state of the key. */
static inline void
sip_init(uint64_t v[4], const prep_siphash_key *k)
{
	v[0] = k->k0 ^ 0x736f6d6570736575ULL;
	v[1] = k->k1 ^ 0x646f72616e646f6dULL;
	v[2] = k->k0 ^ 0x6c7967656e657261ULL;
	v[3] = k->k1 ^ 0x7465646279746573ULL;
}

/* Eight bytes as a little-endian number, whatever the machine's order. */
static uint64_t
load_le64(const unsigned char *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	       (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 |
	       (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
	       (uint64_t)p[7] << 56;
}

prep_siphash_key
prep_siphash_key_from_bytes(const unsigned char b[16])
{
	prep_siphash_key k;

	k.k0 = load_le64(b);
	k.k1 = load_le64(b + 8);
	return k;
}

/*
 * The paper's last word: the n & 7 bytes left at p, then the message
 * length mod 256 in the top byte.
 */
static uint64_t
last_word(const unsigned char *p, size_t n)
{
	uint64_t b = (uint64_t)(n & 0xff) << 56;

	switch (n & 7) {
	case 7:
		b |= (uint64_t)p[6] << 48;
		/* fall through */
	case 6:
		b |= (uint64_t)p[5] << 40;
		/* fall through */
	case 5:
		b |= (uint64_t)p[4] << 32;
		/* fall through */
	case 4:
		b |= (uint64_t)p[3] << 24;
		/* fall through */
	case 3:
		b |= (uint64_t)p[2] << 16;
		/* fall through */
	case 2:
		b |= (uint64_t)p[1] << 8;
		/* fall through */
	case 1:
		b |= (uint64_t)p[0];
		break;
	default:
		break;
	}
	return b;
}

/* The compression of one message word. */
static inline void
sip_word(uint64_t v[4], uint64_t m, unsigned c)
{
	unsigned i;

	v[3] ^= m;
	for (i = 0; i < c; i++)
		sip_round(v);
	v[0] ^= m;
}

/* The finalization after the last word. */
static inline uint64_t
sip_final(uint64_t v[4], unsigned d)
{
	unsigned i;

	v[2] ^= 0xff;
	for (i = 0; i < d; i++)
		sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

uint64_t
prep_siphash(unsigned c, unsigned d, const prep_siphash_key *k,
	     const void *data, size_t n)
{
	const unsigned char *p = data;
	const unsigned char *end = p + (n & ~(size_t)7);
	uint64_t v[4];

	sip_init(v, k);
	for (; p != end; p += 8)
		sip_word(v, load_le64(p), c);
	sip_word(v, last_word(p, n), c);
	return sip_final(v, d);
}

/*
 * The same with c = 1 and d = 3 as constants, so that the compiler
 * unrolls the rounds: the tables hash every key of every row.
 */
uint64_t
prep_siphash13(const prep_siphash_key *k, const void *data, size_t n)
{
	const unsigned char *p = data;
	const unsigned char *end = p + (n & ~(size_t)7);
	uint64_t v[4];

	sip_init(v, k);
	for (; p != end; p += 8)
		sip_word(v, load_le64(p), 1);
	sip_word(v, last_word(p, n), 1);
	return sip_final(v, 3);
}

/* Eight bytes: one full word, then a last word of only the length, 8. */
uint64_t
prep_siphash13_u64(const prep_siphash_key *k, uint64_t x)
{
	uint64_t v[4];

	sip_init(v, k);
	sip_word(v, x, 1);
	sip_word(v, (uint64_t)8 << 56, 1);
	return sip_final(v, 3);
}

static pthread_once_t table_key_once = PTHREAD_ONCE_INIT;
static prep_siphash_key table_key;
static prep_status table_key_status = PREP_ERR_CRYPTO;

static void
make_table_key(void)
{
	unsigned char b[16];

	if (RAND_bytes(b, sizeof b) != 1)
		return; /* table_key_status stays PREP_ERR_CRYPTO */
	table_key = prep_siphash_key_from_bytes(b);
	memset(b, 0, sizeof b);
	table_key_status = PREP_OK;
}

prep_status
prep_siphash_table_key(prep_siphash_key *k)
{
	if (pthread_once(&table_key_once, make_table_key) != 0)
		return PREP_ERR_CRYPTO;
	if (table_key_status != PREP_OK)
		return table_key_status;
	*k = table_key;
	return PREP_OK;
}
