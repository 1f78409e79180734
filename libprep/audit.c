/*
 * audit.c: the audit record of a run and its append to the audit file
 * (audit.h).
 *
 * The builder keeps what the caller adds in plain arrays and makes the
 * JSON only in prep_audit_json, with json.h's helpers, so the keys come
 * out in one fixed order and a failed allocation leaves the record as it
 * was. The record follows OpenLineage 2-0-2's RunEvent and BaseFacet
 * (https://openlineage.io/spec/2-0-2/OpenLineage.json); the UUIDs are
 * RFC 9562's version 4.
 *
 * The append is the ledger's discipline (ledger.c) without its reading:
 * lock, check that the path still names the locked file, append with one
 * write loop, fsync, unlock. It calls no allocator and no stdio, so a
 * signal handler may use it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "audit.h"
#include "digest.h"
#include "json.h"

#define JOB_MAX 64
#define ITEM_COST 128 /* bytes a record counts per item, beside its text */
#define OPEN_TRIES 16 /* rotations met before giving up */

struct dataset {
	char *name;
	char *option; /* a file that shaped the run: the option naming it */
	int has_sha;
	unsigned char sha[32];
	uint64_t rows, columns;
};

struct check {
	char *name;
	int text;		    /* observed and threshold are strings */
	double observed, threshold; /* !text */
	char *obs_text, *thr_text;  /* text; NULL: null */
	int passed;		    /* 1, 0, -1: null */
};

struct prep_audit {
	char job[JOB_MAX + 1];
	char run_id[37];
	char parent[37]; /* "": none */
	struct timespec start;
	char **args;
	size_t nargs, cap_args;
	struct dataset *in, *out, *files;
	size_t nin, cap_in, nout, cap_out, nfiles, cap_files;
	struct check *checks;
	size_t nchecks, cap_checks;
	size_t bytes; /* toward PREP_AUDIT_MAX_BYTES */
	int finished;
	int exit_status, sig;
	char *reason;
	double seconds;
	char event_time[64];
};

static const char hexdigit[] = "0123456789abcdef";

prep_status
prep_audit_uuid4(char out[37])
{
	unsigned char b[16];
	size_t i, j = 0;

	if (RAND_bytes(b, sizeof b) != 1)
		return PREP_ERR_CRYPTO;
	/* RFC 9562 5.4: version 0100 in octet 6, variant 10 in octet 8 */
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	for (i = 0; i < sizeof b; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[j++] = '-';
		out[j++] = hexdigit[b[i] >> 4];
		out[j++] = hexdigit[b[i] & 15];
	}
	out[j] = '\0';
	return PREP_OK;
}

/* RFC 9562 section 4 text form: 8-4-4-4-12 hex digits, either case. */
static int
uuid_text(const char *s)
{
	size_t i;

	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!((s[i] >= '0' && s[i] <= '9') ||
			     (s[i] >= 'a' && s[i] <= 'f') ||
			     (s[i] >= 'A' && s[i] <= 'F'))) {
			return 0;
		}
	}
	return s[36] == '\0';
}

static int
job_name(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++) {
		char c = s[n];

		if (n == JOB_MAX ||
		    !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '+' || c == '-'))
			return 0;
	}
	return n > 0;
}

prep_status
prep_audit_new(const char *job, prep_audit **out)
{
	prep_audit *a;
	prep_status st;

	*out = NULL;
	if (job == NULL || !job_name(job))
		return PREP_ERR_ARG;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return PREP_ERR_NOMEM;
	strcpy(a->job, job); /* at most JOB_MAX bytes: job_name */
	if (clock_gettime(CLOCK_MONOTONIC, &a->start) != 0) {
		free(a);
		return PREP_ERR_IO;
	}
	if ((st = prep_audit_uuid4(a->run_id)) != PREP_OK) {
		free(a);
		return st;
	}
	*out = a;
	return PREP_OK;
}

void
prep_audit_free(prep_audit *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->nargs; i++)
		free(a->args[i]);
	free(a->args);
	for (i = 0; i < a->nin; i++)
		free(a->in[i].name);
	free(a->in);
	for (i = 0; i < a->nout; i++)
		free(a->out[i].name);
	free(a->out);
	for (i = 0; i < a->nfiles; i++) {
		free(a->files[i].name);
		free(a->files[i].option);
	}
	free(a->files);
	for (i = 0; i < a->nchecks; i++) {
		free(a->checks[i].name);
		free(a->checks[i].obs_text);
		free(a->checks[i].thr_text);
	}
	free(a->checks);
	free(a->reason);
	free(a);
}

const char *
prep_audit_run_id(const prep_audit *a)
{
	return a->run_id;
}

prep_status
prep_audit_set_parent(prep_audit *a, const char *uuid)
{
	size_t i;

	if (uuid == NULL || !uuid_text(uuid))
		return PREP_ERR_VALUE;
	for (i = 0; i < 36; i++)
		a->parent[i] = (char)(uuid[i] >= 'A' && uuid[i] <= 'F'
					  ? uuid[i] - 'A' + 'a'
					  : uuid[i]);
	a->parent[36] = '\0';
	return PREP_OK;
}

/*
 * Count an item of n bytes of text against the cap; PREP_ERR_LIMIT past
 * it (nothing counted).
 */
static prep_status
spend_bytes(prep_audit *a, size_t n)
{
	if (n > PREP_AUDIT_MAX_BYTES - ITEM_COST ||
	    a->bytes > PREP_AUDIT_MAX_BYTES - ITEM_COST - n)
		return PREP_ERR_LIMIT;
	a->bytes += ITEM_COST + n;
	return PREP_OK;
}

static void
refund_bytes(prep_audit *a, size_t n)
{
	a->bytes -= ITEM_COST + n;
}

/*
 * Array p (*cap elements of size bytes, used of them taken) with room for
 * one more: p itself, or p moved by realloc, or NULL (out of memory, p
 * as it was). The cap bounds used to PREP_AUDIT_MAX_BYTES / ITEM_COST:
 * the sizes can't overflow.
 */
static void *
grow(void *p, size_t *cap, size_t used, size_t size)
{
	size_t ncap;
	void *q;

	if (used < *cap)
		return p;
	ncap = *cap ? *cap * 2 : 8;
	if ((q = realloc(p, ncap * size)) == NULL)
		return NULL;
	*cap = ncap;
	return q;
}

static size_t
len_or_0(const char *s)
{
	return s ? strlen(s) : 0;
}

prep_status
prep_audit_argument(prep_audit *a, const char *arg)
{
	prep_status st;
	char **args, *copy;

	if (arg == NULL)
		return PREP_ERR_ARG;
	if ((st = spend_bytes(a, strlen(arg))) != PREP_OK)
		return st;
	args = grow(a->args, &a->cap_args, a->nargs, sizeof(*args));
	if (args == NULL) {
		refund_bytes(a, strlen(arg));
		return PREP_ERR_NOMEM;
	}
	a->args = args;
	if ((copy = strdup(arg)) == NULL) {
		refund_bytes(a, strlen(arg));
		return PREP_ERR_NOMEM;
	}
	a->args[a->nargs++] = copy;
	return PREP_OK;
}

static prep_status
add_dataset(prep_audit *a, struct dataset **list, size_t *n, size_t *cap,
	    const char *name, const unsigned char *sha256, uint64_t rows,
	    uint64_t columns)
{
	struct dataset *d;
	prep_status st;
	char *copy;

	if (name == NULL)
		return PREP_ERR_ARG;
	if ((st = spend_bytes(a, strlen(name))) != PREP_OK)
		return st;
	d = grow(*list, cap, *n, sizeof(*d));
	if (d == NULL) {
		refund_bytes(a, strlen(name));
		return PREP_ERR_NOMEM;
	}
	*list = d;
	if ((copy = strdup(name)) == NULL) {
		refund_bytes(a, strlen(name));
		return PREP_ERR_NOMEM;
	}
	d = &(*list)[(*n)++];
	d->name = copy;
	d->option = NULL;
	d->has_sha = sha256 != NULL;
	if (sha256)
		memcpy(d->sha, sha256, sizeof(d->sha));
	d->rows = rows;
	d->columns = columns;
	return PREP_OK;
}

prep_status
prep_audit_input(prep_audit *a, const char *name,
		 const unsigned char sha256[32], uint64_t rows,
		 uint64_t columns)
{
	return add_dataset(a, &a->in, &a->nin, &a->cap_in, name, sha256, rows,
			   columns);
}

prep_status
prep_audit_output(prep_audit *a, const char *name,
		  const unsigned char sha256[32], uint64_t rows,
		  uint64_t columns)
{
	return add_dataset(a, &a->out, &a->nout, &a->cap_out, name, sha256,
			   rows, columns);
}

prep_status
prep_audit_file(prep_audit *a, const char *option, const char *name,
		const unsigned char sha256[32])
{
	char *copy;
	prep_status st;

	if (option == NULL || name == NULL)
		return PREP_ERR_ARG;
	if ((copy = strdup(option)) == NULL)
		return PREP_ERR_NOMEM;
	if ((st = spend_bytes(a, strlen(option))) != PREP_OK) {
		free(copy);
		return st;
	}
	st = add_dataset(a, &a->files, &a->nfiles, &a->cap_files, name, sha256,
			 PREP_AUDIT_UNKNOWN, PREP_AUDIT_UNKNOWN);
	if (st != PREP_OK) {
		refund_bytes(a, strlen(option));
		free(copy);
		return st;
	}
	a->files[a->nfiles - 1].option = copy;
	return PREP_OK;
}

/*
 * The SHA-256 of the file at path into md; 0 when it can't be read or is
 * "-", the standard input, read already.
 */
static int
digest_file(const char *path, unsigned char md[32])
{
	unsigned char buf[65536];
	prep_digest *d = NULL;
	FILE *f = path && strcmp(path, "-") != 0 ? fopen(path, "rb") : NULL;
	int ok = f != NULL && prep_digest_new(&d) == PREP_OK;
	size_t n;

	while (ok && (n = fread(buf, 1, sizeof buf, f)) > 0)
		ok = prep_digest_update(d, buf, n) == PREP_OK;
	ok = ok && !ferror(f) && prep_digest_final(d, md) == PREP_OK;
	if (f != NULL)
		(void)fclose(f); /* read only */
	prep_digest_free(d);
	return ok;
}

prep_status
prep_audit_file_at(prep_audit *a, const char *option, const char *path)
{
	unsigned char md[32];

	return prep_audit_file(a, option, path,
			       digest_file(path, md) ? md : NULL);
}

prep_status
prep_audit_input_at(prep_audit *a, const char *path)
{
	unsigned char md[32];

	return prep_audit_input(a, path, digest_file(path, md) ? md : NULL,
				PREP_AUDIT_UNKNOWN, PREP_AUDIT_UNKNOWN);
}

/* What a caller gives for a check: its strings are copied. */
struct check_spec {
	const char *name;
	int text;
	double observed, threshold;
	const char *obs_text, *thr_text;
	int passed;
};

static prep_status
add_check(prep_audit *a, const struct check_spec *c)
{
	size_t n =
	    strlen(c->name) + len_or_0(c->obs_text) + len_or_0(c->thr_text);
	struct check *d;
	prep_status st;
	char *name, *obs = NULL, *thr = NULL;

	if (c->passed < -1 || c->passed > 1)
		return PREP_ERR_ARG;
	if ((st = spend_bytes(a, n)) != PREP_OK)
		return st;
	d = grow(a->checks, &a->cap_checks, a->nchecks, sizeof(*d));
	if (d == NULL) {
		refund_bytes(a, n);
		return PREP_ERR_NOMEM;
	}
	a->checks = d;
	name = strdup(c->name);
	if (c->obs_text)
		obs = strdup(c->obs_text);
	if (c->thr_text)
		thr = strdup(c->thr_text);
	if (name == NULL || (c->obs_text && obs == NULL) ||
	    (c->thr_text && thr == NULL)) {
		free(name);
		free(obs);
		free(thr);
		refund_bytes(a, n);
		return PREP_ERR_NOMEM;
	}
	d = &a->checks[a->nchecks++];
	d->name = name;
	d->text = c->text;
	d->observed = c->observed;
	d->threshold = c->threshold;
	d->obs_text = obs;
	d->thr_text = thr;
	d->passed = c->passed;
	return PREP_OK;
}

prep_status
prep_audit_check(prep_audit *a, const char *name, double observed,
		 double threshold, int passed)
{
	struct check_spec c = {0};

	if (name == NULL)
		return PREP_ERR_ARG;
	c.name = name;
	c.observed = observed;
	c.threshold = threshold;
	c.passed = passed;
	return add_check(a, &c);
}

prep_status
prep_audit_check_text(prep_audit *a, const char *name, const char *observed,
		      const char *threshold, int passed)
{
	struct check_spec c = {0};

	if (name == NULL)
		return PREP_ERR_ARG;
	c.name = name;
	c.text = 1;
	c.obs_text = observed;
	c.thr_text = threshold;
	c.passed = passed;
	return add_check(a, &c);
}

prep_status
prep_audit_finish(prep_audit *a, int exit_status, const char *reason, int sig)
{
	struct timespec now, wall;
	struct tm tm;
	char sigtext[32], *copy = NULL;
	double s;

	if (clock_gettime(CLOCK_MONOTONIC, &now) != 0 ||
	    clock_gettime(CLOCK_REALTIME, &wall) != 0)
		return PREP_ERR_IO;
	if (gmtime_r(&wall.tv_sec, &tm) == NULL) {
		errno = EOVERFLOW;
		return PREP_ERR_IO;
	}
	if (reason == NULL && sig != 0) {
		snprintf(sigtext, sizeof(sigtext), "signal %d", sig);
		reason = sigtext;
	}
	if (reason && (copy = strdup(reason)) == NULL)
		return PREP_ERR_NOMEM;
	free(a->reason);
	a->reason = copy;
	a->exit_status = exit_status;
	a->sig = sig;
	s = (double)(now.tv_sec - a->start.tv_sec) +
	    (double)(now.tv_nsec - a->start.tv_nsec) / 1e9;
	a->seconds = s > 0 ? round(s * 1e6) / 1e6 : 0;
	/* a year of 4 digits until 9999; the buffer holds any int year */
	snprintf(a->event_time, sizeof(a->event_time),
		 "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 wall.tv_nsec / 1000000);
	a->finished = 1;
	return PREP_OK;
}

/* A C string as JSON (invalid UTF-8 replaced); NULL: null. */
static json_t *
text(const char *s)
{
	return s ? prep_json_string(s, strlen(s)) : json_null();
}

/* A count by the rule for numbers; PREP_AUDIT_UNKNOWN: null. */
static json_t *
count(uint64_t v)
{
	return v == PREP_AUDIT_UNKNOWN ? json_null()
				       : prep_json_number((double)v);
}

/* A check's number: JSON has no infinities, so they are strings. */
static json_t *
check_number(double v)
{
	if (isinf(v))
		return json_string(v > 0 ? "inf" : "-inf");
	return prep_json_number(v);
}

/* A facet: the two fields of OpenLineage's BaseFacet first. */
static json_t *
facet(const char *schema_url, int *ok)
{
	json_t *f = json_object();

	prep_json_set(f, "_producer", json_string(PREP_AUDIT_PRODUCER), ok);
	prep_json_set(f, "_schemaURL", json_string(schema_url), ok);
	return f;
}

/* A dataset's SHA-256 as lowercase hex, or null. */
static json_t *
sha_hex(const struct dataset *d)
{
	char hex[65];
	size_t k;

	if (!d->has_sha)
		return json_null();
	for (k = 0; k < 32; k++) {
		hex[2 * k] = hexdigit[d->sha[k] >> 4];
		hex[2 * k + 1] = hexdigit[d->sha[k] & 15];
	}
	hex[64] = '\0';
	return json_string(hex);
}

/* The files that shaped the run, each {option, name, sha256}. */
static json_t *
files(const prep_audit *a, int *ok)
{
	json_t *list = json_array(), *o;
	size_t i;

	for (i = 0; i < a->nfiles; i++) {
		o = json_object();
		prep_json_set(o, "option", text(a->files[i].option), ok);
		prep_json_set(o, "name", text(a->files[i].name), ok);
		prep_json_set(o, "sha256", sha_hex(&a->files[i]), ok);
		prep_json_append(list, o, ok);
	}
	if (list == NULL)
		*ok = 0;
	return list;
}

static json_t *
datasets(const struct dataset *d, size_t n, int *ok)
{
	json_t *list = json_array(), *o, *facets, *f;
	size_t i;

	for (i = 0; i < n; i++) {
		o = json_object();
		prep_json_set(o, "namespace", json_string("file"), ok);
		prep_json_set(o, "name", text(d[i].name), ok);
		f = facet(PREP_AUDIT_RECORD_SCHEMA "#/$defs/PrepDatasetFacet",
			  ok);
		prep_json_set(f, "sha256", sha_hex(&d[i]), ok);
		prep_json_set(f, "rows", count(d[i].rows), ok);
		prep_json_set(f, "columns", count(d[i].columns), ok);
		facets = json_object();
		prep_json_set(facets, "prep_dataset", f, ok);
		prep_json_set(o, "facets", facets, ok);
		prep_json_append(list, o, ok);
	}
	if (list == NULL)
		*ok = 0;
	return list;
}

static json_t *
checks(const prep_audit *a, int *ok)
{
	json_t *list = json_array(), *o;
	const struct check *c;
	size_t i;

	for (i = 0; i < a->nchecks; i++) {
		c = &a->checks[i];
		o = json_object();
		prep_json_set(o, "name", text(c->name), ok);
		prep_json_set(o, "observed",
			      c->text ? text(c->obs_text)
				      : check_number(c->observed),
			      ok);
		prep_json_set(o, "threshold",
			      c->text ? text(c->thr_text)
				      : check_number(c->threshold),
			      ok);
		prep_json_set(
		    o, "passed",
		    c->passed < 0 ? json_null() : json_boolean(c->passed), ok);
		prep_json_append(list, o, ok);
	}
	if (list == NULL)
		*ok = 0;
	return list;
}

static json_t *
prep_facet(const prep_audit *a, int *ok)
{
	json_t *f = facet(PREP_AUDIT_RECORD_SCHEMA "#/$defs/PrepRunFacet", ok);
	json_t *args = json_array();
	size_t i;

	for (i = 0; i < a->nargs; i++)
		prep_json_append(args, text(a->args[i]), ok);
	if (args == NULL)
		*ok = 0;
	prep_json_set(f, "version", json_string(PREP_VERSION), ok);
	prep_json_set(f, "arguments", args, ok);
	if (a->nfiles > 0)
		prep_json_set(f, "files", files(a, ok), ok);
	prep_json_set(f, "exit_status", json_integer(a->exit_status), ok);
	prep_json_set(f, "reason", text(a->reason), ok);
	prep_json_set(f, "seconds", prep_json_number(a->seconds), ok);
	prep_json_set(f, "checks", checks(a, ok), ok);
	return f;
}

static json_t *
parent_facet(const prep_audit *a, int *ok)
{
	json_t *f = facet(PREP_AUDIT_PARENT_SCHEMA_URL, ok);
	json_t *run = json_object(), *job = json_object();

	prep_json_set(run, "runId", json_string(a->parent), ok);
	prep_json_set(job, "namespace", json_string("prep"), ok);
	prep_json_set(job, "name", json_string("pipeline"), ok);
	prep_json_set(f, "run", run, ok);
	prep_json_set(f, "job", job, ok);
	return f;
}

/*
 * The record as a line: the run's end as given (time, exit status, reason,
 * seconds), then after a's inputs the pending ones, with nothing known of
 * them but their names.
 */
static prep_status
render(const prep_audit *a, const char *type, const char *time,
       const char *const *pending, size_t npending, char **line)
{
	json_t *o, *run, *facets, *job, *in;
	struct dataset d;
	size_t i;
	int ok = 1;

	o = json_object();
	prep_json_set(o, "eventType", json_string(type), &ok);
	prep_json_set(o, "eventTime", json_string(time), &ok);
	run = json_object();
	prep_json_set(run, "runId", json_string(a->run_id), &ok);
	facets = json_object();
	if (a->parent[0])
		prep_json_set(facets, "parent", parent_facet(a, &ok), &ok);
	prep_json_set(facets, "prep", prep_facet(a, &ok), &ok);
	prep_json_set(run, "facets", facets, &ok);
	prep_json_set(o, "run", run, &ok);
	job = json_object();
	prep_json_set(job, "namespace", json_string("prep"), &ok);
	prep_json_set(job, "name", json_string(a->job), &ok);
	prep_json_set(o, "job", job, &ok);
	in = datasets(a->in, a->nin, &ok);
	memset(&d, 0, sizeof d);
	d.rows = d.columns = PREP_AUDIT_UNKNOWN;
	for (i = 0; i < npending && ok; i++) {
		json_t *one;

		d.name = (char *)pending[i];
		one = datasets(&d, 1, &ok);
		if (json_array_extend(in, one) != 0)
			ok = 0;
		json_decref(one);
	}
	prep_json_set(o, "inputs", in, &ok);
	prep_json_set(o, "outputs", datasets(a->out, a->nout, &ok), &ok);
	prep_json_set(o, "producer", json_string(PREP_AUDIT_PRODUCER), &ok);
	prep_json_set(o, "schemaURL", json_string(PREP_AUDIT_SCHEMA_URL), &ok);
	return prep_json_text(o, ok, line);
}

prep_status
prep_audit_json(const prep_audit *a, char **line)
{
	*line = NULL;
	if (!a->finished)
		return PREP_ERR_ARG;
	return render(a,
		      a->sig != 0	    ? "ABORT"
		      : a->exit_status == 0 ? "COMPLETE"
					    : "FAIL",
		      a->event_time, NULL, 0, line);
}

/*
 * The abort line is the record rendered with an empty eventTime, exit
 * status 0, reason null and seconds 0, cut where those values go: a key
 * of the record can't occur elsewhere in its text, since every string in
 * it has its quotes escaped.
 */
struct prep_audit_abort {
	char *tmpl;	     /* the rendered record */
	size_t len;	     /* its length */
	size_t at_time;	     /* where eventTime's value goes */
	size_t at_status;    /* where exit_status's value goes */
	size_t after_status; /* the rest after seconds: ,"checks":... */
	struct timespec start;
	char *buf; /* the line made: len + ABORT_EXTRA bytes */
};

#define ABORT_EXTRA 128
#define AT_TIME "\"eventTime\":\""
#define AT_STATUS "\"exit_status\":"
#define TMPL_STATUS AT_STATUS "0,\"reason\":null,\"seconds\":0"

prep_status
prep_audit_abort_new(const prep_audit *a, const char *const *pending,
		     size_t npending, prep_audit_abort **out)
{
	prep_audit_abort *t;
	const char *p, *q;
	prep_status st;

	*out = NULL;
	t = calloc(1, sizeof *t);
	if (t == NULL)
		return PREP_ERR_NOMEM;
	st = render(a, "ABORT", "", pending, npending, &t->tmpl);
	if (st != PREP_OK) {
		free(t);
		return st;
	}
	t->len = strlen(t->tmpl);
	p = strstr(t->tmpl, AT_TIME);
	q = strstr(t->tmpl, TMPL_STATUS);
	t->buf = malloc(t->len + ABORT_EXTRA);
	if (p == NULL || q == NULL || t->buf == NULL) {
		prep_audit_abort_free(t);
		return p == NULL || q == NULL ? PREP_ERR_ARG : PREP_ERR_NOMEM;
	}
	t->at_time = (size_t)(p - t->tmpl) + strlen(AT_TIME);
	t->at_status = (size_t)(q - t->tmpl) + strlen(AT_STATUS);
	t->after_status = (size_t)(q - t->tmpl) + strlen(TMPL_STATUS);
	t->start = a->start;
	*out = t;
	return PREP_OK;
}

void
prep_audit_abort_free(prep_audit_abort *t)
{
	if (t == NULL)
		return;
	free(t->tmpl);
	free(t->buf);
	free(t);
}

/* v in decimal, at least width digits, at p; the end. */
static char *
put_decimal(char *p, unsigned long long v, int width)
{
	char d[24];
	int n = 0;

	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0 || n < width);
	while (n > 0)
		*p++ = d[--n];
	return p;
}

static char *
put_text(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/*
 * The UTC date of a count of days since 1970-01-01: Howard Hinnant's
 * civil_from_days ("chrono-Compatible Low-Level Date Algorithms",
 * http://howardhinnant.github.io/date_algorithms.html), for days >= 0.
 */
static void
civil_from_days(long long z, long long *y, unsigned *m, unsigned *d)
{
	long long era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = z / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (long long)yoe + era * 400 + (*m <= 2);
}

const char *
prep_audit_abort_line(prep_audit_abort *t, int sig, size_t *len)
{
	struct timespec now, wall;
	long long y, days, secs, us;
	unsigned mo, d;
	char *p;
	int k;

	*len = 0;
	if (t == NULL || sig <= 0 || sig > 999 ||
	    clock_gettime(CLOCK_MONOTONIC, &now) != 0 ||
	    clock_gettime(CLOCK_REALTIME, &wall) != 0 || wall.tv_sec < 0)
		return NULL;
	p = put_text(t->buf, t->tmpl, t->at_time);
	days = wall.tv_sec / 86400;
	secs = wall.tv_sec % 86400;
	civil_from_days(days, &y, &mo, &d);
	if (y > 9999)
		return NULL;
	p = put_decimal(p, (unsigned long long)y, 4);
	*p++ = '-';
	p = put_decimal(p, mo, 2);
	*p++ = '-';
	p = put_decimal(p, d, 2);
	*p++ = 'T';
	p = put_decimal(p, (unsigned long long)(secs / 3600), 2);
	*p++ = ':';
	p = put_decimal(p, (unsigned long long)(secs / 60 % 60), 2);
	*p++ = ':';
	p = put_decimal(p, (unsigned long long)(secs % 60), 2);
	*p++ = '.';
	p = put_decimal(p, (unsigned long long)(wall.tv_nsec / 1000000), 3);
	*p++ = 'Z';
	p = put_text(p, t->tmpl + t->at_time, t->at_status - t->at_time);
	p = put_decimal(p, 128 + (unsigned)sig, 1);
	p = put_text(p, ",\"reason\":\"signal ", 18);
	p = put_decimal(p, (unsigned)sig, 1);
	p = put_text(p, "\",\"seconds\":", 12);
	/* seconds rounded to microseconds, as prep_audit_finish has them */
	us = ((long long)now.tv_sec - t->start.tv_sec) * 1000000 +
	     (now.tv_nsec - t->start.tv_nsec + 500) / 1000;
	if (us < 0)
		us = 0;
	p = put_decimal(p, (unsigned long long)(us / 1000000), 1);
	if (us % 1000000) {
		char frac[6];

		*p++ = '.';
		(void)put_decimal(frac, (unsigned long long)(us % 1000000), 6);
		for (k = 6; frac[k - 1] == '0'; k--)
			;
		p = put_text(p, frac, (size_t)k);
	}
	p = put_text(p, t->tmpl + t->after_status, t->len - t->after_status);
	*len = (size_t)(p - t->buf);
	return t->buf;
}

/*
 * The append. Every function below makes system calls only: no malloc,
 * no stdio, errno kept for the caller.
 */

/* A failed open(2) of path as a status: what is at path is not a file. */
static prep_status
open_failed(const char *path)
{
	struct stat sb;
	int e = errno;

	if (e == EISDIR || e == ENXIO ||
	    (e == ELOOP && lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode))) {
		errno = e;
		return PREP_ERR_NOT_REGULAR;
	}
	errno = e;
	return PREP_ERR_IO;
}

/*
 * Open path for appending: -1 and errno on failure, with *again set when
 * the file went away between the two opens. O_EXCL first, to know whether
 * this call made the file; O_NONBLOCK so that a FIFO is never waited on
 * (it is refused after fstat), no effect on a regular file.
 */
static int
open_append(const char *path, int *created, int *readable, int *again)
{
	const int flags =
	    O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK;
	int fd;

	*created = *again = 0;
	*readable = 1;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | flags, 0600);
	if (fd >= 0) {
		*created = 1;
		return fd;
	}
	if (errno != EEXIST)
		return -1;
	fd = open(path, O_RDWR | flags);
	if (fd < 0 && errno == EACCES) {
		*readable = 0;
		fd = open(path, O_WRONLY | flags);
	}
	*again = fd < 0 && errno == ENOENT;
	return fd;
}

/* Write p[0..n) whatever the short writes and interruptions: 0 or -1. */
static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* fsync the directory of path (a new file's name), when it can be. */
static int
sync_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n;
	int fd, r, e;

	if (slash == NULL) {
		strcpy(dir, ".");
	} else {
		n = slash == path ? 1 : (size_t)(slash - path);
		if (n >= sizeof(dir))
			return 0; /* open(path) could not have worked */
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = fsync(fd);
	e = errno;
	close(fd);
	/* some file systems can't sync a directory: nothing more to do */
	if (r != 0 && e != EINVAL && e != EROFS) {
		errno = e;
		return -1;
	}
	return 0;
}

/* Under the lock: the newline a torn last line needs, the line, fsync. */
static prep_status
append_locked(int fd, int readable, const char *line, size_t len)
{
	struct stat sb;
	ssize_t n;
	char last = '\n';
	int e;

	if (fstat(fd, &sb) != 0)
		return PREP_ERR_IO;
	if (readable && sb.st_size > 0) {
		do
			n = pread(fd, &last, 1, sb.st_size - 1);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return PREP_ERR_IO;
	}
	if ((last != '\n' && write_all(fd, "\n", 1) != 0) ||
	    write_all(fd, line, len) != 0) {
		/* cut back what was written, so no fragment is left */
		e = errno;
		if (ftruncate(fd, sb.st_size) == 0)
			(void)fsync(fd);
		errno = e;
		return PREP_ERR_IO;
	}
	return fsync(fd) == 0 ? PREP_OK : PREP_ERR_IO;
}

prep_status
prep_audit_append(const char *path, const char *line, size_t len)
{
	struct stat a, b;
	prep_status st;
	int fd, tries, created, readable, again, r, e;

	if (path == NULL || *path == '\0' || line == NULL || len == 0 ||
	    line[len - 1] != '\n' || memchr(line, '\n', len - 1) != NULL)
		return PREP_ERR_ARG;
	for (tries = 0; tries < OPEN_TRIES; tries++) {
		fd = open_append(path, &created, &readable, &again);
		if (again)
			continue; /* removed between the two opens */
		if (fd < 0)
			return open_failed(path);
		if (fstat(fd, &a) != 0)
			goto fail;
		if (!S_ISREG(a.st_mode)) {
			close(fd);
			return PREP_ERR_NOT_REGULAR;
		}
		while (flock(fd, LOCK_EX) != 0)
			if (errno != EINTR)
				goto fail;
		/* the name may have moved on while we waited for the lock */
		r = lstat(path, &b);
		if (r != 0 && errno != ENOENT)
			goto fail;
		if (r != 0 || b.st_dev != a.st_dev || b.st_ino != a.st_ino) {
			close(fd); /* rotated or removed: the file there now */
			continue;
		}
		st = append_locked(fd, readable, line, len);
		if (st == PREP_OK && created && sync_dir(path) != 0)
			st = PREP_ERR_IO;
		e = errno;
		if (flock(fd, LOCK_UN) != 0 && st == PREP_OK) {
			st = PREP_ERR_IO;
			e = errno;
		}
		if (close(fd) != 0 && st == PREP_OK) {
			st = PREP_ERR_IO;
			e = errno;
		}
		errno = e;
		return st;
	}
	errno = EAGAIN;
	return PREP_ERR_IO;
fail:
	e = errno;
	close(fd);
	errno = e;
	return PREP_ERR_IO;
}
