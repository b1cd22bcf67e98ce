"""Charts as SVG data URIs: matplotlib, one palette that survives greyscale printing.

Determinism matters (golden files, reproducible PDFs), so every chart uses a fixed font,
a fixed SVG hash salt and no creation date. We draw on ``matplotlib.figure.Figure``
directly instead of pyplot: no global backend or figure registry is touched, and the
SVG is written by the Agg-compatible SVG canvas whatever backend the host selected.
"""

from __future__ import annotations

import base64
import functools
import io
import math
from collections.abc import Callable
from typing import Any

import matplotlib as mpl
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

PALETTE = ("#1b3a57", "#4f7fa8", "#9dbbd6", "#d4dde6")
"""Dark to light: the lightness steps alone tell the series apart in greyscale."""
INK = "#333333"
GRID = "#c8c8c8"

RC: Any = {
    "svg.hashsalt": "opsmaturity",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.edgecolor": GRID,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": GRID,
    "grid.linewidth": 0.5,
    "axes.axisbelow": True,
}


def _svg(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight", pad_inches=0.05)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), dpi=72, layout="constrained")


@functools.lru_cache(maxsize=64)
def trend(
    labels: tuple[str, ...],
    values: tuple[float | None, ...],
    *,
    formatter: Callable[[float], str],
) -> str | None:
    """Line chart of a metric per week/month; None with fewer than two known points.

    Charts are pure functions of hashable inputs, so repeated renders reuse them.
    """
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(known) < 2:
        return None
    with mpl.rc_context(RC):
        fig = _figure(6.4, 2.0)
        ax = fig.add_subplot()
        xs, ys = zip(*known, strict=True)
        ax.plot(xs, ys, color=PALETTE[0], linewidth=1.6, marker="o", markersize=3.5)
        ax.fill_between(xs, ys, color=PALETTE[3], alpha=0.6, linewidth=0)
        ax.set_ylim(bottom=0)
        # At most 8 labels: readable, and WeasyPrint draws each SVG text with Pango
        # (about 10 ms apiece), so fewer texts also render faster.
        step = -(-len(labels) // 8)
        ax.set_xticks(range(0, len(labels), step), list(labels[::step]))
        ax.tick_params(axis="x", labelsize=7)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4, min_n_ticks=3))
        ax.yaxis.set_major_formatter(lambda y, _pos: formatter(y))
        ax.grid(axis="x", visible=False)
        return _svg(fig)


@functools.lru_cache(maxsize=16)
def discipline_overview(names: tuple[str, ...], scores: tuple[float | None, ...]) -> str | None:
    """Radar of discipline scores; None below three disciplines (a radar needs three axes).

    Practice-area bars are not drawn here but in CSS (``practices.html.j2``): WeasyPrint
    lays out SVG text letter by letter, and thirty long area names per chart cost seconds.
    """
    if len(names) < 3:
        return None
    values = [s if s is not None else 0.0 for s in scores]

    with mpl.rc_context(RC):
        fig = _figure(3.4, 3.0)
        ax: Any = fig.add_subplot(projection="polar")
        angles = [2 * math.pi * i / len(names) for i in range(len(names))]
        ax.plot([*angles, angles[0]], [*values, values[0]], color=PALETTE[0], linewidth=1.6)
        ax.fill([*angles, angles[0]], [*values, values[0]], color=PALETTE[2], alpha=0.7)
        ax.set_xticks(angles, list(names))
        ax.set_ylim(0, 100)
        ax.set_yticks([20, 40, 60, 80, 100], ["", "40", "", "80", ""], fontsize=6, color="#777777")
        ax.set_rlabel_position(360 / len(names) / 2)
        ax.tick_params(axis="x", pad=6)
        return _svg(fig)
