"""Questionnaires as data: one YAML file per discipline, validated with file:line errors.

A folder holds ``scales.yaml`` (answer scales shared by every file) and one file per
discipline (``devops.yaml``, ``sre.yaml``...). Each discipline has practice areas; each area
has questions with text, help text (what good looks like), a scale, a weight and the DORA
capabilities or metrics it relates to. Loading checks what pydantic cannot: ids unique across
files, scales that exist and agree wherever they are defined, levels numbered 0, 1, 2...
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .. import yamlpos
from ..errors import AnswersError
from ..resources import questionnaires_dir

SCALES_FILE = "scales.yaml"
_ID = r"^[a-z][a-z0-9_]*$"
_QUESTION_ID = r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Level(_Model):
    """One answer on a scale; ``range`` is [low, high) in a metric's unit, for survey-vs-data."""

    value: int = Field(..., ge=0)
    label: str = Field(..., min_length=1)
    range: tuple[float, float] | None = None


class Question(_Model):
    id: str = Field(..., pattern=_QUESTION_ID, description="discipline.area.name, unique.")
    text: str = Field(..., min_length=1)
    help: str = Field("", description="What good looks like; a test fails when it is empty.")
    type: Literal["choice", "percent"] = "choice"
    scale: str | None = Field(None, description="Name of the answer scale (choice questions).")
    better: Literal["higher", "lower"] = Field("higher", description="Percent questions only.")
    bands: tuple[float, ...] = Field((), description="Percent: bucket upper bounds, for compare.")
    weight: float = Field(1.0, gt=0)
    required: bool = True
    relates_to: tuple[str, ...] = Field(default=(), description="DORA capabilities or metrics.")
    metric: str | None = Field(None, description="DORA metric this self-report mirrors.")
    source: str | None = Field(None, description="Where the wording comes from, e.g. DORA.")


class Area(_Model):
    id: str = Field(..., pattern=_ID)
    name: str = Field(..., min_length=1)
    description: str = ""
    weight: float = Field(1.0, gt=0)
    questions: tuple[Question, ...] = Field(..., min_length=1)


class Discipline(_Model):
    id: str = Field(..., pattern=_ID)
    name: str = Field(..., min_length=1)
    kind: Literal["practices", "self-report"] = "practices"
    description: str = ""
    attribution: str | None = None
    scales: dict[str, tuple[Level, ...]] = Field(default_factory=dict)
    areas: tuple[Area, ...] = Field(..., min_length=1)


class _ScalesFile(_Model):
    scales: dict[str, tuple[Level, ...]]


@dataclass(frozen=True)
class QuestionnaireSet:
    """Every discipline loaded from one folder, plus the scales they share."""

    disciplines: tuple[Discipline, ...]
    scales: dict[str, tuple[Level, ...]]
    _index: dict[str, Question] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = {q.id: q for d in self.disciplines for a in d.areas for q in a.questions}
        object.__setattr__(self, "_index", index)

    def questions(self, disciplines: Sequence[str] | None = None) -> Iterator[Question]:
        for discipline in self.disciplines:
            if disciplines is None or discipline.id in disciplines:
                for area in discipline.areas:
                    yield from area.questions

    def question(self, question_id: str) -> Question | None:
        return self._index.get(question_id)

    def discipline(self, discipline_id: str) -> Discipline | None:
        return next((d for d in self.disciplines if d.id == discipline_id), None)

    def levels(self, question: Question) -> tuple[Level, ...]:
        """The scale of a choice question; empty for percent questions."""
        return self.scales[question.scale] if question.scale else ()

    def area_of(self, question_id: str) -> tuple[Discipline, Area]:
        for discipline in self.disciplines:
            for area in discipline.areas:
                if any(q.id == question_id for q in area.questions):
                    return discipline, area
        raise KeyError(question_id)


def load_questionnaires(directory: str | Path | None = None) -> QuestionnaireSet:
    """Load and validate every ``*.yaml`` in ``directory`` (default: the bundled set)."""
    folder = Path(directory) if directory is not None else questionnaires_dir()
    files = sorted(p for p in folder.glob("*.yaml") if p.name != SCALES_FILE)
    if not files:
        raise AnswersError(f"{folder}: no questionnaire files (*.yaml)")
    scales: dict[str, tuple[Level, ...]] = {}
    scale_origin: dict[str, str] = {}
    if (folder / SCALES_FILE).is_file():
        doc = yamlpos.load(folder / SCALES_FILE, AnswersError)
        shared = _validate(_ScalesFile, doc)
        _add_scales(shared.scales, doc, ["scales"], scales, scale_origin)
    disciplines = []
    for path in files:
        doc = yamlpos.load(path, AnswersError)
        discipline = _validate(Discipline, doc)
        _add_scales(discipline.scales, doc, ["scales"], scales, scale_origin)
        disciplines.append((discipline, doc))
    _check_ids(disciplines)
    for discipline, doc in disciplines:
        _check_questions(discipline, doc, scales)
    return QuestionnaireSet(tuple(d for d, _ in disciplines), scales)


def _validate(model: type[Any], doc: yamlpos.Located) -> Any:
    if not isinstance(doc.data, dict):
        raise AnswersError(f"{doc.path}:1: expected a mapping")
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        loc = [p for p in err["loc"] if isinstance(p, int | str)]
        line = doc.line_of(loc)
        raise AnswersError(f"{doc.path}:{line}: {yamlpos.format_loc(loc)}: {err['msg']}") from None


def _fail(doc: yamlpos.Located, loc: list[str | int], message: str) -> AnswersError:
    return AnswersError(f"{doc.path}:{doc.line_of(loc)}: {yamlpos.format_loc(loc)}: {message}")


def _add_scales(
    new: dict[str, tuple[Level, ...]],
    doc: yamlpos.Located,
    loc: list[str | int],
    scales: dict[str, tuple[Level, ...]],
    origin: dict[str, str],
) -> None:
    """Scales must number their levels 0..n-1 and agree with any earlier definition."""
    for name, levels in new.items():
        values = [level.value for level in levels]
        if len(levels) < 2 or values != list(range(len(levels))):
            raise _fail(doc, [*loc, name], f"levels must be numbered 0, 1, 2... (got {values})")
        labels = [level.label.lower() for level in levels]
        if len(set(labels)) != len(labels):
            raise _fail(doc, [*loc, name], "two levels share a label")
        if name in scales and scales[name] != levels:
            raise _fail(doc, [*loc, name], f"scale differs from its definition in {origin[name]}")
        scales[name], origin[name] = levels, doc.path.name


def _check_ids(disciplines: list[tuple[Discipline, yamlpos.Located]]) -> None:
    seen: dict[str, str] = {}
    for discipline, doc in disciplines:
        if discipline.id in seen:
            raise _fail(doc, ["id"], f"discipline {discipline.id!r} also in {seen[discipline.id]}")
        seen[discipline.id] = doc.path.name
    questions: dict[str, str] = {}
    for discipline, doc in disciplines:
        area_ids: set[str] = set()
        for a, area in enumerate(discipline.areas):
            if area.id in area_ids:
                raise _fail(doc, ["areas", a, "id"], f"duplicate area id {area.id!r}")
            area_ids.add(area.id)
            for q, question in enumerate(area.questions):
                loc: list[str | int] = ["areas", a, "questions", q, "id"]
                if question.id in questions:
                    where = questions[question.id]
                    raise _fail(doc, loc, f"duplicate question id {question.id!r} (also {where})")
                questions[question.id] = f"{doc.path.name}:{doc.line_of(loc)}"
                expected = f"{discipline.id}.{area.id}."
                if not question.id.startswith(expected):
                    raise _fail(doc, loc, f"question id must start with {expected!r}")


def _check_questions(
    discipline: Discipline, doc: yamlpos.Located, scales: dict[str, tuple[Level, ...]]
) -> None:
    for a, area in enumerate(discipline.areas):
        for q, question in enumerate(area.questions):
            loc: list[str | int] = ["areas", a, "questions", q]
            if question.type == "choice":
                if question.scale is None:
                    raise _fail(doc, loc, "a choice question needs a scale")
                if question.scale not in scales:
                    known = ", ".join(sorted(scales)) or "none"
                    raise _fail(doc, [*loc, "scale"], f"unknown scale (known: {known})")
            elif question.scale is not None:
                raise _fail(doc, [*loc, "scale"], "a percent question takes no scale")
            if list(question.bands) != sorted(question.bands):
                raise _fail(doc, [*loc, "bands"], "bands must be in ascending order")
