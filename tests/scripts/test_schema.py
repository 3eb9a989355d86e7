"""docs/scenario.schema.json: the JSON Schema editors use to complete and check scenario files.

- every shipped scenario and good test fixture validates;
- typical mistakes (unknown key, wrong type, probability above 1) are rejected;
- the schema and govsim's loader agree on the keys of every mapping: the
  loader's own list of valid keys (from its unknown-key message) must equal
  the schema's properties, so neither can drift from the other.
"""

import glob
import json
import os
import re

import jsonschema
import pytest
import yaml

from test_plots import GOVSIM, ROOT, run_cmd


class TextDates(yaml.SafeLoader):
    """YAML as govsim reads it: a date such as 2012-01-02 stays text (PyYAML would make it a
    datetime.date, which no JSON type matches; yaml-cpp and editors' language servers keep it a string)."""


TextDates.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load(path):
    with open(path) as f:
        return yaml.load(f, Loader=TextDates)


SCHEMA = json.load(open(os.path.join(ROOT, "docs", "scenario.schema.json")))
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)
BASE = os.path.join(ROOT, "scenarios", "three-tier.yaml")
FILES = sorted(f for f in glob.glob(os.path.join(ROOT, "scenarios", "**", "*.yaml"), recursive=True)
               if os.sep + "sweeps" + os.sep not in f and os.sep + "elements" + os.sep not in f
               and os.sep + "targets" + os.sep not in f) + sorted(glob.glob(os.path.join(ROOT, "tests", "data", "good", "*.yaml")))


def test_schema_is_a_valid_draft7_schema():
    jsonschema.Draft7Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", FILES, ids=[os.path.relpath(f, ROOT) for f in FILES])
def test_shipped_scenarios_validate(path):
    errors = sorted(VALIDATOR.iter_errors(load(path)), key=str)
    assert not errors, f"{path}: {errors[0].message} at {list(errors[0].path)}"


@pytest.mark.parametrize("doc, fragment", [
    ({"simulaton": {"horizon_h": 10}}, "simulaton"),
    ({"units": {"a": {"staff": "many"}}}, "many"),
    ({"units": {"a": {"misroute_probability": 1.5}}}, "1.5"),
    ({"units": {"a": {"resolves": {"job": {"dist": "gamma", "mean": 1}}}}}, "gamma"),
    ({"platform": {"coverage": -0.1}}, "-0.1"),
    ({"populations": {"p": {"neighbours": 3}}}, "3"),
    # Working time, capacity and contracts
    ({"calendars": {"default": {"hours": [[9, 25]]}}}, "25"),
    ({"calendars": {"default": {"hours": [[9, 17]], "dispatch_h": [24]}}}, "24"),
    ({"calendars": {"default": {"holidays": ["next monday"]}}}, "next monday"),
    ({"calendars": {"default": {"working_days": ["monday"]}}}, "monday"),
    ({"calendars": {"default": {"overrun": "later"}}}, "later"),
    ({"calendars": {"default": {"hour": [[9, 17]]}}}, "hour"),
    ({"simulation": {"start_date": "2 January 2012"}}, "2 January 2012"),
    ({"request_types": {"job": {"deadline_h": 72, "deadline_working_days": 3}}}, "3"),
    ({"request_types": {"job": {"deadline_working_days": 0}}}, "0"),
    ({"units": {"a": {"staff": 0}}}, "volunteers"),
    ({"units": {"a": {"staff": 0, "volunteers": 0}}}, "0"),
    ({"units": {"a": {"admin_burden": 0.5}}}, "admin_burden"),
    ({"units": {"a": {"resolves_share": {"job": 1.5}}}}, "1.5"),
    ({"units": {"a": {"contract": {"from": "dept", "budget": 3}}}}, "budget"),
    ({"platform": {"handoff_h": 0}}, "0"),
])
def test_schema_rejects_typical_mistakes(doc, fragment):
    errors = list(VALIDATOR.iter_errors(doc))
    assert errors, f"accepted: {doc}"
    assert any(fragment in e.message for e in errors), [e.message for e in errors]


@pytest.mark.parametrize("doc", [
    {"calendars": {"default": {"hours": [[8.5, 12], [14, 17.5]], "working_days": ["mon", "sat"],
                               "holidays": ["2012-10-01"], "makeup_days": ["2012-09-29"], "overrun": "pause",
                               "overtime_limit_h": 1, "dispatch_h": [0, 10, 15], "description": "office hours"},
                   "night": {"hours": [[0, 24]]}}},
    {"simulation": {"start_date": "2012-01-02"}},
    {"request_types": {"job": {"deadline_working_days": 3}}},
    {"request_types": {"job": {"deadline_h": None, "deadline_working_days": 3}}},  # null removes an inherited key
    {"units": {"council": {"staff": 0, "volunteers": 5, "calendar": "default"}}},
    {"units": {"office": {"admin_hours_per_year": 600, "economic_hours_per_year": 300,
                          "resolves_share": {"disputes": 0.6}}}},
    {"units": {"ngo": {"kind": "ngo", "contract": {"from": "dept_health", "oversight_share": 0.1}}}},
    {"platform": {"handoff_h": 0.5}},
])
def test_schema_accepts_the_working_time_keys(doc):
    errors = list(VALIDATOR.iter_errors(doc))
    assert not errors, [e.message for e in errors]


def loader_keys(path):
    """The keys govsim accepts at `path`, from its unknown-key message."""
    p = run_cmd([GOVSIM, "check", BASE, "--set", f"{path + '.' if path else ''}zzzzzzzzzzzz=1"])
    assert p.returncode == 2, p.stdout
    m = re.search(r"valid keys: (.*)$", p.stderr.strip())
    assert m, p.stderr
    return set(m.group(1).split(", "))


def schema_keys(*steps):
    node = SCHEMA
    for step in steps:
        node = node["properties"][step] if step != "*" else node["additionalProperties"]
        while "$ref" in node:
            node = SCHEMA["$defs"][node["$ref"].split("/")[-1]]
        if "anyOf" in node:  # a duration: the distribution mapping
            node = SCHEMA["$defs"]["distribution"]
    return set(node["properties"])


@pytest.mark.parametrize("loader_path, schema_path", [
    ("", ()),
    ("simulation", ("simulation",)),
    ("behaviour", ("behaviour",)),
    ("platform", ("platform",)),
    ("handoffs", ("handoffs",)),
    ("request_types.certificates", ("request_types", "*")),
    ("units.centre", ("units", "*")),
    ("units.council.oversight", ("units", "*", "oversight")),
    ("units.centre.resolves.certificates", ("units", "*", "resolves", "*")),
    ("populations.residents", ("populations", "*")),
    ("populations.residents.groups.elderly", ("populations", "*", "groups", "*")),
    ("calendars.default", ("calendars", "*")),
    ("units.centre.contract", ("units", "*", "contract")),
])
def test_schema_and_loader_agree_on_keys(loader_path, schema_path):
    expected = schema_keys(*schema_path) - ({"extends"} if loader_path == "" else set())
    assert loader_keys(loader_path) == expected
