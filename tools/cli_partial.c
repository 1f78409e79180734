/*
 * cli_partial.c: the partials of whole-input filters (see cli.h,
 * libprep/partial.h, man5/prep-partial.5): written like any output but
 * private, read back with their messages.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"

/*
 * The partials being read, then merged: reachable from here until
 * cli_partials_free, so that a refusal that ends the run (exit 2, from
 * the reader of one partial or from a filter's reader of a state) leaves
 * them held, not leaked: the leak checker of the sanitizer builds runs at
 * exit, and would turn the exit status 2 into its own.
 */
static prep_partial *loaded;
/* The last order made, held for the same reason (its caller frees it;
 * volatile, or a pointer only written would be optimized away). */
static size_t *volatile ordered;

void
cli_partial_write(struct cli *c, json_t *options, json_t *state)
{
	prep_partial_part part = {c->part_i, c->part_n, c->part_by};
	prep_status st;
	char *text;
	size_t len;

	st = prep_partial_text(c->prog, options, &part, state, &text, &len);
	if (st == PREP_ERR_NOMEM)
		cli_fatal(c, "out of memory");
	if (st != PREP_OK)
		cli_fatal_status(c, st, "partial");
	cli_open_report(c); /* a document: never a part's header to drop */
	/* as sensitive as the data it was made from */
	prep_outfile_private(c->out);
	cli_write_check(c, prep_writer_raw(c->writer, text, len));
	free(text);
	cli_finish(c);
}

/* Read one partial file (plain or gzip) whole into p; exits 2 naming
 * it. */
static void
load_one(struct cli *c, const char *path, prep_partial *p)
{
	prep_partial_error e;
	prep_status st;
	prep_buf b;

	if (strcmp(path, "-") == 0)
		cli_usage_error(c, "--merge reads partials from files, not "
				   "from the standard input");
	/* plain, or gzip as -z writes it */
	cli_read_document(c, path, "partial", PREP_PARTIAL_MAX_BYTES, &b);
	cli_audit_input_file(c, path);
	st = prep_partial_parse(b.data ? b.data : "", b.len, c->prog, p, &e);
	prep_buf_free(&b);
	if (st == PREP_OK)
		return;
	if (st != PREP_ERR_VALUE && st != PREP_ERR_LIMIT)
		cli_fatal_status(c, st, path);
	cli_document_fatal(c, path, "partial", e.line, e.column, e.version,
			   PREP_PARTIAL_VERSION, e.text);
}

prep_partial *
cli_partials_load(struct cli *c, char **files, size_t n, const json_t *options)
{
	prep_partial *p;
	const char *why;
	size_t i, which;

	if (n == 0)
		cli_usage_error(c, "--merge needs one partial or more");
	if ((p = calloc(n, sizeof *p)) == NULL)
		cli_fatal(c, "out of memory");
	loaded = p;
	for (i = 0; i < n; i++)
		load_one(c, files[i], &p[i]);
	why = prep_partial_mismatch(p, n, options, &which);
	if (why != NULL)
		cli_fatal(c, "%s: %s", files[which], why);
	return p;
}

void
cli_merge_no_part(struct cli *c)
{
	if (c->part_i || c->part_by)
		cli_usage_error(c, "--merge reads partials: --part and "
				   "--part-by split CSV input");
}

void
cli_partials_free(prep_partial *p, size_t n)
{
	size_t i;

	for (i = 0; p != NULL && i < n; i++)
		prep_partial_free(&p[i]);
	if (p == loaded)
		loaded = NULL;
	free(p);
}

size_t *
cli_partials_order(struct cli *c, const prep_partial *p, size_t n)
{
	size_t *ord = malloc((n ? n : 1) * sizeof *ord), i;

	if (ord == NULL)
		cli_fatal(c, "out of memory");
	ordered = ord;
	for (i = 0; i < n; i++)
		ord[i] = i;
	/* parts of --part: each of 1 .. n once, cli_partials_load checked */
	for (i = 0; n && p[0].part.i != 0 && i < n; i++)
		ord[p[i].part.i - 1] = i;
	return ord;
}

void
cli_partial_state_error(struct cli *c, const char *path, prep_status st,
			const char *why)
{
	if (why != NULL)
		cli_fatal(c, "%s: %s", path, why);
	if (st == PREP_ERR_NOMEM)
		cli_fatal(c, "out of memory");
	cli_fatal_status(c, st, path);
}
