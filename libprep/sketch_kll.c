/*
 * sketch_kll.c: the KLL quantile sketch of sketch_kll.h (Karnin, Lang and
 * Liberty, FOCS 2016, lazy variant with capacities max(8, k (2/3)^d)).
 *
 * Layout: the items are one array of C(L) doubles, the levels packed at
 * its end in order, level 0 lowest in memory: level h is
 * items[lvl[h] .. lvl[h+1]), lvl[L] = C(L), and the free room is
 * items[0 .. lvl[0]). A new item goes to items[--lvl[0]]; a compaction of
 * level h moves half of it into level h+1 in place and shifts the levels
 * below up by the room it made, so the array never holds more than the
 * items and never needs a second buffer (a merge builds its union in a new
 * array and swaps it in only when all went well).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "memcap.h"
#include "noise.h"
#include "sketch_kll.h"

/* n <= 2^62 and n >= k 2^(L-2) >= 2^(L+1) keep L at most 61. */
#define MAX_LEVELS 61
#define MIN_CAP 8
/* The largest magnitude of a JSON integer read as an item: 2^53. */
#define EXACT_INT 9007199254740992LL

struct prep_kll {
	uint32_t k;
	unsigned nlevels;	    /* L >= 1 */
	uint64_t n;		    /* items added */
	double min, max;	    /* NaN while empty */
	double *items;		    /* room for cap = C(L) items */
	size_t cap;		    /* memcap.h charged 8 cap bytes */
	size_t lvl[MAX_LEVELS + 1]; /* level h: [lvl[h], lvl[h+1]) */
	prep_rng *rng; /* made at the first coin: most sketches never toss */
	uint64_t seed;
	uint64_t stream; /* ... of the seed's generator (prep_rng_seek) */
	uint64_t coins;	 /* random bits not yet used */
	unsigned ncoins;
};

/* The nominal capacity at depth d: max(8, ceil(k 2^d / 3^d)), exactly. */
static size_t
depth_cap(uint32_t k, unsigned d)
{
	uint64_t num = k, den = 1, c;
	unsigned i;

	/* k (2/3)^23 < 65536 * 8.9e-5 < 6: the floor of 8 from there on */
	if (d > 22)
		return MIN_CAP;
	for (i = 0; i < d; i++) {
		num *= 2; /* <= 65535 * 2^22 */
		den *= 3; /* <= 3^22 */
	}
	c = (num + den - 1) / den;
	return c < MIN_CAP ? MIN_CAP : (size_t)c;
}

/* C(L): the sum of the capacities of L levels. */
static size_t
total_cap(uint32_t k, unsigned nlevels)
{
	size_t c = 0;
	unsigned d;

	for (d = 0; d < nlevels; d++)
		c += depth_cap(k, d);
	return c;
}

static size_t
level_size(const size_t *lvl, unsigned h)
{
	return lvl[h + 1] - lvl[h];
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Make sure one coin is ready, without using it. */
static prep_status
coin_ready(prep_kll *s)
{
	prep_status st;

	if (s->rng == NULL) {
		if ((st = prep_rng_new_seeded(s->seed, &s->rng)) != PREP_OK)
			return st;
		if (s->stream != 0 &&
		    (st = prep_rng_seek(s->rng, s->stream)) != PREP_OK) {
			prep_rng_free(s->rng);
			s->rng = NULL;
			return st;
		}
	}
	if (s->ncoins == 0) {
		if ((st = prep_rng_u64(s->rng, &s->coins)) != PREP_OK)
			return st;
		s->ncoins = 64;
	}
	return PREP_OK;
}

static unsigned
coin_take(prep_kll *s)
{
	unsigned bit = (unsigned)(s->coins & 1);

	s->coins >>= 1;
	s->ncoins--;
	return bit;
}

/*
 * The lowest level holding at least its nominal capacity, among nlevels;
 * there is one whenever the levels hold C(L) items or more.
 */
static unsigned
level_to_compact(uint32_t k, const size_t *lvl, unsigned nlevels)
{
	unsigned h;

	for (h = 0; h + 1 < nlevels; h++)
		if (level_size(lvl, h) >= depth_cap(k, nlevels - 1 - h))
			break;
	return h;
}

/*
 * Compact level h (h+1 exists) in place: sort it when it is level 0, keep
 * its largest item when its count s is odd, and of the pairs
 * (x[0], x[1]), (x[2], x[3]), ... move x[2i + bit] into level h+1, merged
 * with its sorted items. The j = s/2 items moved end up in level h+1,
 * which then starts j earlier; the levels below move up by j.
 *
 * Why nothing is overwritten before it is read: the chosen items are
 * first packed into x[0..j) (reading at 2i + bit >= i); the merged level
 * h+1 is written forward from lvl[h+1] - j, which is past x[0..j) since
 * s >= 2j, and after w items are written, the next write is at
 * lvl[h+1] - j + w, never past the next unread item of h+1 (at
 * lvl[h+1] + the items of h+1 taken, with w <= j + that); the odd item,
 * the one place the output reaches over, is saved first.
 */
static void
compact(double *items, size_t *lvl, unsigned h, unsigned bit)
{
	size_t a = lvl[h], b = lvl[h + 1], e = lvl[h + 2];
	size_t s = b - a, j = s / 2, i, ia, ib, w;
	double odd = 0;

	if (h == 0)
		qsort(items + a, s, sizeof *items, cmp_double);
	if (s % 2)
		odd = items[b - 1];
	for (i = 0; i < j; i++)
		items[a + i] = items[a + 2 * i + bit];
	ia = a;
	ib = b;
	w = b - j;
	while (ia < a + j) {
		if (ib < e && items[ib] < items[ia])
			items[w++] = items[ib++];
		else
			items[w++] = items[ia++];
	}
	/* what is left of level h+1 is in place already */
	lvl[h + 1] = b - j;
	if (s % 2)
		items[b - j - 1] = odd;
	memmove(items + lvl[0] + j, items + lvl[0],
		(a - lvl[0]) * sizeof *items);
	for (i = 0; i <= h; i++)
		lvl[i] += j;
}

/* One more level on top: the array grows by its capacity, items move up. */
static prep_status
add_level(prep_kll *s)
{
	size_t more, i;
	double *p;
	prep_status st;

	if (s->nlevels >= MAX_LEVELS)
		return PREP_ERR_LIMIT;
	more = depth_cap(s->k, s->nlevels);
	p = prep_memcap_realloc(s->items, s->cap * sizeof *p,
				(s->cap + more) * sizeof *p, &st);
	if (p == NULL)
		return st;
	s->items = p;
	memmove(p + s->lvl[0] + more, p + s->lvl[0],
		(s->cap - s->lvl[0]) * sizeof *p);
	for (i = 0; i <= s->nlevels; i++)
		s->lvl[i] += more;
	s->cap += more;
	s->nlevels++;
	s->lvl[s->nlevels] = s->cap;
	return PREP_OK;
}

prep_status
prep_kll_new(uint32_t k, uint64_t seed, prep_kll **out)
{
	return prep_kll_new_stream(k, seed, 0, out);
}

prep_status
prep_kll_new_stream(uint32_t k, uint64_t seed, uint64_t stream, prep_kll **out)
{
	prep_kll *s;
	prep_status st;

	*out = NULL;
	if (k < PREP_KLL_MIN_K || k > PREP_KLL_MAX_K)
		return PREP_ERR_ARG;
	if ((s = calloc(1, sizeof *s)) == NULL)
		return PREP_ERR_NOMEM;
	s->k = k;
	s->nlevels = 1;
	s->min = s->max = NAN;
	s->cap = depth_cap(k, 0);
	s->items = prep_memcap_calloc(s->cap, sizeof *s->items, &st);
	if (s->items == NULL) {
		free(s);
		return st != PREP_OK ? st : PREP_ERR_NOMEM;
	}
	s->lvl[0] = s->lvl[1] = s->cap;
	s->seed = seed;
	s->stream = stream;
	*out = s;
	return PREP_OK;
}

void
prep_kll_free(prep_kll *s)
{
	if (s == NULL)
		return;
	prep_memcap_free(s->items, s->cap * sizeof *s->items);
	prep_rng_free(s->rng);
	free(s);
}

prep_status
prep_kll_add(prep_kll *s, double v)
{
	unsigned h;
	prep_status st;

	if (!isfinite(v))
		return PREP_ERR_ARG;
	if (s->n >= PREP_KLL_MAX_N)
		return PREP_ERR_LIMIT;
	if (v == 0)
		v = 0; /* -0.0 as +0.0 */
	if (s->lvl[0] == 0) {
		/* full: C(L) items */
		h = level_to_compact(s->k, s->lvl, s->nlevels);
		if ((st = coin_ready(s)) != PREP_OK)
			return st;
		if (h == s->nlevels - 1 && (st = add_level(s)) != PREP_OK)
			return st;
		compact(s->items, s->lvl, h, coin_take(s));
	}
	s->items[--s->lvl[0]] = v;
	if (s->n == 0 || v < s->min)
		s->min = v;
	if (s->n == 0 || v > s->max)
		s->max = v;
	s->n++;
	return PREP_OK;
}

/* a[0..na) and b[0..nb), both ascending, into o, ascending. */
static void
merge_sorted(const double *a, size_t na, const double *b, size_t nb, double *o)
{
	size_t i = 0, j = 0;

	while (i < na && j < nb)
		*o++ = b[j] < a[i] ? b[j++] : a[i++];
	while (i < na)
		*o++ = a[i++];
	while (j < nb)
		*o++ = b[j++];
}

prep_status
prep_kll_merge(prep_kll *into, const prep_kll *from)
{
	unsigned nlevels, h;
	size_t lvl[MAX_LEVELS + 1] = {0}, total, room, end, na, nb, cap;
	double *u, *items;
	prep_status st;

	if (into->k != from->k)
		return PREP_ERR_ARG;
	if (from->n == 0)
		return PREP_OK;
	if (from->n > PREP_KLL_MAX_N - into->n)
		return PREP_ERR_LIMIT;
	nlevels = into->nlevels > from->nlevels ? into->nlevels : from->nlevels;
	total = (into->cap - into->lvl[0]) + (from->cap - from->lvl[0]);
	cap = total_cap(into->k, nlevels);
	room = total > cap ? total : cap;
	if ((u = prep_memcap_calloc(room, sizeof *u, &st)) == NULL)
		return st;
	/* the union, level by level from the top, packed at the end */
	end = room;
	for (h = nlevels; h-- > 0;) {
		na = h < into->nlevels ? level_size(into->lvl, h) : 0;
		nb = h < from->nlevels ? level_size(from->lvl, h) : 0;
		end -= na + nb;
		lvl[h] = end;
		if (h == 0) {
			if (na)
				memcpy(u + end, into->items + into->lvl[0],
				       na * sizeof *u);
			if (nb)
				memcpy(u + end + na, from->items + from->lvl[0],
				       nb * sizeof *u);
		} else {
			merge_sorted(na ? into->items + into->lvl[h] : NULL, na,
				     nb ? from->items + from->lvl[h] : NULL, nb,
				     u + end);
		}
	}
	lvl[nlevels] = room;
	/* compact until the items fit C(L) (which grows with L) */
	while (total > cap) {
		h = level_to_compact(into->k, lvl, nlevels);
		if (h == nlevels - 1) {
			if (nlevels >= MAX_LEVELS) {
				st = PREP_ERR_LIMIT;
				goto fail;
			}
			lvl[nlevels + 1] = lvl[nlevels];
			nlevels++;
			cap = total_cap(into->k, nlevels);
		}
		if ((st = coin_ready(into)) != PREP_OK)
			goto fail;
		total -= level_size(lvl, h) / 2;
		compact(u, lvl, h, coin_take(into));
	}
	/* into the array of exactly C(L) */
	if ((items = prep_memcap_calloc(cap, sizeof *items, &st)) == NULL)
		goto fail;
	memcpy(items + cap - total, u + room - total, total * sizeof *u);
	prep_memcap_free(u, room * sizeof *u);
	for (h = 0; h <= nlevels; h++)
		lvl[h] = lvl[h] - room + cap;
	if (from->min < into->min || into->n == 0)
		into->min = from->min;
	if (from->max > into->max || into->n == 0)
		into->max = from->max;
	into->n += from->n;
	prep_memcap_free(into->items, into->cap * sizeof *into->items);
	into->items = items;
	into->cap = cap;
	into->nlevels = nlevels;
	memcpy(into->lvl, lvl, (nlevels + 1) * sizeof *lvl);
	return PREP_OK;
fail:
	prep_memcap_free(u, room * sizeof *u);
	return st;
}

uint64_t
prep_kll_count(const prep_kll *s)
{
	return s->n;
}

uint32_t
prep_kll_k(const prep_kll *s)
{
	return s->k;
}

size_t
prep_kll_retained(const prep_kll *s)
{
	return s->cap - s->lvl[0];
}

size_t
prep_kll_levels(const prep_kll *s)
{
	return s->nlevels;
}

double
prep_kll_min(const prep_kll *s)
{
	return s->n ? s->min : NAN;
}

double
prep_kll_max(const prep_kll *s)
{
	return s->n ? s->max : NAN;
}

/*
 * DataSketches' fits to the 99th percentile of the maximum rank error of
 * its KLL sketch (KllSketch.getNormalizedRankError(k, pmf)).
 */
double
prep_kll_rank_error(const prep_kll *s)
{
	return s->nlevels > 1 ? 2.296 / pow(s->k, 0.9723) : 0;
}

double
prep_kll_pmf_error(const prep_kll *s)
{
	return s->nlevels > 1 ? 2.446 / pow(s->k, 0.9433) : 0;
}

double
prep_kll_rank(const prep_kll *s, double v)
{
	uint64_t w = 0, c;
	unsigned h;
	size_t i;

	if (s->n == 0 || isnan(v))
		return NAN;
	if (v < s->min)
		return 0;
	if (v >= s->max)
		return 1;
	for (h = 0; h < s->nlevels; h++) {
		c = 0;
		for (i = s->lvl[h]; i < s->lvl[h + 1]; i++)
			c += s->items[i] <= v;
		w += c << h;
	}
	return (double)w / (double)s->n;
}

struct weighted {
	double v;
	uint64_t w;
};

static int
cmp_weighted(const void *a, const void *b)
{
	return cmp_double(&((const struct weighted *)a)->v,
			  &((const struct weighted *)b)->v);
}

/*
 * The retained items with their weights, sorted, equal values combined,
 * in *out (memcap.h: free with prep_memcap_free(*out, *room * size)).
 */
static prep_status
sorted_view(const prep_kll *s, struct weighted **out, size_t *n, size_t *room)
{
	size_t total = s->cap - s->lvl[0], i, m = 0;
	struct weighted *p;
	unsigned h;
	prep_status st;

	*out = NULL;
	*n = *room = 0;
	if (total == 0)
		return PREP_OK;
	if ((p = prep_memcap_calloc(total, sizeof *p, &st)) == NULL)
		return st;
	for (h = 0; h < s->nlevels; h++)
		for (i = s->lvl[h]; i < s->lvl[h + 1]; i++) {
			p[m].v = s->items[i];
			p[m++].w = (uint64_t)1 << h;
		}
	qsort(p, total, sizeof *p, cmp_weighted);
	for (i = 1, m = 0; i < total; i++) {
		if (p[i].v == p[m].v)
			p[m].w += p[i].w;
		else
			p[++m] = p[i];
	}
	*out = p;
	*n = m + 1;
	*room = total;
	return PREP_OK;
}

prep_status
prep_kll_quantile(const prep_kll *s, double q, double *v)
{
	struct weighted *p;
	size_t n, room, i;
	uint64_t cum = 0;
	prep_status st;

	if (!(q >= 0 && q <= 1))
		return PREP_ERR_ARG;
	if (s->n == 0)
		return PREP_ERR_RANGE;
	if (q == 0 || q == 1) {
		*v = q == 0 ? s->min : s->max;
		return PREP_OK;
	}
	if ((st = sorted_view(s, &p, &n, &room)) != PREP_OK)
		return st;
	/*
	 * cum / n >= q rather than cum >= q n: the division rounds the
	 * same fraction as the q the caller wrote (0.3 of 10 items: the
	 * 3rd, where 0.3 * 10 = 3.0000000000000004 would give the 4th)
	 */
	for (i = 0; i + 1 < n; i++) {
		cum += p[i].w;
		if ((double)cum / (double)s->n >= q)
			break;
	}
	*v = p[i].v;
	prep_memcap_free(p, room * sizeof *p);
	return PREP_OK;
}

prep_status
prep_kll_sorted(const prep_kll *s, double **value, uint64_t **weight, size_t *n)
{
	struct weighted *p;
	size_t m, room, i;
	double *v;
	uint64_t *w;
	prep_status st;

	*value = NULL;
	*weight = NULL;
	*n = 0;
	if ((st = sorted_view(s, &p, &m, &room)) != PREP_OK)
		return st;
	if (m == 0)
		return PREP_OK;
	v = malloc(m * sizeof *v);
	w = malloc(m * sizeof *w);
	if (v == NULL || w == NULL) {
		free(v);
		free(w);
		prep_memcap_free(p, room * sizeof *p);
		return PREP_ERR_NOMEM;
	}
	for (i = 0; i < m; i++) {
		v[i] = p[i].v;
		w[i] = p[i].w;
	}
	prep_memcap_free(p, room * sizeof *p);
	*value = v;
	*weight = w;
	*n = m;
	return PREP_OK;
}

/* a[0..n) as a JSON array of numbers; NULL when out of memory. */
static json_t *
json_items(const double *a, size_t n)
{
	json_t *arr = json_array();
	int ok = arr != NULL;
	size_t i;

	for (i = 0; i < n && ok; i++)
		prep_json_append(arr, prep_json_number(a[i]), &ok);
	if (!ok) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

json_t *
prep_kll_to_json(const prep_kll *s)
{
	json_t *o = json_object(), *levels = json_array();
	size_t n0 = level_size(s->lvl, 0);
	double *sorted0 = NULL;
	int ok = o != NULL && levels != NULL;
	unsigned h;

	/* level 0 sorted: its order is no part of the state */
	if (ok && n0 && (sorted0 = malloc(n0 * sizeof *sorted0)) == NULL)
		ok = 0;
	if (ok && n0) {
		memcpy(sorted0, s->items + s->lvl[0], n0 * sizeof *sorted0);
		qsort(sorted0, n0, sizeof *sorted0, cmp_double);
	}
	for (h = 0; h < s->nlevels && ok; h++)
		prep_json_append(levels,
				 h == 0 ? json_items(sorted0, n0)
					: json_items(s->items + s->lvl[h],
						     level_size(s->lvl, h)),
				 &ok);
	free(sorted0);
	prep_json_set(o, "k", json_integer((json_int_t)s->k), &ok);
	prep_json_set(o, "n", json_integer((json_int_t)s->n), &ok);
	prep_json_set(o, "min", prep_json_number(prep_kll_min(s)), &ok);
	prep_json_set(o, "max", prep_json_number(prep_kll_max(s)), &ok);
	prep_json_set(o, "levels", levels, &ok);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* A JSON number as an exact double: 0, or -1 when it isn't one. */
static int
json_double(const json_t *j, double *v)
{
	json_int_t i;

	if (json_is_integer(j)) {
		i = json_integer_value(j);
		if (i > EXACT_INT || i < -EXACT_INT)
			return -1;
		*v = (double)i;
	} else if (json_is_real(j)) {
		*v = json_real_value(j);
		if (!isfinite(*v))
			return -1;
	} else {
		return -1;
	}
	if (*v == 0)
		*v = 0; /* -0.0 as +0.0 */
	return 0;
}

/*
 * The shape and fields of the object, before any item is read: *k, *n,
 * *min, *max (NaN when null), the levels array. NULL or the reason.
 */
static const char *
check_fields(const json_t *j, uint64_t *k, uint64_t *n, double *min,
	     double *max, const json_t **levels)
{
	const json_t *v;

	if (!json_is_object(j))
		return "not an object";
	if ((v = json_object_get(j, "k")) == NULL)
		return "k missing";
	if (prep_json_uint(v, PREP_KLL_MIN_K, PREP_KLL_MAX_K, k) != 0)
		return "k not an integer in [8, 65535]";
	if ((v = json_object_get(j, "n")) == NULL)
		return "n missing";
	if (prep_json_uint(v, 0, PREP_KLL_MAX_N, n) != 0)
		return "n not an integer in [0, 2^62]";
	if ((v = json_object_get(j, "min")) == NULL)
		return "min missing";
	if (json_is_null(v))
		*min = NAN;
	else if (json_double(v, min) != 0)
		return "min not an exact finite number";
	if ((v = json_object_get(j, "max")) == NULL)
		return "max missing";
	if (json_is_null(v))
		*max = NAN;
	else if (json_double(v, max) != 0)
		return "max not an exact finite number";
	if (*n == 0 && !(isnan(*min) && isnan(*max)))
		return "min or max of an empty sketch not null";
	if (*n > 0 && (isnan(*min) || isnan(*max)))
		return "min or max null";
	if (*n > 0 && *min > *max)
		return "min above max";
	if ((*levels = json_object_get(j, "levels")) == NULL)
		return "levels missing";
	/* the five fields are there: any other key is one too many */
	if (json_object_size(j) != 5)
		return "unknown field";
	if (!json_is_array(*levels))
		return "levels not an array";
	if (json_array_size(*levels) < 1)
		return "no level";
	if (json_array_size(*levels) > MAX_LEVELS)
		return "too many levels";
	return NULL;
}

/*
 * The counts of the levels against n and the capacities: NULL or the
 * reason.
 */
static const char *
check_counts(const json_t *levels, uint32_t k, uint64_t n)
{
	unsigned nlevels = (unsigned)json_array_size(levels), h;
	size_t total = 0, cap = total_cap(k, nlevels), c;
	uint64_t w = 0;
	const json_t *l = NULL;

	for (h = 0; h < nlevels; h++) {
		l = json_array_get(levels, h);
		if (!json_is_array(l))
			return "level not an array";
		c = json_array_size(l);
		if (c > cap - total)
			return "more items than the capacity";
		total += c;
		/* c < 2^18 and w <= 2^62: no overflow */
		if (c > (PREP_KLL_MAX_N >> h) || (uint64_t)c << h > n - w)
			return "weights do not sum to n";
		w += (uint64_t)c << h;
	}
	if (w != n)
		return "weights do not sum to n";
	if (nlevels > 1 && json_array_size(l) == 0)
		return "empty top level";
	if (nlevels > 1 && (n >> (nlevels - 2)) < k)
		return "more levels than n allows";
	return NULL;
}

prep_status
prep_kll_from_json(const json_t *j, uint64_t seed, prep_kll **out,
		   const char **why)
{
	const json_t *levels, *l;
	const char *bad;
	uint64_t k = 0, n = 0;
	double min = NAN, max = NAN, x, prev = 0;
	prep_kll *s;
	unsigned nlevels, h;
	size_t i, c, cap, end;
	double *p;
	prep_status st;

	*out = NULL;
	if (why)
		*why = NULL;
	if ((bad = check_fields(j, &k, &n, &min, &max, &levels)) == NULL)
		bad = check_counts(levels, (uint32_t)k, n);
	if (bad) {
		if (why)
			*why = bad;
		return PREP_ERR_VALUE;
	}
	if ((st = prep_kll_new((uint32_t)k, seed, &s)) != PREP_OK)
		return st;
	nlevels = (unsigned)json_array_size(levels);
	cap = total_cap(s->k, nlevels);
	p = prep_memcap_realloc(s->items, s->cap * sizeof *p, cap * sizeof *p,
				&st);
	if (p == NULL) {
		prep_kll_free(s);
		return st;
	}
	s->items = p;
	s->cap = cap;
	s->nlevels = nlevels;
	s->n = n;
	s->min = min;
	s->max = max;
	end = cap;
	s->lvl[nlevels] = cap;
	for (h = nlevels; h-- > 0;) {
		l = json_array_get(levels, h);
		c = json_array_size(l);
		end -= c;
		s->lvl[h] = end;
		for (i = 0; i < c; i++) {
			if (json_double(json_array_get(l, i), &x) != 0) {
				bad = "item not an exact finite number";
				goto fail;
			}
			if (i > 0 && x < prev) {
				bad = "level not ascending";
				goto fail;
			}
			if (x < min || x > max) {
				bad = "item outside min..max";
				goto fail;
			}
			p[end + i] = prev = x;
		}
	}
	/* nothing compacted: min and max are items */
	if (nlevels == 1 && n > 0 &&
	    (p[s->lvl[0]] != min || p[cap - 1] != max)) {
		bad = "min or max not an item of an exact sketch";
		goto fail;
	}
	*out = s;
	return PREP_OK;
fail:
	prep_kll_free(s);
	if (why)
		*why = bad;
	return PREP_ERR_VALUE;
}
