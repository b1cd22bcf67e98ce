"""The quick check: about fifteen questions and an instant result.

The four DORA software delivery measures, asked as the DORA Quick Check asks them
(dora.dev/quickcheck; question wording and answer buckets from DORA, CC BY 4.0), plus one
to three key practices per discipline. The result places each self-reported measure in a
DORA performance tier and names the three weakest practices with what good looks like.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..metrics.tiers import benchmark_table
from ..practices.answers import Answer
from ..practices.questionnaire import Question, QuestionnaireSet
from ..practices.scoring import question_score

ATTRIBUTION = (
    "Delivery questions follow DORA's Quick Check (dora.dev/quickcheck), "
    "licensed CC BY 4.0 by DORA."
)
DORA_MEASURES = (
    "dora.throughput.deployment_frequency",
    "dora.throughput.lead_time_for_changes",
    "dora.instability.change_failure_rate",
    "dora.throughput.failed_deployment_recovery_time",
)
KEY_PRACTICES = (
    "devops.ci.tests_on_commit",
    "devops.delivery.automated_deploy",
    "devops.small_batches.small_changes",
    "sre.slo.defined",
    "sre.postmortems.blameless",
    "sysops.monitoring.before_users",
    "sysops.backup_dr.tested_restores",
    "netops.network_as_code.versioned",
    "culture.westrum.failure_learning",
    "culture.documentation.reliable",
)
QUICK_IDS = frozenset(DORA_MEASURES + KEY_PRACTICES)


@dataclass(frozen=True)
class MeasureResult:
    question: Question
    answer: str
    tier: str | None


@dataclass(frozen=True)
class Gap:
    question: Question
    discipline: str
    answer: str
    score: float


@dataclass(frozen=True)
class QuickResult:
    measures: tuple[MeasureResult, ...]
    gaps: tuple[Gap, ...]
    unknown: int


def quick_result(
    qs: QuestionnaireSet, answers: Mapping[str, Answer], year: int = 2024
) -> QuickResult:
    """Tiers of the self-reported measures and the three weakest answered practices."""
    table = benchmark_table(year)
    measures = []
    for qid in DORA_MEASURES:
        question = qs.question(qid)
        if question is None:
            continue
        answer = answers.get(qid)
        value = _metric_value(qs, question, answer)
        tier = table.tier(question.metric or "", value) if value is not None else None
        measures.append(MeasureResult(question, _label(qs, question, answer), tier))
    scored = []
    for qid in KEY_PRACTICES:
        question, answer = qs.question(qid), answers.get(qid)
        if question is None or answer is None or answer.value is None:
            continue
        discipline = qs.area_of(qid)[0].name
        score = question_score(qs, question, answer.value)
        scored.append(Gap(question, discipline, _label(qs, question, answer), score))
    scored.sort(key=lambda g: (g.score, -g.question.weight))
    unknown = sum(1 for q in QUICK_IDS if q not in answers or answers[q].value is None)
    return QuickResult(tuple(measures), tuple(g for g in scored[:3] if g.score < 100), unknown)


def _metric_value(qs: QuestionnaireSet, question: Question, answer: Answer | None) -> float | None:
    """A bucket's lower bound (the buckets align with the tier bounds); percent as a fraction."""
    if answer is None or answer.value is None:
        return None
    if question.type == "percent":
        return answer.value / 100
    level = qs.levels(question)[int(answer.value)]
    return level.range[0] if level.range else None


def _label(qs: QuestionnaireSet, question: Question, answer: Answer | None) -> str:
    if answer is None:
        return "not answered"
    if answer.value is None:
        return "Don't know"
    if question.type == "percent":
        return f"{answer.value:g} %"
    return qs.levels(question)[int(answer.value)].label


def summary_text(result: QuickResult) -> str:
    """The result as terminal lines: each measure's tier, then the top practice gaps."""
    lines = ["Your quick check result", ""]
    for m in result.measures:
        tier = m.tier.capitalize() if m.tier else "not placed"
        lines.append(f"  {(m.question.metric or '').replace('_', ' '):<34} {tier:<11} ({m.answer})")
    lines += ["", "Top practice gaps:" if result.gaps else "No gaps among the practices answered."]
    for number, gap in enumerate(result.gaps, start=1):
        lines.append(f"  {number}. {gap.discipline}: {gap.question.text}")
        lines.append(f"     {gap.question.help}")
    lines += ["", ATTRIBUTION]
    return "\n".join(lines)
