"""Answers people already have: folders, globs, form-tool CSV exports, partial files, team names."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from opsmaturity.errors import AnswersError
from opsmaturity.practices.answer_files import expand_answer_paths
from opsmaturity.practices.answers import read_answers
from opsmaturity.practices.coverage import check_teams, coverage
from opsmaturity.practices.questionnaire import QuestionnaireSet
from tests.test_questionnaire import tiny

ANA = (
    "respondent: Ana\nrole: Dev\nteam: Checkout\nanswers:\n  ops.alpha.one: 3\n  ops.alpha.two: 1\n"
)
BO = "respondent: Bo\nrole: SRE\nanswers:\n  ops.alpha.one: 2\n"


@pytest.fixture
def qs(tmp_path: Path) -> QuestionnaireSet:
    return tiny(tmp_path)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    answers = tmp_path / "answers"
    answers.mkdir()
    (answers / "ana.yaml").write_text(ANA, encoding="utf-8")
    (answers / "bo.yml").write_text(BO, encoding="utf-8")
    (answers / "notes.txt").write_text("not answers", encoding="utf-8")
    return answers


def test_a_folder_means_its_answers_files_sorted(folder: Path) -> None:
    assert [p.name for p in expand_answer_paths([folder])] == ["ana.yaml", "bo.yml"]


def test_a_quoted_glob_is_expanded_and_files_are_not_read_twice(folder: Path) -> None:
    paths = expand_answer_paths([str(folder / "*.y*ml"), folder / "ana.yaml"])
    assert [p.name for p in paths] == ["ana.yaml", "bo.yml"]


@pytest.mark.parametrize("pattern", ["*.csv", "empty"])
def test_a_pattern_or_folder_finding_nothing_is_an_error(tmp_path: Path, pattern: str) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(AnswersError, match="no answers file|holds no answers"):
        expand_answer_paths([str(tmp_path / pattern)])


def test_partial_answers_are_read_with_coverage_warning(folder: Path, qs: QuestionnaireSet) -> None:
    result = read_answers([folder], qs)
    assert [r.respondent for r in result.responses] == ["Ana", "Bo"]
    bo = result.responses[1]
    assert coverage(qs, bo) == {"ops": (1, 3), "self": (0, 2)}
    [warning] = result.warnings
    assert warning.endswith(
        "bo.yml: Bo: partial answers (ops 1/3, self 0/2); scored on what was answered"
    )


def form_csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def test_google_forms_export_maps_by_question_text_and_reports_unmapped(
    tmp_path: Path, qs: QuestionnaireSet
) -> None:
    path = tmp_path / "Survey (Responses).csv"
    path.write_text(form_csv([
        ["Timestamp", "Email Address", "Your name", "Team", "One?", "two?  ", "ops.beta.three", "How often?", "Favourite colour"],
        ["2026/11/02 10:01:00", "a@x", "Ana", "Checkout", "Defined and measured", "1", "Don't know", "Daily", "blue"],
        ["2026/11/02 10:05:00", "b@x", "", "", "Ad hoc", "", "", "", ""],
    ]), encoding="utf-8")  # fmt: skip
    result = read_answers([path], qs)
    ana, anonymous = result.responses
    assert ana.respondent == "Ana" and ana.team == "Checkout"
    assert {q: a.value for q, a in ana.answers.items()} == {
        "ops.alpha.one": 3.0, "ops.alpha.two": 1.0, "ops.beta.three": None, "self.delivery.freq": 2.0,
    }  # fmt: skip
    assert anonymous.respondent == "Survey (Responses) #2026/11/02 10:05:00"
    assert anonymous.disciplines == ("ops", "self")
    assert "1 column(s) not imported: 'Favourite colour'" in result.warnings[0]


def test_microsoft_forms_bad_cell_names_file_row_and_question(
    tmp_path: Path, qs: QuestionnaireSet
) -> None:
    path = tmp_path / "ms.csv"
    path.write_text(form_csv([
        ["ID", "Start time", "Completion time", "Email", "Name", "One?"],
        ["1", "x", "y", "anonymous", "Ana", "Sometimes"],
    ]), encoding="utf-8")  # fmt: skip
    with pytest.raises(
        AnswersError, match=r"ms\.csv:2: ops\.alpha\.one: 'Sometimes' is not a level"
    ):
        read_answers([path], qs)


def test_a_csv_matching_no_question_is_refused(tmp_path: Path, qs: QuestionnaireSet) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(AnswersError, match=r"other\.csv:1: CSV needs .*no column matches"):
        read_answers([path], qs)


def test_unknown_team_names_the_closest(folder: Path, qs: QuestionnaireSet) -> None:
    responses = read_answers([folder], qs).responses
    with pytest.raises(
        AnswersError,
        match=r"ana\.yaml: team: 'Checkout' is not a configured team; did you mean 'Check-out'\?",
    ):
        check_teams(responses, ["Check-out", "Payments"])
    fixed = check_teams(responses, ["CHECKOUT", "Payments"])
    assert fixed[0].team == "CHECKOUT"
    assert check_teams(responses, []) == responses


def test_config_check_takes_several_files_and_reports_each(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from opsmaturity.cli import app

    from .conftest import ROOT

    broken = tmp_path / "broken.yaml"
    broken.write_text("organization: {}\n", encoding="utf-8")
    good = ROOT / "examples" / "github.yaml"
    result = CliRunner().invoke(
        app, ["config", "check", str(good), str(broken)], terminal_width=400
    )
    assert result.exit_code == 2
    assert f"OK {good}" in result.output and f"error: {broken}:" in result.output


def test_report_takes_the_shell_expanded_glob_and_warns_on_partial_answers(tmp_path: Path) -> None:
    import json
    import shutil

    from typer.testing import CliRunner

    from opsmaturity.cli import app

    from .conftest import ROOT

    shutil.copytree(ROOT / "examples" / "files", tmp_path / "files")
    config = shutil.copy(ROOT / "examples" / "files.yaml", tmp_path / "files.yaml")
    answers = tmp_path / "answers"
    answers.mkdir()
    (answers / "ana.yaml").write_text(
        "respondent: Ana\nrole: Dev\nanswers:\n  devops.ci.build_on_commit: 3\n", encoding="utf-8"
    )
    (answers / "bo.yaml").write_text(
        "respondent: Bo\nrole: SRE\nanswers:\n  devops.ci.build_on_commit: 4\n", encoding="utf-8"
    )
    out = tmp_path / "r.pdf"
    args = [
        "report",
        "-c",
        str(config),
        "--out",
        str(out),
        "--answers",
        str(answers / "ana.yaml"),
        str(answers / "bo.yaml"),
    ]
    result = CliRunner().invoke(app, args, terminal_width=400)
    assert result.exit_code == 0, result.output
    assert (
        "warning:" in result.output
        and "Ana: partial answers (culture 0/12, devops 1/33" in result.output
    )
    report = json.loads(out.with_suffix(".json").read_text())
    assert report["assessment"]["organization"]["respondents"] == 2


def test_report_refuses_an_unknown_team_naming_the_closest(tmp_path: Path) -> None:
    import shutil

    from typer.testing import CliRunner

    from opsmaturity.cli import app

    from .conftest import ROOT

    config = shutil.copy(ROOT / "examples" / "demo.yaml", tmp_path / "demo.yaml")
    (tmp_path / "answers").mkdir()
    (tmp_path / "answers" / "ana.yaml").write_text(
        "respondent: Ana\nrole: Dev\nteam: Chekout\nanswers: {}\n", encoding="utf-8"
    )
    args = ["report", "-c", str(config), "--answers", str(tmp_path / "answers")]
    result = CliRunner().invoke(app, args, terminal_width=400)
    assert result.exit_code == 2
    assert "team: 'Chekout' is not a configured team; did you mean 'Checkout'?" in result.output


def test_anonymous_microsoft_forms_rows_are_named_by_response_id(
    tmp_path: Path, qs: QuestionnaireSet
) -> None:
    path = tmp_path / "ms.csv"
    path.write_text(form_csv([
        ["ID", "Start time", "Completion time", "Email", "Name", "One?"],
        ["1", "x", "y", "anonymous", "anonymous", "2"],
        ["2", "x", "y", "anonymous", "anonymous", "3"],
    ]), encoding="utf-8")  # fmt: skip
    assert [r.respondent for r in read_answers([path], qs).responses] == ["ms #1", "ms #2"]


def test_the_same_name_twice_in_one_export_is_reported_as_such(
    tmp_path: Path, qs: QuestionnaireSet
) -> None:
    path = tmp_path / "g.csv"
    path.write_text(form_csv([["Name", "One?"], ["Ana", "1"], ["ana", "2"]]), encoding="utf-8")
    with pytest.raises(AnswersError, match=r"g\.csv: respondent 'ana' answered twice in this file"):
        read_answers([path], qs)
