/*
 * digest.c: SHA-256 (FIPS 180-4, OpenSSL's EVP) on one hashing thread
 * shared by every digest of the process; see digest.h.
 *
 * The thread serves a queue of jobs (a digest, the bytes), in order,
 * under one mutex: a job's ticket is the count of jobs queued up to and
 * including it, and `hashed` the count of jobs done, so bytes given with
 * ticket t are hashed once hashed >= t. A caller waits on `done` only
 * when the bytes it needs back are not yet hashed. A sleeping thread is
 * woken only once PREP_DIGEST_WAKE bytes wait for it, or when a caller
 * needs its bytes back: each wake-up is a system call for the caller
 * (futex), and one per 64 KiB buffer cost a filter 5% of its time.
 *
 * The thread ends when the last digest that used it is freed, and at
 * exit: an atexit handler lets it finish what is queued and joins it,
 * so that exit(3) never tears down OpenSSL under a running hash.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "digest.h"

#define QUEUE_LEN 64

struct prep_digest {
	EVP_MD_CTX *ctx;
	size_t inline_bytes; /* bytes of this stream hashed in line */
	uint64_t bytes;	     /* bytes of this stream so far */
	int threaded;	     /* the rest of this stream goes to the thread */
	int user;	     /* counted in users, until freed */
	int failed;	     /* an update failed (set under mu) */
	uint64_t last;	     /* ticket of the digest's last job */
	/* prep_digest_update's copies: ring[cur] fills, cur_len bytes */
	unsigned char *ring[PREP_DIGEST_NBUF];
	uint64_t ring_ticket[PREP_DIGEST_NBUF];
	size_t cur, cur_len;
};

struct job {
	prep_digest *d;
	const unsigned char *p;
	size_t n;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER; /* a job, or stop */
static pthread_cond_t done = PTHREAD_COND_INITIALIZER; /* a job hashed */
static struct job queue[QUEUE_LEN];
static uint64_t queued, hashed;		    /* jobs ever queued, ever hashed */
static uint64_t queued_bytes, hashed_bytes; /* their bytes */
static pthread_t worker;
static int running;   /* the thread was started and not joined */
static int stop;      /* the thread ends once the queue is empty */
static int idle;      /* the thread waits for work */
static int waiting;   /* callers wait on done */
static int no_thread; /* it could not be started, or the process exits */
static size_t users;  /* digests that use the thread */
static pthread_once_t at_exit_once = PTHREAD_ONCE_INIT;

static void *
hash_jobs(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mu);
	for (;;) {
		struct job j;
		int ok;

		while (hashed == queued && !stop) {
			idle = 1;
			pthread_cond_wait(&work, &mu);
			idle = 0;
		}
		if (hashed == queued)
			break;
		j = queue[hashed % QUEUE_LEN];
		pthread_mutex_unlock(&mu);
		ok = EVP_DigestUpdate(j.d->ctx, j.p, j.n) == 1;
		pthread_mutex_lock(&mu);
		if (!ok)
			j.d->failed = 1;
		hashed++;
		hashed_bytes += j.n;
		if (waiting)
			pthread_cond_broadcast(&done);
	}
	pthread_mutex_unlock(&mu);
	return NULL;
}

/* Called with mu held: let the thread finish the queue, and join it. */
static void
stop_thread_locked(void)
{
	stop = 1;
	pthread_cond_signal(&work);
	pthread_mutex_unlock(&mu);
	pthread_join(worker, NULL);
	pthread_mutex_lock(&mu);
	running = 0;
	stop = 0;
	pthread_cond_broadcast(&done);
}

static void
stop_at_exit(void)
{
	pthread_mutex_lock(&mu);
	no_thread = 1;
	while (stop)
		pthread_cond_wait(&done, &mu);
	if (running)
		stop_thread_locked();
	pthread_mutex_unlock(&mu);
}

static void
register_at_exit(void)
{
	/* Nothing to do if it fails: exit(3) then ends the thread with
	 * the process, as it ends any thread. */
	(void)atexit(stop_at_exit);
}

/*
 * Make sure the thread runs and count d among its users; 0 when it
 * cannot, and the bytes are hashed in line. With every signal blocked
 * in the new thread: the filters' handlers (tools/cli.c) must run in the
 * thread that reads and writes, whose signal mask guards the swap of
 * the prepared audit record.
 */
static int
use_thread(prep_digest *d)
{
	int ok = 0;

	pthread_once(&at_exit_once, register_at_exit);
	pthread_mutex_lock(&mu);
	while (stop)
		pthread_cond_wait(&done, &mu);
	if (!running && !no_thread) {
		sigset_t all, old;

		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		if (pthread_create(&worker, NULL, hash_jobs, NULL) == 0)
			running = 1;
		else
			no_thread = 1;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	if (running) {
		if (!d->user)
			users++;
		d->user = 1;
		ok = 1;
	}
	pthread_mutex_unlock(&mu);
	return ok;
}

/* Called with mu held: wait for a job to be hashed, waking the thread
 * first if it sleeps on fewer bytes than would wake it. */
static void
wait_done_locked(void)
{
	if (idle)
		pthread_cond_signal(&work);
	waiting++;
	pthread_cond_wait(&done, &mu);
	waiting--;
}

/* Queue p[0..n) of d; its ticket, or 0 when it was hashed here. */
static uint64_t
submit(prep_digest *d, const unsigned char *p, size_t n)
{
	uint64_t t = 0;

	pthread_mutex_lock(&mu);
	while (stop)
		pthread_cond_wait(&done, &mu);
	if (running) {
		while (queued - hashed == QUEUE_LEN)
			wait_done_locked();
		queue[queued % QUEUE_LEN] = (struct job){d, p, n};
		t = ++queued;
		queued_bytes += n;
		d->last = t;
		if (idle && queued_bytes - hashed_bytes >= PREP_DIGEST_WAKE)
			pthread_cond_signal(&work);
	}
	pthread_mutex_unlock(&mu);
	/* no thread: whatever d queued before was hashed before it ended */
	if (t == 0 && EVP_DigestUpdate(d->ctx, p, n) != 1)
		d->failed = 1;
	return t;
}

void
prep_digest_wait(const prep_digest *d, uint64_t ticket)
{
	(void)d;
	if (ticket == 0)
		return;
	pthread_mutex_lock(&mu);
	while (hashed < ticket)
		wait_done_locked();
	pthread_mutex_unlock(&mu);
}

prep_status
prep_digest_new(prep_digest **out)
{
	prep_digest *d = calloc(1, sizeof *d);

	*out = NULL;
	if (d == NULL)
		return PREP_ERR_NOMEM;
	d->ctx = EVP_MD_CTX_new();
	if (d->ctx == NULL) {
		free(d);
		return PREP_ERR_NOMEM;
	}
	if (EVP_DigestInit_ex(d->ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(d->ctx);
		free(d);
		return PREP_ERR_CRYPTO;
	}
	*out = d;
	return PREP_OK;
}

/*
 * Hash n bytes in line (returns 1) while the stream is short or there is
 * no thread; else 0, and the stream goes to the thread from now on.
 */
static int
hash_inline(prep_digest *d, const void *p, size_t n)
{
	if (d->threaded)
		return 0;
	if (d->inline_bytes >= PREP_DIGEST_INLINE && use_thread(d)) {
		d->threaded = 1;
		return 0;
	}
	if (EVP_DigestUpdate(d->ctx, p, n) != 1)
		d->failed = 1;
	d->inline_bytes += n;
	return 1;
}

/* Queue the ring buffer being filled, if it holds anything. */
static void
submit_ring(prep_digest *d)
{
	if (d->cur_len == 0)
		return;
	d->ring_ticket[d->cur] = submit(d, d->ring[d->cur], d->cur_len);
	d->cur = (d->cur + 1) % PREP_DIGEST_NBUF;
	d->cur_len = 0;
}

prep_status
prep_digest_update(prep_digest *d, const void *p, size_t n)
{
	const unsigned char *s = p;

	d->bytes += n;
	if (n == 0 || hash_inline(d, p, n))
		return PREP_OK;
	while (n > 0) {
		size_t k = PREP_DIGEST_BUF - d->cur_len;

		if (d->cur_len == 0) {
			prep_digest_wait(d, d->ring_ticket[d->cur]);
			if (d->ring[d->cur] == NULL &&
			    (d->ring[d->cur] = malloc(PREP_DIGEST_BUF)) == NULL)
				return PREP_ERR_NOMEM;
		}
		if (k > n)
			k = n;
		memcpy(d->ring[d->cur] + d->cur_len, s, k);
		d->cur_len += k;
		s += k;
		n -= k;
		if (d->cur_len == PREP_DIGEST_BUF)
			submit_ring(d);
	}
	return PREP_OK;
}

prep_status
prep_digest_update_ref(prep_digest *d, const void *p, size_t n,
		       uint64_t *ticket)
{
	*ticket = 0;
	d->bytes += n;
	if (n == 0 || hash_inline(d, p, n))
		return PREP_OK;
	submit_ring(d); /* the bytes copied before these */
	*ticket = submit(d, p, n);
	return PREP_OK;
}

prep_status
prep_digest_final(prep_digest *d, unsigned char out[32])
{
	unsigned int len = 0;
	int failed;

	submit_ring(d);
	prep_digest_wait(d, d->last);
	pthread_mutex_lock(&mu);
	failed = d->failed;
	pthread_mutex_unlock(&mu);
	if (EVP_DigestFinal_ex(d->ctx, out, &len) != 1 || len != 32)
		failed = 1;
	d->inline_bytes = 0;
	d->bytes = 0;
	d->threaded = 0;
	d->failed = 0;
	if (EVP_DigestInit_ex(d->ctx, EVP_sha256(), NULL) != 1)
		d->failed = 1; /* reported by the next final */
	return failed ? PREP_ERR_CRYPTO : PREP_OK;
}

prep_status
prep_digest_copy(prep_digest *d, prep_digest *src)
{
	int failed;

	if (d->bytes != 0)
		return PREP_ERR_ARG;
	submit_ring(src);
	prep_digest_wait(src, src->last);
	pthread_mutex_lock(&mu);
	failed = src->failed;
	pthread_mutex_unlock(&mu);
	if (EVP_MD_CTX_copy_ex(d->ctx, src->ctx) != 1)
		return PREP_ERR_CRYPTO;
	d->failed |= failed;
	d->bytes = src->bytes;
	/* a long stream goes on in the thread, as src would have */
	d->inline_bytes = src->inline_bytes;
	return PREP_OK;
}

void
prep_digest_free(prep_digest *d)
{
	size_t i;

	if (d == NULL)
		return;
	prep_digest_wait(d, d->last);
	if (d->user) {
		pthread_mutex_lock(&mu);
		if (--users == 0 && running && !stop)
			stop_thread_locked();
		pthread_mutex_unlock(&mu);
	}
	for (i = 0; i < PREP_DIGEST_NBUF; i++)
		free(d->ring[i]);
	EVP_MD_CTX_free(d->ctx);
	free(d);
}
