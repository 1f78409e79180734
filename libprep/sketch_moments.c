/* sketch_moments.c: Welford's update and Chan's merge (sketch_moments.h). */
#include <math.h>

#include "sketch_moments.h"

void
prep_moments_init(prep_moments *m)
{
	m->n = 0;
	m->mean = 0;
	m->m2 = 0;
	m->min = INFINITY;
	m->max = -INFINITY;
}

void
prep_moments_add(prep_moments *m, double x)
{
	double delta = x - m->mean;

	m->n++;
	m->mean += delta / (double)m->n;
	m->m2 += delta * (x - m->mean);
	if (x < m->min)
		m->min = x;
	if (x > m->max)
		m->max = x;
}

void
prep_moments_merge(prep_moments *into, const prep_moments *from)
{
	double na = (double)into->n, nb = (double)from->n, n, delta;

	if (from->n == 0)
		return;
	if (into->n == 0) {
		*into = *from;
		return;
	}
	n = na + nb;
	delta = from->mean - into->mean;
	into->mean += delta * (nb / n);
	into->m2 += from->m2 + delta * delta * (na * nb / n);
	into->n += from->n;
	if (from->min < into->min)
		into->min = from->min;
	if (from->max > into->max)
		into->max = from->max;
}

double
prep_moments_variance(const prep_moments *m)
{
	return m->n ? m->m2 / (double)m->n : NAN;
}
