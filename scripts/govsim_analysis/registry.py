"""The metric registry and how a metric is shown.

govsim writes the registry into summary.json, comparison.json and a sweep's
manifest.json as `metric_registry`: units, labels and explanations in English
and Chinese, the better direction and the format of each metric. Folders
written before the registry get entries inferred from the metric's name.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping, Optional

HOURS_PER_DAY_SHOWN = 24.0  # a "day" in the figures and the report is a calendar day of 24 hours
LONG_TIME_H = 48.0          # times whose baseline value reaches this are shown in days, shorter ones in hours

Entry = dict[str, Any]

UNIT_WORDS = {
    "en": {"hours": "hours", "days": "days", "share": "%", "pp": "percentage points", "count": "", "per request":
           "per request", "staff-hours": "staff-hours", "yuan": "yuan", "yuan per resolved request": "yuan per request",
           "staff-hours per resolved request": "staff-hours per request", "requests per day": "per day",
           "requests": "requests", "score 0-1": "0-1", "ratio": "", "cost units per resolved request":
           "cost units per request"},
    "zh": {"hours": "小时", "days": "天", "share": "%", "pp": "个百分点", "count": "", "per request": "次/件",
           "staff-hours": "工时", "yuan": "元", "yuan per resolved request": "元/件",
           "staff-hours per resolved request": "工时/件", "requests per day": "件/日", "requests": "件",
           "score 0-1": "0-1", "ratio": "", "cost units per resolved request": "成本单位/件"},
}


def fallback_entry(name: str) -> Entry:
    """A registry entry inferred from a metric's name, for result folders written before the registry."""
    if name.endswith("_h"):
        unit, fmt, better = "hours", "time", "lower"
    elif name.startswith("share_") or name in ("service_gap", "utilisation", "diverted_share"):
        unit, fmt, better = "share", "percent", "higher" if name.startswith("share_within") else "lower"
    elif name.endswith("_per_request"):
        unit, fmt, better = "per request", "decimal", "lower"
    else:
        unit, fmt, better = "count", "decimal", "neutral"
    label = name.replace("_", " ")
    return {"unit": unit, "format": fmt, "better": better, "group": "", "scopes": "all",
            "label": {"en": label, "zh": label}, "explain": {"en": "", "zh": ""}}


class Registry:
    """The metric registry of a results folder (or inferred entries when the folder predates it)."""

    def __init__(self, entries: Optional[Mapping[str, Entry]] = None) -> None:
        self.entries: dict[str, Entry] = dict(entries or {})

    def __contains__(self, name: object) -> bool:
        return name in self.entries

    def get(self, name: str) -> Entry:
        """The entry of a metric: the registry's, else one inferred from its name."""
        return self.entries.get(name) or fallback_entry(name)

    def label(self, name: str, lang: str = "en") -> str:
        """'mean response time': the metric's label in `lang` (English when the language has none)."""
        labels = self.get(name)["label"]
        return str(labels.get(lang) or labels["en"])

    def explain(self, name: str, lang: str = "en") -> str:
        """One sentence on what the metric measures, in `lang` (English when the language has none)."""
        texts = self.get(name)["explain"]
        return str(texts.get(lang) or texts.get("en", ""))

    def better(self, name: str) -> str:
        """'lower', 'higher' or 'neutral': which way the metric improves."""
        return str(self.get(name).get("better", "neutral"))

    def verdict_metrics(self, present: Iterable[str]) -> list[str]:
        """The verdict's outcomes present in `present`, in order; a deprecated metric stands in for its
        replacement when that is absent."""
        present = set(present)
        ranked = sorted((e["verdict"], n) for n, e in self.entries.items() if e.get("verdict"))
        out: list[str] = []
        for _, n in ranked:
            if n in present:
                out.append(n)
                continue
            stand_in = [m for m, e in self.entries.items() if e.get("replaced_by") == n and m in present]
            out += stand_in[:1]
        return out

    def headline_metrics(self, present: Iterable[str]) -> list[str]:
        """Verdict outcomes, then the other scope-all outcomes with a direction (journey, gaps, trust)."""
        present = set(present)
        out = self.verdict_metrics(present)
        for n, e in self.entries.items():
            if (n in present and n not in out and e.get("better") != "neutral" and not e.get("deprecated")
                    and e.get("group") in ("time", "deadline", "gap", "process", "trust")
                    and n not in ("response_p99_h", "resolved")):
                out.append(n)
        return out


def registry_from(*documents: Any) -> Registry:
    """The registry of the first JSON document (dict) that holds one, else an inferred one."""
    for d in documents:
        if isinstance(d, dict) and isinstance(d.get("metric_registry"), dict):
            return Registry(d["metric_registry"])
    return Registry()


def time_unit_for(value_h: Any) -> str:
    """'hours' or 'days' for a time of about `value_h` hours (used for a metric's baseline value)."""
    try:
        v = abs(float(value_h))
    except (TypeError, ValueError):
        return "hours"
    return "days" if not math.isnan(v) and v >= LONG_TIME_H else "hours"


def display_value(value: Any, fmt: str, time_unit: str = "hours") -> float:
    """A raw value in its display unit: hours (or days), shares in percent, others as they are."""
    if value is None:
        return float("nan")
    try:
        v = float(value)
    except (TypeError, ValueError):
        return float("nan")
    if fmt == "time":
        return v / HOURS_PER_DAY_SHOWN if time_unit == "days" else v
    if fmt in ("percent", "share"):
        return v * 100.0
    return v


def unit_text(registry: Registry, name: str, lang: str = "en", time_unit: str = "hours",
              difference: bool = False) -> str:
    """The display unit of a metric in words ('hours', 'days', '%', 'percentage points', 'yuan', ...)."""
    e = registry.get(name)
    words = UNIT_WORDS.get(lang, UNIT_WORDS["en"])
    if e["format"] == "time":
        return words[time_unit]
    if e["format"] == "percent":
        return words["pp"] if difference else words["share"]
    return words.get(e["unit"], e["unit"])


def axis_label(registry: Registry, name: str, lang: str = "en", time_unit: str = "hours",
               difference: bool = False) -> str:
    """'median response time (days)': the registry's label with the display unit, never the raw name."""
    unit = unit_text(registry, name, lang, time_unit, difference)
    label = registry.label(name, lang)
    if not unit:
        return label
    return f"{label}（{unit}）" if lang == "zh" else f"{label} ({unit})"
