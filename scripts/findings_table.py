#!/usr/bin/python3
"""Markdown table of every option's paired effect on the headline outcomes (docs/findings.md).

    /usr/bin/python3 scripts/findings_table.py DIR

The command line of govsim_analysis/findings.py.
"""

import os
import sys

sys.dont_write_bytecode = True  # keep scripts/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from govsim_analysis.cli import findings_main  # noqa: E402

if __name__ == "__main__":
    sys.exit(findings_main())
