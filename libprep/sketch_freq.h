/*
 * sketch_freq.h: the frequent values of a column in k counters, with a
 * bound on the error, mergeable across the parts of a profile (SPEC.md §3
 * "profile": `values`, a frequent-items summary once a column has more
 * than --max-distinct values).
 *
 * Misra & Gries, "Finding repeated elements", Science of Computer
 * Programming 2(2), 1982, with weights and merging as in Agarwal, Cormode,
 * Huang, Phillips, Wei & Yi, "Mergeable summaries", PODS 2012 (and
 * ACM TODS 38(4), 2013):
 *
 * - a summary holds at most k items, each with a counter > 0;
 * - adding w of an item already kept adds w to its counter; adding a new
 *   one while fewer than k are kept keeps it with counter w; else, with
 *   k + 1 counters, the smallest of them, d, is subtracted from all k + 1
 *   and those at 0 are dropped (the new item included when w <= d);
 * - merging adds the counters of both summaries item by item; if more
 *   than k remain, the (k+1)-th largest counter d is subtracted from all
 *   and those <= 0 are dropped (Agarwal et al.'s merge of MG summaries);
 * - error is the sum of every d subtracted, in this summary and in those
 *   merged into it.
 *
 * Guarantees (Agarwal et al.'s analysis), with N = total, the sum of all
 * counts added (exact): every item's true count f is in [c, c + error], c its
 * counter (0 when it is not kept), and error <= (N - sum of the kept
 * counters) / (k + 1) <= N / (k + 1): each subtraction of d takes at least
 * (k + 1) d from the counters. So every item with f > N / (k + 1) is kept.
 * While at most k distinct items were added (here and in the summaries
 * merged in), the counters are exact and error is 0.
 *
 * Determinism: adding the same items with the same counts in the same
 * order gives the same summary, and prep_freq_items and prep_freq_to_json
 * list the items in one order (count descending, then bytes ascending,
 * memcmp, a prefix first), whatever the order within the process's hash
 * table. Merging is not associative: to be reproducible, a caller folds
 * the parts left to right in a fixed order, merge(merge(p1, p2), p3), ...
 * (profile --merge: the order of its files); every order keeps the
 * guarantees.
 *
 * Memory: items are byte strings (any bytes, NUL included), copied into
 * the summary. The sum of the kept items' lengths is capped by max_bytes
 * (PREP_ERR_LIMIT past it, the summary left as it was); the counters, the
 * table and the copies are charged to the --max-memory budget (memcap.h,
 * PREP_ERR_MEMORY). An add is O(len) expected, plus O(k) when counters
 * are subtracted, at most once per k + 1 of total count added; a merge is
 * O(k log k).
 *
 * Counts: total stays below 2^63 (json_int_t): an add or merge that would
 * pass it is PREP_ERR_RANGE, the summary left as it was.
 */
#ifndef PREP_SKETCH_FREQ_H
#define PREP_SKETCH_FREQ_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "prep.h"

typedef struct prep_freq prep_freq;

/* An item of a summary: its bytes (NUL-terminated, owned by the
 * summary) and its counter. */
typedef struct prep_freq_item {
	const char *data;
	size_t len;
	uint64_t count;
} prep_freq_item;

/* The largest k (2^24 counters). */
#define PREP_FREQ_MAX_K ((size_t)1 << 24)

/*
 * An empty summary of k counters, 1 <= k <= PREP_FREQ_MAX_K (else
 * PREP_ERR_ARG), whose kept items hold at most max_bytes bytes in all
 * (0: no cap but the memory budget). PREP_ERR_NOMEM, PREP_ERR_MEMORY,
 * PREP_ERR_CRYPTO (no key for the table's hash, siphash.h).
 */
prep_status prep_freq_new(size_t k, size_t max_bytes, prep_freq **out);
void prep_freq_free(prep_freq *f);

/*
 * Add count occurrences of item[0..len) (item may be NULL when len is 0;
 * count 0 changes nothing). PREP_ERR_LIMIT when the kept items would pass
 * max_bytes, PREP_ERR_RANGE when total would reach 2^63, PREP_ERR_NOMEM,
 * PREP_ERR_MEMORY: then the summary is as it was.
 */
prep_status prep_freq_add(prep_freq *f, const void *item, size_t len,
			  uint64_t count);

/*
 * into becomes the merge of into and from, as above. PREP_ERR_ARG when
 * their k differ; PREP_ERR_LIMIT (into's max_bytes), PREP_ERR_RANGE,
 * PREP_ERR_NOMEM, PREP_ERR_MEMORY: into is as it was. from may be into.
 */
prep_status prep_freq_merge(prep_freq *into, const prep_freq *from);

/* The sum of all counts added, here and in the summaries merged in. */
uint64_t prep_freq_total(const prep_freq *f);

/*
 * The bound: every item's true count is in [counter, counter + error],
 * and an item not kept has a true count <= error.
 */
uint64_t prep_freq_error(const prep_freq *f);

/* The number of items kept (at most k). */
size_t prep_freq_size(const prep_freq *f);

size_t prep_freq_k(const prep_freq *f);

/*
 * The kept items, count descending then bytes ascending, in *items (an
 * array of *n to free(); NULL when there are none), pointing into f:
 * valid until f is next changed or freed. PREP_ERR_NOMEM.
 */
prep_status prep_freq_items(const prep_freq *f, prep_freq_item **items,
			    size_t *n);

/*
 * {"k":K,"total":N,"error":E,"items":[["value",count],...]}, the items in
 * the order of prep_freq_items. A value is written as the JSON string of
 * its bytes when they are valid UTF-8 without a NUL and do not begin with
 * "hex:"; any other value is written "hex:" and its bytes in lowercase
 * hexadecimal ("\xff" as "hex:ff", "hex:a" as "hex:6865783a61"). NULL
 * when out of memory.
 */
json_t *prep_freq_to_json(const prep_freq *f);

/*
 * The summary of a document made by prep_freq_to_json, with the cap
 * max_bytes as prep_freq_new. Validated: PREP_ERR_VALUE, with a short
 * static reason in *why (why may be NULL), unless j is an object of
 * exactly those four keys; k an integer in [1, PREP_FREQ_MAX_K]; total
 * and error integers >= 0; items an array of at most k pairs [value,
 * count], each value a string in the form above (a "hex:" form only for
 * a value that needs it), no value twice, each count >= 1, in the order
 * of prep_freq_items; and (k + 1) error + the sum of the counts <= total,
 * the bound every summary keeps. PREP_ERR_LIMIT past max_bytes;
 * PREP_ERR_NOMEM, PREP_ERR_MEMORY, PREP_ERR_CRYPTO as prep_freq_new.
 * Whatever it accepts, prep_freq_to_json gives back equal.
 */
prep_status prep_freq_from_json(const json_t *j, size_t max_bytes,
				prep_freq **out, const char **why);

#endif
