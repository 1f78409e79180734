/*
 * test_report.c: unit tests of libprep/report.c: reading audit records
 * strictly, linking runs into pipelines, and the checklist's answers.
 *
 * The records are built here, one pipeline of the data stage (profile,
 * anonymize | kcheck | validate, then fairness and drift on the
 * release), and changed one stage at a time; the expected answers
 * follow from the rules of prep-report(1), CHECKLIST, worked out by
 * hand for each case and written as ten letters (Y yes, N no, - N/A) in
 * the checklist's order: Source Review, Preprocessing, Privacy,
 * Validation, Fairness Metrics, Subgroup Analysis, Drift, Bias
 * Monitoring, Alerting, Risk Documentation.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define PRODUCER "https://example.invalid/prep/0.1.0"
#define FACET "https://example.invalid/prep/spec/1-0-0/prep-audit.schema.json"

static char text[1 << 16];
static size_t used;
static int serial;

/* The SHA-256 of dataset letter c: 32 times its hex ('?': null). */
static void
put_dataset(const char *name, char c)
{
	char sha[70];
	size_t i;

	if (c == '?')
		strcpy(sha, "null");
	else {
		for (i = 0; i < 32; i++)
			(void)snprintf(sha + 1 + 2 * i, 3, "%02x",
				       (unsigned char)c);
		sha[0] = sha[65] = '"';
		sha[66] = '\0';
	}
	used += (size_t)snprintf(
	    text + used, sizeof text - used,
	    "{\"namespace\":\"file\",\"name\":\"%s\",\"facets\":{"
	    "\"prep_dataset\":{\"_producer\":\"" PRODUCER "\",\"_schemaURL\":"
	    "\"" FACET "#/$defs/PrepDatasetFacet\",\"sha256\":%s,\"rows\":10,"
	    "\"columns\":3}}}",
	    name, sha);
}

/*
 * Append a record of job: ins and outs are dataset letters (each a
 * dataset of that name), checks the JSON of its checks array's inside.
 */
static void
record(const char *job, const char *ins, const char *outs, int exit_status,
       const char *checks)
{
	size_t i;

	serial++;
	used += (size_t)snprintf(
	    text + used, sizeof text - used,
	    "{\"eventType\":\"%s\",\"eventTime\":\"2026-11-24T03:10:%02d.000Z\","
	    "\"run\":{\"runId\":\"00000000-0000-4000-8000-%012d\",\"facets\":{"
	    "\"prep\":{\"_producer\":\"" PRODUCER "\",\"_schemaURL\":\"" FACET
	    "#/$defs/PrepRunFacet\",\"version\":\"0.1.0\",\"arguments\":[],"
	    "\"exit_status\":%d,\"reason\":null,\"seconds\":0.1,\"checks\":[%s]"
	    "}}},\"job\":{\"namespace\":\"prep\",\"name\":\"%s\"},\"inputs\":[",
	    exit_status ? "FAIL" : "COMPLETE", serial, serial, exit_status,
	    checks, job);
	for (i = 0; ins[i]; i++) {
		char name[2] = {ins[i] == '?' ? 'x' : ins[i], 0};

		if (i)
			text[used++] = ',';
		put_dataset(name, ins[i]);
	}
	used += (size_t)snprintf(text + used, sizeof text - used,
				 "],\"outputs\":[");
	for (i = 0; outs[i]; i++) {
		char name[2] = {outs[i], 0};

		if (i)
			text[used++] = ',';
		put_dataset(name, outs[i]);
	}
	used +=
	    (size_t)snprintf(text + used, sizeof text - used,
			     "],\"producer\":\"" PRODUCER "\",\"schemaURL\":"
			     "\"https://openlineage.io/spec/2-0-2/"
			     "OpenLineage.json#/$defs/RunEvent\"}\n");
	cr_assert_lt(used, sizeof text - 1);
}

static void
start(void)
{
	used = 0;
	serial = 0;
	text[0] = '\0';
}

#define GATE(n, o, t, p)                                                       \
	"{\"name\":\"" n "\",\"observed\":" #o ",\"threshold\":" #t            \
	",\"passed\":" #p "}"
#define FIG(n, o)                                                              \
	"{\"name\":\"" n "\",\"observed\":" #o                                 \
	",\"threshold\":null,\"passed\":null}"

#define PROFILE() record("profile", "a", "p", 0, FIG("rows", 10))
#define ANONYMIZE() record("anonymize", "a", "b", 0, FIG("rows", 10))
#define KCHECK(in) record("kcheck", in, "c", 0, GATE("k", 5, 5, true))
#define VALIDATE(in) record("validate", in, "d", 0, GATE("valid", 0, 0, true))
#define RATES                                                                  \
	FIG("n:#1", 5)                                                         \
	"," FIG("selection_rate:#1",                                           \
		0.4) "," FIG("n:#2", 5) "," FIG("selection_rate:#2", 0.6)
#define FAIRNESS(in)                                                           \
	record("fairness", in, "f", 0,                                         \
	       GATE("disparate_impact", 0.8333, 0.8, true) "," RATES)
#define DRIFT(in)                                                              \
	record("drift", "r" in, "g", 0,                                        \
	       GATE("drift_share", 0, 0.5, true) "," GATE("drift:x", 0.01,     \
							  0.1, true))

/* The report of the text so far, finished. */
static prep_report *
build(void)
{
	prep_report_error err;
	prep_report *r;

	cr_assert_eq(prep_report_new(&r), PREP_OK);
	cr_assert_eq(prep_report_add_audit(r, "a.jsonl", text, used, &err),
		     PREP_OK, "%lu: %s", err.line, err.text);
	cr_assert_eq(prep_report_finish(r), PREP_OK);
	return r;
}

/* The answers as ten letters. */
static void
answers(prep_report *r, char out[PREP_REPORT_NITEMS + 1])
{
	size_t i;

	for (i = 0; i < PREP_REPORT_NITEMS; i++) {
		prep_report_answer a = prep_report_checklist(r, i)->answer;

		out[i] = a == PREP_REPORT_YES  ? 'Y'
			 : a == PREP_REPORT_NO ? 'N'
					       : '-';
	}
	out[PREP_REPORT_NITEMS] = '\0';
}

static void
expect(const char *want)
{
	prep_report *r = build();
	char got[PREP_REPORT_NITEMS + 1];
	size_t i;

	answers(r, got);
	for (i = 0; i < PREP_REPORT_NITEMS; i++)
		cr_expect_eq(got[i], want[i], "%s: got %c, want %c (%s)",
			     prep_report_checklist(r, i)->name, got[i], want[i],
			     prep_report_checklist(r, i)->because);
	prep_report_free(r);
}

Test(report, whole_pipeline_every_stage_yes)
{
	start();
	PROFILE();
	ANONYMIZE();
	KCHECK("b");
	VALIDATE("c");
	FAIRNESS("d");
	DRIFT("d");
	expect("YYYYYYYYYY");
}

Test(report, links_and_pipelines)
{
	prep_report *r;

	start();
	PROFILE();
	ANONYMIZE();
	KCHECK("b");
	VALIDATE("c");
	FAIRNESS("d");
	DRIFT("d");
	r = build();
	/* b: anonymize -> kcheck, c: kcheck -> validate, d: validate ->
	 * fairness and drift; profile joins by reading a, as anonymize */
	cr_assert_eq(prep_report_nedges(r), 4);
	cr_assert_eq(prep_report_npipelines(r), 1);
	cr_assert_eq(prep_report_edge_at(r, 0)->from, 1);
	cr_assert_eq(prep_report_edge_at(r, 0)->to, 2);
	cr_assert_eq(prep_report_run_at(r, 3)->depth, 2); /* validate */
	cr_assert_eq(prep_report_run_at(r, 5)->depth, 3); /* drift */
	/* only validate's d is released: fairness and drift write reports */
	cr_assert_eq(prep_report_run_at(r, 3)->is_release, 1);
	cr_assert_eq(prep_report_run_at(r, 2)->is_release, 0);
	cr_assert(prep_report_follows(r, 4, 1));
	cr_assert(!prep_report_follows(r, 1, 4));
	prep_report_free(r);
}

Test(report, without_kcheck_privacy_is_no)
{
	start();
	PROFILE();
	ANONYMIZE();
	VALIDATE("b");
	FAIRNESS("d");
	DRIFT("d");
	expect("YYNYYYYYYY");
}

Test(report, kcheck_failed_nothing_released)
{
	prep_report *r;

	start();
	PROFILE();
	ANONYMIZE();
	record("kcheck", "b", "", 1, GATE("k", 2, 5, false));
	r = build();
	cr_assert_eq(prep_report_checklist(r, 2)->answer, PREP_REPORT_NO);
	cr_assert_str_eq(prep_report_checklist(r, 2)->because,
			 "kcheck k=5 failed (observed 2) and nothing was "
			 "released");
	/* the failed gate stopped its run: alerting holds */
	cr_assert_eq(prep_report_checklist(r, 8)->answer, PREP_REPORT_YES);
	prep_report_free(r);
}

Test(report, without_validate_validation_is_no)
{
	start();
	PROFILE();
	ANONYMIZE();
	KCHECK("b");
	FAIRNESS("c");
	DRIFT("c");
	expect("YYYNYYYYYY");
}

Test(report, without_profile_source_review_is_no)
{
	start();
	ANONYMIZE();
	KCHECK("b");
	VALIDATE("c");
	FAIRNESS("d");
	DRIFT("d");
	expect("NYYYYYYYYY");
}

Test(report, without_anonymize_preprocessing_is_no)
{
	start();
	PROFILE();
	KCHECK("a");
	VALIDATE("c");
	FAIRNESS("d");
	DRIFT("d");
	/* kcheck gates, it does not transform */
	expect("YNYYYYYYYY");
}

Test(report, no_groups_anywhere_is_na)
{
	start();
	PROFILE();
	ANONYMIZE();
	KCHECK("b");
	VALIDATE("c");
	DRIFT("d");
	expect("YYYY--Y-YY");
}

Test(report, fairness_without_gate_bias_monitoring_no)
{
	start();
	PROFILE();
	ANONYMIZE();
	KCHECK("b");
	VALIDATE("c");
	record("fairness", "d", "f", 0,
	       FIG("disparate_impact", 0.8333) "," RATES);
	DRIFT("d");
	expect("YYYYYYYNYY");
}

Test(report, fairness_gate_failed_last)
{
	start();
	PROFILE();
	ANONYMIZE();
	KCHECK("b");
	VALIDATE("c");
	record("fairness", "d", "", 1,
	       GATE("disparate_impact", 0.5, 0.8, false) "," RATES);
	DRIFT("d");
	expect("YYYYNYYNYY");
}

Test(report, fairness_fixed_by_reweight_is_yes)
{
	start();
	PROFILE();
	ANONYMIZE();
	KCHECK("b");
	VALIDATE("c");
	record("fairness", "d", "", 1,
	       GATE("disparate_impact", 0.5, 0.8, false) "," RATES);
	record("reweight", "d", "w", 0, FIG("cells", 4));
	FAIRNESS("w");
	DRIFT("d");
	expect("YYYYYYYYYY");
	{
		prep_report *r = build();
		prep_report_pair p[4];

		cr_assert_eq(prep_report_fairness_pairs(r, p, 4), 1);
		cr_assert_eq(p[0].before, 4);
		cr_assert_eq(p[0].mitigation, 5);
		cr_assert_eq(p[0].after, 6);
		prep_report_free(r);
	}
}

Test(report, drift_missing_or_found_is_no)
{
	start();
	PROFILE();
	ANONYMIZE();
	KCHECK("b");
	VALIDATE("c");
	FAIRNESS("d");
	expect("YYYYYYNYYY");
	record("drift", "rd", "", 1,
	       GATE("drift_share", 1, 0.5, false) "," GATE("drift:x", 0.3, 0.1,
							   false));
	expect("YYYYYYNYYY");
}

Test(report, drifted_column_is_not_a_stopping_gate)
{
	start();
	PROFILE();
	ANONYMIZE();
	KCHECK("b");
	VALIDATE("c");
	FAIRNESS("d");
	record("drift", "rd", "g", 0,
	       GATE("drift_share", 0.5, 0.6, true) "," GATE("drift:x", 0.3, 0.1,
							    false));
	expect("YYYYYYYYYY");
}

Test(report, failed_gate_with_exit_zero_alerting_no)
{
	start();
	PROFILE();
	ANONYMIZE();
	KCHECK("b");
	record("validate", "c", "d", 0, GATE("valid", 3, 0, false));
	FAIRNESS("d");
	DRIFT("d");
	expect("YYYNYYYYNY");
}

Test(report, no_gate_alerting_no)
{
	start();
	PROFILE();
	ANONYMIZE();
	expect("YYNN--N-NY");
}

Test(report, unknown_digest_documentation_no)
{
	start();
	PROFILE();
	ANONYMIZE();
	KCHECK("b");
	record("validate", "c?", "d", 0, GATE("valid", 0, 0, true));
	FAIRNESS("d");
	DRIFT("d");
	expect("YYYYYYYYYN");
}

Test(report, no_records)
{
	start();
	expect("NNNN--N-NN");
}

Test(report, parent_groups_runs)
{
	prep_report_error err;
	prep_report *r;
	char *p;

	start();
	ANONYMIZE();
	record("kcheck", "z", "y", 0, GATE("k", 5, 5, true));
	r = build();
	cr_assert_eq(prep_report_npipelines(r), 2);
	prep_report_free(r);
	/* the same two with one PREP_RUN_ID: one pipeline */
	p = text;
	while ((p = strstr(p, "\"facets\":{\"prep\"")) != NULL) {
		static const char parent[] =
		    "\"facets\":{\"parent\":{\"_producer\":\"" PRODUCER
		    "\",\"_schemaURL\":\"x\",\"run\":{\"runId\":"
		    "\"5f0c6a1e-3b1d-4c2e-9a7b-1d2e3f405162\"},\"job\":{"
		    "\"namespace\":\"prep\",\"name\":\"pipeline\"}},";
		size_t skip = strlen("\"facets\":{");

		memmove(p + strlen(parent), p + skip,
			used - (size_t)(p - text) - skip + 1);
		memcpy(p, parent, strlen(parent));
		used += strlen(parent) - skip;
		p += strlen(parent);
	}
	cr_assert_eq(prep_report_new(&r), PREP_OK);
	cr_assert_eq(prep_report_add_audit(r, "a", text, used, &err), PREP_OK,
		     "%s", err.text);
	cr_assert_eq(prep_report_finish(r), PREP_OK);
	cr_assert_eq(prep_report_npipelines(r), 1);
	cr_assert_str_eq(prep_report_pipeline_at(r, 0)->parent,
			 "5f0c6a1e-3b1d-4c2e-9a7b-1d2e3f405162");
	prep_report_free(r);
}

/* The refusal of text (one good line, then line): its line and reason. */
static void
refused(const char *line, const char *reason)
{
	prep_report_error err;
	prep_report *r;

	start();
	ANONYMIZE();
	used += (size_t)snprintf(text + used, sizeof text - used, "%s", line);
	cr_assert_eq(prep_report_new(&r), PREP_OK);
	cr_assert_eq(prep_report_add_audit(r, "a", text, used, &err),
		     PREP_ERR_VALUE);
	cr_assert_eq(err.line, 2);
	cr_assert_str_eq(err.text, reason);
	cr_assert_null(strstr(err.text, "hunter2"));
	prep_report_free(r);
}

Test(report, refuses_what_is_not_a_record)
{
	refused("{\"eventType\":\"COMPLETE\",\"pw\":\"hunter2\"\n",
		"not valid JSON (at column 38)"); /* its end */
	refused("\n", "an empty line, not an audit record");
	refused("[\"hunter2\"]\n", "not an audit record: not a JSON object");
	refused(
	    "{\"eventType\":\"hunter2\"}\n",
	    "not an audit record: eventType is not COMPLETE, FAIL or ABORT");
	refused("{\"a\":1,\"a\":\"hunter2\"}\n",
		"not valid JSON (at column 10)"); /* the second "a" */
	refused("{\"eventType\":\"COMPLETE\",\"eventTime\":\"hunter2\"}\n",
		"not an audit record: eventTime is not UTC time with "
		"milliseconds");
}

Test(report, refuses_a_changed_field)
{
	char line[4096];
	char *p;

	start();
	ANONYMIZE();
	memcpy(line, text, used + 1);
	p = strstr(line, "\"exit_status\":0");
	cr_assert_not_null(p);
	memmove(p + 23, p + 15, strlen(p + 15) + 1);
	memcpy(p, "\"exit_status\":\"hunter2\"", 23);
	refused(line, "not an audit record: exit_status is not an integer");
	strcpy(line, text);
	p = strstr(line, "\"sha256\":\"");
	cr_assert_not_null(p);
	p[10] = 'G';
	refused(line, "not an audit record: inputs[0].sha256 is not 64 hex "
		      "digits");
}

Test(report, budget_points_and_histogram)
{
	prep_report_point pts[4];
	prep_report_error err;
	const char *names[2], *labels[4];
	double values[4];
	prep_report *r;
	static const char ledger[] =
	    "# prep ledger v1\n"
	    "2026-11-20T00:00:00Z dataset=people budget=3 epsilon=1 delta=0 "
	    "tool=dpnoise args=\"x\"\n"
	    "2026-11-21T00:00:00Z dataset=other budget=1 epsilon=0.5 delta=0 "
	    "tool=dpnoise args=\"x\"\n"
	    "2026-11-22T00:00:00Z dataset=people budget=3 epsilon=0.5 "
	    "delta=0 tool=dpnoise args=\"x\"\n";

	start();
	record("kcheck", "a", "c", 0,
	       GATE("k", 5, 5, true) "," FIG("classes_of_size:5", 2) "," FIG(
		   "rows", 10) "," FIG("classes_of_size:32-63", 1));
	cr_assert_eq(prep_report_new(&r), PREP_OK);
	cr_assert_eq(prep_report_add_audit(r, "a", text, used, &err), PREP_OK);
	cr_assert_eq(
	    prep_report_add_ledger(r, "l", ledger, sizeof ledger - 1, &err),
	    PREP_OK);
	cr_assert_eq(prep_report_finish(r), PREP_OK);
	cr_assert_eq(prep_report_budget_datasets(r, names, 2), 2);
	cr_assert_str_eq(names[0], "people");
	cr_assert_eq(prep_report_budget_points(r, "people", pts, 4), 2);
	cr_assert_eq(pts[0].spent, 1);
	cr_assert_eq(pts[1].spent, 1.5);
	cr_assert_eq(pts[1].seconds - pts[0].seconds, 2 * 86400);
	cr_assert_eq(pts[0].seconds, 1795132800); /* date -d 2026-11-20 +%s */
	cr_assert_eq(
	    prep_report_histogram(prep_report_run_at(r, 0), labels, values, 4),
	    2);
	cr_assert_str_eq(labels[1], "32-63");
	cr_assert_eq(values[1], 1);
	prep_report_free(r);
	/* a line that is not a ledger's: its line */
	cr_assert_eq(prep_report_new(&r), PREP_OK);
	cr_assert_eq(prep_report_add_ledger(
			 r, "l", "# prep ledger v1\nhunter2\n", 25, &err),
		     PREP_ERR_VALUE);
	cr_assert_eq(err.line, 2);
	prep_report_free(r);
}
