/* buf.c: the capped growable buffer of buf.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "memcap.h"

void
prep_buf_init(prep_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max ? max : PREP_BUF_DEFAULT_MAX;
}

void
prep_buf_free(prep_buf *b)
{
	prep_memcap_free(b->data, b->cap);
	b->data = NULL;
	b->len = b->cap = 0;
}

prep_status
prep_buf_reserve(prep_buf *b, size_t more)
{
	size_t need, ncap;
	prep_status st;
	char *p;

	if (more > b->max || b->len > b->max - more)
		return PREP_ERR_LIMIT;
	need = b->len + more + 1;
	if (need <= b->cap)
		return PREP_OK;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap *= 2;
	if (ncap > b->max + 1)
		ncap = b->max + 1;
	if ((p = prep_memcap_realloc(b->data, b->cap, ncap, &st)) == NULL)
		return st;
	b->data = p;
	b->cap = ncap;
	return PREP_OK;
}

prep_status
prep_buf_append(prep_buf *b, const void *p, size_t n)
{
	prep_status st = prep_buf_reserve(b, n);

	if (st != PREP_OK)
		return st;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return PREP_OK;
}

prep_status
prep_buf_append_byte(prep_buf *b, char c)
{
	return prep_buf_append(b, &c, 1);
}

prep_status
prep_buf_append_str(prep_buf *b, const char *s)
{
	return prep_buf_append(b, s, strlen(s));
}

prep_status
prep_buf_read_all(prep_buf *b, prep_buf_source read, void *ctx)
{
	prep_status st;
	size_t want;
	long r;
	char c;

	for (;;) {
		if (b->len == b->max) {
			/* one byte more tells a source that is too long */
			r = read(ctx, &c, 1);
			return r > 0   ? PREP_ERR_LIMIT
			       : r < 0 ? PREP_ERR_IO
				       : PREP_OK;
		}
		want = b->max - b->len < 65536 ? b->max - b->len : 65536;
		if ((st = prep_buf_reserve(b, want)) != PREP_OK)
			return st;
		if ((r = read(ctx, b->data + b->len, want)) < 0)
			return PREP_ERR_IO;
		if (r == 0)
			return PREP_OK;
		b->len += (size_t)r;
		b->data[b->len] = '\0';
	}
}

static long
from_stream(void *ctx, void *dst, size_t n)
{
	FILE *fp = ctx;
	size_t r = fread(dst, 1, n, fp);

	if (r == 0 && ferror(fp)) {
		if (errno == 0)
			errno = EIO;
		return -1;
	}
	return (long)r;
}

prep_status
prep_buf_read_stream(prep_buf *b, FILE *fp)
{
	return prep_buf_read_all(b, from_stream, fp);
}
