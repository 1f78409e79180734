/*
 * report.c: the model of prep-report(1) (report.h): audit records,
 * ledgers, profiles and drift reports read strictly, the runs linked
 * into pipelines, and the checklist answered.
 *
 * Each audit record is parsed with jansson (duplicate keys refused) and
 * checked against the layout of audit.h, field by field; the JSON tree
 * is kept, and the model's strings point into it. A reason never quotes
 * the line: jansson's own messages can hold a piece of the text, so a
 * syntax error is reported by its column only.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ledger.h"
#include "report.h"
#include "strset.h"

struct source {
	char *name;
	const char *kind; /* "audit", "ledger", "profile", "drift" */
};

struct prep_report {
	prep_report_run *runs;
	size_t nruns, cap_runs;
	json_t **trees; /* audit records and drift reports, kept */
	size_t ntrees, cap_trees;
	struct source *sources;
	size_t nsources, cap_sources;
	prep_report_edge *edges;
	size_t nedges, cap_edges;
	prep_report_pipeline *pipelines;
	size_t npipelines;
	prep_report_ledger_entry *ledger;
	size_t nledger, cap_ledger;
	prep_report_drift *drifts;
	size_t ndrifts, cap_drifts;
	prep_report_profile *profiles;
	size_t nprofiles, cap_profiles;
	size_t *in_start, *in_end; /* run i's incoming edges */
	prep_report_item items[PREP_REPORT_NITEMS];
	int finished;
};

const char *const prep_report_outside[] = {
    "Model Selection and Training",
    "Model Robustness and Adversarial Testing",
    "Interpretability and Explainability",
    "Model Evaluation on Held-out Data",
    "Deployment, Model Monitoring and Incident Response",
    "Human Oversight and Accountability",
    NULL,
};

static const char *const item_names[PREP_REPORT_NITEMS] = {
    "Data Source Review", "Data Preprocessing", "Data Privacy",
    "Data Validation",	  "Fairness Metrics",	"Subgroup Analysis",
    "Data/Concept Drift", "Bias Monitoring",	"Alerting",
    "Risk Documentation",
};

/* Grow *p (of *cap elements of size sz) to hold one more. */
static prep_status
grow(void *pp, size_t *cap, size_t n, size_t sz)
{
	void **p = pp;
	size_t c;
	void *q;

	if (n < *cap)
		return PREP_OK;
	if (n >= PREP_REPORT_MAX_ITEMS)
		return PREP_ERR_LIMIT;
	c = *cap ? *cap * 2 : 16;
	if ((q = realloc(*p, c * sz)) == NULL)
		return PREP_ERR_NOMEM;
	*p = q;
	*cap = c;
	return PREP_OK;
}

prep_status
prep_report_new(prep_report **out)
{
	prep_report *r = calloc(1, sizeof *r);

	if (r == NULL)
		return PREP_ERR_NOMEM;
	*out = r;
	return PREP_OK;
}

void
prep_report_free(prep_report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nruns; i++) {
		free(r->runs[i].arguments);
		free(r->runs[i].files);
		free(r->runs[i].inputs);
		free(r->runs[i].outputs);
		free(r->runs[i].checks);
	}
	free(r->runs);
	for (i = 0; i < r->ntrees; i++)
		json_decref(r->trees[i]);
	free(r->trees);
	for (i = 0; i < r->nsources; i++)
		free(r->sources[i].name);
	free(r->sources);
	free(r->edges);
	free(r->in_start);
	free(r->in_end);
	for (i = 0; i < r->npipelines; i++)
		free(r->pipelines[i].runs);
	free(r->pipelines);
	for (i = 0; i < r->nledger; i++)
		free((char *)r->ledger[i].dataset);
	free(r->ledger);
	for (i = 0; i < r->ndrifts; i++)
		free(r->drifts[i].columns);
	free(r->drifts);
	for (i = 0; i < r->nprofiles; i++)
		prep_profile_free(r->profiles[i].profile);
	free(r->profiles);
	free(r);
}

/* Record a source file; its name, kept, in *name. */
static prep_status
add_source(prep_report *r, const char *name, const char *kind,
	   const char **kept)
{
	prep_status st;
	char *copy;

	if ((st = grow(&r->sources, &r->cap_sources, r->nsources,
		       sizeof *r->sources)) != PREP_OK)
		return st;
	if ((copy = strdup(name)) == NULL)
		return PREP_ERR_NOMEM;
	r->sources[r->nsources].name = copy;
	r->sources[r->nsources].kind = kind;
	r->nsources++;
	*kept = copy;
	return PREP_OK;
}

static prep_status
keep_tree(prep_report *r, json_t *j)
{
	prep_status st;

	if ((st = grow(&r->trees, &r->cap_trees, r->ntrees,
		       sizeof(json_t *))) != PREP_OK) {
		json_decref(j);
		return st;
	}
	r->trees[r->ntrees++] = j;
	return PREP_OK;
}

/* ---- audit records ---- */

/* The reason a record is refused, into the error; returns -1. */
static int
refuse(prep_report_error *err, const char *what)
{
	(void)snprintf(err->text, sizeof err->text, "not an audit record: %s",
		       what);
	return -1;
}

static int
is_hex_lower(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* RFC 9562 text form, lowercase. */
static int
is_uuid(const char *s)
{
	static const size_t parts[5] = {8, 4, 4, 4, 12};
	size_t i;

	if (strlen(s) != 36)
		return 0;
	for (i = 0; i < 5; i++) {
		if (!is_hex_lower(s, parts[i]))
			return 0;
		s += parts[i];
		if (i < 4 && *s++ != '-')
			return 0;
	}
	return 1;
}

static int
digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* "2026-11-24T03:10:00.123Z" (audit.h's eventTime). */
static int
is_event_time(const char *s)
{
	return strlen(s) == 24 && digits(s, 4) && s[4] == '-' &&
	       digits(s + 5, 2) && s[7] == '-' && digits(s + 8, 2) &&
	       s[10] == 'T' && digits(s + 11, 2) && s[13] == ':' &&
	       digits(s + 14, 2) && s[16] == ':' && digits(s + 17, 2) &&
	       s[19] == '.' && digits(s + 20, 3) && s[23] == 'Z';
}

static int
is_job_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 1 || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr("._+-", s[i])))
			return 0;
	return 1;
}

static const char *
string_at(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* rows or columns: null (-1) or an integer >= 0. */
static int
count_at(const json_t *o, const char *key, int64_t *v)
{
	const json_t *j = json_object_get(o, key);

	if (json_is_null(j)) {
		*v = -1;
		return 0;
	}
	if (!json_is_integer(j) || json_integer_value(j) < 0)
		return -1;
	*v = (int64_t)json_integer_value(j);
	return 0;
}

/* A SHA-256 of the record, 64 lowercase hex digits or null, into *out. */
static int
read_sha(const json_t *sha, const char **out)
{
	*out = NULL;
	if (json_is_string(sha) && json_string_length(sha) == 64 &&
	    is_hex_lower(json_string_value(sha), 64))
		*out = json_string_value(sha);
	else if (!json_is_null(sha))
		return -1;
	return 0;
}

/* The run facet's files, when it has them. */
static int
read_files(const json_t *a, prep_report_run *run, prep_report_error *err)
{
	size_t i;

	if (a == NULL)
		return 0;
	if (!json_is_array(a))
		return refuse(err, "files is not an array");
	run->nfiles = json_array_size(a);
	if (run->nfiles &&
	    (run->files = calloc(run->nfiles, sizeof *run->files)) == NULL)
		return refuse(err, "out of memory");
	for (i = 0; i < run->nfiles; i++) {
		const json_t *f = json_array_get(a, i);
		prep_report_file *rf = &run->files[i];

		if ((rf->option = string_at(f, "option")) == NULL ||
		    (rf->name = string_at(f, "name")) == NULL ||
		    read_sha(json_object_get(f, "sha256"), &rf->sha256))
			return refuse(err, "files is not an array of "
					   "{option, name, sha256}");
	}
	return 0;
}

static int
read_datasets(const json_t *a, prep_report_dataset **out, size_t *n,
	      const char *side, prep_report_error *err)
{
	char what[96];
	size_t i;

	(void)snprintf(what, sizeof what, "%s is not an array of datasets",
		       side);
	if (!json_is_array(a))
		return refuse(err, what);
	*n = json_array_size(a);
	if (*n && (*out = calloc(*n, sizeof **out)) == NULL)
		return refuse(err, "out of memory");
	for (i = 0; i < *n; i++) {
		const json_t *d = json_array_get(a, i), *f;
		prep_report_dataset *ds = &(*out)[i];

		f = json_object_get(json_object_get(d, "facets"),
				    "prep_dataset");
		if (!json_is_object(d) ||
		    (ds->name = string_at(d, "name")) == NULL)
			return refuse(err, what);
		if (!json_is_object(f)) {
			(void)snprintf(what, sizeof what,
				       "%s[%zu] has no prep_dataset facet",
				       side, i);
			return refuse(err, what);
		}
		if (read_sha(json_object_get(f, "sha256"), &ds->sha256)) {
			(void)snprintf(what, sizeof what,
				       "%s[%zu].sha256 is not 64 hex digits",
				       side, i);
			return refuse(err, what);
		}
		if (count_at(f, "rows", &ds->rows) != 0 ||
		    count_at(f, "columns", &ds->columns) != 0) {
			(void)snprintf(what, sizeof what,
				       "%s[%zu] rows or columns is not a count",
				       side, i);
			return refuse(err, what);
		}
	}
	return 0;
}

static int
read_value(const json_t *j, prep_report_value *v)
{
	const char *s;

	memset(v, 0, sizeof *v);
	if (json_is_null(j))
		return 0;
	if (json_is_number(j)) {
		v->kind = PREP_REPORT_NUMBER;
		v->number = json_number_value(j);
		return 0;
	}
	if ((s = json_string_value(j)) == NULL)
		return -1;
	if (strcmp(s, "inf") == 0 || strcmp(s, "-inf") == 0) {
		v->kind = PREP_REPORT_NUMBER;
		v->number = s[0] == '-' ? -INFINITY : INFINITY;
		return 0;
	}
	v->kind = PREP_REPORT_TEXT;
	v->text = s;
	return 0;
}

static int
read_checks(const json_t *a, prep_report_run *run, prep_report_error *err)
{
	size_t i;

	if (!json_is_array(a))
		return refuse(err, "checks is not an array");
	run->nchecks = json_array_size(a);
	if (run->nchecks &&
	    (run->checks = calloc(run->nchecks, sizeof *run->checks)) == NULL)
		return refuse(err, "out of memory");
	for (i = 0; i < run->nchecks; i++) {
		const json_t *c = json_array_get(a, i), *p;
		prep_report_check *k = &run->checks[i];
		char what[96];

		(void)snprintf(what, sizeof what,
			       "checks[%zu] is not {name, observed, "
			       "threshold, passed}",
			       i);
		if (!json_is_object(c) ||
		    (k->name = string_at(c, "name")) == NULL ||
		    json_object_get(c, "observed") == NULL ||
		    json_object_get(c, "threshold") == NULL ||
		    read_value(json_object_get(c, "observed"), &k->observed) ||
		    read_value(json_object_get(c, "threshold"), &k->threshold))
			return refuse(err, what);
		p = json_object_get(c, "passed");
		if (json_is_null(p))
			k->passed = -1;
		else if (json_is_boolean(p))
			k->passed = json_is_true(p);
		else
			return refuse(err, what);
	}
	return 0;
}

/* The record j into run (strings borrowed from j); -1 with *err. */
static int
read_record(const json_t *j, prep_report_run *run, prep_report_error *err)
{
	const json_t *runo, *facets, *prep, *parent, *job, *a, *x;
	size_t i;

	if (!json_is_object(j))
		return refuse(err, "not a JSON object");
	run->event_type = string_at(j, "eventType");
	if (run->event_type == NULL ||
	    (strcmp(run->event_type, "COMPLETE") != 0 &&
	     strcmp(run->event_type, "FAIL") != 0 &&
	     strcmp(run->event_type, "ABORT") != 0))
		return refuse(err, "eventType is not COMPLETE, FAIL or ABORT");
	run->event_time = string_at(j, "eventTime");
	if (run->event_time == NULL || !is_event_time(run->event_time))
		return refuse(err, "eventTime is not UTC time with "
				   "milliseconds");
	if (string_at(j, "producer") == NULL ||
	    string_at(j, "schemaURL") == NULL)
		return refuse(err, "producer or schemaURL missing");
	runo = json_object_get(j, "run");
	run->run_id = string_at(runo, "runId");
	if (run->run_id == NULL || !is_uuid(run->run_id))
		return refuse(err, "run.runId is not a UUID");
	facets = json_object_get(runo, "facets");
	prep = json_object_get(facets, "prep");
	if (!json_is_object(prep))
		return refuse(err, "run.facets.prep missing");
	parent = json_object_get(facets, "parent");
	if (parent != NULL) {
		run->parent =
		    string_at(json_object_get(parent, "run"), "runId");
		if (run->parent == NULL || !is_uuid(run->parent))
			return refuse(err, "run.facets.parent.run.runId is "
					   "not a UUID");
	}
	job = json_object_get(j, "job");
	run->job = string_at(job, "name");
	if (run->job == NULL || !is_job_name(run->job))
		return refuse(err, "job.name is not a filter's name");
	if (string_at(job, "namespace") == NULL ||
	    strcmp(string_at(job, "namespace"), "prep") != 0)
		return refuse(err, "job.namespace is not prep");
	if (read_datasets(json_object_get(j, "inputs"), &run->inputs,
			  &run->ninputs, "inputs", err) ||
	    read_datasets(json_object_get(j, "outputs"), &run->outputs,
			  &run->noutputs, "outputs", err))
		return -1;
	if ((run->version = string_at(prep, "version")) == NULL)
		return refuse(err, "run.facets.prep.version missing");
	a = json_object_get(prep, "arguments");
	if (!json_is_array(a))
		return refuse(err, "arguments is not an array of strings");
	run->narguments = json_array_size(a);
	if (run->narguments &&
	    (run->arguments = calloc(run->narguments, sizeof(char *))) == NULL)
		return refuse(err, "out of memory");
	for (i = 0; i < run->narguments; i++)
		if ((run->arguments[i] =
			 json_string_value(json_array_get(a, i))) == NULL)
			return refuse(err,
				      "arguments is not an array of strings");
	if (read_files(json_object_get(prep, "files"), run, err))
		return -1;
	x = json_object_get(prep, "exit_status");
	if (!json_is_integer(x))
		return refuse(err, "exit_status is not an integer");
	run->exit_status = json_integer_value(x);
	x = json_object_get(prep, "reason");
	if (!json_is_null(x) && !json_is_string(x))
		return refuse(err, "reason is not a string or null");
	run->reason = json_string_value(x);
	x = json_object_get(prep, "seconds");
	if (!json_is_number(x) || json_number_value(x) < 0)
		return refuse(err, "seconds is not a number >= 0");
	run->seconds = json_number_value(x);
	if (strcmp(run->event_type, "COMPLETE") == 0 && run->exit_status != 0)
		return refuse(err, "eventType COMPLETE with a non-zero "
				   "exit_status");
	return read_checks(json_object_get(prep, "checks"), run, err);
}

static void
free_run(prep_report_run *run)
{
	free(run->arguments);
	free(run->files);
	free(run->inputs);
	free(run->outputs);
	free(run->checks);
}

prep_status
prep_report_add_audit(prep_report *r, const char *name, const char *text,
		      size_t len, prep_report_error *err)
{
	unsigned long lineno = 0;
	const char *kept;
	prep_status st;
	size_t off = 0;

	memset(err, 0, sizeof *err);
	if ((st = add_source(r, name, "audit", &kept)) != PREP_OK)
		return st;
	while (off < len) {
		const char *p = text + off, *nl = memchr(p, '\n', len - off);
		size_t n = nl ? (size_t)(nl - p) : len - off;
		prep_report_run run;
		json_error_t je;
		json_t *j;

		lineno++;
		err->line = lineno;
		off += n + (nl != NULL);
		memset(&run, 0, sizeof run);
		j = json_loadb(p, n, JSON_REJECT_DUPLICATES, &je);
		if (j == NULL) {
			/* je.text may quote the line: only the place */
			(void)snprintf(err->text, sizeof err->text,
				       n == 0 ? "an empty line, not an audit "
						"record"
					      : "not valid JSON (at column %d)",
				       je.column);
			return PREP_ERR_VALUE;
		}
		if ((st = keep_tree(r, j)) != PREP_OK)
			return st;
		if (read_record(j, &run, err) != 0) {
			free_run(&run);
			return strcmp(err->text, "not an audit record: out "
						 "of memory") == 0
				   ? PREP_ERR_NOMEM
				   : PREP_ERR_VALUE;
		}
		run.file = kept;
		run.line = lineno;
		if ((st = grow(&r->runs, &r->cap_runs, r->nruns,
			       sizeof *r->runs)) != PREP_OK) {
			free_run(&run);
			return st;
		}
		run.number = r->nruns; /* the order read, for the sort */
		r->runs[r->nruns++] = run;
	}
	err->line = 0;
	return PREP_OK;
}

/* ---- ledgers ---- */

struct ledger_ctx {
	prep_report *r;
	const char *file;
	prep_status st;
};

static int
ledger_visit(void *ctx, const prep_ledger_entry *e)
{
	struct ledger_ctx *c = ctx;
	prep_report *r = c->r;
	prep_report_ledger_entry *out;
	char *name;

	if ((c->st = grow(&r->ledger, &r->cap_ledger, r->nledger,
			  sizeof *r->ledger)) != PREP_OK)
		return -1;
	if ((name = strndup(e->dataset, e->dataset_len)) == NULL) {
		c->st = PREP_ERR_NOMEM;
		return -1;
	}
	out = &r->ledger[r->nledger++];
	memset(out, 0, sizeof *out);
	out->file = c->file;
	out->line = e->line;
	memcpy(out->time, e->time, sizeof out->time);
	out->dataset = name;
	out->budget = e->budget;
	out->epsilon = e->epsilon;
	out->delta = e->delta;
	out->seeded = e->seeded;
	return 0;
}

prep_status
prep_report_add_ledger(prep_report *r, const char *name, const char *text,
		       size_t len, prep_report_error *err)
{
	struct ledger_ctx c;
	prep_where w;
	prep_status st;
	size_t first = r->nledger, i, j;

	memset(err, 0, sizeof *err);
	memset(&w, 0, sizeof w);
	c.r = r;
	c.st = PREP_OK;
	if ((st = add_source(r, name, "ledger", &c.file)) != PREP_OK)
		return st;
	st = prep_ledger_scan(text, len, ledger_visit, &c, &w);
	if (st == PREP_ERR_ARG)
		return c.st;
	if (st != PREP_OK) {
		err->line = w.line;
		(void)snprintf(err->text, sizeof err->text,
			       w.field == PREP_LEDGER_UNENDED
				   ? "not a ledger line (a last line without "
				     "a newline must be a whole entry)"
			       : w.field ? "not a ledger line (field %zu)"
					 : "not a ledger line",
			       w.field);
		return st;
	}
	/* running totals per data set, in file order */
	for (i = first; i < r->nledger; i++) {
		r->ledger[i].spent = r->ledger[i].epsilon;
		for (j = i; j-- > first;)
			if (strcmp(r->ledger[j].dataset,
				   r->ledger[i].dataset) == 0) {
				r->ledger[i].spent += r->ledger[j].spent;
				break;
			}
	}
	return PREP_OK;
}

/* ---- profiles and drift reports ---- */

prep_status
prep_report_add_profile(prep_report *r, const char *name, const char *text,
			size_t len, prep_report_error *err)
{
	prep_profile_error pe;
	prep_profile *p;
	prep_status st;
	const char *kept;

	memset(err, 0, sizeof *err);
	if ((st = add_source(r, name, "profile", &kept)) != PREP_OK)
		return st;
	if ((st = prep_profile_parse(text, len, &p, &pe)) != PREP_OK) {
		err->line = pe.line > 0 ? (unsigned long)pe.line : 0;
		(void)snprintf(err->text, sizeof err->text, "%s", pe.text);
		return st;
	}
	if ((st = grow(&r->profiles, &r->cap_profiles, r->nprofiles,
		       sizeof *r->profiles)) != PREP_OK) {
		prep_profile_free(p);
		return st;
	}
	r->profiles[r->nprofiles].file = kept;
	r->profiles[r->nprofiles++].profile = p;
	return PREP_OK;
}

static double
number_or_nan(const json_t *j)
{
	return json_is_number(j) ? json_number_value(j) : NAN;
}

static prep_status
drift_refuse(prep_report_error *err, const char *what)
{
	(void)snprintf(err->text, sizeof err->text,
		       "not a drift report (drift --json): %s", what);
	return PREP_ERR_VALUE;
}

prep_status
prep_report_add_drift(prep_report *r, const char *name, const char *text,
		      size_t len, prep_report_error *err)
{
	const json_t *cols, *bias;
	prep_report_drift *d;
	json_error_t je;
	prep_status st;
	const char *kept;
	json_t *j;
	size_t i;

	memset(err, 0, sizeof *err);
	if ((st = add_source(r, name, "drift", &kept)) != PREP_OK)
		return st;
	j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL) {
		err->line = je.line > 0 ? (unsigned long)je.line : 0;
		(void)snprintf(err->text, sizeof err->text,
			       "not valid JSON (at column %d)", je.column);
		return PREP_ERR_VALUE;
	}
	if ((st = keep_tree(r, j)) != PREP_OK)
		return st;
	cols = json_object_get(j, "columns");
	if (!json_is_object(j) ||
	    !json_is_boolean(json_object_get(j, "drift")) ||
	    !json_is_array(cols))
		return drift_refuse(err, "no drift or columns");
	if ((st = grow(&r->drifts, &r->cap_drifts, r->ndrifts,
		       sizeof *r->drifts)) != PREP_OK)
		return st;
	d = &r->drifts[r->ndrifts];
	memset(d, 0, sizeof *d);
	d->file = kept;
	d->drift = json_is_true(json_object_get(j, "drift"));
	d->drifted_share = number_or_nan(json_object_get(j, "drifted_share"));
	d->drift_share = number_or_nan(json_object_get(j, "drift_share"));
	d->ncolumns = json_array_size(cols);
	if (d->ncolumns &&
	    (d->columns = calloc(d->ncolumns, sizeof *d->columns)) == NULL)
		return PREP_ERR_NOMEM;
	r->ndrifts++;
	for (i = 0; i < d->ncolumns; i++) {
		const json_t *c = json_array_get(cols, i);
		prep_report_drift_column *dc = &d->columns[i];

		dc->column = string_at(c, "column");
		dc->method = string_at(c, "method");
		if (dc->column == NULL || dc->method == NULL ||
		    !json_is_boolean(json_object_get(c, "drifted")))
			return drift_refuse(err, "a column without column, "
						 "method or drifted");
		dc->statistic = number_or_nan(json_object_get(c, "statistic"));
		dc->threshold = number_or_nan(json_object_get(c, "threshold"));
		dc->drifted = json_is_true(json_object_get(c, "drifted"));
	}
	bias = json_object_get(j, "bias");
	if (json_is_object(bias)) {
		const json_t *di = json_object_get(bias, "disparate_impact");

		d->has_bias = 1;
		d->di_reference =
		    number_or_nan(json_object_get(di, "reference"));
		d->di_current = number_or_nan(json_object_get(di, "current"));
	}
	return PREP_OK;
}

/* ---- accessors ---- */

size_t
prep_report_nruns(const prep_report *r)
{
	return r->nruns;
}

const prep_report_run *
prep_report_run_at(const prep_report *r, size_t i)
{
	return i < r->nruns ? &r->runs[i] : NULL;
}

const prep_report_run *
prep_report_run_by_id(const prep_report *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->nruns; i++)
		if (strcmp(r->runs[i].run_id, id) == 0)
			return &r->runs[i];
	return NULL;
}

size_t
prep_report_nedges(const prep_report *r)
{
	return r->nedges;
}

const prep_report_edge *
prep_report_edge_at(const prep_report *r, size_t i)
{
	return i < r->nedges ? &r->edges[i] : NULL;
}

size_t
prep_report_npipelines(const prep_report *r)
{
	return r->npipelines;
}

const prep_report_pipeline *
prep_report_pipeline_at(const prep_report *r, size_t i)
{
	return i < r->npipelines ? &r->pipelines[i] : NULL;
}

size_t
prep_report_nledger(const prep_report *r)
{
	return r->nledger;
}

const prep_report_ledger_entry *
prep_report_ledger_at(const prep_report *r, size_t i)
{
	return i < r->nledger ? &r->ledger[i] : NULL;
}

size_t
prep_report_ndrifts(const prep_report *r)
{
	return r->ndrifts;
}

const prep_report_drift *
prep_report_drift_at(const prep_report *r, size_t i)
{
	return i < r->ndrifts ? &r->drifts[i] : NULL;
}

size_t
prep_report_nprofiles(const prep_report *r)
{
	return r->nprofiles;
}

const prep_report_profile *
prep_report_profile_at(const prep_report *r, size_t i)
{
	return i < r->nprofiles ? &r->profiles[i] : NULL;
}

size_t
prep_report_nsources(const prep_report *r)
{
	return r->nsources;
}

const char *
prep_report_source_at(const prep_report *r, size_t i, const char **kind)
{
	if (i >= r->nsources)
		return NULL;
	if (kind)
		*kind = r->sources[i].kind;
	return r->sources[i].name;
}

const prep_report_check *
prep_report_find_check(const prep_report_run *run, const char *name)
{
	size_t i;

	for (i = 0; i < run->nchecks; i++)
		if (strcmp(run->checks[i].name, name) == 0)
			return &run->checks[i];
	return NULL;
}

const char *
prep_report_run_class(const prep_report_run *run)
{
	if (strcmp(run->event_type, "ABORT") == 0)
		return "abort";
	return run->exit_status == 0 ? "pass" : "fail";
}

const prep_report_item *
prep_report_checklist(const prep_report *r, size_t i)
{
	return i < PREP_REPORT_NITEMS ? &r->items[i] : NULL;
}

const char *
prep_report_answer_text(prep_report_answer a)
{
	return a == PREP_REPORT_YES  ? "Yes"
	       : a == PREP_REPORT_NO ? "No"
				     : "N/A";
}

/* ---- linking ---- */

static int
run_order(const void *pa, const void *pb)
{
	const prep_report_run *a = pa, *b = pb;
	int c = strcmp(a->event_time, b->event_time);

	if (c != 0)
		return c;
	return a->number < b->number ? -1 : a->number > b->number;
}

static size_t
find_root(size_t *up, size_t i)
{
	while (up[i] != i) {
		up[i] = up[up[i]];
		i = up[i];
	}
	return i;
}

static void
unite(size_t *up, size_t a, size_t b)
{
	a = find_root(up, a);
	b = find_root(up, b);
	if (a != b) {
		if (a < b)
			up[b] = a;
		else
			up[a] = b;
	}
}

static int
has_arg(const prep_report_run *run, const char *arg)
{
	size_t i;

	for (i = 0; i < run->narguments; i++)
		if (strcmp(run->arguments[i], arg) == 0)
			return 1;
	return 0;
}

/* Does the run write data (a release can come from it)? */
static int
writes_data(const prep_report_run *run)
{
	static const char *const jobs[] = {
	    "anonymize", "kcheck",     "kanon",	   "dpnoise",
	    "reweight",	 "oversample", "validate", NULL};
	size_t i;

	if (has_arg(run, "-r") || has_arg(run, "--report-only") ||
	    has_arg(run, "--partial") || has_arg(run, "--json"))
		return 0;
	for (i = 0; jobs[i]; i++)
		if (strcmp(run->job, jobs[i]) == 0)
			return 1;
	return 0;
}

/* The runs that read sha (data writers only when writers), after i. */
static int
read_later(const prep_report *r, size_t i, const char *sha, int writers)
{
	size_t j, k;

	for (j = i + 1; j < r->nruns; j++) {
		if (writers && !writes_data(&r->runs[j]))
			continue;
		for (k = 0; k < r->runs[j].ninputs; k++)
			if (r->runs[j].inputs[k].sha256 &&
			    strcmp(r->runs[j].inputs[k].sha256, sha) == 0)
				return 1;
	}
	return 0;
}

static prep_status
link_runs(prep_report *r)
{
	prep_strset shas, parents, readers;
	size_t *latest = NULL, *first_reader = NULL, *first_child = NULL;
	size_t *up = NULL, *pipe_of = NULL, i, k, id, nsets = 1;
	prep_status st = PREP_OK;
	int added;

	prep_strset_init(&shas, 0);
	prep_strset_init(&parents, 0);
	prep_strset_init(&readers, 0);
	if (r->nruns == 0)
		goto done;
	for (i = 0; i < r->nruns; i++)
		nsets += r->runs[i].ninputs + r->runs[i].noutputs;
	latest = calloc(nsets, sizeof *latest);
	first_reader = calloc(nsets, sizeof *first_reader);
	first_child = calloc(r->nruns + 1, sizeof *first_child);
	up = calloc(r->nruns, sizeof *up);
	pipe_of = calloc(r->nruns, sizeof *pipe_of);
	if (!latest || !first_reader || !first_child || !up || !pipe_of) {
		st = PREP_ERR_NOMEM;
		goto done;
	}
	for (i = 0; i < r->nruns; i++)
		up[i] = i;
	for (i = 0; i < r->nruns; i++) {
		prep_report_run *run = &r->runs[i];

		/* edges from the latest earlier run that wrote an input */
		for (k = 0; k < run->ninputs; k++) {
			const char *sha = run->inputs[k].sha256;

			if (sha == NULL)
				continue;
			st = prep_strset_lookup(&shas, sha, 64, 0, &id, NULL);
			if (st == PREP_OK && latest[id] != 0) {
				size_t from = latest[id] - 1;

				if ((st = grow(&r->edges, &r->cap_edges,
					       r->nedges, sizeof *r->edges)) !=
				    PREP_OK)
					goto done;
				r->edges[r->nedges].from = from;
				r->edges[r->nedges].to = i;
				r->edges[r->nedges].sha256 = sha;
				r->edges[r->nedges].name = run->inputs[k].name;
				r->nedges++;
				unite(up, from, i);
				if (r->runs[from].depth + 1 > run->depth)
					run->depth = r->runs[from].depth + 1;
			} else if (st != PREP_OK && st != PREP_ERR_NOT_FOUND) {
				goto done;
			}
			/* runs that read the same data document it together */
			st = prep_strset_lookup(&readers, sha, 64, 1, &id,
						&added);
			if (st != PREP_OK)
				goto done;
			if (added)
				first_reader[id] = i;
			else
				unite(up, first_reader[id], i);
		}
		for (k = 0; k < run->noutputs; k++) {
			const char *sha = run->outputs[k].sha256;

			if (sha == NULL)
				continue;
			st = prep_strset_lookup(&shas, sha, 64, 1, &id, NULL);
			if (st != PREP_OK)
				goto done;
			latest[id] = i + 1;
		}
		if (run->parent) {
			st = prep_strset_lookup(&parents, run->parent, 36, 1,
						&id, &added);
			if (st != PREP_OK)
				goto done;
			if (added)
				first_child[id] = i;
			else
				unite(up, first_child[id], i);
		}
		st = PREP_OK;
	}
	/* pipelines in the order of their first run */
	r->pipelines = calloc(r->nruns, sizeof *r->pipelines);
	if (r->pipelines == NULL) {
		st = PREP_ERR_NOMEM;
		goto done;
	}
	for (i = 0; i < r->nruns; i++) {
		size_t root = find_root(up, i);

		if (root == i)
			pipe_of[i] = r->npipelines++;
		r->runs[i].pipeline = pipe_of[root];
		r->pipelines[pipe_of[root]].nruns++;
	}
	for (i = 0; i < r->npipelines; i++) {
		/* every pipeline has its first run */
		r->pipelines[i].runs =
		    calloc(r->pipelines[i].nruns + 1, sizeof(size_t));
		if (r->pipelines[i].runs == NULL) {
			st = PREP_ERR_NOMEM;
			goto done;
		}
		r->pipelines[i].nruns = 0;
	}
	for (i = 0; i < r->nruns; i++) {
		prep_report_pipeline *p = &r->pipelines[r->runs[i].pipeline];

		if (p->runs == NULL)
			continue;
		p->runs[p->nruns++] = i;
		if (p->parent == NULL)
			p->parent = r->runs[i].parent;
	}
	/* releases */
	for (i = 0; i < r->nruns; i++) {
		prep_report_run *run = &r->runs[i];

		if (run->exit_status != 0 || !writes_data(run))
			continue;
		for (k = 0; k < run->noutputs; k++)
			if (run->outputs[k].sha256 &&
			    !read_later(r, i, run->outputs[k].sha256, 1))
				run->is_release = 1;
	}
done:
	prep_strset_free(&shas);
	prep_strset_free(&parents);
	prep_strset_free(&readers);
	free(latest);
	free(first_reader);
	free(first_child);
	free(up);
	free(pipe_of);
	return st;
}

/* ---- the checklist (prep-report(1), CHECKLIST) ---- */

struct judge {
	prep_report *r;
	unsigned char *mark; /* lineage of the release at hand */
	size_t *stack;
	size_t *releases;
	size_t nreleases;
};

static void set_answer(prep_report_item *it, prep_report_answer a,
		       const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_answer(prep_report_item *it, prep_report_answer a, const char *fmt, ...)
{
	va_list ap;

	it->answer = a;
	va_start(ap, fmt);
	(void)vsnprintf(it->because, sizeof it->because, fmt, ap);
	va_end(ap);
}

static void
cite(prep_report_item *it, size_t run)
{
	size_t i;

	for (i = 0; i < it->nruns; i++)
		if (it->runs[i] == run)
			return;
	if (it->nruns < PREP_REPORT_MAX_EVIDENCE)
		it->runs[it->nruns++] = run;
}

/* Mark the lineage of run i (i and every run it follows) in j->mark. */
static void
lineage(struct judge *j, size_t i)
{
	size_t n = 0, e;

	memset(j->mark, 0, j->r->nruns);
	j->mark[i] = 1;
	j->stack[n++] = i;
	while (n > 0) {
		size_t k = j->stack[--n];

		for (e = j->r->in_start[k]; e < j->r->in_end[k]; e++) {
			size_t from = j->r->edges[e].from;

			if (!j->mark[from]) {
				j->mark[from] = 1;
				j->stack[n++] = from;
			}
		}
	}
}

/*
 * The headline of release i: "NAME (run N)", or "the standard output of
 * run N" for "-".
 */
static const char *
release_name(const prep_report *r, size_t i)
{
	static char buf[PREP_REPORT_NITEMS][200];
	static size_t turn;
	const prep_report_run *run = &r->runs[i];
	const char *name = "?";
	char *b = buf[turn++ % PREP_REPORT_NITEMS];
	size_t k;

	for (k = 0; k < run->noutputs; k++)
		if (run->outputs[k].sha256 &&
		    !read_later(r, i, run->outputs[k].sha256, 1)) {
			name = run->outputs[k].name;
			break;
		}
	if (strcmp(name, "-") == 0)
		(void)snprintf(b, sizeof buf[0],
			       "the standard output of run %zu", run->number);
	else
		(void)snprintf(b, sizeof buf[0], "%.150s (run %zu)", name,
			       run->number);
	return b;
}

static int
is_job(const prep_report_run *run, const char *job)
{
	return strcmp(run->job, job) == 0;
}

/* A number for a sentence: %g. */
static const char *
num(char buf[32], const prep_report_value *v)
{
	if (v->kind == PREP_REPORT_NUMBER)
		(void)snprintf(buf, 32, "%g", v->number);
	else if (v->kind == PREP_REPORT_TEXT)
		(void)snprintf(buf, 32, "%.31s", v->text);
	else
		(void)snprintf(buf, 32, "null");
	return buf;
}

/* Run i's passed privacy gate: kcheck/kanon k, dpnoise budget.spent. */
static const prep_report_check *
privacy_gate(const prep_report_run *run, int passed)
{
	const prep_report_check *c = NULL;

	if (is_job(run, "kcheck") || is_job(run, "kanon"))
		c = prep_report_find_check(run, "k");
	else if (is_job(run, "dpnoise"))
		c = prep_report_find_check(run, "budget.spent");
	return c && c->passed == passed ? c : NULL;
}

static const prep_report_check *
validate_gate(const prep_report_run *run, int passed)
{
	const prep_report_check *c = NULL;

	if (is_job(run, "validate"))
		c = prep_report_find_check(run, "valid");
	return c && c->passed == passed ? c : NULL;
}

static int
is_transform(const prep_report_run *run)
{
	return run->exit_status == 0 &&
	       (is_job(run, "anonymize") || is_job(run, "kanon") ||
		is_job(run, "dpnoise") || is_job(run, "reweight") ||
		is_job(run, "oversample"));
}

static const char *const fairness_metrics[] = {"disparate_impact",
					       "statistical_parity_difference",
					       "equal_opportunity_difference",
					       "average_odds_difference",
					       "equalized_odds_difference",
					       NULL};

/* The first metric fairness recorded (gated when gated), or NULL. */
static const prep_report_check *
fairness_metric(const prep_report_run *run, int gated)
{
	size_t i;

	if (!is_job(run, "fairness"))
		return NULL;
	for (i = 0; fairness_metrics[i]; i++) {
		const prep_report_check *c =
		    prep_report_find_check(run, fairness_metrics[i]);

		if (c && (!gated || c->passed != -1))
			return c;
	}
	return NULL;
}

/* The bias gates of a run: fairness's metrics, drift's bias gates. */
static int
bias_gates(const prep_report_run *run, int *failed,
	   const prep_report_check **first)
{
	size_t i;
	int n = 0;

	*failed = 0;
	*first = NULL;
	for (i = 0; i < run->nchecks; i++) {
		const prep_report_check *c = &run->checks[i];
		int bias = 0;
		size_t m;

		if (is_job(run, "fairness"))
			for (m = 0; fairness_metrics[m]; m++)
				bias |=
				    strcmp(c->name, fairness_metrics[m]) == 0;
		if (is_job(run, "drift"))
			bias = strcmp(c->name, "disparate_impact.drop") == 0 ||
			       strcmp(c->name, "spd.change") == 0;
		if (!bias || c->passed == -1)
			continue;
		n++;
		if (*first == NULL || (c->passed == 0 && !*failed))
			*first = c;
		*failed |= c->passed == 0;
	}
	return n;
}

static int
groups_anywhere(const prep_report *r, size_t *run)
{
	size_t i;

	for (i = 0; i < r->nruns; i++)
		if (is_job(&r->runs[i], "fairness") ||
		    is_job(&r->runs[i], "reweight") ||
		    is_job(&r->runs[i], "oversample") ||
		    prep_report_find_check(&r->runs[i],
					   "disparate_impact.current")) {
			*run = i;
			return 1;
		}
	*run = SIZE_MAX;
	for (i = 0; i < r->nprofiles; i++)
		if (prep_report_profile_at(r, i) &&
		    prep_profile_has_groups(r->profiles[i].profile, NULL))
			return 1;
	for (i = 0; i < r->ndrifts; i++)
		if (r->drifts[i].has_bias)
			return 1;
	return 0;
}

/* Groups named in per-group checks "PREFIX#..." of a run. */
static size_t
count_groups(const prep_report_run *run, const char *prefix)
{
	size_t i, n = 0, len = strlen(prefix);

	for (i = 0; i < run->nchecks; i++)
		n += strncmp(run->checks[i].name, prefix, len) == 0;
	return n;
}

static void
judge_source_review(struct judge *j, prep_report_item *it)
{
	prep_report *r = j->r;
	size_t i;

	for (i = 0; i < r->nruns; i++) {
		const prep_report_run *run = &r->runs[i];
		char a[32], b[32];

		if (!is_job(run, "profile") || run->exit_status != 0)
			continue;
		cite(it, i);
		if (it->nruns == 1) {
			const prep_report_check *rows =
			    prep_report_find_check(run, "rows");
			const prep_report_check *cols =
			    prep_report_find_check(run, "columns");

			set_answer(it, PREP_REPORT_YES,
				   "profile of %s: %s rows, %s columns",
				   run->ninputs ? run->inputs[0].name : "-",
				   rows ? num(a, &rows->observed) : "?",
				   cols ? num(b, &cols->observed) : "?");
		}
	}
	if (it->nruns == 0 && r->nprofiles > 0)
		set_answer(it, PREP_REPORT_YES,
			   "profile %s given: %llu rows, %zu columns",
			   r->profiles[0].file,
			   (unsigned long long)prep_profile_rows(
			       r->profiles[0].profile),
			   prep_profile_columns(r->profiles[0].profile));
	else if (it->nruns == 0)
		set_answer(it, PREP_REPORT_NO,
			   "no profile of the data read was recorded "
			   "(profile(1) run, or --profile)");
}

static void
judge_preprocessing(struct judge *j, prep_report_item *it)
{
	prep_report *r = j->r;
	size_t i, k, n;

	if (j->nreleases == 0) {
		set_answer(it, PREP_REPORT_NO,
			   "nothing was released: no completed run wrote data "
			   "that no later run read");
		return;
	}
	for (i = 0; i < j->nreleases; i++) {
		lineage(j, j->releases[i]);
		for (k = n = 0; k < r->nruns; k++)
			if (j->mark[k] && is_transform(&r->runs[k])) {
				cite(it, k);
				n++;
			}
		if (n == 0) {
			it->nruns = 0;
			cite(it, j->releases[i]);
			set_answer(it, PREP_REPORT_NO,
				   "%s was released without a transformation "
				   "(anonymize, kanon, dpnoise, reweight, "
				   "oversample) on its lineage",
				   release_name(r, j->releases[i]));
			return;
		}
	}
	set_answer(it, PREP_REPORT_YES,
		   "%zu transformation run%s, with their arguments, on the "
		   "lineage of %s%s",
		   it->nruns, it->nruns == 1 ? "" : "s",
		   release_name(r, j->releases[j->nreleases - 1]),
		   j->nreleases > 1 ? " and of every other release" : "");
}

/*
 * Yes when each release has a passed gate (found by gate) on its
 * lineage; the sentences say what.
 */
static void
judge_gated(struct judge *j, prep_report_item *it,
	    const prep_report_check *(*gate)(const prep_report_run *, int),
	    const char *what)
{
	prep_report *r = j->r;
	size_t i, k, failed = SIZE_MAX, found = SIZE_MAX;
	char a[32], b[32];

	for (k = 0; k < r->nruns; k++)
		if (gate(&r->runs[k], 0) && failed == SIZE_MAX)
			failed = k;
	if (j->nreleases == 0) {
		if (failed != SIZE_MAX) {
			const prep_report_check *c = gate(&r->runs[failed], 0);

			cite(it, failed);
			set_answer(it, PREP_REPORT_NO,
				   "%s %s=%s failed (observed %s) and nothing "
				   "was released",
				   r->runs[failed].job, c->name,
				   num(a, &c->threshold), num(b, &c->observed));
		} else
			set_answer(it, PREP_REPORT_NO,
				   "nothing was released and no %s ran", what);
		return;
	}
	for (i = j->nreleases; i-- > 0;) {
		size_t here = SIZE_MAX;

		lineage(j, j->releases[i]);
		for (k = r->nruns; k-- > 0;)
			if (j->mark[k] && gate(&r->runs[k], 1)) {
				cite(it, k);
				/* kcheck and kanon before dpnoise */
				if (here == SIZE_MAX ||
				    is_job(&r->runs[here], "dpnoise"))
					here = k;
			}
		if (here == SIZE_MAX) {
			it->nruns = 0;
			cite(it, j->releases[i]);
			set_answer(it, PREP_REPORT_NO,
				   "%s was released without a passed %s on its "
				   "lineage",
				   release_name(r, j->releases[i]), what);
			return;
		}
		if (found == SIZE_MAX)
			found = here;
	}
	{
		const prep_report_run *run = &r->runs[found];
		const prep_report_check *c = gate(run, 1);
		char what_passed[120];

		if (is_job(run, "dpnoise"))
			(void)snprintf(
			    what_passed, sizeof what_passed,
			    "dpnoise charged the ledger (spent %s of "
			    "budget %s)",
			    num(a, &c->observed), num(b, &c->threshold));
		else if (is_job(run, "validate"))
			(void)snprintf(what_passed, sizeof what_passed,
				       "validate passed (%s errors)",
				       num(a, &c->observed));
		else
			(void)snprintf(what_passed, sizeof what_passed,
				       "%s %s=%s passed (observed %s)",
				       run->job, c->name, num(a, &c->threshold),
				       num(b, &c->observed));
		set_answer(
		    it, PREP_REPORT_YES, "%s on the lineage of %s%s",
		    what_passed, release_name(r, j->releases[j->nreleases - 1]),
		    j->nreleases > 1 ? " and of every other release" : "");
	}
}

static const char *const no_groups =
    "no group columns anywhere: no fairness, reweight or oversample run, "
    "no groups in a profile or a drift report";

/* The last run (by order) of pipeline p that has(run) says yes to. */
static size_t
last_in_pipeline(const prep_report *r, size_t p,
		 int (*has)(const prep_report_run *))
{
	size_t i, last = SIZE_MAX;

	for (i = 0; i < r->pipelines[p].nruns; i++)
		if (has(&r->runs[r->pipelines[p].runs[i]]))
			last = r->pipelines[p].runs[i];
	return last;
}

static int
has_fairness_metric(const prep_report_run *run)
{
	return run->exit_status <= 1 && fairness_metric(run, 0) != NULL;
}

static int
has_bias_gate(const prep_report_run *run)
{
	const prep_report_check *c;
	int failed;

	return bias_gates(run, &failed, &c) > 0;
}

static void
judge_fairness(struct judge *j, prep_report_item *it, size_t group_run)
{
	prep_report *r = j->r;
	size_t p, last, yes = SIZE_MAX;
	char a[32], b[32];

	for (p = 0; p < r->npipelines; p++) {
		const prep_report_check *c;

		if ((last = last_in_pipeline(r, p, has_fairness_metric)) ==
		    SIZE_MAX)
			continue;
		if (r->runs[last].exit_status != 0) {
			it->nruns = 0;
			cite(it, last);
			c = fairness_metric(&r->runs[last], 1);
			set_answer(it, PREP_REPORT_NO,
				   "fairness %s %s crossed its threshold %s, "
				   "and no later fairness run of its pipeline "
				   "passed",
				   c ? c->name : "metric",
				   c ? num(a, &c->observed) : "?",
				   c ? num(b, &c->threshold) : "?");
			return;
		}
		cite(it, last);
		if (yes == SIZE_MAX)
			yes = last;
	}
	if (yes == SIZE_MAX) {
		if (group_run != SIZE_MAX)
			cite(it, group_run);
		set_answer(it, PREP_REPORT_NO,
			   "groups are used but no fairness run recorded "
			   "its metrics");
		return;
	}
	{
		const prep_report_check *c = fairness_metric(&r->runs[yes], 0);

		set_answer(it, PREP_REPORT_YES, "fairness: %s %s%s%s%s",
			   c->name, num(a, &c->observed),
			   c->passed == 1 ? ", threshold " : "",
			   c->passed == 1 ? num(b, &c->threshold) : "",
			   c->passed == 1 ? " passed" : " (not gated)");
	}
}

static void
judge_subgroups(struct judge *j, prep_report_item *it)
{
	prep_report *r = j->r;
	size_t i, n;

	for (i = 0; i < r->nruns; i++) {
		const prep_report_run *run = &r->runs[i];

		if (run->exit_status > 1)
			continue;
		if (is_job(run, "fairness") &&
		    (n = count_groups(run, "selection_rate:")) >= 2) {
			cite(it, i);
			if (it->nruns == 1)
				set_answer(it, PREP_REPORT_YES,
					   "fairness reported the selection "
					   "rates of %zu groups",
					   n);
		} else if (is_job(run, "oversample") &&
			   (n = count_groups(run, "count.after:")) >= 2) {
			cite(it, i);
			if (it->nruns == 1)
				set_answer(it, PREP_REPORT_YES,
					   "oversample reported the counts of "
					   "%zu groups",
					   n);
		}
	}
	if (it->nruns == 0)
		set_answer(it, PREP_REPORT_NO,
			   "groups are used but no run reported figures per "
			   "group (fairness, oversample)");
}

static void
judge_drift(struct judge *j, prep_report_item *it)
{
	prep_report *r = j->r;
	size_t i, n = 0;
	char a[32], b[32];

	for (i = 0; i < r->nruns; i++) {
		const prep_report_run *run = &r->runs[i];
		const prep_report_check *c =
		    prep_report_find_check(run, "drift_share");

		if (!is_job(run, "drift") || c == NULL || c->passed == -1 ||
		    run->exit_status > 1)
			continue;
		if (c->passed == 0) {
			it->nruns = 0;
			cite(it, i);
			set_answer(it, PREP_REPORT_NO,
				   "drift found: share of drifted columns %s, "
				   "threshold %s",
				   num(a, &c->observed), num(b, &c->threshold));
			return;
		}
		cite(it, i);
		if (n++ == 0)
			set_answer(it, PREP_REPORT_YES,
				   "drift: share of drifted columns %s, below "
				   "its threshold %s",
				   num(a, &c->observed), num(b, &c->threshold));
	}
	for (i = 0; i < r->ndrifts; i++) {
		const prep_report_drift *d = &r->drifts[i];

		if (d->drift) {
			it->nruns = 0;
			set_answer(it, PREP_REPORT_NO,
				   "drift found in %s: share of drifted "
				   "columns %g",
				   d->file, d->drifted_share);
			return;
		}
		if (n++ == 0)
			set_answer(it, PREP_REPORT_YES,
				   "%s: share of drifted columns %g, no drift",
				   d->file, d->drifted_share);
	}
	if (n == 0)
		set_answer(it, PREP_REPORT_NO,
			   "no comparison with a reference was recorded "
			   "(drift(1) run, or --drift)");
}

static void
judge_bias(struct judge *j, prep_report_item *it)
{
	prep_report *r = j->r;
	size_t p, last, yes = SIZE_MAX;
	char a[32], b[32];

	for (p = 0; p < r->npipelines; p++) {
		const prep_report_check *c;
		int failed;

		if ((last = last_in_pipeline(r, p, has_bias_gate)) == SIZE_MAX)
			continue;
		(void)bias_gates(&r->runs[last], &failed, &c);
		if (failed) {
			it->nruns = 0;
			cite(it, last);
			set_answer(it, PREP_REPORT_NO,
				   "%s %s %s failed its threshold %s",
				   r->runs[last].job, c->name,
				   num(a, &c->observed), num(b, &c->threshold));
			return;
		}
		cite(it, last);
		if (yes == SIZE_MAX)
			yes = last;
	}
	if (yes == SIZE_MAX) {
		set_answer(it, PREP_REPORT_NO,
			   "no threshold gates a bias metric (fairness "
			   "--min-di, --max-spd, --max-eod; drift "
			   "--max-di-drop, --max-spd-change)");
		return;
	}
	{
		const prep_report_check *c;
		int failed;

		(void)bias_gates(&r->runs[yes], &failed, &c);
		if (c == NULL) /* has_bias_gate found one */
			return;
		set_answer(it, PREP_REPORT_YES,
			   "%s gate %s %s, threshold %s, passed",
			   r->runs[yes].job, c->name, num(a, &c->observed),
			   num(b, &c->threshold));
	}
}

static int
has_gate(const prep_report_run *run)
{
	size_t i;

	for (i = 0; i < run->nchecks; i++)
		if (run->checks[i].passed != -1)
			return 1;
	return 0;
}

/*
 * A gate whose failure must fail the run: every gate but drift's
 * per-column verdicts (drift:COL), which the share of drifted columns
 * judges together.
 */
static int
has_failed_gate(const prep_report_run *run)
{
	size_t i;

	for (i = 0; i < run->nchecks; i++)
		if (run->checks[i].passed == 0 &&
		    !(is_job(run, "drift") &&
		      strncmp(run->checks[i].name, "drift:", 6) == 0))
			return 1;
	return 0;
}

static void
judge_alerting(struct judge *j, prep_report_item *it)
{
	prep_report *r = j->r;
	size_t i, k, gates = 0, stops = 0;

	for (i = 0; i < r->nruns; i++) {
		const prep_report_run *run = &r->runs[i];

		gates += has_gate(run);
		if (!has_failed_gate(run))
			continue;
		if (run->exit_status == 0) {
			it->nruns = 0;
			cite(it, i);
			set_answer(it, PREP_REPORT_NO,
				   "%s (run %zu) failed a gate and still "
				   "exited 0: its failure stops nothing",
				   run->job, run->number);
			return;
		}
		stops++;
		cite(it, i);
	}
	if (gates == 0) {
		set_answer(it, PREP_REPORT_NO,
			   "no run used a gate: nothing would stop a bad "
			   "release");
		return;
	}
	for (i = 0; i < j->nreleases; i++) {
		int gated = 0;

		lineage(j, j->releases[i]);
		for (k = 0; k < r->nruns; k++)
			gated |= j->mark[k] && has_gate(&r->runs[k]);
		if (!gated) {
			it->nruns = 0;
			cite(it, j->releases[i]);
			set_answer(
			    it, PREP_REPORT_NO,
			    "%s was released with no gate on its lineage",
			    release_name(r, j->releases[i]));
			return;
		}
	}
	if (stops)
		set_answer(it, PREP_REPORT_YES,
			   "%zu run%s used gates; each of the %zu that failed "
			   "one exited non-zero and stopped its pipeline",
			   gates, gates == 1 ? "" : "s", stops);
	else
		set_answer(it, PREP_REPORT_YES,
			   "%zu run%s used gates, which all passed; a failed "
			   "gate exits 1 and stops its pipeline",
			   gates, gates == 1 ? "" : "s");
}

/* The first dataset of run without a digest, or NULL. */
static const prep_report_dataset *
undigested(const prep_report_run *run)
{
	size_t k;

	for (k = 0; k < run->ninputs; k++)
		if (run->inputs[k].sha256 == NULL)
			return &run->inputs[k];
	for (k = 0; k < run->noutputs; k++)
		if (run->outputs[k].sha256 == NULL)
			return &run->outputs[k];
	return NULL;
}

static void
judge_documentation(struct judge *j, prep_report_item *it)
{
	prep_report *r = j->r;
	size_t i, k, n = 0;

	if (j->nreleases == 0) {
		set_answer(it, PREP_REPORT_NO,
			   "nothing was released to "
			   "document");
		return;
	}
	for (i = 0; i < j->nreleases; i++) {
		lineage(j, j->releases[i]);
		for (k = 0; k < r->nruns; k++) {
			const prep_report_dataset *d;

			if (!j->mark[k])
				continue;
			n++;
			if ((d = undigested(&r->runs[k])) != NULL) {
				it->nruns = 0;
				cite(it, k);
				set_answer(it, PREP_REPORT_NO,
					   "%s (run %zu) did not record the "
					   "SHA-256 of %s: the lineage of %s "
					   "is broken there",
					   r->runs[k].job, r->runs[k].number,
					   d->name,
					   release_name(r, j->releases[i]));
				return;
			}
			cite(it, k);
		}
	}
	set_answer(it, PREP_REPORT_YES,
		   "every run behind %s%s recorded its arguments, checks and "
		   "SHA-256 digests; this report documents them",
		   release_name(r, j->releases[j->nreleases - 1]),
		   j->nreleases > 1 ? " and every other release" : "");
}

static int
index_order(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

static prep_status
answer_checklist(prep_report *r)
{
	struct judge j;
	size_t i, n = r->nruns ? r->nruns : 1, group_run;
	prep_status st = PREP_OK;

	memset(&j, 0, sizeof j);
	j.r = r;
	j.mark = calloc(n, 1);
	j.stack = calloc(n, sizeof(size_t));
	j.releases = calloc(n, sizeof(size_t));
	if (!j.mark || !j.stack || !j.releases) {
		st = PREP_ERR_NOMEM;
		goto done;
	}
	for (i = 0; i < r->nruns; i++)
		if (r->runs[i].is_release)
			j.releases[j.nreleases++] = i;
	for (i = 0; i < PREP_REPORT_NITEMS; i++) {
		memset(&r->items[i], 0, sizeof r->items[i]);
		r->items[i].name = item_names[i];
	}
	judge_source_review(&j, &r->items[0]);
	judge_preprocessing(&j, &r->items[1]);
	judge_gated(
	    &j, &r->items[2], privacy_gate,
	    "privacy gate (kcheck or kanon k, a dpnoise ledger charge)");
	judge_gated(&j, &r->items[3], validate_gate, "validate gate");
	if (!groups_anywhere(r, &group_run)) {
		set_answer(&r->items[4], PREP_REPORT_NA, "%s", no_groups);
		set_answer(&r->items[5], PREP_REPORT_NA, "%s", no_groups);
		set_answer(&r->items[7], PREP_REPORT_NA, "%s", no_groups);
	} else {
		judge_fairness(&j, &r->items[4], group_run);
		judge_subgroups(&j, &r->items[5]);
		judge_bias(&j, &r->items[7]);
	}
	judge_drift(&j, &r->items[6]);
	judge_alerting(&j, &r->items[8]);
	judge_documentation(&j, &r->items[9]);
	for (i = 0; i < PREP_REPORT_NITEMS; i++)
		qsort(r->items[i].runs, r->items[i].nruns, sizeof(size_t),
		      index_order);
done:
	free(j.mark);
	free(j.stack);
	free(j.releases);
	return st;
}

prep_status
prep_report_finish(prep_report *r)
{
	prep_status st;
	size_t i;

	if (r->finished)
		return PREP_ERR_ARG;
	r->finished = 1;
	if (r->nruns)
		qsort(r->runs, r->nruns, sizeof *r->runs, run_order);
	for (i = 0; i < r->nruns; i++)
		r->runs[i].number = i + 1;
	if ((st = link_runs(r)) != PREP_OK)
		return st;
	r->in_start = calloc(r->nruns + 1, sizeof(size_t));
	r->in_end = calloc(r->nruns + 1, sizeof(size_t));
	if (r->in_start == NULL || r->in_end == NULL)
		return PREP_ERR_NOMEM;
	/* edges are in the order of their later run */
	for (i = 0; i < r->nedges; i++) {
		size_t to = r->edges[i].to;

		if (r->in_end[to] == 0)
			r->in_start[to] = i;
		r->in_end[to] = i + 1;
	}
	return answer_checklist(r);
}

/* ---- what the charts show ---- */

int
prep_report_follows(const prep_report *r, size_t later, size_t earlier)
{
	unsigned char *mark;
	size_t *stack, n = 0, e;
	int found = 0;

	if (later >= r->nruns || earlier >= r->nruns || later == earlier)
		return 0;
	mark = calloc(r->nruns, 1);
	stack = calloc(r->nruns, sizeof *stack);
	if (mark == NULL || stack == NULL) {
		free(mark);
		free(stack);
		return 0;
	}
	stack[n++] = later;
	mark[later] = 1;
	while (n > 0 && !found) {
		size_t k = stack[--n];

		for (e = r->in_start[k]; e < r->in_end[k]; e++) {
			size_t from = r->edges[e].from;

			found |= from == earlier;
			if (!mark[from]) {
				mark[from] = 1;
				stack[n++] = from;
			}
		}
	}
	free(mark);
	free(stack);
	return found;
}

static int
shares_input(const prep_report_run *a, const prep_report_run *b)
{
	size_t i, k;

	for (i = 0; i < a->ninputs; i++)
		for (k = 0; k < b->ninputs; k++)
			if (a->inputs[i].sha256 && b->inputs[k].sha256 &&
			    strcmp(a->inputs[i].sha256, b->inputs[k].sha256) ==
				0)
				return 1;
	return 0;
}

static int
has_rates(const prep_report_run *run)
{
	return is_job(run, "fairness") && run->exit_status <= 1 &&
	       count_groups(run, "selection_rate:") > 0;
}

size_t
prep_report_fairness_pairs(const prep_report *r, prep_report_pair *out,
			   size_t max)
{
	size_t m, i, n = 0;

	for (m = 0; m < r->nruns && n < max; m++) {
		const prep_report_run *mit = &r->runs[m];
		prep_report_pair p = {SIZE_MAX, SIZE_MAX, m};

		if ((!is_job(mit, "reweight") && !is_job(mit, "oversample")) ||
		    mit->exit_status != 0)
			continue;
		for (i = m + 1; i < r->nruns; i++)
			if (has_rates(&r->runs[i]) &&
			    prep_report_follows(r, i, m)) {
				p.after = i;
				break;
			}
		for (i = m; i-- > 0;)
			if (has_rates(&r->runs[i]) &&
			    (shares_input(&r->runs[i], mit) ||
			     (r->runs[i].pipeline == mit->pipeline &&
			      !prep_report_follows(r, i, m)))) {
				p.before = i;
				break;
			}
		if (p.before != SIZE_MAX || p.after != SIZE_MAX)
			out[n++] = p;
	}
	/* fairness runs in no pair: alone */
	for (i = 0; i < r->nruns && n < max; i++) {
		size_t k;
		int paired = 0;

		if (!has_rates(&r->runs[i]))
			continue;
		for (k = 0; k < n; k++)
			paired |= out[k].before == i || out[k].after == i;
		if (!paired) {
			prep_report_pair p = {i, SIZE_MAX, SIZE_MAX};

			out[n++] = p;
		}
	}
	return n;
}

/* The number written by the n digits at t (checked by the reader). */
static int
digits_at(const char *t, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++)
		v = v * 10 + (t[i] - '0');
	return v;
}

/* Seconds since the epoch of "YYYY-MM-DDTHH:MM:SS..." (UTC). */
static double
epoch_seconds(const char *t)
{
	int y = digits_at(t, 4), mo = digits_at(t + 5, 2),
	    d = digits_at(t + 8, 2);
	int h = digits_at(t + 11, 2), mi = digits_at(t + 14, 2),
	    s = digits_at(t + 17, 2);
	long long days;

	/* days from civil (Howard Hinnant's algorithm) */
	y -= mo <= 2;
	{
		long long era = (y >= 0 ? y : y - 399) / 400;
		long long yoe = y - era * 400;
		long long doy =
		    (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
		long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

		days = era * 146097 + doe - 719468;
	}
	return (double)days * 86400 + h * 3600 + mi * 60 + s;
}

size_t
prep_report_budget_datasets(const prep_report *r, const char **names,
			    size_t max)
{
	size_t i, k, n = 0;

	for (i = 0; i < r->nruns + r->nledger; i++) {
		const char *name = NULL;

		if (i < r->nruns) {
			const prep_report_check *c =
			    prep_report_find_check(&r->runs[i], "dataset");

			if (is_job(&r->runs[i], "dpnoise") && c &&
			    c->observed.kind == PREP_REPORT_TEXT &&
			    prep_report_find_check(&r->runs[i], "budget.spent"))
				name = c->observed.text;
		} else {
			name = r->ledger[i - r->nruns].dataset;
		}
		if (name == NULL)
			continue;
		for (k = 0; k < n && strcmp(names[k], name) != 0; k++)
			;
		if (k == n && n < max)
			names[n++] = name;
	}
	return n;
}

static int
point_order(const void *pa, const void *pb)
{
	const prep_report_point *a = pa, *b = pb;
	int c = strcmp(a->time, b->time);

	if (c != 0)
		return c;
	/* a ledger entry is written before its run ends */
	if ((a->run == SIZE_MAX) != (b->run == SIZE_MAX))
		return a->run == SIZE_MAX ? -1 : 1;
	return a->run != SIZE_MAX
		   ? (a->run > b->run) - (a->run < b->run)
		   : (a->entry > b->entry) - (a->entry < b->entry);
}

size_t
prep_report_budget_points(const prep_report *r, const char *dataset,
			  prep_report_point *out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < r->nruns && n < max; i++) {
		const prep_report_run *run = &r->runs[i];
		const prep_report_check *ds =
		    prep_report_find_check(run, "dataset");
		const prep_report_check *sp =
		    prep_report_find_check(run, "budget.spent");
		const prep_report_check *ep =
		    prep_report_find_check(run, "epsilon");
		prep_report_point *p = &out[n];

		if (!is_job(run, "dpnoise") || ds == NULL || sp == NULL ||
		    ds->observed.kind != PREP_REPORT_TEXT ||
		    strcmp(ds->observed.text, dataset) != 0)
			continue;
		memset(p, 0, sizeof *p);
		p->time = run->event_time;
		p->run = i;
		p->entry = SIZE_MAX;
		p->spent = sp->observed.kind == PREP_REPORT_NUMBER
			       ? sp->observed.number
			       : NAN;
		p->budget = sp->threshold.kind == PREP_REPORT_NUMBER
				? sp->threshold.number
				: NAN;
		p->epsilon = ep && ep->observed.kind == PREP_REPORT_NUMBER
				 ? ep->observed.number
				 : NAN;
		p->refused = sp->passed == 0;
		p->seconds = epoch_seconds(p->time);
		n++;
	}
	for (i = 0; i < r->nledger && n < max; i++) {
		const prep_report_ledger_entry *e = &r->ledger[i];
		prep_report_point *p = &out[n];

		if (strcmp(e->dataset, dataset) != 0)
			continue;
		memset(p, 0, sizeof *p);
		p->time = e->time;
		p->run = SIZE_MAX;
		p->entry = i;
		p->spent = e->spent;
		p->budget = e->budget;
		p->epsilon = e->epsilon;
		p->seconds = epoch_seconds(p->time);
		n++;
	}
	qsort(out, n, sizeof *out, point_order);
	return n;
}

size_t
prep_report_histogram(const prep_report_run *run, const char **labels,
		      double *values, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < run->nchecks && n < max; i++)
		if (strncmp(run->checks[i].name, "classes_of_size:", 16) == 0 &&
		    run->checks[i].observed.kind == PREP_REPORT_NUMBER) {
			labels[n] = run->checks[i].name + 16;
			values[n++] = run->checks[i].observed.number;
		}
	return n;
}
