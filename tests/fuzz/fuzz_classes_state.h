/*
 * fuzz_classes_state.h: the checks of a state of classes
 * (classes_state.h: kcheck's and kanon's partials), shared by
 * fuzz_partial.c, which reaches them through whole partials (whose
 * checksum mutations rarely keep), and fuzz_classes_state.c, which feeds
 * them JSON directly.
 */
#ifndef PREP_FUZZ_CLASSES_STATE_H
#define PREP_FUZZ_CLASSES_STATE_H

#include <stdlib.h>

#include "classes_state.h"

/*
 * A state of classes (kcheck's, kanon's): refused with a reason and
 * nothing returned, or accepted; then, as its form is the only one for
 * its table, written again it is the same JSON, and merged with itself
 * it has the same classes and twice the rows (or is refused for rows
 * past 2^53).
 */
static void
fuzz_check_classes_state(const json_t *state)
{
	const json_t *two[2] = {state, state};
	prep_classes *c = (prep_classes *)&two, *c2 = NULL;
	prep_classes_names names, names2;
	json_t *again = NULL;
	const char *why = NULL;
	size_t bad = 99;
	prep_status st;

	st = prep_classes_state_merge(two, 1, 1000, &c, &names, &bad, &why);
	if (st != PREP_OK) {
		if (c != NULL || bad != 0 || names.qi != NULL)
			abort();
		if (st == PREP_ERR_VALUE && (why == NULL || why[0] == '\0'))
			abort();
		if (st != PREP_ERR_VALUE && st != PREP_ERR_LIMIT &&
		    st != PREP_ERR_RANGE && st != PREP_ERR_NOMEM &&
		    st != PREP_ERR_MEMORY)
			abort();
		return;
	}
	st = prep_classes_state(c, &names, &again);
	if (st == PREP_OK && !json_equal(again, state))
		abort(); /* accepted, yet not as it would be written */
	if (st != PREP_OK && st != PREP_ERR_NOMEM)
		abort();
	json_decref(again);
	st = prep_classes_state_merge(two, 2, 1000, &c2, &names2, &bad, &why);
	if (st == PREP_OK) {
		if (prep_classes_count(c2) != prep_classes_count(c) ||
		    prep_classes_rows(c2) != 2 * prep_classes_rows(c))
			abort();
		prep_classes_names_free(&names2);
	} else if (st != PREP_ERR_RANGE && st != PREP_ERR_NOMEM &&
		   st != PREP_ERR_MEMORY) {
		abort();
	}
	prep_classes_free(c2);
	prep_classes_free(c);
	prep_classes_names_free(&names);
}

#endif
