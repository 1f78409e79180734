/*
 * Unit tests of libprep/csv.c: every rule of SPEC §2 "CSV dialect", each
 * error with its line and field, gzip in and out, several inputs.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "buf.h"
#include "csv.h"

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
	expect(S("a\tb\n\t\n"), 1, "H[a\tb]\n[\t]\n");
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
	prep_writer_options wo = {',', 0, 0, 0};
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
	prep_writer_options wo = {'\t', 1, 0, 0};
	prep_field f[] = {F("a,b"), F("c\td"), F("e;f")};
	size_t len;
	char *s = write_rows(&wo, f, 3, 1, &len);

	cr_assert_str_eq(s, "a,b\t\"c\td\"\te;f\r\n");
	free(s);
}

Test(csv, writer_single_empty_field)
{
	prep_writer_options wo = {',', 0, 0, 0};
	prep_field f[] = {F("x"), F("")};
	size_t len;
	char *s = write_rows(&wo, f, 1, 2, &len);

	cr_assert_str_eq(s, "x\n\"\"\n");
	free(s);
}

Test(csv, writer_gzip_round_trip)
{
	prep_writer_options wo = {',', 0, 1, 9};
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
	prep_writer_options wo = {',', 0, 0, 0};
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
 * The reader's fast path (quote-free lines split with memchr) must give
 * exactly what libcsv alone gives. Random inputs over a small alphabet
 * rich in delimiters, quotes, CR and LF are parsed both ways: by the
 * reader (no header), and by one csv_parse call over the whole input
 * with the same options; the records, or the fact of an error, agree.
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

Test(csv, fast_path_agrees_with_libcsv)
{
	static const char alphabet[] = "ab,,\"\"\r\n\n  x";
	char input[200];
	uint64_t seed = 42;
	int iter, agreed_ok = 0, agreed_err = 0;

	for (iter = 0; iter < 20000; iter++) {
		size_t len, i;
		struct csv_parser p;
		struct ref ref;
		prep_buf got;
		prep_csv_options o;
		const char *path;
		int ref_ok;
		prep_status st;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		len = (size_t)(seed >> 33) % 40;
		for (i = 0; i < len; i++) {
			seed = seed * 6364136223846793005ULL +
			       1442695040888963407ULL;
			input[i] =
			    alphabet[(seed >> 33) % (sizeof alphabet - 1)];
		}
		input[len] = '\0';
		prep_buf_init(&ref.out, 0);
		prep_buf_append(&ref.out, "", 0);
		ref.nfields = 0;
		cr_assert_eq(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI), 0);
		csv_set_space_func(&p, ref_no_space);
		ref_ok = csv_parse(&p, input, len, ref_field, ref_row, &ref) ==
			     len &&
			 csv_fini(&p, ref_field, ref_row, &ref) == 0;
		csv_free(&p);

		path = put_file("fuzz.csv", input, len);
		prep_csv_options_init(&o);
		o.has_header = 0;
		st = read_all(&o, &path, 1, &got, NULL);
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
	/* both kinds of input were seen often */
	cr_assert_gt(agreed_ok, 2000);
	cr_assert_gt(agreed_err, 2000);
}

/* prep_writer_bytes counts what the writer wrote, quoting and all. */
Test(csv, writer_bytes)
{
	prep_writer_options wo = {';', 1, 0, 0};
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
