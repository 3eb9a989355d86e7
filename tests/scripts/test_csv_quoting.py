"""Every CSV govsim writes reads back with pandas, even when a scenario's
name and a tier hold a comma and a double quote (issue 13 item 7), and
SIGHUP stops a run as SIGTERM does.

Run with:  /usr/bin/python3 -m pytest -q tests/scripts
"""

import csv
import os
import signal
import subprocess
import time

import pandas as pd

from test_plots import GOVSIM, ROOT, run_cmd

MM1 = os.path.join(ROOT, "scenarios", "textbook", "mm1.yaml")
ODD_NAME = 'odd, "quoted" name'
ODD_TIER = 'street, "north"'


def odd_scenario(folder):
    path = folder / "odd.yaml"
    path.write_text(f"""\
extends: {MM1}
name: '{ODD_NAME}'
simulation: {{horizon_h: 400, warmup_h: 0, replications: 2, sample_interval_h: 100}}
units:
  station:
    tier: '{ODD_TIER}'
""")
    return path


def read_all_csv(folder):
    """Every CSV under `folder`, read by pandas with the header's column count."""
    frames = {}
    for dirpath, _, names in os.walk(folder):
        for name in names:
            if name.endswith(".csv"):
                path = os.path.join(dirpath, name)
                with open(path, newline="") as f:
                    rows = list(csv.reader(f, strict=True))
                # RFC 4180: every record has the header's number of fields.
                assert all(len(r) == len(rows[0]) for r in rows), path
                frame = pd.read_csv(path, keep_default_na=False)
                assert list(frame.columns) == rows[0], path
                assert len(frame) == len(rows) - 1, path
                frames[os.path.relpath(path, folder)] = frame
    return frames


def test_run_and_compare_outputs_read_back_with_odd_names(tmp_path):
    scenario = odd_scenario(tmp_path)
    run_dir, cmp_dir = tmp_path / "run", tmp_path / "cmp"
    p = run_cmd([GOVSIM, "run", str(scenario), "--quiet", "--out", str(run_dir)])
    assert p.returncode == 0, p.stderr
    frames = read_all_csv(run_dir)
    assert {"metrics.csv", "timeseries.csv", "distributions.csv"} <= set(frames)
    series = frames["timeseries.csv"]
    assert set(series["tier"]) == {ODD_TIER}
    assert set(series["kind"]) == {"station"}
    assert pd.to_numeric(series["utilisation"]).between(0, 1).all()
    by_tier = frames["metrics.csv"]
    assert ODD_TIER in set(by_tier[by_tier["scope"] == "tier"]["key"])

    p = run_cmd([GOVSIM, "compare", MM1, str(scenario), "--set", "simulation.horizon_h=400",
                 "--set", "simulation.warmup_h=0", "--replications", "2", "--quiet", "--out", str(cmp_dir)])
    assert p.returncode == 0, p.stderr
    frames = read_all_csv(cmp_dir)
    comparison = frames["comparison.csv"]
    assert set(comparison["scenario"]) == {"mm1", ODD_NAME}
    assert set(comparison["baseline"]) == {"mm1"}
    assert pd.to_numeric(comparison["mean"], errors="coerce").notna().any()
    assert ODD_TIER in set(frames[os.path.join("run-1", "timeseries.csv")]["tier"])


def test_sweep_outputs_read_back_with_odd_names(tmp_path):
    scenario = odd_scenario(tmp_path)
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(f"""\
name: '{ODD_NAME}'
base: {scenario}
parameters:
  'staff, "n"': {{path: units.station.staff, values: [1, 2]}}
scopes: [all, tier]
replications: 1
""")
    out = tmp_path / "sweep"
    p = run_cmd([GOVSIM, "sweep", str(sweep), "--quiet", "--threads", "1", "--out", str(out)])
    assert p.returncode == 0, p.stderr
    frames = read_all_csv(out)
    assert 'staff, "n"' in frames["sweep.csv"].columns
    assert ODD_TIER in set(frames["sweep.csv"]["key"])
    assert list(frames["design.csv"]['staff, "n"']) == [1, 2]


def test_sighup_stops_a_run_like_sigterm(tmp_path):
    out = tmp_path / "hup"
    proc = subprocess.Popen([GOVSIM, "run", os.path.join(ROOT, "scenarios", "three-tier.yaml"),
                             "--replications", "4", "--threads", "1", "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    end = time.time() + 60
    while time.time() < end and not out.exists():
        time.sleep(0.02)
    time.sleep(0.3)
    proc.send_signal(signal.SIGHUP)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGHUP, err
    assert "interrupted" in err
    assert not (out / "summary.json").exists()
