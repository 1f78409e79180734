/* datetime.c: ISO 8601 dates and times and the calendar (datetime.h). */
#include "datetime.h"
#include "generalize.h"
#include "text.h"

/*
 * Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar:
 * days_from_civil() of Howard Hinnant, "chrono-Compatible Low-Level Date
 * Algorithms" (2013), http://howardhinnant.github.io/date_algorithms.html.
 */
int64_t
prep_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Years 1 to 9999, as ISO 8601 writes them without expansion. */
int
prep_date_ok(long y, int m, int d)
{
	prep_date date = {(int)y, m, d};

	return y >= 1 && y <= 9999 && prep_date_valid(&date);
}

int
prep_time_ok(int h, int mi, int s)
{
	return h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && s >= 0 && s <= 59;
}

/* The value of the n ASCII digits at p, or -1. */
long
prep_digits(const char *p, size_t n)
{
	long v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!prep_is_digit(p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* YYYY-MM-DD: the 10 bytes at p as days since 1970-01-01. */
int
prep_iso_date(const char *p, size_t n, int64_t *days)
{
	long y, m, d;

	if (n != 10)
		return 0;
	y = prep_digits(p, 4);
	m = prep_digits(p + 5, 2);
	d = prep_digits(p + 8, 2);
	if (p[4] != '-' || p[7] != '-' || y < 0 || m < 0 || d < 0 ||
	    !prep_date_ok(y, (int)m, (int)d))
		return 0;
	*days = prep_days_from_civil(y, (int)m, (int)d);
	return 1;
}

/*
 * hh:mm:ss with an optional fraction (a '.' and digits, kept to the
 * nanosecond, further digits read and dropped) at the start of p[0..n):
 * seconds since midnight and nanoseconds; the bytes read in *used.
 */
static int
iso_time(const char *p, size_t n, size_t *used, int64_t *sec, int32_t *ns)
{
	long h, mi, s;
	size_t i = 8, k;
	int32_t f = 0;

	if (n < 8 || p[2] != ':' || p[5] != ':')
		return 0;
	h = prep_digits(p, 2);
	mi = prep_digits(p + 3, 2);
	s = prep_digits(p + 6, 2);
	if (h < 0 || mi < 0 || s < 0 || !prep_time_ok((int)h, (int)mi, (int)s))
		return 0;
	if (i < n && p[i] == '.') {
		i++;
		for (k = 0; i < n && prep_is_digit(p[i]); i++, k++)
			if (k < 9)
				f = f * 10 + (p[i] - '0');
		if (k == 0)
			return 0;
		for (; k < 9; k++)
			f *= 10;
	}
	*sec = h * 3600 + mi * 60 + s;
	*ns = f;
	*used = i;
	return 1;
}

/*
 * A zone designator that is all of p[0..n): nothing, "Z", or +hh:mm /
 * -hh:mm (RFC 3339 5.6); its offset east of UTC in seconds in *off.
 */
static int
iso_zone(const char *p, size_t n, long *off)
{
	long oh, om;

	*off = 0;
	if (n == 0 || (n == 1 && p[0] == 'Z'))
		return 1;
	if (n != 6 || (p[0] != '+' && p[0] != '-') || p[3] != ':')
		return 0;
	oh = prep_digits(p + 1, 2);
	om = prep_digits(p + 4, 2);
	if (oh < 0 || om < 0 || oh > 23 || om > 59)
		return 0;
	*off = (oh * 3600 + om * 60) * (p[0] == '-' ? -1 : 1);
	return 1;
}

/*
 * YYYY-MM-DDThh:mm:ss[.f][Z|+hh:mm|-hh:mm] (RFC 3339 with the fraction
 * optional and the zone optional): seconds since 1970-01-01T00:00:00 UTC,
 * a datetime without a zone being taken as UTC.
 */
int
prep_iso_datetime(const char *p, size_t n, int64_t *sec, int32_t *ns)
{
	int64_t days, s;
	int32_t f;
	size_t used;
	long off;

	if (n < 19 || p[10] != 'T' || !prep_iso_date(p, 10, &days) ||
	    !iso_time(p + 11, n - 11, &used, &s, &f) ||
	    !iso_zone(p + 11 + used, n - 11 - used, &off))
		return 0;
	*sec = days * 86400 + s - off;
	*ns = f;
	return 1;
}

/*
 * hh:mm:ss[.f][Z|+hh:mm|-hh:mm]: seconds since midnight UTC, a time
 * without a zone being taken as UTC (so 10:00:00+02:00 is 08:00:00Z, and
 * 01:00:00+02:00 is -3600: times are compared as instants of one day).
 */
int
prep_iso_time(const char *p, size_t n, int64_t *sec, int32_t *ns)
{
	size_t used;
	long off;

	if (!iso_time(p, n, &used, sec, ns) ||
	    !iso_zone(p + used, n - used, &off))
		return 0;
	*sec -= off;
	return 1;
}
