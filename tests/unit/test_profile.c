/*
 * test_profile.c: unit tests of libprep/profile.c and profile_json.c, the
 * one-pass, mergeable summary of a CSV that profile(1) writes.
 *
 * Written from profile.h, not from the implementation. Types: a table of
 * cells, each typed by the header's rules (strict integer and number
 * syntax, real dates, RFC 3339 date-times, six boolean words). Counts:
 * small tables counted by hand (in the comments). Moments: against a
 * two-pass mean and population variance computed here in long double, to
 * 1e-12 relative (Welford's and Chan's updates are backward stable: their
 * error grows like n eps times the data's condition, about 1e-13 for the
 * thousand well-conditioned values here; Chan, Golub and LeVeque, "Algorithms
 * for computing the sample variance", Am. Stat. 37(3), 1983). Values:
 * against counts made by brute force: exact up to max_distinct values, then
 * the Misra-Gries bound of sketch_freq.h (every true count f in
 * [c, c + error], c = 0 for a value not kept; Misra and Gries, "Finding
 * repeated elements", 1982; Agarwal et al., "Mergeable summaries", TODS
 * 2013, for merges). Merges: two halves against the whole, counts, types,
 * exact values and groups equal, the HyperLogLog estimate equal (the
 * registers of a union are the registers of the whole), the KLL sketch's
 * count, min and max equal. The JSON form: a round trip byte for byte,
 * and a valid document broken one way at a time, each refused with
 * PREP_ERR_VALUE and the reason that names the break, the unbroken
 * document accepted (the negative control). Partials: the state is the
 * document, the options its options with max_groups and the missing
 * values; read back, the same document; two halves through partials
 * merge as two profiles; options and states broken one way at a time
 * refused, and the options' max_groups binding a merge.
 */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "missing.h"
#include "profile.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define MAXCOLS 8

/* ---- helpers ---- */

static void
params_init(prep_profile_params *pp, size_t ncolumns, const prep_field *names)
{
	memset(pp, 0, sizeof *pp);
	pp->ncolumns = ncolumns;
	pp->names = names;
	pp->seed = PREP_PROFILE_DEFAULT_SEED;
	pp->pred = -1;
}

static prep_profile *
new_profile(const prep_profile_params *pp)
{
	prep_profile *p = NULL;
	prep_status st = prep_profile_new(pp, &p);

	cr_assert_eq(st, PREP_OK, "prep_profile_new: %s", prep_strerror(st));
	cr_assert_not_null(p);
	return p;
}

static void
set_fields(prep_field *f, const char *const *cells, size_t n)
{
	size_t i;

	cr_assert_leq(n, MAXCOLS);
	for (i = 0; i < n; i++) {
		f[i].data = cells[i];
		f[i].len = strlen(cells[i]);
	}
}

static void
add_row(prep_profile *p, const char *const *cells, size_t n)
{
	prep_field f[MAXCOLS];
	prep_status st;

	set_fields(f, cells, n);
	st = prep_profile_add(p, f);
	cr_assert_eq(st, PREP_OK, "add: %s", prep_strerror(st));
}

static const prep_profile_column *
col(const prep_profile *p, size_t i)
{
	const prep_profile_column *c = prep_profile_column_at(p, i);

	cr_assert_not_null(c, "no column %zu", i);
	return c;
}

static void
assert_types(const prep_profile_column *c, uint64_t integer, uint64_t number,
	     uint64_t date, uint64_t datetime, uint64_t boolean, uint64_t text)
{
	const uint64_t want[PREP_PROFILE_NTYPES] = {integer,  number,  date,
						    datetime, boolean, text};
	size_t t;

	for (t = 0; t < PREP_PROFILE_NTYPES; t++)
		cr_assert_eq(c->types[t], want[t],
			     "column %s: %s %llu, want %llu", c->name,
			     prep_profile_type_names[t],
			     (unsigned long long)c->types[t],
			     (unsigned long long)want[t]);
}

/* The count of value s among c's listed values (0 when not listed). */
static uint64_t
listed(const prep_profile_column *c, const char *s, size_t len)
{
	prep_freq_item *it = NULL;
	size_t n = 0, i;
	uint64_t cnt = 0;

	cr_assert_eq(prep_profile_values(c, &it, &n), PREP_OK);
	for (i = 0; i < n; i++)
		if (it[i].len == len && memcmp(it[i].data, s, len) == 0)
			cnt = it[i].count;
	free(it);
	return cnt;
}

static size_t
nlisted(const prep_profile_column *c)
{
	prep_freq_item *it = NULL;
	size_t n = 0;

	cr_assert_eq(prep_profile_values(c, &it, &n), PREP_OK);
	free(it);
	return n;
}

/* Brute-force counts of one column's values. */
struct truth {
	char v[64][16];
	uint64_t n[64];
	size_t nv;
};

static void
truth_add(struct truth *t, const char *s)
{
	size_t i;

	cr_assert_lt(strlen(s), sizeof t->v[0]);
	for (i = 0; i < t->nv; i++)
		if (strcmp(t->v[i], s) == 0)
			break;
	if (i == t->nv) {
		cr_assert_lt(t->nv, NELEMS(t->v));
		strcpy(t->v[t->nv++], s);
		t->n[i] = 0;
	}
	t->n[i]++;
}

static uint64_t
truth_total(const struct truth *t)
{
	uint64_t s = 0;
	size_t i;

	for (i = 0; i < t->nv; i++)
		s += t->n[i];
	return s;
}

/* c lists exactly t's values and counts. */
static void
assert_exact(const prep_profile_column *c, const struct truth *t)
{
	double se;
	size_t i;

	cr_assert(c->exact, "column %s is not exact", c->name);
	cr_assert_eq(nlisted(c), t->nv);
	for (i = 0; i < t->nv; i++)
		cr_assert_eq(listed(c, t->v[i], strlen(t->v[i])), t->n[i],
			     "column %s value %s", c->name, t->v[i]);
	cr_assert_eq(prep_profile_distinct(c, &se), (double)t->nv);
	cr_assert_eq(se, 0);
}

/*
 * c is a summary of k counters of t's values: every true count f in
 * [counter, counter + error], error <= (total - kept) / (k + 1), nothing
 * listed that is not a value (its f would be 0 < its counter).
 */
static void
assert_summary(const prep_profile_column *c, const struct truth *t, size_t k)
{
	prep_freq_item *it = NULL;
	size_t n = 0, i;
	uint64_t err, kept = 0, cnt, total = truth_total(t);

	cr_assert(!c->exact, "column %s still exact", c->name);
	cr_assert_not_null(c->freq);
	cr_assert_eq(prep_freq_k(c->freq), k);
	cr_assert_eq(prep_freq_total(c->freq), total);
	err = prep_freq_error(c->freq);
	cr_assert_eq(prep_profile_values(c, &it, &n), PREP_OK);
	cr_assert_leq(n, k);
	for (i = 0; i < n; i++) {
		kept += it[i].count;
		cr_assert_gt(it[i].count, 0);
	}
	free(it);
	cr_assert_leq(err * (k + 1), total - kept);
	for (i = 0; i < t->nv; i++) {
		cnt = listed(c, t->v[i], strlen(t->v[i]));
		cr_assert(cnt <= t->n[i] && t->n[i] <= cnt + err,
			  "value %s: true %llu, counter %llu, error %llu",
			  t->v[i], (unsigned long long)t->n[i],
			  (unsigned long long)cnt, (unsigned long long)err);
	}
	/* other: the cells the listed counters do not account for */
	cr_assert_eq(prep_profile_other(c), c->rows - c->empty - kept);
}

static void
assert_rel(double got, double want, double rel, const char *what)
{
	double tol = rel * fabs(want);

	cr_assert(fabs(got - want) <= tol, "%s: %.17g, want %.17g (rel %g)",
		  what, got, want, fabs(got - want) / fabs(want));
}

/* The compact text of p's JSON form (free it). */
static char *
text_of(const prep_profile *p)
{
	json_t *j = prep_profile_to_json(p);
	char *s;

	cr_assert_not_null(j, "prep_profile_to_json failed");
	s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(17));
	json_decref(j);
	cr_assert_not_null(s);
	return s;
}

/* The group key of cells (prep_tuple_put of each), in buf. */
static prep_field
group_key(unsigned char *buf, size_t cap, const char *const *cells, size_t n)
{
	unsigned char *o = buf;
	prep_field f, k;
	size_t i;

	for (i = 0; i < n; i++) {
		f.data = cells[i];
		f.len = strlen(cells[i]);
		cr_assert_leq((size_t)(o - buf) + f.len + PREP_TUPLE_OVERHEAD,
			      cap);
		o = prep_tuple_put(o, &f);
	}
	k.data = (const char *)buf;
	k.len = (size_t)(o - buf);
	return k;
}

static prep_profile_group_counts
group_of(const prep_profile *p, const char *const *cells, size_t n)
{
	unsigned char buf[256];
	prep_field k = group_key(buf, sizeof buf, cells, n), key;
	prep_profile_group_counts g;
	size_t id;
	prep_status st = prep_profile_group_find(p, &k, &id);

	cr_assert_eq(st, PREP_OK, "group %s not found", cells[0]);
	prep_profile_group(p, id, &g, &key);
	cr_assert_eq(key.len, k.len);
	cr_assert_eq(memcmp(key.data, k.data, k.len), 0);
	return g;
}

/* ---- types ---- */

struct type_case {
	const char *s;
	enum prep_profile_type t;
	double v; /* for an integer or a number */
};

Test(profile, type_of_table)
{
	static const struct type_case cases[] = {
	    /* integers: prep_parse_int64's syntax, in range */
	    {"0", PREP_PROFILE_INTEGER, 0},
	    {"-0", PREP_PROFILE_INTEGER, 0},
	    {"+7", PREP_PROFILE_INTEGER, 7},
	    {"007", PREP_PROFILE_INTEGER, 7},
	    {"1", PREP_PROFILE_INTEGER, 1},
	    {"-42", PREP_PROFILE_INTEGER, -42},
	    {"9223372036854775807", PREP_PROFILE_INTEGER,
	     9223372036854775807.0},
	    {"-9223372036854775808", PREP_PROFILE_INTEGER,
	     -9223372036854775808.0},
	    /* numbers: an int64 overflow, fractions, exponents */
	    {"9223372036854775808", PREP_PROFILE_NUMBER, 9223372036854775808.0},
	    {"-9223372036854775809", PREP_PROFILE_NUMBER,
	     -9223372036854775808.0},
	    {"123456789012345678901234567890", PREP_PROFILE_NUMBER,
	     1.2345678901234568e29},
	    {"1e5", PREP_PROFILE_NUMBER, 100000},
	    {"1E5", PREP_PROFILE_NUMBER, 100000},
	    {"1e+5", PREP_PROFILE_NUMBER, 100000},
	    {"2.5", PREP_PROFILE_NUMBER, 2.5},
	    {"-1.5e-3", PREP_PROFILE_NUMBER, -0.0015},
	    {".5", PREP_PROFILE_NUMBER, 0.5},
	    {"5.", PREP_PROFILE_NUMBER, 5},
	    {"+0.25", PREP_PROFILE_NUMBER, 0.25},
	    {"1.0", PREP_PROFILE_NUMBER, 1},
	    {"1e-400", PREP_PROFILE_NUMBER, 0}, /* underflow: 0 */
	    {"1.7976931348623157e308", PREP_PROFILE_NUMBER, DBL_MAX},
	    /* dates: YYYY-MM-DD, a real date */
	    {"2024-02-29", PREP_PROFILE_DATE, 0},
	    {"2000-02-29", PREP_PROFILE_DATE, 0},
	    {"0001-01-01", PREP_PROFILE_DATE, 0},
	    {"9999-12-31", PREP_PROFILE_DATE, 0},
	    /* RFC 3339 date and time, zone optional */
	    {"2024-02-29T12:34:56Z", PREP_PROFILE_DATETIME, 0},
	    {"2024-02-29T12:34:56+05:30", PREP_PROFILE_DATETIME, 0},
	    {"2024-02-29T23:59:59.123456789-08:00", PREP_PROFILE_DATETIME, 0},
	    {"2024-02-29T00:00:00", PREP_PROFILE_DATETIME, 0},
	    /* booleans: Table Schema's words without 1 and 0 */
	    {"true", PREP_PROFILE_BOOLEAN, 0},
	    {"True", PREP_PROFILE_BOOLEAN, 0},
	    {"TRUE", PREP_PROFILE_BOOLEAN, 0},
	    {"false", PREP_PROFILE_BOOLEAN, 0},
	    {"False", PREP_PROFILE_BOOLEAN, 0},
	    {"FALSE", PREP_PROFILE_BOOLEAN, 0},
	    /* text: not a real date */
	    {"2024-02-30", PREP_PROFILE_TEXT, 0},
	    {"2023-02-29", PREP_PROFILE_TEXT, 0},
	    {"1900-02-29", PREP_PROFILE_TEXT, 0},
	    {"2024-13-01", PREP_PROFILE_TEXT, 0},
	    {"2024-00-10", PREP_PROFILE_TEXT, 0},
	    {"0000-01-01", PREP_PROFILE_TEXT, 0},
	    {"2024-2-29", PREP_PROFILE_TEXT, 0},
	    {"2024/02/29", PREP_PROFILE_TEXT, 0},
	    /* text: not a date and time */
	    {"2024-02-30T00:00:00Z", PREP_PROFILE_TEXT, 0},
	    {"2024-02-29T24:00:00Z", PREP_PROFILE_TEXT, 0},
	    {"2024-02-29T23:59:60Z", PREP_PROFILE_TEXT, 0},
	    {"2024-02-29 12:34:56", PREP_PROFILE_TEXT, 0},
	    {"2024-02-29T12:34", PREP_PROFILE_TEXT, 0},
	    {"2024-02-29T12:34:56+5:30", PREP_PROFILE_TEXT, 0},
	    /* text: not booleans */
	    {"yes", PREP_PROFILE_TEXT, 0},
	    {"no", PREP_PROFILE_TEXT, 0},
	    {"tRUE", PREP_PROFILE_TEXT, 0},
	    {"t", PREP_PROFILE_TEXT, 0},
	    {"true ", PREP_PROFILE_TEXT, 0},
	    {"falsey", PREP_PROFILE_TEXT, 0},
	    /* text: not numbers (strict syntax, and no double for 1e400) */
	    {"1e400", PREP_PROFILE_TEXT, 0},
	    {"-1e400", PREP_PROFILE_TEXT, 0},
	    {"-", PREP_PROFILE_TEXT, 0},
	    {"+", PREP_PROFILE_TEXT, 0},
	    {".", PREP_PROFILE_TEXT, 0},
	    {"1e", PREP_PROFILE_TEXT, 0},
	    {"e5", PREP_PROFILE_TEXT, 0},
	    {"1.2.3", PREP_PROFILE_TEXT, 0},
	    {" 1", PREP_PROFILE_TEXT, 0},
	    {"1 ", PREP_PROFILE_TEXT, 0},
	    {"1,5", PREP_PROFILE_TEXT, 0},
	    {"0x10", PREP_PROFILE_TEXT, 0},
	    {"--1", PREP_PROFILE_TEXT, 0},
	    {"inf", PREP_PROFILE_TEXT, 0},
	    {"-inf", PREP_PROFILE_TEXT, 0},
	    {"nan", PREP_PROFILE_TEXT, 0},
	    {"NaN", PREP_PROFILE_TEXT, 0},
	    {"Infinity", PREP_PROFILE_TEXT, 0},
	    {"x", PREP_PROFILE_TEXT, 0},
	};
	enum prep_profile_type t;
	size_t i;
	double v;

	for (i = 0; i < NELEMS(cases); i++) {
		v = -12345;
		t = prep_profile_type_of(cases[i].s, strlen(cases[i].s), &v);
		cr_assert_eq(t, cases[i].t, "'%s': %s, want %s", cases[i].s,
			     prep_profile_type_names[t],
			     prep_profile_type_names[cases[i].t]);
		if (t == PREP_PROFILE_INTEGER || t == PREP_PROFILE_NUMBER)
			cr_assert_eq(v, cases[i].v, "'%s': %.17g", cases[i].s,
				     v);
	}
	/* bytes past len are not read: "12" of "12x" is an integer */
	cr_assert_eq(prep_profile_type_of("12x", 2, &v), PREP_PROFILE_INTEGER);
	cr_assert_eq(v, 12);
	/* a NUL inside is text */
	cr_assert_eq(prep_profile_type_of("1\0002", 3, &v), PREP_PROFILE_TEXT);
	cr_assert_str_eq(prep_profile_type_names[PREP_PROFILE_INTEGER],
			 "integer");
	cr_assert_str_eq(prep_profile_type_names[PREP_PROFILE_TEXT], "text");
}

/* Numbers in a column's KLL sketch (none before the first number). */
static uint64_t
kll_count(const prep_profile_column *c)
{
	return c->kll ? prep_kll_count(c->kll) : 0;
}

/* ---- parameters ---- */

Test(profile, new_checks_parameters)
{
	static const size_t out_of_range[] = {0, 3};
	static const size_t twice[] = {1, 1};
	static const size_t g_bad[] = {3};
	static const size_t g_ok[] = {0};
	prep_profile_params pp;
	prep_profile *p = (prep_profile *)1;

	params_init(&pp, 3, NULL);
	pp.cols = out_of_range;
	pp.ncols = 2;
	cr_assert_eq(prep_profile_new(&pp, &p), PREP_ERR_ARG);
	cr_assert_null(p);
	pp.cols = twice;
	cr_assert_eq(prep_profile_new(&pp, &p), PREP_ERR_ARG);
	params_init(&pp, 3, NULL);
	pp.max_distinct = PREP_PROFILE_MAX_MAX_DISTINCT + 1;
	cr_assert_eq(prep_profile_new(&pp, &p), PREP_ERR_ARG);
	params_init(&pp, 3, NULL);
	pp.kll_k = PREP_KLL_MIN_K - 1;
	cr_assert_eq(prep_profile_new(&pp, &p), PREP_ERR_ARG);
	pp.kll_k = PREP_KLL_MAX_K + 1;
	cr_assert_eq(prep_profile_new(&pp, &p), PREP_ERR_ARG);
	params_init(&pp, 3, NULL);
	pp.hll_p = PREP_HLL_MIN_P - 1;
	cr_assert_eq(prep_profile_new(&pp, &p), PREP_ERR_ARG);
	pp.hll_p = PREP_HLL_MAX_P + 1;
	cr_assert_eq(prep_profile_new(&pp, &p), PREP_ERR_ARG);
	params_init(&pp, 3, NULL);
	pp.max_groups = PREP_PROFILE_MAX_MAX_GROUPS + 1;
	cr_assert_eq(prep_profile_new(&pp, &p), PREP_ERR_ARG);
	params_init(&pp, 3, NULL);
	pp.groups = g_bad;
	pp.ngroups = 1;
	pp.positive = "1";
	pp.positive_len = 1;
	cr_assert_eq(prep_profile_new(&pp, &p), PREP_ERR_ARG);
	pp.groups = g_ok;
	pp.label = 3;
	cr_assert_eq(prep_profile_new(&pp, &p), PREP_ERR_ARG);
	pp.label = 1;
	pp.pred = 3;
	cr_assert_eq(prep_profile_new(&pp, &p), PREP_ERR_ARG);
	cr_assert_null(p);
	/* the defaults */
	params_init(&pp, 3, NULL);
	p = new_profile(&pp);
	cr_assert_eq(prep_profile_max_distinct(p),
		     PREP_PROFILE_DEFAULT_MAX_DISTINCT);
	cr_assert_null(col(p, 0)->kll); /* made at the first number */
	cr_assert_eq(prep_profile_columns(p), 3);
	cr_assert_eq(prep_profile_rows(p), 0);
	cr_assert_eq(prep_profile_has_groups(p, NULL), 0);
	cr_assert_null(prep_profile_column_at(p, 3));
	prep_profile_free(p);
	prep_profile_free(NULL);
}

/* Names: the header's, or "1", "2"... by input column; --columns order. */
Test(profile, column_names_and_selection)
{
	static const size_t cols[] = {2, 0};
	prep_field names[3];
	static const char *const hdr[] = {"a", "b\0c", "c"};
	static const char *const row[] = {"x", "y", "z"};
	prep_profile_params pp;
	prep_profile *p;

	set_fields(names, hdr, 3);
	names[1].len = 3; /* "b\0c": any bytes */
	params_init(&pp, 3, NULL);
	p = new_profile(&pp);
	cr_assert_str_eq(col(p, 0)->name, "1");
	cr_assert_str_eq(col(p, 1)->name, "2");
	cr_assert_str_eq(col(p, 2)->name, "3");
	prep_profile_free(p);
	params_init(&pp, 3, names);
	p = new_profile(&pp);
	cr_assert_eq(col(p, 1)->name_len, 3);
	cr_assert_eq(memcmp(col(p, 1)->name, "b\0c", 4), 0);
	prep_profile_free(p);
	params_init(&pp, 3, names);
	pp.cols = cols;
	pp.ncols = 2;
	p = new_profile(&pp);
	cr_assert_eq(prep_profile_columns(p), 2);
	cr_assert_str_eq(col(p, 0)->name, "c");
	cr_assert_str_eq(col(p, 1)->name, "a");
	add_row(p, row, 3);
	cr_assert_eq(listed(col(p, 0), "z", 1), 1);
	cr_assert_eq(listed(col(p, 1), "x", 1), 1);
	prep_profile_free(p);
	params_init(&pp, 3, NULL);
	pp.cols = cols;
	pp.ncols = 2;
	p = new_profile(&pp);
	cr_assert_str_eq(col(p, 0)->name, "3");
	cr_assert_str_eq(col(p, 1)->name, "1");
	prep_profile_free(p);
}

/* ---- counting ---- */

/*
 * --missing "NA," (NA and the empty cell):
 *   a: 1 (integer), "" (empty), NA (empty), 2.5 (number)
 *   b: x, NA, y, ""       -> 2 empty, 2 text
 *   c: NA, 2024-01-01, true, N/A -> 1 empty, date, boolean, text
 * With the default (the empty cell alone) NA is text.
 */
Test(profile, rows_empty_and_types_with_missing)
{
	static const char *const rows[][3] = {{"1", "x", "NA"},
					      {"", "NA", "2024-01-01"},
					      {"NA", "y", "true"},
					      {"2.5", "", "N/A"}};
	prep_profile_params pp;
	prep_missing *m;
	prep_profile *p;
	size_t i;

	cr_assert_eq(prep_missing_new("NA,", &m), PREP_OK);
	params_init(&pp, 3, NULL);
	pp.missing = m;
	p = new_profile(&pp);
	for (i = 0; i < NELEMS(rows); i++)
		add_row(p, rows[i], 3);
	cr_assert_eq(prep_profile_rows(p), 4);
	cr_assert_eq(col(p, 0)->rows, 4);
	cr_assert_eq(col(p, 0)->empty, 2);
	assert_types(col(p, 0), 1, 1, 0, 0, 0, 0);
	cr_assert_eq(col(p, 1)->rows, 4);
	cr_assert_eq(col(p, 1)->empty, 2);
	assert_types(col(p, 1), 0, 0, 0, 0, 0, 2);
	cr_assert_eq(col(p, 2)->rows, 4);
	cr_assert_eq(col(p, 2)->empty, 1);
	assert_types(col(p, 2), 0, 0, 1, 0, 1, 1);
	/* missing cells are not values */
	cr_assert_eq(listed(col(p, 1), "NA", 2), 0);
	cr_assert_eq(listed(col(p, 1), "", 0), 0);
	cr_assert_eq(nlisted(col(p, 1)), 2);
	cr_assert_eq(nlisted(col(p, 2)), 3);
	cr_assert_eq(prep_profile_other(col(p, 2)), 0);
	/* the moments of a: 1 and 2.5 */
	cr_assert_eq(col(p, 0)->moments.n, 2);
	cr_assert_eq(col(p, 0)->moments.mean, 1.75);
	cr_assert_eq(prep_moments_variance(&col(p, 0)->moments), 0.5625);
	cr_assert_eq(kll_count(col(p, 0)), 2);
	cr_assert_eq(col(p, 1)->moments.n, 0);
	cr_assert_eq(kll_count(col(p, 1)), 0);
	prep_profile_free(p);

	params_init(&pp, 3, NULL);
	p = new_profile(&pp);
	for (i = 0; i < NELEMS(rows); i++)
		add_row(p, rows[i], 3);
	cr_assert_eq(col(p, 0)->empty, 1);
	assert_types(col(p, 0), 1, 1, 0, 0, 0, 1);
	cr_assert_eq(col(p, 1)->empty, 1);
	assert_types(col(p, 1), 0, 0, 0, 0, 0, 3);
	cr_assert_eq(col(p, 2)->empty, 0);
	assert_types(col(p, 2), 0, 0, 1, 0, 1, 2);
	cr_assert_eq(listed(col(p, 1), "NA", 2), 1);
	prep_profile_free(p);
	prep_missing_free(m);
}

/* A generator of test data: 64-bit LCG (Knuth's MMIX constants). */
static uint64_t lcg_state;

static uint64_t
lcg(void)
{
	lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return lcg_state >> 33;
}

/*
 * A thousand cells of one column: integers, numbers with fractions and
 * exponents, empty and text cells; the moments against two passes.
 */
Test(profile, moments_equal_two_passes)
{
	static char cells[1000][40];
	static double x[1000];
	prep_profile_params pp;
	prep_profile *p;
	const prep_profile_column *c;
	const char *cell[1];
	long double sum = 0, ss = 0, mean;
	double mn = INFINITY, mx = -INFINITY;
	size_t i, n = 0;
	uint64_t r;

	lcg_state = 7;
	for (i = 0; i < NELEMS(cells); i++) {
		r = lcg();
		if (r % 10 == 0) {
			cells[i][0] = '\0';
			continue;
		}
		if (r % 10 == 1) {
			snprintf(cells[i], sizeof cells[i], "w%llu",
				 (unsigned long long)(r % 97));
			continue;
		}
		if (r % 2)
			snprintf(cells[i], sizeof cells[i], "%lld",
				 (long long)(r % 200001) - 100000 + 5000);
		else
			snprintf(cells[i], sizeof cells[i], "%.17g",
				 ((double)(r % 1000003) - 300000.5) / 37.0);
		x[n] = strtod(cells[i], NULL);
		if (x[n] < mn)
			mn = x[n];
		if (x[n] > mx)
			mx = x[n];
		sum += x[n];
		n++;
	}
	mean = sum / (long double)n;
	for (i = 0; i < n; i++)
		ss += ((long double)x[i] - mean) * ((long double)x[i] - mean);
	params_init(&pp, 1, NULL);
	p = new_profile(&pp);
	for (i = 0; i < NELEMS(cells); i++) {
		cell[0] = cells[i];
		add_row(p, cell, 1);
	}
	c = col(p, 0);
	cr_assert_eq(c->moments.n, n);
	cr_assert_eq(
	    c->types[PREP_PROFILE_INTEGER] + c->types[PREP_PROFILE_NUMBER], n);
	cr_assert_eq(c->moments.min, mn);
	cr_assert_eq(c->moments.max, mx);
	assert_rel(c->moments.mean, (double)mean, 1e-12, "mean");
	assert_rel(prep_moments_variance(&c->moments),
		   (double)(ss / (long double)n), 1e-12, "variance");
	cr_assert_eq(prep_kll_count(c->kll), n);
	cr_assert_eq(prep_kll_min(c->kll), mn);
	cr_assert_eq(prep_kll_max(c->kll), mx);
	prep_profile_free(p);
}

/* The same number n times: mean exact, variance exactly 0. */
Test(profile, moments_of_a_constant)
{
	static const char *const cell[] = {"0.1"};
	prep_profile_params pp;
	prep_profile *p;
	int i;

	params_init(&pp, 1, NULL);
	p = new_profile(&pp);
	for (i = 0; i < 777; i++)
		add_row(p, cell, 1);
	cr_assert_eq(col(p, 0)->moments.mean, 0.1);
	cr_assert_eq(prep_moments_variance(&col(p, 0)->moments), 0);
	cr_assert_eq(col(p, 0)->moments.min, 0.1);
	cr_assert_eq(col(p, 0)->moments.max, 0.1);
	prep_profile_free(p);
}

/*
 * Numbers whose spread a double can't hold: {-1e308, 1e308} has variance
 * 1e616. The profile refuses them (PREP_ERR_RANGE) rather than keep a
 * mean or variance that is not finite and that its JSON form can't hold.
 */
Test(profile, moments_past_a_double)
{
	static const char *const lo[] = {"-1e308"}, *const hi[] = {"1e308"};
	static const char *const mid[] = {"1e200"}, *const one[] = {"1"};
	prep_profile_params pp;
	prep_profile *p, *q;
	prep_field f;
	const char *why;

	params_init(&pp, 1, NULL);
	p = new_profile(&pp);
	add_row(p, lo, 1);
	f.data = hi[0];
	f.len = strlen(hi[0]);
	cr_assert_eq(prep_profile_add(p, &f), PREP_ERR_RANGE);
	prep_profile_free(p);
	/* 1e200 and 1: variance 2.5e399 */
	p = new_profile(&pp);
	add_row(p, mid, 1);
	f.data = one[0];
	f.len = 1;
	cr_assert_eq(prep_profile_add(p, &f), PREP_ERR_RANGE);
	prep_profile_free(p);
	/* negative control: 1e150 apart is fine (variance 2.5e299) */
	p = new_profile(&pp);
	f.data = "1e150";
	f.len = 5;
	cr_assert_eq(prep_profile_add(p, &f), PREP_OK);
	add_row(p, one, 1);
	cr_assert(isfinite(prep_moments_variance(&col(p, 0)->moments)));
	prep_profile_free(p);
	/* the merge of each alone: refused, into unchanged */
	p = new_profile(&pp);
	q = new_profile(&pp);
	add_row(p, lo, 1);
	add_row(q, hi, 1);
	cr_assert_eq(prep_profile_merge(p, q, &why), PREP_ERR_RANGE);
	cr_assert_eq(prep_profile_rows(p), 1);
	cr_assert_eq(col(p, 0)->rows, 1);
	cr_assert_eq(col(p, 0)->moments.n, 1);
	cr_assert_eq(col(p, 0)->moments.mean, -1e308);
	prep_profile_free(p);
	prep_profile_free(q);
}

/* ---- values ---- */

/*
 * max_distinct 4: a x4, b x3, c x2, d x1 is exact (4 values); more of the
 * same stays exact; the fifth value, e, turns the counts into a summary
 * of 4 counters, and later cells keep the bound.
 */
Test(profile, values_exact_then_summary_at_max_distinct_plus_one)
{
	static const char *const first[] = {"a", "b", "a", "c", "a",
					    "b", "d", "c", "a", "b"};
	static const char *const later[] = {"a", "f", "g", "a", "b", "h",
					    "f", "a", "e", "e", "i", "a"};
	struct truth t;
	prep_profile_params pp;
	prep_profile *p;
	const prep_profile_column *c;
	const char *cell[1];
	double se, est;
	size_t i;

	memset(&t, 0, sizeof t);
	params_init(&pp, 1, NULL);
	pp.max_distinct = 4;
	p = new_profile(&pp);
	for (i = 0; i < NELEMS(first); i++) {
		cell[0] = first[i];
		add_row(p, cell, 1);
		truth_add(&t, first[i]);
		assert_exact(col(p, 0), &t);
	}
	c = col(p, 0);
	cr_assert_eq(listed(c, "a", 1), 4);
	cr_assert_eq(listed(c, "d", 1), 1);
	cr_assert_null(c->hll);
	cr_assert_eq(prep_profile_other(c), 0);
	/* the same four again: still exact */
	for (i = 0; i < 4; i++) {
		cell[0] = first[i];
		add_row(p, cell, 1);
		truth_add(&t, first[i]);
	}
	assert_exact(col(p, 0), &t);
	/* the fifth distinct value */
	cell[0] = "e";
	add_row(p, cell, 1);
	truth_add(&t, "e");
	c = col(p, 0);
	assert_summary(c, &t, 4);
	cr_assert_not_null(c->hll);
	est = prep_profile_distinct(c, &se);
	cr_assert_gt(se, 0);
	/* 5 distinct, within 4 standard errors (HyperLogLog, p 12) */
	cr_assert(fabs(est - 5) <= 4 * se * 5, "distinct %g", est);
	for (i = 0; i < NELEMS(later); i++) {
		cell[0] = later[i];
		add_row(p, cell, 1);
		truth_add(&t, later[i]);
		assert_summary(col(p, 0), &t, 4);
	}
	est = prep_profile_distinct(col(p, 0), &se);
	cr_assert(fabs(est - 9) <= 4 * se * 9, "distinct %g", est);
	prep_profile_free(p);
}

/*
 * One counter, x y x y x: each y cancels the x before it, so the counter
 * ends on x at 1 (error 2: x's 3 in [1, 3], y's 2 in [0, 2]).
 */
Test(profile, values_summary_of_one_counter)
{
	static const char *const s[] = {"x", "y", "x", "y", "x"};
	struct truth t;
	prep_profile_params pp;
	prep_profile *p;
	const char *cell[1];
	size_t i;

	memset(&t, 0, sizeof t);
	params_init(&pp, 1, NULL);
	pp.max_distinct = 1;
	p = new_profile(&pp);
	for (i = 0; i < NELEMS(s); i++) {
		cell[0] = s[i];
		add_row(p, cell, 1);
		truth_add(&t, s[i]);
	}
	assert_summary(col(p, 0), &t, 1);
	cr_assert_eq(listed(col(p, 0), "x", 1), 1);
	cr_assert_eq(listed(col(p, 0), "y", 1), 0);
	cr_assert_eq(prep_freq_error(col(p, 0)->freq), 2);
	cr_assert_eq(prep_profile_other(col(p, 0)), 4);
	prep_profile_free(p);
}

/*
 * Cells longer than PREP_PROFILE_VALUE_MAX: counted in long and other,
 * never listed; the first starts the HyperLogLog from the exact values.
 * A cell of exactly PREP_PROFILE_VALUE_MAX bytes is a value. A long
 * number still counts in the types and moments.
 */
Test(profile, long_values)
{
	static char max[PREP_PROFILE_VALUE_MAX + 1];
	static char l1[PREP_PROFILE_VALUE_MAX + 2],
	    l2[PREP_PROFILE_VALUE_MAX + 2];
	static char num[PREP_PROFILE_VALUE_MAX + 2];
	const char *cell[1];
	prep_profile_params pp;
	prep_profile *p;
	const prep_profile_column *c;
	double se, est;

	memset(max, 'm', PREP_PROFILE_VALUE_MAX);
	memset(l1, 'a', PREP_PROFILE_VALUE_MAX + 1);
	memset(l2, 'b', PREP_PROFILE_VALUE_MAX + 1);
	memset(num, '0', PREP_PROFILE_VALUE_MAX + 1);
	num[PREP_PROFILE_VALUE_MAX] = '7'; /* 000...07: the integer 7 */
	params_init(&pp, 1, NULL);
	p = new_profile(&pp);
	cell[0] = "x";
	add_row(p, cell, 1);
	cell[0] = "y";
	add_row(p, cell, 1);
	cell[0] = max;
	add_row(p, cell, 1);
	c = col(p, 0);
	cr_assert(c->exact);
	cr_assert_null(c->hll);
	cr_assert_eq(listed(c, max, PREP_PROFILE_VALUE_MAX), 1);
	cr_assert_eq(c->longs, 0);
	cell[0] = l1;
	add_row(p, cell, 1);
	cell[0] = l1;
	add_row(p, cell, 1);
	cell[0] = l2;
	add_row(p, cell, 1);
	cell[0] = num;
	add_row(p, cell, 1);
	cell[0] = "x";
	add_row(p, cell, 1);
	c = col(p, 0);
	cr_assert(c->exact); /* the values are still exact */
	cr_assert_eq(c->longs, 4);
	cr_assert_eq(nlisted(c), 3);
	cr_assert_eq(listed(c, "x", 1), 2);
	cr_assert_eq(listed(c, l1, strlen(l1)), 0);
	cr_assert_eq(prep_profile_other(c), 4);
	assert_types(c, 1, 0, 0, 0, 0, 7);
	cr_assert_eq(c->moments.n, 1);
	cr_assert_eq(c->moments.mean, 7);
	cr_assert_not_null(c->hll);
	est = prep_profile_distinct(c, &se);
	cr_assert_gt(se, 0);
	/* x, y, mmm, aaa, bbb, 0007: 6 distinct */
	cr_assert(fabs(est - 6) <= 4 * se * 6, "distinct %g", est);
	prep_profile_free(p);
}

/* ---- groups ---- */

/*
 * Groups (sex, race), label y, prediction p, positive "1":
 *   F A y1 p1 -> tp     F A y0 p1 -> fp     F A y1 p0 -> fn
 *   F B y0 p0 -> tn     M A y1 p1 -> tp     M A y1 p1 -> tp
 *   M A y0 p0 -> tn     F A y0 p0 -> tn     F B y1 p1 -> tp
 * F/A: n 4, positives 2, predicted 2, tp 1, fp 1
 * F/B: n 2, positives 1, predicted 1, tp 1, fp 0
 * M/A: n 3, positives 2, predicted 2, tp 2, fp 0
 * A label of "1 " or "yes" is not the positive value.
 */
static const char *const grows[][4] = {
    {"F", "A", "1", "1"}, {"F", "A", "0", "1"}, {"F", "A", "1", "0"},
    {"F", "B", "0", "0"}, {"M", "A", "1", "1"}, {"M", "A", "1", "1"},
    {"M", "A", "0", "0"}, {"F", "A", "0", "0"}, {"F", "B", "1", "1"}};

static void
group_params(prep_profile_params *pp, prep_field *names, int pred)
{
	static const size_t g[] = {0, 1};
	static const char *const hdr[] = {"sex", "race", "y", "p"};

	set_fields(names, hdr, 4);
	params_init(pp, 4, names);
	pp->groups = g;
	pp->ngroups = 2;
	pp->label = 2;
	pp->pred = pred ? 3 : -1;
	pp->positive = "1";
	pp->positive_len = 1;
}

static void
assert_group(const prep_profile *p, const char *sex, const char *race,
	     uint64_t n, uint64_t pos, uint64_t pred, uint64_t tp, uint64_t fp)
{
	const char *const key[] = {sex, race};
	prep_profile_group_counts g = group_of(p, key, 2);

	cr_assert_eq(g.n, n, "%s/%s n", sex, race);
	cr_assert_eq(g.positives, pos, "%s/%s positives", sex, race);
	cr_assert_eq(g.predicted, pred, "%s/%s predicted", sex, race);
	cr_assert_eq(g.tp, tp, "%s/%s tp", sex, race);
	cr_assert_eq(g.fp, fp, "%s/%s fp", sex, race);
}

Test(profile, group_counts_by_hand)
{
	static const char *const other[] = {"M", "B", "1 ", "yes"};
	prep_field names[4], gn[2], k;
	prep_profile_params pp;
	prep_profile *p;
	unsigned char buf[64];
	static const char *const absent[] = {"M", "C"};
	size_t i, id;
	int pred = 0;

	group_params(&pp, names, 1);
	p = new_profile(&pp);
	for (i = 0; i < NELEMS(grows); i++)
		add_row(p, grows[i], 4);
	cr_assert_eq(prep_profile_has_groups(p, &pred), 1);
	cr_assert_eq(pred, 1);
	cr_assert_eq(prep_profile_ngroups(p), 3);
	assert_group(p, "F", "A", 4, 2, 2, 1, 1);
	assert_group(p, "F", "B", 2, 1, 1, 1, 0);
	assert_group(p, "M", "A", 3, 2, 2, 2, 0);
	add_row(p, other, 4);
	assert_group(p, "M", "B", 1, 0, 0, 0, 0);
	k = group_key(buf, sizeof buf, absent, 2);
	cr_assert_eq(prep_profile_group_find(p, &k, &id), PREP_ERR_NOT_FOUND);
	cr_assert_eq(prep_profile_group_names(p, gn, 2), 2);
	cr_assert_eq(gn[0].len, 3);
	cr_assert_eq(memcmp(gn[0].data, "sex", 3), 0);
	cr_assert_eq(memcmp(gn[1].data, "race", 4), 0);
	prep_profile_free(p);

	/* without a prediction: predicted, tp, fp stay 0 */
	group_params(&pp, names, 0);
	p = new_profile(&pp);
	for (i = 0; i < NELEMS(grows); i++)
		add_row(p, grows[i], 4);
	cr_assert_eq(prep_profile_has_groups(p, &pred), 1);
	cr_assert_eq(pred, 0);
	assert_group(p, "F", "A", 4, 2, 0, 0, 0);
	assert_group(p, "M", "A", 3, 2, 0, 0, 0);
	prep_profile_free(p);
}

/* Group values byte for byte: ("ab","c") and ("a","bc") are two groups. */
Test(profile, group_keys_are_tuples)
{
	static const char *const r1[] = {"ab", "c", "1", "1"};
	static const char *const r2[] = {"a", "bc", "1", "1"};
	prep_field names[4];
	prep_profile_params pp;
	prep_profile *p;

	group_params(&pp, names, 0);
	p = new_profile(&pp);
	add_row(p, r1, 4);
	add_row(p, r2, 4);
	cr_assert_eq(prep_profile_ngroups(p), 2);
	assert_group(p, "ab", "c", 1, 1, 0, 0, 0);
	assert_group(p, "a", "bc", 1, 1, 0, 0, 0);
	prep_profile_free(p);
}

Test(profile, max_groups)
{
	prep_field names[4], f[4];
	prep_profile_params pp;
	prep_profile *p;

	group_params(&pp, names, 0);
	pp.max_groups = 2;
	p = new_profile(&pp);
	add_row(p, grows[0], 4); /* F/A */
	add_row(p, grows[3], 4); /* F/B */
	add_row(p, grows[1], 4); /* F/A again */
	set_fields(f, grows[4], 4);
	cr_assert_eq(prep_profile_add(p, f), PREP_ERR_LIMIT); /* M/A */
	prep_profile_free(p);
}

/* ---- merging ---- */

/*
 * A table of 600 rows, columns:
 *   num   integers and numbers, an empty or a text cell now and then
 *   cat   six values, skewed (exact in every profile)
 *   many  50 values (past max_distinct 20: a summary in every profile)
 *   long  a few values and now and then a cell of 300 bytes
 *   g, y, p  a group, a label and a prediction ("0"/"1")
 */
#define MROWS 600
#define MCOLS 7
static char mcells[MROWS][MCOLS][320];

static void
make_table(void)
{
	size_t i;
	uint64_t r;

	lcg_state = 99;
	for (i = 0; i < MROWS; i++) {
		r = lcg();
		if (r % 13 == 0)
			mcells[i][0][0] = '\0';
		else if (r % 17 == 0)
			strcpy(mcells[i][0], "n/a");
		else if (r % 2)
			snprintf(mcells[i][0], sizeof mcells[i][0], "%lld",
				 (long long)(r % 1000) - 500);
		else
			snprintf(mcells[i][0], sizeof mcells[i][0], "%.17g",
				 (double)(r % 100000) / 7.0);
		r = lcg();
		snprintf(mcells[i][1], sizeof mcells[i][1], "%c",
			 "aaaabbbccdef"[r % 12]);
		r = lcg();
		snprintf(mcells[i][2], sizeof mcells[i][2], "v%llu",
			 (unsigned long long)((r % 50) * (r % 50) / 50));
		r = lcg();
		if (r % 23 == 0) {
			memset(mcells[i][3], 'L', 300);
			mcells[i][3][300] = '\0';
			mcells[i][3][0] = (char)('A' + r % 5);
		} else
			snprintf(mcells[i][3], sizeof mcells[i][3], "s%llu",
				 (unsigned long long)(r % 7));
		r = lcg();
		snprintf(mcells[i][4], sizeof mcells[i][4], "g%llu",
			 (unsigned long long)(r % 4));
		snprintf(mcells[i][5], sizeof mcells[i][5], "%d",
			 (int)(r >> 8) % 2);
		snprintf(mcells[i][6], sizeof mcells[i][6], "%d",
			 (int)(r >> 12) % 2);
	}
}

static prep_profile *
table_profile(size_t from, size_t to, size_t max_distinct)
{
	static const size_t g[] = {4};
	static const size_t cols[] = {0, 1, 2, 3};
	static const char *const hdr[] = {"num", "cat", "many", "long",
					  "g",	 "y",	"p"};
	static prep_field names[MCOLS];
	prep_profile_params pp;
	prep_profile *p;
	const char *cells[MCOLS];
	size_t i, j;

	set_fields(names, hdr, MCOLS);
	params_init(&pp, MCOLS, names);
	pp.cols = cols;
	pp.ncols = 4;
	pp.max_distinct = max_distinct;
	pp.groups = g;
	pp.ngroups = 1;
	pp.label = 5;
	pp.pred = 6;
	pp.positive = "1";
	pp.positive_len = 1;
	p = new_profile(&pp);
	for (i = from; i < to; i++) {
		for (j = 0; j < MCOLS; j++)
			cells[j] = mcells[i][j];
		add_row(p, cells, MCOLS);
	}
	return p;
}

/* a and b list the same values with the same counts. */
static void
assert_same_values(const prep_profile_column *a, const prep_profile_column *b)
{
	prep_freq_item *x = NULL, *y = NULL;
	size_t nx = 0, ny = 0, i;

	cr_assert_eq(a->exact, b->exact, "column %s", a->name);
	cr_assert_eq(prep_profile_values(a, &x, &nx), PREP_OK);
	cr_assert_eq(prep_profile_values(b, &y, &ny), PREP_OK);
	cr_assert_eq(nx, ny, "column %s: %zu values, want %zu", a->name, nx,
		     ny);
	for (i = 0; i < nx; i++) {
		cr_assert_eq(x[i].len, y[i].len);
		cr_assert_eq(memcmp(x[i].data, y[i].data, x[i].len), 0);
		cr_assert_eq(x[i].count, y[i].count);
	}
	free(x);
	free(y);
}

/*
 * m (merged) against w (whole): the counts, types, moments, KLL count,
 * min and max, the distinct estimate; the values when exact (a summary is
 * checked against the truth by the caller); the groups.
 */
static void
assert_merge_equals_whole(const prep_profile *m, const prep_profile *w)
{
	const prep_profile_column *a, *b;
	prep_profile_group_counts ga, gb;
	prep_field key;
	double sa, sb;
	size_t i, id;

	cr_assert_eq(prep_profile_rows(m), prep_profile_rows(w));
	cr_assert_eq(prep_profile_columns(m), prep_profile_columns(w));
	for (i = 0; i < prep_profile_columns(w); i++) {
		a = col(m, i);
		b = col(w, i);
		cr_assert_str_eq(a->name, b->name);
		cr_assert_eq(a->rows, b->rows);
		cr_assert_eq(a->empty, b->empty);
		assert_types(a, b->types[0], b->types[1], b->types[2],
			     b->types[3], b->types[4], b->types[5]);
		cr_assert_eq(a->longs, b->longs);
		cr_assert_eq(a->moments.n, b->moments.n);
		if (b->moments.n) {
			cr_assert_eq(a->moments.min, b->moments.min);
			cr_assert_eq(a->moments.max, b->moments.max);
			assert_rel(a->moments.mean, b->moments.mean, 1e-12,
				   "mean");
			assert_rel(prep_moments_variance(&a->moments),
				   prep_moments_variance(&b->moments), 1e-12,
				   "variance");
			cr_assert_eq(prep_kll_min(a->kll),
				     prep_kll_min(b->kll));
			cr_assert_eq(prep_kll_max(a->kll),
				     prep_kll_max(b->kll));
		}
		cr_assert_eq(kll_count(a), kll_count(b));
		cr_assert_eq(a->exact, b->exact, "column %s", b->name);
		if (b->exact)
			assert_same_values(a, b);
		cr_assert_eq(a->hll == NULL, b->hll == NULL);
		cr_assert_eq(prep_profile_distinct(a, &sa),
			     prep_profile_distinct(b, &sb), "column %s",
			     b->name);
		cr_assert_eq(sa, sb);
		if (b->exact)
			cr_assert_eq(prep_profile_other(a),
				     prep_profile_other(b));
	}
	cr_assert_eq(prep_profile_ngroups(m), prep_profile_ngroups(w));
	for (i = 0; i < prep_profile_ngroups(w); i++) {
		prep_profile_group(w, i, &gb, &key);
		cr_assert_eq(prep_profile_group_find(m, &key, &id), PREP_OK);
		prep_profile_group(m, id, &ga, &key);
		cr_assert_eq(ga.n, gb.n);
		cr_assert_eq(ga.positives, gb.positives);
		cr_assert_eq(ga.predicted, gb.predicted);
		cr_assert_eq(ga.tp, gb.tp);
		cr_assert_eq(ga.fp, gb.fp);
	}
}

static void
merge_ok(prep_profile *into, const prep_profile *from)
{
	const char *why = NULL;
	prep_status st = prep_profile_merge(into, from, &why);

	cr_assert_eq(st, PREP_OK, "merge: %s (%s)", prep_strerror(st),
		     why ? why : "-");
}

Test(profile, merge_of_halves_equals_whole)
{
	struct truth many;
	prep_profile *w, *a, *b, *m;
	size_t i, cut;
	static const size_t cuts[] = {300, 1, 599, 0, 600};

	make_table();
	memset(&many, 0, sizeof many);
	for (i = 0; i < MROWS; i++)
		truth_add(&many, mcells[i][2]);
	cr_assert_gt(many.nv, 20); /* the summary is needed */
	w = table_profile(0, MROWS, 20);
	cr_assert(col(w, 1)->exact);
	cr_assert(!col(w, 2)->exact);
	cr_assert_gt(col(w, 3)->longs, 0);
	cr_assert(col(w, 3)->exact);
	assert_summary(col(w, 2), &many, 20);
	for (i = 0; i < NELEMS(cuts); i++) {
		cut = cuts[i];
		a = table_profile(0, cut, 20);
		b = table_profile(cut, MROWS, 20);
		merge_ok(a, b);
		assert_merge_equals_whole(a, w);
		assert_summary(col(a, 2), &many, 20);
		/* the other order */
		m = table_profile(cut, MROWS, 20);
		prep_profile_free(b);
		b = table_profile(0, cut, 20);
		merge_ok(m, b);
		assert_merge_equals_whole(m, w);
		assert_summary(col(m, 2), &many, 20);
		prep_profile_free(a);
		prep_profile_free(b);
		prep_profile_free(m);
	}
	/* with max_distinct 1000 every column is exact */
	prep_profile_free(w);
	w = table_profile(0, MROWS, 1000);
	a = table_profile(0, 250, 1000);
	b = table_profile(250, MROWS, 1000);
	merge_ok(a, b);
	assert_merge_equals_whole(a, w);
	assert_exact(col(a, 2), &many);
	prep_profile_free(a);
	prep_profile_free(b);
	prep_profile_free(w);
}

/*
 * max_distinct 5. First half a x4, b x3, c x2, d x1 (4 values), second
 * half e x3, f x2, a x1 (2 new): each exact, their union of 6 values is a
 * summary, as the whole's is; both within the bound of the true counts
 * a 5, b 3, c 2, d 1, e 3, f 2. With a second half of a and b only, the
 * union of 4 values stays exact.
 */
Test(profile, merge_of_exact_halves_past_max_distinct)
{
	static const char *const h1[] = {"a", "b", "c", "a", "d",
					 "b", "a", "c", "b", "a"};
	static const char *const h2[] = {"e", "f", "e", "a", "f", "e"};
	static const char *const h3[] = {"b", "a", "a"};
	struct truth t;
	prep_profile_params pp;
	prep_profile *w, *a, *b;
	const char *cell[1];
	size_t i;

	memset(&t, 0, sizeof t);
	params_init(&pp, 1, NULL);
	pp.max_distinct = 5;
	w = new_profile(&pp);
	a = new_profile(&pp);
	b = new_profile(&pp);
	for (i = 0; i < NELEMS(h1); i++) {
		cell[0] = h1[i];
		add_row(w, cell, 1);
		add_row(a, cell, 1);
		truth_add(&t, h1[i]);
	}
	for (i = 0; i < NELEMS(h2); i++) {
		cell[0] = h2[i];
		add_row(w, cell, 1);
		add_row(b, cell, 1);
		truth_add(&t, h2[i]);
	}
	cr_assert(col(a, 0)->exact);
	cr_assert(col(b, 0)->exact);
	merge_ok(a, b);
	assert_merge_equals_whole(a, w);
	assert_summary(col(a, 0), &t, 5);
	assert_summary(col(w, 0), &t, 5);
	prep_profile_free(a);
	prep_profile_free(b);
	prep_profile_free(w);

	memset(&t, 0, sizeof t);
	w = new_profile(&pp);
	a = new_profile(&pp);
	b = new_profile(&pp);
	for (i = 0; i < NELEMS(h1); i++) {
		cell[0] = h1[i];
		add_row(w, cell, 1);
		add_row(a, cell, 1);
		truth_add(&t, h1[i]);
	}
	for (i = 0; i < NELEMS(h3); i++) {
		cell[0] = h3[i];
		add_row(w, cell, 1);
		add_row(b, cell, 1);
		truth_add(&t, h3[i]);
	}
	merge_ok(a, b);
	assert_merge_equals_whole(a, w);
	assert_exact(col(a, 0), &t);
	prep_profile_free(a);
	prep_profile_free(b);
	prep_profile_free(w);
}

/* A profile merged with itself counts everything twice. */
Test(profile, merge_with_itself)
{
	prep_profile *w, *d;
	size_t i;

	make_table();
	w = table_profile(0, MROWS, 1000);
	d = table_profile(0, MROWS, 1000);
	merge_ok(d, d);
	cr_assert_eq(prep_profile_rows(d), 2 * MROWS);
	for (i = 0; i < prep_profile_columns(w); i++) {
		cr_assert_eq(col(d, i)->rows, 2 * col(w, i)->rows);
		cr_assert_eq(col(d, i)->empty, 2 * col(w, i)->empty);
		cr_assert_eq(col(d, i)->longs, 2 * col(w, i)->longs);
		cr_assert_eq(col(d, i)->moments.mean, col(w, i)->moments.mean);
		cr_assert_eq(nlisted(col(d, i)), nlisted(col(w, i)));
	}
	cr_assert_eq(listed(col(d, 1), "a", 1), 2 * listed(col(w, 1), "a", 1));
	prep_profile_free(w);
	prep_profile_free(d);
}

/* Options, columns or groups that differ: PREP_ERR_ARG, why, unchanged. */
static void
refused(prep_profile *into, const prep_profile *from, const char *want)
{
	const char *why = NULL;
	uint64_t rows = prep_profile_rows(into);

	cr_assert_eq(prep_profile_merge(into, from, &why), PREP_ERR_ARG);
	cr_assert_not_null(why);
	cr_assert_str_eq(why, want);
	cr_assert_eq(prep_profile_rows(into), rows);
}

Test(profile, merge_refusals)
{
	static const size_t c01[] = {0, 1}, c10[] = {1, 0}, c0[] = {0};
	static const size_t g0[] = {0}, g1[] = {1};
	static const char *const hdr[] = {"a", "b", "c", "d"};
	static const char *const row[] = {"1", "2", "3", "4"};
	prep_field names[4], other[4];
	prep_profile_params pp, qq;
	prep_profile *p, *q;

	set_fields(names, hdr, 4);
	set_fields(other, hdr, 4);
	other[1].data = "B";
	params_init(&pp, 4, names);
	p = new_profile(&pp);
	add_row(p, row, 4);

	qq = pp;
	qq.max_distinct = 10;
	q = new_profile(&qq);
	refused(p, q, "made with different --max-distinct");
	prep_profile_free(q);
	qq = pp;
	qq.kll_k = 100;
	q = new_profile(&qq);
	refused(p, q, "made with different --kll-k");
	prep_profile_free(q);
	qq = pp;
	qq.hll_p = 10;
	q = new_profile(&qq);
	refused(p, q, "made with different HyperLogLog precisions");
	prep_profile_free(q);
	/* columns: fewer, another order, another name */
	qq = pp;
	qq.cols = c0;
	qq.ncols = 1;
	q = new_profile(&qq);
	refused(p, q, "of different columns");
	prep_profile_free(q);
	prep_profile_free(p);
	pp.cols = c01;
	pp.ncols = 2;
	p = new_profile(&pp);
	qq = pp;
	qq.cols = c10;
	q = new_profile(&qq);
	refused(p, q, "of different columns");
	prep_profile_free(q);
	qq = pp;
	qq.names = other;
	q = new_profile(&qq);
	refused(p, q, "of different columns");
	prep_profile_free(q);
	/* groups: none against some, other columns, label, prediction,
	 * positive value */
	qq = pp;
	qq.groups = g0;
	qq.ngroups = 1;
	qq.label = 2;
	qq.positive = "1";
	qq.positive_len = 1;
	q = new_profile(&qq);
	refused(p, q, "made with different group options");
	refused(q, p, "made with different group options");
	prep_profile_free(p);
	pp = qq;
	p = new_profile(&pp);
	qq.groups = g1;
	prep_profile_free(q);
	q = new_profile(&qq);
	refused(p, q, "made with different group columns");
	prep_profile_free(q);
	qq = pp;
	qq.pred = 3;
	q = new_profile(&qq);
	refused(p, q, "made with different group options");
	prep_profile_free(q);
	qq = pp;
	qq.label = 3;
	q = new_profile(&qq);
	refused(p, q,
		"made with different label, prediction or positive value");
	prep_profile_free(q);
	qq = pp;
	qq.positive = "yes";
	qq.positive_len = 3;
	q = new_profile(&qq);
	refused(p, q,
		"made with different label, prediction or positive value");
	prep_profile_free(q);
	prep_profile_free(p);
	pp.pred = 3;
	p = new_profile(&pp);
	qq = pp;
	qq.pred = 1;
	q = new_profile(&qq);
	refused(p, q,
		"made with different label, prediction or positive value");
	prep_profile_free(q);
	/* negative control: the same options merge, another seed too */
	qq = pp;
	qq.seed = 77;
	q = new_profile(&qq);
	merge_ok(p, q);
	prep_profile_free(q);
	prep_profile_free(p);
}

/* ---- JSON ---- */

/* A profile with groups and a prediction, a number column, a summary, long
 * cells, and names and values that are not text. */
static prep_profile *
json_profile(void)
{
	static const size_t g[] = {3};
	static const char *const hdr[] = {"n", "c", "t\xff", "g", "y", "p"};
	static const char *const rows[][6] = {
	    {"1", "a", "x", "F", "1", "1"},
	    {"2.5", "b", "x", "F", "0", "1"},
	    {"", "c", "hex:1", "M", "1", "0"},
	    {"-3e2", "d", "", "M", "0", "0"},
	    {"x", "e", "x", "M", "1", "1"},
	    {"1", "a", "hex:1", "F", "1", "1"}};
	static char long_cell[PREP_PROFILE_VALUE_MAX + 10];
	prep_field names[6], f[6];
	prep_profile_params pp;
	prep_profile *p;
	size_t i;

	set_fields(names, hdr, 6);
	params_init(&pp, 6, names);
	pp.max_distinct = 4; /* c: 5 values, a summary; t: 3 values, exact */
	pp.groups = g;
	pp.ngroups = 1;
	pp.label = 4;
	pp.pred = 5;
	pp.positive = "1";
	pp.positive_len = 1;
	pp.kll_k = PREP_KLL_MIN_K;
	pp.hll_p = PREP_HLL_MIN_P;
	p = new_profile(&pp);
	for (i = 0; i < NELEMS(rows); i++)
		add_row(p, rows[i], 6);
	/* a value with a NUL, and a long cell */
	set_fields(f, rows[0], 6);
	f[2].data = "n\0l";
	f[2].len = 3;
	cr_assert_eq(prep_profile_add(p, f), PREP_OK);
	memset(long_cell, 'q', sizeof long_cell - 1);
	f[2].data = long_cell;
	f[2].len = sizeof long_cell - 1;
	cr_assert_eq(prep_profile_add(p, f), PREP_OK);
	return p;
}

static prep_status
parse(const char *text, prep_profile **out, prep_profile_error *e)
{
	return prep_profile_parse(text, strlen(text), out, e);
}

Test(profile, json_round_trip)
{
	prep_profile *p = json_profile(), *q = NULL, *r = NULL;
	prep_profile_error e;
	json_t *j1, *j2;
	char *t1, *t2, *t3;
	prep_status st;

	cr_assert(col(p, 0)->exact);
	cr_assert(!col(p, 1)->exact);
	cr_assert(col(p, 2)->exact);
	cr_assert_eq(col(p, 2)->longs, 1);
	t1 = text_of(p);
	st = parse(t1, &q, &e);
	cr_assert_eq(st, PREP_OK, "parse: %s: %s", prep_strerror(st), e.text);
	t2 = text_of(q);
	cr_assert_str_eq(t2, t1);
	j1 = prep_profile_to_json(p);
	j2 = prep_profile_to_json(q);
	cr_assert(json_equal(j1, j2));
	json_decref(j1);
	json_decref(j2);
	/* what it reads is the profile: accessors and a merge */
	cr_assert_eq(prep_profile_rows(q), 8);
	cr_assert_eq(prep_profile_ngroups(q), 2);
	cr_assert_eq(col(q, 2)->name_len, 2);
	cr_assert_eq(listed(col(q, 2), "n\0l", 3), 1);
	cr_assert_eq(listed(col(q, 2), "hex:1", 5), 2);
	merge_ok(q, p);
	cr_assert_eq(prep_profile_rows(q), 16);
	/* and that merge reads back as well */
	t3 = text_of(q);
	cr_assert_eq(parse(t3, &r, &e), PREP_OK, "%s", e.text);
	free(t3);
	prep_profile_free(r);
	free(t1);
	free(t2);
	prep_profile_free(p);
	prep_profile_free(q);
}

/* The default options, the empty profile, no groups: a round trip too. */
Test(profile, json_round_trip_empty)
{
	prep_profile_params pp;
	prep_profile *p, *q = NULL;
	prep_profile_error e;
	char *t1, *t2;

	params_init(&pp, 2, NULL);
	p = new_profile(&pp);
	t1 = text_of(p);
	cr_assert_eq(parse(t1, &q, &e), PREP_OK, "%s", e.text);
	t2 = text_of(q);
	cr_assert_str_eq(t1, t2);
	free(t1);
	free(t2);
	prep_profile_free(p);
	prep_profile_free(q);
}

/* ---- JSON refused ---- */

static json_t *
doc_of(const prep_profile *p)
{
	json_t *j = prep_profile_to_json(p);

	cr_assert_not_null(j);
	return j;
}

static json_t *
column_of(json_t *doc, size_t i)
{
	json_t *c = json_array_get(json_object_get(doc, "columns"), i);

	cr_assert_not_null(c);
	return c;
}

static json_t *
group_at(json_t *doc, size_t i)
{
	json_t *g = json_array_get(json_object_get(doc, "groups"), i);

	cr_assert_not_null(g);
	return g;
}

static void
set_int(json_t *o, const char *key, json_int_t v)
{
	cr_assert_eq(json_object_set_new(o, key, json_integer(v)), 0);
}

static json_int_t
get_int(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	cr_assert(json_is_integer(v), "no integer %s", key);
	return json_integer_value(v);
}

/* doc (taken) is refused with PREP_ERR_VALUE, reason want, version. */
static void
refuses(json_t *doc, const char *want, long long version)
{
	prep_profile *p = (prep_profile *)1;
	long long v = 99;
	const char *why = NULL;
	prep_status st = prep_profile_from_json(doc, &p, &v, &why);

	cr_assert_eq(st, PREP_ERR_VALUE, "accepted (want '%s')", want);
	cr_assert_null(p);
	cr_assert_not_null(why, "no reason (want '%s')", want);
	cr_assert_str_eq(why, want);
	cr_assert_eq(v, version);
	json_decref(doc);
}

Test(profile, from_json_refuses)
{
	prep_profile *p = json_profile(), *q = NULL;
	json_t *base = doc_of(p), *d, *c, *a;
	const char *why = NULL;
	long long v = 0;

	/* negative control: the document as written */
	cr_assert_eq(prep_profile_from_json(base, &q, &v, &why), PREP_OK, "%s",
		     why ? why : "-");
	cr_assert_eq(v, 1);
	prep_profile_free(q);

	/* not a profile, another version */
	d = json_deep_copy(base);
	json_object_set_new(d, "format", json_string("prep-partial"));
	refuses(d, "not a prep profile", -1);
	d = json_deep_copy(base);
	json_object_del(d, "format");
	refuses(d, "not a prep profile", -1);
	refuses(json_array(), "not a prep profile", -1);
	d = json_deep_copy(base);
	set_int(d, "version", 2);
	refuses(d, "unsupported profile version", 2);
	d = json_deep_copy(base);
	json_object_set_new(d, "version", json_string("1"));
	refuses(d, "profile without a version", -1);

	/* a key missing, a key too many */
	d = json_deep_copy(base);
	json_object_del(d, "rows");
	refuses(d, "unknown or missing keys", 1);
	d = json_deep_copy(base);
	set_int(d, "extra", 0);
	refuses(d, "unknown or missing keys", 1);
	d = json_deep_copy(base);
	json_object_del(d, "groups");
	refuses(d, "unknown or missing keys", 1);
	d = json_deep_copy(base);
	json_object_del(json_object_get(d, "options"), "seed");
	refuses(d, "bad options", 1);
	d = json_deep_copy(base);
	set_int(json_object_get(d, "options"), "extra", 0);
	refuses(d, "bad options", 1);
	d = json_deep_copy(base);
	json_object_del(column_of(d, 0), "empty");
	refuses(d, "bad empty", 1);
	d = json_deep_copy(base);
	set_int(column_of(d, 0), "extra", 0);
	refuses(d, "bad column", 1);
	d = json_deep_copy(base);
	json_object_del(column_of(d, 0), "variance");
	refuses(d, "bad variance", 1);
	d = json_deep_copy(base);
	set_int(column_of(d, 2), "mean", 0); /* a text column */
	refuses(d, "bad column", 1);
	d = json_deep_copy(base);
	json_object_del(json_object_get(column_of(d, 0), "types"), "text");
	refuses(d, "bad types", 1);
	d = json_deep_copy(base);
	set_int(json_object_get(column_of(d, 0), "values"), "extra", 0);
	refuses(d, "bad values", 1);
	d = json_deep_copy(base);
	set_int(group_at(d, 0), "extra", 0);
	refuses(d, "bad group", 1);
	d = json_deep_copy(base);
	json_object_del(group_at(d, 0), "tn");
	refuses(d, "bad group", 1);

	/* rows against empty and the types */
	d = json_deep_copy(base);
	c = column_of(d, 0);
	set_int(c, "empty", get_int(c, "empty") + 1);
	refuses(d, "column counts do not add up", 1);
	d = json_deep_copy(base);
	c = json_object_get(column_of(d, 2), "types");
	set_int(c, "text", get_int(c, "text") + 1);
	refuses(d, "column counts do not add up", 1);
	d = json_deep_copy(base);
	set_int(column_of(d, 1), "rows", get_int(d, "rows") - 1);
	refuses(d, "column counts do not add up", 1);

	/* values: the counts against the cells, a value twice */
	d = json_deep_copy(base);
	a = json_array_get(
	    json_object_get(json_object_get(column_of(d, 2), "values"),
			    "items"),
	    0);
	json_array_set_new(
	    a, 1, json_integer(json_integer_value(json_array_get(a, 1)) + 1));
	refuses(d, "values do not add up to the cells", 1);
	d = json_deep_copy(base);
	c = json_object_get(column_of(d, 2), "values");
	set_int(c, "other", get_int(c, "other") + 1);
	refuses(d, "values do not add up to the cells", 1);
	d = json_deep_copy(base);
	c = json_object_get(column_of(d, 2), "values");
	a = json_object_get(c, "items");
	json_array_insert(a, 1, json_array_get(a, 0)); /* in order, twice */
	refuses(d, "value listed twice", 1);
	d = json_deep_copy(base);
	c = json_object_get(column_of(d, 2), "values");
	a = json_object_get(c, "items");
	json_array_append(a, json_array_get(a, 0)); /* most frequent last */
	refuses(d,
		"values not in order (count descending, then bytes "
		"ascending)",
		1);
	d = json_deep_copy(base);
	c = json_object_get(json_object_get(column_of(d, 1), "values"),
			    "summary");
	set_int(c, "total", get_int(c, "total") + 1);
	refuses(d, "values do not add up to the cells", 1);

	/* groups: one twice, counts that do not add up */
	d = json_deep_copy(base);
	a = json_object_get(d, "groups");
	json_array_append(a, json_array_get(a, 0));
	refuses(d, "group listed twice", 1);
	d = json_deep_copy(base);
	c = group_at(d, 0);
	set_int(c, "n", get_int(c, "n") + 1);
	set_int(c, "tn", get_int(c, "tn") + 1);
	refuses(d, "groups do not add up to the rows", 1);
	d = json_deep_copy(base);
	c = group_at(d, 0);
	set_int(c, "tp", get_int(c, "tp") - 1);
	refuses(d, "group counts do not add up", 1);

	/* the numbers: the KLL sketch against the column's count */
	d = json_deep_copy(base);
	c = json_object_get(column_of(d, 0), "types");
	set_int(c, "integer", get_int(c, "integer") - 1);
	set_int(c, "text", get_int(c, "text") + 1);
	refuses(d, "kll does not match the column's numbers", 1);
	d = json_deep_copy(base);
	c = column_of(d, 0);
	json_object_set_new(c, "max", json_real(1e6));
	refuses(d, "kll does not match the column's numbers", 1);
	d = json_deep_copy(base);
	c = column_of(d, 0);
	json_object_set_new(c, "mean", json_real(-1e6));
	refuses(d, "bad mean or variance", 1);
	d = json_deep_copy(base);
	c = column_of(d, 0);
	json_object_set_new(c, "variance", json_real(-1));
	refuses(d, "bad mean or variance", 1);
	/* a variance whose sum of squares (variance * n) is past a double */
	d = json_deep_copy(base);
	c = column_of(d, 0);
	json_object_set_new(c, "variance", json_real(DBL_MAX));
	refuses(d, "bad mean or variance", 1);
	d = json_deep_copy(base);
	c = column_of(d, 0);
	json_object_set_new(c, "rank_error", json_real(0.5));
	refuses(d, "bad rank_error", 1);
	/* the sketches against the options */
	d = json_deep_copy(base);
	set_int(json_object_get(d, "options"), "kll_k", PREP_KLL_MIN_K + 1);
	refuses(d, "kll does not match the column's numbers", 1);
	d = json_deep_copy(base);
	set_int(json_object_get(d, "options"), "max_distinct", 5);
	refuses(d, "values do not add up to the cells", 1);
	d = json_deep_copy(base);
	set_int(json_object_get(d, "options"), "hll_p", PREP_HLL_MIN_P + 1);
	refuses(d, "hll does not match hll_p", 1);

	/* distinct against its sketch */
	d = json_deep_copy(base);
	c = json_object_get(column_of(d, 0), "distinct");
	json_object_set_new(c, "estimate", json_real(99));
	refuses(d, "distinct does not match its sketch", 1);
	d = json_deep_copy(base);
	json_object_del(json_object_get(column_of(d, 1), "distinct"), "hll");
	refuses(d, "distinct sketch present when it should not be, or missing",
		1);
	d = json_deep_copy(base);
	json_object_set(
	    json_object_get(column_of(d, 0), "distinct"), "hll",
	    json_object_get(json_object_get(column_of(base, 1), "distinct"),
			    "hll"));
	refuses(d, "distinct sketch present when it should not be, or missing",
		1);

	json_decref(base);
	prep_profile_free(p);
}

/* Text that is not JSON: where, in words that quote nothing. */
Test(profile, parse_errors)
{
	prep_profile *p = (prep_profile *)1;
	prep_profile_error e;
	prep_status st;

	st = parse("{\"format\": \"prep-profile\",\n \"version\": 1, secret}",
		   &p, &e);
	cr_assert_eq(st, PREP_ERR_VALUE);
	cr_assert_null(p);
	cr_assert_eq(e.line, 2);
	cr_assert_gt(e.column, 0);
	cr_assert_eq(strncmp(e.text, "not valid JSON: ", 16), 0, "%s", e.text);
	cr_assert_null(strstr(e.text, "secret"));
	st = parse("", &p, &e);
	cr_assert_eq(st, PREP_ERR_VALUE);
	cr_assert_eq(e.line, 1);
	st = parse("[1]", &p, &e);
	cr_assert_eq(st, PREP_ERR_VALUE);
	cr_assert_eq(e.line, 0);
	cr_assert_eq(e.version, -1);
	cr_assert_str_eq(e.text, "not a prep profile");
	st = parse("{\"format\":\"prep-profile\",\"version\":7}", &p, &e);
	cr_assert_eq(st, PREP_ERR_VALUE);
	cr_assert_eq(e.version, 7);
	cr_assert_str_eq(e.text, "unsupported profile version");
	/* a key twice is not JSON a profile reader takes */
	st = parse("{\"format\":\"prep-profile\",\"format\":\"prep-profile\"}",
		   &p, &e);
	cr_assert_eq(st, PREP_ERR_VALUE);
	cr_assert_gt(e.line, 0);
}

/* ---- partials (profile_partial.c) ---- */

/* p's partial, read back; *o and *s are its options and state. */
static prep_profile *
through_partial(const prep_profile *p, const prep_missing *m, json_t **o,
		json_t **s)
{
	prep_profile *q = NULL;
	const char *why = NULL;
	prep_status st;

	cr_assert_eq(prep_profile_partial(p, m, o, s), PREP_OK);
	st = prep_profile_from_partial(*o, *s, &q, &why);
	cr_assert_eq(st, PREP_OK, "%s", why ? why : prep_strerror(st));
	return q;
}

/*
 * The state is the profile's document; the options, the document's with
 * max_groups and the missing values sorted, each once. Read back, the
 * profile writes the same document.
 */
Test(profile, partial_round_trip)
{
	prep_missing *m = NULL;
	prep_profile *p, *q;
	json_t *o, *s, *doc, *want;
	char *t1, *t2;

	make_table();
	p = table_profile(0, MROWS, 20);
	cr_assert_eq(prep_missing_new("n/a,,n/a", &m), PREP_OK);
	q = through_partial(p, m, &o, &s);
	doc = prep_profile_to_json(p);
	cr_assert(json_equal(s, doc));
	want = json_deep_copy(json_object_get(doc, "options"));
	json_object_set_new(want, "max_groups",
			    json_integer(PREP_PROFILE_DEFAULT_MAX_GROUPS));
	json_object_set_new(want, "missing", json_pack("[ss]", "", "n/a"));
	cr_assert(json_equal(o, want));
	cr_assert_eq(prep_profile_max_groups(q),
		     PREP_PROFILE_DEFAULT_MAX_GROUPS);
	t1 = text_of(p);
	t2 = text_of(q);
	cr_assert_str_eq(t1, t2);
	free(t1);
	free(t2);
	json_decref(want);
	json_decref(doc);
	json_decref(o);
	json_decref(s);
	prep_profile_free(q);
	prep_profile_free(p);
	prep_missing_free(m);
}

/* Two halves through their partials merge as the profiles do. */
Test(profile, partial_halves_merge_to_whole)
{
	prep_profile *w, *a, *b, *pa, *pb;
	json_t *o, *s, *s2;

	make_table();
	w = table_profile(0, MROWS, 20);
	a = table_profile(0, 250, 20);
	b = table_profile(250, MROWS, 20);
	pa = through_partial(a, NULL, &o, &s);
	json_decref(o);
	json_decref(s);
	pb = through_partial(b, NULL, &o, &s);
	s2 = json_pack("[s]", "");
	cr_assert(json_equal(json_object_get(o, "missing"), s2));
	json_decref(s2);
	json_decref(o);
	json_decref(s);
	merge_ok(pa, pb);
	assert_merge_equals_whole(pa, w);
	prep_profile_free(w);
	prep_profile_free(a);
	prep_profile_free(b);
	prep_profile_free(pa);
	prep_profile_free(pb);
}

static void
partial_refuses(json_t *o, json_t *s, const char *why_want)
{
	prep_profile *q = (prep_profile *)1;
	const char *why = NULL;

	cr_assert_eq(prep_profile_from_partial(o, s, &q, &why), PREP_ERR_VALUE);
	cr_assert_null(q);
	cr_assert_str_eq(why, why_want);
	json_decref(o);
	json_decref(s);
}

/*
 * Options and states broken one way at a time, each refused with its
 * reason; the max_groups of the options holds for a merge into the
 * profile read.
 */
Test(profile, partial_refusals)
{
	static const char *const rows[][4] = {
	    {"F", "A", "1", "1"}, {"M", "A", "0", "1"}, {"F", "B", "1", "0"}};
	static const char *const more[][4] = {{"X", "A", "1", "1"},
					      {"Y", "B", "1", "1"}};
	prep_field names[4];
	prep_profile_params pp;
	prep_profile *p, *q, *r;
	json_t *o, *s;
	const char *why = NULL;
	size_t i;

	group_params(&pp, names, 0);
	pp.max_groups = 4;
	p = new_profile(&pp);
	for (i = 0; i < NELEMS(rows); i++)
		add_row(p, rows[i], 4);
	cr_assert_eq(prep_profile_partial(p, NULL, &o, &s), PREP_OK);
	cr_assert_eq(json_integer_value(json_object_get(o, "max_groups")), 4);

#define BROKEN(edit, why_want)                                                 \
	do {                                                                   \
		json_t *bo = json_deep_copy(o), *bs = json_deep_copy(s);       \
		edit;                                                          \
		partial_refuses(bo, bs, why_want);                             \
	} while (0)
	BROKEN(json_object_del(bo, "max_groups"),
	       "bad max_groups or missing option");
	BROKEN(json_object_set_new(bo, "max_groups", json_integer(0)),
	       "bad max_groups or missing option");
	BROKEN(json_object_del(bo, "missing"),
	       "bad max_groups or missing option");
	BROKEN(json_object_set_new(bo, "missing", json_pack("[ss]", "b", "a")),
	       "bad max_groups or missing option");
	BROKEN(json_object_set_new(bo, "missing", json_pack("[ss]", "a", "a")),
	       "bad max_groups or missing option");
	BROKEN(json_object_set_new(bo, "missing", json_pack("[]")),
	       "bad max_groups or missing option");
	BROKEN(json_object_set_new(bo, "missing", json_pack("[s]", "hex:61")),
	       "bad max_groups or missing option");
	BROKEN(json_object_set_new(bo, "max_distinct", json_integer(7)),
	       "options are not the profile's");
	BROKEN(json_object_set_new(bo, "extra", json_true()),
	       "options are not the profile's");
	BROKEN(json_object_set_new(bo, "max_groups", json_integer(2)),
	       "more groups than its max_groups");
	BROKEN(json_object_set_new(bs, "rows", json_integer(4)),
	       "column counts do not add up");
	BROKEN(json_object_set_new(bs, "format", json_string("prep-partial")),
	       "not a prep profile");
#undef BROKEN

	/* unbroken: read; its max_groups (4) bounds a merge */
	cr_assert_eq(prep_profile_from_partial(o, s, &q, &why), PREP_OK);
	cr_assert_eq(prep_profile_max_groups(q), 4);
	pp.max_groups = 0;
	r = new_profile(&pp);
	add_row(r, more[0], 4);
	merge_ok(q, r);
	cr_assert_eq(prep_profile_ngroups(q), 4);
	add_row(r, more[1], 4);
	cr_assert_eq(prep_profile_merge(q, r, &why), PREP_ERR_LIMIT);
	prep_profile_free(q);
	prep_profile_free(r);
	json_decref(o);
	json_decref(s);
	prep_profile_free(p);
}

/*
 * prep_profile_new_like: an empty profile made as another was (its
 * options, columns in their input places, groups), so that the same
 * rows give the same document; with another stream, the same counts
 * and other coins.
 */
Test(profile, new_like_is_made_alike)
{
	static const prep_field names[4] = {
	    {"g", 1}, {"x", 1}, {"y", 1}, {"p", 1}};
	static const size_t cols[2] = {1, 3}, groups[1] = {0};
	prep_profile_params pp;
	prep_profile *a, *b, *c;
	char *ta, *tb, *tc, cell[4][32];
	const char *row[4];
	int i;

	params_init(&pp, 4, names);
	pp.cols = cols;
	pp.ncols = 2;
	pp.groups = groups;
	pp.ngroups = 1;
	pp.label = 2;
	pp.pred = 3;
	pp.positive = "1";
	pp.positive_len = 1;
	pp.max_distinct = 5;
	pp.kll_k = 8;
	pp.seed = 9;
	a = new_profile(&pp);
	cr_assert_eq(prep_profile_new_like(a, 0, &b), PREP_OK);
	cr_assert_eq(prep_profile_new_like(a, 3, &c), PREP_OK);
	for (i = 0; i < 5000; i++) {
		snprintf(cell[0], 32, "g%d", i % 7);
		snprintf(cell[1], 32, "%d", (i * 7919) % 1000);
		snprintf(cell[2], 32, "%d", i % 2);
		snprintf(cell[3], 32, "%d", i % 3 == 0);
		row[0] = cell[0];
		row[1] = cell[1];
		row[2] = cell[2];
		row[3] = cell[3];
		add_row(a, row, 4);
		add_row(b, row, 4);
		add_row(c, row, 4);
	}
	ta = text_of(a);
	tb = text_of(b);
	tc = text_of(c);
	cr_assert_str_eq(ta, tb);
	/* negative control: stream 3's coins make another sketch */
	cr_assert_str_neq(ta, tc);
	cr_assert_eq(prep_profile_rows(c), 5000);
	cr_assert_eq(prep_profile_ngroups(c), 7);
	cr_assert_eq(col(c, 0)->moments.n, col(a, 0)->moments.n);
	cr_assert_eq(col(c, 0)->moments.mean, col(a, 0)->moments.mean);
	free(ta);
	free(tb);
	free(tc);
	prep_profile_free(a);
	prep_profile_free(b);
	prep_profile_free(c);
}
