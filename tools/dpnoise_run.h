/*
 * dpnoise_run.h: what the two halves of dpnoise share: the options as the
 * command line gave them (dpnoise.c), and the two modes that run them
 * with the ledger's charge (dpnoise_run.c).
 */
#ifndef DPNOISE_RUN_H
#define DPNOISE_RUN_H

#include <stdint.h>

#include "aggregate.h"
#include "aggregate_partial.h"
#include "cli.h"
#include "noise.h"

#define MAX_SPECS 256

/* The run's command line, messages, input and output. */
extern struct cli cli;

/* One -c COLS --bounds LO:HI pair of row mode. */
struct spec {
	const char *cols;
	const char *bounds;
	prep_bounds b;
};

/* What the command line asks for. */
struct opts {
	struct spec specs[MAX_SPECS]; /* row mode */
	size_t nspecs;
	int aggregate; /* --count, --sum or --mean */
	prep_agg_kind kind;
	const char *col; /* --sum / --mean */
	const char *by, *keys, *id, *agg_bounds;
	double delta;
	int64_t max_contrib;
	double eps;
	int64_t digits; /* -1: shortest */
	const char *ledger, *dataset;
	double budget;
	int64_t seed;
	int seeded;
	int partial, merge; /* --partial, --merge */
	int argc;	    /* the command line, for the ledger's record */
	char **argv;
};

/* --bounds LO:HI into b, or a usage error. */
void parse_bounds(const char *arg, prep_bounds *b);

/*
 * Charge the run to o->ledger once the whole input has been read and
 * checked (a refusal exits 1); with eps 0, only check the dataset's name
 * and the ledger file, before the input is read.
 */
void charge_ledger(const struct opts *o, double eps, double delta);

/*
 * The run's checks in the audit record, eps the epsilon of the run: once
 * the charge is made (charge_ledger records them itself when the ledger
 * refuses it), or without a ledger once the output is finished.
 */
void record_checks(const struct opts *o, double eps);

/* Row mode and aggregate mode, from the open input to the finished
 * output; each returns the epsilon spent. */
double run_rows(const struct opts *o, prep_rng *rng);
double run_aggregate(const struct opts *o, prep_rng *rng);

/*
 * Aggregate mode's steps. The aggregation of the options, its columns
 * those of the open input, or with in (a merge) the key columns 0 ..
 * in->nnames - 1 named by in->names; with --id, the key of the random
 * subset of a person's rows drawn from rng before anything else.
 */
prep_agg *aggregate_prepare(const struct opts *o, prep_rng *rng,
			    const prep_partial_input *in);
/* Every row of the open input into agg. */
void aggregate_read(const struct opts *o, prep_agg *agg, prep_rng *rng);
/* The ledger's charge, the output (its header naming the key columns
 * by h[by[i]]), the noise and the summary; agg is freed. */
void aggregate_release(const struct opts *o, prep_agg *agg, prep_rng *rng,
		       const prep_field *h);

/*
 * --partial and --merge of aggregate mode (dpnoise_partial.c). The state
 * of the open input's rows to the output, no noise drawn, nothing
 * charged; the states of the partials files[0 .. n) merged and released
 * as run_aggregate releases the whole input (returns the epsilon spent).
 */
void run_partial(const struct opts *o, prep_rng *rng);
double run_merge(const struct opts *o, prep_rng *rng, char **files, size_t n);

#endif
