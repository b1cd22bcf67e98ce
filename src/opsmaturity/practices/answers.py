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

Any other CSV is read as a form export (Google Forms, Microsoft Forms, Typeform): one row
per respondent, see :mod:`.form_import`. Unanswered questions are allowed: they leave the
score to what was answered, and :func:`read_answers` returns a warning with the coverage
per discipline instead of refusing the file.
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
from . import form_import
from .answer_files import expand_answer_paths
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


@dataclass(frozen=True)
class AnswerSet:
    """Every response read, and what the reader wants the user to know (partial, unmapped)."""

    responses: list[Response]
    warnings: list[str]


def load_answers(
    paths: Iterable[str | Path], questionnaires: QuestionnaireSet | None = None
) -> list[Response]:
    """Read every file; raise one AnswersError listing all problems, or return all responses."""
    return read_answers(paths, questionnaires).responses


def read_answers(
    paths: Iterable[str | Path], questionnaires: QuestionnaireSet | None = None
) -> AnswerSet:
    """Files, folders or globs; one AnswersError listing all problems, or every response."""
    from .coverage import coverage_warnings

    qs = questionnaires or load_questionnaires()
    responses: list[Response] = []
    errors: list[str] = []
    warnings: list[str] = []
    for path in expand_answer_paths(paths):
        try:
            if path.suffix.lower() == ".csv":
                responses.extend(_read_csv(path, qs, errors, warnings))
            else:
                response = _read_yaml(path, qs, errors)
                responses.extend([response] if response is not None else [])
        except AnswersError as exc:  # unreadable file or broken YAML syntax
            errors.append(str(exc))
    _check_duplicates(responses, errors)
    if errors:
        more = f"\n(and {len(errors) - MAX_REPORTED} more)" if len(errors) > MAX_REPORTED else ""
        raise AnswersError("\n".join(errors[:MAX_REPORTED]) + more)
    return AnswerSet(responses, warnings + coverage_warnings(qs, responses))


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
    return _build(path, meta, line, answers, qs, errors, start)


def _read_csv(
    path: Path, qs: QuestionnaireSet, errors: list[str], warnings: list[str]
) -> list[Response]:
    """The blank-form CSV (question_id, answer) or a form tool's wide export."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader, [])
            if form_import.looks_wide(header):
                return _read_wide(path, qs, header, reader, errors, warnings)
            if "answer" not in header:
                errors.append(f"{path}:1: CSV needs the columns question_id and answer")
                return []
            handle.seek(0)
            dict_reader = csv.DictReader(handle)
            rows = [(dict_reader.line_num, row) for row in dict_reader]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        errors.append(f"{path}: cannot read CSV: {exc}")
        return []
    response = _read_long(path, qs, rows, errors)
    return [response] if response is not None else []


def _read_wide(
    path: Path,
    qs: QuestionnaireSet,
    header: list[str],
    reader: Iterable[list[str]],
    errors: list[str],
    warnings: list[str],
) -> list[Response]:
    """One response per row of a Google Forms / Microsoft Forms / Typeform export."""
    columns = form_import.map_columns(qs, header)
    if not columns.questions:
        errors.append(
            f"{path}:1: CSV needs the columns question_id and answer (blank form), or a column "
            "per question headed by its id or exact text (form export); no column matches"
        )
        return []
    if columns.unmapped:
        names = ", ".join(repr(n[:60]) for n in columns.unmapped[:5])
        more = f" and {len(columns.unmapped) - 5} more" if len(columns.unmapped) > 5 else ""
        warnings.append(f"{path}: {len(columns.unmapped)} column(s) not imported: {names}{more}")
    asked = {qs.area_of(qid)[0].id for qid in columns.questions.values()}
    ordered = [d.id for d in qs.disciplines if d.id in asked]
    responses = []
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        response = _wide_row(path, number, qs, columns, row, ordered, errors)
        if response is not None:
            responses.append(response)
    return responses


def _wide_row(
    path: Path,
    number: int,
    qs: QuestionnaireSet,
    columns: form_import.ColumnMap,
    row: list[str],
    disciplines: list[str],
    errors: list[str],
) -> Response | None:
    def cell(index: int) -> str:
        return row[index].strip() if index < len(row) else ""

    start = len(errors)
    meta: dict[str, Any] = {field: cell(i) or None for i, field in columns.details.items()}
    if str(meta.get("respondent") or "").lower() in form_import.ANONYMOUS:
        meta["respondent"] = None  # Microsoft Forms writes "anonymous" in every row
    if not meta.get("respondent"):
        ident = next((cell(i) for i in columns.ids if cell(i)), "")
        meta["respondent"] = f"{path.stem} #{ident or number - 1}"
    meta["disciplines"] = (
        [d.strip() for d in meta["disciplines"].split(",") if d.strip()]
        if meta.get("disciplines")
        else disciplines
    )
    answers: dict[str, Answer] = {}
    for index, qid in columns.questions.items():
        if cell(index):
            answer = _answer(qs, qid, cell(index), None, f"{path}:{number}: {qid}", errors)
            if answer is not None:
                answers[qid] = answer
    line = dict.fromkeys(META_FIELDS, number)
    return _build(path, meta, line, answers, qs, errors, start)


def _read_long(
    path: Path, qs: QuestionnaireSet, rows: list[tuple[int, dict[str, str]]], errors: list[str]
) -> Response | None:
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
    return _build(path, meta, line, answers, qs, errors, start)


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
    qs: QuestionnaireSet,
    errors: list[str],
    start: int,
) -> Response | None:
    """Check the respondent's details; None when this file had errors.

    Missing answers are not errors: :mod:`.coverage` reports them as partial coverage.
    """
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
        if key in seen and seen[key] == response.source:
            errors.append(
                f"{response.source}: respondent {response.respondent!r} answered twice in this "
                "file; keep one response per person"
            )
        elif key in seen:
            errors.append(
                f"{response.source}: respondent {response.respondent!r} also answered in "
                f"{seen[key]}; one file per respondent"
            )
        seen.setdefault(key, response.source)
