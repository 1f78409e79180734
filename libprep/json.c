/* json.c: numbers, strings and sticky failures for report JSON (json.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "text.h"

json_t *
prep_json_number(double v)
{
	if (isnan(v))
		return json_null();
	/* 2^53: every whole number below is exactly an int64 and a double */
	if (v == floor(v) && fabs(v) < 9007199254740992.0)
		return json_integer((json_int_t)v);
	return json_real(v);
}

/* s[0..n) as valid UTF-8 in b: each invalid byte becomes U+FFFD. */
static prep_status
valid_utf8(prep_buf *b, const char *s, size_t n)
{
	size_t i = 0, k;
	prep_status st;

	while (i < n) {
		k = prep_utf8_seq_len(s + i, n - i);
		st = prep_buf_append(b, k ? s + i : "\xef\xbf\xbd", k ? k : 3);
		if (st != PREP_OK)
			return st;
		i += k ? k : 1;
	}
	return PREP_OK;
}

json_t *
prep_json_string(const char *s, size_t n)
{
	prep_buf b;
	json_t *j;

	if ((j = json_stringn(s, n)) != NULL)
		return j;
	prep_buf_init(&b, 0);
	j = valid_utf8(&b, s, n) == PREP_OK
		? json_stringn(b.data ? b.data : "", b.len)
		: NULL;
	prep_buf_free(&b);
	return j;
}

void
prep_json_set(json_t *o, const char *key, json_t *val, int *ok)
{
	if (o == NULL) {
		json_decref(val);
		*ok = 0;
	} else if (val == NULL || json_object_set_new(o, key, val) != 0) {
		*ok = 0; /* jansson has freed val */
	}
}

void
prep_json_setn(json_t *o, const char *key, size_t n, json_t *val, int *ok)
{
	const char *nul = memchr(key, '\0', n);
	prep_buf b;

	prep_buf_init(&b, 0);
	if (nul)
		n = (size_t)(nul - key);
	if (valid_utf8(&b, key, n) != PREP_OK ||
	    prep_buf_append(&b, "", 1) != PREP_OK) {
		json_decref(val);
		*ok = 0;
	} else {
		prep_json_set(o, b.data, val, ok);
	}
	prep_buf_free(&b);
}

void
prep_json_append(json_t *a, json_t *val, int *ok)
{
	if (a == NULL) {
		json_decref(val);
		*ok = 0;
	} else if (val == NULL || json_array_append_new(a, val) != 0) {
		*ok = 0; /* jansson has freed val */
	}
}

prep_status
prep_json_text(json_t *o, int ok, char **text)
{
	char *s = NULL, *t;
	size_t len;

	*text = NULL;
	if (ok && o != NULL)
		s = json_dumps(o, JSON_PRESERVE_ORDER | JSON_COMPACT |
				      JSON_REAL_PRECISION(15));
	json_decref(o);
	if (s == NULL)
		return PREP_ERR_NOMEM;
	len = strlen(s);
	if ((t = realloc(s, len + 2)) == NULL) {
		free(s);
		return PREP_ERR_NOMEM;
	}
	t[len] = '\n';
	t[len + 1] = '\0';
	*text = t;
	return PREP_OK;
}

int
prep_json_uint(const json_t *j, uint64_t lo, uint64_t hi, uint64_t *v)
{
	json_int_t i;

	if (!json_is_integer(j))
		return -1;
	i = json_integer_value(j);
	if (i < 0 || (uint64_t)i < lo || (uint64_t)i > hi)
		return -1;
	*v = (uint64_t)i;
	return 0;
}

int
prep_json_only_keys(const json_t *o, const char *const *keys, size_t n)
{
	const char *key;
	json_t *val;
	size_t i;

	json_object_foreach((json_t *)o, key, val)
	{
		for (i = 0; i < n && strcmp(key, keys[i]) != 0; i++)
			;
		if (i == n)
			return 0;
	}
	return 1;
}
