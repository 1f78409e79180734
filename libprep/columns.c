/* columns.c: resolve "name,2,5-7" against a header; see columns.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "strset.h"

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
		     size_t **idx, size_t *n, size_t *bad_off, size_t *bad_len,
		     int *by_name)
{
	const char *p = list;
	size_t cap = 0;
	prep_status st = PREP_OK;

	*idx = NULL;
	*n = 0;
	if (by_name != NULL)
		*by_name = 0;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *dash = memchr(p, '-', len);
		size_t at, lo = 0, hi = 0, v;

		if (len == 0) {
			/* an empty item names nothing, not a blank header */
		} else if (find_name(header, ncols, p, len, &at)) {
			lo = hi = at + 1;
			if (by_name != NULL)
				*by_name = 1;
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

prep_status
prep_columns_duplicate(const prep_field *header, size_t ncols, size_t *first,
		       size_t *second)
{
	prep_strset seen;
	prep_status st = PREP_OK;
	size_t i, id;
	int added;

	*first = *second = (size_t)-1;
	if (header == NULL)
		return PREP_OK;
	prep_strset_init(&seen, 0);
	for (i = 0; i < ncols; i++) {
		if (header[i].len == 0)
			continue;
		st = prep_strset_lookup(&seen, header[i].data, header[i].len, 1,
					&id, &added);
		if (st != PREP_OK)
			break;
		if (!added) {
			/* ids are positions among the non-blank names */
			size_t j;

			for (j = 0; j < i; j++)
				if (header[j].len == header[i].len &&
				    memcmp(header[j].data, header[i].data,
					   header[i].len) == 0)
					break;
			*first = j;
			*second = i;
			break;
		}
	}
	prep_strset_free(&seen);
	return st;
}

static unsigned char
fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/*
 * Levenshtein distance of a and b (both at most PREP_COLUMNS_HINT_MAX
 * bytes), by the classic two-row dynamic programme (Wagner and Fischer,
 * JACM 1974); stops early once every cell of a row exceeds limit.
 */
static size_t
edit_distance(const char *a, size_t na, const char *b, size_t nb, size_t limit)
{
	size_t row[2][PREP_COLUMNS_HINT_MAX + 1], i, j;

	for (j = 0; j <= nb; j++)
		row[0][j] = j;
	for (i = 1; i <= na; i++) {
		size_t *prev = row[(i - 1) & 1], *cur = row[i & 1], best;

		cur[0] = best = i;
		for (j = 1; j <= nb; j++) {
			size_t sub =
			    prev[j - 1] + (fold((unsigned char)a[i - 1]) !=
					   fold((unsigned char)b[j - 1]));
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? sub : del;
			if (ins < cur[j])
				cur[j] = ins;
			if (cur[j] < best)
				best = cur[j];
		}
		if (best > limit)
			return limit + 1;
	}
	return row[na & 1][nb];
}

size_t
prep_columns_closest(const prep_field *header, size_t ncols, const char *name,
		     size_t len)
{
	size_t limit = len / 3 > 2 ? len / 3 : 2, best = limit + 1;
	size_t at = (size_t)-1, i;

	if (header == NULL || len > PREP_COLUMNS_HINT_MAX)
		return at;
	for (i = 0; i < ncols; i++) {
		size_t hl = header[i].len, d;

		if (hl > PREP_COLUMNS_HINT_MAX ||
		    (hl > len ? hl - len : len - hl) >= best)
			continue;
		d = edit_distance(name, len, header[i].data, hl, best - 1);
		if (d < best) {
			best = d;
			at = i;
		}
	}
	return at;
}

prep_field
prep_columns_label(const prep_field *header, size_t ncols, size_t col,
		   char number[PREP_COLUMNS_LABEL_SIZE])
{
	prep_field f;
	int k;

	if (header != NULL && col < ncols)
		return header[col];
	k = snprintf(number, PREP_COLUMNS_LABEL_SIZE, "%zu", col + 1);
	f.data = number;
	f.len = k > 0 ? (size_t)k : 0;
	return f;
}
