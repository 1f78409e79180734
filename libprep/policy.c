/*
 * policy.c: anonymize's rules (see policy.h and man5/prep-policy.5).
 *
 * Parsing is strict: an unknown action, a missing or extra argument, or an
 * argument out of range is an error with the rule's place, never a
 * default, so a typo in a policy can't let a column through unchanged.
 * Messages never quote the text they could not parse: a file given to -p
 * by mistake (a key file, a CSV of personal data) must not be shown on
 * the standard error; they name the place (line and byte column) and the
 * kind of error instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "columns.h"
#include "policy.h"

#define POLICY_MAX_BYTES ((size_t)1 << 20)
#define MASK_MAX ((size_t)1 << 20)

static const char *const action_names[] = {
    [PREP_ACT_KEEP] = "keep",
    [PREP_ACT_DROP] = "drop",
    [PREP_ACT_HASH] = "hash",
    [PREP_ACT_ENCRYPT] = "encrypt",
    [PREP_ACT_DECRYPT] = "decrypt",
    [PREP_ACT_MASK] = "mask",
    [PREP_ACT_TRUNCATE] = "truncate",
    [PREP_ACT_REDACT] = "redact",
    [PREP_ACT_BIN] = "bin",
    [PREP_ACT_TOPCODE] = "topcode",
    [PREP_ACT_BOTTOMCODE] = "bottomcode",
    [PREP_ACT_DATE] = "date",
    [PREP_ACT_AGE] = "age",
    [PREP_ACT_HIERARCHY] = "hierarchy",
    [PREP_ACT_SCRUB] = "scrub",
};

#define NACTIONS (sizeof action_names / sizeof action_names[0])

const char *
prep_action_name(prep_action_kind k)
{
	return (size_t)k < NACTIONS ? action_names[k] : "?";
}

void
prep_rules_init(prep_rules *rs)
{
	rs->v = NULL;
	rs->n = rs->cap = 0;
}

static void
action_free(prep_action *a)
{
	free(a->text);
	free(a->path);
	prep_hierarchy_free(a->hier);
	memset(a, 0, sizeof *a);
}

void
prep_rules_free(prep_rules *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		free(rs->v[i].columns);
		action_free(&rs->v[i].action);
	}
	free(rs->v);
	prep_rules_init(rs);
}

static prep_status
say(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (err && errsz) {
		va_start(ap, fmt);
		vsnprintf(err, errsz, fmt, ap);
		va_end(ap);
	}
	return PREP_ERR_ARG;
}

/* A non-negative integer argument no larger than max. */
static int
parse_count(const char *s, size_t max, size_t *v)
{
	int64_t x;

	if (prep_parse_int64(s, strlen(s), &x) != PREP_OK || x < 0 ||
	    (uint64_t)x > max || s[0] == '+' || s[0] == '-')
		return 0;
	*v = (size_t)x;
	return 1;
}

prep_status
prep_action_parse(const char *spec, prep_action *a, char *err, size_t errsz)
{
	const char *colon = strchr(spec, ':');
	size_t nlen = colon ? (size_t)(colon - spec) : strlen(spec);
	const char *arg = colon ? colon + 1 : NULL;
	size_t k;

	memset(a, 0, sizeof *a);
	for (k = 0; k < NACTIONS; k++)
		if (strlen(action_names[k]) == nlen &&
		    memcmp(action_names[k], spec, nlen) == 0)
			break;
	if (k == NACTIONS || k == PREP_ACT_DECRYPT)
		return say(err, errsz, "unknown action");
	a->kind = (prep_action_kind)k;
	switch (a->kind) {
	case PREP_ACT_KEEP:
	case PREP_ACT_DROP:
	case PREP_ACT_ENCRYPT:
	case PREP_ACT_DECRYPT:
	case PREP_ACT_SCRUB:
		if (arg)
			return say(err, errsz, "%s takes no argument",
				   action_names[k]);
		break;
	case PREP_ACT_HASH:
		a->n = 32;
		if (arg && (!parse_count(arg, 64, &a->n) || a->n < 8))
			return say(err, errsz,
				   "hash length must be 8 to 64 "
				   "hex digits");
		break;
	case PREP_ACT_MASK:
		if (arg && !parse_count(arg, MASK_MAX, &a->n))
			return say(err, errsz,
				   "mask needs a count of "
				   "characters to keep");
		break;
	case PREP_ACT_TRUNCATE:
		if (!arg || !parse_count(arg, MASK_MAX, &a->n))
			return say(err, errsz,
				   "truncate needs a count of "
				   "characters to keep");
		break;
	case PREP_ACT_REDACT:
		a->text = strdup(arg ? arg : "");
		if (a->text == NULL)
			return PREP_ERR_NOMEM;
		break;
	case PREP_ACT_BIN:
		if (!arg ||
		    prep_parse_int64(arg, strlen(arg), &a->width) != PREP_OK ||
		    a->width <= 0)
			return say(err, errsz,
				   "bin needs a positive integer "
				   "width");
		break;
	case PREP_ACT_TOPCODE:
	case PREP_ACT_BOTTOMCODE:
		if (!arg || prep_parse_number(arg, strlen(arg),
					      &a->threshold) != PREP_OK)
			return say(err, errsz, "%s needs a number",
				   action_names[k]);
		a->text = strdup(arg);
		if (a->text == NULL)
			return PREP_ERR_NOMEM;
		break;
	case PREP_ACT_DATE:
		if (!arg || prep_date_unit_parse(arg, &a->unit) != PREP_OK)
			return say(err, errsz,
				   "date needs year, month or "
				   "decade");
		break;
	case PREP_ACT_AGE:
		if (!arg ||
		    prep_parse_date(arg, strlen(arg), &a->ref) != PREP_OK)
			return say(err, errsz,
				   "age needs a reference date "
				   "YYYY-MM-DD");
		break;
	case PREP_ACT_HIERARCHY: {
		const char *last = arg ? strrchr(arg, ':') : NULL;

		if (!last || last == arg ||
		    !parse_count(last + 1, 1000000, &a->level))
			return say(err, errsz, "hierarchy needs FILE:LEVEL");
		a->path = strndup(arg, (size_t)(last - arg));
		if (a->path == NULL)
			return PREP_ERR_NOMEM;
		break;
	}
	}
	return PREP_OK;
}

static prep_status
push_rule(prep_rules *rs, const char *cols, size_t clen, prep_action *a,
	  prep_where where)
{
	prep_rule *r;

	if (rs->n == rs->cap) {
		size_t ncap = rs->cap ? rs->cap * 2 : 16;
		prep_rule *v = realloc(rs->v, ncap * sizeof *v);

		if (v == NULL)
			return PREP_ERR_NOMEM;
		rs->v = v;
		rs->cap = ncap;
	}
	r = &rs->v[rs->n];
	r->columns = strndup(cols, clen);
	if (r->columns == NULL)
		return PREP_ERR_NOMEM;
	r->action = *a;
	r->where = where;
	rs->n++;
	return PREP_OK;
}

prep_status
prep_rules_add_arg(prep_rules *rs, const char *arg, char *err, size_t errsz)
{
	const char *colon = strchr(arg, ':');
	prep_action a;
	prep_where nowhere = {NULL, 0, 0};
	prep_status st;

	if (colon == NULL || colon == arg || colon[1] == '\0')
		return say(err, errsz, "rule '%s' is not COLUMNS:ACTION", arg);
	if ((st = prep_action_parse(colon + 1, &a, err, errsz)) != PREP_OK)
		return st;
	if ((st = push_rule(rs, arg, (size_t)(colon - arg), &a, nowhere)))
		action_free(&a);
	return st;
}

prep_status
prep_rules_add_simple(prep_rules *rs, const char *columns,
		      prep_action_kind kind)
{
	prep_action a;
	prep_where nowhere = {NULL, 0, 0};

	memset(&a, 0, sizeof a);
	a.kind = kind;
	return push_rule(rs, columns, strlen(columns), &a, nowhere);
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Read a whole (small) file; NUL bytes make it not a policy. */
static prep_status
slurp(const char *path, char **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	prep_buf b;
	char chunk[8192];
	ssize_t n;
	prep_status st = PREP_OK;

	if (fd < 0)
		return PREP_ERR_IO;
	prep_buf_init(&b, POLICY_MAX_BYTES);
	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			st = PREP_ERR_IO;
			break;
		}
		if ((st = prep_buf_append(&b, chunk, (size_t)n)) != PREP_OK)
			break;
	}
	close(fd);
	if (st == PREP_OK && (st = prep_buf_reserve(&b, 0)) == PREP_OK) {
		*data = b.data;
		*len = b.len;
		return PREP_OK;
	}
	prep_buf_free(&b);
	return st;
}

/* "dir/" of path, or "" */
static size_t
dir_len(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? (size_t)(slash - path) + 1 : 0;
}

prep_status
prep_rules_load_policy(prep_rules *rs, const char *path, prep_where *where,
		       char *err, size_t errsz)
{
	char *data, *p, *end;
	size_t len;
	prep_status st;
	unsigned long line = 0;

	where->file = path;
	where->line = 0;
	where->field = 0;
	if ((st = slurp(path, &data, &len)) != PREP_OK) {
		if (st == PREP_ERR_LIMIT)
			say(err, errsz, "policy file larger than %zu bytes",
			    POLICY_MAX_BYTES);
		return st;
	}
	end = data + len;
	for (p = data; p < end && st == PREP_OK;) {
		char *eol = memchr(p, '\n', (size_t)(end - p));
		char *e = eol ? eol : end, *cols, *act, *c, *start;
		size_t clen;
		prep_action a;

		line++;
		where->line = line;
		where->field = 0;
		if ((c = memchr(p, '\0', (size_t)(e - p))) != NULL) {
			where->field = (size_t)(c - p) + 1;
			st = say(err, errsz, "not a policy file (NUL byte)");
			break;
		}
		start = p;
		*e = '\0';
		/* Comments: '#' at the start or after a blank. */
		for (c = p; *c; c++)
			if (*c == '#' && (c == p || is_blank(c[-1]))) {
				*c = '\0';
				break;
			}
		for (c = p + strlen(p);
		     c > p && (is_blank(c[-1]) || c[-1] == '\r');)
			*--c = '\0';
		while (is_blank(*p))
			p++;
		cols = p;
		if (*cols == '\0') {
			p = e + 1;
			continue;
		}
		while (*p && !is_blank(*p))
			p++;
		clen = (size_t)(p - cols);
		while (is_blank(*p))
			p++;
		act = p;
		if (*act == '\0') {
			st = say(err, errsz, "rule without an action");
			break;
		}
		if ((st = prep_action_parse(act, &a, err, errsz)) != PREP_OK) {
			where->field = (size_t)(act - start) + 1;
			break;
		}
		where->field = (size_t)(cols - start) + 1;
		if (a.kind == PREP_ACT_HIERARCHY && a.path[0] != '/' &&
		    dir_len(path) > 0) {
			size_t dl = dir_len(path);
			char *full = malloc(dl + strlen(a.path) + 1);

			if (full == NULL) {
				action_free(&a);
				st = PREP_ERR_NOMEM;
				break;
			}
			memcpy(full, path, dl);
			strcpy(full + dl, a.path);
			free(a.path);
			a.path = full;
		}
		if ((st = push_rule(rs, cols, clen, &a, *where)) != PREP_OK) {
			action_free(&a);
			break;
		}
		where->field = 0;
		p = e + 1;
	}
	free(data);
	return st;
}

prep_status
prep_rules_load_hierarchies(prep_rules *rs, prep_where *where, const char **why)
{
	size_t i;
	prep_status st;

	for (i = 0; i < rs->n; i++) {
		prep_action *a = &rs->v[i].action;

		if (a->kind != PREP_ACT_HIERARCHY || a->hier)
			continue;
		st = prep_hierarchy_load_why(a->path, a->level, &a->hier, where,
					     why);
		if (st != PREP_OK)
			return st;
	}
	return PREP_OK;
}

prep_status
prep_action_apply(const prep_action *a, const prep_action_ctx *ctx,
		  const prep_field *column, const char *in, size_t len,
		  prep_buf *out, const char **res, size_t *res_len)
{
	prep_status st;
	int missing;

	*res = in;
	*res_len = len;
	missing = prep_missing_is(ctx->missing, in, len);
	if (missing && a->kind != PREP_ACT_REDACT &&
	    a->kind != PREP_ACT_HIERARCHY)
		return PREP_OK;
	prep_buf_reset(out);
	switch (a->kind) {
	case PREP_ACT_KEEP:
	case PREP_ACT_DROP:
		return PREP_OK;
	case PREP_ACT_REDACT:
		*res = a->text;
		*res_len = strlen(a->text);
		return PREP_OK;
	case PREP_ACT_HIERARCHY:
		st = prep_hierarchy_lookup(a->hier, in, len, res, res_len);
		if (st == PREP_ERR_NOT_FOUND && missing) {
			*res = in;
			*res_len = 0;
			return PREP_OK;
		}
		return st;
	case PREP_ACT_HASH:
		if ((st = prep_buf_reserve(out, 65)) != PREP_OK)
			return st;
		st = prep_hash_hex_memo(ctx->hasher, ctx->memo, in, len, a->n,
					out->data);
		/* empty stays empty, also when it is not a missing value */
		out->len = len ? a->n : 0;
		break;
	case PREP_ACT_ENCRYPT:
		if (column == NULL)
			return PREP_ERR_ARG;
		st = prep_encrypt_field(ctx->cipher, column->data, column->len,
					in, len, out);
		break;
	case PREP_ACT_DECRYPT:
		if (column == NULL)
			return PREP_ERR_ARG;
		st = prep_decrypt_field(ctx->cipher, column->data, column->len,
					ctx->legacy_tokens, in, len, out);
		break;
	case PREP_ACT_MASK:
		st = prep_mask(in, len, a->n, ctx->mask, ctx->mask_len, out);
		break;
	case PREP_ACT_TRUNCATE:
		st =
		    prep_truncate(in, len, a->n, ctx->mask, ctx->mask_len, out);
		break;
	case PREP_ACT_BIN:
		st = prep_bin(in, len, a->width, out);
		break;
	case PREP_ACT_TOPCODE:
		st = prep_topcode(in, len, a->threshold, a->text, out);
		break;
	case PREP_ACT_BOTTOMCODE:
		st = prep_bottomcode(in, len, a->threshold, a->text, out);
		break;
	case PREP_ACT_DATE:
		st = prep_date_generalize(in, len, a->unit, out);
		break;
	case PREP_ACT_AGE:
		st = prep_age(in, len, &a->ref, out);
		break;
	case PREP_ACT_SCRUB:
		st = prep_pii_scrub(ctx->pii, in, len, out, NULL);
		break;
	default:
		return PREP_ERR_ARG;
	}
	if (st == PREP_OK) {
		*res = out->data ? out->data : "";
		*res_len = out->len;
	}
	return st;
}

const char *
prep_action_strerror(prep_status st)
{
	switch (st) {
	case PREP_ERR_LEGACY_TOKEN:
		return "token made without column binding: use --legacy-tokens";
	case PREP_ERR_NOT_FOUND:
		return "value not in the hierarchy";
	case PREP_ERR_LIMIT:
		return "result too long";
	case PREP_ERR_AUTH:
	case PREP_ERR_UTF8:
	case PREP_ERR_RANGE:
		return prep_strerror(st);
	default:
		return prep_strerror(PREP_ERR_VALUE);
	}
}

void
prep_rule_origin(const prep_rule *r, char *buf, size_t n)
{
	if (r->where.file)
		(void)snprintf(buf, n, "%s:%lu", r->where.file, r->where.line);
	else if (r->action.kind == PREP_ACT_DECRYPT)
		(void)snprintf(buf, n, "--decrypt %s", r->columns);
	else
		(void)snprintf(buf, n, "-a %s", r->columns);
}

int
prep_rules_uses(const prep_rules *rs, prep_action_kind kind)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (rs->v[i].action.kind == kind)
			return 1;
	return 0;
}

int
prep_rules_need_key(const prep_rules *rs)
{
	return prep_rules_uses(rs, PREP_ACT_HASH) ||
	       prep_rules_uses(rs, PREP_ACT_ENCRYPT) ||
	       prep_rules_uses(rs, PREP_ACT_DECRYPT);
}

/* Give the columns of rule r their action; owner[c]: c's rule so far. */
static prep_status
bind_rule(const prep_rule *r, const prep_field *header, size_t ncols,
	  const prep_action **act, const prep_rule **owner,
	  prep_rules_fault *fault)
{
	size_t *idx = NULL, n = 0, j, c;
	int by_name = 0;
	prep_status st;

	fault->rule = r;
	st = prep_columns_resolve(r->columns, header, ncols, &idx, &n,
				  &fault->off, &fault->len, &by_name);
	if (st != PREP_OK)
		return st;
	fault->by_name |= by_name;
	for (j = 0; j < n; j++) {
		c = idx[j];
		if (owner[c] != NULL) {
			fault->column = c;
			fault->other = owner[c];
			free(idx);
			return PREP_ERR_ARG;
		}
		owner[c] = r;
		act[c] = &r->action;
	}
	free(idx);
	return PREP_OK;
}

prep_status
prep_rules_bind(const prep_rules *rs, const prep_field *header, size_t ncols,
		const prep_action ***act, prep_rules_fault *fault)
{
	/* arrays of pointers: sizeof *a is a pointer's size, as meant */
	/* NOLINTBEGIN(bugprone-sizeof-expression) */
	const prep_action **a = calloc(ncols ? ncols : 1, sizeof *a);
	const prep_rule **owner = calloc(ncols ? ncols : 1, sizeof *owner);
	/* NOLINTEND(bugprone-sizeof-expression) */
	prep_status st = a && owner ? PREP_OK : PREP_ERR_NOMEM;
	size_t i;

	memset(fault, 0, sizeof *fault);
	/* an input without even a header: no column for any rule */
	for (i = 0; ncols > 0 && i < rs->n && st == PREP_OK; i++)
		st = bind_rule(&rs->v[i], header, ncols, a, owner, fault);
	free(owner);
	if (st != PREP_OK) {
		free(a);
		a = NULL;
	}
	*act = a;
	return st;
}
