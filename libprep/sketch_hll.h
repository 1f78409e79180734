/*
 * sketch_hll.h: HyperLogLog, the distinct count of a column in a few
 * kilobytes, mergeable across the parts of a profile (SPEC.md §3
 * "profile": `distinct`, the estimate and its standard error).
 *
 * The sketch follows Flajolet, Fusy, Gandouet & Meunier, "HyperLogLog:
 * the analysis of a near-optimal cardinality estimation algorithm", AofA
 * 2007, with the changes of Heule, Nunkesser & Hall, "HyperLogLog in
 * Practice", EDBT 2013:
 *
 * - a 64-bit hash (Heule §5.1), so no large-range correction is needed:
 *   the top p bits of the hash pick one of m = 2^p registers, and the
 *   register keeps the largest rank seen, the rank of the other 64 - p
 *   bits being the position of their first 1 bit (1 to 64 - p), or
 *   65 - p when they are all 0. A register is one byte (dense only);
 * - linear counting, m ln(m / V) with V the registers still 0, while its
 *   result is at most Heule's threshold for the precision (Heule §5.2 and
 *   the thresholds of its appendix: 10 for p = 4, ..., 11500 for p = 14,
 *   350000 for p = 18), where it is more accurate than any HyperLogLog
 *   estimate;
 * - above the threshold, where the raw estimate of Flajolet et al. is
 *   biased up to about 5m, Heule corrects the bias with tables of
 *   empirical bias (about 200 points per precision, 15 precisions, k-NN
 *   interpolated). This module uses instead the improved estimator of
 *   Ertl, "New cardinality estimation algorithms for HyperLogLog
 *   sketches", arXiv:1702.01284 (2017): from the histogram of the register
 *   values it corrects, in closed form, for the registers still 0 (the
 *   function sigma) and those at the top value 65 - p (the function tau),
 *   which are what biases the raw estimate. It needs no tables (Heule's
 *   are thousands of empirical numbers that could not be checked here
 *   value by value), it is unbiased over the whole range (Ertl's abstract
 *   and figures; test_sketch_hll.c measures the mean error across the
 *   switch from linear counting), and it is continuous where Heule's
 *   correction stops at 5m. So it replaces Heule's bias correction; the
 *   linear counting below the threshold is Heule's. One change to Ertl:
 *   the constant of the estimate is Flajolet's alpha_m (0.673 for m = 16,
 *   ..., 0.7213 / (1 + 1.079 / m) from m = 128), not its limit 1 / (2 ln
 *   2), which left the estimate 7% high at p = 4 and 0.4% at p = 8 for
 *   large counts (measured over 20000 and 4000 sketches). What bias is
 *   left is largest just above the threshold: -2% of the count at p = 4,
 *   -0.7% at p = 6, -0.15% at p = 8, each under a tenth of the standard
 *   error.
 *
 * The relative standard error of the estimate is 1.04 / sqrt(m)
 * (Flajolet et al., Theorem 1): 0.8125% at the default p = 14 (16 KiB).
 *
 * Hash: prep_hll_add hashes the bytes with SipHash-1-3 (siphash.c) under
 * the FIXED key of the 16 ASCII bytes "prep-hll-sketch1" (k0 =
 * 0x6c6c682d70657270, k1 = 0x31686374656b732d), never a random one: the
 * sketches of different runs, machines and parts must use the same hash
 * to merge. A changed hash is a new profile format version. As the key is
 * public, someone who chooses the values of a column can make them share
 * registers and lower the estimate; the count is a summary for profiling,
 * not a security control.
 *
 * Memory: the 2^p registers are charged to the --max-memory budget
 * (memcap.h). Adding is O(1), merging and estimating O(m).
 */
#ifndef PREP_SKETCH_HLL_H
#define PREP_SKETCH_HLL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "prep.h"

typedef struct prep_hll prep_hll;

#define PREP_HLL_DEFAULT_P 14
#define PREP_HLL_MIN_P 4
#define PREP_HLL_MAX_P 18

/*
 * An empty sketch of 2^p registers, p in [4, 18] (else PREP_ERR_ARG).
 * PREP_ERR_NOMEM, or PREP_ERR_MEMORY past the memory budget.
 */
prep_status prep_hll_new(unsigned p, prep_hll **out);
void prep_hll_free(prep_hll *h);

/* Count the value data[0..len) (hashed as above; data may be NULL when
 * len is 0). */
void prep_hll_add(prep_hll *h, const void *data, size_t len);

/*
 * Count a value by its 64-bit hash, which must look uniformly random
 * (for numbers: a mixing function such as the splitmix64 finalizer).
 * Sketches to be merged must hash their values the same way.
 */
void prep_hll_add_hash(prep_hll *h, uint64_t hash);

/*
 * into becomes the sketch of the union of both streams (the register-wise
 * maximum): the same registers, whatever the order of the merges.
 * PREP_ERR_ARG when the precisions differ.
 */
prep_status prep_hll_merge(prep_hll *into, const prep_hll *from);

/*
 * The estimated number of distinct values: 0 for an empty sketch, and
 * 2^64 when every register is at its top value 65 - p (only a document
 * can say so; it would take about 2^64 values).
 */
double prep_hll_estimate(const prep_hll *h);

/* The relative standard error of the estimate, 1.04 / sqrt(2^p). */
double prep_hll_std_error(const prep_hll *h);

unsigned prep_hll_p(const prep_hll *h);

/*
 * {"p":P,"registers":"..."}: the 2^p register bytes in base64 (RFC 4648
 * §4, with padding), 21848 characters at p = 14. NULL when out of memory.
 */
json_t *prep_hll_to_json(const prep_hll *h);

/*
 * The sketch of a document made by prep_hll_to_json. Validated:
 * PREP_ERR_VALUE, with a short static reason in *why (why may be NULL),
 * when j is not an object of exactly those two keys, p is not an integer
 * in [4, 18], registers is not canonical base64 of 2^p bytes, or a
 * register is above 65 - p. PREP_ERR_NOMEM, PREP_ERR_MEMORY as
 * prep_hll_new. Whatever it accepts, prep_hll_to_json gives back equal.
 */
prep_status prep_hll_from_json(const json_t *j, prep_hll **out,
			       const char **why);

#endif
