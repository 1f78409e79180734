/*
 * outfile.c: unnamed or hidden temporary file, final mode, fsync,
 * rename; see outfile.h.
 *
 * O_TMPFILE (Linux 3.11) and linkat(2) through /proc/self/fd give the
 * file a name only at commit, so a run killed by a signal that can't be
 * caught leaves nothing behind; without them the file is a mkstemp(3)
 * one and the caller's signal handler removes it.
 */
#define _GNU_SOURCE /* O_TMPFILE, AT_EMPTY_PATH */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "outfile.h"

struct prep_outfile {
	int fd;
	int in_place; /* standard output, /dev/null or /dev/full */
	int own_fd;
	int unnamed; /* O_TMPFILE: linked to temp only at commit */
	mode_t mode; /* given at commit */
	char *path;
	char *temp;
	char *dir;
};

static void
outfile_free(prep_outfile *o)
{
	free(o->path);
	free(o->temp);
	free(o->dir);
	free(o);
}

static int
is_stdout_name(const char *path)
{
	return path == NULL || strcmp(path, "-") == 0 ||
	       strcmp(path, "/dev/stdout") == 0;
}

/* The kernel's memory sinks: writing there reaches no one. */
static int
is_sink(const struct stat *sb)
{
	return S_ISCHR(sb->st_mode) && major(sb->st_rdev) == 1 &&
	       (minor(sb->st_rdev) == 3 || minor(sb->st_rdev) == 7);
}

static prep_status
open_sink(prep_outfile *o, const char *path)
{
	struct stat sb;

	o->fd = open(path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (o->fd < 0)
		return PREP_ERR_IO;
	/* the name may have changed since lstat: look at what was opened */
	if (fstat(o->fd, &sb) != 0 || !is_sink(&sb)) {
		close(o->fd);
		return PREP_ERR_NOT_REGULAR;
	}
	o->in_place = 1;
	o->own_fd = 1;
	return PREP_OK;
}

/* ".NAME.XXXXXXXXXXXX" beside the target, 48 random bits. */
static prep_status
make_temp_name(prep_outfile *o, size_t dlen)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[6];
	char *p;
	size_t i;

	if (RAND_bytes(r, sizeof r) != 1)
		return PREP_ERR_CRYPTO;
	memcpy(o->temp, o->path, dlen);
	o->temp[dlen] = '.';
	strcpy(o->temp + dlen + 1, o->path + dlen);
	p = o->temp + strlen(o->temp);
	*p++ = '.';
	for (i = 0; i < sizeof r; i++) {
		*p++ = hex[r[i] >> 4];
		*p++ = hex[r[i] & 15];
	}
	*p = '\0';
	return PREP_OK;
}

static prep_status
open_temp(prep_outfile *o, size_t dlen)
{
	prep_status st;
	size_t n;

	o->fd = open(o->dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	if (o->fd >= 0) {
		o->unnamed = 1;
		o->own_fd = 1;
		return make_temp_name(o, dlen);
	}
	/* no O_TMPFILE in this kernel or file system: a named file */
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
		return PREP_ERR_IO;
	if ((st = make_temp_name(o, dlen)) != PREP_OK)
		return st;
	n = strlen(o->temp);
	memcpy(o->temp + n - 6, "XXXXXX", 6);
	o->fd = mkstemp(o->temp); /* O_EXCL, mode 0600 */
	if (o->fd < 0)
		return PREP_ERR_IO;
	o->own_fd = 1;
	return PREP_OK;
}

prep_status
prep_outfile_open(const char *path, prep_outfile **out)
{
	prep_outfile *o;
	struct stat sb;
	const char *slash;
	size_t dlen;
	prep_status st;
	mode_t mask;
	int e;

	*out = NULL;
	o = calloc(1, sizeof *o);
	if (o == NULL)
		return PREP_ERR_NOMEM;
	if (is_stdout_name(path)) {
		o->fd = STDOUT_FILENO;
		o->in_place = 1;
		*out = o;
		return PREP_OK;
	}
	mask = umask(0);
	umask(mask);
	o->mode = 0666 & ~mask;
	if (lstat(path, &sb) == 0) {
		if (is_sink(&sb)) {
			if ((st = open_sink(o, path)) != PREP_OK) {
				e = errno;
				free(o);
				errno = e;
				return st;
			}
			*out = o;
			return PREP_OK;
		}
		if (!S_ISREG(sb.st_mode) && !S_ISLNK(sb.st_mode)) {
			free(o);
			return PREP_ERR_NOT_REGULAR;
		}
		/* the caller's own file keeps its permissions, never wider
		 * than the umask; another user's says nothing of ours */
		if (S_ISREG(sb.st_mode) && sb.st_uid == geteuid())
			o->mode = sb.st_mode & 0777 & ~mask;
	}
	slash = strrchr(path, '/');
	dlen = slash ? (size_t)(slash - path) + 1 : 0;
	o->path = strdup(path);
	o->dir = malloc(dlen + 2);
	o->temp = malloc(strlen(path) + 16);
	if (!o->path || !o->dir || !o->temp) {
		outfile_free(o);
		return PREP_ERR_NOMEM;
	}
	if (dlen) {
		memcpy(o->dir, path, dlen);
		o->dir[dlen] = '\0';
	} else {
		strcpy(o->dir, ".");
	}
	if ((st = open_temp(o, dlen)) != PREP_OK) {
		e = errno;
		if (o->own_fd)
			close(o->fd);
		outfile_free(o);
		errno = e;
		return st;
	}
	*out = o;
	return PREP_OK;
}

int
prep_outfile_fd(const prep_outfile *o)
{
	return o->fd;
}

int
prep_outfile_in_place(const prep_outfile *o)
{
	return o->in_place;
}

const char *
prep_outfile_temp(const prep_outfile *o)
{
	return o->in_place ? NULL : o->temp;
}

/* Give the unnamed file its temporary name. */
static int
link_unnamed(const prep_outfile *o)
{
	char proc[64];

	(void)snprintf(proc, sizeof proc, "/proc/self/fd/%d", o->fd);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, o->temp, AT_SYMLINK_FOLLOW) == 0)
		return 0;
	if (errno != ENOENT)
		return -1;
	/* no /proc: AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH */
	return linkat(o->fd, "", AT_FDCWD, o->temp, AT_EMPTY_PATH);
}

void
prep_outfile_private(prep_outfile *o)
{
	o->mode = 0600;
}

prep_status
prep_outfile_commit(prep_outfile *o)
{
	int e = 0, dfd, named = !o->unnamed;

	if (o->in_place) {
		if (o->own_fd && close(o->fd) != 0)
			e = errno;
		outfile_free(o);
		errno = e;
		return e ? PREP_ERR_IO : PREP_OK;
	}
	if (fchmod(o->fd, o->mode) != 0 || fsync(o->fd) != 0)
		e = errno;
	if (!e && o->unnamed) {
		if (link_unnamed(o) != 0)
			e = errno;
		else
			named = 1;
	}
	if (close(o->fd) != 0 && !e)
		e = errno;
	if (!e && rename(o->temp, o->path) != 0)
		e = errno;
	if (e) {
		if (named)
			unlink(o->temp);
		outfile_free(o);
		errno = e;
		return PREP_ERR_IO;
	}
	/* Make the rename itself durable. */
	dfd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	outfile_free(o);
	return PREP_OK;
}

void
prep_outfile_abort(prep_outfile *o)
{
	if (o == NULL)
		return;
	if (o->own_fd)
		close(o->fd);
	if (!o->in_place && !o->unnamed)
		unlink(o->temp);
	outfile_free(o);
}

/* dev and inode of NAME's directory, and where its last part starts. */
static int
dir_of(const char *name, struct stat *sb, const char **base)
{
	const char *slash = strrchr(name, '/');
	char *dir;
	int r;

	*base = slash ? slash + 1 : name;
	if (slash == NULL)
		return stat(".", sb);
	dir = strndup(name, (size_t)(slash - name) + 1);
	if (dir == NULL)
		return -1;
	r = stat(dir, sb);
	free(dir);
	return r;
}

int
prep_outfile_same(const char *a, const char *b)
{
	struct stat sa, sb;
	const char *ba, *bb;

	if (is_stdout_name(a) || is_stdout_name(b))
		return is_stdout_name(a) && is_stdout_name(b);
	if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
		/* two sinks take anything: they are not "one file" */
		return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino &&
		       !is_sink(&sa);
	if (strcmp(a, b) == 0)
		return 1;
	return dir_of(a, &sa, &ba) == 0 && dir_of(b, &sb, &bb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino &&
	       strcmp(ba, bb) == 0;
}
