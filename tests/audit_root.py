#!/usr/bin/env python3
"""Recomputes an audit log's RFC 6962 tree head from `countersign-audit export --format jsonl`.

An independent check of countersign-audit, written against RFC 6962 section 2.1 and the
documented export format only (Python's hashlib, json and base64; nothing from this project):
each line is {"entry":<the exact bytes the leaf hash is over>,"leafHash":"<hex>"}.

Usage: audit_root.py EXPORT.jsonl   (or - for stdin)
Prints "size N", "root-hex H" and "root-base64 B"; exits 1 naming the first line that does not
hash, chain or number as it should, 2 on usage.
"""
import base64
import hashlib
import json
import sys

PREFIX = b'{"entry":'
SUFFIX_START = b',"leafHash":"'
MAX_LINE = 1 << 20


def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def mth(leaves):
    """RFC 6962 Merkle Tree Hash, by its recursive definition (split at the largest power of
    two smaller than n)."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def fail(line_number, why):
    print(f"line {line_number}: {why}", file=sys.stderr)
    sys.exit(1)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    stream = sys.stdin.buffer if sys.argv[1] == "-" else open(sys.argv[1], "rb")
    leaves = []
    prev = bytes(32)
    for number, line in enumerate(stream, start=1):
        if len(line) > MAX_LINE:
            fail(number, "line too long")
        line = line.rstrip(b"\n")
        cut = line.rfind(SUFFIX_START)
        if not line.startswith(PREFIX) or cut < 0 or not line.endswith(b'"}'):
            fail(number, "not an export line")
        entry_bytes = line[len(PREFIX):cut]
        stated = line[cut + len(SUFFIX_START):-2].decode("ascii")
        digest = leaf_hash(entry_bytes)
        if digest.hex() != stated:
            fail(number, "the entry does not hash to its leafHash")
        entry = json.loads(entry_bytes)
        if entry["seq"] != number:
            fail(number, f"seq {entry['seq']} where {number} was expected")
        if entry["prevHash"] != prev.hex():
            fail(number, "prevHash is not the previous entry's leaf hash")
        prev = digest
        leaves.append(digest)
    root = mth(leaves)
    print(f"size {len(leaves)}")
    print(f"root-hex {root.hex()}")
    print(f"root-base64 {base64.b64encode(root).decode('ascii')}")


if __name__ == "__main__":
    main()
