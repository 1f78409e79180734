/*
 * fuzz_ledger.c: libFuzzer harness of the privacy budget ledger
 * (ledger.h, man5/prep-ledger.5).
 *
 * Input layout: byte 0 chooses the charge, bits
 *	0-1 dataset: "people" "adult" "d" "x.y:z/@+-"
 *	2-3 epsilon: 0.1 1 0.5 1e-9
 *	4-5 budget:  1 2 0.3 10
 *	6   delta:   0 or 1e-6
 *	7   seeded:  no or yes
 * and the rest is the ledger file, written as ledger in the process's
 * private directory (fuzz_common.h; /dev/shm when writable, so the fsyncs
 * are cheap). Then:
 *
 *	query the dataset; charge it; query it again
 *
 * and the documented behaviour is checked: a charge reports the state the
 * query saw (or the same error at the same line); a refused charge leaves
 * the file byte for byte as it was; PREP_ERR_BUDGET and
 * PREP_ERR_BUDGET_CHANGED only when the numbers say so; after PREP_OK the
 * file ends with a newline and the new state is the old one plus exactly
 * this charge (one more entry, spent + epsilon as a double, delta too,
 * and one more seeded entry when it was seeded).
 *
 * Tails, after PREP_OK: what the file held before its last newline is
 * kept byte for byte; a last line without a newline is kept (and ended)
 * or, when it was cut off, looks like a beginning of what a charge writes
 * (a rough check: the exact one is ledger.c's) and counted for nothing
 * (the file without it reads as the same state). And the ledger is cut
 * as a run killed in that charge's write would leave it, at two places of
 * the last line chosen by a hash of the input and one inside the header
 * when the file begins with it: each strict beginning reads as the state
 * before the charge (the header alone as nothing), the entry without only
 * its newline as the state after.
 */
#include "fuzz_common.h"

#include "buf.h"
#include "ledger.h"

#define REL_SLACK 1e-9 /* ledger.c's relative tolerance */

/* The whole file at path into b; 0 or -1. */
static int
slurp(const char *path, prep_buf *b)
{
	char chunk[8192];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		if (prep_buf_append(b, chunk, (size_t)n) != PREP_OK) {
			close(fd);
			return -1;
		}
	close(fd);
	return n == 0 ? 0 : -1;
}

static int
same_state(const prep_ledger_state *a, const prep_ledger_state *b)
{
	return a->budget == b->budget && a->spent == b->spent &&
	       a->delta_spent == b->delta_spent && a->entries == b->entries &&
	       a->seeded == b->seeded;
}

/* The state of dataset in the file holding exactly text[0..n). */
static prep_status
state_of(const char *path, const char *dataset, const char *text, size_t n,
	 prep_ledger_state *st)
{
	prep_where w;

	if (fuzz_write_file(path, text, n) != 0)
		return PREP_ERR_IO;
	return prep_ledger_query(path, dataset, st, &w);
}

/* FNV-1a of the input: where to cut, the same on every replay. */
static uint64_t
fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 14695981039346656037ULL;

	while (n--)
		h = (h ^ *p++) * 1099511628211ULL;
	return h;
}

/* The checks on tails after a PREP_OK charge (see the top). */
static void
check_tails(const char *path, const prep_ledger_charge *c, const char *body,
	    size_t nbody, const prep_buf *after, const prep_ledger_state *s1,
	    const prep_ledger_state *s3, uint64_t h)
{
	static const char header[] = "# prep ledger v1\n";
	size_t lastnl, start, cut[3], i, n = after->len;
	prep_ledger_state st;
	prep_status q;

	/* Kept: everything up to the last newline; the tail, or nothing. */
	for (lastnl = nbody; lastnl > 0 && body[lastnl - 1] != '\n'; lastnl--)
		;
	if (n < lastnl || memcmp(after->data, body, lastnl) != 0)
		abort();
	if (lastnl < nbody &&
	    !(n > nbody && memcmp(after->data, body, nbody) == 0 &&
	      after->data[nbody] == '\n')) {
		/*
		 * Cut off: it looks like the start of what a charge writes
		 * (no byte the writer escapes; a digit, the time, after line
		 * 1; the header on line 1) and it counted for nothing.
		 */
		for (i = lastnl; i < nbody; i++)
			if ((unsigned char)body[i] < 0x20 ||
			    (unsigned char)body[i] == 0x7f)
				abort();
		if (lastnl > 0 ? body[lastnl] < '0' || body[lastnl] > '9'
			       : nbody > sizeof header - 2 ||
				     memcmp(body, header, nbody) != 0)
			abort();
		q = state_of(path, c->dataset, body, lastnl, &st);
		if (q != PREP_ERR_NOMEM &&
		    (q != PREP_OK || !same_state(&st, s1)))
			abort();
	}

	/* Strict beginnings of the charge's write. */
	for (start = n - 1; start > 0 && after->data[start - 1] != '\n';
	     start--)
		;
	if (start + 1 >= n)
		abort(); /* an empty last line: nothing was written */
	cut[0] = start + 1 + (size_t)(h % (n - start - 1));
	cut[1] = start + 1 + (size_t)((h >> 32) % (n - start - 1));
	cut[2] = n - 1;
	for (i = 0; i < 3; i++) {
		q = state_of(path, c->dataset, after->data, cut[i], &st);
		if (q == PREP_ERR_NOMEM)
			continue;
		if (q != PREP_OK || !same_state(&st, cut[i] == n - 1 ? s3 : s1))
			abort();
	}
	if (n > sizeof header - 1 &&
	    memcmp(after->data, header, sizeof header - 1) == 0) {
		q = state_of(path, c->dataset, after->data,
			     1 + (size_t)(h % (sizeof header - 1)), &st);
		if (q != PREP_ERR_NOMEM && (q != PREP_OK || st.entries != 0 ||
					    st.spent != 0 || st.budget != 0))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[4] = {"people", "adult", "d",
					     "x.y:z/@+-"};
	static const double eps[4] = {0.1, 1, 0.5, 1e-9};
	static const double budgets[4] = {1, 2, 0.3, 10};
	static char path[600];
	prep_ledger_charge c;
	prep_ledger_state s1, s2, s3;
	prep_where w1, w2, w3;
	prep_status q1, st, q3;
	prep_buf after;
	const uint8_t *body;
	size_t nbody;

	if (size < 1)
		return 0;
	if (path[0] == '\0' && fuzz_path(path, sizeof path, "ledger") != 0)
		return 0;
	body = data + 1;
	nbody = size - 1;
	if (fuzz_write_file(path, body, nbody) != 0) {
		unlink(path);
		return 0;
	}
	memset(&c, 0, sizeof c);
	c.dataset = names[data[0] & 3];
	c.epsilon = eps[(data[0] >> 2) & 3];
	c.budget = budgets[(data[0] >> 4) & 3];
	c.delta = (data[0] & 0x40) ? 1e-6 : 0;
	c.seeded = (data[0] & 0x80) != 0;
	c.tool = "fuzz";
	c.args = "dpnoise --epsilon 0.1 \"q\\\" \n\t\x01 \xC3\xA9";

	q1 = prep_ledger_query(path, c.dataset, &s1, &w1);
	st = prep_ledger_charge_run(path, &c, &s2, &w2);

	/* The charge read the file the query read. */
	if (q1 == PREP_OK) {
		if (st != PREP_OK && st != PREP_ERR_BUDGET &&
		    st != PREP_ERR_BUDGET_CHANGED && st != PREP_ERR_NOMEM)
			abort();
		if (st != PREP_ERR_NOMEM && !same_state(&s1, &s2))
			abort();
	} else if (q1 == PREP_ERR_VALUE) {
		if (st != PREP_ERR_VALUE || w1.line != w2.line ||
		    w1.field != w2.field || w1.line == 0)
			abort();
	} else if (q1 != PREP_ERR_LIMIT && q1 != PREP_ERR_NOMEM) {
		abort();
	}
	if (st == PREP_ERR_BUDGET_CHANGED &&
	    (s1.entries == 0 || s1.budget == c.budget))
		abort();
	if (st == PREP_ERR_BUDGET &&
	    !(s1.spent + c.epsilon > c.budget * (1 + REL_SLACK)))
		abort();

	prep_buf_init(&after, 0);
	if (slurp(path, &after) != 0)
		abort();
	if (st != PREP_OK) {
		/* Refused: the file is as it was. */
		if (after.len != nbody ||
		    (nbody && memcmp(after.data, body, nbody) != 0))
			abort();
	} else {
		if (s1.entries > 0 && s1.budget != c.budget)
			abort();
		if (s1.spent + c.epsilon > c.budget * (1 + REL_SLACK))
			abort();
		if (after.len == 0 || after.data[after.len - 1] != '\n')
			abort();
		q3 = prep_ledger_query(path, c.dataset, &s3, &w3);
		if (q3 != PREP_OK || s3.entries != s1.entries + 1 ||
		    s3.spent != s1.spent + c.epsilon ||
		    s3.delta_spent != s1.delta_spent + c.delta ||
		    s3.seeded != s1.seeded + (unsigned long)c.seeded ||
		    s3.budget != c.budget)
			abort();
		check_tails(path, &c, (const char *)body, nbody, &after, &s1,
			    &s3, fnv1a(data, size));
	}
	prep_buf_free(&after);
	unlink(path);
	return 0;
}
