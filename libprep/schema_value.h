/*
 * schema_value.h: what the parts of the Table Schema support share, and
 * nothing else includes. schema.c loads a schema descriptor into a
 * struct prep_schema, one struct field per column with everything a check
 * needs worked out in advance; schema_check.c checks records against it;
 * both read typed values with schema_value.c (a bound, an enum entry is a
 * value of its field's type).
 *
 * Not installed: no part of the API (schema.h is).
 */
#ifndef PREP_SCHEMA_VALUE_H
#define PREP_SCHEMA_VALUE_H

#define PCRE2_CODE_UNIT_WIDTH 8

#include <locale.h>
#include <pcre2.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "prep.h"
#include "strset.h"

/* As schema.h names it (a typedef may be repeated): this header is
 * below the loader's, whose API it implements. */
typedef struct prep_schema prep_schema;

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
	prep_buf scratch; /* NUL-terminated copy of a cell */
	prep_buf bigkey;  /* canonical key of an integer past int64 */
	prep_buf tuple;	  /* primary-key tuple */
	prep_buf notes;	  /* keys accepted and not used, NUL-terminated */
	size_t *note_off; /* where each note starts in notes */
	size_t nnotes, note_cap;
	struct value *vals; /* per field, this row's value */
	unsigned char *ok;  /* per field: this row's value has no error */
	size_t *keysets;    /* the unique fields, then PREP_SCHEMA_ROW */
	size_t nkeysets;
	unsigned char sha256[32]; /* of the descriptor's bytes */
	prep_buf *defer; /* prep_schema_defer_keys: the keys, not looked up */
};

/* White space as strptime(3) skips it (isspace() in the C locale). */
static inline int
is_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Shared by schema.c, schema_check.c and schema_value.c: not exported. */
#define PREP_SCHEMA_INTERNAL __attribute__((visibility("hidden")))

/*
 * Read p[0..n) as a value of fl's type into *v: NULL when it is one, else
 * the type error's message. *st becomes PREP_ERR_NOMEM when a copy for
 * strtod or strptime could not be made.
 */
PREP_SCHEMA_INTERNAL const char *
prep_schema_read_value(prep_schema *s, const struct field *fl, const char *p,
		       size_t n, struct value *v, prep_status *st);

/* Find p[0..n) in a sealed set (*id its id): 1 when it is there. */
PREP_SCHEMA_INTERNAL int prep_schema_set_find(struct lookup *t, const void *p,
					      size_t n, size_t *id);

/*
 * The canonical key of a value (see schema_value.c) in *key and *klen;
 * buf has room for 16 bytes. An integer past int64 is keyed by its sign
 * ("-" or nothing) and digits, at least 19 bytes, so that it can't be
 * taken for an int64's 8; that key is built in s->bigkey and is valid
 * until the next call. PREP_ERR_NOMEM (or PREP_ERR_LIMIT) when it can't.
 */
PREP_SCHEMA_INTERNAL prep_status prep_schema_value_key(
    prep_schema *s, const struct field *fl, const char *cell, size_t len,
    const struct value *v, unsigned char *buf, const void **key, size_t *klen);

#endif
