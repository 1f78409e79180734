/*
 * validate: schema, structure, PII and integrity checks; the release gate
 * (man1/validate.1).
 *
 * Records are read with the CSV reader in its lenient mode (ragged
 * records and blank lines are handed over, to be reported, not fatal) and
 * checked by libprep/validate.c against the Table Schema of
 * libprep/schema.c. As a gate (the default) the data is spooled to an
 * unlinked temporary file and written out only when the run passes;
 * --stream writes each record as it is read. Errors are counted in full
 * and the first --max-errors of them kept for the report.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "generalize.h"
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
#define ERRORS_FIELD_MAX ((size_t)64 << 20)

static struct cli cli;

/* One listed error. */
struct verror {
	uint64_t row;
	prep_where where;
	size_t field; /* 1-based; 0: the row */
	int code;
	char *message;
};

static struct {
	struct verror *list;
	size_t nlist, max;
	uint64_t count, by_code[PREP_V_NCODES];
	uint64_t rows, valid_rows;
	int fatal; /* a header or source error: the run fails whatever --mostly
		    */
} errs;

static const prep_field *header;
static size_t ncols;
static const prep_schema *schema;

static void
usage(void)
{
	printf("usage: validate [-s SCHEMA.json] [--pii [TYPES]] [--rejects "
	       "FILE] [--mostly F]\n"
	       "                [--max-errors N] [--stream] [-r] [--json] "
	       "[--manifest FILE]\n"
	       "                [--max-keys N] [common options] [FILE...]\n"
	       "\n"
	       "Check the data against a Table Schema, its structure and for "
	       "personal\n"
	       "data; pass it on only if it is valid.\n"
	       "\n"
	       "  -s, --schema FILE    Frictionless Table Schema (JSON)\n"
	       "      --pii[=TYPES]    any e-mail, phone, ssn, card, iban or "
	       "ip value\n"
	       "                       is an error (default: all types)\n"
	       "      --rejects FILE   write invalid rows there, with an "
	       "_errors column\n"
	       "      --mostly F       pass when at least this fraction of "
	       "rows is valid\n"
	       "      --max-errors N   list at most N errors (default 100; "
	       "all counted)\n"
	       "      --stream         write rows as they are read, not only "
	       "when valid\n"
	       "  -r, --report-only    report on stdout (or -o FILE), no "
	       "data\n"
	       "      --json           report as JSON\n"
	       "      --manifest FILE  rows, columns and sha256 of the data "
	       "written\n"
	       "      --max-keys N     distinct values kept for unique checks "
	       "(default\n"
	       "                       10000000)\n" CLI_HELP_IO
	       "  -q, --quiet         no report on stderr\n" CLI_HELP_END
	       "\nExit status: 0 valid, 1 invalid, 2 trouble.\n");
}

/* Name of field i (1-based) of the data, or NULL. */
static const char *
field_name(size_t i, size_t *len, char *num, size_t numsz)
{
	if (i == 0)
		return NULL;
	if (header && i <= ncols) {
		*len = header[i - 1].len;
		return header[i - 1].data;
	}
	if (schema && i <= prep_schema_nfields(schema))
		return prep_schema_field_name(schema, i - 1, len);
	if (!header && i <= ncols) {
		*len = (size_t)snprintf(num, numsz, "%zu", i);
		return num;
	}
	return NULL;
}

/* Text for a one-line report: control bytes and invalid UTF-8 become '?'. */
static void
put_text(FILE *f, const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f) {
			fputc('?', f);
			i++;
		} else if (c < 0x80) {
			fputc(c, f);
			i++;
		} else if ((k = prep_utf8_seq_len(s + i, n - i)) != 0) {
			(void)fwrite(s + i, 1, k,
				     f); /* errors: see cli_report_end */
			i += k;
		} else {
			fputc('?', f);
			i++;
		}
	}
}

/* A JSON string of s[0..n) with invalid UTF-8 replaced by U+FFFD. */
static json_t *
json_text(const char *s, size_t n)
{
	prep_buf b;
	size_t i = 0, k;
	json_t *j;

	if ((j = json_stringn(s, n)) != NULL)
		return j;
	prep_buf_init(&b, 4 * n + 16);
	while (i < n) {
		k = prep_utf8_seq_len(s + i, n - i);
		if (k == 0) {
			if (prep_buf_append(&b, "\xef\xbf\xbd", 3) != PREP_OK)
				cli_fatal(&cli, "out of memory");
			i++;
		} else {
			if (prep_buf_append(&b, s + i, k) != PREP_OK)
				cli_fatal(&cli, "out of memory");
			i += k;
		}
	}
	j = json_stringn(b.data ? b.data : "", b.len);
	prep_buf_free(&b);
	if (j == NULL)
		cli_fatal(&cli, "out of memory");
	return j;
}

static void
note_error(uint64_t row, prep_where w, size_t field, int code,
	   const char *message)
{
	struct verror *e;

	errs.count++;
	errs.by_code[code]++;
	if (errs.nlist >= errs.max)
		return;
	if (errs.list == NULL) {
		errs.list = calloc(errs.max < 1024 ? errs.max : 1024,
				   sizeof *errs.list);
		if (errs.list == NULL)
			cli_fatal(&cli, "out of memory");
	} else if (errs.nlist >= 1024 && (errs.nlist & (errs.nlist - 1)) == 0) {
		/* grow by doubling past the first 1024 */
		struct verror *nl =
		    realloc(errs.list, 2 * errs.nlist * sizeof *nl);

		if (nl == NULL)
			cli_fatal(&cli, "out of memory");
		errs.list = nl;
	}
	e = &errs.list[errs.nlist++];
	e->row = row;
	e->where = w;
	e->field = field;
	e->code = code;
	e->message = strdup(message);
	if (e->message == NULL)
		cli_fatal(&cli, "out of memory");
}

static void
print_text(FILE *f, int valid)
{
	size_t i, len = 0;
	int c, first = 1;
	char num[32];

	for (i = 0; i < errs.nlist; i++) {
		const struct verror *e = &errs.list[i];
		const char *name = field_name(e->field, &len, num, sizeof num);

		if (e->where.file)
			fprintf(f, "%s:%lu: ", e->where.file, e->where.line);
		fprintf(f, "row %llu", (unsigned long long)e->row);
		if (e->field) {
			fprintf(f, ", field %zu", e->field);
			if (name) {
				fputs(" (", f);
				put_text(f, name, len);
				fputc(')', f);
			}
		}
		fprintf(f, ": %s: %s\n", prep_vcode_name(e->code), e->message);
	}
	fprintf(f, "%s: %llu row%s, %llu valid; ", valid ? "valid" : "invalid",
		(unsigned long long)errs.rows, errs.rows == 1 ? "" : "s",
		(unsigned long long)errs.valid_rows);
	if (errs.count == 0) {
		fputs("no errors\n", f);
		return;
	}
	fprintf(f, "%llu error%s:", (unsigned long long)errs.count,
		errs.count == 1 ? "" : "s");
	for (c = 0; c < PREP_V_NCODES; c++)
		if (errs.by_code[c]) {
			fprintf(f, "%s %s %llu", first ? "" : ",",
				prep_vcode_name(c),
				(unsigned long long)errs.by_code[c]);
			first = 0;
		}
	if (errs.nlist < errs.count)
		fprintf(f, "; first %zu listed", errs.nlist);
	fputc('\n', f);
}

static void
print_json(FILE *f, int valid)
{
	json_t *o = json_object(), *bc = json_object(), *a = json_array();
	size_t i, len = 0;
	char num[32], *s;
	int c;

	json_object_set_new(o, "valid", json_boolean(valid));
	json_object_set_new(o, "rows", json_integer((json_int_t)errs.rows));
	json_object_set_new(o, "error_count",
			    json_integer((json_int_t)errs.count));
	for (c = 0; c < PREP_V_NCODES; c++)
		if (errs.by_code[c])
			json_object_set_new(
			    bc, prep_vcode_name(c),
			    json_integer((json_int_t)errs.by_code[c]));
	json_object_set_new(o, "errors_by_code", bc);
	json_object_set_new(o, "truncated",
			    json_boolean(errs.nlist < errs.count));
	for (i = 0; i < errs.nlist; i++) {
		const struct verror *e = &errs.list[i];
		const char *name = field_name(e->field, &len, num, sizeof num);
		json_t *x = json_object();

		json_object_set_new(x, "row", json_integer((json_int_t)e->row));
		json_object_set_new(x, "field_number",
				    e->field
					? json_integer((json_int_t)e->field)
					: json_null());
		json_object_set_new(x, "field_name",
				    name ? json_text(name, len) : json_null());
		json_object_set_new(x, "code",
				    json_string(prep_vcode_name(e->code)));
		json_object_set_new(x, "message", json_string(e->message));
		json_array_append_new(a, x);
	}
	json_object_set_new(o, "errors", a);
	s = cli_json_text(&cli, o, 0);
	fputs(s, f);
	free(s);
}

static void
print_report(FILE *f, int json, int valid)
{
	if (json)
		print_json(f, valid);
	else
		print_text(f, valid);
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

/* The report as the data of -r: on stdout or -o FILE, atomically. */
static void
write_report(int json, int valid)
{
	FILE *f = cli_report_begin(&cli);

	print_report(f, json, valid);
	cli_report_end(&cli, f);
}

/* The _errors cell of a rejected row: "code:field; code:field; ...". */
static const char *
errors_cell(const prep_vissue *is, size_t n, prep_buf *b, size_t *blen)
{
	size_t i, len = 0;
	char num[32];
	prep_status st = PREP_OK;

	prep_buf_reset(b);
	for (i = 0; i < n && st == PREP_OK; i++) {
		const char *name =
		    field_name(is[i].field, &len, num, sizeof num);

		if (i)
			st = prep_buf_append(b, "; ", 2);
		if (st == PREP_OK)
			st =
			    prep_buf_append_str(b, prep_vcode_name(is[i].code));
		if (st == PREP_OK && is[i].field) {
			if (name == NULL) {
				snprintf(num, sizeof num, "%zu", is[i].field);
				name = num;
				len = strlen(num);
			}
			st = prep_buf_append_byte(b, ':');
			if (st == PREP_OK)
				st = prep_buf_append(b, name, len);
		}
	}
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, "_errors");
	*blen = b->len;
	return b->data ? b->data : "";
}

static const char *rejects_path;

/* A write to a side file (rejects, manifest): trouble names the file. */
static void
side_check(prep_status st, const char *path)
{
	if (st == PREP_ERR_IO)
		cli_fatal(&cli, "%s: %s", path, strerror(errno));
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, path);
}

static void
write_manifest(const char *path, uint64_t rows)
{
	json_t *o = json_object(), *cols = json_array();
	char hex[65], num[32], *s;
	prep_writer_options wo;
	prep_outfile *mf;
	prep_writer *w;
	size_t i;

	for (i = 0; i < ncols; i++) {
		if (header) {
			json_array_append_new(
			    cols, json_text(header[i].data, header[i].len));
		} else {
			snprintf(num, sizeof num, "%zu", i + 1);
			json_array_append_new(cols, json_string(num));
		}
	}
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", cli.digest[i]);
	json_object_set_new(o, "rows", json_integer((json_int_t)rows));
	json_object_set_new(o, "columns", cols);
	json_object_set_new(o, "sha256", json_string(hex));
	s = cli_json_text(&cli, o, 0);
	mf = cli_side_open(&cli, path);
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
	return st == PREP_ERR_QUOTE || st == PREP_ERR_UNCLOSED_QUOTE ||
	       st == PREP_ERR_FIELD_TOO_LONG ||
	       st == PREP_ERR_TOO_MANY_FIELDS || st == PREP_ERR_LIMIT;
}

static void
note_source_error(prep_status st, uint64_t row)
{
	prep_where w = prep_reader_where(cli.reader);
	const prep_csv_options *o = prep_reader_options(cli.reader);
	char msg[128];

	switch (st) {
	case PREP_ERR_QUOTE:
		snprintf(msg, sizeof msg,
			 "stray quote in an unquoted field; reading stopped");
		break;
	case PREP_ERR_UNCLOSED_QUOTE:
		snprintf(msg, sizeof msg,
			 "quoted field not closed at end of input");
		break;
	case PREP_ERR_FIELD_TOO_LONG:
		snprintf(msg, sizeof msg,
			 "field longer than --max-field (%zu bytes); reading "
			 "stopped",
			 o->max_field);
		break;
	case PREP_ERR_TOO_MANY_FIELDS:
		snprintf(msg, sizeof msg,
			 "record has more than %zu fields; reading stopped",
			 o->max_fields);
		break;
	default:
		snprintf(msg, sizeof msg, "record too long; reading stopped");
	}
	errs.fatal = 1;
	note_error(row, w,
		   st == PREP_ERR_QUOTE || st == PREP_ERR_UNCLOSED_QUOTE ||
			   st == PREP_ERR_FIELD_TOO_LONG
		       ? w.field
		       : 0,
		   PREP_V_SOURCE, msg);
}

static size_t
parse_count(const char *opt, const char *arg, uint64_t min, uint64_t max)
{
	int64_t v;

	/* arg is an optarg: the analyzer misses getopt_long setting it */
	/* NOLINTNEXTLINE(clang-analyzer-core.NonNull*) */
	if (prep_parse_int64(arg, strlen(arg), &v) != PREP_OK ||
	    (uint64_t)v < min || (uint64_t)v > max || v < 0 || arg[0] == '+')
		cli_usage_error(
		    &cli, "%s must be a whole number from %llu to %llu", opt,
		    (unsigned long long)min, (unsigned long long)max);
	return (size_t)v;
}

static prep_schema *
load_schema(const char *path)
{
	prep_schema_error e;
	prep_schema *s = NULL;
	prep_status st;

	memset(&e, 0, sizeof e);
	st = prep_schema_load(path, &s, &e);
	if (st == PREP_OK)
		return s;
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
	    {NULL, 0, NULL, 0},
	};
	const char *schema_path = NULL;
	const char *manifest_path = NULL;
	unsigned pii = 0;
	double mostly = 1.0;
	int opt, stream = 0, report_only = 0, json = 0, pass;
	int spool_fd = -1, have_header;
	size_t max_keys = 0, n, ni, i;
	uint64_t rowno, written = 0, need;
	prep_schema *sch = NULL;
	prep_validator *v = NULL;
	prep_writer *spool = NULL, *rej = NULL, *out = NULL;
	prep_outfile *rejf = NULL;
	prep_writer_options wo;
	const prep_vissue *is;
	const prep_field *f;
	prep_buf ebuf;
	prep_status st;

	cli_init(&cli, "validate", usage);
	errs.max = 100;
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "s:r",
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
			errs.max = parse_count("--max-errors", optarg, 0,
					       MAX_ERRORS_CAP);
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
			max_keys = parse_count("--max-keys", optarg, 1,
					       (uint64_t)1 << 32);
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

	if (schema_path) {
		sch = load_schema(schema_path);
		if (max_keys)
			prep_schema_set_max_keys(sch, max_keys);
		schema = sch;
	}
	if ((st = prep_validator_new(sch, pii, &v)) != PREP_OK)
		cli_fatal_status(&cli, st, "validator");

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
	if (!have_header && sch)
		ncols = prep_schema_nfields(sch);
	rowno = have_header ? 1 : 0;
	if (header) {
		prep_where hw = prep_reader_where(cli.reader);
		prep_status hst;

		hw.line = 1; /* the header's place, not the first record's */
		hst = prep_validator_header(v, header, ncols, &is, &ni);
		if (hst != PREP_OK)
			cli_fatal_status(&cli, hst, "header");
		for (i = 0; i < ni; i++)
			note_error(1, hw, is[i].field, is[i].code,
				   is[i].message);
		if (ni)
			errs.fatal = 1;
	} else {
		prep_validator_columns(v, ncols);
	}
	if (st != PREP_OK)
		note_source_error(st, header || !have_header ? rowno + 1 : 1);

	memset(&wo, 0, sizeof wo);
	wo.delim = prep_reader_delim(cli.reader);
	wo.crlf = cli.crlf;
	if (!report_only) {
		if (stream) {
			cli_open_output(&cli);
			out = cli.writer;
		} else {
			spool_fd = cli_spool_open(&cli);
			if (prep_writer_new(spool_fd, &wo, &spool) != PREP_OK)
				cli_fatal(&cli, "out of memory");
			out = spool;
		}
		if (header)
			cli_write_check(&cli,
					prep_writer_row(out, header, ncols));
	}
	prep_buf_init(&ebuf, ERRORS_FIELD_MAX);
	if (rejects_path) {
		prep_writer_options ro = wo;

		ro.gzip = cli_gz_name(rejects_path);
		rejf = cli_side_open(&cli, rejects_path);
		if (prep_writer_new(prep_outfile_fd(rejf), &ro, &rej) !=
		    PREP_OK)
			cli_fatal(&cli, "out of memory");
		if (header) {
			for (i = 0; i < ncols; i++)
				side_check(prep_writer_field(rej,
							     header[i].data,
							     header[i].len),
					   rejects_path);
			side_check(prep_writer_field(rej, "_errors", 7),
				   rejects_path);
			side_check(prep_writer_end_row(rej), rejects_path);
		}
	}

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
		errs.rows++;
		st = prep_validator_row(v, f, n, &is, &ni);
		if (st == PREP_ERR_LIMIT)
			cli_fatal_at(&cli, prep_reader_where(cli.reader),
				     "more distinct values than --max-keys in "
				     "unique or primary-key fields");
		if (st != PREP_OK)
			cli_fatal_status(&cli, st, "validation");
		if (ni == 0)
			errs.valid_rows++;
		for (i = 0; i < ni; i++)
			note_error(rowno, prep_reader_where(cli.reader),
				   is[i].field, is[i].code, is[i].message);
		if (ni && rej) {
			size_t len, k;
			const char *cell = errors_cell(is, ni, &ebuf, &len);

			for (k = 0; k < n; k++)
				side_check(
				    prep_writer_field(rej, f[k].data, f[k].len),
				    rejects_path);
			for (; k < ncols; k++)
				side_check(prep_writer_field(rej, "", 0),
					   rejects_path);
			side_check(prep_writer_field(rej, cell, len),
				   rejects_path);
			side_check(prep_writer_end_row(rej), rejects_path);
		} else if (out) {
			cli_write_check(&cli, prep_writer_row(out, f, n));
			written++;
		}
	}
	prep_buf_free(&ebuf);
	cli_progress_end(&cli);

	/* Pass: no header or source error and enough valid rows. */
	need = (uint64_t)ceil(mostly * (double)errs.rows * (1 - 1e-12));
	pass = !errs.fatal && errs.valid_rows >= need;
	if (mostly >= 1.0)
		pass = pass && errs.valid_rows == errs.rows;

	if (report_only) {
		write_report(json, pass);
	} else {
		if (!cli.quiet)
			print_report(stderr, json, pass);
		if (stream) {
			finish_output();
		} else {
			cli_write_check(&cli, prep_writer_finish(spool));
			if (pass) {
				cli_open_output(&cli);
				cli_copy_spool(&cli, spool_fd);
				finish_output();
			}
		}
		if (rej) {
			side_check(prep_writer_finish(rej), rejects_path);
			cli_side_commit(&cli, rejf, rejects_path);
		}
		if (manifest_path && pass)
			write_manifest(manifest_path, written);
	}
	for (i = 0; i < errs.nlist; i++)
		free(errs.list[i].message);
	free(errs.list);
	prep_writer_free(spool);
	prep_writer_free(rej);
	if (spool_fd >= 0)
		close(spool_fd);
	prep_validator_free(v);
	prep_schema_free(sch);
	prep_reader_free(cli.reader);
	return pass ? 0 : EXIT_CHECK_FAILED;
}
