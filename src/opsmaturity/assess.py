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
from .metrics import MetricsReport
from .practices.answers import Response
from .practices.compare import Mismatch
from .practices.scoring import Assessment
from .recommend import Recommendation
from .report.data import CrossCheck, ForgePair, headline, organization_scope


@dataclass(frozen=True)
class Findings:
    """What the engines conclude beyond the metrics."""

    assessment: Assessment | None
    """Survey scores; None without answers."""
    mismatches: tuple[Mismatch, ...]
    recommendation: Recommendation


def assess(config: Config, responses: Sequence[Response], metrics: MetricsReport) -> Findings:
    """Scores, survey-vs-data mismatches and the recommendation for the organization."""
    from .practices import compare_survey_with_data, load_questionnaires, score
    from .recommend import recommend

    org = organization_scope(metrics)
    measured = headline(org)
    tiers: dict[str, str | None] = {
        m: getattr(getattr(org, m), "tier", None) if org else None
        for m in METRICS
        if m != "rework_rate"
    }
    tiers["overall"] = org.overall_tier if org else None
    questionnaires = load_questionnaires()
    assessment = score(questionnaires, responses) if responses else None
    mismatches = (
        compare_survey_with_data(assessment, measured, questionnaires) if assessment else []
    )
    recommendation = recommend(
        engineers=config.organization.engineers,
        profile=config.organization.profile,
        assessment=assessment,
        dora_tiers=tiers,
    )
    return Findings(assessment, tuple(mismatches), recommendation)


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


__all__ = ["Findings", "assess", "cross_check"]
