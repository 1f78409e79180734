/* missing.c: the set of missing-value markers; see missing.h. */
#include <stdlib.h>
#include <string.h>

#include "missing.h"

struct prep_missing {
	size_t n;
	size_t minlen, maxlen; /* a cheap test first: most cells are data */
	prep_field v[PREP_MISSING_MAX_VALUES];
	char *text; /* the list, its commas turned into NULs */
};

prep_status
prep_missing_new(const char *list, prep_missing **out)
{
	prep_missing *m;
	char *p;

	*out = NULL;
	m = calloc(1, sizeof *m);
	if (m == NULL || (m->text = strdup(list)) == NULL) {
		free(m);
		return PREP_ERR_NOMEM;
	}
	m->minlen = (size_t)-1;
	for (p = m->text;;) {
		char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (m->n == PREP_MISSING_MAX_VALUES ||
		    len > PREP_MISSING_MAX_LEN) {
			prep_missing_free(m);
			return PREP_ERR_LIMIT;
		}
		p[len] = '\0';
		m->v[m->n].data = p;
		m->v[m->n++].len = len;
		if (len < m->minlen)
			m->minlen = len;
		if (len > m->maxlen)
			m->maxlen = len;
		if (end == NULL)
			break;
		p = end + 1;
	}
	*out = m;
	return PREP_OK;
}

void
prep_missing_free(prep_missing *m)
{
	if (m == NULL)
		return;
	free(m->text);
	free(m);
}

int
prep_missing_is(const prep_missing *m, const char *s, size_t len)
{
	size_t i;

	if (m == NULL)
		return len == 0;
	if (len < m->minlen || len > m->maxlen)
		return 0;
	for (i = 0; i < m->n; i++)
		if (m->v[i].len == len && memcmp(m->v[i].data, s, len) == 0)
			return 1;
	return 0;
}

size_t
prep_missing_count(const prep_missing *m)
{
	return m == NULL ? 1 : m->n;
}

prep_field
prep_missing_value(const prep_missing *m, size_t i)
{
	prep_field f = {"", 0};

	if (m != NULL && i < m->n)
		f = m->v[i];
	return f;
}
