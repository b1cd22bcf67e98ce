"""From the measured metrics to the findings: survey scores, the survey-vs-data
mismatches, the operating-model recommendation, and the forge's own DORA figures beside ours.

The glue between the engines, kept out of the pipeline so the pipeline only orchestrates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .config import Config
from .dora import METRICS
from .metrics import MetricsReport, ScopeMetrics
from .practices.answers import Response
from .practices.compare import Mismatch
from .practices.scoring import Assessment
from .recommend import Recommendation
from .report.data import Comparison, CrossCheck, ForgePair, headline, organization_scope


@dataclass(frozen=True)
class Findings:
    """What the engines conclude beyond the metrics."""

    assessment: Assessment | None
    """Survey scores; None without answers."""
    mismatches: tuple[Mismatch, ...]
    recommendation: Recommendation


def assess(
    config: Config,
    responses: Sequence[Response],
    metrics: MetricsReport,
    previous: Comparison | None = None,
) -> Findings:
    """Scores, survey-vs-data mismatches and the recommendation for the organization
    (with ``previous``, also the trends since that report that would change it)."""
    from .practices import compare_survey_with_data, load_questionnaires, score

    measured = headline(organization_scope(metrics))
    questionnaires = load_questionnaires()
    assessment = score(questionnaires, responses) if responses else None
    mismatches = (
        compare_survey_with_data(assessment, measured, questionnaires) if assessment else []
    )
    recommendation = recommendation_for(config, assessment, metrics, previous=previous)
    return Findings(assessment, tuple(mismatches), recommendation)


def recommendation_for(
    config: Config,
    assessment: Assessment | None,
    metrics: MetricsReport | None,
    *,
    engineers: int | None = None,
    profile: str | None = None,
    previous: Comparison | None = None,
) -> Recommendation:
    """The recommendation from the config, the survey and the metrics (None: nothing
    measured); ``engineers`` and ``profile`` are what-ifs that override the config;
    ``previous`` (an earlier report) adds the trends since then that would change it."""
    from .metrics import benchmark_table
    from .recommend import recommend

    org = organization_scope(metrics) if metrics else None
    return recommend(
        engineers=engineers or config.organization.engineers,
        profile=profile or config.organization.profile,
        assessment=assessment,
        dora_tiers=tiers(org, METRICS_WITH_TIERS) if org else {},
        teams=len(config.teams) or None,
        measured=headline(org) if org else {},
        team_tiers=team_tiers(metrics) if metrics else {},
        previous=previous.metrics if previous and org else None,
        since=previous.period.label if previous else None,
        tier_of=benchmark_table(config.metrics.benchmark).tier,
    )


METRICS_WITH_TIERS = tuple(m for m in METRICS if m != "rework_rate")
"""DORA's benchmark has no rework tiers; the organization's tiers leave rework out."""


def tiers(scope: ScopeMetrics | None, metrics: Sequence[str] = METRICS) -> dict[str, str | None]:
    """A scope's DORA tier of each metric, plus ``overall``."""
    found: dict[str, str | None] = {
        m: getattr(getattr(scope, m), "tier", None) if scope else None for m in metrics
    }
    found["overall"] = scope.overall_tier if scope else None
    return found


def team_tiers(metrics: MetricsReport) -> dict[str, dict[str, str | None]]:
    """Each team's DORA tiers (and overall): the recommendation's spread between teams."""
    return {s.name: tiers(s) for s in metrics.scopes if s.scope == "team"}


def cross_check(
    forge_dora: Mapping[str, Mapping[str, Any]], metrics: MetricsReport
) -> CrossCheck | None:
    """Our organization figures beside the forge's own (GitLab's DORA API), in our units
    (per week, hours); None when no source offered its own figures."""
    if not forge_dora:
        return None
    source, theirs = next(iter(forge_dora.items()))
    if "metrics" not in theirs:  # kept by a version before forge_dora(); collect again
        return None
    ours = headline(organization_scope(metrics))
    gitlab = theirs["metrics"]  # in our units already (sources.base.ForgeDora)
    return CrossCheck(
        source=source,
        scope=theirs.get("scope"),
        metrics={m: ForgePair(ours=ours[m], gitlab=value) for m, value in gitlab.items()},
    )


__all__ = ["Findings", "assess", "cross_check", "recommendation_for", "team_tiers", "tiers"]
