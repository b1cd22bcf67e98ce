"""What the recommendation knows about an organization, and each dimension's reading of it.

A reading is what the decision matrix consumes: a count (engineers, teams), a profile, or a
number from -1 to +1 (a 0-100 score as ``(score - 50) / 50``, a DORA tier as elite +1 ...
low -1). Each comes with plain words for the report and the share of its evidence that is
present: "don't know" answers, respondents who skipped a part and unmeasured metrics lower it.
Unknown is ``None``, never zero.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..dora import TIERS, metric_display
from ..practices.scoring import Assessment
from .rules import Dimension, Input

TIER_READING = {"elite": 1.0, "high": 1 / 3, "medium": -1 / 3, "low": -1.0}
REWORK_TIERS = ((0.05, "elite"), (0.10, "high"), (0.20, "medium"))
"""opsmaturity's rework cut-offs (DORA publishes no rework tiers); above 20 % is low."""
TIER_POINTS = 15.0
"""Points of team spread per DORA tier between the best and the worst team."""
METRIC_WORDS = {m: d.words for m, d in metric_display().items()}
"""Each metric's name inside a sentence (its ``display.words`` in data/metrics.yaml)."""
DISCIPLINE_WORDS = {
    "sre": "SRE",
    "devops": "DevOps",
    "sysops": "SysOps",
    "netops": "NetOps",
    "culture": "Culture",
}
PROFILE_WORDS = {
    "software": "a software-driven business",
    "infrastructure-critical": "an infrastructure-critical estate",
    "regulated": "a regulated estate",
}


@dataclass(frozen=True)
class Facts:
    """The evidence about one organization, as handed to :func:`recommend`."""

    engineers: int
    profile: str
    assessment: Assessment | None
    tiers: Mapping[str, str | None]
    """Organization DORA tiers by metric, plus ``overall``."""
    teams: int | None = None
    measured: Mapping[str, float | None] = field(default_factory=dict)
    """Organization headline figures by metric (rework has no tier, so it is read here)."""
    team_tiers: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict)
    """Per team: DORA tiers by metric, plus ``overall``."""

    def score(self, key: str) -> float | None:
        found = self.assessment.get(key) if self.assessment else None
        return found.median if found else None

    def answered_share(self, key: str) -> float:
        """Share of respondents with an answer behind ``key`` (don't-know lowers it)."""
        if self.assessment is None or not self.assessment.respondents:
            return 0.0
        found = self.assessment.get(key)
        if found is None or found.median is None:
            return 0.0
        return min(1.0, found.respondents / self.assessment.respondents)

    def disagrees(self, key: str) -> bool:
        found = self.assessment.get(key) if self.assessment else None
        return bool(found and found.disagreement)


@dataclass(frozen=True)
class Reading:
    """One dimension's reading: the value the matrix uses, in words, and how complete."""

    value: float | str | None
    text: str
    coverage: float
    scores: tuple[str, ...] = ()
    """Survey score keys behind the reading (for the agreement check)."""
    reach: tuple[float, float] = (-1.0, 1.0)
    """The readings this evidence can take (a gap between two 0-100 scores reaches less)."""


def observe(dim: Dimension, facts: Facts) -> Reading:
    """The reading of one dimension from the facts."""
    if dim.input == "engineers":
        return Reading(float(facts.engineers), f"{facts.engineers:,} engineers", 1.0)
    if dim.input == "teams":
        if not facts.teams:
            return Reading(None, "number of teams not configured", 0.0)
        return Reading(float(facts.teams), f"{facts.teams} teams", 1.0)
    if dim.input == "profile":
        return Reading(facts.profile, PROFILE_WORDS.get(facts.profile, facts.profile), 1.0)
    assert isinstance(dim.input, Input)
    return _linear(dim.input, facts)


def _linear(source: Input, facts: Facts) -> Reading:
    if source.tiers:
        return _tiers(source.tiers, source.rework, facts)
    if source.score:
        return _scores((source.score,), facts)
    if source.scores:
        return _scores(source.scores, facts)
    if source.gap:
        return _gap(source.gap, facts)
    return _team_spread(source.team_spread or 20.0, facts)


def rework_tier(value: float | None) -> str | None:
    if value is None:
        return None
    return next((tier for limit, tier in REWORK_TIERS if value <= limit), "low")


def _tiers(metrics: tuple[str, ...], rework: str | None, facts: Facts) -> Reading:
    found = [(m, facts.tiers.get(m)) for m in metrics]
    words = [f"{METRIC_WORDS[m]} {t}" if t else f"{METRIC_WORDS[m]} not measured" for m, t in found]
    if rework:
        value = facts.measured.get(rework)
        tier = rework_tier(value)
        found.append((rework, tier))
        words.append(f"rework {value:.0%} ({tier})" if value is not None else "rework not measured")
    known = [TIER_READING[t] for _, t in found if t in TIER_READING]
    value_ = statistics.fmean(known) if known else None
    return Reading(value_, ", ".join(words), len(known) / len(found))


def _scores(keys: tuple[str, ...], facts: Facts) -> Reading:
    known = [(k, s) for k in keys if (s := facts.score(k)) is not None]
    coverage = statistics.fmean(facts.answered_share(k) for k in keys)
    name = _score_name(keys[0], facts) if len(keys) == 1 else "readiness areas"
    if not known:
        return Reading(None, f"{name}: no answers", 0.0)
    mean = statistics.fmean(s for _, s in known)
    if len(keys) == 1:
        text = f"{name} scores {mean:.0f}/100"
    else:
        text = ", ".join(f"{_score_name(k, facts)} {s:.0f}" for k, s in known)
    return Reading(_clip((mean - 50) / 50), text, coverage, tuple(k for k, _ in known))


def _gap(keys: tuple[str, str], facts: Facts) -> Reading:
    a, b = facts.score(keys[0]), facts.score(keys[1])
    coverage = min(facts.answered_share(keys[0]), facts.answered_share(keys[1]))
    name_a, name_b = _score_name(keys[0], facts), _score_name(keys[1], facts)
    if a is None or b is None:
        return Reading(None, f"{name_a} or {name_b}: no answers", 0.0)
    side = "behind" if a < b else "ahead of"
    text = f"{name_a} scores {a:.0f}/100, {abs(a - b):.0f} points {side} {name_b} ({b:.0f})"
    reach = (_clip((0 - b) / 50), _clip((100 - b) / 50))  # the first score moves, 0-100
    return Reading(_clip((a - b) / 50), text, coverage, keys, reach)


def _team_spread(center: float, facts: Facts) -> Reading:
    """Gap between the best and the worst team, in practice points or tiers (15 each)."""
    gaps, words = [], []
    scored = sorted(
        (g.overall.median, name)
        for name, g in (facts.assessment.teams if facts.assessment else {}).items()
        if g.overall.median is not None
    )
    if len(scored) >= 2:
        gaps.append(scored[-1][0] - scored[0][0])
        words.append(
            f"practice scores from {scored[0][0]:.0f} ({scored[0][1]}) "
            f"to {scored[-1][0]:.0f} ({scored[-1][1]})"
        )
    tiered = sorted(
        (TIERS.index(tier), name)
        for name, t in facts.team_tiers.items()
        if (tier := t.get("overall")) in TIERS
    )
    if len(tiered) >= 2:
        gaps.append((tiered[-1][0] - tiered[0][0]) * TIER_POINTS)
        words.append(
            f"DORA tiers from {TIERS[tiered[0][0]]} ({tiered[0][1]}) "
            f"to {TIERS[tiered[-1][0]]} ({tiered[-1][1]})"
        )
    if not gaps:
        return Reading(None, "no team-level scores or metrics", 0.0)
    gap = statistics.fmean(gaps)
    return Reading(_clip((gap - center) / center), "; ".join(words), len(gaps) / 2)


def _score_name(key: str, facts: Facts) -> str:
    found = facts.assessment.get(key) if facts.assessment else None
    if key in DISCIPLINE_WORDS or found is None or not found.name or found.name == key:
        return score_words(key)
    return found.name


def score_words(key: str) -> str:
    """A score key in words when the questionnaire's name is not at hand."""
    return DISCIPLINE_WORDS.get(key, key.split(".")[-1].replace("_", " ").capitalize())


def _clip(value: float) -> float:
    return max(-1.0, min(1.0, value))
