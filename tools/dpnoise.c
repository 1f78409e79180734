/*
 * dpnoise: Laplace differential privacy on values (row mode) or on
 * counts, sums and means by group (aggregate mode), with a privacy budget
 * ledger (man1/dpnoise.1, man5/prep-ledger.5).
 *
 * Option parsing and messages; the noise is libprep/noise.c, row mode
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
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "cli.h"
#include "columns.h"
#include "ledger.h"
#include "noise.h"
#include "noise_rows.h"
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
};

#define MAX_SPECS 256

static struct cli cli;

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
};

static void
usage(void)
{
	printf(
	    "usage: dpnoise [-HhqVz] -c COLS --bounds LO:HI [-c COLS --bounds LO:HI]...\n"
	    "               --epsilon E [--digits N]\n"
	    "               [--ledger FILE --dataset NAME --budget B] [--seed N]\n"
	    "               [-d DELIM] [-o FILE] [--crlf] [--lazy-quotes] [--max-field SIZE]\n"
	    "               [--max-memory SIZE] [--progress] [FILE...]\n"
	    "       dpnoise [-HhqVz] --count|--sum COL|--mean COL\n"
	    "               [--by COLS (--keys FILE|--delta D)] [--id COL [--max-contrib N]]\n"
	    "               [--bounds LO:HI] --epsilon E [--digits N]\n"
	    "               [--ledger FILE --dataset NAME --budget B] [--seed N]\n"
	    "               [-d DELIM] [-o FILE] [--crlf] [--lazy-quotes] [--max-field SIZE]\n"
	    "               [--max-memory SIZE] [--progress] [FILE...]\n"
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
	    "      --seed N         reproducible noise: NOT private\n" CLI_COMMON_HELP
	    "\n"
	    "Exit status: 0 done, 1 privacy budget refused, 2 trouble.\n");
}

static void
parse_bounds(const char *arg, prep_bounds *b)
{
	prep_status st = prep_bounds_parse(arg, b);

	if (st == PREP_ERR_ARG)
		cli_usage_error(&cli, "--bounds must be LO:HI");
	if (st == PREP_ERR_VALUE)
		cli_usage_error(&cli, "--bounds must be LO:HI, two numbers");
	if (st != PREP_OK)
		cli_usage_error(&cli, "--bounds LO:HI needs LO < HI");
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

/* A ledger status other than PREP_OK: the message, and exit 1 or 2. */
static void __attribute__((noreturn))
ledger_fail(prep_status s, const char *path, const prep_ledger_charge *c,
	    const prep_ledger_state *st, prep_where w)
{
	char text[PREP_LEDGER_TEXT_SIZE];

	if (s == PREP_ERR_ARG)
		cli_usage_error(
		    &cli,
		    "--dataset NAME: 1 to 128 of A-Z a-z 0-9 . _ : / @ + -");
	switch (prep_ledger_fault_text(s, c, st, &w, text, sizeof text)) {
	case PREP_LEDGER_REFUSED:
		cli_check_failed(&cli, "ledger %s: %s", path, text);
	case PREP_LEDGER_NOT_LEDGER:
		cli_fatal_at(&cli, w, "%s", text);
	default:
		cli_fatal_status(&cli, s, path);
	}
}

/*
 * Charge the run, once the whole input has been read and checked; with
 * eps 0, only check the dataset's name and the ledger file (read-only,
 * nothing charged), before the input is read, so that a usage error or a
 * file that is not a ledger is said at once, not after the input.
 */
static void
charge_ledger(const struct opts *o, double eps, double delta, int argc,
	      char **argv)
{
	/* seeded runs count all the same: spending is spending */
	prep_ledger_charge c = {o->dataset, o->budget, eps,	 delta,
				"dpnoise",  NULL,      o->seeded};
	prep_ledger_state st;
	prep_where w;
	prep_status s;
	char *args;

	memset(&st, 0, sizeof st);
	if (eps == 0) {
		s = prep_ledger_query(o->ledger, o->dataset, &st, &w);
		if (s != PREP_OK)
			ledger_fail(s, o->ledger, &c, &st, w);
		return;
	}
	if (prep_ledger_args(argc, argv, &args) != PREP_OK)
		cli_fatal(&cli, "out of memory");
	c.args = args;
	s = prep_ledger_charge_run(o->ledger, &c, &st, &w);
	free(args);
	if (s != PREP_OK)
		ledger_fail(s, o->ledger, &c, &st, w);
	cli_note(&cli, "ledger %s: dataset %s: spent %g of %g", o->ledger,
		 o->dataset, st.spent + eps, o->budget);
}

/* Row mode, first half: the mechanism of every column named by a -c. */
static prep_noise_rows *
row_mode_prepare(const struct opts *o)
{
	prep_noise_rows *t;
	size_t i, j, nidx, *idx;
	prep_status st;

	if (prep_noise_rows_new(prep_reader_columns(cli.reader), o->eps,
				(int)o->digits, cli.missing, &t) != PREP_OK)
		cli_fatal(&cli, "out of memory");
	for (i = 0; i < o->nspecs; i++) {
		idx = cli_columns(&cli, "-c", o->specs[i].cols, &nidx);
		for (j = 0; j < nidx; j++) {
			st = prep_noise_rows_add(t, idx[j], &o->specs[i].b);
			if (st == PREP_ERR_COLUMN)
				cli_usage_error(&cli,
						"column %zu named twice by -c",
						idx[j] + 1);
			if (st == PREP_ERR_ARG)
				cli_usage_error(
				    &cli,
				    "--epsilon must be from 2^-40 to 2^20");
			if (st == PREP_ERR_RANGE)
				cli_fatal(&cli, "integer mechanism");
			if (st != PREP_OK)
				cli_fatal(&cli, "out of memory");
		}
		free(idx);
	}
	return t;
}

/*
 * Row mode with a ledger, before the charge: read the whole input, check
 * every noised cell, and copy the records to a spool (an unlinked
 * temporary file, in the input's delimiter). Returns a reader over the
 * spool's records.
 *
 * The spool begins with a header of its own (a "c" per column), so that
 * it never begins with a record's bytes, which a reader would take for a
 * byte order mark to drop or gzip's magic.
 */
static prep_reader *
row_mode_spool(const prep_noise_rows *t, prep_spool **spool)
{
	prep_csv_options o = *prep_reader_options(cli.reader);
	size_t ncols = prep_reader_columns(cli.reader), n, k;
	prep_field *head;
	prep_reader *r;
	const prep_field *f;
	prep_status st;

	*spool = cli_spool_new(&cli, 0);
	if ((head = calloc(ncols ? ncols : 1, sizeof *head)) == NULL)
		cli_fatal(&cli, "out of memory");
	for (k = 0; k < ncols; k++)
		head[k] = (prep_field){"c", 1};
	cli_spool_check(&cli, prep_spool_row(*spool, head, ncols));
	free(head);
	while ((f = cli_next_row(&cli, &n)) != NULL) {
		if (prep_noise_rows_check(t, f, n, &k) != PREP_OK)
			cli_fatal_cell(&cli, k, "not a number");
		cli_spool_check(&cli, prep_spool_row(*spool, f, n));
	}
	cli_spool_check(&cli, prep_spool_finish(*spool));
	cli_progress_end(&cli);
	o.has_header = 1;
	if ((st = prep_spool_reader(*spool, &o, &r)) != PREP_OK)
		cli_fatal_status(&cli, st, "spool");
	return r;
}

/* The next record to add noise to: from the spool, or the input. */
static const prep_field *
next_record(prep_reader *spool, size_t *n)
{
	const prep_field *f;
	prep_status st;

	if (spool == NULL)
		return cli_next_row(&cli, n);
	st = prep_reader_next_row(spool, &f, n);
	if (st == PREP_END)
		return NULL;
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, "spool");
	return f;
}

/*
 * Row mode: the rows through the mechanisms, streamed from the input or,
 * with a ledger, from the spool of row_mode_spool: the whole input is
 * read and spooled before the charge, the charge is on disk before the
 * first noisy value. Returns the epsilon spent.
 */
static double
run_rows(const struct opts *o, prep_rng *rng, int argc, char **argv)
{
	prep_noise_rows *t = row_mode_prepare(o);
	double total = prep_noise_rows_epsilon(t);
	size_t ncols, n, k;
	const prep_field *header = prep_reader_header(cli.reader, &ncols);
	const prep_field *f, *out;
	prep_spool *spool_file = NULL;
	prep_reader *spool = NULL;
	prep_status st;

	if (o->ledger) {
		spool = row_mode_spool(t, &spool_file);
		charge_ledger(o, total, 0, argc, argv);
	}
	/* the summary, once the ledger has accepted the run */
	if (!cli.quiet)
		(void)prep_noise_rows_report(t, header, cli.prog, stderr);
	cli_open_output(&cli);
	if (header)
		cli_write_check(&cli,
				prep_writer_row(cli.writer, header, ncols));
	while ((f = next_record(spool, &n)) != NULL) {
		st = prep_noise_rows_apply(t, rng, f, n, &out, &k);
		if (st == PREP_ERR_VALUE)
			cli_fatal_cell(&cli, k, "not a number");
		if (st == PREP_ERR_NOMEM)
			cli_fatal(&cli, "out of memory");
		if (st != PREP_OK)
			cli_fatal(&cli, "noise out of range");
		cli_write_check(&cli, prep_writer_row(cli.writer, out, n));
	}
	cli_finish(&cli);
	prep_reader_free(spool);
	prep_spool_free(spool_file);
	prep_noise_rows_free(t);
	return total;
}

/* Read the --keys file into agg: its header names the --by columns. */
static void
load_keys(prep_agg *agg, const char *path, const prep_field *h,
	  const size_t *by)
{
	prep_where w;
	size_t f1 = 0, f2 = 0;
	prep_status st =
	    prep_agg_load_keys(agg, path, &cli.csv, h, &w, &f1, &f2);
	char *text;

	if (st == PREP_OK)
		return;
	text = prep_agg_keys_strerror(st, &w, h, by, f1, f2);
	if (text == NULL || w.file == NULL) /* no place: out of memory */
		cli_fatal(&cli, "out of memory");
	cli_fatal_at(&cli, w, "%s", text);
}

/* Aggregate mode, first part: columns, parameters and the public keys. */
static prep_agg *
aggregate_prepare(const struct opts *o)
{
	size_t *by = NULL;
	const prep_field *h = prep_reader_header(cli.reader, NULL);
	prep_agg_params p;
	prep_agg *agg;
	prep_bounds bounds;

	prep_agg_params_init(&p, o->kind, o->eps);
	p.missing = cli.missing;
	if (o->by) {
		p.by = by = cli_columns(&cli, "--by", o->by, &p.nby);
		p.groups = o->keys ? PREP_AGG_KEYS : PREP_AGG_SELECT;
	}
	if (o->col)
		p.value = (long)cli_column(
		    &cli, o->kind == PREP_AGG_SUM ? "--sum" : "--mean", o->col);
	if (o->agg_bounds) {
		parse_bounds(o->agg_bounds, &bounds);
		prep_agg_params_bounds(&p, &bounds);
	}
	if (o->id)
		p.id = (long)cli_column(&cli, "--id", o->id);
	p.max_contrib = (uint64_t)o->max_contrib;
	p.delta = o->delta;
	p.digits = (int)o->digits;
	if (prep_agg_new(&p, &agg) != PREP_OK)
		cli_usage_error(&cli, "%s: parameters out of range",
				prep_agg_kind_name(o->kind));
	if (o->keys)
		load_keys(agg, o->keys, h, by);
	free(by);
	return agg;
}

/*
 * Aggregate mode: the whole input is read before the charge, the charge
 * is on disk before the first noisy value. Returns the epsilon spent.
 */
static double
run_aggregate(const struct opts *o, prep_rng *rng, int argc, char **argv)
{
	prep_agg *agg = aggregate_prepare(o);
	const prep_field *f, *h = prep_reader_header(cli.reader, NULL);
	prep_agg_summary sum;
	size_t n, bad;
	prep_status st;

	while ((f = cli_next_row(&cli, &n)) != NULL) {
		st = prep_agg_add_row(agg, rng, f, &bad);
		if (st == PREP_ERR_VALUE)
			cli_fatal_cell(&cli, bad, "not a number");
		if (st == PREP_ERR_LIMIT)
			cli_fatal_at(&cli, prep_reader_where(cli.reader),
				     "too many groups or ids");
		if (st != PREP_OK)
			cli_fatal_at(&cli, prep_reader_where(cli.reader), "%s",
				     prep_strerror(st));
	}
	cli_progress_end(&cli);
	if (o->ledger)
		charge_ledger(o, o->eps, o->delta, argc, argv);
	cli_open_output(&cli);
	/* the header names the --by columns; with -H there is none, and
	 * an empty input (--allow-empty) still gets one */
	if (cli.csv.has_header)
		cli_write_check(&cli,
				prep_agg_write_header(agg, cli.writer, h));
	st = prep_agg_release_csv(agg, rng, cli.writer, &sum);
	if (st != PREP_OK)
		cli_write_check(&cli, st);
	cli_finish(&cli);
	if (!cli.quiet)
		(void)prep_agg_report(agg, &sum, cli.prog, stderr);
	prep_agg_free(agg);
	return o->eps;
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
		charge_ledger(&o, 0, 0, argc, argv);
	cli_open_input(&cli, argc - optind, argv + optind);
	total = o.aggregate ? run_aggregate(&o, rng, argc, argv)
			    : run_rows(&o, rng, argc, argv);
	cli_note(&cli, "epsilon spent %g", total);
	prep_rng_free(rng);
	return 0;
}
