/*
 * fuzz_common.h: helpers shared by the libFuzzer harnesses of tests/fuzz/.
 *
 * Every harness defines LLVMFuzzerTestOneInput() and nothing else global;
 * these helpers are static so each harness is one translation unit (plus
 * replay.c when it is built without libFuzzer).
 *
 * - fuzz_memfd(): the input as an anonymous file (memfd_create(2)), at
 *   offset 0, to hand to prep_reader_new_fd();
 * - fuzz_gzip(): gzip-compress bytes with zlib, so the reader's inflate
 *   path sees valid streams too (raw inputs starting 1f 8b are corrupt
 *   streams);
 * - fuzz_dir(): one private directory per process (mkdtemp(3) under
 *   /dev/shm when it is writable, so the ledger's fsync costs nothing, else
 *   $TMPDIR or /tmp), removed at exit; harnesses put their files there and
 *   unlink them after each input;
 * - fuzz_write_file(): write bytes to a file in that directory.
 *
 * A helper that fails (no memory, no temporary directory) makes the
 * harness skip the input: that is the host's problem, not a finding.
 */
#ifndef PREP_FUZZ_COMMON_H
#define PREP_FUZZ_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <zlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* memfd_create(2) is a GNU extension the build's feature macros hide. */
int memfd_create(const char *name, unsigned int flags);

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif

static inline int
fuzz_write_all(int fd, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n > 0) {
		ssize_t w = write(fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* An anonymous file holding p[0..n), positioned at 0; -1 on failure. */
static inline int
fuzz_memfd(const void *p, size_t n)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fuzz_write_all(fd, p, n) != 0 || lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* p[0..n) as one gzip member in *out (malloc'd, *outlen bytes); 0 or -1. */
static inline int
fuzz_gzip(const void *p, size_t n, unsigned char **out, size_t *outlen)
{
	z_stream zs;
	size_t cap;
	unsigned char *buf;
	int zr;

	memset(&zs, 0, sizeof zs);
	if (deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	cap = deflateBound(&zs, (uLong)n) + 64;
	if ((buf = malloc(cap)) == NULL) {
		deflateEnd(&zs);
		return -1;
	}
	zs.next_in = (Bytef *)(uintptr_t)p;
	zs.avail_in = (uInt)n;
	zs.next_out = buf;
	zs.avail_out = (uInt)cap;
	zr = deflate(&zs, Z_FINISH);
	*outlen = cap - zs.avail_out;
	deflateEnd(&zs);
	if (zr != Z_STREAM_END) {
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

static char fuzz_dir_path[512];

static inline void
fuzz_dir_remove(void)
{
	if (fuzz_dir_path[0])
		rmdir(fuzz_dir_path);
}

/* The process's private directory (no trailing slash), or NULL. */
static inline const char *
fuzz_dir(void)
{
	const char *base;

	if (fuzz_dir_path[0])
		return fuzz_dir_path;
	base = getenv("FUZZ_TMPDIR");
	if (base == NULL || base[0] == '\0')
		base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : NULL;
	if (base == NULL)
		base = getenv("TMPDIR");
	if (base == NULL || base[0] == '\0')
		base = "/tmp";
	if ((size_t)snprintf(fuzz_dir_path, sizeof fuzz_dir_path,
			     "%s/prep-fuzz-XXXXXX",
			     base) >= sizeof fuzz_dir_path ||
	    mkdtemp(fuzz_dir_path) == NULL) {
		fuzz_dir_path[0] = '\0';
		return NULL;
	}
	atexit(fuzz_dir_remove);
	return fuzz_dir_path;
}

/* dir/name into out (size outsz); 0, or -1 when it does not fit. */
static inline int
fuzz_path(char *out, size_t outsz, const char *name)
{
	const char *d = fuzz_dir();

	if (d == NULL)
		return -1;
	return (size_t)snprintf(out, outsz, "%s/%s", d, name) < outsz ? 0 : -1;
}

/* Create (or truncate) path with mode 0600 and p[0..n) in it; 0 or -1. */
static inline int
fuzz_write_file(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int rc;

	if (fd < 0)
		return -1;
	rc = fuzz_write_all(fd, p, n);
	if (close(fd) != 0)
		rc = -1;
	return rc;
}

/* A NUL-terminated copy of p[0..n) (NUL bytes inside stay); NULL: no
 * memory. */
static inline char *
fuzz_strndup(const void *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		return NULL;
	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

#endif
