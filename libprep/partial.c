/*
 * partial.c: the envelope of a filter's partial state (partial.h,
 * man5/prep-partial.5).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "json.h"
#include "partial.h"

#define FORMAT "prep-partial"
#define CANONICAL (JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17))

/* The SHA-256 of doc's canonical text, hex, in hex[65]; 0 or -1. */
static int
checksum(const json_t *doc, char hex[65])
{
	unsigned char d[32];
	unsigned int dlen = 0;
	char *text = json_dumps(doc, CANONICAL);
	int ok;
	size_t i;

	if (text == NULL)
		return -1;
	ok =
	    EVP_Digest(text, strlen(text), d, &dlen, EVP_sha256(), NULL) == 1 &&
	    dlen == 32;
	free(text);
	if (!ok)
		return -1;
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	return 0;
}

static json_t *
part_json(const prep_partial_part *part, int *ok)
{
	json_t *o;

	if (part == NULL || part->i == 0)
		return json_null();
	o = json_object();
	prep_json_set(o, "i", json_integer((json_int_t)part->i), ok);
	prep_json_set(o, "n", json_integer((json_int_t)part->n), ok);
	prep_json_set(o, "by",
		      part->by ? prep_json_bytes(part->by, strlen(part->by))
			       : json_null(),
		      ok);
	return o;
}

prep_status
prep_partial_text(const char *filter, json_t *options,
		  const prep_partial_part *part, json_t *state, char **text,
		  size_t *len)
{
	json_t *doc = json_object();
	char hex[65], *s;
	int ok = doc != NULL && options != NULL && state != NULL;

	*text = NULL;
	*len = 0;
	prep_json_set(doc, "format", json_string(FORMAT), &ok);
	prep_json_set(doc, "version", json_integer(PREP_PARTIAL_VERSION), &ok);
	prep_json_set(doc, "filter", json_string(filter), &ok);
	prep_json_set(doc, "options", options, &ok);
	prep_json_set(doc, "part", part_json(part, &ok), &ok);
	prep_json_set(doc, "state", state, &ok);
	if (ok && checksum(doc, hex) != 0)
		ok = 0;
	if (ok)
		prep_json_set(doc, "sha256", json_string(hex), &ok);
	/* not prep_json_text: reals with the 17 digits of the checksum's
	 * text, so that they read back as the very doubles it hashed */
	s = ok ? json_dumps(doc, JSON_PRESERVE_ORDER | JSON_COMPACT |
				     JSON_REAL_PRECISION(17))
	       : NULL;
	json_decref(doc);
	if (s == NULL)
		return PREP_ERR_NOMEM;
	*len = strlen(s);
	if ((*text = realloc(s, *len + 2)) == NULL) {
		free(s);
		*len = 0;
		return PREP_ERR_NOMEM;
	}
	(*text)[(*len)++] = '\n';
	(*text)[*len] = '\0';
	return PREP_OK;
}

static prep_status
fail(prep_partial_error *err, const char *why)
{
	snprintf(err->text, sizeof err->text, "%s", why);
	return PREP_ERR_VALUE;
}

/* The part object of a parsed document into *part: 0, or -1. */
static int
read_part(const json_t *j, prep_partial_part *part)
{
	static const char *const keys[] = {"i", "n", "by"};
	const json_t *by;

	memset(part, 0, sizeof *part);
	if (json_is_null(j))
		return 0;
	if (!json_is_object(j) || !prep_json_only_keys(j, keys, 3))
		return -1;
	if (prep_json_uint(json_object_get(j, "n"), 1, UINT32_MAX, &part->n) !=
		0 ||
	    prep_json_uint(json_object_get(j, "i"), 1, part->n, &part->i) != 0)
		return -1;
	by = json_object_get(j, "by");
	if (json_is_string(by))
		part->by = json_string_value(by);
	else if (!json_is_null(by))
		return -1;
	return 0;
}

prep_status
prep_partial_parse(const char *text, size_t len, const char *filter,
		   prep_partial *out, prep_partial_error *err)
{
	static const char *const keys[] = {"format",  "version", "filter",
					   "options", "part",	 "state",
					   "sha256"};
	json_t *doc, *sum;
	json_int_t version;
	char hex[65];
	prep_status st;
	const char *name;

	memset(out, 0, sizeof *out);
	memset(err, 0, sizeof *err);
	err->version = -1;
	if (len > PREP_PARTIAL_MAX_BYTES) {
		snprintf(err->text, sizeof err->text,
			 "partial larger than %zu bytes",
			 PREP_PARTIAL_MAX_BYTES);
		return PREP_ERR_LIMIT;
	}
	st = prep_json_parse(text, len, &doc, &err->line, &err->column,
			     err->text, sizeof err->text);
	if (st != PREP_OK)
		return st;
	out->doc = doc;
	if (!json_is_object(doc) ||
	    !json_is_string(json_object_get(doc, "format")) ||
	    strcmp(json_string_value(json_object_get(doc, "format")), FORMAT) !=
		0) {
		prep_partial_free(out);
		return fail(err, "not a prep partial (no \"format\": \"" FORMAT
				 "\")");
	}
	if (!json_is_integer(json_object_get(doc, "version"))) {
		prep_partial_free(out);
		return fail(err, "partial without a version");
	}
	version = json_integer_value(json_object_get(doc, "version"));
	err->version = (long long)version;
	if (version != PREP_PARTIAL_VERSION) {
		prep_partial_free(out);
		return fail(err, "a partial of another version");
	}
	name = json_string_value(json_object_get(doc, "filter"));
	if (name == NULL) {
		prep_partial_free(out);
		return fail(err, "partial without a filter's name");
	}
	if (strcmp(name, filter) != 0) {
		/* a filter's name, not whatever the file holds there */
		if (strlen(name) > 20 ||
		    strspn(name, "abcdefghijklmnopqrstuvwxyz-") != strlen(name))
			name = "another filter";
		snprintf(err->text, sizeof err->text,
			 "a partial of %s, not of %.40s", name, filter);
		prep_partial_free(out);
		return PREP_ERR_VALUE;
	}
	sum = json_incref(json_object_get(doc, "sha256"));
	if (!prep_json_only_keys(doc, keys, 7) || !json_is_string(sum) ||
	    !json_is_object(json_object_get(doc, "options")) ||
	    !json_is_object(json_object_get(doc, "state")) ||
	    read_part(json_object_get(doc, "part"), &out->part) != 0) {
		json_decref(sum);
		prep_partial_free(out);
		return fail(err, "not a prep partial: a member is missing, "
				 "unknown or of the wrong type");
	}
	(void)json_object_del(doc, "sha256");
	if (checksum(doc, hex) != 0) {
		json_decref(sum);
		prep_partial_free(out);
		return PREP_ERR_NOMEM;
	}
	if (strcmp(hex, json_string_value(sum)) != 0) {
		json_decref(sum);
		prep_partial_free(out);
		return fail(err, "checksum mismatch: the partial was changed "
				 "or cut short");
	}
	json_decref(sum);
	out->options = json_object_get(doc, "options");
	out->state = json_object_get(doc, "state");
	return PREP_OK;
}

void
prep_partial_free(prep_partial *p)
{
	json_decref(p->doc);
	memset(p, 0, sizeof *p);
}

static int
same_by(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

const char *
prep_partial_mismatch(const prep_partial *p, size_t n, const json_t *options,
		      size_t *which)
{
	unsigned char *seen;
	size_t k;

	*which = 0;
	for (k = 0; k < n; k++) {
		*which = k;
		if (options != NULL && !json_equal(p[k].options, options))
			return "made with other options than this run's";
		if (!json_equal(p[k].options, p[0].options))
			return "made with other options than the first "
			       "partial";
		if ((p[k].part.i == 0) != (p[0].part.i == 0))
			return "of a part by --part among partials of other "
			       "parts, or the other way round";
		if (p[k].part.i != 0 && (p[k].part.n != p[0].part.n ||
					 !same_by(p[k].part.by, p[0].part.by)))
			return "of a part of another --part or --part-by "
			       "than the first partial";
	}
	if (n == 0 || p[0].part.i == 0)
		return NULL;
	if (p[0].part.n != n) {
		*which = 0;
		return n < p[0].part.n ? "parts missing: fewer partials than "
					 "the N of --part I/N"
				       : "more partials than the N of --part "
					 "I/N";
	}
	if ((seen = calloc(n, 1)) == NULL)
		return "out of memory";
	for (k = 0; k < n; k++) {
		if (seen[p[k].part.i - 1]) {
			free(seen);
			*which = k;
			return "the same part twice";
		}
		seen[p[k].part.i - 1] = 1;
	}
	free(seen);
	return NULL;
}
