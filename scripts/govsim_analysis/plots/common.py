"""What every figure shares: resolution, the fixed style of each scenario, panel grids, legends, saving.

All figures are meant to be legible in greyscale: every scenario has a fixed
style (colour, hatch, line style and marker) chosen by its index in the run
or comparison, and categories are told apart by hatching, not by colour alone.
"""

from __future__ import annotations

import math
import os
from typing import Any, Optional, Sequence

import matplotlib

matplotlib.use("Agg")  # no display: write files only
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.artist import Artist  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

DPI = 150
HOURS_PER_DAY = 24.0

# Colours differ in lightness too, so they stay apart in greyscale.
SCENARIO_COLOURS = ["#1b3a6b", "#d08a1e", "#4f8f3a", "#a3303f", "#7a5ea8", "#5fa8c9", "#6b4b2a", "#9a9a9a"]
SCENARIO_HATCHES = ["", "//", "..", "xx", "\\\\", "++", "oo", "--"]
SCENARIO_LINESTYLES: list[Any] = ["-", "--", ":", "-.", (0, (5, 1, 1, 1)), (0, (1, 3)), (0, (8, 3)),
                                  (0, (3, 1, 1, 1, 1, 1))]
SCENARIO_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]

# Service-gap components: (metric, legend label, grey fill, hatch).
GAP_COMPONENTS = [
    ("share_unreported", "never reported", "#f0f0f0", "///"),
    ("share_abandoned", "abandoned (gave up)", "#c8c8c8", "..."),
    ("share_lost", "lost in hand-off", "#969696", "xxx"),
    ("share_no_responsible_unit", "no responsible unit", "#636363", "\\\\\\"),
    ("share_unresolved", "unresolved at end", "#252525", ""),
]


def scenario_style(index: int) -> dict[str, Any]:
    """Style of the scenario at position `index` (0 = baseline) in a run or comparison."""
    i = index % len(SCENARIO_COLOURS)
    return {
        "color": SCENARIO_COLOURS[i],
        "hatch": SCENARIO_HATCHES[i],
        "linestyle": SCENARIO_LINESTYLES[i],
        "marker": SCENARIO_MARKERS[i],
    }


def save(fig: Figure, path: str) -> str:
    """Write a figure as PNG at the common resolution and close it; returns `path`."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return path


def panel_grid(n: int, max_cols: int = 3, panel: tuple[float, float] = (4.6, 3.4)) -> tuple[Figure, list[Axes]]:
    """A figure with n panels in a grid; returns (fig, flat list of the n axes)."""
    cols = min(n, max_cols)
    rows = int(math.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(panel[0] * cols, panel[1] * rows), squeeze=False)
    flat = [ax for row in axes for ax in row]
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def scenario_legend(fig: Figure, names: Optional[Sequence[str]], handles: Optional[Sequence[Artist]] = None) -> None:
    """A common legend below the panels: one entry per scenario name, or the given handles."""
    if handles is None:
        handles = [
            Line2D([], [], color=scenario_style(i)["color"], linestyle=scenario_style(i)["linestyle"],
                   marker=scenario_style(i)["marker"], label=name)
            for i, name in enumerate(names or [])
        ]
    fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 4), frameon=False,
               bbox_to_anchor=(0.5, -0.02))
    fig.tight_layout(rect=(0, 0.06 + 0.03 * ((len(handles) - 1) // 4), 1, 1))
