#!/usr/bin/env python3
"""gen_vectors.py: recompute the known-answer vectors of test_keys.c and
test_pseudo.c, and the tokens of the anonymize CLI tests, without libprep.

Not run by the tests (they hold the vectors as literals); run it by hand
after changing a vector, or to check another implementation:

    python3 tests/unit/kat/gen_vectors.py          # prints C literals

Every value is computed at least twice by independent code and the two
must agree, else the script stops:

  HKDF     the openssl(1) command line (`openssl kdf ... HKDF`, the
           system OpenSSL) and RFC 5869 written out below with Python's
           hmac/hashlib.
  HMAC     `openssl dgst -sha256 -mac HMAC -macopt hexkey:KH` and Python's
           hmac module.
  AES-SIV  the `cryptography` package's AESSIV (its own bundled OpenSSL
           build) and RFC 5297 S2V + CTR written out below on top of a
           bare AES block function (itself checked against RFC 5297 A.1).

Needs: python3 >= 3.8, the `cryptography` package, openssl(1) >= 3.0.
See README in this directory for the definitions.
"""

import base64
import hashlib
import hmac
import subprocess
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESSIV

INFO_HASH = b"prep hash v1"
INFO_ENCRYPT = b"prep encrypt v1"

# Key material: the key file "0123456789abcdef0123456789abcdef\n" with its
# one trailing newline dropped; the same file with "\n\n" (one newline is
# kept); the 16-byte minimum.
IKM = b"0123456789abcdef0123456789abcdef"
IKM_NL = IKM + b"\n"
IKM_MIN = b"0123456789abcdef"


def long_value():
    """1 MiB: byte i is 'a' + i % 26."""
    return bytes(ord("a") + i % 26 for i in range(1 << 20))


HASH_VALUES = [
    ("ascii", b"alice@example.com"),
    ("email30", b"jane.doe.1987@mail.example.org"),
    ("space", b" alice@example.com"),
    ("latin", "Zoë Ångström".encode()),
    ("cjk", "東京都".encode()),
    ("nul", b"a\x00b"),
    ("long", long_value()),
]

# Tokens bound to a column: (name, associated data = column name, value).
BOUND_VALUES = [
    ("email", b"email", b"alice@example.com"),
    ("contact", b"contact", b"alice@example.com"),
    ("noname", b"", b"alice@example.com"),
    ("col2", b"2", b"alice@example.com"),
    ("sex", b"sex", b"M"),
    ("utf8", "Prénom".encode(), "Zoë Ångström".encode()),
    ("len100", b"notes", bytes(ord("a") + i % 26 for i in range(100))),
]

# The tokens of tests/cli/anonymize, under testdata/test.key.
TEST_KEY_FILE = b"prep-test-key-0123456789abcdefgh\n"
CLI_BOUND = [
    (b"s", b"123-45-6789"),
    (b"email", b"alice@example.com"),
    (b"ssn", b"123-45-6789"),
    (b"ssn", b"078-05-1120"),
    (b"email", b"bob@example.org"),
    (b"2", b"alice@example.com"),
]
CLI_LEGACY = [b"alice@example.com", b"123-45-6789", b"078-05-1120",
              b"bob@example.org"]

ENC_VALUES = [
    ("len1", b"M"),
    ("len15", b"555-0100 x12345"),
    ("len16", b"4111111111111111"),
    ("len17", b"alice@example.com"),
    ("utf8", "Zoë Ångström".encode()),
    ("len100", bytes(ord("a") + i % 26 for i in range(100))),
]


def die(msg):
    sys.exit("gen_vectors: " + msg)


# --- HKDF -------------------------------------------------------------

def hkdf_py(ikm, info, length):
    """RFC 5869 §2.2-2.3 with SHA-256 and an empty salt (HashLen zeros)."""
    prk = hmac.new(b"\x00" * 32, ikm, hashlib.sha256).digest()
    okm, t, i = b"", b"", 1
    while len(okm) < length:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest()
        okm += t
        i += 1
    return okm[:length]


def hkdf_cli(ikm, info, length):
    out = subprocess.run(
        ["openssl", "kdf", "-keylen", str(length),
         "-kdfopt", "digest:SHA256",
         "-kdfopt", "hexkey:" + ikm.hex(),
         "-kdfopt", "hexinfo:" + info.hex(), "HKDF"],
        check=True, capture_output=True, text=True).stdout
    return bytes.fromhex(out.strip().replace(":", ""))


def hkdf(ikm, info, length):
    a, b = hkdf_py(ikm, info, length), hkdf_cli(ikm, info, length)
    if a != b:
        die("HKDF: python and openssl(1) disagree")
    return a


# --- HMAC -------------------------------------------------------------

def hmac_cli(key, data):
    out = subprocess.run(
        ["openssl", "dgst", "-sha256", "-mac", "HMAC",
         "-macopt", "hexkey:" + key.hex()],
        input=data, check=True, capture_output=True).stdout.decode()
    return out.strip().split()[-1]  # "HMAC-SHA2-256(stdin)= HEX"


def hmac_hex(key, data):
    a = hmac.new(key, data, hashlib.sha256).hexdigest()
    if a != hmac_cli(key, data):
        die("HMAC: python and openssl(1) disagree")
    return a


# --- AES-SIV (RFC 5297) -----------------------------------------------

def aes_block(key, block):
    e = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return e.update(block) + e.finalize()


def dbl(b):
    """RFC 5297 §2.3: doubling in GF(2^128)."""
    n = int.from_bytes(b, "big") << 1
    if n >> 128:
        n = (n & ((1 << 128) - 1)) ^ 0x87
    return n.to_bytes(16, "big")


def xor(a, b):
    return bytes(x ^ y for x, y in zip(a, b))


def cmac(key, msg):
    """AES-CMAC, RFC 4493."""
    k1 = dbl(aes_block(key, b"\x00" * 16))
    k2 = dbl(k1)
    if msg and len(msg) % 16 == 0:
        blocks = [msg[i:i + 16] for i in range(0, len(msg), 16)]
        blocks[-1] = xor(blocks[-1], k1)
    else:
        padded = msg + b"\x80" + b"\x00" * (15 - len(msg) % 16)
        blocks = [padded[i:i + 16] for i in range(0, len(padded), 16)]
        blocks[-1] = xor(blocks[-1], k2)
    x = b"\x00" * 16
    for blk in blocks:
        x = aes_block(key, xor(x, blk))
    return x


def s2v(k1, ads, p):
    """RFC 5297 §2.4."""
    d = cmac(k1, b"\x00" * 16)
    for a in ads:
        d = xor(dbl(d), cmac(k1, a))
    if len(p) >= 16:
        t = p[:-16] + xor(p[-16:], d)
    else:
        t = xor(dbl(d), p + b"\x80" + b"\x00" * (15 - len(p)))
    return cmac(k1, t)


def siv_py(key, p, ads=()):
    """RFC 5297 §2.6: K1 (S2V) is the first half of the key, K2 (CTR) the
    second; returns V || C."""
    k1, k2 = key[:len(key) // 2], key[len(key) // 2:]
    v = s2v(k1, ads, p)
    q = bytearray(v)
    q[8] &= 0x7F
    q[12] &= 0x7F
    e = Cipher(algorithms.AES(k2), modes.CTR(bytes(q))).encryptor()
    return v + e.update(p) + e.finalize()


def check_siv_py():
    """RFC 5297 Appendix A.1 (deterministic AEAD, one header)."""
    key = bytes.fromhex("fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0"
                        "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff")
    ad = bytes.fromhex("101112131415161718191a1b1c1d1e1f2021222324252627")
    p = bytes.fromhex("112233445566778899aabbccddee")
    want = bytes.fromhex("85632d07c6e8f37f950acd320a2ecc93"
                         "40c02b9690c4dc04daef7f6afe5c")
    if siv_py(key, p, [ad]) != want:
        die("the RFC 5297 A.1 vector fails in siv_py")


def b64url(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def token(ke, p):
    """A legacy token: no associated data, no prefix."""
    a = AESSIV(ke).encrypt(p, None)
    if a != siv_py(ke, p):
        die("AES-SIV: cryptography and siv_py disagree")
    if AESSIV(ke).decrypt(a, None) != p:
        die("AES-SIV: no round trip")
    return b64url(a)


def bound_token(ke, ad, p):
    """A token bound to a column: its name as the one associated data
    string, and the prefix "v2."."""
    a = AESSIV(ke).encrypt(p, [ad])
    if a != siv_py(ke, p, [ad]):
        die("AES-SIV with AD: cryptography and siv_py disagree")
    if AESSIV(ke).decrypt(a, [ad]) != p:
        die("AES-SIV with AD: no round trip")
    return "v2." + b64url(a)


def rfc5297_a1_token():
    """RFC 5297 A.1 output V || C as a prep token (AES-128-SIV)."""
    out = bytes.fromhex("85632d07c6e8f37f950acd320a2ecc93"
                        "40c02b9690c4dc04daef7f6afe5c")
    key = bytes.fromhex("fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0"
                        "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff")
    ad = bytes.fromhex("101112131415161718191a1b1c1d1e1f2021222324252627")
    if AESSIV(key).encrypt(bytes.fromhex("112233445566778899aabbccddee"),
                           [ad]) != out:
        die("the RFC 5297 A.1 vector fails in cryptography")
    return "v2." + b64url(out)


# --- output -----------------------------------------------------------

def c_str(b):
    """A C string literal for bytes b (hex escapes split off digits)."""
    out, prev_hex = [], False
    for ch in b:
        c = chr(ch)
        if 32 <= ch < 127 and c not in '"\\?':
            if prev_hex and c in "0123456789abcdefABCDEF":
                out.append('" "')
            out.append(c)
            prev_hex = False
        else:
            out.append("\\x%02x" % ch)
            prev_hex = True
    return '"' + "".join(out) + '"'


def main():
    check_siv_py()
    for name, ikm in (("IKM", IKM), ("IKM_NL", IKM_NL), ("IKM_MIN", IKM_MIN)):
        print("/* %s = %s */" % (name, c_str(ikm)))
        print("#define %s_KH \"%s\"" % (name, hkdf(ikm, INFO_HASH, 32).hex()))
        print("#define %s_KE \"%s\"" % (name, hkdf(ikm, INFO_ENCRYPT, 64).hex()))
    kh = hkdf(IKM, INFO_HASH, 32)
    ke = hkdf(IKM, INFO_ENCRYPT, 64)
    print("\n/* hash under IKM: full 64 hex digits */")
    for name, v in HASH_VALUES:
        shown = c_str(v) if len(v) < 80 else "(1 MiB pattern)"
        print("/* %s: %s */" % (name, shown))
        print("#define HASH_%s \"%s\"" % (name.upper(), hmac_hex(kh, v)))
    kh2 = hkdf(IKM_NL, INFO_HASH, 32)
    print("#define HASH_ASCII_IKM_NL \"%s\""
          % hmac_hex(kh2, b"alice@example.com"))
    print("\n/* encrypt under IKM */")
    for name, v in ENC_VALUES:
        print("/* %s: %s */" % (name, c_str(v)))
        print("#define TOK_%s \"%s\"" % (name.upper(), token(ke, v)))
    ke2 = hkdf(IKM_NL, INFO_ENCRYPT, 64)
    print("#define TOK_LEN17_IKM_NL \"%s\""
          % token(ke2, b"alice@example.com"))
    # The empty plaintext: never written by prep (empty stays empty), but
    # a 16-byte token like this one must be refused as truncated.
    print("#define TOK_EMPTY_SIV \"%s\"" % token(ke, b""))
    print("\n/* encrypt under IKM, bound to a column name */")
    for name, ad, v in BOUND_VALUES:
        print("/* %s: %s in column %s */" % (name, c_str(v), c_str(ad)))
        print("#define TOK2_%s \"%s\"" % (name.upper(), bound_token(ke, ad, v)))
    print("\n/* RFC 5297 A.1 */")
    print("#define TOK2_RFC5297_A1 \"%s\"" % rfc5297_a1_token())
    ikm = TEST_KEY_FILE[:-1]
    ke_t = hkdf(ikm, INFO_ENCRYPT, 64)
    print("\n/* tests/cli/anonymize, under testdata/test.key */")
    for ad, v in CLI_BOUND:
        print("column %s: %s -> %s" % (ad.decode(), v.decode(),
                                      bound_token(ke_t, ad, v)))
    for v in CLI_LEGACY:
        print("legacy: %s -> %s" % (v.decode(), token(ke_t, v)))


if __name__ == "__main__":
    main()
