"""Respondents' answers: one YAML or CSV file per respondent, validated as a whole.

Every file is checked before anything is returned, and every problem is reported as
``file:line: question: reason``; one bad file means nothing is imported, so a half-read
survey can never be scored as if it were complete.

YAML::

    respondent: Ana
    role: Developer
    team: Checkout
    disciplines: [devops, sre]      # optional: the parts this person answers
    answers:
      devops.ci.build_on_commit: 5             # level, or its label, or dont_know
      dora.instability.change_failure_rate: {value: 10, comment: "rough guess"}
    comment: optional free text

CSV (the exported blank form): columns ``question_id`` and ``answer`` (others are ignored,
``comment`` is kept); rows whose ``question_id`` is ``respondent``, ``role``, ``team``,
``disciplines`` or ``comment`` carry the respondent's details in ``answer``.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .. import yamlpos
from ..errors import AnswersError
from .questionnaire import Question, QuestionnaireSet, load_questionnaires

DONT_KNOW = "dont_know"
_DONT_KNOW_WORDS = {"dont_know", "don't know", "dont know", "dk", "?", "n/a", "na"}
META_FIELDS = ("respondent", "role", "team", "disciplines", "comment")
_YAML_KEYS = {*META_FIELDS, "answers"}
MAX_REPORTED = 10


@dataclass(frozen=True)
class Answer:
    """A level (choice) or a percentage; ``None`` means the respondent does not know."""

    value: float | None
    comment: str | None = None


@dataclass(frozen=True)
class Response:
    """One respondent's answers, keyed by question id."""

    respondent: str
    role: str
    team: str | None
    answers: Mapping[str, Answer]
    disciplines: tuple[str, ...] | None = None
    comment: str | None = None
    source: str = field(default="", compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The YAML answers-file form (what ``run_survey`` writes)."""
        out: dict[str, Any] = {"respondent": self.respondent, "role": self.role, "team": self.team}
        if self.disciplines is not None:
            out["disciplines"] = list(self.disciplines)
        out["answers"] = {qid: _answer_out(a) for qid, a in self.answers.items()}
        if self.comment:
            out["comment"] = self.comment
        return out


def _answer_out(answer: Answer) -> Any:
    value: Any = DONT_KNOW if answer.value is None else _plain_number(answer.value)
    return {"value": value, "comment": answer.comment} if answer.comment else value


def _plain_number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def dump_response(response: Response, path: Path) -> None:
    """Write atomically, so an interrupted survey never leaves a torn file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(yaml.safe_dump(response.to_dict(), sort_keys=False, allow_unicode=True))
    tmp.replace(path)


def load_answers(
    paths: Iterable[str | Path], questionnaires: QuestionnaireSet | None = None
) -> list[Response]:
    """Read every file; raise one AnswersError listing all problems, or return all responses."""
    qs = questionnaires or load_questionnaires()
    responses: list[Response] = []
    errors: list[str] = []
    for raw in paths:
        path = Path(raw)
        reader = _read_csv if path.suffix.lower() == ".csv" else _read_yaml
        try:
            response = reader(path, qs, errors)
        except AnswersError as exc:  # unreadable file or broken YAML syntax
            errors.append(str(exc))
            continue
        if response is not None:
            responses.append(response)
    _check_duplicates(responses, errors)
    if errors:
        more = f"\n(and {len(errors) - MAX_REPORTED} more)" if len(errors) > MAX_REPORTED else ""
        raise AnswersError("\n".join(errors[:MAX_REPORTED]) + more)
    return responses


def parse_value(qs: QuestionnaireSet, question: Question, raw: Any) -> float | None:
    """A level or percentage from a number, a label or a don't-know word; ValueError if bad."""
    if raw is None or (isinstance(raw, str) and raw.strip().lower() in _DONT_KNOW_WORDS):
        return None
    if question.type == "percent":
        number = _number(str(raw).strip().rstrip("%"))
        if number is None or not 0 <= number <= 100:
            raise ValueError(f"{raw!r} is not a percentage from 0 to 100")
        return number
    levels = qs.levels(question)
    number = _number(str(raw).strip())
    if number is not None:
        if number.is_integer() and 0 <= number < len(levels):
            return number
        raise ValueError(f"{raw!r} is off the scale 0-{len(levels) - 1} ({question.scale})")
    for level in levels:
        if level.label.lower() == str(raw).strip().lower():
            return float(level.value)
    raise ValueError(f"{raw!r} is not a level or label of scale {question.scale}")


def _number(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _read_yaml(path: Path, qs: QuestionnaireSet, errors: list[str]) -> Response | None:
    doc = yamlpos.load(path, AnswersError)
    data = doc.data
    if not isinstance(data, dict):
        errors.append(f"{path}:1: expected a mapping with respondent, role, team and answers")
        return None
    start = len(errors)
    for key in data:
        if key not in _YAML_KEYS:
            errors.append(f"{path}:{doc.line_of([key])}: unknown field {key!r}")
    raw_answers = data.get("answers") or {}
    if not isinstance(raw_answers, dict):
        errors.append(f"{path}:{doc.line_of(['answers'])}: answers must be a mapping")
        raw_answers = {}
    answers: dict[str, Answer] = {}
    present = {str(qid) for qid in raw_answers}
    for qid, raw in raw_answers.items():
        where = f"{path}:{doc.line_of(['answers', qid])}: {qid}"
        comment = None
        if isinstance(raw, dict):
            comment = raw.get("comment")
            raw = raw.get("value")
        answer = _answer(qs, str(qid), raw, comment, where, errors)
        if answer is not None:
            answers[str(qid)] = answer
    meta = {k: data.get(k) for k in META_FIELDS}
    line = {k: doc.line_of([k]) for k in META_FIELDS}
    return _build(path, meta, line, answers, present, qs, errors, start, doc.line_of(["answers"]))


def _read_csv(path: Path, qs: QuestionnaireSet, errors: list[str]) -> Response | None:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames or not {"question_id", "answer"} <= set(reader.fieldnames):
                errors.append(f"{path}:1: CSV needs the columns question_id and answer")
                return None
            rows = [(reader.line_num, row) for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        errors.append(f"{path}: cannot read CSV: {exc}")
        return None
    start = len(errors)
    meta: dict[str, Any] = {}
    line: dict[str, int] = {}
    answers: dict[str, Answer] = {}
    present: set[str] = set()
    for number, row in rows:
        qid = (row.get("question_id") or "").strip()
        raw = (row.get("answer") or "").strip()
        where = f"{path}:{number}: {qid}"
        if qid in META_FIELDS:
            meta[qid], line[qid] = raw or None, number
        elif qid and raw:
            if qid in present:
                errors.append(f"{where}: answered twice")
                continue
            present.add(qid)
            answer = _answer(
                qs, qid, raw, (row.get("comment") or "").strip() or None, where, errors
            )
            if answer is not None:
                answers[qid] = answer
    if isinstance(meta.get("disciplines"), str):
        meta["disciplines"] = [d.strip() for d in meta["disciplines"].split(",") if d.strip()]
    return _build(path, meta, line, answers, present, qs, errors, start, 1)


def _answer(
    qs: QuestionnaireSet, qid: str, raw: Any, comment: Any, where: str, errors: list[str]
) -> Answer | None:
    question = qs.question(qid)
    if question is None:
        errors.append(f"{where}: unknown question id")
        return None
    try:
        value = parse_value(qs, question, raw)
    except ValueError as exc:
        errors.append(f"{where}: {exc}")
        return None
    return Answer(value, str(comment) if comment else None)


def _build(
    path: Path,
    meta: Mapping[str, Any],
    line: Mapping[str, int],
    answers: dict[str, Answer],
    present: set[str],
    qs: QuestionnaireSet,
    errors: list[str],
    start: int,
    answers_line: int,
) -> Response | None:
    """Check the respondent's details and required answers; None when this file had errors."""
    respondent = str(meta.get("respondent") or "").strip()
    if not respondent:
        errors.append(f"{path}:{line.get('respondent', 1)}: respondent: missing")
    disciplines = meta.get("disciplines")
    if disciplines is not None:
        known = {d.id for d in qs.disciplines}
        bad = [d for d in disciplines if d not in known] if isinstance(disciplines, list) else [0]
        if bad:
            where = f"{path}:{line.get('disciplines', 1)}: disciplines"
            errors.append(f"{where}: expected a list of {sorted(known)}, got {disciplines!r}")
            disciplines = None
    for question in qs.questions(disciplines):
        if question.required and question.id not in present:
            errors.append(f"{path}:{answers_line}: {question.id}: required answer missing")
    if len(errors) > start:
        return None
    team = str(meta["team"]).strip() if meta.get("team") else None
    return Response(
        respondent=respondent,
        role=str(meta.get("role") or "").strip(),
        team=team,
        answers=answers,
        disciplines=tuple(disciplines) if disciplines is not None else None,
        comment=str(meta["comment"]) if meta.get("comment") else None,
        source=str(path),
    )


def _check_duplicates(responses: list[Response], errors: list[str]) -> None:
    seen: dict[str, str] = {}
    for response in responses:
        key = response.respondent.lower()
        if key in seen:
            errors.append(
                f"{response.source}: respondent {response.respondent!r} also answered in "
                f"{seen[key]}; one file per respondent"
            )
        seen.setdefault(key, response.source)
