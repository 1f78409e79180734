/*
 * test_buf.c: unit tests of libprep/buf.c, the capped growable buffer.
 *
 * From the contract (buf.h): bytes kept exactly (NULs included) and
 * always NUL-terminated, the cap reached exactly and never passed, a
 * refused append (past the cap: PREP_ERR_LIMIT; past the memory budget:
 * PREP_ERR_MEMORY) leaving the buffer as it was, reset and free.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "memcap.h"

static prep_buf b;

static void
setup(void)
{
	prep_buf_init(&b, 0);
}

static void
teardown(void)
{
	prep_buf_free(&b);
	prep_memcap_set(PREP_MEMCAP_DEFAULT);
}

TestSuite(buf, .init = setup, .fini = teardown);

/* b holds exactly want[0..n), followed by a NUL. */
static void
holds(const void *want, size_t n)
{
	cr_assert_eq(b.len, n, "length %zu, want %zu", b.len, n);
	cr_assert_not_null(b.data);
	cr_assert(memcmp(b.data, want, n) == 0, "bytes differ");
	cr_assert_eq(b.data[n], '\0', "no NUL after the bytes");
	cr_assert_gt(b.cap, n, "capacity %zu for %zu bytes", b.cap, n);
}

Test(buf, init)
{
	prep_buf c;

	cr_assert_null(b.data);
	cr_assert_eq(b.len, 0);
	cr_assert_eq(b.cap, 0);
	cr_assert_eq(b.max, PREP_BUF_DEFAULT_MAX);
	cr_assert_eq(PREP_BUF_DEFAULT_MAX, (size_t)256 * 1024 * 1024);
	prep_buf_init(&c, 10);
	cr_assert_eq(c.max, 10);
	prep_buf_free(&c);
}

Test(buf, append_kinds)
{
	cr_assert_eq(prep_buf_append(&b, "ab", 2), PREP_OK);
	holds("ab", 2);
	cr_assert_eq(prep_buf_append_byte(&b, 'c'), PREP_OK);
	holds("abc", 3);
	cr_assert_eq(prep_buf_append_byte(&b, '\0'), PREP_OK);
	holds("abc\0", 4);
	cr_assert_eq(prep_buf_append(&b, "x\0y", 3), PREP_OK);
	holds("abc\0x\0y", 7);
	cr_assert_eq(prep_buf_append_str(&b, "-z"), PREP_OK);
	holds("abc\0x\0y-z", 9);
	cr_assert_eq(prep_buf_append_str(&b, ""), PREP_OK);
	holds("abc\0x\0y-z", 9);
	cr_assert_eq(prep_buf_append(&b, NULL, 0), PREP_OK);
	holds("abc\0x\0y-z", 9);
}

/* Appending nothing to an empty buffer still gives a string: "". */
Test(buf, empty_append_terminates)
{
	cr_assert_eq(prep_buf_append(&b, NULL, 0), PREP_OK);
	holds("", 0);
}

/* 100,000 bytes one at a time, then in odd-sized pieces: every byte kept
 * through the growth. */
Test(buf, growth_keeps_bytes)
{
	static char want[100000 + 3 * 12345];
	size_t i, n = 0;

	for (i = 0; i < 100000; i++) {
		want[n++] = (char)(i * 7 + 3);
		cr_assert_eq(prep_buf_append_byte(&b, (char)(i * 7 + 3)),
			     PREP_OK);
	}
	for (i = 0; i < 3; i++) {
		memset(want + n, 'a' + (int)i, 12345);
		cr_assert_eq(prep_buf_append(&b, want + n, 12345), PREP_OK);
		n += 12345;
	}
	holds(want, n);
}

Test(buf, reserve)
{
	cr_assert_eq(prep_buf_reserve(&b, 0), PREP_OK);
	cr_assert_geq(b.cap, 1);
	cr_assert_eq(prep_buf_reserve(&b, 1000), PREP_OK);
	cr_assert_eq(b.len, 0, "reserve does not append");
	cr_assert_geq(b.cap, 1001);
	cr_assert_eq(prep_buf_append(&b, "abc", 3), PREP_OK);
	cr_assert_eq(prep_buf_reserve(&b, 998), PREP_OK);
	cr_assert_geq(b.cap, 1002);
	holds("abc", 3);
}

/* A cap of 10: ten bytes fit, the eleventh is refused, in any piece, and
 * a refused append changes nothing. */
Test(buf, cap_exact)
{
	prep_buf c;

	prep_buf_init(&c, 10);
	cr_assert_eq(prep_buf_append(&c, "0123456", 7), PREP_OK);
	cr_assert_eq(prep_buf_append(&c, "789x", 4), PREP_ERR_LIMIT);
	cr_assert_eq(c.len, 7);
	cr_assert_str_eq(c.data, "0123456");
	cr_assert_eq(prep_buf_append(&c, "789", 3), PREP_OK);
	cr_assert_eq(c.len, 10);
	cr_assert_str_eq(c.data, "0123456789");
	cr_assert_eq(prep_buf_append_byte(&c, 'x'), PREP_ERR_LIMIT);
	cr_assert_eq(prep_buf_append_str(&c, "x"), PREP_ERR_LIMIT);
	cr_assert_eq(prep_buf_reserve(&c, 1), PREP_ERR_LIMIT);
	cr_assert_eq(prep_buf_reserve(&c, 0), PREP_OK);
	cr_assert_eq(prep_buf_append(&c, "", 0), PREP_OK);
	cr_assert_str_eq(c.data, "0123456789");
	cr_assert_leq(c.cap, 11, "capacity %zu past the cap and its NUL",
		      c.cap);
	prep_buf_free(&c);
}

/* Sizes near SIZE_MAX are refused, not wrapped around. */
Test(buf, huge_sizes)
{
	cr_assert_eq(prep_buf_append(&b, "abc", 3), PREP_OK);
	cr_assert_eq(prep_buf_reserve(&b, SIZE_MAX), PREP_ERR_LIMIT);
	cr_assert_eq(prep_buf_reserve(&b, SIZE_MAX - 2), PREP_ERR_LIMIT);
	cr_assert_eq(prep_buf_reserve(&b, PREP_BUF_DEFAULT_MAX - 2),
		     PREP_ERR_LIMIT);
	cr_assert_eq(prep_buf_append(&b, "x", SIZE_MAX), PREP_ERR_LIMIT);
	holds("abc", 3);
}

/* Past the memory budget: PREP_ERR_MEMORY, the buffer as it was. */
Test(buf, memory_budget)
{
	size_t base = prep_memcap_used();
	static char big[4000];

	cr_assert_eq(prep_buf_append(&b, "abc", 3), PREP_OK);
	prep_memcap_set(prep_memcap_used() + 1000);
	memset(big, 'q', sizeof big);
	cr_assert_eq(prep_buf_append(&b, big, sizeof big), PREP_ERR_MEMORY);
	holds("abc", 3);
	prep_buf_free(&b);
	cr_assert_eq(prep_memcap_used(), base, "the bytes given back");
}

Test(buf, reset)
{
	size_t cap;

	prep_buf_reset(&b); /* nothing allocated yet */
	cr_assert_null(b.data);
	cr_assert_eq(b.len, 0);
	cr_assert_eq(prep_buf_append_str(&b, "hello"), PREP_OK);
	cap = b.cap;
	prep_buf_reset(&b);
	holds("", 0);
	cr_assert_eq(b.cap, cap, "reset keeps the memory");
	cr_assert_eq(prep_buf_append_str(&b, "hi"), PREP_OK);
	holds("hi", 2);
}

/* free releases everything, may be called twice, and leaves a buffer that
 * can be used again under the same cap. */
Test(buf, free_and_reuse)
{
	prep_buf c;
	size_t base = prep_memcap_used();

	prep_buf_init(&c, 5);
	prep_buf_free(&c); /* never used */
	cr_assert_eq(prep_buf_append_str(&c, "12345"), PREP_OK);
	cr_assert_gt(prep_memcap_used(), base);
	prep_buf_free(&c);
	cr_assert_null(c.data);
	cr_assert_eq(c.len, 0);
	cr_assert_eq(c.cap, 0);
	cr_assert_eq(prep_memcap_used(), base);
	prep_buf_free(&c);
	cr_assert_eq(prep_buf_append_str(&c, "123456"), PREP_ERR_LIMIT);
	cr_assert_eq(prep_buf_append_str(&c, "abc"), PREP_OK);
	cr_assert_str_eq(c.data, "abc");
	prep_buf_free(&c);
}
