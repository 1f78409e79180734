#!/usr/bin/env bash
# tests/audit/validate.sh: the audit records libprep writes (libprep/audit.h)
# against their JSON Schema (tests/audit/prep-audit.schema.json, draft
# 2020-12) and against what OpenLineage 2-0-2 requires of a RunEvent.
#
# Builds libprep.a with make (or takes LIBPREP, and LDLIBS for the
# libraries it needs), builds a small program that appends records of
# every shape with prep_audit_append (COMPLETE with files, datasets and checks
# of every kind of value, FAIL with a parent run and nothing else, ABORT
# after a signal with invalid UTF-8 and a count past 2^53, a run with two
# inputs and no checks), then with Debian's python3-jsonschema:
#
#  1. the schema is a valid draft 2020-12 schema;
#  2. the file is mode 0600 and holds exactly the records appended, each
#     one line of JSON without duplicate keys, valid against the schema;
#  3. each has what OpenLineage's RunEvent requires (eventTime, producer,
#     schemaURL, run.runId, job.namespace, job.name; an eventType of its
#     enum; namespace and name for each dataset) and what its BaseFacet
#     requires of every facet (_producer, _schemaURL), checked by hand,
#     apart from the schema;
#  4. negative controls: records changed in one place each (a field
#     missing, a key added, a wrong UUID version, an uppercase digest,
#     a time without milliseconds, ...) are refused by the schema, and
#     those without a required OpenLineage field by the check of 3.
#
# Prints "audit schema: N passed, M failed" and exits 0 when M is 0;
# exits 2 when something it needs is missing.
set -u
export LC_ALL=C
root=$(cd "$(dirname "$0")/../.." && pwd)
py=/usr/bin/python3
if ! "$py" -c 'import jsonschema' 2>/dev/null; then
	echo "validate.sh: needs python3-jsonschema (apt-get install" \
		"python3-jsonschema)" >&2
	exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

lib=${LIBPREP:-}
if [ -z "$lib" ]; then
	make -C "$root" --no-print-directory build/libprep.a >"$tmp/make.log" 2>&1 || {
		cat "$tmp/make.log" >&2
		echo "validate.sh: make build/libprep.a failed" >&2
		exit 2
	}
	lib=$root/build/libprep.a
fi
libs=${LDLIBS:-"-lcsv $(pkg-config --libs libcrypto zlib libpcre2-8 \
	jansson 2>/dev/null) -lm -pthread"}

# emit FILE: appends the records, one per prep_audit_append
cat >"$tmp/emit.c" <<'EOF'
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit.h"

static const unsigned char sha_abc[32] = {
    0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
    0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
    0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};

static int
put(const char *path, prep_audit *a)
{
	char *line;
	int r;

	if (prep_audit_json(a, &line) != PREP_OK)
		return 1;
	r = prep_audit_append(path, line, strlen(line)) != PREP_OK;
	free(line);
	prep_audit_free(a);
	return r;
}

int
main(int argc, char **argv)
{
	prep_audit *a;
	int bad = 0;

	if (argc != 2)
		return 2;
	/* COMPLETE: datasets and checks of every kind */
	bad |= prep_audit_new("kcheck", &a) != PREP_OK;
	bad |= prep_audit_argument(a, "-q") != PREP_OK;
	bad |= prep_audit_argument(a, "age,zip") != PREP_OK;
	bad |= prep_audit_argument(a, "-k") != PREP_OK;
	bad |= prep_audit_argument(a, "5") != PREP_OK;
	bad |= prep_audit_file(a, "--hierarchy", "zip.csv", sha_abc) != PREP_OK;
	bad |= prep_audit_file(a, "--policy", "gone.policy", NULL) != PREP_OK;
	bad |= prep_audit_input(a, "people.csv", sha_abc, 100, 7) != PREP_OK;
	bad |= prep_audit_output(a, "-", NULL, PREP_AUDIT_UNKNOWN,
				 PREP_AUDIT_UNKNOWN) != PREP_OK;
	bad |= prep_audit_check(a, "k", 5, 5, 1) != PREP_OK;
	bad |= prep_audit_check(a, "suppressed", 0.0125, 0.05, 1) != PREP_OK;
	bad |= prep_audit_check(a, "l", NAN, 2, -1) != PREP_OK;
	bad |= prep_audit_check(a, "ratio", INFINITY, -INFINITY, 0) != PREP_OK;
	bad |= prep_audit_check_text(a, "ldiv", "entropy", NULL, -1) != PREP_OK;
	bad |= prep_audit_finish(a, 0, NULL, 0) != PREP_OK;
	bad |= put(argv[1], a);
	/* FAIL: a parent, nothing else */
	bad |= prep_audit_new("validate", &a) != PREP_OK;
	bad |= prep_audit_set_parent(a, "0F8FAD5B-D9CB-169F-A165-70867728950E")
	       != PREP_OK;
	bad |= prep_audit_finish(a, 1, "3 rows failed the schema", 0) != PREP_OK;
	bad |= put(argv[1], a);
	/* ABORT: a signal, invalid UTF-8, a count past 2^53 */
	bad |= prep_audit_new("anonymize", &a) != PREP_OK;
	bad |= prep_audit_argument(a, "caf\xe9") != PREP_OK;
	bad |= prep_audit_input(a, "big.csv", NULL, 9007199254740993ULL,
				PREP_AUDIT_UNKNOWN) != PREP_OK;
	bad |= prep_audit_finish(a, 143, NULL, 15) != PREP_OK;
	bad |= put(argv[1], a);
	/* two inputs, an output, no checks */
	bad |= prep_audit_new("fairness", &a) != PREP_OK;
	bad |= prep_audit_input(a, "a.csv", sha_abc, 0, 0) != PREP_OK;
	bad |= prep_audit_input(a, "b.csv.gz", sha_abc, 1, 1) != PREP_OK;
	bad |= prep_audit_output(a, "report.json", sha_abc, PREP_AUDIT_UNKNOWN,
				 PREP_AUDIT_UNKNOWN) != PREP_OK;
	bad |= prep_audit_finish(a, 2, "cannot read b.csv.gz", 0) != PREP_OK;
	bad |= put(argv[1], a);
	return bad;
}
EOF
W=(-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror)
# shellcheck disable=SC2086 # libs is a list of words
if ! ${CC:-cc} "${W[@]}" -O2 -iquote "$root/libprep" -o "$tmp/emit" \
	"$tmp/emit.c" "$lib" $libs; then
	echo "validate.sh: the record emitter does not build" >&2
	exit 2
fi
umask 022
if ! "$tmp/emit" "$tmp/audit.jsonl"; then
	echo "audit schema: 0 passed, 1 failed (the emitter failed)"
	exit 1
fi

"$py" - "$root/tests/audit/prep-audit.schema.json" "$tmp/audit.jsonl" <<'EOF'
import copy
import json
import os
import stat
import sys

import jsonschema

schema_path, audit_path = sys.argv[1], sys.argv[2]
passed = failed = 0


def result(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL audit schema: " + what)


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key")
    return dict(pairs)


with open(schema_path) as f:
    schema = json.load(f)
try:
    jsonschema.Draft202012Validator.check_schema(schema)
    result(True, "")
except jsonschema.SchemaError as e:
    result(False, "the schema is not valid draft 2020-12: %s" % e.message)
    print("audit schema: %d passed, %d failed" % (passed, failed))
    sys.exit(1)
validator = jsonschema.Draft202012Validator(schema)

OL_EVENT_TYPES = {"START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER"}


def openlineage_missing(r):
    """What OpenLineage 2-0-2 requires of a RunEvent and is not there."""
    miss = []
    if not isinstance(r, dict):
        return ["an object"]
    for k in ("eventTime", "producer", "schemaURL"):
        if not isinstance(r.get(k), str):
            miss.append(k)
    if "eventType" in r and r["eventType"] not in OL_EVENT_TYPES:
        miss.append("eventType of the enum")
    run, job = r.get("run"), r.get("job")
    if not isinstance(run, dict) or not isinstance(run.get("runId"), str):
        miss.append("run.runId")
    for k in ("namespace", "name"):
        if not isinstance(job, dict) or not isinstance(job.get(k), str):
            miss.append("job." + k)
    facets = []
    if isinstance(run, dict):
        facets += list((run.get("facets") or {}).items())
    for side in ("inputs", "outputs"):
        for i, d in enumerate(r.get(side) or []):
            for k in ("namespace", "name"):
                if not isinstance(d.get(k), str):
                    miss.append("%s[%d].%s" % (side, i, k))
            facets += list((d.get("facets") or {}).items())
    for name, fa in facets:
        for k in ("_producer", "_schemaURL"):
            if not isinstance(fa, dict) or not isinstance(fa.get(k), str):
                miss.append("facet %s.%s" % (name, k))
    return miss


mode = stat.S_IMODE(os.stat(audit_path).st_mode)
result(mode == 0o600, "the new audit file has mode %o, not 600" % mode)
with open(audit_path, "rb") as f:
    raw = f.read()
lines = raw.split(b"\n")
result(lines[-1] == b"" and len(lines) == 5,
       "%d lines, not 4 ending in a newline" % (len(lines) - 1))
records = []
for n, line in enumerate(lines[:-1], 1):
    try:
        r = json.loads(line.decode("utf-8"), object_pairs_hook=no_duplicates)
    except ValueError as e:
        result(False, "line %d is not JSON: %s" % (n, e))
        continue
    records.append(r)
    errs = sorted(validator.iter_errors(r), key=lambda e: list(e.path))
    result(not errs, "line %d: %s" % (n, "; ".join(
        "%s: %s" % ("/".join(map(str, e.path)), e.message) for e in errs)))
    miss = openlineage_missing(r)
    result(not miss, "line %d lacks for OpenLineage: %s" % (n, miss))

if len(records) == 4:
    types = [r["eventType"] for r in records]
    result(types == ["COMPLETE", "FAIL", "ABORT", "FAIL"],
           "eventTypes %s" % types)
    parents = ["parent" in r["run"]["facets"] for r in records]
    result(parents == [False, True, False, False], "parents %s" % parents)
    result(records[2]["run"]["facets"]["prep"]["reason"] == "signal 15",
           "ABORT reason %r" % records[2]["run"]["facets"]["prep"]["reason"])
    ids = {r["run"]["runId"] for r in records}
    result(len(ids) == 4, "runIds not distinct: %s" % ids)

    # Negative controls: each change must be refused.
    def change(i, path, value=None, delete=False):
        r = copy.deepcopy(records[i])
        o = r
        for k in path[:-1]:
            o = o[k]
        if delete:
            del o[path[-1]]
        else:
            o[path[-1]] = value
        return r

    prep = ["run", "facets", "prep"]
    ds = ["inputs", 0, "facets", "prep_dataset"]
    bad_schema = [
        ("eventTime missing", change(0, ["eventTime"], delete=True)),
        ("eventType START", change(0, ["eventType"], "START")),
        ("eventTime without milliseconds",
         change(0, ["eventTime"], "2026-11-24T03:10:00Z")),
        ("eventTime not UTC",
         change(0, ["eventTime"], "2026-11-24T03:10:00.000+01:00")),
        ("runId of version 1",
         change(0, ["run", "runId"], "0f8fad5b-d9cb-169f-a165-70867728950e")),
        ("runId in uppercase",
         change(0, ["run", "runId"], "0F8FAD5B-D9CB-469F-A165-70867728950E")),
        ("a key added to the prep facet", change(0, prep + ["extra"], 1)),
        ("a key added to the record", change(0, ["extra"], 1)),
        ("prep facet without _schemaURL",
         change(0, prep + ["_schemaURL"], delete=True)),
        ("prep facet without checks", change(0, prep + ["checks"], delete=True)),
        ("exit_status a string", change(0, prep + ["exit_status"], "0")),
        ("exit_status a real", change(0, prep + ["exit_status"], 0.5)),
        ("seconds negative", change(0, prep + ["seconds"], -1)),
        ("an argument a number", change(0, prep + ["arguments", 0], 5)),
        ("passed a string", change(0, prep + ["checks", 0, "passed"], "yes")),
        ("observed an object", change(0, prep + ["checks", 0, "observed"], {})),
        ("sha256 in uppercase", change(0, ds + ["sha256"], "BA" * 32)),
        ("sha256 too short", change(0, ds + ["sha256"], "ab" * 31)),
        ("rows negative", change(0, ds + ["rows"], -1)),
        ("files empty", change(0, prep + ["files"], [])),
        ("a file without its option",
         change(0, prep + ["files", 0, "option"], delete=True)),
        ("a file's option not an option",
         change(0, prep + ["files", 0, "option"], "policy")),
        ("a file's sha256 too short",
         change(0, prep + ["files", 0, "sha256"], "ab" * 31)),
        ("a key added to a file", change(0, prep + ["files", 0, "rows"], 1)),
        ("rows a real", change(0, ds + ["rows"], 1.5)),
        ("dataset namespace s3", change(0, ["inputs", 0, "namespace"], "s3")),
        ("dataset facet missing",
         change(0, ["inputs", 0, "facets", "prep_dataset"], delete=True)),
        ("producer another URI", change(0, ["producer"], "http://x/prep/1")),
        ("job namespace other", change(0, ["job", "namespace"], "other")),
        ("job name with a space", change(0, ["job", "name"], "k check")),
        ("schemaURL of another version", change(
            0, ["schemaURL"],
            "https://openlineage.io/spec/2-0-0/OpenLineage.json#/$defs/RunEvent")),
        ("parent job name other", change(
            1, ["run", "facets", "parent", "job", "name"], "other")),
        ("parent runId not a UUID", change(
            1, ["run", "facets", "parent", "run", "runId"], "run-1")),
        ("parent without _producer", change(
            1, ["run", "facets", "parent", "_producer"], delete=True)),
    ]
    for what, r in bad_schema:
        result(not validator.is_valid(r), "the schema takes: " + what)
    bad_ol = [
        ("eventTime", change(0, ["eventTime"], delete=True)),
        ("producer", change(0, ["producer"], delete=True)),
        ("schemaURL", change(0, ["schemaURL"], delete=True)),
        ("run.runId", change(0, ["run", "runId"], delete=True)),
        ("job.namespace", change(0, ["job", "namespace"], delete=True)),
        ("job.name", change(0, ["job", "name"], delete=True)),
        ("eventType", change(0, ["eventType"], "DONE")),
        ("dataset name", change(0, ["inputs", 0, "name"], delete=True)),
        ("facet _producer", change(0, prep + ["_producer"], delete=True)),
        ("facet _schemaURL", change(0, ds + ["_schemaURL"], delete=True)),
    ]
    for what, r in bad_ol:
        result(openlineage_missing(r) != [],
               "the OpenLineage check takes a record without " + what)

print("audit schema: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
EOF
