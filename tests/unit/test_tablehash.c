/*
 * test_tablehash.c: unit tests of libprep/tablehash.c, the fast keyed
 * hash of the tables.
 *
 * Known answers: the hash under the key derived from SipHash key
 * 00 01 .. 0f, of the messages 00 01 .. (n-1) for n = 0..64 (every way a
 * length is cut into blocks) and 100, 511, 512 (the longest NH key), 513
 * and 1000 (SipHash-1-3), and the number form. The vectors were computed
 * by tests/unit/kat/gen_tablehash.py, the hash written out in Python
 * from tablehash.h's description. Then: the number form equals the byte
 * form, a message read at any alignment hashes the same, keys that differ
 * only by trailing zero bytes or by one byte anywhere differ, the keys
 * that all shared one hash under libprep's old multiply-xorshift hash get
 * distinct hashes, and consecutive numbers spread over the slots as a
 * random function would.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tablehash.h"

/* prep_tablehash, key derived from SipHash key 00..0f,
   message 00 01 .. (n-1) (bytes mod 256), n as listed */
static const struct {
	size_t n;
	uint64_t h;
} vec[] = {
    {0, 0x0000000000000000ULL},	  {1, 0xa13c28e5ba2dd16aULL},
    {2, 0xa07b05056c0ea2c1ULL},	  {3, 0x3f094b9d59664ee2ULL},
    {4, 0x2f7afc50fc94a729ULL},	  {5, 0xf7960f8704075dc0ULL},
    {6, 0x99343d6be576273dULL},	  {7, 0x53be00f441d20e9eULL},
    {8, 0x774d12aab67badd0ULL},	  {9, 0x80cf6fd4216011ceULL},
    {10, 0x4ba09d55e5747d22ULL},  {11, 0xeee8f1448f77b9f8ULL},
    {12, 0xceaaa86e4d6e8466ULL},  {13, 0x4a7ea501d320a68cULL},
    {14, 0x3eca725b64e0f716ULL},  {15, 0x69fe165e8eda6f54ULL},
    {16, 0x5cd931cc204e498cULL},  {17, 0x52c2f4a39cf43647ULL},
    {18, 0xcb728ae91086c458ULL},  {19, 0xd132b32556049fefULL},
    {20, 0xf964cc4ddda8ef13ULL},  {21, 0x067b12cfc114e53cULL},
    {22, 0xadfff4f9c0c84894ULL},  {23, 0x16ebaeb6d08af686ULL},
    {24, 0x31a54e9360a2a9bcULL},  {25, 0x26b7d99485b744e7ULL},
    {26, 0xb5f04937bca22a9aULL},  {27, 0x912cad1690b35563ULL},
    {28, 0x352458ca04539853ULL},  {29, 0x65e9e079bf551a93ULL},
    {30, 0x068bb492df91fdd5ULL},  {31, 0xe3a6b2defcb276f3ULL},
    {32, 0xc21e4fb34a0661c4ULL},  {33, 0x8f40c61679b3ce9aULL},
    {34, 0x55658b5a06ef5adfULL},  {35, 0x338839901aa53f08ULL},
    {36, 0x70dbc552816e4805ULL},  {37, 0xdad95fc11f5b07cbULL},
    {38, 0xeceb9c081924932fULL},  {39, 0x9e1e9245b7087397ULL},
    {40, 0x565ee15625755c68ULL},  {41, 0x6fcef80ab64f8ee4ULL},
    {42, 0xe44794ccd2b5a1e1ULL},  {43, 0x56655da3bdfd8159ULL},
    {44, 0x8cb32c104d323e24ULL},  {45, 0x3c1869d0a5caebaeULL},
    {46, 0xc5ffedb2f4a2094dULL},  {47, 0xdfa13eaf0b6370c3ULL},
    {48, 0xce749f06e8cb7645ULL},  {49, 0xb770a50df5b9e94aULL},
    {50, 0xb58009e4705c1d9bULL},  {51, 0x33be4af202acfb9aULL},
    {52, 0xc8967660adc8d9adULL},  {53, 0x72aa942963c87f62ULL},
    {54, 0x20e3c060d4093e16ULL},  {55, 0xc4fd71cd62b756d2ULL},
    {56, 0x3e567a2a0e0c848aULL},  {57, 0x3c739a82c1f3f194ULL},
    {58, 0x20f3875d12dee9c8ULL},  {59, 0xfd1aac3c66fbf475ULL},
    {60, 0x6888892f54798509ULL},  {61, 0xe2a0f9eea53f8e1bULL},
    {62, 0x6ad6dbd2f5565cedULL},  {63, 0x6d4eb7f28306efdcULL},
    {64, 0x5702e8a135e7b864ULL},  {100, 0xd508ad510c61b5d0ULL},
    {511, 0x84c4027ad6789ab0ULL}, {512, 0x5be424ce8e9ed537ULL},
    {513, 0x905154c7517400a2ULL}, {1000, 0xcc8e0f549f6d2fa3ULL},
};
/* prep_tablehash_u64 of these numbers */
static const uint64_t u64_in[] = {
    0x0000000000000000ULL,
    0x0000000000000001ULL,
    0x0123456789abcdefULL,
    0xffffffffffffffffULL,
};
static const uint64_t u64_out[] = {
    0x11a77ac8ce663b55ULL,
    0xd7ec7f6b8a7027d6ULL,
    0xd5724672bd706ea4ULL,
    0xaeba2e03e8571a49ULL,
};

static prep_tablehash_key key;

static void
setup(void)
{
	unsigned char b[16];
	prep_siphash_key sk;

	for (int i = 0; i < 16; i++)
		b[i] = (unsigned char)i;
	sk = prep_siphash_key_from_bytes(b);
	prep_tablehash_key_derive(&sk, &key);
}

TestSuite(tablehash, .init = setup);

Test(tablehash, vectors)
{
	static unsigned char msg[1000];

	for (size_t i = 0; i < sizeof msg; i++)
		msg[i] = (unsigned char)i;
	for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++) {
		uint64_t h = prep_tablehash(&key, msg, vec[i].n);

		cr_assert_eq(h, vec[i].h,
			     "n %zu: %016" PRIx64 ", want %016" PRIx64,
			     vec[i].n, h, vec[i].h);
	}
}

Test(tablehash, u64_vectors_and_bytes)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	unsigned char b[8];

	for (size_t i = 0; i < sizeof u64_in / sizeof u64_in[0]; i++)
		cr_assert_eq(prep_tablehash_u64(&key, u64_in[i]), u64_out[i],
			     "u64 %zu", i);
	for (int i = 0; i < 1000; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		for (int j = 0; j < 8; j++)
			b[j] = (unsigned char)(x >> (8 * j));
		cr_assert_eq(prep_tablehash_u64(&key, x),
			     prep_tablehash(&key, b, 8));
	}
}

/* The same bytes at every offset of a buffer hash the same. */
Test(tablehash, any_alignment)
{
	unsigned char buf[600 + 8];

	for (size_t n = 0; n <= 600; n += (n < 70 ? 1 : 131)) {
		uint64_t h0 = 0;

		for (size_t off = 0; off < 8; off++) {
			uint64_t h;

			for (size_t i = 0; i < n; i++)
				buf[off + i] = (unsigned char)(i * 7 + 3);
			h = prep_tablehash(&key, buf + off, n);
			if (off == 0)
				h0 = h;
			cr_assert_eq(h, h0, "n %zu offset %zu", n, off);
		}
	}
}

/*
 * Keys the blocks could confuse: a key and the same key with zero bytes
 * after it (the length tells them apart), and every key that differs from
 * a 40-byte key in one byte (each byte lies in some block), for lengths
 * 1 to 40.
 */
Test(tablehash, near_keys_differ)
{
	unsigned char a[64] = {0}, b[64];

	for (size_t n = 0; n < 40; n++)
		for (size_t z = 1; n + z <= 40; z++)
			cr_assert_neq(prep_tablehash(&key, a, n),
				      prep_tablehash(&key, a, n + z),
				      "%zu zero bytes and %zu", n, n + z);
	for (size_t n = 1; n <= 40; n++) {
		for (size_t i = 0; i < n; i++)
			a[i] = (unsigned char)(i + 1);
		for (size_t i = 0; i < n; i++) {
			memcpy(b, a, n);
			b[i] ^= 0x5a;
			cr_assert_neq(prep_tablehash(&key, a, n),
				      prep_tablehash(&key, b, n),
				      "length %zu, byte %zu", n, i);
		}
	}
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/*
 * The keys that all had one hash under libprep's old multiply-xorshift
 * function, whatever its seed (test_strset.c and testdata/hash-flood.py
 * explain them: each 8-byte word carries one free bit), 2^16 of them:
 * distinct hashes, under the fixed key and under the process's key.
 */
#define OLD_M1 0xff51afd7ed558ccdULL
#define FLOOD_BITS 16
#define FLOOD_LEN (8 + 8 * (FLOOD_BITS + 1))

static void
flood_key(uint64_t i, const uint64_t w[][2], unsigned char *k)
{
	uint64_t prev = 0, b, x;

	k[0] = 0x80 | ((FLOOD_LEN - 2) & 0x7f);
	k[1] = (FLOOD_LEN - 2) >> 7;
	memcpy(k + 2, "flood-", 6);
	for (size_t j = 0; j <= FLOOD_BITS; j++) {
		b = j < FLOOD_BITS ? (i >> j) & 1 : 0;
		x = w[j][b] ^ (prev << 63);
		for (size_t t = 0; t < 8; t++)
			k[8 + 8 * j + t] = (unsigned char)(x >> (8 * t));
		prev = b;
	}
}

static size_t
equal_neighbours(uint64_t *h, size_t n)
{
	size_t same = 0;

	qsort(h, n, sizeof *h, cmp_u64);
	for (size_t i = 1; i < n; i++)
		same += h[i] == h[i - 1];
	return same;
}

Test(tablehash, old_flood_keys_apart)
{
	uint64_t w[FLOOD_BITS + 1][2], inv = OLD_M1, s = 0x9e3779b97f4a7c15ULL;
	size_t n = (size_t)1 << FLOOD_BITS;
	uint64_t *h = malloc(n * sizeof *h), *g = malloc(n * sizeof *g);
	unsigned char k[FLOOD_LEN];
	const prep_tablehash_key *pk;

	cr_assert(h && g);
	for (int i = 0; i < 6; i++)
		inv *= 2 - OLD_M1 * inv;
	for (size_t j = 0; j <= FLOOD_BITS; j++) {
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		w[j][0] = s;
		w[j][1] = ((s * OLD_M1) ^ ((uint64_t)1 << 32)) * inv;
	}
	cr_assert_eq(prep_tablehash_table_key(&pk), PREP_OK);
	for (size_t i = 0; i < n; i++) {
		flood_key(i, (const uint64_t(*)[2])w, k);
		h[i] = prep_tablehash(&key, k, sizeof k);
		g[i] = prep_tablehash(pk, k, sizeof k);
	}
	/* two equal would happen with probability about 2^-33 (of the NH
	 * sums: at most 2^-32 per pair) */
	cr_assert_eq(equal_neighbours(h, n), 0);
	cr_assert_eq(equal_neighbours(g, n), 0);
	free(h);
	free(g);
}

/*
 * 2^16 consecutive decimal numbers as keys, the low 12 bits of each hash
 * a slot of 4096: 16 keys a slot on average; a random function puts at
 * most about 35 in the fullest slot and leaves a slot empty with chance
 * e^-16 (so none of 4096, nearly always). The key is fixed, so the result
 * is too; a hash whose low bits followed its input's would fill a few
 * slots.
 */
Test(tablehash, slots_spread)
{
	static unsigned count[4096], top[256];
	char buf[32];
	unsigned most = 0, empty = 0, most_top = 0;

	for (unsigned i = 0; i < 65536; i++) {
		int len = snprintf(buf, sizeof buf, "%u", i);
		uint64_t h = prep_tablehash(&key, buf, (size_t)len);

		count[h & 4095]++;
		top[h >> 56]++;
	}
	for (size_t j = 0; j < 4096; j++) {
		most = count[j] > most ? count[j] : most;
		empty += count[j] == 0;
	}
	for (size_t j = 0; j < 256; j++)
		most_top = top[j] > most_top ? top[j] : most_top;
	cr_assert_lt(most, 40, "fullest slot %u", most);
	cr_assert_eq(empty, 0);
	/* the top byte (strset's fingerprints): 256 keys a value on average */
	cr_assert_lt(most_top, 330, "fullest top byte %u", most_top);
}

Test(tablehash, table_key_once_per_process)
{
	const prep_tablehash_key *a = NULL, *b = NULL;

	cr_assert_eq(prep_tablehash_table_key(&a), PREP_OK);
	cr_assert_eq(prep_tablehash_table_key(&b), PREP_OK);
	cr_assert_eq(a, b);
	cr_assert_eq(a->len_mul & 1, 1);
}
