/*
 * dpnoise: Laplace differential privacy on values (row mode) or on
 * counts, sums and means by group (aggregate mode), with a privacy budget
 * ledger (man1/dpnoise.1, man5/prep-ledger.5).
 *
 * Options and their rules here, the two modes and the ledger's charge in
 * dpnoise_run.c; the noise is libprep/noise.c, row mode
 * libprep/noise_rows.c, aggregation libprep/aggregate.c, the ledger
 * libprep/ledger.c.
 *
 * The ledger is charged after the whole input has been read and checked
 * and before the first noisy value is written: a refused run writes
 * nothing, and a run that fails on its input, or is killed while reading
 * it, spends nothing. Aggregate mode reads everything before it releases
 * anyway; row mode, given a ledger, spools the rows (checked as read) to
 * an unlinked temporary file and adds the noise on a second pass over it
 * once the charge is on disk. Without a ledger row mode streams.
 *
 * Aggregate mode scales out with --partial (the state of a part's rows,
 * no noise, no charge) and --merge (the states of all the parts released
 * as one run over the whole input would: dpnoise_partial.c).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dpnoise_run.h"
#include "text.h"

enum {
	OPT_BOUNDS = CLI_OPT_TOOL_BASE,
	OPT_EPSILON,
	OPT_DIGITS,
	OPT_COUNT,
	OPT_SUM,
	OPT_MEAN,
	OPT_BY,
	OPT_KEYS,
	OPT_DELTA,
	OPT_ID,
	OPT_MAX_CONTRIB,
	OPT_LEDGER,
	OPT_DATASET,
	OPT_BUDGET,
	OPT_SEED,
	OPT_PARTIAL,
	OPT_MERGE,
};

static void
usage(void)
{
	printf(
	    "usage: dpnoise [-HhqVz] -c COLS --bounds LO:HI [-c COLS --bounds LO:HI]...\n"
	    "               --epsilon E [--digits N]\n"
	    "               [--ledger FILE --dataset NAME --budget B] [--seed N]\n"
	    "               [-d DELIM] [-o FILE] [--crlf] [--lazy-quotes] [--max-field SIZE]\n"
	    "               [--max-memory SIZE] [--part I/N [--part-by COL]] [--progress]\n"
	    "               [FILE...]\n"
	    "       dpnoise [-HhqVz] --count|--sum COL|--mean COL\n"
	    "               [--by COLS (--keys FILE|--delta D)] [--id COL [--max-contrib N]]\n"
	    "               [--bounds LO:HI] --epsilon E [--digits N]\n"
	    "               [--ledger FILE --dataset NAME --budget B] [--seed N]\n"
	    "               [-d DELIM] [-o FILE] [--crlf] [--lazy-quotes] [--max-field SIZE]\n"
	    "               [--max-memory SIZE] [--part I/N [--part-by COL]] [--progress]\n"
	    "               [--partial] [FILE...]\n"
	    "       dpnoise [-HhqVz] --count|--sum COL|--mean COL [aggregate mode's options]\n"
	    "               --merge PARTIAL...\n"
	    "\n"
	    "Release values, or counts, sums and means by group, with Laplace noise\n"
	    "that makes them epsilon-differentially private.\n"
	    "\n"
	    "  -c, --columns COLS   row mode: columns to noise; each needs --bounds\n"
	    "      --bounds LO:HI   values are clamped to [LO,HI]; sensitivity HI-LO\n"
	    "      --epsilon E      privacy loss (per column in row mode)\n"
	    "      --digits N       decimals printed with N digits after the point\n"
	    "      --count          aggregate: noisy number of rows\n"
	    "      --sum COL        aggregate: noisy sum of COL\n"
	    "      --mean COL       aggregate: noisy mean of COL (E/2 sum, E/2 count)\n"
	    "      --by COLS        aggregate by these columns\n"
	    "      --keys FILE      the public list of groups (CSV with the --by header)\n"
	    "      --delta D        or: release groups by partition selection\n"
	    "      --id COL         the column that identifies a person\n"
	    "      --max-contrib N  rows kept per person (default 1)\n"
	    "      --ledger FILE    charge the run to this budget ledger\n"
	    "      --dataset NAME   ... under this dataset name\n"
	    "      --budget B       ... whose total epsilon is B\n"
	    "      --seed N         reproducible noise: NOT private\n"
	    "      --partial        aggregate: write this part's exact state, no noise\n"
	    "      --merge          aggregate: release the partials given as operands\n" CLI_COMMON_HELP
	    "\n"
	    "Exit status: 0 done, 1 privacy budget refused, 2 trouble.\n");
}

/* -c COLS: a new spec; the one before it must have its --bounds. */
static void
add_columns(struct opts *o, const char *cols)
{
	if (o->nspecs == MAX_SPECS)
		cli_usage_error(&cli, "too many -c");
	if (o->nspecs && o->specs[o->nspecs - 1].bounds == NULL)
		cli_usage_error(&cli, "-c %s has no --bounds",
				o->specs[o->nspecs - 1].cols);
	o->specs[o->nspecs++].cols = cols;
}

/* --bounds: the last -c's, or aggregate mode's when no -c wants one. */
static void
add_bounds(struct opts *o, const char *arg)
{
	struct spec *s = o->nspecs ? &o->specs[o->nspecs - 1] : NULL;

	if (s == NULL || s->bounds) {
		if (o->agg_bounds || o->nspecs)
			cli_usage_error(&cli,
					"--bounds without a -c before it");
		o->agg_bounds = arg;
		return;
	}
	s->bounds = arg;
	parse_bounds(arg, &s->b);
}

/* --count, --sum COL, --mean COL: aggregate mode, once. */
static void
set_kind(struct opts *o, int opt, const char *col)
{
	if (o->aggregate)
		cli_usage_error(&cli, "one of --count, --sum and --mean");
	o->aggregate = 1;
	o->kind = opt == OPT_COUNT ? PREP_AGG_COUNT
		  : opt == OPT_SUM ? PREP_AGG_SUM
				   : PREP_AGG_MEAN;
	o->col = col;
}

/*
 * The options that go together, or a usage error: the first rule broken
 * is said (a NULL text: the last -c has no --bounds).
 */
static void
check_options(struct opts *o)
{
	const struct spec *last = o->nspecs ? &o->specs[o->nspecs - 1] : NULL;
	int agg = o->aggregate, delta = o->delta > 0;
	int ledger = !!o->ledger + !!o->dataset + (o->budget > 0);
	const struct {
		int broken;
		const char *text;
	} rule[] = {
	    {o->eps == 0, "--epsilon E is required"},
	    {agg && o->nspecs,
	     "-c is row mode; --count, --sum and --mean are aggregate mode"},
	    {!agg && !o->nspecs,
	     "-c COLS --bounds LO:HI, or --count, --sum or --mean"},
	    {last && last->bounds == NULL, NULL},
	    {!agg && (o->by || o->keys || delta || o->id || o->max_contrib),
	     "--by, --keys, --delta, --id and --max-contrib are aggregate mode"},
	    {agg && o->by && !o->keys && !delta,
	     "--by needs --keys FILE or --delta D"},
	    {agg && !o->by && (o->keys || delta),
	     "--keys and --delta need --by"},
	    {agg && o->keys && delta, "--keys or --delta, not both"},
	    {agg && o->max_contrib && !o->id, "--max-contrib needs --id"},
	    {agg && o->kind != PREP_AGG_COUNT && o->agg_bounds == NULL,
	     "--sum and --mean need --bounds LO:HI"},
	    {ledger && ledger < 3,
	     "--ledger, --dataset and --budget go together"},
	    {o->partial && o->merge, "--partial or --merge, not both"},
	    {!agg && (o->partial || o->merge),
	     "--partial and --merge are aggregate mode"},
	    {o->partial && ledger,
	     "--partial charges no ledger: give --ledger, --dataset and "
	     "--budget to --merge"},
	    {o->partial && o->id && cli.part_by == NULL,
	     "--partial with --id needs --part-by on the --id column: every "
	     "row of a person in one part"},
	};
	size_t i;

	for (i = 0; i < sizeof rule / sizeof *rule; i++) {
		if (rule[i].broken && rule[i].text == NULL)
			cli_usage_error(&cli, "-c %s has no --bounds",
					last->cols);
		if (rule[i].broken)
			cli_usage_error(&cli, "%s", rule[i].text);
	}
	if (o->max_contrib == 0)
		o->max_contrib = 1;
	if (o->merge)
		cli_merge_no_part(&cli);
	cli_output_distinct(&cli, "--ledger", o->ledger);
}

/*
 * The options that set one field: a text kept as given, a positive
 * number, or a whole number from lo to hi (else the message what). 0
 * when opt is not one of them.
 */
static int
value_option(struct opts *o, int opt, const char *arg)
{
	const struct {
		int opt;
		const char **text;
		double *real;
		int64_t *whole, lo, hi;
		/* the option; for a whole number, the message */
		const char *what;
	} field[] = {
	    {OPT_BY, .text = &o->by},
	    {OPT_KEYS, .text = &o->keys},
	    {OPT_ID, .text = &o->id},
	    {OPT_LEDGER, .text = &o->ledger},
	    {OPT_DATASET, .text = &o->dataset},
	    {OPT_EPSILON, .real = &o->eps, .what = "--epsilon"},
	    {OPT_DELTA, .real = &o->delta, .what = "--delta"},
	    {OPT_BUDGET, .real = &o->budget, .what = "--budget"},
	    {OPT_DIGITS, NULL, NULL, &o->digits, 0, 17,
	     "--digits must be 0 to 17"},
	    {OPT_MAX_CONTRIB, NULL, NULL, &o->max_contrib, 1, 1000000,
	     "--max-contrib must be 1 to 1000000"},
	    {OPT_SEED, NULL, NULL, &o->seed, 0, INT64_MAX,
	     "--seed must be a whole number >= 0"},
	};
	size_t i, n = sizeof field / sizeof *field;
	double v;

	for (i = 0; i < n && field[i].opt != opt; i++)
		;
	if (i == n)
		return 0;
	if (field[i].text) {
		*field[i].text = arg;
	} else if (field[i].real) {
		if (prep_parse_number(arg, strlen(arg), &v) != PREP_OK ||
		    !(v > 0) || !isfinite(v))
			cli_usage_error(&cli, "%s must be a positive number",
					field[i].what);
		*field[i].real = v;
	} else if (prep_parse_int64(arg, strlen(arg), field[i].whole) !=
		       PREP_OK ||
		   *field[i].whole < field[i].lo ||
		   *field[i].whole > field[i].hi) {
		cli_usage_error(&cli, "%s", field[i].what);
	}
	return 1;
}

static void
parse_options(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
	    CLI_COMMON_LONGOPTS,
	    {"columns", required_argument, NULL, 'c'},
	    {"bounds", required_argument, NULL, OPT_BOUNDS},
	    {"epsilon", required_argument, NULL, OPT_EPSILON},
	    {"digits", required_argument, NULL, OPT_DIGITS},
	    {"count", no_argument, NULL, OPT_COUNT},
	    {"sum", required_argument, NULL, OPT_SUM},
	    {"mean", required_argument, NULL, OPT_MEAN},
	    {"by", required_argument, NULL, OPT_BY},
	    {"keys", required_argument, NULL, OPT_KEYS},
	    {"delta", required_argument, NULL, OPT_DELTA},
	    {"id", required_argument, NULL, OPT_ID},
	    {"max-contrib", required_argument, NULL, OPT_MAX_CONTRIB},
	    {"ledger", required_argument, NULL, OPT_LEDGER},
	    {"dataset", required_argument, NULL, OPT_DATASET},
	    {"budget", required_argument, NULL, OPT_BUDGET},
	    {"seed", required_argument, NULL, OPT_SEED},
	    {"partial", no_argument, NULL, OPT_PARTIAL},
	    {"merge", no_argument, NULL, OPT_MERGE},
	    {NULL, 0, NULL, 0},
	};
	int opt;

	o->digits = -1;
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "c:",
				  longopts, NULL)) != -1) {
		/* optarg is set for the options that take one; the analyzer
		 * misses getopt_long setting it */
		/* NOLINTBEGIN(clang-analyzer-core.NonNull*) */
		if (opt == 'c')
			add_columns(o, optarg);
		else if (opt == OPT_BOUNDS)
			add_bounds(o, optarg);
		else if (opt == OPT_COUNT || opt == OPT_SUM || opt == OPT_MEAN)
			set_kind(o, opt, optarg);
		else if (opt == OPT_PARTIAL)
			o->partial = 1;
		else if (opt == OPT_MERGE)
			o->merge = 1;
		else if (!value_option(o, opt, optarg) &&
			 !cli_common_option(&cli, opt, optarg))
			cli_usage_error(&cli, "unknown option");
		/* NOLINTEND(clang-analyzer-core.NonNull*) */
		if (opt == OPT_DELTA && !(o->delta < 1))
			cli_usage_error(&cli,
					"--delta must be between 0 and 1");
		o->seeded |= opt == OPT_SEED;
	}
	check_options(o);
}

int
main(int argc, char **argv)
{
	static struct opts o;
	prep_rng *rng = NULL;
	prep_status st;
	double total;

	cli_init(&cli, "dpnoise", usage);
	parse_options(argc, argv, &o);
	o.argc = argc;
	o.argv = argv;
	st = o.seeded ? prep_rng_new_seeded((uint64_t)o.seed, &rng)
		      : prep_rng_new_secure(&rng);
	if (st != PREP_OK)
		cli_fatal(&cli, "no randomness: %s", prep_strerror(st));
	/* Not a matter of taste: said even with -q. */
	if (o.seeded)
		cli_warn_always(
		    &cli,
		    "--seed makes the noise reproducible: the output is not private");
	if (o.ledger)
		charge_ledger(&o, 0, 0);
	if (o.partial) {
		/* no noise, no charge: the merge spends, once */
		cli_open_input(&cli, argc - optind, argv + optind);
		run_partial(&o, rng);
		cli_audit_figure(&cli, "epsilon", 0);
		prep_rng_free(rng);
		return 0;
	}
	if (o.merge) {
		total =
		    run_merge(&o, rng, argv + optind, (size_t)(argc - optind));
	} else {
		cli_open_input(&cli, argc - optind, argv + optind);
		total =
		    o.aggregate ? run_aggregate(&o, rng) : run_rows(&o, rng);
	}
	cli_note(&cli, "epsilon spent %g", total);
	record_checks(&o, total);
	prep_rng_free(rng);
	return 0;
}