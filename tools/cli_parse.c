/*
 * cli_parse.c: option values every filter reads alike (see cli.h):
 * counts, reals, sizes, and the key file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "cli.h"
#include "text.h"

/*
 * The largest size is checked before the unit multiplies the number, so
 * that no number wraps around to a small one (2^55 + 1 K is not 1 K).
 */
int
cli_parse_size(const char *s, size_t *v)
{
	return cli_parse_size_max(s, (unsigned long long)1 << 34, v); /* 16G */
}

int
cli_parse_size_max(const char *s, unsigned long long max, size_t *v)
{
	char *end;
	unsigned long long n;
	unsigned shift = 0;

	if (*s < '0' || *s > '9')
		return 0;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno)
		return 0;
	if (*end == 'K' || *end == 'k')
		shift = 10, end++;
	else if (*end == 'M' || *end == 'm')
		shift = 20, end++;
	else if (*end == 'G' || *end == 'g')
		shift = 30, end++;
	if (*end != '\0' || n == 0 || n > max >> shift)
		return 0;
	*v = (size_t)(n << shift);
	return 1;
}

prep_keys *
cli_load_key(struct cli *c, const char *path, const char *source)
{
	static const struct rlimit no_core = {0, 0};
	prep_key_file kf;
	prep_keys *k = NULL;
	prep_status st;
	int saved;

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 ||
	    setrlimit(RLIMIT_CORE, &no_core) != 0)
		cli_fatal(c, "cannot keep the key out of core dumps: %s",
			  strerror(errno));
	st = prep_keys_load(path, &k, &kf);
	if (st == PREP_ERR_IO) {
		saved = errno;
		if (!prep_keys_path_shown(path))
			cli_fatal(c,
				  "%s: the key file argument does not name a "
				  "file (not shown)",
				  source);
		errno = saved;
		cli_fatal_status(c, st, path);
	}
	if (st == PREP_ERR_KEY && kf.kind)
		cli_fatal(c,
			  "%s: refused as a key file: %s; a key file is a "
			  "regular file or a pipe of your own",
			  path, kf.kind);
	if (st == PREP_ERR_KEY)
		cli_fatal(c, "%s: key must be %d to %d bytes", path,
			  PREP_KEYS_MIN_IKM, PREP_KEYS_MAX_IKM);
	if (st == PREP_ERR_LIMIT)
		cli_fatal(c,
			  "%s: nothing to read within %d s: no process opened "
			  "the pipe for writing",
			  path, PREP_KEYS_WAIT_SECONDS);
	if (st != PREP_OK)
		cli_fatal_status(c, st, path);
	if (kf.readable)
		cli_warn(c, "key file '%s' is readable by group or others",
			 path);
	if (kf.writable)
		cli_warn(c, "key file '%s' is writable by group or others",
			 path);
	if (kf.foreign)
		cli_warn(c, "key file '%s' is owned by another user (uid %lu)",
			 path, kf.uid);
	return k;
}

uint64_t
cli_parse_count(struct cli *c, const char *opt, const char *arg, uint64_t lo,
		uint64_t hi)
{
	int64_t v;

	if (prep_parse_int64(arg, strlen(arg), &v) != PREP_OK || v < 0 ||
	    (uint64_t)v < lo || (uint64_t)v > hi || arg[0] == '+')
		cli_usage_error(
		    c, "%s must be a whole number from %llu to %llu", opt,
		    (unsigned long long)lo, (unsigned long long)hi);
	return (uint64_t)v;
}

double
cli_parse_real(struct cli *c, const char *opt, const char *arg, double lo,
	       double hi)
{
	double v;

	if (prep_parse_number(arg, strlen(arg), &v) != PREP_OK || v < lo ||
	    v > hi)
		cli_usage_error(c, "%s must be a number from %g to %g", opt, lo,
				hi);
	return v;
}
