/*
 * cli_spool.c: the second pass of two-pass filters and their reports
 * (see cli.h): the spool of libprep/spool.h with its messages, and a
 * report written atomically like data.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

prep_spool *
cli_spool_new(struct cli *c, int flags)
{
	prep_writer_options wo;
	prep_spool *s;
	prep_status st;

	memset(&wo, 0, sizeof wo);
	wo.delim = prep_reader_delim(c->reader);
	wo.crlf = c->crlf;
	/* a hash for the output to adopt only if it is hashed, as is */
	if (!(c->audit != NULL || c->sha256) || cli_output_gzip(c))
		flags &= ~PREP_SPOOL_SHA256;
	st = prep_spool_new(c->prog, &wo, flags, &s);
	if (st == PREP_ERR_IO)
		cli_fatal(c, "%s: %s", prep_spool_dir(), strerror(errno));
	if (st != PREP_OK)
		cli_fatal_status(c, st, "spool");
	return s;
}

void
cli_spool_check(struct cli *c, prep_status st)
{
	if (st == PREP_OK)
		return;
	if (st == PREP_ERR_IO &&
	    (errno == ENOSPC || errno == EDQUOT || errno == EFBIG))
		cli_fatal(c,
			  "no space left in TMPDIR (%s) for the spool: %s; "
			  "point TMPDIR at a larger file system",
			  prep_spool_dir(), strerror(errno));
	if (st == PREP_ERR_IO)
		cli_fatal(c, "spool in %s: %s", prep_spool_dir(),
			  strerror(errno));
	cli_fatal_status(c, st, "spool");
}

FILE *
cli_report_begin(struct cli *c)
{
	FILE *f;

	c->report_text = NULL;
	c->report_len = 0;
	f = open_memstream(&c->report_text, &c->report_len);
	if (f == NULL)
		cli_fatal(c, "out of memory");
	return f;
}

void
cli_report_end(struct cli *c, FILE *f)
{
	/* a failed write (no memory) is remembered by the stream */
	int bad = ferror(f);

	if (fclose(f) != 0 || bad)
		cli_fatal(c, "out of memory");
	cli_open_report(c);
	cli_write_check(
	    c, prep_writer_raw(c->writer, c->report_text, c->report_len));
	free(c->report_text);
	c->report_text = NULL;
	cli_finish(c);
}

void
cli_spool_copy(struct cli *c, prep_spool *s)
{
	prep_status st = prep_spool_finish(s);

	cli_spool_check(c, st);
	cli_write_check(c, prep_spool_copy(s, c->writer));
}

prep_reader *
cli_spool_reader(struct cli *c, prep_spool *s)
{
	prep_reader *r;
	prep_status st;

	cli_spool_check(c, prep_spool_finish(s));
	if ((st = prep_spool_reader(s, prep_reader_options(c->reader), &r)) !=
	    PREP_OK)
		cli_fatal_status(c, st, "spool");
	return r;
}
