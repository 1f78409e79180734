/*
 * profile: a small, mergeable summary of a CSV, as one JSON document
 * (man1/profile.1, man5/prep-profile.5).
 *
 * A report filter: one pass over the input in memory bounded by the
 * columns (libprep/profile.c), then the profile on the output. --merge
 * reads profiles instead and writes their merge, folded left to right in
 * the order of the operands.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum {
	OPT_MERGE = CLI_OPT_TOOL_BASE,
};

static struct cli cli;

static void
usage(void)
{
	printf(
	    "usage: profile [-HhqVz] [--columns COLS] [-g GROUPS -y LABEL [-p PRED]\n"
	    "               --positive V] [--max-distinct N] [--kll-k K] [--seed N]\n"
	    "               [--max-groups N] [-d C] [-o FILE] [--allow-empty]\n"
	    "               [--lazy-quotes] [--max-field N] [--max-memory N]\n"
	    "               [--missing LIST] [--part I/N [--part-by COL]] [--progress]\n"
	    "               [FILE...]\n"
	    "       profile --merge [-o FILE] PROFILE...\n"
	    "\n"
	    "Summarize a CSV in one pass, in memory bounded by its columns, as one\n"
	    "JSON document (prep-profile(5)): per column the types of its values,\n"
	    "moments and a quantile sketch of its numbers, value counts and distinct\n"
	    "values; with -g, per-group label and prediction counts.\n"
	    "\n" CLI_HELP_PROFILE
	    "      --merge           read profiles, write their merge\n" CLI_HELP_IO
		CLI_HELP_QUIET CLI_HELP_END "\n"
	    "Exit status: 0 done, 2 trouble.\n");
}

static int
parse_options(int argc, char **argv, struct cli_profile_opts *o)
{
	static const struct option longopts[] = {
	    CLI_COMMON_LONGOPTS,
	    CLI_PROFILE_LONGOPTS,
	    {"merge", no_argument, NULL, OPT_MERGE},
	    {NULL, 0, NULL, 0},
	};
	int opt, merge = 0, seed = 0;

	cli_profile_opts_init(o);
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "g:y:p:",
				  longopts, NULL)) != -1) {
		seed |= opt == CLI_OPT_SEED;
		if (cli_common_option(&cli, opt, optarg) ||
		    cli_profile_option(&cli, o, opt, optarg))
			continue;
		if (opt == OPT_MERGE)
			merge = 1;
		else
			cli_usage_error(&cli, "unknown option");
	}
	cli_profile_check(&cli, o);
	if (merge && (o->columns || o->groups || o->max_distinct || o->kll_k ||
		      o->max_groups || seed))
		cli_usage_error(&cli, "--merge takes the profiles as they are: "
				      "no --columns, -g, --max-distinct, "
				      "--kll-k, --max-groups or --seed");
	if (merge && (cli.part_i || cli.part_by))
		cli_usage_error(&cli, "--merge reads profiles: --part and "
				      "--part-by split CSV input");
	if (merge && optind >= argc)
		cli_usage_error(&cli, "--merge needs at least one profile");
	return merge;
}

/* Fold the profiles of the operands, left to right. */
static prep_profile *
merge_files(int n, char **files)
{
	prep_profile *p = cli_profile_load(&cli, files[0]), *q;
	const char *why;
	prep_status st;
	int i;

	for (i = 1; i < n; i++) {
		q = cli_profile_load(&cli, files[i]);
		st = prep_profile_merge(p, q, &why);
		prep_profile_free(q);
		if (st == PREP_ERR_ARG)
			cli_fatal(&cli, "%s: can't merge with %s: profiles %s",
				  files[i], files[0],
				  why ? why : "made differently");
		if (st != PREP_OK)
			cli_profile_fatal(&cli, st);
	}
	return p;
}

int
main(int argc, char **argv)
{
	struct cli_profile_opts o;
	prep_profile *p;

	cli_init(&cli, "profile", usage);
	if (parse_options(argc, argv, &o))
		p = merge_files(argc - optind, argv + optind);
	else
		p = cli_profile_csv(&cli, &o, argc - optind, argv + optind);
	cli_profile_write(&cli, p);
	/* the audit record's figures (check contract, profile): the rows
	 * and the columns the profile holds, as it writes them */
	cli_audit_figure(&cli, "rows", (double)prep_profile_rows(p));
	cli_audit_figure(&cli, "columns", (double)prep_profile_columns(p));
	prep_profile_free(p);
	return 0;
}
