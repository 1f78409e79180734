/*
 * test_oversample.c: unit tests of libprep/oversample.c: the plan of
 * every strategy and of targets, random draws within a class, SMOTE's
 * neighbours against a brute-force search, its rows checked
 * geometrically, categorical modes, errors, and record sizes against
 * what prep_writer writes; the merge of the tables of several threads
 * against one table of the same rows.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "noise.h"
#include "oversample.h"

static const prep_where here = {"t", 1, 0};

static prep_field
fld(const char *s)
{
	prep_field f = {s, strlen(s)};

	return f;
}

/* Random-method table of one column, the classes given as a string of
 * one-letter labels; row i has offset 10*i and length i+1. */
static prep_oversample *
table_of(const char *labels)
{
	prep_oversample *o;
	size_t g = 0, i;
	char buf[2] = {0, 0};

	cr_assert_eq(prep_oversample_new(1, &g, 1, 0, NULL, 0, 0, 0, &o),
		     PREP_OK);
	for (i = 0; labels[i]; i++) {
		prep_field f;

		buf[0] = labels[i];
		f = fld(buf);
		cr_assert_eq(
		    prep_oversample_add(o, &f, 10 * i, i + 1, here, NULL),
		    PREP_OK);
	}
	return o;
}

/* Needs of classes in order of appearance, for strategy s. */
static void
check_plan(const char *labels, prep_oversample_strategy s, const uint64_t *want,
	   size_t n)
{
	prep_oversample *o = table_of(labels);
	size_t i;
	uint64_t total = 0;

	cr_assert_eq(prep_oversample_classes(o), n);
	cr_assert_eq(prep_oversample_plan(o, s, NULL, NULL), PREP_OK);
	for (i = 0; i < n; i++) {
		cr_assert_eq(prep_oversample_need(o, i), want[i],
			     "class %zu: %llu", i,
			     (unsigned long long)prep_oversample_need(o, i));
		total += want[i];
	}
	cr_assert_eq(prep_oversample_total_need(o), total);
	prep_oversample_free(o);
}

/* A: 5, B: 3, C: 1, D: 5 (a tie for the majority: A is first). */
#define LABELS "AABACDDBDBADDA"

Test(oversample, strategies)
{
	static const uint64_t nm[] = {0, 2, 4, 0};
	static const uint64_t mi[] = {0, 0, 4, 0};
	static const uint64_t nmi[] = {0, 2, 0, 0};
	static const uint64_t all[] = {0, 2, 4, 0};

	check_plan(LABELS, PREP_OVERSAMPLE_NOT_MAJORITY, nm, 4);
	check_plan(LABELS, PREP_OVERSAMPLE_MINORITY, mi, 4);
	check_plan(LABELS, PREP_OVERSAMPLE_NOT_MINORITY, nmi, 4);
	check_plan(LABELS, PREP_OVERSAMPLE_ALL, all, 4);
}

Test(oversample, strategies_minority_tie_and_one_class)
{
	static const uint64_t a[] = {0, 2, 2};
	static const uint64_t b[] = {0, 2, 0};
	static const uint64_t one[] = {0};

	check_plan("AAAABBCC", PREP_OVERSAMPLE_NOT_MAJORITY, a, 3);
	check_plan("AAAABBCC", PREP_OVERSAMPLE_MINORITY, b, 3);
	check_plan("AAA", PREP_OVERSAMPLE_ALL, one, 1);
}

Test(oversample, targets)
{
	prep_oversample *o = table_of(LABELS);
	uint64_t t[4] = {0, 10, 1, 5};
	size_t bad = 99;

	cr_assert_eq(prep_oversample_plan(o, PREP_OVERSAMPLE_TARGETS, t, &bad),
		     PREP_OK);
	cr_assert_eq(prep_oversample_need(o, 0), 0);
	cr_assert_eq(prep_oversample_need(o, 1), 7);
	cr_assert_eq(prep_oversample_need(o, 2), 0);
	cr_assert_eq(prep_oversample_need(o, 3), 0);
	cr_assert_eq(prep_oversample_plan(o, PREP_OVERSAMPLE_ALL, NULL, NULL),
		     PREP_ERR_ARG);
	prep_oversample_free(o);

	o = table_of(LABELS);
	t[0] = 4; /* A has 5 */
	cr_assert_eq(prep_oversample_plan(o, PREP_OVERSAMPLE_TARGETS, t, &bad),
		     PREP_ERR_RANGE);
	cr_assert_eq(bad, 0);
	prep_oversample_free(o);
}

Test(oversample, find_and_fields)
{
	prep_oversample *o = table_of(LABELS);
	prep_field f = fld("C"), g;
	size_t c;

	cr_assert_eq(prep_oversample_find(o, &f, &c), PREP_OK);
	cr_assert_eq(c, 2);
	cr_assert_eq(prep_oversample_count(o, 2), 1);
	g = prep_oversample_class_field(o, 3, 0);
	cr_assert_eq(g.len, 1);
	cr_assert_eq(g.data[0], 'D');
	f = fld("E");
	cr_assert_eq(prep_oversample_find(o, &f, &c), PREP_ERR_NOT_FOUND);
	cr_assert_eq(prep_oversample_rows(o), 14);
	prep_oversample_free(o);
}

Test(oversample, random_draws_stay_in_class)
{
	prep_oversample *o = table_of(LABELS);
	prep_rng *g;
	uint64_t off, len;
	size_t i, c, hits[14] = {0};

	cr_assert_eq(prep_rng_new_seeded(7, &g), PREP_OK);
	cr_assert_eq(prep_oversample_plan(o, PREP_OVERSAMPLE_ALL, NULL, NULL),
		     PREP_OK);
	for (c = 1; c <= 2; c++)
		for (i = 0; i < 2000; i++) {
			cr_assert_eq(prep_oversample_draw(o, g, c, &off, &len),
				     PREP_OK);
			cr_assert_eq(off % 10, 0);
			cr_assert_eq(len, off / 10 + 1);
			cr_assert_eq(LABELS[off / 10], c == 1 ? 'B' : 'C');
			hits[off / 10]++;
		}
	/* B's rows 2, 7, 9: each drawn about 667 times of 2000 */
	cr_assert(hits[2] > 500 && hits[7] > 500 && hits[9] > 500);
	cr_assert_eq(hits[4], 2000);
	/* no rows for A: nothing to draw from */
	cr_assert_eq(prep_oversample_draw(o, g, 0, &off, &len), PREP_ERR_ARG);
	prep_rng_free(g);
	prep_oversample_free(o);
}

/* ---- SMOTE ---- */

#define NPTS 600
#define DIM 3
#define K 5

struct pts {
	double x[NPTS][DIM];
	int cls[NPTS];
	char text[NPTS][DIM][32];
	char cat[NPTS][8];
};

/*
 * Columns: f0, class, f1, color, f2. Class "a" (1 in 6 rows) or "b";
 * coordinates on a coarse grid so that there are ties and duplicates.
 */
static prep_oversample *
smote_table(struct pts *p, size_t k)
{
	static const size_t group = 1, feat[DIM] = {0, 2, 4};
	prep_oversample *o;
	prep_rng *g;
	size_t i, d;
	uint64_t v;

	cr_assert_eq(prep_rng_new_seeded(3, &g), PREP_OK);
	cr_assert_eq(prep_oversample_new(5, &group, 1, 1, feat, DIM, k, 0, &o),
		     PREP_OK);
	for (i = 0; i < NPTS; i++) {
		prep_field row[5];

		p->cls[i] = i % 6 == 5; /* "b" first: class 0 */
		for (d = 0; d < DIM; d++) {
			prep_rng_uniform(g, 40, &v);
			p->x[i][d] = (double)v / 4 - 3;
			snprintf(p->text[i][d], sizeof p->text[i][d], "%g",
				 p->x[i][d]);
			row[feat[d]] = fld(p->text[i][d]);
		}
		prep_rng_uniform(g, 3, &v);
		snprintf(p->cat[i], sizeof p->cat[i], "c%d", (int)v);
		row[1] = fld(p->cls[i] ? "a" : "b");
		row[3] = fld(p->cat[i]);
		cr_assert_eq(prep_oversample_add(o, row, 0, 0, here, NULL),
			     PREP_OK);
	}
	prep_rng_free(g);
	return o;
}

static double
dist2(const double *a, const double *b)
{
	double s = 0;
	size_t d;

	for (d = 0; d < DIM; d++)
		s += (a[d] - b[d]) * (a[d] - b[d]);
	return s;
}

/* Global indexes of the rows of class cl (1: "a"), in order. */
static size_t
members(const struct pts *p, int cl, size_t *m)
{
	size_t i, n = 0;

	for (i = 0; i < NPTS; i++)
		if (p->cls[i] == cl)
			m[n++] = i;
	return n;
}

/* The k-th smallest squared distance from row i to the others of m. */
static double
kth_distance(const struct pts *p, const size_t *m, size_t n, size_t i, size_t k)
{
	double *d = malloc(n * sizeof *d), t;
	size_t a, b, c = 0;

	for (a = 0; a < n; a++)
		if (a != i)
			d[c++] = dist2(p->x[m[i]], p->x[m[a]]);
	for (a = 0; a < k; a++)
		for (b = a + 1; b < c; b++)
			if (d[b] < d[a]) {
				t = d[a];
				d[a] = d[b];
				d[b] = t;
			}
	t = d[k - 1];
	free(d);
	return t;
}

Test(oversample, neighbours_exact)
{
	static struct pts p;
	static size_t m[NPTS];
	prep_oversample *o = smote_table(&p, K);
	uint64_t nn[K];
	size_t n, i, j;
	int cl;

	cr_assert_eq(prep_oversample_plan(o, PREP_OVERSAMPLE_ALL, NULL, NULL),
		     PREP_OK);
	/* class "b" is the majority and gets nothing: check "a" */
	cr_assert_eq(prep_oversample_need(o, 1), 400);
	cl = 1;
	n = members(&p, cl, m);
	cr_assert_eq(n, 100);
	for (i = 0; i < n; i++) {
		double kth = kth_distance(&p, m, n, i, K), prev = 0;

		cr_assert_eq(prep_oversample_neighbours(o, 1, i, nn), PREP_OK);
		for (j = 0; j < K; j++) {
			double d = dist2(p.x[m[i]], p.x[m[nn[j]]]);

			cr_assert_neq(nn[j], i);
			cr_assert(nn[j] < n);
			cr_assert(d <= kth, "row %zu: neighbour %zu too far", i,
				  j);
			cr_assert(d >= prev);
			prev = d;
			if (j > 0)
				cr_assert_neq(nn[j], nn[j - 1]);
		}
	}
	prep_oversample_free(o);
}

/* A bigger class: the k-d tree against brute force on every row. */
Test(oversample, neighbours_exact_big_class)
{
	static const size_t group = 2, feat[2] = {0, 1};
	prep_oversample *o;
	prep_rng *g;
	static double x[3000][2];
	static char t[3000][2][32];
	uint64_t v, nn[4];
	size_t i, j, a;

	cr_assert_eq(prep_rng_new_seeded(11, &g), PREP_OK);
	cr_assert_eq(prep_oversample_new(3, &group, 1, 1, feat, 2, 4, 0, &o),
		     PREP_OK);
	for (i = 0; i < 3000; i++) {
		prep_field row[3];

		for (j = 0; j < 2; j++) {
			prep_rng_u64(g, &v);
			x[i][j] = (double)(v >> 11) * 0x1p-53 * 100;
			snprintf(t[i][j], sizeof t[i][j], "%.17g", x[i][j]);
			row[j] = fld(t[i][j]);
		}
		row[2] = fld(i < 2000 ? "big" : "small");
		cr_assert_eq(prep_oversample_add(o, row, 0, 0, here, NULL),
			     PREP_OK);
	}
	cr_assert_eq(prep_oversample_plan(o, PREP_OVERSAMPLE_ALL, NULL, NULL),
		     PREP_OK);
	cr_assert_eq(prep_oversample_need(o, 0), 0);
	cr_assert_eq(prep_oversample_need(o, 1), 1000);
	for (i = 0; i < 1000; i++) {
		double best[4] = {INFINITY, INFINITY, INFINITY, INFINITY};
		const double *q = x[2000 + i];

		for (a = 2000; a < 3000; a++) {
			double d = (x[a][0] - q[0]) * (x[a][0] - q[0]) +
				   (x[a][1] - q[1]) * (x[a][1] - q[1]);

			if (a == 2000 + i)
				continue;
			for (j = 4; j > 0 && best[j - 1] > d; j--)
				if (j < 4)
					best[j] = best[j - 1];
			if (j < 4)
				best[j] = d;
		}
		cr_assert_eq(prep_oversample_neighbours(o, 1, i, nn), PREP_OK);
		for (j = 0; j < 4; j++) {
			const double *r = x[2000 + nn[j]];
			double d = (r[0] - q[0]) * (r[0] - q[0]) +
				   (r[1] - q[1]) * (r[1] - q[1]);

			cr_assert_eq(d, best[j], "row %zu neighbour %zu", i, j);
		}
	}
	prep_rng_free(g);
	prep_oversample_free(o);
}

Test(oversample, smote_rows_on_segments)
{
	static struct pts p;
	static size_t m[NPTS];
	prep_oversample *o = smote_table(&p, K);
	const prep_field *f;
	prep_rng *g;
	uint64_t base, nnr, nn[K];
	size_t n, r, d, j;

	cr_assert_eq(prep_rng_new_seeded(5, &g), PREP_OK);
	cr_assert_eq(
	    prep_oversample_plan(o, PREP_OVERSAMPLE_NOT_MAJORITY, NULL, NULL),
	    PREP_OK);
	n = members(&p, 1, m);
	for (r = 0; r < 400; r++) {
		double y[DIM], u = -1, kth;
		const double *a, *b;
		int inset = 0, cnt[3] = {0, 0, 0}, top = 0, mine;

		cr_assert_eq(
		    prep_oversample_smote_row(o, g, 1, &f, &base, &nnr),
		    PREP_OK);
		cr_assert(base < n && nnr < n && base != nnr);
		/* the class column: "a" */
		cr_assert_eq(f[1].len, 1);
		cr_assert_eq(f[1].data[0], 'a');
		for (d = 0; d < DIM; d++) {
			char *end;

			y[d] = strtod(f[2 * d].data, &end);
			cr_assert_eq(end, f[2 * d].data + f[2 * d].len);
		}
		/* geometry: y = a + u (b - a), u in [0, 1] */
		a = p.x[m[base]];
		b = p.x[m[nnr]];
		for (d = 0; d < DIM; d++)
			if (a[d] != b[d]) {
				u = (y[d] - a[d]) / (b[d] - a[d]);
				break;
			}
		if (u < 0)
			u = 0; /* a == b: y must be a */
		cr_assert(u >= 0 && u <= 1, "u = %g", u);
		for (d = 0; d < DIM; d++)
			cr_assert(fabs(a[d] + u * (b[d] - a[d]) - y[d]) <=
				      1e-12,
				  "row %zu off the segment", r);
		/* nn is one of base's K nearest */
		kth = kth_distance(&p, m, n, base, K);
		cr_assert(dist2(a, b) <= kth);
		/* categorical: a most frequent value among the K */
		cr_assert_eq(prep_oversample_neighbours(o, 1, base, nn),
			     PREP_OK);
		for (j = 0; j < K; j++) {
			cnt[p.cat[m[nn[j]]][1] - '0']++;
			inset |= nn[j] == nnr;
		}
		cr_assert(inset);
		for (j = 0; j < 3; j++)
			if (cnt[j] > top)
				top = cnt[j];
		cr_assert_eq(f[3].len, 2);
		mine = f[3].data[1] - '0';
		cr_assert(mine >= 0 && mine < 3);
		cr_assert_eq(cnt[mine], top, "not a most frequent value");
	}
	prep_rng_free(g);
	prep_oversample_free(o);
}

/* The same seed, the same rows; another seed, other rows. */
static void
rows_with_seed(uint64_t seed, char *out, size_t n)
{
	static struct pts p;
	prep_oversample *o = smote_table(&p, K);
	const prep_field *f;
	prep_rng *g;
	size_t r, i, at = 0;

	cr_assert_eq(prep_rng_new_seeded(seed, &g), PREP_OK);
	cr_assert_eq(
	    prep_oversample_plan(o, PREP_OVERSAMPLE_NOT_MAJORITY, NULL, NULL),
	    PREP_OK);
	for (r = 0; r < 50; r++) {
		cr_assert_eq(prep_oversample_smote_row(o, g, 1, &f, NULL, NULL),
			     PREP_OK);
		for (i = 0; i < 5; i++)
			at += (size_t)snprintf(out + at, n - at, "%.*s,",
					       (int)f[i].len, f[i].data);
	}
	prep_rng_free(g);
	prep_oversample_free(o);
}

Test(oversample, smote_seed_reproducible)
{
	static char a[65536], b[65536], c[65536];

	rows_with_seed(42, a, sizeof a);
	rows_with_seed(42, b, sizeof b);
	rows_with_seed(43, c, sizeof c);
	cr_assert_str_eq(a, b);
	cr_assert_str_neq(a, c);
}

Test(oversample, smote_small_class)
{
	static struct pts p;
	prep_oversample *o = smote_table(&p, 100); /* "a" has 100 rows */
	size_t bad = 99;

	cr_assert_eq(
	    prep_oversample_plan(o, PREP_OVERSAMPLE_NOT_MAJORITY, NULL, &bad),
	    PREP_ERR_LIMIT);
	cr_assert_eq(bad, 1);
	prep_oversample_free(o);
	/* the majority gets no rows: its size does not matter */
	o = smote_table(&p, 99);
	cr_assert_eq(
	    prep_oversample_plan(o, PREP_OVERSAMPLE_NOT_MAJORITY, NULL, &bad),
	    PREP_OK);
	prep_oversample_free(o);
}

Test(oversample, smote_not_a_number)
{
	static const size_t group = 0, feat[2] = {1, 2};
	prep_oversample *o;
	prep_field row[3] = {{"a", 1}, {"1.5", 3}, {"x", 1}};
	prep_field ok[3] = {{"a", 1}, {"1", 1}, {"2e3", 3}};
	size_t bad = 0;

	cr_assert_eq(prep_oversample_new(3, &group, 1, 1, feat, 2, 1, 0, &o),
		     PREP_OK);
	cr_assert_eq(prep_oversample_add(o, row, 0, 0, here, &bad),
		     PREP_ERR_VALUE);
	cr_assert_eq(bad, 2);
	row[2] = fld("");
	cr_assert_eq(prep_oversample_add(o, row, 0, 0, here, &bad),
		     PREP_ERR_VALUE);
	row[1] = fld("inf");
	row[2] = fld("1");
	cr_assert_eq(prep_oversample_add(o, row, 0, 0, here, &bad),
		     PREP_ERR_VALUE);
	cr_assert_eq(bad, 1);
	cr_assert_eq(prep_oversample_rows(o), 0);
	cr_assert_eq(prep_oversample_classes(o), 0);
	cr_assert_eq(prep_oversample_add(o, ok, 0, 0, here, &bad), PREP_OK);
	cr_assert_eq(prep_oversample_rows(o), 1);
	prep_oversample_free(o);
}

Test(oversample, bad_arguments)
{
	static const size_t g = 0, f = 0, f2[2] = {1, 1};
	prep_oversample *o;

	cr_assert_eq(prep_oversample_new(2, &g, 1, 1, &f, 1, 5, 0, &o),
		     PREP_ERR_ARG);
	cr_assert_eq(prep_oversample_new(2, &g, 1, 1, f2, 2, 5, 0, &o),
		     PREP_ERR_ARG);
	cr_assert_eq(prep_oversample_new(2, &g, 0, 0, NULL, 0, 5, 0, &o),
		     PREP_ERR_ARG);
	cr_assert_eq(prep_oversample_new(1, f2, 1, 0, NULL, 0, 5, 0, &o),
		     PREP_ERR_ARG);
	cr_assert_eq(prep_oversample_new(2, &g, 1, 1, NULL, 0, 0, 0, &o),
		     PREP_ERR_ARG);
}

/* All-categorical: the overlap metric, and every column a mode. */
Test(oversample, smote_all_categorical)
{
	static const size_t group = 0;
	static const char *rows[][3] = {
	    {"m", "x", "p"}, {"m", "x", "p"}, {"m", "x", "q"},
	    {"m", "y", "q"}, {"n", "x", "p"}, {"n", "x", "p"},
	    {"n", "x", "p"}, {"n", "y", "q"}, {"n", "x", "q"},
	};
	prep_oversample *o;
	const prep_field *f;
	prep_rng *g;
	uint64_t base, nn;
	size_t i, j;

	cr_assert_eq(prep_rng_new_seeded(1, &g), PREP_OK);
	cr_assert_eq(prep_oversample_new(3, &group, 1, 1, NULL, 0, 3, 0, &o),
		     PREP_OK);
	for (i = 0; i < 9; i++) {
		prep_field r[3];

		for (j = 0; j < 3; j++)
			r[j] = fld(rows[i][j]);
		cr_assert_eq(prep_oversample_add(o, r, 0, 0, here, NULL),
			     PREP_OK);
	}
	cr_assert_eq(
	    prep_oversample_plan(o, PREP_OVERSAMPLE_NOT_MAJORITY, NULL, NULL),
	    PREP_OK);
	cr_assert_eq(prep_oversample_need(o, 0), 1);
	/* class m has 4 rows, k = 3: every row's neighbours are the three
	 * others, and the mode of each column over them */
	for (i = 0; i < 20; i++) {
		const char *want1, *want2;

		cr_assert_eq(prep_oversample_smote_row(o, g, 0, &f, &base, &nn),
			     PREP_OK);
		cr_assert_eq(f[0].len, 1);
		cr_assert_eq(f[0].data[0], 'm');
		/* others of base: col 1 "x" unless base is row 3's only y */
		want1 = "x";
		/* col 2: rows 0,1 p; rows 2,3 q: others of 0/1: p,q,q -> q;
		 * others of 2/3: p,p,q -> p */
		want2 = base < 2 ? "q" : "p";
		cr_assert_eq(f[1].data[0], want1[0]);
		cr_assert_eq(f[2].data[0], want2[0], "base %llu",
			     (unsigned long long)base);
	}
	prep_rng_free(g);
	prep_oversample_free(o);
}

/* ---- --target lists, counts, --mark ---- */

Test(oversample, parse_count)
{
	uint64_t v = 99;

	cr_assert_eq(prep_oversample_parse_count("0", 1, &v), PREP_OK);
	cr_assert_eq(v, 0);
	cr_assert_eq(prep_oversample_parse_count("0007", 4, &v), PREP_OK);
	cr_assert_eq(v, 7);
	cr_assert_eq(prep_oversample_parse_count("9999999999999999999", 19, &v),
		     PREP_OK);
	cr_assert_eq(v, UINT64_C(9999999999999999999));
	/* only len bytes are read */
	cr_assert_eq(prep_oversample_parse_count("12,3", 2, &v), PREP_OK);
	cr_assert_eq(v, 12);
	v = 99;
	cr_assert_eq(prep_oversample_parse_count("", 0, &v), PREP_ERR_VALUE);
	cr_assert_eq(
	    prep_oversample_parse_count("12345678901234567890", 20, &v),
	    PREP_ERR_VALUE);
	cr_assert_eq(prep_oversample_parse_count("+1", 2, &v), PREP_ERR_VALUE);
	cr_assert_eq(prep_oversample_parse_count("-1", 2, &v), PREP_ERR_VALUE);
	cr_assert_eq(prep_oversample_parse_count(" 1", 2, &v), PREP_ERR_VALUE);
	cr_assert_eq(prep_oversample_parse_count("1x", 2, &v), PREP_ERR_VALUE);
	cr_assert_eq(v, 99);
}

/* The targets of list on LABELS (A 5, B 3, C 1, D 5), or its fault. */
static prep_status
targets_of(const char *labels, const char *list, uint64_t *t,
	   prep_oversample_target_fault *f)
{
	prep_oversample *o = table_of(labels);
	uint64_t *got = NULL;
	size_t i;
	prep_status st = prep_oversample_parse_targets(o, list, &got, f);

	if (st == PREP_OK)
		for (i = 0; i < prep_oversample_classes(o); i++)
			t[i] = got[i];
	else
		cr_assert_null(got);
	free(got);
	prep_oversample_free(o);
	return st;
}

static void
target_fault(const char *list, prep_oversample_target_error what, size_t item)
{
	prep_oversample_target_fault f;
	uint64_t t[4];

	memset(&f, 0, sizeof f);
	cr_assert_eq(targets_of(LABELS, list, t, &f), PREP_ERR_ARG, "%s", list);
	cr_assert_eq(f.what, what, "%s: fault %d", list, (int)f.what);
	cr_assert_eq(f.item, item, "%s: item %zu", list, f.item);
}

Test(oversample, parse_targets)
{
	prep_oversample_target_fault f;
	uint64_t t[4] = {9, 9, 9, 9};

	cr_assert_eq(targets_of(LABELS, "B=10,C=1", t, &f), PREP_OK);
	cr_assert_eq(t[0], 0);
	cr_assert_eq(t[1], 10);
	cr_assert_eq(t[2], 1);
	cr_assert_eq(t[3], 0);
	/* a target equal to the class's rows */
	cr_assert_eq(targets_of(LABELS, "A=5", t, &f), PREP_OK);
	cr_assert_eq(t[0], 5);
	/* split at the last '=': the class "=" (2 rows) to 3 */
	cr_assert_eq(targets_of("A==", "==3", t, &f), PREP_OK);
	cr_assert_eq(t[0], 0);
	cr_assert_eq(t[1], 3);

	target_fault("B=4,C", PREP_OVERSAMPLE_TARGET_NOT_PAIR, 2);
	target_fault(",", PREP_OVERSAMPLE_TARGET_NOT_PAIR, 1);
	target_fault("B=4,", PREP_OVERSAMPLE_TARGET_NOT_PAIR, 2);
	target_fault("B=x", PREP_OVERSAMPLE_TARGET_NOT_COUNT, 1);
	target_fault("B=", PREP_OVERSAMPLE_TARGET_NOT_COUNT, 1);
	target_fault("B=4,C=0", PREP_OVERSAMPLE_TARGET_ZERO, 2);
	/* N is read before the class is looked up */
	target_fault("E=0", PREP_OVERSAMPLE_TARGET_ZERO, 1);
	target_fault("B=4,E=3", PREP_OVERSAMPLE_TARGET_UNKNOWN, 2);
	target_fault("x=y=5", PREP_OVERSAMPLE_TARGET_UNKNOWN, 1);
	target_fault("B=4,B=5", PREP_OVERSAMPLE_TARGET_TWICE, 2);
	/* the first fault wins, item by item */
	target_fault("E=1,B=x", PREP_OVERSAMPLE_TARGET_UNKNOWN, 1);

	memset(&f, 0, sizeof f);
	cr_assert_eq(targets_of(LABELS, "B=4,A=4", t, &f), PREP_ERR_ARG);
	cr_assert_eq(f.what, PREP_OVERSAMPLE_TARGET_BELOW);
	cr_assert_eq(f.item, 2);
	cr_assert_eq(f.cls, 0);
	cr_assert_eq(f.target, 4);
}

/* Two group columns: G is their values joined by ':'. */
Test(oversample, parse_targets_two_columns)
{
	static const size_t g[] = {0, 1};
	prep_oversample *o;
	prep_field r[2];
	prep_oversample_target_fault f;
	uint64_t *t = NULL;

	cr_assert_eq(prep_oversample_new(2, g, 2, 0, NULL, 0, 0, 0, &o),
		     PREP_OK);
	r[0] = fld("a");
	r[1] = fld("b:c"); /* only the last value may hold ':' */
	cr_assert_eq(prep_oversample_add(o, r, 0, 1, here, NULL), PREP_OK);
	r[1] = fld("d");
	cr_assert_eq(prep_oversample_add(o, r, 0, 1, here, NULL), PREP_OK);
	cr_assert_eq(prep_oversample_parse_targets(o, "a:d=4,a:b:c=2", &t, &f),
		     PREP_OK);
	cr_assert_eq(t[0], 2);
	cr_assert_eq(t[1], 4);
	free(t);
	cr_assert_eq(prep_oversample_parse_targets(o, "a:d=4,a=2", &t, &f),
		     PREP_ERR_ARG);
	cr_assert_eq(f.what, PREP_OVERSAMPLE_TARGET_VALUES);
	cr_assert_eq(f.item, 2);
	prep_oversample_free(o);
}

/* What prep_oversample_write_marked writes of rec, as a string. */
static char *
marked(const char *rec, size_t len, int delim, int crlf, char mark,
       prep_status *st)
{
	char path[256];
	const char *tmp = getenv("TMPDIR");
	prep_writer_options wo = {delim, crlf, 0, 0, 0, 0};
	prep_writer *w;
	char *buf = calloc(1, 256);
	FILE *f;
	int fd;

	if (tmp == NULL || *tmp == '\0' || strlen(tmp) > 200)
		tmp = "/tmp";
	snprintf(path, sizeof path, "%s/test_oversample.XXXXXX", tmp);
	fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(prep_writer_new(fd, &wo, &w), PREP_OK);
	*st = prep_oversample_write_marked(w, rec, len, delim, crlf, mark);
	cr_assert_eq(prep_writer_finish(w), PREP_OK);
	prep_writer_free(w);
	close(fd);
	f = fopen(path, "rb");
	cr_assert_not_null(f);
	cr_assert_lt(fread(buf, 1, 255, f), 255);
	fclose(f);
	unlink(path);
	return buf;
}

Test(oversample, write_marked)
{
	prep_status st;
	char *s;

	s = marked("1,\"a,b\"\n", 8, ',', 0, '0', &st);
	cr_assert_eq(st, PREP_OK);
	cr_assert_str_eq(s, "1,\"a,b\",0\n");
	free(s);
	s = marked("1\tx\r\n", 5, '\t', 1, '1', &st);
	cr_assert_eq(st, PREP_OK);
	cr_assert_str_eq(s, "1\tx\t1\r\n");
	free(s);
	/* only len bytes: the record's own */
	s = marked("a\nb\n", 2, ';', 0, '1', &st);
	cr_assert_eq(st, PREP_OK);
	cr_assert_str_eq(s, "a;1\n");
	free(s);
	s = marked("\n", 1, ',', 1, '1', &st);
	cr_assert_eq(st, PREP_ERR_ARG);
	cr_assert_str_eq(s, "");
	free(s);
}

/* What merged_of's merge returned, and the first row it named. */
static prep_status st_merge;
static uint64_t merge_bad_place;
static unsigned long merge_bad_line, one_limit_line;

/*
 * Rows of the three-column layout (class, feature x, category c) of row
 * i of a made-up input, for the merge tests: a class label from
 * labels, x and c from i.
 */
static void
row_of(const char *labels, size_t i, char *cls, char *x, char *c, prep_field *f)
{
	cls[0] = labels[i];
	cls[1] = '\0';
	(void)snprintf(x, 24, "%zu.%zu", (i * 7919) % 101, i % 10);
	(void)snprintf(c, 8, "v%zu", (i * 31) % 7);
	f[0] = fld(cls);
	f[1] = fld(x);
	f[2] = fld(c);
}

/*
 * The rows of labels, pieces of per rows, piece p counted by part p %
 * nparts (add_at), row i of length 3 + i % 5 spooled at its piece's
 * place; piece 0 is empty when skip0, and with lead the first record
 * grew by lead bytes when appended. Merged into a new table; the same
 * rows added in order to *one (off and len those of the spool).
 */
static prep_oversample *
merged_of(const char *labels, size_t per, size_t nparts, int smote, int skip0,
	  uint64_t lead, size_t max, prep_oversample **one)
{
	size_t g = 0, feat = 1, n = strlen(labels), i, t;
	prep_oversample *parts[4], *o;
	uint64_t piece_off[64], spool = 0, local = 0, piece = skip0, bad_place;
	uint64_t cnt = 0;
	prep_where bad;

	one_limit_line = 0;
	cr_assert(nparts <= 4);
	cr_assert_eq(
	    prep_oversample_new(3, &g, 1, smote, &feat, 1, 2, max, one),
	    PREP_OK);
	cr_assert_eq(prep_oversample_new(3, &g, 1, smote, &feat, 1, 2, max, &o),
		     PREP_OK);
	for (t = 0; t < nparts; t++)
		cr_assert_eq(prep_oversample_new(3, &g, 1, smote, &feat, 1, 2,
						 max, &parts[t]),
			     PREP_OK);
	piece_off[0] = 0;
	piece_off[piece] = 0;
	for (i = 0; i < n; i++) {
		char cls[2], x[24], c[8];
		prep_field f[3];
		prep_where w = {"t", (unsigned long)i + 2, 0};
		uint64_t len = 3 + i % 5, glen = len + (i == 0 ? lead : 0);
		prep_status st;

		row_of(labels, i, cls, x, c, f);
		st = prep_oversample_add_at(parts[piece % nparts], f, local,
					    len, w, piece << 32 | cnt, NULL);
		if (st == PREP_ERR_LIMIT)
			break;
		cr_assert_eq(st, PREP_OK);
		st = prep_oversample_add(*one, f, spool, glen, w, NULL);
		if (st == PREP_ERR_LIMIT && one_limit_line == 0)
			one_limit_line = w.line;
		cr_assert(st == PREP_OK || st == PREP_ERR_LIMIT);
		spool += glen;
		local += len;
		if (++cnt == per) {
			piece++;
			cr_assert(piece < 64);
			piece_off[piece] = spool;
			local = cnt = 0;
		}
	}
	bad.file = NULL;
	st_merge = prep_oversample_merge(o, parts, nparts, piece_off, piece + 1,
					 lead, &bad, &bad_place);
	merge_bad_place = bad_place;
	merge_bad_line = bad.line;
	return o;
}

/* Draws of every class of a and b, planned alike, are the same rows. */
static void
check_same_draws(prep_oversample *a, prep_oversample *b, int smote,
		 prep_oversample_strategy s)
{
	prep_rng *ga, *gb;
	size_t c, d;
	int k;

	cr_assert_eq(prep_oversample_classes(a), prep_oversample_classes(b));
	cr_assert_eq(prep_oversample_rows(a), prep_oversample_rows(b));
	for (c = 0; c < prep_oversample_classes(a); c++) {
		prep_field fa = prep_oversample_class_field(a, c, 0);
		prep_field fb = prep_oversample_class_field(b, c, 0);

		cr_assert_eq(prep_oversample_count(a, c),
			     prep_oversample_count(b, c));
		cr_assert_eq(prep_oversample_first(a, c).line,
			     prep_oversample_first(b, c).line);
		cr_assert(fa.len == fb.len &&
			  memcmp(fa.data, fb.data, fa.len) == 0);
	}
	cr_assert_eq(prep_oversample_plan(a, s, NULL, NULL), PREP_OK);
	cr_assert_eq(prep_oversample_plan(b, s, NULL, NULL), PREP_OK);
	cr_assert_eq(prep_rng_new_seeded(42, &ga), PREP_OK);
	cr_assert_eq(prep_rng_new_seeded(42, &gb), PREP_OK);
	for (c = 0; c < prep_oversample_classes(a); c++) {
		if (prep_oversample_need(a, c) == 0)
			continue;
		for (k = 0; k < 50; k++) {
			if (!smote) {
				uint64_t oa, la, ob, lb;

				cr_assert_eq(
				    prep_oversample_draw(a, ga, c, &oa, &la),
				    PREP_OK);
				cr_assert_eq(
				    prep_oversample_draw(b, gb, c, &ob, &lb),
				    PREP_OK);
				cr_assert_eq(oa, ob);
				cr_assert_eq(la, lb);
			} else {
				const prep_field *ra, *rb;
				uint64_t ia, na, ib, nb;

				cr_assert_eq(prep_oversample_smote_row(
						 a, ga, c, &ra, &ia, &na),
					     PREP_OK);
				cr_assert_eq(prep_oversample_smote_row(
						 b, gb, c, &rb, &ib, &nb),
					     PREP_OK);
				cr_assert_eq(ia, ib);
				cr_assert_eq(na, nb);
				for (d = 0; d < 3; d++)
					cr_assert(ra[d].len == rb[d].len &&
						  memcmp(ra[d].data, rb[d].data,
							 ra[d].len) == 0);
			}
		}
	}
	prep_rng_free(ga);
	prep_rng_free(gb);
}

static const char merge_labels[] =
    "abacabadbbbbaccaddddabcabcabcaaaaabbbbcccddaeeeaaabbbeeeccca"
    "bbbbbbbaaaaaacccccddddeeeeeffffabcdefabcdefaabbccddeeffggfeg"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbcdefgabcdefgdd";

Test(oversample, merge_random_as_one)
{
	size_t nparts;

	for (nparts = 1; nparts <= 4; nparts++) {
		prep_oversample *one,
		    *o = merged_of(merge_labels, 7, nparts, 0, 0, 0, 0, &one);

		cr_assert_eq(st_merge, PREP_OK);
		check_same_draws(one, o, 0, PREP_OVERSAMPLE_ALL);
		prep_oversample_free(one);
		prep_oversample_free(o);
	}
}

Test(oversample, merge_first_record_lead)
{
	/* piece 0 empty: the first record came through a writer that
	 * quoted its first field when its piece was appended */
	prep_oversample *one,
	    *o = merged_of(merge_labels, 5, 3, 0, 1, 2, 0, &one);

	cr_assert_eq(st_merge, PREP_OK);
	check_same_draws(one, o, 0, PREP_OVERSAMPLE_ALL);
	prep_oversample_free(one);
	prep_oversample_free(o);
}

Test(oversample, merge_smote_as_one)
{
	size_t nparts;

	for (nparts = 1; nparts <= 4; nparts++) {
		prep_oversample *one,
		    *o = merged_of(merge_labels, 6, nparts, 1, 0, 0, 0, &one);

		cr_assert_eq(st_merge, PREP_OK);
		check_same_draws(one, o, 1, PREP_OVERSAMPLE_NOT_MAJORITY);
		prep_oversample_free(one);
		prep_oversample_free(o);
	}
}

Test(oversample, merge_class_cap)
{
	/* at most 4 classes: the fifth, 'e', first on row 44 (line 46) */
	prep_oversample *one,
	    *o = merged_of(merge_labels, 4, 3, 0, 0, 0, 4, &one);

	cr_assert_eq(one_limit_line, 46);
	cr_assert_eq(st_merge, PREP_ERR_LIMIT);
	cr_assert_eq(merge_bad_line, 46);
	cr_assert_eq(merge_bad_place, (uint64_t)11 << 32 | 0);
	prep_oversample_free(one);
	prep_oversample_free(o);
}

Test(oversample, merge_refuses_a_used_table)
{
	prep_oversample *o = table_of("ab"), *p = table_of("a");
	prep_where w;
	uint64_t pl;

	cr_assert_eq(prep_oversample_merge(o, &p, 1, NULL, 0, 0, &w, &pl),
		     PREP_ERR_ARG);
	prep_oversample_free(o);
}

Test(oversample, record_len)
{
	static const char s[] = "a,\"x\ny\"\"\n\",b\nc\n\"\"\nlast";

	cr_assert_eq(prep_oversample_record_len(s, strlen(s)), 13);
	cr_assert_eq(prep_oversample_record_len(s + 13, strlen(s) - 13), 2);
	cr_assert_eq(prep_oversample_record_len(s + 15, strlen(s) - 15), 3);
	cr_assert_eq(prep_oversample_record_len(s + 18, strlen(s) - 18), 4);
}
