#!/usr/bin/env python3
"""gen_drift_stats.py: the expected values of test_drift_stats.c, computed
without libprep, by scipy (and by exact or 50-digit arithmetic where a
statistic is only a formula).

Not run by the tests; they read what it wrote, drift_stats.txt beside it.
Run it by hand, with Debian's Python (scipy 1.10.1, numpy 1.24.2; plain
`python3` on PATH may lack them), after changing a case:

    /usr/bin/python3 tests/unit/kat/gen_drift_stats.py

It writes the same file every time: the samples come from numpy's
default_rng with the fixed seeds below, and are rounded to 9 decimals
before anything is computed from them, so that the decimal text in the
file is exactly the data both sides use (C's strtod and Python's float()
both round correctly).

What each record holds, and where its expected value comes from, is in
the header this script writes into drift_stats.txt (HEADER below).
"""

import math
import os
import sys
from fractions import Fraction

import mpmath
import numpy as np
import scipy
from scipy import stats
from scipy.spatial.distance import jensenshannon
from scipy.stats._ksstats import _kolmogn_DMTW
from scipy.stats._stats_py import _attempt_exact_2kssamp

HEADER = """\
# drift_stats.txt: known answers for tests/unit/test_drift_stats.c, written
# by gen_drift_stats.py (numpy {numpy}, scipy {scipy}, mpmath {mpmath}).
# Do not edit: run the script.
#
# Whitespace-separated tokens; '#' starts a comment to the end of the line.
# Each record is a keyword and its fields:
#
#   sample NAME N v1 .. vN    N values as drawn (the test sorts them and
#                             makes a prep_dist of the distinct ones,
#                             weight = count)
#   wdist NAME N v1 w1 .. vN wN   a weighted distribution, values ascending
#   ks A B S D P      scipy.stats.ks_2samp(A, B + S) (method 'auto'): its
#                     statistic D and pvalue P; B + S added in doubles
#   wass A B S W      scipy.stats.wasserstein_distance(A, B + S)
#   ksw A B D         KS statistic of two wdists, in exact rationals
#                     (fractions.Fraction of the doubles)
#   wassw A B W       scipy.stats.wasserstein_distance(vA, vB, wA, wB)
#   ksp N1 N2 D P     the two-sample p-value: scipy's exact computation
#                     (_attempt_exact_2kssamp) when max(N1, N2) <= 10000,
#                     else scipy.stats.kstwo.sf(D, round(N1 N2/(N1+N2)))
#   kstwo N D P       scipy.stats.kstwo.sf(D, N)
#   durbin N D P      1 - scipy's Durbin-matrix CDF (_kolmogn_DMTW) of
#                     D_N at D, where kstwo.sf uses Pelz-Good instead
#   cat NAME M r1 .. rM c1 .. cM   two count vectors over M categories
#   chi2 NAME STAT DF P   scipy.stats.chi2_contingency([r; c],
#                     correction=False) after dropping the columns that
#                     are 0 on both sides
#   js NAME V         scipy.spatial.distance.jensenshannon(r, c), checked
#                     against a 50-digit mpmath evaluation
#   psi NAME FLOOR V  sum (c_i - r_i) ln(c_i / r_i) over the proportions,
#                     a 0 replaced by FLOOR, in 50-digit mpmath
#   hell NAME V       sqrt(sum (sqrt p_i - sqrt q_i)^2 / 2), 50-digit mpmath
#   chi2sf X DF Q     scipy.stats.chi2.sf(X, DF)
"""

# one seed per pair of samples
SEED_NORMAL = 20240611
SEED_POISSON = 7
SEED_WEIGHTED = 11
SEED_CAT = 5

mpmath.mp.dps = 50
out = []


def num(x):
    """A double as the shortest text that reads back to it."""
    return repr(float(x))


def dec9(v):
    """v rounded to 9 decimals, as a (text, double) pair."""
    s = "%.9f" % v
    return s, float(s)


def emit(*fields):
    out.append(" ".join(str(f) for f in fields))


def wrap(tokens, per_line=10):
    return "\n".join(" ".join(tokens[i:i + per_line])
                     for i in range(0, len(tokens), per_line))


def sample(name, values, integers=False):
    if integers:
        toks = [str(int(v)) for v in values]
        arr = np.array([float(int(v)) for v in values])
    else:
        pairs = [dec9(v) for v in values]
        toks = [p[0] for p in pairs]
        arr = np.array([p[1] for p in pairs])
    out.append("sample %s %d\n%s" % (name, len(arr), wrap(toks)))
    return arr


def ks_record(a_name, a, b_name, b, shift):
    bs = b + shift
    with np.errstate(all="raise"):
        r = stats.ks_2samp(a, bs, method="auto")
    emit("ks", a_name, b_name, num(shift), num(r.statistic), num(r.pvalue))
    emit("wass", a_name, b_name, num(shift),
         num(stats.wasserstein_distance(a, bs)))
    return r


def normal_cases():
    rng = np.random.default_rng(SEED_NORMAL)
    for n1, n2 in ((50, 60), (300, 1000), (2000, 20000)):
        a = sample("x%d" % n1, rng.normal(size=n1))
        b = sample("z%d" % n2, rng.normal(size=n2))
        for delta in (0.0, 0.1, 0.5):
            r = ks_record("x%d" % n1, a, "z%d" % n2, b, delta)
            # the negative control of the test: same law, no rejection
            if delta == 0 and not r.pvalue > 0.05:
                sys.exit("seed %d: N(0,1) vs N(0,1) at (%d, %d) has p %g"
                         % (SEED_NORMAL, n1, n2, r.pvalue))


def poisson_cases():
    rng = np.random.default_rng(SEED_POISSON)
    for n1, n2, l1, l2 in ((500, 800, 3.0, 3.4), (12000, 15000, 20.0, 20.3)):
        a = sample("pa%d" % n1, rng.poisson(l1, size=n1), integers=True)
        b = sample("pb%d" % n2, rng.poisson(l2, size=n2), integers=True)
        ks_record("pa%d" % n1, a, "pb%d" % n2, b, 0.0)
        ks_record("pa%d" % n1, a, "pb%d" % n2, b, 1.0)


def wdist(name, values, weights):
    toks = []
    for v, w in zip(values, weights):
        toks += [num(v), num(w)]
    out.append("wdist %s %d\n%s" % (name, len(values), wrap(toks)))


def exact_ks(va, wa, vb, wb):
    """sup |F_a - F_b| over every value, in rationals."""
    ta = sum(Fraction(w) for w in wa)
    tb = sum(Fraction(w) for w in wb)
    d = Fraction(0)
    for x in sorted(set(va) | set(vb)):
        fa = sum(Fraction(w) for v, w in zip(va, wa) if v <= x) / ta
        fb = sum(Fraction(w) for v, w in zip(vb, wb) if v <= x) / tb
        d = max(d, abs(fa - fb))
    return float(d)


def weighted_cases():
    rng = np.random.default_rng(SEED_WEIGHTED)
    dists = {}
    # real weights on distinct normal values, some values shared
    base = np.unique(np.round(rng.normal(size=60), 6))
    va = np.unique(np.concatenate([base[:40], np.round(rng.normal(size=10), 6)]))
    vb = np.unique(np.concatenate([base[20:], np.round(rng.normal(0.3, 1, 15), 6)]))
    dists["wa"] = (va, np.round(rng.uniform(0.1, 3.0, size=len(va)), 6))
    dists["wb"] = (vb, np.round(rng.uniform(0.1, 3.0, size=len(vb)), 6))
    # weights that are powers of two, as a KLL sketch's
    vk = np.unique(np.round(rng.normal(size=30), 4))
    dists["wk"] = (vk, 2.0 ** rng.integers(0, 12, size=len(vk)))
    # counts near 2^53 / 64, exact in doubles
    vl = np.arange(1.0, 9.0)
    dists["wl"] = (vl, np.array([float(2 ** 47 + 3 * i) for i in range(8)]))
    vm = np.arange(0.5, 10.0)
    dists["wm"] = (vm, np.array([float(2 ** 46 - 5 * i) for i in range(10)]))
    for name, (v, w) in dists.items():
        wdist(name, v, w)
    for a, b in (("wa", "wb"), ("wb", "wa"), ("wa", "wk"), ("wl", "wm")):
        (va_, wa_), (vb_, wb_) = dists[a], dists[b]
        emit("ksw", a, b, num(exact_ks(list(va_), list(wa_), list(vb_),
                                       list(wb_))))
        emit("wassw", a, b, num(stats.wasserstein_distance(va_, vb_, wa_,
                                                           wb_)))


def ksp_cases():
    """Two-sample p-values straight from scipy's two routes."""
    for n1, n2, ds in ((3, 3, (1.0, 2 / 3)),
                       (10000, 10000, (0.0143, 0.0306, 0.0475, 0.1151)),
                       (10000, 9999, (0.012, 0.036, 0.2)),
                       (7, 10000, (0.25, 0.9609)),
                       (10001, 10001, (0.01, 0.02, 0.03)),
                       (100, 50000, (0.05, 0.12, 0.2)),
                       (20000, 30000, (0.01, 0.015, 0.03))):
        for d in ds:
            if max(n1, n2) <= 10000:
                g = math.gcd(n1, n2)
                ok, _, p = _attempt_exact_2kssamp(n1, n2, g, d, "two-sided")
                if not ok:
                    sys.exit("scipy's exact p failed at %d %d %g" % (n1, n2, d))
            else:
                m, n = sorted([float(n1), float(n2)], reverse=True)
                p = stats.kstwo.sf(d, np.round(m * n / (m + n)))
            emit("ksp", n1, n2, num(d), num(p))


def kstwo_cases():
    ns = (1, 2, 3, 5, 10, 50, 140, 141, 500, 1000, 1001, 1818, 5000,
          10 ** 4, 10 ** 5, 10 ** 6, 10 ** 6 + 1, 10 ** 7, 10 ** 9)
    xs = list(np.linspace(0.05, 3.0, 40)) + [3.5, 4.0, 5.0, 7.0, 10.0]
    for n in ns:
        grid = xs if n < 10 ** 5 else xs[::4] + xs[-5:]
        ds = [x / math.sqrt(n) for x in grid]
        # the lattice 1/(2n) .. 1/n and the far edge 1 - 1/n
        ds += [0.4 / n, 0.7 / n, 1.0 / n, 1.5 / n, 1 - 0.5 / n, 0.5, 0.75]
        for d in sorted(set(d for d in ds if 0 < d < 1)):
            p = stats.kstwo.sf(d, n)
            emit("kstwo", n, num(d), num(p))
            t, nd2 = n * d, n * d * d
            if (140 < n <= 1000 and 1 < t < n - 1 and d < 0.5 and
                    nd2 < 2.2 and n * d ** 1.5 > 1.4):
                emit("durbin", n, num(d), num(1 - _kolmogn_DMTW(n, d)))


def cat(name, r, c):
    r = [float(x) for x in r]
    c = [float(x) for x in c]
    m = len(r)
    out.append("cat %s %d\n%s\n%s" % (name, m, wrap([num(x) for x in r]),
                                      wrap([num(x) for x in c])))
    keep = [i for i in range(m) if r[i] + c[i] > 0]
    table = np.array([[r[i] for i in keep], [c[i] for i in keep]])
    chi = stats.chi2_contingency(table, correction=False)
    emit("chi2", name, num(chi[0]), num(chi[2]), num(chi[1]))

    # exact proportions, 50 digits
    sr = sum(mpmath.mpf(x) for x in r)
    sc = sum(mpmath.mpf(x) for x in c)
    p = [mpmath.mpf(x) / sr for x in r]
    q = [mpmath.mpf(x) / sc for x in c]

    js2 = mpmath.mpf(0)
    for pi, qi in zip(p, q):
        mi = (pi + qi) / 2
        if pi > 0:
            js2 += pi * mpmath.log(pi / mi)
        if qi > 0:
            js2 += qi * mpmath.log(qi / mi)
    js_mp = mpmath.sqrt(js2 / 2)
    js_sp = jensenshannon(r, c)
    if abs(js_sp - js_mp) > 1e-12 * js_mp + 1e-15:
        sys.exit("%s: scipy's JS %r differs from mpmath's %s"
                 % (name, js_sp, mpmath.nstr(js_mp, 20)))
    emit("js", name, num(js_sp))

    for floor in (1e-4, 1e-6):
        psi = mpmath.mpf(0)
        for pi, qi in zip(p, q):
            ri = pi if pi > 0 else mpmath.mpf(floor)
            ci = qi if qi > 0 else mpmath.mpf(floor)
            psi += (ci - ri) * mpmath.log(ci / ri)
        emit("psi", name, num(floor), num(psi))

    h2 = sum((mpmath.sqrt(pi) - mpmath.sqrt(qi)) ** 2 for pi, qi in zip(p, q))
    emit("hell", name, num(mpmath.sqrt(h2 / 2)))


def categorical_cases():
    rng = np.random.default_rng(SEED_CAT)
    p0 = np.array([0.30, 0.25, 0.20, 0.12, 0.08, 0.05])
    p1 = p0.copy()
    p1[0] -= 0.03  # one category moved
    p1[4] += 0.03
    cat("moved", rng.multinomial(20000, p0), rng.multinomial(15000, p1))
    # the same law on both sides: a negative control
    cat("same", rng.multinomial(20000, p0), rng.multinomial(15000, p0))
    # a value seen only in the reference, and one seen only in the current
    r = list(rng.multinomial(5000, p0)) + [37, 0]
    c = list(rng.multinomial(4000, p0)) + [0, 12]
    cat("unseen", r, c)
    # a category empty on both sides (dropped by the chi-squared test)
    r = list(rng.multinomial(3000, p0))
    c = list(rng.multinomial(3000, p1))
    cat("empty_col", r[:3] + [0] + r[3:], c[:3] + [0] + c[3:])
    # many sparse categories, large counts
    pm = rng.dirichlet(np.full(200, 0.3))
    r = rng.multinomial(10 ** 6, pm)
    c = rng.multinomial(8 * 10 ** 5, 0.9 * pm + 0.1 * rng.dirichlet(np.ones(200)))
    cat("sparse200", r, c)
    # weights that are not counts
    cat("weights", np.round(rng.uniform(0, 5, 12), 6),
        np.round(rng.uniform(0, 5, 12), 6))
    # two categories, far apart
    cat("two", [900, 100], [100, 900])
    v = list(rng.multinomial(1000, p0))
    cat("identical", v, v)


def chi2sf_cases():
    dfs = list(range(1, 21)) + list(range(25, 201, 5)) + [0.5, 1.5, 2.5, 57.3]
    xs = [0, 1e-8, 1e-4, 0.01, 0.1, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 25,
          30, 40, 50, 60, 75, 90, 100, 120, 150, 175, 200, 225, 250, 300,
          350, 400, 500, 600, 700, 800, 900, 1000]
    for df in dfs:
        near = [df - 1, df, df + 1, df + 2, df + 3 * math.sqrt(2 * df)]
        for x in sorted(set(xs + [x for x in near if x >= 0])):
            emit("chi2sf", num(x), num(df), num(stats.chi2.sf(x, df)))


def main():
    normal_cases()
    poisson_cases()
    weighted_cases()
    ksp_cases()
    kstwo_cases()
    categorical_cases()
    chi2sf_cases()
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "drift_stats.txt")
    with open(path, "w") as f:
        f.write(HEADER.format(numpy=np.__version__, scipy=scipy.__version__,
                              mpmath=mpmath.__version__))
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
