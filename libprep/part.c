/*
 * part.c: the parts of a CSV input (see part.h for what a part is and why
 * counting quotes finds where records begin).
 *
 * One scanner serves every entry point: it is fed the input's bytes in
 * order, in blocks of any size (one block for a buffer, 1 MiB reads for a
 * file), and finds the start of each part asked for in turn: the first
 * record that begins at or after the part's first byte x. For x = 0 that
 * is 0. Otherwise it counts the quotes before x - 1 (skipping to it with
 * memchr for quotes, and for line feeds, to number the lines), then
 * takes the line feeds from x - 1 on, one memchr each, until one has an
 * even count of quotes before it: the record after it is the start. The
 * starts never go back (the ranges' first bytes never do), so a part
 * whose first byte is not past the last start found begins there too,
 * and the scanner never passes a byte twice.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "part.h"
#include "siphash.h"

typedef unsigned __int128 u128;

#define READ_BLOCK ((size_t)1 << 20)

struct scan {
	uint64_t size;		  /* the input's bytes, for the ranges */
	unsigned long n;	  /* parts */
	unsigned long j, jend;	  /* next part (0-based) to find; stop */
	unsigned long jfirst;	  /* the part of out[0] */
	prep_part *out;		  /* starts and lines found */
	uint64_t pos;		  /* offset of the next byte fed */
	uint64_t lines;		  /* line feeds before pos */
	int odd;		  /* an odd number of quotes before pos */
	uint64_t last, last_line; /* the last start found, its line */
};

/* The first byte of part j (0-based) of n: floor(size j / n). */
static uint64_t
range_start(const struct scan *s, unsigned long j)
{
	return (uint64_t)((u128)s->size * j / s->n);
}

static void
scan_init(struct scan *s, uint64_t size, unsigned long n, unsigned long j,
	  unsigned long jend, prep_part *out)
{
	memset(s, 0, sizeof *s);
	s->size = size;
	s->n = n;
	s->j = s->jfirst = j;
	s->jend = jend;
	s->out = out;
	s->last_line = 1;
}

static void
found(struct scan *s, uint64_t start, uint64_t line)
{
	s->out[s->j - s->jfirst].start = start;
	s->out[s->j - s->jfirst].line = line;
	s->j++;
	s->last = start;
	s->last_line = line;
}

/* How many bytes c of p[0..n) there are, mod 2 when only the parity
 * counts: one memchr per byte found. */
static uint64_t
count_byte(const unsigned char *p, size_t n, int c)
{
	const unsigned char *end = p + n, *q;
	uint64_t k = 0;

	while (p < end && (q = memchr(p, c, (size_t)(end - p))) != NULL) {
		k++;
		p = q + 1;
	}
	return k;
}

/* Account for the bytes p[0..n): their quotes and line feeds. */
static void
pass(struct scan *s, const unsigned char *p, size_t n)
{
	s->odd ^= (int)(count_byte(p, n, '"') & 1);
	s->lines += count_byte(p, n, '\n');
}

/* The next n bytes of the input, c[0..n). */
static void
scan_feed(struct scan *s, const unsigned char *c, size_t n)
{
	uint64_t base = s->pos;
	size_t off = 0;

	s->pos += n;
	while (s->j < s->jend) {
		uint64_t x = range_start(s, s->j);
		const unsigned char *nl;

		if (x <= s->last) {
			/* no record begins in [x, last): last is the first */
			found(s, s->last, s->last_line);
			continue;
		}
		if (base + off < x - 1) {
			/* up to the byte before the range: its quote count */
			uint64_t want = x - 1 - base;
			size_t stop = want < n ? (size_t)want : n;

			pass(s, c + off, stop - off);
			off = stop;
			if (off == n)
				return;
			continue;
		}
		/* from x - 1: the first line feed outside quotes */
		nl = memchr(c + off, '\n', n - off);
		if (nl == NULL) {
			pass(s, c + off, n - off);
			return;
		}
		pass(s, c + off, (size_t)(nl - c) + 1 - off);
		off = (size_t)(nl - c) + 1;
		if (!s->odd)
			found(s, base + off, s->lines + 1);
	}
}

/* The input ended: parts not found yet start at its end. */
static void
scan_finish(struct scan *s)
{
	while (s->j < s->jend) {
		if (range_start(s, s->j) <= s->last)
			found(s, s->last, s->last_line);
		else
			found(s, s->pos, s->lines + 1);
	}
}

static int
valid(unsigned long i, unsigned long n)
{
	return n >= 1 && n <= PREP_PART_MAX && i >= 1 && i <= n;
}

prep_status
prep_part_find(const void *buf, uint64_t size, unsigned long i, unsigned long n,
	       prep_part *out)
{
	prep_part p[2] = {{0, 0, 1}, {0, 0, 1}};
	struct scan s;

	if (!valid(i, n))
		return PREP_ERR_ARG;
	if ((uint64_t)(size_t)size != size)
		return PREP_ERR_LIMIT;
	scan_init(&s, size, n, i - 1, i < n ? i + 1 : n, p);
	scan_feed(&s, buf, (size_t)size);
	scan_finish(&s);
	out->start = p[0].start;
	out->line = p[0].line;
	out->end = i < n ? p[1].start : size;
	return PREP_OK;
}

prep_status
prep_part_split(const void *buf, uint64_t size, unsigned long n,
		prep_part *parts)
{
	struct scan s;
	unsigned long j;

	if (!valid(1, n))
		return PREP_ERR_ARG;
	if ((uint64_t)(size_t)size != size)
		return PREP_ERR_LIMIT;
	scan_init(&s, size, n, 0, n, parts);
	scan_feed(&s, buf, (size_t)size);
	scan_finish(&s);
	for (j = 0; j + 1 < n; j++)
		parts[j].end = parts[j + 1].start;
	parts[n - 1].end = size;
	return PREP_OK;
}

prep_status
prep_part_find_fd(int fd, uint64_t size, unsigned long i, unsigned long n,
		  prep_part *out)
{
	prep_part p[2] = {{0, 0, 1}, {0, 0, 1}};
	struct scan s;
	unsigned char *b;

	if (!valid(i, n))
		return PREP_ERR_ARG;
	if ((b = malloc(READ_BLOCK)) == NULL)
		return PREP_ERR_NOMEM;
	scan_init(&s, size, n, i - 1, i < n ? i + 1 : n, p);
	while (s.j < s.jend && s.pos < size) {
		ssize_t k = pread(fd, b, READ_BLOCK, (off_t)s.pos);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int e = errno;

			free(b);
			errno = e;
			return PREP_ERR_IO;
		}
		if (k == 0)
			break; /* shorter than it was: it ends here */
		scan_feed(&s, b, (size_t)k);
	}
	free(b);
	scan_finish(&s);
	out->start = p[0].start;
	out->line = p[0].line;
	out->end = i < n ? p[1].start : size;
	return PREP_OK;
}

/* A whole number of decimal digits at *p, at most PREP_PART_MAX. */
static int
whole(const char **p, unsigned long *v)
{
	uint64_t x = 0;
	const char *s = *p;

	if (*s < '0' || *s > '9')
		return 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		x = x * 10 + (uint64_t)(*s - '0');
		if (x > PREP_PART_MAX)
			return 0;
	}
	*v = (unsigned long)x;
	*p = s;
	return 1;
}

prep_status
prep_part_parse(const char *arg, unsigned long *i, unsigned long *n)
{
	const char *p = arg;
	unsigned long a, b;

	if (!whole(&p, &a) || *p++ != '/' || !whole(&p, &b) || *p != '\0')
		return PREP_ERR_ARG;
	*i = a;
	*n = b;
	return valid(a, b) ? PREP_OK : PREP_ERR_RANGE;
}

unsigned long
prep_part_of(const void *value, size_t len, unsigned long n)
{
	static const prep_siphash_key zero = {0, 0};

	return (unsigned long)(prep_siphash(2, 4, &zero, value, len) % n);
}
