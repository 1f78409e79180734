#!/usr/bin/python3
"""bias_ref.py: the figures of fairness --proxies and --population,
computed apart with pandas and scipy, against a JSON report of fairness.

  bias_ref.py proxies DATA DELIM PROTECTED REPORT [MISSING [CATEGORICAL]]
  bias_ref.py population DATA DELIM GROUPS POPFILE REPORT

DATA is read as strings, nothing taken for missing but the cells equal
to one of MISSING (comma-separated; default: the empty cell). PROTECTED,
GROUPS and CATEGORICAL (columns measured as categorical whatever their
values) are comma-separated column names. Every figure of REPORT must
equal the one computed here within 1e-9 (NA: null on both sides); the
order of the proxies must be by strength, descending, NA last, ties by
name. Prints what it compared; exits 1 on the first difference.

Proxies, from the crosstab of each column X (missing values a value of
their own) and the protected attribute A (the tuple of the PROTECTED
columns), n rows, k values, r levels, R, C the sums:
  Cramer's V, bias-corrected (Bergsma 2013), by hand: scipy's
  contingency.association is the uncorrected V;
  NMI = I(X;A) / ((H(X) + H(A)) / 2), natural logarithms;
  eta, for a column whose every value that is not missing is a number
  (the syntax of fairness(1): sign, digits, '.', exponent), from the
  group means of those rows: sqrt(sum n_g (mean_g - mean)^2 /
  sum (x - mean)^2).
Population: counts by group (tuple of GROUPS), scipy.stats.chisquare of
the counts of the groups of share > 0 against n * share / sum(shares),
df their number - 1, tvd = sum |sample - population| / 2 by hand.
"""
import json
import math
import re
import sys

import numpy as np
import pandas as pd
from scipy import stats

TOL = 1e-9
NUMBER = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def same(what, got, want):
    if want is None or (isinstance(want, float) and math.isnan(want)):
        if got is not None:
            fail("%s: %r, want null" % (what, got))
        return
    if got is None or abs(got - want) > TOL:
        fail("%s: %r, want %r" % (what, got, want))


def read(path, delim):
    return pd.read_csv(path, sep=delim, dtype=str, keep_default_na=False,
                       na_filter=False)


def attribute(df, cols):
    if len(cols) == 1:
        return df[cols[0]]
    return df[cols].apply(lambda r: "\x1f".join(r), axis=1)


def cramers_v(ct):
    n = ct.sum()
    k, r = ct.shape
    if n <= 1:
        return None
    e = np.outer(ct.sum(1), ct.sum(0)) / n
    chi2 = ((ct - e) ** 2 / e).sum()
    phi2 = max(0.0, chi2 / n - (k - 1) * (r - 1) / (n - 1))
    kt = k - (k - 1) ** 2 / (n - 1)
    rt = r - (r - 1) ** 2 / (n - 1)
    d = min(kt - 1, rt - 1)
    return math.sqrt(phi2 / d) if d > 0 else None


def nmi(ct):
    n = ct.sum()
    if n == 0:
        return None
    rs, cs = ct.sum(1), ct.sum(0)
    nz = ct > 0
    mi = (ct[nz] / n * np.log(n * ct[nz] / np.outer(rs, cs)[nz])).sum()
    hx = -(rs / n * np.log(rs / n)).sum()
    ha = -(cs / n * np.log(cs / n)).sum()
    if hx + ha == 0:
        return None
    return max(mi, 0.0) / ((hx + ha) / 2)


def eta(x, a):
    x = x.astype(float)
    if len(x) == 0:
        return None
    m = x.mean()
    sst = ((x - m) ** 2).sum()
    if sst == 0:
        return None
    ssb = sum(len(g) * (g.mean() - m) ** 2 for _, g in x.groupby(a))
    return math.sqrt(ssb / sst)


def proxies(data, delim, protected, report, missing="", categorical=""):
    df = read(data, delim)
    miss = set(missing.split(","))
    pcols = protected.split(",")
    a = attribute(df, pcols)
    rep = json.load(open(report))
    got = {p["column"]: p for p in rep["proxies"]}
    want = []
    for col in df.columns:
        if col in pcols or col in rep["skipped"]:
            continue
        x = df[col]
        ct = pd.crosstab(x, a).to_numpy().astype(float)
        present = x[~x.isin(miss)]
        numeric = len(present) > 0 and all(
            NUMBER.match(v) for v in present) and \
            col not in categorical.split(",")
        e = {"column": col, "kind": "numeric" if numeric else
             "categorical", "levels": ct.shape[0],
             "cramers_v": None if numeric else cramers_v(ct),
             "eta": eta(present, a[~x.isin(miss)]) if numeric else None,
             "nmi": nmi(ct)}
        e["strength"] = e["eta"] if numeric else e["cramers_v"]
        want.append(e)
        if col not in got:
            fail("column %s missing from the report" % col)
        g = got[col]
        for key in ("kind", "levels"):
            if g[key] != e[key]:
                fail("%s %s: %r, want %r" % (col, key, g[key], e[key]))
        for key in ("cramers_v", "eta", "nmi", "strength"):
            same("%s %s" % (col, key), g[key], e[key])
    if len(got) != len(want):
        fail("%d columns in the report, want %d" % (len(got), len(want)))
    want.sort(key=lambda e: (e["strength"] is None,
                             -(e["strength"] or 0), e["column"]))
    order = [p["column"] for p in rep["proxies"]]
    if order != [e["column"] for e in want]:
        fail("order %s, want %s" % (order, [e["column"] for e in want]))
    top = want[0] if want and want[0]["strength"] is not None else None
    if rep["strongest"] != (top["column"] if top else None):
        fail("strongest %r" % rep["strongest"])
    same("strength", rep["strength"], top["strength"] if top else None)
    print("proxies: %d columns as pandas computes them, in order: %s" %
          (len(want), ", ".join(order)))


def population(data, delim, groups, popfile, report):
    df = read(data, delim)
    gcols = groups.split(",")
    pop = pd.read_csv(popfile, sep=None, engine="python", dtype=str,
                      keep_default_na=False, na_filter=False)
    rep = json.load(open(report))
    key = (lambda r: tuple(r[c] for c in gcols))
    counts = df.groupby(gcols).size()
    counts = {(k if isinstance(k, tuple) else (k,)): int(v)
              for k, v in counts.items()}
    shares = {key(r): float(r["share"]) for _, r in pop.iterrows()}
    n = sum(counts.values())
    order = list(shares)
    first = {}
    for i, r in enumerate(df[gcols].itertuples(index=False)):
        first.setdefault(tuple(r), i)
    order += sorted((g for g in counts if g not in shares),
                    key=lambda g: first[g])
    if len(rep["groups"]) != len(order):
        fail("%d groups, want %d" % (len(rep["groups"]), len(order)))
    tvd = 0.0
    for g, e in zip(order, rep["groups"]):
        if tuple(e[c] for c in gcols) != g:
            fail("group %r, want %r" % (e, g))
        c = counts.get(g, 0)
        s = shares.get(g, 0.0)
        ss = c / n if n else None
        if e["count"] != c:
            fail("%r count %r, want %r" % (g, e["count"], c))
        same("%r sample_share" % (g,), e["sample_share"], ss)
        same("%r population_share" % (g,), e["population_share"], s)
        same("%r representation_ratio" % (g,), e["representation_ratio"],
             ss / s if ss is not None and s > 0 else None)
        same("%r difference" % (g,), e["difference"],
             ss - s if ss is not None else None)
        tvd += abs((ss or 0) - s)
    same("tvd", rep["tvd"], tvd / 2 if n else None)
    pos = [g for g in shares if shares[g] > 0]
    outside = any(counts[g] > 0 and shares.get(g, 0) == 0 for g in counts)
    total = sum(shares[g] for g in pos)
    if rep["df"] != len(pos) - 1:
        fail("df %r, want %r" % (rep["df"], len(pos) - 1))
    if outside or n == 0:
        same("chi2", rep["chi2"], None)
        same("p_value", rep["p_value"], None)
        print("population: %d groups as pandas counts them; chi2 NA" %
              len(order))
        return
    obs = np.array([counts.get(g, 0) for g in pos], dtype=float)
    exp = np.array([n * shares[g] / total for g in pos])
    chi2, p = stats.chisquare(obs, exp)
    same("chi2", rep["chi2"], chi2)
    same("p_value", rep["p_value"], p if len(pos) > 1 else None)
    print("population: %d groups, chi2 and p_value as scipy.stats."
          "chisquare computes them" % len(order))


if __name__ == "__main__":
    if sys.argv[1] == "proxies":
        proxies(*sys.argv[2:])
    elif sys.argv[1] == "population":
        population(*sys.argv[2:])
    else:
        fail("usage")
