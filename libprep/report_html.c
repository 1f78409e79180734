/*
 * report_html.c: the report as one self-contained HTML page (report.h):
 * inline CSS and SVG (svg.h), no script, no external resource, no link
 * but to the page's own anchors, printable (@media print).
 *
 * Every string of the evidence (file names, arguments, reasons, check
 * names and text values) goes through prep_text_xml; numbers through
 * prep_text_number. The page's order: title, generation, contents,
 * summary, pipelines (lineage graphs), data sources (profiles), runs,
 * charts, the checklist, and what prep does not record.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "svg.h"

static const char css[] =
    "body{font:14px/1.45 system-ui,sans-serif;color:#222;margin:2em auto;"
    "max-width:1100px;padding:0 1em}\n"
    "h1{font-size:1.7em;margin-bottom:.2em}h2{border-bottom:2px solid #ddd;"
    "margin-top:2em}h3{margin-top:1.5em}\n"
    "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid "
    "#ccc;padding:2px 8px;text-align:left;vertical-align:top}\n"
    "th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:"
    "tabular-nums}\n"
    "code{font:12px/1.3 ui-monospace,monospace;background:#f6f6f6;"
    "padding:0 2px}\n"
    ".pass{color:#1a6b3a;font-weight:bold}.fail{color:#b2182b;font-weight:"
    "bold}.abort{color:#555;font-weight:bold}.figure{color:#555}\n"
    ".ans-Yes{background:#e3f4e8}.ans-No{background:#fbe3e0}.ans-NA{"
    "background:#eee}\n"
    ".meta{color:#555}.box{fill:#fff;stroke-width:2}.boxname{font:bold "
    "13px sans-serif}\n"
    ".tick{font:11px sans-serif;fill:#333}.hash{font:10px monospace;"
    "fill:#555}\n"
    ".grid{stroke:#e5e5e5}.axis{stroke:#444}.edge{fill:none;stroke:#444;"
    "stroke-width:1.5}.limit{stroke:#000;stroke-width:2}\n"
    "svg{max-width:100%;height:auto}svg.defs{position:absolute}figure{margin:1em 0}figcaption{color:#555;"
    "font-size:.9em}\n"
    "@media print{body{max-width:none;margin:0}a{color:inherit;"
    "text-decoration:none}h2{break-before:auto}figure,table{break-inside:"
    "avoid}nav{display:none}}\n";

static void
run_link(prep_text *t, const prep_report_run *run)
{
	prep_text_put(t, "<a href=\"#run-");
	prep_text_xml(t, run->run_id);
	prep_text_printf(t, "\">run %zu</a>", run->number);
}

static void
value_cell(prep_text *t, const prep_report_value *v)
{
	if (v->kind == PREP_REPORT_NUMBER) {
		prep_text_put(t, "<td class=\"n\">");
		prep_text_number(t, v->number);
	} else if (v->kind == PREP_REPORT_TEXT) {
		prep_text_put(t, "<td>");
		prep_text_xml(t, v->text);
	} else {
		prep_text_put(t, "<td>");
	}
	prep_text_put(t, "</td>");
}

static void
count_cell(prep_text *t, int64_t v)
{
	if (v < 0)
		prep_text_put(t, "<td class=\"n\"></td>");
	else
		prep_text_printf(t, "<td class=\"n\">%lld</td>", (long long)v);
}

static const char *
status_word(const prep_report_run *run)
{
	const char *c = prep_report_run_class(run);

	return strcmp(c, "pass") == 0	? "completed"
	       : strcmp(c, "fail") == 0 ? "failed"
					: "aborted";
}

/* ---- the lineage graphs ---- */

static void
pipeline_graph(prep_text *t, const prep_report *r, size_t p)
{
	const prep_report_pipeline *pl = prep_report_pipeline_at(r, p);
	prep_svg_node *nodes = calloc(pl->nruns, sizeof *nodes);
	prep_svg_edge *edges = calloc(prep_report_nedges(r) + 1, sizeof *edges);
	char(*sub)[48] = calloc(pl->nruns, sizeof *sub);
	char(*href)[48] = calloc(pl->nruns, sizeof *href);
	char(*hash)[16] = calloc(prep_report_nedges(r) + 1, sizeof *hash);
	size_t *rows = calloc(pl->nruns + 1, sizeof *rows);
	size_t i, k, m = 0;
	char title[64];

	if (!nodes || !edges || !sub || !href || !hash || !rows) {
		t->st = PREP_ERR_NOMEM;
		goto done;
	}
	for (i = 0; i < pl->nruns; i++) {
		const prep_report_run *run = prep_report_run_at(r, pl->runs[i]);
		const char *c = prep_report_run_class(run);

		nodes[i].label = run->job;
		(void)snprintf(sub[i], sizeof sub[i], "run %zu: exit %lld%s",
			       run->number, run->exit_status,
			       strcmp(c, "abort") == 0 ? " (signal)" : "");
		nodes[i].sublabel = sub[i];
		(void)snprintf(href[i], sizeof href[i], "#run-%s", run->run_id);
		nodes[i].href = href[i];
		nodes[i].color = strcmp(c, "pass") == 0	  ? PREP_SVG_PASS
				 : strcmp(c, "fail") == 0 ? PREP_SVG_FAIL
							  : PREP_SVG_ABORT;
		nodes[i].col = run->depth < pl->nruns ? run->depth : 0;
		nodes[i].row = rows[nodes[i].col]++;
	}
	for (k = 0; k < prep_report_nedges(r); k++) {
		const prep_report_edge *e = prep_report_edge_at(r, k);
		size_t a = SIZE_MAX, b = SIZE_MAX;

		for (i = 0; i < pl->nruns; i++) {
			if (pl->runs[i] == e->from)
				a = i;
			if (pl->runs[i] == e->to)
				b = i;
		}
		if (a == SIZE_MAX || b == SIZE_MAX)
			continue;
		(void)snprintf(hash[m], sizeof hash[m], "%.8s", e->sha256);
		edges[m].from = a;
		edges[m].to = b;
		edges[m].label = hash[m];
		m++;
	}
	(void)snprintf(title, sizeof title, "Lineage of pipeline %zu", p + 1);
	if (t->st == PREP_OK)
		t->st = prep_svg_graph(t, title, nodes, pl->nruns, edges, m);
done:
	free(nodes);
	free(edges);
	free(sub);
	free(href);
	free(hash);
	free(rows);
}

static void
releases_of(prep_text *t, const prep_report *r, const prep_report_pipeline *pl)
{
	size_t i, k, n = 0;

	for (i = 0; i < pl->nruns; i++) {
		const prep_report_run *run = prep_report_run_at(r, pl->runs[i]);

		if (!run->is_release)
			continue;
		prep_text_put(t, n++ ? ", " : "<p>Released: ");
		for (k = 0; k < run->noutputs; k++)
			if (run->outputs[k].sha256) {
				prep_text_put(t, "<code>");
				prep_text_xml(t, run->outputs[k].name);
				prep_text_printf(t, "</code> (sha256 %.12s, ",
						 run->outputs[k].sha256);
				break;
			}
		run_link(t, run);
		prep_text_put(t, ")");
	}
	prep_text_put(t, n ? ".</p>\n" : "<p>Nothing released.</p>\n");
}

/* ---- runs ---- */

static void
datasets_table(prep_text *t, const prep_report *r, const prep_report_run *run,
	       int out)
{
	const prep_report_dataset *d = out ? run->outputs : run->inputs;
	size_t n = out ? run->noutputs : run->ninputs, i, e;

	if (n == 0) {
		prep_text_printf(t, "<p>%s: none.</p>\n",
				 out ? "Outputs" : "Inputs");
		return;
	}
	prep_text_printf(t,
			 "<table><tr><th>%s</th><th>sha256</th><th>rows</th>"
			 "<th>columns</th><th>%s</th></tr>\n",
			 out ? "output" : "input", out ? "read by" : "from");
	for (i = 0; i < n; i++) {
		int any = 0;

		prep_text_put(t, "<tr><td><code>");
		prep_text_xml(t, d[i].name);
		prep_text_put(t, "</code></td><td>");
		if (d[i].sha256)
			prep_text_printf(t, "<code>%.12s</code>", d[i].sha256);
		prep_text_put(t, "</td>");
		count_cell(t, d[i].rows);
		count_cell(t, d[i].columns);
		prep_text_put(t, "<td>");
		for (e = 0; e < prep_report_nedges(r); e++) {
			const prep_report_edge *g = prep_report_edge_at(r, e);
			const prep_report_run *other;

			if (d[i].sha256 == NULL ||
			    strcmp(g->sha256, d[i].sha256) != 0)
				continue;
			if (out && prep_report_run_at(r, g->from) == run)
				other = prep_report_run_at(r, g->to);
			else if (!out && prep_report_run_at(r, g->to) == run)
				other = prep_report_run_at(r, g->from);
			else
				continue;
			prep_text_put(t, any++ ? ", " : "");
			run_link(t, other);
		}
		prep_text_put(t, "</td></tr>\n");
	}
	prep_text_put(t, "</table>\n");
}

static void
run_section(prep_text *t, const prep_report *r, const prep_report_run *run)
{
	const char *c = prep_report_run_class(run);
	size_t i;

	prep_text_put(t, "<h3 id=\"run-");
	prep_text_xml(t, run->run_id);
	prep_text_printf(t, "\">Run %zu: ", run->number);
	prep_text_xml(t, run->job);
	prep_text_printf(t, " <span class=\"%s\">%s</span></h3>\n", c,
			 status_word(run));
	prep_text_put(t, "<table>\n<tr><th>ended</th><td>");
	prep_text_xml(t, run->event_time);
	prep_text_put(t, "</td></tr>\n<tr><th>event</th><td>");
	prep_text_xml(t, run->event_type);
	prep_text_printf(t,
			 "</td></tr>\n<tr><th>exit status</th>"
			 "<td class=\"%s\">%lld</td></tr>\n",
			 c, run->exit_status);
	if (run->reason) {
		prep_text_put(t, "<tr><th>reason</th><td>");
		prep_text_xml(t, run->reason);
		prep_text_put(t, "</td></tr>\n");
	}
	prep_text_put(t, "<tr><th>arguments</th><td><code>");
	prep_text_xml(t, run->job);
	for (i = 0; i < run->narguments; i++) {
		prep_text_put(t, " ");
		prep_text_xml(t, run->arguments[i]);
	}
	prep_text_put(t, "</code></td></tr>\n");
	for (i = 0; i < run->nfiles; i++) {
		prep_text_put(t, i ? "<br>" : "<tr><th>files</th><td>");
		prep_text_put(t, "<code>");
		prep_text_xml(t, run->files[i].option);
		prep_text_put(t, " ");
		prep_text_xml(t, run->files[i].name);
		prep_text_printf(t, "</code> sha256 <code>%.12s</code>",
				 run->files[i].sha256 ? run->files[i].sha256
						      : "null");
		if (i + 1 == run->nfiles)
			prep_text_put(t, "</td></tr>\n");
	}
	prep_text_put(t, "<tr><th>seconds</th><td>");
	prep_text_number(t, run->seconds);
	prep_text_printf(t,
			 "</td></tr>\n<tr><th>pipeline</th><td>"
			 "<a href=\"#pipeline-%zu\">%zu</a>",
			 run->pipeline + 1, run->pipeline + 1);
	if (run->parent) {
		prep_text_put(t, " (PREP_RUN_ID <code>");
		prep_text_xml(t, run->parent);
		prep_text_put(t, "</code>)");
	}
	prep_text_put(t, "</td></tr>\n<tr><th>run id</th><td><code>");
	prep_text_xml(t, run->run_id);
	prep_text_put(t, "</code></td></tr>\n<tr><th>record</th><td><code>");
	prep_text_xml(t, run->file);
	prep_text_printf(t, "</code>, line %lu, prep ", run->line);
	prep_text_xml(t, run->version);
	prep_text_put(t, "</td></tr>\n</table>\n");
	datasets_table(t, r, run, 0);
	datasets_table(t, r, run, 1);
	if (run->nchecks == 0) {
		prep_text_put(t, "<p>No checks recorded.</p>\n");
		return;
	}
	prep_text_put(t, "<table><tr><th>check</th><th>observed</th>"
			 "<th>threshold</th><th>result</th></tr>\n");
	for (i = 0; i < run->nchecks; i++) {
		const prep_report_check *k = &run->checks[i];

		prep_text_put(t, "<tr><td><code>");
		prep_text_xml(t, k->name);
		prep_text_put(t, "</code></td>");
		value_cell(t, &k->observed);
		value_cell(t, &k->threshold);
		prep_text_put(t, k->passed == 1 ? "<td class=\"pass\">pass</td>"
				 : k->passed == 0
				     ? "<td class=\"fail\">fail</td>"
				     : "<td class=\"figure\">"
				       "figure</td>");
		prep_text_put(t, "</tr>\n");
	}
	prep_text_put(t, "</table>\n");
}

/* ---- charts ---- */

static void
figure_open(prep_text *t)
{
	prep_text_put(t, "<figure>\n");
}

static void
figure_close(prep_text *t, const char *caption_html_prefix,
	     const prep_report_run *run)
{
	prep_text_put(t, "<figcaption>");
	prep_text_xml(t, caption_html_prefix);
	if (run) {
		prep_text_put(t, " (");
		run_link(t, run);
		prep_text_put(t, ")");
	}
	prep_text_put(t, "</figcaption>\n</figure>\n");
}

static void
class_charts(prep_text *t, const prep_report *r)
{
	const char *labels[PREP_SVG_MAX_CATEGORIES];
	double values[PREP_SVG_MAX_CATEGORIES];
	static const char *const risks[] = {
	    "risk.prosecutor_max", "risk.prosecutor_avg",
	    "risk.records_at_risk", "risk.sample_uniqueness"};
	size_t i, n, k, shown = 0;

	prep_text_put(t, "<h3 id=\"chart-classes\">Class sizes and "
			 "re-identification risk</h3>\n");
	for (i = 0; i < prep_report_nruns(r); i++) {
		const prep_report_run *run = prep_report_run_at(r, i);
		const double *rv[1];
		prep_svg_series s;
		prep_svg_bars b;
		char title[96];
		double risk[4];
		const char *rl[4];

		n = prep_report_histogram(run, labels, values,
					  PREP_SVG_MAX_CATEGORIES);
		if (n == 0)
			continue;
		shown++;
		(void)snprintf(title, sizeof title,
			       "Classes by size, %s run %zu", run->job,
			       run->number);
		s.name = "classes";
		s.color = PREP_SVG_FIGURE;
		s.values = values;
		memset(&b, 0, sizeof b);
		b.title = title;
		b.categories = labels;
		b.ncategories = n;
		b.series = &s;
		b.nseries = 1;
		figure_open(t);
		if (t->st == PREP_OK)
			t->st = prep_svg_bar_chart(t, &b);
		figure_close(t,
			     "Number of equivalence classes of each size "
			     "(rows sharing their quasi-identifiers)",
			     run);
		for (k = n = 0; k < 4; k++) {
			const prep_report_check *c =
			    prep_report_find_check(run, risks[k]);

			if (c && c->observed.kind == PREP_REPORT_NUMBER) {
				rl[n] = risks[k] + 5;
				risk[n++] = c->observed.number;
			}
		}
		if (n == 0)
			continue;
		rv[0] = risk;
		s.values = rv[0];
		s.color = PREP_SVG_SECOND;
		s.name = "risk";
		(void)snprintf(title, sizeof title,
			       "Re-identification risk, %s run %zu", run->job,
			       run->number);
		b.categories = rl;
		b.ncategories = n;
		figure_open(t);
		if (t->st == PREP_OK)
			t->st = prep_svg_bar_chart(t, &b);
		figure_close(t,
			     "Prosecutor risk (largest, average), share of "
			     "records at risk, sample uniqueness",
			     run);
	}
	if (shown == 0)
		prep_text_put(t, "<p>No kcheck or kanon run recorded class "
				 "sizes.</p>\n");
}

static void
budget_charts(prep_text *t, const prep_report *r)
{
	size_t max = prep_report_nruns(r) + prep_report_nledger(r) + 1;
	const char **names = calloc(max, sizeof *names);
	prep_report_point *pts = calloc(max, sizeof *pts);
	double *x = calloc(max * 2, sizeof *x), *y = calloc(max * 2, sizeof *y);
	int *failed = calloc(max, sizeof *failed);
	size_t nd, d, n, i;

	prep_text_put(t, "<h3 id=\"chart-budget\">Privacy budget spent "
			 "over time</h3>\n");
	if (!names || !pts || !x || !y || !failed) {
		t->st = PREP_ERR_NOMEM;
		goto done;
	}
	nd = prep_report_budget_datasets(r, names, max);
	if (nd == 0)
		prep_text_put(t, "<p>No dpnoise run charged a ledger, and no "
				 "ledger was given.</p>\n");
	for (d = 0; d < nd; d++) {
		prep_svg_line lines[2];
		prep_svg_lines c;
		size_t nl = 0, nled = 0, nrun = 0;
		char title[200], limit[64], first[32], last[32];
		double budget = NAN;

		n = prep_report_budget_points(r, names[d], pts, max);
		for (i = 0; i < n; i++) {
			if (pts[i].run == SIZE_MAX) {
				x[nled] = pts[i].seconds;
				y[nled++] = pts[i].spent;
			} else {
				x[max + nrun] = pts[i].seconds;
				y[max + nrun] = pts[i].spent;
				failed[nrun++] = pts[i].refused;
			}
			if (isfinite(pts[i].budget))
				budget = pts[i].budget;
		}
		memset(lines, 0, sizeof lines);
		if (nled) {
			lines[nl].name = "ledger: total spent";
			lines[nl].color = PREP_SVG_FIGURE;
			lines[nl].x = x;
			lines[nl].y = y;
			lines[nl].n = nled;
			lines[nl++].step = 1;
		}
		if (nrun) {
			lines[nl].name = "dpnoise runs";
			lines[nl].color = PREP_SVG_SECOND;
			lines[nl].x = x + max;
			lines[nl].y = y + max;
			lines[nl].n = nrun;
			lines[nl++].failed = failed;
		}
		(void)snprintf(title, sizeof title,
			       "Epsilon spent on %s against its budget",
			       names[d]);
		(void)snprintf(limit, sizeof limit, "budget %g", budget);
		(void)snprintf(first, sizeof first, "%.10s", pts[0].time);
		(void)snprintf(last, sizeof last, "%.10s", pts[n - 1].time);
		memset(&c, 0, sizeof c);
		c.title = title;
		c.lines = lines;
		c.nlines = nl;
		c.limit = budget;
		c.limit_label = limit;
		c.x_first = first;
		c.x_last = last;
		figure_open(t);
		if (t->st == PREP_OK)
			t->st = prep_svg_line_chart(t, &c);
		prep_text_put(t, "<figcaption>");
		prep_text_xml(t, title);
		prep_text_put(t, ": running total after each charge; a cross "
				 "is a charge the budget refused.</figcaption>"
				 "\n</figure>\n<table><tr><th>time</th>"
				 "<th>source</th><th>epsilon</th><th>spent</th>"
				 "<th>budget</th><th>charge</th></tr>\n");
		for (i = 0; i < n; i++) {
			prep_text_put(t, "<tr><td>");
			prep_text_xml(t, pts[i].time);
			prep_text_put(t, "</td><td>");
			if (pts[i].run != SIZE_MAX) {
				run_link(t, prep_report_run_at(r, pts[i].run));
			} else {
				const prep_report_ledger_entry *e =
				    prep_report_ledger_at(r, pts[i].entry);

				prep_text_put(t, "<code>");
				prep_text_xml(t, e->file);
				prep_text_printf(t, "</code>:%lu", e->line);
			}
			prep_text_put(t, "</td><td class=\"n\">");
			prep_text_number(t, pts[i].epsilon);
			prep_text_put(t, "</td><td class=\"n\">");
			prep_text_number(t, pts[i].spent);
			prep_text_put(t, "</td><td class=\"n\">");
			prep_text_number(t, pts[i].budget);
			prep_text_put(t,
				      pts[i].refused
					  ? "</td><td class=\"fail\">refused"
					  : "</td><td class=\"pass\">charged");
			prep_text_put(t, "</td></tr>\n");
		}
		prep_text_put(t, "</table>\n");
	}
done:
	free(names);
	free(pts);
	free(x);
	free(y);
	free(failed);
}

/* The value of check prefix+group in run, or NaN. */
static double
group_value(const prep_report_run *run, const char *prefix, const char *group)
{
	char name[512];
	const prep_report_check *c;

	if (run == NULL)
		return NAN;
	(void)snprintf(name, sizeof name, "%s%s", prefix, group);
	c = prep_report_find_check(run, name);
	return c && c->observed.kind == PREP_REPORT_NUMBER ? c->observed.number
							   : NAN;
}

/* The groups of a pair: those of before, then new ones of after. */
static size_t
pair_groups(const prep_report_run *a, const prep_report_run *b,
	    const char **groups, size_t max)
{
	const prep_report_run *runs[2] = {a, b};
	size_t n = 0, i, k, g;

	for (k = 0; k < 2; k++) {
		if (runs[k] == NULL)
			continue;
		for (i = 0; i < runs[k]->nchecks && n < max; i++) {
			const char *name = runs[k]->checks[i].name;

			if (strncmp(name, "selection_rate:", 15) != 0)
				continue;
			for (g = 0; g < n && strcmp(groups[g], name + 15) != 0;
			     g++)
				;
			if (g == n)
				groups[n++] = name + 15;
		}
	}
	return n;
}

static void
fairness_charts(prep_text *t, const prep_report *r)
{
	size_t max = prep_report_nruns(r) + 1, np, p, n, g;
	prep_report_pair *pairs = calloc(max, sizeof *pairs);
	const char *groups[PREP_SVG_MAX_CATEGORIES];
	double before[PREP_SVG_MAX_CATEGORIES], after[PREP_SVG_MAX_CATEGORIES];

	prep_text_put(t, "<h3 id=\"chart-fairness\">Selection rate per group, "
			 "before and after</h3>\n");
	if (pairs == NULL) {
		t->st = PREP_ERR_NOMEM;
		return;
	}
	np = prep_report_fairness_pairs(r, pairs, max);
	if (np == 0)
		prep_text_put(t, "<p>No fairness run recorded rates per "
				 "group.</p>\n");
	for (p = 0; p < np; p++) {
		const prep_report_run *a =
		    pairs[p].before != SIZE_MAX
			? prep_report_run_at(r, pairs[p].before)
			: NULL;
		const prep_report_run *b =
		    pairs[p].after != SIZE_MAX
			? prep_report_run_at(r, pairs[p].after)
			: NULL;
		const prep_report_run *m =
		    pairs[p].mitigation != SIZE_MAX
			? prep_report_run_at(r, pairs[p].mitigation)
			: NULL;
		prep_svg_series s[2];
		prep_svg_bars c;
		char title[128], nb[32], na[32];
		size_t ns = 0;

		n = pair_groups(a, b, groups, PREP_SVG_MAX_CATEGORIES);
		for (g = 0; g < n; g++) {
			before[g] =
			    group_value(a, "selection_rate:", groups[g]);
			after[g] = group_value(b, "selection_rate:", groups[g]);
		}
		if (m)
			(void)snprintf(title, sizeof title,
				       "Selection rate per group around %s "
				       "run %zu",
				       m->job, m->number);
		else
			(void)snprintf(title, sizeof title,
				       "Selection rate per group, fairness run "
				       "%zu",
				       a   ? a->number
				       : b ? b->number
					   : 0);
		if (a) {
			(void)snprintf(nb, sizeof nb, "before (run %zu)",
				       a->number);
			s[ns].name = nb;
			s[ns].color = PREP_SVG_FIGURE;
			s[ns++].values = before;
		}
		if (b) {
			(void)snprintf(na, sizeof na, "after (run %zu)",
				       b->number);
			s[ns].name = na;
			s[ns].color = PREP_SVG_SECOND;
			s[ns++].values = after;
		}
		memset(&c, 0, sizeof c);
		c.title = title;
		c.categories = groups;
		c.ncategories = n;
		c.series = s;
		c.nseries = ns;
		figure_open(t);
		if (t->st == PREP_OK && n > 0)
			t->st = prep_svg_bar_chart(t, &c);
		prep_text_put(t, "<figcaption>");
		prep_text_xml(t, title);
		prep_text_put(t, ":");
		if (a) {
			prep_text_put(t, " before, ");
			run_link(t, a);
		}
		if (m) {
			prep_text_put(t, "; mitigation, ");
			run_link(t, m);
		}
		if (b) {
			prep_text_put(t, "; after, ");
			run_link(t, b);
		}
		prep_text_put(t, ".</figcaption>\n</figure>\n");
		prep_text_put(t, "<table><tr><th>group</th><th>n before</th>"
				 "<th>base rate before</th><th>selection "
				 "rate before</th><th>n after</th><th>base "
				 "rate after</th><th>selection rate after</th>"
				 "</tr>\n");
		for (g = 0; g < n; g++) {
			prep_text_put(t, "<tr><td>");
			prep_text_xml(t, groups[g]);
			prep_text_put(t, "</td><td class=\"n\">");
			prep_text_number(t, group_value(a, "n:", groups[g]));
			prep_text_put(t, "</td><td class=\"n\">");
			prep_text_number(
			    t, group_value(a, "base_rate:", groups[g]));
			prep_text_put(t, "</td><td class=\"n\">");
			prep_text_number(t, before[g]);
			prep_text_put(t, "</td><td class=\"n\">");
			prep_text_number(t, group_value(b, "n:", groups[g]));
			prep_text_put(t, "</td><td class=\"n\">");
			prep_text_number(
			    t, group_value(b, "base_rate:", groups[g]));
			prep_text_put(t, "</td><td class=\"n\">");
			prep_text_number(t, after[g]);
			prep_text_put(t, "</td></tr>\n");
		}
		prep_text_put(t, "</table>\n");
	}
	free(pairs);
}

static void
drift_chart(prep_text *t, const char *title, const char **cols,
	    const double *stat, const double *thr, const int *fail, size_t n)
{
	prep_svg_series s;
	prep_svg_bars c;

	s.name = "statistic";
	s.color = PREP_SVG_FIGURE;
	s.values = stat;
	memset(&c, 0, sizeof c);
	c.title = title;
	c.categories = cols;
	c.ncategories = n;
	c.series = &s;
	c.nseries = 1;
	c.thresholds = thr;
	c.failed = fail;
	if (t->st == PREP_OK)
		t->st = prep_svg_bar_chart(t, &c);
}

static void
drift_charts(prep_text *t, const prep_report *r)
{
	const char *cols[PREP_SVG_MAX_CATEGORIES];
	double stat[PREP_SVG_MAX_CATEGORIES], thr[PREP_SVG_MAX_CATEGORIES];
	int fail[PREP_SVG_MAX_CATEGORIES];
	size_t i, k, n, shown = 0;
	char title[160];

	prep_text_put(t, "<h3 id=\"chart-drift\">Drift per column</h3>\n");
	for (i = 0; i < prep_report_nruns(r); i++) {
		const prep_report_run *run = prep_report_run_at(r, i);

		for (k = n = 0; k < run->nchecks && n < PREP_SVG_MAX_CATEGORIES;
		     k++) {
			const prep_report_check *c = &run->checks[k];

			if (strncmp(c->name, "drift:", 6) != 0 ||
			    c->observed.kind != PREP_REPORT_NUMBER)
				continue;
			cols[n] = c->name + 6;
			stat[n] = c->observed.number;
			thr[n] = c->threshold.kind == PREP_REPORT_NUMBER
				     ? c->threshold.number
				     : NAN;
			fail[n++] = c->passed == 0   ? 1
				    : c->passed == 1 ? 0
						     : -1;
		}
		if (n == 0)
			continue;
		shown++;
		(void)snprintf(title, sizeof title,
			       "Drift statistic per column, drift run %zu",
			       run->number);
		figure_open(t);
		drift_chart(t, title, cols, stat, thr, fail, n);
		figure_close(t,
			     "Each column's statistic (bar; red: drifted) "
			     "against its threshold (black mark)",
			     run);
	}
	for (i = 0; i < prep_report_ndrifts(r); i++) {
		const prep_report_drift *d = prep_report_drift_at(r, i);

		for (k = n = 0; k < d->ncolumns && n < PREP_SVG_MAX_CATEGORIES;
		     k++, n++) {
			cols[n] = d->columns[k].column;
			stat[n] = d->columns[k].statistic;
			thr[n] = d->columns[k].threshold;
			fail[n] = d->columns[k].drifted;
		}
		if (n == 0)
			continue;
		shown++;
		(void)snprintf(title, sizeof title,
			       "Drift statistic per column, %s", d->file);
		figure_open(t);
		drift_chart(t, title, cols, stat, thr, fail, n);
		figure_close(t,
			     "Each column's statistic (bar; red: drifted) "
			     "against its threshold (black mark)",
			     NULL);
	}
	if (shown == 0)
		prep_text_put(t, "<p>No drift comparison was recorded.</p>\n");
}

/* ---- profiles ---- */

static void
profiles_section(prep_text *t, const prep_report *r)
{
	size_t i, k, ty;

	prep_text_put(t, "<h2 id=\"sources\">Data sources</h2>\n");
	if (prep_report_nprofiles(r) == 0) {
		prep_text_put(t, "<p>No profile given (--profile).</p>\n");
		return;
	}
	for (i = 0; i < prep_report_nprofiles(r); i++) {
		const prep_report_profile *p = prep_report_profile_at(r, i);

		prep_text_put(t, "<h3>Profile <code>");
		prep_text_xml(t, p->file);
		prep_text_printf(
		    t,
		    "</code></h3>\n<p>%llu rows, %zu columns."
		    "</p>\n<table><tr><th>column</th>"
		    "<th>type</th><th>empty</th>"
		    "<th>distinct</th></tr>\n",
		    (unsigned long long)prep_profile_rows(p->profile),
		    prep_profile_columns(p->profile));
		for (k = 0; k < prep_profile_columns(p->profile); k++) {
			const prep_profile_column *c =
			    prep_profile_column_at(p->profile, k);
			size_t best = PREP_PROFILE_TEXT;
			double se;
			uint64_t most = 0;

			for (ty = 0; ty < PREP_PROFILE_NTYPES; ty++)
				if (c->types[ty] > most) {
					most = c->types[ty];
					best = ty;
				}
			prep_text_put(t, "<tr><td><code>");
			prep_text_xml(t, c->name);
			prep_text_printf(t,
					 "</code></td><td>%s</td>"
					 "<td class=\"n\">%llu</td>"
					 "<td class=\"n\">",
					 most ? prep_profile_type_names[best]
					      : "",
					 (unsigned long long)c->empty);
			prep_text_number(t, prep_profile_distinct(c, &se));
			prep_text_put(t, "</td></tr>\n");
		}
		prep_text_put(t, "</table>\n");
	}
}

/* ---- the page ---- */

static void
checklist(prep_text *t, const prep_report *r)
{
	size_t i, k;

	prep_text_put(t, "<h2 id=\"checklist\">Checklist: the data stage"
			 "</h2>\n<p>Each answer follows from the records by "
			 "the rules of prep-report(1), CHECKLIST.</p>\n"
			 "<table><tr><th>item</th><th>answer</th><th>because"
			 "</th><th>evidence</th></tr>\n");
	for (i = 0; i < PREP_REPORT_NITEMS; i++) {
		const prep_report_item *it = prep_report_checklist(r, i);
		const char *a = prep_report_answer_text(it->answer);

		prep_text_put(t, "<tr><td>");
		prep_text_xml(t, it->name);
		prep_text_printf(t, "</td><td class=\"ans-%s\">%s</td><td>",
				 it->answer == PREP_REPORT_NA ? "NA" : a, a);
		prep_text_xml(t, it->because);
		prep_text_put(t, "</td><td>");
		for (k = 0; k < it->nruns; k++) {
			prep_text_put(t, k ? ", " : "");
			run_link(t, prep_report_run_at(r, it->runs[k]));
		}
		prep_text_put(t, "</td></tr>\n");
	}
	prep_text_put(t, "</table>\n<h2 id=\"outside\">Outside data "
			 "preparation</h2>\n<p>These items of the checklist "
			 "belong to later stages: not recorded by prep.</p>"
			 "\n<ul>\n");
	for (i = 0; prep_report_outside[i]; i++) {
		prep_text_put(t, "<li>");
		prep_text_xml(t, prep_report_outside[i]);
		prep_text_put(t, ": not recorded by prep</li>\n");
	}
	prep_text_put(t, "</ul>\n");
}

static void
summary(prep_text *t, const prep_report *r)
{
	size_t i, pass = 0, fail = 0, abort_ = 0, rel = 0;

	for (i = 0; i < prep_report_nruns(r); i++) {
		const prep_report_run *run = prep_report_run_at(r, i);
		const char *c = prep_report_run_class(run);

		pass += strcmp(c, "pass") == 0;
		fail += strcmp(c, "fail") == 0;
		abort_ += strcmp(c, "abort") == 0;
		rel += run->is_release;
	}
	if (prep_report_nruns(r) == 0) {
		prep_text_put(t, "<p><strong>No runs recorded.</strong> The "
				 "audit files hold no record.</p>\n");
		return;
	}
	prep_text_printf(t,
			 "<p>%zu runs in %zu pipelines: <span class=\"pass\">"
			 "%zu completed</span>, <span class=\"fail\">%zu "
			 "failed</span>, <span class=\"abort\">%zu aborted"
			 "</span>; %zu released data.</p>\n",
			 prep_report_nruns(r), prep_report_npipelines(r), pass,
			 fail, abort_, rel);
}

prep_status
prep_report_html(const prep_report *r, const prep_report_options *o,
		 char **text, size_t *len)
{
	const char *title =
	    o && o->title ? o->title : "Data preparation report";
	prep_text t;
	size_t i, k;

	prep_text_init(&t, 0);
	prep_text_put(&t, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
			  "<meta charset=\"utf-8\">\n<title>");
	prep_text_xml(&t, title);
	prep_text_printf(&t, "</title>\n<style>\n%s</style>\n</head>\n<body>\n",
			 css);
	prep_text_put(&t, "<h1>");
	prep_text_xml(&t, title);
	prep_text_put(&t, "</h1>\n<p class=\"meta\">Generated ");
	prep_text_xml(&t, o && o->generated ? o->generated : "");
	prep_text_put(&t, " by prep-report ");
	prep_text_xml(&t, o && o->version ? o->version : "");
	prep_text_put(&t, " from");
	for (i = 0; i < prep_report_nsources(r); i++) {
		const char *kind, *name = prep_report_source_at(r, i, &kind);

		prep_text_printf(&t, "%s %s <code>", i ? "," : "", kind);
		prep_text_xml(&t, name);
		prep_text_put(&t, "</code>");
	}
	prep_text_put(&t, ".</p>\n");
	prep_text_put(&t, "<nav><p>Contents: <a href=\"#pipelines\">Pipelines"
			  "</a> | <a href=\"#sources\">Data sources</a> | "
			  "<a href=\"#runs\">Runs</a> | <a href=\"#charts\">"
			  "Charts</a> | <a href=\"#checklist\">Checklist</a> "
			  "· <a href=\"#outside\">Outside data preparation"
			  "</a></p></nav>\n");
	summary(&t, r);
	prep_svg_defs(&t);
	prep_text_put(&t, "<h2 id=\"pipelines\">Pipelines</h2>\n");
	if (prep_report_npipelines(r) == 0)
		prep_text_put(&t, "<p>None.</p>\n");
	for (i = 0; i < prep_report_npipelines(r); i++) {
		const prep_report_pipeline *pl = prep_report_pipeline_at(r, i);

		prep_text_printf(&t, "<h3 id=\"pipeline-%zu\">Pipeline %zu",
				 i + 1, i + 1);
		if (pl->parent) {
			prep_text_put(&t, " (PREP_RUN_ID <code>");
			prep_text_xml(&t, pl->parent);
			prep_text_put(&t, "</code>)");
		}
		prep_text_printf(&t, "</h3>\n<p>%zu run%s:", pl->nruns,
				 pl->nruns == 1 ? "" : "s");
		for (k = 0; k < pl->nruns; k++) {
			prep_text_put(&t, k ? ", " : " ");
			run_link(&t, prep_report_run_at(r, pl->runs[k]));
		}
		prep_text_put(&t, ". Arrows: the output of one run read by "
				  "the next (first 8 hex digits of its "
				  "SHA-256).</p>\n<figure>\n");
		pipeline_graph(&t, r, i);
		prep_text_put(&t, "</figure>\n");
		releases_of(&t, r, pl);
	}
	profiles_section(&t, r);
	prep_text_put(&t, "<h2 id=\"runs\">Runs</h2>\n");
	if (prep_report_nruns(r) == 0)
		prep_text_put(&t, "<p>None.</p>\n");
	for (i = 0; i < prep_report_nruns(r); i++)
		run_section(&t, r, prep_report_run_at(r, i));
	prep_text_put(&t, "<h2 id=\"charts\">Charts</h2>\n");
	class_charts(&t, r);
	budget_charts(&t, r);
	fairness_charts(&t, r);
	drift_charts(&t, r);
	checklist(&t, r);
	prep_text_put(&t, "</body>\n</html>\n");
	if (t.st != PREP_OK) {
		prep_text_free(&t);
		return t.st;
	}
	return prep_text_take(&t, text, len);
}
