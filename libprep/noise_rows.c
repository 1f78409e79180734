/*
 * noise_rows.c: dpnoise's row mode, the noise of noise.c on the values
 * of chosen columns (see noise_rows.h for the contract).
 *
 * A noised column holds its bounds and its mechanisms: the real one
 * always, the integer one when the bounds are whole numbers. The noisy
 * texts of a record are written one after the other into an arena that
 * lives as long as the table, so that a record costs no allocation once
 * the arena has grown to the longest record's needs.
 *
 * Relies on noise.h for the mechanisms and on text.h for the number
 * syntax and prep_format_double.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "noise_rows.h"
#include "text.h"

/*
 * The longest decimal text: "%.17f" of -DBL_MAX is a sign, 309 digits,
 * the point and 17 decimals (328 bytes); a whole int64 needs 20.
 */
#define TEXT_MAX 512

/* What happens to one noised column. */
struct column {
	prep_bounds b;
	prep_laplace *real;
	prep_laplace *integer; /* NULL unless the bounds are whole numbers */
	double eps;
};

struct prep_noise_rows {
	size_t ncols;
	double eps;
	double total;
	int digits;
	const prep_missing *missing;
	struct column **col; /* ncols entries, NULL: left as it is */
	prep_field *out;     /* the record apply returns */
	size_t nout;
	size_t *done; /* columns whose text is in the arena */
	size_t *off;  /* ... at these offsets */
	char *arena;
	size_t arena_len, arena_cap;
};

prep_status
prep_noise_rows_new(size_t ncols, double epsilon, int digits,
		    const prep_missing *missing, prep_noise_rows **out)
{
	prep_noise_rows *t;
	size_t n = ncols ? ncols : 1;

	*out = NULL;
	if (digits < -1 || digits > 17)
		return PREP_ERR_ARG;
	if ((t = calloc(1, sizeof *t)) == NULL)
		return PREP_ERR_NOMEM;
	t->ncols = ncols;
	t->eps = epsilon;
	t->digits = digits;
	t->missing = missing;
	/* an array of pointers: sizeof *t->col is a pointer's size */
	/* NOLINTNEXTLINE(bugprone-sizeof-expression) */
	t->col = calloc(n, sizeof *t->col);
	t->out = calloc(n, sizeof *t->out);
	t->done = calloc(n, sizeof *t->done);
	t->off = calloc(n, sizeof *t->off);
	t->nout = n;
	if (!t->col || !t->out || !t->done || !t->off) {
		prep_noise_rows_free(t);
		return PREP_ERR_NOMEM;
	}
	*out = t;
	return PREP_OK;
}

void
prep_noise_rows_free(prep_noise_rows *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; t->col && i < t->ncols; i++) {
		if (t->col[i] == NULL)
			continue;
		prep_laplace_free(t->col[i]->real);
		prep_laplace_free(t->col[i]->integer);
		free(t->col[i]);
	}
	free(t->col);
	free(t->out);
	free(t->done);
	free(t->off);
	free(t->arena);
	free(t);
}

prep_status
prep_noise_rows_add(prep_noise_rows *t, size_t col, const prep_bounds *b)
{
	struct column *c;

	if (col >= t->ncols)
		return PREP_ERR_ARG;
	if (t->col[col])
		return PREP_ERR_COLUMN;
	if ((c = calloc(1, sizeof *c)) == NULL)
		return PREP_ERR_NOMEM;
	c->b = *b;
	c->eps = t->eps;
	if (prep_laplace_new_real(t->eps, b->hi - b->lo, &c->real) != PREP_OK) {
		free(c);
		return PREP_ERR_ARG;
	}
	if (b->integer &&
	    prep_laplace_new_int(t->eps, (double)(b->ihi - b->ilo),
				 &c->integer) != PREP_OK) {
		prep_laplace_free(c->real);
		free(c);
		return PREP_ERR_RANGE;
	}
	t->col[col] = c;
	t->total += t->eps;
	return PREP_OK;
}

int
prep_noise_rows_noised(const prep_noise_rows *t, size_t col, int *integer,
		       double *epsilon, double *scale)
{
	const struct column *c = col < t->ncols ? t->col[col] : NULL;

	if (c == NULL)
		return 0;
	if (integer)
		*integer = c->integer != NULL;
	if (epsilon)
		*epsilon = c->eps;
	if (scale)
		*scale = prep_laplace_scale(c->integer ? c->integer : c->real);
	return 1;
}

prep_status
prep_noise_rows_report(const prep_noise_rows *t, const prep_field *header,
		       const char *prefix, FILE *f)
{
	char on[300];
	size_t k;
	int integer;
	double eps, b;
	prep_status st;

	for (k = 0; k < t->ncols; k++) {
		if (!prep_noise_rows_noised(t, k, &integer, &eps, &b))
			continue;
		if (header)
			snprintf(on, sizeof on, "%.*s", (int)header[k].len,
				 header[k].data);
		else
			snprintf(on, sizeof on, "column %zu", k + 1);
		st = prep_laplace_report(f, prefix, integer, on, eps, b);
		if (st != PREP_OK)
			return st;
	}
	return PREP_OK;
}

double
prep_noise_rows_epsilon(const prep_noise_rows *t)
{
	return t->total;
}

/* The column of cell k, when it is noised and not missing; else NULL. */
static const struct column *
noised_cell(const prep_noise_rows *t, const prep_field *f, size_t k)
{
	const struct column *c = k < t->ncols ? t->col[k] : NULL;

	if (c == NULL || prep_missing_is(t->missing, f->data, f->len))
		return NULL;
	return c;
}

prep_status
prep_noise_rows_check(const prep_noise_rows *t, const prep_field *row, size_t n,
		      size_t *bad)
{
	size_t k;

	for (k = 0; k < n; k++) {
		const struct column *c = noised_cell(t, &row[k], k);
		int64_t iv;
		double dv;

		if (c == NULL ||
		    (c->integer && prep_parse_int64(row[k].data, row[k].len,
						    &iv) == PREP_OK) ||
		    (prep_parse_number(row[k].data, row[k].len, &dv) ==
			 PREP_OK &&
		     isfinite(dv)))
			continue;
		if (bad)
			*bad = k;
		return PREP_ERR_VALUE;
	}
	return PREP_OK;
}

/* v in decimal into buf (>= 21 bytes); returns the length. */
static size_t
format_int(int64_t v, char *buf)
{
	char tmp[24];
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
	size_t n = 0, len = 0;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		buf[len++] = '-';
	while (n)
		buf[len++] = tmp[--n];
	buf[len] = '\0';
	return len;
}

/*
 * The noisy text of cell f of column c into buf (TEXT_MAX bytes):
 * PREP_ERR_VALUE when it holds no number, PREP_ERR_RANGE when the
 * mechanism fails.
 */
static prep_status
noisy_text(const prep_noise_rows *t, const struct column *c, prep_rng *g,
	   const prep_field *f, char *buf, size_t *len)
{
	int64_t iv, io;
	double dv, dout;
	int k;

	if (c->integer && prep_parse_int64(f->data, f->len, &iv) == PREP_OK) {
		iv = iv < c->b.ilo ? c->b.ilo : iv > c->b.ihi ? c->b.ihi : iv;
		if (prep_laplace_add_int(c->integer, g, iv, &io) != PREP_OK)
			return PREP_ERR_RANGE;
		*len = format_int(io, buf);
		return PREP_OK;
	}
	if (prep_parse_number(f->data, f->len, &dv) != PREP_OK || !isfinite(dv))
		return PREP_ERR_VALUE;
	dv = dv < c->b.lo ? c->b.lo : dv > c->b.hi ? c->b.hi : dv;
	if (prep_laplace_add_real(c->real, g, dv, &dout) != PREP_OK)
		return PREP_ERR_RANGE;
	k = t->digits >= 0 ? snprintf(buf, TEXT_MAX, "%.*f", t->digits, dout)
			   : prep_format_double(dout, buf, TEXT_MAX);
	if (k < 0 || k >= TEXT_MAX)
		return PREP_ERR_RANGE;
	*len = (size_t)k;
	return PREP_OK;
}

/* Append text[0..len] (its NUL too) to the arena; its offset into *off. */
static prep_status
arena_add(prep_noise_rows *t, const char *text, size_t len, size_t *off)
{
	if (t->arena_cap - t->arena_len <= len) {
		size_t cap = t->arena_cap ? t->arena_cap : 4096;
		char *p;

		while (cap - t->arena_len <= len)
			cap *= 2;
		if ((p = realloc(t->arena, cap)) == NULL)
			return PREP_ERR_NOMEM;
		t->arena = p;
		t->arena_cap = cap;
	}
	memcpy(t->arena + t->arena_len, text, len + 1);
	*off = t->arena_len;
	t->arena_len += len + 1;
	return PREP_OK;
}

prep_status
prep_noise_rows_apply(prep_noise_rows *t, prep_rng *g, const prep_field *row,
		      size_t n, const prep_field **out, size_t *bad)
{
	char text[TEXT_MAX];
	size_t k, len, ndone = 0;
	prep_status st;

	if (n > t->nout) {
		prep_field *o = realloc(t->out, n * sizeof *o);

		if (o == NULL)
			return PREP_ERR_NOMEM;
		t->out = o;
		t->nout = n;
	}
	t->arena_len = 0;
	for (k = 0; k < n; k++) {
		const struct column *c = noised_cell(t, &row[k], k);

		t->out[k] = row[k];
		if (c == NULL)
			continue;
		if ((st = noisy_text(t, c, g, &row[k], text, &len)) !=
		    PREP_OK) {
			if (bad)
				*bad = k;
			return st;
		}
		if ((st = arena_add(t, text, len, &t->off[ndone])) != PREP_OK)
			return st;
		t->out[k].len = len;
		t->done[ndone++] = k;
	}
	/* the arena may have moved as it grew: point into it at the end */
	for (k = 0; k < ndone; k++)
		t->out[t->done[k]].data = t->arena + t->off[k];
	*out = t->out;
	return PREP_OK;
}
