/*
 * exactsum.h: exact sums of non-negative doubles, rounded once, when
 * read.
 *
 * Doubles added in one order round differently from the same doubles
 * added in another; compensated summation (Neumaier's) only makes the
 * difference small. A whole-input filter whose partials must merge into
 * exactly the figures of one run over the whole input (reweight's cells,
 * fairness's groups, both with --weight) keeps its sums of weights exact
 * instead: every finite double is an integer multiple of 2^-1074, so a sum
 * of them is an integer in units of 2^-1074, held here in 64-bit limbs
 * (the long accumulator of U. Kulisch and W. L. Miranker, "Computer
 * Arithmetic in Theory and Practice", Academic Press, 1981) and rounded to
 * the nearest double, ties to even (IEEE 754-2008, §4.3.1), only when its
 * value is read. The same terms give the same value whatever their order
 * and however they were grouped into sums of sums.
 *
 * Only the limbs from the lowest to the highest that hold a bit are
 * kept: weights of similar magnitude make a sum of one to three limbs,
 * and no sum has more than PREP_EXACTSUM_MAX_LIMBS (2^64 terms of the
 * largest double need 34). The limbs' bytes are charged to memcap.h's
 * budget.
 *
 * Text (the partials of man5/prep-partial.5): a whole number below 2^53
 * as a JSON integer; any other sum as the string "0xMpE", M an odd
 * integer in lowercase hexadecimal without leading zeros and E a decimal
 * integer (a '-' for a negative one, no leading zeros), the value
 * M * 2^E exactly: 0.1 is "0xcccccccccccccdp-55", 2^53 "0x1p53".
 */
#ifndef PREP_EXACTSUM_H
#define PREP_EXACTSUM_H

#include <jansson.h>
#include <stdint.h>

#include "prep.h"

/*
 * Limbs a sum may use: its value stays below 2^(64 * 35 - 1074) = 2^1166,
 * the last limb kept for a carry.
 */
#define PREP_EXACTSUM_MAX_LIMBS 36

typedef struct prep_exactsum {
	uint64_t *limb;	     /* limb[i]: bits 64 (lo + i) .. 64 (lo + i) + 63 */
	uint32_t lo, n, cap; /* first limb, limbs in use, limbs allocated */
} prep_exactsum;

/* An empty sum (0); all zero bytes are one too. */
void prep_exactsum_init(prep_exactsum *s);
void prep_exactsum_free(prep_exactsum *s);

/*
 * Add x, a finite double >= 0 (-0 is 0): PREP_ERR_ARG for anything else;
 * PREP_ERR_RANGE when the sum would need more than
 * PREP_EXACTSUM_MAX_LIMBS; PREP_ERR_MEMORY or PREP_ERR_NOMEM. A failed
 * addition leaves the sum as it was.
 */
prep_status prep_exactsum_add(prep_exactsum *s, double x);
/* Add the sum t to s (s and t may not be the same), as above. */
prep_status prep_exactsum_add_sum(prep_exactsum *s, const prep_exactsum *t);

/* Is the sum 0? */
int prep_exactsum_is_zero(const prep_exactsum *s);

/*
 * The sum rounded to the nearest double, ties to even: +inf when it is
 * 2^1024 or more after rounding.
 */
double prep_exactsum_value(const prep_exactsum *s);

/*
 * The sum of the sums t[0 .. n) (n <= 8), rounded once as above, without
 * changing them nor allocating: for figures that are sums of sums kept
 * apart (fairness's rows of a group, of its positive labels).
 */
double prep_exactsum_value_sum(const prep_exactsum *const *t, size_t n);

/* The sum as JSON (see Text above); NULL when out of memory. */
json_t *prep_exactsum_json(const prep_exactsum *s);

/*
 * Read j, in the form prep_exactsum_json writes and no other, into s
 * (which is emptied first): PREP_ERR_VALUE for anything else (a real, a
 * negative or too large integer, a string not in the form, a value too
 * large or with bits below 2^-1074); PREP_ERR_MEMORY, PREP_ERR_NOMEM.
 * On failure s is 0.
 */
prep_status prep_exactsum_from_json(const json_t *j, prep_exactsum *s);

#endif
