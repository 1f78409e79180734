/*
 * validate_partial.c: validate's partial state and its merge (see
 * validate_partial.h, man5/prep-partial.5, "validate").
 *
 * {"empty":B,"header":[LABEL...]|null,"columns":N,"rows":N,
 *  "valid_rows":N,"errors_by_code":{CODE:N...},
 *  "errors":[{"row":N,"field":N,"code":CODE,"message":TEXT,"file":I,
 *             "line":N}...],
 *  "files":[NAME|null...],
 *  "keys":[{"field":NAME|null,"keys":[[KEY,ROW,FILE,LINE,STATE]...]}...]}
 *
 * A key's STATE is what the merge needs to add the error a duplicate
 * across parts gets: 0, its row had no error in its part (it becomes
 * invalid); 1, it had; 2, it had, and the cell's reported error is
 * another (extra-cell, encoding-error), which hides the unique-error as
 * in one run. The error goes where one run lists it: a unique-error among
 * the row's errors by field (before a pii-error of the same cell), a
 * primary-key error last.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "memcap.h"
#include "partial.h"
#include "pii.h"
#include "strset.h"
#include "validate_partial.h"

enum { KEY_VALID, KEY_INVALID, KEY_HIDDEN };

/* The largest count or line read: 2^62, as the profile's counts. */
#define COUNT_MAX ((uint64_t)1 << 62)

/* Where a key was first seen in the part. */
struct vkey {
	uint64_t row, line;
	uint32_t file;
	uint8_t state;
};

/* One key set: a unique field's or the primary key's. */
struct vset {
	size_t field; /* 0-based; PREP_SCHEMA_ROW: the primary key */
	size_t k;     /* the schema's number of the set */
	int own;      /* the keys are in keys (read), else the schema's */
	prep_strset keys;
	struct vkey *info; /* per key id */
	size_t n, cap;
};

/* A listed error. */
struct verr {
	uint64_t row, line;
	uint32_t file;
	size_t field;
	int code;
	char *message;
};

struct prep_vstate {
	const prep_schema *schema;
	int empty, has_header;
	prep_field *header; /* labels, each malloc'd */
	size_t ncols;
	uint64_t rows, valid_rows, by_code[PREP_V_NCODES];
	struct verr *errs;
	size_t nerrs;
	char **files; /* NULL entries: an unknown file */
	size_t nfiles, files_cap;
	const char *last_file; /* building: the name last looked up */
	uint32_t last_index;
	struct vset *sets;
	size_t nsets;
};

static json_t *
uint_json(uint64_t v)
{
	return json_integer((json_int_t)v);
}

json_t *
prep_vstate_options_json(const prep_vstate_options *o)
{
	static const struct {
		unsigned type;
		const char *name;
	} pii[] = {{PREP_PII_CARD, "card"},   {PREP_PII_EMAIL, "email"},
		   {PREP_PII_IBAN, "iban"},   {PREP_PII_IP, "ip"},
		   {PREP_PII_PHONE, "phone"}, {PREP_PII_SSN, "ssn"}};
	json_t *j = json_object(), *a = json_array();
	unsigned char d[32];
	char hex[65];
	int ok = j != NULL && a != NULL;
	size_t i;

	if (o->schema) {
		prep_schema_sha256(o->schema, d);
		for (i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", d[i]);
	}
	prep_json_set(j, "schema", o->schema ? json_string(hex) : json_null(),
		      &ok);
	for (i = 0; i < sizeof pii / sizeof pii[0]; i++)
		if (o->pii & pii[i].type)
			prep_json_append(a, json_string(pii[i].name), &ok);
	prep_json_set(j, "pii", a, &ok);
	prep_json_set(j, "mostly", json_real(o->mostly), &ok);
	prep_json_set(j, "max_errors", uint_json(o->max_errors), &ok);
	prep_json_set(j, "max_keys", uint_json(o->max_keys), &ok);
	prep_json_set(j, "missing", prep_partial_missing(o->missing), &ok);
	prep_json_set(j, "header", json_boolean(o->header), &ok);
	prep_json_set(j, "allow_empty", json_boolean(o->allow_empty), &ok);
	prep_json_set(j, "lazy_quotes", json_boolean(o->lazy_quotes), &ok);
	prep_json_set(j, "max_field", uint_json(o->max_field), &ok);
	if (!ok) {
		json_decref(j);
		return NULL;
	}
	return j;
}

prep_status
prep_vstate_new(const prep_schema *schema, prep_vstate **out)
{
	prep_vstate *st = calloc(1, sizeof *st);
	size_t k, n = prep_schema_key_sets(schema);

	*out = NULL;
	if (st == NULL)
		return PREP_ERR_NOMEM;
	st->schema = schema;
	st->sets = calloc(n + 1, sizeof *st->sets);
	if (st->sets == NULL) {
		free(st);
		return PREP_ERR_NOMEM;
	}
	st->nsets = n;
	for (k = 0; k < n; k++) {
		st->sets[k].k = k;
		st->sets[k].field = prep_schema_key_set_field(schema, k);
	}
	*out = st;
	return PREP_OK;
}

void
prep_vstate_free(prep_vstate *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; st->header && i < st->ncols; i++)
		free((char *)st->header[i].data);
	free(st->header);
	for (i = 0; i < st->nerrs; i++)
		free(st->errs[i].message);
	free(st->errs);
	for (i = 0; i < st->nfiles; i++)
		free(st->files[i]);
	free(st->files);
	for (i = 0; i < st->nsets; i++) {
		if (st->sets[i].own)
			prep_strset_free(&st->sets[i].keys);
		prep_memcap_free(st->sets[i].info,
				 st->sets[i].cap * sizeof *st->sets[i].info);
	}
	free(st->sets);
	free(st);
}

/* ---- building ---- */

static int
same_name(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* The index of file name in the files (added when new). */
static prep_status
file_index(prep_vstate *st, const char *name, uint32_t *index)
{
	char **t, *copy = NULL;
	size_t i, cap;

	if (st->nfiles > 0 && name == st->last_file) {
		*index = st->last_index;
		return PREP_OK;
	}
	for (i = 0; i < st->nfiles; i++)
		if (same_name(st->files[i], name))
			break;
	if (i == st->nfiles) {
		if (i >= PREP_VSTATE_MAX_FILES)
			return PREP_ERR_LIMIT;
		if (st->nfiles == st->files_cap) {
			cap = st->files_cap ? 2 * st->files_cap : 4;
			if ((t = realloc(st->files, cap * sizeof *t)) == NULL)
				return PREP_ERR_NOMEM;
			st->files = t;
			st->files_cap = cap;
		}
		if (name != NULL && (copy = strdup(name)) == NULL)
			return PREP_ERR_NOMEM;
		st->files[st->nfiles++] = copy;
	}
	st->last_file = name;
	st->last_index = (uint32_t)i;
	*index = (uint32_t)i;
	return PREP_OK;
}

prep_status
prep_vstate_input(prep_vstate *st, int empty, const prep_field *h, size_t n,
		  size_t ncols, const char *file)
{
	uint32_t index;
	prep_status s;
	char *c;
	size_t i;

	st->empty = empty;
	st->ncols = ncols;
	if ((s = file_index(st, file, &index)) != PREP_OK)
		return s;
	if (h == NULL || empty)
		return PREP_OK;
	if (n != ncols)
		return PREP_ERR_ARG;
	if ((st->header = calloc(n + 1, sizeof *st->header)) == NULL)
		return PREP_ERR_NOMEM;
	st->has_header = 1;
	for (i = 0; i < n; i++) {
		if ((c = malloc(h[i].len + 1)) == NULL)
			return PREP_ERR_NOMEM;
		if (h[i].len)
			memcpy(c, h[i].data, h[i].len);
		c[h[i].len] = '\0';
		st->header[i].data = c;
		st->header[i].len = h[i].len;
	}
	return PREP_OK;
}

/* Room for one more key in set t. */
static prep_status
set_grow(struct vset *t)
{
	struct vkey *x;
	prep_status st = PREP_OK;
	size_t cap;

	if (t->n < t->cap)
		return PREP_OK;
	cap = t->cap ? 2 * t->cap : 64;
	x = prep_memcap_realloc(t->info, t->cap * sizeof *x, cap * sizeof *x,
				&st);
	if (x == NULL)
		return st != PREP_OK ? st : PREP_ERR_NOMEM;
	t->info = x;
	t->cap = cap;
	return PREP_OK;
}

prep_status
prep_vstate_row(prep_vstate *st, const prep_validator *v, uint64_t row,
		prep_where w, const prep_field *f, size_t n, size_t nissues)
{
	struct vset *t;
	struct vkey *x;
	prep_status s;
	uint32_t file;
	size_t k, size;

	for (k = 0; k < st->nsets; k++) {
		t = &st->sets[k];
		size = prep_schema_key_set_size(st->schema, t->k);
		/* a record adds at most one key to a set */
		while (t->n < size) {
			if ((s = set_grow(t)) != PREP_OK ||
			    (s = file_index(st, w.file, &file)) != PREP_OK)
				return s;
			x = &t->info[t->n++];
			x->row = row;
			x->line = w.line;
			x->file = file;
			x->state = nissues == 0 ? KEY_VALID
				   : t->field != PREP_SCHEMA_ROW &&
					   !prep_validator_schema_shows(
					       v, f, n, t->field)
				       ? KEY_HIDDEN
				       : KEY_INVALID;
		}
	}
	return PREP_OK;
}

prep_status
prep_vstate_report(prep_vstate *st, const prep_vreport *r)
{
	size_t i, n = prep_vreport_listed(r);
	const char *msg;
	struct verr *e;
	prep_status s;
	prep_where w;
	int c;

	st->rows = prep_vreport_rows(r);
	st->valid_rows = prep_vreport_valid_rows(r);
	for (c = 0; c < PREP_V_NCODES; c++)
		st->by_code[c] = prep_vreport_count(r, c);
	if ((st->errs = calloc(n + 1, sizeof *st->errs)) == NULL)
		return PREP_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		e = &st->errs[i];
		if (prep_vreport_error(r, i, &e->row, &w, &e->field, &e->code,
				       &msg) != PREP_OK)
			return PREP_ERR_ARG;
		e->line = w.line;
		if ((s = file_index(st, w.file, &e->file)) != PREP_OK)
			return s;
		if ((e->message = strdup(msg)) == NULL)
			return PREP_ERR_NOMEM;
		st->nerrs++;
	}
	return PREP_OK;
}

/* ---- writing ---- */

static prep_field
key_of(const prep_vstate *st, const struct vset *t, size_t id)
{
	return t->own ? prep_strset_key(&t->keys, id)
		      : prep_schema_key_set_key(st->schema, t->k, id);
}

/* -1, 0, 1 as bytes a sort before, with, after b (a prefix first). */
static int
bytes_cmp(prep_field a, prep_field b)
{
	size_t n = a.len < b.len ? a.len : b.len;
	int r = n ? memcmp(a.data, b.data, n) : 0;

	if (r != 0)
		return r < 0 ? -1 : 1;
	return (a.len > b.len) - (a.len < b.len);
}

struct sorted {
	prep_field key;
	size_t id;
};

static int
sorted_cmp(const void *x, const void *y)
{
	return bytes_cmp(((const struct sorted *)x)->key,
			 ((const struct sorted *)y)->key);
}

static json_t *
set_json(const prep_vstate *st, const struct vset *t, int *ok)
{
	json_t *o = json_object(), *a = json_array(), *e;
	struct sorted *s = calloc(t->n + 1, sizeof *s);
	const struct vkey *x;
	size_t i, nlen = 0;
	const char *name;

	if (s == NULL)
		*ok = 0;
	for (i = 0; s && i < t->n; i++) {
		s[i].key = key_of(st, t, i);
		s[i].id = i;
	}
	if (s)
		qsort(s, t->n, sizeof *s, sorted_cmp);
	for (i = 0; s && i < t->n && *ok; i++) {
		x = &t->info[s[i].id];
		e = json_array();
		prep_json_append(
		    e, prep_json_bytes(s[i].key.data, s[i].key.len), ok);
		prep_json_append(e, uint_json(x->row), ok);
		prep_json_append(e, uint_json(x->file), ok);
		prep_json_append(e, uint_json(x->line), ok);
		prep_json_append(e, uint_json(x->state), ok);
		prep_json_append(a, e, ok);
	}
	free(s);
	name = t->field == PREP_SCHEMA_ROW
		   ? NULL
		   : prep_schema_field_name(st->schema, t->field, &nlen);
	prep_json_set(o, "field",
		      name ? prep_json_bytes(name, nlen) : json_null(), ok);
	prep_json_set(o, "keys", a, ok);
	return o;
}

json_t *
prep_vstate_to_json(const prep_vstate *st)
{
	json_t *o = json_object(), *h, *bc = json_object(), *a = json_array();
	json_t *fl = json_array(), *ks = json_array(), *e;
	int ok = o && bc && a && fl && ks;
	size_t i;
	int c;

	prep_json_set(o, "empty", json_boolean(st->empty), &ok);
	h = st->has_header ? json_array() : json_null();
	for (i = 0; st->has_header && i < st->ncols; i++)
		prep_json_append(
		    h, prep_json_bytes(st->header[i].data, st->header[i].len),
		    &ok);
	prep_json_set(o, "header", h, &ok);
	prep_json_set(o, "columns", uint_json(st->ncols), &ok);
	prep_json_set(o, "rows", uint_json(st->rows), &ok);
	prep_json_set(o, "valid_rows", uint_json(st->valid_rows), &ok);
	for (c = 0; c < PREP_V_NCODES; c++)
		if (st->by_code[c])
			prep_json_set(bc, prep_vcode_name(c),
				      uint_json(st->by_code[c]), &ok);
	prep_json_set(o, "errors_by_code", bc, &ok);
	for (i = 0; i < st->nerrs; i++) {
		const struct verr *x = &st->errs[i];

		e = json_object();
		prep_json_set(e, "row", uint_json(x->row), &ok);
		prep_json_set(e, "field", uint_json(x->field), &ok);
		prep_json_set(e, "code", json_string(prep_vcode_name(x->code)),
			      &ok);
		prep_json_set(e, "message",
			      prep_json_bytes(x->message, strlen(x->message)),
			      &ok);
		prep_json_set(e, "file", uint_json(x->file), &ok);
		prep_json_set(e, "line", uint_json(x->line), &ok);
		prep_json_append(a, e, &ok);
	}
	prep_json_set(o, "errors", a, &ok);
	for (i = 0; i < st->nfiles; i++)
		prep_json_append(
		    fl,
		    st->files[i]
			? prep_json_bytes(st->files[i], strlen(st->files[i]))
			: json_null(),
		    &ok);
	prep_json_set(o, "files", fl, &ok);
	for (i = 0; i < st->nsets; i++)
		prep_json_append(ks, set_json(st, &st->sets[i], &ok), &ok);
	prep_json_set(o, "keys", ks, &ok);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ---- reading ---- */

/* A reason, or NULL; st carries a resource failure. */
struct rd {
	const char *why;
	prep_status st;
};

static int
bad(struct rd *r, const char *why)
{
	if (r->why == NULL && r->st == PREP_OK)
		r->why = why;
	return -1;
}

static int
fail(struct rd *r, prep_status st)
{
	if (r->st == PREP_OK && r->why == NULL)
		r->st = st;
	return -1;
}

static int
get_uint(struct rd *r, const json_t *j, uint64_t hi, uint64_t *v,
	 const char *why)
{
	if (prep_json_uint(j, 0, hi, v) != 0)
		return bad(r, why);
	return 0;
}

/* A prep_json_bytes string: its bytes in *s (malloc'd, NUL-terminated). */
static int
get_bytes(struct rd *r, const json_t *j, char **s, size_t *n, const char *why)
{
	const char *w;

	*s = NULL;
	*n = 0;
	if (!json_is_string(j))
		return bad(r, why);
	w = prep_json_bytes_read(json_string_value(j), json_string_length(j), s,
				 n);
	if (w != NULL)
		return bad(r, why);
	if (*s == NULL)
		return fail(r, PREP_ERR_NOMEM);
	return 0;
}

static int
code_of(const json_t *j)
{
	int c;

	if (!json_is_string(j))
		return -1;
	for (c = 0; c < PREP_V_NCODES; c++)
		if (strcmp(json_string_value(j), prep_vcode_name(c)) == 0)
			return c;
	return -1;
}

/* The codes of the header's errors: a part's state has none. */
static int
header_code(int c)
{
	return c == PREP_V_BLANK_LABEL || c == PREP_V_DUPLICATE_LABEL ||
	       c == PREP_V_INCORRECT_LABEL || c == PREP_V_MISSING_LABEL ||
	       c == PREP_V_EXTRA_LABEL;
}

static int
read_header(struct rd *r, prep_vstate *st, const json_t *h)
{
	size_t i;
	char *s;

	if (json_is_null(h))
		return 0;
	if (!json_is_array(h) || json_array_size(h) != st->ncols)
		return bad(r, "bad header");
	if ((st->header = calloc(st->ncols + 1, sizeof *st->header)) == NULL)
		return fail(r, PREP_ERR_NOMEM);
	st->has_header = 1;
	for (i = 0; i < st->ncols; i++) {
		if (get_bytes(r, json_array_get(h, i), &s, &st->header[i].len,
			      "bad header label"))
			return -1;
		st->header[i].data = s;
	}
	return 0;
}

static int
read_files(struct rd *r, prep_vstate *st, const json_t *a)
{
	size_t i, n, len;
	const json_t *f;
	char *s;

	if (!json_is_array(a) ||
	    (n = json_array_size(a)) > PREP_VSTATE_MAX_FILES)
		return bad(r, "bad files");
	if ((st->files = calloc(n + 1, sizeof *st->files)) == NULL)
		return fail(r, PREP_ERR_NOMEM);
	st->files_cap = n + 1;
	json_array_foreach(a, i, f)
	{
		s = NULL;
		if (!json_is_null(f)) {
			if (get_bytes(r, f, &s, &len, "bad file name"))
				return -1;
			if (strlen(s) != len) {
				free(s);
				return bad(r, "bad file name");
			}
		}
		st->files[st->nfiles++] = s;
	}
	return 0;
}

static int
read_counts(struct rd *r, prep_vstate *st, const json_t *o, uint64_t *total)
{
	const char *key;
	const json_t *v;
	int c;

	*total = 0;
	if (!json_is_object(o))
		return bad(r, "bad errors_by_code");
	json_object_foreach((json_t *)o, key, v)
	{
		for (c = 0; c < PREP_V_NCODES; c++)
			if (strcmp(key, prep_vcode_name(c)) == 0)
				break;
		if (c == PREP_V_NCODES || header_code(c) ||
		    get_uint(r, v, COUNT_MAX, &st->by_code[c],
			     "bad errors_by_code") ||
		    st->by_code[c] == 0)
			return bad(r, "bad errors_by_code");
		*total += st->by_code[c];
	}
	if (st->by_code[PREP_V_SOURCE] > 1)
		return bad(r, "more than one source-error");
	return 0;
}

static int
read_error(struct rd *r, prep_vstate *st, const json_t *o, struct verr *e)
{
	static const char *const keys[] = {"row",     "field", "code",
					   "message", "file",  "line"};
	uint64_t file;
	size_t len;

	if (!json_is_object(o) || json_object_size(o) != 6 ||
	    !prep_json_only_keys(o, keys, 6))
		return bad(r, "bad listed error");
	if (get_uint(r, json_object_get(o, "row"), st->rows + 2, &e->row,
		     "listed error of a row out of range") ||
	    get_uint(r, json_object_get(o, "field"), PREP_VSTATE_MAX_COLUMNS,
		     &file, "bad listed error"))
		return -1;
	e->field = (size_t)file;
	if (get_uint(r, json_object_get(o, "file"),
		     st->nfiles ? st->nfiles - 1 : 0, &file,
		     "listed error of an unknown file") ||
	    st->nfiles == 0)
		return bad(r, "listed error of an unknown file");
	e->file = (uint32_t)file;
	if (get_uint(r, json_object_get(o, "line"), COUNT_MAX, &e->line,
		     "bad listed error"))
		return -1;
	e->code = code_of(json_object_get(o, "code"));
	if (e->code < 0 || header_code(e->code) || e->row == 0)
		return bad(r, "bad listed error");
	if (get_bytes(r, json_object_get(o, "message"), &e->message, &len,
		      "bad listed error"))
		return -1;
	if (e->message == NULL || len > PREP_VSTATE_MAX_MESSAGE ||
	    strlen(e->message) != len)
		return bad(r, "bad listed error");
	return 0;
}

static int
read_errors(struct rd *r, prep_vstate *st, const json_t *a, uint64_t total,
	    size_t max_errors)
{
	uint64_t listed[PREP_V_NCODES] = {0};
	size_t i, n;

	if (!json_is_array(a))
		return bad(r, "bad errors");
	n = json_array_size(a);
	if (n > max_errors || n != (total < max_errors ? total : max_errors))
		return bad(r, "listed errors do not match their count");
	if ((st->errs = calloc(n + 1, sizeof *st->errs)) == NULL)
		return fail(r, PREP_ERR_NOMEM);
	for (i = 0; i < n; i++) {
		if (read_error(r, st, json_array_get(a, i), &st->errs[i])) {
			st->nerrs = i + 1; /* freed with it */
			return -1;
		}
		st->nerrs = i + 1;
		if (i > 0 && st->errs[i].row < st->errs[i - 1].row)
			return bad(r, "listed errors out of order");
		if (++listed[st->errs[i].code] > st->by_code[st->errs[i].code])
			return bad(r, "listed errors do not match their count");
		if (i > 0 && st->errs[i - 1].code == PREP_V_SOURCE)
			return bad(r, "an error listed after the source-error");
	}
	return 0;
}

/* The keys of set t in array a. */
static int
read_set(struct rd *r, prep_vstate *st, struct vset *t, const json_t *o)
{
	static const char *const keys[] = {"field", "keys"};
	const json_t *a = json_object_get(o, "keys"), *e;
	uint64_t v[4];
	prep_field cur;
	const char *name = NULL;
	size_t i, n, nlen = 0, id, klen;
	prep_status s;
	char *key, *fname;
	int added;

	if (!json_is_object(o) || json_object_size(o) != 2 ||
	    !prep_json_only_keys(o, keys, 2) || !json_is_array(a))
		return bad(r, "bad key set");
	if (t->field != PREP_SCHEMA_ROW)
		name = prep_schema_field_name(st->schema, t->field, &nlen);
	if (name == NULL) {
		if (!json_is_null(json_object_get(o, "field")))
			return bad(r, "key sets are not the schema's");
	} else {
		if (get_bytes(r, json_object_get(o, "field"), &fname, &klen,
			      "key sets are not the schema's"))
			return -1;
		added = klen == nlen && memcmp(fname, name, nlen) == 0;
		free(fname);
		if (!added)
			return bad(r, "key sets are not the schema's");
	}
	n = json_array_size(a);
	if (n > st->rows)
		return bad(r, "more keys than rows");
	t->own = 1;
	prep_strset_init(&t->keys, 0);
	json_array_foreach(a, i, e)
	{
		if (!json_is_array(e) || json_array_size(e) != 5 ||
		    get_bytes(r, json_array_get(e, 0), &key, &klen, "bad key"))
			return bad(r, "bad key");
		s = prep_strset_lookup(&t->keys, key, klen, 1, &id, &added);
		free(key);
		if (s != PREP_OK)
			return fail(r, s);
		/* the arena may have moved: the previous key by its id */
		cur = prep_strset_key(&t->keys, id);
		if (!added ||
		    (i > 0 &&
		     bytes_cmp(prep_strset_key(&t->keys, id - 1), cur) >= 0))
			return bad(r, "keys out of order or twice");
		if (get_uint(r, json_array_get(e, 1), st->rows + 1, &v[0],
			     "key of a row out of range") ||
		    v[0] == 0 ||
		    get_uint(r, json_array_get(e, 2),
			     st->nfiles ? st->nfiles - 1 : 0, &v[1],
			     "key of an unknown file") ||
		    st->nfiles == 0 ||
		    get_uint(r, json_array_get(e, 3), COUNT_MAX, &v[2],
			     "bad key") ||
		    get_uint(r, json_array_get(e, 4),
			     t->field == PREP_SCHEMA_ROW ? KEY_INVALID
							 : KEY_HIDDEN,
			     &v[3], "bad key state"))
			return bad(r, "bad key");
		if ((s = set_grow(t)) != PREP_OK)
			return fail(r, s);
		t->info[t->n].row = v[0];
		t->info[t->n].file = (uint32_t)v[1];
		t->info[t->n].line = v[2];
		t->info[t->n].state = (uint8_t)v[3];
		t->n++;
	}
	return 0;
}

static int
row_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* No two keys of a set from one row: a row adds one key to a set. */
static int
rows_distinct(struct rd *r, const struct vset *t)
{
	uint64_t *rows = malloc((t->n + 1) * sizeof *rows);
	size_t i;
	int twice = 0;

	if (rows == NULL)
		return fail(r, PREP_ERR_NOMEM);
	for (i = 0; i < t->n; i++)
		rows[i] = t->info[i].row;
	qsort(rows, t->n, sizeof *rows, row_cmp);
	for (i = 1; i < t->n; i++)
		twice |= rows[i] == rows[i - 1];
	free(rows);
	return twice ? bad(r, "two keys of one row in a set") : 0;
}

/* A listed error of row? (The listing is in row order.) */
static int
listed_row(const prep_vstate *st, uint64_t row)
{
	size_t lo = 0, hi = st->nerrs, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (st->errs[mid].row < row)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < st->nerrs && st->errs[lo].row == row;
}

/*
 * The rows whose keys say they were valid: no more than the valid rows,
 * and none with a listed error (what the merge counts and lists on).
 */
static int
valid_keys(struct rd *r, const prep_vstate *st)
{
	uint64_t *rows;
	size_t i, k, n = 0, all = 0, distinct = 0;
	int ok = 1;

	for (k = 0; k < st->nsets; k++)
		all += st->sets[k].n;
	if ((rows = malloc((all + 1) * sizeof *rows)) == NULL)
		return fail(r, PREP_ERR_NOMEM);
	for (k = 0; k < st->nsets; k++)
		for (i = 0; i < st->sets[k].n; i++)
			if (st->sets[k].info[i].state == KEY_VALID)
				rows[n++] = st->sets[k].info[i].row;
	qsort(rows, n, sizeof *rows, row_cmp);
	for (i = 0; i < n && ok; i++) {
		if (i > 0 && rows[i] == rows[i - 1])
			continue;
		distinct++;
		ok = !listed_row(st, rows[i]);
	}
	free(rows);
	if (!ok || distinct > st->valid_rows)
		return bad(r, "keys of valid rows that are not");
	return 0;
}

static int
read_state(struct rd *r, prep_vstate *st, const json_t *j, size_t max_errors)
{
	static const char *const keys[] = {
	    "empty",	      "header", "columns", "rows", "valid_rows",
	    "errors_by_code", "errors", "files",   "keys"};
	const json_t *ks = json_object_get(j, "keys"), *e;
	uint64_t cols, total;
	size_t i;

	if (!json_is_object(j) || json_object_size(j) != 9 ||
	    !prep_json_only_keys(j, keys, 9))
		return bad(r, "not a state of validate: a member is missing, "
			      "unknown or of the wrong type");
	if (!json_is_boolean(json_object_get(j, "empty")))
		return bad(r, "bad empty");
	st->empty = json_is_true(json_object_get(j, "empty"));
	if (get_uint(r, json_object_get(j, "columns"), PREP_VSTATE_MAX_COLUMNS,
		     &cols, "bad columns") ||
	    get_uint(r, json_object_get(j, "rows"), COUNT_MAX, &st->rows,
		     "bad rows") ||
	    get_uint(r, json_object_get(j, "valid_rows"), st->rows,
		     &st->valid_rows, "more valid rows than rows"))
		return -1;
	st->ncols = (size_t)cols;
	if (read_header(r, st, json_object_get(j, "header")) ||
	    read_files(r, st, json_object_get(j, "files")) ||
	    read_counts(r, st, json_object_get(j, "errors_by_code"), &total) ||
	    read_errors(r, st, json_object_get(j, "errors"), total, max_errors))
		return -1;
	if (st->empty && (st->has_header || st->rows || total))
		return bad(r, "an empty input with rows, errors or a header");
	/* every invalid row has an error, and an error of a row makes it
	 * invalid (a source-error is the table's) */
	total -= st->by_code[PREP_V_SOURCE];
	if (total < st->rows - st->valid_rows ||
	    (total == 0) != (st->valid_rows == st->rows))
		return bad(r, "error counts do not match the valid rows");
	if (!json_is_array(ks) || json_array_size(ks) != st->nsets)
		return bad(r, "key sets are not the schema's");
	for (i = 0; i < st->nsets; i++) {
		e = json_array_get(ks, i);
		if (read_set(r, st, &st->sets[i], e) ||
		    rows_distinct(r, &st->sets[i]))
			return -1;
	}
	return valid_keys(r, st);
}

prep_status
prep_vstate_from_json(const json_t *j, const prep_schema *schema,
		      size_t max_errors, prep_vstate **out, const char **why)
{
	struct rd r = {NULL, PREP_OK};
	prep_vstate *st;
	prep_status s;

	*out = NULL;
	*why = NULL;
	if ((s = prep_vstate_new(schema, &st)) != PREP_OK)
		return s;
	if (read_state(&r, st, j, max_errors) != 0) {
		prep_vstate_free(st);
		*why = r.why ? r.why : "not a valid state";
		return r.st != PREP_OK ? r.st : PREP_ERR_VALUE;
	}
	*out = st;
	return PREP_OK;
}

/* ---- merging ---- */

/* A duplicate across parts: the error the whole run adds to its row. */
struct event {
	uint64_t row;
	size_t pos; /* the cell (0-based), SIZE_MAX: the row's own */
	size_t set; /* and its key */
	const struct vkey *at;
};

static int
event_cmp(const void *a, const void *b)
{
	const struct event *x = a, *y = b;

	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

/* Where the header is and what it is: equal for every part read. */
static int
same_input(const prep_vstate *a, const prep_vstate *b)
{
	size_t i;

	if (a->has_header != b->has_header || a->ncols != b->ncols)
		return 0;
	for (i = 0; a->has_header && i < a->ncols; i++)
		if (bytes_cmp(a->header[i], b->header[i]) != 0)
			return 0;
	return 1;
}

static prep_where
place(const prep_vstate *st, uint32_t file, uint64_t line)
{
	prep_where w;

	w.file = st != NULL && file < st->nfiles ? st->files[file] : NULL;
	w.line = (unsigned long)line;
	w.field = 0;
	return w;
}

/*
 * The keys of part p new to the union g: their count per set, each set's
 * found (1: already in g) in found[k][id]; past max the place of the key
 * that passes it, the earliest of the sets', in *at (1 returned).
 */
struct merge {
	prep_strset *g; /* per set: the keys of the parts before */
	size_t max;	/* 0: no limit */
	unsigned char **found;
	struct event *ev;
	size_t nev, evcap;
};

static int
key_row_cmp(const void *a, const void *b)
{
	const struct vkey *x = *(const struct vkey *const *)a,
			  *y = *(const struct vkey *const *)b;

	return (x->row > y->row) - (x->row < y->row);
}

/* The duplicates of part p against the union, then its keys added. */
static prep_status
part_keys(struct merge *m, const prep_vstate *p, prep_where *at, int *over)
{
	const struct vkey **fresh, *first = NULL;
	struct vset *t;
	prep_status s;
	prep_field key;
	size_t k, id, gid, nfresh;
	int added;

	*over = 0;
	for (k = 0; k < p->nsets; k++) {
		t = &p->sets[k];
		free(m->found[k]);
		if ((m->found[k] = calloc(t->n + 1, 1)) == NULL)
			return PREP_ERR_NOMEM;
		for (id = 0, nfresh = 0; id < t->n; id++) {
			key = key_of(p, t, id);
			s = prep_strset_lookup(&m->g[k], key.data, key.len, 0,
					       &gid, NULL);
			if (s == PREP_OK)
				m->found[k][id] = 1;
			else if (s == PREP_ERR_NOT_FOUND)
				nfresh++;
			else
				return s;
		}
		if (m->max == 0 || m->g[k].n + nfresh <= m->max)
			continue;
		/* the run stops at the key that passes max, in row order */
		/* an array of pointers to keys */
		/* NOLINTNEXTLINE(bugprone-sizeof-expression) */
		if ((fresh = calloc(nfresh + 1, sizeof *fresh)) == NULL)
			return PREP_ERR_NOMEM;
		for (id = 0, nfresh = 0; id < t->n; id++)
			if (!m->found[k][id])
				fresh[nfresh++] = &t->info[id];
		/* NOLINTNEXTLINE(bugprone-sizeof-expression) */
		qsort(fresh, nfresh, sizeof *fresh, key_row_cmp);
		if (first == NULL ||
		    fresh[m->max - m->g[k].n]->row < first->row)
			first = fresh[m->max - m->g[k].n];
		free(fresh);
	}
	if (first != NULL) {
		*at = place(p, first->file, first->line);
		*over = 1;
		return PREP_OK;
	}
	for (k = 0; k < p->nsets; k++) {
		t = &p->sets[k];
		for (id = 0; id < t->n; id++) {
			if (m->found[k][id])
				continue;
			key = key_of(p, t, id);
			s = prep_strset_lookup(&m->g[k], key.data, key.len, 1,
					       &gid, &added);
			if (s != PREP_OK)
				return s;
		}
	}
	return PREP_OK;
}

/* The duplicates of part p, sorted in the order of its rows' errors. */
static prep_status
part_events(struct merge *m, const prep_vstate *p)
{
	struct event *e;
	const struct vset *t;
	size_t k, id, cap;

	m->nev = 0;
	for (k = 0; k < p->nsets; k++) {
		t = &p->sets[k];
		for (id = 0; id < t->n; id++) {
			if (!m->found[k][id] || t->info[id].state == KEY_HIDDEN)
				continue;
			if (m->nev == m->evcap) {
				cap = m->evcap ? 2 * m->evcap : 64;
				e = realloc(m->ev, cap * sizeof *e);
				if (e == NULL)
					return PREP_ERR_NOMEM;
				m->ev = e;
				m->evcap = cap;
			}
			e = &m->ev[m->nev++];
			e->row = t->info[id].row;
			e->pos =
			    t->field == PREP_SCHEMA_ROW ? SIZE_MAX : t->field;
			e->set = k;
			e->at = &t->info[id];
		}
	}
	if (m->nev > 1)
		qsort(m->ev, m->nev, sizeof *m->ev, event_cmp);
	return PREP_OK;
}

/* Event e's error into r, its row moved by off. */
static prep_status
note_event(prep_vreport *r, const prep_vstate *p, const struct event *e,
	   uint64_t off)
{
	const struct vset *t = &p->sets[e->set];
	int pk = t->field == PREP_SCHEMA_ROW;

	return prep_vreport_note(
	    r, e->row + off, place(p, e->at->file, e->at->line),
	    pk ? 0 : t->field + 1, pk ? PREP_V_PRIMARY_KEY : PREP_V_UNIQUE,
	    prep_schema_key_set_message(p->schema, t->k), 0);
}

/* Part p's errors and its duplicates into r, in the run's order. */
static prep_status
part_report(struct merge *m, const prep_vstate *p, prep_vreport *r,
	    uint64_t off)
{
	uint64_t listed[PREP_V_NCODES] = {0}, invalid = 0, last = 0;
	const struct verr *x = NULL;
	prep_status s = PREP_OK;
	size_t i = 0, j = 0, pos = 0;
	int c;

	while (s == PREP_OK && (i < p->nerrs || j < m->nev)) {
		if (i < p->nerrs) {
			x = &p->errs[i];
			pos = x->field == 0 ? SIZE_MAX : x->field - 1;
		}
		if (j < m->nev &&
		    (i == p->nerrs || m->ev[j].row < x->row ||
		     (m->ev[j].row == x->row && m->ev[j].pos <= pos))) {
			s = note_event(r, p, &m->ev[j++], off);
			continue;
		}
		listed[x->code]++;
		s = prep_vreport_note(
		    r, x->row + off, place(p, x->file, x->line), x->field,
		    x->code, x->message, x->code == PREP_V_SOURCE);
		i++;
	}
	for (c = 0; s == PREP_OK && c < PREP_V_NCODES; c++)
		s = prep_vreport_add(r, c, p->by_code[c] - listed[c]);
	/* a row valid in its part with a duplicate across parts is not */
	for (j = 0; j < m->nev; j++) {
		if (m->ev[j].at->state == KEY_VALID &&
		    (invalid == 0 || m->ev[j].row != last))
			invalid++;
		if (m->ev[j].at->state == KEY_VALID)
			last = m->ev[j].row;
	}
	prep_vreport_add_rows(r, p->rows, p->valid_rows - invalid);
	if (p->by_code[PREP_V_SOURCE])
		prep_vreport_fail(r);
	return s;
}

/* The reference part's header into v, its errors into r. */
static prep_status
header_of(const prep_vstate *p, prep_validator *v, prep_vreport *r)
{
	const prep_vissue *is;
	prep_status s;
	size_t ni;

	if (!p->has_header) {
		prep_validator_columns(v, p->ncols);
		return PREP_OK;
	}
	s = prep_validator_header(v, p->header, p->ncols, &is, &ni);
	if (s == PREP_OK)
		s = prep_vreport_header(r, place(p, 0, 1), is, ni);
	return s;
}

prep_status
prep_vstate_merge(prep_vstate *const *parts, size_t n, int allow_empty,
		  prep_validator *v, prep_vreport *r, prep_where *at,
		  size_t *which, const char **why)
{
	const prep_vstate *ref = NULL, *p;
	struct merge m;
	prep_status s = PREP_OK;
	uint64_t off = 0;
	size_t i, k, nsets = n ? parts[0]->nsets : 0;
	int over = 0;

	*which = 0;
	*why = NULL;
	memset(at, 0, sizeof *at);
	for (i = 0; i < n && ref == NULL; i++)
		if (!parts[i]->empty)
			ref = parts[i];
	if (ref == NULL) {
		/* no part had a record: the input was empty */
		if (n > 0 && allow_empty) {
			prep_validator_columns(v, parts[0]->ncols);
			return PREP_OK;
		}
		prep_validator_columns(v, 0);
		return prep_vreport_source_empty(r, n ? place(parts[0], 0, 1)
						      : place(NULL, 0, 1));
	}
	memset(&m, 0, sizeof m);
	m.g = calloc(nsets + 1, sizeof *m.g);
	m.found = calloc(nsets + 1, sizeof *m.found);
	if (m.g == NULL || m.found == NULL) {
		free(m.g);
		free(m.found);
		return PREP_ERR_NOMEM;
	}
	m.max = prep_schema_max_keys(ref->schema);
	for (k = 0; k < nsets; k++)
		prep_strset_init(&m.g[k], 0);
	if ((s = header_of(ref, v, r)) != PREP_OK)
		goto out;
	for (i = 0; i < n && s == PREP_OK; i++) {
		p = parts[i];
		if (p->empty)
			continue;
		if (p->nsets != nsets || !same_input(p, ref)) {
			*which = i;
			*why = "a part of an input with another header than "
			       "the first part's";
			s = PREP_ERR_VALUE;
			break;
		}
		if ((s = part_keys(&m, p, at, &over)) != PREP_OK)
			break;
		if (over) {
			s = PREP_ERR_LIMIT;
			break;
		}
		if ((s = part_events(&m, p)) != PREP_OK ||
		    (s = part_report(&m, p, r, off)) != PREP_OK)
			break;
		off += p->rows;
		/* the run stopped reading at a source-error */
		if (p->by_code[PREP_V_SOURCE])
			break;
	}
out:
	for (k = 0; k < nsets; k++) {
		prep_strset_free(&m.g[k]);
		free(m.found[k]);
	}
	free(m.g);
	free(m.found);
	free(m.ev);
	return s;
}
