"""Uncertain parameters, `govsim explore` and `govsim attribute`, through the real binary,
with known answers (issue 14; docs/uncertainty.md).

- declarations: inherited and overridden through `extends`; each bad one gives
  file:line:col, exit status 2, and nothing written;
- explore: an option identical to the baseline has effects of exactly 0 and
  P(better) = 0.5 (ties count half); one more server at every station of a
  Jackson network has P(better) = 1; byte-identical at 1 and 2 threads and
  after an interrupted, resumed run;
- attribute: elements acting on separate stations have main effects equal to
  their effects alone and no interaction; a second server and a faster
  service at one M/M/1 station interact as Erlang's formula says.
"""

import json
import math
import os
import signal
import subprocess
import time

import pytest

from test_plots import GOVSIM, ROOT, run_cmd

DATA = os.path.join(ROOT, "tests", "data", "explore")
MM1 = os.path.join(DATA, "mm1-unc.yaml")
SAME = os.path.join(DATA, "mm1-same.yaml")
JACKSON = os.path.join(DATA, "jackson-unc.yaml")
JACKSON_PLUS = os.path.join(DATA, "jackson-plus.yaml")


def explore(out, *args, scenarios=(MM1, SAME), samples=8, extra=()):
    cmd = [GOVSIM, "explore", *scenarios, "--samples", str(samples), "--out", str(out), "--quiet", *extra, *args]
    return run_cmd(cmd)


# --- declarations -----------------------------------------------------------------

def test_describe_lists_inherited_and_overridden_declarations():
    p = run_cmd([GOVSIM, "describe", os.path.join(DATA, "mm1-override.yaml")])
    assert p.returncode == 0, p.stderr
    line = [l for l in p.stdout.splitlines() if l.startswith("units.station.resolves.job.mean")]
    assert line and "uniform [0.5, 0.95]" in line[0] and " B " in line[0]
    assert "need_rates_per_hour" not in p.stdout  # removed with null
    p = run_cmd([GOVSIM, "describe", MM1])
    assert "triangular [0.5, 0.8, 0.9]" in p.stdout


BAD = {
    "unknown path": ("units.station.staf: {dist: integer, low: 1, high: 3, grade: C}", "3:3", "did you mean `staff`"),
    "reversed range": ("units.station.staff: {dist: integer, low: 3, high: 1, grade: C}", "3:54", "reversed"),
    "log-uniform at zero": ("units.station.resolves.job.mean: {dist: loguniform, low: 0, high: 1, grade: C}", "3:60", "low` > 0"),
    "negative log-uniform": ("units.station.resolves.job.mean: {dist: loguniform, low: -1, high: 1, grade: C}", "3:60", "low` > 0"),
    "unknown distribution": ("units.station.resolves.job.mean: {dist: normal, low: 0.5, high: 1, grade: C}", "3:43", "unknown distribution"),
    "unknown grade": ("units.station.resolves.job.mean: {dist: uniform, low: 0.5, high: 1, grade: D}", "3:78", "unknown grade"),
    "missing grade": ("units.station.resolves.job.mean: {dist: uniform, low: 0.5, high: 1}", "3:36", "needs `grade`"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_declaration_is_file_line_col_exit_2_nothing_written(tmp_path, case):
    decl, where, words = BAD[case]
    f = tmp_path / "bad.yaml"
    f.write_text(f"extends: {os.path.join(ROOT, 'scenarios', 'textbook', 'mm1.yaml')}\nuncertain:\n  {decl}\n")
    p = run_cmd([GOVSIM, "check", str(f)])
    assert p.returncode == 2
    assert p.stderr.startswith(f"{f}:{where}: error: "), p.stderr
    assert words in p.stderr
    out = tmp_path / "out"
    p = run_cmd([GOVSIM, "explore", str(f), str(f), "--samples", "4", "--out", str(out)])
    assert p.returncode == 2 and f"{f}:{where}: error: " in p.stderr
    assert not out.exists()


# --- explore ------------------------------------------------------------------------

def test_identical_option_has_zero_effects_and_p_better_one_half(tmp_path):
    p = explore(tmp_path / "e", "--replications", "2")
    assert p.returncode == 0, p.stderr
    j = json.loads((tmp_path / "e" / "explore.json").read_text())
    assert j["baseline"] == "mm1-unc" and j["options"] == ["mm1-same"]
    r = j["results"]["mm1-same"]["response_mean_h"]
    assert r["median"] == 0 and r["p05"] == 0 and r["p95"] == 0
    assert r["p_better"] == 0.5 and r["p_tie"] == 1.0
    assert r["var_noise"] == 0 and r["share_parameters"] is None  # 0/0: undefined
    import csv
    rows = list(csv.DictReader(open(tmp_path / "e" / "explore.csv")))
    assert len(rows) > 0 and all(float(x["difference"]) == 0 for x in rows if x["difference"])
    # the sampled values are within their declared ranges, the same for both scenarios
    means = {float(x["units.station.resolves.job.mean"]) for x in rows}
    assert len(means) == 8 and all(0.5 <= m <= 0.85 for m in means)


def test_one_more_server_everywhere_is_better_in_every_sample(tmp_path):
    p = explore(tmp_path / "e", scenarios=(JACKSON, JACKSON_PLUS), samples=8, extra=("--replications", "2"))
    assert p.returncode == 0, p.stderr
    j = json.loads((tmp_path / "e" / "explore.json").read_text())
    r = j["results"]["jackson-plus"]["response_mean_h"]
    assert r["p_better"] == 1.0 and r["p95"] < 0
    assert 0 <= r["share_parameters"] <= 1 and abs(r["share_parameters"] + r["share_noise"] - 1) < 1e-12


RESULTS = ["explore.csv", "explore.json", "design.csv", "sweep.csv", "points.csv", "failures.csv"]


def test_byte_identical_at_1_and_2_threads(tmp_path):
    for t in ("1", "2"):
        p = explore(tmp_path / t, "--threads", t, scenarios=(JACKSON, JACKSON_PLUS), samples=4)
        assert p.returncode == 0, p.stderr
    for name in RESULTS:
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes(), name


def test_interrupted_and_resumed_equals_uninterrupted(tmp_path):
    whole, part = tmp_path / "whole", tmp_path / "part"
    args = ["--samples", "16", "--design", "lhs", "--replications", "2"]
    scen = [MM1, SAME]
    slow = ["--set", "simulation.horizon_h=60000"]
    p = run_cmd([GOVSIM, "explore", *scen, *args, *slow, "--out", str(whole), "--quiet", "--threads", "2"])
    assert p.returncode == 0, p.stderr
    proc = subprocess.Popen([GOVSIM, "explore", *scen, *args, *slow, "--out", str(part), "--threads", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    runs = part / "runs"
    end = time.time() + 60
    while time.time() < end and not (runs.is_dir() and len(list(runs.glob("*.csv"))) >= 2):
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "--resume" in err and "govsim explore" in err
    assert not (part / "explore.json").exists()
    p = run_cmd([GOVSIM, "explore", *scen, *args, *slow, "--out", str(part), "--resume", "--quiet"])
    assert p.returncode == 0, p.stderr
    for name in RESULTS:
        assert (whole / name).read_bytes() == (part / name).read_bytes(), name


def test_options_must_set_the_declared_paths(tmp_path):
    p = run_cmd([GOVSIM, "explore", MM1, JACKSON, "--samples", "2", "--out", str(tmp_path / "x")])
    assert p.returncode == 2 and "uncertain" in p.stderr
    assert not (tmp_path / "x").exists()


# --- attribute ----------------------------------------------------------------------

def terms(j, metric):
    return {(t["kind"], t["term"]): t for t in j["results"][metric]}


def test_separate_stations_are_additive(tmp_path):
    p = run_cmd([GOVSIM, "attribute", os.path.join(DATA, "two-stations.yaml"), "--elements",
                 os.path.join(DATA, "separate.yaml"), "--out", str(tmp_path / "a"), "--quiet"])
    assert p.returncode == 0, p.stderr
    j = json.loads((tmp_path / "a" / "attribute.json").read_text())
    t = terms(j, "response_mean_h")
    for e in ("first", "second"):
        main, alone = t[("main", e)], t[("alone", e)]
        assert main["estimate"] < 0 and alone["estimate"] < 0
        # main effect and effect alone agree within their intervals
        assert abs(main["estimate"] - alone["estimate"]) <= max(main["ci_high"] - main["estimate"],
                                                                alone["ci_high"] - alone["estimate"])
    inter = t[("interaction", "first x second")]
    assert inter["ci_low"] <= 0 <= inter["ci_high"]
    assert abs(inter["estimate"]) < 0.05 * abs(t[("main", "first")]["estimate"])
    # Shapley shares add up to the full reform exactly
    full = t[("full", "full reform")]["estimate"]
    assert math.isclose(t[("shapley", "first")]["estimate"] + t[("shapley", "second")]["estimate"], full, rel_tol=1e-9)


def test_fractional_design_for_six_elements_on_separate_stations(tmp_path):
    """k = 6 > 5: a 2^(6-1) resolution VI fraction (F = ABCDE), plus the elements alone. Each element
    is a second server at its own station, so main effects equal the effects alone and no pair interacts."""
    out = tmp_path / "a"
    p = run_cmd([GOVSIM, "attribute", os.path.join(DATA, "six-stations.yaml"), "--elements",
                 os.path.join(DATA, "six-separate.yaml"), "--out", str(out), "--quiet"])
    assert p.returncode == 0, p.stderr
    assert "design: 2^(6-1) fractional factorial, resolution VI" in p.stdout
    assert "no Shapley shares" in p.stdout
    j = json.loads((out / "attribute.json").read_text())
    d = j["design"]
    assert d["kind"] == "fractional" and d["resolution"] == 6 and d["generators"] == ["F = ABCDE"]
    assert d["combinations"] == 32 and d["runs_per_replication"] == 32 + 6  # the elements alone are not in the fraction
    assert d["letters"]["F"] == "six" and "not estimated" in d["shapley"]
    # the fraction's rows: balanced, main-effect and two-way columns orthogonal
    rows = [c["on"] for c in j["combinations"] if c["in_design"]]
    names = j["elements"]
    x = [[1 if e in on else -1 for e in names] for on in rows]
    cols = [[r[i] for r in x] for i in range(6)] + [[r[i] * r[l] for r in x] for i in range(6) for l in range(i + 1, 6)]
    for a in range(len(cols)):
        assert sum(cols[a]) == 0
        for b in range(a + 1, len(cols)):
            assert sum(u * v for u, v in zip(cols[a], cols[b])) == 0, (a, b)
    t = terms(j, "response_mean_h")
    assert not any(kind == "shapley" for kind, _ in t)
    for e in names:
        main, alone = t[("main", e)], t[("alone", e)]
        assert main["estimate"] < 0 and alone["estimate"] < 0
        assert abs(main["estimate"] - alone["estimate"]) <= max(main["ci_high"] - main["estimate"],
                                                                alone["ci_high"] - alone["estimate"]), (e, main, alone)
    smallest = min(abs(t[("main", e)]["estimate"]) for e in names)
    inter = [v for (kind, _), v in t.items() if kind == "interaction"]
    assert len(inter) == 15
    for v in inter:
        assert abs(v["estimate"]) < 0.05 * smallest, v
    # the full reform is about the sum of the elements alone (additive by construction)
    full = t[("full", "full reform")]["estimate"]
    assert abs(full - sum(t[("alone", e)]["estimate"] for e in names)) < 0.05 * abs(full)
    # the waterfall goes through the main effects (no Shapley shares in a fraction)
    from test_plots import PLOTS, PYTHON, assert_png
    p = run_cmd([PYTHON, PLOTS, "attribute", str(out)])
    assert p.returncode == 0, p.stderr
    assert_png(out / "plots" / "attribute_waterfall.png")


def test_design_full_in_the_elements_file_runs_every_combination(tmp_path):
    el = tmp_path / "el.yaml"
    el.write_text(open(os.path.join(DATA, "six-separate.yaml")).read() + "design: full\n")
    p = run_cmd([GOVSIM, "attribute", os.path.join(DATA, "six-stations.yaml"), "--elements", str(el),
                 "--out", str(tmp_path / "a"), "--quiet", "--replications", "1",
                 "--set", "simulation.horizon_h=300", "--set", "simulation.warmup_h=10"])
    assert p.returncode == 0, p.stderr
    assert "design: 2^6 full factorial (64 combinations; Shapley shares estimated)" in p.stdout
    j = json.loads((tmp_path / "a" / "attribute.json").read_text())
    assert j["design"]["kind"] == "full" and len(j["combinations"]) == 64
    assert any(t["kind"] == "shapley" for t in j["results"]["response_mean_h"])
    bad = tmp_path / "bad.yaml"
    bad.write_text(open(os.path.join(DATA, "separate.yaml")).read() + "design: fractional\n")
    p = run_cmd([GOVSIM, "attribute", os.path.join(DATA, "two-stations.yaml"), "--elements", str(bad),
                 "--out", str(tmp_path / "b")])
    assert p.returncode == 2 and "at least 5 elements" in p.stderr and f"{bad}:" in p.stderr
    assert not (tmp_path / "b").exists()


def erlang_w(lam, mu, c):
    a = lam / mu
    rho = a / c
    top = a ** c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a ** k / math.factorial(k) for k in range(c)) + top)
    return 1 / mu + p_wait / (c * mu - lam)


def test_known_interaction_is_found(tmp_path):
    p = run_cmd([GOVSIM, "attribute", os.path.join(DATA, "mm1-short.yaml"), "--elements",
                 os.path.join(DATA, "interacting.yaml"), "--out", str(tmp_path / "a"), "--quiet"])
    assert p.returncode == 0, p.stderr
    j = json.loads((tmp_path / "a" / "attribute.json").read_text())
    t = terms(j, "response_mean_h")
    w00, w10, w01, w11 = erlang_w(0.9, 1, 1), erlang_w(0.9, 1, 2), erlang_w(0.9, 2, 1), erlang_w(0.9, 2, 2)
    theory = w11 - w10 - w01 + w00  # 8.36 h: the second lever saves far less once the first is in
    inter = t[("interaction", "server x faster")]
    assert inter["ci_low"] > 0
    assert abs(inter["estimate"] - theory) < 0.2 * theory, (inter, theory)


# --- plots and PRIM on real folders ----------------------------------------------------

def test_explore_plots_and_prim(tmp_path):
    from test_plots import PLOTS, PYTHON, assert_png
    out = tmp_path / "e"
    p = explore(out, scenarios=(JACKSON, JACKSON_PLUS), samples=16)
    assert p.returncode == 0, p.stderr
    prim = os.path.join(ROOT, "scripts", "govsim_prim.py")
    p = run_cmd([PYTHON, prim, str(out), "--target", "response_mean_h<0.3"])
    assert p.returncode == 0, p.stderr
    assert "jackson-plus" in p.stdout and (out / "prim.json").exists()
    p = run_cmd([PYTHON, PLOTS, "explore", str(out)])
    assert p.returncode == 0, p.stderr
    for name in ("explore_effects.png", "explore_tornado.png", "prim_trajectory.png"):
        assert_png(out / "plots" / name)


def test_attribute_plots(tmp_path):
    from test_plots import PLOTS, PYTHON, assert_png
    out = tmp_path / "a"
    p = run_cmd([GOVSIM, "attribute", os.path.join(DATA, "two-stations.yaml"), "--elements",
                 os.path.join(DATA, "separate.yaml"), "--out", str(out), "--quiet", "--replications", "2"])
    assert p.returncode == 0, p.stderr
    p = run_cmd([PYTHON, PLOTS, "attribute", str(out)])
    assert p.returncode == 0, p.stderr
    for name in ("attribute_waterfall.png", "attribute_interactions.png"):
        assert_png(out / "plots" / name)


def test_report_has_how_sure_section_when_explore_results_are_present(tmp_path):
    from test_plots import PYTHON
    out = tmp_path / "c"
    p = run_cmd([GOVSIM, "compare", JACKSON, JACKSON_PLUS, "--out", str(out), "--quiet", "--replications", "2"])
    assert p.returncode == 0, p.stderr
    report = os.path.join(ROOT, "scripts", "govsim_report.py")
    p = run_cmd([PYTHON, report, str(out)])
    assert p.returncode == 0, p.stderr
    assert "How sure are we?" not in (out / "report.html").read_text()
    p = explore(out / "explore", scenarios=(JACKSON, JACKSON_PLUS), samples=8)
    assert p.returncode == 0, p.stderr
    p = run_cmd([PYTHON, report, str(out)])
    assert p.returncode == 0, p.stderr
    html = (out / "report.html").read_text()
    assert "How sure are we?" in html and "plausible parameter sets" in html
