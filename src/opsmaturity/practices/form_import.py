"""Wide CSV exports of online forms (Google Forms, Microsoft Forms, Typeform) as responses.

Those tools export one row per respondent and one column per question, headed by the
question's text. A column maps to a question when its header is the question id or the
question's exact text (spacing and case aside); columns named like the respondent's
details (name, team, role, disciplines, comment) fill those; the forms' own bookkeeping
columns (timestamps, e-mail, response ids) are skipped. Every other column is reported
back as unmapped, so a renamed question is noticed instead of silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .questionnaire import QuestionnaireSet

# Header (normalised) -> respondent detail it fills.
_DETAIL_HEADERS = {
    "respondent": "respondent", "name": "respondent", "your name": "respondent",
    "full name": "respondent", "your name (or an anonymous id)": "respondent",
    "role": "role", "your role": "role", "team": "team", "your team": "team",
    "disciplines": "disciplines", "comment": "comment", "comments": "comment",
}  # fmt: skip
# Bookkeeping columns the form tools add (Google Forms, Microsoft Forms, Typeform).
_BOOKKEEPING = {
    "timestamp", "email address", "email", "score", "id", "start time", "completion time",
    "last modified time", "#", "response type", "start date (utc)", "submit date (utc)",
    "stage date (utc)", "network id", "tags", "ending", "token", "submitted at",
    "started_at", "updated_at", "finished_at",
}  # fmt: skip
# Names that are no name (anonymous Microsoft Forms responses).
ANONYMOUS = {"anonymous", "anonyme", "anonym"}
# Columns whose value identifies a response when nobody typed a name.
_ID_HEADERS = ("id", "#", "token", "network id", "timestamp", "submitted at")


def normalise(text: str) -> str:
    """Header text as compared: spacing collapsed, case folded, trailing colon dropped."""
    return re.sub(r"\s+", " ", text).strip().rstrip(":").strip().casefold()


@dataclass(frozen=True)
class ColumnMap:
    """What each column of a wide export holds."""

    questions: Mapping[int, str]
    details: Mapping[int, str]
    ids: Sequence[int]
    unmapped: Sequence[str]


def map_columns(qs: QuestionnaireSet, header: Sequence[str]) -> ColumnMap:
    """Map each header to a question id, a respondent detail, bookkeeping, or unmapped."""
    by_text = {normalise(q.text): q.id for q in qs.questions()}
    by_id = {q.id.casefold(): q.id for q in qs.questions()}
    questions: dict[int, str] = {}
    details: dict[int, str] = {}
    ids: list[int] = []
    unmapped: list[str] = []
    for index, raw in enumerate(header):
        key = normalise(raw)
        qid = by_id.get(key) or by_text.get(key) or _id_in_brackets(raw, by_id)
        if qid is not None:
            questions[index] = qid
        elif key in _DETAIL_HEADERS and _DETAIL_HEADERS[key] not in details.values():
            details[index] = _DETAIL_HEADERS[key]
        elif key in _BOOKKEEPING:
            if key in _ID_HEADERS:
                ids.append(index)
        elif key:
            unmapped.append(raw.strip())
    return ColumnMap(questions, details, ids, unmapped)


def _id_in_brackets(header: str, by_id: Mapping[str, str]) -> str | None:
    """``Question text [devops.ci.build]``: a form whose titles end with the id in brackets."""
    match = re.search(r"\[([a-z0-9_.]+)\]\s*$", header.strip(), re.IGNORECASE)
    return by_id.get(match.group(1).casefold()) if match else None


def looks_wide(header: Sequence[str]) -> bool:
    """The blank-form CSV has a question_id column; anything else is a form export."""
    return "question_id" not in {normalise(h) for h in header}
