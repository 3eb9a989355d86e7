#!/usr/bin/python3
"""Scenario discovery with PRIM (Friedman & Fisher 1999) over `govsim explore` samples.

    /usr/bin/python3 scripts/govsim_prim.py DIR [--option NAME] [--metric M] [--target "response_p90_h<120"]
                                                [--alpha 0.05] [--min-support 0.05] [--threshold 0.8]

Writes DIR/prim.json and prints PRIM's sentence. The command line of govsim_analysis/prim.py (the method:
its docstring).
"""

import os
import sys

sys.dont_write_bytecode = True  # keep scripts/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from govsim_analysis.cli import prim_main  # noqa: E402

if __name__ == "__main__":
    sys.exit(prim_main())
