/*
 * oversample.h: balance the classes of a data set by adding rows
 * (oversample(1), DESCRIPTION).
 *
 * A class is the tuple of the -g columns' values, compared byte for byte.
 * The strategies are imbalanced-learn's (sampling_strategy of its
 * over-samplers): each brings the chosen classes up to the count of the
 * majority class, the first class of the largest count (in order of
 * first appearance); "minority" is likewise the first class of the
 * smallest count. Explicit targets set the count a class must reach.
 *
 * Two methods:
 * - random: each new row is a copy of a row of its class, drawn uniformly
 *   with replacement. The caller keeps the rows (a spool); this table
 *   remembers only where each row is: its offset and length, 16 bytes.
 * - SMOTE (Chawla et al., "SMOTE: Synthetic Minority Over-sampling
 *   Technique", JAIR 16, 2002): a new row is x + u * (x_nn - x) over the
 *   numeric features, x a row of the class drawn uniformly, x_nn drawn
 *   uniformly among the K nearest rows of its class to x (Euclidean
 *   distance over the features, x itself excluded), u uniform in [0, 1).
 *   Every other column takes its most frequent value among those K
 *   neighbours, ties broken uniformly at random (SMOTE-NC's rule, §6.1 of
 *   the paper). Without features (all-categorical data) the distance is
 *   the number of columns whose values differ (the overlap metric) and
 *   every column takes the neighbours' most frequent value (as in
 *   imbalanced-learn's SMOTEN, with the overlap metric instead of the
 *   value difference metric). The table keeps the features (8 bytes
 *   each) and an id per other column (4 bytes each) of every row, and
 *   builds a k-d tree per class (Friedman, Bentley and Finkel, "An
 *   Algorithm for Finding Best Matches in Logarithmic Expected Time",
 *   ACM TOMS 3(3), 1977) for exact nearest-neighbour queries; each row's
 *   neighbours are found once, when first drawn.
 *
 * Use: prep_oversample_add every row, prep_oversample_plan once (this
 * frees what the classes that get no rows held), then prep_oversample_draw
 * (random) or prep_oversample_smote_row (SMOTE) prep_oversample_need(c)
 * times for every class c.
 *
 * On threads (par.h): each thread adds its rows to a table of its own
 * with prep_oversample_add_at, and prep_oversample_merge puts the tables
 * together into one that holds what prep_oversample_add of every row in
 * input order would have made: the same classes in the same order, the
 * same rows of each class in the same order, so the same draws.
 */
#ifndef PREP_OVERSAMPLE_H
#define PREP_OVERSAMPLE_H

#include <stdint.h>
#include <stddef.h>

#include "csv.h"
#include "noise.h"
#include "prep.h"

#define PREP_OVERSAMPLE_DEFAULT_MAX ((size_t)10000000)

typedef enum prep_oversample_strategy {
	PREP_OVERSAMPLE_NOT_MAJORITY = 0, /* every class but the majority */
	PREP_OVERSAMPLE_MINORITY,	  /* the minority class only */
	PREP_OVERSAMPLE_NOT_MINORITY,	  /* every class but the minority */
	PREP_OVERSAMPLE_ALL,		  /* every class */
	PREP_OVERSAMPLE_TARGETS		  /* explicit counts */
} prep_oversample_strategy;

typedef struct prep_oversample prep_oversample;

/*
 * A table for rows of ncols fields whose class is the tuple of fields
 * group[0..ngroup) (ngroup >= 1). smote: the SMOTE method, with features
 * feat[0..nfeat) (nfeat may be 0) and k >= 1 neighbours; otherwise feat
 * and k are ignored. max (0: the default) caps the classes and the
 * distinct values of each column SMOTE keeps. PREP_ERR_ARG for a column
 * out of range or a feature that is a group column.
 */
prep_status prep_oversample_new(size_t ncols, const size_t *group,
				size_t ngroup, int smote, const size_t *feat,
				size_t nfeat, size_t k, size_t max,
				prep_oversample **out);
void prep_oversample_free(prep_oversample *o);

/*
 * Count one row of ncols fields: for random, off and len are where the
 * caller keeps it; where (its file and line) names its class in
 * messages when the row is the class's first. For SMOTE, a feature that
 * is not a number (prep_parse_number's syntax) is PREP_ERR_VALUE and
 * *badcol (may be NULL) gets its column. PREP_ERR_LIMIT past a cap,
 * PREP_ERR_ARG after prep_oversample_plan. A refused row leaves the
 * table as it was.
 */
prep_status prep_oversample_add(prep_oversample *o, const prep_field *row,
				uint64_t off, uint64_t len, prep_where where,
				size_t *badcol);

/*
 * prep_oversample_add for a table of one of several threads (par.h):
 * place is the row's (a prep_par_row's piece << 32 | index), off its
 * offset in its piece's output (that piece's own bytes). The table
 * notes each class's rows by piece (8 bytes for each piece a class has
 * rows in), for prep_oversample_merge.
 */
prep_status prep_oversample_add_at(prep_oversample *o, const prep_field *row,
				   uint64_t off, uint64_t len, prep_where where,
				   uint64_t place, size_t *badcol);

/*
 * Put the tables parts[0..nparts) (of the threads of one run, made with
 * o's arguments and filled by prep_oversample_add_at) together into o
 * (new, empty), which takes them (freed in any case): classes in order
 * of first appearance, their counts and first rows now; the rows
 * themselves at prep_oversample_plan, which takes those of the classes
 * that get new rows from the parts, class by class, each in input order,
 * and lets the rest go. A random row's offset becomes piece_off[p] (p <
 * npieces, the bytes of the pieces before p in the spool) plus its own;
 * lead is the bytes a writer added before the spool's first record when
 * its piece was appended (prep_writer_append quotes a first field that
 * looks like gzip data or a byte order mark: 2, else 0): that record
 * grows by lead and the records after it in its piece move by lead.
 * PREP_ERR_LIMIT past the cap of classes or of a class's rows: *bad and
 * *badplace (else none, and UINT64_MAX) are the first row of the first
 * class past it in input order; PREP_ERR_LIMIT past the cap of values
 * of a column (SMOTE) has none; PREP_ERR_NOMEM.
 */
prep_status prep_oversample_merge(prep_oversample *o, prep_oversample **parts,
				  size_t nparts, const uint64_t *piece_off,
				  size_t npieces, uint64_t lead,
				  prep_where *bad, uint64_t *badplace);

/*
 * The length of the first record of p[0..n), a writer's CSV (quotes only
 * around fields, doubled inside them): up to its first line feed outside
 * quotes, included; n when there is none.
 */
uint64_t prep_oversample_record_len(const char *p, uint64_t n);

/* Rows counted; classes in order of first appearance. */
uint64_t prep_oversample_rows(const prep_oversample *o);
size_t prep_oversample_classes(const prep_oversample *o);
/* Rows of class c, and where its first row was. */
uint64_t prep_oversample_count(const prep_oversample *o, size_t c);
prep_where prep_oversample_first(const prep_oversample *o, size_t c);
/* Field i (0 .. ngroup-1) of class c; not NUL-terminated. */
prep_field prep_oversample_class_field(const prep_oversample *o, size_t c,
				       size_t i);
/* The class whose fields are vals[0..ngroup): PREP_ERR_NOT_FOUND if none. */
prep_status prep_oversample_find(const prep_oversample *o,
				 const prep_field *vals, size_t *c);

/*
 * A count as --target and oversample's options write it: 1 to 19 ASCII
 * digits, no sign, into *v. PREP_ERR_VALUE for anything else.
 */
prep_status prep_oversample_parse_count(const char *s, size_t len, uint64_t *v);

/* Why prep_oversample_parse_targets refused a list. */
typedef enum prep_oversample_target_error {
	PREP_OVERSAMPLE_TARGET_NOT_PAIR = 1, /* an item without '=' */
	PREP_OVERSAMPLE_TARGET_NOT_COUNT,    /* N is not a count */
	PREP_OVERSAMPLE_TARGET_ZERO,	     /* N is 0 */
	PREP_OVERSAMPLE_TARGET_VALUES,	     /* G is not one value per group
						column, joined by ':' */
	PREP_OVERSAMPLE_TARGET_UNKNOWN,	     /* no class G in the table */
	PREP_OVERSAMPLE_TARGET_TWICE,	     /* class G given before */
	PREP_OVERSAMPLE_TARGET_BELOW	     /* N is below the class's rows */
} prep_oversample_target_error;

typedef struct prep_oversample_target_fault {
	prep_oversample_target_error what;
	size_t item;	 /* the item, 1-based */
	size_t cls;	 /* BELOW: the class */
	uint64_t target; /* BELOW: N */
} prep_oversample_target_fault;

/*
 * The targets of a list "G=N,..." (oversample --target) for the classes
 * of o, after its last row: items are separated by ','; each is split at
 * its last '=' into a class G and a count N (prep_oversample_parse_count,
 * at least 1); G is the values of the class's group columns in order,
 * joined by ':' (prep_classes_split_name, as fairness --privileged reads
 * it), since ',' already separates items. Each item is checked in that
 * order (its '=', N, G's values, G a class of o, G not given before, N
 * at least G's rows: oversample only adds rows), item after item; the
 * first fault is reported. PREP_OK: *targets (malloc'd) holds a count
 * per class, 0 for the classes not given, as prep_oversample_plan takes
 * them. PREP_ERR_ARG: *fault says what and where (messages name the
 * item's number, not its text, which holds values). PREP_ERR_NOMEM.
 */
prep_status prep_oversample_parse_targets(const prep_oversample *o,
					  const char *list, uint64_t **targets,
					  prep_oversample_target_fault *fault);

/*
 * Decide how many rows each class gets, once, after the last row.
 * targets (PREP_OVERSAMPLE_TARGETS only) has one count per class, each
 * at least the class's count (else PREP_ERR_RANGE, *badclass gets the
 * first such class); 0 means "leave as it is". For SMOTE, a class that
 * gets rows must have more than k rows: else PREP_ERR_LIMIT, *badclass
 * gets it. PREP_ERR_ARG when called twice.
 */
prep_status prep_oversample_plan(prep_oversample *o, prep_oversample_strategy s,
				 const uint64_t *targets, size_t *badclass);

/* After prep_oversample_plan: the rows class c gets, and their sum. */
uint64_t prep_oversample_need(const prep_oversample *o, size_t c);
uint64_t prep_oversample_total_need(const prep_oversample *o);

/*
 * random: one row of class c drawn uniformly; *off and *len are what
 * prep_oversample_add was given for it. PREP_ERR_ARG before the plan,
 * for SMOTE, or for a class that gets no rows.
 */
prep_status prep_oversample_draw(prep_oversample *o, prep_rng *g, size_t c,
				 uint64_t *off, uint64_t *len);

/*
 * SMOTE: one new row of class c. *fields gets ncols fields, valid until
 * the next call: features as the shortest text that reads back as the
 * double (prep_format_double), other columns as stored. With base and nn
 * (may be NULL), the indexes within the class of x and x_nn, in order
 * of appearance. PREP_ERR_ARG as for prep_oversample_draw.
 */
prep_status prep_oversample_smote_row(prep_oversample *o, prep_rng *g, size_t c,
				      const prep_field **fields, uint64_t *base,
				      uint64_t *nn);

/*
 * The k nearest neighbours of row i of class c (i in order of
 * appearance), nearest first, into nn[0..k): what SMOTE draws from.
 * PREP_ERR_ARG as for prep_oversample_smote_row, or i out of range.
 */
prep_status prep_oversample_neighbours(prep_oversample *o, size_t c, uint64_t i,
				       uint64_t *nn);

/*
 * A record rec[0..len) that is already CSV in w's dialect, ending in its
 * line end ("\r\n" when crlf, else "\n"; a spooled record), written to w
 * with one more field before that line end: delim and the byte mark
 * (--mark's column, '0' or '1', which needs no quotes). PREP_ERR_ARG
 * when rec is shorter than its line end; a writer status otherwise.
 */
prep_status prep_oversample_write_marked(prep_writer *w, const char *rec,
					 uint64_t len, int delim, int crlf,
					 char mark);

#endif
