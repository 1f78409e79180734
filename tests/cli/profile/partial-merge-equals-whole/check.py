"""The merges of N partials (mergedN.json) against the profile of the
whole file (whole.json) and against the truth of the CSV (argv[1]).

Exactly equal: rows, options, groups, and per column name, rows, empty,
types, min, max, rank_error, distinct (the HyperLogLog registers merge by
their maximum: the union's), and the values while they are exact. Not
equal, within bounds: mean and variance (Chan's pairwise merge against
Welford's one pass) within a relative 1e-12; the KLL sketch (k, n, min,
max equal) whose estimated rank of every value of the column is within
its rank_error of the true rank; the Misra-Gries summary of the values
(k and total equal) whose counters c and error e hold every value's true
count within [c, c + e]. Negative controls: the checks fail on a part's
profile, on one column's sketch held to another's values, and on
counters raised past their bound.
"""
import collections
import csv
import json
import re
import sys

INT = re.compile(r'[+-]?[0-9]+\Z')
NUM = re.compile(r'[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\Z')
EXACT_KEYS = ('name', 'rows', 'empty', 'types', 'min', 'max',
              'rank_error', 'distinct')


def truth(path):
    """Per column: its numbers (sorted) and the counts of its values."""
    with open(path, newline='', encoding='utf-8') as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    nums = {h: [] for h in header}
    counts = {h: collections.Counter() for h in header}
    for r in body:
        for h, v in zip(header, r):
            if v == '':
                continue
            if INT.match(v) or NUM.match(v):
                nums[h].append(float(v))
            if len(v.encode()) <= 256:
                counts[h][v] += 1
    return {h: sorted(x) for h, x in nums.items()}, counts


def rank_ok(kll, values, eps):
    n = kll['n']
    if n != len(values):
        return False
    kept = [(x, 2 ** h) for h, lv in enumerate(kll['levels']) for x in lv]
    i = 0
    for x in sorted(set(values)):
        while i < len(values) and values[i] <= x:
            i += 1
        est = sum(w for y, w in kept if y <= x)
        if abs(est - i) / n > eps:
            return False
    return True


def summary_ok(s, counts):
    listed = {v: c for v, c in s['items']}
    if s['total'] != sum(counts.values()):
        return False
    for v, t in counts.items():
        c = listed.get(v, 0)
        if not c <= t <= c + s['error']:
            return False
    return all(v in counts for v in listed)


def close(x, y):
    return abs(x - y) <= 1e-12 * abs(y)


def same(m, w, nums, counts):
    if (m['rows'], m['options'], m['groups']) != \
            (w['rows'], w['options'], w['groups']):
        return False
    for x, y in zip(m['columns'], w['columns']):
        name = y['name']
        if set(x) != set(y) or any(x.get(k) != y.get(k) for k in EXACT_KEYS):
            return False
        if 'mean' in y and not (close(x['mean'], y['mean']) and
                                close(x['variance'], y['variance'])):
            return False
        if 'kll' in y:
            kx, ky = x['kll'], y['kll']
            if [kx[k] for k in ('k', 'n', 'min', 'max')] != \
                    [ky[k] for k in ('k', 'n', 'min', 'max')]:
                return False
            if not rank_ok(kx, nums[name], x['rank_error']):
                return False
        vx, vy = x['values'], y['values']
        if vy['exact']:
            if vx != vy:
                return False
        elif vx['exact'] or vx['long'] != vy['long'] or \
                (vx['summary']['k'], vx['summary']['total']) != \
                (vy['summary']['k'], vy['summary']['total']) or \
                not summary_ok(vx['summary'], counts[name]):
            return False
    return True


def main():
    nums, counts = truth(sys.argv[1])
    whole = json.load(open('whole.json'))
    assert whole['rows'] == 2000
    # the truth agrees with the whole run's counts
    for c in whole['columns']:
        t = c['types']
        assert t['integer'] + t['number'] == len(nums[c['name']]), c['name']
    for n in sys.argv[2:]:
        merged = json.load(open('merged%s.json' % n))
        assert same(merged, whole, nums, counts), n
        diff = [c['name'] for c, d in zip(merged['columns'], whole['columns'])
                if c != d]
        print('%s parts: counts exact; differ within their bounds: %s'
              % (n, ', '.join(diff)))
    # negative controls
    part = json.load(open('p3.1.json'))['state']
    assert not same(part, whole, nums, counts)
    m = json.load(open('merged3.json'))
    col = {c['name']: c for c in m['columns']}
    assert rank_ok(col['income']['kll'], nums['income'], 0.0133)
    assert not rank_ok(col['income']['kll'], nums['zip'], 0.0133)
    s = col['email']['values']['summary']
    assert summary_ok(s, counts['email'])
    raised = dict(s, items=[[v, c + s['error'] + 1] for v, c in s['items']])
    assert not summary_ok(raised, counts['email'])
    print('controls: a part, a sketch against another column, raised '
          'counters: refused')


main()
