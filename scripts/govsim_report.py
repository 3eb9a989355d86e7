#!/usr/bin/python3
"""One self-contained HTML report of a `govsim compare` folder, in English or Chinese.

    /usr/bin/python3 scripts/govsim_report.py DIR [--out report.html] [--baseline NAME] [--lang en|zh]

The command line of govsim_analysis/report/ (what the page holds: its docstring in report/page.py).
Errors in the input give one line on stderr naming the path and exit status 2; never a traceback.
"""

import os
import sys

sys.dont_write_bytecode = True  # keep scripts/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from govsim_analysis.cli import report_main  # noqa: E402

if __name__ == "__main__":
    sys.exit(report_main())
