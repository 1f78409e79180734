/*
 * schema_value.c: the values of a Table Schema's types (schema.h) read
 * from a cell's text, and their canonical keys; shared by the loader
 * (schema.c: bounds and enums are values of their field's type) and the
 * row check (schema_check.c).
 *
 * Canonical keys make typed values comparable as bytes: an integer, a
 * year, a date (days since 1970-01-01) or a boolean is its int64 (an
 * integer past int64: its sign and digits), a datetime or time its
 * seconds (UTC) and nanoseconds, a number its double with -0 made 0 and
 * one NaN; strings and `any` are their bytes. Numbers are written least
 * significant byte first whatever the machine, so that the keys of a
 * partial (validate --partial) mean the same wherever they are merged.
 *
 * References beside the code: RFC 3339 / ISO 8601 (dates), RFC 3986 (URI
 * scheme), RFC 4122 (UUID), RFC 5321/5322 (e-mail), H. Hinnant's date
 * algorithms, W. Clinger's fast path for reading decimals; strptime(3)
 * and uselocale(3) for a field's own pattern, in the C locale.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* strptime(3) */
#endif

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "datetime.h"
#include "generalize.h"
#include "schema_value.h"
#include "text.h"

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

/* ---- sets ---- */

/* Find p[0..n) in a sealed set: by comparing when small, else by hash. */
int
prep_schema_set_find(struct lookup *t, const void *p, size_t n, size_t *id)
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
const char *
prep_schema_read_value(prep_schema *s, const struct field *fl, const char *p,
		       size_t n, struct value *v, prep_status *st)
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
		if (!prep_schema_set_find(fl->bools, p, n, &id))
			return fl->type_msg;
		v->i = id < fl->ntrue;
		return NULL;
	case T_YEAR:
		if (n != 4 || (y = prep_digits(p, 4)) < 0)
			return fl->type_msg;
		v->i = y;
		return NULL;
	default:
		break;
	}
	if (fl->tfmt == NULL) {
		switch (fl->type) {
		case T_DATE:
			if (!prep_iso_date(p, n, &v->i))
				return fl->type_msg;
			return NULL;
		case T_DATETIME:
			return prep_iso_datetime(p, n, &v->i, &v->ns)
				   ? NULL
				   : fl->type_msg;
		default: /* T_TIME */
			return prep_iso_time(p, n, &v->i, &v->ns)
				   ? NULL
				   : fl->type_msg;
		}
	}
	if (!read_tm(s, fl, p, n, &tm, st))
		return fl->type_msg;
	y = tm.tm_year + 1900L;
	if (fl->type != T_TIME) {
		if (!prep_date_ok(y, tm.tm_mon + 1, tm.tm_mday))
			return fl->type_msg;
		v->i = prep_days_from_civil(y, tm.tm_mon + 1, tm.tm_mday);
	}
	if (fl->type != T_DATE) {
		if (!prep_time_ok(tm.tm_hour, tm.tm_min, tm.tm_sec))
			return fl->type_msg;
		if (fl->type == T_TIME)
			v->i = 0;
		else /* tm_gmtoff: set by %z (glibc, BSD) */
			v->i = v->i * 86400 - tm.tm_gmtoff;
		v->i += tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
	}
	return NULL;
}

/* v at p, 8 (or 4) bytes, least significant first. */
static void
put_le(unsigned char *p, uint64_t v, int n)
{
	int k;

	for (k = 0; k < n; k++)
		p[k] = (unsigned char)(v >> (8 * k));
}

/*
 * The canonical key of a value (see the top of the file) in *key and
 * *klen; buf has room for 16 bytes. An integer past int64 is keyed by its
 * sign ("-" or nothing) and digits, at least 19 bytes, so that it can't
 * be taken for an int64's 8; that key is built in s->bigkey and is valid
 * until the next call. PREP_ERR_NOMEM (or PREP_ERR_LIMIT) when it can't.
 */
prep_status
prep_schema_value_key(prep_schema *s, const struct field *fl, const char *cell,
		      size_t len, const struct value *v, unsigned char *buf,
		      const void **key, size_t *klen)
{
	static const uint64_t nan_bits = 0x7ff8000000000000ULL;
	prep_status st = PREP_OK;
	uint64_t bits;
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
			bits = nan_bits;
		else
			memcpy(&bits, &d, 8);
		put_le(buf, bits, 8);
		*klen = 8;
		return PREP_OK;
	case T_BOOLEAN:
		buf[0] = (unsigned char)v->i;
		*klen = 1;
		return PREP_OK;
	case T_DATETIME:
	case T_TIME:
		put_le(buf, (uint64_t)v->i, 8);
		put_le(buf + 8, (uint64_t)(uint32_t)v->ns, 4);
		*klen = 12;
		return PREP_OK;
	default:
		break;
	}
	if (v->big == NULL) {
		put_le(buf, (uint64_t)v->i, 8);
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
