/*
 * cli.c: the front-end code every filter shares (see cli.h).
 *
 * One run has at most CLI_MAX_SIDES + 1 temporary output files (the
 * output and side files such as validate's rejects); their paths are kept
 * in static buffers so the SIGINT/SIGTERM handler can remove them with
 * only async-signal-safe calls before the signal ends the process.
 */
#define _GNU_SOURCE /* O_TMPFILE */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "columns.h"
#include "memcap.h"
#include "text.h"

static struct cli *current;
/* slot 0: the output; then the side files */
static char temp_path[CLI_MAX_SIDES + 1][4096];
static volatile sig_atomic_t have_temp[CLI_MAX_SIDES + 1];
static prep_outfile *sides[CLI_MAX_SIDES + 1];

static void
on_signal(int sig)
{
	int i;

	for (i = 0; i <= CLI_MAX_SIDES; i++)
		if (have_temp[i])
			unlink(temp_path[i]);
	/* nothing is left to do if these fail */
	(void)signal(sig, SIG_DFL);
	(void)raise(sig);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
cli_init(struct cli *c, const char *prog, void (*usage)(void))
{
	static const int ending[] = {SIGINT,  SIGTERM, SIGHUP,	 SIGQUIT,
				     SIGPIPE, SIGXFSZ, SIGXCPU,	 SIGALRM,
				     SIGUSR1, SIGUSR2, SIGVTALRM, SIGPROF};
	const char *env = getenv("PREP_PROGRESS");
	struct sigaction sa;
	size_t i;

	memset(c, 0, sizeof *c);
	c->prog = prog;
	c->usage = usage;
	prep_csv_options_init(&c->csv);
	c->progress = env != NULL && strcmp(env, "1") == 0;
	current = c;

	/* Every signal that ends the run by default removes the temporary
	 * files first; then it ends the run as it would have. A signal the
	 * parent ignored stays ignored (nohup(1), a shell's background
	 * job), except SIGPIPE: a closed output pipe ends the filter
	 * quietly, as for cat(1). */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof ending / sizeof ending[0]; i++) {
		struct sigaction was;

		if (ending[i] != SIGPIPE &&
		    sigaction(ending[i], NULL, &was) == 0 &&
		    was.sa_handler == SIG_IGN)
			continue;
		(void)sigaction(ending[i], &sa, NULL);
	}
}

prep_spool *
cli_spool_new(struct cli *c, int flags)
{
	prep_writer_options wo;
	prep_spool *s;
	prep_status st;

	memset(&wo, 0, sizeof wo);
	wo.delim = prep_reader_delim(c->reader);
	wo.crlf = c->crlf;
	st = prep_spool_new(c->prog, &wo, flags, &s);
	if (st == PREP_ERR_IO)
		cli_fatal(c, "%s: %s", prep_spool_dir(), strerror(errno));
	if (st != PREP_OK)
		cli_fatal_status(c, st, "spool");
	return s;
}

void
cli_spool_check(struct cli *c, prep_status st)
{
	if (st == PREP_OK)
		return;
	if (st == PREP_ERR_IO &&
	    (errno == ENOSPC || errno == EDQUOT || errno == EFBIG))
		cli_fatal(c,
			  "no space left in TMPDIR (%s) for the spool: %s; "
			  "point TMPDIR at a larger file system",
			  prep_spool_dir(), strerror(errno));
	if (st == PREP_ERR_IO)
		cli_fatal(c, "spool in %s: %s", prep_spool_dir(), strerror(errno));
	cli_fatal_status(c, st, "spool");
}

FILE *
cli_report_begin(struct cli *c)
{
	FILE *f;

	c->report_text = NULL;
	c->report_len = 0;
	f = open_memstream(&c->report_text, &c->report_len);
	if (f == NULL)
		cli_fatal(c, "out of memory");
	return f;
}

void
cli_report_end(struct cli *c, FILE *f)
{
	/* a failed write (no memory) is remembered by the stream */
	int bad = ferror(f);

	if (fclose(f) != 0 || bad)
		cli_fatal(c, "out of memory");
	cli_open_output(c);
	cli_write_check(
	    c, prep_writer_raw(c->writer, c->report_text, c->report_len));
	free(c->report_text);
	c->report_text = NULL;
	cli_finish(c);
}

void
cli_spool_copy(struct cli *c, prep_spool *s)
{
	prep_status st = prep_spool_finish(s);

	cli_spool_check(c, st);
	cli_write_check(c, prep_spool_copy(s, c->writer));
}

prep_reader *
cli_spool_reader(struct cli *c, prep_spool *s)
{
	prep_reader *r;
	prep_status st;

	cli_spool_check(c, prep_spool_finish(s));
	if ((st = prep_spool_reader(s, prep_reader_options(c->reader), &r)) !=
	    PREP_OK)
		cli_fatal_status(c, st, "spool");
	return r;
}

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
		cli_usage_error(c, "%s must be a whole number from %llu to %llu",
				opt, (unsigned long long)lo,
				(unsigned long long)hi);
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

static int missing_registered;

static void
free_missing(void)
{
	if (current) {
		prep_missing_free(current->missing);
		current->missing = NULL;
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
		if (!missing_registered) {
			missing_registered = 1;
			(void)atexit(free_missing); /* else only freed by exit */
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

/* Remove the temporary output, if any, before an exit on failure. */
static void
cleanup(struct cli *c)
{
	int i;

	if (c && c->out) {
		have_temp[0] = 0;
		prep_outfile_abort(c->out);
		c->out = NULL;
	}
	for (i = 1; i <= CLI_MAX_SIDES; i++)
		if (sides[i]) {
			have_temp[i] = 0;
			prep_outfile_abort(sides[i]);
			sides[i] = NULL;
		}
}

static void
vmessage(const char *prog, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void
vwarning(const char *prog, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: warning: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
cli_usage_error(struct cli *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(c->prog, fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help'.\n", c->prog);
	cleanup(c);
	exit(EXIT_TROUBLE);
}

void
cli_fatal(struct cli *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(c->prog, fmt, ap);
	va_end(ap);
	cleanup(c);
	exit(EXIT_TROUBLE);
}

void
cli_fatal_at(struct cli *c, prep_where w, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s:", c->prog, w.file ? w.file : "-");
	if (w.line)
		fprintf(stderr, "%lu:", w.line);
	fputc(' ', stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cleanup(c);
	exit(EXIT_TROUBLE);
}

void
cli_fatal_cell(struct cli *c, size_t col, const char *what)
{
	size_t ncols;
	const prep_field *h = prep_reader_header(c->reader, &ncols);
	prep_where w = prep_reader_where(c->reader);

	if (h)
		cli_fatal_at(c, w, "field %zu (%.*s): %s", col + 1,
			     (int)h[col].len, h[col].data, what);
	cli_fatal_at(c, w, "field %zu: %s", col + 1, what);
}

void
cli_warn(struct cli *c, const char *fmt, ...)
{
	va_list ap;

	if (c->quiet)
		return;
	va_start(ap, fmt);
	vwarning(c->prog, fmt, ap);
	va_end(ap);
}

void
cli_warn_always(struct cli *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarning(c->prog, fmt, ap);
	va_end(ap);
}

void
cli_fatal_status(struct cli *c, prep_status st, const char *what)
{
	if (st == PREP_ERR_IO)
		cli_fatal(c, "%s: %s", what, strerror(errno));
	if (st == PREP_ERR_MEMORY)
		cli_fatal(c, "%s: %s (%zu bytes)", what, prep_strerror(st),
			  prep_memcap_get());
	cli_fatal(c, "%s: %s", what, prep_strerror(st));
}

/* A delimiter as messages show it: tab, or the byte in quotes. */
static const char *
delim_name(int d, char buf[4])
{
	if (d == '\t')
		return "tab";
	buf[0] = '\'';
	buf[1] = (char)d;
	buf[2] = '\'';
	buf[3] = '\0';
	return buf;
}

void
cli_reader_fatal(struct cli *c, prep_status st)
{
	prep_where w = prep_reader_where(c->reader);
	size_t nf = prep_reader_record_fields(c->reader);
	size_t ncols = prep_reader_columns(c->reader);
	const prep_csv_options *o = prep_reader_options(c->reader);
	char dn[4];

	switch (st) {
	case PREP_ERR_IO:
		cli_fatal(c, "%s: %s", w.file ? w.file : "-", strerror(errno));
	case PREP_ERR_QUOTE:
		if (w.line == 1)
			cli_fatal_at(c, w,
				     "field %zu: stray quote in unquoted "
				     "field: is the delimiter %s? (check -d "
				     "first; --lazy-quotes accepts the quote)",
				     w.field, delim_name(o->delim, dn));
		cli_fatal_at(c, w,
			     "field %zu: stray quote in unquoted field "
			     "(--lazy-quotes accepts it)",
			     w.field);
	case PREP_ERR_UNCLOSED_QUOTE:
		cli_fatal_at(c, w,
			     "field %zu: quoted field not closed at end "
			     "of input",
			     w.field);
	case PREP_ERR_FIELD_TOO_LONG:
		cli_fatal_at(c, w,
			     "field %zu: longer than --max-field (%zu "
			     "bytes)",
			     w.field, o->max_field);
	case PREP_ERR_TOO_MANY_FIELDS:
		cli_fatal_at(c, w, "record has more than %zu fields",
			     o->max_fields);
	case PREP_ERR_LIMIT:
		cli_fatal_at(c, w, "record too long");
	case PREP_ERR_RAGGED:
		cli_fatal_at(c, w, "record has %zu field%s, %s has %zu", nf,
			     nf == 1 ? "" : "s",
			     o->has_header ? "header" : "first record", ncols);
	case PREP_ERR_HEADER_MISMATCH:
		cli_fatal_at(c, w, "header differs from the first input's");
	case PREP_ERR_GZIP:
		cli_fatal_at(c, w, "corrupt or truncated gzip data");
	default:
		cli_fatal_at(c, w, "%s", prep_strerror(st));
	}
}

/* Say what the delimiter is when it was guessed (-v); warn when the
 * header looks as if it was split at the wrong byte. */
void
cli_check_delimiter(struct cli *c)
{
	int d = prep_reader_delim(c->reader);
	int how = prep_reader_delim_how(c->reader);
	size_t ncols;
	const prep_field *h = prep_reader_header(c->reader, &ncols);
	static const char other[] = "\t;|";
	char dn[4];
	size_t i;

	if (c->verbose && how != PREP_DELIM_GIVEN && d != ',')
		fprintf(stderr, "%s: delimiter %s (from the %s)\n", c->prog,
			delim_name(d, dn),
			how == PREP_DELIM_BY_NAME ? "file name" : "header");
	if (h == NULL || ncols != 1)
		return;
	for (i = 0; other[i]; i++)
		if (other[i] != d && memchr(h[0].data, other[i], h[0].len)) {
			const char *name = delim_name(other[i], dn);

			cli_warn(c,
				 "the header is one column that holds a %s: "
				 "is the delimiter %s? (-d %s)",
				 name, name, name);
			return;
		}
}

void
cli_open_input(struct cli *c, int nfiles, char **files)
{
	prep_status st;

	st = prep_reader_new(&c->csv, (const char *const *)files,
			     (size_t)nfiles, &c->reader);
	if (st == PREP_ERR_NOMEM && c->reader == NULL)
		cli_fatal(c, "out of memory");
	if (st != PREP_OK)
		cli_reader_fatal(c, st);
	if (prep_reader_columns(c->reader) == 0 && !c->allow_empty)
		cli_fatal(c, "%s: input is empty (--allow-empty accepts it)",
			  nfiles > 0 ? files[0] : "-");
	cli_check_delimiter(c);
	if (c->progress) {
		c->start = now();
		c->last_report = c->start;
		c->next_tick = 4096;
	}
}

static void
human_bytes(char *buf, size_t n, uint64_t b)
{
	snprintf(buf, n, "%.1f MiB", (double)b / 1048576.0);
}

static void
report_progress(struct cli *c, int final)
{
	double t = now(), dt = t - c->start;
	uint64_t rows = prep_reader_rows(c->reader);
	uint64_t rd = prep_reader_bytes_read(c->reader);
	uint64_t total = prep_reader_bytes_total(c->reader);
	char a[32], b[32];

	human_bytes(a, sizeof a, rd);
	if (total) {
		human_bytes(b, sizeof b, total);
		fprintf(
		    stderr, "\r%s: %s of %s (%.0f%%), %llu rows, %.0f rows/s",
		    c->prog, a, b, 100.0 * (double)rd / (double)total,
		    (unsigned long long)rows, dt > 0 ? (double)rows / dt : 0.0);
	} else {
		fprintf(stderr, "\r%s: %s, %llu rows, %.0f rows/s", c->prog, a,
			(unsigned long long)rows,
			dt > 0 ? (double)rows / dt : 0.0);
	}
	if (final)
		fputc('\n', stderr);
	c->last_report = t;
}

void
cli_progress_end(struct cli *c)
{
	if (c->progress && c->reader && !c->progress_ended)
		report_progress(c, 1);
	c->progress_ended = 1;
}

const prep_field *
cli_next_row(struct cli *c, size_t *n)
{
	const prep_field *f;
	prep_status st = prep_reader_next_row(c->reader, &f, n);

	if (st == PREP_END)
		return NULL;
	if (st != PREP_OK)
		cli_reader_fatal(c, st);
	if (c->progress && prep_reader_rows(c->reader) >= c->next_tick) {
		c->next_tick += 4096;
		if (now() - c->last_report >= 1.0)
			report_progress(c, 0);
	}
	return f;
}

size_t *
cli_columns(struct cli *c, const char *opt, const char *list, size_t *n)
{
	size_t ncols, *idx, off, len;
	const prep_field *h = prep_reader_header(c->reader, &ncols);
	prep_status st;

	int by_name;

	st = prep_columns_resolve(list, h, ncols, &idx, n, &off, &len,
				  &by_name);
	if (st == PREP_OK && by_name)
		cli_unique_names(c);
	if (st == PREP_ERR_COLUMN) {
		char msg[2048];

		cli_unknown_column_text(c, msg, sizeof msg, opt, list + off,
					len, 1);
		cli_usage_error(c, "%s", msg);
	}
	if (st != PREP_OK)
		cli_fatal_status(c, st, opt);
	return idx;
}

void
cli_unique_names(struct cli *c)
{
	size_t ncols, first, second;
	const prep_field *h = prep_reader_header(c->reader, &ncols);
	prep_where w = prep_reader_where(c->reader);
	prep_status st;

	if (c->names_unique)
		return;
	st = prep_columns_duplicate(h, ncols, &first, &second);
	if (st != PREP_OK)
		cli_fatal_status(c, st, "header");
	if (second != (size_t)-1) {
		w.line = 1;
		cli_fatal_at(c, w,
			     "two columns are named '%.*s' (fields "
			     "%zu and %zu): a name must mean one column; "
			     "rename one, or give columns by number",
			     (int)h[first].len, h[first].data, first + 1,
			     second + 1);
	}
	c->names_unique = 1;
}

void
cli_unknown_column_text(struct cli *c, char *buf, size_t n, const char *what,
			const char *item, size_t len, int quote)
{
	size_t ncols, i, at, used;
	const prep_field *h = prep_reader_header(c->reader, &ncols);
	int k;

	if (quote)
		k = snprintf(buf, n, "%s: unknown column '%.*s'", what,
			     (int)len, item);
	else
		k = snprintf(buf, n, "%s: unknown column", what);
	used = k < 0 ? 0 : (size_t)k;
	if (h == NULL) {
		if (used < n)
			snprintf(buf + used, n - used,
				 " (no header: columns are numbered 1 to "
				 "%zu)",
				 ncols);
		return;
	}
	at = prep_columns_closest(h, ncols, item, len);
	if (at != (size_t)-1 && used < n) {
		k = snprintf(buf + used, n - used, " (did you mean '%.*s'?)",
			     (int)h[at].len, h[at].data);
		used += k < 0 ? 0 : (size_t)k;
	}
	if (used < n) {
		k = snprintf(buf + used, n - used, "; the columns are: ");
		used += k < 0 ? 0 : (size_t)k;
	}
	/* At most 20 names; room is kept for the tail ", ... (N in all)". */
	for (i = 0; i < ncols && i < 20 && used + 40 < n; i++) {
		size_t room = n - used - 40, nl = h[i].len;

		if (nl + 2 > room) {
			snprintf(buf + used, n - used, "%s... (%zu in all)",
				 i ? ", " : "", ncols);
			return;
		}
		k = snprintf(buf + used, n - used, "%s%.*s", i ? ", " : "",
			     (int)nl, h[i].data);
		used += k < 0 ? 0 : (size_t)k;
	}
	if (i < ncols && used < n)
		snprintf(buf + used, n - used, ", ... (%zu in all)", ncols);
}

char *
cli_json_text(struct cli *c, json_t *o, size_t flags)
{
	char *s = json_dumps(o, JSON_PRESERVE_ORDER | JSON_COMPACT | flags);
	size_t n;
	char *t;

	json_decref(o);
	if (s == NULL)
		cli_fatal(c, "out of memory");
	n = strlen(s);
	t = realloc(s, n + 2);
	if (t == NULL) {
		free(s);
		cli_fatal(c, "out of memory");
	}
	t[n] = '\n';
	t[n + 1] = '\0';
	return t;
}

unsigned char *
cli_column_counts(struct cli *c, const size_t *idx, size_t n, size_t ncols)
{
	unsigned char *m = calloc(ncols ? ncols : 1, 1);
	size_t i;

	if (m == NULL)
		cli_fatal(c, "out of memory");
	for (i = 0; i < n; i++)
		if (idx[i] < ncols && m[idx[i]] < 2)
			m[idx[i]]++;
	return m;
}

prep_field
cli_column_label(struct cli *c, size_t col,
		 char number[PREP_COLUMNS_LABEL_SIZE])
{
	size_t ncols;
	const prep_field *h = prep_reader_header(c->reader, &ncols);

	return prep_columns_label(h, ncols, col, number);
}

size_t
cli_column(struct cli *c, const char *opt, const char *name)
{
	size_t n, *idx = cli_columns(c, opt, name, &n), col = idx[0];

	free(idx);
	if (n != 1)
		cli_usage_error(c, "%s names one column", opt);
	return col;
}

int
cli_gz_name(const char *s)
{
	size_t n = strlen(s);

	return n >= 3 && strcmp(s + n - 3, ".gz") == 0;
}

void
cli_open_output(struct cli *c)
{
	prep_writer_options wo;
	prep_status st;
	const char *tmp;

	st = prep_outfile_open(c->output, &c->out);
	if (st != PREP_OK)
		cli_fatal_status(c, st, c->output ? c->output : "-");
	tmp = prep_outfile_temp(c->out);
	if (tmp && strlen(tmp) < sizeof temp_path[0]) {
		strcpy(temp_path[0], tmp);
		have_temp[0] = 1;
	}
	memset(&wo, 0, sizeof wo);
	wo.delim = prep_reader_delim(c->reader);
	wo.crlf = c->crlf;
	wo.gzip = c->gzip || (c->output && cli_gz_name(c->output));
	wo.sha256 = c->sha256;
	st = prep_writer_new(prep_outfile_fd(c->out), &wo, &c->writer);
	if (st != PREP_OK)
		cli_fatal_status(c, st, "output");
}

prep_outfile *
cli_side_open(struct cli *c, const char *path)
{
	prep_status st;
	const char *tmp;
	int i;

	for (i = 1; i <= CLI_MAX_SIDES && sides[i]; i++)
		;
	if (i > CLI_MAX_SIDES)
		cli_fatal(c, "%s: too many output files", path);
	if ((st = prep_outfile_open(path, &sides[i])) != PREP_OK)
		cli_fatal_status(c, st, path);
	tmp = prep_outfile_temp(sides[i]);
	if (tmp && strlen(tmp) < sizeof temp_path[i]) {
		strcpy(temp_path[i], tmp);
		have_temp[i] = 1;
	}
	return sides[i];
}

void
cli_output_distinct(struct cli *c, const char *opt, const char *path)
{
	static const char *opts[CLI_MAX_SIDES + 2], *paths[CLI_MAX_SIDES + 2];
	static size_t n;
	size_t i;

	if (path == NULL)
		return;
	if (n == 0) {
		opts[0] = c->output ? "-o" : "the standard output";
		paths[n++] = c->output;
	}
	for (i = 0; i < n; i++)
		if (prep_outfile_same(paths[i], path))
			cli_usage_error(c,
					"%s and %s name one file: give each "
					"output its own",
					opts[i], opt);
	if (n < sizeof paths / sizeof paths[0]) {
		opts[n] = opt;
		paths[n++] = path;
	}
}

/* The slot of side file F, or 0. */
static int
side_slot(const prep_outfile *f)
{
	int i;

	for (i = 1; i <= CLI_MAX_SIDES; i++)
		if (sides[i] == f)
			return i;
	return 0;
}

void
cli_side_abort(struct cli *c, prep_outfile *f)
{
	int i = side_slot(f);

	(void)c;
	if (i == 0)
		return;
	have_temp[i] = 0;
	sides[i] = NULL;
	prep_outfile_abort(f);
}

void
cli_side_commit(struct cli *c, prep_outfile *f, const char *path)
{
	prep_status st;
	int i = side_slot(f);

	if (i == 0)
		return;
	have_temp[i] = 0;
	sides[i] = NULL;
	if ((st = prep_outfile_commit(f)) != PREP_OK)
		cli_fatal_status(c, st, path);
}

void
cli_write_check(struct cli *c, prep_status st)
{
	if (st == PREP_OK)
		return;
	if (st == PREP_ERR_IO && errno == EPIPE) {
		/* SIGPIPE was ignored by our parent: end as quietly. */
		cleanup(c);
		exit(EXIT_TROUBLE);
	}
	cli_fatal_status(c, st, c->output ? c->output : "write error");
}

/* ---- messages of the filters ---- */

void
cli_note(struct cli *c, const char *fmt, ...)
{
	va_list ap;

	if (c->quiet)
		return;
	va_start(ap, fmt);
	vmessage(c->prog, fmt, ap);
	va_end(ap);
}

void
cli_info(struct cli *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(c->prog, fmt, ap);
	va_end(ap);
}

void
cli_check_failed(struct cli *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(c->prog, fmt, ap);
	va_end(ap);
	cleanup(c);
	exit(EXIT_CHECK_FAILED);
}

void
cli_finish(struct cli *c)
{
	prep_status st;

	cli_progress_end(c);
	cli_write_check(c, prep_writer_finish(c->writer));
	if (c->sha256 &&
	    (st = prep_writer_sha256(c->writer, c->digest)) != PREP_OK)
		cli_fatal_status(c, st, "sha256");
	prep_writer_free(c->writer);
	c->writer = NULL;
	have_temp[0] = 0;
	st = prep_outfile_commit(c->out);
	c->out = NULL;
	if (st != PREP_OK)
		cli_fatal_status(c, st, c->output ? c->output : "write error");
	prep_reader_free(c->reader);
	c->reader = NULL;
}
