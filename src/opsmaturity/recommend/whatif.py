"""What would change the decision: computed by searching each dimension, never written by hand.

For every dimension with data, the search moves its reading away from today's value (up and
down) with every other reading fixed, and reports the nearest value at which another model
would lead: e.g. "at about 410 engineers (now 120) SRE + platform would lead".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from .facts import METRIC_WORDS, TIER_READING, score_words
from .matrix import Value, amount, cells, leader
from .result import Change
from .rules import PROFILES, Dimension, Input, RuleBook

MAX_COUNT = {"engineers": 100_000, "teams": 1_000}
STEP = 0.01
"""Reading step for linear dimensions (half a score point)."""
MAX_CHANGES = 8


def changes(
    book: RuleBook,
    values: Mapping[str, Value],
    bounds: Mapping[str, tuple[float, float]] | None = None,
) -> tuple[Change, ...]:
    """The nearest change per dimension and direction that hands the lead to another model;
    ``bounds`` limits a linear reading to what its evidence can reach (default -1..+1)."""
    current = leader(book, values)
    found: list[tuple[float, Change]] = []
    for dim in book.dimensions:
        if values.get(dim.id) is None:
            continue
        reach = (bounds or {}).get(dim.id, (-1.0, 1.0))
        for distance, value, model in _flips(book, dim, values, current, reach):
            found.append((distance, _describe(book, dim, values[dim.id], value, model)))
    found.sort(key=lambda dc: dc[0])
    return tuple(c for _, c in found[:MAX_CHANGES])


def _flips(
    book: RuleBook,
    dim: Dimension,
    values: Mapping[str, Value],
    current: str,
    reach: tuple[float, float],
) -> list[tuple[float, Value, str]]:
    """(distance, new value, new leader) for the nearest flip in each direction."""

    table = cells(book, values)
    others = {m: sum(v for d, v in row.items() if d != dim.id) for m, row in table.items()}
    order = {m.id: i for i, m in enumerate(book.models)}

    def lead_at(value: Value) -> str:
        """The leader with only this dimension changed (the others' sums are fixed)."""
        fits = {
            m: round(rest + dim.weight * amount(dim, m, value), 9) for m, rest in others.items()
        }
        return min(fits, key=lambda m: (-fits[m], order[m]))

    now = values[dim.id]
    if dim.kind == "categorical":
        return [(1.0, p, m) for p in PROFILES if p != now and (m := lead_at(p)) != current]
    assert isinstance(now, float)
    if dim.kind == "anchored":
        top = float(MAX_COUNT[str(dim.input)])
        return [
            flip
            for end in (top, 1.0)
            if (flip := _search_count(now, end, lead_at, current)) is not None
        ]
    if isinstance(dim.input, Input) and dim.input.tiers:
        return _search_tiers(now, lead_at, current)
    return [flip for end in reach[::-1] if (flip := _search_reading(now, end, lead_at, current))]


def _search_tiers(
    now: float, lead_at: Callable[[Value], str], current: str
) -> list[tuple[float, Value, str]]:
    """Measured evidence moves a tier at a time: the nearest whole tier, up and down, that
    hands the lead to another model (every metric of the dimension in that tier)."""
    flips: list[tuple[float, Value, str]] = []
    for side in (1, -1):
        levels = sorted(
            (r for r in TIER_READING.values() if (r - now) * side > 1e-9),
            key=lambda r: abs(r - now),
        )
        for reading in levels:
            if (model := lead_at(reading)) != current:
                flips.append((abs(reading - now), reading, model))
                break
    return flips


def _search_count(
    now: float, end: float, lead_at: Callable[[Value], str], current: str
) -> tuple[float, Value, str] | None:
    """Scan whole counts geometrically toward ``end``, then bisect to the first that flips."""
    up = end > now
    previous = x = round(now)
    while x < end if up else x > end:
        x = (
            min(int(end), max(x + 1, round(x * 1.02)))
            if up
            else max(int(end), min(x - 1, round(x / 1.02)))
        )
        if lead_at(float(x)) != current:
            lo, hi = previous, x  # the lead is `current` at lo and another model's at hi
            while abs(hi - lo) > 1:
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if lead_at(float(mid)) == current else (lo, mid)
            return abs(_log_ratio(hi, now)), float(hi), lead_at(float(hi))
        previous = x
    return None


def _log_ratio(a: float, b: float) -> float:
    return math.log(a / b) / math.log(10)


def _search_reading(
    now: float, end: float, lead_at: Callable[[Value], str], current: str
) -> tuple[float, Value, str] | None:
    step = STEP if end > now else -STEP
    n = 1
    while True:
        value = now + n * step
        if (step > 0 and value > end + 1e-9) or (step < 0 and value < end - 1e-9):
            return None
        if (model := lead_at(round(value, 4))) != current:
            return abs(value - now), round(value, 4), model
        n += 1


def _describe(book: RuleBook, dim: Dimension, now: Value, value: Value, model: str) -> Change:
    name = book.model(model).name
    threshold = _threshold(dim, now, value)
    return Change(
        dimension=dim.id,
        dimension_name=dim.name,
        model_id=model,
        model_name=name,
        threshold=threshold,
        value=value,
        text=f"{threshold}: {name} would lead.",
    )


def _threshold(dim: Dimension, now: Value, value: Value) -> str:
    """The changed evidence in words, with today's value for comparison."""
    if dim.kind == "categorical":
        return f"If the organization were {value} (now {now})"
    assert isinstance(now, float) and isinstance(value, float)
    if dim.kind == "anchored":
        noun = str(dim.input)
        word = "At" if value > now else "Below"
        shown = _about(value) if value > now else _about(value + 1)
        return f"{word} about {shown} {noun} (now {now:.0f})"
    source = dim.input
    assert isinstance(source, Input)
    up = value > now
    if source.tiers:
        words = [METRIC_WORDS[m] for m in (*source.tiers, source.rework) if m]
        metrics = ", ".join(words[:-1]) + f" and {words[-1]}" if len(words) > 1 else words[0]
        return f"If {metrics} were all {_tier_words(value)} (now {_tier_words(now)})"
    if source.gap:
        a, b = (score_words(k) for k in source.gap)
        return f"If {a} were {_gap_words(value)} {b} (now {_gap_words(now)})"
    if source.team_spread:
        center = source.team_spread
        return (
            f"If the gap between teams {'widened' if up else 'narrowed'} to "
            f"{center + center * value:.0f} points (now {center + center * now:.0f})"
        )
    return (
        f"If {dim.name} scored {'at least' if up else 'at most'} "
        f"{50 + 50 * value:.0f}/100 (now {50 + 50 * now:.0f})"
    )


def _about(value: float) -> str:
    """Two significant figures: the search is exact, the advice should not pretend to be."""
    digits = max(0, len(str(int(value))) - 2)
    return f"{round(value, -digits):,.0f}"


def _tier_words(reading: float) -> str:
    """A tier reading in words: a tier, or the two tiers an average falls between."""
    ordered = sorted(TIER_READING.items(), key=lambda tr: -tr[1])
    for (upper, high), (lower, low) in zip(ordered, ordered[1:], strict=False):
        if abs(reading - high) < 1e-6:
            return upper
        if low < reading < high:
            return f"between {lower} and {upper} on average"
    return ordered[-1][0]


def _gap_words(reading: float) -> str:
    points = 50 * reading
    if abs(points) < 0.5:
        return "level with"
    return f"{abs(points):.0f} points {'behind' if points < 0 else 'ahead of'}"
