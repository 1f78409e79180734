/*
 * validate: schema, structure, PII and integrity checks; the release gate
 * (man1/validate.1).
 *
 * Records are read with the CSV reader in its lenient mode (ragged
 * records and blank lines are handed over, to be reported, not fatal) and
 * checked by libprep/validate.c against the Table Schema of
 * libprep/schema.c; its report counts the errors and keeps the first
 * --max-errors of them. Only valid rows go to the output, invalid ones
 * to the --rejects file if there is one. As a gate (the default) the
 * valid rows are spooled to an unlinked temporary file and written out
 * only when the run passes; --stream writes each as it is read, and an
 * -o file is renamed into place only when the run passes. On -j N
 * threads the data records are checked by tools/validate_threads.c, with
 * the same report and outputs.
 *
 * --partial checks a part of the input the same way and writes, instead
 * of the report and the data, the part's state (libprep/validate_partial.c:
 * its counts, its first errors, its unique and primary keys); --merge
 * reads the parts' states and gives the whole run's report and verdict
 * (tools/validate_partial.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pii.h"
#include "validate_run.h"

enum {
	OPT_PII = CLI_OPT_TOOL_BASE,
	OPT_REJECTS,
	OPT_MOSTLY,
	OPT_MAX_ERRORS,
	OPT_STREAM,
	OPT_JSON,
	OPT_MANIFEST,
	OPT_MAX_KEYS,
	OPT_PARTIAL,
	OPT_MERGE,
};

#define MAX_ERRORS_CAP 10000000ULL

struct cli cli;
prep_validator *run_validator;
prep_vreport *run_report;
prep_vstate *run_vstate;

static void
usage(void)
{
	/* clang-format off */
	printf("usage: validate [-HhqrVvz] [-s schema.json] [--pii[=types]] [--rejects file]\n"
	       "                [--mostly f] [--max-errors n] [--stream] [--json]\n"
	       "                [--manifest file] [--max-keys n] [-d delim] [-o file] [--crlf]\n"
	       "                [--lazy-quotes] [--max-field size] [--max-memory size]\n"
	       "                [--allow-empty] [--missing list] [--partial]\n"
	       "                [--part i/n [--part-by col]] [--progress] [file ...]\n"
	       "       validate [-HqrVv] [-s schema.json] [--json] [-o file] [options]\n"
	       "                --merge partial ...\n"
	       "\n"
	       "Check the data against a Table Schema, its structure and for personal\n"
	       "data; pass on only the valid rows, and only if the run passes.\n"
	       "\n"
	       "  -s, --schema FILE    Frictionless Table Schema (JSON)\n"
	       "      --pii[=TYPES]    any e-mail, phone, ssn, card, iban or ip value\n"
	       "                       is an error (default: all types)\n"
	       "      --rejects FILE   write invalid rows there, with _errors and _extra\n"
	       "                       columns; the run then passes by default\n"
	       "      --mostly F       pass when at least this fraction of rows is valid\n"
	       "                       (default 1; 0 with --rejects)\n"
	       "      --max-errors N   list at most N errors (default 100; all counted)\n"
	       "      --stream         write valid rows as they are read\n"
	       "  -r, --report-only    report on stdout (or -o FILE), no data\n"
	       "      --json           report as JSON\n"
	       "      --manifest FILE  rows, columns and sha256 of the data written\n"
	       "      --max-keys N     distinct values kept for unique checks (default\n"
	       "                       10000000)\n"
	       "  -v, --verbose        name the schema keys accepted and not checked\n"
	       "      --partial        write this part's state (prep-partial(5)), not\n"
	       "                       the report and the data\n"
	       "      --merge          read the parts' states, report on the whole\n"
	       CLI_HELP_IO
	       "  -q, --quiet         no report on stderr\n"
	       CLI_HELP_END
	       "\n"
	       "Exit status: 0 passed, 1 failed, 2 trouble.\n");
	/* clang-format on */
}

void
validate_check(prep_status st, const char *what)
{
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, what);
}

void
give_report(const struct opts *o, int valid)
{
	FILE *f = stderr;

	if (o->report_only)
		f = cli_report_begin(&cli);
	else if (cli.quiet)
		return;
	validate_check(
	    prep_vreport_print(run_report, run_validator, valid, o->json, f),
	    "report");
	if (o->report_only)
		cli_report_end(&cli, f);
}

/* End the output; the reader (and its header) stays for the manifest. */
static void
finish_output(void)
{
	prep_reader *r = cli.reader;

	cli.reader = NULL;
	cli_finish(&cli);
	cli.reader = r;
}

/* A valid row: to the spool, or to the output with --stream. */
static void
write_valid(prep_spool *spool, const prep_field *f, size_t n)
{
	if (spool)
		cli_spool_check(&cli, prep_spool_row(spool, f, n));
	else
		cli_write_check(&cli, prep_writer_row(cli.writer, f, n));
}

/* The manifest into MF, opened before the data was read. */
static void
write_manifest(prep_outfile *mf, const char *path, uint64_t rows)
{
	prep_writer_options wo;
	prep_writer *w;
	char *s;

	validate_check(
	    prep_validator_manifest(run_validator, rows, cli.digest, &s),
	    "manifest");
	memset(&wo, 0, sizeof wo);
	wo.delim = ',';
	if (prep_writer_new(prep_outfile_fd(mf), &wo, &w) != PREP_OK)
		cli_fatal(&cli, "out of memory");
	validate_check(prep_writer_raw(w, s, strlen(s)), path);
	validate_check(prep_writer_finish(w), path);
	prep_writer_free(w);
	free(s);
	cli_side_commit(&cli, mf, path);
}

/* A reader status that is a problem of the data: a source-error. */
static void
note_source_error(prep_status st, uint64_t row)
{
	validate_check(prep_vreport_source_error(
			   run_report, row, prep_reader_where(cli.reader), st,
			   prep_reader_options(cli.reader)),
		       "report");
}

static prep_schema *
load_schema(const char *path, int verbose)
{
	prep_schema_error e;
	prep_schema *s = NULL;
	prep_status st;
	size_t i;

	memset(&e, 0, sizeof e);
	cli_audit_file(&cli, "--schema", path);
	st = prep_schema_load(path, &s, &e);
	if (st == PREP_OK) {
		for (i = 0; verbose && i < prep_schema_nnotes(s); i++)
			cli_info(&cli, "%s: %s: accepted, not checked", path,
				 prep_schema_note(s, i));
		return s;
	}
	/* the library names the cap it hit (bytes, or fields) in e.text */
	if (st == PREP_ERR_LIMIT && e.text[0] == '\0')
		cli_fatal(&cli, "%s: schema larger than %zu bytes", path,
			  PREP_SCHEMA_MAX_BYTES);
	if (st != PREP_ERR_VALUE && st != PREP_ERR_LIMIT)
		cli_fatal_status(&cli, st, path);
	if (e.line > 0)
		cli_fatal(&cli, "%s:%d:%d: %s", path, e.line, e.column, e.text);
	if (e.path[0])
		cli_fatal(&cli, "%s: %s: %s", path, e.path, e.text);
	cli_fatal(&cli, "%s: %s", path, e.text);
}

/* --pii's types, "--pii email,ssn" as well as "--pii=email,ssn" (the
 * next argument when it is a type list); all without one. */
static unsigned
parse_pii(int argc, char **argv, const char *arg)
{
	unsigned pii = 0;

	if (arg == NULL && optind < argc &&
	    prep_pii_types_parse(argv[optind], &pii) == PREP_OK)
		optind++;
	else if (arg == NULL)
		pii = PREP_PII_ALL;
	else if (prep_pii_types_parse(arg, &pii) != PREP_OK)
		cli_usage_error(&cli,
				"--pii takes a list of email, phone, ssn, "
				"card, iban, ip or all");
	return pii;
}

/* The options into o; the operands start at optind. */
static void
parse_options(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
	    CLI_COMMON_LONGOPTS,
	    {"schema", required_argument, NULL, 's'},
	    {"pii", optional_argument, NULL, OPT_PII},
	    {"rejects", required_argument, NULL, OPT_REJECTS},
	    {"mostly", required_argument, NULL, OPT_MOSTLY},
	    {"max-errors", required_argument, NULL, OPT_MAX_ERRORS},
	    {"stream", no_argument, NULL, OPT_STREAM},
	    {"report-only", no_argument, NULL, 'r'},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"manifest", required_argument, NULL, OPT_MANIFEST},
	    {"max-keys", required_argument, NULL, OPT_MAX_KEYS},
	    {"verbose", no_argument, NULL, 'v'},
	    {"partial", no_argument, NULL, OPT_PARTIAL},
	    {"merge", no_argument, NULL, OPT_MERGE},
	    {NULL, 0, NULL, 0},
	};
	int opt;

	memset(o, 0, sizeof *o);
	o->mostly = -1;
	o->max_errors = 100;
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "s:rv",
				  longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			o->schema = optarg;
			break;
		case OPT_PII:
			o->pii = parse_pii(argc, argv, optarg);
			break;
		case OPT_REJECTS:
			o->rejects = optarg;
			break;
		case OPT_MOSTLY:
			o->mostly =
			    cli_parse_real(&cli, "--mostly", optarg, 0, 1);
			break;
		case OPT_MAX_ERRORS:
			o->max_errors = (size_t)cli_parse_count(
			    &cli, "--max-errors", optarg, 0, MAX_ERRORS_CAP);
			break;
		case OPT_STREAM:
			o->stream = 1;
			break;
		case 'r':
			o->report_only = 1;
			break;
		case OPT_JSON:
			o->json = 1;
			break;
		case OPT_MANIFEST:
			o->manifest = optarg;
			break;
		case OPT_MAX_KEYS:
			o->max_keys = (size_t)cli_parse_count(
			    &cli, "--max-keys", optarg, 1, (uint64_t)1 << 32);
			break;
		case 'v':
			o->verbose = cli.verbose = 1;
			break;
		case OPT_PARTIAL:
			o->partial = 1;
			break;
		case OPT_MERGE:
			o->merge = 1;
			break;
		default:
			if (!cli_common_option(&cli, opt, optarg))
				cli_usage_error(&cli, "unknown option");
		}
	}
	if (o->report_only && (o->stream || o->rejects || o->manifest))
		cli_usage_error(&cli, "-r writes no data: no --stream, "
				      "--rejects or --manifest");
	parse_partial_options(o);
	if (o->rejects && strcmp(o->rejects, "-") == 0)
		cli_usage_error(&cli, "--rejects needs a file name");
	if (o->manifest && strcmp(o->manifest, "-") == 0)
		cli_usage_error(&cli, "--manifest needs a file name");
	cli_output_distinct(&cli, "--rejects", o->rejects);
	cli_output_distinct(&cli, "--manifest", o->manifest);
	/* the quarantine is the handling of invalid rows: by default they
	 * fail the run only without one */
	if (o->mostly < 0)
		o->mostly = o->rejects ? 0 : 1;
}

/* The operands as one CSV stream that hands ragged records and blank
 * lines over; PREP_OK, or a source-error status (prep_vsource_error). */
static prep_status
open_input(const struct opts *o, char **files, size_t nfiles)
{
	prep_status st;

	cli.csv.ragged = 1;
	cli.csv.keep_blank = 1;
	cli.sha256 = o->manifest != NULL;
	cli_input_operands(&cli, (int)nfiles, files); /* at most argc */
	st = prep_reader_new(&cli.csv, (const char *const *)files, nfiles,
			     &cli.reader);
	if (cli.reader == NULL)
		cli_fatal(&cli, "out of memory");
	cli_audit_arm(&cli);
	if (st != PREP_OK && !prep_vsource_error(st))
		cli_reader_fatal(&cli, st);
	if (st == PREP_OK) {
		cli_check_delimiter(&cli);
		cli_part_by_apply(&cli);
	}
	return st;
}

/* The header (without one, the width: the schema's or the first
 * record's) into the validator and its errors into the report, then the
 * reader's source-error st, if any; returns the header's row number. */
static uint64_t
check_header(const struct opts *o, prep_status st, const prep_schema *sch)
{
	const prep_field *header;
	const prep_vissue *is;
	size_t ncols, ni;
	int have_header = cli.csv.has_header;
	uint64_t rowno = have_header ? 1 : 0;

	header = prep_reader_header(cli.reader, &ncols);
	if (header) {
		validate_check(prep_validator_header(run_validator, header,
						     ncols, &is, &ni),
			       "header");
		/* a part's state leaves the header's errors to the merge */
		if (!o->partial)
			validate_check(
			    prep_vreport_header(run_report,
						prep_reader_where(cli.reader),
						is, ni),
			    "report");
	} else {
		prep_validator_columns(
		    run_validator,
		    sch && !have_header ? prep_schema_nfields(sch) : ncols);
	}
	if (st != PREP_OK)
		note_source_error(st, header || !have_header ? rowno + 1 : 1);
	return rowno;
}

/* The spool of a gate (the output with --stream) with the header in it,
 * the rejects, the manifest's file: all fail the run before any data. */
static void
open_sinks(const struct opts *o, struct sink *k)
{
	size_t ncols;
	const prep_field *header = prep_reader_header(cli.reader, &ncols);

	memset(k, 0, sizeof *k);
	k->wo.delim = prep_reader_delim(cli.reader);
	k->wo.crlf = cli.crlf;
	if (!o->report_only) {
		if (o->stream)
			cli_open_output(&cli);
		else
			k->spool = cli_spool_new(&cli, PREP_SPOOL_SHA256);
		if (header)
			write_valid(k->spool, header, ncols);
	}
	if (o->rejects) {
		prep_writer_options ro = k->wo;

		ro.gzip = cli_gz_name(o->rejects);
		k->rejf = cli_side_open(&cli, o->rejects);
		if (prep_writer_new(prep_outfile_fd(k->rejf), &ro, &k->rej) !=
		    PREP_OK)
			cli_fatal(&cli, "out of memory");
		/* rows too: a part's rejects end to end are the whole's */
		if (cli_part_drops_header(&cli))
			validate_check(prep_writer_skip_header(k->rej),
				       o->rejects);
		validate_check(
		    prep_validator_reject_header(run_validator, k->rej),
		    o->rejects);
	}
	if (o->manifest)
		k->mf = cli_side_open(&cli, o->manifest);
}

/*
 * Check each data record after row head (the header's, or 0); valid ones
 * out, invalid ones to the rejects. A row's number counts every record
 * read, those --part-by skips too.
 */
static void
check_rows(const struct opts *o, struct sink *k, uint64_t head)
{
	const prep_field *f;
	const prep_vissue *is;
	prep_status st;
	size_t n, ni;
	uint64_t rowno;

	for (;;) {
		st = prep_reader_next_row(cli.reader, &f, &n);
		if (st == PREP_END)
			break;
		if (st != PREP_OK) {
			if (!prep_vsource_error(st))
				cli_reader_fatal(&cli, st);
			note_source_error(
			    st, head + prep_reader_rows(cli.reader) + 1);
			break;
		}
		rowno = head + prep_reader_rows(cli.reader);
		st = prep_validator_row(run_validator, f, n, &is, &ni);
		if (st == PREP_ERR_LIMIT)
			cli_fatal_at(&cli, prep_reader_where(cli.reader),
				     "more distinct values than --max-keys in "
				     "unique or primary-key fields");
		validate_check(st, "validation");
		validate_check(prep_vreport_row(run_report, rowno,
						prep_reader_where(cli.reader),
						is, ni),
			       "report");
		if (run_vstate)
			validate_check(
			    prep_vstate_row(run_vstate, run_validator, rowno,
					    prep_reader_where(cli.reader), f, n,
					    ni),
			    "partial");
		/* an invalid row never goes to the output */
		if (o->partial)
			continue;
		if (ni && k->rej) {
			validate_check(prep_validator_reject_row(
					   run_validator, k->rej, k->wo.delim,
					   f, n, is, ni),
				       o->rejects);
		} else if (ni == 0 && !o->report_only) {
			write_valid(k->spool, f, n);
			k->written++;
		}
	}
}

/* The report, then the data, rejects and manifest put in place (or not)
 * as the verdict says. */
static void
finish(const struct opts *o, struct sink *k)
{
	int pass = prep_vreport_passes(run_report, o->mostly);

	cli_progress_end(&cli);
	give_report(o, pass);
	if (o->report_only)
		return;
	/* a quarantine that can't be written is trouble before any data
	 * is put in place; it is renamed into place after the data */
	if (k->rej)
		validate_check(prep_writer_finish(k->rej), o->rejects);
	if (o->stream && (pass || prep_outfile_in_place(cli.out))) {
		/* what went to stdout (or a device) is gone: end it */
		finish_output();
	} else if (o->stream) {
		/* a failed run puts no -o file in place */
		prep_writer_free(cli.writer);
		cli.writer = NULL;
		prep_outfile_abort(cli.out);
		cli.out = NULL;
	} else {
		cli_spool_check(&cli, prep_spool_finish(k->spool));
		if (pass) {
			cli_open_output(&cli);
			cli_spool_copy(&cli, k->spool);
			finish_output();
		}
	}
	if (k->rej)
		cli_side_commit(&cli, k->rejf, o->rejects);
	if (k->mf && pass)
		write_manifest(k->mf, o->manifest, k->written);
	else if (k->mf)
		cli_side_abort(&cli, k->mf);
}

/*
 * The run's checks in the audit record (the check contract, validate):
 * the gate valid (observed the errors found, of every code; passed the
 * verdict of the exit status, which --mostly may give with errors), the
 * rows checked, and errors:CODE for each code that occurred, in the
 * order of the report's summary.
 */
static void
record_checks(int pass)
{
	char name[64];
	int code;

	if (!cli_audit_on(&cli))
		return;
	cli_audit_check(&cli, "valid",
			(double)prep_vreport_count(run_report, -1), 0, pass);
	cli_audit_figure(&cli, "rows", (double)prep_vreport_rows(run_report));
	for (code = 0; code < PREP_V_NCODES; code++) {
		uint64_t k = prep_vreport_count(run_report, code);

		if (k == 0)
			continue;
		(void)snprintf(name, sizeof name, "errors:%s",
			       prep_vcode_name(code));
		cli_audit_figure(&cli, name, (double)k);
	}
}

int
main(int argc, char **argv)
{
	prep_schema *sch = NULL;
	struct sink k;
	struct opts o;
	prep_status st;
	int pass;

	cli_init(&cli, "validate", usage);
	parse_options(argc, argv, &o);
	if (o.schema) {
		sch = load_schema(o.schema, o.verbose);
		if (o.max_keys)
			prep_schema_set_max_keys(sch, o.max_keys);
	}
	validate_check(prep_validator_new(sch, o.pii, &run_validator),
		       "validator");
	prep_validator_set_missing(run_validator, cli.missing);
	validate_check(prep_vreport_new(o.max_errors, &run_report), "report");
	if (o.partial)
		validate_check(prep_vstate_new(sch, &run_vstate), "partial");

	memset(&k, 0, sizeof k);
	if (o.merge) {
		pass =
		    merge_run(&o, sch, argv + optind, (size_t)(argc - optind));
		goto done;
	}
	st = open_input(&o, argv + optind, (size_t)(argc - optind));
	if (st == PREP_OK && prep_reader_columns(cli.reader) == 0 &&
	    !cli.allow_empty && o.partial) {
		/* an empty part: the merge decides, with the other parts */
		state_input(st);
		write_state(&o, sch);
	} else if (st == PREP_OK && prep_reader_columns(cli.reader) == 0 &&
		   !cli.allow_empty) {
		/* No record at all, not even a header: frictionless-py's
		 * "the source is empty". Nothing is written but a report. */
		validate_check(prep_vreport_source_empty(
				   run_report, prep_reader_where(cli.reader)),
			       "report");
		prep_validator_columns(run_validator, 0);
		give_report(&o, 0);
	} else {
		uint64_t rowno = check_header(&o, st, sch);

		if (o.partial)
			state_input(st);
		else
			open_sinks(&o, &k);
		if (st == PREP_OK && threads_apply(&o))
			check_rows_threads(&o, &k, rowno, sch);
		else if (st == PREP_OK)
			check_rows(&o, &k, rowno);
		if (o.partial)
			write_state(&o, sch);
		else
			finish(&o, &k);
	}
	pass = prep_vreport_passes(run_report, o.mostly);

done:
	if (o.partial) {
		/* a part's verdict is the merge's to give */
		cli_audit_figure(&cli, "rows",
				 (double)prep_vreport_rows(run_report));
		pass = 1;
	} else {
		record_checks(pass);
	}
	prep_vstate_free(run_vstate);
	prep_vreport_free(run_report);
	prep_spool_free(k.spool);
	prep_writer_free(k.rej);
	prep_validator_free(run_validator);
	prep_schema_free(sch);
	cli_close_input(&cli);
	return pass ? 0 : EXIT_CHECK_FAILED;
}
