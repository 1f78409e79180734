/*
 * kanon.h: k-anonymity, l-diversity, t-closeness and re-identification
 * risk of a table of equivalence classes (classes.h), as kcheck reports
 * them (kcheck(1)).
 *
 * Definitions follow ARX: k-anonymity (Sweeney 2002); prosecutor risk
 * (El Emam, "Guide to the De-Identification of Personal Health
 * Information", 2013); l-diversity, distinct, entropy and recursive (c,l)
 * (Machanavajjhala et al., ICDE 2006); t-closeness with the earth mover's
 * distance, ordered or equal (Li, Li, Venkatasubramanian, ICDE 2007).
 */
#ifndef PREP_KANON_H
#define PREP_KANON_H

#include <stdint.h>
#include <stdio.h>

#include "classes.h"

typedef enum prep_ldiv {
	PREP_LDIV_DISTINCT,
	PREP_LDIV_ENTROPY,
	PREP_LDIV_RECURSIVE
} prep_ldiv;

/* A variant's name as --ldiv takes it: distinct, entropy or recursive. */
const char *prep_kanon_ldiv_name(prep_ldiv v);
/* The variant of a name; PREP_ERR_ARG for any other name. */
prep_status prep_kanon_ldiv_parse(const char *name, prep_ldiv *v);

typedef struct prep_kanon_params {
	uint64_t k;	     /* every class must have at least k rows (>= 1) */
	int suppress;	     /* drop the rows of classes smaller than k */
	double max_suppress; /* fraction of the input that may be dropped */
	int check_l;	     /* l-diversity of the sensitive column */
	double l;	     /* >= 1 */
	prep_ldiv ldiv;
	double c;    /* recursive (c,l): c > 0 */
	int check_t; /* t-closeness of the sensitive column */
	double t;    /* 0 <= t <= 1 */
} prep_kanon_params;

/* Defaults: k = 2, no suppression (max 0.05 when on), distinct l, c = 1. */
void prep_kanon_params_init(prep_kanon_params *p);

typedef struct prep_kanon_bin {
	uint64_t size;	  /* class size */
	uint64_t classes; /* number of classes of that size */
} prep_kanon_bin;

/*
 * The figures of the data that would be released: with suppression, of
 * the rows left (suppressed_rows says how many went). With no rows every
 * figure is 0 and the data satisfies every check.
 */
typedef struct prep_kanon_report {
	uint64_t rows;
	uint64_t classes;
	uint64_t min_class_size;
	double avg_class_size; /* rows / classes */
	uint64_t k;
	uint64_t violating_classes; /* classes failing any check asked for */
	uint64_t violating_rows;    /* rows of those classes */
	uint64_t suppressed_rows;
	double prosecutor_risk_max; /* 1 / min_class_size */
	double prosecutor_risk_avg; /* classes / rows */
	double records_at_risk;	    /* fraction of rows in classes < k */
	double sample_uniqueness;   /* fraction of rows in classes of 1 */
	prep_kanon_bin *histogram;  /* by size, ascending */
	size_t nhistogram;
	int has_l;
	double l_min; /* distinct: fewest distinct values in a class;
			 entropy: smallest exp(entropy); recursive: the
			 smallest, over classes, of the largest l the class
			 satisfies (0 when none) */
	int has_t;
	int t_ordered; /* ordered distance (all values numeric) */
	double t_max;  /* largest distance of a class to the whole table */
	int k_ok, l_ok, t_ok;
	int suppress_ok; /* suppressed rows within max_suppress */
	int satisfied;
} prep_kanon_report;

/*
 * Evaluate the checks of p on the classes; fills r (free it with
 * prep_kanon_report_free). PREP_ERR_ARG when p asks for l or t without a
 * sensitive column in the table, or has a parameter out of range.
 */
prep_status prep_kanon_evaluate(prep_classes *c, const prep_kanon_params *p,
				prep_kanon_report *r);
void prep_kanon_report_free(prep_kanon_report *r);

/*
 * Classes held as arrays rather than in a class table (kanon's recodings,
 * recode.h): n classes, class i of size[i] rows (a class of 0 rows is
 * ignored), released unless kept[i] is 0 (kept NULL: every class is),
 * with l or t the counts of its sensitive values at scount[srun[i] ..
 * srun[i+1]) (srun NULL: no sensitive column), values[0..nvalues) the
 * sensitive values by id. All borrowed.
 */
typedef struct prep_kanon_table {
	size_t n;
	const uint64_t *size;
	const unsigned char *kept;
	const size_t *srun;
	const prep_class_count *scount;
	const prep_field *values;
	size_t nvalues;
} prep_kanon_table;

/*
 * prep_kanon_evaluate on such classes: the same figures, checks and
 * errors, the classes that are not kept taken as suppressed (p->suppress
 * says whether their share is checked against p->max_suppress).
 */
prep_status prep_kanon_evaluate_table(const prep_kanon_table *t,
				      const prep_kanon_params *p,
				      prep_kanon_report *r);

/*
 * The class-size histogram in the bins of the audit record's
 * classes_of_size checks (kcheck, kanon): each size from 1 to
 * PREP_KANON_SIZE_BIN_EXACT a bin of its own (lo = hi), larger sizes in
 * power-of-two bins [2^j, 2^(j+1) - 1]: 32-63, 64-127, ... Only bins that hold
 * classes, by ascending size, into bins, which must have room for
 * PREP_KANON_SIZE_BINS; returns how many.
 */
#define PREP_KANON_SIZE_BIN_EXACT 31
#define PREP_KANON_SIZE_BINS (PREP_KANON_SIZE_BIN_EXACT + 59)
typedef struct prep_kanon_size_bin {
	uint64_t lo, hi;  /* sizes lo .. hi */
	uint64_t classes; /* classes of those sizes */
} prep_kanon_size_bin;

size_t prep_kanon_size_bins(const prep_kanon_report *r,
			    prep_kanon_size_bin *bins);

/*
 * A judge: the checks of p on one class at a time, for searches that
 * build classes of their own (kanon(1)); prep_kanon_evaluate judges
 * kcheck's classes with it. The sensitive values are ids 0 .. nvalues-1,
 * values[id] their bytes (borrowed: they must outlive the judge), used to
 * find whether every released value is a number (the ordered distance of
 * t-closeness) or not (the equal distance).
 */
typedef struct prep_kanon_judge prep_kanon_judge;

prep_status prep_kanon_judge_new(const prep_kanon_params *p,
				 const prep_field *values, size_t nvalues,
				 prep_kanon_judge **out);
void prep_kanon_judge_free(prep_kanon_judge *j);

/*
 * The table t-closeness measures against: counts[id] rows released with
 * sensitive value id. Needed before judging with t, again whenever the
 * released rows change (after suppression).
 */
prep_status prep_kanon_judge_table(prep_kanon_judge *j, const uint64_t *counts);

/* Is the ordered distance used (every value of the table a number)? */
int prep_kanon_judge_ordered(const prep_kanon_judge *j);

/* The checks a class fails, as flags. */
#define PREP_KANON_FAIL_K 1
#define PREP_KANON_FAIL_L 2
#define PREP_KANON_FAIL_T 4

/*
 * Judge a class of size rows whose sensitive values have the counts
 * cnt[0..n) (any order; n 0 and cnt NULL when neither l nor t is
 * checked): *fails gets the PREP_KANON_FAIL_* flags of the checks it
 * fails, *l its l (as l_min of the report counts it; 0 without l), *t
 * its distance to the table (0 without t). PREP_ERR_ARG when t is checked
 * and no table was set, PREP_ERR_NOMEM.
 */
prep_status prep_kanon_judge_class(prep_kanon_judge *j, uint64_t size,
				   const prep_class_count *cnt, size_t n,
				   double *l, double *t, int *fails);

/* Does class id survive suppression (always, without --suppress)? */
int prep_kanon_class_kept(const prep_classes *c, const prep_kanon_params *p,
			  size_t id);

/*
 * The report of the checks p on f (kcheck -r and -v), one "name: value"
 * line per figure, in this order:
 *
 *	rows: N
 *	classes: N
 *	min_class_size: N
 *	avg_class_size: X
 *	k: N
 *	violating_classes: N
 *	violating_rows: N
 *	suppressed_rows: N
 *	prosecutor_risk_max: X
 *	prosecutor_risk_avg: X
 *	records_at_risk: X
 *	sample_uniqueness: X
 *	class_size_histogram: SIZE:CLASSES SIZE:CLASSES ...
 *	l_min: X (distinct|entropy|recursive, c=C)	only with l
 *	t_max: X (ordered|equal)			only with t
 *	satisfied: yes|no
 *
 * N a whole number, X a real in "%.10g" (2, 0.1666666667), C "%g" and
 * only for recursive; the histogram's pairs by size ascending, each after
 * a space (none with no rows). PREP_ERR_IO when f has an error after it.
 */
prep_status prep_kanon_report_text(FILE *f, const prep_kanon_report *r,
				   const prep_kanon_params *p);

/*
 * The same report as one JSON object on one line ending in '\n' on f,
 * keys in the order above: rows ... sample_uniqueness,
 * class_size_histogram (an object {"SIZE": CLASSES, ...}, by size
 * ascending), l_min (only with l), t_max (only with t), satisfied (true
 * or false). Numbers by the rule of json.h (3, 0.166666666666667).
 * PREP_ERR_NOMEM when the document can't be built, PREP_ERR_IO when f
 * has an error after it.
 */
prep_status prep_kanon_report_json(FILE *f, const prep_kanon_report *r);

/*
 * The one-line summary kcheck prints on stderr after its tool name,
 * without the line end, into buf[0..size) (NUL-terminated), one of
 *
 *	satisfied: R rows, C classes, smallest class M (k=K)
 *	not satisfied: S rows would be suppressed, more than F of the
 *	  input (k=K)			(suppression past max_suppress)
 *	not satisfied: V of C classes (W rows) fail; smallest class M (k=K)
 *
 * then ", l_min %.4g (l=%g)" with l, ", t_max %.4g (t=%g)" with t and,
 * with suppression within its limit, ", S rows suppressed". "row",
 * "class" for a count of 1 (the "of C classes" of a failure excepted);
 * F, l and t in "%g". PREP_KANON_SUMMARY_SIZE bytes always suffice;
 * PREP_ERR_RANGE (buf holds the line cut short) when size is smaller.
 */
#define PREP_KANON_SUMMARY_SIZE 512
prep_status prep_kanon_report_summary(const prep_kanon_report *r,
				      const prep_kanon_params *p, char *buf,
				      size_t size);

#endif
