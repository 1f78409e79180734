"""dup.py PEOPLE OUT: testdata/people.csv with copies of some of its
records put back in, so that a unique id, a unique ssn and the primary
key (name, dob) repeat, within a part and across parts, in rows valid
otherwise and in one that is not. Records are kept byte for byte; a copy
that changes a field is written again with the csv module."""
import csv
import io
import sys


def records(data):
    out, start, quotes = [], 0, 0
    for i, b in enumerate(data):
        if b == 0x22:
            quotes += 1
        elif b == 0x0A and quotes % 2 == 0:
            out.append(data[start:i + 1])
            start = i + 1
    return out


def changed(rec, **fields):
    row = next(csv.reader(io.StringIO(rec.decode('utf-8'), newline='')))
    for k, v in fields.items():
        row[int(k[1:])] = v
    s = io.StringIO()
    csv.writer(s, lineterminator='\n').writerow(row)
    return s.getvalue().encode('utf-8')


recs = records(open(sys.argv[1], 'rb').read())
head, body = recs[0], recs[1:]
# record r of people.csv is body[r - 1], id r
extra = {
    # after record 10: record 3 again, another id and ssn: its key
    # (name, dob) repeats in the same part
    10: [changed(body[2], f0='6001', f3='111-11-1111')],
    # after record 1000: record 10 under another name: id and ssn repeat
    1000: [changed(body[9], f1='Zed Zed')],
    # after record 1200: record 1100 as it is: id, ssn and key repeat
    1200: [body[1099]],
    # at the end: record 700 as it is; record 1500 with another id and
    # ssn (its key repeats); record 20 with an income that is no integer
    2000: [body[699], changed(body[1499], f0='5001', f3='999-99-9999'),
           changed(body[19], f9='abc')],
}
with open(sys.argv[2], 'wb') as f:
    f.write(head)
    for r, rec in enumerate(body, 1):
        f.write(rec)
        for e in extra.get(r, []):
            f.write(e)
