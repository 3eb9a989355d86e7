"""Figures of a `govsim explore` folder (docs/uncertainty.md): each option's effect across the uncertain
parameters with P(better), the tornado of rank correlations, and PRIM's peeling trajectory."""

from __future__ import annotations

import os
from typing import Any, Optional

import pandas as pd

from ..results import load_explore, load_prim
from ..stats import rank_correlation
from .common import plt, save

Json = Any

def plot_explore_effects(meta: Json, df: pd.DataFrame, path: str) -> str:
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


def explore_rank_correlations(meta: Json, df: pd.DataFrame, option: str, metric: str) -> dict[str, float]:
    """Spearman rank correlation of each uncertain parameter with the option's effect."""
    params = [p["path"] for p in meta["parameters"]]
    d = df[(df["option"] == option) & (df["metric"] == metric)]
    g = d.groupby("sample").agg({**{p: "first" for p in params}, "difference": "mean"})
    out: dict[str, float] = {}
    for p in params:
        x = pd.to_numeric(g[p], errors="coerce")
        if x.isna().any():
            x = pd.Series(pd.Categorical(g[p].astype(str)).codes, index=g.index)
        out[p] = rank_correlation(x, g["difference"])
    return out


def plot_explore_tornado(meta: Json, df: pd.DataFrame, path: str, metric: str = "response_mean_h") -> str:
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


def plot_prim(result: Json, path: str) -> str:
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


def plot_explore_folder(folder: str, out: Optional[str] = None) -> list[str]:
    """Effect distributions, tornado and (when prim.json exists) the PRIM trajectory."""
    meta, df = load_explore(folder)
    out = out or os.path.join(folder, "plots")
    written = [plot_explore_effects(meta, df, os.path.join(out, "explore_effects.png")),
               plot_explore_tornado(meta, df, os.path.join(out, "explore_tornado.png"))]
    prim = load_prim(folder)
    if prim is not None:
        written.append(plot_prim(prim, os.path.join(out, "prim_trajectory.png")))
    return written
