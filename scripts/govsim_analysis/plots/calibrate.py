"""Figures of a `govsim calibrate` folder (docs/calibration.md): marginal and pairwise posteriors."""

from __future__ import annotations

import math
import os
from typing import Optional

import pandas as pd

from ..results import load_calibrate
from ..stats import weighted_quantile
from .common import plt, save


def plot_calibrate_folder(folder: str, out: Optional[str] = None) -> list[str]:
    """calibrate_marginals.png (weighted histograms, prior range as the axis) and
    calibrate_pairs.png (pairwise scatter, point size by weight) from posterior.csv."""
    meta, df = load_calibrate(folder)
    params = [p["path"] for p in meta.get("parameters", [])]
    out = out or os.path.join(folder, "plots")
    os.makedirs(out, exist_ok=True)
    numeric = [p for p in params if pd.api.types.is_numeric_dtype(df[p])]
    w = df["weight"]
    k = max(1, len(numeric))
    fig, axes = plt.subplots(1, k, figsize=(3.6 * k, 3.0), squeeze=False)
    for ax, p, info in zip(axes[0], numeric, [q for q in meta["parameters"] if q["path"] in numeric]):
        ax.hist(df[p], bins=20, weights=w, color="0.55", edgecolor="black", hatch="//")
        for key, level in (("q025", 0.025), ("q975", 0.975)):
            # calibrate.json holds the interval (null when not finite); a folder written before it had
            # these keys gets them from the weighted posterior, by the same definition.
            q = info[key] if key in info else weighted_quantile(df[p], w, level)
            if q is not None and not math.isnan(q):
                ax.axvline(q, color="black", linestyle="--", linewidth=1)
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
