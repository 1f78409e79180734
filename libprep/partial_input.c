/*
 * partial_input.c: the delimiter and column names a partial's state
 * keeps of its input (partial_input.h).
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "partial.h"
#include "partial_input.h"

void
prep_partial_input_free(prep_partial_input *in)
{
	free(in->names);
	free(in->text);
	memset(in, 0, sizeof *in);
}

static int
field_eq(const prep_field *a, const prep_field *b)
{
	return a->len == b->len &&
	       (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

int
prep_partial_input_same(const prep_partial_input *a,
			const prep_partial_input *b)
{
	size_t i;

	if (a->delim != b->delim || (a->names == NULL) != (b->names == NULL) ||
	    a->nnames != b->nnames)
		return 0;
	for (i = 0; a->names && i < a->nnames; i++)
		if (!field_eq(&a->names[i], &b->names[i]))
			return 0;
	return 1;
}

json_t *
prep_partial_delim_json(int delim)
{
	char d = (char)delim;

	return prep_json_bytes(&d, 1);
}

json_t *
prep_partial_names_json(const prep_field *names, size_t n)
{
	json_t *a = json_array();
	size_t i;
	int ok = 1;

	for (i = 0; i < n; i++)
		prep_json_append(
		    a, prep_json_bytes(names[i].data, names[i].len), &ok);
	if (!ok) {
		json_decref(a);
		return NULL;
	}
	return a;
}

const char *
prep_partial_delim_read(const json_t *j, int *delim)
{
	const char *why;
	char *s;
	size_t len;

	if (!json_is_string(j))
		return "bad delimiter";
	why = prep_json_bytes_read(json_string_value(j), json_string_length(j),
				   &s, &len);
	if (why != NULL)
		return why;
	if (s == NULL)
		return "out of memory";
	if (len != 1 || s[0] == '\0' || strchr("\"\r\n", s[0]) != NULL)
		why = "bad delimiter";
	else
		*delim = (unsigned char)s[0];
	free(s);
	return why;
}

/* The bytes of name j appended to b: NULL, or why not. */
static const char *
name_read(const json_t *j, prep_buf *b, prep_status *st)
{
	const char *why;
	char *s;
	size_t len;

	if (!json_is_string(j))
		return "bad name of a column";
	why = prep_json_bytes_read(json_string_value(j), json_string_length(j),
				   &s, &len);
	if (why != NULL)
		return why;
	if (s == NULL) {
		*st = PREP_ERR_NOMEM;
		return NULL;
	}
	*st = prep_buf_append(b, s, len);
	free(s);
	return NULL;
}

prep_status
prep_partial_names_read(const json_t *names, const json_t *extra, size_t max,
			prep_partial_input *in, const char **why)
{
	size_t i, n = json_array_size(names), k = n + (extra != NULL);
	size_t *at;
	prep_status st = PREP_OK;
	prep_buf b;

	*why = NULL;
	in->names = NULL;
	in->text = NULL;
	in->nnames = 0;
	if (!json_is_array(names) || n == 0 || n > max) {
		*why = "bad names of the columns";
		return PREP_ERR_VALUE;
	}
	if ((at = calloc(k + 1, sizeof *at)) == NULL)
		return PREP_ERR_NOMEM;
	prep_buf_init(&b, PREP_PARTIAL_MAX_BYTES);
	for (i = 0; *why == NULL && st == PREP_OK && i < k; i++) {
		at[i] = b.len;
		*why = name_read(i < n ? json_array_get(names, i) : extra, &b,
				 &st);
	}
	at[k] = b.len;
	if (*why == NULL && st == PREP_OK &&
	    ((in->names = calloc(k ? k : 1, sizeof *in->names)) == NULL ||
	     (in->text = malloc(b.len + 1)) == NULL))
		st = PREP_ERR_NOMEM;
	if (*why != NULL || st != PREP_OK) {
		int delim = in->delim;

		prep_partial_input_free(in);
		in->delim = delim;
		prep_buf_free(&b);
		free(at);
		return *why ? PREP_ERR_VALUE : st;
	}
	if (b.len)
		memcpy(in->text, b.data, b.len);
	prep_buf_free(&b);
	in->nnames = k;
	for (i = 0; i < k; i++) {
		in->names[i].data = in->text + at[i];
		in->names[i].len = at[i + 1] - at[i];
	}
	free(at);
	return PREP_OK;
}

int
prep_partial_values_cmp(const prep_field *a, const prep_field *b, size_t n)
{
	size_t i, m;
	int c;

	for (i = 0; i < n; i++) {
		m = a[i].len < b[i].len ? a[i].len : b[i].len;
		c = m ? memcmp(a[i].data, b[i].data, m) : 0;
		if (c != 0)
			return c;
		if (a[i].len != b[i].len)
			return a[i].len < b[i].len ? -1 : 1;
	}
	return 0;
}

int
prep_state_refuse(prep_state_refusal *r, prep_status st, const char *why)
{
	if (r->st == PREP_OK) {
		r->st = st;
		r->why = why;
	}
	return -1;
}
