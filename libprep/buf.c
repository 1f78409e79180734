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
prep_buf_read_stream(prep_buf *b, FILE *fp)
{
	prep_status st;
	size_t r, want;
	char c;

	for (;;) {
		if (b->len == b->max) {
			/* one byte more tells a stream that is too long */
			if (fread(&c, 1, 1, fp) == 1)
				return PREP_ERR_LIMIT;
			break;
		}
		want = b->max - b->len < 65536 ? b->max - b->len : 65536;
		if ((st = prep_buf_reserve(b, want)) != PREP_OK)
			return st;
		r = fread(b->data + b->len, 1, want, fp);
		b->len += r;
		b->data[b->len] = '\0';
		if (r < want)
			break;
	}
	if (ferror(fp)) {
		if (errno == 0)
			errno = EIO;
		return PREP_ERR_IO;
	}
	return PREP_OK;
}
