/*
 * kcheck: k-anonymity, l-diversity, t-closeness and re-identification
 * risk of quasi-identifiers, as a gate (man1/kcheck.1).
 *
 * Reads everything first, counting equivalence classes (libprep/classes.c)
 * and spooling the data to an unlinked temporary file in $TMPDIR; the
 * figures come from libprep/kanon.c. Only when every check passes is the
 * spool written out, so a failed check writes no data at all.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "classes.h"
#include "cli.h"
#include "columns.h"
#include "kanon.h"

enum {
	OPT_LDIV = CLI_OPT_TOOL_BASE,
	OPT_C,
	OPT_SUPPRESS,
	OPT_MAX_SUPPRESS,
	OPT_JSON,
	OPT_MAX_CLASSES,
};

static struct cli cli;

static void
usage(void)
{
	printf("usage: kcheck -q QIS [-k K] [-s SENSITIVE [-l L] [--ldiv "
	       "distinct|entropy|recursive]\n"
	       "              [--c C] [-t T]] [--suppress [--max-suppress F]] "
	       "[-r] [-v] [--json]\n"
	       "              [--max-classes N] [common options] [FILE...]\n"
	       "\n"
	       "Check k-anonymity, l-diversity and t-closeness of the "
	       "quasi-identifiers\n"
	       "QIS; pass the data on unchanged only if every check holds.\n"
	       "\n"
	       "  -q, --quasi QIS      quasi-identifier columns (required; "
	       "-q is not quiet)\n"
	       "  -k K                 smallest class allowed (default 2)\n"
	       "  -s, --sensitive COL  sensitive column, for -l and -t\n"
	       "  -l L                 l-diversity of COL in every class\n"
	       "      --ldiv VARIANT   distinct (default), entropy or "
	       "recursive\n"
	       "      --c C            c of recursive (c,l)-diversity "
	       "(default 1)\n"
	       "  -t T                 t-closeness: distance to the whole "
	       "table <= T\n"
	       "      --suppress       drop the rows of classes smaller than "
	       "K\n"
	       "      --max-suppress F at most this fraction of rows may go "
	       "(default 0.05)\n"
	       "  -r, --report-only    full report on stdout (or -o FILE), "
	       "no data\n"
	       "  -v, --verbose        full report on stderr\n"
	       "      --json           report as JSON\n"
	       "      --max-classes N  refuse input with more classes "
	       "(default 10000000)\n" CLI_HELP_IO
	       "      --quiet         no summary line on stderr\n" CLI_HELP_END
	       "\nExit status: 0 every check passed, 1 a check failed, "
	       "2 trouble.\n");
}

static const char *
ldiv_name(prep_ldiv v)
{
	return v == PREP_LDIV_ENTROPY	  ? "entropy"
	       : v == PREP_LDIV_RECURSIVE ? "recursive"
					  : "distinct";
}

/* A real as JSON: integers stay integers, others 15 significant digits. */
static json_t *
json_number(double v)
{
	if (v == floor(v) && fabs(v) < 9007199254740992.0)
		return json_integer((json_int_t)v);
	return json_real(v);
}

static void
print_json(FILE *f, const prep_kanon_report *r)
{
	json_t *o = json_object(), *h = json_object();
	char key[32], *s;
	size_t i;

	json_object_set_new(o, "rows", json_integer((json_int_t)r->rows));
	json_object_set_new(o, "classes", json_integer((json_int_t)r->classes));
	json_object_set_new(o, "min_class_size",
			    json_integer((json_int_t)r->min_class_size));
	json_object_set_new(o, "avg_class_size",
			    json_number(r->avg_class_size));
	json_object_set_new(o, "k", json_integer((json_int_t)r->k));
	json_object_set_new(o, "violating_classes",
			    json_integer((json_int_t)r->violating_classes));
	json_object_set_new(o, "violating_rows",
			    json_integer((json_int_t)r->violating_rows));
	json_object_set_new(o, "suppressed_rows",
			    json_integer((json_int_t)r->suppressed_rows));
	json_object_set_new(o, "prosecutor_risk_max",
			    json_number(r->prosecutor_risk_max));
	json_object_set_new(o, "prosecutor_risk_avg",
			    json_number(r->prosecutor_risk_avg));
	json_object_set_new(o, "records_at_risk",
			    json_number(r->records_at_risk));
	json_object_set_new(o, "sample_uniqueness",
			    json_number(r->sample_uniqueness));
	for (i = 0; i < r->nhistogram; i++) {
		snprintf(key, sizeof key, "%llu",
			 (unsigned long long)r->histogram[i].size);
		json_object_set_new(
		    h, key, json_integer((json_int_t)r->histogram[i].classes));
	}
	json_object_set_new(o, "class_size_histogram", h);
	if (r->has_l)
		json_object_set_new(o, "l_min", json_number(r->l_min));
	if (r->has_t)
		json_object_set_new(o, "t_max", json_number(r->t_max));
	json_object_set_new(o, "satisfied", json_boolean(r->satisfied));
	s = cli_json_text(&cli, o, JSON_REAL_PRECISION(15));
	fputs(s, f);
	free(s);
}

static void
print_text(FILE *f, const prep_kanon_report *r, const prep_kanon_params *p)
{
	size_t i;

	fprintf(f, "rows: %llu\n", (unsigned long long)r->rows);
	fprintf(f, "classes: %llu\n", (unsigned long long)r->classes);
	fprintf(f, "min_class_size: %llu\n",
		(unsigned long long)r->min_class_size);
	fprintf(f, "avg_class_size: %.10g\n", r->avg_class_size);
	fprintf(f, "k: %llu\n", (unsigned long long)r->k);
	fprintf(f, "violating_classes: %llu\n",
		(unsigned long long)r->violating_classes);
	fprintf(f, "violating_rows: %llu\n",
		(unsigned long long)r->violating_rows);
	fprintf(f, "suppressed_rows: %llu\n",
		(unsigned long long)r->suppressed_rows);
	fprintf(f, "prosecutor_risk_max: %.10g\n", r->prosecutor_risk_max);
	fprintf(f, "prosecutor_risk_avg: %.10g\n", r->prosecutor_risk_avg);
	fprintf(f, "records_at_risk: %.10g\n", r->records_at_risk);
	fprintf(f, "sample_uniqueness: %.10g\n", r->sample_uniqueness);
	fprintf(f, "class_size_histogram:");
	for (i = 0; i < r->nhistogram; i++)
		fprintf(f, " %llu:%llu",
			(unsigned long long)r->histogram[i].size,
			(unsigned long long)r->histogram[i].classes);
	fputc('\n', f);
	if (r->has_l) {
		fprintf(f, "l_min: %.10g (%s", r->l_min, ldiv_name(p->ldiv));
		if (p->ldiv == PREP_LDIV_RECURSIVE)
			fprintf(f, ", c=%g", p->c);
		fprintf(f, ")\n");
	}
	if (r->has_t)
		fprintf(f, "t_max: %.10g (%s)\n", r->t_max,
			r->t_ordered ? "ordered" : "equal");
	fprintf(f, "satisfied: %s\n", r->satisfied ? "yes" : "no");
}

static const char *
plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

/* The one-line summary on stderr. */
static void
print_summary(const prep_kanon_report *r, const prep_kanon_params *p)
{
	unsigned long long k = (unsigned long long)r->k;

	if (r->satisfied) {
		fprintf(stderr,
			"kcheck: satisfied: %llu row%s, %llu class%s, smallest "
			"class %llu (k=%llu)",
			(unsigned long long)r->rows, plural(r->rows),
			(unsigned long long)r->classes,
			r->classes == 1 ? "" : "es",
			(unsigned long long)r->min_class_size, k);
	} else if (!r->suppress_ok) {
		fprintf(
		    stderr,
		    "kcheck: not satisfied: %llu row%s would be suppressed, "
		    "more than %g of the input (k=%llu)",
		    (unsigned long long)r->suppressed_rows,
		    plural(r->suppressed_rows), p->max_suppress, k);
	} else {
		fprintf(stderr,
			"kcheck: not satisfied: %llu of %llu classes (%llu "
			"row%s) fail; smallest class %llu (k=%llu)",
			(unsigned long long)r->violating_classes,
			(unsigned long long)r->classes,
			(unsigned long long)r->violating_rows,
			plural(r->violating_rows),
			(unsigned long long)r->min_class_size, k);
	}
	if (r->has_l)
		fprintf(stderr, ", l_min %.4g (l=%g)", r->l_min, p->l);
	if (r->has_t)
		fprintf(stderr, ", t_max %.4g (t=%g)", r->t_max, p->t);
	if (p->suppress && r->suppress_ok)
		fprintf(stderr, ", %llu row%s suppressed",
			(unsigned long long)r->suppressed_rows,
			plural(r->suppressed_rows));
	fputc('\n', stderr);
}

/*
 * -r: the full report on stdout, or atomically into -o FILE, gzipped like
 * data would be (-z or a FILE ending in .gz).
 */
static void
write_report(const prep_kanon_report *r, const prep_kanon_params *p, int json)
{
	FILE *f = cli_report_begin(&cli);

	if (json)
		print_json(f, r);
	else
		print_text(f, r, p);
	cli_report_end(&cli, f);
}

/*
 * "-q FILE": quiet everywhere else, so "kcheck -k 5 -q data.csv" takes
 * the file for the column list and reads stdin. No one means a column
 * list that is the name of an existing file: stop before reading
 * anything. (--quasi is not checked: it cannot be meant as quiet.)
 */
static void
quasi_not_file(const char *arg)
{
	struct stat sb;

	if (stat(arg, &sb) == 0)
		cli_usage_error(&cli,
				"-q takes the quasi-identifier columns, not a "
				"file ('%s' is a file); for quiet use --quiet",
				arg);
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

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    CLI_COMMON_LONGOPTS,
	    {"quasi", required_argument, NULL, 'Q'},
	    {"sensitive", required_argument, NULL, 's'},
	    {"ldiv", required_argument, NULL, OPT_LDIV},
	    {"c", required_argument, NULL, OPT_C},
	    {"suppress", no_argument, NULL, OPT_SUPPRESS},
	    {"max-suppress", required_argument, NULL, OPT_MAX_SUPPRESS},
	    {"report-only", no_argument, NULL, 'r'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"max-classes", required_argument, NULL, OPT_MAX_CLASSES},
	    {NULL, 0, NULL, 0},
	};
	prep_kanon_params p;
	prep_kanon_report rep;
	prep_classes *classes = NULL;
	prep_spool *spool = NULL;
	const char *qis = NULL, *sens = NULL;
	size_t *qi, nqi, *si = NULL, nsi = 0, n, ncols;
	const prep_field *f, *header;
	uint64_t max_classes = PREP_CLASSES_DEFAULT_MAX;
	int opt, report_only = 0, verbose = 0, json = 0, c_given = 0;
	int max_suppress_given = 0;
	prep_status st;

	cli_init(&cli, "kcheck", usage);
	prep_kanon_params_init(&p);
	/*
	 * -q names the quasi-identifiers here (SPEC), so the short options
	 * are CLI_COMMON_SHORTOPTS with "q:" for "q"; --quiet still maps to
	 * 'q', without an argument.
	 */
	while ((opt = getopt_long(argc, argv, "hVo:zd:Hq:k:s:l:t:rv", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'q':
			if (optarg == NULL) {
				cli.quiet = 1;
				break;
			}
			quasi_not_file(optarg);
			qis = optarg;
			break;
		case 'Q':
			qis = optarg;
			break;
		case 'k':
			p.k = cli_parse_count(&cli, "-k", optarg, 1,
					      UINT64_MAX >> 1);
			break;
		case 's':
			sens = optarg;
			break;
		case 'l':
			p.check_l = 1;
			p.l = cli_parse_real(&cli, "-l", optarg, 1, 1e9);
			break;
		case 't':
			p.check_t = 1;
			p.t = cli_parse_real(&cli, "-t", optarg, 0, 1);
			break;
		case OPT_LDIV:
			/* getopt_long set optarg; the analyzer misses it */
			/* NOLINTNEXTLINE(clang-analyzer-core.NonNull*) */
			if (strcmp(optarg, "distinct") == 0)
				p.ldiv = PREP_LDIV_DISTINCT;
			else if (strcmp(optarg, "entropy") == 0)
				p.ldiv = PREP_LDIV_ENTROPY;
			else if (strcmp(optarg, "recursive") == 0)
				p.ldiv = PREP_LDIV_RECURSIVE;
			else
				cli_usage_error(&cli,
						"--ldiv must be distinct, "
						"entropy or recursive");
			break;
		case OPT_C:
			p.c = cli_parse_real(&cli, "--c", optarg, 1e-9, 1e9);
			c_given = 1;
			break;
		case OPT_SUPPRESS:
			p.suppress = 1;
			break;
		case OPT_MAX_SUPPRESS:
			p.max_suppress = cli_parse_real(&cli, "--max-suppress",
							optarg, 0, 1);
			max_suppress_given = 1;
			break;
		case 'r':
			report_only = 1;
			break;
		case 'v':
			verbose = cli.verbose = 1;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case OPT_MAX_CLASSES:
			max_classes = cli_parse_count(&cli, "--max-classes",
						      optarg, 1,
						      (uint64_t)1 << 31);
			break;
		default:
			if (!cli_common_option(&cli, opt, optarg))
				cli_usage_error(&cli, "unknown option");
		}
	}
	if (qis == NULL)
		cli_usage_error(&cli, "-q QIS is required");
	if (sens && !p.check_l && !p.check_t)
		cli_usage_error(&cli, "-s needs -l or -t");
	if ((p.check_l || p.check_t) && !sens)
		cli_usage_error(&cli, "-l and -t need -s SENSITIVE");
	if (p.check_l && p.ldiv != PREP_LDIV_ENTROPY && p.l != floor(p.l))
		cli_usage_error(&cli,
				"-l must be a whole number for %s "
				"l-diversity",
				ldiv_name(p.ldiv));
	if (c_given && p.ldiv != PREP_LDIV_RECURSIVE)
		cli_usage_error(&cli, "--c needs --ldiv recursive");
	if (max_suppress_given && !p.suppress)
		cli_usage_error(&cli, "--max-suppress needs --suppress");

	cli_open_input(&cli, argc - optind, argv + optind);
	header = prep_reader_header(cli.reader, &ncols);
	qi = ncols ? cli_columns(&cli, "-q", qis, &nqi) : NULL;
	if (ncols && sens) {
		si = cli_columns(&cli, "-s", sens, &nsi);
		if (nsi != 1)
			cli_usage_error(&cli, "-s names one column");
	}
	if (ncols == 0)
		nqi = 0;
	st = prep_classes_new(qi, nqi, si ? (long)si[0] : -1,
			      (size_t)max_classes, &classes);
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, "classes");
	if (!report_only) {
		spool = cli_spool_new(&cli, 0);
		if (header)
			cli_spool_check(&cli,
					prep_spool_row(spool, header, ncols));
	}
	while ((f = cli_next_row(&cli, &n)) != NULL) {
		st = prep_classes_add(classes, f, NULL);
		if (st == PREP_ERR_LIMIT)
			cli_fatal_at(&cli, prep_reader_where(cli.reader),
				     "more than %llu classes or sensitive "
				     "values (--max-classes)",
				     (unsigned long long)max_classes);
		if (st != PREP_OK)
			cli_fatal_status(&cli, st, "classes");
		if (spool)
			cli_spool_check(&cli, prep_spool_row(spool, f, n));
	}
	if (spool)
		cli_spool_check(&cli, prep_spool_finish(spool));
	cli_progress_end(&cli);

	if ((st = prep_kanon_evaluate(classes, &p, &rep)) != PREP_OK)
		cli_fatal_status(&cli, st, "evaluation");
	if (report_only) {
		write_report(&rep, &p, json);
	} else {
		if (verbose && json)
			print_json(stderr, &rep);
		else if (verbose)
			print_text(stderr, &rep, &p);
		if (rep.satisfied) {
			cli_open_output(&cli);
			if (p.suppress && rep.suppressed_rows > 0)
				copy_kept(spool, classes, &p);
			else
				cli_spool_copy(&cli, spool);
			cli_finish(&cli);
		}
	}
	if (!cli.quiet && !report_only && !verbose)
		print_summary(&rep, &p);
	prep_spool_free(spool);
	prep_kanon_report_free(&rep);
	prep_classes_free(classes);
	free(qi);
	free(si);
	prep_reader_free(cli.reader);
	return rep.satisfied ? 0 : EXIT_CHECK_FAILED;
}
