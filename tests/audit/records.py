#!/usr/bin/python3
"""records.py SCHEMA FILE: every line of the audit file FILE is one
record valid against the JSON Schema SCHEMA (python3-jsonschema) with
OpenLineage's required RunEvent fields; prints one line per record: the
filter, eventType, exit status, and the input and output datasets as
name@first-8-hex-digits-of-sha256 (or name@- without a digest)."""
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
check = jsonschema.Draft202012Validator(schema)
bad = 0
for n, line in enumerate(open(sys.argv[2], encoding="utf-8"), 1):
    r = json.loads(line)
    errors = list(check.iter_errors(r))
    for e in errors:
        print("line %d: %s" % (n, e.message))
    for k in ("eventTime", "producer", "schemaURL"):
        assert k in r, k
    assert r["run"]["runId"] and r["job"]["namespace"] == "prep"
    bad |= bool(errors)
    f = r["run"]["facets"]["prep"]

    def ds(d):
        h = d["facets"]["prep_dataset"]["sha256"]
        return "%s@%s" % (d["name"], h[:8] if h else "-")

    print(r["job"]["name"], r["eventType"], f["exit_status"],
          " ".join(ds(d) for d in r["inputs"]), "->",
          " ".join(ds(d) for d in r["outputs"]))
sys.exit(1 if bad else 0)
