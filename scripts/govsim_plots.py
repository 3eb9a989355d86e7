#!/usr/bin/python3
"""Plots of govsim results: the command line (the code is the govsim_analysis package beside it).

govsim_plots.py turns the result folders written by the `govsim` binary into
PNG figures (150 dpi, matplotlib with the non-interactive Agg backend):

  run DIR        a `govsim run` folder: response-time CDFs, service gap,
                 backlog per tier and trust over time
  compare DIR    a `govsim compare` folder: the same figures with one line or
                 bar per scenario, plus a forest plot of paired differences
  sweep DIR      a sweep folder holding sweep.csv and/or sensitivity.csv:
                 sweep lines with CI bands, a two-parameter heatmap and a
                 sensitivity (Morris mu*, sigma) bar chart
  explore DIR    a `govsim explore` folder: effects, tornado, PRIM trajectory
  attribute DIR  a `govsim attribute` folder: waterfall, interactions
  calibrate DIR  a `govsim calibrate` folder: marginal and pairwise posteriors
  structure      organisational structures of one or more scenarios side by
                 side, from `govsim describe SCENARIO --dot FILE`

Input errors (missing folder or file, missing columns) give one line on
stderr naming the path and exit status 2; never a traceback.
"""

import os
import sys

sys.dont_write_bytecode = True  # keep scripts/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from govsim_analysis.cli import plots_main  # noqa: E402

if __name__ == "__main__":
    sys.exit(plots_main())
