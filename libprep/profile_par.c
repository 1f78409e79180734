/*
 * profile_par.c: a profile made piece by piece (profile_par.h).
 *
 * A worker profiles the records of a piece into a profile of its own;
 * at the first record of its next piece it hands the last one over to
 * the table of pieces done. The calling thread, told in input order that
 * a piece was written (prep_par_job's piece function), takes its profile
 * from that table, or from the worker still holding it (a piece is
 * written only after its worker is done with it), and merges it into
 * the run's. The table and the workers' held profiles are under one
 * lock, taken twice a piece; the records are counted without it.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "profile_impl.h"
#include "profile_par.h"

/* One piece's profile, from its worker to the merge. */
struct piece {
	uint64_t no;
	prep_profile *p;
	prep_where first;   /* its first record */
	prep_where *gwhere; /* where group id first appears, by id */
	size_t gcap;
	struct piece *next;
};

struct worker {
	prep_profile_par *pp;
	/* the worker's own: the piece it is counting into */
	struct piece *mine;
	uint64_t mine_no;
	/* under pp->mu: the piece it holds, until taken */
	struct piece *held;
};

struct prep_profile_par {
	const prep_profile *like;
	prep_profile *total; /* the run's */
	unsigned nworkers;
	struct worker *w;
	void **ctx;
	pthread_mutex_t mu;
	struct piece *done; /* handed over, not yet merged */
	struct piece *zero; /* piece 0's, for piece 1 to go on with */
	atomic_int stop;    /* a merge failed: the rest is moot */
	/* the first failure of a merge */
	prep_status failed;
	prep_where failed_at;
};

static void
piece_free(struct piece *q)
{
	if (q == NULL)
		return;
	prep_profile_free(q->p);
	free(q->gwhere);
	free(q);
}

static prep_status
piece_new(const prep_profile *like, uint64_t no, struct piece **out)
{
	struct piece *q = calloc(1, sizeof *q);
	prep_status st;

	*out = NULL;
	if (q == NULL)
		return PREP_ERR_NOMEM;
	q->no = no;
	/* piece k's coins: stream k - 1, so that a first piece's are one
	 * pass's (profile_par.h) */
	st = prep_profile_new_like(like, no ? no - 1 : 0, &q->p);
	if (st != PREP_OK) {
		free(q);
		return st;
	}
	*out = q;
	return PREP_OK;
}

/* Note that q's newest group first appears at w (a record adds one). */
static prep_status
note_group(struct piece *q, prep_where w)
{
	size_t n = q->p->gset.n, cap;
	prep_where *t;

	if (n > q->gcap) {
		cap = q->gcap ? 2 * q->gcap : 64;
		if ((t = realloc(q->gwhere, cap * sizeof *t)) == NULL)
			return PREP_ERR_NOMEM;
		q->gwhere = t;
		q->gcap = cap;
	}
	q->gwhere[n - 1] = w;
	return PREP_OK;
}

static prep_status
row(void *ctx, const prep_field *f, size_t n, const prep_par_row *at,
    prep_writer *out)
{
	struct worker *w = ctx;
	prep_profile_par *pp = w->pp;
	struct piece *q;
	prep_status st;
	size_t groups;

	(void)n;
	(void)out;
	/* a merge failed: the rest is moot, that failure comes first */
	if (atomic_load_explicit(&pp->stop, memory_order_relaxed))
		return PREP_ERR_LIMIT;
	if (w->mine == NULL || w->mine_no != at->piece) {
		/* a new piece: hand the last over, unless already taken */
		pthread_mutex_lock(&pp->mu);
		if (w->held != NULL) {
			w->held->next = pp->done;
			pp->done = w->held;
			w->held = NULL;
		}
		pthread_mutex_unlock(&pp->mu);
		w->mine = NULL;
		pthread_mutex_lock(&pp->mu);
		q = at->piece == 1 ? pp->zero : NULL;
		pp->zero = q ? NULL : pp->zero;
		pthread_mutex_unlock(&pp->mu);
		if (q != NULL) {
			q->no = 1; /* the record before it goes on with it */
		} else {
			if ((st = piece_new(pp->like, at->piece, &q)) !=
			    PREP_OK)
				return st;
			q->first = prep_reader_where(at->reader);
		}
		pthread_mutex_lock(&pp->mu);
		w->held = q;
		pthread_mutex_unlock(&pp->mu);
		w->mine = q;
		w->mine_no = at->piece;
	}
	q = w->mine;
	groups = q->p->gset.n;
	if ((st = prep_profile_add(q->p, f)) != PREP_OK)
		return st;
	if (q->p->gset.n != groups)
		return note_group(q, prep_reader_where(at->reader));
	return PREP_OK;
}

/*
 * The id of the first group of from that passes into's max_groups when
 * merged in, or SIZE_MAX: from's groups come in the order of their
 * first records, so this is the group of one pass's failure.
 */
static size_t
first_past_cap(const prep_profile *into, const prep_profile *from)
{
	size_t i, id, added = 0;
	prep_field k;

	for (i = 0; i < from->gset.n; i++) {
		k = prep_strset_key(&from->gset, i);
		if (prep_strset_lookup((prep_strset *)&into->gset, k.data,
				       k.len, 0, &id, NULL) == PREP_OK)
			continue;
		if (into->gset.n + ++added > into->max_groups)
			return i;
	}
	return SIZE_MAX;
}

static void
fail(prep_profile_par *pp, prep_status st, prep_where w)
{
	pp->failed = st;
	pp->failed_at = w;
	atomic_store(&pp->stop, 1);
}

/* Take piece no's profile from where it is, or NULL (under pp->mu). */
static struct piece *
take(prep_profile_par *pp, uint64_t no)
{
	struct piece *q, **l;
	unsigned i;

	for (l = &pp->done; *l != NULL; l = &(*l)->next)
		if ((*l)->no == no) {
			q = *l;
			*l = q->next;
			return q;
		}
	for (i = 0; i < pp->nworkers; i++)
		if ((q = pp->w[i].held) != NULL && q->no == no) {
			pp->w[i].held = NULL;
			return q;
		}
	return NULL;
}

/* Merge q's profile into the run's (and free it), or note the failure. */
static void
merge_piece(prep_profile_par *pp, struct piece *q)
{
	prep_where none = {NULL, 0, 0};
	const char *why;
	prep_status st;
	size_t g;

	if (q == NULL)
		return;
	if (pp->failed != PREP_OK) {
		/* moot */
	} else if ((g = first_past_cap(pp->total, q->p)) != SIZE_MAX) {
		fail(pp, PREP_ERR_LIMIT, g < q->gcap ? q->gwhere[g] : none);
	} else if ((st = prep_profile_merge(pp->total, q->p, &why)) !=
		   PREP_OK) {
		fail(pp, st, st == PREP_ERR_RANGE ? q->first : none);
	}
	piece_free(q);
}

/*
 * The piece number no written: merge its profile, if it has one. Piece
 * 0's, the record read at the open, is kept for piece 1 to go on with
 * (so that an input of one piece has one pass's profile), or merged
 * before the next piece when piece 1 had no record for it.
 */
static void
piece_done(void *arg, uint64_t no, uint64_t rows)
{
	prep_profile_par *pp = arg;
	struct piece *q, *z = NULL;

	(void)rows;
	pthread_mutex_lock(&pp->mu);
	q = take(pp, no);
	if (no == 0) {
		pp->zero = q;
		q = NULL;
	} else {
		z = pp->zero;
		pp->zero = NULL;
	}
	pthread_mutex_unlock(&pp->mu);
	merge_piece(pp, z);
	merge_piece(pp, q);
}

prep_status
prep_profile_par_new(const prep_profile *like, unsigned nworkers,
		     prep_profile_par **out)
{
	prep_profile_par *pp;
	prep_status st;
	unsigned i;

	*out = NULL;
	if (nworkers < 1 || nworkers > PREP_PAR_MAX_THREADS)
		return PREP_ERR_ARG;
	if ((pp = calloc(1, sizeof *pp)) == NULL)
		return PREP_ERR_NOMEM;
	pp->like = like;
	pp->nworkers = nworkers;
	pp->w = calloc(nworkers, sizeof *pp->w);
	pp->ctx = calloc(nworkers, sizeof *pp->ctx);
	if (pp->w == NULL || pp->ctx == NULL) {
		free(pp->w);
		free(pp->ctx);
		free(pp);
		return PREP_ERR_NOMEM;
	}
	for (i = 0; i < nworkers; i++) {
		pp->w[i].pp = pp;
		pp->ctx[i] = &pp->w[i];
	}
	atomic_init(&pp->stop, 0);
	pthread_mutex_init(&pp->mu, NULL);
	st = prep_profile_new_like(like, PREP_PROFILE_PAR_MERGE_STREAM,
				   &pp->total);
	if (st != PREP_OK) {
		prep_profile_par_free(pp);
		return st;
	}
	*out = pp;
	return PREP_OK;
}

void
prep_profile_par_job(prep_profile_par *pp, prep_par_job *job, void *const **ctx)
{
	memset(job, 0, sizeof *job);
	job->row = row;
	job->piece = piece_done;
	job->arg = pp;
	job->piece_bytes = PREP_PROFILE_PAR_PIECE;
	*ctx = pp->ctx;
}

prep_status
prep_profile_par_end(prep_profile_par *pp, prep_status st,
		     const prep_par_result *res, prep_profile **out,
		     prep_where *where, int *by_profile)
{
	struct piece *q;
	size_t g;

	*out = NULL;
	*by_profile = 1;
	memset(where, 0, sizeof *where);
	if (st == PREP_OK) {
		/* a record read at the open and nothing after it */
		merge_piece(pp, pp->zero);
		pp->zero = NULL;
	}
	if (pp->failed != PREP_OK) {
		/* a merge failed: before any failure of the run's, which
		 * came in a later piece */
		*where = pp->failed_at;
		return pp->failed;
	}
	if (st == PREP_OK) {
		*out = pp->total;
		pp->total = NULL;
		return PREP_OK;
	}
	if (!res->by_row) {
		*by_profile = 0;
		return st;
	}
	*where = res->where;
	/* the threads are done: no lock needed, but take's */
	q = st == PREP_ERR_LIMIT ? take(pp, res->place >> 32) : NULL;
	if (q != NULL && (g = first_past_cap(pp->total, q->p)) != SIZE_MAX &&
	    g < q->gcap)
		/* the groups before the failing record, merged, pass the
		 * cap first: where one pass fails */
		*where = q->gwhere[g];
	piece_free(q);
	return st;
}

void
prep_profile_par_free(prep_profile_par *pp)
{
	struct piece *q;
	unsigned i;

	if (pp == NULL)
		return;
	while ((q = pp->done) != NULL) {
		pp->done = q->next;
		piece_free(q);
	}
	for (i = 0; i < pp->nworkers; i++)
		piece_free(pp->w[i].held);
	piece_free(pp->zero);
	pthread_mutex_destroy(&pp->mu);
	prep_profile_free(pp->total);
	free(pp->w);
	free(pp->ctx);
	free(pp);
}
