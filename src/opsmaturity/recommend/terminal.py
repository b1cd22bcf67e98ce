"""``opsmaturity recommend`` in the terminal: the decision matrix, the ranking, the why.

Dimensions are rows and models columns (five columns fit a terminal; twelve would not).
"""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from .result import Recommendation
from .trend import TREND_NOTE, trend_lines

SHORT_NAMES = {
    "culture_first_devops": "Culture-\nfirst",
    "platform_engineering": "Platform",
    "sre_and_platform": "SRE +\nplatform",
    "sysops_led": "SysOps-\nled",
    "netops": "NetOps",
}


def short_name(model_id: str, name: str) -> str:
    """A column-width model name; the full name is in the ranking."""
    return SHORT_NAMES.get(model_id, name)


def render(rec: Recommendation) -> RenderableType:
    """Everything a consultant needs to explore a what-if before writing the report."""
    parts: list[RenderableType] = [
        _headline(rec),
        matrix_table(rec),
        evidence_table(rec),
        ranking_table(rec),
    ]
    parts += _section("Strongest reasons", [r.text for r in rec.evidence])
    if rec.runner_up_name:
        parts += _section(f"Why not {rec.runner_up_name}", [r.text for r in rec.why_not])
    if rec.blend:
        parts.append(Text(rec.blend, style="italic"))
    parts += _section("What would change the decision", [c.text for c in rec.what_would_change])
    if rec.trend_since:
        title = f"If the trends since {rec.trend_since} continue"
        parts += _section(title, trend_lines(rec))
        parts.append(Text(TREND_NOTE.format(since=rec.trend_since), style="dim"))
    if rec.collect:
        parts += _section("Evidence to collect", list(rec.collect))
    return Group(*parts)


def _headline(rec: Recommendation) -> Text:
    style = "bold yellow" if rec.status == "insufficient" else "bold green"
    text = Text(rec.name, style=style)
    text.append(f"\nConfidence: {rec.confidence} — {rec.confidence_reason}", style="default")
    if rec.status == "insufficient":
        text.append(f"\n{rec.summary}", style="default")
    return text


def matrix_table(rec: Recommendation) -> Table:
    """Signed, weighted amount of each dimension for each model, models in rank order."""
    table = Table(title="Decision matrix: points each dimension adds", box=box.SIMPLE_HEAD)
    table.add_column("Dimension")
    table.add_column("Weight", justify="right")
    for fit in rec.ranking:
        table.add_column(short_name(fit.model_id, fit.name), justify="right", no_wrap=True)
    for dim in rec.dimensions:
        cells = [_cell(fit.contributions.get(dim.id, 0.0)) for fit in rec.ranking]
        name = Text(dim.name, style="" if dim.coverage else "dim")
        table.add_row(name, f"×{dim.weight:g}", *cells)
    table.add_section()
    table.add_row("Fit score", "", *(Text(f"{f.fit:+.1f}", style="bold") for f in rec.ranking))
    return table


def evidence_table(rec: Recommendation) -> Table:
    """What each dimension read, and how much of its evidence was there."""
    table = Table(title="Evidence read", box=box.SIMPLE_HEAD)
    table.add_column("Dimension")
    table.add_column("Evidence", overflow="fold")
    table.add_column("Present", justify="right")
    for dim in rec.dimensions:
        style = "" if dim.coverage else "dim"
        table.add_row(dim.name, Text(dim.evidence, style=style), f"{dim.coverage:.0%}")
    return table


def _cell(points: float) -> Text:
    if abs(points) < 0.005:
        return Text("·", style="dim")
    style = "green" if points > 0 else "red"
    return Text(f"{points:+.1f}", style=style)


def ranking_table(rec: Recommendation) -> Table:
    table = Table(title="Ranking", box=box.SIMPLE_HEAD)
    table.add_column("#", justify="right")
    table.add_column("Operating model")
    table.add_column("Fit", justify="right")
    for fit in rec.ranking:
        table.add_row(str(fit.rank), fit.name, f"{fit.fit:+.1f}")
    return table


def _section(title: str, lines: list[str]) -> list[RenderableType]:
    if not lines:
        return []
    body = Text(f"{title}:", style="bold")
    for line in lines:
        body.append(f"\n  • {line}", style="default")
    return [body]
