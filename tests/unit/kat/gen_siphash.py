#!/usr/bin/env python3
"""gen_siphash.py: recompute the SipHash vectors of test_siphash.c without
libprep.

Not run by the tests (they hold the vectors as literals); run it by hand
after changing a vector:

    python3 tests/unit/kat/gen_siphash.py          # prints C literals

SipHash-c-d is written out below from the description in Aumasson &
Bernstein, "SipHash: a fast short-input PRF" (INDOCRYPT 2012), section 2,
independently of libprep/siphash.c. Each value is checked by a second
route before it is printed, else the script stops:

  SipHash-2-4  the paper's appendix A: key 00 01 .. 0f, message
               00 01 .. 0e (15 bytes) -> 0xa129ca6149be45e5.
  SipHash-1-3  CPython >= 3.11 hashes bytes with SipHash-1-3
               (sys.hash_info.algorithm == 'siphash13') under the 16-byte
               key _Py_HashSecret (k0, k1 at its start, read with ctypes):
               hash(b) is that SipHash as a signed 64-bit number (-1
               becomes -2). Every 1-3 vector is compared with hash() of
               the same bytes under that key (the vectors themselves use
               key 00 01 .. 0f; the cross-check runs the Python code
               below under CPython's key). Plus one published value of
               the reference implementation: all-zero key, empty message
               -> 0xd1fba762150c532c.

The vectors: key 00 01 .. 0f, message 00 01 .. (n-1) for n = 0..63, as
the reference implementation's vectors are laid out.
"""

import ctypes
import sys

MASK = (1 << 64) - 1


def rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & MASK


def sipround(v):
    v0, v1, v2, v3 = v
    v0 = (v0 + v1) & MASK
    v2 = (v2 + v3) & MASK
    v1 = rotl(v1, 13)
    v3 = rotl(v3, 16)
    v1 ^= v0
    v3 ^= v2
    v0 = rotl(v0, 32)
    v2 = (v2 + v1) & MASK
    v0 = (v0 + v3) & MASK
    v1 = rotl(v1, 17)
    v3 = rotl(v3, 21)
    v1 ^= v2
    v3 ^= v0
    v2 = rotl(v2, 32)
    return [v0, v1, v2, v3]


def siphash(c, d, key, msg):
    """SipHash-c-d of msg (bytes) under key (16 bytes), as an integer."""
    k0 = int.from_bytes(key[:8], "little")
    k1 = int.from_bytes(key[8:16], "little")
    v = [k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D,
         k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573]
    n = len(msg)
    full = n - n % 8
    words = [int.from_bytes(msg[i:i + 8], "little") for i in range(0, full, 8)]
    # last word: the bytes left over, the length mod 256 in the top byte
    words.append(int.from_bytes(msg[full:], "little") | (n % 256) << 56)
    for m in words:
        v[3] ^= m
        for _ in range(c):
            v = sipround(v)
        v[0] ^= m
    v[2] ^= 0xFF
    for _ in range(d):
        v = sipround(v)
    return v[0] ^ v[1] ^ v[2] ^ v[3]


def cpython_key():
    if sys.hash_info.algorithm != "siphash13":
        sys.exit("needs CPython >= 3.11 (hash algorithm siphash13)")
    secret = (ctypes.c_ubyte * 16).in_dll(ctypes.pythonapi, "_Py_HashSecret")
    return bytes(secret)


def cpython_hash(msg):
    """hash() of bytes as CPython computes it, as an unsigned number."""
    return hash(msg) & MASK


def main():
    key = bytes(range(16))
    # route 2 for 2-4: the paper's appendix
    got = siphash(2, 4, key, bytes(range(15)))
    if got != 0xA129CA6149BE45E5:
        sys.exit("SipHash-2-4 differs from the paper: %016x" % got)
    # route 2 for 1-3: the reference implementation's zero-key value
    if siphash(1, 3, bytes(16), b"") != 0xD1FBA762150C532C:
        sys.exit("SipHash-1-3 differs from the reference (zero key)")
    # route 3 for 1-3: CPython's own SipHash-1-3 under its key
    ck = cpython_key()
    for n in range(64):
        msg = bytes(range(n))
        mine = siphash(1, 3, ck, msg)
        if mine == MASK:  # CPython turns -1 into -2
            mine = MASK - 1
        if n and mine != cpython_hash(msg):
            sys.exit("SipHash-1-3 of %d bytes differs from CPython" % n)
    # (CPython hashes b"" to 0 without SipHash, hence `if n`)

    print("/* SipHash-2-4, key 00..0f, message 00..(n-1), n = 0..63 */")
    print("static const uint64_t sip24[64] = {")
    for n in range(64):
        print("    0x%016xULL," % siphash(2, 4, key, bytes(range(n))))
    print("};")
    print("/* SipHash-1-3, key 00..0f, message 00..(n-1), n = 0..63 */")
    print("static const uint64_t sip13[64] = {")
    for n in range(64):
        print("    0x%016xULL," % siphash(1, 3, key, bytes(range(n))))
    print("};")


if __name__ == "__main__":
    main()
