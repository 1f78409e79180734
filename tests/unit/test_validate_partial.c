/*
 * Unit tests of libprep/validate_partial.c: validate's partial state and
 * its merge.
 *
 * A table of records against a schema of two unique fields and a primary
 * key is checked whole, as validate checks it (the header's errors, then
 * each row's), and in parts, each part's state written as JSON, read
 * back and merged. The merge's report, text and JSON, must be the whole
 * run's byte for byte, for every way of cutting the table in two and in
 * three, and with the listing cut short; the parts' own reports differ
 * from it (the negative control: they miss the duplicates across parts).
 * The records hold duplicates across parts of every kind: a unique value,
 * a primary key, one whose row was valid in its part and one whose row
 * was not, one hidden behind an encoding-error, one in a ragged row.
 * A state read back is written the same; a state broken one way at a time
 * is refused with its reason; a part of another header and a union of
 * keys past --max-keys are refused, the latter at the key's line.
 */
#define _GNU_SOURCE /* open_memstream */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate_partial.h"

#define SCHEMA                                                                 \
	"{\"fields\":[{\"name\":\"id\",\"type\":\"integer\","                  \
	"\"constraints\":{\"unique\":true}},"                                  \
	"{\"name\":\"email\",\"constraints\":{\"unique\":true}},"              \
	"{\"name\":\"n\",\"type\":\"integer\"}],"                              \
	"\"primaryKey\":[\"email\",\"n\"]}"

#define FILE_NAME "t.csv"

/* The records, cells split at ','; line i + 2 of the file. */
static const char *const records[] = {
    "1,a@x,1", "2,b@x,2", "3,a@x,3",	   "4,c@x,x",  "1,d@x,4",
    "5,b@x,2", "",	  "6,e@x,5,extra", "2,\xff,6", "7,\xff,7",
    "8,f@x,8", "8,g@x",	  "9,f@x,9",	   "10,h@x,10"};
#define NRECORDS (sizeof records / sizeof records[0])

static const char *const header_cells[] = {"id", "email", "n"};

/* One run of validate over records [from, to). */
struct run {
	prep_schema *s;
	prep_validator *v;
	prep_vreport *r;
	prep_vstate *st; /* a part's */
	prep_field hdr[3];
};

/* Record i's cells in f (room for 8), their number returned. */
static size_t
cells(size_t i, prep_field *f, char *buf, size_t cap)
{
	size_t n = 0;
	char *p, *q;

	cr_assert_lt(strlen(records[i]), cap);
	strcpy(buf, records[i]);
	for (p = buf;; p = q + 1) {
		q = strchr(p, ',');
		f[n].data = p;
		f[n].len = q ? (size_t)(q - p) : strlen(p);
		n++;
		if (q == NULL)
			break;
	}
	return n;
}

static void
run_new(struct run *x, size_t max_errors, size_t max_keys)
{
	size_t i;

	memset(x, 0, sizeof *x);
	cr_assert_eq(prep_schema_parse(SCHEMA, strlen(SCHEMA), &x->s, NULL),
		     PREP_OK);
	if (max_keys)
		prep_schema_set_max_keys(x->s, max_keys);
	cr_assert_eq(prep_validator_new(x->s, 0, &x->v), PREP_OK);
	cr_assert_eq(prep_vreport_new(max_errors, &x->r), PREP_OK);
	for (i = 0; i < 3; i++) {
		x->hdr[i].data = header_cells[i];
		x->hdr[i].len = strlen(header_cells[i]);
	}
}

static void
run_free(struct run *x)
{
	prep_vstate_free(x->st);
	prep_vreport_free(x->r);
	prep_validator_free(x->v);
	prep_schema_free(x->s);
}

/* Check records [from, to) as a whole run (part 0) or a part's. */
static void
run_rows(struct run *x, size_t from, size_t to, int part)
{
	const prep_vissue *is;
	prep_where w = {FILE_NAME, 1, 0};
	prep_field f[8];
	char buf[64];
	size_t i, n, ni;
	uint64_t row = 1;

	cr_assert_eq(prep_validator_header(x->v, x->hdr, 3, &is, &ni), PREP_OK);
	if (part) {
		cr_assert_eq(prep_vstate_new(x->s, &x->st), PREP_OK);
		cr_assert_eq(
		    prep_vstate_input(x->st, 0, x->hdr, 3, 3, FILE_NAME),
		    PREP_OK);
	} else {
		cr_assert_eq(prep_vreport_header(x->r, w, is, ni), PREP_OK);
	}
	for (i = from; i < to; i++) {
		n = cells(i, f, buf, sizeof buf);
		cr_assert_eq(prep_validator_row(x->v, f, n, &is, &ni), PREP_OK);
		row++;
		w.line = (unsigned long)i + 2;
		cr_assert_eq(prep_vreport_row(x->r, row, w, is, ni), PREP_OK);
		if (part)
			cr_assert_eq(
			    prep_vstate_row(x->st, x->v, row, w, f, n, ni),
			    PREP_OK);
	}
	if (part)
		cr_assert_eq(prep_vstate_report(x->st, x->r), PREP_OK);
}

/* The report of r as validate prints it, text or JSON (free it). */
static char *
report_text(const prep_vreport *r, const prep_validator *v, int json)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cr_assert_not_null(f);
	cr_assert_eq(
	    prep_vreport_print(r, v, prep_vreport_passes(r, 1), json, f),
	    PREP_OK);
	cr_assert_eq(fclose(f), 0);
	return text;
}

/* A part's state as JSON, read back against a fresh schema s. */
static prep_vstate *
through_json(const prep_vstate *st, const prep_schema *s, size_t max_errors)
{
	json_t *j = prep_vstate_to_json(st);
	prep_vstate *back = NULL;
	const char *why = NULL;
	prep_status rc;

	cr_assert_not_null(j);
	rc = prep_vstate_from_json(j, s, max_errors, &back, &why);
	cr_assert_eq(rc, PREP_OK, "%s", why ? why : prep_strerror(rc));
	json_decref(j);
	return back;
}

/*
 * The table cut at cuts[0 .. ncuts) into parts, merged, against the
 * whole run: the same text and JSON. Returns 1 when some part's own
 * report differs from the whole's (it should).
 */
static int
merge_equals_whole(const size_t *cuts, size_t ncuts, size_t max_errors)
{
	struct run whole, parts[8], m;
	prep_vstate *states[8];
	char *wt, *wj, *mt, *mj, *pt;
	const char *why;
	prep_where at;
	size_t i, which, n = ncuts + 1, from, to;
	int differ = 0;

	run_new(&whole, max_errors, 0);
	run_rows(&whole, 0, NRECORDS, 0);
	run_new(&m, max_errors, 0);
	for (i = 0; i < n; i++) {
		from = i == 0 ? 0 : cuts[i - 1];
		to = i == ncuts ? NRECORDS : cuts[i];
		run_new(&parts[i], max_errors, 0);
		run_rows(&parts[i], from, to, 1);
		states[i] = through_json(parts[i].st, m.s, max_errors);
	}
	cr_assert_eq(
	    prep_vstate_merge(states, n, 0, m.v, m.r, &at, &which, &why),
	    PREP_OK);
	wt = report_text(whole.r, whole.v, 0);
	wj = report_text(whole.r, whole.v, 1);
	mt = report_text(m.r, m.v, 0);
	mj = report_text(m.r, m.v, 1);
	cr_assert_str_eq(mt, wt, "cut at %zu, %zu parts", cuts[0], n);
	cr_assert_str_eq(mj, wj, "cut at %zu, %zu parts", cuts[0], n);
	for (i = 0; i < n; i++) {
		pt = report_text(parts[i].r, parts[i].v, 1);
		differ |= strcmp(pt, wj) != 0;
		free(pt);
		prep_vstate_free(states[i]);
		run_free(&parts[i]);
	}
	free(wt);
	free(wj);
	free(mt);
	free(mj);
	run_free(&m);
	run_free(&whole);
	return differ;
}

/* The whole run, to know the test has duplicates of every kind. */
Test(validate_partial, table_has_what_it_needs)
{
	struct run whole;
	char *t;

	run_new(&whole, 100, 0);
	run_rows(&whole, 0, NRECORDS, 0);
	t = report_text(whole.r, whole.v, 0);
	cr_assert_str_eq(
	    t,
	    "t.csv:4: row 4, field 2 (email): unique-error: duplicate value "
	    "in a unique field\n"
	    "t.csv:5: row 5, field 3 (n): type-error: not an integer\n"
	    "t.csv:6: row 6, field 1 (id): unique-error: duplicate value in "
	    "a unique field\n"
	    "t.csv:7: row 7, field 2 (email): unique-error: duplicate value "
	    "in a unique field\n"
	    "t.csv:7: row 7: primary-key: duplicate primary key (email, n)\n"
	    "t.csv:8: row 8: blank-row: every cell is empty\n"
	    "t.csv:9: row 9, field 4: extra-cell: cell beyond the header\n"
	    "t.csv:10: row 10, field 1 (id): unique-error: duplicate value in "
	    "a unique field\n"
	    "t.csv:10: row 10, field 2 (email): encoding-error: cell is not "
	    "valid UTF-8\n"
	    "t.csv:11: row 11, field 2 (email): encoding-error: cell is not "
	    "valid UTF-8\n"
	    "t.csv:13: row 13, field 1 (id): unique-error: duplicate value in "
	    "a unique field\n"
	    "t.csv:13: row 13, field 3 (n): constraint-error: required value "
	    "is missing\n"
	    "t.csv:13: row 13, field 3 (n): missing-cell: row has no cell "
	    "here\n"
	    "t.csv:14: row 14, field 2 (email): unique-error: duplicate value "
	    "in a unique field\n"
	    "invalid: 14 rows, 4 valid; 14 errors: blank-row 1, missing-cell 1, "
	    "extra-cell 1, encoding-error 2, type-error 1, constraint-error 1, "
	    "unique-error 6, primary-key 1\n");
	free(t);
	run_free(&whole);
}

Test(validate_partial, merge_of_two_parts_is_the_whole_run)
{
	size_t cut;

	for (cut = 0; cut <= NRECORDS; cut++)
		cr_assert(merge_equals_whole(&cut, 1, 100) || cut == 0 ||
			      cut == NRECORDS,
			  "cut %zu: a part's report is the whole's", cut);
}

Test(validate_partial, merge_of_three_parts_is_the_whole_run)
{
	size_t c[2];

	for (c[0] = 0; c[0] <= NRECORDS; c[0]++)
		for (c[1] = c[0]; c[1] <= NRECORDS; c[1]++)
			(void)merge_equals_whole(c, 2, 100);
}

/* The listing cut short: the whole run's first errors, all counted. */
Test(validate_partial, merge_with_few_errors_listed)
{
	size_t cut, max;

	for (max = 0; max <= 4; max++)
		for (cut = 0; cut <= NRECORDS; cut++)
			(void)merge_equals_whole(&cut, 1, max);
}

/* Written, read back, written again: the same JSON. */
Test(validate_partial, round_trip)
{
	struct run p;
	prep_vstate *back;
	json_t *a, *b;
	char *t;

	run_new(&p, 100, 0);
	run_rows(&p, 3, NRECORDS, 1);
	a = prep_vstate_to_json(p.st);
	back = through_json(p.st, p.s, 100);
	b = prep_vstate_to_json(back);
	cr_assert(json_equal(a, b));
	/* keys sorted by their bytes: a@x's entry before b@x's */
	t = json_dumps(json_object_get(a, "keys"), JSON_COMPACT);
	cr_assert(strstr(t, "{\"field\":\"email\",\"keys\":[[\"b@x\",4,0,7,0],"
			    "[\"c@x\",2,0,5,1],[\"d@x\",3,0,6,0]") != NULL,
		  "%s", t);
	free(t);
	json_decref(a);
	json_decref(b);
	prep_vstate_free(back);
	run_free(&p);
}

static json_t *
base_state(struct run *p)
{
	json_t *j;

	run_new(p, 3, 0);
	run_rows(p, 3, NRECORDS, 1);
	j = prep_vstate_to_json(p->st);
	cr_assert_not_null(j);
	return j;
}

static void
refused(json_t *j, const prep_schema *s, const char *want)
{
	prep_vstate *st = (prep_vstate *)1;
	const char *why = NULL;

	cr_assert_eq(prep_vstate_from_json(j, s, 3, &st, &why), PREP_ERR_VALUE,
		     "accepted, want '%s'", want);
	cr_assert_null(st);
	cr_assert_str_eq(why, want);
	json_decref(j);
}

static json_t *
key_entry(json_t *j, size_t set, size_t i)
{
	return json_array_get(
	    json_object_get(json_array_get(json_object_get(j, "keys"), set),
			    "keys"),
	    i);
}

/* A state broken one way at a time, each refused with its reason. */
Test(validate_partial, refusals)
{
	struct run p;
	json_t *base = base_state(&p), *d;
	prep_vstate *st;
	const char *why;

	cr_assert_eq(prep_vstate_from_json(base, p.s, 3, &st, &why), PREP_OK);
	prep_vstate_free(st);
	/* another schema: no key sets */
	refused(json_deep_copy(base), NULL, "key sets are not the schema's");

	d = json_deep_copy(base);
	json_object_del(d, "files");
	refused(d, p.s,
		"not a state of validate: a member is missing, unknown or of "
		"the wrong type");
	d = json_deep_copy(base);
	json_object_set_new(d, "valid_rows", json_integer(99));
	refused(d, p.s, "more valid rows than rows");
	d = json_deep_copy(base);
	json_object_set_new(
	    d, "valid_rows",
	    json_integer(json_integer_value(json_object_get(base, "rows"))));
	refused(d, p.s, "error counts do not match the valid rows");
	d = json_deep_copy(base);
	json_object_set_new(json_object_get(d, "errors_by_code"),
			    "duplicate-label", json_integer(1));
	refused(d, p.s, "bad errors_by_code");
	d = json_deep_copy(base);
	json_object_set_new(json_object_get(d, "errors_by_code"),
			    "source-error", json_integer(2));
	refused(d, p.s, "more than one source-error");
	d = json_deep_copy(base);
	json_array_remove(json_object_get(d, "errors"), 2);
	refused(d, p.s, "listed errors do not match their count");
	d = json_deep_copy(base);
	json_object_set_new(json_array_get(json_object_get(d, "errors"), 0),
			    "file", json_integer(1));
	refused(d, p.s, "listed error of an unknown file");
	d = json_deep_copy(base);
	json_object_set_new(json_array_get(json_object_get(d, "errors"), 0),
			    "row", json_integer(9));
	refused(d, p.s, "listed errors out of order");
	d = json_deep_copy(base);
	json_object_set_new(json_array_get(json_object_get(d, "errors"), 0),
			    "code", json_string("no-such-error"));
	refused(d, p.s, "bad listed error");
	d = json_deep_copy(base);
	json_object_set_new(d, "header", json_pack("[ss]", "id", "email"));
	refused(d, p.s, "bad header");
	d = json_deep_copy(base);
	json_object_set_new(json_array_get(json_object_get(d, "keys"), 0),
			    "field", json_string("email"));
	refused(d, p.s, "key sets are not the schema's");
	d = json_deep_copy(base);
	json_array_set_new(key_entry(d, 1, 1), 0, json_string("a@x"));
	refused(d, p.s, "keys out of order or twice");
	d = json_deep_copy(base);
	json_array_set_new(key_entry(d, 1, 1), 1, json_integer(99));
	refused(d, p.s, "key of a row out of range");
	d = json_deep_copy(base);
	json_array_set_new(key_entry(d, 1, 1), 1,
			   json_integer(json_integer_value(
			       json_array_get(key_entry(d, 1, 0), 1))));
	refused(d, p.s, "two keys of one row in a set");
	d = json_deep_copy(base);
	json_array_set_new(key_entry(d, 2, 0), 4, json_integer(2));
	refused(d, p.s, "bad key state");
	d = json_deep_copy(base);
	json_array_set_new(key_entry(d, 1, 1), 4, json_integer(0));
	refused(d, p.s, "keys of valid rows that are not");
	d = json_deep_copy(base);
	json_array_set_new(key_entry(d, 0, 0), 0, json_string("hex:zz"));
	refused(d, p.s, "bad key");
	d = json_deep_copy(base);
	json_object_set_new(d, "empty", json_true());
	refused(d, p.s, "an empty input with rows, errors or a header");

	json_decref(base);
	run_free(&p);
}

/* Parts of another header are not parts of one input. */
Test(validate_partial, merge_refuses_another_header)
{
	struct run a, b, m;
	prep_vstate *states[2];
	const char *why;
	prep_where at;
	size_t which;

	run_new(&a, 100, 0);
	run_rows(&a, 0, 5, 1);
	run_new(&b, 100, 0);
	b.hdr[2].data = "N";
	run_rows(&b, 5, NRECORDS, 1);
	run_new(&m, 100, 0);
	states[0] = a.st;
	states[1] = b.st;
	cr_assert_eq(
	    prep_vstate_merge(states, 2, 0, m.v, m.r, &at, &which, &why),
	    PREP_ERR_VALUE);
	cr_assert_eq(which, 1);
	cr_assert_str_eq(why, "a part of an input with another header than "
			      "the first part's");
	run_free(&a);
	run_free(&b);
	run_free(&m);
}

/*
 * max_keys 4: each half holds at most 4 ids, the union passes 4 where the
 * whole run stops, at the line of the fifth distinct id in the second
 * half (records 0-5 have ids 1 2 3 4 1 5: the fifth, 5, is on line 7).
 */
Test(validate_partial, merge_past_max_keys)
{
	struct run a, b, m;
	prep_vstate *states[2];
	const char *why;
	prep_where at;
	size_t which;

	run_new(&a, 100, 4);
	run_rows(&a, 0, 3, 1);
	run_new(&b, 100, 4);
	run_rows(&b, 3, 6, 1);
	/* the limit is the merge's schema's, which reads the states */
	run_new(&m, 100, 4);
	states[0] = through_json(a.st, m.s, 100);
	states[1] = through_json(b.st, m.s, 100);
	cr_assert_eq(
	    prep_vstate_merge(states, 2, 0, m.v, m.r, &at, &which, &why),
	    PREP_ERR_LIMIT);
	cr_assert_str_eq(at.file, FILE_NAME);
	cr_assert_eq(at.line, 7);
	prep_vstate_free(states[0]);
	prep_vstate_free(states[1]);
	run_free(&m);
	/* within the limit: merged */
	run_new(&m, 100, 5);
	states[0] = through_json(a.st, m.s, 100);
	states[1] = through_json(b.st, m.s, 100);
	cr_assert_eq(
	    prep_vstate_merge(states, 2, 0, m.v, m.r, &at, &which, &why),
	    PREP_OK);
	prep_vstate_free(states[0]);
	prep_vstate_free(states[1]);
	run_free(&a);
	run_free(&b);
	run_free(&m);
}

/* Empty parts: the run's source-error, or nothing with --allow-empty. */
Test(validate_partial, empty_parts)
{
	struct run a, m;
	prep_vstate *states[2];
	const char *why;
	prep_where at;
	size_t which;
	char *t;

	run_new(&a, 100, 0);
	cr_assert_eq(prep_vstate_new(a.s, &a.st), PREP_OK);
	cr_assert_eq(prep_vstate_input(a.st, 1, NULL, 0, 0, FILE_NAME),
		     PREP_OK);
	cr_assert_eq(prep_vstate_report(a.st, a.r), PREP_OK);
	states[0] = states[1] = a.st;
	run_new(&m, 100, 0);
	cr_assert_eq(
	    prep_vstate_merge(states, 2, 0, m.v, m.r, &at, &which, &why),
	    PREP_OK);
	t = report_text(m.r, m.v, 0);
	cr_assert_str_eq(t, "t.csv:1: row 1: source-error: the source is "
			    "empty\ninvalid: 0 rows, 0 valid; 1 error: "
			    "source-error 1\n");
	free(t);
	run_free(&m);
	run_new(&m, 100, 0);
	cr_assert_eq(
	    prep_vstate_merge(states, 2, 1, m.v, m.r, &at, &which, &why),
	    PREP_OK);
	t = report_text(m.r, m.v, 0);
	cr_assert_str_eq(t, "valid: 0 rows, 0 valid; no errors\n");
	free(t);
	run_free(&m);
	run_free(&a);
}

/*
 * A set whose keys outgrow the first arena of the reader's set: read
 * back whole (the check of their order once read a key the arena's move
 * had freed; the fuzzer's crash-validate-key-arena-moved).
 */
Test(validate_partial, many_long_keys)
{
	static const char schema[] =
	    "{\"fields\":[{\"name\":\"v\",\"constraints\":{\"unique\":true}}]}";
	prep_field h = {"v", 1}, f;
	const prep_vissue *is;
	prep_where w = {FILE_NAME, 1, 0};
	prep_validator *v;
	prep_vreport *r;
	prep_vstate *st, *back;
	prep_schema *s;
	const char *why = NULL;
	char cell[128];
	json_t *a, *b;
	size_t i, ni;

	cr_assert_eq(prep_schema_parse(schema, strlen(schema), &s, NULL),
		     PREP_OK);
	cr_assert_eq(prep_validator_new(s, 0, &v), PREP_OK);
	cr_assert_eq(prep_vreport_new(100, &r), PREP_OK);
	cr_assert_eq(prep_vstate_new(s, &st), PREP_OK);
	cr_assert_eq(prep_validator_header(v, &h, 1, &is, &ni), PREP_OK);
	cr_assert_eq(prep_vstate_input(st, 0, &h, 1, 1, FILE_NAME), PREP_OK);
	for (i = 0; i < 500; i++) {
		memset(cell, 'a' + (int)(i % 26), 100);
		snprintf(cell + 100, sizeof cell - 100, "%04zu", i);
		f.data = cell;
		f.len = strlen(cell);
		w.line = (unsigned long)i + 2;
		cr_assert_eq(prep_validator_row(v, &f, 1, &is, &ni), PREP_OK);
		cr_assert_eq(prep_vreport_row(r, i + 2, w, is, ni), PREP_OK);
		cr_assert_eq(prep_vstate_row(st, v, i + 2, w, &f, 1, ni),
			     PREP_OK);
	}
	cr_assert_eq(prep_vstate_report(st, r), PREP_OK);
	a = prep_vstate_to_json(st);
	cr_assert_eq(prep_vstate_from_json(a, s, 100, &back, &why), PREP_OK,
		     "%s", why);
	b = prep_vstate_to_json(back);
	cr_assert(json_equal(a, b));
	json_decref(a);
	json_decref(b);
	prep_vstate_free(back);
	prep_vstate_free(st);
	prep_vreport_free(r);
	prep_validator_free(v);
	prep_schema_free(s);
}
