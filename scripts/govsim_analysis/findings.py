"""Markdown table of every option's paired effect on the headline outcomes.

Reads DIR/comparison.csv (written by `govsim compare`) and prints, for each
option against the baseline, the paired mean difference and its 95% interval
for each headline outcome (scope "all"), as used in docs/findings.md:

    /usr/bin/python3 scripts/findings_table.py DIR

(cli.findings_main is the command line.)
"""

from __future__ import annotations

import os

import pandas as pd

from .results import COMPARISON_COLUMNS, read_csv
from .stats import excludes_zero

HEADLINE = [
    ("response_mean_h", "mean (h)", 1.0, "{:+.1f}"),
    ("response_median_h", "median (h)", 1.0, "{:+.1f}"),
    ("response_p90_h", "p90 (h)", 1.0, "{:+.1f}"),
    ("share_deadline_breached", "past deadline (pp)", 100.0, "{:+.1f}"),
    ("share_within_3wd", "within 3 working days (pp)", 100.0, "{:+.1f}"),
    ("service_gap", "service gap (pp)", 100.0, "{:+.1f}"),
    ("paid_staff_hours", "paid staff-hours (%)", None, "{:+.1f}"),
    ("fiscal_cost_per_resolved", "yuan per resolved", 1.0, "{:+.0f}"),
]


def table(comparison: pd.DataFrame) -> str:
    """The Markdown table of comparison.csv's rows (scope all): the baseline's levels, then each option's
    paired differences; `~` marks an interval that includes 0."""
    rows = comparison[comparison["scope"] == "all"]
    baseline = rows["baseline"].iloc[0]
    base = rows[rows["scenario"] == baseline].set_index("metric")["mean"]
    options = [s for s in dict.fromkeys(rows["scenario"]) if s != baseline]
    head = "| option | " + " | ".join(label for _, label, _, _ in HEADLINE) + " |"
    out = [f"Paired differences from `{baseline}` (mean [95% interval]; pp: percentage points).", "", head,
           "|" + "---|" * (len(HEADLINE) + 1)]

    def level(metric: str, scale: float | None) -> str:
        if metric not in base:
            return "-"
        return f"{base[metric]:,.0f} h" if scale is None else f"{base[metric] * scale:.1f}"

    out.append(f"| {baseline} (level) | " + " | ".join(level(m, scale) for m, _, scale, _ in HEADLINE) + " |")
    for option in options:
        cells = []
        for metric, _, scale, fmt in HEADLINE:
            r = rows[(rows["scenario"] == option) & (rows["metric"] == metric)]
            if r.empty:
                cells.append("-")
                continue
            r = r.iloc[0]
            if scale is None:  # relative to the baseline's level
                k = 100.0 / base[metric] if base.get(metric) else float("nan")
            else:
                k = scale
            clear = excludes_zero(r["diff_ci_low"], r["diff_ci_high"])
            cell = f"{fmt.format(r['diff'] * k)} [{fmt.format(r['diff_ci_low'] * k)}, {fmt.format(r['diff_ci_high'] * k)}]"
            cells.append(cell if clear or r["diff_ci_low"] == r["diff_ci_high"] else cell + " ~")
        out.append(f"| {option} | " + " | ".join(cells) + " |")
    out.append("")
    out.append("`~`: the interval includes 0.")
    return "\n".join(out)


def read_comparison(folder: str) -> pd.DataFrame:
    """comparison.csv of a compare folder, with the columns the table needs."""
    return read_csv(os.path.join(folder, "comparison.csv"), COMPARISON_COLUMNS)
