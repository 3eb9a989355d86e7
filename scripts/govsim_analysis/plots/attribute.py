"""Figures of a `govsim attribute` folder (docs/uncertainty.md): the waterfall from the baseline to the
full reform (Shapley shares, or main effects in a fractional design) and the interaction chart."""

from __future__ import annotations

import os
from typing import Optional

from ..results import load_attribute
from .common import plt, save

def plot_attribute_folder(folder: str, out: Optional[str] = None, metric: str = "response_mean_h") -> list[str]:
    """Waterfall from the baseline to the full reform (Shapley shares) and the interaction chart."""
    meta = load_attribute(folder)
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
