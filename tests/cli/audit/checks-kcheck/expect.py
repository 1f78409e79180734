"""The checks a kcheck or kanon audit record should hold, computed here
from the CSV with pandas, independently of prep (kcheck(1), kanon(1) and
the check contract of the audit record), and compared with the record.

  expect.py kcheck AUDIT N CSV
      record N (from 1) of AUDIT, a kcheck run on CSV: its options are
      read from the record's arguments, every figure is computed from CSV
  expect.py kanon AUDIT N INPUT OUTPUT REPORT
      a kanon run on INPUT: kcheck's figures of the data it wrote (OUTPUT;
      "-": it wrote none, the release of REPORT had no rows), its levels
      applied to INPUT with the hierarchy files must give OUTPUT (less
      the classes suppressed), and its own figures must be REPORT's
      (kanon -r --json of the same options)

Prints one line per record: the gates and "N checks as expected", or
each difference ("MISMATCH ...") and exits 1.
"""
import json
import math
import re
import sys

import pandas as pd

TAKES = {"-d", "-q", "--quasi", "-k", "-s", "--sensitive", "-l", "-t",
         "--ldiv", "--c", "--max-suppress", "--audit", "-o", "--hierarchy",
         "--method", "--metric", "--levels", "--max-nodes",
         "--mark-suppressed", "--max-classes"}
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def options(args):
    o = {"k": 2, "suppress": False, "max_suppress": None, "hier": {},
         "s": None, "l": None, "t": None, "d": ",", "files": []}
    i = 0
    while i < len(args):
        a = args[i]
        v = args[i + 1] if a in TAKES else None
        if a in ("-q", "--quasi"):
            o["q"] = v.split(",")
        elif a == "-k":
            o["k"] = int(v)
        elif a in ("-s", "--sensitive"):
            o["s"] = v
        elif a == "-l":
            o["l"] = float(v)
        elif a == "-t":
            o["t"] = float(v)
        elif a == "-d":
            o["d"] = v
        elif a == "--suppress":
            o["suppress"] = True
        elif a == "--max-suppress":
            o["max_suppress"] = float(v)
        elif a == "--hierarchy":
            col, path = v.split("=", 1)
            o["hier"][col] = path
        elif a == "--ldiv":
            assert v == "distinct", "only distinct l here"
        elif a not in TAKES and not a.startswith("-"):
            o["files"].append(a)
        i += 2 if a in TAKES else 1
    return o


def read(path, delim):
    return pd.read_csv(path, sep=delim, dtype=str, keep_default_na=False)


def distance(p, q):
    """t-closeness distance of class shares p to table shares q."""
    vals = list(q.index)
    if all(NUMBER.match(v) for v in vals):
        order = sorted(set(float(v) for v in vals))
        m = len(order)
        if m <= 1:
            return 0.0
        pn = p.groupby(p.index.map(float)).sum()
        qn = q.groupby(q.index.map(float)).sum()
        cum, total = 0.0, 0.0
        for x in order:
            cum += pn.get(x, 0.0) - qn.get(x, 0.0)
            total += abs(cum)
        return total / (m - 1)
    return 0.5 * sum(abs(p.get(v, 0.0) - q[v]) for v in vals)


def kcheck_figures(df, o, suppressed_extra=None, input_rows=None):
    """kcheck's gates and figures of df as [(name, observed, threshold,
    passed)]; suppression of classes under k when o["suppress"]."""
    k, qi = o["k"], o["q"]
    n_in = len(df) if input_rows is None else input_rows
    if len(df):
        size = df.groupby(qi, sort=False).size()
        df = df.assign(_size=df.groupby(qi, sort=False)[qi[0]]
                       .transform("size"))
    else:
        size = pd.Series([], dtype=int)
        df = df.assign(_size=pd.Series([], dtype=int))
    if o["suppress"]:
        gone = int(size[size < k].sum())
        df = df[df["_size"] >= k]
        size = size[size >= k]
    else:
        gone = 0 if suppressed_extra is None else suppressed_extra
    rows, classes = len(df), len(size)
    smallest = int(size.min()) if classes else 0
    fails = pd.Series(False, index=size.index)
    fails |= size < k
    lmin = tmax = 0.0
    if o["s"] is not None and rows:
        g = df.groupby(qi, sort=False)[o["s"]]
        if o["l"] is not None:
            distinct = g.nunique()
            lmin = float(distinct.min())
            fails |= distinct < o["l"]
        if o["t"] is not None:
            q = df[o["s"]].value_counts(normalize=True)
            d = g.apply(lambda col: distance(
                col.value_counts(normalize=True), q))
            tmax = float(d.max())
            fails |= d > o["t"] + 1e-12 * max(1.0, o["t"])
    out = [("k", smallest, k, bool((size >= k).all()))]
    if o["l"] is not None:
        out.append(("l", lmin, o["l"], bool(rows == 0 or lmin >= o["l"])))
    if o["t"] is not None:
        out.append(("t", tmax, o["t"],
                    bool(rows == 0 or tmax <= o["t"] + 1e-12))),
    if o.get("share_gate"):
        f = o["max_suppress"] if o["max_suppress"] is not None else 0.05
        out.append(("suppressed_share", gone / n_in if n_in else 0, f,
                    gone <= f * n_in + 1e-12 * max(1.0, f * n_in)))
    out += [("rows", rows, None, None), ("classes", classes, None, None),
            ("violating_classes", int(fails.sum()), None, None),
            ("suppressed_rows", gone, None, None),
            ("risk.prosecutor_max", 1 / smallest if rows else 0, None, None),
            ("risk.prosecutor_avg", classes / rows if rows else 0, None,
             None),
            ("risk.records_at_risk",
             int(size[size < k].sum()) / rows if rows else 0, None, None),
            ("risk.sample_uniqueness",
             int((size == 1).sum()) / rows if rows else 0, None, None)]
    bins = {}
    for s in size:
        s = int(s)
        if s <= 31:
            key, lo = str(s), s
        else:
            lo = 1 << (s.bit_length() - 1)
            key = "%d-%d" % (lo, 2 * lo - 1)
        bins.setdefault(lo, [key, 0])[1] += 1
    for lo in sorted(bins):
        out.append(("classes_of_size:" + bins[lo][0], bins[lo][1], None,
                    None))
    return out


def same(a, b):
    if isinstance(a, str) or isinstance(b, str) or a is None or b is None:
        return a == b
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15)


def compare(rec, want, label):
    got = [(c["name"], c["observed"], c["threshold"], c["passed"])
           for c in rec["run"]["facets"]["prep"]["checks"]]
    bad = []
    if [g[0] for g in got] != [w[0] for w in want]:
        bad.append("names: got %s, want %s" % ([g[0] for g in got],
                                                [w[0] for w in want]))
    else:
        for g, w in zip(got, want):
            if not all(same(x, y) for x, y in zip(g[1:], w[1:])):
                bad.append("%s: got %s, want %s" % (g[0], g[1:], w[1:]))
    exit_status = rec["run"]["facets"]["prep"]["exit_status"]
    gates = [g for g in got if g[3] is not None]
    if (exit_status == 0) != all(g[3] for g in gates):
        bad.append("exit %d with gates %s" % (exit_status, gates))
    if bad:
        for b in bad:
            print("MISMATCH", label, b)
        return 1
    shown = " ".join("%s=%.6g/%.6g %s" % (g[0], g[1], g[2],
                                          "passed" if g[3] else "failed")
                     for g in gates)
    print("%s exit %d: %s; %d checks as expected" % (label, exit_status,
                                                     shown, len(got)))
    return 0


def main(argv):
    recs = [json.loads(line) for line in open(argv[2])]
    rec = recs[int(argv[3]) - 1]
    args = rec["run"]["facets"]["prep"]["arguments"]
    o = options(args)
    job = rec["job"]["name"]
    assert job == argv[1], job
    if job == "kcheck":
        o["share_gate"] = o["suppress"]
        return compare(rec, kcheck_figures(read(argv[4], o["d"]), o),
                       "kcheck")
    inp = read(argv[4], o["d"])
    report = json.loads(open(argv[6]).read())
    if argv[5] == "-":
        out = inp.iloc[0:0]
    else:
        out = read(argv[5], o["d"])
        levels = report.get("levels", {})
        released = inp.copy()
        for col, path in o["hier"].items():
            h = pd.read_csv(path, sep=";", header=None, dtype=str,
                            keep_default_na=False)
            released[col] = inp[col].map(dict(zip(h[0], h[levels[col]])))
        if o["hier"]:
            # suppression drops whole classes: the rows of the released
            # tuples that are in the output must be the output
            qi = o["q"]
            kept = set(map(tuple, out[qi].values))
            mask = [tuple(t) in kept for t in released[qi].values]
            if not released[mask].reset_index(drop=True).equals(
                    out.reset_index(drop=True)):
                print("MISMATCH kanon: the levels applied to the input "
                      "are not the output")
                return 1
    # kanon suppresses within its own rules: the output is what is left
    o["suppress"] = False
    o["share_gate"] = o["max_suppress"] is not None
    want = kcheck_figures(out, o, suppressed_extra=len(inp) - len(out),
                          input_rows=len(inp))
    failed = rec["run"]["facets"]["prep"]["exit_status"] != 0
    if failed:
        want = [(n, ob, th, False if p is not None else None)
                for n, ob, th, p in want]
    want += [("method", report["method"], None, None),
             ("metric", report["metric"], None, None)]
    for col, lv in report.get("levels", {}).items():
        want.append(("level:" + col, lv, None, None))
    for name in ("loss", "dm", "aecs", "gcp", "nodes_checked"):
        want.append((name, report[name], None, None))
    return compare(rec, want, "kanon")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
