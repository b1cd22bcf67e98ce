"""The interactive survey: one question at a time, saved after every answer, resumable.

The survey talks to the terminal only through a small ``Prompter`` interface, so tests drive
it with a scripted prompter and the CLI passes ``QuestionaryPrompter`` (arrow keys). A
prompter returns ``None`` when the person interrupts (Ctrl-C); the answers so far are already
on disk, and running the survey again on the same file resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from .. import yamlpos
from ..errors import AnswersError
from .answers import Answer, Response, dump_response, parse_value
from .questionnaire import Question, QuestionnaireSet

HELP, STOP, DONT_KNOW = "__help__", "__stop__", "__dont_know__"
_STOP_WORDS = {"stop", "quit", "exit"}


class Prompter(Protocol):
    """What the survey needs from a terminal."""

    def select(self, message: str, choices: Sequence[tuple[str, str]]) -> str | None:
        """Pick one of ``(value, title)``; None when interrupted."""

    def text(self, message: str, default: str = "") -> str | None:
        """Free text; None when interrupted."""

    def show(self, message: str) -> None:
        """Print information (help text, progress)."""


class QuestionaryPrompter:
    """The real terminal: questionary's arrow-key menus.

    ``options`` go to every questionary prompt (e.g. prompt_toolkit ``input``/``output``,
    which is how the tests type keys into the real widgets).
    """

    def __init__(self, **options: Any) -> None:
        self.options = options

    def select(self, message: str, choices: Sequence[tuple[str, str]]) -> str | None:
        import questionary

        items = [questionary.Choice(title, value=value) for value, title in choices]
        result: Any = questionary.select(message, choices=items, **self.options).ask()
        return None if result is None else str(result)

    def text(self, message: str, default: str = "") -> str | None:
        import questionary

        result: Any = questionary.text(message, default=default, **self.options).ask()
        return None if result is None else str(result)

    def show(self, message: str) -> None:
        import questionary

        questionary.print(message)


@dataclass(frozen=True)
class SurveyResult:
    path: Path
    answered: int
    total: int

    @property
    def complete(self) -> bool:
        return self.answered >= self.total


def run_survey(
    questionnaires: QuestionnaireSet,
    out_path: str | Path,
    prompter: Prompter,
    *,
    disciplines: Sequence[str] | None = None,
) -> SurveyResult:
    """Ask every unanswered question of ``disciplines`` (default all), saving as it goes."""
    path = Path(out_path)
    response = _resume(path, questionnaires, prompter, disciplines)
    questions = list(questionnaires.questions(response.disciplines))
    asked = _ask_details(response, path, prompter)
    if asked is None:
        return _result(path, questions, response)
    response = asked
    for number, question in enumerate(questions, start=1):
        if question.id in response.answers:
            continue
        answer = _ask(questionnaires, question, number, len(questions), prompter)
        if answer is None:
            prompter.show(f"Saved to {path}; run the survey again with this file to resume.")
            return _result(path, questions, response)
        response = replace(response, answers={**response.answers, question.id: answer})
        dump_response(response, path)
    prompter.show(f"Thank you. All {len(questions)} answers are saved in {path}.")
    return _result(path, questions, response)


def _result(path: Path, questions: list[Question], response: Response | None) -> SurveyResult:
    answered = sum(1 for q in questions if response and q.id in response.answers)
    return SurveyResult(path, answered, len(questions))


def _resume(
    path: Path, qs: QuestionnaireSet, prompter: Prompter, disciplines: Sequence[str] | None
) -> Response:
    """The partial answers in ``path``, if any; answers that no longer fit are asked again."""
    chosen = tuple(disciplines) if disciplines is not None else None
    if not path.exists():
        return Response("", "", None, {}, chosen)
    doc = yamlpos.load(path, AnswersError)
    data = doc.data if isinstance(doc.data, dict) else {}
    answers: dict[str, Answer] = {}
    for qid, raw in (data.get("answers") or {}).items():
        question = qs.question(str(qid))
        value, comment = (
            (raw.get("value"), raw.get("comment")) if isinstance(raw, dict) else (raw, None)
        )
        try:
            if question is not None:
                answers[question.id] = Answer(parse_value(qs, question, value), comment)
        except ValueError:
            continue
    saved = data.get("disciplines")
    response = Response(
        respondent=str(data.get("respondent") or ""),
        role=str(data.get("role") or ""),
        team=str(data["team"]) if data.get("team") else None,
        answers=answers,
        disciplines=chosen if chosen is not None else (tuple(saved) if saved else None),
        comment=data.get("comment"),
    )
    prompter.show(f"Resuming {path}: {len(answers)} answers already saved.")
    return response


def _ask_details(response: Response, path: Path, prompter: Prompter) -> Response | None:
    """Name, role and team, saved together: a file with a respondent has all three."""
    if response.respondent:
        return response
    replies = []
    for message in (
        "Your name (or an anonymous id):",
        "Your role (e.g. Developer, SRE, Engineering manager):",
        "Your team (leave empty if none):",
    ):
        value = prompter.text(message)
        if value is None:
            return None
        replies.append(value.strip())
        if not replies[0]:
            prompter.show("A name or id is needed to save your answers.")
            return None
    name, role, team = replies
    response = replace(response, respondent=name, role=role, team=team or None)
    dump_response(response, path)
    return response


def _ask(
    qs: QuestionnaireSet, question: Question, number: int, total: int, prompter: Prompter
) -> Answer | None:
    discipline, area = qs.area_of(question.id)
    prompter.show(f"[{number}/{total}] {discipline.name} · {area.name}")
    while True:
        if question.type == "percent":
            raw = prompter.text(f"{question.text} (0-100; ? for help, dk if unsure, stop to pause)")
            if raw is None or raw.strip().lower() in _STOP_WORDS:
                return None
            if raw.strip() == "?":
                prompter.show(question.help)
                continue
            try:
                return Answer(parse_value(qs, question, raw))
            except ValueError as exc:
                prompter.show(str(exc))
                continue
        choice = prompter.select(question.text, _choices(qs, question))
        if choice is None or choice == STOP:
            return None
        if choice == HELP:
            prompter.show(question.help)
            continue
        return Answer(None if choice == DONT_KNOW else float(choice))


def _choices(qs: QuestionnaireSet, question: Question) -> list[tuple[str, str]]:
    levels = [(str(level.value), f"{level.value} · {level.label}") for level in qs.levels(question)]
    return [
        *levels,
        (DONT_KNOW, "Don't know"),
        (HELP, "? What does good look like"),
        (STOP, "Stop and save (resume later)"),
    ]
