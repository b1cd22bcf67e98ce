"""Assemble the typed :class:`ReportData` from the config and the engines' results.

Everything the report shows is in that object, and nothing else: the PDF, HTML and CSV
render from it, :mod:`.jsonfile` writes it as ``NAME.json``, and next quarter
``--compare-with NAME.json`` reads back its headline figures to compute the deltas.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from ..completeness import Completeness
from ..config import Config
from ..metrics import MetricsReport
from ..metrics.incidents import IncidentFigures
from ..practices.compare import Mismatch
from ..practices.scoring import Assessment
from ..recommend import Recommendation
from ..records import CollectionNote
from .data import (
    SCHEMA,
    Branding,
    CollectionState,
    Comparison,
    CrossCheck,
    DataCompleteness,
    DataQuality,
    Organization,
    ReportData,
    ReportPeriod,
    ScopeMark,
    SourceRef,
    TeamEntry,
    organization_scope,
)

__all__ = ["SCHEMA", "build_report_data"]


def build_report_data(
    *,
    config: Config,
    metrics: MetricsReport,
    assessment: Assessment | None = None,
    recommendation: Recommendation | None = None,
    mismatches: Iterable[Mismatch] = (),
    notes: Iterable[CollectionNote] = (),
    cross_check: CrossCheck | None = None,
    previous: Comparison | None = None,
    completeness: Completeness | None = None,
    generated_at: datetime,
    incidents: IncidentFigures | None = None,
) -> ReportData:
    """The report's data from the config and the engines' results.

    Definitions and the benchmark table come from the metrics engine's data files (the
    methodology page renders from them). ``previous`` is an earlier report's headline
    figures (``--compare-with``). ``incidents`` are the incident-tool figures; None when
    not computed (an empty period gives figures of zero, not None).
    """
    from ..metrics import benchmark_table, metric_definitions, metrics_notes
    from .jsonfile import rounded_assessment

    org = config.organization
    period = config.reporting_period
    return ReportData(
        generated_at=generated_at,
        organization=Organization(name=org.name, engineers=org.engineers, profile=org.profile),
        branding=_branding(config),
        period=ReportPeriod(start=period.start, end=period.end, label=period.label),
        teams=tuple(
            TeamEntry(name=name, repositories=tuple(team.repositories))
            for name, team in sorted(config.teams.items())
        ),
        metrics=metrics,
        definitions=tuple(metric_definitions()),
        record_rules=metrics_notes()["records"],
        benchmark=benchmark_table(config.metrics.benchmark),
        assessment=rounded_assessment(assessment) if assessment else None,
        recommendation=recommendation,
        mismatches=tuple(mismatches),
        data_quality=_data_quality(config, metrics, notes),
        cross_check=cross_check,
        previous=previous,
        incidents=incidents,
        completeness=None
        if completeness is None
        else data_completeness(completeness, config, metrics),
    )


def data_completeness(
    completeness: Completeness, config: Config, metrics: MetricsReport
) -> DataCompleteness:
    """The collection states as the report shows them, and the gaps behind each scope."""
    return DataCompleteness(
        complete=completeness.complete,
        summary=completeness.summary() or None,
        scopes=tuple(
            CollectionState(
                source=s.source,
                repository=s.repository or None,
                status=s.status,
                complete=s.complete,
                detail=s.detail or None,
            )
            for s in completeness.states
        ),
        unrecorded_sources=completeness.unrecorded,
        marks=tuple(
            ScopeMark(s.scope, s.name, tuple(completeness.affected(s.scope, s.name, config.teams)))
            for s in metrics.scopes
        ),
    )


def _branding(config: Config) -> Branding:
    from ..errors import ReportError

    branding = config.organization.branding
    logo = None
    if branding.logo is not None:
        path = config.resolve(branding.logo).resolve()
        if not path.is_file():
            raise ReportError(
                f"logo file not found: {path} (organization.branding.logo in the config); "
                "fix the path or remove the logo"
            )
        logo = str(path)
    return Branding(logo=logo, accent_color=branding.accent_color, author=branding.author)


def _data_quality(
    config: Config, metrics: MetricsReport, notes: Iterable[CollectionNote]
) -> DataQuality:
    org = organization_scope(metrics)
    warnings = org.warnings if org else ()
    bots = sum(w.count or 0 for w in warnings if w.code == "bots_excluded")
    return DataQuality(
        notes=tuple(notes),
        sources=tuple(
            SourceRef(name=config.source_name(i), kind=s.kind) for i, s in enumerate(config.sources)
        ),
        repositories=tuple(sorted(s.name for s in metrics.scopes if s.scope == "repository")),
        bots_excluded=bots if config.metrics.exclude_bots else None,
        options=config.metrics.model_dump(mode="json"),
    )
