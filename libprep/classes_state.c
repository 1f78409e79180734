/*
 * classes_state.c: a table of classes as a partial's state, and the
 * states of parts added up (see classes_state.h for the layout).
 *
 * Written in one order that follows from the table alone (classes by
 * their values, sensitive values by their bytes), so that the state of
 * the same rows is the same whatever order they came in. Read strictly:
 * a state is refused, never repaired, when anything in it is not as
 * written (out of order, twice, counts that do not add up), since it
 * crossed machines and processes and a count wrong by one is a verdict
 * wrong. The tables it fills are classes.c's, so --max-classes and the
 * memory budget (memcap.h) bound a merge as they bound a run.
 */
#include <stdlib.h>
#include <string.h>

#include "classes_state.h"
#include "json.h"
#include "strset.h"

/* Counts in a state are below 2^53: exact as JSON numbers everywhere. */
#define MAX_COUNT ((uint64_t)1 << 53)

void
prep_classes_names_free(prep_classes_names *n)
{
	size_t j;

	for (j = 0; n->qi && j < n->nqi; j++)
		free((char *)n->qi[j].data);
	free(n->qi);
	free((char *)n->sensitive.data);
	memset(n, 0, sizeof *n);
}

/* Bytes a before b (memcmp, a prefix first): <0, 0, >0. */
static int
bytes_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	int d = memcmp(a, b, al < bl ? al : bl);

	if (d != 0 || (al == 0 && bl == 0) || al == bl)
		return d;
	return al < bl ? -1 : 1;
}

/* Two keys in the tuple encoding of nqi values, value after value. */
static int
tuple_cmp(prep_field a, prep_field b, size_t nqi)
{
	const unsigned char *p = (const unsigned char *)a.data;
	const unsigned char *q = (const unsigned char *)b.data;
	size_t j;
	int d;

	for (j = 0; j < nqi; j++) {
		prep_field x = prep_tuple_next(&p), y = prep_tuple_next(&q);

		if (x.len == 0 && y.len == 0)
			continue;
		if (x.len == 0 || y.len == 0)
			return x.len == 0 ? -1 : 1;
		if ((d = bytes_cmp(x.data, x.len, y.data, y.len)) != 0)
			return d;
	}
	return 0;
}

/* Fields as keys of a sort: the bytes and their id. */
struct item {
	prep_field f;
	size_t id;
	size_t nqi; /* 0: f is a value; else a key of nqi values */
};

static int
by_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->nqi)
		return tuple_cmp(x->f, y->f, x->nqi);
	if (x->f.len == 0 || y->f.len == 0)
		return (x->f.len != 0) - (y->f.len != 0);
	return bytes_cmp(x->f.data, x->f.len, y->f.data, y->f.len);
}

static int
by_value_id(const void *a, const void *b)
{
	const prep_class_count *x = a, *y = b;

	return (x->value > y->value) - (x->value < y->value);
}

/*
 * The classes of c in key order (*order, ids) and each sensitive value's
 * place among the values in byte order (*rank, by id).
 */
static prep_status
sort_table(const prep_classes *c, size_t **order, size_t **rank)
{
	size_t n = prep_classes_count(c), nv = prep_classes_values(c), i;
	size_t nqi = prep_classes_nqi(c);
	struct item *it = malloc((n > nv ? n : nv ? nv : 1) * sizeof *it);

	*order = calloc(n ? n : 1, sizeof **order);
	*rank = calloc(nv ? nv : 1, sizeof **rank);
	if (it == NULL || *order == NULL || *rank == NULL) {
		free(it);
		free(*order);
		free(*rank);
		*order = *rank = NULL;
		return PREP_ERR_NOMEM;
	}
	for (i = 0; i < n; i++)
		it[i] = (struct item){prep_classes_key_bytes(c, i), i, nqi};
	if (nqi)
		qsort(it, n, sizeof *it, by_item);
	for (i = 0; i < n; i++)
		(*order)[i] = it[i].id;
	for (i = 0; i < nv; i++)
		it[i] = (struct item){prep_classes_value(c, i), i, 0};
	qsort(it, nv, sizeof *it, by_item);
	for (i = 0; i < nv; i++)
		(*rank)[it[i].id] = i;
	free(it);
	return PREP_OK;
}

/* ---- writing ---- */

static json_t *
count_json(uint64_t n)
{
	return json_integer((json_int_t)n);
}

/* One class: [[values...], rows] or [[values...], rows, [[i, n], ...]]. */
static json_t *
class_json(prep_classes *c, size_t id, const size_t *rank,
	   prep_class_count *work, int *ok)
{
	json_t *e = json_array(), *key = json_array(), *cnt;
	prep_field k = prep_classes_key_bytes(c, id), f;
	const unsigned char *p = (const unsigned char *)k.data;
	const prep_class_count *d;
	size_t j, n;

	for (j = 0; j < prep_classes_nqi(c); j++) {
		f = prep_tuple_next(&p);
		prep_json_append(key, prep_json_bytes(f.data, f.len), ok);
	}
	prep_json_append(e, key, ok);
	prep_json_append(e, count_json(prep_classes_size(c, id)), ok);
	if (!prep_classes_has_sensitive(c))
		return e;
	if (prep_classes_dist(c, id, &d, &n) != PREP_OK) {
		*ok = 0;
		return e;
	}
	for (j = 0; j < n; j++) {
		work[j].value = rank[d[j].value];
		work[j].count = d[j].count;
	}
	qsort(work, n, sizeof *work, by_value_id);
	cnt = json_array();
	for (j = 0; j < n; j++) {
		json_t *pair = json_array();

		prep_json_append(pair, count_json(work[j].value), ok);
		prep_json_append(pair, count_json(work[j].count), ok);
		prep_json_append(cnt, pair, ok);
	}
	prep_json_append(e, cnt, ok);
	return e;
}

prep_status
prep_classes_state(prep_classes *c, const prep_classes_names *names,
		   json_t **out)
{
	size_t n = prep_classes_count(c), nv = prep_classes_values(c), i, j;
	size_t *order = NULL, *rank = NULL;
	prep_class_count *work;
	json_t *s, *q, *vals, *cls;
	prep_field f;
	int ok = 1;
	prep_status st;

	*out = NULL;
	if ((names->qi == NULL && (prep_classes_nqi(c) || n)) ||
	    (names->qi && names->nqi != prep_classes_nqi(c)) ||
	    (names->sensitive.data != NULL) != prep_classes_has_sensitive(c))
		return PREP_ERR_ARG;
	if ((st = sort_table(c, &order, &rank)) != PREP_OK)
		return st;
	/* no class has more sensitive values than there are */
	if ((work = malloc((nv ? nv : 1) * sizeof *work)) == NULL) {
		free(order);
		free(rank);
		return PREP_ERR_NOMEM;
	}
	s = json_object();
	q = names->qi ? json_array() : json_null();
	for (j = 0; names->qi && j < names->nqi; j++)
		prep_json_append(
		    q, prep_json_bytes(names->qi[j].data, names->qi[j].len),
		    &ok);
	prep_json_set(s, "quasi", q, &ok);
	prep_json_set(
	    s, "sensitive",
	    names->sensitive.data
		? prep_json_bytes(names->sensitive.data, names->sensitive.len)
		: json_null(),
	    &ok);
	prep_json_set(s, "rows", count_json(prep_classes_rows(c)), &ok);
	vals = json_array();
	for (i = 0; i < nv; i++)
		work[rank[i]].value = i;
	for (i = 0; i < nv; i++) {
		f = prep_classes_value(c, work[i].value);
		prep_json_append(vals, prep_json_bytes(f.data, f.len), &ok);
	}
	prep_json_set(s, "values", vals, &ok);
	cls = json_array();
	for (i = 0; i < n && ok; i++)
		prep_json_append(cls, class_json(c, order[i], rank, work, &ok),
				 &ok);
	prep_json_set(s, "classes", cls, &ok);
	free(order);
	free(rank);
	free(work);
	if (!ok) {
		json_decref(s);
		return PREP_ERR_NOMEM;
	}
	*out = s;
	return PREP_OK;
}

/* ---- reading ---- */

/* A value as bytes: borrowed from the JSON string, or decoded into *own. */
static const char *
read_bytes(const json_t *j, prep_field *f, char **own)
{
	const char *s = json_string_value(j), *why;
	size_t len = json_string_length(j), olen;

	*own = NULL;
	if (s == NULL)
		return "a value that is not a string";
	if (len < 4 || memcmp(s, "hex:", 4) != 0) {
		if (memchr(s, '\0', len) != NULL)
			return "a value with a NUL outside the hex: form";
		f->data = s;
		f->len = len;
		return NULL;
	}
	if ((why = prep_json_bytes_read(s, len, own, &olen)) != NULL)
		return why;
	if (*own == NULL)
		return "out of memory";
	f->data = *own;
	f->len = olen;
	return NULL;
}

/* A copy of bytes, NUL-terminated, as a name. */
static int
copy_name(prep_field *dst, prep_field src)
{
	char *s = malloc(src.len + 1);

	if (s == NULL)
		return -1;
	if (src.len)
		memcpy(s, src.data, src.len);
	s[src.len] = '\0';
	dst->data = s;
	dst->len = src.len;
	return 0;
}

/* The names of the first state that has them: 0, or -1 with *why. */
static int
read_names(const json_t *state, prep_classes_names *names, const char **why)
{
	const json_t *q = json_object_get(state, "quasi");
	const json_t *s = json_object_get(state, "sensitive");
	prep_field f;
	char *own;
	size_t j;

	names->nqi = json_array_size(q);
	names->qi = calloc(names->nqi ? names->nqi : 1, sizeof *names->qi);
	if (names->qi == NULL) {
		*why = "out of memory";
		return -1;
	}
	for (j = 0; j < names->nqi; j++) {
		if ((*why = read_bytes(json_array_get(q, j), &f, &own)) != NULL)
			return -1;
		if (copy_name(&names->qi[j], f) != 0) {
			free(own);
			*why = "out of memory";
			return -1;
		}
		free(own);
	}
	if (json_is_null(s))
		return 0;
	if ((*why = read_bytes(s, &f, &own)) != NULL)
		return -1;
	j = (size_t)copy_name(&names->sensitive, f);
	free(own);
	if (j != 0) {
		*why = "out of memory";
		return -1;
	}
	return 0;
}

/* The shape of a state's members, before anything is read. */
static const char *
check_members(const json_t *s)
{
	static const char *const keys[] = {"quasi", "rows", "values", "classes",
					   "sensitive"};
	const json_t *q = json_object_get(s, "quasi");
	const json_t *sens = json_object_get(s, "sensitive");
	size_t j;

	if (!json_is_object(s) || !prep_json_only_keys(s, keys, 5) ||
	    json_object_size(s) != 5)
		return "not a state of classes: a member is missing or "
		       "unknown";
	if (!json_is_array(q) && !json_is_null(q))
		return "quasi is neither a list of names nor null";
	for (j = 0; j < json_array_size(q); j++)
		if (!json_is_string(json_array_get(q, j)))
			return "quasi holds a name that is not a string";
	if (!json_is_string(sens) && !json_is_null(sens))
		return "sensitive is neither a name nor null";
	if (!json_is_array(json_object_get(s, "values")) ||
	    !json_is_array(json_object_get(s, "classes")))
		return "values or classes is not a list";
	if (json_is_null(q) && (!json_is_null(sens) ||
				json_array_size(json_object_get(s, "values")) ||
				json_array_size(json_object_get(s, "classes"))))
		return "a state without columns that holds classes";
	return NULL;
}

/* What reading one state needs. */
struct reader {
	prep_classes *c;
	size_t nqi;
	int sens;
	prep_field *key;  /* [nqi] */
	char **own;	  /* [nqi]: decoded key values */
	prep_field *vals; /* [nvalues] */
	char **vown;	  /* [nvalues] */
	unsigned char *used;
	size_t nvals;
	uint64_t total; /* rows of the states read so far */
	const char *why;
};

static void
free_values(struct reader *r)
{
	size_t i;

	for (i = 0; i < r->nvals; i++)
		free(r->vown[i]);
	free(r->vals);
	free(r->vown);
	free(r->used);
	r->vals = NULL;
	r->vown = NULL;
	r->used = NULL;
	r->nvals = 0;
}

/* The state's sensitive values, each after the one before. */
static prep_status
read_values(struct reader *r, const json_t *a, size_t max)
{
	size_t n = json_array_size(a), i;

	if (!r->sens && n) {
		r->why = "sensitive values in a state without a sensitive "
			 "column";
		return PREP_ERR_VALUE;
	}
	if (n > max)
		return PREP_ERR_LIMIT;
	r->vals = calloc(n ? n : 1, sizeof *r->vals);
	r->vown = calloc(n ? n : 1, sizeof *r->vown);
	r->used = calloc(n ? n : 1, 1);
	if (!r->vals || !r->vown || !r->used)
		return PREP_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		r->why =
		    read_bytes(json_array_get(a, i), &r->vals[i], &r->vown[i]);
		r->nvals = i + 1;
		if (r->why != NULL)
			return PREP_ERR_VALUE;
		if (i > 0 && bytes_cmp(r->vals[i - 1].data, r->vals[i - 1].len,
				       r->vals[i].data, r->vals[i].len) >= 0) {
			r->why = "sensitive values out of order or twice";
			return PREP_ERR_VALUE;
		}
	}
	return PREP_OK;
}

static void
free_key(struct reader *r)
{
	size_t j;

	for (j = 0; j < r->nqi; j++) {
		free(r->own[j]);
		r->own[j] = NULL;
	}
}

/* A class's values into r->key: 0, or -1 with r->why. */
static int
read_key(struct reader *r, const json_t *a)
{
	size_t j;

	if (!json_is_array(a) || json_array_size(a) != r->nqi) {
		r->why = "a class without one value for each quasi-identifier";
		return -1;
	}
	for (j = 0; j < r->nqi; j++)
		if ((r->why = read_bytes(json_array_get(a, j), &r->key[j],
					 &r->own[j])) != NULL)
			return -1;
	return 0;
}

/* Is r->key after prev (the previous class's values, in prev_own)? */
static int
key_after(const struct reader *r, const prep_field *prev)
{
	size_t j;
	int d;

	for (j = 0; j < r->nqi; j++) {
		const prep_field *a = &prev[j], *b = &r->key[j];

		if (a->len == 0 || b->len == 0)
			d = (a->len != 0) - (b->len != 0);
		else
			d = bytes_cmp(a->data, a->len, b->data, b->len);
		if (d != 0)
			return d < 0;
	}
	return 0;
}

/* One class's sensitive counts, counted into the table. */
static prep_status
read_counts(struct reader *r, const json_t *a, uint64_t size)
{
	uint64_t sum = 0, idx, n;
	size_t i, last = 0;
	prep_status st;

	if (!json_is_array(a) || json_array_size(a) == 0) {
		r->why = "a class without its sensitive values";
		return PREP_ERR_VALUE;
	}
	for (i = 0; i < json_array_size(a); i++) {
		const json_t *p = json_array_get(a, i);

		if (!json_is_array(p) || json_array_size(p) != 2 ||
		    prep_json_uint(json_array_get(p, 0), 0,
				   r->nvals ? r->nvals - 1 : 0, &idx) != 0 ||
		    r->nvals == 0 ||
		    prep_json_uint(json_array_get(p, 1), 1, MAX_COUNT - 1,
				   &n) != 0) {
			r->why = "a sensitive count that is not [index, rows] "
				 "of a value of the state";
			return PREP_ERR_VALUE;
		}
		if (i > 0 && idx <= last) {
			r->why = "a class's sensitive values out of order or "
				 "twice";
			return PREP_ERR_VALUE;
		}
		last = (size_t)idx;
		sum += n;
		if (sum > size) {
			r->why = "a class's sensitive counts do not add up to "
				 "its rows";
			return PREP_ERR_VALUE;
		}
		r->used[idx] = 1;
		st = prep_classes_add_key(r->c, r->key, &r->vals[idx], n, NULL);
		if (st != PREP_OK)
			return st;
	}
	if (sum != size) {
		r->why = "a class's sensitive counts do not add up to its rows";
		return PREP_ERR_VALUE;
	}
	return PREP_OK;
}

/* One state, checked, added to r->c. */
static prep_status
read_state(struct reader *r, const json_t *s, size_t max)
{
	const json_t *cls = json_object_get(s, "classes");
	prep_field *prev = calloc(r->nqi ? r->nqi : 1, sizeof *prev);
	char **prev_own = calloc(r->nqi ? r->nqi : 1, sizeof *prev_own);
	uint64_t rows, size, sum = 0;
	size_t i, j;
	prep_status st = PREP_ERR_VALUE;

	if (!prev || !prev_own) {
		free(prev);
		free(prev_own);
		return PREP_ERR_NOMEM;
	}
	if (prep_json_uint(json_object_get(s, "rows"), 0, MAX_COUNT - 1,
			   &rows) != 0) {
		r->why = "rows is not a count";
		goto out;
	}
	if ((st = read_values(r, json_object_get(s, "values"), max)) != PREP_OK)
		goto out;
	st = PREP_ERR_VALUE;
	for (i = 0; i < json_array_size(cls); i++) {
		const json_t *e = json_array_get(cls, i);
		size_t want = r->sens ? 3 : 2;

		if (!json_is_array(e) || json_array_size(e) != want) {
			r->why = "a class that is not [values, rows] (with a "
				 "sensitive column, [values, rows, counts])";
			goto out;
		}
		if (read_key(r, json_array_get(e, 0)) != 0)
			goto out;
		if (i > 0 && !key_after(r, prev)) {
			r->why = "classes out of order or twice";
			goto out;
		}
		if (prep_json_uint(json_array_get(e, 1), 1, MAX_COUNT - 1,
				   &size) != 0) {
			r->why = "a class's rows are not a count of 1 or more";
			goto out;
		}
		if ((sum += size) >= MAX_COUNT) {
			st = PREP_ERR_RANGE;
			goto out;
		}
		st = r->sens
			 ? read_counts(r, json_array_get(e, 2), size)
			 : prep_classes_add_key(r->c, r->key, NULL, size, NULL);
		if (st != PREP_OK)
			goto out;
		st = PREP_ERR_VALUE;
		/* the values stay for the next class's order */
		for (j = 0; j < r->nqi; j++) {
			free(prev_own[j]);
			prev[j] = r->key[j];
			prev_own[j] = r->own[j];
			r->own[j] = NULL;
		}
	}
	if (sum != rows) {
		r->why = "rows is not the sum of the classes' rows";
		goto out;
	}
	for (i = 0; i < r->nvals; i++)
		if (!r->used[i]) {
			r->why = "a sensitive value that no class holds";
			goto out;
		}
	if (r->total + rows >= MAX_COUNT) {
		st = PREP_ERR_RANGE;
		goto out;
	}
	r->total += rows;
	st = PREP_OK;
out:
	free_key(r);
	for (j = 0; j < r->nqi; j++)
		free(prev_own[j]);
	free(prev);
	free(prev_own);
	free_values(r);
	return st;
}

/* The same columns as the first state's (states without any aside)? */
static int
same_columns(const json_t *a, const json_t *b)
{
	return json_equal(json_object_get(a, "quasi"),
			  json_object_get(b, "quasi")) &&
	       json_equal(json_object_get(a, "sensitive"),
			  json_object_get(b, "sensitive"));
}

prep_status
prep_classes_state_merge(const json_t *const *states, size_t n,
			 size_t max_classes, prep_classes **out,
			 prep_classes_names *names, size_t *bad,
			 const char **why)
{
	struct reader r;
	const json_t *first = NULL;
	size_t i, j, *qi = NULL;
	prep_status st;

	*out = NULL;
	*bad = 0;
	*why = NULL;
	memset(names, 0, sizeof *names);
	memset(&r, 0, sizeof r);
	if (max_classes == 0)
		max_classes = PREP_CLASSES_DEFAULT_MAX;
	for (i = 0; i < n; i++) {
		*bad = i;
		if ((*why = check_members(states[i])) != NULL)
			return PREP_ERR_VALUE;
		if (json_is_null(json_object_get(states[i], "quasi")))
			continue;
		if (first == NULL)
			first = states[i];
		else if (!same_columns(first, states[i])) {
			*why = "made from input with other columns than the "
			       "first (other quasi-identifier or sensitive "
			       "names)";
			return PREP_ERR_VALUE;
		}
	}
	*bad = 0;
	if (first != NULL && read_names(first, names, why) != 0) {
		prep_classes_names_free(names);
		return *why && strcmp(*why, "out of memory") == 0
			   ? PREP_ERR_NOMEM
			   : PREP_ERR_VALUE;
	}
	r.nqi = names->nqi;
	r.sens = names->sensitive.data != NULL;
	qi = malloc((r.nqi ? r.nqi : 1) * sizeof *qi);
	r.key = calloc(r.nqi ? r.nqi : 1, sizeof *r.key);
	r.own = calloc(r.nqi ? r.nqi : 1, sizeof *r.own);
	st = PREP_ERR_NOMEM;
	if (!qi || !r.key || !r.own)
		goto out;
	for (j = 0; j < r.nqi; j++)
		qi[j] = j;
	st = prep_classes_new(qi, r.nqi, r.sens ? (long)r.nqi : -1, max_classes,
			      &r.c);
	for (i = 0; i < n && st == PREP_OK; i++) {
		*bad = i;
		st = read_state(&r, states[i], max_classes);
		if (st == PREP_ERR_VALUE)
			*why = r.why;
	}
	if (st == PREP_OK)
		st = prep_classes_canonical(r.c, out);
out:
	prep_classes_free(r.c);
	free(qi);
	free(r.key);
	free(r.own);
	if (st != PREP_OK)
		prep_classes_names_free(names);
	return st;
}

/* ---- the canonical order ---- */

prep_status
prep_classes_canonical(prep_classes *c, prep_classes **out)
{
	size_t n = prep_classes_count(c), nv = prep_classes_values(c);
	size_t nqi = prep_classes_nqi(c), i, j, k, *order = NULL, *rank = NULL;
	prep_field *key = calloc(nqi ? nqi : 1, sizeof *key);
	prep_class_count *work = malloc((nv ? nv : 1) * sizeof *work);
	prep_field *by_rank = malloc((nv ? nv : 1) * sizeof *by_rank);
	long si = prep_classes_sensitive(c);
	const prep_class_count *d;
	prep_status st = PREP_ERR_NOMEM;

	*out = NULL;
	if (!key || !work || !by_rank)
		goto out;
	if ((st = sort_table(c, &order, &rank)) != PREP_OK)
		goto out;
	for (i = 0; i < nv; i++)
		by_rank[rank[i]] = prep_classes_value(c, i);
	/* the copy reads rows as c does */
	st = prep_classes_new(prep_classes_qi(c), nqi, si, prep_classes_max(c),
			      out);
	for (i = 0; i < n && st == PREP_OK; i++) {
		size_t id = order[i];
		prep_field kb = prep_classes_key_bytes(c, id);
		const unsigned char *p = (const unsigned char *)kb.data;

		for (j = 0; j < nqi; j++)
			key[j] = prep_tuple_next(&p);
		if (si < 0) {
			st = prep_classes_add_key(
			    *out, key, NULL, prep_classes_size(c, id), NULL);
			continue;
		}
		if ((st = prep_classes_dist(c, id, &d, &k)) != PREP_OK)
			break;
		for (j = 0; j < k; j++) {
			work[j].value = rank[d[j].value];
			work[j].count = d[j].count;
		}
		qsort(work, k, sizeof *work, by_value_id);
		for (j = 0; j < k && st == PREP_OK; j++)
			st = prep_classes_add_key(*out, key,
						  &by_rank[work[j].value],
						  work[j].count, NULL);
	}
out:
	if (st != PREP_OK) {
		prep_classes_free(*out);
		*out = NULL;
	}
	free(order);
	free(rank);
	free(key);
	free(work);
	free(by_rank);
	return st;
}
