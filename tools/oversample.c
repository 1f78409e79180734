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
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "classes.h"
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

static void
usage(void)
{
	printf("usage: oversample -g COLS [--strategy STRATEGY | --target "
	       "G=N,...]\n"
	       "                  [--method random|smote] [--features COLS] "
	       "[-k K]\n"
	       "                  [--mark COL] [--seed N] [common options] "
	       "[FILE...]\n"
	       "\n"
	       "Balance the classes of COLS by adding rows after the input's "
	       "rows.\n"
	       "\n"
	       "  -g, --group COLS     class columns; several: their "
	       "intersections\n"
	       "      --strategy S     not-majority (default), minority, "
	       "not-minority\n"
	       "                       or all: up to the majority's count\n"
	       "      --target G=N,... bring class G to N rows (several "
	       "-g columns:\n"
	       "                       G is their values joined by ':')\n"
	       "      --method M       random (default: copies) or smote\n"
	       "      --features COLS  SMOTE's numeric columns\n"
	       "  -k K                 SMOTE's neighbours (default 5)\n"
	       "      --mark COL       add a column COL: 1 for new rows, 0 "
	       "otherwise\n"
	       "      --seed N         reproducible draws (not "
	       "private)\n" CLI_COMMON_HELP
	       "\nExit status: 0 done, 2 trouble.\n");
}

/* A whole number for option opt, or a usage error. */
static uint64_t
parse_count(const char *opt, const char *s, size_t len, uint64_t lo)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 19)
		cli_usage_error(&cli, "%s: not a whole number", opt);
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			cli_usage_error(&cli, "%s: not a whole number", opt);
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v < lo)
		cli_usage_error(&cli, "%s: must be at least %" PRIu64, opt, lo);
	return v;
}

/*
 * --target G=N,...: a count per class (0: none). Items are separated by
 * ','; N is split off at the item's last '='; with several -g columns, G
 * is their values joined by ':' (prep_classes_split_name, as fairness
 * --privileged reads it), since ',' already separates items. An unknown
 * class or a count below the class's is an error (the messages give the
 * item's number, not its text, which holds values).
 */
static uint64_t *
parse_targets(prep_oversample *tab, const char *arg, size_t ngroup)
{
	size_t ncls = prep_oversample_classes(tab), item = 0, c;
	uint64_t *t = calloc(ncls + 1, sizeof *t);
	prep_field *vals = malloc(ngroup * sizeof *vals);
	const char *p = arg;

	if (t == NULL || vals == NULL)
		cli_fatal(&cli, "out of memory");
	for (;;) {
		const char *end = strchr(p, ','), *eq = NULL, *q;
		uint64_t n;

		item++;
		if (end == NULL)
			end = p + strlen(p);
		for (q = p; q < end; q++)
			if (*q == '=')
				eq = q;
		if (eq == NULL && ngroup > 1)
			cli_usage_error(&cli,
					"--target: item %zu is not G=N (',' "
					"separates items; join the values of "
					"a class with ':')",
					item);
		if (eq == NULL)
			cli_usage_error(&cli,
					"--target: item %zu is not G=N (',' "
					"separates items)",
					item);
		n = parse_count("--target", eq + 1, (size_t)(end - eq - 1), 1);
		if (prep_classes_split_name(p, (size_t)(eq - p), ':', vals,
					    ngroup) != PREP_OK)
			cli_usage_error(&cli,
					"--target: item %zu: want %zu values "
					"joined by ':', one per -g column",
					item, ngroup);
		if (prep_oversample_find(tab, vals, &c) != PREP_OK)
			cli_fatal(&cli,
				  "--target: item %zu: no such class in "
				  "the input",
				  item);
		if (t[c])
			cli_usage_error(&cli,
					"--target: item %zu: class given "
					"twice",
					item);
		if (n < prep_oversample_count(tab, c))
			cli_fatal(&cli,
				  "--target: item %zu: target %" PRIu64
				  " is below the class's %" PRIu64
				  " rows (oversample only adds rows)",
				  item, n, prep_oversample_count(tab, c));
		t[c] = n;
		if (*end == '\0')
			break;
		p = end + 1;
	}
	free(vals);
	return t;
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

/* One spooled record, with ",0"/",1" before its line end for --mark. */
static void
put_record(const char *rec, uint64_t len, const char *suffix, size_t slen,
	   size_t eol)
{
	if (slen == 0) {
		cli_write_check(&cli, prep_writer_raw(cli.writer, rec, len));
		return;
	}
	cli_write_check(&cli, prep_writer_raw(cli.writer, rec, len - eol));
	cli_write_check(&cli, prep_writer_raw(cli.writer, suffix, slen));
}

int
main(int argc, char **argv)
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
	static const struct {
		const char *name;
		prep_oversample_strategy s;
	} strategies[] = {
	    {"not-majority", PREP_OVERSAMPLE_NOT_MAJORITY},
	    {"minority", PREP_OVERSAMPLE_MINORITY},
	    {"not-minority", PREP_OVERSAMPLE_NOT_MINORITY},
	    {"all", PREP_OVERSAMPLE_ALL},
	};
	const char *groups = NULL, *target_arg = NULL, *feat_arg = NULL;
	const char *mark = NULL, *seed_arg = NULL, *strategy_arg = NULL;
	prep_oversample_strategy strategy = PREP_OVERSAMPLE_NOT_MAJORITY;
	prep_oversample *tab = NULL;
	prep_spool *spool;
	prep_rng *rng = NULL;
	const prep_field *f, *header;
	size_t *grp, ngrp, *feat = NULL, nfeat = 0, n, ncols, i, c, bad;
	size_t eol, slen0 = 0, slen1 = 0;
	uint64_t k = 5, off, len, size, *targets = NULL, cnt;
	char suffix0[8], suffix1[8];
	const char *map;
	int opt, smote = 0, k_given = 0, delim;
	prep_status st;

	cli_init(&cli, "oversample", usage);
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "g:k:",
				  longopts, NULL)) != -1) {
		switch (opt) {
		case 'g':
			groups = optarg;
			break;
		case OPT_STRATEGY:
			strategy_arg = optarg;
			for (i = 0; i < sizeof strategies / sizeof *strategies;
			     i++)
				if (strcmp(optarg, strategies[i].name) == 0)
					break;
			if (i == sizeof strategies / sizeof *strategies)
				cli_usage_error(
				    &cli, "--strategy: want not-majority, "
					  "minority, not-minority or all");
			strategy = strategies[i].s;
			break;
		case OPT_TARGET:
			target_arg = optarg;
			break;
		case OPT_METHOD:
			if (strcmp(optarg, "random") == 0)
				smote = 0;
			else if (strcmp(optarg, "smote") == 0)
				smote = 1;
			else
				cli_usage_error(&cli,
						"--method: want random or "
						"smote");
			break;
		case OPT_FEATURES:
			feat_arg = optarg;
			break;
		case 'k':
			k = parse_count("-k", optarg, strlen(optarg), 1);
			if (k > 1000)
				cli_usage_error(&cli, "-k: at most 1000");
			k_given = 1;
			break;
		case OPT_MARK:
			mark = optarg;
			break;
		case OPT_SEED:
			seed_arg = optarg;
			break;
		default:
			if (!cli_common_option(&cli, opt, optarg))
				cli_usage_error(&cli, "unknown option");
		}
	}
	if (groups == NULL)
		cli_usage_error(&cli, "-g COLS is required");
	if (target_arg && strategy_arg)
		cli_usage_error(&cli, "--target and --strategy exclude each "
				      "other");
	if (!smote && (feat_arg || k_given))
		cli_usage_error(&cli, "--features and -k go with --method "
				      "smote");
	if (mark && *mark == '\0')
		cli_usage_error(&cli, "--mark must not be empty");
	if (seed_arg) {
		uint64_t seed =
		    parse_count("--seed", seed_arg, strlen(seed_arg), 0);

		st = prep_rng_new_seeded(seed, &rng);
	} else {
		st = prep_rng_new_secure(&rng);
	}
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, "random generator");

	cli_open_input(&cli, argc - optind, argv + optind);
	header = prep_reader_header(cli.reader, &ncols);
	if (ncols == 0) {
		/* an empty input: nothing to balance, nothing to write */
		cli_open_output(&cli);
		cli_finish(&cli);
		prep_rng_free(rng);
		return 0;
	}
	grp = cli_columns(&cli, "-g", groups, &ngrp);
	if (feat_arg) {
		unsigned char *ing, *inf;

		feat = cli_columns(&cli, "--features", feat_arg, &nfeat);
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
	for (i = 0; mark && header && i < ncols; i++)
		if (header[i].len == strlen(mark) &&
		    memcmp(header[i].data, mark, header[i].len) == 0)
			cli_usage_error(&cli,
					"--mark: the input has a column '%s' "
					"already",
					mark);

	st = prep_oversample_new(ncols, grp, ngrp, smote, feat, nfeat,
				 (size_t)k, 0, &tab);
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, "classes");

	/* pass 1: count, and spool the rows in the output's dialect */
	delim = prep_reader_delim(cli.reader);
	spool = cli_spool_new(&cli, mark ? PREP_SPOOL_INDEX : 0);
	while ((f = cli_next_row(&cli, &n)) != NULL) {
		cli_spool_check(&cli, prep_spool_row(spool, f, n));
		prep_spool_last(spool, &off, &len);
		st = prep_oversample_add(tab, f, off, len,
					 prep_reader_where(cli.reader), &bad);
		if (st == PREP_ERR_VALUE)
			cli_fatal_cell(&cli, bad,
				       cli_is_missing(&cli, &f[bad])
					   ? "SMOTE feature is missing"
					   : "SMOTE feature is not a number");
		if (st == PREP_ERR_LIMIT)
			cli_fatal_at(&cli, prep_reader_where(cli.reader),
				     "too many classes, values or rows");
		if (st != PREP_OK)
			cli_fatal_at(&cli, prep_reader_where(cli.reader), "%s",
				     prep_strerror(st));
	}
	cli_spool_check(&cli, prep_spool_finish(spool));
	cli_progress_end(&cli);

	if (target_arg) {
		targets = parse_targets(tab, target_arg, ngrp);
		strategy = PREP_OVERSAMPLE_TARGETS;
	}
	st = prep_oversample_plan(tab, strategy, targets, &bad);
	if (st == PREP_ERR_LIMIT) {
		prep_where w = prep_oversample_first(tab, bad);

		w.field = 0;
		cli_fatal_at(&cli, w,
			     "the class of this record has %" PRIu64
			     " rows: SMOTE with -k %" PRIu64
			     " needs more than %" PRIu64,
			     prep_oversample_count(tab, bad), k, k);
	}
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, "sampling");

	/* pass 2: the input's rows as spooled, then the new ones */
	cli_open_output(&cli);
	if (header) {
		for (i = 0; i < ncols; i++)
			cli_write_check(&cli, prep_writer_field(cli.writer,
								header[i].data,
								header[i].len));
		if (mark)
			cli_write_check(
			    &cli,
			    prep_writer_field(cli.writer, mark, strlen(mark)));
		cli_write_check(&cli, prep_writer_end_row(cli.writer));
	}
	eol = cli.crlf ? 2 : 1;
	if (mark) {
		slen0 = (size_t)snprintf(suffix0, sizeof suffix0, "%c0%s",
					 delim, cli.crlf ? "\r\n" : "\n");
		slen1 = (size_t)snprintf(suffix1, sizeof suffix1, "%c1%s",
					 delim, cli.crlf ? "\r\n" : "\n");
	}
	map = map_spool(spool, &size);
	if (!mark) {
		if (size)
			cli_write_check(&cli,
					prep_writer_raw(cli.writer, map, size));
	} else {
		const char *rec;

		for (cnt = 0; cnt < prep_spool_records(spool); cnt++) {
			if (prep_spool_record(spool, cnt, &rec, &len) !=
			    PREP_OK)
				cli_fatal(&cli, "spool: no record %" PRIu64,
					  cnt);
			put_record(rec, len, suffix0, slen0, eol);
		}
	}
	for (c = 0; c < prep_oversample_classes(tab); c++) {
		for (cnt = prep_oversample_need(tab, c); cnt > 0; cnt--) {
			if (!smote) {
				uint64_t o2;

				st = prep_oversample_draw(tab, rng, c, &o2,
							  &len);
				if (st != PREP_OK)
					cli_fatal_status(&cli, st, "draw");
				put_record(map + o2, len, suffix1, slen1, eol);
				continue;
			}
			st = prep_oversample_smote_row(tab, rng, c, &f, NULL,
						       NULL);
			if (st != PREP_OK)
				cli_fatal_status(&cli, st, "smote");
			for (i = 0; i < ncols; i++)
				cli_write_check(
				    &cli, prep_writer_field(
					      cli.writer, f[i].data, f[i].len));
			if (mark)
				cli_write_check(&cli, prep_writer_field(
							  cli.writer, "1", 1));
			cli_write_check(&cli, prep_writer_end_row(cli.writer));
		}
	}
	cli_finish(&cli);
	prep_spool_free(spool);
	prep_oversample_free(tab);
	prep_rng_free(rng);
	free(targets);
	free(grp);
	free(feat);
	return 0;
}
