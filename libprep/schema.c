/*
 * schema.c: the Table Schema loader of schema.h: a schema descriptor, as
 * JSON, into a prep_schema that schema_check.c checks records against.
 *
 * Loading reads the JSON with jansson (duplicate keys rejected; jansson
 * itself refuses nesting deeper than JSON_PARSER_MAX_DEPTH, 2048) and
 * turns it into one struct field per column (schema_value.h) with
 * everything a check needs worked out in advance: the type's reader, the
 * bounds as typed values, the pattern compiled (and JIT-compiled) by
 * PCRE2 with its match data, the enum as a hash set of canonical keys,
 * and every message. Every key is either used, refused with an error
 * that names it, or accepted as an annotation and noted.
 *
 * Relies on jansson, PCRE2 (8-bit library) and newlocale(3) (bounds are
 * written in the C locale whatever the program set). Reference: Table
 * Schema (https://specs.frictionlessdata.io/table-schema/).
 */
#include <errno.h>
#include <jansson.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "json.h"
#include "schema.h"
#include "schema_value.h"

#define DEFAULT_MAX_KEYS ((size_t)10000000)
/* Longest piece of the schema (bound, format, name) quoted in a message. */
#define QUOTE_MAX 60

static const char *const type_names[NTYPES] = {"string",  "integer", "number",
					       "boolean", "date",    "datetime",
					       "time",	  "year",    "any"};

static const char *const bound_keys[NBOUNDS] = {
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"};
static const char *const bound_texts[NBOUNDS] = {
    "below the minimum", "above the maximum", "not above the exclusive minimum",
    "not below the exclusive maximum"};

/* ---- messages ---- */

/*
 * Copy s into dst (cap bytes) cut to at most QUOTE_MAX bytes at a
 * character boundary, with "..." when cut: a piece of the schema for a
 * message.
 */
static const char *
clip(char *dst, size_t cap, const char *s)
{
	size_t n = strlen(s), m = n;

	if (m > QUOTE_MAX) {
		m = QUOTE_MAX;
		while (m > 0 && ((unsigned char)s[m] & 0xc0) == 0x80)
			m--;
	}
	if (m + 4 > cap)
		m = 0;
	memcpy(dst, s, m);
	if (m < n)
		memcpy(dst + m, "...", 4);
	else
		dst[m] = '\0';
	return dst;
}

/* ---- sets ---- */

/* The set is complete: copy the keys of a small one (set_find in
 * schema_check.c compares them in turn). */
static void
set_seal(struct lookup *t)
{
	size_t i;

	for (i = 0; i < t->set.n && i < SMALL_SET; i++)
		t->small[i] = prep_strset_key(&t->set, i);
}

static struct lookup *
set_new(void)
{
	struct lookup *t = calloc(1, sizeof *t);

	if (t)
		prep_strset_init(&t->set, 0);
	return t;
}

static void
set_delete(struct lookup *t)
{
	if (t) {
		prep_strset_free(&t->set);
		free(t);
	}
}

static prep_strset *
keyset_new(size_t max)
{
	prep_strset *set = malloc(sizeof *set);

	if (set)
		prep_strset_init(set, max);
	return set;
}

static void
keyset_delete(prep_strset *set)
{
	if (set) {
		prep_strset_free(set);
		free(set);
	}
}

/* ---- loading ---- */

struct loader {
	prep_schema *s;
	prep_schema_error *err;
	prep_strset names; /* field name -> index */
	json_t *fields;
};

/* A schema error at path (printf-style text); PREP_ERR_VALUE. */
static prep_status
bad(struct loader *L, const char *path, const char *fmt, ...)
{
	va_list ap;

	snprintf(L->err->path, sizeof L->err->path, "%s", path);
	va_start(ap, fmt);
	vsnprintf(L->err->text, sizeof L->err->text, fmt, ap);
	va_end(ap);
	return PREP_ERR_VALUE;
}

/* A malloc'd printf-style message, or NULL. */
static char *
msgf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return strdup(buf);
}

static int
key_in(const char *key, const char *const *keys)
{
	for (; keys && *keys; keys++)
		if (strcmp(key, *keys) == 0)
			return 1;
	return 0;
}

static unsigned char
ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* key equals one of keys, ASCII letter case aside. */
static int
key_in_anycase(const char *key, const char *const *keys)
{
	const char *a, *b;

	for (; keys && *keys; keys++) {
		for (a = key, b = *keys;
		     *a && ascii_lower((unsigned char)*a) ==
			       ascii_lower((unsigned char)*b);
		     a++, b++)
			;
		if (*a == '\0' && *b == '\0')
			return 1;
	}
	return 0;
}

/* title and description, plain or with a language tag ("title@fr"). */
static int
is_text_annotation(const char *key)
{
	return strcmp(key, "title") == 0 || strcmp(key, "description") == 0 ||
	       strncmp(key, "title@", 6) == 0 ||
	       strncmp(key, "description@", 12) == 0;
}

/* Remember path as a key accepted and not used: control bytes as '?'. */
static prep_status
add_note(struct loader *L, const char *path)
{
	prep_schema *s = L->s;
	size_t at = s->notes.len, i, *no;
	prep_status st;

	if (s->nnotes == s->note_cap) {
		size_t cap = s->note_cap ? 2 * s->note_cap : 16;

		if ((no = realloc(s->note_off, cap * sizeof *no)) == NULL)
			return PREP_ERR_NOMEM;
		s->note_off = no;
		s->note_cap = cap;
	}
	if ((st = prep_buf_append(&s->notes, path, strlen(path) + 1)))
		return st == PREP_ERR_LIMIT ? PREP_ERR_NOMEM : st;
	for (i = at; i + 1 < s->notes.len; i++)
		if ((unsigned char)s->notes.data[i] < 0x20 ||
		    s->notes.data[i] == 0x7f)
			s->notes.data[i] = '?';
	s->note_off[s->nnotes++] = at;
	return PREP_OK;
}

/*
 * Check the keys of a schema object (the schema, a field, constraints).
 * Keys in used are the caller's to read. A key in refused would change
 * what is valid in a way validate does not implement: an error, as is,
 * when annotations is 0 (constraints), any key not in used. Otherwise
 * any other key is an annotation Table Schema allows ("$schema",
 * "rdfType", "example", "title@fr", a publisher's own): accepted and
 * noted, except one that differs from a used or refused key only by
 * letter case ("Constraints"), a typo that would drop a check unseen.
 * title and description, with or without a language tag, must be
 * strings.
 */
static prep_status
check_keys(struct loader *L, json_t *obj, const char *const *used,
	   const char *const *refused, int annotations, const char *prefix)
{
	char path[160], q[QUOTE_MAX + 4];
	const char *key;
	prep_status st;
	json_t *val;

	json_object_foreach(obj, key, val)
	{
		snprintf(path, sizeof path, "%s%s%s", prefix,
			 *prefix ? "." : "", clip(q, sizeof q, key));
		if (key_in(key, used))
			continue;
		if (!annotations || key_in(key, refused) ||
		    key_in_anycase(key, used) || key_in_anycase(key, refused))
			return bad(L, path, "key '%s' is not supported",
				   clip(q, sizeof q, key));
		if (is_text_annotation(key) && !json_is_string(val))
			return bad(L, path, "'%s' must be a string",
				   clip(q, sizeof q, key));
		if ((st = add_note(L, path)) != PREP_OK)
			return st;
	}
	return PREP_OK;
}

/*
 * A JSON number as JSON writes it (jansson keeps no source text): the
 * integer, a whole real without exponent, or the shortest %g that reads
 * back the same double.
 */
static void
number_text(prep_schema *s, json_t *j, char *buf, size_t cap)
{
	locale_t old;
	double d, r;
	int prec;

	if (json_is_integer(j)) {
		snprintf(buf, cap, "%" JSON_INTEGER_FORMAT,
			 json_integer_value(j));
		return;
	}
	d = json_real_value(j);
	old = uselocale(s->cloc);
	if (d == floor(d) && fabs(d) < 1e15) {
		snprintf(buf, cap, "%.0f", d); /* 1e3 -> 1000 */
		uselocale(old);
		return;
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, cap, "%.*g", prec, d);
		r = strtod(buf, NULL);
		if (r == d)
			break;
	}
	uselocale(old);
}

/*
 * Read the JSON value j (a bound, an enum entry) as a value of fl's
 * type: a string in the field's format; for integer and year also a JSON
 * integer, for number a JSON number, for boolean true or false. What it
 * says in *text (for messages, cap bytes), the string in *str (or NULL).
 */
static prep_status
json_value(struct loader *L, struct field *fl, json_t *j, const char *path,
	   const char *what, struct value *v, char *text, size_t cap,
	   const char **str)
{
	prep_status st = PREP_OK;
	const char *msg;
	*str = NULL;
	memset(v, 0, sizeof *v);
	if (json_is_string(j)) {
		*str = json_string_value(j);
		snprintf(text, cap, "%s", *str);
		msg = prep_schema_read_value(L->s, fl, *str,
					     json_string_length(j), v, &st);
		if (st != PREP_OK)
			return st;
		if (msg)
			return bad(L, path, "%s: %s", what, msg);
		return PREP_OK;
	}
	switch (fl->type) {
	case T_INTEGER:
	case T_YEAR:
		if (json_is_real(j))
			return bad(L, path, "%s: not an integer", what);
		if (!json_is_integer(j))
			break;
		v->i = (int64_t)json_integer_value(j);
		number_text(L->s, j, text, cap);
		return PREP_OK;
	case T_NUMBER:
		if (!json_is_number(j))
			break;
		v->d = json_number_value(j);
		number_text(L->s, j, text, cap);
		return PREP_OK;
	case T_BOOLEAN:
		if (!json_is_boolean(j))
			break;
		v->i = json_is_true(j);
		snprintf(text, cap, "%s", v->i ? "true" : "false");
		return PREP_OK;
	default:
		break;
	}
	switch (fl->type) {
	case T_INTEGER:
	case T_YEAR:
		return bad(L, path, "%s must be an integer or a string", what);
	case T_NUMBER:
		return bad(L, path, "%s must be a number or a string", what);
	case T_BOOLEAN:
		return bad(L, path, "%s must be true, false or a string", what);
	default:
		return bad(L, path, "%s must be a string", what);
	}
}

/* Whether constraint key applies to type t (as Frictionless has it). */
static int
constraint_applies(const char *key, enum ftype t)
{
	if (strcmp(key, "required") == 0 || strcmp(key, "unique") == 0 ||
	    strcmp(key, "enum") == 0)
		return 1;
	if (strcmp(key, "minLength") == 0 || strcmp(key, "maxLength") == 0 ||
	    strcmp(key, "pattern") == 0)
		return t == T_STRING;
	/* the bounds */
	return t == T_INTEGER || t == T_NUMBER || t == T_DATE ||
	       t == T_DATETIME || t == T_TIME || t == T_YEAR;
}

/* Conversions strptime(3) may use in a date, datetime or time format:
 * POSIX's, and glibc's %F and %z (%s and %Z depend on the time zone). */
static int
check_tfmt(struct loader *L, const char *path, const char *f)
{
	char q[QUOTE_MAX + 4];
	const char *p;

	for (p = f; *p; p++) {
		if (*p != '%')
			continue;
		p++;
		if (*p == 'E' || *p == 'O')
			p++;
		if (*p == '\0' ||
		    strchr("aAbBcCdDeFhHIjmMnprRStTUwWxXyYz%", *p) == NULL)
			return bad(L, path,
				   "format '%s': conversion '%%%c' is not "
				   "supported",
				   clip(q, sizeof q, f), *p ? *p : ' ');
	}
	return PREP_OK;
}

/* The field's format (key "format") and its type-error message. */
static prep_status
load_format(struct loader *L, struct field *fl, size_t i, json_t *fj)
{
	static const char *const iso[NTYPES] = {
	    [T_DATE] = "not a date in the format YYYY-MM-DD",
	    [T_DATETIME] = "not a datetime in the format YYYY-MM-DDThh:mm:ss",
	    [T_TIME] = "not a time in the format hh:mm:ss"};
	json_t *j = json_object_get(fj, "format");
	char path[160], q[QUOTE_MAX + 4];
	const char *f = "default", *pat;
	const char *p;
	prep_status st;

	snprintf(path, sizeof path, "fields[%zu].format", i);
	if (j != NULL && !json_is_string(j))
		return bad(L, path, "'format' must be a string");
	if (j != NULL)
		f = json_string_value(j);
	switch (fl->type) {
	case T_STRING:
		if (strcmp(f, "default") == 0)
			return PREP_OK;
		if (strcmp(f, "email") == 0) {
			fl->sfmt = SF_EMAIL;
			fl->type_msg = "not a valid email address";
			return PREP_OK;
		}
		if (strcmp(f, "uri") == 0) {
			fl->sfmt = SF_URI;
			fl->type_msg = "not a valid URI";
			return PREP_OK;
		}
		if (strcmp(f, "uuid") == 0) {
			fl->sfmt = SF_UUID;
			fl->type_msg = "not a valid UUID";
			return PREP_OK;
		}
		break;
	case T_DATE:
	case T_DATETIME:
	case T_TIME:
		fl->type_msg = iso[fl->type];
		if (strcmp(f, "default") == 0)
			return PREP_OK;
		pat = strncmp(f, "fmt:", 4) == 0 ? f + 4 : f;
		if (strchr(pat, '%') == NULL)
			break;
		if ((st = check_tfmt(L, path, pat)) != PREP_OK)
			return st;
		if ((fl->tfmt = strdup(pat)) == NULL)
			return PREP_ERR_NOMEM;
		for (p = pat; *p; p++)
			if (is_space(*p))
				fl->tfmt_space = 1;
		fl->own_type_msg =
		    msgf("not a %s in the format %s", type_names[fl->type],
			 clip(q, sizeof q, pat));
		if (fl->own_type_msg == NULL)
			return PREP_ERR_NOMEM;
		fl->type_msg = fl->own_type_msg;
		return PREP_OK;
	default:
		if (strcmp(f, "default") == 0)
			return PREP_OK;
		break;
	}
	return bad(L, path, "format '%s' is not supported for %s",
		   clip(q, sizeof q, f), type_names[fl->type]);
}

/* trueValues then falseValues (Table Schema defaults when absent). */
static prep_status
load_bools(struct loader *L, struct field *fl, size_t i, json_t *fj)
{
	static const char *const defs[2][4] = {
	    {"true", "True", "TRUE", "1"}, {"false", "False", "FALSE", "0"}};
	static const char *const keys[2] = {"trueValues", "falseValues"};
	char path[160], q[QUOTE_MAX + 4];
	const char *str;
	prep_status st;
	size_t list, k, n, id;
	json_t *j, *e;
	int added;

	if ((fl->bools = set_new()) == NULL)
		return PREP_ERR_NOMEM;
	for (list = 0; list < 2; list++) {
		j = json_object_get(fj, keys[list]);
		snprintf(path, sizeof path, "fields[%zu].%s", i, keys[list]);
		if (j != NULL && !json_is_array(j))
			return bad(L, path, "'%s' must be an array of strings",
				   keys[list]);
		n = j ? json_array_size(j) : 4;
		for (k = 0; k < n; k++) {
			str = defs[list][k & 3];
			if (j != NULL) {
				e = json_array_get(j, k);
				snprintf(path, sizeof path,
					 "fields[%zu].%s[%zu]", i, keys[list],
					 k);
				if (!json_is_string(e))
					return bad(L, path,
						   "'%s' must be an array of "
						   "strings",
						   keys[list]);
				str = json_string_value(e);
			}
			st = prep_strset_lookup(&fl->bools->set, str,
						strlen(str), 1, &id, &added);
			if (st != PREP_OK)
				return st;
			if (list == 1 && !added && id < fl->ntrue)
				return bad(L, path,
					   "value '%s' is in both trueValues "
					   "and falseValues",
					   clip(q, sizeof q, str));
		}
		if (list == 0)
			fl->ntrue = fl->bools->set.n;
	}
	set_seal(fl->bools);
	return PREP_OK;
}

/* The pattern constraint: compiled once, anchored at both ends. */
static prep_status
load_pattern(struct loader *L, struct field *fl, const char *path, json_t *j)
{
	prep_schema *s = L->s;
	PCRE2_UCHAR msg[120];
	PCRE2_SIZE off;
	int ec;

	if (!json_is_string(j))
		return bad(L, path, "'pattern' must be a string");
	fl->re = pcre2_compile((PCRE2_SPTR)json_string_value(j),
			       json_string_length(j),
			       PCRE2_UTF | PCRE2_ANCHORED | PCRE2_ENDANCHORED |
				   PCRE2_NEVER_BACKSLASH_C,
			       &ec, &off, NULL);
	if (fl->re == NULL) {
		if (ec == PCRE2_ERROR_HEAP_FAILED)
			return PREP_ERR_NOMEM;
		if (pcre2_get_error_message(ec, msg, sizeof msg) < 0)
			snprintf((char *)msg, sizeof msg, "error %d", ec);
		return bad(L, path, "bad pattern at offset %zu: %s",
			   (size_t)off, (char *)msg);
	}
	/* Without JIT (unsupported CPU) the interpreter is used. */
	fl->jit = pcre2_jit_compile(fl->re, PCRE2_JIT_COMPLETE) == 0;
	if ((fl->md = pcre2_match_data_create(1, NULL)) == NULL)
		return PREP_ERR_NOMEM;
	if (s->mctx == NULL) {
		if ((s->mctx = pcre2_match_context_create(NULL)) == NULL)
			return PREP_ERR_NOMEM;
		/* A pattern that backtracks without end, such as (a+)+$,
		 * gives up on a cell after PREP_PATTERN_MATCH_LIMIT steps
		 * (about 0.2 ms with JIT, 2 ms without) instead of the
		 * default ten million (22 ms and more): the cell is a
		 * constraint-error. */
		pcre2_set_match_limit(s->mctx, PREP_PATTERN_MATCH_LIMIT);
		pcre2_set_depth_limit(s->mctx, PREP_PATTERN_MATCH_LIMIT);
		/* NULL when JIT is not available: the default stack */
		s->jit = pcre2_jit_stack_create((size_t)32 * 1024,
						(size_t)1024 * 1024, NULL);
		if (s->jit)
			pcre2_jit_stack_assign(s->mctx, NULL, s->jit);
	}
	return PREP_OK;
}

/* The enum constraint: a set of the canonical keys of its values. */
static prep_status
load_enum(struct loader *L, struct field *fl, const char *epath, json_t *j)
{
	char path[200], text[64];
	unsigned char kb[16];
	const void *key;
	const char *str;
	struct value v;
	prep_status st;
	size_t k, klen, id;

	if (!json_is_array(j) || json_array_size(j) == 0)
		return bad(L, epath, "'enum' must be a non-empty array");
	if ((fl->enumset = set_new()) == NULL)
		return PREP_ERR_NOMEM;
	for (k = 0; k < json_array_size(j); k++) {
		snprintf(path, sizeof path, "%s[%zu]", epath, k);
		st = json_value(L, fl, json_array_get(j, k), path, "enum value",
				&v, text, sizeof text, &str);
		if (st != PREP_OK)
			return st;
		st = prep_schema_value_key(
		    L->s, fl, str,
		    str ? json_string_length(json_array_get(j, k)) : 0, &v, kb,
		    &key, &klen);
		if (st == PREP_OK)
			st = prep_strset_lookup(&fl->enumset->set, key, klen, 1,
						&id, NULL);
		if (st != PREP_OK)
			return st;
	}
	set_seal(fl->enumset);
	fl->cons |= C_ENUM;
	return PREP_OK;
}

static prep_status
load_constraints(struct loader *L, struct field *fl, size_t i, json_t *cj)
{
	static const char *const keys[] = {"required",
					   "unique",
					   "minimum",
					   "maximum",
					   "exclusiveMinimum",
					   "exclusiveMaximum",
					   "minLength",
					   "maxLength",
					   "pattern",
					   "enum",
					   NULL};
	char prefix[64], path[160], text[QUOTE_MAX + 4], q[QUOTE_MAX + 4];
	const char *key, *str;
	prep_status st;
	json_t *val;
	size_t b;
	unsigned bit;

	snprintf(prefix, sizeof prefix, "fields[%zu].constraints", i);
	if ((st = check_keys(L, cj, keys, NULL, 0, prefix)) != PREP_OK)
		return st;
	json_object_foreach(cj, key, val)
	{
		snprintf(path, sizeof path, "%s.%s", prefix, key);
		if (!constraint_applies(key, fl->type))
			return bad(L, path,
				   "constraint '%s' does not apply to type %s",
				   key, type_names[fl->type]);
		if (strcmp(key, "required") == 0 ||
		    strcmp(key, "unique") == 0) {
			if (!json_is_boolean(val))
				return bad(L, path,
					   "'%s' must be true or false", key);
			bit = key[0] == 'r' ? C_REQUIRED : C_UNIQUE;
			if (json_is_true(val))
				fl->cons |= bit;
			else
				fl->cons &= ~bit;
			continue;
		}
		if (strcmp(key, "minLength") == 0 ||
		    strcmp(key, "maxLength") == 0) {
			b = key[1] == 'i' ? M_MINLENGTH : M_MAXLENGTH;
			if (!json_is_integer(val) ||
			    json_integer_value(val) < 0)
				return bad(L, path,
					   "'%s' must be a non-negative "
					   "integer",
					   key);
			if (b == M_MINLENGTH) {
				fl->minlen = (size_t)json_integer_value(val);
				fl->cons |= C_MINLENGTH;
			} else {
				fl->maxlen = (size_t)json_integer_value(val);
				fl->cons |= C_MAXLENGTH;
			}
			fl->msg[b] =
			    msgf("%s than %s %" JSON_INTEGER_FORMAT,
				 b == M_MINLENGTH ? "shorter" : "longer", key,
				 json_integer_value(val));
			if (fl->msg[b] == NULL)
				return PREP_ERR_NOMEM;
			continue;
		}
		if (strcmp(key, "pattern") == 0) {
			if ((st = load_pattern(L, fl, path, val)) != PREP_OK)
				return st;
			fl->cons |= C_PATTERN;
			continue;
		}
		if (strcmp(key, "enum") == 0) {
			if ((st = load_enum(L, fl, path, val)) != PREP_OK)
				return st;
			continue;
		}
		for (b = 0; b < NBOUNDS; b++)
			if (strcmp(key, bound_keys[b]) == 0)
				break;
		st = json_value(L, fl, val, path, key, &fl->bound[b], text,
				sizeof text, &str);
		if (st != PREP_OK)
			return st;
		if (fl->type == T_NUMBER && isnan(fl->bound[b].d))
			return bad(L, path, "%s may not be NaN", key);
		if (fl->bound[b].big) {
			/* it points into the JSON text, which goes */
			fl->bigbound[b] = malloc(fl->bound[b].bign);
			if (fl->bigbound[b] == NULL)
				return PREP_ERR_NOMEM;
			memcpy(fl->bigbound[b], fl->bound[b].big,
			       fl->bound[b].bign);
			fl->bound[b].big = fl->bigbound[b];
		}
		fl->msg[b] =
		    msgf("%s %s", bound_texts[b], clip(q, sizeof q, text));
		if (fl->msg[b] == NULL)
			return PREP_ERR_NOMEM;
		fl->cons |= C_MINIMUM << b;
	}
	return PREP_OK;
}

static prep_status
load_field(struct loader *L, size_t i, json_t *fj)
{
	static const char *const keys[] = {
	    "name",	  "type",	 "format", "constraints",
	    "trueValues", "falseValues", NULL};
	/* they would change what is valid: number syntax, missing cells,
	 * the values allowed */
	static const char *const refused[] = {"decimalChar", "groupChar",
					      "bareNumber",  "missingValues",
					      "categories",  NULL};
	prep_schema *s = L->s;
	struct field *fl = &s->fields[i];
	char prefix[64], path[160], q[QUOTE_MAX + 4];
	const char *name, *type;
	prep_status st;
	json_t *j;
	size_t len, id, t;
	int added;

	snprintf(prefix, sizeof prefix, "fields[%zu]", i);
	if (!json_is_object(fj))
		return bad(L, prefix, "a field must be an object");
	if ((st = check_keys(L, fj, keys, refused, 1, prefix)) != PREP_OK)
		return st;

	snprintf(path, sizeof path, "%s.name", prefix);
	if ((j = json_object_get(fj, "name")) == NULL)
		return bad(L, prefix, "key 'name' is missing");
	if (!json_is_string(j))
		return bad(L, path, "'name' must be a string");
	name = json_string_value(j);
	len = json_string_length(j);
	if (len == 0)
		return bad(L, path, "'name' must not be empty");
	if ((st = prep_strset_lookup(&L->names, name, len, 1, &id, &added)))
		return st;
	if (!added)
		return bad(L, path, "duplicate field name");
	fl->name_off = s->names.len;
	fl->name_len = len;
	if ((st = prep_buf_append(&s->names, name, len + 1)) != PREP_OK)
		return st;

	snprintf(path, sizeof path, "%s.type", prefix);
	fl->type = T_STRING;
	if ((j = json_object_get(fj, "type")) != NULL) {
		if (!json_is_string(j))
			return bad(L, path, "'type' must be a string");
		type = json_string_value(j);
		for (t = 0; t < NTYPES; t++)
			if (strcmp(type, type_names[t]) == 0)
				break;
		if (t == NTYPES)
			return bad(L, path, "type '%s' is not supported",
				   clip(q, sizeof q, type));
		fl->type = (enum ftype)t;
	}
	switch (fl->type) {
	case T_INTEGER:
		fl->type_msg = "not an integer";
		break;
	case T_NUMBER:
		fl->type_msg = "not a number";
		break;
	case T_BOOLEAN:
		fl->type_msg = "not a boolean";
		break;
	case T_YEAR:
		fl->type_msg = "not a year";
		break;
	default:
		fl->type_msg = "not a valid value";
		break;
	}
	if ((st = load_format(L, fl, i, fj)) != PREP_OK)
		return st;

	if (fl->type == T_BOOLEAN) {
		if ((st = load_bools(L, fl, i, fj)) != PREP_OK)
			return st;
	} else {
		for (t = 0; t < 2; t++) {
			type = t ? "falseValues" : "trueValues";
			snprintf(path, sizeof path, "%s.%s", prefix, type);
			if (json_object_get(fj, type))
				return bad(L, path,
					   "key '%s' does not apply to type "
					   "%s",
					   type, type_names[fl->type]);
		}
	}

	if ((j = json_object_get(fj, "constraints")) != NULL) {
		snprintf(path, sizeof path, "%s.constraints", prefix);
		if (!json_is_object(j))
			return bad(L, path, "'constraints' must be an object");
		if ((st = load_constraints(L, fl, i, j)) != PREP_OK)
			return st;
	}
	return PREP_OK;
}

/* missingValues: an array of strings, default [""]. */
static prep_status
load_missing(struct loader *L, json_t *j)
{
	prep_schema *s = L->s;
	char path[64];
	prep_status st;
	size_t i, id;
	json_t *e;

	if (j == NULL) {
		s->missing_empty_only = 1;
		st = prep_strset_lookup(&s->missing.set, "", 0, 1, &id, NULL);
		set_seal(&s->missing);
		return st;
	}
	if (!json_is_array(j))
		return bad(L, "missingValues",
			   "'missingValues' must be an array of strings");
	json_array_foreach(j, i, e)
	{
		snprintf(path, sizeof path, "missingValues[%zu]", i);
		if (!json_is_string(e))
			return bad(L, path,
				   "'missingValues' must be an array of "
				   "strings");
		st = prep_strset_lookup(&s->missing.set, json_string_value(e),
					json_string_length(e), 1, &id, NULL);
		if (st != PREP_OK)
			return st;
	}
	set_seal(&s->missing);
	s->missing_empty_only =
	    s->missing.set.n == 1 && s->missing.small[0].len == 0;
	return PREP_OK;
}

/* primaryKey: a field name or a non-empty array of them. */
static prep_status
load_primary_key(struct loader *L, json_t *j)
{
	prep_schema *s = L->s;
	char path[64], q[QUOTE_MAX + 4];
	const char *name;
	prep_status st;
	prep_buf m;
	size_t n, k, id;
	json_t *e;

	if (json_is_string(j))
		n = 1;
	else if (json_is_array(j) && json_array_size(j) > 0)
		n = json_array_size(j);
	else
		return bad(L, "primaryKey",
			   "'primaryKey' must be a field name or a non-empty "
			   "array of them");
	if ((s->pk = calloc(n, sizeof *s->pk)) == NULL)
		return PREP_ERR_NOMEM;
	for (k = 0; k < n; k++) {
		e = json_is_string(j) ? j : json_array_get(j, k);
		if (json_is_string(j))
			snprintf(path, sizeof path, "primaryKey");
		else
			snprintf(path, sizeof path, "primaryKey[%zu]", k);
		if (!json_is_string(e))
			return bad(L, path,
				   "a primaryKey entry must be a "
				   "field name");
		name = json_string_value(e);
		if (prep_strset_lookup(&L->names, name, json_string_length(e),
				       0, &id, NULL) != PREP_OK)
			return bad(L, path, "primaryKey names no field '%s'",
				   clip(q, sizeof q, name));
		if (s->fields[id].cons & C_PKMARK)
			return bad(L, path, "primaryKey names field '%s' twice",
				   clip(q, sizeof q, name));
		s->fields[id].cons |= C_PKMARK;
		s->pk[k] = id;
	}
	s->npk = n;
	/* the message: "duplicate primary key (a, b)", names clipped */
	prep_buf_init(&m, 240);
	st = prep_buf_append_str(&m, "duplicate primary key (");
	for (k = 0; k < n && st == PREP_OK; k++) {
		name = s->names.data + s->fields[s->pk[k]].name_off;
		if (m.len + QUOTE_MAX + 12 > m.max) {
			st = prep_buf_append_str(&m, ", ...");
			break;
		}
		if (k > 0)
			st = prep_buf_append_str(&m, ", ");
		if (st == PREP_OK)
			st = prep_buf_append_str(&m, clip(q, sizeof q, name));
	}
	if (st == PREP_OK)
		st = prep_buf_append_byte(&m, ')');
	if (st != PREP_OK) {
		prep_buf_free(&m);
		return st == PREP_ERR_LIMIT ? PREP_ERR_NOMEM : st;
	}
	s->pk_msg = m.data;
	for (k = 0; k < n; k++) {
		s->fields[s->pk[k]].cons &= ~(unsigned)C_PKMARK;
		s->fields[s->pk[k]].cons |= C_REQUIRED;
		s->fields[s->pk[k]].pk = 1;
	}
	if ((s->pkset = keyset_new(s->max_keys)) == NULL)
		return PREP_ERR_NOMEM;
	return PREP_OK;
}

static prep_status
load_schema(struct loader *L, json_t *root)
{
	static const char *const keys[] = {"fields", "missingValues",
					   "primaryKey", "fieldsMatch", NULL};
	static const char *const refused[] = {"foreignKeys", "uniqueKeys",
					      NULL};
	char q[QUOTE_MAX + 4];
	prep_schema *s = L->s;
	prep_status st;
	json_t *fields, *j;
	size_t n, i;

	if (!json_is_object(root))
		return bad(L, "", "the schema must be a JSON object");
	if ((st = check_keys(L, root, keys, refused, 1, "")) != PREP_OK)
		return st;
	/* fields are matched to columns by position: "exact" */
	if ((j = json_object_get(root, "fieldsMatch")) != NULL) {
		if (!json_is_string(j))
			return bad(L, "fieldsMatch",
				   "'fieldsMatch' must be a string");
		if (strcmp(json_string_value(j), "exact") != 0)
			return bad(L, "fieldsMatch",
				   "fieldsMatch '%s' is not supported: fields "
				   "are matched to columns by position",
				   clip(q, sizeof q, json_string_value(j)));
	}
	if ((fields = json_object_get(root, "fields")) == NULL)
		return bad(L, "", "key 'fields' is missing");
	if (!json_is_array(fields))
		return bad(L, "fields", "'fields' must be an array");
	n = json_array_size(fields);
	if (n > PREP_SCHEMA_MAX_FIELDS) {
		bad(L, "fields", "more than %zu fields",
		    (size_t)PREP_SCHEMA_MAX_FIELDS);
		return PREP_ERR_LIMIT;
	}
	if ((s->fields = calloc(n ? n : 1, sizeof *s->fields)) == NULL ||
	    (s->vals = calloc(n ? n : 1, sizeof *s->vals)) == NULL ||
	    (s->ok = calloc(n ? n : 1, 1)) == NULL)
		return PREP_ERR_NOMEM;
	s->nfields = n;
	for (i = 0; i < n; i++)
		if ((st = load_field(L, i, json_array_get(fields, i))))
			return st;
	if ((st = load_missing(L, json_object_get(root, "missingValues"))))
		return st;
	if ((j = json_object_get(root, "primaryKey")) != NULL &&
	    (st = load_primary_key(L, j)) != PREP_OK)
		return st;
	for (i = 0; i < n; i++)
		if ((s->fields[i].cons & C_UNIQUE) &&
		    (s->fields[i].uniq = keyset_new(s->max_keys)) == NULL)
			return PREP_ERR_NOMEM;
	/* the key sets in their order: unique fields, the primary key */
	if ((s->keysets = calloc(n + 1, sizeof *s->keysets)) == NULL)
		return PREP_ERR_NOMEM;
	for (i = 0; i < n; i++)
		if (s->fields[i].uniq)
			s->keysets[s->nkeysets++] = i;
	if (s->pkset)
		s->keysets[s->nkeysets++] = PREP_SCHEMA_ROW;
	return PREP_OK;
}

prep_status
prep_schema_parse(const char *json, size_t len, prep_schema **out,
		  prep_schema_error *err)
{
	prep_schema_error dummy;
	struct loader L;
	prep_schema *s;
	prep_status st;
	json_t *root;
	unsigned int dlen = 0;

	if (err == NULL)
		err = &dummy;
	memset(err, 0, sizeof *err);
	if (out == NULL || (json == NULL && len > 0))
		return PREP_ERR_ARG;
	*out = NULL;
	if (len > PREP_SCHEMA_MAX_BYTES) {
		snprintf(err->text, sizeof err->text,
			 "schema larger than %zu bytes",
			 (size_t)PREP_SCHEMA_MAX_BYTES);
		return PREP_ERR_LIMIT;
	}
	st = prep_json_parse(json, len, &root, &err->line, &err->column,
			     err->text, sizeof err->text);
	if (st != PREP_OK)
		return st;
	if ((s = calloc(1, sizeof *s)) == NULL) {
		json_decref(root);
		return PREP_ERR_NOMEM;
	}
	if (EVP_Digest(json ? json : "", len, s->sha256, &dlen, EVP_sha256(),
		       NULL) != 1 ||
	    dlen != sizeof s->sha256) {
		json_decref(root);
		free(s);
		return PREP_ERR_CRYPTO;
	}
	s->max_keys = DEFAULT_MAX_KEYS;
	prep_buf_init(&s->names, 0);
	prep_buf_init(&s->scratch, 0);
	prep_buf_init(&s->bigkey, 0);
	prep_buf_init(&s->tuple, 0);
	prep_buf_init(&s->notes, 0);
	prep_strset_init(&s->missing.set, 0);
	memset(&L, 0, sizeof L);
	L.s = s;
	L.err = err;
	prep_strset_init(&L.names, 0);
	s->cloc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	st = s->cloc == (locale_t)0 ? PREP_ERR_NOMEM : load_schema(&L, root);
	prep_strset_free(&L.names);
	json_decref(root);
	if (st != PREP_OK) {
		prep_schema_free(s);
		return st;
	}
	*out = s;
	return PREP_OK;
}

prep_status
prep_schema_load(const char *path, prep_schema **out, prep_schema_error *err)
{
	prep_schema_error dummy;
	prep_status st = PREP_OK;
	prep_buf b;
	FILE *fp;
	int e;

	if (err == NULL)
		err = &dummy;
	memset(err, 0, sizeof *err);
	if (path == NULL || out == NULL)
		return PREP_ERR_ARG;
	*out = NULL;
	if ((fp = fopen(path, "rb")) == NULL) {
		e = errno;
		snprintf(err->text, sizeof err->text, "cannot open the schema");
		errno = e;
		return PREP_ERR_IO;
	}
	prep_buf_init(&b, PREP_SCHEMA_MAX_BYTES);
	st = prep_buf_read_stream(&b, fp);
	if (st == PREP_ERR_LIMIT)
		snprintf(err->text, sizeof err->text,
			 "schema larger than %zu bytes",
			 (size_t)PREP_SCHEMA_MAX_BYTES);
	if (st == PREP_ERR_IO) {
		e = errno;
		snprintf(err->text, sizeof err->text, "cannot read the schema");
		(void)fclose(fp); /* read only: nothing to lose */
		prep_buf_free(&b);
		errno = e;
		return PREP_ERR_IO;
	}
	(void)fclose(fp);
	if (st == PREP_OK)
		st = prep_schema_parse(b.data ? b.data : "", b.len, out, err);
	prep_buf_free(&b);
	return st;
}

/* ---- the loaded schema ---- */

size_t
prep_schema_nnotes(const prep_schema *s)
{
	return s ? s->nnotes : 0;
}

const char *
prep_schema_note(const prep_schema *s, size_t i)
{
	if (s == NULL || i >= s->nnotes)
		return NULL;
	return s->notes.data + s->note_off[i];
}

size_t
prep_schema_nfields(const prep_schema *s)
{
	return s ? s->nfields : 0;
}

const char *
prep_schema_field_name(const prep_schema *s, size_t i, size_t *len)
{
	if (s == NULL || i >= s->nfields) {
		if (len)
			*len = 0;
		return NULL;
	}
	if (len)
		*len = s->fields[i].name_len;
	return s->names.data + s->fields[i].name_off;
}

void
prep_schema_free(prep_schema *s)
{
	struct field *fl;
	size_t i, j;

	if (s == NULL)
		return;
	for (i = 0; i < s->nfields; i++) {
		fl = &s->fields[i];
		free(fl->tfmt);
		pcre2_match_data_free(fl->md);
		pcre2_code_free(fl->re);
		set_delete(fl->bools);
		set_delete(fl->enumset);
		keyset_delete(fl->uniq);
		free(fl->own_type_msg);
		for (j = 0; j < NBOUNDS + 2; j++)
			free(fl->msg[j]);
		for (j = 0; j < NBOUNDS; j++)
			free(fl->bigbound[j]);
	}
	free(s->fields);
	prep_buf_free(&s->names);
	prep_strset_free(&s->missing.set);
	free(s->pk);
	keyset_delete(s->pkset);
	free(s->pk_msg);
	if (s->cloc != (locale_t)0)
		freelocale(s->cloc);
	pcre2_match_context_free(s->mctx);
	pcre2_jit_stack_free(s->jit);
	prep_buf_free(&s->scratch);
	prep_buf_free(&s->bigkey);
	prep_buf_free(&s->tuple);
	prep_buf_free(&s->notes);
	free(s->note_off);
	free(s->vals);
	free(s->ok);
	free(s->keysets);
	free(s);
}

/* ---- the unique and primary-key sets ---- */

size_t
prep_schema_key_sets(const prep_schema *s)
{
	return s ? s->nkeysets : 0;
}

size_t
prep_schema_key_set_field(const prep_schema *s, size_t k)
{
	return k < prep_schema_key_sets(s) ? s->keysets[k] : PREP_SCHEMA_ROW;
}

static const prep_strset *
keyset_at(const prep_schema *s, size_t k)
{
	size_t f = prep_schema_key_set_field(s, k);

	if (k >= prep_schema_key_sets(s))
		return NULL;
	return f == PREP_SCHEMA_ROW ? s->pkset : s->fields[f].uniq;
}

size_t
prep_schema_key_set_size(const prep_schema *s, size_t k)
{
	const prep_strset *set = keyset_at(s, k);

	return set ? set->n : 0;
}

prep_field
prep_schema_key_set_key(const prep_schema *s, size_t k, size_t id)
{
	const prep_strset *set = keyset_at(s, k);
	prep_field none = {"", 0};

	return set && id < set->n ? prep_strset_key(set, id) : none;
}

size_t
prep_schema_max_keys(const prep_schema *s)
{
	return s ? s->max_keys : 0;
}

void
prep_schema_sha256(const prep_schema *s, unsigned char out[32])
{
	memcpy(out, s->sha256, sizeof s->sha256);
}
