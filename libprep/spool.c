/*
 * spool.c: an unlinked temporary file holding the first pass's records
 * (spool.h).
 */
#define _GNU_SOURCE /* O_TMPFILE, mkostemp */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "memcap.h"
#include "spool.h"

struct prep_spool {
	int fd;
	int flags;
	int delim;
	prep_writer *w; /* kept when finished: its SHA-256 */
	int finished;	/* prep_spool_finish was called */
	uint64_t records;
	uint64_t last_off, last_len;
	uint64_t *index; /* with PREP_SPOOL_INDEX: record i is the bytes
			    from index[i] to index[i + 1] */
	size_t index_cap;
	const char *map; /* after prep_spool_map */
	uint64_t map_size;
	/* prep_spool_next_tagged: bytes read, [pos, len) not yet taken */
	char *rbuf;
	size_t rcap, rpos, rlen;
	int reading, rend;
};

const char *
prep_spool_dir(void)
{
	const char *dir = getenv("TMPDIR");

	return dir == NULL || *dir == '\0' ? "/tmp" : dir;
}

/* An unlinked file in dir, read-write, mode 0600; -1 with errno set. */
static int
unnamed_file(const char *dir, const char *prefix)
{
	char path[4096];
	int fd;

	/* unnamed from the start where the file system allows it */
	fd = open(dir, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	if (snprintf(path, sizeof path, "%s/%s.XXXXXX", dir, prefix) >=
	    (int)sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		(void)unlink(path);
	return fd;
}

prep_status
prep_spool_new(const char *prefix, const prep_writer_options *wo, int flags,
	       prep_spool **out)
{
	prep_writer_options o;
	prep_spool *s;
	prep_status st;

	*out = NULL;
	if ((s = calloc(1, sizeof *s)) == NULL)
		return PREP_ERR_NOMEM;
	s->flags = flags;
	s->delim = wo->delim;
	if ((s->fd = unnamed_file(prep_spool_dir(), prefix)) < 0) {
		int e = errno;

		free(s);
		errno = e;
		return PREP_ERR_IO;
	}
	memset(&o, 0, sizeof o);
	o.delim = wo->delim;
	o.crlf = wo->crlf;
	o.sha256 = (flags & PREP_SPOOL_SHA256) != 0;
	o.bytes = (flags & PREP_SPOOL_TAGGED) != 0;
	if ((st = prep_writer_new(s->fd, &o, &s->w)) != PREP_OK) {
		prep_spool_free(s);
		return st;
	}
	*out = s;
	return PREP_OK;
}

/* Room in the index for one more record's end (it holds records + 1). */
static prep_status
index_room(prep_spool *s)
{
	prep_status st;
	size_t cap;
	uint64_t *p;

	if (s->records + 2 <= s->index_cap)
		return PREP_OK;
	cap = s->index_cap ? s->index_cap * 2 : 1024;
	if (cap > SIZE_MAX / sizeof *p)
		return PREP_ERR_NOMEM;
	p = prep_memcap_realloc(s->index, s->index_cap * sizeof *p,
				cap * sizeof *p, &st);
	if (p == NULL)
		return st;
	if (s->index == NULL)
		p[0] = 0;
	s->index = p;
	s->index_cap = cap;
	return PREP_OK;
}

prep_status
prep_spool_row(prep_spool *s, const prep_field *f, size_t n)
{
	uint64_t off = prep_writer_bytes(s->w);
	prep_status st;

	if (s->finished)
		return PREP_ERR_ARG;
	if ((s->flags & PREP_SPOOL_INDEX) && (st = index_room(s)) != PREP_OK)
		return st;
	if ((st = prep_writer_row(s->w, f, n)) != PREP_OK)
		return st;
	s->last_off = off;
	s->last_len = prep_writer_bytes(s->w) - off;
	s->records++;
	if (s->flags & PREP_SPOOL_INDEX)
		s->index[s->records] = off + s->last_len;
	return PREP_OK;
}

void
prep_spool_last(const prep_spool *s, uint64_t *off, uint64_t *len)
{
	*off = s->last_off;
	*len = s->last_len;
}

uint64_t
prep_spool_records(const prep_spool *s)
{
	/* rows of prep_spool_row, and records appended to the writer */
	return prep_writer_records(s->w);
}

prep_writer *
prep_spool_writer(prep_spool *s)
{
	return (s->flags & PREP_SPOOL_INDEX) || s->finished ? NULL : s->w;
}

uint64_t
prep_spool_bytes(const prep_spool *s)
{
	return prep_writer_bytes(s->w);
}

prep_status
prep_spool_finish(prep_spool *s)
{
	prep_status st;

	if (s->finished)
		return PREP_OK;
	st = prep_writer_finish(s->w);
	s->map_size = prep_writer_bytes(s->w);
	s->finished = 1;
	return st;
}

/* Back to the start, for a reader or a copy; writing must be over. */
static prep_status
rewind_spool(prep_spool *s)
{
	if (!s->finished)
		return PREP_ERR_ARG;
	if (lseek(s->fd, 0, SEEK_SET) != 0)
		return PREP_ERR_IO;
	return PREP_OK;
}

prep_status
prep_spool_reader(prep_spool *s, const prep_csv_options *o, prep_reader **out)
{
	prep_csv_options ro = *o;
	prep_status st;

	*out = NULL;
	if ((st = rewind_spool(s)) != PREP_OK)
		return st;
	ro.delim = s->delim;
	ro.lazy_quotes = 0;
	ro.sha256 = 0;
	ro.part_i = ro.part_n = 0; /* the spool holds the part, whole */
	return prep_reader_new_fd(&ro, s->fd, "spool", out);
}

prep_status
prep_spool_copy(prep_spool *s, prep_writer *w)
{
	char buf[65536];
	prep_status st;
	ssize_t n;

	if ((st = rewind_spool(s)) != PREP_OK)
		return st;
	/* PREP_ERR_ARG: no SHA-256 to hand over; w hashes if it must */
	if ((s->flags & PREP_SPOOL_SHA256) &&
	    (st = prep_writer_adopt_sha256(w, s->w)) != PREP_OK &&
	    st != PREP_ERR_ARG)
		return st;
	while ((n = read(s->fd, buf, sizeof buf)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return PREP_ERR_IO;
		}
		if ((st = prep_writer_raw(w, buf, (size_t)n)) != PREP_OK)
			return st;
	}
	prep_writer_add(w, prep_spool_records(s));
	return PREP_OK;
}

prep_status
prep_spool_map(prep_spool *s, const char **data, uint64_t *size)
{
	void *m;

	if (!s->finished)
		return PREP_ERR_ARG;
	if (s->map == NULL && s->map_size > 0) {
		if ((uint64_t)(size_t)s->map_size != s->map_size)
			return PREP_ERR_LIMIT;
		m = mmap(NULL, (size_t)s->map_size, PROT_READ, MAP_PRIVATE,
			 s->fd, 0);
		if (m == MAP_FAILED)
			return PREP_ERR_IO;
		s->map = m;
	}
	*data = s->map;
	*size = s->map_size;
	return PREP_OK;
}

prep_status
prep_spool_record(prep_spool *s, uint64_t i, const char **rec, uint64_t *len)
{
	const char *data;
	uint64_t size, start;
	prep_status st;

	if (!(s->flags & PREP_SPOOL_INDEX) || i >= s->records)
		return PREP_ERR_ARG;
	if ((st = prep_spool_map(s, &data, &size)) != PREP_OK)
		return st;
	start = s->index[i];
	*rec = data + start;
	*len = s->index[i + 1] - start;
	return PREP_OK;
}

/* A varint of x at o (10 bytes at most); returns its end. */
static unsigned char *
varint_put(unsigned char *o, uint64_t x)
{
	while (x >= 0x80) {
		*o++ = (unsigned char)(x | 0x80);
		x >>= 7;
	}
	*o++ = (unsigned char)x;
	return o;
}

prep_status
prep_spool_put_tagged(prep_writer *w, prep_writer *scratch,
		      const prep_reader *r, uint64_t tag, uint64_t aux)
{
	unsigned char head[30], *o;
	const char *rec;
	size_t len;
	prep_status st;

	prep_writer_reset(scratch);
	/* the record's bytes as they stand, when scratch would write
	 * them so; else written there */
	if (!prep_writer_fields_as_read(scratch, r, &rec, &len)) {
		if ((st = prep_writer_copy_fields(
			 scratch, r, 0, prep_reader_record_fields(r))) !=
			PREP_OK ||
		    (st = prep_writer_finish(scratch)) != PREP_OK)
			return st;
		rec = prep_writer_data(scratch, &len);
	}
	o = varint_put(varint_put(varint_put(head, tag), aux), len);
	if ((st = prep_writer_raw(w, head, (size_t)(o - head))) != PREP_OK)
		return st;
	return prep_writer_raw(w, rec, len);
}

/* The bytes read back at a time: as many as the reader reads (csv.c
 * RAW_SIZE), for few system calls. */
#define READ_SIZE ((size_t)256 << 10)

/* Read more of the spool into rbuf, keeping [rpos, rlen); room for at
 * least want bytes in all. */
static prep_status
read_more(prep_spool *s, size_t want)
{
	ssize_t n;

	if (s->rpos > 0) {
		memmove(s->rbuf, s->rbuf + s->rpos, s->rlen - s->rpos);
		s->rlen -= s->rpos;
		s->rpos = 0;
	}
	if (want > s->rcap) {
		size_t cap = s->rcap ? s->rcap : READ_SIZE;
		char *b;

		while (cap < want)
			cap *= 2;
		if ((b = realloc(s->rbuf, cap)) == NULL)
			return PREP_ERR_NOMEM;
		s->rbuf = b;
		s->rcap = cap;
	}
	while (s->rlen < s->rcap) {
		n = read(s->fd, s->rbuf + s->rlen, s->rcap - s->rlen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return PREP_ERR_IO;
		if (n == 0) {
			s->rend = 1;
			break;
		}
		s->rlen += (size_t)n;
	}
	return PREP_OK;
}

/* A varint at rbuf[*at, rlen) into *x: 1, 0 when cut short, -1 when
 * longer than 64 bits. */
static int
varint_get(const prep_spool *s, size_t *at, uint64_t *x)
{
	uint64_t v = 0;
	unsigned shift = 0;
	size_t i = *at;

	for (;;) {
		unsigned char c;

		if (i >= s->rlen)
			return 0;
		if (shift > 63)
			return -1;
		c = (unsigned char)s->rbuf[i++];
		v |= (uint64_t)(c & 0x7f) << shift;
		shift += 7;
		if (!(c & 0x80))
			break;
	}
	*at = i;
	*x = v;
	return 1;
}

/*
 * The common record at rpos, whole in rbuf, read without varint_get:
 * tag and aux under 128 (one byte each), a length under 16384 (one or
 * two). 0 for any other, which varint_get reads.
 */
static inline int
next_short(prep_spool *s, uint64_t *tag, uint64_t *aux, const char **rec,
	   size_t *len)
{
	const unsigned char *b;
	size_t left = s->rlen - s->rpos, n, k = 3;

	if (left < 4) /* rbuf may be NULL yet */
		return 0;
	b = (const unsigned char *)s->rbuf + s->rpos;
	if ((b[0] | b[1]) & 0x80)
		return 0;
	n = b[2] & 0x7f;
	if (b[2] & 0x80) {
		if (b[3] & 0x80)
			return 0;
		n |= (size_t)b[3] << 7;
		k = 4;
	}
	if (n > left - k)
		return 0;
	*tag = b[0];
	*aux = b[1];
	*rec = s->rbuf + s->rpos + k;
	*len = n;
	s->rpos += k + n;
	return 1;
}

prep_status
prep_spool_next_tagged(prep_spool *s, uint64_t *tag, uint64_t *aux,
		       const char **rec, size_t *len)
{
	uint64_t t, a, n;
	size_t at;
	prep_status st;
	int k;

	if (!(s->flags & PREP_SPOOL_TAGGED))
		return PREP_ERR_ARG;
	if (!s->reading) {
		if ((st = rewind_spool(s)) != PREP_OK)
			return st;
		s->reading = 1;
	}
	for (;;) {
		if (next_short(s, tag, aux, rec, len))
			return PREP_OK;
		at = s->rpos;
		if ((k = varint_get(s, &at, &t)) > 0 &&
		    (k = varint_get(s, &at, &a)) > 0 &&
		    (k = varint_get(s, &at, &n)) > 0 && n <= s->rlen - at) {
			*tag = t;
			*aux = a;
			*rec = s->rbuf + at;
			*len = (size_t)n;
			s->rpos = at + (size_t)n;
			return PREP_OK;
		}
		if (k < 0)
			return PREP_ERR_VALUE;
		if (s->rend)
			return s->rpos == s->rlen ? PREP_END : PREP_ERR_VALUE;
		/* cut short: read on, with room for the whole record when
		 * its length is known */
		if (k > 0 && n > SIZE_MAX / 2)
			return PREP_ERR_VALUE;
		st = read_more(s, k > 0 ? (size_t)n + (at - s->rpos)
					: s->rlen - s->rpos + 32);
		if (st != PREP_OK)
			return st;
	}
}

void
prep_spool_free(prep_spool *s)
{
	if (s == NULL)
		return;
	free(s->rbuf);
	prep_writer_free(s->w);
	if (s->map)
		(void)munmap((void *)s->map, (size_t)s->map_size);
	prep_memcap_free(s->index, s->index_cap * sizeof *s->index);
	if (s->fd >= 0)
		(void)close(s->fd);
	free(s);
}
