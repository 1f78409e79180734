/*
 * recode.h: what kanon's two recodings (kanon(1)) start from, what they
 * end with, and what that costs.
 *
 * The input is the class table of the rows as read (classes.h): the
 * distinct tuples of quasi-identifier values with their row counts and
 * their counts of sensitive values, every QI value encoded as a dense code
 * of its column, with the column's hierarchy when it has one. Memory
 * follows the distinct tuples and values, never the rows.
 *
 * A recoding (global: lattice.h, one hierarchy level per QI; local:
 * mondrian.h, a partition of the tuples) ends with a result: every input
 * tuple belongs to one released class, each class with one released value
 * per QI and that value's cost; then prep_recode_finish suppresses the
 * classes that fail a check and prep_recode_metrics measures the release.
 *
 * Metrics (man1/kanon.1 gives the same definitions), n rows, s of them
 * suppressed, d QIs, C kept classes:
 *   dm   = sum over kept classes E of |E|^2, plus n for each suppressed row
 *	    (Bayardo and Agrawal, ICDE 2005);
 *   aecs = (n - s) / (C k) (LeFevre et al., ICDE 2006);
 *   gcp  = mean over rows and QIs of the NCP of the released value, 1 for
 *	    a suppressed row (Ghinita et al., VLDB 2007; Xu et al., KDD 2006):
 *	    numeric QI (every data value a number): (max - min) / range of
 *	    the data values the released value covers; categorical, with a
 *	    hierarchy: (leaves - 1) / (|D| - 1) over the hierarchy's rows;
 *	    without one: (values - 1) / (|D| - 1) over the data's values;
 *   loss = ARX's loss model (Prasser et al., "Lightning", and ARX's
 *	    documentation), generalization and suppression weighted alike:
 *	    per QI j, S_j = sum over kept rows of the share of the domain the
 *	    released value covers (hierarchy leaves under it / leaves; without
 *	    a hierarchy, data values inside it / data values) + s;
 *	    L_j = (S_j - n/|D_j|) / (n - n/|D_j|), at least 0;
 *	    loss = prod_j (1 + L_j)^(1/d) - 1.
 */
#ifndef PREP_RECODE_H
#define PREP_RECODE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "classes.h"
#include "hierarchy.h"
#include "kanon.h"
#include "prep.h"

/* One quasi-identifier column of the input. */
typedef struct prep_recode_qi {
	prep_field name;
	size_t nvalues;	   /* distinct data values: codes 0 .. nvalues-1 */
	prep_field *value; /* by code, as in the data */
	int numeric;	   /* every value parses as a number (text.h) */
	double *number;	   /* numeric: the value of each code */
	double min, max;   /* numeric: of the whole column */
	/*
	 * The hierarchy (height 0: none). Levels 0 .. height-1, level 0 the
	 * data values themselves (label ids = codes), level l the file's
	 * column l. label[l][code] is the id of the code's label at level l,
	 * 0 .. nlabels[l]-1; labels are consistent: two codes with one label
	 * at level l share their labels at every level above.
	 */
	size_t height;
	size_t leaves;		 /* the hierarchy's rows: |D| */
	uint32_t **label;	 /* [level][code] */
	size_t *nlabels;	 /* [level] */
	prep_field **label_text; /* [level][label] */
	double **share;		 /* [level][label]: leaves under it / leaves */
	double **ncp;		 /* [level][label]: the NCP of releasing it */
} prep_recode_qi;

/* The table a recoding starts from. */
typedef struct prep_recode_input {
	size_t nqi;
	prep_recode_qi *qi;
	size_t ntuples;	 /* distinct QI tuples of the data */
	uint32_t *code;	 /* [tuple * nqi + j]: the tuple's code of QI j */
	uint64_t *count; /* [tuple]: rows */
	uint64_t rows;	 /* n */
	/* the sensitive column (nsvalues 0: none) */
	size_t nsvalues;
	prep_field *svalue; /* [value id] */
	size_t *srun;	    /* tuple t's counts: scount[srun[t] .. srun[t+1]) */
	prep_class_count *scount;
	prep_kanon_params params; /* the checks; max_suppress is F */
	/* owned storage */
	prep_buf text;
} prep_recode_input;

/*
 * Build the input from the class table c of the QI columns (and the
 * sensitive column, when p asks for l or t): names[j] the QIs' names,
 * hier[j] QI j's hierarchy loaded with every level (PREP_HIERARCHY_ALL)
 * or NULL (borrowed: it must outlive the input). The data's values must
 * all be in their hierarchies (the caller checks as it reads rows):
 * PREP_ERR_NOT_FOUND otherwise; PREP_ERR_VALUE, with *bad_qi and *where
 * (the hierarchy's line and field) when a hierarchy is not a tree (one
 * label with two labels above it); PREP_ERR_NOMEM.
 */
prep_status prep_recode_input_new(prep_classes *c, const prep_field *names,
				  prep_hierarchy *const *hier, size_t nqi,
				  const prep_kanon_params *p,
				  prep_recode_input **out, size_t *bad_qi,
				  prep_where *where);
void prep_recode_input_free(prep_recode_input *in);

/*
 * The code of each of a row's QI values is found with the class table:
 * the tuple of a row is its class id in c (prep_classes_find).
 */

/* The values one QI releases: each one's text, share (loss), NCP (gcp). */
typedef struct prep_recode_values {
	const prep_field *text;
	const double *share;
	const double *ncp;
} prep_recode_values;

/*
 * What a recoding ends with. Class c releases for QI j value number
 * label[c * nqi + j] of values[j] (prep_recode_text, _share, _ncp). Global
 * recoding releases its level's hierarchy labels: label holds them and
 * values[j] is borrowed from the input. Local recoding releases a value of
 * its own per class and QI: they are release, share and ncp (owned), at
 * [c * nqi + j], and label is NULL.
 */
typedef struct prep_recode_result {
	size_t nclasses;
	size_t nqi;
	size_t *class_of;	    /* [tuple]: its class, 0 .. nclasses-1 */
	uint32_t *label;	    /* [class * nqi + j]; NULL: local */
	prep_recode_values *values; /* [j] */
	prep_field *release;	    /* local: [class * nqi + j]; else NULL */
	double *share;		    /* local: as release */
	double *ncp;		    /* local: as release */
	uint64_t *size;		    /* [class]: rows (prep_recode_finish) */
	unsigned char *kept;	    /* [class]: 0 suppressed (finish) */
	size_t *levels;		/* global: [j] the level of QI j; else NULL */
	uint64_t nodes_checked; /* global: lattice nodes whose classes were
				   counted */
	prep_buf text;		/* owned storage for released values */
} prep_recode_result;

/*
 * An empty result for in with room for nclasses classes: class_of and
 * values allocated; with own_values (local) release, share and ncp
 * allocated, zeroed, and values[j] pointing into them; else label
 * allocated, zeroed, and values[j] for the caller to set. size and kept
 * are allocated by prep_recode_finish.
 */
prep_status prep_recode_result_init(prep_recode_result *r,
				    const prep_recode_input *in,
				    size_t nclasses, int own_values);
void prep_recode_result_free(prep_recode_result *r);

/* Class c's released value of QI j: text, share and NCP. */
const prep_field *prep_recode_text(const prep_recode_result *r, size_t c,
				   size_t j);
double prep_recode_share(const prep_recode_result *r, size_t c, size_t j);
double prep_recode_ncp(const prep_recode_result *r, size_t c, size_t j);

/*
 * Sizes, and the suppression of kanon(1): every class that fails k or l
 * is suppressed; then, with t, classes whose distance to the rows still
 * released is over t are suppressed too, until none is. *suppressed gets
 * the rows suppressed, *pass whether they are at most F of the input
 * (prep_gate_at_most). PREP_ERR_NOMEM.
 */
prep_status prep_recode_finish(const prep_recode_input *in,
			       prep_recode_result *r, uint64_t *suppressed,
			       int *pass);

/*
 * The classes of a recoding as the checks see them: sizes and the counts
 * of sensitive values (class i's at scount[srun[i] .. srun[i+1]), only
 * when l or t is checked).
 */
typedef struct prep_recode_classes {
	size_t n;
	uint64_t *size;
	size_t *srun;
	prep_class_count *scount;
} prep_recode_classes;

/*
 * The input's tuples as classes (borrowed from in: never free them; srun
 * and scount NULL without l and t).
 */
void prep_recode_tuples(const prep_recode_input *in, prep_recode_classes *k);

/*
 * Classes k made of the classes src, group_of[i] the new class
 * (0 .. ngroups-1) of src's class i: sizes summed, sensitive counts
 * merged.
 */
prep_status prep_recode_merge(const prep_recode_input *in,
			      const prep_recode_classes *src,
			      const size_t *group_of, size_t ngroups,
			      prep_recode_classes *k);

/* The classes of class_of[0 .. in->ntuples), ids 0 .. nclasses-1. */
prep_status prep_recode_classes_of(const prep_recode_input *in,
				   const size_t *class_of, size_t nclasses,
				   prep_recode_classes *k);
void prep_recode_classes_free(prep_recode_classes *k);

/*
 * The suppression rule of prep_recode_finish on classes k, judged by judge
 * (made for in->params and in's sensitive values): kept[i] for each
 * class, *suppressed the rows suppressed.
 */
prep_status prep_recode_suppress(const prep_recode_input *in,
				 const prep_recode_classes *k,
				 prep_kanon_judge *judge, unsigned char *kept,
				 uint64_t *suppressed);

/* Are suppressed rows within F of the input (prep_gate_at_most)? */
int prep_recode_within(const prep_recode_input *in, uint64_t suppressed);

/* |D| of a QI: its hierarchy's rows, or without one its data values. */
double prep_recode_domain(const prep_recode_qi *q);

/*
 * loss from S_j = sum[j] (kept rows' shares plus suppressed rows), for
 * QIs 0 .. in->nqi-1.
 */
double prep_recode_loss(const prep_recode_input *in, const double *sum);

typedef enum prep_recode_metric {
	PREP_METRIC_LOSS,
	PREP_METRIC_DM,
	PREP_METRIC_AECS,
	PREP_METRIC_GCP
} prep_recode_metric;

/* loss, dm, aecs, gcp; PREP_ERR_ARG for any other name. */
prep_status prep_recode_metric_parse(const char *name, prep_recode_metric *m);
const char *prep_recode_metric_name(prep_recode_metric m);

/* The figures of a finished result. */
typedef struct prep_recode_figures {
	uint64_t rows;	  /* released: n - s */
	uint64_t classes; /* kept */
	uint64_t min_class_size;
	uint64_t suppressed_rows;
	uint64_t dm;
	double aecs, gcp, loss;
} prep_recode_figures;

/* The figures of r, finished (prep_recode_finish). PREP_ERR_NOMEM. */
prep_status prep_recode_metrics(const prep_recode_input *in,
				const prep_recode_result *r,
				prep_recode_figures *f);

/*
 * kcheck's figures and checks (prep_kanon_evaluate_table, with in's
 * params) of the classes r releases, finished (prep_recode_finish): the
 * classes r suppressed count as suppressed, t is measured against the
 * rows released. Fills k (free it with prep_kanon_report_free).
 * PREP_ERR_NOMEM.
 */
prep_status prep_recode_checks(const prep_recode_input *in,
			       const prep_recode_result *r,
			       prep_kanon_report *k);

/* The value of metric m in f, as a double (dm exactly below 2^53). */
double prep_recode_figure(const prep_recode_figures *f, prep_recode_metric m);

/* What a report says about a finished recoding. */
typedef struct prep_recode_report {
	const char *method; /* "global" or "local" */
	prep_recode_metric metric;
	const prep_recode_input *in;
	const prep_recode_result *r;
	const prep_recode_figures *f;
	const char *const *hier_path; /* [j]: QI j's hierarchy file, or NULL */
	double seconds;
	int satisfied;
} prep_recode_report;

/*
 * The full report (kanon -r, -v), one "name: value" line each:
 *
 *	method: global|local
 *	metric: loss|dm|aecs|gcp
 *	levels: QI=L QI=L ...		global only, QIs in -q order
 *	rows: N				released (suppressed rows excluded)
 *	classes: N
 *	min_class_size: N
 *	suppressed_rows: N
 *	dm: N
 *	aecs: X
 *	gcp: X
 *	loss: X
 *	nodes_checked: N
 *	seconds: S
 *	satisfied: yes|no
 *	anonymize: -a QI:hierarchy:FILE:L ...	global and satisfied only
 *
 * X in "%.10g", S in "%.3f". The anonymize line applies the same levels
 * with anonymize(1) (QIs at level 0 left out), each argument quoted for a
 * POSIX shell when it needs it. PREP_ERR_IO when f has an error after it.
 */
prep_status prep_recode_report_text(FILE *f, const prep_recode_report *rep);

/*
 * The same as one JSON object on one line ending in '\n', keys in the
 * order above, levels an object {QI: L}, satisfied a boolean, anonymize
 * a string. Numbers by json.h's rule. PREP_ERR_NOMEM, PREP_ERR_IO.
 */
prep_status prep_recode_report_json(FILE *f, const prep_recode_report *rep);

/*
 * The one-line summary (without the tool's name and the line end):
 *
 *	[no solution: ]METHOD[ levels QI=L,QI=L...]: R rows in C classes
 *	  (smallest M, k=K), S suppressed; METRIC V
 *
 * V in "%.6g"; "row" and "class" for a count of 1. PREP_ERR_RANGE when size is
 *too small (256 bytes plus the QIs' names and levels suffice).
 */
prep_status prep_recode_report_summary(const prep_recode_report *rep, char *buf,
				       size_t size);

/*
 * The anonymize(1) arguments that apply a global result's levels into out
 * (NUL-terminated; empty for a local result or all levels 0).
 */
prep_status prep_recode_anonymize_args(const prep_recode_report *rep,
				       prep_buf *out);

#endif
