"""The `govsim sweep` command and signal handling, through the real binary.

Run with:  /usr/bin/python3 -m pytest -q tests/scripts

- a sweep stopped by SIGINT keeps its finished runs, exits 130 and says how to
  resume; the resumed sweep's files equal those of an uninterrupted sweep;
- SIGTERM during `govsim run` exits 143 and leaves no result files;
- a real sweep's folder is plotted by scripts/govsim_plots.py (lines, heatmap,
  and the Morris sensitivity chart).
"""

import os
import signal
import subprocess
import time

import pytest

from test_plots import GOVSIM, PLOTS, PYTHON, ROOT, assert_png, run_cmd

MM1 = os.path.join(ROOT, "scenarios", "textbook", "mm1.yaml")
THREE_TIER = os.path.join(ROOT, "scenarios", "three-tier.yaml")
RESULT_FILES = ["design.csv", "sweep.csv", "points.csv", "failures.csv", "sensitivity.csv"]


def write_sweep(folder, horizon_h=20000, trajectories=6):
    """A Morris sweep of M/M/1 whose runs take a noticeable time each."""
    path = folder / "sweep.yaml"
    path.write_text(f"""\
name: signal-test
base: {MM1}
set: {{simulation.horizon_h: {horizon_h}, simulation.warmup_h: 500, simulation.sample_interval_h: {horizon_h}}}
parameters:
  service_mean: {{path: units.station.resolves.job.mean, low: 0.4, high: 0.9}}
  staff: {{path: units.station.staff, low: 1, high: 3, integer: true}}
design: {{kind: morris, trajectories: {trajectories}, levels: 4, seed: 2}}
replications: 2
seed: 5
""")
    return path


def wait_for(predicate, timeout=60.0):
    end = time.time() + timeout
    while time.time() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_sigint_keeps_finished_runs_and_resume_equals_uninterrupted(tmp_path):
    sweep = write_sweep(tmp_path, horizon_h=200000)
    whole, part = tmp_path / "whole", tmp_path / "part"
    p = run_cmd([GOVSIM, "sweep", str(sweep), "--out", str(whole), "--threads", "2", "--quiet"])
    assert p.returncode == 0, p.stderr
    runs = part / "runs"
    proc = subprocess.Popen([GOVSIM, "sweep", str(sweep), "--out", str(part), "--threads", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Interrupt once some runs are recorded but not all (36 runs in all).
    assert wait_for(lambda: runs.is_dir() and len(list(runs.glob("*.csv"))) >= 2), "no run finished"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    kept = len(list(runs.glob("*.csv")))
    assert 2 <= kept < 36, f"{kept} records after the interruption"
    assert "--resume" in err and str(part) in err
    assert not (part / "sweep.csv").exists() and not (part / "manifest.json").exists()
    assert not list(runs.glob("*.partial-*")), "a half-written record was left"
    p = run_cmd([GOVSIM, "sweep", str(sweep), "--out", str(part), "--resume", "--quiet"])
    assert p.returncode == 0, p.stderr
    for name in RESULT_FILES:
        assert (whole / name).read_bytes() == (part / name).read_bytes(), name


def test_sigterm_during_run_leaves_no_results(tmp_path):
    out = tmp_path / "run"
    proc = subprocess.Popen([GOVSIM, "run", THREE_TIER, "--out", str(out), "--threads", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # The first replication reports progress when it ends: stop before that.
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err
    assert "interrupted" in err
    assert not out.exists() or not any(out.iterdir()), list(out.iterdir())


def test_resume_of_a_different_sweep_is_refused(tmp_path):
    sweep = write_sweep(tmp_path, horizon_h=2000, trajectories=2)
    out = tmp_path / "s"
    assert run_cmd([GOVSIM, "sweep", str(sweep), "--out", str(out), "--quiet"]).returncode == 0
    sweep.write_text(sweep.read_text().replace("seed: 2", "seed: 3"))
    p = run_cmd([GOVSIM, "sweep", str(sweep), "--out", str(out), "--resume"])
    assert p.returncode == 2
    assert "different sweep" in p.stderr and len(p.stderr.strip().splitlines()) == 1
    p = run_cmd([GOVSIM, "sweep", str(sweep), "--out", str(out)])
    assert p.returncode == 2 and "--force" in p.stderr
    p = run_cmd([GOVSIM, "sweep", str(sweep), "--resume"])
    assert p.returncode == 2 and "--out" in p.stderr


def test_bad_sweep_file_exits_2_with_position(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"base: {MM1}\nparameters:\n  m: {{path: units.station.staff, values: [1, 2]}}\nreplicatons: 2\n")
    p = run_cmd([GOVSIM, "sweep", str(bad), "--out", str(tmp_path / "o")])
    assert p.returncode == 2
    assert f"{bad}:4:1: error: unknown key `replicatons`" in p.stderr
    assert "did you mean `replications`" in p.stderr
    assert not (tmp_path / "o").exists()


def test_dry_run_prints_the_design_and_writes_nothing(tmp_path):
    sweep = write_sweep(tmp_path, trajectories=3)
    p = run_cmd([GOVSIM, "sweep", str(sweep), "--dry-run", "--out", str(tmp_path / "o")])
    assert p.returncode == 0, p.stderr
    assert "morris design, 9 points x 2 replications = 18 runs" in p.stdout
    assert len([l for l in p.stdout.splitlines() if l.strip()[:1].isdigit()]) == 9
    assert not (tmp_path / "o").exists()


def test_real_sweep_is_plotted(tmp_path):
    sweep = write_sweep(tmp_path, horizon_h=3000, trajectories=3)
    out = tmp_path / "s"
    p = run_cmd([GOVSIM, "sweep", str(sweep), "--out", str(out), "--quiet"])
    assert p.returncode == 0, p.stderr
    p = run_cmd([PYTHON, PLOTS, "sweep", str(out)])
    assert p.returncode == 0, p.stderr
    for name in ("sweep_lines.png", "sweep_heatmap.png", "sensitivity.png"):
        assert_png(out / "plots" / name)
