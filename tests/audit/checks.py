"""checks.py: the checks of audit records against figures computed apart
(tests/cli/audit/checks-*). Imported by the cases' Python snippets:

    sys.path.insert(0, CASE + "/../../../audit"); import checks

records(path)        the prep facets of every record in the audit file
same(got, want, tol) the record's checks got, in order, are exactly the
                     list want of (name, observed, threshold, passed):
                     same names in the same order, numbers within tol
                     (absolute; None for null, a string for a text value),
                     passed True, False or None. AssertionError naming
                     the first difference otherwise.
control(got, want)   the negative control: want with its first number
                     moved by 10 * tol (or by 1e-9 of it, if more), or
                     with its last two checks swapped, must be refused.
"""
import json

TOL = 1e-12


def records(path):
    return [json.loads(l)["run"]["facets"]["prep"] for l in open(path)]


def _value(what, name, got, want, tol):
    if want is None or isinstance(want, str) or isinstance(got, str):
        assert got == want, "%s %s: %r, want %r" % (name, what, got, want)
        return
    assert got is not None, "%s %s: null, want %r" % (name, what, want)
    assert abs(got - want) <= tol, "%s %s: %r, want %r" % (
        name, what, got, want)


def same(got, want, tol=TOL):
    names = [c["name"] for c in got]
    wnames = [w[0] for w in want]
    assert names == wnames, "names %s, want %s" % (names, wnames)
    for c, (name, obs, thr, passed) in zip(got, want):
        _value("observed", name, c["observed"], obs, tol)
        _value("threshold", name, c["threshold"], thr, tol)
        assert c["passed"] is passed, "%s passed: %r, want %r" % (
            name, c["passed"], passed)


def _refused(got, want, tol):
    try:
        same(got, want, tol)
    except AssertionError:
        return True
    return False


def control(got, want, tol=TOL):
    moved = [list(w) for w in want]
    for w in moved:
        if isinstance(w[1], (int, float)) and not isinstance(w[1], bool):
            w[1] += max(10 * tol, abs(w[1]) * 1e-9)
            break
    assert _refused(got, [tuple(w) for w in moved], tol), \
        "a number moved by %g is not refused" % (10 * tol)
    if len(want) >= 2:
        swapped = list(want)
        swapped[-1], swapped[-2] = swapped[-2], swapped[-1]
        assert swapped == want or _refused(got, swapped, tol), \
            "two checks swapped are not refused"
