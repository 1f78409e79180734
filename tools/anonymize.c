/*
 * anonymize: drop, pseudonymize, encrypt, mask and generalize columns, and
 * scrub personal data out of free text (man1/anonymize.1).
 *
 * Option parsing and messages only: rules are parsed and applied by
 * libprep/policy.c, keys read by cli_load_key (tools/cli.c) and derived
 * by libprep/keys.c.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "columns.h"
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

enum on_error { ON_ERROR_FAIL, ON_ERROR_BLANK, ON_ERROR_KEEP };

static struct cli cli;

static void
usage(void)
{
	printf("usage: anonymize [-p POLICY]... [-a RULE]... [--key-file FILE] "
	       "[--strict]\n"
	       "                 [--on-error fail|blank|keep] [--decrypt "
	       "COLUMNS [--legacy-tokens]]\n"
	       "                 [--mask-char C] [common options] [FILE...]\n"
	       "\n"
	       "Remove, pseudonymize, encrypt, mask and generalize columns "
	       "of CSV.\n"
	       "A RULE is COLUMNS:ACTION[:ARG...]; actions: keep, drop, "
	       "hash[:N],\n"
	       "encrypt, mask[:N], truncate:N, redact[:TEXT], bin:W, "
	       "topcode:T,\n"
	       "bottomcode:B, date:year|month|decade, age:REFDATE,\n"
	       "hierarchy:FILE:LEVEL, scrub.\n"
	       "\n"
	       "  -p, --policy FILE   rules from FILE (prep-policy(5))\n"
	       "  -a, --action RULE   one rule; may repeat\n"
	       "      --key-file FILE key for hash, encrypt and --decrypt "
	       "(or PREP_KEY_FILE)\n"
	       "      --decrypt COLS  decrypt tokens made by encrypt in "
	       "columns of the same name\n"
	       "      --legacy-tokens also decrypt tokens made before the "
	       "column binding\n"
	       "      --strict        every column must have a rule (all "
	       "missing are named)\n"
	       "      --on-error WHAT a value an action can't read: fail "
	       "(default),\n"
	       "                      blank, or keep it (counts by column "
	       "on stderr)\n"
	       "      --mask-char C   character for mask and truncate "
	       "(default *)\n" CLI_COMMON_HELP
	       "\nExit status: 0 done, 2 usage error, bad input or I/O "
	       "error.\n");
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

	if (st == PREP_ERR_ARG && w.field > 0)
		cli_fatal(&cli, "%s:%lu:%zu: %s", path, w.line, w.field, err);
	if (st == PREP_ERR_ARG)
		cli_fatal_at(&cli, w, "%s", err);
	if (st == PREP_ERR_LIMIT)
		cli_fatal(&cli, "%s: %s", path, err);
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, path);
}

/* Where a rule came from, for messages. */
static void
rule_origin(const prep_rule *r, char *buf, size_t n)
{
	if (r->where.file)
		snprintf(buf, n, "%s:%lu", r->where.file, r->where.line);
	else if (r->action.kind == PREP_ACT_DECRYPT)
		snprintf(buf, n, "--decrypt %s", r->columns);
	else
		snprintf(buf, n, "-a %s", r->columns);
}

static int
needs_key(const prep_rules *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		prep_action_kind k = rs->v[i].action.kind;

		if (k == PREP_ACT_HASH || k == PREP_ACT_ENCRYPT ||
		    k == PREP_ACT_DECRYPT)
			return 1;
	}
	return 0;
}

static int
uses(const prep_rules *rs, prep_action_kind kind)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (rs->v[i].action.kind == kind)
			return 1;
	return 0;
}

/* The name of column c for messages: its header label or its number. */
static void
column_label(const prep_field *header, size_t c, char *buf, size_t n)
{
	if (header)
		snprintf(buf, n, "column '%.*s'", (int)header[c].len,
			 header[c].data);
	else
		snprintf(buf, n, "column %zu", c + 1);
}

/*
 * Map each input column to its rule's action (NULL: no rule). A rule
 * that names an unknown column, or two rules for one column, return NULL
 * with msg set (a usage error). Frees what it allocated either way, so
 * the caller can exit; exits itself when out of memory.
 */
static const prep_action **
bind_rules(const prep_rules *rs, const prep_field *header, size_t ncols,
	   char *msg, size_t msgsz)
{
	/* arrays of pointers: sizeof *act is a pointer's size, as meant */
	/* NOLINTBEGIN(bugprone-sizeof-expression) */
	const prep_action **act = calloc(ncols ? ncols : 1, sizeof *act);
	const prep_rule **owner = calloc(ncols ? ncols : 1, sizeof *owner);
	/* NOLINTEND(bugprone-sizeof-expression) */
	size_t i, j, *idx = NULL, n, off, blen;
	char o1[300], o2[300], col[300];
	prep_status st;
	int by_name;

	msg[0] = '\0';
	if (!act || !owner) {
		free(owner);
		free(act);
		cli_fatal(&cli, "out of memory");
	}
	for (i = 0; i < rs->n; i++) {
		const prep_rule *r = &rs->v[i];

		st = prep_columns_resolve(r->columns, header, ncols, &idx, &n,
					  &off, &blen, &by_name);
		if (st == PREP_OK && by_name)
			cli_unique_names(&cli);
		if (st != PREP_OK) {
			/* a policy's column is named by its place only */
			if (st == PREP_ERR_COLUMN && r->where.file)
				snprintf(o1, sizeof o1, "%s:%lu:%zu",
					 r->where.file, r->where.line,
					 r->where.field + off);
			else
				rule_origin(r, o1, sizeof o1);
			if (st == PREP_ERR_COLUMN)
				cli_unknown_column_text(&cli, msg, msgsz, o1,
							r->columns + off, blen,
							r->where.file == NULL);
			else
				snprintf(msg, msgsz, "%s", prep_strerror(st));
			goto fail;
		}
		for (j = 0; j < n; j++) {
			size_t c = idx[j];

			if (owner[c] != NULL) {
				rule_origin(owner[c], o1, sizeof o1);
				rule_origin(r, o2, sizeof o2);
				column_label(header, c, col, sizeof col);
				snprintf(msg, msgsz,
					 "%s has two rules (%s and "
					 "%s)",
					 col, o1, o2);
				goto fail;
			}
			owner[c] = r;
			act[c] = &r->action;
		}
		free(idx);
		idx = NULL;
	}
	free(owner);
	return act;
fail:
	free(idx);
	free(owner);
	free(act);
	return NULL;
}

/*
 * --strict: every column without a rule in one message ("--strict: no
 * rule for columns 'a', 'b'"), so that one run shows them all; NULL when
 * each has one. Column names are not personal data.
 */
static char *strict_msg; /* a root, for the leak checker, at the exit */

static char *
unruled_columns(const prep_action **act, const prep_field *header,
		size_t ncols)
{
	char *text = NULL;
	size_t i, n = 0, len = 0;
	FILE *f;

	for (i = 0; i < ncols; i++)
		n += act[i] == NULL;
	if (n == 0)
		return NULL;
	if ((f = open_memstream(&text, &len)) == NULL)
		cli_fatal(&cli, "out of memory");
	fprintf(f, "--strict: no rule for column%s", n == 1 ? "" : "s");
	for (i = 0, n = 0; i < ncols; i++) {
		if (act[i])
			continue;
		fputs(n++ ? ", " : " ", f);
		if (header)
			fprintf(f, "'%.*s'", (int)header[i].len,
				header[i].data);
		else
			fprintf(f, "%zu", i + 1);
	}
	if (fclose(f) != 0) {
		free(text);
		cli_fatal(&cli, "out of memory");
	}
	return text;
}

/*
 * A pseudonym of N hex digits is one of 16^N: among n distinct values
 * about n(n-1) / (2 * 16^N) pairs share one (prep_hash_pairs), and a join
 * on the column merges those people. One warning per column whose rule
 * keeps fewer than PREP_HASH_WARN_HEX digits, with the expected pairs at
 * a million distinct values and the count that makes one pair likely.
 */
static void
warn_short_hashes(const prep_action **act, const prep_field *header,
		  size_t ncols)
{
	char col[300];
	size_t i;

	for (i = 0; i < ncols; i++) {
		if (!act[i] || act[i]->kind != PREP_ACT_HASH ||
		    act[i]->n >= PREP_HASH_WARN_HEX)
			continue;
		column_label(header, i, col, sizeof col);
		cli_warn(&cli,
			 "%s: hash:%zu pseudonyms collide: expect about %.3g "
			 "colliding pairs among 1000000 distinct values, 1 "
			 "among %llu; use hash:%d or longer",
			 col, act[i]->n, prep_hash_pairs(act[i]->n, 1e6),
			 prep_hash_values_per_pair(act[i]->n),
			 PREP_HASH_WARN_HEX);
	}
}

/*
 * The name each column's tokens are bound to: its header name, or without
 * a header its number in decimal ("1", "2", ...), as columns are named.
 * *text holds the digits; both are freed by the caller.
 */
static prep_field *
column_names(const prep_field *header, size_t ncols, char **text)
{
	prep_field *names = calloc(ncols ? ncols : 1, sizeof *names);
	size_t i, off = 0, width = 21; /* digits of a size_t, and a NUL */
	char *p = NULL;
	int w;

	if (names == NULL)
		cli_fatal(&cli, "out of memory");
	if (header == NULL &&
	    (p = malloc(ncols ? ncols * width : 1)) == NULL) {
		free(names);
		cli_fatal(&cli, "out of memory");
	}
	for (i = 0; i < ncols; i++) {
		if (header) {
			names[i] = header[i];
			continue;
		}
		w = snprintf(p + off, width, "%zu", i + 1);
		names[i].data = p + off;
		names[i].len = (size_t)w;
		off += (size_t)w + 1;
	}
	*text = p;
	return names;
}

static void
value_error(prep_status st, size_t col, const prep_field *header,
	    const prep_action *a)
{
	prep_where w = prep_reader_where(cli.reader);
	const char *why = st == PREP_ERR_AUTH	     ? "token failed "
						       "authentication"
			  : st == PREP_ERR_LEGACY_TOKEN
			      ? "token made without column binding: use "
				"--legacy-tokens"
			  : st == PREP_ERR_NOT_FOUND ? "value not in the "
						       "hierarchy"
			  : st == PREP_ERR_UTF8	     ? "invalid UTF-8"
			  : st == PREP_ERR_RANGE     ? "number out of range"
			  : st == PREP_ERR_LIMIT     ? "result too long"
						     : "value cannot be read";

	if (st == PREP_ERR_NOMEM)
		cli_fatal(&cli, "out of memory");
	if (header)
		cli_fatal_at(&cli, w, "field %zu (%.*s): %s: %s", col + 1,
			     (int)header[col].len, header[col].data,
			     prep_action_name(a->kind), why);
	cli_fatal_at(&cli, w, "field %zu: %s: %s", col + 1,
		     prep_action_name(a->kind), why);
}

/*
 * --on-error blank|keep: how many cells of each column the action could
 * not read, one line per column that had any, so that what was blanked
 * or kept is known. Column names are not personal data; cells are. The
 * text is made while the header is still there (cli_finish frees it) and
 * written once the output is; NULL when there is nothing to say.
 */
static char *
on_error_report(enum on_error on_error, const uint64_t *count,
		const prep_field *header, size_t ncols)
{
	const char *how = on_error == ON_ERROR_BLANK ? "blank" : "keep";
	const char *done = on_error == ON_ERROR_BLANK ? "blanked" : "kept";
	char *text = NULL;
	size_t i, len = 0;
	FILE *f;

	for (i = 0; i < ncols && count[i] == 0; i++)
		;
	if (i == ncols)
		return NULL;
	if ((f = open_memstream(&text, &len)) == NULL)
		cli_fatal(&cli, "out of memory");
	for (; i < ncols; i++) {
		if (count[i] == 0)
			continue;
		fprintf(f, "anonymize: --on-error %s: %llu cell%s of column %zu",
			how, (unsigned long long)count[i],
			count[i] == 1 ? "" : "s", i + 1);
		if (header)
			fprintf(f, " (%.*s)", (int)header[i].len,
				header[i].data);
		fprintf(f, " %s\n", done);
	}
	if (fclose(f) != 0) {
		free(text);
		cli_fatal(&cli, "out of memory");
	}
	return text;
}

int
main(int argc, char **argv)
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
	prep_rules rules;
	prep_action_ctx ctx;
	prep_keys *keys;
	const char *key_file = getenv("PREP_KEY_FILE");
	const char *key_source = "PREP_KEY_FILE";
	const char *mask_char = "*";
	const prep_action **act;
	const prep_field *header, *f;
	prep_field *names;
	char *name_text;
	uint64_t *unreadable;
	char *report;
	enum on_error on_error = ON_ERROR_FAIL;
	int strict = 0, legacy_tokens = 0, opt;
	size_t ncols, n, i, nchars;
	prep_buf out;
	prep_status st;
	prep_where w;
	const char *why = NULL;
	char msg[1024];

	cli_init(&cli, "anonymize", usage);
	prep_rules_init(&rules);
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "p:a:",
				  longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			add_policy(&rules, optarg);
			break;
		case 'a':
			add_rule_arg(&rules, optarg);
			break;
		case OPT_KEY_FILE:
			key_file = optarg;
			key_source = "--key-file";
			break;
		case OPT_STRICT:
			strict = 1;
			break;
		case OPT_ON_ERROR:
			if (strcmp(optarg, "fail") == 0)
				on_error = ON_ERROR_FAIL;
			else if (strcmp(optarg, "blank") == 0)
				on_error = ON_ERROR_BLANK;
			else if (strcmp(optarg, "keep") == 0)
				on_error = ON_ERROR_KEEP;
			else
				cli_usage_error(&cli, "--on-error must be "
						      "fail, blank or keep");
			break;
		case OPT_DECRYPT:
			if (prep_rules_add_simple(&rules, optarg,
						  PREP_ACT_DECRYPT) != PREP_OK)
				cli_fatal(&cli, "out of memory");
			break;
		case OPT_LEGACY_TOKENS:
			legacy_tokens = 1;
			break;
		case OPT_MASK_CHAR:
			mask_char = optarg;
			if (prep_utf8_count(optarg, strlen(optarg), &nchars) !=
				PREP_OK ||
			    nchars != 1)
				cli_usage_error(&cli, "--mask-char must be one "
						      "character");
			break;
		default:
			if (!cli_common_option(&cli, opt, optarg))
				cli_usage_error(&cli, "unknown option");
		}
	}
	if (legacy_tokens && !uses(&rules, PREP_ACT_DECRYPT))
		cli_usage_error(&cli, "--legacy-tokens is for --decrypt");
	memset(&ctx, 0, sizeof ctx);
	ctx.legacy_tokens = legacy_tokens;
	ctx.mask = mask_char;
	ctx.mask_len = strlen(mask_char);
	ctx.missing = cli.missing;
	if (needs_key(&rules)) {
		if (key_file == NULL || *key_file == '\0')
			cli_usage_error(&cli,
					"hash, encrypt and --decrypt need "
					"a key: --key-file FILE or "
					"PREP_KEY_FILE");
		keys = cli_load_key(&cli, key_file, key_source);
		st = prep_hasher_new(keys, &ctx.hasher);
		if (st == PREP_OK)
			st = prep_cipher_new(keys, &ctx.cipher);
		/* The hasher and the cipher hold their own state now. */
		prep_keys_free(keys);
		if (st != PREP_OK)
			cli_fatal(&cli, "cannot set up the cryptography");
	}
	if (uses(&rules, PREP_ACT_SCRUB) &&
	    prep_pii_new(PREP_PII_ALL, &ctx.pii) != PREP_OK)
		cli_fatal(&cli, "cannot compile the PII patterns");
	st = prep_rules_load_hierarchies(&rules, &w, &why);
	if (st == PREP_ERR_IO)
		cli_fatal_status(&cli, st, w.file);
	if (st == PREP_ERR_ARG && why)
		cli_fatal_at(&cli, w, "hierarchy: %s", why);
	if (st != PREP_OK)
		cli_fatal_at(&cli, w, "hierarchy: %s", prep_strerror(st));

	cli_open_input(&cli, argc - optind, argv + optind);
	header = prep_reader_header(cli.reader, &ncols);
	/* An empty input has no columns to bind rules to: empty output. */
	/* NOLINTBEGIN(bugprone-sizeof-expression): one pointer, as meant */
	act = ncols ? bind_rules(&rules, header, ncols, msg, sizeof msg)
		    : calloc(1, sizeof *act);
	/* NOLINTEND(bugprone-sizeof-expression) */
	if (act == NULL) {
		prep_rules_free(&rules);
		if (ncols == 0)
			cli_fatal(&cli, "out of memory");
		cli_usage_error(&cli, "%s", msg);
	}
	if (strict && (strict_msg = unruled_columns(act, header, ncols))) {
		free(act);
		prep_rules_free(&rules);
		cli_fatal(&cli, "%s", strict_msg);
	}
	warn_short_hashes(act, header, ncols);
	names = column_names(header, ncols, &name_text);
	if ((unreadable = calloc(ncols ? ncols : 1, sizeof *unreadable)) ==
	    NULL)
		cli_fatal(&cli, "out of memory");
	cli_open_output(&cli);
	if (header) {
		for (i = 0; i < ncols; i++)
			if (!act[i] || act[i]->kind != PREP_ACT_DROP)
				cli_write_check(
				    &cli, prep_writer_field(cli.writer,
							    header[i].data,
							    header[i].len));
		cli_write_check(&cli, prep_writer_end_row(cli.writer));
	}
	prep_buf_init(&out, 0);
	while ((f = cli_next_row(&cli, &n)) != NULL) {
		for (i = 0; i < n; i++) {
			const prep_action *a = act[i];
			const char *res = f[i].data;
			size_t rlen = f[i].len;

			if (a && a->kind == PREP_ACT_DROP)
				continue;
			if (a && a->kind != PREP_ACT_KEEP) {
				st = prep_action_apply(a, &ctx, &names[i],
						       f[i].data, f[i].len,
						       &out, &res, &rlen);
				if (st != PREP_OK) {
					if (on_error == ON_ERROR_FAIL ||
					    st == PREP_ERR_NOMEM)
						value_error(st, i, header, a);
					unreadable[i]++;
					res = f[i].data;
					rlen = on_error == ON_ERROR_KEEP
						   ? f[i].len
						   : 0;
				}
			}
			cli_write_check(
			    &cli, prep_writer_field(cli.writer, res, rlen));
		}
		cli_write_check(&cli, prep_writer_end_row(cli.writer));
	}
	report = cli.quiet ? NULL
			   : on_error_report(on_error, unreadable, header, ncols);
	cli_finish(&cli);
	if (report)
		fputs(report, stderr);
	free(report);
	free(unreadable);
	free(names);
	free(name_text);
	prep_buf_free(&out);
	free(act);
	prep_hasher_free(ctx.hasher);
	prep_cipher_free(ctx.cipher);
	prep_pii_free(ctx.pii);
	prep_rules_free(&rules);
	return 0;
}
