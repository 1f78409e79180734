/* strset.c: the set of byte strings of strset.h, hashed with SipHash. */
#include <stdlib.h>
#include <string.h>

#include "memcap.h"
#include "strset.h"

#define TAG_MASK 0xffffffff00000000ULL

void
prep_strset_init(prep_strset *s, size_t max)
{
	memset(s, 0, sizeof *s);
	s->max = max ? max : SIZE_MAX;
}

void
prep_strset_free(prep_strset *s)
{
	prep_memcap_free(s->slots, s->nslots * sizeof *s->slots);
	prep_memcap_free(s->hash, s->cap * sizeof *s->hash);
	prep_memcap_free(s->at, s->cap * sizeof *s->at);
	prep_memcap_free(s->arena, s->arena_cap);
	memset(s, 0, sizeof *s);
}

/*
 * The first slots, ids and arena are small: a table may hold one set per
 * column (oversample's SMOTE, validate's unique fields), and there may be
 * 100,000 columns with a handful of values each.
 */
static prep_status
grow_slots(prep_strset *s)
{
	size_t n = s->nslots ? s->nslots * 2 : 16, i, j;
	uint64_t *slots;
	prep_status st;

	if ((slots = prep_memcap_calloc(n, sizeof *slots, &st)) == NULL)
		return st;
	for (i = 0; i < s->n; i++) {
		for (j = (size_t)s->hash[i] & (n - 1); slots[j];
		     j = (j + 1) & (n - 1))
			;
		slots[j] = (s->hash[i] & TAG_MASK) | (i + 1);
	}
	prep_memcap_free(s->slots, s->nslots * sizeof *s->slots);
	s->slots = slots;
	s->nslots = n;
	return PREP_OK;
}

static prep_status
grow_ids(prep_strset *s)
{
	size_t n = s->cap ? s->cap * 2 : 8;
	size_t more = (n - s->cap) * (sizeof *s->hash + sizeof *s->at);
	uint64_t *h;
	struct prep_strset_span *a;
	prep_status st;

	if (n > SIZE_MAX / sizeof *a)
		return PREP_ERR_NOMEM;
	/* both arrays grow, or the table stays as it was */
	if ((st = prep_memcap_take(more)) != PREP_OK)
		return st;
	if ((h = realloc(s->hash, n * sizeof *h)) != NULL)
		s->hash = h;
	if (h == NULL || (a = realloc(s->at, n * sizeof *a)) == NULL) {
		prep_memcap_give(more);
		return PREP_ERR_NOMEM;
	}
	s->at = a;
	s->cap = n;
	return PREP_OK;
}

static prep_status
grow_arena(prep_strset *s, size_t len)
{
	size_t n = s->arena_cap ? s->arena_cap : 256;
	char *a;
	prep_status st;

	while (n - s->arena_len < len) {
		if (n > SIZE_MAX / 2)
			return PREP_ERR_NOMEM;
		n *= 2;
	}
	if ((a = prep_memcap_realloc(s->arena, s->arena_cap, n, &st)) == NULL)
		return st;
	s->arena = a;
	s->arena_cap = n;
	return PREP_OK;
}

prep_status
prep_strset_lookup(prep_strset *s, const void *key, size_t len, int add,
		   size_t *id, int *added)
{
	uint64_t h, tag;
	size_t j, i;
	prep_status st;

	if (added)
		*added = 0;
	if (!s->keyed) {
		if ((st = prep_siphash_table_key(&s->key)) != PREP_OK)
			return st;
		s->keyed = 1;
	}
	h = prep_siphash13(&s->key, key, len);
	tag = h & TAG_MASK;
	if (s->nslots) {
		for (j = (size_t)h & (s->nslots - 1); s->slots[j];
		     j = (j + 1) & (s->nslots - 1)) {
			if ((s->slots[j] & TAG_MASK) != tag)
				continue;
			i = (size_t)(s->slots[j] & 0xffffffffu) - 1;
			if (s->at[i].len == len &&
			    (len == 0 ||
			     memcmp(s->arena + s->at[i].off, key, len) == 0)) {
				*id = i;
				return PREP_OK;
			}
		}
	}
	if (!add)
		return PREP_ERR_NOT_FOUND;
	if (s->n >= s->max || s->n >= 0xffffffffu)
		return PREP_ERR_LIMIT;
	/* load under 1/2: short probes */
	if ((s->n + 1) * 2 > s->nslots && (st = grow_slots(s)) != PREP_OK)
		return st;
	if (s->n == s->cap && (st = grow_ids(s)) != PREP_OK)
		return st;
	if (len > s->arena_cap - s->arena_len &&
	    (st = grow_arena(s, len)) != PREP_OK)
		return st;
	i = s->n++;
	if (len)
		memcpy(s->arena + s->arena_len, key, len);
	s->at[i].off = s->arena_len;
	s->at[i].len = len;
	s->hash[i] = h;
	s->arena_len += len;
	for (j = (size_t)h & (s->nslots - 1); s->slots[j];
	     j = (j + 1) & (s->nslots - 1))
		;
	s->slots[j] = tag | (i + 1);
	*id = i;
	if (added)
		*added = 1;
	return PREP_OK;
}

prep_field
prep_strset_key(const prep_strset *s, size_t id)
{
	prep_field f = {"", 0};

	/* an arena of only empty keys may be NULL: no pointer arithmetic */
	if (id < s->n && s->at[id].len > 0) {
		f.data = s->arena + s->at[id].off;
		f.len = s->at[id].len;
	}
	return f;
}

unsigned char *
prep_tuple_put(unsigned char *o, const prep_field *f)
{
	size_t len = f->len;

	do {
		*o++ = (unsigned char)((len & 0x7f) | (len > 0x7f ? 0x80 : 0));
		len >>= 7;
	} while (len);
	if (f->len)
		memcpy(o, f->data, f->len);
	return o + f->len;
}

prep_field
prep_tuple_next(const unsigned char **p)
{
	const unsigned char *s = *p;
	size_t len = 0;
	int shift = 0;
	prep_field f;

	do {
		len |= (size_t)(*s & 0x7f) << shift;
		shift += 7;
	} while (*s++ & 0x80);
	f.data = (const char *)s;
	f.len = len;
	*p = s + len;
	return f;
}
