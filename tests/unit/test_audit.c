/*
 * test_audit.c: unit tests of libprep/audit.c.
 *
 * The record is compared with a line written out by hand, its three
 * values that change from run to run (runId, eventTime, seconds) masked
 * and checked apart, and parsed back with jansson field by field. SHA-256
 * digests are the FIPS 180-2 examples ("abc") and the digest of no bytes.
 * The append tests work in a fresh mkdtemp directory: the file's bytes
 * after each append are written out by hand; the concurrency test forks
 * 8 writers of 200 records each, of lengths up to 64 KiB, released
 * together, and finds every record once, whole.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "audit.h"

#define PRODUCER "https://example.invalid/prep/" PREP_VERSION
#define RECORD_SCHEMA                                                          \
	"https://example.invalid/prep/spec/1-0-0/prep-audit.schema.json"
#define RUN_EVENT                                                              \
	"https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
#define PARENT_SCHEMA                                                          \
	"https://openlineage.io/spec/facets/1-0-1/ParentRunFacet.json"         \
	"#/$defs/ParentRunFacet"

/* SHA-256("abc") (FIPS 180-2, appendix B.1) and SHA-256 of no bytes. */
static const unsigned char sha_abc[32] = {
    0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
    0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
    0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
static const unsigned char sha_empty[32] = {
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4,
    0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b,
    0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55};

static char dir[256];

static void
setup(void)
{
	const char *tmp = getenv("TMPDIR");

	if (tmp == NULL || *tmp == '\0' || strlen(tmp) > 200)
		tmp = "/tmp";
	snprintf(dir, sizeof(dir), "%s/test_audit.XXXXXX", tmp);
	cr_assert_not_null(mkdtemp(dir));
}

static void
teardown(void)
{
	char p[512];
	struct dirent *d;
	DIR *dp = opendir(dir);

	if (dp == NULL)
		return;
	while ((d = readdir(dp)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, d->d_name);
		if (unlink(p) != 0)
			rmdir(p);
	}
	closedir(dp);
	rmdir(dir);
}

TestSuite(audit, .init = setup, .fini = teardown);

/* dir/name, in one of a few rotating static buffers. */
static const char *
path_of(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

/* The whole file (NUL-terminated) and its length in *len. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *s;
	long n;

	cr_assert_not_null(fp, "%s: %s", path, strerror(errno));
	cr_assert_eq(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	cr_assert_geq(n, 0);
	rewind(fp);
	s = malloc((size_t)n + 1);
	cr_assert_not_null(s);
	cr_assert_eq(fread(s, 1, (size_t)n, fp), (size_t)n);
	s[n] = '\0';
	fclose(fp);
	if (len)
		*len = (size_t)n;
	return s;
}

static void
spit(const char *path, const char *s)
{
	FILE *fp = fopen(path, "wb");

	cr_assert_not_null(fp);
	cr_assert_eq(fwrite(s, 1, strlen(s), fp), strlen(s));
	cr_assert_eq(fclose(fp), 0);
}

static char *
record(const prep_audit *a)
{
	char *line;

	cr_assert_eq(prep_audit_json(a, &line), PREP_OK);
	return line;
}

static json_t *
parse(const char *line)
{
	json_error_t je;
	json_t *j = json_loads(line, JSON_REJECT_DUPLICATES, &je);

	cr_assert_not_null(j, "not JSON: %s", je.text);
	return j;
}

/*
 * Replace the first value of "key": in line (a string without escapes or
 * a bare token) with @; its text into val (n bytes).
 */
static void
mask(char *line, const char *key, char *val, size_t n)
{
	char pat[64], *p, *end;
	size_t len;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(line, pat);
	cr_assert_not_null(p, "no %s", key);
	p += strlen(pat);
	if (*p == '"')
		end = strchr(p + 1, '"') + 1;
	else
		end = p + strcspn(p, ",}");
	len = (size_t)(end - p);
	cr_assert_lt(len, n);
	memcpy(val, p, len);
	val[len] = '\0';
	*p = '@';
	memmove(p + 1, end, strlen(end) + 1);
}

/* 8-4-4-4-12 lowercase hex, version 4, variant 10 (RFC 9562 5.4). */
static int
is_uuid4(const char *s)
{
	size_t i;

	if (strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!strchr("0123456789abcdef", s[i]) || s[i] == '\0') {
			return 0;
		}
	}
	return s[14] == '4' && strchr("89ab", s[19]) != NULL;
}

/* "YYYY-MM-DDTHH:MM:SS.mmmZ", a time between lo and hi (seconds). */
static void
assert_event_time(const char *s, time_t lo, time_t hi)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
	struct tm tm = {0};
	size_t i;
	time_t t;

	cr_assert_eq(strlen(s), strlen(shape), "eventTime %s", s);
	for (i = 0; shape[i]; i++)
		if (shape[i] == 'd')
			cr_assert(s[i] >= '0' && s[i] <= '9', "eventTime %s",
				  s);
		else
			cr_assert_eq(s[i], shape[i], "eventTime %s", s);
	cr_assert_eq(sscanf(s, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon,
			    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec),
		     6);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	cr_assert(t >= lo && t <= hi, "eventTime %s not in [%lld, %lld]", s,
		  (long long)lo, (long long)hi);
}

/* The wall clock's seconds as the record reads them (time(2) may lag). */
static time_t
now(void)
{
	struct timespec ts;

	cr_assert_eq(clock_gettime(CLOCK_REALTIME, &ts), 0);
	return ts.tv_sec;
}

static const char *
str_at(json_t *o, const char *path)
{
	json_t *j = json_object_get(o, path);

	cr_assert(json_is_string(j), "%s is not a string", path);
	return json_string_value(j);
}

Test(audit, record_written_out_by_hand)
{
	prep_audit *a;
	time_t lo, hi;
	char *line, run_id[64], event_time[64], seconds[64];
	double s;
	const char *want =
	    "{\"eventType\":\"FAIL\",\"eventTime\":@,"
	    "\"run\":{\"runId\":@,\"facets\":{"
	    "\"prep\":{\"_producer\":\"" PRODUCER "\","
	    "\"_schemaURL\":\"" RECORD_SCHEMA "#/$defs/PrepRunFacet\","
	    "\"version\":\"" PREP_VERSION "\","
	    "\"arguments\":[\"-q\",\"age,zip\",\"-k\",\"5\",\"people.csv\"],"
	    "\"exit_status\":1,\"reason\":\"k-anonymity not met\","
	    "\"seconds\":@,\"checks\":["
	    "{\"name\":\"k\",\"observed\":3,\"threshold\":5,"
	    "\"passed\":false},"
	    "{\"name\":\"suppressed\",\"observed\":0.05,\"threshold\":0.1,"
	    "\"passed\":true},"
	    "{\"name\":\"l\",\"observed\":null,\"threshold\":2,"
	    "\"passed\":null},"
	    "{\"name\":\"ratio\",\"observed\":\"inf\",\"threshold\":\"-inf\","
	    "\"passed\":true},"
	    "{\"name\":\"ldiv\",\"observed\":\"entropy\",\"threshold\":null,"
	    "\"passed\":null}]}}},"
	    "\"job\":{\"namespace\":\"prep\",\"name\":\"kcheck\"},"
	    "\"inputs\":["
	    "{\"namespace\":\"file\",\"name\":\"people.csv\",\"facets\":{"
	    "\"prep_dataset\":{\"_producer\":\"" PRODUCER "\","
	    "\"_schemaURL\":\"" RECORD_SCHEMA "#/$defs/PrepDatasetFacet\","
	    "\"sha256\":\"ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad\","
	    "\"rows\":100,\"columns\":7}}},"
	    "{\"namespace\":\"file\",\"name\":\"-\",\"facets\":{"
	    "\"prep_dataset\":{\"_producer\":\"" PRODUCER "\","
	    "\"_schemaURL\":\"" RECORD_SCHEMA "#/$defs/PrepDatasetFacet\","
	    "\"sha256\":null,\"rows\":null,\"columns\":null}}}],"
	    "\"outputs\":["
	    "{\"namespace\":\"file\",\"name\":\"out.csv\",\"facets\":{"
	    "\"prep_dataset\":{\"_producer\":\"" PRODUCER "\","
	    "\"_schemaURL\":\"" RECORD_SCHEMA "#/$defs/PrepDatasetFacet\","
	    "\"sha256\":\"e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855\","
	    "\"rows\":0,\"columns\":9007199254740991}}}],"
	    "\"producer\":\"" PRODUCER "\","
	    "\"schemaURL\":\"" RUN_EVENT "\"}\n";

	lo = now();
	cr_assert_eq(prep_audit_new("kcheck", &a), PREP_OK);
	cr_assert_eq(prep_audit_argument(a, "-q"), PREP_OK);
	cr_assert_eq(prep_audit_argument(a, "age,zip"), PREP_OK);
	cr_assert_eq(prep_audit_argument(a, "-k"), PREP_OK);
	cr_assert_eq(prep_audit_argument(a, "5"), PREP_OK);
	cr_assert_eq(prep_audit_argument(a, "people.csv"), PREP_OK);
	cr_assert_eq(prep_audit_input(a, "people.csv", sha_abc, 100, 7),
		     PREP_OK);
	cr_assert_eq(prep_audit_input(a, "-", NULL, PREP_AUDIT_UNKNOWN,
				      PREP_AUDIT_UNKNOWN),
		     PREP_OK);
	/* 2^53 - 1: the largest count written as an integer */
	cr_assert_eq(
	    prep_audit_output(a, "out.csv", sha_empty, 0, 9007199254740991ULL),
	    PREP_OK);
	cr_assert_eq(prep_audit_check(a, "k", 3, 5, 0), PREP_OK);
	cr_assert_eq(prep_audit_check(a, "suppressed", 0.05, 0.1, 1), PREP_OK);
	cr_assert_eq(prep_audit_check(a, "l", NAN, 2, -1), PREP_OK);
	cr_assert_eq(prep_audit_check(a, "ratio", INFINITY, -INFINITY, 1),
		     PREP_OK);
	cr_assert_eq(prep_audit_check_text(a, "ldiv", "entropy", NULL, -1),
		     PREP_OK);
	cr_assert_eq(prep_audit_finish(a, 1, "k-anonymity not met", 0),
		     PREP_OK);
	hi = now();
	line = record(a);
	mask(line, "eventTime", event_time, sizeof(event_time));
	mask(line, "runId", run_id, sizeof(run_id));
	mask(line, "seconds", seconds, sizeof(seconds));
	cr_assert_str_eq(line, want);

	/* the masked values: "…" strings, a UUID v4, a small number */
	cr_assert_eq(event_time[0], '"');
	event_time[strlen(event_time) - 1] = '\0';
	assert_event_time(event_time + 1, lo, hi);
	cr_assert_eq(run_id[0], '"');
	run_id[strlen(run_id) - 1] = '\0';
	cr_assert(is_uuid4(run_id + 1), "runId %s", run_id + 1);
	cr_assert_str_eq(run_id + 1, prep_audit_run_id(a));
	s = strtod(seconds, NULL);
	cr_assert(s >= 0 && s < 10, "seconds %s", seconds);
	free(line);
	prep_audit_free(a);
}

Test(audit, fields_parsed_back)
{
	prep_audit *a;
	json_t *j, *prep, *in, *f, *c;
	char *line;

	cr_assert_eq(prep_audit_new("validate", &a), PREP_OK);
	cr_assert_eq(prep_audit_argument(a, "--schema"), PREP_OK);
	cr_assert_eq(prep_audit_argument(a, "s\xc3\xa9.json"), PREP_OK);
	/* invalid UTF-8: each bad byte becomes U+FFFD */
	cr_assert_eq(prep_audit_argument(a, "a\xff"
					    "b"),
		     PREP_OK);
	cr_assert_eq(prep_audit_argument(a, ""), PREP_OK);
	cr_assert_eq(prep_audit_input(a, "in \"q\".csv", sha_abc, 3, 2),
		     PREP_OK);
	cr_assert_eq(prep_audit_check(a, "errors", 12, 0, 0), PREP_OK);
	cr_assert_eq(prep_audit_finish(a, 0, NULL, 0), PREP_OK);
	line = record(a);
	cr_assert_eq(line[strlen(line) - 1], '\n');
	cr_assert_eq(strchr(line, '\n'), line + strlen(line) - 1,
		     "a newline inside the line");
	j = parse(line);
	cr_assert_eq(json_object_size(j), 8);
	cr_assert_str_eq(str_at(j, "eventType"), "COMPLETE");
	cr_assert_str_eq(str_at(j, "producer"), PRODUCER);
	cr_assert_str_eq(str_at(j, "schemaURL"), RUN_EVENT);
	cr_assert_str_eq(str_at(json_object_get(j, "job"), "namespace"),
			 "prep");
	cr_assert_str_eq(str_at(json_object_get(j, "job"), "name"), "validate");
	cr_assert_eq(json_array_size(json_object_get(j, "outputs")), 0);
	f = json_object_get(json_object_get(j, "run"), "facets");
	cr_assert_eq(json_object_size(f), 1); /* no parent */
	prep = json_object_get(f, "prep");
	cr_assert_eq(json_object_size(prep), 8);
	cr_assert_str_eq(str_at(prep, "_producer"), PRODUCER);
	cr_assert_str_eq(str_at(prep, "version"), PREP_VERSION);
	cr_assert_eq(json_array_size(json_object_get(prep, "arguments")), 4);
	cr_assert_str_eq(json_string_value(json_array_get(
			     json_object_get(prep, "arguments"), 1)),
			 "s\xc3\xa9.json");
	cr_assert_str_eq(json_string_value(json_array_get(
			     json_object_get(prep, "arguments"), 2)),
			 "a\xef\xbf\xbd"
			 "b");
	cr_assert_str_eq(json_string_value(json_array_get(
			     json_object_get(prep, "arguments"), 3)),
			 "");
	cr_assert(json_is_integer(json_object_get(prep, "exit_status")));
	cr_assert_eq(json_integer_value(json_object_get(prep, "exit_status")),
		     0);
	cr_assert(json_is_null(json_object_get(prep, "reason")));
	cr_assert(json_is_number(json_object_get(prep, "seconds")));
	c = json_array_get(json_object_get(prep, "checks"), 0);
	cr_assert_eq(json_object_size(c), 4);
	cr_assert_str_eq(str_at(c, "name"), "errors");
	cr_assert_eq(json_integer_value(json_object_get(c, "observed")), 12);
	cr_assert_eq(json_integer_value(json_object_get(c, "threshold")), 0);
	cr_assert(json_is_false(json_object_get(c, "passed")));
	in = json_array_get(json_object_get(j, "inputs"), 0);
	cr_assert_eq(json_object_size(in), 3);
	cr_assert_str_eq(str_at(in, "namespace"), "file");
	cr_assert_str_eq(str_at(in, "name"), "in \"q\".csv");
	f = json_object_get(json_object_get(in, "facets"), "prep_dataset");
	cr_assert_eq(json_object_size(f), 5);
	cr_assert_str_eq(str_at(f, "sha256"),
			 "ba7816bf8f01cfea414140de5dae2223"
			 "b00361a396177a9cb410ff61f20015ad");
	cr_assert_eq(json_integer_value(json_object_get(f, "rows")), 3);
	cr_assert_eq(json_integer_value(json_object_get(f, "columns")), 2);
	json_decref(j);
	free(line);
	prep_audit_free(a);
}

/* Files that shaped the run: after the arguments, in the order given. */
Test(audit, files_named_with_their_digest)
{
	prep_audit *a;
	json_t *j, *prep, *files, *f;
	char *line, *args, *fl;
	FILE *fp;

	cr_assert_eq(prep_audit_new("anonymize", &a), PREP_OK);
	cr_assert_eq(prep_audit_finish(a, 0, NULL, 0), PREP_OK);
	line = record(a);
	cr_assert_null(strstr(line, "\"files\""), "files without a file");
	free(line);
	cr_assert_eq(prep_audit_file(a, NULL, "p", NULL), PREP_ERR_ARG);
	cr_assert_eq(prep_audit_file(a, "--policy", NULL, NULL), PREP_ERR_ARG);
	cr_assert_eq(prep_audit_argument(a, "-p"), PREP_OK);
	cr_assert_eq(prep_audit_file(a, "--policy", "people.policy", sha_abc),
		     PREP_OK);
	fp = fopen(path_of("abc"), "wb");
	cr_assert_not_null(fp);
	cr_assert_geq(fputs("abc", fp), 0);
	cr_assert_eq(fclose(fp), 0);
	cr_assert_eq(prep_audit_file_at(a, "--hierarchy", path_of("abc")),
		     PREP_OK);
	cr_assert_eq(prep_audit_file_at(a, "--schema", path_of("gone.json")),
		     PREP_OK);
	cr_assert_eq(prep_audit_finish(a, 0, NULL, 0), PREP_OK);
	line = record(a);
	args = strstr(line, "\"arguments\"");
	fl = strstr(line, "\"files\"");
	cr_assert(args != NULL && fl != NULL && args < fl &&
		  fl < strstr(line, "\"exit_status\""));
	j = parse(line);
	prep = json_object_get(
	    json_object_get(json_object_get(j, "run"), "facets"), "prep");
	files = json_object_get(prep, "files");
	cr_assert_eq(json_array_size(files), 3);
	f = json_array_get(files, 0);
	cr_assert_eq(json_object_size(f), 3);
	cr_assert_str_eq(str_at(f, "option"), "--policy");
	cr_assert_str_eq(str_at(f, "name"), "people.policy");
	cr_assert_str_eq(str_at(f, "sha256"),
			 "ba7816bf8f01cfea414140de5dae2223"
			 "b00361a396177a9cb410ff61f20015ad");
	f = json_array_get(files, 1); /* read for its digest */
	cr_assert_str_eq(str_at(f, "option"), "--hierarchy");
	cr_assert_str_eq(str_at(f, "name"), path_of("abc"));
	cr_assert_str_eq(str_at(f, "sha256"),
			 "ba7816bf8f01cfea414140de5dae2223"
			 "b00361a396177a9cb410ff61f20015ad");
	f = json_array_get(files, 2); /* unreadable */
	cr_assert_str_eq(str_at(f, "option"), "--schema");
	cr_assert(json_is_null(json_object_get(f, "sha256")));
	json_decref(j);
	free(line);
	prep_audit_free(a);
}

/* eventType and reason of a record finished with these values. */
static void
assert_end(int exit_status, const char *reason, int sig, const char *type,
	   const char *want_reason)
{
	prep_audit *a;
	json_t *j, *prep;
	char *line;

	cr_assert_eq(prep_audit_new("anonymize", &a), PREP_OK);
	cr_assert_eq(prep_audit_finish(a, exit_status, reason, sig), PREP_OK);
	line = record(a);
	j = parse(line);
	cr_assert_str_eq(str_at(j, "eventType"), type);
	prep = json_object_get(
	    json_object_get(json_object_get(j, "run"), "facets"), "prep");
	cr_assert_eq(json_integer_value(json_object_get(prep, "exit_status")),
		     exit_status);
	if (want_reason)
		cr_assert_str_eq(str_at(prep, "reason"), want_reason);
	else
		cr_assert(json_is_null(json_object_get(prep, "reason")));
	json_decref(j);
	free(line);
	prep_audit_free(a);
}

Test(audit, event_type_by_exit_status_and_signal)
{
	assert_end(0, NULL, 0, "COMPLETE", NULL);
	assert_end(1, "check failed", 0, "FAIL", "check failed");
	assert_end(2, NULL, 0, "FAIL", NULL);
	assert_end(-1, NULL, 0, "FAIL", NULL);
	assert_end(143, NULL, 15, "ABORT", "signal 15");
	assert_end(130, "interrupted", 2, "ABORT", "interrupted");
	/* a signal wins over an exit status of 0 */
	assert_end(0, NULL, 9, "ABORT", "signal 9");
}

Test(audit, last_finish_counts_and_json_needs_one)
{
	prep_audit *a;
	char *line = (char *)"x";
	json_t *j;

	cr_assert_eq(prep_audit_new("kanon", &a), PREP_OK);
	cr_assert_eq(prep_audit_json(a, &line), PREP_ERR_ARG);
	cr_assert_null(line);
	cr_assert_eq(prep_audit_finish(a, 2, "first", 0), PREP_OK);
	cr_assert_eq(prep_audit_finish(a, 0, NULL, 0), PREP_OK);
	line = record(a);
	j = parse(line);
	cr_assert_str_eq(str_at(j, "eventType"), "COMPLETE");
	json_decref(j);
	free(line);
	prep_audit_free(a);
}

/* The record's parent facet, or NULL. */
static json_t *
parent_of(json_t *j)
{
	return json_object_get(
	    json_object_get(json_object_get(j, "run"), "facets"), "parent");
}

Test(audit, parent_facet_only_with_a_valid_run_id)
{
	static const char *const bad[] = {
	    "",
	    "0f8fad5b-d9cb-469f-a165-70867728950",	     /* 35 */
	    "0f8fad5b-d9cb-469f-a165-70867728950ee",	     /* 37 */
	    "{0f8fad5b-d9cb-469f-a165-70867728950e}",	     /* braces */
	    "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e", /* prefix */
	    "0f8fad5bd9cb469fa16570867728950e",		     /* no hyphens */
	    "0f8fad5b-d9cb-469f-a165-70867728950g",	     /* not hex */
	    "0f8fad5b-d9cb-469f-a165-70867728950e ",	     /* blank */
	    " 0f8fad5b-d9cb-469f-a165-70867728950e",
	    "0f8fad5b-d9cb-469f-a16570867728950e-", /* hyphen moved */
	};
	prep_audit *a;
	json_t *j, *p;
	char *line;
	size_t i;

	cr_assert_eq(prep_audit_new("dpnoise", &a), PREP_OK);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(prep_audit_set_parent(a, bad[i]), PREP_ERR_VALUE,
			     "%s", bad[i]);
	cr_assert_eq(prep_audit_set_parent(a, NULL), PREP_ERR_VALUE);
	cr_assert_eq(prep_audit_finish(a, 0, NULL, 0), PREP_OK);
	line = record(a);
	j = parse(line);
	cr_assert_null(parent_of(j), "a parent after invalid ids: %s", line);
	json_decref(j);
	free(line);

	/* valid: any version, upper case written in lower case */
	cr_assert_eq(
	    prep_audit_set_parent(a, "0F8FAD5B-D9CB-169F-A165-70867728950E"),
	    PREP_OK);
	line = record(a);
	cr_assert_not_null(
	    strstr(line, "\"facets\":{\"parent\":{\"_producer\":\"" PRODUCER
			 "\",\"_schemaURL\":\"" PARENT_SCHEMA "\","
			 "\"run\":{\"runId\":\"0f8fad5b-d9cb-169f-a165-"
			 "70867728950e\"},"
			 "\"job\":{\"namespace\":\"prep\","
			 "\"name\":\"pipeline\"}},\"prep\":{"),
	    "%s", line);
	j = parse(line);
	p = parent_of(j);
	cr_assert_eq(json_object_size(p), 4);
	cr_assert_str_eq(str_at(json_object_get(p, "run"), "runId"),
			 "0f8fad5b-d9cb-169f-a165-70867728950e");
	/* the run's own id is another */
	cr_assert_str_neq(str_at(json_object_get(j, "run"), "runId"),
			  "0f8fad5b-d9cb-169f-a165-70867728950e");
	json_decref(j);
	free(line);
	prep_audit_free(a);
}

Test(audit, uuid4_shape_and_bits)
{
	enum { N = 1000 };
	static char ids[N][37];
	int ones[128] = {0};
	size_t i, k, bit;

	for (i = 0; i < N; i++) {
		cr_assert_eq(prep_audit_uuid4(ids[i]), PREP_OK);
		cr_assert(is_uuid4(ids[i]), "%s", ids[i]);
		for (k = 0, bit = 0; k < 36; k++) {
			unsigned v;
			int b;

			if (ids[i][k] == '-')
				continue;
			v = (unsigned)(ids[i][k] <= '9' ? ids[i][k] - '0'
							: ids[i][k] - 'a' + 10);
			for (b = 3; b >= 0; b--)
				ones[bit++] += (int)(v >> b) & 1;
		}
	}
	for (i = 0; i < N; i++)
		for (k = i + 1; k < N; k++)
			cr_assert_str_neq(ids[i], ids[k]);
	/*
	 * The 122 random bits: each set in Binomial(1000, 1/2) ids, mean
	 * 500, sd 15.8; [405, 595] is 6 sd (false alarm under 1e-6 for
	 * all). The 6 fixed bits: version 0100 (bits 48-51), variant 10
	 * (bits 64-65).
	 */
	for (bit = 0; bit < 128; bit++) {
		if (bit >= 48 && bit < 52)
			cr_assert_eq(ones[bit], bit == 49 ? N : 0, "bit %zu",
				     bit);
		else if (bit == 64 || bit == 65)
			cr_assert_eq(ones[bit], bit == 64 ? N : 0, "bit %zu",
				     bit);
		else
			cr_assert(ones[bit] >= 405 && ones[bit] <= 595,
				  "bit %zu set %d times in %d", bit, ones[bit],
				  N);
	}
}

Test(audit, seconds_measure_the_run)
{
	struct timespec pause = {0, 50 * 1000 * 1000};
	prep_audit *a;
	json_t *j, *prep;
	char *line;
	double s;

	cr_assert_eq(prep_audit_new("fairness", &a), PREP_OK);
	cr_assert_eq(nanosleep(&pause, NULL), 0);
	cr_assert_eq(prep_audit_finish(a, 0, NULL, 0), PREP_OK);
	line = record(a);
	j = parse(line);
	prep = json_object_get(
	    json_object_get(json_object_get(j, "run"), "facets"), "prep");
	s = json_number_value(json_object_get(prep, "seconds"));
	cr_assert(s >= 0.05 && s < 5, "seconds %g", s);
	/* rounded to microseconds */
	cr_assert_float_eq(s * 1e6, round(s * 1e6), 1e-6);
	json_decref(j);
	free(line);
	prep_audit_free(a);
}

Test(audit, arguments_refused)
{
	char job[66];
	prep_audit *a;

	cr_assert_eq(prep_audit_new(NULL, &a), PREP_ERR_ARG);
	cr_assert_null(a);
	cr_assert_eq(prep_audit_new("", &a), PREP_ERR_ARG);
	cr_assert_eq(prep_audit_new("k check", &a), PREP_ERR_ARG);
	cr_assert_eq(prep_audit_new("kcheck/x", &a), PREP_ERR_ARG);
	memset(job, 'j', 65);
	job[65] = '\0';
	cr_assert_eq(prep_audit_new(job, &a), PREP_ERR_ARG);
	job[64] = '\0';
	cr_assert_eq(prep_audit_new(job, &a), PREP_OK);
	cr_assert_eq(prep_audit_argument(a, NULL), PREP_ERR_ARG);
	cr_assert_eq(prep_audit_input(a, NULL, NULL, 0, 0), PREP_ERR_ARG);
	cr_assert_eq(prep_audit_output(a, NULL, NULL, 0, 0), PREP_ERR_ARG);
	cr_assert_eq(prep_audit_check(a, NULL, 1, 1, 1), PREP_ERR_ARG);
	cr_assert_eq(prep_audit_check(a, "k", 1, 1, 2), PREP_ERR_ARG);
	cr_assert_eq(prep_audit_check(a, "k", 1, 1, -2), PREP_ERR_ARG);
	cr_assert_eq(prep_audit_check_text(a, NULL, "a", "b", 1), PREP_ERR_ARG);
	prep_audit_free(a);
	prep_audit_free(NULL);
}

Test(audit, cap_on_what_a_record_holds)
{
	size_t mib = (size_t)1 << 20;
	char *big = malloc(mib + 1);
	prep_audit *a;
	json_t *j, *args;
	char *line;
	int i;

	cr_assert_not_null(big);
	memset(big, 'x', mib);
	big[mib] = '\0';
	cr_assert_eq(prep_audit_new("profile", &a), PREP_OK);
	/* each 1 MiB + 128 counted: three fit in 4 MiB, a fourth does not */
	for (i = 0; i < 3; i++)
		cr_assert_eq(prep_audit_argument(a, big), PREP_OK);
	cr_assert_eq(prep_audit_argument(a, big), PREP_ERR_LIMIT);
	cr_assert_eq(prep_audit_input(a, big, NULL, 0, 0), PREP_ERR_LIMIT);
	cr_assert_eq(prep_audit_check_text(a, "c", big, NULL, -1),
		     PREP_ERR_LIMIT);
	/* what is left, 4 MiB - 3 (1 MiB + 128), still takes small items */
	cr_assert_eq(prep_audit_argument(a, "last"), PREP_OK);
	cr_assert_eq(prep_audit_finish(a, 0, NULL, 0), PREP_OK);
	line = record(a);
	j = parse(line);
	args = json_object_get(
	    json_object_get(
		json_object_get(json_object_get(j, "run"), "facets"), "prep"),
	    "arguments");
	cr_assert_eq(json_array_size(args), 4);
	cr_assert_str_eq(json_string_value(json_array_get(args, 3)), "last");
	cr_assert_eq(json_array_size(json_object_get(j, "inputs")), 0);
	json_decref(j);
	free(line);
	prep_audit_free(a);
	free(big);
}

Test(audit, append_creates_0600_and_appends)
{
	const char *p = path_of("audit.jsonl");
	struct stat sb;
	char *s;

	umask(022);
	cr_assert_eq(prep_audit_append(p, "{\"a\":1}\n", 8), PREP_OK);
	cr_assert_eq(lstat(p, &sb), 0);
	cr_assert(S_ISREG(sb.st_mode));
	cr_assert_eq(sb.st_mode & 07777, 0600, "mode %o", sb.st_mode & 07777);
	cr_assert_eq(prep_audit_append(p, "{\"b\":2}\n", 8), PREP_OK);
	s = slurp(p, NULL);
	cr_assert_str_eq(s, "{\"a\":1}\n{\"b\":2}\n");
	free(s);
	/* an existing file keeps its mode */
	cr_assert_eq(chmod(p, 0640), 0);
	cr_assert_eq(prep_audit_append(p, "c\n", 2), PREP_OK);
	cr_assert_eq(lstat(p, &sb), 0);
	cr_assert_eq(sb.st_mode & 07777, 0640);
}

Test(audit, append_after_a_torn_line)
{
	const char *p = path_of("torn.jsonl");
	char *s;

	spit(p, "{\"whole\":1}\n{\"torn\":");
	cr_assert_eq(prep_audit_append(p, "{\"new\":2}\n", 10), PREP_OK);
	s = slurp(p, NULL);
	cr_assert_str_eq(s, "{\"whole\":1}\n{\"torn\":\n{\"new\":2}\n");
	free(s);
	/* an empty file and a file ending in a newline get nothing more */
	spit(p, "");
	cr_assert_eq(prep_audit_append(p, "x\n", 2), PREP_OK);
	cr_assert_eq(prep_audit_append(p, "y\n", 2), PREP_OK);
	s = slurp(p, NULL);
	cr_assert_str_eq(s, "x\ny\n");
	free(s);
	/* one byte, not a newline */
	spit(p, "z");
	cr_assert_eq(prep_audit_append(p, "w\n", 2), PREP_OK);
	s = slurp(p, NULL);
	cr_assert_str_eq(s, "z\nw\n");
	free(s);
}

Test(audit, append_refuses_what_is_not_a_regular_file, .timeout = 10)
{
	char fifo[512], d[512], target[512], link[512], dangling[512];
	struct stat sb;
	char *s;

	snprintf(fifo, sizeof(fifo), "%s", path_of("fifo"));
	snprintf(d, sizeof(d), "%s", path_of("dir"));
	snprintf(target, sizeof(target), "%s", path_of("target"));
	snprintf(link, sizeof(link), "%s", path_of("link"));
	snprintf(dangling, sizeof(dangling), "%s", path_of("dangling"));

	cr_assert_eq(mkfifo(fifo, 0600), 0);
	cr_assert_eq(prep_audit_append(fifo, "x\n", 2), PREP_ERR_NOT_REGULAR);
	cr_assert_eq(lstat(fifo, &sb), 0);
	cr_assert(S_ISFIFO(sb.st_mode));

	cr_assert_eq(mkdir(d, 0700), 0);
	cr_assert_eq(prep_audit_append(d, "x\n", 2), PREP_ERR_NOT_REGULAR);

	spit(target, "kept\n");
	cr_assert_eq(symlink(target, link), 0);
	cr_assert_eq(prep_audit_append(link, "x\n", 2), PREP_ERR_NOT_REGULAR);
	s = slurp(target, NULL);
	cr_assert_str_eq(s, "kept\n");
	free(s);

	/* a link to nowhere: its target is not created */
	cr_assert_eq(symlink(path_of("nowhere"), dangling), 0);
	cr_assert_eq(prep_audit_append(dangling, "x\n", 2),
		     PREP_ERR_NOT_REGULAR);
	cr_assert_neq(lstat(path_of("nowhere"), &sb), 0);

	cr_assert_eq(prep_audit_append("/dev/null", "x\n", 2),
		     PREP_ERR_NOT_REGULAR);
}

Test(audit, append_refuses_what_is_not_one_line)
{
	const char *p = path_of("lines");
	struct stat sb;

	cr_assert_eq(prep_audit_append(p, "x\n", 0), PREP_ERR_ARG);
	cr_assert_eq(prep_audit_append(p, "x", 1), PREP_ERR_ARG);
	cr_assert_eq(prep_audit_append(p, "x\ny\n", 4), PREP_ERR_ARG);
	cr_assert_eq(prep_audit_append(p, NULL, 2), PREP_ERR_ARG);
	cr_assert_eq(prep_audit_append(NULL, "x\n", 2), PREP_ERR_ARG);
	cr_assert_eq(prep_audit_append("", "x\n", 2), PREP_ERR_ARG);
	cr_assert_neq(lstat(p, &sb), 0, "created for nothing");
	/* a missing directory: an I/O error, not a retry loop */
	errno = 0;
	cr_assert_eq(prep_audit_append(path_of("no/such"), "x\n", 2),
		     PREP_ERR_IO);
	cr_assert_eq(errno, ENOENT);
}

/*
 * A write that fails half-way (the file size limit, RLIMIT_FSIZE, in a
 * child) leaves the file as it was: no newline, no fragment.
 */
Test(audit, failed_write_is_cut_back)
{
	const char *p = path_of("full");
	char line[200];
	struct rlimit rl;
	int status;
	pid_t pid;
	char *s;

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\n';
	spit(p, "{\"torn\":");
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		prep_status st;

		(void)signal(SIGXFSZ, SIG_IGN);
		rl.rlim_cur = rl.rlim_max = 50; /* 8 bytes there, 42 more */
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(3);
		st = prep_audit_append(p, line, sizeof(line));
		_exit(st == PREP_ERR_IO && errno == EFBIG ? 0 : 1);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d",
		  status);
	s = slurp(p, NULL);
	cr_assert_str_eq(s, "{\"torn\":");
	free(s);
}

/*
 * A file renamed away (rotated) while a writer waits for its lock: the
 * record goes to the new file at the path, the rotated one is unchanged.
 */
Test(audit, rotated_file_while_waiting)
{
	const char *p = path_of("rot"), *old = path_of("rot.1");
	struct timespec pause = {0, 200 * 1000 * 1000};
	int fd, status;
	pid_t pid;
	char *s;

	spit(p, "old\n");
	fd = open(p, O_RDONLY);
	cr_assert_geq(fd, 0);
	cr_assert_eq(flock(fd, LOCK_EX), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(prep_audit_append(p, "new\n", 4) == PREP_OK ? 0 : 1);
	/* the child opens the file and waits on its lock, or comes after
	 * the rename: the outcome is the same */
	nanosleep(&pause, NULL);
	cr_assert_eq(rename(p, old), 0);
	cr_assert_eq(flock(fd, LOCK_UN), 0);
	close(fd);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	s = slurp(old, NULL);
	cr_assert_str_eq(s, "old\n");
	free(s);
	s = slurp(p, NULL);
	cr_assert_str_eq(s, "new\n");
	free(s);
}

/* A file its writer may write but not read: appended to without the
 * torn-line check (which needs a read). Root reads anything: skipped. */
Test(audit, write_only_file)
{
	const char *p = path_of("wo");
	char *s;

	if (geteuid() == 0)
		cr_skip_test("root can read any file");
	spit(p, "torn");
	cr_assert_eq(chmod(p, 0200), 0);
	cr_assert_eq(prep_audit_append(p, "x\n", 2), PREP_OK);
	cr_assert_eq(chmod(p, 0600), 0);
	s = slurp(p, NULL);
	cr_assert_str_eq(s, "tornx\n");
	free(s);
}

#define WRITERS 8
#define RECORDS 200
#define LINE_MAX_BYTES 65536

/* The padding argument of writer w's record i: its length and letter. */
static size_t
pad_len(int w, int i)
{
	/* 0 and the longest first, then spread by a multiplicative hash */
	if (i == 0)
		return 0;
	if (i == 1)
		return LINE_MAX_BYTES - 1024;
	return (size_t)((unsigned)(w * RECORDS + i) * 2654435761u %
			(LINE_MAX_BYTES - 1024));
}

static char
pad_char(int w, int i)
{
	return (char)('a' + (w + i) % 26);
}

/* Writer w: RECORDS records appended to path; exit status 0 if all went. */
static int
writer(const char *path, int w)
{
	char arg[32], *pad, *line;
	prep_audit *a;
	size_t n;
	int i;

	pad = malloc(LINE_MAX_BYTES);
	if (pad == NULL)
		return 2;
	for (i = 0; i < RECORDS; i++) {
		n = pad_len(w, i);
		memset(pad, pad_char(w, i), n);
		pad[n] = '\0';
		if (prep_audit_new("stress", &a) != PREP_OK)
			return 3;
		snprintf(arg, sizeof(arg), "writer=%d", w);
		if (prep_audit_argument(a, arg) != PREP_OK)
			return 4;
		snprintf(arg, sizeof(arg), "seq=%d", i);
		if (prep_audit_argument(a, arg) != PREP_OK ||
		    prep_audit_argument(a, pad) != PREP_OK ||
		    prep_audit_finish(a, 0, NULL, 0) != PREP_OK ||
		    prep_audit_json(a, &line) != PREP_OK)
			return 5;
		if (strlen(line) > LINE_MAX_BYTES ||
		    prep_audit_append(path, line, strlen(line)) != PREP_OK)
			return 6;
		free(line);
		prep_audit_free(a);
	}
	free(pad);
	return 0;
}

static int
cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

Test(audit, concurrent_appends_never_mix_or_lose_lines)
{
	const char *p = path_of("concurrent.jsonl");
	static int seen[WRITERS][RECORDS];
	static char *ids[WRITERS * RECORDS];
	size_t len, longest = 0, nlines = 0, k;
	int go[2], w, i, status;
	pid_t pid[WRITERS];
	char c, *s, *line, *nl;

	cr_assert_eq(pipe(go), 0);
	for (w = 0; w < WRITERS; w++) {
		pid[w] = fork();
		cr_assert_geq(pid[w], 0);
		if (pid[w] == 0) {
			close(go[1]);
			if (read(go[0], &c, 1) != 0)
				_exit(9);
			_exit(writer(p, w));
		}
	}
	close(go[0]);
	close(go[1]); /* every writer's read returns now */
	for (w = 0; w < WRITERS; w++) {
		cr_assert_eq(waitpid(pid[w], &status, 0), pid[w]);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			  "writer %d: status %d", w, status);
	}

	s = slurp(p, &len);
	cr_assert_eq(strlen(s), len, "a NUL in the file");
	cr_assert(len > 0 && s[len - 1] == '\n');
	for (line = s; *line; line = nl + 1) {
		json_t *j, *args, *a2;
		const char *pad;
		size_t n;
		int wr, seq;

		nl = strchr(line, '\n');
		cr_assert_not_null(nl);
		*nl = '\0';
		cr_assert_lt(nlines, (size_t)WRITERS * RECORDS, "extra lines");
		if ((size_t)(nl - line) > longest)
			longest = (size_t)(nl - line);
		j = parse(line);
		args = json_object_get(
		    json_object_get(
			json_object_get(json_object_get(j, "run"), "facets"),
			"prep"),
		    "arguments");
		cr_assert_eq(json_array_size(args), 3);
		cr_assert_eq(sscanf(json_string_value(json_array_get(args, 0)),
				    "writer=%d", &wr),
			     1);
		cr_assert_eq(sscanf(json_string_value(json_array_get(args, 1)),
				    "seq=%d", &seq),
			     1);
		cr_assert(wr >= 0 && wr < WRITERS && seq >= 0 && seq < RECORDS);
		cr_assert_eq(seen[wr][seq], 0, "writer %d record %d twice", wr,
			     seq);
		seen[wr][seq] = 1;
		a2 = json_array_get(args, 2);
		pad = json_string_value(a2);
		n = json_string_length(a2);
		cr_assert_eq(n, pad_len(wr, seq));
		for (k = 0; k < n; k++)
			cr_assert_eq(pad[k], pad_char(wr, seq));
		ids[nlines] =
		    strdup(str_at(json_object_get(j, "run"), "runId"));
		cr_assert(is_uuid4(ids[nlines]));
		json_decref(j);
		nlines++;
	}
	cr_assert_eq(nlines, (size_t)WRITERS * RECORDS);
	for (w = 0; w < WRITERS; w++)
		for (i = 0; i < RECORDS; i++)
			cr_assert(seen[w][i], "writer %d record %d missing", w,
				  i);
	cr_assert(longest <= LINE_MAX_BYTES && longest > LINE_MAX_BYTES - 1024,
		  "longest line %zu", longest);
	/* one runId per run, whatever the forks did to the generator */
	qsort(ids, nlines, sizeof(ids[0]), cmp_str);
	for (k = 0; k + 1 < nlines; k++)
		cr_assert_str_neq(ids[k], ids[k + 1]);
	for (k = 0; k < nlines; k++)
		free(ids[k]);
	free(s);
}

/*
 * The line prepared for a signal handler is the record prep_audit_finish
 * and prep_audit_json make of the same end, but for eventTime and seconds
 * (taken at different moments): compared with both masked; the pending
 * inputs come after the recorded ones, names only.
 */
Test(audit, abort_line_is_the_record_of_the_signal)
{
	static const char *const pending[] = {"part\"2.csv", "-"};
	prep_audit *a, *b;
	prep_audit_abort *t;
	char tv[64], sv[64], tv2[64], sv2[64], *want, *got;
	const char *line;
	size_t len;
	time_t lo = now();
	json_t *j, *in;

	cr_assert_eq(prep_audit_new("kcheck", &a), PREP_OK);
	cr_assert_eq(prep_audit_set_parent(a, "0F8FAD5B-D9CB-469F-A165-"
					      "70867728950E"),
		     PREP_OK);
	cr_assert_eq(prep_audit_argument(a, "-k"), PREP_OK);
	cr_assert_eq(prep_audit_argument(a, "\"exit_status\":0,"), PREP_OK);
	cr_assert_eq(prep_audit_input(a, "a.csv", sha_abc, 3, 2), PREP_OK);
	cr_assert_eq(prep_audit_check(a, "k", 4, 5, 0), PREP_OK);
	cr_assert_eq(prep_audit_abort_new(a, pending, 2, &t), PREP_OK);
	line = prep_audit_abort_line(t, 15, &len);
	cr_assert_not_null(line);
	got = strndup(line, len);
	cr_assert_eq(strlen(got), len);
	cr_assert_eq(got[len - 1], '\n');
	cr_assert_null(memchr(got, '\n', len - 1));

	/* the same record, finished, with the pending inputs added */
	b = a;
	cr_assert_eq(prep_audit_input(b, "part\"2.csv", NULL,
				      PREP_AUDIT_UNKNOWN, PREP_AUDIT_UNKNOWN),
		     PREP_OK);
	cr_assert_eq(prep_audit_input(b, "-", NULL, PREP_AUDIT_UNKNOWN,
				      PREP_AUDIT_UNKNOWN),
		     PREP_OK);
	cr_assert_eq(prep_audit_finish(b, 128 + 15, NULL, 15), PREP_OK);
	want = record(b);
	j = parse(want);
	cr_assert_str_eq(str_at(j, "eventType"), "ABORT");
	in = json_object_get(j, "inputs");
	cr_assert_eq(json_array_size(in), 3);
	json_decref(j);
	mask(got, "eventTime", tv, sizeof tv);
	mask(got, "seconds", sv, sizeof sv);
	mask(want, "eventTime", tv2, sizeof tv2);
	mask(want, "seconds", sv2, sizeof sv2);
	cr_assert_str_eq(got, want);
	tv[strlen(tv) - 1] = '\0';
	assert_event_time(tv + 1, lo, now());
	cr_assert(strtod(sv, NULL) >= 0 && strtod(sv, NULL) < 60, "%s", sv);
	free(got);
	free(want);
	prep_audit_abort_free(t);
	prep_audit_free(a);
}

/* The date a signal handler writes is the one the record has, now. */
Test(audit, abort_line_time_across_the_calendar)
{
	/* civil_from_days is static: its output is checked through the
	 * line's eventTime against the record's own, both now */
	prep_audit *a;
	prep_audit_abort *t;
	const char *line;
	char tv[64], tv2[64], *got, *want;
	size_t len;
	int i;

	cr_assert_eq(prep_audit_new("drift", &a), PREP_OK);
	cr_assert_eq(prep_audit_abort_new(a, NULL, 0, &t), PREP_OK);
	for (i = 0; i < 3; i++) {
		line = prep_audit_abort_line(t, 2, &len);
		cr_assert_not_null(line);
		got = strndup(line, len);
		cr_assert_eq(prep_audit_finish(a, 130, NULL, 2), PREP_OK);
		want = record(a);
		mask(got, "eventTime", tv, sizeof tv);
		mask(want, "eventTime", tv2, sizeof tv2);
		/* the same second, or the next one when the clock turned */
		if (strncmp(tv, tv2, 20) == 0)
			break;
		free(got);
		free(want);
		got = want = NULL;
	}
	cr_assert_lt(i, 3, "eventTime %s against %s", tv, tv2);
	free(got);
	free(want);
	cr_assert_null(prep_audit_abort_line(t, 0, &len));
	cr_assert_eq(len, 0);
	prep_audit_abort_free(t);
	prep_audit_free(a);
}
