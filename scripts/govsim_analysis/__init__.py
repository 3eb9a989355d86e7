"""govsim_analysis: plots, the HTML report and scenario discovery from govsim's result folders.

It reads result folders only (and calls the govsim binary only to draw
structures and to print the uncertain-parameter table), never the C++ code.
One module per concern:

  errors     InputError, the one error for bad input (exit status 2)
  results    reading run, compare, sweep, explore, attribute and calibrate folders
  registry   the metric registry: labels, units, better direction, display values
  stats      Student-t intervals (scipy), paired differences, weighted quantiles, rank correlation,
             PRIM's peeling quantile and chance level: every statistic, once
  language   English or Chinese labels; fonts: the CJK font for Chinese
  plots/     the figure families (compare, sweep, explore, attribute, calibrate, structure)
  report/    the self-contained HTML report
  prim       PRIM scenario discovery over explore samples
  findings   the Markdown table of docs/findings.md
  uncertain  the ODD's table of uncertain parameters
  cli        the command lines behind scripts/govsim_plots.py, govsim_report.py, govsim_prim.py,
             findings_table.py and uncertain_table.py

Run with Debian's /usr/bin/python3 (matplotlib, pandas, scipy from Debian).
"""
