/*
 * replay.c: run a libFuzzer harness over saved inputs without libFuzzer.
 *
 *	replay-HARNESS FILE_OR_DIRECTORY...
 *
 * Linked with one tests/fuzz/fuzz_*.c, it calls LLVMFuzzerTestOneInput()
 * once on an empty input and then on every regular file given, or found
 * directly in a directory given (in name order), each in a buffer of
 * exactly its size so that AddressSanitizer sees any read past the end.
 * A harness reports a bug by crashing (abort(), a sanitizer); so reaching
 * the end means every input passed. It prints
 *
 *	fuzz replay: HARNESS: N inputs
 *
 * HARNESS being the program's name without a "replay-" or "fuzz_" prefix.
 * Exit status 0, or 2 when an argument can't be read. When an input
 * crashes it (a signal, or a sanitizer's report when one is linked in:
 * __sanitizer_set_death_callback, a weak reference), the input's name is
 * printed first, so `make test-fuzz` says which file to look at.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX_BYTES ((size_t)64 << 20)

static const char *prog = "replay";
static const char *current; /* the input being run */

/* Provided by the sanitizer runtimes; absent in a plain build. */
extern void __sanitizer_set_death_callback(void (*)(void))
    __attribute__((weak));

/* Name the input that crashed; async-signal-safe (write(2) only). */
static void
say_current(void)
{
	static const char m[] = "fuzz replay: crashed on input ";

	if (current == NULL)
		return;
	(void)!write(STDERR_FILENO, m, sizeof m - 1);
	(void)!write(STDERR_FILENO, current, strlen(current));
	(void)!write(STDERR_FILENO, "\n", 1);
}

static void
on_signal(int sig)
{
	say_current();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Run the harness on one file; 0, or -1 when it can't be read. */
static int
run_file(const char *path)
{
	struct stat sb;
	uint8_t *buf;
	size_t len = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 ||
	    fstat(fd, &sb) != 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if ((size_t)sb.st_size > REPLAY_MAX_BYTES) {
		fprintf(stderr, "%s: %s: larger than %zu bytes\n", prog, path,
			REPLAY_MAX_BYTES);
		close(fd);
		return -1;
	}
	/* malloc(0) may give NULL: keep one byte, pass the exact size. */
	if ((buf = malloc((size_t)sb.st_size ? (size_t)sb.st_size : 1)) ==
	    NULL) {
		close(fd);
		fprintf(stderr, "%s: out of memory\n", prog);
		return -1;
	}
	while (len < (size_t)sb.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)sb.st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	current = path;
	LLVMFuzzerTestOneInput(buf, len);
	current = NULL;
	free(buf);
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run every regular file directly in dir, in name order; count them. */
static int
run_dir(const char *dir, unsigned long *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL, path[4096];
	size_t n = 0, cap = 0, i;
	int rc = 0;

	if (d == NULL) {
		fprintf(stderr, "%s: %s: %s\n", prog, dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			char **v = realloc(names, nc * sizeof *v);

			if (v == NULL) {
				rc = -1;
				break;
			}
			names = v;
			cap = nc;
		}
		if ((names[n] = strdup(e->d_name)) == NULL) {
			rc = -1;
			break;
		}
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, name_cmp);
	for (i = 0; i < n; i++) {
		struct stat sb;

		if (rc == 0 &&
		    (size_t)snprintf(path, sizeof path, "%s/%s", dir,
				     names[i]) < sizeof path &&
		    stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
			if (run_file(path) != 0)
				rc = -1;
			else
				(*count)++;
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int
main(int argc, char **argv)
{
	const char *name;
	unsigned long count = 0;
	int i, rc = 0;

	if (argc > 0 && argv[0][0]) {
		prog =
		    strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	}
	name = prog;
	if (strncmp(name, "replay-", 7) == 0)
		name += 7;
	else if (strncmp(name, "fuzz_", 5) == 0)
		name += 5;
	/* A sanitizer reports faults itself (and then calls back). */
	if (__sanitizer_set_death_callback) {
		__sanitizer_set_death_callback(say_current);
	} else {
		signal(SIGSEGV, on_signal);
		signal(SIGBUS, on_signal);
		signal(SIGFPE, on_signal);
	}
	signal(SIGABRT, on_signal);
	current = "(empty input)";
	LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
	current = NULL;
	for (i = 1; i < argc; i++) {
		struct stat sb;

		if (stat(argv[i], &sb) != 0) {
			fprintf(stderr, "%s: %s: %s\n", prog, argv[i],
				strerror(errno));
			rc = 2;
		} else if (S_ISDIR(sb.st_mode)) {
			if (run_dir(argv[i], &count) != 0)
				rc = 2;
		} else if (run_file(argv[i]) != 0) {
			rc = 2;
		} else {
			count++;
		}
	}
	printf("fuzz replay: %s: %lu inputs\n", name, count);
	return rc;
}
