/*
 * kcheck: k-anonymity, l-diversity, t-closeness and re-identification
 * risk of quasi-identifiers, as a gate (kcheck(1)).
 *
 * Reads everything first, counting equivalence classes (libprep/classes.c)
 * and spooling the data to an unlinked temporary file in $TMPDIR; the
 * figures and their reports come from libprep/kanon.c. Only when every
 * check passes is the spool written out, so a failed check writes no data
 * at all.
 *
 * Scale-out (man5/prep-partial.5): --partial writes the class table of
 * a part instead (libprep/classes_state.c), --merge adds the parts'
 * tables up and judges them as one run would, and --state, the second
 * pass of --suppress, writes a part's rows against the merged table.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "classes.h"
#include "cli.h"
#include "json.h"
#include "kanon.h"

enum {
	OPT_SUPPRESS = CLI_OPT_TOOL_BASE,
	OPT_MAX_SUPPRESS,
	OPT_JSON,
	OPT_PARTIAL,
	OPT_MERGE,
	OPT_STATE,
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
	       "              [--quiet] [--partial | --merge | --state STATE] [FILE...]\n"
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
	       "      --partial        write this part's classes (a partial), not the data\n"
	       "      --merge          FILEs are partials: judge them as one input; write\n"
	       "                       the merged state with --suppress, nothing without\n"
	       "      --state STATE    with --suppress: write this part's rows that the\n"
	       "                       merged state keeps\n"
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
	int partial;	   /* --partial */
	int merge;	   /* --merge: the operands are partials */
	const char *state; /* --state FILE */
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
	if (o->partial + o->merge + (o->state != NULL) > 1)
		cli_usage_error(&cli, "--partial, --merge and --state exclude "
				      "one another");
	if ((o->partial || o->state) && o->report_only)
		cli_usage_error(&cli, "-r is for a whole input or --merge, not "
				      "--partial or --state");
	if (o->state && !o->k.p.suppress)
		cli_usage_error(&cli, "--state needs --suppress (the only "
				      "second pass there is)");
	if (o->merge && !o->report_only && !o->k.p.suppress && cli.output)
		cli_usage_error(&cli, "-o with --merge needs -r or --suppress: "
				      "without them a merge writes nothing");
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
	    {"partial", no_argument, NULL, OPT_PARTIAL},
	    {"merge", no_argument, NULL, OPT_MERGE},
	    {"state", required_argument, NULL, OPT_STATE},
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
	while ((opt = getopt_long(argc, argv, "hVo:zd:Hq:j:k:s:l:t:rv",
				  longopts, NULL)) != -1) {
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
		case OPT_PARTIAL:
			o->partial = 1;
			break;
		case OPT_MERGE:
			o->merge = 1;
			break;
		case OPT_STATE:
			o->state = optarg;
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
	if (!o->report_only && !o->partial)
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

/*
 * What shapes the state or the verdict (man5/prep-partial.5, STATES):
 * the checks' options, --suppress and its --max-suppress.
 */
static json_t *
options_json(const struct options *o)
{
	json_t *j = cli_checks_options(&cli, &o->k);
	int ok = 1;

	prep_json_set(j, "suppress", json_boolean(o->p.suppress), &ok);
	prep_json_set(j, "max_suppress",
		      o->p.suppress ? prep_json_number(o->p.max_suppress)
				    : json_null(),
		      &ok);
	if (!ok)
		cli_fatal(&cli, "out of memory");
	return j;
}

/* --partial: the classes of this part, whatever they would say. */
static void
write_partial(const struct options *o, const struct input *in)
{
	prep_classes_names names;
	size_t nqi = prep_classes_nqi(in->classes);

	cli_checks_names(&cli, in->qi, nqi, prep_classes_sensitive(in->classes),
			 &names);
	cli_state_write(&cli, options_json(o), in->classes, &names, 0);
	prep_classes_names_free(&names);
}

/* The figures of the classes, or exit 2. */
static void
evaluate(prep_classes *classes, const prep_kanon_params *p,
	 prep_kanon_report *rep)
{
	prep_status st = prep_kanon_evaluate(classes, p, rep);

	if (st != PREP_OK)
		cli_fatal_status(&cli, st, "evaluation");
}

/* What every run ends with: the summary, the audit record, the status. */
static int
verdict(const struct options *o, const prep_kanon_report *rep)
{
	if (!cli.quiet && !o->report_only && !o->verbose)
		print_summary(rep, &o->p);
	/* --suppress gates the share suppressed (--max-suppress or 0.05) */
	cli_checks_audit(&cli, &o->p, rep, o->p.suppress, 0);
	return rep->satisfied ? 0 : EXIT_CHECK_FAILED;
}

/*
 * --merge: the partials judged as one input. The report as a single run
 * gives it (-r on the output, -v on stderr, else the summary); with
 * --suppress the merged state on the output, whatever the verdict, for
 * the parts' --state pass; else nothing.
 */
static int
run_merge(const struct options *o, int nfiles, char **files)
{
	json_t *opts = options_json(o);
	prep_partial *p = cli_partials_load(&cli, files, (size_t)nfiles, opts);
	prep_classes_names names;
	prep_classes *classes = cli_checks_merge(&cli, p, files, (size_t)nfiles,
						 o->k.max_classes, &names);
	prep_kanon_report rep;
	int status;

	cli_partials_free(p, (size_t)nfiles);
	evaluate(classes, &o->p, &rep);
	if (o->report_only) {
		write_report(&rep, &o->p, o->json);
	} else {
		if (o->verbose)
			print_report(stderr, &rep, &o->p, o->json);
		if (o->p.suppress)
			cli_state_write(&cli, json_incref(opts), classes,
					&names, 1);
	}
	status = verdict(o, &rep);
	json_decref(opts);
	prep_kanon_report_free(&rep);
	prep_classes_names_free(&names);
	prep_classes_free(classes);
	return status;
}

/*
 * Write the input's rows that the merged table keeps (every row's class
 * must be one of its classes), after its header (which the output of a
 * --part after the first drops, as every filter's).
 */
static void
copy_part(const prep_classes *classes, const prep_kanon_params *p,
	  const size_t *qi, size_t nqi)
{
	prep_field *key = calloc(nqi ? nqi : 1, sizeof *key);
	const prep_field *f;
	size_t n, id, j;

	if (key == NULL)
		cli_fatal(&cli, "out of memory");
	cli_open_output(&cli);
	f = prep_reader_header(cli.reader, &n);
	if (f && cli.csv.has_header)
		cli_write_check(&cli, prep_writer_row(cli.writer, f, n));
	while ((f = cli_next_row(&cli, &n)) != NULL) {
		for (j = 0; j < nqi; j++)
			key[j] = f[qi[j]];
		if (prep_classes_find_key(classes, key, &id) != PREP_OK)
			cli_fatal_at(&cli, prep_reader_where(cli.reader),
				     "a record of a class the state does not "
				     "hold: the state was not made from this "
				     "input");
		if (prep_kanon_class_kept(classes, p, id))
			cli_write_check(&cli,
					prep_writer_row(cli.writer, f, n));
	}
	free(key);
	cli_finish(&cli);
}

/*
 * --state FILE: the merged verdict, and this part's rows that the whole
 * run keeps when it passes (nothing when it fails, as a single run).
 */
static int
run_state(const struct options *o, int nfiles, char **files)
{
	json_t *opts = options_json(o);
	prep_partial *p = cli_state_load(&cli, o->state, opts);
	char *state_file[1];
	prep_classes_names names, own;
	prep_classes *classes;
	prep_kanon_report rep;
	size_t *qi, nqi;
	long si;
	int status;

	state_file[0] = (char *)o->state;
	classes =
	    cli_checks_merge(&cli, p, state_file, 1, o->k.max_classes, &names);
	cli_partials_free(p, 1);
	json_decref(opts);
	evaluate(classes, &o->p, &rep);
	cli_open_input(&cli, nfiles, files);
	cli_check_columns(&cli, &o->k, &qi, &nqi, &si);
	cli_checks_names(&cli, qi, nqi, si, &own);
	if (!cli_checks_same_names(&names, &own))
		cli_fatal(&cli,
			  "%s: a state of other columns than this input's "
			  "(quasi-identifiers or sensitive column)",
			  o->state);
	if (o->verbose)
		print_report(stderr, &rep, &o->p, o->json);
	if (rep.satisfied)
		copy_part(classes, &o->p, qi, nqi);
	status = verdict(o, &rep);
	prep_kanon_report_free(&rep);
	prep_classes_names_free(&names);
	prep_classes_names_free(&own);
	prep_classes_free(classes);
	free(qi);
	cli_close_input(&cli);
	return status;
}

int
main(int argc, char **argv)
{
	struct options o;
	struct input in;
	prep_kanon_report rep;
	int status;

	cli_init(&cli, "kcheck", usage);
	parse_options(argc, argv, &o);
	if (o.merge) {
		cli_merge_no_part(&cli);
		return run_merge(&o, argc - optind, argv + optind);
	}
	if (o.state)
		return run_state(&o, argc - optind, argv + optind);
	read_input(&o, argc - optind, argv + optind, &in);
	if (o.partial) {
		write_partial(&o, &in);
		prep_classes_free(in.classes);
		free(in.qi);
		return 0;
	}
	evaluate(in.classes, &o.p, &rep);
	if (o.report_only)
		write_report(&rep, &o.p, o.json);
	else
		pass_data(&o, &in, &rep);
	status = verdict(&o, &rep);
	prep_spool_free(in.spool);
	prep_kanon_report_free(&rep);
	prep_classes_free(in.classes);
	free(in.qi);
	cli_close_input(&cli);
	return status;
}
