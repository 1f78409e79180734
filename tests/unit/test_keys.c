/*
 * test_keys.c: key files and HKDF key derivation (libprep/keys.c).
 *
 * The expected Kh and Ke were computed without libprep by
 * tests/unit/kat/gen_vectors.py (openssl kdf and RFC 5869 in Python,
 * which agree). Key files are written into a fresh mkdtemp directory.
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keys.h"

/* gen_vectors.py: IKM = "0123456789abcdef0123456789abcdef" */
#define IKM "0123456789abcdef0123456789abcdef"
#define IKM_KH                                                                 \
	"ee7e2c6d4edda7d1f11d82d1d88b99f47bdbf762951aa220455f6f5b3083ef34"
#define IKM_KE                                                                 \
	"46814e5156b244e2e287b5cedfec0c642c3e24dbd966ef82c276d0a24d775d83"     \
	"a7bb52586e198d4abd938ec2dd8d6ce4f6db7f2d2951b83c94bc67778bab78b5"
/* IKM_NL = IKM "\n" (a key file ending in two newlines) */
#define IKM_NL_KH                                                              \
	"3f810c97753ca25192901a6deb5c99d4eff71e7458476e083ffdb42d4c0fdd18"
#define IKM_NL_KE                                                              \
	"99b655aab2710a3ccf6217cc9842f266ac9fc660ba2ef67e1a07cc9c21106403"     \
	"2f449b7921b85be7b19e7c0efb18ed287278fb929ba03c5327bfd94971c5a7c8"
/* IKM_MIN = "0123456789abcdef", the 16-byte minimum */
#define IKM_MIN "0123456789abcdef"
#define IKM_MIN_KH                                                             \
	"5c97ce87a81ba8432175cf89ae57b959eea7d53c481744c298d9d2cfa4b3e369"
#define IKM_MIN_KE                                                             \
	"fe08a159b5b923cf4d482e315bfcd2be6c7d24d80d47a88202e1457aeb145fb3"     \
	"fbe8fc334d37b37a5fe4c8b618fd02a6ac6f0b4aa7d8b1d2b90295e7b96c186a"

static char dir[64];
static char pathbuf[128];

static void
mkdir_fixture(void)
{
	strcpy(dir, "/tmp/prep-test-keys.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void
rm_fixture(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(keys, .init = mkdir_fixture, .fini = rm_fixture);

/* Write n bytes into dir/name with the given mode; return the path. */
static const char *
write_key(const char *name, const void *p, size_t n, mode_t mode)
{
	int fd;

	snprintf(pathbuf, sizeof(pathbuf), "%s/%s", dir, name);
	fd = open(pathbuf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, p, n), (ssize_t)n);
	cr_assert_eq(fchmod(fd, mode), 0); /* whatever the umask */
	cr_assert_eq(close(fd), 0);
	return pathbuf;
}

static void
hex(const unsigned char *p, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = d[p[i] >> 4];
		out[2 * i + 1] = d[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static void
assert_keys(const prep_keys *k, const char *kh, const char *ke)
{
	char got[2 * PREP_KEYS_ENCRYPT_LEN + 1];

	cr_assert_not_null(k);
	hex(prep_keys_hash_key(k), PREP_KEYS_HASH_LEN, got);
	cr_assert_str_eq(got, kh);
	hex(prep_keys_encrypt_key(k), PREP_KEYS_ENCRYPT_LEN, got);
	cr_assert_str_eq(got, ke);
}

/* ---- prep_keys_from_ikm ---------------------------------------------- */

Test(keys, hkdf_known_answers)
{
	prep_keys *k;

	cr_assert_eq(
	    prep_keys_from_ikm((const unsigned char *)IKM, strlen(IKM), &k),
	    PREP_OK);
	assert_keys(k, IKM_KH, IKM_KE);
	prep_keys_free(k);

	cr_assert_eq(prep_keys_from_ikm((const unsigned char *)IKM "\n",
					strlen(IKM) + 1, &k),
		     PREP_OK);
	assert_keys(k, IKM_NL_KH, IKM_NL_KE);
	prep_keys_free(k);
}

Test(keys, ikm_sixteen_bytes_is_the_minimum)
{
	prep_keys *k = (prep_keys *)&k;

	cr_assert_eq(prep_keys_from_ikm((const unsigned char *)IKM_MIN, 16, &k),
		     PREP_OK);
	assert_keys(k, IKM_MIN_KH, IKM_MIN_KE);
	prep_keys_free(k);

	cr_assert_eq(prep_keys_from_ikm((const unsigned char *)IKM_MIN, 15, &k),
		     PREP_ERR_KEY);
	cr_assert_null(k);
	cr_assert_eq(prep_keys_from_ikm((const unsigned char *)"", 0, &k),
		     PREP_ERR_KEY);
	cr_assert_null(k);
	cr_assert_eq(prep_keys_from_ikm(NULL, 32, &k), PREP_ERR_KEY);
	cr_assert_null(k);
}

Test(keys, ikm_cap)
{
	static unsigned char big[PREP_KEYS_MAX_IKM + 1];
	prep_keys *k;

	memset(big, 'k', sizeof(big));
	cr_assert_eq(prep_keys_from_ikm(big, PREP_KEYS_MAX_IKM, &k), PREP_OK);
	prep_keys_free(k);
	cr_assert_eq(prep_keys_from_ikm(big, PREP_KEYS_MAX_IKM + 1, &k),
		     PREP_ERR_KEY);
	cr_assert_null(k);
}

Test(keys, ikm_bytes_are_taken_as_they_are)
{
	prep_keys *a, *b;

	/* One bit of difference gives unrelated keys. */
	cr_assert_eq(
	    prep_keys_from_ikm((const unsigned char *)IKM, strlen(IKM), &a),
	    PREP_OK);
	cr_assert_eq(
	    prep_keys_from_ikm(
		(const unsigned char *)"1123456789abcdef0123456789abcdef",
		strlen(IKM), &b),
	    PREP_OK);
	cr_assert_neq(memcmp(prep_keys_hash_key(a), prep_keys_hash_key(b),
			     PREP_KEYS_HASH_LEN),
		      0);
	cr_assert_neq(memcmp(prep_keys_encrypt_key(a), prep_keys_encrypt_key(b),
			     PREP_KEYS_ENCRYPT_LEN),
		      0);
	prep_keys_free(a);
	prep_keys_free(b);
	prep_keys_free(NULL);
}

/* ---- prep_keys_load ---------------------------------------------------- */

Test(keys, file_with_one_newline)
{
	prep_keys *k;
	int loose = -1;
	const char *p = write_key("k", IKM "\n", strlen(IKM) + 1, 0600);

	cr_assert_eq(prep_keys_load(p, &k, &loose), PREP_OK);
	assert_keys(k, IKM_KH, IKM_KE);
	cr_assert_eq(loose, 0);
	prep_keys_free(k);
}

Test(keys, file_without_newline)
{
	prep_keys *k;
	int loose = -1;
	const char *p = write_key("k", IKM, strlen(IKM), 0400);

	cr_assert_eq(prep_keys_load(p, &k, &loose), PREP_OK);
	assert_keys(k, IKM_KH, IKM_KE);
	cr_assert_eq(loose, 0);
	prep_keys_free(k);
}

Test(keys, file_with_two_newlines_keeps_one)
{
	prep_keys *k;
	const char *p = write_key("k", IKM "\n\n", strlen(IKM) + 2, 0600);

	cr_assert_eq(prep_keys_load(p, &k, NULL), PREP_OK);
	assert_keys(k, IKM_NL_KH, IKM_NL_KE);
	prep_keys_free(k);
}

Test(keys, file_crlf_keeps_the_cr)
{
	prep_keys *k, *want;
	char got[2 * PREP_KEYS_HASH_LEN + 1];
	const char *p = write_key("k", IKM "\r\n", strlen(IKM) + 2, 0600);

	cr_assert_eq(prep_keys_load(p, &k, NULL), PREP_OK);
	cr_assert_eq(prep_keys_from_ikm((const unsigned char *)IKM "\r",
					strlen(IKM) + 1, &want),
		     PREP_OK);
	cr_assert_eq(memcmp(prep_keys_hash_key(k), prep_keys_hash_key(want),
			    PREP_KEYS_HASH_LEN),
		     0);
	hex(prep_keys_hash_key(k), PREP_KEYS_HASH_LEN, got);
	cr_assert_str_neq(got, IKM_KH);
	prep_keys_free(want);
	prep_keys_free(k);
}

Test(keys, file_minimum_length)
{
	prep_keys *k;
	const char *p;

	p = write_key("k16", IKM_MIN "\n", 17, 0600);
	cr_assert_eq(prep_keys_load(p, &k, NULL), PREP_OK);
	assert_keys(k, IKM_MIN_KH, IKM_MIN_KE);
	prep_keys_free(k);

	/* 15 bytes once the newline is dropped */
	p = write_key("k15", "0123456789abcde\n", 16, 0600);
	k = (prep_keys *)&k;
	cr_assert_eq(prep_keys_load(p, &k, NULL), PREP_ERR_KEY);
	cr_assert_null(k);

	p = write_key("k15b", "0123456789abcde", 15, 0600);
	cr_assert_eq(prep_keys_load(p, &k, NULL), PREP_ERR_KEY);
	p = write_key("empty", "", 0, 0600);
	cr_assert_eq(prep_keys_load(p, &k, NULL), PREP_ERR_KEY);
	p = write_key("nl", "\n", 1, 0600);
	cr_assert_eq(prep_keys_load(p, &k, NULL), PREP_ERR_KEY);
}

Test(keys, file_cap)
{
	static char big[PREP_KEYS_MAX_IKM + 2];
	static char huge[1 << 20];
	prep_keys *k;
	const char *p;

	memset(big, 'k', sizeof(big));
	big[PREP_KEYS_MAX_IKM] = '\n';
	p = write_key("max", big, PREP_KEYS_MAX_IKM + 1, 0600);
	cr_assert_eq(prep_keys_load(p, &k, NULL), PREP_OK);
	prep_keys_free(k);

	p = write_key("max_no_nl", big, PREP_KEYS_MAX_IKM, 0600);
	cr_assert_eq(prep_keys_load(p, &k, NULL), PREP_OK);
	prep_keys_free(k);

	big[PREP_KEYS_MAX_IKM] = 'k';
	p = write_key("over1", big, PREP_KEYS_MAX_IKM + 1, 0600);
	cr_assert_eq(prep_keys_load(p, &k, NULL), PREP_ERR_KEY);

	/* 4096 bytes and "\n\n": 4097 bytes once one newline is dropped. */
	big[PREP_KEYS_MAX_IKM] = '\n';
	big[PREP_KEYS_MAX_IKM + 1] = '\n';
	p = write_key("over2", big, PREP_KEYS_MAX_IKM + 2, 0600);
	cr_assert_eq(prep_keys_load(p, &k, NULL), PREP_ERR_KEY);

	memset(huge, 'h', sizeof(huge));
	p = write_key("huge", huge, sizeof(huge), 0600);
	cr_assert_eq(prep_keys_load(p, &k, NULL), PREP_ERR_KEY);
	cr_assert_null(k);
}

Test(keys, loose_permissions_flag)
{
	static const struct {
		mode_t mode;
		int loose;
	} cases[] = {
	    {0600, 0}, {0400, 0}, {0700, 0}, {0200 | 0400, 0},
	    {0640, 1}, {0604, 1}, {0644, 1}, {0440, 1},
	    {0444, 1}, {0620, 0}, {0602, 0}, /* writable but not readable: no
						flag */
	};
	prep_keys *k;
	size_t i;
	int loose;
	const char *p;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p = write_key("k", IKM "\n", strlen(IKM) + 1, cases[i].mode);
		loose = -1;
		cr_assert_eq(prep_keys_load(p, &k, &loose), PREP_OK, "mode %o",
			     (unsigned)cases[i].mode);
		cr_assert_eq(loose, cases[i].loose, "mode %o",
			     (unsigned)cases[i].mode);
		assert_keys(k, IKM_KH, IKM_KE);
		prep_keys_free(k);
		cr_assert_eq(unlink(p), 0);
	}
}

Test(keys, loose_flag_set_even_when_key_is_rejected)
{
	prep_keys *k;
	int loose = -1;
	const char *p = write_key("short", "short\n", 6, 0644);

	cr_assert_eq(prep_keys_load(p, &k, &loose), PREP_ERR_KEY);
	cr_assert_eq(loose, 1);
}

Test(keys, missing_file_is_io_with_errno)
{
	prep_keys *k = (prep_keys *)&k;
	int loose = -1;

	snprintf(pathbuf, sizeof(pathbuf), "%s/nonexistent", dir);
	errno = 0;
	cr_assert_eq(prep_keys_load(pathbuf, &k, &loose), PREP_ERR_IO);
	cr_assert_eq(errno, ENOENT);
	cr_assert_null(k);
	cr_assert_eq(loose, 0);
}

Test(keys, directory_is_io_with_errno)
{
	prep_keys *k;

	errno = 0;
	cr_assert_eq(prep_keys_load(dir, &k, NULL), PREP_ERR_IO);
	cr_assert_eq(errno, EISDIR);
	cr_assert_null(k);
}

Test(keys, unreadable_file_is_io_with_errno)
{
	prep_keys *k;
	const char *p = write_key("locked", IKM, strlen(IKM), 0000);

	if (geteuid() == 0)
		cr_skip_test("root reads any file");
	errno = 0;
	cr_assert_eq(prep_keys_load(p, &k, NULL), PREP_ERR_IO);
	cr_assert_eq(errno, EACCES);
}

Test(keys, key_from_a_pipe)
{
	prep_keys *k;
	int fds[2];
	char name[32];

	/* As with --key-file <(pass show prep). */
	cr_assert_eq(pipe(fds), 0);
	cr_assert_eq(write(fds[1], IKM "\n", strlen(IKM) + 1),
		     (ssize_t)strlen(IKM) + 1);
	cr_assert_eq(close(fds[1]), 0);
	snprintf(name, sizeof(name), "/dev/fd/%d", fds[0]);
	cr_assert_eq(prep_keys_load(name, &k, NULL), PREP_OK);
	assert_keys(k, IKM_KH, IKM_KE);
	prep_keys_free(k);
	close(fds[0]);
}

Test(keys, null_path)
{
	prep_keys *k;

	cr_assert_eq(prep_keys_load(NULL, &k, NULL), PREP_ERR_ARG);
	cr_assert_null(k);
}

/*
 * A key file argument that cannot be opened is named only when it is a
 * path: an existing entry, or a name in a directory that exists (not the
 * root alone); key material, '/' or not, is not.
 */
Test(keys, path_shown)
{
	cr_assert_eq(prep_keys_path_shown("."), 1);
	cr_assert_eq(prep_keys_path_shown("/"), 1);
	cr_assert_eq(prep_keys_path_shown("./no-such-prep-key"), 1);
	cr_assert_eq(prep_keys_path_shown("/tmp/no-such-prep-key"), 1);
	cr_assert_eq(prep_keys_path_shown("/tmp//no-such-prep-key"), 1);
	cr_assert_eq(prep_keys_path_shown("no-such-prep-key"), 0);
	cr_assert_eq(prep_keys_path_shown("kX9/2bq+Lw0s8TzQh3vY1mR5aJcE"), 0);
	cr_assert_eq(prep_keys_path_shown("/2bq+Lw0s8TzQh3vY1mR5aJcE"), 0);
	cr_assert_eq(prep_keys_path_shown("//2bq+Lw0s8TzQh3vY1mR5aJcE"), 0);
	cr_assert_eq(prep_keys_path_shown("/no-such-dir-x/y"), 0);
	cr_assert_eq(prep_keys_path_shown(""), 0);
	cr_assert_eq(prep_keys_path_shown(NULL), 0);
}
