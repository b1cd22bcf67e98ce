"""The DORA metric sections of the context, from the metrics engine's typed results."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from ..dora import METRICS, metric_display
from ..metrics import MetricDefinition, ScopeMetrics
from ..metrics.model import (
    ChangeFailureRate,
    DeploymentFrequency,
    LeadTime,
    RecoveryTime,
    ReworkRate,
)
from . import charts
from . import format as fmt
from .context import BenchmarkRow, Delta, MetricView, RepositoryRow, ScopeRow
from .data import Change, ReportData
from .quarter import drivers

Result = DeploymentFrequency | LeadTime | ChangeFailureRate | RecoveryTime | ReworkRate

BUCKETS = {
    "on_demand": "On demand (daily or more)",
    "daily_weekly": "Between once per day and once per week",
    "weekly_monthly": "Between once per week and once per month",
    "monthly_six_monthly": "Between once per month and once every six months",
    "fewer": "Fewer than once every six months",
}
FORMAT: dict[str, Callable[[float | None], str]] = {
    "per_week": fmt.per_week,
    "hours": fmt.hours,
    "rate": fmt.rate,
    "score": fmt.score,
}


def result(scope: ScopeMetrics | None, metric: str) -> Result | None:
    """One metric's result in a scope; None for a scope that was not measured."""
    return None if scope is None else getattr(scope, metric)


def metric_name(metric: str | None) -> str:
    """A metric's name (``data/metrics.yaml``); a dash when there is no metric."""
    if metric is None:
        return fmt.DASH
    return metric_display()[metric].name


def headline_text(metric: str, value: float | None) -> str:
    return FORMAT[metric_display()[metric].format](value)


def missing_text(data: ReportData, scope: str, name: str) -> str:
    """What was not collected for one scope, comma-separated; empty when complete or unknown."""
    return ", ".join(data.completeness.missing(scope, name)) if data.completeness else ""


def scope_row(
    metric: str, scope: ScopeMetrics | None, name: str | None = None, missing: str = ""
) -> ScopeRow:
    """One scope's figure for one metric, as a table row (dashes for an unmeasured scope);
    ``missing`` marks it partial."""
    shown = metric_display()[metric]
    r = result(scope, metric)
    value = getattr(r, shown.headline) if r else None
    tier = getattr(r, "tier", None)
    return ScopeRow(
        name=name if name is not None else (scope.name if scope else ""),
        value=value,
        text=headline_text(metric, value),
        tier=tier,
        tier_label=fmt.tier(tier),
        sample=fmt.count(getattr(r, shown.sample_field) if r else None, shown.sample_noun),
        extra=_extra(r),
        missing=missing,
    )


def _extra(r: Result | None) -> str:
    if isinstance(r, DeploymentFrequency):
        return fmt.count(r.deployment_days, "deployment days")
    if isinstance(r, LeadTime | RecoveryTime):
        return "p90 " + fmt.hours(r.p90_hours)
    if isinstance(r, ChangeFailureRate):
        return f"{r.failed} failed of {r.deployments}"
    if isinstance(r, ReworkRate):
        return f"{r.rework} of {r.deployments}"
    return f"{fmt.DASH} of {fmt.DASH}"


def _details(metric: str, scope: ScopeMetrics | None) -> list[tuple[str, str]]:
    r = result(scope, metric)
    if r is None:
        return []
    if isinstance(r, DeploymentFrequency):
        return [
            ("DORA answer bucket", BUCKETS[r.bucket] if r.bucket else fmt.DASH),
            ("Deployments", fmt.count(r.deployments, "deployments")),
            ("Days with a deployment", f"{r.deployment_days} of {r.days}"),
            ("Per day", fmt.DASH if r.per_day is None else f"{r.per_day:.2f}"),
        ]
    if isinstance(r, LeadTime):
        return [
            ("Median", fmt.hours(r.median_hours)),
            ("75th percentile", fmt.hours(r.p75_hours)),
            ("90th percentile", fmt.hours(r.p90_hours)),
            ("Starts at", fmt.label(r.start)),
        ]
    if isinstance(r, RecoveryTime) and scope is not None:
        return [
            ("Median", fmt.hours(r.median_hours)),
            ("90th percentile", fmt.hours(r.p90_hours)),
            ("Not yet recovered", str(r.unrecovered)),
            ("Incident MTTR (opened → resolved)", fmt.hours(scope.incident_mttr.median_hours)),
        ]
    if isinstance(r, ChangeFailureRate):
        return [("Failed deployments", _extra(r))] + [
            (f"Marked by rule: {rule}", str(n)) for rule, n in r.by_rule.items()
        ]
    return [("Rework deployments", _extra(r))]


def build_metric(metric: str, data: ReportData, definition: MetricDefinition) -> MetricView:
    org = data.organization_scope
    row = scope_row(metric, org)
    return MetricView(
        id=metric,
        name=definition.name,
        short=metric_display()[metric].short,
        definition=definition.summary,
        method=definition.definition,
        value=row.value,
        text=row.text,
        tier=row.tier,
        tier_label=row.tier_label,
        sample=row.sample,
        details=_details(metric, org),
        warnings=metric_warnings(metric, org),
        delta=_delta(metric, data),
        benchmark=_benchmark_rows(metric, data, row.tier),
        trend_chart=_trend(metric, data),
        trend_label=_trend_label(metric, data),
        teams=[
            scope_row(metric, s, missing=missing_text(data, "team", s.name))
            for s in data.scopes("team")
        ],
        drivers=drivers_text(metric, data),
        missing=missing_text(data, "organization", org.name) if org else "",
    )


MAX_DRIVERS = 2
"""Teams named on each side; the rest are counted."""


def drivers_text(metric: str, data: ReportData) -> str:
    """One line under a headline delta: the teams that drove it and those that went against
    it, e.g. ``Driven by Warehouse (−12.0 h) and Catalog (−3.1 h); Checkout went the other
    way (+2.0 h).``; empty without a previous report or a change."""
    deltas = data.deltas
    if data.previous is None or len(deltas.teams) < 2:
        return ""
    found = drivers(deltas.metrics[metric], deltas.teams, metric)
    kind = metric_display()[metric].format
    out = []
    if found.along:
        out.append(f"Driven by {_teams(found.along, kind)}")
    if found.against:
        out.append(f"{_teams(found.against, kind)} went the other way")
    return "; ".join(out) + "." if out else ""


def _teams(moved: tuple[tuple[str, float], ...], kind: str) -> str:
    named = [f"{team} ({fmt.signed(change, kind)})" for team, change in moved[:MAX_DRIVERS]]
    rest = len(moved) - MAX_DRIVERS
    if rest > 0:
        named.append(f"{rest} more team{'s' if rest > 1 else ''}")
    return " and ".join(named) if len(named) <= 2 else ", ".join(named[:-1]) + f" and {named[-1]}"


def metric_warnings(metric: str, scope: ScopeMetrics | None) -> list[str]:
    """The scope's caveats about this metric, and the reason when its value is unknown."""
    if scope is None:
        return []
    out = []
    reason = getattr(scope, metric).reason
    if reason:
        out.append(f"Not known: {reason}.")
    out += [w.message for w in scope.warnings if w.metric == metric]
    return out


def other_warnings(scope: ScopeMetrics | None) -> list[str]:
    """Caveats that qualify none of the five metrics (incident MTTR...)."""
    if scope is None:
        return []
    return [w.message for w in scope.warnings if w.metric not in METRICS]


def _delta(metric: str, data: ReportData) -> Delta | None:
    if data.previous is None:
        return None
    shown = metric_display()[metric]
    return make_delta(data.deltas.metrics[metric], shown.format, shown.higher_is_better)


def make_delta(d: Change, kind: str, higher_is_better: bool) -> Delta:
    """Signed change, whether it is an improvement, and the previous figure."""
    change = d.change
    if change is None:
        direction = "unknown"
    elif change == 0:
        direction = "same"
    else:
        direction = "better" if (change > 0) == higher_is_better else "worse"
    return Delta(
        text=fmt.signed(change, kind), direction=direction, previous=FORMAT[kind](d.previous)
    )


def _benchmark_rows(metric: str, data: ReportData, ours: str | None) -> list[BenchmarkRow]:
    return [
        BenchmarkRow(
            tier=b.tier,
            label=fmt.tier(b.tier),
            text=b.label,
            confidence=b.confidence,
            ours=b.tier == ours,
        )
        for b in data.benchmark.bands.get(metric, ())  # rework rate has no DORA tiers
    ]


def _trend(metric: str, data: ReportData) -> str | None:
    points = [p for p in data.metrics.trend if p.scope == "organization"]
    monthly = data.metrics.trend_bucket == "month"
    labels = tuple(_bucket_label(p.start, monthly) for p in points)
    shown = metric_display()[metric]
    formatter = fmt.rate if shown.format == "rate" else _plain
    values = tuple(getattr(p, shown.trend_field) for p in points)
    return charts.trend(labels, values, formatter=formatter)


def _plain(value: float) -> str:
    return f"{value:g}"


def _trend_label(metric: str, data: ReportData) -> str:
    bucket = data.metrics.trend_bucket or "week"
    return f"{metric_display()[metric].trend_label}, by {bucket}, organization"


def _bucket_label(day: date, monthly: bool) -> str:
    return f"{day:%b %Y}" if monthly else f"{day.day} {day:%b}"


MAX_REPOSITORY_ROWS = 60
"""Beyond this the PDF shows the most-deployed repositories; the CSV and JSON hold all."""


def repository_rows(data: ReportData) -> tuple[list[RepositoryRow], int]:
    """Rows for the appendix (by name), and how many repositories were left out."""
    repos = data.scopes("repository")
    shown = repos
    if len(repos) > MAX_REPOSITORY_ROWS:
        busiest = sorted(repos, key=_deployments, reverse=True)[:MAX_REPOSITORY_ROWS]
        shown = sorted(busiest, key=lambda s: s.name)
    rows = [
        RepositoryRow(
            name=s.name,
            figures=[scope_row(m, s) for m in METRICS],
            missing=missing_text(data, "repository", s.name),
        )
        for s in shown
    ]
    return rows, len(repos) - len(shown)


def _deployments(scope: ScopeMetrics) -> int:
    return scope.deployment_frequency.deployments
