"""How much of the questionnaire each response covers, and configured team names.

A half-finished answers file is still worth scoring: areas nobody answered stay unscored
(unknown is not zero). The user is told instead, per respondent, which disciplines were
covered and how far, so a thin survey is visible rather than silently averaged.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from ..errors import AnswersError
from .answers import Response
from .questionnaire import QuestionnaireSet

MAX_LISTED = 10
THIN_SHARE = 50.0
"""A discipline's score rests on thin coverage below this percent of its questions asked
having an answer the score can use (a "don't know" is an answer, but not one it can use)."""


@dataclass(frozen=True)
class DisciplineCoverage:
    """How much of one discipline the respondents answered: shown beside its score."""

    discipline: str
    asked: int
    """Respondents who were asked the discipline (chose it, or answered the whole set)."""
    respondents: int
    """Of them, those who answered at least one of its questions (don't know included)."""
    questions: int
    """Questions the discipline has."""
    answered: int
    """Answers given to its questions over the respondents asked, don't know included."""
    scored: int
    """Of them, answers with a value: what the score rests on."""
    share: float | None
    """Percent of the questions asked that were answered; None when nobody was asked."""
    scored_share: float | None
    """Percent of the questions asked that have an answer other than don't know."""
    thin: bool
    """The score rests on thin coverage (``scored_share`` below :data:`THIN_SHARE`)."""


def discipline_coverage(
    qs: QuestionnaireSet, responses: Sequence[Response]
) -> dict[str, DisciplineCoverage]:
    """Discipline id -> its coverage over ``responses``, for every discipline."""
    out = {}
    for discipline in qs.disciplines:
        ids = [q.id for area in discipline.areas for q in area.questions]
        out[discipline.id] = _discipline_coverage(discipline.id, ids, responses)
    return out


def _discipline_coverage(
    discipline: str, ids: list[str], responses: Sequence[Response]
) -> DisciplineCoverage:
    asked = [r for r in responses if r.disciplines is None or discipline in r.disciplines]
    given = [[r.answers[q] for q in ids if q in r.answers] for r in asked]
    answered = sum(len(g) for g in given)
    scored = sum(1 for g in given for a in g if a.value is not None)
    total = len(asked) * len(ids)
    share = 100.0 * answered / total if total else None
    scored_share = 100.0 * scored / total if total else None
    return DisciplineCoverage(
        discipline=discipline,
        asked=len(asked),
        respondents=sum(1 for g in given if g),
        questions=len(ids),
        answered=answered,
        scored=scored,
        share=share,
        scored_share=scored_share,
        thin=scored_share is not None and scored_share < THIN_SHARE,
    )


def coverage(qs: QuestionnaireSet, response: Response) -> dict[str, tuple[int, int]]:
    """Discipline id -> (questions answered, questions asked), for the disciplines chosen."""
    out: dict[str, tuple[int, int]] = {}
    for discipline in qs.disciplines:
        if response.disciplines is not None and discipline.id not in response.disciplines:
            continue
        ids = [q.id for area in discipline.areas for q in area.questions]
        out[discipline.id] = (sum(1 for q in ids if q in response.answers), len(ids))
    return out


def missing_required(qs: QuestionnaireSet, response: Response) -> int:
    return sum(
        1 for q in qs.questions(response.disciplines) if q.required and q.id not in response.answers
    )


def coverage_warnings(qs: QuestionnaireSet, responses: Sequence[Response]) -> list[str]:
    """One line per partial response: its coverage per discipline."""
    partial = [r for r in responses if missing_required(qs, r)]
    lines = []
    for response in partial[:MAX_LISTED]:
        parts = ", ".join(f"{d} {a}/{t}" for d, (a, t) in coverage(qs, response).items() if a < t)
        where = response.source or response.respondent
        lines.append(
            f"{where}: {response.respondent}: partial answers ({parts}); "
            "scored on what was answered"
        )
    if len(partial) > MAX_LISTED:
        lines.append(f"(and {len(partial) - MAX_LISTED} more partial responses)")
    return lines


def check_teams(responses: Iterable[Response], teams: Iterable[str]) -> list[Response]:
    """Responses with their team spelled as configured; an unknown team names the closest.

    Without configured teams any team name is accepted (there is nothing to check against).
    """
    known = list(teams)
    if not known:
        return list(responses)
    by_fold = {name.casefold(): name for name in known}
    out, errors = [], []
    for response in responses:
        if response.team is None or response.team in known:
            out.append(response)
            continue
        if response.team.casefold() in by_fold:
            out.append(replace(response, team=by_fold[response.team.casefold()]))
            continue
        close = difflib.get_close_matches(response.team, known, n=1, cutoff=0.0)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        errors.append(
            f"{response.source or response.respondent}: team: {response.team!r} is not a "
            f"configured team{hint} (teams: {', '.join(sorted(known))})"
        )
    if errors:
        raise AnswersError("\n".join(errors[:MAX_LISTED]))
    return out
