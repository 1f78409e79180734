/*
 * memcap.h: one limit on the bytes a run holds in memory because of its
 * data (the filters' --max-memory).
 *
 * Caps on the number of classes, groups, keys or values bound how many
 * entries a table holds, not how long each is: a million classes of
 * 1 MiB keys would be a terabyte. So the tables that grow with the data
 * (strset's slots, ids and key bytes, which hold classes, groups, keys
 * and distinct values; classes' counts and pairs; aggregate's groups;
 * fairness's groups; oversample's classes) take their bytes from one
 * process-wide budget, and a table that would pass it fails with
 * PREP_ERR_MEMORY, leaving the table as it was: the filter ends with a
 * message naming the limit, not at the hands of the kernel's OOM killer.
 * What is counted is what the tables ask for, not the allocator's own
 * overhead. Blocks of 4 MiB and more are advised to the kernel as
 * transparent huge pages (memcap.c). Thread-safe.
 */
#ifndef PREP_MEMCAP_H
#define PREP_MEMCAP_H

#include <stddef.h>

#include "prep.h"

/* The budget when nobody set one: 2 GiB. */
#define PREP_MEMCAP_DEFAULT ((size_t)2 << 30)

/* Set the budget in bytes (0: no limit). */
void prep_memcap_set(size_t bytes);
size_t prep_memcap_get(void);
/* Bytes the tables hold now. */
size_t prep_memcap_used(void);

/*
 * realloc(p, new_size) and calloc(n, size) charged to the budget (for
 * realloc, the difference from old_size, what p held). NULL with *st
 * PREP_ERR_MEMORY past the budget, PREP_ERR_NOMEM when the allocation
 * fails; p is then untouched and still charged as before.
 */
void *prep_memcap_realloc(void *p, size_t old_size, size_t new_size,
			  prep_status *st);
void *prep_memcap_calloc(size_t n, size_t size, prep_status *st);
/* free(p), giving back size bytes. */
void prep_memcap_free(void *p, size_t size);
/*
 * Take n bytes from the budget before growing several arrays together
 * with plain realloc (PREP_ERR_MEMORY past it); give them back if the
 * growth fails.
 */
prep_status prep_memcap_take(size_t n);
void prep_memcap_give(size_t n);

#endif
