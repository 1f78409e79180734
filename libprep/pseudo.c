/*
 * pseudo.c: HMAC-SHA256 pseudonyms and AES-256-SIV tokens (see pseudo.h).
 *
 * Speed: anonymize must hash a million e-mail addresses within twice the
 * time of a bare CSV parse, so the HMAC key setup is done once. By
 * RFC 2104, HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m)); with a
 * 32-byte key each padded key is exactly one SHA-256 block, so
 * prep_hasher_new absorbs both blocks once and prep_hash_hex only copies
 * the two saved states and finishes them: two compression calls for a
 * value of up to 55 bytes instead of four, and no allocation, algorithm
 * fetch or provider dispatch per value (that overhead, not the
 * compressions, is most of the cost of a one-shot HMAC() in OpenSSL 3).
 * This needs the low-level SHA256_Init/Update/Final API, deprecated (not
 * removed) in OpenSSL 3, hence OPENSSL_SUPPRESS_DEPRECATED; it runs the
 * same assembler block function (SHA-NI, AVX2) as EVP. Measured, 30-byte
 * values, OpenSSL 3.0.19, one core of an AMD EPYC (noisy shared host):
 *	HMAC() one-shot per value			0.40-0.44 M/s
 *	EVP_MAC_init(ctx, NULL key) reused		2.3-3.2 M/s
 *	HMAC_Init_ex(ctx, NULL key) reused (deprecated)	2.7-3.5 M/s
 *	EVP_MD_CTX_copy_ex of two saved EVP states	3.2-3.7 M/s
 *	SHA256_CTX copies of two saved states		7.2-7.5 M/s
 *	prep_hash_hex (the latter + 32 hex digits)	~6.2 M/s
 *
 * AES-SIV: an OpenSSL SIV context serves one value per keying (its S2V
 * state is per value; re-initialising without a key leaves it spent and
 * EVP_EncryptFinal_ex fails). Keying costs two AES key schedules and a
 * CMAC, so prep_cipher_new keys one context per direction once and each
 * value runs on an EVP_CIPHER_CTX_copy of it: 1.1-2 us instead of ~7 us
 * per 30-byte value (0.5-0.9 M/s). The cipher is fetched once.
 * The associated data (the column's name) goes in as OpenSSL's AEAD
 * interface takes it: an update with no output buffer before the
 * plaintext, one call per string of RFC 5297's vector (here, one string).
 * base64url is coded here because OpenSSL only has padded standard base64.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "pseudo.h"
#include "tablehash.h"

struct prep_hasher {
	SHA256_CTX inner; /* after absorbing Kh ^ ipad */
	SHA256_CTX outer; /* after absorbing Kh ^ opad */
};

struct prep_cipher {
	EVP_CIPHER *siv;
	EVP_CIPHER_CTX *enc;  /* keyed once to encrypt; only copied */
	EVP_CIPHER_CTX *dec;  /* keyed once to decrypt; only copied */
	EVP_CIPHER_CTX *work; /* a fresh copy of enc or dec for each value */
	prep_buf raw;	      /* tag || ciphertext: never plaintext */
};

#if !defined(__SSE2__)
static const char hexdigit[] = "0123456789abcdef";
#endif

/* RFC 4648 §5 alphabet. */
static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

prep_status
prep_hasher_new(const prep_keys *k, prep_hasher **out)
{
	unsigned char pad[SHA256_CBLOCK];
	const unsigned char *kh;
	prep_hasher *h;
	size_t i;
	int ok;

	*out = NULL;
	if (k == NULL)
		return PREP_ERR_ARG;
	h = malloc(sizeof(*h));
	if (h == NULL)
		return PREP_ERR_NOMEM;
	/* RFC 2104 §2: the 32-byte key is zero-padded to the block size B. */
	kh = prep_keys_hash_key(k);
	memset(pad, 0x36, sizeof(pad));
	for (i = 0; i < PREP_KEYS_HASH_LEN; i++)
		pad[i] ^= kh[i];
	ok = SHA256_Init(&h->inner) &&
	     SHA256_Update(&h->inner, pad, sizeof(pad));
	memset(pad, 0x5c, sizeof(pad));
	for (i = 0; i < PREP_KEYS_HASH_LEN; i++)
		pad[i] ^= kh[i];
	ok = ok && SHA256_Init(&h->outer) &&
	     SHA256_Update(&h->outer, pad, sizeof(pad));
	OPENSSL_cleanse(pad, sizeof(pad));
	if (!ok) {
		prep_hasher_free(h);
		return PREP_ERR_CRYPTO;
	}
	*out = h;
	return PREP_OK;
}

void
prep_hasher_free(prep_hasher *h)
{
	if (h == NULL)
		return;
	OPENSSL_cleanse(h, sizeof(*h));
	free(h);
}

prep_status
prep_hash_hex(prep_hasher *h, const char *in, size_t len, size_t hexdigits,
	      char *out)
{
	return prep_hash_hex_memo(h, NULL, in, len, hexdigits, out);
}

/* A value and its HMAC. */
struct memo_entry {
	unsigned char len;
	char value[PREP_HASH_MEMO_VALUE];
	unsigned char mac[SHA256_DIGEST_LENGTH];
};

/* Slots of the memo's index: twice its entries, load at most 1/2. */
#define MEMO_INDEX ((size_t)2 * PREP_HASH_MEMO_VALUES)

struct prep_hash_memo {
	const prep_tablehash_key *hk;
	unsigned long long asked, found;
	int off;
	size_t n;		    /* entries in use */
	uint16_t index[MEMO_INDEX]; /* entry + 1; 0: empty */
	struct memo_entry entry[PREP_HASH_MEMO_VALUES];
};

prep_status
prep_hash_memo_new(prep_hash_memo **out)
{
	prep_hash_memo *m;
	prep_status st;

	*out = NULL;
	if ((m = calloc(1, sizeof *m)) == NULL)
		return PREP_ERR_NOMEM;
	if ((st = prep_tablehash_table_key(&m->hk)) != PREP_OK) {
		free(m);
		return st;
	}
	*out = m;
	return PREP_OK;
}

void
prep_hash_memo_free(prep_hash_memo *m)
{
	if (m == NULL)
		return;
	OPENSSL_cleanse(m, sizeof *m);
	free(m);
}

void
prep_hash_memo_stats(const prep_hash_memo *m, unsigned long long *asked,
		     unsigned long long *found, int *on)
{
	*asked = m->asked;
	*found = m->found;
	*on = !m->off;
}

/* The first hexdigits hex digits of mac, and a NUL, into out. */
static void
hex_of(const unsigned char *mac, size_t hexdigits, char *out)
{
#if defined(__SSE2__)
	/* all 64 digits at once: each byte's two nibbles side by side,
	 * each nibble n made '0' + n, plus 'a' - '0' - 10 past 9 */
	const __m128i low4 = _mm_set1_epi8(0x0f), nine = _mm_set1_epi8(9);
	const __m128i zero = _mm_set1_epi8('0');
	const __m128i gap = _mm_set1_epi8('a' - '0' - 10);
	char full[2 * SHA256_DIGEST_LENGTH];
	size_t k;

	for (k = 0; k < 2; k++) {
		__m128i x = _mm_loadu_si128((const __m128i *)(mac + 16 * k));
		__m128i hi = _mm_and_si128(_mm_srli_epi16(x, 4), low4);
		__m128i lo = _mm_and_si128(x, low4);
		__m128i d[2];
		size_t j;

		d[0] = _mm_unpacklo_epi8(hi, lo);
		d[1] = _mm_unpackhi_epi8(hi, lo);
		for (j = 0; j < 2; j++) {
			__m128i up =
			    _mm_and_si128(_mm_cmpgt_epi8(d[j], nine), gap);

			_mm_storeu_si128(
			    (__m128i *)(full + 32 * k + 16 * j),
			    _mm_add_epi8(_mm_add_epi8(d[j], zero), up));
		}
	}
	memcpy(out, full, hexdigits);
#else
	size_t i;

	for (i = 0; i < hexdigits / 2; i++) {
		out[2 * i] = hexdigit[mac[i] >> 4];
		out[2 * i + 1] = hexdigit[mac[i] & 0x0f];
	}
	if (hexdigits & 1)
		out[hexdigits - 1] = hexdigit[mac[i] >> 4];
#endif
	out[hexdigits] = '\0';
}

/*
 * HMAC-SHA256(Kh, in[0..len)) into mac, len > 0. The per-value copies of
 * the saved states are not wiped: after Final they hold digests of the
 * data, not the key-equivalent saved states.
 */
static void
hmac(const prep_hasher *h, const char *in, size_t len,
     unsigned char mac[SHA256_DIGEST_LENGTH])
{
	unsigned char ih[SHA256_DIGEST_LENGTH];
	SHA256_CTX c;

	c = h->inner;
	SHA256_Update(&c, in, len);
	SHA256_Final(ih, &c);
	c = h->outer;
	SHA256_Update(&c, ih, sizeof(ih));
	SHA256_Final(mac, &c);
}

prep_status
prep_hash_hex_memo(prep_hasher *h, prep_hash_memo *m, const char *in,
		   size_t len, size_t hexdigits, char *out)
{
	unsigned char mac[SHA256_DIGEST_LENGTH];
	struct memo_entry *e;
	size_t j;

	if (h == NULL || out == NULL || (in == NULL && len > 0) ||
	    hexdigits < PREP_HASH_MIN_HEX || hexdigits > PREP_HASH_MAX_HEX)
		return PREP_ERR_ARG;
	if (len == 0) {
		out[0] = '\0';
		return PREP_OK;
	}
	if (m == NULL || m->off || len > PREP_HASH_MEMO_VALUE) {
		hmac(h, in, len, mac);
		hex_of(mac, hexdigits, out);
		return PREP_OK;
	}
	m->asked++;
	/* linear probing; the random key keeps runs short whatever the
	 * values, and the index is never more than half full */
	for (j = prep_tablehash(m->hk, in, len) % MEMO_INDEX; m->index[j];
	     j = (j + 1) % MEMO_INDEX) {
		e = &m->entry[m->index[j] - 1];
		if (e->len == len && memcmp(e->value, in, len) == 0) {
			m->found++;
			hex_of(e->mac, hexdigits, out);
			return PREP_OK;
		}
	}
	hmac(h, in, len, mac);
	hex_of(mac, hexdigits, out);
	if (m->asked >= PREP_HASH_MEMO_PROBE && m->found < m->asked / 8) {
		/* a column of distinct values: forget them */
		m->off = 1;
		OPENSSL_cleanse(m->entry, sizeof m->entry);
		return PREP_OK;
	}
	if (m->n < PREP_HASH_MEMO_VALUES) {
		e = &m->entry[m->n++];
		e->len = (unsigned char)len;
		memcpy(e->value, in, len);
		memcpy(e->mac, mac, sizeof mac);
		m->index[j] = (uint16_t)m->n;
	}
	return PREP_OK;
}

double
prep_hash_pairs(size_t hexdigits, double n)
{
	if (n <= 1)
		return 0;
	return n * (n - 1) / (2 * ldexp(1, (int)(4 * hexdigits)));
}

unsigned long long
prep_hash_values_per_pair(size_t hexdigits)
{
	unsigned long long two_s, n;

	if (hexdigits < PREP_HASH_MIN_HEX || hexdigits >= PREP_HASH_WARN_HEX)
		return 0;
	/* 2 * 16^15 = 2^61 at most; n < 2^31, so n (n - 1) fits too. */
	two_s = 2ULL << (4 * hexdigits);
	n = (unsigned long long)((1 + sqrt(1 + 4 * (double)two_s)) / 2);
	while (n * (n - 1) < two_s)
		n++;
	while (n > 2 && (n - 1) * (n - 2) >= two_s)
		n--;
	return n;
}

prep_status
prep_cipher_new(const prep_keys *k, prep_cipher **out)
{
	*out = NULL;
	if (k == NULL)
		return PREP_ERR_ARG;
	return prep_cipher_new_key(prep_keys_encrypt_key(k),
				   PREP_KEYS_ENCRYPT_LEN, out);
}

prep_status
prep_cipher_new_key(const unsigned char *key, size_t keylen, prep_cipher **out)
{
	prep_cipher *c;
	prep_status st;

	*out = NULL;
	if (key == NULL || (keylen != 32 && keylen != 64))
		return PREP_ERR_ARG;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return PREP_ERR_NOMEM;
	prep_buf_init(&c->raw, 0);
	c->siv = EVP_CIPHER_fetch(
	    NULL, keylen == 64 ? "AES-256-SIV" : "AES-128-SIV", NULL);
	c->enc = EVP_CIPHER_CTX_new();
	c->dec = EVP_CIPHER_CTX_new();
	c->work = EVP_CIPHER_CTX_new();
	if (c->siv == NULL || c->enc == NULL || c->dec == NULL ||
	    c->work == NULL) {
		st = c->siv == NULL ? PREP_ERR_CRYPTO : PREP_ERR_NOMEM;
		prep_cipher_free(c);
		return st;
	}
	if (EVP_CipherInit_ex2(c->enc, c->siv, key, NULL, 1, NULL) != 1 ||
	    EVP_CipherInit_ex2(c->dec, c->siv, key, NULL, 0, NULL) != 1) {
		prep_cipher_free(c);
		return PREP_ERR_CRYPTO;
	}
	*out = c;
	return PREP_OK;
}

prep_status
prep_cipher_clone(const prep_cipher *from, prep_cipher **out)
{
	prep_cipher *c;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return PREP_ERR_NOMEM;
	prep_buf_init(&c->raw, 0);
	c->siv = from->siv;
	c->enc = EVP_CIPHER_CTX_new();
	c->dec = EVP_CIPHER_CTX_new();
	c->work = EVP_CIPHER_CTX_new();
	if (EVP_CIPHER_up_ref(c->siv) != 1)
		c->siv = NULL;
	if (c->siv == NULL || c->enc == NULL || c->dec == NULL ||
	    c->work == NULL || EVP_CIPHER_CTX_copy(c->enc, from->enc) != 1 ||
	    EVP_CIPHER_CTX_copy(c->dec, from->dec) != 1) {
		prep_cipher_free(c);
		return PREP_ERR_CRYPTO;
	}
	*out = c;
	return PREP_OK;
}

void
prep_cipher_free(prep_cipher *c)
{
	if (c == NULL)
		return;
	EVP_CIPHER_CTX_free(c->work); /* the provider wipes the key schedules */
	EVP_CIPHER_CTX_free(c->dec);
	EVP_CIPHER_CTX_free(c->enc);
	EVP_CIPHER_free(c->siv);
	prep_buf_free(&c->raw);
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
}

/* Characters of the unpadded base64url of n bytes. */
static size_t
b64url_len(size_t n)
{
	return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

/* Append the unpadded base64url of p[0..n) to out (room is reserved). */
static void
b64url_encode(const unsigned char *p, size_t n, char *out)
{
	size_t i;
	unsigned long v;

	for (i = 0; i + 3 <= n; i += 3) {
		v = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8 |
		    p[i + 2];
		*out++ = b64url[v >> 18];
		*out++ = b64url[v >> 12 & 63];
		*out++ = b64url[v >> 6 & 63];
		*out++ = b64url[v & 63];
	}
	if (n - i == 1) {
		v = (unsigned long)p[i] << 16;
		*out++ = b64url[v >> 18];
		*out++ = b64url[v >> 12 & 63];
	} else if (n - i == 2) {
		v = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8;
		*out++ = b64url[v >> 18];
		*out++ = b64url[v >> 12 & 63];
		*out++ = b64url[v >> 6 & 63];
	}
}

/* The 6-bit value of a base64url character, or -1. */
static int
b64url_value(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '-')
		return 62;
	if (ch == '_')
		return 63;
	return -1;
}

/*
 * Decode unpadded base64url s[0..n) into out (room for n / 4 * 3 + 2
 * bytes), *outlen its length. Strict: no padding, no whitespace, no
 * 4k+1 length (PREP_ERR_VALUE). The unused low bits of the last character
 * must be zero (RFC 4648 §3.5 canonical form) so that each token has one
 * spelling; as an encoder never sets them, a token with them set was cut
 * short or altered and that is PREP_ERR_AUTH like any other tampering.
 */
static prep_status
b64url_decode(const char *s, size_t n, unsigned char *out, size_t *outlen)
{
	unsigned long v = 0;
	size_t i, o = 0;
	int d;

	if (n % 4 == 1)
		return PREP_ERR_VALUE;
	for (i = 0; i < n; i++) {
		d = b64url_value((unsigned char)s[i]);
		if (d < 0)
			return PREP_ERR_VALUE;
		v = v << 6 | (unsigned long)d;
		if (i % 4 == 3) {
			out[o++] = (unsigned char)(v >> 16);
			out[o++] = (unsigned char)(v >> 8);
			out[o++] = (unsigned char)v;
			v = 0;
		}
	}
	if (n % 4 == 2) {
		if (v & 0x0f)
			return PREP_ERR_AUTH;
		out[o++] = (unsigned char)(v >> 4);
	} else if (n % 4 == 3) {
		if (v & 0x03)
			return PREP_ERR_AUTH;
		out[o++] = (unsigned char)(v >> 10);
		out[o++] = (unsigned char)(v >> 2);
	}
	*outlen = o;
	return PREP_OK;
}

/* Empty stays empty: "" with data != NULL, so callers can print it. */
static prep_status
empty_result(prep_buf *out)
{
	prep_status st = prep_buf_reserve(out, 0);

	if (st == PREP_OK)
		out->data[0] = '\0';
	return st;
}

/*
 * RFC 5297 SIV-AES with one associated data string, via OpenSSL's AEAD
 * interface: key (a copy of the keyed context), the associated data, one
 * update with the whole plaintext, final, then read the tag.
 */
prep_status
prep_encrypt_field(prep_cipher *c, const char *ad, size_t adlen, const char *in,
		   size_t len, prep_buf *out)
{
	prep_status st;
	size_t rawlen, enclen;
	unsigned char *raw;
	int n;

	if (c == NULL || out == NULL || (in == NULL && len > 0) ||
	    (ad == NULL && adlen > 0))
		return PREP_ERR_ARG;
	prep_buf_reset(out);
	if (len == 0)
		return empty_result(out);
	if (len > (size_t)INT_MAX - PREP_SIV_TAG_LEN || adlen > (size_t)INT_MAX)
		return PREP_ERR_LIMIT;
	rawlen = PREP_SIV_TAG_LEN + len;
	enclen = PREP_TOKEN_PREFIX_LEN + b64url_len(rawlen);
	if ((st = prep_buf_reserve(out, enclen)) != PREP_OK)
		return st;
	prep_buf_reset(&c->raw);
	if ((st = prep_buf_reserve(&c->raw, rawlen)) != PREP_OK)
		return st;
	raw = (unsigned char *)c->raw.data;
	if (EVP_CIPHER_CTX_copy(c->work, c->enc) != 1 ||
	    EVP_EncryptUpdate(c->work, NULL, &n,
			      (const unsigned char *)(ad ? ad : ""),
			      (int)adlen) != 1 ||
	    EVP_EncryptUpdate(c->work, raw + PREP_SIV_TAG_LEN, &n,
			      (const unsigned char *)in, (int)len) != 1 ||
	    (size_t)n != len ||
	    EVP_EncryptFinal_ex(c->work, raw + rawlen, &n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c->work, EVP_CTRL_AEAD_GET_TAG,
				PREP_SIV_TAG_LEN, raw) != 1)
		return PREP_ERR_CRYPTO;
	memcpy(out->data, PREP_TOKEN_PREFIX, PREP_TOKEN_PREFIX_LEN);
	b64url_encode(raw, rawlen, out->data + PREP_TOKEN_PREFIX_LEN);
	out->len = enclen;
	out->data[enclen] = '\0';
	return PREP_OK;
}

prep_status
prep_decrypt_field(prep_cipher *c, const char *ad, size_t adlen, int legacy,
		   const char *in, size_t len, prep_buf *out)
{
	prep_status st;
	size_t rawlen, ptlen;
	unsigned char *raw, *pt;
	int n, ok, bound;

	if (c == NULL || out == NULL || (in == NULL && len > 0) ||
	    (ad == NULL && adlen > 0))
		return PREP_ERR_ARG;
	prep_buf_reset(out);
	if (len == 0)
		return empty_result(out);
	if (adlen > (size_t)INT_MAX)
		return PREP_ERR_LIMIT;
	bound = len >= PREP_TOKEN_PREFIX_LEN &&
		memcmp(in, PREP_TOKEN_PREFIX, PREP_TOKEN_PREFIX_LEN) == 0;
	if (bound) {
		in += PREP_TOKEN_PREFIX_LEN;
		len -= PREP_TOKEN_PREFIX_LEN;
	}
	prep_buf_reset(&c->raw);
	if ((st = prep_buf_reserve(&c->raw, len / 4 * 3 + 2)) != PREP_OK)
		return st;
	raw = (unsigned char *)c->raw.data;
	if ((st = b64url_decode(in, len, raw, &rawlen)) != PREP_OK)
		return st;
	if (rawlen <= PREP_SIV_TAG_LEN)
		return PREP_ERR_AUTH;
	/*
	 * Told apart by their form alone, before any decryption: a token
	 * without the prefix was made without associated data, so under the
	 * column binding it is refused unless legacy tokens were asked for.
	 */
	if (!bound && !legacy)
		return PREP_ERR_LEGACY_TOKEN;
	ptlen = rawlen - PREP_SIV_TAG_LEN;
	if (ptlen > (size_t)INT_MAX)
		return PREP_ERR_LIMIT;
	if ((st = prep_buf_reserve(out, ptlen)) != PREP_OK)
		return st;
	pt = (unsigned char *)out->data;
	if (EVP_CIPHER_CTX_copy(c->work, c->dec) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c->work, EVP_CTRL_AEAD_SET_TAG,
				PREP_SIV_TAG_LEN, raw) != 1)
		return PREP_ERR_CRYPTO;
	/*
	 * SIV decrypts first and checks the tag afterwards: on failure the
	 * output holds unauthenticated bytes, which are wiped here.
	 */
	ok = (!bound || EVP_DecryptUpdate(c->work, NULL, &n,
					  (const unsigned char *)(ad ? ad : ""),
					  (int)adlen) == 1) &&
	     EVP_DecryptUpdate(c->work, pt, &n, raw + PREP_SIV_TAG_LEN,
			       (int)ptlen) == 1 &&
	     (size_t)n == ptlen &&
	     EVP_DecryptFinal_ex(c->work, pt + ptlen, &n) == 1;
	if (!ok) {
		OPENSSL_cleanse(pt, ptlen);
		prep_buf_reset(out);
		ERR_clear_error(); /* the failure is ours to report */
		return PREP_ERR_AUTH;
	}
	out->len = ptlen;
	out->data[ptlen] = '\0';
	return PREP_OK;
}
