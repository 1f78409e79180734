/*
 * generalize.h: the value transformations of anonymize that need no key:
 * mask, truncate, bin, topcode, bottomcode, date and age (anonymize(1),
 * Actions).
 *
 * Every action takes a field's exact bytes (in, len), resets the output
 * buffer and writes the result into it. On any error the output buffer is
 * left empty, so no part of a value can leak through a failed call.
 *
 * Rules shared by every action:
 * - An empty field stays empty (PREP_OK, empty output): it is a missing
 *   value, not an error.
 * - A value the action can't read is PREP_ERR_VALUE (invalid UTF-8 for
 *   mask and truncate: PREP_ERR_UTF8; an integer that does not fit in 64
 *   bits, or a number beyond the range of a double: PREP_ERR_RANGE). The
 *   caller decides whether that is fatal (--on-error).
 * - A bad action argument (width <= 0, a mask that is not one character)
 *   is PREP_ERR_ARG.
 * - A result longer than the buffer's cap is PREP_ERR_LIMIT.
 *
 * Characters, integers and numbers are those of text.h (prep_utf8_count,
 * prep_parse_int64, prep_parse_number): a character is a UTF-8 code
 * point, and numbers are read in the C locale.
 */
#ifndef PREP_GENERALIZE_H
#define PREP_GENERALIZE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "prep.h"
#include "text.h"

/*
 * mask[:N]: every character except the last keep_last replaced by mask,
 * which must be exactly one UTF-8 character (else PREP_ERR_ARG; "*" by
 * default in anonymize). keep_last >= the length leaves the value as it is.
 * ("Zoë", 1, "*" -> "**ë").
 */
prep_status prep_mask(const char *in, size_t len, size_t keep_last,
		      const char *mask, size_t mask_len, prep_buf *out);

/*
 * truncate:N: the first keep_first characters kept, every later character
 * replaced by mask ("76510", 3 -> "765**"); keep_first 0 masks everything,
 * keep_first >= the length leaves the value as it is.
 */
prep_status prep_truncate(const char *in, size_t len, size_t keep_first,
			  const char *mask, size_t mask_len, prep_buf *out);

/*
 * bin:W: integer v -> "L-H" with L = floor(v/W)*W and H = L+W-1
 * (37,10 -> "30-39"; -3,10 -> "-10--1"; 0,10 -> "0-9"). The value must be
 * integer text (prep_parse_int64): "37.5", "37.0", " 37" and "abc" are
 * PREP_ERR_VALUE. PREP_ERR_RANGE when v, L or H does not fit in int64_t.
 * width < 1 is PREP_ERR_ARG.
 */
prep_status prep_bin(const char *in, size_t len, int64_t width, prep_buf *out);

/*
 * topcode:T: a number >= t becomes t_text followed by "+" ("100+"); any
 * other number is copied unchanged, byte for byte.
 * bottomcode:B: a number < b becomes "<" followed by b_text ("<18");
 * others unchanged.
 * t_text/b_text is the threshold as the user wrote it (NUL-terminated) and
 * t/b its value (prep_parse_number). The value is read with
 * prep_parse_number and compared as a double (-0 equals 0).
 */
prep_status prep_topcode(const char *in, size_t len, double t,
			 const char *t_text, prep_buf *out);
prep_status prep_bottomcode(const char *in, size_t len, double b,
			    const char *b_text, prep_buf *out);

typedef struct prep_date {
	int year, month, day;
} prep_date;

/*
 * An ISO 8601 / RFC 3339 calendar date in extended format, YYYY-MM-DD
 * (year 0000-9999, proleptic Gregorian calendar), optionally followed by
 * 'T', 't' or ' ' and a time hh:mm[:ss[.fraction]] (hh 00-23, mm 00-59,
 * ss 00-60, fraction after '.' or ',' of one or more digits) with an
 * optional offset 'Z', 'z', +hh:mm, -hh:mm, +hhmm or +hh. The date must
 * exist (2000-02-29 yes, 1900-02-29 and 2023-02-29 no). The time is
 * checked but not used: the date is taken as written, never converted to
 * UTC. Anything else is PREP_ERR_VALUE.
 */
prep_status prep_parse_date(const char *in, size_t len, prep_date *d);

/* 1 if d is a real date of years 0000-9999, else 0. */
int prep_date_valid(const prep_date *d);

typedef enum prep_date_unit {
	PREP_DATE_YEAR,
	PREP_DATE_MONTH,
	PREP_DATE_DECADE
} prep_date_unit;

/* "year", "month" or "decade" -> the unit; anything else PREP_ERR_ARG. */
prep_status prep_date_unit_parse(const char *s, prep_date_unit *unit);

/*
 * date:year|month|decade: a date or datetime (prep_parse_date) ->
 * "1980" / "1980-10" / "1980-1989" (the decade runs from a year ending
 * in 0 to the next year ending in 9: 2000-01-01 -> "2000-2009"). Years
 * are written with four digits.
 */
prep_status prep_date_generalize(const char *in, size_t len,
				 prep_date_unit unit, prep_buf *out);

/*
 * age:REFDATE: a date of birth (prep_parse_date) -> whole years completed
 * at ref, in decimal ("1980-10-05" at 2020-10-04 -> "39", at 2020-10-05
 * -> "40"). Someone born on 29 February completes a year on 1 March in a
 * common year (and on 29 February in a leap year): at 2021-02-28 a person
 * born 2000-02-29 is 20, at 2021-03-01 21. Born after ref is
 * PREP_ERR_VALUE; born on ref is 0. An invalid ref is PREP_ERR_ARG.
 */
prep_status prep_age(const char *in, size_t len, const prep_date *ref,
		     prep_buf *out);

#endif
