/*
 * validate_threads.c: validate's data records on -j N threads (par.h),
 * with the report, the outputs and the failures of one thread.
 *
 * Each worker checks records with a validator of its own, on a copy of
 * the schema read from the same file (checked by its SHA-256), that
 * puts the unique and primary-key lookups off (prep_validator_defer):
 * what a record decides alone (types, constraints, structure, personal
 * data) and the record written as a valid row or as a quarantine row go
 * into its piece's side buffer (prep_validator_note). One thread at a
 * time replays each piece's notes in input order (prep_validator_replay,
 * par.h's ordered stage): it makes the lookups in the run's schema, so
 * the first of two rows with one key is the valid one as on one thread,
 * adds each row to the report (counts, the first --max-errors errors),
 * and appends the valid rows and the quarantine rows to their outputs.
 * A row a duplicate key makes invalid is quarantined from its cells
 * there.
 *
 * A failure stops at the record where one thread stops: a reader's
 * source-error is reported for that row and ends the checks; a full
 * unique set (--max-keys) names the row that found it. --partial and
 * --lazy-quotes stay on one thread (threads_apply).
 */
#include <stdlib.h>
#include <string.h>

#include "par.h"
#include "validate_run.h"

/* A worker's validator, schema and memory writers. */
struct worker {
	prep_schema *sch;
	prep_validator *v;
	prep_writer *valid, *rej; /* NULL: no such output */
	int delim;
	int direct; /* valid rows straight to the piece's output */
};

/* The ordered side of the run (one thread at a time, in input order). */
struct order {
	const struct opts *o;
	struct sink *k;
	uint64_t head;
	prep_writer *out;	  /* the valid rows' writer, or NULL */
	prep_writer *valid, *rej; /* a piece's rows for out and k->rej */
	int direct;		  /* valid rows went to the engine's output */
	int fail;		  /* what stopped the replay (enum below) */
	prep_status fst;	  /* ... its status */
	prep_where where;	  /* ... the row's place, for --max-keys */
};

enum { FAIL_NONE, FAIL_KEYS, FAIL_CHECK, FAIL_REPORT, FAIL_OUT, FAIL_REJECTS };

int
threads_apply(const struct opts *o)
{
	return cli.threads > 1 && !o->partial &&
	       !prep_reader_options(cli.reader)->lazy_quotes;
}

static prep_status
note_row(void *ctx, const prep_field *f, size_t n, const prep_par_row *at,
	 prep_writer *out)
{
	struct worker *w = ctx;
	size_t ni;
	prep_status st;

	st = prep_validator_note(w->v, f, n, prep_reader_rows(at->reader),
				 prep_reader_where(at->reader),
				 w->direct ? NULL : w->valid, w->rej, w->delim,
				 prep_par_side(at), &ni);
	if (st == PREP_OK && w->direct && ni == 0 && out)
		st = prep_writer_row(out, f, n);
	return st;
}

/* The bytes of a row made on a worker, to the memory writer w. */
static prep_status
put_row(prep_writer *w, const char *p, size_t len)
{
	prep_status st = prep_writer_raw(w, p, len);

	if (st == PREP_OK)
		prep_writer_add(w, 1);
	return st;
}

/* The rows of piece's notes to the report and the outputs. */
static prep_status
replay(struct order *r, uint64_t piece, const prep_buf *side)
{
	/* piece 0's count is the reader's own; the others count from
	 * their first record, after the pieces before them */
	uint64_t base = piece == 0 ? 0 : prep_reader_rows(cli.reader);
	prep_vnote nt;
	size_t off = 0;
	prep_status st;

	while ((st = prep_validator_replay(run_validator, side, &off, &nt)) ==
	       PREP_OK) {
		if (nt.valid_run > 0) {
			prep_vreport_add_rows(run_report, nt.valid_run,
					      nt.valid_run);
			if (!r->o->report_only)
				r->k->written += nt.valid_run;
			continue;
		}
		st = prep_vreport_row(run_report, r->head + base + nt.rows,
				      nt.where, nt.issues, nt.nissues);
		if (st != PREP_OK) {
			r->fail = FAIL_REPORT;
			return st;
		}
		if (r->o->report_only)
			continue;
		if (nt.nissues == 0) {
			if (!r->direct &&
			    (st = put_row(r->valid, nt.valid, nt.valid_len)) !=
				PREP_OK) {
				r->fail = FAIL_OUT;
				return st;
			}
			r->k->written++;
		} else if (r->rej) {
			st = nt.changed
				 ? prep_validator_reject_row(
				       run_validator, r->rej, r->k->wo.delim,
				       nt.f, nt.n, nt.issues, nt.nissues)
				 : put_row(r->rej, nt.reject, nt.reject_len);
			if (st != PREP_OK) {
				r->fail = FAIL_REJECTS;
				return st;
			}
		}
	}
	if (st == PREP_END)
		return PREP_OK;
	r->fail = st == PREP_ERR_LIMIT ? FAIL_KEYS : FAIL_CHECK;
	r->where = nt.where;
	return st;
}

/* The piece's rows to their outputs, as far as they came. */
static prep_status
flush_to(prep_writer *dst, prep_writer *piece)
{
	prep_status st = prep_writer_finish(piece);

	if (st == PREP_OK)
		st = prep_writer_append(dst, piece);
	prep_writer_reset(piece);
	return st;
}

static prep_status
ordered(void *arg, uint64_t piece, const prep_buf *side, uint64_t rows)
{
	struct order *r = arg;
	prep_status st = replay(r, piece, side), wst;

	(void)rows;
	/* what came before a failure is written, as one thread wrote it
	 * before it stopped */
	if (r->out && !r->direct &&
	    (wst = flush_to(r->out, r->valid)) != PREP_OK &&
	    r->fail == FAIL_NONE) {
		r->fail = FAIL_OUT;
		st = wst;
	}
	if (r->rej && (wst = flush_to(r->k->rej, r->rej)) != PREP_OK &&
	    r->fail == FAIL_NONE) {
		r->fail = FAIL_REJECTS;
		st = wst;
	}
	if (r->fail != FAIL_NONE)
		r->fst = st;
	return st;
}

/* A schema of the worker's own: the run's file read again, the same
 * bytes as the run's schema. */
static prep_schema *
schema_copy(const struct opts *o, const prep_schema *run)
{
	unsigned char a[32], b[32];
	prep_schema *s = NULL;

	if (prep_schema_load(o->schema, &s, NULL) != PREP_OK)
		cli_fatal(&cli, "%s: could not be read again for -j",
			  o->schema);
	prep_schema_sha256(run, a);
	prep_schema_sha256(s, b);
	if (memcmp(a, b, sizeof a) != 0)
		cli_fatal(&cli, "%s: changed while validate read it",
			  o->schema);
	return s;
}

static void
worker_new(const struct opts *o, const prep_schema *run, struct worker *w,
	   prep_writer *out, prep_writer *rej)
{
	const prep_field *h;
	const prep_vissue *is;
	size_t ncols, ni;

	memset(w, 0, sizeof *w);
	if (o->schema)
		w->sch = schema_copy(o, run);
	validate_check(prep_validator_new(w->sch, o->pii, &w->v), "validator");
	prep_validator_set_missing(w->v, cli.missing);
	h = prep_reader_header(cli.reader, &ncols);
	if (h)
		validate_check(prep_validator_header(w->v, h, ncols, &is, &ni),
			       "header");
	else
		prep_validator_columns(w->v,
				       prep_validator_ncols(run_validator));
	prep_validator_defer(w->v);
	if (out)
		validate_check(prep_writer_new_memory(out, &w->valid),
			       "output");
	if (rej)
		validate_check(prep_writer_new_memory(rej, &w->rej), "rejects");
	w->delim = prep_reader_delim(cli.reader);
}

static void
worker_free(struct worker *w)
{
	prep_writer_free(w->valid);
	prep_writer_free(w->rej);
	prep_validator_free(w->v);
	prep_schema_free(w->sch);
}

/* What stopped the replay: the message and exit 2 of one thread. */
static void
replay_fatal(const struct order *r)
{
	switch (r->fail) {
	case FAIL_KEYS:
		cli_fatal_at(&cli, r->where,
			     "more distinct values than --max-keys in "
			     "unique or primary-key fields");
		break;
	case FAIL_OUT:
		if (r->o->stream)
			cli_write_check(&cli, r->fst);
		else
			cli_spool_check(&cli, r->fst);
		break;
	case FAIL_REJECTS:
		validate_check(r->fst, r->o->rejects);
		break;
	case FAIL_REPORT:
		validate_check(r->fst, "report");
		break;
	default:
		break;
	}
	validate_check(r->fst, "validation");
}

void
check_rows_threads(const struct opts *o, struct sink *k, uint64_t head,
		   const prep_schema *sch)
{
	prep_par_job job;
	prep_par_result res;
	struct order r;
	struct worker *ws;
	void **ctx;
	unsigned i, n = cli.threads;
	prep_status st;

	memset(&r, 0, sizeof r);
	r.o = o;
	r.k = k;
	r.head = head;
	if (!o->report_only)
		r.out = k->spool ? prep_spool_writer(k->spool) : cli.writer;
	ws = calloc(n, sizeof *ws);
	ctx = calloc(n, sizeof *ctx);
	if (ws == NULL || ctx == NULL)
		cli_fatal(&cli, "out of memory");
	/* without unique or primary-key sets a row's checks are its own:
	 * valid rows go to the engine's output, in input order */
	r.direct = r.out && prep_schema_key_sets(sch) == 0;
	for (i = 0; i < n; i++) {
		worker_new(o, sch, &ws[i], r.out, k->rej);
		ws[i].direct = r.direct;
		ctx[i] = &ws[i];
	}
	if (r.out)
		validate_check(prep_writer_new_memory(r.out, &r.valid),
			       "output");
	if (k->rej)
		validate_check(prep_writer_new_memory(k->rej, &r.rej),
			       "rejects");
	memset(&job, 0, sizeof job);
	job.row = note_row;
	job.ordered = ordered;
	job.ordered_arg = &r;
	cli.run_ctx = (void *const *)ctx;
	st = prep_par_run(cli.reader, r.direct ? r.out : NULL, n, &job,
			  (void *const *)ctx, &res);
	if (st != PREP_OK && res.by_ordered) {
		replay_fatal(&r);
	} else if (st != PREP_OK && res.by_output) {
		if (o->stream)
			cli_write_check(&cli, st);
		else
			cli_spool_check(&cli, st);
	} else if (st != PREP_OK && res.by_row) {
		validate_check(st, "validation");
	} else if (st == PREP_ERR_NOMEM) {
		cli_fatal(&cli, "out of memory");
	} else if (st != PREP_OK && prep_vsource_error(st)) {
		/* as one thread: the row the reader could not read is a
		 * source-error, and the checks end there */
		validate_check(
		    prep_vreport_source_error(
			run_report, head + prep_reader_rows(cli.reader) + 1,
			res.where, st, prep_reader_options(cli.reader)),
		    "report");
	} else if (st != PREP_OK) {
		cli_reader_fatal_at(&cli, st, res.where, res.fields);
	}
	cli.run_ctx = NULL;
	prep_writer_free(r.valid);
	prep_writer_free(r.rej);
	for (i = 0; i < n; i++)
		worker_free(&ws[i]);
	free(ws);
	free(ctx);
}
