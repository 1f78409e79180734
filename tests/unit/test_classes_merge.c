/*
 * test_classes_merge.c: tables filled in parts, added up
 * (classes_merge.h), against one table filled row by row; and the
 * place where one reader passes the cap, against a brute force that
 * walks the rows in order.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classes_merge.h"

static uint64_t seed = 3;

static unsigned
rnd(unsigned n)
{
	seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(seed >> 33) % n;
}

#define NROWS 3000
#define NCOLS 3

static char cells[NROWS][NCOLS][12];
static prep_field rows[NROWS][NCOLS];

/*
 * Rows of spread x spread classes and 2 spread sensitive values, at
 * random; with runs, the classes come one after the other, each in one
 * stretch of the rows.
 */
static void
make_rows(unsigned spread, int runs)
{
	size_t i, j;

	for (i = 0; i < NROWS; i++)
		for (j = 0; j < NCOLS; j++) {
			unsigned run = (unsigned)(i * spread * spread / NROWS);

			snprintf(cells[i][j], sizeof cells[i][j], "%u",
				 j < 2 && runs
				     ? (j ? run % spread : run / spread)
				     : rnd(j == 2 ? 2 * spread : spread));
			rows[i][j].data = cells[i][j];
			rows[i][j].len = strlen(cells[i][j]);
		}
}

/*
 * Rows cut into pieces of a random size, dealt to nparts parts in turn
 * (as threads take pieces); stops at a row a part's table refuses, as
 * the thread engine does: its place in *fail_place (else UINT64_MAX).
 */
static void
fill_parts(prep_classes_part **parts, size_t nparts, size_t upto,
	   uint64_t *fail_place, prep_where *fail)
{
	size_t i = 0, piece = 1, p = 0;

	*fail_place = UINT64_MAX;
	while (i < upto) {
		size_t len = 1 + rnd(40), k;

		for (k = 0; k < len && i < upto; k++, i++) {
			prep_where at = {"f", (unsigned long)i + 2, 0};
			prep_status st = prep_classes_part_add(
			    parts[p], rows[i], piece << 32 | k, at);

			if (st == PREP_ERR_LIMIT) {
				*fail_place = piece << 32 | k;
				*fail = at;
				return;
			}
			cr_assert_eq(st, PREP_OK);
		}
		piece++;
		p = (p + 1) % nparts;
	}
}

Test(classes_merge, parts_add_up_to_one_table)
{
	static const size_t qi[] = {0, 1};
	size_t i, id, id2, step;

	make_rows(12, 0);
	/* parts of their own; then the first counting into merged itself */
	for (step = 0; step < 10; step++) {
		size_t nparts = 1 + step % 5;
		int into = step >= 5;
		prep_classes *one, *merged;
		prep_classes_part *parts[5];
		prep_where where, fail = {NULL, 0, 0};
		uint64_t fail_place;

		cr_assert_eq(prep_classes_new(qi, 2, 2, 0, &one), PREP_OK);
		cr_assert_eq(prep_classes_new(qi, 2, 2, 0, &merged), PREP_OK);
		for (i = 0; i < NROWS; i++)
			cr_assert_eq(prep_classes_add(one, rows[i], NULL),
				     PREP_OK);
		for (i = 0; i < nparts; i++)
			cr_assert_eq(
			    i == 0 && into
				? prep_classes_part_of(merged, &parts[i])
				: prep_classes_part_new(one, &parts[i]),
			    PREP_OK);
		fill_parts(parts, nparts, NROWS, &fail_place, &fail);
		cr_assert_eq(fail_place, UINT64_MAX);
		cr_assert_eq(prep_classes_merge_parts(merged, parts, nparts,
						      fail_place, fail, &where),
			     PREP_OK);
		cr_assert_eq(prep_classes_count(merged),
			     prep_classes_count(one));
		cr_assert_eq(prep_classes_rows(merged), NROWS);
		cr_assert_eq(prep_classes_values(merged),
			     prep_classes_values(one));
		for (id = 0; id < prep_classes_count(one); id++) {
			prep_field key[2];
			const prep_class_count *a, *b;
			size_t na, nb, x, y;

			prep_classes_key(one, id, key);
			cr_assert_eq(prep_classes_find_key(merged, key, &id2),
				     PREP_OK);
			cr_assert_eq(prep_classes_size(merged, id2),
				     prep_classes_size(one, id));
			cr_assert_eq(prep_classes_dist(one, id, &a, &na),
				     PREP_OK);
			/* the counts by value bytes agree */
			for (x = 0; x < na; x++) {
				prep_field va =
				    prep_classes_value(one, a[x].value);
				int found = 0;

				cr_assert_eq(
				    prep_classes_dist(merged, id2, &b, &nb),
				    PREP_OK);
				for (y = 0; y < nb; y++) {
					prep_field vb = prep_classes_value(
					    merged, b[y].value);

					if (vb.len == va.len &&
					    memcmp(vb.data, va.data, va.len) ==
						0) {
						cr_assert_eq(b[y].count,
							     a[x].count);
						found = 1;
					}
				}
				cr_assert(found);
			}
		}
		for (i = 0; i < nparts; i++)
			prep_classes_part_free(parts[i]);
		prep_classes_free(one);
		prep_classes_free(merged);
	}
}

/* The row where one table of cap max fails, by brute force. */
static long
first_failure(size_t max)
{
	static const size_t qi[] = {0, 1};
	prep_classes *one;
	size_t i;
	long at = -1;

	cr_assert_eq(prep_classes_new(qi, 2, 2, max, &one), PREP_OK);
	for (i = 0; i < NROWS && at < 0; i++)
		if (prep_classes_add(one, rows[i], NULL) == PREP_ERR_LIMIT)
			at = (long)i;
	prep_classes_free(one);
	return at;
}

Test(classes_merge, the_cap_is_passed_where_one_reader_passes_it)
{
	static const size_t qi[] = {0, 1};
	size_t max, nparts, i;
	int seen = 0, kind, into;

	/* rows in any order, then in runs of a class (so each part holds
	 * its own classes, and the sum is what passes the cap); parts of
	 * their own, then the first counting into merged itself */
	for (kind = 0; kind < 4; kind++)
		for (into = kind & 1, make_rows(9, kind >> 1), max = 5;
		     max <= 90; max += 7)
			for (nparts = 1; nparts <= 4; nparts++) {
				prep_classes *like, *merged;
				prep_classes_part *parts[4];
				prep_where where, at = {NULL, 0, 0};
				long fail = first_failure(max);
				uint64_t fail_place;
				prep_status st;

				cr_assert_eq(
				    prep_classes_new(qi, 2, 2, max, &like),
				    PREP_OK);
				cr_assert_eq(
				    prep_classes_new(qi, 2, 2, max, &merged),
				    PREP_OK);
				for (i = 0; i < nparts; i++)
					cr_assert_eq(
					    i == 0 && into
						? prep_classes_part_of(
						      merged, &parts[i])
						: prep_classes_part_new(
						      like, &parts[i]),
					    PREP_OK);
				/* a part's own table fails, or the sum does */
				fill_parts(parts, nparts, NROWS, &fail_place,
					   &at);
				st = prep_classes_merge_parts(
				    merged, parts, nparts, fail_place, at,
				    &where);
				if (fail < 0) {
					cr_assert_eq(st, PREP_OK);
				} else {
					cr_assert_eq(st, PREP_ERR_LIMIT);
					cr_assert_eq(
					    where.line, (unsigned long)fail + 2,
					    "cap %zu, %zu parts: line %lu, "
					    "not %ld",
					    max, nparts, where.line, fail + 2);
					seen++;
				}
				for (i = 0; i < nparts; i++)
					prep_classes_part_free(parts[i]);
				prep_classes_free(like);
				prep_classes_free(merged);
			}
	cr_assert_gt(seen, 40);
}

/* A part counts into a table of its own caller only while it is empty. */
Test(classes_merge, part_of_a_table_not_empty_is_refused)
{
	static const size_t qi[] = {0, 1};
	prep_classes *t;
	prep_classes_part *p = (prep_classes_part *)&p;

	make_rows(3, 0);
	cr_assert_eq(prep_classes_new(qi, 2, 2, 0, &t), PREP_OK);
	cr_assert_eq(prep_classes_add(t, rows[0], NULL), PREP_OK);
	cr_assert_eq(prep_classes_part_of(t, &p), PREP_ERR_ARG);
	cr_assert_null(p);
	prep_classes_free(t);
}
