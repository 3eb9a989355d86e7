"""scripts/findings_table.py (govsim_analysis/findings.py): the findings table from a comparison.csv."""
import pandas as pd

from govsim_analysis import findings as ft


def comparison(rows):
    cols = ["metric", "scope", "key", "scenario", "baseline", "mean", "ci_low", "ci_high", "diff", "diff_ci_low",
            "diff_ci_high", "unpaired_ci_low", "unpaired_ci_high"]
    return pd.DataFrame(rows, columns=cols)


def row(metric, scenario, mean, diff, lo, hi):
    return [metric, "all", "all", scenario, "base", mean, mean, mean, diff, lo, hi, lo, hi]


def test_scales_marks_and_orders():
    rows = [row("response_mean_h", "base", 100.0, 0, 0, 0), row("response_mean_h", "opt", 80.0, -20.0, -25.0, -15.0),
            row("share_deadline_breached", "base", 0.2, 0, 0, 0),
            row("share_deadline_breached", "opt", 0.21, 0.01, -0.02, 0.04),
            row("paid_staff_hours", "base", 1000.0, 0, 0, 0), row("paid_staff_hours", "opt", 1100.0, 100.0, 100.0, 100.0),
            row("response_mean_h", "type", 1.0, 0, 0, 0)]
    rows[-1][1] = "type"  # another scope: ignored
    text = ft.table(comparison(rows))
    lines = text.splitlines()
    assert "`base`" in lines[0]
    opt = next(line for line in lines if line.startswith("| opt |"))
    cells = [c.strip() for c in opt.strip("|").split("|")]
    assert cells[1] == "-20.0 [-25.0, -15.0]"            # hours as they are, interval clear of 0: no mark
    assert cells[4] == "+1.0 [-2.0, +4.0] ~"              # shares in percentage points, interval across 0
    assert cells[7] == "+10.0 [+10.0, +10.0]"             # staff-hours relative to the baseline's level
    assert cells[2] == "-"                                # a metric the comparison lacks
    base = next(line for line in lines if line.startswith("| base (level) |"))
    assert "1,000 h" in base and "100.0" in base
