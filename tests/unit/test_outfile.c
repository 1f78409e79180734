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
	cr_assert_eq(entries(), 2);
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

Test(outfile, stdout_and_devices_in_place)
{
	prep_outfile *o;

	cr_assert_eq(prep_outfile_open("-", &o), PREP_OK);
	cr_assert_null(prep_outfile_temp(o));
	cr_assert_eq(prep_outfile_fd(o), 1);
	cr_assert_eq(prep_outfile_commit(o), PREP_OK);
	cr_assert_eq(prep_outfile_open("/dev/null", &o), PREP_OK);
	cr_assert_null(prep_outfile_temp(o));
	cr_assert_eq(prep_outfile_commit(o), PREP_OK);
}

Test(outfile, missing_directory)
{
	prep_outfile *o;

	cr_assert_eq(prep_outfile_open("/nonexistent-dir/x.csv", &o),
		     PREP_ERR_IO);
}
