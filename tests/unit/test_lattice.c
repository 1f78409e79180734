/*
 * test_lattice.c: unit tests of libprep/lattice.c and libprep/recode.c.
 *
 * The search is checked against a brute force written here from the
 * definitions of kanon(1), independently of libprep: every node of a small
 * lattice (three QIs, 4 x 3 x 2 = 24 nodes) generalized row by row, rows
 * grouped by comparing label strings, suppression and the four metrics
 * computed from the hierarchies' text. Many random tables (fixed seeds)
 * with k from 1 to 6, suppression 0 to 30%, with and without distinct and
 * entropy l-diversity and t-closeness, every metric: the search must
 * choose the brute force's node and report its figures.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lattice.h"

#define NQI 3
#define MAXROWS 80

/* The hierarchies, as text (ARX layout) and as arrays for the brute force. */
static const char *const age_rows[8][4] = {
    {"1", "1-2", "1-4", "*"}, {"2", "1-2", "1-4", "*"},
    {"3", "3-4", "1-4", "*"}, {"4", "3-4", "1-4", "*"},
    {"5", "5-6", "5-8", "*"}, {"6", "5-6", "5-8", "*"},
    {"7", "7-8", "5-8", "*"}, {"8", "7-8", "5-8", "*"},
};
static const char *const cat_rows[4][3] = {
    {"a", "ab", "*"}, {"b", "ab", "*"}, {"c", "cd", "*"}, {"d", "cd", "*"}};
static const char *const xy_rows[2][2] = {{"x", "*"}, {"y", "*"}};
static const size_t height[NQI] = {4, 3, 2};
static const size_t leaves[NQI] = {8, 4, 2};

static char dir[256];
static char paths[NQI][512];

static void
write_hierarchies(void)
{
	const char *tmp = getenv("TMPDIR");
	FILE *f;
	size_t i, l;

	if (tmp == NULL || *tmp == '\0' || strlen(tmp) > 200)
		tmp = "/tmp";
	snprintf(dir, sizeof dir, "%s/test_lattice.XXXXXX", tmp);
	cr_assert_not_null(mkdtemp(dir));
	for (i = 0; i < NQI; i++)
		snprintf(paths[i], sizeof paths[i], "%s/h%zu.csv", dir, i);
	cr_assert_not_null(f = fopen(paths[0], "w"));
	for (i = 0; i < 8; i++)
		for (l = 0; l < 4; l++)
			fprintf(f, "%s%c", age_rows[i][l], l == 3 ? '\n' : ';');
	fclose(f);
	cr_assert_not_null(f = fopen(paths[1], "w"));
	for (i = 0; i < 4; i++)
		for (l = 0; l < 3; l++)
			fprintf(f, "%s%c", cat_rows[i][l], l == 2 ? '\n' : ';');
	fclose(f);
	cr_assert_not_null(f = fopen(paths[2], "w"));
	for (i = 0; i < 2; i++)
		fprintf(f, "%s;%s\n", xy_rows[i][0], xy_rows[i][1]);
	fclose(f);
}

static void
remove_hierarchies(void)
{
	size_t i;

	for (i = 0; i < NQI; i++)
		unlink(paths[i]);
	rmdir(dir);
}

TestSuite(lattice, .init = write_hierarchies, .fini = remove_hierarchies);

/* A table: QI values as text, and a sensitive value. */
struct table {
	size_t n;
	char v[MAXROWS][NQI][4];
	char sens[MAXROWS][4];
};

/* The label of a value at a level, and the hierarchy leaves under it. */
static const char *
label(size_t j, const char *v, size_t l, size_t *under)
{
	size_t i, r = 0, cnt = 0;
	const char *lab = NULL;

	for (i = 0; i < leaves[j]; i++) {
		const char *val = j == 0   ? age_rows[i][0]
				  : j == 1 ? cat_rows[i][0]
					   : xy_rows[i][0];

		if (strcmp(val, v) == 0)
			r = i;
	}
	lab = j == 0 ? age_rows[r][l] : j == 1 ? cat_rows[r][l] : xy_rows[r][l];
	for (i = 0; i < leaves[j]; i++) {
		const char *o = j == 0	 ? age_rows[i][l]
				: j == 1 ? cat_rows[i][l]
					 : xy_rows[i][l];

		cnt += strcmp(o, lab) == 0;
	}
	*under = cnt;
	return lab;
}

/* The figures of one node by brute force. */
struct figures {
	int pass;
	uint64_t sup, classes, dm;
	double aecs, gcp, loss;
};

static void
brute_node(const struct table *t, const size_t *lv, const prep_kanon_params *p,
	   struct figures *f)
{
	size_t cls[MAXROWS], ncls = 0, i, j, c, size[MAXROWS] = {0};
	int kept[MAXROWS];
	double n = (double)t->n, ncp = 0, sum[NQI] = {0, 0, 0};
	double amin = 99, amax = -99;
	size_t u;

	for (i = 0; i < t->n; i++) {
		double a = atof(t->v[i][0]);

		amin = a < amin ? a : amin;
		amax = a > amax ? a : amax;
	}
	/* classes: rows with equal labels */
	for (i = 0; i < t->n; i++) {
		for (c = 0; c < i; c++) {
			for (j = 0; j < NQI; j++)
				if (strcmp(label(j, t->v[i][j], lv[j], &u),
					   label(j, t->v[c][j], lv[j], &u)) !=
				    0)
					break;
			if (j == NQI)
				break;
		}
		cls[i] = c == i ? ncls++ : cls[c];
		size[cls[i]]++;
	}
	/* suppression: k, then l */
	for (c = 0; c < ncls; c++) {
		kept[c] = size[c] >= p->k;
		if (kept[c] && p->check_l) {
			/* distinct or entropy l over the class's rows */
			char seen[MAXROWS][4];
			size_t cnt[MAXROWS], nd = 0, r, x;
			double h = 0;

			for (r = 0; r < t->n; r++) {
				if (cls[r] != c)
					continue;
				for (x = 0; x < nd; x++)
					if (strcmp(seen[x], t->sens[r]) == 0)
						break;
				if (x == nd) {
					strcpy(seen[nd], t->sens[r]);
					cnt[nd++] = 0;
				}
				cnt[x]++;
			}
			for (x = 0; x < nd; x++) {
				double q = (double)cnt[x] / (double)size[c];

				h -= q * log(q);
			}
			if (p->ldiv == PREP_LDIV_DISTINCT)
				kept[c] = (double)nd >= p->l;
			else
				kept[c] = h >= log(p->l) - 1e-12;
		}
	}
	memset(f, 0, sizeof *f);
	for (c = 0; c < ncls; c++) {
		if (!kept[c]) {
			f->sup += size[c];
			continue;
		}
		f->classes++;
		f->dm += size[c] * size[c];
	}
	f->dm += t->n * f->sup;
	f->pass = f->sup == 0 || (double)f->sup <= p->max_suppress * n + 1e-9;
	f->aecs = f->classes ? (n - (double)f->sup) /
				   ((double)f->classes * (double)p->k)
			     : 0;
	for (i = 0; i < t->n; i++) {
		for (j = 0; j < NQI; j++) {
			const char *lab = label(j, t->v[i][j], lv[j], &u);
			double lo = 99, hi = -99;
			size_t r;

			if (!kept[cls[i]]) {
				ncp += 1;
				sum[j] += 1;
				continue;
			}
			sum[j] += (double)u / (double)leaves[j];
			if (j != 0) {
				ncp +=
				    (double)(u - 1) / (double)(leaves[j] - 1);
				continue;
			}
			/* age is numeric: the data values under the label */
			for (r = 0; r < t->n; r++) {
				size_t u2;

				if (strcmp(label(0, t->v[r][0], lv[0], &u2),
					   lab) == 0) {
					double a = atof(t->v[r][0]);

					lo = a < lo ? a : lo;
					hi = a > hi ? a : hi;
				}
			}
			ncp += amax > amin ? (hi - lo) / (amax - amin) : 0;
		}
	}
	f->gcp = ncp / (n * NQI);
	f->loss = 1;
	for (j = 0; j < NQI; j++) {
		double dom = (double)leaves[j];
		double lj = (sum[j] - n / dom) / (n - n / dom);

		f->loss *= pow(1 + (lj > 0 ? lj : 0), 1.0 / NQI);
	}
	f->loss -= 1;
}

static double
metric_of(const struct figures *f, prep_recode_metric m)
{
	return m == PREP_METRIC_DM     ? (double)f->dm
	       : m == PREP_METRIC_AECS ? f->aecs
	       : m == PREP_METRIC_GCP  ? f->gcp
				       : f->loss;
}

/* The brute force's optimum: *found, best levels, its figures. */
static void
brute_best(const struct table *t, const prep_kanon_params *p,
	   prep_recode_metric m, int *found, size_t *best, struct figures *bf)
{
	size_t lv[NQI], a, b, c;
	struct figures f;

	*found = 0;
	for (a = 0; a < height[0]; a++)
		for (b = 0; b < height[1]; b++)
			for (c = 0; c < height[2]; c++) {
				size_t sum = a + b + c, bsum;
				double v, bv;

				lv[0] = a;
				lv[1] = b;
				lv[2] = c;
				brute_node(t, lv, p, &f);
				if (!f.pass)
					continue;
				v = metric_of(&f, m);
				bv = *found ? metric_of(bf, m) : 0;
				bsum = best[0] + best[1] + best[2];
				/* lexicographic order is the loop's order */
				if (*found &&
				    (fabs(v - bv) > 1e-12 * fmax(1, fabs(bv))
					 ? v > bv
					 : sum >= bsum))
					continue;
				*found = 1;
				memcpy(best, lv, sizeof lv);
				*bf = f;
			}
}

static prep_hierarchy *h[NQI];
static prep_classes *c;
static int vectors; /* count with label vectors, not packed words */

/* libprep's answer for table t. */
static void
search(const struct table *t, const prep_kanon_params *p, prep_recode_metric m,
       const size_t *levels, int *found, prep_recode_result *r,
       prep_recode_figures *fig, prep_recode_input **inp)
{
	static const size_t qi[NQI] = {0, 1, 2};
	prep_field names[NQI] = {{"age", 3}, {"cat", 3}, {"xy", 2}};
	prep_lattice_options o;
	prep_where w;
	size_t i, j, bad;

	for (j = 0; j < NQI; j++)
		cr_assert_eq(prep_hierarchy_load(paths[j], PREP_HIERARCHY_ALL,
						 &h[j], NULL),
			     PREP_OK);
	cr_assert_eq(prep_classes_new(qi, NQI, 3, 0, &c), PREP_OK);
	for (i = 0; i < t->n; i++) {
		prep_field row[4];

		for (j = 0; j < NQI; j++)
			row[j] = (prep_field){t->v[i][j], strlen(t->v[i][j])};
		row[3] = (prep_field){t->sens[i], strlen(t->sens[i])};
		cr_assert_eq(prep_classes_add(c, row, NULL), PREP_OK);
	}
	cr_assert_eq(prep_recode_input_new(c, names, h, NQI, p, inp, &bad, &w),
		     PREP_OK);
	memset(&o, 0, sizeof o);
	o.metric = m;
	o.levels = levels;
	o.vectors = vectors;
	cr_assert_eq(prep_lattice_search(*inp, &o, r, found), PREP_OK);
	cr_assert_eq(prep_recode_metrics(*inp, r, fig), PREP_OK);
}

/* The input borrows these: freed after it. */
static void
release(prep_recode_input *in, prep_recode_result *r)
{
	size_t j;

	prep_recode_result_free(r);
	prep_recode_input_free(in);
	prep_classes_free(c);
	for (j = 0; j < NQI; j++)
		prep_hierarchy_free(h[j]);
}

static void
random_table(struct table *t, unsigned seed, size_t n, size_t nsens)
{
	static const char *cats = "abcd";
	size_t i;

	srand(seed);
	t->n = n;
	for (i = 0; i < n; i++) {
		snprintf(t->v[i][0], 4, "%d", 1 + rand() % 8);
		snprintf(t->v[i][1], 4, "%c", cats[rand() % 4]);
		snprintf(t->v[i][2], 4, "%c", rand() % 3 ? 'x' : 'y');
		snprintf(t->sens[i], 4, "s%d", (int)(rand() % nsens));
	}
}

/* Every random case's optimum against brute force's. */
static void
optimum_equals_brute_force(void)
{
	static const double fs[] = {0, 0.1, 0.3};
	struct table t;
	unsigned seed;
	size_t fi, mi, k, checked = 0, solved = 0;

	for (seed = 1; seed <= 12; seed++)
		for (k = 1; k <= 6; k += (k < 3 ? 1 : 3))
			for (fi = 0; fi < 3; fi++)
				for (mi = 0; mi < 4; mi++) {
					prep_kanon_params p;
					prep_recode_result r;
					prep_recode_figures fig;
					prep_recode_input *in;
					struct figures bf;
					size_t best[NQI], j;
					int found, bfound;

					random_table(&t, seed, 12 + seed * 5,
						     3);
					prep_kanon_params_init(&p);
					p.k = k;
					p.suppress = 1;
					p.max_suppress = fs[fi];
					if (seed % 3 == 0 || seed % 4 == 0) {
						/* 3 values: l = 4 has no
						 * solution */
						p.check_l = 1;
						p.l = seed % 4 == 0 ? 4 : 2;
						p.ldiv =
						    seed % 2
							? PREP_LDIV_ENTROPY
							: PREP_LDIV_DISTINCT;
					}
					search(&t, &p, (prep_recode_metric)mi,
					       NULL, &found, &r, &fig, &in);
					brute_best(&t, &p,
						   (prep_recode_metric)mi,
						   &bfound, best, &bf);
					cr_assert_eq(
					    found, bfound,
					    "seed %u k %zu F %g metric %zu",
					    seed, k, fs[fi], mi);
					checked++;
					if (found) {
						solved++;
						for (j = 0; j < NQI; j++)
							cr_assert_eq(
							    r.levels[j],
							    best[j],
							    "seed %u k %zu F %g "
							    "metric %zu: QI %zu",
							    seed, k, fs[fi], mi,
							    j);
						cr_assert_eq(fig.dm, bf.dm);
						cr_assert_eq(
						    fig.suppressed_rows,
						    bf.sup);
						cr_assert_eq(fig.classes,
							     bf.classes);
						cr_assert_float_eq(
						    fig.aecs, bf.aecs, 1e-12);
						cr_assert_float_eq(
						    fig.gcp, bf.gcp, 1e-12);
						cr_assert_float_eq(
						    fig.loss, bf.loss, 1e-12);
					}
					release(in, &r);
				}
	/* a control: most cases have a solution, some none */
	cr_assert_gt(solved, checked / 2);
	cr_assert_lt(solved, checked);
}

Test(lattice, optimum_equals_brute_force_packed)
{
	vectors = 0;
	optimum_equals_brute_force();
}

Test(lattice, optimum_equals_brute_force_vectors)
{
	vectors = 1;
	optimum_equals_brute_force();
}

Test(lattice, levels_applied_as_given)
{
	static const size_t lv[NQI] = {2, 1, 0};
	struct table t;
	prep_kanon_params p;
	prep_recode_result r;
	prep_recode_figures fig;
	prep_recode_input *in;
	struct figures bf;
	int found;

	random_table(&t, 7, 40, 3);
	prep_kanon_params_init(&p);
	p.k = 3;
	p.suppress = 1;
	p.max_suppress = 0.5;
	search(&t, &p, PREP_METRIC_LOSS, lv, &found, &r, &fig, &in);
	brute_node(&t, lv, &p, &bf);
	cr_assert_eq(found, bf.pass);
	cr_assert_eq(r.levels[0], 2);
	cr_assert_eq(r.levels[1], 1);
	cr_assert_eq(r.levels[2], 0);
	cr_assert_eq(r.nodes_checked, 1);
	cr_assert_eq(fig.dm, bf.dm);
	cr_assert_float_eq(fig.loss, bf.loss, 1e-12);
	release(in, &r);
}

/* The released values of a node are the hierarchies' labels. */
Test(lattice, released_labels)
{
	static const size_t lv[NQI] = {1, 2, 1};
	struct table t = {.n = 2,
			  .v = {{"3", "a", "x"}, {"4", "c", "y"}},
			  .sens = {"s0", "s1"}};
	prep_kanon_params p;
	prep_recode_result r;
	prep_recode_figures fig;
	prep_recode_input *in;
	size_t id;
	int found;

	prep_kanon_params_init(&p);
	p.k = 2;
	search(&t, &p, PREP_METRIC_DM, lv, &found, &r, &fig, &in);
	cr_assert(found);
	cr_assert_eq(r.nclasses, 1);
	id = r.class_of[0];
	cr_assert_eq(r.class_of[1], id);
	cr_assert_str_eq(prep_recode_text(&r, id, 0)->data, "3-4");
	cr_assert_str_eq(prep_recode_text(&r, id, 1)->data, "*");
	cr_assert_str_eq(prep_recode_text(&r, id, 2)->data, "*");
	/* dm 2^2; share 2/8, 4/4, 2/2; gcp: (4-3)/(4-3) = 1 for age */
	cr_assert_eq(fig.dm, 4);
	cr_assert_float_eq(fig.gcp, 1.0, 1e-12);
	release(in, &r);
}

/*
 * kcheck's figures of a released node (prep_recode_checks), worked by
 * hand: levels 1, 1, 1 make (1-2, ab, *) of the first three rows, with
 * s0 s1 s0: 2 distinct values; (3-4, cd, *) of two rows, s0 s0, fails
 * l = 2; (5-6, ab, *) of one row fails k = 2. Both suppressed: 3 of 6
 * rows, at most 0.5 of 6. Released: 3 rows, 1 class of 3, risk 1/3
 * both ways, nothing at risk or unique, l_min 2, no violating class.
 */
Test(lattice, checks_of_the_release)
{
	static const size_t lv[NQI] = {1, 1, 1};
	struct table t = {.n = 6,
			  .v = {{"1", "a", "x"},
				{"2", "b", "y"},
				{"2", "a", "x"},
				{"3", "c", "x"},
				{"4", "d", "y"},
				{"5", "a", "x"}},
			  .sens = {"s0", "s1", "s0", "s0", "s0", "s1"}};
	prep_kanon_params p;
	prep_recode_result r;
	prep_recode_figures fig;
	prep_recode_input *in;
	prep_kanon_report k;
	int found;

	prep_kanon_params_init(&p);
	p.k = 2;
	p.suppress = 1;
	p.max_suppress = 0.5;
	p.check_l = 1;
	p.l = 2;
	search(&t, &p, PREP_METRIC_LOSS, lv, &found, &r, &fig, &in);
	cr_assert(found);
	memset(&k, 0xA5, sizeof k);
	cr_assert_eq(prep_recode_checks(in, &r, &k), PREP_OK);
	cr_assert_eq(k.rows, 3);
	cr_assert_eq(k.classes, 1);
	cr_assert_eq(k.min_class_size, 3);
	cr_assert_eq(k.suppressed_rows, 3);
	cr_assert_eq(k.rows, fig.rows);
	cr_assert_eq(k.classes, fig.classes);
	cr_assert_eq(k.suppressed_rows, fig.suppressed_rows);
	cr_assert_float_eq(k.prosecutor_risk_max, 1.0 / 3, 1e-15);
	cr_assert_float_eq(k.prosecutor_risk_avg, 1.0 / 3, 1e-15);
	cr_assert(k.records_at_risk == 0 && k.sample_uniqueness == 0);
	cr_assert_eq(k.nhistogram, 1);
	cr_assert_eq(k.histogram[0].size, 3);
	cr_assert_eq(k.histogram[0].classes, 1);
	cr_assert(k.l_min == 2);
	cr_assert_eq(k.violating_classes, 0);
	cr_assert(k.k_ok && k.l_ok && k.suppress_ok && k.satisfied);
	prep_kanon_report_free(&k);
	/* at most 0.4: the same release, now over the limit */
	in->params.max_suppress = 0.4;
	cr_assert_eq(prep_recode_checks(in, &r, &k), PREP_OK);
	cr_assert_eq(k.suppressed_rows, 3);
	cr_assert(k.k_ok && k.l_ok && !k.suppress_ok && !k.satisfied);
	prep_kanon_report_free(&k);
	release(in, &r);
}

Test(lattice, refusals)
{
	static const size_t past[NQI] = {4, 0, 0};
	struct table t;
	prep_kanon_params p;
	prep_lattice_options o;
	prep_recode_result r;
	prep_recode_figures fig;
	prep_recode_input *in;
	uint64_t nodes;
	int found;

	random_table(&t, 3, 20, 3);
	prep_kanon_params_init(&p);
	search(&t, &p, PREP_METRIC_LOSS, NULL, &found, &r, &fig, &in);
	prep_recode_result_free(&r);
	cr_assert_eq(prep_lattice_nodes(in, &nodes), PREP_OK);
	cr_assert_eq(nodes, 24);
	memset(&o, 0, sizeof o);
	o.max_nodes = 23;
	cr_assert_eq(prep_lattice_search(in, &o, &r, &found), PREP_ERR_LIMIT);
	o.max_nodes = 24;
	cr_assert_eq(prep_lattice_search(in, &o, &r, &found), PREP_OK);
	prep_recode_result_free(&r);
	o.levels = past;
	cr_assert_eq(prep_lattice_search(in, &o, &r, &found), PREP_ERR_RANGE);
	release(in, &r);
}
