/*
 * drift.h: data drift and bias drift between a reference profile and a
 * current one (SPEC.md §3 "drift", man1/drift.1), column by column, with
 * the statistics of drift_stats.h.
 *
 * Columns are matched by name. A column is numeric when its reference
 * values are all integers or numbers (profile.h's types; at least one),
 * else categorical. Its values are compared as they were counted: exactly
 * (the profile's exact value counts, numbers read from them) while both
 * sides are exact, else from the sketches: the KLL sketches for numbers,
 * the frequent-items summaries for categories.
 *
 * Default method (Evidently's defaults, its DataDriftPreset as of 0.4):
 * with a reference of at most 1000 non-missing values, a numeric column
 * with more than 5 distinct values (reference and current together) gets
 * the two-sample Kolmogorov-Smirnov test, drift when p <= 0.05; any other
 * column the chi-squared test of homogeneity, drift when p < 0.05. With a
 * larger reference: numeric with more than 5 distinct values, the
 * Wasserstein distance over the reference's standard deviation (at least
 * 0.001), drift when >= 0.1; any other, the Jensen-Shannon distance
 * (natural log), drift when >= 0.1. PSI (drift when >= 0.25) and the
 * Hellinger distance (>= 0.1) are there to be chosen.
 *
 * Bins of the categorical methods (chi2, js, psi, hellinger): for a
 * categorical column (or a numeric one with at most 5 distinct values),
 * one per value listed on either side, plus one for the cells no listed
 * value accounts for (a summary's rest, long values); for a numeric one,
 * the ten intervals between the reference's deciles (x <= q1, q1 < x <=
 * q2, ..., x > q9; equal deciles merged). ks and wasserstein asked of a
 * categorical column give way to its default categorical method.
 *
 * A column whose statistic can't be taken (a side without values of
 * its kind: statistic NAN) drifted when its type changed (a numeric
 * column whose current values are text), else not.
 *
 * Sketch error: ks's D and wasserstein's distance carry the sum e of the
 * two sides' KLL rank errors (0 for an exact side): |D - D_true| <= e, and
 * the p-value is that of max(D - e, 0), so that sketch noise never makes
 * drift (Apache DataSketches' KS test on sketches adds e to its critical
 * value the same way); wasserstein's error is e (max - min) / sd. For the
 * categorical methods, the error is the sum of the two summaries'
 * Misra-Gries errors over their totals (0 when exact), a bound on how far
 * a bin's share may be off.
 */
#ifndef PREP_DRIFT_H
#define PREP_DRIFT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "fairness.h"
#include "prep.h"
#include "profile.h"

enum prep_drift_method {
	PREP_DRIFT_AUTO,
	PREP_DRIFT_KS,
	PREP_DRIFT_CHI2,
	PREP_DRIFT_WASSERSTEIN,
	PREP_DRIFT_JS,
	PREP_DRIFT_PSI,
	PREP_DRIFT_HELLINGER,
	PREP_DRIFT_NMETHODS
};

/* "auto", "ks", "chi2", "wasserstein", "js", "psi", "hellinger". */
extern const char *const prep_drift_method_names[PREP_DRIFT_NMETHODS];

/* The default threshold of a method (not of AUTO). */
double prep_drift_default_threshold(enum prep_drift_method m);

/* Reference sizes up to this many non-missing values are "small". */
#define PREP_DRIFT_SMALL 1000
/* Numeric columns with more distinct values than this are continuous. */
#define PREP_DRIFT_FEW_VALUES 5
#define PREP_DRIFT_PSI_FLOOR 1e-4
#define PREP_DRIFT_MIN_SD 0.001
#define PREP_DRIFT_DEFAULT_SHARE 0.5

typedef struct prep_drift_options {
	enum prep_drift_method method; /* AUTO: per column, as above */
	int threshold_set;
	double threshold; /* with threshold_set: every column's */
	double drift_share;
	/* names of key columns (borrowed); a drifted one is dataset drift */
	const prep_field *keys;
	size_t nkeys;
	/* names of the columns to compare (borrowed); NULL: every one */
	const prep_field *only;
	size_t nonly;
	int max_di_drop_set, max_spd_change_set;
	double max_di_drop, max_spd_change;
} prep_drift_options;

typedef struct prep_drift_column {
	const char *name; /* the reference's, NUL-terminated */
	size_t name_len;
	int numeric;
	enum prep_drift_method method;
	double statistic; /* NAN: no values on a side */
	double error;
	double threshold;
	int drifted;
	int key;
	double missing_reference, missing_current; /* empty / rows */
	uint64_t unseen; /* current cells of values the reference lacks */
	enum prep_profile_type type_reference, type_current; /* most common */
	int type_changed;
	double ks_d; /* ks: D */
} prep_drift_column;

/* A group's rates then and now (NAN where the group is absent). */
typedef struct prep_drift_group {
	prep_field key; /* prep_tuple_put's encoding of its values */
	prep_fairness_rates reference, current;
	int in_reference, in_current;
} prep_drift_group;

#define PREP_DRIFT_FAIL_DI 1u
#define PREP_DRIFT_FAIL_SPD 2u

typedef struct prep_drift_result {
	prep_drift_column *columns;
	size_t ncolumns, ndrifted;
	double drifted_share;
	const prep_profile_column **added, **removed; /* by name */
	size_t nadded, nremoved;
	int key_drifted;
	/* bias: with group counts on both sides */
	int bias, has_pred;
	int groups_differ; /* both sides have groups, counted differently */
	prep_drift_group *groups;
	size_t ngroups, ngroup_names;
	const prep_profile *reference; /* for the group names */
	prep_fairness_summary bias_reference, bias_current;
	unsigned bias_failed; /* PREP_DRIFT_FAIL_* */
	int drift;	      /* the verdict */
} prep_drift_result;

/*
 * Compare cur with ref. PREP_ERR_NOT_FOUND with *why when the two have
 * no column in common, or a column of o->only or o->keys is in neither;
 * PREP_ERR_ARG with *why when bias gates are asked for and either side
 * lacks group counts, or they count groups of different columns, labels
 * or positive values; PREP_ERR_NOMEM, PREP_ERR_MEMORY.
 */
prep_status prep_drift_compare(const prep_profile *ref, const prep_profile *cur,
			       const prep_drift_options *o,
			       prep_drift_result **out, const char **why);
void prep_drift_result_free(prep_drift_result *r);

/* The --json report (SPEC.md §3 "drift"); NULL when out of memory. */
json_t *prep_drift_to_json(const prep_drift_result *r,
			   const prep_drift_options *o);

/*
 * The table: a header and one record per compared column (column, kind,
 * method, statistic, error, threshold, drifted).
 */
prep_status prep_drift_table(const prep_drift_result *r, prep_writer *w);

#endif
