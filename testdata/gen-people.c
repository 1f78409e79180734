/*
 * gen-people.c: a deterministic generator of synthetic "people" CSV data
 * for prep's tests, demo and benchmarks.
 *
 *	gen-people [-n ROWS] [-s SEED]
 *
 * Writes a header and ROWS records (default 1000) to standard output:
 * id,name,email,ssn,phone,dob,zip,sex,race,income,diagnosis,note. Every
 * value is invented. Names mix ASCII, accented and CJK UTF-8 spellings and
 * include apostrophes and a ", Jr." suffix; e-mails are derived from the
 * names (reserved example.* domains); SSNs use valid area numbers; phones
 * come in several written forms; ZIP codes come from a small set so that
 * k-anonymity checks have something to chew on; the free-text note holds
 * no PII, or e-mails, phones, SSNs, Luhn-valid card numbers, mod-97-valid
 * IBANs and IPv4 addresses, plus look-alike decoys that are not PII (bare
 * digit runs, a Luhn-invalid 16-digit reference), quotes, commas and
 * embedded newlines.
 *
 * Output is RFC 4180 with LF line ends; a field is quoted only when it
 * holds a comma, quote, CR or LF. It depends only on the seed: the PRNG is
 * splitmix64 and all arithmetic is integer, so the bytes are the same on
 * every run and machine, and the first N rows of a longer run with the same
 * seed equal a run of N rows. Pure C11 plus POSIX getopt; no other library.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/*
 * splitmix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014; constants as in Vigna's public reference).
 */
static uint64_t rng_state;

static uint64_t
rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * Integer in [0, n), n < 2^32: the high 32 bits scaled by n (multiply-shift,
 * D. Lemire, "Fast random integer generation in an interval", ACM TOMACS
 * 2019, without the rejection step: the bias, < n / 2^32, is harmless here).
 */
static uint32_t
rng_below(uint32_t n)
{
	return (uint32_t)(((rng_next() >> 32) * (uint64_t)n) >> 32);
}

/* Integer in [lo, hi]. */
static uint32_t
rng_range(uint32_t lo, uint32_t hi)
{
	return lo + rng_below(hi - lo + 1);
}

/* 1 with probability pct/100. */
static int
rng_pct(uint32_t pct)
{
	return rng_below(100) < pct;
}

/* Index into a table of integer weights. */
static size_t
rng_weighted(const unsigned *w, size_t n)
{
	unsigned total = 0, r;
	size_t i;

	for (i = 0; i < n; i++)
		total += w[i];
	r = rng_below(total);
	for (i = 0; i + 1 < n; i++) {
		if (r < w[i])
			return i;
		r -= w[i];
	}
	return n - 1;
}

/* Output: one large buffer, written with fwrite when full. */
static char obuf[1 << 16];
static size_t olen;

static void
out_flush(void)
{
	if (olen > 0 && fwrite(obuf, 1, olen, stdout) != olen) {
		fprintf(stderr, "gen-people: write error: %s\n",
			strerror(errno));
		exit(2);
	}
	olen = 0;
}

static void
out_mem(const char *s, size_t n)
{
	if (olen + n > sizeof(obuf)) {
		out_flush();
		if (n > sizeof(obuf)) {
			olen = 0;
			if (fwrite(s, 1, n, stdout) != n) {
				fprintf(stderr, "gen-people: write error: %s\n",
					strerror(errno));
				exit(2);
			}
			return;
		}
	}
	memcpy(obuf + olen, s, n);
	olen += n;
}

static void
out_char(char c)
{
	if (olen == sizeof(obuf))
		out_flush();
	obuf[olen++] = c;
}

/*
 * A field under construction: values are assembled here, then written
 * with out_field(), which quotes them when needed. The longest value this
 * program makes is a note of four sentences, well under the capacity;
 * fld_mem() truncates rather than overflows should that ever change.
 */
struct fld {
	char b[2048];
	size_t n;
};

static void
fld_mem(struct fld *f, const char *s, size_t n)
{
	if (n > sizeof(f->b) - f->n)
		n = sizeof(f->b) - f->n;
	memcpy(f->b + f->n, s, n);
	f->n += n;
}

static void
fld_str(struct fld *f, const char *s)
{
	fld_mem(f, s, strlen(s));
}

static void
fld_char(struct fld *f, char c)
{
	fld_mem(f, &c, 1);
}

/* Decimal digits of v, at least width of them (zero-padded). */
static void
fld_uint(struct fld *f, uint64_t v, int width)
{
	char d[24];
	int n = 0;

	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	while (n < width)
		d[n++] = '0';
	while (n > 0)
		fld_char(f, d[--n]);
}

/* Write a field, RFC 4180-quoted when it holds a comma, quote, CR or LF. */
static void
out_field(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			break;
	if (i == n) {
		out_mem(s, n);
		return;
	}
	out_char('"');
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			out_char('"');
		out_char(s[i]);
	}
	out_char('"');
}

static void
out_fld(const struct fld *f)
{
	out_field(f->b, f->n);
}

/* A name as written and its lowercase ASCII form for e-mail addresses. */
struct name {
	const char *text;
	const char *ascii;
};

/* clang-format off */
static const struct name first_names[] = {
	{"James", "james"}, {"Mary", "mary"}, {"John", "john"},
	{"Patricia", "patricia"}, {"Robert", "robert"},
	{"Jennifer", "jennifer"}, {"Michael", "michael"}, {"Linda", "linda"},
	{"David", "david"}, {"Elizabeth", "elizabeth"}, {"William", "william"},
	{"Susan", "susan"}, {"Carlos", "carlos"}, {"Maria", "maria"},
	{"Ahmed", "ahmed"}, {"Fatima", "fatima"}, {"Wei", "wei"},
	{"Mei", "mei"}, {"Aisha", "aisha"}, {"Kwame", "kwame"},
	{"Priya", "priya"}, {"Raj", "raj"}, {"Olga", "olga"}, {"Ivan", "ivan"},
	{"Anna", "anna"}, {"Thomas", "thomas"}, {"Sarah", "sarah"},
	{"Daniel", "daniel"}, {"Emily", "emily"}, {"Kevin", "kevin"},
	{"Ngozi", "ngozi"}, {"Hiroshi", "hiroshi"},
	{"Jos\xc3\xa9", "jose"},        /* José */
	{"Zo\xc3\xab", "zoe"},          /* Zoë */
	{"\xc5\x81ukasz", "lukasz"},    /* Łukasz */
	{"Ren\xc3\xa9" "e", "renee"},   /* Renée */
	{"Bj\xc3\xb6rn", "bjorn"},      /* Björn */
	{"S\xc3\xb8ren", "soren"},      /* Søren */
	{"Fran\xc3\xa7ois", "francois"}, /* François */
	{"In\xc3\xa9s", "ines"},        /* Inés */
};
/* clang-format on */

/* clang-format off */
static const struct name last_names[] = {
	{"Smith", "smith"}, {"Johnson", "johnson"}, {"Williams", "williams"},
	{"Brown", "brown"}, {"Jones", "jones"}, {"Garcia", "garcia"},
	{"Miller", "miller"}, {"Davis", "davis"}, {"Rodriguez", "rodriguez"},
	{"Martinez", "martinez"}, {"Nguyen", "nguyen"}, {"Kim", "kim"},
	{"Patel", "patel"}, {"Okafor", "okafor"}, {"Cohen", "cohen"},
	{"Anderson", "anderson"}, {"Taylor", "taylor"}, {"Thomas", "thomas"},
	{"Moore", "moore"}, {"Jackson", "jackson"}, {"Lee", "lee"},
	{"Walker", "walker"}, {"Hall", "hall"}, {"Young", "young"},
	{"O'Brien", "obrien"}, {"O'Neil", "oneil"}, {"D'Angelo", "dangelo"},
	{"Van der Berg", "vanderberg"}, {"Smith-Jones", "smithjones"},
	{"M\xc3\xbcller", "mueller"},   /* Müller */
	{"Nowak-Wi\xc5\x9bniewska", "nowakwisniewska"}, /* Nowak-Wiśniewska */
	{"Pe\xc3\xb1" "a", "pena"},     /* Peña */
	{"Sch\xc3\xb6nberg", "schoenberg"}, /* Schönberg */
	{"\xc3\x85str\xc3\xb6m", "astrom"}, /* Åström */
};
/* clang-format on */

/* Chinese names are written family name first, without a space. */
/* clang-format off */
static const struct name cjk_family[] = {
	{"\xe6\x9d\x8e", "li"},		/* 李 */
	{"\xe7\x8e\x8b", "wang"},	/* 王 */
	{"\xe5\xbc\xa0", "zhang"},	/* 张 */
	{"\xe5\x88\x98", "liu"},	/* 刘 */
	{"\xe9\x99\x88", "chen"},	/* 陈 */
};
/* clang-format on */

/* clang-format off */
static const struct name cjk_given[] = {
	{"\xe4\xbc\x9f", "wei"},	/* 伟 */
	{"\xe8\x8a\xb3", "fang"},	/* 芳 */
	{"\xe5\xa8\x9c", "na"},		/* 娜 */
	{"\xe6\x95\x8f", "min"},	/* 敏 */
	{"\xe9\x9d\x99", "jing"},	/* 静 */
	{"\xe4\xb8\xbd", "li"},		/* 丽 */
};
/* clang-format on */

static const char *const domains[] = {
    "example.com",	"example.org",	    "example.net",
    "mail.example.com", "post.example.org", "health.example.net",
};

/* A person's name: display form and the two ASCII parts for e-mail. */
struct person {
	struct fld name;
	const char *first_ascii;
	const char *last_ascii;
};

static void
gen_person(struct person *p)
{
	const struct name *f, *l;

	p->name.n = 0;
	if (rng_pct(4)) {
		l = &cjk_family[rng_below(NELEM(cjk_family))];
		f = &cjk_given[rng_below(NELEM(cjk_given))];
		fld_str(&p->name, l->text);
		fld_str(&p->name, f->text);
	} else {
		f = &first_names[rng_below(NELEM(first_names))];
		l = &last_names[rng_below(NELEM(last_names))];
		fld_str(&p->name, f->text);
		fld_char(&p->name, ' ');
		if (rng_pct(10)) { /* a middle initial */
			fld_char(&p->name, (char)('A' + rng_below(26)));
			fld_str(&p->name, ". ");
		}
		fld_str(&p->name, l->text);
		switch (rng_below(50)) {
		case 0:
		case 1:
			fld_str(&p->name, ", Jr.");
			break;
		case 2:
			fld_str(&p->name, " III");
			break;
		}
	}
	p->first_ascii = f->ascii;
	p->last_ascii = l->ascii;
}

/* An e-mail address derived from a person's name. */
static void
gen_email(struct fld *e, const struct person *p)
{
	switch (rng_below(5)) {
	case 0:
		fld_str(e, p->first_ascii);
		fld_char(e, '.');
		fld_str(e, p->last_ascii);
		break;
	case 1:
		fld_char(e, p->first_ascii[0]);
		fld_str(e, p->last_ascii);
		break;
	case 2:
		fld_str(e, p->first_ascii);
		fld_char(e, '_');
		fld_str(e, p->last_ascii);
		fld_uint(e, rng_range(1, 99), 0);
		break;
	case 3:
		fld_str(e, p->first_ascii);
		fld_str(e, p->last_ascii);
		fld_uint(e, rng_range(1950, 2005), 0);
		break;
	default:
		fld_str(e, p->last_ascii);
		fld_char(e, '.');
		fld_str(e, p->first_ascii);
		break;
	}
	fld_char(e, '@');
	fld_str(e, domains[rng_below(NELEM(domains))]);
}

/*
 * SSN AAA-GG-SSSS with a valid area (001-899, not 666), group 01-99 and
 * serial 0001-9999 (SSA rules since the 2011 randomization).
 */
static void
gen_ssn(struct fld *f)
{
	uint32_t area;

	do
		area = rng_range(1, 899);
	while (area == 666);
	fld_uint(f, area, 3);
	fld_char(f, '-');
	fld_uint(f, rng_range(1, 99), 2);
	fld_char(f, '-');
	fld_uint(f, rng_range(1, 9999), 4);
}

/* NANP area codes of the cities whose ZIP codes are used below. */
static const unsigned area_codes[] = {
    617, 857, 212, 646, 718, 312, 773, 415, 628, 512, 737, 206, 404, 254,
};

/* A US phone number in one of several common written forms. */
static void
gen_phone(struct fld *f)
{
	uint32_t a = area_codes[rng_below(NELEM(area_codes))];
	uint32_t x = rng_range(200, 999), l = rng_below(10000);

	switch (rng_below(5)) {
	case 0: /* (617) 555-0134 */
		fld_char(f, '(');
		fld_uint(f, a, 3);
		fld_str(f, ") ");
		fld_uint(f, x, 3);
		fld_char(f, '-');
		fld_uint(f, l, 4);
		break;
	case 1: /* +1 617 555 0134 */
		fld_str(f, "+1 ");
		fld_uint(f, a, 3);
		fld_char(f, ' ');
		fld_uint(f, x, 3);
		fld_char(f, ' ');
		fld_uint(f, l, 4);
		break;
	case 2: /* 617.555.0134 */
		fld_uint(f, a, 3);
		fld_char(f, '.');
		fld_uint(f, x, 3);
		fld_char(f, '.');
		fld_uint(f, l, 4);
		break;
	case 3: /* +1-617-555-0134 */
		fld_str(f, "+1-");
		fld_uint(f, a, 3);
		fld_char(f, '-');
		fld_uint(f, x, 3);
		fld_char(f, '-');
		fld_uint(f, l, 4);
		break;
	default: /* 617-555-0134 */
		fld_uint(f, a, 3);
		fld_char(f, '-');
		fld_uint(f, x, 3);
		fld_char(f, '-');
		fld_uint(f, l, 4);
		break;
	}
}

/*
 * Days since 1970-01-01 to a civil date and back: H. Hinnant, "chrono-
 * Compatible Low-Level Date Algorithms" (days_from_civil, civil_from_days).
 */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* An ISO 8601 date of birth, uniform over 1930-01-01 .. 2005-12-31. */
static void
gen_dob(struct fld *f)
{
	static int64_t lo, span;
	int64_t y;
	unsigned m, d;

	if (span == 0) {
		lo = days_from_civil(1930, 1, 1);
		span = days_from_civil(2005, 12, 31) - lo + 1;
	}
	civil_from_days(lo + rng_below((uint32_t)span), &y, &m, &d);
	fld_uint(f, (uint64_t)y, 4);
	fld_char(f, '-');
	fld_uint(f, m, 2);
	fld_char(f, '-');
	fld_uint(f, d, 2);
}

/*
 * ZIP codes: a few cities, several codes each, so that truncating to three
 * digits (or the city) gives large equivalence classes.
 */
/* clang-format off */
static const char *const zips[] = {
	"02138", "02139", "02140", "02141", "02143",	/* Cambridge MA */
	"10001", "10002", "10003", "10011", "10025",	/* New York NY */
	"60601", "60614", "60622", "60657",		/* Chicago IL */
	"94103", "94107", "94110", "94117",		/* San Francisco CA */
	"78701", "78704", "78745",			/* Austin TX */
	"76510", "76513",				/* Belton TX */
	"98101", "98103", "98115",			/* Seattle WA */
	"30303", "30307", "30318",			/* Atlanta GA */
};
/* clang-format on */
/* clang-format off */
static const unsigned zip_w[] = {
	6, 5, 4, 3, 2, 9, 7, 6, 5, 4, 7, 6, 5, 4, 6, 5, 4, 3,
	5, 4, 3, 2, 1, 4, 3, 3, 4, 3, 2,
};
/* clang-format on */

static const char *const sexes[] = {"F", "M", "X"};
static const unsigned sex_w[] = {495, 495, 10};

static const char *const races[] = {
    "White",	       "Hispanic",	   "Black", "Asian", "Two or more",
    "American Indian", "Pacific Islander",
};
static const unsigned race_w[] = {58, 19, 12, 6, 3, 1, 1};

/* Annual income brackets (lower bound, upper bound, weight). */
/* clang-format off */
static const struct {
	uint32_t lo, hi;
} income_br[] = {
	{0, 0},		  {1000, 9999},	    {10000, 24999},   {25000, 49999},
	{50000, 74999},	  {75000, 99999},   {100000, 149999}, {150000, 199999},
	{200000, 499999}, {500000, 2500000},
};
/* clang-format on */
static const unsigned income_w[] = {3, 4, 12, 22, 18, 13, 15, 7, 5, 1};

static void
gen_income(struct fld *f)
{
	size_t b = rng_weighted(income_w, NELEM(income_w));
	uint32_t v = rng_range(income_br[b].lo, income_br[b].hi);

	if (v >= 1000) /* incomes are reported to the 10 */
		v -= v % 10;
	fld_uint(f, v, 0);
}

static const char *const diagnoses[] = {
    "None",
    "Essential hypertension",
    "Type 2 diabetes mellitus",
    "Asthma",
    "Major depressive disorder",
    "Generalized anxiety disorder",
    "Migraine",
    "Osteoarthritis of knee",
    "Hyperlipidemia",
    "COPD",
    "Hypothyroidism",
    "Chronic kidney disease, stage 3",
    "Fracture of radius, left",
    "Atrial fibrillation",
    "Low back pain",
    "HIV disease",
};
static const unsigned diagnosis_w[] = {
    30, 14, 9, 7, 6, 6, 5, 4, 6, 3, 4, 2, 1, 2, 5, 1,
};

/* Append a card number with a valid Luhn check digit (ISO/IEC 7812-1). */
static void
gen_card(struct fld *f, int valid)
{
	char d[16];
	int len, i, sum, dbl;
	uint32_t sep;

	switch (rng_below(valid ? 6 : 1)) {
	case 0:
	case 1:
	case 2: /* Visa */
		len = 16;
		d[0] = '4';
		i = 1;
		break;
	case 3:
	case 4: /* Mastercard 51-55 */
		len = 16;
		d[0] = '5';
		d[1] = (char)('1' + rng_below(5));
		i = 2;
		break;
	default: /* American Express 34, 37 */
		len = 15;
		d[0] = '3';
		d[1] = rng_pct(50) ? '4' : '7';
		i = 2;
		break;
	}
	for (; i < len - 1; i++)
		d[i] = (char)('0' + rng_below(10));
	/* Luhn: double every second digit from the right of the payload. */
	sum = 0;
	dbl = 1;
	for (i = len - 2; i >= 0; i--) {
		int v = d[i] - '0';

		if (dbl) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
		dbl = !dbl;
	}
	d[len - 1] = (char)('0' + (10 - sum % 10) % 10);
	if (!valid) { /* a decoy: wrong check digit, written plain */
		d[len - 1] =
		    (char)('0' + (d[len - 1] - '0' + 1 + rng_below(9)) % 10);
		fld_mem(f, d, (size_t)len);
		return;
	}
	/*
	 * Written in groups (4111 1111 1111 1111, Amex 3782 822463 10005)
	 * separated by spaces or dashes, or as one run of digits.
	 */
	sep = rng_below(3);
	for (i = 0; i < len; i++) {
		if (sep != 2 && i > 0 &&
		    (len == 16 ? i % 4 == 0 : (i == 4 || i == 10)))
			fld_char(f, sep == 0 ? ' ' : '-');
		fld_char(f, d[i]);
	}
}

/* IBAN layouts: country, BBAN pattern (A: letter, 9: digit). */
/* clang-format off */
static const struct {
	const char *cc;
	const char *bban;
} iban_fmt[] = {
	{"GB", "AAAA99999999999999"},	/* 22 characters */
	{"DE", "999999999999999999"},	/* 22 */
	{"NL", "AAAA9999999999"},	/* 18 */
	{"FR", "99999999999999999999999"}, /* 27, RIB all digits */
	{"ES", "99999999999999999999"},	/* 24 */
};
/* clang-format on */

/*
 * Append an IBAN with valid check digits (ISO 13616: move country and
 * "00" to the end, letters to 10..35, check = 98 - value mod 97), compact
 * or in groups of four.
 */
static void
gen_iban(struct fld *f)
{
	size_t k = rng_below(NELEM(iban_fmt)), n, i;
	const char *p = iban_fmt[k].bban;
	char s[40];
	unsigned rem = 0, chk;

	n = 0;
	s[n++] = iban_fmt[k].cc[0];
	s[n++] = iban_fmt[k].cc[1];
	s[n++] = '0';
	s[n++] = '0';
	for (; *p != '\0'; p++)
		s[n++] = (char)(*p == 'A' ? 'A' + rng_below(26)
					  : '0' + rng_below(10));
	/* mod 97 over BBAN, then country letters, then "00" */
	for (i = 0; i < n; i++) {
		char c = s[(i + 4) % n];

		if (c >= 'A' && c <= 'Z')
			rem = (rem * 100 + (unsigned)(c - 'A' + 10)) % 97;
		else
			rem = (rem * 10 + (unsigned)(c - '0')) % 97;
	}
	chk = 98 - rem;
	s[2] = (char)('0' + chk / 10);
	s[3] = (char)('0' + chk % 10);
	if (rng_pct(30)) { /* GB82 WEST 1234 5698 7654 32 */
		for (i = 0; i < n; i++) {
			if (i > 0 && i % 4 == 0)
				fld_char(f, ' ');
			fld_char(f, s[i]);
		}
	} else {
		fld_mem(f, s, n);
	}
}

/* A public-looking IPv4 address. */
static void
gen_ipv4(struct fld *f)
{
	static const unsigned first[] = {
	    23, 31, 45, 52, 64, 73, 81, 98, 104, 151, 176, 185, 203, 212,
	};

	fld_uint(f, first[rng_below(NELEM(first))], 0);
	fld_char(f, '.');
	fld_uint(f, rng_below(256), 0);
	fld_char(f, '.');
	fld_uint(f, rng_below(256), 0);
	fld_char(f, '.');
	fld_uint(f, rng_range(1, 254), 0);
}

/* Sentences without personal data (some with commas, quotes, UTF-8). */
static const char *const plain_notes[] = {
    "Follow-up in 3 months.",
    "No known allergies.",
    "Patient reports mild symptoms.",
    "Referred to specialist.",
    "Allergies: penicillin, latex.",
    "Patient said \"I feel fine\" at intake.",
    "BP 128/82, pulse 71.",
    "Prescribed 20 mg daily; review in 6 weeks.",
    "Declined flu vaccine.",
    "Caf\xc3\xa9 worker; na\xc3\xafve to treatment.", /* Café, naïve */
    "Needs interpreter (Spanish).",
    "Lab results normal.",
    "Missed last appointment, rescheduled.",
    "Uses the \"MyHealth\" app.",
};

/*
 * One sentence of the note: with personal data (cases 0-9), a decoy that
 * only looks like it (10-12), or plain text.
 */
static void
gen_sentence(struct fld *f)
{
	struct person p;

	switch (rng_below(20)) {
	case 0:
	case 1:
		fld_str(f, "Call back at ");
		gen_phone(f);
		fld_char(f, '.');
		break;
	case 2:
		fld_str(f, "Prefers e-mail: ");
		gen_person(&p);
		gen_email(f, &p);
		break;
	case 3:
		fld_str(f, "Send copy to ");
		gen_person(&p);
		gen_email(f, &p);
		fld_str(f, ", cc ");
		gen_person(&p);
		gen_email(f, &p);
		fld_char(f, '.');
		break;
	case 4:
		fld_str(f, "Card on file ");
		gen_card(f, 1);
		fld_char(f, '.');
		break;
	case 5:
		fld_str(f, "Paid by card ");
		gen_card(f, 1);
		fld_str(f, ", exp 09/27.");
		break;
	case 6:
		fld_str(f, "SSN ");
		gen_ssn(f);
		fld_str(f, " verified.");
		break;
	case 7:
		fld_str(f, "Refund to IBAN ");
		gen_iban(f);
		fld_char(f, '.');
		break;
	case 8:
		fld_str(f, "Portal login from ");
		gen_ipv4(f);
		fld_char(f, '.');
		break;
	case 9:
		fld_str(f, "Emergency contact: ");
		gen_phone(f);
		fld_str(f, " (spouse).");
		break;
	case 10: /* decoys: no personal data, but digits that look busy */
		fld_str(f, "Order ");
		fld_uint(f, rng_range(1000000, 9999999), 0);
		fld_str(f, " shipped.");
		break;
	case 11:
		fld_str(f, "Tracking ref ");
		gen_card(f, 0);
		fld_char(f, '.');
		break;
	case 12:
		fld_str(f, "Logged at ");
		fld_uint(f, rng_range(1600000000, 1750000000), 0);
		fld_char(f, '.');
		break;
	default:
		fld_str(f, plain_notes[rng_below(NELEM(plain_notes))]);
		break;
	}
}

/* The note: empty, plain, or with PII; sentences joined by a space or LF. */
static void
gen_note(struct fld *f)
{
	uint32_t k, i;

	if (rng_pct(20))
		return; /* no note */
	k = rng_range(1, 3);
	for (i = 0; i < k; i++) {
		if (i > 0)
			fld_char(f, rng_pct(15) ? '\n' : ' ');
		gen_sentence(f);
	}
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: gen-people [-n ROWS] [-s SEED]\n");
}

static uint64_t
parse_u64(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s == '\0' || *s == '-' || *end != '\0' || errno != 0) {
		fprintf(stderr, "gen-people: invalid %s: %s\n", what, s);
		fprintf(stderr, "Try 'gen-people -h'.\n");
		exit(2);
	}
	return v;
}

int
main(int argc, char *argv[])
{
	static const char header[] =
	    "id,name,email,ssn,phone,dob,zip,sex,race,income,diagnosis,note\n";
	uint64_t rows = 1000, seed = 1, id;
	struct person p;
	struct fld f;
	int c;

	while ((c = getopt(argc, argv, "hn:s:")) != -1) {
		switch (c) {
		case 'n':
			rows = parse_u64(optarg, "row count");
			break;
		case 's':
			seed = parse_u64(optarg, "seed");
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	rng_state = seed;

	out_mem(header, sizeof(header) - 1);
	for (id = 1; id <= rows; id++) {
		f.n = 0;
		fld_uint(&f, id, 0);
		out_fld(&f);
		out_char(',');

		gen_person(&p);
		out_fld(&p.name);
		out_char(',');

		f.n = 0;
		if (!rng_pct(1)) /* 1% have no e-mail */
			gen_email(&f, &p);
		out_fld(&f);
		out_char(',');

		f.n = 0;
		gen_ssn(&f);
		out_fld(&f);
		out_char(',');

		f.n = 0;
		if (!rng_pct(2)) /* 2% have no phone */
			gen_phone(&f);
		out_fld(&f);
		out_char(',');

		f.n = 0;
		gen_dob(&f);
		out_fld(&f);
		out_char(',');

		out_field(zips[rng_weighted(zip_w, NELEM(zip_w))], 5);
		out_char(',');
		out_field(sexes[rng_weighted(sex_w, NELEM(sex_w))], 1);
		out_char(',');
		{
			const char *s =
			    races[rng_weighted(race_w, NELEM(race_w))];

			out_field(s, strlen(s));
		}
		out_char(',');

		f.n = 0;
		gen_income(&f);
		out_fld(&f);
		out_char(',');

		{
			const char *s = diagnoses[rng_weighted(
			    diagnosis_w, NELEM(diagnosis_w))];

			out_field(s, strlen(s));
		}
		out_char(',');

		f.n = 0;
		gen_note(&f);
		out_fld(&f);
		out_char('\n');
	}
	out_flush();
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "gen-people: write error: %s\n",
			strerror(errno));
		return 2;
	}
	return 0;
}
