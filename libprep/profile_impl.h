/*
 * profile_impl.h: the inside of a profile, shared by profile.c (building,
 * merging) and profile_json.c (its JSON form). Not an API.
 */
#ifndef PREP_PROFILE_IMPL_H
#define PREP_PROFILE_IMPL_H

#include "buf.h"
#include "profile.h"

struct profile_text {
	char *text; /* NUL-terminated copy */
	size_t len;
};

struct prep_profile {
	size_t max_distinct;
	uint32_t kll_k;
	unsigned hll_p;
	uint64_t seed;
	uint64_t stream; /* of seed's generator, for the KLL sketches */
	const prep_missing *missing;
	size_t ncolumns; /* fields of an input record */
	uint64_t rows;
	prep_profile_column *cols;
	size_t ncols;
	/* groups (ngroups 0: none) */
	size_t ngroups;
	struct profile_text *gnames, label_name, pred_name;
	int has_pred;
	char *positive;
	size_t positive_len;
	size_t max_groups;
	size_t *groups; /* input columns; NULL in a profile read from JSON */
	size_t label;
	long pred;
	prep_strset gset; /* group keys (prep_tuple_put of the values) */
	prep_profile_group_counts *gcounts;
	size_t gcap;
	prep_buf key; /* scratch for a row's group key */
};

prep_status profile_alloc(prep_profile **out, size_t ncols);
prep_status profile_column_init(prep_profile *p, prep_profile_column *c,
				const char *name, size_t len);
void profile_column_free(prep_profile_column *c);
prep_status profile_count_value(const prep_profile *p, prep_profile_column *c,
				const char *s, size_t len, uint64_t count);
prep_status profile_set_groups(prep_profile *p, size_t ngroups,
			       const prep_field *names, const prep_field *label,
			       const prep_field *pred, const char *positive,
			       size_t positive_len);
prep_status profile_group_counts(prep_profile *p, const void *key, size_t len,
				 prep_profile_group_counts **g);

#endif
