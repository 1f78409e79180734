/*
 * prep-report: the documentation of a release from its evidence, as one
 * self-contained HTML page or as Markdown (man1/prep-report.1).
 *
 * Reads the audit files, ledgers, profiles and drift reports whole
 * (each under buf.h's cap), hands them to libprep/report.c, and writes
 * the page atomically (-o). The time it names as "generated" is
 * SOURCE_DATE_EPOCH when set (the reproducible-builds convention), so
 * the same evidence gives the same bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cli.h"
#include "report.h"

enum {
	OPT_MARKDOWN = CLI_OPT_TOOL_BASE,
	OPT_TITLE,
	OPT_LEDGER,
	OPT_PROFILE,
	OPT_DRIFT,
};

static struct cli cli;

static void
usage(void)
{
	printf(
	    "usage: prep-report [-hqV] [--markdown] [--title T] [--ledger FILE]...\n"
	    "                   [--profile FILE]... [--drift FILE]... [-o FILE]\n"
	    "                   [AUDIT...]\n"
	    "\n"
	    "Document a release from its evidence: the audit records of the runs\n"
	    "(AUDIT, none or -: stdin), privacy budget ledgers, profiles and drift\n"
	    "reports, as one self-contained HTML page (or Markdown): the pipelines,\n"
	    "every run and its checks, charts, and the data stage of the risk\n"
	    "checklist answered from the evidence.\n"
	    "\n"
	    "      --markdown      Markdown instead of HTML\n"
	    "      --title T       the page's title\n"
	    "      --ledger FILE   a privacy budget ledger (prep-ledger(5))\n"
	    "      --profile FILE  a profile of a data source (prep-profile(5))\n"
	    "      --drift FILE    a drift report (drift --json)\n"
	    "  -o, --output FILE   write to FILE (atomically) instead of stdout\n"
	    "  -q, --quiet         no warnings\n"
	    "  -h, --help          this help\n"
	    "  -V, --version       version\n"
	    "\n"
	    "SOURCE_DATE_EPOCH, when set, is the time the page says it was made.\n"
	    "Exit status: 0 done, 2 trouble (a line that is not a record, a file\n"
	    "that can't be read).\n");
}

/* A list of files of one option, in the order given. */
struct files {
	const char **name;
	size_t n;
};

static void
add_file(struct files *f, const char *name)
{
	const char **p = realloc(f->name, (f->n + 1) * sizeof *p);

	if (p == NULL)
		cli_fatal(&cli, "out of memory");
	f->name = p;
	f->name[f->n++] = name;
}

/* The whole of file name ("-": stdin) into b; exits 2 on failure. */
static void
slurp(const char *name, prep_buf *b)
{
	FILE *fp = strcmp(name, "-") == 0 ? stdin : fopen(name, "rb");
	prep_status st;

	if (fp == NULL)
		cli_fatal(&cli, "%s: %s", name, strerror(errno));
	prep_buf_init(b, 0);
	st = prep_buf_read_stream(b, fp);
	if (fp != stdin)
		(void)fclose(fp); /* read only */
	if (st == PREP_ERR_LIMIT)
		cli_fatal(&cli, "%s: larger than %zu MiB", name,
			  PREP_BUF_DEFAULT_MAX >> 20);
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, name);
}

typedef prep_status (*add_fn)(prep_report *, const char *, const char *, size_t,
			      prep_report_error *);

static size_t
read_all(prep_report *r, const struct files *f, add_fn add)
{
	size_t i, bytes = 0;

	for (i = 0; i < f->n; i++) {
		prep_report_error err;
		prep_status st;
		prep_buf b;

		slurp(f->name[i], &b);
		bytes += b.len;
		st = add(r, f->name[i], b.data ? b.data : "", b.len, &err);
		prep_buf_free(&b);
		if (st == PREP_ERR_VALUE) {
			prep_where w = {f->name[i], err.line, 0};

			cli_fatal_at(&cli, w, "%s", err.text);
		}
		if (st != PREP_OK)
			cli_fatal_status(&cli, st, f->name[i]);
	}
	return bytes;
}

/* The time the page names: SOURCE_DATE_EPOCH, else now. */
static void
generated(char out[32])
{
	const char *env = getenv("SOURCE_DATE_EPOCH");
	time_t now = time(NULL);
	struct tm tm;

	if (env != NULL && *env) {
		char *end;
		long long v;

		errno = 0;
		v = strtoll(env, &end, 10);
		if (errno || *end || end == env || v < 0 || v > 253402300799LL)
			cli_usage_error(&cli,
					"SOURCE_DATE_EPOCH is not a number of "
					"seconds since 1970");
		now = (time_t)v;
	}
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		cli_fatal(&cli, "the time can't be written");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {"output", required_argument, NULL, 'o'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"markdown", no_argument, NULL, OPT_MARKDOWN},
	    {"title", required_argument, NULL, OPT_TITLE},
	    {"ledger", required_argument, NULL, OPT_LEDGER},
	    {"profile", required_argument, NULL, OPT_PROFILE},
	    {"drift", required_argument, NULL, OPT_DRIFT},
	    {NULL, 0, NULL, 0},
	};
	struct files audits = {0}, ledgers = {0}, profiles = {0}, drifts = {0};
	prep_report_options o;
	int opt, markdown = 0, i;
	char when[32], *text;
	prep_report *r;
	prep_status st;
	size_t len, bytes;
	FILE *f;

	cli_init(&cli, "prep-report", usage);
	memset(&o, 0, sizeof o);
	while ((opt = getopt_long(argc, argv, "hVo:q", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_MARKDOWN:
			markdown = 1;
			break;
		case OPT_TITLE:
			o.title = optarg;
			break;
		case OPT_LEDGER:
			add_file(&ledgers, optarg);
			break;
		case OPT_PROFILE:
			add_file(&profiles, optarg);
			break;
		case OPT_DRIFT:
			add_file(&drifts, optarg);
			break;
		default:
			if (opt == '?' || !cli_common_option(&cli, opt, optarg))
				cli_usage_error(&cli, "unknown option");
		}
	}
	for (i = optind; i < argc; i++)
		add_file(&audits, argv[i]);
	if (audits.n == 0)
		add_file(&audits, "-");
	generated(when);
	o.generated = when;
	o.version = PREP_VERSION;
	if ((st = prep_report_new(&r)) != PREP_OK)
		cli_fatal_status(&cli, st, "report");
	bytes = read_all(r, &audits, prep_report_add_audit);
	if (bytes == 0 || prep_report_nruns(r) == 0)
		cli_warn(&cli, "no runs recorded in %s%s", audits.name[0],
			 audits.n > 1 ? " and the other audit files" : "");
	(void)read_all(r, &ledgers, prep_report_add_ledger);
	(void)read_all(r, &profiles, prep_report_add_profile);
	(void)read_all(r, &drifts, prep_report_add_drift);
	if ((st = prep_report_finish(r)) != PREP_OK)
		cli_fatal_status(&cli, st, "report");
	st = markdown ? prep_report_markdown(r, &o, &text, &len)
		      : prep_report_html(r, &o, &text, &len);
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, "report");
	f = cli_report_begin(&cli);
	if (len && fwrite(text, 1, len, f) != len)
		cli_fatal(&cli, "out of memory");
	cli_report_end(&cli, f);
	free(text);
	prep_report_free(r);
	free(audits.name);
	free(ledgers.name);
	free(profiles.name);
	free(drifts.name);
	return 0;
}
