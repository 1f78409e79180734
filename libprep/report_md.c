/*
 * report_md.c: the report as Markdown (CommonMark with GitHub's
 * tables): the content of the HTML page (report_html.c) in the same
 * order, the lineage as a list of arrows and each chart as a table of
 * its figures. Every string of the evidence goes through prep_text_md;
 * runs are anchored by an empty <a id="run-RUNID"></a> (a UUID: nothing
 * to escape) so that links between them work where HTML is allowed.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "svg.h"

static void
run_link(prep_text *t, const prep_report_run *run)
{
	prep_text_printf(t, "[run %zu](#run-%s)", run->number, run->run_id);
}

static void
value(prep_text *t, const prep_report_value *v)
{
	if (v->kind == PREP_REPORT_NUMBER)
		prep_text_number(t, v->number);
	else if (v->kind == PREP_REPORT_TEXT)
		prep_text_md(t, v->text);
}

static void
count(prep_text *t, int64_t v)
{
	if (v >= 0)
		prep_text_printf(t, "%lld", (long long)v);
}

static const char *
status_word(const prep_report_run *run)
{
	const char *c = prep_report_run_class(run);

	return strcmp(c, "pass") == 0	? "completed"
	       : strcmp(c, "fail") == 0 ? "failed"
					: "aborted";
}

static void
pipelines(prep_text *t, const prep_report *r)
{
	size_t i, k, e;

	prep_text_put(t, "## Pipelines\n\n");
	if (prep_report_npipelines(r) == 0)
		prep_text_put(t, "None.\n\n");
	for (i = 0; i < prep_report_npipelines(r); i++) {
		const prep_report_pipeline *pl = prep_report_pipeline_at(r, i);
		size_t rel = 0;

		prep_text_printf(t, "### Pipeline %zu", i + 1);
		if (pl->parent)
			prep_text_printf(t, " (PREP\\_RUN\\_ID `%s`)",
					 pl->parent);
		prep_text_put(t, "\n\n");
		for (k = 0; k < pl->nruns; k++) {
			const prep_report_run *run =
			    prep_report_run_at(r, pl->runs[k]);
			int any = 0;

			prep_text_put(t, "- ");
			run_link(t, run);
			prep_text_put(t, ": ");
			prep_text_md(t, run->job);
			prep_text_printf(t, ", %s, exit %lld", status_word(run),
					 run->exit_status);
			for (e = 0; e < prep_report_nedges(r); e++) {
				const prep_report_edge *g =
				    prep_report_edge_at(r, e);

				if (prep_report_run_at(r, g->to) != run)
					continue;
				prep_text_put(t, any++ ? ", " : "; reads ");
				prep_text_printf(t, "`%.8s` from ", g->sha256);
				run_link(t, prep_report_run_at(r, g->from));
			}
			prep_text_put(t, "\n");
		}
		prep_text_put(t, "\n");
		for (k = 0; k < pl->nruns; k++) {
			const prep_report_run *run =
			    prep_report_run_at(r, pl->runs[k]);
			size_t o;

			if (!run->is_release)
				continue;
			prep_text_put(t, rel++ ? ", " : "Released: ");
			for (o = 0; o < run->noutputs; o++)
				if (run->outputs[o].sha256) {
					prep_text_md(t, run->outputs[o].name);
					prep_text_printf(
					    t, " (sha256 %.12s, ",
					    run->outputs[o].sha256);
					break;
				}
			run_link(t, run);
			prep_text_put(t, ")");
		}
		prep_text_put(t, rel ? ".\n\n" : "Nothing released.\n\n");
	}
}

static void
profiles(prep_text *t, const prep_report *r)
{
	size_t i, k, ty;

	prep_text_put(t, "## Data sources\n\n");
	if (prep_report_nprofiles(r) == 0)
		prep_text_put(t, "No profile given (--profile).\n\n");
	for (i = 0; i < prep_report_nprofiles(r); i++) {
		const prep_report_profile *p = prep_report_profile_at(r, i);

		prep_text_put(t, "### Profile ");
		prep_text_md(t, p->file);
		prep_text_printf(
		    t,
		    "\n\n%llu rows, %zu columns.\n\n| column | "
		    "type | empty | distinct |\n|---|---|--:|--:|\n",
		    (unsigned long long)prep_profile_rows(p->profile),
		    prep_profile_columns(p->profile));
		for (k = 0; k < prep_profile_columns(p->profile); k++) {
			const prep_profile_column *c =
			    prep_profile_column_at(p->profile, k);
			size_t best = PREP_PROFILE_TEXT;
			uint64_t most = 0;
			double se;

			for (ty = 0; ty < PREP_PROFILE_NTYPES; ty++)
				if (c->types[ty] > most) {
					most = c->types[ty];
					best = ty;
				}
			prep_text_put(t, "| ");
			prep_text_md(t, c->name);
			prep_text_printf(t, " | %s | %llu | ",
					 most ? prep_profile_type_names[best]
					      : "",
					 (unsigned long long)c->empty);
			prep_text_number(t, prep_profile_distinct(c, &se));
			prep_text_put(t, " |\n");
		}
		prep_text_put(t, "\n");
	}
}

static void
datasets(prep_text *t, const prep_report *r, const prep_report_run *run,
	 int out)
{
	const prep_report_dataset *d = out ? run->outputs : run->inputs;
	size_t n = out ? run->noutputs : run->ninputs, i, e;

	if (n == 0) {
		prep_text_printf(t, "%s: none.\n\n",
				 out ? "Outputs" : "Inputs");
		return;
	}
	prep_text_printf(t,
			 "| %s | sha256 | rows | columns | %s |\n"
			 "|---|---|--:|--:|---|\n",
			 out ? "output" : "input", out ? "read by" : "from");
	for (i = 0; i < n; i++) {
		int any = 0;

		prep_text_put(t, "| ");
		prep_text_md(t, d[i].name);
		prep_text_put(t, " | ");
		if (d[i].sha256)
			prep_text_printf(t, "`%.12s`", d[i].sha256);
		prep_text_put(t, " | ");
		count(t, d[i].rows);
		prep_text_put(t, " | ");
		count(t, d[i].columns);
		prep_text_put(t, " | ");
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
		prep_text_put(t, " |\n");
	}
	prep_text_put(t, "\n");
}

static void
run_section(prep_text *t, const prep_report *r, const prep_report_run *run)
{
	size_t i;

	prep_text_printf(t,
			 "<a id=\"run-%s\"></a>\n\n### Run %zu: ", run->run_id,
			 run->number);
	prep_text_md(t, run->job);
	prep_text_printf(t, " (%s)\n\n", status_word(run));
	prep_text_put(t, "| | |\n|---|---|\n| ended | ");
	prep_text_md(t, run->event_time);
	prep_text_put(t, " |\n| event | ");
	prep_text_md(t, run->event_type);
	prep_text_printf(t, " |\n| exit status | %lld |\n", run->exit_status);
	if (run->reason) {
		prep_text_put(t, "| reason | ");
		prep_text_md(t, run->reason);
		prep_text_put(t, " |\n");
	}
	prep_text_put(t, "| arguments | ");
	prep_text_md(t, run->job);
	for (i = 0; i < run->narguments; i++) {
		prep_text_put(t, " ");
		prep_text_md(t, run->arguments[i]);
	}
	prep_text_put(t, " |\n");
	for (i = 0; i < run->nfiles; i++) {
		prep_text_put(t, i ? "<br>" : "| files | ");
		prep_text_md(t, run->files[i].option);
		prep_text_put(t, " ");
		prep_text_md(t, run->files[i].name);
		prep_text_printf(t, " sha256 `%.12s`",
				 run->files[i].sha256 ? run->files[i].sha256
						      : "null");
		if (i + 1 == run->nfiles)
			prep_text_put(t, " |\n");
	}
	prep_text_put(t, "| seconds | ");
	prep_text_number(t, run->seconds);
	prep_text_printf(t, " |\n| pipeline | %zu", run->pipeline + 1);
	if (run->parent)
		prep_text_printf(t, " (PREP\\_RUN\\_ID `%s`)", run->parent);
	prep_text_printf(t, " |\n| run id | `%s` |\n| record | ", run->run_id);
	prep_text_md(t, run->file);
	prep_text_printf(t, ", line %lu, prep ", run->line);
	prep_text_md(t, run->version);
	prep_text_put(t, " |\n\n");
	datasets(t, r, run, 0);
	datasets(t, r, run, 1);
	if (run->nchecks == 0) {
		prep_text_put(t, "No checks recorded.\n\n");
		return;
	}
	prep_text_put(t, "| check | observed | threshold | result |\n"
			 "|---|--:|--:|---|\n");
	for (i = 0; i < run->nchecks; i++) {
		const prep_report_check *k = &run->checks[i];

		prep_text_put(t, "| ");
		prep_text_md(t, k->name);
		prep_text_put(t, " | ");
		value(t, &k->observed);
		prep_text_put(t, " | ");
		value(t, &k->threshold);
		prep_text_put(t, k->passed == 1	  ? " | pass |\n"
				 : k->passed == 0 ? " | **fail** |\n"
						  : " | figure |\n");
	}
	prep_text_put(t, "\n");
}

static void
class_tables(prep_text *t, const prep_report *r)
{
	const char *labels[PREP_SVG_MAX_CATEGORIES];
	double values[PREP_SVG_MAX_CATEGORIES];
	static const char *const risks[] = {
	    "risk.prosecutor_max", "risk.prosecutor_avg",
	    "risk.records_at_risk", "risk.sample_uniqueness"};
	size_t i, n, k, shown = 0;

	prep_text_put(t, "### Class sizes and re-identification risk\n\n");
	for (i = 0; i < prep_report_nruns(r); i++) {
		const prep_report_run *run = prep_report_run_at(r, i);

		n = prep_report_histogram(run, labels, values,
					  PREP_SVG_MAX_CATEGORIES);
		if (n == 0)
			continue;
		shown++;
		prep_text_put(t, "Classes by size, ");
		prep_text_md(t, run->job);
		prep_text_put(t, " ");
		run_link(t, run);
		prep_text_put(t, ":\n\n| class size | classes |\n|---|--:|\n");
		for (k = 0; k < n; k++) {
			prep_text_put(t, "| ");
			prep_text_md(t, labels[k]);
			prep_text_put(t, " | ");
			prep_text_number(t, values[k]);
			prep_text_put(t, " |\n");
		}
		prep_text_put(t, "\n| risk | value |\n|---|--:|\n");
		for (k = 0; k < 4; k++) {
			const prep_report_check *c =
			    prep_report_find_check(run, risks[k]);

			if (c == NULL || c->observed.kind != PREP_REPORT_NUMBER)
				continue;
			prep_text_put(t, "| ");
			prep_text_md(t, risks[k] + 5);
			prep_text_put(t, " | ");
			prep_text_number(t, c->observed.number);
			prep_text_put(t, " |\n");
		}
		prep_text_put(t, "\n");
	}
	if (shown == 0)
		prep_text_put(t, "No kcheck or kanon run recorded class "
				 "sizes.\n\n");
}

static void
budget_tables(prep_text *t, const prep_report *r)
{
	size_t max = prep_report_nruns(r) + prep_report_nledger(r) + 1;
	const char **names = calloc(max, sizeof *names);
	prep_report_point *pts = calloc(max, sizeof *pts);
	size_t nd, d, n, i;

	prep_text_put(t, "### Privacy budget spent over time\n\n");
	if (!names || !pts) {
		t->st = PREP_ERR_NOMEM;
		goto done;
	}
	nd = prep_report_budget_datasets(r, names, max);
	if (nd == 0)
		prep_text_put(t, "No dpnoise run charged a ledger, and no "
				 "ledger was given.\n\n");
	for (d = 0; d < nd; d++) {
		n = prep_report_budget_points(r, names[d], pts, max);
		prep_text_put(t, "Epsilon spent on ");
		prep_text_md(t, names[d]);
		prep_text_put(t, " against its budget:\n\n| time | source | "
				 "epsilon | spent | budget | charge |\n"
				 "|---|---|--:|--:|--:|---|\n");
		for (i = 0; i < n; i++) {
			prep_text_put(t, "| ");
			prep_text_md(t, pts[i].time);
			prep_text_put(t, " | ");
			if (pts[i].run != SIZE_MAX) {
				run_link(t, prep_report_run_at(r, pts[i].run));
			} else {
				const prep_report_ledger_entry *e =
				    prep_report_ledger_at(r, pts[i].entry);

				prep_text_md(t, e->file);
				prep_text_printf(t, ":%lu", e->line);
			}
			prep_text_put(t, " | ");
			prep_text_number(t, pts[i].epsilon);
			prep_text_put(t, " | ");
			prep_text_number(t, pts[i].spent);
			prep_text_put(t, " | ");
			prep_text_number(t, pts[i].budget);
			prep_text_put(t, pts[i].refused ? " | **refused** |\n"
							: " | charged |\n");
		}
		prep_text_put(t, "\n");
	}
done:
	free(names);
	free(pts);
}

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

static void
fairness_tables(prep_text *t, const prep_report *r)
{
	size_t max = prep_report_nruns(r) + 1, np, p, i, k, g, n;
	prep_report_pair *pairs = calloc(max, sizeof *pairs);
	const char *groups[PREP_SVG_MAX_CATEGORIES];
	static const char *const cols[] = {
	    "n:", "base_rate:", "selection_rate:"};

	prep_text_put(t, "### Selection rate per group, before and after\n\n");
	if (pairs == NULL) {
		t->st = PREP_ERR_NOMEM;
		return;
	}
	np = prep_report_fairness_pairs(r, pairs, max);
	if (np == 0)
		prep_text_put(t, "No fairness run recorded rates per "
				 "group.\n\n");
	for (p = 0; p < np; p++) {
		const prep_report_run *ab[2] = {
		    pairs[p].before != SIZE_MAX
			? prep_report_run_at(r, pairs[p].before)
			: NULL,
		    pairs[p].after != SIZE_MAX
			? prep_report_run_at(r, pairs[p].after)
			: NULL};
		const prep_report_run *m =
		    pairs[p].mitigation != SIZE_MAX
			? prep_report_run_at(r, pairs[p].mitigation)
			: NULL;

		n = 0;
		for (k = 0; k < 2; k++)
			for (i = 0; ab[k] && i < ab[k]->nchecks &&
				    n < PREP_SVG_MAX_CATEGORIES;
			     i++) {
				const char *name = ab[k]->checks[i].name;

				if (strncmp(name, "selection_rate:", 15) != 0)
					continue;
				for (g = 0;
				     g < n && strcmp(groups[g], name + 15) != 0;
				     g++)
					;
				if (g == n)
					groups[n++] = name + 15;
			}
		prep_text_put(t, "Per group");
		if (ab[0]) {
			prep_text_put(t, ", before: ");
			run_link(t, ab[0]);
		}
		if (m) {
			prep_text_put(t, "; mitigation: ");
			prep_text_md(t, m->job);
			prep_text_put(t, " ");
			run_link(t, m);
		}
		if (ab[1]) {
			prep_text_put(t, "; after: ");
			run_link(t, ab[1]);
		}
		prep_text_put(t, "\n\n| group | n before | base rate before | "
				 "selection rate before | n after | base rate "
				 "after | selection rate after |\n"
				 "|---|--:|--:|--:|--:|--:|--:|\n");
		for (g = 0; g < n; g++) {
			prep_text_put(t, "| ");
			prep_text_md(t, groups[g]);
			for (k = 0; k < 6; k++) {
				prep_text_put(t, " | ");
				prep_text_number(t, group_value(ab[k / 3],
								cols[k % 3],
								groups[g]));
			}
			prep_text_put(t, " |\n");
		}
		prep_text_put(t, "\n");
	}
	free(pairs);
}

static void
drift_tables(prep_text *t, const prep_report *r)
{
	size_t i, k, shown = 0;

	prep_text_put(t, "### Drift per column\n\n");
	for (i = 0; i < prep_report_nruns(r); i++) {
		const prep_report_run *run = prep_report_run_at(r, i);
		int head = 0;

		for (k = 0; k < run->nchecks; k++) {
			const prep_report_check *c = &run->checks[k];

			if (strncmp(c->name, "drift:", 6) != 0)
				continue;
			if (!head++) {
				shown++;
				prep_text_put(t, "Drift ");
				run_link(t, run);
				prep_text_put(t, ":\n\n| column | statistic | "
						 "threshold | drifted |\n"
						 "|---|--:|--:|---|\n");
			}
			prep_text_put(t, "| ");
			prep_text_md(t, c->name + 6);
			prep_text_put(t, " | ");
			value(t, &c->observed);
			prep_text_put(t, " | ");
			value(t, &c->threshold);
			prep_text_put(t, c->passed == 0	  ? " | **yes** |\n"
					 : c->passed == 1 ? " | no |\n"
							  : " | |\n");
		}
		if (head)
			prep_text_put(t, "\n");
	}
	for (i = 0; i < prep_report_ndrifts(r); i++) {
		const prep_report_drift *d = prep_report_drift_at(r, i);

		shown++;
		prep_text_put(t, "Drift report ");
		prep_text_md(t, d->file);
		prep_text_put(t,
			      ":\n\n| column | method | statistic | threshold "
			      "| drifted |\n|---|---|--:|--:|---|\n");
		for (k = 0; k < d->ncolumns; k++) {
			prep_text_put(t, "| ");
			prep_text_md(t, d->columns[k].column);
			prep_text_put(t, " | ");
			prep_text_md(t, d->columns[k].method);
			prep_text_put(t, " | ");
			prep_text_number(t, d->columns[k].statistic);
			prep_text_put(t, " | ");
			prep_text_number(t, d->columns[k].threshold);
			prep_text_put(t, d->columns[k].drifted
					     ? " | **yes** |\n"
					     : " | no |\n");
		}
		prep_text_put(t, "\n");
	}
	if (shown == 0)
		prep_text_put(t, "No drift comparison was recorded.\n\n");
}

static void
checklist(prep_text *t, const prep_report *r)
{
	size_t i, k;

	prep_text_put(t, "## Checklist: the data stage\n\nEach answer follows "
			 "from the records by the rules of prep-report(1), "
			 "CHECKLIST.\n\n| item | answer | because | evidence "
			 "|\n|---|---|---|---|\n");
	for (i = 0; i < PREP_REPORT_NITEMS; i++) {
		const prep_report_item *it = prep_report_checklist(r, i);

		prep_text_put(t, "| ");
		prep_text_md(t, it->name);
		prep_text_put(t, " | **");
		prep_text_md(t, prep_report_answer_text(it->answer));
		prep_text_put(t, "** | ");
		prep_text_md(t, it->because);
		prep_text_put(t, " | ");
		for (k = 0; k < it->nruns; k++) {
			prep_text_put(t, k ? ", " : "");
			run_link(t, prep_report_run_at(r, it->runs[k]));
		}
		prep_text_put(t, " |\n");
	}
	prep_text_put(t, "\n## Outside data preparation\n\nThese items of the "
			 "checklist belong to later stages: not recorded by "
			 "prep.\n\n");
	for (i = 0; prep_report_outside[i]; i++) {
		prep_text_put(t, "- ");
		prep_text_md(t, prep_report_outside[i]);
		prep_text_put(t, ": not recorded by prep\n");
	}
}

prep_status
prep_report_markdown(const prep_report *r, const prep_report_options *o,
		     char **text, size_t *len)
{
	const char *title =
	    o && o->title ? o->title : "Data preparation report";
	size_t i, pass = 0, fail = 0, abort_ = 0, rel = 0;
	prep_text t;

	prep_text_init(&t, 0);
	prep_text_put(&t, "# ");
	prep_text_md(&t, title);
	prep_text_put(&t, "\n\nGenerated ");
	prep_text_md(&t, o && o->generated ? o->generated : "");
	prep_text_put(&t, " by prep-report ");
	prep_text_md(&t, o && o->version ? o->version : "");
	prep_text_put(&t, " from");
	for (i = 0; i < prep_report_nsources(r); i++) {
		const char *kind, *name = prep_report_source_at(r, i, &kind);

		prep_text_printf(&t, "%s %s ", i ? "," : "", kind);
		prep_text_md(&t, name);
	}
	prep_text_put(&t, ".\n\n");
	for (i = 0; i < prep_report_nruns(r); i++) {
		const prep_report_run *run = prep_report_run_at(r, i);
		const char *c = prep_report_run_class(run);

		pass += strcmp(c, "pass") == 0;
		fail += strcmp(c, "fail") == 0;
		abort_ += strcmp(c, "abort") == 0;
		rel += run->is_release;
	}
	if (prep_report_nruns(r) == 0)
		prep_text_put(&t, "**No runs recorded.** The audit files hold "
				  "no record.\n\n");
	else
		prep_text_printf(&t,
				 "%zu runs in %zu pipelines: %zu completed, "
				 "%zu failed, %zu aborted; %zu released "
				 "data.\n\n",
				 prep_report_nruns(r),
				 prep_report_npipelines(r), pass, fail, abort_,
				 rel);
	pipelines(&t, r);
	profiles(&t, r);
	prep_text_put(&t, "## Runs\n\n");
	if (prep_report_nruns(r) == 0)
		prep_text_put(&t, "None.\n\n");
	for (i = 0; i < prep_report_nruns(r); i++)
		run_section(&t, r, prep_report_run_at(r, i));
	prep_text_put(&t, "## Charts\n\n");
	class_tables(&t, r);
	budget_tables(&t, r);
	fairness_tables(&t, r);
	drift_tables(&t, r);
	checklist(&t, r);
	return prep_text_take(&t, text, len);
}
