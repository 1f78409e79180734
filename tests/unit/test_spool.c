/* Unit tests of libprep/spool.c: the first pass's unlinked copy. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>

#include "buf.h"
#include "memcap.h"
#include "spool.h"

static const prep_field rows[3][3] = {
    {{"id", 2}, {"note", 4}, {"n", 1}},
    {{"1", 1}, {"a;b", 3}, {"7", 1}},
    {{"2", 1}, {"two\nlines \"q\"", 13}, {"", 0}},
};

/* The three rows as a writer with ';' and CRLF makes them, by hand. */
static const char rows_text[] = "id;note;n\r\n"
				"1;\"a;b\";7\r\n"
				"2;\"two\nlines \"\"q\"\"\";\r\n";

static prep_spool *
spool_of_rows(int flags)
{
	prep_writer_options wo = {.delim = ';', .crlf = 1};
	prep_spool *s;
	int i;

	cr_assert_eq(prep_spool_new("test", &wo, flags, &s), PREP_OK);
	for (i = 0; i < 3; i++)
		cr_assert_eq(prep_spool_row(s, rows[i], 3), PREP_OK);
	return s;
}

static void
restore_tmpdir(void)
{
	(void)unsetenv("TMPDIR");
	prep_memcap_set(PREP_MEMCAP_DEFAULT);
}

TestSuite(spool, .fini = restore_tmpdir);

Test(spool, bytes_in_the_output_dialect)
{
	prep_spool *s = spool_of_rows(0);
	const char *data;
	uint64_t size;

	cr_assert_eq(prep_spool_records(s), 3);
	cr_assert_eq(prep_spool_bytes(s), strlen(rows_text));
	/* no map while it is being written */
	cr_assert_eq(prep_spool_map(s, &data, &size), PREP_ERR_ARG);
	cr_assert_eq(prep_spool_finish(s), PREP_OK);
	cr_assert_eq(prep_spool_map(s, &data, &size), PREP_OK);
	cr_assert_eq(size, strlen(rows_text));
	cr_assert_eq(memcmp(data, rows_text, size), 0);
	prep_spool_free(s);
}

Test(spool, last_record_where_written)
{
	prep_writer_options wo = {.delim = ','};
	prep_field f[2] = {{"x", 1}, {"y,z", 3}};
	uint64_t off, len;
	prep_spool *s;

	cr_assert_eq(prep_spool_new("test", &wo, 0, &s), PREP_OK);
	prep_spool_last(s, &off, &len);
	cr_assert_eq(off, 0);
	cr_assert_eq(len, 0);
	cr_assert_eq(prep_spool_row(s, f, 2), PREP_OK); /* x,"y,z"\n */
	prep_spool_last(s, &off, &len);
	cr_assert_eq(off, 0);
	cr_assert_eq(len, 8);
	cr_assert_eq(prep_spool_row(s, f, 1), PREP_OK); /* x\n */
	prep_spool_last(s, &off, &len);
	cr_assert_eq(off, 8);
	cr_assert_eq(len, 2);
	prep_spool_free(s);
}

Test(spool, records_by_index)
{
	static const char *const want[3] = {
	    "id;note;n\r\n",
	    "1;\"a;b\";7\r\n",
	    "2;\"two\nlines \"\"q\"\"\";\r\n",
	};
	prep_spool *s = spool_of_rows(PREP_SPOOL_INDEX);
	const char *rec;
	uint64_t len, i;

	cr_assert_eq(prep_spool_finish(s), PREP_OK);
	for (i = 0; i < 3; i++) {
		cr_assert_eq(prep_spool_record(s, i, &rec, &len), PREP_OK);
		cr_assert_eq(len, strlen(want[i]));
		cr_assert_eq(memcmp(rec, want[i], len), 0, "record %d", (int)i);
	}
	cr_assert_eq(prep_spool_record(s, 3, &rec, &len), PREP_ERR_ARG);
	prep_spool_free(s);
}

Test(spool, records_need_the_index)
{
	prep_spool *s = spool_of_rows(0);
	const char *rec;
	uint64_t len;

	cr_assert_eq(prep_spool_finish(s), PREP_OK);
	cr_assert_eq(prep_spool_record(s, 0, &rec, &len), PREP_ERR_ARG);
	prep_spool_free(s);
}

/* Many records: the index grows past its first allocation. */
Test(spool, index_of_many_records)
{
	prep_writer_options wo = {.delim = ','};
	char buf[32];
	prep_field f = {buf, 0};
	const char *rec;
	uint64_t len, i, at = 0;
	prep_spool *s;

	cr_assert_eq(prep_spool_new("test", &wo, PREP_SPOOL_INDEX, &s),
		     PREP_OK);
	for (i = 0; i < 5000; i++) {
		f.len = (size_t)snprintf(buf, sizeof buf, "%llu",
					 (unsigned long long)(i * i));
		cr_assert_eq(prep_spool_row(s, &f, 1), PREP_OK);
	}
	cr_assert_eq(prep_spool_finish(s), PREP_OK);
	for (i = 0; i < 5000; i++) {
		int k = snprintf(buf, sizeof buf, "%llu\n",
				 (unsigned long long)(i * i));

		cr_assert_eq(prep_spool_record(s, i, &rec, &len), PREP_OK);
		cr_assert_eq(len, (uint64_t)k);
		cr_assert_eq(memcmp(rec, buf, len), 0);
		at += len;
	}
	cr_assert_eq(at, prep_spool_bytes(s));
	prep_spool_free(s);
}

Test(spool, read_back_as_records)
{
	prep_spool *s = spool_of_rows(0);
	prep_csv_options o;
	const prep_field *h, *f;
	prep_reader *r;
	size_t n;
	int i;

	cr_assert_eq(prep_spool_finish(s), PREP_OK);
	prep_csv_options_init(&o);
	o.lazy_quotes = 1; /* not for a spool */
	cr_assert_eq(prep_spool_reader(s, &o, &r), PREP_OK);
	h = prep_reader_header(r, &n);
	cr_assert_eq(n, 3);
	cr_assert_eq(h[1].len, 4);
	cr_assert_eq(memcmp(h[1].data, "note", 4), 0);
	for (i = 1; i < 3; i++) {
		cr_assert_eq(prep_reader_next_row(r, &f, &n), PREP_OK);
		cr_assert_eq(n, 3);
		cr_assert_eq(f[1].len, rows[i][1].len);
		cr_assert_eq(memcmp(f[1].data, rows[i][1].data, f[1].len), 0);
		cr_assert_eq(f[2].len, rows[i][2].len);
	}
	cr_assert_eq(prep_reader_next_row(r, &f, &n), PREP_END);
	prep_reader_free(r);
	/* a second reader starts again from the top */
	cr_assert_eq(prep_spool_reader(s, &o, &r), PREP_OK);
	cr_assert_eq(prep_reader_next_row(r, &f, &n), PREP_OK);
	cr_assert_eq(memcmp(f[0].data, "1", 1), 0);
	prep_reader_free(r);
	prep_spool_free(s);
}

/* The spool is not an input: its reader keeps no digest even when the
 * input's options ask for one; a reader of a file does (the control). */
Test(spool, reader_keeps_no_digest)
{
	prep_spool *s = spool_of_rows(0);
	prep_csv_options o;
	const prep_field *f;
	prep_reader *r;
	unsigned char d[32];
	char path[] = "/tmp/prep-test-spool-XXXXXX";
	const char *paths[1] = {path};
	size_t n;
	int fd;

	cr_assert_eq(prep_spool_finish(s), PREP_OK);
	prep_csv_options_init(&o);
	o.sha256 = 1;
	cr_assert_eq(prep_spool_reader(s, &o, &r), PREP_OK);
	while (prep_reader_next_row(r, &f, &n) == PREP_OK)
		;
	cr_assert_eq(prep_reader_sha256(r, 0, d), PREP_ERR_ARG);
	prep_reader_free(r);
	prep_spool_free(s);

	fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, rows_text, strlen(rows_text)),
		     (ssize_t)strlen(rows_text));
	close(fd);
	o.delim = ';';
	cr_assert_eq(prep_reader_new(&o, paths, 1, &r), PREP_OK);
	while (prep_reader_next_row(r, &f, &n) == PREP_OK)
		;
	cr_assert_eq(prep_reader_sha256(r, 0, d), PREP_OK);
	prep_reader_free(r);
	unlink(path);
}

Test(spool, copy_is_byte_for_byte)
{
	prep_spool *s = spool_of_rows(0);
	prep_writer_options wo = {.delim = ','};
	prep_writer *w;
	char back[256];
	FILE *t = tmpfile();
	ssize_t n;

	cr_assert_not_null(t);
	cr_assert_eq(prep_spool_finish(s), PREP_OK);
	cr_assert_eq(prep_writer_new(fileno(t), &wo, &w), PREP_OK);
	cr_assert_eq(prep_spool_copy(s, w), PREP_OK);
	cr_assert_eq(prep_writer_finish(w), PREP_OK);
	prep_writer_free(w);
	n = pread(fileno(t), back, sizeof back, 0);
	cr_assert_eq(n, (ssize_t)strlen(rows_text));
	cr_assert_eq(memcmp(back, rows_text, (size_t)n), 0);
	(void)fclose(t);
	prep_spool_free(s);
}

/* The descriptor open on a file in dir, or -1; *link is its target. */
static int
fd_in(const char *dir, char *link, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	for (fd = 0; fd < 1024; fd++) {
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		n = readlink(path, link, size - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (strncmp(link, dir, strlen(dir)) == 0 &&
		    link[strlen(dir)] == '/')
			return fd;
	}
	return -1;
}

/* Nothing of the spool is left in the directory, even while it is open,
 * and the file is the owner's alone. */
Test(spool, unlinked_and_private)
{
	char dir[] = "/tmp/spooltest.XXXXXX", link[4096];
	prep_writer_options wo = {.delim = ','};
	struct stat sb;
	prep_spool *s;
	int fd;

	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(setenv("TMPDIR", dir, 1), 0);
	cr_assert_str_eq(prep_spool_dir(), dir);
	cr_assert_eq(prep_spool_new("test", &wo, 0, &s), PREP_OK);
	fd = fd_in(dir, link, sizeof link);
	cr_assert_geq(fd, 0);
	cr_assert_not_null(strstr(link, "(deleted)"), "%s", link);
	cr_assert_eq(fstat(fd, &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0600);
	cr_assert_eq(rmdir(dir), 0, "the directory is empty");
	prep_spool_free(s);
	cr_assert_eq(fd_in(dir, link, sizeof link), -1, "closed when freed");
}

Test(spool, empty_tmpdir_is_tmp)
{
	cr_assert_eq(setenv("TMPDIR", "", 1), 0);
	cr_assert_str_eq(prep_spool_dir(), "/tmp");
	cr_assert_eq(unsetenv("TMPDIR"), 0);
	cr_assert_str_eq(prep_spool_dir(), "/tmp");
}

Test(spool, no_directory_is_an_io_error)
{
	prep_writer_options wo = {.delim = ','};
	prep_spool *s = (prep_spool *)&wo;

	cr_assert_eq(setenv("TMPDIR", "/nonexistent/spool", 1), 0);
	cr_assert_eq(prep_spool_new("test", &wo, 0, &s), PREP_ERR_IO);
	cr_assert_eq(errno, ENOENT);
	cr_assert_null(s);
}

Test(spool, empty_spool_maps_to_nothing)
{
	prep_writer_options wo = {.delim = ','};
	const char *data = "x";
	uint64_t size = 1;
	prep_spool *s;

	cr_assert_eq(prep_spool_new("test", &wo, 0, &s), PREP_OK);
	cr_assert_eq(prep_spool_finish(s), PREP_OK);
	cr_assert_eq(prep_spool_map(s, &data, &size), PREP_OK);
	cr_assert_null(data);
	cr_assert_eq(size, 0);
	prep_spool_free(s);
}

/* The index is charged to the memory budget like any table. */
Test(spool, index_within_the_budget)
{
	prep_writer_options wo = {.delim = ','};
	prep_field f = {"x", 1};
	prep_status st = PREP_OK;
	prep_spool *s;
	int i;

	prep_memcap_set(prep_memcap_used() + 4096);
	cr_assert_eq(prep_spool_new("test", &wo, PREP_SPOOL_INDEX, &s),
		     PREP_OK);
	for (i = 0; i < 2000 && st == PREP_OK; i++)
		st = prep_spool_row(s, &f, 1);
	/* 1024 offsets fit in 8 KiB, not in 4 KiB */
	cr_assert_eq(st, PREP_ERR_MEMORY);
	prep_spool_free(s);
}

/*
 * With PREP_SPOOL_SHA256, the SHA-256 a writer reports after a copy is
 * that of the file it wrote, read back (about 3 MB, past the digest's
 * in-line start, and a row written after the copy); a gzip writer
 * cannot adopt it and hashes its own bytes.
 */
Test(spool, copy_hands_over_its_sha256)
{
	prep_writer_options wo = {.delim = ',', .sha256 = 1};
	int gzip;

	for (gzip = 0; gzip <= 1; gzip++) {
		prep_spool *s;
		prep_writer *w;
		unsigned char got[32], want[32], *back;
		unsigned int len = 0;
		FILE *t = tmpfile();
		char cell[32];
		prep_field f[2] = {{cell, 0}, {"x,y", 3}};
		off_t size;
		int i;

		cr_assert_not_null(t);
		cr_assert_eq(prep_spool_new("test", &wo, PREP_SPOOL_SHA256, &s),
			     PREP_OK);
		for (i = 0; i < 200000; i++) {
			f[0].len =
			    (size_t)snprintf(cell, sizeof cell, "row %d", i);
			cr_assert_eq(prep_spool_row(s, f, 2), PREP_OK);
		}
		cr_assert_eq(prep_spool_finish(s), PREP_OK);
		wo.gzip = gzip;
		cr_assert_eq(prep_writer_new(fileno(t), &wo, &w), PREP_OK);
		cr_assert_eq(prep_spool_copy(s, w), PREP_OK);
		cr_assert_eq(prep_writer_row(w, f + 1, 1), PREP_OK);
		cr_assert_eq(prep_writer_finish(w), PREP_OK);
		cr_assert_eq(prep_writer_sha256(w, got), PREP_OK);
		prep_writer_free(w);
		size = lseek(fileno(t), 0, SEEK_END);
		cr_assert(size > (gzip ? 1000 : 3000000));
		back = malloc((size_t)size);
		cr_assert_not_null(back);
		cr_assert_eq(pread(fileno(t), back, (size_t)size, 0),
			     (ssize_t)size);
		cr_assert_eq(EVP_Digest(back, (size_t)size, want, &len,
					EVP_sha256(), NULL),
			     1);
		cr_assert_arr_eq(got, want, 32, "gzip %d", gzip);
		free(back);
		(void)fclose(t);
		prep_spool_free(s);
		wo.gzip = 0;
	}
}

/* ---- tagged records ---- */

/* A reader, without a header, over the bytes of text in a temporary file
 * (closed with the reader's *fd). */
static prep_reader *
reader_of(const char *text, size_t len, int *fd)
{
	FILE *t = tmpfile();
	prep_csv_options o;
	prep_reader *r;

	cr_assert_not_null(t);
	*fd = dup(fileno(t));
	(void)fclose(t);
	cr_assert_eq(pwrite(*fd, text, len, 0), (ssize_t)len);
	prep_csv_options_init(&o);
	o.delim = ';';
	o.has_header = 0;
	o.ragged = 1;
	o.keep_blank = 1;
	cr_assert_eq(prep_reader_new_fd(&o, *fd, "test", &r), PREP_OK);
	return r;
}

/*
 * The tag and aux of record i of tagged_records_read_back: numbers of
 * every varint length, but one byte each for the records of 127 to 16384
 * bytes (9 to 12), save for one aux of two bytes.
 */
static uint64_t
tag_of(size_t i)
{
	return i >= 9 && i < 13 ? i : (uint64_t)i << (6 * i % 60);
}

static uint64_t
aux_of(size_t i)
{
	if (i >= 9 && i < 13)
		return i == 11 ? 300 : i;
	return i == 3 ? UINT64_MAX : i * i;
}

/*
 * Records of every kind the writer tells apart, put tagged with tags and
 * aux values of every varint length, read back in order: the numbers,
 * and the bytes prep_writer_field writes of the record's fields (the
 * writer's field by field path, not the verbatim copy the spool takes
 * when it can).
 */
Test(spool, tagged_records_read_back)
{
	static const char *const recs[] = {"a;b",
					   "\"x;y\";\"q\"\"z\"",
					   "\"two\nlines\";c",
					   "\"\"",
					   " sp ;d",
					   "\"plain\";e",
					   ";",
					   "\"\";x",
					   "1;2;3;4;5;6;7;8;9"};
	static const size_t sizes[] = {127, 128, 16383, 16384};
	const size_t nrec = sizeof recs / sizeof *recs + 4; /* and sizes */
	prep_writer_options wo = {.delim = ';', .crlf = 1};
	prep_buf text;
	prep_spool *s;
	prep_writer *scratch;
	prep_reader *r;
	const prep_field *f;
	const char *rec, *want;
	size_t n, len, wlen, i, big = 300000;
	uint64_t tag, aux;
	int fd;

	prep_buf_init(&text, 0);
	for (i = 0; i < sizeof recs / sizeof *recs; i++) {
		cr_assert_eq(prep_buf_append_str(&text, recs[i]), PREP_OK);
		cr_assert_eq(prep_buf_append_str(&text, "\n"), PREP_OK);
	}
	/* records whose lengths take one, two and three varint bytes */
	for (i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		size_t j;

		for (j = 0; j < sizes[i]; j++)
			cr_assert_eq(prep_buf_append(&text, "x", 1), PREP_OK);
		cr_assert_eq(prep_buf_append_str(&text, "\n"), PREP_OK);
	}
	/* and a record longer than the spool's reading buffer */
	for (i = 0; i < big; i++)
		cr_assert_eq(prep_buf_append(&text, &"abc"[i % 3], 1), PREP_OK);
	cr_assert_eq(prep_buf_append_str(&text, ";end\n"), PREP_OK);
	r = reader_of(text.data, text.len, &fd);
	cr_assert_eq(prep_spool_new("test", &wo, PREP_SPOOL_TAGGED, &s),
		     PREP_OK);
	cr_assert_eq(prep_writer_new_memory(prep_spool_writer(s), &scratch),
		     PREP_OK);
	for (i = 0; prep_reader_next_row(r, &f, &n) == PREP_OK; i++)
		cr_assert_eq(prep_spool_put_tagged(prep_spool_writer(s),
						   scratch, r, tag_of(i),
						   aux_of(i)),
			     PREP_OK);
	cr_assert_eq(i, nrec + 1);
	cr_assert_eq(prep_spool_finish(s), PREP_OK);
	prep_reader_free(r);
	(void)close(fd);
	r = reader_of(text.data, text.len, &fd);
	for (i = 0; prep_reader_next_row(r, &f, &n) == PREP_OK; i++) {
		size_t j;
		prep_writer *w;

		cr_assert_eq(prep_writer_new_memory(scratch, &w), PREP_OK);
		for (j = 0; j < n; j++)
			cr_assert_eq(prep_writer_field(w, f[j].data, f[j].len),
				     PREP_OK);
		cr_assert_eq(prep_writer_finish(w), PREP_OK);
		want = prep_writer_data(w, &wlen);
		cr_assert_eq(prep_spool_next_tagged(s, &tag, &aux, &rec, &len),
			     PREP_OK, "record %zu", i);
		cr_assert_eq(tag, tag_of(i));
		cr_assert_eq(aux, aux_of(i));
		cr_assert_eq(len, wlen, "record %zu: %zu bytes, not %zu", i,
			     len, wlen);
		cr_assert_eq(memcmp(rec, want, len), 0, "record %zu", i);
		prep_writer_free(w);
	}
	cr_assert_eq(prep_spool_next_tagged(s, &tag, &aux, &rec, &len),
		     PREP_END);
	prep_reader_free(r);
	(void)close(fd);
	prep_writer_free(scratch);
	prep_spool_free(s);
	prep_buf_free(&text);
}

/* An empty tagged spool, and one of a record of no bytes: read back as
 * such (nothing read before its first record). */
Test(spool, tagged_spool_empty)
{
	prep_writer_options wo = {.delim = ','};
	uint64_t tag = 9, aux = 9;
	const char *rec;
	size_t len = 9;
	prep_spool *s;

	cr_assert_eq(prep_spool_new("test", &wo, PREP_SPOOL_TAGGED, &s),
		     PREP_OK);
	cr_assert_eq(prep_spool_finish(s), PREP_OK);
	cr_assert_eq(prep_spool_next_tagged(s, &tag, &aux, &rec, &len),
		     PREP_END);
	prep_spool_free(s);
	cr_assert_eq(prep_spool_new("test", &wo, PREP_SPOOL_TAGGED, &s),
		     PREP_OK);
	cr_assert_eq(prep_writer_raw(prep_spool_writer(s), "\001\002\000", 3),
		     PREP_OK);
	cr_assert_eq(prep_spool_finish(s), PREP_OK);
	cr_assert_eq(prep_spool_next_tagged(s, &tag, &aux, &rec, &len),
		     PREP_OK);
	cr_assert(tag == 1 && aux == 2 && len == 0);
	cr_assert_eq(prep_spool_next_tagged(s, &tag, &aux, &rec, &len),
		     PREP_END);
	prep_spool_free(s);
}

/* Bytes that are not tagged records, or are cut short, are refused;
 * a spool of CSV records has no tags to read. */
Test(spool, tagged_records_refused)
{
	static const struct {
		const char *p;
		size_t n;
	} bad[] = {/* a varint of eleven bytes */
		   {"\377\377\377\377\377\377\377\377\377\377\001", 11},
		   /* a record of 9 bytes with 3 after it */
		   {"\001\000\011abc", 6},
		   /* the numbers cut short */
		   {"\001\200", 2}};
	prep_writer_options wo = {.delim = ','};
	uint64_t tag, aux;
	const char *rec;
	size_t len, i;
	prep_spool *s;

	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		cr_assert_eq(prep_spool_new("test", &wo, PREP_SPOOL_TAGGED, &s),
			     PREP_OK);
		/* a good record first */
		cr_assert_eq(
		    prep_writer_raw(prep_spool_writer(s), "\005\006\002ab", 5),
		    PREP_OK);
		cr_assert_eq(
		    prep_writer_raw(prep_spool_writer(s), bad[i].p, bad[i].n),
		    PREP_OK);
		cr_assert_eq(prep_spool_finish(s), PREP_OK);
		cr_assert_eq(prep_spool_next_tagged(s, &tag, &aux, &rec, &len),
			     PREP_OK);
		cr_assert(tag == 5 && aux == 6 && len == 2 &&
			  memcmp(rec, "ab", 2) == 0);
		cr_assert_eq(prep_spool_next_tagged(s, &tag, &aux, &rec, &len),
			     PREP_ERR_VALUE, "bad %zu", i);
		prep_spool_free(s);
	}
	s = spool_of_rows(0);
	cr_assert_eq(prep_spool_finish(s), PREP_OK);
	cr_assert_eq(prep_spool_next_tagged(s, &tag, &aux, &rec, &len),
		     PREP_ERR_ARG);
	prep_spool_free(s);
}
