/*
 * profile_par.h: a profile made piece by piece on the threads of par.h,
 * the same whatever their number (profile(1), drift(1), -j N).
 *
 * A profile's sketches depend on the order of what they see: KLL's
 * compactions toss coins, Misra-Gries summaries and the switch from
 * exact values to a summary depend on which values came first. So the
 * profile of an input is made a function of its pieces (par.h), whose
 * cuts depend on the input's bytes alone, never of which thread saw
 * what: each piece is profiled into a profile of its own, and the
 * pieces' profiles are merged (prep_profile_merge) into the run's in
 * input order, on the calling thread, as each piece is done. One thread
 * or many, the same pieces are profiled and merged in the same order.
 *
 * Seeds: the KLL sketches of piece k (par.h's numbering: 0 the record a
 * stream without a header reads at the open, the rest from 1) toss
 * their coins from stream k - 1 of the seed's generator (stream 0 for
 * piece 0, which holds one record and never tosses), the merges into
 * the run's profile from stream PREP_PROFILE_PAR_MERGE_STREAM
 * (prep_kll_new_stream). A profile's first piece merged into the empty
 * run's profile is that piece's profile unchanged: an input of one
 * piece (with a header) has the profile one pass with the seed gives.
 *
 * Failures name the record one pass would: a piece that passes
 * max_groups on its own fails at its record, and a merge past it at the
 * record where the first group past the cap first appears (each piece
 * keeps the place of its groups' first records). Moments that a merge
 * makes infinite name the merged piece's first record.
 *
 * Memory: the run's profile and one per piece in flight (at most the
 * N + 2 of par.h, of PREP_PROFILE_PAR_PIECE bytes each), never more
 * with the input.
 */
#ifndef PREP_PROFILE_PAR_H
#define PREP_PROFILE_PAR_H

#include "par.h"
#include "profile.h"

/*
 * The bytes of a profile's pieces (prep_par_job's piece_bytes): each
 * piece costs a profile and a merge, so a profile's pieces are larger
 * than other jobs'.
 */
#define PREP_PROFILE_PAR_PIECE ((size_t)4 << 20)

/* The stream of the merges' coins: far from any piece's. */
#define PREP_PROFILE_PAR_MERGE_STREAM ((uint64_t)1 << 63)

typedef struct prep_profile_par prep_profile_par;

/*
 * A run over nworkers threads (1 .. PREP_PAR_MAX_THREADS) whose profile
 * is made as like (prep_profile_new_like; like is borrowed for the run
 * and holds no rows). PREP_ERR_ARG, PREP_ERR_NOMEM, PREP_ERR_MEMORY.
 */
prep_status prep_profile_par_new(const prep_profile *like, unsigned nworkers,
				 prep_profile_par **out);

/*
 * The job and the workers' contexts to give prep_par_run (or a loop of
 * one thread, piece 0, with the job's piece function called once after
 * it): valid until prep_profile_par_free.
 */
void prep_profile_par_job(prep_profile_par *pp, prep_par_job *job,
			  void *const **ctx);

/*
 * After the run, whose status and result are st and res: PREP_OK with
 * the profile in *out (the caller's to free), or the run's first
 * failure in input order: the profile's, *by_profile set
 * (PREP_ERR_LIMIT past max_groups, PREP_ERR_RANGE, PREP_ERR_MEMORY,
 * PREP_ERR_NOMEM, PREP_ERR_CRYPTO; *where its record's place, or file
 * NULL where it has none), or else st itself, the reader's or the
 * engine's failure that res describes.
 */
prep_status prep_profile_par_end(prep_profile_par *pp, prep_status st,
				 const prep_par_result *res, prep_profile **out,
				 prep_where *where, int *by_profile);

void prep_profile_par_free(prep_profile_par *pp);

#endif
