/*
 * profile_json.c: a profile as JSON and back (profile.h,
 * man5/prep-profile.5).
 *
 * {"format":"prep-profile","version":1,
 *  "options":{"max_distinct":N,"kll_k":K,"hll_p":P,"seed":S,
 *             "value_max":256[,"groups":[NAME...],"label":NAME,
 *             "prediction":NAME|null,"positive":V]},
 *  "rows":N,
 *  "columns":[{"name":NAME,"rows":N,"empty":N,
 *              "types":{"integer":N,...,"text":N},
 *              ["min":X,"max":X,"mean":X,"variance":X,"rank_error":E,
 *               "kll":{sketch_kll.h}],
 *              "distinct":{"estimate":X,"std_error":E[,"hll":{...}]},
 *              "values":{"exact":true,"items":[[V,N]...],"long":N,
 *                        "other":N}
 *                     | {"exact":false,"summary":{sketch_freq.h},
 *                        "long":N,"other":N}}...]
 *  [,"groups":[{"group":[V...],"n":N,"positives":N[,"predicted":N,
 *               "tp":N,"fp":N,"fn":N,"tn":N]}...]]}
 *
 * Names and values by json.h's prep_json_bytes (any bytes survive).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "profile_impl.h"

#define COUNT_MAX PREP_KLL_MAX_N

/* ---- writing ---- */

static json_t *
uint_json(uint64_t v)
{
	return json_integer((json_int_t)v);
}

static json_t *
text_json(const char *s, size_t n)
{
	return prep_json_bytes(s, n);
}

static json_t *
options_json(const prep_profile *p, int *ok)
{
	json_t *o = json_object(), *a;
	size_t i;

	prep_json_set(o, "max_distinct", uint_json(p->max_distinct), ok);
	prep_json_set(o, "kll_k", uint_json(p->kll_k), ok);
	prep_json_set(o, "hll_p", uint_json(p->hll_p), ok);
	prep_json_set(o, "seed", uint_json(p->seed), ok);
	prep_json_set(o, "value_max", uint_json(PREP_PROFILE_VALUE_MAX), ok);
	if (p->ngroups == 0)
		return o;
	a = json_array();
	for (i = 0; i < p->ngroups; i++)
		prep_json_append(
		    a, text_json(p->gnames[i].text, p->gnames[i].len), ok);
	prep_json_set(o, "groups", a, ok);
	prep_json_set(o, "label",
		      text_json(p->label_name.text, p->label_name.len), ok);
	prep_json_set(o, "prediction",
		      p->has_pred
			  ? text_json(p->pred_name.text, p->pred_name.len)
			  : json_null(),
		      ok);
	prep_json_set(o, "positive", text_json(p->positive, p->positive_len),
		      ok);
	return o;
}

static json_t *
values_json(const prep_profile_column *c, int *ok)
{
	json_t *o = json_object(), *a, *pair;
	prep_freq_item *items = NULL;
	size_t n = 0, i;

	prep_json_set(o, "exact", json_boolean(c->exact), ok);
	if (c->exact) {
		if (prep_profile_values(c, &items, &n) != PREP_OK)
			*ok = 0;
		a = json_array();
		for (i = 0; i < n; i++) {
			pair = json_array();
			prep_json_append(
			    pair, text_json(items[i].data, items[i].len), ok);
			prep_json_append(pair, uint_json(items[i].count), ok);
			prep_json_append(a, pair, ok);
		}
		free(items);
		prep_json_set(o, "items", a, ok);
	} else
		prep_json_set(o, "summary", prep_freq_to_json(c->freq), ok);
	prep_json_set(o, "long", uint_json(c->longs), ok);
	prep_json_set(o, "other", uint_json(prep_profile_other(c)), ok);
	return o;
}

static json_t *
column_json(const prep_profile_column *c, int *ok)
{
	json_t *o = json_object(), *t = json_object(), *d = json_object();
	double se, est;
	size_t i;

	prep_json_set(o, "name", text_json(c->name, c->name_len), ok);
	prep_json_set(o, "rows", uint_json(c->rows), ok);
	prep_json_set(o, "empty", uint_json(c->empty), ok);
	for (i = 0; i < PREP_PROFILE_NTYPES; i++)
		prep_json_set(t, prep_profile_type_names[i],
			      uint_json(c->types[i]), ok);
	prep_json_set(o, "types", t, ok);
	if (c->moments.n > 0) {
		prep_json_set(o, "min", prep_json_number(c->moments.min), ok);
		prep_json_set(o, "max", prep_json_number(c->moments.max), ok);
		prep_json_set(o, "mean", prep_json_number(c->moments.mean), ok);
		prep_json_set(
		    o, "variance",
		    prep_json_number(prep_moments_variance(&c->moments)), ok);
		prep_json_set(o, "rank_error",
			      prep_json_number(prep_kll_rank_error(c->kll)),
			      ok);
		prep_json_set(o, "kll", prep_kll_to_json(c->kll), ok);
	}
	est = prep_profile_distinct(c, &se);
	prep_json_set(d, "estimate", prep_json_number(est), ok);
	prep_json_set(d, "std_error", prep_json_number(se), ok);
	if (c->hll != NULL)
		prep_json_set(d, "hll", prep_hll_to_json(c->hll), ok);
	prep_json_set(o, "distinct", d, ok);
	prep_json_set(o, "values", values_json(c, ok), ok);
	return o;
}

static json_t *
group_json(const prep_profile *p, size_t id, int *ok)
{
	json_t *o = json_object(), *a = json_array();
	const prep_profile_group_counts *g = &p->gcounts[id];
	prep_field k = prep_strset_key(&p->gset, id), f;
	const unsigned char *q = (const unsigned char *)k.data;
	size_t i;

	for (i = 0; i < p->ngroups; i++) {
		f = prep_tuple_next(&q);
		prep_json_append(a, text_json(f.data, f.len), ok);
	}
	prep_json_set(o, "group", a, ok);
	prep_json_set(o, "n", uint_json(g->n), ok);
	prep_json_set(o, "positives", uint_json(g->positives), ok);
	if (!p->has_pred)
		return o;
	prep_json_set(o, "predicted", uint_json(g->predicted), ok);
	prep_json_set(o, "tp", uint_json(g->tp), ok);
	prep_json_set(o, "fp", uint_json(g->fp), ok);
	prep_json_set(o, "fn", uint_json(g->positives - g->tp), ok);
	prep_json_set(o, "tn", uint_json(g->n - g->positives - g->fp), ok);
	return o;
}

/* The document's first keys: format, version, options, rows. */
static json_t *
head_json(const prep_profile *p, int *ok)
{
	json_t *o = json_object();

	if (o == NULL)
		*ok = 0;
	prep_json_set(o, "format", json_string(PREP_PROFILE_FORMAT), ok);
	prep_json_set(o, "version", json_integer(PREP_PROFILE_VERSION), ok);
	prep_json_set(o, "options", options_json(p, ok), ok);
	prep_json_set(o, "rows", uint_json(p->rows), ok);
	return o;
}

json_t *
prep_profile_to_json(const prep_profile *p)
{
	json_t *a = json_array();
	int ok = a != NULL;
	json_t *o = head_json(p, &ok);
	size_t i;

	for (i = 0; i < p->ncols; i++)
		prep_json_append(a, column_json(&p->cols[i], &ok), &ok);
	prep_json_set(o, "columns", a, &ok);
	if (p->ngroups) {
		a = json_array();
		for (i = 0; i < p->gset.n; i++)
			prep_json_append(a, group_json(p, i, &ok), &ok);
		prep_json_set(o, "groups", a, &ok);
	}
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ---- writing, one column at a time ---- */

#define DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(17))

struct sink {
	prep_profile_put put;
	void *ctx;
	prep_status st;
};

static int
sink_put(const char *buf, size_t n, void *data)
{
	struct sink *k = data;

	if (k->st == PREP_OK)
		k->st = k->put(k->ctx, buf, n);
	return k->st == PREP_OK ? 0 : -1;
}

/* j, dumped and freed; the closing brace left out when open. */
static prep_status
dump(struct sink *k, json_t *j, int open)
{
	char *t;
	size_t n;

	if (j == NULL)
		return PREP_ERR_NOMEM;
	if (!open) {
		if (json_dump_callback(j, sink_put, k, DUMP_FLAGS) != 0 &&
		    k->st == PREP_OK)
			k->st = PREP_ERR_NOMEM;
		json_decref(j);
		return k->st;
	}
	t = json_dumps(j, DUMP_FLAGS);
	json_decref(j);
	if (t == NULL)
		return PREP_ERR_NOMEM;
	n = strlen(t);
	sink_put(t, n - 1, k); /* without its '}' */
	free(t);
	return k->st;
}

static prep_status
text(struct sink *k, const char *s)
{
	sink_put(s, strlen(s), k);
	return k->st;
}

static json_t *
column_at(const prep_profile *p, size_t i, int *ok)
{
	return column_json(&p->cols[i], ok);
}

/* head, then the n objects one(p, i) dumped one at a time, then ']'. */
static prep_status
dump_array(struct sink *k, const char *head, const prep_profile *p, size_t n,
	   json_t *(*one)(const prep_profile *, size_t, int *))
{
	json_t *o;
	size_t i;
	int ok;

	if (text(k, head) != PREP_OK)
		return k->st;
	for (i = 0; i < n; i++) {
		ok = 1;
		o = one(p, i, &ok);
		if (!ok) {
			json_decref(o);
			return PREP_ERR_NOMEM;
		}
		if ((i > 0 && text(k, ",") != PREP_OK) ||
		    dump(k, o, 0) != PREP_OK)
			return k->st;
	}
	return text(k, "]");
}

prep_status
prep_profile_write(const prep_profile *p, prep_profile_put put, void *ctx)
{
	struct sink k = {put, ctx, PREP_OK};
	int ok = 1;
	json_t *o = head_json(p, &ok);
	prep_status st;

	if (!ok) {
		json_decref(o);
		return PREP_ERR_NOMEM;
	}
	if ((st = dump(&k, o, 1)) != PREP_OK ||
	    (st = dump_array(&k, ",\"columns\":[", p, p->ncols, column_at)) !=
		PREP_OK)
		return st;
	if (p->ngroups && (st = dump_array(&k, ",\"groups\":[", p, p->gset.n,
					   group_json)) != PREP_OK)
		return st;
	return text(&k, "}\n");
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
fail(struct rd *r, prep_status st, const char *why)
{
	if (st == PREP_ERR_VALUE || st == PREP_ERR_ARG ||
	    st == PREP_ERR_LIMIT || st == PREP_ERR_RANGE)
		return bad(r, why);
	if (r->st == PREP_OK && r->why == NULL)
		r->st = st;
	return -1;
}

static int
get_uint(struct rd *r, const json_t *o, const char *key, uint64_t lo,
	 uint64_t hi, uint64_t *v, const char *why)
{
	if (prep_json_uint(json_object_get(o, key), lo, hi, v) != 0)
		return bad(r, why);
	return 0;
}

/* A prep_json_bytes string: its bytes in *s (malloc'd). */
static int
get_text(struct rd *r, const json_t *j, char **s, size_t *n, const char *why)
{
	const char *w;

	*s = NULL;
	*n = 0;
	if (!json_is_string(j))
		return bad(r, why);
	w = prep_json_bytes_read(json_string_value(j), json_string_length(j), s,
				 n);
	if (w != NULL)
		return bad(r, w);
	if (*s == NULL)
		return fail(r, PREP_ERR_NOMEM, NULL);
	return 0;
}

/* o is an object of keys among keys[0..n), want of them (0: any). */
static int
only_keys(struct rd *r, const json_t *o, const char *const *keys, size_t n,
	  size_t want, const char *why)
{
	if (!json_is_object(o) || !prep_json_only_keys(o, keys, n) ||
	    (want && json_object_size(o) != want))
		return bad(r, why);
	return 0;
}

/* o's keys are exactly keys[0 .. n): only_keys, and none missing. */
static int
exact_keys(struct rd *r, const json_t *o, const char *const *keys, size_t n,
	   const char *why)
{
	return only_keys(r, o, keys, n, n, why);
}

static int
get_number(struct rd *r, const json_t *o, const char *key, double *v,
	   const char *why)
{
	const json_t *j = json_object_get(o, key);

	if (!json_is_number(j))
		return bad(r, why);
	*v = json_number_value(j);
	return isfinite(*v) ? 0 : bad(r, why);
}

static int
read_options(struct rd *r, prep_profile *p, const json_t *o)
{
	static const char *const k1[] = {"max_distinct", "kll_k", "hll_p",
					 "seed", "value_max"};
	static const char *const k2[] = {
	    "max_distinct", "kll_k", "hll_p",	   "seed",    "value_max",
	    "groups",	    "label", "prediction", "positive"};
	const json_t *g = json_object_get(o, "groups"), *v;
	uint64_t md, k, hp, seed, vm;
	struct profile_text *names;
	prep_field *f, label, pred;
	char *lt = NULL, *pt = NULL, *pos = NULL;
	size_t i, ng, ll = 0, pl = 0, posl = 0;
	int rc = 0;

	if (exact_keys(r, o, g ? k2 : k1, g ? 9 : 5, "bad options") ||
	    get_uint(r, o, "max_distinct", 1, PREP_PROFILE_MAX_MAX_DISTINCT,
		     &md, "bad max_distinct") ||
	    get_uint(r, o, "kll_k", PREP_KLL_MIN_K, PREP_KLL_MAX_K, &k,
		     "bad kll_k") ||
	    get_uint(r, o, "hll_p", PREP_HLL_MIN_P, PREP_HLL_MAX_P, &hp,
		     "bad hll_p") ||
	    get_uint(r, o, "seed", 0, INT64_MAX, &seed, "bad seed") ||
	    get_uint(r, o, "value_max", PREP_PROFILE_VALUE_MAX,
		     PREP_PROFILE_VALUE_MAX, &vm, "bad value_max"))
		return -1;
	p->max_distinct = (size_t)md;
	p->kll_k = (uint32_t)k;
	p->hll_p = (unsigned)hp;
	p->seed = seed;
	if (g == NULL)
		return 0;
	if (!json_is_array(g) || (ng = json_array_size(g)) == 0 ||
	    ng > PREP_PROFILE_MAX_COLUMNS)
		return bad(r, "bad groups option");
	names = calloc(ng, sizeof *names);
	f = calloc(ng, sizeof *f);
	if (names == NULL || f == NULL)
		rc = fail(r, PREP_ERR_NOMEM, NULL);
	for (i = 0; rc == 0 && i < ng; i++) {
		rc = get_text(r, json_array_get(g, i), &names[i].text,
			      &names[i].len, "bad group column name");
		f[i].data = names[i].text;
		f[i].len = names[i].len;
	}
	v = json_object_get(o, "prediction");
	if (rc == 0)
		rc = get_text(r, json_object_get(o, "label"), &lt, &ll,
			      "bad label option");
	if (rc == 0 && !json_is_null(v))
		rc = get_text(r, v, &pt, &pl, "bad prediction option");
	if (rc == 0)
		rc = get_text(r, json_object_get(o, "positive"), &pos, &posl,
			      "bad positive option");
	label.data = lt;
	label.len = ll;
	pred.data = pt;
	pred.len = pl;
	if (rc == 0) {
		prep_status st = profile_set_groups(
		    p, ng, f, &label, pt ? &pred : NULL, pos, posl);
		if (st != PREP_OK)
			rc = fail(r, st, NULL);
	}
	for (i = 0; names && i < ng; i++)
		free(names[i].text);
	free(names);
	free(f);
	free(lt);
	free(pt);
	free(pos);
	return rc;
}

static int
read_types(struct rd *r, prep_profile_column *c, const json_t *t)
{
	size_t i;

	if (!json_is_object(t) || json_object_size(t) != PREP_PROFILE_NTYPES)
		return bad(r, "bad types");
	for (i = 0; i < PREP_PROFILE_NTYPES; i++)
		if (get_uint(r, t, prep_profile_type_names[i], 0, COUNT_MAX,
			     &c->types[i], "bad types"))
			return -1;
	return 0;
}

static int
read_numbers(struct rd *r, prep_profile *p, prep_profile_column *c,
	     const json_t *o)
{
	double mn, mx, mean, var, re;
	const char *why = NULL;
	uint64_t n =
	    c->types[PREP_PROFILE_INTEGER] + c->types[PREP_PROFILE_NUMBER];
	prep_kll *s = NULL;
	prep_status st;

	if (n == 0) {
		if (json_object_get(o, "kll") != NULL ||
		    json_object_get(o, "min") != NULL)
			return bad(r, "numbers in a column without any");
		return 0;
	}
	if (get_number(r, o, "min", &mn, "bad min") ||
	    get_number(r, o, "max", &mx, "bad max") ||
	    get_number(r, o, "mean", &mean, "bad mean") ||
	    get_number(r, o, "variance", &var, "bad variance") ||
	    get_number(r, o, "rank_error", &re, "bad rank_error"))
		return -1;
	st = prep_kll_from_json(json_object_get(o, "kll"), p->seed, &s, &why);
	if (st != PREP_OK)
		return fail(r, st, why ? why : "bad kll");
	prep_kll_free(c->kll);
	c->kll = s;
	if (prep_kll_count(s) != n || prep_kll_k(s) != p->kll_k ||
	    prep_kll_min(s) != mn || prep_kll_max(s) != mx)
		return bad(r, "kll does not match the column's numbers");
	if (var < 0 || !(mean >= mn && mean <= mx))
		return bad(r, "bad mean or variance");
	if (re != prep_kll_rank_error(s))
		return bad(r, "bad rank_error");
	c->moments.n = n;
	c->moments.min = mn;
	c->moments.max = mx;
	c->moments.mean = mean;
	c->moments.m2 = var * (double)n;
	if (!isfinite(c->moments.m2))
		return bad(r, "bad mean or variance");
	return 0;
}

/* memcmp order, a prefix first */
static int
bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int d = memcmp(a, b, an < bn ? an : bn);

	return d ? d : (an > bn) - (an < bn);
}

static int
read_items(struct rd *r, prep_profile *p, prep_profile_column *c,
	   const json_t *a, uint64_t *sum)
{
	const json_t *pair;
	size_t i, len, prev_len = 0;
	uint64_t cnt, prev_count = 0;
	char *s, *prev = NULL;
	int rc = 0;
	prep_status st;
	size_t before;

	*sum = 0;
	if (!json_is_array(a) || json_array_size(a) > p->max_distinct)
		return bad(r, "bad values items");
	json_array_foreach(a, i, pair)
	{
		if (!json_is_array(pair) || json_array_size(pair) != 2 ||
		    prep_json_uint(json_array_get(pair, 1), 1, COUNT_MAX,
				   &cnt) != 0) {
			rc = bad(r, "bad values item");
			break;
		}
		if ((rc = get_text(r, json_array_get(pair, 0), &s, &len,
				   "bad value")) != 0)
			break;
		before = c->values.n;
		if (i > 0 && (cnt > prev_count ||
			      (cnt == prev_count &&
			       bytes_cmp(prev, prev_len, s, len) > 0)))
			rc = bad(r, "values not in order (count descending, "
				    "then bytes ascending)");
		else if (len > PREP_PROFILE_VALUE_MAX)
			rc = bad(r, "value longer than value_max");
		else if ((st = profile_count_value(p, c, s, len, cnt)) !=
			 PREP_OK)
			rc = fail(r, st, "bad values items");
		else if (c->values.n == before)
			rc = bad(r, "value listed twice");
		free(prev);
		prev = s;
		prev_len = len;
		prev_count = cnt;
		if (rc)
			break;
		if (cnt > COUNT_MAX - *sum) {
			rc = bad(r, "counts too large");
			break;
		}
		*sum += cnt;
	}
	free(prev);
	return rc;
}

static int
read_values(struct rd *r, prep_profile *p, prep_profile_column *c,
	    const json_t *o)
{
	static const char *const ke[] = {"exact", "items", "long", "other"};
	static const char *const ks[] = {"exact", "summary", "long", "other"};
	const json_t *e = json_object_get(o, "exact");
	uint64_t sum = 0, other, nonempty = c->rows - c->empty;
	const char *why = NULL;
	prep_status st;

	if (!json_is_boolean(e))
		return bad(r, "bad values");
	if (exact_keys(r, o, json_is_true(e) ? ke : ks, 4, "bad values") ||
	    get_uint(r, o, "long", 0, COUNT_MAX, &c->longs, "bad long") ||
	    get_uint(r, o, "other", 0, COUNT_MAX, &other, "bad other"))
		return -1;
	if (json_is_true(e)) {
		if (read_items(r, p, c, json_object_get(o, "items"), &sum))
			return -1;
		if (sum + c->longs != nonempty || other != c->longs)
			return bad(r, "values do not add up to the cells");
		return 0;
	}
	st = prep_freq_from_json(
	    json_object_get(o, "summary"),
	    p->max_distinct * (size_t)PREP_PROFILE_VALUE_MAX, &c->freq, &why);
	if (st != PREP_OK)
		return fail(r, st, why ? why : "bad values summary");
	c->exact = 0;
	if (prep_freq_k(c->freq) != p->max_distinct ||
	    prep_freq_total(c->freq) + c->longs != nonempty ||
	    other != prep_profile_other(c))
		return bad(r, "values do not add up to the cells");
	return 0;
}

static int
read_distinct(struct rd *r, const prep_profile *p, prep_profile_column *c,
	      const json_t *o)
{
	static const char *const k2[] = {"estimate", "std_error"};
	static const char *const k3[] = {"estimate", "std_error", "hll"};
	const json_t *h = json_object_get(o, "hll");
	double est, se, e2, s2;
	const char *why = NULL;
	prep_status st;

	if (only_keys(r, o, h ? k3 : k2, h ? 3 : 2, h ? 3 : 2,
		      "bad distinct") ||
	    get_number(r, o, "estimate", &est, "bad distinct") ||
	    get_number(r, o, "std_error", &se, "bad distinct"))
		return -1;
	if ((h != NULL) != (!c->exact || c->longs > 0))
		return bad(r, "distinct sketch present when it should not be, "
			      "or missing");
	if (h != NULL) {
		st = prep_hll_from_json(h, &c->hll, &why);
		if (st != PREP_OK)
			return fail(r, st, why ? why : "bad hll");
		/* a merge would refuse it as an argument, not as a document */
		if (prep_hll_p(c->hll) != p->hll_p)
			return bad(r, "hll does not match hll_p");
	}
	e2 = prep_profile_distinct(c, &s2);
	if (e2 != est || s2 != se)
		return bad(r, "distinct does not match its sketch");
	return 0;
}

static int
read_column(struct rd *r, prep_profile *p, size_t i, const json_t *o)
{
	static const char *const keys[] = {
	    "name", "rows",	"empty",      "types", "min",	   "max",
	    "mean", "variance", "rank_error", "kll",   "distinct", "values"};
	prep_profile_column *c = &p->cols[i];
	char *name;
	size_t len;
	uint64_t sum = 0;
	size_t t;
	prep_status st;

	if (only_keys(r, o, keys, sizeof keys / sizeof *keys, 0,
		      "bad column") ||
	    get_text(r, json_object_get(o, "name"), &name, &len,
		     "bad column name"))
		return -1;
	st = profile_column_init(p, c, name, len);
	free(name);
	p->ncols = i + 1;
	if (st != PREP_OK)
		return fail(r, st, NULL);
	if (get_uint(r, o, "rows", 0, COUNT_MAX, &c->rows, "bad column rows") ||
	    get_uint(r, o, "empty", 0, COUNT_MAX, &c->empty, "bad empty") ||
	    read_types(r, c, json_object_get(o, "types")))
		return -1;
	for (t = 0; t < PREP_PROFILE_NTYPES; t++)
		sum += c->types[t];
	if (c->rows != p->rows || c->empty > c->rows ||
	    sum != c->rows - c->empty)
		return bad(r, "column counts do not add up");
	if (read_numbers(r, p, c, o) ||
	    read_values(r, p, c, json_object_get(o, "values")) ||
	    read_distinct(r, p, c, json_object_get(o, "distinct")))
		return -1;
	/* exactly the keys to_json writes */
	if (json_object_size(o) != (c->moments.n ? 12u : 6u))
		return bad(r, "bad column");
	return 0;
}

static int
read_group(struct rd *r, prep_profile *p, const json_t *o, uint64_t *total)
{
	static const char *const k1[] = {"group", "n", "positives"};
	static const char *const k2[] = {
	    "group", "n", "positives", "predicted", "tp", "fp", "fn", "tn"};
	const json_t *a = json_object_get(o, "group");
	prep_profile_group_counts c, *g;
	uint64_t fn, tn;
	size_t i, len, before = p->gset.n;
	char *s;
	prep_status st;
	prep_field f;
	unsigned char *q;

	if (only_keys(r, o, p->has_pred ? k2 : k1, p->has_pred ? 8 : 3,
		      p->has_pred ? 8 : 3, "bad group") ||
	    !json_is_array(a) || json_array_size(a) != p->ngroups)
		return bad(r, "bad group");
	memset(&c, 0, sizeof c);
	if (get_uint(r, o, "n", 1, COUNT_MAX, &c.n, "bad group n") ||
	    get_uint(r, o, "positives", 0, c.n, &c.positives,
		     "bad group positives"))
		return -1;
	if (p->has_pred &&
	    (get_uint(r, o, "tp", 0, c.positives, &c.tp, "bad group tp") ||
	     get_uint(r, o, "fp", 0, c.n - c.positives, &c.fp,
		      "bad group fp") ||
	     get_uint(r, o, "predicted", 0, c.n, &c.predicted,
		      "bad group predicted") ||
	     get_uint(r, o, "fn", 0, c.n, &fn, "bad group fn") ||
	     get_uint(r, o, "tn", 0, c.n, &tn, "bad group tn") ||
	     c.predicted != c.tp + c.fp || fn != c.positives - c.tp ||
	     tn != c.n - c.positives - c.fp))
		return bad(r, "group counts do not add up");
	prep_buf_reset(&p->key);
	for (i = 0; i < p->ngroups; i++) {
		if (get_text(r, json_array_get(a, i), &s, &len,
			     "bad group value"))
			return -1;
		f.data = s;
		f.len = len;
		st = prep_buf_reserve(&p->key, len + PREP_TUPLE_OVERHEAD);
		if (st == PREP_OK) {
			q = prep_tuple_put(
			    (unsigned char *)p->key.data + p->key.len, &f);
			p->key.len = (size_t)(q - (unsigned char *)p->key.data);
		}
		free(s);
		if (st != PREP_OK)
			return fail(r, st, NULL);
	}
	st = profile_group_counts(p, p->key.data, p->key.len, &g);
	if (st != PREP_OK)
		return fail(r, st, "too many groups");
	if (p->gset.n == before)
		return bad(r, "group listed twice");
	*g = c;
	if (c.n > COUNT_MAX - *total)
		return bad(r, "group counts too large");
	*total += c.n;
	return 0;
}

static int
read_profile(struct rd *r, prep_profile *p, const json_t *j)
{
	static const char *const k1[] = {"format", "version", "options", "rows",
					 "columns"};
	static const char *const k2[] = {"format", "version", "options",
					 "rows",   "columns", "groups"};
	const json_t *cols = json_object_get(j, "columns"), *c;
	const json_t *g = json_object_get(j, "groups");
	uint64_t total = 0;
	size_t i;

	p->max_groups = PREP_PROFILE_MAX_MAX_GROUPS;
	if (read_options(r, p, json_object_get(j, "options")))
		return -1;
	if (exact_keys(r, j, p->ngroups ? k2 : k1, p->ngroups ? 6 : 5,
		       "unknown or missing keys") ||
	    get_uint(r, j, "rows", 0, COUNT_MAX, &p->rows, "bad rows"))
		return -1;
	if (!json_is_array(cols) ||
	    json_array_size(cols) > PREP_PROFILE_MAX_COLUMNS)
		return bad(r, "bad columns");
	free(p->cols);
	p->cols = calloc(json_array_size(cols) + 1, sizeof *p->cols);
	if (p->cols == NULL)
		return fail(r, PREP_ERR_NOMEM, NULL);
	json_array_foreach(cols, i, c) if (read_column(r, p, i, c)) return -1;
	if (p->ngroups == 0)
		return 0;
	if (!json_is_array(g))
		return bad(r, "bad groups");
	json_array_foreach(g, i, c) if (read_group(r, p, c, &total)) return -1;
	if (total != p->rows)
		return bad(r, "groups do not add up to the rows");
	return 0;
}

prep_status
prep_profile_from_json(const json_t *j, prep_profile **out, long long *version,
		       const char **why)
{
	const json_t *f = json_object_get(j, "format");
	const json_t *v = json_object_get(j, "version");
	struct rd r = {NULL, PREP_OK};
	prep_profile *p;
	prep_status st;

	*out = NULL;
	*version = -1;
	*why = NULL;
	if (!json_is_object(j) || !json_is_string(f) ||
	    strcmp(json_string_value(f), PREP_PROFILE_FORMAT) != 0) {
		*why = "not a prep profile";
		return PREP_ERR_VALUE;
	}
	if (!json_is_integer(v)) {
		*why = "profile without a version";
		return PREP_ERR_VALUE;
	}
	*version = json_integer_value(v);
	if (*version != PREP_PROFILE_VERSION) {
		*why = "unsupported profile version";
		return PREP_ERR_VALUE;
	}
	if ((st = profile_alloc(&p, 0)) != PREP_OK)
		return st;
	if (read_profile(&r, p, j) != 0) {
		prep_profile_free(p);
		*why = r.why ? r.why : "not a valid profile";
		return r.st != PREP_OK ? r.st : PREP_ERR_VALUE;
	}
	*out = p;
	return PREP_OK;
}

prep_status
prep_profile_parse(const char *text, size_t len, prep_profile **out,
		   prep_profile_error *err)
{
	const char *why = NULL;
	prep_status st;
	json_t *root;

	memset(err, 0, sizeof *err);
	err->version = -1;
	*out = NULL;
	if (len > PREP_PROFILE_MAX_BYTES) {
		snprintf(err->text, sizeof err->text,
			 "profile larger than %zu bytes",
			 PREP_PROFILE_MAX_BYTES);
		return PREP_ERR_LIMIT;
	}
	st = prep_json_parse(text, len, &root, &err->line, &err->column,
			     err->text, sizeof err->text);
	if (st != PREP_OK)
		return st;
	st = prep_profile_from_json(root, out, &err->version, &why);
	json_decref(root);
	if (why != NULL)
		snprintf(err->text, sizeof err->text, "%s", why);
	return st;
}
