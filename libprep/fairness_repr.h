/*
 * fairness_repr.h: the representation of groups in a sample against
 * their shares of a population (fairness(1) --population, section
 * Representation).
 *
 * A group is a distinct tuple of the group columns' values, compared
 * byte for byte, as in fairness.h. The population is a list of groups
 * and their shares (census figures, say), read from a CSV file whose
 * header names the group columns and `share`. The sample's rows are
 * counted by group; then, with n the rows, c_g a group's rows and s_g
 * its share (0 for a group the population does not list):
 *
 *   sample_share         = c_g / n
 *   population_share     = s_g
 *   representation_ratio = (c_g / n) / s_g
 *   difference           = c_g / n - s_g
 *   tvd                  = 1/2 sum_g |c_g / n - s_g|   (total variation
 *                          distance, over every group of either side)
 *   chi2                 = sum_{s_g > 0} (c_g - E_g)^2 / E_g,
 *                          E_g = n s_g / S, S the sum of the shares
 *                          (Pearson's goodness of fit; the shares are
 *                          divided by their sum, 1 within 1e-6, so that
 *                          the expected counts add up to n as the test
 *                          requires)
 *   df                   = (groups with s_g > 0) - 1
 *   p_value              = Q(df/2, chi2/2), the upper tail of the
 *                          chi-squared distribution (drift_stats.h
 *                          prep_chi2_sf: Numerical Recipes, 3rd ed.,
 *                          section 6.2)
 *
 * A figure whose denominator is 0 is NAN (NA, never 0): the shares and
 * the ratio of a sample of no rows, the ratio of a group of share 0 (one
 * the population does not list), tvd and chi2 of no rows, p_value with
 * df < 1. A group of the sample that the population does not list (or
 * lists with share 0) makes chi2 and p_value NAN: its expected count is
 * 0, so the statistic would be infinite; such a sample cannot come from
 * that population. A group the population lists and the sample lacks
 * has count 0 and ratio 0.
 *
 * The table lists the population's groups in the order of its file, then
 * the sample's other groups in the order of their first rows. Memory
 * follows the number of groups.
 */
#ifndef PREP_FAIRNESS_REPR_H
#define PREP_FAIRNESS_REPR_H

#include <stdint.h>
#include <stdio.h>

#include "csv.h"
#include "prep.h"

/* Shares must add up to 1 within this. */
#define PREP_REPR_SUM_TOLERANCE 1e-6
/* The most groups, of the population and the sample together. */
#define PREP_REPR_MAX_GROUPS ((size_t)10000000)

typedef struct prep_repr prep_repr;

/*
 * A table for rows whose group columns are groups[0..ngroups) (copied).
 * PREP_ERR_ARG for no group column.
 */
prep_status prep_repr_new(const size_t *groups, size_t ngroups,
			  prep_repr **out);
void prep_repr_free(prep_repr *r);

/*
 * What was wrong with a population file: where (file, line: 0 for the
 * file as a whole; field 1-based, 0: none) and a message that quotes no
 * value of the file, only column names and numbers it computed.
 */
typedef struct prep_repr_fault {
	prep_where where;
	char why[256];
} prep_repr_fault;

/*
 * Add a group of the population, values[0..ngroups) in the order of the
 * group columns, with its share (0 <= share, finite), read on line
 * `line`. PREP_ERR_ARG when the group is listed already (*first the
 * line that listed it), PREP_ERR_LIMIT past PREP_REPR_MAX_GROUPS,
 * PREP_ERR_MEMORY, PREP_ERR_NOMEM. Before the first row is counted.
 */
prep_status prep_repr_population_add(prep_repr *r, const prep_field *values,
				     double share, unsigned long line,
				     unsigned long *first);

/*
 * Read the population from the CSV file path with the options o (its
 * quoting and caps; the delimiter is the file's own, by its name or its
 * first line as for an input without -d; the file always has a header,
 * and is read whole): the columns named names[0..ngroups) (the group columns'
 * names, byte for byte) and `share`, others ignored. A share is a number
 * (prep_parse_number's syntax) from 0; the shares must add up to 1
 * within PREP_REPR_SUM_TOLERANCE. On error *f says what and where:
 * PREP_ERR_IO (the file can't be read; errno), PREP_ERR_NO_HEADER (an
 * empty file), PREP_ERR_COLUMN (a
 * column missing from the header, or named twice), PREP_ERR_VALUE (a
 * share empty, not a number, negative), PREP_ERR_ARG (a group listed
 * twice), PREP_ERR_RANGE (the sum), or the reader's error.
 */
prep_status prep_repr_population_load(prep_repr *r, const char *path,
				      const prep_csv_options *o,
				      const prep_field *names,
				      prep_repr_fault *f);

/* Groups the population lists. */
size_t prep_repr_population_groups(const prep_repr *r);

/*
 * Count one row (its fields cover the group columns), at place (a
 * number that grows with the rows' order in the input, par.h's piece
 * << 32 | index: the order of the sample's groups that the population
 * does not list). PREP_ERR_LIMIT, PREP_ERR_MEMORY, PREP_ERR_NOMEM,
 * PREP_ERR_CRYPTO: the row is not counted.
 */
prep_status prep_repr_add(prep_repr *r, const prep_field *row, uint64_t place);

/* Add the counts of from (same group columns) into into. */
prep_status prep_repr_merge(prep_repr *into, const prep_repr *from);

/* The figures of the whole; NAN for NA. */
typedef struct prep_repr_summary {
	uint64_t n; /* rows */
	double chi2, p_value, tvd;
	double df;	  /* NAN when no group has a share */
	double min_ratio; /* the lowest ratio of a group of share > 0 */
	size_t unlisted;  /* groups of the sample not in the population */
	size_t absent;	  /* groups of the population not in the sample */
} prep_repr_summary;

/* One group's figures, in the table's order. */
typedef struct prep_repr_group {
	uint64_t count;
	double sample_share, population_share, ratio, difference;
	int listed; /* the population lists it */
} prep_repr_group;

/*
 * Compute the figures (after the last row): *s, and the table's order.
 * PREP_ERR_NOMEM.
 */
prep_status prep_repr_finish(prep_repr *r, prep_repr_summary *s);
/* Groups in the table (after prep_repr_finish). */
size_t prep_repr_groups(const prep_repr *r);
/*
 * The i-th group of the table: its figures, and its values into
 * values[0..ngroups) (borrowed until the table changes). PREP_ERR_ARG
 * for i out of range.
 */
prep_status prep_repr_group_at(const prep_repr *r, size_t i, prep_repr_group *g,
			       prep_field *values);

/* Gates (gate.h's slack): a figure NA fails. */
typedef struct prep_repr_gates {
	int min_ratio_set, max_tvd_set;
	double min_ratio; /* every group of share > 0: ratio >= min_ratio */
	double max_tvd;	  /* tvd <= max_tvd */
} prep_repr_gates;

#define PREP_REPR_FAIL_RATIO 1u
#define PREP_REPR_FAIL_TVD 2u

/* The gates s fails, PREP_REPR_FAIL_* bits; 0: passed. */
unsigned prep_repr_check(const prep_repr_summary *s, const prep_repr_gates *g);
/* 1 when group g fails the ratio gate (a share > 0, ratio past it). */
int prep_repr_group_fails(const prep_repr_group *g, const prep_repr_gates *gt);

/*
 * Reports (fairness(1), Representation); figures as in fairness.h's
 * (%.10g or NA in the table and summary, json.h's rule in JSON).
 * names[0..ngroups): the group columns' names (borrowed).
 *
 * The table: with header, "NAME...,count,sample_share,population_share,
 * representation_ratio,difference" first, then a record per group.
 */
prep_status prep_repr_report_table(const prep_repr *r, const prep_field *names,
				   int header, prep_writer *w);
/*
 * {"chi2":X,"df":N,"p_value":X,"tvd":X,"groups":[{"NAME":"VALUE"...,
 * "count":N,"sample_share":X,"population_share":X,
 * "representation_ratio":X,"difference":X}...]} and, with a gate,
 * "satisfied" last. r NULL: "groups":[]. Names and values are expected
 * to be UTF-8 (else replaced, json.h).
 */
prep_status prep_repr_report_json(const prep_repr *r, const prep_field *names,
				  const prep_repr_summary *s,
				  const prep_repr_gates *g, prep_writer *w);
/* "chi2: X\ndf: N\np_value: X\ntvd: X\n", then "satisfied: yes|no\n"
 * with a gate. PREP_ERR_IO. */
prep_status prep_repr_report_summary(FILE *out, const prep_repr_summary *s,
				     const prep_repr_gates *g);

/*
 * Can names[0..ngroups) be keys of the JSON report's group objects:
 * UTF-8 without NUL (else PREP_ERR_UTF8), none of the table's other
 * columns nor an earlier name (PREP_ERR_ARG); *bad the first at fault.
 */
prep_status prep_repr_json_names(const prep_field *names, size_t ngroups,
				 size_t *bad);

#endif
