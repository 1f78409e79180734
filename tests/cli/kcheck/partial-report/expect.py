#!/usr/bin/python3
"""expect.py FILE ARGS...: kcheck's figures of FILE (';'-separated) for
the options ARGS (-q, -k, -s, -l, --ldiv, --c, -t), computed with pandas
from the definitions in kcheck(1), printed as kcheck -r prints them."""
import math
import sys

import pandas as pd

path, args = sys.argv[1], sys.argv[2:]
opt = dict(zip(args[::2], args[1::2]))
qis = opt["-q"].split(",")
k = int(opt.get("-k", 2))
s = opt.get("-s")
ldiv = opt.get("--ldiv", "distinct")
c = float(opt.get("--c", 1))
L = float(opt["-l"]) if "-l" in opt else None
T = float(opt["-t"]) if "-t" in opt else None
df = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
groups = df.groupby(qis, sort=False)
size = groups.size()


def lval(vc):
    r = sorted(vc.values, reverse=True)
    n = sum(r)
    if ldiv == "distinct":
        return len(r), len(r) >= L
    if ldiv == "entropy":
        h = -sum(x / n * math.log(x / n) for x in r)
        return math.exp(h), h >= math.log(L) - 1e-12 * max(1, math.log(L))
    best = 0
    for l in range(len(r), 0, -1):
        if r[0] < c * sum(r[l - 1:]):
            best = l
            break
    return best, best >= L


if s is not None:
    q = df[s].value_counts(normalize=True)
    try:
        num = {v: float(v) for v in q.index}
    except ValueError:
        num = None
    if num is not None:
        xs = sorted(set(num.values()))
        rank = {v: xs.index(num[v]) for v in q.index}
        qr = [0.0] * len(xs)
        for v, share in q.items():
            qr[rank[v]] += share


def tval(vc):
    p = vc / vc.sum()
    if num is None:
        return 0.5 * sum(abs(p.get(v, 0) - q[v]) for v in q.index)
    if len(xs) == 1:
        return 0.0
    pr = [0.0] * len(xs)
    for v, share in p.items():
        pr[rank[v]] += share
    acc, tot = 0.0, 0.0
    for i in range(len(xs)):
        acc += pr[i] - qr[i]
        tot += abs(acc)
    return tot / (len(xs) - 1)


viol_c = viol_r = 0
lmin, tmax = None, 0.0
for key, g in groups:
    n = len(g)
    bad = n < k
    if s is not None:
        vc = g[s].value_counts()
        if L is not None:
            lv, ok = lval(vc)
            lmin = lv if lmin is None else min(lmin, lv)
            bad = bad or not ok
        if T is not None:
            tv = tval(vc)
            tmax = max(tmax, tv)
            bad = bad or tv > T + 1e-12
    if bad:
        viol_c += 1
        viol_r += n
print("rows: %d" % len(df))
print("classes: %d" % len(size))
print("min_class_size: %d" % size.min())
print("violating_classes: %d" % viol_c)
print("violating_rows: %d" % viol_r)
if L is not None:
    extra = ", c=%g" % c if ldiv == "recursive" else ""
    print("l_min: %.10g (%s%s)" % (lmin, ldiv, extra))
if T is not None:
    print("t_max: %.10g (%s)" % (tmax, "equal" if num is None else "ordered"))
print("satisfied: %s" % ("no" if viol_c else "yes"))
