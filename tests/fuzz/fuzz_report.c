/*
 * fuzz_report.c: libFuzzer harness of prep-report's reader of audit
 * records (report.h, prep_report_add_audit) and of its pages.
 *
 * The input is an audit file. Checked: a refusal (PREP_ERR_VALUE) names
 * a line of the input (1 to its number of lines) and a reason from
 * report.c's fixed set, never a piece of the input; a file that is read
 * links (prep_report_finish) and renders as HTML and Markdown, and the
 * HTML has no <script (every string of the records is escaped: a '<'
 * of the input can only come out as &lt;).
 */
#include "fuzz_common.h"

#include "report.h"

static unsigned long
lines_of(const uint8_t *p, size_t n)
{
	unsigned long k = 0;
	size_t i;

	for (i = 0; i < n; i++)
		k += p[i] == '\n';
	return k + (n > 0 && p[n - 1] != '\n');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	prep_report_error err;
	prep_report *r;
	prep_status st;
	char *text;
	size_t len;

	if (prep_report_new(&r) != PREP_OK)
		return 0;
	st = prep_report_add_audit(r, "fuzz.jsonl", (const char *)data, size,
				   &err);
	if (st == PREP_ERR_VALUE) {
		if (err.line < 1 || err.line > lines_of(data, size))
			abort();
		if (strncmp(err.text, "not an audit record: ", 21) != 0 &&
		    strncmp(err.text, "not valid JSON (at column ", 26) != 0 &&
		    strcmp(err.text, "an empty line, not an audit record") != 0)
			abort();
	} else if (st == PREP_OK) {
		if (prep_report_finish(r) == PREP_OK) {
			if (prep_report_html(r, NULL, &text, &len) == PREP_OK) {
				if (strstr(text, "<script") != NULL ||
				    strlen(text) != len)
					abort();
				free(text);
			}
			if (prep_report_markdown(r, NULL, &text, &len) ==
			    PREP_OK)
				free(text);
		}
	} else if (st != PREP_ERR_NOMEM && st != PREP_ERR_LIMIT) {
		abort();
	}
	prep_report_free(r);
	return 0;
}
