/*
 * mondrian.c: kanon's local recoding, strict multidimensional
 * partitioning (LeFevre, DeWitt, Ramakrishnan, ICDE 2006) whose cuts are
 * chosen by the certainty penalty they leave (mondrian.h says which and
 * why).
 *
 * A partition is a range of perm[], the tuple ids; a split reorders its
 * range so that the left side comes first, so the finished classes are
 * ranges too. Pending partitions wait on an explicit stack of at most
 * ntuples entries. All scratch space is allocated once, in proportion to
 * the tuples, the QIs' values and labels, and the sensitive values.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mondrian.h"

/* Candidates weighed by lookahead (mondrian.h). */
#define LOOKAHEAD 2

enum kind { KIND_NUM, KIND_HIER, KIND_SET };

/* The orders a QI is cut along. */
enum order {
	ORDER_PLACE, /* the QI's own order: numbers, or bytes */
	ORDER_ROWS   /* by rows in the partition, most first, down the
			hierarchy when there is one */
};

/* A tuple in a sweep: key = rank of its value << 32 | tuple id. */
typedef uint64_t item;

/* A group of tuples as one QI sees it while it grows. */
struct run {
	double lo, hi;	 /* KIND_NUM: smallest and largest number */
	size_t level;	 /* KIND_HIER: lowest level with one label (height:
			    none) */
	uint32_t rep;	 /* KIND_HIER: a code of the group */
	size_t distinct; /* KIND_SET: values */
};

struct range {
	size_t lo, hi;
};

/* A cut: the sides of QI j's order (of kind ord) at cut. */
struct cand {
	double score; /* rows times NCP, both sides */
	size_t j, cut;
	enum order ord;
};

/* A label being ranked: under the parent's rank, most rows first. */
struct lab {
	uint64_t parent, rows, tie;
	uint32_t id;
};

struct mond {
	const prep_recode_input *in;
	size_t d;
	uint64_t k;
	enum kind *kind;
	uint32_t **place;   /* [j][code]: the code's place in QI j's order */
	uint32_t **code_at; /* [j][place]: the inverse */
	uint32_t **nrank;   /* [j][code]: KIND_NUM: rank of its number */
	uint64_t **cnt;	    /* [j][code]: KIND_SET: counters, 0 when idle */
	uint64_t ***lrows;  /* [j][level][label]: rows + 1, 0 when idle */
	uint32_t ***lrank;  /* [j][level][label]: rank in the order */
	struct lab *labs;
	size_t *perm, *saved;
	item *items, *spare;
	uint32_t *gcode;     /* [i * nwide + w]: codes in sweep order */
	uint64_t *gcount;    /* [i]: rows in sweep order */
	size_t *wide, nwide; /* the QIs with more than one value */
	double *pre, *suf, *ncp;
	uint64_t *prows;
	struct run *part;  /* [j]: the partition being weighed */
	struct run *sweep; /* [j]: a growing side */
	uint32_t *places;  /* a class's places of one QI */
	/* the checks */
	prep_kanon_judge *judge;
	int dist;	       /* l or t: sensitive counts are needed */
	uint64_t *tcnt, *lcnt; /* [value]: the partition's, the left's */
	struct cand *cands; /* with l or t: a sweep's cuts, to judge by score */
	size_t *present, npresent; /* the partition's values */
	prep_class_count *lside, *rside;
};

static void *
alloc0(size_t n, size_t size)
{
	return calloc(n ? n : 1, size);
}

static uint32_t
code_of(const struct mond *m, size_t t, size_t j)
{
	return m->in->code[t * m->d + j];
}

static size_t
item_tuple(item it)
{
	return (size_t)(it & UINT32_MAX);
}

/* The label of code c at level l (level 0: the code itself). */
static uint32_t
label_of(const prep_recode_qi *q, size_t l, uint32_t c)
{
	return l == 0 ? c : q->label[l][c];
}

static int
bytes_cmp(const prep_field *a, const prep_field *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int c = n ? memcmp(a->data, b->data, n) : 0;

	if (c)
		return c;
	return (a->len > b->len) - (a->len < b->len);
}

/* Codes of one QI being ordered (qsort has no context argument). */
struct ord {
	const prep_recode_qi *q;
	uint32_t code;
};

static int
by_bytes(const void *pa, const void *pb)
{
	const struct ord *a = pa, *b = pb;

	return bytes_cmp(&a->q->value[a->code], &b->q->value[b->code]);
}

/* Numbers ascending, then bytes. */
static int
by_number(const void *pa, const void *pb)
{
	const struct ord *a = pa, *b = pb;
	double x = a->q->number[a->code], y = a->q->number[b->code];

	if (x != y)
		return x < y ? -1 : 1;
	return by_bytes(pa, pb);
}

/*
 * Labels from the top level down, then bytes: the codes under any label
 * are contiguous.
 */
static int
by_labels(const void *pa, const void *pb)
{
	const struct ord *a = pa, *b = pb;
	const prep_recode_qi *q = a->q;
	size_t l;

	for (l = q->height; l-- > 1;) {
		uint32_t x = q->label[l][a->code], y = q->label[l][b->code];

		if (x != y)
			return x < y ? -1 : 1;
	}
	return by_bytes(pa, pb);
}

static int
by_u32(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;

	return (a > b) - (a < b);
}

/* Under the parent's rank, most rows first, then the QI's order. */
static int
by_lab(const void *pa, const void *pb)
{
	const struct lab *a = pa, *b = pb;

	if (a->parent != b->parent)
		return a->parent < b->parent ? -1 : 1;
	if (a->rows != b->rows)
		return a->rows > b->rows ? -1 : 1;
	return (a->tie > b->tie) - (a->tie < b->tie);
}

static enum kind
kind_of(const prep_recode_qi *q)
{
	if (q->numeric)
		return KIND_NUM;
	return q->height ? KIND_HIER : KIND_SET;
}

/* QI j's order of its codes: place, code_at and (numbers) nrank. */
static prep_status
order_qi(struct mond *m, size_t j)
{
	const prep_recode_qi *q = &m->in->qi[j];
	size_t n = q->nvalues, i;
	struct ord *o = alloc0(n, sizeof *o);

	m->place[j] = alloc0(n, sizeof **m->place);
	m->code_at[j] = alloc0(n, sizeof **m->code_at);
	m->nrank[j] = alloc0(n, sizeof **m->nrank);
	if (!o || !m->place[j] || !m->code_at[j] || !m->nrank[j]) {
		free(o);
		return PREP_ERR_NOMEM;
	}
	for (i = 0; i < n; i++) {
		o[i].q = q;
		o[i].code = (uint32_t)i;
	}
	qsort(o, n, sizeof *o,
	      m->kind[j] == KIND_NUM	? by_number
	      : m->kind[j] == KIND_HIER ? by_labels
					: by_bytes);
	for (i = 0; i < n; i++) {
		m->place[j][o[i].code] = (uint32_t)i;
		m->code_at[j][i] = o[i].code;
		if (m->kind[j] == KIND_NUM)
			m->nrank[j][o[i].code] =
			    i == 0 ? 0
				   : m->nrank[j][o[i - 1].code] +
					 (q->number[o[i].code] !=
					  q->number[o[i - 1].code]);
	}
	free(o);
	return PREP_OK;
}

/* The levels QI j's rows are counted at to rank its values by rows. */
static size_t
rank_levels(const struct mond *m, size_t j)
{
	switch (m->kind[j]) {
	case KIND_HIER:
		return m->in->qi[j].height;
	case KIND_SET:
		return 1;
	case KIND_NUM:
		break;
	}
	return 0;
}

static void
mond_free(struct mond *m)
{
	size_t j, l;

	for (j = 0; j < m->d; j++) {
		if (m->place)
			free(m->place[j]);
		if (m->code_at)
			free(m->code_at[j]);
		if (m->nrank)
			free(m->nrank[j]);
		if (m->cnt)
			free(m->cnt[j]);
		for (l = 0; m->lrows && m->lrows[j] && l < rank_levels(m, j);
		     l++)
			free(m->lrows[j][l]);
		for (l = 0; m->lrank && m->lrank[j] && l < rank_levels(m, j);
		     l++)
			free(m->lrank[j][l]);
		if (m->lrows)
			free(m->lrows[j]);
		if (m->lrank)
			free(m->lrank[j]);
	}
	free(m->kind);
	free(m->place);
	free(m->code_at);
	free(m->nrank);
	free(m->cnt);
	free(m->lrows);
	free(m->lrank);
	free(m->labs);
	free(m->perm);
	free(m->saved);
	free(m->items);
	free(m->spare);
	free(m->gcode);
	free(m->gcount);
	free(m->wide);
	free(m->pre);
	free(m->suf);
	free(m->ncp);
	free(m->prows);
	free(m->part);
	free(m->sweep);
	free(m->places);
	prep_kanon_judge_free(m->judge);
	free(m->tcnt);
	free(m->lcnt);
	free(m->present);
	free(m->lside);
	free(m->rside);
	free(m->cands);
}

/* QI j's counters: values (sets), rows and ranks of labels by level. */
static prep_status
qi_scratch(struct mond *m, size_t j)
{
	const prep_recode_qi *q = &m->in->qi[j];
	size_t nl = rank_levels(m, j), l;

	if (m->kind[j] == KIND_SET &&
	    (m->cnt[j] = alloc0(q->nvalues, sizeof **m->cnt)) == NULL)
		return PREP_ERR_NOMEM;
	if (nl == 0)
		return PREP_OK;
	m->lrows[j] = alloc0(nl, sizeof **m->lrows);
	m->lrank[j] = alloc0(nl, sizeof **m->lrank);
	if (!m->lrows[j] || !m->lrank[j])
		return PREP_ERR_NOMEM;
	for (l = 0; l < nl; l++) {
		size_t n = l == 0 ? q->nvalues : q->nlabels[l];

		m->lrows[j][l] = alloc0(n, sizeof ***m->lrows);
		m->lrank[j][l] = alloc0(n, sizeof ***m->lrank);
		if (!m->lrows[j][l] || !m->lrank[j][l])
			return PREP_ERR_NOMEM;
	}
	return PREP_OK;
}

static prep_status
mond_init(struct mond *m, const prep_recode_input *in)
{
	size_t d = in->nqi, T = in->ntuples, j, t, e;
	prep_status st;

	memset(m, 0, sizeof *m);
	m->in = in;
	m->d = d;
	m->k = in->params.k;
	m->dist = in->params.check_l || in->params.check_t;
	/* an item holds a tuple id in 32 bits, a code is 32 bits */
	if (T > UINT32_MAX)
		return PREP_ERR_LIMIT;
	m->kind = alloc0(d, sizeof *m->kind);
	m->place = alloc0(d, sizeof *m->place);
	m->code_at = alloc0(d, sizeof *m->code_at);
	m->nrank = alloc0(d, sizeof *m->nrank);
	m->cnt = alloc0(d, sizeof *m->cnt);
	m->lrows = alloc0(d, sizeof *m->lrows);
	m->lrank = alloc0(d, sizeof *m->lrank);
	m->labs = alloc0(T, sizeof *m->labs);
	m->perm = alloc0(T, sizeof *m->perm);
	m->saved = alloc0(T, sizeof *m->saved);
	m->items = alloc0(T, sizeof *m->items);
	m->spare = alloc0(T, sizeof *m->spare);
	m->gcode = alloc0(T * d, sizeof *m->gcode);
	m->gcount = alloc0(T, sizeof *m->gcount);
	m->wide = alloc0(d, sizeof *m->wide);
	m->pre = alloc0(T + 1, sizeof *m->pre);
	m->suf = alloc0(T + 1, sizeof *m->suf);
	m->ncp = alloc0(d, sizeof *m->ncp);
	m->prows = alloc0(T + 1, sizeof *m->prows);
	m->part = alloc0(d, sizeof *m->part);
	m->sweep = alloc0(d, sizeof *m->sweep);
	m->places = alloc0(T, sizeof *m->places);
	if (!m->kind || !m->place || !m->code_at || !m->nrank || !m->cnt ||
	    !m->lrows || !m->lrank || !m->labs || !m->perm || !m->saved ||
	    !m->items || !m->spare || !m->gcode || !m->gcount || !m->wide ||
	    !m->pre || !m->suf || !m->ncp || !m->prows || !m->part ||
	    !m->sweep || !m->places)
		return PREP_ERR_NOMEM;
	for (j = 0; j < d; j++) {
		m->kind[j] = kind_of(&in->qi[j]);
		if ((st = order_qi(m, j)) != PREP_OK ||
		    (st = qi_scratch(m, j)) != PREP_OK)
			return st;
	}
	for (t = 0; t < T; t++)
		m->perm[t] = t;
	st = prep_kanon_judge_new(&in->params, in->svalue, in->nsvalues,
				  &m->judge);
	if (st != PREP_OK || !m->dist)
		return st;
	m->tcnt = alloc0(in->nsvalues, sizeof *m->tcnt);
	m->lcnt = alloc0(in->nsvalues, sizeof *m->lcnt);
	m->present = alloc0(in->nsvalues, sizeof *m->present);
	m->lside = alloc0(in->nsvalues, sizeof *m->lside);
	m->rside = alloc0(in->nsvalues, sizeof *m->rside);
	m->cands = alloc0(T, sizeof *m->cands);
	if (!m->tcnt || !m->lcnt || !m->present || !m->lside || !m->rside ||
	    !m->cands)
		return PREP_ERR_NOMEM;
	/* t-closeness measures against the whole input's values */
	for (t = 0; t < T; t++)
		for (e = in->srun[t]; e < in->srun[t + 1]; e++)
			m->tcnt[in->scount[e].value] += in->scount[e].count;
	st = prep_kanon_judge_table(m->judge, m->tcnt);
	memset(m->tcnt, 0, in->nsvalues * sizeof *m->tcnt);
	return st;
}

/* ---- runs: a group's extent on one QI and its NCP ---- */

static void
run_start(struct mond *m, size_t j, struct run *r, uint32_t c)
{
	switch (m->kind[j]) {
	case KIND_NUM:
		r->lo = r->hi = m->in->qi[j].number[c];
		break;
	case KIND_HIER:
		r->level = 0;
		r->rep = c;
		break;
	case KIND_SET:
		m->cnt[j][c] = 1;
		r->distinct = 1;
		break;
	}
}

/* Add code c to r: does r change? */
static int
run_add(struct mond *m, size_t j, struct run *r, uint32_t c)
{
	const prep_recode_qi *q = &m->in->qi[j];
	size_t level;

	switch (m->kind[j]) {
	case KIND_NUM:
		if (q->number[c] < r->lo) {
			r->lo = q->number[c];
			return 1;
		}
		if (q->number[c] > r->hi) {
			r->hi = q->number[c];
			return 1;
		}
		return 0;
	case KIND_HIER:
		/* labels are consistent: once equal, equal above too */
		level = r->level;
		while (r->level < q->height &&
		       q->label[r->level][r->rep] != q->label[r->level][c])
			r->level++;
		return r->level != level;
	case KIND_SET:
		break;
	}
	if (m->cnt[j][c]++ == 0) {
		r->distinct++;
		return 1;
	}
	return 0;
}

/* The NCP of releasing the group (recode.h). */
static double
run_ncp(const struct mond *m, size_t j, const struct run *r)
{
	const prep_recode_qi *q = &m->in->qi[j];
	double range;

	switch (m->kind[j]) {
	case KIND_NUM:
		range = q->max - q->min;
		return range > 0 ? (r->hi - r->lo) / range : 0;
	case KIND_HIER:
		if (r->level >= q->height)
			return 1;
		return q->ncp[r->level][label_of(q, r->level, r->rep)];
	case KIND_SET:
		break;
	}
	return q->nvalues > 1
		   ? (double)(r->distinct - 1) / (double)(q->nvalues - 1)
		   : 0;
}

/* Does the group hold more than one value of QI j (can j cut it)? */
static int
run_wide(const struct mond *m, size_t j, const struct run *r)
{
	switch (m->kind[j]) {
	case KIND_NUM:
		return r->lo < r->hi;
	case KIND_HIER:
		return r->level > 0;
	case KIND_SET:
		break;
	}
	return r->distinct > 1;
}

/* The run of tuples perm[lo..hi) on QI j; its counters back to 0. */
static void
run_of(struct mond *m, size_t j, size_t lo, size_t hi, struct run *r)
{
	size_t i;

	for (i = lo; i < hi; i++) {
		uint32_t c = code_of(m, m->perm[i], j);

		if (i == lo)
			run_start(m, j, r, c);
		else
			(void)run_add(m, j, r, c);
	}
	if (m->kind[j] == KIND_SET)
		for (i = lo; i < hi; i++)
			m->cnt[j][code_of(m, m->perm[i], j)] = 0;
}

/*
 * The codes of the wide QIs and the rows of items[0..n), in that order,
 * into gcode and gcount: the sweeps then read them in sequence.
 */
static void
gather(struct mond *m, size_t n)
{
	size_t i, w, nw = m->nwide;

	for (i = 0; i < n; i++) {
		size_t t = item_tuple(m->items[i]);

		for (w = 0; w < nw; w++)
			m->gcode[i * nw + w] = code_of(m, t, m->wide[w]);
		m->gcount[i] = m->in->count[t];
	}
}

/* Set the counters the gathered codes of n items raised back to 0. */
static void
clear_counts(struct mond *m, size_t n)
{
	size_t i, w, nw = m->nwide;

	for (w = 0; w < nw; w++)
		if (m->kind[m->wide[w]] == KIND_SET)
			for (i = 0; i < n; i++)
				m->cnt[m->wide[w]][m->gcode[i * nw + w]] = 0;
}

/* ---- orders ---- */

/*
 * Rank the values of QI j in perm[lo..hi) by rows, most first, below
 * level top (a hierarchy's: ranks of the labels at top, then of the
 * labels below each, down to the codes, so that every label's codes stay
 * together; a set's: top 0, the codes alone). Ties go to the QI's order.
 * The codes' ranks end in lrank[j][0].
 */
static void
rank_by_rows(struct mond *m, size_t j, size_t lo, size_t hi, size_t top)
{
	const prep_recode_qi *q = &m->in->qi[j];
	size_t i, l, nl;

	for (l = top + 1; l-- > 0;) {
		uint64_t *rows = m->lrows[j][l];

		nl = 0;
		for (i = lo; i < hi; i++) {
			size_t t = m->perm[i];
			uint32_t c = code_of(m, t, j), id = label_of(q, l, c);

			if (rows[id] == 0) {
				struct lab *b = &m->labs[nl++];

				b->id = id;
				b->parent =
				    l == top ? 0
					     : m->lrank[j][l + 1]
						       [label_of(q, l + 1, c)];
				/* a hierarchy's labels come in file
				 * order, codes in the QI's */
				b->tie = l == 0 ? m->place[j][c] : id;
				rows[id] = 1;
			}
			rows[id] += m->in->count[t];
		}
		for (i = 0; i < nl; i++) {
			m->labs[i].rows = rows[m->labs[i].id];
			rows[m->labs[i].id] = 0;
		}
		qsort(m->labs, nl, sizeof *m->labs, by_lab);
		for (i = 0; i < nl; i++)
			m->lrank[j][l][m->labs[i].id] = (uint32_t)i;
	}
}

/*
 * Sort items[0..n) by rank (the key's high half), stably: LSD radix sort
 * by bytes of the ranks, insertion for short runs.
 */
static void
sort_items(struct mond *m, size_t n)
{
	item *a = m->items, *b = m->spare, *x;
	uint64_t high = 0;
	size_t i, shift;

	if (n < 64) {
		for (i = 1; i < n; i++) {
			item v = a[i];
			size_t h = i;

			for (; h > 0 && a[h - 1] >> 32 > v >> 32; h--)
				a[h] = a[h - 1];
			a[h] = v;
		}
		return;
	}
	for (i = 0; i < n; i++)
		high |= a[i] >> 32;
	for (shift = 32; shift < 64 && high >> (shift - 32); shift += 8) {
		size_t at[257] = {0};

		for (i = 0; i < n; i++)
			at[((a[i] >> shift) & 255) + 1]++;
		for (i = 1; i < 257; i++)
			at[i] += at[i - 1];
		for (i = 0; i < n; i++)
			b[at[(a[i] >> shift) & 255]++] = a[i];
		x = a;
		a = b;
		b = x;
	}
	if (a != m->items)
		memcpy(m->items, a, n * sizeof *a);
}

/*
 * The sweep of the partition perm[lo..hi) along QI j's order ord, into
 * items (part[j] must be the partition's run).
 */
static void
sweep_order(struct mond *m, size_t j, enum order ord, size_t lo, size_t hi)
{
	const prep_recode_qi *q = &m->in->qi[j];
	size_t n = hi - lo, i, top = 0;
	const uint32_t *rank = m->place[j];

	if (ord == ORDER_ROWS) {
		if (m->kind[j] == KIND_HIER) {
			/* the node's children and everything below */
			top = m->part[j].level - 1;
			if (top >= q->height)
				top = q->height - 1;
		}
		rank_by_rows(m, j, lo, hi, top);
		rank = m->lrank[j][0];
	}
	for (i = 0; i < n; i++) {
		size_t t = m->perm[lo + i];

		m->items[i] = (uint64_t)rank[code_of(m, t, j)] << 32 | t;
	}
	sort_items(m, n);
}

/* Do items a and b hold values a cut on QI j may part? */
static int
cut_between(const struct mond *m, size_t j, item a, item b)
{
	if (m->kind[j] == KIND_NUM)
		return m->nrank[j][code_of(m, item_tuple(a), j)] !=
		       m->nrank[j][code_of(m, item_tuple(b), j)];
	return a >> 32 != b >> 32;
}

/* The orders QI j is cut along: *n of them into ords. */
static size_t
orders_of(const struct mond *m, size_t j, enum order *ords)
{
	switch (m->kind[j]) {
	case KIND_NUM:
		ords[0] = ORDER_PLACE;
		return 1;
	case KIND_HIER:
		ords[0] = ORDER_ROWS;
		return 1;
	case KIND_SET:
		break;
	}
	ords[0] = ORDER_PLACE;
	ords[1] = ORDER_ROWS;
	return 2;
}

/* ---- the checks ---- */

/* Add tuple t's sensitive counts to acc; track: list new values. */
static void
add_sensitive(struct mond *m, uint64_t *acc, size_t t, int track)
{
	const prep_recode_input *in = m->in;
	size_t e;

	for (e = in->srun[t]; e < in->srun[t + 1]; e++) {
		size_t v = in->scount[e].value;

		if (track && acc[v] == 0)
			m->present[m->npresent++] = v;
		acc[v] += in->scount[e].count;
	}
}

/*
 * Judge the two sides of a cut, of lrows and rrows rows, the left's
 * sensitive counts in lcnt, the partition's in tcnt: *ok whether both
 * pass every check.
 */
static prep_status
judge_cut(struct mond *m, uint64_t lrows, uint64_t rrows, int *ok)
{
	size_t nl = 0, nr = 0, i;
	double l, t;
	int fl = 0, fr = 0;
	prep_status st;

	*ok = 0;
	for (i = 0; i < m->npresent; i++) {
		size_t v = m->present[i];

		if (m->lcnt[v]) {
			m->lside[nl].value = v;
			m->lside[nl++].count = m->lcnt[v];
		}
		if (m->tcnt[v] > m->lcnt[v]) {
			m->rside[nr].value = v;
			m->rside[nr++].count = m->tcnt[v] - m->lcnt[v];
		}
	}
	st = prep_kanon_judge_class(m->judge, lrows, m->dist ? m->lside : NULL,
				    nl, &l, &t, &fl);
	if (st == PREP_OK && fl == 0)
		st = prep_kanon_judge_class(m->judge, rrows,
					    m->dist ? m->rside : NULL, nr, &l,
					    &t, &fr);
	*ok = st == PREP_OK && fl == 0 && fr == 0;
	return st;
}

/* ---- choosing a cut ---- */

/*
 * Put the cut c among the best nc of best[0..max), ordered by score;
 * an equal score goes after those found before it.
 */
static void
keep_best(struct cand *best, size_t *nc, size_t max, const struct cand *c)
{
	size_t a = *nc < max ? (*nc)++ : max - 1;

	while (a > 0 && c->score < best[a - 1].score) {
		best[a] = best[a - 1];
		a--;
	}
	best[a] = *c;
}

/*
 * NCP sums of the prefixes (pre, prows) or suffixes (suf) of items, over
 * the partition's wide QIs: the others' NCP is 0 (one value).
 */
static void
sweep_ncp(struct mond *m, size_t n, int forward)
{
	size_t i, w, q;
	struct run *r = m->sweep;

	for (i = 0; i < n; i++) {
		size_t at = forward ? i : n - 1 - i;
		const uint32_t *code = &m->gcode[at * m->nwide];
		double s = 0;

		for (w = 0; w < m->nwide; w++) {
			uint32_t c = code[w];

			q = m->wide[w];

			if (i == 0) {
				run_start(m, q, &r[q], c);
				m->ncp[q] = run_ncp(m, q, &r[q]);
			} else if (run_add(m, q, &r[q], c))
				m->ncp[q] = run_ncp(m, q, &r[q]);
			s += m->ncp[q];
		}
		if (forward) {
			m->pre[i + 1] = s;
			m->prows[i + 1] = m->prows[i] + m->gcount[i];
		} else
			m->suf[at] = s;
	}
	clear_counts(m, n);
}

/* Cuts by score, then position (the order the sweep found them in). */
static int
by_score(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;

	if (a->score != b->score)
		return a->score < b->score ? -1 : 1;
	return (a->cut > b->cut) - (a->cut < b->cut);
}

/*
 * Judging a cut under l or t takes time in proportion to the
 * partition's distinct sensitive values, so those cuts are judged
 * cheapest first, and at most this many per sweep: a sweep whose
 * cheapest cuts all fail l or t is given up (time stays near linear in
 * the tuples however many sensitive values they hold).
 */
#define JUDGE_MAX 16

/*
 * Under l or t: the cuts of a sweep collected in m->cands[0..n), judged
 * cheapest first, each with its left side's counts built afresh.
 */
static prep_status
judge_by_score(struct mond *m, size_t n, uint64_t rows, struct cand *best,
	       size_t *nc, size_t max)
{
	size_t i, c, judged = 0;
	prep_status st = PREP_OK;
	int ok;

	qsort(m->cands, n, sizeof *m->cands, by_score);
	for (c = 0; c < n && judged < JUDGE_MAX && st == PREP_OK; c++) {
		const struct cand *cd = &m->cands[c];
		uint64_t lr = m->prows[cd->cut];

		if (*nc == max && !(cd->score < best[max - 1].score))
			break;
		for (i = 0; i < cd->cut; i++)
			add_sensitive(m, m->lcnt, item_tuple(m->items[i]), 0);
		st = judge_cut(m, lr, rows - lr, &ok);
		judged++;
		if (st == PREP_OK && ok)
			keep_best(best, nc, max, cd);
		for (i = 0; i < m->npresent; i++)
			m->lcnt[m->present[i]] = 0;
	}
	return st;
}

/*
 * Every cut of QI j along order ord in the partition perm[lo..hi) of
 * rows rows, each weighed by the NCP its two sides leave (rows times the
 * sum over QIs of the NCP of their tight release); those both of whose
 * sides pass the judge go into best[0..max) as keep_best keeps them.
 */
static prep_status
weigh_cuts(struct mond *m, size_t j, enum order ord, size_t lo, size_t hi,
	   uint64_t rows, struct cand *best, size_t *nc, size_t max)
{
	size_t n = hi - lo, i, ncand = 0;
	struct cand c;
	prep_status st = PREP_OK;
	int ok;

	sweep_order(m, j, ord, lo, hi);
	m->prows[0] = 0;
	gather(m, n);
	sweep_ncp(m, n, 1);
	sweep_ncp(m, n, 0);
	c.j = j;
	c.ord = ord;
	for (i = 1; i < n && st == PREP_OK; i++) {
		uint64_t lr = m->prows[i], rr = rows - lr;

		if (!cut_between(m, j, m->items[i - 1], m->items[i]))
			continue;
		/* the judge would fail a side on k: spare building it */
		if (lr < m->k || rr < m->k)
			continue;
		c.score = (double)lr * m->pre[i] + (double)rr * m->suf[i];
		c.cut = i;
		if (*nc == max && !(c.score < best[max - 1].score))
			continue;
		if (m->dist)
			m->cands[ncand++] = c;
		else if ((st = judge_cut(m, lr, rr, &ok)) == PREP_OK && ok)
			keep_best(best, nc, max, &c);
	}
	if (m->dist && st == PREP_OK)
		st = judge_by_score(m, ncand, rows, best, nc, max);
	return st;
}

/*
 * The best max cuts of the partition perm[lo..hi) into best[0..*nc)
 * (none when no cut passes), and *own, the NCP (rows times the sum over
 * QIs) of releasing it whole.
 */
static prep_status
best_cuts(struct mond *m, size_t lo, size_t hi, struct cand *best, size_t max,
	  size_t *nc, double *own)
{
	size_t i, j, w, o, no;
	uint64_t rows = 0;
	enum order ords[2];
	prep_status st = PREP_OK;

	*nc = 0;
	*own = 0;
	for (i = lo; i < hi; i++)
		rows += m->in->count[m->perm[i]];
	m->nwide = 0;
	for (j = 0; j < m->d; j++) {
		run_of(m, j, lo, hi, &m->part[j]);
		*own += run_ncp(m, j, &m->part[j]);
		if (run_wide(m, j, &m->part[j]))
			m->wide[m->nwide++] = j;
	}
	*own *= (double)rows;
	if (hi - lo < 2 || rows / 2 < m->k)
		return PREP_OK; /* no cut leaves k rows on both sides */
	m->npresent = 0;
	if (m->dist)
		for (i = lo; i < hi; i++)
			add_sensitive(m, m->tcnt, m->perm[i], 1);
	for (w = 0; w < m->nwide && st == PREP_OK; w++) {
		j = m->wide[w];
		no = orders_of(m, j, ords);
		for (o = 0; o < no && st == PREP_OK; o++)
			st = weigh_cuts(m, j, ords[o], lo, hi, rows, best, nc,
					max);
	}
	for (i = 0; i < m->npresent; i++)
		m->tcnt[m->present[i]] = 0;
	m->npresent = 0;
	return st;
}

/* Reorder perm[lo..hi) along cut c's order: its left side first. */
static void
apply_cut(struct mond *m, size_t lo, size_t hi, const struct cand *c)
{
	size_t i;

	run_of(m, c->j, lo, hi, &m->part[c->j]);
	sweep_order(m, c->j, c->ord, lo, hi);
	for (i = 0; i < hi - lo; i++)
		m->perm[lo + i] = item_tuple(m->items[i]);
}

/* What a side is worth: the NCP after its best cut, or its own. */
static prep_status
side_value(struct mond *m, size_t lo, size_t hi, double *v)
{
	struct cand c;
	size_t nc;
	double own;
	prep_status st = best_cuts(m, lo, hi, &c, 1, &nc, &own);

	*v = nc ? c.score : own;
	return st;
}

/*
 * Split the partition perm[lo..hi) if a cut passes: *mid (lo when none)
 * gets where its right side starts, perm[lo..hi) reordered. Of the best
 * LOOKAHEAD cuts, the one whose sides' own best cuts leave the least.
 */
static prep_status
split(struct mond *m, size_t lo, size_t hi, size_t *mid)
{
	struct cand best[LOOKAHEAD];
	size_t nc, a, pick = 0, n = hi - lo;
	double own, v, w, least = HUGE_VAL;
	prep_status st;

	*mid = lo;
	st = best_cuts(m, lo, hi, best, LOOKAHEAD, &nc, &own);
	if (st != PREP_OK || nc == 0)
		return st;
	if (nc > 1) {
		memcpy(m->saved, &m->perm[lo], n * sizeof *m->saved);
		for (a = 0; a < nc && st == PREP_OK; a++) {
			apply_cut(m, lo, hi, &best[a]);
			st = side_value(m, lo, lo + best[a].cut, &v);
			if (st == PREP_OK)
				st = side_value(m, lo + best[a].cut, hi, &w);
			if (st == PREP_OK && v + w < least) {
				least = v + w;
				pick = a;
			}
			memcpy(&m->perm[lo], m->saved, n * sizeof *m->saved);
		}
		if (st != PREP_OK)
			return st;
	}
	apply_cut(m, lo, hi, &best[pick]);
	*mid = lo + best[pick].cut;
	return PREP_OK;
}

/* The partition of every tuple into classes: their ranges of perm. */
static prep_status
partition(struct mond *m, struct range *cls, size_t *ncls)
{
	size_t T = m->in->ntuples, sp = 0, mid;
	struct range *stack = alloc0(T, sizeof *stack), p;
	prep_status st = PREP_OK;

	*ncls = 0;
	if (stack == NULL)
		return PREP_ERR_NOMEM;
	/*
	 * The pending partitions and the classes are disjoint, nonempty
	 * ranges of tuples, so the stack never holds more than T.
	 */
	if (T > 0)
		stack[sp++] = (struct range){0, T};
	while (sp > 0) {
		p = stack[--sp];
		if ((st = split(m, p.lo, p.hi, &mid)) != PREP_OK)
			break;
		if (mid == p.lo) {
			cls[(*ncls)++] = p;
			continue;
		}
		/* the left side first: classes come in the cuts' order */
		stack[sp++] = (struct range){mid, p.hi};
		stack[sp++] = (struct range){p.lo, mid};
	}
	free(stack);
	return st;
}

/* ---- releases ---- */

static prep_status
append_field(prep_buf *b, const prep_field *f)
{
	return prep_buf_append(b, f->data, f->len);
}

/* A numeric QI's release: LO-HI, or the one value. */
static prep_status
release_num(struct mond *m, size_t j, size_t lo, size_t hi, prep_buf *b,
	    double *share, double *ncp)
{
	const prep_recode_qi *q = &m->in->qi[j];
	uint32_t pmin = UINT32_MAX, pmax = 0, a, z;
	double range = q->max - q->min;
	size_t i;
	prep_status st;

	/* places follow the numbers: the ends are the bounds */
	for (i = lo; i < hi; i++) {
		uint32_t p = m->place[j][code_of(m, m->perm[i], j)];

		pmin = p < pmin ? p : pmin;
		pmax = p > pmax ? p : pmax;
	}
	a = m->code_at[j][pmin];
	z = m->code_at[j][pmax];
	st = append_field(b, &q->value[a]);
	if (st == PREP_OK && q->number[a] != q->number[z]) {
		st = prep_buf_append_byte(b, '-');
		if (st == PREP_OK)
			st = append_field(b, &q->value[z]);
	}
	/* the data values inside, those equal to the ends included */
	while (pmin > 0 && q->number[m->code_at[j][pmin - 1]] == q->number[a])
		pmin--;
	while (pmax + 1 < q->nvalues &&
	       q->number[m->code_at[j][pmax + 1]] == q->number[z])
		pmax++;
	*share = (double)(pmax - pmin + 1) / prep_recode_domain(q);
	*ncp = range > 0 ? (q->number[z] - q->number[a]) / range : 0;
	return st;
}

/* A hierarchy QI's release: the lowest label over all the values. */
static prep_status
release_hier(struct mond *m, size_t j, size_t lo, size_t hi, prep_buf *b,
	     double *share, double *ncp)
{
	const prep_recode_qi *q = &m->in->qi[j];
	struct run r;
	uint32_t id;

	run_of(m, j, lo, hi, &r);
	if (r.level >= q->height) {
		/* no label holds them all: the whole domain */
		*share = *ncp = 1;
		return prep_buf_append_byte(b, '*');
	}
	id = label_of(q, r.level, r.rep);
	*share = q->share[r.level][id];
	*ncp = q->ncp[r.level][id];
	return append_field(b, r.level ? &q->label_text[r.level][id]
				       : &q->value[id]);
}

/* A set QI's release: its values in byte order, or '*' for all. */
static prep_status
release_set(struct mond *m, size_t j, size_t lo, size_t hi, prep_buf *b,
	    double *share, double *ncp)
{
	const prep_recode_qi *q = &m->in->qi[j];
	uint32_t *pl = m->places;
	size_t i, nd = 0;
	prep_status st = PREP_OK;

	for (i = lo; i < hi; i++) {
		uint32_t c = code_of(m, m->perm[i], j);

		if (m->cnt[j][c]++ == 0)
			pl[nd++] = m->place[j][c];
	}
	for (i = 0; i < nd; i++)
		m->cnt[j][m->code_at[j][pl[i]]] = 0;
	*share = (double)nd / (double)q->nvalues;
	*ncp = q->nvalues > 1 ? (double)(nd - 1) / (double)(q->nvalues - 1) : 0;
	if (nd == q->nvalues && nd > 1)
		return prep_buf_append_byte(b, '*');
	qsort(pl, nd, sizeof *pl, by_u32);
	for (i = 0; i < nd && st == PREP_OK; i++) {
		if (i > 0)
			st = prep_buf_append_byte(b, '|');
		if (st == PREP_OK)
			st = append_field(b, &q->value[m->code_at[j][pl[i]]]);
	}
	return st;
}

/* Class c's release of every QI into r; the text's offsets into off. */
static prep_status
release_class(struct mond *m, size_t c, const struct range *cls,
	      prep_recode_result *r, size_t *off)
{
	size_t d = m->d, i, j;
	prep_status st = PREP_OK;

	for (i = cls->lo; i < cls->hi; i++)
		r->class_of[m->perm[i]] = c;
	for (j = 0; j < d && st == PREP_OK; j++) {
		size_t at = r->text.len, x = c * d + j;
		double *sh = &r->share[x], *nc = &r->ncp[x];

		switch (m->kind[j]) {
		case KIND_NUM:
			st = release_num(m, j, cls->lo, cls->hi, &r->text, sh,
					 nc);
			break;
		case KIND_HIER:
			st = release_hier(m, j, cls->lo, cls->hi, &r->text, sh,
					  nc);
			break;
		case KIND_SET:
			st = release_set(m, j, cls->lo, cls->hi, &r->text, sh,
					 nc);
			break;
		}
		off[x] = at;
		r->release[x].len = r->text.len - at;
		/* each text NUL-terminated, as fields are */
		if (st == PREP_OK)
			st = prep_buf_append_byte(&r->text, '\0');
	}
	return st;
}

/* A class's released tuple, for finding equal ones. */
struct tuple {
	const prep_field *rel;
	size_t d, id;
};

static int
by_tuple(const void *pa, const void *pb)
{
	const struct tuple *a = pa, *b = pb;
	size_t j;
	int c;

	for (j = 0; j < a->d; j++)
		if ((c = bytes_cmp(&a->rel[j], &b->rel[j])) != 0)
			return c;
	return (a->id > b->id) - (a->id < b->id);
}

/*
 * Classes whose released tuples are equal are one class to whoever reads
 * the release (kcheck): make them one, numbered in order of their first
 * class. A union of classes that pass every check passes it too (sizes
 * add; l-diversity is monotone, Machanavajjhala et al. 2006; the
 * distances of t-closeness are convex in the class's distribution).
 */
static prep_status
merge_equal(const prep_recode_input *in, prep_recode_result *r)
{
	size_t n = r->nclasses, d = in->nqi, c, i, next = 0;
	struct tuple *tu = alloc0(n, sizeof *tu);
	size_t *to = alloc0(n, sizeof *to);

	if (tu == NULL || to == NULL) {
		free(tu);
		free(to);
		return PREP_ERR_NOMEM;
	}
	for (c = 0; c < n; c++) {
		tu[c].rel = &r->release[c * d];
		tu[c].d = d;
		tu[c].id = c;
		to[c] = c;
	}
	qsort(tu, n, sizeof *tu, by_tuple);
	for (i = 1; i < n; i++)
		if (by_tuple(&(struct tuple){tu[i].rel, d, 0},
			     &(struct tuple){tu[i - 1].rel, d, 0}) == 0)
			to[tu[i].id] = to[tu[i - 1].id];
	for (c = 0; c < n; c++) {
		if (to[c] != c) {
			to[c] = to[to[c]]; /* already renumbered */
			continue;
		}
		to[c] = next;
		memmove(&r->release[next * d], &r->release[c * d],
			d * sizeof *r->release);
		memmove(&r->share[next * d], &r->share[c * d],
			d * sizeof *r->share);
		memmove(&r->ncp[next * d], &r->ncp[c * d], d * sizeof *r->ncp);
		next++;
	}
	for (i = 0; i < in->ntuples; i++)
		r->class_of[i] = to[r->class_of[i]];
	r->nclasses = next;
	free(tu);
	free(to);
	return PREP_OK;
}

prep_status
prep_mondrian(const prep_recode_input *in, prep_recode_result *r)
{
	struct mond m;
	struct range *cls = NULL;
	size_t ncls = 0, c, i, d = in->nqi, *off = NULL;
	prep_status st;

	memset(r, 0, sizeof *r);
	st = mond_init(&m, in);
	if (st == PREP_OK && (cls = alloc0(in->ntuples, sizeof *cls)) == NULL)
		st = PREP_ERR_NOMEM;
	if (st == PREP_OK)
		st = partition(&m, cls, &ncls);
	if (st == PREP_OK)
		st = prep_recode_result_init(r, in, ncls, 1);
	if (st == PREP_OK && (off = alloc0(ncls * d, sizeof *off)) == NULL)
		st = PREP_ERR_NOMEM;
	for (c = 0; c < ncls && st == PREP_OK; c++)
		st = release_class(&m, c, &cls[c], r, off);
	/* the text has stopped moving: point the releases into it */
	for (i = 0; st == PREP_OK && i < ncls * d; i++)
		r->release[i].data = r->text.data + off[i];
	if (st == PREP_OK && d > 0)
		st = merge_equal(in, r);
	free(off);
	free(cls);
	mond_free(&m);
	if (st != PREP_OK)
		prep_recode_result_free(r);
	return st;
}
