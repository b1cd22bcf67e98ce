"""Stored survey answers written out: YAML files (one per respondent) or one wide CSV.

Both forms read back with ``report --answers``: the YAML folder as answers files, the CSV
as a form export whose columns are headed by question ids.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import yaml

from ..practices.answers import DONT_KNOW, Answer
from ..practices.questionnaire import QuestionnaireSet
from .storage import SurveyStore

_DETAILS = ("respondent", "team", "role", "disciplines", "started_at", "updated_at", "finished_at")


def export_yaml(store: SurveyStore, folder: Path) -> list[Path]:
    """One answers file per respondent who answered something; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for respondent in store.respondents():
        answers = store.answers(respondent.id)
        if not answers:
            continue
        doc: dict[str, object] = {
            "respondent": respondent.label, "role": respondent.role or "", "team": respondent.team,
        }  # fmt: skip
        if respondent.disciplines is not None:
            doc["disciplines"] = list(respondent.disciplines)
        doc["answers"] = {q: _plain(a) for q, a in sorted(answers.items())}
        path = folder / f"{respondent.id:04d}-{_slug(respondent.label)}.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
        written.append(path)
    return written


def export_csv(store: SurveyStore, qs: QuestionnaireSet) -> str:
    """One row per respondent, one column per question id (empty = not answered)."""
    ids = [q.id for q in qs.questions()]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*_DETAILS, *ids])
    for r in store.respondents():
        answers = store.answers(r.id)
        if not answers:
            continue
        details = [
            r.label, r.team or "", r.role or "", ",".join(r.disciplines or ()),
            r.created_at, r.updated_at, r.finished_at or "",
        ]  # fmt: skip
        cells = ["" if q not in answers else str(_plain(answers[q])) for q in ids]
        writer.writerow([_safe_cell(c) for c in details] + cells)
    return out.getvalue()


def _plain(answer: Answer) -> object:
    if answer.value is None:
        return DONT_KNOW
    return int(answer.value) if float(answer.value).is_integer() else answer.value


def _safe_cell(text: str) -> str:
    """Free text that a spreadsheet would run as a formula is quoted (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "respondent"
