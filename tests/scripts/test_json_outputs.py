"""Every JSON file govsim writes (summary.json, comparison.json, a sweep's
plan.json and manifest.json) parses with `python3 -m json.tool` and with
Python's json, even when names hold quotes, backslashes, control characters,
Chinese text or bytes that are not UTF-8 (the loader lets those through; the
writer puts U+FFFD in their place); and `sweep --resume` says which field of
the plan differs (issue 18 item 2).

Run with:  /usr/bin/python3 -m pytest -q tests/scripts
"""

import json
import os
import subprocess

from test_plots import GOVSIM, PYTHON, ROOT, run_cmd

MM1 = os.path.join(ROOT, "scenarios", "textbook", "mm1.yaml")
# YAML double-quoted escapes: a quote, a backslash, control characters, a tab, a line break, Chinese.
HARD_NAME_YAML = r'"q\"uote \\ back\\slash \x01\x1f ctl\ttab\nline 中文名称"'
HARD_NAME = 'q"uote \\ back\\slash \x01\x1f ctl\ttab\nline 中文名称'
HARD_TIER_YAML = r'"社区 \"north\" \\ tier\x02"'
HARD_TIER = '社区 "north" \\ tier\x02'
SMALL = ["--set", "simulation.horizon_h=400", "--set", "simulation.warmup_h=0", "--replications", "2"]


def hard_scenario(folder):
    path = folder / "hard.yaml"
    path.write_text(f"""\
extends: {MM1}
name: {HARD_NAME_YAML}
simulation: {{sample_interval_h: 100}}
units:
  station:
    tier: {HARD_TIER_YAML}
""", encoding="utf-8")
    return path


def invalid_utf8_scenario(folder):
    path = folder / "bytes.yaml"
    path.write_bytes(f"extends: {MM1}\nname: ".encode() + b"bad\xff\xfe utf \xe4\xb8 end\n")
    return path


def json_files(folder):
    out = []
    for dirpath, _, names in os.walk(folder):
        out += [os.path.join(dirpath, n) for n in names if n.endswith(".json")]
    assert out, f"no JSON under {folder}"
    return sorted(out)


def load_all(folder):
    """Every JSON file under `folder`: checked by `python3 -m json.tool`, then read with json (strict UTF-8)."""
    docs = {}
    for path in json_files(folder):
        p = subprocess.run([PYTHON, "-m", "json.tool", path], capture_output=True, text=True)
        assert p.returncode == 0, f"{path}: {p.stderr}"
        with open(path, encoding="utf-8", errors="strict") as f:
            docs[os.path.relpath(path, folder)] = json.load(f)
    return docs


def test_run_and_compare_json_with_hard_names(tmp_path):
    scenario = hard_scenario(tmp_path)
    run_dir, cmp_dir = tmp_path / "run", tmp_path / "cmp"
    p = run_cmd([GOVSIM, "run", str(scenario), "--quiet", "--out", str(run_dir)] + SMALL)
    assert p.returncode == 0, p.stderr
    summary = load_all(run_dir)["summary.json"]
    assert summary["scenario"]["name"] == HARD_NAME
    assert HARD_TIER in {m["key"] for m in summary["metrics"] if m["scope"] == "tier"}
    assert summary["overrides"] == ["simulation.horizon_h=400", "simulation.warmup_h=0"]
    assert summary["metric_registry"]["response_median_h"]["label"]["zh"] == "响应时间中位数"
    # Numbers are numbers, undefined ones null (never NaN, which json.tool would accept but JSON forbids).
    assert all(m["mean"] is None or isinstance(m["mean"], (int, float)) for m in summary["metrics"])
    with open(run_dir / "summary.json", encoding="utf-8") as f:
        json.load(f, parse_constant=lambda c: (_ for _ in ()).throw(AssertionError(f"{c} in summary.json")))

    p = run_cmd([GOVSIM, "compare", MM1, str(scenario), "--quiet", "--out", str(cmp_dir)] + SMALL)
    assert p.returncode == 0, p.stderr
    docs = load_all(cmp_dir)
    assert set(docs) == {"comparison.json", "run-0/summary.json", "run-1/summary.json"}
    comparison = docs["comparison.json"]
    assert [s["name"] for s in comparison["scenarios"]] == ["mm1", HARD_NAME]
    assert comparison["baseline"] == "mm1"
    option = comparison["options"][1]
    assert option["structure"]["tiers"] == [HARD_TIER]
    assert list(option["resources"]["staff_by_tier"]) == [HARD_TIER]
    assert {"path": "units.station.tier", "value": HARD_TIER, "other": "single"} in option["differences_from_baseline"]
    assert docs["run-1/summary.json"]["scenario"]["name"] == HARD_NAME
    assert comparison["rows"] and all(r["metric"] in comparison["metric_registry"] for r in comparison["rows"])
    for row in comparison["rows"]:
        assert len(row["values"]) == 2
        for v in row["values"]:
            assert all(x is None or isinstance(x, (int, float)) for x in v.values())


def test_invalid_utf8_in_a_name_is_replaced(tmp_path):
    out = tmp_path / "run"
    p = run_cmd([GOVSIM, "run", str(invalid_utf8_scenario(tmp_path)), "--quiet", "--out", str(out)] + SMALL,
                errors="replace")  # the terminal table prints the name as it is
    assert p.returncode == 0, p.stderr
    name = load_all(out)["summary.json"]["scenario"]["name"]
    assert name == "bad\ufffd\ufffd utf \ufffd end", repr(name)


def test_sweep_json_with_hard_names_and_resume_names_the_field(tmp_path):
    scenario = hard_scenario(tmp_path)
    sweep = tmp_path / "sweep.yaml"
    text = f"""\
name: {HARD_NAME_YAML}
base: {scenario}
set: {{simulation.horizon_h: 400, simulation.warmup_h: 0}}
parameters:
  '员工 "n" \\ x': {{path: units.station.staff, values: [1, 2]}}
scopes: [all, tier]
replications: 1
"""
    sweep.write_text(text, encoding="utf-8")
    out = tmp_path / "sweep"
    p = run_cmd([GOVSIM, "sweep", str(sweep), "--quiet", "--threads", "1", "--out", str(out)])
    assert p.returncode == 0, p.stderr
    docs = load_all(out)
    assert set(docs) == {"plan.json", "manifest.json"}
    plan, manifest = docs["plan.json"], docs["manifest.json"]
    assert plan["sweep"] == manifest["sweep"]["name"] == HARD_NAME
    assert [q["name"] for q in manifest["parameters"]] == ['员工 "n" \\ x']
    assert plan["parameters"][0]["values"] == ["1", "2"]
    assert manifest["runs"] == plan["runs"] == 2 and manifest["failed_runs"] == 0

    # Resume with other values: refused, naming the field and both values, on one line.
    sweep.write_text(text.replace("values: [1, 2]", "values: [1, 3]"), encoding="utf-8")
    p = run_cmd([GOVSIM, "sweep", str(sweep), "--out", str(out), "--resume"])
    assert p.returncode == 2
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert ("the sweep file's `parameters.员工 \"n\" \\ x.values` differs from the plan in "
            f'{out / "plan.json"}: ["1", "3"] (sweep file) vs ["1", "2"] (plan)') in p.stderr, p.stderr
    sweep.write_text(text.replace("replications: 1", "replications: 2"), encoding="utf-8")
    p = run_cmd([GOVSIM, "sweep", str(sweep), "--out", str(out), "--resume"])
    assert p.returncode == 2 and "`replications` differs from the plan" in p.stderr and "2 (sweep file) vs 1 (plan)" in p.stderr, p.stderr
    # The very same sweep resumes (nothing left to run) and the manifest is written again.
    sweep.write_text(text, encoding="utf-8")
    p = run_cmd([GOVSIM, "sweep", str(sweep), "--out", str(out), "--resume", "--quiet"])
    assert p.returncode == 0, p.stderr
    assert load_all(out)["manifest.json"]["runs"] == 2
