/*
 * test_par.c: records on several threads (par.h) against one reader.
 *
 * The reference is the plain loop every filter ran before threads: one
 * reader, prep_reader_next_row, each record written by prep_writer_row.
 * Random inputs rich in quoted line feeds, CRLF, lone CRs, doubled
 * quotes and blank lines go through prep_par_run with pieces of a few
 * bytes (so that nearly every record boundary is a piece boundary) on
 * 1 to 7 threads: the output's bytes, the status, its place and the
 * rows counted must be the reference's, on valid and malformed input.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "csv.h"
#include "par.h"

static char dir[] = "/tmp/prep_test_par_XXXXXX";

static void
setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	(void)system(cmd);
	prep_par_set_piece(0);
	prep_par_set_portable(0);
}

TestSuite(par, .init = setup, .fini = teardown);

static const char *
put_file(const char *name, const char *data, size_t len)
{
	static char path[4][256];
	static int turn;
	char *p = path[turn++ % 4];
	FILE *f;

	snprintf(p, 256, "%s/%s", dir, name);
	f = fopen(p, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	fclose(f);
	return p;
}

static const char *
put_str(const char *name, const char *data)
{
	return put_file(name, data, strlen(data));
}

/* What a run gives: the bytes written, the status and its place. */
struct outcome {
	prep_buf out;
	prep_status st;
	unsigned long line;
	size_t field;
	uint64_t rows;
};

static void
read_back(int fd, prep_buf *b)
{
	char chunk[4096];
	ssize_t n;

	prep_buf_init(b, 0);
	prep_buf_append(b, "", 0);
	cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		prep_buf_append(b, chunk, (size_t)n);
}

/* The job: write the record; fail on a record whose first field is
 * "bad" (a row function's failure). */
struct ctx {
	int failed;
	uint64_t last; /* (piece << 32 | index) of the last record seen */
	int ordered;   /* places increase within this worker */
};

static prep_status
copy_row(void *arg, const prep_field *f, size_t n, const prep_par_row *at,
	 prep_writer *w)
{
	struct ctx *c = arg;
	uint64_t place = at->piece << 32 | at->index;

	if (c->last != UINT64_MAX && place <= c->last)
		c->ordered = 0;
	c->last = place;
	if (n > 0 && f[0].len == 3 && memcmp(f[0].data, "bad", 3) == 0) {
		c->failed = 1;
		return PREP_ERR_VALUE;
	}
	return prep_writer_row(w, f, n);
}

static void
run(const prep_csv_options *o, const char *const *paths, size_t npaths,
    unsigned threads, struct outcome *res)
{
	prep_writer_options wo = {0};
	prep_reader *r;
	prep_writer *w;
	FILE *tmp = tmpfile();
	const prep_field *h, *f;
	size_t n;
	prep_status st;

	cr_assert_not_null(tmp);
	st = prep_reader_new(o, paths, npaths, &r);
	memset(res, 0, sizeof *res);
	if (st != PREP_OK) {
		res->st = st;
		prep_buf_init(&res->out, 0);
		prep_reader_free(r);
		fclose(tmp);
		return;
	}
	wo.delim = prep_reader_delim(r);
	cr_assert_eq(prep_writer_new(fileno(tmp), &wo, &w), PREP_OK);
	if ((h = prep_reader_header(r, &n)) != NULL)
		cr_assert_eq(prep_writer_row(w, h, n), PREP_OK);
	if (threads == 0) { /* the reference */
		struct ctx c = {0, UINT64_MAX, 1};
		prep_par_row at = {0, 0, r};

		while ((st = prep_reader_next_row(r, &f, &n)) == PREP_OK) {
			if ((st = copy_row(&c, f, n, &at, w)) != PREP_OK)
				break;
			at.index++;
		}
		if (st == PREP_END)
			st = PREP_OK;
		res->line = prep_reader_where(r).line;
		res->field = prep_reader_where(r).field;
	} else {
		struct ctx c[8];
		void *ctx[8];
		prep_par_result pr;
		unsigned i;

		for (i = 0; i < threads; i++) {
			c[i].failed = 0;
			c[i].last = UINT64_MAX;
			c[i].ordered = 1;
			ctx[i] = &c[i];
		}
		st = prep_par_run(r, w, threads,
				  &(prep_par_job){.row = copy_row}, ctx, &pr);
		cr_assert_eq(st, pr.status);
		res->line = pr.where.line;
		res->field = pr.where.field;
		for (i = 0; i < threads; i++)
			cr_assert(c[i].ordered, "worker %u went back", i);
		if (pr.by_row)
			cr_assert(c[pr.worker].failed);
	}
	res->st = st;
	res->rows = prep_reader_rows(r);
	cr_assert_eq(prep_writer_finish(w), PREP_OK);
	read_back(fileno(tmp), &res->out);
	prep_writer_free(w);
	prep_reader_free(r);
	fclose(tmp);
}

static uint64_t seed = 7;

static unsigned
rnd(unsigned n)
{
	seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(seed >> 33) % n;
}

/* A random input of about nrec records of ncols fields. */
static void
random_csv(prep_buf *b, int nrec, int ncols, int malformed)
{
	static const char *const cells[] = {
	    "a",	"",	    "xy z",	    "\"q\nr\"",
	    "\"a,b\"",	"\"\"\"\"", "\"\"",	    "\"\n\"",
	    "\"\r\n\"", "\" x \"",  "12",	    "\"a\"\"b\"",
	    "\"\r\"",	"long-ish", "\xEF\xBB\xBF", "bad0"};
	static const char *const ends[] = {"\n", "\r\n", "\n", "\r"};
	int i, j;

	prep_buf_init(b, 0);
	for (j = 0; j < ncols; j++)
		prep_buf_append_str(b, j ? ",h" : "h");
	prep_buf_append_str(b, "\n");
	for (i = 0; i < nrec; i++) {
		const char *end = ends[rnd(4)];

		if (rnd(20) == 0)
			prep_buf_append_str(b, "\n"); /* a blank line */
		for (j = 0; j < ncols; j++) {
			if (j)
				prep_buf_append_str(b, ",");
			if (j == 0 && malformed && rnd(300) == 0)
				prep_buf_append_str(b, "bad"); /* the job's */
			else
				prep_buf_append_str(
				    b,
				    cells[rnd(sizeof cells / sizeof *cells)]);
		}
		if (malformed && rnd(200) == 0) {
			static const char *const bad[] = {"x\"y", ",extra",
							  "\"open", "bad"};

			prep_buf_append_str(b, bad[rnd(4)]);
		}
		if (i + 1 < nrec || rnd(2))
			prep_buf_append_str(b, end);
	}
}

static void
expect_same(const struct outcome *ref, const struct outcome *got,
	    const char *what, unsigned threads, size_t piece)
{
	cr_assert_eq(got->st, ref->st, "%s, %u threads, %zu-byte pieces: %s",
		     what, threads, piece, prep_strerror(got->st));
	cr_assert_eq(got->out.len, ref->out.len,
		     "%s, %u threads, %zu-byte pieces: %zu bytes, not %zu",
		     what, threads, piece, got->out.len, ref->out.len);
	cr_assert_eq(memcmp(got->out.data, ref->out.data, ref->out.len), 0,
		     "%s, %u threads", what, threads);
	if (ref->st != PREP_OK) {
		cr_assert_eq(got->line, ref->line, "%s: line %lu, not %lu",
			     what, got->line, ref->line);
		cr_assert_eq(got->field, ref->field, "%s: field", what);
	} else {
		cr_assert_eq(got->rows, ref->rows, "%s: rows", what);
	}
}

static void
compare(const prep_csv_options *o, const char *const *paths, size_t npaths,
	const char *what)
{
	static const size_t pieces[] = {1, 5, 64, 4096};
	static const unsigned threads[] = {1, 2, 3, 7};
	struct outcome ref, got;
	size_t i, j;
	int portable;

	run(o, paths, npaths, 0, &ref);
	/* the CPU's own scan of quotes and line feeds, then the portable */
	for (portable = 0; portable < 2; portable++) {
		prep_par_set_portable(portable);
		for (i = 0; i < sizeof pieces / sizeof *pieces; i++)
			for (j = 0; j < sizeof threads / sizeof *threads; j++) {
				prep_par_set_piece(pieces[i]);
				run(o, paths, npaths, threads[j], &got);
				expect_same(&ref, &got, what, threads[j],
					    pieces[i]);
				prep_buf_free(&got.out);
			}
	}
	prep_par_set_portable(0);
	prep_buf_free(&ref.out);
}

Test(par, random_valid_inputs_match_one_reader)
{
	int iter;

	for (iter = 0; iter < 60; iter++) {
		prep_buf b;
		prep_csv_options o;
		const char *path;
		char what[64];

		random_csv(&b, 1 + (int)rnd(120), 1 + (int)rnd(4), 0);
		path = put_file("v.csv", b.data, b.len);
		prep_csv_options_init(&o);
		o.delim = ',';
		snprintf(what, sizeof what, "valid input %d", iter);
		compare(&o, &path, 1, what);
		o.has_header = 0; /* the first record is pending */
		compare(&o, &path, 1, what);
		prep_buf_free(&b);
	}
}

Test(par, malformed_inputs_fail_at_the_same_place)
{
	int iter, failed = 0;

	for (iter = 0; iter < 80; iter++) {
		prep_buf b;
		prep_csv_options o;
		const char *path;
		struct outcome ref;
		char what[64];

		random_csv(&b, 100 + (int)rnd(200), 1 + (int)rnd(3), 1);
		path = put_file("m.csv", b.data, b.len);
		prep_csv_options_init(&o);
		o.delim = ',';
		run(&o, &path, 1, 0, &ref);
		failed += ref.st != PREP_OK;
		prep_buf_free(&ref.out);
		snprintf(what, sizeof what, "malformed input %d", iter);
		compare(&o, &path, 1, what);
		prep_buf_free(&b);
	}
	/* most of them do fail, in the reader or in the row function */
	cr_assert_gt(failed, 40);
}

Test(par, several_files_and_their_headers)
{
	const char *paths[3];
	prep_csv_options o;

	paths[0] = put_str("a.csv", "k,v\n1,\"x\ny\"\n2,b\n");
	paths[1] = put_str("b.csv", "k,v\r\n"); /* header only */
	paths[2] = put_str("c.csv", "k,v\n3,c\n4,\"d\"\"\"");
	prep_csv_options_init(&o);
	compare(&o, paths, 3, "three files");
	paths[1] = put_str("d.csv", "k,w\n5,e\n");
	compare(&o, paths, 3, "a header that differs");
	{
		struct outcome got;

		run(&o, paths, 3, 2, &got);
		cr_assert_eq(got.st, PREP_ERR_HEADER_MISMATCH);
		/* the first file's records came out before the failure */
		cr_assert_str_eq(got.out.data, "k,v\n1,\"x\ny\"\n2,b\n");
		prep_buf_free(&got.out);
	}
}

Test(par, gzip_and_a_byte_order_mark)
{
	/* the first field of the output looks like a BOM: quoted by the
	 * output's writer, whichever piece it comes from */
	const char *path = put_file("bom.csv",
				    "\xEF\xBB\xBF\xEF\xBB\xBFx,1\n"
				    "y,2\n",
				    14);
	prep_csv_options o;
	struct outcome got;

	prep_csv_options_init(&o);
	o.has_header = 0;
	o.delim = ',';
	compare(&o, &path, 1, "BOM-like first field");
	prep_par_set_piece(1);
	run(&o, &path, 1, 2, &got);
	cr_assert_str_eq(got.out.data, "\"\xEF\xBB\xBFx\",1\ny,2\n");
	prep_buf_free(&got.out);
}

Test(par, a_record_longer_than_any_reader_takes)
{
	prep_buf b;
	prep_csv_options o;
	const char *path;
	size_t i;

	prep_buf_init(&b, 0);
	prep_buf_append_str(&b, "k\nshort\n\"");
	for (i = 0; i < 300000; i++)
		prep_buf_append_str(&b, "z");
	prep_buf_append_str(&b, "\"\nend\n");
	path = put_file("long.csv", b.data, b.len);
	prep_csv_options_init(&o);
	o.max_field = 1000;
	compare(&o, &path, 1, "a field past --max-field");
	prep_buf_free(&b);
}

Test(par, lazy_quotes_are_refused)
{
	const char *path = put_str("l.csv", "k\na\"b\n");
	prep_csv_options o;
	prep_reader *r;
	prep_par_result res;
	struct ctx c = {0, UINT64_MAX, 1};
	void *ctx[1] = {&c};

	prep_csv_options_init(&o);
	o.lazy_quotes = 1;
	cr_assert_eq(prep_reader_new(&o, &path, 1, &r), PREP_OK);
	cr_assert_eq(prep_par_run(r, NULL, 2, &(prep_par_job){.row = copy_row},
				  ctx, &res),
		     PREP_ERR_ARG);
	prep_reader_free(r);
}

/*
 * The ordered stage (prep_par_job.ordered): each row function notes its
 * record's first field in the piece's side buffer, and the ordered
 * function strings the notes together on the calling thread. The
 * reference is the same notes made in one reader's loop: the string, the
 * status and its place must be its, the pieces must come 0, 1, 2, ...,
 * each with as many notes as rows, and before a piece p > 0 the reader
 * must count the records of the pieces before it.
 */
struct notes {
	prep_buf all;	/* the notes strung together in order */
	uint64_t next;	/* the piece expected next */
	uint64_t given; /* records given to the row functions before */
	prep_reader *r;
	int bad_order;	  /* a piece out of turn, or a count wrong */
	const char *stop; /* a first field that fails the ordered stage */
	uint64_t calls;
};

static prep_status
note_row(void *arg, const prep_field *f, size_t n, const prep_par_row *at,
	 prep_writer *w)
{
	prep_buf *side = prep_par_side(at);
	uint64_t len = n > 0 ? f[0].len : 0;

	(void)arg;
	cr_assert_not_null(side);
	if (n > 0 && f[0].len == 3 && memcmp(f[0].data, "bad", 3) == 0)
		return PREP_ERR_VALUE;
	prep_buf_append(side, &len, sizeof len);
	if (len)
		prep_buf_append(side, f[0].data, (size_t)len);
	return w ? prep_writer_row(w, f, n) : PREP_OK;
}

static prep_status
note_ordered(void *arg, uint64_t piece, const prep_buf *side, uint64_t rows)
{
	struct notes *k = arg;
	size_t off = 0;
	uint64_t seen = 0, len;
	prep_status st = PREP_OK;

	k->calls++;
	if (piece != k->next)
		k->bad_order = 1;
	k->next = piece + 1;
	if (piece > 0 && prep_reader_rows(k->r) != k->given)
		k->bad_order = 1;
	while (off < side->len) {
		memcpy(&len, side->data + off, sizeof len);
		off += sizeof len;
		prep_buf_append(&k->all, side->data + off, (size_t)len);
		prep_buf_append_str(&k->all, "|");
		seen++;
		if (k->stop && len == strlen(k->stop) &&
		    memcmp(side->data + off, k->stop, len) == 0) {
			st = PREP_ERR_LIMIT; /* the notes after it unread */
			break;
		}
		off += (size_t)len;
	}
	if (st == PREP_OK && seen != rows)
		k->bad_order = 1;
	k->given += rows;
	return st;
}

/* The notes of o's input at path, on threads (0: the reference). */
static prep_status
run_notes(const prep_csv_options *o, const char *path, unsigned threads,
	  const char *stop, struct notes *k, prep_par_result *pr)
{
	prep_reader *r;
	const prep_field *f;
	size_t n;
	prep_status st;

	memset(k, 0, sizeof *k);
	memset(pr, 0, sizeof *pr);
	prep_buf_init(&k->all, 0);
	prep_buf_append(&k->all, "", 0);
	k->stop = stop;
	cr_assert_eq(prep_reader_new(o, &path, 1, &r), PREP_OK);
	k->r = r;
	if (threads == 0) {
		while ((st = prep_reader_next_row(r, &f, &n)) == PREP_OK) {
			if (n > 0 && f[0].len == 3 &&
			    memcmp(f[0].data, "bad", 3) == 0) {
				st = PREP_ERR_VALUE;
				break;
			}
			prep_buf_append(&k->all, n ? f[0].data : "",
					n ? f[0].len : 0);
			prep_buf_append_str(&k->all, "|");
			if (stop && n && f[0].len == strlen(stop) &&
			    memcmp(f[0].data, stop, f[0].len) == 0) {
				st = PREP_ERR_LIMIT;
				break;
			}
		}
		if (st == PREP_END)
			st = PREP_OK;
		pr->where = prep_reader_where(r);
	} else {
		struct ctx c[8];
		void *ctx[8];
		prep_par_job job = {.row = note_row};
		unsigned i;

		for (i = 0; i < threads; i++)
			ctx[i] = &c[i];
		job.ordered = note_ordered;
		job.ordered_arg = k;
		st = prep_par_run(r, NULL, threads, &job, ctx, pr);
		cr_assert(!k->bad_order, "pieces out of turn or miscounted");
	}
	prep_reader_free(r);
	return st;
}

Test(par, ordered_stage_reads_the_pieces_in_input_order)
{
	static const size_t pieces[] = {1, 300, 20000};
	int iter, failed = 0;

	/* inputs of a few hundred KiB: the reader hands raw bytes over 64
	 * KiB at a time, and a piece ends within what it handed over */
	for (iter = 0; iter < 16; iter++) {
		prep_buf b;
		prep_csv_options o;
		const char *path;
		struct notes ref, got;
		prep_par_result rr, gr;
		prep_status rst, gst;
		size_t i;

		int ncols = 1 + (int)rnd(3);

		random_csv(&b, 40000 + (int)rnd(20000), ncols, 0);
		if (iter % 2) { /* malformed records far into the input */
			prep_buf m;
			const char *body;

			random_csv(&m, 300, ncols, 1);
			body = strchr(m.data, '\n') + 1;
			if (b.data[b.len - 1] != '\n' &&
			    b.data[b.len - 1] != '\r')
				prep_buf_append_str(&b, "\n");
			prep_buf_append_str(&b, body);
			prep_buf_free(&m);
		}
		path = put_file("o.csv", b.data, b.len);
		prep_csv_options_init(&o);
		o.delim = ',';
		o.has_header = iter % 4 != 1;
		rst = run_notes(&o, path, 0, NULL, &ref, &rr);
		failed += rst != PREP_OK;
		for (i = 0; i < sizeof pieces / sizeof *pieces; i++) {
			prep_par_set_piece(pieces[i]);
			gst = run_notes(&o, path, 1 + (unsigned)rnd(7), NULL,
					&got, &gr);
			cr_assert_eq(gst, rst, "input %d: %s, not %s", iter,
				     prep_strerror(gst), prep_strerror(rst));
			cr_assert_str_eq(got.all.data, ref.all.data,
					 "input %d, %zu-byte pieces", iter,
					 pieces[i]);
			if (rst != PREP_OK)
				cr_assert_eq(gr.where.line, rr.where.line);
			else /* many pieces, each read in turn */
				cr_assert_gt(got.calls, 2);
			prep_buf_free(&got.all);
		}
		prep_buf_free(&ref.all);
		prep_buf_free(&b);
	}
	cr_assert_gt(failed, 4); /* malformed inputs do fail */
}

Test(par, an_ordered_failure_stops_the_run_there)
{
	/* the pieces hold many records: the stop is in a piece before
	 * others (a piece ends past 1 byte read, at the last boundary of
	 * what the reader handed over) */
	prep_buf b;
	const char *path;
	int i;
	prep_csv_options o;
	struct notes ref, got;
	prep_par_result rr, gr;
	prep_status st;

	prep_buf_init(&b, 0);
	prep_buf_append_str(&b, "k\n");
	for (i = 0; i < 200000; i++)
		prep_buf_append_str(&b, i == 150000 ? "stop\n" : "a\n");
	path = put_file("s.csv", b.data, b.len);
	prep_buf_free(&b);
	prep_csv_options_init(&o);
	prep_par_set_piece(4096);
	st = run_notes(&o, path, 0, "stop", &ref, &rr);
	cr_assert_eq(st, PREP_ERR_LIMIT);
	cr_assert_eq(ref.all.len, 150000 * 2 + 5);
	st = run_notes(&o, path, 3, "stop", &got, &gr);
	cr_assert_eq(st, PREP_ERR_LIMIT);
	cr_assert(gr.by_ordered);
	cr_assert(!gr.by_row);
	/* no piece after the failing one reached the ordered stage */
	cr_assert_str_eq(got.all.data, ref.all.data);
	prep_buf_free(&ref.all);
	prep_buf_free(&got.all);
	/* negative control: without the stop, every record is noted */
	st = run_notes(&o, path, 3, NULL, &got, &gr);
	cr_assert_eq(st, PREP_OK);
	cr_assert_eq(got.all.len, 200000 * 2 + 3);
	prep_buf_free(&got.all);
}

static prep_status
no_side_row(void *arg, const prep_field *f, size_t n, const prep_par_row *at,
	    prep_writer *w)
{
	(void)arg;
	(void)f;
	(void)n;
	(void)w;
	return prep_par_side(at) == NULL ? PREP_OK : PREP_ERR_ARG;
}

Test(par, a_job_without_an_ordered_stage_has_no_side_buffers)
{
	const char *path = put_str("n.csv", "k\na\nb\nc\n");
	prep_csv_options o;
	prep_reader *r;
	prep_par_result res;
	struct ctx c[2];
	void *ctx[2] = {&c[0], &c[1]};

	prep_csv_options_init(&o);
	prep_par_set_piece(1);
	cr_assert_eq(prep_reader_new(&o, &path, 1, &r), PREP_OK);
	cr_assert_eq(prep_par_run(r, NULL, 2,
				  &(prep_par_job){.row = no_side_row}, ctx,
				  &res),
		     PREP_OK);
	prep_reader_free(r);
}

/* The pieces a run cut: the rows of each, in order. */
struct cuts {
	uint64_t rows[4096];
	size_t n;
};

static void
note_piece(void *arg, uint64_t piece, uint64_t rows)
{
	struct cuts *c = arg;

	cr_assert_eq(piece, c->n, "piece %lu after %zu", (unsigned long)piece,
		     c->n);
	cr_assert_lt(c->n, 4096);
	c->rows[c->n++] = rows;
}

static prep_status
count_row(void *arg, const prep_field *f, size_t n, const prep_par_row *at,
	  prep_writer *w)
{
	(void)arg;
	(void)f;
	(void)n;
	(void)at;
	(void)w;
	return PREP_OK;
}

/* Run path on threads, noting the pieces. */
static void
cut(const char *path, unsigned threads, struct cuts *c)
{
	prep_csv_options o;
	prep_reader *r;
	prep_par_result res;
	void *ctx[8] = {NULL};

	memset(c, 0, sizeof *c);
	prep_csv_options_init(&o);
	o.delim = ',';
	cr_assert_eq(prep_reader_new(&o, &path, 1, &r), PREP_OK);
	cr_assert_eq(prep_par_run(r, NULL, threads,
				  &(prep_par_job){.row = count_row,
						  .piece = note_piece,
						  .arg = c},
				  ctx, &res),
		     PREP_OK);
	prep_reader_free(r);
}

/*
 * The pieces depend on the bytes alone: a file, and the same bytes
 * through a pipe written a few bytes at a time (so that reads return
 * any number of them), are cut alike on any number of threads.
 */
Test(par, cuts_depend_on_the_bytes_not_the_reads)
{
	static const size_t pieces[] = {5, 64, 1000};
	struct cuts *ref = malloc(sizeof *ref), *got = malloc(sizeof *got);
	prep_buf b;
	const char *path;
	char pipe_path[64];
	size_t i;
	unsigned t;

	cr_assert(ref && got);
	random_csv(&b, 400, 3, 0);
	path = put_file("c.csv", b.data, b.len);
	for (i = 0; i < sizeof pieces / sizeof *pieces; i++) {
		prep_par_set_piece(pieces[i]);
		cut(path, 1, ref);
		cr_assert_gt(ref->n, 3, "%zu pieces", ref->n);
		for (t = 1; t <= 7; t += 3) {
			int fd[2];
			pid_t pid;
			size_t off = 0;

			cr_assert_eq(pipe(fd), 0);
			if ((pid = fork()) == 0) {
				close(fd[0]);
				while (off < b.len) {
					size_t k = 1 + rnd(97);

					if (k > b.len - off)
						k = b.len - off;
					if (write(fd[1], b.data + off, k) !=
					    (ssize_t)k)
						_exit(1);
					off += k;
					if (rnd(4) == 0)
						usleep(50);
				}
				_exit(0);
			}
			close(fd[1]);
			snprintf(pipe_path, sizeof pipe_path, "/dev/fd/%d",
				 fd[0]);
			cut(pipe_path, t, got);
			close(fd[0]);
			cr_assert_gt(pid, 0);
			(void)waitpid(pid, NULL, 0);
			cr_assert_eq(got->n, ref->n,
				     "%zu-byte pieces, %u threads: %zu pieces, "
				     "not %zu",
				     pieces[i], t, got->n, ref->n);
			cr_assert_eq(
			    memcmp(got->rows, ref->rows,
				   ref->n * sizeof *ref->rows),
			    0, "%zu-byte pieces, %u threads: cut elsewhere",
			    pieces[i], t);
		}
	}
	prep_buf_free(&b);
	free(ref);
	free(got);
}

/*
 * All of a stream's raw bytes, as prep_reader_raw gives them (cap 0) or
 * as prep_reader_raw_to reads them into a buffer of a random cap of 1 to
 * 8192 bytes: the bytes, each file's end and the line of each file's first
 * bytes, in b; *direct counts the calls that read into the buffer.
 */
static prep_status
all_raw(const prep_csv_options *o, const char *const *paths, size_t n, int to,
	uint64_t *rs, prep_buf *b, size_t *direct, unsigned char digest[32])
{
	prep_reader *r = NULL;
	static unsigned char buf[8192];
	prep_raw raw;
	prep_status st;
	int new_file = 1;

	*direct = 0;
	prep_buf_init(b, 0);
	prep_buf_append(b, "", 0);
	st = prep_reader_new(o, paths, n, &r);
	cr_assert_eq(st, PREP_OK, "open: %s", prep_strerror(st));
	if (prep_reader_pending(r)) {
		const prep_field *f;
		size_t nf;

		cr_assert_eq(prep_reader_next_row(r, &f, &nf), PREP_OK);
		prep_buf_append_str(b, "<pending>");
	}
	for (;;) {
		size_t cap;

		*rs = *rs * 6364136223846793005ULL + 1442695040888963407ULL;
		cap = 1 + (size_t)(*rs >> 33) % sizeof buf;
		st = to ? prep_reader_raw_to(r, buf, cap, &raw)
			: prep_reader_raw(r, &raw);
		if (st != PREP_OK)
			break;
		if (to && raw.data == buf) {
			cr_assert_leq(raw.len, cap);
			++*direct;
		}
		if (raw.file_end) {
			prep_buf_append_str(b, "<end>");
			new_file = 1;
			continue;
		}
		if (new_file) {
			char head[64];

			snprintf(head, sizeof head, "<%s:%lu>",
				 strrchr(raw.file, '/') + 1, raw.line);
			prep_buf_append_str(b, head);
			new_file = 0;
		}
		prep_buf_append(b, raw.data, raw.len);
	}
	if (digest)
		cr_assert_eq(prep_reader_sha256(r, 0, digest), PREP_OK);
	prep_reader_free(r);
	return st;
}

/*
 * prep_reader_raw_to gives the bytes, file ends and lines of
 * prep_reader_raw, reading into the caller's buffer past each plain
 * file's start (and never in gzip data), on several files with headers,
 * a byte order mark, CRLF, gzip and a part of a file; the input's
 * digest is the same either way.
 */
Test(par, raw_to_gives_the_bytes_of_raw)
{
	static const char text[] =
	    "k,v\r\n1,\"a\nb\"\r\n2,c\n3,\"d\"\"e\"\n4,f\n5,g\n6,h\n7,i\n";
	const char *paths[3];
	prep_csv_options o;
	prep_buf a, b;
	size_t direct, none;
	uint64_t rs = 3;
	unsigned char da[32], db[32];
	int round;

	/* past the reader's first read of 256 KiB */
	prep_buf_init(&a, 0);
	prep_buf_append_str(&a, text);
	while (a.len < ((size_t)700 << 10))
		prep_buf_append_str(&a, "8,\"x\ny\",z\r\n9,w\n");
	paths[0] = put_file("p1.csv", a.data, a.len);
	prep_buf_free(&a);
	paths[1] = put_str("p2.csv", "\xEF\xBB\xBFk,v\n8,j\n9,k\n");
	paths[2] = put_str("p3.csv", "k,v\n");
	for (round = 0; round < 20; round++) {
		prep_csv_options_init(&o);
		o.sha256 = 1;
		cr_assert_eq(all_raw(&o, paths, 3, 0, &rs, &a, &none, NULL),
			     PREP_END);
		cr_assert_eq(all_raw(&o, paths, 3, 1, &rs, &b, &direct, NULL),
			     PREP_END);
		cr_assert_str_eq(b.data, a.data, "round %d", round);
		cr_assert_gt(direct, 10, "round %d: read into the buffer",
			     round);
		prep_buf_free(&a);
		prep_buf_free(&b);
		/* one file: its digest, whole and in part 2 of 3 */
		for (o.part_n = 0; o.part_n <= 3; o.part_n += 3) {
			o.part_i = o.part_n ? 2 : 0;
			all_raw(&o, paths, 1, 0, &rs, &a, &none, da);
			all_raw(&o, paths, 1, 1, &rs, &b, &direct, db);
			cr_assert_str_eq(b.data, a.data, "round %d part %lu",
					 round, o.part_n);
			cr_assert(memcmp(da, db, 32) == 0);
			prep_buf_free(&a);
			prep_buf_free(&b);
		}
	}
	/* gzip, of more than the reader's first read (random letters):
	 * the reader's inflated bytes, never the buffer */
	{
		char cmd[600], gzpath[300];
		const char *gzp = gzpath, *plain;
		size_t i;

		prep_buf_init(&a, 0);
		prep_buf_append_str(&a, "k\n");
		for (i = 0; a.len < ((size_t)1 << 20); i++) {
			char c;

			rs = rs * 6364136223846793005ULL +
			     1442695040888963407ULL;
			c = (char)('a' + (rs >> 59));
			prep_buf_append(&a, i % 40 == 39 ? "\n" : &c, 1);
		}
		plain = put_file("p4.csv", a.data, a.len);
		prep_buf_free(&a);
		snprintf(gzpath, sizeof gzpath, "%s.gz", plain);
		snprintf(cmd, sizeof cmd, "gzip -c '%s' > '%s'", plain, gzpath);
		cr_assert_eq(system(cmd), 0);
		prep_csv_options_init(&o);
		all_raw(&o, &gzp, 1, 0, &rs, &a, &none, NULL);
		all_raw(&o, &gzp, 1, 1, &rs, &b, &direct, NULL);
		cr_assert_str_eq(b.data, a.data);
		cr_assert_eq(direct, 0);
		prep_buf_free(&a);
		prep_buf_free(&b);
	}
}
