"""Organisational structures side by side: from comparison.json's option summaries, or from
`govsim describe SCENARIO --dot FILE` (whose first line is the same summary as JSON)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from typing import Any, Optional, Sequence

from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..errors import InputError
from ..language import tr
from .common import plt, save, scenario_style

# A structure summary as govsim writes it (comparison.json's options[].structure): tiers, groups, links.
Structure = dict[str, Any]

_DOT_NODE = re.compile(r'^\s*(\w+)\s*\[(.*)\]\s*;?\s*$')
_DOT_EDGE = re.compile(r'^\s*(\w+)\s*->\s*(\w+)\s*(?:\[(.*)\])?\s*;?\s*$')
_DOT_ATTR = re.compile(r'(\w+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s\]]+)')


def _dot_attrs(text: Optional[str]) -> dict[str, str]:
    """Attributes of a DOT attribute list as a dict (quotes removed, \\n kept as newline)."""
    attrs = {}
    for k, v in _DOT_ATTR.findall(text or ""):
        if v.startswith('"'):
            v = v[1:-1].replace('\\"', '"').replace("\\n", "\n")
        attrs[k] = v
    return attrs


def parse_dot(text: str) -> tuple[dict[str, dict[str, Any]], list[tuple[str, str, str]]]:
    """Parse govsim's DOT output: (nodes {id: {name, kind, staff, tier, label}}, edges [(src, dst, style)])."""
    nodes, edges = {}, []
    for line in text.splitlines():
        e = _DOT_EDGE.match(line)
        if e:
            if not e.group(1).startswith("legend"):
                edges.append((e.group(1), e.group(2), _dot_attrs(e.group(3)).get("style", "solid")))
            continue
        n = _DOT_NODE.match(line)
        if n and n.group(1) not in ("node", "edge", "graph") and not n.group(1).startswith("legend"):
            a = _dot_attrs(n.group(2))
            label = a.get("label", n.group(1))
            name, _, rest = label.partition("\n")
            m = re.match(r"\s*(.*?),\s*staff\s+(\d+)", rest)
            nodes[n.group(1)] = {
                "name": name,
                "kind": m.group(1) if m else rest,
                "staff": int(m.group(2)) if m else 0,
                "tier": a.get("tier", ""),
                "label": label,
            }
    return nodes, edges


def describe_scenario(govsim: str, scenario: str, extra_args: Sequence[str] = ()) -> tuple[str, str]:
    """Run `govsim describe` on a scenario: (stdout text, DOT text). InputError on failure."""
    if not (os.path.isfile(govsim) and os.access(govsim, os.X_OK)):
        raise InputError(f"{govsim}: govsim binary not found or not executable")
    if not os.path.isfile(scenario):
        raise InputError(f"{scenario}: no such scenario file")
    with tempfile.TemporaryDirectory() as tmp:
        dot = os.path.join(tmp, "org.dot")
        try:
            p = subprocess.run([govsim, "describe", scenario, *extra_args, "--dot", dot],
                               capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise InputError(f"{govsim}: cannot run describe ({e})")
        if p.returncode != 0 or not os.path.isfile(dot):
            msg = (p.stderr or p.stdout).strip().splitlines()
            raise InputError(f"{scenario}: govsim describe failed ({msg[-1] if msg else 'exit ' + str(p.returncode)})")
        with open(dot, encoding="utf-8") as f:
            return p.stdout, f.read()


def layout_by_tier(nodes: dict[str, dict[str, Any]], edges: list[tuple[str, str, str]]
                   ) -> tuple[dict[str, tuple[float, float]], list[tuple[str, list[str]]]]:
    """Positions {id: (x, y)} with one row per tier, the top tier (parents) at the top.

    The level of a unit is the number of hierarchy (solid) hops to its root;
    a tier's row is the mean level of its units. Within a row, units are
    ordered under their parents (barycentre of the parent positions).
    Returns (positions, rows) where rows is a list of (row label, [ids]).
    """
    parent = {s: d for s, d, style in edges if style == "solid"}

    def level(n: str, seen: tuple[str, ...] = ()) -> int:
        p = parent.get(n)
        return 0 if p is None or p in seen or p not in nodes else 1 + level(p, seen + (n,))

    levels = {n: level(n) for n in nodes}
    tiers: dict[str, list[str]] = {}
    for n, a in nodes.items():
        tiers.setdefault(a["tier"] or f"level {levels[n]}", []).append(n)
    order = sorted(tiers, key=lambda t: (sum(levels[n] for n in tiers[t]) / len(tiers[t]), len(tiers[t])))
    pos: dict[str, tuple[float, float]] = {}
    rows: list[tuple[str, list[str]]] = []
    for r, t in enumerate(order):
        ids = tiers[t]
        # Sort under the parents placed so far; ties keep DOT order.
        ids = sorted(ids, key=lambda n: (pos.get(parent.get(n, ""), (0.5, 0))[0], list(nodes).index(n)))
        for i, n in enumerate(ids):
            pos[n] = ((i + 0.5) / len(ids), -r)
        rows.append((t, ids))
    return pos, rows



def structure_from_dot(dot: str) -> Structure:
    """The structure summary govsim writes as the first line of its DOT output (// govsim-structure: {...})."""
    for line in dot.splitlines():
        if line.startswith("// govsim-structure:"):
            try:
                return json.loads(line.split(":", 1)[1])
            except ValueError:
                break
    raise InputError("govsim describe --dot wrote no structure summary (an older govsim binary?)")


def _structure_layout(structure: Structure) -> tuple[list[tuple[str, list[str]]], dict[str, tuple[float, float]]]:
    """Rows (tier, [groups]) from the top tier down, groups ordered under their parents; positions {group: (x, y)}."""
    groups = structure.get("groups") or []
    by_name = {g["name"]: g for g in groups}
    tiers = list(structure.get("tiers") or dict.fromkeys(g["tier"] for g in groups))
    pos: dict[str, tuple[float, float]] = {}
    rows: list[tuple[str, list[str]]] = []
    for r, tier in enumerate(tiers):
        members = [g["name"] for g in groups if g["tier"] == tier]
        members.sort(key=lambda n: (pos.get(by_name[n].get("parent") or "", (0.5, 0))[0], [g["name"] for g in groups].index(n)))
        for i, n in enumerate(members):
            pos[n] = ((i + 0.5) / max(1, len(members)), -r)
        rows.append((tier, members))
    return rows, pos


def draw_structure_summary(ax: Axes, structure: Structure, title: str, colour_index: int = 0) -> None:
    """One organisation at the level of unit groups: one row per tier, each group a box with its count and
    staff, hierarchy (solid), referral (dashed) and routing (dotted) links between groups; the home tier
    says how many communities its units make."""
    rows, pos = _structure_layout(structure)
    by_name = {g["name"]: g for g in structure.get("groups") or []}
    st = scenario_style(colour_index)
    styles = {"hierarchy": "-", "referral": "--", "routing": ":"}
    for link in structure.get("links") or []:
        a, b = link["from"], link["to"]
        if a == b or a not in pos or b not in pos or link["kind"] not in styles:
            continue
        (x0, y0), (x1, y1) = pos[a], pos[b]
        rad = 0.3 if abs(y0 - y1) < 1e-9 else 0.0
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops=dict(arrowstyle="-|>", linestyle=styles[link["kind"]], lw=0.8, color="#444444",
                                    shrinkA=16, shrinkB=16, connectionstyle=f"arc3,rad={rad}"))
    communities = int(structure.get("communities") or 0)
    for tier, members in rows:
        y = pos[members[0]][1] if members else 0
        units = sum(by_name[n]["count"] for n in members)
        staff = sum(by_name[n]["count"] * by_name[n]["staff"] for n in members)
        home = any(by_name[n].get("home") for n in members)
        where = (f", {communities} {tr('communities')}" if home and communities else "")
        ax.text(-0.03, y, f"{tier}\n{units} {tr('units')}{where}\n{tr('staff')} {staff}", ha="right", va="center",
                fontsize=7, style="italic")
        for n in members:
            g = by_name[n]
            x, yy = pos[n]
            name = n if len(n) <= 18 else n[:17] + "\u2026"
            connected = g.get("connected", 0) > 0
            ax.text(x, yy, f"{name}\n{g['kind']}\n{g['count']} x {tr('staff')} {g['staff']}", ha="center", va="center",
                    fontsize=6, bbox=dict(boxstyle="round,pad=0.3", facecolor="#dddddd" if connected else "white",
                                          edgecolor=st["color"], linewidth=1.2, hatch=st["hatch"] or None))
    ax.set_xlim(-0.05, 1.05)
    ax.set_ylim(-len(rows) + 0.4, 0.6)
    ax.axis("off")
    ax.set_title(title, fontsize=10)


def plot_structure_summaries(structures: Sequence[Structure], names: Sequence[str], path: str) -> str:
    """Organisational structures side by side from their summaries (comparison.json's options[].structure)."""
    n = len(structures)
    max_rows = max([len(_structure_layout(s)[0]) for s in structures] + [1])
    widths = [max(4.8, 1.15 * max([len(m) for _, m in _structure_layout(s)[0]] + [1])) for s in structures]
    fig, axes = plt.subplots(1, n, figsize=(sum(widths) + 1.0 * n, 1.3 + 1.2 * max_rows), squeeze=False,
                             gridspec_kw={"width_ratios": widths})
    for i, (ax, structure) in enumerate(zip(axes[0], structures)):
        title = names[i] if i < len(names) else f"scenario {i}"
        if structure.get("communities"):
            title += f" ({structure['communities']} {tr('communities')})"
        draw_structure_summary(ax, structure, title, i)
    handles = [Line2D([], [], color="#333333", linestyle="-", label=tr("hierarchy (child to parent)")),
               Line2D([], [], color="#333333", linestyle="--", label=tr("referral")),
               Line2D([], [], color="#333333", linestyle=":", label=tr("routing")),
               Patch(facecolor="#dddddd", edgecolor="#333333", label=tr("on the data platform"))]
    fig.legend(handles=handles, loc="lower center", ncol=4, frameon=False, fontsize=8)
    fig.tight_layout(rect=(0.06, 0.07, 1, 1))
    return save(fig, path)


def plot_structures(govsim: str, scenarios: Sequence[str], path: str, names: Optional[Sequence[str]] = None,
                    extra_args: Sequence[str] = ()) -> str:
    """Organisational structures of several scenario files side by side, from `govsim describe --dot`."""
    structures, titles = [], []
    for i, sc in enumerate(scenarios):
        text, dot = describe_scenario(govsim, sc, extra_args)
        structure = structure_from_dot(dot)
        if not structure.get("groups"):
            raise InputError(f"{sc}: govsim describe wrote a structure without units")
        first = text.strip().splitlines()[0].strip() if text.strip() else ""
        titles.append((names[i] if names and i < len(names) else None) or first
                      or os.path.splitext(os.path.basename(sc))[0])
        structures.append(structure)
    return plot_structure_summaries(structures, titles, path)
