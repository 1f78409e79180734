/*
 * lattice.c: global recoding, the exact optimum over the lattice of
 * hierarchy levels (see lattice.h for the search and its sources).
 *
 * Nodes are numbered in mixed radix, the first QI most significant, so
 * that comparing numbers compares level vectors lexicographically; the
 * node one level more general in QI j is the node's number plus
 * stride[j]. A node's verdict (unknown, passes, fails) and whether the
 * metric's bound ruled it out take one byte.
 *
 * A class table holds each class's labels. When every QI's labels fit in
 * a bit field and the fields in 64 bits (they do unless the domains are
 * huge), a class's labels are one packed word: rolling up rewrites only
 * the fields of the QIs whose level changes, and the words are the
 * hash table's keys. Otherwise the labels are vectors of d words.
 */
#include <stdlib.h>
#include <string.h>

#include "lattice.h"
#include "siphash.h"

#define CACHE 256 /* class tables of counted nodes kept for rolling up */

/* A slot of the packed roll-up's hash table. */
struct kslot {
	uint64_t key;
	uint32_t stamp; /* the roll-up that filled it; 0: none yet */
	uint32_t at;	/* the class's index */
};

enum { UNKNOWN = 0, PASS = 1, FAIL = 2, VERDICT = 3, RULED_OUT = 4 };

/* The classes of one node: levels, each class's labels, sizes. */
struct table {
	size_t *lv;    /* [d] */
	uint32_t *lab; /* [class * d + j]; NULL when packed */
	uint64_t *key; /* [class]: the packed labels; NULL unless packed */
	prep_recode_classes k;
	uint64_t stamp; /* last use, for the cache; 0: empty */
};

/* A node's verdict and figures once its classes are counted. */
struct eval {
	int pass;
	double m;     /* the metric, suppression included */
	double bound; /* the metric's bound (dm, aecs): see lattice.h */
	int has_bound;
	uint64_t sup; /* rows suppressed */
};

struct search {
	const prep_recode_input *in;
	prep_recode_metric metric;
	size_t d;
	size_t *height;	  /* [j] */
	uint64_t *stride; /* [j] */
	uint64_t nodes;
	unsigned char *state;
	uint32_t ***up; /* [j][a * height + b][label at a]: its label at b */
	uint64_t *keys; /* scratch: the roll-up's packed label vectors */
	uint32_t *lab;	/* scratch: the roll-up's label vectors */
	double *gshare; /* [j * hmax + l]: sum of rows' shares at l */
	double *gncp;	/* [j * hmax + l]: sum of rows' NCP at l */
	size_t hmax;
	struct table base; /* the data's distinct tuples */
	struct table cache[CACHE];
	uint64_t clock;
	prep_kanon_judge *judge;
	unsigned char *kept; /* scratch: per class */
	size_t *group;	     /* scratch: per class */
	uint32_t *slot;	     /* scratch: the roll-up's hash table */
	size_t nslot;
	int packed;	     /* class tables hold packed labels */
	unsigned *shift;     /* [j]: QI j's bit field starts here */
	uint64_t *field;     /* [j]: the field's mask, unshifted */
	uint64_t *base_key;  /* the data's tuples, packed */
	struct kslot *kslot; /* scratch: the packed roll-up's hash table */
	size_t nkslot;
	uint32_t kstamp; /* the last roll-up's stamp in kslot */
	uint64_t seed;
	int monotone; /* passing is monotone under generalization */
	/*
	 * With k-anonymity and distinct l-diversity only, suppression never
	 * grows with generalization: a node suppresses at least as many rows
	 * as any more general node. slb[node] is the most any counted node
	 * more general (or itself) suppresses: a lower bound of its own
	 * suppression, and so of its metric (NULL when it does not apply).
	 */
	uint64_t *slb;
	double *smax; /* [j * hmax + l]: the largest share of a label at l */
	double *nmax; /* [j * hmax + l]: the largest NCP of a label at l */
	uint64_t checked;
	size_t *lv; /* scratch: a node's levels */
};

static void
table_free(struct table *t)
{
	free(t->lv);
	free(t->lab);
	free(t->key);
	prep_recode_classes_free(&t->k);
	memset(t, 0, sizeof *t);
}

static void
decode(const struct search *s, uint64_t node, size_t *lv)
{
	size_t j;

	for (j = 0; j < s->d; j++)
		lv[j] = (size_t)((node / s->stride[j]) % s->height[j]);
}

static size_t
level_sum(const struct search *s, uint64_t node)
{
	size_t j, sum = 0;

	for (j = 0; j < s->d; j++)
		sum += (size_t)((node / s->stride[j]) % s->height[j]);
	return sum;
}

/*
 * Mark node and every node more general (succ) or more specific (!succ)
 * with bits; the marked sets are closed, so a node already marked ends
 * the walk there. stack has room for every node.
 */
static void
mark(struct search *s, uint64_t node, int succ, unsigned char bits,
     unsigned char test, uint64_t *stack)
{
	size_t n = 0, j;

	if ((s->state[node] & test) == bits)
		return;
	s->state[node] = (unsigned char)((s->state[node] & ~test) | bits);
	stack[n++] = node;
	while (n > 0) {
		uint64_t x = stack[--n];

		for (j = 0; j < s->d; j++) {
			size_t l = (size_t)((x / s->stride[j]) % s->height[j]);
			uint64_t y;

			if (succ ? l + 1 >= s->height[j] : l == 0)
				continue;
			y = succ ? x + s->stride[j] : x - s->stride[j];
			if ((s->state[y] & test) == bits)
				continue;
			s->state[y] =
			    (unsigned char)((s->state[y] & ~test) | bits);
			stack[n++] = y;
		}
	}
}

/* The label of QI j of class i. */
static uint32_t
label_of(const struct search *s, const struct table *t, size_t i, size_t j)
{
	if (s->packed)
		return (uint32_t)((t->key[i] >> s->shift[j]) & s->field[j]);
	return t->lab[i * s->d + j];
}

/* A fast mix of a label vector, keyed per run. */
static uint64_t
hash_labels(const uint32_t *lab, size_t d, uint64_t seed)
{
	uint64_t h = seed;
	size_t j;

	for (j = 0; j < d; j++) {
		h = (h ^ lab[j]) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 32;
	}
	return h;
}

/* Room for n classes in the roll-up's hash table; its mask. */
static prep_status
slots_for(struct search *s, size_t n, size_t *mask)
{
	size_t need = 16;

	while (need < 2 * n)
		need *= 2;
	if (need > s->nslot) {
		uint32_t *sl = realloc(s->slot, need * sizeof *sl);

		if (sl == NULL)
			return PREP_ERR_NOMEM;
		s->slot = sl;
		s->nslot = need;
	}
	memset(s->slot, 0, need * sizeof *s->slot);
	*mask = need - 1;
	return PREP_OK;
}

/* Classes whose slots roll_up_packed looks up together. */
#define BLOCK 16

/*
 * roll_up of packed tables (see roll_up). The hash table's slots are
 * stamped with the roll-up that filled them, so that it is never
 * cleared; the slots of a block of classes are computed first and
 * prefetched, so that their cache misses overlap.
 */
static prep_status
roll_up_packed(struct search *s, const struct table *src, struct table *dst)
{
	size_t n = src->k.n, i, b, j, c, nc = 0, cnt = 0, need = 16, mask;
	unsigned hbits = 4, sh[64];
	uint64_t fm[64], kb[BLOCK], stamp;
	size_t ab[BLOCK];
	const uint32_t *map[64];
	struct kslot *ks;
	uint64_t *key;

	for (j = 0; j < s->d; j++)
		if (src->lv[j] != dst->lv[j]) {
			sh[nc] = s->shift[j];
			fm[nc] = s->field[j];
			map[nc++] =
			    s->up[j][src->lv[j] * s->height[j] + dst->lv[j]];
		}
	while (need < 2 * n) {
		need *= 2;
		hbits++;
	}
	if (need > s->nkslot || s->kstamp == UINT32_MAX) {
		ks = realloc(s->kslot, need * sizeof *ks);
		if (ks == NULL)
			return PREP_ERR_NOMEM;
		memset(ks, 0, need * sizeof *ks);
		s->kslot = ks;
		s->nkslot = need;
		s->kstamp = 0;
	}
	ks = s->kslot;
	stamp = ++s->kstamp;
	mask = need - 1;
	if ((dst->key = malloc((n ? n : 1) * sizeof *dst->key)) == NULL)
		return PREP_ERR_NOMEM;
	for (i = 0; i < n; i += BLOCK) {
		size_t m = n - i < BLOCK ? n - i : BLOCK;

		for (b = 0; b < m; b++) {
			uint64_t k = src->key[i + b];

			for (c = 0; c < nc; c++) {
				uint64_t v = (k >> sh[c]) & fm[c];

				k = (k & ~(fm[c] << sh[c])) |
				    (uint64_t)map[c][v] << sh[c];
			}
			kb[b] = k;
			/* Fibonacci hashing: the product's top bits */
			ab[b] =
			    (size_t)(((k ^ s->seed) * 0x9e3779b97f4a7c15ULL) >>
				     (64 - hbits));
			__builtin_prefetch(&ks[ab[b]]);
		}
		for (b = 0; b < m; b++) {
			uint64_t k = kb[b];
			size_t at = ab[b];

			while (ks[at].stamp == stamp && ks[at].key != k)
				at = (at + 1) & mask;
			if (ks[at].stamp != stamp) {
				ks[at].key = k;
				ks[at].stamp = (uint32_t)stamp;
				ks[at].at = (uint32_t)cnt;
				dst->key[cnt++] = k;
			}
			s->group[i + b] = ks[at].at;
		}
	}
	if (cnt < n) {
		key = realloc(dst->key, (cnt ? cnt : 1) * sizeof *key);
		if (key != NULL)
			dst->key = key;
	}
	return prep_recode_merge(s->in, &src->k, s->group, cnt, &dst->k);
}

/*
 * Roll src up to the levels lv into dst: each class's labels lifted to
 * lv, equal label vectors merged. s->group gets each src class's class
 * in dst. Packed tables are rolled up by roll_up_packed. Otherwise, when
 * the label vectors of lv fit in 64 bits as mixed-radix numbers, they are
 * hashed and compared as such; else as vectors.
 */
static prep_status
roll_up(struct search *s, const struct table *src, const size_t *lv,
	struct table *dst)
{
	const prep_recode_input *in = s->in;
	size_t d = s->d, n = src->k.n, i, j, cnt = 0, mask, at;
	uint64_t prod = 1, key;
	int packed = 1;
	const uint32_t *map[64];
	prep_status st;

	memset(dst, 0, sizeof *dst);
	if ((st = slots_for(s, n, &mask)) != PREP_OK)
		return st;
	if ((dst->lv = malloc((d ? d : 1) * sizeof *dst->lv)) == NULL)
		return PREP_ERR_NOMEM;
	memcpy(dst->lv, lv, d * sizeof *lv);
	if (s->packed) {
		if ((st = roll_up_packed(s, src, dst)) != PREP_OK)
			table_free(dst);
		return st;
	}
	for (j = 0; j < d; j++) {
		uint64_t r = in->qi[j].nlabels[lv[j]];

		if (r && prod > UINT64_MAX / r)
			packed = 0;
		else
			prod *= r ? r : 1;
	}
	packed = packed && d <= sizeof map / sizeof *map;
	for (j = 0; packed && j < d; j++)
		map[j] = s->up[j][src->lv[j] * s->height[j] + lv[j]];
	for (i = 0; i < n; i++) {
		uint32_t *v = &s->lab[cnt * d];
		const uint32_t *from = &src->lab[i * d];

		if (packed) {
			key = 0;
			for (j = 0; j < d; j++) {
				v[j] = map[j][from[j]];
				key = key * in->qi[j].nlabels[lv[j]] + v[j];
			}
			at = (size_t)((key * 0x9e3779b97f4a7c15ULL ^ s->seed) >>
				      20) &
			     mask;
			while (s->slot[at] != 0 &&
			       s->keys[s->slot[at] - 1] != key)
				at = (at + 1) & mask;
			if (s->slot[at] == 0)
				s->keys[cnt] = key;
		} else {
			for (j = 0; j < d; j++)
				v[j] = s->up[j][src->lv[j] * s->height[j] +
						lv[j]][from[j]];
			at = hash_labels(v, d, s->seed) & mask;
			while (s->slot[at] != 0 &&
			       memcmp(&s->lab[(s->slot[at] - 1) * d], v,
				      d * sizeof *v) != 0)
				at = (at + 1) & mask;
		}
		if (s->slot[at] == 0)
			s->slot[at] = (uint32_t)++cnt;
		s->group[i] = s->slot[at] - 1;
	}
	/* the labels, from the scratch rows to a table of their own */
	dst->lab = malloc((cnt ? cnt : 1) * (d ? d : 1) * sizeof *dst->lab);
	if (dst->lab == NULL) {
		table_free(dst);
		return PREP_ERR_NOMEM;
	}
	memcpy(dst->lab, s->lab, cnt * d * sizeof *dst->lab);
	st = prep_recode_merge(s->in, &src->k, s->group, cnt, &dst->k);
	if (st != PREP_OK)
		table_free(dst);
	return st;
}

/* The counted node fewest classes away from lv: a cached one or the base. */
static const struct table *
source_for(struct search *s, const size_t *lv)
{
	const struct table *best = &s->base;
	size_t c, j;

	for (c = 0; c < CACHE; c++) {
		const struct table *t = &s->cache[c];

		if (t->stamp == 0 || t->k.n >= best->k.n)
			continue;
		for (j = 0; j < s->d && t->lv[j] <= lv[j]; j++)
			;
		if (j == s->d)
			best = t;
	}
	return best;
}

/*
 * Count the classes of node lv, keeping them in the cache: at most CACHE
 * tables holding at most twice the data's tuples (plus a little) in all,
 * the least recently used going first.
 */
static prep_status
count(struct search *s, const size_t *lv, const struct table **out)
{
	const struct table *src = source_for(s, lv);
	size_t cap = s->in->ntuples / 2 + 65536, c, held, lru;
	struct table t;
	prep_status st;

	if ((st = roll_up(s, src, lv, &t)) != PREP_OK)
		return st;
	for (;;) {
		held = 0;
		lru = CACHE;
		for (c = 0; c < CACHE; c++) {
			held += s->cache[c].k.n;
			if (lru == CACHE ||
			    s->cache[c].stamp < s->cache[lru].stamp)
				lru = c;
		}
		if (s->cache[lru].stamp == 0 || held + t.k.n <= cap)
			break;
		table_free(&s->cache[lru]);
	}
	for (c = 0; c < CACHE && s->cache[c].stamp != 0; c++)
		;
	if (c == CACHE)
		c = lru;
	table_free(&s->cache[c]);
	s->cache[c] = t;
	s->cache[c].stamp = ++s->clock;
	s->checked++;
	*out = &s->cache[c];
	return PREP_OK;
}

/* The node's verdict and metric from its classes. */
static prep_status
judge(struct search *s, const struct table *t, struct eval *e)
{
	const prep_recode_input *in = s->in;
	size_t i, j, d = s->d, kept_classes = 0;
	uint64_t sup, n = in->rows, all2 = 0, dm = 0;
	double ncp = 0, sum[64], *sums = sum;
	prep_status st;

	memset(e, 0, sizeof *e);
	st = prep_recode_suppress(in, &t->k, s->judge, s->kept, &sup);
	if (st != PREP_OK)
		return st;
	e->pass = prep_recode_within(in, sup);
	e->sup = sup;
	if (d > sizeof sum / sizeof *sum &&
	    (sums = calloc(d, sizeof *sums)) == NULL)
		return PREP_ERR_NOMEM;
	for (j = 0; j < d; j++)
		sums[j] = (double)sup;
	for (i = 0; i < t->k.n; i++) {
		uint64_t sz = t->k.size[i];

		all2 += sz * sz;
		if (!s->kept[i])
			continue;
		kept_classes++;
		dm += sz * sz;
		if (s->metric != PREP_METRIC_LOSS &&
		    s->metric != PREP_METRIC_GCP)
			continue;
		for (j = 0; j < d; j++) {
			const prep_recode_qi *q = &in->qi[j];
			uint32_t lab = label_of(s, t, i, j);

			ncp += (double)sz * q->ncp[t->lv[j]][lab];
			sums[j] += (double)sz * q->share[t->lv[j]][lab];
		}
	}
	switch (s->metric) {
	case PREP_METRIC_DM:
		e->m = (double)(dm + n * sup);
		e->bound = (double)all2;
		e->has_bound = 1;
		break;
	case PREP_METRIC_AECS:
		e->m = kept_classes
			   ? (double)(n - sup) /
				 ((double)kept_classes * (double)in->params.k)
			   : 0;
		/* without suppression aecs only grows with generalization */
		e->bound =
		    t->k.n ? (double)n / ((double)t->k.n * (double)in->params.k)
			   : 0;
		e->has_bound = in->params.max_suppress == 0;
		break;
	case PREP_METRIC_GCP:
		e->m = n && d ? (ncp + (double)sup * (double)d) /
				    ((double)n * (double)d)
			      : 0;
		break;
	case PREP_METRIC_LOSS:
		e->m = prep_recode_loss(in, sums);
		break;
	}
	if (sums != sum)
		free(sums);
	return PREP_OK;
}

/* A node suppresses sup rows: so do at least all nodes more specific. */
static void
raise_slb(struct search *s, uint64_t node, uint64_t sup, uint64_t *stack)
{
	size_t n = 0, j;

	if (s->slb[node] >= sup)
		return;
	s->slb[node] = sup;
	stack[n++] = node;
	while (n > 0) {
		uint64_t x = stack[--n];

		for (j = 0; j < s->d; j++) {
			uint64_t y;

			if ((x / s->stride[j]) % s->height[j] == 0)
				continue;
			y = x - s->stride[j];
			if (s->slb[y] >= sup)
				continue;
			s->slb[y] = sup;
			stack[n++] = y;
		}
	}
}

/*
 * A lower bound of node's metric from the rows it must suppress (slb):
 * each suppressed row costs n in dm, and 1 instead of its share (NCP) in
 * loss (gcp), at least 1 less the largest share (NCP) at the node's level.
 * 0 when there is none.
 */
static double
suppression_bound(const struct search *s, uint64_t node)
{
	const prep_recode_input *in = s->in;
	double sup, sum[64], v = 0;
	size_t j, d = s->d;

	if (s->slb == NULL || s->slb[node] == 0)
		return 0;
	sup = (double)s->slb[node];
	if (s->metric == PREP_METRIC_DM)
		return (double)in->rows * sup;
	if (d > sizeof sum / sizeof *sum || in->rows == 0 || d == 0)
		return 0;
	for (j = 0; j < d; j++) {
		size_t at = j * s->hmax +
			    (size_t)((node / s->stride[j]) % s->height[j]);

		if (s->metric == PREP_METRIC_GCP)
			v += s->gncp[at] + sup * (1 - s->nmax[at]);
		else
			sum[j] = s->gshare[at] + sup * (1 - s->smax[at]);
	}
	if (s->metric == PREP_METRIC_GCP)
		return v / ((double)in->rows * (double)d);
	return s->metric == PREP_METRIC_LOSS ? prep_recode_loss(in, sum) : 0;
}

/* Count and judge node; with a monotone verdict, spread it. */
static prep_status
evaluate(struct search *s, uint64_t node, struct eval *e, uint64_t *stack)
{
	const struct table *t;
	prep_status st;

	decode(s, node, s->lv);
	if ((st = count(s, s->lv, &t)) != PREP_OK)
		return st;
	if ((st = judge(s, t, e)) != PREP_OK)
		return st;
	if (s->slb && e->pass)
		raise_slb(s, node, e->sup, stack);
	if (s->monotone)
		mark(s, node, e->pass, e->pass ? PASS : FAIL, VERDICT, stack);
	else
		s->state[node] = (unsigned char)((s->state[node] & ~VERDICT) |
						 (e->pass ? PASS : FAIL));
	return PREP_OK;
}

/* The metric without suppression, from per-level sums (loss, gcp). */
static double
cheap_bound(const struct search *s, uint64_t node)
{
	const prep_recode_input *in = s->in;
	double sum[64], *sums = sum, v = 0;
	size_t j, d = s->d;

	if (s->metric == PREP_METRIC_GCP) {
		for (j = 0; j < d; j++)
			v += s->gncp[j * s->hmax +
				     (size_t)((node / s->stride[j]) %
					      s->height[j])];
		return in->rows && d ? v / ((double)in->rows * (double)d) : 0;
	}
	if (d > sizeof sum / sizeof *sum &&
	    (sums = calloc(d, sizeof *sums)) == NULL)
		return 0; /* no bound: every node is visited */
	for (j = 0; j < d; j++)
		sums[j] =
		    s->gshare[j * s->hmax +
			      (size_t)((node / s->stride[j]) % s->height[j])];
	v = prep_recode_loss(in, sums);
	if (sums != sum)
		free(sums);
	return v;
}

/* Is node a (with metric ma) better than b (mb)? */
static int
better(const struct search *s, uint64_t a, double ma, uint64_t b, double mb)
{
	size_t sa, sb;

	if (ma != mb)
		return ma < mb;
	sa = level_sum(s, a);
	sb = level_sum(s, b);
	return sa != sb ? sa < sb : a < b;
}

/* The nodes bottom-up: by sum of levels, then number (counting sort). */
static uint64_t *
bottom_up(const struct search *s)
{
	size_t maxsum = 0, j, *start;
	uint64_t *order = calloc(s->nodes, sizeof *order), x;

	for (j = 0; j < s->d; j++)
		maxsum += s->height[j] - 1;
	start = calloc(maxsum + 2, sizeof *start);
	if (order == NULL || start == NULL) {
		free(order);
		free(start);
		return NULL;
	}
	for (x = 0; x < s->nodes; x++)
		start[level_sum(s, x) + 1]++;
	for (j = 1; j <= maxsum + 1; j++)
		start[j] += start[j - 1];
	for (x = 0; x < s->nodes; x++)
		order[start[level_sum(s, x)]++] = x;
	free(start);
	return order;
}

/*
 * Every node's verdict, when it is monotone: from each node still
 * unknown, bottom-up, a path up through unknown nodes, binary searched
 * for its lowest passing node.
 */
static prep_status
verdicts(struct search *s, const uint64_t *order, uint64_t *stack,
	 uint64_t *path)
{
	uint64_t i;
	struct eval e;
	prep_status st;

	for (i = 0; i < s->nodes; i++) {
		uint64_t x = order[i];
		size_t len = 0, lo, hi, j;

		if (s->state[x] & VERDICT)
			continue;
		path[len++] = x;
		for (;;) {
			for (j = 0; j < s->d; j++) {
				size_t l =
				    (size_t)((x / s->stride[j]) % s->height[j]);

				if (l + 1 < s->height[j] &&
				    !(s->state[x + s->stride[j]] & VERDICT))
					break;
			}
			if (j == s->d)
				break;
			x += s->stride[j];
			path[len++] = x;
		}
		lo = 0;
		hi = len;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			unsigned char v = s->state[path[mid]] & VERDICT;

			if (v == UNKNOWN) {
				st = evaluate(s, path[mid], &e, stack);
				if (st != PREP_OK)
					return st;
				v = e.pass ? PASS : FAIL;
			}
			if (v == PASS)
				hi = mid;
			else
				lo = mid + 1;
		}
	}
	return PREP_OK;
}

/* Does the suppression bound rule node out against the best so far? */
static int
cannot_beat(const struct search *s, uint64_t node, double bm, uint64_t best)
{
	double b = suppression_bound(s, node);

	return b > bm || (b == bm && !better(s, node, bm, best, bm));
}

struct ranked {
	double bound;
	uint64_t node;
	size_t sum;
};

static int
by_rank(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->bound != y->bound)
		return x->bound < y->bound ? -1 : 1;
	if (x->sum != y->sum)
		return x->sum < y->sum ? -1 : 1;
	return (x->node > y->node) - (x->node < y->node);
}

/*
 * loss and gcp: nodes by their bound, the value without suppression;
 * stop once the bound is past the best.
 */
static prep_status
by_bound(struct search *s, uint64_t *stack, int *found, uint64_t *best)
{
	struct ranked *r = malloc(s->nodes * sizeof *r);
	uint64_t i, n = 0;
	double bm = 0;
	struct eval e;
	prep_status st = PREP_OK;

	if (r == NULL)
		return PREP_ERR_NOMEM;
	for (i = 0; i < s->nodes; i++) {
		if ((s->state[i] & VERDICT) == FAIL && s->monotone)
			continue;
		r[n].node = i;
		r[n].bound = cheap_bound(s, i);
		r[n].sum = level_sum(s, i);
		n++;
	}
	qsort(r, n, sizeof *r, by_rank);
	for (i = 0; i < n; i++) {
		uint64_t x = r[i].node;

		if (*found &&
		    (r[i].bound > bm ||
		     (r[i].bound == bm && !better(s, x, bm, *best, bm))))
			break;
		if ((s->state[x] & VERDICT) == FAIL)
			continue;
		if (*found && cannot_beat(s, x, bm, *best))
			continue;
		if ((s->state[x] & VERDICT) == PASS &&
		    s->in->params.max_suppress == 0) {
			e.pass = 1; /* nothing suppressed: the bound is exact */
			e.m = r[i].bound;
		} else if ((st = evaluate(s, x, &e, stack)) != PREP_OK) {
			break;
		} else if (s->in->params.max_suppress == 0) {
			e.m = r[i].bound; /* the same sum, in the same order */
		}
		if (e.pass && (!*found || better(s, x, e.m, *best, bm))) {
			*found = 1;
			*best = x;
			bm = e.m;
		}
	}
	free(r);
	return st;
}

/*
 * dm and aecs: nodes in number order (every node after all the nodes more
 * specific, and after the node one level lower in the last QI, whose
 * classes are then at hand to roll up); a counted node whose bound is
 * past the best rules out every node more general.
 */
static prep_status
by_level(struct search *s, uint64_t *stack, int *found, uint64_t *best)
{
	uint64_t i;
	double bm = 0;
	struct eval e;
	prep_status st;

	for (i = 0; i < s->nodes; i++) {
		uint64_t x = i;

		if ((s->state[x] & VERDICT) == FAIL && s->monotone)
			continue;
		if (s->state[x] & RULED_OUT)
			continue;
		if (*found && cannot_beat(s, x, bm, *best))
			continue;
		if ((st = evaluate(s, x, &e, stack)) != PREP_OK)
			return st;
		if (e.pass && (!*found || better(s, x, e.m, *best, bm))) {
			*found = 1;
			*best = x;
			bm = e.m;
		}
		if (*found && e.has_bound && e.bound > bm)
			mark(s, x, 1, RULED_OUT, RULED_OUT, stack);
	}
	return PREP_OK;
}

/* Per QI and level: the sums of the rows' shares and NCP. */
static prep_status
level_sums(struct search *s)
{
	const prep_recode_input *in = s->in;
	size_t j, l, t;

	s->gshare = calloc(s->d * s->hmax + 1, sizeof *s->gshare);
	s->gncp = calloc(s->d * s->hmax + 1, sizeof *s->gncp);
	s->smax = calloc(s->d * s->hmax + 1, sizeof *s->smax);
	s->nmax = calloc(s->d * s->hmax + 1, sizeof *s->nmax);
	if (!s->gshare || !s->gncp || !s->smax || !s->nmax)
		return PREP_ERR_NOMEM;
	for (t = 0; t < in->ntuples; t++)
		for (j = 0; j < s->d; j++) {
			const prep_recode_qi *q = &in->qi[j];
			uint32_t v = in->code[t * s->d + j];

			for (l = 0; l < q->height; l++) {
				uint32_t lab = q->label[l][v];

				s->gshare[j * s->hmax + l] +=
				    (double)in->count[t] * q->share[l][lab];
				s->gncp[j * s->hmax + l] +=
				    (double)in->count[t] * q->ncp[l][lab];
				if (q->share[l][lab] > s->smax[j * s->hmax + l])
					s->smax[j * s->hmax + l] =
					    q->share[l][lab];
				if (q->ncp[l][lab] > s->nmax[j * s->hmax + l])
					s->nmax[j * s->hmax + l] =
					    q->ncp[l][lab];
			}
		}
	return PREP_OK;
}

/* Each QI's labels at every level b of its labels at every a <= b. */
static prep_status
ups(struct search *s)
{
	const prep_recode_input *in = s->in;
	size_t j, a, b, v;

	if ((s->up = calloc(s->d + 1, sizeof *s->up)) == NULL)
		return PREP_ERR_NOMEM;
	for (j = 0; j < s->d; j++) {
		const prep_recode_qi *q = &in->qi[j];
		size_t h = q->height;

		if ((s->up[j] = calloc(h * h, sizeof **s->up)) == NULL)
			return PREP_ERR_NOMEM;
		for (a = 0; a < h; a++)
			for (b = a; b < h; b++) {
				uint32_t *p =
				    calloc(q->nlabels[a] ? q->nlabels[a] : 1,
					   sizeof *p);

				if ((s->up[j][a * h + b] = p) == NULL)
					return PREP_ERR_NOMEM;
				for (v = 0; v < q->nvalues; v++)
					p[q->label[a][v]] = q->label[b][v];
			}
	}
	return PREP_OK;
}

static void
search_free(struct search *s)
{
	size_t j, l, c;

	for (j = 0; s->up && j < s->d; j++) {
		size_t h = s->in->qi[j].height;

		for (l = 0; s->up[j] && l < h * h; l++)
			free(s->up[j][l]);
		free(s->up[j]);
	}
	free(s->up);
	free(s->keys);
	free(s->lab);
	for (c = 0; c < CACHE; c++)
		table_free(&s->cache[c]);
	free(s->base.lv);
	free(s->height);
	free(s->stride);
	free(s->state);
	free(s->gshare);
	free(s->gncp);
	free(s->smax);
	free(s->nmax);
	free(s->slb);
	free(s->kept);
	free(s->group);
	free(s->slot);
	free(s->kslot);
	free(s->shift);
	free(s->field);
	free(s->base_key);
	free(s->lv);
	prep_kanon_judge_free(s->judge);
}

prep_status
prep_lattice_nodes(const prep_recode_input *in, uint64_t *nodes)
{
	size_t j;

	*nodes = 1;
	for (j = 0; j < in->nqi; j++) {
		uint64_t h = in->qi[j].height;

		if (h == 0)
			return PREP_ERR_ARG;
		*nodes = *nodes > UINT64_MAX / h ? UINT64_MAX : *nodes * h;
	}
	return PREP_OK;
}

/*
 * Decide whether class tables are packed: QI j's labels (at every level)
 * in a field of the bits its largest label needs; if the fields fit in 64
 * bits, pack the data's tuples.
 */
static prep_status
pack(struct search *s)
{
	const prep_recode_input *in = s->in;
	size_t j, l, t, d = s->d;
	unsigned total = 0;

	s->shift = calloc(d + 1, sizeof *s->shift);
	s->field = calloc(d + 1, sizeof *s->field);
	if (!s->shift || !s->field)
		return PREP_ERR_NOMEM;
	for (j = 0; j < d; j++) {
		const prep_recode_qi *q = &in->qi[j];
		uint64_t most = q->nvalues;
		unsigned b = 0;

		for (l = 0; l < q->height; l++)
			if (q->nlabels[l] > most)
				most = q->nlabels[l];
		/* labels are 32-bit: at most 32 bits; a field of none
		 * (one label) is never shifted */
		while (b < 32 && (most - (most > 0)) >> b)
			b++;
		s->shift[j] = b ? total : 0;
		s->field[j] = ((uint64_t)1 << b) - 1;
		if ((total += b) > 64)
			return PREP_OK; /* vectors, not packed */
	}
	s->base_key =
	    malloc((in->ntuples ? in->ntuples : 1) * sizeof *s->base_key);
	if (s->base_key == NULL)
		return PREP_ERR_NOMEM;
	for (t = 0; t < in->ntuples; t++) {
		uint64_t k = 0;

		for (j = 0; j < d; j++)
			k |= (uint64_t)in->code[t * d + j] << s->shift[j];
		s->base_key[t] = k;
	}
	s->base.key = s->base_key; /* freed by search_free */
	s->packed = 1;
	return PREP_OK;
}

static prep_status
search_init(struct search *s, const prep_recode_input *in,
	    const prep_lattice_options *o)
{
	const prep_kanon_params *p = &in->params;
	uint64_t max = o->max_nodes ? o->max_nodes : PREP_LATTICE_MAX_NODES;
	size_t j, d = in->nqi, n = in->ntuples ? in->ntuples : 1;
	prep_siphash_key key;
	prep_status st;

	memset(s, 0, sizeof *s);
	s->in = in;
	s->d = d;
	s->metric = o->metric;
	if ((st = prep_lattice_nodes(in, &s->nodes)) != PREP_OK)
		return st;
	if (o->levels == NULL && s->nodes > max)
		return PREP_ERR_LIMIT;
	s->monotone =
	    p->max_suppress == 0 ||
	    (!p->check_t && (!p->check_l || p->ldiv == PREP_LDIV_DISTINCT));
	s->height = calloc(d + 1, sizeof *s->height);
	s->stride = calloc(d + 1, sizeof *s->stride);
	s->lv = calloc(d + 1, sizeof *s->lv);
	s->kept = malloc(n);
	s->group = malloc(n * sizeof *s->group);
	s->base.lv = calloc(d + 1, sizeof *s->base.lv);
	if (!s->height || !s->stride || !s->lv || !s->kept || !s->group ||
	    !s->base.lv)
		return PREP_ERR_NOMEM;
	for (j = 0; j < d; j++) {
		s->height[j] = in->qi[j].height;
		if (s->height[j] > s->hmax)
			s->hmax = s->height[j];
	}
	for (j = d; j-- > 0;)
		s->stride[j] =
		    j + 1 == d ? 1 : s->stride[j + 1] * s->height[j + 1];
	if (o->levels == NULL && (s->state = calloc(s->nodes, 1)) == NULL)
		return PREP_ERR_NOMEM;
	s->base.lab = in->code; /* borrowed, never written */
	if (!o->vectors && (st = pack(s)) != PREP_OK)
		return st;
	if (!s->packed) { /* the roll-up's scratch */
		s->keys = malloc(n * sizeof *s->keys);
		s->lab = malloc(n * (d ? d : 1) * sizeof *s->lab);
		if (!s->keys || !s->lab)
			return PREP_ERR_NOMEM;
	}
	prep_recode_tuples(in, &s->base.k);
	if ((st = prep_siphash_table_key(&key)) != PREP_OK)
		return st;
	s->seed = prep_siphash13(&key, "lattice", 7);
	if ((st = ups(s)) != PREP_OK || (st = level_sums(s)) != PREP_OK)
		return st;
	return prep_kanon_judge_new(p, in->svalue, in->nsvalues, &s->judge);
}

/* The result of node lv: the tuples' classes and released values. */
static prep_status
result_of(struct search *s, const size_t *lv, prep_recode_result *r)
{
	const prep_recode_input *in = s->in;
	struct table t;
	size_t i, j, d = s->d;
	uint64_t sup;
	int pass;
	prep_status st;

	if ((st = roll_up(s, &s->base, lv, &t)) != PREP_OK)
		return st;
	/* the last roll-up: its scratch makes room for the result */
	free(s->lab);
	free(s->keys);
	free(s->slot);
	free(s->kslot);
	s->lab = NULL;
	s->keys = NULL;
	s->slot = NULL;
	s->nslot = 0;
	s->kslot = NULL;
	s->nkslot = 0;
	st = prep_recode_result_init(r, in, t.k.n, 0);
	if (st == PREP_OK) {
		memcpy(r->class_of, s->group, in->ntuples * sizeof *s->group);
		r->levels = malloc((d ? d : 1) * sizeof *r->levels);
		if (r->levels == NULL)
			st = PREP_ERR_NOMEM;
	}
	if (st == PREP_OK) {
		memcpy(r->levels, lv, d * sizeof *lv);
		for (j = 0; j < d; j++) {
			const prep_recode_qi *q = &in->qi[j];

			r->values[j] = (prep_recode_values){
			    q->label_text[lv[j]], q->share[lv[j]],
			    q->ncp[lv[j]]};
		}
		for (i = 0; i < t.k.n; i++)
			for (j = 0; j < d; j++)
				r->label[i * d + j] = label_of(s, &t, i, j);
		table_free(&t); /* before finish counts the classes again */
		st = prep_recode_finish(in, r, &sup, &pass);
	}
	table_free(&t);
	return st;
}

prep_status
prep_lattice_search(const prep_recode_input *in, const prep_lattice_options *o,
		    prep_recode_result *r, int *found)
{
	struct search s;
	uint64_t *stack = NULL, *path = NULL, *order = NULL, best = 0;
	size_t j;
	uint64_t sup;
	prep_status st;

	*found = 0;
	memset(r, 0, sizeof *r);
	if ((st = search_init(&s, in, o)) != PREP_OK)
		goto out;
	if (o->levels) {
		for (j = 0; j < s.d; j++)
			if (o->levels[j] >= s.height[j]) {
				st = PREP_ERR_RANGE;
				goto out;
			}
		if ((st = result_of(&s, o->levels, r)) != PREP_OK)
			goto out;
		r->nodes_checked = 1;
		sup = 0;
		for (j = 0; j < r->nclasses; j++)
			if (!r->kept[j])
				sup += r->size[j];
		*found = prep_recode_within(in, sup);
		goto out;
	}
	stack = malloc(s.nodes * sizeof *stack);
	path = malloc((s.hmax * s.d + 1) * sizeof *path);
	order = bottom_up(&s);
	if (!stack || !path || !order) {
		st = PREP_ERR_NOMEM;
		goto out;
	}
	if (s.monotone && (st = verdicts(&s, order, stack, path)) != PREP_OK)
		goto out;
	if (s.metric == PREP_METRIC_LOSS || s.metric == PREP_METRIC_GCP)
		st = by_bound(&s, stack, found, &best);
	else
		st = by_level(&s, stack, found, &best);
	if (st != PREP_OK)
		goto out;
	if (!*found)
		best = s.nodes - 1; /* the most general node */
	decode(&s, best, s.lv);
	/* the counted tables are done with: the result needs the room */
	for (j = 0; j < CACHE; j++)
		table_free(&s.cache[j]);
	free(stack);
	free(order);
	stack = NULL;
	order = NULL;
	if ((st = result_of(&s, s.lv, r)) != PREP_OK)
		goto out;
	r->nodes_checked = s.checked;
out:
	free(stack);
	free(path);
	free(order);
	search_free(&s);
	if (st != PREP_OK)
		prep_recode_result_free(r);
	return st;
}
