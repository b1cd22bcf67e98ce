"""The practices section of the context: disciplines, areas, spread, mismatches."""

from __future__ import annotations

from ..dora import METRICS
from ..practices.compare import Mismatch as Contradiction
from ..practices.coverage import DisciplineCoverage
from ..practices.scoring import GroupScores, Score, Spread
from . import charts
from . import format as fmt
from .context import AreaView, Delta, DisciplineView, Mismatch, Practices
from .data import PracticeChange, ReportData
from .metrics_view import BUCKETS, headline_text, metric_name

ORDER = ("sysops", "devops", "sre", "netops", "culture")
"""Practice disciplines in report order; unknown ones follow alphabetically."""
SELF_REPORT = "dora"
"""The self-reported delivery questions: compared with data, not a practice discipline."""


def practice_disciplines(group: GroupScores | None) -> list[Score]:
    """A group's practice-discipline scores in report order, self-report left out."""
    if group is None:
        return []
    found = {k: v for k, v in group.disciplines.items() if k != SELF_REPORT}
    rank = {d: i for i, d in enumerate(ORDER)}
    return [found[k] for k in sorted(found, key=lambda k: (rank.get(k, len(ORDER)), k))]


def build_practices(data: ReportData) -> Practices | None:
    """None without survey answers: the report then says so instead of showing zeros."""
    if data.assessment is None:
        return None
    org = data.assessment.organization
    deltas = data.deltas.disciplines
    covered = data.assessment.coverage
    disciplines = [
        # no delta without a previous report; no coverage for a discipline nobody was asked
        _discipline(d, _areas_of(org, d.id), deltas.get(d.id), covered.get(d.id))
        for d in practice_disciplines(org)
    ]
    ranked = sorted(
        (a for key, a in org.areas.items() if not key.startswith(SELF_REPORT + ".")
         and a.median is not None),
        key=lambda a: (-(a.median or 0.0), a.id),
    )  # fmt: skip
    return Practices(
        respondents=org.respondents,
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
        mismatches=[_mismatch(m, data) for m in data.mismatches],
    )


def _areas_of(group: GroupScores, discipline: str) -> list[Score]:
    return [a for key, a in group.areas.items() if key.split(".", 1)[0] == discipline]


def _spread(spread: Spread | None) -> str:
    return fmt.DASH if spread is None else f"{spread.min:.0f}–{spread.max:.0f}"


def _bounds(a: Score) -> tuple[float, float]:
    if a.spread is not None:
        return a.spread.min, a.spread.max
    base = a.median or 0.0
    return base, base


def _area(a: Score) -> AreaView:
    low, high = _bounds(a)
    return AreaView(
        name=a.name,
        score=a.median,
        text=fmt.score(a.median),
        level=a.level,
        spread=_spread(a.spread),
        low=low,
        high=high,
        disagreement=a.disagreement,
    )


def _discipline(
    d: Score, areas: list[Score], delta: PracticeChange | None, covered: DisciplineCoverage | None
) -> DisciplineView:
    return DisciplineView(
        id=d.id,
        name=d.name or fmt.label(d.id),
        score=d.median,
        text=fmt.score(d.median),
        level=d.level,
        level_name=d.level_name or "",
        spread=_spread(d.spread),
        respondents=d.respondents,
        delta=_score_delta(delta),
        areas=[_area(a) for a in areas],
        coverage=coverage_text(covered),
        thin=covered is not None and covered.thin,
    )


def coverage_text(covered: DisciplineCoverage | None) -> str:
    """``9 of 12 · 64 %``: respondents who answered of those asked, share of its questions
    answered; empty for a report without coverage."""
    if covered is None or covered.share is None:
        return ""
    return f"{covered.respondents} of {covered.asked} · {covered.share:.0f} %"


def _score_delta(d: PracticeChange | None) -> Delta | None:
    if d is None:
        return None
    change = d.change
    direction = "unknown"
    if change is not None:
        direction = "same" if change == 0 else ("better" if change > 0 else "worse")
    return Delta(
        text=fmt.signed(change, "score"),
        direction=direction,
        previous=fmt.score(d.previous),
        note=d.note,
    )


def _ranked(a: Score) -> str:
    return f"{a.name} ({fmt.score(a.median)})"


def _mismatch(m: Contradiction, data: ReportData) -> Mismatch:
    figure = headline_text(m.metric, m.measured_value) if m.metric in METRICS else ""
    return Mismatch(
        metric=metric_name(m.metric),
        who=f"Team {m.team}" if m.team else "Organization (median answer)",
        self_reported=BUCKETS.get(m.reported, m.reported),  # a bucket id, else the answer's label
        measured=f"{m.measured} ({figure})" if figure else m.measured,
        direction=m.direction,
    )
