"""Every statistic the plots, the report and PRIM compute, in one place.

Student-t intervals use scipy's exact quantiles (the same values as
sim::t_critical in C++, checked against published tables in
tests/scripts/test_stats.py); there is no copied table. Weighted quantiles
follow the definition of `govsim calibrate` (models/app/sweep/calibrate.cpp):
the smallest value whose cumulative weight reaches q.
"""

from __future__ import annotations

import math
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
import scipy.stats

# (mean, ci_low, ci_high)
Interval = tuple[float, float, float]

NAN = float("nan")


def t_critical(df: float, confidence: float = 0.95) -> float:
    """Two-sided Student-t critical value t_{(1+confidence)/2, df} (scipy.stats.t, exact for any df).

    NaN for df < 1 or a confidence outside (0, 1); the same values as sim::t_critical in C++.
    """
    if df < 1 or not 0 < confidence < 1:
        return NAN
    return float(scipy.stats.t.ppf((1 + confidence) / 2, df))


def t975(df: float) -> float:
    """97.5% quantile of Student's t with `df` degrees of freedom: t_critical(df, 0.95)."""
    return t_critical(df, 0.95)


def mean_ci(values: Iterable[float] | pd.Series, confidence: float = 0.95) -> Interval:
    """(mean, ci_low, ci_high) of a sample: Student-t interval (95% by default) across replications.

    Missing values are dropped; an empty sample gives NaNs, a single value a zero-width interval.
    """
    v = pd.Series(values, dtype=float).dropna()
    n = len(v)
    if n == 0:
        return NAN, NAN, NAN
    m = float(v.mean())
    if n < 2:
        return m, m, m
    h = t_critical(n - 1, confidence) * float(v.std(ddof=1)) / math.sqrt(n)
    return m, m - h, m + h


def paired_difference(option: Sequence[float] | pd.Series, baseline: Sequence[float] | pd.Series,
                      confidence: float = 0.95) -> Interval:
    """Mean and Student-t interval of option - baseline, replication by replication (common random numbers).

    The two samples are paired by position and must have the same length.
    """
    a = pd.Series(option, dtype=float).reset_index(drop=True)
    b = pd.Series(baseline, dtype=float).reset_index(drop=True)
    if len(a) != len(b):
        raise ValueError(f"paired difference of samples of different lengths ({len(a)} and {len(b)})")
    return mean_ci(a - b, confidence)


def excludes_zero(low: float, high: float) -> bool:
    """True when an interval has width and lies wholly on one side of 0: a clear difference.

    A zero-width interval proves nothing (one replication, or identical values), and NaN is never clear.
    """
    if math.isnan(low) or math.isnan(high):
        return False
    return high > low and (low > 0 or high < 0)


def weighted_quantile(values: Sequence[float] | pd.Series, weights: Sequence[float] | pd.Series,
                      q: float) -> float:
    """The smallest value whose cumulative weight reaches q of the total (non-finite values dropped).

    The definition `govsim calibrate` uses for calibrate.json's q025, median and q975, so the two agree.
    NaN for an empty sample.
    """
    v = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    if v.shape != w.shape:
        raise ValueError(f"weighted quantile of {v.size} values with {w.size} weights")
    keep = np.isfinite(v)
    v, w = v[keep], w[keep]
    if v.size == 0:
        return NAN
    order = np.lexsort((w, v))  # by value, then weight: the C++ sorts (value, weight) pairs
    v, w = v[order], w[order]
    reached = np.nonzero(np.cumsum(w) >= q * w.sum())[0]
    return float(v[reached[0]]) if reached.size else float(v[-1])


def rank_correlation(x: Sequence[float] | pd.Series, y: Sequence[float] | pd.Series) -> float:
    """Spearman's rank correlation of x and y; NaN when either is constant."""
    xs, ys = pd.Series(x, dtype=float), pd.Series(y, dtype=float)
    if xs.nunique() < 2 or ys.nunique() < 2:
        return NAN
    return float(scipy.stats.spearmanr(xs, ys).statistic)


def peel_quantile(values: np.ndarray, share: float, side: str) -> float:
    """The cut PRIM peels at: the `share` quantile from below ('low', an observed value at or below it) or
    the 1 - `share` quantile from above ('high', an observed value at or above it)."""
    if side == "low":
        return float(np.quantile(values, share, method="lower"))
    return float(np.quantile(values, 1 - share, method="higher"))


def chance_density(base_rate: float, cases: float) -> float:
    """The density a box of `cases` samples must beat to be more than chance: the base rate plus two
    standard errors of a proportion at that sample size."""
    return base_rate + 2 * math.sqrt(max(base_rate * (1 - base_rate), 1e-12) / max(cases, 1))
