/*
 * fuzz_hierarchy.c: libFuzzer harness of the ARX hierarchy loader
 * (hierarchy.h).
 *
 * Input layout: byte 0 holds the level to load in bits 0-2 (0..7), in
 * bit 6 whether to keep every level instead (PREP_HIERARCHY_ALL, as kanon
 * loads them) and, in bit 7, whether to gzip-compress the rest first; the rest
 * is the hierarchy file, written as h.csv in the process's private directory
 * (fuzz_common.h) and loaded with prep_hierarchy_load_why().
 *
 * When it loads: the level is within the file's levels, the size is at
 * least 1, and looking up column 0 of the first lines of the input (split
 * at the detected delimiter, unquoted values only) plus a few fixed
 * values either fails with PREP_ERR_NOT_FOUND or gives a NUL-terminated
 * result that, at level 0, is the value itself. On failure the status is
 * one the header lists and, for PREP_ERR_ARG and PREP_ERR_LIMIT, *why is
 * set. With every level kept, every row's value is found at its own row
 * and every cell is NUL-terminated and, above level 0, not empty.
 */
#include "fuzz_common.h"

#include "hierarchy.h"

#define MAX_LOOKUPS 32

static void
lookup(const prep_hierarchy *h, size_t level, const char *v, size_t len)
{
	const char *res = NULL;
	size_t rlen = 0;
	prep_status st = prep_hierarchy_lookup(h, v, len, &res, &rlen);

	if (st == PREP_ERR_NOT_FOUND)
		return;
	if (st != PREP_OK || res == NULL || res[rlen] != '\0')
		abort();
	if (level == 0 && (rlen != len || memcmp(res, v, len) != 0))
		abort();
	if (level > 0 && rlen == 0)
		abort(); /* an empty cell at the level is refused */
}

/* Look up the first field of the first lines of the text. */
static void
lookups(const prep_hierarchy *h, size_t level, const uint8_t *d, size_t n)
{
	static const char *const fixed[] = {"", "39", "*", "a,b", "\xff"};
	unsigned char delim = (unsigned char)prep_hierarchy_delim(h);
	size_t i = 0, k;

	for (k = 0; k < sizeof fixed / sizeof fixed[0]; k++)
		lookup(h, level, fixed[k], strlen(fixed[k]));
	for (k = 0; k < MAX_LOOKUPS && i < n; k++) {
		const uint8_t *nl = memchr(d + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (d + i)) : n - i;
		const uint8_t *dl = memchr(d + i, delim, len);
		size_t vlen = dl ? (size_t)(dl - (d + i)) : len;

		if (vlen > 0 && d[i + vlen - 1] == '\r')
			vlen--;
		lookup(h, level, (const char *)d + i, vlen);
		i += len + 1;
	}
}

/* Every level kept: rows and cells as hierarchy.h promises. */
static void
check_all(const prep_hierarchy *h)
{
	size_t n = prep_hierarchy_size(h), levels = prep_hierarchy_levels(h);
	size_t r, l, row;

	for (r = 0; r < n && r < 1000; r++)
		for (l = 0; l <= levels; l++) {
			prep_field f = prep_hierarchy_cell(h, r, l);

			if (f.data == NULL || f.data[f.len] != '\0' ||
			    (l > 0 && f.len == 0))
				abort();
			if (l == 0 && (prep_hierarchy_row(h, f.data, f.len,
							  &row) != PREP_OK ||
				       row != r))
				abort();
		}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[600];
	prep_hierarchy *h = NULL;
	prep_where where;
	const char *why = NULL;
	unsigned char *gz = NULL;
	const uint8_t *body;
	size_t level, nbody, gzlen;
	prep_status st;
	int rc;

	if (size < 1)
		return 0;
	if (path[0] == '\0' && fuzz_path(path, sizeof path, "h.csv") != 0)
		return 0;
	level = data[0] & 0x40 ? PREP_HIERARCHY_ALL : (size_t)(data[0] & 7);
	body = data + 1;
	nbody = size - 1;
	if (data[0] & 0x80) {
		if (fuzz_gzip(body, nbody, &gz, &gzlen) != 0)
			return 0;
		rc = fuzz_write_file(path, gz, gzlen);
		free(gz);
	} else {
		rc = fuzz_write_file(path, body, nbody);
	}
	if (rc != 0) {
		unlink(path);
		return 0;
	}
	memset(&where, 0, sizeof where);
	st = prep_hierarchy_load_why(path, level, &h, &where, &why);
	unlink(path);
	if (st == PREP_OK) {
		if (h == NULL || prep_hierarchy_size(h) < 1 ||
		    (level != PREP_HIERARCHY_ALL &&
		     prep_hierarchy_levels(h) < level))
			abort();
		if (level == PREP_HIERARCHY_ALL)
			check_all(h);
		else
			lookups(h, level, body, nbody);
	} else {
		if ((st == PREP_ERR_ARG || st == PREP_ERR_LIMIT) && why == NULL)
			abort();
		if (where.file != path)
			abort();
	}
	prep_hierarchy_free(h);
	return 0;
}
