/*
 * classes_merge.h: tables of classes (classes.h) filled by several
 * threads from one input (par.h), added up into one.
 *
 * Each thread counts its records into a table of its own, a part, that
 * also keeps where in the input each of its classes and sensitive
 * values first appeared (a record's place, increasing in input order,
 * and its line). Adding the parts up gives the table of the whole input
 * (ids in another order than one reader's: prep_classes_canonical makes
 * the order one, where it matters). The places tell what one reader
 * would have said when the table passed its cap: the record where the
 * cap-plus-first class, or sensitive value, first appeared.
 */
#ifndef PREP_CLASSES_MERGE_H
#define PREP_CLASSES_MERGE_H

#include <stdint.h>

#include "classes.h"

/*
 * Add every row of src to dst, tables of the same layout (quasi-
 * identifiers, sensitive column): counts and sensitive counts. As
 * prep_classes_add_key on a failure (PREP_ERR_LIMIT past dst's cap),
 * with dst then holding part of src.
 */
prep_status prep_classes_merge(prep_classes *dst, prep_classes *src);

typedef struct prep_classes_part prep_classes_part;

/* A part with like's layout and cap. */
prep_status prep_classes_part_new(const prep_classes *like,
				  prep_classes_part **out);
/*
 * A part counting into t itself (empty: PREP_ERR_ARG otherwise), which
 * stays the caller's: prep_classes_merge_parts into t then adds only
 * the other parts, so one thread's classes are not inserted twice.
 */
prep_status prep_classes_part_of(prep_classes *t, prep_classes_part **out);
void prep_classes_part_free(prep_classes_part *p);
/*
 * Count a row at place (increasing in input order), where at (its file,
 * kept as a pointer, and line): as prep_classes_add, into the part's
 * table.
 */
prep_status prep_classes_part_add(prep_classes_part *p, const prep_field *row,
				  uint64_t place, prep_where at);
prep_classes *prep_classes_part_table(prep_classes_part *p);

/*
 * Add parts[0..n) up into dst (empty, or the table of one of them made
 * with prep_classes_part_of; the layout of theirs, its cap the one one
 * reader had). PREP_OK, or PREP_ERR_LIMIT with *where the
 * record where one reader would have passed the cap: where the class or
 * sensitive value past it first appeared, or fail when that is the
 * record at fail_place where a part's own table failed (fail_place
 * UINT64_MAX: none did); another failure (memory) as
 * prep_classes_add_key's.
 */
prep_status prep_classes_merge_parts(prep_classes *dst,
				     prep_classes_part *const *parts, size_t n,
				     uint64_t fail_place, prep_where fail,
				     prep_where *where);

#endif
