/*
 * mondrian.h: local recoding (kanon --method local).
 */
#ifndef PREP_MONDRIAN_H
#define PREP_MONDRIAN_H

#include "recode.h"

prep_status prep_mondrian(const prep_recode_input *in, prep_recode_result *r);

#endif
