#!/usr/bin/env python3
"""Verifies a compact JWS with an independent JOSE implementation (jwcrypto).

Usage: verify_jws.py PUBLIC_JWK_FILE COMPACT_JWS_FILE

Accepts only alg "EdDSA" and a public Ed25519 key. On success writes the payload bytes to
standard output, unchanged, and exits 0; exits 1 if the token does not verify or anything is
wrong with the inputs; exits 2 on wrong usage. Used by tests/unit/core/test_jws_interop.cpp
to check that Countersign's JWS output is what the rest of the JOSE world reads.
"""

import sys

from jwcrypto import jwk, jws


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        with open(argv[1], "rb") as f:
            key = jwk.JWK.from_json(f.read())
        with open(argv[2], "rb") as f:
            token = f.read().decode("ascii")
        if key.has_private:
            raise ValueError("a private key was given where a public key was expected")
        if key.get("kty") != "OKP" or key.get("crv") != "Ed25519":
            raise ValueError("not an Ed25519 public key")
        # The token is compared as written: no trailing newline or whitespace is stripped.
        obj = jws.JWS()
        obj.allowed_algs = ["EdDSA"]
        obj.deserialize(token)
        obj.verify(key, alg="EdDSA")
        payload = obj.payload
    except Exception as error:  # any failure at all is a refusal, never a traceback with exit 1
        print("verification failed: %s: %s" % (type(error).__name__, error), file=sys.stderr)
        return 1
    sys.stdout.buffer.write(payload)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
