#!/usr/bin/python3
"""Brute-force oracle for kanon's global recoding (full-domain generalization).

It enumerates every node (level vector) of the generalization lattice and
applies the suppression rule: the classes that fail k-anonymity or
l-diversity are suppressed, then t-closeness is enforced by suppressing the
classes farther than t from the distribution of the remaining rows, again
until none is.  A node passes when at most F*n rows went.  For each
configuration it finds the passing node with the lowest metric; ties go to
the lowest sum of levels, then to the lexicographically smallest level
vector (QI order as given).

It is written from the definitions, not from any implementation, so
that it can check one.  n = input rows, d = QIs, s = suppressed rows:
  dm   = sum over kept classes of |E|^2 + n*s
  aecs = (n - s) / (C*k), C = kept classes (0 when C = 0)
  gcp  = mean over rows and QIs of NCP: 1 for a suppressed row; numeric
         QI (every data value a number): (max - min)/range of the data
         values the label covers; categorical: (leaves - 1)/(|D_j| - 1),
         leaves and |D_j| counted in hierarchy rows
  loss = ARX's default model: S_j = sum over kept rows of leaves/|D_j|
         plus s; L_j = (S_j - n/|D_j|)/(n - n/|D_j|) clipped at 0;
         loss = prod_j (1 + L_j)^(1/d) - 1
l-diversity and t-closeness as kcheck(1) defines them; t-closeness is
measured against the rows still kept, and the ordered distance (used when
every value of the input's column is a number) runs over the values those
rows hold, as kcheck on the released data measures it.

    oracle.py -d ';' -q A,B --hierarchy A=FILE --hierarchy B=FILE \\
        --config k=5,F=0,metric=loss \\
        --config k=2,F=0.05,metric=dm,s=COL,l=2,ldiv=entropy,t=0.2 \\
        [--node 1,0] [--release-dir DIR] [--emit] DATA.csv

Configuration keys: k, F, metric (loss|dm|aecs|gcp), s (sensitive column;
default -s), l, ldiv (distinct|entropy|recursive), c, t.

Output: one JSON object on one line: the input's size, the lattice's and
"results", one per --config in order, each with the optimum's levels, rows,
classes, min_class_size, suppressed_rows, dm, aecs, gcp, loss, satisfied,
passing_nodes and near_ties (other passing nodes whose metric is within
1e-9 of the optimum's, relative).  With --node that node is evaluated
instead of searched for ("passes" says whether it passes; without
--config, k=2,F=0,metric=loss).
--release-dir DIR writes DIR/I.csv, the released data of result I (header,
kept rows in input order, QIs replaced by their labels at the levels).
--emit (one --config) writes that release to stdout instead of the JSON.

Speed: the classes of a node are computed once, by coarsening the classes
of its parent in a depth-first walk over the QIs (integer label codes, a
mixed-radix int64 key and np.unique), and every configuration is
evaluated on them.

References: Sweeney 2002 (k-anonymity); Machanavajjhala et al. 2006
(l-diversity); Li, Li and Venkatasubramanian 2007 (t-closeness); Bayardo
and Agrawal 2005 (discernibility); Iyengar 2002 (loss); Ghinita et al.
2007 (NCP, GCP); Prasser et al., ARX (the loss model's aggregation).
"""

import argparse
import csv
import io
import json
import math
import os
import re
import sys
import time

import numpy as np
import pandas as pd

# A number as kcheck(1) reads one: sign, digits, optional fraction and
# exponent, no blanks.
NUMBER = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$")
SUPPRESS_TOL = 1e-9  # s <= F*n, relative (kcheck's gate as the rules say)
CHECK_TOL = 1e-12  # entropy and t bounds, as kcheck(1) compares them
TIE_TOL = 1e-12  # metric values this close (relative) are a tie
NEAR_TOL = 1e-9  # reported as near ties


def is_number(s):
    return NUMBER.match(s) is not None


def slack(bound):
    """kcheck's tolerance: relative to the bound, absolute below 1."""
    return CHECK_TOL * max(1.0, abs(bound))


def read_hierarchy(path):
    with open(path, newline="", encoding="utf-8") as f:
        text = f.read()
    if text.startswith("\ufeff"):
        text = text[1:]
    # The delimiter is whichever of ; , tab | occurs most often in the
    # first line outside quotes (ties in that order), as anonymize(1)
    # documents for hierarchy files.
    first = re.sub(r'"[^"]*"', "", text.split("\n", 1)[0])
    seps = ";,\t|"
    delim = max(seps, key=lambda ch: (first.count(ch), -seps.index(ch)))
    rows = [r for r in csv.reader(io.StringIO(text), delimiter=delim) if r]
    if not rows:
        sys.exit("%s: empty hierarchy" % path)
    width = len(rows[0])
    for r in rows:
        if len(r) != width:
            sys.exit("%s: ragged hierarchy row %r" % (path, r))
    return rows


class Qi:
    """One quasi-identifier: per level, the integer code of every row's
    label, the label texts and the per-label NCP and share."""

    def __init__(self, name, values, hier_rows):
        self.name = name
        self.height = len(hier_rows[0])
        self.hsize = len(hier_rows)  # |D_j|: the hierarchy's rows
        index = {}
        for i, r in enumerate(hier_rows):
            if r[0] in index:
                sys.exit("%s: value %r twice in its hierarchy" % (name, r[0]))
            index[r[0]] = i
        distinct = sorted(set(values))
        missing = [v for v in distinct if v not in index]
        if missing:
            sys.exit("%s: values not in the hierarchy: %r" % (name, missing[:5]))
        hrow = np.array([index[v] for v in values], dtype=np.int64)
        # Numeric when every data value parses as a number: NCP is then
        # the covered data values' (max - min) over the column's range.
        self.numeric = all(is_number(v) for v in distinct)
        if self.numeric:
            num = {v: float(v) for v in distinct}
            rng = max(num.values()) - min(num.values())
        self.codes, self.labels, self.ncp, self.share = [], [], [], []
        for lvl in range(self.height):
            col = [r[lvl] for r in hier_rows]
            labels = list(dict.fromkeys(col))
            lcode = {lab: i for i, lab in enumerate(labels)}
            hcode = np.array([lcode[c] for c in col], dtype=np.int64)
            leaves = np.bincount(hcode, minlength=len(labels)).astype(np.float64)
            self.codes.append(hcode[hrow])
            self.labels.append(labels)
            self.share.append(leaves / self.hsize)
            ncp = np.zeros(len(labels))
            if self.numeric:
                if rng > 0:
                    mn = np.full(len(labels), np.inf)
                    mx = np.full(len(labels), -np.inf)
                    for v in distinct:
                        c = hcode[index[v]]
                        mn[c] = min(mn[c], num[v])
                        mx[c] = max(mx[c], num[v])
                    used = np.isfinite(mn)
                    ncp[used] = (mx[used] - mn[used]) / rng
            elif self.hsize > 1:
                ncp = (leaves - 1) / (self.hsize - 1)
            self.ncp.append(ncp)
        self.card = [len(lab) for lab in self.labels]


class Sensitive:
    """Codes of a sensitive column: byte for byte (l-diversity, equal
    distance) and, when every value is a number, by numeric value
    (ordered distance; '5' and '5.0' are one value)."""

    def __init__(self, name, values):
        self.name = name
        distinct = sorted(set(values))
        self.numeric = len(distinct) > 0 and all(is_number(v) for v in distinct)
        bcode = {v: i for i, v in enumerate(distinct)}
        self.bytes = np.array([bcode[v] for v in values], dtype=np.int64)
        self.nbytes = len(distinct)
        if self.numeric:
            nums = sorted(set(float(v) for v in distinct))
            ncode = {x: i for i, x in enumerate(nums)}
            self.order = np.array([ncode[float(v)] for v in values],
                                  dtype=np.int64)
            self.norder = len(nums)


class Config:
    KEYS = ("k", "F", "metric", "s", "l", "ldiv", "c", "t")

    def __init__(self, spec, default_s):
        self.spec = spec
        kv = {}
        for part in spec.split(","):
            if "=" not in part:
                sys.exit("bad --config %r" % spec)
            a, b = part.split("=", 1)
            kv[a.strip()] = b.strip()
        bad = sorted(set(kv) - set(self.KEYS))
        if bad:
            sys.exit("unknown keys %r in --config %r" % (bad, spec))
        self.k = int(kv.get("k", "2"))
        self.F = float(kv.get("F", "0"))
        self.metric = kv.get("metric", "loss")
        if self.metric not in ("loss", "dm", "aecs", "gcp"):
            sys.exit("bad metric in %r" % spec)
        self.s = kv.get("s", default_s)
        self.l = float(kv["l"]) if "l" in kv else None
        self.ldiv = kv.get("ldiv", "distinct")
        if self.ldiv not in ("distinct", "entropy", "recursive"):
            sys.exit("bad ldiv in %r" % spec)
        self.c = float(kv.get("c", "1"))
        self.t = float(kv["t"]) if "t" in kv else None
        if (self.l is not None or self.t is not None) and not self.s:
            sys.exit("--config %r needs a sensitive column (s=COL or -s)" % spec)

    def describe(self):
        d = {"k": self.k, "F": self.F, "metric": self.metric}
        if self.l is not None or self.t is not None:
            d["s"] = self.s
        if self.l is not None:
            d.update(l=self.l, ldiv=self.ldiv)
            if self.ldiv == "recursive":
                d["c"] = self.c
        if self.t is not None:
            d["t"] = self.t
        return d


class Partition:
    """Classes of a node: a representative row and the row count of each,
    and per sensitive column its (class, value code, count) triples, by
    bytes and (numeric columns) by numeric rank."""

    __slots__ = ("rep", "count", "pairs", "opairs")

    def __init__(self, rep, count, pairs, opairs):
        self.rep = rep
        self.count = count
        self.pairs = pairs
        self.opairs = opairs


def merge_pairs(inv, triple, width):
    g, v, c = triple
    u, pinv = np.unique(inv[g] * width + v, return_inverse=True)
    cnt = np.bincount(pinv, weights=c).astype(np.int64)
    return (u // width, u % width, cnt)


class Lattice:
    def __init__(self, qis, sens):
        self.qis = qis
        self.sens = sens  # name -> Sensitive
        self.n = len(qis[0].codes[0])
        self.d = len(qis)
        self.heights = [q.height for q in qis]
        self.size = int(np.prod(self.heights))

    def key(self, levels, rows):
        k = np.zeros(len(rows), dtype=np.int64)
        m = 1
        for q, lv in zip(self.qis, levels):
            k += q.codes[lv][rows] * m
            m *= q.card[lv]
            if m >= 2**62:
                sys.exit("class key does not fit in 64 bits")
        return k

    def rows(self):
        """The finest partition: every row its own class."""
        n = self.n
        one = np.ones(n, dtype=np.int64)
        pairs = {s: (np.arange(n), x.bytes, one) for s, x in self.sens.items()}
        opairs = {s: (np.arange(n), x.order, one)
                  for s, x in self.sens.items() if x.numeric}
        return Partition(np.arange(n), one, pairs, opairs)

    def coarsen(self, part, levels):
        """Classes at levels, from a finer partition's."""
        _, idx, inv = np.unique(self.key(levels, part.rep),
                                return_index=True, return_inverse=True)
        count = np.bincount(inv, weights=part.count).astype(np.int64)
        pairs = {s: merge_pairs(inv, t, self.sens[s].nbytes)
                 for s, t in part.pairs.items()}
        opairs = {s: merge_pairs(inv, t, self.sens[s].norder)
                  for s, t in part.opairs.items()}
        return Partition(part.rep[idx], count, pairs, opairs)

    def walk(self, visit):
        """visit(levels, partition) for every node, depth first over the
        QIs: a node's classes come from its parent's by coarsening."""
        levels = [0] * self.d

        def rec(j, part):
            if j == self.d:
                visit(tuple(levels), part)
                return
            for lv in range(self.heights[j]):
                levels[j] = lv
                if lv > 0:
                    part = self.coarsen(part, levels)
                rec(j + 1, part)
            levels[j] = 0

        rec(0, self.coarsen(self.rows(), levels))


def ldiv_fail(part, cfg):
    """Mask of the classes that fail l-diversity (kcheck(1)'s variants)."""
    g, _, c = part.pairs[cfg.s]
    nclass = len(part.count)
    m = np.bincount(g, minlength=nclass)
    if cfg.ldiv == "distinct":
        return m < cfg.l
    if cfg.ldiv == "entropy":
        p = c / part.count[g]
        h = np.bincount(g, weights=-p * np.log(p), minlength=nclass)
        bound = math.log(cfg.l)
        return h < bound - slack(bound)
    # recursive (c,l): r1 < c * (r_l + ... + r_m), counts descending; a
    # class with fewer than l values fails (the sum is empty)
    lint = int(cfg.l)
    order = np.lexsort((-c, g))
    gs, cs = g[order], c[order]
    rank = np.arange(len(gs)) - np.searchsorted(gs, gs)
    r1 = np.zeros(nclass)
    r1[gs[rank == 0]] = cs[rank == 0]
    tail = np.bincount(gs[rank >= lint - 1], weights=cs[rank >= lint - 1],
                       minlength=nclass)
    return ~((m >= lint) & (r1 < cfg.c * tail))


def tclose_fail(lat, part, fail, cfg):
    """Suppress the classes farther than t from the distribution of the
    remaining rows, repeatedly, until none is; the new fail mask."""
    sens = lat.sens[cfg.s]
    if sens.numeric:
        g, v, c = part.opairs[cfg.s]
        width = sens.norder
    else:
        g, v, c = part.pairs[cfg.s]
        width = sens.nbytes
    dense = np.zeros((len(part.count), width))
    np.add.at(dense, (g, v), c)
    fail = fail.copy()
    while True:
        keep = np.flatnonzero(~fail)
        if len(keep) == 0:
            return fail
        rows = dense[keep]
        kc = part.count[keep].astype(np.float64)
        q = rows.sum(axis=0) / kc.sum()
        p = rows / kc[:, None]
        if sens.numeric:
            # ordered distance over the m distinct values of the remaining
            # rows, sorted by numeric value
            present = q > 0
            m = int(present.sum())
            if m <= 1:
                dist = np.zeros(len(keep))
            else:
                diff = (p - q)[:, present]
                dist = np.abs(np.cumsum(diff, axis=1)).sum(axis=1) / (m - 1)
        else:
            dist = 0.5 * np.abs(p - q).sum(axis=1)
        over = dist > cfg.t + slack(cfg.t)
        if not over.any():
            return fail
        fail[keep[over]] = True


def class_tables(lat, levels, part):
    """Per class: the sum of NCP over the QIs, and the share per QI."""
    ncp = np.zeros(len(part.count))
    shares = []
    for q, lv in zip(lat.qis, levels):
        code = q.codes[lv][part.rep]
        ncp += q.ncp[lv][code]
        shares.append(q.share[lv][code])
    return ncp, shares


def suppressed(lat, part, cfg):
    fail = part.count < cfg.k
    if cfg.l is not None:
        fail = fail | ldiv_fail(part, cfg)
    if cfg.t is not None:
        fail = tclose_fail(lat, part, fail, cfg)
    return fail


def evaluate(lat, levels, part, cfg, tables=None):
    """Suppression and metrics of one node under one configuration."""
    n, d = lat.n, lat.d
    fail = suppressed(lat, part, cfg)
    keep = ~fail
    kc = part.count[keep]
    s = int(part.count[fail].sum())
    C = int(len(kc))
    ncp, shares = tables if tables is not None else class_tables(lat, levels, part)
    dm = int((kc.astype(np.int64) ** 2).sum()) + n * s
    aecs = (n - s) / (C * cfg.k) if C > 0 else 0.0
    # NCP is 1 for every QI of a suppressed row
    gcp = (float((kc * ncp[keep]).sum()) + s * d) / (n * d)
    prod = 1.0
    for q, sh in zip(lat.qis, shares):
        # each suppressed row adds 1 to S_j
        S = float((kc * sh[keep]).sum()) + s
        base = n / q.hsize
        Lj = 0.0 if q.hsize == 1 else max(0.0, (S - base) / (n - base))
        prod *= (1.0 + Lj) ** (1.0 / d)
    return {
        "passes": s <= cfg.F * n * (1 + SUPPRESS_TOL),
        "levels": {q.name: int(lv) for q, lv in zip(lat.qis, levels)},
        "rows": n - s,
        "classes": C,
        "min_class_size": int(kc.min()) if C else 0,
        "suppressed_rows": s,
        "dm": dm,
        "aecs": aecs,
        "gcp": gcp,
        "loss": prod - 1.0,
    }


def better(a, b, metric):
    """Is a better than b: lower metric, then lower level sum, then the
    lexicographically smaller level vector?"""
    va, vb = a[metric], b[metric]
    if abs(va - vb) > TIE_TOL * max(abs(va), abs(vb)):
        return va < vb
    la, lb = a["_levels"], b["_levels"]
    if sum(la) != sum(lb):
        return sum(la) < sum(lb)
    return la < lb


def search(lat, cfgs):
    best = [None] * len(cfgs)
    passing = [0] * len(cfgs)
    values = [[] for _ in cfgs]

    def visit(levels, part):
        tables = class_tables(lat, levels, part)
        for i, cfg in enumerate(cfgs):
            r = evaluate(lat, levels, part, cfg, tables)
            if not r["passes"]:
                continue
            passing[i] += 1
            values[i].append(r[cfg.metric])
            r["_levels"] = levels
            if best[i] is None or better(r, best[i], cfg.metric):
                best[i] = r

    lat.walk(visit)
    results = []
    for i, cfg in enumerate(cfgs):
        r = best[i]
        if r is None:
            r = {"levels": None, "_levels": None}
            near = 0
        else:
            r = dict(r)
            v = r[cfg.metric]
            near = sum(1 for x in values[i]
                       if abs(x - v) <= NEAR_TOL * max(abs(v), 1e-300)) - 1
        r.pop("passes", None)
        r["satisfied"] = best[i] is not None
        r["passing_nodes"] = passing[i]
        r["near_ties"] = near
        r["config"] = cfg.describe()
        results.append(r)
    return results


def release(df, lat, levels, cfg):
    """The released data of a node: kept rows in input order, QIs
    replaced by their labels."""
    rows = lat.rows()
    part = lat.coarsen(rows, list(levels))
    fail = suppressed(lat, part, cfg)
    # class of every row: the position of its key among the classes'
    ck = lat.key(list(levels), part.rep)
    order = np.argsort(ck)
    cls = order[np.searchsorted(ck[order], lat.key(list(levels), rows.rep))]
    rel = df.copy()
    for q, lv in zip(lat.qis, levels):
        rel[q.name] = np.array(q.labels[lv], dtype=object)[q.codes[lv]]
    return rel[~fail[cls]]


def write_release(rel, delim, out):
    rel.to_csv(out, sep=delim, index=False, lineterminator="\n")


def load(args):
    df = pd.read_csv(args.data, sep=args.delimiter, dtype=str,
                     keep_default_na=False, na_filter=False)
    hier = {}
    for h in args.hierarchy:
        col, path = h.split("=", 1)
        hier[col] = path
    qis = []
    for name in args.quasi.split(","):
        if name not in df.columns:
            sys.exit("no column %r" % name)
        if name not in hier:
            sys.exit("no hierarchy for %r" % name)
        rows = read_hierarchy(hier[name])
        if args.domain == "data":
            present = set(df[name])
            rows = [r for r in rows if r[0] in present]
        qis.append(Qi(name, df[name].tolist(), rows))
    return df, qis


def main():
    ap = argparse.ArgumentParser(
        description="brute-force oracle for kanon --method global")
    ap.add_argument("-d", "--delimiter", default=",")
    ap.add_argument("-q", "--quasi", required=True)
    ap.add_argument("--hierarchy", action="append", default=[],
                    metavar="COL=FILE")
    ap.add_argument("-s", "--sensitive", help="default sensitive column")
    ap.add_argument("--config", action="append", default=[],
                    help="k=K,F=F,metric=M[,s=COL,l=L,ldiv=V,c=C,t=T]")
    ap.add_argument("--node", help="evaluate this level vector (L,L,...)")
    ap.add_argument("--release-dir", help="write DIR/I.csv per result")
    ap.add_argument("--emit", action="store_true",
                    help="write the release of the one result to stdout")
    ap.add_argument("--domain", choices=("hierarchy", "data"),
                    default="hierarchy",
                    help="|D_j| and leaves count the hierarchy's rows (the "
                    "definition) or only the values present in the data "
                    "(another reading, kept to compare with ARX)")
    ap.add_argument("data")
    args = ap.parse_args()
    if args.delimiter in ("tab", "\\t"):
        args.delimiter = "\t"
    t0 = time.time()
    df, qis = load(args)
    cfgs = [Config(s, args.sensitive)
            for s in (args.config or ["k=2,F=0,metric=loss"])]
    sens = {}
    for cfg in cfgs:
        if cfg.s and cfg.s not in sens and (cfg.l is not None or cfg.t is not None):
            if cfg.s not in df.columns:
                sys.exit("no column %r" % cfg.s)
            sens[cfg.s] = Sensitive(cfg.s, df[cfg.s].tolist())
    lat = Lattice(qis, sens)

    if args.node:
        levels = tuple(int(x) for x in args.node.split(","))
        if len(levels) != lat.d or any(
                not 0 <= lv < h for lv, h in zip(levels, lat.heights)):
            sys.exit("--node needs %d levels within %r" % (lat.d, lat.heights))
        part = lat.coarsen(lat.rows(), list(levels))
        results = []
        for cfg in cfgs:
            r = evaluate(lat, levels, part, cfg)
            r["_levels"] = levels if r["passes"] else None
            r["config"] = cfg.describe()
            results.append(r)
    else:
        results = search(lat, cfgs)

    if args.emit:
        if len(cfgs) != 1:
            sys.exit("--emit takes one --config")
        if results[0]["_levels"] is None:
            sys.exit(1)
        write_release(release(df, lat, results[0]["_levels"], cfgs[0]),
                      args.delimiter, sys.stdout)
        return
    if args.release_dir:
        os.makedirs(args.release_dir, exist_ok=True)
        for i, (r, cfg) in enumerate(zip(results, cfgs)):
            if r["_levels"] is not None:
                with open(os.path.join(args.release_dir, "%d.csv" % i), "w",
                          newline="") as f:
                    write_release(release(df, lat, r["_levels"], cfg),
                                  args.delimiter, f)
    for r in results:
        r.pop("_levels", None)
    out = {
        "rows": lat.n,
        "qis": [q.name for q in qis],
        "heights": lat.heights,
        "nodes": lat.size,
        "seconds": round(time.time() - t0, 3),
        "results": results,
    }
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
