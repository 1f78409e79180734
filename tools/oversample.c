/*
 * oversample: balance the classes of -g COLS by adding rows, random
 * copies or SMOTE's synthetic ones (libprep/oversample.c;
 * man1/oversample.1).
 *
 * Two passes: the first counts the classes (and, for SMOTE, keeps the
 * features and an id per other column of every row) while it spools the
 * rows to an unlinked temporary file in $TMPDIR, in the output's dialect,
 * noting where each one starts; the second maps the spool, writes it out
 * as it is (every input row, in input order) and then the new rows:
 * copies of spooled rows for random, rows built in memory for SMOTE.
 * Nothing is written before the whole input has been read.
 *
 * On -j N threads the first pass runs on the thread engine (par.h):
 * each thread counts into a table of its own and spools its pieces'
 * rows through their memory writers, appended to the spool in input
 * order; the tables are put together in input order
 * (prep_oversample_merge), and the draws, on the calling thread, come
 * from the same table as on one thread.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "oversample.h"

enum {
	OPT_STRATEGY = CLI_OPT_TOOL_BASE,
	OPT_TARGET,
	OPT_METHOD,
	OPT_FEATURES,
	OPT_MARK,
	OPT_SEED,
};

static struct cli cli;

/* What the command line asks for. */
struct opts {
	const char *groups, *target, *features, *mark, *seed, *strategy_arg;
	prep_oversample_strategy strategy;
	int smote;
	uint64_t k;
	int k_given;
};

static void
usage(void)
{
	printf(
	    "usage: oversample [-HhqVz] -g COLS [--strategy STRATEGY | --target G=N[,...]]\n"
	    "                  [--method random|smote] [--features COLS] [-k K] [--mark COL]\n"
	    "                  [--seed N] [-d DELIM] [-o FILE] [--crlf] [--lazy-quotes]\n"
	    "                  [--max-field SIZE] [--max-memory SIZE]\n"
	    "                  [--part I/N [--part-by COL]] [--progress] [FILE...]\n"
	    "\n"
	    "Balance the classes of COLS by adding rows after the input's rows.\n"
	    "\n"
	    "  -g, --group COLS     class columns; several: their intersections\n"
	    "      --strategy S     not-majority (default), minority, not-minority\n"
	    "                       or all: up to the majority's count\n"
	    "      --target G=N,... bring class G to N rows (several -g columns:\n"
	    "                       G is their values joined by ':')\n"
	    "      --method M       random (default: copies) or smote\n"
	    "      --features COLS  SMOTE's numeric columns\n"
	    "  -k K                 SMOTE's neighbours (default 5)\n"
	    "      --mark COL       add a column COL: 1 for new rows, 0 otherwise\n"
	    "      --seed N         reproducible draws (not private)\n" CLI_COMMON_HELP
	    "\n"
	    "Exit status: 0 done, 2 trouble.\n");
}

/* A whole number of at least lo for option opt, or a usage error. */
static uint64_t
parse_count(const char *opt, const char *s, uint64_t lo)
{
	uint64_t v;

	if (prep_oversample_parse_count(s, strlen(s), &v) != PREP_OK)
		cli_usage_error(&cli, "%s: not a whole number", opt);
	if (v < lo)
		cli_usage_error(&cli, "%s: must be at least %" PRIu64, opt, lo);
	return v;
}

static prep_oversample_strategy
parse_strategy(const char *arg)
{
	static const struct {
		const char *name;
		prep_oversample_strategy s;
	} strategies[] = {
	    {"not-majority", PREP_OVERSAMPLE_NOT_MAJORITY},
	    {"minority", PREP_OVERSAMPLE_MINORITY},
	    {"not-minority", PREP_OVERSAMPLE_NOT_MINORITY},
	    {"all", PREP_OVERSAMPLE_ALL},
	};
	size_t i;

	for (i = 0; i < sizeof strategies / sizeof *strategies; i++)
		if (strcmp(arg, strategies[i].name) == 0)
			return strategies[i].s;
	cli_usage_error(
	    &cli,
	    "--strategy: want not-majority, minority, not-minority or all");
}

static void
parse_options(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
	    CLI_COMMON_LONGOPTS,
	    {"group", required_argument, NULL, 'g'},
	    {"strategy", required_argument, NULL, OPT_STRATEGY},
	    {"target", required_argument, NULL, OPT_TARGET},
	    {"method", required_argument, NULL, OPT_METHOD},
	    {"features", required_argument, NULL, OPT_FEATURES},
	    {"mark", required_argument, NULL, OPT_MARK},
	    {"seed", required_argument, NULL, OPT_SEED},
	    {NULL, 0, NULL, 0},
	};
	int opt;

	o->strategy = PREP_OVERSAMPLE_NOT_MAJORITY;
	o->k = 5;
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "g:k:",
				  longopts, NULL)) != -1) {
		switch (opt) {
		case 'g':
			o->groups = optarg;
			break;
		case OPT_STRATEGY:
			o->strategy_arg = optarg;
			o->strategy = parse_strategy(optarg);
			break;
		case OPT_TARGET:
			o->target = optarg;
			break;
		case OPT_METHOD:
			if (strcmp(optarg, "random") == 0)
				o->smote = 0;
			else if (strcmp(optarg, "smote") == 0)
				o->smote = 1;
			else
				cli_usage_error(
				    &cli, "--method: want random or smote");
			break;
		case OPT_FEATURES:
			o->features = optarg;
			break;
		case 'k':
			o->k = parse_count("-k", optarg, 1);
			if (o->k > 1000)
				cli_usage_error(&cli, "-k: at most 1000");
			o->k_given = 1;
			break;
		case OPT_MARK:
			o->mark = optarg;
			break;
		case OPT_SEED:
			o->seed = optarg;
			break;
		default:
			if (!cli_common_option(&cli, opt, optarg))
				cli_usage_error(&cli, "unknown option");
		}
	}
	if (o->groups == NULL)
		cli_usage_error(&cli, "-g COLS is required");
	if (o->target && o->strategy_arg)
		cli_usage_error(&cli,
				"--target and --strategy exclude each other");
	if (!o->smote && (o->features || o->k_given))
		cli_usage_error(&cli,
				"--features and -k go with --method smote");
	if (o->mark && *o->mark == '\0')
		cli_usage_error(&cli, "--mark must not be empty");
}

static prep_rng *
make_rng(const struct opts *o)
{
	prep_rng *rng = NULL;
	prep_status st =
	    o->seed
		? prep_rng_new_seeded(parse_count("--seed", o->seed, 0), &rng)
		: prep_rng_new_secure(&rng);

	if (st != PREP_OK)
		cli_fatal_status(&cli, st, "random generator");
	return rng;
}

/*
 * The class table of the input's columns: -g's, --features' (none a -g
 * column, none given twice), and --mark's name, which must be new.
 */
static prep_oversample *
make_table(const struct opts *o, const prep_field *header, size_t ncols,
	   size_t *ngroup)
{
	size_t *grp, ngrp, *feat = NULL, nfeat = 0, i, bad;
	prep_oversample *tab;
	prep_status st;

	grp = cli_columns(&cli, "-g", o->groups, &ngrp);
	if (o->features) {
		unsigned char *ing, *inf;

		feat = cli_columns(&cli, "--features", o->features, &nfeat);
		ing = cli_column_counts(&cli, grp, ngrp, ncols);
		inf = cli_column_counts(&cli, feat, nfeat, ncols);
		for (i = 0; i < nfeat && !ing[feat[i]] && inf[feat[i]] < 2; i++)
			;
		bad = i < nfeat ? (ing[feat[i]] ? 1 : 2) : 0;
		free(ing);
		free(inf);
		if (bad == 1)
			cli_usage_error(&cli,
					"--features: a feature is a -g column");
		if (bad == 2)
			cli_usage_error(&cli,
					"--features: a column is given twice");
	}
	for (i = 0; o->mark && header && i < ncols; i++)
		if (header[i].len == strlen(o->mark) &&
		    memcmp(header[i].data, o->mark, header[i].len) == 0)
			cli_usage_error(
			    &cli, "--mark: the input has a column '%s' already",
			    o->mark);
	st = prep_oversample_new(ncols, grp, ngrp, o->smote, feat, nfeat,
				 (size_t)o->k, 0, &tab);
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, "classes");
	free(grp);
	free(feat);
	*ngroup = ngrp;
	return tab;
}

/*
 * One worker of the first pass (-j): the table it counts into (the
 * whole's on one thread, else one of its own), the bytes of the records
 * it spooled, and what went wrong with a row.
 */
struct worker {
	prep_oversample *tab;
	int threads; /* rows counted by place (prep_oversample_add_at) */
	uint64_t bytes;
	prep_status st;
	int spooling; /* st is the spool's writer's */
	size_t bad;   /* SMOTE: the column of a feature refused */
	int missing;  /* ... which is missing */
};

/*
 * Count a row and spool it, as the output holds it (the bytes
 * prep_writer_row writes of its fields), to out: the spool's writer
 * itself, or a piece's memory writer appended to it in input order.
 */
static prep_status
count_row(void *arg, const prep_field *f, size_t n, const prep_par_row *at,
	  prep_writer *out)
{
	struct worker *k = arg;
	uint64_t off = prep_writer_bytes(out), len;
	prep_where w = prep_reader_where(at->reader);
	prep_status st = prep_writer_copy_record(out, at->reader);

	(void)n;
	if (st != PREP_OK) {
		k->spooling = 1;
		return k->st = st;
	}
	len = prep_writer_bytes(out) - off;
	k->bytes += len;
	st = k->threads
		 ? prep_oversample_add_at(k->tab, f, off, len, w,
					  at->piece << 32 | at->index, &k->bad)
		 : prep_oversample_add(k->tab, f, off, len, w, &k->bad);
	if (st == PREP_ERR_VALUE)
		k->missing = cli_is_missing(&cli, &f[k->bad]);
	return k->st = st;
}

/* A row refused (st, by k) at w: its message, exit 2. */
static void __attribute__((noreturn))
row_fatal(const struct worker *k, prep_status st, prep_where w)
{
	if (k->spooling) {
		cli_spool_check(&cli, st);
		cli_write_check(&cli, st);
	}
	if (st == PREP_ERR_VALUE)
		cli_fatal_cell_at(&cli, w, k->bad,
				  k->missing ? "SMOTE feature is missing"
					     : "SMOTE feature is not a number");
	if (st == PREP_ERR_LIMIT)
		cli_fatal_at(&cli, w, "too many classes, values or rows");
	cli_fatal_at(&cli, w, "%s", prep_strerror(st));
}

/*
 * Where each piece begins in the spool: noted as the pieces are
 * appended to it, on the calling thread, in input order.
 */
struct pieces {
	prep_spool *spool;
	uint64_t *begin;
	size_t n, cap;
	uint64_t end; /* the spool's bytes after the last piece noted */
	int failed;
};

static void
note_piece(void *arg, uint64_t piece, uint64_t rows)
{
	struct pieces *p = arg;

	(void)rows;
	if (piece >= p->cap) {
		size_t cap = p->cap ? p->cap : 256;
		uint64_t *b;

		while (cap <= piece)
			cap *= 2;
		if ((b = realloc(p->begin, cap * sizeof *b)) == NULL) {
			p->failed = 1;
			return;
		}
		memset(b + p->cap, 0, (cap - p->cap) * sizeof *b);
		p->begin = b;
		p->cap = cap;
	}
	p->begin[piece] = p->end;
	p->end = prep_spool_bytes(p->spool);
	if (piece + 1 > p->n)
		p->n = (size_t)piece + 1;
}

/*
 * The threads' tables put together into tab, new (the rows at the
 * plan): the tables of the workers k[0..nt) (taken), the pieces' places
 * in the spool. After a run that failed at a row, at place fail (else
 * UINT64_MAX): the class past the cap that one thread would have met
 * before it, if any, is named, exit 2; nothing else.
 */
static void
merge_tables(prep_oversample *tab, struct worker *k, unsigned nt,
	     const struct pieces *pc, uint64_t fail)
{
	prep_oversample **parts = malloc(nt * sizeof(prep_oversample *));
	uint64_t bytes = 0, badplace;
	prep_where bad;
	prep_status st;
	unsigned t;

	if (parts == NULL || pc->failed)
		cli_fatal(&cli, "out of memory");
	for (t = 0; t < nt; t++) {
		parts[t] = k[t].tab;
		k[t].tab = NULL;
		bytes += k[t].bytes;
	}
	st = prep_oversample_merge(
	    tab, parts, nt, pc->begin, pc->n,
	    fail == UINT64_MAX ? prep_spool_bytes(pc->spool) - bytes : 0, &bad,
	    &badplace);
	free(parts);
	if (st == PREP_ERR_LIMIT && bad.file != NULL && badplace < fail) {
		bad.field = 0;
		cli_fatal_at(&cli, bad, "too many classes, values or rows");
	}
	if (fail != UINT64_MAX)
		return;
	if (st == PREP_ERR_LIMIT)
		cli_fatal(&cli, "too many classes, values or rows");
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, "classes");
}

/*
 * Pass 1: count the classes, and spool the rows in the output's dialect,
 * on cli.threads threads: each counts into a table of its own, put
 * together in input order after the run.
 */
static prep_spool *
first_pass(prep_oversample *tab, const struct opts *o, size_t ncols)
{
	prep_spool *spool = cli_spool_new(&cli, 0);
	struct pieces pc = {spool, NULL, 0, 0, 0, 0};
	prep_par_job job = {.row = count_row, .piece = note_piece, .arg = &pc};
	unsigned nt = cli.threads ? cli.threads : 1, t;
	struct worker *k = calloc(nt, sizeof *k);
	void **ctxs = calloc(nt, sizeof *ctxs);
	prep_par_result res;
	int threads = nt > 1 && !prep_reader_options(cli.reader)->lazy_quotes;
	size_t ngrp;

	if (k == NULL || ctxs == NULL)
		cli_fatal(&cli, "out of memory");
	for (t = 0; t < nt; t++) {
		k[t].threads = threads;
		if (threads)
			k[t].tab = make_table(o, NULL, ncols, &ngrp);
		else if (t == 0)
			k[t].tab = tab;
		ctxs[t] = &k[t];
	}
	if (cli_run_rows(&cli, prep_spool_writer(spool), &job, ctxs, &res) !=
	    PREP_OK) {
		/* the spool's writer's, or a row's (cli_run_rows ends a
		 * reader's failure itself) */
		if (res.by_output)
			cli_spool_check(&cli, res.status);
		if (threads)
			merge_tables(tab, k, nt, &pc, res.place);
		row_fatal(&k[res.worker], res.status, res.where);
	}
	if (threads)
		merge_tables(tab, k, nt, &pc, UINT64_MAX);
	for (t = 0; t < nt; t++)
		if (k[t].tab != tab)
			prep_oversample_free(k[t].tab);
	free(k);
	free(ctxs);
	free(pc.begin);
	cli_spool_check(&cli, prep_spool_finish(spool));
	cli_progress_end(&cli);
	return spool;
}

/* --target's counts per class, or its message. */
static uint64_t *
parse_targets(const prep_oversample *tab, const char *arg, size_t ngroup)
{
	prep_oversample_target_fault f;
	uint64_t *t;
	prep_status st = prep_oversample_parse_targets(tab, arg, &t, &f);

	if (st == PREP_ERR_NOMEM)
		cli_fatal(&cli, "out of memory");
	if (st == PREP_OK)
		return t;
	switch (f.what) {
	case PREP_OVERSAMPLE_TARGET_NOT_PAIR:
		if (ngroup > 1)
			cli_usage_error(
			    &cli,
			    "--target: item %zu is not G=N (',' separates items; join the values of a class with ':')",
			    f.item);
		cli_usage_error(
		    &cli, "--target: item %zu is not G=N (',' separates items)",
		    f.item);
	case PREP_OVERSAMPLE_TARGET_NOT_COUNT:
		cli_usage_error(&cli, "--target: not a whole number");
	case PREP_OVERSAMPLE_TARGET_ZERO:
		cli_usage_error(&cli, "--target: must be at least 1");
	case PREP_OVERSAMPLE_TARGET_VALUES:
		cli_usage_error(
		    &cli,
		    "--target: item %zu: want %zu values joined by ':', one per -g column",
		    f.item, ngroup);
	case PREP_OVERSAMPLE_TARGET_UNKNOWN:
		cli_fatal(&cli,
			  "--target: item %zu: no such class in the input",
			  f.item);
	case PREP_OVERSAMPLE_TARGET_TWICE:
		cli_usage_error(&cli, "--target: item %zu: class given twice",
				f.item);
	default:
		cli_fatal(&cli,
			  "--target: item %zu: target %" PRIu64
			  " is below the class's %" PRIu64
			  " rows (oversample only adds rows)",
			  f.item, f.target, prep_oversample_count(tab, f.cls));
	}
}

/* How many rows each class gets: --target's, or the strategy's. */
static void
plan(prep_oversample *tab, const struct opts *o, size_t ngrp)
{
	size_t bad;
	prep_oversample_strategy strategy = o->strategy;
	uint64_t *targets = NULL;
	prep_status st;

	if (o->target) {
		targets = parse_targets(tab, o->target, ngrp);
		strategy = PREP_OVERSAMPLE_TARGETS;
	}
	st = prep_oversample_plan(tab, strategy, targets, &bad);
	free(targets);
	if (st == PREP_ERR_LIMIT) {
		prep_where w = prep_oversample_first(tab, bad);

		w.field = 0;
		cli_fatal_at(&cli, w,
			     "the class of this record has %" PRIu64
			     " rows: SMOTE with -k %" PRIu64
			     " needs more than %" PRIu64,
			     prep_oversample_count(tab, bad), o->k, o->k);
	}
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, "sampling");
}

/* The spool's bytes, mapped (NULL when empty). */
static const char *
map_spool(prep_spool *spool, uint64_t *size)
{
	const char *map;
	prep_status st = prep_spool_map(spool, &map, size);

	if (st == PREP_ERR_LIMIT)
		cli_fatal(&cli, "spool: too large to map");
	if (st == PREP_ERR_IO)
		cli_fatal(&cli, "spool: %s", strerror(errno));
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, "spool");
	return map;
}

/* A spooled record, with --mark's value before its line end. */
static void
put_record(const char *rec, uint64_t len, const char *mark, char value)
{
	if (mark == NULL) {
		cli_write_check(&cli, prep_writer_raw(cli.writer, rec, len));
		prep_writer_add(cli.writer, 1);
	} else
		cli_write_check(&cli, prep_oversample_write_marked(
					  cli.writer, rec, len,
					  prep_reader_delim(cli.reader),
					  cli.crlf, value));
}

/* A record of n fields, then extra[0..len) as one more when not NULL. */
static void
put_fields(const prep_field *f, size_t n, const char *extra, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		cli_write_check(
		    &cli, prep_writer_field(cli.writer, f[i].data, f[i].len));
	if (extra)
		cli_write_check(&cli,
				prep_writer_field(cli.writer, extra, len));
	cli_write_check(&cli, prep_writer_end_row(cli.writer));
}

/*
 * Every input row as spooled, in input order (marked 0): with --mark,
 * record by record (the spool is a writer's CSV: a record ends at its
 * first line feed outside quotes).
 */
static void
write_input_rows(prep_spool *spool, const char *map, uint64_t size,
		 const char *mark)
{
	uint64_t at, len, n = 0;

	if (mark == NULL) {
		if (size)
			cli_write_check(&cli,
					prep_writer_raw(cli.writer, map, size));
		prep_writer_add(cli.writer, prep_spool_records(spool));
		return;
	}
	for (at = 0; at < size; at += len, n++) {
		len = prep_oversample_record_len(map + at, size - at);
		put_record(map + at, len, mark, '0');
	}
	if (n != prep_spool_records(spool))
		cli_fatal(&cli, "spool: %" PRIu64 " records, not %" PRIu64, n,
			  prep_spool_records(spool));
}

/*
 * The new rows, class by class (marked 1): copies of spooled rows drawn
 * from the class (random), or SMOTE's.
 */
static void
write_new_rows(prep_oversample *tab, prep_rng *rng, const char *map,
	       size_t ncols, const struct opts *o)
{
	const prep_field *f;
	uint64_t cnt, off, len;
	size_t c;
	prep_status st;

	for (c = 0; c < prep_oversample_classes(tab); c++) {
		for (cnt = prep_oversample_need(tab, c); cnt > 0; cnt--) {
			if (!o->smote) {
				st = prep_oversample_draw(tab, rng, c, &off,
							  &len);
				if (st != PREP_OK)
					cli_fatal_status(&cli, st, "draw");
				put_record(map + off, len, o->mark, '1');
				continue;
			}
			st = prep_oversample_smote_row(tab, rng, c, &f, NULL,
						       NULL);
			if (st != PREP_OK)
				cli_fatal_status(&cli, st, "smote");
			put_fields(f, ncols, o->mark ? "1" : NULL, 1);
		}
	}
}

/*
 * A check's name for class c (in order of first appearance, the order
 * its new rows are written in), prefix first (cli_audit_group). malloc'd.
 */
static char *
class_check_name(const prep_oversample *tab, const char *prefix, size_t c,
		 size_t ngrp)
{
	prep_field *f = NULL;
	char *name;
	size_t j;

	if (cli.audit_groups) {
		if ((f = calloc(ngrp ? ngrp : 1, sizeof *f)) == NULL)
			cli_fatal(&cli, "out of memory");
		for (j = 0; j < ngrp; j++)
			f[j] = prep_oversample_class_field(tab, c, j);
	}
	name = cli_audit_group(&cli, prefix, c, f, ngrp);
	free(f);
	return name;
}

/*
 * The record's checks: the rows read and the rows added, then each
 * class's rows before and after (count.before:G, count.after:G). tab
 * NULL: an input without columns.
 */
static void
record_checks(const prep_oversample *tab, size_t ngrp)
{
	size_t c, n = tab ? prep_oversample_classes(tab) : 0;
	uint64_t before;
	char *name;

	if (!cli_audit_on(&cli))
		return;
	cli_audit_figure(&cli, "rows.in",
			 tab ? (double)prep_oversample_rows(tab) : 0);
	cli_audit_figure(&cli, "rows.added",
			 tab ? (double)prep_oversample_total_need(tab) : 0);
	for (c = 0; c < n; c++) {
		before = prep_oversample_count(tab, c);
		name = class_check_name(tab, "count.before:", c, ngrp);
		cli_audit_figure(&cli, name, (double)before);
		free(name);
		name = class_check_name(tab, "count.after:", c, ngrp);
		cli_audit_figure(
		    &cli, name,
		    (double)(before + prep_oversample_need(tab, c)));
		free(name);
	}
}

int
main(int argc, char **argv)
{
	static struct opts o;
	prep_oversample *tab;
	prep_spool *spool;
	prep_rng *rng;
	const prep_field *header;
	const char *map;
	uint64_t size;
	size_t ncols, ngrp;

	cli_init(&cli, "oversample", usage);
	parse_options(argc, argv, &o);
	rng = make_rng(&o);
	cli_open_input(&cli, argc - optind, argv + optind);
	header = prep_reader_header(cli.reader, &ncols);
	if (ncols == 0) {
		/* an empty input: nothing to balance, nothing to write */
		cli_open_output(&cli);
		cli_finish(&cli);
		record_checks(NULL, 0);
		prep_rng_free(rng);
		return 0;
	}
	tab = make_table(&o, header, ncols, &ngrp);
	spool = first_pass(tab, &o, ncols);
	plan(tab, &o, ngrp);

	/* pass 2: the input's rows as spooled, then the new ones */
	cli_open_output(&cli);
	if (header)
		put_fields(header, ncols, o.mark, o.mark ? strlen(o.mark) : 0);
	map = map_spool(spool, &size);
	write_input_rows(spool, map, size, o.mark);
	write_new_rows(tab, rng, map, ncols, &o);
	cli_finish(&cli);
	record_checks(tab, ngrp);
	prep_spool_free(spool);
	prep_oversample_free(tab);
	prep_rng_free(rng);
	return 0;
}
