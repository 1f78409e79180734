/*
 * kanon.c: the figures and checks of kcheck over a table of classes
 * (see kanon.h for the definitions and their sources).
 *
 * Everything is computed from the class table, never from rows: sizes
 * for k-anonymity and risk, the per-class counts of sensitive values for
 * l-diversity and t-closeness. Suppression only marks classes as gone, so
 * the figures of what is left come from the same table.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "json.h"
#include "kanon.h"
#include "text.h"

void
prep_kanon_params_init(prep_kanon_params *p)
{
	memset(p, 0, sizeof *p);
	p->k = 2;
	p->max_suppress = 0.05;
	p->l = 1;
	p->ldiv = PREP_LDIV_DISTINCT;
	p->c = 1;
	p->t = 1;
}

const char *
prep_kanon_ldiv_name(prep_ldiv v)
{
	return v == PREP_LDIV_ENTROPY	  ? "entropy"
	       : v == PREP_LDIV_RECURSIVE ? "recursive"
					  : "distinct";
}

prep_status
prep_kanon_ldiv_parse(const char *name, prep_ldiv *v)
{
	if (strcmp(name, "distinct") == 0)
		*v = PREP_LDIV_DISTINCT;
	else if (strcmp(name, "entropy") == 0)
		*v = PREP_LDIV_ENTROPY;
	else if (strcmp(name, "recursive") == 0)
		*v = PREP_LDIV_RECURSIVE;
	else
		return PREP_ERR_ARG;
	return PREP_OK;
}

int
prep_kanon_class_kept(const prep_classes *c, const prep_kanon_params *p,
		      size_t id)
{
	return !p->suppress || prep_classes_size(c, id) >= p->k;
}

void
prep_kanon_report_free(prep_kanon_report *r)
{
	free(r->histogram);
	r->histogram = NULL;
	r->nhistogram = 0;
}

static int
by_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static int
by_count_desc(const void *a, const void *b)
{
	uint64_t x = ((const prep_class_count *)a)->count;
	uint64_t y = ((const prep_class_count *)b)->count;

	return (x < y) - (x > y);
}

static int
by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * The sum of terms[0..n), added in ascending order (terms reordered): a
 * floating-point sum that does not depend on the order the terms came in,
 * which follows the ids of the sensitive values, and those follow the
 * order the rows were read in. The same classes read in another order,
 * or merged from the partials of parts (kcheck --merge), then give the
 * same figures to the last bit.
 */
static double
sum_sorted(double *terms, size_t n)
{
	double s = 0;
	size_t i;

	qsort(terms, n, sizeof *terms, by_double);
	for (i = 0; i < n; i++)
		s += terms[i];
	return s;
}

/*
 * The l of one class with counts cnt[0..n) (size rows), and whether it
 * satisfies L (Machanavajjhala et al. 2006, definitions 4.1 and 4.3).
 * distinct: n; entropy: exp(-sum p ln p); recursive (c,l): the largest l
 * with r_1 < c (r_l + ... + r_n), counts sorted descending, 0 if none.
 * cnt may be reordered; terms has room for n.
 */
static double
class_l(prep_class_count *cnt, size_t n, uint64_t size,
	const prep_kanon_params *p, double *terms, int *ok)
{
	size_t i;

	switch (p->ldiv) {
	case PREP_LDIV_DISTINCT:
		*ok = (double)n >= p->l;
		return (double)n;
	case PREP_LDIV_ENTROPY: {
		double h;

		for (i = 0; i < n; i++) {
			double q = (double)cnt[i].count / (double)size;

			terms[i] = q * log(q);
		}
		h = -sum_sorted(terms, n);
		*ok = prep_gate_at_least(h, log(p->l));
		return exp(h);
	}
	case PREP_LDIV_RECURSIVE: {
		double tail = 0;
		size_t best = 0;

		qsort(cnt, n, sizeof *cnt, by_count_desc);
		/* tail = r_l + ... + r_n for l = n down to 1 */
		for (i = n; i >= 1; i--) {
			tail += (double)cnt[i - 1].count;
			if ((double)cnt[0].count < p->c * tail) {
				best = i;
				break;
			}
		}
		*ok = (double)best >= p->l;
		return (double)best;
	}
	}
	*ok = 0;
	return 0;
}

/* The sensitive values' numbers and ranks, for the ordered distance. */
struct order {
	size_t m;     /* distinct numbers */
	size_t *rank; /* per value id */
	double *q;    /* per value id: share of the released rows */
	double *qcum; /* per rank: sum of q up to and including it */
	double *qsum; /* per rank r: sum of qcum[0..r) */
};

struct numval {
	double x;
	double q; /* its share: values equal as numbers add up in one order */
	size_t id;
};

static int
by_number(const void *a, const void *b)
{
	const struct numval *u = a, *v = b;

	if (u->x != v->x)
		return (u->x > v->x) - (u->x < v->x);
	return (u->q > v->q) - (u->q < v->q);
}

/*
 * Sum over ranks i in [lo, hi) of |a - qcum[i]|. qcum is nondecreasing, so
 * the terms change sign once: find where by bisection and use the prefix
 * sums qsum.
 */
static double
abs_sum(const struct order *o, size_t lo, size_t hi, double a)
{
	size_t l = lo, h = hi;

	while (l < h) {
		size_t mid = l + (h - l) / 2;

		if (o->qcum[mid] < a)
			l = mid + 1;
		else
			h = mid;
	}
	return a * (double)(l - lo) - (o->qsum[l] - o->qsum[lo]) +
	       (o->qsum[hi] - o->qsum[l]) - a * (double)(hi - l);
}

/*
 * Ordered distance of a class to the table (Li et al. 2007, §4.2):
 * (1/(m-1)) sum_i |sum_{j<=i} (p_j - q_j)|. The class's cumulative share
 * is a step function of the rank, so each step is summed in one piece.
 */
static double
ordered_distance(const struct order *o, const prep_class_count *cnt, size_t n,
		 uint64_t size, double *pbuf, size_t *rbuf)
{
	size_t i, nr = 0, at = 0;
	double total = 0, a = 0;

	if (o->m <= 1)
		return 0;
	/* shares by rank (values equal as numbers share a rank) */
	for (i = 0; i < n; i++) {
		rbuf[i] = o->rank[cnt[i].value];
		pbuf[i] = (double)cnt[i].count / (double)size;
	}
	/*
	 * sort the class's entries by rank, and values of one rank by share
	 * (so they add up in one order): insertion, classes are small
	 */
	for (i = 1; i < n; i++) {
		size_t r = rbuf[i], j = i;
		double pv = pbuf[i];

		for (; j > 0 && (rbuf[j - 1] > r ||
				 (rbuf[j - 1] == r && pbuf[j - 1] > pv));
		     j--) {
			rbuf[j] = rbuf[j - 1];
			pbuf[j] = pbuf[j - 1];
		}
		rbuf[j] = r;
		pbuf[j] = pv;
	}
	for (i = 0; i < n; i++) {
		size_t r = rbuf[i];

		if (i > 0 && r == rbuf[nr - 1]) {
			pbuf[nr - 1] += pbuf[i];
			continue;
		}
		rbuf[nr] = r;
		pbuf[nr] = pbuf[i];
		nr++;
	}
	for (i = 0; i < nr; i++) {
		total += abs_sum(o, at, rbuf[i], a);
		a += pbuf[i];
		at = rbuf[i];
	}
	total += abs_sum(o, at, o->m, a);
	return total / (double)(o->m - 1);
}

/*
 * Equal distance: 1/2 sum_v |p_v - q_v| over every value of the table;
 * terms has room for n.
 */
static double
equal_distance(const double *q, const prep_class_count *cnt, size_t n,
	       uint64_t size, double *terms)
{
	double s = 1; /* sum of q over all values */
	size_t i;

	for (i = 0; i < n; i++) {
		double pv = (double)cnt[i].count / (double)size;
		double qv = q[cnt[i].value];

		terms[i] = fabs(pv - qv) - qv;
	}
	s += sum_sorted(terms, n);
	return s / 2 > 0 ? s / 2 : 0;
}

static void
order_free(struct order *o)
{
	free(o->rank);
	free(o->q);
	free(o->qcum);
	free(o->qsum);
	memset(o, 0, sizeof *o);
	/* said again for the static analyzer, which does not see memset's */
	o->rank = NULL;
	o->q = o->qcum = o->qsum = NULL;
}

struct prep_kanon_judge {
	prep_kanon_params p;
	const prep_field *values; /* the sensitive values, by id */
	size_t nv;
	struct order o; /* of the table set by prep_kanon_judge_table */
	int numeric;	/* the ordered distance applies */
	int has_table;
	prep_class_count *work; /* a class's counts, reordered */
	double *pbuf;
	size_t *rbuf;
	size_t cap;
};

prep_status
prep_kanon_judge_new(const prep_kanon_params *p, const prep_field *values,
		     size_t nvalues, prep_kanon_judge **out)
{
	prep_kanon_judge *j = calloc(1, sizeof *j);

	*out = NULL;
	if (j == NULL)
		return PREP_ERR_NOMEM;
	j->p = *p;
	j->values = values;
	j->nv = nvalues;
	*out = j;
	return PREP_OK;
}

void
prep_kanon_judge_free(prep_kanon_judge *j)
{
	if (j == NULL)
		return;
	order_free(&j->o);
	free(j->work);
	free(j->pbuf);
	free(j->rbuf);
	free(j);
}

/*
 * The distribution of the sensitive values over the released rows
 * (counts by value id); ranks when every released value is a number, in
 * which case the ordered distance applies.
 */
prep_status
prep_kanon_judge_table(prep_kanon_judge *j, const uint64_t *counts)
{
	struct order *o = &j->o;
	size_t nv = j->nv, i, n = 0;
	uint64_t rows = 0;
	struct numval *nums;

	order_free(o);
	j->has_table = 1;
	o->q = calloc(nv ? nv : 1, sizeof *o->q);
	o->rank = calloc(nv ? nv : 1, sizeof *o->rank);
	nums = malloc((nv ? nv : 1) * sizeof *nums);
	if (!o->q || !o->rank || !nums) {
		free(nums);
		return PREP_ERR_NOMEM;
	}
	for (i = 0; i < nv; i++)
		rows += counts[i];
	j->numeric = 1;
	for (i = 0; i < nv; i++) {
		if (counts[i] == 0)
			continue; /* only in suppressed rows */
		o->q[i] = (double)counts[i] / (double)rows;
		if (prep_parse_number(j->values[i].data, j->values[i].len,
				      &nums[n].x) != PREP_OK)
			j->numeric = 0;
		nums[n].q = o->q[i];
		nums[n++].id = i;
	}
	if (j->numeric) {
		size_t m = 0;

		qsort(nums, n, sizeof *nums, by_number);
		o->qcum = calloc(n + 1, sizeof *o->qcum);
		o->qsum = calloc(n + 2, sizeof *o->qsum);
		if (!o->qcum || !o->qsum) {
			free(nums);
			return PREP_ERR_NOMEM;
		}
		for (i = 0; i < n; i++) {
			if (i > 0 && nums[i].x != nums[i - 1].x)
				m++;
			o->rank[nums[i].id] = m;
			o->qcum[m] += o->q[nums[i].id];
		}
		o->m = n ? m + 1 : 0;
		for (i = 1; i < o->m; i++)
			o->qcum[i] += o->qcum[i - 1];
		for (i = 0; i < o->m; i++)
			o->qsum[i + 1] = o->qsum[i] + o->qcum[i];
	}
	free(nums);
	return PREP_OK;
}

int
prep_kanon_judge_ordered(const prep_kanon_judge *j)
{
	return j->numeric;
}

prep_status
prep_kanon_judge_class(prep_kanon_judge *j, uint64_t size,
		       const prep_class_count *cnt, size_t n, double *l,
		       double *t, int *fails)
{
	const prep_kanon_params *p = &j->p;
	int ok;

	*fails = size < p->k ? PREP_KANON_FAIL_K : 0;
	*l = *t = 0;
	if (!p->check_l && !p->check_t)
		return PREP_OK;
	if (n > j->cap) {
		size_t cap = n > 2 * j->cap ? n : 2 * j->cap;
		prep_class_count *w = realloc(j->work, cap * sizeof *w);
		double *pb;
		size_t *rb;

		if (w == NULL)
			return PREP_ERR_NOMEM;
		j->work = w;
		if ((pb = realloc(j->pbuf, cap * sizeof *pb)) == NULL)
			return PREP_ERR_NOMEM;
		j->pbuf = pb;
		if ((rb = realloc(j->rbuf, cap * sizeof *rb)) == NULL)
			return PREP_ERR_NOMEM;
		j->rbuf = rb;
		j->cap = cap;
	}
	if (n)
		memcpy(j->work, cnt, n * sizeof *cnt);
	if (p->check_l) {
		*l = class_l(j->work, n, size, p, j->pbuf, &ok);
		if (!ok)
			*fails |= PREP_KANON_FAIL_L;
	}
	if (p->check_t) {
		if (!j->has_table)
			return PREP_ERR_ARG;
		*t = j->numeric ? ordered_distance(&j->o, cnt, n, size, j->pbuf,
						   j->rbuf)
				: equal_distance(j->o.q, cnt, n, size, j->pbuf);
		if (!prep_gate_at_most(*t, p->t))
			*fails |= PREP_KANON_FAIL_T;
	}
	return PREP_OK;
}

static prep_status
check_params(const prep_kanon_params *p, int has_sensitive)
{
	if (p->k < 1)
		return PREP_ERR_ARG;
	if (p->suppress && !(p->max_suppress >= 0 && p->max_suppress <= 1))
		return PREP_ERR_ARG;
	if ((p->check_l || p->check_t) && !has_sensitive)
		return PREP_ERR_ARG;
	if (p->check_l && !(p->l >= 1))
		return PREP_ERR_ARG;
	if (p->check_l && p->ldiv == PREP_LDIV_RECURSIVE && !(p->c > 0))
		return PREP_ERR_ARG;
	if (p->check_t && !(p->t >= 0 && p->t <= 1))
		return PREP_ERR_ARG;
	return PREP_OK;
}

/*
 * The classes being judged, whoever holds them: kcheck's class table
 * (prep_kanon_evaluate) or a table of arrays (prep_kanon_evaluate_table,
 * kanon's recodings). One evaluation reads both, so every figure has one
 * definition.
 */
struct source {
	size_t n; /* class ids 0 .. n-1 */
	int has_sensitive;
	size_t nvalues;
	const prep_kanon_params *p;
	prep_classes *classes;	       /* the class table, or NULL */
	const prep_kanon_table *table; /* the arrays, or NULL */
};

static uint64_t
source_size(const struct source *s, size_t i)
{
	return s->classes ? prep_classes_size(s->classes, i)
			  : s->table->size[i];
}

/* Is class i released (a class of no rows is neither kept nor gone)? */
static int
source_kept(const struct source *s, size_t i)
{
	if (s->classes)
		return prep_kanon_class_kept(s->classes, s->p, i);
	return s->table->kept == NULL || s->table->kept[i];
}

static prep_status
source_dist(const struct source *s, size_t i, const prep_class_count **cnt,
	    size_t *n)
{
	const prep_kanon_table *t = s->table;

	if (s->classes)
		return prep_classes_dist(s->classes, i, cnt, n);
	*cnt = t->scount + t->srun[i];
	*n = t->srun[i + 1] - t->srun[i];
	return PREP_OK;
}

static prep_field
source_value(const struct source *s, size_t v)
{
	return s->classes ? prep_classes_value(s->classes, v)
			  : s->table->values[v];
}

/* Class sizes below this are counted in place, the others sorted. */
#define HISTOGRAM_SMALL 1024

/* One more class of size s, the largest yet, in r's histogram. */
static void
histogram_add(prep_kanon_report *r, uint64_t s, uint64_t classes)
{
	if (r->nhistogram && r->histogram[r->nhistogram - 1].size == s) {
		r->histogram[r->nhistogram - 1].classes += classes;
		return;
	}
	r->histogram[r->nhistogram].size = s;
	r->histogram[r->nhistogram].classes = classes;
	r->nhistogram++;
}

/*
 * Sizes of the released classes into a histogram, ascending: the small
 * sizes (most classes) counted by size, the few large ones sorted.
 */
static prep_status
histogram(const struct source *src, prep_kanon_report *r)
{
	size_t ncls = src->n, i, n = 0;
	uint64_t *sizes = malloc((ncls ? ncls : 1) * sizeof *sizes);
	uint64_t *small = calloc(HISTOGRAM_SMALL, sizeof *small), s;

	r->histogram = malloc((ncls ? ncls : 1) * sizeof *r->histogram);
	if (sizes == NULL || small == NULL || r->histogram == NULL) {
		free(sizes);
		free(small);
		free(r->histogram);
		r->histogram = NULL;
		return PREP_ERR_NOMEM;
	}
	for (i = 0; i < ncls; i++) {
		if ((s = source_size(src, i)) == 0 || !source_kept(src, i))
			continue;
		if (s < HISTOGRAM_SMALL)
			small[s]++;
		else
			sizes[n++] = s;
	}
	qsort(sizes, n, sizeof *sizes, by_u64);
	r->nhistogram = 0;
	for (s = 1; s < HISTOGRAM_SMALL; s++)
		if (small[s])
			histogram_add(r, s, small[s]);
	for (i = 0; i < n; i++)
		histogram_add(r, sizes[i], 1);
	free(sizes);
	free(small);
	return PREP_OK;
}

static prep_status
evaluate(const struct source *src, prep_kanon_report *r)
{
	const prep_kanon_params *p = src->p;
	size_t ncls = src->n, i, j, n;
	uint64_t input = 0, at_risk = 0, unique = 0;
	int first_l = 1;
	prep_kanon_judge *judge = NULL;
	uint64_t *qcount = NULL; /* released rows per sensitive value */
	prep_field *values = NULL;
	const prep_class_count *cnt;
	prep_status st;

	memset(r, 0, sizeof *r);
	if ((st = check_params(p, src->has_sensitive)) != PREP_OK)
		return st;
	r->k = p->k;
	r->has_l = p->check_l;
	r->has_t = p->check_t;
	for (i = 0; i < ncls; i++) {
		uint64_t s = source_size(src, i);

		input += s;
		if (s == 0)
			continue;
		if (!source_kept(src, i)) {
			r->suppressed_rows += s;
			continue;
		}
		r->rows += s;
		r->classes++;
		if (r->min_class_size == 0 || s < r->min_class_size)
			r->min_class_size = s;
		if (s < p->k)
			at_risk += s;
		if (s == 1)
			unique++;
	}
	if ((st = histogram(src, r)) != PREP_OK)
		goto out;
	if (r->rows > 0) {
		r->avg_class_size = (double)r->rows / (double)r->classes;
		r->prosecutor_risk_max = 1.0 / (double)r->min_class_size;
		r->prosecutor_risk_avg = (double)r->classes / (double)r->rows;
		r->records_at_risk = (double)at_risk / (double)r->rows;
		r->sample_uniqueness = (double)unique / (double)r->rows;
	}
	r->suppress_ok =
	    !p->suppress || prep_gate_at_most((double)r->suppressed_rows,
					      p->max_suppress * (double)input);
	if (p->check_t && r->rows > 0) {
		size_t nv = src->nvalues;

		qcount = calloc(nv ? nv : 1, sizeof *qcount);
		values = malloc((nv ? nv : 1) * sizeof *values);
		if (!qcount || !values) {
			st = PREP_ERR_NOMEM;
			goto out;
		}
		for (i = 0; i < nv; i++)
			values[i] = source_value(src, i);
		for (i = 0; i < ncls; i++) {
			if (source_size(src, i) == 0 || !source_kept(src, i))
				continue;
			if ((st = source_dist(src, i, &cnt, &n)) != PREP_OK)
				goto out;
			for (j = 0; j < n; j++)
				qcount[cnt[j].value] += cnt[j].count;
		}
	}
	if ((st = prep_kanon_judge_new(p, values, values ? src->nvalues : 0,
				       &judge)) != PREP_OK)
		goto out;
	if (qcount && (st = prep_kanon_judge_table(judge, qcount)) != PREP_OK)
		goto out;
	r->t_ordered = qcount && prep_kanon_judge_ordered(judge);
	r->k_ok = r->l_ok = r->t_ok = 1;
	for (i = 0; i < ncls; i++) {
		uint64_t s = source_size(src, i);
		double l, d;
		int fails;

		if (s == 0 || !source_kept(src, i))
			continue;
		cnt = NULL;
		n = 0;
		if ((p->check_l || p->check_t) &&
		    (st = source_dist(src, i, &cnt, &n)) != PREP_OK)
			goto out;
		st = prep_kanon_judge_class(judge, s, cnt, n, &l, &d, &fails);
		if (st != PREP_OK)
			goto out;
		if (fails & PREP_KANON_FAIL_K)
			r->k_ok = 0;
		if (p->check_l) {
			if (first_l || l < r->l_min)
				r->l_min = l;
			first_l = 0;
			if (fails & PREP_KANON_FAIL_L)
				r->l_ok = 0;
		}
		if (p->check_t) {
			if (d > r->t_max)
				r->t_max = d;
			if (fails & PREP_KANON_FAIL_T)
				r->t_ok = 0;
		}
		if (fails) {
			r->violating_classes++;
			r->violating_rows += s;
		}
	}
	r->satisfied = r->k_ok && r->l_ok && r->t_ok && r->suppress_ok;
	st = PREP_OK;
out:
	prep_kanon_judge_free(judge);
	free(qcount);
	free(values);
	if (st != PREP_OK)
		prep_kanon_report_free(r);
	return st;
}

prep_status
prep_kanon_evaluate(prep_classes *c, const prep_kanon_params *p,
		    prep_kanon_report *r)
{
	struct source src;

	memset(&src, 0, sizeof src);
	src.n = prep_classes_count(c);
	src.has_sensitive = prep_classes_has_sensitive(c);
	src.nvalues = prep_classes_values(c);
	src.p = p;
	src.classes = c;
	return evaluate(&src, r);
}

prep_status
prep_kanon_evaluate_table(const prep_kanon_table *t, const prep_kanon_params *p,
			  prep_kanon_report *r)
{
	struct source src;

	memset(&src, 0, sizeof src);
	src.n = t->n;
	src.has_sensitive = t->srun != NULL;
	src.nvalues = t->nvalues;
	src.p = p;
	src.table = t;
	return evaluate(&src, r);
}

size_t
prep_kanon_size_bins(const prep_kanon_report *r, prep_kanon_size_bin *bins)
{
	size_t i, n = 0;

	for (i = 0; i < r->nhistogram; i++) {
		uint64_t s = r->histogram[i].size, lo = s, hi = s;

		if (s == 0)
			continue;
		if (s > PREP_KANON_SIZE_BIN_EXACT) {
			/* [2^j, 2^(j+1) - 1] with 2^j <= s */
			for (lo = PREP_KANON_SIZE_BIN_EXACT + 1; s / 2 >= lo;
			     lo *= 2)
				;
			hi = lo + (lo - 1);
		}
		if (n > 0 && bins[n - 1].lo == lo) {
			bins[n - 1].classes += r->histogram[i].classes;
			continue;
		}
		bins[n].lo = lo;
		bins[n].hi = hi;
		bins[n].classes = r->histogram[i].classes;
		n++;
	}
	return n;
}

/* ---- reports ---- */

prep_status
prep_kanon_report_text(FILE *f, const prep_kanon_report *r,
		       const prep_kanon_params *p)
{
	size_t i;

	(void)fprintf(f, "rows: %llu\n", (unsigned long long)r->rows);
	(void)fprintf(f, "classes: %llu\n", (unsigned long long)r->classes);
	(void)fprintf(f, "min_class_size: %llu\n",
		      (unsigned long long)r->min_class_size);
	(void)fprintf(f, "avg_class_size: %.10g\n", r->avg_class_size);
	(void)fprintf(f, "k: %llu\n", (unsigned long long)r->k);
	(void)fprintf(f, "violating_classes: %llu\n",
		      (unsigned long long)r->violating_classes);
	(void)fprintf(f, "violating_rows: %llu\n",
		      (unsigned long long)r->violating_rows);
	(void)fprintf(f, "suppressed_rows: %llu\n",
		      (unsigned long long)r->suppressed_rows);
	(void)fprintf(f, "prosecutor_risk_max: %.10g\n",
		      r->prosecutor_risk_max);
	(void)fprintf(f, "prosecutor_risk_avg: %.10g\n",
		      r->prosecutor_risk_avg);
	(void)fprintf(f, "records_at_risk: %.10g\n", r->records_at_risk);
	(void)fprintf(f, "sample_uniqueness: %.10g\n", r->sample_uniqueness);
	(void)fputs("class_size_histogram:", f);
	for (i = 0; i < r->nhistogram; i++)
		(void)fprintf(f, " %llu:%llu",
			      (unsigned long long)r->histogram[i].size,
			      (unsigned long long)r->histogram[i].classes);
	(void)fputc('\n', f);
	if (r->has_l) {
		(void)fprintf(f, "l_min: %.10g (%s", r->l_min,
			      prep_kanon_ldiv_name(p->ldiv));
		if (p->ldiv == PREP_LDIV_RECURSIVE)
			(void)fprintf(f, ", c=%g", p->c);
		(void)fputs(")\n", f);
	}
	if (r->has_t)
		(void)fprintf(f, "t_max: %.10g (%s)\n", r->t_max,
			      r->t_ordered ? "ordered" : "equal");
	(void)fprintf(f, "satisfied: %s\n", r->satisfied ? "yes" : "no");
	return ferror(f) ? PREP_ERR_IO : PREP_OK;
}

/* A count by json.h's rule for numbers (an integer below 2^53). */
static json_t *
json_count(uint64_t n)
{
	return prep_json_number((double)n);
}

prep_status
prep_kanon_report_json(FILE *f, const prep_kanon_report *r)
{
	json_t *o = json_object(), *h = json_object();
	char key[32], *text;
	int ok = 1;
	size_t i;
	prep_status st;

	prep_json_set(o, "rows", json_count(r->rows), &ok);
	prep_json_set(o, "classes", json_count(r->classes), &ok);
	prep_json_set(o, "min_class_size", json_count(r->min_class_size), &ok);
	prep_json_set(o, "avg_class_size", prep_json_number(r->avg_class_size),
		      &ok);
	prep_json_set(o, "k", json_count(r->k), &ok);
	prep_json_set(o, "violating_classes", json_count(r->violating_classes),
		      &ok);
	prep_json_set(o, "violating_rows", json_count(r->violating_rows), &ok);
	prep_json_set(o, "suppressed_rows", json_count(r->suppressed_rows),
		      &ok);
	prep_json_set(o, "prosecutor_risk_max",
		      prep_json_number(r->prosecutor_risk_max), &ok);
	prep_json_set(o, "prosecutor_risk_avg",
		      prep_json_number(r->prosecutor_risk_avg), &ok);
	prep_json_set(o, "records_at_risk",
		      prep_json_number(r->records_at_risk), &ok);
	prep_json_set(o, "sample_uniqueness",
		      prep_json_number(r->sample_uniqueness), &ok);
	for (i = 0; i < r->nhistogram; i++) {
		(void)snprintf(key, sizeof key, "%llu",
			       (unsigned long long)r->histogram[i].size);
		prep_json_set(h, key, json_count(r->histogram[i].classes), &ok);
	}
	prep_json_set(o, "class_size_histogram", h, &ok);
	if (r->has_l)
		prep_json_set(o, "l_min", prep_json_number(r->l_min), &ok);
	if (r->has_t)
		prep_json_set(o, "t_max", prep_json_number(r->t_max), &ok);
	prep_json_set(o, "satisfied", json_boolean(r->satisfied), &ok);
	if ((st = prep_json_text(o, ok, &text)) != PREP_OK)
		return st;
	(void)fputs(text, f);
	free(text);
	return ferror(f) ? PREP_ERR_IO : PREP_OK;
}

/* Append to buf[0..size) at *off like snprintf; 0 once it is cut. */
static int append(char *buf, size_t size, size_t *off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
append(char *buf, size_t size, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (*off >= size)
		return 0;
	va_start(ap, fmt);
	k = vsnprintf(buf + *off, size - *off, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= size - *off) {
		*off = size;
		return 0;
	}
	*off += (size_t)k;
	return 1;
}

static const char *
plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

prep_status
prep_kanon_report_summary(const prep_kanon_report *r,
			  const prep_kanon_params *p, char *buf, size_t size)
{
	unsigned long long k = (unsigned long long)r->k;
	size_t off = 0;
	int ok;

	if (size == 0)
		return PREP_ERR_RANGE;
	buf[0] = '\0';
	if (r->satisfied)
		ok = append(buf, size, &off,
			    "satisfied: %llu row%s, %llu class%s, smallest "
			    "class %llu (k=%llu)",
			    (unsigned long long)r->rows, plural(r->rows),
			    (unsigned long long)r->classes,
			    r->classes == 1 ? "" : "es",
			    (unsigned long long)r->min_class_size, k);
	else if (!r->suppress_ok)
		ok = append(buf, size, &off,
			    "not satisfied: %llu row%s would be suppressed, "
			    "more than %g of the input (k=%llu)",
			    (unsigned long long)r->suppressed_rows,
			    plural(r->suppressed_rows), p->max_suppress, k);
	else
		ok = append(buf, size, &off,
			    "not satisfied: %llu of %llu classes (%llu row%s) "
			    "fail; smallest class %llu (k=%llu)",
			    (unsigned long long)r->violating_classes,
			    (unsigned long long)r->classes,
			    (unsigned long long)r->violating_rows,
			    plural(r->violating_rows),
			    (unsigned long long)r->min_class_size, k);
	if (ok && r->has_l)
		ok = append(buf, size, &off, ", l_min %.4g (l=%g)", r->l_min,
			    p->l);
	if (ok && r->has_t)
		ok = append(buf, size, &off, ", t_max %.4g (t=%g)", r->t_max,
			    p->t);
	if (ok && p->suppress && r->suppress_ok)
		ok = append(buf, size, &off, ", %llu row%s suppressed",
			    (unsigned long long)r->suppressed_rows,
			    plural(r->suppressed_rows));
	return ok ? PREP_OK : PREP_ERR_RANGE;
}
