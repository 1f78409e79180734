/*
 * cli_audit.c: the audit record of a run (cli.h, "audit trail";
 * libprep/audit.h builds and appends it).
 *
 * The record starts when --audit or PREP_AUDIT names a file, takes the
 * command line from /proc/self/cmdline (so no filter passes its argv),
 * the inputs as the reader closes them, the output as cli_finish
 * commits it, and is appended by an on_exit(3) handler, which sees the
 * exit status of every way a filter ends: return from main, exit(0),
 * exit(1) after a failed check, exit(2) from cli_fatal.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cli.h"

/*
 * The record a signal handler appends (cli_audit_signal), prepared anew
 * by cli_audit_arm whenever the record changes; swapped with every signal
 * blocked, so the handler sees either the old one or the new one whole.
 */
static prep_audit_abort *armed;
static const char *armed_path;
/* the run is ending normally: the handler leaves the record to it */
static volatile sig_atomic_t finishing;

/*
 * Files named before --audit was read (options are taken in order): the
 * record takes them when it starts. Their strings are the command line's.
 */
#define EARLY_FILES 64
static struct {
	const char *option, *path;
} early[EARLY_FILES];
static size_t nearly;

/* The last message printed: the reason of a failed run. */
static char last_message[512];
/* The gates that failed, for a run that failed without a message (-q,
 * kcheck -r): "checks failed: k, l". */
static char failed_checks[512];

/* Add a failed gate's name to failed_checks, as room allows. */
static void
note_failed(const char *name)
{
	size_t at = strlen(failed_checks);

	if (at == 0)
		at = (size_t)snprintf(failed_checks, sizeof failed_checks,
				      "checks failed: ");
	else if (at + 2 < sizeof failed_checks)
		at += (size_t)snprintf(failed_checks + at,
				       sizeof failed_checks - at, ", ");
	if (at < sizeof failed_checks)
		(void)snprintf(failed_checks + at, sizeof failed_checks - at,
			       "%s", name);
}

void
cli_audit_message(const char *fmt, va_list ap)
{
	(void)vsnprintf(last_message, sizeof last_message, fmt, ap);
}

/* Options whose value names a group: personal data, never recorded. */
static int
withheld(const char *opt)
{
	return strcmp(opt, "--privileged") == 0;
}

/* The command line, from argv[1] on, into the record. */
static void
arguments(prep_audit *a)
{
	FILE *f = fopen("/proc/self/cmdline", "rb");
	char buf[65536];
	size_t n, i, start;
	int skip = 1, hide = 0;

	if (f == NULL)
		return;
	n = fread(buf, 1, sizeof buf - 1, f);
	(void)fclose(f); /* read only */
	buf[n] = '\0';
	for (i = 0, start = 0; i < n; i++) {
		if (buf[i] != '\0')
			continue;
		if (skip)
			skip = 0;
		else if (hide)
			(void)prep_audit_argument(a, "(withheld)");
		else if (strncmp(buf + start, "--privileged=", 13) == 0)
			(void)prep_audit_argument(a, "--privileged=(withheld)");
		else
			(void)prep_audit_argument(a, buf + start);
		hide = !hide && withheld(buf + start);
		start = i + 1;
	}
}

static void
at_exit(int status, void *arg)
{
	struct cli *c = arg;
	char *line = NULL;
	const char *reason;
	prep_status st;

	sigset_t all;

	if (c->audit == NULL || c->audit_path == NULL)
		return;
	/* a signal now would find the lock held by this very append */
	finishing = 1;
	(void)sigfillset(&all);
	(void)sigprocmask(SIG_BLOCK, &all, NULL);
	cli_audit_inputs(c); /* a run that ended before cli_finish */
	reason = NULL;
	if (status != 0)
		reason = last_message[0]    ? last_message
			 : failed_checks[0] ? failed_checks
					    : NULL;
	st = prep_audit_finish(c->audit, status, reason, 0);
	if (st == PREP_OK)
		st = prep_audit_json(c->audit, &line);
	if (st == PREP_OK)
		st = prep_audit_append(c->audit_path, line, strlen(line));
	if (st != PREP_OK)
		fprintf(
		    stderr, "%s: %s: the audit record was not written: %s\n",
		    c->prog, c->audit_path,
		    st == PREP_ERR_IO ? strerror(errno) : prep_strerror(st));
	free(line);
	prep_audit_free(c->audit);
	c->audit = NULL;
}

void
cli_audit_start(struct cli *c, const char *path)
{
	const char *run = getenv("PREP_RUN_ID");
	prep_status st;
	size_t i;

	c->audit_path = path;
	if (c->audit != NULL)
		return;
	if ((st = prep_audit_new(c->prog, &c->audit)) != PREP_OK)
		cli_fatal_status(c, st, "audit record");
	if (run != NULL && *run &&
	    prep_audit_set_parent(c->audit, run) != PREP_OK)
		cli_warn(c, "PREP_RUN_ID is not a UUID: the record has no "
			    "parent run");
	arguments(c->audit);
	for (i = 0; i < nearly; i++)
		(void)prep_audit_file_at(c->audit, early[i].option,
					 early[i].path);
	nearly = 0;
	cli_audit_arm(c);
	if (on_exit(at_exit, c) != 0)
		cli_fatal(c, "audit record: %s", strerror(errno));
}

void
cli_audit_inputs(struct cli *c)
{
	unsigned char d[32];
	size_t i, n = c->in_n > 0 ? (size_t)c->in_n : 1, cols;
	uint64_t rows;

	if (c->audit == NULL || c->reader == NULL || c->reader == c->audited)
		return;
	c->audited = c->reader;
	rows = n == 1 ? prep_reader_rows(c->reader) : PREP_AUDIT_UNKNOWN;
	cols = prep_reader_columns(c->reader);
	for (i = 0; i < n; i++)
		(void)prep_audit_input(
		    c->audit, c->in_n > 0 ? c->in_files[i] : "-",
		    prep_reader_sha256(c->reader, i, d) == PREP_OK ? d : NULL,
		    rows, cols);
	cli_audit_arm(c);
}

void
cli_audit_arm(struct cli *c)
{
	static const char *const dash[] = {"-"};
	const char *const *pending = NULL;
	prep_audit_abort *t, *was;
	sigset_t all, old;
	size_t n = 0;

	if (c->audit == NULL)
		return;
	if (c->reader != NULL && c->reader != c->audited) {
		pending = c->in_n > 0 ? (const char *const *)c->in_files : dash;
		n = c->in_n > 0 ? (size_t)c->in_n : 1;
	}
	if (prep_audit_abort_new(c->audit, pending, n, &t) != PREP_OK)
		return; /* the record prepared before stays */
	(void)sigfillset(&all);
	(void)sigprocmask(SIG_BLOCK, &all, &old);
	was = armed;
	armed = t;
	armed_path = c->audit_path;
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	prep_audit_abort_free(was);
}

void
cli_audit_signal(int sig)
{
	const char *line;
	size_t len;

	if (armed == NULL || finishing)
		return;
	line = prep_audit_abort_line(armed, sig, &len);
	if (line != NULL)
		(void)prep_audit_append(armed_path, line, len);
}

void
cli_audit_check(struct cli *c, const char *name, double observed,
		double threshold, int passed)
{
	if (c->audit == NULL)
		return;
	(void)prep_audit_check(c->audit, name, observed, threshold, passed);
	if (passed == 0)
		note_failed(name);
}

void
cli_audit_check_text(struct cli *c, const char *name, const char *observed,
		     const char *threshold, int passed)
{
	if (c->audit == NULL)
		return;
	(void)prep_audit_check_text(c->audit, name, observed, threshold,
				    passed);
	if (passed == 0)
		note_failed(name);
}

void
cli_audit_file(struct cli *c, const char *option, const char *path)
{
	if (c->audit != NULL)
		(void)prep_audit_file_at(c->audit, option, path);
	else if (nearly < EARLY_FILES) {
		early[nearly].option = option;
		early[nearly++].path = path;
	}
}

void
cli_audit_input_file(struct cli *c, const char *path)
{
	if (c->audit != NULL)
		(void)prep_audit_input_at(c->audit, path);
}

void
cli_audit_figure(struct cli *c, const char *name, double v)
{
	cli_audit_check(c, name, v, NAN, -1);
}

int
cli_audit_on(const struct cli *c)
{
	return c->audit != NULL;
}

char *
cli_audit_group(struct cli *c, const char *prefix, size_t i,
		const prep_field *values, size_t n)
{
	size_t len = strlen(prefix) + 24, at, j;
	char *name;

	for (j = 0; c->audit_groups && j < n; j++)
		len += values[j].len + 1;
	if ((name = malloc(len)) == NULL)
		cli_fatal(c, "out of memory");
	at = (size_t)snprintf(name, len, "%s", prefix);
	if (!c->audit_groups) {
		(void)snprintf(name + at, len - at, "#%zu", i + 1);
		return name;
	}
	for (j = 0; j < n; j++) {
		if (j)
			name[at++] = ',';
		memcpy(name + at, values[j].data, values[j].len);
		at += values[j].len;
	}
	name[at] = '\0';
	return name;
}

void
cli_close_input(struct cli *c)
{
	cli_audit_inputs(c);
	prep_reader_free(c->reader);
	c->reader = NULL;
}
