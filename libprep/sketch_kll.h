/*
 * sketch_kll.h: a KLL quantile sketch of a stream of doubles, small and
 * mergeable, for profile(1) (one per numeric column, merged across parts)
 * and drift(1) (KS, Wasserstein and PSI between two sketches).
 *
 * Algorithm: Karnin, Lang and Liberty, "Optimal Quantile Approximation in
 * Streams", FOCS 2016, in the practical variant that Apache DataSketches
 * describes for its KLL sketch (lazy compaction, geometric capacities,
 * one coin per compaction), without the paper's sampler in place of the
 * lowest levels (their capacities stop at 8 instead):
 *
 *  - the items are kept in levels 0..L-1; an item of level h stands for
 *    2^h items of the stream (its weight);
 *  - level h, at depth d = L-1-h below the top, has the nominal capacity
 *    cap(d) = max(8, ceil(k * (2/3)^d)), computed in exact integer
 *    arithmetic; the sketch's capacity is C(L) = sum over d < L of cap(d);
 *  - a new item goes to level 0; when the sketch already holds C(L)
 *    items, first the lowest level holding at least its capacity is
 *    compacted (lazily: only that one). Compacting level h sorts it,
 *    keeps its largest item there when the count is odd, and of the
 *    other 2j items (pairs of neighbours in sorted order) moves either
 *    every even-indexed or every odd-indexed one, by one fair coin from
 *    the sketch's generator, to level h+1 (merged into its sorted items),
 *    so j items of weight 2^(h+1) replace 2j of weight 2^h and the total
 *    weight stays n. Compacting the top level first adds a level above.
 *
 * Levels 1 and up are always sorted; level 0 is in arrival order in
 * memory and written sorted by prep_kll_to_json (its order never matters:
 * a compaction sorts it first).
 *
 * Memory: the items are one array of exactly C(L) doubles (8 C(L) bytes,
 * taken from the memcap.h budget) plus a fixed struct. Since
 * max(8, ceil(x)) <= x + 8, C(L) <= 3k + 8L. A level is added only when
 * the top one, of capacity k, is compacted, so with n > 0 items, L = 1
 * while nothing was compacted and otherwise n >= k * 2^(L-2), that is
 * L <= 2 + log2(n / k): the sketch never holds more than
 * 3k + 16 + 8 log2(n/k) items, O(k + log(n/k)), within the O(k log(n/k))
 * asked of it. (k = 200, n = 10^6: L = 13 and C(L) = 620.) A merge
 * holds both sketches' items at once for a moment. At most
 * PREP_KLL_MAX_N items (2^62), so L <= 61.
 *
 * Accuracy: prep_kll_rank_error is the "single-sided" normalized rank
 * error that DataSketches gives for its KLL sketch,
 * eps(k) = 2.296 / k^0.9723 (KllSketch.getNormalizedRankError(k, false);
 * about 1.33% at k = 200, the "about 1.3%" of profile(1)), which it
 * states as the best fit to the 99th percentile of the maximum rank error
 * over all queries of one sketch, measured in thousands of trials
 * (datasketches-java, KllSketch.getNormalizedRankError; the accuracy
 * plots of datasketches.apache.org/docs/KLL/KLLAccuracyAndSize.html):
 * with about 99% confidence, every rank estimate of this sketch is within
 * eps of the true rank (both as fractions of n), and every quantile's
 * true rank within eps of q. This is the bound of rank(), quantile(),
 * and of a CDF at any one point (so of a KS statistic, each side off by
 * at most eps). For the mass between two points (a PMF bin, as in PSI),
 * DataSketches gives the "double-sided" 2.446 / k^0.9433 (about 1.65% at
 * k = 200): prep_kll_pmf_error. Both hold for a sketch built by any
 * sequence of adds and merges (the sketch is fully mergeable), and are 0
 * while nothing was compacted, when every answer is exact.
 *
 * Determinism: the coins come from prep_rng_new_seeded(seed) (noise.h),
 * 64 a draw, one a compaction: the same k, seed, and adds and merges in
 * the same order give the same sketch and the same JSON text, bit for bit.
 * The seed is not part of the state and never written; it only chooses
 * the coins of compactions still to come.
 *
 * -0.0 is stored as +0.0 (they compare equal, and JSON writes both as 0).
 */
#ifndef PREP_SKETCH_KLL_H
#define PREP_SKETCH_KLL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "prep.h"

typedef struct prep_kll prep_kll;

#define PREP_KLL_DEFAULT_K 200
#define PREP_KLL_MIN_K 8
#define PREP_KLL_MAX_K 65535
/* The most items a sketch counts: 2^62. */
#define PREP_KLL_MAX_N ((uint64_t)1 << 62)

/*
 * An empty sketch of parameter k in [8, 65535] (else PREP_ERR_ARG) whose
 * coins come from prep_rng_new_seeded(seed). PREP_ERR_MEMORY past the
 * memcap.h budget, PREP_ERR_NOMEM, PREP_ERR_CRYPTO (the generator).
 */
prep_status prep_kll_new(uint32_t k, uint64_t seed, prep_kll **out);
/*
 * The same with the coins from stream number stream of that generator
 * (prep_rng_seek): stream 0 is prep_kll_new's. Sketches of the pieces of
 * one input, each on a stream of its own, toss independent coins from
 * one seed (profile(1)).
 */
prep_status prep_kll_new_stream(uint32_t k, uint64_t seed, uint64_t stream,
				prep_kll **out);
void prep_kll_free(prep_kll *s);

/*
 * Add one value. NaN or infinite: PREP_ERR_ARG; PREP_ERR_LIMIT past
 * PREP_KLL_MAX_N items; PREP_ERR_MEMORY or PREP_ERR_NOMEM when a level
 * must be added and its room can't be had; PREP_ERR_CRYPTO when the
 * generator fails. On failure the items are as they were. O(1) unless
 * the sketch is full; then one compaction, O(C log C) at worst, which
 * frees at least 4 slots and usually far more (10^6 adds at k = 200 take
 * about 50 ms).
 */
prep_status prep_kll_add(prep_kll *s, double v);

/*
 * Add from's items to into: the union of the levels (level 0 of into,
 * then that of from; higher levels merged in order), then compactions of
 * the lowest level at or over its capacity, coins from into's generator,
 * until the items fit C(L). k differ: PREP_ERR_ARG; the count would pass
 * PREP_KLL_MAX_N: PREP_ERR_LIMIT; PREP_ERR_MEMORY, PREP_ERR_NOMEM,
 * PREP_ERR_CRYPTO. from is unchanged (into == from merges a copy); on
 * failure, so are into's items, count, min and max (coins it drew may be
 * spent). Deterministic. O(C log C), C the items of both.
 */
prep_status prep_kll_merge(prep_kll *into, const prep_kll *from);

/* Items added (merged counts included). */
uint64_t prep_kll_count(const prep_kll *s);
uint32_t prep_kll_k(const prep_kll *s);
/* Items the sketch holds now, and its levels L (1 while exact). */
size_t prep_kll_retained(const prep_kll *s);
size_t prep_kll_levels(const prep_kll *s);
/* The smallest and largest values added, exact; NaN when empty. */
double prep_kll_min(const prep_kll *s);
double prep_kll_max(const prep_kll *s);

/*
 * The normalized rank error of a single query, 2.296 / k^0.9723 (above),
 * or 0 while nothing was compacted (every answer exact).
 */
double prep_kll_rank_error(const prep_kll *s);
/* The same for the mass between two points, 2.446 / k^0.9433, or 0. */
double prep_kll_pmf_error(const prep_kll *s);

/*
 * The q-quantile, q in [0, 1] (else, NaN included, PREP_ERR_ARG): 0 gives
 * the min, 1 the max, and 0 < q < 1 the smallest retained item x whose
 * estimated rank (prep_kll_rank(x)) is >= q, so exactly the
 * ceil(q n)-th smallest value while nothing was compacted. Empty:
 * PREP_ERR_RANGE. NOMEM/MEMORY for the sorted view. O(C log C).
 */
prep_status prep_kll_quantile(const prep_kll *s, double q, double *v);

/*
 * Estimated fraction of the items <= v, in [0, 1]: the total weight of the
 * retained items <= v over n (0 below the min, 1 at or above the max,
 * exact while nothing was compacted). NaN when empty or v is NaN. O(C).
 */
double prep_kll_rank(const prep_kll *s, double v);

/*
 * The retained items sorted ascending with their weights, equal values
 * combined (each value once, its weights summed; the weights sum to n),
 * for statistics between two sketches. *value and *weight are malloc'd
 * (the caller frees both; NULL and *n = 0 when empty). PREP_ERR_NOMEM,
 * PREP_ERR_MEMORY. O(C log C).
 */
prep_status prep_kll_sorted(const prep_kll *s, double **value,
			    uint64_t **weight, size_t *n);

/*
 * The state as a JSON object, keys in this order:
 *   {"k":K,"n":N,"min":MIN,"max":MAX,"levels":[[level 0],[level 1],...]}
 * K and N JSON integers; MIN and MAX null when empty; each level's items
 * ascending; the numbers by json.h's prep_json_number (a whole number
 * below 2^53 as an integer, any other double as a real). Every double
 * reads back exactly only if the caller dumps the object with
 * JSON_REAL_PRECISION(17) (prep_json_text's 15 digits are not enough).
 * NULL when out of memory.
 */
json_t *prep_kll_to_json(const prep_kll *s);

/*
 * Rebuild a sketch from prep_kll_to_json's form, its coins for future
 * compactions from seed. Every field is checked, and anything else gives
 * PREP_ERR_VALUE with *why (when why is not NULL) a short static English
 * reason, never a value from the data:
 *  - an object with exactly the keys k, n, min, max, levels;
 *  - k an integer in [8, 65535], n an integer in [0, PREP_KLL_MAX_N];
 *  - levels an array of 1 to 61 arrays of numbers (integers or reals,
 *    integers of magnitude at most 2^53), each array ascending;
 *  - min and max numbers with min <= every item <= max when n > 0, both
 *    null (and levels [[]]) when n = 0;
 *  - the weights, count of level h times 2^h, summing to n;
 *  - at most C(L) items; with one level, min and max its first and last
 *    items; with more, a non-empty top level and n >= k * 2^(L-2).
 * Those are the invariants prep_kll_add and prep_kll_merge keep, so every
 * state they reach is accepted, and to_json(from_json(x)) equals x (a
 * real that is a whole number below 2^53 comes back as an integer of the
 * same value). PREP_ERR_NOMEM, PREP_ERR_MEMORY, PREP_ERR_CRYPTO as
 * prep_kll_new. *out is set only on PREP_OK.
 */
prep_status prep_kll_from_json(const json_t *j, uint64_t seed, prep_kll **out,
			       const char **why);

#endif
