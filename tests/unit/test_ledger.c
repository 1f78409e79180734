/*
 * test_ledger.c: unit tests of libprep/ledger.c.
 *
 * Every test works in a fresh mkdtemp directory. Expected totals are sums
 * of the charged doubles in file order, and expected file contents are
 * written out by hand; the concurrency and SIGKILL tests fork children
 * that charge the same ledger and check that together they never
 * overspend, and that a killed run never leaves a ledger that under-counts
 * or does not parse.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ledger.h"

#define HEADER "# prep ledger v1\n"
#define TOOL "dpnoise"
/* A well-formed entry, as a human or an older run wrote it. */
#define ENTRY(ds, b, e)                                                        \
	"2026-11-24T03:10:00Z dataset=" ds " budget=" b " epsilon=" e          \
	" delta=0 tool=dpnoise args=\"x\"\n"

static char dir[256];

static void
setup(void)
{
	const char *tmp = getenv("TMPDIR");

	if (tmp == NULL || *tmp == '\0' || strlen(tmp) > 200)
		tmp = "/tmp";
	snprintf(dir, sizeof(dir), "%s/test_ledger.XXXXXX", tmp);
	cr_assert_not_null(mkdtemp(dir));
}

static void
teardown(void)
{
	char p[512];
	struct dirent *d;
	DIR *dp = opendir(dir);

	if (dp == NULL)
		return;
	while ((d = readdir(dp)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, d->d_name);
		if (unlink(p) != 0)
			rmdir(p);
	}
	closedir(dp);
	rmdir(dir);
}

TestSuite(ledger, .init = setup, .fini = teardown);

/* dir/name, in one of a few rotating static buffers. */
static const char *
path_of(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static void
write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, data, len), (ssize_t)len);
	cr_assert_eq(close(fd), 0);
}

#define WRITE(path, lit) write_file((path), (lit), sizeof(lit) - 1)

/* The whole file, NUL-terminated; *len its length. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	cr_assert_not_null(f, "open %s: %s", path, strerror(errno));
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	cr_assert_geq(n, 0);
	rewind(f);
	s = malloc((size_t)n + 1);
	cr_assert_not_null(s);
	cr_assert_eq(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return s;
}

static prep_status
charge(const char *path, const char *dataset, double budget, double eps,
       double delta, const char *args, prep_ledger_state *st)
{
	prep_ledger_charge c = {dataset, budget, eps, delta, TOOL, args, 0};
	prep_where w;

	return prep_ledger_charge_run(path, &c, st, &w);
}

#define CHARGE_OK(path, ds, b, e)                                              \
	do {                                                                   \
		prep_status s_ = charge((path), (ds), (b), (e), 0, "x", NULL); \
		cr_assert_eq(s_, PREP_OK, "charge: %s", prep_strerror(s_));    \
	} while (0)

static prep_ledger_state
query(const char *path, const char *dataset)
{
	prep_ledger_state st;
	prep_where w;
	prep_status s = prep_ledger_query(path, dataset, &st, &w);

	cr_assert_eq(s, PREP_OK, "query: %s (line %lu)", prep_strerror(s),
		     w.line);
	return st;
}

/* Line n (1-based) of s, without its '\n', in a static buffer. */
static const char *
line_of(const char *s, int n)
{
	static char buf[4096];
	const char *e;

	while (--n > 0) {
		s = strchr(s, '\n');
		cr_assert_not_null(s);
		s++;
	}
	e = strchr(s, '\n');
	if (e == NULL)
		e = s + strlen(s);
	cr_assert_lt((size_t)(e - s), sizeof(buf));
	memcpy(buf, s, (size_t)(e - s));
	buf[e - s] = '\0';
	return buf;
}

static int
count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* The line without its timestamp, which must have the right shape. */
static const char *
unstamped(const char *line)
{
	int i;

	cr_assert_geq(strlen(line), 21);
	for (i = 0; i < 20; i++)
		cr_assert(i == 4 || i == 7 || i == 10 || i == 13 || i == 16 ||
				  i == 19
			      ? line[i] == "dddd-dd-ddTdd:dd:ddZ"[i]
			      : line[i] >= '0' && line[i] <= '9',
			  "bad time stamp in %s", line);
	return line + 20;
}

Test(ledger, create_writes_header_and_line)
{
	const char *p = path_of("ledger");
	char before[32], after[32], *s;
	prep_ledger_state st = {9, 9, 9, 9, 9};
	time_t t;
	struct tm tm;

	t = time(NULL);
	strftime(before, sizeof(before), "%Y-%m-%dT%H:%M:%SZ",
		 gmtime_r(&t, &tm));
	cr_assert_eq(charge(p, "people", 3, 1, 0,
			    "-c income --bounds 0:250000 --epsilon 1", &st),
		     PREP_OK);
	t = time(NULL);
	strftime(after, sizeof(after), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	/* The state before the charge: nothing known. */
	cr_assert_eq(st.budget, 0);
	cr_assert_eq(st.spent, 0);
	cr_assert_eq(st.delta_spent, 0);
	cr_assert_eq(st.entries, 0);
	cr_assert_eq(st.seeded, 0);
	s = slurp(p, NULL);
	cr_assert_eq(count_lines(s), 2);
	cr_assert_str_eq(line_of(s, 1), "# prep ledger v1");
	cr_assert_str_eq(unstamped(line_of(s, 2)),
			 " dataset=people budget=3 epsilon=1 delta=0 "
			 "tool=dpnoise args=\"-c income --bounds 0:250000 "
			 "--epsilon 1\"");
	cr_assert(strncmp(line_of(s, 2), before, 20) >= 0);
	cr_assert(strncmp(line_of(s, 2), after, 20) <= 0);
	free(s);
}

Test(ledger, first_charge_records_budget)
{
	const char *p = path_of("ledger");
	prep_ledger_state st;

	CHARGE_OK(p, "people", 2.5, 0.5);
	st = query(p, "people");
	cr_assert_eq(st.budget, 2.5);
	cr_assert_eq(st.spent, 0.5);
	cr_assert_eq(st.entries, 1);
	st = query(p, "other");
	cr_assert_eq(st.budget, 0);
	cr_assert_eq(st.spent, 0);
	cr_assert_eq(st.entries, 0);
}

Test(ledger, successive_charges_sum_exactly)
{
	const char *p = path_of("ledger");
	prep_ledger_state st;
	char *s;

	cr_assert_eq(charge(p, "d", 1, 0.5, 1e-6, "a", &st), PREP_OK);
	cr_assert_eq(st.spent, 0);
	cr_assert_eq(charge(p, "d", 1, 0.25, 2e-6, "b", &st), PREP_OK);
	cr_assert_eq(st.spent, 0.5);
	cr_assert_eq(st.delta_spent, 1e-6);
	cr_assert_eq(st.entries, 1);
	cr_assert_eq(charge(p, "d", 1, 0.125, 0, "c", &st), PREP_OK);
	cr_assert_eq(st.spent, 0.75);
	cr_assert_eq(st.entries, 2);
	st = query(p, "d");
	cr_assert_eq(st.spent, 0.875);
	cr_assert_eq(st.delta_spent, 1e-6 + 2e-6);
	cr_assert_eq(st.entries, 3);
	/* Shortest text that reads back as the same double. */
	s = slurp(p, NULL);
	cr_assert_not_null(strstr(s, " budget=1 epsilon=0.125 delta=0 "));
	cr_assert_not_null(strstr(s, " epsilon=0.5 delta=1e-06 "));
	free(s);
}

Test(ledger, numbers_round_trip_exactly)
{
	const char *p = path_of("ledger");
	double third = 1.0 / 3, b = 10.0 / 7;
	prep_ledger_state st;
	char *s;

	CHARGE_OK(p, "d", b, third);
	CHARGE_OK(p, "d", b, 0.1);
	CHARGE_OK(p, "d", b, third);
	st = query(p, "d");
	cr_assert_eq(st.budget, b);
	cr_assert_eq(st.spent, (third + 0.1) + third);
	s = slurp(p, NULL);
	cr_assert_not_null(strstr(s, " epsilon=0.3333333333333333 "));
	cr_assert_not_null(strstr(s, " epsilon=0.1 "));
	cr_assert_not_null(strstr(s, " budget=1.4285714285714286 "));
	free(s);
}

Test(ledger, exact_boundary_and_unchanged_on_refusal)
{
	const char *p = path_of("ledger");
	prep_ledger_state st;
	size_t n1, n2;
	char *a, *b;

	CHARGE_OK(p, "people", 3, 1);
	CHARGE_OK(p, "people", 3, 1);
	CHARGE_OK(p, "people", 3, 1);
	a = slurp(p, &n1);
	cr_assert_eq(charge(p, "people", 3, 1e-6, 0, "x", &st),
		     PREP_ERR_BUDGET);
	cr_assert_eq(st.budget, 3);
	cr_assert_eq(st.spent, 3);
	cr_assert_eq(st.entries, 3);
	b = slurp(p, &n2);
	cr_assert_eq(n1, n2);
	cr_assert_eq(memcmp(a, b, n1), 0);
	free(a);
	free(b);
}

/* 30 x 0.1 adds up to a hair over 3 in doubles: the slack lets it pass. */
Test(ledger, rounding_slack)
{
	const char *p = path_of("ledger");
	double sum = 0;
	int i;

	for (i = 0; i < 30; i++) {
		CHARGE_OK(p, "d", 3, 0.1);
		sum += 0.1;
	}
	cr_assert_gt(sum, 3.0); /* the reason for the slack */
	cr_assert_eq(query(p, "d").spent, sum);
	cr_assert_eq(charge(p, "d", 3, 0.1, 0, "x", NULL), PREP_ERR_BUDGET);
	cr_assert_eq(charge(p, "d", 3, 1e-6, 0, "x", NULL), PREP_ERR_BUDGET);
	cr_assert_eq(query(p, "d").entries, 30);
}

Test(ledger, single_charge_over_budget)
{
	const char *p = path_of("ledger");
	prep_ledger_state st;

	cr_assert_eq(charge(p, "d", 1, 2, 0, "x", &st), PREP_ERR_BUDGET);
	cr_assert_eq(st.entries, 0);
	/* Nothing was written: the file the charge created is gone. */
	cr_assert_eq(access(p, F_OK), -1);
	WRITE(p, "");
	cr_assert_eq(charge(p, "d", 1, 2, 0, "x", &st), PREP_ERR_BUDGET);
	cr_assert_eq(access(p, F_OK), 0); /* but not one it found */
	cr_assert_eq(query(p, "d").entries, 0);
	CHARGE_OK(p, "d", 1, 1);
}

Test(ledger, budget_changed_refused)
{
	const char *p = path_of("ledger");
	prep_ledger_state st;
	size_t n1, n2;
	char *a, *b;

	CHARGE_OK(p, "people", 3, 1);
	a = slurp(p, &n1);
	cr_assert_eq(charge(p, "people", 4, 1, 0, "x", &st),
		     PREP_ERR_BUDGET_CHANGED);
	cr_assert_eq(st.budget, 3);
	cr_assert_eq(st.spent, 1);
	cr_assert_eq(charge(p, "people", nextafter(3, 4), 1, 0, "x", &st),
		     PREP_ERR_BUDGET_CHANGED);
	/* Also when the charge would exceed either budget. */
	cr_assert_eq(charge(p, "people", 1, 5, 0, "x", &st),
		     PREP_ERR_BUDGET_CHANGED);
	b = slurp(p, &n2);
	cr_assert_eq(n1, n2);
	cr_assert_eq(memcmp(a, b, n1), 0);
	free(a);
	free(b);
	CHARGE_OK(p, "people", 3.0, 1);
}

Test(ledger, datasets_are_independent)
{
	const char *p = path_of("ledger");
	prep_ledger_state st;

	CHARGE_OK(p, "a", 1, 1);
	CHARGE_OK(p, "b", 2, 2);
	CHARGE_OK(p, "a.b/c:d@e+f-g_h", 5, 1);
	cr_assert_eq(charge(p, "a", 1, 0.5, 0, "x", NULL), PREP_ERR_BUDGET);
	cr_assert_eq(charge(p, "b", 2, 0.5, 0, "x", NULL), PREP_ERR_BUDGET);
	/* A prefix or extension of a name is another dataset. */
	CHARGE_OK(p, "ab", 1, 1);
	CHARGE_OK(p, "A", 1, 1);
	st = query(p, "a");
	cr_assert_eq(st.spent, 1);
	cr_assert_eq(st.entries, 1);
	st = query(p, "b");
	cr_assert_eq(st.budget, 2);
	cr_assert_eq(st.spent, 2);
	st = query(p, "a.b/c:d@e+f-g_h");
	cr_assert_eq(st.budget, 5);
	cr_assert_eq(st.entries, 1);
}

/* Each malformed line, as line 3 of a ledger, and the field it names. */
#define T "2026-11-24T03:10:00Z "
#define DS "dataset=d "
#define B1 "budget=1 "
#define E1 "epsilon=1 "
#define D0 "delta=0 "
#define TT "tool=t "
static const struct {
	const char *line;
	size_t field;
} bad_lines[] = {
    {"2026-11-24 03:10:00Z " DS B1 E1 D0 TT "args=\"\"", 1},
    {"2026-11-24T03:10:00 " DS B1 E1 D0 TT "args=\"\"", 1},
    {"2026-1a-24T03:10:00Z " DS B1 E1 D0 TT "args=\"\"", 1},
    {"people", 1},
    {T B1 E1 D0 TT "args=\"\"", 2},
    {T "dataset= " B1 E1 D0 TT "args=\"\"", 2},
    {T "dataset=a,b " B1 E1 D0 TT "args=\"\"", 2},
    {T DS "budget=0 " E1 D0 TT "args=\"\"", 3},
    {T DS "budget=1,5 " E1 D0 TT "args=\"\"", 3},
    {T DS B1 "epsilon=-1 " D0 TT "args=\"\"", 4},
    {T DS B1 "epsilon=inf " D0 TT "args=\"\"", 4},
    {T DS B1 "epsilon=1e999 " D0 TT "args=\"\"", 4},
    {T DS B1 "epsilon=0x1p1 " D0 TT "args=\"\"", 4},
    {T DS B1 E1 "delta=-0.5 " TT "args=\"\"", 5},
    {T DS B1 E1 "delta=nan " TT "args=\"\"", 5},
    {T DS B1 D0 E1 TT "args=\"\"", 4},
    {T DS B1 E1 D0 "tool= args=\"\"", 6},
    {T DS B1 E1 D0 "tool=t", 7},
    {T DS B1 E1 D0 TT "args=x", 7},
    {T DS B1 E1 D0 TT "args=\"abc", 7},
    {T DS B1 E1 D0 TT "args=\"a\\qb\"", 7},
    {T DS B1 E1 D0 TT "args=\"a\\x4\"", 7},
    {T DS B1 E1 D0 TT "args=\"a\tb\"", 7},
    {T DS B1 E1 D0 TT "args=\"a\" more", 7},
    {T DS B1 E1 D0 TT "args=\"a\"b\"", 7},
    {T DS B1 E1 D0 TT "args=\"a\\\"", 7},
    {T DS B1 E1 D0 TT "seeded=2 args=\"\"", 8},
    {T DS B1 E1 D0 TT "seeded= args=\"\"", 8},
    {T DS B1 E1 D0 TT "seeded=yes args=\"\"", 8},
    {T DS B1 E1 D0 TT "seeded=01 args=\"\"", 8},
    {T DS B1 E1 D0 TT "seeded=1 seeded=1 args=\"\"", 7},
    {T DS B1 E1 D0 TT "args=\"\" seeded=1", 7},
    {T DS B1 E1 D0 "seeded=1 " TT "args=\"\"", 6},
};

Test(ledger, malformed_line_names_line_and_field)
{
	const char *p = path_of("ledger");
	char text[1024];
	size_t i, n1, n2;
	prep_ledger_state st;
	prep_where w;
	char *a, *b;

	for (i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); i++) {
		snprintf(text, sizeof(text), "%s%s%s\n%s", HEADER,
			 ENTRY("d", "1", "0.5"), bad_lines[i].line,
			 ENTRY("d", "1", "0.25"));
		write_file(p, text, strlen(text));
		memset(&w, 0, sizeof(w));
		st.entries = 99;
		cr_assert_eq(prep_ledger_query(p, "d", &st, &w), PREP_ERR_VALUE,
			     "line: %s", bad_lines[i].line);
		cr_assert_eq(st.entries, 0);
		cr_assert_str_eq(w.file, p);
		cr_assert_eq(w.line, 3, "line: %s", bad_lines[i].line);
		cr_assert_eq(w.field, bad_lines[i].field, "line %s: field %zu",
			     bad_lines[i].line, w.field);
		a = slurp(p, &n1);
		memset(&w, 0, sizeof(w));
		cr_assert_eq(charge(p, "d", 1, 0.1, 0, "x", NULL),
			     PREP_ERR_VALUE);
		cr_assert_eq(
		    prep_ledger_charge_run(
			p, &(prep_ledger_charge){"d", 1, 0.1, 0, "t", "x", 0},
			NULL, &w),
		    PREP_ERR_VALUE);
		cr_assert_eq(w.line, 3);
		b = slurp(p, &n2);
		cr_assert_eq(n1, n2);
		cr_assert_eq(memcmp(a, b, n1), 0);
		free(a);
		free(b);
	}
}

Test(ledger, nul_byte_is_malformed)
{
	const char *p = path_of("ledger");
	static const char text[] = HEADER "# a \0 comment\n";
	prep_where w;

	write_file(p, text, sizeof(text) - 1);
	cr_assert_eq(prep_ledger_query(p, "d", NULL, &w), PREP_ERR_VALUE);
	cr_assert_eq(w.line, 2);
}

Test(ledger, other_version_refused)
{
	const char *p = path_of("ledger");
	prep_where w;

	WRITE(p, "# prep ledger v2\n" ENTRY("d", "1", "1"));
	cr_assert_eq(prep_ledger_query(p, "d", NULL, &w), PREP_ERR_VALUE);
	cr_assert_eq(w.line, 1);
	cr_assert_eq(charge(p, "d", 1, 0.1, 0, "x", NULL), PREP_ERR_VALUE);
	/* The version line is only special as the first line. */
	WRITE(p, HEADER "# prep ledger v2\n" ENTRY("d", "1", "1"));
	cr_assert_eq(query(p, "d").entries, 1);
}

Test(ledger, csv_file_is_not_a_ledger)
{
	const char *p = path_of("people.csv");
	size_t n;
	prep_where w;
	char *s;

	WRITE(p, "name,income\nAda,52340\n");
	cr_assert_eq(prep_ledger_charge_run(
			 p, &(prep_ledger_charge){"d", 1, 0.1, 0, "t", "x", 0},
			 NULL, &w),
		     PREP_ERR_VALUE);
	cr_assert_eq(w.line, 1);
	cr_assert_eq(w.field, 1);
	s = slurp(p, &n);
	cr_assert_str_eq(s, "name,income\nAda,52340\n");
	free(s);
}

Test(ledger, comments_blank_lines_crlf)
{
	const char *p = path_of("ledger");
	prep_ledger_state st;

	WRITE(p, HEADER "\n   \n# a comment\n   # indented comment\n" ENTRY(
		     "d", "2", "0.5") "\t2026-11-24T03:10:00Z  dataset=d\t"
				      "budget=2 epsilon=0.25 delta=0.5 "
				      "tool=t args=\"a \\\"b\\\"\\x7f\" \r\n"
				      "\n");
	st = query(p, "d");
	cr_assert_eq(st.budget, 2);
	cr_assert_eq(st.spent, 0.75);
	cr_assert_eq(st.delta_spent, 0.5);
	cr_assert_eq(st.entries, 2);
	CHARGE_OK(p, "d", 2, 1.25);
	cr_assert_eq(charge(p, "d", 2, 1e-3, 0, "x", NULL), PREP_ERR_BUDGET);
}

/* Budget of a dataset: its first line's; later lines are not consulted. */
Test(ledger, first_line_sets_budget)
{
	const char *p = path_of("ledger");

	WRITE(p, HEADER ENTRY("d", "4", "1") ENTRY("d", "2", "1"));
	cr_assert_eq(query(p, "d").budget, 4);
	CHARGE_OK(p, "d", 4, 2);
	cr_assert_eq(charge(p, "d", 2, 0.1, 0, "x", NULL),
		     PREP_ERR_BUDGET_CHANGED);
}

Test(ledger, torn_last_line_ignored_then_cut)
{
	const char *p = path_of("ledger");
	static const char good[] = HEADER ENTRY("people", "3", "1");
	static const char torn[] =
	    "2026-11-24T03:10:00Z dataset=people budget=3 eps";
	prep_ledger_state st;
	char text[1024], *s;
	size_t n;

	snprintf(text, sizeof(text), "%s%s", good, torn);
	write_file(p, text, strlen(text));
	st = query(p, "people");
	cr_assert_eq(st.spent, 1);
	cr_assert_eq(st.entries, 1);
	/* A refused charge may leave the torn tail as it is. */
	cr_assert_eq(charge(p, "people", 3, 2.5, 0, "x", NULL),
		     PREP_ERR_BUDGET);
	s = slurp(p, &n);
	cr_assert_str_eq(s, text);
	free(s);
	cr_assert_eq(charge(p, "people", 3, 2, 0, "y", &st), PREP_OK);
	cr_assert_eq(st.spent, 1);
	s = slurp(p, &n);
	cr_assert_eq(strncmp(s, good, sizeof(good) - 1), 0);
	cr_assert_eq(count_lines(s), 3);
	cr_assert_eq(s[n - 1], '\n');
	cr_assert_str_eq(unstamped(line_of(s, 3)),
			 " dataset=people budget=3 epsilon=2 delta=0 "
			 "tool=dpnoise args=\"y\"");
	free(s);
	st = query(p, "people");
	cr_assert_eq(st.spent, 3);
	cr_assert_eq(st.entries, 2);
}

/* A first run killed in its only write leaves a prefix of the header. */
Test(ledger, torn_first_write)
{
	const char *p = path_of("ledger");
	char *s;

	WRITE(p, "# prep led");
	cr_assert_eq(query(p, "d").entries, 0);
	CHARGE_OK(p, "d", 1, 1);
	s = slurp(p, NULL);
	cr_assert_str_eq(line_of(s, 1), "# prep ledger v1");
	cr_assert_eq(count_lines(s), 2);
	free(s);
}

/* A whole entry without its newline counts (never under-count) and stays. */
Test(ledger, entry_without_newline_counts)
{
	const char *p = path_of("ledger");
	static const char text[] =
	    HEADER "2026-11-24T03:10:00Z dataset=d budget=3 epsilon=1 "
		   "delta=0 tool=t args=\"hand\"";
	char *s;
	size_t n;

	WRITE(p, text);
	cr_assert_eq(query(p, "d").entries, 1);
	cr_assert_eq(charge(p, "d", 3, 2.5, 0, "x", NULL), PREP_ERR_BUDGET);
	CHARGE_OK(p, "d", 3, 2);
	s = slurp(p, &n);
	cr_assert_eq(strncmp(s, text, sizeof(text) - 1), 0);
	cr_assert_eq(s[sizeof(text) - 1], '\n');
	cr_assert_eq(count_lines(s), 3);
	free(s);
	cr_assert_eq(query(p, "d").spent, 3);
}

/* The file at path holds exactly the n bytes of want. */
static void
assert_file_is(const char *path, const char *want, size_t n)
{
	size_t len;
	char *s = slurp(path, &len);

	cr_assert_eq(len, n, "%s: %zu bytes, not %zu", path, len, n);
	cr_assert_eq(memcmp(s, want, n), 0, "%s changed", path);
	free(s);
}

/*
 * The attack on the torn-line rule: a hand-written charge of 2, appended
 * without a newline and in no shape the ledger writes (args unquoted), was
 * taken for a torn line: ignored, so that a charge of 2 passed on a budget
 * of 3 after 1, and then cut off, so that 5 was spent. It is an error
 * now, and neither a query nor a charge changes the file.
 */
Test(ledger, hand_written_tail_is_an_error)
{
	const char *p = path_of("ledger");
	static const char text[] =
	    HEADER ENTRY("d", "3", "1") "2026-11-24T03:10:00Z dataset=d "
					"budget=3 epsilon=2 delta=0 "
					"tool=manual args=x";
	prep_ledger_state st;
	prep_where w;

	WRITE(p, text);
	memset(&w, 0, sizeof(w));
	cr_assert_eq(prep_ledger_query(p, "d", &st, &w), PREP_ERR_VALUE);
	cr_assert_eq(w.line, 3);
	cr_assert_eq(w.field, PREP_LEDGER_UNENDED);
	memset(&w, 0, sizeof(w));
	cr_assert_eq(
	    prep_ledger_charge_run(
		p, &(prep_ledger_charge){"d", 3, 2, 0, "t", "x", 0}, &st, &w),
	    PREP_ERR_VALUE);
	cr_assert_str_eq(w.file, p);
	cr_assert_eq(w.line, 3);
	cr_assert_eq(w.field, PREP_LEDGER_UNENDED);
	assert_file_is(p, text, sizeof(text) - 1);
}

/*
 * The same charge of 2 as a whole entry that lacks only its newline: it
 * counts, so the charge of 2 that would make 5 on a budget of 3 is
 * refused and the file stays as it was; a charge within the slack still
 * passes and ends the hand-written line with a newline.
 */
Test(ledger, whole_entry_without_newline_counts_against_budget)
{
	const char *p = path_of("ledger");
#define HAND                                                                   \
	"2026-11-24T03:10:00Z dataset=d budget=3 epsilon=2 delta=0 "           \
	"tool=manual args=\"\""
	static const char text[] = HEADER ENTRY("d", "3", "1") HAND;
	prep_ledger_state st;
	char *s;

	WRITE(p, text);
	st = query(p, "d");
	cr_assert_eq(st.spent, 3);
	cr_assert_eq(st.entries, 2);
	cr_assert_eq(charge(p, "d", 3, 2, 0, "x", &st), PREP_ERR_BUDGET);
	cr_assert_eq(st.spent, 3);
	assert_file_is(p, text, sizeof(text) - 1);
	/* Within the slack: accepted, and the hand-written line is kept. */
	CHARGE_OK(p, "d", 3, 1e-10);
	s = slurp(p, NULL);
	cr_assert_eq(count_lines(s), 4);
	cr_assert_str_eq(line_of(s, 3), HAND);
	free(s);
#undef HAND
}

/*
 * Last lines without a newline that are neither whole entries nor a
 * beginning of what the ledger writes: each an error at its line, and
 * the file is left as it was by a query and by a charge.
 */
static const char *const bad_tails[] = {
    "garbage",
    "# a comment",
    "   ",
    "\t",
    "\r",
    "x\x01y",
    " 2026-11-24T03:10:00Z dataset=d",
    "2026-11-24T03:10:00Z  dataset=d",
    "2026-11-24T03:10:00Z\tdataset=d",
    "2026-11-24 03:10:00Z dataset=d",
    "2026-11-24T03:10:00Z dataset=d epsilon=2",
    "2026-11-24T03:10:00Z dataset=d,e budget=3",
    "2026-11-24T03:10:00Z dataset= budget=3",
    "2026-11-24T03:10:00Z dataset=d budget=3.0 epsilon",
    "2026-11-24T03:10:00Z dataset=d budget=03 epsilon",
    "2026-11-24T03:10:00Z dataset=d budget=+3",
    "2026-11-24T03:10:00Z dataset=d budget=1E+05",
    "2026-11-24T03:10:00Z dataset=d budget=1e5 epsilon",
    "2026-11-24T03:10:00Z dataset=d budget=1e+0005",
    "2026-11-24T03:10:00Z dataset=d budget=12e+05 epsilon",
    "2026-11-24T03:10:00Z dataset=d budget=1.50e+05 epsilon",
    "2026-11-24T03:10:00Z dataset=d budget=3. epsilon",
    "2026-11-24T03:10:00Z dataset=d budget=3 epsilon=2 delta=-0",
    "2026-11-24T03:10:00Z dataset=d budget=3 epsilon=2 delta=0 tool=manual "
    "args=x",
    "2026-11-24T03:10:00Z dataset=d budget=3 epsilon=2 delta=0 tool=t "
    "args=\"a\tb",
    "2026-11-24T03:10:00Z dataset=d budget=3 epsilon=2 delta=0 tool=t "
    "args=\"a\\x1F",
    "2026-11-24T03:10:00Z dataset=d budget=3 epsilon=2 delta=0 tool=t "
    "args=\"a\\q",
    "2026-11-24T03:10:00Z dataset=d budget=3 epsilon=2 delta=0 tool=t "
    "args=\"a\" b",
    "2026-11-24T03:10:00Z dataset=d budget=3 epsilon=2 delta=0 tool=t "
    "args=\"a\"\"",
    "2026-11-24T03:10:00Z dataset=d budget=3 epsilon=2 delta=0 tool=t "
    "args=\"a\x7f",
    "2026-11-24T03:10:00Z dataset=d budget=3 epsilon=2 delta=0 tool=t "
    "seeded=0",
    "2026-11-24T03:10:00Z dataset=d budget=3 epsilon=2 delta=0 tool=t "
    "seeded=1args",
    "2026-11-24T03:10:00Z dataset=d budget=3 epsilon=2 delta=0 tool=t "
    "args=\"\" seeded=1",
    "# prep ledger v1",
};

Test(ledger, unended_garbage_tail_is_an_error)
{
	const char *p = path_of("ledger");
	char text[1024];
	size_t i, n;
	prep_where w;

	for (i = 0; i < sizeof(bad_tails) / sizeof(bad_tails[0]); i++) {
		n = (size_t)snprintf(text, sizeof(text), "%s%s%s", HEADER,
				     ENTRY("d", "3", "1"), bad_tails[i]);
		write_file(p, text, n);
		memset(&w, 0, sizeof(w));
		cr_assert_eq(prep_ledger_query(p, "d", NULL, &w),
			     PREP_ERR_VALUE, "tail %zu", i);
		cr_assert_eq(w.line, 3, "tail %zu", i);
		cr_assert_eq(w.field, PREP_LEDGER_UNENDED, "tail %zu", i);
		memset(&w, 0, sizeof(w));
		cr_assert_eq(
		    prep_ledger_charge_run(
			p, &(prep_ledger_charge){"d", 3, 1, 0, "t", "x", 0},
			NULL, &w),
		    PREP_ERR_VALUE, "tail %zu", i);
		cr_assert_eq(w.line, 3, "tail %zu", i);
		assert_file_is(p, text, n);
	}
	/* A NUL byte too. */
	n = (size_t)snprintf(text, sizeof(text), "%s%s", HEADER,
			     ENTRY("d", "3", "1"));
	memcpy(text + n, "2026\0", 5);
	write_file(p, text, n + 5);
	cr_assert_eq(charge(p, "d", 3, 1, 0, "x", NULL), PREP_ERR_VALUE);
	assert_file_is(p, text, n + 5);
	/* On line 1 only the header is written first: an entry is not. */
	WRITE(p, "2026-11-24T03:10:00Z dataset=d");
	cr_assert_eq(prep_ledger_query(p, "d", NULL, &w), PREP_ERR_VALUE);
	cr_assert_eq(w.line, 1);
	cr_assert_eq(w.field, PREP_LEDGER_UNENDED);
	WRITE(p, "# prep ledger v1 ");
	cr_assert_eq(prep_ledger_query(p, "d", NULL, &w), PREP_ERR_VALUE);
	cr_assert_eq(w.line, 1);
	/* A dataset name over 128 bytes is not one the ledger writes. */
	n = (size_t)snprintf(text, sizeof(text), "%s%s", HEADER,
			     "2026-11-24T03:10:00Z dataset=");
	memset(text + n, 'a', 129);
	write_file(p, text, n + 129);
	cr_assert_eq(prep_ledger_query(p, "d", NULL, &w), PREP_ERR_VALUE);
	cr_assert_eq(w.field, PREP_LEDGER_UNENDED);
	write_file(p, text, n + 128); /* 128: may be torn */
	cr_assert_eq(query(p, "d").entries, 0);
}

/* Cut short by hand: strict beginnings of entries the ledger writes. */
static const char *const torn_tails[] = {
    "2",
    "2026-11-24T03:1",
    "2026-11-24T03:10:00Z",
    "2026-11-24T03:10:00Z dataset=pe",
    "2026-11-24T03:10:00Z dataset=d budget=",
    "2026-11-24T03:10:00Z dataset=d budget=3 epsilon=0.5",
    "2026-11-24T03:10:00Z dataset=d budget=3 epsilon=0.50",
    "2026-11-24T03:10:00Z dataset=d budget=3 epsilon=1.",
    "2026-11-24T03:10:00Z dataset=d budget=3 epsilon=1e",
    "2026-11-24T03:10:00Z dataset=d budget=3 epsilon=1e-0",
    "2026-11-24T03:10:00Z dataset=d budget=3 epsilon=1.5e-300 delta=0 to",
    "2026-11-24T03:10:00Z dataset=d budget=3 epsilon=2 delta=0 tool=manual",
    "2026-11-24T03:10:00Z dataset=d budget=3 epsilon=2 delta=0 tool=t "
    "args=",
    "2026-11-24T03:10:00Z dataset=d budget=3 epsilon=2 delta=0 tool=t "
    "args=\"a \\",
    "2026-11-24T03:10:00Z dataset=d budget=3 epsilon=2 delta=0 tool=t "
    "args=\"a \\x0",
    "2026-11-24T03:10:00Z dataset=d budget=3 epsilon=2 delta=0 tool=t "
    "args=\"a \\x0f caf\xc3\xa9 \\\" \\\\ b",
    "2026-11-24T03:10:00Z dataset=d budget=3 epsilon=2 delta=0 tool=t "
    "seeded=",
    "2026-11-24T03:10:00Z dataset=d budget=3 epsilon=2 delta=0 tool=t "
    "seeded=1 args=\"a",
};

Test(ledger, torn_tails_ignored_then_cut)
{
	const char *p = path_of("ledger");
	static const char good[] = HEADER ENTRY("d", "3", "1");
	char text[1024], *s;
	prep_ledger_state st;
	size_t i, n;

	for (i = 0; i < sizeof(torn_tails) / sizeof(torn_tails[0]); i++) {
		n = (size_t)snprintf(text, sizeof(text), "%s%s", good,
				     torn_tails[i]);
		write_file(p, text, n);
		st = query(p, "d");
		cr_assert_eq(st.spent, 1, "tail %zu", i);
		cr_assert_eq(st.entries, 1, "tail %zu", i);
		cr_assert_eq(charge(p, "d", 3, 2, 0, "y", &st), PREP_OK,
			     "tail %zu", i);
		cr_assert_eq(st.spent, 1);
		s = slurp(p, &n);
		cr_assert_eq(count_lines(s), 3, "tail %zu", i);
		cr_assert_eq(strncmp(s, good, sizeof(good) - 1), 0);
		cr_assert_str_eq(unstamped(line_of(s, 3)),
				 " dataset=d budget=3 epsilon=2 delta=0 "
				 "tool=dpnoise args=\"y\"");
		free(s);
	}
}

/*
 * What a run killed in its write leaves: every strict beginning of the
 * bytes a charge appended is ignored (the state is the one before), and
 * the whole entry without only its newline counts. Once on an empty
 * ledger (the header is in the same write), once after an entry, with
 * numbers of every shape the writer has and args with every escape.
 */
Test(ledger, every_strict_prefix_of_a_write_is_torn)
{
	const char *p = path_of("ledger");
	static const char args[] =
	    "--sum \"a b\" C:\\x\ny\tz\r\x01\x7f caf\xc3\xa9";
	const double budget = 1e300, eps[2] = {1.0 / 3, 1e-6},
		     delta[2] = {0, 1.5e-300};
	size_t start, len, k, before;
	prep_ledger_state st;
	prep_where w;
	char *full;
	int round;

	for (round = 0; round < 2; round++) {
		/* The second is seeded, so its line has seeded=1 too. */
		prep_ledger_charge c = {"d",  budget, eps[round], delta[round],
					TOOL, args,   round};

		if (round == 0)
			(void)unlink(p);
		before = round == 0 ? 0 : query(p, "d").entries;
		cr_assert_eq(prep_ledger_charge_run(p, &c, NULL, &w), PREP_OK);
		full = slurp(p, &len);
		cr_assert_eq(full[len - 1], '\n');
		start = 0;
		if (round == 1)
			for (start = len - 1; full[start - 1] != '\n'; start--)
				;
		for (k = start + 1; k < len; k++) {
			write_file(p, full, k);
			st = query(p, "d");
			cr_assert_eq(st.entries, before + (k == len - 1),
				     "round %d, %zu of %zu bytes", round, k,
				     len);
		}
		write_file(p, full, len);
		free(full);
	}
	st = query(p, "d");
	cr_assert_eq(st.entries, 2);
	cr_assert_eq(st.seeded, 1);
	cr_assert_eq(st.spent, 1.0 / 3 + 1e-6);
	cr_assert_eq(st.delta_spent, 1.5e-300);
}

static prep_status
charge_seeded(const char *path, const char *dataset, double budget, double eps,
	      const char *args, prep_ledger_state *st)
{
	prep_ledger_charge c = {dataset, budget, eps, 0, TOOL, args, 1};
	prep_where w;

	return prep_ledger_charge_run(path, &c, st, &w);
}

/*
 * A seeded run (noise from a known seed: not private) is marked seeded=1
 * between tool and args, and counts against the budget like any other.
 */
Test(ledger, seeded_charge_marked_and_counted)
{
	const char *p = path_of("ledger");
	prep_ledger_state st;
	char *s;

	cr_assert_eq(charge_seeded(p, "people", 2, 1, "--seed 1", &st),
		     PREP_OK);
	CHARGE_OK(p, "people", 2, 0.5);
	s = slurp(p, NULL);
	cr_assert_eq(count_lines(s), 3);
	cr_assert_str_eq(unstamped(line_of(s, 2)),
			 " dataset=people budget=2 epsilon=1 delta=0 "
			 "tool=dpnoise seeded=1 args=\"--seed 1\"");
	cr_assert_str_eq(unstamped(line_of(s, 3)),
			 " dataset=people budget=2 epsilon=0.5 delta=0 "
			 "tool=dpnoise args=\"x\"");
	free(s);
	st = query(p, "people");
	cr_assert_eq(st.entries, 2);
	cr_assert_eq(st.seeded, 1);
	cr_assert_eq(st.spent, 1.5);
	/* Seeded or not, 1 more is over the budget of 2. */
	cr_assert_eq(charge_seeded(p, "people", 2, 1, "x", &st),
		     PREP_ERR_BUDGET);
	cr_assert_eq(st.spent, 1.5);
	cr_assert_eq(charge(p, "people", 2, 1, 0, "x", NULL), PREP_ERR_BUDGET);
	cr_assert_eq(charge_seeded(p, "people", 2, 0.5, "x", &st), PREP_OK);
	st = query(p, "people");
	cr_assert_eq(st.entries, 3);
	cr_assert_eq(st.seeded, 2);
	cr_assert_eq(st.spent, 2);
	cr_assert_eq(query(p, "other").seeded, 0);
}

/* Entries without the mark (older ones) and with seeded=0 are unseeded. */
Test(ledger, seeded_mark_read)
{
	const char *p = path_of("ledger");
	prep_ledger_state st;

	WRITE(p, HEADER ENTRY("d", "3", "1") "2026-11-24T03:10:00Z dataset=d "
					     "budget=3 epsilon=0.5 delta=0 "
					     "tool=t seeded=0 args=\"\"\n"
					     "2026-11-24T03:10:00Z  dataset=d "
					     "budget=3 epsilon=0.25 delta=0 "
					     "tool=t\tseeded=1   args=\"\"\n");
	st = query(p, "d");
	cr_assert_eq(st.entries, 3);
	cr_assert_eq(st.seeded, 1);
	cr_assert_eq(st.spent, 1.75);
}

Test(ledger, existing_empty_file_gets_header)
{
	const char *p = path_of("ledger");
	char *s;

	WRITE(p, "");
	CHARGE_OK(p, "d", 1, 1);
	s = slurp(p, NULL);
	cr_assert_str_eq(line_of(s, 1), "# prep ledger v1");
	free(s);
}

Test(ledger, headerless_ledger_accepted)
{
	const char *p = path_of("ledger");
	char *s;

	WRITE(p, ENTRY("d", "2", "1"));
	CHARGE_OK(p, "d", 2, 1);
	s = slurp(p, NULL);
	cr_assert_eq(
	    strncmp(s, ENTRY("d", "2", "1"), sizeof(ENTRY("d", "2", "1")) - 1),
	    0);
	cr_assert_eq(count_lines(s), 2);
	free(s);
}

/* Decode the args="..." of line (the test's own reading of the format). */
static char *
decode_args(const char *line)
{
	const char *p = strstr(line, " args=\"");
	char *out, *o;

	cr_assert_not_null(p);
	p += 7;
	out = o = malloc(strlen(p) + 1);
	cr_assert_not_null(out);
	for (; *p != '"'; p++) {
		cr_assert_neq(*p, '\0');
		if (*p != '\\') {
			*o++ = *p;
			continue;
		}
		switch (*++p) {
		case 'n':
			*o++ = '\n';
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 'x':
			*o++ = (char)strtol((char[]){p[1], p[2], 0}, NULL, 16);
			p += 2;
			break;
		default:
			*o++ = *p;
		}
	}
	cr_assert_str_eq(p, "\"");
	*o = '\0';
	return out;
}

Test(ledger, args_escaping_round_trip)
{
	const char *p = path_of("ledger");
	static const char args[] = "--sum \"inc ome\" C:\\data\\x.csv\nrm -rf "
				   "/\ttab\rcr\x01\x1f\x7f caf\xc3\xa9 \\\"";
	char *s, *d;
	const char *line;

	CHARGE_OK(p, "d", 1, 0.5);
	cr_assert_eq(charge(p, "d", 1, 0.5, 0, args, NULL), PREP_OK);
	s = slurp(p, NULL);
	cr_assert_eq(count_lines(s), 3);
	line = line_of(s, 3);
	cr_assert_str_eq(
	    unstamped(line),
	    " dataset=d budget=1 epsilon=0.5 delta=0 tool=dpnoise "
	    "args=\"--sum \\\"inc ome\\\" C:\\\\data\\\\x.csv\\nrm "
	    "-rf /\\ttab\\rcr\\x01\\x1f\\x7f caf\xc3\xa9 "
	    "\\\\\\\"\"");
	d = decode_args(line);
	cr_assert_str_eq(d, args);
	free(d);
	free(s);
	cr_assert_eq(query(p, "d").entries, 2);
	/* NULL args: an empty string. */
	cr_assert_eq(charge(p, "e", 1, 0.5, 0, NULL, NULL), PREP_OK);
	s = slurp(p, NULL);
	cr_assert(strstr(line_of(s, 4), " args=\"\"") != NULL);
	free(s);
}

/* A command line joined by single spaces, as given (escaped on write). */
Test(ledger, args_of_a_command_line)
{
	char *argv[] = {"dpnoise", "-c", "inc ome", "--epsilon",
			"1",	   "",	 "a\"b"};
	char *s = NULL;

	cr_assert_eq(prep_ledger_args(7, argv, &s), PREP_OK);
	cr_assert_str_eq(s, "dpnoise -c inc ome --epsilon 1  a\"b");
	free(s);
	cr_assert_eq(prep_ledger_args(1, argv, &s), PREP_OK);
	cr_assert_str_eq(s, "dpnoise");
	free(s);
	cr_assert_eq(prep_ledger_args(0, argv, &s), PREP_OK);
	cr_assert_str_eq(s, "");
	free(s);
}

Test(ledger, created_0600)
{
	const char *p = path_of("ledger");
	const char *q = path_of("ledger2");
	struct stat sb;
	mode_t old = umask(0);

	CHARGE_OK(p, "d", 1, 1);
	cr_assert_eq(stat(p, &sb), 0);
	cr_assert_eq(sb.st_mode & 07777, 0600);
	umask(022);
	CHARGE_OK(q, "d", 1, 1);
	cr_assert_eq(stat(q, &sb), 0);
	cr_assert_eq(sb.st_mode & 07777, 0600);
	umask(old);
}

Test(ledger, invalid_arguments)
{
	const char *p = path_of("ledger");
	static const char *bad_names[] = {"",	  "a b",  "a,b", "a\"b",
					  "a\nb", "a=b",  "a#b", "caf\xc3\xa9",
					  "a\\b", "a\tb", "*"};
	prep_ledger_charge c = {"d", 1, 1, 0, "dpnoise", "x", 0};
	char longname[130];
	size_t i;

	for (i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		cr_assert_eq(charge(p, bad_names[i], 1, 1, 0, "x", NULL),
			     PREP_ERR_ARG, "name %s", bad_names[i]);
		cr_assert_eq(prep_ledger_query(p, bad_names[i], NULL, NULL),
			     PREP_ERR_ARG);
	}
	cr_assert_eq(charge(p, NULL, 1, 1, 0, "x", NULL), PREP_ERR_ARG);
	memset(longname, 'a', 129);
	longname[129] = '\0';
	cr_assert_eq(charge(p, longname, 1, 1, 0, "x", NULL), PREP_ERR_ARG);
	longname[128] = '\0';
	cr_assert_eq(charge(p, longname, 1, 1, 0, "x", NULL), PREP_OK);
	cr_assert_eq(query(p, longname).entries, 1);
	cr_assert_eq(charge(p, "d", 0, 1, 0, "x", NULL), PREP_ERR_ARG);
	cr_assert_eq(charge(p, "d", -1, 1, 0, "x", NULL), PREP_ERR_ARG);
	cr_assert_eq(charge(p, "d", INFINITY, 1, 0, "x", NULL), PREP_ERR_ARG);
	cr_assert_eq(charge(p, "d", NAN, 1, 0, "x", NULL), PREP_ERR_ARG);
	cr_assert_eq(charge(p, "d", 1, 0, 0, "x", NULL), PREP_ERR_ARG);
	cr_assert_eq(charge(p, "d", 1, -0.5, 0, "x", NULL), PREP_ERR_ARG);
	cr_assert_eq(charge(p, "d", 1, NAN, 0, "x", NULL), PREP_ERR_ARG);
	cr_assert_eq(charge(p, "d", 1, INFINITY, 0, "x", NULL), PREP_ERR_ARG);
	cr_assert_eq(charge(p, "d", 1, 1, -1e-9, "x", NULL), PREP_ERR_ARG);
	cr_assert_eq(charge(p, "d", 1, 1, NAN, "x", NULL), PREP_ERR_ARG);
	cr_assert_eq(charge(p, "d", 1, 1, INFINITY, "x", NULL), PREP_ERR_ARG);
	c.tool = NULL;
	cr_assert_eq(prep_ledger_charge_run(p, &c, NULL, NULL), PREP_ERR_ARG);
	c.tool = "dp noise";
	cr_assert_eq(prep_ledger_charge_run(p, &c, NULL, NULL), PREP_ERR_ARG);
	c.tool = "";
	cr_assert_eq(prep_ledger_charge_run(p, &c, NULL, NULL), PREP_ERR_ARG);
	c.tool = "dpnoise";
	cr_assert_eq(prep_ledger_charge_run(p, NULL, NULL, NULL), PREP_ERR_ARG);
	cr_assert_eq(prep_ledger_charge_run(NULL, &c, NULL, NULL),
		     PREP_ERR_ARG);
	cr_assert_eq(prep_ledger_charge_run("", &c, NULL, NULL), PREP_ERR_ARG);
	/* None of these touched the ledger. */
	cr_assert_eq(query(p, "d").entries, 0);
	cr_assert_eq(prep_ledger_charge_run(p, &c, NULL, NULL), PREP_OK);
}

Test(ledger, query_of_missing_file)
{
	const char *p = path_of("nothing");
	prep_ledger_state st = {1, 1, 1, 1, 1};
	prep_status s;
	int e;

	cr_assert_eq(prep_ledger_query(p, "d", &st, NULL), PREP_OK);
	cr_assert_eq(st.budget, 0);
	cr_assert_eq(st.spent, 0);
	cr_assert_eq(st.entries, 0);
	cr_assert_eq(st.seeded, 0);
	cr_assert_eq(access(p, F_OK), -1); /* not created */
	/* A missing directory is an I/O error for a charge. */
	s = charge(path_of("no/such"), "d", 1, 1, 0, "x", NULL);
	e = errno;
	cr_assert_eq(s, PREP_ERR_IO);
	cr_assert_eq(e, ENOENT);
}

Test(ledger, not_a_regular_file)
{
	const char *f = path_of("fifo");

	prep_status s = charge(dir, "d", 1, 1, 0, "x", NULL);
	int e = errno;

	cr_assert_eq(s, PREP_ERR_IO);
	cr_assert_eq(e, EISDIR);
	cr_assert_eq(mkfifo(f, 0600), 0);
	cr_assert_eq(charge(f, "d", 1, 1, 0, "x", NULL), PREP_ERR_VALUE);
	cr_assert_eq(prep_ledger_query(f, "d", NULL, NULL), PREP_ERR_VALUE);
}

Test(ledger, size_cap)
{
	const char *p = path_of("ledger");
	struct stat sb;
	int fd;

	WRITE(p, HEADER);
	fd = open(p, O_WRONLY);
	cr_assert_geq(fd, 0);
	cr_assert_eq(ftruncate(fd, ((off_t)64 << 20) + 1), 0);
	close(fd);
	cr_assert_eq(charge(p, "d", 1, 1, 0, "x", NULL), PREP_ERR_LIMIT);
	cr_assert_eq(prep_ledger_query(p, "d", NULL, NULL), PREP_ERR_LIMIT);
	cr_assert_eq(stat(p, &sb), 0);
	cr_assert_eq(sb.st_size, ((off_t)64 << 20) + 1);
}

/*
 * 8 children charge epsilon 1 against budget 5 at once (released together
 * by the close of a pipe they all wait on), on a ledger none has created.
 */
Test(ledger, concurrent_runs_never_overspend)
{
	const char *p = path_of("ledger");
	int go[2], i, status, ok = 0, refused = 0, other = 0;
	pid_t pid[8];
	prep_ledger_state st;
	char c, *s;

	cr_assert_eq(pipe(go), 0);
	for (i = 0; i < 8; i++) {
		pid[i] = fork();
		cr_assert_geq(pid[i], 0);
		if (pid[i] == 0) {
			prep_status r;

			close(go[1]);
			if (read(go[0], &c, 1) != 0)
				_exit(9);
			r = charge(p, "people", 5, 1, 0, "x", NULL);
			_exit(r == PREP_OK ? 0 : r == PREP_ERR_BUDGET ? 1 : 2);
		}
	}
	close(go[0]);
	close(go[1]); /* every child's read returns now */
	for (i = 0; i < 8; i++) {
		cr_assert_eq(waitpid(pid[i], &status, 0), pid[i]);
		cr_assert(WIFEXITED(status));
		ok += WEXITSTATUS(status) == 0;
		refused += WEXITSTATUS(status) == 1;
		other += WEXITSTATUS(status) > 1;
	}
	cr_assert_eq(ok, 5);
	cr_assert_eq(refused, 3);
	cr_assert_eq(other, 0);
	st = query(p, "people");
	cr_assert_eq(st.entries, 5);
	cr_assert_eq(st.spent, 5);
	s = slurp(p, NULL);
	cr_assert_eq(count_lines(s), 6); /* header and 5 entries */
	cr_assert_str_eq(line_of(s, 1), "# prep ledger v1");
	free(s);
}

/*
 * SIGKILL a child that charges in a loop at random moments. The child
 * writes a byte to a pipe after each PREP_OK; after each round the ledger
 * must parse and hold the reported charges or one more (killed between
 * its write and its report), never fewer.
 */
#define KILL_ROUNDS 40

Test(ledger, sigkill_never_under_counts, .timeout = 120)
{
	const char *p = path_of("ledger");
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	unsigned long before = 0, after, reported, total = 0, extra = 0;
	int round, fds[2], status;
	char buf[256];
	ssize_t n;
	pid_t pid;

	srand(seed);
	for (round = 0; round < KILL_ROUNDS; round++) {
		cr_assert_eq(pipe(fds), 0);
		pid = fork();
		cr_assert_geq(pid, 0);
		if (pid == 0) {
			close(fds[0]);
			for (;;) {
				if (charge(p, "k", 1e12, 1, 0, "loop", NULL) !=
				    PREP_OK)
					_exit(3);
				if (write(fds[1], "x", 1) != 1)
					_exit(4);
			}
		}
		close(fds[1]);
		/* Wait for the child's first charge, so that every round
		 * kills a charging process however slow fsync is on a loaded
		 * machine (else total could stay 0), then at a random time. */
		reported = read(fds[0], buf, 1) == 1;
		usleep((useconds_t)(rand() % 4000));
		cr_assert_eq(kill(pid, SIGKILL), 0);
		cr_assert_eq(waitpid(pid, &status, 0), pid);
		cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
			  "round %d: the child ended on its own (seed %u)",
			  round, seed);
		while ((n = read(fds[0], buf, sizeof(buf))) > 0)
			reported += (unsigned long)n;
		close(fds[0]);
		after = query(p, "k").entries;
		cr_assert(after - before == reported ||
			      after - before == reported + 1,
			  "round %d (seed %u): %lu new entries, %lu reported",
			  round, seed, after - before, reported);
		extra += after - before - reported;
		total += reported;
		before = after;
	}
	cr_assert_eq(before, total + extra);
	cr_assert_gt(total, 0);
	/* Still a working ledger. */
	CHARGE_OK(p, "k", 1e12, 1);
	cr_assert_eq(query(p, "k").entries, before + 1);
}

/*
 * The messages of a refused charge, from a real ledger: budget 1 spent in
 * full, then 0.5 more (refused: spent 1, this run 0.5), then a budget of
 * 3 for the same dataset (refused: 1 on record).
 */
Test(ledger, fault_text_of_refusals)
{
	const char *f = path_of("l");
	prep_ledger_charge c = {"people", 1, 0.5, 0, TOOL, "x", 0};
	prep_ledger_state st;
	prep_where w;
	char buf[PREP_LEDGER_TEXT_SIZE];
	prep_status s;

	CHARGE_OK(f, "people", 1, 1);
	s = prep_ledger_charge_run(f, &c, &st, &w);
	cr_assert_eq(s, PREP_ERR_BUDGET);
	cr_assert_eq(prep_ledger_fault_text(s, &c, &st, &w, buf, sizeof buf),
		     PREP_LEDGER_REFUSED);
	cr_assert_str_eq(
	    buf, "dataset people: budget 1 exhausted (spent 1, this run 0.5)");
	c.budget = 3;
	s = prep_ledger_charge_run(f, &c, &st, &w);
	cr_assert_eq(s, PREP_ERR_BUDGET_CHANGED);
	cr_assert_eq(prep_ledger_fault_text(s, &c, &st, &w, buf, sizeof buf),
		     PREP_LEDGER_REFUSED);
	cr_assert_str_eq(buf, "dataset people has budget 1, not 3");
}

/* What is wrong with a file that is not a ledger, by its place. */
Test(ledger, fault_text_of_files)
{
	prep_ledger_charge c = {"d", 2, 0.25, 0, TOOL, NULL, 0};
	prep_ledger_state st = {0};
	prep_where w = {"l", 0, 0};
	char buf[PREP_LEDGER_TEXT_SIZE];

	cr_assert_eq(prep_ledger_fault_text(PREP_ERR_VALUE, &c, &st, &w, buf,
					    sizeof buf),
		     PREP_LEDGER_NOT_LEDGER);
	cr_assert_str_eq(buf, "not a regular file");
	w.line = 4;
	w.field = 3;
	cr_assert_eq(prep_ledger_fault_text(PREP_ERR_VALUE, &c, &st, &w, buf,
					    sizeof buf),
		     PREP_LEDGER_NOT_LEDGER);
	cr_assert_str_eq(buf, "not a ledger line");
	w.field = PREP_LEDGER_UNENDED;
	cr_assert_eq(prep_ledger_fault_text(PREP_ERR_VALUE, &c, &st, &w, buf,
					    sizeof buf),
		     PREP_LEDGER_NOT_LEDGER);
	cr_assert_str_eq(
	    buf,
	    "not a ledger line (a last line without a newline must be a whole entry)");
	cr_assert_eq(
	    prep_ledger_fault_text(PREP_ERR_IO, &c, &st, &w, buf, sizeof buf),
	    PREP_LEDGER_TROUBLE);
	cr_assert_str_eq(buf, "I/O error");
	/* cut short to the buffer: "dataset d has budget 5, not 2" */
	st.budget = 5;
	cr_assert_eq(prep_ledger_fault_text(PREP_ERR_BUDGET_CHANGED, &c, &st,
					    &w, buf, 10),
		     PREP_LEDGER_REFUSED);
	cr_assert_str_eq(buf, "dataset d");
}

/* prep_ledger_scan: entries in file order, a torn last line for nothing. */
struct scan_seen {
	int n;
	double eps[4];
	char time[4][21];
	unsigned long line[4];
};

static int
scan_visit(void *ctx, const prep_ledger_entry *e)
{
	struct scan_seen *s = ctx;

	if (s->n == 4)
		return 1;
	s->eps[s->n] = e->epsilon;
	memcpy(s->time[s->n], e->time, 21);
	s->line[s->n++] = e->line;
	return 0;
}

Test(ledger, scan_entries)
{
	static const char text[] =
	    HEADER ENTRY("people", "3", "1") "# a comment\n" ENTRY(
		"other", "1", "0.25") "2026-11-24T03:10:00Z dataset=peo";
	struct scan_seen s;
	prep_where w;

	memset(&s, 0, sizeof s);
	cr_assert_eq(
	    prep_ledger_scan(text, sizeof text - 1, scan_visit, &s, &w),
	    PREP_OK);
	cr_assert_eq(s.n, 2);
	cr_assert_eq(s.eps[0], 1);
	cr_assert_eq(s.eps[1], 0.25);
	cr_assert_eq(s.line[1], 4);
	cr_assert_str_eq(s.time[0], "2026-11-24T03:10:00Z");
	cr_assert_eq(prep_ledger_scan(HEADER "x\n", sizeof HEADER + 1,
				      scan_visit, &s, &w),
		     PREP_ERR_VALUE);
	cr_assert_eq(w.line, 2);
	cr_assert_eq(w.field, 1);
}
