/*
 * oversample.c: the class table, the plan and the new rows of
 * oversample (see oversample.h for the methods and their references).
 *
 * Relies on strset.c (classes, and the values SMOTE copies), buf.c (every
 * per-class array is a capped prep_buf), noise.c (random draws) and
 * generalize.c / aggregate.c (reading and writing numbers).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "classes.h"
#include "memcap.h"
#include "oversample.h"
#include "par.h"
#include "strset.h"
#include "text.h"

#define KD_LEAF 16		    /* rows in a k-d tree leaf, at most */
#define MAX_CLASS_ROWS 0xfffffffeU  /* row indexes of a class are 32-bit */
#define ARRAY_MAX ((size_t)1 << 40) /* cap of each per-class array */

struct kdnode {
	uint32_t lo, hi;      /* its rows: idx[lo..hi) */
	uint32_t left, right; /* children; 0: a leaf */
	uint32_t dim;
	double split;
};

struct ocls {
	uint64_t n;
	uint64_t need;
	prep_where first;
	uint64_t first_place; /* prep_oversample_add_at: its first row's */
	prep_buf runs;	      /* ... its rows by piece: struct run */
	prep_buf loc;	      /* random: (offset, length) pairs, uint64_t */
	prep_buf feat;	      /* SMOTE: n x nfeat doubles */
	prep_buf cat;	      /* SMOTE: n x ncat uint32_t value ids */
	/* SMOTE, after the plan, for a class that gets rows */
	uint32_t *idx;
	struct kdnode *kd;
	size_t nkd;
	uint32_t *nn;	     /* n x k neighbours */
	unsigned char *have; /* per row: nn computed */
};

/* A class's rows of one piece, in a thread's table (add_at). */
struct run {
	uint32_t piece, n;
};

/* A merged table's rows, still in the threads' tables (merge, plan). */
struct merged {
	prep_oversample **parts;
	size_t nparts;
	size_t **cls;	 /* per part: its class ids to the table's */
	uint32_t ***val; /* SMOTE: per part, per non-feature column: its
			    value ids to the table's */
	uint64_t *piece_off;
	size_t npieces;
	uint64_t lead;
	uint64_t lead_piece;
};

struct prep_oversample {
	size_t ncols, ngroup, nfeat, ncat, k, max;
	size_t *group;
	size_t *feat;
	size_t *catcol; /* the columns that are not features */
	int *isfeat;	/* per column: index into feat + 1, or 0 */
	int smote;
	int planned;
	prep_strset classes;
	struct ocls *cls;
	size_t ncls_cap;
	prep_strset *vals; /* SMOTE: per non-feature column */
	uint64_t rows;
	uint64_t total_need;
	unsigned char *key;
	size_t keycap;
	/* scratch for one SMOTE row */
	double *x;
	uint32_t *ids;
	prep_field *out;
	char (*num)[48];
	double *hd;    /* heap of distances */
	uint32_t *hi;  /* heap of rows */
	uint32_t *cnt; /* mode: counts per neighbour */
	uint32_t *ties;
	struct merged *m; /* prep_oversample_merge's, until the plan */
};

static void free_merged(prep_oversample *o);

static void
free_search(struct ocls *c)
{
	free(c->idx);
	free(c->kd);
	free(c->nn);
	free(c->have);
	c->idx = NULL;
	c->kd = NULL;
	c->nn = NULL;
	c->have = NULL;
}

/* o and its own tables, all but the merge of parts (a part has none). */
static void
free_tables(prep_oversample *o)
{
	size_t i;

	for (i = 0; i < o->classes.n; i++) {
		prep_buf_free(&o->cls[i].loc);
		prep_buf_free(&o->cls[i].feat);
		prep_buf_free(&o->cls[i].cat);
		prep_buf_free(&o->cls[i].runs);
		free_search(&o->cls[i]);
	}
	prep_memcap_free(o->cls, o->ncls_cap * sizeof *o->cls);
	prep_strset_free(&o->classes);
	if (o->vals)
		for (i = 0; i < o->ncat; i++)
			prep_strset_free(&o->vals[i]);
	free(o->vals);
	free(o->group);
	free(o->feat);
	free(o->catcol);
	free(o->isfeat);
	free(o->key);
	free(o->x);
	free(o->ids);
	free(o->out);
	free(o->num);
	free(o->hd);
	free(o->hi);
	free(o->cnt);
	free(o->ties);
	free(o);
}

void
prep_oversample_free(prep_oversample *o)
{
	if (o == NULL)
		return;
	free_merged(o);
	free_tables(o);
}

prep_status
prep_oversample_new(size_t ncols, const size_t *group, size_t ngroup, int smote,
		    const size_t *feat, size_t nfeat, size_t k, size_t max,
		    prep_oversample **out)
{
	prep_oversample *o;
	size_t i, j;

	*out = NULL;
	if (ngroup == 0 || ncols == 0 || (smote && (k == 0 || k > 1000)))
		return PREP_ERR_ARG;
	for (i = 0; i < ngroup; i++)
		if (group[i] >= ncols)
			return PREP_ERR_ARG;
	if (!smote)
		nfeat = 0;
	for (i = 0; i < nfeat; i++) {
		if (feat[i] >= ncols)
			return PREP_ERR_ARG;
		for (j = 0; j < ngroup; j++)
			if (feat[i] == group[j])
				return PREP_ERR_ARG;
		for (j = 0; j < i; j++)
			if (feat[i] == feat[j])
				return PREP_ERR_ARG;
	}
	if ((o = calloc(1, sizeof *o)) == NULL)
		return PREP_ERR_NOMEM;
	o->ncols = ncols;
	o->ngroup = ngroup;
	o->nfeat = nfeat;
	o->smote = smote;
	o->k = smote ? k : 0;
	o->max = max ? max : PREP_OVERSAMPLE_DEFAULT_MAX;
	prep_strset_init(&o->classes, o->max);
	o->group = malloc(ngroup * sizeof *group);
	o->feat = malloc((nfeat + 1) * sizeof *feat);
	o->isfeat = calloc(ncols, sizeof *o->isfeat);
	o->catcol = malloc(ncols * sizeof *o->catcol);
	if (!o->group || !o->feat || !o->isfeat || !o->catcol)
		goto nomem;
	memcpy(o->group, group, ngroup * sizeof *group);
	if (nfeat)
		memcpy(o->feat, feat, nfeat * sizeof *feat);
	for (i = 0; i < nfeat; i++)
		o->isfeat[feat[i]] = (int)i + 1;
	for (i = 0; i < ncols; i++)
		if (!o->isfeat[i])
			o->catcol[o->ncat++] = i;
	if (smote) {
		o->vals = calloc(o->ncat + 1, sizeof *o->vals);
		o->x = malloc((nfeat + 1) * sizeof *o->x);
		o->ids = malloc((o->ncat + 1) * sizeof *o->ids);
		o->out = malloc(ncols * sizeof *o->out);
		o->num = malloc((nfeat + 1) * sizeof *o->num);
		o->hd = malloc((k + 1) * sizeof *o->hd);
		o->hi = malloc((k + 1) * sizeof *o->hi);
		o->cnt = malloc((k + 1) * sizeof *o->cnt);
		o->ties = malloc((k + 1) * sizeof *o->ties);
		if (!o->vals || !o->x || !o->ids || !o->out || !o->num ||
		    !o->hd || !o->hi || !o->cnt || !o->ties)
			goto nomem;
		for (i = 0; i < o->ncat; i++)
			prep_strset_init(&o->vals[i], o->max);
	}
	*out = o;
	return PREP_OK;
nomem:
	prep_oversample_free(o);
	return PREP_ERR_NOMEM;
}

/* The tuple key of a row's class into o->key; its length. */
static prep_status
class_key(prep_oversample *o, const prep_field *f, size_t *len)
{
	size_t need = 0, i;
	unsigned char *p;

	for (i = 0; i < o->ngroup; i++)
		need += f[i].len + PREP_TUPLE_OVERHEAD;
	if (need > o->keycap) {
		p = realloc(o->key, need);
		if (p == NULL)
			return PREP_ERR_NOMEM;
		o->key = p;
		o->keycap = need;
	}
	p = o->key;
	for (i = 0; i < o->ngroup; i++)
		p = prep_tuple_put(p, &f[i]);
	*len = (size_t)(p - o->key);
	return PREP_OK;
}

/* The class of the fields vals[0..ngroup); add: create it. */
static prep_status
class_id(prep_oversample *o, const prep_field *vals, int add, size_t *id,
	 int *added)
{
	size_t len;
	prep_status st = class_key(o, vals, &len);

	if (st != PREP_OK)
		return st;
	return prep_strset_lookup(&o->classes, o->key, len, add, id, added);
}

/*
 * The class of tuple key[0..len), made if new with where and place as
 * its first row's: *id. PREP_ERR_LIMIT past the cap of classes.
 */
static prep_status
class_of_key(prep_oversample *o, const void *key, size_t len, prep_where where,
	     uint64_t place, size_t *id)
{
	struct ocls *c;
	int added = 0;
	prep_status st;

	st = prep_strset_lookup(&o->classes, key, len, 0, id, NULL);
	if (st != PREP_ERR_NOT_FOUND)
		return st;
	if (o->classes.n >= o->max)
		return PREP_ERR_LIMIT;
	if (o->classes.n == o->ncls_cap) {
		size_t cap = o->ncls_cap ? 2 * o->ncls_cap : 16;
		struct ocls *p = prep_memcap_realloc(
		    o->cls, o->ncls_cap * sizeof *p, cap * sizeof *p, &st);

		if (p == NULL)
			return st;
		o->cls = p;
		o->ncls_cap = cap;
	}
	st = prep_strset_lookup(&o->classes, key, len, 1, id, &added);
	if (st == PREP_OK && added) {
		c = &o->cls[*id];
		memset(c, 0, sizeof *c);
		c->first = where;
		c->first_place = place;
		prep_buf_init(&c->loc, ARRAY_MAX);
		prep_buf_init(&c->feat, ARRAY_MAX);
		prep_buf_init(&c->cat, ARRAY_MAX);
		prep_buf_init(&c->runs, ARRAY_MAX);
	}
	return st;
}

/* Note a row of piece in c's runs (add_at). */
static prep_status
note_run(struct ocls *c, uint64_t piece)
{
	struct run *last =
	    c->runs.len ? (struct run *)(void *)(c->runs.data + c->runs.len) - 1
			: NULL;
	struct run r = {(uint32_t)piece, 1};

	if (last && last->piece == r.piece) {
		last->n++;
		return PREP_OK;
	}
	return prep_buf_append(&c->runs, &r, sizeof r);
}

/* prep_oversample_add, and with runs, add_at's. */
static prep_status
add_row(prep_oversample *o, const prep_field *row, uint64_t off, uint64_t len,
	prep_where where, uint64_t place, int runs, size_t *badcol)
{
	prep_field gv[64], *g = gv;
	struct ocls *c;
	size_t id, i, klen, flen = 0, clen = 0;
	prep_status st;
	double *xv = o->x;
	uint32_t *iv = o->ids;

	if (o->planned || o->m)
		return PREP_ERR_ARG;
	/* read the features first: a refused row changes nothing */
	for (i = 0; i < o->nfeat; i++) {
		const prep_field *f = &row[o->feat[i]];

		if (prep_parse_number(f->data, f->len, &xv[i]) != PREP_OK ||
		    !isfinite(xv[i])) {
			if (badcol)
				*badcol = o->feat[i];
			return PREP_ERR_VALUE;
		}
	}
	if (o->ngroup > 64 && (g = malloc(o->ngroup * sizeof *g)) == NULL)
		return PREP_ERR_NOMEM;
	for (i = 0; i < o->ngroup; i++)
		g[i] = row[o->group[i]];
	st = class_key(o, g, &klen);
	if (g != gv)
		free(g);
	if (st == PREP_OK)
		st = class_of_key(o, o->key, klen, where, place, &id);
	if (st != PREP_OK)
		return st;
	c = &o->cls[id];
	if (c->n >= MAX_CLASS_ROWS)
		return PREP_ERR_LIMIT;
	if (!o->smote) {
		uint64_t pair[2] = {off, len};

		st = prep_buf_append(&c->loc, pair, sizeof pair);
	} else {
		/* values first: a new value that fails leaves a harmless id */
		for (i = 0; i < o->ncat; i++) {
			const prep_field *f = &row[o->catcol[i]];
			size_t v;

			st = prep_strset_lookup(&o->vals[i], f->data, f->len, 1,
						&v, NULL);
			if (st != PREP_OK)
				return st;
			iv[i] = (uint32_t)v;
		}
		flen = c->feat.len;
		clen = c->cat.len;
		st = prep_buf_append(&c->feat, xv, o->nfeat * sizeof *xv);
		if (st == PREP_OK)
			st = prep_buf_append(&c->cat, iv, o->ncat * sizeof *iv);
	}
	if (st == PREP_OK && runs)
		st = note_run(c, place >> 32);
	if (st != PREP_OK) {
		/* as it was: the row's bytes dropped */
		if (!o->smote)
			c->loc.len = (size_t)c->n * 2 * sizeof(uint64_t);
		c->feat.len = flen;
		c->cat.len = clen;
		return st;
	}
	c->n++;
	o->rows++;
	return PREP_OK;
}

prep_status
prep_oversample_add(prep_oversample *o, const prep_field *row, uint64_t off,
		    uint64_t len, prep_where where, size_t *badcol)
{
	return add_row(o, row, off, len, where, 0, 0, badcol);
}

prep_status
prep_oversample_add_at(prep_oversample *o, const prep_field *row, uint64_t off,
		       uint64_t len, prep_where where, uint64_t place,
		       size_t *badcol)
{
	return add_row(o, row, off, len, where, place, 1, badcol);
}

uint64_t
prep_oversample_rows(const prep_oversample *o)
{
	return o->rows;
}

size_t
prep_oversample_classes(const prep_oversample *o)
{
	return o->classes.n;
}

uint64_t
prep_oversample_count(const prep_oversample *o, size_t c)
{
	return c < o->classes.n ? o->cls[c].n : 0;
}

prep_where
prep_oversample_first(const prep_oversample *o, size_t c)
{
	prep_where w = {NULL, 0, 0};

	return c < o->classes.n ? o->cls[c].first : w;
}

prep_field
prep_oversample_class_field(const prep_oversample *o, size_t c, size_t i)
{
	prep_field key = prep_strset_key(&o->classes, c), f = {"", 0};
	const unsigned char *p = (const unsigned char *)key.data;
	size_t j;

	if (c >= o->classes.n || i >= o->ngroup)
		return f;
	for (j = 0; j <= i; j++)
		f = prep_tuple_next(&p);
	return f;
}

prep_status
prep_oversample_find(const prep_oversample *o, const prep_field *vals,
		     size_t *c)
{
	/* the key buffer is scratch: the table is logically unchanged */
	return class_id((prep_oversample *)o, vals, 0, c, NULL);
}

uint64_t
prep_oversample_need(const prep_oversample *o, size_t c)
{
	return c < o->classes.n && o->planned ? o->cls[c].need : 0;
}

uint64_t
prep_oversample_total_need(const prep_oversample *o)
{
	return o->planned ? o->total_need : 0;
}

/* ---- the k-d tree ---- */

static double
coord(const struct ocls *c, size_t nfeat, uint32_t row, size_t dim)
{
	return ((const double *)(const void *)
		    c->feat.data)[(size_t)row * nfeat + dim];
}

/*
 * Order idx[lo..hi) so that idx[m] holds the row of the m-th smallest
 * coordinate dim, none greater before it and none smaller after it
 * (Hoare's FIND with a three-way partition, so that runs of equal
 * values cost no more than distinct ones).
 */
static void
select_nth(const struct ocls *c, size_t nfeat, uint32_t *idx, size_t lo,
	   size_t hi, size_t m, size_t dim)
{
	while (hi - lo > 1) {
		double a = coord(c, nfeat, idx[lo], dim);
		double b = coord(c, nfeat, idx[lo + (hi - lo) / 2], dim);
		double d = coord(c, nfeat, idx[hi - 1], dim);
		double p = a < b ? (b < d ? b : (a < d ? d : a))
				 : (a < d ? a : (b < d ? d : b));
		size_t lt = lo, i = lo, gt = hi;

		while (i < gt) {
			double v = coord(c, nfeat, idx[i], dim);
			uint32_t t;

			if (v < p) {
				t = idx[lt];
				idx[lt++] = idx[i];
				idx[i++] = t;
			} else if (v > p) {
				t = idx[--gt];
				idx[gt] = idx[i];
				idx[i] = t;
			} else {
				i++;
			}
		}
		if (m < lt)
			hi = lt;
		else if (m >= gt)
			lo = gt;
		else
			return;
	}
}

/*
 * kd_build and kd_search recurse once per tree level: each level halves
 * hi - lo (a uint32_t), so the tree is at most 32 deep.
 */
/* NOLINTBEGIN(misc-no-recursion) */

/* Build the subtree of idx[lo..hi); its node's index. */
static uint32_t
kd_build(struct ocls *c, size_t nfeat, uint32_t lo, uint32_t hi)
{
	uint32_t me = (uint32_t)c->nkd++, i, m;
	struct kdnode *nd = &c->kd[me];
	size_t d, best = 0;
	double spread = -1;

	nd->lo = lo;
	nd->hi = hi;
	nd->left = nd->right = 0;
	nd->dim = 0;
	nd->split = 0;
	if (hi - lo <= KD_LEAF)
		return me;
	for (d = 0; d < nfeat; d++) {
		double mn = coord(c, nfeat, c->idx[lo], d), mx = mn;

		for (i = lo + 1; i < hi; i++) {
			double v = coord(c, nfeat, c->idx[i], d);

			if (v < mn)
				mn = v;
			if (v > mx)
				mx = v;
		}
		if (mx - mn > spread) {
			spread = mx - mn;
			best = d;
		}
	}
	if (!(spread > 0))
		return me; /* all the same point: a leaf */
	m = lo + (hi - lo) / 2;
	select_nth(c, nfeat, c->idx, lo, hi, m, best);
	c->kd[me].dim = (uint32_t)best;
	c->kd[me].split = coord(c, nfeat, c->idx[m], best);
	c->kd[me].left = kd_build(c, nfeat, lo, m);
	c->kd[me].right = kd_build(c, nfeat, m, hi);
	return me;
}

/* The bounded max-heap of the k best (distance, row) pairs. */
struct heap {
	double *d;
	uint32_t *r;
	size_t n, k;
};

static void
heap_offer(struct heap *h, double d, uint32_t r)
{
	size_t i, j;

	if (h->n < h->k) {
		i = h->n++;
		while (i > 0 && h->d[(i - 1) / 2] < d) {
			h->d[i] = h->d[(i - 1) / 2];
			h->r[i] = h->r[(i - 1) / 2];
			i = (i - 1) / 2;
		}
		h->d[i] = d;
		h->r[i] = r;
		return;
	}
	if (!(d < h->d[0]))
		return;
	i = 0;
	for (;;) {
		j = 2 * i + 1;
		if (j >= h->n)
			break;
		if (j + 1 < h->n && h->d[j + 1] > h->d[j])
			j++;
		if (!(h->d[j] > d))
			break;
		h->d[i] = h->d[j];
		h->r[i] = h->r[j];
		i = j;
	}
	h->d[i] = d;
	h->r[i] = r;
}

static void
kd_search(const struct ocls *c, size_t nfeat, uint32_t node, const double *q,
	  uint32_t self, struct heap *h)
{
	const struct kdnode *nd = &c->kd[node];
	uint32_t i;
	size_t d;

	if (nd->left == 0) {
		for (i = nd->lo; i < nd->hi; i++) {
			uint32_t r = c->idx[i];
			const double *p =
			    (const double *)(const void *)c->feat.data +
			    (size_t)r * nfeat;
			double s = 0;

			if (r == self)
				continue;
			for (d = 0; d < nfeat; d++)
				s += (p[d] - q[d]) * (p[d] - q[d]);
			heap_offer(h, s, r);
		}
		return;
	}
	{
		double diff = q[nd->dim] - nd->split;
		uint32_t near = diff < 0 ? nd->left : nd->right;
		uint32_t far = diff < 0 ? nd->right : nd->left;

		kd_search(c, nfeat, near, q, self, h);
		if (h->n < h->k || diff * diff <= h->d[0])
			kd_search(c, nfeat, far, q, self, h);
	}
}
/* NOLINTEND(misc-no-recursion) */

/* The search structures of a class that gets rows. */
static prep_status
prepare_class(prep_oversample *o, struct ocls *c)
{
	uint32_t i;

	c->nn = malloc((size_t)c->n * o->k * sizeof *c->nn);
	c->have = calloc((size_t)c->n, 1);
	if (!c->nn || !c->have)
		return PREP_ERR_NOMEM;
	if (o->nfeat == 0)
		return PREP_OK;
	c->idx = malloc((size_t)c->n * sizeof *c->idx);
	/* a tree of n rows in leaves of up to KD_LEAF has < 2n/KD_LEAF*2+1
	 * nodes; n + 1 is a safe bound */
	c->kd = malloc(((size_t)c->n + 1) * sizeof *c->kd);
	if (!c->idx || !c->kd)
		return PREP_ERR_NOMEM;
	for (i = 0; i < c->n; i++)
		c->idx[i] = i;
	c->nkd = 0;
	kd_build(c, o->nfeat, 0, (uint32_t)c->n);
	return PREP_OK;
}

/* Sort a finished heap's rows nearest first (k is small). */
static void
heap_sorted(struct heap *h, uint32_t *out)
{
	size_t i, j;

	for (i = 0; i < h->n; i++)
		for (j = i + 1; j < h->n; j++)
			if (h->d[j] < h->d[i] ||
			    (h->d[j] == h->d[i] && h->r[j] < h->r[i])) {
				double td = h->d[i];
				uint32_t tr = h->r[i];

				h->d[i] = h->d[j];
				h->r[i] = h->r[j];
				h->d[j] = td;
				h->r[j] = tr;
			}
	for (i = 0; i < h->n; i++)
		out[i] = h->r[i];
}

/* The k nearest neighbours of row i of class c, computed once. */
static const uint32_t *
neighbours(prep_oversample *o, struct ocls *c, uint32_t i)
{
	uint32_t *nn = c->nn + (size_t)i * o->k;
	struct heap h = {o->hd, o->hi, 0, o->k};

	if (c->have[i])
		return nn;
	if (o->nfeat > 0) {
		const double *q = (const double *)(const void *)c->feat.data +
				  (size_t)i * o->nfeat;

		kd_search(c, o->nfeat, 0, q, i, &h);
	} else {
		/* overlap metric: columns whose values differ */
		const uint32_t *cat =
		    (const uint32_t *)(const void *)c->cat.data;
		const uint32_t *q = cat + (size_t)i * o->ncat;
		uint32_t r;
		size_t d;

		for (r = 0; r < c->n; r++) {
			const uint32_t *p = cat + (size_t)r * o->ncat;
			double s = 0;

			if (r == i)
				continue;
			for (d = 0; d < o->ncat; d++)
				s += p[d] != q[d];
			heap_offer(&h, s, r);
		}
	}
	heap_sorted(&h, nn);
	c->have[i] = 1;
	return nn;
}

/* ---- the merge of the threads' tables (prep_oversample_merge) ---- */

static void
free_merged(prep_oversample *o)
{
	struct merged *m = o->m;
	size_t t, d;

	if (m == NULL)
		return;
	for (t = 0; t < m->nparts; t++) {
		if (m->cls)
			free(m->cls[t]);
		for (d = 0; m->val && m->val[t] && d < o->ncat; d++)
			free(m->val[t][d]);
		if (m->val)
			free(m->val[t]);
		if (m->parts[t])
			free_tables(m->parts[t]);
	}
	free(m->parts);
	free(m->cls);
	free(m->val);
	free(m->piece_off);
	free(m);
	o->m = NULL;
}

/* The classes of the parts into o, in order of first appearance. */
static prep_status
merge_classes(prep_oversample *o, struct merged *m, prep_where *bad,
	      uint64_t *badplace)
{
	prep_par_first *f;
	size_t nf = 0, i, t, id;
	prep_status st = PREP_OK;

	for (t = 0; t < m->nparts; t++)
		nf += m->parts[t]->classes.n;
	if ((f = malloc((nf ? nf : 1) * sizeof *f)) == NULL)
		return PREP_ERR_NOMEM;
	nf = 0;
	for (t = 0; t < m->nparts; t++) {
		size_t n = m->parts[t]->classes.n;

		if ((m->cls[t] = malloc((n ? n : 1) * sizeof **m->cls)) ==
		    NULL) {
			free(f);
			return PREP_ERR_NOMEM;
		}
		for (i = 0; i < n; i++) {
			f[nf].first = m->parts[t]->cls[i].first_place;
			f[nf].part = t;
			f[nf++].id = i;
		}
	}
	qsort(f, nf, sizeof *f, prep_par_first_cmp);
	for (i = 0; i < nf && st == PREP_OK; i++) {
		const prep_oversample *p = m->parts[f[i].part];
		const struct ocls *pc = &p->cls[f[i].id];
		prep_field key = prep_strset_key(&p->classes, f[i].id);

		st = class_of_key(o, key.data, key.len, pc->first,
				  pc->first_place, &id);
		if (st == PREP_ERR_LIMIT) {
			*bad = pc->first;
			*badplace = pc->first_place;
		}
		if (st != PREP_OK)
			break;
		m->cls[f[i].part][f[i].id] = id;
		if (pc->n > MAX_CLASS_ROWS - o->cls[id].n) {
			*bad = pc->first;
			*badplace = pc->first_place;
			st = PREP_ERR_LIMIT;
			break;
		}
		o->cls[id].n += pc->n;
		o->rows += pc->n;
	}
	free(f);
	return st;
}

/* SMOTE: the values of the parts into o's, each part's let go. */
static prep_status
merge_values(prep_oversample *o, struct merged *m)
{
	size_t t, d, v, id;
	prep_status st;

	for (t = 0; t < m->nparts; t++) {
		prep_oversample *p = m->parts[t];

		if ((m->val[t] = calloc(o->ncat + 1, sizeof **m->val)) == NULL)
			return PREP_ERR_NOMEM;
		for (d = 0; d < o->ncat; d++) {
			size_t n = p->vals[d].n;

			if (o->vals[d].n == 0) {
				/* the first part's values as they are: ids
				 * need only tell values apart (NULL: the
				 * same ids) */
				prep_strset_free(&o->vals[d]);
				o->vals[d] = p->vals[d];
				prep_strset_init(&p->vals[d], p->max);
				continue;
			}
			m->val[t][d] = malloc((n ? n : 1) * sizeof ***m->val);
			if (m->val[t][d] == NULL)
				return PREP_ERR_NOMEM;
			for (v = 0; v < n; v++) {
				prep_field k = prep_strset_key(&p->vals[d], v);

				st = prep_strset_lookup(&o->vals[d], k.data,
							k.len, 1, &id, NULL);
				if (st != PREP_OK)
					return st;
				m->val[t][d][v] = (uint32_t)id;
			}
			prep_strset_free(&p->vals[d]);
			prep_strset_init(&p->vals[d], p->max);
		}
	}
	return PREP_OK;
}

prep_status
prep_oversample_merge(prep_oversample *o, prep_oversample **parts,
		      size_t nparts, const uint64_t *piece_off, size_t npieces,
		      uint64_t lead, prep_where *bad, uint64_t *badplace)
{
	struct merged *m;
	prep_status st;
	size_t t;

	if (o->planned || o->m || o->classes.n || nparts == 0) {
		for (t = 0; t < nparts; t++)
			prep_oversample_free(parts[t]);
		return PREP_ERR_ARG;
	}
	if ((m = calloc(1, sizeof *m)) == NULL ||
	    (m->parts = malloc(nparts * sizeof(prep_oversample *))) == NULL) {
		free(m);
		for (t = 0; t < nparts; t++)
			prep_oversample_free(parts[t]);
		return PREP_ERR_NOMEM;
	}
	memcpy(m->parts, parts, nparts * sizeof(prep_oversample *));
	m->nparts = nparts;
	o->m = m;
	m->cls = calloc(nparts, sizeof *m->cls);
	m->val = calloc(nparts, sizeof *m->val);
	m->piece_off = malloc((npieces ? npieces : 1) * sizeof *piece_off);
	if (m->cls == NULL || m->val == NULL || m->piece_off == NULL)
		return PREP_ERR_NOMEM;
	if (npieces)
		memcpy(m->piece_off, piece_off, npieces * sizeof *piece_off);
	m->npieces = npieces;
	m->lead = lead;
	bad->file = NULL;
	bad->line = 0;
	bad->field = 0;
	*badplace = UINT64_MAX;
	if ((st = merge_classes(o, m, bad, badplace)) != PREP_OK)
		return st;
	/* the spool's first record is the first row of the first class */
	m->lead_piece = o->classes.n ? o->cls[0].first_place >> 32 : 0;
	if (o->smote && (st = merge_values(o, m)) != PREP_OK)
		return st;
	return PREP_OK;
}

/* One part's class whose rows go to a class of the merged table. */
struct source {
	size_t part, cls, at;
};

/* A run of rows of one piece, from a source. */
struct srun {
	uint32_t piece, n;
	size_t src;
	uint64_t from; /* the index of its first row in the source's class */
};

static int
srun_cmp(const void *a, const void *b)
{
	const struct srun *x = a, *y = b;

	return (x->piece > y->piece) - (x->piece < y->piece);
}

/* Row j of source class pc, of part p, onto class c (in input order). */
static prep_status
pull_row(prep_oversample *o, struct ocls *c, const prep_oversample *p,
	 const struct ocls *pc, uint64_t j, uint32_t piece,
	 uint32_t *const *val)
{
	const struct merged *m = o->m;
	prep_status st;
	size_t d;

	if (!o->smote) {
		const uint64_t *loc =
		    (const uint64_t *)(const void *)pc->loc.data;
		uint64_t pair[2] = {loc[2 * j], loc[2 * j + 1]};

		if (piece >= m->npieces)
			return PREP_ERR_ARG;
		if (piece == m->lead_piece && m->lead) {
			/* the spool's first record gained lead bytes of
			 * quotes when its piece was appended */
			if (pair[0] == 0)
				pair[1] += m->lead;
			else
				pair[0] += m->lead;
		}
		pair[0] += m->piece_off[piece];
		return prep_buf_append(&c->loc, pair, sizeof pair);
	}
	st = prep_buf_append(&c->feat,
			     (const double *)(const void *)pc->feat.data +
				 j * p->nfeat,
			     o->nfeat * sizeof(double));
	if (st != PREP_OK)
		return st;
	for (d = 0; d < o->ncat; d++) {
		uint32_t v = ((const uint32_t *)(const void *)
				  pc->cat.data)[j * p->ncat + d];

		o->ids[d] = val[d] ? val[d][v] : v;
	}
	return prep_buf_append(&c->cat, o->ids, o->ncat * sizeof *o->ids);
}

/* Class id's rows from the sources src[0..n), in input order. */
static prep_status
pull_class(prep_oversample *o, size_t id, const struct source *src, size_t n)
{
	struct merged *m = o->m;
	struct ocls *c = &o->cls[id];
	struct srun *r;
	size_t nr = 0, i, s;
	uint64_t j, from;
	prep_status st = PREP_OK;

	for (s = 0; s < n; s++)
		nr += m->parts[src[s].part]->cls[src[s].cls].runs.len /
		      sizeof(struct run);
	if ((r = malloc((nr ? nr : 1) * sizeof *r)) == NULL)
		return PREP_ERR_NOMEM;
	nr = 0;
	for (s = 0; s < n; s++) {
		const prep_buf *b =
		    &m->parts[src[s].part]->cls[src[s].cls].runs;
		const struct run *run =
		    (const struct run *)(const void *)b->data;

		from = 0;
		for (i = 0; i < b->len / sizeof *run; i++) {
			r[nr].piece = run[i].piece;
			r[nr].n = run[i].n;
			r[nr].src = s;
			r[nr++].from = from;
			from += run[i].n;
		}
	}
	/* a piece is one thread's: no two runs of one piece */
	qsort(r, nr, sizeof *r, srun_cmp);
	for (i = 0; i < nr && st == PREP_OK; i++) {
		const struct source *sc = &src[r[i].src];
		const prep_oversample *p = m->parts[sc->part];

		for (j = 0; j < r[i].n && st == PREP_OK; j++)
			st = pull_row(o, c, p, &p->cls[sc->cls], r[i].from + j,
				      r[i].piece,
				      o->smote ? m->val[sc->part] : NULL);
	}
	free(r);
	return st;
}

/* Let go of the rows of the parts' classes src[0..n). */
static void
drop_sources(struct merged *m, const struct source *src, size_t n)
{
	size_t s;

	for (s = 0; s < n; s++) {
		struct ocls *pc = &m->parts[src[s].part]->cls[src[s].cls];

		prep_buf_free(&pc->loc);
		prep_buf_free(&pc->feat);
		prep_buf_free(&pc->cat);
		prep_buf_free(&pc->runs);
	}
}

static int
source_cmp(const void *a, const void *b)
{
	const struct source *x = a, *y = b;

	if (x->at != y->at)
		return (x->at > y->at) - (x->at < y->at);
	return (x->part > y->part) - (x->part < y->part);
}

/*
 * After the plan of a merged table: the rows of every class that gets
 * some, from the parts, class by class (a class's rows are held twice
 * only while it is pulled); the parts let go.
 */
static prep_status
pull_rows(prep_oversample *o)
{
	struct merged *m = o->m;
	struct source *src;
	size_t n = 0, t, i, lo;
	prep_status st = PREP_OK;

	for (t = 0; t < m->nparts; t++)
		n += m->parts[t]->classes.n;
	if ((src = malloc((n ? n : 1) * sizeof *src)) == NULL)
		return PREP_ERR_NOMEM;
	n = 0;
	for (t = 0; t < m->nparts; t++)
		for (i = 0; i < m->parts[t]->classes.n; i++) {
			src[n].part = t;
			src[n].cls = i;
			src[n++].at = m->cls[t][i];
		}
	qsort(src, n, sizeof *src, source_cmp);
	for (lo = 0; lo < n && st == PREP_OK; lo = i) {
		for (i = lo; i < n && src[i].at == src[lo].at; i++)
			;
		if (o->cls[src[lo].at].need > 0)
			st = pull_class(o, src[lo].at, src + lo, i - lo);
		drop_sources(m, src + lo, i - lo);
	}
	free(src);
	free_merged(o);
	return st;
}

prep_status
prep_oversample_plan(prep_oversample *o, prep_oversample_strategy s,
		     const uint64_t *targets, size_t *badclass)
{
	size_t i, maj = 0, mnr = 0;
	uint64_t top;
	prep_status st;

	if (o->planned)
		return PREP_ERR_ARG;
	for (i = 1; i < o->classes.n; i++) {
		if (o->cls[i].n > o->cls[maj].n)
			maj = i;
		if (o->cls[i].n < o->cls[mnr].n)
			mnr = i;
	}
	top = o->classes.n ? o->cls[maj].n : 0;
	if (s == PREP_OVERSAMPLE_TARGETS) {
		if (targets == NULL)
			return PREP_ERR_ARG;
		for (i = 0; i < o->classes.n; i++)
			if (targets[i] && targets[i] < o->cls[i].n) {
				if (badclass)
					*badclass = i;
				return PREP_ERR_RANGE;
			}
	}
	o->total_need = 0;
	for (i = 0; i < o->classes.n; i++) {
		struct ocls *c = &o->cls[i];
		int pick;

		switch (s) {
		case PREP_OVERSAMPLE_NOT_MAJORITY:
			pick = i != maj;
			break;
		case PREP_OVERSAMPLE_MINORITY:
			pick = i == mnr;
			break;
		case PREP_OVERSAMPLE_NOT_MINORITY:
			pick = i != mnr;
			break;
		case PREP_OVERSAMPLE_ALL:
			pick = 1;
			break;
		case PREP_OVERSAMPLE_TARGETS:
			pick = 0;
			if (targets[i])
				c->need = targets[i] - c->n;
			break;
		default:
			return PREP_ERR_ARG;
		}
		if (pick)
			c->need = top - c->n;
		if (c->need > UINT64_MAX - o->total_need)
			return PREP_ERR_RANGE;
		o->total_need += c->need;
	}
	if (o->smote)
		for (i = 0; i < o->classes.n; i++)
			if (o->cls[i].need > 0 && o->cls[i].n <= o->k) {
				if (badclass)
					*badclass = i;
				for (i = 0; i < o->classes.n; i++)
					o->cls[i].need = 0;
				o->total_need = 0;
				return PREP_ERR_LIMIT;
			}
	o->planned = 1;
	if (o->m && (st = pull_rows(o)) != PREP_OK)
		return st;
	/* let go of what the classes without new rows held */
	for (i = 0; i < o->classes.n; i++) {
		struct ocls *c = &o->cls[i];

		if (c->need == 0) {
			prep_buf_free(&c->loc);
			prep_buf_free(&c->feat);
			prep_buf_free(&c->cat);
		} else if (o->smote && (st = prepare_class(o, c)) != PREP_OK) {
			return st;
		}
	}
	return PREP_OK;
}

prep_status
prep_oversample_draw(prep_oversample *o, prep_rng *g, size_t c, uint64_t *off,
		     uint64_t *len)
{
	const uint64_t *loc;
	uint64_t r;
	prep_status st;

	if (!o->planned || o->smote || c >= o->classes.n || o->cls[c].need == 0)
		return PREP_ERR_ARG;
	if ((st = prep_rng_uniform(g, o->cls[c].n, &r)) != PREP_OK)
		return st;
	loc = (const uint64_t *)(const void *)o->cls[c].loc.data;
	*off = loc[2 * r];
	*len = loc[2 * r + 1];
	return PREP_OK;
}

prep_status
prep_oversample_neighbours(prep_oversample *o, size_t c, uint64_t i,
			   uint64_t *nn)
{
	const uint32_t *p;
	size_t j;

	if (!o->planned || !o->smote || c >= o->classes.n ||
	    o->cls[c].need == 0 || i >= o->cls[c].n)
		return PREP_ERR_ARG;
	p = neighbours(o, &o->cls[c], (uint32_t)i);
	for (j = 0; j < o->k; j++)
		nn[j] = p[j];
	return PREP_OK;
}

/* Does "%.*g" of v at precision p read back as v (sign of 0 too)? */
static int
round_trips(double v, int p, char *tmp, size_t n, int *len)
{
	double back;

	*len = snprintf(tmp, n, "%.*g", p, v);
	if (*len < 0 || (size_t)*len >= n)
		return 0;
	back = strtod(tmp, NULL);
	return back == v && !signbit(back) == !signbit(v);
}

/*
 * The text prep_format_double gives, found faster: reading back is
 * monotone in the precision (more digits are never farther from v), so
 * the shortest precision is found by bisection in 4 or 5 conversions
 * rather than up to 17. Exponent forms are left to prep_format_double.
 */
static int
format_shortest(double v, char *buf, size_t n)
{
	char tmp[48];
	int lo = 1, hi = 17, mid, len;

	if (!isfinite(v) || n < sizeof tmp)
		return prep_format_double(v, buf, n);
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (round_trips(v, mid, tmp, sizeof tmp, &len))
			hi = mid;
		else
			lo = mid + 1;
	}
	if (!round_trips(v, lo, tmp, sizeof tmp, &len) ||
	    strchr(tmp, 'e') != NULL)
		return prep_format_double(v, buf, n);
	memcpy(buf, tmp, (size_t)len + 1);
	return len;
}

/* u uniform in [0, 1): 53 random bits. */
static prep_status
uniform01(prep_rng *g, double *u)
{
	uint64_t v;
	prep_status st = prep_rng_u64(g, &v);

	*u = (double)(v >> 11) * 0x1p-53;
	return st;
}

prep_status
prep_oversample_smote_row(prep_oversample *o, prep_rng *g, size_t c,
			  const prep_field **fields, uint64_t *base,
			  uint64_t *nnp)
{
	struct ocls *cl;
	const uint32_t *nn, *cat;
	const double *xa, *xb;
	uint64_t i, j;
	double u = 0;
	size_t d, a, b;
	prep_status st;

	if (!o->planned || !o->smote || c >= o->classes.n ||
	    o->cls[c].need == 0)
		return PREP_ERR_ARG;
	cl = &o->cls[c];
	if ((st = prep_rng_uniform(g, cl->n, &i)) != PREP_OK ||
	    (st = prep_rng_uniform(g, o->k, &j)) != PREP_OK)
		return st;
	if (o->nfeat > 0 && (st = uniform01(g, &u)) != PREP_OK)
		return st;
	nn = neighbours(o, cl, (uint32_t)i);
	if (base)
		*base = i;
	if (nnp)
		*nnp = nn[j];
	xa = (const double *)(const void *)cl->feat.data + i * o->nfeat;
	xb = (const double *)(const void *)cl->feat.data + nn[j] * o->nfeat;
	for (d = 0; d < o->nfeat; d++) {
		double diff = xb[d] - xa[d], v;
		int n;

		v = isfinite(diff) ? xa[d] + u * diff
				   : (1 - u) * xa[d] + u * xb[d];
		n = format_shortest(v, o->num[d], sizeof o->num[d]);
		if (n < 0)
			return PREP_ERR_VALUE;
		o->out[o->feat[d]].data = o->num[d];
		o->out[o->feat[d]].len = (size_t)n;
	}
	/* every other column: the neighbours' most frequent value */
	cat = (const uint32_t *)(const void *)cl->cat.data;
	for (d = 0; d < o->ncat; d++) {
		uint32_t best = 0, nties = 0, v;

		for (a = 0; a < o->k; a++) {
			o->cnt[a] = 0;
			v = cat[(size_t)nn[a] * o->ncat + d];
			for (b = 0; b < a; b++)
				if (cat[(size_t)nn[b] * o->ncat + d] == v)
					break;
			if (b < a)
				continue; /* counted at its first place */
			for (b = a; b < o->k; b++)
				o->cnt[a] +=
				    cat[(size_t)nn[b] * o->ncat + d] == v;
			if (o->cnt[a] > best) {
				best = o->cnt[a];
				nties = 0;
			}
			if (o->cnt[a] == best)
				o->ties[nties++] =
				    cat[(size_t)nn[a] * o->ncat + d];
		}
		v = o->ties[0];
		if (nties > 1) {
			uint64_t t;

			if ((st = prep_rng_uniform(g, nties, &t)) != PREP_OK)
				return st;
			v = o->ties[t];
		}
		o->out[o->catcol[d]] = prep_strset_key(&o->vals[d], v);
	}
	*fields = o->out;
	return PREP_OK;
}

prep_status
prep_oversample_parse_count(const char *s, size_t len, uint64_t *v)
{
	uint64_t n = 0;
	size_t i;

	if (len == 0 || len > 19)
		return PREP_ERR_VALUE;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return PREP_ERR_VALUE;
		n = n * 10 + (uint64_t)(s[i] - '0');
	}
	*v = n;
	return PREP_OK;
}

/* One item p[0..end) of a target list into t; 0 or the fault. */
static prep_oversample_target_error
target_item(const prep_oversample *o, const char *p, const char *end,
	    prep_field *vals, uint64_t *t, prep_oversample_target_fault *f)
{
	const char *eq = NULL, *q;
	uint64_t n;
	size_t c;

	for (q = p; q < end; q++)
		if (*q == '=')
			eq = q;
	if (eq == NULL)
		return PREP_OVERSAMPLE_TARGET_NOT_PAIR;
	if (prep_oversample_parse_count(eq + 1, (size_t)(end - eq - 1), &n) !=
	    PREP_OK)
		return PREP_OVERSAMPLE_TARGET_NOT_COUNT;
	if (n == 0)
		return PREP_OVERSAMPLE_TARGET_ZERO;
	if (prep_classes_split_name(p, (size_t)(eq - p), ':', vals,
				    o->ngroup) != PREP_OK)
		return PREP_OVERSAMPLE_TARGET_VALUES;
	if (prep_oversample_find(o, vals, &c) != PREP_OK)
		return PREP_OVERSAMPLE_TARGET_UNKNOWN;
	if (t[c])
		return PREP_OVERSAMPLE_TARGET_TWICE;
	if (n < prep_oversample_count(o, c)) {
		f->cls = c;
		f->target = n;
		return PREP_OVERSAMPLE_TARGET_BELOW;
	}
	t[c] = n;
	return 0;
}

prep_status
prep_oversample_parse_targets(const prep_oversample *o, const char *list,
			      uint64_t **targets,
			      prep_oversample_target_fault *fault)
{
	size_t ncls = prep_oversample_classes(o);
	uint64_t *t = calloc(ncls + 1, sizeof *t);
	prep_field *vals = malloc(o->ngroup * sizeof *vals);
	const char *p = list;
	prep_oversample_target_fault f;

	*targets = NULL;
	memset(&f, 0, sizeof f);
	if (t == NULL || vals == NULL) {
		free(t);
		free(vals);
		return PREP_ERR_NOMEM;
	}
	for (;;) {
		const char *end = strchr(p, ',');

		f.item++;
		if (end == NULL)
			end = p + strlen(p);
		f.what = target_item(o, p, end, vals, t, &f);
		if (f.what != 0 || *end == '\0')
			break;
		p = end + 1;
	}
	free(vals);
	if (f.what != 0) {
		free(t);
		if (fault)
			*fault = f;
		return PREP_ERR_ARG;
	}
	*targets = t;
	return PREP_OK;
}

uint64_t
prep_oversample_record_len(const char *p, uint64_t n)
{
	const char *at = p, *end = p + n, *lf, *q;
	int inq = 0;

	while ((lf = memchr(at, '\n', (size_t)(end - at))) != NULL) {
		for (q = at; (q = memchr(q, '"', (size_t)(lf - q))) != NULL;
		     q++)
			inq = !inq;
		if (!inq)
			return (uint64_t)(lf + 1 - p);
		at = lf + 1;
	}
	return n;
}

prep_status
prep_oversample_write_marked(prep_writer *w, const char *rec, uint64_t len,
			     int delim, int crlf, char mark)
{
	char suffix[4];
	size_t eol = crlf ? 2 : 1, n = 0;
	prep_status st;

	if (len < eol)
		return PREP_ERR_ARG;
	suffix[n++] = (char)delim;
	suffix[n++] = mark;
	if (crlf)
		suffix[n++] = '\r';
	suffix[n++] = '\n';
	if ((st = prep_writer_raw(w, rec, len - eol)) != PREP_OK)
		return st;
	prep_writer_add(w, 1);
	return prep_writer_raw(w, suffix, n);
}
