"""Build the typed :class:`ReportContext` from the typed :class:`ReportData`.

A report renders whatever ran: metrics only, or metrics plus survey and recommendation;
the parts that did not run are None in the data and say so on the page.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from pathlib import Path
from typing import Any

from ..dora import METRICS
from ..errors import ReportError
from ..recommend import Recommendation as Recommended
from ..recommend import RoadmapAction
from . import format as fmt
from .context import (
    Action,
    Methodology,
    MetricView,
    Note,
    Recommendation,
    ReportContext,
    Summary,
    TeamPage,
    TeamType,
)
from .data import ReportData
from .metrics_view import (
    build_metric,
    headline_text,
    other_warnings,
    repository_rows,
    scope_row,
)
from .practices_view import build_practices, practice_disciplines

DEFAULT_ACCENT = "#1f5f8b"
MAX_REPOSITORY_NAMES = 300
"""Names listed on the methodology page; the JSON lists every repository."""
_HEX = re.compile(r"#[0-9a-fA-F]{6}")


def build_context(data: ReportData, *, paper: str = "A4") -> ReportContext:
    """The one object templates see."""
    defs = {d.id: d for d in data.definitions}
    metrics = [build_metric(m, data, defs.get(m)) for m in METRICS]
    recommendation = _recommendation(data)
    repositories, omitted = repository_rows(data)
    return ReportContext(
        organization=data.organization.name,
        author=data.branding.author or "",
        period_label=data.period.label,
        period_range=f"{fmt.day(data.period.start)} – {fmt.day(data.period.end)}",
        generated_on=fmt.day(data.generated_at),
        previous_label=data.previous.period.label if data.previous else "",
        accent_color=_colour(data.branding.accent_color),
        logo_uri=_logo_uri(data.branding.logo),
        paper=paper,
        benchmark_id=data.benchmark.id,
        summary=_summary(data, recommendation),
        metrics=metrics,
        practices=build_practices(data),
        recommendation=recommendation,
        repositories=repositories,
        repositories_omitted=omitted,
        teams=_teams(data, metrics),
        methodology=_methodology(data, metrics),
    )


def _colour(value: str) -> str:
    """The accent colour goes into CSS, where HTML escaping does not protect: validate it."""
    return value if _HEX.fullmatch(value) else DEFAULT_ACCENT


def _logo_uri(logo: str | None) -> str:
    """The logo inlined: the HTML stands alone and the PDF fetches nothing for it."""
    if not logo:
        return ""
    path = Path(logo)
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReportError(f"logo file cannot be read: {path}: {exc.strerror}") from None
    return f"data:{mime};base64," + base64.b64encode(raw).decode("ascii")


def _summary(data: ReportData, rec: Recommendation | None) -> Summary:
    org = data.organization_scope
    overall = org.overall_tier if org else None
    return Summary(
        overall_tier=overall,
        overall_label=fmt.tier(overall),
        model_sentence=rec.summary if rec else "",
        top_actions=rec.roadmap[:3] if rec else [],
    )


def _recommendation(data: ReportData) -> Recommendation | None:
    rec: Recommended | None = data.recommendation
    if rec is None:
        return None
    reason = rec.confidence_reason
    return Recommendation(
        model=rec.name,
        summary=rec.summary,
        confidence=rec.confidence + (f" ({reason})" if reason else ""),
        evidence=[e.text for e in rec.evidence],
        keep=list(rec.keep),
        change=list(rec.change),
        team_types=[
            TeamType(
                type=fmt.label(t["type"]),
                interaction=t["interaction"],
                role=t["role"],
            )
            for t in rec.team_types
        ],
        roadmap=[_action(a, data) for a in rec.roadmap],
    )


def _action(a: RoadmapAction, data: ReportData) -> Action:
    practice = a.practice_area_name or fmt.DASH
    return Action(
        priority=a.rank,
        action=a.title,
        rationale=a.rationale,
        horizon=a.horizon,
        metric=_metric_name(a.metric, data)
        + (f" ({fmt.tier(a.metric_tier)})" if a.metric_tier else ""),
        practice=practice + (f" ({fmt.score(a.area_score)})" if a.area_score is not None else ""),
    )


def _metric_name(metric: str | None, data: ReportData) -> str:
    names = {d.id: d.name for d in data.definitions}
    if metric is None:
        return fmt.DASH
    return names.get(metric) or fmt.label(metric)


def _teams(data: ReportData, metrics: list[MetricView]) -> list[TeamPage]:
    measured = {s.name: s for s in data.scopes("team")}
    assessed = data.assessment.teams if data.assessment else {}
    pages = []
    for entry in data.teams:
        scope, survey = measured.get(entry.name), assessed.get(entry.name)
        pages.append(
            TeamPage(
                name=entry.name,
                metrics=[scope_row(m.id, scope, name=m.name) for m in metrics],
                overall_tier=fmt.tier(scope.overall_tier if scope else None),
                disciplines=[(d.name, fmt.score(d.median)) for d in practice_disciplines(survey)],
                respondents=survey.respondents if survey else None,
                repositories=list(entry.repositories),
            )
        )
    return pages


def _methodology(data: ReportData, metrics: list[MetricView]) -> Methodology:
    bench = data.benchmark
    quality = data.data_quality
    bots = quality.bots_excluded
    repos = quality.repositories
    return Methodology(
        definitions=metrics,
        record_rules=data.record_rules,
        benchmark_title=bench.title or bench.id or fmt.DASH,
        benchmark_source=_source(bench.source),
        benchmark_notes=bench.notes,
        options=_options(quality.options),
        sources=[f"{s.name} ({s.kind})" for s in quality.sources],
        repositories=list(repos[:MAX_REPOSITORY_NAMES]),
        repositories_total=len(repos),
        bots="bots were not excluded" if bots is None else fmt.count(bots, "changes"),
        notes=[
            Note(level=n.level, where=f"{n.repository} · {n.resource}", message=n.message)
            for n in quality.notes
        ],
        cross_check=_cross_check(data),
        caveats=[*_changed_options(data), *other_warnings(data.organization_scope)],
    )


def _changed_options(data: ReportData) -> list[str]:
    """Measurement options that differ from the compared report's: deltas mix both."""
    if data.previous is None:
        return []
    previous, current = data.previous.options, data.data_quality.options
    label = data.previous.period.label
    return [
        f"{fmt.label(key)} was {previous[key]!r} in {label} and is {current[key]!r} now; "
        "changes since then reflect the method as well as delivery."
        for key in sorted(set(previous) & set(current))
        if previous[key] != current[key]
    ]


def _source(source: dict[str, Any]) -> str:
    parts = [source.get("publisher"), source.get("url")]
    return ", ".join(str(p) for p in parts if p) or "not recorded"


def _options(options: dict[str, Any]) -> list[tuple[str, str]]:
    def show(value: Any) -> str:
        if isinstance(value, list):
            return ", ".join(str(v) for v in value) or "none"
        if value is None:
            return "all"
        return str(value).lower() if isinstance(value, bool) else str(value)

    return [(fmt.label(k), show(v)) for k, v in options.items()]


def _cross_check(data: ReportData) -> list[tuple[str, str, str]]:
    """A forge's DORA API figures beside ours, as (metric, ours, theirs)."""
    if data.cross_check is None:
        return []
    return [
        (
            _metric_name(metric, data),
            headline_text(metric, pair.ours),
            headline_text(metric, pair.gitlab),
        )
        for metric, pair in data.cross_check.metrics.items()
        if metric in METRICS
    ]
