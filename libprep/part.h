/*
 * part.h: the parts of a CSV input, for running one filter as N
 * processes (--part I/N, --part-by COLUMN; prep(7), "Scale-out").
 *
 * By bytes (prep_part_find, prep_part_split): part k of N of a file of
 * size bytes is the range [floor(size (k-1) / N), floor(size k / N)), and
 * it holds every record that begins in that range. A record begins at
 * offset 0 or right after a line feed that ends a record: one outside
 * quotes. Quoted fields may hold line feeds, so the quote state at an
 * offset is needed, and RFC 4180 gives it by counting: a quoted field is
 * a quote, its text with every quote in it doubled, and a quote (RFC
 * 4180 section 2, rules 5 to 7), and an unquoted field holds no quote;
 * so the number of quote bytes before an offset is even exactly when the
 * offset is outside a quoted field. The finder counts them from the
 * start of the file with memchr(3), which runs at the speed of memory,
 * and looks for the first line feed after the range's first byte with an
 * even count before it. Only the quote and the line feed matter: the
 * delimiter does not, and a CR before the LF belongs to the record it
 * ends. Input with stray quotes in unquoted fields (what --lazy-quotes
 * accepts) has no such count: there a part may begin inside what the
 * reader takes for a quoted field, so it is no input for parts.
 *
 * The parts' records are then every record of the file, each in exactly
 * one part, in order: part k's end is part k+1's start. A part may be
 * empty (N larger than the records, or a record longer than size / N):
 * its start equals its end. The header, the record at offset 0, is in
 * the part whose range holds offset 0; a reader of a part reads it
 * anyway (csv.h, prep_csv_options.part_i), to know the columns.
 *
 * By value (prep_part_of): the part of a row is its column's value under
 * a keyed hash, so that every row of one value (one person) is in one
 * part, wherever in the input it is.
 */
#ifndef PREP_PART_H
#define PREP_PART_H

#include <stddef.h>
#include <stdint.h>

#include "prep.h"

/* The most parts: N fits in 32 bits (size * N fits in 128). */
#define PREP_PART_MAX 4294967295UL

typedef struct prep_part {
	uint64_t start; /* offset of the part's first record */
	uint64_t end;	/* offset just past its last one: next part's start */
	uint64_t line;	/* 1-based physical line at start: 1 + LFs before */
} prep_part;

/*
 * Read "I/N", as --part takes it: two whole numbers in decimal, no sign,
 * no space. PREP_ERR_ARG for anything else (or a number past
 * PREP_PART_MAX); PREP_ERR_RANGE, with *i and *n set, when N is 0 or I
 * is not from 1 to N.
 */
prep_status prep_part_parse(const char *arg, unsigned long *i,
			    unsigned long *n);

/*
 * Part i (1-based) of n of the CSV in buf[0..size): its records' start,
 * end and first line. One pass of memchr over buf[0..end), no
 * allocation. PREP_ERR_ARG unless 1 <= i <= n <= PREP_PART_MAX.
 */
prep_status prep_part_find(const void *buf, uint64_t size, unsigned long i,
			   unsigned long n, prep_part *out);

/*
 * Every part of n at once, into parts[0..n): one pass over the bytes up to
 * the last part's start (for cutting one buffer into chunks for threads).
 * PREP_ERR_ARG unless 1 <= n <= PREP_PART_MAX.
 */
prep_status prep_part_split(const void *buf, uint64_t size, unsigned long n,
			    prep_part *parts);

/*
 * prep_part_find on the regular file open on fd, of size bytes (as
 * fstat(2) gave it), read with pread(2) from offset 0 in blocks of 1 MiB:
 * the file offset does not move. A file that is shorter than size when it
 * is read ends where it ends. PREP_ERR_IO (errno set) when a read fails,
 * PREP_ERR_NOMEM, PREP_ERR_ARG as prep_part_find.
 */
prep_status prep_part_find_fd(int fd, uint64_t size, unsigned long i,
			      unsigned long n, prep_part *out);

/*
 * The part, 0 to n-1, of a row whose partitioning column holds
 * value[0..len): SipHash-2-4 (Aumasson & Bernstein, INDOCRYPT 2012) of
 * the value's bytes under the all-zero key, modulo n (n >= 1). The key is
 * fixed and public: the hash only spreads values evenly over the parts
 * and is the same in every process and every filter, so that a value
 * lands in the same part wherever it is partitioned. It is not a secret
 * and hides nothing.
 */
unsigned long prep_part_of(const void *value, size_t len, unsigned long n);

#endif
