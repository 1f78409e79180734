/*
 * fuzz_part.c: libFuzzer harness of the parts of a CSV input (part.h) and
 * of the reader's part options (csv.h).
 *
 * Input layout: byte 0 holds the options, bits
 *	0-3 N - 1 (1 to 16 parts)	5 delimiter ';' (else sniffed)
 *	4   has_header			6 ragged and keep_blank (validate's)
 * and the rest is the file.
 *
 * Checked, else abort():
 *  - prep_part_split against prep_part_find, part by part, and both
 *    against a brute force: each start is the first offset at or after
 *    the range's first byte that is 0 or follows a line feed with an even
 *    number of quotes before it (or the size), each end the next start,
 *    each line 1 + the line feeds before the start;
 *  - the reader: when the whole file reads without an error, parts 1..N
 *    read without one too and return, end to end, the same records with
 *    the same lines; with prep_reader_part_by on the first column, part I
 *    of 16 returns, in order, the records whose first field prep_part_of
 *    puts in part I - 1; gzip input (raw bytes 1f 8b) gives no part's
 *    record.
 * Work is bounded: at most 4,000 records per read.
 */
#include "fuzz_common.h"

#include "buf.h"
#include "csv.h"
#include "part.h"

#define MAX_RECORDS 4000

/*
 * Every record read as "LINE:FIELDS:LEN:BYTES...LEN:BYTES\n" appended to
 * out; in parts[] (NULL: not wanted) the part of its first field in 16
 * (prep_part_of), in ends[] (NULL: not wanted) the offset in out past it.
 */
static prep_status
read_all(int fd, const prep_csv_options *o, unsigned long by_i,
	 unsigned long by_n, prep_buf *out, unsigned char *parts, size_t *ends,
	 size_t *nrec)
{
	prep_reader *r = NULL;
	const prep_field *f;
	prep_status st;
	size_t n, k;
	char num[48];

	*nrec = 0;
	if (lseek(fd, 0, SEEK_SET) != 0)
		return PREP_ERR_IO;
	st = prep_reader_new_fd(o, fd, "fuzz", &r);
	if (st == PREP_OK && by_n)
		st = prep_reader_part_by(r, 0, by_i, by_n);
	while (st == PREP_OK && *nrec < MAX_RECORDS &&
	       (st = prep_reader_next_row(r, &f, &n)) == PREP_OK) {
		int len = snprintf(num, sizeof num,
				   "%lu:%zu:", prep_reader_where(r).line, n);

		if (prep_buf_append(out, num, (size_t)len) != PREP_OK)
			st = PREP_ERR_NOMEM;
		for (k = 0; k < n && st == PREP_OK; k++) {
			len = snprintf(num, sizeof num, "%zu:", f[k].len);
			if (prep_buf_append(out, num, (size_t)len) != PREP_OK ||
			    prep_buf_append(out, f[k].data, f[k].len) !=
				PREP_OK)
				st = PREP_ERR_NOMEM;
		}
		if (parts)
			parts[*nrec] = (unsigned char)prep_part_of(
			    n ? f[0].data : "", n ? f[0].len : 0, 16);
		if (prep_buf_append(out, "\n", 1) != PREP_OK)
			st = PREP_ERR_NOMEM;
		if (ends)
			ends[*nrec] = out->len;
		(*nrec)++;
	}
	prep_reader_free(r);
	if (st == PREP_OK) /* the record cap: no verdict */
		st = PREP_ERR_LIMIT;
	return st;
}

/* The ranges of p[0..size) in n parts against a brute force. */
static void
check_ranges(const uint8_t *p, size_t size, unsigned long n)
{
	prep_part all[16], one;
	/* first[k]: the first record that begins at or after k (or size);
	 * lines[k]: 1 + the line feeds before k */
	size_t *first = malloc((size + 1) * sizeof *first);
	size_t *lines = malloc((size + 1) * sizeof *lines);
	unsigned char *odd = malloc(size + 1); /* odd quotes before k */
	size_t k;
	unsigned long i;

	if (first == NULL || lines == NULL || odd == NULL)
		goto out;
	lines[0] = 1;
	odd[0] = 0;
	for (k = 0; k < size; k++) {
		lines[k + 1] = lines[k] + (p[k] == '\n');
		odd[k + 1] = odd[k] ^ (p[k] == '"');
	}
	first[size] = size;
	for (k = size; k-- > 0;)
		first[k] =
		    k == 0 || (p[k - 1] == '\n' && !odd[k]) ? k : first[k + 1];
	if (prep_part_split(p, size, n, all) != PREP_OK)
		abort();
	for (i = 1; i <= n; i++) {
		size_t lo = (size_t)((uint64_t)size * (i - 1) / n);
		size_t hi = (size_t)((uint64_t)size * i / n);

		if (prep_part_find(p, size, i, n, &one) != PREP_OK ||
		    one.start != all[i - 1].start ||
		    one.end != all[i - 1].end || one.line != all[i - 1].line)
			abort();
		if (one.start != first[lo] || one.end != first[hi] ||
		    one.line != lines[one.start])
			abort();
	}
out:
	free(first);
	free(lines);
	free(odd);
}

/* Parts 1..n of the file on fd, end to end, against the whole. */
static void
check_reader(int fd, const prep_csv_options *base, unsigned long n)
{
	prep_csv_options o = *base;
	prep_buf whole, parts, mine;
	unsigned char which[MAX_RECORDS];
	size_t ends[MAX_RECORDS], nrec, nr, r, at;
	unsigned long i;
	prep_status st;

	prep_buf_init(&whole, 0);
	prep_buf_init(&parts, 0);
	prep_buf_init(&mine, 0);
	if (read_all(fd, &o, 0, 0, &whole, which, ends, &nrec) != PREP_END)
		goto out; /* an error in the whole file: parts may differ */
	for (i = 1; i <= n; i++) {
		o.part_i = i;
		o.part_n = n;
		st = read_all(fd, &o, 0, 0, &parts, NULL, NULL, &nr);
		if (st == PREP_ERR_NOMEM || st == PREP_ERR_IO)
			goto out;
		if (st != PREP_END)
			abort();
	}
	if (parts.len != whole.len ||
	    (whole.len && memcmp(parts.data, whole.data, whole.len) != 0))
		abort();
	/* --part-by on the first column, 16 parts (read_all's parts[]) */
	o.part_i = o.part_n = 0;
	for (i = 1; i <= 16; i++) {
		parts.len = mine.len = 0;
		st = read_all(fd, &o, i, 16, &parts, NULL, NULL, &nr);
		if (st == PREP_ERR_NOMEM || st == PREP_ERR_IO)
			goto out;
		if (st != PREP_END)
			abort();
		/* the whole's records of part i, in order */
		for (r = 0, at = 0; r < nrec; at = ends[r++])
			if (which[r] == i - 1 &&
			    prep_buf_append(&mine, whole.data + at,
					    ends[r] - at) != PREP_OK)
				goto out;
		if (parts.len != mine.len ||
		    (mine.len && memcmp(parts.data, mine.data, mine.len) != 0))
			abort();
	}
out:
	prep_buf_free(&whole);
	prep_buf_free(&parts);
	prep_buf_free(&mine);
}

/* gzip data has no parts: refused (or a corrupt stream's error). */
static void
refuse_gzip(int fd, const prep_csv_options *base, unsigned long n)
{
	prep_csv_options o = *base;
	prep_buf out;
	size_t nr;
	prep_status st;

	prep_buf_init(&out, 0);
	o.part_i = n;
	o.part_n = n;
	st = read_all(fd, &o, 0, 0, &out, NULL, NULL, &nr);
	if (st == PREP_END && nr > 0)
		abort();
	prep_buf_free(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	prep_csv_options o;
	unsigned long n;
	int fd;

	if (size < 1)
		return 0;
	n = 1 + (data[0] & 15);
	prep_csv_options_init(&o);
	o.has_header = (data[0] >> 4) & 1;
	if (data[0] & 32)
		o.delim = ';';
	o.ragged = o.keep_blank = (data[0] >> 6) & 1;
	check_ranges(data + 1, size - 1, n);
	if ((fd = fuzz_memfd(data + 1, size - 1)) < 0)
		return 0;
	if (size >= 3 && data[1] == 0x1f && data[2] == 0x8b)
		refuse_gzip(fd, &o, n); /* no part of a gzip stream */
	else
		check_reader(fd, &o, n);
	close(fd);
	return 0;
}
