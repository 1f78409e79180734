/*
 * fuzz_policy.c: libFuzzer harness of anonymize's rule parsing (policy.h):
 * policy files, -a rule arguments, and applying the parsed actions.
 *
 * The whole input is written as a policy file p.policy in the process's
 * private directory (fuzz_common.h) and loaded with
 * prep_rules_load_policy(). Then every line (at most 64) is given to
 * prep_rules_add_arg() twice: as it is, and with its first run of blanks
 * turned into ':' (so "age bin:10" becomes the argument "age:bin:10").
 *
 * Hierarchy actions name files. The private directory holds h1.csv (an
 * ARX-style age hierarchy, ';'), h2.csv (quoted values, CRLF, ',') and no
 * missing.csv; a rule naming any other path (absolute, "../x", relative to
 * the working directory through -a) is pointed at h1.csv before
 * prep_rules_load_hierarchies() runs, so no host file is ever read.
 *
 * When the hierarchies load, every action of the first 64 rules is applied
 * (prep_action_apply) to fixed values and to words of the input, with a
 * key derived from a fixed IKM, in a column named by the rule's column
 * list, and checked: an encrypt token decrypts back to the value in that
 * column and fails authentication in another, even with legacy tokens
 * allowed; level 0 of a hierarchy maps a value to itself, a
 * hash has the requested length, and every result that is not the value
 * itself is NUL-terminated. Words of the input are also decrypted
 * as tokens (the --decrypt path), with and without --legacy-tokens.
 */
#include "fuzz_common.h"

#include "buf.h"
#include "keys.h"
#include "pii.h"
#include "policy.h"
#include "pseudo.h"

#define MAX_LINES 64
#define MAX_APPLY_RULES 64
#define MAX_WORDS 16
#define MAX_WORD 256

static const char h1[] = "39;35-39;30-39;*\n"
			 "40;40-44;40-49;*\n"
			 "41;40-44;40-49;*\n"
			 ";unknown;unknown;*\n";
static const char h2[] = "\"a,b\",\"x\"\"y\",top\r\n"
			 "plain,p,top\r\n"
			 "\"\xC3\xA9t\xC3\xA9\",\" \",top\r\n";

static struct {
	int ready;
	char h1[600], h2[600], missing[600], policy[600];
	prep_hasher *hasher;
	prep_cipher *cipher;
	prep_pii *pii;
} G;

static void
cleanup(void)
{
	unlink(G.h1);
	unlink(G.h2);
	prep_hasher_free(G.hasher);
	prep_cipher_free(G.cipher);
	prep_pii_free(G.pii);
}

static int
setup(void)
{
	static const unsigned char ikm[] = "fuzz-policy-fixed-key-material";
	prep_keys *k = NULL;

	if (G.ready)
		return G.ready > 0 ? 0 : -1;
	G.ready = -1;
	if (fuzz_path(G.h1, sizeof G.h1, "h1.csv") != 0 ||
	    fuzz_path(G.h2, sizeof G.h2, "h2.csv") != 0 ||
	    fuzz_path(G.missing, sizeof G.missing, "missing.csv") != 0 ||
	    fuzz_path(G.policy, sizeof G.policy, "p.policy") != 0 ||
	    fuzz_write_file(G.h1, h1, sizeof h1 - 1) != 0 ||
	    fuzz_write_file(G.h2, h2, sizeof h2 - 1) != 0)
		return -1;
	atexit(cleanup);
	if (prep_keys_from_ikm(ikm, sizeof ikm - 1, &k) != PREP_OK)
		return -1;
	if (prep_hasher_new(k, &G.hasher) != PREP_OK ||
	    prep_cipher_new(k, &G.cipher) != PREP_OK ||
	    prep_pii_new(PREP_PII_ALL, &G.pii) != PREP_OK) {
		prep_keys_free(k);
		return -1;
	}
	prep_keys_free(k);
	G.ready = 1;
	return 0;
}

/* Point a hierarchy rule that names a file outside our three at h1.csv. */
static int
confine(prep_rules *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		prep_action *a = &rs->v[i].action;
		char *p;

		if (a->kind != PREP_ACT_HIERARCHY)
			continue;
		if (a->path == NULL)
			abort();
		if (strcmp(a->path, G.h1) == 0 || strcmp(a->path, G.h2) == 0 ||
		    strcmp(a->path, G.missing) == 0)
			continue;
		if ((p = strdup(G.h1)) == NULL)
			return -1;
		free(a->path);
		a->path = p;
	}
	return 0;
}

static void
apply_one(const prep_action *a, const prep_action_ctx *ctx,
	  const prep_field *col, const char *v, size_t len, prep_buf *out,
	  prep_buf *back)
{
	static const prep_field other = {"another column", 14};
	const char *res;
	size_t rlen;
	prep_status st;

	st = prep_action_apply(a, ctx, col, v, len, out, &res, &rlen);
	if (st != PREP_OK)
		return;
	/* The result is the value itself or a NUL-terminated string. */
	if (res == NULL || (res != v && res[rlen] != '\0'))
		abort();
	if (a->kind == PREP_ACT_HIERARCHY && a->level == 0 && len > 0 &&
	    (rlen != len || memcmp(res, v, len) != 0))
		abort();
	if (a->kind == PREP_ACT_ENCRYPT) {
		if (prep_decrypt_field(ctx->cipher, col->data, col->len, 0, res,
				       rlen, back) != PREP_OK ||
		    back->len != len ||
		    (len && memcmp(back->data, v, len) != 0))
			abort();
		/* Bound to its column: under another name it never opens. */
		if (len > 0 &&
		    (col->len != other.len ||
		     memcmp(col->data, other.data, other.len) != 0) &&
		    prep_decrypt_field(ctx->cipher, other.data, other.len, 1,
				       res, rlen, back) != PREP_ERR_AUTH)
			abort();
	}
	if (a->kind == PREP_ACT_HASH && len > 0 && rlen != a->n)
		abort();
}

/* Split the input into words at blanks, newlines, ':' and ','. */
static size_t
words(const uint8_t *d, size_t n, const uint8_t **w, size_t *wl)
{
	size_t i = 0, k = 0;

	while (i < n && k < MAX_WORDS) {
		size_t s;

		while (i < n && strchr(" \t\r\n:,", d[i]) && d[i] != '\0')
			i++;
		s = i;
		while (i < n && (!strchr(" \t\r\n:,", d[i]) || d[i] == '\0'))
			i++;
		if (i > s) {
			w[k] = d + s;
			wl[k] = i - s > MAX_WORD ? MAX_WORD : i - s;
			k++;
		}
	}
	return k;
}

static void
apply_all(const prep_rules *rs, const uint8_t *data, size_t size)
{
	static const char *const fixed[] = {
	    "",
	    "39",
	    "41",
	    "-5",
	    "0",
	    "1e308",
	    "nan",
	    "2020-02-29",
	    "1999-12-31",
	    "plain",
	    "a,b",
	    "\xC3\xA9t\xC3\xA9",
	    "\xff\xfe",
	    "jane@example.com",
	    "call 555-123-4567 or 4111 1111 1111 1111"};
	const uint8_t *w[MAX_WORDS];
	size_t wl[MAX_WORDS], nw, i, j;
	prep_action_ctx ctx;
	prep_buf out, back;

	memset(&ctx, 0, sizeof ctx);
	ctx.hasher = G.hasher;
	ctx.cipher = G.cipher;
	ctx.pii = G.pii;
	ctx.mask = "*";
	ctx.mask_len = 1;
	prep_buf_init(&out, (size_t)1 << 20);
	prep_buf_init(&back, (size_t)1 << 20);
	nw = words(data, size, w, wl);
	for (i = 0; i < rs->n && i < MAX_APPLY_RULES; i++) {
		const prep_action *a = &rs->v[i].action;
		/* The rule's column list stands for a column name. */
		prep_field col = {rs->v[i].columns, strlen(rs->v[i].columns)};

		if (a->kind == PREP_ACT_DROP)
			continue;
		for (j = 0; j < sizeof fixed / sizeof fixed[0]; j++)
			apply_one(a, &ctx, &col, fixed[j], strlen(fixed[j]),
				  &out, &back);
		for (j = 0; j < nw; j++)
			apply_one(a, &ctx, &col, (const char *)w[j], wl[j],
				  &out, &back);
	}
	/* Words as --decrypt tokens, legacy or not: any status, no crash. */
	for (j = 0; j < nw; j++)
		if (prep_decrypt_field(G.cipher, "c", 1, (int)(j & 1),
				       (const char *)w[j], wl[j],
				       &out) == PREP_OK &&
		    out.data && out.data[out.len] != '\0')
			abort();
	prep_buf_free(&out);
	prep_buf_free(&back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	prep_rules rs;
	prep_where where;
	char err[256];
	const char *why;
	size_t i, nlines = 0;
	prep_status st;

	if (setup() != 0)
		return 0;
	if (fuzz_write_file(G.policy, data, size) != 0) {
		unlink(G.policy);
		return 0;
	}
	prep_rules_init(&rs);
	err[0] = '\0';
	st = prep_rules_load_policy(&rs, G.policy, &where, err, sizeof err);
	unlink(G.policy);
	if (st == PREP_ERR_ARG && err[0] == '\0')
		abort(); /* an argument error always says why */
	if (where.file != G.policy)
		abort();

	for (i = 0; i < size && nlines < MAX_LINES; nlines++) {
		const uint8_t *nl = memchr(data + i, '\n', size - i);
		size_t len = nl ? (size_t)(nl - (data + i)) : size - i;
		char *line = fuzz_strndup(data + i, len);
		char *p;

		if (line == NULL)
			break;
		(void)prep_rules_add_arg(&rs, line, err, sizeof err);
		p = line + strcspn(line, " \t");
		if (*p) {
			char *q = p + strspn(p, " \t");

			*p = ':';
			memmove(p + 1, q, strlen(q) + 1);
			(void)prep_rules_add_arg(&rs, line, err, sizeof err);
		}
		free(line);
		i += len + 1;
	}

	if (confine(&rs) == 0 &&
	    prep_rules_load_hierarchies(&rs, &where, &why) == PREP_OK)
		apply_all(&rs, data, size);
	prep_rules_free(&rs);
	return 0;
}
