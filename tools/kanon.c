/*
 * kanon: generalize the quasi-identifiers so that every privacy check of
 * kcheck holds, with the least information loss (kanon(1)).
 *
 * Reads everything first, counting the distinct quasi-identifier tuples
 * (libprep/classes.c) and spooling the data; the recoding is
 * libprep/lattice.c (global) or libprep/mondrian.c (local) over the
 * tuples (libprep/recode.c), never over rows. Only when a recoding passes
 * is the spool read again and written out with the released values: a
 * run without a solution writes no data at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classes.h"
#include "cli.h"
#include "hierarchy.h"
#include "lattice.h"
#include "mondrian.h"
#include "recode.h"

enum {
	OPT_HIERARCHY = CLI_OPT_TOOL_BASE,
	OPT_METHOD,
	OPT_METRIC,
	OPT_MAX_SUPPRESS,
	OPT_MARK,
	OPT_LEVELS,
	OPT_MAX_NODES,
	OPT_JSON,
};

#define MAX_HIERARCHIES 256

static struct cli cli;

/* clang-format off */
static void
usage(void)
{
	printf("usage: kanon [-HhrVvz] -q QIS [--hierarchy COL=FILE]... [-k K]\n"
	       "             [-s SENSITIVE [-l L] [--ldiv distinct|entropy|recursive] [--c C]\n"
	       "             [-t T]] [--method global|local] [--metric loss|dm|aecs|gcp]\n"
	       "             [--max-suppress F] [--mark-suppressed COL] [--levels COL=L,...]\n"
	       "             [--max-nodes N] [--json] [-d DELIM] [-o FILE] [--crlf]\n"
	       "             [--lazy-quotes] [--max-classes N] [--max-field SIZE]\n"
	       "             [--max-memory SIZE] [--progress] [--quiet] [FILE...]\n"
	       "\n"
	       "Generalize the quasi-identifiers QIS so that every check of kcheck holds,\n"
	       "with the least information loss; write the generalized data.\n"
	       "\n"
	       CLI_HELP_CHECKS
	       "      --hierarchy COL=FILE  generalization hierarchy of COL (ARX format)\n"
	       "      --method M       global (default when every QI has a hierarchy)\n"
	       "                       or local\n"
	       "      --metric M       loss (default), dm, aecs or gcp: what global\n"
	       "                       search minimizes\n"
	       "      --max-suppress F at most this fraction of rows suppressed (default 0)\n"
	       "      --mark-suppressed COL  keep suppressed rows, QIs '*', COL 1\n"
	       "      --levels COL=L,...  apply these levels (global) instead of searching\n"
	       "      --max-nodes N    refuse larger lattices (default 10000000)\n"
	       "  -r, --report-only    full report on stdout (or -o FILE), no data\n"
	       "  -v, --verbose        full report on stderr\n"
	       "      --json           report as JSON\n"
	       "      --max-classes N  refuse input with more distinct QI tuples\n"
	       "                       (default 10000000)\n"
	       CLI_HELP_IO
	       "      --quiet         no summary line on stderr\n"
	       CLI_HELP_END
	       "\n"
	       "Exit status: 0 done, 1 no solution within the limits, 2 trouble.\n");
}
/* clang-format on */

/* One --hierarchy COL=FILE. */
struct hier {
	const char *col; /* NUL-terminated copy of COL */
	const char *path;
};

/* The command line, as given. */
struct options {
	struct cli_checks k; /* -q, -k, -s, -l, --ldiv, --c, -t */
	struct hier hier[MAX_HIERARCHIES];
	size_t nhier;
	const char *method; /* NULL: by the hierarchies */
	prep_recode_metric metric;
	const char *mark;   /* --mark-suppressed COL */
	const char *levels; /* --levels */
	uint64_t max_nodes;
	int report_only, verbose, json;
};

static void
add_hierarchy(struct options *o, char *arg)
{
	char *eq = strchr(arg, '=');

	if (eq == NULL || eq == arg || eq[1] == '\0')
		cli_usage_error(&cli, "--hierarchy takes COL=FILE");
	if (o->nhier == MAX_HIERARCHIES)
		cli_usage_error(&cli, "too many --hierarchy");
	*eq = '\0';
	o->hier[o->nhier].col = arg;
	o->hier[o->nhier].path = eq + 1;
	o->nhier++;
}

static void
tool_option(struct options *o, int opt, char *arg)
{
	switch (opt) {
	case 'q': /* --quiet */
		cli.quiet = 1;
		break;
	case 'r':
		o->report_only = 1;
		break;
	case 'v':
		o->verbose = cli.verbose = 1;
		break;
	case OPT_JSON:
		o->json = 1;
		break;
	case OPT_HIERARCHY:
		add_hierarchy(o, arg);
		break;
	case OPT_METHOD:
		if (strcmp(arg, "global") != 0 && strcmp(arg, "local") != 0)
			cli_usage_error(&cli,
					"--method must be global or local");
		o->method = arg;
		break;
	case OPT_METRIC:
		if (prep_recode_metric_parse(arg, &o->metric) != PREP_OK)
			cli_usage_error(
			    &cli, "--metric must be loss, dm, aecs or gcp");
		break;
	case OPT_MAX_SUPPRESS:
		o->k.p.max_suppress =
		    cli_parse_real(&cli, "--max-suppress", arg, 0, 1);
		break;
	case OPT_MARK:
		o->mark = arg;
		break;
	case OPT_LEVELS:
		o->levels = arg;
		break;
	case OPT_MAX_NODES:
		o->max_nodes = cli_parse_count(&cli, "--max-nodes", arg, 1,
					       UINT64_MAX >> 1);
		break;
	default:
		if (!cli_common_option(&cli, opt, arg))
			cli_usage_error(&cli, "unknown option");
	}
}

static void
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
	    CLI_COMMON_LONGOPTS,
	    CLI_CHECK_LONGOPTS,
	    {"hierarchy", required_argument, NULL, OPT_HIERARCHY},
	    {"method", required_argument, NULL, OPT_METHOD},
	    {"metric", required_argument, NULL, OPT_METRIC},
	    {"max-suppress", required_argument, NULL, OPT_MAX_SUPPRESS},
	    {"mark-suppressed", required_argument, NULL, OPT_MARK},
	    {"levels", required_argument, NULL, OPT_LEVELS},
	    {"max-nodes", required_argument, NULL, OPT_MAX_NODES},
	    {"report-only", no_argument, NULL, 'r'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"json", no_argument, NULL, OPT_JSON},
	    {NULL, 0, NULL, 0},
	};
	int opt;

	memset(o, 0, sizeof *o);
	cli_checks_init(&o->k);
	o->k.p.max_suppress = 0;
	o->metric = PREP_METRIC_LOSS;
	while ((opt = getopt_long(argc, argv, "hVo:zd:Hq:k:s:l:t:rv", longopts,
				  NULL)) != -1)
		if (!cli_check_option(&cli, &o->k, opt, optarg))
			tool_option(o, opt, optarg);
	cli_check_combinations(&cli, &o->k);
	/* suppression is kanon's own: at most F, whatever the checks */
	o->k.p.suppress = 1;
	if (o->levels && o->method && strcmp(o->method, "local") == 0)
		cli_usage_error(&cli, "--levels is global recoding");
	if (o->levels)
		o->method = "global";
}

/* What the pass over the input leaves. */
struct input {
	prep_classes *classes;
	prep_spool *spool; /* the data, unless -r */
	size_t *qi, nqi;
	long mark; /* --mark-suppressed: -1, or the column (when it exists) */
	prep_hierarchy **hier;			 /* [j], NULL: none */
	const char **hier_path;			 /* [j] */
	prep_field *names;			 /* [j]: the QIs' names */
	char (*number)[PREP_COLUMNS_LABEL_SIZE]; /* [j]: names under -H */
	prep_recode_input *rin;
};

/* Load COL=FILE's hierarchy with every level, or say why not. */
static prep_hierarchy *
load_hierarchy(const char *path)
{
	prep_hierarchy *h;
	prep_where w;
	const char *why;
	prep_status st;

	st = prep_hierarchy_load_why(path, PREP_HIERARCHY_ALL, &h, &w, &why);
	if (st == PREP_ERR_IO)
		cli_fatal_status(&cli, st, path);
	if (st != PREP_OK && why)
		cli_fatal_at(&cli, w, "hierarchy: %s", why);
	if (st != PREP_OK)
		cli_fatal_at(&cli, w, "hierarchy: %s", prep_strerror(st));
	return h;
}

/* The QIs' names, and each --hierarchy on its QI. */
static void
bind_hierarchies(const struct options *o, struct input *in)
{
	size_t i, j;

	in->hier = calloc(in->nqi + 1, sizeof(prep_hierarchy *));
	in->hier_path = calloc(in->nqi + 1, sizeof *in->hier_path);
	in->names = calloc(in->nqi + 1, sizeof *in->names);
	in->number = calloc(in->nqi + 1, sizeof *in->number);
	if (!in->hier || !in->hier_path || !in->names || !in->number)
		cli_fatal(&cli, "out of memory");
	/* copies: the report outlives the reader's header */
	for (j = 0; j < in->nqi; j++) {
		prep_field f = cli_column_label(&cli, in->qi[j], in->number[j]);
		char *copy = malloc(f.len + 1);

		if (copy == NULL)
			cli_fatal(&cli, "out of memory");
		memcpy(copy, f.data, f.len);
		copy[f.len] = '\0';
		in->names[j] = (prep_field){copy, f.len};
	}
	for (i = 0; i < o->nhier; i++) {
		size_t col = cli_column(&cli, "--hierarchy", o->hier[i].col);

		for (j = 0; j < in->nqi && in->qi[j] != col; j++)
			;
		if (j == in->nqi)
			cli_usage_error(&cli,
					"--hierarchy %s: not one of the "
					"quasi-identifiers",
					o->hier[i].col);
		if (in->hier[j])
			cli_usage_error(&cli, "--hierarchy %s given twice",
					o->hier[i].col);
		in->hier[j] = load_hierarchy(o->hier[i].path);
		in->hier_path[j] = o->hier[i].path;
	}
}

/* A row's QI values, each in its hierarchy (the cell is never shown). */
static void
check_row(const prep_field *f, void *ctx)
{
	const struct input *in = ctx;
	size_t j, row;

	for (j = 0; j < in->nqi; j++)
		if (in->hier[j] &&
		    prep_hierarchy_row(in->hier[j], f[in->qi[j]].data,
				       f[in->qi[j]].len, &row) != PREP_OK)
			cli_fatal_cell(&cli, in->qi[j],
				       "value not in the --hierarchy file");
}

/* The tuples of the input, and the input spooled (unless -r). */
static void
read_input(const struct options *o, int nfiles, char **files, struct input *in)
{
	const prep_field *header;
	size_t ncols, j;
	long si;
	prep_status st;

	memset(in, 0, sizeof *in);
	in->mark = -1;
	cli_open_input(&cli, nfiles, files);
	header = prep_reader_header(cli.reader, &ncols);
	if (ncols == 0)
		return; /* an empty input, --allow-empty: nothing to do */
	cli_check_columns(&cli, &o->k, &in->qi, &in->nqi, &si);
	for (j = 0; o->mark && header && j < ncols; j++)
		if (strlen(o->mark) == header[j].len &&
		    memcmp(o->mark, header[j].data, header[j].len) == 0)
			cli_usage_error(&cli,
					"--mark-suppressed %s: the input has "
					"that column already",
					o->mark);
	bind_hierarchies(o, in);
	st = prep_classes_new(in->qi, in->nqi, si, (size_t)o->k.max_classes,
			      &in->classes);
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, "classes");
	if (!o->report_only)
		in->spool = cli_spool_new(&cli, 0);
	cli_classes_read(&cli, in->classes, o->k.max_classes, in->spool,
			 check_row, in);
}

/* The recoding's input: the tuples, encoded, with their hierarchies. */
static void
prepare(const struct options *o, struct input *in)
{
	prep_where w;
	size_t bad;
	prep_status st;

	st = prep_recode_input_new(in->classes, in->names, in->hier, in->nqi,
				   &o->k.p, &in->rin, &bad, &w);
	if (st == PREP_ERR_VALUE) {
		w.file = in->hier_path[bad];
		cli_fatal_at(&cli, w,
			     "hierarchy: a label has two different labels "
			     "above it: the hierarchy is not a tree");
	}
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, "quasi-identifiers");
}

/* --levels COL=L,...: one level for every QI, by name. */
static size_t *
parse_levels(const struct options *o, const struct input *in)
{
	size_t *lv = calloc(in->nqi + 1, sizeof *lv), j;
	unsigned char *seen = calloc(in->nqi + 1, 1);
	char *list = strdup(o->levels), *item, *save = NULL;

	if (!lv || !seen || !list)
		cli_fatal(&cli, "out of memory");
	for (item = strtok_r(list, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		char *eq = strrchr(item, '=');

		if (eq == NULL)
			cli_usage_error(&cli, "--levels takes COL=L,...");
		*eq = '\0';
		for (j = 0; j < in->nqi; j++)
			if (strlen(item) == in->names[j].len &&
			    memcmp(item, in->names[j].data, in->names[j].len) ==
				0)
				break;
		if (j == in->nqi)
			cli_usage_error(&cli,
					"--levels %s: not one of the "
					"quasi-identifiers",
					item);
		if (seen[j]++)
			cli_usage_error(&cli, "--levels %s given twice", item);
		lv[j] = (size_t)cli_parse_count(&cli, "--levels", eq + 1, 0,
						1000000);
	}
	for (j = 0; j < in->nqi; j++)
		if (!seen[j])
			cli_usage_error(&cli, "--levels: no level for %.*s",
					(int)in->names[j].len,
					in->names[j].data);
	free(seen);
	free(list);
	return lv;
}

/* Global recoding: the lattice's optimum, or the --levels node. */
static int
run_global(const struct options *o, struct input *in, prep_recode_result *r)
{
	prep_lattice_options lo;
	size_t *lv = o->levels ? parse_levels(o, in) : NULL, j;
	uint64_t nodes;
	int found;
	prep_status st;

	for (j = 0; j < in->nqi; j++)
		if (in->hier[j] == NULL)
			cli_usage_error(
			    &cli,
			    "global recoding needs a --hierarchy for "
			    "every quasi-identifier (%.*s has none)",
			    (int)in->names[j].len, in->names[j].data);
	memset(&lo, 0, sizeof lo);
	lo.metric = o->metric;
	lo.max_nodes = o->max_nodes;
	lo.levels = lv;
	st = prep_lattice_search(in->rin, &lo, r, &found);
	if (st == PREP_ERR_LIMIT) {
		(void)prep_lattice_nodes(in->rin, &nodes);
		cli_fatal(&cli,
			  "the lattice has %llu nodes, more than --max-nodes "
			  "%llu: use fewer quasi-identifiers or shorter "
			  "hierarchies",
			  (unsigned long long)nodes,
			  (unsigned long long)(o->max_nodes
						   ? o->max_nodes
						   : PREP_LATTICE_MAX_NODES));
	}
	if (st == PREP_ERR_RANGE)
		cli_usage_error(&cli, "--levels: a level past its hierarchy");
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, "global recoding");
	free(lv);
	return found;
}

/* Local recoding: Mondrian's partition, finished. */
static int
run_local(struct input *in, prep_recode_result *r)
{
	uint64_t sup;
	int pass;
	prep_status st = prep_mondrian(in->rin, r);

	if (st == PREP_OK)
		st = prep_recode_finish(in->rin, r, &sup, &pass);
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, "local recoding");
	return pass;
}

/* The spool again, QIs released, suppressed rows dropped or marked. */
static void
write_data(const struct options *o, const struct input *in,
	   const prep_recode_result *r)
{
	prep_reader *rd = cli_spool_reader(&cli, in->spool);
	const prep_field *f;
	prep_field *row = NULL, star = {"*", 1};
	size_t n, t, c, j, cap = 0, nq = in->nqi;
	int mark = o->mark != NULL;
	prep_status st;

	cli_open_output(&cli);
	if ((f = prep_reader_header(rd, &n)) != NULL) {
		if ((row = malloc((n + 1) * sizeof *row)) == NULL)
			cli_fatal(&cli, "out of memory");
		memcpy(row, f, n * sizeof *f);
		if (mark)
			row[n] = (prep_field){o->mark, strlen(o->mark)};
		cli_write_check(&cli,
				prep_writer_row(cli.writer, row, n + mark));
		free(row);
		row = NULL;
	}
	while ((st = prep_reader_next_row(rd, &f, &n)) == PREP_OK) {
		if (prep_classes_find(in->classes, f, &t) != PREP_OK)
			cli_fatal(&cli, "spool: record of no class");
		c = r->class_of[t];
		if (!r->kept[c] && !mark)
			continue;
		if (row == NULL || n + 1 > cap) {
			free(row);
			cap = n + 1;
			if ((row = malloc(cap * sizeof *row)) == NULL)
				cli_fatal(&cli, "out of memory");
		}
		if (n > 0)
			memcpy(row, f, n * sizeof *f);
		for (j = 0; j < nq; j++)
			row[in->qi[j]] =
			    r->kept[c] ? r->release[c * nq + j] : star;
		row[n] =
		    r->kept[c] ? (prep_field){"0", 1} : (prep_field){"1", 1};
		cli_write_check(&cli,
				prep_writer_row(cli.writer, row, n + mark));
	}
	if (st != PREP_END)
		cli_fatal_status(&cli, st, "spool");
	free(row);
	prep_reader_free(rd);
	cli_finish(&cli);
}

static void
report(const struct options *o, const prep_recode_report *rep)
{
	FILE *f;
	prep_status st;
	char line[1024];

	if (o->report_only) {
		f = cli_report_begin(&cli);
		st = o->json ? prep_recode_report_json(f, rep)
			     : prep_recode_report_text(f, rep);
		if (st == PREP_ERR_NOMEM)
			cli_fatal(&cli, "out of memory");
		cli_report_end(&cli, f);
	} else if (o->verbose) {
		st = o->json ? prep_recode_report_json(stderr, rep)
			     : prep_recode_report_text(stderr, rep);
		if (st == PREP_ERR_NOMEM)
			cli_fatal(&cli, "out of memory");
	} else if (prep_recode_report_summary(rep, line, sizeof line) ==
		   PREP_OK) {
		cli_note(&cli, "%s", line);
	} else {
		cli_note(&cli, "%s", rep->satisfied ? "done" : "no solution");
	}
}

int
main(int argc, char **argv)
{
	struct options o;
	struct input in;
	prep_recode_result r;
	prep_recode_figures fig;
	prep_recode_report rep;
	double start = cli_now();
	size_t j;
	int global, ok;

	cli_init(&cli, "kanon", usage);
	parse_options(argc, argv, &o);
	read_input(&o, argc - optind, argv + optind, &in);
	if (in.classes == NULL) {
		/* --allow-empty: an empty output, as every filter writes */
		if (!o.report_only) {
			cli_open_output(&cli);
			cli_finish(&cli);
		}
		prep_reader_free(cli.reader);
		return 0;
	}
	prepare(&o, &in);
	global = o.method ? strcmp(o.method, "global") == 0
			  : o.nhier == in.nqi && in.nqi > 0;
	ok = global ? run_global(&o, &in, &r) : run_local(&in, &r);
	if (prep_recode_metrics(in.rin, &r, &fig) != PREP_OK)
		cli_fatal(&cli, "out of memory");
	memset(&rep, 0, sizeof rep);
	rep.method = global ? "global" : "local";
	rep.metric = o.metric;
	rep.in = in.rin;
	rep.r = &r;
	rep.f = &fig;
	rep.hier_path = in.hier_path;
	rep.seconds = cli_now() - start;
	rep.satisfied = ok;
	if (ok && !o.report_only)
		write_data(&o, &in, &r);
	report(&o, &rep);
	prep_recode_result_free(&r);
	prep_recode_input_free(in.rin);
	for (j = 0; j < in.nqi; j++)
		prep_hierarchy_free(in.hier[j]);
	free(in.hier);
	free(in.hier_path);
	for (j = 0; j < in.nqi; j++)
		free((char *)in.names[j].data);
	free(in.names);
	free(in.number);
	free(in.qi);
	prep_spool_free(in.spool);
	prep_classes_free(in.classes);
	prep_reader_free(cli.reader);
	return ok ? 0 : EXIT_CHECK_FAILED;
}
