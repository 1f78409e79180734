/*
 * drift: data drift and bias drift between a reference and a current
 * batch, each a profile or a CSV file (man1/drift.1).
 *
 * A report filter: it profiles what is CSV (tools/cli_profile.c), compares
 * the two profiles column by column (libprep/drift.c), writes the table
 * or the JSON report, a summary on stderr, and exits 1 on dataset drift
 * or a crossed bias gate.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "drift.h"

enum {
	OPT_METHOD = CLI_OPT_TOOL_BASE,
	OPT_THRESHOLD,
	OPT_DRIFT_SHARE,
	OPT_KEY_COLUMNS,
	OPT_MAX_DI_DROP,
	OPT_MAX_SPD_CHANGE,
	OPT_JSON,
};

struct options {
	struct cli_profile_opts prof;
	prep_drift_options d;
	const char *keys;
	prep_field *key_names, *only_names;
	char *copy[2]; /* the lists the names point into */
	int json;
};

static struct cli cli;

static void
usage(void)
{
	printf(
	    "usage: drift [-HhqVz] [--method M] [--threshold X] [--drift-share F]\n"
	    "             [--key-columns COLS] [--columns COLS] [--max-di-drop X]\n"
	    "             [--max-spd-change X] [--json] [-g GROUPS -y LABEL [-p PRED]\n"
	    "             --positive V] [--max-distinct N] [--kll-k K] [--seed N]\n"
	    "             [-d C] [-o FILE] [--lazy-quotes] [--max-field N]\n"
	    "             [--max-memory N] [--missing LIST] [--part I/N [--part-by COL]]\n"
	    "             REFERENCE CURRENT\n"
	    "\n"
	    "Compare a batch (CURRENT) with a reference, column by column; each is a\n"
	    "profile (profile(1)) or a CSV file. A table on stdout, a summary on\n"
	    "stderr; exit 1 on dataset drift or a crossed bias gate.\n"
	    "\n"
	    "      --method M        auto (default: Evidently's choice per column), ks,\n"
	    "                        chi2, wasserstein, js, psi or hellinger\n"
	    "      --threshold X     drift threshold of every column's statistic\n"
	    "      --drift-share F   dataset drift when this share of the columns\n"
	    "                        drifted (default 0.5)\n"
	    "      --key-columns COLS  dataset drift when any of these drifted\n"
	    "      --max-di-drop X   fail when disparate impact fell by more than X\n"
	    "      --max-spd-change X  fail when statistical parity difference grew\n"
	    "                        by more than X\n"
	    "      --json            one JSON object on stdout instead of the table\n"
	    "For CSV operands:\n" CLI_HELP_PROFILE CLI_HELP_IO
	    "  -q, --quiet         no summary or warnings on stderr\n" CLI_HELP_END
	    "\n"
	    "Exit status: 0 no drift, 1 drift (or a bias gate failed), 2 trouble.\n");
}

/* A comma-separated list of names (borrowed from arg, which is cut). */
static prep_field *
split_names(char *arg, size_t *n)
{
	prep_field *f;
	size_t i, cap = 1;
	char *p;

	for (p = arg; *p; p++)
		cap += *p == ',';
	if ((f = calloc(cap, sizeof *f)) == NULL)
		cli_fatal(&cli, "out of memory");
	for (i = 0, p = arg;; i++) {
		char *comma = strchr(p, ',');

		f[i].data = p;
		f[i].len = comma ? (size_t)(comma - p) : strlen(p);
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	*n = i + 1;
	return f;
}

static enum prep_drift_method
parse_method(const char *arg)
{
	int i;

	for (i = 0; i < PREP_DRIFT_NMETHODS; i++)
		if (strcmp(arg, prep_drift_method_names[i]) == 0)
			return (enum prep_drift_method)i;
	cli_usage_error(&cli,
			"--method: '%s' is not one of auto, ks, chi2, "
			"wasserstein, js, psi, hellinger",
			arg);
}

static void
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
	    CLI_COMMON_LONGOPTS,
	    CLI_PROFILE_LONGOPTS,
	    {"method", required_argument, NULL, OPT_METHOD},
	    {"threshold", required_argument, NULL, OPT_THRESHOLD},
	    {"drift-share", required_argument, NULL, OPT_DRIFT_SHARE},
	    {"key-columns", required_argument, NULL, OPT_KEY_COLUMNS},
	    {"max-di-drop", required_argument, NULL, OPT_MAX_DI_DROP},
	    {"max-spd-change", required_argument, NULL, OPT_MAX_SPD_CHANGE},
	    {"json", no_argument, NULL, OPT_JSON},
	    {NULL, 0, NULL, 0},
	};
	char **copy = o->copy;
	int opt;

	memset(o, 0, sizeof *o);
	cli_profile_opts_init(&o->prof);
	o->d.drift_share = PREP_DRIFT_DEFAULT_SHARE;
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "g:y:p:",
				  longopts, NULL)) != -1) {
		if (cli_common_option(&cli, opt, optarg) ||
		    cli_profile_option(&cli, &o->prof, opt, optarg))
			continue;
		switch (opt) {
		case OPT_METHOD:
			o->d.method = parse_method(optarg);
			break;
		case OPT_THRESHOLD:
			o->d.threshold = cli_parse_real(&cli, "--threshold",
							optarg, 0, 1e300);
			o->d.threshold_set = 1;
			break;
		case OPT_DRIFT_SHARE:
			o->d.drift_share =
			    cli_parse_real(&cli, "--drift-share", optarg, 0, 1);
			break;
		case OPT_KEY_COLUMNS:
			o->keys = optarg;
			break;
		case OPT_MAX_DI_DROP:
			o->d.max_di_drop =
			    cli_parse_real(&cli, "--max-di-drop", optarg, 0, 1);
			o->d.max_di_drop_set = 1;
			break;
		case OPT_MAX_SPD_CHANGE:
			o->d.max_spd_change = cli_parse_real(
			    &cli, "--max-spd-change", optarg, 0, 1);
			o->d.max_spd_change_set = 1;
			break;
		case OPT_JSON:
			o->json = 1;
			break;
		default:
			cli_usage_error(&cli, "unknown option");
		}
	}
	cli_profile_check(&cli, &o->prof);
	if (argc - optind != 2)
		cli_usage_error(&cli, "two operands: REFERENCE CURRENT");
	if (o->keys) {
		copy[0] = strdup(o->keys);
		if (copy[0] == NULL)
			cli_fatal(&cli, "out of memory");
		o->key_names = split_names(copy[0], &o->d.nkeys);
		o->d.keys = o->key_names;
	}
	if (o->prof.columns) {
		copy[1] = strdup(o->prof.columns);
		if (copy[1] == NULL)
			cli_fatal(&cli, "out of memory");
		o->only_names = split_names(copy[1], &o->d.nonly);
		o->d.only = o->only_names;
	}
}

/*
 * The profile of an operand: read, or made from the CSV. --part and
 * --part-by split the current batch: the reference (current 0) is
 * always read whole.
 */
static prep_profile *
side(const struct options *o, char *path, int current)
{
	unsigned long part_i = cli.part_i;
	const char *part_by = cli.part_by;
	prep_profile *p;

	if (strcmp(path, "-") != 0 && cli_profile_is_json(&cli, path)) {
		if (current && part_i)
			cli_usage_error(&cli,
					"--part splits CURRENT when it is CSV; "
					"%s is a profile",
					path);
		return cli_profile_load(&cli, path);
	}
	if (!current)
		cli.part_i = 0, cli.part_by = NULL;
	p = cli_profile_csv(&cli, &o->prof, 1, &path);
	cli.part_i = part_i;
	cli.part_by = part_by;
	return p;
}

static void
write_report(const struct options *o, const prep_drift_result *r)
{
	json_t *j;
	FILE *f;

	if (!o->json) {
		cli_open_report(&cli);
		cli_write_check(&cli, prep_drift_table(r, cli.writer));
		cli_finish(&cli);
		return;
	}
	if ((j = prep_drift_to_json(r, &o->d)) == NULL)
		cli_fatal(&cli, "out of memory");
	f = cli_report_begin(&cli);
	if (json_dumpf(j, f, JSON_COMPACT | JSON_REAL_PRECISION(15)) != 0 ||
	    putc('\n', f) == EOF) {
		json_decref(j);
		cli_fatal(&cli, "out of memory");
	}
	json_decref(j);
	cli_report_end(&cli, f);
}

static void
print_names(const char *what, const prep_profile_column *const *c, size_t n)
{
	size_t i;

	if (n == 0)
		return;
	fprintf(stderr, "%s: columns %s:", cli.prog, what);
	for (i = 0; i < n; i++)
		fprintf(stderr, "%s %.*s", i ? "," : "", (int)c[i]->name_len,
			c[i]->name);
	fputc('\n', stderr);
}

static void
print_summary(const struct options *o, const prep_drift_result *r)
{
	const prep_fairness_summary *a = &r->bias_reference,
				    *b = &r->bias_current;
	size_t i;

	if (cli.quiet)
		return;
	cli_note(&cli,
		 "%zu of %zu columns drifted (share %.3g; dataset drift "
		 "at %.3g)",
		 r->ndrifted, r->ncolumns, r->drifted_share, o->d.drift_share);
	for (i = 0; i < r->ncolumns; i++)
		if (r->columns[i].type_changed)
			cli_note(&cli, "column %.*s: %s, now %s",
				 (int)r->columns[i].name_len,
				 r->columns[i].name,
				 prep_profile_type_names[r->columns[i]
							     .type_reference],
				 prep_profile_type_names[r->columns[i]
							     .type_current]);
	for (i = 0; i < r->ncolumns; i++)
		if (r->columns[i].key && r->columns[i].drifted)
			cli_note(&cli, "key column %.*s drifted",
				 (int)r->columns[i].name_len,
				 r->columns[i].name);
	print_names("added", r->added, r->nadded);
	print_names("removed", r->removed, r->nremoved);
	if (r->groups_differ)
		cli_warn(&cli, "the two sides count groups differently (-g, "
			       "-y, -p, --positive): no bias drift");
	if (r->bias) {
		cli_note(&cli, "disparate impact %.4g -> %.4g",
			 a->disparate_impact, b->disparate_impact);
		cli_note(&cli, "statistical parity difference %.4g -> %.4g",
			 a->statistical_parity_difference,
			 b->statistical_parity_difference);
	}
	if (r->bias_failed & PREP_DRIFT_FAIL_DI)
		cli_note(&cli,
			 "--max-di-drop %g failed: disparate impact fell "
			 "by %.4g",
			 o->d.max_di_drop,
			 a->disparate_impact - b->disparate_impact);
	if (r->bias_failed & PREP_DRIFT_FAIL_SPD)
		cli_note(&cli,
			 "--max-spd-change %g failed: statistical parity "
			 "difference grew by %.4g",
			 o->d.max_spd_change,
			 b->statistical_parity_difference -
			     a->statistical_parity_difference);
	cli_note(&cli, "%s", r->drift ? "drift" : "no drift");
}

/* A check of column c: prefix then the column's name (not personal). */
static void
column_check(const char *prefix, const prep_drift_column *c, double v,
	     double threshold, int passed, const char *text)
{
	size_t len = strlen(prefix) + c->name_len + 1;
	char *name = malloc(len);

	if (name == NULL)
		cli_fatal(&cli, "out of memory");
	(void)snprintf(name, len, "%s%.*s", prefix, (int)c->name_len, c->name);
	if (text)
		cli_audit_check_text(&cli, name, text, NULL, -1);
	else
		cli_audit_check(&cli, name, v, threshold, passed);
	free(name);
}

/*
 * The record's checks: drift_share, the gate of dataset drift (passed:
 * no dataset drift, which is also a drifted key column or a column added
 * or removed, as prep_drift_compare decides it); each column's statistic
 * against its threshold (passed: not drifted), each column's method, the
 * columns added and removed; with group counts on both sides, disparate
 * impact then and now, its drop and the change of statistical parity
 * difference, gates when --max-di-drop and --max-spd-change ask.
 */
static void
record_checks(const struct options *o, const prep_drift_result *r)
{
	const prep_fairness_summary *a = &r->bias_reference,
				    *b = &r->bias_current;
	int dataset_drift = r->drifted_share >= o->d.drift_share ||
			    r->key_drifted || r->nadded || r->nremoved;
	size_t i;

	if (!cli_audit_on(&cli))
		return;
	cli_audit_check(&cli, "drift_share", r->drifted_share, o->d.drift_share,
			!dataset_drift);
	for (i = 0; i < r->ncolumns; i++)
		column_check("drift:", &r->columns[i], r->columns[i].statistic,
			     r->columns[i].threshold, !r->columns[i].drifted,
			     NULL);
	for (i = 0; i < r->ncolumns; i++)
		column_check("method:", &r->columns[i], NAN, NAN, -1,
			     prep_drift_method_names[r->columns[i].method]);
	cli_audit_figure(&cli, "columns.added", (double)r->nadded);
	cli_audit_figure(&cli, "columns.removed", (double)r->nremoved);
	if (!r->bias)
		return;
	cli_audit_figure(&cli, "disparate_impact.reference",
			 a->disparate_impact);
	cli_audit_figure(&cli, "disparate_impact.current", b->disparate_impact);
	cli_audit_check(
	    &cli, "disparate_impact.drop",
	    a->disparate_impact - b->disparate_impact,
	    o->d.max_di_drop_set ? o->d.max_di_drop : NAN,
	    o->d.max_di_drop_set ? !(r->bias_failed & PREP_DRIFT_FAIL_DI) : -1);
	cli_audit_check(
	    &cli, "spd.change",
	    b->statistical_parity_difference - a->statistical_parity_difference,
	    o->d.max_spd_change_set ? o->d.max_spd_change : NAN,
	    o->d.max_spd_change_set ? !(r->bias_failed & PREP_DRIFT_FAIL_SPD)
				    : -1);
}

int
main(int argc, char **argv)
{
	struct options o;
	prep_profile *ref, *cur;
	prep_drift_result *r;
	const char *why;
	prep_status st;
	int drift;

	cli_init(&cli, "drift", usage);
	parse_options(argc, argv, &o);
	ref = side(&o, argv[optind], 0);
	cur = side(&o, argv[optind + 1], 1);
	if (prep_profile_rows(ref) == 0)
		cli_warn(&cli, "%s: the reference has no rows", argv[optind]);
	if (prep_profile_rows(cur) == 0)
		cli_warn(&cli, "%s: the current batch has no rows",
			 argv[optind + 1]);
	st = prep_drift_compare(ref, cur, &o.d, &r, &why);
	if (st == PREP_ERR_NOT_FOUND || st == PREP_ERR_ARG)
		cli_fatal(&cli, "%s", why);
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, "drift");
	write_report(&o, r);
	print_summary(&o, r);
	record_checks(&o, r);
	drift = r->drift;
	prep_drift_result_free(r);
	prep_profile_free(ref);
	prep_profile_free(cur);
	free(o.key_names);
	free(o.only_names);
	free(o.copy[0]);
	free(o.copy[1]);
	return drift ? EXIT_CHECK_FAILED : 0;
}
