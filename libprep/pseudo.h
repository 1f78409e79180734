/*
 * pseudo.h: keyed pseudonyms (anonymize hash) and deterministic
 * encryption (anonymize encrypt / --decrypt) of single field values.
 *
 * hash[:N]  lowercase hex of HMAC-SHA256(Kh, field bytes) (RFC 2104),
 *           first N hex digits, 8 <= N <= 64 (the tool's default is 32).
 *           N digits carry 4N bits, so n distinct values share pseudonyms
 *           in about n(n-1) / (2 * 16^N) pairs (the birthday bound).
 * encrypt   "v2." then AES-256-SIV (RFC 5297) of the field bytes under
 *           the 64-byte key Ke with one associated data string, the
 *           column's name, and no nonce, in base64url (RFC 4648 §5)
 *           without padding of (16-byte SIV tag || ciphertext): a value
 *           of n bytes gives 3 + ceil(4 (16 + n) / 3) characters. The
 *           name binds a token to its column: moved to a column of
 *           another name it fails authentication.
 * legacy    tokens written before the column binding: no prefix, no
 *           associated data, ceil(4 (16 + n) / 3) characters. A legacy
 *           token has no '.', so the two formats never read as each other;
 *           legacy tokens are read only when asked for.
 *
 * Both are deterministic: the same value under the same key file gives
 * the same pseudonym in every run, file and column, and the same token in
 * every run, file and column of the same name, so joins still work.
 * An empty field stays empty in all three directions. Fields are taken
 * byte for byte (no trimming, no Unicode normalization).
 *
 * Kh and Ke come from keys.h. See tests/unit/kat/README for how another
 * implementation reproduces a pseudonym or a token. Relies on OpenSSL 3
 * libcrypto (SHA-256, EVP cipher "AES-256-SIV").
 */
#ifndef PREP_PSEUDO_H
#define PREP_PSEUDO_H

#include <stddef.h>

#include "buf.h"
#include "keys.h"
#include "prep.h"

#define PREP_HASH_MIN_HEX 8
#define PREP_HASH_MAX_HEX 64
#define PREP_HASH_DEFAULT_HEX 32
#define PREP_SIV_TAG_LEN 16
/* anonymize warns about a hash length below this: see prep_hash_pairs. */
#define PREP_HASH_WARN_HEX 16
/* What a token with associated data starts with; never in a legacy one. */
#define PREP_TOKEN_PREFIX "v2."
#define PREP_TOKEN_PREFIX_LEN 3

/* A keyed HMAC-SHA256 state for Kh, set up once and used for every value. */
typedef struct prep_hasher prep_hasher;

/* k may be freed after this returns: the hasher keeps what it needs. */
prep_status prep_hasher_new(const prep_keys *k, prep_hasher **out);

/* Wipe and free; NULL is fine. */
void prep_hasher_free(prep_hasher *h);

/*
 * Write the first hexdigits (PREP_HASH_MIN_HEX..PREP_HASH_MAX_HEX, odd
 * counts allowed) lowercase hex digits of HMAC-SHA256(Kh, in[0..len)) and
 * a NUL into out, which must hold PREP_HASH_MAX_HEX + 1 bytes. len == 0
 * writes "" (empty stays empty). PREP_ERR_ARG for a hexdigits out of range.
 */
prep_status prep_hash_hex(prep_hasher *h, const char *in, size_t len,
			  size_t hexdigits, char *out);

/*
 * A memo of pseudonyms, for one thread: a column of few distinct values
 * (countries, codes) hashes each of them once, not once a row. It keeps
 * the first PREP_HASH_MEMO_VALUES distinct values of up to
 * PREP_HASH_MEMO_VALUE bytes it is asked for, with their HMACs, in a
 * table hashed under the process's random table key (tablehash.h), and
 * never forgets one: a value is found exactly when it was kept before.
 * Once PREP_HASH_MEMO_PROBE values were asked, if fewer than one in eight
 * were found (a column of distinct values: e-mail addresses), it turns
 * itself off and forgets them all: what it cost is then those lookups.
 * It holds data values and pseudonyms of the key: prep_hash_memo_free
 * wipes it.
 */
#define PREP_HASH_MEMO_VALUES 512
#define PREP_HASH_MEMO_VALUE 55
#define PREP_HASH_MEMO_PROBE 4096
typedef struct prep_hash_memo prep_hash_memo;

prep_status prep_hash_memo_new(prep_hash_memo **out);
void prep_hash_memo_free(prep_hash_memo *m);
/* prep_hash_hex through memo m (NULL: none); h the only hasher m serves. */
prep_status prep_hash_hex_memo(prep_hasher *h, prep_hash_memo *m,
			       const char *in, size_t len, size_t hexdigits,
			       char *out);
/* For the tests: values asked, found, and whether it is still on. */
void prep_hash_memo_stats(const prep_hash_memo *m, unsigned long long *asked,
			  unsigned long long *found, int *on);

/*
 * The expected number of pairs of distinct values that share a pseudonym
 * of hexdigits digits among n distinct values: C(n, 2) / 16^hexdigits,
 * exact for a random function (linearity of expectation over the pairs),
 * which HMAC-SHA256 is taken to be. For a small result it is also about
 * the number of pseudonyms that stand for more than one value.
 */
double prep_hash_pairs(size_t hexdigits, double n);

/*
 * The fewest distinct values among which one pair is expected to share a
 * pseudonym of hexdigits digits (prep_hash_pairs >= 1): the least n with
 * n (n - 1) >= 2 * 16^hexdigits. Only for PREP_HASH_MIN_HEX <= hexdigits <
 * PREP_HASH_WARN_HEX, where it fits; 0 otherwise.
 */
unsigned long long prep_hash_values_per_pair(size_t hexdigits);

/* An AES-256-SIV context for Ke, used for every value of a run. */
typedef struct prep_cipher prep_cipher;

/* k may be freed after this returns. PREP_ERR_CRYPTO without AES-SIV. */
prep_status prep_cipher_new(const prep_keys *k, prep_cipher **out);

/*
 * The same on a raw SIV key: 64 bytes for AES-256-SIV (what anonymize
 * uses, Ke) or 32 for AES-128-SIV, so that RFC 5297's own test vectors
 * can be run through prep_encrypt_field. PREP_ERR_ARG for another length.
 */
prep_status prep_cipher_new_key(const unsigned char *key, size_t keylen,
				prep_cipher **out);

/* Wipe and free; NULL is fine. */
/*
 * A cipher with from's keys, for another thread: one cipher is used by
 * one thread at a time (it keeps a working context and buffer).
 */
prep_status prep_cipher_clone(const prep_cipher *from, prep_cipher **out);
void prep_cipher_free(prep_cipher *c);

/*
 * Reset out and write the token of in[0..len) bound to the associated
 * data ad[0..adlen) (anonymize: the column's name; adlen may be 0, which
 * is a string of its own, not the absence of one) into it, NUL terminated;
 * len == 0 gives "". PREP_ERR_LIMIT if the token would pass out's cap (the
 * field is then too long for the cipher or the buffer).
 */
prep_status prep_encrypt_field(prep_cipher *c, const char *ad, size_t adlen,
			       const char *in, size_t len, prep_buf *out);

/*
 * Reset out and write the plaintext of the token in[0..len) into it (NUL
 * terminated, but the plaintext may itself hold NUL bytes: use out->len).
 * A token with PREP_TOKEN_PREFIX is opened with ad[0..adlen) as its
 * associated data; one without it is a legacy token, opened without
 * associated data when legacy is nonzero, else refused. An empty token
 * gives "". Returns:
 *	PREP_ERR_VALUE	not a token: after the prefix (if any), not
 *			unpadded base64url, i.e. a character outside
 *			[A-Za-z0-9_-] ('=' padding, spaces and newlines
 *			included) or a length of 4k+1 characters
 *	PREP_ERR_LEGACY_TOKEN  legacy is 0 and the token is a well-formed
 *			legacy one (no prefix, more than 16 bytes)
 *	PREP_ERR_AUTH	well-formed but does not authenticate under this
 *			key and ad: tampered, truncated, made with another
 *			key or in a column of another name, 16 decoded bytes
 *			or fewer (a bare tag; prep never writes a token for
 *			""), or nonzero unused bits in the last character
 *			(never written by an encoder)
 * On any error out is left empty and no unauthenticated byte is kept.
 */
prep_status prep_decrypt_field(prep_cipher *c, const char *ad, size_t adlen,
			       int legacy, const char *in, size_t len,
			       prep_buf *out);

#endif
