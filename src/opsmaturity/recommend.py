"""The operating-model recommendation: rules as data, applied to size, profile, scores, tiers.

Rules live in ``data/recommendation_rules.yaml``; each votes points for a model when all its
conditions hold, and carries the rationale shown in the report. The model with most points
wins (ties: the model listed first), so the same inputs always give the same answer.
The roadmap then ties the weakest practice areas to the DORA metric each should move.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import yamlpos
from .dora import METRICS, TIERS
from .errors import ConfigError
from .practices.scoring import Assessment
from .resources import data_dir

Horizon = Literal["next quarter", "next year"]
WEAK_AREA = 60.0  # areas below this (Measured level) are roadmap candidates
STRONG_AREA = 70.0
TEAM_GAP = 20.0  # points between the best and the worst team's overall practice score
MIN_ACTIONS, MAX_ACTIONS, MODEL_ACTIONS = 5, 10, 2
TIER_URGENCY = {"low": 15.0, "medium": 5.0}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Conditions(_Model):
    engineers_min: int | None = None
    engineers_max: int | None = None
    profile_in: tuple[Literal["software", "infrastructure-critical", "regulated"], ...] | None = (
        None
    )
    scores_below: dict[str, float] | None = None
    scores_at_least: dict[str, float] | None = None
    tiers_in: dict[str, tuple[Literal["elite", "high", "medium", "low"], ...]] | None = None


class Rule(_Model):
    id: str
    when: Conditions
    model: str
    points: int = Field(..., gt=0)
    evidence: str = Field(..., min_length=1)
    rationale: str = Field(..., min_length=1)
    change: str | None = None


class TeamType(_Model):
    type: Literal["stream-aligned", "platform", "enabling", "complicated-subsystem"]
    role: str
    interaction: Literal["collaboration", "X-as-a-Service", "facilitating"]


class ActionDef(_Model):
    title: str = Field(..., min_length=1)
    area: str | None = None
    metric: str | None = None
    horizon: Horizon
    rationale: str = Field(..., min_length=1)


class ModelDef(_Model):
    id: str
    name: str
    summary: str
    keep: tuple[str, ...]
    change: tuple[str, ...]
    team_types: tuple[TeamType, ...] = Field(..., min_length=1)
    actions: tuple[ActionDef, ...] = Field(..., min_length=1)


class RuleBook(_Model):
    models: tuple[ModelDef, ...] = Field(..., min_length=1)
    rules: tuple[Rule, ...] = Field(..., min_length=1)
    area_actions: dict[str, ActionDef]
    metric_actions: dict[str, ActionDef]


@dataclass(frozen=True)
class Evidence:
    rule_id: str
    model_id: str
    points: int
    text: str
    rationale: str


@dataclass(frozen=True)
class RoadmapAction:
    rank: int
    title: str
    practice_area: str | None
    practice_area_name: str | None
    area_score: float | None
    metric: str | None
    metric_tier: str | None
    horizon: str
    rationale: str


@dataclass(frozen=True)
class Recommendation:
    model_id: str
    name: str
    summary: str
    confidence: str
    confidence_reason: str
    evidence: tuple[Evidence, ...]
    keep: tuple[str, ...]
    change: tuple[str, ...]
    team_types: tuple[dict[str, str], ...]
    roadmap: tuple[RoadmapAction, ...]
    points: dict[str, int]
    fired_rules: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data, like the metrics engine's ``to_json()``."""
        return _plain(asdict(self))


def load_rules(path: str | Path | None = None) -> RuleBook:
    """Read and check the rule book (default: the bundled one); errors name file and line."""
    return _read_rules(Path(path)) if path else _bundled_rules()


@functools.cache
def _bundled_rules() -> RuleBook:
    """Cached: the bundled rule book never changes while we run, and parsing it is not free."""
    return _read_rules(data_dir() / "recommendation_rules.yaml")


def _read_rules(path: Path) -> RuleBook:
    doc = yamlpos.load(path, ConfigError)
    try:
        book = RuleBook.model_validate(doc.data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        loc = [p for p in err["loc"] if isinstance(p, int | str)]
        line = doc.line_of(loc)
        raise ConfigError(f"{doc.path}:{line}: {yamlpos.format_loc(loc)}: {err['msg']}") from None
    models = {m.id for m in book.models}
    for i, rule in enumerate(book.rules):
        if rule.model not in models:
            raise ConfigError(f"{doc.path}:{doc.line_of(['rules', i, 'model'])}: unknown model")
    for metric in book.metric_actions:
        if metric not in METRICS:
            line = doc.line_of(["metric_actions", metric])
            raise ConfigError(f"{doc.path}:{line}: metric_actions: unknown metric {metric!r}")
    return book.model_copy(  # an action keyed by area or metric knows its own key
        update={
            "area_actions": {
                k: a.model_copy(update={"area": k}) for k, a in book.area_actions.items()
            },
            "metric_actions": {
                k: a.model_copy(update={"metric": k}) for k, a in book.metric_actions.items()
            },
        }
    )


def recommend(
    *,
    engineers: int,
    profile: str,
    assessment: Assessment | None,
    dora_tiers: Mapping[str, str | None],
    rules: RuleBook | None = None,
) -> Recommendation:
    """The primary operating model, its evidence, what to keep and change, and a roadmap."""
    book = rules or load_rules()
    facts = _Facts(engineers, profile, assessment, dora_tiers)
    fired = [(rule, why) for rule in book.rules if (why := facts.check(rule.when)) is not None]
    points = {m.id: 0 for m in book.models}
    for rule, _ in fired:
        points[rule.model] += rule.points
    order = sorted(book.models, key=lambda m: -points[m.id])  # stable: file order breaks ties
    model = order[0]
    runner_up = points[order[1].id] if len(order) > 1 else 0
    confidence, reason = _confidence(points[model.id] - runner_up, facts)
    evidence = tuple(
        Evidence(rule.id, rule.model, rule.points, f"{rule.evidence}: {why}.", rule.rationale)
        for rule, why in fired
        if rule.model == model.id
    )
    changes = [*model.change, *(rule.change for rule, _ in fired if rule.change)]
    return Recommendation(
        model_id=model.id,
        name=model.name,
        summary=model.summary,
        confidence=confidence,
        confidence_reason=reason,
        evidence=evidence,
        keep=tuple(_dedupe([*model.keep, *_strengths(facts)])),
        change=tuple(_dedupe([*changes, *_weaknesses(facts)])),
        team_types=tuple(t.model_dump() for t in model.team_types),
        roadmap=_roadmap(book, model, facts),
        points=points,
        fired_rules=tuple(rule.id for rule, _ in fired),
    )


@dataclass(frozen=True)
class _Facts:
    engineers: int
    profile: str
    assessment: Assessment | None
    tiers: Mapping[str, str | None]

    def score(self, key: str) -> float | None:
        found = self.assessment.get(key) if self.assessment else None
        return found.median if found else None

    def check(self, when: Conditions) -> str | None:
        """A short account of why every condition holds, or None when one does not."""
        reasons: list[str] = []
        if when.engineers_min is not None or when.engineers_max is not None:
            low, high = when.engineers_min or 0, when.engineers_max
            if self.engineers < low or (high is not None and self.engineers > high):
                return None
            reasons.append(f"{self.engineers} engineers")
        if when.profile_in is not None:
            if self.profile not in when.profile_in:
                return None
            reasons.append(f"profile {self.profile}")
        for key, limit in (when.scores_below or {}).items():
            value = self.score(key)
            if value is None or value >= limit:
                return None
            reasons.append(f"{key} scores {value:.0f}/100 (below {limit:g})")
        for key, limit in (when.scores_at_least or {}).items():
            value = self.score(key)
            if value is None or value < limit:
                return None
            reasons.append(f"{key} scores {value:.0f}/100 (at least {limit:g})")
        for metric, tiers in (when.tiers_in or {}).items():
            tier = self.tiers.get(metric)
            if tier not in tiers:
                return None
            reasons.append(f"{metric.replace('_', ' ')} tier {tier}")
        return "; ".join(reasons)


def _confidence(margin: int, facts: _Facts) -> tuple[str, str]:
    survey = facts.assessment is not None and facts.assessment.respondents >= 3
    measured = facts.tiers.get("overall") is not None
    sources = int(survey) + int(measured)
    what = {0: "size and profile only", 1: "one source of evidence", 2: "survey and measured data"}
    reason = f"leads the next model by {margin} point(s), based on {what[sources]}"
    if margin >= 3 and sources == 2:
        return "high", reason
    if margin >= 2 or (margin >= 1 and sources >= 1):
        return "medium", reason
    return "low", reason


def _strengths(facts: _Facts) -> list[str]:
    out = [
        f"{s.name} ({s.median:.0f}/100, {s.level_name})"
        for s in _areas(facts)
        if s.median is not None and s.median >= STRONG_AREA
    ][-3:][::-1]
    for metric in METRICS:
        if facts.tiers.get(metric) in ("elite", "high"):
            out.append(f"{metric.replace('_', ' ').capitalize()} at {facts.tiers[metric]} level")
    return out


def _weaknesses(facts: _Facts) -> list[str]:
    weak = [s for s in _areas(facts) if s.median is not None and s.median < 40][:3]
    return [
        *(f"Improve {s.name} ({s.median:.0f}/100, {s.level_name})" for s in weak),
        *_team_gap(facts),
    ]


def _team_gap(facts: _Facts) -> list[str]:
    """An organization average hides a struggling team; name it when the gap is wide."""
    teams = facts.assessment.teams if facts.assessment else {}
    scored = sorted(
        (g.overall.median, name) for name, g in teams.items() if g.overall.median is not None
    )
    if len(scored) < 2 or scored[-1][0] - scored[0][0] < TEAM_GAP:
        return []
    (low, worst), (high, best) = scored[0], scored[-1]
    return [
        f"Start with team {worst} ({low:.0f}/100, lowest of {len(scored)} teams; "
        f"{best} scores {high:.0f}): pair it with an enabling team and the practices of {best}"
    ]


def _areas(facts: _Facts) -> list[Any]:
    """Practice-area scores, weakest first (ties by key, for determinism)."""
    if facts.assessment is None:
        return []
    areas = facts.assessment.organization.areas.values()
    practice = [s for s in areas if s.median is not None and not s.id.startswith("dora.")]
    return sorted(practice, key=lambda s: (s.median, s.id))


def _roadmap(book: RuleBook, model: ModelDef, facts: _Facts) -> tuple[RoadmapAction, ...]:
    chosen = list(model.actions[:MODEL_ACTIONS])
    weak = [s for s in _areas(facts) if s.median < WEAK_AREA and s.id in book.area_actions]
    weak.sort(key=lambda s: (s.median - _urgency(book, s.id, facts), s.id))
    chosen += [book.area_actions[s.id] for s in weak]
    by_tier = sorted(
        (m for m in METRICS if facts.tiers.get(m) in TIER_URGENCY),
        key=lambda m: -_tier_rank(facts, m),
    )
    chosen += [book.metric_actions[m] for m in by_tier if m in book.metric_actions]
    if len(_dedupe_actions(chosen)) < MIN_ACTIONS:  # a strong organization still gets a roadmap
        chosen += [book.area_actions[s.id] for s in _areas(facts) if s.id in book.area_actions]
        chosen += [book.metric_actions[m] for m in METRICS if m in book.metric_actions]
        chosen += list(model.actions[MODEL_ACTIONS:])
    actions = _dedupe_actions(chosen)[:MAX_ACTIONS]
    return tuple(_action(i + 1, a, facts) for i, a in enumerate(actions))


def _urgency(book: RuleBook, area: str, facts: _Facts) -> float:
    """Areas that move a metric in a low or medium tier come first."""
    metric = book.area_actions[area].metric
    return TIER_URGENCY.get(facts.tiers.get(metric) or "", 0.0) if metric else 0.0


def _tier_rank(facts: _Facts, metric: str) -> int:
    tier = facts.tiers.get(metric)
    return TIERS.index(tier) if tier in TIERS else -1


def _action(rank: int, action: ActionDef, facts: _Facts) -> RoadmapAction:
    found = facts.assessment.get(action.area) if facts.assessment and action.area else None
    tier = facts.tiers.get(action.metric) if action.metric else None
    rationale = action.rationale
    if found is not None and found.median is not None:
        rationale += f" {found.name} scores {found.median:.0f}/100 ({found.level_name})."
    if tier:
        rationale += f" {action.metric.replace('_', ' ').capitalize()} is {tier}."  # type: ignore[union-attr]
    return RoadmapAction(
        rank=rank,
        title=action.title,
        practice_area=action.area,
        practice_area_name=found.name if found else None,
        area_score=found.median if found else None,
        metric=action.metric,
        metric_tier=tier,
        horizon=action.horizon,
        rationale=rationale,
    )


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _dedupe_actions(chosen: list[ActionDef]) -> list[ActionDef]:
    seen: dict[str, ActionDef] = {}
    areas: set[str] = set()
    for action in chosen:
        if action.title in seen or (action.area and action.area in areas):
            continue  # one action per practice area keeps the roadmap varied
        seen[action.title] = action
        if action.area:
            areas.add(action.area)
    return list(seen.values())


def _plain(value: Any) -> Any:
    """Tuples become lists so the result compares equal to its JSON round trip."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
