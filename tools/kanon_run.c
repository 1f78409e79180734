/*
 * kanon_run.c: kanon's run (see kanon.c): the pass over the input with
 * its hierarchies, the recoding, the data written again from the spool,
 * and the report.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kanon_run.h"
#include "lattice.h"
#include "mondrian.h"

struct cli cli;

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
void
kanon_read_input(const struct options *o, int nfiles, char **files,
		 struct input *in)
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
void
kanon_prepare(const struct options *o, struct input *in)
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
int
kanon_run_global(const struct options *o, struct input *in,
		 prep_recode_result *r)
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
int
kanon_run_local(struct input *in, prep_recode_result *r)
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
void
kanon_write_data(const struct options *o, const struct input *in,
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
			    r->kept[c] ? *prep_recode_text(r, c, j) : star;
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

void
kanon_report(const struct options *o, const prep_recode_report *rep)
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

/* kcheck's report of an empty input: no class, every check met. */
static prep_status
empty_checks(const struct options *o, prep_kanon_report *k)
{
	static const size_t srun[1] = {0};
	prep_kanon_table t;

	memset(&t, 0, sizeof t);
	t.srun = o->k.sens ? srun : NULL;
	return prep_kanon_evaluate_table(&t, &o->k.p, k);
}

void
kanon_audit(const struct options *o, const struct input *in,
	    const prep_recode_report *rep)
{
	prep_kanon_report k;
	prep_status st;
	char *name;
	size_t j;

	if (!cli_audit_on(&cli))
		return;
	st =
	    rep ? prep_recode_checks(rep->in, rep->r, &k) : empty_checks(o, &k);
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, "audit record");
	cli_checks_audit(&cli, rep ? &rep->in->params : &o->k.p, &k,
			 o->max_suppress_given, rep && !rep->satisfied);
	prep_kanon_report_free(&k);
	if (rep == NULL)
		return;
	cli_audit_check_text(&cli, "method", rep->method, NULL, -1);
	cli_audit_check_text(&cli, "metric",
			     prep_recode_metric_name(rep->metric), NULL, -1);
	for (j = 0; rep->r->levels && j < in->nqi; j++) {
		if ((name = malloc(in->names[j].len + 7)) == NULL)
			cli_fatal(&cli, "out of memory");
		memcpy(name, "level:", 6);
		memcpy(name + 6, in->names[j].data, in->names[j].len);
		name[6 + in->names[j].len] = '\0';
		cli_audit_figure(&cli, name, (double)rep->r->levels[j]);
		free(name);
	}
	cli_audit_figure(&cli, "loss", rep->f->loss);
	cli_audit_figure(&cli, "dm", (double)rep->f->dm);
	cli_audit_figure(&cli, "aecs", rep->f->aecs);
	cli_audit_figure(&cli, "gcp", rep->f->gcp);
	cli_audit_figure(&cli, "nodes_checked", (double)rep->r->nodes_checked);
}
