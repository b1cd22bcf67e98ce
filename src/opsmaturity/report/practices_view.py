"""The practices section of the context: disciplines, areas, spread, mismatches."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import charts
from . import format as fmt
from .context import AreaView, Delta, DisciplineView, Mismatch, Practices

Json = Mapping[str, Any]


def build_practices(data: Json) -> Practices | None:
    """None without survey answers: the report then says so instead of showing zeros."""
    assessment = data.get("assessment")
    if not assessment:
        return None
    deltas = (data.get("deltas") or {}).get("disciplines") or {}
    disciplines = [_discipline(d, deltas.get(d.get("id"))) for d in assessment.get("disciplines") or []]
    return Practices(
        respondents=assessment.get("respondents"),
        disciplines=disciplines,
        overview_chart=charts.discipline_overview(
            [d.name for d in disciplines], [d.score for d in disciplines]
        ),
        strongest=[_ranked(p) for p in assessment.get("strongest") or []],
        weakest=[_ranked(p) for p in assessment.get("weakest") or []],
        disagreements=[
            f"{d.name}: {a.name} (range {a.spread})"
            for d in disciplines
            for a in d.areas
            if a.disagreement
        ],
        mismatches=[_mismatch(m, data) for m in data.get("mismatches") or []],
    )


def _spread(spread: Any) -> str:
    if isinstance(spread, Mapping) and spread.get("min") is not None:
        return f"{spread['min']:.0f}–{spread['max']:.0f}"
    if isinstance(spread, int | float):
        return f"±{spread:.0f}"
    return fmt.DASH


def _bounds(score: float | None, spread: Any) -> tuple[float, float]:
    if isinstance(spread, Mapping) and spread.get("min") is not None:
        return float(spread["min"]), float(spread["max"])
    base = score or 0.0
    return base, base


def _discipline(d: Json, delta: Json | None) -> DisciplineView:
    areas = [
        AreaView(
            name=str(a.get("name", a.get("id", ""))),
            score=a.get("score"),
            text=fmt.score(a.get("score")),
            level=a.get("level"),
            spread=_spread(a.get("spread")),
            disagreement=bool(a.get("disagreement")),
        )
        for a in d.get("areas") or []
    ]
    chart = charts.practice_bars(
        [a.name for a in areas],
        [a.score for a in areas],
        [_bounds(a.get("score"), a.get("spread")) for a in d.get("areas") or []],
    )
    return DisciplineView(
        id=str(d.get("id", "")),
        name=str(d.get("name") or fmt.label(str(d.get("id", "")))),
        score=d.get("score"),
        text=fmt.score(d.get("score")),
        level=d.get("level"),
        level_name=str(d.get("level_name") or ""),
        spread=_spread(d.get("spread")),
        respondents=d.get("respondents"),
        delta=_score_delta(delta),
        areas=areas,
        chart=chart,
    )


def _score_delta(d: Json | None) -> Delta | None:
    if not d:
        return None
    change = d.get("change")
    direction = "unknown" if change is None else ("same" if change == 0 else ("better" if change > 0 else "worse"))
    return Delta(text=fmt.signed(change, "score"), direction=direction, previous=fmt.score(d.get("previous")))


def _ranked(p: Any) -> str:
    if isinstance(p, Mapping):
        return f"{p.get('name', p.get('area', ''))} ({fmt.score(p.get('score'))})"
    return str(p)


def _mismatch(m: Json, data: Json) -> Mismatch:
    defs = {d.get("id"): d.get("name") for d in data.get("definitions") or []}
    metric = str(m.get("metric", ""))
    who = " · ".join(str(x) for x in (m.get("respondent"), m.get("team")) if x)
    return Mismatch(
        metric=str(defs.get(metric) or fmt.label(metric)),
        who=who or "all respondents",
        self_reported=str(m.get("self_reported", fmt.DASH)),
        measured=str(m.get("measured", fmt.DASH)),
    )
