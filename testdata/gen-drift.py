#!/usr/bin/python3
"""gen-drift.py KIND: batches with a known shift for drift(1)'s tests.

Writes, in the current directory, a reference and two batches of the same
columns (x a normal variable, cat a category, k a small integer):
  ref.csv  x ~ N(0, 1), cat a/b/c/d with shares .4/.3/.2/.1, k uniform 0..2
  cur.csv  x ~ N(0.5, 1), cat with .2 of the share of a moved to d, k as ref
  ctl.csv  drawn like ref.csv (a negative control: must not drift)
KIND small: 800 reference rows, 900 per batch (Evidently's small-reference
tests: KS and chi-squared); big: 20000 and 30000 (Wasserstein and
Jensen-Shannon). Fixed seeds: the files are the same on every run.
"""
import sys

import numpy as np


def write(path, n, delta, moved, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(delta, 1, n)
    p = np.array([0.4, 0.3, 0.2, 0.1])
    p[0] -= moved
    p[3] += moved
    cat = rng.choice(np.array(["a", "b", "c", "d"]), n, p=p)
    k = rng.integers(0, 3, n)
    with open(path, "w") as f:
        f.write("x,cat,k\n")
        for a, b, c in zip(x, cat, k):
            f.write("%r,%s,%d\n" % (float(a), b, c))


sizes = {"small": (800, 900, 1), "big": (20000, 30000, 4)}
nref, ncur, seed = sizes[sys.argv[1]]
write("ref.csv", nref, 0, 0, seed)
write("cur.csv", ncur, 0.5, 0.2, seed + 1)
write("ctl.csv", ncur, 0, 0, seed + 2)
