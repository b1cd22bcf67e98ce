"""What a sustained trend would do to the decision: computed from two quarters, never by hand.

With last quarter's headline figures at hand, each measured metric's change from then to now is
taken as its trend and carried forward one quarter at a time, every other piece of evidence
fixed: the first quarter in which the projected figure's tier hands the lead to another model is
reported ("if recovery time keeps rising as it did since 2026Q2 ... in 7 more quarters ...").
Rates (change failure rate, rework) move by the same number of points a quarter, capped to
0-100 %; durations and frequencies by the same ratio, so they never turn negative. Last, every
trend together. A trend is not a forecast: the report says so beside these lines.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from ..dora import METRICS, metric_display
from .facts import METRIC_WORDS, Facts, observe, rework_tier
from .matrix import leader
from .result import Recommendation, TrendChange
from .rules import RuleBook

MAX_QUARTERS = 8
"""How far a trend is carried: two years. Beyond that a straight line says little."""
ALL = "all"
"""``TrendChange.metric`` when every measured trend continues together."""

TierOf = Callable[[str, float], str | None]
"""A figure's DORA tier (``Benchmark.tier``): the recommendation reads tiers, not figures."""


def trend_changes(
    book: RuleBook,
    facts: Facts,
    previous: Mapping[str, float | None],
    tier_of: TierOf,
    since: str,
) -> tuple[TrendChange, ...]:
    """Each metric's trend since ``previous`` (its headline figures, period ``since``) that
    would change the leader within :data:`MAX_QUARTERS`, nearest first, then all together."""
    now = leader(book, _values(book, facts))
    trends = {
        m: (prev, cur)
        for m in METRICS
        if (prev := previous.get(m)) is not None
        and (cur := facts.measured.get(m)) is not None
        and project(m, prev, cur, 1) != cur
    }
    found = [
        flip
        for m, trend in trends.items()
        if (flip := _first_flip(book, facts, now, {m: trend}, tier_of, since))
    ]
    found.sort(key=lambda t: (t.quarters, METRICS.index(t.metric)))
    if len(trends) > 1 and (together := _first_flip(book, facts, now, trends, tier_of, since)):
        found.append(together)
    return tuple(found)


def project(metric: str, previous: float, current: float, quarters: int) -> float:
    """The figure after ``quarters`` more quarters of the change from ``previous`` to
    ``current``: by points for a rate (kept within 0-1), by ratio for anything else."""
    if _is_rate(metric):
        return min(1.0, max(0.0, current + quarters * (current - previous)))
    if previous <= 0 or current <= 0:
        return current  # no ratio to carry forward
    return current * (current / previous) ** quarters


def _first_flip(
    book: RuleBook,
    facts: Facts,
    now: str,
    trends: Mapping[str, tuple[float, float]],
    tier_of: TierOf,
    since: str,
) -> TrendChange | None:
    for quarters in range(1, MAX_QUARTERS + 1):
        figures = {m: project(m, p, c, quarters) for m, (p, c) in trends.items()}
        moved = _with_figures(facts, figures, tier_of)
        model = leader(book, _values(book, moved))
        if model != now:
            return _describe(book, trends, figures, moved, quarters, model, since)
    return None


def _with_figures(facts: Facts, figures: Mapping[str, float], tier_of: TierOf) -> Facts:
    tiers = dict(facts.tiers)
    for metric, value in figures.items():
        tiers[metric] = rework_tier(value) if metric == "rework_rate" else tier_of(metric, value)
    return replace(facts, tiers=tiers, measured={**facts.measured, **figures})


def _values(book: RuleBook, facts: Facts) -> dict[str, float | str | None]:
    return {d.id: observe(d, facts).value for d in book.dimensions}


def _describe(
    book: RuleBook,
    trends: Mapping[str, tuple[float, float]],
    figures: Mapping[str, float],
    moved: Facts,
    quarters: int,
    model: str,
    since: str,
) -> TrendChange:
    name = book.model(model).name
    when = f"in {quarters} more quarter{'s' if quarters > 1 else ''}"
    if len(trends) > 1:
        text = (
            f"If every measured trend since {since} continues, {when} {name} would lead "
            f"({'; '.join(_now_then(m, *trends[m], figures[m], moved) for m in trends)})."
        )
        return TrendChange(ALL, None, None, None, None, quarters, model, name, text)
    ((metric, (prev, cur)),) = trends.items()
    value, tier = figures[metric], moved.tiers.get(metric)
    text = (
        f"If {METRIC_WORDS[metric]} keeps {_direction(metric, prev, cur)} as it did since "
        f"{since} ({figure(metric, prev)} → {figure(metric, cur)}), {when} it would be "
        f"{figure(metric, value)}{f' ({tier})' if tier else ''}: {name} would lead."
    )
    return TrendChange(metric, prev, cur, value, tier, quarters, model, name, text)


def _now_then(metric: str, prev: float, cur: float, value: float, moved: Facts) -> str:
    tier = moved.tiers.get(metric)
    return f"{METRIC_WORDS[metric]} {figure(metric, cur)} → {figure(metric, value)}" + (
        f" ({tier})" if tier else ""
    )


def _direction(metric: str, prev: float, cur: float) -> str:
    rising = cur > prev
    better = rising if metric_display()[metric].higher_is_better else not rising
    return f"{'rising' if rising else 'falling'} ({'improving' if better else 'worsening'})"


def _is_rate(metric: str) -> bool:
    """A share (``data/metrics.yaml``: format ``rate``): projected by points a quarter, kept in 0-1."""
    return metric_display()[metric].format == "rate"


def figure(metric: str, value: float) -> str:
    """A headline figure in words: a share in %, a duration in hours or days, a frequency."""
    if _is_rate(metric):
        return f"{100 * value:.1f} %"
    if metric_display()[metric].format == "per_week":
        return f"{value:.1f} deployments a week"
    if value >= 48:
        return f"{value / 24:.1f} days"
    return f"{value:.1f} h"


def trend_lines(rec: Recommendation) -> list[str]:
    """What the page and the terminal say about trends: each one that would change the
    lead, or that none would; nothing without a previous report."""
    if rec.trend_since is None:
        return []
    if rec.trends:
        return [t.text for t in rec.trends]
    years = MAX_QUARTERS // 4
    return [
        f"No measured trend since {rec.trend_since}, sustained for up to {years} years, "
        "would change the lead."
    ]


TREND_NOTE = (
    "Trends: each metric's change since {since} carried forward quarter by quarter, "
    "all else as today; a what-if, not a forecast."
)
