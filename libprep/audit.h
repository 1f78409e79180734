/*
 * audit.h: the audit trail of the filters (SPEC "Audit trail"): one
 * record per run, appended as one line to an audit file when the run
 * ends, whatever its exit status.
 *
 * The record is an OpenLineage RunEvent of spec version 2-0-2
 * (https://openlineage.io/spec/2-0-2/OpenLineage.json, $defs/RunEvent),
 * written as one compact JSON line with its keys in this order:
 *
 *   eventType    "COMPLETE" (exit status 0), "FAIL" (any other exit
 *                status: nothing that failed was written, SPEC "Exit
 *                status") or "ABORT" (ended by a signal)
 *   eventTime    when the run ended, ISO 8601 in UTC with milliseconds:
 *                "2026-11-24T03:10:00.123Z"
 *   run          runId: a random UUID (version 4, RFC 9562 section 5.4,
 *                122 bits from OpenSSL's RAND_bytes), lowercase;
 *                facets: "parent" (only when the caller names a parent,
 *                see prep_audit_set_parent) and "prep" (below)
 *   job          namespace "prep", name the filter ("kcheck")
 *   inputs       the datasets read, outputs the datasets written: each
 *   outputs      {namespace "file", name: the path as given, "-" for the
 *                standard streams; facets: {"prep_dataset": {_producer,
 *                _schemaURL, sha256: lowercase hex of the bytes read or
 *                written or null, rows, columns: integers or null}}}
 *   producer     PREP_AUDIT_PRODUCER
 *   schemaURL    PREP_AUDIT_SCHEMA_URL
 *
 * The run facet "prep" holds _producer, _schemaURL, version
 * (PREP_VERSION), arguments (the command line as the caller gave it,
 * already without secrets: an array of strings), files (only when the
 * caller named some, prep_audit_file: [{option, name, sha256}]),
 * exit_status (integer),
 * reason (a string or null), seconds (from prep_audit_new to
 * prep_audit_finish on the monotonic clock, rounded to microseconds) and
 * checks: [{name, observed, threshold, passed}], observed and threshold
 * numbers, strings or null, passed true, false or null.
 *
 * Every facet carries the two fields OpenLineage's BaseFacet requires,
 * _producer (PREP_AUDIT_PRODUCER) and _schemaURL: for "parent" the
 * standard ParentRunFacet (facets/1-0-1, the version built on spec
 * 2-0-2), for the facets of prep the JSON Schema of the whole record,
 * tests/audit/prep-audit.schema.json, whose $id is PREP_AUDIT_RECORD_SCHEMA
 * (#/$defs/PrepRunFacet, #/$defs/PrepDatasetFacet). The facets' keys
 * follow OpenLineage's custom facet naming: the project's prefix first.
 *
 * Numbers follow json.h's rule (a whole number below 2^53 as an integer,
 * others with 15 significant digits, NaN as null); a check's infinite
 * value, which JSON can't hold, is the string "inf" or "-inf". Strings
 * that are not valid UTF-8 have each invalid byte replaced by U+FFFD. The
 * record holds no cell value: only what the caller passes, which must
 * not be personal data either.
 *
 * The record builder allocates; prep_audit_append does not (system
 * calls and string functions only, no allocator, no stdio), so a line
 * rendered beforehand can be appended from a signal handler.
 */
#ifndef PREP_AUDIT_H
#define PREP_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "prep.h"

/* The OpenLineage schema the record follows (RunEvent.schemaURL). */
#define PREP_AUDIT_SCHEMA_URL                                                  \
	"https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
/*
 * The producer URI of the record and its facets: prep and its version.
 * The reserved domain .invalid (RFC 2606) says that it names the project
 * and locates nothing.
 */
#define PREP_AUDIT_PRODUCER "https://example.invalid/prep/" PREP_VERSION
/*
 * The JSON Schema of the record (tests/audit/prep-audit.schema.json). Its
 * version, 1-0-0, changes with the record's layout, not with prep's.
 */
#define PREP_AUDIT_RECORD_SCHEMA                                               \
	"https://example.invalid/prep/spec/1-0-0/prep-audit.schema.json"
#define PREP_AUDIT_PARENT_SCHEMA_URL                                           \
	"https://openlineage.io/spec/facets/1-0-1/ParentRunFacet.json"         \
	"#/$defs/ParentRunFacet"

/* rows or columns not known (not a table: a report, a profile): null */
#define PREP_AUDIT_UNKNOWN UINT64_MAX

/*
 * The cap on what one record holds: every string added (argument,
 * dataset name, check name and text values, reason) counts its bytes
 * plus 128, and an addition past the cap is PREP_ERR_LIMIT.
 */
#define PREP_AUDIT_MAX_BYTES ((size_t)4 << 20)

typedef struct prep_audit prep_audit;

/*
 * A record of a run of the filter job (1 to 64 bytes of [A-Za-z0-9._+-],
 * else PREP_ERR_ARG): takes the start time from the monotonic clock and
 * makes the runId. PREP_ERR_CRYPTO when the random generator fails,
 * PREP_ERR_NOMEM. Reads nothing from the environment: the caller passes
 * PREP_RUN_ID to prep_audit_set_parent.
 */
prep_status prep_audit_new(const char *job, prep_audit **out);
void prep_audit_free(prep_audit *a);

/* The runId, 36 characters. */
const char *prep_audit_run_id(const prep_audit *a);

/*
 * The run belongs to the pipeline run uuid (PREP_RUN_ID): the record gets
 * OpenLineage's "parent" run facet, {run: {runId: uuid}, job: {namespace:
 * "prep", name: "pipeline"}}. uuid is the RFC 9562 text form, 8-4-4-4-12
 * hexadecimal digits of either case (written in lowercase), any version;
 * anything else (braces, a "urn:uuid:" prefix, blanks) is PREP_ERR_VALUE
 * and leaves the record without a parent.
 */
prep_status prep_audit_set_parent(prep_audit *a, const char *uuid);

/* Append one argument of the command line (without secrets). */
prep_status prep_audit_argument(prep_audit *a, const char *arg);

/*
 * A dataset read (input) or written (output), in the order of the calls:
 * name the path or "-"; sha256 the SHA-256 of its bytes (NULL: unknown,
 * null); rows and columns (PREP_AUDIT_UNKNOWN: null). PREP_ERR_ARG when
 * name is NULL.
 */
prep_status prep_audit_input(prep_audit *a, const char *name,
			     const unsigned char sha256[32], uint64_t rows,
			     uint64_t columns);
prep_status prep_audit_output(prep_audit *a, const char *name,
			      const unsigned char sha256[32], uint64_t rows,
			      uint64_t columns);

/*
 * A file that shaped the run without being its data (a policy, a schema,
 * a hierarchy), as the run facet's "files": option the option that named
 * it ("--policy"), name its path as given, sha256 the SHA-256 of its
 * bytes (NULL: null). Never a key file: its name is in the arguments,
 * its bytes nowhere. PREP_ERR_ARG when option or name is NULL.
 */
prep_status prep_audit_file(prep_audit *a, const char *option, const char *name,
			    const unsigned char sha256[32]);

/*
 * The same for the file at path, reading it for its SHA-256 (null when it
 * can't be read: the run itself says why).
 */
prep_status prep_audit_file_at(prep_audit *a, const char *option,
			       const char *path);

/*
 * An input that is not a table (a profile), read whole from the file at
 * path: hashed here, rows and columns null.
 */
prep_status prep_audit_input_at(prep_audit *a, const char *path);

/*
 * A check the filter made, in the order of the calls: observed and
 * threshold numbers (NaN: null; an infinity: "inf" or "-inf"); passed 1
 * (true), 0 (false) or -1 (null: a figure reported, not judged).
 * PREP_ERR_ARG when name is NULL or passed is not one of these.
 */
prep_status prep_audit_check(prep_audit *a, const char *name, double observed,
			     double threshold, int passed);
/* The same with values that are not numbers (NULL: null). */
prep_status prep_audit_check_text(prep_audit *a, const char *name,
				  const char *observed, const char *threshold,
				  int passed);

/*
 * The run ended: exit_status as the process exits (by convention 128 +
 * the signal's number after one), reason why it failed (NULL: null), sig
 * the signal that ended it (0: none; then eventType ABORT, and a NULL
 * reason becomes "signal N"). Takes eventTime and the seconds. May be
 * called again: the last call counts. PREP_ERR_IO (errno set) when a
 * clock can't be read, PREP_ERR_NOMEM.
 */
prep_status prep_audit_finish(prep_audit *a, int exit_status,
			      const char *reason, int sig);

/*
 * The record as one compact line ending in '\n', keys in the order
 * above, in *line (free it). PREP_ERR_ARG before prep_audit_finish,
 * PREP_ERR_NOMEM.
 */
prep_status prep_audit_json(const prep_audit *a, char **line);

/*
 * A record for a signal handler, which can't allocate: prepared from the
 * record as it stands (and the inputs named in pending[0..npending),
 * still being read: names only, no digest, rows or columns), to be
 * finished by prep_audit_abort_line when a signal ends the run. Prepare
 * it again whenever the record changes; PREP_ERR_NOMEM.
 */
typedef struct prep_audit_abort prep_audit_abort;

prep_status prep_audit_abort_new(const prep_audit *a,
				 const char *const *pending, size_t npending,
				 prep_audit_abort **out);
void prep_audit_abort_free(prep_audit_abort *t);

/*
 * The record of a run ended by signal sig (1 to 999) now: eventType
 * ABORT, eventTime and seconds taken now, exit_status 128 + sig, reason
 * "signal N", as prep_audit_finish(a, 128 + sig, NULL, sig) and
 * prep_audit_json would make it. Async-signal-safe (clock_gettime and
 * memcpy only): the line is in t's buffer, *len bytes ending in '\n',
 * valid until the next call. NULL when a clock can't be read or the year
 * is past 9999.
 */
const char *prep_audit_abort_line(prep_audit_abort *t, int sig, size_t *len);

/*
 * A new random UUID (version 4) in out: 36 lowercase characters and a
 * NUL. PREP_ERR_CRYPTO when the random generator fails.
 */
prep_status prep_audit_uuid4(char out[37]);

/*
 * Append line[0..len) (one line: ending in '\n', no other '\n' in it;
 * else PREP_ERR_ARG before the file is touched) to the audit file at
 * path, so that concurrent runs never mix or lose lines:
 *
 *  - open with O_APPEND and O_NOFOLLOW, creating the file with mode 0600
 *    (less the umask); read-write so that its last byte can be read, or
 *    write-only when the file can't be read (then the torn-line rule
 *    below is skipped);
 *  - a symbolic link, a directory, a FIFO, a device or a socket at path:
 *    PREP_ERR_NOT_REGULAR, nothing written;
 *  - an exclusive flock(2) on the file; when path no longer names the
 *    file locked (rotated or removed meanwhile), start again with the
 *    file now there;
 *  - a file that does not end in '\n' (a previous write torn by a crash
 *    or a full disk, or a line written without the lock) gets one first,
 *    so the new record stays a line of its own and the fragment a line of
 *    its own (which a reader skips, as it is not valid JSON);
 *  - the whole line with one write loop (short writes and EINTR go on);
 *    when a write fails, the file is cut back to its size before, so no
 *    fragment of this record is left;
 *  - fsync (and the directory's fsync when the file was created), unlock,
 *    close.
 *
 * PREP_OK: the line is on disk. PREP_ERR_IO with errno for any failure;
 * after a failed fsync or close the line may be in the file all the
 * same. Every writer must go through this function (or flock the file
 * likewise) for the guarantees to hold.
 */
prep_status prep_audit_append(const char *path, const char *line, size_t len);

#endif
