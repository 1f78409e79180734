/*
 * fuzz_schema.c: libFuzzer harness of the Table Schema parser and the
 * typed checks of a record against it (schema.h).
 *
 * Input layout: the JSON schema, then optionally a NUL byte and records
 * (lines split at LF, fields at ','; each field NUL-terminated as the CSV
 * reader leaves it). Without a NUL byte the records are fixed ones made
 * of a list of typed edge cases (numbers, dates, times, booleans, e-mails,
 * UUIDs, invalid UTF-8...): for each value a row of it in every column,
 * then a row of it and the values after it (so unique and primary-key sets
 * see duplicates), plus a short and an empty row.
 *
 * The schema is parsed with prep_schema_parse(); when it loads, its field
 * names are checked to be NUL-terminated and at most 1000 rows are checked
 * with prep_schema_check_row() (unique/primary-key sets capped at 64 keys
 * so the limit path runs too): at most nfields + 1 issues, at most one per
 * field, each naming a field of the schema or the row, with a known code
 * and a message; a field past the end of a short row only as missing
 * (a constraint-error). A schema that does not load has its error's path and
 * text NUL-terminated within their arrays.
 */
#include "fuzz_common.h"

#include "schema.h"

#define MAX_ROWS 1000
#define MAX_KEYS 64

static const char *const values[] = {
    "",
    "1",
    "01",
    "-0",
    "+7",
    "9223372036854775808",
    "-123456789012345678901234567890",
    "-inf",
    "nAn",
    "-3.5e2",
    "1e400",
    "NaN",
    "INF",
    "abc",
    "true",
    "False",
    "2020-01-01",
    "2020-02-30",
    "0000-01-01",
    "12:00:00",
    "01:00:00+02:00",
    "23:59:59.5Z",
    "23:59:60",
    "24:00:00",
    "2020-01-01T00:00:00Z",
    "2020-01-01T00:00:00+25:00",
    "31/12/1999",
    "2021",
    "x@y.z",
    "a@b",
    "http://example.org/a?b#c",
    "f47ac10b-58cc-4372-a567-0e02b2c3d479",
    "\xC3\xA9t\xC3\xA9",
    "\xff\xfe",
};

/* Check one row; 0, or -1 to stop checking (a limit was reached). */
static int
check(prep_schema *s, const prep_field *f, size_t n, prep_schema_issue *issues)
{
	size_t nf = prep_schema_nfields(s), m = n < nf ? n : nf;
	size_t ni = 0, i, j;
	prep_status st = prep_schema_check_row(s, f, n, issues, &ni);

	if (st != PREP_OK) {
		if (st != PREP_ERR_LIMIT && st != PREP_ERR_NOMEM)
			abort();
		return -1;
	}
	if (ni > nf + 1)
		abort();
	for (i = 0; i < ni; i++) {
		if (issues[i].field != PREP_SCHEMA_ROW &&
		    (issues[i].field >= nf ||
		     (issues[i].field >= m &&
		      issues[i].code != PREP_SCHEMA_CONSTRAINT_ERROR)))
			abort();
		if (issues[i].code < PREP_SCHEMA_TYPE_ERROR ||
		    issues[i].code > PREP_SCHEMA_PRIMARY_KEY_ERROR ||
		    issues[i].message == NULL)
			abort();
		(void)strlen(issues[i].message);
		for (j = 0; j < i; j++)
			if (issues[j].field == issues[i].field)
				abort();
	}
	return 0;
}

static void
fixed_rows(prep_schema *s, prep_schema_issue *issues, prep_field *f)
{
	size_t nf = prep_schema_nfields(s), v, i, rep;

	for (v = 0; v < sizeof values / sizeof values[0]; v++)
		for (rep = 0; rep < 2; rep++) {
			for (i = 0; i < nf; i++) {
				f[i].data =
				    values[(v + i * rep) %
					   (sizeof values / sizeof values[0])];
				f[i].len = strlen(f[i].data);
			}
			if (check(s, f, nf, issues) != 0)
				return;
		}
	if (nf > 1 && check(s, f, nf - 1, issues) != 0)
		return;
	(void)check(s, f, 0, issues);
}

/* Rows of text[0..n) (a copy we may write NULs into). */
static void
text_rows(prep_schema *s, prep_schema_issue *issues, char *text, size_t n)
{
	prep_field f[64];
	size_t rows = 0, i = 0;

	while (i <= n && rows < MAX_ROWS) {
		size_t k = 0;

		for (;;) {
			size_t e = i;

			while (e < n && text[e] != ',' && text[e] != '\n')
				e++;
			if (k < sizeof f / sizeof f[0]) {
				f[k].data = text + i;
				f[k].len = e - i;
				k++;
			}
			i = e + 1;
			if (e >= n || text[e] == '\n') {
				text[e] = '\0'; /* text has a byte at n */
				break;
			}
			text[e] = '\0';
		}
		rows++;
		if (check(s, f, k, issues) != 0)
			return;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t jlen = nul ? (size_t)(nul - data) : size;
	prep_schema *s = NULL;
	prep_schema_error err;
	prep_schema_issue *issues;
	prep_field *f;
	size_t nf, i;
	prep_status st;

	memset(&err, 0, sizeof err);
	st = prep_schema_parse((const char *)data, jlen, &s, &err);
	if (st != PREP_OK) {
		if (s != NULL ||
		    memchr(err.path, '\0', sizeof err.path) == NULL ||
		    memchr(err.text, '\0', sizeof err.text) == NULL)
			abort();
		return 0;
	}
	nf = prep_schema_nfields(s);
	for (i = 0; i < nf; i++) {
		size_t len = 0;
		const char *name = prep_schema_field_name(s, i, &len);

		if (name == NULL || name[len] != '\0')
			abort();
	}
	if (prep_schema_field_name(s, nf, &i) != NULL || i != 0)
		abort();
	prep_schema_set_max_keys(s, MAX_KEYS);
	issues = calloc(nf + 1, sizeof *issues);
	f = calloc(nf ? nf : 1, sizeof *f);
	if (issues && f) {
		if (nul == NULL) {
			fixed_rows(s, issues, f);
		} else {
			char *text = fuzz_strndup(nul + 1, size - jlen - 1);

			if (text)
				text_rows(s, issues, text, size - jlen - 1);
			free(text);
		}
	}
	free(issues);
	free(f);
	prep_schema_free(s);
	return 0;
}
