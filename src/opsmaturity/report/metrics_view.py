"""The DORA metric sections of the context, from the metrics engine's JSON."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from . import charts
from . import format as fmt
from .context import BenchmarkRow, Delta, MetricView, RepositoryRow, ScopeRow
from .model import HEADLINE_FIELD, HIGHER_IS_BETTER, METRICS

Json = Mapping[str, Any]

KIND = {
    "deployment_frequency": "per_week",
    "lead_time_for_changes": "hours",
    "change_failure_rate": "rate",
    "failed_deployment_recovery_time": "hours",
    "rework_rate": "rate",
}
SHORT = {
    "deployment_frequency": "Deploy frequency",
    "lead_time_for_changes": "Lead time",
    "change_failure_rate": "Failure rate",
    "failed_deployment_recovery_time": "Recovery time",
    "rework_rate": "Rework rate",
}
SAMPLE = {
    "deployment_frequency": ("deployments", "deployments"),
    "lead_time_for_changes": ("n", "changes"),
    "change_failure_rate": ("deployments", "deployments"),
    "failed_deployment_recovery_time": ("n", "recovered failures"),
    "rework_rate": ("deployments", "deployments"),
}
TREND_FIELD = {
    "deployment_frequency": ("per_week", "Deployments per week"),
    "lead_time_for_changes": ("lead_time_median_hours", "Median hours"),
    "change_failure_rate": ("change_failure_rate", "Failure rate"),
    "failed_deployment_recovery_time": ("recovery_median_hours", "Median hours"),
    "rework_rate": ("rework_rate", "Rework rate"),
}
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


def scopes(data: Json, kind: str) -> list[Json]:
    return [s for s in (data.get("metrics") or {}).get("scopes") or [] if s.get("scope") == kind]


def org_scope(data: Json) -> Json:
    return next(iter(scopes(data, "organization")), {})


def headline_text(metric: str, value: float | None) -> str:
    return FORMAT[KIND[metric]](value)


def scope_row(metric: str, scope: Json, name: str | None = None) -> ScopeRow:
    """One scope's figure for one metric, as a table row."""
    result = scope.get(metric) or {}
    value = result.get(HEADLINE_FIELD[metric])
    key, noun = SAMPLE[metric]
    return ScopeRow(
        name=name if name is not None else str(scope.get("name", "")),
        value=value,
        text=headline_text(metric, value),
        tier=result.get("tier"),
        tier_label=fmt.tier(result.get("tier")),
        sample=fmt.count(result.get(key), noun),
        extra=_extra(metric, result),
    )


def _extra(metric: str, r: Json) -> str:
    if metric == "deployment_frequency":
        return fmt.count(r.get("deployment_days"), "deployment days")
    if metric in ("lead_time_for_changes", "failed_deployment_recovery_time"):
        return "p90 " + fmt.hours(r.get("p90_hours"))
    if metric == "change_failure_rate":
        return f"{r.get('failed', fmt.DASH)} failed of {r.get('deployments', fmt.DASH)}"
    return f"{r.get('rework', fmt.DASH)} of {r.get('deployments', fmt.DASH)}"


def _details(metric: str, scope: Json) -> list[tuple[str, str]]:
    r = scope.get(metric) or {}
    if metric == "deployment_frequency":
        per_day = r.get("per_day")
        return [
            ("DORA answer bucket", BUCKETS.get(r.get("bucket") or "", fmt.DASH)),
            ("Deployments", fmt.count(r.get("deployments"), "deployments")),
            (
                "Days with a deployment",
                f"{r.get('deployment_days', fmt.DASH)} of {r.get('days', fmt.DASH)}",
            ),
            ("Per day", fmt.DASH if per_day is None else f"{per_day:.2f}"),
        ]
    if metric in ("lead_time_for_changes", "failed_deployment_recovery_time"):
        rows = [("Median", fmt.hours(r.get("median_hours")))]
        if "p75_hours" in r:
            rows.append(("75th percentile", fmt.hours(r.get("p75_hours"))))
        rows.append(("90th percentile", fmt.hours(r.get("p90_hours"))))
        if metric == "lead_time_for_changes":
            return [*rows, ("Starts at", fmt.label(str(r.get("start", "commit"))))]
        mttr = scope.get("incident_mttr") or {}
        return [
            *rows,
            ("Not yet recovered", str(r.get("unrecovered", fmt.DASH))),
            ("Incident MTTR (opened → resolved)", fmt.hours(mttr.get("median_hours"))),
        ]
    if metric == "change_failure_rate":
        by_rule = r.get("by_rule") or {}
        return [("Failed deployments", _extra(metric, r))] + [
            (f"Marked by rule: {rule}", str(n)) for rule, n in by_rule.items()
        ]
    return [("Rework deployments", _extra(metric, r))]


def build_metric(metric: str, data: Json, definition: Json) -> MetricView:
    org = org_scope(data)
    row = scope_row(metric, org)
    return MetricView(
        id=metric,
        name=str(definition.get("name") or fmt.label(metric)),
        short=SHORT[metric],
        definition=str(definition.get("summary") or definition.get("definition", "")),
        method=str(definition.get("definition", "")) if "summary" in definition else "",
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
        teams=[scope_row(metric, s) for s in scopes(data, "team")],
    )


def metric_warnings(metric: str, scope: Json) -> list[str]:
    """The scope's caveats about this metric, and the reason when its value is unknown."""
    out = []
    reason = (scope.get(metric) or {}).get("reason")
    if reason:
        out.append(f"Not known: {reason}.")
    for w in scope.get("warnings") or []:
        if isinstance(w, Mapping) and w.get("metric") == metric:
            out.append(str(w.get("message", "")))
    return out


def other_warnings(scope: Json) -> list[str]:
    """Caveats that qualify none of the five metrics (incident MTTR...)."""
    return [
        str(w.get("message", ""))
        for w in scope.get("warnings") or []
        if isinstance(w, Mapping) and w.get("metric") not in METRICS
    ]


def _delta(metric: str, data: Json) -> Delta | None:
    d = ((data.get("deltas") or {}).get("metrics") or {}).get(metric)
    if not d:
        return None
    return make_delta(d, KIND[metric], HIGHER_IS_BETTER.get(metric, False))


def make_delta(d: Json, kind: str, higher_is_better: bool) -> Delta:
    """Signed change, whether it is an improvement, and the previous figure."""
    change = d.get("change")
    if change is None:
        direction = "unknown"
    elif change == 0:
        direction = "same"
    else:
        direction = "better" if (change > 0) == higher_is_better else "worse"
    return Delta(
        text=fmt.signed(change, kind), direction=direction, previous=FORMAT[kind](d.get("previous"))
    )


def _benchmark_rows(metric: str, data: Json, ours: str | None) -> list[BenchmarkRow]:
    bands = ((data.get("benchmark") or {}).get("bands") or {}).get(metric) or []
    return [
        BenchmarkRow(
            tier=str(b.get("tier")),
            label=fmt.tier(b.get("tier")),
            text=str(b.get("label", "")),
            confidence=str(b.get("confidence", "")),
            ours=b.get("tier") == ours,
        )
        for b in bands
    ]


def _trend(metric: str, data: Json) -> str | None:
    metrics = data.get("metrics") or {}
    points = [p for p in metrics.get("trend") or [] if p.get("scope") == "organization"]
    monthly = metrics.get("trend_bucket") == "month"
    labels = tuple(_bucket_label(str(p.get("start")), monthly) for p in points)
    key = TREND_FIELD[metric][0]
    formatter = fmt.rate if KIND[metric] == "rate" else _plain
    values = tuple(p.get(key) for p in points)
    return charts.trend(labels, values, formatter=formatter)


def _plain(value: float) -> str:
    return f"{value:g}"


def _trend_label(metric: str, data: Json) -> str:
    bucket = (data.get("metrics") or {}).get("trend_bucket") or "week"
    return f"{TREND_FIELD[metric][1]}, by {bucket}, organization"


def _bucket_label(start: str, monthly: bool) -> str:
    day = date.fromisoformat(start[:10])
    return f"{day:%b %Y}" if monthly else f"{day.day} {day:%b}"


MAX_REPOSITORY_ROWS = 60
"""Beyond this the PDF shows the most-deployed repositories; the CSV and JSON hold all."""


def repository_rows(data: Json) -> tuple[list[RepositoryRow], int]:
    """Rows for the appendix (by name), and how many repositories were left out."""
    repos = scopes(data, "repository")
    shown = repos
    if len(repos) > MAX_REPOSITORY_ROWS:
        busiest = sorted(repos, key=_deployments, reverse=True)[:MAX_REPOSITORY_ROWS]
        shown = sorted(busiest, key=lambda s: str(s.get("name", "")))
    rows = [
        RepositoryRow(name=str(s.get("name", "")), figures=[scope_row(m, s) for m in METRICS])
        for s in shown
    ]
    return rows, len(repos) - len(shown)


def _deployments(scope: Json) -> int:
    return int((scope.get("deployment_frequency") or {}).get("deployments") or 0)
