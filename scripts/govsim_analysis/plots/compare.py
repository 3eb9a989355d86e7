"""Figures of `govsim run` and `govsim compare` folders: response-time CDFs, service gap, backlog per tier,
trust over time, and the forest plot of paired differences (one line, bar or marker per scenario)."""

from __future__ import annotations

import math
import os
from typing import Optional

import pandas as pd
from matplotlib.artist import Artist
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..language import current, tr
from ..registry import Registry, display_value, time_unit_for, unit_text
from ..results import Run, baseline_time_units, load_compare, load_run
from ..stats import excludes_zero, mean_ci
from .common import GAP_COMPONENTS, HOURS_PER_DAY, panel_grid, plt, save, scenario_legend, scenario_style
from .structure import plot_structure_summaries

def plot_response_cdf(runs: list[Run], path: str) -> str:
    """Response-time CDF (resolved requests, pooled over replications): all requests and each type.

    One panel for all requests and one per request type; one line per scenario.
    The x axis is in days on a log scale.
    """
    types: list[str] = []
    for r in runs:
        d = r.distributions
        types += [k for k in d[d.scope == "type"]["key"].unique() if k not in types]
    panels = [("all", "all", tr("all requests"))] + [("type", t, f"{tr('type')}: {t}") for t in types]
    # Hours, or days when the baseline's median is two days or more: the same unit in every panel.
    d0 = runs[0].distributions
    med = d0[(d0.scope == "all") & (d0.key == "all") & ((d0["quantile"] - 0.5).abs() < 1e-9)]["response_h"]
    tunit = time_unit_for(float(med.iloc[0]) if len(med) else float("nan"))
    scale = HOURS_PER_DAY if tunit == "days" else 1.0
    fig, axes = panel_grid(len(panels))
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
    scenario_legend(fig, [r.name for r in runs])
    return save(fig, path)


def plot_service_gap(runs: list[Run], path: str) -> str:
    """Service gap as stacked bars per resident group (and all), one bar per scenario.

    Stacks: never reported, abandoned, lost, no responsible unit, unresolved
    (shares of all needs, in percent). Deadline breaches are a separate marker
    (in the scenario's marker shape) since they are not part of the gap.
    """
    groups: list[str] = []
    for r in runs:
        groups += [g for g in r.keys("group") if g not in groups]
    cats = [("all", "all", tr("all residents"))] + [("group", g, g) for g in groups]
    registry = runs[0].registry
    n = len(runs)
    width = 0.8 / n
    fig, ax = plt.subplots(figsize=(max(5.0, 1.2 + len(cats) * (0.9 + 0.35 * n)), 4.6))
    ticks: list[float] = []
    ticklabels: list[str] = []
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
    handles: list[Artist] = [Patch(facecolor=grey, hatch=hatch, edgecolor="black", label=registry.label(metric, current()))
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


def _tier_order(ts: pd.DataFrame) -> list[str]:
    """Tiers of a time series ordered from the top (fewest units) to the bottom."""
    units = ts.drop_duplicates("unit")
    counts = units.groupby("tier")["unit"].count()
    return list(counts.sort_values(kind="stable").index)


def plot_backlog(runs: list[Run], path: str) -> str:
    """Backlog (requests queued) per tier over time: sum over the tier's units, mean over replications.

    One panel per tier plus one for all units; one line per scenario; x in days.
    """
    tiers: list[str] = []
    for r in runs:
        tiers += [t for t in _tier_order(r.timeseries) if t not in tiers]
    panels: list[tuple[Optional[str], str]] = [(None, tr("all units"))]
    panels += [(t, f"{tr('tier')}: {t or '(none)'}") for t in tiers]
    fig, axes = panel_grid(len(panels))
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
    scenario_legend(fig, [r.name for r in runs])
    return save(fig, path)



def plot_trust(runs: list[Run], path: str) -> str:
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


def plot_forest(runs: list[Run], table: pd.DataFrame, path: str, baseline: int = 0,
                registry: Optional[Registry] = None) -> str:
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
    by_unit: dict[str, list[str]] = {}
    for m in metrics:
        unit = unit_text(registry, m, current(), tunits.get(m, "hours"), difference=True) or registry.get(m)["unit"]
        by_unit.setdefault(unit, []).append(m)
    if not by_unit or not others:
        fig, ax = plt.subplots(figsize=(6, 2))
        ax.text(0.5, 0.5, tr("no paired differences to show (one scenario only)"), ha="center", va="center")
        ax.axis("off")
        return save(fig, path)
    panels = list(by_unit.items())
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
                excl = excludes_zero(lo, hi)
                ax.plot(d, y, marker=st["marker"], color=st["color"],
                        markerfacecolor=st["color"] if excl else "white", markersize=7, linestyle="none")
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels([registry.label(m, current()) for m in rows], fontsize=8)
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xlabel(f"{tr('difference')} ({unit})" if current() == "en" else f"{tr('difference')}（{unit}）", fontsize=9)
        ax.grid(True, axis="x", alpha=0.3)
    axes[0][0].set_title(f"{tr('Paired differences vs')} {names[baseline]} {tr('(95% CI; filled marker: CI excludes 0)')}",
                         fontsize=10)
    handles = [Line2D([], [], color=scenario_style(i)["color"], linestyle=scenario_style(i)["linestyle"],
                      marker=scenario_style(i)["marker"], label=f"{n} - {names[baseline]}") for i, n in others]
    scenario_legend(fig, None, handles)
    return save(fig, path)


def plot_run_folder(folder: str, out: Optional[str] = None) -> list[str]:
    """All figures of a `govsim run` folder; returns the list of PNG paths."""
    runs = load_run(folder)
    out = out or os.path.join(folder, "plots")
    return [
        plot_response_cdf(runs, os.path.join(out, "response_cdf.png")),
        plot_service_gap(runs, os.path.join(out, "service_gap.png")),
        plot_backlog(runs, os.path.join(out, "backlog_by_tier.png")),
        plot_trust(runs, os.path.join(out, "trust.png")),
    ]


def plot_compare_folder(folder: str, out: Optional[str] = None, baseline: Optional[str] = None) -> list[str]:
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
