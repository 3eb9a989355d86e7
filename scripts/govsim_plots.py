#!/usr/bin/python3
"""Plots of govsim results (module and command line).

govsim_plots.py turns the result folders written by the `govsim` binary into
PNG figures (150 dpi, matplotlib with the non-interactive Agg backend):

  run DIR        a `govsim run` folder: response-time CDFs, service gap,
                 backlog per tier and trust over time
  compare DIR    a `govsim compare` folder: the same figures with one line or
                 bar per scenario, plus a forest plot of paired differences
  sweep DIR      a sweep folder holding sweep.csv and/or sensitivity.csv:
                 sweep lines with CI bands, a two-parameter heatmap and a
                 sensitivity (Morris mu*, sigma) bar chart
  structure      organisational structures of one or more scenarios side by
                 side, from `govsim describe SCENARIO --dot FILE`

All figures are meant to be legible in greyscale: every scenario has a fixed
style (colour, hatch, line style and marker) chosen by its index in the run
or comparison, and categories are told apart by hatching, not by colour alone.

Only the Python standard library, matplotlib, pandas and scipy (Student-t
quantiles) are used. Input errors (missing folder or file, missing columns)
give one line on stderr naming the path and exit status 2; never a traceback.
"""

import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")  # no display: write files only
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import scipy.stats  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

DPI = 150
HOURS_PER_DAY = 24.0

# ---------------------------------------------------------------------------
# Errors and input checking
# ---------------------------------------------------------------------------


class InputError(Exception):
    """A problem with the user's input: reported as one line, exit status 2."""


def require_dir(path):
    """Fail with InputError unless `path` is an existing folder."""
    if not os.path.exists(path):
        raise InputError(f"{path}: no such folder")
    if not os.path.isdir(path):
        raise InputError(f"{path}: not a folder")


def require_files(folder, names, what):
    """Fail unless every file in `names` exists in `folder`; `what` says what the folder should be."""
    missing = [n for n in names if not os.path.isfile(os.path.join(folder, n))]
    if missing:
        raise InputError(f"{folder}: missing {', '.join(missing)} (not a {what} folder?)")


def read_csv(path, columns):
    """Read a CSV file and check it has the given columns."""
    try:
        df = pd.read_csv(path)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read CSV ({str(e).splitlines()[0] if str(e) else 'empty'})")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
    return df


def read_json(path):
    """Read a JSON file, turning any failure into an InputError."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file")
    except (ValueError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: not valid JSON ({e})")


# ---------------------------------------------------------------------------
# Fixed styles: the same scenario looks the same in every figure
# ---------------------------------------------------------------------------

# Colours differ in lightness too, so they stay apart in greyscale.
SCENARIO_COLOURS = ["#1b3a6b", "#d08a1e", "#4f8f3a", "#a3303f", "#7a5ea8", "#5fa8c9", "#6b4b2a", "#9a9a9a"]
SCENARIO_HATCHES = ["", "//", "..", "xx", "\\\\", "++", "oo", "--"]
SCENARIO_LINESTYLES = ["-", "--", ":", "-.", (0, (5, 1, 1, 1)), (0, (1, 3)), (0, (8, 3)), (0, (3, 1, 1, 1, 1, 1))]
SCENARIO_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]


def scenario_style(index):
    """Style of the scenario at position `index` (0 = baseline) in a run or comparison."""
    i = index % len(SCENARIO_COLOURS)
    return {
        "color": SCENARIO_COLOURS[i],
        "hatch": SCENARIO_HATCHES[i],
        "linestyle": SCENARIO_LINESTYLES[i],
        "marker": SCENARIO_MARKERS[i],
    }


# Service-gap components: (metric, legend label, grey fill, hatch).
GAP_COMPONENTS = [
    ("share_unreported", "never reported", "#f0f0f0", "///"),
    ("share_abandoned", "abandoned (gave up)", "#c8c8c8", "..."),
    ("share_lost", "lost in hand-off", "#969696", "xxx"),
    ("share_no_responsible_unit", "no responsible unit", "#636363", "\\\\\\"),
    ("share_unresolved", "unresolved at end", "#252525", ""),
]

# Headline metrics for tables and the forest plot: (metric, label, kind).
# kind: "time" (hours, shown in days), "share" (shown in percent),
# "count" (per request) or "other".
HEADLINE_METRICS = [
    ("response_mean_h", "mean response time", "time"),
    ("response_median_h", "median response time", "time"),
    ("response_p90_h", "90th percentile response time", "time"),
    ("since_need_p90_h", "90th percentile time since need", "time"),
    ("service_gap", "service gap", "share"),
    ("share_unreported", "never reported", "share"),
    ("share_abandoned", "abandoned", "share"),
    ("share_unresolved", "unresolved at end", "share"),
    ("share_deadline_breached", "deadline breached", "share"),
    ("handoffs_per_request", "hand-offs per request", "count"),
    ("bounces_per_request", "bounces per request", "count"),
    ("redocumentations_per_request", "re-documentations per request", "count"),
    ("cost_per_resolved", "staff cost per resolved request", "other"),
    ("mean_willingness_end", "willingness to report at end", "other"),
]

KIND_UNITS = {"time": "days", "share": "%", "count": "per request", "other": ""}


def display_value(value, kind):
    """Convert a raw metric value to its display unit (hours -> days, share -> percent)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return float("nan")
    if kind == "time":
        return value / HOURS_PER_DAY
    if kind == "share":
        return value * 100.0
    return value


def save(fig, path):
    """Write a figure as PNG at the common resolution and close it."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return path


# ---------------------------------------------------------------------------
# Loading run and compare folders
# ---------------------------------------------------------------------------

RUN_FILES = ["summary.json", "metrics.csv", "timeseries.csv", "distributions.csv"]


class Run:
    """One run folder: summary, metrics, time series and distributions."""

    def __init__(self, folder, name=None):
        require_dir(folder)
        require_files(folder, RUN_FILES, "govsim run")
        self.folder = folder
        self.summary = read_json(os.path.join(folder, "summary.json"))
        scen = self.summary.get("scenario", {}) if isinstance(self.summary, dict) else {}
        self.name = name or scen.get("name") or os.path.basename(os.path.normpath(folder))
        self.metrics = read_csv(os.path.join(folder, "metrics.csv"), ["replication", "metric", "scope", "key", "value"])
        self.timeseries = read_csv(
            os.path.join(folder, "timeseries.csv"),
            ["replication", "time_h", "unit", "group", "tier", "kind", "queue", "mean_willingness"],
        )
        self.distributions = read_csv(
            os.path.join(folder, "distributions.csv"), ["scope", "key", "quantile", "response_h"]
        )
        for df in (self.metrics, self.timeseries, self.distributions):
            for col in ("scope", "key", "tier", "unit", "group", "kind"):
                if col in df.columns:
                    df[col] = df[col].fillna("").astype(str)

    def metric_mean(self, metric, scope="all", key="all"):
        """Mean over replications of one metric (NaN when absent)."""
        m = self.metrics
        sel = m[(m.metric == metric) & (m.scope == scope) & (m.key == key)]["value"]
        return float(sel.mean()) if len(sel) else float("nan")

    def keys(self, scope):
        """Keys of a scope in metrics.csv, in order of first appearance."""
        m = self.metrics
        return list(dict.fromkeys(m[m.scope == scope]["key"]))


def load_run(folder):
    """The run folder as a one-element list of Runs (for the shared plot functions)."""
    return [Run(folder)]


def load_compare(folder):
    """Runs of a compare folder (in comparison order), the comparison table and JSON."""
    require_dir(folder)
    require_files(folder, ["comparison.csv", "comparison.json"], "govsim compare")
    meta = read_json(os.path.join(folder, "comparison.json"))
    if not isinstance(meta, dict) or not isinstance(meta.get("scenarios"), list) or not meta["scenarios"]:
        raise InputError(f"{os.path.join(folder, 'comparison.json')}: no `scenarios` list")
    runs = []
    for i, s in enumerate(meta["scenarios"]):
        sub = os.path.join(folder, s.get("folder") or f"run-{i}")
        runs.append(Run(sub, name=s.get("name")))
    table = read_csv(
        os.path.join(folder, "comparison.csv"),
        ["metric", "scope", "key", "scenario", "baseline", "mean", "ci_low", "ci_high", "diff", "diff_ci_low", "diff_ci_high"],
    )
    for col in ("scope", "key", "scenario", "baseline"):
        table[col] = table[col].fillna("").astype(str)
    return runs, table, meta


# ---------------------------------------------------------------------------
# Figures for runs and comparisons
# ---------------------------------------------------------------------------


def _grid(n, max_cols=3, panel=(4.6, 3.4)):
    """A figure with n panels in a grid; returns (fig, flat list of the n axes)."""
    cols = min(n, max_cols)
    rows = int(math.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(panel[0] * cols, panel[1] * rows), squeeze=False)
    flat = [ax for row in axes for ax in row]
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def _scenario_legend(fig, runs, handles=None):
    """A common legend with one entry per scenario."""
    if handles is None:
        handles = [
            Line2D([], [], color=scenario_style(i)["color"], linestyle=scenario_style(i)["linestyle"],
                   marker=scenario_style(i)["marker"], label=r.name)
            for i, r in enumerate(runs)
        ]
    fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 4), frameon=False,
               bbox_to_anchor=(0.5, -0.02))
    fig.tight_layout(rect=(0, 0.06 + 0.03 * ((len(handles) - 1) // 4), 1, 1))


def plot_response_cdf(runs, path):
    """Response-time CDF (resolved requests, pooled over replications): all requests and each type.

    One panel for all requests and one per request type; one line per scenario.
    The x axis is in days on a log scale.
    """
    types = []
    for r in runs:
        d = r.distributions
        types += [k for k in d[d.scope == "type"]["key"].unique() if k not in types]
    panels = [("all", "all", "all requests")] + [("type", t, f"type: {t}") for t in types]
    fig, axes = _grid(len(panels))
    for ax, (scope, key, title) in zip(axes, panels):
        drawn = False
        for i, r in enumerate(runs):
            d = r.distributions
            sel = d[(d.scope == scope) & (d.key == key)].sort_values("quantile")
            x = sel["response_h"].astype(float) / HOURS_PER_DAY
            ok = x > 0
            if not ok.any():
                continue
            st = scenario_style(i)
            ax.plot(x[ok], sel["quantile"][ok], color=st["color"], linestyle=st["linestyle"], marker=st["marker"],
                    markevery=max(1, int(ok.sum()) // 6), markersize=4, label=r.name)
            drawn = True
        if drawn:
            ax.set_xscale("log")
        else:
            ax.text(0.5, 0.5, "no resolved requests", ha="center", va="center", transform=ax.transAxes)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("response time (days, log scale)")
        ax.set_ylabel("share of resolved requests (cumulative)")
        ax.set_ylim(0, 1)
        ax.grid(True, which="both", alpha=0.3)
    _scenario_legend(fig, runs)
    return save(fig, path)


def plot_service_gap(runs, path):
    """Service gap as stacked bars per resident group (and all), one bar per scenario.

    Stacks: never reported, abandoned, lost, no responsible unit, unresolved
    (shares of all needs, in percent). Deadline breaches are a separate marker
    (in the scenario's marker shape) since they are not part of the gap.
    """
    groups = []
    for r in runs:
        groups += [g for g in r.keys("group") if g not in groups]
    cats = [("all", "all", "all residents")] + [("group", g, g) for g in groups]
    n = len(runs)
    width = 0.8 / n
    fig, ax = plt.subplots(figsize=(max(5.0, 1.2 + len(cats) * (0.9 + 0.35 * n)), 4.6))
    ticks, ticklabels = [], []
    for c, (scope, key, label) in enumerate(cats):
        for i, r in enumerate(runs):
            x = c + (i - (n - 1) / 2) * width
            bottom = 0.0
            for metric, _, grey, hatch in GAP_COMPONENTS:
                v = display_value(r.metric_mean(metric, scope, key), "share")
                v = 0.0 if math.isnan(v) else max(v, 0.0)
                ax.bar(x, v, width * 0.92, bottom=bottom, color=grey, hatch=hatch,
                       edgecolor=scenario_style(i)["color"], linewidth=1.2)
                bottom += v
            breach = display_value(r.metric_mean("share_deadline_breached", scope, key), "share")
            if not math.isnan(breach):
                st = scenario_style(i)
                ax.plot(x, breach, marker=st["marker"], color="white", markeredgecolor="black",
                        markersize=8, linestyle="none", zorder=5)
            if n > 1:
                ticks.append(x)
                ticklabels.append(r.name)
        if n == 1:
            ticks.append(c)
            ticklabels.append(label)
    ax.set_xticks(ticks)
    ax.set_xticklabels(ticklabels, rotation=30 if n > 1 else 0, ha="right" if n > 1 else "center", fontsize=8)
    if n > 1:  # group names under the scenario names
        for c, (_, _, label) in enumerate(cats):
            ax.annotate(label, xy=(c, 0), xycoords=("data", "axes fraction"), xytext=(0, -48),
                        textcoords="offset points", ha="center", va="top", fontsize=9, fontweight="bold")
    ax.set_ylabel("share of all needs (%)")
    ax.set_title("Service gap by resident group" + (" and scenario" if n > 1 else f" ({runs[0].name})"), fontsize=10)
    ax.grid(True, axis="y", alpha=0.3)
    handles = [Patch(facecolor=grey, hatch=hatch, edgecolor="black", label=lab)
               for _, lab, grey, hatch in GAP_COMPONENTS]
    handles += [Line2D([], [], marker=scenario_style(i)["marker"], color="white", markeredgecolor="black",
                       linestyle="none", markersize=8,
                       label="deadline breached (%)" + (f": {r.name}" if n > 1 else ""))
                for i, r in enumerate(runs)]
    if n > 1:
        handles += [Patch(facecolor="white", edgecolor=scenario_style(i)["color"], linewidth=1.5,
                          label=f"bar outline: {r.name}") for i, r in enumerate(runs)]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    fig.tight_layout()
    return save(fig, path)


def _tier_order(ts):
    """Tiers of a time series ordered from the top (fewest units) to the bottom."""
    units = ts.drop_duplicates("unit")
    counts = units.groupby("tier")["unit"].count()
    return list(counts.sort_values(kind="stable").index)


def plot_backlog(runs, path):
    """Backlog (requests queued) per tier over time: sum over the tier's units, mean over replications.

    One panel per tier plus one for all units; one line per scenario; x in days.
    """
    tiers = []
    for r in runs:
        tiers += [t for t in _tier_order(r.timeseries) if t not in tiers]
    panels = [(None, "all units")] + [(t, f"tier: {t or '(none)'}") for t in tiers]
    fig, axes = _grid(len(panels))
    for ax, (tier, title) in zip(axes, panels):
        for i, r in enumerate(runs):
            ts = r.timeseries
            if tier is not None:
                ts = ts[ts.tier == tier]
            if ts.empty:
                continue
            per_rep = ts.groupby(["replication", "time_h"])["queue"].sum().reset_index()
            mean = per_rep.groupby("time_h")["queue"].mean()
            st = scenario_style(i)
            ax.plot(mean.index / HOURS_PER_DAY, mean.values, color=st["color"], linestyle=st["linestyle"],
                    marker=st["marker"], markevery=max(1, len(mean) // 8), markersize=4, label=r.name)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("simulated time (days)")
        ax.set_ylabel("backlog (requests queued)")
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
    _scenario_legend(fig, runs)
    return save(fig, path)


def t_critical(df, confidence=0.95):
    """Two-sided Student-t critical value t_{(1+confidence)/2, df} (scipy.stats.t, exact for any df).

    NaN for df < 1 or a confidence outside (0, 1); the same values as sim::t_critical in C++.
    """
    if df < 1 or not 0 < confidence < 1:
        return float("nan")
    return float(scipy.stats.t.ppf((1 + confidence) / 2, df))


def t975(df):
    """97.5% quantile of Student's t with `df` degrees of freedom: t_critical(df, 0.95)."""
    return t_critical(df, 0.95)


def mean_ci(values, confidence=0.95):
    """(mean, ci_low, ci_high) of a sample: Student-t interval (95% by default) across replications."""
    v = pd.Series(values, dtype=float).dropna()
    n = len(v)
    if n == 0:
        return float("nan"), float("nan"), float("nan")
    m = float(v.mean())
    if n < 2:
        return m, m, m
    h = t_critical(n - 1, confidence) * float(v.std(ddof=1)) / math.sqrt(n)
    return m, m - h, m + h


def plot_trust(runs, path):
    """Willingness to report (trust) over time: mean over units where residents live.

    One line per scenario, mean over replications with a 95% band across replications.
    """
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    any_data = False
    for i, r in enumerate(runs):
        ts = r.timeseries.dropna(subset=["mean_willingness"])
        if ts.empty:
            continue
        any_data = True
        per_rep = ts.groupby(["replication", "time_h"])["mean_willingness"].mean().reset_index()
        rows = [(t, *mean_ci(g["mean_willingness"])) for t, g in per_rep.groupby("time_h")]
        t = [row[0] / HOURS_PER_DAY for row in rows]
        st = scenario_style(i)
        ax.plot(t, [row[1] for row in rows], color=st["color"], linestyle=st["linestyle"], marker=st["marker"],
                markevery=max(1, len(rows) // 8), markersize=4, label=r.name)
        ax.fill_between(t, [row[2] for row in rows], [row[3] for row in rows], color=st["color"], alpha=0.15,
                        hatch=st["hatch"] or None, linewidth=0)
    if not any_data:
        ax.text(0.5, 0.5, "no resident willingness recorded", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("simulated time (days)")
    ax.set_ylabel("mean willingness to report (0-1)")
    ax.set_title("Trust over time (band: 95% CI across replications)", fontsize=10)
    ax.grid(True, alpha=0.3)
    if any_data:
        ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return save(fig, path)


def plot_forest(runs, table, path, metrics=HEADLINE_METRICS):
    """Forest plot of paired differences (scenario minus baseline) with 95% CIs, scope all.

    Metrics are grouped into panels by display unit (days, percentage points,
    per request, other) so each panel has one honest scale. One marker per
    non-baseline scenario in its fixed style.
    """
    t = table[(table.scope == "all") & (table.key == "all")]
    names = [r.name for r in runs]
    others = [(i, n) for i, n in enumerate(names) if i > 0]
    kinds = [k for k in ("time", "share", "count", "other") if any(m[2] == k for m in metrics)]
    panels = []
    for kind in kinds:
        rows = [(m, lab) for m, lab, k in metrics if k == kind and (t.metric == m).any()]
        if rows:
            panels.append((kind, rows))
    if not panels or not others:
        fig, ax = plt.subplots(figsize=(6, 2))
        ax.text(0.5, 0.5, "no paired differences to show (one scenario only)", ha="center", va="center")
        ax.axis("off")
        return save(fig, path)
    heights = [max(1.0, 0.45 * len(rows) * max(1, len(others)) ** 0.5) + 0.7 for _, rows in panels]
    fig, axes = plt.subplots(len(panels), 1, figsize=(7.2, sum(heights)), squeeze=False,
                             gridspec_kw={"height_ratios": heights})
    unit_label = {"time": "difference (days)", "share": "difference (percentage points)",
                  "count": "difference (per request)", "other": "difference (metric units)"}
    for ax, (kind, rows) in zip([a[0] for a in axes], panels):
        for r_i, (metric, label) in enumerate(rows):
            for o_i, (s_i, sname) in enumerate(others):
                sel = t[(t.metric == metric) & (t.scenario == sname)]
                if sel.empty:
                    continue
                row = sel.iloc[0]
                d, lo, hi = (display_value(float(row[c]), kind) for c in ("diff", "diff_ci_low", "diff_ci_high"))
                y = r_i + (o_i - (len(others) - 1) / 2) * 0.25
                st = scenario_style(s_i)
                if not (math.isnan(lo) or math.isnan(hi)):
                    ax.plot([lo, hi], [y, y], color=st["color"], linestyle=st["linestyle"], linewidth=1.6)
                excl = not (math.isnan(lo) or math.isnan(hi)) and (lo > 0 or hi < 0)
                ax.plot(d, y, marker=st["marker"], color=st["color"],
                        markerfacecolor=st["color"] if excl else "white", markersize=7, linestyle="none")
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels([lab for _, lab in rows], fontsize=8)
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xlabel(unit_label[kind], fontsize=9)
        ax.grid(True, axis="x", alpha=0.3)
    axes[0][0].set_title(f"Paired differences vs {names[0]} (95% CI; filled marker: CI excludes 0)", fontsize=10)
    handles = [Line2D([], [], color=scenario_style(i)["color"], linestyle=scenario_style(i)["linestyle"],
                      marker=scenario_style(i)["marker"], label=f"{n} - {names[0]}") for i, n in others]
    _scenario_legend(fig, runs, handles)
    return save(fig, path)


def plot_run_folder(folder, out=None):
    """All figures of a `govsim run` folder; returns the list of PNG paths."""
    runs = load_run(folder)
    out = out or os.path.join(folder, "plots")
    return [
        plot_response_cdf(runs, os.path.join(out, "response_cdf.png")),
        plot_service_gap(runs, os.path.join(out, "service_gap.png")),
        plot_backlog(runs, os.path.join(out, "backlog_by_tier.png")),
        plot_trust(runs, os.path.join(out, "trust.png")),
    ]


def plot_compare_folder(folder, out=None):
    """All figures of a `govsim compare` folder; returns the list of PNG paths."""
    runs, table, _ = load_compare(folder)
    out = out or os.path.join(folder, "plots")
    return [
        plot_forest(runs, table, os.path.join(out, "forest.png")),
        plot_response_cdf(runs, os.path.join(out, "response_cdf.png")),
        plot_service_gap(runs, os.path.join(out, "service_gap.png")),
        plot_backlog(runs, os.path.join(out, "backlog_by_tier.png")),
        plot_trust(runs, os.path.join(out, "trust.png")),
    ]


# ---------------------------------------------------------------------------
# Sweeps and sensitivity
# ---------------------------------------------------------------------------

SWEEP_FIXED = ["point", "replication", "metric", "scope", "key", "value"]


def _metric_kind(metric):
    """Display kind of a metric from its name (for axis units)."""
    for m, _, k in HEADLINE_METRICS:
        if m == metric:
            return k
    if metric.endswith("_h"):
        return "time"
    if metric.startswith("share_") or metric == "service_gap":
        return "share"
    if metric.endswith("_per_request"):
        return "count"
    return "other"


def _metric_axis_label(metric):
    """Axis label of a metric with its display unit."""
    unit = KIND_UNITS[_metric_kind(metric)]
    return f"{metric} ({unit})" if unit else metric


def load_sweep(path):
    """sweep.csv as a DataFrame plus the list of swept parameter columns."""
    df = read_csv(path, SWEEP_FIXED)
    params = [c for c in df.columns if c not in SWEEP_FIXED]
    if not params:
        raise InputError(f"{path}: no parameter columns besides {', '.join(SWEEP_FIXED)}")
    for col in ("metric", "scope", "key"):
        df[col] = df[col].fillna("").astype(str)
    return df, params


def sweep_summary(df, params, scope="all", key="all"):
    """Mean and 95% CI across replications per point and metric (scope/key selected)."""
    d = df[(df.scope == scope) & (df.key == key)]
    rows = []
    for (point, metric), g in d.groupby(["point", "metric"], sort=False):
        m, lo, hi = mean_ci(g["value"])
        row = {"point": point, "metric": metric, "mean": m, "ci_low": lo, "ci_high": hi}
        for p in params:
            row[p] = g[p].iloc[0]
        rows.append(row)
    return pd.DataFrame(rows)


def _sweep_metrics(summary, metrics):
    """Metrics to show: the requested ones, else headline metrics present, else all."""
    present = list(dict.fromkeys(summary["metric"])) if len(summary) else []
    if metrics:
        return [m for m in metrics if m in present]
    head = [m for m, _, _ in HEADLINE_METRICS if m in present]
    return head[:6] or present[:6]


def plot_sweep_lines(df, params, path, metrics=None):
    """Metric against the first swept parameter with 95% CI bands; one line per value of a second parameter."""
    s = sweep_summary(df, params)
    metrics = _sweep_metrics(s, metrics)
    if not metrics:
        raise InputError(f"{path}: sweep has no scope-all metrics to plot")
    x = params[0]
    series = params[1] if len(params) > 1 else None
    fig, axes = _grid(len(metrics))
    handles = {}
    for ax, metric in zip(axes, metrics):
        kind = _metric_kind(metric)
        sm = s[s.metric == metric]
        groups = list(sm.groupby(series, sort=True)) if series else [(None, sm)]
        for gi, (gval, g) in enumerate(groups):
            # Extra parameters (beyond two) are averaged over: pool their points.
            g = g.groupby(x, sort=True)[["mean", "ci_low", "ci_high"]].mean().reset_index()
            st = scenario_style(gi)
            xs = g[x].astype(float)
            label = f"{series} = {gval}" if series else metric
            ax.plot(xs, [display_value(v, kind) for v in g["mean"]], color=st["color"], linestyle=st["linestyle"],
                    marker=st["marker"], markersize=4, label=label)
            ax.fill_between(xs, [display_value(v, kind) for v in g["ci_low"]],
                            [display_value(v, kind) for v in g["ci_high"]], color=st["color"], alpha=0.15,
                            hatch=st["hatch"] or None, linewidth=0)
            handles[label] = Line2D([], [], color=st["color"], linestyle=st["linestyle"], marker=st["marker"],
                                    label=label)
        ax.set_xlabel(x)
        ax.set_ylabel(_metric_axis_label(metric))
        ax.grid(True, alpha=0.3)
    if series:
        _scenario_legend(fig, None, list(handles.values()))
    else:
        fig.tight_layout()
    fig.suptitle("Sweep: mean with 95% CI band across replications", fontsize=10, y=1.01)
    return save(fig, path)


def plot_sweep_heatmap(df, params, path, metrics=None):
    """Heatmap of the mean of each metric over the first two swept parameters."""
    if len(params) < 2:
        raise InputError(f"{path}: a heatmap needs two swept parameters, the sweep has {len(params)}")
    s = sweep_summary(df, params)
    metrics = _sweep_metrics(s, metrics)
    if not metrics:
        raise InputError(f"{path}: sweep has no scope-all metrics to plot")
    px, py = params[0], params[1]
    fig, axes = _grid(len(metrics), max_cols=2, panel=(5.2, 4.2))
    for ax, metric in zip(axes, metrics):
        kind = _metric_kind(metric)
        sm = s[s.metric == metric]
        grid = sm.pivot_table(index=py, columns=px, values="mean", aggfunc="mean").sort_index().sort_index(axis=1)
        vals = grid.applymap(lambda v: display_value(v, kind))
        im = ax.imshow(vals.values, origin="lower", aspect="auto", cmap="Greys")
        ax.set_xticks(range(len(grid.columns)))
        ax.set_xticklabels([f"{v:g}" if isinstance(v, (int, float)) else str(v) for v in grid.columns], fontsize=8)
        ax.set_yticks(range(len(grid.index)))
        ax.set_yticklabels([f"{v:g}" if isinstance(v, (int, float)) else str(v) for v in grid.index], fontsize=8)
        ax.set_xlabel(px)
        ax.set_ylabel(py)
        ax.set_title(_metric_axis_label(metric), fontsize=9)
        # Numbers in the cells keep the map readable without a colour scale.
        lo, hi = float(pd.Series(vals.values.ravel()).min()), float(pd.Series(vals.values.ravel()).max())
        for yi in range(vals.shape[0]):
            for xi in range(vals.shape[1]):
                v = vals.values[yi, xi]
                if not math.isnan(v):
                    dark = hi > lo and (v - lo) / (hi - lo) > 0.55
                    ax.text(xi, yi, f"{v:.3g}", ha="center", va="center", fontsize=7,
                            color="white" if dark else "black")
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    fig.tight_layout()
    return save(fig, path)


def plot_sensitivity(path_csv, path):
    """Sensitivity bar chart: Morris mu* (bars) with sigma (hatched bars) per parameter, one panel per metric."""
    df = read_csv(path_csv, ["metric", "parameter", "mu_star", "sigma"])
    df["metric"] = df["metric"].fillna("").astype(str)
    df["parameter"] = df["parameter"].fillna("").astype(str)
    metrics = list(dict.fromkeys(df["metric"]))
    if not metrics:
        raise InputError(f"{path_csv}: no rows")
    n_params = df.groupby("metric")["parameter"].count().max()
    fig, axes = _grid(len(metrics), max_cols=2, panel=(5.4, 0.9 + 0.45 * n_params))
    for ax, metric in zip(axes, metrics):
        d = df[df.metric == metric].sort_values("mu_star", ascending=True)
        kind = _metric_kind(metric)  # effects are in metric units: show hours as days, shares as percent
        mu = [display_value(float(v), kind) for v in d["mu_star"]]
        sigma = [display_value(float(v), kind) for v in d["sigma"]]
        y = range(len(d))
        ax.barh([v + 0.2 for v in y], mu, height=0.38, color="#404040", edgecolor="black", label="mu* (mean |effect|)")
        ax.barh([v - 0.2 for v in y], sigma, height=0.38, color="white", edgecolor="black", hatch="///",
                label="sigma (interaction / non-linearity)")
        ax.set_yticks(list(y))
        ax.set_yticklabels(d["parameter"], fontsize=8)
        unit = {"time": "days", "share": "percentage points"}.get(kind, KIND_UNITS[kind] or "metric units")
        ax.set_xlabel(f"elementary effect ({unit})")
        ax.set_title(metric, fontsize=9)
        ax.grid(True, axis="x", alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, frameon=False, bbox_to_anchor=(0.5, -0.02))
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return save(fig, path)


def plot_sweep_folder(folder, out=None):
    """All figures of a sweep folder (sweep.csv and/or sensitivity.csv)."""
    require_dir(folder)
    sweep = os.path.join(folder, "sweep.csv")
    sens = os.path.join(folder, "sensitivity.csv")
    if not os.path.isfile(sweep) and not os.path.isfile(sens):
        raise InputError(f"{folder}: missing sweep.csv and sensitivity.csv (not a sweep folder?)")
    out = out or os.path.join(folder, "plots")
    written = []
    if os.path.isfile(sweep):
        df, params = load_sweep(sweep)
        written.append(plot_sweep_lines(df, params, os.path.join(out, "sweep_lines.png")))
        if len(params) >= 2:
            written.append(plot_sweep_heatmap(df, params, os.path.join(out, "sweep_heatmap.png")))
    if os.path.isfile(sens):
        written.append(plot_sensitivity(sens, os.path.join(out, "sensitivity.png")))
    return written


# ---------------------------------------------------------------------------
# Organisational structure from the binary's DOT output
# ---------------------------------------------------------------------------

_DOT_NODE = re.compile(r'^\s*(\w+)\s*\[(.*)\]\s*;?\s*$')
_DOT_EDGE = re.compile(r'^\s*(\w+)\s*->\s*(\w+)\s*(?:\[(.*)\])?\s*;?\s*$')
_DOT_ATTR = re.compile(r'(\w+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s\]]+)')


def _dot_attrs(text):
    """Attributes of a DOT attribute list as a dict (quotes removed, \\n kept as newline)."""
    attrs = {}
    for k, v in _DOT_ATTR.findall(text or ""):
        if v.startswith('"'):
            v = v[1:-1].replace('\\"', '"').replace("\\n", "\n")
        attrs[k] = v
    return attrs


def parse_dot(text):
    """Parse govsim's DOT output: (nodes {id: {name, kind, staff, tier, label}}, edges [(src, dst, style)])."""
    nodes, edges = {}, []
    for line in text.splitlines():
        e = _DOT_EDGE.match(line)
        if e:
            edges.append((e.group(1), e.group(2), _dot_attrs(e.group(3)).get("style", "solid")))
            continue
        n = _DOT_NODE.match(line)
        if n and n.group(1) not in ("node", "edge", "graph"):
            a = _dot_attrs(n.group(2))
            label = a.get("label", n.group(1))
            name, _, rest = label.partition("\n")
            m = re.match(r"\s*(.*?),\s*staff\s+(\d+)", rest)
            nodes[n.group(1)] = {
                "name": name,
                "kind": m.group(1) if m else rest,
                "staff": int(m.group(2)) if m else 0,
                "tier": a.get("tier", ""),
                "label": label,
            }
    return nodes, edges


def describe_scenario(govsim, scenario, extra_args=()):
    """Run `govsim describe` on a scenario: (stdout text, DOT text). InputError on failure."""
    if not (os.path.isfile(govsim) and os.access(govsim, os.X_OK)):
        raise InputError(f"{govsim}: govsim binary not found or not executable")
    if not os.path.isfile(scenario):
        raise InputError(f"{scenario}: no such scenario file")
    with tempfile.TemporaryDirectory() as tmp:
        dot = os.path.join(tmp, "org.dot")
        try:
            p = subprocess.run([govsim, "describe", scenario, *extra_args, "--dot", dot],
                               capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise InputError(f"{govsim}: cannot run describe ({e})")
        if p.returncode != 0 or not os.path.isfile(dot):
            msg = (p.stderr or p.stdout).strip().splitlines()
            raise InputError(f"{scenario}: govsim describe failed ({msg[-1] if msg else 'exit ' + str(p.returncode)})")
        with open(dot, encoding="utf-8") as f:
            return p.stdout, f.read()


def layout_by_tier(nodes, edges):
    """Positions {id: (x, y)} with one row per tier, the top tier (parents) at the top.

    The level of a unit is the number of hierarchy (solid) hops to its root;
    a tier's row is the mean level of its units. Within a row, units are
    ordered under their parents (barycentre of the parent positions).
    Returns (positions, rows) where rows is a list of (row label, [ids]).
    """
    parent = {s: d for s, d, style in edges if style == "solid"}

    def level(n, seen=()):
        p = parent.get(n)
        return 0 if p is None or p in seen or p not in nodes else 1 + level(p, seen + (n,))

    levels = {n: level(n) for n in nodes}
    tiers = {}
    for n, a in nodes.items():
        tiers.setdefault(a["tier"] or f"level {levels[n]}", []).append(n)
    order = sorted(tiers, key=lambda t: (sum(levels[n] for n in tiers[t]) / len(tiers[t]), len(tiers[t])))
    pos, rows = {}, []
    for r, t in enumerate(order):
        ids = tiers[t]
        # Sort under the parents placed so far; ties keep DOT order.
        ids = sorted(ids, key=lambda n: (pos.get(parent.get(n), (0.5, 0))[0], list(nodes).index(n)))
        for i, n in enumerate(ids):
            pos[n] = ((i + 0.5) / len(ids), -r)
        rows.append((t, ids))
    return pos, rows


DENSE_ROW = 10  # rows with more units are drawn as markers with a summary instead of labelled boxes


def _panel_width(nodes, edges):
    """Width (inches) a structure panel needs: about one inch per labelled box in its widest row."""
    _, rows = layout_by_tier(nodes, edges)
    widest = max((len(ids) for _, ids in rows if len(ids) <= DENSE_ROW), default=1)
    return max(5.2, 1.05 * widest)


def draw_structure(ax, nodes, edges, title, colour_index=0):
    """Draw one organisational graph on `ax`, laid out by tier."""
    pos, rows = layout_by_tier(nodes, edges)
    st = scenario_style(colour_index)
    styles = {"solid": ("-", 1.0), "dashed": ("--", 0.9), "dotted": (":", 0.9)}
    n_total = len(nodes)
    for style, (ls, lw) in styles.items():
        segs = [(pos[s], pos[d]) for s, d, es in edges if es == style and s in pos and d in pos]
        if not segs:
            continue
        if n_total <= 40:  # few units: arrows, curved when within one row
            for (x0, y0), (x1, y1) in segs:
                rad = 0.35 if abs(y0 - y1) < 1e-9 else 0.0
                ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                            arrowprops=dict(arrowstyle="-|>", linestyle=ls, lw=lw, color="#333333",
                                            shrinkA=14, shrinkB=14, connectionstyle=f"arc3,rad={rad}"))
        else:
            ax.add_collection(LineCollection(segs, linestyles=ls, linewidths=lw * 0.6, colors="#555555", alpha=0.6))
    for label, ids in rows:
        y = pos[ids[0]][1]
        dense = len(ids) > DENSE_ROW
        staff = sum(nodes[n]["staff"] for n in ids)
        kinds = sorted({nodes[n]["kind"] for n in ids})
        ax.text(-0.02, y, f"{label}\n{len(ids)} unit{'s' * (len(ids) != 1)}, staff {staff}", ha="right",
                va="center", fontsize=7, style="italic")
        for n in ids:
            x, yy = pos[n]
            a = nodes[n]
            if dense:
                ax.plot(x, yy, marker=st["marker"], color=st["color"], markersize=4, linestyle="none")
            else:
                name = a["name"] if len(a["name"]) <= 16 else a["name"][:15] + "\u2026"  # keep boxes narrow
                ax.text(x, yy, f"{name}\n{a['kind']}\nstaff {a['staff']}", ha="center", va="center", fontsize=6,
                        bbox=dict(boxstyle="round,pad=0.3", facecolor="white", edgecolor=st["color"], linewidth=1.2,
                                  hatch=st["hatch"] or None))
        if dense:
            ax.text(0.5, y - 0.28, ", ".join(kinds), ha="center", va="top", fontsize=6)
    ax.set_xlim(-0.05, 1.05)
    ax.set_ylim(-len(rows) + 0.4, 0.6)
    ax.axis("off")
    ax.set_title(title, fontsize=10)


def plot_structures(govsim, scenarios, path, names=None, extra_args=()):
    """Organisational structures of several scenarios side by side, one panel each."""
    graphs = []
    for i, sc in enumerate(scenarios):
        text, dot = describe_scenario(govsim, sc, extra_args)
        nodes, edges = parse_dot(dot)
        if not nodes:
            raise InputError(f"{sc}: govsim describe wrote a DOT graph without units")
        first = text.strip().splitlines()[0].strip() if text.strip() else ""
        name = (names[i] if names and i < len(names) else None) or first or os.path.splitext(os.path.basename(sc))[0]
        graphs.append((name, nodes, edges))
    n = len(graphs)
    max_rows = max(len(layout_by_tier(nd, ed)[1]) for _, nd, ed in graphs)
    widths = [_panel_width(nd, ed) for _, nd, ed in graphs]
    fig, axes = plt.subplots(1, n, figsize=(sum(widths) + 0.8 * n, 1.3 + 1.3 * max_rows), squeeze=False,
                             gridspec_kw={"width_ratios": widths})
    for i, (ax, (name, nodes, edges)) in enumerate(zip(axes[0], graphs)):
        draw_structure(ax, nodes, edges, name, i)
    handles = [Line2D([], [], color="#333333", linestyle="-", label="hierarchy (child to parent)"),
               Line2D([], [], color="#333333", linestyle="--", label="referral"),
               Line2D([], [], color="#333333", linestyle=":", label="routing")]
    fig.legend(handles=handles, loc="lower center", ncol=3, frameon=False, fontsize=8)
    fig.tight_layout(rect=(0.04, 0.06, 1, 1))
    return save(fig, path)


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


def build_parser():
    p = argparse.ArgumentParser(
        prog="govsim_plots.py",
        description="Plots (PNG, 150 dpi) of govsim run, compare and sweep results, and of organisational structures.",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    r = sub.add_parser("run", help="plots of a `govsim run` folder")
    r.add_argument("dir", metavar="DIR", help="folder written by `govsim run --out DIR`")
    r.add_argument("--out", metavar="PLOTDIR", help="output folder (default: DIR/plots)")
    c = sub.add_parser("compare", help="plots of a `govsim compare` folder")
    c.add_argument("dir", metavar="DIR", help="folder written by `govsim compare ... --out DIR`")
    c.add_argument("--out", metavar="PLOTDIR", help="output folder (default: DIR/plots)")
    s = sub.add_parser("sweep", help="plots of a sweep folder (sweep.csv, sensitivity.csv)")
    s.add_argument("dir", metavar="SWEEPDIR", help="folder holding sweep.csv and/or sensitivity.csv")
    s.add_argument("--out", metavar="PLOTDIR", help="output folder (default: SWEEPDIR/plots)")
    t = sub.add_parser("structure", help="organisational structures of scenarios side by side")
    t.add_argument("scenarios", metavar="SCENARIO.yaml", nargs="+", help="scenario files")
    t.add_argument("--govsim", metavar="BIN", required=True, help="path of the govsim binary")
    t.add_argument("--out", metavar="FILE.png", required=True, help="output PNG file")
    t.add_argument("--set", metavar="path=value", action="append", default=[],
                   help="scenario override passed to `govsim describe` (repeatable)")
    return p


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        if args.command == "run":
            written = plot_run_folder(args.dir, args.out)
        elif args.command == "compare":
            written = plot_compare_folder(args.dir, args.out)
        elif args.command == "sweep":
            written = plot_sweep_folder(args.dir, args.out)
        else:
            extra = [a for s in args.set for a in ("--set", s)]
            written = [plot_structures(args.govsim, args.scenarios, args.out, extra_args=extra)]
    except InputError as e:
        print(f"govsim_plots.py: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"govsim_plots.py: error: {e.filename or ''}: {e.strerror or e}", file=sys.stderr)
        return 2
    except Exception as e:  # noqa: BLE001 - never a traceback; say what failed in one line
        print(f"govsim_plots.py: internal error: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    for w in written:
        print(w)
    return 0


if __name__ == "__main__":
    sys.exit(main())
