"""Survey versus data: where what people say about delivery differs from what was measured.

The measured value is put in the same answer bucket as the survey question (each bucket's
range lives in ``questionnaires/dora.yaml``), and a difference of one bucket or more is
reported with both values. Unknown on either side means no comparison, never a mismatch.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

from ..dora import METRICS, metric_display
from .questionnaire import Question, QuestionnaireSet, load_questionnaires
from .scoring import Assessment, GroupScores


@dataclass(frozen=True)
class Mismatch:
    """Self-report and measurement land ``buckets_apart`` answer buckets apart."""

    metric: str
    question_id: str
    reported: str
    measured: str
    measured_value: float
    buckets_apart: int
    direction: str  # "optimistic": people report better than measured; else "pessimistic"
    message: str
    team: str | None = None  # None: the organization's median answer

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data, like the metrics engine's ``to_json()``."""
        return asdict(self)


def compare_survey_with_data(
    assessment: Assessment,
    measured: Mapping[str, float | None],
    questionnaires: QuestionnaireSet | None = None,
    *,
    team: str | None = None,
) -> list[Mismatch]:
    """Mismatches for the organization (or one team), in the report's metric order."""
    qs = questionnaires or load_questionnaires()
    group: GroupScores | None = assessment.teams.get(team) if team else assessment.organization
    if group is None:
        return []
    out = []
    for metric in METRICS:
        report, value = group.self_report.get(metric), measured.get(metric)
        if report is None or report.value is None or value is None:
            continue
        question = qs.question(report.question_id)
        if question is None:
            continue
        mismatch = _compare(qs, question, report.value, report.label or "", float(value), metric)
        if mismatch is not None:
            out.append(replace(mismatch, team=team))
    return out


def measured_bucket(qs: QuestionnaireSet, question: Question, value: float) -> tuple[int, str]:
    """(rank, label) of a measured value; higher rank is better, as for answer levels."""
    if question.type == "percent":
        percent = round(value * 100, 6)  # fractions in, percentages in the questionnaire
        index = bisect.bisect_left(question.bands, percent)
        rank = len(question.bands) - index if question.better == "lower" else index
        return rank, _band_label(question.bands, index)
    for level in qs.levels(question):
        low, high = level.range or (0.0, 0.0)
        if low <= value < high:
            return level.value, level.label
    raise ValueError(f"{value} is outside every bucket of {question.id}")


def _reported_rank(question: Question, value: float) -> int:
    if question.type != "percent":
        return int(value)
    index = bisect.bisect_left(question.bands, value)
    return len(question.bands) - index if question.better == "lower" else index


def _band_label(bands: tuple[float, ...], index: int) -> str:
    if index == 0:
        return f"{bands[0]:g} % or less"
    if index == len(bands):
        return f"more than {bands[-1]:g} %"
    return f"{bands[index - 1]:g}-{bands[index]:g} %"


def _compare(
    qs: QuestionnaireSet, question: Question, reported: float, label: str, value: float, metric: str
) -> Mismatch | None:
    if question.type == "percent" and question.bands:
        index = bisect.bisect_left(question.bands, reported)
        label = f"{reported:g} % ({_band_label(question.bands, index)})"
    rank, measured_label = measured_bucket(qs, question, value)
    apart = _reported_rank(question, reported) - rank
    if apart == 0:
        return None
    shown = _show(metric, value)
    direction = "optimistic" if apart > 0 else "pessimistic"
    message = (
        f"{metric.replace('_', ' ')}: respondents report {label!r} but the data show "
        f"{shown} ({measured_label!r}), {abs(apart)} bucket(s) "
        f"{'better' if apart > 0 else 'worse'} than measured"
    )
    return Mismatch(
        metric, question.id, label, measured_label, value, abs(apart), direction, message
    )


def _show(metric: str, value: float) -> str:
    """A measured figure in the metric's unit (``data/metrics.yaml``); rates as percentages."""
    shown = metric_display()[metric]
    if shown.format == "rate":
        return f"{value * 100:.1f} %"
    return f"{value:.2f} {shown.unit}"
