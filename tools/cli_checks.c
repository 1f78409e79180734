/*
 * cli_checks.c: the privacy checks' options, shared by kcheck and kanon
 * (see cli.h): one parser, one set of rules, one set of messages, one
 * way to put the checks in the audit record.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "json.h"

void
cli_checks_init(struct cli_checks *k)
{
	k->qis = k->sens = NULL;
	k->c_given = 0;
	k->max_classes = PREP_CLASSES_DEFAULT_MAX;
	prep_kanon_params_init(&k->p);
}

/*
 * "-q FILE": quiet everywhere else, so "kcheck -k 5 -q data.csv" takes
 * the file for the column list and reads stdin. No one means a column
 * list that is the name of an existing file: stop before reading
 * anything. (--quasi is not checked: it cannot be meant as quiet.)
 */
static void
quasi_not_file(struct cli *c, const char *arg)
{
	struct stat sb;

	if (stat(arg, &sb) == 0)
		cli_usage_error(c,
				"-q takes the quasi-identifier columns, not a "
				"file ('%s' is a file); for quiet use --quiet",
				arg);
}

int
cli_check_option(struct cli *c, struct cli_checks *k, int opt, const char *arg)
{
	prep_kanon_params *p = &k->p;

	switch (opt) {
	case 'q':
		if (arg == NULL)
			return 0;
		quasi_not_file(c, arg);
		k->qis = arg;
		break;
	case 'Q':
		k->qis = arg;
		break;
	case 'k':
		p->k = cli_parse_count(c, "-k", arg, 1, UINT64_MAX >> 1);
		break;
	case 's':
		k->sens = arg;
		break;
	case 'l':
		p->check_l = 1;
		p->l = cli_parse_real(c, "-l", arg, 1, 1e9);
		break;
	case 't':
		p->check_t = 1;
		p->t = cli_parse_real(c, "-t", arg, 0, 1);
		break;
	case CLI_OPT_LDIV:
		if (prep_kanon_ldiv_parse(arg, &p->ldiv) != PREP_OK)
			cli_usage_error(c, "--ldiv must be distinct, "
					   "entropy or recursive");
		break;
	case CLI_OPT_C:
		p->c = cli_parse_real(c, "--c", arg, 1e-9, 1e9);
		k->c_given = 1;
		break;
	case CLI_OPT_MAX_CLASSES:
		k->max_classes = cli_parse_count(c, "--max-classes", arg, 1,
						 (uint64_t)1 << 31);
		break;
	default:
		return 0;
	}
	return 1;
}

void
cli_check_combinations(struct cli *c, const struct cli_checks *k)
{
	const prep_kanon_params *p = &k->p;

	if (k->qis == NULL)
		cli_usage_error(c, "-q QIS is required");
	if (k->sens && !p->check_l && !p->check_t)
		cli_usage_error(c, "-s needs -l or -t");
	if ((p->check_l || p->check_t) && !k->sens)
		cli_usage_error(c, "-l and -t need -s SENSITIVE");
	if (p->check_l && p->ldiv != PREP_LDIV_ENTROPY && p->l != floor(p->l))
		cli_usage_error(c,
				"-l must be a whole number for %s "
				"l-diversity",
				prep_kanon_ldiv_name(p->ldiv));
	if (k->c_given && p->ldiv != PREP_LDIV_RECURSIVE)
		cli_usage_error(c, "--c needs --ldiv recursive");
}

void
cli_check_columns(struct cli *c, const struct cli_checks *k, size_t **qi,
		  size_t *nqi, long *si)
{
	size_t ncols, nsi = 0, *s;

	(void)prep_reader_header(c->reader, &ncols);
	*qi = NULL;
	*nqi = 0;
	*si = -1;
	if (ncols == 0)
		return;
	*qi = cli_columns(c, "-q", k->qis, nqi);
	if (k->sens) {
		s = cli_columns(c, "-s", k->sens, &nsi);
		if (nsi != 1)
			cli_usage_error(c, "-s names one column");
		*si = (long)s[0];
		free(s);
	}
}

/*
 * One worker of cli_classes_read. The workers check the rows and encode
 * their keys into a side buffer (par.h), and one thread at a time counts
 * the keys into the table in input order (classes_ordered), a piece's at
 * a time on several threads and some hundred rows at a time on one (so
 * that its lookups can be prefetched ahead): classes get their ids, and
 * a cap its failing record, as when each row is counted as it is read.
 */
struct classes_worker {
	prep_classes *t; /* the table, or only its layout (several threads) */
	int direct;	 /* one thread: small tables are counted into at once */
	const char *(*check)(const prep_field *row, void *ctx, size_t *col);
	void *check_ctx;
	const char *why; /* check's failure, at column col */
	size_t col;
};

/*
 * A row in a side buffer: its place, its key's hash, the lengths of its
 * key and of its sensitive value, then their bytes.
 */
struct side_row {
	const char *file; /* alive for the run */
	uint64_t line;
	uint64_t hash; /* the key's (prep_classes_encode_at) */
	uint32_t key_len, value_len;
};

/* Note a row in side: whole, or not at all. */
static prep_status
side_note(prep_classes *t, prep_buf *side, const prep_field *f,
	  const prep_par_row *at)
{
	struct side_row h;
	prep_strset_pos pos;
	prep_where w = prep_reader_where(at->reader);
	long si = prep_classes_sensitive(t);
	size_t start = side->len;
	prep_status st;

	memset(&h, 0, sizeof h);
	h.file = w.file;
	h.line = w.line;
	if (si >= 0 && f[si].len > UINT32_MAX)
		return PREP_ERR_LIMIT;
	if ((st = prep_buf_append(side, &h, sizeof h)) != PREP_OK)
		return st;
	if ((st = prep_classes_encode_at(t, f, side, &pos)) != PREP_OK) {
		side->len = start;
		return st;
	}
	h.hash = pos.hash;
	h.key_len = (uint32_t)(side->len - start - sizeof h);
	if (si >= 0) {
		if ((st = prep_buf_append(side, f[si].data, f[si].len)) !=
		    PREP_OK) {
			side->len = start;
			return st;
		}
		h.value_len = (uint32_t)f[si].len;
	}
	memcpy(side->data + start, &h, sizeof h);
	return PREP_OK;
}

/* Classes a table has while one thread still counts rows into it at once
 * (a few megabytes: the caches hold it). */
#define DIRECT_CLASSES 65536

static prep_status
classes_row(void *arg, const prep_field *f, size_t n, const prep_par_row *at,
	    prep_writer *out)
{
	struct classes_worker *k = arg;
	prep_buf *side;
	prep_status st;

	(void)n;
	if (k->check && (k->why = k->check(f, k->check_ctx, &k->col)))
		return PREP_ERR_VALUE;
	side = prep_par_side(at);
	/* on one thread, rows go into a table that fits in the caches at
	 * once (no batch pays there); past it, and from then on, to the
	 * side buffer, which is empty then: the order stays the input's */
	if (k->direct && side->len == 0 &&
	    prep_classes_count(k->t) < DIRECT_CLASSES)
		st = prep_classes_add(k->t, f, NULL);
	else
		st = side_note(k->t, side, f, at);
	if (st == PREP_OK && out)
		st = prep_writer_copy_record(out, at->reader);
	return st;
}

/* The ordered stage: a piece's rows into the table. */
struct classes_count {
	prep_classes *t;
	prep_where where; /* the row that failed */
};

/* Rows prefetched ahead of their lookup in classes_ordered. */
#define AHEAD 8

struct ahead {
	const char *key;
	struct side_row h;
	prep_strset_pos pos;
};

static prep_status
classes_ordered(void *arg, uint64_t piece, const prep_buf *side, uint64_t rows)
{
	struct classes_count *cc = arg;
	const char *p = side->data, *end = side->data + side->len;
	int sens = prep_classes_sensitive(cc->t) >= 0;
	struct ahead ring[AHEAD];
	size_t head = 0, n = 0;
	prep_field v;
	prep_status st;

	(void)piece;
	(void)rows;
	for (;;) {
		struct ahead *a;

		/* prefetch up to AHEAD rows before their lookup */
		while (n < AHEAD && p < end) {
			a = &ring[(head + n) % AHEAD];
			memcpy(&a->h, p, sizeof a->h);
			a->key = p + sizeof a->h;
			p = a->key + a->h.key_len + a->h.value_len;
			a->pos.hash = a->h.hash;
			a->pos.slot = SIZE_MAX;
			a->pos.strong = 0;
			prep_classes_prefetch(cc->t, &a->pos);
			n++;
		}
		if (n == 0)
			return PREP_OK;
		a = &ring[head];
		head = (head + 1) % AHEAD;
		n--;
		v.data = a->key + a->h.key_len;
		v.len = a->h.value_len;
		st = prep_classes_add_encoded_at(cc->t, a->key, a->h.key_len,
						 &a->pos, sens ? &v : NULL,
						 NULL);
		if (st != PREP_OK) {
			cc->where.file = a->h.file;
			cc->where.line = a->h.line;
			cc->where.field = 0;
			return st;
		}
	}
}

static void __attribute__((noreturn))
classes_limit(struct cli *c, prep_where w, uint64_t max_classes)
{
	cli_fatal_at(c, w,
		     "more than %llu classes or sensitive values "
		     "(--max-classes)",
		     (unsigned long long)max_classes);
}

void
cli_classes_read(struct cli *c, prep_classes *classes, uint64_t max_classes,
		 prep_spool *spool,
		 const char *(*check)(const prep_field *row, void *ctx,
				      size_t *col),
		 void *ctx)
{
	struct classes_count cc = {classes, {NULL, 0, 0}};
	prep_par_job job = {.row = classes_row};
	unsigned nt = c->threads, t;
	struct classes_worker *k = calloc(nt, sizeof *k);
	void **ctxs = calloc(nt, sizeof *ctxs);
	const prep_field *f;
	size_t ncols;
	prep_par_result res;
	prep_status st;

	if (k == NULL || ctxs == NULL)
		cli_fatal(c, "out of memory");
	job.ordered = classes_ordered;
	job.ordered_arg = &cc;
	f = prep_reader_header(c->reader, &ncols);
	if (spool && f)
		cli_spool_check(c, prep_spool_row(spool, f, ncols));
	for (t = 0; t < nt; t++) {
		k[t].t = classes;
		k[t].direct = !cli_run_threaded(c, c->reader);
		k[t].check = check;
		k[t].check_ctx = ctx;
		ctxs[t] = &k[t];
	}
	st = cli_run_rows(c, spool ? prep_spool_writer(spool) : NULL, &job,
			  ctxs, &res);
	if (st != PREP_OK && res.by_row && k[res.worker].why) {
		struct classes_worker bad = k[res.worker];

		free(k);
		free(ctxs);
		cli_fatal_cell_at(c, res.where, bad.col, bad.why);
	}
	if (st != PREP_OK && res.by_ordered)
		res.where = cc.where;
	if (st == PREP_ERR_LIMIT)
		classes_limit(c, res.where, max_classes);
	if (st == PREP_ERR_IO)
		cli_spool_check(c, st); /* writing the spool */
	if (st != PREP_OK)
		cli_fatal_status(c, st, "classes");
	free(k);
	free(ctxs);
	if (spool)
		cli_spool_check(c, prep_spool_finish(spool));
	cli_progress_end(c);
}

void
cli_checks_audit(struct cli *c, const prep_kanon_params *p,
		 const prep_kanon_report *r, int suppress_gate, int no_solution)
{
	prep_kanon_size_bin bins[PREP_KANON_SIZE_BINS];
	uint64_t input = r->rows + r->suppressed_rows;
	char name[64];
	size_t i, n;
	int ok = !no_solution;

	if (!cli_audit_on(c))
		return;
	cli_audit_check(c, "k", (double)r->min_class_size, (double)p->k,
			ok && r->k_ok);
	if (p->check_l)
		cli_audit_check(c, "l", r->l_min, p->l, ok && r->l_ok);
	if (p->check_t)
		cli_audit_check(c, "t", r->t_max, p->t, ok && r->t_ok);
	if (suppress_gate)
		cli_audit_check(
		    c, "suppressed_share",
		    input ? (double)r->suppressed_rows / (double)input : 0,
		    p->max_suppress, ok && r->suppress_ok);
	cli_audit_figure(c, "rows", (double)r->rows);
	cli_audit_figure(c, "classes", (double)r->classes);
	cli_audit_figure(c, "violating_classes", (double)r->violating_classes);
	cli_audit_figure(c, "suppressed_rows", (double)r->suppressed_rows);
	cli_audit_figure(c, "risk.prosecutor_max", r->prosecutor_risk_max);
	cli_audit_figure(c, "risk.prosecutor_avg", r->prosecutor_risk_avg);
	cli_audit_figure(c, "risk.records_at_risk", r->records_at_risk);
	cli_audit_figure(c, "risk.sample_uniqueness", r->sample_uniqueness);
	n = prep_kanon_size_bins(r, bins);
	for (i = 0; i < n; i++) {
		if (bins[i].lo == bins[i].hi)
			(void)snprintf(name, sizeof name,
				       "classes_of_size:%llu",
				       (unsigned long long)bins[i].lo);
		else
			(void)snprintf(name, sizeof name,
				       "classes_of_size:%llu-%llu",
				       (unsigned long long)bins[i].lo,
				       (unsigned long long)bins[i].hi);
		cli_audit_figure(c, name, (double)bins[i].classes);
	}
}

/* ---- partials (kcheck --partial, --merge, --state; kanon --levels) ---- */

json_t *
cli_checks_options(struct cli *c, const struct cli_checks *k)
{
	const prep_kanon_params *p = &k->p;
	json_t *o = json_object();
	int ok = 1;

	/* column lists are header bytes, not always UTF-8 */
	prep_json_set(o, "quasi", prep_json_bytes(k->qis, strlen(k->qis)), &ok);
	prep_json_set(o, "sensitive",
		      k->sens ? prep_json_bytes(k->sens, strlen(k->sens))
			      : json_null(),
		      &ok);
	prep_json_set(o, "k", json_integer((json_int_t)p->k), &ok);
	prep_json_set(o, "l", p->check_l ? prep_json_number(p->l) : json_null(),
		      &ok);
	prep_json_set(o, "ldiv",
		      p->check_l ? json_string(prep_kanon_ldiv_name(p->ldiv))
				 : json_null(),
		      &ok);
	prep_json_set(o, "c",
		      p->check_l && p->ldiv == PREP_LDIV_RECURSIVE
			  ? prep_json_number(p->c)
			  : json_null(),
		      &ok);
	prep_json_set(o, "t", p->check_t ? prep_json_number(p->t) : json_null(),
		      &ok);
	prep_json_set(o, "no_header", json_boolean(!c->csv.has_header), &ok);
	if (!ok) {
		json_decref(o);
		cli_fatal(c, "out of memory");
	}
	return o;
}

void
cli_checks_names(struct cli *c, const size_t *qi, size_t nqi, long si,
		 prep_classes_names *names)
{
	char number[PREP_COLUMNS_LABEL_SIZE];
	size_t ncols, j;
	prep_field f;
	char *s;

	memset(names, 0, sizeof *names);
	(void)prep_reader_header(c->reader, &ncols);
	if (ncols == 0)
		return; /* no header at all (--allow-empty): no names */
	names->nqi = nqi;
	if ((names->qi = calloc(nqi ? nqi : 1, sizeof *names->qi)) == NULL)
		cli_fatal(c, "out of memory");
	for (j = 0; j <= nqi; j++) {
		if (j == nqi && si < 0)
			break;
		f = cli_column_label(c, j < nqi ? qi[j] : (size_t)si, number);
		if ((s = malloc(f.len + 1)) == NULL)
			cli_fatal(c, "out of memory");
		if (f.len)
			memcpy(s, f.data, f.len);
		s[f.len] = '\0';
		if (j < nqi)
			names->qi[j] = (prep_field){s, f.len};
		else
			names->sensitive = (prep_field){s, f.len};
	}
}

/* Are two lists of names the same, byte for byte? */
static int
same_fields(const prep_field *a, const prep_field *b, size_t n)
{
	size_t j;

	for (j = 0; j < n; j++)
		if (a[j].len != b[j].len ||
		    (a[j].len && memcmp(a[j].data, b[j].data, a[j].len) != 0))
			return 0;
	return 1;
}

int
cli_checks_same_names(const prep_classes_names *a, const prep_classes_names *b)
{
	if (a->qi == NULL || b->qi == NULL)
		return 1; /* an input without even a header names nothing */
	if (a->nqi != b->nqi || !same_fields(a->qi, b->qi, a->nqi))
		return 0;
	if ((a->sensitive.data == NULL) != (b->sensitive.data == NULL))
		return 0;
	return a->sensitive.data == NULL ||
	       same_fields(&a->sensitive, &b->sensitive, 1);
}

prep_classes *
cli_checks_merge(struct cli *c, const prep_partial *p, char **files, size_t n,
		 uint64_t max_classes, prep_classes_names *names)
{
	const json_t **states = calloc(n ? n : 1, sizeof(const json_t *));
	prep_classes *classes = NULL;
	const char *why = NULL;
	size_t i, bad = 0;
	prep_status st;

	if (states == NULL)
		cli_fatal(c, "out of memory");
	for (i = 0; i < n; i++)
		states[i] = p[i].state;
	st = prep_classes_state_merge(states, n, (size_t)max_classes, &classes,
				      names, &bad, &why);
	free(states);
	switch (st) {
	case PREP_OK:
		return classes;
	case PREP_ERR_LIMIT:
		cli_fatal(c,
			  "%s: more than %llu classes or sensitive values "
			  "(--max-classes)",
			  files[bad], (unsigned long long)max_classes);
	case PREP_ERR_RANGE:
		cli_fatal(c, "%s: the partials hold 2^53 rows or more",
			  files[bad]);
	default:
		cli_partial_state_error(c, files[bad], st,
					st == PREP_ERR_VALUE ? why : NULL);
	}
}

prep_partial *
cli_state_load(struct cli *c, const char *path, const json_t *options)
{
	char *files[1];
	prep_partial *p;

	files[0] = (char *)path;
	p = cli_partials_load(c, files, 1, options);
	if (p[0].part.i != 1 || p[0].part.n != 1)
		cli_fatal(c,
			  "%s: not a merged state (part 1/1): --state takes "
			  "what --merge writes",
			  path);
	return p;
}

void
cli_state_write(struct cli *c, json_t *options, prep_classes *classes,
		const prep_classes_names *names, int whole)
{
	json_t *state = NULL;
	prep_status st = prep_classes_state(classes, names, &state);

	if (whole) {
		/* the state of the whole input: its only part */
		c->part_i = c->part_n = 1;
		c->part_by = NULL;
	}
	if (st != PREP_OK) {
		json_decref(options);
		cli_fatal_status(c, st, "state");
	}
	cli_partial_write(c, options, state);
}
