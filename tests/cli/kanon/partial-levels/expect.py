#!/usr/bin/python3
"""expect.py DATA K L LEVELS: kanon --levels's release of the Adult data
(';'-separated) computed with pandas from kanon(1)'s definitions: each QI
of LEVELS (COL=L,...) replaced by its label at level L of
testdata/adult_hierarchy_COL.csv; the classes smaller than K, or with
fewer than L distinct occupations (L 0: no l), suppressed; printed as
kanon -r prints these figures."""
import os
import sys

import pandas as pd

data, k, l, levels = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
df = pd.read_csv(data, sep=";", dtype=str, keep_default_na=False)
qis = []
for item in levels.split(","):
    col, lv = item.split("=")
    qis.append(col)
    h = os.path.join(os.path.dirname(data), "adult_hierarchy_%s.csv" % col)
    rows = [line.rstrip("\n").split(";") for line in open(h)]
    df[col] = df[col].map({r[0]: r[int(lv)] for r in rows})
g = df.groupby(qis)
size = g.size()
bad = size < k
if l:
    bad |= g["occupation"].nunique() < l
n = len(df)
kept = size[~bad]
sup = int(size[bad].sum())
print("rows: %d" % kept.sum())
print("classes: %d" % len(kept))
print("min_class_size: %d" % kept.min())
print("suppressed_rows: %d" % sup)
print("dm: %d" % (int((kept ** 2).sum()) + n * sup))
