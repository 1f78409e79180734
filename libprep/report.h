/*
 * report.h: the documentation of a release from its evidence
 * (prep-report(1)): the audit records of the runs (audit.h,
 * prep-audit(5)), privacy budget ledgers (prep-ledger(5)), profiles
 * (prep-profile(5)) and drift reports (drift(1) --json), read into one
 * model; the runs linked into pipelines; the data stage of the AI
 * risk-mitigation checklist answered from them; and the model written
 * as one HTML page (report_html.c) or as Markdown (report_md.c).
 *
 * Reading is strict: a line of an audit file that is not a record of
 * the layout of audit.h, a ledger line that is not an entry, a profile
 * or a drift report that is not one, is PREP_ERR_VALUE with the place
 * (file, line) and a reason that names a field of the format, never a
 * value of the file, in a prep_report_error.
 *
 * Linking (prep_report_finish): the runs are ordered by eventTime (then
 * by file and line). A run follows an earlier run when one of its
 * inputs has the SHA-256 of one of that run's outputs (the latest such
 * run): an edge of the lineage. A pipeline is a set of runs connected
 * by edges, by a common parent run (PREP_RUN_ID), or by reading the
 * same input (same SHA-256): the runs that document one data set.
 *
 * A release is an output, with a SHA-256, of a completed run (exit
 * status 0) of a filter that writes data (anonymize, kcheck, kanon,
 * dpnoise, reweight, oversample, validate, but not with -r,
 * --report-only, --partial or --json) that no later data-writing run
 * read. The lineage of a run is the run and every run it follows,
 * transitively.
 *
 * The checklist's rules are those of prep-report(1), "CHECKLIST"; each
 * answer comes with a sentence (because) and the runs behind it.
 */
#ifndef PREP_REPORT_H
#define PREP_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "prep.h"
#include "profile.h"

typedef struct prep_report prep_report;

/* Where a source is wrong: line 0 for the whole file. */
typedef struct prep_report_error {
	unsigned long line;
	char text[160]; /* names fields, never values */
} prep_report_error;

/* Most runs, ledger entries, profiles and drift reports read. */
#define PREP_REPORT_MAX_ITEMS 100000

prep_status prep_report_new(prep_report **out);
void prep_report_free(prep_report *r);

/*
 * The audit file name (for messages and the report), its whole text
 * text[0..len): one record per line, each line ending in '\n' (a last
 * line without one is read too). An empty text adds nothing.
 * PREP_ERR_VALUE with *err for a line that is not a record,
 * PREP_ERR_LIMIT past PREP_REPORT_MAX_ITEMS runs, PREP_ERR_NOMEM.
 */
prep_status prep_report_add_audit(prep_report *r, const char *name,
				  const char *text, size_t len,
				  prep_report_error *err);
/* A ledger's text (prep_ledger_scan's rules). */
prep_status prep_report_add_ledger(prep_report *r, const char *name,
				   const char *text, size_t len,
				   prep_report_error *err);
/* A profile document's text (prep_profile_parse). */
prep_status prep_report_add_profile(prep_report *r, const char *name,
				    const char *text, size_t len,
				    prep_report_error *err);
/* A drift report (drift --json). */
prep_status prep_report_add_drift(prep_report *r, const char *name,
				  const char *text, size_t len,
				  prep_report_error *err);

/* Link the runs and answer the checklist; once, after the adds. */
prep_status prep_report_finish(prep_report *r);

/* ---- the model, read-only, after prep_report_finish ---- */

typedef enum prep_report_kind {
	PREP_REPORT_NULL,
	PREP_REPORT_NUMBER,
	PREP_REPORT_TEXT
} prep_report_kind;

typedef struct prep_report_value {
	prep_report_kind kind;
	double number;	  /* NUMBER; "inf" and "-inf" read as infinities */
	const char *text; /* TEXT */
} prep_report_value;

typedef struct prep_report_check {
	const char *name;
	prep_report_value observed, threshold;
	int passed; /* 1, 0, -1 (null: a figure) */
} prep_report_check;

typedef struct prep_report_dataset {
	const char *name;
	const char *sha256;    /* 64 hex digits, or NULL */
	int64_t rows, columns; /* -1: null */
} prep_report_dataset;

/* A file that shaped a run (prep-audit(5) "files"): a policy, a schema. */
typedef struct prep_report_file {
	const char *option, *name;
	const char *sha256; /* 64 hex digits, or NULL */
} prep_report_file;

typedef struct prep_report_run {
	const char *file; /* the audit file */
	unsigned long line;
	size_t number; /* 1, 2, ... in the report's order */
	const char *event_type, *event_time, *run_id, *job, *version;
	const char *parent; /* PREP_RUN_ID, or NULL */
	const char *reason; /* or NULL */
	const char **arguments;
	size_t narguments;
	prep_report_file *files;
	size_t nfiles;
	long long exit_status;
	double seconds;
	prep_report_dataset *inputs, *outputs;
	size_t ninputs, noutputs;
	prep_report_check *checks;
	size_t nchecks;
	size_t pipeline; /* its pipeline's index */
	size_t depth;	 /* longest chain of runs it follows */
	int is_release;	 /* one of its outputs is a release */
} prep_report_run;

typedef struct prep_report_edge {
	size_t from, to;    /* run indexes */
	const char *sha256; /* the dataset between them */
	const char *name;   /* as the later run named it */
} prep_report_edge;

typedef struct prep_report_pipeline {
	size_t *runs; /* run indexes, in order */
	size_t nruns;
	const char *parent; /* the first parent run among them, or NULL */
} prep_report_pipeline;

typedef struct prep_report_ledger_entry {
	const char *file;
	unsigned long line;
	char time[21];
	const char *dataset;
	double budget, epsilon, delta, spent; /* spent: running total */
	int seeded;
} prep_report_ledger_entry;

typedef struct prep_report_drift_column {
	const char *column, *method;
	double statistic, threshold;
	int drifted;
} prep_report_drift_column;

typedef struct prep_report_drift {
	const char *file;
	int drift;
	double drifted_share, drift_share;
	prep_report_drift_column *columns;
	size_t ncolumns;
	int has_bias; /* "bias" with disparate impact then and now */
	double di_reference, di_current;
} prep_report_drift;

typedef struct prep_report_profile {
	const char *file;
	prep_profile *profile;
} prep_report_profile;

size_t prep_report_nruns(const prep_report *r);
const prep_report_run *prep_report_run_at(const prep_report *r, size_t i);
/* The run with runId id, or NULL. */
const prep_report_run *prep_report_run_by_id(const prep_report *r,
					     const char *id);
size_t prep_report_nedges(const prep_report *r);
const prep_report_edge *prep_report_edge_at(const prep_report *r, size_t i);
size_t prep_report_npipelines(const prep_report *r);
const prep_report_pipeline *prep_report_pipeline_at(const prep_report *r,
						    size_t i);
size_t prep_report_nledger(const prep_report *r);
const prep_report_ledger_entry *prep_report_ledger_at(const prep_report *r,
						      size_t i);
size_t prep_report_ndrifts(const prep_report *r);
const prep_report_drift *prep_report_drift_at(const prep_report *r, size_t i);
size_t prep_report_nprofiles(const prep_report *r);
const prep_report_profile *prep_report_profile_at(const prep_report *r,
						  size_t i);
/* The number of audit files, ledgers, ... read, and their names. */
size_t prep_report_nsources(const prep_report *r);
const char *prep_report_source_at(const prep_report *r, size_t i,
				  const char **kind);

/* The check called name of run, or NULL. */
const prep_report_check *prep_report_find_check(const prep_report_run *run,
						const char *name);
/* "COMPLETE", "FAIL" or "ABORT" as a colour class: pass, fail, abort. */
const char *prep_report_run_class(const prep_report_run *run);

/* ---- the checklist ---- */

typedef enum prep_report_answer {
	PREP_REPORT_NA,
	PREP_REPORT_YES,
	PREP_REPORT_NO
} prep_report_answer;

#define PREP_REPORT_NITEMS 10
#define PREP_REPORT_MAX_EVIDENCE 8

typedef struct prep_report_item {
	const char *name; /* "Data Source Review", ... */
	prep_report_answer answer;
	char because[320];
	size_t runs[PREP_REPORT_MAX_EVIDENCE]; /* run indexes */
	size_t nruns;
} prep_report_item;

/* The items in the checklist's order (i < PREP_REPORT_NITEMS). */
const prep_report_item *prep_report_checklist(const prep_report *r, size_t i);
/* "Yes", "No", "N/A". */
const char *prep_report_answer_text(prep_report_answer a);

/* What the checklist leaves to later stages: NULL-terminated names. */
extern const char *const prep_report_outside[];

/* ---- what the charts show ---- */

/* Does run later follow run earlier, through edges? */
int prep_report_follows(const prep_report *r, size_t later, size_t earlier);

/*
 * Fairness runs before and after a mitigation: for each completed
 * reweight or oversample run (mitigation), after is the first later
 * fairness run with per-group rates that follows it, before the latest
 * earlier one that read one of its inputs or, failing that, is in its
 * pipeline without following it; then each fairness run with rates in
 * no pair, alone as before. SIZE_MAX: none. At most max pairs.
 */
typedef struct prep_report_pair {
	size_t before, after, mitigation;
} prep_report_pair;
size_t prep_report_fairness_pairs(const prep_report *r, prep_report_pair *out,
				  size_t max);

/*
 * The data sets with a privacy budget: named by a dpnoise run's dataset
 * check (with a budget.spent gate) or by a ledger entry, in the order
 * first seen (runs, then ledgers). At most max names.
 */
size_t prep_report_budget_datasets(const prep_report *r, const char **names,
				   size_t max);

/* A charge of a budget, from a dpnoise run or a ledger entry. */
typedef struct prep_report_point {
	const char *time;
	double seconds;		       /* since the epoch */
	double epsilon, spent, budget; /* spent: the total after it */
	size_t run, entry;	       /* one of them, the other SIZE_MAX */
	int refused;		       /* the run's charge was refused */
} prep_report_point;

/*
 * The charges of dataset in time order (a ledger entry before the run
 * that made it, at the same second): at most max.
 */
size_t prep_report_budget_points(const prep_report *r, const char *dataset,
				 prep_report_point *out, size_t max);

/*
 * The class-size histogram of a kcheck or kanon run, from its
 * classes_of_size:S checks: labels (S, borrowed) and numbers of
 * classes, in the record's order; at most max.
 */
size_t prep_report_histogram(const prep_report_run *run, const char **labels,
			     double *values, size_t max);

/* ---- the pages ---- */

typedef struct prep_report_options {
	const char *title;     /* NULL: "Data preparation report" */
	const char *generated; /* when, as text ("2026-11-24T03:10:00Z") */
	const char *version;   /* of the program that made it */
} prep_report_options;

/*
 * The page (HTML) or the document (Markdown) in *text, *len bytes
 * (free it). PREP_ERR_NOMEM, PREP_ERR_LIMIT (past 256 MiB).
 */
prep_status prep_report_html(const prep_report *r, const prep_report_options *o,
			     char **text, size_t *len);
prep_status prep_report_markdown(const prep_report *r,
				 const prep_report_options *o, char **text,
				 size_t *len);

#endif
