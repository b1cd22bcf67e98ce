"""The interactive survey: one question at a time, saved after every answer, resumable.

The survey talks to the terminal only through a small ``Prompter`` interface, so tests drive
it with a scripted prompter and the CLI passes ``QuestionaryPrompter`` (arrow keys, or a
choice's key: the level's number, ``d`` don't know, ``?`` help, ``b`` back, ``s`` stop). A
prompter returns ``None`` when the person interrupts (Ctrl-C); the answers so far are already
on disk, and running the survey again on the same file resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from .. import yamlpos
from ..errors import AnswersError
from .answers import Answer, Response, dump_response, parse_value
from .questionnaire import Question, QuestionnaireSet

HELP, STOP, DONT_KNOW, BACK = "__help__", "__stop__", "__dont_know__", "__back__"
_STOP_WORDS = {"stop", "quit", "exit"}
_BACK_WORDS = {"b", "back"}
_KEYS = {DONT_KNOW: "d", HELP: "?", BACK: "b", STOP: "s"}


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
        """Arrow keys and Enter, or a choice's key (a digit, d, ?, b, s) picks it at once."""
        import questionary
        from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings

        items = [questionary.Choice(title, value=value) for value, title in choices]
        question = questionary.select(message, choices=items, use_jk_keys=False, **self.options)
        keys = KeyBindings()
        for value, _title in choices:
            key = _KEYS.get(value, value)
            if len(key) == 1:
                keys.add(key, eager=True)(lambda event, v=value: event.app.exit(result=v))
        app = question.application
        app.key_bindings = merge_key_bindings([app.key_bindings or KeyBindings(), keys])
        result: Any = question.ask()
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
    answers: Mapping[str, Answer] = field(default_factory=dict, compare=False)

    @property
    def complete(self) -> bool:
        return self.answered >= self.total


def run_survey(
    questionnaires: QuestionnaireSet,
    out_path: str | Path,
    prompter: Prompter,
    *,
    disciplines: Sequence[str] | None = None,
    only: Collection[str] | None = None,
) -> SurveyResult:
    """Ask every unanswered question of ``disciplines`` (default all), saving as it goes.

    ``only`` narrows the questions (the quick check). "b" goes back one question.
    """
    path = Path(out_path)
    response = _resume(path, questionnaires, prompter, disciplines)
    questions = [
        q for q in questionnaires.questions(response.disciplines) if only is None or q.id in only
    ]
    asked = _ask_details(response, path, prompter)
    if asked is None:
        return _result(path, questions, response)
    response = asked
    prompter.show(f"{len(questions)} questions, {_about(len(questions))}.")
    index, previous_scale, came_back = 0, None, False
    while index < len(questions):
        question = questions[index]
        if question.id in response.answers and not came_back:
            index += 1
            continue
        scale = question.scale or question.type
        if previous_scale is not None and scale != previous_scale:
            prompter.show(
                f"Note: the answers change here, to {_scale_words(questionnaires, question)}."
            )
        previous_scale = scale
        answer = _ask(questionnaires, question, index + 1, len(questions), prompter)
        if answer is None:
            prompter.show(f"Saved to {path}; run the survey again with this file to resume.")
            return _result(path, questions, response)
        if answer == BACK:
            index, came_back = max(0, index - 1), True
            continue
        assert isinstance(answer, Answer)
        response = replace(response, answers={**response.answers, question.id: answer})
        dump_response(response, path)
        index, came_back = index + 1, False
    prompter.show(f"Thank you. All {len(questions)} answers are saved in {path}.")
    return _result(path, questions, response)


def _minutes(count: int) -> int:
    return max(1, -(-count * 20 // 60))


def _about(count: int) -> str:
    minutes = _minutes(count)
    return f"about {minutes} minute{'s' if minutes != 1 else ''}"


def _scale_words(qs: QuestionnaireSet, question: Question) -> str:
    if question.type == "percent":
        return "a percentage from 0 to 100"
    levels = qs.levels(question)
    return f"a scale from '{levels[0].label}' to '{levels[-1].label}'"


def choose_disciplines(
    qs: QuestionnaireSet, prompter: Prompter, path: Path, only: Collection[str] | None = None
) -> list[str] | None:
    """Ask which parts to answer, showing each one's question count and the total.

    An empty list means "keep what the answers file chose" (resuming) or all; None: stopped.
    """
    if path.exists():
        return []
    counts = [
        (d, sum(1 for a in d.areas for q in a.questions if only is None or q.id in only))
        for d in qs.disciplines
    ]
    counts = [(d, n) for d, n in counts if n]
    for number, (discipline, n) in enumerate(counts, start=1):
        prompter.show(f"  {number}. {discipline.name}: {n} questions, about {_minutes(n)} min")
    total = sum(n for _, n in counts)
    while True:
        reply = prompter.text(
            f"Which parts can you speak to? Numbers separated by commas, Enter for all ({total} questions):"
        )
        if reply is None:
            return None
        picked = _picked(reply, len(counts))
        if picked is None:
            prompter.show(f"Type numbers from 1 to {len(counts)}, e.g. 1,3 (or Enter for all).")
            continue
        chosen = [counts[i][0].id for i in picked] if picked else [d.id for d, _ in counts]
        n = sum(c for d, c in counts if d.id in chosen)
        prompter.show(f"You chose {n} questions, {_about(n)}.")
        return chosen


def _picked(reply: str, size: int) -> list[int] | None:
    parts = [p.strip() for p in reply.replace(" ", ",").split(",") if p.strip()]
    if not all(p.isdigit() and 1 <= int(p) <= size for p in parts):
        return None
    return sorted({int(p) - 1 for p in parts})


def _result(path: Path, questions: list[Question], response: Response | None) -> SurveyResult:
    answered = sum(1 for q in questions if response and q.id in response.answers)
    return SurveyResult(path, answered, len(questions), dict(response.answers) if response else {})


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
) -> Answer | str | None:
    """The answer; BACK to go back one question; None to stop."""
    discipline, area = qs.area_of(question.id)
    prompter.show(f"[{number}/{total}] {discipline.name} · {area.name}")
    while True:
        if question.type == "percent":
            raw = prompter.text(
                f"{question.text} (0-100; ? for help, dk if unsure, b to go back, stop to pause)"
            )
            if raw is None or raw.strip().lower() in _STOP_WORDS:
                return None
            if raw.strip().lower() in _BACK_WORDS:
                return BACK
            if raw.strip() == "?":
                prompter.show(question.help)
                continue
            try:
                return Answer(parse_value(qs, question, raw))
            except ValueError as exc:
                prompter.show(str(exc))
                continue
        choice = prompter.select(question.text, _choices(qs, question, back=number > 1))
        if choice is None or choice == STOP:
            return None
        if choice == BACK:
            return BACK
        if choice == HELP:
            prompter.show(question.help)
            continue
        return Answer(None if choice == DONT_KNOW else float(choice))


def _choices(
    qs: QuestionnaireSet, question: Question, *, back: bool = False
) -> list[tuple[str, str]]:
    levels = [(str(level.value), f"{level.value} · {level.label}") for level in qs.levels(question)]
    return [
        *levels,
        (DONT_KNOW, "d · Don't know"),
        (HELP, "? · What does good look like"),
        *([(BACK, "b · Back to the previous question")] if back else []),
        (STOP, "s · Stop and save (resume later)"),
    ]
