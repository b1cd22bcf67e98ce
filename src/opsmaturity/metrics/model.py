"""Result types: every number with its unit, sample size, tier, score and caveats.

The JSON names written by :meth:`MetricsReport.to_json` are a stable contract (issue 4);
fields may be added, never renamed. Rates are fractions 0–1; unknown is ``None`` with a
``reason``, never 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True, slots=True)
class Caveat:
    """A warning that qualifies a result: what, for which metric, and how many."""

    code: str
    message: str
    metric: str | None = None
    count: int | None = None


@dataclass(frozen=True, slots=True)
class DeploymentFrequency:
    deployments: int
    per_week: float | None
    per_day: float | None
    deployment_days: int
    days: int
    bucket: str | None
    tier: str | None
    score: float | None
    reason: str | None = None
    unit: str = "deployments per week"


@dataclass(frozen=True, slots=True)
class LeadTime:
    median_hours: float | None
    p75_hours: float | None
    p90_hours: float | None
    n: int
    start: str
    tier: str | None
    score: float | None
    reason: str | None = None
    unit: str = "hours"


@dataclass(frozen=True, slots=True)
class ChangeFailureRate:
    value: float | None
    failed: int
    deployments: int
    by_rule: dict[str, int]
    tier: str | None
    score: float | None
    reason: str | None = None
    unit: str = "fraction"


@dataclass(frozen=True, slots=True)
class RecoveryTime:
    median_hours: float | None
    p90_hours: float | None
    n: int
    unrecovered: int
    tier: str | None
    score: float | None
    reason: str | None = None
    unit: str = "hours"


@dataclass(frozen=True, slots=True)
class ReworkRate:
    value: float | None
    rework: int
    deployments: int
    score: float | None
    reason: str | None = None
    unit: str = "fraction"


@dataclass(frozen=True, slots=True)
class IncidentMTTR:
    """Plain incident time to restore (opened → resolved), for SysOps-style reporting."""

    median_hours: float | None
    p90_hours: float | None
    n: int
    open: int
    reason: str | None = None
    unit: str = "hours"


@dataclass(frozen=True, slots=True)
class ScopeMetrics:
    """All metrics of one scope: the organization, a team or a repository."""

    scope: str
    name: str
    deployment_frequency: DeploymentFrequency
    lead_time_for_changes: LeadTime
    change_failure_rate: ChangeFailureRate
    failed_deployment_recovery_time: RecoveryTime
    rework_rate: ReworkRate
    incident_mttr: IncidentMTTR
    overall_tier: str | None
    score: float | None
    warnings: tuple[Caveat, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out = plain(self)
        out["warnings"] = [plain(w) for w in self.warnings]
        return out


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One scope's headline figures in one week, month or quarter (clipped to the period)."""

    scope: str
    name: str
    bucket: str
    start: date
    end: date
    days: int
    deployments: int
    per_week: float
    deployment_days: int
    lead_time_median_hours: float | None
    lead_time_n: int
    change_failure_rate: float | None
    failed: int
    recovery_median_hours: float | None
    recovery_n: int
    rework_rate: float | None

    def to_json(self) -> dict[str, Any]:
        out = plain(self)
        out["start"], out["end"] = self.start.isoformat(), self.end.isoformat()
        return out


@dataclass(frozen=True, slots=True)
class FailedDeployment:
    """A failed deployment in the period and the rules that marked it."""

    repository: str
    id: str
    finished_at: str
    rules: tuple[str, ...]
    recovery_hours: float | None


@dataclass(frozen=True)
class MetricsReport:
    """The metrics of a period for every scope, plus the trend; see :meth:`to_json`."""

    start: date
    end: date
    benchmark: str
    timezone: str
    lead_time_start: str
    scopes: tuple[ScopeMetrics, ...]
    trend_bucket: str
    trend: tuple[TrendPoint, ...]
    failed_deployments: tuple[FailedDeployment, ...] = field(default=())

    def scope(self, scope: str, name: str | None = None) -> ScopeMetrics:
        """The result of one scope, e.g. ``report.scope("team", "payments")``."""
        for s in self.scopes:
            if s.scope == scope and (name is None or s.name == name):
                return s
        raise KeyError(f"no {scope} scope named {name!r}")

    def to_json(self) -> dict[str, Any]:
        return {
            "period": {"start": self.start.isoformat(), "end": self.end.isoformat()},
            "benchmark": self.benchmark,
            "timezone": self.timezone,
            "lead_time_start": self.lead_time_start,
            "scopes": [s.to_json() for s in self.scopes],
            "trend_bucket": self.trend_bucket,
            "trend": [t.to_json() for t in self.trend],
            "failed_deployments": [plain(f) for f in self.failed_deployments],
        }


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def plain(value: Any) -> Any:
    """``dataclasses.asdict`` without its deep copies of every leaf: seconds at thousands
    of scopes and failed deployments, for values that are immutable anyway."""
    kind = type(value)
    names = _FIELD_NAMES.get(kind)
    if names is None and is_dataclass(value):
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(value))
    if names is not None:
        return {name: plain(getattr(value, name)) for name in names}
    if kind is tuple or kind is list:
        return kind(plain(v) for v in value)
    return value
