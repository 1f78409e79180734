/*
 * report_capture.h: the unit tests' capture of a report, written through
 * a writer (report_open) or to report_file with stdio, read back as a
 * string (report_text). Static, for each test file that includes it.
 */
#ifndef PREP_TEST_REPORT_CAPTURE_H
#define PREP_TEST_REPORT_CAPTURE_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "csv.h"

static FILE *report_file;
static prep_writer *report_writer;

/* A writer with delimiter ',' on a temporary file. */
static prep_writer *
report_open(void)
{
	prep_writer_options wo;

	memset(&wo, 0, sizeof wo);
	wo.delim = ',';
	report_file = tmpfile();
	cr_assert_not_null(report_file);
	cr_assert_eq(prep_writer_new(fileno(report_file), &wo, &report_writer),
		     PREP_OK);
	return report_writer;
}

/* What went to the writer (or to report_file), as a string. */
static char *
report_text(void)
{
	static char buf[4096];
	size_t n;

	if (report_writer) {
		cr_assert_eq(prep_writer_finish(report_writer), PREP_OK);
		prep_writer_free(report_writer);
		report_writer = NULL;
	} else {
		cr_assert_eq(fflush(report_file), 0);
	}
	rewind(report_file);
	n = fread(buf, 1, sizeof buf - 1, report_file);
	buf[n] = '\0';
	cr_assert_eq(fclose(report_file), 0);
	report_file = NULL;
	return buf;
}

#endif
