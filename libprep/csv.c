/*
 * csv.c: streaming CSV reader (libcsv + zlib) and writer.
 *
 * libcsv reports fields and record ends through callbacks but not where in
 * the input they are, and it may finish several records in one call. So the
 * reader feeds it one segment at a time, a segment ending at the first CR
 * or LF (or after 64 KiB): then at most one record ends per call, the line
 * number is known at every call, and a record's first line is the line of
 * the first segment fed while the parser was between records. Checking the
 * field being built after each segment keeps libcsv's buffer within
 * max_field + 64 KiB, so no input can grow memory without bound.
 *
 * libcsv looks at every byte through a switch and, with trimming turned
 * off, an indirect call. Most records are well formed, and for those CSV
 * is "split the record at the delimiters outside quotes, up to the first
 * line feed outside them": between records the reader parses such a
 * record itself (walk_record: one SSE2 pass over its bytes that copies
 * them and finds its delimiters, quotes, CRs and line feeds, a field
 * quoted or not, "" inside quotes), into the copy, so the input bytes
 * stay as read for the writer to copy (prep_writer_copy_record,
 * _copy_fields). Any other record (a CR but the line end's, a stray
 * quote, a cap reached) goes to libcsv as it always did: the fields
 * before the one holding the first quote split with memchr, the rest to
 * libcsv, so errors keep their places. The libcsv_only option turns the
 * reader's own parsing off: the reference the unit tests and the fuzz
 * harness hold it to, records, errors and places alike.
 *
 * The writer quotes a field only when it must; the reader tells it which
 * fields were read unquoted (prep_reader_field_quoted), which then need
 * fewer checks (prep_writer_field_plain), and whether a record's input
 * bytes are what it would write, to copy them at once.
 *
 * Input is read with read(2) into one buffer; gzip (magic bytes 1f 8b) is
 * inflated with zlib, member after member (RFC 1952 allows several).
 *
 * A part of a file (the part_i option, part.h) is read as the whole file
 * up to the end of its first record; then the reader finds the part,
 * seeks to its first record (or to the end of the file's first record,
 * when the part begins before it) with a fresh parser, and reads no byte
 * past the part's end. The header's
 * fields were copied, and a header-less first record's still point into
 * the untouched buffer until the next read, so nothing is lost by the
 * jump; with sha256 the digest starts again over the first record's
 * bytes, read back with pread(2).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <csv.h>
#include <zlib.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* prep's csv.h, not libcsv's <csv.h> above */
/* NOLINTNEXTLINE(readability-duplicate-include) */
#include "csv.h"
#include "bits.h"
#include "digest.h"
#include "part.h"

#define IOBUF_SIZE ((size_t)64 << 10)
/* The bytes of input asked of each read(2): four times IOBUF_SIZE, as
 * each read costs a system call (dd of a 178 MB file to /dev/null: 0.03-
 * 0.04 s in 64 KiB reads, 0.02 s in 256 KiB ones). */
#define RAW_SIZE ((size_t)256 << 10)
/* The same for write(2), in a writer to a file descriptor without a
 * digest or gzip (one buffer): dd from the page cache to a file takes
 * 0.07-0.08 s for 178 MB in 64 KiB writes, 0.05 s in 256 KiB ones.
 * Memory writers, one per piece with -j N, keep IOBUF_SIZE. */
#define WRITE_SIZE ((size_t)256 << 10)
_Static_assert((IOBUF_SIZE & (IOBUF_SIZE - 1)) == 0 &&
		   (WRITE_SIZE & (WRITE_SIZE - 1)) == 0,
	       "a writer's buffer is a power of two");
#define SEGMENT_MAX IOBUF_SIZE
#define ROW_BYTES_MIN ((size_t)64 << 20)
/* Buffers the writer writes from in turn while their bytes are hashed
 * (digest.h); one without a digest. Twice the bytes that wake the
 * hashing thread, so that the writer never waits for a wake-up. */
#define IOBUF_RING (2 * PREP_DIGEST_WAKE / IOBUF_SIZE)

/* libcsv's parser state between records (ROW_NOT_BEGUN in libcsv.c). */
#define LIBCSV_ROW_NOT_BEGUN 0

struct prep_reader {
	prep_csv_options o;
	const char *const *paths;
	size_t npaths;
	size_t file_index; /* index of the file being read */
	const char *fname; /* as shown in messages; "-" for stdin */
	int given_fd;	   /* read this descriptor instead of stdin */
	const char *given_name;
	int fd;
	int own_fd;	  /* fd was opened here (not stdin) */
	int at_eof;	  /* raw input exhausted */
	int file_done;	  /* this file's records all delivered */
	int file_started; /* BOM check done */
	int first_record; /* next record is the file's first */

	unsigned char *raw; /* raw bytes from read(2) */
	size_t raw_len, raw_pos;
	int gz;
	int gz_member_done;
	z_stream zs;
	int zs_live;
	unsigned char *zout; /* inflated bytes */
	unsigned char *data; /* bytes ready for the parser */
	size_t data_len, data_pos;

	struct csv_parser p;
	int p_live;
	unsigned long line;	/* physical line of the next byte */
	unsigned long rec_line; /* line where the current record began */
	int after_cr;		/* libcsv ended a record at a CR: its LF next */

	/* the record being built: bytes with NUL after each field */
	char *rowdata;
	size_t row_len, row_cap, row_max;
	size_t *offs;
	size_t *lens;
	prep_field *fields;
	unsigned char *quoting; /* per field: FIELD_UNQUOTED, ... below */
	size_t nfields, fields_cap;
	int row_ready;
	prep_status cb_err;
	/* the record's input bytes without its line end, when walk_record
	 * read it whole from the data (prep_reader_record_raw) */
	const unsigned char *rec_raw;
	size_t rec_raw_len;

	/* header (copied) or column count */
	char *hdrdata;
	prep_field *header;
	size_t ncols;
	int pending; /* a data record is held from the open (no header) */
	int part_on; /* the part_i option: reading stops after part_left */

	prep_where where;
	uint64_t bytes_read, bytes_total, rows;
	int delim_how; /* PREP_DELIM_GIVEN, _BY_NAME or _SNIFFED */

	/* the sha256 option: one digest per file, made as it is read */
	prep_digest *md;
	int md_live;
	unsigned char (*digest)[32];
	unsigned char *digest_done;

	uint64_t part_left; /* part_on: bytes left to read */
	/* prep_reader_part_by: the column and the part kept (by_n 0: all) */
	size_t by_col;
	unsigned long by_i, by_n;
	int piece; /* prep_reader_new_piece: reads memory given to it */
	/* rec_raw's fields were each quoted exactly when a writer with the
	 * same delimiter quotes them (prep_writer_copy_record) */
	int rec_written_form;
};

void
prep_csv_options_init(prep_csv_options *o)
{
	o->delim = -1;
	o->has_header = 1;
	o->lazy_quotes = 0;
	o->max_field = PREP_CSV_DEFAULT_MAX_FIELD;
	o->max_fields = PREP_CSV_DEFAULT_MAX_FIELDS;
	o->ragged = 0;
	o->keep_blank = 0;
	o->sha256 = 0;
	o->part_i = 0;
	o->part_n = 0;
	o->libcsv_only = 0;
}

prep_status
prep_csv_parse_delim(const char *arg, int *delim)
{
	unsigned char c;

	if (strcmp(arg, "tab") == 0 || strcmp(arg, "\\t") == 0) {
		*delim = '\t';
		return PREP_OK;
	}
	if (strlen(arg) != 1)
		return PREP_ERR_ARG;
	c = (unsigned char)arg[0];
	if (c == '"' || c == '\r' || c == '\n')
		return PREP_ERR_ARG;
	*delim = c;
	return PREP_OK;
}

static int
no_space(unsigned char c)
{
	(void)c;
	return 0;
}

static void
fail(prep_reader *r, prep_status st, size_t field)
{
	if (r->cb_err == PREP_OK) {
		r->cb_err = st;
		r->where.file = r->fname;
		r->where.line = r->rec_line;
		r->where.field = field;
	}
}

/*
 * How a field was written in the input (prep_reader_field_quoted): not
 * quoted; quoted, and holding no doubled quote, or holding one; or parsed
 * by libcsv, which does not say.
 */
enum { FIELD_UNQUOTED, FIELD_QUOTED, FIELD_QUOTED_ESC, FIELD_UNKNOWN };
/* Or'ed in by walk_record: a writer with the same delimiter writes the
 * field otherwise (quoted where it was not, or not where it was). */
#define FIELD_REWRITTEN 4
#define FIELD_HOW(q) ((q)&3)

/* Grow the fields, offs, lens and quoting arrays to more than n entries,
 * within max_fields; no place set on failure. */
static prep_status
fields_room(prep_reader *r, size_t n)
{
	/* 128 at first: a 64-byte block of the reader's walk holds up to
	 * 64 fields, which it then takes without a test each */
	size_t ncap = r->fields_cap ? r->fields_cap * 2 : 128;
	size_t *no, *nl;
	prep_field *nf;
	unsigned char *nq;

	if (n >= r->o.max_fields)
		return PREP_ERR_TOO_MANY_FIELDS;
	if (ncap > r->o.max_fields)
		ncap = r->o.max_fields;
	no = realloc(r->offs, ncap * sizeof *no);
	if (no)
		r->offs = no;
	nl = realloc(r->lens, ncap * sizeof *nl);
	if (nl)
		r->lens = nl;
	nf = realloc(r->fields, ncap * sizeof *nf);
	if (nf)
		r->fields = nf;
	nq = realloc(r->quoting, ncap);
	if (nq)
		r->quoting = nq;
	if (!no || !nl || !nf || !nq)
		return PREP_ERR_NOMEM;
	r->fields_cap = ncap;
	return PREP_OK;
}

/* Room for one more field in the fields, offs and lens arrays. */
static int
grow_fields(prep_reader *r)
{
	prep_status st = fields_room(r, r->nfields);

	if (st == PREP_ERR_TOO_MANY_FIELDS)
		fail(r, st, r->nfields + 1);
	else if (st != PREP_OK)
		fail(r, st, 0);
	return st == PREP_OK;
}

/* Can the record take one more field of len bytes? Fails the reader if not. */
static int
field_fits(prep_reader *r, size_t len)
{
	if (r->cb_err != PREP_OK)
		return 0;
	if (len > r->o.max_field) {
		fail(r, PREP_ERR_FIELD_TOO_LONG, r->nfields + 1);
		return 0;
	}
	return r->nfields < r->fields_cap || grow_fields(r);
}

/* Room for need bytes of record in rowdata, within row_max; no place
 * set on failure. */
static prep_status
row_room(prep_reader *r, size_t need)
{
	size_t ncap;
	char *nd;

	if (need > r->row_max)
		return PREP_ERR_LIMIT;
	if (need <= r->row_cap)
		return PREP_OK;
	ncap = r->row_cap ? r->row_cap : 4096;
	while (ncap < need)
		ncap *= 2;
	if (ncap > r->row_max)
		ncap = r->row_max;
	nd = realloc(r->rowdata, ncap);
	if (nd == NULL)
		return PREP_ERR_NOMEM;
	/*
	 * Zeroed: PCRE2's JIT code (pii.c, schema.c) may load a few bytes
	 * past a field's end; they must never be uninitialised.
	 */
	memset(nd + r->row_cap, 0, ncap - r->row_cap);
	r->rowdata = nd;
	r->row_cap = ncap;
	return PREP_OK;
}

/* Append one field to the record being built, within the caps; quoting
 * says how it was written (FIELD_UNQUOTED, ...). */
static void
append_field(prep_reader *r, const void *s, size_t len, int quoting)
{
	size_t need;
	prep_status st;

	if (!field_fits(r, len))
		return;
	need = r->row_len + len + 1;
	if ((st = row_room(r, need)) != PREP_OK) {
		fail(r, st, st == PREP_ERR_LIMIT ? r->nfields + 1 : 0);
		return;
	}
	if (len)
		memcpy(r->rowdata + r->row_len, s, len);
	r->rowdata[r->row_len + len] = '\0';
	r->offs[r->nfields] = r->row_len;
	r->lens[r->nfields] = len;
	r->quoting[r->nfields] = (unsigned char)quoting;
	r->nfields++;
	r->row_len = need;
}

/*
 * A field left where it is in the input buffer: the byte after it (a
 * delimiter or the line end, already consumed) becomes its NUL.
 */
static void
ref_field(prep_reader *r, unsigned char *p, size_t len)
{
	if (!field_fits(r, len))
		return;
	p[len] = '\0';
	r->fields[r->nfields].data = (const char *)p;
	r->fields[r->nfields].len = len;
	r->quoting[r->nfields] = FIELD_UNQUOTED;
	r->nfields++;
}

static void
on_field(void *s, size_t len, void *data)
{
	append_field(data, s, len, FIELD_UNKNOWN);
}

static void
row_done(prep_reader *r)
{
	r->row_ready = 1;
	r->where.file = r->fname;
	r->where.line = r->rec_line;
	r->where.field = 0;
}

static void
on_row(int c, void *data)
{
	prep_reader *r = data;
	size_t i;

	(void)c;
	if (r->cb_err != PREP_OK)
		return;
	for (i = 0; i < r->nfields; i++) {
		r->fields[i].data = r->rowdata + r->offs[i];
		r->fields[i].len = r->lens[i];
	}
	row_done(r);
}

static prep_status
parser_start(prep_reader *r)
{
	unsigned char opts = CSV_STRICT_FINI;

	if (!r->o.lazy_quotes)
		opts |= CSV_STRICT;
	if (csv_init(&r->p, opts) != 0)
		return PREP_ERR_NOMEM;
	r->p_live = 1;
	csv_set_delim(&r->p, (unsigned char)r->o.delim);
	csv_set_space_func(&r->p, no_space);
	/* libcsv's default terminators (CR, LF) are ours: no term func, so
	 * no indirect call per byte. */
	csv_set_blk_size(&r->p, 4096);
	return PREP_OK;
}

static void
close_file(prep_reader *r)
{
	if (r->md_live) { /* a file not read to its end has no digest */
		unsigned char unused[32];

		(void)prep_digest_final(r->md, unused);
		r->md_live = 0;
	}
	if (r->own_fd)
		close(r->fd);
	r->own_fd = 0;
	r->fd = -1;
	if (r->zs_live)
		inflateEnd(&r->zs);
	r->zs_live = 0;
	if (r->p_live)
		csv_free(&r->p);
	r->p_live = 0;
}

static int
is_stdin(const char *path)
{
	return path == NULL || strcmp(path, "-") == 0;
}

static prep_status
open_file(prep_reader *r)
{
	const char *path = r->npaths ? r->paths[r->file_index] : NULL;

	r->fname = is_stdin(path) ? "-" : path;
	r->where.file = r->fname;
	r->where.line = 0;
	r->where.field = 0;
	if (r->given_name) {
		r->fname = r->where.file = r->given_name;
		r->fd = r->given_fd;
	} else if (is_stdin(path)) {
		r->fd = STDIN_FILENO;
	} else {
		r->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (r->fd < 0)
			return PREP_ERR_IO;
		r->own_fd = 1;
	}
	r->md_live = r->md != NULL; /* its digest starts empty */
	r->at_eof = 0;
	r->file_done = 0;
	r->file_started = 0;
	r->first_record = 1;
	r->raw_len = r->raw_pos = 0;
	r->gz = 0;
	r->data = NULL;
	r->data_len = r->data_pos = 0;
	r->line = 1;
	r->rec_line = 1;
	r->after_cr = 0;
	return parser_start(r);
}

/*
 * Read up to want bytes of the file into dst, *got of them; sets at_eof
 * at end of file (or of the part). The digest copies them
 * (prep_digest_update): parsing writes into them (ref_field's NULs)
 * while the copy is hashed.
 */
static prep_status
read_bytes(prep_reader *r, unsigned char *dst, size_t want, size_t *got)
{
	ssize_t n;

	*got = 0;
	if (r->part_on && want > r->part_left)
		want = (size_t)r->part_left; /* the part ends there */
	n = 0;
	while (want > 0 && (n = read(r->fd, dst, want)) < 0 && errno == EINTR)
		;
	if (n < 0) {
		r->where.line = r->line;
		return PREP_ERR_IO;
	}
	if (r->md_live && n > 0) {
		prep_status st = prep_digest_update(r->md, dst, (size_t)n);

		if (st != PREP_OK)
			return st;
	}
	if (n == 0) {
		r->at_eof = 1;
		if (r->md_live) { /* the whole file: its digest is done */
			prep_status st;

			r->md_live = 0;
			st = prep_digest_final(r->md, r->digest[r->file_index]);
			if (st != PREP_OK)
				return st;
			r->digest_done[r->file_index] = 1;
		}
	}
	r->bytes_read += (uint64_t)n;
	if (r->part_on)
		r->part_left -= (uint64_t)n;
	*got = (size_t)n;
	return PREP_OK;
}

/* Read more raw bytes into the reader's buffer; sets at_eof at end of
 * file. */
static prep_status
read_raw(prep_reader *r)
{
	size_t got;
	prep_status st;

	if (r->raw_pos < r->raw_len && r->raw_pos > 0) {
		memmove(r->raw, r->raw + r->raw_pos, r->raw_len - r->raw_pos);
		r->raw_len -= r->raw_pos;
		r->raw_pos = 0;
	} else if (r->raw_pos >= r->raw_len) {
		r->raw_len = r->raw_pos = 0;
	}
	st = read_bytes(r, r->raw + r->raw_len, RAW_SIZE - r->raw_len, &got);
	r->raw_len += got;
	return st;
}

/*
 * Choose the delimiter from the first line (prep(7), CSV): ','
 * when the line holds one outside quotes; otherwise the most frequent of
 * tab, ';' and '|' (ties in that order); ',' when it holds none of them.
 * Quoted text is skipped, so "last, first";"age" is ';'.
 */
static void
sniff_delim(prep_reader *r)
{
	static const unsigned char cand[] = {',', '\t', ';', '|'};
	size_t count[sizeof cand] = {0}, i, best = 0;
	const unsigned char *p = r->data + r->data_pos;
	const unsigned char *end = r->data + r->data_len;
	int quoted = 0;

	for (; p < end && (quoted || (*p != '\n' && *p != '\r')); p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted)
			for (i = 0; i < sizeof cand; i++)
				count[i] += *p == cand[i];
	}
	if (count[0] == 0)
		for (i = 1; i < sizeof cand; i++)
			if (count[i] > count[best])
				best = i;
	r->o.delim = cand[best];
	r->delim_how = PREP_DELIM_SNIFFED;
	csv_set_delim(&r->p, cand[best]);
}

static prep_status
gz_fail(prep_reader *r)
{
	r->where.file = r->fname;
	r->where.line = r->line;
	r->where.field = 0;
	return PREP_ERR_GZIP;
}

/*
 * Make decoded bytes available in data[data_pos..data_len). Leaves
 * data_pos == data_len only at the end of the file.
 */
static prep_status
fill(prep_reader *r)
{
	prep_status st;

	if (r->piece) { /* the piece given is all there is */
		r->data_len = r->data_pos = 0;
		r->at_eof = 1;
		return PREP_OK;
	}
	if (!r->file_started) {
		/* Enough bytes to see gzip's magic number. */
		while (r->raw_len < 3 && !r->at_eof)
			if ((st = read_raw(r)) != PREP_OK)
				return st;
		if (r->raw_len >= 2 && r->raw[0] == 0x1f && r->raw[1] == 0x8b) {
			memset(&r->zs, 0, sizeof r->zs);
			if (inflateInit2(&r->zs, 16 + MAX_WBITS) != Z_OK)
				return PREP_ERR_NOMEM;
			r->zs_live = 1;
			r->gz = 1;
			r->gz_member_done = 0;
		}
	}
	if (!r->gz) {
		if (r->raw_pos >= r->raw_len && !r->at_eof)
			if ((st = read_raw(r)) != PREP_OK)
				return st;
		/* The delimiter is still to be sniffed: the whole first line
		 * (or as much of it as the buffer holds). */
		while (r->o.delim < 0 && !r->file_started && !r->at_eof &&
		       r->raw_len < RAW_SIZE &&
		       memchr(r->raw, '\n', r->raw_len) == NULL)
			if ((st = read_raw(r)) != PREP_OK)
				return st;
		r->data = r->raw + r->raw_pos;
		r->data_len = r->raw_len - r->raw_pos;
		r->data_pos = 0;
		r->raw_pos = r->raw_len;
	} else {
		size_t produced = 0;

		while (produced == 0) {
			int zr;

			if (r->raw_pos >= r->raw_len) {
				if (r->at_eof) {
					if (!r->gz_member_done)
						return gz_fail(r);
					break;
				}
				if ((st = read_raw(r)) != PREP_OK)
					return st;
				continue;
			}
			if (r->gz_member_done) {
				/* Another member must follow. */
				if (r->raw_len - r->raw_pos < 2 && !r->at_eof) {
					if ((st = read_raw(r)) != PREP_OK)
						return st;
					continue;
				}
				if (r->raw_len - r->raw_pos < 2 ||
				    r->raw[r->raw_pos] != 0x1f ||
				    r->raw[r->raw_pos + 1] != 0x8b)
					return gz_fail(r);
				inflateReset(&r->zs);
				r->gz_member_done = 0;
			}
			r->zs.next_in = r->raw + r->raw_pos;
			r->zs.avail_in = (uInt)(r->raw_len - r->raw_pos);
			r->zs.next_out = r->zout;
			r->zs.avail_out = (uInt)IOBUF_SIZE;
			zr = inflate(&r->zs, Z_NO_FLUSH);
			r->raw_pos = r->raw_len - r->zs.avail_in;
			produced = IOBUF_SIZE - r->zs.avail_out;
			if (zr == Z_STREAM_END)
				r->gz_member_done = 1;
			else if (zr == Z_MEM_ERROR)
				return PREP_ERR_NOMEM;
			else if (zr != Z_OK && zr != Z_BUF_ERROR)
				return gz_fail(r);
		}
		r->data = r->zout;
		r->data_len = produced;
		r->data_pos = 0;
	}
	if (!r->file_started && r->data_len > 0) {
		r->file_started = 1;
		/* A UTF-8 byte order mark is dropped. */
		if (r->data_len >= 3 && memcmp(r->data, "\xEF\xBB\xBF", 3) == 0)
			r->data_pos = 3;
		if (r->o.delim < 0)
			sniff_delim(r);
	} else if (r->data_len == 0) {
		r->file_started = 1;
	}
	return PREP_OK;
}

static prep_status
parse_error(prep_reader *r)
{
	int e = csv_error(&r->p);

	if (r->cb_err != PREP_OK)
		return r->cb_err;
	r->where.file = r->fname;
	r->where.line = r->rec_line;
	r->where.field = r->nfields + 1;
	if (e == CSV_EPARSE)
		return PREP_ERR_QUOTE;
	if (e == CSV_ETOOBIG)
		return PREP_ERR_FIELD_TOO_LONG;
	return PREP_ERR_NOMEM;
}

/*
 * The reader's own parse of a record met between records (walk_record),
 * for one whose fields are well formed and whose end is in the buffer:
 * each field unquoted, or quoted with "" standing for a quote inside, a
 * closing quote followed by the delimiter or the record's end. Its bytes
 * are read 64 at a time, once: each block is copied into rowdata and
 * turned into masks of its quotes, delimiters, CRs and line feeds
 * (classify64). The prefix xor of the quotes (bits.h) marks the bytes
 * inside quotes, carried from block to block: the record ends at the
 * first line feed outside them, and its fields at the delimiters outside
 * them (the technique of Langdale and Lemire, "Parsing Gigabytes of JSON
 * per Second", VLDB Journal 28 (2019), section 3.1.1). The quotes before
 * each delimiter are counted from the masks, so a field holding none is
 * known unquoted without a look at its bytes.
 *
 * That split is libcsv's exactly when every field it gives is well
 * formed: no quote in a field that does not open with one, and in one
 * that does, a closing quote as its last byte and the quotes between in
 * pairs. Then libcsv's state machine, from the field's start, opens the
 * quote, reads each pair as a quote and closes at the last byte, where
 * the delimiter or the record's end follows; and the masks' inside and
 * outside agree with it byte for byte. Anything else (a quote out of
 * place, a CR but the CR of a CRLF ending the record, a record with no
 * end in the buffer or within SEGMENT_MAX bytes, a cap reached, a blank
 * line) returns 0 with nothing changed but the arrays' sizes and
 * rowdata's bytes: split_line and libcsv then read the record as they
 * always did, giving the same fields or the error with its place. The
 * unit tests fast_path_agrees_* hold this to libcsv alone on random
 * inputs.
 *
 * Each field gets its NUL in the copy in place of the byte after it (the
 * delimiter, the closing quote, the line end), and a field with doubled
 * quotes is unescaped there, so the input bytes stay as they were (for
 * prep_reader_record_raw). Up to 63 bytes past the record's end are read
 * (the reader's input buffers have that much room after them, SCAN_PAD;
 * the last bytes of a buffer without it, a piece (par.h), are copied
 * first) and copied, and their bits cleared.
 */
#define SCAN_PAD 64

#if defined(__SSE2__)
/* Bit i: byte i of the 64 in v equals each byte of c. */
static inline uint64_t
mask64(const __m128i v[4], __m128i c)
{
	return (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v[0], c)) |
	       (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v[1], c))
		   << 16 |
	       (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v[2], c))
		   << 32 |
	       (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v[3], c))
		   << 48;
}
#endif

/* The masks of a 64-byte block (classify64). */
struct block_masks {
	uint64_t q, d, cr, lf, sp;
};

/*
 * Bit i of m's masks: p[i] is a quote, the delimiter, a CR, a line feed,
 * a space; p[0..64) copied to out.
 */
static inline void
classify64(const unsigned char *p, unsigned char delim, unsigned char *out,
	   struct block_masks *m)
{
#if defined(__SSE2__)
	const __m128i cq = _mm_set1_epi8('"'), cd = _mm_set1_epi8((char)delim),
		      ccr = _mm_set1_epi8('\r'), clf = _mm_set1_epi8('\n'),
		      csp = _mm_set1_epi8(' ');
	__m128i v[4];

	v[0] = _mm_loadu_si128((const __m128i *)p);
	v[1] = _mm_loadu_si128((const __m128i *)(p + 16));
	v[2] = _mm_loadu_si128((const __m128i *)(p + 32));
	v[3] = _mm_loadu_si128((const __m128i *)(p + 48));
	_mm_storeu_si128((__m128i *)out, v[0]);
	_mm_storeu_si128((__m128i *)(out + 16), v[1]);
	_mm_storeu_si128((__m128i *)(out + 32), v[2]);
	_mm_storeu_si128((__m128i *)(out + 48), v[3]);
	m->q = mask64(v, cq);
	m->d = mask64(v, cd);
	m->cr = mask64(v, ccr);
	m->lf = mask64(v, clf);
	m->sp = mask64(v, csp);
#else
	int k;

	memcpy(out, p, 64);
	memset(m, 0, sizeof *m);
	for (k = 0; k < 64; k++) {
		m->q |= (uint64_t)(p[k] == '"') << k;
		m->d |= (uint64_t)(p[k] == delim) << k;
		m->cr |= (uint64_t)(p[k] == '\r') << k;
		m->lf |= (uint64_t)(p[k] == '\n') << k;
		m->sp |= (uint64_t)(p[k] == ' ') << k;
	}
#endif
}

/*
 * Remove the doubled quotes of a quoted field's bytes p[0..len) (between
 * its quotes), in place: returns the new length, or SIZE_MAX when a quote
 * there is not doubled.
 */
static size_t
unescape_quotes(char *p, size_t len)
{
	const char *in = p, *end = p + len;
	char *out = p;

	for (;;) {
		const char *q = memchr(in, '"', (size_t)(end - in));
		size_t k = q ? (size_t)(q - in) : (size_t)(end - in);

		if (out != in)
			memmove(out, in, k);
		out += k;
		if (q == NULL)
			return (size_t)(out - p);
		if (q + 1 >= end || q[1] != '"')
			return SIZE_MAX;
		*out++ = '"';
		in = q + 2;
	}
}

/* How an unquoted field seg[s..t) was written: a writer quotes a space
 * at either end. */
static inline unsigned char
unquoted_how(const unsigned char *seg, size_t s, size_t t)
{
	return t > s && (seg[s] == ' ' || seg[t - 1] == ' ')
		   ? FIELD_UNQUOTED | FIELD_REWRITTEN
		   : FIELD_UNQUOTED;
}

/*
 * walk_record's field seg[s..t), holding nq quotes, as the record's next
 * field (its bytes in copy at the same offsets); 0 when it is not well
 * formed or a cap is reached.
 */
static int
walk_field(prep_reader *r, const unsigned char *seg, char *copy, size_t s,
	   size_t t, uint64_t nq, size_t *n, int *form)
{
	size_t len = t - s, off = s;
	unsigned char how;

	if (*n >= r->fields_cap && fields_room(r, *n) != PREP_OK)
		return 0;
	if (nq == 0) {
		how = unquoted_how(seg, s, t);
	} else {
		if (len < 2 || seg[s] != '"' || seg[t - 1] != '"')
			return 0;
		off = s + 1;
		len -= 2;
		if (nq > 2) {
			len = unescape_quotes(copy + off, len);
			if (len == SIZE_MAX)
				return 0;
			how = FIELD_QUOTED_ESC;
		} else {
			/* a writer quotes it for the delimiter, a line feed,
			 * a space at either end */
			how = FIELD_QUOTED;
			if ((len == 0 ||
			     (seg[off] != ' ' && seg[t - 2] != ' ')) &&
			    memchr(seg + off, r->o.delim, len) == NULL &&
			    memchr(seg + off, '\n', len) == NULL)
				how |= FIELD_REWRITTEN;
		}
	}
	if (len > r->o.max_field)
		return 0;
	copy[off + len] = '\0';
	r->fields[*n].data = copy + off;
	r->fields[*n].len = len;
	r->quoting[*n] = how;
	*form &= !(how & FIELD_REWRITTEN);
	(*n)++;
	return 1;
}

/* walk_record's field n, copy[s..t) (its NUL at t), written as how. */
static inline void
take_field(char *copy, prep_field *fields, unsigned char *quoting, size_t n,
	   size_t s, size_t t, unsigned char how)
{
	copy[t] = '\0';
	fields[n].data = copy + s;
	fields[n].len = t - s;
	quoting[n] = how;
}

/*
 * take_field for an unquoted field, copy[s..t), as unquoted_how reads
 * it: 1 when it is written as read (the record's form holds), else 0.
 */
static inline int
take_unquoted(const unsigned char *seg, char *copy, prep_field *fields,
	      unsigned char *quoting, size_t n, size_t s, size_t t)
{
	unsigned char how = unquoted_how(seg, s, t);

	take_field(copy, fields, quoting, n, s, t, how);
	return !(how & FIELD_REWRITTEN);
}

/*
 * The record at seg, of which avail bytes are in the buffer (see above):
 * returns its bytes with its line end, *lines set to its line feeds,
 * and the record complete; 0 for split_line and libcsv.
 */
static size_t
walk_record(prep_reader *r, const unsigned char *seg, size_t avail,
	    unsigned long *lines)
{
	const unsigned char delim = (unsigned char)r->o.delim;
	const unsigned char *readable =
	    r->data + r->data_len + (r->piece ? 0 : SCAN_PAD);
	const size_t max_field = r->o.max_field;
	prep_field *fields = r->fields;
	unsigned char *quoting = r->quoting;
	size_t off, start = 0, n = 0, cap = r->fields_cap;
	uint64_t inq = 0, qbefore = 0, qstart = 0;
	/* starts_next (bit 0): a field starts at the next block's first
	 * byte, as the record's first does; sp_last (bit 0): the last byte
	 * of the block before is a space; spaced: a space at either end of
	 * a field seen so far */
	uint64_t starts_next = 1, sp_last = 0, spaced = 0;
	unsigned long lfs = 0;
	int cr_last = 0, form = 1;
	unsigned char tail[64];
	char *copy;

	/* room for the blocks copied: the fields point into it */
	if (avail + 64 + 1 > r->row_cap &&
	    row_room(r, avail + 64 + 1) != PREP_OK)
		return 0;
	copy = r->rowdata;
	for (off = 0; off < avail; off += 64) {
		const unsigned char *p = seg + off;
		struct block_masks m;
		uint64_t q, inside, stop, first, before, dd;
		size_t left = avail - off;

		if (p + 64 > readable) { /* then left < 64 */
			memset(tail, 0, sizeof tail);
			memcpy(tail, p, left);
			p = tail;
		}
		classify64(p, delim, (unsigned char *)copy + off, &m);
		if (left < 64) {
			uint64_t keep = ((uint64_t)1 << left) - 1;

			m.q &= keep;
			m.d &= keep;
			m.cr &= keep;
			m.lf &= keep;
			m.sp &= keep;
		}
		q = m.q;
		inside = q ? prep_prefix_xor(q) ^ inq : inq;
		inq = 0 - (inside >> 63);
		stop = m.lf & ~inside;
		first = stop & (0 - stop); /* the record's end, if in p */
		before = first ? first - 1 : ~(uint64_t)0;
		if (m.lf & inside & before)
			lfs += prep_bits_set(m.lf & inside & before);
		/* a CR only just before the line feed that ends the record
		 * (bit 63, when the line feed begins the next block) */
		if (cr_last && first != 1)
			return 0;
		if (m.cr & before) {
			uint64_t end_cr =
			    first ? first >> 1 : (uint64_t)1 << 63;

			if ((m.cr & before) != end_cr)
				return 0;
			cr_last = !first;
		}
		dd = m.d & ~inside & before;
		/* a space at the first byte of a field (after a delimiter or
		 * the record's start) or at its last (before a delimiter):
		 * such an unquoted field was written by a writer that
		 * quotes it (unquoted_how); from then on each field is
		 * looked at */
		spaced |= (m.sp & ((dd << 1) | starts_next)) |
			  (((m.sp << 1) | sp_last) & dd);
		starts_next = dd >> 63;
		sp_last = m.sp >> 63;
		if (!spaced && q == 0 && qbefore == qstart &&
		    (n + 64 <= cap || n + prep_bits_set(dd) <= cap) &&
		    off + 64 - start <= max_field) {
			/* every field ending here is unquoted, within the
			 * caps and written as read: walk_field's common
			 * case with its tests taken once for the block */
			for (; dd; dd &= dd - 1) {
				size_t t = off + (size_t)__builtin_ctzll(dd);

				take_field(copy, fields, quoting, n++, start, t,
					   FIELD_UNQUOTED);
				start = t + 1;
			}
		}
		for (; dd; dd &= dd - 1) {
			size_t t = off + (size_t)__builtin_ctzll(dd);
			size_t len = t - start;
			uint64_t qt = qbefore;

			if (q)
				qt += prep_bits_set(
				    q & (((uint64_t)1 << (t - off)) - 1));
			if (qt == qstart && n < cap && len <= max_field) {
				/* walk_field's common case, in locals */
				form &= take_unquoted(seg, copy, fields,
						      quoting, n++, start, t);
			} else {
				/* through copies: n and form, whose
				 * addresses are never taken, stay in
				 * registers across the stores of the
				 * loops (5% of a read of Adult's rows) */
				size_t n1 = n;
				int form1 = form;

				if (!walk_field(r, seg, copy, start, t,
						qt - qstart, &n1, &form1))
					return 0;
				n = n1;
				form = form1;
				fields = r->fields;
				quoting = r->quoting;
				cap = r->fields_cap;
			}
			qstart = qt;
			start = t + 1;
		}
		if (first) {
			size_t e = off + (size_t)__builtin_ctzll(first),
			       end = e;
			uint64_t qt =
			    qbefore + (q ? prep_bits_set(q & before) : 0);
			size_t n1 = n;
			int form1 = form;

			if (e > 0 && seg[e - 1] == '\r')
				end = e - 1;
			if (end == 0)
				return 0; /* a blank line */
			if (qt == qstart && n < cap &&
			    end - start <= max_field) {
				/* the last field, unquoted, as above */
				form1 &=
				    take_unquoted(seg, copy, fields, quoting,
						  n1++, start, end);
			} else if (!walk_field(r, seg, copy, start, end,
					       qt - qstart, &n1, &form1)) {
				return 0;
			}
			r->nfields = n1;
			r->row_len = end + 1;
			r->rec_raw = seg;
			r->rec_raw_len = end;
			r->rec_written_form = form1;
			r->rec_line = r->line;
			row_done(r);
			*lines = lfs + 1;
			return e + 1;
		}
		if (q)
			qbefore += prep_bits_set(q);
	}
	return 0;
}

/*
 * A whole line seg..nl (nl at its LF) met between records, that
 * walk_record did not take. A blank line is skipped (or, with
 * keep_blank, a record of one empty field); a line with a CR before its
 * end goes to libcsv whole (returns 0); the fields of a line without
 * quotes are split here (where a cap is reached, with the error's
 * place). Otherwise the fields before the one holding the first quote are
 * split here and the offset of that field is returned: libcsv parses the
 * rest as it would have.
 */
static size_t
split_line(prep_reader *r, unsigned char *seg, unsigned char *nl,
	   unsigned long *lines)
{
	unsigned char *end = nl, *stop, *p, *q;
	unsigned char delim = (unsigned char)r->o.delim;

	*lines = 1;
	if (end > seg && end[-1] == '\r')
		end--;
	r->rec_line = r->line;
	if (end == seg) {
		if (!r->o.keep_blank)
			return (size_t)(nl - seg) + 1; /* not a record */
		ref_field(r, seg, 0);
		if (r->cb_err == PREP_OK)
			row_done(r);
		return (size_t)(nl - seg) + 1;
	}
	*lines = 0;
	if (r->o.libcsv_only || memchr(seg, '\r', (size_t)(end - seg)) != NULL)
		return 0;
	q = memchr(seg, '"', (size_t)(end - seg));
	stop = end;
	if (q) {
		/* start of the field holding the quote */
		for (stop = q; stop > seg && stop[-1] != delim; stop--)
			;
		if (stop == seg)
			return 0;
	}
	if (q) {
		/* copies: libcsv appends the rest of the record to them */
		for (p = seg; p < stop;) {
			unsigned char *d = memchr(p, delim, (size_t)(stop - p));

			append_field(r, p, (size_t)(d - p), FIELD_UNQUOTED);
			p = d + 1;
		}
		return (size_t)(stop - seg);
	}
	/* the whole record: its fields stay in the input buffer */
	for (p = seg;;) {
		unsigned char *d = memchr(p, delim, (size_t)(end - p));

		if (d == NULL) {
			ref_field(r, p, (size_t)(end - p));
			break;
		}
		ref_field(r, p, (size_t)(d - p));
		p = d + 1;
	}
	if (r->cb_err == PREP_OK)
		row_done(r);
	*lines = 1;
	return (size_t)(nl - seg) + 1;
}

/*
 * Parse until one record of the current file is complete (row_ready) or
 * the file ends (file_done).
 */
static prep_status
parse_record(prep_reader *r)
{
	prep_status st;

	r->row_ready = 0;
	r->nfields = 0;
	r->row_len = 0;
	r->rec_raw = NULL;
	while (!r->row_ready) {
		unsigned char *seg, *nl, *cr;
		size_t avail, seglen, done;
		int ends_line;

		if (r->file_done)
			return PREP_OK;
		if (r->data_pos >= r->data_len) {
			if ((st = fill(r)) != PREP_OK)
				return st;
			if (r->data_pos >= r->data_len) {
				/* End of file: flush a last record. */
				if (csv_fini(&r->p, on_field, on_row, r) != 0) {
					if (r->cb_err != PREP_OK)
						return r->cb_err;
					r->where.file = r->fname;
					r->where.line = r->rec_line;
					r->where.field = r->nfields + 1;
					return PREP_ERR_UNCLOSED_QUOTE;
				}
				if (r->cb_err != PREP_OK)
					return r->cb_err;
				r->file_done = 1;
				return PREP_OK;
			}
		}
		seg = r->data + r->data_pos;
		avail = r->data_len - r->data_pos;
		if (r->after_cr) {
			/* The LF of a CRLF whose CR ended libcsv's record: not
			 * a blank line (keep_blank would make it a record). */
			r->after_cr = 0;
			if (seg[0] == '\n') {
				r->data_pos++;
				r->line++;
				continue;
			}
		}
		if (avail > SEGMENT_MAX)
			avail = SEGMENT_MAX;
		if (r->p.pstate == LIBCSV_ROW_NOT_BEGUN && !r->o.libcsv_only) {
			unsigned long lines;
			size_t took = walk_record(r, seg, avail, &lines);

			if (took) {
				r->data_pos += took;
				r->line += lines;
				continue;
			}
		}
		nl = memchr(seg, '\n', avail);
		if (nl && r->p.pstate == LIBCSV_ROW_NOT_BEGUN) {
			unsigned long lines;
			size_t skip = split_line(r, seg, nl, &lines);

			if (r->cb_err != PREP_OK)
				return r->cb_err;
			if (lines > 0) {
				r->data_pos += skip;
				r->line += lines;
				continue;
			}
			/* libcsv takes the line from the field at skip. */
			seg += skip;
			r->data_pos += skip;
			avail -= skip;
		}
		seglen = nl ? (size_t)(nl - seg) + 1 : avail;
		cr = memchr(seg, '\r', seglen);
		if (cr)
			seglen = (size_t)(cr - seg) + 1;
		ends_line = seg[seglen - 1] == '\n';
		if (r->p.pstate == LIBCSV_ROW_NOT_BEGUN)
			r->rec_line = r->line;
		done = csv_parse(&r->p, seg, seglen, on_field, on_row, r);
		r->data_pos += done;
		if (r->cb_err != PREP_OK)
			return r->cb_err;
		if (done != seglen)
			return parse_error(r);
		if (r->p.entry_pos > r->o.max_field) {
			fail(r, PREP_ERR_FIELD_TOO_LONG, r->nfields + 1);
			return r->cb_err;
		}
		/*
		 * libcsv grows its field buffer by blk_size bytes at a time:
		 * keep that step at the buffer's size, so a long field (a
		 * raised --max-field) doubles it instead of copying it over
		 * and over (quadratic where realloc can't grow in place, as
		 * under ASan).
		 */
		if (r->p.entry_size > r->p.blk_size)
			csv_set_blk_size(&r->p, r->p.entry_size);
		if (ends_line)
			r->line++;
		else if (seg[seglen - 1] == '\r' && r->row_ready)
			r->after_cr = 1;
	}
	return PREP_OK;
}

static prep_status
save_header(prep_reader *r)
{
	size_t i, total = 0;
	char *p;

	for (i = 0; i < r->nfields; i++)
		total += r->fields[i].len + 1;
	r->hdrdata = malloc(total ? total : 1);
	r->header = calloc(r->nfields ? r->nfields : 1, sizeof *r->header);
	if (!r->hdrdata || !r->header)
		return PREP_ERR_NOMEM;
	for (p = r->hdrdata, i = 0; i < r->nfields; i++) {
		memcpy(p, r->fields[i].data, r->fields[i].len);
		p[r->fields[i].len] = '\0';
		r->header[i].data = p;
		r->header[i].len = r->fields[i].len;
		p += r->fields[i].len + 1;
	}
	r->ncols = r->nfields;
	return PREP_OK;
}

static int
same_header(const prep_reader *r)
{
	size_t i;

	if (r->nfields != r->ncols)
		return 0;
	for (i = 0; i < r->nfields; i++)
		if (r->fields[i].len != r->header[i].len ||
		    memcmp(r->fields[i].data, r->header[i].data,
			   r->fields[i].len) != 0)
			return 0;
	return 1;
}

/* Hash the file's bytes [0, end) into the digest, read with pread. */
static prep_status
part_hash_head(prep_reader *r, uint64_t end)
{
	uint64_t off = 0;
	prep_status st;

	while (off < end) {
		size_t want =
		    end - off < IOBUF_SIZE ? (size_t)(end - off) : IOBUF_SIZE;
		ssize_t n = pread(r->fd, r->zout, want, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO; /* shorter than it was */
			return PREP_ERR_IO;
		}
		if ((st = prep_digest_update(r->md, r->zout, (size_t)n)) !=
		    PREP_OK)
			return st;
		off += (uint64_t)n;
	}
	return PREP_OK;
}

/*
 * The part_i option, once the file's first record (the header, or the
 * first data record) is complete: find the part (part.h), and go on
 * reading at its first record, or right after the first record when the
 * part begins before that, with the line number there; stop after its
 * last. *keep: the first record itself begins in the part (offset 0 in
 * [start, end)), for a reader without a header. Nothing is read into
 * raw here: the first record's fields may still point into it.
 */
static prep_status
part_jump(prep_reader *r, int *keep)
{
	uint64_t head, start, end, line = r->line;
	struct stat sb;
	prep_part p;
	prep_status st;

	*keep = 0;
	if (r->gz || fstat(r->fd, &sb) != 0 || !S_ISREG(sb.st_mode))
		return PREP_ERR_ARG;
	/* the offset after the first record: data[data_pos] is the next byte
	 * to parse, data is in raw, raw[0] is at bytes_read - raw_len */
	head = r->bytes_read - r->raw_len +
	       (uint64_t)(r->data ? r->data - r->raw : 0) + r->data_pos;
	if (r->after_cr) {
		/* a record ended at a CR: its LF is part of it */
		unsigned char c = 0;

		if (r->data && r->data_pos < r->data_len)
			c = r->data[r->data_pos];
		else if (pread(r->fd, &c, 1, (off_t)head) != 1)
			c = 0;
		if (c == '\n') {
			head++;
			line++;
		}
	}
	if ((st = prep_part_find_fd(r->fd, (uint64_t)sb.st_size, r->o.part_i,
				    r->o.part_n, &p)) != PREP_OK)
		return st;
	*keep = p.start == 0 && p.end > 0;
	if (r->file_done)
		return PREP_OK; /* the first record was the file's last */
	start = p.start;
	if (start < head)
		start = head;
	else
		line = p.line;
	end = p.end > start ? p.end : start;
	if (r->md) {
		unsigned char unused[32];

		if (r->md_live &&
		    (st = prep_digest_final(r->md, unused)) != PREP_OK)
			return st;
		r->md_live = 1;
		r->digest_done[r->file_index] = 0;
		if ((st = part_hash_head(r, head)) != PREP_OK)
			return st;
	}
	if (lseek(r->fd, (off_t)start, SEEK_SET) < 0)
		return PREP_ERR_IO;
	r->raw_len = r->raw_pos = 0;
	r->data_len = r->data_pos = 0;
	r->at_eof = 0;
	r->after_cr = 0;
	r->line = line;
	r->part_on = 1;
	r->part_left = end - start;
	r->bytes_read = head;
	r->bytes_total = head + (end - start);
	/* a parser between records, as at the start of a file */
	csv_free(&r->p);
	r->p_live = 0;
	return parser_start(r);
}

/*
 * Next record of the stream, across files; handles each file's header.
 * Returns PREP_END when every file is done.
 */
static prep_status
next_record(prep_reader *r)
{
	prep_status st;

	if (r->piece) {
		if ((st = parse_record(r)) != PREP_OK)
			return st;
		if (!r->row_ready)
			return PREP_END;
		if (r->nfields != r->ncols && !r->o.ragged) {
			r->where.field = 0;
			return PREP_ERR_RAGGED;
		}
		return PREP_OK;
	}
	for (;;) {
		if (r->fd < 0) {
			if (r->file_index >= (r->npaths ? r->npaths : 1))
				return PREP_END;
			if ((st = open_file(r)) != PREP_OK)
				return st;
		}
		if ((st = parse_record(r)) != PREP_OK)
			return st;
		if (r->row_ready) {
			int first = r->first_record, keep;

			r->first_record = 0;
			if (first && r->o.part_i) {
				if ((st = part_jump(r, &keep)) != PREP_OK) {
					r->where.field = 0;
					return st;
				}
				if (!r->o.has_header && !keep) {
					/* it counts the columns, no more */
					r->ncols = r->nfields;
					continue;
				}
			}
			if (first && r->o.has_header) {
				if (r->header == NULL) {
					if ((st = save_header(r)) != PREP_OK)
						return st;
				} else if (!same_header(r)) {
					r->where.field = 0;
					return PREP_ERR_HEADER_MISMATCH;
				}
				continue;
			}
			if (r->ncols == 0)
				r->ncols = r->nfields;
			if (r->nfields != r->ncols && !r->o.ragged) {
				r->where.field = 0;
				return PREP_ERR_RAGGED;
			}
			return PREP_OK;
		}
		/* This file is done; go on with the next. */
		close_file(r);
		r->file_index++;
	}
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static prep_status
reader_open(const prep_csv_options *o, const char *const *paths, size_t npaths,
	    int fd, const char *name, prep_reader **out)
{
	prep_reader *r;
	prep_status st;
	size_t i;

	*out = NULL;
	r = calloc(1, sizeof *r);
	if (r == NULL)
		return PREP_ERR_NOMEM;
	*out = r;
	r->given_fd = fd;
	r->given_name = name;
	if (o)
		r->o = *o;
	else
		prep_csv_options_init(&r->o);
	if (r->o.max_field == 0)
		r->o.max_field = PREP_CSV_DEFAULT_MAX_FIELD;
	if (r->o.max_fields == 0)
		r->o.max_fields = PREP_CSV_DEFAULT_MAX_FIELDS;
	r->delim_how = PREP_DELIM_GIVEN;
	if (r->o.delim < 0 && npaths > 0 && paths[0] &&
	    (ends_with(paths[0], ".tsv") || ends_with(paths[0], ".tsv.gz"))) {
		r->o.delim = '\t';
		r->delim_how = PREP_DELIM_BY_NAME;
	}
	r->row_max = r->o.max_field * 2 > ROW_BYTES_MIN ? r->o.max_field * 2
							: ROW_BYTES_MIN;
	/* a part is a byte range of one file whose quotes say where its
	 * records begin (part.h) */
	if (r->o.part_i &&
	    (r->o.part_i > r->o.part_n || r->o.lazy_quotes ||
	     (name == NULL && (npaths != 1 || is_stdin(paths[0])))))
		return PREP_ERR_ARG;
	r->paths = paths;
	r->npaths = npaths;
	r->fd = -1;
	r->fname = name	    ? name
		   : npaths ? (is_stdin(paths[0]) ? "-" : paths[0])
			    : "-";
	r->where.file = r->fname;
	/* zeroed, as rowdata; SCAN_PAD bytes that struct scan may read */
	r->raw = calloc(1, RAW_SIZE + SCAN_PAD);
	r->zout = calloc(1, IOBUF_SIZE + SCAN_PAD);
	if (!r->raw || !r->zout)
		return PREP_ERR_NOMEM;
	if (r->o.sha256) {
		r->digest = calloc(npaths ? npaths : 1, sizeof *r->digest);
		r->digest_done = calloc(npaths ? npaths : 1, 1);
		if (!r->digest || !r->digest_done)
			return PREP_ERR_NOMEM;
		if ((st = prep_digest_new(&r->md)) != PREP_OK)
			return st;
	}
	for (i = 0; i < npaths; i++) {
		struct stat sb;

		if (is_stdin(paths[i]) || stat(paths[i], &sb) != 0 ||
		    !S_ISREG(sb.st_mode)) {
			r->bytes_total = 0;
			break;
		}
		r->bytes_total += (uint64_t)sb.st_size;
	}
	st = next_record(r);
	if (r->o.delim < 0) {
		/* Nothing to sniff: an empty input. */
		r->o.delim = ',';
		r->delim_how = PREP_DELIM_SNIFFED;
	}
	if (st == PREP_END) {
		/* Empty input; with a header-only input ncols is known. */
		return PREP_OK;
	}
	if (st != PREP_OK)
		return st;
	r->pending = 1;
	return PREP_OK;
}

prep_status
prep_reader_new(const prep_csv_options *o, const char *const *paths,
		size_t npaths, prep_reader **out)
{
	return reader_open(o, paths, npaths, -1, NULL, out);
}

prep_status
prep_reader_new_fd(const prep_csv_options *o, int fd, const char *name,
		   prep_reader **out)
{
	return reader_open(o, NULL, 0, fd, name ? name : "-", out);
}

void
prep_reader_free(prep_reader *r)
{
	if (r == NULL)
		return;
	close_file(r);
	prep_digest_free(r->md);
	free(r->digest);
	free(r->digest_done);
	free(r->raw);
	free(r->zout);
	free(r->rowdata);
	free(r->offs);
	free(r->lens);
	free(r->fields);
	free(r->quoting);
	free(r->hdrdata);
	free(r->header);
	free(r);
}

prep_status
prep_reader_part_by(prep_reader *r, size_t col, unsigned long i,
		    unsigned long n)
{
	if (i < 1 || i > n)
		return PREP_ERR_ARG;
	r->by_col = col;
	r->by_i = i;
	r->by_n = n;
	return PREP_OK;
}

/* Is the current record in prep_reader_part_by's part? */
static int
in_part_by(const prep_reader *r)
{
	const prep_field *f =
	    r->by_col < r->nfields ? &r->fields[r->by_col] : NULL;

	return prep_part_of(f ? f->data : "", f ? f->len : 0, r->by_n) ==
	       r->by_i - 1;
}

prep_status
prep_reader_next_row(prep_reader *r, const prep_field **fields, size_t *n)
{
	prep_status st;

	do {
		if (r->pending) {
			r->pending = 0;
		} else if ((st = next_record(r)) != PREP_OK) {
			return st;
		}
		r->rows++;
	} while (r->by_n && !in_part_by(r));
	*fields = r->fields;
	*n = r->nfields;
	return PREP_OK;
}

const prep_field *
prep_reader_header(const prep_reader *r, size_t *n)
{
	if (n)
		*n = r->ncols;
	return r->header;
}

size_t
prep_reader_record_fields(const prep_reader *r)
{
	return r->nfields;
}

int
prep_reader_field_quoted(const prep_reader *r, size_t i)
{
	if (i >= r->nfields || FIELD_HOW(r->quoting[i]) == FIELD_UNKNOWN)
		return -1;
	return FIELD_HOW(r->quoting[i]) != FIELD_UNQUOTED;
}

int
prep_reader_record_raw(const prep_reader *r, const char **p, size_t *len)
{
	if (r->rec_raw == NULL)
		return 0;
	*p = (const char *)r->rec_raw;
	*len = r->rec_raw_len;
	return 1;
}

size_t
prep_reader_columns(const prep_reader *r)
{
	return r->ncols;
}

const prep_csv_options *
prep_reader_options(const prep_reader *r)
{
	return &r->o;
}

int
prep_reader_delim(const prep_reader *r)
{
	return r->o.delim;
}

int
prep_reader_delim_how(const prep_reader *r)
{
	return r->delim_how;
}

prep_status
prep_reader_sha256(const prep_reader *r, size_t i, unsigned char digest[32])
{
	size_t n = r->npaths ? r->npaths : 1;

	if (r->md == NULL || i >= n || !r->digest_done[i])
		return PREP_ERR_ARG;
	memcpy(digest, r->digest[i], 32);
	return PREP_OK;
}

prep_where
prep_reader_where(const prep_reader *r)
{
	return r->where;
}

uint64_t
prep_reader_bytes_read(const prep_reader *r)
{
	return r->bytes_read;
}

uint64_t
prep_reader_bytes_total(const prep_reader *r)
{
	return r->bytes_total;
}

uint64_t
prep_reader_rows(const prep_reader *r)
{
	return r->rows;
}

/* ---- raw bytes and pieces, for threads (par.h) ---- */

int
prep_reader_pending(const prep_reader *r)
{
	return r->pending;
}

void
prep_reader_count_rows(prep_reader *r, uint64_t rows)
{
	r->rows += rows;
}

/* The next file of the stream, open, its header read and checked. */
static prep_status
raw_next_file(prep_reader *r)
{
	prep_status st;

	for (;;) {
		if (r->file_index >= (r->npaths ? r->npaths : 1))
			return PREP_END;
		if ((st = open_file(r)) != PREP_OK)
			return st;
		r->first_record = 0;
		if (!r->o.has_header)
			return PREP_OK;
		if ((st = parse_record(r)) != PREP_OK)
			return st;
		if (r->row_ready) {
			if (!same_header(r)) {
				r->where.field = 0;
				return PREP_ERR_HEADER_MISMATCH;
			}
			return PREP_OK;
		}
		close_file(r); /* empty: no header, no records */
		r->file_index++;
	}
}

prep_status
prep_reader_raw(prep_reader *r, prep_raw *raw)
{
	prep_status st;

	memset(raw, 0, sizeof *raw);
	if (r->pending || r->piece)
		return PREP_ERR_ARG;
	for (;;) {
		if (r->fd < 0 && (st = raw_next_file(r)) != PREP_OK)
			return st;
		if (r->data_pos >= r->data_len && !r->file_done) {
			if ((st = fill(r)) != PREP_OK)
				return st;
			if (r->data_pos >= r->data_len)
				r->file_done = 1;
		}
		if (r->file_done) {
			raw->file = r->fname;
			raw->line = r->line;
			raw->file_end = 1;
			close_file(r);
			r->file_index++;
			return PREP_OK;
		}
		if (r->after_cr) {
			/* the LF of a CRLF whose CR ended the last record */
			r->after_cr = 0;
			if (r->data[r->data_pos] == '\n') {
				r->data_pos++;
				r->line++;
				continue;
			}
		}
		raw->data = r->data + r->data_pos;
		raw->len = r->data_len - r->data_pos;
		raw->file = r->fname;
		raw->line = r->line;
		r->data_pos = r->data_len;
		return PREP_OK;
	}
}

prep_status
prep_reader_raw_to(prep_reader *r, unsigned char *buf, size_t cap,
		   prep_raw *raw)
{
	size_t got;
	prep_status st;

	memset(raw, 0, sizeof *raw);
	if (r->pending || r->piece || cap == 0)
		return PREP_ERR_ARG;
	/* a plain file past its start, the reader's bytes all taken */
	if (r->fd >= 0 && r->file_started && !r->gz && !r->file_done &&
	    !r->at_eof && !r->after_cr && r->data_pos >= r->data_len &&
	    r->raw_pos >= r->raw_len) {
		if ((st = read_bytes(r, buf, cap, &got)) != PREP_OK)
			return st;
		if (got > 0) {
			raw->data = buf;
			raw->len = got;
			raw->file = r->fname;
			raw->line = r->line;
			return PREP_OK;
		}
		/* the file's end: prep_reader_raw says it */
	}
	return prep_reader_raw(r, raw);
}

size_t
prep_reader_record_max(const prep_reader *r)
{
	/* a record holds at most row_max bytes of fields and their NULs;
	 * written, each byte may be a doubled quote, each field quoted */
	return 3 * r->row_max + SEGMENT_MAX;
}

prep_status
prep_reader_new_piece(const prep_reader *like, prep_reader **out)
{
	prep_reader *r;

	*out = NULL;
	if ((r = calloc(1, sizeof *r)) == NULL)
		return PREP_ERR_NOMEM;
	*out = r;
	r->o = like->o;
	r->o.has_header = 0;
	r->o.sha256 = 0;
	r->o.part_i = r->o.part_n = 0;
	r->row_max = like->row_max;
	r->ncols = like->ncols;
	r->by_col = like->by_col;
	r->by_i = like->by_i;
	r->by_n = like->by_n;
	r->delim_how = like->delim_how;
	r->piece = 1;
	r->fd = -1;
	r->fname = like->fname;
	r->where.file = r->fname;
	return parser_start(r);
}

prep_status
prep_reader_piece(prep_reader *r, unsigned char *data, size_t len,
		  const char *file, unsigned long line)
{
	if (r->p_live)
		csv_free(&r->p);
	r->p_live = 0;
	r->cb_err = PREP_OK;
	r->fname = file;
	r->where.file = file;
	r->where.line = line;
	r->where.field = 0;
	r->data = data;
	r->data_len = len;
	r->data_pos = 0;
	r->at_eof = 1;
	r->file_done = 0;
	r->file_started = 1;
	r->line = line;
	r->rec_line = line;
	r->after_cr = 0;
	r->row_ready = 0;
	r->nfields = 0;
	r->rows = 0;
	return parser_start(r);
}

/* ---- writer ---- */

struct prep_writer {
	int fd;
	prep_writer_options o;
	unsigned char *buf; /* bufs[buf_at] */
	size_t len;
	unsigned char *bufs[IOBUF_RING];
	uint64_t buf_ticket[IOBUF_RING]; /* their bytes hashed: digest.h */
	size_t nbuf, buf_at;
	size_t cap; /* the bytes each of bufs holds: a power of two */
	z_stream zs;
	int zs_live;
	unsigned char *zbuf;
	size_t row_fields;
	size_t last_len;
	uint64_t flushed;	    /* bytes of CSV already out of buf */
	prep_digest *md;	    /* SHA-256 of the bytes written, or NULL */
	uint64_t adopted;	    /* the first bytes, hashed by another
				       writer (prep_writer_adopt_sha256) */
	unsigned char special[256]; /* bytes that force quoting */
	uint64_t records;	    /* ended, or counted by prep_writer_add */
	size_t columns;		    /* fields of the first record; 0: not yet */
	size_t raw_fields;	    /* the first raw record's fields so far */
	int raw_quoted;		    /* ... inside quotes */
	int dropping;		    /* skip_header: the first record to come */
	int skip_header;	    /* prep_writer_skip_header was called */
	int skipped;		    /* ... it was dropped */
	uint64_t raw_dropped;	    /* ... as raw bytes, counted by add */
	int memory;		    /* prep_writer_new_memory: into mem */
	char *mem;
	size_t mem_len, mem_cap;
};

/* The most a memory writer holds: a piece's output. */
#define MEMORY_MAX ((size_t)1 << 30)

prep_status
prep_writer_new(int fd, const prep_writer_options *o, prep_writer **out)
{
	prep_writer *w;
	size_t i;

	*out = NULL;
	w = calloc(1, sizeof *w);
	if (w == NULL)
		return PREP_ERR_NOMEM;
	w->fd = fd;
	w->o = *o;
	/* gzip's output is hashed from a copy (zbuf is reused at once) */
	w->nbuf = w->o.sha256 && !w->o.gzip ? IOBUF_RING : 1;
	w->cap =
	    fd >= 0 && w->nbuf == 1 && !w->o.gzip ? WRITE_SIZE : IOBUF_SIZE;
	for (i = 0; i < w->nbuf; i++)
		if ((w->bufs[i] = malloc(w->cap)) == NULL) {
			prep_writer_free(w);
			return PREP_ERR_NOMEM;
		}
	w->buf = w->bufs[0];
	if (w->o.gzip) {
		int level = w->o.gzip_level ? w->o.gzip_level : 6;

		w->zbuf = malloc(IOBUF_SIZE);
		if (w->zbuf == NULL ||
		    deflateInit2(&w->zs, level, Z_DEFLATED, 16 + MAX_WBITS, 8,
				 Z_DEFAULT_STRATEGY) != Z_OK) {
			prep_writer_free(w);
			return PREP_ERR_NOMEM;
		}
		w->zs_live = 1;
	}
	if (w->o.sha256) {
		prep_status st = prep_digest_new(&w->md);

		if (st != PREP_OK) {
			prep_writer_free(w);
			return st;
		}
	}
	w->special[(unsigned char)w->o.delim] = 1;
	w->special['"'] = 1;
	w->special['\r'] = 1;
	w->special['\n'] = 1;
	*out = w;
	return PREP_OK;
}

static prep_status
write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return PREP_ERR_IO;
		}
		p += k;
		n -= (size_t)k;
	}
	return PREP_OK;
}

/* Write a[0..na) and then b[0..nb) to fd, in one writev(2) if it takes
 * them. */
static prep_status
write_two(int fd, const unsigned char *a, size_t na, const unsigned char *b,
	  size_t nb)
{
	while (na > 0) {
		struct iovec v[2];
		ssize_t k;

		v[0].iov_base = (void *)a;
		v[0].iov_len = na;
		v[1].iov_base = (void *)b;
		v[1].iov_len = nb;
		if ((k = writev(fd, v, 2)) < 0) {
			if (errno == EINTR)
				continue;
			return PREP_ERR_IO;
		}
		if ((size_t)k < na) {
			a += k;
			na -= (size_t)k;
			continue;
		}
		b += (size_t)k - na;
		nb -= (size_t)k - na;
		na = 0;
	}
	return write_all(fd, b, nb);
}

/* Write bytes to the descriptor, through the digest when there is one. */
static prep_status
emit(prep_writer *w, const unsigned char *p, size_t n)
{
	prep_status st;

	if (w->md && (st = prep_digest_update(w->md, p, n)) != PREP_OK)
		return st;
	return write_all(w->fd, p, n);
}

/* emit of a[0..na) and then b[0..nb), in one write. */
static prep_status
emit_two(prep_writer *w, const unsigned char *a, size_t na,
	 const unsigned char *b, size_t nb)
{
	prep_status st;

	if (w->md && ((st = prep_digest_update(w->md, a, na)) != PREP_OK ||
		      (st = prep_digest_update(w->md, b, nb)) != PREP_OK))
		return st;
	return write_two(w->fd, a, na, b, nb);
}

/*
 * Hash buf without a copy while it is written, then go on in the next
 * buffer of the ring, once the hash of what it held last is done.
 */
static prep_status
emit_ring(prep_writer *w)
{
	uint64_t t = 0, skip = 0;
	prep_status st;

	if (w->adopted > w->flushed) /* hashed already: not again */
		skip = w->adopted - w->flushed < w->len
			   ? w->adopted - w->flushed
			   : w->len;
	st = prep_digest_update_ref(w->md, w->buf + skip, w->len - skip, &t);

	if (st == PREP_OK)
		st = write_all(w->fd, w->buf, w->len);
	if (t != 0)
		w->buf_ticket[w->buf_at] = t;
	w->buf_at = (w->buf_at + 1) % w->nbuf;
	w->buf = w->bufs[w->buf_at];
	prep_digest_wait(w->md, w->buf_ticket[w->buf_at]);
	w->buf_ticket[w->buf_at] = 0;
	return st;
}

static prep_status
deflate_out(prep_writer *w, const unsigned char *p, size_t n, int flush)
{
	w->zs.next_in = (unsigned char *)p;
	w->zs.avail_in = (uInt)n;
	for (;;) {
		int zr;
		prep_status st;

		w->zs.next_out = w->zbuf;
		w->zs.avail_out = (uInt)IOBUF_SIZE;
		zr = deflate(&w->zs, flush);
		if (zr == Z_STREAM_ERROR)
			return PREP_ERR_IO;
		st = emit(w, w->zbuf, IOBUF_SIZE - w->zs.avail_out);
		if (st != PREP_OK)
			return st;
		if (flush == Z_FINISH ? zr == Z_STREAM_END
				      : w->zs.avail_out != 0)
			return PREP_OK;
	}
}

/*
 * A memory writer's buffer is the room after its bytes, mem[mem_len..):
 * make it w->cap bytes. On a failure the buffer is a scratch one, so
 * what is written after the failure goes nowhere.
 */
static prep_status
memory_room(prep_writer *w)
{
	size_t ncap = w->mem_cap ? w->mem_cap : w->cap;
	char *nm;

	if (w->mem_cap - w->mem_len < w->cap) {
		while (ncap - w->mem_len < w->cap && ncap < MEMORY_MAX)
			ncap *= 2;
		if (ncap - w->mem_len < w->cap) {
			w->buf = w->bufs[0];
			return PREP_ERR_LIMIT;
		}
		if ((nm = realloc(w->mem, ncap)) == NULL) {
			w->buf = w->bufs[0];
			return PREP_ERR_NOMEM;
		}
		w->mem = nm;
		w->mem_cap = ncap;
	}
	w->buf = (unsigned char *)w->mem + w->mem_len;
	return PREP_OK;
}

static prep_status
flush_buf(prep_writer *w)
{
	prep_status st;

	if (w->len == 0)
		return PREP_OK;
	if (w->memory) {
		/* the bytes are in place already */
		w->mem_len += w->len;
		w->flushed += w->len;
		w->len = 0;
		return memory_room(w);
	}
	if (w->o.gzip)
		st = deflate_out(w, w->buf, w->len, Z_NO_FLUSH);
	else if (w->md && w->nbuf > 1)
		st = emit_ring(w);
	else
		st = emit(w, w->buf, w->len);
	w->flushed += w->len;
	w->len = 0;
	return st;
}

static prep_status
put(prep_writer *w, const char *p, size_t n)
{
	/* a writer whose buffer goes to its descriptor as it stands, so
	 * that bytes may go there from p instead */
	const int straight = !w->memory && !w->o.gzip && w->nbuf == 1;
	prep_status st;

	if (n > w->cap - w->len && w->len > 0 && straight) {
		/* the buffer's bytes and the first of p's that fill it, in
		 * one write and without copying those into it: where the
		 * write ends is where a full buffer's would (a run that
		 * fails leaves the bytes one thread leaves) */
		size_t k = w->cap - w->len;

		st = emit_two(w, w->buf, w->len, (const unsigned char *)p, k);
		w->flushed += w->cap;
		w->len = 0;
		if (st != PREP_OK)
			return st;
		p += k;
		n -= k;
	}
	while (n > w->cap - w->len) {
		size_t k = w->cap - w->len;

		if (w->len == 0 && straight) {
			/* whole buffers' worth straight from p: the bytes,
			 * and where each write ends, are those the buffer
			 * would have given */
			k = n & ~(w->cap - 1); /* whole buffers */
			st = emit(w, (const unsigned char *)p, k);
			w->flushed += k;
			if (st != PREP_OK)
				return st;
			p += k;
			n -= k;
			continue;
		}
		memcpy(w->buf + w->len, p, k);
		w->len += k;
		p += k;
		n -= k;
		if ((st = flush_buf(w)) != PREP_OK)
			return st;
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
	return PREP_OK;
}

static prep_status
put_byte(prep_writer *w, char c)
{
	prep_status st;

	if (w->len == w->cap && (st = flush_buf(w)) != PREP_OK)
		return st;
	w->buf[w->len++] = (unsigned char)c;
	return PREP_OK;
}

/* Does the word x hold a byte of cd, cq, ccr or clf (each one byte
 * repeated)? Its XOR with one has a zero byte, which the classic
 * (v - 0x01..01) & ~v & 0x80..80 test finds. */
static inline int
word_has(uint64_t x, uint64_t cd, uint64_t cq, uint64_t ccr, uint64_t clf)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t a = x ^ cd, b = x ^ cq, c = x ^ ccr, d = x ^ clf;

	return ((((a - ones) & ~a) | ((b - ones) & ~b) | ((c - ones) & ~c) |
		 ((d - ones) & ~d)) &
		0x8080808080808080ULL) != 0;
}

#if defined(__SSE2__)
/* Does p[0..16) hold one of the bytes of cd, cq, ccr and clf? */
static inline int
block_has(const char *p, __m128i cd, __m128i cq, __m128i ccr, __m128i clf)
{
	const __m128i x = _mm_loadu_si128((const __m128i *)p);

	return _mm_movemask_epi8(_mm_or_si128(
		   _mm_or_si128(_mm_cmpeq_epi8(x, cd), _mm_cmpeq_epi8(x, cq)),
		   _mm_or_si128(_mm_cmpeq_epi8(x, ccr),
				_mm_cmpeq_epi8(x, clf)))) != 0;
}
#endif

/*
 * Does data hold the delimiter, a quote, CR or LF? With SSE2, 16 bytes
 * at a time (block_has), the last 16 overlapping the ones before them;
 * else, and for fields under 16 bytes, eight at a time (word_has) the
 * same way; a field of 4 to 7 bytes as one word of its first and last
 * four.
 */
static int
needs_quotes(const prep_writer *w, const char *data, size_t len)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t cd = ones * (unsigned char)w->o.delim;
	const uint64_t cq = ones * '"', ccr = ones * '\r', clf = ones * '\n';
	uint64_t x;
	size_t i;

#if defined(__SSE2__)
	if (len >= 16) {
		const __m128i vd = _mm_set1_epi8((char)w->o.delim),
			      vq = _mm_set1_epi8('"'),
			      vcr = _mm_set1_epi8('\r'),
			      vlf = _mm_set1_epi8('\n');

		for (i = 0; i + 16 < len; i += 16)
			if (block_has(data + i, vd, vq, vcr, vlf))
				return 1;
		return block_has(data + len - 16, vd, vq, vcr, vlf);
	}
#endif
	if (len >= 8) {
		for (i = 0; i + 8 < len; i += 8) {
			memcpy(&x, data + i, 8);
			if (word_has(x, cd, cq, ccr, clf))
				return 1;
		}
		memcpy(&x, data + len - 8, 8);
		return word_has(x, cd, cq, ccr, clf);
	}
	if (len >= 4) {
		uint32_t lo, hi;

		memcpy(&lo, data, 4);
		memcpy(&hi, data + len - 4, 4);
		return word_has(lo | (uint64_t)hi << 32, cd, cq, ccr, clf);
	}
	for (i = 0; i < len; i++)
		if (w->special[(unsigned char)data[i]])
			return 1;
	return 0;
}

/*
 * The delimiter (when sep) and len bytes of data, with one check for room
 * in the buffer in the common case rather than one per byte.
 */
static prep_status
put_after_delim(prep_writer *w, int sep, const char *data, size_t len)
{
	prep_status st;

	if (w->cap - w->len > len) {
		unsigned char *o = w->buf + w->len;

		if (sep)
			*o++ = (unsigned char)w->o.delim;
		memcpy(o, data, len);
		w->len += (size_t)sep + len;
		return PREP_OK;
	}
	if (sep && (st = put_byte(w, (char)w->o.delim)) != PREP_OK)
		return st;
	return put(w, data, len);
}

/*
 * Is nothing written yet of an output whose first field is quoted when it
 * begins like gzip data or a byte order mark (a reader would take it for
 * either)? Not after prep_writer_skip_header dropped the header, nor in a
 * memory writer (prep_writer_append quotes such a field of the output).
 */
static int
at_output_start(const prep_writer *w)
{
	return w->flushed + w->len == 0 && !w->skipped && !w->memory;
}

/*
 * Would a field of data[0..len) (len > 0) holding no delimiter, quote, CR
 * or LF be quoted, after a delimiter when sep? When it begins or ends with
 * a space, or when it is the output's first bytes and begins like gzip
 * data or a byte order mark.
 */
static int
plain_needs_quotes(const prep_writer *w, int sep, const char *data, size_t len)
{
	if (data[0] == ' ' || data[len - 1] == ' ')
		return 1;
	return !sep && at_output_start(w) && len >= 2 &&
	       (memcmp(data, "\x1f\x8b", 2) == 0 ||
		(len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0));
}

/*
 * One field; plain: the caller vouches it holds no delimiter, quote, CR
 * or LF (an unquoted input field of this delimiter), so only the space
 * and first-field rules can ask for quotes, and there are no quotes in
 * it to double.
 */
static inline prep_status
write_field(prep_writer *w, const char *data, size_t len, int plain)
{
	prep_status st;
	int sep;

	if (w->dropping) { /* skip_header */
		w->row_fields++;
		return PREP_OK;
	}
	sep = w->row_fields++ > 0;
	w->last_len = len;
	if (len == 0)
		return sep ? put_byte(w, (char)w->o.delim) : PREP_OK;
	if (!plain_needs_quotes(w, sep, data, len) &&
	    (plain || !needs_quotes(w, data, len)))
		return put_after_delim(w, sep, data, len);
	if (sep && (st = put_byte(w, (char)w->o.delim)) != PREP_OK)
		return st;
	if ((st = put_byte(w, '"')) != PREP_OK)
		return st;
	for (;;) {
		const char *q = plain ? NULL : memchr(data, '"', len);
		size_t k = q ? (size_t)(q - data) + 1 : len;

		if ((st = put(w, data, k)) != PREP_OK)
			return st;
		if (q == NULL)
			break;
		if ((st = put_byte(w, '"')) != PREP_OK)
			return st;
		data += k;
		len -= k;
	}
	return put_byte(w, '"');
}

prep_status
prep_writer_field(prep_writer *w, const char *data, size_t len)
{
	return write_field(w, data, len, 0);
}

prep_status
prep_writer_field_plain(prep_writer *w, const char *data, size_t len)
{
	return write_field(w, data, len, 1);
}

prep_status
prep_writer_end_row(prep_writer *w)
{
	prep_status st;

	if (w->dropping) { /* skip_header: the header ends, unwritten */
		w->columns = w->row_fields;
		w->row_fields = 0;
		w->dropping = 0;
		w->skipped = 1;
		return PREP_OK;
	}
	/* A record of one empty field must not read back as a blank line. */
	if (w->row_fields == 1 && w->last_len == 0 &&
	    (st = put(w, "\"\"", 2)) != PREP_OK)
		return st;
	if (w->columns == 0)
		w->columns = w->row_fields;
	w->records++;
	w->row_fields = 0;
	if (w->o.crlf && (st = put_byte(w, '\r')) != PREP_OK)
		return st;
	return put_byte(w, '\n');
}

uint64_t
prep_writer_bytes(const prep_writer *w)
{
	return w->flushed + w->len;
}

/*
 * The fields of the first record when it comes as raw bytes; returns the
 * bytes of p[0..len) up to the end of that record, its line feed outside
 * quotes included (len when it goes on).
 */
static size_t
count_raw_fields(prep_writer *w, const char *p, size_t len)
{
	size_t i;

	if (w->raw_fields == 0)
		w->raw_fields = 1;
	for (i = 0; i < len && w->columns == 0; i++) {
		if (p[i] == '"')
			w->raw_quoted = !w->raw_quoted;
		else if (w->raw_quoted)
			continue;
		else if (p[i] == (char)w->o.delim)
			w->raw_fields++;
		else if (p[i] == '\n')
			w->columns = w->raw_fields;
	}
	return i;
}

prep_status
prep_writer_raw(prep_writer *w, const void *data, size_t len)
{
	const char *p = data;
	size_t k;

	if (w->o.bytes)
		return put(w, p, len);
	if (w->dropping && w->row_fields > 0)
		return PREP_OK; /* more of a header begun as fields */
	if (w->columns == 0 && w->row_fields == 0 && len > 0) {
		k = count_raw_fields(w, p, len);
		if (w->dropping) { /* skip_header: not the first record */
			if (w->columns == 0)
				return PREP_OK;
			w->dropping = 0;
			w->skipped = 1;
			w->raw_dropped = 1;
			p += k;
			len -= k;
		}
	}
	return put(w, p, len);
}

void
prep_writer_add(prep_writer *w, uint64_t records)
{
	w->records += records;
}

uint64_t
prep_writer_records(const prep_writer *w)
{
	return w->records > w->raw_dropped ? w->records - w->raw_dropped : 0;
}

size_t
prep_writer_columns(const prep_writer *w)
{
	return prep_writer_records(w) > 0 || w->skipped ? w->columns : 0;
}

prep_status
prep_writer_skip_header(prep_writer *w)
{
	if (prep_writer_bytes(w) != 0 || w->row_fields != 0 || w->records ||
	    w->skipped)
		return PREP_ERR_ARG;
	w->skip_header = w->dropping = 1;
	return PREP_OK;
}

int
prep_writer_skipped(const prep_writer *w)
{
	return w->skipped;
}

prep_status
prep_writer_row(prep_writer *w, const prep_field *f, size_t n)
{
	prep_status st;
	size_t i;

	for (i = 0; i < n; i++)
		if ((st = prep_writer_field(w, f[i].data, f[i].len)) != PREP_OK)
			return st;
	return prep_writer_end_row(w);
}

prep_status
prep_writer_copy_field(prep_writer *w, const prep_reader *r, size_t i)
{
	const prep_field *f;

	if (i >= r->nfields)
		return PREP_ERR_ARG;
	f = &r->fields[i];
	/* unquoted in the input: no delimiter, quote, CR or LF in it */
	if (FIELD_HOW(r->quoting[i]) == FIELD_UNQUOTED &&
	    w->o.delim == r->o.delim)
		return prep_writer_field_plain(w, f->data, f->len);
	return prep_writer_field(w, f->data, f->len);
}

/*
 * Where field i of the reader's current record begins in rec_raw (its
 * opening quote, if quoted): walk_record copied the record to rowdata
 * whole, so a field's offset there is its offset in the input.
 */
static size_t
raw_offset(const prep_reader *r, size_t i)
{
	return (size_t)(r->fields[i].data - r->rowdata) -
	       (FIELD_HOW(r->quoting[i]) != FIELD_UNQUOTED);
}

/*
 * Fields i..j-1 of r's current record as w writes them, when that is
 * their stretch of the input bytes (see prep_writer_copy_fields): 1 with
 * the stretch in *p, *len; else 0.
 */
static int
fields_as_read(const prep_writer *w, const prep_reader *r, size_t i, size_t j,
	       const char **p, size_t *len)
{
	size_t k, from, to;
	int form;

	/* as in raw_is_written_form, a field at a time */
	form = i < j && j <= r->nfields && r->rec_raw != NULL && !w->dropping &&
	       w->o.delim == r->o.delim && !at_output_start(w);
	for (k = i; form && !r->rec_written_form && k < j; k++)
		form = !(r->quoting[k] & FIELD_REWRITTEN);
	if (!form)
		return 0;
	from = raw_offset(r, i);
	to = j < r->nfields ? raw_offset(r, j) - 1 : r->rec_raw_len;
	*p = (const char *)r->rec_raw + from;
	*len = to - from;
	return 1;
}

int
prep_writer_fields_as_read(const prep_writer *w, const prep_reader *r,
			   const char **p, size_t *len)
{
	return fields_as_read(w, r, 0, r->nfields, p, len);
}

prep_status
prep_writer_copy_fields(prep_writer *w, const prep_reader *r, size_t i,
			size_t j)
{
	prep_status st;
	const char *p;
	size_t k, len;

	if (i > j || j > r->nfields)
		return PREP_ERR_ARG;
	if (fields_as_read(w, r, i, j, &p, &len)) {
		st = put_after_delim(w, w->row_fields > 0, p, len);
		w->row_fields += j - i;
		w->last_len = r->fields[j - 1].len;
		return st;
	}
	for (k = i; k < j; k++)
		if ((st = prep_writer_copy_field(w, r, k)) != PREP_OK)
			return st;
	return PREP_OK;
}

/*
 * Is the reader's current record, as read (rec_raw), what w would write
 * of its fields? walk_record saw that each field was quoted in the input
 * exactly when a writer with the same delimiter quotes it
 * (rec_written_form); a quoted field is written as "" around its bytes
 * with their quotes doubled, which is how the input had it. Not the
 * output's first record (a field there may need quotes for its first
 * bytes), nor a record of one empty field (written "").
 */
static int
raw_is_written_form(const prep_writer *w, const prep_reader *r)
{
	return r->rec_raw != NULL && r->rec_written_form &&
	       w->o.delim == r->o.delim && !at_output_start(w) &&
	       !(r->nfields == 1 && r->fields[0].len == 0);
}

prep_status
prep_writer_copy_record(prep_writer *w, const prep_reader *r)
{
	prep_status st;

	if (!w->dropping && w->row_fields == 0 && raw_is_written_form(w, r)) {
		size_t len = r->rec_raw_len;

		if (w->cap - w->len >= len + 2) {
			unsigned char *o = w->buf + w->len;

			memcpy(o, r->rec_raw, len);
			if (w->o.crlf)
				o[len++] = '\r';
			o[len++] = '\n';
			w->len += len;
		} else if ((st = put(w, (const char *)r->rec_raw, len)) !=
			       PREP_OK ||
			   (st = put(w, w->o.crlf ? "\r\n" : "\n",
				     1 + (size_t)w->o.crlf)) != PREP_OK) {
			return st;
		}
		if (w->columns == 0)
			w->columns = r->nfields;
		w->records++;
		return PREP_OK;
	}
	if ((st = prep_writer_copy_fields(w, r, 0, r->nfields)) != PREP_OK)
		return st;
	return prep_writer_end_row(w);
}

prep_status
prep_writer_finish(prep_writer *w)
{
	prep_status st = flush_buf(w);

	if (st != PREP_OK)
		return st;
	if (w->o.gzip && w->zs_live) {
		st = deflate_out(w, NULL, 0, Z_FINISH);
		deflateEnd(&w->zs);
		w->zs_live = 0;
	}
	return st;
}

prep_status
prep_writer_adopt_sha256(prep_writer *w, const prep_writer *from)
{
	prep_status st;

	if (w->md == NULL || from->md == NULL || w->o.gzip || w->skip_header ||
	    w->nbuf < 2 || prep_writer_bytes(w) != 0 || from->len != 0)
		return PREP_ERR_ARG;
	if ((st = prep_digest_copy(w->md, from->md)) != PREP_OK)
		return st;
	w->adopted = from->flushed;
	return PREP_OK;
}

prep_status
prep_writer_sha256(prep_writer *w, unsigned char digest[32])
{
	prep_status st;

	/* none, or not the digest of what was written: fewer bytes than
	 * the adopted digest covers */
	if (w->md == NULL || prep_writer_bytes(w) < w->adopted)
		return PREP_ERR_ARG;
	st = prep_digest_final(w->md, digest);
	prep_digest_free(w->md);
	w->md = NULL;
	return st;
}

void
prep_writer_free(prep_writer *w)
{
	size_t i;

	if (w == NULL)
		return;
	prep_digest_free(w->md); /* first: it may be reading bufs */
	if (w->zs_live)
		deflateEnd(&w->zs);
	free(w->zbuf);
	for (i = 0; i < w->nbuf; i++)
		free(w->bufs[i]);
	free(w->mem);
	free(w);
}

prep_status
prep_writer_new_memory(const prep_writer *like, prep_writer **out)
{
	prep_writer_options mo = like->o;
	prep_status st;

	mo.gzip = 0;
	mo.sha256 = 0;
	if ((st = prep_writer_new(-1, &mo, out)) != PREP_OK)
		return st;
	(*out)->memory = 1;
	if ((st = memory_room(*out)) != PREP_OK) {
		prep_writer_free(*out);
		*out = NULL;
	}
	return st;
}

void
prep_writer_reset(prep_writer *w)
{
	w->len = 0;
	w->mem_len = 0;
	if (w->memory && w->mem != NULL)
		w->buf = (unsigned char *)w->mem;
	w->flushed = 0;
	w->row_fields = 0;
	w->records = 0;
	w->columns = 0;
}

const char *
prep_writer_data(const prep_writer *w, size_t *len)
{
	*len = w->mem_len;
	return w->mem;
}

/*
 * The first field of bytes p[0..n) written by a memory writer, when it
 * is unquoted and looks like gzip data or a byte order mark: the field
 * prep_writer_field quotes at the start of an output.
 */
static size_t
lead_special(const prep_writer *w, const char *p, size_t n)
{
	size_t k;

	for (k = 0;
	     k < n && p[k] != (char)w->o.delim && p[k] != '\r' && p[k] != '\n';
	     k++)
		;
	if ((k >= 2 && memcmp(p, "\x1f\x8b", 2) == 0) ||
	    (k >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0))
		return k;
	return 0;
}

prep_status
prep_writer_append(prep_writer *w, const prep_writer *piece)
{
	const char *p = piece->mem;
	size_t n = piece->mem_len, k;
	prep_status st;

	if (!piece->memory || piece->len != 0)
		return PREP_ERR_ARG; /* not a memory writer, or not flushed */
	if (n == 0)
		return PREP_OK;
	if (!w->o.bytes && w->flushed + w->len == 0 && !w->skipped &&
	    !w->dropping && (k = lead_special(w, p, n)) > 0) {
		if ((st = put_byte(w, '"')) != PREP_OK ||
		    (st = put(w, p, k)) != PREP_OK ||
		    (st = put_byte(w, '"')) != PREP_OK)
			return st;
		if (w->columns == 0)
			w->raw_fields = 1; /* the field counted */
		p += k;
		n -= k;
	}
	if ((st = prep_writer_raw(w, p, n)) != PREP_OK)
		return st;
	prep_writer_add(w, piece->records);
	return PREP_OK;
}
