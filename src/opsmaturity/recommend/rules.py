"""The recommendation's rule book: models, decision-matrix dimensions, roadmap actions.

All of it is data in ``data/recommendation_rules.yaml``; this module only reads and checks
it, so a wrong file fails with ``file:line: field: reason`` before any recommendation runs.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .. import yamlpos
from ..dora import METRICS
from ..errors import ConfigError
from ..resources import data_dir

Horizon = Literal["next quarter", "next year"]
Effort = Literal["S", "M", "L"]
TeamTypeName = Literal["stream-aligned", "platform", "enabling", "complicated-subsystem"]
Profile = Literal["software", "infrastructure-critical", "regulated"]
PROFILES: tuple[str, ...] = ("software", "infrastructure-critical", "regulated")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TeamType(_Model):
    type: TeamTypeName
    role: str
    interaction: Literal["collaboration", "X-as-a-Service", "facilitating"]


class ActionDef(_Model):
    title: str = Field(..., min_length=1)
    area: str | None = None
    metric: str | None = None
    owner: TeamTypeName
    effort: Effort
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


class Effect(_Model):
    """What one dimension does to one model, and why in plain words."""

    amounts: tuple[float, ...] | dict[str, float] | None = None
    coefficient: float | None = None
    for_: str = Field("", alias="for")
    against: str = ""


class Input(_Model):
    """Where a linear dimension reads its evidence (exactly one field set, rework optional)."""

    tiers: tuple[str, ...] | None = None
    rework: str | None = None
    score: str | None = None
    scores: tuple[str, ...] | None = None
    gap: tuple[str, str] | None = None
    team_spread: float | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Input:
        set_ = [f for f in ("tiers", "score", "scores", "gap", "team_spread") if getattr(self, f)]
        if len(set_) != 1:
            raise ValueError("set exactly one of tiers, score, scores, gap, team_spread")
        return self


class Dimension(_Model):
    id: str
    name: str
    kind: Literal["anchored", "categorical", "linear"]
    input: Literal["engineers", "teams", "profile"] | Input
    weight: float = Field(..., gt=0)
    anchors: tuple[float, ...] | None = None
    rationale: str = Field(..., min_length=1)
    collect: str = Field(..., min_length=1)
    models: dict[str, Effect]

    @model_validator(mode="after")
    def _shape(self) -> Dimension:
        for model, effect in self.models.items():
            if self.kind == "linear" and effect.coefficient is None:
                raise ValueError(f"{model}: a linear dimension needs a coefficient")
            if self.kind == "anchored" and (
                not isinstance(effect.amounts, tuple)
                or self.anchors is None
                or len(effect.amounts) != len(self.anchors)
            ):
                raise ValueError(f"{model}: needs one amount per anchor")
            if self.kind == "categorical" and (
                not isinstance(effect.amounts, dict) or set(effect.amounts) != set(PROFILES)
            ):
                raise ValueError(f"{model}: needs an amount for each of {', '.join(PROFILES)}")
        return self


class Levels(_Model):
    high: float
    medium: float


class ConfidenceRules(_Model):
    margin: Levels
    coverage: Levels
    respondents: Levels
    disagreement: Levels
    insufficient_coverage: float = Field(..., ge=0, le=1)
    insufficient_practice_coverage: float = Field(..., ge=0, le=1)


class RuleBook(_Model):
    models: tuple[ModelDef, ...] = Field(..., min_length=2)
    size_axis: tuple[str, ...]
    dimensions: tuple[Dimension, ...] = Field(..., min_length=1)
    confidence: ConfidenceRules
    area_actions: dict[str, ActionDef]
    metric_actions: dict[str, ActionDef]

    def model(self, model_id: str) -> ModelDef:
        return next(m for m in self.models if m.id == model_id)

    def dimension(self, dimension_id: str) -> Dimension:
        return next(d for d in self.dimensions if d.id == dimension_id)


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
    for where, problem in _cross_checks(book):
        raise ConfigError(f"{doc.path}:{doc.line_of(where)}: {problem}")
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


def _cross_checks(book: RuleBook) -> list[tuple[list[Any], str]]:
    """References between parts of the file: unknown models, metrics, size-axis order."""
    models = {m.id for m in book.models}
    problems: list[tuple[list[Any], str]] = []
    for i, dim in enumerate(book.dimensions):
        for model in dim.models:
            if model not in models:
                problems.append((["dimensions", i, "models", model], f"unknown model {model!r}"))
        tiers = dim.input.tiers if isinstance(dim.input, Input) else None
        for metric in tiers or ():
            if metric not in METRICS:
                problems.append((["dimensions", i, "input"], f"unknown metric {metric!r}"))
    for model in book.size_axis:
        if model not in models:
            problems.append((["size_axis"], f"unknown model {model!r}"))
    for metric in book.metric_actions:
        if metric not in METRICS:
            where = ["metric_actions", metric]
            problems.append((where, f"metric_actions: unknown metric {metric!r}"))
    return problems
