#!/usr/bin/python3
"""Compares kanon's runs with the oracle's results (used by run.sh).

    compare.py MANIFEST

MANIFEST has one tab-separated line per case:
    name  oracle.json  index  report-status  report  data-status  data
    release  kcheck-status  input  delimiter
(index: the case's result in oracle.json; report: kanon -r --json's
stdout; data: kanon's stdout without -r; release: the oracle's release
for the case, '-' when there is none; input: the input CSV).

For a case the oracle satisfies: kanon -r exits 0 and prints one JSON
object on one line with every report key; method is global, metric the
one asked for, satisfied true; levels equal; rows, classes,
min_class_size, suppressed_rows and dm equal exactly; aecs, gcp and loss
within 1e-9 relative (1e-12 absolute near 0); nodes_checked a whole
number from 1 to the lattice's size; seconds a number >= 0.  kanon
without -r exits 0 and writes the input's header and, as a multiset, the
oracle's released rows; kcheck on that output exits 0.  For a case with
no solution, both kanon runs exit 1 and the data run writes nothing.

Prints one line per failure and exits 1 if any.
"""

import csv
import json
import math
import sys

KEYS = ("method", "metric", "levels", "rows", "classes", "min_class_size",
        "suppressed_rows", "dm", "aecs", "gcp", "loss", "nodes_checked",
        "seconds", "satisfied")
EXACT = ("rows", "classes", "min_class_size", "suppressed_rows", "dm")
CLOSE = ("aecs", "gcp", "loss")
REL = 1e-9
ABS = 1e-12


def close(a, b):
    return abs(a - b) <= max(REL * max(abs(a), abs(b)), ABS)


def is_int(x):
    return isinstance(x, int) and not isinstance(x, bool)


def is_num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and \
        math.isfinite(x)


def read_rows(path, delim):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter=delim))
    # CRLF or LF: the csv module drops both; an empty file has no header
    return (rows[0], rows[1:]) if rows else (None, [])


def check_report(text, want, metric, nodes):
    """Problems of a kanon -r --json report against the oracle's result."""
    lines = text.splitlines()
    if len(lines) != 1:
        return ["report is %d lines, not one" % len(lines)]
    try:
        rep = json.loads(lines[0])
    except ValueError as e:
        return ["report is not JSON: %s" % e]
    if not isinstance(rep, dict):
        return ["report is not a JSON object"]
    bad = ["report lacks %s" % k for k in KEYS if k not in rep]
    if bad:
        return bad
    if rep["method"] != "global":
        bad.append("method %r, not 'global'" % rep["method"])
    if rep["metric"] != metric:
        bad.append("metric %r, not %r" % (rep["metric"], metric))
    if rep["satisfied"] is not True:
        bad.append("satisfied %r, not true" % rep["satisfied"])
    if rep["levels"] != want["levels"]:
        bad.append("levels %s, oracle %s" % (json.dumps(rep["levels"]),
                                             json.dumps(want["levels"])))
    for k in EXACT:
        if not is_int(rep[k]) or rep[k] != want[k]:
            bad.append("%s %r, oracle %r" % (k, rep[k], want[k]))
    for k in CLOSE:
        if not is_num(rep[k]) or not close(rep[k], want[k]):
            bad.append("%s %r, oracle %r" % (k, rep[k], want[k]))
    if not is_int(rep["nodes_checked"]) or not 1 <= rep["nodes_checked"] <= nodes:
        bad.append("nodes_checked %r not in 1..%d" % (rep["nodes_checked"], nodes))
    if not is_num(rep["seconds"]) or rep["seconds"] < 0:
        bad.append("seconds %r" % rep["seconds"])
    return bad


def check_case(f, oracles):
    (name, ojson, index, rstatus, report, dstatus, data, release, kstatus,
     inp, delim) = f
    if delim == "tab":
        delim = "\t"
    if ojson not in oracles:
        with open(ojson) as fh:
            oracles[ojson] = json.load(fh)
    orc = oracles[ojson]
    want = orc["results"][int(index)]
    metric = want["config"]["metric"]
    with open(report, encoding="utf-8", errors="replace") as fh:
        text = fh.read()
    bad = []
    if not want["satisfied"]:
        if rstatus != "1":
            bad.append("no solution exists, but kanon -r exited %s" % rstatus)
        if text.strip():
            try:
                rep = json.loads(text)
                if isinstance(rep, dict) and rep.get("satisfied") is not False:
                    bad.append("no solution exists, but the report says "
                               "satisfied %r" % rep.get("satisfied"))
            except ValueError:
                pass
        if dstatus != "1":
            bad.append("no solution exists, but kanon exited %s" % dstatus)
        with open(data, "rb") as fh:
            if fh.read(1):
                bad.append("no solution exists, but kanon wrote data")
        return bad
    if rstatus != "0":
        bad.append("kanon -r exited %s" % rstatus)
    bad += check_report(text, want, metric, orc["nodes"])
    if dstatus != "0":
        bad.append("kanon (data) exited %s" % dstatus)
    else:
        head, rows = read_rows(data, delim)
        ihead, _ = read_rows(inp, delim)
        rhead, rrows = read_rows(release, delim)
        if head != ihead:
            bad.append("output header %r, input's %r" % (head, ihead))
        if len(rows) != want["rows"]:
            bad.append("output has %d rows, oracle %d" % (len(rows), want["rows"]))
        elif sorted(rows) != sorted(rrows):
            extra = sorted(set(map(tuple, rows)) - set(map(tuple, rrows)))[:2]
            bad.append("output rows differ from the oracle's release "
                       "(e.g. %r)" % (extra,))
    if kstatus != "0":
        bad.append("kcheck on kanon's output exited %s" % kstatus)
    return bad


def main():
    oracles = {}
    failed = 0
    total = 0
    warned = set()
    with open(sys.argv[1]) as fh:
        for line in fh:
            f = line.rstrip("\n").split("\t")
            if len(f) != 11:
                print("compare: bad manifest line %r" % line)
                return 2
            total += 1
            bad = check_case(f, oracles)
            want = oracles[f[1]]["results"][int(f[2])]
            if want.get("near_ties", 0) and f[0] not in warned:
                warned.add(f[0])
                print("note: %s: %d other nodes within 1e-9 of the optimum"
                      % (f[0], want["near_ties"]))
            if bad:
                failed += 1
                for b in bad:
                    print("FAIL %s: %s" % (f[0], b))
    print("compare: %d cases, %d failed" % (total, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
