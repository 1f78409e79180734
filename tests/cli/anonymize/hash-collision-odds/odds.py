#!/usr/bin/env python3
"""odds.py: the collision odds of hash:N, computed apart from anonymize.

A hash:N pseudonym is N lowercase hex digits of HMAC-SHA256, one of
S = 16**N values. Among n distinct values the expected number of pairs
that share a pseudonym is C(n, 2) / S = n(n-1) / (2 S) (the birthday
bound; exact for a random function, by linearity of expectation over the
C(n, 2) pairs). Computed here with exact fractions.

    odds.py --mdoc                 print the rows of the table in anonymize(1)
    odds.py --check-man PAGE       the table in PAGE equals the computed one
    odds.py --check-warning N TEXT TEXT is anonymize's warning for hash:N
"""

import math
import re
import sys
from fractions import Fraction

TABLE_N = [8, 12, 16, 20, 24, 32]
TABLE_VALUES = [10**4, 10**5, 10**6, 10**7]


def pairs(n_digits, values):
    return Fraction(values * (values - 1), 2 * 16**n_digits)


def one_pair(n_digits):
    """The fewest distinct values with at least one expected pair:
    the least v with v(v-1) >= 2 * 16**N."""
    two_s = 2 * 16**n_digits
    v = (1 + math.isqrt(1 + 4 * two_s)) // 2
    while v * (v - 1) < two_s:
        v += 1
    while v > 2 and (v - 1) * (v - 2) >= two_s:
        v -= 1
    return v


def sci(x):
    """Two significant digits as m.me-k, exponent without zeros."""
    m, e = ("%.1e" % x).split("e")
    return "%se%d" % (m, int(e))


def cell(x):
    """Table format: whole numbers from 10 on, two significant digits
    from 0.001, scientific below."""
    x = float(x)
    if x >= 10:
        return "%d" % round(x)
    if x >= 0.001:
        return "%s" % float("%.2g" % x)
    return sci(x)


def count(v):
    """Values for one pair: whole numbers below 10^9, else scientific."""
    return "%d" % v if v < 10**9 else sci(v)


def rows():
    out = []
    for n in TABLE_N:
        out.append([str(n)] + [cell(pairs(n, v)) for v in TABLE_VALUES]
                   + [count(one_pair(n))])
    return out


def mdoc_row(r):
    return ".It " + " Ta ".join(c.replace("-", "\\-") for c in r)


def check_man(path):
    text = open(path, encoding="utf-8").read()
    m = re.search(r'\.\\" collision table: begin\n(.*?)\.\\" collision '
                  r'table: end\n', text, re.S)
    if not m:
        sys.exit("odds.py: no collision table in " + path)
    got = [ln for ln in m.group(1).splitlines()
           if ln.startswith(".It ") and not ln.startswith(".It Sy")]
    want = [mdoc_row(r) for r in rows()]
    if got != want:
        sys.exit("odds.py: the table in %s differs:\n%s\nshould be\n%s"
                 % (path, "\n".join(got), "\n".join(want)))
    # The worked figure in the text: 300000 addresses under hash:8.
    fig = "%.1f" % float(pairs(8, 300000))
    if fig != "10.5" or "about " + fig + " pairs" not in text.replace("\n", " "):
        sys.exit("odds.py: the 300000-address figure is not %s" % fig)
    print("table ok: %d rows" % len(want))


def check_warning(n_digits, text):
    p = float(pairs(n_digits, 10**6))
    want = ("anonymize: warning: column 'e': hash:%d pseudonyms collide: "
            "expect about %s colliding pairs among 1000000 distinct "
            "values, 1 among %d; use hash:16 or longer"
            % (n_digits, "%.3g" % p, one_pair(n_digits)))
    if text != want:
        sys.exit("odds.py: hash:%d warning\n  got  %s\n  want %s"
                 % (n_digits, text, want))
    print("hash:%d warning ok" % n_digits)


def main():
    if sys.argv[1:] == ["--mdoc"]:
        for r in rows():
            print(mdoc_row(r))
    elif len(sys.argv) == 3 and sys.argv[1] == "--check-man":
        check_man(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "--check-warning":
        check_warning(int(sys.argv[2]), sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
