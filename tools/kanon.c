/*
 * kanon: generalize the quasi-identifiers so that every privacy check of
 * kcheck holds, with the least information loss (kanon(1)).
 *
 * Options here, the run in kanon_run.c. Reads everything first, counting the
 * distinct quasi-identifier tuples (libprep/classes.c) and spooling the data;
 * the recoding is libprep/lattice.c (global) or libprep/mondrian.c (local) over
 * the tuples (libprep/recode.c), never over rows. Only when a recoding passes
 * is the spool read again and written out with the released values: a
 * run without a solution writes no data at all.
 *
 * With --levels the run can be cut into parts (kanon_partial.c,
 * man5/prep-partial.5): --partial, --merge, --state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kanon_run.h"

enum {
	OPT_HIERARCHY = CLI_OPT_TOOL_BASE,
	OPT_METHOD,
	OPT_METRIC,
	OPT_MAX_SUPPRESS,
	OPT_MARK,
	OPT_LEVELS,
	OPT_MAX_NODES,
	OPT_JSON,
	OPT_PARTIAL,
	OPT_MERGE,
	OPT_STATE,
};

/* clang-format off */
static void
usage(void)
{
	printf("usage: kanon [-HhrVvz] -q QIS [--hierarchy COL=FILE]... [-k K]\n"
	       "             [-s SENSITIVE [-l L] [--ldiv distinct|entropy|recursive] [--c C]\n"
	       "             [-t T]] [--method global|local] [--metric loss|dm|aecs|gcp]\n"
	       "             [--max-suppress F] [--mark-suppressed COL] [--levels COL=L,...]\n"
	       "             [--max-nodes N] [--json] [-d DELIM] [-o FILE] [--crlf]\n"
	       "             [--lazy-quotes] [--max-classes N] [--max-field SIZE]\n"
	       "             [--max-memory SIZE] [--part I/N [--part-by COL]] [--progress]\n"
	       "             [--quiet] [--partial | --merge | --state STATE] [FILE...]\n"
	       "\n"
	       "Generalize the quasi-identifiers QIS so that every check of kcheck holds,\n"
	       "with the least information loss; write the generalized data.\n"
	       "\n"
	       CLI_HELP_CHECKS
	       "      --hierarchy COL=FILE  generalization hierarchy of COL (ARX format)\n"
	       "      --method M       global (default when every QI has a hierarchy)\n"
	       "                       or local\n"
	       "      --metric M       loss (default), dm, aecs or gcp: what global\n"
	       "                       search minimizes\n"
	       "      --max-suppress F at most this fraction of rows suppressed (default 0)\n"
	       "      --mark-suppressed COL  keep suppressed rows, QIs '*', COL 1\n"
	       "      --levels COL=L,...  apply these levels (global) instead of searching\n"
	       "      --max-nodes N    refuse larger lattices (default 10000000)\n"
	       "      --partial        with --levels: write this part's tuples (a partial)\n"
	       "      --merge          with --levels: FILEs are partials; judge them as one\n"
	       "                       input, write the merged state (or -r the report)\n"
	       "      --state STATE    with --levels: write this part's rows, released as\n"
	       "                       the merged state says\n"
	       "  -r, --report-only    full report on stdout (or -o FILE), no data\n"
	       "  -v, --verbose        full report on stderr\n"
	       "      --json           report as JSON\n"
	       "      --max-classes N  refuse input with more distinct QI tuples\n"
	       "                       (default 10000000)\n"
	       CLI_HELP_IO
	       "      --quiet         no summary line on stderr\n"
	       CLI_HELP_END
	       "\n"
	       "Exit status: 0 done, 1 no solution within the limits, 2 trouble.\n");
}
/* clang-format on */

static void
add_hierarchy(struct options *o, char *arg)
{
	char *eq = strchr(arg, '=');

	if (eq == NULL || eq == arg || eq[1] == '\0')
		cli_usage_error(&cli, "--hierarchy takes COL=FILE");
	if (o->nhier == MAX_HIERARCHIES)
		cli_usage_error(&cli, "too many --hierarchy");
	*eq = '\0';
	o->hier[o->nhier].col = arg;
	o->hier[o->nhier].path = eq + 1;
	cli_audit_file(&cli, "--hierarchy", eq + 1);
	o->nhier++;
}

static void
tool_option(struct options *o, int opt, char *arg)
{
	switch (opt) {
	case 'q': /* --quiet */
		cli.quiet = 1;
		break;
	case 'r':
		o->report_only = 1;
		break;
	case 'v':
		o->verbose = cli.verbose = 1;
		break;
	case OPT_JSON:
		o->json = 1;
		break;
	case OPT_HIERARCHY:
		add_hierarchy(o, arg);
		break;
	case OPT_METHOD:
		if (strcmp(arg, "global") != 0 && strcmp(arg, "local") != 0)
			cli_usage_error(&cli,
					"--method must be global or local");
		o->method = arg;
		break;
	case OPT_METRIC:
		if (prep_recode_metric_parse(arg, &o->metric) != PREP_OK)
			cli_usage_error(
			    &cli, "--metric must be loss, dm, aecs or gcp");
		break;
	case OPT_MAX_SUPPRESS:
		o->k.p.max_suppress =
		    cli_parse_real(&cli, "--max-suppress", arg, 0, 1);
		o->max_suppress_given = 1;
		break;
	case OPT_MARK:
		o->mark = arg;
		break;
	case OPT_LEVELS:
		o->levels = arg;
		break;
	case OPT_PARTIAL:
		o->partial = 1;
		break;
	case OPT_MERGE:
		o->merge = 1;
		break;
	case OPT_STATE:
		o->state = arg;
		break;
	case OPT_MAX_NODES:
		o->max_nodes = cli_parse_count(&cli, "--max-nodes", arg, 1,
					       UINT64_MAX >> 1);
		break;
	default:
		if (!cli_common_option(&cli, opt, arg))
			cli_usage_error(&cli, "unknown option");
	}
}

static void
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
	    CLI_COMMON_LONGOPTS,
	    CLI_CHECK_LONGOPTS,
	    {"hierarchy", required_argument, NULL, OPT_HIERARCHY},
	    {"method", required_argument, NULL, OPT_METHOD},
	    {"metric", required_argument, NULL, OPT_METRIC},
	    {"max-suppress", required_argument, NULL, OPT_MAX_SUPPRESS},
	    {"mark-suppressed", required_argument, NULL, OPT_MARK},
	    {"levels", required_argument, NULL, OPT_LEVELS},
	    {"max-nodes", required_argument, NULL, OPT_MAX_NODES},
	    {"report-only", no_argument, NULL, 'r'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"partial", no_argument, NULL, OPT_PARTIAL},
	    {"merge", no_argument, NULL, OPT_MERGE},
	    {"state", required_argument, NULL, OPT_STATE},
	    {NULL, 0, NULL, 0},
	};
	int opt;

	memset(o, 0, sizeof *o);
	cli_checks_init(&o->k);
	o->k.p.max_suppress = 0;
	o->metric = PREP_METRIC_LOSS;
	while ((opt = getopt_long(argc, argv, "hVo:zd:Hq:j:k:s:l:t:rv",
				  longopts, NULL)) != -1)
		if (!cli_check_option(&cli, &o->k, opt, optarg))
			tool_option(o, opt, optarg);
	cli_check_combinations(&cli, &o->k);
	/* suppression is kanon's own: at most F, whatever the checks */
	o->k.p.suppress = 1;
	if (o->levels && o->method && strcmp(o->method, "local") == 0)
		cli_usage_error(&cli, "--levels is global recoding");
	if (o->levels)
		o->method = "global";
	if (o->partial + o->merge + (o->state != NULL) > 1)
		cli_usage_error(&cli, "--partial, --merge and --state exclude "
				      "one another");
	if ((o->partial || o->merge || o->state) && !o->levels)
		cli_usage_error(&cli, "--partial, --merge and --state need "
				      "--levels: a search needs the whole "
				      "input");
	if ((o->partial || o->state) && o->report_only)
		cli_usage_error(&cli, "-r is for a whole input or --merge, not "
				      "--partial or --state");
}

int
main(int argc, char **argv)
{
	struct options o;
	struct input in;
	double start = cli_now();
	int status;

	cli_init(&cli, "kanon", usage);
	parse_options(argc, argv, &o);
	if (o.merge) {
		cli_merge_no_part(&cli);
		return kanon_merge(&o, argc - optind, argv + optind, start);
	}
	if (o.state)
		return kanon_state(&o, argc - optind, argv + optind, start);
	kanon_read_input(&o, argc - optind, argv + optind, &in);
	if (o.partial) {
		if (in.classes != NULL)
			kanon_check_levels(&o, &in);
		kanon_write_partial(&o, &in);
		kanon_input_free(&in);
		return 0;
	}
	if (in.classes == NULL) {
		/* --allow-empty: an empty output, as every filter writes */
		if (!o.report_only) {
			cli_open_output(&cli);
			cli_finish(&cli);
		}
		kanon_audit(&o, &in, NULL);
		cli_close_input(&cli);
		return 0;
	}
	status = kanon_finish(&o, &in, start, NULL);
	kanon_input_free(&in);
	cli_close_input(&cli);
	return status;
}
