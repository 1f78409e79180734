/*
 * par.h: one CSV stream's records on several threads, in input order
 * (-j N, prep(7)).
 *
 * The workers (threads) read the input raw (csv.h, prep_reader_raw_to:
 * into the piece's buffer, where the reader need not decode) and cut
 * it into pieces that begin and end at record boundaries, one worker at
 * a time and in turn, each then running the piece it cut: a piece
 * ends at the first boundary past PREP_PAR_PIECE bytes (or the job's
 * piece_bytes), or at the end of a file. The cuts depend on the input's
 * bytes alone, never on how many a read returned (a pipe's vary) nor on
 * the number of threads: a job may make its result a function of the
 * pieces (profile(1)). A record ends at a line feed outside quotes, and
 * quotes are told by counting them, as for --part (part.h): a quoted
 * field holds its quotes doubled, an unquoted field none, so a line feed
 * is outside quotes exactly when an even number of quotes come before it
 * in the piece. A CR not followed by a line feed ends a record too
 * (libcsv's rule): it is a boundary only where no line feed is. Input
 * with stray quotes has no such count (--lazy-quotes): run it on one
 * thread. Where a strict reader meets a stray quote it fails there, and
 * every piece before that record was cut right; so a piece that holds a
 * malformed record fails at it, as one reader would. A piece with no
 * boundary in prep_reader_record_max bytes holds a record no reader
 * accepts, and fails in it.
 *
 * A worker runs a piece with a reader of pieces (prep_reader_new_piece)
 * and a memory writer, calling the job's row function on every record.
 * The pieces' output is appended to the output writer strictly in input
 * order, one piece after the other, by whichever worker finds the next
 * piece done, so the output is the same bytes whatever the number of
 * threads; the calling thread waits for the end. At most N + 2 pieces
 * are in flight: memory does not grow with the input.
 *
 * A failure, from a reader or from a row function, stops the run at the
 * first failing record in input order: the output holds what came
 * before it, exactly as on one thread, and the result names the place.
 *
 * Whole-input work keeps a table per worker and merges them after the
 * run; what depends on the order of records (first appearances) can
 * use each record's place, (piece, index): increasing in input order.
 *
 * Work where a record's fate depends on the records before it (a key
 * seen before makes it a duplicate) splits in two: the row function, on
 * a worker, does what a record decides alone and notes the rest in its
 * piece's side buffer; the job's ordered function reads each piece's
 * notes in input order, one piece at a time (as the output is written,
 * by whichever thread writes it), and finishes the work (writing, if it
 * likes, to outputs of its own). Jobs without one have no side buffers.
 */
#ifndef PREP_PAR_H
#define PREP_PAR_H

#include <stdint.h>

#include "buf.h"
#include "csv.h"
#include "prep.h"

/* Bytes per piece (a piece ends at the first boundary past them). */
#define PREP_PAR_PIECE ((size_t)512 << 10)
/* The most threads a run may ask for. */
#define PREP_PAR_MAX_THREADS 256

/* Where a record is, for the job's row function. */
typedef struct prep_par_row {
	uint64_t
	    piece;	     /* the piece's number in input order: the record
				prep_reader_pending held is piece 0, the rest from 1 */
	uint64_t index;	     /* the record's number within its piece, from 0 */
	prep_reader *reader; /* the piece's reader: prep_reader_where */
} prep_par_row;

typedef struct prep_par_job {
	/*
	 * One record: f[0..n), its place at; output, if any, to out (a
	 * memory writer, or the output writer itself for piece 0). ctx is
	 * the caller's context of the worker running it (ctx[worker]).
	 * A status other than PREP_OK stops the run there.
	 */
	prep_status (*row)(void *ctx, const prep_field *f, size_t n,
			   const prep_par_row *at, prep_writer *out);
	/*
	 * Optional (NULL: none): a piece's output was written, in input
	 * order, one piece at a time; rows is the number of records
	 * its row function was given. For numbering records in input
	 * order after the run (a piece's first is the sum of the rows of
	 * the pieces before it).
	 */
	void (*piece)(void *arg, uint64_t piece, uint64_t rows);
	void *arg;
	/*
	 * Optional (NULL: none, and no side buffers): the ordered stage of
	 * a job whose rows depend on the rows before them (validate's
	 * unique keys, which row goes where). Each piece has a side buffer
	 * (prep_par_side) its row function writes what it found into; ordered
	 * reads it in input order, one piece at a time (on the calling
	 * thread or a worker, each call seeing what the one before did;
	 * it must not rely on errno or other state of one thread), for every
	 * piece whose records were read, a failed one too (side then holds the
	 * rows before the failure), before the piece's output is appended
	 * and before its records are counted into the reader: for a piece
	 * p > 0, prep_reader_rows(r) counts the records of the pieces
	 * before it (piece 0, the pending record, was read by r itself).
	 * rows is the number of records the row function was given. A
	 * status other than PREP_OK stops the run there (by_ordered; the
	 * place is the job's to know): no later piece is read by it.
	 */
	prep_status (*ordered)(void *arg, uint64_t piece, const prep_buf *side,
			       uint64_t rows);
	void *ordered_arg;
	/*
	 * Optional (0: PREP_PAR_PIECE): a piece ends at the first record
	 * boundary past this many bytes. Larger pieces cost memory (N + 2
	 * of them in flight on N threads) and save a job work per piece:
	 * profile(1) merges a profile per piece.
	 */
	size_t piece_bytes;
} prep_par_job;

/*
 * The side buffer of the piece of the record at, for a row function of
 * a job with an ordered function (else NULL): empty when the piece's
 * first record comes, kept until the ordered function has read it. Only
 * for an at that prep_par_run gave, or the at of a prep_par_sided. Its
 * bytes count against the memory budget (memcap.h), with no cap of their
 * own.
 */
prep_buf *prep_par_side(const prep_par_row *at);

/*
 * A place with its side buffer, as prep_par_run gives it: for a loop on
 * the calling thread that runs a job with an ordered function itself
 * (one thread), giving its row function &sided.at, and the side buffer
 * to ordered every so many records as if they were a piece.
 */
typedef struct prep_par_sided {
	prep_par_row at; /* first: prep_par_side casts back */
	prep_buf *side;
} prep_par_sided;

typedef struct prep_par_result {
	prep_status status; /* PREP_OK, or the first failure in input order */
	prep_where where;   /* its place */
	size_t fields;	    /* fields of the record there, as far as read */
	uint64_t place;	    /* its place: piece << 32 | index (prep_par_row) */
	int by_row;	    /* it is a row function's */
	int by_output;	    /* it is the output writer's */
	unsigned worker;    /* ... of the worker with ctx[worker] */
	int by_ordered;	    /* it is the job's ordered function's */
} prep_par_result;

/*
 * Run job over every record r has left, on nthreads threads (1 ..
 * PREP_PAR_MAX_THREADS) whose contexts are ctx[0..nthreads), writing
 * the output to out (NULL: a job that writes nothing). The records
 * prep_reader_raw takes are counted into r (prep_reader_rows). Returns
 * PREP_OK or the failure of res (res filled in either case); PREP_ERR_ARG
 * for a reader with lazy quotes, PREP_ERR_NOMEM when threads or buffers
 * can't be had.
 */
prep_status prep_par_run(prep_reader *r, prep_writer *out, unsigned nthreads,
			 const prep_par_job *job, void *const *ctx,
			 prep_par_result *res);

/*
 * Where each piece's records begin in the numbering of every record the
 * row function was given (from 0): base[p] for piece p < n. Give
 * prep_par_bases_note as a job's piece function, with the bases as its
 * arg; failed is set when memory ran out. Free with prep_par_bases_free.
 */
typedef struct prep_par_bases {
	uint64_t *base;
	size_t n, cap;
	uint64_t total;
	int failed;
} prep_par_bases;

void prep_par_bases_note(void *bases, uint64_t piece, uint64_t rows);
void prep_par_bases_free(prep_par_bases *b);
/* The number (from 1) of the record at place, by the bases' base[]. */
uint64_t prep_par_row_number(uint64_t place, const uint64_t *base,
			     size_t nbase);

/*
 * An entry (group, cell) of table part of a thread, by the place where it
 * first appeared: sorted by prep_par_first_cmp, the entries of all the
 * threads' tables come in order of first appearance in the input, the
 * order to add them up in.
 */
typedef struct prep_par_first {
	uint64_t first;
	size_t part, id;
} prep_par_first;

int prep_par_first_cmp(const void *a, const void *b);

/*
 * The bytes of a piece for every job, for tests that need many pieces of
 * a small input (0: each job's own, piece_bytes). Set it before a run,
 * not during one.
 */
void prep_par_set_piece(size_t bytes);

/*
 * Cut with the portable scan of the input's quotes and line feeds even
 * where the CPU has AVX2, POPCNT and PCLMULQDQ (for tests that hold the
 * two alike; on x86-64 the CPU's own is used by default). Set it before
 * a run, not during one.
 */
void prep_par_set_portable(int on);

/* The number of online CPUs (at least 1). */
unsigned prep_par_cpus(void);

#endif
