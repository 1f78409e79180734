/*
 * noise_rows.h: Laplace noise on the values of chosen columns, row by row
 * (dpnoise's row mode; dpnoise(1), "Row mode").
 *
 * Each noised column has bounds (prep_bounds) and its own share of
 * epsilon: a value is clamped to the bounds, so one person's value moves
 * by at most their span, and the noise of noise.h is scaled to that span.
 * With whole-number bounds, a whole-number value gets the integer
 * mechanism and stays a whole number; any other value (a decimal, or every
 * value when the bounds are not whole) gets the real mechanism and is
 * written as the shortest text that reads back as the same double
 * (prep_format_double), or with a fixed number of decimals. Which
 * mechanism a cell gets depends on how its value is written, which is
 * public: the released text shows it anyway. A missing value (missing.h)
 * is left as it is. Other columns pass through unchanged.
 *
 * Use: prep_noise_rows_new, prep_noise_rows_add for every noised column,
 * then prep_noise_rows_apply on every record (and, to check a record
 * before any noise is released, prep_noise_rows_check).
 */
#ifndef PREP_NOISE_ROWS_H
#define PREP_NOISE_ROWS_H

#include <stddef.h>
#include <stdio.h>

#include "missing.h"
#include "noise.h"
#include "prep.h"

typedef struct prep_noise_rows prep_noise_rows;

/*
 * Rows of ncols fields, no column noised yet. Each column added spends
 * epsilon. digits: decimals written with this many digits after the
 * point (0 to 17), or -1 for the shortest text that reads back.
 * missing: the values left as they are (NULL: the empty cell), borrowed.
 * PREP_ERR_ARG for digits out of range.
 */
prep_status prep_noise_rows_new(size_t ncols, double epsilon, int digits,
				const prep_missing *missing,
				prep_noise_rows **out);
void prep_noise_rows_free(prep_noise_rows *t);

/*
 * Noise column col (0-based) with bounds *b (copied). PREP_ERR_ARG when
 * the real mechanism refuses epsilon for the span hi - lo (epsilon
 * outside 2^-40 .. 2^20, prep_laplace_new_real), or col >= ncols;
 * PREP_ERR_RANGE when the integer mechanism refuses it (whole bounds
 * only); PREP_ERR_NOMEM. A column already noised is PREP_ERR_COLUMN
 * (check with prep_noise_rows_noised first to say so). On error nothing
 * is added.
 */
prep_status prep_noise_rows_add(prep_noise_rows *t, size_t col,
				const prep_bounds *b);

/*
 * 1 when column col is noised, 0 otherwise. For a noised column, when
 * the pointers are not NULL: *integer 1 when it has the integer mechanism
 * (whole bounds), *epsilon its share, *scale the Laplace scale b of its
 * integer mechanism if it has one, else of its real one (what a summary
 * names).
 */
int prep_noise_rows_noised(const prep_noise_rows *t, size_t col, int *integer,
			   double *epsilon, double *scale);

/*
 * The summary of the noised columns (dpnoise(1), "Summary") to f: a
 * prep_laplace_report line for each, left to right, on its name in
 * header (cut to 299 bytes), or "column N" (1-based) when header is
 * NULL, with its share of epsilon and the scale prep_noise_rows_noised
 * gives. PREP_ERR_IO when writing to f fails.
 */
prep_status prep_noise_rows_report(const prep_noise_rows *t,
				   const prep_field *header, const char *prefix,
				   FILE *f);

/* The epsilon of the whole run: the columns' shares added in order. */
double prep_noise_rows_epsilon(const prep_noise_rows *t);

/*
 * PREP_OK when every noised cell of row[0..n) is missing or a value the
 * mechanisms take: a finite number (prep_parse_number), or a whole number
 * (prep_parse_int64) with whole bounds. Else PREP_ERR_VALUE, *bad (may be
 * NULL) the first such column.
 */
prep_status prep_noise_rows_check(const prep_noise_rows *t,
				  const prep_field *row, size_t n, size_t *bad);

/*
 * The record row[0..n) with noise added to every noised cell that is not
 * missing, left to right (so that a seeded generator gives the same draws
 * for the same input): *out gets n fields, valid until the next call or
 * prep_noise_rows_free; fields of other columns are row's own, noisy ones
 * NUL-terminated too. A whole number under whole bounds: clamped to
 * [ilo, ihi], plus the integer mechanism's noise, written in decimal.
 * Any other number: clamped to [lo, hi], rounded to the real mechanism's
 * grid plus its noise (prep_laplace_add_real), written as digits asks
 * (in full: "%.17f" of 1e300 is 318 bytes). PREP_ERR_VALUE, *bad (may be
 * NULL) its column: a noised cell holds no finite number.
 * PREP_ERR_RANGE, *bad its column: the mechanism failed (the noisy value
 * left int64 or the doubles, or the generator failed). PREP_ERR_NOMEM.
 */
prep_status prep_noise_rows_apply(prep_noise_rows *t, prep_rng *g,
				  const prep_field *row, size_t n,
				  const prep_field **out, size_t *bad);

#endif
