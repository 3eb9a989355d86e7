"""Tests of scripts/govsim_plots.py and scripts/govsim_report.py (the govsim_analysis package).

Run with:  /usr/bin/python3 -m pytest -q tests/scripts

Real results come from the govsim binary (env GOVSIM_BINARY, default
build/release/govsim) on small textbook scenarios: one `run` of M/M/1 and one
`compare` of M/M/1 against M/D/1, each made once per test session. Sweep and
sensitivity plots are tested here on small synthetic CSV files (edge cases),
and on a real sweep in test_sweep_cli.py. Every figure must be a non-empty valid PNG, the
report a self-contained HTML page, and bad input must give exit status 2 with
a one-line message instead of a traceback.
"""

import json
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPTS = os.path.join(ROOT, "scripts")
PLOTS = os.path.join(SCRIPTS, "govsim_plots.py")
REPORT = os.path.join(SCRIPTS, "govsim_report.py")
GOVSIM = os.environ.get("GOVSIM_BINARY", os.path.join(ROOT, "build", "release", "govsim"))
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
SMALL = ["--set", "simulation.horizon_h=2000", "--set", "simulation.warmup_h=100",
         "--set", "simulation.replications=3", "--set", "simulation.sample_interval_h=100"]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# A small four-tier city and a three-tier variant, for the structure drawing
# and for resident groups / tiers in the result files.
FOUR_TIER = """\
name: mini_four_tier
description: Small four-tier test city
simulation: {horizon_h: 2000, warmup_h: 100, replications: 3, seed: 3, sample_interval_h: 100}
request_types:
  repair: {deadline_h: 72}
  permit: {deadline_h: 240}
units:
  district: {kind: department, tier: district, staff: 4, resolves: {permit: {dist: exponential, mean: 2.0}}}
  subdistrict:
    kind: subdistrict_office
    tier: subdistrict
    parent: district
    count: 2
    staff: 3
    admin_hours_per_year: 2000
    resolves: {repair: {dist: exponential, mean: 1.5}}
    refers: {permit: parent}
  community: {kind: residents_committee, tier: community, parent: subdistrict, count: 4, staff: 2,
              refers: {default: parent}}
populations:
  city:
    at: community
    residents_per_unit: 50
    groups:
      young: {share: 0.6, need_rates_per_year: {repair: 4, permit: 1}}
      elderly: {share: 0.4, need_rates_per_year: {repair: 6, permit: 0.5}}
"""
THREE_TIER = """\
extends: four.yaml
name: mini_three_tier
description: Subdistrict removed from the path
units:
  community: {parent: district, staff: 3, resolves: {repair: {dist: exponential, mean: 1.5}}, refers: {permit: parent}}
  subdistrict: {count: 1}
platform: {coverage: 0.5}
"""


def run_cmd(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=300, cwd=ROOT, **kw)


def assert_png(path, min_bytes=5000):
    assert os.path.isfile(path), f"{path} was not written"
    size = os.path.getsize(path)
    assert size >= min_bytes, f"{path} is implausibly small ({size} bytes)"
    with open(path, "rb") as f:
        assert f.read(8) == PNG_SIGNATURE, f"{path} is not a PNG"


def assert_clean_error(p, *fragments):
    """Exit status 2, one line on stderr naming the problem, no traceback."""
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert "Traceback" not in p.stderr
    lines = [l for l in p.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, p.stderr
    for frag in fragments:
        assert frag in lines[0], lines[0]


@pytest.fixture(scope="session")
def binary():
    # A missing binary is a failure, not a skip: a test that silently skips proves nothing.
    assert os.access(GOVSIM, os.X_OK), f"govsim binary not found at {GOVSIM} (build it, or set GOVSIM_BINARY)"
    return GOVSIM


@pytest.fixture(scope="session")
def results(tmp_path_factory, binary):
    """One run folder and two compare folders (textbook and tiered), made once per session."""
    base = tmp_path_factory.mktemp("govsim")
    run_dir, cmp_dir, tier_dir = base / "run", base / "cmp", base / "tiers"
    p = run_cmd([binary, "run", "scenarios/textbook/mm1.yaml", *SMALL, "--out", str(run_dir), "--quiet"])
    assert p.returncode == 0, p.stderr
    p = run_cmd([binary, "compare", "scenarios/textbook/mm1.yaml", "scenarios/textbook/md1.yaml", *SMALL,
                 "--out", str(cmp_dir), "--quiet"])
    assert p.returncode == 0, p.stderr
    sc = base / "scenarios"
    sc.mkdir()
    (sc / "four.yaml").write_text(FOUR_TIER)
    (sc / "three.yaml").write_text(THREE_TIER)
    p = run_cmd([binary, "compare", str(sc / "four.yaml"), str(sc / "three.yaml"), "--out", str(tier_dir), "--quiet"])
    assert p.returncode == 0, p.stderr
    return {"run": run_dir, "cmp": cmp_dir, "tiers": tier_dir, "scenarios": sc, "base": base}


# --- run and compare plots ------------------------------------------------------------------------

RUN_PNGS = ["response_cdf.png", "service_gap.png", "backlog_by_tier.png", "trust.png"]


def test_run_plots(results, tmp_path):
    out = tmp_path / "plots"
    p = run_cmd([PYTHON, PLOTS, "run", str(results["run"]), "--out", str(out)])
    assert p.returncode == 0, p.stderr
    for name in RUN_PNGS:
        assert_png(out / name)


def test_run_plots_default_out(results):
    p = run_cmd([PYTHON, PLOTS, "run", str(results["run"])])
    assert p.returncode == 0, p.stderr
    for name in RUN_PNGS:
        assert_png(results["run"] / "plots" / name)


@pytest.mark.parametrize("which", ["cmp", "tiers"])
def test_compare_plots(results, tmp_path, which):
    out = tmp_path / "plots"
    p = run_cmd([PYTHON, PLOTS, "compare", str(results[which]), "--out", str(out)])
    assert p.returncode == 0, p.stderr
    for name in ["forest.png"] + RUN_PNGS:
        assert_png(out / name)


def test_structure_plot(results, binary, tmp_path):
    out = tmp_path / "structure.png"
    sc = results["scenarios"]
    p = run_cmd([PYTHON, PLOTS, "structure", "--govsim", binary, str(sc / "four.yaml"), str(sc / "three.yaml"),
                 "scenarios/textbook/jackson.yaml", "--out", str(out)])
    assert p.returncode == 0, p.stderr
    assert_png(out, min_bytes=10000)


def test_parse_dot():
    from govsim_analysis.plots import structure as gp

    nodes, edges = gp.parse_dot('digraph organisation {\n  rankdir=BT;\n  node [shape=box, fontsize=10];\n'
                                '  u0 [label="district\\ndepartment, staff 4", tier="district"];\n'
                                '  u1 [label="c/0\\nresidents_committee, staff 2", tier="community"];\n'
                                '  u1 -> u0 [style=solid];\n  u0 -> u1 [style=dashed];\n}\n')
    assert nodes["u0"] == {"name": "district", "kind": "department", "staff": 4, "tier": "district",
                           "label": "district\ndepartment, staff 4"}
    assert nodes["u1"]["tier"] == "community" and nodes["u1"]["staff"] == 2
    assert edges == [("u1", "u0", "solid"), ("u0", "u1", "dashed")]
    pos, rows = gp.layout_by_tier(nodes, edges)
    assert [r[0] for r in rows] == ["district", "community"]
    assert pos["u0"][1] > pos["u1"][1]  # parents above children


# --- HTML report --------------------------------------------------------------------------------------


def check_html(path):
    text = path.read_text(encoding="utf-8")
    assert "<html" in text and "</html>" in text
    assert "data:image/png;base64," in text
    assert 'id="headline"' in text
    # Self-contained: no external stylesheets, scripts or images.
    assert "<script" not in text and "<link" not in text and 'src="http' not in text
    return text


def test_report(results, tmp_path):
    out = tmp_path / "report.html"
    p = run_cmd([PYTHON, REPORT, str(results["cmp"]), "--out", str(out)])
    assert p.returncode == 0, p.stderr
    text = check_html(out)
    assert "mm1" in text and "md1" in text
    assert "Glossary" in text and "Caveats" in text and "not a forecast" in text
    assert 'name="viewport"' in text and 'id="verdict"' in text
    # Times of a few hours are shown in hours, the unit named: never "0.158 days".
    assert "mean response time" in text and " hours" in text
    assert not re.search(r"\b0\.\d+ days", text)
    # No significance stars any more: better/worse by symbol and word.
    assert " *<" not in text


def test_report_without_govsim_shows_staff_platform_and_structure(results, tmp_path):
    """Everything from the results folder: options that differ in staff and platform look different."""
    out = tmp_path / "report.html"
    p = run_cmd([PYTHON, REPORT, str(results["tiers"]), "--out", str(out)])
    assert p.returncode == 0, p.stderr
    text = check_html(out)
    assert 'alt="structures"' in text
    assert "3/6 units" in text  # platform coverage of mini_three_tier, from comparison.json
    assert 'class="differs"' in text
    assert "paid places: community" in text and "<code>units.community.staff</code>" in text
    assert "<code>platform.coverage</code>" in text
    assert "differences from the file it extends" in text
    # The residents' tier counts communities, not units.
    assert "1 communities" in text or "communities</td>" in text


def test_report_baseline_and_unknown_baseline(results, tmp_path):
    out = tmp_path / "report.html"
    p = run_cmd([PYTHON, REPORT, str(results["tiers"]), "--baseline", "mini_three_tier", "--out", str(out)])
    assert p.returncode == 0, p.stderr
    text = out.read_text(encoding="utf-8")
    assert "mini_three_tier (baseline)" in text
    assert "mini_four_tier − mini_three_tier" in text
    # The four-tier option is slower than the three-tier baseline: a worse verdict on response time.
    verdict = text[text.index('id="verdict"'):text.index('id="headline"')]
    assert "worse</span> <b>mean response time" in verdict, verdict
    bad = run_cmd([PYTHON, REPORT, str(results["tiers"]), "--baseline", "nope", "--out", str(out)])
    assert_clean_error(bad, "nope", "mini_four_tier")


def test_report_in_chinese(results, tmp_path):
    out = tmp_path / "report.zh.html"
    p = run_cmd([PYTHON, REPORT, str(results["tiers"]), "--lang", "zh", "--out", str(out)])
    assert p.returncode == 0, p.stderr
    text = check_html(out)
    assert '<html lang="zh-CN">' in text
    for word in ("结论", "平均响应时间", "小时", "术语表", "一委一会一中心", "一社多居", "居政分离", "一居两站", "社会和云",
                 "一站式", "五力共治", "街道办事处", "居委会"):
        assert word in text, word


def test_compare_baseline_and_lang(results, binary, tmp_path):
    sc = results["scenarios"]
    out = tmp_path / "cmp"
    p = run_cmd([binary, "compare", str(sc / "four.yaml"), str(sc / "three.yaml"), "--baseline", "mini_three_tier",
                 "--lang", "zh", "--set", "simulation.replications=2", "--out", str(out), "--quiet"])
    assert p.returncode == 0, p.stderr
    assert "mini_four_tier - mini_three_tier" in p.stdout and "mini_three_tier（基线）" in p.stdout, p.stdout
    assert "平均响应时间（小时）" in p.stdout
    meta = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    assert meta["baseline"] == "mini_three_tier"
    assert meta["metric_registry"]["response_median_h"]["unit"] == "hours"
    assert meta["options"][1]["extends"].endswith("four.yaml")
    bad = run_cmd([binary, "compare", str(sc / "four.yaml"), str(sc / "three.yaml"), "--baseline", "nope",
                   "--out", str(tmp_path / "bad"), "--quiet"])
    assert bad.returncode == 2 and "nope" in bad.stderr


def test_plot_labels_come_from_the_registry(results):
    from govsim_analysis.registry import Registry, axis_label
    from govsim_analysis.results import load_compare
    runs, table, meta = load_compare(str(results["tiers"]))
    reg = meta["registry"]
    assert axis_label(reg, "response_median_h", "en", "days") == "median response time (days)"
    assert axis_label(reg, "service_gap", "en", difference=True) == "service gap (percentage points)"
    assert axis_label(reg, "response_median_h", "zh") == "响应时间中位数（小时）"
    # An old folder without a registry still gets units, not raw names with "(days)".
    assert axis_label(Registry(), "response_median_h", "en", "hours") == "response median h (hours)"


# --- sweep and sensitivity (synthetic CSVs) --------------------------------------------------------------


def write_sweep(folder, two_params=True):
    """A tidy sweep.csv: 3x2 (or 3) points, 3 replications, two metrics; and a sensitivity.csv."""
    folder.mkdir(parents=True, exist_ok=True)
    p1 = "units.centre.staff"
    p2 = "platform.coverage"
    header = ["point", "replication", "metric", "scope", "key", "value", p1] + ([p2] if two_params else [])
    lines = [",".join(header)]
    point = 0
    for staff in (2, 4, 8):
        for cov in ((0.0, 0.5) if two_params else (None,)):
            for rep in range(3):
                for metric, base in (("response_mean_h", 48.0), ("service_gap", 0.2)):
                    v = base / staff * (1 - 0.5 * (cov or 0)) * (1 + 0.05 * (rep - 1))
                    row = [point, rep, metric, "all", "all", v, staff] + ([cov] if two_params else [])
                    lines.append(",".join(str(x) for x in row))
                # Rows of another scope are ignored by the plots.
                row = [point, rep, "response_mean_h", "type", "job", 1.0, staff] + ([cov] if two_params else [])
                lines.append(",".join(str(x) for x in row))
            point += 1
    (folder / "sweep.csv").write_text("\n".join(lines) + "\n")
    (folder / "sensitivity.csv").write_text(
        "metric,parameter,mu_star,sigma\n"
        f"response_mean_h,{p1},12.5,3.1\nresponse_mean_h,{p2},4.0,1.2\nresponse_mean_h,behaviour.trust,0.5,0.4\n"
        f"service_gap,{p1},0.05,0.01\nservice_gap,{p2},0.02,0.015\nservice_gap,behaviour.trust,0.08,0.03\n")


def test_sweep_two_parameters(tmp_path):
    write_sweep(tmp_path / "sweep")
    out = tmp_path / "plots"
    p = run_cmd([PYTHON, PLOTS, "sweep", str(tmp_path / "sweep"), "--out", str(out)])
    assert p.returncode == 0, p.stderr
    for name in ("sweep_lines.png", "sweep_heatmap.png", "sensitivity.png"):
        assert_png(out / name)


def test_sweep_one_parameter(tmp_path):
    write_sweep(tmp_path / "sweep", two_params=False)
    (tmp_path / "sweep" / "sensitivity.csv").unlink()
    p = run_cmd([PYTHON, PLOTS, "sweep", str(tmp_path / "sweep")])
    assert p.returncode == 0, p.stderr
    assert_png(tmp_path / "sweep" / "plots" / "sweep_lines.png")
    assert not (tmp_path / "sweep" / "plots" / "sweep_heatmap.png").exists()
    assert not (tmp_path / "sweep" / "plots" / "sensitivity.png").exists()


def test_sensitivity_only(tmp_path):
    write_sweep(tmp_path / "sweep")
    (tmp_path / "sweep" / "sweep.csv").unlink()
    p = run_cmd([PYTHON, PLOTS, "sweep", str(tmp_path / "sweep"), "--out", str(tmp_path / "plots")])
    assert p.returncode == 0, p.stderr
    assert_png(tmp_path / "plots" / "sensitivity.png")


# --- errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["run", "compare", "sweep"])
def test_missing_folder(tmp_path, command):
    missing = tmp_path / "does-not-exist"
    p = run_cmd([PYTHON, PLOTS, command, str(missing)])
    assert_clean_error(p, str(missing), "no such folder")


def test_wrong_folders(results, tmp_path):
    # A run folder is not a compare folder (and vice versa lacks nothing, so test an empty one).
    p = run_cmd([PYTHON, PLOTS, "compare", str(results["run"])])
    assert_clean_error(p, str(results["run"]), "comparison.csv")
    empty = tmp_path / "empty"
    empty.mkdir()
    p = run_cmd([PYTHON, PLOTS, "run", str(empty)])
    assert_clean_error(p, str(empty), "summary.json")
    p = run_cmd([PYTHON, PLOTS, "sweep", str(empty)])
    assert_clean_error(p, str(empty), "sweep.csv")
    p = run_cmd([PYTHON, REPORT, str(results["run"])])
    assert_clean_error(p, str(results["run"]), "comparison.json")
    p = run_cmd([PYTHON, REPORT, str(tmp_path / "nowhere")])
    assert_clean_error(p, "nowhere", "no such folder")


def test_bad_csv_columns(tmp_path):
    d = tmp_path / "sweep"
    d.mkdir()
    (d / "sweep.csv").write_text("point,value\n0,1\n")
    p = run_cmd([PYTHON, PLOTS, "sweep", str(d)])
    assert_clean_error(p, "sweep.csv", "missing column")


def test_bad_binary_and_scenario(results, binary, tmp_path):
    p = run_cmd([PYTHON, PLOTS, "structure", "--govsim", str(tmp_path / "nobin"), "scenarios/textbook/mm1.yaml",
                 "--out", str(tmp_path / "s.png")])
    assert_clean_error(p, "nobin")
    p = run_cmd([PYTHON, PLOTS, "structure", "--govsim", binary, str(tmp_path / "none.yaml"),
                 "--out", str(tmp_path / "s.png")])
    assert_clean_error(p, "none.yaml")


def test_help():
    for args in ([PLOTS, "--help"], [PLOTS, "structure", "--help"], [REPORT, "--help"]):
        p = run_cmd([PYTHON, *args])
        assert p.returncode == 0 and "usage" in p.stdout


def test_sweep_bands_clipped_and_heatmap_scale_shared(tmp_path, monkeypatch):
    """Bands never go below zero; heatmap panels in the same unit share one colour scale starting at zero;
    axes name the metric and its unit, not `response_median_h (days)`."""
    import pandas as pd

    from govsim_analysis.plots import sweep as gp
    # Large spread across replications: a naive band would reach far below zero.
    rows = []
    for point, staff in enumerate((2, 4, 8)):
        for cov in (0.0, 0.5):
            for rep, f in enumerate((0.05, 1.0, 3.0)):
                for metric, base in (("response_mean_h", 10.0), ("share_abandoned", 0.2), ("service_gap", 0.25)):
                    rows.append({"point": point * 2 + (cov > 0), "replication": rep, "metric": metric, "scope": "all",
                                 "key": "all", "value": base * f / staff, "staff": staff, "cov": cov})
    df = pd.DataFrame(rows)
    figs = []
    monkeypatch.setattr(gp, "save", lambda fig, path: figs.append(fig) or path)
    metrics = ["response_mean_h", "share_abandoned", "service_gap"]
    gp.plot_sweep_lines(df, ["staff", "cov"], str(tmp_path / "l.png"), metrics=metrics)
    for ax in figs[-1].axes:
        assert ax.get_ylim()[0] >= 0
        for c in ax.collections:
            for path in c.get_paths():
                assert path.vertices[:, 1].min() >= -1e-9, ax.get_ylabel()
        assert "_h" not in ax.get_ylabel() and "(" in ax.get_ylabel(), ax.get_ylabel()
    gp.plot_sweep_heatmap(df, ["staff", "cov"], str(tmp_path / "h.png"), metrics=metrics)
    images = [ax.images[0] for ax in figs[-1].axes if ax.images]
    clims = [im.get_clim() for im in images]
    assert clims[0][0] == 0  # hours from zero
    assert clims[1] == clims[2], clims  # the two shares share one scale
    assert clims[1][0] == 0
