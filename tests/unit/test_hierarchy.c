/*
 * test_hierarchy.c: unit tests of libprep/hierarchy.c.
 *
 * The real ARX hierarchies of the Adult data set are read from testdata/
 * (the tests run from the repository's root); the expected generalizations
 * were read off those files by hand. Small files for the edge and error
 * cases are written into a fresh mkdtemp directory per test.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "hierarchy.h"

#define AGE "testdata/adult_hierarchy_age.csv"
#define EDUCATION "testdata/adult_hierarchy_education.csv"
#define MAX_FILES 16

static char dir[256];
static char files[MAX_FILES][512];
static int nfiles;

static void
setup(void)
{
	const char *tmp = getenv("TMPDIR");

	if (tmp == NULL || *tmp == '\0' || strlen(tmp) > 200)
		tmp = "/tmp";
	snprintf(dir, sizeof(dir), "%s/test_hierarchy.XXXXXX", tmp);
	cr_assert_not_null(mkdtemp(dir));
	nfiles = 0;
}

static void
teardown(void)
{
	int i;

	for (i = 0; i < nfiles; i++)
		unlink(files[i]);
	rmdir(dir);
}

TestSuite(hierarchy, .init = setup, .fini = teardown);

/* Write len bytes into dir/name; the path stays valid for the test. */
static const char *
write_file(const char *name, const char *data, size_t len)
{
	char *path;
	FILE *f;

	cr_assert_lt(nfiles, MAX_FILES);
	path = files[nfiles++];
	snprintf(path, sizeof(files[0]), "%s/%s", dir, name);
	f = fopen(path, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
	return path;
}

#define WRITE(name, lit) write_file((name), (lit), sizeof(lit) - 1)

static prep_hierarchy *
load(const char *path, size_t level)
{
	prep_hierarchy *h = NULL;
	prep_where w = {NULL, 99, 99};
	prep_status st;

	st = prep_hierarchy_load(path, level, &h, &w);
	cr_assert_eq(st, PREP_OK, "load %s level %zu: %s (line %lu)", path,
		     level, prep_strerror(st), w.line);
	cr_assert_not_null(h);
	return h;
}

/* in generalizes to want. */
static void
maps(const prep_hierarchy *h, const char *in, const char *want)
{
	const char *res = NULL;
	size_t len = 0;
	prep_status st;

	st = prep_hierarchy_lookup(h, in, strlen(in), &res, &len);
	cr_assert_eq(st, PREP_OK, "lookup \"%s\": %s", in, prep_strerror(st));
	cr_assert_eq(len, strlen(want), "\"%s\" -> \"%.*s\", want \"%s\"", in,
		     (int)len, res, want);
	cr_assert(memcmp(res, want, len) == 0,
		  "\"%s\" -> \"%.*s\", want \"%s\"", in, (int)len, res, want);
	cr_assert_eq(res[len], '\0', "result not NUL-terminated");
}

static void
missing(const prep_hierarchy *h, const char *in, size_t len)
{
	const char *res = "untouched";
	size_t rlen = 12345;

	cr_assert_eq(prep_hierarchy_lookup(h, in, len, &res, &rlen),
		     PREP_ERR_NOT_FOUND, "\"%.*s\" found", (int)len, in);
	cr_assert_str_eq(res, "untouched");
	cr_assert_eq(rlen, 12345);
}

/* Loading fails with want at line/field, and *out stays NULL. */
static void
load_fails(const char *path, size_t level, prep_status want, unsigned long line,
	   size_t field, const char *why_want)
{
	prep_hierarchy *h = (prep_hierarchy *)&h;
	prep_where w = {NULL, 99, 99};
	const char *why = "unset";
	prep_status st;

	st = prep_hierarchy_load_why(path, level, &h, &w, &why);
	cr_assert_eq(st, want, "load %s: %s, want %s", path, prep_strerror(st),
		     prep_strerror(want));
	cr_assert_null(h);
	cr_assert_eq(w.file, path, "where.file is not the path");
	cr_assert_eq(w.line, line, "line %lu, want %lu", w.line, line);
	cr_assert_eq(w.field, field, "field %zu, want %zu", w.field, field);
	if (why_want)
		cr_assert_str_eq(why, why_want);
	else
		cr_assert_null(why);
}

Test(hierarchy, adult_age_levels)
{
	prep_hierarchy *h1 = load(AGE, 1), *h2 = load(AGE, 2);
	prep_hierarchy *h3 = load(AGE, 3), *h4 = load(AGE, 4);

	cr_assert_eq(prep_hierarchy_levels(h1), 4);
	cr_assert_eq(prep_hierarchy_size(h1), 100);
	cr_assert_eq(prep_hierarchy_delim(h1), ';');
	maps(h1, "39", "35-39");
	maps(h2, "39", "30-39");
	maps(h3, "39", "20-39");
	maps(h4, "39", "*");
	maps(h1, "35", "30-34");
	maps(h1, "40", "35-39");
	maps(h2, "40", "30-39");
	maps(h1, "1", "0-4");
	maps(h2, "1", "0-9");
	maps(h3, "17", "0-19");
	maps(h1, "100", "95-99");
	maps(h3, "100", "80-99");
	maps(h4, "100", "*");
	missing(h1, "0", 1);
	missing(h1, "101", 3);
	missing(h1, "039", 3);
	missing(h1, "39 ", 3);
	missing(h1, "", 0);
	missing(h4, "abc", 3);
	/* Only len bytes are the value. */
	maps(h1, "39", "35-39");
	{
		const char *res;
		size_t len;

		cr_assert_eq(prep_hierarchy_lookup(h2, "39x", 2, &res, &len),
			     PREP_OK);
		cr_assert_str_eq(res, "30-39");
	}
	prep_hierarchy_free(h1);
	prep_hierarchy_free(h2);
	prep_hierarchy_free(h3);
	prep_hierarchy_free(h4);
}

Test(hierarchy, adult_level_zero_and_text_values)
{
	prep_hierarchy *h0 = load(AGE, 0), *e2 = load(EDUCATION, 2);
	prep_hierarchy *e1 = load(EDUCATION, 1);

	maps(h0, "39", "39");
	maps(h0, "100", "100");
	missing(h0, "101", 3);
	cr_assert_eq(prep_hierarchy_levels(e2), 3);
	cr_assert_eq(prep_hierarchy_size(e2), 16);
	maps(e1, "Bachelors", "Undergraduate");
	maps(e2, "Bachelors", "Higher education");
	maps(e1, "Prof-school", "Professional Education");
	maps(e2, "7th-8th", "Secondary education");
	maps(e2, "Preschool", "Primary education");
	missing(e2, "bachelors", 9); /* byte for byte: case matters */
	prep_hierarchy_free(h0);
	prep_hierarchy_free(e1);
	prep_hierarchy_free(e2);
}

Test(hierarchy, adult_no_such_level)
{
	load_fails(AGE, 5, PREP_ERR_ARG, 1, 0, "hierarchy has no such level");
	load_fails(AGE, 1000, PREP_ERR_ARG, 1, 0,
		   "hierarchy has no such level");
}

Test(hierarchy, other_delimiters)
{
	const char *comma = WRITE("comma.csv", "a,A1,*\nb,B1,*\n");
	const char *tab = WRITE("tab.tsv", "a\tA 1\t*\nb\tB 1\t*\n");
	const char *pipe = WRITE("pipe.txt", "a|A1\nb|B1\n");
	prep_hierarchy *h;

	h = load(comma, 1);
	cr_assert_eq(prep_hierarchy_delim(h), ',');
	cr_assert_eq(prep_hierarchy_levels(h), 2);
	maps(h, "a", "A1");
	maps(h, "b", "B1");
	prep_hierarchy_free(h);
	h = load(comma, 2);
	maps(h, "b", "*");
	prep_hierarchy_free(h);
	h = load(tab, 1);
	cr_assert_eq(prep_hierarchy_delim(h), '\t');
	maps(h, "b", "B 1");
	prep_hierarchy_free(h);
	h = load(pipe, 1);
	cr_assert_eq(prep_hierarchy_delim(h), '|');
	maps(h, "a", "A1");
	prep_hierarchy_free(h);
}

Test(hierarchy, delimiter_detection_rules)
{
	/* ',' twice beats ';' once. */
	const char *most = WRITE("most.csv", "1;5,x,y\n2;6,z,w\n");
	/* A tie goes to ';' (the order ; , TAB |). */
	const char *tie = WRITE("tie.csv", "a;b,c\nd;e,f\n");
	/* Delimiters inside quotes do not count. */
	const char *quoted = WRITE("q.csv", "\"x,y,z\";G\n\"a;b\";AB\n");
	/* Leading blank lines are skipped. */
	const char *blank = WRITE("blank.csv", "\n\r\na|A\nb|B\n");
	prep_hierarchy *h;

	h = load(most, 1);
	cr_assert_eq(prep_hierarchy_delim(h), ',');
	maps(h, "1;5", "x");
	prep_hierarchy_free(h);
	h = load(tie, 1);
	cr_assert_eq(prep_hierarchy_delim(h), ';');
	maps(h, "a", "b,c");
	prep_hierarchy_free(h);
	h = load(quoted, 1);
	cr_assert_eq(prep_hierarchy_delim(h), ';');
	maps(h, "x,y,z", "G");
	maps(h, "a;b", "AB");
	prep_hierarchy_free(h);
	h = load(blank, 1);
	cr_assert_eq(prep_hierarchy_delim(h), '|');
	maps(h, "a", "A");
	maps(h, "b", "B");
	prep_hierarchy_free(h);
}

Test(hierarchy, one_column)
{
	const char *one = WRITE("one.csv", "a\nb\n");
	prep_hierarchy *h = load(one, 0);

	cr_assert_eq(prep_hierarchy_levels(h), 0);
	maps(h, "a", "a");
	missing(h, "c", 1);
	prep_hierarchy_free(h);
	load_fails(one, 1, PREP_ERR_ARG, 1, 0, "hierarchy has no such level");
}

Test(hierarchy, crlf_bom_and_no_final_newline)
{
	const char *crlf = WRITE("crlf.csv", "x;X;*\r\ny;Y;*\r\n");
	const char *bom = WRITE("bom.csv", "\xef\xbb\xbf"
					   "a;1\nb;2");
	prep_hierarchy *h;

	h = load(crlf, 1);
	maps(h, "x", "X");
	maps(h, "y", "Y");
	prep_hierarchy_free(h);
	h = load(crlf, 2);
	maps(h, "y", "*");
	prep_hierarchy_free(h);
	h = load(bom, 1);
	maps(h, "a", "1");
	maps(h, "b", "2");
	missing(h,
		"\xef\xbb\xbf"
		"a",
		4);
	prep_hierarchy_free(h);
}

Test(hierarchy, empty_value_and_utf8)
{
	const char *withempty = WRITE("e.csv", ";(none)\nx;X\n");
	const char *utf8 =
	    WRITE("u.csv", "Z\xc3\xbcrich;CH\nM\xc3\xbcnchen;DE\n");
	prep_hierarchy *h;

	h = load(withempty, 1);
	maps(h, "", "(none)");
	maps(h, "x", "X");
	prep_hierarchy_free(h);
	h = load(utf8, 1);
	maps(h, "Z\xc3\xbcrich", "CH");
	maps(h, "M\xc3\xbcnchen", "DE");
	prep_hierarchy_free(h);
}

Test(hierarchy, gzip)
{
	char path[512];
	gzFile g;
	prep_hierarchy *h;
	static const char data[] = "a;A\nb;B\n";

	snprintf(path, sizeof(path), "%s/h.csv.gz", dir);
	strcpy(files[nfiles++], path);
	g = gzopen(path, "wb");
	cr_assert_not_null(g);
	cr_assert_eq(gzwrite(g, data, sizeof(data) - 1), sizeof(data) - 1);
	cr_assert_eq(gzclose(g), Z_OK);
	h = load(path, 1);
	cr_assert_eq(prep_hierarchy_delim(h), ';');
	maps(h, "b", "B");
	prep_hierarchy_free(h);
}

Test(hierarchy, many_rows)
{
	char path[512], v[32], g[32];
	prep_hierarchy *h;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/big.csv", dir);
	strcpy(files[nfiles++], path);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	for (i = 0; i < 50000; i++)
		fprintf(f, "v%d;g%d;*\n", i, i / 7);
	cr_assert_eq(fclose(f), 0);
	h = load(path, 1);
	cr_assert_eq(prep_hierarchy_size(h), 50000);
	for (i = 0; i < 50000; i++) {
		snprintf(v, sizeof(v), "v%d", i);
		snprintf(g, sizeof(g), "g%d", i / 7);
		maps(h, v, g);
	}
	missing(h, "v50000", 6);
	missing(h, "g1", 2);
	prep_hierarchy_free(h);
}

Test(hierarchy, missing_level)
{
	const char *p = WRITE("short.csv", "a;1\nb;2\n");
	const char *later = WRITE("later.csv", "\n\na;1\nb;2\n");

	load_fails(p, 2, PREP_ERR_ARG, 1, 0, "hierarchy has no such level");
	load_fails(later, 2, PREP_ERR_ARG, 3, 0, "hierarchy has no such level");
}

Test(hierarchy, empty_cell_at_level)
{
	const char *p = WRITE("hole.csv", "a;1;*\nb;;*\nc;3;*\n");
	prep_hierarchy *h;

	load_fails(p, 1, PREP_ERR_ARG, 2, 2,
		   "empty generalization at that level");
	h = load(p, 2);
	maps(h, "b", "*");
	prep_hierarchy_free(h);
}

Test(hierarchy, duplicate_value)
{
	const char *p = WRITE("dup.csv", "a;1\nb;2\na;3\n");
	const char *same = WRITE("same.csv", "a;1\r\nb;2\r\n\r\nb;2\r\n");

	load_fails(p, 1, PREP_ERR_ARG, 3, 1, "value listed twice in hierarchy");
	load_fails(p, 0, PREP_ERR_ARG, 3, 1, "value listed twice in hierarchy");
	/* Even with the same generalization; the line counts the blank one. */
	load_fails(same, 1, PREP_ERR_ARG, 4, 1,
		   "value listed twice in hierarchy");
}

Test(hierarchy, empty_files)
{
	const char *empty = WRITE("empty.csv", "");
	const char *bom = WRITE("bomonly.csv", "\xef\xbb\xbf");
	const char *blank = WRITE("blank.csv", "\n\r\n\n");

	load_fails(empty, 0, PREP_ERR_ARG, 0, 0, "hierarchy file has no rows");
	load_fails(bom, 0, PREP_ERR_ARG, 0, 0, "hierarchy file has no rows");
	load_fails(blank, 1, PREP_ERR_ARG, 0, 0, "hierarchy file has no rows");
}

Test(hierarchy, malformed_csv)
{
	const char *ragged = WRITE("ragged.csv", "a;1;2\nb;1\n");
	const char *unclosed = WRITE("unclosed.csv", "a;1\n\"b;2\n");
	const char *stray = WRITE("stray.csv", "a;1\nb\"x;2\n");

	load_fails(ragged, 1, PREP_ERR_RAGGED, 2, 0, NULL);
	load_fails(unclosed, 1, PREP_ERR_UNCLOSED_QUOTE, 2, 1, NULL);
	load_fails(stray, 1, PREP_ERR_QUOTE, 2, 1, NULL);
}

Test(hierarchy, unreadable)
{
	char path[512];

	prep_hierarchy *h = NULL;
	prep_status st;
	int e;

	snprintf(path, sizeof(path), "%s/does-not-exist.csv", dir);
	errno = 0;
	st = prep_hierarchy_load(path, 1, &h, NULL);
	e = errno;
	cr_assert_eq(st, PREP_ERR_IO);
	cr_assert_eq(e, ENOENT);
	load_fails(path, 1, PREP_ERR_IO, 0, 0, NULL);
	load_fails(dir, 1, PREP_ERR_IO, 0, 0, NULL);
	load_fails("-", 1, PREP_ERR_ARG, 0, 0,
		   "a hierarchy can't be read from standard input");
}

Test(hierarchy, where_may_be_null)
{
	const char *p = WRITE("dup.csv", "a;1\na;1\n");
	prep_hierarchy *h = NULL;

	cr_assert_eq(prep_hierarchy_load(p, 1, &h, NULL), PREP_ERR_ARG);
	cr_assert_null(h);
}

/* A file without line ends (here endless) ends the delimiter sniff after
 * its first MiB; the reader then refuses the overlong field. */
Test(hierarchy, endless_first_line, .timeout = 30)
{
	load_fails("/dev/zero", 1, PREP_ERR_FIELD_TOO_LONG, 1, 1, NULL);
}

/* The digest of a hierarchy loaded with every level, as hex. */
static void
digest_hex(const char *path, char hex[65])
{
	prep_hierarchy *h = load(path, PREP_HIERARCHY_ALL);
	unsigned char d[32];
	int i;

	cr_assert_eq(prep_hierarchy_digest(h, d), PREP_OK);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	prep_hierarchy_free(h);
}

/*
 * The digest is of the content: SHA-256 of the rows (2) and levels (2)
 * as 8-byte little-endian numbers, then each cell's length the same way
 * and its bytes (computed with Python's hashlib and struct). Another
 * delimiter and quotes give the same; a cell changed or rows reordered
 * another; a hierarchy of one level kept has none.
 */
Test(hierarchy, digest_of_content)
{
	char a[65], b[65], c[65], d[65];
	prep_hierarchy *h;
	unsigned char out[32];

	digest_hex(WRITE("a.csv", "21;20-24;*\n22;20-24;*\n"), a);
	cr_assert_str_eq(
	    a,
	    "6dc53ccada564dddefc117f70009e7e05a0214f85a8bf55eff331b4ce5fa7811");
	digest_hex(WRITE("b.csv", "21,20-24,*\r\n\"22\",20-24,\"*\"\n"), b);
	cr_assert_str_eq(a, b);
	digest_hex(WRITE("c.csv", "21;20-24;*\n22;20-25;*\n"), c);
	cr_assert_str_neq(a, c);
	digest_hex(WRITE("d.csv", "22;20-24;*\n21;20-24;*\n"), d);
	cr_assert_str_neq(a, d);
	h = load(files[0], 1);
	cr_assert_eq(prep_hierarchy_digest(h, out), PREP_ERR_ARG);
	prep_hierarchy_free(h);
}
