/* columns.c: resolve "name,2,5-7" against a header; see columns.h. */
#include <stdlib.h>
#include <string.h>

#include "columns.h"

/* A 1-based column number of up to 9 digits; 0 if s is not one. */
static size_t
parse_number(const char *s, size_t len)
{
	size_t v = 0, i;

	if (len == 0 || len > 9)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (size_t)(s[i] - '0');
	}
	return v;
}

static int
find_name(const prep_field *header, size_t ncols, const char *s, size_t len,
	  size_t *at)
{
	size_t i;

	if (header == NULL)
		return 0;
	for (i = 0; i < ncols; i++)
		if (header[i].len == len &&
		    memcmp(header[i].data, s, len) == 0) {
			*at = i;
			return 1;
		}
	return 0;
}

static prep_status
push(size_t **idx, size_t *n, size_t *cap, size_t v)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		size_t *p = realloc(*idx, ncap * sizeof *p);

		if (p == NULL)
			return PREP_ERR_NOMEM;
		*idx = p;
		*cap = ncap;
	}
	(*idx)[(*n)++] = v;
	return PREP_OK;
}

prep_status
prep_columns_resolve(const char *list, const prep_field *header, size_t ncols,
		     size_t **idx, size_t *n, size_t *bad_off, size_t *bad_len)
{
	const char *p = list;
	size_t cap = 0;
	prep_status st = PREP_OK;

	*idx = NULL;
	*n = 0;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *dash = memchr(p, '-', len);
		size_t at, lo = 0, hi = 0, v;

		if (len == 0) {
			/* an empty item names nothing, not a blank header */
		} else if (find_name(header, ncols, p, len, &at)) {
			lo = hi = at + 1;
		} else if ((v = parse_number(p, len)) != 0) {
			lo = hi = v;
		} else if (dash) {
			lo = parse_number(p, (size_t)(dash - p));
			hi = parse_number(dash + 1,
					  len - (size_t)(dash - p) - 1);
		}
		if (lo == 0 || hi < lo || hi > ncols) {
			*bad_off = (size_t)(p - list);
			*bad_len = len;
			st = PREP_ERR_COLUMN;
			break;
		}
		for (v = lo; v <= hi && st == PREP_OK; v++)
			st = push(idx, n, &cap, v - 1);
		if (st != PREP_OK || end == NULL)
			break;
		p = end + 1;
	}
	if (st != PREP_OK) {
		free(*idx);
		*idx = NULL;
		*n = 0;
	}
	return st;
}
