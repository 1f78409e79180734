/*
 * test_part.c: unit tests of libprep/part.c.
 *
 * The byte ranges are checked against a brute force: random CSV whose
 * quoted fields hold line feeds, CRs, delimiters and doubled quotes, some
 * of it with CRLF line ends and blank lines, parsed byte by byte with the
 * RFC 4180 state machine (inside or outside quotes) to list the offsets
 * where records begin. For every N from 1 to 9 and every part, the start
 * must be the first beginning at or after the range's first byte, the
 * end the next part's start, the line 1 + the line feeds before the
 * start; so every record is in exactly one part, the one whose range
 * holds its beginning. prep_part_split and the file-reading
 * prep_part_find_fd (on a file of several of its 1 MiB blocks) must agree
 * with prep_part_find. prep_part_of is checked against SipHash-2-4 values
 * of tests/unit/kat/gen_siphash.py (zero key).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "part.h"

static uint64_t rng_state;

static uint64_t
rnd(void)
{
	/* xorshift64*: any fixed sequence will do */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static unsigned
pick(unsigned n)
{
	return (unsigned)(rnd() % n);
}

/* Random CSV of about size bytes into a malloc'd buffer. */
static unsigned char *
random_csv(size_t size, size_t *len)
{
	static const char plain[] = "abcxyz019 ;.";
	static const char quoted[] = "ab,\n\r\"\" ;x";
	size_t cap = size + 4096, n = 0;
	unsigned char *b = malloc(cap);
	int crlf = pick(2);

	cr_assert_not_null(b);
	while (n < size) {
		unsigned fields = 1 + pick(5), f;

		if (pick(20) == 0) { /* a blank line */
			b[n++] = '\n';
			continue;
		}
		for (f = 0; f < fields; f++) {
			unsigned k, len2 = pick(12);

			if (f)
				b[n++] = ',';
			if (pick(3) == 0) {
				b[n++] = '"';
				for (k = 0; k < len2; k++) {
					char c =
					    quoted[pick(sizeof quoted - 1)];

					b[n++] = (unsigned char)c;
					if (c == '"') /* doubled */
						b[n++] = '"';
				}
				b[n++] = '"';
			} else {
				for (k = 0; k < len2; k++)
					b[n++] = (unsigned char)
					    plain[pick(sizeof plain - 1)];
			}
		}
		if (crlf)
			b[n++] = '\r';
		if (n < size || pick(2)) /* sometimes no last line end */
			b[n++] = '\n';
	}
	*len = n;
	return b;
}

/* Offsets where records begin, by the RFC 4180 state machine. */
static size_t
beginnings(const unsigned char *b, size_t len, size_t *at)
{
	size_t k, n = 0;
	int inside = 0;

	if (len > 0)
		at[n++] = 0;
	for (k = 0; k < len; k++) {
		if (b[k] == '"')
			inside = !inside; /* "" inside: out and back in */
		else if (b[k] == '\n' && !inside && k + 1 < len)
			at[n++] = k + 1;
	}
	return n;
}

static uint64_t
lines_before(const unsigned char *b, uint64_t off)
{
	uint64_t k, n = 1;

	for (k = 0; k < off; k++)
		n += b[k] == '\n';
	return n;
}

/* Every part of n of b against the brute force. */
static void
check_parts(const unsigned char *b, size_t len, const size_t *at, size_t nat,
	    unsigned long n)
{
	prep_part *all = calloc(n, sizeof *all);
	size_t r, seen = 0;
	unsigned long i;

	cr_assert_not_null(all);
	cr_assert_eq(prep_part_split(b, len, n, all), PREP_OK);
	for (i = 1; i <= n; i++) {
		uint64_t lo = (uint64_t)len * (i - 1) / n;
		uint64_t hi = (uint64_t)len * i / n;
		uint64_t want = len;
		prep_part p;

		for (r = 0; r < nat; r++)
			if (at[r] >= lo) {
				want = at[r];
				break;
			}
		cr_assert_eq(prep_part_find(b, len, i, n, &p), PREP_OK);
		cr_assert_eq(
		    p.start, want, "part %lu/%lu: start %llu, not %llu", i, n,
		    (unsigned long long)p.start, (unsigned long long)want);
		cr_assert_eq(p.line, lines_before(b, p.start));
		cr_assert_eq(p.start, all[i - 1].start);
		cr_assert_eq(p.end, all[i - 1].end);
		cr_assert_eq(p.line, all[i - 1].line);
		if (i < n) {
			prep_part next;

			cr_assert_eq(prep_part_find(b, len, i + 1, n, &next),
				     PREP_OK);
			cr_assert_eq(p.end, next.start);
		} else {
			cr_assert_eq(p.end, len);
		}
		/* the part's records are those that begin in [lo, hi) */
		for (r = 0; r < nat; r++) {
			int inside = at[r] >= p.start && at[r] < p.end;

			cr_assert_eq(inside, at[r] >= lo && at[r] < hi,
				     "record at %zu, part %lu/%lu", at[r], i,
				     n);
			seen += inside;
		}
	}
	cr_assert_eq(seen, nat, "every record in exactly one part");
	free(all);
}

Test(part, brute_force)
{
	size_t round;

	rng_state = 0x9E3779B97F4A7C15ULL;
	for (round = 0; round < 300; round++) {
		size_t len, nat, *at;
		unsigned char *b = random_csv(1 + pick(400), &len);
		unsigned long n;

		at = malloc((len + 1) * sizeof *at);
		cr_assert_not_null(at);
		nat = beginnings(b, len, at);
		for (n = 1; n <= 9; n++)
			check_parts(b, len, at, nat, n);
		free(at);
		free(b);
	}
}

/* Ranges that fall inside one long quoted field, or on its edges. */
Test(part, long_quoted_field)
{
	static const char csv[] = "h\n\"a\nb\nc\nd\ne\nf\ng\"\nz\n";
	size_t len = sizeof csv - 1, at[8], nat;
	unsigned long n;

	nat = beginnings((const unsigned char *)csv, len, at);
	cr_assert_eq(nat, 3);
	for (n = 1; n <= 9; n++)
		check_parts((const unsigned char *)csv, len, at, nat, n);
}

Test(part, empty_and_tiny)
{
	prep_part p;
	unsigned long i;

	for (i = 1; i <= 3; i++) {
		cr_assert_eq(prep_part_find("", 0, i, 3, &p), PREP_OK);
		cr_assert_eq(p.start, 0);
		cr_assert_eq(p.end, 0);
		cr_assert_eq(p.line, 1);
	}
	/* "a\n" in 5: the ranges [0,0) [0,0) [0,1) [1,1) [1,2); the record
	 * begins at 0, in part 3 */
	cr_assert_eq(prep_part_find("a\n", 2, 1, 5, &p), PREP_OK);
	cr_assert_eq(p.start, 0);
	cr_assert_eq(p.end, 0);
	cr_assert_eq(prep_part_find("a\n", 2, 3, 5, &p), PREP_OK);
	cr_assert_eq(p.start, 0);
	cr_assert_eq(p.end, 2);
	cr_assert_eq(prep_part_find("a\n", 2, 4, 5, &p), PREP_OK);
	cr_assert_eq(p.start, 2);
	cr_assert_eq(p.end, 2);
	cr_assert_eq(prep_part_find("a\nb", 3, 3, 3, &p), PREP_OK);
	cr_assert_eq(p.start, 2);
	cr_assert_eq(p.end, 3);
	cr_assert_eq(p.line, 2);
	cr_assert_eq(prep_part_find("a\n", 2, 0, 3, &p), PREP_ERR_ARG);
	cr_assert_eq(prep_part_find("a\n", 2, 4, 3, &p), PREP_ERR_ARG);
	cr_assert_eq(prep_part_find("a\n", 2, 1, 0, &p), PREP_ERR_ARG);
}

/* A file of several read blocks, read with pread: the same parts. */
Test(part, file)
{
	char path[] = "/tmp/test_part_XXXXXX";
	size_t len, nat, *at;
	unsigned char *b;
	unsigned long n, i;
	int fd = mkstemp(path);

	cr_assert(fd >= 0);
	unlink(path);
	rng_state = 42;
	b = random_csv((size_t)3 << 20, &len);
	cr_assert_eq(write(fd, b, len), (ssize_t)len);
	at = malloc((len + 1) * sizeof *at);
	cr_assert_not_null(at);
	nat = beginnings(b, len, at);
	for (n = 1; n <= 9; n++)
		for (i = 1; i <= n; i++) {
			prep_part p, q;

			cr_assert_eq(prep_part_find(b, len, i, n, &p), PREP_OK);
			cr_assert_eq(prep_part_find_fd(fd, len, i, n, &q),
				     PREP_OK);
			cr_assert_eq(p.start, q.start);
			cr_assert_eq(p.end, q.end);
			cr_assert_eq(p.line, q.line);
		}
	check_parts(b, len, at, nat, 7);
	/* the descriptor's offset did not move */
	cr_assert_eq(lseek(fd, 0, SEEK_CUR), (off_t)len);
	close(fd);
	free(at);
	free(b);
}

Test(part, parse)
{
	unsigned long i = 0, n = 0;

	cr_assert_eq(prep_part_parse("2/4", &i, &n), PREP_OK);
	cr_assert_eq(i, 2);
	cr_assert_eq(n, 4);
	cr_assert_eq(prep_part_parse("01/1", &i, &n), PREP_OK);
	cr_assert_eq(i, 1);
	cr_assert_eq(prep_part_parse("4294967295/4294967295", &i, &n), PREP_OK);
	cr_assert_eq(prep_part_parse("5/4", &i, &n), PREP_ERR_RANGE);
	cr_assert_eq(i, 5);
	cr_assert_eq(prep_part_parse("0/4", &i, &n), PREP_ERR_RANGE);
	cr_assert_eq(prep_part_parse("0/0", &i, &n), PREP_ERR_RANGE);
	cr_assert_eq(n, 0);
	cr_assert_eq(prep_part_parse("1/4294967296", &i, &n), PREP_ERR_ARG);
	cr_assert_eq(prep_part_parse("", &i, &n), PREP_ERR_ARG);
	cr_assert_eq(prep_part_parse("1", &i, &n), PREP_ERR_ARG);
	cr_assert_eq(prep_part_parse("1/", &i, &n), PREP_ERR_ARG);
	cr_assert_eq(prep_part_parse("/2", &i, &n), PREP_ERR_ARG);
	cr_assert_eq(prep_part_parse("+1/2", &i, &n), PREP_ERR_ARG);
	cr_assert_eq(prep_part_parse("1/2 ", &i, &n), PREP_ERR_ARG);
	cr_assert_eq(prep_part_parse(" 1/2", &i, &n), PREP_ERR_ARG);
	cr_assert_eq(prep_part_parse("1/-2", &i, &n), PREP_ERR_ARG);
	cr_assert_eq(prep_part_parse("1.0/2", &i, &n), PREP_ERR_ARG);
}

/* SipHash-2-4, all-zero key (gen_siphash.py's siphash(2, 4, ...)):
 * "" 0x1e924b9d737700d7 (the reference implementation's value),
 * "alice" 0x76211b47297fa5ef, "1234" 0x4e83fdc3328d7292. */
Test(part, of_value)
{
	cr_assert_eq(prep_part_of("", 0, 7), 0x1e924b9d737700d7ULL % 7);
	cr_assert_eq(prep_part_of("alice", 5, 7), 0x76211b47297fa5efULL % 7);
	cr_assert_eq(prep_part_of("alice", 5, 4), 0x76211b47297fa5efULL % 4);
	cr_assert_eq(prep_part_of("1234", 4, 1000),
		     0x4e83fdc3328d7292ULL % 1000);
	cr_assert_eq(prep_part_of("1234", 4, 1), 0);
}
