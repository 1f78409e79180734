#!/usr/bin/python3
"""Cross-check of oracle.py: evaluates nodes again the slow, plain way
(dicts and loops over rows and classes, no shared code with the oracle's
evaluation) and compares every figure with the oracle's for each node and
configuration given.

    naive.py ORACLE-ARGS... [--nodes all|N]

takes the oracle's own arguments (-d, -q, --hierarchy, -s, --config,
data) and checks all nodes, or N nodes drawn at random (fixed seed) plus
the bottom and the top.  Exits 1 on any difference."""

import collections
import itertools
import math
import os
import random
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402


def is_num(v):
    try:
        float(v)
    except ValueError:
        return False
    return oracle.is_number(v)


def naive(df, names, hiers, levels, cfg):
    n, d = len(df), len(names)
    maps = []
    for name, lv in zip(names, levels):
        maps.append({r[0]: r[lv] for r in hiers[name]})
    cols = [df[name].tolist() for name in names]
    sens = df[cfg.s].tolist() if cfg.s and (cfg.l or cfg.t) else None
    classes = collections.defaultdict(list)
    for i in range(n):
        classes[tuple(m[c[i]] for m, c in zip(maps, cols))].append(i)
    bad = set()
    for key, rows in classes.items():
        if len(rows) < cfg.k:
            bad.add(key)
            continue
        if cfg.l is not None:
            cnt = sorted(collections.Counter(sens[i] for i in rows).values(),
                         reverse=True)
            if cfg.ldiv == "distinct":
                ok = len(cnt) >= cfg.l
            elif cfg.ldiv == "entropy":
                h = -sum(c / len(rows) * math.log(c / len(rows)) for c in cnt)
                ok = h >= math.log(cfg.l) - 1e-12 * max(1, math.log(cfg.l))
            else:
                l = int(cfg.l)
                ok = len(cnt) >= l and cnt[0] < cfg.c * sum(cnt[l - 1:])
            if not ok:
                bad.add(key)
    if cfg.t is not None:
        numeric = all(is_num(v) for v in sens)
        val = (lambda v: float(v)) if numeric else (lambda v: v)
        while True:
            kept = [i for key, rows in classes.items() if key not in bad
                    for i in rows]
            if not kept:
                break
            q = collections.Counter(val(sens[i]) for i in kept)
            domain = sorted(q)
            over = []
            for key, rows in classes.items():
                if key in bad:
                    continue
                p = collections.Counter(val(sens[i]) for i in rows)
                if numeric:
                    if len(domain) == 1:
                        dist = 0.0
                    else:
                        acc, tot = 0.0, 0.0
                        for v in domain:
                            acc += p[v] / len(rows) - q[v] / len(kept)
                            tot += abs(acc)
                        dist = tot / (len(domain) - 1)
                else:
                    dist = 0.5 * sum(abs(p[v] / len(rows) - q[v] / len(kept))
                                     for v in domain)
                if dist > cfg.t + 1e-12 * max(1, cfg.t):
                    over.append(key)
            if not over:
                break
            bad.update(over)
    s = sum(len(classes[key]) for key in bad)
    kept = [key for key in classes if key not in bad]
    dm = sum(len(classes[key]) ** 2 for key in kept) + n * s
    aecs = (n - s) / (len(kept) * cfg.k) if kept else 0.0
    ncp_total = float(s * d)
    loss = 1.0
    for j, (name, lv) in enumerate(zip(names, levels)):
        h = hiers[name]
        present = set(cols[j])
        leaves = collections.Counter(r[lv] for r in h)
        numeric = all(is_num(v) for v in present)
        if numeric:
            vals = [float(v) for v in present]
            rng = max(vals) - min(vals)
            cover = collections.defaultdict(list)
            for r in h:
                if r[0] in present:
                    cover[r[lv]].append(float(r[0]))
        S = float(s)
        for key in kept:
            lab = key[j]
            m = len(classes[key])
            if numeric:
                ncp = (max(cover[lab]) - min(cover[lab])) / rng if rng else 0.0
            else:
                ncp = (leaves[lab] - 1) / (len(h) - 1) if len(h) > 1 else 0.0
            ncp_total += m * ncp
            S += m * leaves[lab] / len(h)
        base = n / len(h)
        Lj = max(0.0, (S - base) / (n - base)) if len(h) > 1 else 0.0
        loss *= (1 + Lj) ** (1 / d)
    return {
        "passes": s <= cfg.F * n * (1 + 1e-9),
        "rows": n - s,
        "classes": len(kept),
        "min_class_size": min((len(classes[key]) for key in kept), default=0),
        "suppressed_rows": s,
        "dm": dm,
        "aecs": aecs,
        "gcp": ncp_total / (n * d),
        "loss": loss - 1,
    }


def main():
    argv = sys.argv[1:]
    which = "all"
    if "--nodes" in argv:
        i = argv.index("--nodes")
        which = argv[i + 1]
        del argv[i:i + 2]
    sys.argv = [sys.argv[0]] + argv
    ap_args = parse(argv)
    df, qis = oracle.load(ap_args)
    names = [q.name for q in qis]
    hiers = {}
    for h in ap_args.hierarchy:
        col, path = h.split("=", 1)
        hiers[col] = oracle.read_hierarchy(path)
    cfgs = [oracle.Config(s, ap_args.sensitive) for s in ap_args.config]
    sens = {c.s: oracle.Sensitive(c.s, df[c.s].tolist())
            for c in cfgs if c.s and (c.l is not None or c.t is not None)}
    lat = oracle.Lattice(qis, sens)
    nodes = list(itertools.product(*[range(h) for h in lat.heights]))
    if which != "all":
        rnd = random.Random(7)
        nodes = [nodes[0], nodes[-1]] + rnd.sample(nodes[1:-1], int(which))
    # the partitions as the search makes them (each from its parent's
    # in the depth-first walk), not from the rows
    wanted = set(nodes)
    parts = {}
    lat.walk(lambda lv, part: parts.__setitem__(lv, part) if lv in wanted
             else None)
    bad = 0
    for levels in nodes:
        part = parts[levels]
        for cfg in cfgs:
            got = oracle.evaluate(lat, levels, part, cfg)
            want = naive(df, names, hiers, levels, cfg)
            for key, w in want.items():
                g = got[key]
                same = (g == w if isinstance(w, (int, bool))
                        else abs(g - w) <= 1e-9 * max(1.0, abs(w)))
                if not same:
                    bad += 1
                    print("node %s %s: %s oracle %r naive %r"
                          % (levels, cfg.spec, key, g, w))
    print("naive: %d nodes x %d configurations, %d differences"
          % (len(nodes), len(cfgs), bad))
    sys.exit(1 if bad else 0)


def parse(argv):
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("-d", "--delimiter", default=",")
    ap.add_argument("-q", "--quasi", required=True)
    ap.add_argument("--hierarchy", action="append", default=[])
    ap.add_argument("-s", "--sensitive")
    ap.add_argument("--config", action="append", default=[])
    ap.add_argument("--domain", default="hierarchy")
    ap.add_argument("data")
    return ap.parse_args(argv)


if __name__ == "__main__":
    main()
