#!/usr/bin/env python3
"""The ODD's table of uncertain input data, generated from the scenario's declarations.

Runs `govsim describe SCENARIO --uncertain-table` (a Markdown table: path,
distribution and range, nominal value, grade, source) and compares it with, or
writes it into, the part of docs/ODD.md between the lines
`<!-- uncertain:begin -->` and `<!-- uncertain:end -->`:

    /usr/bin/python3 scripts/uncertain_table.py            # print the table
    /usr/bin/python3 scripts/uncertain_table.py --check    # exit 1 when docs/ODD.md differs
    /usr/bin/python3 scripts/uncertain_table.py --write    # rewrite docs/ODD.md between the markers

GOVSIM_BINARY (default build/release/govsim) names the binary.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN, END = "<!-- uncertain:begin -->", "<!-- uncertain:end -->"


def generate(scenario: str, govsim: str) -> str:
    p = subprocess.run([govsim, "describe", scenario, "--uncertain-table"], capture_output=True, text=True, cwd=ROOT)
    if p.returncode != 0:
        raise SystemExit(f"uncertain_table.py: {govsim} describe failed:\n{p.stderr}")
    return p.stdout


def split(doc: str, path: str) -> tuple[str, str, str]:
    """The text before the table (through the begin marker's line), the table, and the rest (from the end marker)."""
    if doc.count(BEGIN) != 1 or doc.count(END) != 1 or doc.index(BEGIN) > doc.index(END):
        raise SystemExit(f"uncertain_table.py: {path} needs one `{BEGIN}` line followed by one `{END}` line")
    a = doc.index("\n", doc.index(BEGIN)) + 1
    b = doc.index(END)
    return doc[:a], doc[a:b], doc[b:]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="scenarios/district-base.yaml")
    ap.add_argument("--doc", default="docs/ODD.md")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="exit 1 when the document's table differs")
    mode.add_argument("--write", action="store_true", help="rewrite the document's table")
    args = ap.parse_args(argv)
    govsim = os.environ.get("GOVSIM_BINARY", os.path.join(ROOT, "build", "release", "govsim"))
    table = generate(args.scenario, govsim)
    if not args.check and not args.write:
        sys.stdout.write(table)
        return 0
    doc_path = os.path.join(ROOT, args.doc)
    with open(doc_path, encoding="utf-8") as f:
        doc = f.read()
    head, current, tail = split(doc, args.doc)
    if args.check:
        if current != table:
            sys.stderr.write(f"{args.doc}: the uncertain-parameter table differs from the declarations of "
                             f"{args.scenario}; run scripts/uncertain_table.py --write\n")
            return 1
        return 0
    with open(doc_path, "w", encoding="utf-8") as f:
        f.write(head + table + tail)
    return 0


if __name__ == "__main__":
    sys.exit(main())
