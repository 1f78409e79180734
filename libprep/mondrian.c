/* mondrian.c: local recoding, not built yet. */
#include "mondrian.h"

prep_status
prep_mondrian(const prep_recode_input *in, prep_recode_result *r)
{
	(void)in;
	(void)r;
	return PREP_ERR_ARG;
}
