/*
 * dpnoise: Laplace differential privacy on values (row mode) or on
 * counts, sums and means by group (aggregate mode), with a privacy budget
 * ledger (man1/dpnoise.1, man5/prep-ledger.5).
 *
 * Option parsing and messages; the noise is libprep/noise.c, aggregation
 * libprep/aggregate.c, the ledger libprep/ledger.c.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aggregate.h"
#include "cli.h"
#include "columns.h"
#include "ledger.h"
#include "noise.h"
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
	double lo, hi;
	int64_t ilo, ihi;
	int integer; /* LO and HI written as whole numbers */
};

/* What row mode does to one column. */
struct column_noise {
	const struct spec *spec;
	prep_laplace *real;
	prep_laplace *integer; /* NULL unless the bounds are whole numbers */
	double eps;
};

static void
usage(void)
{
	printf("usage: dpnoise -c COLS --bounds LO:HI [-c COLS --bounds "
	       "LO:HI]... --epsilon E\n"
	       "               [--digits N] [options] [FILE...]\n"
	       "       dpnoise --count|--sum COL|--mean COL [--by COLS "
	       "(--keys FILE|--delta D)]\n"
	       "               [--id COL --max-contrib N] [--bounds LO:HI] "
	       "--epsilon E [options]\n"
	       "               [FILE...]\n"
	       "options: [--ledger FILE --dataset NAME --budget B] [--seed "
	       "N] [common options]\n"
	       "\n"
	       "Release values, or counts, sums and means by group, with "
	       "Laplace noise\n"
	       "that makes them epsilon-differentially private.\n"
	       "\n"
	       "  -c, --columns COLS   row mode: columns to noise; each "
	       "needs --bounds\n"
	       "      --bounds LO:HI   values are clamped to [LO,HI]; "
	       "sensitivity HI-LO\n"
	       "      --epsilon E      privacy loss (per column in row mode)\n"
	       "      --digits N       decimals printed with N digits after "
	       "the point\n"
	       "      --count          aggregate: noisy number of rows\n"
	       "      --sum COL        aggregate: noisy sum of COL\n"
	       "      --mean COL       aggregate: noisy mean of COL (E/2 "
	       "sum, E/2 count)\n"
	       "      --by COLS        aggregate by these columns\n"
	       "      --keys FILE      the public list of groups (CSV with "
	       "the --by header)\n"
	       "      --delta D        or: release groups by partition "
	       "selection\n"
	       "      --id COL         the column that identifies a person\n"
	       "      --max-contrib N  rows kept per person (default 1)\n"
	       "      --ledger FILE    charge the run to this budget ledger\n"
	       "      --dataset NAME   ... under this dataset name\n"
	       "      --budget B       ... whose total epsilon is B\n"
	       "      --seed N         reproducible noise: NOT "
	       "private\n" CLI_COMMON_HELP
	       "\nExit status: 0 done, 1 privacy budget refused, 2 "
	       "trouble.\n");
}

static double
parse_positive(const char *opt, const char *arg)
{
	double v;

	/* arg is an optarg: the analyzer misses getopt_long setting it */
	/* NOLINTNEXTLINE(clang-analyzer-core.NonNull*) */
	if (prep_parse_number(arg, strlen(arg), &v) != PREP_OK || !(v > 0) ||
	    !isfinite(v))
		cli_usage_error(&cli, "%s must be a positive number", opt);
	return v;
}

static void
parse_bounds(struct spec *s)
{
	const char *colon = s->bounds[0] ? strchr(s->bounds + 1, ':') : NULL;
	size_t llen;
	int64_t span;

	if (colon == NULL)
		cli_usage_error(&cli, "--bounds must be LO:HI");
	llen = (size_t)(colon - s->bounds);
	if (prep_parse_number(s->bounds, llen, &s->lo) != PREP_OK ||
	    prep_parse_number(colon + 1, strlen(colon + 1), &s->hi) !=
		PREP_OK ||
	    !isfinite(s->lo) || !isfinite(s->hi))
		cli_usage_error(&cli, "--bounds must be LO:HI, two numbers");
	if (!(s->lo < s->hi))
		cli_usage_error(&cli, "--bounds LO:HI needs LO < HI");
	s->integer = prep_parse_int64(s->bounds, llen, &s->ilo) == PREP_OK &&
		     prep_parse_int64(colon + 1, strlen(colon + 1), &s->ihi) ==
			 PREP_OK &&
		     !__builtin_sub_overflow(s->ihi, s->ilo, &span) &&
		     span > 0 && span < ((int64_t)1 << 53);
}

/*
 * The summary line of one mechanism. The 95% error bound is b ln 20 for
 * the (continuous) Laplace; for the integer mechanism, the smallest t with
 * P(|noise| > t) = 2 a^(t+1) / (1 + a) <= 0.05, a = exp(-1/b), which is
 * up to one unit above it for small b.
 */
static void
print_scale(const char *mech, const char *on, double eps, double b)
{
	double bound = b * log(20.0);

	if (cli.quiet)
		return;
	if (strcmp(mech, "integer") == 0) {
		double a = exp(-1 / b);

		bound = ceil(log(0.05 * (1 + a) / 2) / log(a) - 1);
		if (bound < 0)
			bound = 0;
	}
	fprintf(stderr,
		"dpnoise: laplace (%s) on %s: epsilon %g, scale b %g, 95%% "
		"error bound %g\n",
		mech, on, eps, b, bound);
}

/* The run's command line as one string, for the ledger. */
static char *
command_line(int argc, char **argv)
{
	size_t n = 1;
	int i;
	char *s;

	for (i = 0; i < argc; i++)
		n += strlen(argv[i]) + 1;
	s = calloc(n, 1);
	if (s == NULL)
		cli_fatal(&cli, "out of memory");
	for (i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* A ledger status other than PREP_OK: the message, and exit 1 or 2. */
static void __attribute__((noreturn))
ledger_fail(prep_status s, const char *path, const char *dataset, double budget,
	    double eps, const prep_ledger_state *st, prep_where w)
{
	switch (s) {
	case PREP_ERR_BUDGET:
		fprintf(stderr,
			"dpnoise: ledger %s: dataset %s: budget %g exhausted "
			"(spent %g, this run %g)\n",
			path, dataset, budget, st->spent, eps);
		exit(EXIT_CHECK_FAILED);
	case PREP_ERR_BUDGET_CHANGED:
		fprintf(stderr,
			"dpnoise: ledger %s: dataset %s has budget %g, not "
			"%g\n",
			path, dataset, st->budget, budget);
		exit(EXIT_CHECK_FAILED);
	case PREP_ERR_VALUE:
		if (w.line == 0)
			cli_fatal(&cli, "%s: not a regular file", path);
		if (w.field == PREP_LEDGER_UNENDED)
			cli_fatal_at(&cli, w,
				     "not a ledger line (a last line without "
				     "a newline must be a whole entry)");
		cli_fatal_at(&cli, w, "not a ledger line");
	case PREP_ERR_ARG:
		cli_usage_error(&cli, "--dataset NAME: 1 to 128 of "
				      "A-Z a-z 0-9 . _ : / @ + -");
	default:
		cli_fatal_status(&cli, s, path);
	}
}

/*
 * Before the input is read: the dataset's name and the ledger file are
 * checked (read-only, nothing charged), so that a usage error or a file
 * that is not a ledger is said at once, not after the input.
 */
static void
check_ledger(const char *path, const char *dataset, double budget)
{
	prep_ledger_state st;
	prep_where w;
	prep_status s;

	memset(&st, 0, sizeof st);
	s = prep_ledger_query(path, dataset, &st, &w);
	if (s != PREP_OK)
		ledger_fail(s, path, dataset, budget, 0, &st, w);
}

/* Charge the run, once the whole input has been read and checked. */
static void
charge_ledger(const char *path, const char *dataset, double budget, double eps,
	      double delta, int seeded, int argc, char **argv)
{
	prep_ledger_charge c;
	prep_ledger_state st;
	prep_where w;
	prep_status s;
	char *args = command_line(argc, argv);

	memset(&st, 0, sizeof st);
	c.dataset = dataset;
	c.budget = budget;
	c.epsilon = eps;
	c.delta = delta;
	c.tool = "dpnoise";
	c.args = args;
	c.seeded = seeded; /* counted all the same: spending is spending */
	s = prep_ledger_charge_run(path, &c, &st, &w);
	free(args);
	if (s != PREP_OK)
		ledger_fail(s, path, dataset, budget, eps, &st, w);
	if (!cli.quiet)
		fprintf(stderr,
			"dpnoise: ledger %s: dataset %s: spent %g of %g\n",
			path, dataset, st.spent + eps, budget);
}

/* v in decimal into buf (>= 21 bytes); returns the length. */
static size_t
format_int(int64_t v, char *buf)
{
	char tmp[24];
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
	size_t n = 0, len = 0;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		buf[len++] = '-';
	while (n)
		buf[len++] = tmp[--n];
	buf[len] = '\0';
	return len;
}

/* Write a double as the shortest text that reads back, or N decimals. */
static void
write_double(double v, int digits)
{
	char buf[64];
	int n = digits >= 0 ? snprintf(buf, sizeof buf, "%.*f", digits, v)
			    : prep_format_double(v, buf, sizeof buf);

	cli_write_check(&cli, prep_writer_field(cli.writer, buf, (size_t)n));
}

/*
 * Row mode, first half: the mechanism of every column named by a -c, or a
 * usage error; returns the epsilon the run spends (per column).
 */
static struct column_noise **
row_mode_prepare(struct spec *specs, size_t nspecs, double eps, double *total)
{
	size_t ncols = prep_reader_columns(cli.reader), i, j;
	struct column_noise **by_col;

	*total = 0;
	/* an array of pointers: sizeof *by_col is a pointer's size */
	/* NOLINTNEXTLINE(bugprone-sizeof-expression) */
	by_col = calloc(ncols ? ncols : 1, sizeof *by_col);
	if (by_col == NULL)
		cli_fatal(&cli, "out of memory");
	for (i = 0; i < nspecs; i++) {
		size_t nidx,
		    *idx = cli_columns(&cli, "-c", specs[i].cols, &nidx);

		for (j = 0; j < nidx; j++) {
			struct column_noise *cn;

			if (by_col[idx[j]])
				cli_usage_error(&cli,
						"column %zu named twice "
						"by -c",
						idx[j] + 1);
			cn = calloc(1, sizeof *cn);
			if (cn == NULL)
				cli_fatal(&cli, "out of memory");
			cn->spec = &specs[i];
			if (prep_laplace_new_real(eps,
						  specs[i].hi - specs[i].lo,
						  &cn->real) != PREP_OK)
				cli_usage_error(&cli, "--epsilon must be from "
						      "2^-40 to 2^20");
			if (specs[i].integer &&
			    prep_laplace_new_int(
				eps, (double)(specs[i].ihi - specs[i].ilo),
				&cn->integer) != PREP_OK)
				cli_fatal(&cli, "integer mechanism");
			cn->eps = eps;
			by_col[idx[j]] = cn;
			*total += eps;
		}
		free(idx);
	}
	return by_col;
}

/*
 * 1 when cell f of a noised column holds a value the mechanism takes: an
 * integer (with integer bounds) or a finite number.
 */
static int
cell_ok(const struct column_noise *cn, const prep_field *f)
{
	int64_t iv;
	double dv;

	if (cn->integer && prep_parse_int64(f->data, f->len, &iv) == PREP_OK)
		return 1;
	return prep_parse_number(f->data, f->len, &dv) == PREP_OK &&
	       isfinite(dv);
}

/*
 * Row mode with a ledger, before the charge: read the whole input, check
 * every noised cell, and copy the records to a spool (an unlinked
 * temporary file, in the input's delimiter). Returns a reader over the
 * spool's records, or NULL when the input has none.
 *
 * The spool begins with a header of its own (a "c" per column), so that
 * it never begins with a record's bytes, which a reader would take for a
 * byte order mark to drop or gzip's magic.
 */
static prep_reader *
row_mode_spool(struct column_noise **by_col, prep_spool **spool)
{
	prep_csv_options o = *prep_reader_options(cli.reader);
	size_t ncols = prep_reader_columns(cli.reader), n, k;
	prep_field *head;
	prep_reader *r;
	const prep_field *f;
	uint64_t rows = 0;
	prep_status st;

	*spool = cli_spool_new(&cli, 0);
	if ((head = calloc(ncols ? ncols : 1, sizeof *head)) == NULL)
		cli_fatal(&cli, "out of memory");
	for (k = 0; k < ncols; k++)
		head[k] = (prep_field){"c", 1};
	cli_spool_check(&cli, prep_spool_row(*spool, head, ncols));
	free(head);
	while ((f = cli_next_row(&cli, &n)) != NULL) {
		for (k = 0; k < n; k++)
			if (by_col[k] && !cli_is_missing(&cli, &f[k]) &&
			    !cell_ok(by_col[k], &f[k]))
				cli_fatal_cell(&cli, k, "not a number");
		cli_spool_check(&cli, prep_spool_row(*spool, f, n));
		rows++;
	}
	cli_spool_check(&cli, prep_spool_finish(*spool));
	cli_progress_end(&cli);
	if (rows == 0)
		return NULL;
	o.has_header = 1;
	if ((st = prep_spool_reader(*spool, &o, &r)) != PREP_OK)
		cli_fatal_status(&cli, st, "spool");
	return r;
}

/*
 * The next record to add noise to: from the input, or from the spool when
 * there is one (spooled says whether there is; spool NULL then means no
 * records).
 */
static const prep_field *
next_record(int spooled, prep_reader *spool, size_t *n)
{
	const prep_field *f;
	prep_status st;

	if (!spooled)
		return cli_next_row(&cli, n);
	if (spool == NULL)
		return NULL;
	st = prep_reader_next_row(spool, &f, n);
	if (st == PREP_END)
		return NULL;
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, "spool");
	return f;
}

/*
 * Row mode, second half: the rows through the mechanisms, streamed from
 * the input, or from the spool of row_mode_spool when spooled.
 */
static void
row_mode_run(struct column_noise **by_col, int digits, prep_rng *rng,
	     int spooled, prep_reader *spool)
{
	size_t ncols, n, k;
	const prep_field *header = prep_reader_header(cli.reader, &ncols);
	const prep_field *f;
	char buf[32], on[300];

	/* the summary, once the ledger has accepted the run */
	for (k = 0; k < ncols; k++) {
		struct column_noise *cn = by_col[k];

		if (cn == NULL)
			continue;
		if (header)
			snprintf(on, sizeof on, "%.*s", (int)header[k].len,
				 header[k].data);
		else
			snprintf(on, sizeof on, "column %zu", k + 1);
		print_scale(
		    cn->integer ? "integer" : "real", on, cn->eps,
		    prep_laplace_scale(cn->integer ? cn->integer : cn->real));
	}
	cli_open_output(&cli);
	if (header)
		cli_write_check(&cli,
				prep_writer_row(cli.writer, header, ncols));
	while ((f = next_record(spooled, spool, &n)) != NULL) {
		for (k = 0; k < n; k++) {
			struct column_noise *cn = by_col[k];
			const struct spec *s;
			int64_t iv, io;
			double dv, dout;

			if (cn == NULL || cli_is_missing(&cli, &f[k])) {
				cli_write_check(
				    &cli, prep_writer_field(
					      cli.writer, f[k].data, f[k].len));
				continue;
			}
			s = cn->spec;
			if (cn->integer && prep_parse_int64(f[k].data, f[k].len,
							    &iv) == PREP_OK) {
				iv = iv < s->ilo   ? s->ilo
				     : iv > s->ihi ? s->ihi
						   : iv;
				if (prep_laplace_add_int(cn->integer, rng, iv,
							 &io) != PREP_OK)
					cli_fatal(&cli, "noise out of range");
				cli_write_check(&cli, prep_writer_field(
							  cli.writer, buf,
							  format_int(io, buf)));
				continue;
			}
			if (prep_parse_number(f[k].data, f[k].len, &dv) !=
				PREP_OK ||
			    !isfinite(dv))
				cli_fatal_cell(&cli, k, "not a number");
			dv = dv < s->lo ? s->lo : dv > s->hi ? s->hi : dv;
			if (prep_laplace_add_real(cn->real, rng, dv, &dout) !=
			    PREP_OK)
				cli_fatal(&cli, "noise out of range");
			write_double(dout, digits);
		}
		cli_write_check(&cli, prep_writer_end_row(cli.writer));
	}
	cli_finish(&cli);
	for (k = 0; k < ncols; k++) {
		if (by_col[k] == NULL)
			continue;
		prep_laplace_free(by_col[k]->real);
		prep_laplace_free(by_col[k]->integer);
		/* a spec's columns share nothing else */
		free(by_col[k]);
	}
	free(by_col);
}

/* Aggregate mode's emit callback: one output record per group. */
static prep_status
emit_group(void *ctx, const prep_field *key, size_t nkey, const char *value,
	   size_t len)
{
	size_t i;
	prep_status st;

	(void)ctx;
	for (i = 0; i < nkey; i++)
		if ((st = prep_writer_field(cli.writer, key[i].data,
					    key[i].len)) != PREP_OK)
			return st;
	if ((st = prep_writer_field(cli.writer, value, len)) != PREP_OK)
		return st;
	return prep_writer_end_row(cli.writer);
}

/* Read the --keys file: its header names the --by columns. */
static void
load_keys(prep_agg *agg, const char *path, const prep_field *h,
	  const size_t *by, size_t nby)
{
	prep_csv_options o = cli.csv;
	prep_reader *r;
	const prep_field *kh, *f;
	size_t nk, i, j, n, *map;
	prep_field *key;
	prep_status st;

	/* with -H the keys file has no header either: its columns are the
	 * --by columns in order */
	o.has_header = h != NULL;
	st = prep_reader_new(&o, &path, 1, &r);
	if (st != PREP_OK) {
		if (r == NULL)
			cli_fatal(&cli, "out of memory");
		if (st == PREP_ERR_IO)
			cli_fatal(&cli, "%s: %s", path, strerror(errno));
		cli_fatal_at(&cli, prep_reader_where(r), "%s",
			     prep_strerror(st));
	}
	kh = prep_reader_header(r, &nk);
	if (h != NULL) {
		size_t d1, d2;

		if (prep_columns_duplicate(kh, nk, &d1, &d2) != PREP_OK)
			cli_fatal(&cli, "out of memory");
		/* not quoted: the file may not be a keys file at all */
		if (d2 != (size_t)-1)
			cli_fatal(&cli,
				  "%s:1: fields %zu and %zu of the header have "
				  "the same name: rename one",
				  path, d1 + 1, d2 + 1);
	}
	map = calloc(nby ? nby : 1, sizeof *map);
	key = calloc(nby ? nby : 1, sizeof *key);
	if (!map || !key)
		cli_fatal(&cli, "out of memory");
	for (i = 0; i < nby && h == NULL; i++) {
		if (i >= nk)
			cli_fatal(&cli, "%s: fewer columns than --by", path);
		map[i] = i;
	}
	for (i = 0; i < nby && h != NULL; i++) {
		for (j = 0; kh && j < nk; j++)
			if (kh[j].len == h[by[i]].len &&
			    memcmp(kh[j].data, h[by[i]].data, kh[j].len) == 0)
				break;
		if (kh == NULL || j == nk)
			cli_fatal(&cli, "%s: no column '%.*s' in its header",
				  path, (int)h[by[i]].len, h[by[i]].data);
		map[i] = j;
	}
	while ((st = prep_reader_next_row(r, &f, &n)) == PREP_OK) {
		for (i = 0; i < nby; i++)
			key[i] = f[map[i]];
		st = prep_agg_add_key(agg, key);
		if (st == PREP_ERR_ARG)
			cli_fatal_at(&cli, prep_reader_where(r),
				     "the same key twice");
		if (st != PREP_OK)
			cli_fatal_at(&cli, prep_reader_where(r), "%s",
				     prep_strerror(st));
	}
	if (st != PREP_END)
		cli_fatal_at(&cli, prep_reader_where(r), "%s",
			     prep_strerror(st));
	free(map);
	free(key);
	prep_reader_free(r);
}

struct agg_opts {
	prep_agg_kind kind;
	const char *col; /* --sum / --mean */
	const char *by;
	const char *keys;
	double delta;
	const char *id;
	uint64_t max_contrib;
	const char *bounds;
};

static const char *
kind_name(prep_agg_kind k)
{
	return k == PREP_AGG_COUNT ? "count"
	       : k == PREP_AGG_SUM ? "sum"
				   : "mean";
}

static prep_agg_params agg_params;

/* Aggregate mode, first half: columns, parameters and the public keys. */
static prep_agg *
aggregate_prepare(const struct agg_opts *a, double eps, int digits)
{
	size_t ncols, nby = 0, *by = NULL;
	const prep_field *h = prep_reader_header(cli.reader, &ncols);
	prep_agg_params p;
	prep_agg *agg;
	struct spec bounds;
	const char *name = kind_name(a->kind);

	memset(&p, 0, sizeof p);
	p.kind = a->kind;
	p.missing = cli.missing;
	p.groups = a->by == NULL     ? PREP_AGG_ONE
		   : a->keys != NULL ? PREP_AGG_KEYS
				     : PREP_AGG_SELECT;
	if (a->by)
		by = cli_columns(&cli, "--by", a->by, &nby);
	p.by = by;
	p.nby = nby;
	p.value = a->col
		      ? (long)cli_column(
			    &cli, a->kind == PREP_AGG_SUM ? "--sum" : "--mean",
			    a->col)
		      : -1;
	if (a->bounds) {
		bounds.bounds = a->bounds;
		parse_bounds(&bounds);
		p.lo = bounds.lo;
		p.hi = bounds.hi;
		p.real_values = !bounds.integer;
	}
	p.id = a->id ? (long)cli_column(&cli, "--id", a->id) : -1;
	p.max_contrib = a->max_contrib;
	p.epsilon = eps;
	p.delta = a->delta;
	p.digits = digits;
	if (prep_agg_new(&p, &agg) != PREP_OK)
		cli_usage_error(&cli, "%s: parameters out of range", name);
	if (a->keys)
		load_keys(agg, a->keys, h, by, nby);
	agg_params = p;
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

/* Aggregate mode, last part: add the noise, write. */
static void
aggregate_release(prep_agg *agg, prep_agg_kind kind, prep_rng *rng)
{
	size_t ncols, i;
	const prep_field *h = prep_reader_header(cli.reader, &ncols);
	const prep_agg_params p = agg_params;
	const size_t *by = p.by;
	size_t nby = p.nby;
	prep_agg_summary sum;
	prep_status st;
	const char *name = kind_name(kind);

	cli_open_output(&cli);
	/* the header names the --by columns; with -H there is none, and
	 * an empty input (--allow-empty) still gets one */
	if (cli.csv.has_header) {
		for (i = 0; i < nby; i++)
			cli_write_check(&cli, prep_writer_field(cli.writer,
								h[by[i]].data,
								h[by[i]].len));
		cli_write_check(
		    &cli, prep_writer_field(cli.writer, name, strlen(name)));
		cli_write_check(&cli, prep_writer_end_row(cli.writer));
	}
	st = prep_agg_release(agg, rng, emit_group, NULL, &sum);
	if (st != PREP_OK)
		cli_write_check(&cli, st);
	cli_finish(&cli);
	if (sum.count_epsilon > 0)
		print_scale("integer", "count", sum.count_epsilon,
			    sum.count_scale);
	if (sum.sum_epsilon > 0)
		print_scale(sum.sum_integer ? "integer" : "real", "sum",
			    sum.sum_epsilon, sum.sum_scale);
	/*
	 * Only what the output shows anyway: how many groups were seen or
	 * rows dropped are exact figures of the data, not private.
	 */
	if (!cli.quiet && p.groups == PREP_AGG_SELECT)
		fprintf(stderr,
			"dpnoise: partition selection: threshold %g, %llu "
			"group%s released\n",
			sum.threshold, (unsigned long long)sum.released,
			sum.released == 1 ? "" : "s");
	prep_agg_free(agg);
	free((size_t *)by);
}

int
main(int argc, char **argv)
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
	static struct spec specs[MAX_SPECS];
	size_t nspecs = 0;
	struct agg_opts agg;
	int opt, digits = -1, aggregate = 0, seeded = 0;
	double eps = 0, budget = 0, total;
	const char *ledger = NULL, *dataset = NULL, *agg_bounds = NULL;
	uint64_t seed = 0;
	int64_t v;
	prep_rng *rng = NULL;
	prep_agg *agg_handle = NULL;
	struct column_noise **by_col = NULL;
	prep_reader *spool = NULL;
	prep_spool *spool_file = NULL;
	prep_status st;

	cli_init(&cli, "dpnoise", usage);
	memset(&agg, 0, sizeof agg);
	agg.max_contrib = 0;
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "c:",
				  longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			if (nspecs == MAX_SPECS)
				cli_usage_error(&cli, "too many -c");
			if (nspecs && specs[nspecs - 1].bounds == NULL)
				cli_usage_error(&cli, "-c %s has no --bounds",
						specs[nspecs - 1].cols);
			specs[nspecs++].cols = optarg;
			break;
		case OPT_BOUNDS:
			if (nspecs == 0 || specs[nspecs - 1].bounds) {
				if (agg_bounds || nspecs)
					cli_usage_error(&cli,
							"--bounds without "
							"a -c before it");
				agg_bounds = optarg;
				break;
			}
			specs[nspecs - 1].bounds = optarg;
			parse_bounds(&specs[nspecs - 1]);
			break;
		case OPT_EPSILON:
			eps = parse_positive("--epsilon", optarg);
			break;
		case OPT_DIGITS:
			/* getopt_long set optarg; the analyzer misses it */
			/* NOLINTNEXTLINE(clang-analyzer-core.NonNull*) */
			if (prep_parse_int64(optarg, strlen(optarg), &v) !=
				PREP_OK ||
			    v < 0 || v > 17)
				cli_usage_error(&cli, "--digits must be 0 to "
						      "17");
			digits = (int)v;
			break;
		case OPT_COUNT:
		case OPT_SUM:
		case OPT_MEAN:
			if (aggregate)
				cli_usage_error(&cli, "one of --count, --sum "
						      "and --mean");
			aggregate = 1;
			agg.kind = opt == OPT_COUNT ? PREP_AGG_COUNT
				   : opt == OPT_SUM ? PREP_AGG_SUM
						    : PREP_AGG_MEAN;
			agg.col = optarg;
			break;
		case OPT_BY:
			agg.by = optarg;
			break;
		case OPT_KEYS:
			agg.keys = optarg;
			break;
		case OPT_DELTA:
			agg.delta = parse_positive("--delta", optarg);
			if (!(agg.delta < 1))
				cli_usage_error(&cli, "--delta must be "
						      "between 0 and 1");
			break;
		case OPT_ID:
			agg.id = optarg;
			break;
		case OPT_MAX_CONTRIB:
			/* getopt_long set optarg; the analyzer misses it */
			/* NOLINTNEXTLINE(clang-analyzer-core.NonNull*) */
			if (prep_parse_int64(optarg, strlen(optarg), &v) !=
				PREP_OK ||
			    v < 1 || v > 1000000)
				cli_usage_error(&cli, "--max-contrib must be 1 "
						      "to 1000000");
			agg.max_contrib = (uint64_t)v;
			break;
		case OPT_LEDGER:
			ledger = optarg;
			break;
		case OPT_DATASET:
			dataset = optarg;
			break;
		case OPT_BUDGET:
			budget = parse_positive("--budget", optarg);
			break;
		case OPT_SEED:
			/* getopt_long set optarg; the analyzer misses it */
			/* NOLINTNEXTLINE(clang-analyzer-core.NonNull*) */
			if (prep_parse_int64(optarg, strlen(optarg), &v) !=
				PREP_OK ||
			    v < 0)
				cli_usage_error(&cli, "--seed must be a whole "
						      "number >= 0");
			seed = (uint64_t)v;
			seeded = 1;
			break;
		default:
			if (!cli_common_option(&cli, opt, optarg))
				cli_usage_error(&cli, "unknown option");
		}
	}
	if (eps == 0)
		cli_usage_error(&cli, "--epsilon E is required");
	if (aggregate && nspecs)
		cli_usage_error(&cli, "-c is row mode; --count, --sum and "
				      "--mean are aggregate mode");
	if (!aggregate && nspecs == 0)
		cli_usage_error(&cli, "-c COLS --bounds LO:HI, or --count, "
				      "--sum or --mean");
	if (nspecs && specs[nspecs - 1].bounds == NULL)
		cli_usage_error(&cli, "-c %s has no --bounds",
				specs[nspecs - 1].cols);
	if (!aggregate &&
	    (agg.by || agg.keys || agg.delta > 0 || agg.id || agg.max_contrib))
		cli_usage_error(&cli, "--by, --keys, --delta, --id and "
				      "--max-contrib are aggregate mode");
	if (aggregate) {
		if (agg.by && !agg.keys && agg.delta == 0)
			cli_usage_error(&cli, "--by needs --keys FILE or "
					      "--delta D");
		if (!agg.by && (agg.keys || agg.delta > 0))
			cli_usage_error(&cli, "--keys and --delta need --by");
		if (agg.keys && agg.delta > 0)
			cli_usage_error(&cli, "--keys or --delta, not both");
		if (agg.max_contrib && !agg.id)
			cli_usage_error(&cli, "--max-contrib needs --id");
		if (agg.max_contrib == 0)
			agg.max_contrib = 1;
		if (agg.kind != PREP_AGG_COUNT && agg_bounds == NULL)
			cli_usage_error(&cli, "--sum and --mean need --bounds "
					      "LO:HI");
		agg.bounds = agg_bounds;
	}
	if ((ledger || dataset || budget > 0) &&
	    !(ledger && dataset && budget > 0))
		cli_usage_error(&cli, "--ledger, --dataset and --budget go "
				      "together");
	cli_output_distinct(&cli, "--ledger", ledger);

	st = seeded ? prep_rng_new_seeded(seed, &rng)
		    : prep_rng_new_secure(&rng);
	if (st != PREP_OK)
		cli_fatal(&cli, "no randomness: %s", prep_strerror(st));
	/* Not a matter of taste: said even with -q. */
	if (seeded)
		fprintf(stderr, "dpnoise: warning: --seed makes the noise "
				"reproducible: the output is not private\n");

	if (ledger)
		check_ledger(ledger, dataset, budget);
	cli_open_input(&cli, argc - optind, argv + optind);
	total = eps;
	if (aggregate)
		agg_handle = aggregate_prepare(&agg, eps, digits);
	else
		by_col = row_mode_prepare(specs, nspecs, eps, &total);
	/* the whole input is read (and, in row mode, spooled) before the
	 * charge, the charge is on disk before the first noisy value */
	if (aggregate)
		aggregate_read(agg_handle, rng);
	else if (ledger)
		spool = row_mode_spool(by_col, &spool_file);
	if (ledger)
		charge_ledger(ledger, dataset, budget, total,
			      aggregate ? agg.delta : 0, seeded, argc, argv);
	if (aggregate)
		aggregate_release(agg_handle, agg.kind, rng);
	else
		row_mode_run(by_col, digits, rng, ledger != NULL, spool);
	prep_reader_free(spool);
	prep_spool_free(spool_file);
	if (!cli.quiet)
		fprintf(stderr, "dpnoise: epsilon spent %g\n", total);
	prep_rng_free(rng);
	return 0;
}
