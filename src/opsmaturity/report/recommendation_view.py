"""The recommendation section of the context: operating model, evidence, team types, roadmap."""

from __future__ import annotations

from ..recommend import RoadmapAction
from . import format as fmt
from .context import Action, Recommendation, TeamType
from .data import ReportData
from .metrics_view import metric_name


def build_recommendation(data: ReportData) -> Recommendation | None:
    """The recommended operating model and its roadmap; None when none was made."""
    rec = data.recommendation
    if rec is None:
        return None
    reason = rec.confidence_reason
    return Recommendation(
        model=rec.name,
        summary=rec.summary,
        confidence=rec.confidence + (f" ({reason})" if reason else ""),
        evidence=[e.text for e in rec.evidence],
        keep=list(rec.keep),
        change=list(rec.change),
        team_types=[
            TeamType(
                type=fmt.label(t["type"]),
                interaction=t["interaction"],
                role=t["role"],
            )
            for t in rec.team_types
        ],
        roadmap=[_action(a, data) for a in rec.roadmap],
    )


def _action(a: RoadmapAction, data: ReportData) -> Action:
    practice = a.practice_area_name or fmt.DASH
    return Action(
        priority=a.rank,
        action=a.title,
        rationale=a.rationale,
        horizon=a.horizon,
        metric=metric_name(a.metric) + (f" ({fmt.tier(a.metric_tier)})" if a.metric_tier else ""),
        practice=practice + (f" ({fmt.score(a.area_score)})" if a.area_score is not None else ""),
    )
