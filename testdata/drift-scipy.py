#!/usr/bin/python3
"""drift-scipy.py REF CUR REPORT: check drift --json's REPORT of REF
against CUR (CSV files) with scipy and pandas, computed here from the
data: each column's statistic within the error drift reports (plus 1e-9
relative for rounding) and its verdict by the statistic's own rule, for
the methods drift names. Exits 1 naming what differs; prints each column,
its method, verdict and scipy's figure (6 digits) when all agree."""
import json
import sys

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial.distance import jensenshannon

ref = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
cur = pd.read_csv(sys.argv[2], dtype=str, keep_default_na=False)
rep = json.load(open(sys.argv[3]))
bad = 0


def numbers(s):
    return pd.to_numeric(s[s != ""]).to_numpy(dtype=float)


def value_bins(a, b):
    a = a[a != ""]
    b = b[b != ""]
    keys = sorted(set(a) | set(b))
    ra = a.value_counts()
    cb = b.value_counts()
    return (np.array([ra.get(k, 0) for k in keys], dtype=float),
            np.array([cb.get(k, 0) for k in keys], dtype=float))


def decile_bins(a, b):
    # the reference's deciles: the least value with F(x) >= q
    s = np.sort(a)
    edges = []
    for i in range(1, 10):
        q = s[int(np.ceil(i / 10 * len(s))) - 1]
        if not edges or q > edges[-1]:
            edges.append(q)
    def shares(v):
        f = [np.mean(v <= e) for e in edges] + [1.0]
        return np.diff([0.0] + f) * len(v)
    return shares(a), shares(b)


for c in rep["columns"]:
    name, m = c["column"], c["method"]
    a, b = ref[name], cur[name]
    numeric = c["kind"] == "numeric"
    if m == "ks":
        want = stats.ks_2samp(numbers(a), numbers(b)).pvalue
        # the p-value is taken at D - error: at least scipy's
        d = stats.ks_2samp(numbers(a), numbers(b)).statistic
        ok = abs(c["ks_d"] - d) <= c["error"] + 1e-12
        drifted = want <= c["threshold"]
        if c["error"] == 0:
            ok = ok and abs(c["statistic"] - want) <= 1e-9 * max(want, 1e-300) + 1e-15
    elif m == "wasserstein":
        x, y = numbers(a), numbers(b)
        want = stats.wasserstein_distance(x, y) / max(np.std(x), 0.001)
        ok = abs(c["statistic"] - want) <= c["error"] + 1e-9 * want
        drifted = want >= c["threshold"]
    else:
        few = not numeric or len(set(a[a != ""]) | set(b[b != ""])) <= 5
        r, k = value_bins(a, b) if few else decile_bins(numbers(a), numbers(b))
        if m == "chi2":
            keep = (r + k) > 0
            want = stats.chi2_contingency(np.array([r[keep], k[keep]]),
                                          correction=False)[1]
            drifted = want < c["threshold"]
        elif m == "js":
            want = jensenshannon(r / r.sum(), k / k.sum())
            drifted = want >= c["threshold"]
        elif m == "psi":
            p = np.where(r == 0, 1e-4, r / r.sum())
            q = np.where(k == 0, 1e-4, k / k.sum())
            want = float(np.sum((q - p) * np.log(q / p)))
            drifted = want >= c["threshold"]
        elif m == "hellinger":
            p, q = r / r.sum(), k / k.sum()
            want = float(np.sqrt(np.sum((np.sqrt(p) - np.sqrt(q)) ** 2) / 2))
            drifted = want >= c["threshold"]
        ok = abs(c["statistic"] - want) <= c["error"] + 1e-9 * abs(want) + 1e-12
    if not ok or drifted != c["drifted"]:
        print("%s %s: drift says %r (%s), scipy %r (%s)" % (
            name, m, c["statistic"], c["drifted"], want, drifted))
        bad = 1
    else:
        print("%s %s %s %.6g" % (name, m, "drifted" if drifted else "stable", want))
sys.exit(bad)
