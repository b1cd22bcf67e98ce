"""Build the typed :class:`ReportContext` from the report-data dict.

Reads the engines' JSON defensively (``.get`` with a stated default) because a report must
render whatever ran: metrics only, or metrics plus survey and recommendation.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import ReportError
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
from .metrics_view import (
    build_metric,
    headline_text,
    org_scope,
    other_warnings,
    repository_rows,
    scope_row,
    scopes,
)
from .model import METRICS
from .practices_view import build_practices, practice_disciplines

Json = Mapping[str, Any]
DEFAULT_ACCENT = "#1f5f8b"
MAX_REPOSITORY_NAMES = 300
"""Names listed on the methodology page; the JSON lists every repository."""
_HEX = re.compile(r"#[0-9a-fA-F]{6}")


def build_context(data: Json, *, paper: str = "A4") -> ReportContext:
    """The one object templates see."""
    defs = {d.get("id"): d for d in data.get("definitions") or []}
    metrics = [build_metric(m, data, defs.get(m) or {}) for m in METRICS]
    branding = data.get("branding") or {}
    period = data.get("period") or {}
    previous = data.get("previous") or {}
    recommendation = _recommendation(data)
    repositories, omitted = repository_rows(data)
    return ReportContext(
        organization=str(data["organization"]["name"]),
        author=str(branding.get("author") or ""),
        period_label=str(period.get("label", "")),
        period_range=f"{fmt.day(period.get('start'))} – {fmt.day(period.get('end'))}",
        generated_on=fmt.day(data.get("generated_at")),
        previous_label=str((previous.get("period") or {}).get("label", "")),
        accent_color=_colour(branding.get("accent_color")),
        logo_uri=_logo_uri(branding.get("logo")),
        paper=paper,
        benchmark_id=str((data.get("benchmark") or {}).get("id", "")),
        summary=_summary(data, recommendation),
        metrics=metrics,
        practices=build_practices(data),
        recommendation=recommendation,
        repositories=repositories,
        repositories_omitted=omitted,
        teams=_teams(data, metrics),
        methodology=_methodology(data, metrics),
        incomplete=str((data.get("completeness") or {}).get("summary") or "").removeprefix(
            "incomplete data: "
        ),
        completeness=_completeness_line(data),
    )


def _colour(value: Any) -> str:
    """The accent colour goes into CSS, where HTML escaping does not protect: validate it."""
    return value if isinstance(value, str) and _HEX.fullmatch(value) else DEFAULT_ACCENT


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


def _completeness_line(data: Json) -> str:
    """``Data complete: 12 repositories from github, gitlab.`` when collection is known to
    be complete; empty when unknown or incomplete (the banner says what is missing)."""
    found = data.get("completeness") or {}
    if not found.get("complete"):
        return ""
    scopes = found.get("scopes") or []
    repos = sum(1 for s in scopes if s.get("repository"))
    sources = ", ".join(sorted({str(s.get("source")) for s in scopes}))
    return f"Data complete: every repository ({repos}) of {sources} collected in full."


def _summary(data: Json, rec: Recommendation | None) -> Summary:
    overall = org_scope(data).get("overall_tier")
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
    reason = rec.get("confidence_reason")
    return Recommendation(
        model=str(rec.get("name", "")),
        summary=str(rec.get("summary", "")),
        confidence=f"{rec.get('confidence')}" + (f" ({reason})" if reason else ""),
        evidence=[str(e.get("text", "")) for e in rec.get("evidence") or []],
        keep=[str(k) for k in rec.get("keep") or []],
        change=[str(c) for c in rec.get("change") or []],
        team_types=[
            TeamType(
                type=fmt.label(str(t.get("type", ""))),
                interaction=str(t.get("interaction", "")),
                role=str(t.get("role", "")),
            )
            for t in rec.get("team_types") or []
        ],
        roadmap=[_action(i, a, data) for i, a in enumerate(rec.get("roadmap") or [], 1)],
    )


def _action(index: int, a: Json, data: Json) -> Action:
    score = a.get("area_score")
    practice = str(a.get("practice_area_name") or fmt.DASH)
    metric, tier = a.get("metric"), a.get("metric_tier")
    return Action(
        priority=int(a.get("rank", index)),
        action=str(a.get("title", "")),
        rationale=str(a.get("rationale", "")),
        horizon=str(a.get("horizon", "")),
        metric=_metric_name(metric, data) + (f" ({fmt.tier(tier)})" if tier else ""),
        practice=practice + (f" ({fmt.score(score)})" if score is not None else ""),
    )


def _metric_name(metric: str | None, data: Json) -> str:
    defs = {d.get("id"): d.get("name") for d in data.get("definitions") or []}
    return str(defs.get(metric) or (fmt.label(metric) if metric else fmt.DASH))


def _teams(data: Json, metrics: list[MetricView]) -> list[TeamPage]:
    measured = {s.get("name"): s for s in scopes(data, "team")}
    assessed = ((data.get("assessment") or {}).get("teams")) or {}
    pages = []
    for entry in data.get("teams") or []:
        name = str(entry.get("name", ""))
        scope, survey = measured.get(name) or {}, assessed.get(name) or {}
        pages.append(
            TeamPage(
                name=name,
                metrics=[scope_row(m.id, scope, name=m.name) for m in metrics],
                overall_tier=fmt.tier(scope.get("overall_tier")),
                disciplines=[
                    (str(d.get("name", d.get("id"))), fmt.score(d.get("median")))
                    for d in practice_disciplines(survey)
                ],
                respondents=survey.get("respondents"),
                repositories=[str(r) for r in entry.get("repositories") or []],
            )
        )
    return pages


def _methodology(data: Json, metrics: list[MetricView]) -> Methodology:
    bench = data.get("benchmark") or {}
    quality = data.get("data_quality") or {}
    bots = quality.get("bots_excluded")
    repos = quality.get("repositories") or []
    return Methodology(
        definitions=metrics,
        record_rules=str(data.get("record_rules") or ""),
        benchmark_title=str(bench.get("title") or bench.get("id") or fmt.DASH),
        benchmark_source=_source(bench.get("source")),
        benchmark_notes=str(bench.get("notes") or ""),
        options=_options(quality.get("options") or {}),
        sources=[f"{s.get('name')} ({s.get('kind')})" for s in quality.get("sources") or []],
        repositories=[str(r) for r in repos[:MAX_REPOSITORY_NAMES]],
        repositories_total=len(repos),
        bots="bots were not excluded" if bots is None else fmt.count(bots, "changes"),
        notes=[
            Note(
                level=str(n.get("level", "warning")),
                where=f"{n.get('repository', '*')} · {n.get('resource', '')}",
                message=str(n.get("message", "")),
            )
            for n in quality.get("notes") or []
        ],
        cross_check=_cross_check(data),
        caveats=[*_changed_options(data), *other_warnings(org_scope(data))],
    )


def _changed_options(data: Json) -> list[str]:
    """Measurement options that differ from the compared report's: deltas mix both."""
    previous = (data.get("previous") or {}).get("options") or {}
    current = (data.get("data_quality") or {}).get("options") or {}
    label = ((data.get("previous") or {}).get("period") or {}).get("label", "the previous report")
    return [
        f"{fmt.label(key)} was {previous[key]!r} in {label} and is {current[key]!r} now; "
        "changes since then reflect the method as well as delivery."
        for key in sorted(set(previous) & set(current))
        if previous[key] != current[key]
    ]


def _source(source: Any) -> str:
    if isinstance(source, Mapping):
        parts = [source.get("publisher"), source.get("url")]
        return ", ".join(str(p) for p in parts if p) or "not recorded"
    return str(source or "not recorded")


def _options(options: Json) -> list[tuple[str, str]]:
    def show(value: Any) -> str:
        if isinstance(value, list):
            return ", ".join(str(v) for v in value) or "none"
        if value is None:
            return "all"
        return str(value).lower() if isinstance(value, bool) else str(value)

    return [(fmt.label(k), show(v)) for k, v in options.items()]


def _cross_check(data: Json) -> list[tuple[str, str, str]]:
    """GitLab DORA API figures beside ours: ``{"metrics": {metric: {"ours", "gitlab"}}}``."""
    check = data.get("cross_check") or {}
    rows = []
    for metric, pair in (check.get("metrics") or {}).items():
        if metric in METRICS and isinstance(pair, Mapping):
            ours, theirs = pair.get("ours"), pair.get("gitlab")
            rows.append((_metric_name(metric, data), _any(metric, ours), _any(metric, theirs)))
    return rows


def _any(metric: str, value: Any) -> str:
    return headline_text(metric, value) if isinstance(value, int | float | None) else str(value)
