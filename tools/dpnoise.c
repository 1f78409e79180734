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
#include <errno.h>
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
	uint64_t max_contrib;
	double eps;
	int digits; /* -1: shortest */
	const char *ledger, *dataset;
	double budget;
	uint64_t seed;
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

static double
parse_positive(const char *opt, const char *arg)
{
	double v;

	if (prep_parse_number(arg, strlen(arg), &v) != PREP_OK || !(v > 0) ||
	    !isfinite(v))
		cli_usage_error(&cli, "%s must be a positive number", opt);
	return v;
}

/* A whole number from lo to hi (a sign allowed), else msg. */
static int64_t
parse_whole(const char *arg, int64_t lo, int64_t hi, const char *msg)
{
	int64_t v;

	if (prep_parse_int64(arg, strlen(arg), &v) != PREP_OK || v < lo ||
	    v > hi)
		cli_usage_error(&cli, "%s", msg);
	return v;
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

/* The options that go together, or a usage error. */
static void
check_options(struct opts *o)
{
	if (o->eps == 0)
		cli_usage_error(&cli, "--epsilon E is required");
	if (o->aggregate && o->nspecs)
		cli_usage_error(
		    &cli,
		    "-c is row mode; --count, --sum and --mean are aggregate mode");
	if (!o->aggregate && o->nspecs == 0)
		cli_usage_error(
		    &cli,
		    "-c COLS --bounds LO:HI, or --count, --sum or --mean");
	if (o->nspecs && o->specs[o->nspecs - 1].bounds == NULL)
		cli_usage_error(&cli, "-c %s has no --bounds",
				o->specs[o->nspecs - 1].cols);
	if (!o->aggregate &&
	    (o->by || o->keys || o->delta > 0 || o->id || o->max_contrib))
		cli_usage_error(
		    &cli,
		    "--by, --keys, --delta, --id and --max-contrib are aggregate mode");
	if (o->aggregate) {
		if (o->by && !o->keys && o->delta == 0)
			cli_usage_error(&cli,
					"--by needs --keys FILE or --delta D");
		if (!o->by && (o->keys || o->delta > 0))
			cli_usage_error(&cli, "--keys and --delta need --by");
		if (o->keys && o->delta > 0)
			cli_usage_error(&cli, "--keys or --delta, not both");
		if (o->max_contrib && !o->id)
			cli_usage_error(&cli, "--max-contrib needs --id");
		if (o->max_contrib == 0)
			o->max_contrib = 1;
		if (o->kind != PREP_AGG_COUNT && o->agg_bounds == NULL)
			cli_usage_error(&cli,
					"--sum and --mean need --bounds LO:HI");
	}
	if ((o->ledger || o->dataset || o->budget > 0) &&
	    !(o->ledger && o->dataset && o->budget > 0))
		cli_usage_error(&cli,
				"--ledger, --dataset and --budget go together");
	cli_output_distinct(&cli, "--ledger", o->ledger);
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
		switch (opt) {
		case 'c':
			add_columns(o, optarg);
			break;
		case OPT_BOUNDS:
			add_bounds(o, optarg);
			break;
		case OPT_EPSILON:
			o->eps = parse_positive("--epsilon", optarg);
			break;
		case OPT_DIGITS:
			o->digits = (int)parse_whole(
			    optarg, 0, 17, "--digits must be 0 to 17");
			break;
		case OPT_COUNT:
		case OPT_SUM:
		case OPT_MEAN:
			set_kind(o, opt, optarg);
			break;
		case OPT_BY:
			o->by = optarg;
			break;
		case OPT_KEYS:
			o->keys = optarg;
			break;
		case OPT_DELTA:
			o->delta = parse_positive("--delta", optarg);
			if (!(o->delta < 1))
				cli_usage_error(
				    &cli, "--delta must be between 0 and 1");
			break;
		case OPT_ID:
			o->id = optarg;
			break;
		case OPT_MAX_CONTRIB:
			o->max_contrib = (uint64_t)parse_whole(
			    optarg, 1, 1000000,
			    "--max-contrib must be 1 to 1000000");
			break;
		case OPT_LEDGER:
			o->ledger = optarg;
			break;
		case OPT_DATASET:
			o->dataset = optarg;
			break;
		case OPT_BUDGET:
			o->budget = parse_positive("--budget", optarg);
			break;
		case OPT_SEED:
			o->seed = (uint64_t)parse_whole(
			    optarg, 0, INT64_MAX,
			    "--seed must be a whole number >= 0");
			o->seeded = 1;
			break;
		default:
			if (!cli_common_option(&cli, opt, optarg))
				cli_usage_error(&cli, "unknown option");
		}
		/* NOLINTEND(clang-analyzer-core.NonNull*) */
	}
	check_options(o);
}

/* A ledger status other than PREP_OK: the message, and exit 1 or 2. */
static void __attribute__((noreturn))
ledger_fail(prep_status s, const struct opts *o, double eps,
	    const prep_ledger_state *st, prep_where w)
{
	switch (s) {
	case PREP_ERR_BUDGET:
		cli_check_failed(
		    &cli,
		    "ledger %s: dataset %s: budget %g exhausted (spent %g, this run %g)",
		    o->ledger, o->dataset, o->budget, st->spent, eps);
	case PREP_ERR_BUDGET_CHANGED:
		cli_check_failed(&cli,
				 "ledger %s: dataset %s has budget %g, not %g",
				 o->ledger, o->dataset, st->budget, o->budget);
	case PREP_ERR_VALUE:
		if (w.line == 0)
			cli_fatal(&cli, "%s: not a regular file", o->ledger);
		if (w.field == PREP_LEDGER_UNENDED)
			cli_fatal_at(
			    &cli, w,
			    "not a ledger line (a last line without a newline must be a whole entry)");
		cli_fatal_at(&cli, w, "not a ledger line");
	case PREP_ERR_ARG:
		cli_usage_error(
		    &cli,
		    "--dataset NAME: 1 to 128 of A-Z a-z 0-9 . _ : / @ + -");
	default:
		cli_fatal_status(&cli, s, o->ledger);
	}
}

/*
 * Before the input is read: the dataset's name and the ledger file are
 * checked (read-only, nothing charged), so that a usage error or a file
 * that is not a ledger is said at once, not after the input.
 */
static void
check_ledger(const struct opts *o)
{
	prep_ledger_state st;
	prep_where w;
	prep_status s;

	memset(&st, 0, sizeof st);
	s = prep_ledger_query(o->ledger, o->dataset, &st, &w);
	if (s != PREP_OK)
		ledger_fail(s, o, 0, &st, w);
}

/* Charge the run, once the whole input has been read and checked. */
static void
charge_ledger(const struct opts *o, double eps, double delta, int argc,
	      char **argv)
{
	prep_ledger_charge c;
	prep_ledger_state st;
	prep_where w;
	prep_status s;
	char *args;

	if (prep_ledger_args(argc, argv, &args) != PREP_OK)
		cli_fatal(&cli, "out of memory");
	memset(&st, 0, sizeof st);
	c.dataset = o->dataset;
	c.budget = o->budget;
	c.epsilon = eps;
	c.delta = delta;
	c.tool = "dpnoise";
	c.args = args;
	c.seeded = o->seeded; /* counted all the same: spending is spending */
	s = prep_ledger_charge_run(o->ledger, &c, &st, &w);
	free(args);
	if (s != PREP_OK)
		ledger_fail(s, o, eps, &st, w);
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
				o->digits, cli.missing, &t) != PREP_OK)
		cli_fatal(&cli, "out of memory");
	for (i = 0; i < o->nspecs; i++) {
		idx = cli_columns(&cli, "-c", o->specs[i].cols, &nidx);
		for (j = 0; j < nidx; j++) {
			if (prep_noise_rows_noised(t, idx[j], NULL, NULL, NULL))
				cli_usage_error(&cli,
						"column %zu named twice by -c",
						idx[j] + 1);
			st = prep_noise_rows_add(t, idx[j], &o->specs[i].b);
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
 * Row mode, second half: the rows through the mechanisms, streamed from
 * the input, or from the spool of row_mode_spool.
 */
static void
row_mode_run(prep_noise_rows *t, prep_rng *rng, prep_reader *spool)
{
	size_t ncols, n, k;
	const prep_field *header = prep_reader_header(cli.reader, &ncols);
	const prep_field *f, *out;
	prep_status st;

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
}

/* Row mode: returns the epsilon spent. */
static double
run_rows(const struct opts *o, prep_rng *rng, int argc, char **argv)
{
	prep_noise_rows *t = row_mode_prepare(o);
	prep_spool *spool_file = NULL;
	prep_reader *spool = NULL;
	double total = prep_noise_rows_epsilon(t);

	/* the whole input is read and spooled before the charge, the
	 * charge is on disk before the first noisy value */
	if (o->ledger) {
		spool = row_mode_spool(t, &spool_file);
		charge_ledger(o, total, 0, argc, argv);
	}
	row_mode_run(t, rng, spool);
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

	if (st == PREP_OK)
		return;
	if (st == PREP_ERR_NOMEM && w.file == NULL)
		cli_fatal(&cli, "out of memory");
	if (st == PREP_ERR_IO && w.line == 0)
		cli_fatal_at(&cli, w, "%s", strerror(errno));
	/* names not quoted: the file may not be a keys file at all */
	if (st == PREP_ERR_HEADER_MISMATCH)
		cli_fatal_at(
		    &cli, w,
		    "fields %zu and %zu of the header have the same name: rename one",
		    f1 + 1, f2 + 1);
	if (st == PREP_ERR_COLUMN && h == NULL)
		cli_fatal_at(&cli, w, "fewer columns than --by");
	if (st == PREP_ERR_COLUMN)
		cli_fatal_at(&cli, w, "no column '%.*s' in its header",
			     (int)h[by[f1]].len, h[by[f1]].data);
	cli_fatal_at(&cli, w, "%s",
		     st == PREP_ERR_ARG ? "the same key twice"
					: prep_strerror(st));
}

/* Aggregate mode, first part: columns, parameters and the public keys. */
static prep_agg *
aggregate_prepare(const struct opts *o)
{
	size_t ncols, nby = 0, *by = NULL;
	const prep_field *h = prep_reader_header(cli.reader, &ncols);
	prep_agg_params p;
	prep_agg *agg;
	prep_bounds bounds;

	memset(&p, 0, sizeof p);
	p.kind = o->kind;
	p.missing = cli.missing;
	p.groups = o->by == NULL     ? PREP_AGG_ONE
		   : o->keys != NULL ? PREP_AGG_KEYS
				     : PREP_AGG_SELECT;
	if (o->by)
		by = cli_columns(&cli, "--by", o->by, &nby);
	p.by = by;
	p.nby = nby;
	p.value = o->col
		      ? (long)cli_column(
			    &cli, o->kind == PREP_AGG_SUM ? "--sum" : "--mean",
			    o->col)
		      : -1;
	if (o->agg_bounds) {
		parse_bounds(o->agg_bounds, &bounds);
		p.lo = bounds.lo;
		p.hi = bounds.hi;
		p.real_values = !bounds.integer;
	}
	p.id = o->id ? (long)cli_column(&cli, "--id", o->id) : -1;
	p.max_contrib = o->max_contrib;
	p.epsilon = o->eps;
	p.delta = o->delta;
	p.digits = o->digits;
	if (prep_agg_new(&p, &agg) != PREP_OK)
		cli_usage_error(&cli, "%s: parameters out of range",
				prep_agg_kind_name(o->kind));
	if (o->keys)
		load_keys(agg, o->keys, h, by);
	free(by);
	return agg;
}

/* Aggregate mode, second part: read the whole input. */
static void
aggregate_read(prep_agg *agg, prep_rng *rng)
{
	const prep_field *f;
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
}

/* Aggregate mode, last part: add the noise, write, sum up. */
static void
aggregate_release(prep_agg *agg, prep_rng *rng)
{
	const prep_field *h = prep_reader_header(cli.reader, NULL);
	prep_agg_summary sum;
	prep_status st;

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
}

/* Aggregate mode: returns the epsilon spent. */
static double
run_aggregate(const struct opts *o, prep_rng *rng, int argc, char **argv)
{
	prep_agg *agg = aggregate_prepare(o);

	/* the whole input is read before the charge, the charge is on
	 * disk before the first noisy value */
	aggregate_read(agg, rng);
	if (o->ledger)
		charge_ledger(o, o->eps, o->delta, argc, argv);
	aggregate_release(agg, rng);
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
	st = o.seeded ? prep_rng_new_seeded(o.seed, &rng)
		      : prep_rng_new_secure(&rng);
	if (st != PREP_OK)
		cli_fatal(&cli, "no randomness: %s", prep_strerror(st));
	/* Not a matter of taste: said even with -q. */
	if (o.seeded)
		cli_warn_always(
		    &cli,
		    "--seed makes the noise reproducible: the output is not private");
	if (o.ledger)
		check_ledger(&o);
	cli_open_input(&cli, argc - optind, argv + optind);
	total = o.aggregate ? run_aggregate(&o, rng, argc, argv)
			    : run_rows(&o, rng, argc, argv);
	cli_note(&cli, "epsilon spent %g", total);
	prep_rng_free(rng);
	return 0;
}
