#!/usr/bin/python3
"""The ODD's table of uncertain input data, generated from the scenario's declarations.

    /usr/bin/python3 scripts/uncertain_table.py            # print the table
    /usr/bin/python3 scripts/uncertain_table.py --check    # exit 1 when docs/ODD.md differs
    /usr/bin/python3 scripts/uncertain_table.py --write    # rewrite docs/ODD.md between the markers

The command line of govsim_analysis/uncertain.py; GOVSIM_BINARY (default build/release/govsim) names the binary.
"""

import os
import sys

sys.dont_write_bytecode = True  # keep scripts/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from govsim_analysis.cli import uncertain_main  # noqa: E402

if __name__ == "__main__":
    sys.exit(uncertain_main())
