"""Reading govsim result folders: run, compare, sweep, explore, attribute and calibrate.

Every reader checks what it needs (the folder, its files, their columns) and
raises InputError naming the path and the problem; the command lines turn
that into one line on stderr and exit status 2. The metric registry comes with
the folder (registry.py); paired differences against another baseline are
recomputed here from each run's metrics.csv (stats.py does the arithmetic).
"""

from __future__ import annotations

import json
import os
from typing import Any, Iterable, Optional

import pandas as pd

from .errors import InputError
from .registry import Registry, registry_from, time_unit_for
from .stats import mean_ci, paired_difference

Json = Any

# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------


def require_dir(path: str) -> None:
    """Fail with InputError unless `path` is an existing folder."""
    if not os.path.exists(path):
        raise InputError(f"{path}: no such folder")
    if not os.path.isdir(path):
        raise InputError(f"{path}: not a folder")


def require_files(folder: str, names: Iterable[str], what: str) -> None:
    """Fail unless every file in `names` exists in `folder`; `what` says what the folder should be."""
    missing = [n for n in names if not os.path.isfile(os.path.join(folder, n))]
    if missing:
        raise InputError(f"{folder}: missing {', '.join(missing)} (not a {what} folder?)")


def read_csv(path: str, columns: Iterable[str]) -> pd.DataFrame:
    """Read a CSV file and check it has the given columns."""
    try:
        df = pd.read_csv(path)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read CSV ({str(e).splitlines()[0] if str(e) else 'empty'})")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
    return df


def read_json(path: str) -> Json:
    """Read a JSON file, turning any failure into an InputError."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file")
    except (ValueError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: not valid JSON ({e})")


def read_json_object(path: str, *keys: str) -> dict[str, Json]:
    """Read a JSON file that must hold an object with the given keys."""
    doc = read_json(path)
    if not isinstance(doc, dict):
        raise InputError(f"{path}: not a JSON object")
    missing = [k for k in keys if k not in doc]
    if missing:
        raise InputError(f"{path}: missing {', '.join(f'`{k}`' for k in missing)}")
    return doc


def _text_columns(df: pd.DataFrame, columns: Iterable[str]) -> None:
    """Key columns as text: an empty cell is '' (not NaN), so selections by key behave."""
    for col in columns:
        if col in df.columns:
            df[col] = df[col].fillna("").astype(str)


# ---------------------------------------------------------------------------
# Run and compare folders
# ---------------------------------------------------------------------------

RUN_FILES = ["summary.json", "metrics.csv", "timeseries.csv", "distributions.csv"]


class Run:
    """One run folder: summary, metrics, time series and distributions."""

    def __init__(self, folder: str, name: Optional[str] = None) -> None:
        require_dir(folder)
        require_files(folder, RUN_FILES, "govsim run")
        self.folder = folder
        self.summary: Json = read_json(os.path.join(folder, "summary.json"))
        scen = self.summary.get("scenario", {}) if isinstance(self.summary, dict) else {}
        self.name: str = name or scen.get("name") or os.path.basename(os.path.normpath(folder))
        self.metrics = read_csv(os.path.join(folder, "metrics.csv"), ["replication", "metric", "scope", "key", "value"])
        self.timeseries = read_csv(
            os.path.join(folder, "timeseries.csv"),
            ["replication", "time_h", "unit", "group", "tier", "kind", "queue", "mean_willingness"],
        )
        self.distributions = read_csv(
            os.path.join(folder, "distributions.csv"), ["scope", "key", "quantile", "response_h"]
        )
        for df in (self.metrics, self.timeseries, self.distributions):
            _text_columns(df, ("scope", "key", "tier", "unit", "group", "kind"))
        self.registry = registry_from(self.summary)

    def metric_mean(self, metric: str, scope: str = "all", key: str = "all") -> float:
        """Mean over replications of one metric (NaN when absent)."""
        m = self.metrics
        sel = m[(m.metric == metric) & (m.scope == scope) & (m.key == key)]["value"]
        return float(sel.mean()) if len(sel) else float("nan")

    def keys(self, scope: str) -> list[str]:
        """Keys of a scope in metrics.csv, in order of first appearance."""
        m = self.metrics
        return list(dict.fromkeys(m[m.scope == scope]["key"]))


def load_run(folder: str) -> list[Run]:
    """The run folder as a one-element list of Runs (for the shared plot functions)."""
    return [Run(folder)]


PAIRED_SCOPES = ("all", "type", "group", "tier", "unit_group")
COMPARISON_COLUMNS = ["metric", "scope", "key", "scenario", "baseline", "mean", "ci_low", "ci_high", "diff",
                      "diff_ci_low", "diff_ci_high"]


def paired_table(runs: list[Run], baseline: int) -> pd.DataFrame:
    """comparison.csv's table recomputed from the runs' metrics.csv against runs[baseline]: per metric,
    scope (all, type, group, tier, unit_group) and key, each scenario's mean and 95% CI and the paired
    difference (replication by replication, common random numbers) with its 95% CI."""
    cols = ["replication", "metric", "scope", "key"]
    base = runs[baseline].metrics
    base = base[base.scope.isin(PAIRED_SCOPES)][cols + ["value"]].rename(columns={"value": "base"})
    out = []
    for r in runs:
        m = r.metrics[r.metrics.scope.isin(PAIRED_SCOPES)][cols + ["value"]].merge(base, on=cols, how="inner")
        for (metric, scope, key), g in m.groupby(["metric", "scope", "key"], sort=False):
            mean, lo, hi = mean_ci(g["value"])
            d, dlo, dhi = paired_difference(g["value"], g["base"])
            out.append({"metric": metric, "scope": scope, "key": key, "scenario": r.name,
                        "baseline": runs[baseline].name, "mean": mean, "ci_low": lo, "ci_high": hi, "diff": d,
                        "diff_ci_low": dlo, "diff_ci_high": dhi, "n": len(g)})
    return pd.DataFrame(out, columns=COMPARISON_COLUMNS + ["n"])


def load_compare(folder: str, baseline: Optional[str] = None) -> tuple[list[Run], pd.DataFrame, dict[str, Json]]:
    """Runs of a compare folder (in comparison order), the comparison table and JSON.

    `baseline` (a scenario's name) recomputes the differences against that scenario; the default is the
    baseline the comparison was run with. meta["baseline_index"] and meta["registry"] are filled in.
    """
    require_dir(folder)
    require_files(folder, ["comparison.csv", "comparison.json"], "govsim compare")
    meta = read_json(os.path.join(folder, "comparison.json"))
    if not isinstance(meta, dict) or not isinstance(meta.get("scenarios"), list) or not meta["scenarios"]:
        raise InputError(f"{os.path.join(folder, 'comparison.json')}: no `scenarios` list")
    runs = []
    for i, s in enumerate(meta["scenarios"]):
        sub = os.path.join(folder, s.get("folder") or f"run-{i}")
        runs.append(Run(sub, name=s.get("name")))
    table = read_csv(os.path.join(folder, "comparison.csv"), COMPARISON_COLUMNS)
    _text_columns(table, ("scope", "key", "scenario", "baseline"))
    names = [r.name for r in runs]
    stored = meta.get("baseline") or (table["baseline"].iloc[0] if len(table) else names[0])
    wanted = baseline or stored
    if wanted not in names:
        raise InputError(f"--baseline {wanted}: not one of the compared scenarios ({', '.join(names)})")
    index = names.index(wanted)
    if wanted != stored:
        table = paired_table(runs, index)
    meta["baseline_index"] = index
    meta["registry"] = registry_from(meta, runs[0].summary)
    return runs, table, meta


def baseline_time_units(table: pd.DataFrame, registry: Registry, baseline_name: str) -> dict[str, str]:
    """Per time metric, 'hours' or 'days', chosen once from the baseline's value (scope all) and used everywhere."""
    units = {}
    t = table[(table.scope == "all") & (table.key == "all") & (table.scenario == baseline_name)]
    for _, row in t.iterrows():
        if registry.get(row["metric"])["format"] == "time":
            units[row["metric"]] = time_unit_for(row["mean"])
    return units


# ---------------------------------------------------------------------------
# Sweep folders
# ---------------------------------------------------------------------------

SWEEP_FIXED = ["point", "replication", "metric", "scope", "key", "value"]


def load_sweep(path: str) -> tuple[pd.DataFrame, list[str]]:
    """sweep.csv as a DataFrame plus the list of swept parameter columns."""
    df = read_csv(path, SWEEP_FIXED)
    params = [c for c in df.columns if c not in SWEEP_FIXED]
    if not params:
        raise InputError(f"{path}: no parameter columns besides {', '.join(SWEEP_FIXED)}")
    _text_columns(df, ("metric", "scope", "key"))
    return df, params


def load_sensitivity(path: str) -> pd.DataFrame:
    """sensitivity.csv (Morris mu*, sigma per metric and parameter), at least one row."""
    df = read_csv(path, ["metric", "parameter", "mu_star", "sigma"])
    _text_columns(df, ("metric", "parameter"))
    if df.empty:
        raise InputError(f"{path}: no rows")
    return df


def sweep_registry(folder: str) -> Registry:
    """The registry in a sweep's manifest.json, or an inferred one when the folder has no manifest."""
    manifest = os.path.join(folder, "manifest.json")
    return registry_from(read_json(manifest)) if os.path.isfile(manifest) else Registry()


# ---------------------------------------------------------------------------
# Explore, attribute and calibrate folders (docs/uncertainty.md, docs/calibration.md)
# ---------------------------------------------------------------------------


def load_explore(folder: str) -> tuple[dict[str, Json], pd.DataFrame]:
    """explore.json and explore.csv of a `govsim explore` folder."""
    require_dir(folder)
    require_files(folder, ["explore.csv", "explore.json"], "`govsim explore`")
    meta = read_json_object(os.path.join(folder, "explore.json"), "options", "baseline", "parameters", "results")
    df = read_csv(os.path.join(folder, "explore.csv"), ["option", "sample", "metric", "difference"])
    return meta, df


def load_prim(folder: str) -> Optional[dict[str, Json]]:
    """prim.json of an explore folder (written by govsim_prim.py), or None when there is none."""
    path = os.path.join(folder, "prim.json")
    if not os.path.isfile(path):
        return None
    return read_json_object(path, "trajectory", "box", "base_rate", "option", "condition")


def load_attribute(folder: str) -> dict[str, Json]:
    """attribute.json of a `govsim attribute` folder."""
    require_dir(folder)
    require_files(folder, ["attribute.json"], "`govsim attribute`")
    return read_json_object(os.path.join(folder, "attribute.json"), "elements", "combinations", "results")


def load_calibrate(folder: str) -> tuple[dict[str, Json], pd.DataFrame]:
    """calibrate.json and posterior.csv of a `govsim calibrate` folder; posterior.csv must hold a column
    per calibrated parameter and the weights."""
    require_dir(folder)
    require_files(folder, ["posterior.csv", "calibrate.json"], "`govsim calibrate`")
    meta = read_json_object(os.path.join(folder, "calibrate.json"))
    params = [p["path"] for p in meta.get("parameters", [])]
    path = os.path.join(folder, "posterior.csv")
    df = read_csv(path, [])
    missing = [c for c in params + ["weight"] if c not in df.columns]
    if missing:
        raise InputError(f"{path}: missing columns {', '.join(missing)}")
    return meta, df
