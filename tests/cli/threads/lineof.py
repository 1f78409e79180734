# lineof.py FILE K: the physical line on which data record K (0-based,
# after the header) begins, found by Python's csv module: the place a
# message about that record must name.
import csv
import sys

with open(sys.argv[1], newline="", encoding="utf-8",
          errors="surrogateescape") as f:
    r = csv.reader(f)
    next(r)
    k = int(sys.argv[2])
    line = r.line_num + 1
    for i, _ in enumerate(r):
        if i == k:
            break
        line = r.line_num + 1
print("record %d begins on line %d" % (k, line))
