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
prep_hierarchy *
kanon_load_hierarchy(const char *path)
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

/* Room for the QIs' hierarchies, their files and names. */
void
kanon_input_alloc(struct input *in)
{
	in->hier = calloc(in->nqi + 1, sizeof(prep_hierarchy *));
	in->hier_path = calloc(in->nqi + 1, sizeof *in->hier_path);
	in->names = calloc(in->nqi + 1, sizeof *in->names);
	in->number = calloc(in->nqi + 1, sizeof *in->number);
	if (!in->hier || !in->hier_path || !in->names || !in->number)
		cli_fatal(&cli, "out of memory");
}

/* The QIs' names, and each --hierarchy on its QI. */
static void
bind_hierarchies(const struct options *o, struct input *in)
{
	size_t i, j;

	kanon_input_alloc(in);
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
		in->hier[j] = kanon_load_hierarchy(o->hier[i].path);
		in->hier_path[j] = o->hier[i].path;
	}
}

/* A row's QI values, each in its hierarchy (the cell is never shown). */
static const char *
check_row(const prep_field *f, void *ctx, size_t *col)
{
	const struct input *in = ctx;
	size_t j, row;

	for (j = 0; j < in->nqi; j++)
		if (in->hier[j] &&
		    prep_hierarchy_row(in->hier[j], f[in->qi[j]].data,
				       f[in->qi[j]].len, &row) != PREP_OK) {
			*col = in->qi[j];
			return "value not in the --hierarchy file";
		}
	return NULL;
}

long
kanon_bind_input(const struct options *o, int nfiles, char **files,
		 struct input *in)
{
	const prep_field *header;
	size_t ncols, j;
	long si;

	memset(in, 0, sizeof *in);
	in->mark = -1;
	cli_open_input(&cli, nfiles, files);
	header = prep_reader_header(cli.reader, &ncols);
	if (ncols == 0)
		return -2; /* an empty input, --allow-empty: nothing to do */
	cli_check_columns(&cli, &o->k, &in->qi, &in->nqi, &si);
	for (j = 0; o->mark && header && j < ncols; j++)
		if (strlen(o->mark) == header[j].len &&
		    memcmp(o->mark, header[j].data, header[j].len) == 0)
			cli_usage_error(&cli,
					"--mark-suppressed %s: the input has "
					"that column already",
					o->mark);
	bind_hierarchies(o, in);
	return si;
}

/*
 * The tuples of the input, and the input spooled (unless -r or
 * --partial); for global recoding in canonical order
 * (prep_classes_canonical), so that the figures, whose floating-point
 * sums walk the tuples in order, are those of a merge of partials
 * (kanon --merge) to the last bit.
 */
void
kanon_read_input(const struct options *o, int nfiles, char **files,
		 struct input *in)
{
	prep_classes *canon;
	long si = kanon_bind_input(o, nfiles, files, in);
	prep_status st;

	if (si == -2)
		return;
	st = prep_classes_new(in->qi, in->nqi, si, (size_t)o->k.max_classes,
			      &in->classes);
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, "classes");
	if (!o->report_only && !o->partial)
		in->spool = cli_spool_new(&cli, 0);
	cli_classes_read(&cli, in->classes, o->k.max_classes, in->spool,
			 check_row, in);
	if (!kanon_global(o, in) || o->partial)
		return;
	if ((st = prep_classes_canonical(in->classes, &canon)) != PREP_OK)
		cli_fatal_status(&cli, st, "classes");
	prep_classes_free(in->classes);
	in->classes = canon;
}

int
kanon_global(const struct options *o, const struct input *in)
{
	return o->method ? strcmp(o->method, "global") == 0
			 : o->nhier == in->nqi && in->nqi > 0;
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

void
kanon_check_levels(const struct options *o, const struct input *in)
{
	size_t *lv = parse_levels(o, in), j;

	for (j = 0; j < in->nqi; j++) {
		if (in->hier[j] == NULL)
			cli_usage_error(
			    &cli,
			    "global recoding needs a --hierarchy for "
			    "every quasi-identifier (%.*s has none)",
			    (int)in->names[j].len, in->names[j].data);
		if (lv[j] > prep_hierarchy_levels(in->hier[j]))
			cli_usage_error(&cli,
					"--levels: a level past its hierarchy");
	}
	free(lv);
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

/* The next record of rd, or of the input when rd is NULL; NULL: no more. */
static const prep_field *
next_row(prep_reader *rd, size_t *n)
{
	const prep_field *f;
	prep_status st;

	if (rd == NULL)
		return cli_next_row(&cli, n);
	st = prep_reader_next_row(rd, &f, n);
	if (st == PREP_END)
		return NULL;
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, "spool");
	return f;
}

/*
 * The records again, QIs released, suppressed rows dropped or marked:
 * those of the spool, or with --state those of the input (the output of
 * a --part after the first drops the header, as every filter's), each
 * found in the class table by its QIs.
 */
void
kanon_write_data(const struct options *o, const struct input *in,
		 const prep_recode_result *r)
{
	prep_reader *rd = in->spool ? cli_spool_reader(&cli, in->spool) : NULL;
	const prep_field *f;
	prep_field *row = NULL, star = {"*", 1};
	prep_field *key = calloc(in->nqi + 1, sizeof *key);
	size_t n, t, c, j, cap = 0, nq = in->nqi;
	int mark = o->mark != NULL;

	if (key == NULL)
		cli_fatal(&cli, "out of memory");
	cli_open_output(&cli);
	f = prep_reader_header(rd ? rd : cli.reader, &n);
	if (rd == NULL && !cli.csv.has_header)
		f = NULL; /* the input's first record, not a header */
	if (f != NULL) {
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
	while ((f = next_row(rd, &n)) != NULL) {
		for (j = 0; j < nq; j++)
			key[j] = f[in->qi[j]];
		if (prep_classes_find_key(in->classes, key, &t) != PREP_OK) {
			if (rd != NULL)
				cli_fatal(&cli, "spool: record of no class");
			cli_fatal_at(&cli, prep_reader_where(cli.reader),
				     "a record of a class the state does not "
				     "hold: the state was not made from this "
				     "input");
		}
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
	free(row);
	free(key);
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

int
kanon_finish(const struct options *o, struct input *in, double start,
	     json_t *state_options)
{
	prep_recode_result r;
	prep_recode_figures fig;
	prep_recode_report rep;
	int global, ok;

	kanon_prepare(o, in);
	global = kanon_global(o, in);
	ok = global ? kanon_run_global(o, in, &r) : kanon_run_local(in, &r);
	if (prep_recode_metrics(in->rin, &r, &fig) != PREP_OK)
		cli_fatal(&cli, "out of memory");
	memset(&rep, 0, sizeof rep);
	rep.method = global ? "global" : "local";
	rep.metric = o->metric;
	rep.in = in->rin;
	rep.r = &r;
	rep.f = &fig;
	rep.hier_path = in->hier_path;
	rep.seconds = cli_now() - start;
	rep.satisfied = ok;
	if (state_options != NULL && !o->report_only)
		cli_state_write(&cli, state_options, in->classes,
				in->state_names, 1);
	else if (state_options != NULL)
		json_decref(state_options);
	else if (ok && !o->report_only)
		kanon_write_data(o, in, &r);
	kanon_report(o, &rep);
	kanon_audit(o, in, &rep);
	prep_recode_result_free(&r);
	return ok ? 0 : EXIT_CHECK_FAILED;
}

void
kanon_input_free(struct input *in)
{
	size_t j;

	prep_recode_input_free(in->rin);
	for (j = 0; in->hier && j < in->nqi; j++)
		prep_hierarchy_free(in->hier[j]);
	free(in->hier);
	free(in->hier_path);
	for (j = 0; in->names && j < in->nqi; j++)
		free((char *)in->names[j].data);
	free(in->names);
	free(in->number);
	free(in->qi);
	prep_spool_free(in->spool);
	prep_classes_free(in->classes);
	memset(in, 0, sizeof *in);
}
