"""Charts as SVG data URIs: matplotlib, one palette that survives greyscale printing.

Determinism matters (golden files, reproducible PDFs), so every chart uses a fixed font,
a fixed SVG hash salt and no creation date. We draw on ``matplotlib.figure.Figure``
directly instead of pyplot: no global backend or figure registry is touched, and the
SVG is written by the Agg-compatible SVG canvas whatever backend the host selected.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Sequence

import matplotlib as mpl
from matplotlib.figure import Figure

PALETTE = ("#1b3a57", "#4f7fa8", "#9dbbd6", "#d4dde6")
"""Dark to light: the lightness steps alone tell the series apart in greyscale."""
INK = "#333333"
GRID = "#c8c8c8"

RC = {
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


def trend(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    ylabel: str,
    formatter: Callable[[float], str],
) -> str | None:
    """Line chart of a metric per week/month; None with fewer than two known points."""
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(known) < 2:
        return None
    with mpl.rc_context(RC):
        fig = _figure(6.4, 2.0)
        ax = fig.add_subplot()
        xs, ys = zip(*known, strict=True)
        ax.plot(xs, ys, color=PALETTE[0], linewidth=1.6, marker="o", markersize=3.5)
        ax.fill_between(xs, ys, color=PALETTE[3], alpha=0.6, linewidth=0)
        ax.set_ylabel(ylabel)
        ax.set_ylim(bottom=0)
        ax.set_xticks(range(len(labels)), labels, rotation=0)
        ax.tick_params(axis="x", labelsize=6.5)
        ax.yaxis.set_major_formatter(lambda y, _pos: formatter(y))
        ax.grid(axis="x", visible=False)
        _thin_ticks(ax, len(labels))
        return _svg(fig)


def _thin_ticks(ax: object, count: int, most: int = 14) -> None:
    """Label every other tick when there are too many to read."""
    if count <= most:
        return
    for i, tick in enumerate(ax.get_xticklabels()):  # type: ignore[attr-defined]
        tick.set_visible(i % 2 == 0)


def practice_bars(
    names: Sequence[str], scores: Sequence[float | None], spreads: Sequence[tuple[float, float]]
) -> str | None:
    """Horizontal bars of practice-area scores with whiskers for the respondents' range."""
    if not names:
        return None
    with mpl.rc_context(RC):
        fig = _figure(6.4, 0.3 * len(names) + 0.6)
        ax = fig.add_subplot()
        ys = list(range(len(names)))[::-1]
        known = [s if s is not None else 0.0 for s in scores]
        ax.barh(ys, known, color=PALETTE[2], height=0.6, edgecolor=PALETTE[0], linewidth=0.6)
        lows = [max(0.0, s - lo) for s, (lo, _hi) in zip(known, spreads, strict=True)]
        highs = [max(0.0, hi - s) for s, (_lo, hi) in zip(known, spreads, strict=True)]
        ax.errorbar(known, ys, xerr=[lows, highs], fmt="none", ecolor=PALETTE[0], capsize=2.5)
        for y, s in zip(ys, scores, strict=True):
            ax.text(101, y, "—" if s is None else f"{s:.0f}", va="center", fontsize=7, color=INK)
        ax.set_yticks(ys, [_wrap(n) for n in names])
        ax.set_xlim(0, 108)
        ax.set_xticks([0, 20, 40, 60, 80, 100])
        ax.set_xlabel("Score 0–100 (bar: median; whiskers: range across respondents)")
        ax.grid(axis="y", visible=False)
        return _svg(fig)


def _wrap(text: str, width: int = 38) -> str:
    if len(text) <= width:
        return text
    cut = text.rfind(" ", 0, width)
    return text[: cut if cut > 0 else width] + "\n" + text[cut + 1 if cut > 0 else width :]


def discipline_overview(names: Sequence[str], scores: Sequence[float | None]) -> str | None:
    """Radar of discipline scores when there are three or more, else bars."""
    if not names:
        return None
    values = [s if s is not None else 0.0 for s in scores]
    if len(names) < 3:
        return practice_bars(names, scores, [(v, v) for v in values])
    import math

    with mpl.rc_context(RC):
        fig = _figure(3.4, 3.0)
        ax = fig.add_subplot(projection="polar")
        angles = [2 * math.pi * i / len(names) for i in range(len(names))]
        ax.plot([*angles, angles[0]], [*values, values[0]], color=PALETTE[0], linewidth=1.6)
        ax.fill([*angles, angles[0]], [*values, values[0]], color=PALETTE[2], alpha=0.7)
        ax.set_xticks(angles, list(names))
        ax.set_ylim(0, 100)
        ax.set_yticks([20, 40, 60, 80, 100], ["", "40", "", "80", ""], fontsize=6, color="#777777")
        ax.set_rlabel_position(360 / len(names) / 2)
        ax.tick_params(axis="x", pad=6)
        return _svg(fig)
