#!/usr/bin/env python3
"""gen_exactsum.py: the known answers of test_exactsum.c, computed without
libprep.

Not run by the tests (they read exactsum.txt); run it by hand after
changing a case, from the top directory:

    python3 tests/unit/kat/gen_exactsum.py >tests/unit/kat/exactsum.txt

Each case is a list of doubles chosen to defeat floating-point summation
(catastrophic cancellation, terms that overflow a double half-way, ties
of the final rounding, subnormals, long random lists whose large terms
cancel). For each, by two routes that must agree where both apply:

  exact   the sum as a fractions.Fraction (exact rational arithmetic),
          written in exactsum.h's JSON form (12, "0x3p-1", "-0x3p-3");
  double  the sum rounded once to the nearest double, ties to even:
          math.fsum (Shewchuk's algorithm, correctly rounded), checked
          against the Fraction rounded by hand; where fsum fails on an
          intermediate overflow, the Fraction's rounding alone;
  round   the sum divided by 2^k, rounded to the nearest whole number,
          halves away from zero, for one k per case ("range" when that
          is 2^126 or more in magnitude; for the random cases, k keeps
          about 120 bits of the sum).

A line: NAME EXACT DOUBLE K ROUND N V1 .. VN, the doubles in C99
hexadecimal (float.hex()), DOUBLE "inf"/"-inf" past the largest double.
"""

import math
import random
from fractions import Fraction

MAX_DOUBLE = Fraction(2) ** 1024 - Fraction(2) ** 971


def exact_text(q):
    """q (a dyadic rational) in exactsum.h's JSON form, as JSON text: a
    whole number below 2^53 in magnitude as an integer, else the string
    "[-]0xMpE", M odd in lowercase hexadecimal, the value M 2^E."""
    if q.denominator == 1 and abs(q) < 2 ** 53:
        return str(q.numerator)
    sign = "-" if q < 0 else ""
    num, den = abs(q).numerator, abs(q).denominator
    assert den & (den - 1) == 0, "not dyadic"
    e = -(den.bit_length() - 1)
    while num % 2 == 0:
        num //= 2
        e += 1
    return '"%s0x%xp%d"' % (sign, num, e)


def round_nearest_even(q):
    """q to the nearest double, ties to even; +-inf past the largest."""
    if q == 0:
        return 0.0
    sign = -1 if q < 0 else 1
    a = abs(q)
    # find e with 2^e <= a < 2^(e+1) exactly
    e = a.numerator.bit_length() - a.denominator.bit_length()
    while Fraction(2) ** e > a:
        e -= 1
    while Fraction(2) ** (e + 1) <= a:
        e += 1
    ulp_exp = max(e - 52, -1074)
    ulp = Fraction(2) ** ulp_exp
    m = a / ulp
    f = math.floor(m)
    r = m - f
    if r > Fraction(1, 2) or (r == Fraction(1, 2) and f % 2 == 1):
        f += 1
    v = f * ulp
    if v > MAX_DOUBLE:
        return sign * math.inf
    return sign * math.ldexp(f, ulp_exp)


def round_away(q, k):
    """q / 2^k to the nearest whole number, halves away from zero, or
    "range" at 2^126 or more in magnitude."""
    x = q / Fraction(2) ** k
    a = abs(x)
    f = math.floor(a)
    if a - f >= Fraction(1, 2):
        f += 1
    if f >= 2 ** 126:
        return "range"
    return -f if x < 0 else f


def hexd(v):
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v.hex()


def case(name, values, k):
    q = sum((Fraction(v) for v in values), Fraction(0))
    if k is None:  # 120 bits of the sum above the point
        a = abs(q)
        k = a.numerator.bit_length() - a.denominator.bit_length() - 120
    d = round_nearest_even(q)
    try:
        f = math.fsum(values)
        assert f == d or (math.isnan(f) and math.isinf(d)), (name, f, d)
    except OverflowError:
        pass
    print(name, exact_text(q), hexd(d), k, round_away(q, k), len(values),
          " ".join(v.hex() for v in values))


def main():
    tiny = math.ldexp(1.0, -1074)
    big = math.ldexp(1.0, 1023) * (2 - math.ldexp(1.0, -52))  # DBL_MAX
    case("cancel", [1e16, 1.0, -1e16], 0)
    case("cancel-many", [1e16, 1.0, -1e16, 1.0, 1e16, -1e16, -2.0, 3.0], 0)
    case("tenths", [0.1] * 10, -60)
    case("hundred-ones-big", [1e100, 1.0, -1e100] * 100, 0)
    case("overflow-halfway", [big, big, -big], 1000)
    case("overflow-sum", [big, big], 1000)
    case("round-range", [math.ldexp(1.0, 200)], 74)
    case("round-just-fits", [math.ldexp(1.0, 200) - math.ldexp(1.0, 148)], 75)
    case("overflow-negative", [-big, -big, -big], 1023)
    case("subnormals", [tiny, -tiny, tiny, tiny * 3], -1074)
    case("subnormal-to-normal",
         [math.ldexp(1.0, -1022) - tiny, tiny], -1074)
    case("tie-even-down", [1.0, math.ldexp(1.0, -53)], -53)
    case("tie-even-up",
         [1.0 + math.ldexp(1.0, -52), math.ldexp(1.0, -53)], -52)
    case("above-tie",
         [1.0, math.ldexp(1.0, -53), math.ldexp(1.0, -1074)], -52)
    case("below-tie",
         [1.0, math.ldexp(1.0, -53), -math.ldexp(1.0, -1074)], -52)
    case("half-away-negative", [-2.5], 0)
    case("half-away-positive", [2.5, -1.0], 1)
    case("zero", [0.0, -0.0, 5.0, -5.0], 0)
    case("empty", [], 0)
    case("wide", [math.ldexp(1.0, 1000), math.ldexp(1.0, -1000),
                  -math.ldexp(1.0, 1000)], -1000)
    rng = random.Random(18)
    for n in range(6):
        big_terms = [rng.choice([-1, 1]) * math.ldexp(rng.random() + 0.5,
                                                      rng.randint(-300, 300))
                     for _ in range(150)]
        small = [rng.uniform(-1, 1) * math.ldexp(1.0, rng.randint(-1074, 5))
                 for _ in range(50)]
        values = big_terms + [-v for v in big_terms] + small
        rng.shuffle(values)
        case("random-cancel-%d" % n, values, None)
    for n in range(4):
        values = [rng.uniform(-1e6, 1e6) for _ in range(200)]
        case("random-plain-%d" % n, values, rng.randint(-60, 20))


main()
