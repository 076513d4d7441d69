#!/usr/bin/env python3
"""Signs a payload as a compact JWS with an independent JOSE implementation (jwcrypto).

Usage: sign_jws.py PRIVATE_JWK_FILE PAYLOAD_FILE

Signs the payload bytes with the Ed25519 private JWK, alg "EdDSA", and writes the compact JWS
to standard output without a trailing newline; exits 0 on success, 1 on any failure, 2 on wrong
usage. Used by tests/unit/core/test_jws_interop.cpp to check that Countersign reads JWS written
elsewhere.
"""

import sys

from jwcrypto import jwk, jws
from jwcrypto.common import json_encode


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        with open(argv[1], "rb") as f:
            key = jwk.JWK.from_json(f.read())
        with open(argv[2], "rb") as f:
            payload = f.read()
        obj = jws.JWS(payload)
        obj.allowed_algs = ["EdDSA"]
        obj.add_signature(key, alg="EdDSA", protected=json_encode({"alg": "EdDSA"}))
        token = obj.serialize(compact=True)
    except Exception as error:
        print("signing failed: %s: %s" % (type(error).__name__, error), file=sys.stderr)
        return 1
    sys.stdout.write(token)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
