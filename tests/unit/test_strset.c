/*
 * test_strset.c: unit tests of libprep/strset.c, the set of byte strings
 * with dense ids behind every table keyed by data (classes, weights,
 * aggregate groups, schema unique keys, header names).
 *
 * From the contract (strset.h): ids 0..n-1 in order of insertion, keys
 * compared byte for byte (the empty key, embedded NULs, prefixes), a key
 * found again after the slots have grown many times, keys of a megabyte,
 * the cap and what a refusal leaves, free, and the tuple encoding written
 * and read back. Then the keys that all shared one hash under the old
 * multiply-xorshift function (testdata/hash-flood.py explains the
 * construction, rebuilt here in C): they are all kept apart and found,
 * and SipHash under the table key gives them distinct hashes. Then, with
 * test hashes (prep_strset_test_hash) that give every key one
 * fingerprint, or one whole hash, every find is checked against a
 * brute-force list: shared fingerprints only cost byte comparisons, a run
 * of slots under PREP_STRSET_PROBE_MAX keeps the fast hash, a longer one
 * turns the set to SipHash with every id kept (random keys never do);
 * and the values kept beside the keys.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "siphash.h"
#include "strset.h"

static prep_strset set;

static void
setup(void)
{
	prep_strset_init(&set, 0);
}

static void
teardown(void)
{
	prep_strset_free(&set);
}

TestSuite(strset, .init = setup, .fini = teardown);

/* Add key[0..len): its id, and whether it was new. */
static size_t
add(const void *key, size_t len, int *added)
{
	size_t id = (size_t)-1;
	prep_status st = prep_strset_lookup(&set, key, len, 1, &id, added);

	cr_assert_eq(st, PREP_OK, "add: %s", prep_strerror(st));
	return id;
}

static prep_status
find(const void *key, size_t len, size_t *id)
{
	return prep_strset_lookup(&set, key, len, 0, id, NULL);
}

Test(strset, empty_set_finds_nothing)
{
	size_t id = 7;

	cr_assert_eq(find("a", 1, &id), PREP_ERR_NOT_FOUND);
	cr_assert_eq(find("", 0, &id), PREP_ERR_NOT_FOUND);
	cr_assert_eq(set.n, 0);
}

Test(strset, ids_dense_in_order)
{
	int added = -1;

	cr_assert_eq(add("b", 1, &added), 0);
	cr_assert_eq(added, 1);
	cr_assert_eq(add("a", 1, &added), 1);
	cr_assert_eq(added, 1);
	cr_assert_eq(add("b", 1, &added), 0);
	cr_assert_eq(added, 0);
	cr_assert_eq(add("c", 1, NULL), 2);
	cr_assert_eq(set.n, 3);
}

/* "", "\0", "\0\0", "a", "a\0", "ab": six keys, none equal to another. */
Test(strset, bytes_not_strings)
{
	static const struct {
		const char *k;
		size_t len;
	} keys[] = {{"", 0},  {"\0", 1},  {"\0\0", 2},
		    {"a", 1}, {"a\0", 2}, {"ab", 2}};
	size_t i, id;
	prep_field f;

	for (i = 0; i < 6; i++)
		cr_assert_eq(add(keys[i].k, keys[i].len, NULL), i);
	for (i = 0; i < 6; i++) {
		cr_assert_eq(find(keys[i].k, keys[i].len, &id), PREP_OK);
		cr_assert_eq(id, i);
		f = prep_strset_key(&set, i);
		cr_assert_eq(f.len, keys[i].len);
		cr_assert(f.len == 0 || memcmp(f.data, keys[i].k, f.len) == 0);
	}
	cr_assert_eq(find("b", 1, &id), PREP_ERR_NOT_FOUND);
}

/* 200,000 keys: the slots grow from 16 to 2^19; every key keeps its id. */
Test(strset, many_keys_survive_growth)
{
	char k[32];
	size_t i, id, n = 200000;
	int len;
	prep_field f;

	for (i = 0; i < n; i++) {
		len = snprintf(k, sizeof k, "key-%zu", i);
		cr_assert_eq(add(k, (size_t)len, NULL), i);
	}
	cr_assert_eq(set.n, n);
	for (i = 0; i < n; i++) {
		len = snprintf(k, sizeof k, "key-%zu", i);
		cr_assert_eq(find(k, (size_t)len, &id), PREP_OK, "%s", k);
		cr_assert_eq(id, i);
		f = prep_strset_key(&set, i);
		cr_assert_eq(f.len, (size_t)len);
		cr_assert_eq(memcmp(f.data, k, f.len), 0);
	}
	cr_assert_eq(find("key-200000", 10, &id), PREP_ERR_NOT_FOUND);
}

Test(strset, cap)
{
	size_t id;

	prep_strset_free(&set);
	prep_strset_init(&set, 2);
	cr_assert_eq(add("x", 1, NULL), 0);
	cr_assert_eq(add("y", 1, NULL), 1);
	cr_assert_eq(prep_strset_lookup(&set, "z", 1, 1, &id, NULL),
		     PREP_ERR_LIMIT);
	cr_assert_eq(add("x", 1, NULL), 0, "a known key past the cap");
	cr_assert_eq(set.n, 2);
}

/* A set freed and made again works as a new one. */
Test(strset, reuse_after_free)
{
	size_t id;

	cr_assert_eq(add("x", 1, NULL), 0);
	prep_strset_free(&set);
	prep_strset_init(&set, 0);
	cr_assert_eq(find("x", 1, &id), PREP_ERR_NOT_FOUND);
	cr_assert_eq(add("y", 1, NULL), 0);
}

/* ("ab","c") and ("a","bc") differ; a field of 200 bytes has a 2-byte
 * length. */
Test(strset, tuple_encoding)
{
	unsigned char a[32], b[32], *e;
	const unsigned char *p;
	prep_field ab = {"ab", 2}, c = {"c", 1}, x = {"a", 1}, bc = {"bc", 2};
	prep_field f, longf;
	char big[200];
	unsigned char out[200 + PREP_TUPLE_OVERHEAD];
	size_t na, nb;

	e = prep_tuple_put(prep_tuple_put(a, &ab), &c);
	na = (size_t)(e - a);
	e = prep_tuple_put(prep_tuple_put(b, &x), &bc);
	nb = (size_t)(e - b);
	cr_assert_eq(na, 5);
	cr_assert_eq(nb, 5);
	cr_assert_neq(memcmp(a, b, 5), 0);
	p = a;
	f = prep_tuple_next(&p);
	cr_assert(f.len == 2 && memcmp(f.data, "ab", 2) == 0);
	f = prep_tuple_next(&p);
	cr_assert(f.len == 1 && memcmp(f.data, "c", 1) == 0);
	cr_assert_eq(p, a + 5);

	memset(big, 'z', sizeof big);
	longf.data = big;
	longf.len = sizeof big;
	e = prep_tuple_put(out, &longf);
	cr_assert_eq(e - out, 202);
	cr_assert_eq(out[0], 0x80 | (200 & 0x7f));
	cr_assert_eq(out[1], 200 >> 7);
}

/*
 * The old table hash: h = seed ^ len * C0; per 8-byte word x, h ^= x * M1,
 * h = rotl(h, 31) * M2. A word whose product differs in bit 32 moves the
 * state's difference to bit 63, where * M2 keeps it, and a next word
 * flipped in bit 63 cancels it: so each word carries one free bit and 2^16
 * keys of 17 words had one hash for every seed. Here: the key 2 + 6 + 17 *
 * 8 bytes as the tables hash a one-field tuple.
 */
#define OLD_M1 0xff51afd7ed558ccdULL
#define FLOOD_BITS 16
#define FLOOD_LEN (8 + 8 * (FLOOD_BITS + 1))

static uint64_t
inverse_mod_2_64(uint64_t a)
{
	uint64_t x = a; /* Newton: each step doubles the correct low bits */
	int i;

	for (i = 0; i < 6; i++)
		x *= 2 - a * x;
	return x;
}

/* Eight bytes as a little-endian number (the old code's memcpy on x86). */
static uint64_t
le64(const unsigned char *p, size_t n)
{
	uint64_t x = 0;

	while (n--)
		x = x << 8 | p[n];
	return x;
}

/* The old function itself, to show that the keys below did collide. */
static uint64_t
old_hash(uint64_t seed, const unsigned char *p, size_t n)
{
	uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ULL), x;

	for (; n >= 8; n -= 8, p += 8) {
		h ^= le64(p, 8) * OLD_M1;
		h = (h << 31 | h >> 33) * 0xc4ceb9fe1a85ec53ULL;
	}
	x = le64(p, n);
	h ^= x * OLD_M1;
	h ^= h >> 33;
	h *= OLD_M1;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static void
flood_key(uint64_t i, const uint64_t w[][2], unsigned char *k)
{
	uint64_t prev = 0, b, x;
	size_t j, t;

	k[0] = 0x80 | ((FLOOD_LEN - 2) & 0x7f);
	k[1] = (FLOOD_LEN - 2) >> 7;
	memcpy(k + 2, "flood-", 6);
	for (j = 0; j <= FLOOD_BITS; j++) {
		b = j < FLOOD_BITS ? (i >> j) & 1 : 0;
		x = w[j][b] ^ (prev << 63);
		for (t = 0; t < 8; t++)
			k[8 + 8 * j + t] = (unsigned char)(x >> (8 * t));
		prev = b;
	}
}

Test(strset, old_hash_collisions_kept_apart)
{
	uint64_t w[FLOOD_BITS + 1][2], inv = inverse_mod_2_64(OLD_M1);
	uint64_t i, n = (uint64_t)1 << FLOOD_BITS, s = 0x9e3779b97f4a7c15ULL;
	uint64_t *h;
	unsigned char k[FLOOD_LEN];
	prep_siphash_key key;
	size_t j, id, same = 0;

	cr_assert_eq(inv * OLD_M1, 1);
	for (j = 0; j <= FLOOD_BITS; j++) {
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		w[j][0] = s;
		w[j][1] = ((s * OLD_M1) ^ ((uint64_t)1 << 32)) * inv;
	}
	/* under the old function, every key had the first key's hash,
	 * whatever the seed */
	for (j = 0; j < 3; j++) {
		uint64_t seed = 0x243f6a8885a308d3ULL * (j + 1), h0;

		flood_key(0, (const uint64_t(*)[2])w, k);
		h0 = old_hash(seed, k, sizeof k);
		for (i = 1; i < n; i += 4099) {
			flood_key(i, (const uint64_t(*)[2])w, k);
			cr_assert_eq(old_hash(seed, k, sizeof k), h0);
		}
	}
	for (i = 0; i < n; i++) {
		flood_key(i, (const uint64_t(*)[2])w, k);
		cr_assert_eq(add(k, sizeof k, NULL), i);
	}
	for (i = 0; i < n; i++) {
		flood_key(i, (const uint64_t(*)[2])w, k);
		cr_assert_eq(find(k, sizeof k, &id), PREP_OK);
		cr_assert_eq(id, i);
	}
	/* SipHash under the table key: 2^16 distinct 64-bit hashes (two
	 * equal would happen with probability about 2^-33) */
	cr_assert_eq(prep_siphash_table_key(&key), PREP_OK);
	h = malloc(n * sizeof *h);
	cr_assert_not_null(h);
	for (i = 0; i < n; i++) {
		flood_key(i, (const uint64_t(*)[2])w, k);
		h[i] = prep_siphash13(&key, k, sizeof k);
	}
	qsort(h, n, sizeof *h, cmp_u64);
	for (i = 1; i < n; i++)
		same += h[i] == h[i - 1];
	free(h);
	cr_assert_eq(same, 0);
}

/* ---- the rest of the API ---- */

/* Fields of 0, 1, 127, 128, 16383, 16384 and 100,000 bytes: a length of
 * one, two or three bytes, read back as written, one after another. */
Test(strset, tuple_round_trip)
{
	static const size_t lens[] = {0, 1, 127, 128, 16383, 16384, 100000};
	static const size_t head[] = {1, 1, 1, 2, 2, 3, 3};
	static char data[100000];
	static unsigned char out[7 * (100000 + PREP_TUPLE_OVERHEAD)];
	unsigned char *e = out;
	const unsigned char *p = out;
	size_t i, total = 0;
	prep_field f;

	for (i = 0; i < sizeof data; i++)
		data[i] = (char)(i % 251);
	for (i = 0; i < 7; i++) {
		unsigned char *start = e;

		f.data = data;
		f.len = lens[i];
		e = prep_tuple_put(e, &f);
		cr_assert_eq((size_t)(e - start), head[i] + lens[i],
			     "field of %zu bytes", lens[i]);
		total += head[i] + lens[i];
	}
	/* 100,000 = 0x186a0: 0xa0, 0x8d, 0x06 (7 bits a byte, low first) */
	cr_assert_eq(e[-100000 - 3], 0xa0);
	cr_assert_eq(e[-100000 - 2], 0x8d);
	cr_assert_eq(e[-100000 - 1], 0x06);
	for (i = 0; i < 7; i++) {
		f = prep_tuple_next(&p);
		cr_assert_eq(f.len, lens[i]);
		cr_assert(f.len == 0 || memcmp(f.data, data, f.len) == 0);
	}
	cr_assert_eq((size_t)(p - out), total);
}

/* A key of every length from 0 to 40, each a prefix of the next: 41
 * keys, found with their own ids across the 8-byte words. */
Test(strset, prefixes_apart)
{
	static const char text[] = "0123456789abcdefghijklmnopqrstuvwxyzABCD";
	size_t n, id;

	for (n = 0; n <= 40; n++)
		cr_assert_eq(add(text, n, NULL), n);
	for (n = 0; n <= 40; n++) {
		cr_assert_eq(find(text, n, &id), PREP_OK);
		cr_assert_eq(id, n);
		cr_assert_eq(prep_strset_key(&set, n).len, n);
	}
}

/* Keys of about 1 MiB, "a...ax", "a...a" and "a...a" one byte shorter:
 * the arena grows for each, and keeps them apart. */
Test(strset, long_keys)
{
	static char k[(1 << 20) + 1];
	const size_t n = sizeof k;
	size_t i, id;
	prep_field f;

	memset(k, 'a', n);
	k[n - 1] = 'x';
	for (i = 0; i < 3; i++)
		cr_assert_eq(add(k, n - i, NULL), i);
	cr_assert_eq(find(k, n - 3, &id), PREP_ERR_NOT_FOUND);
	k[0] = 'b';
	cr_assert_eq(find(k, n - 1, &id), PREP_ERR_NOT_FOUND);
	k[0] = 'a';
	for (i = 0; i < 3; i++) {
		cr_assert_eq(find(k, n - i, &id), PREP_OK);
		cr_assert_eq(id, i);
		f = prep_strset_key(&set, i);
		cr_assert_eq(f.len, n - i);
		cr_assert_eq(memcmp(f.data, k, f.len), 0);
	}
}

/* At the cap, a lookup without add is a plain miss; with add it is
 * PREP_ERR_LIMIT; neither writes *id, both say "not added", and the key
 * is not kept. */
Test(strset, cap_refusal_changes_nothing)
{
	size_t id = 77;
	int added = 5;

	prep_strset_free(&set);
	prep_strset_init(&set, 1);
	cr_assert_eq(add("x", 1, NULL), 0);
	cr_assert_eq(prep_strset_lookup(&set, "y", 1, 0, &id, &added),
		     PREP_ERR_NOT_FOUND);
	cr_assert_eq(added, 0);
	added = 5;
	cr_assert_eq(prep_strset_lookup(&set, "y", 1, 1, &id, &added),
		     PREP_ERR_LIMIT);
	cr_assert_eq(id, 77);
	cr_assert_eq(added, 0);
	cr_assert_eq(set.n, 1);
	cr_assert_eq(find("y", 1, &id), PREP_ERR_NOT_FOUND);
}

/* A set freed before any lookup, and a set freed twice, is a new set
 * once made again. */
Test(strset, free_unused_and_twice)
{
	prep_strset s;
	size_t id = 9;

	prep_strset_init(&s, 0);
	prep_strset_free(&s);
	prep_strset_free(&s);
	cr_assert_eq(s.n, 0);
	prep_strset_init(&s, 0);
	cr_assert_eq(prep_strset_lookup(&s, "k", 1, 1, &id, NULL), PREP_OK);
	cr_assert_eq(id, 0);
	prep_strset_free(&s);
}

/* ---- fingerprints, the bound on probes, values ---- */

/* A mix of the key's bytes for the test hashes below (FNV-1a, then a
 * multiply-xorshift so that its low bits spread). */
static uint64_t
mix(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	return h ^ h >> 32;
}

/* Every key the same fingerprint (the top 24 bits), slots spread. */
static uint64_t
one_fingerprint(const void *key, size_t len)
{
	return 0xabcdefULL << 40 | (mix(key, len) & ((1ULL << 40) - 1));
}

/* Every key the same whole hash. */
static uint64_t
one_hash(const void *key, size_t len)
{
	(void)key;
	(void)len;
	return 0x123456789abcdefULL;
}

/*
 * Key i of the brute-force list: "fp" and i in decimal, padded to one of
 * five lengths, so that many keys share a length as well as a
 * fingerprint and only their bytes tell them apart.
 */
static size_t
nth_key(char *k, size_t i)
{
	return (size_t)snprintf(k, 40, "fp%0*zu", (int)(6 + i % 5 * 7), i);
}

/*
 * Add keys 0..n-1, then check every find against the list (id, bytes),
 * n keys that are not there (same lengths, other bytes), and the ids
 * of a second pass of adds.
 */
static void
check_against_list(size_t n)
{
	char k[48];
	size_t i, id, len;
	prep_field f;

	for (i = 0; i < n; i++) {
		len = nth_key(k, i);
		cr_assert_eq(add(k, len, NULL), i, "key %zu", i);
	}
	cr_assert_eq(set.n, n);
	for (i = 0; i < n; i++) {
		len = nth_key(k, i);
		cr_assert_eq(find(k, len, &id), PREP_OK, "key %zu", i);
		cr_assert_eq(id, i, "key %zu: id %zu", i, id);
		f = prep_strset_key(&set, i);
		cr_assert_eq(f.len, len);
		cr_assert_eq(memcmp(f.data, k, len), 0);
		k[1] = 'q'; /* "fq...": not in the list */
		cr_assert_eq(find(k, len, &id), PREP_ERR_NOT_FOUND, "%zu", i);
	}
	for (i = 0; i < n; i += 7) {
		int added = 9;

		len = nth_key(k, i);
		cr_assert_eq(add(k, len, &added), i);
		cr_assert_eq(added, 0);
	}
}

/*
 * 30,000 keys that all share one fingerprint: each probe past another
 * key compares bytes in vain, and every answer still matches the list.
 * Their slots are spread, so no probe runs long and the set keeps the
 * fast hash.
 */
Test(strset, shared_fingerprints_against_list)
{
	prep_strset_free(&set);
	prep_strset_test_hash(one_fingerprint);
	prep_strset_init(&set, 0);
	prep_strset_test_hash(NULL);
	check_against_list(30000);
	cr_assert_eq(set.strong, 0);
}

/*
 * 1,000 keys with one whole hash: one run of 1,000 slots, which a probe
 * may walk to its end (under PREP_STRSET_PROBE_MAX): still the fast hash,
 * every answer right.
 */
Test(strset, one_hash_under_the_bound)
{
	prep_strset_free(&set);
	prep_strset_test_hash(one_hash);
	prep_strset_init(&set, 0);
	prep_strset_test_hash(NULL);
	check_against_list(1000);
	cr_assert_lt(1000, PREP_STRSET_PROBE_MAX);
	cr_assert_eq(set.strong, 0);
}

/*
 * 5,000 keys with one whole hash: the probe of key 1,025 walks past
 * PREP_STRSET_PROBE_MAX slots, and the set turns to SipHash (keys spread
 * again); the ids made before and after agree with the list.
 */
Test(strset, one_hash_past_the_bound_turns_strong)
{
	char k[48];
	size_t i, len;

	prep_strset_free(&set);
	prep_strset_test_hash(one_hash);
	prep_strset_init(&set, 0);
	prep_strset_test_hash(NULL);
	for (i = 0; i < PREP_STRSET_PROBE_MAX; i++) {
		len = nth_key(k, i);
		cr_assert_eq(add(k, len, NULL), i);
	}
	cr_assert_eq(set.strong, 0);
	prep_strset_free(&set);
	prep_strset_test_hash(one_hash);
	prep_strset_init(&set, 0);
	prep_strset_test_hash(NULL);
	check_against_list(5000);
	cr_assert_eq(set.strong, 1);
}

/* Every key's slot one of 4,096 (its fingerprint spread): runs pass the
 * bound as soon as there are a few thousand keys. */
static uint64_t
few_slots(const void *key, size_t len)
{
	uint64_t h = mix(key, len);

	return (h & ~((1ULL << 40) - 1)) | (h & 4095);
}

/*
 * Past 65,536 keys the slots are filled in the order of their slots when
 * they grow (fill_sorted): 100,000 keys sharing one fingerprint, and
 * 70,000 whose slots crowd into 4,096 (the set turns to SipHash early,
 * then grows under it), every answer as in the list.
 */
Test(strset, sorted_fill_against_list)
{
	prep_strset_free(&set);
	prep_strset_test_hash(one_fingerprint);
	prep_strset_init(&set, 0);
	prep_strset_test_hash(NULL);
	check_against_list(100000);
	cr_assert_eq(set.strong, 0);
	prep_strset_free(&set);
	prep_strset_test_hash(few_slots);
	prep_strset_init(&set, 0);
	prep_strset_test_hash(NULL);
	check_against_list(70000);
	cr_assert_eq(set.strong, 1);
}

/* Random keys never come near the bound (the negative control of the
 * two tests above). */
Test(strset, random_keys_keep_the_fast_hash)
{
	check_against_list(100000);
	cr_assert_eq(set.strong, 0);
}

/*
 * Values: 12 bytes asked, 16 kept, zeroed when the key is added, the
 * same through find, insert and prep_strset_value, moved with the arena
 * as it grows; a set without values has none.
 */
Test(strset, values_beside_keys)
{
	char k[48];
	size_t i, id, len, n = 50000;
	void *v;
	uint64_t x[2];
	prep_strset_pos pos;

	prep_strset_free(&set);
	prep_strset_init_values(&set, 0, 12);
	cr_assert_eq(set.value_size, 16);
	for (i = 0; i < n; i++) {
		len = nth_key(k, i);
		v = NULL;
		cr_assert_eq(prep_strset_find(&set, k, len, &id, &v, &pos),
			     PREP_ERR_NOT_FOUND);
		cr_assert_null(v);
		cr_assert_eq(prep_strset_insert(&set, k, len, &pos, &id, &v),
			     PREP_OK);
		cr_assert_eq(id, i);
		memcpy(x, v, sizeof x);
		cr_assert(x[0] == 0 && x[1] == 0, "value %zu not zeroed", i);
		x[0] = i * 3 + 1;
		x[1] = ~(uint64_t)i;
		memcpy(v, x, sizeof x);
	}
	for (i = 0; i < n; i++) {
		len = nth_key(k, i);
		cr_assert_eq(prep_strset_find(&set, k, len, &id, &v, NULL),
			     PREP_OK);
		cr_assert_eq(id, i);
		cr_assert_eq(v, prep_strset_value(&set, i));
		memcpy(x, v, sizeof x);
		cr_assert_eq(x[0], i * 3 + 1);
		cr_assert_eq(x[1], ~(uint64_t)i);
		cr_assert_eq(prep_strset_key(&set, i).len, len);
	}
	cr_assert_null(prep_strset_value(&set, n));
	prep_strset_free(&set);
	prep_strset_init(&set, 0);
	cr_assert_eq(add("a", 1, NULL), 0);
	cr_assert_null(prep_strset_value(&set, 0));
}

/* key_bytes adds up the keys' lengths, once each. */
Test(strset, key_bytes)
{
	cr_assert_eq(add("abc", 3, NULL), 0);
	cr_assert_eq(add("", 0, NULL), 1);
	cr_assert_eq(add("abc", 3, NULL), 0);
	cr_assert_eq(add("de", 2, NULL), 2);
	cr_assert_eq(set.key_bytes, 5);
}

/* One whole hash for every key. */
static uint64_t
one_hash_too(const void *key, size_t len)
{
	(void)key;
	(void)len;
	return 0x2545f4914f6cdd1dULL;
}

/*
 * For each length 1 to 300 (across the word and double-word steps of the
 * comparison and past its 256-byte hand-over to memcmp), a set of a key
 * and every key that differs from it in one byte: they share one hash,
 * so each is compared with all the others (a run under
 * PREP_STRSET_PROBE_MAX), and each keeps its own id.
 */
Test(strset, one_byte_apart)
{
	static unsigned char k[300];
	size_t len, j, id, n;

	for (len = 1; len <= 300; len++) {
		prep_strset_free(&set);
		prep_strset_test_hash(one_hash_too);
		prep_strset_init(&set, 0);
		prep_strset_test_hash(NULL);
		for (j = 0; j < len; j++)
			k[j] = (unsigned char)(j * 31 + len);
		n = 0;
		cr_assert_eq(add(k, len, NULL), n++);
		for (j = 0; j < len; j++) {
			k[j] ^= 0x40;
			cr_assert_eq(add(k, len, NULL), n++, "len %zu byte %zu",
				     len, j);
			k[j] ^= 0x40;
		}
		cr_assert_eq(find(k, len, &id), PREP_OK);
		cr_assert_eq(id, 0);
		for (j = 0, n = 1; j < len; j++) {
			k[j] ^= 0x40;
			cr_assert_eq(find(k, len, &id), PREP_OK);
			cr_assert_eq(id, n++);
			k[j] ^= 0x04; /* two bits apart: in no key */
			cr_assert_eq(find(k, len, &id), PREP_ERR_NOT_FOUND);
			k[j] ^= 0x44;
		}
		cr_assert_eq(set.strong, 0);
	}
}

/*
 * prep_tuple_put of a field of every length 0 to 300, read from a buffer
 * of exactly its length (AddressSanitizer sees a read past it): the
 * varint length written out by hand here, then the bytes, and not one
 * byte written past them.
 */
Test(strset, tuple_put_every_length)
{
	unsigned char out[300 + PREP_TUPLE_OVERHEAD + 16], want[320];

	for (size_t len = 0; len <= 300; len++) {
		char *src = malloc(len ? len : 1);
		prep_field f;
		size_t n = 0, v = len;
		unsigned char *e;

		cr_assert_not_null(src);
		for (size_t i = 0; i < len; i++)
			src[i] = (char)(i * 7 + len);
		do {
			want[n++] =
			    (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
			v >>= 7;
		} while (v);
		memcpy(want + n, src, len);
		n += len;
		memset(out, 0xee, sizeof out);
		f.data = src;
		f.len = len;
		e = prep_tuple_put(out, &f);
		cr_assert_eq((size_t)(e - out), n, "length %zu", len);
		cr_assert_eq(memcmp(out, want, n), 0, "length %zu", len);
		for (size_t i = n; i < sizeof out; i++)
			cr_assert_eq(out[i], 0xee, "length %zu: byte %zu", len,
				     i);
		free(src);
	}
}
