/*
 * fuzz_par.c: libFuzzer harness of the thread engine (par.h): the
 * cutter that finds record boundaries by counting quotes, the readers
 * of pieces, and the writing of the pieces' output in input order.
 *
 * Input layout: byte 0 holds the options, bits
 *	0-1 threads - 1 (1 to 4)	4 has_header
 *	2-3 piece bytes: 1, 3, 16, 64	5 delimiter ';' (else ',')
 *					6 ragged and keep_blank
 *	7   gzip the rest
 * and the rest is the input.
 *
 * Checked, else abort(): the run on threads gives exactly what one
 * reader gives, each record written with prep_writer_row: the same
 * bytes out, the same status and, on a failure, the same line and
 * field; and the same rows counted.
 * Work is bounded: inputs of at most 8 KiB.
 */
#include "fuzz_common.h"

#include "buf.h"
#include "csv.h"
#include "par.h"

struct outcome {
	prep_status st;
	unsigned long line;
	size_t field;
	uint64_t rows;
	prep_buf out;
};

static prep_status
copy_row(void *ctx, const prep_field *f, size_t n, const prep_par_row *at,
	 prep_writer *w)
{
	(void)ctx;
	(void)at;
	return prep_writer_row(w, f, n);
}

/* The input on fd, on threads (0: the plain loop of one reader). */
static int
run(int fd, const prep_csv_options *o, unsigned threads, struct outcome *res)
{
	prep_writer_options wo;
	prep_reader *r = NULL;
	prep_writer *w = NULL;
	const prep_field *f;
	size_t n;
	void *ctx[4] = {NULL, NULL, NULL, NULL};
	int out = memfd_create("fuzz-out", MFD_CLOEXEC);
	prep_status st;

	memset(res, 0, sizeof *res);
	prep_buf_init(&res->out, 0);
	if (out < 0 || lseek(fd, 0, SEEK_SET) != 0) {
		if (out >= 0)
			close(out);
		return -1;
	}
	st = prep_reader_new_fd(o, fd, "fuzz", &r);
	memset(&wo, 0, sizeof wo);
	wo.delim = o->delim;
	if (st == PREP_OK && prep_writer_new(out, &wo, &w) != PREP_OK)
		st = PREP_ERR_NOMEM;
	if (st == PREP_OK && threads == 0) {
		prep_par_row at = {0, 0, r};

		while ((st = prep_reader_next_row(r, &f, &n)) == PREP_OK &&
		       (st = copy_row(NULL, f, n, &at, w)) == PREP_OK)
			;
		if (st == PREP_END)
			st = PREP_OK;
		res->line = prep_reader_where(r).line;
		res->field = prep_reader_where(r).field;
	} else if (st == PREP_OK) {
		prep_par_job job = {.row = copy_row};
		prep_par_result pr;

		st = prep_par_run(r, w, threads, &job, ctx, &pr);
		res->line = pr.where.line;
		res->field = pr.where.field;
	}
	res->st = st;
	res->rows = r ? prep_reader_rows(r) : 0;
	if (w && prep_writer_finish(w) == PREP_OK) {
		char buf[4096];
		ssize_t k;

		(void)lseek(out, 0, SEEK_SET);
		while ((k = read(out, buf, sizeof buf)) > 0)
			(void)prep_buf_append(&res->out, buf, (size_t)k);
	}
	prep_writer_free(w);
	prep_reader_free(r);
	close(out);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t pieces[] = {1, 3, 16, 64};
	struct outcome one, many;
	prep_csv_options o;
	unsigned threads;
	int fd;

	if (size < 1 || size > 8193)
		return 0;
	threads = 1 + (data[0] & 3u);
	prep_csv_options_init(&o);
	o.has_header = (data[0] >> 4) & 1;
	o.delim = (data[0] >> 5) & 1 ? ';' : ',';
	o.ragged = o.keep_blank = (data[0] >> 6) & 1;
	if (data[0] >> 7) {
		unsigned char *z = NULL;
		size_t zlen = 0;

		if (fuzz_gzip(data + 1, size - 1, &z, &zlen) != 0)
			return 0;
		fd = fuzz_memfd(z, zlen);
		free(z);
	} else {
		fd = fuzz_memfd(data + 1, size - 1);
	}
	if (fd < 0)
		return 0;
	prep_par_set_piece(pieces[(data[0] >> 2) & 3u]);
	if (run(fd, &o, 0, &one) == 0 && run(fd, &o, threads, &many) == 0) {
		if (one.st != many.st || one.out.len != many.out.len ||
		    (one.out.len &&
		     memcmp(one.out.data, many.out.data, one.out.len) != 0))
			abort();
		if (one.st != PREP_OK &&
		    (one.line != many.line || one.field != many.field))
			abort();
		if (one.st == PREP_OK && one.rows != many.rows)
			abort();
	}
	prep_buf_free(&one.out);
	prep_buf_free(&many.out);
	close(fd);
	return 0;
}
