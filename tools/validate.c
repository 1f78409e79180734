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
 * -o file is renamed into place only when the run passes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "pii.h"
#include "schema.h"
#include "validate.h"

enum {
	OPT_PII = CLI_OPT_TOOL_BASE,
	OPT_REJECTS,
	OPT_MOSTLY,
	OPT_MAX_ERRORS,
	OPT_STREAM,
	OPT_JSON,
	OPT_MANIFEST,
	OPT_MAX_KEYS,
};

#define MAX_ERRORS_CAP 10000000ULL

static struct cli cli;
static prep_validator *validator;
static prep_vreport *report;

static void
usage(void)
{
	printf("usage: validate [-s SCHEMA.json] [--pii [TYPES]] [--rejects FILE] [--mostly F]\n"
	       "                [--max-errors N] [--stream] [-r] [--json] [--manifest FILE]\n"
	       "                [--max-keys N] [-v] [common options] [FILE...]\n"
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
	       CLI_HELP_IO
	       "  -q, --quiet         no report on stderr\n"
	       CLI_HELP_END
	       "\nExit status: 0 passed, 1 failed, 2 trouble.\n");
}

/* A library status that can only mean trouble: exit 2. */
static void
check(prep_status st, const char *what)
{
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, what);
}

/* The report, text or JSON, to f. */
static void
print_report(FILE *f, int json, int valid)
{
	prep_buf b;
	char *text;
	size_t i;

	if (json) {
		check(prep_vreport_json(report, validator, valid, &text),
		      "report");
		fputs(text, f);
		free(text);
		return;
	}
	prep_buf_init(&b, 0);
	for (i = 0; i < prep_vreport_listed(report); i++) {
		prep_buf_reset(&b);
		check(prep_vreport_line(report, validator, i, &b), "report");
		(void)fwrite(b.data, 1, b.len, f); /* see cli_report_end */
	}
	prep_buf_reset(&b);
	check(prep_vreport_summary(report, valid, &b), "report");
	(void)fwrite(b.data, 1, b.len, f);
	prep_buf_free(&b);
}

/* The report as the data of -r: on stdout or -o FILE, atomically. */
static void
write_report(int json, int valid)
{
	FILE *f = cli_report_begin(&cli);

	print_report(f, json, valid);
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

/*
 * A --stream run that failed: what went to standard output (or a device)
 * is gone, but an -o file is not put in place.
 */
static void
drop_output(void)
{
	if (prep_outfile_in_place(cli.out)) {
		finish_output();
		return;
	}
	prep_writer_free(cli.writer);
	cli.writer = NULL;
	prep_outfile_abort(cli.out);
	cli.out = NULL;
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

/* A write to a side file (rejects, manifest): trouble names the file. */
static void
side_check(prep_status st, const char *path)
{
	if (st == PREP_ERR_IO)
		cli_fatal(&cli, "%s: %s", path, strerror(errno));
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, path);
}

/* The manifest into MF, opened before the data was read. */
static void
write_manifest(prep_outfile *mf, const char *path, uint64_t rows)
{
	prep_writer_options wo;
	prep_writer *w;
	char *s;

	check(prep_validator_manifest(validator, rows, cli.digest, &s),
	      "manifest");
	memset(&wo, 0, sizeof wo);
	wo.delim = ',';
	if (prep_writer_new(prep_outfile_fd(mf), &wo, &w) != PREP_OK)
		cli_fatal(&cli, "out of memory");
	side_check(prep_writer_raw(w, s, strlen(s)), path);
	side_check(prep_writer_finish(w), path);
	prep_writer_free(w);
	free(s);
	cli_side_commit(&cli, mf, path);
}

/* Reader statuses that are problems of the data: source-error. */
static int
source_problem(prep_status st)
{
	char msg[128];

	return prep_vsource_message(st, prep_reader_options(cli.reader), msg,
				    sizeof msg) != NULL;
}

/* A reader status that is a problem of the data: a source-error. */
static void
note_source_error(prep_status st, uint64_t row)
{
	prep_where w = prep_reader_where(cli.reader);
	char msg[128];

	check(prep_vreport_table_error(
		  report, row, w,
		  st == PREP_ERR_QUOTE || st == PREP_ERR_UNCLOSED_QUOTE ||
			  st == PREP_ERR_FIELD_TOO_LONG
		      ? w.field
		      : 0,
		  PREP_V_SOURCE,
		  prep_vsource_message(st, prep_reader_options(cli.reader),
				       msg, sizeof msg)),
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
	st = prep_schema_load(path, &s, &e);
	if (st == PREP_OK) {
		for (i = 0; verbose && i < prep_schema_nnotes(s); i++)
			fprintf(stderr, "%s: %s: %s: accepted, not checked\n",
				cli.prog, path, prep_schema_note(s, i));
		return s;
	}
	if (st == PREP_ERR_IO)
		cli_fatal(&cli, "%s: %s", path, strerror(errno));
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

int
main(int argc, char **argv)
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
	    {NULL, 0, NULL, 0},
	};
	const char *schema_path = NULL, *manifest_path = NULL;
	const char *rejects_path = NULL;
	unsigned pii = 0;
	double mostly = -1;
	int opt, stream = 0, report_only = 0, json = 0, verbose = 0, pass;
	int have_header, out = 0;
	size_t max_errors = 100, max_keys = 0, ncols, n, ni, i;
	uint64_t rowno, written = 0;
	prep_schema *sch = NULL;
	prep_writer *rej = NULL;
	prep_spool *spool = NULL;
	prep_outfile *rejf = NULL, *mf = NULL;
	prep_writer_options wo;
	const prep_field *header, *f;
	const prep_vissue *is;
	prep_status st;

	cli_init(&cli, "validate", usage);
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "s:rv",
				  longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			schema_path = optarg;
			break;
		case OPT_PII:
			/* "--pii email,ssn" as well as "--pii=email,ssn":
			 * the next argument is taken when it is a type list */
			if (optarg == NULL && optind < argc &&
			    prep_pii_types_parse(argv[optind], &pii) ==
				PREP_OK) {
				optind++;
			} else if (optarg == NULL) {
				pii = PREP_PII_ALL;
			} else if (prep_pii_types_parse(optarg, &pii) !=
				   PREP_OK) {
				cli_usage_error(&cli,
						"--pii takes a list of email, "
						"phone, ssn, card, iban, ip "
						"or all");
			}
			break;
		case OPT_REJECTS:
			rejects_path = optarg;
			break;
		case OPT_MOSTLY:
			mostly = cli_parse_real(&cli, "--mostly", optarg, 0, 1);
			break;
		case OPT_MAX_ERRORS:
			max_errors = (size_t)cli_parse_count(
			    &cli, "--max-errors", optarg, 0, MAX_ERRORS_CAP);
			break;
		case OPT_STREAM:
			stream = 1;
			break;
		case 'r':
			report_only = 1;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case OPT_MANIFEST:
			manifest_path = optarg;
			break;
		case OPT_MAX_KEYS:
			max_keys = (size_t)cli_parse_count(
			    &cli, "--max-keys", optarg, 1, (uint64_t)1 << 32);
			break;
		case 'v':
			verbose = cli.verbose = 1;
			break;
		default:
			if (!cli_common_option(&cli, opt, optarg))
				cli_usage_error(&cli, "unknown option");
		}
	}
	if (report_only && (stream || rejects_path || manifest_path))
		cli_usage_error(&cli, "-r writes no data: no --stream, "
				      "--rejects or --manifest");
	if (rejects_path && strcmp(rejects_path, "-") == 0)
		cli_usage_error(&cli, "--rejects needs a file name");
	if (manifest_path && strcmp(manifest_path, "-") == 0)
		cli_usage_error(&cli, "--manifest needs a file name");
	cli_output_distinct(&cli, "--rejects", rejects_path);
	cli_output_distinct(&cli, "--manifest", manifest_path);
	/* the quarantine is the handling of invalid rows: by default they
	 * fail the run only without one */
	if (mostly < 0)
		mostly = rejects_path ? 0 : 1;

	if (schema_path) {
		sch = load_schema(schema_path, verbose);
		if (max_keys)
			prep_schema_set_max_keys(sch, max_keys);
	}
	check(prep_validator_new(sch, pii, &validator), "validator");
	prep_validator_set_missing(validator, cli.missing);
	check(prep_vreport_new(max_errors, &report), "report");

	/* Ragged records and blank lines are errors to list, not to die of. */
	cli.csv.ragged = 1;
	cli.csv.keep_blank = 1;
	cli.sha256 = manifest_path != NULL;
	st = prep_reader_new(&cli.csv, (const char *const *)(argv + optind),
			     (size_t)(argc - optind), &cli.reader);
	if (cli.reader == NULL)
		cli_fatal(&cli, "out of memory");
	if (st != PREP_OK && !source_problem(st))
		cli_reader_fatal(&cli, st);
	header = prep_reader_header(cli.reader, &ncols);
	have_header = cli.csv.has_header;

	if (st == PREP_OK)
		cli_check_delimiter(&cli);
	if (st == PREP_OK && prep_reader_columns(cli.reader) == 0 &&
	    !cli.allow_empty) {
		/* No record at all, not even a header: frictionless-py's
		 * "the source is empty". Nothing is written but a report. */
		prep_where w = prep_reader_where(cli.reader);

		w.line = 1;
		w.field = 0;
		check(prep_vreport_table_error(report, 1, w, 0, PREP_V_SOURCE,
					       "the source is empty"),
		      "report");
		prep_validator_columns(validator, 0);
		if (report_only)
			write_report(json, 0);
		else if (!cli.quiet)
			print_report(stderr, json, 0);
		goto done;
	}

	if (!have_header && sch)
		ncols = prep_schema_nfields(sch);
	rowno = have_header ? 1 : 0;
	if (header) {
		prep_where hw = prep_reader_where(cli.reader);

		hw.line = 1; /* the header's place, not the first record's */
		check(prep_validator_header(validator, header, ncols, &is, &ni),
		      "header");
		for (i = 0; i < ni; i++)
			check(prep_vreport_table_error(report, 1, hw,
						       is[i].field, is[i].code,
						       is[i].message),
			      "report");
	} else {
		prep_validator_columns(validator, ncols);
	}
	if (st != PREP_OK)
		note_source_error(st, header || !have_header ? rowno + 1 : 1);

	memset(&wo, 0, sizeof wo);
	wo.delim = prep_reader_delim(cli.reader);
	wo.crlf = cli.crlf;
	if (!report_only) {
		if (stream)
			cli_open_output(&cli);
		else
			spool = cli_spool_new(&cli, 0);
		out = 1;
		if (header)
			write_valid(spool, header, ncols);
	}
	if (rejects_path) {
		prep_writer_options ro = wo;

		ro.gzip = cli_gz_name(rejects_path);
		rejf = cli_side_open(&cli, rejects_path);
		if (prep_writer_new(prep_outfile_fd(rejf), &ro, &rej) !=
		    PREP_OK)
			cli_fatal(&cli, "out of memory");
		side_check(prep_validator_reject_header(validator, rej),
			   rejects_path);
	}
	/* a manifest that can't be made fails the run before any data */
	if (manifest_path)
		mf = cli_side_open(&cli, manifest_path);

	while (st == PREP_OK) {
		st = prep_reader_next_row(cli.reader, &f, &n);
		if (st == PREP_END)
			break;
		if (st != PREP_OK) {
			if (!source_problem(st))
				cli_reader_fatal(&cli, st);
			note_source_error(st, rowno + 1);
			break;
		}
		rowno++;
		st = prep_validator_row(validator, f, n, &is, &ni);
		if (st == PREP_ERR_LIMIT)
			cli_fatal_at(&cli, prep_reader_where(cli.reader),
				     "more distinct values than --max-keys in "
				     "unique or primary-key fields");
		check(st, "validation");
		check(prep_vreport_row(report, rowno,
				       prep_reader_where(cli.reader), is, ni),
		      "report");
		/* an invalid row never goes to the output */
		if (ni && rej) {
			side_check(prep_validator_reject_row(validator, rej,
							     wo.delim, f, n, is,
							     ni),
				   rejects_path);
		} else if (ni == 0 && out) {
			write_valid(spool, f, n);
			written++;
		}
	}
	cli_progress_end(&cli);

	pass = prep_vreport_passes(report, mostly);
	if (report_only) {
		write_report(json, pass);
		goto done;
	}
	if (!cli.quiet)
		print_report(stderr, json, pass);
	/* a quarantine that can't be written is trouble before any data
	 * is put in place; it is renamed into place after the data */
	if (rej)
		side_check(prep_writer_finish(rej), rejects_path);
	if (stream && pass) {
		finish_output();
	} else if (stream) {
		drop_output();
	} else {
		cli_spool_check(&cli, prep_spool_finish(spool));
		if (pass) {
			cli_open_output(&cli);
			cli_spool_copy(&cli, spool);
			finish_output();
		}
	}
	if (rej)
		cli_side_commit(&cli, rejf, rejects_path);
	if (mf && pass)
		write_manifest(mf, manifest_path, written);
	else if (mf)
		cli_side_abort(&cli, mf);

done:
	pass = prep_vreport_passes(report, mostly);
	prep_vreport_free(report);
	prep_spool_free(spool);
	prep_writer_free(rej);
	prep_validator_free(validator);
	prep_schema_free(sch);
	prep_reader_free(cli.reader);
	return pass ? 0 : EXIT_CHECK_FAILED;
}
