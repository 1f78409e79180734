/*
 * anonymize: drop, pseudonymize, encrypt, mask and generalize columns, and
 * scrub personal data out of free text (man1/anonymize.1).
 *
 * Option parsing and messages only: rules are parsed, bound to columns
 * and applied by libprep/policy.c, keys read by cli_load_key
 * (tools/cli.c) and derived by libprep/keys.c.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "keys.h"
#include "policy.h"

enum {
	OPT_KEY_FILE = CLI_OPT_TOOL_BASE,
	OPT_STRICT,
	OPT_ON_ERROR,
	OPT_DECRYPT,
	OPT_MASK_CHAR,
	OPT_LEGACY_TOKENS,
};

/* --on-error's choices, in the order of their names. */
enum on_error { ON_ERROR_FAIL, ON_ERROR_BLANK, ON_ERROR_KEEP, ON_ERROR_N };
static const char *const on_error_names[] = {"fail", "blank", "keep"};

/* What the options ask for. */
struct options {
	prep_rules rules;
	const char *key_file, *key_source; /* source: for messages */
	const char *mask_char;
	enum on_error on_error;
	int strict, legacy_tokens;
};

/* The input's columns: action, name, cells the action could not read. */
struct columns {
	size_t n;
	int header;		 /* the input has a header */
	const prep_action **act; /* NULL: no rule */
	prep_field *names;	 /* header names, or numbers; copies */
	char *names_text;	 /* ... their bytes */
	uint64_t *unreadable;	 /* --on-error blank|keep: cells */
	uint64_t rows;		 /* records written, without the header */
};

static struct cli cli;

static void
usage(void)
{
	printf(
	    "usage: anonymize [-HhqVz] [-a RULE]... [-d C] [-o FILE] [-p POLICY]...\n"
	    "                 [--allow-empty] [--crlf] [--decrypt COLS] [--key-file FILE]\n"
	    "                 [--lazy-quotes] [--legacy-tokens] [--mask-char C]\n"
	    "                 [--max-field N] [--max-memory N] [--missing LIST]\n"
	    "                 [--on-error fail|blank|keep] [--part I/N [--part-by COL]]\n"
	    "                 [--progress] [--strict] [FILE...]\n"
	    "\n"
	    "Remove, pseudonymize, encrypt, mask and generalize columns of CSV.\n"
	    "A RULE is COLUMNS:ACTION[:ARG...]; actions: keep, drop, hash[:N],\n"
	    "encrypt, mask[:N], truncate:N, redact[:TEXT], bin:W, topcode:T,\n"
	    "bottomcode:B, date:year|month|decade, age:REFDATE,\n"
	    "hierarchy:FILE:LEVEL, scrub.\n"
	    "\n"
	    "  -p, --policy FILE   rules from FILE (prep-policy(5))\n"
	    "  -a, --action RULE   one rule; may repeat\n"
	    "      --key-file FILE key for hash, encrypt and --decrypt (or PREP_KEY_FILE)\n"
	    "      --decrypt COLS  decrypt tokens made by encrypt in columns of the same name\n"
	    "      --legacy-tokens also decrypt tokens made before the column binding\n"
	    "      --strict        every column must have a rule (all missing are named)\n"
	    "      --on-error WHAT a value an action can't read: fail (default),\n"
	    "                      blank, or keep it (counts by column on stderr)\n"
	    "      --mask-char C   character for mask and truncate (default *)\n" CLI_COMMON_HELP
	    "\n"
	    "Exit status: 0 done, 2 usage error, bad input or I/O error.\n");
}

static void
add_rule_arg(prep_rules *rs, const char *arg)
{
	char err[256];
	prep_status st = prep_rules_add_arg(rs, arg, err, sizeof err);

	if (st == PREP_ERR_ARG)
		cli_usage_error(&cli, "-a %s: %s", arg, err);
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, "-a");
}

static void
add_policy(prep_rules *rs, const char *path)
{
	char err[256];
	prep_where w;
	prep_status st = prep_rules_load_policy(rs, path, &w, err, sizeof err);

	cli_audit_file(&cli, "--policy", path);
	if (st == PREP_ERR_ARG && w.field > 0)
		cli_fatal(&cli, "%s:%lu:%zu: %s", path, w.line, w.field, err);
	if (st == PREP_ERR_ARG)
		cli_fatal_at(&cli, w, "%s", err);
	if (st == PREP_ERR_LIMIT)
		cli_fatal(&cli, "%s: %s", path, err);
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, path);
}

/* The name of column i for messages: "column 'NAME'" or "column N". */
static void
column_label(const struct columns *c, size_t i, char *buf, size_t n)
{
	if (c->header)
		(void)snprintf(buf, n, "column '%.*s'", (int)c->names[i].len,
			       c->names[i].data);
	else
		(void)snprintf(buf, n, "column %zu", i + 1);
}

/*
 * The name of each column, copied to outlive the reader: its header
 * field, or without a header its number in decimal ("1", "2", ...), as
 * columns are named; encrypt binds its tokens to it.
 */
static void
column_names(struct columns *c, const prep_field *header)
{
	enum { WIDTH = PREP_COLUMNS_LABEL_SIZE };
	char number[PREP_COLUMNS_LABEL_SIZE];
	size_t i, off = 0, size = 1;
	prep_field f;
	char *p;

	for (i = 0; i < c->n; i++)
		size += (header ? header[i].len : WIDTH) + 1;
	c->names = calloc(c->n ? c->n : 1, sizeof *c->names);
	c->names_text = p = malloc(size);
	if (c->names == NULL || p == NULL)
		cli_fatal(&cli, "out of memory");
	for (i = 0; i < c->n; i++) {
		f = cli_column_label(&cli, i, number);
		c->names[i].data = p + off;
		c->names[i].len = f.len;
		memcpy(p + off, f.data, f.len);
		p[off + f.len] = '\0';
		off += c->names[i].len + 1;
	}
}

/* Each column's action; a rule that can't be bound is a usage error. */
static void
bind_columns(struct options *o, struct columns *c, const prep_field *header)
{
	prep_rules_fault fault;
	const prep_rule *r;
	char o1[300], o2[300], col[300], msg[1024];
	prep_status st =
	    prep_rules_bind(&o->rules, header, c->n, &c->act, &fault);

	if (fault.by_name)
		cli_unique_names(&cli);
	if (st == PREP_OK)
		return;
	if (st == PREP_ERR_NOMEM)
		cli_fatal(&cli, "out of memory");
	r = fault.rule;
	/* a policy's column is named by its place only */
	if (st == PREP_ERR_COLUMN && r->where.file)
		(void)snprintf(o1, sizeof o1, "%s:%lu:%zu", r->where.file,
			       r->where.line, r->where.field + fault.off);
	else
		prep_rule_origin(st == PREP_ERR_ARG ? fault.other : r, o1,
				 sizeof o1);
	if (st == PREP_ERR_COLUMN) {
		cli_unknown_column_text(&cli, msg, sizeof msg, o1,
					r->columns + fault.off, fault.len,
					r->where.file == NULL);
	} else if (st == PREP_ERR_ARG) {
		prep_rule_origin(r, o2, sizeof o2);
		column_label(c, fault.column, col, sizeof col);
		(void)snprintf(msg, sizeof msg, "%s has two rules (%s and %s)",
			       col, o1, o2);
	} else {
		(void)snprintf(msg, sizeof msg, "%s", prep_strerror(st));
	}
	prep_rules_free(&o->rules);
	cli_usage_error(&cli, "%s", msg);
}

/*
 * --strict: every column without a rule in one message ("--strict: no
 * rule for columns 'a', 'b'"), so that one run shows them all. Column
 * names are not personal data.
 */
static char *strict_msg; /* a root, for the leak checker, at the exit */

static void
check_strict(struct options *o, struct columns *c)
{
	size_t i, n = 0, len = 0;
	FILE *f;

	for (i = 0; i < c->n; i++)
		n += c->act[i] == NULL;
	if (n == 0)
		return;
	if ((f = open_memstream(&strict_msg, &len)) == NULL)
		cli_fatal(&cli, "out of memory");
	(void)fprintf(f, "--strict: no rule for column%s", n == 1 ? "" : "s");
	for (i = 0, n = 0; i < c->n; i++)
		if (c->act[i] == NULL)
			(void)fprintf(f, c->header ? "%s'%.*s'" : "%s%.*s",
				      n++ ? ", " : " ", (int)c->names[i].len,
				      c->names[i].data);
	if (fclose(f) != 0)
		cli_fatal(&cli, "out of memory");
	free(c->act);
	c->act = NULL;
	prep_rules_free(&o->rules);
	cli_fatal(&cli, "%s", strict_msg);
}

/*
 * A pseudonym of N hex digits is one of 16^N: among n distinct values
 * about n(n-1) / (2 * 16^N) pairs share one (prep_hash_pairs), and a join
 * on the column merges those people. One warning per column whose rule
 * keeps fewer than PREP_HASH_WARN_HEX digits, with the expected pairs at
 * a million distinct values and the count that makes one pair likely.
 */
static void
warn_short_hashes(const struct columns *c)
{
	char col[300];
	size_t i;

	for (i = 0; i < c->n; i++) {
		const prep_action *a = c->act[i];

		if (!a || a->kind != PREP_ACT_HASH ||
		    a->n >= PREP_HASH_WARN_HEX)
			continue;
		column_label(c, i, col, sizeof col);
		cli_warn(&cli,
			 "%s: hash:%zu pseudonyms collide: expect about %.3g "
			 "colliding pairs among 1000000 distinct values, 1 "
			 "among %llu; use hash:%d or longer",
			 col, a->n, prep_hash_pairs(a->n, 1e6),
			 prep_hash_values_per_pair(a->n), PREP_HASH_WARN_HEX);
	}
}

/* A value the action of column col could not read: exit 2. */
static void __attribute__((noreturn))
value_error(prep_status st, const prep_action *a, size_t col, prep_where w)
{
	char what[160];

	if (st == PREP_ERR_NOMEM)
		cli_fatal(&cli, "out of memory");
	(void)snprintf(what, sizeof what, "%s: %s", prep_action_name(a->kind),
		       prep_action_strerror(st));
	cli_fatal_cell_at(&cli, w, col, what);
}

static void
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
	    CLI_COMMON_LONGOPTS,
	    {"policy", required_argument, NULL, 'p'},
	    {"action", required_argument, NULL, 'a'},
	    {"key-file", required_argument, NULL, OPT_KEY_FILE},
	    {"strict", no_argument, NULL, OPT_STRICT},
	    {"on-error", required_argument, NULL, OPT_ON_ERROR},
	    {"decrypt", required_argument, NULL, OPT_DECRYPT},
	    {"mask-char", required_argument, NULL, OPT_MASK_CHAR},
	    {"legacy-tokens", no_argument, NULL, OPT_LEGACY_TOKENS},
	    {NULL, 0, NULL, 0},
	};
	size_t nchars, k;
	int opt;

	memset(o, 0, sizeof *o);
	prep_rules_init(&o->rules);
	o->key_file = getenv("PREP_KEY_FILE");
	o->key_source = "PREP_KEY_FILE";
	o->mask_char = "*";
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "p:a:",
				  longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			add_policy(&o->rules, optarg);
			break;
		case 'a':
			add_rule_arg(&o->rules, optarg);
			break;
		case OPT_KEY_FILE:
			o->key_file = optarg;
			o->key_source = "--key-file";
			break;
		case OPT_STRICT:
			o->strict = 1;
			break;
		case OPT_ON_ERROR:
			for (k = 0; k < ON_ERROR_N &&
				    strcmp(optarg, on_error_names[k]) != 0;
			     k++)
				;
			if (k == ON_ERROR_N)
				cli_usage_error(
				    &cli,
				    "--on-error must be fail, blank or keep");
			o->on_error = (enum on_error)k;
			break;
		case OPT_DECRYPT:
			if (prep_rules_add_simple(&o->rules, optarg,
						  PREP_ACT_DECRYPT) != PREP_OK)
				cli_fatal(&cli, "out of memory");
			break;
		case OPT_LEGACY_TOKENS:
			o->legacy_tokens = 1;
			break;
		case OPT_MASK_CHAR:
			o->mask_char = optarg;
			if (prep_utf8_count(optarg, strlen(optarg), &nchars) !=
				PREP_OK ||
			    nchars != 1)
				cli_usage_error(
				    &cli, "--mask-char must be one character");
			break;
		default:
			if (!cli_common_option(&cli, opt, optarg))
				cli_usage_error(&cli, "unknown option");
		}
	}
	if (o->legacy_tokens && !prep_rules_uses(&o->rules, PREP_ACT_DECRYPT))
		cli_usage_error(&cli, "--legacy-tokens is for --decrypt");
}

/* What the actions need: the key's hasher and cipher, PII, hierarchies. */
static void
set_up(struct options *o, prep_action_ctx *ctx)
{
	prep_keys *keys;
	prep_status st;
	prep_where w;
	const char *why = NULL;

	memset(ctx, 0, sizeof *ctx);
	ctx->legacy_tokens = o->legacy_tokens;
	ctx->mask = o->mask_char;
	ctx->mask_len = strlen(o->mask_char);
	ctx->missing = cli.missing;
	if (prep_rules_need_key(&o->rules)) {
		if (o->key_file == NULL || *o->key_file == '\0')
			cli_usage_error(
			    &cli,
			    "hash, encrypt and --decrypt need a key: --key-file FILE or PREP_KEY_FILE");
		keys = cli_load_key(&cli, o->key_file, o->key_source);
		st = prep_hasher_new(keys, &ctx->hasher);
		if (st == PREP_OK)
			st = prep_cipher_new(keys, &ctx->cipher);
		/* The hasher and the cipher hold their own state now. */
		prep_keys_free(keys);
		if (st != PREP_OK)
			cli_fatal(&cli, "cannot set up the cryptography");
	}
	if (prep_rules_uses(&o->rules, PREP_ACT_SCRUB) &&
	    prep_pii_new(PREP_PII_ALL, &ctx->pii) != PREP_OK)
		cli_fatal(&cli, "cannot compile the PII patterns");
	st = prep_rules_load_hierarchies(&o->rules, &w, &why);
	if (st == PREP_ERR_IO)
		cli_fatal_status(&cli, st, w.file);
	if (st == PREP_ERR_ARG && why)
		cli_fatal_at(&cli, w, "hierarchy: %s", why);
	if (st != PREP_OK)
		cli_fatal_at(&cli, w, "hierarchy: %s", prep_strerror(st));
}

/* The columns of the input, with their actions and names. */
static void
open_columns(struct options *o, struct columns *c)
{
	const prep_field *header = prep_reader_header(cli.reader, &c->n);

	c->header = header != NULL;
	column_names(c, header);
	bind_columns(o, c, header);
	if (o->strict)
		check_strict(o, c);
	warn_short_hashes(c);
	if ((c->unreadable = calloc(c->n ? c->n : 1, sizeof *c->unreadable)) ==
	    NULL)
		cli_fatal(&cli, "out of memory");
}

/* One worker's share of the run (-j): its own cipher, PII matcher and
 * buffer; what it counted, added up after the run. */
struct worker {
	const struct options *o;
	prep_action_ctx ctx;
	struct columns *c;
	uint64_t *unreadable;
	uint64_t rows;
	prep_buf out;
	/* a value an action could not read (--on-error fail) */
	prep_status st;
	size_t col;
	int kept; /* every column kept: records go out as read */
};

static prep_status
anonymize_row(void *arg, const prep_field *f, size_t n, const prep_par_row *at,
	      prep_writer *w)
{
	struct worker *k = arg;
	const struct columns *c = k->c;
	const char *res;
	size_t i, rlen;
	prep_status st;

	if (k->kept) {
		if ((st = prep_writer_copy_record(w, at->reader)) != PREP_OK)
			return st;
		k->rows++;
		return PREP_OK;
	}
	for (i = 0; i < n; i++) {
		const prep_action *a = c->act[i];

		res = f[i].data;
		rlen = f[i].len;
		if (a && a->kind == PREP_ACT_DROP)
			continue;
		if (!a || a->kind == PREP_ACT_KEEP) {
			size_t j = i + 1; /* the run of kept columns */

			while (j < n &&
			       (!c->act[j] || c->act[j]->kind == PREP_ACT_KEEP))
				j++;
			if ((st = prep_writer_copy_fields(w, at->reader, i,
							  j)) != PREP_OK)
				return st;
			i = j - 1;
			continue;
		}
		if (a && a->kind != PREP_ACT_KEEP &&
		    (st = prep_action_apply(a, &k->ctx, &c->names[i], f[i].data,
					    f[i].len, &k->out, &res, &rlen)) !=
			PREP_OK) {
			if (k->o->on_error == ON_ERROR_FAIL ||
			    st == PREP_ERR_NOMEM) {
				k->st = st;
				k->col = i;
				return st;
			}
			k->unreadable[i]++;
			res = f[i].data;
			rlen = k->o->on_error == ON_ERROR_KEEP ? f[i].len : 0;
		}
		if ((st = prep_writer_field(w, res, rlen)) != PREP_OK)
			return st;
	}
	if ((st = prep_writer_end_row(w)) != PREP_OK)
		return st;
	k->rows++;
	return PREP_OK;
}

/* Worker i's context: worker 0 uses the run's own cipher and matcher. */
static void
worker_init(struct worker *k, unsigned i, const struct options *o,
	    const prep_action_ctx *ctx, struct columns *c)
{
	size_t j;

	memset(k, 0, sizeof *k);
	k->o = o;
	k->ctx = *ctx;
	k->c = c;
	k->kept = 1;
	for (j = 0; j < c->n; j++)
		k->kept &= !c->act[j] || c->act[j]->kind == PREP_ACT_KEEP;
	prep_buf_init(&k->out, 0);
	k->unreadable = calloc(c->n ? c->n : 1, sizeof *k->unreadable);
	if (k->unreadable == NULL)
		cli_fatal(&cli, "out of memory");
	if (ctx->hasher && prep_hash_memo_new(&k->ctx.memo) != PREP_OK)
		cli_fatal(&cli, "cannot set up the cryptography");
	if (i == 0)
		return;
	if (ctx->cipher &&
	    prep_cipher_clone(ctx->cipher, &k->ctx.cipher) != PREP_OK)
		cli_fatal(&cli, "cannot set up the cryptography");
	if (ctx->pii && prep_pii_new(PREP_PII_ALL, &k->ctx.pii) != PREP_OK)
		cli_fatal(&cli, "cannot compile the PII patterns");
}

static void
worker_free(struct worker *k, unsigned i)
{
	if (i > 0) {
		prep_cipher_free(k->ctx.cipher);
		prep_pii_free(k->ctx.pii);
	}
	prep_hash_memo_free(k->ctx.memo);
	prep_buf_free(&k->out);
	free(k->unreadable);
}

/* The header without the dropped columns, then every row anonymized. */
static void
write_rows(const struct options *o, const prep_action_ctx *ctx,
	   struct columns *c)
{
	static const prep_par_job job = {.row = anonymize_row};
	struct worker *k = calloc(cli.threads, sizeof *k);
	void **ctxs = calloc(cli.threads, sizeof *ctxs);
	prep_par_result res;
	unsigned t;
	size_t i;

	if (k == NULL || ctxs == NULL)
		cli_fatal(&cli, "out of memory");
	for (i = 0; c->header && i < c->n; i++)
		if (!c->act[i] || c->act[i]->kind != PREP_ACT_DROP)
			cli_write_check(&cli, prep_writer_field(
						  cli.writer, c->names[i].data,
						  c->names[i].len));
	if (c->header)
		cli_write_check(&cli, prep_writer_end_row(cli.writer));
	for (t = 0; t < cli.threads; t++) {
		worker_init(&k[t], t, o, ctx, c);
		ctxs[t] = &k[t];
	}
	if (cli_run_rows(&cli, cli.writer, &job, ctxs, &res) != PREP_OK) {
		struct worker *bad = &k[res.worker];

		if (res.by_output || bad->st == PREP_OK) /* the writer's */
			cli_write_check(&cli, res.status);
		value_error(bad->st, c->act[bad->col], bad->col, res.where);
	}
	for (t = 0; t < cli.threads; t++) {
		for (i = 0; i < c->n; i++)
			c->unreadable[i] += k[t].unreadable[i];
		c->rows += k[t].rows;
		worker_free(&k[t], t);
	}
	free(k);
	free(ctxs);
}

/*
 * --on-error blank|keep: how many cells of each column the action could
 * not read, one line per column that had any, so that what was blanked
 * or kept is known. Column names are not personal data; cells are.
 */
static void
report_unreadable(const struct options *o, const struct columns *c)
{
	const char *how = on_error_names[o->on_error];
	const char *done = o->on_error == ON_ERROR_BLANK ? "blanked" : "kept";
	unsigned long long k;
	size_t i;

	for (i = 0; i < c->n; i++) {
		if ((k = c->unreadable[i]) == 0)
			continue;
		if (c->header)
			cli_note(
			    &cli,
			    "--on-error %s: %llu cell%s of column %zu (%.*s) %s",
			    how, k, k == 1 ? "" : "s", i + 1,
			    (int)c->names[i].len, c->names[i].data, done);
		else
			cli_note(&cli,
				 "--on-error %s: %llu cell%s of column %zu %s",
				 how, k, k == 1 ? "" : "s", i + 1, done);
	}
}

/*
 * The run's checks in the audit record (the check contract, anonymize):
 * action:COL, the name of the action applied to each input column in
 * header order ("keep" for a column without a rule; COL the column's
 * name, or its number without a header: names of columns are not
 * personal data), then the rows written. An action's name only: never
 * its arguments, which may hold a redact text or a file's path.
 */
static void
record_checks(const struct columns *c)
{
	size_t i, size = 0;
	char *name;

	if (!cli_audit_on(&cli))
		return;
	for (i = 0; i < c->n; i++)
		if (c->names[i].len > size)
			size = c->names[i].len;
	if ((name = malloc(size + sizeof "action:")) == NULL)
		cli_fatal(&cli, "out of memory");
	for (i = 0; i < c->n; i++) {
		memcpy(name, "action:", 7);
		memcpy(name + 7, c->names[i].data, c->names[i].len);
		name[7 + c->names[i].len] = '\0';
		cli_audit_check_text(&cli, name,
				     prep_action_name(c->act[i]
							  ? c->act[i]->kind
							  : PREP_ACT_KEEP),
				     NULL, -1);
	}
	free(name);
	cli_audit_figure(&cli, "rows", (double)c->rows);
}

int
main(int argc, char **argv)
{
	struct options o;
	struct columns c;
	prep_action_ctx ctx;

	memset(&c, 0, sizeof c);
	cli_init(&cli, "anonymize", usage);
	parse_options(argc, argv, &o);
	set_up(&o, &ctx);
	cli_open_input(&cli, argc - optind, argv + optind);
	open_columns(&o, &c);
	cli_open_output(&cli);
	write_rows(&o, &ctx, &c);
	cli_finish(&cli);
	report_unreadable(&o, &c);
	record_checks(&c);
	free(c.unreadable);
	free(c.names);
	free(c.names_text);
	free(c.act);
	prep_hasher_free(ctx.hasher);
	prep_cipher_free(ctx.cipher);
	prep_pii_free(ctx.pii);
	prep_rules_free(&o.rules);
	return 0;
}
