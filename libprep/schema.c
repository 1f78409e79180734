/*
 * schema.c: the Table Schema loader and the typed cell checks of schema.h.
 *
 * Loading reads the JSON with jansson (duplicate keys rejected; jansson
 * itself refuses nesting deeper than JSON_PARSER_MAX_DEPTH, 2048) and
 * turns it into one struct field per column with everything a check
 * needs worked out in advance: the type's reader, the bounds as typed
 * values, the pattern compiled (and JIT-compiled) by PCRE2 with its match
 * data, the enum as a hash set of canonical keys, and every message. A
 * row check then reads each cell once, by hand for the default formats
 * (strptime(3) only for a field's own pattern), and allocates nothing but
 * the unique and primary-key sets' growth.
 *
 * Canonical keys make typed values comparable as bytes: an integer, a
 * year, a date (days since 1970-01-01) or a boolean is its int64 (an
 * integer past int64: its sign and digits), a datetime or time its
 * seconds (UTC) and nanoseconds, a number its double with
 * -0 made 0 and one NaN; strings and `any` are their bytes. Unique sets,
 * the primary-key set and enums store these keys in prep_strset.
 *
 * Relies on jansson, PCRE2 (8-bit library), strptime(3) and uselocale(3)
 * (numbers and patterns are read in the C locale whatever the program
 * set). References beside the code: Table Schema
 * (https://specs.frictionlessdata.io/table-schema/), RFC 3339 / ISO 8601
 * (dates), RFC 3986 (URI scheme), RFC 4122 (UUID), RFC 5321/5322 (e-mail),
 * RFC 3629 (UTF-8), H. Hinnant's date algorithms, W. Clinger's fast path
 * for reading decimals.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* strptime(3) */
#endif
#define PCRE2_CODE_UNIT_WIDTH 8

#include <errno.h>
#include <float.h>
#include <jansson.h>
#include <locale.h>
#include <math.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "generalize.h"
#include "schema.h"
#include "strset.h"
#include "text.h"

#define DEFAULT_MAX_KEYS ((size_t)10000000)
/* Longest piece of the schema (bound, format, name) quoted in a message. */
#define QUOTE_MAX 60
/* Up to this many entries a small set (missingValues, booleans, enum) is
 * searched by comparing; past it, by hash. */
#define SMALL_SET 8

enum ftype {
	T_STRING,
	T_INTEGER,
	T_NUMBER,
	T_BOOLEAN,
	T_DATE,
	T_DATETIME,
	T_TIME,
	T_YEAR,
	T_ANY,
	NTYPES
};

static const char *const type_names[NTYPES] = {"string",  "integer", "number",
					       "boolean", "date",    "datetime",
					       "time",	  "year",    "any"};

enum sformat { SF_DEFAULT, SF_EMAIL, SF_URI, SF_UUID };

/* Constraints a field has, as bits; checked in the order of schema.h. */
enum {
	C_REQUIRED = 1 << 0,
	C_MINLENGTH = 1 << 1,
	C_MAXLENGTH = 1 << 2,
	C_PATTERN = 1 << 3,
	C_MINIMUM = 1 << 4,
	C_MAXIMUM = 1 << 5,
	C_XMINIMUM = 1 << 6,
	C_XMAXIMUM = 1 << 7,
	C_ENUM = 1 << 8,
	C_UNIQUE = 1 << 9,
	C_PKMARK = 1 << 10 /* while loading: named by primaryKey */
};

/* The bounds and their messages, by index. */
enum { B_MINIMUM, B_MAXIMUM, B_XMINIMUM, B_XMAXIMUM, NBOUNDS };
static const char *const bound_keys[NBOUNDS] = {
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"};
static const char *const bound_texts[NBOUNDS] = {
    "below the minimum", "above the maximum", "not above the exclusive minimum",
    "not below the exclusive maximum"};

static const char MSG_REQUIRED[] = "required value is missing";
static const char MSG_PATTERN[] = "does not match the pattern";
static const char MSG_PATTERN_LIMIT[] =
    "pattern could not be matched (resource limit)";
static const char MSG_BAD_UTF8[] = "not valid UTF-8, length cannot be checked";
static const char MSG_ENUM[] = "not one of the enum values";
static const char MSG_UNIQUE[] = "duplicate value in a unique field";

/*
 * A typed value: i holds an integer, a year, a boolean (0/1), a date
 * (days since 1970-01-01), a datetime (seconds since 1970-01-01T00:00:00
 * UTC) or a time (seconds since midnight UTC, below 0 or past a day when
 * an offset takes it there), ns the nanoseconds of the last two, d a
 * number. An integer past int64 has big pointing to its digits (no
 * leading zero, at least 19 of them, not NUL-terminated), bign of them,
 * and its sign in i (1 or -1).
 */
struct value {
	int64_t i;
	int32_t ns;
	double d;
	const char *big;
	size_t bign;
};

/*
 * A fixed set of strings (missingValues, a boolean's values, an enum's
 * keys): a prep_strset, whose ids keep the order of insertion, and, once
 * sealed and when small, a copy of its keys to compare in turn (cheaper
 * than hashing a few short keys).
 */
struct lookup {
	prep_strset set;
	prep_field small[SMALL_SET];
};

struct field {
	size_t name_off, name_len; /* in prep_schema.names */
	enum ftype type;
	enum sformat sfmt;
	char *tfmt;	/* date/datetime/time: strptime pattern, NULL: ISO */
	int tfmt_space; /* the pattern has white space */
	unsigned cons;	/* C_* */
	int pk;		/* part of the primary key */
	size_t minlen, maxlen;
	struct value bound[NBOUNDS];
	char *bigbound[NBOUNDS]; /* the digits of a bound past int64 */
	pcre2_code *re;
	pcre2_match_data *md;
	int jit;	      /* re is JIT-compiled */
	struct lookup *bools; /* boolean: trueValues then falseValues */
	size_t ntrue;
	struct lookup *enumset; /* canonical keys */
	prep_strset *uniq;	/* canonical keys seen */
	const char *type_msg;
	char *own_type_msg;	/* type_msg when allocated */
	char *msg[NBOUNDS + 2]; /* bounds, minLength, maxLength */
};
#define M_MINLENGTH NBOUNDS
#define M_MAXLENGTH (NBOUNDS + 1)

struct prep_schema {
	struct field *fields;
	size_t nfields;
	prep_buf names; /* field names, each NUL-terminated */
	struct lookup missing;
	int missing_empty_only; /* missingValues is [""] */
	size_t *pk;		/* field indexes of the primary key */
	size_t npk;
	prep_strset *pkset;
	char *pk_msg;
	size_t max_keys;
	locale_t cloc; /* the C locale, for strtod and strptime */
	pcre2_match_context *mctx;
	pcre2_jit_stack *jit;
	prep_buf scratch;   /* NUL-terminated copy of a cell */
	prep_buf bigkey;    /* canonical key of an integer past int64 */
	prep_buf tuple;	    /* primary-key tuple */
	prep_buf notes;	    /* keys accepted and not used, NUL-terminated */
	size_t *note_off;   /* where each note starts in notes */
	size_t nnotes, note_cap;
	struct value *vals; /* per field, this row's value */
	unsigned char *ok;  /* per field: this row's value has no error */
};

/* ---- characters, UTF-8 ---- */

static int
is_alpha(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int
is_xdigit(unsigned char c)
{
	return prep_is_digit(c) || (c >= 'A' && c <= 'F') ||
	       (c >= 'a' && c <= 'f');
}

static int
is_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/*
 * Copy s into dst (cap bytes) cut to at most QUOTE_MAX bytes at a
 * character boundary, with "..." when cut: a piece of the schema for a
 * message.
 */
static const char *
clip(char *dst, size_t cap, const char *s)
{
	size_t n = strlen(s), m = n;

	if (m > QUOTE_MAX) {
		m = QUOTE_MAX;
		while (m > 0 && ((unsigned char)s[m] & 0xc0) == 0x80)
			m--;
	}
	if (m + 4 > cap)
		m = 0;
	memcpy(dst, s, m);
	if (m < n)
		memcpy(dst + m, "...", 4);
	else
		dst[m] = '\0';
	return dst;
}

/* ---- sets ---- */

/* Find p[0..n) in a sealed set: by comparing when small, else by hash. */
static int
set_find(struct lookup *t, const void *p, size_t n, size_t *id)
{
	size_t i;

	if (t->set.n <= SMALL_SET) {
		for (i = 0; i < t->set.n; i++) {
			if (t->small[i].len == n &&
			    memcmp(t->small[i].data, p, n) == 0) {
				*id = i;
				return 1;
			}
		}
		return 0;
	}
	return prep_strset_lookup(&t->set, p, n, 0, id, NULL) == PREP_OK;
}

/* The set is complete: copy the keys of a small one. */
static void
set_seal(struct lookup *t)
{
	size_t i;

	for (i = 0; i < t->set.n && i < SMALL_SET; i++) {
		/* an empty key may have no arena to point into */
		if (t->set.at[i].len == 0) {
			t->small[i].data = "";
			t->small[i].len = 0;
		} else
			t->small[i] = prep_strset_key(&t->set, i);
	}
}

static struct lookup *
set_new(void)
{
	struct lookup *t = calloc(1, sizeof *t);

	if (t)
		prep_strset_init(&t->set, 0);
	return t;
}

static void
set_delete(struct lookup *t)
{
	if (t) {
		prep_strset_free(&t->set);
		free(t);
	}
}

static prep_strset *
keyset_new(size_t max)
{
	prep_strset *set = malloc(sizeof *set);

	if (set)
		prep_strset_init(set, max);
	return set;
}

static void
keyset_delete(prep_strset *set)
{
	if (set) {
		prep_strset_free(set);
		free(set);
	}
}

/* ---- calendar ---- */

/*
 * Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar:
 * days_from_civil() of Howard Hinnant, "chrono-Compatible Low-Level Date
 * Algorithms" (2013), http://howardhinnant.github.io/date_algorithms.html.
 */
static int64_t
days_from_civil(int64_t y, int m, int d)
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
static int
date_ok(long y, int m, int d)
{
	prep_date date = {(int)y, m, d};

	return y >= 1 && y <= 9999 && prep_date_valid(&date);
}

static int
time_ok(int h, int mi, int s)
{
	return h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && s >= 0 && s <= 59;
}

/* The value of the n ASCII digits at p, or -1. */
static long
digits(const char *p, size_t n)
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
static int
iso_date(const char *p, int64_t *days)
{
	long y = digits(p, 4), m = digits(p + 5, 2), d = digits(p + 8, 2);

	if (p[4] != '-' || p[7] != '-' || y < 0 || m < 0 || d < 0 ||
	    !date_ok(y, (int)m, (int)d))
		return 0;
	*days = days_from_civil(y, (int)m, (int)d);
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
	h = digits(p, 2);
	mi = digits(p + 3, 2);
	s = digits(p + 6, 2);
	if (h < 0 || mi < 0 || s < 0 || !time_ok((int)h, (int)mi, (int)s))
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
	oh = digits(p + 1, 2);
	om = digits(p + 4, 2);
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
static int
iso_datetime(const char *p, size_t n, struct value *v)
{
	int64_t days, sec;
	int32_t ns;
	size_t used;
	long off;

	if (n < 19 || p[10] != 'T' || !iso_date(p, &days) ||
	    !iso_time(p + 11, n - 11, &used, &sec, &ns) ||
	    !iso_zone(p + 11 + used, n - 11 - used, &off))
		return 0;
	v->i = days * 86400 + sec - off;
	v->ns = ns;
	return 1;
}

/*
 * hh:mm:ss[.f][Z|+hh:mm|-hh:mm]: seconds since midnight UTC, a time
 * without a zone being taken as UTC (so 10:00:00+02:00 is 08:00:00Z, and
 * 01:00:00+02:00 is -3600: times are compared as instants of one day).
 */
static int
iso_time_zoned(const char *p, size_t n, struct value *v)
{
	size_t used;
	long off;

	if (!iso_time(p, n, &used, &v->i, &v->ns) ||
	    !iso_zone(p + used, n - used, &off))
		return 0;
	v->i -= off;
	return 1;
}

/*
 * Read p[0..n) with the field's strptime(3) pattern in the C locale; 1
 * when the whole text was read. Fields strptime leaves alone stay at
 * 1900-01-01 00:00:00 +00:00. White space is refused unless the pattern
 * has some (glibc skips it before numbers).
 */
static int
read_tm(prep_schema *s, const struct field *fl, const char *p, size_t n,
	struct tm *tm, prep_status *st)
{
	const char *end;
	locale_t old;
	size_t i;

	if (!fl->tfmt_space)
		for (i = 0; i < n; i++)
			if (is_space(p[i]))
				return 0;
	if (memchr(p, '\0', n))
		return 0;
	prep_buf_reset(&s->scratch);
	if ((*st = prep_buf_append(&s->scratch, p, n)) != PREP_OK)
		return 0;
	memset(tm, 0, sizeof *tm);
	tm->tm_mday = 1;
	old = uselocale(s->cloc);
	end = strptime(s->scratch.data, fl->tfmt, tm);
	uselocale(old);
	return end != NULL && *end == '\0';
}

/* ---- numbers ---- */

/*
 * An integer: an optional sign and ASCII digits, of any length (Table
 * Schema sets no bound). Within int64 it is v->i; past it, v->big and
 * v->bign hold its digits without leading zeros and v->i its sign. 1 when
 * it is an integer, 0 when not.
 */
static int
read_integer(const char *p, size_t n, struct value *v)
{
	prep_status st = prep_parse_int64(p, n, &v->i);
	size_t i = 0;

	if (st == PREP_OK)
		return 1;
	if (st != PREP_ERR_RANGE)
		return 0;
	/* the syntax is good and the magnitude past 2^63 - 1 */
	v->i = 1;
	if (p[0] == '+' || p[0] == '-') {
		v->i = p[0] == '-' ? -1 : 1;
		i = 1;
	}
	while (i < n && p[i] == '0')
		i++;
	v->big = p + i;
	v->bign = n - i;
	return 1;
}

/* Text p[0..n) equals the ASCII word w, letter case aside. */
static int
word_eq(const char *p, size_t n, const char *w)
{
	size_t i;

	if (strlen(w) != n)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (c != (unsigned char)w[i])
			return 0;
	}
	return 1;
}

/*
 * A number: [sign] digits [. [digits]] | [sign] . digits, then an
 * optional [eE] [sign] digits; or "NaN", "INF", "-INF" in any letter case
 * (Table Schema: "case need not be respected").
 * The value is m * 10^e computed exactly when m <= 2^53 and |e| <= 22,
 * both factors being exact doubles (W. D. Clinger, "How to read floating
 * point numbers accurately", PLDI 1990), else by strtod(3) in the C
 * locale. Overflow gives an infinity, as strtod does. 1 when it is a
 * number, 0 when not, -1 on memory failure (*st).
 */
static int
read_number(prep_schema *s, const char *p, size_t n, double *v, prep_status *st)
{
	static const double p10[23] = {1e0,  1e1,  1e2,	 1e3,  1e4,  1e5,
				       1e6,  1e7,  1e8,	 1e9,  1e10, 1e11,
				       1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
				       1e18, 1e19, 1e20, 1e21, 1e22};
	uint64_t m = 0;
	long e10 = 0, ex = 0;
	size_t i = 0, nd = 0, sig = 0;
	int neg = 0, exact = 1, frac = 0, eneg = 0;
	locale_t old;
	char *end;

	if (word_eq(p, n, "nan")) {
		*v = NAN;
		return 1;
	}
	if (word_eq(p, n, "inf")) {
		*v = INFINITY;
		return 1;
	}
	if (n == 4 && p[0] == '-' && word_eq(p + 1, 3, "inf")) {
		*v = -INFINITY;
		return 1;
	}
	if (n > 0 && (p[0] == '+' || p[0] == '-')) {
		neg = p[0] == '-';
		i = 1;
	}
	for (;; i++) {
		if (i < n && p[i] == '.' && !frac) {
			frac = 1;
			continue;
		}
		if (i >= n || !prep_is_digit(p[i]))
			break;
		nd++;
		if (m == 0 && p[i] == '0') {
			if (frac)
				e10--;
		} else if (sig < 19) {
			m = m * 10 + (uint64_t)(p[i] - '0');
			sig++;
			if (frac)
				e10--;
		} else {
			if (!frac)
				e10++;
			if (p[i] != '0')
				exact = 0;
		}
	}
	if (nd == 0)
		return 0;
	if (i < n && (p[i] == 'e' || p[i] == 'E')) {
		i++;
		if (i < n && (p[i] == '+' || p[i] == '-'))
			eneg = p[i++] == '-';
		if (i == n || !prep_is_digit(p[i]))
			return 0;
		for (; i < n && prep_is_digit(p[i]); i++)
			if (ex < 100000)
				ex = ex * 10 + (p[i] - '0');
		if (eneg)
			ex = -ex;
	}
	if (i != n)
		return 0;
	e10 += ex;
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
	if (m == 0) {
		*v = neg ? -0.0 : 0.0;
		return 1;
	}
	if (exact && m <= ((uint64_t)1 << 53) && e10 >= -22 && e10 <= 22) {
		*v = e10 >= 0 ? (double)m * p10[e10] : (double)m / p10[-e10];
		if (neg)
			*v = -*v;
		return 1;
	}
#else
	(void)p10;
	(void)exact;
#endif
	prep_buf_reset(&s->scratch);
	if ((*st = prep_buf_append(&s->scratch, p, n)) != PREP_OK)
		return -1;
	old = uselocale(s->cloc);
	*v = strtod(s->scratch.data, &end);
	uselocale(old);
	return end == s->scratch.data + n;
}

/* ---- string formats ---- */

/*
 * Bytes of an e-mail address by class: EM_ATEXT, the atext of RFC 5322
 * 3.2.3 (letters, digits, !#$%&'*+-/=?^_`{|}~) plus any non-ASCII byte
 * (RFC 6531); EM_LABEL, a domain label's letters, digits, '-' and
 * non-ASCII bytes (internationalized names, RFC 5890).
 */
#define EM_ATEXT 1
#define EM_LABEL 2
static const unsigned char email_class[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 3, 0, 1,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 1, 0, 1, 0, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 1, 1,
    1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 1, 1, 1, 1, 0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
};

/*
 * A practical e-mail address: a dot-atom local part of at most 64 bytes
 * (RFC 5322 3.2.3, RFC 5321 4.5.3.1.1), '@', and a domain of at least two
 * dot-separated labels of letters, digits, hyphens (not first or last)
 * or non-ASCII bytes, 1 to 63 bytes each, 253 in all. No quoted local
 * parts, no address literals.
 */
static int
is_email(const unsigned char *p, size_t n)
{
	const unsigned char *at = memchr(p, '@', n), *d;
	size_t ln, dn, i, lab = 0, nlab = 0;

	if (at == NULL)
		return 0;
	ln = (size_t)(at - p);
	d = at + 1;
	dn = n - ln - 1;
	if (ln == 0 || ln > 64 || dn == 0 || dn > 253)
		return 0;
	if (p[0] == '.' || p[ln - 1] == '.')
		return 0;
	for (i = 0; i < ln; i++) {
		if (p[i] == '.' ? p[i + 1] == '.'
				: !(email_class[p[i]] & EM_ATEXT))
			return 0;
	}
	for (i = 0; i <= dn; i++) {
		if (i == dn || d[i] == '.') {
			if (lab == 0 || lab > 63 || d[i - 1] == '-')
				return 0;
			lab = 0;
			nlab++;
			continue;
		}
		if (!(email_class[d[i]] & EM_LABEL) ||
		    (d[i] == '-' && lab == 0))
			return 0;
		lab++;
	}
	return nlab >= 2;
}

/*
 * A URI: an RFC 3986 scheme, ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ),
 * then ':' and at least one more byte; no white space or control
 * characters anywhere.
 */
static int
is_uri(const unsigned char *p, size_t n)
{
	size_t i;

	if (n == 0 || !is_alpha(p[0]))
		return 0;
	for (i = 1; i < n && p[i] != ':'; i++)
		if (!(is_alpha(p[i]) || prep_is_digit(p[i]) || p[i] == '+' ||
		      p[i] == '-' || p[i] == '.'))
			return 0;
	if (i + 1 >= n)
		return 0;
	for (i++; i < n; i++)
		if (p[i] <= 0x20 || p[i] == 0x7f)
			return 0;
	return 1;
}

/* A UUID: 8-4-4-4-12 hexadecimal digits, either case (RFC 4122 3). */
static int
is_uuid(const unsigned char *p, size_t n)
{
	size_t i;

	if (n != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (p[i] != '-')
				return 0;
		} else if (!is_xdigit(p[i]))
			return 0;
	}
	return 1;
}

/* ---- reading a value ---- */

/*
 * Read p[0..n) as a value of fl's type into *v: NULL when it is one, else
 * the type error's message. *st becomes PREP_ERR_NOMEM when a copy for
 * strtod or strptime could not be made.
 */
static const char *
read_value(prep_schema *s, const struct field *fl, const char *p, size_t n,
	   struct value *v, prep_status *st)
{
	const unsigned char *u = (const unsigned char *)p;
	struct tm tm;
	size_t id;
	long y;
	int r;

	v->i = 0;
	v->ns = 0;
	v->d = 0;
	v->big = NULL;
	v->bign = 0;
	switch (fl->type) {
	case T_STRING:
		if ((fl->sfmt == SF_EMAIL && !is_email(u, n)) ||
		    (fl->sfmt == SF_URI && !is_uri(u, n)) ||
		    (fl->sfmt == SF_UUID && !is_uuid(u, n)))
			return fl->type_msg;
		return NULL;
	case T_ANY:
		return NULL;
	case T_INTEGER:
		return read_integer(p, n, v) ? NULL : fl->type_msg;
	case T_NUMBER:
		r = read_number(s, p, n, &v->d, st);
		return r > 0 ? NULL : fl->type_msg;
	case T_BOOLEAN:
		if (!set_find(fl->bools, p, n, &id))
			return fl->type_msg;
		v->i = id < fl->ntrue;
		return NULL;
	case T_YEAR:
		if (n != 4 || (y = digits(p, 4)) < 0)
			return fl->type_msg;
		v->i = y;
		return NULL;
	default:
		break;
	}
	if (fl->tfmt == NULL) {
		switch (fl->type) {
		case T_DATE:
			if (n != 10 || !iso_date(p, &v->i))
				return fl->type_msg;
			return NULL;
		case T_DATETIME:
			return iso_datetime(p, n, v) ? NULL : fl->type_msg;
		default: /* T_TIME */
			return iso_time_zoned(p, n, v) ? NULL : fl->type_msg;
		}
	}
	if (!read_tm(s, fl, p, n, &tm, st))
		return fl->type_msg;
	y = tm.tm_year + 1900L;
	if (fl->type != T_TIME) {
		if (!date_ok(y, tm.tm_mon + 1, tm.tm_mday))
			return fl->type_msg;
		v->i = days_from_civil(y, tm.tm_mon + 1, tm.tm_mday);
	}
	if (fl->type != T_DATE) {
		if (!time_ok(tm.tm_hour, tm.tm_min, tm.tm_sec))
			return fl->type_msg;
		if (fl->type == T_TIME)
			v->i = 0;
		else /* tm_gmtoff: set by %z (glibc, BSD) */
			v->i = v->i * 86400 - tm.tm_gmtoff;
		v->i += tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
	}
	return NULL;
}

/*
 * The canonical key of a value (see the top of the file) in *key and
 * *klen; buf has room for 16 bytes. An integer past int64 is keyed by its
 * sign ("-" or nothing) and digits, at least 19 bytes, so that it can't
 * be taken for an int64's 8; that key is built in s->bigkey and is valid
 * until the next call. PREP_ERR_NOMEM (or PREP_ERR_LIMIT) when it can't.
 */
static prep_status
value_key(prep_schema *s, const struct field *fl, const char *cell,
	  size_t len, const struct value *v, unsigned char *buf,
	  const void **key, size_t *klen)
{
	static const uint64_t nan_bits = 0x7ff8000000000000ULL;
	prep_status st = PREP_OK;
	double d;

	*key = buf;
	switch (fl->type) {
	case T_STRING:
	case T_ANY:
		*key = cell;
		*klen = len;
		return PREP_OK;
	case T_NUMBER:
		d = v->d;
		if (d == 0)
			d = 0.0;
		if (isnan(d))
			memcpy(buf, &nan_bits, 8);
		else
			memcpy(buf, &d, 8);
		*klen = 8;
		return PREP_OK;
	case T_BOOLEAN:
		buf[0] = (unsigned char)v->i;
		*klen = 1;
		return PREP_OK;
	case T_DATETIME:
	case T_TIME:
		memcpy(buf, &v->i, 8);
		memcpy(buf + 8, &v->ns, 4);
		*klen = 12;
		return PREP_OK;
	default:
		break;
	}
	if (v->big == NULL) {
		memcpy(buf, &v->i, 8);
		*klen = 8;
		return PREP_OK;
	}
	prep_buf_reset(&s->bigkey);
	if (v->i < 0)
		st = prep_buf_append_byte(&s->bigkey, '-');
	if (st == PREP_OK)
		st = prep_buf_append(&s->bigkey, v->big, v->bign);
	if (st != PREP_OK)
		return st;
	*key = s->bigkey.data;
	*klen = s->bigkey.len;
	return PREP_OK;
}

/*
 * -1, 0, 1 as integer a is below, equal to, above b, one of them past
 * int64: such a value is beyond every int64 on its side of zero.
 */
static int
big_cmp(const struct value *a, const struct value *b)
{
	int r;

	if (b->big == NULL)
		return a->i > 0 ? 1 : -1;
	if (a->big == NULL)
		return b->i > 0 ? -1 : 1;
	if (a->i != b->i)
		return a->i < b->i ? -1 : 1;
	if (a->bign != b->bign)
		r = a->bign < b->bign ? -1 : 1;
	else
		r = memcmp(a->big, b->big, a->bign);
	r = r < 0 ? -1 : r > 0;
	return a->i > 0 ? r : -r;
}

/* -1, 0, 1 as a is below, equal to, above b; 2 when unordered (NaN). */
static int
value_cmp(const struct field *fl, const struct value *a, const struct value *b)
{
	if (fl->type == T_NUMBER) {
		if (a->d < b->d)
			return -1;
		if (a->d > b->d)
			return 1;
		return a->d == b->d ? 0 : 2;
	}
	if (a->big || b->big)
		return big_cmp(a, b);
	if (a->i != b->i)
		return a->i < b->i ? -1 : 1;
	if (a->ns != b->ns)
		return a->ns < b->ns ? -1 : 1;
	return 0;
}

/*
 * The first constraint the (present, well-typed) value breaks, in the
 * order of schema.h, unique excepted; NULL when none. *st is set when a
 * key can't be built (no memory).
 */
static const char *
check_constraints(prep_schema *s, struct field *fl, const char *c, size_t n,
		  const struct value *v, prep_status *st)
{
	unsigned char kb[16];
	const void *key;
	size_t nch = 0, klen, id;
	int valid = 1, r;

	if (fl->cons & (C_MINLENGTH | C_MAXLENGTH | C_PATTERN)) {
		valid = prep_utf8_count(c, n, &nch) == PREP_OK;
		if (fl->cons & C_MINLENGTH) {
			if (!valid)
				return MSG_BAD_UTF8;
			if (nch < fl->minlen)
				return fl->msg[M_MINLENGTH];
		}
		if (fl->cons & C_MAXLENGTH) {
			if (!valid)
				return MSG_BAD_UTF8;
			if (nch > fl->maxlen)
				return fl->msg[M_MAXLENGTH];
		}
		if (fl->cons & C_PATTERN) {
			if (!valid)
				return MSG_PATTERN;
			/* valid UTF-8: no need for PCRE2 to check it */
			if (fl->jit)
				r = pcre2_jit_match(fl->re, (PCRE2_SPTR)c, n, 0,
						    0, fl->md, s->mctx);
			else
				r = pcre2_match(fl->re, (PCRE2_SPTR)c, n, 0,
						PCRE2_NO_UTF_CHECK, fl->md,
						s->mctx);
			if (r == PCRE2_ERROR_NOMATCH)
				return MSG_PATTERN;
			if (r < 0)
				return MSG_PATTERN_LIMIT;
		}
	}
	if (fl->cons & (C_MINIMUM | C_MAXIMUM | C_XMINIMUM | C_XMAXIMUM)) {
		if ((fl->cons & C_MINIMUM) &&
		    (r = value_cmp(fl, v, &fl->bound[B_MINIMUM])) != 0 &&
		    r != 1)
			return fl->msg[B_MINIMUM];
		if ((fl->cons & C_MAXIMUM) &&
		    (r = value_cmp(fl, v, &fl->bound[B_MAXIMUM])) != 0 &&
		    r != -1)
			return fl->msg[B_MAXIMUM];
		if ((fl->cons & C_XMINIMUM) &&
		    value_cmp(fl, v, &fl->bound[B_XMINIMUM]) != 1)
			return fl->msg[B_XMINIMUM];
		if ((fl->cons & C_XMAXIMUM) &&
		    value_cmp(fl, v, &fl->bound[B_XMAXIMUM]) != -1)
			return fl->msg[B_XMAXIMUM];
	}
	if (fl->cons & C_ENUM) {
		if ((*st = value_key(s, fl, c, n, v, kb, &key, &klen)) !=
		    PREP_OK)
			return NULL;
		if (!set_find(fl->enumset, key, klen, &id))
			return MSG_ENUM;
	}
	return NULL;
}

static int
is_missing(prep_schema *s, const char *c, size_t n)
{
	size_t id;

	if (s->missing_empty_only)
		return n == 0;
	return set_find(&s->missing, c, n, &id);
}

int
prep_schema_is_missing(prep_schema *s, const char *p, size_t n)
{
	if (s == NULL)
		return n == 0;
	return is_missing(s, p ? p : "", n);
}

/* ---- checking a row ---- */

prep_status
prep_schema_check_row(prep_schema *s, const prep_field *f, size_t n,
		      prep_schema_issue *issues, size_t *nissues)
{
	unsigned char kb[16], *o;
	const void *key;
	struct field *fl;
	struct value v;
	const char *c, *msg;
	prep_field kf;
	prep_status st = PREP_OK;
	size_t i, k = 0, m, klen, id, need;
	int added;

	if (nissues)
		*nissues = 0;
	if (s == NULL || issues == NULL || nissues == NULL ||
	    (n > 0 && f == NULL))
		return PREP_ERR_ARG;
	m = n < s->nfields ? n : s->nfields;
	for (i = 0; i < m; i++) {
		fl = &s->fields[i];
		c = f[i].data ? f[i].data : "";
		s->ok[i] = 0;
		if (f[i].data == NULL && f[i].len > 0) {
			st = PREP_ERR_ARG;
			goto out;
		}
		if (is_missing(s, c, f[i].len)) {
			if (fl->cons & C_REQUIRED) {
				issues[k].field = i;
				issues[k].code = PREP_SCHEMA_CONSTRAINT_ERROR;
				issues[k++].message = MSG_REQUIRED;
			}
			continue;
		}
		msg = read_value(s, fl, c, f[i].len, &v, &st);
		if (st != PREP_OK)
			goto out;
		if (msg) {
			issues[k].field = i;
			issues[k].code = PREP_SCHEMA_TYPE_ERROR;
			issues[k++].message = msg;
			continue;
		}
		msg = NULL;
		if (fl->cons & ~(unsigned)(C_REQUIRED | C_UNIQUE))
			msg = check_constraints(s, fl, c, f[i].len, &v, &st);
		if (st != PREP_OK)
			goto out;
		if (msg) {
			issues[k].field = i;
			issues[k].code = PREP_SCHEMA_CONSTRAINT_ERROR;
			issues[k++].message = msg;
			continue;
		}
		if (fl->pk) {
			s->vals[i] = v;
			s->ok[i] = 1;
		}
		if (fl->uniq) {
			st = value_key(s, fl, c, f[i].len, &v, kb, &key, &klen);
			if (st == PREP_OK)
				st = prep_strset_lookup(fl->uniq, key, klen, 1,
							&id, &added);
			if (st != PREP_OK)
				goto out;
			if (!added) {
				issues[k].field = i;
				issues[k].code = PREP_SCHEMA_UNIQUE_ERROR;
				issues[k++].message = MSG_UNIQUE;
			}
		}
	}
	/* A field without a cell (a short record) is missing. */
	for (i = m; i < s->nfields; i++) {
		s->ok[i] = 0;
		if (s->fields[i].cons & C_REQUIRED) {
			issues[k].field = i;
			issues[k].code = PREP_SCHEMA_CONSTRAINT_ERROR;
			issues[k++].message = MSG_REQUIRED;
		}
	}
	if (s->npk == 0)
		goto out;
	for (i = 0, need = 0; i < s->npk; i++) {
		if (s->pk[i] >= m || !s->ok[s->pk[i]])
			goto out;
		need += f[s->pk[i]].len + PREP_TUPLE_OVERHEAD;
	}
	prep_buf_reset(&s->tuple);
	if ((st = prep_buf_reserve(&s->tuple, need)) != PREP_OK)
		goto out;
	o = (unsigned char *)s->tuple.data;
	for (i = 0; i < s->npk; i++) {
		fl = &s->fields[s->pk[i]];
		c = f[s->pk[i]].data ? f[s->pk[i]].data : "";
		st = value_key(s, fl, c, f[s->pk[i]].len, &s->vals[s->pk[i]],
			       kb, &key, &kf.len);
		if (st != PREP_OK)
			goto out;
		kf.data = key;
		o = prep_tuple_put(o, &kf);
	}
	st = prep_strset_lookup(s->pkset, s->tuple.data,
				(size_t)(o - (unsigned char *)s->tuple.data), 1,
				&id, &added);
	if (st == PREP_OK && !added) {
		issues[k].field = PREP_SCHEMA_ROW;
		issues[k].code = PREP_SCHEMA_PRIMARY_KEY_ERROR;
		issues[k++].message = s->pk_msg;
	}
out:
	*nissues = k;
	return st;
}

void
prep_schema_set_max_keys(prep_schema *s, size_t max_keys)
{
	size_t i, max = max_keys ? max_keys : SIZE_MAX;

	if (s == NULL)
		return;
	s->max_keys = max_keys;
	for (i = 0; i < s->nfields; i++)
		if (s->fields[i].uniq)
			s->fields[i].uniq->max = max;
	if (s->pkset)
		s->pkset->max = max;
}

size_t
prep_schema_nnotes(const prep_schema *s)
{
	return s ? s->nnotes : 0;
}

const char *
prep_schema_note(const prep_schema *s, size_t i)
{
	if (s == NULL || i >= s->nnotes)
		return NULL;
	return s->notes.data + s->note_off[i];
}

size_t
prep_schema_nfields(const prep_schema *s)
{
	return s ? s->nfields : 0;
}

const char *
prep_schema_field_name(const prep_schema *s, size_t i, size_t *len)
{
	if (s == NULL || i >= s->nfields) {
		if (len)
			*len = 0;
		return NULL;
	}
	if (len)
		*len = s->fields[i].name_len;
	return s->names.data + s->fields[i].name_off;
}

void
prep_schema_free(prep_schema *s)
{
	struct field *fl;
	size_t i, j;

	if (s == NULL)
		return;
	for (i = 0; i < s->nfields; i++) {
		fl = &s->fields[i];
		free(fl->tfmt);
		pcre2_match_data_free(fl->md);
		pcre2_code_free(fl->re);
		set_delete(fl->bools);
		set_delete(fl->enumset);
		keyset_delete(fl->uniq);
		free(fl->own_type_msg);
		for (j = 0; j < NBOUNDS + 2; j++)
			free(fl->msg[j]);
		for (j = 0; j < NBOUNDS; j++)
			free(fl->bigbound[j]);
	}
	free(s->fields);
	prep_buf_free(&s->names);
	prep_strset_free(&s->missing.set);
	free(s->pk);
	keyset_delete(s->pkset);
	free(s->pk_msg);
	if (s->cloc != (locale_t)0)
		freelocale(s->cloc);
	pcre2_match_context_free(s->mctx);
	pcre2_jit_stack_free(s->jit);
	prep_buf_free(&s->scratch);
	prep_buf_free(&s->bigkey);
	prep_buf_free(&s->tuple);
	prep_buf_free(&s->notes);
	free(s->note_off);
	free(s->vals);
	free(s->ok);
	free(s);
}

/* ---- loading ---- */

struct loader {
	prep_schema *s;
	prep_schema_error *err;
	prep_strset names; /* field name -> index */
	json_t *fields;
};

/* A schema error at path (printf-style text); PREP_ERR_VALUE. */
static prep_status
bad(struct loader *L, const char *path, const char *fmt, ...)
{
	va_list ap;

	snprintf(L->err->path, sizeof L->err->path, "%s", path);
	va_start(ap, fmt);
	vsnprintf(L->err->text, sizeof L->err->text, fmt, ap);
	va_end(ap);
	return PREP_ERR_VALUE;
}

/* A malloc'd printf-style message, or NULL. */
static char *
msgf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return strdup(buf);
}

static int
key_in(const char *key, const char *const *keys)
{
	for (; keys && *keys; keys++)
		if (strcmp(key, *keys) == 0)
			return 1;
	return 0;
}

static unsigned char
ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* key equals one of keys, ASCII letter case aside. */
static int
key_in_anycase(const char *key, const char *const *keys)
{
	const char *a, *b;

	for (; keys && *keys; keys++) {
		for (a = key, b = *keys;
		     *a && ascii_lower((unsigned char)*a) ==
			       ascii_lower((unsigned char)*b);
		     a++, b++)
			;
		if (*a == '\0' && *b == '\0')
			return 1;
	}
	return 0;
}

/* title and description, plain or with a language tag ("title@fr"). */
static int
is_text_annotation(const char *key)
{
	return strcmp(key, "title") == 0 || strcmp(key, "description") == 0 ||
	       strncmp(key, "title@", 6) == 0 ||
	       strncmp(key, "description@", 12) == 0;
}

/* Remember path as a key accepted and not used: control bytes as '?'. */
static prep_status
add_note(struct loader *L, const char *path)
{
	prep_schema *s = L->s;
	size_t at = s->notes.len, i, *no;
	prep_status st;

	if (s->nnotes == s->note_cap) {
		size_t cap = s->note_cap ? 2 * s->note_cap : 16;

		if ((no = realloc(s->note_off, cap * sizeof *no)) == NULL)
			return PREP_ERR_NOMEM;
		s->note_off = no;
		s->note_cap = cap;
	}
	if ((st = prep_buf_append(&s->notes, path, strlen(path) + 1)))
		return st == PREP_ERR_LIMIT ? PREP_ERR_NOMEM : st;
	for (i = at; i + 1 < s->notes.len; i++)
		if ((unsigned char)s->notes.data[i] < 0x20 ||
		    s->notes.data[i] == 0x7f)
			s->notes.data[i] = '?';
	s->note_off[s->nnotes++] = at;
	return PREP_OK;
}

/*
 * Check the keys of a schema object (the schema, a field, constraints).
 * Keys in used are the caller's to read. A key in refused would change
 * what is valid in a way validate does not implement: an error, as is,
 * when annotations is 0 (constraints), any key not in used. Otherwise
 * any other key is an annotation Table Schema allows ("$schema",
 * "rdfType", "example", "title@fr", a publisher's own): accepted and
 * noted, except one that differs from a used or refused key only by
 * letter case ("Constraints"), a typo that would drop a check unseen.
 * title and description, with or without a language tag, must be
 * strings.
 */
static prep_status
check_keys(struct loader *L, json_t *obj, const char *const *used,
	   const char *const *refused, int annotations, const char *prefix)
{
	char path[160], q[QUOTE_MAX + 4];
	const char *key;
	prep_status st;
	json_t *val;

	json_object_foreach(obj, key, val)
	{
		snprintf(path, sizeof path, "%s%s%s", prefix,
			 *prefix ? "." : "", clip(q, sizeof q, key));
		if (key_in(key, used))
			continue;
		if (!annotations || key_in(key, refused) ||
		    key_in_anycase(key, used) || key_in_anycase(key, refused))
			return bad(L, path, "key '%s' is not supported",
				   clip(q, sizeof q, key));
		if (is_text_annotation(key) && !json_is_string(val))
			return bad(L, path, "'%s' must be a string",
				   clip(q, sizeof q, key));
		if ((st = add_note(L, path)) != PREP_OK)
			return st;
	}
	return PREP_OK;
}

/*
 * A JSON number as JSON writes it (jansson keeps no source text): the
 * integer, a whole real without exponent, or the shortest %g that reads
 * back the same double.
 */
static void
number_text(prep_schema *s, json_t *j, char *buf, size_t cap)
{
	locale_t old;
	double d, r;
	int prec;

	if (json_is_integer(j)) {
		snprintf(buf, cap, "%" JSON_INTEGER_FORMAT,
			 json_integer_value(j));
		return;
	}
	d = json_real_value(j);
	old = uselocale(s->cloc);
	if (d == floor(d) && fabs(d) < 1e15) {
		snprintf(buf, cap, "%.0f", d); /* 1e3 -> 1000 */
		uselocale(old);
		return;
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, cap, "%.*g", prec, d);
		r = strtod(buf, NULL);
		if (r == d)
			break;
	}
	uselocale(old);
}

/*
 * Read the JSON value j (a bound, an enum entry) as a value of fl's
 * type: a string in the field's format; for integer and year also a JSON
 * integer, for number a JSON number, for boolean true or false. What it
 * says in *text (for messages, cap bytes), the string in *str (or NULL).
 */
static prep_status
json_value(struct loader *L, struct field *fl, json_t *j, const char *path,
	   const char *what, struct value *v, char *text, size_t cap,
	   const char **str)
{
	prep_status st = PREP_OK;
	const char *msg;
	*str = NULL;
	memset(v, 0, sizeof *v);
	if (json_is_string(j)) {
		*str = json_string_value(j);
		snprintf(text, cap, "%s", *str);
		msg = read_value(L->s, fl, *str, json_string_length(j), v, &st);
		if (st != PREP_OK)
			return st;
		if (msg)
			return bad(L, path, "%s: %s", what, msg);
		return PREP_OK;
	}
	switch (fl->type) {
	case T_INTEGER:
	case T_YEAR:
		if (json_is_real(j))
			return bad(L, path, "%s: not an integer", what);
		if (!json_is_integer(j))
			break;
		v->i = (int64_t)json_integer_value(j);
		number_text(L->s, j, text, cap);
		return PREP_OK;
	case T_NUMBER:
		if (!json_is_number(j))
			break;
		v->d = json_number_value(j);
		number_text(L->s, j, text, cap);
		return PREP_OK;
	case T_BOOLEAN:
		if (!json_is_boolean(j))
			break;
		v->i = json_is_true(j);
		snprintf(text, cap, "%s", v->i ? "true" : "false");
		return PREP_OK;
	default:
		break;
	}
	switch (fl->type) {
	case T_INTEGER:
	case T_YEAR:
		return bad(L, path, "%s must be an integer or a string", what);
	case T_NUMBER:
		return bad(L, path, "%s must be a number or a string", what);
	case T_BOOLEAN:
		return bad(L, path, "%s must be true, false or a string", what);
	default:
		return bad(L, path, "%s must be a string", what);
	}
}

/* Whether constraint key applies to type t (as Frictionless has it). */
static int
constraint_applies(const char *key, enum ftype t)
{
	if (strcmp(key, "required") == 0 || strcmp(key, "unique") == 0 ||
	    strcmp(key, "enum") == 0)
		return 1;
	if (strcmp(key, "minLength") == 0 || strcmp(key, "maxLength") == 0 ||
	    strcmp(key, "pattern") == 0)
		return t == T_STRING;
	/* the bounds */
	return t == T_INTEGER || t == T_NUMBER || t == T_DATE ||
	       t == T_DATETIME || t == T_TIME || t == T_YEAR;
}

/* Conversions strptime(3) may use in a date, datetime or time format:
 * POSIX's, and glibc's %F and %z (%s and %Z depend on the time zone). */
static int
check_tfmt(struct loader *L, const char *path, const char *f)
{
	char q[QUOTE_MAX + 4];
	const char *p;

	for (p = f; *p; p++) {
		if (*p != '%')
			continue;
		p++;
		if (*p == 'E' || *p == 'O')
			p++;
		if (*p == '\0' ||
		    strchr("aAbBcCdDeFhHIjmMnprRStTUwWxXyYz%", *p) == NULL)
			return bad(L, path,
				   "format '%s': conversion '%%%c' is not "
				   "supported",
				   clip(q, sizeof q, f), *p ? *p : ' ');
	}
	return PREP_OK;
}

/* The field's format (key "format") and its type-error message. */
static prep_status
load_format(struct loader *L, struct field *fl, size_t i, json_t *fj)
{
	static const char *const iso[NTYPES] = {
	    [T_DATE] = "not a date in the format YYYY-MM-DD",
	    [T_DATETIME] = "not a datetime in the format YYYY-MM-DDThh:mm:ss",
	    [T_TIME] = "not a time in the format hh:mm:ss"};
	json_t *j = json_object_get(fj, "format");
	char path[160], q[QUOTE_MAX + 4];
	const char *f = "default", *pat;
	const char *p;
	prep_status st;

	snprintf(path, sizeof path, "fields[%zu].format", i);
	if (j != NULL && !json_is_string(j))
		return bad(L, path, "'format' must be a string");
	if (j != NULL)
		f = json_string_value(j);
	switch (fl->type) {
	case T_STRING:
		if (strcmp(f, "default") == 0)
			return PREP_OK;
		if (strcmp(f, "email") == 0) {
			fl->sfmt = SF_EMAIL;
			fl->type_msg = "not a valid email address";
			return PREP_OK;
		}
		if (strcmp(f, "uri") == 0) {
			fl->sfmt = SF_URI;
			fl->type_msg = "not a valid URI";
			return PREP_OK;
		}
		if (strcmp(f, "uuid") == 0) {
			fl->sfmt = SF_UUID;
			fl->type_msg = "not a valid UUID";
			return PREP_OK;
		}
		break;
	case T_DATE:
	case T_DATETIME:
	case T_TIME:
		fl->type_msg = iso[fl->type];
		if (strcmp(f, "default") == 0)
			return PREP_OK;
		pat = strncmp(f, "fmt:", 4) == 0 ? f + 4 : f;
		if (strchr(pat, '%') == NULL)
			break;
		if ((st = check_tfmt(L, path, pat)) != PREP_OK)
			return st;
		if ((fl->tfmt = strdup(pat)) == NULL)
			return PREP_ERR_NOMEM;
		for (p = pat; *p; p++)
			if (is_space(*p))
				fl->tfmt_space = 1;
		fl->own_type_msg =
		    msgf("not a %s in the format %s", type_names[fl->type],
			 clip(q, sizeof q, pat));
		if (fl->own_type_msg == NULL)
			return PREP_ERR_NOMEM;
		fl->type_msg = fl->own_type_msg;
		return PREP_OK;
	default:
		if (strcmp(f, "default") == 0)
			return PREP_OK;
		break;
	}
	return bad(L, path, "format '%s' is not supported for %s",
		   clip(q, sizeof q, f), type_names[fl->type]);
}

/* trueValues then falseValues (Table Schema defaults when absent). */
static prep_status
load_bools(struct loader *L, struct field *fl, size_t i, json_t *fj)
{
	static const char *const defs[2][4] = {
	    {"true", "True", "TRUE", "1"}, {"false", "False", "FALSE", "0"}};
	static const char *const keys[2] = {"trueValues", "falseValues"};
	char path[160], q[QUOTE_MAX + 4];
	const char *str;
	prep_status st;
	size_t list, k, n, id;
	json_t *j, *e;
	int added;

	if ((fl->bools = set_new()) == NULL)
		return PREP_ERR_NOMEM;
	for (list = 0; list < 2; list++) {
		j = json_object_get(fj, keys[list]);
		snprintf(path, sizeof path, "fields[%zu].%s", i, keys[list]);
		if (j != NULL && !json_is_array(j))
			return bad(L, path, "'%s' must be an array of strings",
				   keys[list]);
		n = j ? json_array_size(j) : 4;
		for (k = 0; k < n; k++) {
			str = defs[list][k & 3];
			if (j != NULL) {
				e = json_array_get(j, k);
				snprintf(path, sizeof path,
					 "fields[%zu].%s[%zu]", i, keys[list],
					 k);
				if (!json_is_string(e))
					return bad(L, path,
						   "'%s' must be an array of "
						   "strings",
						   keys[list]);
				str = json_string_value(e);
			}
			st = prep_strset_lookup(&fl->bools->set, str,
						strlen(str), 1, &id, &added);
			if (st != PREP_OK)
				return st;
			if (list == 1 && !added && id < fl->ntrue)
				return bad(L, path,
					   "value '%s' is in both trueValues "
					   "and falseValues",
					   clip(q, sizeof q, str));
		}
		if (list == 0)
			fl->ntrue = fl->bools->set.n;
	}
	set_seal(fl->bools);
	return PREP_OK;
}

/* The pattern constraint: compiled once, anchored at both ends. */
static prep_status
load_pattern(struct loader *L, struct field *fl, const char *path, json_t *j)
{
	prep_schema *s = L->s;
	PCRE2_UCHAR msg[120];
	PCRE2_SIZE off;
	int ec;

	if (!json_is_string(j))
		return bad(L, path, "'pattern' must be a string");
	fl->re = pcre2_compile((PCRE2_SPTR)json_string_value(j),
			       json_string_length(j),
			       PCRE2_UTF | PCRE2_ANCHORED | PCRE2_ENDANCHORED |
				   PCRE2_NEVER_BACKSLASH_C,
			       &ec, &off, NULL);
	if (fl->re == NULL) {
		if (ec == PCRE2_ERROR_HEAP_FAILED)
			return PREP_ERR_NOMEM;
		if (pcre2_get_error_message(ec, msg, sizeof msg) < 0)
			snprintf((char *)msg, sizeof msg, "error %d", ec);
		return bad(L, path, "bad pattern at offset %zu: %s",
			   (size_t)off, (char *)msg);
	}
	/* Without JIT (unsupported CPU) the interpreter is used. */
	fl->jit = pcre2_jit_compile(fl->re, PCRE2_JIT_COMPLETE) == 0;
	if ((fl->md = pcre2_match_data_create(1, NULL)) == NULL)
		return PREP_ERR_NOMEM;
	if (s->mctx == NULL) {
		if ((s->mctx = pcre2_match_context_create(NULL)) == NULL)
			return PREP_ERR_NOMEM;
		/* A pattern that backtracks without end, such as (a+)+$,
		 * gives up on a cell after PREP_PATTERN_MATCH_LIMIT steps
		 * (about 0.2 ms with JIT, 2 ms without) instead of the
		 * default ten million (22 ms and more): the cell is a
		 * constraint-error. */
		pcre2_set_match_limit(s->mctx, PREP_PATTERN_MATCH_LIMIT);
		pcre2_set_depth_limit(s->mctx, PREP_PATTERN_MATCH_LIMIT);
		/* NULL when JIT is not available: the default stack */
		s->jit = pcre2_jit_stack_create((size_t)32 * 1024,
						(size_t)1024 * 1024, NULL);
		if (s->jit)
			pcre2_jit_stack_assign(s->mctx, NULL, s->jit);
	}
	return PREP_OK;
}

/* The enum constraint: a set of the canonical keys of its values. */
static prep_status
load_enum(struct loader *L, struct field *fl, const char *epath, json_t *j)
{
	char path[200], text[64];
	unsigned char kb[16];
	const void *key;
	const char *str;
	struct value v;
	prep_status st;
	size_t k, klen, id;

	if (!json_is_array(j) || json_array_size(j) == 0)
		return bad(L, epath, "'enum' must be a non-empty array");
	if ((fl->enumset = set_new()) == NULL)
		return PREP_ERR_NOMEM;
	for (k = 0; k < json_array_size(j); k++) {
		snprintf(path, sizeof path, "%s[%zu]", epath, k);
		st = json_value(L, fl, json_array_get(j, k), path, "enum value",
				&v, text, sizeof text, &str);
		if (st != PREP_OK)
			return st;
		st = value_key(
		    L->s, fl, str,
		    str ? json_string_length(json_array_get(j, k)) : 0, &v, kb,
		    &key, &klen);
		if (st == PREP_OK)
			st = prep_strset_lookup(&fl->enumset->set, key, klen, 1,
						&id, NULL);
		if (st != PREP_OK)
			return st;
	}
	set_seal(fl->enumset);
	fl->cons |= C_ENUM;
	return PREP_OK;
}

static prep_status
load_constraints(struct loader *L, struct field *fl, size_t i, json_t *cj)
{
	static const char *const keys[] = {"required",
					   "unique",
					   "minimum",
					   "maximum",
					   "exclusiveMinimum",
					   "exclusiveMaximum",
					   "minLength",
					   "maxLength",
					   "pattern",
					   "enum",
					   NULL};
	char prefix[64], path[160], text[QUOTE_MAX + 4], q[QUOTE_MAX + 4];
	const char *key, *str;
	prep_status st;
	json_t *val;
	size_t b;
	unsigned bit;

	snprintf(prefix, sizeof prefix, "fields[%zu].constraints", i);
	if ((st = check_keys(L, cj, keys, NULL, 0, prefix)) != PREP_OK)
		return st;
	json_object_foreach(cj, key, val)
	{
		snprintf(path, sizeof path, "%s.%s", prefix, key);
		if (!constraint_applies(key, fl->type))
			return bad(L, path,
				   "constraint '%s' does not apply to type %s",
				   key, type_names[fl->type]);
		if (strcmp(key, "required") == 0 ||
		    strcmp(key, "unique") == 0) {
			if (!json_is_boolean(val))
				return bad(L, path,
					   "'%s' must be true or false", key);
			bit = key[0] == 'r' ? C_REQUIRED : C_UNIQUE;
			if (json_is_true(val))
				fl->cons |= bit;
			else
				fl->cons &= ~bit;
			continue;
		}
		if (strcmp(key, "minLength") == 0 ||
		    strcmp(key, "maxLength") == 0) {
			b = key[1] == 'i' ? M_MINLENGTH : M_MAXLENGTH;
			if (!json_is_integer(val) ||
			    json_integer_value(val) < 0)
				return bad(L, path,
					   "'%s' must be a non-negative "
					   "integer",
					   key);
			if (b == M_MINLENGTH) {
				fl->minlen = (size_t)json_integer_value(val);
				fl->cons |= C_MINLENGTH;
			} else {
				fl->maxlen = (size_t)json_integer_value(val);
				fl->cons |= C_MAXLENGTH;
			}
			fl->msg[b] =
			    msgf("%s than %s %" JSON_INTEGER_FORMAT,
				 b == M_MINLENGTH ? "shorter" : "longer", key,
				 json_integer_value(val));
			if (fl->msg[b] == NULL)
				return PREP_ERR_NOMEM;
			continue;
		}
		if (strcmp(key, "pattern") == 0) {
			if ((st = load_pattern(L, fl, path, val)) != PREP_OK)
				return st;
			fl->cons |= C_PATTERN;
			continue;
		}
		if (strcmp(key, "enum") == 0) {
			if ((st = load_enum(L, fl, path, val)) != PREP_OK)
				return st;
			continue;
		}
		for (b = 0; b < NBOUNDS; b++)
			if (strcmp(key, bound_keys[b]) == 0)
				break;
		st = json_value(L, fl, val, path, key, &fl->bound[b], text,
				sizeof text, &str);
		if (st != PREP_OK)
			return st;
		if (fl->type == T_NUMBER && isnan(fl->bound[b].d))
			return bad(L, path, "%s may not be NaN", key);
		if (fl->bound[b].big) {
			/* it points into the JSON text, which goes */
			fl->bigbound[b] = malloc(fl->bound[b].bign);
			if (fl->bigbound[b] == NULL)
				return PREP_ERR_NOMEM;
			memcpy(fl->bigbound[b], fl->bound[b].big,
			       fl->bound[b].bign);
			fl->bound[b].big = fl->bigbound[b];
		}
		fl->msg[b] =
		    msgf("%s %s", bound_texts[b], clip(q, sizeof q, text));
		if (fl->msg[b] == NULL)
			return PREP_ERR_NOMEM;
		fl->cons |= C_MINIMUM << b;
	}
	return PREP_OK;
}

static prep_status
load_field(struct loader *L, size_t i, json_t *fj)
{
	static const char *const keys[] = {"name",	 "type",
					   "format",	 "constraints",
					   "trueValues", "falseValues",
					   NULL};
	/* they would change what is valid: number syntax, missing cells,
	 * the values allowed */
	static const char *const refused[] = {
	    "decimalChar", "groupChar", "bareNumber", "missingValues",
	    "categories",  NULL};
	prep_schema *s = L->s;
	struct field *fl = &s->fields[i];
	char prefix[64], path[160], q[QUOTE_MAX + 4];
	const char *name, *type;
	prep_status st;
	json_t *j;
	size_t len, id, t;
	int added;

	snprintf(prefix, sizeof prefix, "fields[%zu]", i);
	if (!json_is_object(fj))
		return bad(L, prefix, "a field must be an object");
	if ((st = check_keys(L, fj, keys, refused, 1, prefix)) != PREP_OK)
		return st;

	snprintf(path, sizeof path, "%s.name", prefix);
	if ((j = json_object_get(fj, "name")) == NULL)
		return bad(L, prefix, "key 'name' is missing");
	if (!json_is_string(j))
		return bad(L, path, "'name' must be a string");
	name = json_string_value(j);
	len = json_string_length(j);
	if (len == 0)
		return bad(L, path, "'name' must not be empty");
	if ((st = prep_strset_lookup(&L->names, name, len, 1, &id, &added)))
		return st;
	if (!added)
		return bad(L, path, "duplicate field name");
	fl->name_off = s->names.len;
	fl->name_len = len;
	if ((st = prep_buf_append(&s->names, name, len + 1)) != PREP_OK)
		return st;

	snprintf(path, sizeof path, "%s.type", prefix);
	fl->type = T_STRING;
	if ((j = json_object_get(fj, "type")) != NULL) {
		if (!json_is_string(j))
			return bad(L, path, "'type' must be a string");
		type = json_string_value(j);
		for (t = 0; t < NTYPES; t++)
			if (strcmp(type, type_names[t]) == 0)
				break;
		if (t == NTYPES)
			return bad(L, path, "type '%s' is not supported",
				   clip(q, sizeof q, type));
		fl->type = (enum ftype)t;
	}
	switch (fl->type) {
	case T_INTEGER:
		fl->type_msg = "not an integer";
		break;
	case T_NUMBER:
		fl->type_msg = "not a number";
		break;
	case T_BOOLEAN:
		fl->type_msg = "not a boolean";
		break;
	case T_YEAR:
		fl->type_msg = "not a year";
		break;
	default:
		fl->type_msg = "not a valid value";
		break;
	}
	if ((st = load_format(L, fl, i, fj)) != PREP_OK)
		return st;

	if (fl->type == T_BOOLEAN) {
		if ((st = load_bools(L, fl, i, fj)) != PREP_OK)
			return st;
	} else {
		for (t = 0; t < 2; t++) {
			type = t ? "falseValues" : "trueValues";
			snprintf(path, sizeof path, "%s.%s", prefix, type);
			if (json_object_get(fj, type))
				return bad(L, path,
					   "key '%s' does not apply to type "
					   "%s",
					   type, type_names[fl->type]);
		}
	}

	if ((j = json_object_get(fj, "constraints")) != NULL) {
		snprintf(path, sizeof path, "%s.constraints", prefix);
		if (!json_is_object(j))
			return bad(L, path, "'constraints' must be an object");
		if ((st = load_constraints(L, fl, i, j)) != PREP_OK)
			return st;
	}
	return PREP_OK;
}

/* missingValues: an array of strings, default [""]. */
static prep_status
load_missing(struct loader *L, json_t *j)
{
	prep_schema *s = L->s;
	char path[64];
	prep_status st;
	size_t i, id;
	json_t *e;

	if (j == NULL) {
		s->missing_empty_only = 1;
		st = prep_strset_lookup(&s->missing.set, "", 0, 1, &id, NULL);
		set_seal(&s->missing);
		return st;
	}
	if (!json_is_array(j))
		return bad(L, "missingValues",
			   "'missingValues' must be an array of strings");
	json_array_foreach(j, i, e)
	{
		snprintf(path, sizeof path, "missingValues[%zu]", i);
		if (!json_is_string(e))
			return bad(L, path,
				   "'missingValues' must be an array of "
				   "strings");
		st = prep_strset_lookup(&s->missing.set, json_string_value(e),
					json_string_length(e), 1, &id, NULL);
		if (st != PREP_OK)
			return st;
	}
	set_seal(&s->missing);
	s->missing_empty_only =
	    s->missing.set.n == 1 && s->missing.small[0].len == 0;
	return PREP_OK;
}

/* primaryKey: a field name or a non-empty array of them. */
static prep_status
load_primary_key(struct loader *L, json_t *j)
{
	prep_schema *s = L->s;
	char path[64], q[QUOTE_MAX + 4];
	const char *name;
	prep_status st;
	prep_buf m;
	size_t n, k, id;
	json_t *e;

	if (json_is_string(j))
		n = 1;
	else if (json_is_array(j) && json_array_size(j) > 0)
		n = json_array_size(j);
	else
		return bad(L, "primaryKey",
			   "'primaryKey' must be a field name or a non-empty "
			   "array of them");
	if ((s->pk = calloc(n, sizeof *s->pk)) == NULL)
		return PREP_ERR_NOMEM;
	for (k = 0; k < n; k++) {
		e = json_is_string(j) ? j : json_array_get(j, k);
		if (json_is_string(j))
			snprintf(path, sizeof path, "primaryKey");
		else
			snprintf(path, sizeof path, "primaryKey[%zu]", k);
		if (!json_is_string(e))
			return bad(L, path,
				   "a primaryKey entry must be a "
				   "field name");
		name = json_string_value(e);
		if (prep_strset_lookup(&L->names, name, json_string_length(e),
				       0, &id, NULL) != PREP_OK)
			return bad(L, path, "primaryKey names no field '%s'",
				   clip(q, sizeof q, name));
		if (s->fields[id].cons & C_PKMARK)
			return bad(L, path, "primaryKey names field '%s' twice",
				   clip(q, sizeof q, name));
		s->fields[id].cons |= C_PKMARK;
		s->pk[k] = id;
	}
	s->npk = n;
	/* the message: "duplicate primary key (a, b)", names clipped */
	prep_buf_init(&m, 240);
	st = prep_buf_append_str(&m, "duplicate primary key (");
	for (k = 0; k < n && st == PREP_OK; k++) {
		name = s->names.data + s->fields[s->pk[k]].name_off;
		if (m.len + QUOTE_MAX + 12 > m.max) {
			st = prep_buf_append_str(&m, ", ...");
			break;
		}
		if (k > 0)
			st = prep_buf_append_str(&m, ", ");
		if (st == PREP_OK)
			st = prep_buf_append_str(&m, clip(q, sizeof q, name));
	}
	if (st == PREP_OK)
		st = prep_buf_append_byte(&m, ')');
	if (st != PREP_OK) {
		prep_buf_free(&m);
		return st == PREP_ERR_LIMIT ? PREP_ERR_NOMEM : st;
	}
	s->pk_msg = m.data;
	for (k = 0; k < n; k++) {
		s->fields[s->pk[k]].cons &= ~(unsigned)C_PKMARK;
		s->fields[s->pk[k]].cons |= C_REQUIRED;
		s->fields[s->pk[k]].pk = 1;
	}
	if ((s->pkset = keyset_new(s->max_keys)) == NULL)
		return PREP_ERR_NOMEM;
	return PREP_OK;
}

static prep_status
load_schema(struct loader *L, json_t *root)
{
	static const char *const keys[] = {"fields", "missingValues",
					   "primaryKey", "fieldsMatch", NULL};
	static const char *const refused[] = {"foreignKeys", "uniqueKeys",
					      NULL};
	char q[QUOTE_MAX + 4];
	prep_schema *s = L->s;
	prep_status st;
	json_t *fields, *j;
	size_t n, i;

	if (!json_is_object(root))
		return bad(L, "", "the schema must be a JSON object");
	if ((st = check_keys(L, root, keys, refused, 1, "")) != PREP_OK)
		return st;
	/* fields are matched to columns by position: "exact" */
	if ((j = json_object_get(root, "fieldsMatch")) != NULL) {
		if (!json_is_string(j))
			return bad(L, "fieldsMatch",
				   "'fieldsMatch' must be a string");
		if (strcmp(json_string_value(j), "exact") != 0)
			return bad(L, "fieldsMatch",
				   "fieldsMatch '%s' is not supported: fields "
				   "are matched to columns by position",
				   clip(q, sizeof q, json_string_value(j)));
	}
	if ((fields = json_object_get(root, "fields")) == NULL)
		return bad(L, "", "key 'fields' is missing");
	if (!json_is_array(fields))
		return bad(L, "fields", "'fields' must be an array");
	n = json_array_size(fields);
	if (n > PREP_SCHEMA_MAX_FIELDS) {
		bad(L, "fields", "more than %zu fields",
		    (size_t)PREP_SCHEMA_MAX_FIELDS);
		return PREP_ERR_LIMIT;
	}
	if ((s->fields = calloc(n ? n : 1, sizeof *s->fields)) == NULL ||
	    (s->vals = calloc(n ? n : 1, sizeof *s->vals)) == NULL ||
	    (s->ok = calloc(n ? n : 1, 1)) == NULL)
		return PREP_ERR_NOMEM;
	s->nfields = n;
	for (i = 0; i < n; i++)
		if ((st = load_field(L, i, json_array_get(fields, i))))
			return st;
	if ((st = load_missing(L, json_object_get(root, "missingValues"))))
		return st;
	if ((j = json_object_get(root, "primaryKey")) != NULL &&
	    (st = load_primary_key(L, j)) != PREP_OK)
		return st;
	for (i = 0; i < n; i++)
		if ((s->fields[i].cons & C_UNIQUE) &&
		    (s->fields[i].uniq = keyset_new(s->max_keys)) == NULL)
			return PREP_ERR_NOMEM;
	return PREP_OK;
}

/*
 * What kind of JSON syntax error je is, in words that quote nothing of the
 * file: jansson's text ends in " near '<up to 20 bytes of the input>'",
 * and a few of its phrases hold a byte of it ("control character 0x1",
 * "unable to decode byte 0xb3"). A file given as a schema by mistake (a
 * key file, a CSV of personal data) must not be shown, so only jansson's
 * fixed phrases are kept, and anything else is named by its error code.
 */
static const char *
json_syntax_phrase(const json_error_t *je)
{
	static const char *const fixed[] = {
	    "'[' or '{' expected",
	    "string or '}' expected",
	    "':' expected",
	    "'}' expected",
	    "']' expected",
	    "invalid token",
	    "unexpected token",
	    "end of file expected",
	    "premature end of input",
	    "unexpected newline",
	    "invalid escape",
	    "too big integer",
	    "too big negative integer",
	    "real number overflow",
	    "duplicate object key",
	    "maximum parsing depth reached",
	};
	const char *near = strstr(je->text, " near ");
	size_t n = near ? (size_t)(near - je->text) : strlen(je->text), i;

	if (json_error_code(je) == json_error_premature_end_of_input)
		return "premature end of input";
	for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		if (strlen(fixed[i]) == n && memcmp(fixed[i], je->text, n) == 0)
			return fixed[i];
	if (strncmp(je->text, "control character", 17) == 0)
		return "control character in a string";
	if (strncmp(je->text, "invalid Unicode", 15) == 0)
		return "invalid Unicode escape";
	switch (json_error_code(je)) {
	case json_error_invalid_utf8:
		return "invalid UTF-8";
	case json_error_end_of_input_expected:
		return "end of file expected";
	case json_error_null_character:
		return "\\u0000 in a string";
	case json_error_null_byte_in_key:
		return "\\u0000 in an object key";
	case json_error_duplicate_key:
		return "duplicate object key";
	case json_error_numeric_overflow:
		return "number too large";
	case json_error_stack_overflow:
		return "maximum parsing depth reached";
	case json_error_invalid_syntax:
		return "invalid syntax";
	default:
		return "syntax error";
	}
}

prep_status
prep_schema_parse(const char *json, size_t len, prep_schema **out,
		  prep_schema_error *err)
{
	prep_schema_error dummy;
	struct loader L;
	json_error_t je;
	prep_schema *s;
	prep_status st;
	json_t *root;

	if (err == NULL)
		err = &dummy;
	memset(err, 0, sizeof *err);
	if (out == NULL || (json == NULL && len > 0))
		return PREP_ERR_ARG;
	*out = NULL;
	if (len > PREP_SCHEMA_MAX_BYTES) {
		snprintf(err->text, sizeof err->text,
			 "schema larger than %zu bytes",
			 (size_t)PREP_SCHEMA_MAX_BYTES);
		return PREP_ERR_LIMIT;
	}
	root = json_loadb(json ? json : "", len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		if (json_error_code(&je) == json_error_out_of_memory)
			return PREP_ERR_NOMEM;
		err->line = je.line > 0 ? je.line : 1;
		err->column = je.column > 0 ? je.column : 1;
		snprintf(err->text, sizeof err->text, "not valid JSON: %s",
			 json_syntax_phrase(&je));
		return PREP_ERR_VALUE;
	}
	if ((s = calloc(1, sizeof *s)) == NULL) {
		json_decref(root);
		return PREP_ERR_NOMEM;
	}
	s->max_keys = DEFAULT_MAX_KEYS;
	prep_buf_init(&s->names, 0);
	prep_buf_init(&s->scratch, 0);
	prep_buf_init(&s->bigkey, 0);
	prep_buf_init(&s->tuple, 0);
	prep_buf_init(&s->notes, 0);
	prep_strset_init(&s->missing.set, 0);
	memset(&L, 0, sizeof L);
	L.s = s;
	L.err = err;
	prep_strset_init(&L.names, 0);
	s->cloc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	st = s->cloc == (locale_t)0 ? PREP_ERR_NOMEM : load_schema(&L, root);
	prep_strset_free(&L.names);
	json_decref(root);
	if (st != PREP_OK) {
		prep_schema_free(s);
		return st;
	}
	*out = s;
	return PREP_OK;
}

prep_status
prep_schema_load(const char *path, prep_schema **out, prep_schema_error *err)
{
	prep_schema_error dummy;
	prep_status st = PREP_OK;
	prep_buf b;
	size_t r, want;
	FILE *fp;
	char c;
	int e;

	if (err == NULL)
		err = &dummy;
	memset(err, 0, sizeof *err);
	if (path == NULL || out == NULL)
		return PREP_ERR_ARG;
	*out = NULL;
	if ((fp = fopen(path, "rb")) == NULL) {
		e = errno;
		snprintf(err->text, sizeof err->text, "cannot open the schema");
		errno = e;
		return PREP_ERR_IO;
	}
	prep_buf_init(&b, PREP_SCHEMA_MAX_BYTES);
	for (;;) {
		if (b.len == b.max) {
			/* one byte more tells a file that is too large */
			if (fread(&c, 1, 1, fp) == 1) {
				st = PREP_ERR_LIMIT;
				snprintf(err->text, sizeof err->text,
					 "schema larger than %zu bytes",
					 (size_t)PREP_SCHEMA_MAX_BYTES);
			}
			break;
		}
		want = b.max - b.len < 65536 ? b.max - b.len : 65536;
		if ((st = prep_buf_reserve(&b, want)) != PREP_OK)
			break;
		r = fread(b.data + b.len, 1, want, fp);
		b.len += r;
		if (r < want)
			break;
	}
	if (st == PREP_OK && ferror(fp)) {
		e = errno;
		snprintf(err->text, sizeof err->text, "cannot read the schema");
		(void)fclose(fp); /* read only: nothing to lose */
		prep_buf_free(&b);
		errno = e;
		return PREP_ERR_IO;
	}
	(void)fclose(fp);
	if (st == PREP_OK)
		st = prep_schema_parse(b.data ? b.data : "", b.len, out, err);
	prep_buf_free(&b);
	return st;
}
