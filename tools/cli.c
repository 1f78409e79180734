/*
 * cli.c: the front-end code every filter shares (see cli.h): the run's
 * life (init, common options, signals, output files, the end) and its
 * messages. The input is cli_input.c, option values cli_parse.c, the
 * spool and reports cli_spool.c.
 *
 * One run has at most CLI_MAX_SIDES + 1 temporary output files (the
 * output and side files such as validate's rejects); their paths are kept
 * in static buffers so the SIGINT/SIGTERM handler can remove them with
 * only async-signal-safe calls before the signal ends the process.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "cli.h"
#include "memcap.h"

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
	cli_audit_signal(sig);
	/* nothing is left to do if these fail */
	(void)signal(sig, SIG_DFL);
	(void)raise(sig);
}

/* PREP_PIECE: the bytes of every piece of -j (par.h), 4 KiB to 1 GiB. */
static void
cli_piece(struct cli *c, const char *arg)
{
	size_t v;

	if (!cli_parse_size_max(arg, (unsigned long long)1 << 30, &v) ||
	    v < 4096)
		cli_usage_error(c, "PREP_PIECE '%s': bytes from 4K to 1G", arg);
	prep_par_set_piece(v);
}

void
cli_threads(struct cli *c, const char *opt, const char *arg)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (*arg < '0' || *arg > '9' || *end || errno ||
	    v > PREP_PAR_MAX_THREADS)
		cli_usage_error(c, "%s '%s': a number of threads from 0 to %d",
				opt, arg, PREP_PAR_MAX_THREADS);
	c->threads = v == 0 ? prep_par_cpus() : (unsigned)v;
}

void
cli_init(struct cli *c, const char *prog, void (*usage)(void))
{
	static const int ending[] = {SIGINT,  SIGTERM, SIGHUP,	  SIGQUIT,
				     SIGPIPE, SIGXFSZ, SIGXCPU,	  SIGALRM,
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
	env = getenv("PREP_AUDIT");
	if (env != NULL && *env)
		cli_audit_start(c, env);
	c->threads = 1;
	env = getenv("PREP_THREADS");
	if (env != NULL && *env)
		cli_threads(c, "PREP_THREADS", env);
	env = getenv("PREP_PIECE");
	if (env != NULL && *env)
		cli_piece(c, env);

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
	va_list copy;

	va_copy(copy, ap);
	cli_audit_message(fmt, copy);
	va_end(copy);
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
	cli_fatal_cell_at(c, prep_reader_where(c->reader), col, what);
}

void
cli_fatal_cell_at(struct cli *c, prep_where w, size_t col, const char *what)
{
	size_t ncols;
	const prep_field *h = prep_reader_header(c->reader, &ncols);

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
	wo.delim = c->reader	      ? prep_reader_delim(c->reader)
		   : c->csv.delim > 0 ? c->csv.delim
				      : ',';
	wo.crlf = c->crlf;
	wo.gzip = cli_output_gzip(c);
	if (c->audit != NULL)
		c->sha256 = 1;
	cli_audit_arm(c); /* with the checks made so far */
	wo.sha256 = c->sha256;
	st = prep_writer_new(prep_outfile_fd(c->out), &wo, &c->writer);
	if (st != PREP_OK)
		cli_fatal_status(c, st, "output");
	if (!c->report && cli_part_drops_header(c) &&
	    (st = prep_writer_skip_header(c->writer)) != PREP_OK)
		cli_fatal_status(c, st, "output");
}

void
cli_open_report(struct cli *c)
{
	c->report = 1;
	cli_open_output(c);
}

int
cli_part_drops_header(const struct cli *c)
{
	return c->part_i > 1 && c->csv.has_header;
}

int
cli_output_gzip(const struct cli *c)
{
	return c->gzip || (c->output && cli_gz_name(c->output));
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
	uint64_t records;
	size_t columns;
	prep_status st;
	int header, skipped;

	cli_progress_end(c);
	cli_write_check(c, prep_writer_finish(c->writer));
	records = prep_writer_records(c->writer);
	columns = prep_writer_columns(c->writer);
	skipped = prep_writer_skipped(c->writer);
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
	/* a table's rows are its records but the header (none written when
	 * a part's was dropped); a report (JSON, text) has no records, and
	 * neither rows nor columns */
	header = c->csv.has_header && records > 0 && !skipped;
	if (c->audit != NULL)
		(void)prep_audit_output(
		    c->audit, c->output ? c->output : "-",
		    c->sha256 ? c->digest : NULL,
		    records > 0 || skipped ? records - (uint64_t)header
					   : PREP_AUDIT_UNKNOWN,
		    records > 0 || skipped ? columns : PREP_AUDIT_UNKNOWN);
	cli_audit_arm(c);
	cli_close_input(c);
}
