/*
 * hierarchy.c: load an ARX-style generalization hierarchy and look values
 * up in it (see hierarchy.h for the file format and the rules).
 *
 * The delimiter is sniffed from the first line through zlib's gz* stream
 * functions, which read plain and gzip files alike; the rows are then read
 * with the project's CSV reader (csv.h), so quoting, CRLF, a BOM and gzip
 * behave exactly as for data. Only column 0 and the requested level are
 * kept: both strings go, NUL-terminated, into one capped text arena, and
 * an open-addressing hash table with linear probing (Knuth, TAOCP vol. 3,
 * 6.4, algorithm L) maps a value to its row. The hash is SipHash-1-3
 * under the process's random table key (siphash.h), folded to 32 bits:
 * the file's values are data values, and neither they nor the values
 * looked up can be chosen to collide.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "buf.h"
#include "csv.h"
#include "digest.h"
#include "hierarchy.h"
#include "siphash.h"

/* Offsets into the arena are uint32_t: keep it well below 4 GiB. */
#define TEXT_MAX ((size_t)1 << 30)
#define SLOTS_MIN ((size_t)1024)

struct entry {
	uint32_t key, key_len; /* column 0, in the arena */
	uint32_t val, val_len; /* the requested level, in the arena */
	uint32_t hash;
};

struct prep_hierarchy {
	prep_buf text;	   /* every kept string, each NUL-terminated */
	struct entry *ent; /* one per row, in file order */
	size_t n, ent_cap;
	uint32_t *slot; /* 0: empty; else 1 + index into ent */
	size_t nslot;	/* a power of two */
	size_t levels;
	int delim;
	int all;	/* every level kept (PREP_HIERARCHY_ALL) */
	uint32_t *cell; /* all: per row, levels (offset, length) pairs */
	size_t cell_cap;
	prep_siphash_key key; /* of the hash */
};

static uint32_t
hash_bytes(const prep_hierarchy *h, const char *s, size_t len)
{
	uint64_t v = prep_siphash13(&h->key, s, len);

	return (uint32_t)(v ^ (v >> 32));
}

/*
 * Slot of the value s[0..len) with hash hv: the slot holding it, or the
 * empty slot where it would go.
 */
static size_t
find_slot(const prep_hierarchy *h, const char *s, size_t len, uint32_t hv)
{
	size_t mask = h->nslot - 1, i = hv & mask;

	while (h->slot[i] != 0) {
		const struct entry *e = &h->ent[h->slot[i] - 1];

		if (e->hash == hv && e->key_len == len &&
		    memcmp(h->text.data + e->key, s, len) == 0)
			return i;
		i = (i + 1) & mask;
	}
	return i;
}

/* Double the table (or make the first one) and put every entry back. */
static prep_status
grow_slots(prep_hierarchy *h)
{
	size_t nslot = h->nslot ? h->nslot * 2 : SLOTS_MIN, k, i, mask;
	uint32_t *slot;

	slot = calloc(nslot, sizeof *slot);
	if (slot == NULL)
		return PREP_ERR_NOMEM;
	mask = nslot - 1;
	for (k = 0; k < h->n; k++) {
		i = h->ent[k].hash & mask;
		while (slot[i] != 0)
			i = (i + 1) & mask;
		slot[i] = (uint32_t)(k + 1);
	}
	free(h->slot);
	h->slot = slot;
	h->nslot = nslot;
	return PREP_OK;
}

/* Copy s[0..len) and a NUL into the arena; *off is where it starts. */
static prep_status
keep_text(prep_hierarchy *h, const char *s, size_t len, uint32_t *off)
{
	prep_status st;

	*off = (uint32_t)h->text.len;
	if ((st = prep_buf_append(&h->text, s, len)) != PREP_OK)
		return st;
	return prep_buf_append_byte(&h->text, '\0');
}

/* Every level of the row being added: gen[0 .. levels) into the arena. */
static prep_status
keep_cells(prep_hierarchy *h, const prep_field *gen)
{
	size_t need = (h->n + 1) * h->levels * 2, l;
	prep_status st;

	if (need > h->cell_cap) {
		size_t cap = need > 2 * h->cell_cap ? need : 2 * h->cell_cap;
		uint32_t *c = realloc(h->cell, cap * sizeof *c);

		if (c == NULL)
			return PREP_ERR_NOMEM;
		h->cell = c;
		h->cell_cap = cap;
	}
	for (l = 0; l < h->levels; l++) {
		uint32_t *at = &h->cell[(h->n * h->levels + l) * 2];

		if ((st = keep_text(h, gen[l].data, gen[l].len, &at[0])) !=
		    PREP_OK)
			return st;
		at[1] = (uint32_t)gen[l].len;
	}
	return PREP_OK;
}

/*
 * Add value -> generalization (with every level kept, gen is the row's
 * fields after the value). PREP_ERR_ARG (and *dup set) when the value
 * is already there.
 */
static prep_status
add_entry(prep_hierarchy *h, const prep_field *value, const prep_field *gen,
	  int *dup)
{
	struct entry e;
	prep_status st;
	size_t i;

	*dup = 0;
	/* Keep the load factor at most 2/3. */
	if ((h->n + 1) * 3 > h->nslot * 2 && (st = grow_slots(h)) != PREP_OK)
		return st;
	e.hash = hash_bytes(h, value->data, value->len);
	i = find_slot(h, value->data, value->len, e.hash);
	if (h->slot[i] != 0) {
		*dup = 1;
		return PREP_ERR_ARG;
	}
	if (h->n == h->ent_cap) {
		size_t ncap = h->ent_cap ? h->ent_cap * 2 : 256;
		struct entry *ne;

		if (ncap > PREP_HIERARCHY_MAX_ROWS)
			ncap = PREP_HIERARCHY_MAX_ROWS;
		ne = realloc(h->ent, ncap * sizeof *ne);
		if (ne == NULL)
			return PREP_ERR_NOMEM;
		h->ent = ne;
		h->ent_cap = ncap;
	}
	if ((st = keep_text(h, value->data, value->len, &e.key)) != PREP_OK ||
	    (st = keep_text(h, gen->data, gen->len, &e.val)) != PREP_OK)
		return st;
	if (h->all && (st = keep_cells(h, gen)) != PREP_OK)
		return st;
	e.key_len = (uint32_t)value->len;
	e.val_len = (uint32_t)gen->len;
	h->ent[h->n] = e;
	h->slot[i] = (uint32_t)(h->n + 1);
	h->n++;
	return PREP_OK;
}

/* Map a zlib error of the gz* functions to a status. */
static prep_status
gz_status(gzFile f)
{
	int errnum;

	(void)gzerror(f, &errnum); /* only errnum is wanted */
	if (errnum == Z_ERRNO)
		return PREP_ERR_IO;
	if (errnum == Z_MEM_ERROR)
		return PREP_ERR_NOMEM;
	return PREP_ERR_GZIP;
}

/*
 * The delimiter of the file's first non-blank line: the most frequent of
 * ';' ',' TAB '|' outside double quotes, ties going to the earlier one,
 * ',' when there is none. *empty is set when the file holds nothing but
 * a BOM and line ends. Only the first SNIFF_MAX bytes are looked at, so
 * that a file without line ends (/dev/zero, a gzip bomb) ends the sniff;
 * the CSV reader then refuses its overlong field.
 */
#define SNIFF_MAX ((size_t)1 << 20)

static prep_status
sniff_delim(const char *path, int *delim, int *empty)
{
	static const char cand[4] = {';', ',', '\t', '|'};
	unsigned char buf[8192];
	size_t count[4] = {0, 0, 0, 0}, i, k, best = 0;
	int in_quotes = 0, started = 0, done = 0, first = 1, n = 0;
	size_t seen = 0;
	prep_status st = PREP_OK;
	gzFile f;

	errno = 0;
	if ((f = gzopen(path, "rb")) == NULL) {
		if (errno == 0)
			errno = ENOMEM;
		return errno == ENOMEM ? PREP_ERR_NOMEM : PREP_ERR_IO;
	}
	while (!done && seen < SNIFF_MAX &&
	       (n = gzread(f, buf, sizeof buf)) > 0) {
		seen += (size_t)n;
		i = 0;
		if (first && n >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
			i = 3;
		first = 0;
		for (; i < (size_t)n && !done; i++) {
			unsigned char c = buf[i];

			if (!in_quotes && (c == '\n' || c == '\r')) {
				done = started;
				continue;
			}
			started = 1;
			if (c == '"')
				in_quotes = !in_quotes;
			else if (!in_quotes)
				for (k = 0; k < 4; k++)
					if (c == (unsigned char)cand[k])
						count[k]++;
		}
	}
	if (!done && n < 0)
		st = gz_status(f);
	gzclose(f);
	if (st != PREP_OK)
		return st;
	for (k = 1; k < 4; k++)
		if (count[k] > count[best])
			best = k;
	*delim = count[best] ? cand[best] : ',';
	*empty = !started;
	return PREP_OK;
}

/* Set *where (if any) and *why (if any) and return st. */
static prep_status
report(prep_status st, prep_where *where, const char *path, unsigned long line,
       size_t field, const char **why, const char *text)
{
	if (where) {
		where->file = path;
		where->line = line;
		where->field = field;
	}
	if (why)
		*why = text;
	return st;
}

prep_status
prep_hierarchy_load_why(const char *path, size_t level, prep_hierarchy **out,
			prep_where *where, const char **why)
{
	const char *paths[1] = {path};
	const prep_field *f;
	prep_csv_options o;
	prep_hierarchy *h;
	prep_reader *r = NULL;
	prep_status st;
	prep_where at;
	size_t nf, k;
	int empty, dup;

	*out = NULL;
	if (why)
		*why = NULL;
	if (where) {
		where->file = path;
		where->line = 0;
		where->field = 0;
	}
	if (path == NULL || strcmp(path, "-") == 0)
		return report(PREP_ERR_ARG, where, path, 0, 0, why,
			      "a hierarchy can't be read from standard input");
	if ((h = calloc(1, sizeof *h)) == NULL)
		return PREP_ERR_NOMEM;
	prep_buf_init(&h->text, TEXT_MAX);
	h->all = level == PREP_HIERARCHY_ALL;
	if ((st = prep_siphash_table_key(&h->key)) != PREP_OK)
		goto fail;
	if ((st = sniff_delim(path, &h->delim, &empty)) != PREP_OK)
		goto fail;
	if (empty) {
		st = report(PREP_ERR_ARG, where, path, 0, 0, why,
			    "hierarchy file has no rows");
		goto fail;
	}
	prep_csv_options_init(&o);
	o.delim = h->delim;
	o.has_header = 0;
	if ((st = prep_reader_new(&o, paths, 1, &r)) != PREP_OK)
		goto reader_fail;
	while ((st = prep_reader_next_row(r, &f, &nf)) == PREP_OK) {
		at = prep_reader_where(r);
		if (h->n == 0) {
			h->levels = nf - 1;
			if (level != PREP_HIERARCHY_ALL && level >= nf) {
				st = report(PREP_ERR_ARG, where, path, at.line,
					    0, why,
					    "hierarchy has no such level");
				goto fail;
			}
		}
		for (k = h->all ? 1 : level;
		     k > 0 && k <= (h->all ? h->levels : level); k++)
			if (f[k].len == 0) {
				st = report(
				    PREP_ERR_ARG, where, path, at.line, k + 1,
				    why, "empty generalization at that level");
				goto fail;
			}
		if (h->n == PREP_HIERARCHY_MAX_ROWS) {
			st = report(PREP_ERR_LIMIT, where, path, at.line, 0,
				    why, "hierarchy has too many rows");
			goto fail;
		}
		if ((st = add_entry(h, &f[0],
				    &f[h->all ? (h->levels ? 1 : 0) : level],
				    &dup)) != PREP_OK) {
			if (dup)
				report(st, where, path, at.line, 1, why,
				       "value listed twice in hierarchy");
			else if (st == PREP_ERR_LIMIT)
				report(st, where, path, at.line, 0, why,
				       "hierarchy text too large");
			else
				report(st, where, path, at.line, 0, why, NULL);
			goto fail;
		}
	}
	if (st != PREP_END)
		goto reader_fail;
	if (h->n == 0) {
		st = report(PREP_ERR_ARG, where, path, 0, 0, why,
			    "hierarchy file has no rows");
		goto fail;
	}
	prep_reader_free(r);
	*out = h;
	return PREP_OK;

reader_fail:
	if (r) {
		at = prep_reader_where(r);
		report(st, where, path, at.line, at.field, why, NULL);
	}
fail:
	prep_reader_free(r);
	prep_hierarchy_free(h);
	return st;
}

prep_status
prep_hierarchy_load(const char *path, size_t level, prep_hierarchy **out,
		    prep_where *where)
{
	return prep_hierarchy_load_why(path, level, out, where, NULL);
}

prep_status
prep_hierarchy_lookup(const prep_hierarchy *h, const char *in, size_t len,
		      const char **res, size_t *res_len)
{
	const struct entry *e;
	size_t row;

	if (prep_hierarchy_row(h, in, len, &row) != PREP_OK)
		return PREP_ERR_NOT_FOUND;
	e = &h->ent[row];
	*res = h->text.data + e->val;
	*res_len = e->val_len;
	return PREP_OK;
}

size_t
prep_hierarchy_levels(const prep_hierarchy *h)
{
	return h->levels;
}

size_t
prep_hierarchy_size(const prep_hierarchy *h)
{
	return h->n;
}

int
prep_hierarchy_delim(const prep_hierarchy *h)
{
	return h->delim;
}

prep_status
prep_hierarchy_row(const prep_hierarchy *h, const char *in, size_t len,
		   size_t *row)
{
	size_t i;

	if (h == NULL || h->nslot == 0)
		return PREP_ERR_NOT_FOUND;
	i = find_slot(h, in, len, hash_bytes(h, in, len));
	if (h->slot[i] == 0)
		return PREP_ERR_NOT_FOUND;
	*row = h->slot[i] - 1;
	return PREP_OK;
}

prep_field
prep_hierarchy_cell(const prep_hierarchy *h, size_t row, size_t level)
{
	const uint32_t *at;

	if (level == 0)
		return (prep_field){h->text.data + h->ent[row].key,
				    h->ent[row].key_len};
	at = &h->cell[(row * h->levels + level - 1) * 2];
	return (prep_field){h->text.data + at[0], at[1]};
}

/* n as 8 bytes, least significant first, into the digest. */
static prep_status
digest_size(prep_digest *d, uint64_t n)
{
	unsigned char b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(n >> (8 * i));
	return prep_digest_update(d, b, sizeof b);
}

/*
 * The number of rows and of levels, then the cells row after row in file
 * order, each as its length and its bytes: no two hierarchies give the
 * same stream.
 */
prep_status
prep_hierarchy_digest(const prep_hierarchy *h, unsigned char out[32])
{
	prep_digest *d = NULL;
	prep_field f;
	size_t r, l;
	prep_status st;

	if (!h->all)
		return PREP_ERR_ARG;
	if ((st = prep_digest_new(&d)) != PREP_OK)
		return st;
	st = digest_size(d, h->n);
	if (st == PREP_OK)
		st = digest_size(d, h->levels);
	for (r = 0; r < h->n && st == PREP_OK; r++)
		for (l = 0; l <= h->levels && st == PREP_OK; l++) {
			f = prep_hierarchy_cell(h, r, l);
			st = digest_size(d, f.len);
			if (st == PREP_OK && f.len)
				st = prep_digest_update(d, f.data, f.len);
		}
	if (st == PREP_OK)
		st = prep_digest_final(d, out);
	prep_digest_free(d);
	return st;
}

void
prep_hierarchy_free(prep_hierarchy *h)
{
	if (h == NULL)
		return;
	free(h->cell);
	prep_buf_free(&h->text);
	free(h->ent);
	free(h->slot);
	free(h);
}
