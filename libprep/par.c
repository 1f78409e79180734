/*
 * par.c: a stream's records on several threads, in input order (par.h).
 *
 * The workers cut the pieces, one at a time and in turn, and each runs
 * the piece it cut: the bytes are read on the core that parses them (a
 * separate reading thread handed every byte across cores, and woke a
 * worker per piece). Whichever thread finds the next piece done writes
 * it, in order; the calling thread waits for the end. A slot holds one
 * piece from the moment it is cut until its output is written: FREE,
 * BUSY (cut, being run), DONE. Slots are used in turn, piece s in slot
 * s % nslots, so the writer always waits on one known slot.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
/* scan_blocks_hw where the CPU has AVX2, POPCNT and PCLMULQDQ */
#define SCAN_HW 1
#endif

#include "bits.h"
#include "par.h"

enum { FREE, BUSY, DONE };

static size_t forced_piece; /* prep_par_set_piece; 0: the job's */
static int portable_scan;   /* prep_par_set_portable */
/* A side buffer holds what its piece's records make, however large a
 * record the reader takes: bounded by the memory budget (memcap.h), not
 * by buf.h's default cap. */
#define SIDE_MAX (SIZE_MAX / 2)

void
prep_par_set_portable(int on)
{
	portable_scan = on;
}

void
prep_par_set_piece(size_t bytes)
{
	forced_piece = bytes;
}

struct slot {
	int state;
	uint64_t seq;	   /* the piece's number */
	unsigned char *in; /* its bytes */
	size_t len, cap;
	const char *file;
	unsigned long line; /* the physical line of in[0] */
	int cut_short;	    /* no boundary in record_max bytes */
	prep_writer *out;   /* its output (a memory writer), or NULL */
	uint64_t rows;	    /* records read (part_by's skipped too) */
	uint64_t given;	    /* records given to the row function */
	prep_status status;
	prep_where where;
	size_t fields;
	uint64_t place;
	int by_row;
	unsigned worker;
	prep_buf side; /* the row function's notes for job->ordered */
};

struct par {
	prep_reader *r;
	prep_writer *out;
	const prep_par_job *job;
	void *const *ctx;
	unsigned nthreads;
	struct slot *slots;
	size_t nslots;
	uint64_t next_seq; /* pieces cut */
	uint64_t out_seq;  /* pieces written */
	uint64_t stop_seq; /* the first failed piece; UINT64_MAX: none */
	int quit;
	int cutting;	      /* a worker is cutting a piece (cut_piece) */
	int input_done;	      /* no more pieces: the input ended or failed */
	prep_status failed;   /* the reader's failure, if any (cut_piece) */
	int nomem;	      /* a cut ran out of memory */
	int writing;	      /* a thread is writing pieces (flush_pieces) */
	prep_status wstatus;  /* the failure the writing met, if any */
	prep_par_result wres; /* ... and its place */
	int werrno;	      /* ... and errno then (errno is a thread's) */
	pthread_mutex_t mu;
	pthread_cond_t work, done;

	/* the cut, by one worker at a time: bytes of the piece to come,
	 * and where it stands */
	unsigned char *carry;
	size_t carry_len, carry_cap;
	const char *file;
	unsigned long line;
	int new_file; /* take the line from the reader's next bytes */
	size_t record_max;
	size_t piece_bytes; /* a piece ends at the first boundary past them */
	prep_buf side0;	    /* piece 0's side buffer */
};

/* Room for n bytes in *buf of capacity *cap. */
static int
reserve(unsigned char **buf, size_t *cap, size_t n, size_t piece)
{
	size_t ncap = *cap ? *cap : piece + (64 << 10);
	unsigned char *nb;

	if (n <= *cap)
		return 1;
	while (ncap < n)
		ncap *= 2;
	if ((nb = realloc(*buf, ncap)) == NULL)
		return 0;
	*buf = nb;
	*cap = ncap;
	return 1;
}

/*
 * Where the cutter stands in the bytes of a piece: the quote state after
 * what it scanned, the last boundary (the byte after a line feed outside
 * quotes; 0: none yet), and the line feeds before it and before the end
 * of what was scanned.
 */
struct scan {
	int inq;
	size_t cut;
	unsigned long cut_lines, lines;
};

/* Bit i of *quote and *lf: p[i] is a quote, a line feed (i < 64). */
static void
masks64(const unsigned char *p, uint64_t *quote, uint64_t *lf)
{
#ifdef __SSE2__
	const __m128i cq = _mm_set1_epi8('"'), cl = _mm_set1_epi8('\n');
	uint64_t q = 0, l = 0;
	size_t k;

	for (k = 0; k < 64; k += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(p + k));

		q |=
		    (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, cq))
		    << k;
		l |=
		    (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, cl))
		    << k;
	}
	*quote = q;
	*lf = l;
#else
	uint64_t q = 0, l = 0;
	int k;

	for (k = 0; k < 64; k++) {
		q |= (uint64_t)(p[k] == '"') << k;
		l |= (uint64_t)(p[k] == '\n') << k;
	}
	*quote = q;
	*lf = l;
#endif
}

/*
 * scan's 64-byte blocks from p + i on, with the state in locals (stores
 * through sc could alias the bytes, so the compiler would keep them in
 * memory): a line feed is outside quotes when the quotes before it in
 * the piece are even (the piece begins at a boundary), so a block's
 * boundaries are its line feeds less those under the prefix xor of its
 * quotes. MASKS, POPCOUNT and PREFIX_XOR name the functions of the
 * instruction set the blocks are compiled for.
 */
#define SCAN_BLOCKS(MASKS, POPCOUNT, PREFIX_XOR)                               \
	do {                                                                   \
		uint64_t inq = sc->inq ? ~(uint64_t)0 : 0;                     \
		unsigned long lines = sc->lines;                               \
                                                                               \
		for (; i + 64 <= len; i += 64) {                               \
			uint64_t q, l, inside, out;                            \
                                                                               \
			MASKS(p + i, &q, &l);                                  \
			inside = PREFIX_XOR(q) ^ inq;                          \
			out = l & ~inside;                                     \
			if (out) {                                             \
				int last = 63 - __builtin_clzll(out);          \
                                                                               \
				sc->cut = i + (size_t)last + 1;                \
				sc->cut_lines =                                \
				    lines + POPCOUNT(l << (63 - last));        \
			}                                                      \
			lines += POPCOUNT(l);                                  \
			inq = 0 - (inside >> 63); /* all ones or none */       \
		}                                                              \
		sc->lines = lines;                                             \
		sc->inq = inq != 0;                                            \
	} while (0)

/* scan's whole blocks from p + i on; returns where they end. */
static size_t
scan_blocks(const unsigned char *p, size_t i, size_t len, struct scan *sc)
{
	SCAN_BLOCKS(masks64, prep_bits_set, prep_prefix_xor);
	return i;
}

#ifdef SCAN_HW
__attribute__((target("avx2"))) static inline void
masks64_avx2(const unsigned char *p, uint64_t *quote, uint64_t *lf)
{
	const __m256i cq = _mm256_set1_epi8('"'), cl = _mm256_set1_epi8('\n');
	__m256i a = _mm256_loadu_si256((const __m256i *)p);
	__m256i b = _mm256_loadu_si256((const __m256i *)(p + 32));

	*quote =
	    (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, cq)) |
	    (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, cq))
		<< 32;
	*lf = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, cl)) |
	      (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, cl))
		  << 32;
}

/* The prefix xor as a carry-less product by all ones (bit i of the
 * product is the xor of bits 0..i of x): Langdale and Lemire, "Parsing
 * Gigabytes of JSON per Second", VLDB Journal 28 (2019), section 3.1.1. */
__attribute__((target("pclmul"))) static inline uint64_t
prefix_xor_clmul(uint64_t x)
{
	return (uint64_t)_mm_cvtsi128_si64(_mm_clmulepi64_si128(
	    _mm_set_epi64x(0, (long long)x), _mm_set1_epi8((char)0xff), 0));
}

__attribute__((target("popcnt"))) static inline unsigned long
popcount_hw(uint64_t x)
{
	return (unsigned long)__builtin_popcountll(x);
}

/* scan_blocks with AVX2, POPCNT and PCLMULQDQ. */
__attribute__((target("avx2,popcnt,pclmul"))) static size_t
scan_blocks_hw(const unsigned char *p, size_t i, size_t len, struct scan *sc)
{
	SCAN_BLOCKS(masks64_avx2, popcount_hw, prefix_xor_clmul);
	return i;
}
#endif

/*
 * Scan p[from..len) on from the state in sc, 64 bytes at a time, then
 * byte by byte.
 */
static void
scan(const unsigned char *p, size_t from, size_t len, struct scan *sc)
{
	size_t i = from;

	if (from >= len)
		return; /* nothing new (p may be NULL) */
#ifdef SCAN_HW
	if (!portable_scan && __builtin_cpu_supports("avx2") &&
	    __builtin_cpu_supports("popcnt") &&
	    __builtin_cpu_supports("pclmul"))
		i = scan_blocks_hw(p, i, len, sc);
	else
#endif
		i = scan_blocks(p, i, len, sc);
	for (; i < len; i++) {
		if (p[i] == '"') {
			sc->inq = !sc->inq;
		} else if (p[i] == '\n') {
			sc->lines++;
			if (!sc->inq) {
				sc->cut = i + 1;
				sc->cut_lines = sc->lines;
			}
		}
	}
}

static unsigned long
count_lines(const unsigned char *p, size_t len)
{
	const unsigned char *end;
	unsigned long n = 0;

	if (len == 0)
		return 0; /* p may be NULL */
	end = p + len;
	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

/*
 * Go on from p[from..len) after a piece's first bytes, byte by byte, to
 * the first boundary: the byte after a line feed outside quotes, or,
 * with cr (the piece has no line feed outside quotes before), after a
 * CR outside quotes followed by a byte that is no line feed. Returns it,
 * or 0 with *next where to go on from once more bytes are in.
 */
static size_t
first_cut(const unsigned char *p, size_t from, size_t len, int cr,
	  struct scan *sc, size_t *next)
{
	size_t i;

	for (i = from; i < len; i++) {
		if (p[i] == '"') {
			sc->inq = !sc->inq;
		} else if (p[i] == '\n') {
			sc->lines++;
			if (!sc->inq) {
				*next = i + 1;
				return i + 1;
			}
		} else if (cr && p[i] == '\r' && !sc->inq) {
			if (i + 1 == len)
				break; /* the byte after it is still to come */
			if (p[i + 1] != '\n') {
				*next = i + 1;
				return i + 1;
			}
		}
	}
	*next = i;
	return 0;
}

/* Bytes a piece is read past its piece bytes, to find its cut in. */
#define READ_PAST ((size_t)16 << 10)

/*
 * Cut the next piece into slot s: the carried bytes, then the reader's,
 * up to the first boundary past g->piece_bytes (or the end of the
 * input or of a file). The cuts depend on the input's bytes only, never
 * on how many of them a read returned (a pipe's reads vary), so that a
 * job may make its result a function of the pieces (profile(1)). Returns
 * PREP_OK with s->len > 0, PREP_END when the input is done and nothing
 * is left, or the reader's failure (the bytes before it, whole records,
 * still make a piece first: then PREP_OK and *failed set).
 */
static prep_status
cut_piece(struct par *g, struct slot *s, prep_status *failed)
{
	struct scan sc = {0, 0, 0, 0};
	size_t cut = 0, scanned = 0, upto, want;
	unsigned long lines;
	prep_raw raw;
	prep_status st;

	s->len = 0;
	if (g->carry_len > 0) {
		if (!reserve(&s->in, &s->cap, g->carry_len, g->piece_bytes))
			return PREP_ERR_NOMEM;
		memcpy(s->in, g->carry, g->carry_len);
		s->len = g->carry_len;
		g->carry_len = 0;
	}
	s->file = g->file;
	s->line = g->line;
	s->cut_short = 0;
	for (;;) {
		/* 64 bytes at a time up to g->piece_bytes, then byte by byte
		 * to the first boundary past them */
		upto = s->len < g->piece_bytes ? s->len : g->piece_bytes;
		if (scanned < upto) {
			scan(s->in, scanned, upto, &sc);
			scanned = upto;
		}
		if (s->len >= g->piece_bytes &&
		    (cut = first_cut(s->in, scanned, s->len, sc.cut == 0, &sc,
				     &scanned)) > 0) {
			sc.cut = cut;
			sc.cut_lines = sc.lines;
			break;
		}
		if (s->len >= sc.cut + g->record_max) {
			/* a record longer than any reader takes: the piece
			 * ends before it, or fails in it */
			if (sc.cut > 0) {
				cut = sc.cut;
			} else {
				cut = g->record_max;
				s->cut_short = 1;
			}
			break;
		}
		/* read into the piece: up to its piece bytes and a little
		 * more (the bytes past its cut are carried to the next) */
		want = READ_PAST +
		       (s->len < g->piece_bytes ? g->piece_bytes - s->len : 0);
		if (!reserve(&s->in, &s->cap, s->len + want, g->piece_bytes))
			return PREP_ERR_NOMEM;
		st = prep_reader_raw_to(g->r, s->in + s->len, want, &raw);
		if (st == PREP_END) {
			cut = s->len;
			break;
		}
		if (st != PREP_OK) {
			*failed = st;
			cut = sc.cut; /* whole records only */
			break;
		}
		if (g->new_file) { /* s->len is 0: a piece's first bytes */
			s->file = raw.file;
			s->line = raw.line;
			g->new_file = 0;
		}
		if (raw.file_end) {
			/* the file's last record ends with it */
			g->new_file = 1;
			if (s->len == 0)
				continue; /* a file with no records */
			cut = s->len;
			break;
		}
		if (raw.data != s->in + s->len) {
			/* the reader's bytes (gzip, a file's first ones) */
			if (!reserve(&s->in, &s->cap, s->len + raw.len,
				     g->piece_bytes))
				return PREP_ERR_NOMEM;
			memcpy(s->in + s->len, raw.data, raw.len);
		}
		s->len += raw.len;
	}
	/* the line feeds of the piece: counted by the scans, but for a cut
	 * before what they scanned, which is rare */
	lines = cut == scanned	? sc.lines
		: cut == sc.cut ? sc.cut_lines
				: count_lines(s->in, cut);
	if (cut < s->len) {
		if (!reserve(&g->carry, &g->carry_cap, s->len - cut,
			     g->piece_bytes))
			return PREP_ERR_NOMEM;
		memcpy(g->carry, s->in + cut, s->len - cut);
		g->carry_len = s->len - cut;
		if (*failed != PREP_OK)
			g->carry_len = 0; /* a record the failure cut off */
		s->len = cut;
	}
	g->file = s->file;
	g->line = s->line + lines;
	return s->len == 0 ? PREP_END : PREP_OK;
}

prep_buf *
prep_par_side(const prep_par_row *at)
{
	return ((const prep_par_sided *)(const void *)at)->side;
}

/* Read and transform the piece in s on worker w. */
static void
run_piece(struct par *g, struct slot *s, unsigned w, prep_reader *pr)
{
	const prep_field *f;
	prep_par_sided ra;
	prep_par_row *const pat = &ra.at;
	size_t n;
	prep_status st;

	s->by_row = 0;
	s->worker = w;
	if (s->out)
		prep_writer_reset(s->out);
	st = prep_reader_piece(pr, s->in, s->len, s->file, s->line);
	ra.at.piece = s->seq;
	ra.at.index = 0;
	ra.at.reader = pr;
	ra.side = g->job->ordered ? &s->side : NULL;
	while (st == PREP_OK &&
	       (st = prep_reader_next_row(pr, &f, &n)) == PREP_OK) {
		if ((st = g->job->row(g->ctx[w], f, n, pat, s->out)) !=
		    PREP_OK) {
			s->by_row = 1;
			break;
		}
		pat->index++;
	}
	if (st == PREP_END && s->cut_short) {
		/* a record longer than any reader takes, that this one
		 * took: never, by prep_reader_record_max */
		st = PREP_ERR_LIMIT;
	}
	if (st == PREP_END)
		st = PREP_OK;
	s->where = prep_reader_where(pr);
	s->fields = prep_reader_record_fields(pr);
	s->place = pat->piece << 32 | pat->index;
	s->given = pat->index;
	s->rows = prep_reader_rows(pr);
	if (s->out && st == PREP_OK)
		st = prep_writer_finish(s->out);
	else if (s->out)
		(void)prep_writer_finish(s->out); /* what came before */
	s->status = st;
}

struct worker_arg {
	struct par *g;
	unsigned w;
};

static void flush_pieces(struct par *g);

/*
 * Is the run over: every piece cut and written, or a failure met that
 * ends it? Called with g->mu held.
 */
static int
finished(const struct par *g)
{
	return g->wstatus != PREP_OK || g->nomem ||
	       (g->input_done && !g->cutting && !g->writing &&
		g->out_seq == g->next_seq);
}

/*
 * A worker: while the input lasts, cut the next piece when no other
 * worker is cutting and a slot is free, run it, and write the pieces
 * done (flush_pieces).
 */
static void *
worker(void *p)
{
	struct worker_arg *a = p;
	struct par *g = a->g;
	prep_reader *pr = NULL;
	prep_status st = prep_reader_new_piece(g->r, &pr), cst;

	pthread_mutex_lock(&g->mu);
	while (!g->quit) {
		struct slot *s;

		if (g->cutting || g->input_done || g->stop_seq != UINT64_MAX ||
		    g->wstatus != PREP_OK ||
		    g->next_seq - g->out_seq >= g->nslots) {
			pthread_cond_wait(&g->work, &g->mu);
			continue;
		}
		g->cutting = 1;
		s = &g->slots[g->next_seq % g->nslots];
		pthread_mutex_unlock(&g->mu);
		cst = cut_piece(g, s, &g->failed);
		pthread_mutex_lock(&g->mu);
		g->cutting = 0;
		if (cst == PREP_ERR_NOMEM)
			g->nomem = 1;
		if (cst != PREP_OK || g->failed != PREP_OK)
			g->input_done = 1;
		if (cst != PREP_OK || g->quit) {
			if (finished(g))
				pthread_cond_signal(&g->done);
			continue;
		}
		s->seq = g->next_seq++;
		s->state = BUSY;
		if (!g->input_done)
			pthread_cond_signal(&g->work); /* the next cut */
		pthread_mutex_unlock(&g->mu);
		prep_buf_reset(&s->side);
		if (st == PREP_OK) {
			run_piece(g, s, a->w, pr);
		} else {
			s->status = st;
			s->by_row = 0;
			s->where = prep_reader_where(g->r);
		}
		pthread_mutex_lock(&g->mu);
		s->state = DONE;
		if (s->status != PREP_OK && s->seq < g->stop_seq)
			g->stop_seq = s->seq;
		flush_pieces(g);
		if (finished(g))
			pthread_cond_signal(&g->done);
	}
	pthread_mutex_unlock(&g->mu);
	prep_reader_free(pr);
	return NULL;
}

/* Write the piece in s (its failure, if any, ends the run). */
static prep_status
write_piece(struct par *g, struct slot *s, prep_par_result *res)
{
	prep_status st = PREP_OK;

	if (g->job->ordered &&
	    (st = g->job->ordered(g->job->ordered_arg, s->seq, &s->side,
				  s->given)) != PREP_OK) {
		res->status = st;
		res->place = s->seq << 32;
		res->by_ordered = 1;
		return st;
	}
	prep_reader_count_rows(g->r, s->rows);
	if (g->out && s->out)
		st = prep_writer_append(g->out, s->out);
	if (g->job->piece && s->status == PREP_OK && st == PREP_OK)
		g->job->piece(g->job->arg, s->seq, s->given);
	if (s->status != PREP_OK) {
		res->status = s->status;
		res->where = s->where;
		res->fields = s->fields;
		res->place = s->place;
		res->by_row = s->by_row;
		res->worker = s->worker;
		return s->status;
	}
	if (st != PREP_OK) {
		res->status = st;
		res->where = s->where; /* the reader's is the cutter's */
		res->by_output = 1;
	}
	return st;
}

/*
 * Write the pieces that are done, in input order, unless another thread
 * is writing them now: whichever worker finds the next piece done. One
 * thread at a time, in input order, with the memory of the one before
 * it (the mutex): the same work, and the same output, as when one thread
 * does it all. Called and returns with g->mu held.
 */
static void
flush_pieces(struct par *g)
{
	struct slot *s;
	prep_par_result r;
	prep_status st;

	if (g->writing || g->wstatus != PREP_OK)
		return;
	g->writing = 1;
	for (;;) {
		s = &g->slots[g->out_seq % g->nslots];
		if (g->out_seq >= g->next_seq || s->state != DONE)
			break;
		pthread_mutex_unlock(&g->mu);
		memset(&r, 0, sizeof r);
		st = write_piece(g, s, &r);
		pthread_mutex_lock(&g->mu);
		if (st != PREP_OK) {
			g->werrno = errno;
			g->wstatus = st;
			g->wres = r;
			if (s->seq < g->stop_seq)
				g->stop_seq = s->seq;
			break;
		}
		s->state = FREE;
		g->out_seq++;
		pthread_cond_signal(&g->work); /* a slot for the next cut */
	}
	g->writing = 0;
}

/* The record prep_reader_pending holds: piece 0, here, on ctx[0]. */
static prep_status
run_pending(struct par *g, prep_par_result *res)
{
	const prep_field *f;
	prep_par_sided ra = {{0, 0, g->r}, NULL};
	size_t n;
	prep_status st, ost;

	if (g->job->ordered)
		ra.side = &g->side0;
	if (!prep_reader_pending(g->r))
		return PREP_OK;
	/* with prep_reader_part_by, the next record in the part, if any */
	if ((st = prep_reader_next_row(g->r, &f, &n)) == PREP_END)
		return PREP_OK;
	if (st != PREP_OK) {
		res->status = st;
		res->where = prep_reader_where(g->r);
		res->fields = prep_reader_record_fields(g->r);
		return st;
	}
	st = g->job->row(g->ctx[0], f, n, &ra.at, g->out);
	/* the ordered stage sees the record first, as a piece's */
	if (g->job->ordered &&
	    (ost = g->job->ordered(g->job->ordered_arg, 0, &g->side0,
				   st == PREP_OK)) != PREP_OK) {
		res->status = ost;
		res->by_ordered = 1;
		return ost;
	}
	if (st != PREP_OK) {
		res->status = st;
		res->where = prep_reader_where(g->r);
		res->fields = n;
		res->by_row = 1;
		res->worker = 0;
	} else if (g->job->piece) {
		g->job->piece(g->job->arg, 0, 1);
	}
	return st;
}

/* Wait for the workers to cut, run and write every piece. */
static prep_status
drive(struct par *g, prep_par_result *res)
{
	pthread_mutex_lock(&g->mu);
	while (!finished(g))
		pthread_cond_wait(&g->done, &g->mu);
	if (g->wstatus != PREP_OK) {
		*res = g->wres;
		pthread_mutex_unlock(&g->mu);
		errno = g->werrno; /* for the caller's message */
		return res->status = g->wstatus;
	}
	if (g->nomem) {
		pthread_mutex_unlock(&g->mu);
		return res->status = PREP_ERR_NOMEM;
	}
	pthread_mutex_unlock(&g->mu);
	/* no worker cuts any more: g->failed and the reader are settled */
	if (g->failed != PREP_OK) {
		res->status = g->failed;
		res->where = prep_reader_where(g->r);
		res->fields = prep_reader_record_fields(g->r);
	}
	return g->failed;
}

static void
free_slots(struct par *g)
{
	size_t i;

	for (i = 0; g->slots && i < g->nslots; i++) {
		free(g->slots[i].in);
		prep_writer_free(g->slots[i].out);
		prep_buf_free(&g->slots[i].side);
	}
	free(g->slots);
	free(g->carry);
}

prep_status
prep_par_run(prep_reader *r, prep_writer *out, unsigned nthreads,
	     const prep_par_job *job, void *const *ctx, prep_par_result *res)
{
	struct par g;
	pthread_t tid[PREP_PAR_MAX_THREADS];
	struct worker_arg args[PREP_PAR_MAX_THREADS];
	unsigned started = 0, i;
	prep_status st;

	memset(res, 0, sizeof *res);
	if (nthreads < 1 || nthreads > PREP_PAR_MAX_THREADS ||
	    prep_reader_options(r)->lazy_quotes)
		return res->status = PREP_ERR_ARG;
	memset(&g, 0, sizeof g);
	g.r = r;
	g.out = out;
	g.job = job;
	g.ctx = ctx;
	g.nthreads = nthreads;
	g.nslots = (size_t)nthreads + 2;
	g.stop_seq = UINT64_MAX;
	g.next_seq = g.out_seq = 1; /* piece 0: the pending record */
	g.new_file = 1;
	g.record_max = prep_reader_record_max(r);
	g.piece_bytes = forced_piece	   ? forced_piece
			: job->piece_bytes ? job->piece_bytes
					   : PREP_PAR_PIECE;
	prep_buf_init(&g.side0, SIDE_MAX);
	st = run_pending(&g, res);
	prep_buf_free(&g.side0);
	if (st != PREP_OK)
		return st;
	g.slots = calloc(g.nslots, sizeof *g.slots);
	if (g.slots == NULL)
		return res->status = PREP_ERR_NOMEM;
	for (i = 0; i < g.nslots; i++)
		prep_buf_init(&g.slots[i].side, SIDE_MAX);
	for (i = 0; out && i < g.nslots; i++)
		if ((st = prep_writer_new_memory(out, &g.slots[i].out)) !=
		    PREP_OK) {
			free_slots(&g);
			return res->status = st;
		}
	pthread_mutex_init(&g.mu, NULL);
	pthread_cond_init(&g.work, NULL);
	pthread_cond_init(&g.done, NULL);
	for (i = 0; i < nthreads; i++) {
		args[i].g = &g;
		args[i].w = i;
		if (pthread_create(&tid[i], NULL, worker, &args[i]) != 0)
			break;
		started++;
	}
	if (started == 0)
		st = res->status = PREP_ERR_NOMEM;
	else
		st = drive(&g, res);
	pthread_mutex_lock(&g.mu);
	g.quit = 1;
	g.stop_seq = 0; /* no more pieces for anyone */
	pthread_cond_broadcast(&g.work);
	pthread_mutex_unlock(&g.mu);
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	pthread_cond_destroy(&g.done);
	pthread_cond_destroy(&g.work);
	pthread_mutex_destroy(&g.mu);
	free_slots(&g);
	return st;
}

void
prep_par_bases_note(void *bases, uint64_t piece, uint64_t rows)
{
	prep_par_bases *b = bases;

	if (piece >= b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 256;
		uint64_t *nb;

		while (ncap <= piece)
			ncap *= 2;
		if ((nb = realloc(b->base, ncap * sizeof *nb)) == NULL) {
			b->failed = 1;
			return;
		}
		memset(nb + b->cap, 0, (ncap - b->cap) * sizeof *nb);
		b->base = nb;
		b->cap = ncap;
	}
	b->base[piece] = b->total;
	b->total += rows;
	if (piece + 1 > b->n)
		b->n = (size_t)piece + 1;
}

uint64_t
prep_par_row_number(uint64_t place, const uint64_t *base, size_t nbase)
{
	uint64_t piece = place >> 32;

	return (piece < nbase ? base[piece] : 0) + (place & 0xffffffffu) + 1;
}

int
prep_par_first_cmp(const void *a, const void *b)
{
	const prep_par_first *x = a, *y = b;

	return (x->first > y->first) - (x->first < y->first);
}

void
prep_par_bases_free(prep_par_bases *b)
{
	free(b->base);
	memset(b, 0, sizeof *b);
}

unsigned
prep_par_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > PREP_PAR_MAX_THREADS ? PREP_PAR_MAX_THREADS : (unsigned)n;
}
