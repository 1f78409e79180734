/*
 * test_digest.c: unit tests of libprep/digest.c.
 *
 * Known answers: FIPS 180-2, appendix B (SHA-256 of "abc", of the 448-bit
 * "abcdbcdecdefdefg..." and of a million "a"), and of the empty string.
 * Then streams of every length that matters to the module (0, 1, the ring
 * buffer's size, the in-line limit and one past it, many buffers) cut
 * into every kind of piece (one piece, single bytes, the buffer's size
 * and one off it, random) through the copying and the no-copy updates
 * and a mix of both, each against OpenSSL's one-shot EVP_Digest of the
 * same bytes. The no-copy updates come from a few scratch buffers that
 * are overwritten right after prep_digest_wait says they are free, so a
 * wait that returned early would change the digest. Also: two digests fed
 * in turn (one thread serves both), a digest used again after final, and
 * one freed with bytes still queued. And all of it again, in short, when
 * no thread can be started: this file's pthread_create (which the
 * library's calls reach before the C library's) then fails as the C
 * library's does when the process has no room for a thread.
 */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "digest.h"

static int refuse_threads; /* pthread_create fails with EAGAIN */
static int threads_refused;

int
pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*f)(void *),
	       void *arg)
{
	int (*real)(pthread_t *, const pthread_attr_t *, void *(*)(void *),
		    void *);

	if (refuse_threads) {
		threads_refused++;
		return EAGAIN;
	}
	*(void **)&real = dlsym(RTLD_NEXT, "pthread_create");
	return real ? real(t, a, f, arg) : EAGAIN;
}

static void
one_shot(const unsigned char *p, size_t n, unsigned char out[32])
{
	unsigned int len = 0;

	cr_assert_eq(EVP_Digest(p, n, out, &len, EVP_sha256(), NULL), 1);
	cr_assert_eq(len, 32);
}

static void
hex_eq(const unsigned char d[32], const char *hex)
{
	char got[65];
	size_t i;

	for (i = 0; i < 32; i++)
		snprintf(got + 2 * i, 3, "%02x", d[i]);
	cr_assert_str_eq(got, hex);
}

static void
digest_of(const void *p, size_t n, unsigned char out[32])
{
	prep_digest *d;

	cr_assert_eq(prep_digest_new(&d), PREP_OK);
	cr_assert_eq(prep_digest_update(d, p, n), PREP_OK);
	cr_assert_eq(prep_digest_final(d, out), PREP_OK);
	prep_digest_free(d);
}

Test(digest, known_answers)
{
	static const char m2[] =
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	unsigned char d[32], *a;

	digest_of("", 0, d);
	hex_eq(d, "e3b0c44298fc1c149afbf4c8996fb924"
		  "27ae41e4649b934ca495991b7852b855");
	digest_of("abc", 3, d);
	hex_eq(d, "ba7816bf8f01cfea414140de5dae2223"
		  "b00361a396177a9cb410ff61f20015ad");
	digest_of(m2, strlen(m2), d);
	hex_eq(d, "248d6a61d20638b8e5c026930c3e6039"
		  "a33ce45964ff2167f6ecedd419db06c1");
	a = malloc(1000000);
	cr_assert_not_null(a);
	memset(a, 'a', 1000000);
	digest_of(a, 1000000, d);
	hex_eq(d, "cdc76e5c9914fb9281a1c7e284d73e67"
		  "f1809a48a497200e046d39ccc7112cd0");
	free(a);
}

/* A negative control: the comparison below sees one changed byte. */
Test(digest, one_byte_changes_it)
{
	size_t n = PREP_DIGEST_INLINE + 3 * PREP_DIGEST_BUF;
	unsigned char *p = calloc(1, n), want[32], got[32];

	cr_assert_not_null(p);
	one_shot(p, n, want);
	p[n - 5] = 1;
	digest_of(p, n, got);
	cr_assert(memcmp(got, want, 32) != 0);
	free(p);
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

enum cut { WHOLE, BYTES, BUF, BUF_LESS, BUF_MORE, RANDOM, NCUTS };
enum how { COPY, REF, MIXED, NHOWS };

static size_t
piece(enum cut c, size_t left)
{
	size_t k = 0;

	switch (c) {
	case WHOLE:
		k = left;
		break;
	case BYTES:
		k = 1;
		break;
	case BUF:
		k = PREP_DIGEST_BUF;
		break;
	case BUF_LESS:
		k = PREP_DIGEST_BUF - 1;
		break;
	case BUF_MORE:
		k = PREP_DIGEST_BUF + 1;
		break;
	default:
		/* mostly small, now and then up to three buffers */
		k = next_random() % 8 == 0
			? (size_t)(next_random() % (3 * PREP_DIGEST_BUF))
			: (size_t)(next_random() % 70000);
		break;
	}
	return k < left ? k : left;
}

#define SCRATCH 3

/*
 * Feed p[0..n) to d in pieces; the no-copy pieces from SCRATCH buffers
 * taken in turn, each overwritten with 0xee as soon as it is free again.
 */
static void
feed(prep_digest *d, const unsigned char *p, size_t n, enum cut c, enum how h)
{
	unsigned char *scratch[SCRATCH] = {NULL};
	size_t cap[SCRATCH] = {0};
	uint64_t ticket[SCRATCH] = {0};
	size_t at = 0;

	while (n > 0) {
		size_t k = piece(c, n);
		int ref = h == REF || (h == MIXED && next_random() % 2);

		if (k == 0)
			k = 1;
		if (!ref) {
			cr_assert_eq(prep_digest_update(d, p, k), PREP_OK);
		} else {
			prep_digest_wait(d, ticket[at]);
			if (cap[at] > 0)
				memset(scratch[at], 0xee, cap[at]);
			if (cap[at] < k) {
				free(scratch[at]);
				scratch[at] = malloc(k);
				cr_assert_not_null(scratch[at]);
				cap[at] = k;
			}
			memcpy(scratch[at], p, k);
			cr_assert_eq(prep_digest_update_ref(d, scratch[at], k,
							    &ticket[at]),
				     PREP_OK);
			at = (at + 1) % SCRATCH;
		}
		p += k;
		n -= k;
	}
	for (at = 0; at < SCRATCH; at++) {
		prep_digest_wait(d, ticket[at]);
		free(scratch[at]);
	}
}

static unsigned char *
random_bytes(size_t n)
{
	unsigned char *p = malloc(n ? n : 1);
	size_t i;

	cr_assert_not_null(p);
	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(next_random() >> 32);
	return p;
}

static void
check_stream(size_t n, enum cut c, enum how h)
{
	unsigned char *p = random_bytes(n), want[32], got[32];
	prep_digest *d;

	one_shot(p, n, want);
	cr_assert_eq(prep_digest_new(&d), PREP_OK);
	feed(d, p, n, c, h);
	cr_assert_eq(prep_digest_final(d, got), PREP_OK);
	cr_assert_arr_eq(got, want, 32, "length %zu, cut %d, how %d", n, (int)c,
			 (int)h);
	prep_digest_free(d);
	free(p);
}

Test(digest, lengths_and_pieces)
{
	const size_t lengths[] = {
	    0,
	    1,
	    63,
	    64,
	    PREP_DIGEST_BUF,
	    PREP_DIGEST_INLINE,
	    PREP_DIGEST_INLINE + 1,
	    PREP_DIGEST_INLINE + PREP_DIGEST_BUF,
	    PREP_DIGEST_INLINE + 11 * PREP_DIGEST_BUF + 7, /* many rings */
	};
	size_t i;
	int c, h;

	for (i = 0; i < sizeof lengths / sizeof lengths[0]; i++)
		for (c = 0; c < NCUTS; c++)
			for (h = 0; h < NHOWS; h++) {
				/* single bytes: the short lengths only */
				if (c == BYTES &&
				    lengths[i] > 4 * PREP_DIGEST_BUF)
					continue;
				check_stream(lengths[i], (enum cut)c,
					     (enum how)h);
			}
}

Test(digest, random_lengths)
{
	int i;

	for (i = 0; i < 40; i++) {
		size_t n = (size_t)(next_random() % (3 * PREP_DIGEST_INLINE));

		check_stream(n, RANDOM, (enum how)(i % NHOWS));
	}
}

/* Two streams in turn share the one thread; neither sees the other's. */
Test(digest, two_digests_in_turn)
{
	size_t n = 2 * PREP_DIGEST_INLINE + 5 * PREP_DIGEST_BUF + 3;
	unsigned char *a = random_bytes(n), *b = random_bytes(n);
	unsigned char wa[32], wb[32], ga[32], gb[32];
	prep_digest *da, *db;
	size_t off = 0;

	one_shot(a, n, wa);
	one_shot(b, n, wb);
	cr_assert_eq(prep_digest_new(&da), PREP_OK);
	cr_assert_eq(prep_digest_new(&db), PREP_OK);
	while (off < n) {
		size_t k = piece(RANDOM, n - off);

		if (k == 0)
			k = 1;
		feed(da, a + off, k, WHOLE, REF);
		feed(db, b + off, k, WHOLE, COPY);
		off += k;
	}
	cr_assert_eq(prep_digest_final(da, ga), PREP_OK);
	cr_assert_eq(prep_digest_final(db, gb), PREP_OK);
	cr_assert_arr_eq(ga, wa, 32);
	cr_assert_arr_eq(gb, wb, 32);
	prep_digest_free(db);
	prep_digest_free(da);
	free(a);
	free(b);
}

/* After final, the digest starts again from the empty stream. */
Test(digest, again_after_final)
{
	size_t n = PREP_DIGEST_INLINE + 2 * PREP_DIGEST_BUF + 1;
	unsigned char *p = random_bytes(n), want[32], got[32];
	prep_digest *d;
	int round;

	one_shot(p, n, want);
	cr_assert_eq(prep_digest_new(&d), PREP_OK);
	for (round = 0; round < 3; round++) {
		feed(d, p, n, RANDOM, MIXED);
		cr_assert_eq(prep_digest_final(d, got), PREP_OK);
		cr_assert_arr_eq(got, want, 32, "round %d", round);
	}
	cr_assert_eq(prep_digest_final(d, got), PREP_OK);
	hex_eq(got, "e3b0c44298fc1c149afbf4c8996fb924"
		    "27ae41e4649b934ca495991b7852b855");
	prep_digest_free(d);
	free(p);
}

/* Freed with bytes still queued: it waits for them (no use after free
 * under ASan or valgrind), and the thread ends with the last digest. */
Test(digest, freed_while_busy)
{
	size_t n = PREP_DIGEST_INLINE + 8 * PREP_DIGEST_BUF;
	unsigned char *p = random_bytes(n), want[32], got[32];
	prep_digest *d;

	cr_assert_eq(prep_digest_new(&d), PREP_OK);
	cr_assert_eq(prep_digest_update(d, p, n), PREP_OK);
	prep_digest_free(d);
	/* and a new one starts the thread again */
	one_shot(p, n, want);
	digest_of(p, n, got);
	cr_assert_arr_eq(got, want, 32);
	free(p);
}

/*
 * A copy goes on from the source's state: the copy's stream is the
 * source's bytes and its own, though it never saw the first; the source
 * is unchanged. Short (in line) and long (threaded) sources alike.
 */
Test(digest, copy_goes_on_from_the_source)
{
	const size_t lengths[] = {0, 100, PREP_DIGEST_INLINE + 1,
				  PREP_DIGEST_INLINE + 7 * PREP_DIGEST_BUF + 5};
	size_t i, tail = PREP_DIGEST_INLINE + 3;

	for (i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
		size_t n = lengths[i];
		unsigned char *p = random_bytes(n + tail);
		unsigned char want_src[32], want_dst[32], got[32];
		prep_digest *src, *dst;

		one_shot(p, n, want_src);
		one_shot(p, n + tail, want_dst);
		cr_assert_eq(prep_digest_new(&src), PREP_OK);
		cr_assert_eq(prep_digest_new(&dst), PREP_OK);
		feed(src, p, n, RANDOM, MIXED);
		cr_assert_eq(prep_digest_copy(dst, src), PREP_OK);
		feed(dst, p + n, tail, RANDOM, MIXED);
		cr_assert_eq(prep_digest_final(dst, got), PREP_OK);
		cr_assert_arr_eq(got, want_dst, 32, "length %zu", n);
		cr_assert_eq(prep_digest_final(src, got), PREP_OK);
		cr_assert_arr_eq(got, want_src, 32, "length %zu", n);
		prep_digest_free(dst);
		prep_digest_free(src);
		free(p);
	}
}

/* Only into an empty stream: a digest that has had bytes refuses. */
Test(digest, copy_into_a_used_digest_refused)
{
	unsigned char want[32], got[32];
	prep_digest *src, *dst;

	one_shot((const unsigned char *)"ab", 2, want);
	cr_assert_eq(prep_digest_new(&src), PREP_OK);
	cr_assert_eq(prep_digest_new(&dst), PREP_OK);
	cr_assert_eq(prep_digest_update(src, "xyz", 3), PREP_OK);
	cr_assert_eq(prep_digest_update(dst, "a", 1), PREP_OK);
	cr_assert_eq(prep_digest_copy(dst, src), PREP_ERR_ARG);
	/* and dst is what it was */
	cr_assert_eq(prep_digest_update(dst, "b", 1), PREP_OK);
	cr_assert_eq(prep_digest_final(dst, got), PREP_OK);
	cr_assert_arr_eq(got, want, 32);
	prep_digest_free(dst);
	prep_digest_free(src);
}

/*
 * Without a thread (pthread_create fails) every byte is hashed in line:
 * the same digests, copies included; and the thread was asked for.
 */
Test(digest, no_thread_hashes_in_line)
{
	const size_t n = PREP_DIGEST_INLINE + 5 * PREP_DIGEST_BUF + 3;
	unsigned char *p = random_bytes(n), want[32], got[32];
	prep_digest *d, *e;
	int h;

	refuse_threads = 1;
	for (h = 0; h < NHOWS; h++)
		check_stream(n, RANDOM, (enum how)h);
	cr_assert_gt(threads_refused, 0);
	one_shot(p, n, want);
	cr_assert_eq(prep_digest_new(&d), PREP_OK);
	cr_assert_eq(prep_digest_new(&e), PREP_OK);
	feed(d, p, n - 100, RANDOM, MIXED);
	cr_assert_eq(prep_digest_copy(e, d), PREP_OK);
	feed(e, p + n - 100, 100, WHOLE, COPY);
	cr_assert_eq(prep_digest_final(e, got), PREP_OK);
	cr_assert_arr_eq(got, want, 32);
	prep_digest_free(e);
	prep_digest_free(d);
	free(p);
}
