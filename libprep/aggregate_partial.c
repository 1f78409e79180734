/*
 * aggregate_partial.c: the state of an aggregation in a partial, and its
 * merge (aggregate_partial.h, man5/prep-partial.5).
 *
 * Relies on aggregate_impl.h for the groups, exactsum.h for the sums,
 * partial_input.h for the input's delimiter and column names, json.h for
 * the bytes of keys, and OpenSSL for the digest of the list of keys.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "aggregate_impl.h"
#include "aggregate_partial.h"
#include "csv.h"
#include "json.h"

#define COUNT_MAX ((uint64_t)INT64_MAX)

/*
 * The SHA-256 of a's public keys in hex[65] (groups 0 .. n-1, the keys
 * in the list's order: nothing else is a group with keys). 0, or -1.
 */
static int
keys_digest(const prep_agg *a, char hex[65])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
	size_t i;

	for (i = 0; ok && i < a->groups.n; i++) {
		prep_field k = prep_strset_key(&a->groups, i);

		ok = EVP_DigestUpdate(ctx, k.data, k.len) == 1;
	}
	ok = ok && EVP_DigestFinal_ex(ctx, d, &dlen) == 1 && dlen == 32;
	EVP_MD_CTX_free(ctx);
	for (i = 0; ok && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	return ok ? 0 : -1;
}

/* A group of the state: {"key": [...], "count": N, "sum": S}. */
static json_t *
group_json(prep_agg *a, size_t gi, int *ok)
{
	const struct agg_group *g = &a->gs[gi];
	const unsigned char *p =
	    (const unsigned char *)prep_strset_key(&a->groups, gi).data;
	json_t *o = json_object(), *key = json_array();
	size_t i;

	for (i = 0; i < a->p.nby; i++) {
		prep_field f = agg_decode_field(&p);

		prep_json_append(key, prep_json_bytes(f.data, f.len), ok);
	}
	prep_json_set(o, "key", key, ok);
	prep_json_set(o, "count", json_integer((json_int_t)g->count), ok);
	if (a->p.kind != PREP_AGG_COUNT)
		prep_json_set(o, "sum", prep_exactsum_json(&g->sum), ok);
	return o;
}

prep_status
prep_agg_state(prep_agg *a, const prep_partial_input *in, json_t **out)
{
	json_t *o, *groups;
	size_t *order = NULL, i;
	char hex[65];
	int ok = 1;
	prep_status st;

	*out = NULL;
	if (a == NULL || a->released || in->nnames != a->p.nby)
		return PREP_ERR_ARG;
	if ((st = agg_collect(a)) != PREP_OK ||
	    (st = agg_sorted_groups(a, &order)) != PREP_OK)
		return st;
	o = json_object();
	groups = json_array();
	ok = o != NULL;
	prep_json_set(o, "by", prep_partial_names_json(in->names, in->nnames),
		      &ok);
	prep_json_set(o, "delimiter", prep_partial_delim_json(in->delim), &ok);
	for (i = 0; i < a->groups.n; i++)
		if (a->gs[order[i]].count > 0)
			prep_json_append(groups, group_json(a, order[i], &ok),
					 &ok);
	prep_json_set(o, "groups", groups, &ok);
	if (a->p.groups == PREP_AGG_KEYS && keys_digest(a, hex) != 0)
		ok = 0;
	prep_json_set(
	    o, "keys",
	    a->p.groups == PREP_AGG_KEYS ? json_string(hex) : json_null(), &ok);
	free(order);
	if (!ok) {
		json_decref(o);
		return PREP_ERR_NOMEM;
	}
	*out = o;
	return PREP_OK;
}

/* PREP_ERR_VALUE with why: "state: " and the reason. */
static prep_status refuse(char *why, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static prep_status
refuse(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;
	int k = snprintf(why, n, "state: ");

	if (k >= 0 && (size_t)k < n) {
		va_start(ap, fmt);
		(void)vsnprintf(why + k, n - (size_t)k, fmt, ap);
		va_end(ap);
	}
	return PREP_ERR_VALUE;
}

/* The bytes of a JSON string of prep_json_bytes's form into *f (malloc'd
 * data); -1 when it is not one, -2 out of memory. */
static int
read_bytes(const json_t *j, prep_field *f)
{
	char *out = NULL;
	size_t len = 0;

	f->data = NULL;
	f->len = 0;
	if (!json_is_string(j))
		return -1;
	if (prep_json_bytes_read(json_string_value(j), json_string_length(j),
				 &out, &len) != NULL)
		return -1;
	if (out == NULL)
		return -2;
	f->data = out;
	f->len = len;
	return 0;
}

static const char *const state_keys[] = {"by", "delimiter", "groups", "keys"};

/* The state is an object of the four members. */
static int
state_shape(const json_t *s)
{
	size_t i;

	if (!json_is_object(s) || !prep_json_only_keys(s, state_keys, 4))
		return 0;
	for (i = 0; i < 4; i++)
		if (json_object_get(s, state_keys[i]) == NULL)
			return 0;
	return 1;
}

prep_status
prep_agg_state_input(const json_t *state, prep_partial_input *in, char *why,
		     size_t n)
{
	const json_t *by;
	const char *w;
	prep_status st;

	memset(in, 0, sizeof *in);
	if (!state_shape(state))
		return refuse(why, n,
			      "not an object of by, delimiter, "
			      "groups and keys");
	by = json_object_get(state, "by");
	if ((w = prep_partial_delim_read(json_object_get(state, "delimiter"),
					 &in->delim)) != NULL)
		return refuse(why, n, "%s", w);
	if (!json_is_array(by) ||
	    json_array_size(by) > PREP_CSV_DEFAULT_MAX_FIELDS)
		return refuse(why, n, "by is not a list of columns");
	if (json_array_size(by) == 0)
		return PREP_OK; /* no key columns */
	st = prep_partial_names_read(by, NULL, PREP_CSV_DEFAULT_MAX_FIELDS, in,
				     &w);
	if (st == PREP_ERR_VALUE)
		return refuse(why, n, "%s", w);
	return st;
}

/* The key of a group into key[0 .. nby) (malloc'd fields); 0, -1, -2. */
static int
read_key(const json_t *j, size_t nby, prep_field *key)
{
	size_t i;
	int r;

	for (i = 0; i < nby; i++)
		key[i] = (prep_field){NULL, 0};
	if (!json_is_array(j) || json_array_size(j) != nby)
		return -1;
	for (i = 0; i < nby; i++)
		if ((r = read_bytes(json_array_get(j, i), &key[i])) != 0)
			return r;
	return 0;
}

static void
free_key(prep_field *key, size_t nby)
{
	size_t i;

	for (i = 0; i < nby; i++) {
		free((char *)key[i].data);
		key[i] = (prep_field){NULL, 0};
	}
}

/* The sum of a group with count rows: read, and within count [lo, hi]. */
static prep_status
read_sum(const prep_agg *a, const json_t *j, uint64_t count, prep_exactsum *s,
	 const char **bad)
{
	int below, above;
	prep_status st;

	*bad = "its sum is not an exact sum";
	if ((st = prep_exactsum_from_json_signed(j, s)) != PREP_OK)
		return st;
	*bad = "its sum is outside count * [lo, hi]";
	if ((st = prep_exactsum_cmp_times(s, a->p.lo, count, &below)) !=
		PREP_OK ||
	    (st = prep_exactsum_cmp_times(s, a->p.hi, count, &above)) !=
		PREP_OK)
		return st;
	if (below < 0 || above > 0)
		return PREP_ERR_VALUE;
	*bad = "its sum is not a whole number";
	if (a->ibounds && !prep_exactsum_is_integer(s))
		return PREP_ERR_VALUE;
	return PREP_OK;
}

/* Group i of a state into a: its key after prev's (when not NULL). */
static prep_status
add_group(prep_agg *a, const json_t *g, size_t i, prep_field *key,
	  const prep_field *prev, char *why, size_t n)
{
	static const char *const gkeys[] = {"key", "count", "sum"};
	int vals = a->p.kind != PREP_AGG_COUNT, r;
	const char *bad = NULL;
	prep_exactsum sum;
	uint64_t count;
	size_t gi = 0;
	prep_status st;

	if (!json_is_object(g) ||
	    !prep_json_only_keys(g, gkeys, vals ? 3 : 2) ||
	    (vals && json_object_get(g, "sum") == NULL))
		return refuse(why, n, "group %zu is not an object of %s", i + 1,
			      vals ? "key, count and sum" : "key and count");
	if ((r = read_key(json_object_get(g, "key"), a->p.nby, key)) != 0)
		return r == -2 ? PREP_ERR_NOMEM
			       : refuse(why, n,
					"group %zu: its key is not %zu "
					"values",
					i + 1, a->p.nby);
	if (prev != NULL && prep_partial_values_cmp(prev, key, a->p.nby) >= 0)
		return refuse(
		    why, n, "group %zu is out of order, or there twice", i + 1);
	if (prep_json_uint(json_object_get(g, "count"), 1, COUNT_MAX, &count) !=
	    0)
		return refuse(why, n,
			      "group %zu: its count is not a whole number "
			      "from 1",
			      i + 1);
	prep_exactsum_init(&sum);
	if (vals && (st = read_sum(a, json_object_get(g, "sum"), count, &sum,
				   &bad)) != PREP_OK) {
		prep_exactsum_free(&sum);
		return st == PREP_ERR_VALUE
			   ? refuse(why, n, "group %zu: %s", i + 1, bad)
			   : st;
	}
	st = agg_encode_key(a, key, NULL);
	if (st == PREP_OK)
		st = agg_find_group(a, a->p.groups == PREP_AGG_SELECT, &gi);
	if (st == PREP_ERR_NOT_FOUND)
		st = refuse(why, n,
			    a->p.groups == PREP_AGG_KEYS
				? "group %zu is not one of the keys"
				: "group %zu: a group without --by",
			    i + 1);
	if (st == PREP_OK && a->gs[gi].count > COUNT_MAX - count)
		st = PREP_ERR_RANGE;
	if (st == PREP_OK && vals)
		st = prep_exactsum_add_sum(&a->gs[gi].sum, &sum);
	if (st == PREP_OK)
		a->gs[gi].count += count;
	prep_exactsum_free(&sum);
	return st;
}

prep_status
prep_agg_state_add(prep_agg *a, const json_t *state, char *why, size_t n)
{
	const json_t *groups, *keys, *by;
	prep_field *key[2];
	char hex[65];
	size_t i, ng;
	prep_status st = PREP_OK;

	if (a == NULL || a->released)
		return PREP_ERR_ARG;
	if (!state_shape(state))
		return refuse(why, n,
			      "not an object of by, delimiter, "
			      "groups and keys");
	by = json_object_get(state, "by");
	keys = json_object_get(state, "keys");
	groups = json_object_get(state, "groups");
	if (!json_is_array(by) || json_array_size(by) != a->p.nby)
		return refuse(why, n, "by is not a list of %zu column names",
			      a->p.nby);
	if (a->p.groups == PREP_AGG_KEYS) {
		if (keys_digest(a, hex) != 0)
			return PREP_ERR_NOMEM;
		if (!json_is_string(keys) ||
		    strcmp(json_string_value(keys), hex) != 0)
			return refuse(why, n,
				      "made with another list of --keys");
	} else if (!json_is_null(keys)) {
		return refuse(why, n, "keys is not null without --keys");
	}
	if (!json_is_array(groups))
		return refuse(why, n, "groups is not a list");
	ng = json_array_size(groups);
	if (a->p.groups == PREP_AGG_ONE && ng > 1)
		return refuse(why, n, "more than one group without --by");
	if (a->p.groups == PREP_AGG_KEYS && ng > a->groups.n)
		return refuse(why, n, "more groups than keys");
	key[0] = calloc(a->p.nby ? a->p.nby : 1, sizeof *key[0]);
	key[1] = calloc(a->p.nby ? a->p.nby : 1, sizeof *key[1]);
	if (key[0] == NULL || key[1] == NULL)
		st = PREP_ERR_NOMEM;
	/* each group's key checked against the last's: two buffers */
	for (i = 0; st == PREP_OK && i < ng; i++) {
		free_key(key[i % 2], a->p.nby);
		st = add_group(a, json_array_get(groups, i), i, key[i % 2],
			       i ? key[(i + 1) % 2] : NULL, why, n);
	}
	if (key[0] != NULL)
		free_key(key[0], a->p.nby);
	if (key[1] != NULL)
		free_key(key[1], a->p.nby);
	free(key[0]);
	free(key[1]);
	a->started = 1;
	return st;
}

prep_status
prep_agg_merge(prep_agg *dst, prep_agg *src)
{
	prep_partial_input in;
	json_t *state = NULL;
	char why[160];
	size_t i;
	prep_status st;

	memset(&in, 0, sizeof in);
	in.delim = ','; /* the state's input, which nothing reads back */
	in.nnames = src->p.nby;
	if (in.nnames > 0 &&
	    (in.names = calloc(in.nnames, sizeof *in.names)) == NULL)
		return PREP_ERR_NOMEM;
	for (i = 0; i < in.nnames; i++)
		in.names[i].data = "";
	st = prep_agg_state(src, &in, &state);
	free(in.names);
	if (st == PREP_OK)
		st = prep_agg_state_add(dst, state, why, sizeof why);
	json_decref(state);
	return st;
}
