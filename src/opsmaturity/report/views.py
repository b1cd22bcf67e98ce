"""Build the typed :class:`ReportContext` from the typed :class:`ReportData`.

A report renders whatever ran: metrics only, or metrics plus survey and recommendation;
the parts that did not run are None in the data and say so on the page.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from pathlib import Path

from ..dora import METRICS, metric_display
from ..errors import ReportError
from . import format as fmt
from .context import Delta, MetricView, Recommendation, ReportContext, Summary, TeamPage
from .data import Change, ReportData
from .decision_view import decision_page
from .incidents_view import build_incidents
from .methodology_view import build_methodology
from .metrics_view import build_metric, make_delta, missing_text, repository_rows, scope_row
from .practices_view import build_practices, practice_disciplines
from .recommendation_view import build_recommendation

DEFAULT_ACCENT = "#1f5f8b"
_HEX = re.compile(r"#[0-9a-fA-F]{6}")


def build_context(data: ReportData, *, paper: str = "A4") -> ReportContext:
    """The one object templates see."""
    defs = {d.id: d for d in data.definitions}
    metrics = [build_metric(m, data, defs[m]) for m in METRICS]
    recommendation = build_recommendation(data)
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
        methodology=build_methodology(data, metrics),
        decision=decision_page(data.recommendation) if data.recommendation else None,
        incidents=build_incidents(data),
        incomplete=_incomplete_line(data),
        completeness=_completeness_line(data),
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


def _incomplete_line(data: ReportData) -> str:
    """What data is missing, for the summary's banner; empty when complete or unknown."""
    found = data.completeness
    if found is None or found.complete or not found.summary:
        return ""
    return found.summary.removeprefix("incomplete data: ")


def _completeness_line(data: ReportData) -> str:
    """``Data complete: every repository (12) of github, gitlab collected in full.`` when
    collection is known to be complete; empty when unknown or incomplete (the banner says
    what is missing)."""
    found = data.completeness
    if found is None or not found.complete:
        return ""
    repos = sum(1 for s in found.scopes if s.repository)
    sources = ", ".join(sorted({s.source for s in found.scopes}))
    return f"Data complete: every repository ({repos}) of {sources} collected in full."


def _summary(data: ReportData, rec: Recommendation | None) -> Summary:
    org = data.organization_scope
    overall = org.overall_tier if org else None
    return Summary(
        overall_tier=overall,
        overall_label=fmt.tier(overall),
        model_sentence=rec.summary if rec else "",
        top_actions=rec.roadmap[:3] if rec else [],
    )


def _teams(data: ReportData, metrics: list[MetricView]) -> list[TeamPage]:
    measured = {s.name: s for s in data.scopes("team")}
    assessed = data.assessment.teams if data.assessment else {}
    changes = data.deltas.teams
    pages = []
    for entry in data.teams:
        # a configured team may own no measured repository, be named by no respondent, and
        # have no change (none without a previous report, or not measured then)
        scope, survey = measured.get(entry.name), assessed.get(entry.name)
        pages.append(
            TeamPage(
                name=entry.name,
                metrics=[scope_row(m.id, scope, name=m.name) for m in metrics],
                overall_tier=fmt.tier(scope.overall_tier if scope else None),
                disciplines=[(d.name, fmt.score(d.median)) for d in practice_disciplines(survey)],
                respondents=survey.respondents if survey else None,
                repositories=list(entry.repositories),
                changes=_team_changes(changes.get(entry.name, {}), metrics),
                missing=missing_text(data, "team", entry.name),
            )
        )
    return pages


def _team_changes(
    found: dict[str, Change], metrics: list[MetricView]
) -> tuple[tuple[str, Delta], ...]:
    """A team's own quarter-over-quarter changes: which teams drove the organization's."""
    shown = metric_display()
    return tuple(
        (m.name, make_delta(found[m.id], shown[m.id].format, shown[m.id].higher_is_better))
        for m in metrics
        if m.id in found
    )
