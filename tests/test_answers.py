"""Answers files: YAML and CSV respondents; bad input names file, line and question."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from opsmaturity.demo.answers import demo_answers
from opsmaturity.errors import AnswersError
from opsmaturity.practices.answers import Answer, dump_response, load_answers
from opsmaturity.practices.export import CSV_COLUMNS, export_questionnaire
from opsmaturity.practices.questionnaire import QuestionnaireSet, load_questionnaires
from tests.test_questionnaire import tiny

GOOD = """\
respondent: Ana
role: Developer
team: Checkout
answers:
  ops.alpha.one: 3
  ops.alpha.two: Ad hoc
  ops.beta.three: dont_know
  self.delivery.freq: {value: Daily, comment: most days}
  self.delivery.cfr: "12%"
comment: fine
"""


@pytest.fixture
def qs(tmp_path: Path) -> QuestionnaireSet:
    return tiny(tmp_path)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_answers_accept_levels_labels_dont_know_and_comments(
    tmp_path: Path, qs: QuestionnaireSet
) -> None:
    [response] = load_answers([write(tmp_path, "ana.yaml", GOOD)], qs)
    assert (response.respondent, response.role, response.team, response.comment) == (
        "Ana",
        "Developer",
        "Checkout",
        "fine",
    )
    assert response.answers == {
        "ops.alpha.one": Answer(3.0),
        "ops.alpha.two": Answer(1.0),
        "ops.beta.three": Answer(None),
        "self.delivery.freq": Answer(2.0, "most days"),
        "self.delivery.cfr": Answer(12.0),
    }


def test_optional_questions_may_be_left_out(tmp_path: Path, qs: QuestionnaireSet) -> None:
    text = "respondent: Bo\nrole: SRE\nanswers:\n  ops.alpha.one: 0\n  ops.alpha.two: 4\n"
    [response] = load_answers([write(tmp_path, "bo.yaml", text)], qs)
    assert response.team is None and set(response.answers) == {"ops.alpha.one", "ops.alpha.two"}


YAML_ERRORS = [
    ("  ops.alpha.one: 3\n", "  ops.alpha.one: 5\n", r"ana\.yaml:5: ops\.alpha\.one: '?5'? is off the scale 0-4 \(maturity\)"),
    ("  ops.alpha.one: 3\n", "  ops.alpha.one: 2.5\n", r"ana\.yaml:5: ops\.alpha\.one: .*off the scale"),
    ("  ops.alpha.two: Ad hoc\n", "  ops.alpha.two: Sometimes\n", r"ana\.yaml:6: ops\.alpha\.two: 'Sometimes' is not a level or label"),
    ("  ops.beta.three: dont_know\n", "  ops.nope.three: 1\n", r"ana\.yaml:7: ops\.nope\.three: unknown question id"),
    ('  self.delivery.cfr: "12%"\n', "  self.delivery.cfr: 120\n", r"ana\.yaml:9: self\.delivery\.cfr: 120 is not a percentage"),
    ("respondent: Ana\n", "", r"ana\.yaml:1: respondent: missing"),
    ("comment: fine\n", "coment: fine\n", r"ana\.yaml:10: unknown field 'coment'"),
    ("team: Checkout\n", "team: Checkout\ndisciplines: [ops, dev]\n", r"ana\.yaml:4: disciplines: expected a list of"),
    ("answers:\n", "answers: [\n", r"ana\.yaml:\d+: invalid YAML"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "expected"), YAML_ERRORS)
def test_bad_yaml_answers_name_file_line_and_question(
    tmp_path: Path, qs: QuestionnaireSet, old: str, new: str, expected: str
) -> None:
    path = write(tmp_path, "ana.yaml", GOOD.replace(old, new, 1))
    with pytest.raises(AnswersError, match=expected):
        load_answers([path], qs)


def test_disciplines_limit_the_required_answers(tmp_path: Path, qs: QuestionnaireSet) -> None:
    text = "respondent: Cy\nrole: Manager\ndisciplines: [self]\nanswers:\n  self.delivery.freq: 1\n"
    [response] = load_answers([write(tmp_path, "cy.yaml", text)], qs)
    assert response.disciplines == ("self",)


def test_nothing_is_half_imported_and_every_error_is_listed(
    tmp_path: Path, qs: QuestionnaireSet
) -> None:
    good = write(tmp_path, "ana.yaml", GOOD)
    bad = write(
        tmp_path,
        "bo.yaml",
        GOOD.replace("Ana", "Bo").replace("ops.alpha.one: 3", "ops.alpha.one: 9"),
    )
    worse = write(
        tmp_path,
        "cy.yaml",
        GOOD.replace("Ana", "Cy").replace("ops.alpha.two: Ad hoc", "ops.alpha.two: 7"),
    )
    with pytest.raises(AnswersError) as info:
        load_answers([good, bad, worse], qs)
    lines = str(info.value).splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("bo.yaml:5: ops.alpha.one: 9 is off the scale 0-4 (maturity)")
    assert lines[1].endswith("cy.yaml:6: ops.alpha.two: 7 is off the scale 0-4 (maturity)")


def test_the_same_respondent_twice_is_an_error(tmp_path: Path, qs: QuestionnaireSet) -> None:
    first, second = (
        write(tmp_path, "a.yaml", GOOD),
        write(tmp_path, "b.yaml", GOOD.replace("Ana", "ana")),
    )
    with pytest.raises(AnswersError, match=r"b\.yaml: respondent 'ana' also answered in .*a\.yaml"):
        load_answers([first, second], qs)


def test_missing_file_is_an_answers_error(tmp_path: Path, qs: QuestionnaireSet) -> None:
    with pytest.raises(AnswersError, match="cannot read"):
        load_answers([tmp_path / "nobody.yaml"], qs)


def _filled_form(qs: QuestionnaireSet, answers: dict[str, str], comments: dict[str, str]) -> str:
    """The exported blank form with the answer (and comment) column filled in."""
    rows = list(csv.DictReader(io.StringIO(export_questionnaire(qs, "csv"))))
    for row in rows:
        row["answer"] = answers.get(row["question_id"], "")
        row["comment"] = comments.get(row["question_id"], "")
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


FILLED = {
    "respondent": "Dee",
    "role": "SRE",
    "team": "Platform",
    "ops.alpha.one": "2",
    "ops.alpha.two": "optimised and automated",
    "self.delivery.cfr": "dk",
}


def test_exported_csv_form_imports_back_when_filled(tmp_path: Path, qs: QuestionnaireSet) -> None:
    path = write(tmp_path, "dee.csv", _filled_form(qs, FILLED, {"ops.alpha.one": "we try"}))
    [response] = load_answers([path], qs)
    assert (response.respondent, response.role, response.team) == ("Dee", "SRE", "Platform")
    assert response.answers == {
        "ops.alpha.one": Answer(2.0, "we try"),
        "ops.alpha.two": Answer(4.0),
        "self.delivery.cfr": Answer(None),
    }


def test_csv_form_lists_details_then_every_question(qs: QuestionnaireSet) -> None:
    rows = list(csv.DictReader(io.StringIO(export_questionnaire(qs, "csv"))))
    assert [r["question_id"] for r in rows] == [
        "respondent", "role", "team", "comment",
        "ops.alpha.one", "ops.alpha.two", "ops.beta.three", "self.delivery.freq", "self.delivery.cfr",
    ]  # fmt: skip
    assert rows[4]["options"].startswith("0 = Not practised; 1 = Ad hoc;")
    assert rows[6]["options"].endswith("dont_know (optional)")
    assert all(r["answer"] == "" for r in rows)


def test_bad_csv_row_names_its_line(tmp_path: Path, qs: QuestionnaireSet) -> None:
    text = _filled_form(qs, {**FILLED, "ops.alpha.two": "11"}, {})
    # header is line 1, four detail rows, then ops.alpha.one on line 6 and ops.alpha.two on 7
    with pytest.raises(
        AnswersError, match=r"dee\.csv:7: ops\.alpha\.two: '11' is off the scale 0-4"
    ):
        load_answers([write(tmp_path, "dee.csv", text)], qs)


def test_csv_without_answer_column_is_rejected(tmp_path: Path, qs: QuestionnaireSet) -> None:
    with pytest.raises(
        AnswersError, match=r"x\.csv:1: CSV needs the columns question_id and answer"
    ):
        load_answers([write(tmp_path, "x.csv", "id,value\nops.alpha.one,1\n")], qs)


def test_csv_question_answered_twice(tmp_path: Path, qs: QuestionnaireSet) -> None:
    text = "question_id,answer\nrespondent,Ed\nops.alpha.one,1\nops.alpha.two,1\nops.alpha.one,2\n"
    with pytest.raises(AnswersError, match=r"e\.csv:5: ops\.alpha\.one: answered twice"):
        load_answers([write(tmp_path, "e.csv", text)], qs)


def test_written_responses_load_back_unchanged(tmp_path: Path) -> None:
    bundled = load_questionnaires()
    responses = demo_answers(questionnaires=bundled)
    paths = []
    for i, response in enumerate(responses):
        paths.append(tmp_path / f"r{i}.yaml")
        dump_response(response, paths[-1])
    loaded = load_answers(paths, bundled)
    assert loaded == responses


def test_bundled_csv_form_credits_dora_and_still_imports(tmp_path: Path) -> None:
    bundled = load_questionnaires()
    text = export_questionnaire(bundled, "csv")
    credits = [r for r in csv.DictReader(io.StringIO(text)) if not r["question_id"]]
    assert credits and all("CC BY 4.0" in r["question"] for r in credits)
    rows = list(csv.DictReader(io.StringIO(text)))
    for row in rows:
        question = bundled.question(row["question_id"])
        if row["question_id"] == "respondent":
            row["answer"] = "Flo"
        elif question is not None and question.required:
            row["answer"] = "dont_know"
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    [response] = load_answers([write(tmp_path, "flo.csv", out.getvalue())], bundled)
    assert response.respondent == "Flo" and all(a.value is None for a in response.answers.values())
