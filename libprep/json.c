/* json.c: numbers, strings and sticky failures for report JSON (json.h). */
#include <math.h>
#include <stdio.h>
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

prep_status
prep_json_write(json_t *o, int ok, prep_writer *w)
{
	char *text;
	prep_status st = prep_json_text(o, ok, &text);

	if (st != PREP_OK)
		return st;
	st = prep_writer_raw(w, text, strlen(text));
	free(text);
	return st;
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

/* ---- byte strings as JSON strings ---- */

#define HEX_PREFIX "hex:"
#define HEX_PREFIX_LEN 4

/* Must the value be written in the "hex:" form? */
static int
needs_hex(const char *s, size_t len)
{
	size_t i = 0, k;

	if (len >= HEX_PREFIX_LEN && memcmp(s, HEX_PREFIX, HEX_PREFIX_LEN) == 0)
		return 1;
	if (memchr(s, '\0', len) != NULL)
		return 1;
	while (i < len) {
		if ((k = prep_utf8_seq_len(s + i, len - i)) == 0)
			return 1;
		i += k;
	}
	return 0;
}

json_t *
prep_json_bytes(const char *s, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	json_t *j;
	char *t;
	size_t i;

	if (!needs_hex(s, len))
		return json_stringn(s, len);
	if (len > (SIZE_MAX - HEX_PREFIX_LEN) / 2 ||
	    (t = malloc(HEX_PREFIX_LEN + 2 * len)) == NULL)
		return NULL;
	memcpy(t, HEX_PREFIX, HEX_PREFIX_LEN);
	for (i = 0; i < len; i++) {
		t[HEX_PREFIX_LEN + 2 * i] = digits[(unsigned char)s[i] >> 4];
		t[HEX_PREFIX_LEN + 2 * i + 1] =
		    digits[(unsigned char)s[i] & 15];
	}
	j = json_stringn(t, HEX_PREFIX_LEN + 2 * len);
	free(t);
	return j;
}

static int
hex_digit(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

const char *
prep_json_bytes_read(const char *s, size_t len, char **out, size_t *olen)
{
	size_t i, n;
	char *b;
	int hi, lo;

	*out = NULL;
	if (len < HEX_PREFIX_LEN ||
	    memcmp(s, HEX_PREFIX, HEX_PREFIX_LEN) != 0) {
		if (memchr(s, '\0', len) != NULL)
			return "value with a NUL not in hex: form";
		if ((*out = malloc(len + 1)) == NULL)
			return NULL;
		memcpy(*out, s, len);
		(*out)[len] = '\0';
		*olen = len;
		return NULL;
	}
	n = (len - HEX_PREFIX_LEN) / 2;
	if ((len - HEX_PREFIX_LEN) % 2 != 0)
		return "hex: value of odd length";
	if ((b = malloc(n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		hi = hex_digit((unsigned char)s[HEX_PREFIX_LEN + 2 * i]);
		lo = hex_digit((unsigned char)s[HEX_PREFIX_LEN + 2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(b);
			return "hex: value not in lowercase hexadecimal";
		}
		b[i] = (char)(hi << 4 | lo);
	}
	b[n] = '\0';
	if (!needs_hex(b, n)) {
		free(b);
		return "hex: form of a value written as text";
	}
	*out = b;
	*olen = n;
	return NULL;
}

/* ---- syntax errors ---- */

/*
 * What kind of JSON syntax error je is, in words that quote nothing of the
 * file: jansson's text ends in " near '<up to 20 bytes of the input>'",
 * and a few of its phrases hold a byte of it ("control character 0x1",
 * "unable to decode byte 0xb3"). A file given as a schema by mistake (a
 * key file, a CSV of personal data) must not be shown, so only jansson's
 * fixed phrases are kept, and anything else is named by its error code.
 */
const char *
prep_json_syntax_phrase(const json_error_t *je)
{
	static const char *const fixed[] = {
	    "'[' or '{' expected",
	    "string or '}' expected",
	    "':' expected",
	    "'}' expected",
	    "']' expected",
	    "invalid token",
	    "unexpected token",
	    "end of file expected",
	    "premature end of input",
	    "unexpected newline",
	    "invalid escape",
	    "too big integer",
	    "too big negative integer",
	    "real number overflow",
	    "duplicate object key",
	    "maximum parsing depth reached",
	};
	const char *near = strstr(je->text, " near ");
	size_t n = near ? (size_t)(near - je->text) : strlen(je->text), i;

	if (json_error_code(je) == json_error_premature_end_of_input)
		return "premature end of input";
	for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		if (strlen(fixed[i]) == n && memcmp(fixed[i], je->text, n) == 0)
			return fixed[i];
	if (strncmp(je->text, "control character", 17) == 0)
		return "control character in a string";
	if (strncmp(je->text, "invalid Unicode", 15) == 0)
		return "invalid Unicode escape";
	switch (json_error_code(je)) {
	case json_error_invalid_utf8:
		return "invalid UTF-8";
	case json_error_end_of_input_expected:
		return "end of file expected";
	case json_error_null_character:
		return "\\u0000 in a string";
	case json_error_null_byte_in_key:
		return "\\u0000 in an object key";
	case json_error_duplicate_key:
		return "duplicate object key";
	case json_error_numeric_overflow:
		return "number too large";
	case json_error_stack_overflow:
		return "maximum parsing depth reached";
	case json_error_invalid_syntax:
		return "invalid syntax";
	default:
		return "syntax error";
	}
}

prep_status
prep_json_parse(const char *text, size_t len, json_t **out, int *line,
		int *column, char *why, size_t n)
{
	json_error_t je;

	*out = json_loadb(text ? text : "", len, JSON_REJECT_DUPLICATES, &je);
	if (*out != NULL)
		return PREP_OK;
	if (json_error_code(&je) == json_error_out_of_memory)
		return PREP_ERR_NOMEM;
	*line = je.line > 0 ? je.line : 1;
	*column = je.column > 0 ? je.column : 1;
	snprintf(why, n, "not valid JSON: %s", prep_json_syntax_phrase(&je));
	return PREP_ERR_VALUE;
}
