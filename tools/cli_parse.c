/*
 * cli_parse.c: the options every filter takes (see cli.h), and option
 * values every filter reads alike: counts, reals, sizes, the key file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "cli.h"
#include "memcap.h"
#include "part.h"
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

/* The run whose --missing list is freed at exit (registered once). */
static struct cli *missing_owner;

static void
free_missing(void)
{
	if (missing_owner) {
		prep_missing_free(missing_owner->missing);
		missing_owner->missing = NULL;
	}
}

int
cli_common_option(struct cli *c, int opt, const char *arg)
{
	prep_status st;

	switch (opt) {
	case 'h':
		c->usage();
		exit(0);
	case 'V':
		printf("%s (prep) %s\n", c->prog, PREP_VERSION);
		exit(0);
	case 'o':
		c->output = arg;
		break;
	case 'z':
		c->gzip = 1;
		break;
	case 'd':
		if (prep_csv_parse_delim(arg, &c->csv.delim) != PREP_OK)
			cli_usage_error(c,
					"invalid delimiter '%s': one byte "
					"or 'tab'",
					arg);
		break;
	case 'H':
		c->csv.has_header = 0;
		break;
	case 'q':
		c->quiet = 1;
		break;
	case CLI_OPT_CRLF:
		c->crlf = 1;
		break;
	case CLI_OPT_LAZY_QUOTES:
		c->csv.lazy_quotes = 1;
		break;
	case CLI_OPT_MAX_FIELD:
		if (!cli_parse_size(arg, &c->csv.max_field))
			cli_usage_error(c, "invalid --max-field '%s'", arg);
		break;
	case CLI_OPT_AUDIT:
		cli_audit_start(c, arg);
		break;
	case CLI_OPT_AUDIT_GROUPS:
		c->audit_groups = 1;
		break;
	case CLI_OPT_PART:
		st = prep_part_parse(arg, &c->part_i, &c->part_n);
		if (st == PREP_ERR_RANGE && c->part_n == 0)
			cli_usage_error(c, "--part %s: N must be at least 1",
					arg);
		if (st == PREP_ERR_RANGE)
			cli_usage_error(c, "--part %s: I must be from 1 to %lu",
					arg, c->part_n);
		if (st != PREP_OK)
			cli_usage_error(c,
					"--part '%s': give I/N, part I of N, "
					"whole numbers with 1 <= I <= N <= %lu",
					arg, PREP_PART_MAX);
		break;
	case CLI_OPT_PART_BY:
		c->part_by = arg;
		break;
	case 'j':
		cli_threads(c, "-j", arg);
		break;
	case CLI_OPT_MAX_MEMORY: {
		size_t v;

		/* 1T: more than any table needs, far from overflow */
		if (!cli_parse_size_max(arg, (unsigned long long)1 << 40, &v))
			cli_usage_error(c, "invalid --max-memory '%s'", arg);
		prep_memcap_set(v);
		break;
	}
	case CLI_OPT_PROGRESS:
		c->progress = 1;
		break;
	case CLI_OPT_ALLOW_EMPTY:
		c->allow_empty = 1;
		break;
	case CLI_OPT_MISSING:
		prep_missing_free(c->missing);
		c->missing = NULL;
		st = prep_missing_new(arg, &c->missing);
		if (st == PREP_ERR_LIMIT)
			cli_usage_error(c,
					"--missing: at most %d values of at "
					"most %d bytes",
					PREP_MISSING_MAX_VALUES,
					PREP_MISSING_MAX_LEN);
		if (st != PREP_OK)
			cli_fatal_status(c, st, "--missing");
		if (!missing_owner) {
			missing_owner = c;
			(void)atexit(
			    free_missing); /* else only freed by exit */
		}
		break;
	case '?':
		fprintf(stderr, "Try '%s --help'.\n", c->prog);
		exit(EXIT_TROUBLE);
	default:
		return 0;
	}
	return 1;
}
