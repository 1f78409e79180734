/*
 * fairness_repr.c: groups of a sample against their population shares
 * (see fairness_repr.h for the figures).
 *
 * One set of groups (strset.h), keyed by the group's value (one column)
 * or the tuple of its values (several, prep_tuple_put), holds both sides:
 * the population's groups are added first, in the order of its file, so
 * their ids are the table's first rows; the sample's rows add to their
 * group's count, and a group new to the set is one the population does
 * not list, placed after them by its first row. Sums are compensated
 * (Neumaier 1974, ZAMM 54), in the order of the table.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "drift_stats.h"
#include "fairness_repr.h"
#include "gate.h"
#include "json.h"
#include "strset.h"
#include "text.h"

/* What the set keeps beside each group. */
struct group_info {
	uint64_t count;
	uint64_t first; /* place of its first row */
	double share;
	uint64_t line; /* the population file's line; 0: not listed */
};

struct prep_repr {
	size_t *cols, ncols;
	prep_strset groups;
	size_t npop;	    /* the population's groups: ids 0..npop-1 */
	unsigned char *key; /* a tuple key being built */
	size_t key_cap;
	size_t *order; /* the table: ids, after prep_repr_finish */
	size_t norder;
	prep_repr_summary sum;
};

/* num / den, NAN when den is 0 or either is NAN. */
static double
ratio(double num, double den)
{
	return den > 0 || den < 0 ? num / den : NAN;
}

prep_status
prep_repr_new(const size_t *groups, size_t ngroups, prep_repr **out)
{
	prep_repr *r;

	*out = NULL;
	if (ngroups == 0)
		return PREP_ERR_ARG;
	if ((r = calloc(1, sizeof *r)) == NULL ||
	    (r->cols = malloc(ngroups * sizeof *r->cols)) == NULL) {
		free(r);
		return PREP_ERR_NOMEM;
	}
	memcpy(r->cols, groups, ngroups * sizeof *r->cols);
	r->ncols = ngroups;
	prep_strset_init_values(&r->groups, PREP_REPR_MAX_GROUPS,
				sizeof(struct group_info));
	*out = r;
	return PREP_OK;
}

void
prep_repr_free(prep_repr *r)
{
	if (r == NULL)
		return;
	prep_strset_free(&r->groups);
	free(r->cols);
	free(r->key);
	free(r->order);
	free(r);
}

/* The group of key: its info, added (zeroed, *added 1) when new. */
static prep_status
group_of(prep_repr *r, const void *key, size_t len, struct group_info **g,
	 int *added)
{
	prep_strset_pos pos;
	size_t id;
	void *v = NULL;
	prep_status st = prep_strset_find(&r->groups, key, len, &id, &v, &pos);

	*added = 0;
	if (st == PREP_ERR_NOT_FOUND) {
		st = prep_strset_insert(&r->groups, key, len, &pos, &id, &v);
		*added = st == PREP_OK;
	}
	*g = v;
	return st;
}

prep_status
prep_repr_population_add(prep_repr *r, const prep_field *values, double share,
			 unsigned long line, unsigned long *first)
{
	const void *key;
	size_t len;
	struct group_info *g;
	int added;
	prep_status st;

	if ((st = prep_tuple_key(&r->key, &r->key_cap, values, NULL, r->ncols,
				 &key, &len)) != PREP_OK ||
	    (st = group_of(r, key, len, &g, &added)) != PREP_OK)
		return st;
	if (!added) {
		if (first)
			*first = (unsigned long)g->line;
		return PREP_ERR_ARG;
	}
	g->share = share;
	g->line = line ? line : 1;
	r->npop = r->groups.n;
	return PREP_OK;
}

size_t
prep_repr_population_groups(const prep_repr *r)
{
	return r->npop;
}

/* Set f's place and message. */
static void fault(prep_repr_fault *f, const char *file, unsigned long line,
		  size_t field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
fault(prep_repr_fault *f, const char *file, unsigned long line, size_t field,
      const char *fmt, ...)
{
	va_list ap;

	f->where.file = file;
	f->where.line = line;
	f->where.field = field;
	va_start(ap, fmt);
	(void)vsnprintf(f->why, sizeof f->why, fmt, ap);
	va_end(ap);
}

static int
field_eq(const prep_field *a, const prep_field *b)
{
	return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

/*
 * The columns of the population's header h[0..nh): map[i] the one named
 * names[i], map[ncols] share's. PREP_ERR_COLUMN with f filled when one
 * is missing or named twice.
 */
static prep_status
population_columns(const prep_repr *r, const char *path, const prep_field *h,
		   size_t nh, const prep_field *names, size_t *map,
		   prep_repr_fault *f)
{
	static const prep_field share = {"share", 5};
	size_t i, j, found;

	for (i = 0; i <= r->ncols; i++) {
		const prep_field *want = i < r->ncols ? &names[i] : &share;

		for (j = 0, found = 0; j < nh; j++) {
			if (!field_eq(&h[j], want))
				continue;
			if (found++) {
				fault(f, path, 1, j + 1,
				      "column '%.*s' twice in the header",
				      (int)want->len, want->data);
				return PREP_ERR_COLUMN;
			}
			map[i] = j;
		}
		if (!found) {
			fault(f, path, 1, 0,
			      "no column '%.*s' in the header (it needs the "
			      "group columns and 'share')",
			      (int)want->len, want->data);
			return PREP_ERR_COLUMN;
		}
	}
	return PREP_OK;
}

/* The share of a row: *v, or PREP_ERR_VALUE with f filled. */
static prep_status
read_share(const prep_field *s, const char *path, prep_where w, size_t col,
	   double *v, prep_repr_fault *f)
{
	prep_status st = prep_parse_number(s->data, s->len, v);
	const char *why = NULL;

	if (s->len == 0)
		why = "empty";
	else if (st == PREP_ERR_NOMEM)
		return st;
	else if (st != PREP_OK)
		why = "not a number";
	else if (*v < 0)
		why = "negative";
	if (why == NULL)
		return PREP_OK;
	fault(f, path, w.line, col + 1, "field %zu (share): %s", col + 1, why);
	return PREP_ERR_VALUE;
}

prep_status
prep_repr_population_load(prep_repr *r, const char *path,
			  const prep_csv_options *o, const prep_field *names,
			  prep_repr_fault *f)
{
	prep_csv_options po = *o;
	const char *paths[1] = {path};
	prep_reader *rd = NULL;
	const prep_field *h, *row;
	prep_field *vals = NULL;
	size_t nh, n, *map = NULL, i;
	prep_csum sum = {0, 0};
	unsigned long first = 0;
	double share, total;
	prep_status st;
	prep_where w;
	int e;

	memset(f, 0, sizeof *f);
	po.has_header = 1; /* always: it names the columns */
	po.delim = -1;	   /* its own, from its name or first line */
	po.part_i = po.part_n = 0;
	po.sha256 = 0;
	st = prep_reader_new(&po, paths, 1, &rd);
	if (st != PREP_OK) {
		e = errno;
		if (rd != NULL && st != PREP_ERR_IO)
			w = prep_reader_where(rd);
		else
			w = (prep_where){path, 0, 0};
		fault(f, path, w.line, w.field, "%s",
		      st == PREP_ERR_IO ? strerror(e) : prep_strerror(st));
		prep_reader_free(rd);
		errno = e;
		return st;
	}
	h = prep_reader_header(rd, &nh);
	if (nh == 0) {
		fault(f, path, 0, 0, "the file is empty");
		st = PREP_ERR_NO_HEADER;
		goto done;
	}
	map = malloc((r->ncols + 1) * sizeof *map);
	vals = malloc(r->ncols * sizeof *vals);
	if (map == NULL || vals == NULL) {
		st = PREP_ERR_NOMEM;
		goto done;
	}
	if ((st = population_columns(r, path, h, nh, names, map, f)) != PREP_OK)
		goto done;
	while ((st = prep_reader_next_row(rd, &row, &n)) == PREP_OK) {
		w = prep_reader_where(rd);
		if ((st = read_share(&row[map[r->ncols]], path, w,
				     map[r->ncols], &share, f)) != PREP_OK)
			goto done;
		for (i = 0; i < r->ncols; i++)
			vals[i] = row[map[i]];
		st = prep_repr_population_add(r, vals, share, w.line, &first);
		if (st == PREP_ERR_ARG) {
			fault(f, path, w.line, 0, "the same group as line %lu",
			      first);
			goto done;
		}
		if (st == PREP_ERR_LIMIT) {
			fault(f, path, w.line, 0, "more than %zu groups",
			      PREP_REPR_MAX_GROUPS);
			goto done;
		}
		if (st != PREP_OK)
			goto done;
		prep_csum_add(&sum, share);
	}
	if (st != PREP_END) {
		w = prep_reader_where(rd);
		fault(f, path, w.line, w.field, "%s", prep_strerror(st));
		goto done;
	}
	total = prep_csum_value(&sum);
	st = PREP_OK;
	if (!(fabs(total - 1) <= PREP_REPR_SUM_TOLERANCE)) {
		char buf[40];

		(void)prep_format_double(total, buf, sizeof buf);
		fault(f, path, 0, 0,
		      "the shares add up to %s, not 1 (within 1e-6)", buf);
		st = PREP_ERR_RANGE;
	}
done:
	if (st == PREP_ERR_NOMEM || st == PREP_ERR_MEMORY)
		fault(f, path, 0, 0, "%s", prep_strerror(st));
	free(map);
	free(vals);
	prep_reader_free(rd);
	return st;
}

prep_status
prep_repr_add(prep_repr *r, const prep_field *row, uint64_t place)
{
	const void *key;
	size_t len;
	struct group_info *g;
	int added;
	prep_status st;

	if ((st = prep_tuple_key(&r->key, &r->key_cap, row, r->cols, r->ncols,
				 &key, &len)) != PREP_OK ||
	    (st = group_of(r, key, len, &g, &added)) != PREP_OK)
		return st;
	if (added || (g->count == 0 && g->line == 0))
		g->first = place;
	g->count++;
	return PREP_OK;
}

prep_status
prep_repr_merge(prep_repr *into, const prep_repr *from)
{
	size_t id;
	prep_status st;

	if (into->ncols != from->ncols)
		return PREP_ERR_ARG;
	for (id = 0; id < from->groups.n; id++) {
		prep_field k = prep_strset_key(&from->groups, id);
		const struct group_info *b =
		    prep_strset_value(&from->groups, id);
		struct group_info *a;
		int added;

		if (b->count == 0)
			continue;
		if ((st = group_of(into, k.data, k.len, &a, &added)) != PREP_OK)
			return st;
		if (added || (a->count == 0 && a->line == 0) ||
		    b->first < a->first)
			a->first = b->first;
		a->count += b->count;
	}
	return PREP_OK;
}

/* A group the population does not list, placed by its first row. */
struct placed {
	uint64_t first;
	size_t id;
};

static int
placed_cmp(const void *a, const void *b)
{
	const struct placed *x = a, *y = b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/* The figures of group id (n the rows). */
static void
group_figures(const prep_repr *r, size_t id, uint64_t n, prep_repr_group *g)
{
	const struct group_info *gi = prep_strset_value(&r->groups, id);
	double dn = (double)n;

	g->count = gi->count;
	g->listed = gi->line != 0;
	g->population_share = g->listed ? gi->share : 0;
	g->sample_share = ratio((double)gi->count, dn);
	g->ratio = ratio(g->sample_share, g->population_share);
	g->difference = g->sample_share - g->population_share;
}

prep_status
prep_repr_finish(prep_repr *r, prep_repr_summary *s)
{
	size_t id, i, npos = 0, nextra = 0, ng = r->groups.n;
	struct placed *extra;
	prep_csum shares = {0, 0}, tv = {0, 0}, chi = {0, 0};
	double dn, sum;
	uint64_t rows = 0;
	int outside = 0;
	prep_repr_group g;

	free(r->order);
	r->order = malloc((ng ? ng : 1) * sizeof *r->order);
	extra = malloc((ng ? ng : 1) * sizeof *extra);
	if (r->order == NULL || extra == NULL) {
		free(extra);
		return PREP_ERR_NOMEM;
	}
	for (id = 0; id < ng; id++) {
		const struct group_info *gi = prep_strset_value(&r->groups, id);

		rows += gi->count;
		if (gi->line != 0) {
			r->order[id] = id; /* the population's: ids 0..npop */
			continue;
		}
		extra[nextra].first = gi->first;
		extra[nextra++].id = id;
	}
	qsort(extra, nextra, sizeof *extra, placed_cmp);
	for (i = 0; i < nextra; i++)
		r->order[r->npop + i] = extra[i].id;
	free(extra);
	r->norder = ng;

	memset(s, 0, sizeof *s);
	s->n = rows;
	dn = (double)rows;
	for (i = 0; i < ng; i++) {
		const struct group_info *gi =
		    prep_strset_value(&r->groups, r->order[i]);

		if (gi->line != 0 && gi->share > 0) {
			prep_csum_add(&shares, gi->share);
			npos++;
		}
	}
	sum = prep_csum_value(&shares);
	s->min_ratio = NAN;
	for (i = 0; i < ng; i++) {
		const struct group_info *gi =
		    prep_strset_value(&r->groups, r->order[i]);

		group_figures(r, r->order[i], rows, &g);
		prep_csum_add(&tv, fabs(g.difference));
		if (gi->line == 0)
			s->unlisted++;
		else if (gi->count == 0)
			s->absent++;
		if (gi->count > 0 && !(g.population_share > 0))
			outside = 1;
		if (g.population_share > 0) {
			double e = dn * gi->share / sum;

			if (e > 0)
				prep_csum_add(&chi,
					      ((double)gi->count - e) *
						  ((double)gi->count - e) / e);
			if (isnan(s->min_ratio) || g.ratio < s->min_ratio)
				s->min_ratio = g.ratio;
		}
	}
	if (rows == 0)
		s->min_ratio = NAN;
	s->df = npos > 0 ? (double)npos - 1 : NAN;
	s->tvd = rows > 0 ? prep_csum_value(&tv) / 2 : NAN;
	s->chi2 =
	    rows > 0 && !outside && npos > 0 ? prep_csum_value(&chi) : NAN;
	s->p_value =
	    s->df >= 1 && !isnan(s->chi2) ? prep_chi2_sf(s->chi2, s->df) : NAN;
	r->sum = *s;
	return PREP_OK;
}

size_t
prep_repr_groups(const prep_repr *r)
{
	return r->norder;
}

prep_status
prep_repr_group_at(const prep_repr *r, size_t i, prep_repr_group *g,
		   prep_field *values)
{
	prep_field k;
	const unsigned char *p;
	size_t c;

	if (i >= r->norder)
		return PREP_ERR_ARG;
	if (g)
		group_figures(r, r->order[i], r->sum.n, g);
	if (values == NULL)
		return PREP_OK;
	k = prep_strset_key(&r->groups, r->order[i]);
	if (r->ncols == 1) {
		values[0] = k;
		return PREP_OK;
	}
	p = (const unsigned char *)k.data;
	for (c = 0; c < r->ncols; c++)
		values[c] = prep_tuple_next(&p);
	return PREP_OK;
}

unsigned
prep_repr_check(const prep_repr_summary *s, const prep_repr_gates *g)
{
	unsigned fail = 0;

	if (g->min_ratio_set && !prep_gate_at_least(s->min_ratio, g->min_ratio))
		fail |= PREP_REPR_FAIL_RATIO;
	if (g->max_tvd_set && !prep_gate_at_most(s->tvd, g->max_tvd))
		fail |= PREP_REPR_FAIL_TVD;
	return fail;
}

int
prep_repr_group_fails(const prep_repr_group *g, const prep_repr_gates *gt)
{
	return gt->min_ratio_set && g->population_share > 0 &&
	       !prep_gate_at_least(g->ratio, gt->min_ratio);
}

/* ---- reports ---- */

static const char *const figure_names[] = {
    "count", "sample_share", "population_share", "representation_ratio",
    "difference"};
#define NFIGURES (sizeof figure_names / sizeof *figure_names)

static prep_status
put_str(prep_writer *w, const char *s)
{
	return prep_writer_field(w, s, strlen(s));
}

prep_status
prep_repr_report_table(const prep_repr *r, const prep_field *names, int header,
		       prep_writer *w)
{
	prep_field *v = malloc(r->ncols * sizeof *v);
	prep_repr_group g;
	char buf[64];
	size_t i, c;
	prep_status st = PREP_OK;

	if (v == NULL)
		return PREP_ERR_NOMEM;
	for (c = 0; header && c < r->ncols && st == PREP_OK; c++)
		st = prep_writer_field(w, names[c].data, names[c].len);
	for (c = 0; header && c < NFIGURES && st == PREP_OK; c++)
		st = put_str(w, figure_names[c]);
	if (header && st == PREP_OK)
		st = prep_writer_end_row(w);
	for (i = 0; i < r->norder && st == PREP_OK; i++) {
		double f[NFIGURES - 1];

		(void)prep_repr_group_at(r, i, &g, v);
		for (c = 0; c < r->ncols && st == PREP_OK; c++)
			st = prep_writer_field(w, v[c].data, v[c].len);
		(void)snprintf(buf, sizeof buf, "%llu",
			       (unsigned long long)g.count);
		if (st == PREP_OK)
			st = put_str(w, buf);
		f[0] = g.sample_share;
		f[1] = g.population_share;
		f[2] = g.ratio;
		f[3] = g.difference;
		for (c = 0; c < NFIGURES - 1 && st == PREP_OK; c++)
			st =
			    put_str(w, prep_figure_text(f[c], buf, sizeof buf));
		if (st == PREP_OK)
			st = prep_writer_end_row(w);
	}
	free(v);
	return st;
}

static int
gated(const prep_repr_gates *g)
{
	return g->min_ratio_set || g->max_tvd_set;
}

prep_status
prep_repr_report_json(const prep_repr *r, const prep_field *names,
		      const prep_repr_summary *s, const prep_repr_gates *g,
		      prep_writer *w)
{
	json_t *o = json_object(), *groups = json_array();
	prep_field *v = r ? malloc(r->ncols * sizeof *v) : NULL;
	prep_repr_group gr;
	size_t i, c;
	int ok = 1;

	if (r && v == NULL)
		ok = 0;
	prep_json_set(o, "chi2", prep_json_number(s->chi2), &ok);
	prep_json_set(o, "df", prep_json_number(s->df), &ok);
	prep_json_set(o, "p_value", prep_json_number(s->p_value), &ok);
	prep_json_set(o, "tvd", prep_json_number(s->tvd), &ok);
	for (i = 0; r && v && i < r->norder; i++) {
		json_t *e = json_object();

		(void)prep_repr_group_at(r, i, &gr, v);
		for (c = 0; c < r->ncols; c++)
			prep_json_setn(e, names[c].data, names[c].len,
				       prep_json_string(v[c].data, v[c].len),
				       &ok);
		prep_json_set(e, "count", json_integer((json_int_t)gr.count),
			      &ok);
		prep_json_set(e, "sample_share",
			      prep_json_number(gr.sample_share), &ok);
		prep_json_set(e, "population_share",
			      prep_json_number(gr.population_share), &ok);
		prep_json_set(e, "representation_ratio",
			      prep_json_number(gr.ratio), &ok);
		prep_json_set(e, "difference", prep_json_number(gr.difference),
			      &ok);
		prep_json_append(groups, e, &ok);
	}
	free(v);
	prep_json_set(o, "groups", groups, &ok);
	if (gated(g))
		prep_json_set(o, "satisfied",
			      json_boolean(prep_repr_check(s, g) == 0), &ok);
	return prep_json_write(o, ok, w);
}

prep_status
prep_repr_report_summary(FILE *out, const prep_repr_summary *s,
			 const prep_repr_gates *g)
{
	char buf[64];
	int bad = 0;

	bad |= fprintf(out, "chi2: %s\n",
		       prep_figure_text(s->chi2, buf, sizeof buf)) < 0;
	bad |= fprintf(out, "df: %s\n",
		       prep_figure_text(s->df, buf, sizeof buf)) < 0;
	bad |= fprintf(out, "p_value: %s\n",
		       prep_figure_text(s->p_value, buf, sizeof buf)) < 0;
	bad |= fprintf(out, "tvd: %s\n",
		       prep_figure_text(s->tvd, buf, sizeof buf)) < 0;
	if (gated(g))
		bad |= fprintf(out, "satisfied: %s\n",
			       prep_repr_check(s, g) == 0 ? "yes" : "no") < 0;
	return bad ? PREP_ERR_IO : PREP_OK;
}

prep_status
prep_repr_json_names(const prep_field *names, size_t ngroups, size_t *bad)
{
	size_t i, j, c;

	for (i = 0; i < ngroups; i++) {
		*bad = i;
		if (memchr(names[i].data, 0, names[i].len) != NULL ||
		    prep_utf8_count(names[i].data, names[i].len, &c) != PREP_OK)
			return PREP_ERR_UTF8;
		for (j = 0; j < NFIGURES; j++)
			if (names[i].len == strlen(figure_names[j]) &&
			    memcmp(names[i].data, figure_names[j],
				   names[i].len) == 0)
				return PREP_ERR_ARG;
		for (j = 0; j < i; j++)
			if (field_eq(&names[i], &names[j]))
				return PREP_ERR_ARG;
	}
	return PREP_OK;
}
