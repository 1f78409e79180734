/*
 * profile: a small, mergeable summary of a CSV, as one JSON document
 * (man1/profile.1, man5/prep-profile.5).
 *
 * A report filter: one pass over the input in memory bounded by the
 * columns (libprep/profile.c), its pieces profiled on -j threads and
 * merged in input order (libprep/profile_par.c), then the profile on the
 * output. --partial writes the same profile inside a partial's envelope
 * (man5/prep-partial.5, libprep/profile_partial.c) with the run's
 * options; --merge reads profiles, or partials, instead and writes their
 * merge, folded left to right in the order of the operands (partials of
 * --part in the order of their parts).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum {
	OPT_MERGE = CLI_OPT_TOOL_BASE,
	OPT_PARTIAL,
};

enum mode { PROFILE, PARTIAL, MERGE };

static struct cli cli;

static void
usage(void)
{
	printf(
	    "usage: profile [-HhqVz] [--columns COLS] [-g GROUPS -y LABEL [-p PRED]\n"
	    "               --positive V] [--max-distinct N] [--kll-k K] [--seed N]\n"
	    "               [--max-groups N] [-d C] [-o FILE] [--allow-empty]\n"
	    "               [--lazy-quotes] [--max-field N] [--max-memory N]\n"
	    "               [--missing LIST] [--partial] [--part I/N [--part-by COL]]\n"
	    "               [--progress] [FILE...]\n"
	    "       profile --merge [-z] [-o FILE] PROFILE...|PARTIAL...\n"
	    "\n"
	    "Summarize a CSV in one pass, in memory bounded by its columns, as one\n"
	    "JSON document (prep-profile(5)): per column the types of its values,\n"
	    "moments and a quantile sketch of its numbers, value counts and distinct\n"
	    "values; with -g, per-group label and prediction counts.\n"
	    "\n" CLI_HELP_PROFILE
	    "      --partial         write the profile as a partial (prep-partial(5))\n"
	    "      --merge           read profiles or partials, write their merge\n" CLI_HELP_IO
		CLI_HELP_QUIET CLI_HELP_END "\n"
	    "Exit status: 0 done, 2 trouble.\n");
}

static enum mode
parse_options(int argc, char **argv, struct cli_profile_opts *o)
{
	static const struct option longopts[] = {
	    CLI_COMMON_LONGOPTS,
	    CLI_PROFILE_LONGOPTS,
	    {"merge", no_argument, NULL, OPT_MERGE},
	    {"partial", no_argument, NULL, OPT_PARTIAL},
	    {NULL, 0, NULL, 0},
	};
	int opt, merge = 0, partial = 0, seed = 0;

	cli_profile_opts_init(o);
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "g:y:p:",
				  longopts, NULL)) != -1) {
		seed |= opt == CLI_OPT_SEED;
		if (cli_common_option(&cli, opt, optarg) ||
		    cli_profile_option(&cli, o, opt, optarg))
			continue;
		if (opt == OPT_MERGE)
			merge = 1;
		else if (opt == OPT_PARTIAL)
			partial = 1;
		else
			cli_usage_error(&cli, "unknown option");
	}
	cli_profile_check(&cli, o);
	if (merge && partial)
		cli_usage_error(&cli, "--merge writes the merged profile: no "
				      "--partial");
	if (partial && cli_output_gzip(&cli))
		cli_usage_error(&cli, "--merge reads a partial as it is: no -z "
				      "or -o FILE.gz with --partial");
	if (merge && (o->columns || o->groups || o->max_distinct || o->kll_k ||
		      o->max_groups || seed || cli.missing))
		cli_usage_error(&cli, "--merge takes the profiles as they are: "
				      "no --columns, -g, --max-distinct, "
				      "--kll-k, --max-groups, --seed or "
				      "--missing");
	if (merge)
		cli_merge_no_part(&cli);
	if (merge && optind >= argc)
		cli_usage_error(&cli, "--merge needs at least one profile");
	return merge ? MERGE : partial ? PARTIAL : PROFILE;
}

/* Fold q into p, the profile of files[i] into that of files[0]. */
static void
fold(prep_profile *p, const prep_profile *q, char **files, size_t i)
{
	const char *why;
	prep_status st = prep_profile_merge(p, q, &why);

	if (st == PREP_ERR_ARG)
		cli_fatal(&cli, "%s: can't merge with %s: profiles %s",
			  files[i], files[0], why ? why : "made differently");
	if (st == PREP_ERR_LIMIT)
		cli_fatal(&cli, "%s: more than %zu groups (--max-groups)",
			  files[i], prep_profile_max_groups(p));
	if (st != PREP_OK)
		cli_profile_fatal(&cli, st);
}

/* Fold the profiles of the operands, left to right. */
static prep_profile *
merge_profiles(int n, char **files)
{
	prep_profile *p = cli_profile_load(&cli, files[0]), *q;
	int i;

	for (i = 1; i < n; i++) {
		q = cli_profile_load(&cli, files[i]);
		fold(p, q, files, (size_t)i);
		prep_profile_free(q);
	}
	return p;
}

/* The profile of partial pt (of file); exits 2 naming the file. */
static prep_profile *
from_partial(const prep_partial *pt, const char *file)
{
	const char *why = NULL;
	prep_profile *p;
	prep_status st;

	st = prep_profile_from_partial(pt->options, pt->state, &p, &why);
	if (st != PREP_OK)
		cli_partial_state_error(&cli, file, st, why);
	return p;
}

/*
 * Fold the partials of the operands: made with the same options (the
 * merge takes no options of its own to compare them with), in the order
 * of their parts when they have them, else of the operands. The order
 * decides the groups' order and the sketches' coins: the parts' order is
 * the whole run's.
 */
/* merge_partials's names, held for a refusal's exit as cli_partial.c
 * holds the partials (volatile: written only, it would be optimized
 * away) */
static char **volatile merging_names;

static prep_profile *
merge_partials(int n, char **files)
{
	prep_partial *pt = cli_partials_load(&cli, files, (size_t)n, NULL);
	size_t *order = cli_partials_order(&cli, pt, (size_t)n), k;
	char **names = calloc((size_t)n, sizeof *names);
	prep_profile *p = NULL, *q;

	if (names == NULL)
		cli_fatal(&cli, "out of memory");
	merging_names = names;
	for (k = 0; k < (size_t)n; k++)
		names[k] = files[order[k]];
	for (k = 0; k < (size_t)n; k++) {
		q = from_partial(&pt[order[k]], names[k]);
		if (p == NULL) {
			p = q;
			continue;
		}
		fold(p, q, names, k);
		prep_profile_free(q);
	}
	free(order);
	free(names);
	cli_partials_free(pt, (size_t)n);
	return p;
}

/* Partials or profiles, not both: the parts' check (each part once)
 * is for partials only. */
static prep_profile *
merge_files(int n, char **files)
{
	int i, partials = cli_profile_is_partial(&cli, files[0]);

	for (i = 1; i < n; i++)
		if (cli_profile_is_partial(&cli, files[i]) != partials)
			cli_fatal(&cli,
				  "%s: a %s among %s: --merge reads profiles "
				  "or partials, not both",
				  files[i], partials ? "profile" : "partial",
				  partials ? "partials" : "profiles");
	return partials ? merge_partials(n, files) : merge_profiles(n, files);
}

/* The profile as this run's partial on the output. */
static void
write_partial(const prep_profile *p)
{
	json_t *options, *state;

	if (prep_profile_partial(p, cli.missing, &options, &state) != PREP_OK)
		cli_fatal(&cli, "out of memory");
	cli_partial_write(&cli, options, state);
}

int
main(int argc, char **argv)
{
	struct cli_profile_opts o;
	enum mode m;
	prep_profile *p;

	cli_init(&cli, "profile", usage);
	m = parse_options(argc, argv, &o);
	if (m == MERGE)
		p = merge_files(argc - optind, argv + optind);
	else
		p = cli_profile_csv(&cli, &o, argc - optind, argv + optind);
	if (m == PARTIAL)
		write_partial(p);
	else
		cli_profile_write(&cli, p);
	/* the audit record's figures (check contract, profile): the rows
	 * and the columns the profile holds, as it writes them */
	cli_audit_figure(&cli, "rows", (double)prep_profile_rows(p));
	cli_audit_figure(&cli, "columns", (double)prep_profile_columns(p));
	prep_profile_free(p);
	return 0;
}
