"""The recommendation's typed result, its JSON form and the way back from JSON.

The report reads these objects (``Recommendation.from_json`` on a saved report), never the
raw dict, so a renamed field fails in one place.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class DimensionView:
    """One row of the decision matrix: the evidence read and how complete it is."""

    id: str
    name: str
    weight: float
    evidence: str
    """The reading in plain words, e.g. ``120 engineers``."""
    coverage: float
    """Share of this dimension's evidence present, 0-1."""
    rationale: str
    collect: str
    """What to gather when evidence is missing."""


@dataclass(frozen=True)
class ModelFit:
    """One model's fit: its rank, total and the signed amount from each dimension."""

    model_id: str
    name: str
    rank: int
    fit: float
    contributions: dict[str, float]


@dataclass(frozen=True)
class Reason:
    """A dimension's contribution to a model, in plain words."""

    dimension: str
    dimension_name: str
    model_id: str
    points: float
    text: str
    rationale: str


@dataclass(frozen=True)
class Change:
    """A computed condition under which another model would lead."""

    dimension: str
    dimension_name: str
    model_id: str
    model_name: str
    threshold: str
    """The changed evidence, e.g. ``At about 410 engineers (now 120)``."""
    value: float | str | None
    """The exact reading found: a count, a profile, or a -1..+1 reading."""
    text: str


@dataclass(frozen=True)
class TrendChange:
    """A measured trend that, sustained, would hand the lead to another model."""

    metric: str
    """Metric id, or ``all`` for every measured trend together."""
    previous: float | None
    """The figure last quarter (None for ``all``)."""
    current: float | None
    """The figure this quarter (None for ``all``)."""
    projected: float | None
    """The figure after ``quarters`` more quarters of the same trend (None for ``all``)."""
    tier: str | None
    """The projected figure's tier."""
    quarters: int
    """More quarters of the same trend until another model would lead."""
    model_id: str
    model_name: str
    text: str


@dataclass(frozen=True)
class ConfidenceFactor:
    """One of the four things confidence rests on, with its own level."""

    name: str
    text: str
    level: str


@dataclass(frozen=True)
class RoadmapAction:
    """One action, justified only by a weakness: the metric it should move and who owns it."""

    rank: int
    title: str
    practice_area: str | None
    practice_area_name: str | None
    area_score: float | None
    metric: str | None
    metric_tier: str | None
    direction: str | None
    """``up`` or ``down``: where the metric should go."""
    owner: str
    """Team Topologies team type that owns the action."""
    effort: str
    """S, M or L."""
    horizon: str
    rationale: str


@dataclass(frozen=True)
class TeamLine:
    """A team that lags most, why, and the actions that fit its own weaknesses."""

    team: str
    reason: str
    actions: tuple[str, ...]


@dataclass(frozen=True)
class Recommendation:
    status: str
    """``recommended``, or ``insufficient`` when the evidence cannot carry a recommendation."""
    model_id: str | None
    name: str
    summary: str
    confidence: str
    """``high``, ``medium``, ``low`` or ``insufficient``."""
    confidence_reason: str
    confidence_factors: tuple[ConfidenceFactor, ...]
    coverage: float
    evidence: tuple[Reason, ...]
    """The top model's strongest reasons (at most three)."""
    runner_up_id: str | None
    runner_up_name: str
    why_not: tuple[Reason, ...]
    """Why the runner-up comes second."""
    blend: str
    """When the top two are close: what to borrow from the runner-up; else empty."""
    ranking: tuple[ModelFit, ...]
    dimensions: tuple[DimensionView, ...]
    what_would_change: tuple[Change, ...]
    collect: tuple[str, ...]
    """What evidence to gather next, most valuable first."""
    keep: tuple[str, ...]
    change: tuple[str, ...]
    team_types: tuple[dict[str, str], ...]
    roadmap: tuple[RoadmapAction, ...]
    team_lines: tuple[TeamLine, ...]
    trends: tuple[TrendChange, ...] = ()
    """Measured trends that, sustained, would hand the lead to another model (needs a
    previous report)."""
    trend_since: str | None = None
    """The previous report's period the trends run from; None without one."""

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data, like the metrics engine's ``to_json()``."""
        return _plain(asdict(self))

    @classmethod
    def from_json(cls, data: Any) -> Recommendation:
        """The typed result back from :meth:`to_json` data (a saved report)."""
        return _build(cls, data)


def _plain(value: Any) -> Any:
    """Tuples become lists so the result compares equal to its JSON round trip."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _build(cls: type[T], data: Any) -> T:
    hints = typing.get_type_hints(cls)
    fields = [f for f in dataclasses.fields(cls) if f.name in data]  # type: ignore[arg-type]  # older JSON: defaults
    return cls(**{f.name: _coerce(hints[f.name], data[f.name]) for f in fields})  # type: ignore[arg-type]


def _coerce(hint: Any, value: Any) -> Any:
    origin = typing.get_origin(hint)
    if value is None:
        return None
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return _coerce(inner[0], value)
    if origin is tuple:
        return tuple(_coerce(typing.get_args(hint)[0], v) for v in value)
    if origin is dict:
        return dict(value)
    if dataclasses.is_dataclass(hint):
        return _build(hint, value)  # type: ignore[arg-type]
    return value
