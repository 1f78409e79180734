/*
 * test_datetime.c: unit tests of libprep/datetime.c. Expected instants
 * are from GNU date, e.g. `date -u -d 2024-02-29T12:30:00+02:00 +%s`.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "datetime.h"

static int
date(const char *s, int64_t *days)
{
	return prep_iso_date(s, strlen(s), days);
}

static int
datetime(const char *s, int64_t *sec, int32_t *ns)
{
	return prep_iso_datetime(s, strlen(s), sec, ns);
}

Test(datetime, dates)
{
	int64_t d;

	cr_assert(date("1970-01-01", &d));
	cr_assert_eq(d, 0);
	cr_assert(date("2024-02-29", &d));
	cr_assert_eq(d, 19782); /* date -u -d 2024-02-29 +%s / 86400 */
	cr_assert(date("1969-12-31", &d));
	cr_assert_eq(d, -1);
	cr_assert(date("0001-01-01", &d));
	cr_assert_eq(d, -719162);
	cr_assert_not(date("2023-02-29", &d));
	cr_assert_not(date("2024-13-01", &d));
	cr_assert_not(date("0000-01-01", &d));
	cr_assert_not(date("2024-1-01", &d));
	cr_assert_not(date("2024-01-011", &d));
	cr_assert_not(date("2024/01/01", &d));
}

Test(datetime, datetimes)
{
	int64_t s;
	int32_t ns;

	cr_assert(datetime("2024-02-29T12:30:00+02:00", &s, &ns));
	cr_assert_eq(s, 1709202600);
	cr_assert_eq(ns, 0);
	cr_assert(datetime("2024-02-29T10:30:00Z", &s, &ns));
	cr_assert_eq(s, 1709202600);
	cr_assert(datetime("2024-02-29T10:30:00.1234567891", &s, &ns));
	cr_assert_eq(s, 1709202600);
	cr_assert_eq(ns, 123456789);
	cr_assert_not(datetime("2024-02-29 10:30:00", &s, &ns));
	cr_assert_not(datetime("2024-02-29T24:00:00", &s, &ns));
	cr_assert_not(datetime("2024-02-29T10:30:00.", &s, &ns));
	cr_assert_not(datetime("2024-02-29T10:30:00+2:00", &s, &ns));
	cr_assert_not(datetime("2024-02-29", &s, &ns));
}

Test(datetime, times_and_digits)
{
	int64_t s;
	int32_t ns;

	cr_assert(prep_iso_time("01:00:00+02:00", 14, &s, &ns));
	cr_assert_eq(s, -3600);
	cr_assert(prep_iso_time("23:59:59", 8, &s, &ns));
	cr_assert_eq(s, 86399);
	cr_assert_not(prep_iso_time("23:60:00", 8, &s, &ns));
	cr_assert_eq(prep_digits("0420", 4), 420);
	cr_assert_eq(prep_digits("04a0", 4), -1);
	cr_assert(prep_date_ok(2000, 2, 29));
	cr_assert_not(prep_date_ok(1900, 2, 29));
	cr_assert(prep_time_ok(23, 59, 59));
	cr_assert_not(prep_time_ok(23, 59, 60));
}
