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
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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

/* Milliseconds from now until deadline (CLOCK_MONOTONIC), 0 if past. */
static int
ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long long ms;

	(void)clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 +
	     (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms <= 0 ? 0 : (int)ms;
}

/*
 * Read at most cap bytes of fd, opened O_NONBLOCK, into buf; *len gets
 * the count. Stops early only at end of file, so *len == cap means "cap
 * bytes or more". Returns 0, -1 on a read error (errno), 1 when fd is a
 * pipe that no process opened for writing within PREP_KEYS_WAIT_SECONDS.
 *
 * A read of a pipe tells the two ways of having nothing apart: 0 when no
 * process has it open for writing, EAGAIN when one has but wrote nothing
 * yet. The first is waited out until the deadline (Linux's poll doesn't
 * report a hang-up on a named pipe opened with O_NONBLOCK before a
 * writer has come), the second as long as the writer keeps it open.
 * Once data, a writer or a hang-up was seen, a read of 0 is the end.
 */
static int
read_upto(int fd, int is_pipe, unsigned char *buf, size_t cap, size_t *len)
{
	struct timespec deadline;
	struct pollfd pfd;
	int seen = !is_pipe, wait_ms;
	ssize_t n;

	(void)clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += PREP_KEYS_WAIT_SECONDS;
	pfd.fd = fd;
	pfd.events = POLLIN;
	*len = 0;
	while (*len < cap) {
		n = read(fd, buf + *len, cap - *len);
		if (n > 0) {
			*len += (size_t)n;
			seen = 1;
			continue;
		}
		if (n == 0) {
			if (seen)
				break;
			if ((wait_ms = ms_left(&deadline)) == 0)
				return 1;
		} else if (errno == EINTR) {
			continue;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			seen = 1;
			wait_ms = -1;
		} else {
			return -1;
		}
		pfd.revents = 0;
		if (poll(&pfd, 1, wait_ms) < 0 && errno != EINTR)
			return -1;
		if (pfd.revents & (POLLHUP | POLLERR))
			seen = 1; /* a writer came and went: the next 0 ends */
	}
	return 0;
}

/* An open descriptor's name: a pipe behind it is this process's own. */
static int
descriptor_path(const char *path)
{
	return strncmp(path, "/dev/fd/", 8) == 0 ||
	       strncmp(path, "/proc/self/fd/", 14) == 0 ||
	       strcmp(path, "/dev/stdin") == 0;
}

/* What a file of status sb is, when it may not hold a key; else NULL. */
static const char *
refused_kind(const struct stat *sb, int own_pipe)
{
	if (S_ISREG(sb->st_mode))
		return NULL;
	if (S_ISFIFO(sb->st_mode))
		return own_pipe || sb->st_uid == geteuid()
			   ? NULL
			   : "a named pipe owned by another user";
	if (S_ISDIR(sb->st_mode))
		return "a directory";
	if (S_ISCHR(sb->st_mode))
		return "a character device";
	if (S_ISBLK(sb->st_mode))
		return "a block device";
	if (S_ISSOCK(sb->st_mode))
		return "a socket";
	return "neither a regular file nor a pipe";
}

static void
describe(prep_key_file *info, const struct stat *sb, int own_pipe)
{
	info->readable = (sb->st_mode & (S_IRGRP | S_IROTH)) != 0;
	info->writable = (sb->st_mode & (S_IWGRP | S_IWOTH)) != 0;
	info->uid = (unsigned long)sb->st_uid;
	info->foreign =
	    sb->st_uid != geteuid() && !(own_pipe && S_ISFIFO(sb->st_mode));
	info->kind = refused_kind(sb, own_pipe);
}

prep_status
prep_keys_load(const char *path, prep_keys **out, prep_key_file *info)
{
	/* Two bytes over the cap: a trailing "\n" and one to see overflow. */
	unsigned char buf[PREP_KEYS_MAX_IKM + 2];
	prep_key_file unused;
	struct stat sb;
	size_t len;
	int fd, saved, own, late;
	prep_status st;

	*out = NULL;
	if (info == NULL)
		info = &unused;
	memset(info, 0, sizeof(*info));
	if (path == NULL)
		return PREP_ERR_ARG;
	/* A device is judged before it is opened: opening one can act. */
	if (stat(path, &sb) < 0)
		return PREP_ERR_IO;
	own = descriptor_path(path);
	describe(info, &sb, own);
	if (info->kind != NULL)
		return PREP_ERR_KEY;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return PREP_ERR_IO;
	/* What was opened is judged again: the name may have moved on. */
	if (fstat(fd, &sb) < 0)
		goto ioerr;
	describe(info, &sb, own);
	if (info->kind != NULL) {
		close(fd);
		return PREP_ERR_KEY;
	}
	late = read_upto(fd, S_ISFIFO(sb.st_mode), buf, sizeof(buf), &len);
	if (late < 0)
		goto ioerr;
	close(fd);

	if (late) {
		st = PREP_ERR_LIMIT;
	} else {
		if (len > 0 && buf[len - 1] == '\n')
			len--;
		if (len < PREP_KEYS_MIN_IKM || len > PREP_KEYS_MAX_IKM)
			st = PREP_ERR_KEY;
		else
			st = prep_keys_from_ikm(buf, len, out);
	}
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
