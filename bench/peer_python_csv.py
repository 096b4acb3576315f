#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Peer for the ml-gather benchmark: the plain CSV-to-JSON-Lines loop a Python user
would write (csv.DictReader, one json.dumps per row). Standard library only.

Usage: peer_python_csv.py FILE.csv > OUT.jsonl
"""
import csv
import json
import sys


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 64
    out = sys.stdout
    with open(sys.argv[1], newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            out.write(json.dumps(row, ensure_ascii=False))
            out.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
