#!/usr/bin/env python3
"""gen_tablehash.py: recompute the vectors of test_tablehash.c without
libprep.

Not run by the tests (they hold the vectors as literals); run it by hand
after changing a vector:

    python3 tests/unit/kat/gen_tablehash.py        # prints C literals

The hash is written out below from its description in
libprep/tablehash.h and tablehash.c (the formula, the key derivation, the
blocks of each length), independently of the C code:

    NH_K(M) = sum_i ((m_2i + k_2i) mod 2^32) * ((m_2i+1 + k_2i+1) mod 2^32)
              mod 2^64
    h = fmix64(NH_K(M) + len * K_len mod 2^64)

with 8-byte blocks read as little-endian numbers (low 32 bits m_2i, high
32 bits m_2i+1): for len >= 8 the blocks at 0, 8, ... below len - 8 and
then the last 8 bytes; for 4..7 bytes one block of the first 4 bytes (low)
and the last 4 (high); for 1..3 bytes one block of bytes 0, len // 2 and
len - 1 in its low three bytes; no block for the empty key. Keys of more
than 512 bytes: SipHash-1-3 under the derived SipHash key. The key is
derived from a SipHash key sk: counter i = 0..63 gives K's words 2i (low
32 bits) and 2i+1 (high 32 bits) of SipHash-1-3(sk, i as 8 little-endian
bytes); counter 64 gives K_len (with its lowest bit set), 65 and 66 the
SipHash key's k0 and k1. SipHash-1-3 comes from gen_siphash.py, which
checks itself against the paper and CPython.

The vectors: sk = the bytes 00 01 .. 0f (k0 = 0x0706050403020100), message
00 01 .. (n-1) for n = 0..64, then n = 100, 511, 512, 513, 1000 (the last
two through SipHash), and the number form for a few 64-bit values.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_siphash import siphash  # noqa: E402

MASK = (1 << 64) - 1
M32 = (1 << 32) - 1


def sip13_u64(key16, x):
    return siphash(1, 3, key16, x.to_bytes(8, "little"))


def derive(sk):
    nh = []
    for i in range(64):
        x = sip13_u64(sk, i)
        nh += [x & M32, x >> 32]
    len_mul = sip13_u64(sk, 64) | 1
    k0 = sip13_u64(sk, 65)
    k1 = sip13_u64(sk, 66)
    return nh, len_mul, k0.to_bytes(8, "little") + k1.to_bytes(8, "little")


def fmix64(h):
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & MASK
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & MASK
    h ^= h >> 33
    return h


def blocks(msg):
    n = len(msg)
    if n >= 8:
        # whole blocks up to the last one, which is always the final 8
        # bytes (overlapping the one before when n is not a multiple of 8)
        out = [int.from_bytes(msg[i:i + 8], "little")
               for i in range(0, 8 * ((n - 1) // 8), 8)]
        out.append(int.from_bytes(msg[n - 8:], "little"))
        return out
    if n >= 4:
        lo = int.from_bytes(msg[:4], "little")
        hi = int.from_bytes(msg[n - 4:], "little")
        return [hi << 32 | lo]
    if n > 0:
        return [msg[0] | msg[n // 2] << 8 | msg[n - 1] << 16]
    return []


def tablehash(key, msg):
    nh, len_mul, sip = key
    if len(msg) > 512:
        return siphash(1, 3, sip, msg)
    total = 0
    for i, b in enumerate(blocks(msg)):
        lo, hi = b & M32, b >> 32
        total += ((lo + nh[2 * i]) & M32) * ((hi + nh[2 * i + 1]) & M32)
    return fmix64((total + len(msg) * len_mul) & MASK)


def main():
    key = derive(bytes(range(16)))
    sizes = list(range(65)) + [100, 511, 512, 513, 1000]
    print("/* prep_tablehash, key derived from SipHash key 00..0f,")
    print("   message 00 01 .. (n-1) (bytes mod 256), n as listed */")
    print("static const struct {")
    print("\tsize_t n;")
    print("\tuint64_t h;")
    print("} vec[] = {")
    for n in sizes:
        msg = bytes(i % 256 for i in range(n))
        print("    {%d, 0x%016xULL}," % (n, tablehash(key, msg)))
    print("};")
    print("/* prep_tablehash_u64 of these numbers */")
    print("static const uint64_t u64_in[] = {")
    nums = [0, 1, 0x0123456789ABCDEF, MASK]
    for x in nums:
        print("    0x%016xULL," % x)
    print("};")
    print("static const uint64_t u64_out[] = {")
    for x in nums:
        print("    0x%016xULL," % tablehash(key, x.to_bytes(8, "little")))
    print("};")


if __name__ == "__main__":
    main()
