/*
 * fairness_proxies.h: how strongly each column of a table stands in for
 * a protected attribute (fairness(1) --proxies, section Proxies).
 *
 * A column that predicts the protected attribute (a zip code for race, a
 * first name or an occupation for sex) carries it into a model even when
 * the attribute itself is dropped. For every candidate column X and the
 * protected attribute A (the tuple of the protected columns' values, one
 * combined attribute), one pass over the rows counts the contingency
 * table n_ij: rows with the i-th value of X and the j-th level of A.
 * Every figure comes from that table (n rows, k values of X, r levels of
 * A, R_i and C_j the row and column sums):
 *
 *   cramers_v (bias-corrected; W. Bergsma, "A bias-correction for
 *   Cramer's V and Tschuprow's T", Journal of the Korean Statistical
 *   Society 42(3), 2013, 323-328):
 *	chi2   = sum_ij (n_ij - R_i C_j / n)^2 / (R_i C_j / n)
 *	phi2   = max(0, chi2 / n - (k-1)(r-1)/(n-1))
 *	k~     = k - (k-1)^2/(n-1),  r~ = r - (r-1)^2/(n-1)
 *	V      = sqrt(phi2 / min(k~ - 1, r~ - 1))
 *   eta, the correlation ratio (K. Pearson, "On the general theory of
 *   skew correlation and non-linear regression", 1905: the share of X's
 *   variance that the levels of A explain), for numeric columns, over
 *   the rows whose X is a number, x_i the value of X's i-th value:
 *	m      = sum_ij n_ij x_i / n'
 *	eta    = sqrt(sum_j (sum_i n_ij (x_i - m))^2 / C'_j
 *		      / sum_i R'_i (x_i - m)^2)
 *   nmi, normalized mutual information with the arithmetic mean of the
 *   entropies (N. X. Vinh, J. Epps and J. Bailey, "Information theoretic
 *   measures for clusterings comparison", JMLR 11, 2010, 2837-2854:
 *   NMI_sum; scikit-learn's normalized_mutual_info_score by default),
 *   natural logarithms, for every column over its distinct values:
 *	I      = sum_ij (n_ij/n) ln(n n_ij / (R_i C_j))
 *	H(X)   = -sum_i (R_i/n) ln(R_i/n), H(A) likewise
 *	nmi    = I / ((H(X) + H(A)) / 2)
 *
 * A column is numeric when every value of it that is not missing reads
 * as a number (text.h prep_parse_number) and at least one does, unless
 * the params name it categorical; any other column, a mixed one
 * included, is categorical. A missing value
 * (missing.h) is a value of its own for cramers_v and nmi and is left
 * out of eta. strength is cramers_v for a categorical column, eta for a
 * numeric one. A figure whose denominator is 0 (one value or one level,
 * n <= 1, every value distinct so that k~ - 1 <= 0, a constant numeric
 * column, entropies both 0) is NAN: NA, never 0.
 *
 * Memory: the table of each column, bounded by max_levels values: a
 * column that shows more is skipped, its table freed at once, and
 * counted no further. The protected attribute may have at most
 * max_levels levels too (PREP_ERR_LIMIT past that). Counts are kept in a
 * matrix of values by levels, 8 bytes a cell, charged to memcap.h's
 * budget.
 *
 * The figures do not depend on the order of the rows: they are computed
 * with the values and levels sorted by their bytes, so that tables
 * counted apart (one per thread) and merged give the same figures to the
 * bit as one table of every row.
 */
#ifndef PREP_FAIRNESS_PROXIES_H
#define PREP_FAIRNESS_PROXIES_H

#include <stdint.h>
#include <stdio.h>

#include "csv.h"
#include "missing.h"
#include "prep.h"

/* The default of max_levels: more distinct values make an id or text. */
#define PREP_PROXIES_DEFAULT_MAX_LEVELS ((size_t)1000)
/* The largest max_levels accepted. */
#define PREP_PROXIES_MAX_LEVELS ((size_t)10000000)

typedef struct prep_proxies prep_proxies;

typedef struct prep_proxies_params {
	const size_t *protected; /* the protected columns (0-based) */
	size_t nprotected;	 /* at least 1 */
	const size_t *columns;	 /* the candidate columns, none protected */
	size_t ncolumns;
	/* columns measured as categorical whatever their values (codes
	 * in digits: zip codes, classes); none need be candidates */
	const size_t *categorical;
	size_t ncategorical;
	size_t max_levels;	     /* 0: the default */
	const prep_missing *missing; /* NULL: the empty cell */
	/*
	 * The names of every column of a row (indexed by column), borrowed
	 * until the table is freed: ties of strength are broken by name;
	 * NULL: by column number (-H).
	 */
	const prep_field *names;
} prep_proxies_params;

typedef enum prep_proxy_kind {
	PREP_PROXY_CATEGORICAL,
	PREP_PROXY_NUMERIC
} prep_proxy_kind;

/* The figures of one column. */
typedef struct prep_proxy {
	size_t column; /* its column (0-based) */
	prep_proxy_kind kind;
	size_t levels;	  /* its distinct values, missing included */
	uint64_t n_eta;	  /* rows whose value is a number (numeric) */
	double cramers_v; /* categorical only: NAN for numeric */
	double eta;	  /* numeric only: NAN for categorical */
	double nmi;	  /* every column */
	double strength;  /* cramers_v or eta */
} prep_proxy;

/*
 * A table for rows laid out as p describes (p's arrays are copied).
 * PREP_ERR_ARG for no protected column, a candidate that is one, or
 * max_levels past PREP_PROXIES_MAX_LEVELS.
 */
prep_status prep_proxies_new(const prep_proxies_params *p, prep_proxies **out);
void prep_proxies_free(prep_proxies *x);

/*
 * Count one row (its fields cover every column p names). PREP_ERR_LIMIT
 * when the protected attribute passes max_levels levels;
 * PREP_ERR_MEMORY past the memory budget, PREP_ERR_NOMEM, PREP_ERR_CRYPTO
 * (no hash key). After an error the table can only be freed.
 */
prep_status prep_proxies_add(prep_proxies *x, const prep_field *row);

/*
 * Add the counts of from (made with the same parameters) into into: a
 * column skipped in either, or that passes max_levels in the sum, is
 * skipped. Errors as prep_proxies_add's; from is left as it was.
 */
prep_status prep_proxies_merge(prep_proxies *into, const prep_proxies *from);

/* Rows counted; levels of the protected attribute seen. */
uint64_t prep_proxies_rows(const prep_proxies *x);
size_t prep_proxies_levels(const prep_proxies *x);

/*
 * The figures, computed once from the tables (PREP_ERR_NOMEM): *list
 * (borrowed, valid until the table is freed) holds the columns that were
 * measured, *n of them, by strength, strongest first, a strength NA
 * last, ties by name (or column number); *skipped the candidate columns
 * that had more than max_levels values, *nskipped of them, in the order
 * of p->columns. No rows: every column measured, every figure NA.
 */
prep_status prep_proxies_results(prep_proxies *x, const prep_proxy **list,
				 size_t *n, const size_t **skipped,
				 size_t *nskipped);

/* The gate of --max-proxy: fail when the strongest is past max or NA. */
typedef struct prep_proxies_gate {
	int set;
	double max; /* fail when the strongest strength > max (gate.h) */
} prep_proxies_gate;

/*
 * 1 when the figures pass g (or g is not set): a strongest strength, not
 * NA, at most g->max with gate.h's slack; else 0.
 */
int prep_proxies_check(const prep_proxy *list, size_t n,
		       const prep_proxies_gate *g);

/*
 * Reports (fairness(1), Proxies). Figures in the table and the summary
 * with 10 significant digits (%.10g) or NA; in JSON by json.h's rule,
 * null for NA. names: as in the params (NULL: columns named by their
 * 1-based numbers).
 *
 * The table: with header, a record "column,kind,levels,cramers_v,eta,
 * nmi,strength" first; then one record per measured column, in the order
 * of the list. Returns the writer's status.
 */
prep_status prep_proxies_report_table(const prep_proxy *list, size_t n,
				      const prep_field *names, int header,
				      prep_writer *w);

/*
 * One JSON object on one line, written raw to w:
 * {"strongest":NAME|null,"strength":X|null,"proxies":[{"column":NAME,
 * "kind":"categorical"|"numeric","levels":N,"cramers_v":X,"eta":X,
 * "nmi":X,"strength":X}...],"skipped":[NAME...]} and, when g is set,
 * "satisfied":true|false last. PREP_ERR_NOMEM or the writer's status.
 */
prep_status prep_proxies_report_json(const prep_proxy *list, size_t n,
				     const size_t *skipped, size_t nskipped,
				     const prep_field *names,
				     const prep_proxies_gate *g,
				     prep_writer *w);

/*
 * The summary lines: "strongest: NAME\nstrength: X\n" (NA for both
 * without a measured strength), then "satisfied: yes|no\n" when g is set.
 * PREP_ERR_IO when out could not take them.
 */
prep_status prep_proxies_report_summary(FILE *out, const prep_proxy *list,
					size_t n, const prep_field *names,
					const prep_proxies_gate *g);

#endif
