#!/usr/bin/python3
"""oversample_imblearn.py: what oversample does, done with pandas and
imbalanced-learn, for tests/bench/run.sh.

    oversample_imblearn.py random -d D -g COL FILE
    oversample_imblearn.py smote -d D -g COL --features A,B,... [-k K] FILE
    oversample_imblearn.py gen N FILE

random: read_csv(dtype=str, keep_default_na=False), RandomOverSampler
(sampling_strategy="not majority") with the -g column as the target and
every column as X, written with to_csv: the input rows, then the copies.
smote: the same with SMOTE over the float features (the -g column as the
target; other columns are dropped, as SMOTE takes numbers only).
gen: N rows of five Gaussian features and a label, 10% "min" (seed 1).
"""
import sys

import numpy as np
import pandas as pd


def opts(argv):
    o = {"-d": ",", "-k": "5"}
    i = 0
    while i < len(argv) - 1:
        o[argv[i]] = argv[i + 1]
        i += 2
    return o, argv[-1]


def main():
    mode = sys.argv[1]
    if mode == "gen":
        n, path = int(sys.argv[2]), sys.argv[3]
        rng = np.random.default_rng(1)
        nmin = n // 10
        lab = np.array(["maj"] * (n - nmin) + ["min"] * nmin)
        rng.shuffle(lab)
        x = rng.normal(size=(n, 5))
        x[lab == "min"] += 1.5
        df = pd.DataFrame(np.round(x, 6), columns=["f1", "f2", "f3", "f4",
                                                    "f5"])
        df["label"] = lab
        df.to_csv(path, index=False)
        return
    o, path = opts(sys.argv[2:])
    sep, col = o["-d"], o["-g"]
    df = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False)
    if mode == "random":
        from imblearn.over_sampling import RandomOverSampler
        ros = RandomOverSampler(sampling_strategy="not majority",
                                random_state=1)
        x, _ = ros.fit_resample(df, df[col])
        x.to_csv(sys.stdout, sep=sep, index=False)
    else:
        from imblearn.over_sampling import SMOTE
        feats = o["--features"].split(",")
        sm = SMOTE(sampling_strategy="not majority",
                   k_neighbors=int(o["-k"]), random_state=1)
        x, y = sm.fit_resample(df[feats].astype(float), df[col])
        x[col] = y
        x.to_csv(sys.stdout, sep=sep, index=False)


main()
