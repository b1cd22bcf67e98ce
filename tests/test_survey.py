"""The interactive survey, driven through its prompt layer: answers, help, stop and resume."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
import yaml
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from opsmaturity.practices.answers import Answer, load_answers
from opsmaturity.practices.questionnaire import QuestionnaireSet
from opsmaturity.practices.survey import DONT_KNOW, HELP, STOP, QuestionaryPrompter, run_survey
from tests.test_questionnaire import tiny


class Scripted:
    """A prompter that plays back ``("select"|"text", reply)`` pairs and records what it shows."""

    def __init__(self, *script: tuple[str, str | None]) -> None:
        self.script = list(script)
        self.shown: list[str] = []
        self.asked: list[str] = []

    def _next(self, kind: str, message: str) -> str | None:
        assert self.script, f"unexpected {kind} prompt: {message}"
        expected, reply = self.script.pop(0)
        assert expected == kind, f"expected a {expected} prompt, got {kind}: {message}"
        self.asked.append(message)
        return reply

    def select(self, message: str, choices: Sequence[tuple[str, str]]) -> str | None:
        reply = self._next("select", message)
        assert reply is None or reply in [value for value, _ in choices]
        return reply

    def text(self, message: str, default: str = "") -> str | None:
        return self._next("text", message)

    def show(self, message: str) -> None:
        self.shown.append(message)


DETAILS = [("text", "Ana"), ("text", "Developer"), ("text", "Checkout")]


@pytest.fixture
def qs(tmp_path: Path) -> QuestionnaireSet:
    return tiny(tmp_path)


def test_full_survey_with_help_dont_know_and_a_typo(tmp_path: Path, qs: QuestionnaireSet) -> None:
    prompter = Scripted(
        *DETAILS,
        ("select", HELP), ("select", "3"),  # ops.alpha.one: help first, then Defined
        ("select", "1"),  # ops.alpha.two
        ("select", DONT_KNOW),  # ops.beta.three
        ("select", "2"),  # self.delivery.freq: Daily
        ("text", "lots"), ("text", "?"), ("text", "12 %"),  # percent: typo, help, answer
    )  # fmt: skip
    out = tmp_path / "ana.yaml"
    result = run_survey(qs, out, prompter)
    assert (result.answered, result.total, result.complete) == (5, 5, True)
    assert prompter.script == []
    assert "Good one." in prompter.shown and "Failures." in prompter.shown
    assert "'lots' is not a percentage from 0 to 100" in prompter.shown
    assert "[1/5] Ops · Alpha" in prompter.shown
    [response] = load_answers([out], qs)
    assert (response.respondent, response.role, response.team) == ("Ana", "Developer", "Checkout")
    assert response.answers == {
        "ops.alpha.one": Answer(3.0),
        "ops.alpha.two": Answer(1.0),
        "ops.beta.three": Answer(None),
        "self.delivery.freq": Answer(2.0),
        "self.delivery.cfr": Answer(12.0),
    }


def test_stop_saves_and_a_second_run_resumes(tmp_path: Path, qs: QuestionnaireSet) -> None:
    out = tmp_path / "ana.yaml"
    first = run_survey(qs, out, Scripted(*DETAILS, ("select", "4"), ("select", STOP)))
    assert (first.answered, first.complete) == (1, False)
    saved = yaml.safe_load(out.read_text())
    assert saved["answers"] == {"ops.alpha.one": 4} and saved["team"] == "Checkout"
    second = Scripted(("select", "0"), ("select", "2"), ("select", "0"), ("text", "dk"))
    result = run_survey(qs, out, second)
    assert result.complete and second.script == []
    assert second.asked[0] == "Two?"  # neither the details nor question one are asked again
    assert any(m.startswith("Resuming") and "1 answers" in m for m in second.shown)
    [response] = load_answers([out], qs)
    assert response.answers["ops.alpha.one"] == Answer(4.0)
    assert response.answers["self.delivery.cfr"] == Answer(None)


def test_ctrl_c_keeps_what_was_answered(tmp_path: Path, qs: QuestionnaireSet) -> None:
    out = tmp_path / "bo.yaml"
    result = run_survey(qs, out, Scripted(("text", "Bo"), ("text", None)))
    assert result.answered == 0 and not out.exists()  # details are saved together
    result = run_survey(
        qs,
        out,
        Scripted(("text", "Bo"), ("text", "SRE"), ("text", ""), ("select", "2"), ("select", None)),
    )
    saved = yaml.safe_load(out.read_text())
    assert (saved["role"], saved["team"], saved["answers"]) == ("SRE", None, {"ops.alpha.one": 2})
    assert result.answered == 1
    again = Scripted(("select", "1"), ("select", STOP))  # an empty team is not asked again
    run_survey(qs, out, again)
    assert again.script == []


def test_a_name_is_required(tmp_path: Path, qs: QuestionnaireSet) -> None:
    prompter = Scripted(("text", "  "))
    result = run_survey(qs, tmp_path / "x.yaml", prompter)
    assert result.answered == 0 and "A name or id is needed" in prompter.shown[0]
    assert not (tmp_path / "x.yaml").exists()


def test_survey_of_some_disciplines_only(tmp_path: Path, qs: QuestionnaireSet) -> None:
    out = tmp_path / "cy.yaml"
    prompter = Scripted(
        ("text", "Cy"), ("text", "Manager"), ("text", "Ops"), ("select", "1"), ("text", "30")
    )
    result = run_survey(qs, out, prompter, disciplines=["self"])
    assert (result.answered, result.total) == (2, 2)
    [response] = load_answers([out], qs)  # ops questions are not required of this respondent
    assert response.disciplines == ("self",)


def test_answers_that_no_longer_fit_are_asked_again(tmp_path: Path, qs: QuestionnaireSet) -> None:
    out = tmp_path / "dee.yaml"
    out.write_text(
        "respondent: Dee\nrole: SRE\nteam: null\nanswers:\n  ops.alpha.one: 9\n  gone.old.q: 1\n  ops.alpha.two: 2\n"
    )
    prompter = Scripted(("select", "3"), ("select", STOP))
    run_survey(qs, out, prompter)
    assert prompter.asked == ["One?", "Three?"]
    assert yaml.safe_load(out.read_text())["answers"] == {"ops.alpha.two": 2, "ops.alpha.one": 3}


def test_real_questionary_prompter_with_arrow_keys(tmp_path: Path, qs: QuestionnaireSet) -> None:
    keys = "Eve\rDev\r\r" + "\x1b[B\x1b[B\r" + "\r" + "\x1b[B" * 8 + "\r"
    with create_pipe_input() as pipe:
        pipe.send_text(
            keys
        )  # name, role, no team; level 2; level 0; down past "Back" to "Stop and save"
        result = run_survey(
            qs, tmp_path / "eve.yaml", QuestionaryPrompter(input=pipe, output=DummyOutput())
        )
    saved = yaml.safe_load((tmp_path / "eve.yaml").read_text())
    assert (saved["respondent"], saved["role"], saved["team"]) == ("Eve", "Dev", None)
    assert saved["answers"] == {"ops.alpha.one": 2, "ops.alpha.two": 0}
    assert not result.complete


def test_b_goes_back_and_the_scale_change_is_announced(
    tmp_path: Path, qs: QuestionnaireSet
) -> None:
    from opsmaturity.practices.survey import BACK

    out = tmp_path / "fay.yaml"
    prompter = Scripted(
        *DETAILS,
        ("select", "1"),  # ops.alpha.one
        ("select", BACK),  # on two: back to one
        ("select", "4"),  # one again, corrected
        ("select", "2"), ("select", "0"),  # two, three
        ("select", "1"),  # self.delivery.freq: another scale
        ("text", "b"), ("select", "2"), ("text", "5"),  # percent: back, freq again, then 5 %
    )  # fmt: skip
    result = run_survey(qs, out, prompter)
    assert result.complete and prompter.script == []
    assert prompter.asked[:4] == [
        "Your name (or an anonymous id):",
        "Your role (e.g. Developer, SRE, Engineering manager):",
        "Your team (leave empty if none):",
        "One?",
    ]
    assert prompter.asked[4:7] == ["Two?", "One?", "Two?"]
    assert "5 questions, about 2 minutes." in prompter.shown
    assert "Note: the answers change here, to a scale from 'Rarely' to 'Daily'." in prompter.shown
    assert "Note: the answers change here, to a percentage from 0 to 100." in prompter.shown
    assert result.answers["ops.alpha.one"] == Answer(4.0)
    assert result.answers["self.delivery.freq"] == Answer(2.0)


def test_disciplines_are_chosen_by_number_with_the_total_shown(
    tmp_path: Path, qs: QuestionnaireSet
) -> None:
    from opsmaturity.practices.survey import choose_disciplines

    prompter = Scripted(("text", "7"), ("text", "2"))
    chosen = choose_disciplines(qs, prompter, tmp_path / "new.yaml")
    assert chosen == ["self"]
    assert prompter.shown[:2] == [
        "  1. Ops: 3 questions, about 1 min",
        "  2. Self-report: 2 questions, about 1 min",
    ]
    assert "Type numbers from 1 to 2" in prompter.shown[2]
    assert prompter.shown[-1] == "You chose 2 questions, about 1 minute."
    assert choose_disciplines(qs, Scripted(("text", "")), tmp_path / "x.yaml") == ["ops", "self"]


def test_a_number_key_picks_a_level_at_once(tmp_path: Path, qs: QuestionnaireSet) -> None:
    keys = "Gus\rDev\r\r" + "3" + "d" + "s"  # level 3 on one, don't know on two, stop
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        run_survey(qs, tmp_path / "gus.yaml", QuestionaryPrompter(input=pipe, output=DummyOutput()))
    saved = yaml.safe_load((tmp_path / "gus.yaml").read_text())
    assert saved["answers"] == {"ops.alpha.one": 3, "ops.alpha.two": "dont_know"}
