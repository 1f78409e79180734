/*
 * test_mondrian.c: unit tests of libprep/mondrian.c, kanon's local
 * recoding.
 *
 * Each table is built the way kanon builds it (a class table, hierarchy
 * files, prep_recode_input_new) and is small enough to partition by
 * hand; the working is in the comment beside it: the cuts both of whose
 * sides pass, what each leaves (rows times the NCP of the sides' tight
 * releases), the lookahead between the two cheapest. Tuples are numbered
 * in order of first appearance, classes in the order of the cuts' left
 * sides. Shares and NCPs are asserted to 1e-12.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classes.h"
#include "hierarchy.h"
#include "kanon.h"
#include "mondrian.h"
#include "recode.h"

#define MAXQ 4
#define MAX_FILES 8

static char dir[256];
static char files[MAX_FILES][512];
static int nfiles;
static prep_classes *tab;
static prep_hierarchy *hier[MAXQ];
static prep_recode_input *in;
static prep_recode_result r;
static int have_r;
static prep_kanon_params p;

static void
setup(void)
{
	const char *tmp = getenv("TMPDIR");

	if (tmp == NULL || *tmp == '\0' || strlen(tmp) > 200)
		tmp = "/tmp";
	snprintf(dir, sizeof(dir), "%s/test_mondrian.XXXXXX", tmp);
	cr_assert_not_null(mkdtemp(dir));
	nfiles = 0;
	prep_kanon_params_init(&p);
}

static void
teardown(void)
{
	int i;

	if (have_r)
		prep_recode_result_free(&r);
	have_r = 0;
	prep_recode_input_free(in);
	in = NULL;
	prep_classes_free(tab);
	tab = NULL;
	for (i = 0; i < MAXQ; i++) {
		prep_hierarchy_free(hier[i]);
		hier[i] = NULL;
	}
	for (i = 0; i < nfiles; i++)
		unlink(files[i]);
	rmdir(dir);
}

TestSuite(mondrian, .init = setup, .fini = teardown);

/* A hierarchy file for QI j (ARX layout, ';'), loaded with every level. */
static void
hierarchy(size_t j, const char *text)
{
	char *path;
	prep_where w = {NULL, 0, 0};
	prep_status st;
	FILE *f;

	cr_assert_lt(nfiles, MAX_FILES);
	path = files[nfiles++];
	snprintf(path, sizeof(files[0]), "%s/h%zu.csv", dir, j);
	f = fopen(path, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(text, 1, strlen(text), f), strlen(text));
	cr_assert_eq(fclose(f), 0);
	st = prep_hierarchy_load(path, PREP_HIERARCHY_ALL, &hier[j], &w);
	cr_assert_eq(st, PREP_OK, "hierarchy %zu: %s (line %lu)", j,
		     prep_strerror(st), w.line);
}

/*
 * The input of nrows rows of ncols cells, QIs the first nqi columns,
 * the sensitive column sens (or -1); the hierarchies loaded before.
 */
static void
build(const char *const *cells, size_t ncols, size_t nrows, size_t nqi,
      long sens)
{
	static const prep_field names[MAXQ] = {
	    {"q0", 2}, {"q1", 2}, {"q2", 2}, {"q3", 2}};
	size_t qi[MAXQ], i, j, bad;
	prep_field row[MAXQ + 1];
	prep_where w;
	prep_status st;

	cr_assert_leq(nqi, MAXQ);
	cr_assert_leq(ncols, MAXQ + 1);
	for (j = 0; j < nqi; j++)
		qi[j] = j;
	st = prep_classes_new(qi, nqi, sens, 0, &tab);
	cr_assert_eq(st, PREP_OK);
	for (i = 0; i < nrows; i++) {
		for (j = 0; j < ncols; j++) {
			row[j].data = cells[i * ncols + j];
			row[j].len = strlen(row[j].data);
		}
		cr_assert_eq(prep_classes_add(tab, row, NULL), PREP_OK);
	}
	st = prep_recode_input_new(tab, names, hier, nqi, &p, &in, &bad, &w);
	cr_assert_eq(st, PREP_OK, "prep_recode_input_new: %s",
		     prep_strerror(st));
}
#define BUILD(t, nqi, sens)                                                    \
	build(&(t)[0][0], sizeof((t)[0]) / sizeof((t)[0][0]),                  \
	      sizeof(t) / sizeof((t)[0]), (nqi), (sens))

/* Partition in; must succeed. */
static void
run(void)
{
	prep_status st;

	if (have_r)
		prep_recode_result_free(&r);
	memset(&r, 0xA5, sizeof r);
	st = prep_mondrian(in, &r);
	cr_assert_eq(st, PREP_OK, "prep_mondrian: %s", prep_strerror(st));
	have_r = 1;
	cr_assert_null(r.levels);
}

/* The classes of the tuples, in tuple order. */
static void
expect_classes(const size_t *want, size_t ntuples, size_t nclasses)
{
	size_t t;

	cr_assert_eq(in->ntuples, ntuples, "tuples: got %zu, want %zu",
		     in->ntuples, ntuples);
	cr_assert_eq(r.nclasses, nclasses, "classes: got %zu, want %zu",
		     r.nclasses, nclasses);
	for (t = 0; t < ntuples; t++)
		cr_assert_eq(r.class_of[t], want[t],
			     "tuple %zu: class %zu, want %zu", t, r.class_of[t],
			     want[t]);
}
#define CLASSES(nclasses, ...)                                                 \
	do {                                                                   \
		static const size_t want_[] = {__VA_ARGS__};                   \
		expect_classes(want_, sizeof want_ / sizeof *want_,            \
			       (nclasses));                                    \
	} while (0)

/* Class c's release of QI j: its text, share and NCP. */
static void
expect_release(size_t c, size_t j, const char *text, double share, double ncp)
{
	const prep_field *f = &r.release[c * in->nqi + j];

	cr_assert_eq(f->len, strlen(text),
		     "class %zu QI %zu: \"%.*s\", want "
		     "\"%s\"",
		     c, j, (int)f->len, f->data, text);
	cr_assert(memcmp(f->data, text, f->len) == 0,
		  "class %zu QI %zu: \"%.*s\", want \"%s\"", c, j, (int)f->len,
		  f->data, text);
	cr_assert_eq(f->data[f->len], '\0');
	cr_assert_float_eq(r.share[c * in->nqi + j], share, 1e-12,
			   "class %zu QI %zu share: %.17g, want %.17g", c, j,
			   r.share[c * in->nqi + j], share);
	cr_assert_float_eq(r.ncp[c * in->nqi + j], ncp, 1e-12,
			   "class %zu QI %zu ncp: %.17g, want %.17g", c, j,
			   r.ncp[c * in->nqi + j], ncp);
}

/*
 * Ages 30 31 32 60 61, a row each, k = 2. Cuts with two rows a side:
 * after 31 leaves 2 * 1/31 + 3 * 29/31 = 89/31, after 32 leaves
 * 3 * 2/31 + 2 * 1/31 = 8/31 (the median cut: the third row is 32).
 * Neither side can be cut again (3 rows, 2 rows). Shares: data values
 * inside over the 5 of the column.
 */
Test(mondrian, numeric_split)
{
	static const char *const t[][1] = {
	    {"31"}, {"60"}, {"30"}, {"61"}, {"32"}};

	p.k = 2;
	BUILD(t, 1, -1);
	cr_assert(in->qi[0].numeric);
	run();
	CLASSES(2, 0, 1, 0, 1, 0);
	expect_release(0, 0, "30-32", 3.0 / 5, 2.0 / 31);
	expect_release(1, 0, "60-61", 2.0 / 5, 1.0 / 31);
}

/*
 * Weights: 1 x3, 2 x1, 5 x1, 9 x3 (8 rows), k = 3, range 8. Cuts: after
 * 1 (3|5): 0 + 5 * 8/8 = 5; after 2 (4|4): 4 * 1/8 + 4 * 4/8 = 2.5;
 * after 5 (5|3): 5 * 4/8 + 0 = 2.5. The two cheapest tie; neither's
 * sides can be cut again (4 and 4 rows, 5 and 3, k 3), so the lookahead
 * ties too and the first in value order wins: 1-2 | 5-9.
 */
Test(mondrian, numeric_weighted)
{
	static const char *const t[][1] = {{"9"}, {"1"}, {"1"}, {"2"},
					   {"5"}, {"9"}, {"1"}, {"9"}};

	p.k = 3;
	BUILD(t, 1, -1);
	run();
	/* tuples: 9, 1, 2, 5 */
	CLASSES(2, 1, 0, 0, 1);
	expect_release(0, 0, "1-2", 2.0 / 4, 1.0 / 8);
	expect_release(1, 0, "5-9", 2.0 / 4, 4.0 / 8);
}

/* Equal numbers written differently are one value to a cut. */
Test(mondrian, numeric_equal_numbers)
{
	static const char *const t[][1] = {{"1"}, {"1.0"}, {"2"}, {"2"}};

	p.k = 2;
	BUILD(t, 1, -1);
	run();
	/* the only cut: 1 and 1.0 | 2 2 */
	CLASSES(2, 0, 0, 1);
	/* one number: one text, the first in byte order */
	expect_release(0, 0, "1", 2.0 / 3, 0);
	expect_release(1, 0, "2", 1.0 / 3, 0);
}

/*
 * A hierarchy: a1 a2 under A, b1 b2 under B, all under *. Rows a1 x2,
 * a2 x2, b1 x2, b2 x1, k = 3. Depth-first by rows: A (4), then B (3);
 * a1 a2, then b1 b2. Cuts with 3 rows a side: only A | B (after a1: 2
 * rows, after b1: 1 row). A (4 rows) and B (3) cannot be cut again.
 * Released as the labels: share 2/4, NCP (2-1)/(4-1).
 */
Test(mondrian, hierarchy_children)
{
	static const char *const t[][1] = {{"b1"}, {"a1"}, {"a2"}, {"b2"},
					   {"a1"}, {"a2"}, {"b1"}};

	hierarchy(0, "a1;A;*\na2;A;*\nb1;B;*\nb2;B;*\n");
	p.k = 3;
	BUILD(t, 1, -1);
	cr_assert_not(in->qi[0].numeric);
	run();
	/* tuples: b1, a1, a2, b2 */
	CLASSES(2, 1, 0, 0, 1);
	expect_release(0, 0, "A", 2.0 / 4, 1.0 / 3);
	expect_release(1, 0, "B", 2.0 / 4, 1.0 / 3);
}

/*
 * Refinement 3: a1 x2, a2 x2 under A, b1 x1 under B, k = 2. B alone is
 * too small, so no cut between children passes; the cut inside A after
 * a1 does: a1 (2 rows) | a2 b1 (3 rows, released as *). A cut after a2
 * leaves one row. |D| = 3: a1's share 1/3, NCP 0; *'s 1 and 1.
 */
Test(mondrian, hierarchy_inside_child)
{
	static const char *const t[][1] = {
	    {"a2"}, {"b1"}, {"a1"}, {"a2"}, {"a1"}};

	hierarchy(0, "a1;A;*\na2;A;*\nb1;B;*\n");
	p.k = 2;
	BUILD(t, 1, -1);
	run();
	/* tuples: a2, b1, a1 */
	CLASSES(2, 1, 1, 0);
	expect_release(0, 0, "a1", 1.0 / 3, 0);
	expect_release(1, 0, "*", 1, 1);
}

/*
 * Without a hierarchy: b x2, a x1, c x1, k = 2, |D| = 3. In byte order
 * (a b c) no cut leaves 2 rows a side; by rows (b, then a c by bytes)
 * the cut after b does: b | a c, 2 * 0 + 2 * 1/2. Released in byte
 * order joined by '|'.
 */
Test(mondrian, set_split)
{
	static const char *const t[][1] = {{"c"}, {"b"}, {"a"}, {"b"}};

	p.k = 2;
	BUILD(t, 1, -1);
	run();
	/* tuples: c, b, a */
	CLASSES(2, 1, 0, 1);
	expect_release(0, 0, "b", 1.0 / 3, 0);
	expect_release(1, 0, "a|c", 2.0 / 3, 1.0 / 2);
}

/*
 * Byte order keeps prefixes together: ICD codes E11.1 E11.9 J45.0 J45.9,
 * a row each, k = 2, |D| = 4. Every cut with 2 rows a side leaves
 * 2 * 1/3 + 2 * 1/3 = 4/3; by bytes the one after E11.9 comes first.
 */
Test(mondrian, set_byte_order)
{
	static const char *const t[][1] = {
	    {"J45.0"}, {"E11.1"}, {"J45.9"}, {"E11.9"}};

	p.k = 2;
	BUILD(t, 1, -1);
	cr_assert_not(in->qi[0].numeric);
	run();
	CLASSES(2, 1, 0, 1, 0);
	expect_release(0, 0, "E11.1|E11.9", 2.0 / 4, 1.0 / 3);
	expect_release(1, 0, "J45.0|J45.9", 2.0 / 4, 1.0 / 3);
}

/*
 * k larger than the table: one class. Numeric: LO-HI; hierarchy: the
 * top label; set: "*" for every value of the column.
 */
Test(mondrian, k_above_table)
{
	static const char *const t[][3] = {
	    {"5", "a1", "x"}, {"7", "b1", "y"}, {"6", "a2", "x"}};

	hierarchy(1, "a1;A;*\na2;A;*\nb1;B;*\nb2;B;*\n");
	p.k = 4;
	BUILD(t, 3, -1);
	run();
	CLASSES(1, 0, 0, 0);
	expect_release(0, 0, "5-7", 1, 1);
	expect_release(0, 1, "*", 1, 1);
	expect_release(0, 2, "*", 1, 1);
}

/* A hierarchy whose top level has two labels: no label over a and b. */
Test(mondrian, hierarchy_no_common_label)
{
	static const char *const t[][1] = {{"a"}, {"b"}};

	hierarchy(0, "a;X\nb;Y\n");
	p.k = 3;
	BUILD(t, 1, -1);
	run();
	CLASSES(1, 0, 0);
	expect_release(0, 0, "*", 1, 1);
}

/*
 * One value: released as itself, also for a set (|D| = 1, NCP 0).
 */
Test(mondrian, one_value)
{
	static const char *const t[][2] = {{"x", "3"}, {"x", "3"}};

	p.k = 2;
	BUILD(t, 2, -1);
	run();
	CLASSES(1, 0);
	expect_release(0, 0, "x", 1, 0);
	expect_release(0, 1, "3", 1, 0);
}

/*
 * Two QIs: the cut that leaves less wins, whichever QI it is on. q0
 * (numeric, range 9) 0 0 9 9 and q1 (set) u v u v: cutting q0 leaves
 * 2 * (0 + 1) + 2 * (0 + 1) = 4, cutting q1 (either order) leaves
 * 2 * (9/9 + 0) * 2 = 4 too: a tie, and q0 comes first.
 */
Test(mondrian, qi_order_breaks_ties)
{
	static const char *const t[][2] = {
	    {"0", "u"}, {"0", "v"}, {"9", "u"}, {"9", "v"}};

	p.k = 2;
	BUILD(t, 2, -1);
	run();
	CLASSES(2, 0, 0, 1, 1);
	expect_release(0, 0, "0", 1.0 / 2, 0);
	expect_release(0, 1, "*", 1, 1);
	expect_release(1, 0, "9", 1.0 / 2, 0);
	expect_release(1, 1, "*", 1, 1);
}

/*
 * l-diversity forbids the cut k allows. Ages 10 11 12 20 21 22 with
 * sensitive x x x y y x, k = 2, distinct l = 2. For k alone the best
 * cut is 10-12 | 20-22 (3 * 2/12 + 3 * 2/12 = 1); its left side holds
 * only x. Cuts passing l: after 20 (x x x y | y x): 4 * 10/12 +
 * 2 * 1/12 = 3.5, the only one (after 10 or 21: one row; after 11:
 * x x). Neither side can be cut again with l = 2.
 */
Test(mondrian, l_diversity_forbids)
{
	static const char *const t[][2] = {{"10", "x"}, {"11", "x"},
					   {"12", "x"}, {"20", "y"},
					   {"21", "y"}, {"22", "x"}};

	p.k = 2;
	BUILD(t, 1, 1);
	run();
	CLASSES(2, 0, 0, 0, 1, 1, 1);
	expect_release(0, 0, "10-12", 3.0 / 6, 2.0 / 12);
	prep_recode_result_free(&r);
	have_r = 0;
	prep_recode_input_free(in);
	in = NULL;
	prep_classes_free(tab);
	tab = NULL;

	p.check_l = 1;
	p.l = 2;
	BUILD(t, 1, 1);
	run();
	CLASSES(2, 0, 0, 0, 0, 1, 1);
	expect_release(0, 0, "10-20", 4.0 / 6, 10.0 / 12);
	expect_release(1, 0, "21-22", 2.0 / 6, 1.0 / 12);
}

/*
 * t-closeness forbids the cut k allows. Ages 10 11 20 21 with
 * sensitive x x y y: the table's distribution is (1/2, 1/2); the only
 * cut (2 rows a side) leaves x x and y y, each at equal distance
 * (|1 - 1/2| + |0 - 1/2|) / 2 = 1/2 from it. t = 0.4 forbids it (one
 * class), t = 0.5 allows it.
 */
Test(mondrian, t_closeness_forbids)
{
	static const char *const t[][2] = {
	    {"10", "x"}, {"11", "x"}, {"20", "y"}, {"21", "y"}};

	p.k = 2;
	p.check_t = 1;
	p.t = 0.4;
	BUILD(t, 1, 1);
	run();
	CLASSES(1, 0, 0, 0, 0);
	expect_release(0, 0, "10-21", 1, 1);
	prep_recode_result_free(&r);
	have_r = 0;
	prep_recode_input_free(in);
	in = NULL;
	prep_classes_free(tab);
	tab = NULL;

	p.t = 0.5;
	BUILD(t, 1, 1);
	run();
	CLASSES(2, 0, 0, 1, 1);
	expect_release(0, 0, "10-11", 2.0 / 4, 1.0 / 11);
	expect_release(1, 0, "20-21", 2.0 / 4, 1.0 / 11);
}

/* No rows: no classes. */
Test(mondrian, empty)
{
	p.k = 2;
	build(NULL, 1, 0, 1, -1);
	run();
	cr_assert_eq(r.nclasses, 0);
}

/*
 * The metrics of a release, finished: the numeric_split table.
 * gcp = (3 * 2/31 + 2 * 1/31) / 5 = 8/155; dm = 9 + 4.
 */
Test(mondrian, finished_metrics)
{
	static const char *const t[][1] = {
	    {"31"}, {"60"}, {"30"}, {"61"}, {"32"}};
	prep_recode_figures f;
	uint64_t sup;
	int pass;

	p.k = 2;
	BUILD(t, 1, -1);
	run();
	cr_assert_eq(prep_recode_finish(in, &r, &sup, &pass), PREP_OK);
	cr_assert_eq(sup, 0);
	cr_assert(pass);
	cr_assert_eq(prep_recode_metrics(in, &r, &f), PREP_OK);
	cr_assert_eq(f.classes, 2);
	cr_assert_eq(f.dm, 13);
	cr_assert_float_eq(f.gcp, 8.0 / 155, 1e-12);
}

/* A small pseudo-random generator, so that the tables are the same. */
static uint32_t
next(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return (*s >> 16) & 0x7fff;
}

/*
 * Random tables of three QIs (numeric, hierarchy, set) and a sensitive
 * column, under k and distinct l: every class passes the judge, its
 * release covers each of its tuples' values, no two classes release the
 * same tuple, and running again gives the same result.
 */
Test(mondrian, random_tables_hold)
{
	static char cells[400][4][8];
	const char *ptr[400 * 4];
	uint32_t seed = 7;
	int round;

	hierarchy(1, "a1;A;*\na2;A;*\na3;A;*\nb1;B;*\nb2;B;*\nc1;C;*\n");
	for (round = 0; round < 20; round++) {
		static const char *const h[] = {"a1", "a2", "a3",
						"b1", "b2", "c1"};
		size_t n = 50 + next(&seed) % 350, i, c, j, t;
		prep_recode_result r2;
		prep_kanon_judge *judge;

		for (i = 0; i < n; i++) {
			snprintf(cells[i][0], 8, "%u", 18 + next(&seed) % 40);
			snprintf(cells[i][1], 8, "%s", h[next(&seed) % 6]);
			snprintf(cells[i][2], 8, "s%u", next(&seed) % 7);
			snprintf(cells[i][3], 8, "v%u", next(&seed) % 3);
			for (j = 0; j < 4; j++)
				ptr[i * 4 + j] = cells[i][j];
		}
		prep_kanon_params_init(&p);
		p.k = 2 + next(&seed) % 6;
		p.check_l = round % 2;
		p.l = 2;
		build(ptr, 4, n, 3, 3);
		run();
		cr_assert_eq(
		    prep_kanon_judge_new(&p, in->svalue, in->nsvalues, &judge),
		    PREP_OK);
		{
			prep_recode_classes k;

			cr_assert_eq(prep_recode_classes_of(in, r.class_of,
							    r.nclasses, &k),
				     PREP_OK);
			for (c = 0; c < r.nclasses; c++) {
				double l, tt;
				int fails;

				const prep_class_count *cnt =
				    p.check_l ? &k.scount[k.srun[c]] : NULL;
				size_t nc =
				    p.check_l ? k.srun[c + 1] - k.srun[c] : 0;

				cr_assert_eq(prep_kanon_judge_class(
						 judge, k.size[c], cnt, nc, &l,
						 &tt, &fails),
					     PREP_OK);
				/* one class may fail: the whole table */
				if (r.nclasses > 1)
					cr_assert_eq(fails, 0, "class %zu", c);
			}
			prep_recode_classes_free(&k);
		}
		prep_kanon_judge_free(judge);
		/* every tuple's values are under its class's release */
		for (t = 0; t < in->ntuples; t++) {
			size_t cl = r.class_of[t];
			const prep_recode_qi *q0 = &in->qi[0], *q1 = &in->qi[1],
					     *q2 = &in->qi[2];
			const prep_field *rel = &r.release[cl * 3];
			double x = q0->number[in->code[t * 3]], lo, hi;
			char *end;
			const prep_field *v1 = &q1->value[in->code[t * 3 + 1]];
			const prep_field *v2 = &q2->value[in->code[t * 3 + 2]];

			cr_assert_lt(cl, r.nclasses);
			lo = strtod(rel[0].data, &end);
			hi = *end == '-' ? strtod(end + 1, NULL) : lo;
			cr_assert(lo <= x && x <= hi, "%g not in %s", x,
				  rel[0].data);
			cr_assert(strcmp(rel[1].data, "*") == 0 ||
				      strncmp(rel[1].data, v1->data, 2) == 0 ||
				      (rel[1].len == 1 &&
				       rel[1].data[0] == v1->data[0] - 32),
				  "%s not over %s", rel[1].data, v1->data);
			cr_assert(strcmp(rel[2].data, "*") == 0 ||
				      strstr(rel[2].data, v2->data) != NULL,
				  "%s not over %s", rel[2].data, v2->data);
		}
		/* no two classes release the same tuple */
		for (c = 0; c < r.nclasses; c++)
			for (i = c + 1; i < r.nclasses; i++) {
				int same = 1;

				for (j = 0; j < 3; j++)
					same &=
					    r.release[c * 3 + j].len ==
						r.release[i * 3 + j].len &&
					    memcmp(r.release[c * 3 + j].data,
						   r.release[i * 3 + j].data,
						   r.release[c * 3 + j].len) ==
						0;
				cr_assert_not(same, "classes %zu and %zu", c,
					      i);
			}
		/* again: the same classes and texts */
		cr_assert_eq(prep_mondrian(in, &r2), PREP_OK);
		cr_assert_eq(r2.nclasses, r.nclasses);
		cr_assert(memcmp(r2.class_of, r.class_of,
				 in->ntuples * sizeof *r.class_of) == 0);
		cr_assert_eq(r2.text.len, r.text.len);
		cr_assert(memcmp(r2.text.data, r.text.data, r.text.len) == 0);
		prep_recode_result_free(&r2);
		prep_recode_result_free(&r);
		have_r = 0;
		prep_recode_input_free(in);
		in = NULL;
		prep_classes_free(tab);
		tab = NULL;
	}
}
