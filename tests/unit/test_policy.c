/*
 * Unit tests of libprep/policy.c: rule and policy-file parsing (every
 * argument check), binding rules to columns, and applying actions to
 * fields.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keys.h"
#include "policy.h"

static void
parse_ok(const char *spec, prep_action *a)
{
	char err[128] = "";

	cr_assert_eq(prep_action_parse(spec, a, err, sizeof err), PREP_OK,
		     "%s: %s", spec, err);
}

static void
parse_bad(const char *spec, const char *want)
{
	char err[128] = "";
	prep_action a;

	cr_assert_eq(prep_action_parse(spec, &a, err, sizeof err), PREP_ERR_ARG,
		     "%s parsed", spec);
	cr_assert_str_eq(err, want, "%s", spec);
}

Test(policy, action_arguments)
{
	prep_action a;

	parse_ok("hash", &a);
	cr_assert_eq(a.kind, PREP_ACT_HASH);
	cr_assert_eq(a.n, 32);
	parse_ok("hash:8", &a);
	cr_assert_eq(a.n, 8);
	parse_ok("hash:64", &a);
	cr_assert_eq(a.n, 64);
	parse_ok("mask", &a);
	cr_assert_eq(a.n, 0);
	parse_ok("mask:4", &a);
	cr_assert_eq(a.n, 4);
	parse_ok("truncate:0", &a);
	cr_assert_eq(a.n, 0);
	parse_ok("bin:10", &a);
	cr_assert_eq(a.width, 10);
	parse_ok("topcode:90.5", &a);
	cr_assert_float_eq(a.threshold, 90.5, 0);
	cr_assert_str_eq(a.text, "90.5");
	free(a.text);
	parse_ok("bottomcode:-3", &a);
	cr_assert_float_eq(a.threshold, -3.0, 0);
	free(a.text);
	parse_ok("date:decade", &a);
	cr_assert_eq(a.unit, PREP_DATE_DECADE);
	parse_ok("age:2024-02-29", &a);
	cr_assert_eq(a.ref.year, 2024);
	cr_assert_eq(a.ref.month, 2);
	cr_assert_eq(a.ref.day, 29);
	parse_ok("redact:a:b", &a);
	cr_assert_str_eq(a.text, "a:b");
	free(a.text);
	parse_ok("redact", &a);
	cr_assert_str_eq(a.text, "");
	free(a.text);
	parse_ok("hierarchy:c:/dir/h.csv:3", &a);
	cr_assert_str_eq(a.path, "c:/dir/h.csv");
	cr_assert_eq(a.level, 3);
	free(a.path);
}

Test(policy, action_errors)
{
	parse_bad("hsh", "unknown action");
	parse_bad("decrypt", "unknown action");
	parse_bad("hash:7", "hash length must be 8 to 64 hex digits");
	parse_bad("hash:65", "hash length must be 8 to 64 hex digits");
	parse_bad("hash:x", "hash length must be 8 to 64 hex digits");
	parse_bad("drop:1", "drop takes no argument");
	parse_bad("mask:-1", "mask needs a count of characters to keep");
	parse_bad("truncate", "truncate needs a count of characters to keep");
	parse_bad("bin:0", "bin needs a positive integer width");
	parse_bad("bin:2.5", "bin needs a positive integer width");
	parse_bad("topcode", "topcode needs a number");
	parse_bad("bottomcode:abc", "bottomcode needs a number");
	parse_bad("date:week", "date needs year, month or decade");
	parse_bad("age:2023-02-29", "age needs a reference date YYYY-MM-DD");
	parse_bad("hierarchy:file", "hierarchy needs FILE:LEVEL");
	parse_bad("hierarchy::2", "hierarchy needs FILE:LEVEL");
}

Test(policy, rule_arguments)
{
	prep_rules rs;
	char err[128];

	prep_rules_init(&rs);
	cr_assert_eq(prep_rules_add_arg(&rs, "a,b:mask:2", err, sizeof err),
		     PREP_OK);
	cr_assert_str_eq(rs.v[0].columns, "a,b");
	cr_assert_eq(rs.v[0].action.kind, PREP_ACT_MASK);
	cr_assert_null(rs.v[0].where.file);
	cr_assert_eq(prep_rules_add_arg(&rs, "zip", err, sizeof err),
		     PREP_ERR_ARG);
	cr_assert_str_eq(err, "rule 'zip' is not COLUMNS:ACTION");
	cr_assert_eq(prep_rules_add_arg(&rs, ":drop", err, sizeof err),
		     PREP_ERR_ARG);
	cr_assert_eq(rs.n, 1);
	prep_rules_free(&rs);
}

Test(policy, policy_file)
{
	char dir[] = "/tmp/prep-test-policy-XXXXXX", path[256], err[128];
	prep_rules rs;
	prep_where w;
	FILE *f;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/p.policy", dir);
	f = fopen(path, "w");
	fputs("# header comment\r\n"
	      "\n"
	      "   name\tdrop   # trailing comment\r\n"
	      "note redact:[a #b]#c  # comment\n"
	      "age hierarchy:h.csv:2\n"
	      "x,y   mask:1",
	      f);
	fclose(f);
	prep_rules_init(&rs);
	cr_assert_eq(prep_rules_load_policy(&rs, path, &w, err, sizeof err),
		     PREP_OK, "%s", err);
	cr_assert_eq(rs.n, 4);
	cr_assert_str_eq(rs.v[0].columns, "name");
	cr_assert_eq(rs.v[0].action.kind, PREP_ACT_DROP);
	cr_assert_eq(rs.v[0].where.line, 3);
	cr_assert_eq(rs.v[0].where.field, 4); /* "   name": byte 4 */
	cr_assert_str_eq(rs.v[1].action.text, "[a");
	cr_assert_str_eq(rs.v[2].action.path + strlen(dir), "/h.csv");
	cr_assert_eq(rs.v[2].action.level, 2);
	cr_assert_str_eq(rs.v[3].columns, "x,y");
	cr_assert_eq(rs.v[3].where.line, 6);
	cr_assert_eq(rs.v[3].where.field, 1);
	prep_rules_free(&rs);

	f = fopen(path, "w");
	fputs("a drop\nb hash:3\n", f);
	fclose(f);
	prep_rules_init(&rs);
	cr_assert_eq(prep_rules_load_policy(&rs, path, &w, err, sizeof err),
		     PREP_ERR_ARG);
	cr_assert_eq(w.line, 2);
	cr_assert_eq(w.field, 3); /* "b hash:3": the action starts at byte 3 */
	cr_assert_str_eq(w.file, path);
	cr_assert_str_eq(err, "hash length must be 8 to 64 hex digits");
	prep_rules_free(&rs);
	unlink(path);
	rmdir(dir);
}

static const prep_missing *apply_missing; /* ctx.missing of apply() */

static const char *
apply(const char *spec, const char *in)
{
	static char result[256];
	prep_action a;
	prep_action_ctx ctx = {
	    .mask = "*", .mask_len = 1, .missing = apply_missing};
	prep_buf out;
	const prep_field column = {"c", 1};
	const char *res;
	size_t len;

	parse_ok(spec, &a);
	prep_buf_init(&out, 0);
	cr_assert_eq(prep_action_apply(&a, &ctx, &column, in, strlen(in), &out,
				       &res, &len),
		     PREP_OK, "%s on %s", spec, in);
	snprintf(result, sizeof result, "%.*s", (int)len, res);
	prep_buf_free(&out);
	free(a.text);
	return result;
}

Test(policy, apply_actions)
{
	cr_assert_str_eq(apply("keep", "x y"), "x y");
	cr_assert_str_eq(apply("mask:2", "abcdef"), "****ef");
	cr_assert_str_eq(apply("truncate:3", "76510"), "765**");
	cr_assert_str_eq(apply("redact:X", "secret"), "X");
	cr_assert_str_eq(apply("redact:X", ""), "X");
	cr_assert_str_eq(apply("bin:10", "37"), "30-39");
	cr_assert_str_eq(apply("bin:10", ""), "");
	cr_assert_str_eq(apply("topcode:90", "95"), "90+");
	cr_assert_str_eq(apply("bottomcode:18", "17"), "<18");
	cr_assert_str_eq(apply("date:month", "1980-10-05"), "1980-10");
	cr_assert_str_eq(apply("age:2020-01-01", "2000-01-01"), "20");
	cr_assert_str_eq(apply("age:2020-01-01", "2000-01-02"), "19");
}

/* --missing NA: NA passes through every action but redact; the empty
 * cell, no longer missing, goes through the actions (and stays empty). */
Test(policy, apply_missing_values)
{
	prep_missing *m;

	cr_assert_eq(prep_missing_new("NA", &m), PREP_OK);
	apply_missing = m;
	cr_assert_str_eq(apply("bin:10", "NA"), "NA");
	cr_assert_str_eq(apply("mask", "NA"), "NA");
	cr_assert_str_eq(apply("date:year", "NA"), "NA");
	cr_assert_str_eq(apply("redact:X", "NA"), "X");
	cr_assert_str_eq(apply("bin:10", "37"), "30-39");
	cr_assert_str_eq(apply("mask", ""), "");
	apply_missing = NULL;
	prep_missing_free(m);
}

Test(policy, apply_errors)
{
	prep_action a;
	prep_action_ctx ctx = {.mask = "*", .mask_len = 1};
	prep_buf out;
	const char *res;
	size_t len;

	prep_buf_init(&out, 0);
	parse_ok("bin:10", &a);
	cr_assert_eq(
	    prep_action_apply(&a, &ctx, NULL, "x", 1, &out, &res, &len),
	    PREP_ERR_VALUE);
	parse_ok("mask", &a);
	cr_assert_eq(
	    prep_action_apply(&a, &ctx, NULL, "\xff", 1, &out, &res, &len),
	    PREP_ERR_UTF8);
	prep_buf_free(&out);
}

/*
 * encrypt binds a token to the column it is applied in, decrypt opens it
 * there only; legacy tokens (no binding) open only with legacy_tokens.
 * Tokens under the IKM of test_pseudo.c, from tests/unit/kat/gen_vectors.py.
 */
Test(policy, apply_encrypt_binds_column)
{
	static const char ikm[] = "0123456789abcdef0123456789abcdef";
	static const char bound[] =
	    "v2.5PTQwHPiYN5CqDrr5f3cS2OYz4jCMW9V9g1ywtulxLjL";
	static const char legacy[] =
	    "demKi0-VH0m1qsgayEPsjoNq9a9MTMuIv-86z6EHzrM8";
	const prep_field email = {"email", 5}, contact = {"contact", 7};
	prep_action enc = {.kind = PREP_ACT_ENCRYPT};
	prep_action dec = {.kind = PREP_ACT_DECRYPT};
	prep_action_ctx ctx = {.mask = "*", .mask_len = 1};
	prep_keys *k;
	prep_buf out;
	const char *res;
	size_t len;

	cr_assert_eq(
	    prep_keys_from_ikm((const unsigned char *)ikm, strlen(ikm), &k),
	    PREP_OK);
	cr_assert_eq(prep_cipher_new(k, &ctx.cipher), PREP_OK);
	prep_keys_free(k);
	prep_buf_init(&out, 0);
	cr_assert_eq(prep_action_apply(&enc, &ctx, &email, "alice@example.com",
				       17, &out, &res, &len),
		     PREP_OK);
	cr_assert_eq(len, strlen(bound));
	cr_assert_eq(memcmp(res, bound, len), 0);
	cr_assert_eq(prep_action_apply(&dec, &ctx, &email, bound, strlen(bound),
				       &out, &res, &len),
		     PREP_OK);
	cr_assert_eq(len, 17);
	cr_assert_eq(memcmp(res, "alice@example.com", 17), 0);
	cr_assert_eq(prep_action_apply(&dec, &ctx, &contact, bound,
				       strlen(bound), &out, &res, &len),
		     PREP_ERR_AUTH);
	cr_assert_eq(prep_action_apply(&dec, &ctx, &contact, legacy,
				       strlen(legacy), &out, &res, &len),
		     PREP_ERR_LEGACY_TOKEN);
	cr_assert_eq(
	    prep_action_apply(&enc, &ctx, NULL, "a", 1, &out, &res, &len),
	    PREP_ERR_ARG);
	ctx.legacy_tokens = 1;
	cr_assert_eq(prep_action_apply(&dec, &ctx, &contact, legacy,
				       strlen(legacy), &out, &res, &len),
		     PREP_OK);
	cr_assert_eq(len, 17);
	cr_assert_eq(memcmp(res, "alice@example.com", 17), 0);
	cr_assert_eq(prep_action_apply(&dec, &ctx, &contact, bound,
				       strlen(bound), &out, &res, &len),
		     PREP_ERR_AUTH);
	prep_buf_free(&out);
	prep_cipher_free(ctx.cipher);
}

/* ---- binding rules to columns ---- */

static void
add_rules(prep_rules *rs, const char *const *args, size_t n)
{
	char err[128] = "";

	prep_rules_init(rs);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(prep_rules_add_arg(rs, args[i], err, sizeof err),
			     PREP_OK, "%s: %s", args[i], err);
}

static const prep_field bind_header[] = {
    {"zip", 3}, {"name", 4}, {"age", 3}, {"3", 1}};

/*
 * Header zip, name, age, 3: "zip,2" names columns 1 and 2 (by name, by
 * number), "3" is the header name "3" (column 4), the range "3-3" the
 * third column, age.
 */
Test(policy, bind_rules)
{
	static const char *const args[] = {"zip,2:drop", "3:mask", "3-3:keep"};
	const prep_action **act = NULL;
	prep_rules_fault fault;
	prep_rules rs;

	add_rules(&rs, args, 3);
	cr_assert_eq(prep_rules_bind(&rs, bind_header, 4, &act, &fault),
		     PREP_OK);
	cr_assert_eq(act[0], &rs.v[0].action);
	cr_assert_eq(act[1], &rs.v[0].action);
	cr_assert_eq(act[2], &rs.v[2].action);
	cr_assert_eq(act[3], &rs.v[1].action);
	cr_assert(fault.by_name);
	free(act);
	prep_rules_free(&rs);
}

/* Without a header, numbers only; by_name stays 0. */
Test(policy, bind_rules_no_header)
{
	static const char *const args[] = {"2:drop"};
	const prep_action **act = NULL;
	prep_rules_fault fault;
	prep_rules rs;

	add_rules(&rs, args, 1);
	cr_assert_eq(prep_rules_bind(&rs, NULL, 3, &act, &fault), PREP_OK);
	cr_assert_null(act[0]);
	cr_assert_eq(act[1], &rs.v[0].action);
	cr_assert_null(act[2]);
	cr_assert_not(fault.by_name);
	free(act);
	/* no columns at all: nothing to bind, no rule fails */
	cr_assert_eq(prep_rules_bind(&rs, NULL, 0, &act, &fault), PREP_OK);
	cr_assert_not_null(act);
	free(act);
	prep_rules_free(&rs);
}

/*
 * "name,zipp": the item at bytes 5..9 names no column; the first rule,
 * by number, named none by name.
 */
Test(policy, bind_unknown_column)
{
	static const char *const args[] = {"1:keep", "name,zipp:drop"};
	const prep_action **act = NULL;
	prep_rules_fault fault;
	prep_rules rs;

	add_rules(&rs, args, 2);
	cr_assert_eq(prep_rules_bind(&rs, bind_header, 4, &act, &fault),
		     PREP_ERR_COLUMN);
	cr_assert_null(act);
	cr_assert_eq(fault.rule, &rs.v[1]);
	cr_assert_eq(fault.off, 5);
	cr_assert_eq(fault.len, 4);
	cr_assert_not(fault.by_name);
	prep_rules_free(&rs);
}

/*
 * zip (column 1) in two rules: the second one's fault, with the first
 * as the other; the second named zip by name before it failed.
 */
Test(policy, bind_two_rules)
{
	static const char *const args[] = {"1:keep", "age:drop", "zip:mask"};
	const prep_action **act = NULL;
	prep_rules_fault fault;
	prep_rules rs;

	add_rules(&rs, args, 3);
	cr_assert_eq(prep_rules_bind(&rs, bind_header, 4, &act, &fault),
		     PREP_ERR_ARG);
	cr_assert_null(act);
	cr_assert_eq(fault.rule, &rs.v[2]);
	cr_assert_eq(fault.other, &rs.v[0]);
	cr_assert_eq(fault.column, 0);
	cr_assert(fault.by_name);
	prep_rules_free(&rs);
}

Test(policy, rule_origin_and_uses)
{
	static const char *const args[] = {"a,b:hash:8", "c:scrub"};
	prep_rules rs;
	char buf[64];

	add_rules(&rs, args, 2);
	cr_assert(prep_rules_uses(&rs, PREP_ACT_SCRUB));
	cr_assert_not(prep_rules_uses(&rs, PREP_ACT_DECRYPT));
	cr_assert(prep_rules_need_key(&rs));
	cr_assert_eq(prep_rules_add_simple(&rs, "tok", PREP_ACT_DECRYPT),
		     PREP_OK);
	prep_rule_origin(&rs.v[0], buf, sizeof buf);
	cr_assert_str_eq(buf, "-a a,b");
	prep_rule_origin(&rs.v[2], buf, sizeof buf);
	cr_assert_str_eq(buf, "--decrypt tok");
	rs.v[1].where.file = "p.policy";
	rs.v[1].where.line = 7;
	prep_rule_origin(&rs.v[1], buf, sizeof buf);
	cr_assert_str_eq(buf, "p.policy:7");
	rs.v[1].where.file = NULL;
	prep_rules_free(&rs);

	add_rules(&rs, args + 1, 1);
	cr_assert_not(prep_rules_need_key(&rs));
	prep_rules_free(&rs);
}

Test(policy, action_strerror)
{
	cr_assert_str_eq(prep_action_strerror(PREP_ERR_AUTH),
			 "token failed authentication");
	cr_assert_str_eq(prep_action_strerror(PREP_ERR_LEGACY_TOKEN),
			 "token made without column binding: use "
			 "--legacy-tokens");
	cr_assert_str_eq(prep_action_strerror(PREP_ERR_NOT_FOUND),
			 "value not in the hierarchy");
	cr_assert_str_eq(prep_action_strerror(PREP_ERR_UTF8), "invalid UTF-8");
	cr_assert_str_eq(prep_action_strerror(PREP_ERR_RANGE),
			 "number out of range");
	cr_assert_str_eq(prep_action_strerror(PREP_ERR_LIMIT),
			 "result too long");
	cr_assert_str_eq(prep_action_strerror(PREP_ERR_VALUE),
			 "value cannot be read");
	cr_assert_str_eq(prep_action_strerror(PREP_ERR_CRYPTO),
			 "value cannot be read");
}
