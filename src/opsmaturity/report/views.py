"""Build the typed :class:`ReportContext` from the report-data dict.

Reads the engines' JSON defensively (``.get`` with a reason-bearing default) because the
report must render whatever subset of engines ran: metrics only, or metrics plus survey.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from . import charts
from . import format as fmt
from .context import (
    Action,
    BenchmarkRow,
    Delta,
    Methodology,
    MetricView,
    Note,
    Recommendation,
    ReportContext,
    RepositoryRow,
    ScopeRow,
    Summary,
    TeamPage,
    TeamType,
)
from .model import HEADLINE_FIELD, HIGHER_IS_BETTER, METRICS
from .practices_view import build_practices

Json = Mapping[str, Any]
DEFAULT_ACCENT = "#1f5f8b"
_HEX = re.compile(r"#[0-9a-fA-F]{6}")

KIND = {
    "deployment_frequency": "per_week",
    "lead_time_for_changes": "hours",
    "change_failure_rate": "rate",
    "failed_deployment_recovery_time": "hours",
    "rework_rate": "rate",
}
SAMPLE = {
    "deployment_frequency": ("deployments", "deployments"),
    "lead_time_for_changes": ("n", "changes"),
    "change_failure_rate": ("deployments", "deployments"),
    "failed_deployment_recovery_time": ("n", "failed deployments"),
    "rework_rate": ("n", "deployments"),
}
TREND_FIELD = {
    "deployment_frequency": ("deployments", "Deployments"),
    "lead_time_for_changes": ("lead_time_median_hours", "Median hours"),
    "change_failure_rate": ("change_failure_rate", "Failure rate"),
    "failed_deployment_recovery_time": ("recovery_median_hours", "Median hours"),
    "rework_rate": ("rework_rate", "Rework rate"),
}
FORMAT: dict[str, Callable[[float | None], str]] = {
    "per_week": fmt.per_week,
    "hours": fmt.hours,
    "rate": fmt.rate,
}


def build_context(data: Json, *, paper: str = "A4") -> ReportContext:
    """The one object templates see."""
    org = _org_scope(data)
    defs = {d.get("id"): d for d in data.get("definitions") or []}
    metrics = [_metric(m, data, org, defs.get(m) or {}) for m in METRICS]
    branding = data.get("branding") or {}
    period = data.get("period") or {}
    previous = data.get("previous") or {}
    return ReportContext(
        organization=data["organization"]["name"],
        author=branding.get("author") or "",
        period_label=period.get("label", ""),
        period_range=f"{fmt.day(period.get('start'))} – {fmt.day(period.get('end'))}",
        generated_on=fmt.day(data.get("generated_at")),
        previous_label=(previous.get("period") or {}).get("label", ""),
        accent_color=_colour(branding.get("accent_color")),
        logo_uri=_logo_uri(branding.get("logo")),
        paper=paper,
        benchmark_id=(data.get("benchmark") or {}).get("id", ""),
        summary=_summary(data),
        metrics=metrics,
        practices=build_practices(data),
        recommendation=_recommendation(data),
        repositories=_repositories(data),
        teams=_teams(data, metrics),
        methodology=_methodology(data, metrics),
    )


def _colour(value: Any) -> str:
    """The accent colour goes into CSS, where HTML escaping does not protect: validate it."""
    return value if isinstance(value, str) and _HEX.fullmatch(value) else DEFAULT_ACCENT


def _repositories(data: Json) -> list[RepositoryRow]:
    scopes = (data.get("metrics") or {}).get("scopes") or []
    return [
        RepositoryRow(name=str(s.get("name", "")), figures=[scope_row(m, s) for m in METRICS])
        for s in scopes
        if s.get("scope") == "repository"
    ]


def _org_scope(data: Json) -> Json:
    scopes = (data.get("metrics") or {}).get("scopes") or []
    return next((s for s in scopes if s.get("scope") == "organization"), {})


def _logo_uri(logo: str | None) -> str:
    """The logo inlined: the HTML stands alone and the PDF fetches nothing for it."""
    if not logo:
        return ""
    path = Path(logo)
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


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
    return ""


def _details(metric: str, r: Json) -> list[tuple[str, str]]:
    if metric == "deployment_frequency":
        per_day = r.get("per_day")
        return [
            ("Deployments", fmt.count(r.get("deployments"), "deployments")),
            ("Deployment days", fmt.count(r.get("deployment_days"), "days")),
            ("Per day", fmt.DASH if per_day is None else f"{per_day:.2f}"),
        ]
    if metric in ("lead_time_for_changes", "failed_deployment_recovery_time"):
        rows = [("Median", fmt.hours(r.get("median_hours")))]
        if "p75_hours" in r:
            rows.append(("75th percentile", fmt.hours(r.get("p75_hours"))))
        return [*rows, ("90th percentile", fmt.hours(r.get("p90_hours")))]
    if metric == "change_failure_rate":
        return [("Failed deployments", _extra(metric, r))]
    return []


def _metric(metric: str, data: Json, org: Json, definition: Json) -> MetricView:
    row = scope_row(metric, org)
    scopes = (data.get("metrics") or {}).get("scopes") or []
    warnings = [_text(w) for w in (org.get(metric) or {}).get("warnings") or []]
    return MetricView(
        id=metric,
        name=definition.get("name") or fmt.label(metric),
        definition=definition.get("definition", ""),
        method=definition.get("method", ""),
        value=row.value,
        text=row.text,
        tier=row.tier,
        tier_label=row.tier_label,
        sample=row.sample,
        details=_details(metric, org.get(metric) or {}),
        warnings=warnings,
        delta=_delta(metric, data),
        benchmark=_benchmark_rows(metric, data, row.tier),
        trend_chart=_trend(metric, data),
        teams=[scope_row(metric, s) for s in scopes if s.get("scope") == "team"],
    )


def _text(warning: Any) -> str:
    """Warnings may be plain strings or objects with a message."""
    if isinstance(warning, Mapping):
        return str(warning.get("message") or warning.get("text") or warning)
    return str(warning)


def _delta(metric: str, data: Json) -> Delta | None:
    d = ((data.get("deltas") or {}).get("metrics") or {}).get(metric)
    if not d:
        return None
    return make_delta(d, KIND[metric], HIGHER_IS_BETTER.get(metric, False))


def make_delta(d: Json, kind: str, higher_is_better: bool) -> Delta:
    change = d.get("change")
    if change is None:
        direction = "unknown"
    elif change == 0:
        direction = "same"
    else:
        direction = "better" if (change > 0) == higher_is_better else "worse"
    previous = d.get("previous")
    prev_text = FORMAT[kind](previous) if kind in FORMAT else fmt.score(previous)
    return Delta(text=fmt.signed(change, kind), direction=direction, previous=prev_text)


def _benchmark_rows(metric: str, data: Json, ours: str | None) -> list[BenchmarkRow]:
    bench = data.get("benchmark") or {}
    row = (bench.get("rows") or {}).get(metric) or {}
    return [
        BenchmarkRow(tier=t, label=fmt.tier(t), text=str(row[t]), ours=t == ours)
        for t in bench.get("tiers") or []
        if t in row
    ]


def _trend(metric: str, data: Json) -> str | None:
    points = [
        p
        for p in (data.get("metrics") or {}).get("trend") or []
        if p.get("scope", "organization") == "organization"
    ]
    weekly = [p for p in points if p.get("bucket") == "week"]
    points = weekly or [p for p in points if p.get("bucket") == "month"]
    key, ylabel = TREND_FIELD[metric]
    labels = [_bucket_label(p) for p in points]
    kind = KIND[metric]
    formatter = fmt.rate if kind == "rate" else (lambda v: f"{v:g}")
    return charts.trend(labels, [p.get(key) for p in points], ylabel=ylabel, formatter=formatter)


def _bucket_label(point: Json) -> str:
    start = date.fromisoformat(str(point.get("start"))[:10])
    return f"{start:%b}" if point.get("bucket") == "month" else f"{start.day} {start:%b}"


def _summary(data: Json) -> Summary:
    rec = _recommendation(data)
    overall = (data.get("metrics") or {}).get("overall_tier") or _org_scope(data).get(
        "overall_tier"
    )
    return Summary(
        overall_tier=overall,
        overall_label=fmt.tier(overall),
        model_sentence=rec.summary if rec else "",
        top_actions=rec.roadmap[:3] if rec else [],
    )


def _recommendation(data: Json) -> Recommendation | None:
    rec = data.get("recommendation")
    if not rec:
        return None
    model = rec.get("model") or {}
    confidence = rec.get("confidence")
    return Recommendation(
        model=model.get("name", "") if isinstance(model, Mapping) else str(model),
        summary=str(rec.get("summary", "")),
        confidence=f"{confidence:.0%}" if isinstance(confidence, float) else str(confidence),
        evidence=[_text(e) for e in rec.get("evidence") or []],
        keep=[_text(k) for k in rec.get("keep") or []],
        change=[_text(c) for c in rec.get("change") or []],
        team_types=[
            TeamType(
                type=fmt.label(str(t.get("type", ""))),
                teams=", ".join(t.get("teams") or []) or "to be formed",
                role=str(t.get("role", "")),
            )
            for t in rec.get("team_types") or []
        ],
        roadmap=[_action(i, a, data) for i, a in enumerate(rec.get("roadmap") or [], 1)],
    )


def _action(index: int, a: Json, data: Json) -> Action:
    return Action(
        priority=int(a.get("priority", index)),
        action=str(a.get("action", "")),
        horizon=str(a.get("horizon", "")),
        metric=_metric_name(a.get("metric"), data),
        practice=_area_name(a.get("practice"), data),
    )


def _metric_name(metric: str | None, data: Json) -> str:
    defs = {d.get("id"): d.get("name") for d in data.get("definitions") or []}
    return defs.get(metric) or (fmt.label(metric) if metric else fmt.DASH)


def _area_name(area: str | None, data: Json) -> str:
    for d in (data.get("assessment") or {}).get("disciplines") or []:
        for a in d.get("areas") or []:
            if a.get("id") == area:
                return str(a.get("name", area))
    return fmt.label(area) if area else fmt.DASH


def _teams(data: Json, metrics: list[MetricView]) -> list[TeamPage]:
    scopes = {
        s.get("name"): s
        for s in (data.get("metrics") or {}).get("scopes") or []
        if s.get("scope") == "team"
    }
    assessed = {t.get("name"): t for t in (data.get("assessment") or {}).get("teams") or []}
    names = {d.get("id"): d.get("name") for d in (data.get("assessment") or {}).get("disciplines") or []}
    pages = []
    for entry in data.get("teams") or []:
        team = str(entry.get("name") if isinstance(entry, Mapping) else entry)
        scope, survey = scopes.get(team) or {}, assessed.get(team) or {}
        pages.append(
            TeamPage(
                name=team,
                metrics=[scope_row(m.id, scope, name=m.name) for m in metrics],
                disciplines=[
                    (str(names.get(d.get("id")) or d.get("id")), fmt.score(d.get("score")))
                    for d in survey.get("disciplines") or []
                ],
                respondents=survey.get("respondents"),
                repositories=list(entry.get("repositories") or [])
                if isinstance(entry, Mapping)
                else [],
            )
        )
    return pages


def _methodology(data: Json, metrics: list[MetricView]) -> Methodology:
    bench = data.get("benchmark") or {}
    quality = data.get("data_quality") or {}
    bots = quality.get("bots_excluded")
    return Methodology(
        definitions=metrics,
        benchmark_title=str(bench.get("title") or bench.get("id") or fmt.DASH),
        benchmark_source=str(bench.get("source") or "not recorded"),
        options=_options(quality.get("options") or {}),
        sources=[f"{s.get('name')} ({s.get('kind')})" for s in quality.get("sources") or []],
        repositories=[str(r) for r in quality.get("repositories") or []],
        bots=("not counted" if bots is None else fmt.count(bots, "changes")),
        notes=[
            Note(
                level=str(n.get("level", "warning")),
                where=f"{n.get('repository', '*')} · {n.get('resource', '')}",
                message=str(n.get("message", "")),
            )
            for n in quality.get("notes") or []
        ],
        cross_check=_cross_check(data),
    )


def _options(options: Json) -> list[tuple[str, str]]:
    def show(value: Any) -> str:
        if isinstance(value, list):
            return ", ".join(str(v) for v in value) or "none"
        if value is None:
            return "all"
        return str(value).lower() if isinstance(value, bool) else str(value)

    return [(fmt.label(k), show(v)) for k, v in options.items()]


def _cross_check(data: Json) -> list[tuple[str, str, str]]:
    """GitLab DORA API figures beside ours: ``{metric: {"ours": x, "gitlab": y}}``."""
    check = data.get("cross_check") or {}
    rows = []
    for metric, pair in (check.get("metrics") or check).items():
        if metric in KIND and isinstance(pair, Mapping):
            ours, theirs = pair.get("ours"), pair.get("gitlab")
            rows.append((_metric_name(metric, data), _any(metric, ours), _any(metric, theirs)))
    return rows


def _any(metric: str, value: Any) -> str:
    return headline_text(metric, value) if isinstance(value, int | float | None) else str(value)
