/*
 * cli_input.c: the input of every filter (see cli.h): opening it, its
 * rows with progress, reader errors as messages, and columns named on the
 * command line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "cli.h"

/* A delimiter as messages show it: tab, or the byte in quotes. */
static const char *
delim_name(int d, char buf[4])
{
	if (d == '\t')
		return "tab";
	buf[0] = '\'';
	buf[1] = (char)d;
	buf[2] = '\'';
	buf[3] = '\0';
	return buf;
}

void
cli_reader_fatal(struct cli *c, prep_status st)
{
	cli_reader_fatal_at(c, st, prep_reader_where(c->reader),
			    prep_reader_record_fields(c->reader));
}

void
cli_reader_fatal_at(struct cli *c, prep_status st, prep_where w, size_t nf)
{
	size_t ncols = prep_reader_columns(c->reader);
	const prep_csv_options *o = prep_reader_options(c->reader);
	char dn[4];

	switch (st) {
	case PREP_ERR_IO:
		cli_fatal(c, "%s: %s", w.file ? w.file : "-", strerror(errno));
	case PREP_ERR_QUOTE:
		if (w.line == 1)
			cli_fatal_at(c, w,
				     "field %zu: stray quote in unquoted "
				     "field: is the delimiter %s? (check -d "
				     "first; --lazy-quotes accepts the quote)",
				     w.field, delim_name(o->delim, dn));
		cli_fatal_at(c, w,
			     "field %zu: stray quote in unquoted field "
			     "(--lazy-quotes accepts it)",
			     w.field);
	case PREP_ERR_UNCLOSED_QUOTE:
		cli_fatal_at(c, w,
			     "field %zu: quoted field not closed at end "
			     "of input",
			     w.field);
	case PREP_ERR_FIELD_TOO_LONG:
		cli_fatal_at(c, w,
			     "field %zu: longer than --max-field (%zu "
			     "bytes)",
			     w.field, o->max_field);
	case PREP_ERR_TOO_MANY_FIELDS:
		cli_fatal_at(c, w, "record has more than %zu fields",
			     o->max_fields);
	case PREP_ERR_LIMIT:
		cli_fatal_at(c, w, "record too long");
	case PREP_ERR_RAGGED:
		cli_fatal_at(c, w, "record has %zu field%s, %s has %zu", nf,
			     nf == 1 ? "" : "s",
			     o->has_header ? "header" : "first record", ncols);
	case PREP_ERR_HEADER_MISMATCH:
		cli_fatal_at(c, w, "header differs from the first input's");
	case PREP_ERR_GZIP:
		cli_fatal_at(c, w, "corrupt or truncated gzip data");
	default:
		cli_fatal_at(c, w, "%s", prep_strerror(st));
	}
}

/* Say what the delimiter is when it was guessed (-v); warn when the
 * header looks as if it was split at the wrong byte. */
void
cli_check_delimiter(struct cli *c)
{
	int d = prep_reader_delim(c->reader);
	int how = prep_reader_delim_how(c->reader);
	size_t ncols;
	const prep_field *h = prep_reader_header(c->reader, &ncols);
	static const char other[] = "\t;|";
	char dn[4];
	size_t i;

	if (c->verbose && how != PREP_DELIM_GIVEN && d != ',')
		fprintf(stderr, "%s: delimiter %s (from the %s)\n", c->prog,
			delim_name(d, dn),
			how == PREP_DELIM_BY_NAME ? "file name" : "header");
	if (h == NULL || ncols != 1)
		return;
	for (i = 0; other[i]; i++)
		if (other[i] != d && memchr(h[0].data, other[i], h[0].len)) {
			const char *name = delim_name(other[i], dn);

			cli_warn(c,
				 "the header is one column that holds a %s: "
				 "is the delimiter %s? (-d %s)",
				 name, name, name);
			return;
		}
}

void
cli_input_operands(struct cli *c, int nfiles, char **files)
{
	c->in_files = files;
	c->audited = NULL; /* a new reader */
	c->in_n = nfiles;
	c->csv.sha256 = c->audit != NULL;
	cli_part_check(c, nfiles, files);
}

/* Is the file at path gzip data (its magic bytes)? 0 when unreadable:
 * the reader says why. */
static int
gzip_file(const char *path)
{
	unsigned char m[2];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int gz = fd >= 0 && read(fd, m, 2) == 2 && m[0] == 0x1f && m[1] == 0x8b;

	if (fd >= 0)
		close(fd);
	return gz;
}

void
cli_part_check(struct cli *c, int nfiles, char **files)
{
	struct stat sb;

	c->csv.part_i = c->csv.part_n = 0;
	if (c->part_by && c->part_i == 0)
		cli_usage_error(c, "--part-by needs --part I/N");
	if (c->part_i == 0 || c->part_by)
		return; /* whole, or by value: any input will do */
	if (c->csv.lazy_quotes)
		cli_usage_error(c,
				"--part with --lazy-quotes: stray quotes make "
				"the quote count meaningless, so a part could "
				"begin inside a quoted field (--part-by "
				"COLUMN takes any input)");
	if (nfiles > 1)
		cli_usage_error(c,
				"--part reads a byte range of one file, not "
				"of %d (run one file at a time, or use "
				"--part-by COLUMN)",
				nfiles);
	if (nfiles == 0 || strcmp(files[0], "-") == 0)
		cli_usage_error(c, "--part reads a byte range of a file, not "
				   "of the standard input (--part-by COLUMN "
				   "takes any input)");
	/* a file that can't be opened: the reader says why */
	if (stat(files[0], &sb) == 0 && !S_ISREG(sb.st_mode))
		cli_usage_error(c,
				"--part: %s is not a regular file: a pipe or "
				"a device has no byte ranges (--part-by "
				"COLUMN takes any input)",
				files[0]);
	if (gzip_file(files[0]))
		cli_usage_error(c,
				"--part: %s is gzip-compressed: a part can't "
				"begin inside its stream; decompress it "
				"first (or use --part-by COLUMN)",
				files[0]);
	c->csv.part_i = c->part_i;
	c->csv.part_n = c->part_n;
}

void
cli_part_by_apply(struct cli *c)
{
	size_t col;

	if (c->part_by == NULL || c->reader == NULL ||
	    prep_reader_columns(c->reader) == 0)
		return;
	col = cli_column(c, "--part-by", c->part_by);
	if (prep_reader_part_by(c->reader, col, c->part_i, c->part_n) !=
	    PREP_OK)
		cli_fatal(c, "--part-by: no such part");
}

void
cli_open_input(struct cli *c, int nfiles, char **files)
{
	prep_status st;

	cli_input_operands(c, nfiles, files);
	st = prep_reader_new(&c->csv, (const char *const *)files,
			     (size_t)nfiles, &c->reader);
	if (st == PREP_ERR_NOMEM && c->reader == NULL)
		cli_fatal(c, "out of memory");
	if (st != PREP_OK)
		cli_reader_fatal(c, st);
	if (prep_reader_columns(c->reader) == 0 && !c->allow_empty)
		cli_fatal(c, "%s: input is empty (--allow-empty accepts it)",
			  nfiles > 0 ? files[0] : "-");
	cli_check_delimiter(c);
	cli_part_by_apply(c);
	cli_audit_arm(c);
	if (c->progress) {
		c->start = cli_now();
		c->last_report = c->start;
		c->next_tick = 4096;
	}
}

/* --progress: a line at most once a second. */
static void
progress_tick(struct cli *c)
{
	if (c->progress && prep_reader_rows(c->reader) >= c->next_tick) {
		c->next_tick = prep_reader_rows(c->reader) + 4096;
		if (cli_now() - c->last_report >= 1.0)
			cli_progress(c, 0);
	}
}

const prep_field *
cli_next_row(struct cli *c, size_t *n)
{
	const prep_field *f;
	prep_status st = prep_reader_next_row(c->reader, &f, n);

	if (st == PREP_END)
		return NULL;
	if (st != PREP_OK)
		cli_reader_fatal(c, st);
	progress_tick(c);
	return f;
}

prep_status
cli_run_rows(struct cli *c, prep_writer *out, const prep_par_job *job,
	     void *const *ctx, prep_par_result *res)
{
	return cli_run_rows_of(c, c->reader, out, job, ctx, res);
}

/* A piece written: the job's own note, then --progress. */
struct piece_hook {
	struct cli *c;
	const prep_par_job *job;
};

static void
piece_done(void *arg, uint64_t piece, uint64_t rows)
{
	struct piece_hook *h = arg;

	if (h->job->piece)
		h->job->piece(h->job->arg, piece, rows);
	progress_tick(h->c);
}

/*
 * Records a loop on one thread gives the row function of a job with an
 * ordered function before it hands their side buffer to ordered: enough
 * that ordered's loop over them runs long (prefetching ahead, say),
 * few enough that the buffer stays in the caches.
 */
#define PLAIN_BATCH 256

/* ordered over the side buffer's records (none without ordered: rows
 * stays 0), then an empty buffer. */
static prep_status
plain_ordered(const prep_par_job *job, prep_buf *side, uint64_t *batch,
	      uint64_t *rows, prep_par_result *res)
{
	prep_status st = PREP_OK;

	if (*rows > 0 && (st = job->ordered(job->ordered_arg, (*batch)++, side,
					    *rows)) != PREP_OK) {
		memset(res, 0, sizeof *res);
		res->status = st;
		res->by_ordered = 1;
	}
	prep_buf_reset(side);
	*rows = 0;
	return st;
}

/*
 * cli_run_rows_of on one thread. A job with an ordered function has its
 * records given to the row function with a side buffer, handed to
 * ordered PLAIN_BATCH at a time; before a failure is reported, the
 * records before it go to ordered, whose own failure among them comes
 * first, as it would with each record's ordered work done at once.
 */
static prep_status
run_plain(struct cli *c, prep_reader *r, prep_writer *out,
	  const prep_par_job *job, void *const *ctx, prep_par_result *res)
{
	prep_buf side;
	prep_par_sided sa = {{0, 0, r}, job->ordered ? &side : NULL};
	uint64_t batch = 0, rows = 0;
	const prep_field *f;
	size_t n;
	prep_status st, ost;

	prep_buf_init(&side, 0);
	for (;;) {
		st = prep_reader_next_row(r, &f, &n);
		if (st == PREP_END)
			break;
		if (st != PREP_OK) {
			if ((ost = plain_ordered(job, &side, &batch, &rows,
						 res)) != PREP_OK) {
				prep_buf_free(&side);
				return ost;
			}
			prep_buf_free(&side);
			cli_reader_fatal_at(c, st, prep_reader_where(r),
					    prep_reader_record_fields(r));
		}
		if (r == c->reader)
			progress_tick(c);
		if ((st = job->row(ctx[0], f, n, &sa.at, out)) != PREP_OK) {
			prep_where w = prep_reader_where(r);

			if ((ost = plain_ordered(job, &side, &batch, &rows,
						 res)) != PREP_OK) {
				prep_buf_free(&side);
				return ost;
			}
			res->status = st;
			res->where = w;
			res->fields = n;
			res->place = sa.at.index;
			res->by_row = 1;
			prep_buf_free(&side);
			return st;
		}
		sa.at.index++;
		if (job->ordered && ++rows == PLAIN_BATCH &&
		    (st = plain_ordered(job, &side, &batch, &rows, res)) !=
			PREP_OK) {
			prep_buf_free(&side);
			return st;
		}
	}
	st = plain_ordered(job, &side, &batch, &rows, res);
	prep_buf_free(&side);
	if (st == PREP_OK && job->piece)
		job->piece(job->arg, 0, sa.at.index);
	return st;
}

int
cli_run_threaded(const struct cli *c, const prep_reader *r)
{
	return c->threads > 1 && !prep_reader_options(r)->lazy_quotes;
}

prep_status
cli_run_rows_of(struct cli *c, prep_reader *r, prep_writer *out,
		const prep_par_job *job, void *const *ctx, prep_par_result *res)
{
	struct piece_hook hook;
	prep_par_job own;
	prep_status st;

	memset(res, 0, sizeof *res);
	c->run_ctx = ctx;
	if (!cli_run_threaded(c, r))
		return run_plain(c, r, out, job, ctx, res);
	hook.c = c;
	hook.job = job;
	own = *job;
	own.piece = piece_done;
	own.arg = &hook;
	st = prep_par_run(r, out, c->threads, &own, ctx, res);
	if (!res->by_row && !res->by_output && !res->by_ordered) {
		if (st == PREP_ERR_NOMEM)
			cli_fatal(c, "out of memory");
		if (st != PREP_OK)
			cli_reader_fatal_at(c, st, res->where, res->fields);
	}
	return st;
}

size_t *
cli_columns(struct cli *c, const char *opt, const char *list, size_t *n)
{
	size_t ncols, *idx, off, len;
	const prep_field *h = prep_reader_header(c->reader, &ncols);
	prep_status st;

	int by_name;

	st =
	    prep_columns_resolve(list, h, ncols, &idx, n, &off, &len, &by_name);
	if (st == PREP_OK && by_name)
		cli_unique_names(c);
	if (st == PREP_ERR_COLUMN) {
		char msg[2048];

		cli_unknown_column_text(c, msg, sizeof msg, opt, list + off,
					len, 1);
		cli_usage_error(c, "%s", msg);
	}
	if (st != PREP_OK)
		cli_fatal_status(c, st, opt);
	return idx;
}

void
cli_unique_names(struct cli *c)
{
	size_t ncols, first, second;
	const prep_field *h = prep_reader_header(c->reader, &ncols);
	prep_where w = prep_reader_where(c->reader);
	prep_status st;

	if (c->names_unique)
		return;
	st = prep_columns_duplicate(h, ncols, &first, &second);
	if (st != PREP_OK)
		cli_fatal_status(c, st, "header");
	if (second != (size_t)-1) {
		w.line = 1;
		cli_fatal_at(c, w,
			     "two columns are named '%.*s' (fields "
			     "%zu and %zu): a name must mean one column; "
			     "rename one, or give columns by number",
			     (int)h[first].len, h[first].data, first + 1,
			     second + 1);
	}
	c->names_unique = 1;
}

void
cli_unknown_column_text(struct cli *c, char *buf, size_t n, const char *what,
			const char *item, size_t len, int quote)
{
	size_t ncols, i, at, used;
	const prep_field *h = prep_reader_header(c->reader, &ncols);
	int k;

	if (quote)
		k = snprintf(buf, n, "%s: unknown column '%.*s'", what,
			     (int)len, item);
	else
		k = snprintf(buf, n, "%s: unknown column", what);
	used = k < 0 ? 0 : (size_t)k;
	if (h == NULL) {
		if (used < n)
			snprintf(buf + used, n - used,
				 " (no header: columns are numbered 1 to "
				 "%zu)",
				 ncols);
		return;
	}
	at = prep_columns_closest(h, ncols, item, len);
	if (at != (size_t)-1 && used < n) {
		k = snprintf(buf + used, n - used, " (did you mean '%.*s'?)",
			     (int)h[at].len, h[at].data);
		used += k < 0 ? 0 : (size_t)k;
	}
	if (used < n) {
		k = snprintf(buf + used, n - used, "; the columns are: ");
		used += k < 0 ? 0 : (size_t)k;
	}
	/* At most 20 names; room is kept for the tail ", ... (N in all)". */
	for (i = 0; i < ncols && i < 20 && used + 40 < n; i++) {
		size_t room = n - used - 40, nl = h[i].len;

		if (nl + 2 > room) {
			snprintf(buf + used, n - used, "%s... (%zu in all)",
				 i ? ", " : "", ncols);
			return;
		}
		k = snprintf(buf + used, n - used, "%s%.*s", i ? ", " : "",
			     (int)nl, h[i].data);
		used += k < 0 ? 0 : (size_t)k;
	}
	if (i < ncols && used < n)
		snprintf(buf + used, n - used, ", ... (%zu in all)", ncols);
}

unsigned char *
cli_column_counts(struct cli *c, const size_t *idx, size_t n, size_t ncols)
{
	unsigned char *m = calloc(ncols ? ncols : 1, 1);
	size_t i;

	if (m == NULL)
		cli_fatal(c, "out of memory");
	for (i = 0; i < n; i++)
		if (idx[i] < ncols && m[idx[i]] < 2)
			m[idx[i]]++;
	return m;
}

prep_field
cli_column_label(struct cli *c, size_t col,
		 char number[PREP_COLUMNS_LABEL_SIZE])
{
	size_t ncols;
	const prep_field *h = prep_reader_header(c->reader, &ncols);

	return prep_columns_label(h, ncols, col, number);
}

size_t
cli_column(struct cli *c, const char *opt, const char *name)
{
	size_t n, *idx = cli_columns(c, opt, name, &n), col = idx[0];

	free(idx);
	if (n != 1)
		cli_usage_error(c, "%s names one column", opt);
	return col;
}

void
cli_document_fatal(struct cli *c, const char *path, const char *kind, int line,
		   int column, long long version, int current, const char *why)
{
	if (line > 0)
		cli_fatal(c, "%s:%d:%d: %s", path, line, column, why);
	if (version >= 0 && version != current)
		cli_fatal(c,
			  "%s: a %s of version %lld; this %s reads version %d",
			  path, kind, version, c->prog, current);
	cli_fatal(c, "%s: %s", path, why);
}

static long
from_gzip(void *ctx, void *dst, size_t n)
{
	return gzread(ctx, dst, (unsigned)n); /* -1 on error */
}

void
cli_read_document(struct cli *c, const char *path, const char *kind, size_t max,
		  prep_buf *b)
{
	int fd = strcmp(path, "-") == 0 ? dup(0) : open(path, O_RDONLY);
	gzFile z = fd >= 0 ? gzdopen(fd, "rb") : NULL;
	prep_status st;
	int n = 0, e;

	if (fd < 0)
		cli_fatal(c, "%s: %s", path, strerror(errno));
	if (z == NULL)
		cli_fatal(c, "out of memory");
	prep_buf_init(b, max);
	st = prep_buf_read_all(b, from_gzip, z);
	e = errno;
	if (st == PREP_ERR_IO)
		cli_fatal(c, "%s: %s", path,
			  gzerror(z, &n) && n == Z_ERRNO ? strerror(e)
							 : "corrupt gzip data");
	(void)gzclose(z); /* read only: nothing to lose */
	if (st == PREP_ERR_LIMIT)
		cli_fatal(c, "%s: %s larger than %zu bytes", path, kind, max);
	if (st != PREP_OK)
		cli_fatal_status(c, st, path);
}
