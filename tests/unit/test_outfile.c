/* Unit tests of libprep/outfile.c: commit renames, abort leaves nothing. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"

static char dir[] = "/tmp/prep-test-out-XXXXXX";

static void
setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(outfile, .init = setup, .fini = teardown);

static int
entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void
slurp(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "r");
	size_t k;

	cr_assert_not_null(f);
	k = fread(buf, 1, n - 1, f);
	buf[k] = '\0';
	fclose(f);
}

Test(outfile, commit_replaces_target)
{
	char path[256], buf[64];
	prep_outfile *o;
	FILE *f;

	snprintf(path, sizeof path, "%s/out.csv", dir);
	f = fopen(path, "w");
	fputs("old\n", f);
	fclose(f);
	chmod(path, 0640);
	cr_assert_eq(prep_outfile_open(path, &o), PREP_OK);
	cr_assert_not_null(prep_outfile_temp(o));
	cr_assert_eq(strncmp(prep_outfile_temp(o), dir, strlen(dir)), 0);
	cr_assert_eq(write(prep_outfile_fd(o), "new\n", 4), 4);
	slurp(path, buf, sizeof buf);
	cr_assert_str_eq(buf, "old\n"); /* untouched until commit */
	/* beside it: nothing (O_TMPFILE) or the hidden temporary file */
	cr_assert(entries() == 1 || entries() == 2);
	{
		struct stat sb;

		/* private while it is written */
		cr_assert_eq(fstat(prep_outfile_fd(o), &sb), 0);
		cr_assert_eq(sb.st_mode & 0777, 0600);
	}
	cr_assert_eq(prep_outfile_commit(o), PREP_OK);
	slurp(path, buf, sizeof buf);
	cr_assert_str_eq(buf, "new\n");
	cr_assert_eq(entries(), 1);
	{
		struct stat sb;

		cr_assert_eq(stat(path, &sb), 0);
		cr_assert_eq(sb.st_mode & 0777, 0640); /* target's mode kept */
	}
}

Test(outfile, abort_leaves_target_and_no_temp)
{
	char path[256], buf[64];
	prep_outfile *o;
	FILE *f;

	snprintf(path, sizeof path, "%s/keep.csv", dir);
	f = fopen(path, "w");
	fputs("precious\n", f);
	fclose(f);
	cr_assert_eq(prep_outfile_open(path, &o), PREP_OK);
	cr_assert_eq(write(prep_outfile_fd(o), "partial", 7), 7);
	prep_outfile_abort(o);
	slurp(path, buf, sizeof buf);
	cr_assert_str_eq(buf, "precious\n");
	cr_assert_eq(entries(), 1);
}

Test(outfile, new_file_mode_follows_umask)
{
	char path[256];
	prep_outfile *o;
	struct stat sb;
	mode_t old = umask(022);

	snprintf(path, sizeof path, "%s/new.csv", dir);
	cr_assert_eq(prep_outfile_open(path, &o), PREP_OK);
	cr_assert_eq(prep_outfile_commit(o), PREP_OK);
	umask(old);
	cr_assert_eq(stat(path, &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0644);
}

Test(outfile, stdout_and_sinks_in_place)
{
	prep_outfile *o;

	cr_assert_eq(prep_outfile_open("-", &o), PREP_OK);
	cr_assert_null(prep_outfile_temp(o));
	cr_assert(prep_outfile_in_place(o));
	cr_assert_eq(prep_outfile_fd(o), 1);
	cr_assert_eq(prep_outfile_commit(o), PREP_OK);
	cr_assert_eq(prep_outfile_open("/dev/stdout", &o), PREP_OK);
	cr_assert_eq(prep_outfile_fd(o), 1);
	cr_assert_eq(prep_outfile_commit(o), PREP_OK);
	cr_assert_eq(prep_outfile_open("/dev/null", &o), PREP_OK);
	cr_assert_null(prep_outfile_temp(o));
	cr_assert(prep_outfile_in_place(o));
	cr_assert_eq(prep_outfile_commit(o), PREP_OK);
	cr_assert_eq(prep_outfile_open("/dev/full", &o), PREP_OK);
	cr_assert_eq(write(prep_outfile_fd(o), "x", 1), -1);
	prep_outfile_abort(o);
}

/* A FIFO or another device named like the output is never opened: a
 * FIFO with no reader would block the open, one with a reader would get
 * the data. */
Test(outfile, fifo_and_devices_refused, .timeout = 10)
{
	char path[256];
	prep_outfile *o = NULL;
	struct stat sb;

	snprintf(path, sizeof path, "%s/release.csv", dir);
	cr_assert_eq(mkfifo(path, 0666), 0);
	cr_assert_eq(prep_outfile_open(path, &o), PREP_ERR_NOT_REGULAR);
	cr_assert_null(o);
	cr_assert_eq(lstat(path, &sb), 0);
	cr_assert(S_ISFIFO(sb.st_mode));
	cr_assert_eq(entries(), 1);
	cr_assert_eq(prep_outfile_open("/dev/zero", &o), PREP_ERR_NOT_REGULAR);
	cr_assert_eq(prep_outfile_open("/dev/urandom", &o),
		     PREP_ERR_NOT_REGULAR);
	cr_assert_eq(prep_outfile_open(dir, &o), PREP_ERR_NOT_REGULAR);
	/* a link to /dev/null is a link: replaced, not followed */
	snprintf(path, sizeof path, "%s/sink.csv", dir);
	cr_assert_eq(symlink("/dev/null", path), 0);
	cr_assert_eq(prep_outfile_open(path, &o), PREP_OK);
	cr_assert_not(prep_outfile_in_place(o));
	cr_assert_eq(prep_outfile_commit(o), PREP_OK);
	cr_assert_eq(lstat(path, &sb), 0);
	cr_assert(S_ISREG(sb.st_mode));
}

/* A symbolic link named like the output is replaced by the output; the
 * file it pointed to is left alone. */
Test(outfile, symlink_replaced_not_followed)
{
	char path[256], victim[256], buf[64];
	prep_outfile *o;
	FILE *f;
	struct stat sb;

	snprintf(victim, sizeof victim, "%s/victim", dir);
	snprintf(path, sizeof path, "%s/out.csv", dir);
	f = fopen(victim, "w");
	fputs("victim\n", f);
	fclose(f);
	cr_assert_eq(symlink(victim, path), 0);
	cr_assert_eq(prep_outfile_open(path, &o), PREP_OK);
	cr_assert_eq(write(prep_outfile_fd(o), "new\n", 4), 4);
	cr_assert_eq(prep_outfile_commit(o), PREP_OK);
	slurp(victim, buf, sizeof buf);
	cr_assert_str_eq(buf, "victim\n");
	slurp(path, buf, sizeof buf);
	cr_assert_str_eq(buf, "new\n");
	cr_assert_eq(lstat(path, &sb), 0);
	cr_assert(S_ISREG(sb.st_mode));
}

/* mode of the committed file, made over a file of mode OLD owned by UID
 * (or none when OLD is 0), under umask MASK */
static mode_t
mode_over(mode_t old, uid_t uid, mode_t mask)
{
	char path[256];
	prep_outfile *o;
	struct stat sb;
	mode_t was;
	FILE *f;

	snprintf(path, sizeof path, "%s/m.csv", dir);
	(void)unlink(path);
	if (old) {
		f = fopen(path, "w");
		fclose(f);
		cr_assert_eq(chmod(path, old), 0);
		cr_assert_eq(chown(path, uid, (gid_t)-1), 0);
	}
	was = umask(mask);
	cr_assert_eq(prep_outfile_open(path, &o), PREP_OK);
	cr_assert_eq(prep_outfile_commit(o), PREP_OK);
	umask(was);
	cr_assert_eq(stat(path, &sb), 0);
	cr_assert_eq(sb.st_uid, geteuid());
	return sb.st_mode & 07777;
}

Test(outfile, mode_never_wider_than_umask)
{
	uid_t me = geteuid();

	cr_assert_eq(mode_over(0, me, 077), 0600);
	cr_assert_eq(mode_over(0, me, 022), 0644);
	/* the caller's own file keeps its bits, less the umask */
	cr_assert_eq(mode_over(0640, me, 022), 0640);
	cr_assert_eq(mode_over(0666, me, 077), 0600);
	cr_assert_eq(mode_over(04755, me, 022), 0755);
	/* another user's file says nothing of the caller's wishes (only
	 * root can make one here) */
	if (me == 0) {
		cr_assert_eq(mode_over(0666, 65534, 077), 0600);
		cr_assert_eq(mode_over(0600, 65534, 022), 0644);
	}
}

Test(outfile, same_file)
{
	char a[256], b[256], c[256];
	FILE *f;

	snprintf(a, sizeof a, "%s/a.csv", dir);
	snprintf(b, sizeof b, "%s/./a.csv", dir);
	snprintf(c, sizeof c, "%s/c.csv", dir);
	/* not there yet: the same name in the same directory */
	cr_assert(prep_outfile_same(a, b));
	cr_assert(prep_outfile_same(a, a));
	cr_assert_not(prep_outfile_same(a, c));
	f = fopen(a, "w");
	fclose(f);
	cr_assert(prep_outfile_same(a, b));
	cr_assert_eq(link(a, c), 0); /* two names, one file */
	cr_assert(prep_outfile_same(a, c));
	cr_assert(prep_outfile_same("-", "/dev/stdout"));
	cr_assert(prep_outfile_same(NULL, "-"));
	cr_assert_not(prep_outfile_same("-", a));
	cr_assert_not(prep_outfile_same("/dev/null", "/dev/null"));
}

Test(outfile, missing_directory)
{
	prep_outfile *o;

	cr_assert_eq(prep_outfile_open("/nonexistent-dir/x.csv", &o),
		     PREP_ERR_IO);
}
