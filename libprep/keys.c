/*
 * keys.c: key file loading and HKDF key derivation (see keys.h).
 *
 * Relies on OpenSSL 3 libcrypto: EVP_KDF "HKDF" (RFC 5869) with SHA-256.
 * No salt parameter is passed: RFC 5869 §2.2 then uses HashLen zero bytes,
 * which as an HMAC key is the same as an empty salt, so this matches any
 * HKDF implementation called with salt "" or salt absent.
 * Key bytes are wiped with OPENSSL_cleanse wherever they were held.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "keys.h"

struct prep_keys {
	unsigned char kh[PREP_KEYS_HASH_LEN];
	unsigned char ke[PREP_KEYS_ENCRYPT_LEN];
};

static const char info_hash[] = "prep hash v1";
static const char info_encrypt[] = "prep encrypt v1";

/* out = HKDF-SHA256(ikm, no salt, info, outlen) (RFC 5869 extract+expand). */
static prep_status
hkdf_sha256(EVP_KDF *kdf, const unsigned char *ikm, size_t ikmlen,
	    const char *info, unsigned char *out, size_t outlen)
{
	EVP_KDF_CTX *ctx;
	OSSL_PARAM params[4];
	int ok;

	ctx = EVP_KDF_CTX_new(kdf);
	if (ctx == NULL)
		return PREP_ERR_CRYPTO;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						     (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						      (void *)ikm, ikmlen);
	params[2] = OSSL_PARAM_construct_octet_string(
	    OSSL_KDF_PARAM_INFO, (void *)info, strlen(info));
	params[3] = OSSL_PARAM_construct_end();
	ok = EVP_KDF_derive(ctx, out, outlen, params);
	EVP_KDF_CTX_free(ctx); /* cleanses its copy of the IKM */
	return ok == 1 ? PREP_OK : PREP_ERR_CRYPTO;
}

prep_status
prep_keys_from_ikm(const unsigned char *ikm, size_t len, prep_keys **out)
{
	prep_keys *k;
	EVP_KDF *kdf;
	prep_status st;

	*out = NULL;
	if (ikm == NULL || len < PREP_KEYS_MIN_IKM || len > PREP_KEYS_MAX_IKM)
		return PREP_ERR_KEY;
	k = malloc(sizeof(*k));
	if (k == NULL)
		return PREP_ERR_NOMEM;
	kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	if (kdf == NULL) {
		free(k);
		return PREP_ERR_CRYPTO;
	}
	st = hkdf_sha256(kdf, ikm, len, info_hash, k->kh, sizeof(k->kh));
	if (st == PREP_OK)
		st = hkdf_sha256(kdf, ikm, len, info_encrypt, k->ke,
				 sizeof(k->ke));
	EVP_KDF_free(kdf);
	if (st != PREP_OK) {
		prep_keys_free(k);
		return st;
	}
	*out = k;
	return PREP_OK;
}

/*
 * Read at most cap bytes of fd into buf; *len gets the count. Stops early
 * only at end of file, so *len == cap means "cap bytes or more".
 */
static int
read_upto(int fd, unsigned char *buf, size_t cap, size_t *len)
{
	ssize_t n;

	*len = 0;
	while (*len < cap) {
		n = read(fd, buf + *len, cap - *len);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		*len += (size_t)n;
	}
	return 0;
}

prep_status
prep_keys_load(const char *path, prep_keys **out, int *loose_perms)
{
	/* Two bytes over the cap: a trailing "\n" and one to see overflow. */
	unsigned char buf[PREP_KEYS_MAX_IKM + 2];
	struct stat sb;
	size_t len;
	int fd, saved;
	prep_status st;

	*out = NULL;
	if (loose_perms != NULL)
		*loose_perms = 0;
	if (path == NULL)
		return PREP_ERR_ARG;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return PREP_ERR_IO;
	if (fstat(fd, &sb) < 0)
		goto ioerr;
	if (loose_perms != NULL && (sb.st_mode & (S_IRGRP | S_IROTH)))
		*loose_perms = 1;
	if (read_upto(fd, buf, sizeof(buf), &len) < 0)
		goto ioerr;
	close(fd);

	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len < PREP_KEYS_MIN_IKM || len > PREP_KEYS_MAX_IKM)
		st = PREP_ERR_KEY;
	else
		st = prep_keys_from_ikm(buf, len, out);
	OPENSSL_cleanse(buf, sizeof(buf));
	return st;

ioerr:
	saved = errno;
	close(fd);
	OPENSSL_cleanse(buf, sizeof(buf));
	errno = saved;
	return PREP_ERR_IO;
}

void
prep_keys_free(prep_keys *k)
{
	if (k == NULL)
		return;
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
}

const unsigned char *
prep_keys_hash_key(const prep_keys *k)
{
	return k->kh;
}

const unsigned char *
prep_keys_encrypt_key(const prep_keys *k)
{
	return k->ke;
}

int
prep_keys_path_shown(const char *path)
{
	struct stat sb;
	const char *slash;
	char *dir;
	size_t len;
	int shown;

	if (path == NULL)
		return 0;
	if (lstat(path, &sb) == 0)
		return 1;
	if ((slash = strrchr(path, '/')) == NULL)
		return 0;
	len = (size_t)(slash - path);
	while (len > 0 && path[len - 1] == '/')
		len--;
	if (len == 0) /* "/name": the root alone says nothing */
		return 0;
	if ((dir = strndup(path, len)) == NULL)
		return 0;
	shown = stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode);
	free(dir);
	return shown;
}
