"""PRIM (scripts/govsim_analysis/prim.py, behind govsim_prim.py) on synthetic data with known answers.

- a box planted in four uniform parameters (x0 < 0.3 and x1 > 0.6, with 5% of
  cases of interest scattered outside it) is recovered: its limits within
  0.05 of the truth, the other parameters left unrestricted, coverage above
  90% of the planted box's own, density above 0.8;
- in pure noise (cases of interest drawn at random, 30%) no box is reported.
"""

import numpy as np

from govsim_analysis import prim

NAMES = ["x0", "x1", "x2", "x3"]


def run(x, y):
    traj = prim.prim(x, y, alpha=0.05, min_support=0.05)
    box = prim.choose_box(traj, y.mean(), len(y), threshold=0.8)
    return traj, box


def test_recovers_a_planted_box():
    rng = np.random.default_rng(1)
    x = rng.uniform(size=(1000, 4))
    inside = (x[:, 0] < 0.3) & (x[:, 1] > 0.6)
    y = (inside | (rng.uniform(size=1000) < 0.05)).astype(float)
    traj, box = run(x, y)
    assert box is not None
    limits = {n: (lo, hi) for n, lo, hi in prim.restricted(box, traj[0]["limits"], NAMES)}
    assert set(limits) == {"x0", "x1"}, limits
    assert limits["x0"][0] is None and abs(limits["x0"][1] - 0.3) < 0.05
    assert limits["x1"][1] is None and abs(limits["x1"][0] - 0.6) < 0.05
    # coverage near the planted box's own (the scattered cases outside no box can cover)
    best = y[inside].sum() / y.sum()
    assert box["coverage"] > 0.9 * best and box["density"] > 0.8
    # the trajectory starts with everything and trades coverage for density
    assert traj[0]["coverage"] == 1.0 and traj[-1]["density"] >= traj[0]["density"]


def test_finds_nothing_in_noise():
    rng = np.random.default_rng(2)
    x = rng.uniform(size=(1000, 4))
    y = (rng.uniform(size=1000) < 0.3).astype(float)
    _, box = run(x, y)
    assert box is None
    assert "no region" in prim.sentence("reform", "baseline", "does worse", [], None)
