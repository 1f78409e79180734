/*
 * dpnoise_run.c: dpnoise's two modes, row and aggregate, and the charge
 * to the privacy budget ledger that comes between reading the input and
 * writing the first noisy value (see dpnoise.c).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "aggregate_partial.h"
#include "cli.h"
#include "columns.h"
#include "dpnoise_run.h"
#include "ledger.h"
#include "noise.h"
#include "noise_rows.h"
#include "text.h"

struct cli cli;

/* The ledger's answer to the run's charge, for the audit record. */
static struct {
	int charged;	      /* 1: charged; 0: refused (or not yet made) */
	prep_ledger_state st; /* the dataset before the charge */
} charge;

void
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

/* A ledger status other than PREP_OK: the message, and exit 1 or 2. */
static void __attribute__((noreturn))
ledger_fail(prep_status s, const struct opts *o, const prep_ledger_charge *c,
	    const prep_ledger_state *st, prep_where w)
{
	const char *path = o->ledger;
	char text[PREP_LEDGER_TEXT_SIZE];

	if (s == PREP_ERR_ARG)
		cli_usage_error(
		    &cli,
		    "--dataset NAME: 1 to 128 of A-Z a-z 0-9 . _ : / @ + -");
	switch (prep_ledger_fault_text(s, c, st, &w, text, sizeof text)) {
	case PREP_LEDGER_REFUSED:
		/* the gate failed: its checks go in the record of the run */
		charge.charged = 0;
		charge.st = *st;
		record_checks(o, c->epsilon);
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
void
charge_ledger(const struct opts *o, double eps, double delta)
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
			ledger_fail(s, o, &c, &st, w);
		return;
	}
	if (prep_ledger_args(o->argc, o->argv, &args) != PREP_OK)
		cli_fatal(&cli, "out of memory");
	c.args = args;
	s = prep_ledger_charge_run(o->ledger, &c, &st, &w);
	free(args);
	if (s != PREP_OK)
		ledger_fail(s, o, &c, &st, w);
	charge.charged = 1;
	charge.st = st;
	cli_note(&cli, "ledger %s: dataset %s: spent %g of %g", o->ledger,
		 o->dataset, st.spent + eps, o->budget);
}

/*
 * The run's checks in the audit record (the check contract, dpnoise):
 * with a ledger, the gate budget.spent (observed the dataset's epsilon
 * spent with this run's, charged or not: what the ledger weighed against
 * --budget; passed: charged), then the figures epsilon (this run's, as
 * charged), delta (when partition selection uses one), and with a ledger
 * dataset, budget (the dataset's, as the ledger holds it; a first charge:
 * --budget) and budget.left (what the dataset has left after the run: a
 * refused charge leaves it as it was).
 */
void
record_checks(const struct opts *o, double eps)
{
	double budget, spent;

	if (!cli_audit_on(&cli))
		return;
	budget = charge.st.budget > 0 ? charge.st.budget : o->budget;
	spent = charge.st.spent + (charge.charged ? eps : 0);
	if (o->ledger)
		cli_audit_check(&cli, "budget.spent", charge.st.spent + eps,
				o->budget, charge.charged);
	cli_audit_figure(&cli, "epsilon", eps);
	if (o->delta > 0)
		cli_audit_figure(&cli, "delta", o->delta);
	if (o->ledger) {
		cli_audit_check_text(&cli, "dataset", o->dataset, NULL, -1);
		cli_audit_figure(&cli, "budget", budget);
		cli_audit_figure(&cli, "budget.left", budget - spent);
	}
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
 * --seed with --part or --part-by: each record's noise comes from the
 * stream of its line in the file (prep_rng_seek), so that it is the same
 * whatever part the record is read in: the parts' outputs end to end (or,
 * for --part-by, together) are the output of --part 1/1. Without --part
 * one stream serves the rows in turn, as it always has.
 */
static int
line_streams(const struct opts *o)
{
	return o->seeded && cli.part_i != 0;
}

/*
 * One worker of row mode (-j): its own mechanisms (whose output buffers
 * are theirs) and random stream, and what went wrong with a row.
 */
struct row_worker {
	prep_noise_rows *t;
	prep_rng *rng;
	int lines;   /* each record's noise from the stream of its line */
	int spooled; /* records come from the spool: their line last */
	char num[24];
	prep_field *row; /* a record with its line appended */
	size_t col;	 /* a cell that is not a number */
	prep_status st;
};

/* A record whose noise needs a value that is no number: at col. */
static prep_status
not_a_number(struct row_worker *k, size_t col)
{
	k->col = col;
	k->st = PREP_ERR_VALUE;
	return PREP_ERR_VALUE;
}

/* The ledger's first pass: check the record, spool it (with its line). */
static prep_status
spool_row(void *arg, const prep_field *f, size_t n, const prep_par_row *at,
	  prep_writer *out)
{
	struct row_worker *k = arg;
	size_t col;

	if (prep_noise_rows_check(k->t, f, n, &col) != PREP_OK)
		return not_a_number(k, col);
	if (k->lines) {
		memcpy(k->row, f, n * sizeof *k->row);
		k->row[n].len =
		    (size_t)snprintf(k->num, sizeof k->num, "%lu",
				     prep_reader_where(at->reader).line);
		k->row[n].data = k->num;
		return prep_writer_row(out, k->row, n + 1);
	}
	return prep_writer_row(out, f, n);
}

/* The record through the mechanisms. */
static prep_status
noise_row(void *arg, const prep_field *f, size_t n, const prep_par_row *at,
	  prep_writer *w)
{
	struct row_worker *k = arg;
	uint64_t line = prep_reader_where(at->reader).line;
	const prep_field *out;
	size_t col;
	int64_t v;
	prep_status st;

	if (k->spooled && k->lines) {
		if (n == 0 || prep_parse_int64(f[n - 1].data, f[n - 1].len,
					       &v) != PREP_OK)
			return k->st = PREP_ERR_ARG; /* no line: not ours */
		line = (uint64_t)v;
		n--;
	}
	if (k->lines && (st = prep_rng_seek(k->rng, line)) != PREP_OK)
		return k->st = st;
	st = prep_noise_rows_apply(k->t, k->rng, f, n, &out, &col);
	if (st == PREP_ERR_VALUE)
		return not_a_number(k, col);
	if (st != PREP_OK)
		return k->st = st;
	return prep_writer_row(w, out, n);
}

/* The workers of row mode; worker 0 has t and rng. */
static struct row_worker *
row_workers(const struct opts *o, prep_noise_rows *t, prep_rng *rng,
	    unsigned nt, void ***ctxs)
{
	struct row_worker *k = calloc(nt, sizeof *k);
	size_t ncols = prep_reader_columns(cli.reader);
	unsigned i;

	*ctxs = calloc(nt, sizeof **ctxs);
	if (k == NULL || *ctxs == NULL)
		cli_fatal(&cli, "out of memory");
	for (i = 0; i < nt; i++) {
		prep_status st = PREP_OK;

		k[i].t = t;
		k[i].rng = rng;
		k[i].lines = line_streams(o);
		if (i > 0) {
			k[i].t = row_mode_prepare(o);
			st = o->seeded ? prep_rng_new_seeded((uint64_t)o->seed,
							     &k[i].rng)
				       : prep_rng_new_secure(&k[i].rng);
		}
		if (st != PREP_OK)
			cli_fatal(&cli, "no randomness: %s", prep_strerror(st));
		if ((k[i].row = calloc(ncols + 1, sizeof *k[i].row)) == NULL)
			cli_fatal(&cli, "out of memory");
		(*ctxs)[i] = &k[i];
	}
	return k;
}

static void
row_workers_free(struct row_worker *k, void **ctxs, unsigned nt)
{
	unsigned i;

	for (i = 0; i < nt; i++) {
		if (i > 0) {
			prep_noise_rows_free(k[i].t);
			prep_rng_free(k[i].rng);
		}
		free(k[i].row);
	}
	free(k);
	free(ctxs);
}

/* Run a pass of row mode over r into out; a failure ends the run. */
static void
row_pass(prep_reader *r, prep_writer *out, int spool, const prep_par_job *job,
	 struct row_worker *k, void **ctxs)
{
	prep_par_result res;
	struct row_worker *bad;

	if (cli_run_rows_of(&cli, r, out, job, ctxs, &res) == PREP_OK)
		return;
	bad = &k[res.worker];
	if (res.by_output || bad->st == PREP_OK) { /* the writer's */
		if (spool)
			cli_spool_check(&cli, res.status);
		cli_write_check(&cli, res.status);
		cli_fatal_status(&cli, res.status, "output");
	}
	if (bad->st == PREP_ERR_VALUE)
		cli_fatal_cell_at(&cli, res.where, bad->col, "not a number");
	if (bad->st == PREP_ERR_ARG)
		cli_fatal(&cli, "spool: record without its line");
	if (bad->st == PREP_ERR_NOMEM)
		cli_fatal(&cli, "out of memory");
	if (bad->st == PREP_ERR_CRYPTO)
		cli_fatal(&cli, "no randomness: %s", prep_strerror(bad->st));
	cli_fatal(&cli, "noise out of range");
}

/*
 * Row mode with a ledger, before the charge: read the whole input, check
 * every noised cell, and copy the records to a spool (an unlinked
 * temporary file, in the input's delimiter). Returns a reader over the
 * spool's records.
 *
 * The spool begins with a header of its own (a "c" per column), so that
 * it never begins with a record's bytes, which a reader would take for a
 * byte order mark to drop or gzip's magic. With line_streams, each record
 * has one more field, its line in the file.
 */
static prep_reader *
row_mode_spool(const struct opts *o, struct row_worker *k, void **ctxs,
	       prep_spool **spool)
{
	static const prep_par_job job = {.row = spool_row};
	prep_csv_options ro = *prep_reader_options(cli.reader);
	size_t ncols = prep_reader_columns(cli.reader), i;
	int lines = line_streams(o);
	prep_field *head;
	prep_reader *r;
	prep_status st;

	*spool = cli_spool_new(&cli, 0);
	if ((head = calloc(ncols + 1, sizeof *head)) == NULL)
		cli_fatal(&cli, "out of memory");
	for (i = 0; i < ncols + (size_t)lines; i++)
		head[i] = (prep_field){"c", 1};
	cli_spool_check(&cli,
			prep_spool_row(*spool, head, ncols + (size_t)lines));
	free(head);
	row_pass(cli.reader, prep_spool_writer(*spool), 1, &job, k, ctxs);
	cli_spool_check(&cli, prep_spool_finish(*spool));
	cli_progress_end(&cli);
	ro.has_header = 1;
	if ((st = prep_spool_reader(*spool, &ro, &r)) != PREP_OK)
		cli_fatal_status(&cli, st, "spool");
	return r;
}

/*
 * Row mode: the rows through the mechanisms, streamed from the input or,
 * with a ledger, from the spool of row_mode_spool: the whole input is
 * read and spooled before the charge, the charge is on disk before the
 * first noisy value. Returns the epsilon spent.
 *
 * Threads (-j) each draw from a stream of their own: an unseeded run's
 * are all fresh randomness, and a seeded run with --part takes each
 * record's noise from the stream of its line, whoever draws it. A
 * seeded run without --part draws from one stream in input order, so
 * it runs on one thread, which keeps its output the same for every -j.
 */
double
run_rows(const struct opts *o, prep_rng *rng)
{
	static const prep_par_job job = {.row = noise_row};
	prep_noise_rows *t = row_mode_prepare(o);
	double total = prep_noise_rows_epsilon(t);
	size_t ncols;
	const prep_field *header = prep_reader_header(cli.reader, &ncols);
	prep_spool *spool_file = NULL;
	prep_reader *spool = NULL;
	unsigned nt;
	void **ctxs;
	struct row_worker *k;

	if (o->seeded && !line_streams(o))
		cli.threads = 1;
	nt = cli.threads;
	k = row_workers(o, t, rng, nt, &ctxs);
	if (o->ledger) {
		spool = row_mode_spool(o, k, ctxs, &spool_file);
		charge_ledger(o, total, 0);
	}
	/* the summary, once the ledger has accepted the run */
	if (!cli.quiet)
		(void)prep_noise_rows_report(t, header, cli.prog, stderr);
	cli_open_output(&cli);
	if (header)
		cli_write_check(&cli,
				prep_writer_row(cli.writer, header, ncols));
	for (unsigned i = 0; i < nt; i++)
		k[i].spooled = spool != NULL;
	row_pass(spool ? spool : cli.reader, cli.writer, 0, &job, k, ctxs);
	cli_finish(&cli);
	row_workers_free(k, ctxs, nt);
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

/* The columns 0 .. n-1: the key columns of a merge, which has no
 * input but the states' groups. */
static size_t *
identity(size_t n)
{
	size_t *by = malloc((n ? n : 1) * sizeof *by), i;

	if (by == NULL)
		cli_fatal(&cli, "out of memory");
	for (i = 0; i < n; i++)
		by[i] = i;
	return by;
}

prep_agg *
aggregate_prepare(const struct opts *o, prep_rng *rng,
		  const prep_partial_input *in)
{
	size_t *by = NULL;
	const prep_field *h;
	prep_agg_params p;
	prep_agg *agg;
	prep_bounds bounds;

	/* a merge's header: the names of the --by columns, from a state */
	h = in == NULL		 ? prep_reader_header(cli.reader, NULL)
	    : cli.csv.has_header ? in->names
				 : NULL;
	prep_agg_params_init(&p, o->kind, o->eps);
	p.missing = cli.missing;
	if (o->by) {
		if (in != NULL)
			by = identity(p.nby = in->nnames);
		else
			by = cli_columns(&cli, "--by", o->by, &p.nby);
		p.by = by;
		p.groups = o->keys ? PREP_AGG_KEYS : PREP_AGG_SELECT;
	}
	/* the columns of a merge's rows, which it has none of: any */
	if (o->col)
		p.value = in != NULL ? 0
				     : (long)cli_column(&cli,
							o->kind == PREP_AGG_SUM
							    ? "--sum"
							    : "--mean",
							o->col);
	if (o->agg_bounds) {
		parse_bounds(o->agg_bounds, &bounds);
		prep_agg_params_bounds(&p, &bounds);
	}
	if (o->id)
		p.id = in != NULL ? 0 : (long)cli_column(&cli, "--id", o->id);
	p.max_contrib = (uint64_t)o->max_contrib;
	p.delta = o->delta;
	p.digits = (int)o->digits;
	if (prep_agg_new(&p, &agg) != PREP_OK)
		cli_usage_error(&cli, "%s: parameters out of range",
				prep_agg_kind_name(o->kind));
	if (o->keys)
		load_keys(agg, o->keys, h, by);
	free(by);
	if (o->id && prep_agg_draw_subset_key(agg, rng) != PREP_OK)
		cli_fatal(&cli, "no randomness");
	return agg;
}

/* One thread of the aggregate mode's read: its own aggregation. */
struct agg_worker {
	prep_agg *agg;
	prep_rng *rng;
	size_t bad; /* the column of a value that is not a number */
};

static prep_status
agg_row(void *arg, const prep_field *f, size_t n, const prep_par_row *at,
	prep_writer *out)
{
	struct agg_worker *k = arg;

	(void)n;
	(void)at;
	(void)out;
	return prep_agg_add_row(k->agg, k->rng, f, &k->bad);
}

/*
 * Read the input into agg. Threads (-j) count into aggregations of
 * their own, added up after (prep_agg_merge): the groups, their counts
 * and exact sums do not depend on which thread read a row, and the
 * release sorts the groups, so the output is the same for every -j.
 * With --id a person's rows must meet in one table for the bounding of
 * their contributions: one thread.
 */
void
aggregate_read(const struct opts *o, prep_agg *agg, prep_rng *rng)
{
	static const prep_par_job job = {.row = agg_row};
	struct agg_worker *k;
	void **ctxs;
	prep_par_result res;
	unsigned t;
	prep_status st;

	if (o->id)
		cli.threads = 1;
	k = calloc(cli.threads, sizeof *k);
	ctxs = calloc(cli.threads, sizeof *ctxs);
	if (k == NULL || ctxs == NULL)
		cli_fatal(&cli, "out of memory");
	for (t = 0; t < cli.threads; t++) {
		if (t > 0 && prep_agg_new_like(agg, &k[t].agg) != PREP_OK)
			cli_fatal(&cli, "out of memory");
		if (t == 0)
			k[t].agg = agg;
		k[t].rng = t == 0 ? rng : NULL;
		ctxs[t] = &k[t];
	}
	st = cli_run_rows(&cli, NULL, &job, ctxs, &res);
	if (st == PREP_ERR_VALUE)
		cli_fatal_cell_at(&cli, res.where, k[res.worker].bad,
				  "not a number");
	if (st == PREP_ERR_LIMIT)
		cli_fatal_at(&cli, res.where, "too many groups or ids");
	if (st != PREP_OK)
		cli_fatal_at(&cli, res.where, "%s", prep_strerror(st));
	for (t = 1; t < cli.threads; t++) {
		/* past the cap only in all: no one record to name */
		if ((st = prep_agg_merge(agg, k[t].agg)) == PREP_ERR_LIMIT)
			cli_fatal(&cli, "too many groups or ids");
		if (st != PREP_OK)
			cli_fatal_status(&cli, st, "aggregate");
		prep_agg_free(k[t].agg);
	}
	free(k);
	free(ctxs);
	cli_progress_end(&cli);
}

void
aggregate_release(const struct opts *o, prep_agg *agg, prep_rng *rng,
		  const prep_field *h)
{
	prep_agg_summary sum;
	prep_status st;

	if (o->ledger)
		charge_ledger(o, o->eps, o->delta);
	cli_open_report(&cli);
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

/*
 * Aggregate mode: the whole input is read before the charge, the charge
 * is on disk before the first noisy value. Returns the epsilon spent.
 */
double
run_aggregate(const struct opts *o, prep_rng *rng)
{
	prep_agg *agg = aggregate_prepare(o, rng, NULL);

	aggregate_read(o, agg, rng);
	aggregate_release(o, agg, rng, prep_reader_header(cli.reader, NULL));
	return o->eps;
}