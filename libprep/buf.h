/*
 * buf.h: a growable byte buffer with a hard cap.
 *
 * Every buffer in libprep that grows with the data is a prep_buf, so that no
 * input can make a filter allocate without bound: appending past `max`
 * fails with PREP_ERR_LIMIT and leaves the buffer as it was. Its bytes
 * count against the run's memory budget (memcap.h): past it, appending
 * fails with PREP_ERR_MEMORY. Free it with prep_buf_free only.
 */
#ifndef PREP_BUF_H
#define PREP_BUF_H

#include <stddef.h>
#include <stdio.h>
#include "prep.h"

typedef struct prep_buf {
	char *data; /* always NUL-terminated when len > 0 or data != NULL */
	size_t len;
	size_t cap;
	size_t max; /* 0: PREP_BUF_DEFAULT_MAX */
} prep_buf;

#define PREP_BUF_DEFAULT_MAX ((size_t)256 << 20)

/* An empty buffer that may grow to max bytes (0: the default cap). */
void prep_buf_init(prep_buf *b, size_t max);
void prep_buf_free(prep_buf *b);

static inline void
prep_buf_reset(prep_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

/*
 * Make room for `more` bytes after len (plus a NUL). The appends below
 * reserve, so the bytes they copy must not lie in b itself: growing may
 * move them.
 */
prep_status prep_buf_reserve(prep_buf *b, size_t more);
prep_status prep_buf_append(prep_buf *b, const void *p, size_t n);
prep_status prep_buf_append_byte(prep_buf *b, char c);
prep_status prep_buf_append_str(prep_buf *b, const char *s);
/*
 * Append everything a source has left to b: read(ctx, dst, n) puts up
 * to n bytes at dst and returns how many, 0 at the end, -1 (errno set)
 * on failure. PREP_ERR_LIMIT when the source holds more than b's max
 * allows (one byte past it is read to tell), PREP_ERR_IO when reading
 * fails, PREP_ERR_NOMEM.
 */
typedef long (*prep_buf_source)(void *ctx, void *dst, size_t n);
prep_status prep_buf_read_all(prep_buf *b, prep_buf_source read, void *ctx);
/* The same from a stdio stream. */
prep_status prep_buf_read_stream(prep_buf *b, FILE *fp);

#endif
