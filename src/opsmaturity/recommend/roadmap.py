"""The roadmap, from weaknesses only, and lines for the teams that lag most.

An action enters only for a practice area scoring below ``WEAK_AREA`` or a metric in the
medium or low tier; it cites only those weak figures, never a strength. Each names the metric
it should move and which way, the Team Topologies team type that owns it, effort and horizon.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..dora import METRICS, TIERS, metric_display
from ..practices.scoring import GroupScores, Score
from .facts import METRIC_WORDS, Facts, rework_tier
from .result import RoadmapAction, TeamLine
from .rules import ActionDef, ModelDef, RuleBook

WEAK_AREA = 60.0
"""Areas below this (short of the Measured level) are weaknesses the roadmap may cite."""
STRONG_AREA = 70.0
WEAK_TIERS = ("medium", "low")
TIER_URGENCY = {"low": 15.0, "medium": 5.0}
MAX_ACTIONS = 10
TEAM_GAP = 20.0
"""A team lags when it is this many points (or a DORA tier = 15 points) behind the best."""
MAX_TEAMS, TEAM_ACTIONS = 2, 3


@dataclass(frozen=True)
class _Weak:
    """One group's (organization's or team's) weak areas and metrics."""

    areas: list[Score]
    tiers: dict[str, str]


def metric_tier(
    facts: Facts, metric: str, tiers: dict[str, str | None] | None = None
) -> str | None:
    """A metric's tier; rework, which DORA does not tier, by opsmaturity's cut-offs."""
    if metric == "rework_rate" and tiers is None:
        return rework_tier(facts.measured.get(metric))
    return (tiers if tiers is not None else facts.tiers).get(metric)


def weaknesses(
    facts: Facts, group: GroupScores | None, tiers: dict[str, str | None] | None = None
) -> _Weak:
    areas = (
        []
        if group is None
        else [
            s
            for key, s in group.areas.items()
            if s.median is not None and s.median < WEAK_AREA and not key.startswith("dora.")
        ]
    )
    weak_tiers = {m: t for m in METRICS if (t := metric_tier(facts, m, tiers)) in WEAK_TIERS}
    return _Weak(sorted(areas, key=lambda s: (s.median or 0.0, s.id)), weak_tiers)


def roadmap(book: RuleBook, model: ModelDef | None, facts: Facts) -> tuple[RoadmapAction, ...]:
    """Actions for the organization's weaknesses, the model's own first where they apply."""
    org = facts.assessment.organization if facts.assessment else None
    weak = weaknesses(facts, org)
    by_area = {s.id: s for s in weak.areas}
    chosen: list[ActionDef] = [
        a
        for a in (model.actions if model else ())
        if (a.area in by_area) or (a.metric in weak.tiers)
    ]
    areas = sorted(
        (s for s in weak.areas if s.id in book.area_actions),
        key=lambda s: ((s.median or 0.0) - _urgency(book.area_actions[s.id], weak), s.id),
    )
    chosen += [book.area_actions[s.id] for s in areas]
    worst_first = sorted(weak.tiers, key=lambda m: (-TIERS.index(weak.tiers[m]), METRICS.index(m)))
    chosen += [book.metric_actions[m] for m in worst_first if m in book.metric_actions]
    actions = _dedupe(chosen)[:MAX_ACTIONS]
    return tuple(_action(i + 1, a, by_area, weak) for i, a in enumerate(actions))


def _urgency(action: ActionDef, weak: _Weak) -> float:
    """Areas that move a metric in a low or medium tier come first."""
    return TIER_URGENCY.get(weak.tiers.get(action.metric or "", ""), 0.0)


def _action(rank: int, action: ActionDef, areas: dict[str, Score], weak: _Weak) -> RoadmapAction:
    area = areas.get(action.area or "")
    tier = weak.tiers.get(action.metric or "")
    rationale = action.rationale
    if area is not None and area.median is not None:
        rationale += f" {area.name} scores {area.median:.0f}/100 ({area.level_name})."
    if tier and action.metric:
        rationale += f" {METRIC_WORDS[action.metric].capitalize()} is in the {tier} tier."
    return RoadmapAction(
        rank=rank,
        title=action.title,
        practice_area=area.id if area else None,
        practice_area_name=area.name if area else None,
        area_score=area.median if area else None,
        metric=action.metric,
        metric_tier=tier,
        direction=_direction(action.metric),
        owner=action.owner,
        effort=action.effort,
        horizon=action.horizon,
        rationale=rationale,
    )


def _direction(metric: str | None) -> str | None:
    if metric is None:
        return None
    return "up" if metric_display()[metric].higher_is_better else "down"


def _dedupe(chosen: Iterable[ActionDef]) -> list[ActionDef]:
    """One action per title and per practice area keeps the roadmap varied."""
    seen: dict[str, ActionDef] = {}
    areas: set[str] = set()
    for action in chosen:
        if action.title in seen or (action.area and action.area in areas):
            continue
        seen[action.title] = action
        if action.area:
            areas.add(action.area)
    return list(seen.values())


def team_lines(book: RuleBook, facts: Facts) -> tuple[TeamLine, ...]:
    """The teams furthest behind the best one, on practices or DORA tier, with their actions."""
    groups = facts.assessment.teams if facts.assessment else {}
    names = sorted(set(groups) | set(facts.team_tiers))
    scores = {n: groups[n].overall.median for n in names if n in groups}
    ranks = {
        n: TIERS.index(t)
        for n in names
        if (t := facts.team_tiers.get(n, {}).get("overall")) in TIERS
    }
    best_score = max((s for s in scores.values() if s is not None), default=None)
    best_rank = min(ranks.values(), default=None)
    lags = []
    for name in names:
        score, rank = scores.get(name), ranks.get(name)
        lag = (best_score - score if best_score is not None and score is not None else 0.0) + (
            (rank - best_rank) * 15.0 if best_rank is not None and rank is not None else 0.0
        )
        if lag >= TEAM_GAP:
            lags.append((-lag, name))
    return tuple(
        _team_line(book, facts, name, groups.get(name), best_score, best_rank)
        for _, name in sorted(lags)[:MAX_TEAMS]
    )


def _team_line(
    book: RuleBook,
    facts: Facts,
    name: str,
    group: GroupScores | None,
    best_score: float | None,
    best_rank: int | None,
) -> TeamLine:
    tiers = dict(facts.team_tiers.get(name, {}))
    weak = weaknesses(facts, group, tiers)
    why = []
    score = group.overall.median if group else None
    if score is not None and best_score is not None and score < best_score:
        why.append(f"practices {score:.0f}/100 against {best_score:.0f} for the best team")
    tier = tiers.get("overall")
    if tier in TIERS and best_rank is not None and TIERS.index(tier) > best_rank:
        why.append(f"DORA overall {tier} against {TIERS[best_rank]} for the best team")
    why += [f"{s.name} {s.median:.0f}" for s in weak.areas[:2]]
    why += [f"{METRIC_WORDS[m]} {t}" for m, t in weak.tiers.items() if t == "low"]
    actions = [book.area_actions[s.id] for s in weak.areas if s.id in book.area_actions][:2]
    actions += [
        book.metric_actions[m]
        for m in sorted(weak.tiers, key=lambda m: -TIERS.index(weak.tiers[m]))
    ]
    titles = [a.title for a in _dedupe(actions)][:TEAM_ACTIONS]
    reason = "; ".join(why)
    return TeamLine(team=name, reason=reason[:1].upper() + reason[1:], actions=tuple(titles))


def strengths(facts: Facts) -> list[str]:
    """Strong areas and metrics, for the "keep" list (never the roadmap)."""
    areas = facts.assessment.organization.areas if facts.assessment else {}
    strong = sorted(
        (
            s
            for k, s in areas.items()
            if s.median is not None and s.median >= STRONG_AREA and not k.startswith("dora.")
        ),
        key=lambda s: (-(s.median or 0), s.id),
    )[:3]
    out = [f"{s.name} ({s.median:.0f}/100, {s.level_name})" for s in strong]
    out += [
        f"{METRIC_WORDS[m].capitalize()} at {facts.tiers[m]} level"
        for m in METRICS
        if facts.tiers.get(m) in ("elite", "high")
    ]
    return out
