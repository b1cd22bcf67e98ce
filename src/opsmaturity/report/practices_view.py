"""The practices section of the context: disciplines, areas, spread, mismatches."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import charts
from . import format as fmt
from .context import AreaView, Delta, DisciplineView, Mismatch, Practices
from .metrics_view import BUCKETS, headline_text
from .model import METRICS

Json = Mapping[str, Any]
ORDER = ("sysops", "devops", "sre", "netops", "culture")
"""Practice disciplines in report order; unknown ones follow alphabetically."""
SELF_REPORT = "dora"
"""The self-reported delivery questions: compared with data, not a practice discipline."""


def practice_disciplines(group: Json) -> list[Json]:
    """A group's practice-discipline scores in report order, self-report left out."""
    found = {k: v for k, v in (group.get("disciplines") or {}).items() if k != SELF_REPORT}
    rank = {d: i for i, d in enumerate(ORDER)}
    return [found[k] for k in sorted(found, key=lambda k: (rank.get(k, len(ORDER)), k))]


def build_practices(data: Json) -> Practices | None:
    """None without survey answers: the report then says so instead of showing zeros."""
    assessment = data.get("assessment")
    if not assessment:
        return None
    org = assessment.get("organization") or {}
    deltas = (data.get("deltas") or {}).get("disciplines") or {}
    areas = org.get("areas") or {}
    disciplines = [
        _discipline(d, _areas_of(areas, str(d.get("id"))), deltas.get(d.get("id")))
        for d in practice_disciplines(org)
    ]
    ranked = sorted(
        (a for key, a in areas.items() if not key.startswith(SELF_REPORT + ".")
         and a.get("median") is not None),
        key=lambda a: (-a["median"], a.get("id", "")),
    )  # fmt: skip
    return Practices(
        respondents=org.get("respondents"),
        disciplines=disciplines,
        overview_chart=charts.discipline_overview(
            tuple(d.name for d in disciplines), tuple(d.score for d in disciplines)
        ),
        strongest=[_ranked(a) for a in ranked[:3]],
        weakest=[_ranked(a) for a in ranked[::-1][:3]],
        disagreements=[
            f"{d.name}: {a.name} (range {a.spread})"
            for d in disciplines
            for a in d.areas
            if a.disagreement
        ],
        mismatches=[_mismatch(m, data) for m in data.get("mismatches") or []],
    )


def _areas_of(areas: Json, discipline: str) -> list[Json]:
    return [a for key, a in areas.items() if key.split(".", 1)[0] == discipline]


def _spread(spread: Any) -> str:
    if isinstance(spread, Mapping) and spread.get("min") is not None:
        return f"{spread['min']:.0f}–{spread['max']:.0f}"
    return fmt.DASH


def _bounds(a: Json) -> tuple[float, float]:
    spread = a.get("spread")
    if isinstance(spread, Mapping) and spread.get("min") is not None:
        return float(spread["min"]), float(spread["max"])
    base = a.get("median") or 0.0
    return base, base


def _area(a: Json) -> AreaView:
    low, high = _bounds(a)
    return AreaView(
        name=str(a.get("name", a.get("id", ""))),
        score=a.get("median"),
        text=fmt.score(a.get("median")),
        level=a.get("level"),
        spread=_spread(a.get("spread")),
        low=low,
        high=high,
        disagreement=bool(a.get("disagreement")),
    )


def _discipline(d: Json, areas: list[Json], delta: Json | None) -> DisciplineView:
    return DisciplineView(
        id=str(d.get("id", "")),
        name=str(d.get("name") or fmt.label(str(d.get("id", "")))),
        score=d.get("median"),
        text=fmt.score(d.get("median")),
        level=d.get("level"),
        level_name=str(d.get("level_name") or ""),
        spread=_spread(d.get("spread")),
        respondents=d.get("respondents"),
        delta=_score_delta(delta),
        areas=[_area(a) for a in areas],
    )


def _score_delta(d: Json | None) -> Delta | None:
    if not d:
        return None
    change = d.get("change")
    direction = "unknown"
    if change is not None:
        direction = "same" if change == 0 else ("better" if change > 0 else "worse")
    return Delta(
        text=fmt.signed(change, "score"), direction=direction, previous=fmt.score(d.get("previous")),
        note=str(d.get("note") or ""),
    )


def _ranked(a: Json) -> str:
    return f"{a.get('name', a.get('id', ''))} ({fmt.score(a.get('median'))})"


def _mismatch(m: Json, data: Json) -> Mismatch:
    defs = {d.get("id"): d.get("name") for d in data.get("definitions") or []}
    metric = str(m.get("metric", ""))
    value = m.get("measured_value")
    figure = headline_text(metric, value) if metric in METRICS and value is not None else ""
    measured = str(m.get("measured", fmt.DASH))
    return Mismatch(
        metric=str(defs.get(metric) or fmt.label(metric)),
        who=f"Team {m['team']}" if m.get("team") else "Organization (median answer)",
        self_reported=str(BUCKETS.get(str(m.get("reported")), m.get("reported", fmt.DASH))),
        measured=f"{measured} ({figure})" if figure else measured,
        direction=str(m.get("direction", "")),
    )
