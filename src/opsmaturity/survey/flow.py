"""The shape of a survey for one respondent: sections, progress, time and scale notices.

Pure functions over the questionnaire, so the web pages, the terminal survey and the
tests agree on what "section 3 of 12" and "about 9 minutes" mean.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from ..practices.answers import Answer
from ..practices.questionnaire import Discipline, Question, QuestionnaireSet

SECONDS_PER_QUESTION = 20  # a considered answer on a five- or seven-point scale


@dataclass(frozen=True)
class Section:
    """One page: an area of a discipline (or a whole discipline in the quick check)."""

    number: int
    discipline: Discipline
    title: str
    description: str
    questions: tuple[Question, ...]


def minutes(questions: int) -> int:
    """Rounded-up minutes to answer ``questions``; at least one."""
    return max(1, math.ceil(questions * SECONDS_PER_QUESTION / 60))


def sections(
    qs: QuestionnaireSet,
    disciplines: Sequence[str] | None,
    only: Collection[str] | None = None,
) -> list[Section]:
    """Pages in questionnaire order: one per area, or one per discipline when ``only`` is set."""
    found: list[Section] = []
    for discipline in qs.disciplines:
        if disciplines is not None and discipline.id not in disciplines:
            continue
        if only is not None:
            picked = tuple(q for a in discipline.areas for q in a.questions if q.id in only)
            if picked:
                found.append(
                    Section(
                        len(found) + 1, discipline, discipline.name, discipline.description, picked
                    )
                )
            continue
        for area in discipline.areas:
            title = f"{discipline.name}: {area.name}"
            found.append(
                Section(len(found) + 1, discipline, title, area.description, area.questions)
            )
    return found


def question_counts(qs: QuestionnaireSet, only: Collection[str] | None = None) -> dict[str, int]:
    """Discipline id -> how many questions choosing it adds."""
    return {
        d.id: sum(1 for a in d.areas for q in a.questions if only is None or q.id in only)
        for d in qs.disciplines
    }


def describe_scale(qs: QuestionnaireSet, question: Question) -> str:
    """How a question is answered, in words a respondent reads before answering."""
    if question.type == "percent":
        return "a percentage from 0 to 100"
    levels = qs.levels(question)
    if question.scale == "agree7":
        return f"how much you agree, from “{levels[0].label}” to “{levels[-1].label}”"
    if question.scale == "maturity":
        return f"how established the practice is, from “{levels[0].label}” to “{levels[-1].label}”"
    return f"a choice from “{levels[0].label}” to “{levels[-1].label}”"


def scale_notices(qs: QuestionnaireSet, pages: Sequence[Section]) -> dict[str, str]:
    """Question id -> notice, wherever the answer scale differs from the question before."""
    notices: dict[str, str] = {}
    previous: str | None = None
    for page in pages:
        for question in page.questions:
            kind = question.scale or question.type
            if previous is not None and kind != previous:
                notices[question.id] = (
                    f"The answers change here: now {describe_scale(qs, question)}."
                )
            previous = kind
    return notices


def progress(pages: Sequence[Section], answers: Mapping[str, Answer]) -> tuple[int, int]:
    """(questions answered, questions asked) over ``pages``; don't know counts as answered."""
    ids = [q.id for page in pages for q in page.questions]
    return sum(1 for q in ids if q in answers), len(ids)


def first_open_section(pages: Sequence[Section], answers: Mapping[str, Answer]) -> int:
    """Where a returning respondent resumes: the first page with an unanswered question."""
    for page in pages:
        if any(q.id not in answers for q in page.questions):
            return page.number
    return len(pages)
