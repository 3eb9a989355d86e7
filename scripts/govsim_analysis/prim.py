"""Scenario discovery with PRIM (Friedman & Fisher 1999) over `govsim explore` samples.

    /usr/bin/python3 scripts/govsim_prim.py DIR [--option NAME] [--metric M] [--target "response_p90_h<120"]
                                                [--alpha 0.05] [--min-support 0.05] [--threshold 0.8]

A case is a sample of explore.csv (its parameter values) and its outcome is 1
when the option does worse than the baseline on the metric (by the metric
registry's direction), or, with --target, when the option misses the target
(the option's own value, averaged over replications, fails the condition).
PRIM peels, from the current box, the slice of alpha of the remaining cases
on one side of one parameter that raises the density (share of cases of
interest) inside the box most, until the box holds fewer than min-support of
all cases. Every step is kept: the peeling trajectory trades coverage (share
of all cases of interest inside the box) against density. The box reported
is the one of highest coverage among those whose density reaches
--threshold (default 0.8); when none does, or when the best density is no
better than chance (the base rate plus two standard errors of a density at
the box's support), "no box" is reported: PRIM found nothing.

Writes DIR/prim.json (box limits, coverage, density, trajectory, sentence) and
prints the sentence. The statistics (peeling quantiles, the chance level) are
stats.py's; the command line is cli.prim_main.
"""

from __future__ import annotations

import json
import operator
import os
import re
from typing import Any, Callable, Optional, Sequence

import numpy as np
import pandas as pd

from .errors import InputError
from .results import load_explore
from .stats import chance_density, peel_quantile

# A step of the peeling trajectory: limits per parameter, coverage, density, support.
Step = dict[str, Any]
# (parameter, low or None, high or None): a limit a box actually sets.
Limit = tuple[str, Optional[float], Optional[float]]
# (metric, comparison, value) of --target.
Target = tuple[str, str, float]

OPS: dict[str, Callable[[Any, Any], Any]] = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt}


def parse_target(text: Optional[str]) -> Target:
    """(metric, comparison, value) of a --target such as "response_p90_h<120"."""
    m = re.fullmatch(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|<|>)\s*([-+0-9.eE]+)\s*", text or "")
    if not m:
        raise InputError(f"--target `{text}`: write METRIC<VALUE, e.g. response_p90_h<120")
    return m.group(1), m.group(2), float(m.group(3))


def prim(x: Any, y: Any, alpha: float = 0.05, min_support: float = 0.05) -> list[Step]:
    """Peeling trajectory of PRIM on a numeric matrix x (n x k) and 0/1 outcomes y.

    Returns a list of steps, each {limits: [(low, high)] per column, coverage, density, support}.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n, k = x.shape
    total = y.sum()
    inside = np.ones(n, dtype=bool)
    limits = [(float(x[:, i].min()), float(x[:, i].max())) for i in range(k)]

    def step(inside: np.ndarray, limits: list[tuple[float, float]]) -> Step:
        m = inside.sum()
        return {"limits": list(limits), "support": float(m / n),
                "density": float(y[inside].mean()) if m else float("nan"),
                "coverage": float(y[inside].sum() / total) if total else float("nan")}

    trajectory = [step(inside, limits)]
    while inside.sum() / n > min_support:
        best: Optional[tuple[float, int, str, float, np.ndarray]] = None
        for i in range(k):
            xi = x[inside, i]
            if np.all(xi == xi[0]):
                continue
            for side in ("low", "high"):
                q = peel_quantile(xi, alpha, side)
                keep = inside & ((x[:, i] > q) if side == "low" else (x[:, i] < q))
                if keep.sum() == inside.sum() or keep.sum() == 0:
                    # discrete values: peel the extreme value itself
                    continue
                d = float(y[keep].mean())
                if best is None or d > best[0] + 1e-12:
                    best = (d, i, side, q, keep)
        if best is None or best[4].sum() / n < min_support:
            break
        _, i, side, q, keep = best
        low, high = limits[i]
        rest = x[keep, i]
        limits[i] = (float(rest.min()), high) if side == "low" else (low, float(rest.max()))
        inside = keep
        trajectory.append(step(inside, limits))
    return trajectory


def choose_box(trajectory: list[Step], base_rate: float, n: int, threshold: float = 0.8) -> Optional[Step]:
    """The box of highest coverage with density >= threshold and clearly above chance; None if none."""
    ok = []
    for s in trajectory[1:]:
        m = s["support"] * n
        chance = chance_density(base_rate, m)
        if s["density"] >= threshold and s["density"] > chance:
            ok.append(s)
    if not ok:
        return None
    return max(ok, key=lambda s: (s["coverage"], s["density"]))


def restricted(box: Step, full: list[tuple[float, float]], names: Sequence[str], tol: float = 1e-12) -> list[Limit]:
    """The limits a box actually restricts: [(name, low or None, high or None)]."""
    out = []
    for name, (lo, hi), (flo, fhi) in zip(names, box["limits"], full):
        out.append((name, lo if lo > flo + tol else None, hi if hi < fhi - tol else None))
    return [r for r in out if r[1] is not None or r[2] is not None]


def fmt(v: float) -> str:
    """A limit or target in three significant digits, as the sentence shows it."""
    return f"{v:.3g}"


def sentence(option: str, baseline: str, what: str, limits: Sequence[Limit], box: Optional[Step]) -> str:
    """PRIM's finding in one plain sentence (prim.json's `sentence`, printed by govsim_prim.py)."""
    if box is None:
        return (f"PRIM found no region of the uncertain parameters where {option} {what} "
                f"more often than chance: the failures are spread out.")
    parts = []
    for name, lo, hi in limits:
        if lo is not None and hi is not None:
            parts.append(f"{name} between {fmt(lo)} and {fmt(hi)}")
        elif lo is not None:
            parts.append(f"{name} > {fmt(lo)}")
        elif hi is not None:
            parts.append(f"{name} < {fmt(hi)}")
    where = " and ".join(parts) if parts else "anywhere"
    return (f"{option} {what} when {where}: {box['density']:.0%} of such samples, "
            f"covering {box['coverage']:.0%} of all such cases.")


def cases_from_explore(folder: str, option: Optional[str] = None, metric: str = "response_mean_h",
                       target: Optional[Target] = None) -> tuple[pd.DataFrame, np.ndarray, list[str], str, str, str, str]:
    """The cases PRIM sees: per sample of explore.csv, the parameter values (x) and whether the option
    does worse than the baseline or misses the target (y, 0/1); with the names it needs for its sentence."""
    meta, df = load_explore(folder)
    params = [p["path"] for p in meta["parameters"]]
    option = option or meta["options"][0]
    if option not in meta["options"]:
        raise InputError(f"--option {option}: not one of {', '.join(meta['options'])}")
    if target:
        metric, op, value = target
    d = df[(df["option"] == option) & (df["metric"] == metric)]
    if d.empty:
        raise InputError(f"no rows for option {option} and metric {metric} in explore.csv")
    g = d.groupby("sample").agg({**{p: "first" for p in params}, "difference": "mean", "option_value": "mean"})
    if target:
        y = (~OPS[op](g["option_value"], value)).astype(float).to_numpy()
        what = f"misses {metric} {op} {fmt(value)}"
    else:
        better = meta["results"][option].get(metric, {}).get("better", "lower")
        if better == "neutral":
            raise InputError(f"{metric} has no better direction: give --target")
        worse = g["difference"] > 0 if better == "lower" else g["difference"] < 0
        y = worse.astype(float).to_numpy()
        what = f"does worse than {meta['baseline']} on {metric}"
    x = g[params].apply(pd.to_numeric, errors="coerce")
    # choice parameters given as text: their index among the values seen
    for p in params:
        if x[p].isna().any():
            x[p] = pd.Categorical(g[p].astype(str)).codes
    return x, y, params, option, meta["baseline"], what, metric


def discover(folder: str, option: Optional[str] = None, metric: str = "response_mean_h",
             target: Optional[Target] = None, alpha: float = 0.05, min_support: float = 0.05,
             threshold: float = 0.8, write: bool = True) -> dict[str, Any]:
    """PRIM on an explore folder: the box (or none), its trajectory and sentence; written to DIR/prim.json."""
    x, y, params, option, baseline, what, metric = cases_from_explore(folder, option, metric, target)
    n = len(y)
    traj = prim(x.to_numpy(), y, alpha, min_support)
    base_rate = float(y.mean()) if n else float("nan")
    box = choose_box(traj, base_rate, n, threshold) if 0 < y.sum() < n else None
    full = traj[0]["limits"]
    limits = restricted(box, full, params) if box else []
    result = {
        "option": option, "baseline": baseline, "metric": metric, "condition": what, "cases": n,
        "cases_of_interest": int(y.sum()), "base_rate": base_rate, "alpha": alpha, "min_support": min_support,
        "threshold": threshold, "parameters": params,
        "box": None if box is None else {
            "limits": [{"parameter": p, "low": lo, "high": hi} for p, lo, hi in limits],
            "coverage": box["coverage"], "density": box["density"], "support": box["support"]},
        "trajectory": [{"coverage": s["coverage"], "density": s["density"], "support": s["support"]} for s in traj],
        "sentence": sentence(option, baseline, what, limits, box),
    }
    if write:
        with open(os.path.join(folder, "prim.json"), "w", encoding="utf-8") as f:
            json.dump(result, f, indent=2)
            f.write("\n")
    return result
