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

# ---------------------------------------------------------------------------
# The metric registry (written by govsim into summary.json, comparison.json and
# a sweep's manifest.json as `metric_registry`): units, labels and explanations
# in English and Chinese, the better direction and the format of each metric.
# ---------------------------------------------------------------------------

HOURS_PER_DAY_SHOWN = 24.0  # a "day" in the figures and the report is a calendar day of 24 hours
LONG_TIME_H = 48.0          # times whose baseline value reaches this are shown in days, shorter ones in hours

UNIT_WORDS = {
    "en": {"hours": "hours", "days": "days", "share": "%", "pp": "percentage points", "count": "", "per request":
           "per request", "staff-hours": "staff-hours", "yuan": "yuan", "yuan per resolved request": "yuan per request",
           "staff-hours per resolved request": "staff-hours per request", "requests per day": "per day",
           "requests": "requests", "score 0-1": "0-1", "ratio": "", "cost units per resolved request":
           "cost units per request"},
    "zh": {"hours": "小时", "days": "天", "share": "%", "pp": "个百分点", "count": "", "per request": "次/件",
           "staff-hours": "工时", "yuan": "元", "yuan per resolved request": "元/件",
           "staff-hours per resolved request": "工时/件", "requests per day": "件/日", "requests": "件",
           "score 0-1": "0-1", "ratio": "", "cost units per resolved request": "成本单位/件"},
}


def fallback_entry(name):
    """A registry entry inferred from a metric's name, for result folders written before the registry."""
    if name.endswith("_h"):
        unit, fmt, better = "hours", "time", "lower"
    elif name.startswith("share_") or name in ("service_gap", "utilisation", "diverted_share"):
        unit, fmt, better = "share", "percent", "higher" if name.startswith("share_within") else "lower"
    elif name.endswith("_per_request"):
        unit, fmt, better = "per request", "decimal", "lower"
    else:
        unit, fmt, better = "count", "decimal", "neutral"
    label = name.replace("_", " ")
    return {"unit": unit, "format": fmt, "better": better, "group": "", "scopes": "all",
            "label": {"en": label, "zh": label}, "explain": {"en": "", "zh": ""}}


class Registry:
    """The metric registry of a results folder (or inferred entries when the folder predates it)."""

    def __init__(self, entries=None):
        self.entries = dict(entries or {})

    def __contains__(self, name):
        return name in self.entries

    def get(self, name):
        return self.entries.get(name) or fallback_entry(name)

    def label(self, name, lang="en"):
        return self.get(name)["label"].get(lang) or self.get(name)["label"]["en"]

    def explain(self, name, lang="en"):
        return self.get(name)["explain"].get(lang) or self.get(name)["explain"].get("en", "")

    def better(self, name):
        return self.get(name).get("better", "neutral")

    def verdict_metrics(self, present):
        """The verdict's outcomes present in `present`, in order; a deprecated metric stands in for its
        replacement when that is absent."""
        ranked = sorted((e["verdict"], n) for n, e in self.entries.items() if e.get("verdict"))
        out = []
        for _, n in ranked:
            if n in present:
                out.append(n)
                continue
            stand_in = [m for m, e in self.entries.items() if e.get("replaced_by") == n and m in present]
            out += stand_in[:1]
        return out

    def headline_metrics(self, present):
        """Verdict outcomes, then the other scope-all outcomes with a direction (journey, gaps, trust)."""
        out = self.verdict_metrics(present)
        for n, e in self.entries.items():
            if (n in present and n not in out and e.get("better") != "neutral" and not e.get("deprecated")
                    and e.get("group") in ("time", "deadline", "gap", "process", "trust")
                    and n not in ("response_p99_h", "resolved")):
                out.append(n)
        return out


def registry_from(*documents):
    """The registry of the first JSON document (dict) that holds one, else an inferred one."""
    for d in documents:
        if isinstance(d, dict) and isinstance(d.get("metric_registry"), dict):
            return Registry(d["metric_registry"])
    return Registry()


def time_unit_for(value_h):
    """'hours' or 'days' for a time of about `value_h` hours (used for a metric's baseline value)."""
    try:
        v = abs(float(value_h))
    except (TypeError, ValueError):
        return "hours"
    return "days" if not math.isnan(v) and v >= LONG_TIME_H else "hours"


def display_value(value, fmt, time_unit="hours"):
    """A raw value in its display unit: hours (or days), shares in percent, others as they are."""
    if value is None:
        return float("nan")
    try:
        value = float(value)
    except (TypeError, ValueError):
        return float("nan")
    if fmt == "time":
        return value / HOURS_PER_DAY_SHOWN if time_unit == "days" else value
    if fmt in ("percent", "share"):
        return value * 100.0
    return value


def unit_text(registry, name, lang="en", time_unit="hours", difference=False):
    """The display unit of a metric in words ('hours', 'days', '%', 'percentage points', 'yuan', ...)."""
    e = registry.get(name)
    words = UNIT_WORDS.get(lang, UNIT_WORDS["en"])
    if e["format"] == "time":
        return words[time_unit]
    if e["format"] == "percent":
        return words["pp"] if difference else words["share"]
    return words.get(e["unit"], e["unit"])


def axis_label(registry, name, lang="en", time_unit="hours", difference=False):
    """'median response time (days)': the registry's label with the display unit, never the raw name."""
    unit = unit_text(registry, name, lang, time_unit, difference)
    label = registry.label(name, lang)
    if not unit:
        return label
    return f"{label}（{unit}）" if lang == "zh" else f"{label} ({unit})"


LANG = "en"
TEXT_ZH = {
    "all requests": "全部诉求", "type": "类型", "no resolved requests": "无已解决诉求",
    "response time": "响应时间", "log scale": "对数坐标", "share of resolved requests (cumulative)": "已解决诉求累计比例",
    "all residents": "全体居民", "share of all needs (%)": "占全部需求的比例（%）",
    "Service gap by resident group": "各居民群体的服务缺口", " and scenario": "及方案",
    "deadline breached (%)": "超过办理时限（%）", "bar outline": "柱形边框", "all units": "全部单位", "tier": "层级",
    "simulated time (days)": "模拟时间（天）", "backlog (requests queued)": "积压（排队诉求数）",
    "no resident willingness recorded": "未记录居民意愿", "mean willingness to report (0-1)": "平均反映意愿（0-1）",
    "Trust over time (band: 95% CI across replications)": "信任随时间变化（带：各次重复的95%置信区间）",
    "no paired differences to show (one scenario only)": "无配对差值可显示（只有一个方案）",
    "difference": "差值", "Paired differences vs": "配对差值，相对于",
    "(95% CI; filled marker: CI excludes 0)": "（95%置信区间；实心标记：区间不含0）",
    "Sweep: mean with 95% CI band across replications": "参数扫描：均值及各次重复的95%置信区间带",
    "elementary effect": "基本效应", "mu* (mean |effect|)": "mu*（平均绝对效应）",
    "sigma (interaction / non-linearity)": "sigma（交互/非线性）",
    "hierarchy (child to parent)": "隶属（下级到上级）", "referral": "转办", "routing": "流转",
    "on the data platform": "接入数据平台", "communities": "个社区", "units": "个单位", "staff": "人员",
    "days": "天", "hours": "小时",
}


def tr(text):
    """`text` in the language set by set_language (English strings are the keys)."""
    return TEXT_ZH.get(text, text) if LANG == "zh" else text


def set_language(lang):
    """Labels, titles and units of the figures in English ('en') or Chinese ('zh', Noto Sans CJK)."""
    global LANG
    if lang not in ("en", "zh"):
        raise InputError(f"--lang {lang}: choose en or zh")
    LANG = lang
    if lang == "zh":
        use_cjk_font()


def use_cjk_font():
    """Prefer Noto Sans CJK (Debian's fonts-noto-cjk) so Chinese labels render; Latin text is unchanged."""
    from matplotlib import font_manager
    names = {f.name for f in font_manager.fontManager.ttflist}
    cjk = [n for n in ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK TC") if n in names]
    if cjk:
        plt.rcParams["font.sans-serif"] = cjk[:1] + ["DejaVu Sans"]
        plt.rcParams["font.family"] = "sans-serif"
        plt.rcParams["axes.unicode_minus"] = False
    return bool(cjk)


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
        self.registry = registry_from(self.summary)

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


PAIRED_SCOPES = ("all", "type", "group", "tier", "unit_group")


def paired_table(runs, baseline):
    """comparison.csv's table recomputed from the runs' metrics.csv against runs[baseline]: per metric,
    scope (all, type, group, tier, unit_group) and key, each scenario's mean and 95% CI and the paired
    difference (replication by replication, common random numbers) with its 95% CI."""
    cols = ["replication", "metric", "scope", "key"]
    base = runs[baseline].metrics
    base = base[base.scope.isin(PAIRED_SCOPES)][cols + ["value"]].rename(columns={"value": "base"})
    out = []
    for r in runs:
        m = r.metrics[r.metrics.scope.isin(PAIRED_SCOPES)][cols + ["value"]].merge(base, on=cols, how="inner")
        m["d"] = m["value"] - m["base"]
        for (metric, scope, key), g in m.groupby(["metric", "scope", "key"], sort=False):
            mean, lo, hi = mean_ci(g["value"])
            d, dlo, dhi = mean_ci(g["d"])
            out.append({"metric": metric, "scope": scope, "key": key, "scenario": r.name,
                        "baseline": runs[baseline].name, "mean": mean, "ci_low": lo, "ci_high": hi, "diff": d,
                        "diff_ci_low": dlo, "diff_ci_high": dhi, "n": len(g)})
    return pd.DataFrame(out, columns=["metric", "scope", "key", "scenario", "baseline", "mean", "ci_low", "ci_high",
                                      "diff", "diff_ci_low", "diff_ci_high", "n"])


def load_compare(folder, baseline=None):
    """Runs of a compare folder (in comparison order), the comparison table and JSON.

    `baseline` (a scenario's name) recomputes the differences against that scenario; the default is the
    baseline the comparison was run with. meta["baseline_index"] and meta["registry"] are filled in.
    """
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
    names = [r.name for r in runs]
    stored = meta.get("baseline") or (table["baseline"].iloc[0] if len(table) else names[0])
    wanted = baseline or stored
    if wanted not in names:
        raise InputError(f"--baseline {wanted}: not one of the compared scenarios ({', '.join(names)})")
    index = names.index(wanted)
    if wanted != stored:
        table = paired_table(runs, index)
    meta["baseline_index"] = index
    meta["registry"] = registry_from(meta, runs[0].summary)
    return runs, table, meta


def baseline_time_units(table, registry, baseline_name):
    """Per time metric, 'hours' or 'days', chosen once from the baseline's value (scope all) and used everywhere."""
    units = {}
    t = table[(table.scope == "all") & (table.key == "all") & (table.scenario == baseline_name)]
    for _, row in t.iterrows():
        if registry.get(row["metric"])["format"] == "time":
            units[row["metric"]] = time_unit_for(row["mean"])
    return units


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
    panels = [("all", "all", tr("all requests"))] + [("type", t, f"{tr('type')}: {t}") for t in types]
    # Hours, or days when the baseline's median is two days or more: the same unit in every panel.
    d0 = runs[0].distributions
    med = d0[(d0.scope == "all") & (d0.key == "all") & ((d0["quantile"] - 0.5).abs() < 1e-9)]["response_h"]
    tunit = time_unit_for(float(med.iloc[0]) if len(med) else float("nan"))
    scale = HOURS_PER_DAY if tunit == "days" else 1.0
    fig, axes = _grid(len(panels))
    for ax, (scope, key, title) in zip(axes, panels):
        drawn = False
        for i, r in enumerate(runs):
            d = r.distributions
            sel = d[(d.scope == scope) & (d.key == key)].sort_values("quantile")
            x = sel["response_h"].astype(float) / scale
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
            ax.text(0.5, 0.5, tr("no resolved requests"), ha="center", va="center", transform=ax.transAxes)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(f"{tr('response time')} ({tr(tunit)}, {tr('log scale')})")
        ax.set_ylabel(tr("share of resolved requests (cumulative)"))
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
    cats = [("all", "all", tr("all residents"))] + [("group", g, g) for g in groups]
    registry = runs[0].registry
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
    ax.set_ylabel(tr("share of all needs (%)"))
    ax.set_title(tr("Service gap by resident group") + (tr(" and scenario") if n > 1 else f" ({runs[0].name})"),
                 fontsize=10)
    ax.grid(True, axis="y", alpha=0.3)
    handles = [Patch(facecolor=grey, hatch=hatch, edgecolor="black", label=registry.label(metric, LANG))
               for metric, _, grey, hatch in GAP_COMPONENTS]
    handles += [Line2D([], [], marker=scenario_style(i)["marker"], color="white", markeredgecolor="black",
                       linestyle="none", markersize=8,
                       label=tr("deadline breached (%)") + (f": {r.name}" if n > 1 else ""))
                for i, r in enumerate(runs)]
    if n > 1:
        handles += [Patch(facecolor="white", edgecolor=scenario_style(i)["color"], linewidth=1.5,
                          label=f"{tr('bar outline')}: {r.name}") for i, r in enumerate(runs)]
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
    panels = [(None, tr("all units"))] + [(t, f"{tr('tier')}: {t or '(none)'}") for t in tiers]
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
        ax.set_xlabel(tr("simulated time (days)"))
        ax.set_ylabel(tr("backlog (requests queued)"))
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
        ax.fill_between(t, [max(0.0, row[2]) for row in rows], [min(1.0, row[3]) for row in rows],
                        color=st["color"], alpha=0.15,
                        hatch=st["hatch"] or None, linewidth=0)
    if not any_data:
        ax.text(0.5, 0.5, tr("no resident willingness recorded"), ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel(tr("simulated time (days)"))
    ax.set_ylabel(tr("mean willingness to report (0-1)"))
    ax.set_title(tr("Trust over time (band: 95% CI across replications)"), fontsize=10)
    ax.grid(True, alpha=0.3)
    if any_data:
        ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return save(fig, path)


def plot_forest(runs, table, path, baseline=0, registry=None):
    """Forest plot of paired differences (scenario minus baseline) with 95% CIs, scope all.

    Metrics (the registry's headline outcomes) are grouped into panels by display unit (hours, days,
    percentage points, ...) so each panel has one honest scale. One marker per non-baseline scenario in
    its fixed style; a filled marker where the interval has width and excludes 0.
    """
    registry = registry or runs[0].registry
    t = table[(table.scope == "all") & (table.key == "all")]
    names = [r.name for r in runs]
    others = [(i, n) for i, n in enumerate(names) if i != baseline]
    metrics = registry.headline_metrics(set(t.metric))
    tunits = baseline_time_units(table, registry, names[baseline])
    panels = {}
    for m in metrics:
        unit = unit_text(registry, m, LANG, tunits.get(m, "hours"), difference=True) or registry.get(m)["unit"]
        panels.setdefault(unit, []).append(m)
    if not panels or not others:
        fig, ax = plt.subplots(figsize=(6, 2))
        ax.text(0.5, 0.5, tr("no paired differences to show (one scenario only)"), ha="center", va="center")
        ax.axis("off")
        return save(fig, path)
    panels = list(panels.items())
    heights = [max(1.0, 0.45 * len(rows) * max(1, len(others)) ** 0.5) + 0.7 for _, rows in panels]
    fig, axes = plt.subplots(len(panels), 1, figsize=(7.2, sum(heights)), squeeze=False,
                             gridspec_kw={"height_ratios": heights})
    for ax, (unit, rows) in zip([a[0] for a in axes], panels):
        for r_i, metric in enumerate(rows):
            fmt = registry.get(metric)["format"]
            for o_i, (s_i, sname) in enumerate(others):
                sel = t[(t.metric == metric) & (t.scenario == sname)]
                if sel.empty:
                    continue
                row = sel.iloc[0]
                d, lo, hi = (display_value(float(row[c]), fmt, tunits.get(metric, "hours"))
                             for c in ("diff", "diff_ci_low", "diff_ci_high"))
                y = r_i + (o_i - (len(others) - 1) / 2) * 0.25
                st = scenario_style(s_i)
                if not (math.isnan(lo) or math.isnan(hi)):
                    ax.plot([lo, hi], [y, y], color=st["color"], linestyle=st["linestyle"], linewidth=1.6)
                excl = not (math.isnan(lo) or math.isnan(hi)) and hi > lo and (lo > 0 or hi < 0)
                ax.plot(d, y, marker=st["marker"], color=st["color"],
                        markerfacecolor=st["color"] if excl else "white", markersize=7, linestyle="none")
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels([registry.label(m, LANG) for m in rows], fontsize=8)
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xlabel(f"{tr('difference')} ({unit})" if LANG == "en" else f"{tr('difference')}（{unit}）", fontsize=9)
        ax.grid(True, axis="x", alpha=0.3)
    axes[0][0].set_title(f"{tr('Paired differences vs')} {names[baseline]} {tr('(95% CI; filled marker: CI excludes 0)')}",
                         fontsize=10)
    handles = [Line2D([], [], color=scenario_style(i)["color"], linestyle=scenario_style(i)["linestyle"],
                      marker=scenario_style(i)["marker"], label=f"{n} - {names[baseline]}") for i, n in others]
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


def plot_compare_folder(folder, out=None, baseline=None):
    """All figures of a `govsim compare` folder; returns the list of PNG paths."""
    runs, table, meta = load_compare(folder, baseline)
    out = out or os.path.join(folder, "plots")
    written = [
        plot_forest(runs, table, os.path.join(out, "forest.png"), meta["baseline_index"], meta["registry"]),
        plot_response_cdf(runs, os.path.join(out, "response_cdf.png")),
        plot_service_gap(runs, os.path.join(out, "service_gap.png")),
        plot_backlog(runs, os.path.join(out, "backlog_by_tier.png")),
        plot_trust(runs, os.path.join(out, "trust.png")),
    ]
    if meta.get("options"):
        names = [r.name for r in runs]
        structures = [o.get("structure") or {} for o in meta["options"]]
        written.append(plot_structure_summaries(structures, names, os.path.join(out, "structures.png")))
    return written


# ---------------------------------------------------------------------------
# Sweeps and sensitivity
# ---------------------------------------------------------------------------

SWEEP_FIXED = ["point", "replication", "metric", "scope", "key", "value"]


def _never_negative(registry, metric):
    """Metrics that cannot fall below zero (every one but relative gaps): their bands are clipped at zero."""
    return registry.get(metric)["unit"] != "ratio"


def _sweep_time_unit(summary, metric):
    """Hours or days for a time metric of a sweep, from the median of its means over the points."""
    sm = summary[summary.metric == metric]["mean"]
    return time_unit_for(float(sm.median()) if len(sm) else float("nan"))


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


def _sweep_metrics(summary, metrics, registry):
    """Metrics to show: the requested ones, else the registry's headline outcomes present, else all."""
    present = list(dict.fromkeys(summary["metric"])) if len(summary) else []
    if metrics:
        return [m for m in metrics if m in present]
    head = registry.headline_metrics(set(present))
    return head[:6] or present[:6]


def plot_sweep_lines(df, params, path, metrics=None, registry=None):
    """Metric against the first swept parameter with 95% CI bands (clipped at zero for metrics that cannot be
    negative); one line per value of a second parameter; axes in the registry's units."""
    registry = registry or Registry()
    s = sweep_summary(df, params)
    metrics = _sweep_metrics(s, metrics, registry)
    if not metrics:
        raise InputError(f"{path}: sweep has no scope-all metrics to plot")
    x = params[0]
    series = params[1] if len(params) > 1 else None
    fig, axes = _grid(len(metrics))
    handles = {}
    for ax, metric in zip(axes, metrics):
        kind = registry.get(metric)["format"]
        tunit = _sweep_time_unit(s, metric)
        floor = 0.0 if _never_negative(registry, metric) else -math.inf
        sm = s[s.metric == metric]
        groups = list(sm.groupby(series, sort=True)) if series else [(None, sm)]
        for gi, (gval, g) in enumerate(groups):
            # Extra parameters (beyond two) are averaged over: pool their points.
            g = g.groupby(x, sort=True)[["mean", "ci_low", "ci_high"]].mean().reset_index()
            st = scenario_style(gi)
            xs = g[x].astype(float)
            label = f"{series} = {gval}" if series else registry.label(metric, LANG)
            ax.plot(xs, [display_value(v, kind, tunit) for v in g["mean"]], color=st["color"], linestyle=st["linestyle"],
                    marker=st["marker"], markersize=4, label=label)
            ax.fill_between(xs, [max(floor, display_value(v, kind, tunit)) for v in g["ci_low"]],
                            [display_value(v, kind, tunit) for v in g["ci_high"]], color=st["color"], alpha=0.15,
                            hatch=st["hatch"] or None, linewidth=0)
            handles[label] = Line2D([], [], color=st["color"], linestyle=st["linestyle"], marker=st["marker"],
                                    label=label)
        ax.set_xlabel(x)
        ax.set_ylabel(axis_label(registry, metric, LANG, tunit))
        if floor == 0.0:
            ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
    if series:
        _scenario_legend(fig, None, list(handles.values()))
    else:
        fig.tight_layout()
    fig.suptitle(tr("Sweep: mean with 95% CI band across replications"), fontsize=10, y=1.01)
    return save(fig, path)


def plot_sweep_heatmap(df, params, path, metrics=None, registry=None):
    """Heatmap of the mean of each metric over the first two swept parameters.

    Panels in the same display unit share one colour scale, which starts at zero for metrics that cannot
    be negative: a small difference looks small, not black against white.
    """
    registry = registry or Registry()
    if len(params) < 2:
        raise InputError(f"{path}: a heatmap needs two swept parameters, the sweep has {len(params)}")
    s = sweep_summary(df, params)
    metrics = _sweep_metrics(s, metrics, registry)
    if not metrics:
        raise InputError(f"{path}: sweep has no scope-all metrics to plot")
    px, py = params[0], params[1]
    grids = {}
    for metric in metrics:
        kind = registry.get(metric)["format"]
        tunit = _sweep_time_unit(s, metric)
        sm = s[s.metric == metric]
        grid = sm.pivot_table(index=py, columns=px, values="mean", aggfunc="mean").sort_index().sort_index(axis=1)
        vals = grid.apply(lambda col: col.map(lambda v: display_value(v, kind, tunit)))
        grids[metric] = (grid, vals, tunit, axis_label(registry, metric, LANG, tunit))
    scales = {}  # display unit -> (low, high) over every panel in that unit
    for metric, (_, vals, tunit, _) in grids.items():
        unit = unit_text(registry, metric, LANG, tunit) or metric
        v = pd.Series(vals.values.ravel()).dropna()
        if v.empty:
            continue
        lo = min(0.0, float(v.min())) if _never_negative(registry, metric) else float(v.min())
        old = scales.get(unit, (lo, float(v.max())))
        scales[unit] = (min(old[0], lo), max(old[1], float(v.max())))
    fig, axes = _grid(len(metrics), max_cols=2, panel=(5.2, 4.2))
    for ax, metric in zip(axes, metrics):
        grid, vals, tunit, title = grids[metric]
        unit = unit_text(registry, metric, LANG, tunit) or metric
        lo, hi = scales.get(unit, (0.0, 1.0))
        if not hi > lo:
            hi = lo + 1.0
        im = ax.imshow(vals.values, origin="lower", aspect="auto", cmap="Greys", vmin=lo, vmax=hi)
        ax.set_xticks(range(len(grid.columns)))
        ax.set_xticklabels([f"{v:g}" if isinstance(v, (int, float)) else str(v) for v in grid.columns], fontsize=8)
        ax.set_yticks(range(len(grid.index)))
        ax.set_yticklabels([f"{v:g}" if isinstance(v, (int, float)) else str(v) for v in grid.index], fontsize=8)
        ax.set_xlabel(px)
        ax.set_ylabel(py)
        ax.set_title(title, fontsize=9)
        # Numbers in the cells keep the map readable without a colour scale.
        for yi in range(vals.shape[0]):
            for xi in range(vals.shape[1]):
                v = vals.values[yi, xi]
                if not math.isnan(v):
                    dark = (v - lo) / (hi - lo) > 0.55
                    ax.text(xi, yi, f"{v:.3g}", ha="center", va="center", fontsize=7,
                            color="white" if dark else "black")
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    fig.tight_layout()
    return save(fig, path)


def plot_sensitivity(path_csv, path, registry=None):
    """Sensitivity bar chart: Morris mu* (bars) with sigma (hatched bars) per parameter, one panel per metric."""
    registry = registry or Registry()
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
        kind = registry.get(metric)["format"]  # effects in the metric's display unit (shares in points)
        tunit = time_unit_for(max([float(v) for v in d["mu_star"]] + [0.0]))
        mu = [display_value(float(v), kind, tunit) for v in d["mu_star"]]
        sigma = [display_value(float(v), kind, tunit) for v in d["sigma"]]
        y = range(len(d))
        ax.barh([v + 0.2 for v in y], mu, height=0.38, color="#404040", edgecolor="black",
                label=tr("mu* (mean |effect|)"))
        ax.barh([v - 0.2 for v in y], sigma, height=0.38, color="white", edgecolor="black", hatch="///",
                label=tr("sigma (interaction / non-linearity)"))
        ax.set_yticks(list(y))
        ax.set_yticklabels(d["parameter"], fontsize=8)
        unit = unit_text(registry, metric, LANG, tunit, difference=True)
        ax.set_xlabel(f"{tr('elementary effect')} ({unit})" if unit else tr("elementary effect"))
        ax.set_title(registry.label(metric, LANG), fontsize=9)
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
    manifest = os.path.join(folder, "manifest.json")
    registry = registry_from(read_json(manifest)) if os.path.isfile(manifest) else Registry()
    written = []
    if os.path.isfile(sweep):
        df, params = load_sweep(sweep)
        written.append(plot_sweep_lines(df, params, os.path.join(out, "sweep_lines.png"), registry=registry))
        if len(params) >= 2:
            written.append(plot_sweep_heatmap(df, params, os.path.join(out, "sweep_heatmap.png"), registry=registry))
    if os.path.isfile(sens):
        written.append(plot_sensitivity(sens, os.path.join(out, "sensitivity.png"), registry=registry))
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
            if not e.group(1).startswith("legend"):
                edges.append((e.group(1), e.group(2), _dot_attrs(e.group(3)).get("style", "solid")))
            continue
        n = _DOT_NODE.match(line)
        if n and n.group(1) not in ("node", "edge", "graph") and not n.group(1).startswith("legend"):
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


def structure_from_dot(dot):
    """The structure summary govsim writes as the first line of its DOT output (// govsim-structure: {...})."""
    for line in dot.splitlines():
        if line.startswith("// govsim-structure:"):
            try:
                return json.loads(line.split(":", 1)[1])
            except ValueError:
                break
    raise InputError("govsim describe --dot wrote no structure summary (an older govsim binary?)")


def _structure_layout(structure):
    """Rows (tier, [groups]) from the top tier down, groups ordered under their parents; positions {group: (x, y)}."""
    groups = structure.get("groups") or []
    by_name = {g["name"]: g for g in groups}
    tiers = list(structure.get("tiers") or dict.fromkeys(g["tier"] for g in groups))
    pos, rows = {}, []
    for r, tier in enumerate(tiers):
        members = [g["name"] for g in groups if g["tier"] == tier]
        members.sort(key=lambda n: (pos.get(by_name[n].get("parent") or "", (0.5, 0))[0], [g["name"] for g in groups].index(n)))
        for i, n in enumerate(members):
            pos[n] = ((i + 0.5) / max(1, len(members)), -r)
        rows.append((tier, members))
    return rows, pos


def draw_structure_summary(ax, structure, title, colour_index=0):
    """One organisation at the level of unit groups: one row per tier, each group a box with its count and
    staff, hierarchy (solid), referral (dashed) and routing (dotted) links between groups; the home tier
    says how many communities its units make."""
    rows, pos = _structure_layout(structure)
    by_name = {g["name"]: g for g in structure.get("groups") or []}
    st = scenario_style(colour_index)
    styles = {"hierarchy": "-", "referral": "--", "routing": ":"}
    for link in structure.get("links") or []:
        a, b = link["from"], link["to"]
        if a == b or a not in pos or b not in pos or link["kind"] not in styles:
            continue
        (x0, y0), (x1, y1) = pos[a], pos[b]
        rad = 0.3 if abs(y0 - y1) < 1e-9 else 0.0
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops=dict(arrowstyle="-|>", linestyle=styles[link["kind"]], lw=0.8, color="#444444",
                                    shrinkA=16, shrinkB=16, connectionstyle=f"arc3,rad={rad}"))
    communities = int(structure.get("communities") or 0)
    for tier, members in rows:
        y = pos[members[0]][1] if members else 0
        units = sum(by_name[n]["count"] for n in members)
        staff = sum(by_name[n]["count"] * by_name[n]["staff"] for n in members)
        home = any(by_name[n].get("home") for n in members)
        where = (f", {communities} {tr('communities')}" if home and communities else "")
        ax.text(-0.03, y, f"{tier}\n{units} {tr('units')}{where}\n{tr('staff')} {staff}", ha="right", va="center",
                fontsize=7, style="italic")
        for n in members:
            g = by_name[n]
            x, yy = pos[n]
            name = n if len(n) <= 18 else n[:17] + "\u2026"
            connected = g.get("connected", 0) > 0
            ax.text(x, yy, f"{name}\n{g['kind']}\n{g['count']} x {tr('staff')} {g['staff']}", ha="center", va="center",
                    fontsize=6, bbox=dict(boxstyle="round,pad=0.3", facecolor="#dddddd" if connected else "white",
                                          edgecolor=st["color"], linewidth=1.2, hatch=st["hatch"] or None))
    ax.set_xlim(-0.05, 1.05)
    ax.set_ylim(-len(rows) + 0.4, 0.6)
    ax.axis("off")
    ax.set_title(title, fontsize=10)


def plot_structure_summaries(structures, names, path):
    """Organisational structures side by side from their summaries (comparison.json's options[].structure)."""
    n = len(structures)
    max_rows = max([len(_structure_layout(s)[0]) for s in structures] + [1])
    widths = [max(4.8, 1.15 * max([len(m) for _, m in _structure_layout(s)[0]] + [1])) for s in structures]
    fig, axes = plt.subplots(1, n, figsize=(sum(widths) + 1.0 * n, 1.3 + 1.2 * max_rows), squeeze=False,
                             gridspec_kw={"width_ratios": widths})
    for i, (ax, structure) in enumerate(zip(axes[0], structures)):
        title = names[i] if i < len(names) else f"scenario {i}"
        if structure.get("communities"):
            title += f" ({structure['communities']} {tr('communities')})"
        draw_structure_summary(ax, structure, title, i)
    handles = [Line2D([], [], color="#333333", linestyle="-", label=tr("hierarchy (child to parent)")),
               Line2D([], [], color="#333333", linestyle="--", label=tr("referral")),
               Line2D([], [], color="#333333", linestyle=":", label=tr("routing")),
               Patch(facecolor="#dddddd", edgecolor="#333333", label=tr("on the data platform"))]
    fig.legend(handles=handles, loc="lower center", ncol=4, frameon=False, fontsize=8)
    fig.tight_layout(rect=(0.06, 0.07, 1, 1))
    return save(fig, path)


def plot_structures(govsim, scenarios, path, names=None, extra_args=()):
    """Organisational structures of several scenario files side by side, from `govsim describe --dot`."""
    structures, titles = [], []
    for i, sc in enumerate(scenarios):
        text, dot = describe_scenario(govsim, sc, extra_args)
        structure = structure_from_dot(dot)
        if not structure.get("groups"):
            raise InputError(f"{sc}: govsim describe wrote a structure without units")
        first = text.strip().splitlines()[0].strip() if text.strip() else ""
        titles.append((names[i] if names and i < len(names) else None) or first
                      or os.path.splitext(os.path.basename(sc))[0])
        structures.append(structure)
    return plot_structure_summaries(structures, titles, path)


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------

# ---------------------------------------------------------------------------
# Uncertainty: explore (effects across uncertain parameters), attribute
# (factorial of reform elements), PRIM (docs/uncertainty.md)
# ---------------------------------------------------------------------------

def plot_explore_effects(meta, df, path):
    """Each option's effect on the headline outcomes across the samples, with P(better)."""
    heads = [m for m, v in meta["results"][meta["options"][0]].items() if v.get("headline")]
    fig, axes = plt.subplots(len(heads), 1, figsize=(7.5, 1.3 + 1.0 * len(heads) * max(1, len(meta["options"])) ** 0.5),
                             squeeze=False)
    for ax, metric in zip(axes[:, 0], heads):
        d = df[df["metric"] == metric].groupby(["option", "sample"])["difference"].mean().reset_index()
        for i, opt in enumerate(meta["options"]):
            v = d[d["option"] == opt]["difference"].to_numpy()
            if len(v) == 0:
                continue
            ax.scatter(v, [i] * len(v), s=8, alpha=0.35, color=f"C{i}")
            r = meta["results"][opt][metric]
            ax.plot([r["p05"], r["p95"]], [i, i], color="black", lw=1.5)
            ax.plot([r["median"]], [i], "|", color="black", ms=12, mew=2)
            pb = r.get("p_better")
            ax.text(1.01, i, "P(better) " + ("n/a" if pb is None else f"{pb:.0%}"), transform=ax.get_yaxis_transform(),
                    va="center", fontsize=8)
        ax.axvline(0, color="grey", lw=0.8, ls="--")
        ax.set_yticks(range(len(meta["options"])), meta["options"], fontsize=8)
        ax.set_ylim(-0.6, len(meta["options"]) - 0.4)
        better = meta["results"][meta["options"][0]][metric]["better"]
        ax.set_title(f"{metric} (option - {meta['baseline']}; {better} is better)", fontsize=9, loc="left")
    fig.suptitle(f"How sure are we? Effects over {meta['samples_used']} plausible parameter sets "
                 "(dots: samples; bar: 5-95%; tick: median)", fontsize=10)
    fig.tight_layout()
    return save(fig, path)


def explore_rank_correlations(meta, df, option, metric):
    """Spearman rank correlation of each uncertain parameter with the option's effect."""
    params = [p["path"] for p in meta["parameters"]]
    d = df[(df["option"] == option) & (df["metric"] == metric)]
    g = d.groupby("sample").agg({**{p: "first" for p in params}, "difference": "mean"})
    out = {}
    for p in params:
        x = pd.to_numeric(g[p], errors="coerce")
        if x.isna().any():
            x = pd.Series(pd.Categorical(g[p].astype(str)).codes, index=g.index)
        if x.nunique() < 2 or g["difference"].nunique() < 2:
            out[p] = float("nan")
        else:
            out[p] = float(scipy.stats.spearmanr(x, g["difference"]).statistic)
    return out


def plot_explore_tornado(meta, df, path, metric="response_mean_h"):
    """Which uncertain parameters move the effect: rank correlation with it, per option."""
    opts = meta["options"]
    fig, axes = plt.subplots(1, len(opts), figsize=(5.5 * len(opts), 0.6 + 0.45 * len(meta["parameters"])), squeeze=False)
    for ax, opt in zip(axes[0], opts):
        rho = explore_rank_correlations(meta, df, opt, metric)
        items = sorted(rho.items(), key=lambda kv: abs(kv[1]) if kv[1] == kv[1] else -1)
        names = [f"{k} ({next(p['grade'] for p in meta['parameters'] if p['path'] == k)})" for k, _ in items]
        vals = [0 if v != v else v for _, v in items]
        ax.barh(names, vals, color=["C3" if v > 0 else "C0" for v in vals])
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_xlim(-1, 1)
        ax.set_xlabel(f"rank correlation with the effect on {metric}")
        ax.set_title(opt, fontsize=9)
        ax.tick_params(axis="y", labelsize=8)
    fig.suptitle("Which unknowns matter (grade in brackets: A measured, B literature, C assumption)", fontsize=10)
    fig.tight_layout()
    return save(fig, path)


def plot_prim(result, path):
    """PRIM's peeling trajectory: coverage against density; the chosen box marked."""
    t = result["trajectory"]
    fig, ax = plt.subplots(figsize=(5.5, 4))
    sc = ax.scatter([s["coverage"] for s in t], [s["density"] for s in t], c=[s["support"] for s in t], cmap="viridis", s=14)
    fig.colorbar(sc, ax=ax, label="support (share of samples in the box)")
    if result["box"]:
        ax.scatter([result["box"]["coverage"]], [result["box"]["density"]], s=120, facecolors="none", edgecolors="red",
                   label="box reported")
        ax.legend(fontsize=8)
    ax.axhline(result["base_rate"], color="grey", ls="--", lw=0.8)
    ax.set_xlabel("coverage (share of all such cases inside the box)")
    ax.set_ylabel("density (share of the box's samples that are such cases)")
    ax.set_title(f"PRIM: {result['option']} {result['condition']}", fontsize=9)
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    fig.tight_layout()
    return save(fig, path)


def plot_explore_folder(folder, out=None):
    """Effect distributions, tornado and (when prim.json exists) the PRIM trajectory."""
    require_dir(folder)
    require_files(folder, ["explore.csv", "explore.json"], "`govsim explore`")
    meta = read_json(os.path.join(folder, "explore.json"))
    df = pd.read_csv(os.path.join(folder, "explore.csv"))
    out = out or os.path.join(folder, "plots")
    written = [plot_explore_effects(meta, df, os.path.join(out, "explore_effects.png")),
               plot_explore_tornado(meta, df, os.path.join(out, "explore_tornado.png"))]
    prim_json = os.path.join(folder, "prim.json")
    if os.path.isfile(prim_json):
        written.append(plot_prim(read_json(prim_json), os.path.join(out, "prim_trajectory.png")))
    return written


def plot_attribute_folder(folder, out=None, metric="response_mean_h"):
    """Waterfall from the baseline to the full reform (Shapley shares) and the interaction chart."""
    require_dir(folder)
    require_files(folder, ["attribute.json"], "`govsim attribute`")
    meta = read_json(os.path.join(folder, "attribute.json"))
    out = out or os.path.join(folder, "plots")
    terms = {(t["kind"], t["term"]): t for t in meta["results"][metric]}
    base = meta["combinations"][0]["mean"][metric]
    full = meta["combinations"][-1]["mean"][metric]
    # A fractional design has no Shapley shares: main effects, then what they leave (interactions).
    shapley = all(("shapley", e) in terms for e in meta["elements"])
    kind = "shapley" if shapley else "main"
    fig, ax = plt.subplots(figsize=(1.6 + 1.1 * (len(meta["elements"]) + 3), 4))
    level = base
    ax.bar(0, base, color="grey")
    labels = ["baseline"]
    for i, e in enumerate(meta["elements"], start=1):
        v = terms[(kind, e)]
        ax.bar(i, v["estimate"], bottom=level, color="C2" if v["estimate"] < 0 else "C3")
        if v["ci_low"] is not None:
            ax.errorbar(i, level + v["estimate"], yerr=[[v["estimate"] - v["ci_low"]], [v["ci_high"] - v["estimate"]]],
                        color="black", capsize=3, lw=1)
        level += v["estimate"]
        labels.append(e)
    if not shapley:
        ax.bar(len(labels), full - level, bottom=level, color="C7")
        labels.append("interactions")
    ax.bar(len(labels), full, color="C0")
    labels.append("full reform")
    ax.set_xticks(range(len(labels)), labels, rotation=20, ha="right", fontsize=8)
    ax.set_ylabel(metric)
    title = ("From baseline to full reform: each element's Shapley share (95% CI)" if shapley else
             f"From baseline to full reform: main effects ({meta['design']['name']}; no Shapley shares)")
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    written = [save(fig, os.path.join(out, "attribute_waterfall.png"))]
    inter = [t for t in meta["results"][metric] if t["kind"] in ("main", "interaction")]
    fig, ax = plt.subplots(figsize=(6.5, 0.8 + 0.4 * len(inter)))
    for i, t in enumerate(inter):
        ax.plot([t["ci_low"], t["ci_high"]], [i, i], color="black", lw=1.2)
        ax.plot([t["estimate"]], [i], "o", color="C0" if t["kind"] == "main" else "C1")
    ax.axvline(0, color="grey", lw=0.8, ls="--")
    ax.set_yticks(range(len(inter)), [("main: " if t["kind"] == "main" else "interaction: ") + t["term"] for t in inter],
                  fontsize=8)
    ax.set_xlabel(f"effect on {metric} (95% CI)")
    ax.set_title("Main effects and two-way interactions (0: the pair adds up)", fontsize=9)
    fig.tight_layout()
    written.append(save(fig, os.path.join(out, "attribute_interactions.png")))
    return written


# ---------------------------------------------------------------------------
# Calibration: marginal and pairwise posteriors of a `govsim calibrate` folder


def plot_calibrate_folder(folder, out=None):
    """calibrate_marginals.png (weighted histograms, prior range as the axis) and
    calibrate_pairs.png (pairwise scatter, point size by weight) from posterior.csv."""
    require_dir(folder)
    require_files(folder, ["posterior.csv", "calibrate.json"], "`govsim calibrate`")
    meta = read_json(os.path.join(folder, "calibrate.json"))
    df = pd.read_csv(os.path.join(folder, "posterior.csv"))
    params = [p["path"] for p in meta.get("parameters", [])]
    missing = [c for c in params + ["weight"] if c not in df.columns]
    if missing:
        raise InputError(f"{os.path.join(folder, 'posterior.csv')}: missing columns {', '.join(missing)}")
    out = out or os.path.join(folder, "plots")
    os.makedirs(out, exist_ok=True)
    numeric = [p for p in params if pd.api.types.is_numeric_dtype(df[p])]
    w = df["weight"]
    k = max(1, len(numeric))
    fig, axes = plt.subplots(1, k, figsize=(3.6 * k, 3.0), squeeze=False)
    for ax, p, info in zip(axes[0], numeric, [q for q in meta["parameters"] if q["path"] in numeric]):
        ax.hist(df[p], bins=20, weights=w, color="0.55", edgecolor="black", hatch="//")
        for q in ("q025", "q975"):
            if info.get(q) is not None:
                ax.axvline(info[q], color="black", linestyle="--", linewidth=1)
        ax.set_xlabel(p, fontsize=8)
        ax.set_ylabel("posterior weight")
        ax.set_title(f"prior {info.get('prior', '')}", fontsize=8)
    fig.suptitle(f"{meta.get('scenario', '')}: marginal posteriors (dashed: 95% interval)")
    written = [save(fig, os.path.join(out, "calibrate_marginals.png"))]
    if len(numeric) >= 2:
        fig, axes = plt.subplots(k, k, figsize=(2.6 * k, 2.6 * k), squeeze=False)
        size = 200 * w / w.max()
        for i, a in enumerate(numeric):
            for j, b in enumerate(numeric):
                ax = axes[i][j]
                if i == j:
                    ax.hist(df[a], bins=20, weights=w, color="0.6", edgecolor="black")
                elif i > j:
                    ax.scatter(df[b], df[a], s=size, facecolors="none", edgecolors="black", linewidths=0.6)
                    r = meta.get("correlation", [[None]])[i][j]
                    if r is not None:
                        ax.set_title(f"r = {r:.2f}", fontsize=8)
                else:
                    ax.axis("off")
                if i == k - 1:
                    ax.set_xlabel(b, fontsize=7)
                if j == 0 and i > 0:
                    ax.set_ylabel(a, fontsize=7)
        fig.suptitle("pairwise posterior (circle size: weight; r: weighted correlation)")
        written.append(save(fig, os.path.join(out, "calibrate_pairs.png")))
    return written


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
    c.add_argument("--baseline", metavar="NAME", help="differences against this scenario (default: the comparison's)")
    s = sub.add_parser("sweep", help="plots of a sweep folder (sweep.csv, sensitivity.csv)")
    s.add_argument("dir", metavar="SWEEPDIR", help="folder holding sweep.csv and/or sensitivity.csv")
    s.add_argument("--out", metavar="PLOTDIR", help="output folder (default: SWEEPDIR/plots)")
    e = sub.add_parser("explore", help="plots of a `govsim explore` folder (effects, tornado, PRIM)")
    e.add_argument("dir", metavar="DIR", help="folder written by `govsim explore --out DIR`")
    e.add_argument("--out", metavar="PLOTDIR", help="output folder (default: DIR/plots)")
    a = sub.add_parser("attribute", help="plots of a `govsim attribute` folder (waterfall, interactions)")
    a.add_argument("dir", metavar="DIR", help="folder written by `govsim attribute --out DIR`")
    a.add_argument("--out", metavar="PLOTDIR", help="output folder (default: DIR/plots)")
    a.add_argument("--metric", default="response_mean_h", help="outcome shown (default response_mean_h)")
    k = sub.add_parser("calibrate", help="plots of a `govsim calibrate` folder (marginal and pairwise posteriors)")
    k.add_argument("dir", metavar="DIR", help="folder written by `govsim calibrate --out DIR`")
    k.add_argument("--out", metavar="PLOTDIR", help="output folder (default: DIR/plots)")
    t = sub.add_parser("structure", help="organisational structures of scenarios side by side")
    t.add_argument("scenarios", metavar="SCENARIO.yaml", nargs="+", help="scenario files")
    t.add_argument("--govsim", metavar="BIN", required=True, help="path of the govsim binary")
    t.add_argument("--out", metavar="FILE.png", required=True, help="output PNG file")
    t.add_argument("--set", metavar="path=value", action="append", default=[],
                   help="scenario override passed to `govsim describe` (repeatable)")
    for sp in (r, c, s, e, a, t, k):
        sp.add_argument("--lang", choices=["en", "zh"], default="en", help="language of labels and titles")
    return p


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        set_language(args.lang)
        if args.command == "run":
            written = plot_run_folder(args.dir, args.out)
        elif args.command == "compare":
            written = plot_compare_folder(args.dir, args.out, args.baseline)
        elif args.command == "sweep":
            written = plot_sweep_folder(args.dir, args.out)
        elif args.command == "explore":
            written = plot_explore_folder(args.dir, args.out)
        elif args.command == "attribute":
            written = plot_attribute_folder(args.dir, args.out, args.metric)
        elif args.command == "calibrate":
            written = plot_calibrate_folder(args.dir, args.out)
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
