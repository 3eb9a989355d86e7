"""Student-t critical values of scripts/govsim_plots.py (scipy.stats.t) against published values.

Run with:  /usr/bin/python3 -m pytest -q tests/scripts/test_stats.py

The same table as tests/sim/test_stats.cpp (TCriticalMatchesPublishedValues):
two-sided t_{(1+c)/2, df} to six decimals, as in the standard tables (NIST/SEMATECH
e-Handbook 1.3.6.7.2 to three decimals; Abramowitz & Stegun table 26.10).
"""

import math
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import govsim_plots as gp  # noqa: E402

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
