/*
 * kcheck: k-anonymity, l-diversity, t-closeness and re-identification
 * risk of quasi-identifiers, as a gate (kcheck(1)).
 *
 * Reads everything first, counting equivalence classes (libprep/classes.c)
 * and spooling the data to an unlinked temporary file in $TMPDIR; the
 * figures and their reports come from libprep/kanon.c. Only when every
 * check passes is the spool written out, so a failed check writes no data
 * at all.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "classes.h"
#include "cli.h"
#include "kanon.h"

enum {
	OPT_SUPPRESS = CLI_OPT_TOOL_BASE,
	OPT_MAX_SUPPRESS,
	OPT_JSON,
};

static struct cli cli;

/* clang-format off */
static void
usage(void)
{
	printf("usage: kcheck [-HhrVvz] -q QIS [-k K] [-s SENSITIVE [-l L]\n"
	       "              [--ldiv distinct|entropy|recursive] [--c C] [-t T]]\n"
	       "              [--suppress [--max-suppress F]] [-d DELIM] [-o FILE] [--crlf]\n"
	       "              [--json] [--lazy-quotes] [--max-classes N] [--max-field SIZE]\n"
	       "              [--max-memory SIZE] [--part I/N [--part-by COL]] [--progress]\n"
	       "              [--quiet] [FILE...]\n"
	       "\n"
	       "Check k-anonymity, l-diversity and t-closeness of the quasi-identifiers\n"
	       "QIS; pass the data on unchanged only if every check holds.\n"
	       "\n"
	       CLI_HELP_CHECKS
	       "      --suppress       drop the rows of classes smaller than K\n"
	       "      --max-suppress F at most this fraction of rows may go (default 0.05)\n"
	       "  -r, --report-only    full report on stdout (or -o FILE), no data\n"
	       "  -v, --verbose        full report on stderr\n"
	       "      --json           report as JSON\n"
	       "      --max-classes N  refuse input with more classes (default 10000000)\n"
	       CLI_HELP_IO
	       "      --quiet         no summary line on stderr\n"
	       CLI_HELP_END
	       "\n"
	       "Exit status: 0 every check passed, 1 a check failed, 2 trouble.\n");
}
/* clang-format on */

/* The command line, as given. */
struct options {
	struct cli_checks k; /* -q, -k, -s, -l, --ldiv, --c, -t */
	prep_kanon_params p; /* k.p, once the options are read */
	int report_only;     /* -r */
	int verbose;	     /* -v */
	int json;	     /* --json */
	int max_suppress_given;
};

/* One option of the check (not -q and not a common option). */
static void
check_option(struct options *o, int opt, const char *arg)
{
	prep_kanon_params *p = &o->k.p;

	if (cli_check_option(&cli, &o->k, opt, arg))
		return;
	switch (opt) {
	case 'q': /* --quiet */
		cli.quiet = 1;
		break;
	case OPT_SUPPRESS:
		p->suppress = 1;
		break;
	case OPT_MAX_SUPPRESS:
		p->max_suppress =
		    cli_parse_real(&cli, "--max-suppress", arg, 0, 1);
		o->max_suppress_given = 1;
		break;
	default:
		if (!cli_common_option(&cli, opt, arg))
			cli_usage_error(&cli, "unknown option");
	}
}

/* Options that only make sense together (kcheck(1), OPTIONS). */
static void
check_combinations(const struct options *o)
{
	cli_check_combinations(&cli, &o->k);
	if (o->max_suppress_given && !o->k.p.suppress)
		cli_usage_error(&cli, "--max-suppress needs --suppress");
}

static void
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
	    CLI_COMMON_LONGOPTS,
	    CLI_CHECK_LONGOPTS,
	    {"suppress", no_argument, NULL, OPT_SUPPRESS},
	    {"max-suppress", required_argument, NULL, OPT_MAX_SUPPRESS},
	    {"report-only", no_argument, NULL, 'r'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"json", no_argument, NULL, OPT_JSON},
	    {NULL, 0, NULL, 0},
	};
	int opt;

	memset(o, 0, sizeof *o);
	cli_checks_init(&o->k);
	/*
	 * -q names the quasi-identifiers here (kcheck(1), OPTIONS), so the
	 * short options are CLI_COMMON_SHORTOPTS with "q:" for "q";
	 * --quiet still maps to 'q', without an argument.
	 */
	while ((opt = getopt_long(argc, argv, "hVo:zd:Hq:k:s:l:t:rv", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'r':
			o->report_only = 1;
			break;
		case 'v':
			o->verbose = cli.verbose = 1;
			break;
		case OPT_JSON:
			o->json = 1;
			break;
		default:
			check_option(o, opt, optarg);
		}
	}
	check_combinations(o);
	o->p = o->k.p;
}

/* What the pass over the input leaves. */
struct input {
	prep_classes *classes;
	prep_spool *spool; /* the data, unless -r */
	size_t *qi;
};

/* The classes of the input, and the input spooled (unless -r). */
static void
read_input(const struct options *o, int nfiles, char **files, struct input *in)
{
	size_t nqi;
	long si;
	prep_status st;

	memset(in, 0, sizeof *in);
	cli_open_input(&cli, nfiles, files);
	cli_check_columns(&cli, &o->k, &in->qi, &nqi, &si);
	st = prep_classes_new(in->qi, nqi, si, (size_t)o->k.max_classes,
			      &in->classes);
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, "classes");
	if (!o->report_only)
		in->spool = cli_spool_new(&cli, PREP_SPOOL_SHA256);
	cli_classes_read(&cli, in->classes, o->k.max_classes, in->spool, NULL,
			 NULL);
}

/*
 * The full report, text or JSON (prep_kanon_report_*), on f. A failed
 * write is not checked here: -r's stream reports it at cli_report_end,
 * and a report on stderr has nowhere to say it.
 */
static void
print_report(FILE *f, const prep_kanon_report *r, const prep_kanon_params *p,
	     int json)
{
	prep_status st = json ? prep_kanon_report_json(f, r)
			      : prep_kanon_report_text(f, r, p);

	if (st == PREP_ERR_NOMEM)
		cli_fatal(&cli, "out of memory");
}

/*
 * -r: the full report on stdout, or atomically into -o FILE, gzipped like
 * data would be (-z or a FILE ending in .gz).
 */
static void
write_report(const prep_kanon_report *r, const prep_kanon_params *p, int json)
{
	FILE *f = cli_report_begin(&cli);

	print_report(f, r, p, json);
	cli_report_end(&cli, f);
}

/* The one-line summary on stderr. */
static void
print_summary(const prep_kanon_report *r, const prep_kanon_params *p)
{
	char line[PREP_KANON_SUMMARY_SIZE];

	(void)prep_kanon_report_summary(r, p, line, sizeof line);
	cli_note(&cli, "%s", line);
}

/* Copy the spool's records whose class survives suppression. */
static void
copy_kept(prep_spool *spool, const prep_classes *classes,
	  const prep_kanon_params *p)
{
	prep_reader *r = cli_spool_reader(&cli, spool);
	const prep_field *f;
	size_t n, id;
	prep_status st;

	f = prep_reader_header(r, &n);
	if (f)
		cli_write_check(&cli, prep_writer_row(cli.writer, f, n));
	while ((st = prep_reader_next_row(r, &f, &n)) == PREP_OK) {
		if (prep_classes_find(classes, f, &id) != PREP_OK)
			cli_fatal(&cli, "spool: record of no class");
		if (prep_kanon_class_kept(classes, p, id))
			cli_write_check(&cli,
					prep_writer_row(cli.writer, f, n));
	}
	if (st != PREP_END)
		cli_fatal_status(&cli, st, "spool");
	prep_reader_free(r);
}

/*
 * The gate: the report on stderr under -v, then the data (less the
 * suppressed rows) only when every check holds.
 */
static void
pass_data(const struct options *o, const struct input *in,
	  const prep_kanon_report *r)
{
	if (o->verbose)
		print_report(stderr, r, &o->p, o->json);
	if (!r->satisfied)
		return;
	cli_open_output(&cli);
	if (o->p.suppress && r->suppressed_rows > 0)
		copy_kept(in->spool, in->classes, &o->p);
	else
		cli_spool_copy(&cli, in->spool);
	cli_finish(&cli);
}

int
main(int argc, char **argv)
{
	struct options o;
	struct input in;
	prep_kanon_report rep;
	prep_status st;

	cli_init(&cli, "kcheck", usage);
	parse_options(argc, argv, &o);
	read_input(&o, argc - optind, argv + optind, &in);
	if ((st = prep_kanon_evaluate(in.classes, &o.p, &rep)) != PREP_OK)
		cli_fatal_status(&cli, st, "evaluation");
	if (o.report_only)
		write_report(&rep, &o.p, o.json);
	else
		pass_data(&o, &in, &rep);
	if (!cli.quiet && !o.report_only && !o.verbose)
		print_summary(&rep, &o.p);
	/* --suppress gates the share suppressed (--max-suppress or 0.05) */
	cli_checks_audit(&cli, &o.p, &rep, o.p.suppress, 0);
	prep_spool_free(in.spool);
	prep_kanon_report_free(&rep);
	prep_classes_free(in.classes);
	free(in.qi);
	cli_close_input(&cli);
	return rep.satisfied ? 0 : EXIT_CHECK_FAILED;
}
