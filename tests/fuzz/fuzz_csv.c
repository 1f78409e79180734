/*
 * fuzz_csv.c: libFuzzer harness of the CSV reader and writer (csv.h).
 *
 * Input layout: byte 0 holds the options, bits
 *	0-1 delimiter: sniffed, ';' TAB '|'	4 ragged
 *	2   has_header			5 keep_blank
 *	3   lazy_quotes			6 gzip-compress the rest first
 *	7   byte 1 holds caps: bits 0-3 max_field 16 << (n % 9) (16..4096),
 *	    bits 4-5 max_fields 0 (default), 3, 64, 1000
 * and the rest is the file. Raw bytes starting 1f 8b are a (mostly
 * corrupt) gzip stream; bit 6 makes a valid one of the rest.
 *
 * The reader's own split of well-formed lines is held to libcsv alone:
 * the same input read again with the libcsv_only option must give the
 * same records, status and place, else abort(); and every record the
 * reader hands out with its raw bytes (prep_reader_record_raw) must be
 * rebuilt from its fields and prep_reader_field_quoted, and be written
 * by prep_writer_copy_record exactly as prep_writer_row writes it.
 *
 * A header's repeated names are checked against a brute force
 * (prep_columns_duplicate), and so is the table of the filters on the
 * records' first fields (prep_strset). Every record read (the header first,
 *when there is one) is kept and written with prep_writer to another anonymous
 *file, which is read back with the same delimiter, no header, strict quotes,
 *ragged and keep_blank on: the records must come back byte for byte (the writer
 *quotes what needs quoting and writes a record of one empty field as ""), else
 * abort(). Work is bounded: at most 10,000 records and 8 MiB of fields
 * per input, and a raw gzip input that inflates to more than 256 KiB is
 * skipped (a few KiB of input could otherwise feed the reader megabytes
 * and slow fuzzing a hundredfold; the unit and CLI tests cover big
 * fields).
 */
#include "fuzz_common.h"

#include "buf.h"
#include "columns.h"
#include "csv.h"
#include "strset.h"

#define MAX_RECORDS 10000
#define MAX_KEPT ((size_t)8 << 20)
#define MAX_INFLATED ((size_t)256 << 10)

/* Does p[0..n), gzip members back to back, inflate to over max bytes? */
static int
inflates_beyond(const uint8_t *p, size_t n, size_t max)
{
	unsigned char out[16384];
	size_t total = 0;
	z_stream zs;
	int zr = Z_OK;

	memset(&zs, 0, sizeof zs);
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return 1;
	zs.next_in = (Bytef *)(uintptr_t)p;
	zs.avail_in = (uInt)n;
	while (total <= max) {
		zs.next_out = out;
		zs.avail_out = sizeof out;
		zr = inflate(&zs, Z_NO_FLUSH);
		total += sizeof out - zs.avail_out;
		if (zr == Z_STREAM_END && zs.avail_in > 0)
			zr = inflateReset(&zs);
		else if (zr != Z_OK)
			break;
	}
	inflateEnd(&zs);
	return total > max;
}

/* The records read: field bytes back to back, and per record its count. */
struct kept {
	prep_buf bytes;
	size_t *flen; /* length of every field, in order */
	size_t nf, fcap;
	size_t *rfields; /* fields of every record */
	size_t nr, rcap;
};

static int
keep_record(struct kept *k, const prep_field *f, size_t n)
{
	size_t i, nf0 = k->nf, len0 = k->bytes.len;

	if (k->nr == k->rcap) {
		size_t nc = k->rcap ? k->rcap * 2 : 64;
		size_t *v = realloc(k->rfields, nc * sizeof *v);

		if (v == NULL)
			return -1;
		k->rfields = v;
		k->rcap = nc;
	}
	for (i = 0; i < n; i++) {
		if (k->nf == k->fcap) {
			size_t nc = k->fcap ? k->fcap * 2 : 256;
			size_t *v = realloc(k->flen, nc * sizeof *v);

			if (v == NULL)
				goto undo;
			k->flen = v;
			k->fcap = nc;
		}
		if (prep_buf_append(&k->bytes, f[i].data, f[i].len) != PREP_OK)
			goto undo;
		k->flen[k->nf++] = f[i].len;
	}
	k->rfields[k->nr++] = n;
	return 0;
undo:
	/* Drop the part of this record kept so far. */
	k->nf = nf0;
	k->bytes.len = len0;
	return -1;
}

static void
kept_free(struct kept *k)
{
	prep_buf_free(&k->bytes);
	free(k->flen);
	free(k->rfields);
}

/* Write the kept records with delimiter delim and read them back. */
static void
round_trip(const struct kept *k, int delim)
{
	prep_writer_options wo;
	prep_writer *w = NULL;
	prep_csv_options o;
	prep_reader *r = NULL;
	const prep_field *f;
	size_t i, j, n, fi = 0, off = 0;
	int fd;
	prep_status st;

	if ((fd = memfd_create("fuzz-out", MFD_CLOEXEC)) < 0)
		return;
	memset(&wo, 0, sizeof wo);
	wo.delim = delim;
	if (prep_writer_new(fd, &wo, &w) != PREP_OK)
		goto out;
	for (i = 0; i < k->nr; i++) {
		for (j = 0; j < k->rfields[i]; j++) {
			size_t len = k->flen[fi + j];

			if (prep_writer_field(w, k->bytes.data + off, len) !=
			    PREP_OK)
				abort();
			off += len;
		}
		fi += k->rfields[i];
		if (prep_writer_end_row(w) != PREP_OK)
			abort();
	}
	if (prep_writer_finish(w) != PREP_OK)
		abort();
	if (lseek(fd, 0, SEEK_SET) != 0)
		goto out;

	prep_csv_options_init(&o);
	o.delim = delim;
	o.has_header = 0;
	o.ragged = 1;
	o.keep_blank = 1;
	st = prep_reader_new_fd(&o, fd, "round-trip", &r);
	if (st != PREP_OK)
		abort();
	fi = off = 0;
	for (i = 0; i < k->nr; i++) {
		if (prep_reader_next_row(r, &f, &n) != PREP_OK)
			abort();
		if (n != k->rfields[i])
			abort();
		for (j = 0; j < n; j++) {
			size_t len = k->flen[fi + j];

			if (f[j].len != len ||
			    (len && memcmp(f[j].data, k->bytes.data + off,
					   len) != 0) ||
			    f[j].data[len] != '\0')
				abort();
			off += len;
		}
		fi += n;
	}
	if (prep_reader_next_row(r, &f, &n) != PREP_END)
		abort();
out:
	prep_reader_free(r);
	prep_writer_free(w);
	close(fd);
}

/*
 * prep_columns_duplicate against a brute force over the first 2,000
 * names: the earliest repeat of a non-blank name, both positions.
 */
static void
check_duplicates(const prep_field *h, size_t n)
{
	size_t first, second, i, j, want1 = (size_t)-1, want2 = (size_t)-1;

	if (n > 2000)
		return;
	if (prep_columns_duplicate(h, n, &first, &second) != PREP_OK)
		return; /* out of memory */
	for (j = 0; j < n && want2 == (size_t)-1; j++)
		for (i = 0; i < j && h[j].len > 0; i++)
			if (h[i].len == h[j].len &&
			    memcmp(h[i].data, h[j].data, h[j].len) == 0) {
				want1 = i;
				want2 = j;
				break;
			}
	if (second != want2 || (want2 != (size_t)-1 && first != want1))
		abort();
}

/*
 * The table of the filters (strset.h) on the first field of every kept
 * record, against a brute force over the first 2,000: a key gets the id
 * of its first record's key, new keys get dense ids in order, and every
 * key is found again. The corpus holds keys that all collided under the
 * hash the tables used before SipHash (corpus/csv/hash-flood).
 */
static void
check_table(const struct kept *k)
{
	const char *p = k->bytes.data, *key[2000];
	size_t len[2000], n = 0, r, f = 0, id, i, want;
	prep_strset s;

	prep_strset_init(&s, 0);
	for (r = 0; r < k->nr && n < 2000; r++) {
		const char *kp = p;
		size_t kl = k->flen[f];

		for (i = 0; i < k->rfields[r]; i++)
			p += k->flen[f++];
		if (prep_strset_lookup(&s, kp, kl, 1, &id, NULL) != PREP_OK)
			break; /* out of memory */
		for (want = 0; want < n; want++)
			if (len[want] == kl && memcmp(key[want], kp, kl) == 0)
				break;
		if (id != want)
			abort();
		if (want == n) {
			key[n] = kp;
			len[n++] = kl;
		}
	}
	if (s.n != n)
		abort();
	for (i = 0; i < n; i++)
		if (prep_strset_lookup(&s, key[i], len[i], 0, &id, NULL) !=
			PREP_OK ||
		    id != i)
			abort();
	prep_strset_free(&s);
}

/* The raw bytes of r's current record, if any, against its fields. */
static void
check_raw(const prep_reader *r, const prep_field *f, size_t n)
{
	const char *raw, *p;
	size_t len, i, at = 0;
	char delim = (char)prep_reader_delim(r);

	if (!prep_reader_record_raw(r, &raw, &len))
		return;
	for (i = 0; i < n; i++) {
		int q = prep_reader_field_quoted(r, i);

		if (i > 0 && (at >= len || raw[at++] != delim))
			abort();
		if (q < 0)
			abort(); /* raw bytes: every field's quoting known */
		if (q == 0) {
			if (at + f[i].len > len ||
			    memcmp(raw + at, f[i].data, f[i].len) != 0)
				abort();
			for (p = f[i].data; p < f[i].data + f[i].len; p++)
				if (*p == delim || *p == '"' || *p == '\r' ||
				    *p == '\n')
					abort();
			at += f[i].len;
			continue;
		}
		if (at >= len || raw[at++] != '"')
			abort();
		for (p = f[i].data; p < f[i].data + f[i].len; p++) {
			if (at >= len || raw[at++] != *p)
				abort();
			if (*p == '"' && (at >= len || raw[at++] != '"'))
				abort();
		}
		if (at >= len || raw[at++] != '"')
			abort();
	}
	if (at != len)
		abort();
}

/*
 * Read fd from its start with o, and with libcsv_only: the same records,
 * status and place. Each record of the first reading is also written by
 * prep_writer_row and by prep_writer_copy_record: the same bytes.
 */
static void
differential(const prep_csv_options *o, int fd)
{
	prep_csv_options ref = *o;
	prep_reader *a = NULL, *b = NULL;
	prep_writer *wa = NULL, *wb = NULL;
	prep_writer_options wo;
	const prep_field *fa, *fb;
	size_t na, nb, i, nrec = 0;
	prep_status sa, sb;
	prep_where pa, pb;
	int oa = -1, ob = -1;

	ref.libcsv_only = 1;
	if (lseek(fd, 0, SEEK_SET) != 0)
		return;
	sa = prep_reader_new_fd(o, fd, "fuzz", &a);
	if (sa != PREP_OK && sa != PREP_END && sa < PREP_ERR_QUOTE)
		goto out; /* out of memory, I/O: not a finding */
	if (lseek(fd, 0, SEEK_SET) != 0)
		goto out;
	sb = prep_reader_new_fd(&ref, fd, "fuzz", &b);
	if (sa != sb)
		abort();
	if (sa == PREP_OK) {
		fa = prep_reader_header(a, &na);
		fb = prep_reader_header(b, &nb);
		if ((fa == NULL) != (fb == NULL) || na != nb)
			abort();
		for (i = 0; fa && i < na; i++)
			if (fa[i].len != fb[i].len ||
			    memcmp(fa[i].data, fb[i].data, fa[i].len) != 0)
				abort();
		memset(&wo, 0, sizeof wo);
		wo.delim = prep_reader_delim(a);
		if ((oa = memfd_create("fuzz-a", MFD_CLOEXEC)) < 0 ||
		    (ob = memfd_create("fuzz-b", MFD_CLOEXEC)) < 0 ||
		    prep_writer_new(oa, &wo, &wa) != PREP_OK ||
		    prep_writer_new(ob, &wo, &wb) != PREP_OK)
			goto out;
		if (fa && (prep_writer_row(wa, fa, na) != PREP_OK ||
			   prep_writer_row(wb, fa, na) != PREP_OK))
			goto out;
	}
	while (sa == PREP_OK && nrec++ < MAX_RECORDS) {
		sa = prep_reader_next_row(a, &fa, &na);
		sb = prep_reader_next_row(b, &fb, &nb);
		if (sa != sb)
			abort();
		if (sa != PREP_OK)
			break;
		if (na != nb)
			abort();
		for (i = 0; i < na; i++)
			if (fa[i].len != fb[i].len ||
			    memcmp(fa[i].data, fb[i].data, fa[i].len) != 0)
				abort();
		check_raw(a, fa, na);
		if (prep_writer_row(wa, fa, na) != PREP_OK ||
		    prep_writer_copy_record(wb, a) != PREP_OK)
			goto out;
	}
	if (sa != PREP_OK && sa != PREP_END) {
		pa = prep_reader_where(a);
		pb = prep_reader_where(b);
		if (pa.line != pb.line || pa.field != pb.field)
			abort();
	}
	if (wa && wb) {
		size_t len;
		unsigned char *x, *y;

		if (prep_writer_finish(wa) != PREP_OK ||
		    prep_writer_finish(wb) != PREP_OK)
			goto out;
		if (prep_writer_bytes(wa) != prep_writer_bytes(wb))
			abort();
		len = (size_t)prep_writer_bytes(wa);
		x = malloc(len + 1);
		y = malloc(len + 1);
		if (x && y && pread(oa, x, len, 0) == (ssize_t)len &&
		    pread(ob, y, len, 0) == (ssize_t)len &&
		    memcmp(x, y, len) != 0)
			abort();
		free(x);
		free(y);
	}
out:
	prep_writer_free(wa);
	prep_writer_free(wb);
	if (oa >= 0)
		close(oa);
	if (ob >= 0)
		close(ob);
	prep_reader_free(a);
	prep_reader_free(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	prep_csv_options o;
	prep_reader *r = NULL;
	const prep_field *f, *hdr;
	struct kept k;
	unsigned char *gz = NULL;
	const uint8_t *body;
	size_t n, nbody, gzlen;
	unsigned b0, b1 = 0;
	int fd, truncated = 0;
	prep_status st;
	/* -1: found in the first line, as without -d */
	static const int delims[4] = {-1, ';', '\t', '|'};
	static const size_t caps[4] = {0, 3, 64, 1000};

	if (size < 1)
		return 0;
	b0 = data[0];
	body = data + 1;
	nbody = size - 1;
	if ((b0 & 0x80) && nbody > 0) {
		b1 = body[0];
		body++;
		nbody--;
	}
	prep_csv_options_init(&o);
	o.delim = delims[b0 & 3];
	o.has_header = (b0 >> 2) & 1;
	o.lazy_quotes = (b0 >> 3) & 1;
	o.ragged = (b0 >> 4) & 1;
	o.keep_blank = (b0 >> 5) & 1;
	if (b0 & 0x80) {
		o.max_field = (size_t)16 << ((b1 & 15) % 9);
		o.max_fields = caps[(b1 >> 4) & 3];
	}
	if (nbody >= 2 && body[0] == 0x1f && body[1] == 0x8b &&
	    inflates_beyond(body, nbody, MAX_INFLATED))
		return 0;
	if (b0 & 0x40) {
		if (fuzz_gzip(body, nbody, &gz, &gzlen) != 0)
			return 0;
		body = gz;
		nbody = gzlen;
	}
	fd = fuzz_memfd(body, nbody);
	free(gz);
	if (fd < 0)
		return 0;

	differential(&o, fd);
	if (lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return 0;
	}
	memset(&k, 0, sizeof k);
	prep_buf_init(&k.bytes, MAX_KEPT);
	st = prep_reader_new_fd(&o, fd, "fuzz", &r);
	if (st == PREP_OK) {
		hdr = prep_reader_header(r, &n);
		if (hdr && keep_record(&k, hdr, n) != 0)
			truncated = 1;
		if (!o.has_header && hdr)
			abort(); /* a header without has_header */
		if (hdr)
			check_duplicates(hdr, n);
		while (!truncated && k.nr < MAX_RECORDS &&
		       (st = prep_reader_next_row(r, &f, &n)) == PREP_OK) {
			size_t i;

			if (n == 0 || f == NULL)
				abort(); /* a record has at least one field */
			if (!o.ragged && n != prep_reader_columns(r))
				abort();
			if (o.max_fields && n > o.max_fields)
				abort();
			for (i = 0; i < n; i++)
				if (f[i].len >
					prep_reader_options(r)->max_field ||
				    f[i].data[f[i].len] != '\0')
					abort();
			if (keep_record(&k, f, n) != 0)
				truncated = 1;
		}
		(void)prep_reader_where(r);
	}
	if (r) {
		int d = prep_reader_delim(r);

		/* a sniffed delimiter is one of the four */
		if (d != ',' && d != ';' && d != '\t' && d != '|')
			abort();
		o.delim = d;
	}
	prep_reader_free(r);
	close(fd);
	/* A record that did not fit in the kept buffer is simply not kept. */
	if (k.nr > 0) {
		check_table(&k);
		round_trip(&k, o.delim);
	}
	kept_free(&k);
	return 0;
}
