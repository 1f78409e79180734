/*
 * test_schema.c: unit tests of schema.h, the Table Schema loader
 * (libprep/schema.c) and the typed cell checks (libprep/schema_check.c).
 *
 * Every check asserts the exact issue: code, field index and message;
 * every schema error the exact status, path and text. Calendar facts
 * (leap years, day numbers) and the UTC instants of offset datetimes are
 * worked out by hand in the comments beside them.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "schema.h"

/* ---- helpers ---- */

static prep_schema *
load(const char *json)
{
	prep_schema_error e;
	prep_schema *s = NULL;
	prep_status st = prep_schema_parse(json, strlen(json), &s, &e);

	cr_assert_eq(st, PREP_OK, "schema rejected: %s: %s", e.path, e.text);
	cr_assert_not_null(s);
	return s;
}

/* A schema of one field, given as the field's JSON object. */
static prep_schema *
load1(const char *field)
{
	char buf[4096];

	snprintf(buf, sizeof buf, "{\"fields\": [%s]}", field);
	return load(buf);
}

static void
load_fails(const char *json, prep_status want, const char *path,
	   const char *text)
{
	prep_schema_error e;
	prep_schema *s = (prep_schema *)&e; /* must become NULL */
	prep_status st = prep_schema_parse(json, strlen(json), &s, &e);

	cr_assert_eq(st, want, "status %d for %s (%s: %s)", st, json, e.path,
		     e.text);
	cr_assert_null(s);
	cr_assert_str_eq(e.path, path, "for %s", json);
	cr_assert_str_eq(e.text, text, "for %s", json);
	cr_assert_eq(e.line, 0);
	cr_assert_eq(e.column, 0);
}

/* load_fails for a schema of one field. */
static void
load1_fails(const char *field, const char *path, const char *text)
{
	char buf[4096];

	snprintf(buf, sizeof buf, "{\"fields\": [%s]}", field);
	load_fails(buf, PREP_ERR_VALUE, path, text);
}

/* Check a row of n cells (strings) and return the number of issues. */
static size_t
check(prep_schema *s, const char *const *cells, size_t n, prep_schema_issue *is)
{
	prep_field f[16];
	size_t i, k = 99;

	cr_assert(n <= 16);
	for (i = 0; i < n; i++) {
		f[i].data = cells[i];
		f[i].len = strlen(cells[i]);
	}
	cr_assert_eq(prep_schema_check_row(s, f, n, is, &k), PREP_OK);
	return k;
}

/* The one cell is valid. */
static void
ok1(prep_schema *s, const char *cell)
{
	prep_schema_issue is[2];
	size_t k = check(s, &cell, 1, is);

	cr_assert_eq(k, 0, "'%s' got '%s'", cell, k ? is[0].message : "");
}

/* The one cell has exactly one issue: code and message. */
static void
bad1(prep_schema *s, const char *cell, int code, const char *msg)
{
	prep_schema_issue is[2];
	size_t k = check(s, &cell, 1, is);

	cr_assert_eq(k, 1, "'%s': %zu issues", cell, k);
	cr_assert_eq(is[0].field, 0);
	cr_assert_eq(is[0].code, code, "'%s': code %d (%s)", cell, is[0].code,
		     is[0].message);
	cr_assert_str_eq(is[0].message, msg, "for '%s'", cell);
}

static void
type1(prep_schema *s, const char *cell, const char *msg)
{
	bad1(s, cell, PREP_SCHEMA_TYPE_ERROR, msg);
}

static void
cons1(prep_schema *s, const char *cell, const char *msg)
{
	bad1(s, cell, PREP_SCHEMA_CONSTRAINT_ERROR, msg);
}

/* ---- loading ---- */

Test(schema, names_and_count)
{
	prep_schema *s =
	    load("{\"title\": \"People\", \"description\": \"d\","
		 " \"fields\": [{\"name\": \"id\", \"type\": "
		 "\"integer\", \"title\": \"Id\", \"description\":"
		 " \"x\", \"example\": 3}, {\"name\": \"näme\"}]}");
	size_t len = 99;

	cr_assert_eq(prep_schema_nfields(s), 2);
	cr_assert_str_eq(prep_schema_field_name(s, 0, &len), "id");
	cr_assert_eq(len, 2);
	cr_assert_str_eq(prep_schema_field_name(s, 1, &len), "näme");
	cr_assert_eq(len, 5);
	cr_assert_null(prep_schema_field_name(s, 2, &len));
	cr_assert_eq(len, 0);
	prep_schema_free(s);
}

Test(schema, empty_fields)
{
	prep_schema *s = load("{\"fields\": []}");
	prep_schema_issue is[1];
	prep_field f = {"x", 1};
	size_t k = 9;

	cr_assert_eq(prep_schema_nfields(s), 0);
	cr_assert_eq(prep_schema_check_row(s, &f, 1, is, &k), PREP_OK);
	cr_assert_eq(k, 0);
	prep_schema_free(s);
}

Test(schema, malformed_json)
{
	const char *j = "{\n  \"fields\": [\n    {\"name\": \"a\",}\n  ]\n}";
	prep_schema_error e;
	prep_schema *s = NULL;

	cr_assert_eq(prep_schema_parse(j, strlen(j), &s, &e), PREP_ERR_VALUE);
	cr_assert_null(s);
	cr_assert_eq(e.line, 3);
	cr_assert_eq(e.column, 18); /* the '}' */
	cr_assert_str_eq(e.path, "");
	cr_assert_str_eq(e.text, "not valid JSON: string or '}' expected");

	j = "{\"fields\": [],\n \"fields\": []}";
	cr_assert_eq(prep_schema_parse(j, strlen(j), &s, &e), PREP_ERR_VALUE);
	cr_assert_eq(e.line, 2);
	cr_assert_str_eq(e.text, "not valid JSON: duplicate object key");

	/* empty input: line and column still 1-based */
	cr_assert_eq(prep_schema_parse("", 0, &s, &e), PREP_ERR_VALUE);
	cr_assert_eq(e.line, 1);
	cr_assert_eq(e.column, 1);
	cr_assert_str_eq(e.text, "not valid JSON: premature end of input");
}

Test(schema, deep_nesting_is_refused)
{
	/* jansson's own depth limit (2048) */
	size_t n = 5000, i;
	char *j = malloc(2 * n + 40);
	prep_schema_error e;
	prep_schema *s = NULL;
	size_t len;

	strcpy(j, "{\"fields\": [], \"title\": ");
	len = strlen(j);
	for (i = 0; i < n; i++)
		j[len++] = '[';
	for (i = 0; i < n; i++)
		j[len++] = ']';
	j[len++] = '}';
	cr_assert_eq(prep_schema_parse(j, len, &s, &e), PREP_ERR_VALUE);
	cr_assert_str_eq(e.text,
			 "not valid JSON: maximum parsing depth reached");
	cr_assert(e.line == 1);
	free(j);
}

Test(schema, unsupported_and_malformed)
{
	load_fails("[]", PREP_ERR_VALUE, "",
		   "the schema must be a JSON object");
	load_fails("{}", PREP_ERR_VALUE, "", "key 'fields' is missing");
	load_fails("{\"fields\": {}}", PREP_ERR_VALUE, "fields",
		   "'fields' must be an array");
	load_fails("{\"fields\": [], \"foreignKeys\": []}", PREP_ERR_VALUE,
		   "foreignKeys", "key 'foreignKeys' is not supported");
	load_fails("{\"fields\": [], \"title\": 3}", PREP_ERR_VALUE, "title",
		   "'title' must be a string");
	load_fails("{\"fields\": [3]}", PREP_ERR_VALUE, "fields[0]",
		   "a field must be an object");
	load1_fails("{\"name\": \"a\", \"decimalChar\": \",\"}",
		    "fields[0].decimalChar",
		    "key 'decimalChar' is not supported");
	load1_fails("{\"type\": \"integer\"}", "fields[0]",
		    "key 'name' is missing");
	load1_fails("{\"name\": 1}", "fields[0].name",
		    "'name' must be a string");
	load1_fails("{\"name\": \"\"}", "fields[0].name",
		    "'name' must not be empty");
	load_fails("{\"fields\": [{\"name\": \"a\"}, {\"name\": \"b\"}, "
		   "{\"name\": \"a\"}]}",
		   PREP_ERR_VALUE, "fields[2].name", "duplicate field name");
	load1_fails("{\"name\": \"a\", \"type\": 1}", "fields[0].type",
		    "'type' must be a string");
	load1_fails("{\"name\": \"a\", \"type\": \"geopoint\"}",
		    "fields[0].type", "type 'geopoint' is not supported");
	load1_fails("{\"name\": \"a\", \"type\": \"yearmonth\"}",
		    "fields[0].type", "type 'yearmonth' is not supported");
	load1_fails("{\"name\": \"a\", \"type\": \"object\"}", "fields[0].type",
		    "type 'object' is not supported");
	load1_fails("{\"name\": \"a\", \"description\": []}",
		    "fields[0].description", "'description' must be a string");
	load1_fails("{\"name\": \"a\", \"constraints\": []}",
		    "fields[0].constraints", "'constraints' must be an object");
	load1_fails("{\"name\": \"a\", \"constraints\": {\"foo\": 1}}",
		    "fields[0].constraints.foo", "key 'foo' is not supported");
	load1_fails("{\"name\": \"a\", \"trueValues\": [\"y\"]}",
		    "fields[0].trueValues",
		    "key 'trueValues' does not apply to type string");
}

Test(schema, formats)
{
	load1_fails(
	    "{\"name\": \"a\", \"type\": \"date\", \"format\": \"any\"}",
	    "fields[0].format", "format 'any' is not supported for date");
	load1_fails("{\"name\": \"a\", \"type\": \"datetime\", \"format\": "
		    "\"iso\"}",
		    "fields[0].format",
		    "format 'iso' is not supported for datetime");
	load1_fails("{\"name\": \"a\", \"type\": \"string\", \"format\": "
		    "\"binary\"}",
		    "fields[0].format",
		    "format 'binary' is not supported for string");
	load1_fails("{\"name\": \"a\", \"type\": \"integer\", \"format\": "
		    "\"email\"}",
		    "fields[0].format",
		    "format 'email' is not supported for integer");
	load1_fails("{\"name\": \"a\", \"type\": \"number\", \"format\": "
		    "\"any\"}",
		    "fields[0].format",
		    "format 'any' is not supported for number");
	load1_fails("{\"name\": \"a\", \"type\": \"date\", \"format\": 3}",
		    "fields[0].format", "'format' must be a string");
	load1_fails("{\"name\": \"a\", \"type\": \"date\", \"format\": "
		    "\"%d/%q/%Y\"}",
		    "fields[0].format",
		    "format '%d/%q/%Y': conversion '%q' is not supported");
	load1_fails("{\"name\": \"a\", \"type\": \"date\", \"format\": "
		    "\"%Y%\"}",
		    "fields[0].format",
		    "format '%Y%': conversion '% ' is not supported");
	/* accepted */
	prep_schema_free(load1("{\"name\": \"a\", \"type\": \"integer\", "
			       "\"format\": \"default\"}"));
	prep_schema_free(load1("{\"name\": \"a\", \"type\": \"any\", "
			       "\"format\": \"default\"}"));
}

Test(schema, constraint_errors)
{
	load1_fails("{\"name\": \"a\", \"type\": \"integer\", \"constraints\": "
		    "{\"minLength\": 3}}",
		    "fields[0].constraints.minLength",
		    "constraint 'minLength' does not apply to type integer");
	load1_fails("{\"name\": \"a\", \"constraints\": {\"minimum\": 3}}",
		    "fields[0].constraints.minimum",
		    "constraint 'minimum' does not apply to type string");
	load1_fails("{\"name\": \"a\", \"type\": \"boolean\", \"constraints\":"
		    " {\"pattern\": \"x\"}}",
		    "fields[0].constraints.pattern",
		    "constraint 'pattern' does not apply to type boolean");
	load1_fails("{\"name\": \"a\", \"type\": \"integer\", \"constraints\": "
		    "{\"required\": \"true\"}}",
		    "fields[0].constraints.required",
		    "'required' must be true or false");
	load1_fails("{\"name\": \"a\", \"type\": \"integer\", \"constraints\": "
		    "{\"unique\": 1}}",
		    "fields[0].constraints.unique",
		    "'unique' must be true or false");
	load1_fails("{\"name\": \"a\", \"constraints\": {\"minLength\": -1}}",
		    "fields[0].constraints.minLength",
		    "'minLength' must be a non-negative integer");
	load1_fails("{\"name\": \"a\", \"constraints\": {\"maxLength\": 2.5}}",
		    "fields[0].constraints.maxLength",
		    "'maxLength' must be a non-negative integer");
	load1_fails(
	    "{\"name\": \"a\", \"constraints\": {\"maxLength\": \"2\"}}",
	    "fields[0].constraints.maxLength",
	    "'maxLength' must be a non-negative integer");
	load1_fails("{\"name\": \"a\", \"type\": \"integer\", \"constraints\": "
		    "{\"minimum\": 1.5}}",
		    "fields[0].constraints.minimum", "minimum: not an integer");
	load1_fails("{\"name\": \"a\", \"type\": \"integer\", \"constraints\": "
		    "{\"maximum\": \"x\"}}",
		    "fields[0].constraints.maximum", "maximum: not an integer");
	load1_fails("{\"name\": \"a\", \"type\": \"integer\", \"constraints\": "
		    "{\"maximum\": true}}",
		    "fields[0].constraints.maximum",
		    "maximum must be an integer or a string");
	load1_fails("{\"name\": \"a\", \"type\": \"number\", \"constraints\": "
		    "{\"exclusiveMinimum\": [1]}}",
		    "fields[0].constraints.exclusiveMinimum",
		    "exclusiveMinimum must be a number or a string");
	load1_fails("{\"name\": \"a\", \"type\": \"number\", \"constraints\": "
		    "{\"minimum\": \"NaN\"}}",
		    "fields[0].constraints.minimum", "minimum may not be NaN");
	load1_fails("{\"name\": \"a\", \"type\": \"date\", \"constraints\": "
		    "{\"minimum\": \"2021-02-29\"}}",
		    "fields[0].constraints.minimum",
		    "minimum: not a date in the format YYYY-MM-DD");
	load1_fails("{\"name\": \"a\", \"type\": \"date\", \"format\": "
		    "\"%d/%m/%Y\", \"constraints\": {\"minimum\": "
		    "\"2020-01-01\"}}",
		    "fields[0].constraints.minimum",
		    "minimum: not a date in the format %d/%m/%Y");
	load1_fails("{\"name\": \"a\", \"type\": \"date\", \"constraints\": "
		    "{\"maximum\": 20200101}}",
		    "fields[0].constraints.maximum",
		    "maximum must be a string");
	load1_fails("{\"name\": \"a\", \"constraints\": {\"pattern\": 1}}",
		    "fields[0].constraints.pattern",
		    "'pattern' must be a string");
	load1_fails("{\"name\": \"a\", \"constraints\": {\"pattern\": "
		    "\"ab(c\"}}",
		    "fields[0].constraints.pattern",
		    "bad pattern at offset 4: missing closing parenthesis");
	load1_fails("{\"name\": \"a\", \"constraints\": {\"enum\": []}}",
		    "fields[0].constraints.enum",
		    "'enum' must be a non-empty array");
	load1_fails("{\"name\": \"a\", \"constraints\": {\"enum\": \"a\"}}",
		    "fields[0].constraints.enum",
		    "'enum' must be a non-empty array");
	load1_fails(
	    "{\"name\": \"a\", \"constraints\": {\"enum\": [\"a\", 1]}}",
	    "fields[0].constraints.enum[1]", "enum value must be a string");
	load1_fails("{\"name\": \"a\", \"type\": \"integer\", \"constraints\": "
		    "{\"enum\": [1, \"x\"]}}",
		    "fields[0].constraints.enum[1]",
		    "enum value: not an integer");
	load1_fails("{\"name\": \"a\", \"format\": \"email\", \"constraints\": "
		    "{\"enum\": [\"a@b.c\", \"nope\"]}}",
		    "fields[0].constraints.enum[1]",
		    "enum value: not a valid email address");
	load1_fails("{\"name\": \"a\", \"type\": \"boolean\", \"constraints\":"
		    " {\"enum\": [\"yes\"]}}",
		    "fields[0].constraints.enum[0]",
		    "enum value: not a boolean");
}

Test(schema, booleans_and_missing_errors)
{
	load1_fails("{\"name\": \"a\", \"type\": \"boolean\", \"trueValues\": "
		    "\"y\"}",
		    "fields[0].trueValues",
		    "'trueValues' must be an array of strings");
	load1_fails("{\"name\": \"a\", \"type\": \"boolean\", \"falseValues\": "
		    "[\"n\", 0]}",
		    "fields[0].falseValues[1]",
		    "'falseValues' must be an array of strings");
	load1_fails("{\"name\": \"a\", \"type\": \"boolean\", \"trueValues\": "
		    "[\"y\", \"x\"], \"falseValues\": [\"n\", \"x\"]}",
		    "fields[0].falseValues[1]",
		    "value 'x' is in both trueValues and falseValues");
	load_fails("{\"fields\": [], \"missingValues\": \"NA\"}",
		   PREP_ERR_VALUE, "missingValues",
		   "'missingValues' must be an array of strings");
	load_fails("{\"fields\": [], \"missingValues\": [\"\", null]}",
		   PREP_ERR_VALUE, "missingValues[1]",
		   "'missingValues' must be an array of strings");
}

Test(schema, primary_key_errors)
{
	load_fails("{\"fields\": [{\"name\": \"id\"}], \"primaryKey\": \"x\"}",
		   PREP_ERR_VALUE, "primaryKey",
		   "primaryKey names no field 'x'");
	load_fails("{\"fields\": [{\"name\": \"id\"}], \"primaryKey\": [\"id\","
		   " \"x\"]}",
		   PREP_ERR_VALUE, "primaryKey[1]",
		   "primaryKey names no field 'x'");
	load_fails("{\"fields\": [{\"name\": \"id\"}], \"primaryKey\": [\"id\","
		   " \"id\"]}",
		   PREP_ERR_VALUE, "primaryKey[1]",
		   "primaryKey names field 'id' twice");
	load_fails("{\"fields\": [{\"name\": \"id\"}], \"primaryKey\": []}",
		   PREP_ERR_VALUE, "primaryKey",
		   "'primaryKey' must be a field name or a non-empty array of "
		   "them");
	load_fails("{\"fields\": [{\"name\": \"id\"}], \"primaryKey\": [1]}",
		   PREP_ERR_VALUE, "primaryKey[0]",
		   "a primaryKey entry must be a field name");
}

Test(schema, long_names_are_clipped)
{
	char field[400], want[200];
	char name[101];

	memset(name, 'x', 100);
	name[100] = '\0';
	snprintf(field, sizeof field, "{\"name\": \"a\", \"type\": \"%s\"}",
		 name);
	snprintf(want, sizeof want, "type '%.60s...' is not supported", name);
	load1_fails(field, "fields[0].type", want);
}

Test(schema, too_many_fields)
{
	size_t n = PREP_SCHEMA_MAX_FIELDS + 1, i, len = 0;
	char *j = malloc(n * 24 + 64);
	prep_schema_error e;
	prep_schema *s = NULL;

	len += (size_t)sprintf(j + len, "{\"fields\": [");
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(j + len, "%s{\"name\":\"f%zu\"}",
				       i ? "," : "", i);
	len += (size_t)sprintf(j + len, "]}");
	cr_assert_eq(prep_schema_parse(j, len, &s, &e), PREP_ERR_LIMIT);
	cr_assert_null(s);
	cr_assert_str_eq(e.path, "fields");
	cr_assert_str_eq(e.text, "more than 100000 fields");
	free(j);
}

Test(schema, load_file)
{
	char path[] = "/tmp/test_schema_XXXXXX";
	const char *j = "{\"fields\": [{\"name\": \"id\", \"type\": "
			"\"integer\"}]}";
	prep_schema_error e;
	prep_schema *s = NULL;
	FILE *fp;
	int fd;
	size_t i;

	fd = mkstemp(path);
	cr_assert(fd >= 0);
	fp = fdopen(fd, "w");
	cr_assert_not_null(fp);
	fputs(j, fp);
	fclose(fp);
	cr_assert_eq(prep_schema_load(path, &s, &e), PREP_OK);
	cr_assert_eq(prep_schema_nfields(s), 1);
	prep_schema_free(s);

	/* exactly at the cap: read (and found malformed), one more: limit */
	fp = fopen(path, "w");
	cr_assert_not_null(fp);
	fputs("{\"fields\": []}", fp);
	for (i = strlen("{\"fields\": []}"); i < PREP_SCHEMA_MAX_BYTES; i++)
		fputc(' ', fp);
	fclose(fp);
	cr_assert_eq(prep_schema_load(path, &s, &e), PREP_OK);
	prep_schema_free(s);
	fp = fopen(path, "a");
	fputc(' ', fp);
	fclose(fp);
	cr_assert_eq(prep_schema_load(path, &s, &e), PREP_ERR_LIMIT);
	cr_assert_null(s);
	unlink(path);

	errno = 0;
	cr_assert_eq(prep_schema_load("/nonexistent/x.json", &s, &e),
		     PREP_ERR_IO);
	cr_assert_eq(errno, ENOENT);
	errno = 0;
	cr_assert_eq(prep_schema_load("/tmp", &s, &e), PREP_ERR_IO);
	cr_assert_eq(errno, EISDIR);
}

/* ---- types ---- */

Test(types, integer)
{
	prep_schema *s = load1("{\"name\": \"n\", \"type\": \"integer\"}");

	ok1(s, "0");
	ok1(s, "-0");
	ok1(s, "+5");
	ok1(s, "007");
	ok1(s, "9223372036854775807");
	ok1(s, "-9223372036854775808");
	ok1(s, "000000000000000000000000009223372036854775807");
	/* Table Schema sets no bound on an integer's length */
	ok1(s, "9223372036854775808");
	ok1(s, "-9223372036854775809");
	ok1(s, "+0099999999999999999999999999");
	type1(s, "1.0", "not an integer");
	type1(s, "1e3", "not an integer");
	type1(s, " 1", "not an integer");
	type1(s, "1 ", "not an integer");
	type1(s, "--1", "not an integer");
	type1(s, "+", "not an integer");
	type1(s, "-", "not an integer");
	type1(s, "0x10", "not an integer");
	type1(s, "99999999999999999999999x", "not an integer");
	type1(s, "\xd9\xa1", "not an integer"); /* ARABIC-INDIC DIGIT ONE */
	ok1(s, "");				/* missing, not required */
	prep_schema_free(s);
}

Test(types, number)
{
	prep_schema *s = load1("{\"name\": \"n\", \"type\": \"number\"}");
	const char *good[] = {
	    "1",      "-1.5",  ".5",	 "1.",
	    "-.5",    "+3",    "1e10",	 "1E-5",
	    "1.5e+3", "NaN",   "INF",	 "-INF",
	    "nan",    "inf",   "-inf",	 "nAn",
	    "Inf",    "-iNF",  "NAN",	 "-Inf",
	    "0.1",    "1e400", "1e-400", "123456789012345678901234567890.5"};
	const char *notnum[] = {".",   "e5",	   "1e",       "1e+",	"+INF",
				"1,5", "1.2.3",	   "--1",      "0x1p3", " 1",
				"1 ",  "nan ",	   "Infinity", "-NaN",	"1_000",
				"-",   "INFINITY", "in",       "+inf"};
	size_t i;

	for (i = 0; i < sizeof good / sizeof *good; i++)
		ok1(s, good[i]);
	for (i = 0; i < sizeof notnum / sizeof *notnum; i++)
		type1(s, notnum[i], "not a number");
	prep_schema_free(s);
}

Test(types, number_values_are_exact)
{
	/* 0.1 is 0.1000000000000000055..., 0.09999999999999999 reads as
	 * 0.0999999999999999916...: below; 1.000...01 (26 digits) rounds
	 * to 1.0 (strtod path), so it is not above 1 */
	prep_schema *s = load1("{\"name\": \"n\", \"type\": \"number\", "
			       "\"constraints\": {\"minimum\": 0.1, "
			       "\"maximum\": 1}}");

	ok1(s, "0.1");
	ok1(s, "0.10000000000000000000000000");
	ok1(s, "1e-1");
	ok1(s, "1.00000000000000000000000001");
	ok1(s, "100e-2");
	cons1(s, "0.09999999999999999", "below the minimum 0.1");
	cons1(s, "1.0000000000000002", "above the maximum 1");
	cons1(s, "NaN", "below the minimum 0.1");
	cons1(s, "INF", "above the maximum 1");
	cons1(s, "-INF", "below the minimum 0.1");
	cons1(s, "nan", "below the minimum 0.1");
	cons1(s, "inf", "above the maximum 1");
	cons1(s, "-inf", "below the minimum 0.1");
	prep_schema_free(s);
}

Test(types, boolean)
{
	prep_schema *s = load1("{\"name\": \"b\", \"type\": \"boolean\"}");
	const char *good[] = {"true",  "True",	"TRUE",	 "1",
			      "false", "False", "FALSE", "0"};
	size_t i;

	for (i = 0; i < 8; i++)
		ok1(s, good[i]);
	type1(s, "yes", "not a boolean");
	type1(s, "tRUE", "not a boolean");
	type1(s, "01", "not a boolean");
	prep_schema_free(s);

	s = load1("{\"name\": \"b\", \"type\": \"boolean\", \"trueValues\": "
		  "[\"yes\", \"Y\"], \"falseValues\": [\"no\"]}");
	ok1(s, "yes");
	ok1(s, "Y");
	ok1(s, "no");
	type1(s, "true", "not a boolean");
	type1(s, "0", "not a boolean");
	prep_schema_free(s);

	/* empty lists: nothing is a boolean */
	s = load1("{\"name\": \"b\", \"type\": \"boolean\", \"trueValues\": "
		  "[], \"falseValues\": []}");
	type1(s, "true", "not a boolean");
	prep_schema_free(s);
}

Test(types, boolean_many_values)
{
	/* more than a handful: looked up by hash */
	prep_schema *s = load1(
	    "{\"name\": \"b\", \"type\": \"boolean\", \"trueValues\": [\"t1\","
	    " \"t2\", \"t3\", \"t4\", \"t5\", \"t6\"], \"falseValues\": "
	    "[\"f1\", \"f2\", \"f3\", \"f4\", \"f5\"], \"constraints\": "
	    "{\"enum\": [true]}}");

	ok1(s, "t1");
	ok1(s, "t6");
	cons1(s, "f5", "not one of the enum values");
	type1(s, "t7", "not a boolean");
	prep_schema_free(s);
}

Test(types, date_default)
{
	prep_schema *s = load1("{\"name\": \"d\", \"type\": \"date\"}");
	const char *m = "not a date in the format YYYY-MM-DD";

	ok1(s, "2020-02-29"); /* divisible by 4 */
	ok1(s, "2000-02-29"); /* divisible by 400 */
	ok1(s, "0001-01-01");
	ok1(s, "9999-12-31");
	type1(s, "2021-02-29", m);
	type1(s, "1900-02-29", m); /* divisible by 100, not 400 */
	type1(s, "2020-04-31", m);
	type1(s, "2020-13-01", m);
	type1(s, "2020-00-10", m);
	type1(s, "2020-01-00", m);
	type1(s, "0000-01-01", m);
	type1(s, "2020-1-01", m);
	type1(s, "2020/01/01", m);
	type1(s, "2020-01-01T00:00:00", m);
	type1(s, "2020-01-01 ", m);
	type1(s, "20200101", m);
	prep_schema_free(s);
}

Test(types, date_strptime)
{
	prep_schema *s = load1("{\"name\": \"d\", \"type\": \"date\", "
			       "\"format\": \"%d/%m/%Y\"}");
	const char *m = "not a date in the format %d/%m/%Y";

	ok1(s, "31/12/2020");
	ok1(s, "29/02/2020");
	ok1(s, "1/2/2020");
	type1(s, "31/02/2020", m); /* strptime alone takes it */
	type1(s, "29/02/2019", m);
	type1(s, "31/12/2020x", m);
	type1(s, "31/12/2020 ", m);
	type1(s, " 31/12/2020", m);
	type1(s, "2020-12-31", m);
	type1(s, "32/01/2020", m);
	prep_schema_free(s);

	/* legacy "fmt:" prefix; a year of 5 digits is not read whole */
	s = load1("{\"name\": \"d\", \"type\": \"date\", \"format\": "
		  "\"fmt:%Y%m%d\"}");
	ok1(s, "20200229");
	type1(s, "20190229", "not a date in the format %Y%m%d");
	type1(s, "202001011", "not a date in the format %Y%m%d");
	prep_schema_free(s);

	/* month names in the C locale */
	s = load1("{\"name\": \"d\", \"type\": \"date\", \"format\": "
		  "\"%d %b %Y\"}");
	ok1(s, "05 Mar 2021");
	type1(s, "05 Mrz 2021", "not a date in the format %d %b %Y");
	prep_schema_free(s);
}

Test(types, datetime_default)
{
	prep_schema *s = load1("{\"name\": \"t\", \"type\": \"datetime\"}");
	const char *m = "not a datetime in the format YYYY-MM-DDThh:mm:ss";

	ok1(s, "2020-01-01T00:00:00Z");
	ok1(s, "2020-01-01T00:00:00");
	ok1(s, "2020-01-01T23:59:59.123456789123+01:00");
	ok1(s, "2020-02-29T12:00:00-23:59");
	type1(s, "2020-01-01 00:00:00", m);
	type1(s, "2020-01-01t00:00:00", m);
	type1(s, "2020-01-01T24:00:00", m);
	type1(s, "2020-01-01T00:60:00", m);
	type1(s, "2020-01-01T00:00:60", m);
	type1(s, "2020-01-01T00:00:00+1:00", m);
	type1(s, "2020-01-01T00:00:00+0100", m);
	type1(s, "2020-01-01T00:00:00+24:00", m);
	type1(s, "2020-01-01T00:00:00.", m);
	type1(s, "2020-01-01T00:00:00z", m);
	type1(s, "2020-01-01T00:00", m);
	type1(s, "2021-02-29T00:00:00", m);
	type1(s, "2020-01-01", m);
	prep_schema_free(s);
}

Test(types, datetime_compared_in_utc)
{
	/* 00:30+01:00 is 23:30Z the day before; 19:00-05:00 is 00:00Z */
	prep_schema *s = load1("{\"name\": \"t\", \"type\": \"datetime\", "
			       "\"constraints\": {\"minimum\": "
			       "\"2020-01-01T00:00:00Z\", \"unique\": true}}");

	cons1(s, "2020-01-01T00:30:00+01:00",
	      "below the minimum 2020-01-01T00:00:00Z");
	ok1(s, "2019-12-31T19:00:00-05:00");
	bad1(s, "2020-01-01T00:00:00Z", PREP_SCHEMA_UNIQUE_ERROR,
	     "duplicate value in a unique field");
	bad1(s, "2020-01-01T00:00:00", PREP_SCHEMA_UNIQUE_ERROR,
	     "duplicate value in a unique field");
	/* fractions to the nanosecond: .5 and .500 are one value */
	ok1(s, "2020-01-01T00:00:00.5Z");
	bad1(s, "2020-01-01T00:00:00.500Z", PREP_SCHEMA_UNIQUE_ERROR,
	     "duplicate value in a unique field");
	ok1(s, "2020-01-01T00:00:00.000000001Z");
	prep_schema_free(s);
}

Test(types, datetime_strptime)
{
	/* %z: 2020-01-01 01:00 +0100 is midnight UTC */
	prep_schema *s = load1("{\"name\": \"t\", \"type\": \"datetime\", "
			       "\"format\": \"%Y-%m-%d %H:%M %z\", "
			       "\"constraints\": {\"exclusiveMaximum\": "
			       "\"2020-01-01 01:00 +0100\"}}");
	const char *m = "not a datetime in the format %Y-%m-%d %H:%M %z";

	ok1(s, "2019-12-31 23:59 +0000");
	cons1(s, "2020-01-01 00:00 +0000",
	      "not below the exclusive maximum 2020-01-01 01:00 +0100");
	cons1(s, "2020-01-01 00:30 -0100",
	      "not below the exclusive maximum 2020-01-01 01:00 +0100");
	type1(s, "2020-02-30 00:00 +0000", m);
	type1(s, "2020-01-01 00:00", m);
	prep_schema_free(s);
}

Test(types, time)
{
	prep_schema *s = load1("{\"name\": \"t\", \"type\": \"time\", "
			       "\"constraints\": {\"maximum\": \"12:00:00\"}}");
	const char *m = "not a time in the format hh:mm:ss";

	ok1(s, "00:00:00");
	ok1(s, "11:59:59.999");
	ok1(s, "12:00:00.000");
	cons1(s, "12:00:00.001", "above the maximum 12:00:00");
	cons1(s, "23:59:59", "above the maximum 12:00:00");
	type1(s, "24:00:00", m);
	type1(s, "12:60:00", m);
	type1(s, "12:00:60", m);
	type1(s, "12:00", m);
	type1(s, "1:00:00", m);
	type1(s, "12:00:00.", m);
	/* a zone: compared in UTC, no zone being UTC */
	ok1(s, "12:00:00Z");
	ok1(s, "14:00:00+02:00");
	ok1(s, "11:29:59.5-00:30"); /* 11:59:59.5Z */
	ok1(s, "01:00:00+02:00");   /* 23:00 the day before: below */
	cons1(s, "12:00:01Z", "above the maximum 12:00:00");
	cons1(s, "12:00:00-00:01", "above the maximum 12:00:00");
	cons1(s, "13:00:00+00:59", "above the maximum 12:00:00");
	type1(s, "12:00:00z", m);
	type1(s, "12:00:00+2", m);
	type1(s, "12:00:00+0200", m);
	type1(s, "12:00:00+24:00", m);
	type1(s, "12:00:00+02:60", m);
	type1(s, "12:00:00Z+02:00", m);
	type1(s, "12:00:00 Z", m);
	prep_schema_free(s);

	/* the bound may have a zone too */
	s = load1("{\"name\": \"t\", \"type\": \"time\", "
		  "\"constraints\": {\"minimum\": \"08:00:00+01:00\"}}");
	ok1(s, "07:00:00");
	ok1(s, "09:00:00+02:00");
	cons1(s, "06:59:59Z", "below the minimum 08:00:00+01:00");
	prep_schema_free(s);

	s = load1("{\"name\": \"t\", \"type\": \"time\", \"format\": "
		  "\"%H%M\"}");
	ok1(s, "2359");
	type1(s, "2360", "not a time in the format %H%M");
	type1(s, "2400", "not a time in the format %H%M");
	prep_schema_free(s);
}

Test(types, year)
{
	prep_schema *s = load1("{\"name\": \"y\", \"type\": \"year\", "
			       "\"constraints\": {\"minimum\": 1900, "
			       "\"maximum\": \"2100\"}}");

	ok1(s, "2020");
	ok1(s, "1900");
	cons1(s, "0000", "below the minimum 1900");
	cons1(s, "2101", "above the maximum 2100");
	type1(s, "20", "not a year");
	type1(s, "20200", "not a year");
	type1(s, "-200", "not a year");
	type1(s, "+202", "not a year");
	type1(s, "2o20", "not a year");
	prep_schema_free(s);
}

Test(types, any_and_string)
{
	prep_schema *s = load("{\"fields\": [{\"name\": \"a\", \"type\": "
			      "\"any\"}, {\"name\": \"s\"}]}");
	const char *row[] = {"\xff\xfe anything", "\xff also"};
	prep_schema_issue is[3];

	cr_assert_eq(check(s, row, 2, is), 0);
	prep_schema_free(s);
}

Test(types, email)
{
	prep_schema *s = load1("{\"name\": \"e\", \"format\": \"email\"}");
	const char *good[] = {"a.b+c@example.com", "x@a.b", "o'hara@x-y.org",
			      "jürgen@bücher.de", "A@B.CO"};
	const char *nope[] = {"a@b",	  "a b@c.d",  "@c.d",	    "a@.c",
			      "a@c..d",	  "a..b@c.d", ".a@c.d",	    "a.@c.d",
			      "a@-c.d",	  "a@c-.d",   "a@b@c.d",    "a@c.d.",
			      "a(b)@c.d", "a@c_d.e",  "plain text", "a@c d.e"};
	size_t i;

	for (i = 0; i < sizeof good / sizeof *good; i++)
		ok1(s, good[i]);
	for (i = 0; i < sizeof nope / sizeof *nope; i++)
		type1(s, nope[i], "not a valid email address");
	prep_schema_free(s);
}

Test(types, uri)
{
	prep_schema *s = load1("{\"name\": \"u\", \"format\": \"uri\"}");
	const char *good[] = {"http://x", "urn:isbn:0451450523", "a+b-c.d:x",
			      "mailto:a@b.c", "file:///tmp"};
	const char *nope[] = {"1http://x",  "http:",   "http://x y",
			      "://x",	    "nocolon", "ht_tp://x",
			      "http://x\t", "h\x7f:x"};
	size_t i;

	for (i = 0; i < sizeof good / sizeof *good; i++)
		ok1(s, good[i]);
	for (i = 0; i < sizeof nope / sizeof *nope; i++)
		type1(s, nope[i], "not a valid URI");
	prep_schema_free(s);
}

Test(types, uuid)
{
	prep_schema *s = load1("{\"name\": \"u\", \"format\": \"uuid\"}");

	ok1(s, "123e4567-e89b-12d3-a456-426614174000");
	ok1(s, "123E4567-E89B-12D3-A456-426614174000");
	type1(s, "123e4567e89b12d3a456426614174000", "not a valid UUID");
	type1(s, "123e4567-e89b-12d3-a456-42661417400g", "not a valid UUID");
	type1(s, "123e4567-e89b-12d3-a456-4266141740000", "not a valid UUID");
	type1(s, "{123e4567-e89b-12d3-a456-426614174000}", "not a valid UUID");
	prep_schema_free(s);
}

/* ---- constraints ---- */

Test(constraints, integer_range_is_numeric)
{
	prep_schema *s = load1("{\"name\": \"n\", \"type\": \"integer\", "
			       "\"constraints\": {\"minimum\": 10, "
			       "\"maximum\": \"120\"}}");

	cons1(s, "9", "below the minimum 10");
	ok1(s, "10");
	ok1(s, "010");
	ok1(s, "120");
	cons1(s, "121", "above the maximum 120");
	cons1(s, "-9223372036854775808", "below the minimum 10");
	type1(s, "9.5", "not an integer");
	prep_schema_free(s);

	s = load1("{\"name\": \"n\", \"type\": \"integer\", \"constraints\": "
		  "{\"exclusiveMinimum\": 0, \"exclusiveMaximum\": 100}}");
	cons1(s, "0", "not above the exclusive minimum 0");
	ok1(s, "1");
	ok1(s, "99");
	cons1(s, "100", "not below the exclusive maximum 100");
	prep_schema_free(s);
}

Test(constraints, number_bounds_quoted_as_written)
{
	prep_schema *s = load1("{\"name\": \"n\", \"type\": \"number\", "
			       "\"constraints\": {\"exclusiveMinimum\": 0.25, "
			       "\"maximum\": 1e3, \"exclusiveMaximum\": "
			       "\"999.5\"}}");

	cons1(s, "0.25", "not above the exclusive minimum 0.25");
	ok1(s, "0.2500001");
	cons1(s, "999.5", "not below the exclusive maximum 999.5");
	cons1(s, "1001", "above the maximum 1000");
	prep_schema_free(s);
}

Test(constraints, date_range)
{
	prep_schema *s = load1("{\"name\": \"d\", \"type\": \"date\", "
			       "\"constraints\": {\"minimum\": \"2020-01-01\","
			       " \"maximum\": \"2020-12-31\"}}");

	cons1(s, "2019-12-31", "below the minimum 2020-01-01");
	ok1(s, "2020-01-01");
	ok1(s, "2020-02-29");
	cons1(s, "2021-01-01", "above the maximum 2020-12-31");
	prep_schema_free(s);

	/* in a strptime format: compared as dates, not as text */
	s = load1("{\"name\": \"d\", \"type\": \"date\", \"format\": "
		  "\"%d/%m/%Y\", \"constraints\": {\"minimum\": "
		  "\"02/01/2020\"}}");
	cons1(s, "31/12/2019", "below the minimum 02/01/2020");
	cons1(s, "01/01/2020", "below the minimum 02/01/2020");
	ok1(s, "02/01/2020");
	ok1(s, "01/02/2020");
	prep_schema_free(s);
}

Test(constraints, lengths_count_characters)
{
	prep_schema *s = load1("{\"name\": \"s\", \"constraints\": "
			       "{\"minLength\": 3, \"maxLength\": 3}}");

	ok1(s, "\xc3\x85\xc3\x85\xc3\x85"); /* "ÅÅÅ": 6 bytes */
	ok1(s, "abc");
	ok1(s, "\xf0\x9f\x98\x80xy"); /* U+1F600 and two letters */
	cons1(s, "\xc3\x85\xc3\x85", "shorter than minLength 3");
	cons1(s, "\xc3\x85\xc3\x85\xc3\x85\xc3\x85", "longer than maxLength 3");
	cons1(s, "ab\xff", "not valid UTF-8, length cannot be checked");
	cons1(s, "a\xc0\xaf", "not valid UTF-8, length cannot be checked");
	cons1(s, "\xed\xa0\x80", "not valid UTF-8, length cannot be checked");
	prep_schema_free(s);
}

Test(constraints, pattern_is_anchored)
{
	prep_schema *s = load1("{\"name\": \"s\", \"constraints\": "
			       "{\"pattern\": \"a\"}}");

	ok1(s, "a");
	cons1(s, "ba", "does not match the pattern");
	cons1(s, "ab", "does not match the pattern");
	prep_schema_free(s);

	s = load1("{\"name\": \"s\", \"constraints\": {\"pattern\": "
		  "\"a|b\"}}");
	ok1(s, "a");
	ok1(s, "b");
	cons1(s, "ab", "does not match the pattern");
	prep_schema_free(s);

	/* UTF mode: . is one character; invalid UTF-8 never matches */
	s = load1("{\"name\": \"s\", \"constraints\": {\"pattern\": "
		  "\"[A-Z]{2}.\\\\d{3}\"}}");
	ok1(s, "AB\xc3\x85"
	       "123");
	cons1(s, "AB-1234", "does not match the pattern");
	cons1(s,
	      "AB\xff"
	      "123",
	      "does not match the pattern");
	prep_schema_free(s);
}

Test(constraints, enum_typed)
{
	prep_schema *s = load1("{\"name\": \"s\", \"constraints\": {\"enum\":"
			       " [\"a\", \"b\"]}}");

	ok1(s, "a");
	cons1(s, "c", "not one of the enum values");
	cons1(s, "A", "not one of the enum values");
	prep_schema_free(s);

	s = load1("{\"name\": \"n\", \"type\": \"integer\", \"constraints\": "
		  "{\"enum\": [1, \"2\", \"-03\"]}}");
	ok1(s, "01");
	ok1(s, "+2");
	ok1(s, "-3");
	cons1(s, "3", "not one of the enum values");
	prep_schema_free(s);

	s = load1("{\"name\": \"n\", \"type\": \"number\", \"constraints\": "
		  "{\"enum\": [1.5, 2, \"-0\"]}}");
	ok1(s, "1.50");
	ok1(s, "2.0");
	ok1(s, "0");
	ok1(s, "-0.0");
	cons1(s, "1.5000001", "not one of the enum values");
	prep_schema_free(s);

	s = load1("{\"name\": \"d\", \"type\": \"date\", \"format\": "
		  "\"%d/%m/%Y\", \"constraints\": {\"enum\": "
		  "[\"01/02/2020\"]}}");
	ok1(s, "1/2/2020");
	cons1(s, "02/01/2020", "not one of the enum values");
	prep_schema_free(s);

	s = load1("{\"name\": \"b\", \"type\": \"boolean\", \"constraints\": "
		  "{\"enum\": [true]}}");
	ok1(s, "1");
	ok1(s, "TRUE");
	cons1(s, "false", "not one of the enum values");
	prep_schema_free(s);
}

Test(constraints, enum_large)
{
	char json[8192];
	size_t len, i;
	prep_schema *s;
	char v[16];

	len = (size_t)snprintf(json, sizeof json,
			       "{\"fields\": [{\"name\": \"c\", "
			       "\"constraints\": {\"enum\": [");
	for (i = 0; i < 500; i++)
		len += (size_t)snprintf(json + len, sizeof json - len,
					"%s\"v%zu\"", i ? ", " : "", i * 2);
	snprintf(json + len, sizeof json - len, "]}}]}");
	s = load(json);
	for (i = 0; i < 1000; i++) {
		snprintf(v, sizeof v, "v%zu", i);
		if (i % 2 == 0)
			ok1(s, v);
		else
			cons1(s, v, "not one of the enum values");
	}
	prep_schema_free(s);
}

Test(constraints, order_of_checks)
{
	/* type hides constraints; minLength before pattern before enum */
	prep_schema *s =
	    load1("{\"name\": \"s\", \"format\": \"email\", "
		  "\"constraints\": {\"enum\": [\"a@b.cd\"], "
		  "\"pattern\": \".*\\\\.cd\", \"minLength\": 6}}");

	type1(s, "nope", "not a valid email address");
	cons1(s, "a@b.c", "shorter than minLength 6");
	cons1(s, "ab@b.c", "does not match the pattern");
	cons1(s, "b@b.cd", "not one of the enum values");
	ok1(s, "a@b.cd");
	prep_schema_free(s);

	s = load1("{\"name\": \"n\", \"type\": \"integer\", \"constraints\": "
		  "{\"enum\": [5, 50], \"maximum\": 10, \"minimum\": 1}}");
	cons1(s, "0", "below the minimum 1");
	cons1(s, "50", "above the maximum 10");
	cons1(s, "6", "not one of the enum values");
	ok1(s, "5");
	prep_schema_free(s);
}

/* ---- missing values, required ---- */

Test(missing, default_is_empty_string)
{
	prep_schema *s = load1("{\"name\": \"n\", \"type\": \"integer\", "
			       "\"constraints\": {\"minimum\": 5, "
			       "\"unique\": true}}");

	ok1(s, "");
	ok1(s, ""); /* missing values are not duplicates */
	type1(s, "NA", "not an integer");
	prep_schema_free(s);

	s = load1("{\"name\": \"n\", \"type\": \"integer\", \"constraints\": "
		  "{\"required\": true}}");
	cons1(s, "", "required value is missing");
	ok1(s, "3");
	prep_schema_free(s);
}

Test(missing, custom_values)
{
	prep_schema *s =
	    load("{\"fields\": [{\"name\": \"n\", \"type\": \"integer\"}, "
		 "{\"name\": \"r\", \"type\": \"date\", \"constraints\": "
		 "{\"required\": true}}, {\"name\": \"s\"}], "
		 "\"missingValues\": [\"NA\", \"-\"]}");
	const char *r1[] = {"NA", "-", "NA"};
	const char *r2[] = {"", "2020-01-01", ""};
	prep_schema_issue is[4];

	cr_assert_eq(check(s, r1, 3, is), 1);
	cr_assert_eq(is[0].field, 1);
	cr_assert_eq(is[0].code, PREP_SCHEMA_CONSTRAINT_ERROR);
	cr_assert_str_eq(is[0].message, "required value is missing");
	/* "" is no longer missing: a type error for the integer, a value
	 * for the string */
	cr_assert_eq(check(s, r2, 3, is), 1);
	cr_assert_eq(is[0].field, 0);
	cr_assert_eq(is[0].code, PREP_SCHEMA_TYPE_ERROR);
	cr_assert_str_eq(is[0].message, "not an integer");
	prep_schema_free(s);

	/* no missing values at all */
	s = load("{\"fields\": [{\"name\": \"s\", \"constraints\": "
		 "{\"required\": true, \"minLength\": 1}}], "
		 "\"missingValues\": []}");
	cons1(s, "", "shorter than minLength 1");
	prep_schema_free(s);
}

Test(missing, many_values)
{
	prep_schema *s =
	    load("{\"fields\": [{\"name\": \"n\", \"type\": \"number\"}], "
		 "\"missingValues\": [\"\", \"NA\", \"N/A\", \"na\", \"n/a\", "
		 "\"null\", \"NULL\", \"-\", \"--\", \"?\"]}");

	ok1(s, "?");
	ok1(s, "NULL");
	ok1(s, "");
	ok1(s, "1");
	type1(s, "Null", "not a number");
	prep_schema_free(s);
}

/* ---- unique, primary key ---- */

Test(unique, typed_values)
{
	prep_schema *s = load("{\"fields\": [{\"name\": \"i\", \"type\": "
			      "\"integer\", \"constraints\": {\"unique\": "
			      "true}}, {\"name\": \"s\", \"constraints\": "
			      "{\"unique\": true}}]}");
	const char *a[] = {"1", "1"};
	const char *b[] = {"01", "01"};
	const char *c[] = {"+1", "x"};
	prep_schema_issue is[3];

	cr_assert_eq(check(s, a, 2, is), 0);
	cr_assert_eq(check(s, b, 2, is), 1);
	cr_assert_eq(is[0].field, 0);
	cr_assert_eq(is[0].code, PREP_SCHEMA_UNIQUE_ERROR);
	cr_assert_str_eq(is[0].message, "duplicate value in a unique field");
	cr_assert_eq(check(s, c, 2, is), 1);
	cr_assert_eq(is[0].field, 0);
	cr_assert_eq(check(s, b, 2, is), 2);
	cr_assert_eq(is[0].field, 0);
	cr_assert_eq(is[1].field, 1);
	cr_assert_eq(is[1].code, PREP_SCHEMA_UNIQUE_ERROR);
	prep_schema_free(s);
}

Test(unique, numbers_and_booleans)
{
	prep_schema *s = load1("{\"name\": \"n\", \"type\": \"number\", "
			       "\"constraints\": {\"unique\": true}}");
	const char *u = "duplicate value in a unique field";

	ok1(s, "0");
	bad1(s, "-0", PREP_SCHEMA_UNIQUE_ERROR, u);
	bad1(s, "0.0e5", PREP_SCHEMA_UNIQUE_ERROR, u);
	ok1(s, "1");
	bad1(s, "1e0", PREP_SCHEMA_UNIQUE_ERROR, u);
	bad1(s, "1.000", PREP_SCHEMA_UNIQUE_ERROR, u);
	ok1(s, "NaN");
	bad1(s, "NaN", PREP_SCHEMA_UNIQUE_ERROR, u);
	ok1(s, "INF");
	ok1(s, "-INF");
	bad1(s, "1e400", PREP_SCHEMA_UNIQUE_ERROR, u);
	prep_schema_free(s);

	s = load1("{\"name\": \"b\", \"type\": \"boolean\", \"constraints\": "
		  "{\"unique\": true}}");
	ok1(s, "true");
	ok1(s, "0");
	bad1(s, "1", PREP_SCHEMA_UNIQUE_ERROR, u);
	bad1(s, "FALSE", PREP_SCHEMA_UNIQUE_ERROR, u);
	prep_schema_free(s);
}

Test(unique, errors_are_not_entered)
{
	prep_schema *s = load1("{\"name\": \"n\", \"type\": \"integer\", "
			       "\"constraints\": {\"unique\": true, "
			       "\"maximum\": 5}}");

	cons1(s, "7", "above the maximum 5");
	cons1(s, "7", "above the maximum 5");
	type1(s, "x", "not an integer");
	type1(s, "x", "not an integer");
	ok1(s, "5");
	prep_schema_free(s);
}

Test(unique, max_keys)
{
	prep_schema *s = load1("{\"name\": \"n\", \"type\": \"integer\", "
			       "\"constraints\": {\"unique\": true}}");
	prep_schema_issue is[2];
	prep_field f = {"3", 1};
	size_t k = 9;

	prep_schema_set_max_keys(s, 2);
	ok1(s, "1");
	ok1(s, "2");
	bad1(s, "2", PREP_SCHEMA_UNIQUE_ERROR,
	     "duplicate value in a unique field");
	cr_assert_eq(prep_schema_check_row(s, &f, 1, is, &k), PREP_ERR_LIMIT);
	prep_schema_free(s);
}

Test(primary_key, single)
{
	prep_schema *s = load("{\"fields\": [{\"name\": \"id\", \"type\": "
			      "\"integer\"}, {\"name\": \"v\"}], "
			      "\"primaryKey\": \"id\"}");
	const char *a[] = {"1", "x"};
	const char *b[] = {"01", "y"};
	const char *c[] = {"", "y"};
	const char *d[] = {"one", "y"};
	const char *e[] = {"2", "y"};
	prep_schema_issue is[3];

	cr_assert_eq(check(s, a, 2, is), 0);
	cr_assert_eq(check(s, b, 2, is), 1);
	cr_assert_eq(is[0].field, PREP_SCHEMA_ROW);
	cr_assert_eq(is[0].code, PREP_SCHEMA_PRIMARY_KEY_ERROR);
	cr_assert_str_eq(is[0].message, "duplicate primary key (id)");
	/* implicitly required */
	cr_assert_eq(check(s, c, 2, is), 1);
	cr_assert_eq(is[0].field, 0);
	cr_assert_eq(is[0].code, PREP_SCHEMA_CONSTRAINT_ERROR);
	cr_assert_str_eq(is[0].message, "required value is missing");
	cr_assert_eq(check(s, c, 2, is), 1);
	cr_assert_eq(is[0].field, 0);
	/* a type error: not entered, so not a duplicate */
	cr_assert_eq(check(s, d, 2, is), 1);
	cr_assert_eq(is[0].code, PREP_SCHEMA_TYPE_ERROR);
	cr_assert_eq(check(s, d, 2, is), 1);
	cr_assert_eq(is[0].code, PREP_SCHEMA_TYPE_ERROR);
	cr_assert_eq(check(s, e, 2, is), 0);
	/* a short row has no key, and its key field is missing: required */
	cr_assert_eq(check(s, e, 0, is), 1);
	cr_assert_eq(is[0].field, 0);
	cr_assert_eq(is[0].code, PREP_SCHEMA_CONSTRAINT_ERROR);
	cr_assert_str_eq(is[0].message, "required value is missing");
	prep_schema_free(s);
}

Test(primary_key, composite)
{
	prep_schema *s = load(
	    "{\"fields\": [{\"name\": \"a\"}, {\"name\": \"n\"}, {\"name\": "
	    "\"d\", \"type\": \"date\"}], \"primaryKey\": [\"d\", \"a\"]}");
	const char *r1[] = {"ab", "1", "2020-01-01"};
	const char *r2[] = {"a", "2", "2020-01-01"};  /* other a */
	const char *r3[] = {"ab", "3", "2020-01-02"}; /* other d */
	const char *r4[] = {"ab", "4", "2020-01-01"}; /* as r1 */
	prep_schema_issue is[4];

	cr_assert_eq(check(s, r1, 3, is), 0);
	cr_assert_eq(check(s, r2, 3, is), 0);
	cr_assert_eq(check(s, r3, 3, is), 0);
	cr_assert_eq(check(s, r4, 3, is), 1);
	cr_assert_eq(is[0].field, PREP_SCHEMA_ROW);
	cr_assert_eq(is[0].code, PREP_SCHEMA_PRIMARY_KEY_ERROR);
	cr_assert_str_eq(is[0].message, "duplicate primary key (d, a)");
	prep_schema_free(s);
}

Test(primary_key, tuples_do_not_run_together)
{
	/* ("ab", "c") and ("a", "bc") are different keys */
	prep_schema *s = load("{\"fields\": [{\"name\": \"x\"}, {\"name\": "
			      "\"y\"}], \"primaryKey\": [\"x\", \"y\"]}");
	const char *r1[] = {"ab", "c"};
	const char *r2[] = {"a", "bc"};
	prep_schema_issue is[3];

	cr_assert_eq(check(s, r1, 2, is), 0);
	cr_assert_eq(check(s, r2, 2, is), 0);
	cr_assert_eq(check(s, r2, 2, is), 1);
	prep_schema_free(s);
}

Test(primary_key, max_keys)
{
	prep_schema *s = load("{\"fields\": [{\"name\": \"x\"}], "
			      "\"primaryKey\": \"x\"}");
	prep_schema_issue is[2];
	prep_field f = {"b", 1};
	size_t k = 9;

	prep_schema_set_max_keys(s, 1);
	ok1(s, "a");
	cr_assert_eq(prep_schema_check_row(s, &f, 1, is, &k), PREP_ERR_LIMIT);
	prep_schema_free(s);
}

/* ---- rows ---- */

Test(rows, several_issues_in_field_order)
{
	prep_schema *s = load(
	    "{\"fields\": [{\"name\": \"id\", \"type\": \"integer\"}, "
	    "{\"name\": \"age\", \"type\": \"integer\", \"constraints\": "
	    "{\"minimum\": 18, \"maximum\": 120}}, {\"name\": \"email\", "
	    "\"format\": \"email\", \"constraints\": {\"required\": true}}], "
	    "\"primaryKey\": \"id\"}");
	const char *r1[] = {"1", "30", "a@b.cd"};
	const char *r2[] = {"1", "17", "", "extra"};
	const char *r3[] = {"2", "121"};
	prep_schema_issue is[4];

	cr_assert_eq(check(s, r1, 3, is), 0);
	cr_assert_eq(check(s, r2, 4, is), 3);
	cr_assert_eq(is[0].field, 1);
	cr_assert_str_eq(is[0].message, "below the minimum 18");
	cr_assert_eq(is[1].field, 2);
	cr_assert_str_eq(is[1].message, "required value is missing");
	cr_assert_eq(is[2].field, PREP_SCHEMA_ROW);
	cr_assert_str_eq(is[2].message, "duplicate primary key (id)");
	/* a field past the row's end is missing: required, an error */
	cr_assert_eq(check(s, r3, 2, is), 2);
	cr_assert_eq(is[0].field, 1);
	cr_assert_str_eq(is[0].message, "above the maximum 120");
	cr_assert_eq(is[1].field, 2);
	cr_assert_eq(is[1].code, PREP_SCHEMA_CONSTRAINT_ERROR);
	cr_assert_str_eq(is[1].message, "required value is missing");
	prep_schema_free(s);
}

Test(rows, bad_arguments)
{
	prep_schema *s = load1("{\"name\": \"x\"}");
	prep_schema_issue is[2];
	prep_field f = {NULL, 3};
	size_t k = 9;

	cr_assert_eq(prep_schema_check_row(s, NULL, 1, is, &k), PREP_ERR_ARG);
	cr_assert_eq(prep_schema_check_row(s, &f, 1, is, &k), PREP_ERR_ARG);
	cr_assert_eq(k, 0);
	f.len = 0; /* NULL with length 0 is an empty cell */
	cr_assert_eq(prep_schema_check_row(s, &f, 1, is, &k), PREP_OK);
	cr_assert_eq(k, 0);
	cr_assert_eq(prep_schema_check_row(NULL, &f, 1, is, &k), PREP_ERR_ARG);
	prep_schema_free(s);
	prep_schema_free(NULL);
}

Test(constraints, empty_strings_in_sets)
{
	/* "" as a value of its own when missingValues does not list it */
	prep_schema *s = load("{\"fields\": [{\"name\": \"s\", "
			      "\"constraints\": {\"enum\": [\"\"]}}], "
			      "\"missingValues\": []}");

	ok1(s, "");
	cons1(s, "a", "not one of the enum values");
	prep_schema_free(s);

	s = load("{\"fields\": [{\"name\": \"n\", \"type\": \"integer\", "
		 "\"constraints\": {\"required\": true}}], "
		 "\"missingValues\": [\"\"]}");
	cons1(s, "", "required value is missing");
	prep_schema_free(s);
}

/* ---- keys accepted and not used; keys refused ---- */

Test(schema, annotations_accepted_and_noted)
{
	prep_schema *s =
	    load("{\"$schema\": \"https://example.org/ts.json\", \"title@fr\": "
		 "\"Personnes\", \"fieldsMatch\": \"exact\", \"x\\u0001y\": 1, "
		 "\"fields\": [{\"name\": \"id\", \"type\": \"integer\", "
		 "\"rdfType\": \"https://schema.org/identifier\", \"example\": "
		 "42, \"description@de\": \"Kennung\", \"floatNumber\": true, "
		 "\"constraints\": {\"required\": true}}, {\"name\": \"b\"}]}");
	static const char *const want[] = {"$schema",
					   "title@fr",
					   "x?y",
					   "fields[0].rdfType",
					   "fields[0].example",
					   "fields[0].description@de",
					   "fields[0].floatNumber"};
	prep_schema_issue is[3];
	const char *cells[] = {"", "x"};
	size_t i;

	cr_assert_eq(prep_schema_nnotes(s), sizeof want / sizeof *want);
	for (i = 0; i < sizeof want / sizeof *want; i++)
		cr_assert_str_eq(prep_schema_note(s, i), want[i], "note %zu",
				 i);
	cr_assert_null(prep_schema_note(s, i));
	cr_assert_null(prep_schema_note(NULL, 0));
	cr_assert_eq(prep_schema_nnotes(NULL), 0);
	/* the schema still does what it says */
	cr_assert_eq(check(s, cells, 2, is), 1);
	cr_assert_str_eq(is[0].message, "required value is missing");
	prep_schema_free(s);

	/* a schema of only used keys has no note */
	s = load1("{\"name\": \"a\", \"type\": \"integer\"}");
	cr_assert_eq(prep_schema_nnotes(s), 0);
	prep_schema_free(s);
}

Test(schema, keys_that_change_validity_are_refused)
{
	load_fails("{\"fields\": [], \"uniqueKeys\": [[\"a\"]]}",
		   PREP_ERR_VALUE, "uniqueKeys",
		   "key 'uniqueKeys' is not supported");
	load_fails("{\"fields\": [], \"fieldsMatch\": \"subset\"}",
		   PREP_ERR_VALUE, "fieldsMatch",
		   "fieldsMatch 'subset' is not supported: fields are "
		   "matched to columns by position");
	load_fails("{\"fields\": [], \"fieldsMatch\": 1}", PREP_ERR_VALUE,
		   "fieldsMatch", "'fieldsMatch' must be a string");
	load_fails("{\"fields\": [], \"missingValues\": [{\"value\": "
		   "\"NA\"}]}",
		   PREP_ERR_VALUE, "missingValues[0]",
		   "'missingValues' must be an array of strings");
	load1_fails("{\"name\": \"a\", \"type\": \"number\", \"groupChar\": "
		    "\",\"}",
		    "fields[0].groupChar", "key 'groupChar' is not supported");
	load1_fails("{\"name\": \"a\", \"type\": \"integer\", "
		    "\"bareNumber\": false}",
		    "fields[0].bareNumber",
		    "key 'bareNumber' is not supported");
	load1_fails("{\"name\": \"a\", \"missingValues\": [\"-\"]}",
		    "fields[0].missingValues",
		    "key 'missingValues' is not supported");
	load1_fails("{\"name\": \"a\", \"categories\": [\"x\"]}",
		    "fields[0].categories",
		    "key 'categories' is not supported");
	/* a used key in the wrong case is a typo, not an annotation */
	load1_fails("{\"name\": \"a\", \"Constraints\": {\"required\": "
		    "true}}",
		    "fields[0].Constraints",
		    "key 'Constraints' is not supported");
	load_fails("{\"fields\": [], \"primarykey\": \"a\"}", PREP_ERR_VALUE,
		   "primarykey", "key 'primarykey' is not supported");
	load_fails("{\"fields\": [], \"ForeignKeys\": []}", PREP_ERR_VALUE,
		   "ForeignKeys", "key 'ForeignKeys' is not supported");
	/* language variants of title and description are text too */
	load_fails("{\"fields\": [], \"title@fr\": {}}", PREP_ERR_VALUE,
		   "title@fr", "'title@fr' must be a string");
	load1_fails("{\"name\": \"a\", \"description@de\": 1}",
		    "fields[0].description@de",
		    "'description@de' must be a string");
}

Test(missing, is_missing)
{
	prep_schema *s = load("{\"fields\": [{\"name\": \"a\"}], "
			      "\"missingValues\": [\"NA\", \"-\"]}");

	cr_assert(prep_schema_is_missing(s, "NA", 2));
	cr_assert(prep_schema_is_missing(s, "-", 1));
	cr_assert(!prep_schema_is_missing(s, "", 0));
	cr_assert(!prep_schema_is_missing(s, "na", 2));
	cr_assert(prep_schema_is_missing(NULL, "", 0));
	cr_assert(!prep_schema_is_missing(NULL, "NA", 2));
	prep_schema_free(s);
}

/* ---- integers of any length ---- */

Test(constraints, big_integer_bounds_exact)
{
	/* 2^64 = 18446744073709551616; the bounds are past int64 */
	prep_schema *s =
	    load1("{\"name\": \"n\", \"type\": \"integer\", \"constraints\": "
		  "{\"minimum\": \"-18446744073709551616\", \"maximum\": "
		  "\"18446744073709551616\"}}");

	ok1(s, "18446744073709551616");
	ok1(s, "018446744073709551616");
	ok1(s, "18446744073709551615");
	ok1(s, "-18446744073709551616");
	ok1(s, "9223372036854775808");
	ok1(s, "0");
	cons1(s, "18446744073709551617",
	      "above the maximum 18446744073709551616");
	cons1(s, "100000000000000000000",
	      "above the maximum 18446744073709551616");
	cons1(s, "-18446744073709551617",
	      "below the minimum -18446744073709551616");
	cons1(s, "-99999999999999999999",
	      "below the minimum -18446744073709551616");
	prep_schema_free(s);

	/* an int64 bound against big values, either side */
	s = load1("{\"name\": \"n\", \"type\": \"integer\", \"constraints\": "
		  "{\"exclusiveMinimum\": -5, \"exclusiveMaximum\": 5}}");
	ok1(s, "4");
	cons1(s, "9223372036854775808", "not below the exclusive maximum 5");
	cons1(s, "-9223372036854775809", "not above the exclusive minimum -5");
	prep_schema_free(s);
}

Test(constraints, big_integer_enum_and_unique)
{
	prep_schema *s = load1(
	    "{\"name\": \"n\", \"type\": \"integer\", \"constraints\": "
	    "{\"unique\": true, \"enum\": [\"123456789012345678901234567890\","
	    " \"-123456789012345678901234567890\", 7]}}");

	ok1(s, "123456789012345678901234567890");
	ok1(s, "-0123456789012345678901234567890");
	ok1(s, "7");
	cons1(s, "123456789012345678901234567891",
	      "not one of the enum values");
	cons1(s, "12345678901234567890123456789", "not one of the enum values");
	bad1(s, "+00123456789012345678901234567890", PREP_SCHEMA_UNIQUE_ERROR,
	     "duplicate value in a unique field");
	bad1(s, "-123456789012345678901234567890", PREP_SCHEMA_UNIQUE_ERROR,
	     "duplicate value in a unique field");
	prep_schema_free(s);
}

Test(primary_key, big_integers)
{
	prep_schema *s = load("{\"fields\": [{\"name\": \"id\", \"type\": "
			      "\"integer\"}, {\"name\": \"v\"}], "
			      "\"primaryKey\": [\"id\", \"v\"]}");
	const char *a[] = {"98765432109876543210", "x"};
	const char *b[] = {"-98765432109876543210", "x"};
	const char *c[] = {"98765432109876543210", "y"};
	const char *d[] = {"0098765432109876543210", "x"};
	prep_schema_issue is[3];

	cr_assert_eq(check(s, a, 2, is), 0);
	cr_assert_eq(check(s, b, 2, is), 0);
	cr_assert_eq(check(s, c, 2, is), 0);
	cr_assert_eq(check(s, d, 2, is), 1);
	cr_assert_eq(is[0].code, PREP_SCHEMA_PRIMARY_KEY_ERROR);
	prep_schema_free(s);
}

Test(unique, number_special_values_any_case)
{
	prep_schema *s = load1("{\"name\": \"x\", \"type\": \"number\", "
			       "\"constraints\": {\"unique\": true}}");

	ok1(s, "inf");
	ok1(s, "-Inf");
	ok1(s, "nan");
	bad1(s, "INF", PREP_SCHEMA_UNIQUE_ERROR,
	     "duplicate value in a unique field");
	bad1(s, "-INF", PREP_SCHEMA_UNIQUE_ERROR,
	     "duplicate value in a unique field");
	bad1(s, "NaN", PREP_SCHEMA_UNIQUE_ERROR,
	     "duplicate value in a unique field");
	prep_schema_free(s);
}

Test(unique, times_compared_in_utc)
{
	prep_schema *s = load1("{\"name\": \"t\", \"type\": \"time\", "
			       "\"constraints\": {\"unique\": true}}");

	ok1(s, "10:00:00Z");
	ok1(s, "10:00:00.5Z");
	bad1(s, "12:00:00+02:00", PREP_SCHEMA_UNIQUE_ERROR,
	     "duplicate value in a unique field");
	bad1(s, "10:00:00", PREP_SCHEMA_UNIQUE_ERROR,
	     "duplicate value in a unique field");
	bad1(s, "09:30:00.5-00:30", PREP_SCHEMA_UNIQUE_ERROR,
	     "duplicate value in a unique field");
	prep_schema_free(s);
}

Test(rows, fields_past_a_short_row)
{
	prep_schema *s =
	    load("{\"fields\": [{\"name\": \"a\"}, {\"name\": \"b\", "
		 "\"constraints\": {\"required\": true}}, {\"name\": \"c\"}, "
		 "{\"name\": \"d\", \"type\": \"integer\", \"constraints\": "
		 "{\"required\": true}}]}");
	const char *r[] = {"x"};
	prep_schema_issue is[5];

	/* only the required fields are errors; in field order */
	cr_assert_eq(check(s, r, 1, is), 2);
	cr_assert_eq(is[0].field, 1);
	cr_assert_eq(is[0].code, PREP_SCHEMA_CONSTRAINT_ERROR);
	cr_assert_str_eq(is[0].message, "required value is missing");
	cr_assert_eq(is[1].field, 3);
	cr_assert_str_eq(is[1].message, "required value is missing");
	prep_schema_free(s);
}

/*
 * The key sets, for validate's partials: the unique fields in field
 * order, then the primary key's; their keys in the order first seen, as
 * canonical keys: an integer little-endian whatever the machine (typed:
 * "01" is 1), a string its bytes, a primary key the tuple of its fields'
 * keys; the messages of their duplicates; the SHA-256 of the descriptor.
 */
Test(schema, key_sets)
{
	static const char json[] =
	    "{\"fields\":[{\"name\":\"a\",\"constraints\":{\"unique\":true}},"
	    "{\"name\":\"n\",\"type\":\"integer\",\"constraints\":"
	    "{\"unique\":true}},{\"name\":\"b\"}],\"primaryKey\":[\"b\",\"n\"]}";
	static const char *const r1[] = {"x", "258", "k"};
	static const char *const r2[] = {"y", "0258", "k"};
	static const unsigned char n258[8] = {2, 1, 0, 0, 0, 0, 0, 0};
	static const unsigned char pk[] = {1, 'k', 8, 2, 1, 0, 0, 0, 0, 0, 0};
	unsigned char want[32], got[32];
	unsigned int dlen = 0;
	prep_schema_issue is[4];
	prep_schema *s = load(json);
	prep_field k;

	cr_assert_eq(prep_schema_key_sets(s), 3);
	cr_assert_eq(prep_schema_key_set_field(s, 0), 0);
	cr_assert_eq(prep_schema_key_set_field(s, 1), 1);
	cr_assert_eq(prep_schema_key_set_field(s, 2), PREP_SCHEMA_ROW);
	cr_assert_eq(prep_schema_key_set_field(s, 3), PREP_SCHEMA_ROW);
	cr_assert_str_eq(prep_schema_key_set_message(s, 0),
			 "duplicate value in a unique field");
	cr_assert_str_eq(prep_schema_key_set_message(s, 2),
			 "duplicate primary key (b, n)");
	cr_assert_str_eq(prep_schema_key_set_message(s, 3), "");
	cr_assert_eq(check(s, r1, 3, is), 0);
	cr_assert_eq(check(s, r2, 3, is), 2); /* 0258 is 258: n and key */
	cr_assert_eq(prep_schema_key_set_size(s, 0), 2);
	cr_assert_eq(prep_schema_key_set_size(s, 1), 1);
	cr_assert_eq(prep_schema_key_set_size(s, 2), 1);
	k = prep_schema_key_set_key(s, 0, 1);
	cr_assert(k.len == 1 && k.data[0] == 'y');
	k = prep_schema_key_set_key(s, 1, 0);
	cr_assert_eq(k.len, 8);
	cr_assert_eq(memcmp(k.data, n258, 8), 0);
	k = prep_schema_key_set_key(s, 2, 0);
	cr_assert_eq(k.len, sizeof pk);
	cr_assert_eq(memcmp(k.data, pk, sizeof pk), 0);
	cr_assert_eq(prep_schema_key_set_key(s, 1, 1).len, 0);
	cr_assert_eq(prep_schema_max_keys(s), 10000000);
	prep_schema_set_max_keys(s, 7);
	cr_assert_eq(prep_schema_max_keys(s), 7);
	cr_assert_eq(
	    EVP_Digest(json, strlen(json), want, &dlen, EVP_sha256(), NULL), 1);
	prep_schema_sha256(s, got);
	cr_assert_eq(memcmp(got, want, 32), 0);
	prep_schema_free(s);
	/* no unique field, no primary key: no set */
	s = load1("{\"name\":\"a\"}");
	cr_assert_eq(prep_schema_key_sets(s), 0);
	prep_schema_free(s);
}
