"""The results-folder reader (scripts/govsim_analysis/results.py): a missing or malformed file is an
InputError naming the file and what is wrong with it, and on the command lines one line on stderr with
exit status 2, never a traceback.

The folders here are small hand-written ones, so these tests need no govsim binary.
"""

import json
import os

import pytest

from govsim_analysis import results
from govsim_analysis.errors import InputError
from test_plots import PLOTS, PYTHON, REPORT, ROOT, assert_clean_error, run_cmd

PRIM = os.path.join(ROOT, "scripts", "govsim_prim.py")
FINDINGS = os.path.join(ROOT, "scripts", "findings_table.py")

METRICS = "replication,metric,scope,key,value\n0,response_mean_h,all,all,2.5\n1,response_mean_h,all,all,3.5\n"
TIMESERIES = "replication,time_h,unit,group,tier,kind,queue,mean_willingness\n0,10,u0,g,t,k,1,0.9\n"
DISTRIBUTIONS = "scope,key,quantile,response_h\nall,all,0.5,2.0\n"


def write_run(folder, **files):
    """A minimal run folder; keyword arguments replace (text) or, when None, remove a file."""
    folder.mkdir(parents=True, exist_ok=True)
    contents = {"summary.json": json.dumps({"scenario": {"name": "s"}}), "metrics.csv": METRICS,
                "timeseries.csv": TIMESERIES, "distributions.csv": DISTRIBUTIONS}
    contents.update({k.replace("_", ".", 1): v for k, v in files.items()})
    for name, text in contents.items():
        if text is not None:
            (folder / name).write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return folder


def test_a_good_run_folder_is_read(tmp_path):
    run = results.Run(str(write_run(tmp_path / "run")))
    assert run.name == "s"
    assert run.metric_mean("response_mean_h") == 3.0
    assert run.metric_mean("service_gap") != run.metric_mean("service_gap")  # absent: NaN


@pytest.mark.parametrize("files, fragments", [
    ({"summary_json": None}, ["missing summary.json", "not a govsim run folder?"]),
    ({"metrics_csv": None, "timeseries_csv": None}, ["missing metrics.csv, timeseries.csv"]),
    ({"summary_json": "{\"scenario\": "}, ["summary.json", "not valid JSON"]),
    ({"summary_json": b"\xff\xfe{}"}, ["summary.json", "not valid JSON"]),
    ({"metrics_csv": "replication,metric,scope,key\n0,x,all,all\n"}, ["metrics.csv", "missing column(s) value"]),
    ({"metrics_csv": ""}, ["metrics.csv", "cannot read CSV"]),
    ({"distributions_csv": b"scope,key,quantile,response_h\n\xff\xfe,all,0.5,\x80\n"},
     ["distributions.csv", "cannot read CSV"]),
    ({"metrics_csv": 'replication,metric,scope,key,value\n0,"x,all,all,1\n'}, ["metrics.csv", "cannot read CSV"]),
])
def test_a_malformed_run_folder_says_which_file_and_what(tmp_path, files, fragments):
    folder = write_run(tmp_path / "run", **files)
    with pytest.raises(InputError) as e:
        results.Run(str(folder))
    for f in fragments:
        assert f in str(e.value), str(e.value)
    p = run_cmd([PYTHON, PLOTS, "run", str(folder), "--out", str(tmp_path / "plots")])
    assert_clean_error(p, *fragments)
    assert not (tmp_path / "plots").exists() or not os.listdir(tmp_path / "plots")


def test_missing_and_wrong_folders(tmp_path):
    with pytest.raises(InputError, match="no such folder"):
        results.Run(str(tmp_path / "nowhere"))
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="not a folder"):
        results.Run(str(tmp_path / "file"))
    p = run_cmd([PYTHON, REPORT, str(tmp_path / "file")])
    assert_clean_error(p, "file", "not a folder")


def write_compare(folder, meta):
    write_run(folder / "run-0")
    (folder / "comparison.json").write_text(json.dumps(meta))
    (folder / "comparison.csv").write_text(",".join(results.COMPARISON_COLUMNS) + "\n")
    return folder


@pytest.mark.parametrize("meta, fragments", [
    ([], ["comparison.json", "no `scenarios` list"]),
    ({"scenarios": []}, ["comparison.json", "no `scenarios` list"]),
    ({"scenarios": [{"name": "a", "folder": "run-9"}]}, ["run-9", "no such folder"]),
])
def test_a_malformed_compare_folder(tmp_path, meta, fragments):
    folder = write_compare(tmp_path / "cmp", meta)
    with pytest.raises(InputError) as e:
        results.load_compare(str(folder))
    for f in fragments:
        assert f in str(e.value), str(e.value)
    for cmd in ([PYTHON, PLOTS, "compare", str(folder)], [PYTHON, REPORT, str(folder)]):
        assert_clean_error(run_cmd(cmd), *fragments)


def test_findings_table_of_a_folder_without_comparison(tmp_path):
    p = run_cmd([PYTHON, FINDINGS, str(tmp_path)])
    assert_clean_error(p, "comparison.csv", "no such file")


def write_explore(folder, meta):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "explore.json").write_text(json.dumps(meta))
    (folder / "explore.csv").write_text("option,sample,replication,metric,difference,option_value,p\n"
                                        "b,0,0,response_mean_h,1.0,2.0,0.5\n")
    return folder


EXPLORE = {"options": ["b"], "baseline": "a", "parameters": [{"path": "p", "grade": "C"}],
           "results": {"b": {"response_mean_h": {"better": "lower", "headline": True}}}, "samples_used": 1}


@pytest.mark.parametrize("change, fragments", [
    ({"results": None}, ["explore.json", "missing `results`"]),
    ({"options": None, "baseline": None}, ["explore.json", "missing `options`, `baseline`"]),
])
def test_a_malformed_explore_folder(tmp_path, change, fragments):
    meta = {k: v for k, v in {**EXPLORE, **change}.items() if v is not None}
    folder = write_explore(tmp_path / "e", meta)
    with pytest.raises(InputError) as e:
        results.load_explore(str(folder))
    for f in fragments:
        assert f in str(e.value), str(e.value)
    for cmd in ([PYTHON, PLOTS, "explore", str(folder)], [PYTHON, PRIM, str(folder)]):
        assert_clean_error(run_cmd(cmd), *fragments)


def test_explore_folder_that_is_a_list_and_a_csv_without_columns(tmp_path):
    folder = write_explore(tmp_path / "e", EXPLORE)
    (folder / "explore.json").write_text("[1, 2]")
    assert_clean_error(run_cmd([PYTHON, PRIM, str(folder)]), "explore.json", "not a JSON object")
    folder = write_explore(tmp_path / "f", EXPLORE)
    (folder / "explore.csv").write_text("option,sample\nb,0\n")
    assert_clean_error(run_cmd([PYTHON, PLOTS, "explore", str(folder)]), "explore.csv", "missing column(s) metric")


def test_calibrate_folder_without_weights(tmp_path):
    folder = tmp_path / "cal"
    folder.mkdir()
    (folder / "calibrate.json").write_text(json.dumps({"parameters": [{"path": "a"}]}))
    (folder / "posterior.csv").write_text("particle,a\n0,1.5\n")
    assert_clean_error(run_cmd([PYTHON, PLOTS, "calibrate", str(folder)]), "posterior.csv", "missing columns weight")


def test_a_sweep_folder_with_an_unreadable_manifest(tmp_path):
    folder = tmp_path / "sweep"
    folder.mkdir()
    (folder / "sensitivity.csv").write_text("metric,parameter,mu_star,sigma\n")
    assert_clean_error(run_cmd([PYTHON, PLOTS, "sweep", str(folder)]), "sensitivity.csv", "no rows")
    (folder / "manifest.json").write_text("{not json")
    assert_clean_error(run_cmd([PYTHON, PLOTS, "sweep", str(folder)]), "manifest.json", "not valid JSON")
