/* outfile.c: temporary file, fsync, rename; see outfile.h. */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"

struct prep_outfile {
	int fd;
	int in_place; /* stdout or a non-regular file */
	int own_fd;
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

prep_status
prep_outfile_open(const char *path, prep_outfile **out)
{
	prep_outfile *o;
	struct stat sb;
	const char *slash;
	size_t dlen;
	mode_t mask;

	*out = NULL;
	o = calloc(1, sizeof *o);
	if (o == NULL)
		return PREP_ERR_NOMEM;
	if (path == NULL || strcmp(path, "-") == 0) {
		o->fd = STDOUT_FILENO;
		o->in_place = 1;
		*out = o;
		return PREP_OK;
	}
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		o->fd = open(path, O_WRONLY | O_CLOEXEC);
		if (o->fd < 0) {
			outfile_free(o);
			return PREP_ERR_IO;
		}
		o->in_place = 1;
		o->own_fd = 1;
		*out = o;
		return PREP_OK;
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
	/* ".NAME.XXXXXX" beside the target: hidden, same file system. */
	memcpy(o->temp, path, dlen);
	o->temp[dlen] = '.';
	strcpy(o->temp + dlen + 1, path + dlen);
	strcat(o->temp, ".XXXXXX");
	o->fd = mkstemp(o->temp);
	if (o->fd < 0) {
		int e = errno;

		outfile_free(o);
		errno = e;
		return PREP_ERR_IO;
	}
	o->own_fd = 1;
	/* The file gets the mode a plain creation would give it, or the
	 * target's mode when it exists. */
	mask = umask(0);
	umask(mask);
	if (stat(path, &sb) == 0)
		(void)fchmod(o->fd, sb.st_mode & 07777);
	else
		(void)fchmod(o->fd, 0666 & ~mask);
	*out = o;
	return PREP_OK;
}

int
prep_outfile_fd(const prep_outfile *o)
{
	return o->fd;
}

const char *
prep_outfile_temp(const prep_outfile *o)
{
	return o->in_place ? NULL : o->temp;
}

prep_status
prep_outfile_commit(prep_outfile *o)
{
	int e = 0, dfd;

	if (o->in_place) {
		if (o->own_fd && close(o->fd) != 0)
			e = errno;
		outfile_free(o);
		errno = e;
		return e ? PREP_ERR_IO : PREP_OK;
	}
	if (fsync(o->fd) != 0)
		e = errno;
	if (close(o->fd) != 0 && !e)
		e = errno;
	if (!e && rename(o->temp, o->path) != 0)
		e = errno;
	if (e) {
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
	if (!o->in_place)
		unlink(o->temp);
	outfile_free(o);
}
