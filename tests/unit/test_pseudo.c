/*
 * test_pseudo.c: HMAC pseudonyms and AES-SIV tokens (libprep/pseudo.c).
 *
 * The expected pseudonyms and tokens were computed without libprep by
 * tests/unit/kat/gen_vectors.py: HMAC by Python's hmac and openssl dgst,
 * AES-SIV by the cryptography package and by RFC 5297 written out in
 * Python (which agree). One extra test checks the precomputed HMAC states
 * against OpenSSL's one-shot HMAC() for every length up to 300 bytes;
 * another runs RFC 5297's own example with associated data (A.1) through
 * prep_encrypt_field. TOK_* are legacy tokens (no associated data, made
 * before the column binding), TOK2_* tokens bound to a column name.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "buf.h"
#include "keys.h"
#include "pseudo.h"

#define IKM "0123456789abcdef0123456789abcdef"

/* HMAC-SHA256(Kh of IKM, value), all 64 hex digits. */
#define HASH_ASCII /* "alice@example.com" */                                   \
	"3a4019d648abd73344ad57e95133aa86435bfb0d8cd9c9412af814d4c4f18581"
#define HASH_EMAIL30 /* "jane.doe.1987@mail.example.org" */                    \
	"ddc65d7de5ca53a57afca5006175e0a035ed40be83e30fd162342a79621a2171"
#define HASH_SPACE /* " alice@example.com" */                                  \
	"38de1e2705608e279e807b54c6bd46496ef7414e41cf037a51ecc127b2991a02"
#define HASH_LATIN /* LATIN below */                                           \
	"4f5310d02eb0bee70b13030508185936b45e169264977034ec0a1d3bb5b4182d"
#define HASH_CJK /* CJK below */                                               \
	"6ecdc3a77a1465c34ef866e95fb067dfd1ba142bb546cf156f5183ec40166d4f"
#define HASH_NUL /* "a\0b" */                                                  \
	"ce0873c9fb099b47b2ad40e1a21480f041da25aec119720676c04229fcab8e15"
#define HASH_LONG /* 1 MiB, byte i = 'a' + i % 26 */                           \
	"0ad3836a33b02a5f6625fb175ad03f949d76dd1a7cd56d45bcf16c5ae5fcc7b0"
/* Under the key file IKM "\n\n" (ikm IKM "\n"). */
#define HASH_ASCII_IKM_NL                                                      \
	"59bffd4d25f2873dc3ce015fe6ace069286f63f7feab860d95b7cf5e669a9480"

/* Legacy: base64url(AES-SIV(Ke of IKM, value)), no associated data. */
#define TOK_LEN1 "deK55Um7TfsApRaDVSaLpEk" /* "M" */
#define TOK_LEN15 "L21kiUnyYQgdYC1QqAaEzARZ29UquU4cnL7WlZcFgA"
#define TOK_LEN16 "fWFfM83QvNHKcz9T20eFcRR5B9r_UnPOYCyZkZXcEyA"
#define TOK_LEN17 "demKi0-VH0m1qsgayEPsjoNq9a9MTMuIv-86z6EHzrM8"
#define TOK_UTF8 "3QhTxqrJevHT3SVac8CSEbGUqT5NkthUx2IlCFKHgQ"
#define TOK_LEN100                                                             \
	"bu98PtdXNMhr4K0AryabsrhhF77jHnt6k3myuWCdqBK7kFjIc0UmXW_AQPA9Azm1oR"   \
	"WA2YmXL26HgjE4NywAE3T0-nmiz63R6Y3ODCbjY8vCA1E-aSQg8mWRFEiNUHUO1W6U"   \
	"xkJs6D-XywqxN_Si3QNJhXs"
/* "alice@example.com" under the key file IKM "\n\n". */
#define TOK_LEN17_IKM_NL "VmhojrOjpBjtfxdFjixrYKV22URRgagUpFFidLkjXPKY"
/* A valid SIV of the empty string: never written, refused as truncated. */
#define TOK_EMPTY_SIV "mu_ZS-ACydWgXL3WTQw2Tg"

/* Bound: "v2." base64url(AES-SIV(Ke of IKM, AD = column name, value)). */
#define TOK2_EMAIL /* "alice@example.com" in "email" */                        \
	"v2.5PTQwHPiYN5CqDrr5f3cS2OYz4jCMW9V9g1ywtulxLjL"
#define TOK2_CONTACT /* "alice@example.com" in "contact" */                    \
	"v2.Ks9AFY3TgqDB47MCApXGNuINCI0bqzI8nB3QFzHX2CXU"
#define TOK2_NONAME /* "alice@example.com" in "" */                            \
	"v2.SDYOacC3cOm9kzhywAQMg6QIUczZ_ALDdknf0ezSEppG"
#define TOK2_COL2 /* "alice@example.com" in "2" (column 2 of -H input) */      \
	"v2.dAbldHA9fXYEoREw9Rb_SAGcS1YuS4FgxfsLN7HPEwBG"
#define TOK2_SEX /* "M" in "sex" */ "v2.eL1aGjRbd16fE7q_L5sKUkw"
#define TOK2_UTF8 /* LATIN in "Pr\xc3\xa9nom" */                               \
	"v2.i8-mD22e77LyoipJvWBL05pJ-1Y-kG2LvTJ9RucJxA"
#define TOK2_LEN100 /* v100 below in "notes" */                                \
	"v2.MYellsT1bJSYJfMIZyeR9eq5Hu1Gjy5C7MgFKLQfzu3vm3ySpK4hhQnY4Ewiqn39_" \
	"q6ScRCwEoB8rRcngCaqF6jidE3EOzLZqjw3i_MWuYOW_qpFJBAqeyZgEbC_nzQxkI0at" \
	"iglrDMy1J2O_NcvsqENScU"
/*
 * RFC 5297 Appendix A.1, "Deterministic Authenticated Encryption
 * Example" (AES-128-SIV, one associated data string):
 *	key	fffefdfc fbfaf9f8 f7f6f5f4 f3f2f1f0
 *		f0f1f2f3 f4f5f6f7 f8f9fafb fcfdfeff
 *	AD	10111213 14151617 18191a1b 1c1d1e1f 20212223 24252627
 *	P	11223344 55667788 99aabbcc ddee
 *	V || C	85632d07 c6e8f37f 950acd32 0a2ecc93
 *		40c02b96 90c4dc04 daef7f6a fe5c
 * and as a prep token, "v2." base64url(V || C):
 */
#define TOK2_RFC5297_A1 "v2.hWMtB8bo83-VCs0yCi7Mk0DAK5aQxNwE2u9_av5c"

#define LATIN /* U+00EB, U+00C5, U+00F6 */ "Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m"
#define CJK /* Tokyo-to in kanji */ "\xe6\x9d\xb1\xe4\xba\xac\xe9\x83\xbd"
#define LONG_LEN ((size_t)1 << 20)

static prep_keys *keys;
static prep_hasher *hasher;
static prep_cipher *cipher;
static prep_buf out;

static void
setup(void)
{
	cr_assert_eq(
	    prep_keys_from_ikm((const unsigned char *)IKM, strlen(IKM), &keys),
	    PREP_OK);
	cr_assert_eq(prep_hasher_new(keys, &hasher), PREP_OK);
	cr_assert_eq(prep_cipher_new(keys, &cipher), PREP_OK);
	prep_buf_init(&out, 0);
}

static void
teardown(void)
{
	prep_buf_free(&out);
	prep_cipher_free(cipher);
	prep_hasher_free(hasher);
	prep_keys_free(keys);
}

TestSuite(hash, .init = setup, .fini = teardown);
TestSuite(encrypt, .init = setup, .fini = teardown);

static char *
long_value(void)
{
	char *p = malloc(LONG_LEN);
	size_t i;

	cr_assert_not_null(p);
	for (i = 0; i < LONG_LEN; i++)
		p[i] = (char)('a' + i % 26);
	return p;
}

static void
assert_hash(prep_hasher *h, const char *in, size_t len, const char *want)
{
	char got[PREP_HASH_MAX_HEX + 1];

	cr_assert_eq(prep_hash_hex(h, in, len, 64, got), PREP_OK);
	cr_assert_str_eq(got, want);
}

/* ---- hash ------------------------------------------------------------ */

Test(hash, known_answers)
{
	char *lv = long_value();

	assert_hash(hasher, "alice@example.com", 17, HASH_ASCII);
	assert_hash(hasher, "jane.doe.1987@mail.example.org", 30, HASH_EMAIL30);
	assert_hash(hasher, " alice@example.com", 18, HASH_SPACE);
	assert_hash(hasher, LATIN, strlen(LATIN), HASH_LATIN);
	assert_hash(hasher, CJK, strlen(CJK), HASH_CJK);
	assert_hash(hasher, "a\0b", 3, HASH_NUL);
	assert_hash(hasher, lv, LONG_LEN, HASH_LONG);
	free(lv);
}

Test(hash, prefix_lengths)
{
	char got[PREP_HASH_MAX_HEX + 1];

	cr_assert_eq(prep_hash_hex(hasher, "alice@example.com", 17, 8, got),
		     PREP_OK);
	cr_assert_str_eq(got, "3a4019d6");
	cr_assert_eq(prep_hash_hex(hasher, "alice@example.com", 17, 9, got),
		     PREP_OK);
	cr_assert_str_eq(got, "3a4019d64"); /* odd counts: a half byte */
	cr_assert_eq(prep_hash_hex(hasher, "alice@example.com", 17,
				   PREP_HASH_DEFAULT_HEX, got),
		     PREP_OK);
	cr_assert_str_eq(got, "3a4019d648abd73344ad57e95133aa86");
	cr_assert_eq(prep_hash_hex(hasher, "alice@example.com", 17, 64, got),
		     PREP_OK);
	cr_assert_str_eq(got, HASH_ASCII);
	cr_assert_eq(strlen(got), 64);
}

Test(hash, prefix_out_of_range)
{
	char got[PREP_HASH_MAX_HEX + 1];

	cr_assert_eq(prep_hash_hex(hasher, "a", 1, 7, got), PREP_ERR_ARG);
	cr_assert_eq(prep_hash_hex(hasher, "a", 1, 65, got), PREP_ERR_ARG);
	cr_assert_eq(prep_hash_hex(hasher, "a", 1, 0, got), PREP_ERR_ARG);
	cr_assert_eq(prep_hash_hex(hasher, NULL, 1, 32, got), PREP_ERR_ARG);
}

Test(hash, empty_stays_empty)
{
	char got[PREP_HASH_MAX_HEX + 1] = "junk";

	cr_assert_eq(prep_hash_hex(hasher, "", 0, 32, got), PREP_OK);
	cr_assert_str_eq(got, "");
	strcpy(got, "junk");
	cr_assert_eq(prep_hash_hex(hasher, NULL, 0, 64, got), PREP_OK);
	cr_assert_str_eq(got, "");
}

Test(hash, other_key_other_pseudonym)
{
	prep_keys *k;
	prep_hasher *h;

	cr_assert_eq(prep_keys_from_ikm((const unsigned char *)IKM "\n",
					strlen(IKM) + 1, &k),
		     PREP_OK);
	cr_assert_eq(prep_hasher_new(k, &h), PREP_OK);
	prep_keys_free(k); /* the hasher keeps what it needs */
	assert_hash(h, "alice@example.com", 17, HASH_ASCII_IKM_NL);
	prep_hasher_free(h);
	prep_hasher_free(NULL);
}

Test(hash, same_value_same_pseudonym_across_hashers)
{
	prep_hasher *h2;

	cr_assert_eq(prep_hasher_new(keys, &h2), PREP_OK);
	assert_hash(hasher, "alice@example.com", 17, HASH_ASCII);
	assert_hash(h2, "alice@example.com", 17, HASH_ASCII);
	assert_hash(hasher, "alice@example.com", 17, HASH_ASCII);
	prep_hasher_free(h2);
}

/*
 * The saved inner/outer states must give HMAC exactly, whatever the
 * length: around the 55/56/64-byte padding and block boundaries too.
 */
Test(hash, matches_one_shot_hmac_for_all_short_lengths)
{
	static const char d[] = "0123456789abcdef";
	unsigned char buf[300], mac[32];
	char want[65], got[65];
	unsigned int maclen;
	size_t len, i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 131 + 7);
	for (len = 1; len <= sizeof(buf); len++) {
		cr_assert_not_null(HMAC(EVP_sha256(), prep_keys_hash_key(keys),
					PREP_KEYS_HASH_LEN, buf, len, mac,
					&maclen));
		for (i = 0; i < 32; i++) {
			want[2 * i] = d[mac[i] >> 4];
			want[2 * i + 1] = d[mac[i] & 15];
		}
		want[64] = '\0';
		cr_assert_eq(
		    prep_hash_hex(hasher, (const char *)buf, len, 64, got),
		    PREP_OK);
		cr_assert_str_eq(got, want, "length %zu", len);
	}
}

/* One-shot HMAC-SHA256 of in[0..len) under the test key, first n hex
 * digits: the memo's reference. */
static void
one_shot_hex(const char *in, size_t len, size_t n, char *want)
{
	static const char d[] = "0123456789abcdef";
	unsigned char mac[32];
	unsigned int maclen;
	size_t i;

	cr_assert_not_null(HMAC(EVP_sha256(), prep_keys_hash_key(keys),
				PREP_KEYS_HASH_LEN, (const unsigned char *)in,
				len, mac, &maclen));
	for (i = 0; i < n; i++)
		want[i] = d[i % 2 ? mac[i / 2] & 15 : mac[i / 2] >> 4];
	want[n] = '\0';
}

/*
 * A value stream through the memo against one-shot HMAC: row i holds
 * value k = (i * 7919) % distinct, written "v" and k in decimal, padded
 * with x to 1 + k % 70 bytes (past the memo's 55 for k % 70 >= 55), at a
 * prefix length of 8 to 64 digits that
 * changes row by row. Returns the memo's counts, and in *short_rows the
 * rows of 55 bytes or fewer.
 */
static void
memo_stream(size_t rows, size_t distinct, unsigned long long *asked,
	    unsigned long long *found, int *on, size_t *short_rows)
{
	prep_hash_memo *m;
	char in[80], want[65], got[65];
	size_t i, len;

	*short_rows = 0;
	cr_assert_eq(prep_hash_memo_new(&m), PREP_OK);
	for (i = 0; i < rows; i++) {
		size_t k = i * 7919 % distinct, n = 8 + i % 57;

		len = (size_t)snprintf(in, sizeof in, "v%zu", k);
		if (len < 1 + k % 70) {
			memset(in + len, 'x', 1 + k % 70 - len);
			len = 1 + k % 70;
		}
		*short_rows += len <= PREP_HASH_MEMO_VALUE;
		one_shot_hex(in, len, n, want);
		cr_assert_eq(prep_hash_hex_memo(hasher, m, in, len, n, got),
			     PREP_OK);
		cr_assert_str_eq(got, want, "row %zu", i);
	}
	cr_assert_eq(prep_hash_hex_memo(hasher, m, "", 0, 32, got), PREP_OK);
	cr_assert_str_eq(got, "");
	prep_hash_memo_stats(m, asked, found, on);
	prep_hash_memo_free(m);
}

/*
 * 70 distinct values, 55 of them short enough for the memo: every row's
 * pseudonym is HMAC's, every short row is asked, and every one but the
 * first sight of each of the 55 is found.
 */
Test(hash, memo_few_values)
{
	unsigned long long asked, found;
	size_t short_rows;
	int on;

	memo_stream(20000, 70, &asked, &found, &on, &short_rows);
	cr_assert_eq(on, 1);
	cr_assert_eq(asked, short_rows);
	cr_assert_eq(found, asked - 55, "asked %llu found %llu", asked, found);
}

/*
 * A distinct value in every row (e-mail addresses): HMAC's still; the
 * memo turns itself off after PREP_HASH_MEMO_PROBE values asked, none
 * found, and asks no more. 3,000 values cycling (more than the memo
 * keeps): the first 512 short ones are kept and found again when they
 * come back after row 3,000, too seldom to keep the memo on past row
 * 4,096; HMAC's all along.
 */
Test(hash, memo_distinct_values)
{
	unsigned long long asked, found;
	size_t short_rows;
	int on;

	memo_stream(20000, 20000, &asked, &found, &on, &short_rows);
	cr_assert_eq(on, 0);
	cr_assert_eq(asked, PREP_HASH_MEMO_PROBE);
	cr_assert_eq(found, 0);
	memo_stream(20000, 3000, &asked, &found, &on, &short_rows);
	cr_assert_gt(found, 0);
	cr_assert_eq(on, 0);
}

/*
 * The birthday bound C(n, 2) / 16^N, checked against exact rational
 * arithmetic in Python (fractions.Fraction(n * (n - 1), 2 * 16**N)) and,
 * for the fewest values per expected pair, the least integer n with
 * n (n - 1) >= 2 * 16^N (math.isqrt, then a step either way).
 */
Test(hash, collision_odds)
{
	static const unsigned long long per_pair[] = {
	    92683,    370729,	1482911,   5931643,
	    23726567, 94906267, 379625063, 1518500251};
	size_t n;

	/* 300000 distinct e-mail addresses under hash:8: 10.477 pairs. */
	cr_assert_float_eq(prep_hash_pairs(8, 3e5), 10.477344039827585, 1e-9);
	cr_assert_float_eq(prep_hash_pairs(8, 1e6), 116.41520541161299, 1e-9);
	cr_assert_float_eq(prep_hash_pairs(12, 1e6), 0.001776355063043411,
			   1e-15);
	cr_assert_float_eq(prep_hash_pairs(15, 1e6), 4.336804353133328e-07,
			   1e-19);
	cr_assert_float_eq(prep_hash_pairs(16, 1e7), 2.710505160163218e-06,
			   1e-18);
	cr_assert_float_eq(prep_hash_pairs(32, 1e7), 1.4693677915910655e-25,
			   1e-37);
	cr_assert_float_eq(prep_hash_pairs(64, 1e7), 4.3180838457387946e-64,
			   1e-76);
	cr_assert_eq(prep_hash_pairs(8, 1), 0);
	cr_assert_eq(prep_hash_pairs(8, 0), 0);
	cr_assert_float_eq(prep_hash_pairs(8, 2), 1.0 / 4294967296.0, 1e-20);
	for (n = PREP_HASH_MIN_HEX; n < PREP_HASH_WARN_HEX; n++) {
		unsigned long long v = prep_hash_values_per_pair(n);

		cr_assert_eq(v, per_pair[n - PREP_HASH_MIN_HEX], "hash:%zu", n);
		cr_assert_geq(prep_hash_pairs(n, (double)v), 1.0);
		cr_assert_lt(prep_hash_pairs(n, (double)(v - 1)), 1.0);
	}
	cr_assert_eq(prep_hash_values_per_pair(7), 0);
	cr_assert_eq(prep_hash_values_per_pair(16), 0);
	cr_assert_eq(prep_hash_values_per_pair(64), 0);
}

/* ---- encrypt / decrypt ------------------------------------------------- */

/* Encrypt in column ad, compare, and decrypt back in the same column. */
static void
assert_token(const char *ad, const char *in, size_t len, const char *want)
{
	prep_buf back;
	int legacy;

	cr_assert_eq(prep_encrypt_field(cipher, ad, strlen(ad), in, len, &out),
		     PREP_OK);
	cr_assert_str_eq(out.data, want);
	cr_assert_eq(out.len, strlen(want));
	/* Token length: 3 + ceil(4 (16 + n) / 3). */
	cr_assert_eq(out.len, 3 + (4 * (16 + len) + 2) / 3);
	prep_buf_init(&back, 0);
	for (legacy = 0; legacy <= 1; legacy++) {
		cr_assert_eq(prep_decrypt_field(cipher, ad, strlen(ad), legacy,
						want, strlen(want), &back),
			     PREP_OK);
		cr_assert_eq(back.len, len);
		cr_assert_eq(memcmp(back.data, in, len), 0);
		cr_assert_eq(back.data[len], '\0');
	}
	prep_buf_free(&back);
}

/* A legacy token opens with legacy set, in any column, and only so. */
static void
assert_legacy_token(const char *in, size_t len, const char *want)
{
	cr_assert_eq(
	    prep_decrypt_field(cipher, "email", 5, 1, want, strlen(want), &out),
	    PREP_OK);
	cr_assert_eq(out.len, len);
	cr_assert_eq(memcmp(out.data, in, len), 0);
	cr_assert_eq(out.data[len], '\0');
	cr_assert_eq(
	    prep_decrypt_field(cipher, "", 0, 1, want, strlen(want), &out),
	    PREP_OK);
	cr_assert_eq(out.len, len);
	cr_assert_eq(prep_buf_append_str(&out, "previous"), PREP_OK);
	cr_assert_eq(
	    prep_decrypt_field(cipher, "email", 5, 0, want, strlen(want), &out),
	    PREP_ERR_LEGACY_TOKEN);
	cr_assert_eq(out.len, 0);
	/* Token length: ceil(4 (16 + n) / 3). */
	cr_assert_eq(strlen(want), (4 * (16 + len) + 2) / 3);
}

/* Decrypt in column ad (legacy tokens allowed or not): must fail. */
static void
assert_decrypt_fails_in(const char *ad, int legacy, const char *tok, size_t len,
			prep_status want)
{
	/* Leave something in out first: a failure must empty it. */
	cr_assert_eq(prep_buf_append_str(&out, "previous"), PREP_OK);
	cr_assert_eq(
	    prep_decrypt_field(cipher, ad, strlen(ad), legacy, tok, len, &out),
	    want, "token %.*s in %s", (int)len, tok, ad);
	cr_assert_eq(out.len, 0);
	cr_assert_str_eq(out.data, "");
}

/* As --decrypt email --legacy-tokens: for legacy tokens and TOK2_EMAIL. */
static void
assert_decrypt_fails(const char *tok, size_t len, prep_status want)
{
	assert_decrypt_fails_in("email", 1, tok, len, want);
}

static void
assert_decrypt_fails_str(const char *tok, prep_status want)
{
	assert_decrypt_fails(tok, strlen(tok), want);
}

static const char *
v100(void)
{
	static char v[101];
	size_t i;

	for (i = 0; i < 100; i++)
		v[i] = (char)('a' + i % 26);
	v[100] = '\0';
	return v;
}

Test(encrypt, known_answers_and_round_trips)
{
	assert_token("email", "alice@example.com", 17, TOK2_EMAIL);
	assert_token("contact", "alice@example.com", 17, TOK2_CONTACT);
	assert_token("", "alice@example.com", 17, TOK2_NONAME);
	assert_token("2", "alice@example.com", 17, TOK2_COL2);
	assert_token("sex", "M", 1, TOK2_SEX);
	assert_token("Pr\xc3\xa9nom", LATIN, strlen(LATIN), TOK2_UTF8);
	assert_token("notes", v100(), 100, TOK2_LEN100);
	cr_assert_eq(strlen(TOK2_SEX), 26);
	cr_assert_eq(strlen(TOK2_EMAIL), 47);
}

/*
 * RFC 5297 A.1 through the same calls as every token: the associated
 * data goes in where the RFC puts it (S2V's first string), before the
 * plaintext, and the output is V || C.
 */
Test(encrypt, rfc5297_a1_with_associated_data)
{
	static const unsigned char key[32] = {
	    0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0xfa, 0xf9, 0xf8, 0xf7, 0xf6, 0xf5,
	    0xf4, 0xf3, 0xf2, 0xf1, 0xf0, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5,
	    0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff};
	static const char ad[24] = {0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
				    0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b,
				    0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21,
				    0x22, 0x23, 0x24, 0x25, 0x26, 0x27};
	static const char p[14] = {
	    0x11,	0x22,	    0x33,	0x44,	    0x55,
	    0x66,	0x77,	    (char)0x88, (char)0x99, (char)0xaa,
	    (char)0xbb, (char)0xcc, (char)0xdd, (char)0xee};
	prep_cipher *c;

	cr_assert_eq(prep_cipher_new_key(key, sizeof key, &c), PREP_OK);
	cr_assert_eq(prep_encrypt_field(c, ad, sizeof ad, p, sizeof p, &out),
		     PREP_OK);
	cr_assert_str_eq(out.data, TOK2_RFC5297_A1);
	cr_assert_eq(prep_decrypt_field(c, ad, sizeof ad, 0, TOK2_RFC5297_A1,
					strlen(TOK2_RFC5297_A1), &out),
		     PREP_OK);
	cr_assert_eq(out.len, sizeof p);
	cr_assert_eq(memcmp(out.data, p, sizeof p), 0);
	/* One bit of the associated data changed: no longer authentic. */
	cr_assert_eq(prep_decrypt_field(c,
					"\x11\x11\x12\x13\x14\x15\x16\x17"
					"\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f"
					"\x20\x21\x22\x23\x24\x25\x26\x27",
					sizeof ad, 0, TOK2_RFC5297_A1,
					strlen(TOK2_RFC5297_A1), &out),
		     PREP_ERR_AUTH);
	prep_cipher_free(c);
	cr_assert_eq(prep_cipher_new_key(key, 31, &c), PREP_ERR_ARG);
	cr_assert_null(c);
	cr_assert_eq(prep_cipher_new_key(key, 48, &c), PREP_ERR_ARG);
	cr_assert_eq(prep_cipher_new_key(NULL, 64, &c), PREP_ERR_ARG);
}

/* A token pasted into a column of another name does not authenticate. */
Test(encrypt, moved_to_another_column)
{
	/* a column name, and a token made in another column */
	static const char *const moved[][2] = {
	    {"contact", TOK2_EMAIL}, {"email", TOK2_CONTACT},
	    {"", TOK2_EMAIL},	     {"email", TOK2_NONAME},
	    {"Email", TOK2_EMAIL},   {"email ", TOK2_EMAIL},
	    {"1", TOK2_COL2},	     {"sex", TOK2_EMAIL},
	};
	size_t i;
	int legacy;

	for (legacy = 0; legacy <= 1; legacy++)
		for (i = 0; i < sizeof moved / sizeof moved[0]; i++)
			assert_decrypt_fails_in(
			    moved[i][0], legacy, moved[i][1],
			    strlen(moved[i][1]), PREP_ERR_AUTH);
	/* The name is bytes: a NUL after it makes another name. */
	cr_assert_eq(prep_decrypt_field(cipher, "email\0", 6, 0, TOK2_EMAIL,
					strlen(TOK2_EMAIL), &out),
		     PREP_ERR_AUTH);
	cr_assert_eq(out.len, 0);
}

/* Tokens made before the column binding, by the code of that time. */
Test(encrypt, legacy_tokens)
{
	assert_legacy_token("M", 1, TOK_LEN1);
	assert_legacy_token("555-0100 x12345", 15, TOK_LEN15);
	assert_legacy_token("4111111111111111", 16, TOK_LEN16);
	assert_legacy_token("alice@example.com", 17, TOK_LEN17);
	assert_legacy_token(LATIN, strlen(LATIN), TOK_UTF8);
	assert_legacy_token(v100(), 100, TOK_LEN100);
	/* What is not a legacy token is not called one. */
	assert_decrypt_fails_in("email", 0, "x", 1, PREP_ERR_VALUE);
	assert_decrypt_fails_in("email", 0, "hello world", 11, PREP_ERR_VALUE);
	assert_decrypt_fails_in("email", 0, TOK_EMPTY_SIV,
				strlen(TOK_EMPTY_SIV), PREP_ERR_AUTH);
}

/* The prefix only says which way to open: it can't turn one into the other. */
Test(encrypt, prefix_stripped_or_added)
{
	const char *bare = &TOK2_EMAIL[strlen("v2.")];

	/* Stripped: looks like a legacy token, and does not open as one. */
	assert_decrypt_fails_in("email", 0, bare, strlen(bare),
				PREP_ERR_LEGACY_TOKEN);
	assert_decrypt_fails_in("email", 1, bare, strlen(bare), PREP_ERR_AUTH);
	/* Added to a legacy token: needs associated data it was not made with.
	 */
	assert_decrypt_fails_in("email", 0, "v2." TOK_LEN17,
				strlen(TOK_LEN17) + 3, PREP_ERR_AUTH);
	assert_decrypt_fails_in("", 1, "v2." TOK_LEN17, strlen(TOK_LEN17) + 3,
				PREP_ERR_AUTH);
	/* Another spelling of the prefix is no prefix: '.' is not base64url. */
	assert_decrypt_fails_in(
	    "email", 1, "V2.5PTQwHPiYN5CqDrr5f3cS2OYz4jCMW9V9g1ywtulxLjL", 47,
	    PREP_ERR_VALUE);
	assert_decrypt_fails_in(
	    "email", 1, "v3.5PTQwHPiYN5CqDrr5f3cS2OYz4jCMW9V9g1ywtulxLjL", 47,
	    PREP_ERR_VALUE);
	/* The prefix alone, or with a bare tag: truncated. */
	assert_decrypt_fails_in("email", 0, "v2.", 3, PREP_ERR_AUTH);
	assert_decrypt_fails_in("email", 0, "v2." TOK_EMPTY_SIV,
				strlen(TOK_EMPTY_SIV) + 3, PREP_ERR_AUTH);
}

Test(encrypt, deterministic_and_stateless)
{
	/* Short and long values interleaved: no state carries over. */
	assert_token("sex", "M", 1, TOK2_SEX);
	assert_token("email", "alice@example.com", 17, TOK2_EMAIL);
	assert_legacy_token("M", 1, TOK_LEN1);
	assert_token("sex", "M", 1, TOK2_SEX);
	assert_token("contact", "alice@example.com", 17, TOK2_CONTACT);
	cr_assert_eq(prep_decrypt_field(cipher, "c", 1, 1, "x", 1, &out),
		     PREP_ERR_VALUE);
	cr_assert_eq(prep_decrypt_field(cipher, "email", 5, 0, TOK2_EMAIL "AA",
					49, &out),
		     PREP_ERR_AUTH);
	assert_token("sex", "M", 1, TOK2_SEX);
}

Test(encrypt, empty_stays_empty)
{
	cr_assert_eq(prep_encrypt_field(cipher, "email", 5, "", 0, &out),
		     PREP_OK);
	cr_assert_eq(out.len, 0);
	cr_assert_not_null(out.data);
	cr_assert_str_eq(out.data, "");
	cr_assert_eq(prep_decrypt_field(cipher, "email", 5, 0, NULL, 0, &out),
		     PREP_OK);
	cr_assert_eq(out.len, 0);
	cr_assert_str_eq(out.data, "");
}

Test(encrypt, binary_and_long_values_round_trip)
{
	char *lv = long_value();
	prep_buf tok;

	prep_buf_init(&tok, 0);
	cr_assert_eq(prep_encrypt_field(cipher, "a\0b", 3, "a\0b", 3, &tok),
		     PREP_OK);
	cr_assert_eq(
	    prep_decrypt_field(cipher, "a\0b", 3, 0, tok.data, tok.len, &out),
	    PREP_OK);
	cr_assert_eq(out.len, 3);
	cr_assert_eq(memcmp(out.data, "a\0b", 3), 0);
	cr_assert_eq(
	    prep_decrypt_field(cipher, "a", 1, 0, tok.data, tok.len, &out),
	    PREP_ERR_AUTH);

	cr_assert_eq(prep_encrypt_field(cipher, lv, 1000, lv, LONG_LEN, &tok),
		     PREP_OK);
	cr_assert_eq(tok.len, 3 + (16 + LONG_LEN + 2) / 3 * 4 - 1);
	cr_assert_eq(strncmp(tok.data, "v2.", 3), 0);
	cr_assert_eq(strspn(tok.data + 3, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					  "abcdefghijklmnopqrstuvwxyz"
					  "0123456789-_"),
		     tok.len - 3);
	cr_assert_eq(
	    prep_decrypt_field(cipher, lv, 1000, 0, tok.data, tok.len, &out),
	    PREP_OK);
	cr_assert_eq(out.len, LONG_LEN);
	cr_assert_eq(memcmp(out.data, lv, LONG_LEN), 0);
	prep_buf_free(&tok);
	free(lv);
}

Test(encrypt, output_cap)
{
	prep_buf small;

	prep_buf_init(&small, 46); /* TOK2_EMAIL needs 47 */
	cr_assert_eq(prep_encrypt_field(cipher, "email", 5, "alice@example.com",
					17, &small),
		     PREP_ERR_LIMIT);
	cr_assert_eq(small.len, 0);
	cr_assert_eq(prep_encrypt_field(cipher, "sex", 3, "M", 1, &small),
		     PREP_OK);
	cr_assert_str_eq(small.data, TOK2_SEX);
	prep_buf_free(&small);
}

Test(encrypt, other_key)
{
	prep_keys *k;
	prep_cipher *c2;

	cr_assert_eq(prep_keys_from_ikm((const unsigned char *)IKM "\n",
					strlen(IKM) + 1, &k),
		     PREP_OK);
	cr_assert_eq(prep_cipher_new(k, &c2), PREP_OK);
	prep_keys_free(k);
	/* A legacy token of the other key opens under it, not under ours. */
	cr_assert_eq(prep_decrypt_field(c2, "", 0, 1, TOK_LEN17_IKM_NL,
					strlen(TOK_LEN17_IKM_NL), &out),
		     PREP_OK);
	cr_assert_eq(out.len, 17);
	cr_assert_eq(memcmp(out.data, "alice@example.com", 17), 0);
	assert_decrypt_fails_str(TOK_LEN17_IKM_NL, PREP_ERR_AUTH);
	/* Tokens made under one key do not open under the other. */
	cr_assert_eq(prep_decrypt_field(c2, "", 0, 1, TOK_LEN17,
					strlen(TOK_LEN17), &out),
		     PREP_ERR_AUTH);
	cr_assert_eq(prep_decrypt_field(c2, "email", 5, 0, TOK2_EMAIL,
					strlen(TOK2_EMAIL), &out),
		     PREP_ERR_AUTH);
	cr_assert_eq(out.len, 0);
	cr_assert_eq(
	    prep_encrypt_field(c2, "email", 5, "alice@example.com", 17, &out),
	    PREP_OK);
	cr_assert_str_neq(out.data, TOK2_EMAIL);
	prep_cipher_free(c2);
	prep_cipher_free(NULL);
}

/* Replace tok[i] with ch in a copy and try it (column email, legacy on). */
static void
assert_changed_fails(const char *tok, size_t i, char ch, prep_status want)
{
	char buf[256];

	cr_assert_lt(strlen(tok), sizeof(buf));
	strcpy(buf, tok);
	cr_assert_neq(buf[i], ch);
	buf[i] = ch;
	assert_decrypt_fails(buf, strlen(tok), want);
}

Test(encrypt, tampered_tag)
{
	/* "deK5...": the first characters are the SIV tag. */
	assert_changed_fails(TOK_LEN1, 0, 'e', PREP_ERR_AUTH);
	assert_changed_fails(TOK_LEN17, 10, 'A', PREP_ERR_AUTH);
	assert_changed_fails(TOK_LEN17, 20, '_', PREP_ERR_AUTH);
	/* "v2.5PTQ...": the tag follows the prefix. */
	assert_changed_fails(TOK2_EMAIL, 3, '4', PREP_ERR_AUTH);
	assert_changed_fails(TOK2_EMAIL, 13, 'A', PREP_ERR_AUTH);
	assert_changed_fails(TOK2_EMAIL, 23, '_', PREP_ERR_AUTH);
}

Test(encrypt, tampered_ciphertext)
{
	/* Character 22 on encodes ciphertext bytes only (25 on, bound). */
	assert_changed_fails(TOK_LEN17, 22, 'A', PREP_ERR_AUTH);
	assert_changed_fails(TOK_LEN17, 30, 'B', PREP_ERR_AUTH);
	assert_changed_fails(TOK_LEN17, 43, '9', PREP_ERR_AUTH); /* last */
	assert_changed_fails(TOK_LEN100, 100, '-', PREP_ERR_AUTH);
	/* One ciphertext bit: 'k' (36) -> 'k' ^ 16 = 'U' (20) in "..pEk". */
	assert_changed_fails(TOK_LEN1, 22, 'U', PREP_ERR_AUTH);
	assert_changed_fails(TOK2_EMAIL, 25, 'A', PREP_ERR_AUTH);
	assert_changed_fails(TOK2_EMAIL, 46, 'K', PREP_ERR_AUTH); /* last */
	assert_changed_fails(TOK2_LEN100, 103, '-', PREP_ERR_AUTH);
}

Test(encrypt, truncated)
{
	/* Whole bytes dropped: a shorter, well-formed token. */
	size_t n;

	/* Cut anywhere but at 4k+1 characters: a failed authentication. */
	for (n = 1; n < strlen(TOK_LEN17); n++)
		assert_decrypt_fails(
		    TOK_LEN17, n, n % 4 == 1 ? PREP_ERR_VALUE : PREP_ERR_AUTH);
	for (n = 1; n < strlen(TOK_LEN100); n++)
		assert_decrypt_fails(
		    TOK_LEN100, n, n % 4 == 1 ? PREP_ERR_VALUE : PREP_ERR_AUTH);
	/* Bound: the prefix cut short is no prefix ("v2" is base64url). */
	for (n = 4; n < strlen(TOK2_EMAIL); n++)
		assert_decrypt_fails(TOK2_EMAIL, n,
				     (n - 3) % 4 == 1 ? PREP_ERR_VALUE
						      : PREP_ERR_AUTH);
	assert_decrypt_fails(TOK2_EMAIL, 3, PREP_ERR_AUTH);
	assert_decrypt_fails(TOK2_EMAIL, 2, PREP_ERR_AUTH);  /* "v2" */
	assert_decrypt_fails(TOK2_EMAIL, 1, PREP_ERR_VALUE); /* "v" */
	/* 24 characters = 18 bytes: tag and 2 ciphertext bytes, canonical. */
	assert_decrypt_fails(TOK_LEN17, 24, PREP_ERR_AUTH);
	/* A genuine SIV of "" (a bare tag): refused, prep never writes it. */
	assert_decrypt_fails_str(TOK_EMPTY_SIV, PREP_ERR_AUTH);
	/* One character dropped from a 23-character token. */
	assert_decrypt_fails(TOK_LEN1, 22, PREP_ERR_AUTH);
}

Test(encrypt, extended)
{
	assert_decrypt_fails_str(TOK_LEN16 "A", PREP_ERR_AUTH);
	assert_decrypt_fails_str(TOK_LEN17 "AAAA", PREP_ERR_AUTH);
	assert_decrypt_fails_str(TOK_LEN17 "A", PREP_ERR_VALUE); /* 45 */
	assert_decrypt_fails_str(TOK2_EMAIL "AAAA", PREP_ERR_AUTH);
	assert_decrypt_fails_str(TOK2_EMAIL "A", PREP_ERR_VALUE);
}

Test(encrypt, bad_alphabet)
{
	assert_changed_fails(TOK_LEN17, 5, '+', PREP_ERR_VALUE);
	assert_changed_fails(TOK_LEN17, 5, '/', PREP_ERR_VALUE);
	assert_changed_fails(TOK_LEN17, 5, ' ', PREP_ERR_VALUE);
	assert_changed_fails(TOK_LEN17, 43, '\n', PREP_ERR_VALUE);
	assert_changed_fails(TOK_LEN17, 0, '\xff', PREP_ERR_VALUE);
	assert_changed_fails(TOK_LEN17, 12, '.', PREP_ERR_VALUE);
	assert_changed_fails(TOK_LEN17, 12, '\0', PREP_ERR_VALUE);
	assert_changed_fails(TOK2_EMAIL, 12, '.', PREP_ERR_VALUE);
	assert_changed_fails(TOK2_EMAIL, 3, '=', PREP_ERR_VALUE);
	assert_decrypt_fails_str(" " TOK_LEN17, PREP_ERR_VALUE);
	assert_decrypt_fails_str(TOK_LEN17 "\n", PREP_ERR_VALUE);
	assert_decrypt_fails_str(" " TOK2_EMAIL, PREP_ERR_VALUE);
	assert_decrypt_fails_str("v2. " TOK_LEN17, PREP_ERR_VALUE);
}

Test(encrypt, padding_rejected)
{
	/* TOK_LEN16 is 43 characters: standard base64 would add one '='. */
	assert_decrypt_fails_str(TOK_LEN16 "=", PREP_ERR_VALUE);
	assert_decrypt_fails_str(TOK_LEN1 "=", PREP_ERR_VALUE);
	assert_decrypt_fails_str(TOK_LEN15 "==", PREP_ERR_VALUE);
	assert_changed_fails(TOK_LEN17, 43, '=', PREP_ERR_VALUE);
	assert_decrypt_fails_str(TOK2_SEX "=", PREP_ERR_VALUE);
}

Test(encrypt, non_canonical_last_character)
{
	/*
	 * TOK_LEN1 is 23 characters = 17 bytes: the last character 'k'
	 * (100100) has two unused low bits; 'l' (100101) sets one, which
	 * decodes to the same bytes but is refused: one spelling per token.
	 * TOK_LEN15 is 42 = 31 bytes: 'A' has four unused bits, 'B' sets one.
	 * TOK2_SEX ends like TOK_LEN1: 'w' (110000), 'x' (110001).
	 */
	assert_changed_fails(TOK_LEN1, 22, 'l', PREP_ERR_AUTH);
	assert_changed_fails(TOK_LEN15, 41, 'B', PREP_ERR_AUTH);
	assert_changed_fails(TOK2_SEX, 25, 'x', PREP_ERR_AUTH);
}

Test(encrypt, bad_arguments)
{
	cr_assert_eq(prep_encrypt_field(cipher, "c", 1, NULL, 3, &out),
		     PREP_ERR_ARG);
	cr_assert_eq(prep_decrypt_field(cipher, "c", 1, 0, NULL, 3, &out),
		     PREP_ERR_ARG);
	cr_assert_eq(prep_encrypt_field(cipher, "c", 1, "a", 1, NULL),
		     PREP_ERR_ARG);
	cr_assert_eq(prep_encrypt_field(cipher, NULL, 1, "a", 1, &out),
		     PREP_ERR_ARG);
	cr_assert_eq(prep_decrypt_field(cipher, NULL, 1, 0, TOK2_SEX, 26, &out),
		     PREP_ERR_ARG);
	/* No name at all is the empty name. */
	cr_assert_eq(
	    prep_encrypt_field(cipher, NULL, 0, "alice@example.com", 17, &out),
	    PREP_OK);
	cr_assert_str_eq(out.data, TOK2_NONAME);
}
