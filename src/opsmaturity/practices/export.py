"""Blank questionnaire forms a consultant can send round: CSV (fill in, import back) or HTML.

The CSV is exactly the answers format ``load_answers`` reads: the respondent's details
first (rows ``respondent``, ``role``, ``team``, ``comment``), then one row per question with
its help text and allowed answers, and empty ``answer`` and ``comment`` columns; last, the
credits of the disciplines that carry one (rows without a question id, ignored on import).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from jinja2 import Environment, StrictUndefined

from ..csvsafe import safe_row
from .questionnaire import Question, QuestionnaireSet

CSV_COLUMNS = (
    "question_id",
    "discipline",
    "area",
    "question",
    "help",
    "options",
    "answer",
    "comment",
)
_DETAILS = (
    ("respondent", "Your name (or an anonymous id)"),
    ("role", "Your role, e.g. Developer, SRE, Engineering manager"),
    ("team", "Your team (leave empty if none)"),
    ("comment", "Anything else you want to tell us (optional)"),
)


def export_questionnaire(questionnaires: QuestionnaireSet, fmt: Literal["csv", "html"]) -> str:
    """The blank form as text; ``fmt`` is ``csv`` or ``html``."""
    if fmt == "csv":
        return _csv(questionnaires)
    if fmt == "html":
        return _html(questionnaires)
    raise ValueError(f"unknown format {fmt!r}; expected csv or html")


def options_text(qs: QuestionnaireSet, question: Question) -> str:
    """Allowed answers in one line, e.g. ``0 = Not practised; 1 = Ad hoc; ...``."""
    if question.type == "percent":
        allowed = "a percentage from 0 to 100"
    else:
        allowed = "; ".join(f"{level.value} = {level.label}" for level in qs.levels(question))
    optional = "" if question.required else " (optional)"
    return f"{allowed}; dont_know{optional}"


class _SafeWriter:
    """A csv writer whose cells are neutralised against formula injection."""

    def __init__(self, writer: Any) -> None:
        self._writer = writer

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow(safe_row(row))


def _csv(qs: QuestionnaireSet) -> str:
    out = io.StringIO()
    writer = _SafeWriter(csv.writer(out, lineterminator="\n"))
    writer.writerow(CSV_COLUMNS)
    for key, prompt in _DETAILS:
        writer.writerow([key, "", "", prompt, "", "", "", ""])
    for discipline in qs.disciplines:
        for area in discipline.areas:
            for q in area.questions:
                row = [q.id, discipline.name, area.name, q.text, q.help, options_text(qs, q)]
                writer.writerow([*row, "", ""])
    for discipline in qs.disciplines:  # credits: rows without a question id are not imported
        if discipline.attribution:
            writer.writerow(["", discipline.name, "", discipline.attribution, "", "", "", ""])
    return out.getvalue()


@dataclass(frozen=True)
class _FormQuestion:
    id: str
    text: str
    help: str
    options: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class _FormArea:
    name: str
    description: str
    questions: tuple[_FormQuestion, ...]


@dataclass(frozen=True)
class _FormDiscipline:
    name: str
    description: str
    attribution: str | None
    areas: tuple[_FormArea, ...]


_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Practices questionnaire</title>
<style>
body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;color:#222}
h2{border-bottom:2px solid #1f5f8b;padding-bottom:.2rem}
.q{margin:1rem 0;padding:.6rem .8rem;border:1px solid #ddd;border-radius:4px;break-inside:avoid}
.id{color:#777;font-size:.8rem}.help{color:#555;font-size:.9rem}
ul{list-style:none;padding-left:0}li:before{content:"\\2610  "}
.credit{color:#555;font-size:.85rem}
</style></head><body>
<h1>Practices questionnaire</h1>
<p>Name: ____________ &nbsp; Role: ____________ &nbsp; Team: ____________</p>
<p>Tick one answer per question. "Don't know" is a good answer when it is true.</p>
<p>This page is for reading. To answer, use the personal link you were sent (the web survey),
or fill in the CSV form (<code>opsmaturity questionnaire export --format csv</code>) and send it
back to whoever runs the assessment.</p>
{% for d in disciplines %}<section class="discipline">
<h2>{{ d.name }}</h2><p>{{ d.description }}</p>
{% for a in d.areas %}<h3>{{ a.name }}</h3>{% if a.description %}<p>{{ a.description }}</p>{% endif %}
{% for q in a.questions %}<div class="q" id="{{ q.id }}">
<p><strong>{{ q.text }}</strong>{% if not q.required %} <em>(optional)</em>{% endif %}
<br><span class="id">{{ q.id }}</span></p>
<p class="help">{{ q.help }}</p>
<ul>{% for o in q.options %}<li>{{ o }}</li>{% endfor %}</ul>
</div>
{% endfor %}{% endfor %}{% if d.attribution %}<p class="credit">{{ d.attribution }}</p>{% endif %}
</section>
{% endfor %}</body></html>
"""


def _html(qs: QuestionnaireSet) -> str:
    env = Environment(autoescape=True, undefined=StrictUndefined)
    return env.from_string(_TEMPLATE).render(disciplines=_form(qs))


def _form(qs: QuestionnaireSet) -> list[_FormDiscipline]:
    def options(q: Question) -> tuple[str, ...]:
        if q.type == "percent":
            return ("______ %", "Don't know")
        return (*(level.label for level in qs.levels(q)), "Don't know")

    return [
        _FormDiscipline(
            d.name,
            d.description,
            d.attribution,
            tuple(
                _FormArea(
                    a.name,
                    a.description,
                    tuple(
                        _FormQuestion(q.id, q.text, q.help, options(q), q.required)
                        for q in a.questions
                    ),
                )
                for a in d.areas
            ),
        )
        for d in qs.disciplines
    ]
