/*
 * validate.c: the record checks of `validate` (see validate.h).
 *
 * The issues of one record go into one array owned by the validator; it
 * grows to the widest record seen, which the CSV reader caps (100,000
 * fields by default), so memory stays bounded. Duplicate header labels
 * are found with a seeded hash set (strset.h), so a header of 100,000
 * columns costs one pass, not a quadratic scan.
 */
#include <stdlib.h>
#include <string.h>

#include "generalize.h"
#include "pii.h"
#include "strset.h"
#include "validate.h"

struct prep_validator {
	prep_schema *schema;
	prep_pii *pii;
	size_t ncols; /* cells expected in a record */

	prep_vissue *issues;
	size_t nissues, cap;
	prep_schema_issue *sissues; /* room for nfields + 1 */
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

static int
blank_row(const prep_field *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (f[i].len != 0)
			return 0;
	return 1;
}

prep_status
prep_validator_row(prep_validator *v, const prep_field *f, size_t n,
		   const prep_vissue **issues, size_t *nissues)
{
	size_t i, k = 0, ns = 0, most = n > v->ncols ? n : v->ncols;
	prep_status st;

	v->nissues = 0;
	*issues = NULL;
	*nissues = 0;
	/* one issue per cell, two for an extra cell, one for the row */
	if ((st = reserve(v, 2 * most + 1)) != PREP_OK)
		return st;
	if (blank_row(f, n)) {
		add(v, 0, PREP_V_BLANK_ROW, "every cell is empty");
		*issues = v->issues;
		*nissues = v->nissues;
		return PREP_OK;
	}
	if (v->schema) {
		st = prep_schema_check_row(v->schema, f, n, v->sissues, &ns);
		if (st != PREP_OK)
			return st;
	}
	for (i = 0; i < most; i++) {
		/* schema issues come in field order, the row's last */
		const prep_schema_issue *si = k < ns && v->sissues[k].field == i
						  ? &v->sissues[k++]
						  : NULL;

		if (i >= n) {
			add(v, i + 1, PREP_V_MISSING_CELL,
			    "row has no cell here");
			continue;
		}
		if (i >= v->ncols) {
			/* still looked at for personal data: with --mostly
			 * an invalid row may pass */
			add(v, i + 1, PREP_V_EXTRA_CELL,
			    "cell beyond the header");
			if ((st = pii_check(v, i, &f[i])) != PREP_OK)
				return st;
			continue;
		}
		if (f[i].len != 0 && !utf8_ok(&f[i])) {
			add(v, i + 1, PREP_V_ENCODING,
			    "cell is not valid UTF-8");
			continue;
		}
		if (si) {
			add(v, i + 1,
			    si->code == PREP_SCHEMA_TYPE_ERROR ? PREP_V_TYPE
			    : si->code == PREP_SCHEMA_UNIQUE_ERROR
				? PREP_V_UNIQUE
				: PREP_V_CONSTRAINT,
			    si->message);
			continue;
		}
		if ((st = pii_check(v, i, &f[i])) != PREP_OK)
			return st;
	}
	/* What is left is the row's own (primary-key). */
	for (; k < ns; k++) {
		const prep_schema_issue *si = &v->sissues[k];

		if (si->field == PREP_SCHEMA_ROW)
			add(v, 0, PREP_V_PRIMARY_KEY, si->message);
	}
	*issues = v->issues;
	*nissues = v->nissues;
	return PREP_OK;
}
