"""scripts/govsim_analysis/stats.py, every statistic of the plots, the report and PRIM, on known answers.

Run with:  /usr/bin/python3 -m pytest -q tests/scripts/test_stats.py

Student-t critical values (scipy.stats.t) against the same table as
tests/sim/test_stats.cpp (TCriticalMatchesPublishedValues): two-sided
t_{(1+c)/2, df} to six decimals, as in the standard tables (NIST/SEMATECH
e-Handbook 1.3.6.7.2 to three decimals; Abramowitz & Stegun table 26.10).
Intervals against hand computations, paired differences, weighted quantiles
(the definition of `govsim calibrate`), rank correlations and PRIM's peeling
quantile and chance level on small samples worked out by hand.
"""

import math

import numpy as np
import pytest

from govsim_analysis import stats as gp

DFS = [1, 2, 5, 30, 31, 100, 10**6]
PUBLISHED = {
    0.90: [6.313752, 2.919986, 2.015048, 1.697261, 1.695519, 1.660234, 1.644855],
    0.95: [12.706205, 4.302653, 2.570582, 2.042272, 2.039513, 1.983972, 1.959966],
    0.99: [63.656741, 9.924843, 4.032143, 2.749996, 2.744042, 2.625891, 2.575834],
}


@pytest.mark.parametrize("confidence", sorted(PUBLISHED))
@pytest.mark.parametrize("i", range(len(DFS)))
def test_t_critical_published(confidence, i):
    assert gp.t_critical(DFS[i], confidence) == pytest.approx(PUBLISHED[confidence][i], abs=1e-6)


def test_t975_is_the_95_percent_value():
    for df in DFS:
        assert gp.t975(df) == gp.t_critical(df, 0.95)
    # The old table switched to an approximation after df = 30: 31 must follow 30 smoothly.
    assert 0.0025 < gp.t975(30) - gp.t975(31) < 0.0030


def test_t_critical_edges():
    assert math.isnan(gp.t_critical(0))
    for bad in (0.0, 1.0, -0.1, 1.5):
        assert math.isnan(gp.t_critical(5, bad))
    values = [gp.t_critical(df) for df in range(1, 200)]
    assert all(a > b for a, b in zip(values, values[1:]))
    assert values[-1] > 1.959963984540054


def test_mean_ci_uses_exact_quantile_and_confidence():
    data = [1.0, 2.0, 3.0, 4.0, 5.0]  # mean 3, sd sqrt(2.5), n 5, df 4
    half = math.sqrt(2.5 / 5)
    m, lo, hi = gp.mean_ci(data)
    assert m == 3.0
    assert hi - m == pytest.approx(2.776445 * half, abs=1e-6)
    m, lo, hi = gp.mean_ci(data, confidence=0.90)
    assert m - lo == pytest.approx(2.131847 * half, abs=1e-6)
    assert gp.mean_ci([7.0]) == (7.0, 7.0, 7.0)


def test_mean_ci_by_hand():
    # 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sum of squares 32, s^2 = 32/7, n 8, df 7, t_{0.975,7} = 2.364624
    m, lo, hi = gp.mean_ci([2, 4, 4, 4, 5, 5, 7, 9])
    half = 2.364624 * math.sqrt(32 / 7 / 8)  # 2.364624 * 0.755929 = 1.787488
    assert m == 5.0
    assert (lo, hi) == (pytest.approx(5 - half, abs=1e-5), pytest.approx(5 + half, abs=1e-5))
    assert hi - lo == pytest.approx(3.574976, abs=1e-5)
    # Missing values are dropped, not counted as zeros.
    assert gp.mean_ci([2, 4, 4, 4, float("nan"), 5, 5, 7, 9]) == gp.mean_ci([2, 4, 4, 4, 5, 5, 7, 9])
    assert all(math.isnan(x) for x in gp.mean_ci([]))


def test_paired_difference():
    a = [3.0, 5.5, 2.25, 8.0]
    # Identical inputs: the difference and its interval are exactly 0.
    assert gp.paired_difference(a, a) == (0.0, 0.0, 0.0)
    # A constant shift: the difference is the shift, with no width (every pair moved the same).
    assert gp.paired_difference([x + 2 for x in a], a) == (2.0, 2.0, 2.0)
    # Paired, not pooled: differences 1, 2, 3 give mean 2, sd 1, n 3, t_{0.975,2} = 4.302653.
    m, lo, hi = gp.paired_difference([11.0, 102.0, 1003.0], [10.0, 100.0, 1000.0])
    assert m == 2.0
    assert hi - m == pytest.approx(4.302653 / math.sqrt(3), abs=1e-6)
    with pytest.raises(ValueError):
        gp.paired_difference([1.0, 2.0], [1.0])


def test_excludes_zero():
    assert gp.excludes_zero(0.1, 0.4) and gp.excludes_zero(-0.4, -0.1)
    assert not gp.excludes_zero(-0.1, 0.4)
    assert not gp.excludes_zero(0.0, 0.4)  # touching 0 is not clear of it
    assert not gp.excludes_zero(2.0, 2.0)  # a zero-width interval proves nothing
    assert not gp.excludes_zero(float("nan"), 1.0)


def test_weighted_quantile():
    values, weights = [3.0, 1.0, 2.0, 4.0], [0.1, 0.2, 0.3, 0.4]
    # sorted: 1 (0.2), 2 (0.3), 3 (0.1), 4 (0.4); cumulative 0.2, 0.5, 0.6, 1.0
    assert gp.weighted_quantile(values, weights, 0.2) == 1.0
    assert gp.weighted_quantile(values, weights, 0.21) == 2.0
    assert gp.weighted_quantile(values, weights, 0.5) == 2.0
    assert gp.weighted_quantile(values, weights, 0.55) == 3.0
    assert gp.weighted_quantile(values, weights, 0.975) == 4.0
    assert gp.weighted_quantile(values, weights, 0.0) == 1.0
    # Weights need not sum to 1; equal weights give the lower empirical quantile.
    assert gp.weighted_quantile([5, 1, 3, 2, 4], [7] * 5, 0.5) == 3.0
    # Non-finite values are dropped with their weights; nothing left is NaN.
    assert gp.weighted_quantile([1.0, float("nan"), 3.0], [1.0, 100.0, 1.0], 0.6) == 3.0
    assert math.isnan(gp.weighted_quantile([float("nan")], [1.0], 0.5))
    with pytest.raises(ValueError):
        gp.weighted_quantile([1.0, 2.0], [1.0], 0.5)


def test_rank_correlation():
    x = [1.0, 2.0, 3.0, 4.0, 5.0]
    assert gp.rank_correlation(x, [v ** 3 for v in x]) == pytest.approx(1.0)  # monotone: ranks agree
    assert gp.rank_correlation(x, [-v for v in x]) == pytest.approx(-1.0)
    # ranks 1..5 against 2, 1, 4, 3, 5: sum d^2 = 4, rho = 1 - 6*4/(5*24) = 0.8
    assert gp.rank_correlation(x, [2.0, 1.0, 4.0, 3.0, 5.0]) == pytest.approx(0.8)
    assert math.isnan(gp.rank_correlation(x, [1.0] * 5))  # a constant has no ranks


def test_peel_quantile_and_chance_density():
    v = np.arange(1.0, 21.0)  # 1..20
    # 5% of 20 values from below: at or below the 0.95th value, i.e. the first one
    assert gp.peel_quantile(v, 0.05, "low") == 1.0
    assert gp.peel_quantile(v, 0.05, "high") == 20.0
    assert gp.peel_quantile(v, 0.25, "low") == 5.0    # h = 0.25 * 19 = 4.75 -> index 4 (lower)
    assert gp.peel_quantile(v, 0.25, "high") == 16.0  # h = 0.75 * 19 = 14.25 -> index 15 (higher)
    # base rate 0.3 in a box of 100 samples: 0.3 + 2 * sqrt(0.21 / 100)
    assert gp.chance_density(0.3, 100) == pytest.approx(0.3 + 2 * math.sqrt(0.0021))
    assert gp.chance_density(0.0, 10) == pytest.approx(2 * math.sqrt(1e-13))  # never exactly the base rate


def test_statistics_live_in_stats_only():
    """No module of the package but stats.py computes intervals or quantiles itself (no copied t-table,
    no second Student-t): scipy, standard deviations and quantile functions appear only there."""
    import os
    import re

    package = os.path.dirname(gp.__file__)
    pattern = re.compile(r"\bimport scipy|\bscipy\.|\.std\(|np\.quantile|\.quantile\(|spearmanr|\bt975\b|\bt_critical\b")
    offenders = []
    for folder, _, files in os.walk(package):
        for name in files:
            path = os.path.join(folder, name)
            if name.endswith(".py") and path != gp.__file__:
                with open(path, encoding="utf-8") as f:
                    offenders += [f"{path}:{i}" for i, line in enumerate(f, 1) if pattern.search(line)]
    assert not offenders, offenders
