/*
 * aggregate.h: differentially private counts, sums and means by group
 * (dpnoise's aggregate mode; dpnoise(1), "Aggregate mode").
 *
 * Rows are grouped by the --by columns (none: one group, the whole
 * table). With an id column each id keeps at most max_contrib rows, a
 * uniformly random subset (reservoir sampling, its draws a keyed
 * pseudorandom function of the id and of the position of the row among
 * the id's rows, so that the subset does not depend on the other ids'
 * rows, nor on how the input is split into parts), so one person moves the
 * vector of counts by at most max_contrib and a sum by max_contrib *
 * max(|lo|, |hi|): noise is scaled to that. Groups are either a public
 * list of keys (every key released, present or not; other rows ignored)
 * or selected by Laplace thresholding (Korolova et al. 2009; Google's
 * partition selection): a group is released only when its noisy count
 * exceeds tau = N + b ln(N/((1 + alpha) delta)), b = N/epsilon_count the
 * count's noise scale, N = max_contrib, alpha = exp(-1/b). That is the
 * continuous tau = N + b ln(1/(2 delta/N)) (1 + ln(1/(2 delta))/epsilon
 * for N = 1) made exact for the two-sided geometric noise actually drawn;
 * it is never lower, and the same as epsilon -> 0. Memory follows groups
 * (and ids times max_contrib with an id column), never rows.
 *
 * Values (sum, mean): prep_parse_number's syntax (a magnitude past
 * DBL_MAX is clamped like any other); anything else is PREP_ERR_VALUE,
 * even on a row that would be dropped. An empty value: the row is
 * ignored (not counted, not summed, not one of its id's max_contrib),
 * and counted in rows_dropped. An empty id is an id like any other.
 * Sums are exact (exactsum.h: the clamped doubles added without
 * rounding), rounded once at release, so neither the order of the rows
 * nor rounding moves them past the sensitivity, and the sums of parts
 * add up to the sum of the whole. The integer mechanism and integer output when
 * lo and hi are whole, N max(|lo|,|hi|) <= 2^53 and real_values is off (each
 * value then rounded to the nearest integer); else the real one. The choice
 * never depends on the data, which would leak.
 * Counts are released as drawn, negative ones too (unbiased). A mean is
 * noisy sum / max(1, noisy count) clamped to [lo, hi] (post-processing),
 * a decimal; a key without rows gets one too.
 */
#ifndef PREP_AGGREGATE_H
#define PREP_AGGREGATE_H

#include <stdint.h>
#include <stdio.h>

#include "csv.h"
#include "missing.h"
#include "noise.h"
#include "prep.h"

typedef enum prep_agg_kind {
	PREP_AGG_COUNT,
	PREP_AGG_SUM,
	PREP_AGG_MEAN
} prep_agg_kind;

typedef enum prep_agg_groups {
	PREP_AGG_ONE,	/* no --by: the whole table is one group */
	PREP_AGG_KEYS,	/* --keys: the public list from prep_agg_add_key */
	PREP_AGG_SELECT /* --delta: Laplace partition selection */
} prep_agg_groups;

typedef struct prep_agg_params {
	prep_agg_kind kind;
	prep_agg_groups groups;
	const size_t *by; /* group columns of a row */
	size_t nby;
	long value;	      /* column summed or averaged; -1 for count */
	double lo, hi;	      /* bounds of the value; values are clamped */
	int real_values;      /* release a decimal sum even when lo and hi
				 are whole numbers; otherwise whole bounds
				 give an integer sum (each value rounded to
				 the nearest integer), decided by the
				 parameters alone, never by the data */
	long id;	      /* contributor column; -1: each row its own */
	uint64_t max_contrib; /* rows kept per id, 1 .. 2^32-1 (1 without
				 id) */
	double epsilon;	      /* total for the release; a sum's share
				 <= 2^20 (the real mechanism's cap) */
	double delta;	      /* partition selection, 0 < delta < 1 */
	int digits;	      /* 0 .. 100: decimals printed with this many
				 digits after the point; -1: shortest
				 text that reads back as the same double */
	uint64_t max_groups;  /* cap on groups (0: 10,000,000; <= 2^31) */
	uint64_t max_ids;     /* cap on ids (0: 10,000,000; <= 2^31) */
	const prep_missing *missing; /* values that mean missing (NULL: the
					empty cell); a row whose value is
					missing is left out of a sum or mean */
} prep_agg_params;

/*
 * What the release spends and how noisy it is, for the summary. rows,
 * rows_dropped and groups are exact figures of the data, not private.
 */
typedef struct prep_agg_summary {
	double count_epsilon, sum_epsilon; /* shares of epsilon */
	double count_scale, sum_scale;	   /* Laplace b of each */
	int sum_integer;		   /* sum used the integer mechanism */
	double threshold;		   /* tau, with PREP_AGG_SELECT */
	uint64_t rows;			   /* rows read */
	uint64_t rows_dropped; /* beyond max_contrib, outside keys, or
				  with an empty value (sum, mean) */
	uint64_t groups;       /* groups seen (or keys) */
	uint64_t released;     /* groups written */
} prep_agg_summary;

typedef struct prep_agg prep_agg;

/*
 * Parameters of a release of kind spending epsilon over the whole input
 * (PREP_AGG_ONE, no key columns): no value and no id column (-1), one
 * row per contributor, delta 0, shortest digits (-1), bounds 0, the
 * default caps, the empty cell as missing. Set the rest, then
 * prep_agg_new.
 */
void prep_agg_params_init(prep_agg_params *p, prep_agg_kind kind,
			  double epsilon);

/*
 * The value's bounds b (prep_bounds_parse) into p: lo and hi, and a
 * decimal release (real_values) unless both are whole numbers
 * (b->integer).
 */
void prep_agg_params_bounds(prep_agg_params *p, const prep_bounds *b);

/* PREP_ERR_ARG for inconsistent parameters (e.g. sum without value). */
prep_status prep_agg_new(const prep_agg_params *p, prep_agg **out);
void prep_agg_free(prep_agg *a);

/*
 * A new aggregation with a's parameters and public keys, before a row
 * (for a thread of one input, added up with prep_agg_merge): PREP_ERR_ARG
 * when a has rows, is released, or has drawn its subset key.
 */
prep_status prep_agg_new_like(const prep_agg *a, prep_agg **out);

/*
 * One public key (nby fields), in output order; duplicates, or a key
 * after the first row: ARG.
 */
prep_status prep_agg_add_key(prep_agg *a, const prep_field *key);

/*
 * The public keys from the CSV file at path, read with the options o but
 * for part_i (the keys are read whole) and has_header: the file has a
 * header exactly when the input has, that
 * is when header (the input's, whose fields by[0..nby) name the key
 * columns) is not NULL. With a header, the file's columns named as the
 * key columns, in any order (others are ignored); without, its first nby
 * columns in --by order. Each record is one key, in output order
 * (prep_agg_add_key).
 *
 * On failure *where has the place (its file is path) and:
 * - PREP_ERR_IO with where->line 0: the file could not be opened or read
 *   as it was opened (errno tells); on a later record, at where;
 * - PREP_ERR_HEADER_MISMATCH: the file's header names a column twice:
 *   fields *f1 < *f2 (0-based), where->line 1;
 * - PREP_ERR_COLUMN, where->line 0: with a header, the file's header
 *   (or the file, empty) has no column named as key column *f1 (0-based,
 *   into by); without, the file has fewer than nby columns;
 * - PREP_ERR_ARG: the record at where repeats an earlier key;
 * - PREP_ERR_NOMEM: where->file NULL when no place is to blame;
 * - any other status of the reader or of prep_agg_add_key, at where.
 * f1 and f2 may be NULL.
 */
prep_status prep_agg_load_keys(prep_agg *a, const char *path,
			       const prep_csv_options *o,
			       const prep_field *header, prep_where *where,
			       size_t *f1, size_t *f2);

/*
 * The message on a status s (not PREP_OK) of prep_agg_load_keys, given
 * the header and by it was called with and the *where, f1 and f2 it set:
 * what is wrong at *where. Names from the keys file are not quoted: it
 * may not be a keys file at all.
 * - PREP_ERR_IO with where->line 0: strerror(errno) (call this before
 *   anything else can change errno);
 * - PREP_ERR_HEADER_MISMATCH: "fields F1 and F2 of the header have the
 *   same name: rename one" (1-based);
 * - PREP_ERR_COLUMN: "no column 'NAME' in its header", NAME the input's
 *   header[by[f1]]; without a header, "fewer columns than --by";
 * - PREP_ERR_ARG: "the same key twice";
 * - any other status: prep_strerror(s).
 * Returns the text, malloc'd, or NULL when out of memory.
 */
char *prep_agg_keys_strerror(prep_status s, const prep_where *where,
			     const prep_field *header, const size_t *by,
			     size_t f1, size_t f2);

/*
 * Draw from g the 128-bit key of the random subset of an id's rows
 * (with an id column). A run draws it first, before the noise: with a
 * seeded generator, a run over the whole input, the runs that make the
 * partials of its parts and their merge then all draw the same key, and
 * the same noise after it.
 */
prep_status prep_agg_draw_subset_key(prep_agg *a, prep_rng *g);

/*
 * Count one row (all its fields). PREP_ERR_VALUE with *bad (0-based
 * column) when the value is not a number; PREP_ERR_LIMIT past a cap.
 * With an id column and no subset key drawn yet, the key is drawn from
 * the generator g first (prep_agg_draw_subset_key); g may be NULL
 * otherwise. bad may be NULL.
 */
prep_status prep_agg_add_row(prep_agg *a, prep_rng *g, const prep_field *row,
			     size_t *bad);

/*
 * Called once per released group: its key fields (NUL-terminated; key
 * is not NULL even when nkey is 0) and the value as text.
 */
typedef prep_status (*prep_agg_emit)(void *ctx, const prep_field *key,
				     size_t nkey, const char *value,
				     size_t len);

/*
 * Add the noise and release: keys in the order given; selected groups
 * sorted by key, field by field, bytes as unsigned (first appearance
 * would tell where in the input a group's first row was). Once only:
 * a second call, or a row after it, is PREP_ERR_ARG. Fills *s (may be
 * NULL). PREP_ERR_RANGE when an integer sum or a noisy value leaves
 * int64 (or a decimal leaves the doubles); an emit error is returned.
 */
prep_status prep_agg_release(prep_agg *a, prep_rng *g, prep_agg_emit emit,
			     void *ctx, prep_agg_summary *s);

/* The kind's name, which also names the output's value column:
 * "count", "sum" or "mean". */
const char *prep_agg_kind_name(prep_agg_kind k);

/*
 * The output's header record to w: the names of the key columns,
 * names[by[i]] for i < nby (names: the input's header; may be NULL when
 * nby is 0), then the kind's name. A writer status is returned.
 */
prep_status prep_agg_write_header(const prep_agg *a, prep_writer *w,
				  const prep_field *names);

/*
 * prep_agg_release, writing one record per released group to w: its key
 * fields, then the value. Statuses as prep_agg_release's, a writer's
 * among them.
 */
prep_status prep_agg_release_csv(prep_agg *a, prep_rng *g, prep_writer *w,
				 prep_agg_summary *s);

/*
 * The summary of a release (dpnoise(1), "Summary") to f, from the
 * summary s prep_agg_release filled: the count's prep_laplace_report
 * line ("on count") when the count spent epsilon, the sum's ("on sum")
 * when the sum did, then with partition selection (PREP_AGG_SELECT)
 * "PREFIX: partition selection: threshold T, N group(s) released\n", T
 * as "%g". Only what the output shows anyway: how many rows were read or
 * dropped, or groups seen, are exact figures of the data, not private,
 * and are not said. PREP_ERR_IO when writing to f fails.
 */
prep_status prep_agg_report(const prep_agg *a, const prep_agg_summary *s,
			    const char *prefix, FILE *f);

#endif
