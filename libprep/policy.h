/*
 * policy.h: anonymize's rules: parsing, policy files, and applying an
 * action to one field.
 *
 * A rule is COLUMNS:ACTION[:ARG[:ARG]] on the command line, or a line
 * "COLUMNS ACTION[:ARG...]" of a policy file (man5/prep-policy.5). The
 * actions are anonymize(1)'s, section Actions. Rules are bound to the
 * columns of an input (prep_rules_bind); applying an action needs the
 * context of the run: keyed hasher and cipher, PII detectors, mask char.
 */
#ifndef PREP_POLICY_H
#define PREP_POLICY_H

#include <stdint.h>

#include "buf.h"
#include "generalize.h"
#include "hierarchy.h"
#include "missing.h"
#include "pii.h"
#include "prep.h"
#include "pseudo.h"

typedef enum prep_action_kind {
	PREP_ACT_KEEP,
	PREP_ACT_DROP,
	PREP_ACT_HASH,
	PREP_ACT_ENCRYPT,
	PREP_ACT_DECRYPT,
	PREP_ACT_MASK,
	PREP_ACT_TRUNCATE,
	PREP_ACT_REDACT,
	PREP_ACT_BIN,
	PREP_ACT_TOPCODE,
	PREP_ACT_BOTTOMCODE,
	PREP_ACT_DATE,
	PREP_ACT_AGE,
	PREP_ACT_HIERARCHY,
	PREP_ACT_SCRUB
} prep_action_kind;

typedef struct prep_action {
	prep_action_kind kind;
	size_t n;	      /* hash: hex digits; mask: kept; truncate: kept */
	int64_t width;	      /* bin */
	double threshold;     /* topcode, bottomcode */
	char *text;	      /* redact text; topcode/bottomcode as written */
	prep_date_unit unit;  /* date */
	prep_date ref;	      /* age */
	char *path;	      /* hierarchy file */
	size_t level;	      /* hierarchy level */
	prep_hierarchy *hier; /* loaded by prep_rules_load_hierarchies */
} prep_action;

typedef struct prep_rule {
	char *columns; /* the column list as written */
	prep_action action;
	prep_where where; /* policy file, line, and in field the byte column
			     where the columns begin; file NULL for -a */
} prep_rule;

typedef struct prep_rules {
	prep_rule *v;
	size_t n, cap;
} prep_rules;

void prep_rules_init(prep_rules *rs);
void prep_rules_free(prep_rules *rs);

/* The name of an action kind, as written in rules ("hash", "bin", ...). */
const char *prep_action_name(prep_action_kind k);

/*
 * Parse "ACTION[:ARG...]" into a. On PREP_ERR_ARG, err (errsz bytes) says
 * what is wrong; nothing in it comes from spec or from data.
 */
prep_status prep_action_parse(const char *spec, prep_action *a, char *err,
			      size_t errsz);

/* Append the rule "COLUMNS:ACTION[:ARG...]" (an -a argument). */
prep_status prep_rules_add_arg(prep_rules *rs, const char *arg, char *err,
			       size_t errsz);

/* Append one rule with the given columns and action kind (no args). */
prep_status prep_rules_add_simple(prep_rules *rs, const char *columns,
				  prep_action_kind kind);

/*
 * Append the rules of a policy file. A relative hierarchy path in it is
 * taken relative to the policy file's directory. On error *where names
 * the file and line, and where->field the 1-based byte column in that
 * line where the fault is (0 when it is the line as a whole); err says
 * what kind of fault, never quoting the file.
 */
prep_status prep_rules_load_policy(prep_rules *rs, const char *path,
				   prep_where *where, char *err, size_t errsz);

/*
 * Load every hierarchy file the rules name. On error *where is the place
 * and, for PREP_ERR_ARG, *why a phrase saying what is wrong.
 */
prep_status prep_rules_load_hierarchies(prep_rules *rs, prep_where *where,
					const char **why);

/*
 * Where a rule came from, as messages name it, into buf (n bytes):
 * "FILE:LINE" for a policy file's, "--decrypt COLUMNS" for a decrypt
 * rule (prep_rules_add_simple), "-a COLUMNS" for any other.
 */
void prep_rule_origin(const prep_rule *r, char *buf, size_t n);

/* 1 when some rule's action is kind, else 0. */
int prep_rules_uses(const prep_rules *rs, prep_action_kind kind);

/* 1 when some rule needs the key file (hash, encrypt, decrypt). */
int prep_rules_need_key(const prep_rules *rs);

/* Why a rule could not be bound to the columns (prep_rules_bind). */
typedef struct prep_rules_fault {
	const prep_rule *rule;	/* the rule that could not be bound */
	const prep_rule *other; /* two rules: the earlier one of the column */
	size_t column;		/* two rules: their column (0-based) */
	size_t off, len; /* unknown column: rule->columns[off..off+len) */
	int by_name;	 /* some rule, up to this one, named a column by name */
} prep_rules_fault;

/*
 * Bind the rules to the columns of an input, header[0..ncols) (NULL:
 * ncols numbered columns; prep_columns_resolve reads the lists): *act
 * (malloc'd, ncols entries, at least one) holds each column's action,
 * NULL for a column without a rule. With ncols 0 (an input without even
 * a header) there is nothing to bind, and every rule is left unused.
 *
 * Fails on the first rule that can't be bound (fault->rule):
 * PREP_ERR_COLUMN for an item of its list that names no column
 * (fault->off, fault->len), PREP_ERR_ARG for a column an earlier rule
 * has too (fault->column, fault->other), another status of
 * prep_columns_resolve, or PREP_ERR_NOMEM; *act is then NULL. Either way
 * fault->by_name says whether a list took an item as a header name up
 * to there: the caller then checks that the header's names are distinct,
 * before it reports any other fault (a name said twice comes first).
 */
prep_status prep_rules_bind(const prep_rules *rs, const prep_field *header,
			    size_t ncols, const prep_action ***act,
			    prep_rules_fault *fault);

/* What applying actions needs; members unused by the rules may be NULL. */
typedef struct prep_action_ctx {
	prep_hasher *hasher;
	prep_hash_memo *memo; /* hash's memo of this thread (NULL: none) */
	prep_cipher *cipher;
	prep_pii *pii;
	const char *mask;
	size_t mask_len;
	const prep_missing *missing; /* values left as they are by every
					action but redact (NULL: the empty
					cell); hierarchy looks them up first */
	int legacy_tokens;	     /* decrypt also reads tokens made
					without column binding */
} prep_action_ctx;

/*
 * Apply a (not drop) to the field in[0..len) of the column named column
 * (its header name, or its number in decimal without a header: encrypt
 * binds its tokens to it, decrypt checks it). The result (*res, *res_len):
 * in itself, the action's text, a hierarchy entry, or out's bytes. A
 * missing value (ctx->missing; by default the empty cell) stays as it is
 * except for redact and for a hierarchy that lists the value.
 */
prep_status prep_action_apply(const prep_action *a, const prep_action_ctx *ctx,
			      const prep_field *column, const char *in,
			      size_t len, prep_buf *out, const char **res,
			      size_t *res_len);

/*
 * What a status of prep_action_apply says of the value, for a message:
 * "token failed authentication", "token made without column binding: use
 * --legacy-tokens", "value not in the hierarchy", "invalid UTF-8",
 * "number out of range", "result too long" (PREP_ERR_LIMIT), and "value
 * cannot be read" for any other.
 */
const char *prep_action_strerror(prep_status st);

#endif
