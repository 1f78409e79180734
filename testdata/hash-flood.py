#!/usr/bin/env python3
"""hash-flood.py: CSV whose keys all collide under libprep's old table hash.

    python3 testdata/hash-flood.py BITS [--label]

writes a header `q` (with --label: `q,y`) and 2^BITS rows whose values of
q are distinct, all 6 + 8 * (BITS + 1) bytes long, and whose keys, as the
tables hash them (a one-field tuple: a 2-byte varint length, then the
bytes), have one and the same 64-bit hash under the multiply-xorshift
function libprep used before SipHash, whatever its seed. With --label,
y is `a` on even rows and `b` on odd ones. Deterministic: the same BITS
give the same bytes. The tests of tests/cli/*/hash-flood* use it; with
the old hash each row walked the chain of every row before it, so 2^17
rows took minutes instead of a fraction of a second.

The old function, over the key's 8-byte little-endian words x:

    h = seed ^ (len * C0)
    for each full word x:  h ^= x * M1;  h = rotl(h, 31) * M2
    then the last (partial) word and a finalizer

Two words whose products x * M1 differ (XOR) in bit 32 only give states
that differ in bit 32, then in bit 63 after rotl(., 31), and still only in
bit 63 after * M2: M2 is odd, so (a ^ 2^63) * M2 = a * M2 + 2^63 =
(a * M2) ^ 2^63 (mod 2^64). A next word flipped in bit 63, whose product
then differs in bit 63 too, cancels it. So each word j
carries one free bit b_j: its product is y_j ^ (b_{j-1} << 63) ^
(b_j << 32), that is the word is x_j (b_j = 0) or x2_j = (y_j ^ 2^32) *
M1^-1 (b_j = 1), XORed with b_{j-1} << 63; one last word cancels b_BITS.
None of it depends on the seed.

Bytes: q starts with "flood-" (with the 2-byte length, the first word);
the words are chosen (deterministically, from SHA-256 of a counter) so
that neither x_j nor x2_j holds a byte that CSV would quote or that ends
a line, or a control character (bytes below 0x21, '"', ',', DEL), with
either value of bit 63, which the next word may flip. The values are
bytes, not UTF-8 text.
"""

import hashlib
import sys

M1 = 0xFF51AFD7ED558CCD  # the old hash's word multiplier
MASK = (1 << 64) - 1
M1_INV = pow(M1, -1, 1 << 64)
SAFE = set(range(0x21, 0x7F)) - {ord('"'), ord(",")}


def safe(x):
    """Bytes 0-6 printable or >= 0x80; byte 7 printable with either top
    bit (it is the byte whose top bit the next flip may set or clear)."""
    b = x.to_bytes(8, "little")
    return all(c in SAFE or c >= 0x80 for c in b[:7]) and b[7] & 0x7F in SAFE


def word_pair(j):
    """x_j and x2_j = (x_j * M1 ^ 2^32) * M1^-1, both of safe bytes."""
    c = 0
    while True:
        d = hashlib.sha256(b"hash-flood %d %d" % (j, c)).digest()
        c += 1
        x = int.from_bytes(d[:8], "little")
        x2 = (((x * M1) & MASK) ^ (1 << 32)) * M1_INV & MASK
        if safe(x) and safe(x2):
            return x, x2


def main():
    args = sys.argv[1:]
    label = "--label" in args
    args = [a for a in args if a != "--label"]
    if len(args) != 1 or not args[0].isdigit() or not 1 <= int(args[0]) <= 20:
        sys.exit("usage: hash-flood.py BITS [--label]   (BITS 1..20)")
    bits = int(args[0])
    words = [word_pair(j) for j in range(bits + 1)]
    out = sys.stdout.buffer
    out.write(b"q,y\n" if label else b"q\n")
    for i in range(1 << bits):
        parts = [b"flood-"]
        prev = 0
        for j in range(bits + 1):
            b = (i >> j) & 1 if j < bits else 0
            parts.append((words[j][b] ^ (prev << 63)).to_bytes(8, "little"))
            prev = b
        if label:
            parts.append(b",b" if i & 1 else b",a")
        parts.append(b"\n")
        out.write(b"".join(parts))


if __name__ == "__main__":
    main()
