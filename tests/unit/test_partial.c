/*
 * test_partial.c: unit tests of libprep/partial.c, the envelope of
 * filters' partial states.
 *
 * A partial written is read back with the same options, state and part;
 * its sha256 member is the SHA-256 of the document without it in
 * jansson's canonical form, recomputed here with OpenSSL from a text
 * built by hand (keys sorted, compact). Every kind of damage is refused
 * with its reason: one byte changed in the state, the line cut short, a
 * member missing or unknown, another format, version or filter. And the
 * merge rules: options equal, parts all unknown or each of 1..N once.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "partial.h"

static char *
make(const char *filter, const char *options, const char *state,
     const prep_partial_part *part, size_t *len)
{
	json_t *o = json_loads(options, 0, NULL),
	       *s = json_loads(state, 0, NULL);
	char *text;

	cr_assert_not_null(o);
	cr_assert_not_null(s);
	cr_assert_eq(prep_partial_text(filter, o, part, s, &text, len),
		     PREP_OK);
	return text;
}

static void
sha_hex(const char *s, char hex[65])
{
	unsigned char d[32];
	unsigned int n = 0;
	int i;

	cr_assert_eq(EVP_Digest(s, strlen(s), d, &n, EVP_sha256(), NULL), 1);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

Test(partial, text_and_checksum)
{
	prep_partial_part part = {2, 3, "id"};
	size_t len;
	char *text = make("kcheck", "{\"k\":5,\"qi\":[\"zip\",\"sex\"]}",
			  "{\"rows\":7}", &part, &len);
	char hex[65], want[512];

	/* the canonical text without sha256, keys sorted, by hand */
	sha_hex("{\"filter\":\"kcheck\",\"format\":\"prep-partial\","
		"\"options\":{\"k\":5,\"qi\":[\"zip\",\"sex\"]},"
		"\"part\":{\"by\":\"id\",\"i\":2,\"n\":3},"
		"\"state\":{\"rows\":7},\"version\":1}",
		hex);
	snprintf(want, sizeof want,
		 "{\"format\":\"prep-partial\",\"version\":1,\"filter\":"
		 "\"kcheck\",\"options\":{\"k\":5,\"qi\":[\"zip\",\"sex\"]},"
		 "\"part\":{\"i\":2,\"n\":3,\"by\":\"id\"},\"state\":{\"rows\":"
		 "7},\"sha256\":\"%s\"}\n",
		 hex);
	cr_assert_str_eq(text, want);
	cr_assert_eq(len, strlen(want));
	free(text);
}

Test(partial, read_back)
{
	prep_partial_part part = {1, 2, NULL};
	prep_partial_error e;
	prep_partial p;
	size_t len;
	char *text =
	    make("reweight", "{\"g\":[\"sex\"]}",
		 "{\"cells\":[[\"F\",\"1\",3]],\"w\":0.1}", &part, &len);

	cr_assert_eq(prep_partial_parse(text, len, "reweight", &p, &e),
		     PREP_OK);
	cr_assert_eq(p.part.i, 1);
	cr_assert_eq(p.part.n, 2);
	cr_assert_null(p.part.by);
	cr_assert_eq(
	    json_integer_value(json_array_get(
		json_array_get(json_object_get(p.state, "cells"), 0), 2)),
	    3);
	cr_assert_float_eq(json_real_value(json_object_get(p.state, "w")), 0.1,
			   0);
	prep_partial_free(&p);
	free(text);
	/* no part: null, and i = 0 back */
	text = make("reweight", "{}", "{}", NULL, &len);
	cr_assert(strstr(text, "\"part\":null") != NULL);
	cr_assert_eq(prep_partial_parse(text, len, "reweight", &p, &e),
		     PREP_OK);
	cr_assert_eq(p.part.i, 0);
	prep_partial_free(&p);
	free(text);
}

static void
refused(const char *text, const char *filter, const char *why)
{
	prep_partial_error e;
	prep_partial p;

	cr_assert_eq(prep_partial_parse(text, strlen(text), filter, &p, &e),
		     PREP_ERR_VALUE, "%s", text);
	cr_assert_null(p.doc);
	cr_assert(strstr(e.text, why) != NULL, "'%s' lacks '%s'", e.text, why);
}

Test(partial, damage_refused)
{
	size_t len, i;
	char *text = make("kcheck", "{\"k\":5}", "{\"rows\":17}", NULL, &len);
	char *copy = strdup(text), *at;

	refused(text, "kanon", "a partial of kcheck, not of kanon");
	/* a count changed: 17 -> 18 */
	at = strstr(copy, "17");
	at[1] = '8';
	refused(copy, "kcheck", "checksum mismatch");
	/* cut short anywhere: never accepted */
	for (i = 0; i + 1 < len; i++) {
		prep_partial_error e;
		prep_partial p;

		cr_assert_neq(prep_partial_parse(text, i, "kcheck", &p, &e),
			      PREP_OK, "cut at %zu", i);
	}
	refused("[1]", "kcheck", "not a prep partial");
	refused("{\"format\":\"prep-profile\"}", "kcheck",
		"not a prep partial");
	refused("{\"format\":\"prep-partial\",\"version\":2}", "kcheck",
		"another version");
	refused("{\"format\":\"prep-partial\",\"version\":1,\"filter\":"
		"\"kcheck\",\"options\":{},\"part\":null,\"state\":{}}",
		"kcheck", "missing");
	refused("{\"format\":\"prep-partial\",\"version\":1,\"filter\":"
		"\"kcheck\",\"options\":{},\"part\":{\"i\":3,\"n\":2,\"by\":"
		"null},\"state\":{},\"sha256\":\"00\"}",
		"kcheck", "missing");
	/* an extra member, even with a right checksum of the rest */
	refused("{\"format\":\"prep-partial\",\"version\":1,\"filter\":"
		"\"kcheck\",\"options\":{},\"part\":null,\"state\":{},"
		"\"sha256\":\"00\",\"x\":1}",
		"kcheck", "unknown");
	free(copy);
	free(text);
}

Test(partial, syntax_error_located)
{
	prep_partial_error e;
	prep_partial p;
	const char *text = "{\"format\":\n  \"prep-partial\",,}";

	cr_assert_eq(prep_partial_parse(text, strlen(text), "kcheck", &p, &e),
		     PREP_ERR_VALUE);
	cr_assert_eq(e.line, 2);
	cr_assert_gt(e.column, 0);
}

/* n partials of parts is[k] / n (0: no part) with options opts[k] */
static prep_partial *
many(const int *is, const char *const *opts, size_t n, uint64_t parts_n)
{
	prep_partial *p = calloc(n, sizeof *p);
	size_t k;

	for (k = 0; k < n; k++) {
		prep_partial_part part = {(uint64_t)is[k], parts_n, NULL};
		prep_partial_error e;
		size_t len;
		char *text = make("fairness", opts[k], "{}", &part, &len);

		cr_assert_eq(
		    prep_partial_parse(text, len, "fairness", &p[k], &e),
		    PREP_OK);
		free(text);
	}
	return p;
}

static void
free_many(prep_partial *p, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		prep_partial_free(&p[k]);
	free(p);
}

Test(partial, merge_rules)
{
	const char *same[] = {"{\"g\":1}", "{\"g\":1}", "{\"g\":1}"};
	const char *other[] = {"{\"g\":1}", "{\"g\":2}", "{\"g\":1}"};
	const int whole[] = {2, 3, 1}, twice[] = {1, 1, 3}, none[] = {0, 0, 0},
		  mixed[] = {1, 0, 2};
	json_t *mine = json_loads("{\"g\":1}", 0, NULL),
	       *theirs = json_loads("{\"g\":3}", 0, NULL);
	prep_partial *p;
	size_t which;

	p = many(whole, same, 3, 3);
	cr_assert_null(prep_partial_mismatch(p, 3, mine, &which));
	cr_assert_not_null(prep_partial_mismatch(p, 3, theirs, &which));
	cr_assert_eq(which, 0);
	cr_assert_not_null(prep_partial_mismatch(p, 2, NULL, &which),
			   "part 1 of 3 missing");
	free_many(p, 3);
	p = many(whole, other, 3, 3);
	cr_assert_not_null(prep_partial_mismatch(p, 3, NULL, &which));
	cr_assert_eq(which, 1);
	free_many(p, 3);
	p = many(twice, same, 3, 3);
	cr_assert_str_eq(prep_partial_mismatch(p, 3, NULL, &which),
			 "the same part twice");
	cr_assert_eq(which, 1);
	free_many(p, 3);
	p = many(none, same, 3, 3);
	cr_assert_null(prep_partial_mismatch(p, 3, NULL, &which));
	cr_assert_null(prep_partial_mismatch(p, 1, NULL, &which));
	free_many(p, 3);
	p = many(mixed, same, 3, 3);
	cr_assert_not_null(prep_partial_mismatch(p, 3, NULL, &which));
	cr_assert_eq(which, 1);
	free_many(p, 3);
	json_decref(mine);
	json_decref(theirs);
}

/* A real that 15 digits would not give back reads back as itself. */
Test(partial, reals_survive)
{
	prep_partial_error e;
	prep_partial p;
	size_t len;
	char *text = make("dpnoise", "{}", "{\"x\":0.1,\"y\":1}", NULL, &len);
	json_t *s = json_object();

	json_object_set_new(s, "x", json_real(0.1 + 0.2));
	free(text);
	cr_assert_eq(
	    prep_partial_text("dpnoise", json_object(), NULL, s, &text, &len),
	    PREP_OK);
	cr_assert_eq(prep_partial_parse(text, len, "dpnoise", &p, &e), PREP_OK,
		     "%s", e.text);
	cr_assert(json_real_value(json_object_get(p.state, "x")) == 0.1 + 0.2);
	prep_partial_free(&p);
	free(text);
}
