"""Figures of a sweep folder: sweep lines with 95% CI bands, a two-parameter heatmap, and Morris
sensitivity (mu*, sigma) bars."""

from __future__ import annotations

import math
import os
from typing import Optional, Sequence

import pandas as pd
from matplotlib.lines import Line2D

from ..errors import InputError
from ..language import current, tr
from ..registry import Registry, axis_label, display_value, time_unit_for, unit_text
from ..results import load_sensitivity, load_sweep, require_dir, sweep_registry
from ..stats import mean_ci
from .common import panel_grid, save, scenario_legend, scenario_style


def _never_negative(registry: Registry, metric: str) -> bool:
    """Metrics that cannot fall below zero (every one but relative gaps): their bands are clipped at zero."""
    return registry.get(metric)["unit"] != "ratio"


def _sweep_time_unit(summary: pd.DataFrame, metric: str) -> str:
    """Hours or days for a time metric of a sweep, from the median of its means over the points."""
    sm = summary[summary.metric == metric]["mean"]
    return time_unit_for(float(sm.median()) if len(sm) else float("nan"))


def sweep_summary(df: pd.DataFrame, params: Sequence[str], scope: str = "all", key: str = "all") -> pd.DataFrame:
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


def _sweep_metrics(summary: pd.DataFrame, metrics: Optional[Sequence[str]], registry: Registry) -> list[str]:
    """Metrics to show: the requested ones, else the registry's headline outcomes present, else all."""
    present = list(dict.fromkeys(summary["metric"])) if len(summary) else []
    if metrics:
        return [m for m in metrics if m in present]
    head = registry.headline_metrics(set(present))
    return head[:6] or present[:6]


def plot_sweep_lines(df: pd.DataFrame, params: Sequence[str], path: str, metrics: Optional[Sequence[str]] = None,
                     registry: Optional[Registry] = None) -> str:
    """Metric against the first swept parameter with 95% CI bands (clipped at zero for metrics that cannot be
    negative); one line per value of a second parameter; axes in the registry's units."""
    registry = registry or Registry()
    s = sweep_summary(df, params)
    metrics = _sweep_metrics(s, metrics, registry)
    if not metrics:
        raise InputError(f"{path}: sweep has no scope-all metrics to plot")
    x = params[0]
    series = params[1] if len(params) > 1 else None
    fig, axes = panel_grid(len(metrics))
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
            label = f"{series} = {gval}" if series else registry.label(metric, current())
            ax.plot(xs, [display_value(v, kind, tunit) for v in g["mean"]], color=st["color"], linestyle=st["linestyle"],
                    marker=st["marker"], markersize=4, label=label)
            ax.fill_between(xs, [max(floor, display_value(v, kind, tunit)) for v in g["ci_low"]],
                            [display_value(v, kind, tunit) for v in g["ci_high"]], color=st["color"], alpha=0.15,
                            hatch=st["hatch"] or None, linewidth=0)
            handles[label] = Line2D([], [], color=st["color"], linestyle=st["linestyle"], marker=st["marker"],
                                    label=label)
        ax.set_xlabel(x)
        ax.set_ylabel(axis_label(registry, metric, current(), tunit))
        if floor == 0.0:
            ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
    if series:
        scenario_legend(fig, None, list(handles.values()))
    else:
        fig.tight_layout()
    fig.suptitle(tr("Sweep: mean with 95% CI band across replications"), fontsize=10, y=1.01)
    return save(fig, path)


def plot_sweep_heatmap(df: pd.DataFrame, params: Sequence[str], path: str, metrics: Optional[Sequence[str]] = None,
                       registry: Optional[Registry] = None) -> str:
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
        grids[metric] = (grid, vals, tunit, axis_label(registry, metric, current(), tunit))
    scales: dict[str, tuple[float, float]] = {}  # display unit -> (low, high) over every panel in that unit
    for metric, (_, vals, tunit, _) in grids.items():
        unit = unit_text(registry, metric, current(), tunit) or metric
        v = pd.Series(vals.values.ravel()).dropna()
        if v.empty:
            continue
        lo = min(0.0, float(v.min())) if _never_negative(registry, metric) else float(v.min())
        old = scales.get(unit, (lo, float(v.max())))
        scales[unit] = (min(old[0], lo), max(old[1], float(v.max())))
    fig, axes = panel_grid(len(metrics), max_cols=2, panel=(5.2, 4.2))
    for ax, metric in zip(axes, metrics):
        grid, vals, tunit, title = grids[metric]
        unit = unit_text(registry, metric, current(), tunit) or metric
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


def plot_sensitivity(df: pd.DataFrame, path: str, registry: Optional[Registry] = None) -> str:
    """Sensitivity bar chart: Morris mu* (bars) with sigma (hatched bars) per parameter, one panel per metric."""
    registry = registry or Registry()
    metrics = list(dict.fromkeys(df["metric"]))
    n_params = df.groupby("metric")["parameter"].count().max()
    fig, axes = panel_grid(len(metrics), max_cols=2, panel=(5.4, 0.9 + 0.45 * n_params))
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
        unit = unit_text(registry, metric, current(), tunit, difference=True)
        ax.set_xlabel(f"{tr('elementary effect')} ({unit})" if unit else tr("elementary effect"))
        ax.set_title(registry.label(metric, current()), fontsize=9)
        ax.grid(True, axis="x", alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, frameon=False, bbox_to_anchor=(0.5, -0.02))
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return save(fig, path)


def plot_sweep_folder(folder: str, out: Optional[str] = None) -> list[str]:
    """All figures of a sweep folder (sweep.csv and/or sensitivity.csv)."""
    require_dir(folder)
    sweep = os.path.join(folder, "sweep.csv")
    sens = os.path.join(folder, "sensitivity.csv")
    if not os.path.isfile(sweep) and not os.path.isfile(sens):
        raise InputError(f"{folder}: missing sweep.csv and sensitivity.csv (not a sweep folder?)")
    out = out or os.path.join(folder, "plots")
    registry = sweep_registry(folder)
    written = []
    if os.path.isfile(sweep):
        df, params = load_sweep(sweep)
        written.append(plot_sweep_lines(df, params, os.path.join(out, "sweep_lines.png"), registry=registry))
        if len(params) >= 2:
            written.append(plot_sweep_heatmap(df, params, os.path.join(out, "sweep_heatmap.png"), registry=registry))
    if os.path.isfile(sens):
        written.append(plot_sensitivity(load_sensitivity(sens), os.path.join(out, "sensitivity.png"), registry=registry))
    return written
