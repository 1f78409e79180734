/*
 * classes_state.h: a table of equivalence classes (classes.h) as the
 * state of a partial (partial.h, man5/prep-partial.5, STATES, kcheck):
 * written by kcheck --partial and kanon --levels --partial, merged by
 * their --merge, read back by their --state.
 *
 * The state is the whole table, exactly: every class with its
 * quasi-identifier values and its row count and, with a sensitive
 * column, the count of each sensitive value in it. One JSON object:
 *
 *   {"quasi":[NAME,...]|null,"sensitive":NAME|null,"rows":N,
 *    "values":[VALUE,...],
 *    "classes":[[[VALUE,...],N],...]  or, with a sensitive column,
 *              [[[VALUE,...],N,[[I,N],...]],...]}
 *
 * quasi: the quasi-identifier columns' names as the header gives them
 * (their numbers under -H), null for an input without even a header
 * (--allow-empty); sensitive: the sensitive column's name or null.
 * values: the distinct sensitive values, ascending by their bytes
 * (memcmp, a prefix first), each used by some class ([] without a
 * sensitive column). classes: ascending by their values compared one
 * column after the other as values are; each class its values (as many
 * as quasi names), its rows (>= 1) and, with a sensitive column, its
 * sensitive values as [index into values, rows] pairs, by index
 * ascending, the rows adding up to the class's. rows: the sum of the
 * classes' rows. Values and names are written as prep_json_bytes writes
 * bytes; counts are JSON integers. One table has one state: the same rows
 * in any order give the same state, byte for byte.
 */
#ifndef PREP_CLASSES_STATE_H
#define PREP_CLASSES_STATE_H

#include <jansson.h>
#include <stddef.h>

#include "classes.h"

/*
 * The columns of a state: nqi names, NULL when the input had no header
 * at all; the sensitive column's name, data NULL when there is none.
 */
typedef struct prep_classes_names {
	size_t nqi;
	prep_field *qi;
	prep_field sensitive;
} prep_classes_names;

/* Free the names prep_classes_state_merge made. */
void prep_classes_names_free(prep_classes_names *n);

/*
 * The state of c, whose columns are named by names (borrowed; names->qi
 * NULL only for a table of no quasi-identifier and no rows), into *out.
 * PREP_ERR_ARG when the names do not fit the table (their number, a
 * sensitive name with a table without one or the other way round),
 * PREP_ERR_NOMEM.
 */
prep_status prep_classes_state(prep_classes *c, const prep_classes_names *names,
			       json_t **out);

/*
 * The table of the states[0 .. n) added up, in *out: quasi-identifier j
 * is field j of a row, the sensitive value (when the states have one)
 * field nqi (for prep_classes_find; prep_classes_find_key needs no
 * row), in the order of prep_classes_canonical; at most max_classes
 * classes and sensitive values (0: PREP_CLASSES_DEFAULT_MAX). *names gets
 * the columns (those of the states that have them; free them with
 * prep_classes_names_free). A state with quasi null must hold no row; the
 * others must name the same columns.
 *
 * PREP_ERR_VALUE with *bad the index of the state and *why a reason
 * (static text, quoting nothing of the state) when a state is not one
 * (a member missing, unknown or of the wrong type, a count out of range,
 * classes or values out of order or twice, counts that do not add up, a
 * value no class uses) or names other columns than the first;
 * PREP_ERR_LIMIT (*bad set) past max_classes; PREP_ERR_RANGE when the
 * rows add up to 2^53 or more; PREP_ERR_MEMORY past the memory budget
 * (memcap.h); PREP_ERR_NOMEM. Nothing is returned on an error.
 */
prep_status prep_classes_state_merge(const json_t *const *states, size_t n,
				     size_t max_classes, prep_classes **out,
				     prep_classes_names *names, size_t *bad,
				     const char **why);

/*
 * A copy of c, its classes and sensitive values the same, their ids in
 * an order that follows from the table alone: classes by their values
 * (as the state orders them), sensitive values in order of first
 * appearance in the classes so ordered, each class's by their bytes. Two
 * tables of the same rows, however they came (read in another order,
 * merged from parts), are then the same table, and a computation that
 * walks classes in id order (sums of floating-point figures) gives the
 * same result bit for bit. PREP_ERR_MEMORY, PREP_ERR_NOMEM.
 */
prep_status prep_classes_canonical(prep_classes *c, prep_classes **out);

#endif
