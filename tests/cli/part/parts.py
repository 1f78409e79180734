#!/usr/bin/env python3
"""parts.py: what the parts of a CSV file hold, computed without prep, for
the CLI tests of --part and --part-by (tests/cli/part/*).

    parts.py ranges FILE N [-H] [-d D] [-f FIELD]
        For each part I of N: the data records that begin in the byte
        range [floor(size (I-1) / N), floor(size I / N)), as
        "I: COUNT FIRST..LAST" (FIELD's values, 1-based, default 1),
        or "I: 0". Records are found byte by byte with RFC 4180's state
        machine (a quote toggles inside/outside; a line feed outside
        quotes ends a record; blank lines are no records); the header is
        the record at offset 0 unless -H.
    parts.py by FILE COLUMN N [-d D]
        For each part I of N: the rows whose COLUMN value (read with the
        csv module) has SipHash-2-4 under the all-zero key mod N = I - 1,
        "I: COUNT", SipHash written out in tests/unit/kat/gen_siphash.py.
    parts.py sha FILE I N
        The SHA-256 of the bytes a reader of part I reads: the header
        record's (up to and including its line end), then those from the
        first line that begins outside quotes at or after the range's
        first byte to the first one at or after the next range's.
"""

import csv
import hashlib
import io
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ among the test cases
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "unit", "kat"))
from gen_siphash import siphash  # noqa: E402


def records(data):
    """(start, end) of every record, end past its line end."""
    out = records_all(data)
    start = out[-1][1] if out else 0
    if start < len(data):
        out.append((start, len(data)))
    # a blank line (an empty record) is no record
    return [(s, e) for (s, e) in out if data[s:e] not in (b"\n", b"\r\n")]


def records_all(data):
    """(start, end) of every line outside quotes, blank ones too."""
    out, inside, start = [], False, 0
    for i, c in enumerate(data):
        if c == 0x22:
            inside = not inside
        elif c == 0x0A and not inside:
            out.append((start, i + 1))
            start = i + 1
    return out


def fields(data, span, delim):
    text = data[span[0]:span[1]].decode("utf-8")
    return next(csv.reader(io.StringIO(text, newline=""), delimiter=delim))


def part_of(start, size, n):
    """The part (1-based) whose range holds offset start."""
    for i in range(1, n + 1):
        if size * (i - 1) // n <= start < size * i // n:
            return i
    raise AssertionError(start)


def opt(args, name, default):
    if name in args:
        k = args.index(name)
        value = args[k + 1] if name != "-H" else True
        del args[k:k + (1 if name == "-H" else 2)]
        return value
    return default


def main():
    args = sys.argv[1:]
    no_header = opt(args, "-H", False)
    delim = opt(args, "-d", ",")
    field = int(opt(args, "-f", "1")) - 1
    what, path = args[0], args[1]
    data = open(path, "rb").read()
    recs = records(data)
    if what == "ranges":
        n = int(args[2])
        body = recs if no_header else recs[1:]
        for i in range(1, n + 1):
            vals = [fields(data, r, delim)[field] for r in body
                    if part_of(r[0], len(data), n) == i]
            span = " %s..%s" % (vals[0], vals[-1]) if vals else ""
            print("%d: %d%s" % (i, len(vals), span))
    elif what == "by":
        col, n = args[2], int(args[3])
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"),
                                           newline=""), delimiter=delim))
        k = rows[0].index(col)
        count = [0] * n
        for row in rows[1:]:
            v = row[k].encode() if k < len(row) else b""
            count[siphash(2, 4, bytes(16), v) % n] += 1
        for i in range(n):
            print("%d: %d" % (i + 1, count[i]))
    elif what == "sha":
        i, n = int(args[2]), int(args[3])
        size = len(data)
        # every line that begins outside quotes, blank ones too
        begins = [0] + [e for (s, e) in records_all(data) if e < size]

        def first_at(x):
            return min([b for b in begins if b >= x] + [size])

        head = first_at(1)
        start = max(first_at(size * (i - 1) // n), head)
        end = max(first_at(size * i // n), start)
        print(hashlib.sha256(data[:head] + data[start:end]).hexdigest())
    else:
        sys.exit("usage: parts.py ranges|by|sha FILE ...")


if __name__ == "__main__":
    main()
