/*
 * validate.c: the record checks of `validate`, its quarantine rows and
 * its manifest (see validate.h; the report is validate_report.c).
 *
 * The issues of one record go into one array owned by the validator; it
 * grows to the widest record seen, which the CSV reader caps (100,000
 * fields by default), so memory stays bounded. Duplicate header labels
 * are found with a keyed hash set (strset.h), so a header of 100,000
 * columns costs one pass, not a quadratic scan.
 *
 * A record is measured against the header and, with a schema, against
 * its fields too, as frictionless-py measures it against the schema: a
 * schema narrower than the header makes the cells past its fields extra,
 * a wider one makes its fields past the record's end missing (and a
 * required one a constraint-error).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "pii.h"
#include "strset.h"
#include "text.h"
#include "validate.h"

/* A unique or primary-key lookup put off (prep_validator_defer). */
struct vkey {
	size_t set;	 /* prep_schema_key_sets' number */
	size_t field;	 /* 0-based, PREP_SCHEMA_ROW for the primary key */
	size_t pos;	 /* where its error goes among the row's issues */
	int shows;	 /* its error would be the cell's reported one */
	size_t off, len; /* the key in keys.data */
};

struct prep_validator {
	prep_schema *schema;
	prep_pii *pii;
	size_t ncols;		     /* cells the header expects in a record */
	size_t nfields;		     /* fields of the schema (0: none) */
	const prep_field *header;    /* borrowed; NULL without one */
	const prep_missing *missing; /* without a schema; borrowed */

	prep_vissue *issues;
	size_t nissues, cap;
	prep_schema_issue *sissues; /* room for nfields + 1 */
	prep_buf errors, extra;	    /* the _errors and _extra fields */

	/* prep_validator_defer: the row's lookups put off, and the cells
	 * of a note being replayed */
	int defer;
	prep_buf keys;
	struct vkey *pend;
	size_t npend, pend_cap;
	prep_field *cells;
	size_t cells_cap;
	const prep_buf *run_side; /* the note last written was a run of */
	size_t run_at;		  /* valid rows, here in run_side */
};

static const char *const code_names[PREP_V_NCODES] = {
    [PREP_V_BLANK_LABEL] = "blank-label",
    [PREP_V_DUPLICATE_LABEL] = "duplicate-label",
    [PREP_V_INCORRECT_LABEL] = "incorrect-label",
    [PREP_V_MISSING_LABEL] = "missing-label",
    [PREP_V_EXTRA_LABEL] = "extra-label",
    [PREP_V_BLANK_ROW] = "blank-row",
    [PREP_V_MISSING_CELL] = "missing-cell",
    [PREP_V_EXTRA_CELL] = "extra-cell",
    [PREP_V_ENCODING] = "encoding-error",
    [PREP_V_TYPE] = "type-error",
    [PREP_V_CONSTRAINT] = "constraint-error",
    [PREP_V_UNIQUE] = "unique-error",
    [PREP_V_PRIMARY_KEY] = "primary-key",
    [PREP_V_PII] = "pii-error",
    [PREP_V_SOURCE] = "source-error",
};

const char *
prep_vcode_name(int code)
{
	if (code < 0 || code >= PREP_V_NCODES)
		return "error";
	return code_names[code];
}

prep_status
prep_validator_new(prep_schema *schema, unsigned pii_types,
		   prep_validator **out)
{
	prep_validator *v;
	prep_status st;
	size_t nf = schema ? prep_schema_nfields(schema) : 0;

	*out = NULL;
	v = calloc(1, sizeof *v);
	if (v == NULL)
		return PREP_ERR_NOMEM;
	v->schema = schema;
	v->nfields = nf;
	prep_buf_init(&v->errors, 0);
	prep_buf_init(&v->extra, 0);
	prep_buf_init(&v->keys, 0);
	v->sissues = calloc(nf + 1, sizeof *v->sissues);
	if (v->sissues == NULL) {
		prep_validator_free(v);
		return PREP_ERR_NOMEM;
	}
	if (pii_types && (st = prep_pii_new(pii_types, &v->pii)) != PREP_OK) {
		prep_validator_free(v);
		return st;
	}
	*out = v;
	return PREP_OK;
}

void
prep_validator_free(prep_validator *v)
{
	if (v == NULL)
		return;
	prep_pii_free(v->pii);
	free(v->issues);
	free(v->sissues);
	prep_buf_free(&v->errors);
	prep_buf_free(&v->extra);
	prep_buf_free(&v->keys);
	free(v->pend);
	free(v->cells);
	free(v);
}

/* Room for at least need issues in this record. */
static prep_status
reserve(prep_validator *v, size_t need)
{
	prep_vissue *ni;
	size_t ncap;

	if (need <= v->cap)
		return PREP_OK;
	ncap = v->cap ? v->cap : 64;
	while (ncap < need)
		ncap *= 2;
	ni = realloc(v->issues, ncap * sizeof *ni);
	if (ni == NULL)
		return PREP_ERR_NOMEM;
	v->issues = ni;
	v->cap = ncap;
	return PREP_OK;
}

/* Append an issue; room was reserved. */
static void
add(prep_validator *v, size_t field, int code, const char *message)
{
	prep_vissue *i = &v->issues[v->nissues++];

	i->field = field;
	i->code = code;
	i->message = message;
}

static int
utf8_ok(const prep_field *f)
{
	size_t n;

	return prep_utf8_count(f->data, f->len, &n) == PREP_OK;
}

prep_status
prep_validator_header(prep_validator *v, const prep_field *h, size_t n,
		      const prep_vissue **issues, size_t *nissues)
{
	size_t nf = v->schema ? prep_schema_nfields(v->schema) : 0;
	size_t i, most = n > nf ? n : nf;
	prep_strset seen;
	prep_status st = PREP_OK;

	v->ncols = n;
	v->header = h;
	v->nissues = 0;
	*issues = NULL;
	*nissues = 0;
	/* each label: at most one of blank, encoding, duplicate, and one
	 * against the schema */
	if ((st = reserve(v, 2 * most + 1)) != PREP_OK)
		return st;
	prep_strset_init(&seen, n + 1);
	for (i = 0; i < most; i++) {
		const char *name = NULL;
		size_t nlen = 0;

		if (i < nf)
			name = prep_schema_field_name(v->schema, i, &nlen);
		if (i >= n) {
			add(v, i + 1, PREP_V_MISSING_LABEL,
			    "the schema's field has no column");
			continue;
		}
		if (h[i].len == 0) {
			add(v, i + 1, PREP_V_BLANK_LABEL, "blank header label");
		} else if (!utf8_ok(&h[i])) {
			add(v, i + 1, PREP_V_ENCODING,
			    "header label is not valid UTF-8");
		} else {
			int added = 0;
			size_t id;

			st = prep_strset_lookup(&seen, h[i].data, h[i].len, 1,
						&id, &added);
			if (st != PREP_OK)
				break;
			if (!added)
				add(v, i + 1, PREP_V_DUPLICATE_LABEL,
				    "label repeats an earlier column's");
		}
		if (i >= nf) {
			if (v->schema)
				add(v, i + 1, PREP_V_EXTRA_LABEL,
				    "column not in the schema");
		} else if (h[i].len != nlen ||
			   memcmp(h[i].data, name, nlen) != 0) {
			add(v, i + 1, PREP_V_INCORRECT_LABEL,
			    "label differs from the schema's field name");
		}
	}
	prep_strset_free(&seen);
	if (st != PREP_OK) {
		v->nissues = 0;
		return st;
	}
	*issues = v->issues;
	*nissues = v->nissues;
	return PREP_OK;
}

void
prep_validator_columns(prep_validator *v, size_t ncols)
{
	v->ncols = ncols;
	v->header = NULL;
}

static const char *
pii_message(unsigned type)
{
	switch (type) {
	case PREP_PII_EMAIL:
		return "holds an e-mail address";
	case PREP_PII_PHONE:
		return "holds a phone number";
	case PREP_PII_SSN:
		return "holds a social security number";
	case PREP_PII_CARD:
		return "holds a payment card number";
	case PREP_PII_IBAN:
		return "holds an IBAN";
	case PREP_PII_IP:
		return "holds an IP address";
	default:
		return "holds personal data";
	}
}

/* A pii-error for cell i when it holds personal data of the types asked. */
static prep_status
pii_check(prep_validator *v, size_t i, const prep_field *f)
{
	prep_pii_match m;
	prep_status st;

	if (v->pii == NULL || f->len == 0)
		return PREP_OK;
	st = prep_pii_find(v->pii, f->data, f->len, 0, &m);
	if (st == PREP_OK)
		add(v, i + 1, PREP_V_PII, pii_message(m.type));
	return st == PREP_END ? PREP_OK : st;
}

/*
 * 0: some cell has a value; 1: every cell is empty; 2: every cell is
 * empty or one of the schema's missingValues, some not empty.
 */
void
prep_validator_set_missing(prep_validator *v, const prep_missing *m)
{
	v->missing = m;
}

static int
blank_row(prep_validator *v, const prep_field *f, size_t n)
{
	size_t i;
	int empty = 1;

	for (i = 0; i < n; i++) {
		if (f[i].len == 0)
			continue;
		if (v->schema == NULL
			? !prep_missing_is(v->missing, f[i].data, f[i].len)
			: !prep_schema_is_missing(v->schema, f[i].data,
						  f[i].len))
			return 0;
		empty = 0;
	}
	return empty ? 1 : 2;
}

/* The lookups prep_schema_check_row put off into v->keys, as v->pend. */
static prep_status
pend_keys(prep_validator *v)
{
	size_t off = 0, k, len;
	const void *key;

	while (prep_schema_key_next(&v->keys, &off, &k, &key, &len)) {
		struct vkey *e;

		if (v->npend == v->pend_cap) {
			size_t ncap = v->pend_cap ? 2 * v->pend_cap : 8;

			e = realloc(v->pend, ncap * sizeof *e);
			if (e == NULL)
				return PREP_ERR_NOMEM;
			v->pend = e;
			v->pend_cap = ncap;
		}
		e = &v->pend[v->npend++];
		e->set = k;
		e->field = prep_schema_key_set_field(v->schema, k);
		e->pos = 0;
		e->shows = 1;
		e->off = (size_t)((const char *)key - v->keys.data);
		e->len = len;
	}
	return PREP_OK;
}

static int
schema_code(int code)
{
	return code == PREP_SCHEMA_TYPE_ERROR	  ? PREP_V_TYPE
	       : code == PREP_SCHEMA_UNIQUE_ERROR ? PREP_V_UNIQUE
						  : PREP_V_CONSTRAINT;
}

prep_status
prep_validator_row(prep_validator *v, const prep_field *f, size_t n,
		   const prep_vissue **issues, size_t *nissues)
{
	size_t width = v->ncols > v->nfields ? v->ncols : v->nfields;
	size_t i, k = 0, ns = 0, p = 0, most = n > width ? n : width;
	prep_status st;
	int blank;

	v->nissues = 0;
	v->npend = 0;
	*issues = NULL;
	*nissues = 0;
	/* two issues per position at most (a cell's error and a pii-error,
	 * a required field's and its missing-cell), one for the row */
	if ((st = reserve(v, 2 * most + 1)) != PREP_OK)
		return st;
	if ((blank = blank_row(v, f, n)) != 0) {
		add(v, 0, PREP_V_BLANK_ROW,
		    blank == 1 ? "every cell is empty"
			       : "every cell is empty or a missing value");
		/* a missing value is the schema's, but look all the same */
		for (i = 0; i < n; i++)
			if ((st = pii_check(v, i, &f[i])) != PREP_OK)
				return st;
		*issues = v->issues;
		*nissues = v->nissues;
		return PREP_OK;
	}
	if (v->schema) {
		if (v->defer)
			prep_buf_reset(&v->keys);
		st = prep_schema_check_row(v->schema, f, n, v->sissues, &ns);
		if (st == PREP_OK && v->defer)
			st = pend_keys(v);
		if (st != PREP_OK)
			return st;
	}
	for (i = 0; i < most; i++) {
		/* schema issues come in field order, the row's last */
		const prep_schema_issue *si = k < ns && v->sissues[k].field == i
						  ? &v->sissues[k++]
						  : NULL;
		int plain = 0;

		if (i >= n) {
			/* the header's column or the schema's field: as
			 * frictionless-py, a required field's error first */
			if (si)
				add(v, i + 1, schema_code(si->code),
				    si->message);
			add(v, i + 1, PREP_V_MISSING_CELL,
			    "row has no cell here");
			continue;
		}
		if (i >= v->ncols || (v->schema && i >= v->nfields))
			add(v, i + 1, PREP_V_EXTRA_CELL,
			    i >= v->ncols ? "cell beyond the header"
					  : "cell beyond the schema's fields");
		else if (f[i].len != 0 && !utf8_ok(&f[i]))
			add(v, i + 1, PREP_V_ENCODING,
			    "cell is not valid UTF-8");
		else if (si)
			add(v, i + 1, schema_code(si->code), si->message);
		else
			plain = 1;
		/* a lookup put off: its unique-error would come here, as
		 * the cell's reported error when nothing came before */
		if (p < v->npend && v->pend[p].field == i) {
			v->pend[p].shows = plain;
			v->pend[p++].pos = v->nissues;
		}
		/* whatever else is wrong with the cell: --mostly or
		 * --rejects may let its row pass or quarantine it, and the
		 * report must say what it holds */
		if ((st = pii_check(v, i, &f[i])) != PREP_OK)
			return st;
	}
	/* What is left is the row's own (primary-key). */
	for (; k < ns; k++) {
		const prep_schema_issue *si = &v->sissues[k];

		if (si->field == PREP_SCHEMA_ROW)
			add(v, 0, PREP_V_PRIMARY_KEY, si->message);
	}
	for (; p < v->npend; p++) /* the primary key's, the row's own */
		v->pend[p].pos = v->nissues;
	*issues = v->issues;
	*nissues = v->nissues;
	return PREP_OK;
}

int
prep_validator_schema_shows(const prep_validator *v, const prep_field *f,
			    size_t n, size_t i)
{
	/* as prep_validator_row decides: extra-cell, then encoding-error,
	 * then the schema's */
	return i < n && i < v->ncols && (f[i].len == 0 || utf8_ok(&f[i]));
}

size_t
prep_validator_ncols(const prep_validator *v)
{
	return v->ncols;
}

const char *
prep_validator_field_name(const prep_validator *v, size_t i, size_t *len,
			  char num[PREP_VFIELD_NUM])
{
	*len = 0;
	if (i == 0)
		return NULL;
	if (v->header && i <= v->ncols) {
		*len = v->header[i - 1].len;
		return v->header[i - 1].data;
	}
	if (v->schema && i <= v->nfields)
		return prep_schema_field_name(v->schema, i - 1, len);
	if (!v->header && i <= v->ncols) {
		*len = (size_t)snprintf(num, PREP_VFIELD_NUM, "%zu", i);
		return num;
	}
	return NULL;
}

/* ---- the quarantine ---- */

prep_status
prep_validator_reject_header(prep_validator *v, prep_writer *w)
{
	prep_status st = PREP_OK;
	size_t i;

	if (v->header == NULL)
		return PREP_OK;
	for (i = 0; i < v->ncols && st == PREP_OK; i++)
		st = prep_writer_field(w, v->header[i].data, v->header[i].len);
	if (st == PREP_OK)
		st = prep_writer_field(w, "_errors", 7);
	if (st == PREP_OK)
		st = prep_writer_field(w, "_extra", 6);
	if (st == PREP_OK)
		st = prep_writer_end_row(w);
	return st;
}

/* The _errors field: "code:field; code:field; ..." in v->errors. */
static prep_status
errors_text(prep_validator *v, const prep_vissue *is, size_t n)
{
	prep_buf *b = &v->errors;
	char num[PREP_VFIELD_NUM];
	prep_status st = PREP_OK;
	const char *name;
	size_t i, len;

	prep_buf_reset(b);
	for (i = 0; i < n && st == PREP_OK; i++) {
		if (i)
			st = prep_buf_append(b, "; ", 2);
		if (st == PREP_OK)
			st =
			    prep_buf_append_str(b, prep_vcode_name(is[i].code));
		if (st != PREP_OK || is[i].field == 0)
			continue;
		name = prep_validator_field_name(v, is[i].field, &len, num);
		if (name == NULL) {
			len = (size_t)snprintf(num, sizeof num, "%zu",
					       is[i].field);
			name = num;
		}
		st = prep_buf_append_byte(b, ':');
		if (st == PREP_OK)
			st = prep_buf_append(b, name, len);
	}
	return st;
}

prep_status
prep_validator_reject_row(prep_validator *v, prep_writer *w, int delim,
			  const prep_field *f, size_t n,
			  const prep_vissue *issues, size_t nissues)
{
	prep_status st;
	size_t i;

	if ((st = errors_text(v, issues, nissues)) != PREP_OK)
		return st;
	prep_buf_reset(&v->extra);
	for (i = v->ncols; i < n && st == PREP_OK; i++) {
		if (i > v->ncols)
			st = prep_buf_append_byte(&v->extra, (char)delim);
		if (st == PREP_OK)
			st = prep_buf_append(&v->extra, f[i].data, f[i].len);
	}
	for (i = 0; i < v->ncols && st == PREP_OK; i++)
		st = i < n ? prep_writer_field(w, f[i].data, f[i].len)
			   : prep_writer_field(w, "", 0);
	if (st == PREP_OK)
		st = prep_writer_field(w, v->errors.data ? v->errors.data : "",
				       v->errors.len);
	if (st == PREP_OK)
		st = prep_writer_field(w, v->extra.data ? v->extra.data : "",
				       v->extra.len);
	if (st == PREP_OK)
		st = prep_writer_end_row(w);
	return st;
}

/* ---- the manifest ---- */

prep_status
prep_validator_manifest(const prep_validator *v, uint64_t rows,
			const unsigned char sha256[32], char **text)
{
	json_t *o = json_object(), *cols = json_array();
	char hex[65], num[PREP_VFIELD_NUM];
	int ok = o && cols;
	size_t i;

	*text = NULL;
	for (i = 0; i < v->ncols && ok; i++) {
		if (v->header) {
			prep_json_append(cols,
					 prep_json_string(v->header[i].data,
							  v->header[i].len),
					 &ok);
		} else {
			snprintf(num, sizeof num, "%zu", i + 1);
			prep_json_append(cols, json_string(num), &ok);
		}
	}
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", sha256[i]);
	prep_json_set(o, "rows", json_integer((json_int_t)rows), &ok);
	prep_json_set(o, "columns", cols, &ok);
	prep_json_set(o, "sha256", json_string(hex), &ok);
	return prep_json_text(o, ok, text);
}

/* ---- rows on several threads ---- */

void
prep_validator_defer(prep_validator *v)
{
	v->defer = 1;
	prep_schema_defer_keys(v->schema, &v->keys);
}

/*
 * A note begins with a count: n > 0, a run of n records without an
 * issue, a lookup or bytes, and nothing more; 0, a head, then its
 * issues, keys and bytes (see validate.h).
 */
struct note_head {
	uint64_t rows;
	prep_where where;
	uint64_t nissues, nkeys, ncells;
	uint64_t valid_len, reject_len, cells_len;
	int has_valid, has_reject;
};

struct note_key {
	uint64_t set, field, pos, len;
	int shows;
};

/* b's bytes of the memory writer w, which is emptied. */
static prep_status
take_bytes(prep_writer *w, prep_buf *b, uint64_t *len)
{
	const char *p;
	size_t n;
	prep_status st = prep_writer_finish(w);

	if (st != PREP_OK)
		return st;
	p = prep_writer_data(w, &n);
	*len = n;
	if (n > 0)
		st = prep_buf_append(b, p, n);
	prep_writer_reset(w);
	return st;
}

static prep_status
note_row(prep_validator *v, const prep_field *f, size_t n, uint64_t rows,
	 prep_where w, prep_writer *valid, prep_writer *rej, int delim,
	 prep_buf *side, size_t *nissues)
{
	struct note_head h;
	const prep_vissue *is;
	size_t ni, i, at, need;
	uint64_t run;
	char *o;
	prep_status st;

	if ((st = prep_validator_row(v, f, n, &is, &ni)) != PREP_OK)
		return st;
	*nissues = ni;
	if (ni == 0 && v->npend == 0 && valid == NULL) {
		/* a piece's notes are its worker's alone, from an empty
		 * buffer: one written last here is this piece's */
		if (side->len > 0 && v->run_side == side &&
		    v->run_at + sizeof run == side->len) {
			memcpy(&run, side->data + v->run_at, sizeof run);
			run++;
			memcpy(side->data + v->run_at, &run, sizeof run);
			return PREP_OK;
		}
		run = 1;
		v->run_at = side->len;
		v->run_side = side;
		return prep_buf_append(side, &run, sizeof run);
	}
	v->run_side = NULL;
	run = 0;
	memset(&h, 0, sizeof h);
	h.rows = rows;
	h.where = w;
	h.nissues = ni;
	h.nkeys = v->npend;
	h.has_valid = ni == 0 && valid != NULL;
	h.has_reject = ni > 0 && rej != NULL;
	/* the cells, for the ordered stage to quarantine the row when a
	 * key turns out to be a duplicate */
	h.ncells = v->npend > 0 && rej != NULL ? n : 0;
	/* one reservation for the run count, the head, the issues and
	 * the keys; one for the cells */
	need = sizeof run + sizeof h + ni * sizeof *is;
	for (i = 0; i < v->npend; i++)
		need += sizeof(struct note_key) + v->pend[i].len;
	if ((st = prep_buf_reserve(side, need)) != PREP_OK)
		return st;
	at = side->len + sizeof run;
	o = side->data + side->len;
	memcpy(o, &run, sizeof run);
	o += sizeof run + sizeof h; /* the head last: its lengths */
	if (ni > 0) {
		memcpy(o, is, ni * sizeof *is);
		o += ni * sizeof *is;
	}
	for (i = 0; i < v->npend; i++) {
		struct note_key k;

		memset(&k, 0, sizeof k);
		k.set = v->pend[i].set;
		k.field = v->pend[i].field;
		k.pos = v->pend[i].pos;
		k.len = v->pend[i].len;
		k.shows = v->pend[i].shows;
		memcpy(o, &k, sizeof k);
		o += sizeof k;
		memcpy(o, v->keys.data + v->pend[i].off, v->pend[i].len);
		o += v->pend[i].len;
	}
	side->len += need;
	if (st == PREP_OK && h.has_valid &&
	    (st = prep_writer_row(valid, f, n)) == PREP_OK)
		st = take_bytes(valid, side, &h.valid_len);
	if (st == PREP_OK && h.has_reject &&
	    (st = prep_validator_reject_row(v, rej, delim, f, n, is, ni)) ==
		PREP_OK)
		st = take_bytes(rej, side, &h.reject_len);
	if (st == PREP_OK && h.ncells > 0) {
		for (i = 0; i < n; i++)
			h.cells_len += f[i].len;
		need = (size_t)(n * sizeof(uint64_t) + h.cells_len);
		if ((st = prep_buf_reserve(side, need)) != PREP_OK)
			return st;
		o = side->data + side->len;
		for (i = 0; i < n; i++) {
			uint64_t len = f[i].len;

			memcpy(o, &len, sizeof len);
			o += sizeof len;
		}
		for (i = 0; i < n; i++)
			if (f[i].len > 0) {
				memcpy(o, f[i].data, f[i].len);
				o += f[i].len;
			}
		side->len += need;
	}
	if (st != PREP_OK)
		return st;
	side->data[side->len] = '\0';
	memcpy(side->data + at, &h, sizeof h);
	return PREP_OK;
}

prep_status
prep_validator_note(prep_validator *v, const prep_field *f, size_t n,
		    uint64_t rows, prep_where w, prep_writer *valid,
		    prep_writer *rej, int delim, prep_buf *side,
		    size_t *nissues)
{
	size_t at = side->len, ni = 0;
	prep_status st =
	    note_row(v, f, n, rows, w, valid, rej, delim, side, &ni);

	if (nissues)
		*nissues = ni;
	if (st != PREP_OK) {
		/* a note is whole or absent */
		v->run_side = NULL;
		side->len = at;
		if (side->data)
			side->data[at] = '\0';
		if (valid)
			prep_writer_reset(valid);
		if (rej)
			prep_writer_reset(rej);
	}
	return st;
}

/* Insert an issue at position pos of v's (room was reserved). */
static void
insert(prep_validator *v, size_t pos, size_t field, int code,
       const char *message)
{
	memmove(&v->issues[pos + 1], &v->issues[pos],
		(v->nissues - pos) * sizeof *v->issues);
	v->issues[pos].field = field;
	v->issues[pos].code = code;
	v->issues[pos].message = message;
	v->nissues++;
}

prep_status
prep_validator_replay(prep_validator *v, const prep_buf *side, size_t *off,
		      prep_vnote *note)
{
	const char *p, *end;
	struct note_head h;
	uint64_t run;
	size_t i, added = 0;
	prep_status st;

	memset(note, 0, sizeof *note);
	if (side == NULL || *off >= side->len)
		return PREP_END;
	p = side->data + *off;
	end = side->data + side->len;
	if ((size_t)(end - p) < sizeof run)
		return PREP_ERR_ARG;
	memcpy(&run, p, sizeof run);
	p += sizeof run;
	if (run > 0) {
		note->valid_run = run;
		*off += sizeof run;
		return PREP_OK;
	}
	if ((size_t)(end - p) < sizeof h)
		return PREP_ERR_ARG;
	memcpy(&h, p, sizeof h);
	p += sizeof h;
	note->rows = h.rows; /* a failure's place too */
	note->where = h.where;
	v->nissues = 0;
	if ((st = reserve(v, (size_t)(h.nissues + h.nkeys))) != PREP_OK)
		return st;
	if ((size_t)(end - p) < h.nissues * sizeof *v->issues)
		return PREP_ERR_ARG;
	memcpy(v->issues, p, (size_t)h.nissues * sizeof *v->issues);
	p += h.nissues * sizeof *v->issues;
	v->nissues = (size_t)h.nissues;
	/* the lookups in input order, each error where the row's check
	 * would have put it (positions before this row's insertions) */
	for (i = 0; i < h.nkeys; i++) {
		struct note_key k;
		int dup;

		if ((size_t)(end - p) < sizeof k)
			return PREP_ERR_ARG;
		memcpy(&k, p, sizeof k);
		p += sizeof k;
		if ((size_t)(end - p) < k.len)
			return PREP_ERR_ARG;
		st = prep_schema_key_enter(v->schema, (size_t)k.set, p,
					   (size_t)k.len, &dup);
		if (st != PREP_OK)
			return st;
		p += k.len;
		if (!dup || !k.shows)
			continue;
		if (k.field == PREP_SCHEMA_ROW)
			insert(v, (size_t)k.pos + added, 0, PREP_V_PRIMARY_KEY,
			       prep_schema_key_set_message(v->schema,
							   (size_t)k.set));
		else
			insert(v, (size_t)k.pos + added, (size_t)k.field + 1,
			       PREP_V_UNIQUE,
			       prep_schema_key_set_message(v->schema,
							   (size_t)k.set));
		added++;
	}
	if ((size_t)(end - p) <
	    h.valid_len + h.reject_len + h.ncells * sizeof(uint64_t))
		return PREP_ERR_ARG;
	note->issues = v->issues;
	note->nissues = v->nissues;
	note->changed = added > 0;
	if (h.has_valid && !note->changed) {
		note->valid = p;
		note->valid_len = (size_t)h.valid_len;
	}
	p += h.valid_len;
	if (h.has_reject && !note->changed) {
		note->reject = p;
		note->reject_len = (size_t)h.reject_len;
	}
	p += h.reject_len;
	if (h.ncells > 0) {
		const char *lens = p, *data = p + h.ncells * sizeof(uint64_t);

		if (h.ncells > v->cells_cap) {
			prep_field *nc =
			    realloc(v->cells, (size_t)h.ncells * sizeof *nc);

			if (nc == NULL)
				return PREP_ERR_NOMEM;
			v->cells = nc;
			v->cells_cap = (size_t)h.ncells;
		}
		if ((size_t)(end - data) < h.cells_len)
			return PREP_ERR_ARG;
		for (i = 0; i < h.ncells; i++) {
			uint64_t len;

			memcpy(&len, lens + i * sizeof len, sizeof len);
			v->cells[i].data = data;
			v->cells[i].len = (size_t)len;
			data += len;
		}
		note->f = v->cells;
		note->n = (size_t)h.ncells;
		p = data;
	}
	*off = (size_t)(p - side->data);
	return PREP_OK;
}
