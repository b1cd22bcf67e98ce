"""How much of the questionnaire each response covers, and configured team names.

A half-finished answers file is still worth scoring: areas nobody answered stay unscored
(unknown is not zero). The user is told instead, per respondent, which disciplines were
covered and how far, so a thin survey is visible rather than silently averaged.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import replace

from ..errors import AnswersError
from .answers import Response
from .questionnaire import QuestionnaireSet

MAX_LISTED = 10


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
