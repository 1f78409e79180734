/*
 * fuzz_pii.c: libFuzzer harness of the PII detectors (pii.h).
 *
 * The whole input is the text. Checked:
 * - prep_pii_find() from 0, then from each match's end: every match lies
 *   in [from, size), is not empty, has exactly one type bit of
 *   PREP_PII_ALL, and a find from start + 1 never returns an earlier match;
 * - prep_pii_scrub() gives exactly the text with those matches replaced by
 *   prep_pii_tag() of their type (the differential check: scrub keeps its
 *   own state between matches, find starts afresh), and *count is their
 *   number;
 * - with a buffer capped below that output it fails with PREP_ERR_LIMIT,
 *   leaves the buffer as it was (a prefix written before stays) and sets
 *   *count to 0;
 * - a handle for one type finds only that type;
 * - prep_luhn_valid() on the input's digits and prep_iban_valid() on the
 *   input itself, when short, return 0 or 1.
 */
#include "fuzz_common.h"

#include "buf.h"
#include "pii.h"

#define MAX_MATCHES 100000

static prep_pii *all, *one[6];

static void
cleanup(void)
{
	size_t i;

	prep_pii_free(all);
	for (i = 0; i < 6; i++)
		prep_pii_free(one[i]);
}

static int
setup(void)
{
	static int ready;
	size_t i;

	if (ready)
		return ready > 0 ? 0 : -1;
	ready = -1;
	atexit(cleanup);
	if (prep_pii_new(PREP_PII_ALL, &all) != PREP_OK)
		return -1;
	for (i = 0; i < 6; i++)
		if (prep_pii_new(1U << i, &one[i]) != PREP_OK)
			return -1;
	ready = 1;
	return 0;
}

static int
one_bit(unsigned t)
{
	return t != 0 && (t & (t - 1)) == 0 &&
	       (t & ~(unsigned)PREP_PII_ALL) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	prep_buf want, got;
	prep_pii_match m, m2;
	size_t from = 0, n = 0, count = 99, i;
	prep_status st;

	if (setup() != 0)
		return 0;
	prep_buf_init(&want, 0);
	prep_buf_init(&got, 0);
	if (prep_buf_append(&want, "", 0) != PREP_OK)
		abort();
	while ((st = prep_pii_find(all, text, size, from, &m)) == PREP_OK) {
		if (m.start < from || m.end <= m.start || m.end > size ||
		    !one_bit(m.type) || ++n > MAX_MATCHES)
			abort();
		/* A search from inside it finds no earlier start. */
		if (m.start + 1 < size &&
		    prep_pii_find(all, text, size, m.start + 1, &m2) ==
			PREP_OK &&
		    m2.start < m.start + 1)
			abort();
		if (prep_buf_append(&want, text + from, m.start - from) !=
			PREP_OK ||
		    prep_buf_append_str(&want, prep_pii_tag(m.type)) != PREP_OK)
			abort();
		from = m.end;
	}
	if (st != PREP_END)
		abort();
	if (from < size &&
	    prep_buf_append(&want, text + from, size - from) != PREP_OK)
		abort();

	if (prep_pii_scrub(all, text, size, &got, &count) != PREP_OK ||
	    count != n || got.len != want.len ||
	    memcmp(got.data ? got.data : "", want.data, want.len) != 0)
		abort();
	prep_buf_free(&got);

	/* Capped below the output: PREP_ERR_LIMIT, the buffer untouched. */
	if (want.len > 4) {
		prep_buf_init(&got, want.len - 1);
		if (prep_buf_append(&got, "ab", 2) != PREP_OK)
			abort();
		count = 99;
		if (prep_pii_scrub(all, text, size, &got, &count) !=
			PREP_ERR_LIMIT ||
		    count != 0 || got.len != 2 ||
		    memcmp(got.data, "ab", 3) != 0)
			abort();
		prep_buf_free(&got);
	}
	prep_buf_free(&want);

	/* A handle for one type finds nothing of another type. */
	for (i = 0; i < 6; i++) {
		from = 0;
		n = 0;
		while (prep_pii_find(one[i], text, size, from, &m) == PREP_OK) {
			if (m.type != (1U << i) || m.end <= m.start ||
			    m.end > size || ++n > MAX_MATCHES)
				abort();
			from = m.end;
		}
	}

	if (size >= 2 && size <= 64) {
		char digits[64];
		size_t nd = 0;
		int v;

		for (i = 0; i < size; i++)
			if (data[i] >= '0' && data[i] <= '9')
				digits[nd++] = (char)data[i];
		if (nd >= 2 && (v = prep_luhn_valid(digits, nd)) != 0 && v != 1)
			abort();
		if ((v = prep_iban_valid(text, size)) != 0 && v != 1)
			abort();
	}
	return 0;
}
