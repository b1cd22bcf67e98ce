"""Confidence from the evidence: margin, share of evidence present, respondents, agreement.

Each factor gets its own level from the thresholds in the rule book; the recommendation's
confidence is the lowest of them, so one weak factor is enough to say "low". When too little
evidence is present, or the survey is mostly "don't know", there is no recommendation at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .facts import Facts, Reading
from .result import ConfidenceFactor
from .rules import Input, Levels, RuleBook

LEVELS = ("low", "medium", "high")
INSUFFICIENT = "insufficient"


@dataclass(frozen=True)
class Confidence:
    level: str
    reason: str
    factors: tuple[ConfidenceFactor, ...]
    coverage: float
    practice_coverage: float | None


def assess(
    book: RuleBook,
    fits: list[tuple[str, float]],
    readings: Mapping[str, Reading],
    facts: Facts,
) -> Confidence:
    rules = book.confidence
    coverage = _weighted_coverage(book, readings, survey_only=False)
    practice = _weighted_coverage(book, readings, survey_only=True)
    factors = [
        _margin(book, fits, rules.margin),
        _factor("evidence", f"{coverage:.0%} of the evidence present", coverage, rules.coverage),
        _respondents(facts, rules.respondents),
    ]
    agreement = _agreement(readings, facts, rules.disagreement)
    if agreement is not None:
        factors.append(agreement)
    level = min((f.level for f in factors), key=LEVELS.index)
    surveyed = facts.assessment is not None and facts.assessment.respondents > 0
    if coverage < rules.insufficient_coverage or (
        surveyed and practice is not None and practice < rules.insufficient_practice_coverage
    ):
        level = INSUFFICIENT
    reason = "; ".join(f"{f.text} ({f.level})" for f in factors)
    return Confidence(level, reason, tuple(factors), coverage, practice if surveyed else None)


def _weighted_coverage(
    book: RuleBook, readings: Mapping[str, Reading], *, survey_only: bool
) -> float:
    dims = [d for d in book.dimensions if not survey_only or _is_survey(d.input)]
    total = sum(d.weight for d in dims)
    return sum(d.weight * readings[d.id].coverage for d in dims) / total if total else 0.0


def _is_survey(source: object) -> bool:
    return isinstance(source, Input) and bool(source.score or source.scores or source.gap)


def _margin(book: RuleBook, fits: list[tuple[str, float]], levels: Levels) -> ConfidenceFactor:
    (top, first), (second, runner) = fits[0], fits[1]
    margin = first - runner
    text = f"{book.model(top).name} leads {book.model(second).name} by {margin:.1f} points"
    return _factor("margin", text, margin, levels)


def _respondents(facts: Facts, levels: Levels) -> ConfidenceFactor:
    count = facts.assessment.respondents if facts.assessment else 0
    if count == 0:
        return ConfidenceFactor("respondents", "no practice survey", "low")
    noun = "respondent" if count == 1 else "respondents"
    return _factor("respondents", f"{count} {noun}", count, levels)


def _agreement(
    readings: Mapping[str, Reading], facts: Facts, levels: Levels
) -> ConfidenceFactor | None:
    """Share of the survey scores used on which respondents disagree widely (IQR >= 25)."""
    keys = sorted({k for r in readings.values() for k in r.scores})
    if not keys:
        return None
    split = [k for k in keys if facts.disagrees(k)]
    share = len(split) / len(keys)
    text = f"respondents agree on {len(keys) - len(split)} of {len(keys)} scores used"
    level = "high" if share <= levels.high else "medium" if share <= levels.medium else "low"
    return ConfidenceFactor("agreement", text, level)


def _factor(name: str, text: str, value: float, levels: Levels) -> ConfidenceFactor:
    level = "high" if value >= levels.high else "medium" if value >= levels.medium else "low"
    return ConfidenceFactor(name, text, level)
