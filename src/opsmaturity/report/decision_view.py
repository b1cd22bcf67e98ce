"""The operating-model decision page: its typed context, built from the typed recommendation.

The page a board reads: every model against every dimension (shaded by the signed amount),
the ranking, the top model's strongest reasons, why not the runner-up, what would change the
decision, what confidence rests on, and the roadmap by owning team with the teams that lag.
It reads :class:`opsmaturity.recommend.Recommendation` objects (``ReportData.recommendation``),
never the raw dict.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..recommend.facts import METRIC_WORDS
from ..recommend.result import Recommendation
from ..recommend.terminal import short_name
from ..recommend.trend import TREND_NOTE, trend_lines

POSITIVE = (31, 95, 139)
"""Shade of a cell that favours the model (the report's accent blue)."""
NEGATIVE = (176, 74, 38)
"""Shade of a cell that counts against the model (rust; the sign is printed too)."""
MAX_ALPHA = 0.75
OWNER_ORDER = ("stream-aligned", "platform", "enabling", "complicated-subsystem")
ARROW = {"up": "↑", "down": "↓"}


@dataclass(frozen=True)
class MatrixCell:
    """One model's signed amount from one dimension."""

    model_id: str
    points: float
    """Signed, weighted points as in the recommendation JSON."""
    text: str
    """Signed points, ``+2.2``; ``·`` for none."""
    style: str
    """Inline CSS: background shaded by size and sign."""


@dataclass(frozen=True)
class MatrixRow:
    """One dimension: its evidence and what it adds to each model."""

    id: str
    name: str
    weight: str
    evidence: str
    present: str
    """Share of the dimension's evidence present, e.g. ``30 %``."""
    missing: bool
    cells: list[MatrixCell]
    rationale: str
    """Why the dimension counts, from the rules file."""


@dataclass(frozen=True)
class RankRow:
    """One model in the ranking, with a bar left (negative) or right (positive) of zero."""

    rank: int
    name: str
    fit: str
    bar_width: float
    """Bar length, percent of its half of the track (the largest fit fills it)."""
    positive: bool
    top: bool


@dataclass(frozen=True)
class OwnerGroup:
    """The roadmap actions one Team Topologies team type owns."""

    owner: str
    actions: list[str]


@dataclass(frozen=True)
class TeamLag:
    """A team that lags most, why, and the actions for its own weaknesses."""

    team: str
    reason: str
    actions: list[str]


@dataclass(frozen=True)
class DecisionPage:
    """The operating-model decision page."""

    insufficient: bool
    model: str
    summary: str
    confidence: str
    factors: list[tuple[str, str]]
    """(what, level) for margin, evidence, respondents and agreement."""
    columns: list[str]
    """Model short names, in rank order (the matrix columns)."""
    rows: list[MatrixRow]
    fits: list[str]
    """Fit score per column."""
    ranking: list[RankRow]
    reasons: list[str]
    runner_up: str
    why_not: list[str]
    blend: str
    changes: list[str]
    collect: list[str]
    owners: list[OwnerGroup]
    teams: list[TeamLag]
    trend_since: str = ""
    """The previous report's period the trends run from; empty without one."""
    trends: list[str] = field(default_factory=list)
    """Measured trends that, sustained, would change the lead (or that none would)."""
    trend_note: str = ""
    """How trends are carried forward (only beside trends that would change the lead)."""


def decision_page(rec: Recommendation) -> DecisionPage:
    """The page for a typed recommendation (``ReportData.recommendation``)."""
    largest = max((abs(v) for f in rec.ranking for v in f.contributions.values()), default=1.0)
    return DecisionPage(
        insufficient=rec.status == "insufficient",
        model=rec.name,
        summary=rec.summary,
        confidence=rec.confidence,
        factors=[(f.text, f.level) for f in rec.confidence_factors],
        columns=[
            short_name(f.model_id, f.name).replace("-\n", "-").replace("\n", " ")
            for f in rec.ranking
        ],
        rows=[
            MatrixRow(
                id=d.id,
                name=d.name,
                weight=f"×{d.weight:g}",
                evidence=d.evidence,
                present=f"{d.coverage:.0%}".replace("%", " %"),
                missing=d.coverage == 0,
                cells=[_cell(f.model_id, f.contributions[d.id], largest) for f in rec.ranking],
                rationale=d.rationale,
            )
            for d in rec.dimensions
        ],
        fits=[f"{f.fit:+.1f}" for f in rec.ranking],
        ranking=_ranking(rec),
        reasons=[r.text for r in rec.evidence],
        runner_up=rec.runner_up_name,
        why_not=[r.text for r in rec.why_not],
        blend=rec.blend,
        changes=[c.text for c in rec.what_would_change],
        collect=list(rec.collect),
        owners=_owners(rec),
        teams=[TeamLag(t.team, t.reason, list(t.actions)) for t in rec.team_lines],
        trend_since=rec.trend_since or "",
        trends=trend_lines(rec),
        trend_note=TREND_NOTE.format(since=rec.trend_since) if rec.trends else "",
    )


def _cell(model_id: str, points: float, largest: float) -> MatrixCell:
    if abs(points) < 0.05:
        return MatrixCell(model_id, points, "·", "")
    alpha = MAX_ALPHA * min(1.0, abs(points) / (largest or 1.0))
    r, g, b = POSITIVE if points > 0 else NEGATIVE
    ink = "#fff" if alpha > 0.4 else "#222"
    return MatrixCell(
        model_id,
        points,
        f"{points:+.1f}",
        f"background: rgba({r},{g},{b},{alpha:.2f}); color: {ink}",
    )


def _ranking(rec: Recommendation) -> list[RankRow]:
    """Bars either side of zero, scaled to the largest fit."""
    scale = max((abs(f.fit) for f in rec.ranking), default=1.0) or 1.0
    top = rec.status != "insufficient"
    return [
        RankRow(
            f.rank,
            f.name,
            f"{f.fit:+.1f}",
            100 * abs(f.fit) / scale,
            f.fit >= 0,
            top and f.rank == 1,
        )
        for f in rec.ranking
    ]


def _owners(rec: Recommendation) -> list[OwnerGroup]:
    """The roadmap grouped by owning team type: who is accountable for what."""
    groups: dict[str, list[str]] = {}
    for a in rec.roadmap:
        moves = f"{_metric_words(a.metric)} {ARROW[a.direction] if a.direction else ''}".strip()
        groups.setdefault(a.owner, []).append(
            f"{a.rank}. {a.title} — {moves}; effort {a.effort}; {a.horizon}"
        )
    return [  # owners are team types (rules.TeamTypeName), all in OWNER_ORDER
        OwnerGroup(owner.replace("-", " ").capitalize() + " teams", actions)
        for owner, actions in sorted(groups.items(), key=lambda kv: OWNER_ORDER.index(kv[0]))
    ]


def _metric_words(metric: str | None) -> str:
    return METRIC_WORDS[metric] if metric else "no metric"
