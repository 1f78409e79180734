/*
 * exactsum.h: exact sums of doubles, for sums that must not depend on the
 * order of their terms (dpnoise's sums, and their partials' merge).
 *
 * Floating-point addition is not associative: the same values added in
 * another order, or in parts whose sums are then added, give another
 * double. A differentially private sum must not move with the order of
 * the rows (Casacuberta et al., CCS 2022), and the merge of partial sums
 * must give the very sum one run gives. So the terms are added without
 * any rounding, in a long accumulator (Kulisch, "Computer Arithmetic and
 * Validity", de Gruyter 2008, ch. 8: a fixed-point register wide enough
 * for every double and the carries of their sums): a two's complement
 * integer whose bit b weighs 2^(b - PREP_EXACTSUM_BIAS), held as 64-bit
 * limbs over the window of bits in use. Every double is a multiple of
 * 2^-1074 and below 2^1024, so 2^64 of them, and any sum of such sums,
 * fit. The result is rounded once, at the end: to the nearest double, to
 * a multiple of a power of two, or written exactly as text.
 *
 * Limbs are taken from the memory budget (memcap.h). An accumulator is a
 * plain struct, zeroed by prep_exactsum_init (or by {0}).
 */
#ifndef PREP_EXACTSUM_H
#define PREP_EXACTSUM_H

#include <stddef.h>
#include <stdint.h>

#include "prep.h"

/* Bit b of the accumulator weighs 2^(b - PREP_EXACTSUM_BIAS). */
#define PREP_EXACTSUM_BIAS 1088
/* The widest accumulator, in limbs: bits 0 .. 64 * this - 1. */
#define PREP_EXACTSUM_MAX_LIMBS 40
/* Room for the longest text of prep_exactsum_text, NUL included. */
#define PREP_EXACTSUM_TEXT_SIZE 672

typedef struct prep_exactsum {
	uint64_t *limb; /* two's complement, limb[0] the least significant */
	int32_t lo;	/* limb[0] holds bits 64 lo .. 64 lo + 63 */
	uint32_t n;	/* limbs held; the top one is all sign */
} prep_exactsum;

/* An empty accumulator (the sum 0). */
void prep_exactsum_init(prep_exactsum *s);
/* Give back the limbs; s is then empty again. */
void prep_exactsum_free(prep_exactsum *s);

/*
 * Add v exactly. PREP_ERR_ARG when v is not finite; PREP_ERR_MEMORY or
 * PREP_ERR_NOMEM when the limbs can't grow; PREP_ERR_RANGE when the sum
 * would leave the accumulator (never within 2^64 terms). On an error s
 * is as it was.
 */
prep_status prep_exactsum_add(prep_exactsum *s, double v);

/* Add v times n exactly (errors as prep_exactsum_add's). */
prep_status prep_exactsum_add_times(prep_exactsum *s, double v, uint64_t n);

/* Add the sum t to s exactly (errors as prep_exactsum_add's). */
prep_status prep_exactsum_add_sum(prep_exactsum *s, const prep_exactsum *t);

/* A copy of t in *s (initialized, or freed first by the caller). */
prep_status prep_exactsum_copy(prep_exactsum *s, const prep_exactsum *t);

/* The sign of the sum: -1, 0 or 1. */
int prep_exactsum_sign(const prep_exactsum *s);

/*
 * The sign of s - v * n (-1, 0 or 1), in *sign; v finite. Errors as
 * prep_exactsum_add's (it works on a copy).
 */
prep_status prep_exactsum_cmp_times(const prep_exactsum *s, double v,
				    uint64_t n, int *sign);

/* Is the sum a whole number? */
int prep_exactsum_is_integer(const prep_exactsum *s);

/*
 * The sum rounded once to the nearest double, ties to even (as Python's
 * math.fsum rounds), +-HUGE_VAL past the largest double.
 */
double prep_exactsum_double(const prep_exactsum *s);

/*
 * The sum divided by 2^k and rounded to the nearest whole number, halves
 * away from zero, in *out. PREP_ERR_RANGE when that is 2^126 or more in
 * magnitude.
 */
prep_status prep_exactsum_round(const prep_exactsum *s, int k, __int128 *out);

/*
 * The sum exactly as text, in C99's hexadecimal floating notation,
 * normalized: "0x0p+0" for 0, else an optional '-', "0x1", then '.' and
 * the lowercase hexadecimal digits of the fraction when it has any (the
 * last one not 0), then 'p', the sign and the decimal binary exponent:
 * 12 is "0x1.8p+3", -0.375 "-0x1.8p-2" (what printf's %a writes for a
 * normal double). One text per value, and one value per text. buf has n
 * bytes (PREP_EXACTSUM_TEXT_SIZE is always enough); returns the length,
 * or 0 when it does not fit.
 */
size_t prep_exactsum_text(const prep_exactsum *s, char *buf, size_t n);

/*
 * Read a text of prep_exactsum_text's form into s (emptied first):
 * PREP_ERR_VALUE for anything else (another form of the same number
 * too: "0x2p+0", "0x1.80p+3", upper case, a '+'), or a value with bits
 * below 2^-1074, which no sum of doubles has, or too large for the
 * accumulator; PREP_ERR_MEMORY, PREP_ERR_NOMEM.
 */
prep_status prep_exactsum_parse(prep_exactsum *s, const char *text, size_t len);

#endif
