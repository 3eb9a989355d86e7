"""Fonts for the figures: Noto Sans CJK (Debian's fonts-noto-cjk) when labels are in Chinese."""

import matplotlib

matplotlib.use("Agg")  # no display: write files only
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK TC")


def use_cjk_font() -> bool:
    """Prefer Noto Sans CJK so Chinese labels render; Latin text is unchanged. False when no CJK font is
    installed (the figures are still written, with missing-glyph boxes)."""
    names = {f.name for f in font_manager.fontManager.ttflist}
    cjk = [n for n in CJK_FAMILIES if n in names]
    if cjk:
        plt.rcParams["font.sans-serif"] = cjk[:1] + ["DejaVu Sans"]
        plt.rcParams["font.family"] = "sans-serif"
        plt.rcParams["axes.unicode_minus"] = False
    return bool(cjk)
