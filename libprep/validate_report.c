/*
 * validate_report.c: the report of `validate` (see validate.h): the
 * errors of a run counted by code, the first of them kept for the
 * listing, the verdict, and the report as text lines or one JSON object.
 *
 * The report keeps a copy of each listed error's message (the
 * validator's are valid only until its next call) and at most
 * --max-errors of them, so its memory is bounded whatever the input;
 * counting goes on past the listing. Field names are asked of the
 * validator when the report is written, so a header's labels are not
 * copied.
 */
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generalize.h"
#include "json.h"
#include "validate.h"

/* One listed error. */
struct verror {
	uint64_t row;
	prep_where where;
	size_t field; /* 1-based; 0: the row */
	int code;
	char *message;
};

struct prep_vreport {
	struct verror *list;
	size_t nlist, cap, max;
	uint64_t count, by_code[PREP_V_NCODES];
	uint64_t rows, valid_rows;
	int table_errors; /* the run fails whatever the valid rows */
};

prep_status
prep_vreport_new(size_t max_listed, prep_vreport **out)
{
	prep_vreport *r = calloc(1, sizeof *r);

	*out = r;
	if (r == NULL)
		return PREP_ERR_NOMEM;
	r->max = max_listed;
	return PREP_OK;
}

void
prep_vreport_free(prep_vreport *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nlist; i++)
		free(r->list[i].message);
	free(r->list);
	free(r);
}

static prep_status
note(prep_vreport *r, uint64_t row, prep_where w, size_t field, int code,
     const char *message)
{
	struct verror *e;

	if (code < 0 || code >= PREP_V_NCODES)
		return PREP_ERR_ARG;
	r->count++;
	r->by_code[code]++;
	if (r->nlist >= r->max)
		return PREP_OK;
	if (r->nlist == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;

		if (cap > r->max)
			cap = r->max;
		if ((e = realloc(r->list, cap * sizeof *e)) == NULL)
			return PREP_ERR_NOMEM;
		r->list = e;
		r->cap = cap;
	}
	e = &r->list[r->nlist];
	if ((e->message = strdup(message ? message : "")) == NULL)
		return PREP_ERR_NOMEM;
	r->nlist++;
	e->row = row;
	e->where = w;
	e->field = field;
	e->code = code;
	return PREP_OK;
}

prep_status
prep_vreport_table_error(prep_vreport *r, uint64_t row, prep_where w,
			 size_t field, int code, const char *message)
{
	r->table_errors = 1;
	return note(r, row, w, field, code, message);
}

prep_status
prep_vreport_row(prep_vreport *r, uint64_t row, prep_where w,
		 const prep_vissue *issues, size_t nissues)
{
	prep_status st = PREP_OK;
	size_t i;

	r->rows++;
	if (nissues == 0)
		r->valid_rows++;
	for (i = 0; i < nissues && st == PREP_OK; i++)
		st = note(r, row, w, issues[i].field, issues[i].code,
			  issues[i].message);
	return st;
}

prep_status
prep_vreport_header(prep_vreport *r, prep_where w, const prep_vissue *issues,
		    size_t nissues)
{
	prep_status st = PREP_OK;
	size_t i;

	w.line = 1; /* the header's place, not the first record's */
	for (i = 0; i < nissues && st == PREP_OK; i++)
		st =
		    prep_vreport_table_error(r, 1, w, issues[i].field,
					     issues[i].code, issues[i].message);
	return st;
}

prep_status
prep_vreport_source_empty(prep_vreport *r, prep_where w)
{
	w.line = 1;
	w.field = 0;
	return prep_vreport_table_error(r, 1, w, 0, PREP_V_SOURCE,
					"the source is empty");
}

prep_status
prep_vreport_source_error(prep_vreport *r, uint64_t row, prep_where w,
			  prep_status st, const prep_csv_options *o)
{
	/* the reader names the field it stopped in for these */
	int in_field = st == PREP_ERR_QUOTE || st == PREP_ERR_UNCLOSED_QUOTE ||
		       st == PREP_ERR_FIELD_TOO_LONG;
	char msg[128];

	if (prep_vsource_message(st, o, msg, sizeof msg) == NULL)
		return PREP_ERR_ARG;
	return prep_vreport_table_error(r, row, w, in_field ? w.field : 0,
					PREP_V_SOURCE, msg);
}

prep_status
prep_vreport_note(prep_vreport *r, uint64_t row, prep_where w, size_t field,
		  int code, const char *message, int table)
{
	if (table)
		r->table_errors = 1;
	return note(r, row, w, field, code, message);
}

prep_status
prep_vreport_add(prep_vreport *r, int code, uint64_t n)
{
	if (code < 0 || code >= PREP_V_NCODES)
		return PREP_ERR_ARG;
	r->count += n;
	r->by_code[code] += n;
	return PREP_OK;
}

void
prep_vreport_add_rows(prep_vreport *r, uint64_t rows, uint64_t valid_rows)
{
	r->rows += rows;
	r->valid_rows += valid_rows;
}

void
prep_vreport_fail(prep_vreport *r)
{
	r->table_errors = 1;
}

prep_status
prep_vreport_error(const prep_vreport *r, size_t i, uint64_t *row,
		   prep_where *w, size_t *field, int *code,
		   const char **message)
{
	const struct verror *e;

	if (i >= r->nlist)
		return PREP_ERR_ARG;
	e = &r->list[i];
	*row = e->row;
	*w = e->where;
	*field = e->field;
	*code = e->code;
	*message = e->message;
	return PREP_OK;
}

uint64_t
prep_vreport_rows(const prep_vreport *r)
{
	return r->rows;
}

uint64_t
prep_vreport_valid_rows(const prep_vreport *r)
{
	return r->valid_rows;
}

uint64_t
prep_vreport_count(const prep_vreport *r, int code)
{
	if (code < 0 || code >= PREP_V_NCODES)
		return r->count;
	return r->by_code[code];
}

int
prep_vreport_passes(const prep_vreport *r, double mostly)
{
	double need;

	if (r->table_errors)
		return 0;
	if (!(mostly < 1.0))
		return r->valid_rows == r->rows;
	if (!(mostly > 0.0))
		return 1;
	/* the tolerance keeps 0.8 x 5 from needing 5 rows */
	need = ceil(mostly * (double)r->rows * (1 - 1e-12));
	return (double)r->valid_rows >= need;
}

size_t
prep_vreport_listed(const prep_vreport *r)
{
	return r->nlist;
}

/* Text for a one-line report: control bytes and invalid UTF-8 as '?'. */
static prep_status
append_text(prep_buf *b, const char *s, size_t n)
{
	prep_status st = PREP_OK;
	size_t i = 0, k;

	while (i < n && st == PREP_OK) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f) {
			st = prep_buf_append_byte(b, (char)c);
			i++;
		} else if (c >= 0x80 &&
			   (k = prep_utf8_seq_len(s + i, n - i)) != 0) {
			st = prep_buf_append(b, s + i, k);
			i += k;
		} else {
			st = prep_buf_append_byte(b, '?');
			i++;
		}
	}
	return st;
}

static prep_status appendf(prep_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static prep_status
appendf(prep_buf *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		return PREP_ERR_ARG;
	return prep_buf_append(
	    b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

prep_status
prep_vreport_line(const prep_vreport *r, const prep_validator *v, size_t i,
		  prep_buf *out)
{
	const struct verror *e;
	char num[PREP_VFIELD_NUM];
	prep_status st = PREP_OK;
	const char *name;
	size_t len;

	if (i >= r->nlist)
		return PREP_ERR_ARG;
	e = &r->list[i];
	if (e->where.file) {
		st = append_text(out, e->where.file, strlen(e->where.file));
		if (st == PREP_OK)
			st = appendf(out, ":%lu: ", e->where.line);
	}
	if (st == PREP_OK)
		st = appendf(out, "row %llu", (unsigned long long)e->row);
	if (st == PREP_OK && e->field) {
		st = appendf(out, ", field %zu", e->field);
		name = prep_validator_field_name(v, e->field, &len, num);
		if (st == PREP_OK && name) {
			st = prep_buf_append(out, " (", 2);
			if (st == PREP_OK)
				st = append_text(out, name, len);
			if (st == PREP_OK)
				st = prep_buf_append_byte(out, ')');
		}
	}
	if (st == PREP_OK)
		st = appendf(out, ": %s: ", prep_vcode_name(e->code));
	if (st == PREP_OK)
		st = prep_buf_append_str(out, e->message);
	if (st == PREP_OK)
		st = prep_buf_append_byte(out, '\n');
	return st;
}

prep_status
prep_vreport_summary(const prep_vreport *r, int valid, prep_buf *out)
{
	prep_status st;
	int c, first = 1;

	st =
	    appendf(out, "%s: %llu row%s, %llu valid; ",
		    valid ? "valid" : "invalid", (unsigned long long)r->rows,
		    r->rows == 1 ? "" : "s", (unsigned long long)r->valid_rows);
	if (st == PREP_OK && r->count == 0)
		return prep_buf_append_str(out, "no errors\n");
	if (st == PREP_OK)
		st = appendf(out, "%llu error%s:", (unsigned long long)r->count,
			     r->count == 1 ? "" : "s");
	for (c = 0; c < PREP_V_NCODES && st == PREP_OK; c++) {
		if (r->by_code[c] == 0)
			continue;
		st = appendf(out, "%s %s %llu", first ? "" : ",",
			     prep_vcode_name(c),
			     (unsigned long long)r->by_code[c]);
		first = 0;
	}
	if (st == PREP_OK && r->nlist < r->count)
		st = appendf(out, "; first %zu listed", r->nlist);
	if (st == PREP_OK)
		st = prep_buf_append_byte(out, '\n');
	return st;
}

prep_status
prep_vreport_json(const prep_vreport *r, const prep_validator *v, int valid,
		  char **text)
{
	json_t *o = json_object(), *bc = json_object(), *a = json_array();
	char num[PREP_VFIELD_NUM];
	int c, ok = o && bc && a;
	const char *name;
	size_t i, len;

	*text = NULL;
	prep_json_set(o, "valid", json_boolean(valid), &ok);
	prep_json_set(o, "rows", json_integer((json_int_t)r->rows), &ok);
	prep_json_set(o, "error_count", json_integer((json_int_t)r->count),
		      &ok);
	for (c = 0; c < PREP_V_NCODES; c++)
		if (r->by_code[c])
			prep_json_set(bc, prep_vcode_name(c),
				      json_integer((json_int_t)r->by_code[c]),
				      &ok);
	prep_json_set(o, "errors_by_code", bc, &ok);
	prep_json_set(o, "truncated", json_boolean(r->nlist < r->count), &ok);
	for (i = 0; i < r->nlist && ok; i++) {
		const struct verror *e = &r->list[i];
		json_t *x = json_object();

		name = prep_validator_field_name(v, e->field, &len, num);
		prep_json_set(x, "row", json_integer((json_int_t)e->row), &ok);
		prep_json_set(x, "field_number",
			      e->field ? json_integer((json_int_t)e->field)
				       : json_null(),
			      &ok);
		prep_json_set(x, "field_name",
			      name ? prep_json_string(name, len) : json_null(),
			      &ok);
		prep_json_set(x, "code", json_string(prep_vcode_name(e->code)),
			      &ok);
		prep_json_set(x, "message",
			      prep_json_string(e->message, strlen(e->message)),
			      &ok);
		prep_json_append(a, x, &ok);
	}
	prep_json_set(o, "errors", a, &ok);
	return prep_json_text(o, ok, text);
}

prep_status
prep_vreport_print(const prep_vreport *r, const prep_validator *v, int valid,
		   int json, FILE *f)
{
	prep_status st = PREP_OK;
	prep_buf b;
	char *text;
	size_t i;

	if (json) {
		if ((st = prep_vreport_json(r, v, valid, &text)) != PREP_OK)
			return st;
		(void)fputs(text, f); /* the stream keeps the error */
		free(text);
		return PREP_OK;
	}
	prep_buf_init(&b, 0);
	for (i = 0; i < r->nlist && st == PREP_OK; i++) {
		prep_buf_reset(&b);
		st = prep_vreport_line(r, v, i, &b);
		if (st == PREP_OK)
			(void)fwrite(b.data, 1, b.len, f);
	}
	if (st == PREP_OK) {
		prep_buf_reset(&b);
		st = prep_vreport_summary(r, valid, &b);
	}
	if (st == PREP_OK)
		(void)fwrite(b.data, 1, b.len, f);
	prep_buf_free(&b);
	return st;
}

/* ---- source errors ---- */

int
prep_vsource_error(prep_status st)
{
	prep_csv_options o;
	char buf[128];

	prep_csv_options_init(&o);
	return prep_vsource_message(st, &o, buf, sizeof buf) != NULL;
}

const char *
prep_vsource_message(prep_status st, const prep_csv_options *o, char *buf,
		     size_t cap)
{
	switch (st) {
	case PREP_ERR_QUOTE:
		snprintf(buf, cap,
			 "stray quote in an unquoted field; reading stopped");
		break;
	case PREP_ERR_UNCLOSED_QUOTE:
		snprintf(buf, cap, "quoted field not closed at end of input");
		break;
	case PREP_ERR_FIELD_TOO_LONG:
		snprintf(buf, cap,
			 "field longer than --max-field (%zu bytes); reading "
			 "stopped",
			 o->max_field);
		break;
	case PREP_ERR_TOO_MANY_FIELDS:
		snprintf(buf, cap,
			 "record has more than %zu fields; reading stopped",
			 o->max_fields);
		break;
	case PREP_ERR_LIMIT:
		snprintf(buf, cap, "record too long; reading stopped");
		break;
	default:
		return NULL;
	}
	return buf;
}
