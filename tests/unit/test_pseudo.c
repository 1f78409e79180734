/*
 * test_pseudo.c: HMAC pseudonyms and AES-SIV tokens (libprep/pseudo.c).
 *
 * The expected pseudonyms and tokens were computed without libprep by
 * tests/unit/kat/gen_vectors.py: HMAC by Python's hmac and openssl dgst,
 * AES-SIV by the cryptography package and by RFC 5297 written out in
 * Python (which agree). One extra test checks the precomputed HMAC states
 * against OpenSSL's one-shot HMAC() for every length up to 300 bytes.
 */
#include <criterion/criterion.h>

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

/* base64url(AES-SIV(Ke of IKM, value)). */
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

		cr_assert_eq(v, per_pair[n - PREP_HASH_MIN_HEX], "hash:%zu",
			     n);
		cr_assert_geq(prep_hash_pairs(n, (double)v), 1.0);
		cr_assert_lt(prep_hash_pairs(n, (double)(v - 1)), 1.0);
	}
	cr_assert_eq(prep_hash_values_per_pair(7), 0);
	cr_assert_eq(prep_hash_values_per_pair(16), 0);
	cr_assert_eq(prep_hash_values_per_pair(64), 0);
}

/* ---- encrypt / decrypt ------------------------------------------------- */

static void
assert_token(const char *in, size_t len, const char *want)
{
	prep_buf back;

	cr_assert_eq(prep_encrypt_field(cipher, in, len, &out), PREP_OK);
	cr_assert_str_eq(out.data, want);
	cr_assert_eq(out.len, strlen(want));
	prep_buf_init(&back, 0);
	cr_assert_eq(prep_decrypt_field(cipher, want, strlen(want), &back),
		     PREP_OK);
	cr_assert_eq(back.len, len);
	cr_assert_eq(memcmp(back.data, in, len), 0);
	cr_assert_eq(back.data[len], '\0');
	prep_buf_free(&back);
}

static void
assert_decrypt_fails(const char *tok, size_t len, prep_status want)
{
	/* Leave something in out first: a failure must empty it. */
	cr_assert_eq(prep_buf_append_str(&out, "previous"), PREP_OK);
	cr_assert_eq(prep_decrypt_field(cipher, tok, len, &out), want,
		     "token %s", tok);
	cr_assert_eq(out.len, 0);
	cr_assert_str_eq(out.data, "");
}

static void
assert_decrypt_fails_str(const char *tok, prep_status want)
{
	assert_decrypt_fails(tok, strlen(tok), want);
}

Test(encrypt, known_answers_and_round_trips)
{
	char v100[101];
	size_t i;

	for (i = 0; i < 100; i++)
		v100[i] = (char)('a' + i % 26);
	v100[100] = '\0';
	assert_token("M", 1, TOK_LEN1);
	assert_token("555-0100 x12345", 15, TOK_LEN15);
	assert_token("4111111111111111", 16, TOK_LEN16);
	assert_token("alice@example.com", 17, TOK_LEN17);
	assert_token(LATIN, strlen(LATIN), TOK_UTF8);
	assert_token(v100, 100, TOK_LEN100);
	/* Token length: ceil(4 (16 + n) / 3). */
	cr_assert_eq(strlen(TOK_LEN1), 23);
	cr_assert_eq(strlen(TOK_LEN15), 42);
	cr_assert_eq(strlen(TOK_LEN16), 43);
	cr_assert_eq(strlen(TOK_LEN17), 44);
}

Test(encrypt, deterministic_and_stateless)
{
	/* Short and long values interleaved: no state carries over. */
	assert_token("M", 1, TOK_LEN1);
	assert_token("alice@example.com", 17, TOK_LEN17);
	assert_token("M", 1, TOK_LEN1);
	assert_token("555-0100 x12345", 15, TOK_LEN15);
	assert_token("M", 1, TOK_LEN1);
	cr_assert_eq(prep_decrypt_field(cipher, "x", 1, &out), PREP_ERR_VALUE);
	cr_assert_eq(prep_decrypt_field(cipher, TOK_LEN16 "A", 44, &out),
		     PREP_ERR_AUTH);
	assert_token("M", 1, TOK_LEN1);
}

Test(encrypt, empty_stays_empty)
{
	cr_assert_eq(prep_encrypt_field(cipher, "", 0, &out), PREP_OK);
	cr_assert_eq(out.len, 0);
	cr_assert_not_null(out.data);
	cr_assert_str_eq(out.data, "");
	cr_assert_eq(prep_decrypt_field(cipher, NULL, 0, &out), PREP_OK);
	cr_assert_eq(out.len, 0);
	cr_assert_str_eq(out.data, "");
}

Test(encrypt, binary_and_long_values_round_trip)
{
	char *lv = long_value();
	prep_buf tok;

	prep_buf_init(&tok, 0);
	cr_assert_eq(prep_encrypt_field(cipher, "a\0b", 3, &tok), PREP_OK);
	cr_assert_eq(prep_decrypt_field(cipher, tok.data, tok.len, &out),
		     PREP_OK);
	cr_assert_eq(out.len, 3);
	cr_assert_eq(memcmp(out.data, "a\0b", 3), 0);

	cr_assert_eq(prep_encrypt_field(cipher, lv, LONG_LEN, &tok), PREP_OK);
	cr_assert_eq(tok.len, (16 + LONG_LEN + 2) / 3 * 4 - 1);
	cr_assert_eq(strspn(tok.data, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				      "abcdefghijklmnopqrstuvwxyz0123456789-_"),
		     tok.len);
	cr_assert_eq(prep_decrypt_field(cipher, tok.data, tok.len, &out),
		     PREP_OK);
	cr_assert_eq(out.len, LONG_LEN);
	cr_assert_eq(memcmp(out.data, lv, LONG_LEN), 0);
	prep_buf_free(&tok);
	free(lv);
}

Test(encrypt, output_cap)
{
	prep_buf small;

	prep_buf_init(&small, 43); /* TOK_LEN17 needs 44 */
	cr_assert_eq(
	    prep_encrypt_field(cipher, "alice@example.com", 17, &small),
	    PREP_ERR_LIMIT);
	cr_assert_eq(small.len, 0);
	cr_assert_eq(prep_encrypt_field(cipher, "4111111111111111", 16, &small),
		     PREP_OK);
	cr_assert_str_eq(small.data, TOK_LEN16);
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
	cr_assert_eq(prep_encrypt_field(c2, "alice@example.com", 17, &out),
		     PREP_OK);
	cr_assert_str_eq(out.data, TOK_LEN17_IKM_NL);
	/* A token made under one key does not open under the other. */
	cr_assert_eq(prep_decrypt_field(c2, TOK_LEN17, strlen(TOK_LEN17), &out),
		     PREP_ERR_AUTH);
	cr_assert_eq(out.len, 0);
	assert_decrypt_fails_str(TOK_LEN17_IKM_NL, PREP_ERR_AUTH);
	prep_cipher_free(c2);
	prep_cipher_free(NULL);
}

/* Replace tok[i] with ch in a copy and try it. */
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
}

Test(encrypt, tampered_ciphertext)
{
	/* Character 22 on encodes ciphertext bytes only. */
	assert_changed_fails(TOK_LEN17, 22, 'A', PREP_ERR_AUTH);
	assert_changed_fails(TOK_LEN17, 30, 'B', PREP_ERR_AUTH);
	assert_changed_fails(TOK_LEN17, 43, '9', PREP_ERR_AUTH); /* last */
	assert_changed_fails(TOK_LEN100, 100, '-', PREP_ERR_AUTH);
	/* One ciphertext bit: 'k' (36) -> 'k' ^ 16 = 'U' (20) in "..pEk". */
	assert_changed_fails(TOK_LEN1, 22, 'U', PREP_ERR_AUTH);
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
	assert_decrypt_fails_str(" " TOK_LEN17, PREP_ERR_VALUE);
	assert_decrypt_fails_str(TOK_LEN17 "\n", PREP_ERR_VALUE);
}

Test(encrypt, padding_rejected)
{
	/* TOK_LEN16 is 43 characters: standard base64 would add one '='. */
	assert_decrypt_fails_str(TOK_LEN16 "=", PREP_ERR_VALUE);
	assert_decrypt_fails_str(TOK_LEN1 "=", PREP_ERR_VALUE);
	assert_decrypt_fails_str(TOK_LEN15 "==", PREP_ERR_VALUE);
	assert_changed_fails(TOK_LEN17, 43, '=', PREP_ERR_VALUE);
}

Test(encrypt, non_canonical_last_character)
{
	/*
	 * TOK_LEN1 is 23 characters = 17 bytes: the last character 'k'
	 * (100100) has two unused low bits; 'l' (100101) sets one, which
	 * decodes to the same bytes but is refused: one spelling per token.
	 * TOK_LEN15 is 42 = 31 bytes: 'A' has four unused bits, 'B' sets one.
	 */
	assert_changed_fails(TOK_LEN1, 22, 'l', PREP_ERR_AUTH);
	assert_changed_fails(TOK_LEN15, 41, 'B', PREP_ERR_AUTH);
}

Test(encrypt, bad_arguments)
{
	cr_assert_eq(prep_encrypt_field(cipher, NULL, 3, &out), PREP_ERR_ARG);
	cr_assert_eq(prep_decrypt_field(cipher, NULL, 3, &out), PREP_ERR_ARG);
	cr_assert_eq(prep_encrypt_field(cipher, "a", 1, NULL), PREP_ERR_ARG);
}
