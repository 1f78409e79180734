/*
 * aggregate_impl.h: the inside of an aggregation, shared by aggregate.c
 * (rows, noise, release) and aggregate_partial.c (the state of a partial
 * and its merge). Not an API.
 */
#ifndef PREP_AGGREGATE_IMPL_H
#define PREP_AGGREGATE_IMPL_H

#include "aggregate.h"
#include "buf.h"
#include "exactsum.h"
#include "siphash.h"
#include "strset.h"

struct agg_group {
	uint64_t count;	   /* rows (with a value, for sum and mean) */
	prep_exactsum sum; /* of the clamped values, exact */
};

/* One kept row of an id. */
struct agg_entry {
	uint32_t group;
	double v; /* clamped (and, for an integer sum, rounded) */
};

struct agg_idrec {
	uint64_t seen; /* rows of this id so far */
	struct agg_entry *res;
	uint32_t cap;	      /* of res */
	struct agg_entry one; /* the reservoir when max_contrib is 1 */
};

struct prep_agg {
	prep_agg_params p;
	size_t *by;
	prep_buf scratch;
	prep_buf prf;	  /* the input of a draw of the random subset */
	prep_field *keyf; /* a decoded key for emit */

	double max;  /* max(|lo|, |hi|) */
	int ibounds; /* lo, hi whole, and N max <= 2^53 */
	double count_eps, sum_eps;
	prep_laplace *count_m, *sum_int_m, *sum_real_m;
	prep_siphash_key subset_key; /* of the random subset of an id's rows */
	int subset_keyed;

	prep_strset groups;
	struct agg_group *gs;
	size_t gs_cap;
	prep_strset ids;
	struct agg_idrec *idr;
	size_t idr_cap;

	uint64_t rows, dropped;
	int started;   /* a row or a state was added: no more keys */
	int collected; /* the reservoirs are summed into the groups */
	int released;  /* prep_agg_release was called */
};

/*
 * The key of fields[idx[i]] (or fields[i] without idx), i < nby, into
 * a->scratch: each field as a varint length, its bytes and a NUL.
 */
prep_status agg_encode_key(prep_agg *a, const prep_field *fields,
			   const size_t *idx);
/* The next field of an encoded key at *p; moves *p past it. */
prep_field agg_decode_field(const unsigned char **p);
/* The group of the key in a->scratch: found, or added (add). */
prep_status agg_find_group(prep_agg *a, int add, size_t *gi);
/* Sum the ids' reservoirs into their groups, once. */
prep_status agg_collect(prep_agg *a);
/*
 * The group ids 0 .. a->groups.n - 1 sorted by key, field by field,
 * bytes as unsigned, a prefix first, in *order (malloc'd).
 */
prep_status agg_sorted_groups(const prep_agg *a, size_t **order);

#endif
