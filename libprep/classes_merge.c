/*
 * classes_merge.c: parts of a class table filled by threads, added up
 * (classes_merge.h).
 */
#include <stdlib.h>
#include <string.h>

#include "classes_merge.h"
#include "strset.h"

/* Where a class or value first appeared. */
struct first {
	uint64_t place;
	prep_where at;
};

struct prep_classes_part {
	prep_classes *t;
	int own;		 /* t is the part's, freed with it */
	struct first *cls, *val; /* by class id, by value id */
	size_t ncls, nval;	 /* the classes and values the part added */
	size_t cls_cap, val_cap;
};

prep_status
prep_classes_merge(prep_classes *dst, prep_classes *src)
{
	size_t nqi = prep_classes_nqi(src), id, i, n;
	prep_field *key = calloc(nqi ? nqi : 1, sizeof *key);
	const prep_class_count *d;
	prep_status st = key ? PREP_OK : PREP_ERR_NOMEM;

	for (id = 0; st == PREP_OK && id < prep_classes_count(src); id++) {
		prep_classes_key(src, id, key);
		if (!prep_classes_has_sensitive(src)) {
			st = prep_classes_add_key(
			    dst, key, NULL, prep_classes_size(src, id), NULL);
			continue;
		}
		if ((st = prep_classes_dist(src, id, &d, &n)) != PREP_OK)
			break;
		for (i = 0; st == PREP_OK && i < n; i++) {
			prep_field v = prep_classes_value(src, d[i].value);

			st = prep_classes_add_key(dst, key, &v, d[i].count,
						  NULL);
		}
	}
	free(key);
	return st;
}

prep_status
prep_classes_part_new(const prep_classes *like, prep_classes_part **out)
{
	prep_classes_part *p = calloc(1, sizeof *p);
	prep_status st;

	*out = NULL;
	if (p == NULL)
		return PREP_ERR_NOMEM;
	st = prep_classes_new(prep_classes_qi(like), prep_classes_nqi(like),
			      prep_classes_sensitive(like),
			      prep_classes_max(like), &p->t);
	if (st != PREP_OK) {
		free(p);
		return st;
	}
	p->own = 1;
	*out = p;
	return PREP_OK;
}

prep_status
prep_classes_part_of(prep_classes *t, prep_classes_part **out)
{
	prep_classes_part *p;

	*out = NULL;
	if (prep_classes_count(t) != 0)
		return PREP_ERR_ARG;
	if ((p = calloc(1, sizeof *p)) == NULL)
		return PREP_ERR_NOMEM;
	p->t = t;
	*out = p;
	return PREP_OK;
}

void
prep_classes_part_free(prep_classes_part *p)
{
	if (p == NULL)
		return;
	if (p->own)
		prep_classes_free(p->t);
	free(p->cls);
	free(p->val);
	free(p);
}

prep_classes *
prep_classes_part_table(prep_classes_part *p)
{
	return p->t;
}

/* Note where entry i (new: the table's count passed i) first was. */
static prep_status
note(struct first **a, size_t *cap, size_t i, uint64_t place, prep_where at)
{
	if (i >= *cap) {
		size_t ncap = *cap ? *cap * 2 : 1024;
		struct first *na = realloc(*a, ncap * sizeof *na);

		if (na == NULL)
			return PREP_ERR_NOMEM;
		*a = na;
		*cap = ncap;
	}
	(*a)[i].place = place;
	(*a)[i].at = at;
	return PREP_OK;
}

prep_status
prep_classes_part_add(prep_classes_part *p, const prep_field *row,
		      uint64_t place, prep_where at)
{
	size_t classes = prep_classes_count(p->t);
	size_t values = prep_classes_values(p->t);
	prep_status st = prep_classes_add(p->t, row, NULL);

	if (st != PREP_OK)
		return st;
	if (prep_classes_count(p->t) > classes) {
		if ((st = note(&p->cls, &p->cls_cap, classes, place, at)) !=
		    PREP_OK)
			return st;
		p->ncls = classes + 1;
	}
	if (prep_classes_values(p->t) > values) {
		if ((st = note(&p->val, &p->val_cap, values, place, at)) !=
		    PREP_OK)
			return st;
		p->nval = values + 1;
	}
	return PREP_OK;
}

static int
by_place(const void *a, const void *b)
{
	const struct first *x = a, *y = b;

	return x->place < y->place ? -1 : x->place > y->place;
}

/* The first places of what the parts hold: each entry once, at its
 * earliest; keys from key(part, i, &len). */
struct firsts {
	prep_strset seen;
	struct first *at;
	size_t n, cap;
};

static prep_status
firsts_add(struct firsts *f, const void *key, size_t len, struct first where)
{
	size_t id;
	int added = 0;
	prep_status st = prep_strset_lookup(&f->seen, key, len, 1, &id, &added);

	if (st != PREP_OK)
		return st;
	if (added) {
		if ((st = note(&f->at, &f->cap, id, where.place, where.at)) !=
		    PREP_OK)
			return st;
		f->n = id + 1;
	} else if (where.place < f->at[id].place) {
		f->at[id] = where;
	}
	return PREP_OK;
}

/* The place past the cap (max + 1 entries), or UINT64_MAX. */
static struct first
past_cap(struct firsts *f, size_t max)
{
	struct first none = {UINT64_MAX, {NULL, 0, 0}};

	if (f->n <= max)
		return none;
	qsort(f->at, f->n, sizeof *f->at, by_place);
	return f->at[max];
}

/*
 * One reader's cap: the earliest of the place where the classes passed
 * it, where the values did, and fail_place.
 */
static prep_status
cap_place(prep_classes_part *const *parts, size_t n, uint64_t fail_place,
	  prep_where fail, prep_where *where)
{
	struct firsts cls, val;
	struct first a, b;
	size_t i, id, max = prep_classes_max(parts[0]->t);
	prep_status st = PREP_OK;

	memset(&cls, 0, sizeof cls);
	memset(&val, 0, sizeof val);
	prep_strset_init(&cls.seen, 0);
	prep_strset_init(&val.seen, 0);
	for (i = 0; st == PREP_OK && i < n; i++) {
		/* the part's own entries: ids 0.. of its table, which may
		 * since hold other parts' too */
		prep_classes *t = parts[i]->t;

		for (id = 0; st == PREP_OK && id < parts[i]->ncls; id++) {
			prep_field k = prep_classes_key_bytes(t, id);

			st = firsts_add(&cls, k.data, k.len, parts[i]->cls[id]);
		}
		for (id = 0; st == PREP_OK && id < parts[i]->nval; id++) {
			prep_field v = prep_classes_value(t, id);

			st = firsts_add(&val, v.data, v.len, parts[i]->val[id]);
		}
	}
	if (st == PREP_OK) {
		a = past_cap(&cls, max);
		b = past_cap(&val, max);
		if (b.place < a.place)
			a = b;
		*where = a.place < fail_place ? a.at : fail;
		where->field = 0;
		st = PREP_ERR_LIMIT;
	}
	prep_strset_free(&cls.seen);
	prep_strset_free(&val.seen);
	free(cls.at);
	free(val.at);
	return st;
}

prep_status
prep_classes_merge_parts(prep_classes *dst, prep_classes_part *const *parts,
			 size_t n, uint64_t fail_place, prep_where fail,
			 prep_where *where)
{
	size_t i;
	prep_status st;

	*where = fail;
	if (fail_place == UINT64_MAX) {
		for (i = 0, st = PREP_OK; st == PREP_OK && i < n; i++)
			if (parts[i]->t != dst)
				st = prep_classes_merge(dst, parts[i]->t);
		if (st != PREP_ERR_LIMIT)
			return st;
	}
	/* past the cap: where one reader would have been */
	return n ? cap_place(parts, n, fail_place, fail, where)
		 : PREP_ERR_LIMIT;
}
