/*
 * fuzz_classes_state.c: libFuzzer harness of the reader of states of
 * classes (classes_state.h, prep_classes_state_merge), what kcheck and
 * kanon --merge and --state read from partials other processes wrote.
 *
 * Input: a JSON text, the state member of a partial without its
 * envelope (whose checksum would refuse nearly every mutation before
 * the state is read). Not JSON: skipped. Else the checks of
 * fuzz_classes_state.h: refused with a reason and nothing returned, or
 * accepted, written again the same, and merged with itself the same
 * classes with twice the rows.
 */
#include "fuzz_common.h"

#include "fuzz_classes_state.h"
#include "json.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *state = NULL;
	char why[160];
	int line, column;

	if (prep_json_parse((const char *)data, size, &state, &line, &column,
			    why, sizeof why) != PREP_OK)
		return 0;
	fuzz_check_classes_state(state);
	json_decref(state);
	return 0;
}
