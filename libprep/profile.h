/*
 * profile.h: a small, mergeable summary of a CSV (SPEC.md §3 "profile",
 * man5/prep-profile.5), built in one pass in memory bounded by the
 * columns, never by the rows, and the reference and the batch that
 * drift(1) compares.
 *
 * Per profiled column, every record counts in rows; a cell that is
 * missing (the empty cell, or one of --missing's values) counts in empty
 * and nowhere else. Every other cell counts in exactly one type, the
 * first that reads it:
 *   integer   prep_parse_int64's strict syntax, in int64_t range;
 *   number    prep_parse_number's strict decimal syntax (an integer too
 *             large for int64_t included);
 *   date      YYYY-MM-DD (datetime.h), a real date;
 *   datetime  RFC 3339 date and time (datetime.h);
 *   boolean   true, True, TRUE, false, False, FALSE (Table Schema's
 *             defaults without 1 and 0, which are integers);
 *   text      anything else.
 * Integers and numbers, read as doubles, go into the column's moments
 * (sketch_moments.h: count, min, max, mean, population variance) and its
 * KLL quantile sketch (sketch_kll.h, k and seed from the parameters).
 *
 * Values: every non-missing cell of at most PREP_PROFILE_VALUE_MAX bytes
 * is counted exactly by value while the column has at most max_distinct
 * of them; at the next new value the counts move into a Misra-Gries
 * summary of max_distinct counters (sketch_freq.h) that counts every
 * later one. Longer cells are never kept: they count as "long". other =
 * the non-missing cells that no listed value accounts for (long cells
 * included). Distinct values: exact while the values are exact and no
 * cell was long; from then on a HyperLogLog sketch of precision hll_p
 * (sketch_hll.h) of every non-missing cell, long ones included, started
 * from the exact values.
 *
 * Groups (with group columns): per distinct tuple of the group columns'
 * values (byte for byte, as fairness(1) groups), n, positives (label
 * exactly the positive value) and, with a prediction column, predicted,
 * tp and fp (fn = positives - tp, tn = n - positives - fp). At most
 * max_groups groups.
 *
 * Merging (prep_profile_merge) adds rows, empty, type counts, exact
 * values and group counts exactly; moments by Chan's rule (equal to one
 * pass up to rounding, relative 1e-12); sketches by their merges. Exact
 * values whose union passes max_distinct become a summary, as in one pass.
 *
 * Memory: per column the KLL sketch (O(k log(n/k)) doubles), at most
 * max_distinct values of at most PREP_PROFILE_VALUE_MAX bytes, and 2^hll_p
 * register bytes; per group six counters and its key. Everything comes
 * from the memcap.h budget (PREP_ERR_MEMORY past --max-memory).
 */
#ifndef PREP_PROFILE_H
#define PREP_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "csv.h"
#include "missing.h"
#include "prep.h"
#include "sketch_freq.h"
#include "sketch_hll.h"
#include "sketch_kll.h"
#include "sketch_moments.h"
#include "strset.h"

#define PREP_PROFILE_FORMAT "prep-profile"
#define PREP_PROFILE_VERSION 1

#define PREP_PROFILE_DEFAULT_MAX_DISTINCT 1000
#define PREP_PROFILE_MAX_MAX_DISTINCT 1000000
#define PREP_PROFILE_DEFAULT_HLL_P 12
#define PREP_PROFILE_DEFAULT_SEED 1
#define PREP_PROFILE_DEFAULT_MAX_GROUPS 10000
#define PREP_PROFILE_MAX_MAX_GROUPS 10000000
/* Longest value counted by value, bytes; longer cells count as long. */
#define PREP_PROFILE_VALUE_MAX 256
/* Most columns a profile read from JSON may have. */
#define PREP_PROFILE_MAX_COLUMNS 100000

enum prep_profile_type {
	PREP_PROFILE_INTEGER,
	PREP_PROFILE_NUMBER,
	PREP_PROFILE_DATE,
	PREP_PROFILE_DATETIME,
	PREP_PROFILE_BOOLEAN,
	PREP_PROFILE_TEXT,
	PREP_PROFILE_NTYPES
};

/* The names of the types, in enum order ("integer", ... "text"). */
extern const char *const prep_profile_type_names[PREP_PROFILE_NTYPES];

/* The type of a non-missing cell s[0..len) (above); *v its value for
 * an integer or a number. */
enum prep_profile_type prep_profile_type_of(const char *s, size_t len,
					    double *v);

/* One column's summary (read-only for callers). */
typedef struct prep_profile_column {
	char *name; /* NUL-terminated copy; may hold any bytes */
	size_t name_len;
	size_t input; /* its column in the input (0-based); SIZE_MAX: read */
	uint64_t rows, empty;
	uint64_t types[PREP_PROFILE_NTYPES];
	prep_moments moments; /* integers and numbers */
	prep_kll *kll;	      /* of the same values; NULL before the first */
	/* values: exact counts (exact = 1) or a summary (freq) */
	int exact;
	prep_strset values; /* the values (exact) */
	uint64_t *counts;   /* ... and their counts, by id */
	size_t counts_cap;
	prep_freq *freq; /* the summary (!exact) */
	uint64_t longs;	 /* cells longer than PREP_PROFILE_VALUE_MAX */
	prep_hll *hll;	 /* distinct values; NULL while exact */
} prep_profile_column;

/* The counts of one group. */
typedef struct prep_profile_group_counts {
	uint64_t n, positives, predicted, tp, fp;
} prep_profile_group_counts;

typedef struct prep_profile_params {
	size_t ncolumns;	 /* fields of every record */
	const prep_field *names; /* their names (copied); NULL: "1", "2"... */
	const size_t *cols;	 /* columns to profile, in order; NULL: all */
	size_t ncols;
	const prep_missing *missing; /* borrowed; NULL: the empty cell */
	size_t max_distinct;	     /* 0: the default */
	uint32_t kll_k;		     /* 0: the default */
	unsigned hll_p;		     /* 0: the default */
	uint64_t seed;
	/* groups: ngroups 0 for none */
	const size_t *groups;
	size_t ngroups;
	size_t label;
	long pred;	      /* -1: no prediction column */
	const char *positive; /* positive_len bytes (copied) */
	size_t positive_len;
	size_t max_groups; /* 0: the default */
	/* the stream of seed's generator the KLL sketches toss their coins
	 * from (prep_kll_new_stream): 0 for a whole input; profile_par.h
	 * gives each piece of one its own */
	uint64_t stream;
} prep_profile_params;

typedef struct prep_profile prep_profile;

/*
 * An empty profile. PREP_ERR_ARG for a column out of range, a column
 * listed twice, max_distinct past PREP_PROFILE_MAX_MAX_DISTINCT, k or p out
 * of their sketches' ranges, max_groups past PREP_PROFILE_MAX_MAX_GROUPS;
 * PREP_ERR_NOMEM, PREP_ERR_MEMORY, PREP_ERR_CRYPTO.
 */
prep_status prep_profile_new(const prep_profile_params *p, prep_profile **out);
void prep_profile_free(prep_profile *p);
/*
 * An empty profile made as like was (its options, columns and groups;
 * like may hold rows), its KLL sketches on stream number stream of the
 * seed's generator. Errors as prep_profile_new.
 */
prep_status prep_profile_new_like(const prep_profile *like, uint64_t stream,
				  prep_profile **out);

/*
 * Count one record of ncolumns fields. PREP_ERR_LIMIT past max_groups,
 * PREP_ERR_RANGE past 2^62 rows or when a column's numbers spread past
 * what a double holds (a mean or variance that is not finite: -1e308 and
 * 1e308), PREP_ERR_MEMORY, PREP_ERR_NOMEM: the profile is then unusable
 * (free it).
 */
prep_status prep_profile_add(prep_profile *p, const prep_field *row);

/*
 * Add from to into (the profile of into's rows followed by from's).
 * PREP_ERR_ARG with a static reason in *why when they were made with
 * different options (max_distinct, kll_k, hll_p, group columns, label,
 * prediction, positive value) or of different columns (names, in order);
 * PREP_ERR_RANGE past 2^62 rows or a mean or variance that is not finite
 * (into as it was); PREP_ERR_LIMIT, PREP_ERR_MEMORY, PREP_ERR_NOMEM as add.
 */
prep_status prep_profile_merge(prep_profile *into, const prep_profile *from,
			       const char **why);

/*
 * The profile as man5/prep-profile.5's JSON object (NULL when out of
 * memory); dump it with JSON_REAL_PRECISION(17) for an exact round trip.
 */
json_t *prep_profile_to_json(const prep_profile *p);

/*
 * The same document as text, exactly as prep_profile_to_json dumped
 * compact with 17-digit reals and a newline, handed to put a piece at a
 * time (at most one column's JSON is in memory at once). Stops at the
 * first status put returns that is not PREP_OK and returns it;
 * PREP_ERR_NOMEM.
 */
typedef prep_status (*prep_profile_put)(void *ctx, const char *s, size_t n);
prep_status prep_profile_write(const prep_profile *p, prep_profile_put put,
			       void *ctx);

/*
 * A profile from its JSON form. Every field is checked: PREP_ERR_VALUE
 * with a short static reason in *why (never quoting a value) for anything
 * prep_profile_to_json would not have written. *version is the document's
 * version when it is an object whose format is PREP_PROFILE_FORMAT with an
 * integer version (another version than PREP_PROFILE_VERSION is
 * PREP_ERR_VALUE, "unsupported version"), else -1 (not a profile).
 * PREP_ERR_NOMEM, PREP_ERR_MEMORY, PREP_ERR_CRYPTO.
 */
prep_status prep_profile_from_json(const json_t *j, prep_profile **out,
				   long long *version, const char **why);

/*
 * Partials (man5/prep-partial.5, "profile"; profile_partial.c): a
 * profile's state is its document, prep_profile_to_json's, and the
 * options of its partial are the document's options with two of the
 * run's that shape the state or its verdict and are not in the
 * document: "max_groups" (the most groups, which a merge must not pass
 * either) and "missing" (the values that mean missing, as
 * prep_partial_missing writes them). *options and *state are new
 * references; PREP_ERR_NOMEM.
 */
prep_status prep_profile_partial(const prep_profile *p,
				 const prep_missing *missing, json_t **options,
				 json_t **state);

/*
 * The profile of a partial's options and state: PREP_ERR_VALUE with a
 * static reason in *why for a state that is not a profile
 * (prep_profile_from_json's reasons), options that are not its
 * document's options with a max_groups from 1 to
 * PREP_PROFILE_MAX_MAX_GROUPS and a well-formed missing, or more groups
 * than that max_groups. The profile's max_groups is the options': a
 * merge into it past that many groups is PREP_ERR_LIMIT.
 * PREP_ERR_NOMEM, PREP_ERR_MEMORY, PREP_ERR_CRYPTO.
 */
prep_status prep_profile_from_partial(const json_t *options,
				      const json_t *state, prep_profile **out,
				      const char **why);

/* Where a profile document is wrong, in words that quote nothing of it. */
typedef struct prep_profile_error {
	int line, column;  /* of a JSON syntax error; else 0 */
	long long version; /* as prep_profile_from_json */
	char text[160];
} prep_profile_error;

/* The largest profile document read, bytes. */
#define PREP_PROFILE_MAX_BYTES ((size_t)1 << 30)

/*
 * A profile from its text: PREP_ERR_VALUE with *err filled for text
 * that is not JSON ("not valid JSON: ...", with its line and column) or
 * not a profile (prep_profile_from_json's reason), PREP_ERR_LIMIT past
 * PREP_PROFILE_MAX_BYTES; the other failures of prep_profile_from_json.
 */
prep_status prep_profile_parse(const char *text, size_t len, prep_profile **out,
			       prep_profile_error *err);

/*
 * NULL when a and b count groups alike (the same group columns, label,
 * prediction and positive value, or neither has groups), else why not.
 */
const char *prep_profile_groups_differ(const prep_profile *a,
				       const prep_profile *b);

/* Accessors. */
uint64_t prep_profile_rows(const prep_profile *p);
size_t prep_profile_columns(const prep_profile *p);
const prep_profile_column *prep_profile_column_at(const prep_profile *p,
						  size_t i);
size_t prep_profile_max_distinct(const prep_profile *p);
/* The most groups it may hold (a profile read from JSON: any number up
 * to PREP_PROFILE_MAX_MAX_GROUPS; one of a partial: its options'). */
size_t prep_profile_max_groups(const prep_profile *p);
/* 1 when the profile has group counts; *pred 1 with a prediction. */
int prep_profile_has_groups(const prep_profile *p, int *pred);
size_t prep_profile_ngroups(const prep_profile *p);
/* Group id's counts and key (prep_tuple_put's encoding of its values). */
void prep_profile_group(const prep_profile *p, size_t id,
			prep_profile_group_counts *c, prep_field *key);
/* The id of the group with key, or PREP_ERR_NOT_FOUND. */
prep_status prep_profile_group_find(const prep_profile *p,
				    const prep_field *key, size_t *id);
/* The group columns' names: n of them (names[i] borrowed). */
size_t prep_profile_group_names(const prep_profile *p, prep_field *names,
				size_t max);

/*
 * Distinct non-missing values of column c: exact (*std_error 0) or the
 * HyperLogLog estimate and its relative standard error.
 */
double prep_profile_distinct(const prep_profile_column *c, double *std_error);
/* The non-missing cells no listed value accounts for. */
uint64_t prep_profile_other(const prep_profile_column *c);

/*
 * The listed values of c, count descending then bytes ascending (a
 * summary's counters are lower bounds, off by at most prep_freq_error).
 * *items malloc'd (free it; the bytes are the profile's, NUL-terminated
 * only for a summary).
 */
prep_status prep_profile_values(const prep_profile_column *c,
				prep_freq_item **items, size_t *n);

#endif
