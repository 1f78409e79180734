/*
 * datetime.h: ISO 8601 / RFC 3339 dates and times read from text, and
 * the proleptic Gregorian calendar they need: what the Table Schema
 * checks (schema_value.c) and the column profiles (profile.c) both read.
 *
 * Dates are days since 1970-01-01, datetimes seconds since
 * 1970-01-01T00:00:00 UTC plus nanoseconds; years 1 to 9999 only, as
 * ISO 8601 writes them without expansion. Nothing here allocates.
 */
#ifndef PREP_DATETIME_H
#define PREP_DATETIME_H

#include <stddef.h>
#include <stdint.h>

/*
 * Days from 1970-01-01 to y-m-d (Howard Hinnant's days_from_civil, see
 * datetime.c); m and d need not make a valid date.
 */
int64_t prep_days_from_civil(int64_t y, int m, int d);

/* Is y-m-d a date of years 1 to 9999? */
int prep_date_ok(long y, int m, int d);

/* Is h:mi:s a time of day (no leap second)? */
int prep_time_ok(int h, int mi, int s);

/* The value of the n ASCII digits at p, or -1 when one is not a digit. */
long prep_digits(const char *p, size_t n);

/* p[0..n) is YYYY-MM-DD: 1 and the date in *days; else 0. */
int prep_iso_date(const char *p, size_t n, int64_t *days);

/*
 * p[0..n) is YYYY-MM-DDThh:mm:ss[.f][Z|+hh:mm|-hh:mm] (RFC 3339 with the
 * fraction and the zone optional; without a zone, UTC): 1 and the instant
 * in *sec and *ns (the fraction to the nanosecond, further digits
 * dropped); else 0.
 */
int prep_iso_datetime(const char *p, size_t n, int64_t *sec, int32_t *ns);

/*
 * p[0..n) is hh:mm:ss[.f][Z|+hh:mm|-hh:mm]: 1 and seconds since midnight
 * UTC in *sec (below 0 or past a day when the offset takes it there:
 * 01:00:00+02:00 is -3600), the fraction in *ns; else 0.
 */
int prep_iso_time(const char *p, size_t n, int64_t *sec, int32_t *ns);

#endif
