"""`govsim calibrate` end to end through the CLI, and its plots (scripts/govsim_plots.py calibrate)."""

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from govsim_analysis.stats import weighted_quantile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLOTS = os.path.join(ROOT, "scripts", "govsim_plots.py")
GOVSIM = os.environ.get("GOVSIM_BINARY", os.path.join(ROOT, "build", "release", "govsim"))
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable

TANDEM = """\
name: tandem
simulation: {horizon_h: 1500, warmup_h: 100, replications: 1, seed: 3, sample_interval_h: 500}
handoffs:
  transfer_delay_h: 0.05
request_types:
  job: {deadline_h: 1000}
units:
  first:
    staff: 1
    resolves: {job: {dist: exponential, mean: 0.5}}
    routing: [{to: second, probability: 1.0}]
  second:
    staff: 1
    resolves: {job: {dist: exponential, mean: 0.5}}
populations:
  at1: {at: first, groups: {all: {need_rates_per_hour: {job: 1.0}}}}
uncertain:
  units.first.resolves.job.mean: {dist: uniform, low: 0.2, high: 0.7, grade: C, source: test}
  units.second.resolves.job.mean: {dist: uniform, low: 0.2, high: 0.7, grade: C, source: test}
"""

TARGETS = """\
targets:
  - {name: w, metric: response_mean_h, observed: 4.1, sd: 0.4, source: test, grade: C, applies_to: tandem}
  - {name: ratio, metric: response_mean_h, over: {metric: response_median_h}, observed: 1.3, sd: 0.2,
     source: test, grade: C, applies_to: tandem}
"""


def test_calibrate_cli_and_plots(tmp_path):
    assert os.access(GOVSIM, os.X_OK), f"govsim binary not found at {GOVSIM}"
    (tmp_path / "tandem.yaml").write_text(TANDEM)
    (tmp_path / "t.yaml").write_text(TARGETS)
    out = tmp_path / "cal"
    p = subprocess.run([GOVSIM, "calibrate", str(tmp_path / "t.yaml"), "--prior", str(tmp_path / "tandem.yaml"),
                        "--population", "20", "--generations", "2", "--predictive", "5", "--threads", "2",
                        "--out", str(out), "--quiet"], capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    meta = json.loads((out / "calibrate.json").read_text())
    assert [q["path"] for q in meta["parameters"]] == ["units.first.resolves.job.mean", "units.second.resolves.job.mean"]
    assert len(meta["generations"]) == 2 and len(meta["predictive_check"]) == 2
    header = (out / "posterior.csv").read_text().splitlines()[0]
    assert header == "particle,units.first.resolves.job.mean,units.second.resolves.job.mean,weight,distance,sim:w,sim:ratio"
    # The posterior intervals in calibrate.json are weighted quantiles of posterior.csv: the C++ and
    # govsim_analysis.stats.weighted_quantile (the calibrate plot's fallback) agree on the definition.
    post = pd.read_csv(out / "posterior.csv")
    for q in meta["parameters"]:
        for key, level in (("q025", 0.025), ("median", 0.5), ("q975", 0.975)):
            assert weighted_quantile(post[q["path"]], post["weight"], level) == pytest.approx(q[key], rel=1e-9), (q, key)
    p = subprocess.run([PYTHON, PLOTS, "calibrate", str(out)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    for name in ("calibrate_marginals.png", "calibrate_pairs.png"):
        assert (out / "plots" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_calibrate_plots_missing_folder(tmp_path):
    p = subprocess.run([PYTHON, PLOTS, "calibrate", str(tmp_path / "nothing")], capture_output=True, text=True)
    assert p.returncode == 2 and "error" in p.stderr
