/*
 * digest.h: the SHA-256 of a byte stream, computed on a second thread.
 *
 * The audit trail (prep(7)) records the SHA-256 of every byte a filter
 * reads and writes. Hashed in line, that costs a filter reading and
 * writing a file about two passes of SHA-256 over it (0.2 s for 170 MB),
 * 40% of a simple run. A prep_digest hands the bytes to one hashing
 * thread shared by every digest of the process, which works while the
 * caller parses and writes: the caller pays a copy, or nothing at all
 * where it can keep its buffer unchanged until the bytes are hashed
 * (prep_digest_update_ref).
 *
 * One thread for the process, not one per digest: a filter hashes its
 * input and its output at the same time, and a second hashing thread
 * would only compete with the first and with the filter for the cores
 * (SHA-256 runs at more than twice the speed any filter reads and
 * writes, so one thread keeps up with both). Jobs are hashed in the order
 * they were given, each with its digest's own context, so the digests
 * are those of the bytes in the order each was updated.
 *
 * The first PREP_DIGEST_INLINE bytes of a stream are hashed in the
 * caller's thread: a small input is done in less time than a thread takes
 * to start. The thread is started on the first update past that, and it
 * ends when the last digest that used it is freed (or at exit). When it
 * cannot be started, everything is hashed in line, with the same result.
 * The thread blocks every signal: a signal's handler runs in the thread
 * that would have run it without this module.
 *
 * Not for use across fork(2): the child has no hashing thread.
 * Functions of one digest are for one thread at a time; different
 * digests may be used from different threads.
 */
#ifndef PREP_DIGEST_H
#define PREP_DIGEST_H

#include <stddef.h>
#include <stdint.h>
#include "prep.h"

/* A stream's first bytes, hashed in line. */
#define PREP_DIGEST_INLINE ((size_t)1 << 20)
/* prep_digest_update copies into a ring of PREP_DIGEST_NBUF buffers of
 * PREP_DIGEST_BUF bytes; a full one goes to the thread. */
#define PREP_DIGEST_BUF ((size_t)256 << 10)
#define PREP_DIGEST_NBUF 8
/* The thread, asleep for want of work, is woken when this many bytes
 * wait for it (or when a caller waits for its bytes): a caller that
 * keeps its own buffers for the thread (prep_digest_update_ref) should
 * have more than this in them, or it waits for every wake-up. */
#define PREP_DIGEST_WAKE ((size_t)1 << 20)

typedef struct prep_digest prep_digest;

/* A digest of the empty stream (PREP_ERR_NOMEM, PREP_ERR_CRYPTO). */
prep_status prep_digest_new(prep_digest **out);

/* Append n bytes, copied: p may change as soon as this returns. Waits
 * when every buffer of the ring is still being hashed. */
prep_status prep_digest_update(prep_digest *d, const void *p, size_t n);

/*
 * Append n bytes without copying them. The bytes must stay unchanged
 * (and allocated) until prep_digest_wait(d, *ticket) returns, or
 * prep_digest_final or prep_digest_free does. Hashed in line, they are
 * done on return, and *ticket is 0.
 */
prep_status prep_digest_update_ref(prep_digest *d, const void *p, size_t n,
				   uint64_t *ticket);

/* Wait until the bytes given with ticket (and those before them) are
 * hashed. Returns at once for ticket 0 and for bytes long done. */
void prep_digest_wait(const prep_digest *d, uint64_t ticket);

/*
 * The SHA-256 of every byte appended since the digest was made or last
 * finalized; d then starts a new, empty stream. PREP_ERR_CRYPTO when
 * the crypto library failed on any of them.
 */
prep_status prep_digest_final(prep_digest *d, unsigned char out[32]);

/*
 * Make d, which has had no bytes yet, go on from where src is: d's
 * stream is then src's bytes so far, though d never hashes them (bytes
 * copied from somewhere they were hashed as written: spool.h). Waits for
 * src's bytes still being hashed; src is unchanged. PREP_ERR_ARG when d
 * has had bytes, PREP_ERR_CRYPTO when the crypto library fails.
 */
prep_status prep_digest_copy(prep_digest *d, prep_digest *src);

/* Waits for the digest's bytes still being hashed, then frees it. */
void prep_digest_free(prep_digest *d);

#endif
