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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
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

/* A key file of the caller's, readable by its owner only: nothing to say. */
static void
assert_quiet(const prep_key_file *kf)
{
	cr_assert_eq(kf->readable, 0);
	cr_assert_eq(kf->writable, 0);
	cr_assert_eq(kf->foreign, 0);
	cr_assert_eq(kf->uid, (unsigned long)geteuid());
	cr_assert_null(kf->kind);
}

Test(keys, file_with_one_newline)
{
	prep_keys *k;
	prep_key_file kf;
	const char *p = write_key("k", IKM "\n", strlen(IKM) + 1, 0600);

	memset(&kf, 0xff, sizeof(kf));
	cr_assert_eq(prep_keys_load(p, &k, &kf), PREP_OK);
	assert_keys(k, IKM_KH, IKM_KE);
	assert_quiet(&kf);
	prep_keys_free(k);
}

Test(keys, file_without_newline)
{
	prep_keys *k;
	prep_key_file kf;
	const char *p = write_key("k", IKM, strlen(IKM), 0400);

	memset(&kf, 0xff, sizeof(kf));
	cr_assert_eq(prep_keys_load(p, &k, &kf), PREP_OK);
	assert_keys(k, IKM_KH, IKM_KE);
	assert_quiet(&kf);
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

Test(keys, permission_flags)
{
	static const struct {
		mode_t mode;
		int readable, writable;
	} cases[] = {
	    {0600, 0, 0}, {0400, 0, 0}, {0700, 0, 0}, {0200 | 0400, 0, 0},
	    {0640, 1, 0}, {0604, 1, 0}, {0644, 1, 0}, {0440, 1, 0},
	    {0444, 1, 0}, {0620, 0, 1}, {0602, 0, 1}, {0610, 0, 0},
	    {0601, 0, 0}, {0660, 1, 1}, {0606, 1, 1}, {0666, 1, 1},
	    {0642, 1, 1}, {0624, 1, 1}, {0777, 1, 1},
	};
	prep_keys *k;
	prep_key_file kf;
	size_t i;
	const char *p;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p = write_key("k", IKM "\n", strlen(IKM) + 1, cases[i].mode);
		memset(&kf, 0xff, sizeof(kf));
		cr_assert_eq(prep_keys_load(p, &k, &kf), PREP_OK, "mode %o",
			     (unsigned)cases[i].mode);
		cr_assert_eq(kf.readable, cases[i].readable, "mode %o",
			     (unsigned)cases[i].mode);
		cr_assert_eq(kf.writable, cases[i].writable, "mode %o",
			     (unsigned)cases[i].mode);
		cr_assert_eq(kf.foreign, 0);
		cr_assert_null(kf.kind);
		assert_keys(k, IKM_KH, IKM_KE);
		prep_keys_free(k);
		cr_assert_eq(unlink(p), 0);
	}
}

Test(keys, flags_set_even_when_key_is_rejected)
{
	prep_keys *k;
	prep_key_file kf;
	const char *p = write_key("short", "short\n", 6, 0666);

	cr_assert_eq(prep_keys_load(p, &k, &kf), PREP_ERR_KEY);
	cr_assert_eq(kf.readable, 1);
	cr_assert_eq(kf.writable, 1);
	cr_assert_null(kf.kind);
}

Test(keys, missing_file_is_io_with_errno)
{
	prep_keys *k = (prep_keys *)&k;
	prep_key_file kf;

	snprintf(pathbuf, sizeof(pathbuf), "%s/nonexistent", dir);
	memset(&kf, 0xff, sizeof(kf));
	errno = 0;
	cr_assert_eq(prep_keys_load(pathbuf, &k, &kf), PREP_ERR_IO);
	cr_assert_eq(errno, ENOENT);
	cr_assert_null(k);
	cr_assert_eq(kf.readable, 0);
	cr_assert_eq(kf.writable, 0);
	cr_assert_eq(kf.foreign, 0);
	cr_assert_null(kf.kind);
}

/* Refused kinds of file: PREP_ERR_KEY with kf.kind saying which. */
static void
assert_refused(const char *path, const char *kind)
{
	prep_keys *k = (prep_keys *)&k;
	prep_key_file kf;

	memset(&kf, 0, sizeof(kf));
	cr_assert_eq(prep_keys_load(path, &k, &kf), PREP_ERR_KEY, "%s", path);
	cr_assert_null(k);
	cr_assert_not_null(kf.kind, "%s", path);
	cr_assert_str_eq(kf.kind, kind, "%s", path);
}

Test(keys, directory_is_refused)
{
	assert_refused(dir, "a directory");
}

Test(keys, devices_are_refused)
{
	/* /dev/zero would be 4098 zero bytes, /dev/null an empty key, a
	 * terminal a read that waits; none of them is a key file. */
	assert_refused("/dev/zero", "a character device");
	assert_refused("/dev/null", "a character device");
	assert_refused("/dev/urandom", "a character device");
}

Test(keys, socket_is_refused)
{
	struct sockaddr_un sa;
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	cr_assert_geq(s, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/sock", dir);
	cr_assert_eq(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_refused(sa.sun_path, "a socket");
	close(s);
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
	prep_key_file kf;
	int fds[2];
	char name[32];

	/* As with --key-file <(pass show prep). */
	cr_assert_eq(pipe(fds), 0);
	cr_assert_eq(write(fds[1], IKM "\n", strlen(IKM) + 1),
		     (ssize_t)strlen(IKM) + 1);
	cr_assert_eq(close(fds[1]), 0);
	snprintf(name, sizeof(name), "/dev/fd/%d", fds[0]);
	cr_assert_eq(prep_keys_load(name, &k, &kf), PREP_OK);
	assert_keys(k, IKM_KH, IKM_KE);
	assert_quiet(&kf);
	prep_keys_free(k);
	close(fds[0]);
}

/* Nanoseconds of CLOCK_MONOTONIC, to see that nothing waited long. */
static long long
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * A writer for the named pipe at path, in a child: after delay_ms it
 * opens the pipe (waiting for the reader), waits hold_ms, writes the
 * first cut bytes of p, waits hold_ms again, writes the rest, closes.
 */
static pid_t
fifo_writer(const char *path, int delay_ms, int hold_ms, const char *p,
	    size_t n, size_t cut)
{
	pid_t pid = fork();
	int fd;

	cr_assert_geq(pid, 0);
	if (pid > 0)
		return pid;
	usleep((useconds_t)delay_ms * 1000);
	if ((fd = open(path, O_WRONLY)) < 0)
		_exit(1);
	usleep((useconds_t)hold_ms * 1000);
	if (cut > 0 && write(fd, p, cut) != (ssize_t)cut)
		_exit(1);
	usleep((useconds_t)hold_ms * 1000);
	if (n > cut && write(fd, p + cut, n - cut) != (ssize_t)(n - cut))
		_exit(1);
	_exit(close(fd) == 0 ? 0 : 1);
}

static void
reap(pid_t pid)
{
	int status;

	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static const char *
make_fifo(const char *name)
{
	snprintf(pathbuf, sizeof(pathbuf), "%s/%s", dir, name);
	cr_assert_eq(mkfifo(pathbuf, 0600), 0);
	return pathbuf;
}

/* A writer that comes 300 ms after the reader opened is read. */
Test(keys, named_pipe_writer_comes_late)
{
	prep_keys *k;
	prep_key_file kf;
	const char *p = make_fifo("late");
	pid_t pid = fifo_writer(p, 300, 0, IKM "\n", strlen(IKM) + 1, 0);

	cr_assert_eq(prep_keys_load(p, &k, &kf), PREP_OK);
	assert_keys(k, IKM_KH, IKM_KE);
	assert_quiet(&kf);
	prep_keys_free(k);
	reap(pid);
}

/* A writer that holds the pipe and writes in two parts, 300 ms apart. */
Test(keys, named_pipe_writer_slow)
{
	prep_keys *k;
	const char *p = make_fifo("slow");
	pid_t pid = fifo_writer(p, 0, 300, IKM "\n", strlen(IKM) + 1, 10);

	cr_assert_eq(prep_keys_load(p, &k, NULL), PREP_OK);
	assert_keys(k, IKM_KH, IKM_KE);
	prep_keys_free(k);
	reap(pid);
}

/*
 * A writer that opens the pipe and closes it without writing: an empty
 * key, said at once (not after PREP_KEYS_WAIT_SECONDS), with or without
 * a delay before the writer comes.
 */
Test(keys, named_pipe_writer_writes_nothing)
{
	static const int delay[] = {0, 300};
	prep_keys *k;
	prep_key_file kf;
	long long t0;
	size_t i;
	pid_t pid;
	const char *p;
	char name[16];

	for (i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "empty%zu", i);
		p = make_fifo(name);
		pid = fifo_writer(p, delay[i], 0, "", 0, 0);
		t0 = mono_ns();
		cr_assert_eq(prep_keys_load(p, &k, &kf), PREP_ERR_KEY);
		cr_assert_null(kf.kind);
		cr_assert_lt(mono_ns() - t0, 5000000000LL);
		reap(pid);
	}
}

Test(keys, named_pipe_of_another_user_is_refused)
{
	const char *p;

	if (geteuid() != 0)
		cr_skip_test("only root can give a pipe to another user");
	p = make_fifo("theirs");
	cr_assert_eq(chown(p, 65534, (gid_t)-1), 0);
	assert_refused(p, "a named pipe owned by another user");
}

Test(keys, file_of_another_user_is_flagged)
{
	prep_keys *k;
	prep_key_file kf;
	const char *p = write_key("theirs", IKM "\n", strlen(IKM) + 1, 0600);

	if (geteuid() != 0)
		cr_skip_test("only root can give a file to another user");
	cr_assert_eq(chown(p, 65534, (gid_t)-1), 0);
	cr_assert_eq(prep_keys_load(p, &k, &kf), PREP_OK);
	assert_keys(k, IKM_KH, IKM_KE);
	cr_assert_eq(kf.foreign, 1);
	cr_assert_eq(kf.uid, 65534);
	cr_assert_eq(kf.readable, 0);
	cr_assert_eq(kf.writable, 0);
	prep_keys_free(k);
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
