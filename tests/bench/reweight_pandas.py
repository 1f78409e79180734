#!/usr/bin/python3
# reweight_pandas.py: the pandas side of the reweight benchmark (run.sh).
#
#	/usr/bin/python3 tests/bench/reweight_pandas.py [-d SEP] -g GROUPS
#	    [-y LABEL] [--name NAME] FILE
#
# Does with pandas the job of `reweight -d SEP -g GROUPS -y LABEL FILE`:
# reads the whole file as strings (no type guessing, no NA values, so
# that an empty value is a value, as in reweight), counts n_g (rows of
# each tuple of the GROUPS columns, names comma-separated), n_y (rows of
# each label) and n_gy (rows of each group and label) with groupby and
# transform, appends the weight W = n_g * n_y / (n * n_gy) (Kamiran and
# Calders, "Data preprocessing techniques for classification without
# discrimination", KAIS 33(1), 2012) as the last column NAME (default
# weight), or without LABEL W = n / (G * n_g), and writes the CSV to
# standard output with the same separator, LF line ends and the weights
# in reweight's format, "%.15g". Relies on pandas only (Debian's
# python3-pandas; run it with /usr/bin/python3). Exit 0, or 2 on error.
import argparse
import sys

import pandas as pd


def main():
    ap = argparse.ArgumentParser(
        description="reweighing weights of a CSV file, with pandas")
    ap.add_argument("-d", dest="sep", default=",", help="delimiter")
    ap.add_argument("-g", dest="groups", required=True,
                    help="group column names, comma-separated")
    ap.add_argument("-y", dest="label", help="label column name")
    ap.add_argument("--name", default="weight", help="new column's name")
    ap.add_argument("file")
    a = ap.parse_args()
    groups = a.groups.split(",")
    df = pd.read_csv(a.file, sep=a.sep, dtype=str, keep_default_na=False)
    for c in groups + ([a.label] if a.label else []):
        if c not in df.columns:
            print("reweight_pandas: unknown column '%s'" % c,
                  file=sys.stderr)
            return 2
    if a.name in df.columns:
        print("reweight_pandas: column '%s' exists" % a.name,
              file=sys.stderr)
        return 2
    n = len(df)
    key = groups[0]
    n_g = df.groupby(groups, sort=False)[key].transform("size")
    if a.label:
        n_y = df.groupby(a.label, sort=False)[key].transform("size")
        n_gy = df.groupby(groups + [a.label], sort=False)[key].transform(
            "size")
        w = (n_g * n_y) / (n * n_gy)
    else:
        ngroups = df.groupby(groups, sort=False).ngroups
        w = n / (ngroups * n_g)
    df[a.name] = w.astype("float64")
    df.to_csv(sys.stdout, sep=a.sep, index=False, float_format="%.15g",
              lineterminator="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
