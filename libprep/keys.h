/*
 * keys.h: the secret keys of anonymize's hash and encrypt actions.
 *
 * A key file's bytes, with exactly one trailing "\n" dropped (nothing else:
 * no "\r", no spaces, no second newline), are the input key material (IKM).
 * The IKM must hold at least PREP_KEYS_MIN_IKM and at most
 * PREP_KEYS_MAX_IKM bytes. Two keys are derived from it with HKDF-SHA256
 * (RFC 5869), empty salt:
 *
 *	Kh = HKDF(IKM, salt "", info "prep hash v1",    32 bytes)  HMAC key
 *	Ke = HKDF(IKM, salt "", info "prep encrypt v1", 64 bytes)  AES-SIV key
 *
 * so the same key file gives the same pseudonyms in every run, file and
 * column. The derived keys live in one heap object that is wiped
 * (OPENSSL_cleanse) when freed; the bytes read from a key file are wiped
 * as soon as the keys are derived.
 * Relies on OpenSSL 3 libcrypto (EVP_KDF "HKDF").
 */
#ifndef PREP_KEYS_H
#define PREP_KEYS_H

#include <stddef.h>

#include "prep.h"

#define PREP_KEYS_MIN_IKM 16	 /* bytes, after the newline is dropped */
#define PREP_KEYS_MAX_IKM 4096	 /* bytes, after the newline is dropped */
#define PREP_KEYS_HASH_LEN 32	 /* Kh */
#define PREP_KEYS_ENCRYPT_LEN 64 /* Ke: two AES-256 keys for AES-SIV */

typedef struct prep_keys prep_keys;

/*
 * Derive Kh and Ke from len bytes of IKM (taken as they are: no newline is
 * dropped here). PREP_ERR_KEY if len is below PREP_KEYS_MIN_IKM or above
 * PREP_KEYS_MAX_IKM, PREP_ERR_CRYPTO if OpenSSL fails.
 */
prep_status prep_keys_from_ikm(const unsigned char *ikm, size_t len,
			       prep_keys **out);

/* How long a named pipe may go without a writer (prep_keys_load). */
#define PREP_KEYS_WAIT_SECONDS 10

/*
 * What prep_keys_load found out about a key file, for the caller's
 * warnings and messages (the library doesn't print).
 */
typedef struct prep_key_file {
	int readable;	   /* group or others may read it (mode & 044) */
	int writable;	   /* group or others may write it (mode & 022) */
	int foreign;	   /* owned by a user other than the effective one */
	unsigned long uid; /* its owner */
	const char *kind;  /* a refused kind of file ("a directory"), or NULL */
} prep_key_file;

/*
 * Read the key file at path and derive the keys from its bytes (one
 * trailing "\n" dropped). A key file is a regular file or a pipe:
 * an open descriptor's pipe (/dev/fd/N, /proc/self/fd/N, /dev/stdin: the
 * --key-file <(pass show prep) of a shell), or a named pipe that the
 * effective user owns. Anything else (a device, a socket, a directory, a
 * named pipe of another user) is refused before it is opened, so that
 * /dev/zero, a terminal or a pipe someone else can feed never becomes a
 * key. The file is opened with O_NONBLOCK: a named pipe that no process
 * opens for writing within PREP_KEYS_WAIT_SECONDS is an error instead of
 * a hang; once a process holds a pipe open for writing it is waited for,
 * as any reader of a pipe waits (a passphrase prompt may take a while).
 * Returns:
 *	PREP_ERR_IO	the file can't be opened or read; errno tells why
 *	PREP_ERR_KEY	info->kind set: a refused kind of file; else fewer
 *			than PREP_KEYS_MIN_IKM or more than PREP_KEYS_MAX_IKM
 *			bytes of key material
 *	PREP_ERR_LIMIT	a named pipe that no process opened for writing
 *			within PREP_KEYS_WAIT_SECONDS
 *	PREP_ERR_ARG	path is NULL
 *	PREP_ERR_NOMEM, PREP_ERR_CRYPTO
 * *info (may be NULL) is filled from the file's status as soon as it is
 * known, so it is meaningful even when the key is then rejected; foreign
 * is never set for an open descriptor's pipe (it is this process's own).
 */
prep_status prep_keys_load(const char *path, prep_keys **out,
			   prep_key_file *info);

/*
 * Whether a key file argument that could not be opened may be named in a
 * message. It may be the key itself, pasted in by mistake
 * (--key-file "$(cat key)", PREP_KEY_FILE=<the key>), so: 1 when it names
 * an existing directory entry, or when it holds a '/' after a directory
 * that exists, other than the root alone ("keys/prep.key" with keys/
 * there); 0 otherwise, for base64 key material holds '/' too.
 */
int prep_keys_path_shown(const char *path);

/* Wipe and free; NULL is fine. */
void prep_keys_free(prep_keys *k);

/* Kh, PREP_KEYS_HASH_LEN (32) bytes, owned by k. */
const unsigned char *prep_keys_hash_key(const prep_keys *k);

/* Ke, PREP_KEYS_ENCRYPT_LEN (64) bytes, owned by k. */
const unsigned char *prep_keys_encrypt_key(const prep_keys *k);

#endif
