/* Unit tests of libprep/memcap.c: one byte budget for the tables. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "memcap.h"
#include "strset.h"

static void
reset(void)
{
	prep_memcap_set(PREP_MEMCAP_DEFAULT);
}

TestSuite(memcap, .fini = reset);

Test(memcap, default_is_2g)
{
	cr_assert_eq(prep_memcap_get(), (size_t)2 << 30);
}

Test(memcap, charges_and_gives_back)
{
	size_t base = prep_memcap_used();
	prep_status st;
	char *p, *q;

	prep_memcap_set(base + 1000);
	p = prep_memcap_calloc(10, 60, &st);
	cr_assert_not_null(p);
	cr_assert_eq(st, PREP_OK);
	cr_assert_eq(prep_memcap_used(), base + 600);
	/* 600 -> 1001 would pass the budget by one byte: refused, p kept */
	cr_assert_null(prep_memcap_realloc(p, 600, 1001, &st));
	cr_assert_eq(st, PREP_ERR_MEMORY);
	cr_assert_eq(prep_memcap_used(), base + 600);
	q = prep_memcap_realloc(p, 600, 1000, &st);
	cr_assert_not_null(q);
	cr_assert_eq(prep_memcap_used(), base + 1000);
	cr_assert_null(prep_memcap_calloc(1, 1, &st));
	cr_assert_eq(st, PREP_ERR_MEMORY);
	q = prep_memcap_realloc(q, 1000, 100, &st);
	cr_assert_eq(prep_memcap_used(), base + 100);
	prep_memcap_free(q, 100);
	cr_assert_eq(prep_memcap_used(), base);
	/* overflowing sizes are refused, not wrapped */
	cr_assert_null(prep_memcap_calloc(SIZE_MAX / 2, 4, &st));
	cr_assert_eq(st, PREP_ERR_NOMEM);
	prep_memcap_set(0); /* no limit */
	p = prep_memcap_calloc(1, (size_t)64 << 20, &st);
	cr_assert_not_null(p);
	prep_memcap_free(p, (size_t)64 << 20);
	cr_assert_eq(prep_memcap_used(), base);
}

/* A set whose keys pass the budget refuses the key that would, keeps
 * every key it had, and gives back all it held when freed. */
Test(memcap, strset_bounded_in_bytes)
{
	size_t base = prep_memcap_used(), id, n = 0, i;
	prep_strset s;
	prep_status st = PREP_OK;
	char key[200];

	prep_memcap_set(base + ((size_t)1 << 20));
	prep_strset_init(&s, 0);
	memset(key, 'k', sizeof key);
	while (n < 100000) {
		(void)snprintf(key, sizeof key, "%zu", n);
		key[strlen(key)] = 'k';
		st = prep_strset_lookup(&s, key, sizeof key, 1, &id, NULL);
		if (st != PREP_OK)
			break;
		n++;
	}
	cr_assert_eq(st, PREP_ERR_MEMORY);
	/* 1 MiB of 200-byte keys, less the slots and ids: a few thousand */
	cr_assert_gt(n, 2000);
	cr_assert_lt(n, 5243);
	cr_assert_leq(prep_memcap_used(), base + ((size_t)1 << 20));
	for (i = 0; i < n; i++) {
		memset(key, 'k', sizeof key);
		(void)snprintf(key, sizeof key, "%zu", i);
		key[strlen(key)] = 'k';
		cr_assert_eq(
		    prep_strset_lookup(&s, key, sizeof key, 0, &id, NULL),
		    PREP_OK);
		cr_assert_eq(id, i);
	}
	prep_strset_free(&s);
	cr_assert_eq(prep_memcap_used(), base);
}

Test(memcap, buf_counts)
{
	size_t base = prep_memcap_used();
	prep_buf b;

	prep_memcap_set(base + 4096);
	prep_buf_init(&b, 0);
	cr_assert_eq(prep_buf_reserve(&b, 3000), PREP_OK);
	cr_assert_eq(prep_buf_reserve(&b, 5000), PREP_ERR_MEMORY);
	prep_buf_free(&b);
	cr_assert_eq(prep_memcap_used(), base);
}

/*
 * Does one line of /proc/self/maps (one mapping) hold all of p[0..n)?
 * -1 where the file can't be read (not Linux).
 */
static int
one_mapping(const void *p, size_t n)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long lo, hi;
	uintptr_t a = (uintptr_t)p;
	char line[512];
	int found = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && a >= lo &&
		    a < hi) {
			found = a + n <= hi;
			break;
		}
	fclose(f);
	return found;
}

/*
 * A block advised as huge pages stays one mapping, so that realloc can
 * move its pages (mremap) instead of copying them; and it keeps its
 * bytes when it grows. 40 MiB: past malloc's largest mmap threshold,
 * so always a mapping of its own.
 */
Test(memcap, huge_blocks_stay_one_mapping)
{
	size_t n = (size_t)40 << 20, i;
	prep_status st;
	unsigned char *p, *q;
	int one;

	prep_memcap_set(0);
	p = prep_memcap_calloc(1, n, &st);
	cr_assert_not_null(p);
	for (i = 0; i < n; i += 4096)
		p[i] = (unsigned char)(i >> 12);
	one = one_mapping(p, n);
	if (one < 0)
		cr_skip_test("no /proc/self/maps");
	cr_assert_eq(one, 1, "the block is split into mappings");
	q = prep_memcap_realloc(p, n, 2 * n, &st);
	cr_assert_not_null(q);
	cr_assert_eq(one_mapping(q, 2 * n), 1);
	for (i = 0; i < n; i += 4096)
		cr_assert_eq(q[i], (unsigned char)(i >> 12));
	prep_memcap_free(q, 2 * n);
}
