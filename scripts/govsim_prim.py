#!/usr/bin/env python3
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
prints the sentence. numpy and pandas only.
"""

import argparse
import json
import math
import operator
import os
import re
import sys

import numpy as np
import pandas as pd


class InputError(Exception):
    pass


OPS = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt}


def parse_target(text):
    m = re.fullmatch(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|<|>)\s*([-+0-9.eE]+)\s*", text or "")
    if not m:
        raise InputError(f"--target `{text}`: write METRIC<VALUE, e.g. response_p90_h<120")
    return m.group(1), m.group(2), float(m.group(3))


def prim(x, y, alpha=0.05, min_support=0.05):
    """Peeling trajectory of PRIM on a numeric matrix x (n x k) and 0/1 outcomes y.

    Returns a list of steps, each {limits: [(low, high)] per column, coverage, density, support}.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n, k = x.shape
    total = y.sum()
    inside = np.ones(n, dtype=bool)
    limits = [(float(x[:, i].min()), float(x[:, i].max())) for i in range(k)]

    def step(inside, limits):
        m = inside.sum()
        return {"limits": list(limits), "support": float(m / n),
                "density": float(y[inside].mean()) if m else float("nan"),
                "coverage": float(y[inside].sum() / total) if total else float("nan")}

    trajectory = [step(inside, limits)]
    while inside.sum() / n > min_support:
        best = None
        for i in range(k):
            xi = x[inside, i]
            if np.all(xi == xi[0]):
                continue
            for side in ("low", "high"):
                q = np.quantile(xi, alpha if side == "low" else 1 - alpha, method="lower" if side == "low" else "higher")
                keep = inside & ((x[:, i] > q) if side == "low" else (x[:, i] < q))
                if keep.sum() == inside.sum() or keep.sum() == 0:
                    # discrete values: peel the extreme value itself
                    continue
                d = y[keep].mean()
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


def choose_box(trajectory, base_rate, n, threshold=0.8):
    """The box of highest coverage with density >= threshold and clearly above chance; None if none."""
    ok = []
    for s in trajectory[1:]:
        m = s["support"] * n
        chance = base_rate + 2 * math.sqrt(max(base_rate * (1 - base_rate), 1e-12) / max(m, 1))
        if s["density"] >= threshold and s["density"] > chance:
            ok.append(s)
    if not ok:
        return None
    return max(ok, key=lambda s: (s["coverage"], s["density"]))


def restricted(box, full, names, tol=1e-12):
    """The limits a box actually restricts: [(name, low or None, high or None)]."""
    out = []
    for name, (lo, hi), (flo, fhi) in zip(names, box["limits"], full):
        out.append((name, lo if lo > flo + tol else None, hi if hi < fhi - tol else None))
    return [r for r in out if r[1] is not None or r[2] is not None]


def fmt(v):
    return f"{v:.3g}"


def sentence(option, baseline, what, limits, box):
    if box is None:
        return (f"PRIM found no region of the uncertain parameters where {option} {what} "
                f"more often than chance: the failures are spread out.")
    parts = []
    for name, lo, hi in limits:
        if lo is not None and hi is not None:
            parts.append(f"{name} between {fmt(lo)} and {fmt(hi)}")
        elif lo is not None:
            parts.append(f"{name} > {fmt(lo)}")
        else:
            parts.append(f"{name} < {fmt(hi)}")
    where = " and ".join(parts) if parts else "anywhere"
    return (f"{option} {what} when {where}: {box['density']:.0%} of such samples, "
            f"covering {box['coverage']:.0%} of all such cases.")


def cases_from_explore(folder, option=None, metric="response_mean_h", target=None):
    path = os.path.join(folder, "explore.csv")
    if not os.path.isfile(path):
        raise InputError(f"{folder}: no explore.csv (not a `govsim explore` folder?)")
    meta = json.load(open(os.path.join(folder, "explore.json"), encoding="utf-8"))
    df = pd.read_csv(path)
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


def discover(folder, option=None, metric="response_mean_h", target=None, alpha=0.05, min_support=0.05,
             threshold=0.8, write=True):
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


def main(argv=None):
    p = argparse.ArgumentParser(prog="govsim_prim.py", description=__doc__.split("\n\n")[0])
    p.add_argument("dir", metavar="DIR", help="folder written by `govsim explore --out DIR`")
    p.add_argument("--option", help="which option (default: the first)")
    p.add_argument("--metric", default="response_mean_h", help="outcome (default response_mean_h)")
    p.add_argument("--target", help='a target the option must meet, e.g. "response_p90_h<120" (hours)')
    p.add_argument("--alpha", type=float, default=0.05, help="share peeled per step (default 0.05)")
    p.add_argument("--min-support", type=float, default=0.05, help="smallest box, as a share of samples (0.05)")
    p.add_argument("--threshold", type=float, default=0.8, help="density a reported box must reach (0.8)")
    a = p.parse_args(argv)
    try:
        r = discover(a.dir, a.option, a.metric, parse_target(a.target) if a.target else None, a.alpha,
                     a.min_support, a.threshold)
    except (InputError, OSError, KeyError, ValueError) as e:
        print(f"govsim_prim.py: error: {e}", file=sys.stderr)
        return 2
    print(r["sentence"])
    print(f"written: {os.path.join(a.dir, 'prim.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
