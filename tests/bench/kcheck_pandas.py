#!/usr/bin/python3
# kcheck_pandas.py: the pandas side of the kcheck benchmark (run.sh).
#
#	/usr/bin/python3 tests/bench/kcheck_pandas.py [-d SEP] -q QIS -k K FILE
#
# Does with pandas the job of `kcheck -d SEP -q QIS -k K -r --json FILE`:
# reads the whole file as strings (no type guessing, no NA values, so that
# an empty value is a value, as in kcheck), counts the rows of each
# distinct tuple of the quasi-identifier columns QIS (names, comma-
# separated) and prints the same figures under the same JSON keys, in the
# same order: rows, classes, min_class_size, avg_class_size, k,
# violating_classes, violating_rows, suppressed_rows (always 0: no
# suppression), prosecutor_risk_max, prosecutor_risk_avg, records_at_risk,
# sample_uniqueness, class_size_histogram, satisfied. Definitions as in
# kcheck(1): prosecutor risk after El Emam (2013), k-anonymity after
# Sweeney (2002). Relies on pandas only (Debian's python3-pandas; run it
# with /usr/bin/python3). Exit 0 when k is met, 1 when not, 2 on error.
import argparse
import json
import sys

import pandas as pd


def figures(sizes, k):
    """The kcheck report of a Series of class sizes, as a dict."""
    rows = int(sizes.sum())
    classes = int(len(sizes))
    if rows == 0:
        return {"rows": 0, "classes": 0, "min_class_size": 0,
                "avg_class_size": 0, "k": k, "violating_classes": 0,
                "violating_rows": 0, "suppressed_rows": 0,
                "prosecutor_risk_max": 0, "prosecutor_risk_avg": 0,
                "records_at_risk": 0, "sample_uniqueness": 0,
                "class_size_histogram": {}, "satisfied": True}
    small = sizes[sizes < k]
    hist = sizes.value_counts().sort_index()
    min_size = int(sizes.min())
    return {
        "rows": rows,
        "classes": classes,
        "min_class_size": min_size,
        "avg_class_size": rows / classes,
        "k": k,
        "violating_classes": int(len(small)),
        "violating_rows": int(small.sum()),
        "suppressed_rows": 0,
        "prosecutor_risk_max": 1 / min_size,
        "prosecutor_risk_avg": classes / rows,
        "records_at_risk": int(small.sum()) / rows,
        "sample_uniqueness": int((sizes == 1).sum()) / rows,
        "class_size_histogram": {str(int(s)): int(n)
                                 for s, n in hist.items()},
        "satisfied": len(small) == 0,
    }


def main():
    ap = argparse.ArgumentParser(
        description="k-anonymity figures of a CSV file, with pandas")
    ap.add_argument("-d", dest="sep", default=",", help="delimiter")
    ap.add_argument("-q", dest="qis", required=True,
                    help="quasi-identifier column names, comma-separated")
    ap.add_argument("-k", dest="k", type=int, default=2)
    ap.add_argument("file")
    a = ap.parse_args()
    qis = a.qis.split(",")
    df = pd.read_csv(a.file, sep=a.sep, dtype=str, keep_default_na=False)
    missing = [q for q in qis if q not in df.columns]
    if missing:
        print("kcheck_pandas: unknown column '%s'" % missing[0],
              file=sys.stderr)
        return 2
    sizes = df.groupby(qis, sort=False).size()
    r = figures(sizes, a.k)
    json.dump(r, sys.stdout)
    sys.stdout.write("\n")
    return 0 if r["satisfied"] else 1


if __name__ == "__main__":
    sys.exit(main())
