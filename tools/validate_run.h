/*
 * validate_run.h: what the two halves of validate share: the options as
 * the command line gave them and the run's validator and report
 * (validate.c, which checks the input and writes the data and the
 * report), and the partials of a run in parts (validate_partial.c:
 * --partial and --merge, man5/prep-partial.5).
 */
#ifndef VALIDATE_RUN_H
#define VALIDATE_RUN_H

#include <jansson.h>

#include "cli.h"
#include "schema.h"
#include "validate.h"
#include "validate_partial.h"

/* The options of validate's own (the common ones are in cli). */
struct opts {
	const char *schema, *rejects, *manifest;
	unsigned pii;  /* personal data types (pii.h); 0: none */
	double mostly; /* fraction of valid rows that passes */
	size_t max_errors, max_keys;
	int stream, report_only, json, verbose;
	int partial, merge;
};

/* Where the rows go. */
struct sink {
	prep_spool *spool;	/* the gate's valid rows; NULL with --stream */
	prep_writer *rej;	/* --rejects */
	prep_outfile *rejf;	/* ... its file */
	prep_outfile *mf;	/* --manifest, opened before the data */
	prep_writer_options wo; /* the output's dialect */
	uint64_t written;	/* valid data rows written */
};

/* The run's command line, messages, input and output; its checks. */
extern struct cli cli;
extern prep_validator *run_validator;
extern prep_vreport *run_report;
extern prep_vstate *run_vstate; /* --partial: the part's state */

/* A library status that can only mean trouble: exit 2 (a failed write
 * names the file: "FILE: No space left on device"). */
void validate_check(prep_status st, const char *what);
/* The report: the data of -r (stdout or -o FILE, atomically), else on
 * stderr unless -q (where a lost write is no trouble). */
void give_report(const struct opts *o, int valid);

/* validate_threads.c */

/* 1 when the rows can be checked on cli.threads threads (par.h). */
int threads_apply(const struct opts *o);
/* check_rows on them: every data record after row head, in input order,
 * with the same report, outputs and failures as on one thread. */
void check_rows_threads(const struct opts *o, struct sink *k, uint64_t head,
			const prep_schema *sch);

/* validate_partial.c */

/* Usage errors of --partial and --merge (no data, so no data's options). */
void parse_partial_options(const struct opts *o);
/* --partial: the input (empty, or its header) into the part's state,
 * st the reader's status at its opening. */
void state_input(prep_status st);
/* --partial: the part's state on the output, instead of its report. */
void write_state(const struct opts *o, const prep_schema *sch);
/* --merge: the partials' states merged and reported; the verdict. */
int merge_run(const struct opts *o, const prep_schema *sch, char **files,
	      size_t n);

#endif
