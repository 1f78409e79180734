/*
 * Unit tests of libprep/csv.c: every rule of prep(7), CSV, each error with
 * its line and field, gzip in and out, several inputs, the ragged and
 * keep_blank reader options and the writer's SHA-256.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "buf.h"
#include "csv.h"
#include "part.h"

static char dir[] = "/tmp/prep-test-csv-XXXXXX";

static void
setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(csv, .init = setup, .fini = teardown);

static char *
put_file(const char *name, const void *data, size_t len)
{
	static char path[8][256];
	static int k;
	char *p = path[k++ % 8];
	FILE *f;

	snprintf(p, 256, "%s/%s", dir, name);
	f = fopen(p, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	fclose(f);
	return p;
}

/*
 * Read every record of the given files; rows rendered as "[f1][f2]\n",
 * the header first as "H[...]\n". Returns the final status.
 */
static prep_status
read_all(const prep_csv_options *o, const char **paths, size_t n, prep_buf *out,
	 prep_where *w)
{
	prep_reader *r;
	const prep_field *f;
	size_t nf, i;
	prep_status st;

	prep_buf_init(out, 0);
	prep_buf_append(out, "", 0);
	st = prep_reader_new(o, paths, n, &r);
	if (st == PREP_OK) {
		f = prep_reader_header(r, &nf);
		if (f) {
			prep_buf_append_str(out, "H");
			for (i = 0; i < nf; i++) {
				prep_buf_append_str(out, "[");
				prep_buf_append(out, f[i].data, f[i].len);
				prep_buf_append_str(out, "]");
			}
			prep_buf_append_str(out, "\n");
		}
		while ((st = prep_reader_next_row(r, &f, &nf)) == PREP_OK) {
			for (i = 0; i < nf; i++) {
				cr_assert_eq(f[i].data[f[i].len], '\0');
				prep_buf_append_str(out, "[");
				prep_buf_append(out, f[i].data, f[i].len);
				prep_buf_append_str(out, "]");
			}
			prep_buf_append_str(out, "\n");
		}
	}
	if (w && r)
		*w = prep_reader_where(r);
	prep_reader_free(r);
	return st;
}

static void
expect(const char *input, size_t len, int has_header, const char *want)
{
	prep_csv_options o;
	prep_buf out;
	const char *p = put_file("in.csv", input, len);
	prep_status st;

	prep_csv_options_init(&o);
	o.has_header = has_header;
	st = read_all(&o, &p, 1, &out, NULL);
	cr_assert_eq(st, PREP_END, "status %s", prep_strerror(st));
	cr_assert_str_eq(out.data, want);
	prep_buf_free(&out);
}

static void
expect_error(const char *input, const prep_csv_options *o, prep_status want,
	     unsigned long line, size_t field)
{
	prep_buf out;
	prep_where w;
	const char *p = put_file("bad.csv", input, strlen(input));
	prep_status st = read_all(o, &p, 1, &out, &w);

	cr_assert_eq(st, want, "got %s, want %s", prep_strerror(st),
		     prep_strerror(want));
	cr_assert_str_eq(w.file, p);
	cr_assert_eq(w.line, line, "line %lu, want %lu", w.line, line);
	cr_assert_eq(w.field, field, "field %zu, want %zu", w.field, field);
	prep_buf_free(&out);
}

#define S(x) x, sizeof(x) - 1

Test(csv, plain_lf_and_crlf)
{
	expect(S("a,b\n1,2\n3,4\n"), 1, "H[a][b]\n[1][2]\n[3][4]\n");
	expect(S("a,b\r\n1,2\r\n3,4\r\n"), 1, "H[a][b]\n[1][2]\n[3][4]\n");
}

Test(csv, last_record_without_newline)
{
	expect(S("a,b\n1,2"), 1, "H[a][b]\n[1][2]\n");
	expect(S("a,b\r\n1,\"2\""), 1, "H[a][b]\n[1][2]\n");
}

Test(csv, spaces_kept_byte_for_byte)
{
	expect(S("a,b\n 1 ,  \n\" x \",y \n"), 1,
	       "H[a][b]\n[ 1 ][  ]\n[ x ][y ]\n");
	expect(S("a,b\tc\n\t,\t\n"), 1, "H[a][b\tc]\n[\t][\t]\n");
}

Test(csv, quoted_fields_with_specials)
{
	expect(
	    S("a,b\n\"x,y\",\"he said \"\"hi\"\"\"\n\"l1\nl2\",\"c\r\nd\"\n"),
	    1, "H[a][b]\n[x,y][he said \"hi\"]\n[l1\nl2][c\r\nd]\n");
}

Test(csv, empty_fields)
{
	expect(S("a,b,c\n,,\n\"\",,\"\"\n"), 1, "H[a][b][c]\n[][][]\n[][][]\n");
}

Test(csv, blank_lines_skipped)
{
	expect(S("a,b\n\n1,2\n\r\n3,4\n\n"), 1, "H[a][b]\n[1][2]\n[3][4]\n");
}

Test(csv, bom_dropped)
{
	expect(S("\xEF\xBB\xBF"
		 "a,b\n1,2\n"),
	       1, "H[a][b]\n[1][2]\n");
}

Test(csv, utf8_bytes_unchanged)
{
	expect(S("name\nZo\xC3\xAB\n\xE6\x9D\x8E\n"), 1,
	       "H[name]\n[Zo\xC3\xAB]\n[\xE6\x9D\x8E]\n");
}

Test(csv, no_header)
{
	expect(S("1,2\n3,4\n"), 0, "[1][2]\n[3][4]\n");
}

Test(csv, header_only_and_empty)
{
	expect(S("a,b\n"), 1, "H[a][b]\n");
	expect(S(""), 1, "");
}

Test(csv, any_delimiter)
{
	prep_csv_options o;
	prep_buf out;
	const char *p = put_file("semi.csv", S("a;b\n1,5;2\n"));

	prep_csv_options_init(&o);
	o.delim = ';';
	cr_assert_eq(read_all(&o, &p, 1, &out, NULL), PREP_END);
	cr_assert_str_eq(out.data, "H[a][b]\n[1,5][2]\n");
	prep_buf_free(&out);
}

Test(csv, tsv_by_name)
{
	prep_csv_options o;
	prep_buf out;
	const char *p = put_file("t.tsv", S("a\tb\n1,5\t2\n"));

	prep_csv_options_init(&o);
	cr_assert_eq(read_all(&o, &p, 1, &out, NULL), PREP_END);
	cr_assert_str_eq(out.data, "H[a][b]\n[1,5][2]\n");
	prep_buf_free(&out);
}

Test(csv, parse_delim)
{
	int d = 0;

	cr_assert_eq(prep_csv_parse_delim("tab", &d), PREP_OK);
	cr_assert_eq(d, '\t');
	cr_assert_eq(prep_csv_parse_delim("\\t", &d), PREP_OK);
	cr_assert_eq(d, '\t');
	cr_assert_eq(prep_csv_parse_delim("|", &d), PREP_OK);
	cr_assert_eq(d, '|');
	cr_assert_eq(prep_csv_parse_delim("\"", &d), PREP_ERR_ARG);
	cr_assert_eq(prep_csv_parse_delim(";;", &d), PREP_ERR_ARG);
	cr_assert_eq(prep_csv_parse_delim("", &d), PREP_ERR_ARG);
}

Test(csv, ragged_rows)
{
	prep_csv_options o;

	prep_csv_options_init(&o);
	expect_error("a,b\n1,2\n3\n", &o, PREP_ERR_RAGGED, 3, 0);
	expect_error("a,b\n1,2\n3,4,5\n", &o, PREP_ERR_RAGGED, 3, 0);
	/* The line is where the record starts, not where it ends. */
	expect_error("a,b\n\"x\ny\nz\",1,2\n", &o, PREP_ERR_RAGGED, 2, 0);
	expect_error("a,b\r\n1,2\r\n\r\n3\r\n", &o, PREP_ERR_RAGGED, 4, 0);
	o.has_header = 0;
	expect_error("1,2\n3\n", &o, PREP_ERR_RAGGED, 2, 0);
}

Test(csv, stray_quote)
{
	prep_csv_options o;

	prep_csv_options_init(&o);
	expect_error("a,b\n1,x\"y\n", &o, PREP_ERR_QUOTE, 2, 2);
	expect_error("a,b\n\"q\nq\",\"x\"y\n", &o, PREP_ERR_QUOTE, 2, 2);
	expect_error("a,b\n1,2\n \"x\",2\n", &o, PREP_ERR_QUOTE, 3, 1);
}

Test(csv, lazy_quotes)
{
	prep_csv_options o;
	prep_buf out;
	const char *p = put_file("lazy.csv", S("a,b\n1,x\"y\n"));

	prep_csv_options_init(&o);
	o.lazy_quotes = 1;
	cr_assert_eq(read_all(&o, &p, 1, &out, NULL), PREP_END);
	cr_assert_str_eq(out.data, "H[a][b]\n[1][x\"y]\n");
	prep_buf_free(&out);
}

Test(csv, unclosed_quote)
{
	prep_csv_options o;

	prep_csv_options_init(&o);
	expect_error("a,b\n1,2\n3,\"open\n\nmore\n", &o,
		     PREP_ERR_UNCLOSED_QUOTE, 3, 2);
}

Test(csv, max_field)
{
	prep_csv_options o;
	char *big;
	size_t n = 300000;

	prep_csv_options_init(&o);
	o.max_field = 5;
	expect_error("a,b\n12345,1\n123456,1\n", &o, PREP_ERR_FIELD_TOO_LONG, 3,
		     1);
	expect_error("a,b\n1,\"123\n456\"\n", &o, PREP_ERR_FIELD_TOO_LONG, 2,
		     2);
	/* One long line with no newline: caught between segments. */
	o.max_field = 100000;
	big = malloc(n + 8);
	memcpy(big, "a\n", 2);
	memset(big + 2, 'x', n);
	big[n + 2] = '\0';
	expect_error(big, &o, PREP_ERR_FIELD_TOO_LONG, 2, 1);
	free(big);
}

Test(csv, max_fields)
{
	prep_csv_options o;

	prep_csv_options_init(&o);
	o.max_fields = 3;
	expect_error("a,b,c,d\n", &o, PREP_ERR_TOO_MANY_FIELDS, 1, 4);
}

static void
gzip_file(const char *path, const char *data, size_t len)
{
	gzFile g = gzopen(path, "wb");

	cr_assert_not_null(g);
	cr_assert_eq(gzwrite(g, data, (unsigned)len), (int)len);
	cr_assert_eq(gzclose(g), Z_OK);
}

Test(csv, gzip_input_by_magic)
{
	char path[256];
	prep_csv_options o;
	prep_buf out;
	const char *p = path;

	snprintf(path, sizeof path, "%s/data.csv", dir); /* no .gz name */
	gzip_file(path, S("a,b\n1,2\n3,4\n"));
	prep_csv_options_init(&o);
	cr_assert_eq(read_all(&o, &p, 1, &out, NULL), PREP_END);
	cr_assert_str_eq(out.data, "H[a][b]\n[1][2]\n[3][4]\n");
	prep_buf_free(&out);
}

Test(csv, gzip_multi_member)
{
	char path[256], cmd[600];
	prep_csv_options o;
	prep_buf out;
	const char *p = path;

	snprintf(path, sizeof path, "%s/m.gz", dir);
	gzip_file(path, S("a,b\n1,2\n"));
	snprintf(cmd, sizeof cmd, "cat %s %s > %s/mm.gz", path, path, dir);
	cr_assert_eq(system(cmd), 0);
	/* second member repeats the header line as data: "a,b" is a row */
	snprintf(path, sizeof path, "%s/mm.gz", dir);
	prep_csv_options_init(&o);
	cr_assert_eq(read_all(&o, &p, 1, &out, NULL), PREP_END);
	cr_assert_str_eq(out.data, "H[a][b]\n[1][2]\n[a][b]\n[1][2]\n");
	prep_buf_free(&out);
}

Test(csv, gzip_truncated)
{
	char path[256];
	prep_csv_options o;
	prep_buf out;
	prep_where w;
	const char *p = path;
	FILE *f;
	char buf[4096];
	size_t n;

	snprintf(path, sizeof path, "%s/t.gz", dir);
	gzip_file(path, S("a,b\n1,2\n3,4\n5,6\n"));
	f = fopen(path, "rb");
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	p = put_file("cut.gz", buf, n - 6);
	prep_csv_options_init(&o);
	cr_assert_eq(read_all(&o, &p, 1, &out, &w), PREP_ERR_GZIP);
	prep_buf_free(&out);
	p = put_file("garbage.gz", S("\x1f\x8b garbage garbage garbage"));
	cr_assert_eq(read_all(&o, &p, 1, &out, &w), PREP_ERR_GZIP);
	prep_buf_free(&out);
}

Test(csv, several_inputs)
{
	const char *p[3];
	prep_csv_options o;
	prep_buf out;
	prep_where w;

	p[0] = put_file("one.csv", S("a,b\n1,2\n"));
	p[1] = put_file("two.csv", S("a,b\r\n3,4\r\n"));
	p[2] = put_file("three.csv", S("\xEF\xBB\xBF"
				       "a,b\n5,6"));
	prep_csv_options_init(&o);
	cr_assert_eq(read_all(&o, p, 3, &out, NULL), PREP_END);
	cr_assert_str_eq(out.data, "H[a][b]\n[1][2]\n[3][4]\n[5][6]\n");
	prep_buf_free(&out);
	p[1] = put_file("other.csv", S("a,c\n3,4\n"));
	cr_assert_eq(read_all(&o, p, 2, &out, &w), PREP_ERR_HEADER_MISMATCH);
	cr_assert_str_eq(w.file, p[1]);
	cr_assert_eq(w.line, 1);
	prep_buf_free(&out);
}

Test(csv, missing_file)
{
	const char *p = "/nonexistent/x.csv";
	prep_csv_options o;
	prep_buf out;
	prep_where w;

	prep_csv_options_init(&o);
	cr_assert_eq(read_all(&o, &p, 1, &out, &w), PREP_ERR_IO);
	cr_assert_str_eq(w.file, p);
	prep_buf_free(&out);
}

/* Write rows with a writer to a file and return its contents. */
static char *
write_rows(const prep_writer_options *wo, const prep_field *f, size_t nf,
	   size_t nrows, size_t *len)
{
	char path[256];
	int fd;
	prep_writer *w;
	size_t i;
	char *buf = malloc(1 << 16);
	FILE *in;

	snprintf(path, sizeof path, "%s/out.csv", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(fd >= 0);
	cr_assert_eq(prep_writer_new(fd, wo, &w), PREP_OK);
	for (i = 0; i < nrows; i++)
		cr_assert_eq(prep_writer_row(w, f + i * nf, nf), PREP_OK);
	cr_assert_eq(prep_writer_finish(w), PREP_OK);
	prep_writer_free(w);
	close(fd);
	in = fopen(path, "rb");
	*len = fread(buf, 1, (1 << 16) - 1, in);
	buf[*len] = '\0';
	fclose(in);
	return buf;
}

#define F(s)                                                                   \
	{                                                                      \
		s, sizeof(s) - 1                                               \
	}

Test(csv, writer_minimal_quoting)
{
	prep_writer_options wo = {',', 0, 0, 0, 0, 0};
	prep_field f[] = {F("plain"),  F("a,b"),     F("say \"x\""),
			  F("l1\nl2"), F(" lead"),   F("trail "),
			  F(""),       F("in side"), F("cr\r")};
	size_t len;
	char *s = write_rows(&wo, f, 9, 1, &len);

	cr_assert_str_eq(s, "plain,\"a,b\",\"say \"\"x\"\"\",\"l1\nl2\","
			    "\" lead\",\"trail \",,in side,\"cr\r\"\n");
	free(s);
}

Test(csv, writer_delim_and_crlf)
{
	prep_writer_options wo = {'\t', 1, 0, 0, 0, 0};
	prep_field f[] = {F("a,b"), F("c\td"), F("e;f")};
	size_t len;
	char *s = write_rows(&wo, f, 3, 1, &len);

	cr_assert_str_eq(s, "a,b\t\"c\td\"\te;f\r\n");
	free(s);
}

Test(csv, writer_single_empty_field)
{
	prep_writer_options wo = {',', 0, 0, 0, 0, 0};
	prep_field f[] = {F("x"), F("")};
	size_t len;
	char *s = write_rows(&wo, f, 1, 2, &len);

	cr_assert_str_eq(s, "x\n\"\"\n");
	free(s);
}

Test(csv, writer_gzip_round_trip)
{
	prep_writer_options wo = {',', 0, 1, 9, 0, 0};
	prep_field f[] = {F("h1"), F("h2"), F("a \"q\""), F("x,y\nz")};
	size_t len;
	char *s = write_rows(&wo, f, 2, 2, &len);
	const char *p;
	prep_csv_options o;
	prep_buf out;

	cr_assert((unsigned char)s[0] == 0x1f && (unsigned char)s[1] == 0x8b);
	p = put_file("rt.gz", s, len);
	prep_csv_options_init(&o);
	cr_assert_eq(read_all(&o, &p, 1, &out, NULL), PREP_END);
	cr_assert_str_eq(out.data, "H[h1][h2]\n[a \"q\"][x,y\nz]\n");
	prep_buf_free(&out);
	free(s);
}

/* Tricky fields survive a write and a read unchanged. */
Test(csv, round_trip)
{
	prep_writer_options wo = {',', 0, 0, 0, 0, 0};
	prep_field f[] = {F("id"), F("text"),
			  F("1"),  F("\"\""),
			  F("2"),  F(" , \r\n "),
			  F("3"),  F(""),
			  F("4"),  F("Zo\xC3\xAB \xE2\x82\xAC"),
			  F("5"),  F("a\"b,c\nd")};
	size_t len;
	char *s = write_rows(&wo, f, 2, 6, &len);
	const char *p = put_file("rt.csv", s, len);
	prep_csv_options o;
	prep_buf out;

	prep_csv_options_init(&o);
	cr_assert_eq(read_all(&o, &p, 1, &out, NULL), PREP_END);
	cr_assert_str_eq(out.data, "H[id][text]\n[1][\"\"]\n[2][ , \r\n ]\n"
				   "[3][]\n[4][Zo\xC3\xAB \xE2\x82\xAC]\n"
				   "[5][a\"b,c\nd]\n");
	prep_buf_free(&out);
	free(s);
}

/*
 * A first field starting with a BOM or gzip's magic bytes (read from
 * after a blank line, say) is quoted at the start of the output, else the
 * reader drops the BOM or inflates the file (found by tests/fuzz/fuzz_csv,
 * input "\n\n\xEF\xBB\xBF_=_"). Elsewhere those bytes are not special.
 */
Test(csv, writer_quotes_leading_bom_and_gzip_magic)
{
	prep_writer_options wo = {',', 0, 0, 0, 0, 0};
	prep_field bom[] = {F("\xEF\xBB\xBFid"), F("\xEF\xBB\xBFx")};
	prep_field gz[] = {F("\x1f\x8b"), F("\x1f\x8b")};
	prep_field two[] = {F("\xEF\xBB"), F("y")};
	prep_field after_empty[] = {F(""), F("\x1f\x8b")};
	size_t len;
	char *s = write_rows(&wo, bom, 2, 1, &len);
	const char *p;
	prep_csv_options o;
	prep_buf out;

	cr_assert_str_eq(s, "\"\xEF\xBB\xBFid\",\xEF\xBB\xBFx\n");
	p = put_file("bom.csv", s, len);
	prep_csv_options_init(&o);
	o.has_header = 0;
	cr_assert_eq(read_all(&o, &p, 1, &out, NULL), PREP_END);
	cr_assert_str_eq(out.data, "[\xEF\xBB\xBFid][\xEF\xBB\xBFx]\n");
	prep_buf_free(&out);
	free(s);

	s = write_rows(&wo, gz, 1, 2, &len);
	cr_assert_str_eq(s, "\"\x1f\x8b\"\n\x1f\x8b\n");
	p = put_file("magic.csv", s, len);
	cr_assert_eq(read_all(&o, &p, 1, &out, NULL), PREP_END);
	cr_assert_str_eq(out.data, "[\x1f\x8b]\n[\x1f\x8b]\n");
	prep_buf_free(&out);
	free(s);

	s = write_rows(&wo, two, 2, 1, &len);
	cr_assert_str_eq(s, "\xEF\xBB,y\n");
	free(s);

	/* after an empty first field the output begins with the delimiter */
	s = write_rows(&wo, after_empty, 2, 1, &len);
	cr_assert_str_eq(s, ",\x1f\x8b\n");
	free(s);
}

Test(csv, big_input_constant_buffers)
{
	/* 200k rows through 64 KiB segments: counts exact. */
	char path[256];
	FILE *f;
	size_t i, nf;
	prep_reader *r;
	const prep_field *fl;
	const char *p = path;
	prep_status st;
	unsigned long rows = 0;

	snprintf(path, sizeof path, "%s/big.csv", dir);
	f = fopen(path, "w");
	fputs("k,v\n", f);
	for (i = 0; i < 200000; i++)
		fprintf(f, "%zu,\"line\n%zu\"\n", i, i);
	fclose(f);
	cr_assert_eq(prep_reader_new(NULL, &p, 1, &r), PREP_OK);
	while ((st = prep_reader_next_row(r, &fl, &nf)) == PREP_OK) {
		cr_assert_eq(strtoul(fl[0].data, NULL, 10), rows);
		rows++;
	}
	cr_assert_eq(st, PREP_END);
	cr_assert_eq(rows, 200000);
	cr_assert_eq(prep_reader_rows(r), 200000);
	prep_reader_free(r);
}

/*
 * The reader's fast paths (its own split of well-formed lines, quoted
 * fields and all) must give exactly what libcsv alone gives. Two
 * references: one csv_parse call over the whole input with the same
 * options (the records, or the fact of an error), and the reader with
 * libcsv_only (every byte through libcsv: the records, the error and its
 * place). Every record the reader hands out with its raw bytes
 * (prep_reader_record_raw) must be the input's own line, and must be
 * rebuilt exactly from the fields and prep_reader_field_quoted.
 */
#include <csv.h>

struct ref {
	prep_buf out;
	int nfields;
};

static void
ref_field(void *s, size_t len, void *data)
{
	struct ref *r = data;

	prep_buf_append_str(&r->out, "[");
	prep_buf_append(&r->out, s, len);
	prep_buf_append_str(&r->out, "]");
	r->nfields++;
}

static void
ref_row(int c, void *data)
{
	struct ref *r = data;

	(void)c;
	prep_buf_append_str(&r->out, "\n");
}

static int
ref_no_space(unsigned char c)
{
	(void)c;
	return 0;
}

/* What the fast paths were seen to do, so a test can't pass vacuously. */
struct fast_seen {
	unsigned long raw;	 /* records with their raw bytes */
	unsigned long quoted;	 /* ... among them, quoted fields */
	unsigned long escaped;	 /* ... holding a doubled quote */
	unsigned long unknown;	 /* records with a field libcsv parsed */
	unsigned long lines;	 /* records of several lines, raw */
	unsigned long records;	 /* records read */
	unsigned long errors[8]; /* by kind, below */
};

/* The fast paths took at least so many records with raw bytes, quoted
 * fields, escaped ones and records of several lines. */
static void
seen_at_least(const struct fast_seen *s, unsigned long raw,
	      unsigned long quoted, unsigned long escaped, unsigned long lines)
{
	cr_assert_gt(s->raw, raw);
	cr_assert_gt(s->quoted, quoted);
	cr_assert_gt(s->escaped, escaped);
	cr_assert_gt(s->lines, lines);
}

/* The offset of line `line` (1-based: LFs before it + 1) of input. */
static size_t
line_offset(const char *input, size_t len, unsigned long line)
{
	size_t i = 0;

	while (line > 1 && i < len)
		if (input[i++] == '\n')
			line--;
	return i;
}

/*
 * The current record against its raw bytes: the input's own bytes at its
 * first line (after a BOM on line 1), followed by the line end, and
 * rebuilt from the fields: unquoted ones as they are (holding no
 * delimiter, quote, CR or LF), quoted ones between quotes with their
 * quotes doubled.
 */
static void
check_raw(const prep_reader *r, const prep_field *f, size_t nf,
	  const char *input, size_t len, struct fast_seen *seen)
{
	const char *raw, *end;
	size_t rawlen, i, off;
	prep_buf b;
	int delim = prep_reader_delim(r), unknown = 0;

	for (i = 0; i < nf; i++) {
		int q = prep_reader_field_quoted(r, i);

		cr_assert(q >= -1 && q <= 1);
		unknown |= q < 0;
	}
	cr_assert_eq(prep_reader_field_quoted(r, nf), -1);
	if (!prep_reader_record_raw(r, &raw, &rawlen)) {
		seen->unknown += unknown;
		return;
	}
	seen->raw++;
	/* the record ends its last line (its first may hold the end of a
	 * record libcsv ended at a bare CR before it): the line feed after
	 * those its quoted fields hold */
	off = line_offset(input, len, prep_reader_where(r).line);
	if (off == 0 && len >= 3 && memcmp(input, "\xEF\xBB\xBF", 3) == 0)
		off = 3;
	end = input + off;
	for (i = 0; i < rawlen; i++)
		if (raw[i] == '\n') {
			end = memchr(end, '\n', len - (size_t)(end - input));
			cr_assert_not_null(end);
			end++;
		}
	seen->lines += end != input + off;
	end = memchr(end, '\n', len - (size_t)(end - input));
	cr_assert_not_null(end);
	if (end > input + off && end[-1] == '\r')
		end--;
	cr_assert_geq((size_t)(end - input) - off, rawlen);
	cr_assert_eq(memcmp(raw, end - rawlen, rawlen), 0);
	prep_buf_init(&b, 0);
	for (i = 0; i < nf; i++) {
		const char *p = f[i].data, *e = p + f[i].len;

		if (i > 0)
			prep_buf_append(&b, (char[]){(char)delim}, 1);
		if (prep_reader_field_quoted(r, i) == 0) {
			cr_assert_null(memchr(p, delim, f[i].len));
			cr_assert_null(memchr(p, '"', f[i].len));
			cr_assert_null(memchr(p, '\r', f[i].len));
			cr_assert_null(memchr(p, '\n', f[i].len));
			prep_buf_append(&b, p, f[i].len);
			continue;
		}
		cr_assert_eq(prep_reader_field_quoted(r, i), 1);
		seen->quoted++;
		seen->escaped += memchr(p, '"', f[i].len) != NULL;
		prep_buf_append_str(&b, "\"");
		for (; p < e; p++)
			prep_buf_append(&b, *p == '"' ? "\"\"" : p,
					1 + (*p == '"'));
		prep_buf_append_str(&b, "\"");
	}
	cr_assert_eq(b.len, rawlen);
	cr_assert_eq(memcmp(b.data, raw, rawlen), 0);
	prep_buf_free(&b);
}

/* memfd_create(2) is a GNU extension the build's feature macros hide. */
int memfd_create(const char *name, unsigned int flags);

/* An anonymous file holding p[0..n) (gzip-compressed with gz). */
static int
mem_file(const char *p, size_t n, int gz)
{
	int fd = memfd_create("csv-test", 1U /* MFD_CLOEXEC */);
	unsigned char *out = NULL;

	cr_assert(fd >= 0);
	if (gz) {
		z_stream zs;
		size_t cap = n + n / 2 + 64;

		memset(&zs, 0, sizeof zs);
		out = malloc(cap);
		cr_assert_not_null(out);
		cr_assert_eq(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
					  Z_DEFAULT_STRATEGY),
			     Z_OK);
		zs.next_in = (unsigned char *)(uintptr_t)p;
		zs.avail_in = (uInt)n;
		zs.next_out = out;
		zs.avail_out = (uInt)cap;
		cr_assert_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
		n = cap - zs.avail_out;
		p = (const char *)out;
		deflateEnd(&zs);
	}
	cr_assert_eq(write(fd, p, n), (ssize_t)n);
	free(out);
	return fd;
}

/*
 * With libcsv_only, the reader's own split is never taken: no raw bytes,
 * no field known quoted or not, but a blank line's one empty field under
 * keep_blank. (Else the reference would be the path under test.)
 */
static void
libcsv_alone(const prep_reader *r, const prep_field *f, size_t nf)
{
	const char *raw;
	size_t rawlen, i;

	cr_assert_eq(prep_reader_record_raw(r, &raw, &rawlen), 0);
	for (i = 0; i < nf; i++)
		cr_assert(prep_reader_field_quoted(r, i) == -1 ||
			  (nf == 1 && f[0].len == 0));
}

/* Append "[f1][f2]...\n" to b. */
static void
render(prep_buf *b, const prep_field *f, size_t nf)
{
	size_t i;

	for (i = 0; i < nf; i++) {
		cr_assert_eq(f[i].data[f[i].len], '\0');
		prep_buf_append_str(b, "[");
		prep_buf_append(b, f[i].data, f[i].len);
		prep_buf_append_str(b, "]");
	}
	prep_buf_append_str(b, "\n");
}

/* A piece's record with raw bytes: rebuilt from its fields exactly. */
static void
check_raw_piece(const prep_reader *r, const prep_field *f, size_t nf,
		struct fast_seen *seen)
{
	const char *raw;
	size_t rawlen, i;
	prep_buf b;

	if (!prep_reader_record_raw(r, &raw, &rawlen))
		return;
	seen->raw++;
	prep_buf_init(&b, 0);
	for (i = 0; i < nf; i++) {
		const char *p = f[i].data, *e = p + f[i].len;

		if (i > 0)
			prep_buf_append_str(&b, ",");
		if (prep_reader_field_quoted(r, i) == 0) {
			prep_buf_append(&b, p, f[i].len);
			continue;
		}
		seen->quoted++;
		prep_buf_append_str(&b, "\"");
		for (; p < e; p++)
			prep_buf_append(&b, *p == '"' ? "\"\"" : p,
					1 + (*p == '"'));
		prep_buf_append_str(&b, "\"");
	}
	cr_assert_eq(b.len, rawlen);
	cr_assert_eq(memcmp(b.data, raw, rawlen), 0);
	prep_buf_free(&b);
}

/*
 * Read fd (from its start) with o; the header as "H[...]\n" and every
 * record as "LINE:[f1][f2]\n" into out (and without LINE: into plain,
 * unless NULL), *w the place at the end. With input (the bytes before any
 * gzip), each record is checked by check_raw. Returns the final status.
 */
static prep_status
read_checked(const prep_csv_options *o, int fd, const char *input, size_t len,
	     prep_buf *out, prep_buf *plain, prep_where *w,
	     struct fast_seen *seen)
{
	prep_reader *r;
	const prep_field *f;
	size_t nf;
	prep_status st;
	char num[32];

	cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
	prep_buf_init(out, 0);
	prep_buf_append(out, "", 0);
	st = prep_reader_new_fd(o, fd, "in.csv", &r);
	if (st == PREP_OK) {
		f = prep_reader_header(r, &nf);
		if (f) {
			prep_buf_append_str(out, "H");
			render(out, f, nf);
		}
		while ((st = prep_reader_next_row(r, &f, &nf)) == PREP_OK) {
			snprintf(num, sizeof num,
				 "%lu:", prep_reader_where(r).line);
			prep_buf_append_str(out, num);
			render(out, f, nf);
			if (plain)
				render(plain, f, nf);
			if (input && seen)
				check_raw(r, f, nf, input, len, seen);
			if (o->libcsv_only)
				libcsv_alone(r, f, nf);
			if (seen)
				seen->records++;
		}
	}
	*w = prep_reader_where(r);
	prep_reader_free(r);
	return st;
}

/*
 * The reader as it is and with libcsv_only on input (gzip-compressed
 * with gz) under o: the same records, status and place. Returns the
 * status; plain, unless NULL, gets the records as "[f1][f2]\n".
 */
static prep_status
agree_with_libcsv_only(const prep_csv_options *o, const char *input, size_t len,
		       int gz, struct fast_seen *seen, prep_buf *plain)
{
	prep_csv_options ref = *o;
	prep_buf got, want;
	prep_where gw, ww;
	prep_status gs, ws;
	int fd = mem_file(input, len, gz);

	ref.libcsv_only = 1;
	gs = read_checked(o, fd, input, len, &got, plain, &gw, seen);
	ws = read_checked(&ref, fd, NULL, 0, &want, NULL, &ww, NULL);
	close(fd);
	cr_assert_eq(gs, ws, "%s, libcsv alone %s; input %zu bytes: \"%.*s\"",
		     prep_strerror(gs), prep_strerror(ws), len, (int)len,
		     input);
	cr_assert_str_eq(got.data, want.data, "input %zu bytes: \"%.*s\"", len,
			 (int)len, input);
	cr_assert_eq(gw.line, ww.line, "line %lu, libcsv alone %lu: \"%.*s\"",
		     gw.line, ww.line, (int)len, input);
	cr_assert_eq(gw.field, ww.field,
		     "field %zu, libcsv alone %zu: \"%.*s\"", gw.field,
		     ww.field, (int)len, input);
	cr_assert_str_eq(gw.file, ww.file);
	prep_buf_free(&got);
	prep_buf_free(&want);
	return gs;
}

static uint64_t
lcg(uint64_t *seed)
{
	*seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return *seed >> 33;
}

Test(csv, fast_path_agrees_with_libcsv)
{
	static const char alphabet[] = "ab,,\"\"\r\n\n  x";
	char input[200];
	uint64_t seed = 42;
	int iter, agreed_ok = 0, agreed_err = 0;
	struct fast_seen seen = {0};

	for (iter = 0; iter < 20000; iter++) {
		size_t len, i;
		struct csv_parser p;
		struct ref ref;
		prep_buf got;
		prep_csv_options o;
		int ref_ok, lazy = iter % 4 == 3;
		prep_status st;

		len = (size_t)lcg(&seed) % 40;
		for (i = 0; i < len; i++)
			input[i] = alphabet[lcg(&seed) % (sizeof alphabet - 1)];
		input[len] = '\0';
		prep_buf_init(&ref.out, 0);
		prep_buf_append(&ref.out, "", 0);
		ref.nfields = 0;
		cr_assert_eq(
		    csv_init(&p, (lazy ? 0 : CSV_STRICT) | CSV_STRICT_FINI), 0);
		csv_set_space_func(&p, ref_no_space);
		ref_ok = csv_parse(&p, input, len, ref_field, ref_row, &ref) ==
			     len &&
			 csv_fini(&p, ref_field, ref_row, &ref) == 0;
		csv_free(&p);

		prep_csv_options_init(&o);
		o.has_header = 0;
		o.lazy_quotes = lazy;
		prep_buf_init(&got, 0);
		prep_buf_append(&got, "", 0);
		st = agree_with_libcsv_only(&o, input, len, 0, &seen, &got);
		if (ref_ok && st == PREP_END) {
			cr_assert_str_eq(got.data, ref.out.data,
					 "input %zu bytes: \"%s\"", len, input);
			agreed_ok++;
		} else if (ref_ok) {
			/* only a ragged record may fail where libcsv can't */
			cr_assert_eq(st, PREP_ERR_RAGGED, "input \"%s\": %s",
				     input, prep_strerror(st));
		} else {
			cr_assert_neq(st, PREP_END, "input \"%s\" accepted",
				      input);
			agreed_err++;
		}
		prep_buf_free(&got);
		prep_buf_free(&ref.out);
	}
	/* both kinds of input were seen often, and the fast paths taken */
	cr_assert_gt(agreed_ok, 2000);
	cr_assert_gt(agreed_err, 2000);
	seen_at_least(&seen, 4000, 300, 15, 200);
	cr_assert_gt(seen.unknown, 4000);
}

/*
 * A random field of one of the kinds the reader tells apart, appended to
 * b: plain and quoted ones, quoted delimiters, doubled quotes, quoted CR
 * and LF, long ones (against small max_field caps), and, unless good,
 * malformed ones: a stray quote, a byte after a closing quote, a quote
 * opened after a space, an unclosed quote.
 */
static void
random_field(prep_buf *b, char delim, uint64_t *seed, int good)
{
	static const char *const kinds[] = {
	    /* well formed */
	    "", "a", "bc", " a", "a ", "\"a\"", "\"\"", "\"a\"\"b\"",
	    "\"\"\"\"", "\"a D b\"", "\"D\"", "\"a\nb\"", "\"a\r\nb\"",
	    "\"a\rb\"", "L", "QL", "\"\"\"a\"", "\"a\"\"\"", "xyz",
	    "\"x,;|\t\"", "\" a\"", "\"a \"", " ", "\" \"",
	    /* malformed */
	    "a\"b", "\"a\"b", " \"a\"", "\"a", "\"a\" "};
	const size_t ngood = 24, nall = sizeof kinds / sizeof *kinds;
	const char *k = kinds[lcg(seed) % (good ? ngood : nall)];
	size_t n, i;

	if (strcmp(k, "L") == 0 || strcmp(k, "QL") == 0) {
		/* long: up to 40 bytes, quoted or not */
		n = (size_t)lcg(seed) % 41;
		if (k[0] == 'Q')
			prep_buf_append_str(b, "\"");
		for (i = 0; i < n; i++)
			prep_buf_append(b, &"abcdefgh"[lcg(seed) % 8], 1);
		if (k[0] == 'Q')
			prep_buf_append_str(b, "\"");
		return;
	}
	for (; *k; k++)
		prep_buf_append(b, *k == 'D' ? &delim : k, 1);
}

/* Random records over random options, both readers. */
Test(csv, fast_path_agrees_on_random_records)
{
	static const char delims[] = ",;\t|";
	static const char *const ends[] = {"\n", "\n", "\r\n", "\r", ""};
	uint64_t seed = 7;
	struct fast_seen seen = {0};
	int iter, ok = 0;
	unsigned long kinds[PREP_ERR_RAGGED + 20] = {0};

	for (iter = 0; iter < 20000; iter++) {
		prep_csv_options o;
		prep_buf in;
		char delim = delims[lcg(&seed) % 4];
		size_t nrec = 1 + (size_t)lcg(&seed) % 8, width, i, j;
		prep_status st;

		prep_csv_options_init(&o);
		o.delim = lcg(&seed) % 8 == 0 ? -1 : delim;
		if (o.delim < 0)
			delim = ','; /* what the header will make it */
		o.has_header = (int)(lcg(&seed) % 2);
		o.lazy_quotes = lcg(&seed) % 4 == 0;
		o.keep_blank = lcg(&seed) % 4 == 0;
		o.ragged = lcg(&seed) % 4 == 0;
		if (lcg(&seed) % 3 == 0)
			o.max_field = 1 + (size_t)lcg(&seed) % 30;
		if (lcg(&seed) % 4 == 0)
			o.max_fields = 1 + (size_t)lcg(&seed) % 5;
		width = 1 + (size_t)lcg(&seed) % 5;
		prep_buf_init(&in, 0);
		prep_buf_append(&in, "", 0);
		if (lcg(&seed) % 16 == 0)
			prep_buf_append_str(&in, "\xEF\xBB\xBF");
		for (i = 0; i < nrec; i++) {
			size_t w = lcg(&seed) % 6 == 0
				       ? 1 + (size_t)lcg(&seed) % 6
				       : width;

			if (lcg(&seed) % 8 == 0) /* a blank line */
				prep_buf_append_str(
				    &in, lcg(&seed) % 2 ? "\n" : "\r\n");
			for (j = 0; j < w; j++) {
				if (j > 0)
					prep_buf_append(&in, &delim, 1);
				random_field(&in, delim, &seed, 0);
			}
			prep_buf_append_str(&in, i + 1 < nrec
						     ? ends[lcg(&seed) % 3]
						     : ends[lcg(&seed) % 5]);
		}
		st =
		    agree_with_libcsv_only(&o, in.data, in.len, 0, &seen, NULL);
		if (lcg(&seed) % 8 == 0) /* the same through zlib */
			cr_assert_eq(agree_with_libcsv_only(&o, in.data, in.len,
							    1, &seen, NULL),
				     st);
		ok += st == PREP_END;
		if (st != PREP_END && (size_t)st < sizeof kinds / sizeof *kinds)
			kinds[st]++;
		prep_buf_free(&in);
	}
	cr_assert_gt(ok, 3000);
	seen_at_least(&seen, 4500, 5000, 2000, 600);
	cr_assert_gt(seen.unknown, 3500);
	/* every kind of error was met, with its place compared */
	cr_assert_gt(kinds[PREP_ERR_QUOTE], 5000);
	cr_assert_gt(kinds[PREP_ERR_UNCLOSED_QUOTE], 80);
	cr_assert_gt(kinds[PREP_ERR_FIELD_TOO_LONG], 800);
	cr_assert_gt(kinds[PREP_ERR_TOO_MANY_FIELDS], 700);
	cr_assert_gt(kinds[PREP_ERR_RAGGED], 1300);
}

/*
 * A CR at every place in the reader's first 64-byte blocks of a record:
 * ending a record alone, before a line feed, inside quotes.
 */
Test(csv, fast_path_agrees_on_cr_at_every_place)
{
	static const char *const forms[] = {"%s\ry,z\n", "%s\r\ny,z\n",
					    "\"%s\rq\",z\n", "a,%s\r"};
	struct fast_seen seen = {0};
	prep_csv_options o;
	char field[200], input[300];
	size_t len, f;

	prep_csv_options_init(&o);
	o.has_header = 0;
	o.ragged = 1;
	for (f = 0; f < sizeof forms / sizeof *forms; f++)
		for (len = 0; len < 150; len++) {
			memset(field, 'x', len);
			field[len] = '\0';
			snprintf(input, sizeof input, forms[f], field);
			cr_assert_eq(agree_with_libcsv_only(&o, input,
							    strlen(input), 0,
							    &seen, NULL),
				     PREP_END);
		}
	cr_assert_gt(seen.raw, 300);
}

/*
 * A field cap met inside one 64-byte block, which can hold more fields
 * than the cap allows: the error and its place are libcsv's (and under
 * AddressSanitizer, no field is stored past the reader's arrays).
 */
Test(csv, fast_path_agrees_on_field_caps_within_a_block)
{
	struct fast_seen seen = {0};
	prep_csv_options o;
	char input[200];
	size_t cap, w, i, len;

	for (cap = 1; cap <= 70; cap += cap < 8 ? 1 : 31)
		for (w = 1; w <= 70; w++) {
			prep_csv_options_init(&o);
			o.has_header = 0;
			o.max_fields = cap;
			for (i = 0, len = 0; i < w; i++) {
				input[len++] = (char)('a' + i % 26);
				input[len++] = i + 1 < w ? ',' : '\n';
			}
			input[len] = '\0';
			cr_assert_eq(agree_with_libcsv_only(&o, input, len, 0,
							    &seen, NULL),
				     w <= cap ? PREP_END
					      : PREP_ERR_TOO_MANY_FIELDS,
				     "cap %zu, %zu fields", cap, w);
		}
	cr_assert_gt(seen.raw, 8 * 4);
}

/*
 * Wide records, so the reader's 64-byte blocks end anywhere in them: in a
 * field, on a quote, between the CR and LF of a line end, on a CR that
 * ends a record alone; one malformed
 * field in some records, small caps now and then.
 */
Test(csv, fast_path_agrees_on_wide_records)
{
	static const char delims[] = ",;\t|";
	/* a bare CR ends a record too (libcsv) */
	static const char *const ends[] = {"\n", "\n", "\r\n", "\r"};
	uint64_t seed = 17;
	struct fast_seen seen = {0};
	int iter, ok = 0, bad = 0;

	for (iter = 0; iter < 6000; iter++) {
		prep_csv_options o;
		prep_buf in;
		char delim = delims[lcg(&seed) % 4];
		size_t nrec = 1 + (size_t)lcg(&seed) % 4, i, j;
		prep_status st;

		prep_csv_options_init(&o);
		o.delim = delim;
		o.has_header = 0;
		o.ragged = 1;
		o.lazy_quotes = lcg(&seed) % 4 == 0;
		if (lcg(&seed) % 8 == 0)
			o.max_field = 1 + (size_t)lcg(&seed) % 40;
		if (lcg(&seed) % 8 == 0)
			o.max_fields = 10 + (size_t)lcg(&seed) % 30;
		prep_buf_init(&in, 0);
		prep_buf_append(&in, "", 0);
		for (i = 0; i < nrec; i++) {
			size_t w = 10 + (size_t)lcg(&seed) % 31;
			int good = lcg(&seed) % 3 != 0;

			for (j = 0; j < w; j++) {
				if (j > 0)
					prep_buf_append(&in, &delim, 1);
				random_field(&in, delim, &seed,
					     good || lcg(&seed) % 8 != 0);
			}
			prep_buf_append_str(&in, ends[lcg(&seed) % 4]);
		}
		st =
		    agree_with_libcsv_only(&o, in.data, in.len, 0, &seen, NULL);
		ok += st == PREP_END;
		bad += st != PREP_END;
		prep_buf_free(&in);
	}
	/* (a record with a quoted CR goes to libcsv: most of them do) */
	cr_assert_gt(ok, 2500);
	cr_assert_gt(bad, 1400);
	seen_at_least(&seen, 1000, 11000, 3000, 500);
}

/*
 * Long inputs, so lines cross the reader's 64 KiB buffers (plain and
 * inflated): random records of the same kinds, mostly well formed.
 */
Test(csv, fast_path_agrees_across_buffers)
{
	uint64_t seed = 11;
	struct fast_seen seen = {0};
	int iter;

	for (iter = 0; iter < 12; iter++) {
		prep_csv_options o;
		prep_buf in;

		prep_csv_options_init(&o);
		o.has_header = 0;
		o.ragged = 1;
		o.lazy_quotes = iter % 3 == 2;
		prep_buf_init(&in, 0);
		prep_buf_append(&in, "", 0);
		while (in.len < ((size_t)300 << 10)) {
			size_t w = 1 + (size_t)lcg(&seed) % 12, j;

			for (j = 0; j < w; j++) {
				if (j > 0)
					prep_buf_append_str(&in, ",");
				/* a malformed field once in 2000 */
				random_field(&in, ',', &seed,
					     lcg(&seed) % 2000 != 0);
			}
			prep_buf_append_str(&in,
					    lcg(&seed) % 4 ? "\n" : "\r\n");
		}
		agree_with_libcsv_only(&o, in.data, in.len, 0, &seen, NULL);
		agree_with_libcsv_only(&o, in.data, in.len, 1, &seen, NULL);
		prep_buf_free(&in);
	}
	cr_assert_gt(seen.raw, 20000);
	cr_assert_gt(seen.quoted, 50000);
	cr_assert_gt(seen.lines, 5000);
}

/*
 * Pieces (prep_reader_piece, for threads) are memory of the caller's,
 * with no room after them for the scan's last 64 bytes: records ending
 * at every distance from a piece's end, each piece in a buffer of exactly
 * its size (AddressSanitizer sees any byte read past it), read by a
 * piece reader and by one with libcsv_only: the same records, status
 * and place.
 */
Test(csv, fast_path_in_pieces)
{
	uint64_t seed = 13;
	struct fast_seen seen = {0};
	prep_csv_options o;
	prep_reader *like;
	int fd, iter;

	prep_csv_options_init(&o);
	o.delim = ',';
	o.has_header = 0;
	o.ragged = 1;
	fd = mem_file("a\n", 2, 0);
	cr_assert_eq(prep_reader_new_fd(&o, fd, "like", &like), PREP_OK);
	for (iter = 0; iter < 3000; iter++) {
		prep_buf in, out[2];
		prep_where w[2];
		prep_status st[2];
		int ref;

		size_t want = (size_t)lcg(&seed) % 300;

		prep_buf_init(&in, 0);
		prep_buf_append(&in, "", 0);
		while (in.len < want) {
			size_t nf = 1 + (size_t)lcg(&seed) % 4, j;

			for (j = 0; j < nf; j++) {
				if (j > 0)
					prep_buf_append_str(&in, ",");
				random_field(&in, ',', &seed,
					     lcg(&seed) % 20 != 0);
			}
			prep_buf_append_str(&in,
					    lcg(&seed) % 4 ? "\n" : "\r\n");
		}
		for (ref = 0; ref < 2; ref++) {
			prep_reader *pr;
			const prep_field *f;
			size_t nf;
			unsigned char *data = malloc(in.len ? in.len : 1);

			cr_assert_not_null(data);
			memcpy(data, in.data, in.len);
			cr_assert_eq(prep_reader_new_piece(like, &pr), PREP_OK);
			if (ref) {
				/* the option is like's: a second reader */
				prep_csv_options lo = o;
				prep_reader *l2;
				int fd2 = mem_file("a\n", 2, 0);

				prep_reader_free(pr);
				lo.libcsv_only = 1;
				cr_assert_eq(
				    prep_reader_new_fd(&lo, fd2, "like", &l2),
				    PREP_OK);
				cr_assert_eq(prep_reader_new_piece(l2, &pr),
					     PREP_OK);
				prep_reader_free(l2);
				close(fd2);
			}
			cr_assert_eq(
			    prep_reader_piece(pr, data, in.len, "piece", 7),
			    PREP_OK);
			prep_buf_init(&out[ref], 0);
			prep_buf_append(&out[ref], "", 0);
			while ((st[ref] = prep_reader_next_row(pr, &f, &nf)) ==
			       PREP_OK) {
				char num[32];

				snprintf(num, sizeof num,
					 "%lu:", prep_reader_where(pr).line);
				prep_buf_append_str(&out[ref], num);
				render(&out[ref], f, nf);
				if (!ref)
					check_raw_piece(pr, f, nf, &seen);
			}
			w[ref] = prep_reader_where(pr);
			prep_reader_free(pr);
			free(data);
		}
		cr_assert_eq(st[0], st[1], "input \"%s\"", in.data);
		cr_assert_str_eq(out[0].data, out[1].data, "input \"%s\"",
				 in.data);
		cr_assert_eq(w[0].line, w[1].line, "input \"%s\"", in.data);
		cr_assert_eq(w[0].field, w[1].field, "input \"%s\"", in.data);
		prep_buf_free(&out[0]);
		prep_buf_free(&out[1]);
		prep_buf_free(&in);
	}
	prep_reader_free(like);
	close(fd);
	cr_assert_gt(seen.raw, 9000);
	cr_assert_gt(seen.quoted, 13000);
}

/* ---- the writer's copies against prep_writer_field ---- */

/* The bytes of the anonymous file fd, NUL-terminated, in b. */
static void
slurp_fd(int fd, prep_buf *b)
{
	char chunk[65536];
	ssize_t k;

	prep_buf_init(b, 0);
	prep_buf_append(b, "", 0);
	cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
	while ((k = read(fd, chunk, sizeof chunk)) > 0)
		prep_buf_append(b, chunk, (size_t)k);
	cr_assert_eq(k, 0);
}

/* Two finished writers' outputs, byte for byte, and their counts. */
static void
same_output(prep_writer *a, int fa, prep_writer *b, int fb, const char *what)
{
	prep_buf x, y;

	cr_assert_eq(prep_writer_records(a), prep_writer_records(b), "%s",
		     what);
	cr_assert_eq(prep_writer_columns(a), prep_writer_columns(b), "%s",
		     what);
	cr_assert_eq(prep_writer_bytes(a), prep_writer_bytes(b), "%s", what);
	slurp_fd(fa, &x);
	slurp_fd(fb, &y);
	cr_assert_eq(x.len, y.len, "%s: %zu bytes, want %zu", what, y.len,
		     x.len);
	cr_assert_eq(memcmp(x.data, y.data, x.len), 0, "%s: \"%s\" != \"%s\"",
		     what, y.data, x.data);
	prep_buf_free(&x);
	prep_buf_free(&y);
}

/*
 * prep_writer_field_plain writes what prep_writer_field writes, for
 * random fields without the delimiter, quote, CR or LF: spaces at either
 * end, gzip's and the byte order mark's first bytes (which matter at the
 * output's first field, after an empty one too), empty fields, records
 * of one empty field, fields longer than the writer's buffer, with and
 * without CRLF and a dropped header.
 */
Test(csv, writer_field_plain_same_bytes)
{
	static const char alphabet[] = " a\x1f\x8b\xEF\xBB\xBFz";
	static const char delims[] = ",;\t|";
	uint64_t seed = 3;
	char *big = malloc(70000);
	int iter;

	cr_assert_not_null(big);
	for (iter = 0; iter < 3000; iter++) {
		prep_writer_options wo = {
		    delims[lcg(&seed) % 4], (int)(lcg(&seed) % 2), 0, 0, 0, 0};
		prep_writer *a, *b;
		int fa = mem_file("", 0, 0), fb = mem_file("", 0, 0);
		size_t nrec = 1 + (size_t)lcg(&seed) % 300, i, j, k;

		cr_assert_eq(prep_writer_new(fa, &wo, &a), PREP_OK);
		cr_assert_eq(prep_writer_new(fb, &wo, &b), PREP_OK);
		if (lcg(&seed) % 4 == 0) {
			cr_assert_eq(prep_writer_skip_header(a), PREP_OK);
			cr_assert_eq(prep_writer_skip_header(b), PREP_OK);
		}
		for (i = 0; i < nrec; i++) {
			size_t nf = 1 + (size_t)lcg(&seed) % 4;

			for (j = 0; j < nf; j++) {
				size_t len = (size_t)lcg(&seed) % 7;
				char f[8];
				const char *p = f;

				for (k = 0; k < len; k++)
					f[k] = alphabet[lcg(&seed) %
							(sizeof alphabet - 1)];
				if (lcg(&seed) % 500 == 0) {
					/* past the writer's 64 KiB buffer */
					len = 65536 + (size_t)lcg(&seed) % 4000;
					memset(big, 'b', len);
					big[0] = f[0];
					big[len - 1] = len % 2 ? ' ' : 'e';
					p = big;
				}
				cr_assert_eq(prep_writer_field(a, p, len),
					     PREP_OK);
				cr_assert_eq(prep_writer_field_plain(b, p, len),
					     PREP_OK);
			}
			cr_assert_eq(prep_writer_end_row(a), PREP_OK);
			cr_assert_eq(prep_writer_end_row(b), PREP_OK);
		}
		cr_assert_eq(prep_writer_finish(a), PREP_OK);
		cr_assert_eq(prep_writer_finish(b), PREP_OK);
		same_output(a, fa, b, fb, "field_plain");
		prep_writer_free(a);
		prep_writer_free(b);
		close(fa);
		close(fb);
	}
	free(big);
}

/*
 * Would the writer (delimiter delim) write field f as its raw form in the
 * input, quoted when it was? The rule of prep(7), written out again:
 * quoted when it holds the delimiter, a quote, CR or LF or begins or
 * ends with a space (the first record of the output, and a record of one
 * empty field, are left out by the caller).
 */
static int
writes_as_read(const prep_field *f, int quoted, char delim)
{
	size_t i;
	int q = 0;

	for (i = 0; i < f->len; i++)
		q |= f->data[i] == delim || f->data[i] == '"' ||
		     f->data[i] == '\r' || f->data[i] == '\n';
	q |= f->len > 0 && (f->data[0] == ' ' || f->data[f->len - 1] == ' ');
	return q == quoted;
}

/*
 * prep_writer_copy_record, prep_writer_copy_field and
 * prep_writer_copy_fields (random stretches of a record) write what
 * prep_writer_row writes of the same fields, on random inputs read with
 * random options (the same delimiter for the writer, or another), each
 * record written by four writers. The records whose raw bytes are the
 * writer's form (so copy_record may copy them whole) are counted, and
 * must be many, as must the others. prep_writer_fields_as_read, asked
 * of a memory writer, gives the bytes copy_fields writes there, or
 * says no: both many times.
 */
Test(csv, writer_copies_agree_with_fields)
{
	static const char delims[] = ",;\t|";
	uint64_t seed = 5;
	unsigned long as_read = 0, not_as_read = 0, given = 0, refused = 0;
	int iter;

	for (iter = 0; iter < 4000; iter++) {
		prep_csv_options o;
		prep_writer_options wo;
		prep_writer *a, *b, *c, *d, *e, *g, *m;
		prep_reader *r;
		prep_buf in;
		const prep_field *f;
		char delim = delims[lcg(&seed) % 4];
		size_t nrec = 1 + (size_t)lcg(&seed) % 30, nf, i, j;
		int fd, fa, fb, fc, fd2, fe, fg, skip = lcg(&seed) % 4 == 0;
		prep_status st;

		prep_csv_options_init(&o);
		o.delim = delim;
		o.has_header = (int)(lcg(&seed) % 2);
		o.keep_blank = lcg(&seed) % 4 == 0;
		o.lazy_quotes = lcg(&seed) % 8 == 0;
		o.ragged = 1;
		memset(&wo, 0, sizeof wo);
		wo.delim = lcg(&seed) % 4 ? delim : delims[lcg(&seed) % 4];
		wo.crlf = (int)(lcg(&seed) % 2);
		prep_buf_init(&in, 0);
		prep_buf_append(&in, "", 0);
		for (i = 0; i < nrec; i++) {
			size_t w = 1 + (size_t)lcg(&seed) % 5;

			if (lcg(&seed) % 10 == 0)
				prep_buf_append_str(&in, "\n");
			for (j = 0; j < w; j++) {
				prep_buf one;

				if (j > 0)
					prep_buf_append(&in, &delim, 1);
				prep_buf_init(&one, 0);
				prep_buf_append(&one, "", 0);
				random_field(&one, delim, &seed,
					     lcg(&seed) % 50 != 0);
				/* gzip's or a BOM's bytes opening a field */
				if (lcg(&seed) % 8 == 0 && one.data[0] != '"')
					prep_buf_append_str(
					    &in, lcg(&seed) % 2
						     ? "\x1f\x8b"
						     : "\xEF\xBB\xBF");
				prep_buf_append(&in, one.data, one.len);
				prep_buf_free(&one);
			}
			prep_buf_append_str(&in,
					    lcg(&seed) % 4 ? "\n" : "\r\n");
		}
		fd = mem_file(in.data, in.len, 0);
		fa = mem_file("", 0, 0);
		fb = mem_file("", 0, 0);
		fc = mem_file("", 0, 0);
		fd2 = mem_file("", 0, 0);
		fe = mem_file("", 0, 0);
		fg = mem_file("", 0, 0);
		cr_assert_eq(prep_writer_new(fe, &wo, &e), PREP_OK);
		cr_assert_eq(prep_writer_new(fg, &wo, &g), PREP_OK);
		cr_assert_eq(prep_writer_new(fa, &wo, &a), PREP_OK);
		cr_assert_eq(prep_writer_new(fb, &wo, &b), PREP_OK);
		cr_assert_eq(prep_writer_new(fc, &wo, &c), PREP_OK);
		cr_assert_eq(prep_writer_new(fd2, &wo, &d), PREP_OK);
		cr_assert_eq(prep_writer_new_memory(a, &m), PREP_OK);
		if (skip) {
			cr_assert_eq(prep_writer_skip_header(a), PREP_OK);
			cr_assert_eq(prep_writer_skip_header(b), PREP_OK);
			cr_assert_eq(prep_writer_skip_header(c), PREP_OK);
			cr_assert_eq(prep_writer_skip_header(d), PREP_OK);
		}
		cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
		st = prep_reader_new_fd(&o, fd, "in.csv", &r);
		if (st == PREP_OK && (f = prep_reader_header(r, &nf)) != NULL) {
			cr_assert_eq(prep_writer_row(a, f, nf), PREP_OK);
			cr_assert_eq(prep_writer_row(b, f, nf), PREP_OK);
			cr_assert_eq(prep_writer_row(c, f, nf), PREP_OK);
			cr_assert_eq(prep_writer_row(d, f, nf), PREP_OK);
		}
		while (st == PREP_OK &&
		       (st = prep_reader_next_row(r, &f, &nf)) == PREP_OK) {
			const char *raw;
			size_t rawlen;
			int first = prep_writer_bytes(a) == 0 &&
				    !prep_writer_skipped(a);

			if (prep_reader_record_raw(r, &raw, &rawlen) &&
			    wo.delim == delim && !first &&
			    !(nf == 1 && f[0].len == 0)) {
				int all = 1;

				for (i = 0; i < nf; i++)
					all &= writes_as_read(
					    &f[i],
					    prep_reader_field_quoted(r, i),
					    delim);
				as_read += all;
				not_as_read += !all;
			}
			cr_assert_eq(prep_writer_row(a, f, nf), PREP_OK);
			cr_assert_eq(prep_writer_copy_record(b, r), PREP_OK);
			for (i = 0; i < nf; i++)
				cr_assert_eq(prep_writer_copy_field(c, r, i),
					     PREP_OK);
			cr_assert_eq(prep_writer_copy_field(c, r, nf),
				     PREP_ERR_ARG);
			cr_assert_eq(prep_writer_end_row(c), PREP_OK);
			/* random stretches, empty ones among them */
			for (i = 0; i < nf; i = j) {
				j = i + (size_t)lcg(&seed) % (nf - i + 1);
				cr_assert_eq(
				    prep_writer_copy_fields(d, r, i, j),
				    PREP_OK);
			}
			cr_assert_eq(prep_writer_copy_fields(d, r, nf, nf),
				     PREP_OK);
			cr_assert_eq(prep_writer_copy_fields(d, r, 1, 0),
				     PREP_ERR_ARG);
			cr_assert_eq(prep_writer_copy_fields(d, r, 0, nf + 1),
				     PREP_ERR_ARG);
			cr_assert_eq(prep_writer_end_row(d), PREP_OK);
			/* one stretch alone, as a record: the columns kept
			 * when the others are dropped */
			i = (size_t)lcg(&seed) % nf;
			j = i + 1 + (size_t)lcg(&seed) % (nf - i);
			cr_assert_eq(prep_writer_row(e, f + i, j - i), PREP_OK);
			cr_assert_eq(prep_writer_copy_fields(g, r, i, j),
				     PREP_OK);
			cr_assert_eq(prep_writer_end_row(g), PREP_OK);
			/* the bytes as read, or a refusal */
			prep_writer_reset(m);
			if (prep_writer_fields_as_read(m, r, &raw, &rawlen)) {
				const char *mem;
				size_t mlen;

				cr_assert_eq(
				    prep_writer_copy_fields(m, r, 0, nf),
				    PREP_OK);
				cr_assert_eq(prep_writer_finish(m), PREP_OK);
				mem = prep_writer_data(m, &mlen);
				cr_assert_eq(mlen, rawlen);
				cr_assert_arr_eq(mem, raw, rawlen);
				given++;
			} else {
				refused++;
			}
		}
		prep_reader_free(r);
		cr_assert_eq(prep_writer_finish(a), PREP_OK);
		cr_assert_eq(prep_writer_finish(b), PREP_OK);
		cr_assert_eq(prep_writer_finish(c), PREP_OK);
		cr_assert_eq(prep_writer_finish(d), PREP_OK);
		cr_assert_eq(prep_writer_finish(e), PREP_OK);
		cr_assert_eq(prep_writer_finish(g), PREP_OK);
		same_output(e, fe, g, fg, "copy_fields alone");
		same_output(a, fa, b, fb, "copy_record");
		same_output(a, fa, c, fc, "copy_field");
		same_output(a, fa, d, fd2, "copy_fields");
		prep_writer_free(a);
		prep_writer_free(b);
		prep_writer_free(c);
		prep_writer_free(d);
		prep_writer_free(e);
		prep_writer_free(g);
		prep_writer_free(m);
		close(fe);
		close(fg);
		close(fd);
		close(fa);
		close(fb);
		close(fc);
		close(fd2);
		prep_buf_free(&in);
	}
	cr_assert_gt(as_read, 6000);
	cr_assert_gt(not_as_read, 6000);
	cr_assert_gt(given, 6000);
	cr_assert_gt(refused, 6000);
}

/*
 * A space at either end of an unquoted field and a quoted field's closing
 * quote at every place around the reader's first 64-byte block edges
 * (the reader takes a block's fields at once when none of them can be
 * quoted or spaced): the fields are libcsv's, and a record copied whole
 * is what the writer writes of its fields (a spaced field is quoted).
 */
Test(csv, fast_path_agrees_at_block_edges)
{
	static const char *const forms[] = {
	    "%s ,b,c\n",    "%s, b,c\n",    "a,%s ,b\n", "a,%s, b\n",
	    "\"%s\",b,c\n", "a,\"%s\",b\n", " %s,b\n",	 "%s,b \n"};
	struct fast_seen seen = {0};
	prep_csv_options o;
	prep_writer_options wo = {',', 0, 0, 0, 0, 0};
	char field[200], input[300];
	size_t len, f;

	prep_csv_options_init(&o);
	o.has_header = 0;
	for (f = 0; f < sizeof forms / sizeof *forms; f++)
		for (len = 0; len < 140; len++) {
			int in, fa, fb;
			prep_reader *r;
			prep_writer *a, *b;
			const prep_field *row;
			size_t nf;
			prep_status st;

			memset(field, 'x', len);
			field[len] = '\0';
			/* a first record, which the writer treats apart,
			 * of as many fields */
			snprintf(input, sizeof input, forms[f], "");
			snprintf(input + strlen(input),
				 sizeof input - strlen(input), forms[f], field);
			cr_assert_eq(agree_with_libcsv_only(&o, input,
							    strlen(input), 0,
							    &seen, NULL),
				     PREP_END);
			in = mem_file(input, strlen(input), 0);
			fa = mem_file("", 0, 0);
			fb = mem_file("", 0, 0);
			cr_assert_eq(lseek(in, 0, SEEK_SET), 0);
			cr_assert_eq(prep_reader_new_fd(&o, in, "in.csv", &r),
				     PREP_OK);
			cr_assert_eq(prep_writer_new(fa, &wo, &a), PREP_OK);
			cr_assert_eq(prep_writer_new(fb, &wo, &b), PREP_OK);
			while ((st = prep_reader_next_row(r, &row, &nf)) ==
			       PREP_OK) {
				cr_assert_eq(prep_writer_row(a, row, nf),
					     PREP_OK);
				cr_assert_eq(prep_writer_copy_record(b, r),
					     PREP_OK);
			}
			cr_assert_eq(st, PREP_END);
			cr_assert_eq(prep_writer_finish(a), PREP_OK);
			cr_assert_eq(prep_writer_finish(b), PREP_OK);
			cr_assert_eq(prep_writer_records(b), 2);
			same_output(a, fa, b, fb, "copy_record");
			prep_reader_free(r);
			prep_writer_free(a);
			prep_writer_free(b);
			close(in);
			close(fa);
			close(fb);
		}
	cr_assert_gt(seen.raw, 2 * 8 * 140 - 1);
	cr_assert_gt(seen.quoted, 2 * 140 - 1);
}

/*
 * The writer's word- and block-at-a-time test for bytes that need
 * quotes, at every length up to 72 and every position: the delimiter, a quote,
 * CR or LF anywhere makes the field quoted; their neighbours in the byte order
 * (and bytes with the high bit set) don't. Written after a first field,
 * so only the test decides.
 */
Test(csv, writer_quotes_at_every_position)
{
	static const char special[] = ";\"\r\n";
	static const char near[] = ":<!#\f\x0e\x0b\t\x80\xff\xba";
	prep_writer_options wo = {';', 0, 0, 0, 0, 0};
	char field[73];
	size_t len, pos, k;

	for (len = 1; len <= 72; len++)
		for (pos = 0; pos < len; pos++) {
			for (k = 0; k < sizeof special - 1 + sizeof near - 1;
			     k++) {
				int quoted = k < sizeof special - 1;
				char c = quoted
					     ? special[k]
					     : near[k - (sizeof special - 1)];
				prep_field f[2] = {{"x", 1}, {field, len}};
				int fd = mem_file("", 0, 0);
				prep_writer *w;
				prep_buf out;

				memset(field, 'a', len);
				field[pos] = c;
				field[len] = '\0';
				cr_assert_eq(prep_writer_new(fd, &wo, &w),
					     PREP_OK);
				cr_assert_eq(prep_writer_row(w, f, 2), PREP_OK);
				cr_assert_eq(prep_writer_finish(w), PREP_OK);
				prep_writer_free(w);
				slurp_fd(fd, &out);
				close(fd);
				cr_assert_eq(out.data[2] == '"', quoted,
					     "len %zu pos %zu byte %02x", len,
					     pos, (unsigned char)c);
				prep_buf_free(&out);
			}
		}
}

/* prep_writer_bytes counts what the writer wrote, quoting and all. */
Test(csv, writer_bytes)
{
	prep_writer_options wo = {';', 1, 0, 0, 0, 0};
	prep_field f[] = {F("a;b"), F("say \"x\""), F(" s")};
	char path[256];
	prep_writer *w;
	int fd;

	snprintf(path, sizeof path, "%s/bytes.csv", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(fd >= 0);
	cr_assert_eq(prep_writer_new(fd, &wo, &w), PREP_OK);
	cr_assert_eq(prep_writer_bytes(w), 0);
	cr_assert_eq(prep_writer_row(w, f, 3), PREP_OK);
	/* "a;b";"say ""x""";" s"\r\n */
	cr_assert_eq(prep_writer_bytes(w), 24);
	cr_assert_eq(prep_writer_row(w, f + 2, 1), PREP_OK);
	cr_assert_eq(prep_writer_bytes(w), 24 + 6);
	cr_assert_eq(prep_writer_finish(w), PREP_OK);
	cr_assert_eq(prep_writer_bytes(w), 30);
	prep_writer_free(w);
	cr_assert_eq(lseek(fd, 0, SEEK_END), 30);
	close(fd);
}

/* ---- ragged and keep_blank ---- */

/*
 * Read input (written to a file) with o; each record rendered as
 * "LINE:N[f1][f2]\n" (its first line, its field count), the header
 * first as "H:N[...]\n". The field count is checked against
 * prep_reader_record_fields. Returns the final status.
 */
static prep_status
read_counted(const prep_csv_options *o, const char *input, size_t len,
	     prep_buf *out)
{
	const char *p = put_file("counted.csv", input, len);
	prep_reader *r;
	const prep_field *f;
	size_t nf, i;
	prep_status st;
	char num[64];

	prep_buf_init(out, 0);
	prep_buf_append(out, "", 0);
	st = prep_reader_new(o, &p, 1, &r);
	if (st == PREP_OK) {
		f = prep_reader_header(r, &nf);
		if (f) {
			snprintf(num, sizeof num, "H:%zu", nf);
			prep_buf_append_str(out, num);
			for (i = 0; i < nf; i++) {
				prep_buf_append_str(out, "[");
				prep_buf_append(out, f[i].data, f[i].len);
				prep_buf_append_str(out, "]");
			}
			prep_buf_append_str(out, "\n");
		}
		while ((st = prep_reader_next_row(r, &f, &nf)) == PREP_OK) {
			cr_assert_eq(prep_reader_record_fields(r), nf);
			snprintf(num, sizeof num, "%lu:%zu",
				 prep_reader_where(r).line, nf);
			prep_buf_append_str(out, num);
			for (i = 0; i < nf; i++) {
				cr_assert_eq(f[i].data[f[i].len], '\0');
				prep_buf_append_str(out, "[");
				prep_buf_append(out, f[i].data, f[i].len);
				prep_buf_append_str(out, "]");
			}
			prep_buf_append_str(out, "\n");
		}
	}
	prep_reader_free(r);
	return st;
}

static void
expect_counted(const prep_csv_options *o, const char *input, size_t len,
	       const char *want)
{
	prep_buf out;
	prep_status st = read_counted(o, input, len, &out);

	cr_assert_eq(st, PREP_END, "status %s", prep_strerror(st));
	cr_assert_str_eq(out.data, want);
	prep_buf_free(&out);
}

Test(csv, options_init_new_fields)
{
	prep_csv_options o;

	memset(&o, 0x55, sizeof o);
	prep_csv_options_init(&o);
	cr_assert_eq(o.ragged, 0);
	cr_assert_eq(o.keep_blank, 0);
}

Test(csv, ragged_off)
{
	prep_csv_options o;

	prep_csv_options_init(&o);
	o.ragged = 0;
	expect_error("a,b,c\n1,2,3\n1,2\n", &o, PREP_ERR_RAGGED, 3, 0);
	expect_error("a,b,c\n1,2,3\n1,2,3,4\n", &o, PREP_ERR_RAGGED, 3, 0);
	expect_error("a,b,c\r\n\"1\",2,3\r\n\"x\r\ny\",2\r\n", &o,
		     PREP_ERR_RAGGED, 3, 0);
}

Test(csv, ragged_on)
{
	prep_csv_options o;

	prep_csv_options_init(&o);
	o.ragged = 1;
	expect_counted(&o,
		       S("a,b,c\n1\n1,2,3\n1,2,3,4,5\n,\n\"x\ny\",2\n"
			 "\"q\",,,\r\n7,8\r\n"),
		       "H:3[a][b][c]\n2:1[1]\n3:3[1][2][3]\n"
		       "4:5[1][2][3][4][5]\n5:2[][]\n6:2[x\ny][2]\n"
		       "8:4[q][][][]\n9:2[7][8]\n");
	/* without a header the first record sets the width */
	o.has_header = 0;
	expect_counted(&o, S("1,2\n3\n4,5,6\n"),
		       "1:2[1][2]\n2:1[3]\n3:3[4][5][6]\n");
}

Test(csv, ragged_keeps_header_width)
{
	prep_csv_options o;
	prep_reader *r;
	const prep_field *f;
	size_t n;
	const char *p = put_file("rw.csv", S("a,b\n1,2,3,4\n5\n"));

	prep_csv_options_init(&o);
	o.ragged = 1;
	cr_assert_eq(prep_reader_new(&o, &p, 1, &r), PREP_OK);
	cr_assert_eq(prep_reader_next_row(r, &f, &n), PREP_OK);
	cr_assert_eq(n, 4);
	cr_assert_eq(prep_reader_columns(r), 2);
	cr_assert_eq(prep_reader_next_row(r, &f, &n), PREP_OK);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(f[0].data, "5");
	cr_assert_eq(prep_reader_columns(r), 2);
	cr_assert_eq(prep_reader_next_row(r, &f, &n), PREP_END);
	prep_reader_free(r);
}

/* ragged lifts the header's width, not the max_fields cap. */
Test(csv, ragged_still_capped)
{
	prep_csv_options o;

	prep_csv_options_init(&o);
	o.ragged = 1;
	o.max_fields = 3;
	expect_error("a\n1,2,3\n1,2,3,4\n", &o, PREP_ERR_TOO_MANY_FIELDS, 3, 4);
}

Test(csv, keep_blank_off)
{
	prep_csv_options o;

	prep_csv_options_init(&o);
	o.keep_blank = 0;
	/* skipped, and the lines after them still counted */
	expect_counted(&o, S("a\n\n1\r\n\r\n\n2\n\n"),
		       "H:1[a]\n3:1[1]\n6:1[2]\n");
	expect_counted(&o, S("\na\nb\n"), "H:1[a]\n3:1[b]\n");
	expect_counted(&o, S("\r\n\r\na\r\nb\r\n"), "H:1[a]\n4:1[b]\n");
}

Test(csv, keep_blank_lf)
{
	prep_csv_options o;

	prep_csv_options_init(&o);
	o.keep_blank = 1;
	expect_counted(&o, S("a\n\n1\n\n\n2\n"),
		       "H:1[a]\n2:1[]\n3:1[1]\n4:1[]\n5:1[]\n6:1[2]\n");
}

Test(csv, keep_blank_crlf)
{
	prep_csv_options o;

	prep_csv_options_init(&o);
	o.keep_blank = 1;
	expect_counted(&o, S("a\r\n\r\n1\r\n\r\n\r\n2\r\n"),
		       "H:1[a]\n2:1[]\n3:1[1]\n4:1[]\n5:1[]\n6:1[2]\n");
	/* LF and CRLF blank lines mixed */
	expect_counted(&o, S("a\n\r\n1\r\n\n2\n"),
		       "H:1[a]\n2:1[]\n3:1[1]\n4:1[]\n5:1[2]\n");
}

/* A blank line inside a quoted field is part of the field. */
Test(csv, keep_blank_inside_quotes)
{
	prep_csv_options o;

	prep_csv_options_init(&o);
	o.keep_blank = 1;
	expect_counted(&o, S("a\n\"x\n\ny\"\n\nz\n"),
		       "H:1[a]\n2:1[x\n\ny]\n5:1[]\n6:1[z]\n");
	expect_counted(&o, S("a\r\n\"x\r\n\r\ny\"\r\n\r\nz\r\n"),
		       "H:1[a]\n2:1[x\r\n\r\ny]\n5:1[]\n6:1[z]\n");
	expect_counted(&o, S("a\n\"\n\n\"\n"), "H:1[a]\n2:1[\n\n]\n");
	/* "" is a record of one empty field too, like a blank line */
	expect_counted(&o, S("a\n\"\"\n\n"), "H:1[a]\n2:1[]\n3:1[]\n");
}

Test(csv, keep_blank_at_end)
{
	prep_csv_options o;

	prep_csv_options_init(&o);
	o.keep_blank = 1;
	expect_counted(&o, S("a\n1\n\n\n"), "H:1[a]\n2:1[1]\n3:1[]\n4:1[]\n");
	expect_counted(&o, S("a\r\n1\r\n\r\n\r\n"),
		       "H:1[a]\n2:1[1]\n3:1[]\n4:1[]\n");
	expect_counted(&o, S("a\n1\r\n\n\r\n"),
		       "H:1[a]\n2:1[1]\n3:1[]\n4:1[]\n");
	/* the end of the last line is not a blank line */
	expect_counted(&o, S("a\n1\n"), "H:1[a]\n2:1[1]\n");
	expect_counted(&o, S("a\n1"), "H:1[a]\n2:1[1]\n");
	/* a header followed only by blank lines */
	expect_counted(&o, S("a\n\n"), "H:1[a]\n2:1[]\n");
}

/* keep_blank: a blank first line is the header, of one empty field. */
Test(csv, keep_blank_first_line)
{
	prep_csv_options o;

	prep_csv_options_init(&o);
	o.keep_blank = 1;
	expect_counted(&o, S("\na\nb\n"), "H:1[]\n2:1[a]\n3:1[b]\n");
	expect_counted(&o, S("\r\na\r\nb\r\n"), "H:1[]\n2:1[a]\n3:1[b]\n");
	expect_error("\na,b\n", &o, PREP_ERR_RAGGED, 2, 0);
	o.has_header = 0;
	expect_counted(&o, S("\na\n"), "1:1[]\n2:1[a]\n");
}

/*
 * A blank line is a record of one field, so in a wider table it is
 * ragged: an error unless ragged is on too.
 */
Test(csv, keep_blank_wide_table)
{
	prep_csv_options o;

	prep_csv_options_init(&o);
	o.keep_blank = 1;
	expect_error("a,b\n1,2\n\n3,4\n", &o, PREP_ERR_RAGGED, 3, 0);
	expect_error("a,b\r\n1,2\r\n\r\n3,4\r\n", &o, PREP_ERR_RAGGED, 3, 0);
	o.ragged = 1;
	expect_counted(&o, S("a,b\n1,2\n\n3,4\n"),
		       "H:2[a][b]\n2:2[1][2]\n3:1[]\n4:2[3][4]\n");
}

/*
 * Records that hold a quote go through libcsv, which ends a CRLF record
 * at its CR; the LF after it is not a blank line.
 */
Test(csv, keep_blank_crlf_after_quoted_record)
{
	prep_csv_options o;

	prep_csv_options_init(&o);
	o.keep_blank = 1;
	o.ragged = 1;
	expect_counted(&o, S("a,b\r\n\"1\",2\r\n3,\"4\"\r\n\r\n5,6\r\n"),
		       "H:2[a][b]\n2:2[1][2]\n3:2[3][4]\n4:1[]\n5:2[5][6]\n");
	o.ragged = 0;
	expect_error("a,b\r\n\"1\",2\r\n3,\"4\"\r\n\r\n5,6\r\n", &o,
		     PREP_ERR_RAGGED, 4, 0);
	expect_counted(&o, S("\"a\"\r\n1\r\n\"2\"\r\n"),
		       "H:1[a]\n2:1[1]\n3:1[2]\n");
	expect_counted(&o, S("a\r\n\"x\r\ny\"\r\n\"\"\r\n\r\n"),
		       "H:1[a]\n2:1[x\r\ny]\n4:1[]\n5:1[]\n");
}

/*
 * Blank lines met at every offset of the 64 KiB read buffer: a padding
 * record of 1..12 bytes shifts a 12-byte unit of two records and two
 * CRLF blank lines ("\"q\"" through libcsv, "q" split directly) across
 * the buffer's end, so a CR and its LF fall in different reads in some
 * file. Plain and gzip, with keep_blank on and off.
 */
static void
blank_lines_across_buffers(int gz)
{
	const size_t units = 6000; /* 72,000 bytes: past one 64 KiB read */
	size_t pad, u, len, nf;
	char *data = malloc(units * 12 + 64);
	int keep;

	cr_assert_not_null(data);
	for (pad = 1; pad <= 12; pad++) {
		memcpy(data, "h\r\n", 3);
		memset(data + 3, 'p', pad);
		memcpy(data + 3 + pad, "\r\n", 2);
		len = 5 + pad;
		for (u = 0; u < units; u++, len += 12)
			memcpy(data + len, "\"q\"\r\n\r\nq\r\n\r\n", 12);
		for (keep = 0; keep <= 1; keep++) {
			char path[256];
			const char *p = path;
			prep_csv_options o;
			prep_reader *r;
			const prep_field *f;
			unsigned long line = 3, want;
			prep_status st;

			if (gz) {
				snprintf(path, sizeof path, "%s/pad.gz", dir);
				gzip_file(path, data, len);
			} else {
				p = put_file("pad.csv", data, len);
			}
			prep_csv_options_init(&o);
			o.keep_blank = keep;
			cr_assert_eq(prep_reader_new(&o, &p, 1, &r), PREP_OK);
			cr_assert_eq(prep_reader_next_row(r, &f, &nf), PREP_OK);
			cr_assert_eq(nf, 1);
			cr_assert_eq(f[0].len, pad);
			cr_assert_eq(prep_reader_where(r).line, 2);
			want = 0;
			while ((st = prep_reader_next_row(r, &f, &nf)) ==
			       PREP_OK) {
				int blank = keep && want % 2 == 1;

				cr_assert_eq(nf, 1, "pad %zu record %lu", pad,
					     want);
				cr_assert_eq(f[0].len, blank ? 0 : 1,
					     "pad %zu keep %d record %lu", pad,
					     keep, want);
				cr_assert_eq(prep_reader_where(r).line, line,
					     "pad %zu keep %d record %lu", pad,
					     keep, want);
				line += keep ? 1 : 2;
				want++;
			}
			cr_assert_eq(st, PREP_END);
			cr_assert_eq(want, keep ? 4 * units : 2 * units,
				     "pad %zu keep %d", pad, keep);
			prep_reader_free(r);
		}
	}
	free(data);
}

Test(csv, keep_blank_across_buffers)
{
	blank_lines_across_buffers(0);
}

Test(csv, keep_blank_across_buffers_gzip)
{
	blank_lines_across_buffers(1);
}

/* ---- the writer's SHA-256 ---- */

/* The whole contents of a file (malloc'd). */
static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	cr_assert_not_null(f);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	cr_assert(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/*
 * Write nrows records of "row i" and a field long enough to need several
 * buffer flushes, with the sha256 option; the digest must equal the
 * SHA-256 of the file as read back (EVP_Digest, one shot).
 */
static void
check_sha256(int gzip, int crlf, size_t nrows)
{
	prep_writer_options wo = {',', crlf, gzip, 0, 1, 0};
	unsigned char got[32], want[32], *file;
	unsigned int wlen = 0;
	char path[256], cell[64];
	prep_writer *w;
	size_t i, len;
	int fd;

	snprintf(path, sizeof path, "%s/sha.out", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(fd >= 0);
	cr_assert_eq(prep_writer_new(fd, &wo, &w), PREP_OK);
	for (i = 0; i < nrows; i++) {
		int k = snprintf(cell, sizeof cell, "row %zu, \"%zu\"", i,
				 i * 7919);

		cr_assert_eq(prep_writer_field(w, cell, (size_t)k), PREP_OK);
		cr_assert_eq(prep_writer_field(w, "x", 1), PREP_OK);
		cr_assert_eq(prep_writer_end_row(w), PREP_OK);
	}
	cr_assert_eq(prep_writer_finish(w), PREP_OK);
	cr_assert_eq(prep_writer_sha256(w, got), PREP_OK);
	prep_writer_free(w);
	close(fd);
	file = slurp(path, &len);
	if (gzip)
		cr_assert(len >= 2 && file[0] == 0x1f && file[1] == 0x8b);
	cr_assert_eq(EVP_Digest(file, len, want, &wlen, EVP_sha256(), NULL), 1);
	cr_assert_eq(wlen, 32);
	cr_assert_arr_eq(got, want, 32, "gzip %d rows %zu", gzip, nrows);
	free(file);
}

Test(csv, writer_sha256_plain)
{
	check_sha256(0, 0, 0);
	check_sha256(0, 0, 1);
	check_sha256(0, 1, 3);
	check_sha256(0, 0, 20000); /* about 600 KB: many flushes */
	/* about 4 MB: past the digest's in-line start (digest.h), hashed on
	 * its thread from the writer's buffers in turn */
	check_sha256(0, 0, 140000);
}

Test(csv, writer_sha256_gzip)
{
	check_sha256(1, 0, 0);
	check_sha256(1, 0, 1);
	check_sha256(1, 1, 20000);
	check_sha256(1, 0, 400000); /* its gzip past the in-line start */
}

/* Known answers (FIPS 180-4 SHA-256, computed with sha256sum(1)). */
Test(csv, writer_sha256_known)
{
	static const unsigned char empty[32] = {
	    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4,
	    0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b,
	    0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55};
	/* x,"y z "\n */
	static const unsigned char row[32] = {
	    0xd2, 0xb1, 0xbf, 0xae, 0xd5, 0xf2, 0x1f, 0xd3, 0x3d, 0x8a, 0x56,
	    0x05, 0xdb, 0xba, 0xce, 0x1a, 0xe1, 0xa5, 0x75, 0xea, 0xaa, 0x57,
	    0xc5, 0xc8, 0x7c, 0xb7, 0x66, 0x6c, 0x3d, 0x7c, 0x64, 0x2b};
	prep_writer_options wo = {',', 0, 0, 0, 1, 0};
	prep_field f[] = {F("x"), F("y z ")};
	unsigned char got[32];
	prep_writer *w;
	int fd = open("/dev/null", O_WRONLY);

	cr_assert(fd >= 0);
	cr_assert_eq(prep_writer_new(fd, &wo, &w), PREP_OK);
	cr_assert_eq(prep_writer_finish(w), PREP_OK);
	cr_assert_eq(prep_writer_sha256(w, got), PREP_OK);
	cr_assert_arr_eq(got, empty, 32);
	prep_writer_free(w);
	cr_assert_eq(prep_writer_new(fd, &wo, &w), PREP_OK);
	cr_assert_eq(prep_writer_row(w, f, 2), PREP_OK);
	cr_assert_eq(prep_writer_finish(w), PREP_OK);
	cr_assert_eq(prep_writer_sha256(w, got), PREP_OK);
	cr_assert_arr_eq(got, row, 32);
	prep_writer_free(w);
	close(fd);
}

Test(csv, writer_sha256_needs_option)
{
	prep_writer_options wo = {',', 0, 0, 0, 0, 0};
	prep_field f[] = {F("a"), F("b")};
	unsigned char got[32];
	prep_writer *w;
	int fd = open("/dev/null", O_WRONLY);

	cr_assert(fd >= 0);
	cr_assert_eq(prep_writer_new(fd, &wo, &w), PREP_OK);
	cr_assert_eq(prep_writer_row(w, f, 2), PREP_OK);
	cr_assert_eq(prep_writer_finish(w), PREP_OK);
	cr_assert_eq(prep_writer_sha256(w, got), PREP_ERR_ARG);
	prep_writer_free(w);
	wo.gzip = 1;
	cr_assert_eq(prep_writer_new(fd, &wo, &w), PREP_OK);
	cr_assert_eq(prep_writer_finish(w), PREP_OK);
	cr_assert_eq(prep_writer_sha256(w, got), PREP_ERR_ARG);
	prep_writer_free(w);
	close(fd);
}

/*
 * A 32 MiB quoted field under a raised cap: libcsv's buffer must grow
 * geometrically. Grown 4 KiB at a time it is copied 8192 times (128 GB
 * of memcpy where realloc can't grow in place, as under ASan): the
 * timeout catches that.
 */
Test(csv, long_field_grows_geometrically, .timeout = 30)
{
	const size_t big = (size_t)32 << 20;
	char path[256];
	FILE *f;
	prep_csv_options o;
	prep_reader *r;
	const prep_field *fl;
	const char *p = path;
	size_t nf, i;

	snprintf(path, sizeof path, "%s/long.csv", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("a\n\"", f);
	for (i = 0; i < big; i++)
		putc('x', f);
	fputs("\"\n", f);
	cr_assert_eq(fclose(f), 0);
	prep_csv_options_init(&o);
	o.max_field = (size_t)64 << 20;
	cr_assert_eq(prep_reader_new(&o, &p, 1, &r), PREP_OK);
	cr_assert_eq(prep_reader_next_row(r, &fl, &nf), PREP_OK);
	cr_assert_eq(nf, 1);
	cr_assert_eq(fl[0].len, big);
	cr_assert_eq(fl[0].data[0], 'x');
	cr_assert_eq(fl[0].data[big - 1], 'x');
	cr_assert_eq(prep_reader_next_row(r, &fl, &nf), PREP_END);
	prep_reader_free(r);
}

/* Which delimiter a reader without -d chose, and how. */
static void
expect_sniff(const char *name, const char *input, size_t len, int delim,
	     int how, const char *want)
{
	prep_csv_options o;
	prep_reader *r;
	prep_buf out;
	const char *p = put_file(name, input, len);

	prep_csv_options_init(&o);
	cr_assert_eq(prep_reader_new(&o, &p, 1, &r), PREP_OK);
	cr_assert_eq(prep_reader_delim(r), delim, "%s: delimiter %d", input,
		     prep_reader_delim(r));
	cr_assert_eq(prep_reader_delim_how(r), how, "%s", input);
	prep_reader_free(r);
	cr_assert_eq(read_all(&o, &p, 1, &out, NULL), PREP_END);
	cr_assert_str_eq(out.data, want);
	prep_buf_free(&out);
}

Test(csv, delimiter_sniffed_from_the_header)
{
	expect_sniff("a.csv", S("a;b\n1,5;2\n"), ';', PREP_DELIM_SNIFFED,
		     "H[a][b]\n[1,5][2]\n");
	expect_sniff("b.csv", S("a\tb\n1;5\t2\n"), '\t', PREP_DELIM_SNIFFED,
		     "H[a][b]\n[1;5][2]\n");
	expect_sniff("c.csv", S("a|b\n1|2\n"), '|', PREP_DELIM_SNIFFED,
		     "H[a][b]\n[1][2]\n");
	/* a comma anywhere outside quotes wins */
	expect_sniff("d.csv", S("a;b,c\n1;2,3\n"), ',', PREP_DELIM_SNIFFED,
		     "H[a;b][c]\n[1;2][3]\n");
	/* quoted text does not count: R's write.csv2 */
	expect_sniff("e.csv", S("\"last, first\";\"b\"\n\"x, y\";2\n"), ';',
		     PREP_DELIM_SNIFFED, "H[last, first][b]\n[x, y][2]\n");
	/* the most frequent of tab, ';' and '|'; ties in that order */
	expect_sniff("f.csv", S("a;b|c|d\n1;2|3|4\n"), '|', PREP_DELIM_SNIFFED,
		     "H[a;b][c][d]\n[1;2][3][4]\n");
	expect_sniff("g.csv", S("a;b|c\n1;2|3\n"), ';', PREP_DELIM_SNIFFED,
		     "H[a][b|c]\n[1][2|3]\n");
	/* none of them: one column, comma */
	expect_sniff("h.csv", S("a\n1\n"), ',', PREP_DELIM_SNIFFED,
		     "H[a]\n[1]\n");
	/* after a byte order mark, and on a CRLF line */
	expect_sniff("i.csv",
		     S("\xEF\xBB\xBF"
		       "a;b\r\n1;2\r\n"),
		     ';', PREP_DELIM_SNIFFED, "H[a][b]\n[1][2]\n");
	/* the name decides before the header: *.tsv */
	expect_sniff("j.tsv", S("a,b\tc\n1,2\t3\n"), '\t', PREP_DELIM_BY_NAME,
		     "H[a,b][c]\n[1,2][3]\n");
}

Test(csv, delimiter_sniffed_in_gzip_and_by_tsv_gz_name)
{
	char path[256];
	const char *p = path;
	prep_csv_options o;
	prep_reader *r;

	prep_csv_options_init(&o);
	snprintf(path, sizeof path, "%s/data.csv", dir);
	gzip_file(path, S("a;b\n1;2\n"));
	cr_assert_eq(prep_reader_new(&o, &p, 1, &r), PREP_OK);
	cr_assert_eq(prep_reader_delim(r), ';');
	cr_assert_eq(prep_reader_columns(r), 2);
	prep_reader_free(r);
	snprintf(path, sizeof path, "%s/data.tsv.gz", dir);
	gzip_file(path, S("a;b\tc\n1;2\t3\n"));
	cr_assert_eq(prep_reader_new(&o, &p, 1, &r), PREP_OK);
	cr_assert_eq(prep_reader_delim(r), '\t');
	cr_assert_eq(prep_reader_delim_how(r), PREP_DELIM_BY_NAME);
	cr_assert_eq(prep_reader_columns(r), 2);
	prep_reader_free(r);
}

/* A pipe that delivers the header a byte at a time is still sniffed on
 * its whole first line. */
Test(csv, delimiter_sniffed_across_short_reads)
{
	int fds[2];
	prep_csv_options o;
	prep_reader *r;
	const char *s = "a|b|c\n1|2|3\n";
	pid_t pid;

	cr_assert_eq(pipe(fds), 0);
	pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		close(fds[0]);
		for (; *s; s++) {
			if (write(fds[1], s, 1) != 1)
				_exit(1);
			usleep(2000);
		}
		_exit(0);
	}
	close(fds[1]);
	prep_csv_options_init(&o);
	cr_assert_eq(prep_reader_new_fd(&o, fds[0], "pipe", &r), PREP_OK);
	cr_assert_eq(prep_reader_delim(r), '|');
	cr_assert_eq(prep_reader_columns(r), 3);
	prep_reader_free(r);
	close(fds[0]);
	waitpid(pid, NULL, 0);
}

Test(csv, delimiter_given_is_kept)
{
	prep_csv_options o;
	prep_reader *r;
	const char *p = put_file("given.csv", S("a;b\n1;2\n"));

	prep_csv_options_init(&o);
	o.delim = ',';
	cr_assert_eq(prep_reader_new(&o, &p, 1, &r), PREP_OK);
	cr_assert_eq(prep_reader_delim(r), ',');
	cr_assert_eq(prep_reader_delim_how(r), PREP_DELIM_GIVEN);
	cr_assert_eq(prep_reader_columns(r), 1);
	prep_reader_free(r);
}

/*
 * The sha256 option on files past the digest's in-line start (digest.h):
 * hashed on its thread while the reader parses, and parsing writes into
 * the read buffer (a NUL after each field left in place), so the digest
 * must be of the bytes as read. Two plain files (most lines without
 * quotes, some with) and one gzip, against EVP_Digest of each file.
 */
Test(csv, sha256_of_large_files)
{
	const size_t rows = 120000;
	prep_buf text;
	char line[128], *paths[3];
	unsigned char d[32], want[32], *file;
	unsigned int wlen = 0;
	prep_csv_options o;
	prep_reader *r;
	const prep_field *f;
	size_t n, i, len, count = 0;
	gzFile g;

	prep_buf_init(&text, 0);
	prep_buf_append_str(&text, "id,name,note\n");
	for (i = 0; i < rows; i++) {
		int k =
		    i % 7 == 0
			? snprintf(
			      line, sizeof line,
			      "%zu,\"last, first %zu\",\"said \"\"hi\"\"\"\n",
			      i, i * 31)
			: snprintf(line, sizeof line, "%zu,name %zu,note %zu\n",
				   i, i * 17, i * 7919);

		cr_assert_eq(prep_buf_append(&text, line, (size_t)k), PREP_OK);
	}
	cr_assert_gt(text.len, (size_t)3 << 20);
	paths[0] = put_file("big1.csv", text.data, text.len);
	/* the second one differs in its last byte */
	text.data[text.len - 2] = '9';
	paths[1] = put_file("big2.csv", text.data, text.len);
	snprintf(line, sizeof line, "%s/big3.csv.gz", dir);
	g = gzopen(line, "wb1");
	cr_assert_not_null(g);
	cr_assert_eq(gzwrite(g, text.data, (unsigned)text.len), (int)text.len);
	cr_assert_eq(gzclose(g), Z_OK);
	paths[2] = line;
	prep_buf_free(&text);

	prep_csv_options_init(&o);
	o.sha256 = 1;
	cr_assert_eq(prep_reader_new(&o, (const char *const *)paths, 3, &r),
		     PREP_OK);
	while (prep_reader_next_row(r, &f, &n) == PREP_OK) {
		cr_assert_eq(n, 3);
		count++;
	}
	cr_assert_eq(count, 3 * rows);
	for (i = 0; i < 3; i++) {
		cr_assert_eq(prep_reader_sha256(r, i, d), PREP_OK);
		file = slurp(paths[i], &len);
		cr_assert_eq(
		    EVP_Digest(file, len, want, &wlen, EVP_sha256(), NULL), 1);
		cr_assert_arr_eq(d, want, 32, "file %zu", i);
		free(file);
	}
	prep_reader_free(r);
}

/* The sha256 option: each file's digest as sha256sum(1) gives it. */
Test(csv, sha256_of_each_file)
{
	char tmp[] = "/tmp/prep-csv-sha.XXXXXX", p1[64], p2[64], cmd[256];
	const char *paths[2] = {p1, p2};
	prep_csv_options o;
	prep_reader *r;
	const prep_field *f;
	unsigned char d[32];
	char hex[65], line[128];
	size_t n, i, k;
	FILE *fp;

	cr_assert_not_null(mkdtemp(tmp));
	snprintf(p1, sizeof p1, "%s/a.csv", tmp);
	snprintf(p2, sizeof p2, "%s/b.csv", tmp);
	fp = fopen(p1, "w");
	fputs("x,y\n1,2\n3,\"4\n5\"\n", fp);
	fclose(fp);
	fp = fopen(p2, "w");
	fputs("x,y\r\n6,7\r\n", fp);
	fclose(fp);
	prep_csv_options_init(&o);
	o.sha256 = 1;
	cr_assert_eq(prep_reader_new(&o, paths, 2, &r), PREP_OK);
	cr_assert_eq(prep_reader_sha256(r, 0, d), PREP_ERR_ARG); /* not yet */
	while (prep_reader_next_row(r, &f, &n) == PREP_OK)
		;
	for (i = 0; i < 2; i++) {
		cr_assert_eq(prep_reader_sha256(r, i, d), PREP_OK);
		for (k = 0; k < 32; k++)
			snprintf(hex + 2 * k, 3, "%02x", d[k]);
		snprintf(cmd, sizeof cmd, "sha256sum %s", paths[i]);
		fp = popen(cmd, "r");
		cr_assert_not_null(fgets(line, sizeof line, fp));
		pclose(fp);
		cr_assert(strncmp(line, hex, 64) == 0, "file %zu: %s", i, hex);
	}
	cr_assert_eq(prep_reader_sha256(r, 2, d), PREP_ERR_ARG);
	prep_reader_free(r);
	unlink(p1);
	unlink(p2);
	rmdir(tmp);
}

/*
 * The writer's record and column counts (the audit record's rows and
 * columns): records ended or added, the first record's fields, whether
 * it came as fields or as raw bytes cut anywhere (quotes holding the
 * delimiter and a newline); none for bytes that are no records.
 */
Test(csv, writer_counts_records_and_columns)
{
	static const char raw[] = "a,\"b,\nc\",d\n1,2,3\n";
	prep_writer_options wo = {',', 0, 0, 0, 0, 0};
	char path[256];
	prep_writer *w;
	size_t cut;
	int fd;

	snprintf(path, sizeof path, "%s/count.out", dir);
	for (cut = 0; cut <= sizeof raw - 1; cut++) {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		cr_assert(fd >= 0);
		cr_assert_eq(prep_writer_new(fd, &wo, &w), PREP_OK);
		cr_assert_eq(prep_writer_raw(w, raw, cut), PREP_OK);
		cr_assert_eq(
		    prep_writer_raw(w, raw + cut, sizeof raw - 1 - cut),
		    PREP_OK);
		cr_assert_eq(prep_writer_columns(w), 0, "no record yet");
		prep_writer_add(w, 2);
		cr_assert_eq(prep_writer_field(w, "x", 1), PREP_OK);
		cr_assert_eq(prep_writer_end_row(w), PREP_OK);
		cr_assert_eq(prep_writer_records(w), 3);
		cr_assert_eq(prep_writer_columns(w), 3, "cut at %zu", cut);
		prep_writer_free(w);
		close(fd);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert_eq(prep_writer_new(fd, &wo, &w), PREP_OK);
	cr_assert_eq(prep_writer_raw(w, "{\"a\": 1}\n", 9), PREP_OK);
	cr_assert_eq(prep_writer_records(w), 0);
	cr_assert_eq(prep_writer_columns(w), 0, "a report has no columns");
	prep_writer_free(w);
	fd = (close(fd), open(path, O_WRONLY | O_TRUNC));
	cr_assert_eq(prep_writer_new(fd, &wo, &w), PREP_OK);
	cr_assert_eq(prep_writer_field(w, "p", 1), PREP_OK);
	cr_assert_eq(prep_writer_field(w, "q", 1), PREP_OK);
	cr_assert_eq(prep_writer_end_row(w), PREP_OK);
	cr_assert_eq(prep_writer_raw(w, "1,2,3,4\n", 8), PREP_OK);
	prep_writer_add(w, 1);
	cr_assert_eq(prep_writer_records(w), 2);
	cr_assert_eq(prep_writer_columns(w), 2, "the first record's");
	prep_writer_free(w);
	close(fd);
}

/* nrows records of a writer with the sha256 option to /dev/null. */
static prep_writer *
hashed_rows(size_t nrows, int fd)
{
	prep_writer_options wo = {',', 0, 0, 0, 1, 0};
	prep_writer *w;
	char cell[64];
	size_t i;

	cr_assert_eq(prep_writer_new(fd, &wo, &w), PREP_OK);
	for (i = 0; i < nrows; i++) {
		int k = snprintf(cell, sizeof cell, "row %zu", i);

		cr_assert_eq(prep_writer_field(w, cell, (size_t)k), PREP_OK);
		cr_assert_eq(prep_writer_end_row(w), PREP_OK);
	}
	return w;
}

/*
 * A writer that adopts another's SHA-256 does not hash the bytes it then
 * writes in their place: written as zeros, the digest is still that of
 * the other writer's bytes, and of what follows them. Short and long
 * streams (in line and on the digest's thread).
 */
Test(csv, writer_adopts_sha256)
{
	const size_t counts[] = {3, 20000, 300000};
	size_t i;

	for (i = 0; i < sizeof counts / sizeof counts[0]; i++) {
		int null = open("/dev/null", O_WRONLY);
		prep_writer *from = hashed_rows(counts[i], null), *w;
		prep_writer *whole = hashed_rows(counts[i], null);
		uint64_t n = prep_writer_bytes(from), left;
		unsigned char got[32], want[32];
		static const char zeros[4096];

		cr_assert_eq(prep_writer_adopt_sha256(whole, from),
			     PREP_ERR_ARG, "from not finished");
		cr_assert_eq(prep_writer_finish(from), PREP_OK);
		w = hashed_rows(0, null);
		cr_assert_eq(prep_writer_adopt_sha256(w, from), PREP_OK);
		for (left = n; left > 0;) {
			size_t k =
			    left < sizeof zeros ? (size_t)left : sizeof zeros;

			cr_assert_eq(prep_writer_raw(w, zeros, k), PREP_OK);
			left -= k;
		}
		cr_assert_eq(prep_writer_field(w, "tail", 4), PREP_OK);
		cr_assert_eq(prep_writer_end_row(w), PREP_OK);
		cr_assert_eq(prep_writer_finish(w), PREP_OK);
		cr_assert_eq(prep_writer_sha256(w, got), PREP_OK);
		/* the reference: the same rows and the tail, hashed */
		cr_assert_eq(prep_writer_field(whole, "tail", 4), PREP_OK);
		cr_assert_eq(prep_writer_end_row(whole), PREP_OK);
		cr_assert_eq(prep_writer_finish(whole), PREP_OK);
		cr_assert_eq(prep_writer_sha256(whole, want), PREP_OK);
		cr_assert_arr_eq(got, want, 32, "rows %zu", counts[i]);
		prep_writer_free(w);
		prep_writer_free(whole);
		prep_writer_free(from);
		close(null);
	}
}

/* Adoption refused: the other writer without sha256, this one with
 * gzip or bytes already written; and no digest for fewer bytes written
 * than adopted. */
Test(csv, writer_adopt_sha256_refused)
{
	int null = open("/dev/null", O_WRONLY);
	prep_writer_options plain = {',', 0, 0, 0, 0, 0};
	prep_writer_options gz = {',', 0, 1, 0, 1, 0};
	prep_writer *from = hashed_rows(10, null), *bare, *w;
	unsigned char d[32];

	cr_assert_eq(prep_writer_finish(from), PREP_OK);
	cr_assert_eq(prep_writer_new(null, &plain, &bare), PREP_OK);
	cr_assert_eq(prep_writer_finish(bare), PREP_OK);
	w = hashed_rows(0, null);
	cr_assert_eq(prep_writer_adopt_sha256(w, bare), PREP_ERR_ARG);
	prep_writer_free(w);
	cr_assert_eq(prep_writer_new(null, &gz, &w), PREP_OK);
	cr_assert_eq(prep_writer_adopt_sha256(w, from), PREP_ERR_ARG);
	prep_writer_free(w);
	w = hashed_rows(1, null);
	cr_assert_eq(prep_writer_adopt_sha256(w, from), PREP_ERR_ARG);
	prep_writer_free(w);
	w = hashed_rows(0, null);
	cr_assert_eq(prep_writer_adopt_sha256(w, from), PREP_OK);
	cr_assert_eq(prep_writer_raw(w, "x", 1), PREP_OK);
	cr_assert_eq(prep_writer_finish(w), PREP_OK);
	cr_assert_eq(prep_writer_sha256(w, d), PREP_ERR_ARG);
	prep_writer_free(w);
	prep_writer_free(bare);
	prep_writer_free(from);
	close(null);
}

/* ---- parts (part_i, prep_reader_part_by) and skip_header ---- */

/*
 * Every data record of path with its line, "LINE:[f1][f2]\n", into out;
 * part i of n (i 0: the whole file). Returns the final status.
 */
static prep_status
read_lines(const char *path, int has_header, unsigned long i, unsigned long n,
	   prep_buf *out, unsigned char digest[32])
{
	prep_csv_options o;
	prep_reader *r;
	const prep_field *f;
	size_t nf, k;
	prep_status st;
	char num[32];

	prep_csv_options_init(&o);
	o.has_header = has_header;
	o.part_i = i;
	o.part_n = n;
	o.sha256 = digest != NULL;
	st = prep_reader_new(&o, &path, 1, &r);
	while (st == PREP_OK &&
	       (st = prep_reader_next_row(r, &f, &nf)) == PREP_OK) {
		snprintf(num, sizeof num, "%lu:", prep_reader_where(r).line);
		prep_buf_append_str(out, num);
		for (k = 0; k < nf; k++) {
			prep_buf_append_str(out, "[");
			prep_buf_append(out, f[k].data, f[k].len);
			prep_buf_append_str(out, "]");
		}
		prep_buf_append_str(out, "\n");
	}
	if (st == PREP_END && digest)
		cr_assert_eq(prep_reader_sha256(r, 0, digest), PREP_OK);
	if (st != PREP_END && r) {
		snprintf(num, sizeof num, "E%lu\n", prep_reader_where(r).line);
		prep_buf_append_str(out, num);
	}
	prep_reader_free(r);
	return st;
}

/* Parts 1..n of data put end to end read as the whole, records, lines,
 * and the error at the end, if any, for every n up to 9. */
static void
expect_parts(const char *data, size_t len, int has_header)
{
	const char *path = put_file("parts.csv", data, len);
	prep_buf whole, parts;
	prep_status sw, sp = PREP_END;
	unsigned long n, i;

	prep_buf_init(&whole, 0);
	prep_buf_append(&whole, "", 0);
	sw = read_lines(path, has_header, 0, 0, &whole, NULL);
	for (n = 1; n <= 9; n++) {
		prep_buf_init(&parts, 0);
		prep_buf_append(&parts, "", 0);
		for (i = 1; i <= n && sp == PREP_END; i++)
			sp = read_lines(path, has_header, i, n, &parts, NULL);
		cr_assert_eq(sp, sw, "n %lu: %s, not %s", n, prep_strerror(sp),
			     prep_strerror(sw));
		cr_assert_str_eq(parts.data, whole.data, "n %lu", n);
		prep_buf_free(&parts);
		sp = PREP_END;
	}
	prep_buf_free(&whole);
}

Test(csv, parts_quoted_newlines)
{
	static const char csv[] =
	    "id,\"note\nof\",x\n1,\"a\nb\",c\n2,\"\"\"q\"\"\n,\",d\n\n3,e,f\n"
	    "4,\"\n\n\n\",g\n5,h,i";
	static const char crlf[] = "\xEF\xBB\xBFid,v\r\n1,\"a\r\nb\"\r\n2,x\r\n"
				   "3,\"\"\"\"\r\n4,y\r\n";

	expect_parts(csv, sizeof csv - 1, 1);
	expect_parts(csv, sizeof csv - 1, 0);
	expect_parts(crlf, sizeof crlf - 1, 1);
	expect_parts(crlf, sizeof crlf - 1, 0);
	expect_parts("h\n", 2, 1);
	expect_parts("h\n", 2, 0);
	expect_parts("h", 1, 0);
	expect_parts("\"h\r\n\"\r\n1\r\n", 9, 1); /* a CR ends the header */
}

/* Errors in a part: the same as the whole run's, at the file's line. */
Test(csv, parts_errors_in_place)
{
	static const char ragged[] = "a,b\n1,2\n\"3\n\",4\n5\n6,7\n";
	static const char stray[] = "a,b\n1,2\n3,4\n5,x\"y\n6,7\n";

	expect_parts(ragged, sizeof ragged - 1, 1);
	expect_parts(stray, sizeof stray - 1, 1);
	expect_parts(ragged, sizeof ragged - 1, 0);
}

/* Several buffers of random records with quoted line feeds. */
Test(csv, parts_large)
{
	prep_buf b;
	unsigned x = 12345;
	size_t i;

	prep_buf_init(&b, 0);
	prep_buf_append_str(&b, "k,v,w\n");
	for (i = 0; i < 30000; i++) {
		char rec[96];
		int k;

		x = x * 1103515245 + 12345;
		if (x >> 28 == 0)
			k = snprintf(rec, sizeof rec, "%zu,\"l\n%u\n\"\"\",z\n",
				     i, x);
		else
			k = snprintf(rec, sizeof rec, "%zu,%u,\"%u,\"\n", i, x,
				     x >> 7);
		prep_buf_append(&b, rec, (size_t)k);
	}
	expect_parts(b.data, b.len, 1);
	prep_buf_free(&b);
}

/* The SHA-256 of a part: the header's bytes, then the part's. */
Test(csv, parts_sha256)
{
	static const char csv[] = "h1,h2\r\n1,\"x\ny\"\r\n2,z\r\n3,w\r\n4,v\n";
	size_t len = sizeof csv - 1, head = 7;
	const char *path = put_file("sha.csv", csv, len);
	unsigned char got[32], want[32];
	unsigned int wlen;
	prep_buf out, bytes;
	unsigned long i;

	prep_buf_init(&out, 0);
	cr_assert_eq(read_lines(path, 1, 1, 1, &out, got), PREP_END);
	cr_assert_eq(EVP_Digest(csv, len, want, &wlen, EVP_sha256(), NULL), 1);
	cr_assert_arr_eq(got, want, 32, "part 1/1: the whole file's");
	for (i = 1; i <= 4; i++) {
		prep_part p;

		cr_assert_eq(prep_part_find(csv, len, i, 4, &p), PREP_OK);
		if (p.start < head)
			p.start = head;
		if (p.end < p.start)
			p.end = p.start;
		prep_buf_init(&bytes, 0);
		prep_buf_append(&bytes, csv, head);
		prep_buf_append(&bytes, csv + p.start, p.end - p.start);
		cr_assert_eq(read_lines(path, 1, i, 4, &out, got), PREP_END);
		cr_assert_eq(EVP_Digest(bytes.data, bytes.len, want, &wlen,
					EVP_sha256(), NULL),
			     1);
		cr_assert_arr_eq(got, want, 32, "part %lu/4", i);
		prep_buf_free(&bytes);
	}
	prep_buf_free(&out);
}

Test(csv, parts_refused)
{
	prep_writer_options gzo = {',', 0, 1, 0, 0, 0};
	const char *two[2];
	prep_csv_options o;
	prep_reader *r;
	prep_writer *w;
	char gz[256];
	int fd;

	prep_csv_options_init(&o);
	o.part_i = 1;
	o.part_n = 2;
	two[0] = put_file("a.csv", "a\n1\n", 4);
	two[1] = put_file("b.csv", "a\n2\n", 4);
	cr_assert_eq(prep_reader_new(&o, two, 2, &r), PREP_ERR_ARG);
	prep_reader_free(r);
	cr_assert_eq(prep_reader_new(&o, NULL, 0, &r), PREP_ERR_ARG);
	prep_reader_free(r);
	two[1] = "-";
	cr_assert_eq(prep_reader_new(&o, two + 1, 1, &r), PREP_ERR_ARG);
	prep_reader_free(r);
	snprintf(gz, sizeof gz, "%s/c.csv.gz", dir);
	fd = open(gz, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(fd >= 0);
	cr_assert_eq(prep_writer_new(fd, &gzo, &w), PREP_OK);
	cr_assert_eq(prep_writer_raw(w, "a\n1\n2\n", 6), PREP_OK);
	cr_assert_eq(prep_writer_finish(w), PREP_OK);
	prep_writer_free(w);
	close(fd);
	two[1] = gz;
	cr_assert_eq(prep_reader_new(&o, two + 1, 1, &r), PREP_ERR_ARG);
	prep_reader_free(r);
	o.lazy_quotes = 1;
	cr_assert_eq(prep_reader_new(&o, two, 1, &r), PREP_ERR_ARG);
	prep_reader_free(r);
	o.lazy_quotes = 0;
	o.part_i = 3;
	cr_assert_eq(prep_reader_new(&o, two, 1, &r), PREP_ERR_ARG);
	prep_reader_free(r);
	o.part_i = 2;
	cr_assert_eq(prep_reader_new(&o, two, 1, &r), PREP_OK);
	prep_reader_free(r);
}

/* prep_reader_part_by: each record in the part of its value, all read. */
Test(csv, part_by)
{
	static const char csv[] = "id,v\n1,alice\n2,bob\n3,alice\n4,\ncarol\n";
	const char *path = put_file("by.csv", csv, sizeof csv - 1);
	/* the last record is too short: its value is the empty one */
	const char *ids[] = {"alice", "bob", "alice", "", ""};
	unsigned long i;
	int seen[5] = {0};

	for (i = 1; i <= 3; i++) {
		prep_csv_options o;
		prep_reader *r;
		const prep_field *f;
		size_t nf, row;

		prep_csv_options_init(&o);
		o.ragged = 1;
		cr_assert_eq(prep_reader_new(&o, &path, 1, &r), PREP_OK);
		cr_assert_eq(prep_reader_part_by(r, 0, 0, 3), PREP_ERR_ARG);
		cr_assert_eq(prep_reader_part_by(r, 0, 4, 3), PREP_ERR_ARG);
		cr_assert_eq(prep_reader_part_by(r, 0, i, 3), PREP_OK);
		cr_assert_eq(prep_reader_part_by(r, 1, i, 3), PREP_OK);
		while (prep_reader_next_row(r, &f, &nf) == PREP_OK) {
			row = prep_reader_where(r).line - 2;
			cr_assert_lt(row, 5);
			cr_assert_str_eq(nf > 1 ? f[1].data : "", ids[row]);
			cr_assert_eq(
			    prep_part_of(ids[row], strlen(ids[row]), 3), i - 1);
			seen[row]++;
		}
		cr_assert_eq(prep_reader_rows(r), 5);
		prep_reader_free(r);
	}
	for (i = 0; i < 5; i++)
		cr_assert_eq(seen[i], 1);
}

/* skip_header drops the first record, as fields or as raw bytes. */
Test(csv, writer_skip_header)
{
	prep_writer_options wo = {',', 0, 0, 0, 1, 0};
	prep_field head[] = {F("\xEF\xBB\xBFh1"), F("h\n2")};
	prep_field row[] = {F("\xEF\xBB\xBFx"), F("y")};
	static const char raw[] = "\"a,\"\"\n\",b\n\xEF\xBB\xBFx,y\n";
	char path[256];
	unsigned char *file;
	size_t len, cut;
	prep_writer *w;
	int fd;

	snprintf(path, sizeof path, "%s/skip.out", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(fd >= 0);
	cr_assert_eq(prep_writer_new(fd, &wo, &w), PREP_OK);
	cr_assert_eq(prep_writer_skip_header(w), PREP_OK);
	cr_assert_eq(prep_writer_row(w, head, 2), PREP_OK);
	cr_assert_eq(prep_writer_skip_header(w), PREP_ERR_ARG);
	cr_assert_eq(prep_writer_skipped(w), 1);
	cr_assert_eq(prep_writer_columns(w), 2);
	cr_assert_eq(prep_writer_records(w), 0);
	cr_assert_eq(prep_writer_row(w, row, 2), PREP_OK);
	cr_assert_eq(prep_writer_finish(w), PREP_OK);
	cr_assert_eq(prep_writer_records(w), 1);
	prep_writer_free(w);
	close(fd);
	file = slurp(path, &len);
	/* not quoted: in the whole output, it is no first field */
	cr_assert_eq(len, 7);
	cr_assert_eq(memcmp(file, "\xEF\xBB\xBFx,y\n", 7), 0);
	free(file);

	/* raw, cut anywhere: the quoted header's line feed ends nothing */
	for (cut = 0; cut <= sizeof raw - 1; cut++) {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		cr_assert(fd >= 0);
		cr_assert_eq(prep_writer_new(fd, &wo, &w), PREP_OK);
		cr_assert_eq(prep_writer_skip_header(w), PREP_OK);
		cr_assert_eq(prep_writer_raw(w, raw, cut), PREP_OK);
		cr_assert_eq(
		    prep_writer_raw(w, raw + cut, sizeof raw - 1 - cut),
		    PREP_OK);
		prep_writer_add(w, 2);
		cr_assert_eq(prep_writer_finish(w), PREP_OK);
		cr_assert_eq(prep_writer_records(w), 1);
		cr_assert_eq(prep_writer_columns(w), 2);
		cr_assert_eq(prep_writer_skipped(w), 1);
		prep_writer_free(w);
		close(fd);
		file = slurp(path, &len);
		cr_assert_eq(len, 7, "cut %zu", cut);
		cr_assert_eq(memcmp(file, "\xEF\xBB\xBFx,y\n", 7), 0);
		free(file);
	}
}

Test(csv, writer_skip_header_no_adopt)
{
	int null = open("/dev/null", O_WRONLY);
	prep_writer_options wo = {',', 0, 0, 0, 1, 0};
	prep_writer *from = hashed_rows(3, null), *w;

	cr_assert_eq(prep_writer_finish(from), PREP_OK);
	cr_assert_eq(prep_writer_new(null, &wo, &w), PREP_OK);
	cr_assert_eq(prep_writer_skip_header(w), PREP_OK);
	cr_assert_eq(prep_writer_adopt_sha256(w, from), PREP_ERR_ARG);
	prep_writer_free(w);
	prep_writer_free(from);
	close(null);
}

/*
 * A writer to a file gets every byte of puts of any size, in order: small
 * ones through its buffer, larger ones (a piece's output, par.h) written
 * with what the buffer held, and in whole buffers, straight from the
 * caller's bytes; so do appended memory writers. Sizes from 1 byte to
 * 600 KiB, the writer's buffer being 256 KiB.
 */
Test(csv, writer_puts_of_any_size_reach_the_file)
{
	static const size_t sizes[] = {1,
				       100,
				       (size_t)256 << 10,
				       3,
				       (size_t)300 << 10,
				       (size_t)256 << 10,
				       77777,
				       (size_t)600 << 10,
				       5};
	prep_writer_options wo;
	prep_writer *w, *m;
	prep_buf want, got;
	uint64_t seed = 11;
	char *chunk = malloc((size_t)600 << 10);
	size_t i, k;
	int fd = mem_file("", 0, 0), round;

	cr_assert_not_null(chunk);
	memset(&wo, 0, sizeof wo);
	wo.delim = ',';
	wo.bytes = 1; /* bytes as they come, no records */
	prep_buf_init(&want, 0);
	cr_assert_eq(prep_writer_new(fd, &wo, &w), PREP_OK);
	cr_assert_eq(prep_writer_new_memory(w, &m), PREP_OK);
	for (round = 0; round < 2; round++)
		for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
			for (k = 0; k < sizes[i]; k++)
				chunk[k] = (char)('a' + lcg(&seed) % 26);
			cr_assert_eq(prep_buf_append(&want, chunk, sizes[i]),
				     PREP_OK);
			if (round == 0) {
				cr_assert_eq(
				    prep_writer_raw(w, chunk, sizes[i]),
				    PREP_OK);
				continue;
			}
			prep_writer_reset(m);
			cr_assert_eq(prep_writer_raw(m, chunk, sizes[i]),
				     PREP_OK);
			cr_assert_eq(prep_writer_finish(m), PREP_OK);
			cr_assert_eq(prep_writer_append(w, m), PREP_OK);
		}
	cr_assert_eq(prep_writer_finish(w), PREP_OK);
	cr_assert_eq(prep_writer_bytes(w), want.len);
	slurp_fd(fd, &got);
	cr_assert_eq(got.len, want.len);
	cr_assert_arr_eq(got.data, want.data, want.len);
	prep_writer_free(m);
	prep_writer_free(w);
	prep_buf_free(&want);
	prep_buf_free(&got);
	free(chunk);
	close(fd);
}
