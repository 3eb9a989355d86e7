"""The ODD's table of uncertain input data, generated from the scenario's declarations.

Runs `govsim describe SCENARIO --uncertain-table` (a Markdown table: path,
distribution and range, nominal value, grade, source) and compares it with, or
writes it into, the part of docs/ODD.md between the lines
`<!-- uncertain:begin -->` and `<!-- uncertain:end -->`:

    /usr/bin/python3 scripts/uncertain_table.py            # print the table
    /usr/bin/python3 scripts/uncertain_table.py --check    # exit 1 when docs/ODD.md differs
    /usr/bin/python3 scripts/uncertain_table.py --write    # rewrite docs/ODD.md between the markers

GOVSIM_BINARY (default build/release/govsim) names the binary; cli.uncertain_main is the
command line.
"""

from __future__ import annotations

import os
import subprocess

# The repository root: paths in the command line (--scenario, --doc) are relative to it.
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BEGIN, END = "<!-- uncertain:begin -->", "<!-- uncertain:end -->"


def generate(scenario: str, govsim: str) -> str:
    """The table `govsim describe SCENARIO --uncertain-table` prints (SystemExit when it fails)."""
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
