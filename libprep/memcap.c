/* memcap.c: the process-wide byte budget of memcap.h (C11 atomics). */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "memcap.h"

/*
 * Tables past this size ask the kernel for transparent huge pages
 * (madvise(2) MADV_HUGEPAGE, which the kernel's "madvise" setting of
 * /sys/kernel/mm/transparent_hugepage/enabled honours): a table that
 * grows to tens of MiB otherwise takes a page fault per 4 KiB it
 * touches, and on a virtual machine each fault is an exit to the
 * hypervisor. The bytes charged to the budget are the same either way;
 * resident memory can round up to the next 2 MiB at a table's end.
 *
 * The advice covers every page the block touches, not only its 2 MiB
 * aligned middle (where the kernel puts the huge pages either way): a
 * block this large is a mapping of its own (malloc's mmap), and advice
 * for part of a mapping splits it in two or three, which mremap(2)
 * cannot move as one. realloc then copies the block to a new mapping
 * instead of moving its pages (measured: every doubling of kcheck's
 * key arena past 4 MiB was a copy, a tenth of its time on 1M rows).
 */
#define HUGE_FROM ((size_t)4 << 20)

/* Advise huge pages for the pages of p[0..n). */
static void
huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
	long ps;
	uintptr_t page;
	char *from, *to;

	if (n < HUGE_FROM)
		return;
	ps = sysconf(_SC_PAGESIZE); /* from the auxiliary vector */
	page = ps > 0 ? (uintptr_t)ps : 4096;
	from = (char *)p - (uintptr_t)p % page;
	to = (char *)p + n;
	to += (page - (uintptr_t)to % page) % page;
	/* advice: its failure changes nothing */
	(void)madvise(from, (size_t)(to - from), MADV_HUGEPAGE);
#else
	(void)p;
	(void)n;
#endif
}

static atomic_size_t limit = PREP_MEMCAP_DEFAULT;
static atomic_size_t used;

void
prep_memcap_set(size_t bytes)
{
	atomic_store(&limit, bytes);
}

size_t
prep_memcap_get(void)
{
	return atomic_load(&limit);
}

size_t
prep_memcap_used(void)
{
	return atomic_load(&used);
}

/* Take n bytes, or say there are not that many left. */
static int
take(size_t n)
{
	size_t lim = atomic_load(&limit), u = atomic_load(&used);

	do {
		if (lim && (n > lim || u > lim - n))
			return 0;
	} while (!atomic_compare_exchange_weak(&used, &u, u + n));
	return 1;
}

static void
give(size_t n)
{
	atomic_fetch_sub(&used, n);
}

void *
prep_memcap_realloc(void *p, size_t old_size, size_t new_size, prep_status *st)
{
	void *q;

	if (new_size > old_size && !take(new_size - old_size)) {
		*st = PREP_ERR_MEMORY;
		return NULL;
	}
	q = realloc(p, new_size ? new_size : 1);
	if (q == NULL) {
		if (new_size > old_size)
			give(new_size - old_size);
		*st = PREP_ERR_NOMEM;
		return NULL;
	}
	if (new_size < old_size)
		give(old_size - new_size);
	huge(q, new_size);
	*st = PREP_OK;
	return q;
}

void *
prep_memcap_calloc(size_t n, size_t size, prep_status *st)
{
	void *p;

	if (size && n > SIZE_MAX / size) {
		*st = PREP_ERR_NOMEM;
		return NULL;
	}
	if (!take(n * size)) {
		*st = PREP_ERR_MEMORY;
		return NULL;
	}
	if ((p = calloc(n ? n : 1, size ? size : 1)) == NULL) {
		give(n * size);
		*st = PREP_ERR_NOMEM;
		return NULL;
	}
	huge(p, n * size);
	*st = PREP_OK;
	return p;
}

void
prep_memcap_free(void *p, size_t size)
{
	if (p == NULL)
		return;
	free(p);
	give(size);
}

prep_status
prep_memcap_take(size_t n)
{
	return take(n) ? PREP_OK : PREP_ERR_MEMORY;
}

void
prep_memcap_give(size_t n)
{
	give(n);
}
