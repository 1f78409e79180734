/*
 * schema_check.c: the checks of a record's cells against a loaded Table
 * Schema (schema.h): types, constraints, unique and primary keys. The
 * schema itself, one struct field per column with its bounds, pattern,
 * sets and messages worked out in advance, is built by schema.c; the
 * values of each type and their canonical keys are schema_value.c's.
 *
 * A row check reads each cell once, by hand for the default formats
 * (strptime(3) only for a field's own pattern), and allocates nothing but
 * the unique and primary-key sets' growth.
 *
 * Canonical keys make typed values comparable as bytes: an integer, a
 * year, a date (days since 1970-01-01) or a boolean is its int64 (an
 * integer past int64: its sign and digits), a datetime or time its
 * seconds (UTC) and nanoseconds, a number its double with
 * -0 made 0 and one NaN; strings and `any` are their bytes. Unique sets,
 * the primary-key set and enums store these keys in prep_strset.
 *
 * Relies on PCRE2 (8-bit library), strptime(3) and uselocale(3) (numbers
 * and patterns are read in the C locale whatever the program set).
 * References beside the code: Table Schema
 * (https://specs.frictionlessdata.io/table-schema/), RFC 3339 / ISO 8601
 * (dates), RFC 3986 (URI scheme), RFC 4122 (UUID), RFC 5321/5322 (e-mail),
 * RFC 3629 (UTF-8), H. Hinnant's date algorithms, W. Clinger's fast path
 * for reading decimals.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* strptime(3) */
#endif

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "generalize.h"
#include "schema.h"
#include "schema_value.h"
#include "text.h"

static const char MSG_REQUIRED[] = "required value is missing";
static const char MSG_PATTERN[] = "does not match the pattern";
static const char MSG_PATTERN_LIMIT[] =
    "pattern could not be matched (resource limit)";
static const char MSG_BAD_UTF8[] = "not valid UTF-8, length cannot be checked";
static const char MSG_ENUM[] = "not one of the enum values";
static const char MSG_UNIQUE[] = "duplicate value in a unique field";

/*
 * -1, 0, 1 as integer a is below, equal to, above b, one of them past
 * int64: such a value is beyond every int64 on its side of zero.
 */
static int
big_cmp(const struct value *a, const struct value *b)
{
	int r;

	if (b->big == NULL)
		return a->i > 0 ? 1 : -1;
	if (a->big == NULL)
		return b->i > 0 ? -1 : 1;
	if (a->i != b->i)
		return a->i < b->i ? -1 : 1;
	if (a->bign != b->bign)
		r = a->bign < b->bign ? -1 : 1;
	else
		r = memcmp(a->big, b->big, a->bign);
	r = r < 0 ? -1 : r > 0;
	return a->i > 0 ? r : -r;
}

/* -1, 0, 1 as a is below, equal to, above b; 2 when unordered (NaN). */
static int
value_cmp(const struct field *fl, const struct value *a, const struct value *b)
{
	if (fl->type == T_NUMBER) {
		if (a->d < b->d)
			return -1;
		if (a->d > b->d)
			return 1;
		return a->d == b->d ? 0 : 2;
	}
	if (a->big || b->big)
		return big_cmp(a, b);
	if (a->i != b->i)
		return a->i < b->i ? -1 : 1;
	if (a->ns != b->ns)
		return a->ns < b->ns ? -1 : 1;
	return 0;
}

/*
 * The first constraint the (present, well-typed) value breaks, in the
 * order of schema.h, unique excepted; NULL when none. *st is set when a
 * key can't be built (no memory).
 */
static const char *
check_constraints(prep_schema *s, struct field *fl, const char *c, size_t n,
		  const struct value *v, prep_status *st)
{
	unsigned char kb[16];
	const void *key;
	size_t nch = 0, klen, id;
	int valid = 1, r;

	if (fl->cons & (C_MINLENGTH | C_MAXLENGTH | C_PATTERN)) {
		valid = prep_utf8_count(c, n, &nch) == PREP_OK;
		if (fl->cons & C_MINLENGTH) {
			if (!valid)
				return MSG_BAD_UTF8;
			if (nch < fl->minlen)
				return fl->msg[M_MINLENGTH];
		}
		if (fl->cons & C_MAXLENGTH) {
			if (!valid)
				return MSG_BAD_UTF8;
			if (nch > fl->maxlen)
				return fl->msg[M_MAXLENGTH];
		}
		if (fl->cons & C_PATTERN) {
			if (!valid)
				return MSG_PATTERN;
			/* valid UTF-8: no need for PCRE2 to check it */
			if (fl->jit)
				r = pcre2_jit_match(fl->re, (PCRE2_SPTR)c, n, 0,
						    0, fl->md, s->mctx);
			else
				r = pcre2_match(fl->re, (PCRE2_SPTR)c, n, 0,
						PCRE2_NO_UTF_CHECK, fl->md,
						s->mctx);
			if (r == PCRE2_ERROR_NOMATCH)
				return MSG_PATTERN;
			if (r < 0)
				return MSG_PATTERN_LIMIT;
		}
	}
	if (fl->cons & (C_MINIMUM | C_MAXIMUM | C_XMINIMUM | C_XMAXIMUM)) {
		if ((fl->cons & C_MINIMUM) &&
		    (r = value_cmp(fl, v, &fl->bound[B_MINIMUM])) != 0 &&
		    r != 1)
			return fl->msg[B_MINIMUM];
		if ((fl->cons & C_MAXIMUM) &&
		    (r = value_cmp(fl, v, &fl->bound[B_MAXIMUM])) != 0 &&
		    r != -1)
			return fl->msg[B_MAXIMUM];
		if ((fl->cons & C_XMINIMUM) &&
		    value_cmp(fl, v, &fl->bound[B_XMINIMUM]) != 1)
			return fl->msg[B_XMINIMUM];
		if ((fl->cons & C_XMAXIMUM) &&
		    value_cmp(fl, v, &fl->bound[B_XMAXIMUM]) != -1)
			return fl->msg[B_XMAXIMUM];
	}
	if (fl->cons & C_ENUM) {
		if ((*st = prep_schema_value_key(s, fl, c, n, v, kb, &key,
						 &klen)) != PREP_OK)
			return NULL;
		if (!prep_schema_set_find(fl->enumset, key, klen, &id))
			return MSG_ENUM;
	}
	return NULL;
}

static int
is_missing(prep_schema *s, const char *c, size_t n)
{
	size_t id;

	if (s->missing_empty_only)
		return n == 0;
	return prep_schema_set_find(&s->missing, c, n, &id);
}

int
prep_schema_is_missing(prep_schema *s, const char *p, size_t n)
{
	if (s == NULL)
		return n == 0;
	return is_missing(s, p ? p : "", n);
}

/* ---- checking a row ---- */

/* The key set (prep_schema_key_sets) of field i's unique constraint. */
static size_t
unique_set(const prep_schema *s, size_t i)
{
	size_t k;

	for (k = 0; k < s->nkeysets && s->keysets[k] != i; k++)
		;
	return k;
}

/* A lookup put off: its set, its key's length, the key. */
static prep_status
defer_key(prep_schema *s, size_t k, const void *key, size_t len)
{
	uint32_t h[2] = {(uint32_t)k, (uint32_t)len};
	prep_status st;

	if (len > UINT32_MAX)
		return PREP_ERR_LIMIT;
	if ((st = prep_buf_append(s->defer, h, sizeof h)) != PREP_OK)
		return st;
	return prep_buf_append(s->defer, key, len);
}

prep_status
prep_schema_check_row(prep_schema *s, const prep_field *f, size_t n,
		      prep_schema_issue *issues, size_t *nissues)
{
	unsigned char kb[16], *o;
	const void *key;
	struct field *fl;
	struct value v;
	const char *c, *msg;
	prep_field kf;
	prep_status st = PREP_OK;
	size_t i, k = 0, m, klen, id, need;
	int added;

	if (nissues)
		*nissues = 0;
	if (s == NULL || issues == NULL || nissues == NULL ||
	    (n > 0 && f == NULL))
		return PREP_ERR_ARG;
	m = n < s->nfields ? n : s->nfields;
	for (i = 0; i < m; i++) {
		fl = &s->fields[i];
		c = f[i].data ? f[i].data : "";
		s->ok[i] = 0;
		if (f[i].data == NULL && f[i].len > 0) {
			st = PREP_ERR_ARG;
			goto out;
		}
		if (is_missing(s, c, f[i].len)) {
			if (fl->cons & C_REQUIRED) {
				issues[k].field = i;
				issues[k].code = PREP_SCHEMA_CONSTRAINT_ERROR;
				issues[k++].message = MSG_REQUIRED;
			}
			continue;
		}
		msg = prep_schema_read_value(s, fl, c, f[i].len, &v, &st);
		if (st != PREP_OK)
			goto out;
		if (msg) {
			issues[k].field = i;
			issues[k].code = PREP_SCHEMA_TYPE_ERROR;
			issues[k++].message = msg;
			continue;
		}
		msg = NULL;
		if (fl->cons & ~(unsigned)(C_REQUIRED | C_UNIQUE))
			msg = check_constraints(s, fl, c, f[i].len, &v, &st);
		if (st != PREP_OK)
			goto out;
		if (msg) {
			issues[k].field = i;
			issues[k].code = PREP_SCHEMA_CONSTRAINT_ERROR;
			issues[k++].message = msg;
			continue;
		}
		if (fl->pk) {
			s->vals[i] = v;
			s->ok[i] = 1;
		}
		if (fl->uniq) {
			st = prep_schema_value_key(s, fl, c, f[i].len, &v, kb,
						   &key, &klen);
			added = 1;
			if (st == PREP_OK && s->defer)
				st = defer_key(s, unique_set(s, i), key, klen);
			else if (st == PREP_OK)
				st = prep_strset_lookup(fl->uniq, key, klen, 1,
							&id, &added);
			if (st != PREP_OK)
				goto out;
			if (!added) {
				issues[k].field = i;
				issues[k].code = PREP_SCHEMA_UNIQUE_ERROR;
				issues[k++].message = MSG_UNIQUE;
			}
		}
	}
	/* A field without a cell (a short record) is missing. */
	for (i = m; i < s->nfields; i++) {
		s->ok[i] = 0;
		if (s->fields[i].cons & C_REQUIRED) {
			issues[k].field = i;
			issues[k].code = PREP_SCHEMA_CONSTRAINT_ERROR;
			issues[k++].message = MSG_REQUIRED;
		}
	}
	if (s->npk == 0)
		goto out;
	for (i = 0, need = 0; i < s->npk; i++) {
		if (s->pk[i] >= m || !s->ok[s->pk[i]])
			goto out;
		need += f[s->pk[i]].len + PREP_TUPLE_OVERHEAD;
	}
	prep_buf_reset(&s->tuple);
	if ((st = prep_buf_reserve(&s->tuple, need)) != PREP_OK)
		goto out;
	o = (unsigned char *)s->tuple.data;
	for (i = 0; i < s->npk; i++) {
		fl = &s->fields[s->pk[i]];
		c = f[s->pk[i]].data ? f[s->pk[i]].data : "";
		st = prep_schema_value_key(s, fl, c, f[s->pk[i]].len,
					   &s->vals[s->pk[i]], kb, &key,
					   &kf.len);
		if (st != PREP_OK)
			goto out;
		kf.data = key;
		o = prep_tuple_put(o, &kf);
	}
	if (s->defer) {
		st = defer_key(s, s->nkeysets - 1, s->tuple.data,
			       (size_t)(o - (unsigned char *)s->tuple.data));
		goto out;
	}
	st = prep_strset_lookup(s->pkset, s->tuple.data,
				(size_t)(o - (unsigned char *)s->tuple.data), 1,
				&id, &added);
	if (st == PREP_OK && !added) {
		issues[k].field = PREP_SCHEMA_ROW;
		issues[k].code = PREP_SCHEMA_PRIMARY_KEY_ERROR;
		issues[k++].message = s->pk_msg;
	}
out:
	*nissues = k;
	return st;
}

void
prep_schema_set_max_keys(prep_schema *s, size_t max_keys)
{
	size_t i, max = max_keys ? max_keys : SIZE_MAX;

	if (s == NULL)
		return;
	s->max_keys = max_keys;
	for (i = 0; i < s->nfields; i++)
		if (s->fields[i].uniq)
			s->fields[i].uniq->max = max;
	if (s->pkset)
		s->pkset->max = max;
}

const char *
prep_schema_key_set_message(const prep_schema *s, size_t k)
{
	if (k >= prep_schema_key_sets(s))
		return "";
	return prep_schema_key_set_field(s, k) == PREP_SCHEMA_ROW ? s->pk_msg
								  : MSG_UNIQUE;
}

void
prep_schema_defer_keys(prep_schema *s, prep_buf *keys)
{
	if (s)
		s->defer = keys;
}

int
prep_schema_key_next(const prep_buf *keys, size_t *off, size_t *k,
		     const void **key, size_t *len)
{
	uint32_t h[2];

	if (keys == NULL || *off + sizeof h > keys->len)
		return 0;
	memcpy(h, keys->data + *off, sizeof h);
	if (keys->len - *off - sizeof h < h[1])
		return 0;
	*k = h[0];
	*len = h[1];
	*key = keys->data + *off + sizeof h;
	*off += sizeof h + h[1];
	return 1;
}

prep_status
prep_schema_key_enter(prep_schema *s, size_t k, const void *key, size_t len,
		      int *dup)
{
	prep_strset *set;
	size_t id;
	int added = 0;
	prep_status st;

	*dup = 0;
	if (s == NULL || k >= s->nkeysets)
		return PREP_ERR_ARG;
	set = s->keysets[k] == PREP_SCHEMA_ROW ? s->pkset
					       : s->fields[s->keysets[k]].uniq;
	st = prep_strset_lookup(set, key, len, 1, &id, &added);
	if (st == PREP_OK)
		*dup = !added;
	return st;
}
