/*
 * fairness_bias.c: fairness's two modes that look for sources of bias
 * before anything is reweighted (man1/fairness.1, Representation and
 * Proxies): --population, the groups of the input against a
 * population's shares (libprep/fairness_repr.c), and --proxies, how
 * strongly each column stands in for the protected attribute
 * (libprep/fairness_proxies.c).
 *
 * Both read the input once, counting into a table per thread that are
 * added up after; both write a table (CSV) or one JSON object, never the
 * data, then the summary, warnings and failed gates on stderr, and the
 * figures and gates into the audit record.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fairness_bias.h"
#include "gate.h"
#include "text.h"

/* The -g columns of the open input (none named twice) and their labels. */
struct groups {
	size_t *g, ng;
	prep_field *names;
	char *text; /* the numbers among the labels (-H) */
};

static void
groups_open(const struct bias_opts *o, struct groups *gr)
{
	enum { WIDTH = PREP_COLUMNS_LABEL_SIZE };
	size_t ncols, i;
	unsigned char *seen;

	prep_reader_header(cli.reader, &ncols);
	gr->g = cli_columns(&cli, "-g", o->groups, &gr->ng);
	seen = cli_column_counts(&cli, gr->g, gr->ng, ncols);
	for (i = 0; i < gr->ng && seen[gr->g[i]] < 2; i++)
		;
	free(seen);
	if (i < gr->ng)
		cli_usage_error(&cli, "-g names column %zu twice",
				gr->g[i] + 1);
	gr->names = calloc(gr->ng ? gr->ng : 1, sizeof *gr->names);
	gr->text = malloc(gr->ng ? gr->ng * WIDTH : 1);
	if (gr->names == NULL || gr->text == NULL)
		cli_fatal(&cli, "out of memory");
	for (i = 0; i < gr->ng; i++)
		gr->names[i] =
		    cli_column_label(&cli, gr->g[i], gr->text + i * WIDTH);
}

static void
groups_free(struct groups *gr)
{
	free(gr->g);
	free(gr->names);
	free(gr->text);
}

/* Does the input have a header record (the table then has one too)? */
static int
input_header(void)
{
	size_t n;

	return prep_reader_header(cli.reader, &n) != NULL;
}

/* The input has columns (an empty input under --allow-empty has none). */
static int
input_columns(void)
{
	size_t n;

	prep_reader_header(cli.reader, &n);
	return n > 0;
}

/* The bound of a failed gate, as written, the figure past it. */
static void
gate_failed(const char *opt, const char *text, double bound, const char *what,
	    double v, int at_most)
{
	char buf[64];

	if (isnan(v))
		cli_note(&cli, "%s %s failed: %s is NA", opt, text, what);
	else
		cli_note(
		    &cli, "%s %s failed: %s %s %s %s", opt, text, what,
		    prep_gate_failing_text(v, bound, at_most, buf, sizeof buf),
		    at_most ? ">" : "<", text);
}

/* ---- --population ---- */

/* One worker of the count: its table, and what it refused. */
struct repr_worker {
	prep_repr *t;
	const struct groups *gr;
	int json;
	prep_status st;
	size_t bad; /* --json: the group column that is no UTF-8 */
};

static prep_status
repr_row(void *arg, const prep_field *row, size_t n, const prep_par_row *at,
	 prep_writer *out)
{
	struct repr_worker *k = arg;
	size_t i, c;

	(void)n;
	(void)out;
	for (i = 0; k->json && i < k->gr->ng; i++) {
		const prep_field *f = &row[k->gr->g[i]];

		if (prep_utf8_count(f->data, f->len, &c) != PREP_OK) {
			k->bad = i;
			return k->st = PREP_ERR_UTF8;
		}
	}
	return k->st = prep_repr_add(k->t, row, at->piece << 32 | at->index);
}

/* Every row into r, on cli.threads threads. */
static void
repr_count(const struct bias_opts *o, const struct groups *gr, prep_repr *r)
{
	static const prep_par_job job = {.row = repr_row};
	unsigned nt = cli.threads, t;
	struct repr_worker *k = calloc(nt, sizeof *k);
	void **ctx = calloc(nt, sizeof *ctx);
	prep_par_result res;
	prep_status st = PREP_OK;

	if (k == NULL || ctx == NULL)
		cli_fatal(&cli, "out of memory");
	for (t = 0; t < nt; t++) {
		k[t].t = r;
		k[t].gr = gr;
		k[t].json = o->json;
		if (t > 0 && prep_repr_new(gr->g, gr->ng, &k[t].t) != PREP_OK)
			cli_fatal(&cli, "out of memory");
		ctx[t] = &k[t];
	}
	if (cli_run_rows(&cli, NULL, &job, ctx, &res) != PREP_OK) {
		struct repr_worker bad = k[res.worker];

		for (t = 1; t < nt; t++)
			prep_repr_free(k[t].t);
		free(k);
		free(ctx);
		if (bad.st == PREP_ERR_UTF8)
			cli_fatal_cell_at(&cli, res.where, gr->g[bad.bad],
					  "not UTF-8 text, which --json needs");
		if (bad.st == PREP_ERR_LIMIT)
			cli_fatal_at(&cli, res.where, "more than %zu groups",
				     PREP_REPR_MAX_GROUPS);
		cli_fatal_status(&cli, bad.st, "groups");
	}
	for (t = 1; t < nt; t++) {
		if (st == PREP_OK)
			st = prep_repr_merge(r, k[t].t);
		prep_repr_free(k[t].t);
	}
	free(k);
	free(ctx);
	if (st == PREP_ERR_LIMIT)
		cli_fatal(&cli, "more than %zu groups", PREP_REPR_MAX_GROUPS);
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, "groups");
	cli_progress_end(&cli);
}

/* The population file into r; exits 2 naming its place on error. */
static void
repr_load(const struct bias_opts *o, const struct groups *gr, prep_repr *r)
{
	prep_repr_fault f;
	prep_status st = prep_repr_population_load(r, o->population, &cli.csv,
						   gr->names, &f);

	if (st == PREP_OK)
		return;
	if (st == PREP_ERR_MEMORY)
		cli_fatal_status(&cli, st, o->population);
	cli_fatal_at(&cli, f.where, "%s", f.why);
}

/* The name of the i-th group of the table in a check (cli_audit_group). */
static char *
repr_check_name(const prep_repr *r, const struct groups *gr, const char *prefix,
		size_t i)
{
	prep_field *v = NULL;
	char *name;

	if (cli.audit_groups && ((v = calloc(gr->ng, sizeof *v)) == NULL ||
				 prep_repr_group_at(r, i, NULL, v) != PREP_OK))
		cli_fatal(&cli, "out of memory");
	name = cli_audit_group(&cli, prefix, i, v, gr->ng);
	free(v);
	return name;
}

/*
 * The record's checks: the gates tvd and representation_ratio.min (each
 * a figure without its option), chi2, df, p_value, then the figures of
 * each group in the table's order.
 */
static void
repr_audit(const struct bias_opts *o, const prep_repr *r,
	   const struct groups *gr, const prep_repr_summary *s, unsigned fail)
{
	static const char *const prefix[] = {
	    "count:", "sample_share:", "population_share:",
	    "representation_ratio:", "difference:"};
	const prep_repr_gates *g = &o->repr;
	prep_repr_group grp;
	size_t i, j, n = r ? prep_repr_groups(r) : 0;

	if (!cli_audit_on(&cli))
		return;
	cli_audit_check(&cli, "tvd", s->tvd, g->max_tvd_set ? g->max_tvd : NAN,
			g->max_tvd_set ? !(fail & PREP_REPR_FAIL_TVD) : -1);
	cli_audit_check(&cli, "representation_ratio.min", s->min_ratio,
			g->min_ratio_set ? g->min_ratio : NAN,
			g->min_ratio_set ? !(fail & PREP_REPR_FAIL_RATIO) : -1);
	cli_audit_figure(&cli, "chi2", s->chi2);
	cli_audit_figure(&cli, "df", s->df);
	cli_audit_figure(&cli, "p_value", s->p_value);
	for (i = 0; i < n; i++) {
		double v[5];

		(void)prep_repr_group_at(r, i, &grp, NULL);
		v[0] = (double)grp.count;
		v[1] = grp.sample_share;
		v[2] = grp.population_share;
		v[3] = grp.ratio;
		v[4] = grp.difference;
		for (j = 0; j < 5; j++) {
			char *name = repr_check_name(r, gr, prefix[j], i);

			cli_audit_figure(&cli, name, v[j]);
			free(name);
		}
	}
}

/* stderr once the report is out: summary, warnings, failed gates. */
static unsigned
repr_messages(const struct bias_opts *o, const prep_repr *r,
	      const prep_repr_summary *s)
{
	const prep_repr_gates *g = &o->repr;
	unsigned fail = prep_repr_check(s, g);
	prep_repr_group grp;
	size_t i, n = r ? prep_repr_groups(r) : 0;
	char what[96];

	if (!cli.quiet && !o->json)
		(void)prep_repr_report_summary(stderr, s, g);
	if (s->unlisted)
		cli_warn(&cli,
			 "%zu group%s of the input %s not in %s: no "
			 "representation_ratio, and no chi2 or p_value",
			 s->unlisted, s->unlisted == 1 ? "" : "s",
			 s->unlisted == 1 ? "is" : "are", o->population);
	if (s->absent)
		cli_warn(&cli, "%zu group%s of %s %s no row in the input",
			 s->absent, s->absent == 1 ? "" : "s", o->population,
			 s->absent == 1 ? "has" : "have");
	if ((fail & PREP_REPR_FAIL_RATIO) && (n == 0 || s->n == 0))
		gate_failed("--min-representation", o->min_repr, g->min_ratio,
			    "representation_ratio", NAN, 0);
	for (i = 0; (fail & PREP_REPR_FAIL_RATIO) && s->n > 0 && i < n; i++) {
		(void)prep_repr_group_at(r, i, &grp, NULL);
		if (!prep_repr_group_fails(&grp, g))
			continue;
		(void)snprintf(what, sizeof what,
			       "representation_ratio of group #%zu", i + 1);
		gate_failed("--min-representation", o->min_repr, g->min_ratio,
			    what, grp.ratio, 0);
	}
	if (fail & PREP_REPR_FAIL_TVD)
		gate_failed("--max-tvd", o->max_tvd, g->max_tvd, "tvd", s->tvd,
			    1);
	return fail;
}

int
run_population(const struct bias_opts *o, int nfiles, char **files)
{
	struct groups gr;
	prep_repr *r = NULL;
	prep_repr_summary s;
	unsigned fail;
	size_t bad;
	int i, stdin_data = nfiles == 0;
	prep_status st;

	for (i = 0; i < nfiles; i++)
		stdin_data |= strcmp(files[i], "-") == 0;
	if (strcmp(o->population, "-") == 0 && stdin_data)
		cli_usage_error(&cli, "--population -: the standard input "
				      "holds the data");
	memset(&gr, 0, sizeof gr);
	memset(&s, 0, sizeof s);
	s.chi2 = s.p_value = s.tvd = s.df = s.min_ratio = NAN;
	cli_audit_file(&cli, "--population", o->population);
	cli_open_input(&cli, nfiles, files);
	if (input_columns()) {
		groups_open(o, &gr);
		if (o->json && (st = prep_repr_json_names(gr.names, gr.ng,
							  &bad)) != PREP_OK)
			cli_usage_error(
			    &cli,
			    st == PREP_ERR_UTF8
				? "--json: the name of group column "
				  "%zu is not UTF-8 text"
				: "--json: group column %zu has the "
				  "name of a table column or of "
				  "another group column",
			    gr.g[bad] + 1);
		if (prep_repr_new(gr.g, gr.ng, &r) != PREP_OK)
			cli_fatal(&cli, "out of memory");
		repr_load(o, &gr, r);
		repr_count(o, &gr, r);
		if (prep_repr_finish(r, &s) != PREP_OK)
			cli_fatal(&cli, "out of memory");
	}
	cli_open_report(&cli);
	if (o->json)
		st = prep_repr_report_json(r, gr.names, &s, &o->repr,
					   cli.writer);
	else
		st = r ? prep_repr_report_table(r, gr.names, input_header(),
						cli.writer)
		       : PREP_OK;
	if (st == PREP_ERR_NOMEM)
		cli_fatal(&cli, "out of memory");
	cli_write_check(&cli, st);
	cli_finish(&cli);
	fail = repr_messages(o, r, &s);
	repr_audit(o, r, &gr, &s, fail);
	prep_repr_free(r);
	groups_free(&gr);
	return fail ? EXIT_CHECK_FAILED : 0;
}

/* ---- --proxies ---- */

struct proxy_worker {
	prep_proxies *t;
	prep_status st;
};

static prep_status
proxy_row(void *arg, const prep_field *row, size_t n, const prep_par_row *at,
	  prep_writer *out)
{
	struct proxy_worker *k = arg;

	(void)n;
	(void)at;
	(void)out;
	return k->st = prep_proxies_add(k->t, row);
}

/* A refusal of the count: the protected attribute's levels, memory. */
static void __attribute__((noreturn))
proxy_fatal(prep_status st, const prep_where *w, size_t max_levels)
{
	if (st == PREP_ERR_LIMIT && w)
		cli_fatal_at(
		    &cli, *w,
		    "the -g columns have more than %zu distinct values "
		    "(--max-levels)",
		    max_levels);
	if (st == PREP_ERR_LIMIT)
		cli_fatal(&cli,
			  "the -g columns have more than %zu distinct values "
			  "(--max-levels)",
			  max_levels);
	cli_fatal_status(&cli, st, "proxies");
}

static void
proxy_count(const prep_proxies_params *p, prep_proxies *x, size_t max_levels)
{
	static const prep_par_job job = {.row = proxy_row};
	unsigned nt = cli.threads, t;
	struct proxy_worker *k = calloc(nt, sizeof *k);
	void **ctx = calloc(nt, sizeof *ctx);
	prep_par_result res;
	prep_status st = PREP_OK;

	if (k == NULL || ctx == NULL)
		cli_fatal(&cli, "out of memory");
	for (t = 0; t < nt; t++) {
		k[t].t = x;
		if (t > 0 && prep_proxies_new(p, &k[t].t) != PREP_OK)
			cli_fatal(&cli, "out of memory");
		ctx[t] = &k[t];
	}
	if (cli_run_rows(&cli, NULL, &job, ctx, &res) != PREP_OK) {
		prep_status bad = k[res.worker].st;

		for (t = 1; t < nt; t++)
			prep_proxies_free(k[t].t);
		free(k);
		free(ctx);
		proxy_fatal(bad, &res.where, max_levels);
	}
	for (t = 1; t < nt; t++) {
		if (st == PREP_OK)
			st = prep_proxies_merge(x, k[t].t);
		prep_proxies_free(k[t].t);
	}
	free(k);
	free(ctx);
	if (st != PREP_OK)
		proxy_fatal(st, NULL, max_levels);
	cli_progress_end(&cli);
}

/*
 * The candidate columns: --proxies=COLS (none a -g column, none twice),
 * or every column that is not a -g column.
 */
static size_t *
proxy_columns(const struct bias_opts *o, const struct groups *gr, size_t *n)
{
	size_t ncols, i, j, *c;
	unsigned char *seen;

	prep_reader_header(cli.reader, &ncols);
	if (o->proxy_cols) {
		size_t twice = SIZE_MAX, grouped = SIZE_MAX;

		c = cli_columns(&cli, "--proxies", o->proxy_cols, n);
		seen = cli_column_counts(&cli, c, *n, ncols);
		for (i = 0; i < *n && twice == SIZE_MAX && grouped == SIZE_MAX;
		     i++) {
			if (seen[c[i]] > 1)
				twice = c[i];
			for (j = 0; j < gr->ng; j++)
				if (c[i] == gr->g[j])
					grouped = c[i];
		}
		free(seen);
		if (twice != SIZE_MAX || grouped != SIZE_MAX)
			free(c);
		if (twice != SIZE_MAX)
			cli_usage_error(&cli,
					"--proxies names column %zu twice",
					twice + 1);
		if (grouped != SIZE_MAX)
			cli_usage_error(&cli,
					"--proxies: column %zu is a -g column",
					grouped + 1);
		return c;
	}
	seen = cli_column_counts(&cli, gr->g, gr->ng, ncols);
	if ((c = malloc((ncols ? ncols : 1) * sizeof *c)) == NULL)
		cli_fatal(&cli, "out of memory");
	for (i = 0, *n = 0; i < ncols; i++)
		if (!seen[i])
			c[(*n)++] = i;
	free(seen);
	return c;
}

/*
 * The labels of every column, header names or numbers (-H), copied: the
 * messages and the record use them once the reader is gone.
 */
static prep_field *
column_labels(char **text)
{
	char num[PREP_COLUMNS_LABEL_SIZE];
	size_t ncols, i, total = 0, at = 0;
	prep_field *l, f;

	prep_reader_header(cli.reader, &ncols);
	for (i = 0; i < ncols; i++)
		total += cli_column_label(&cli, i, num).len + 1;
	l = calloc(ncols ? ncols : 1, sizeof *l);
	*text = malloc(total ? total : 1);
	if (l == NULL || *text == NULL)
		cli_fatal(&cli, "out of memory");
	for (i = 0; i < ncols; i++) {
		f = cli_column_label(&cli, i, num);
		memcpy(*text + at, f.data, f.len);
		(*text)[at + f.len] = '\0';
		l[i].data = *text + at;
		l[i].len = f.len;
		at += f.len + 1;
	}
	return l;
}

/* The check name PREFIX:COLUMN (column names are not personal data). */
static void
proxy_figure(const char *prefix, const prep_field *name, double v)
{
	char buf[512];

	(void)snprintf(buf, sizeof buf, "%s:%.*s", prefix,
		       (int)(name->len < 400 ? name->len : 400), name->data);
	cli_audit_figure(&cli, buf, v);
}

/*
 * The record's checks: the gate strength.max (the strongest column's
 * strength; a figure without --max-proxy), rows, columns.skipped, then
 * cramers_v, eta, nmi and strength of each column in the table's order.
 */
static void
proxy_audit(const struct bias_opts *o, const prep_proxy *list, size_t n,
	    size_t nskipped, uint64_t rows, const prep_field *labels, int pass)
{
	size_t i;

	if (!cli_audit_on(&cli))
		return;
	cli_audit_check(&cli, "strength.max", n ? list[0].strength : NAN,
			o->proxy.set ? o->proxy.max : NAN,
			o->proxy.set ? pass : -1);
	cli_audit_figure(&cli, "rows", (double)rows);
	cli_audit_figure(&cli, "columns.skipped", (double)nskipped);
	for (i = 0; i < n; i++) {
		const prep_field *name = &labels[list[i].column];

		proxy_figure("cramers_v", name, list[i].cramers_v);
		proxy_figure("eta", name, list[i].eta);
		proxy_figure("nmi", name, list[i].nmi);
		proxy_figure("strength", name, list[i].strength);
	}
}

/* stderr once the report is out: summary, skipped columns, the gate. */
static int
proxy_messages(const struct bias_opts *o, const prep_proxy *list, size_t n,
	       const size_t *skipped, size_t nskipped, const prep_field *labels)
{
	int pass = prep_proxies_check(list, n, &o->proxy);
	size_t i, max = o->max_levels ? o->max_levels
				      : PREP_PROXIES_DEFAULT_MAX_LEVELS;
	char what[512];

	if (!cli.quiet && !o->json)
		(void)prep_proxies_report_summary(stderr, list, n, labels,
						  &o->proxy);
	for (i = 0; i < nskipped; i++)
		cli_warn(&cli,
			 "column %zu (%.*s) skipped: more than %zu distinct "
			 "values (--max-levels)",
			 skipped[i] + 1, (int)labels[skipped[i]].len,
			 labels[skipped[i]].data, max);
	if (pass)
		return 1;
	if (n == 0 || isnan(list[0].strength))
		gate_failed("--max-proxy", o->max_proxy, o->proxy.max,
			    "strength", NAN, 1);
	for (i = 0; i < n && !isnan(list[i].strength); i++) {
		const prep_field *name = &labels[list[i].column];

		if (prep_gate_at_most(list[i].strength, o->proxy.max))
			break;
		(void)snprintf(what, sizeof what, "strength of %.*s",
			       (int)(name->len < 400 ? name->len : 400),
			       name->data);
		gate_failed("--max-proxy", o->max_proxy, o->proxy.max, what,
			    list[i].strength, 1);
	}
	return 0;
}

int
run_proxies(const struct bias_opts *o, int nfiles, char **files)
{
	struct groups gr;
	prep_proxies_params p;
	prep_proxies *x = NULL;
	const prep_proxy *list = NULL;
	const size_t *skipped = NULL;
	size_t n = 0, nskipped = 0, *cols = NULL, ncols = 0, *cat = NULL,
	       ncat = 0;
	prep_field *labels = NULL;
	char *text = NULL;
	prep_status st;
	int pass;

	memset(&gr, 0, sizeof gr);
	cli_open_input(&cli, nfiles, files);
	labels = column_labels(&text);
	if (input_columns()) {
		groups_open(o, &gr);
		cols = proxy_columns(o, &gr, &ncols);
		memset(&p, 0, sizeof p);
		p.protected = gr.g;
		p.nprotected = gr.ng;
		p.columns = cols;
		p.ncolumns = ncols;
		if (o->categorical)
			cat = cli_columns(&cli, "--categorical", o->categorical,
					  &ncat);
		p.categorical = cat;
		p.ncategorical = ncat;
		p.max_levels = o->max_levels;
		p.missing = cli.missing;
		p.names = input_header() ? prep_reader_header(cli.reader, NULL)
					 : NULL;
		if ((st = prep_proxies_new(&p, &x)) != PREP_OK)
			cli_fatal_status(&cli, st, "proxies");
		proxy_count(&p, x,
			    o->max_levels ? o->max_levels
					  : PREP_PROXIES_DEFAULT_MAX_LEVELS);
		if (prep_proxies_results(x, &list, &n, &skipped, &nskipped) !=
		    PREP_OK)
			cli_fatal(&cli, "out of memory");
	}
	cli_open_report(&cli);
	if (o->json)
		st = prep_proxies_report_json(list, n, skipped, nskipped,
					      labels, &o->proxy, cli.writer);
	else
		st = x ? prep_proxies_report_table(list, n, labels,
						   input_header(), cli.writer)
		       : PREP_OK;
	if (st == PREP_ERR_NOMEM)
		cli_fatal(&cli, "out of memory");
	cli_write_check(&cli, st);
	cli_finish(&cli);
	pass = proxy_messages(o, list, n, skipped, nskipped, labels);
	proxy_audit(o, list, n, nskipped, x ? prep_proxies_rows(x) : 0, labels,
		    pass);
	prep_proxies_free(x);
	free(cols);
	free(cat);
	free(labels);
	free(text);
	groups_free(&gr);
	return pass ? 0 : EXIT_CHECK_FAILED;
}
