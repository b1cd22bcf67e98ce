"""The recommendation, end to end: read the evidence, fill the matrix, rank, explain, plan.

Every candidate model is scored on every dimension (``matrix``); the top model's strongest
reasons, the runner-up's "why not", what would change the decision (``whatif``), confidence
(``confidence``) and the roadmap (``roadmap``) all derive from the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..practices.scoring import Assessment
from . import confidence as conf
from .facts import Facts, Reading, observe
from .matrix import Cells, cells, ranking
from .result import DimensionView, ModelFit, Reason, Recommendation
from .roadmap import roadmap, strengths, team_lines, weaknesses
from .rules import ModelDef, RuleBook, load_rules
from .trend import TierOf, trend_changes
from .whatif import changes

REASONS = 3
WHY_NOT = 2
WEAK_FOR_CHANGE = 40.0


def recommend(
    *,
    engineers: int,
    profile: str,
    assessment: Assessment | None,
    dora_tiers: Mapping[str, str | None],
    teams: int | None = None,
    measured: Mapping[str, float | None] | None = None,
    team_tiers: Mapping[str, Mapping[str, str | None]] | None = None,
    rules: RuleBook | None = None,
    previous: Mapping[str, float | None] | None = None,
    since: str | None = None,
    tier_of: TierOf | None = None,
) -> Recommendation:
    """Every operating model ranked on the evidence, the top one explained, and a roadmap.

    With ``previous`` (last report's headline figures, period ``since``) and ``tier_of``
    (the benchmark's tiers), also the measured trends that, sustained, would change the lead.
    """
    book = rules or load_rules()
    facts = Facts(
        engineers, profile, assessment, dora_tiers, teams, measured or {}, team_tiers or {}
    )
    readings = {d.id: observe(d, facts) for d in book.dimensions}
    values = {k: r.value for k, r in readings.items()}
    table = cells(book, values)
    fits = ranking(book, table)
    confidence = conf.assess(book, fits, readings, facts)
    top, runner = book.model(fits[0][0]), book.model(fits[1][0])
    insufficient = confidence.level == conf.INSUFFICIENT
    collect = _collect(book, readings)
    return Recommendation(
        status="insufficient" if insufficient else "recommended",
        model_id=None if insufficient else top.id,
        name="Insufficient evidence for a recommendation" if insufficient else top.name,
        summary=_insufficient_summary(collect) if insufficient else top.summary,
        confidence=confidence.level,
        confidence_reason=confidence.reason,
        confidence_factors=confidence.factors,
        coverage=round(confidence.coverage, 3),
        evidence=_reasons(book, table, readings, top.id, REASONS),
        runner_up_id=runner.id,
        runner_up_name=runner.name,
        why_not=_why_not(book, table, readings, top.id, runner.id),
        blend=_blend(book, fits, runner.name),
        ranking=_model_fits(book, fits, table),
        dimensions=_dimension_views(book, readings),
        what_would_change=changes(book, values, {k: r.reach for k, r in readings.items()}),
        collect=collect,
        roadmap=roadmap(book, None if insufficient else top, facts),
        team_lines=team_lines(book, facts),
        **_adoption(None if insufficient else top, facts),
        **_trends(book, facts, previous, since, tier_of),
    )


def _trends(
    book: RuleBook,
    facts: Facts,
    previous: Mapping[str, float | None] | None,
    since: str | None,
    tier_of: TierOf | None,
) -> dict[str, Any]:
    if previous is None or since is None or tier_of is None:
        return {}
    return {"trends": trend_changes(book, facts, previous, tier_of, since), "trend_since": since}


def _adoption(model: ModelDef | None, facts: Facts) -> dict[str, Any]:
    """What to keep, what to change and the team types: only for a recommended model."""
    if model is None:
        return {"keep": (), "change": (), "team_types": ()}
    return {
        "keep": tuple(dict.fromkeys([*model.keep, *strengths(facts)])),
        "change": tuple(dict.fromkeys([*model.change, *_weak_changes(facts)])),
        "team_types": tuple(t.model_dump() for t in model.team_types),
    }


def _model_fits(
    book: RuleBook, fits: list[tuple[str, float]], table: Cells
) -> tuple[ModelFit, ...]:
    return tuple(
        ModelFit(m, book.model(m).name, i + 1, round(fit, 2), _rounded(table[m]))
        for i, (m, fit) in enumerate(fits)
    )


def _dimension_views(book: RuleBook, readings: Mapping[str, Reading]) -> tuple[DimensionView, ...]:
    return tuple(
        DimensionView(
            d.id,
            d.name,
            d.weight,
            readings[d.id].text,
            round(readings[d.id].coverage, 3),
            d.rationale,
            d.collect,
        )
        for d in book.dimensions
    )


def _rounded(row: Mapping[str, float]) -> dict[str, float]:
    return {k: round(v, 2) for k, v in row.items()}


def _reasons(
    book: RuleBook, table: Cells, readings: Mapping[str, Reading], model: str, count: int
) -> tuple[Reason, ...]:
    """The dimensions adding most to ``model``, in plain words (positive amounts only)."""
    best = sorted(
        ((points, dim) for dim, points in table[model].items() if points > 0),
        key=lambda pd: (-pd[0], pd[1]),
    )[:count]
    return tuple(_reason(book, readings, model, dim, points) for points, dim in best)


def _why_not(
    book: RuleBook, table: Cells, readings: Mapping[str, Reading], top: str, runner: str
) -> tuple[Reason, ...]:
    """Where the runner-up loses most against the top model, in the runner-up's own terms."""
    gaps = sorted(
        ((table[top][d] - table[runner][d], d) for d in table[top]),
        key=lambda gd: (-gd[0], gd[1]),
    )
    picked = [(gap, d) for gap, d in gaps[:WHY_NOT] if gap > 0]
    out = []
    for gap, dim in picked:
        own = table[runner][dim]
        if own < 0 or table[top][dim] <= 0:  # the runner-up's own weakness
            reason = _reason(book, readings, runner, dim, own)
            text = reason.text
        else:  # the top model's strength
            reason = _reason(book, readings, top, dim, table[top][dim])
            why = book.dimension(dim).models[top].for_ or reason.rationale
            text = _sentence(readings[dim], f"which favours {book.model(top).name}: {why}")
        out.append(
            Reason(dim, reason.dimension_name, runner, round(-gap, 2), text, reason.rationale)
        )
    return tuple(out)


def _reason(
    book: RuleBook, readings: Mapping[str, Reading], model: str, dim_id: str, points: float
) -> Reason:
    dim = book.dimension(dim_id)
    effect = dim.models[model]
    why = effect.for_ if points >= 0 else effect.against
    text = _sentence(readings[dim_id], why or dim.rationale, ": ")
    return Reason(dim.id, dim.name, model, round(points, 2), text, dim.rationale)


def _sentence(reading: Reading, why: str, joint: str = ", ") -> str:
    """``Evidence<joint>why.``: the evidence capitalised, one sentence."""
    return f"{reading.text[:1].upper()}{reading.text[1:]}{joint}{why}."


def _blend(book: RuleBook, fits: list[tuple[str, float]], runner_name: str) -> str:
    """Most organizations do best with a blend: say so when the top two are close."""
    margin = fits[0][1] - fits[1][1]
    if margin >= book.confidence.margin.medium:
        return ""
    return (
        f"The top two are within {margin:.1f} points: borrow from {runner_name} where its "
        "reasons below apply, rather than treating the choice as either-or."
    )


def _collect(book: RuleBook, readings: Mapping[str, Reading]) -> tuple[str, ...]:
    """What to gather, heaviest missing evidence first."""
    missing = sorted(
        ((d.weight * (1 - readings[d.id].coverage), d) for d in book.dimensions),
        key=lambda wd: -wd[0],
    )
    return tuple(dict.fromkeys(d.collect for w, d in missing if w > 0.05))


def _insufficient_summary(collect: tuple[str, ...]) -> str:
    return (
        'Too much of the evidence is missing or answered "don\'t know" to recommend an '
        "operating model. Collect first: " + " ".join(collect[:3])
    )


def _weak_changes(facts: Facts) -> list[str]:
    group = facts.assessment.organization if facts.assessment else None
    weak = weaknesses(facts, group).areas
    return [
        f"Improve {s.name} ({s.median:.0f}/100, {s.level_name})"
        for s in weak
        if s.median is not None and s.median < WEAK_FOR_CHANGE
    ][:3]
