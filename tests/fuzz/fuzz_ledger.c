/*
 * fuzz_ledger.c: libFuzzer harness of the privacy budget ledger
 * (ledger.h, man5/prep-ledger.5).
 *
 * Input layout: byte 0 chooses the charge, bits
 *	0-1 dataset: "people" "adult" "d" "x.y:z/@+-"
 *	2-3 epsilon: 0.1 1 0.5 1e-9
 *	4-5 budget:  1 2 0.3 10
 *	6   delta:   0 or 1e-6
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
 * this charge (one more entry, spent + epsilon as a double, delta too).
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
	       a->delta_spent == b->delta_spent && a->entries == b->entries;
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
		    s3.budget != c.budget)
			abort();
	}
	prep_buf_free(&after);
	unlink(path);
	return 0;
}
