"""The ODD's input-data table of uncertain parameters is generated from the
declarations of scenarios/district-base.yaml (`govsim describe --uncertain-table`,
scripts/uncertain_table.py) and must equal what docs/ODD.md holds between its
markers (issue 14)."""

import os

from test_plots import GOVSIM, PYTHON, ROOT, run_cmd

SCRIPT = os.path.join(ROOT, "scripts", "uncertain_table.py")


def test_describe_prints_the_declarations_as_markdown():
    p = run_cmd([GOVSIM, "describe", "scenarios/district-base.yaml", "--uncertain-table"])
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0] == "| parameter | distribution and range | nominal | grade | source |"
    assert lines[1] == "|---|---|---|---|---|"
    row = [l for l in lines if l.startswith("| `handoffs.redocumentation_h`")]
    assert row and "| triangular [0.25, 0.5, 2] | 0.5 | C (assumption) |" in row[0]
    assert any("| integer [40, 60] |" in l and "B (comparable places, literature)" in l for l in lines)


def test_odd_table_equals_the_generated_one():
    env = dict(os.environ, GOVSIM_BINARY=GOVSIM)
    p = run_cmd([PYTHON, SCRIPT, "--check"], env=env)
    assert p.returncode == 0, p.stderr + p.stdout


def test_check_fails_when_the_table_differs(tmp_path):
    env = dict(os.environ, GOVSIM_BINARY=GOVSIM)
    doc = tmp_path / "odd.md"
    text = open(os.path.join(ROOT, "docs", "ODD.md"), encoding="utf-8").read()
    doc.write_text(text.replace("| `handoffs.redocumentation_h` | triangular [0.25, 0.5, 2]",
                                "| `handoffs.redocumentation_h` | triangular [0.25, 0.5, 3]"))
    assert doc.read_text() != text
    p = run_cmd([PYTHON, SCRIPT, "--check", "--doc", str(doc)], env=env)
    assert p.returncode == 1 and "run scripts/uncertain_table.py --write" in p.stderr
