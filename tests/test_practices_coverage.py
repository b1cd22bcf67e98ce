"""Coverage per discipline, by hand: who was asked, who answered, what share, how thin."""

from __future__ import annotations

import pytest

from opsmaturity.practices.answers import Answer, Response
from opsmaturity.practices.coverage import THIN_SHARE, discipline_coverage
from opsmaturity.practices.questionnaire import QuestionnaireSet, load_questionnaires
from opsmaturity.practices.scoring import score
from tests.test_questionnaire import write_tiny


@pytest.fixture(scope="module")
def qs(tmp_path_factory: pytest.TempPathFactory) -> QuestionnaireSet:
    return load_questionnaires(write_tiny(tmp_path_factory.mktemp("q")))


def respondent(
    name: str, disciplines: tuple[str, ...] | None = None, **answers: float | None
) -> Response:
    given = {qid.replace("_", "."): Answer(v) for qid, v in answers.items()}
    return Response(name, "Developer", None, given, disciplines)


# ops has three questions (alpha.one, alpha.two, beta.three); self has two (freq, cfr).
A = respondent("a", ops_alpha_one=2, ops_alpha_two=None, ops_beta_three=1, self_delivery_freq=1)
B = respondent("b", ops_alpha_one=None, ops_alpha_two=None, ops_beta_three=None)
C = respondent("c", ops_alpha_one=3)  # a half-finished file
D = respondent("d", ("self",), self_delivery_freq=2, self_delivery_cfr=10)


def test_coverage_by_hand(qs: QuestionnaireSet) -> None:
    got = discipline_coverage(qs, [A, B, C, D])
    ops = got["ops"]
    # D chose only the self-report: asked 3 people x 3 questions = 9; answers 3 + 3 + 1 = 7,
    # of which 2 + 0 + 1 = 3 are not "don't know".
    assert (ops.asked, ops.respondents, ops.questions) == (3, 3, 3)
    assert (ops.answered, ops.scored) == (7, 3)
    assert ops.share == pytest.approx(700 / 9)
    assert ops.scored_share == pytest.approx(300 / 9)
    assert ops.thin  # 33 % < 50 %: the score rests on three answers out of nine asked
    own = got["self"]
    # everyone was asked self (4 x 2 = 8); A answered 1, D 2; B and C none of it.
    assert (own.asked, own.respondents, own.answered, own.scored) == (4, 2, 3, 3)
    assert own.share == pytest.approx(37.5)
    assert own.thin


def test_full_answers_are_not_thin(qs: QuestionnaireSet) -> None:
    full = respondent("f", ("ops",), ops_alpha_one=1, ops_alpha_two=2, ops_beta_three=None)
    got = discipline_coverage(qs, [full])
    assert got["ops"].share == pytest.approx(100.0)
    assert got["ops"].scored_share == pytest.approx(200 / 3)
    assert not got["ops"].thin


def test_exactly_half_is_not_thin(qs: QuestionnaireSet) -> None:
    half = respondent("h", ("self",), self_delivery_freq=1)
    got = discipline_coverage(qs, [half])["self"]
    assert got.scored_share == pytest.approx(THIN_SHARE)
    assert not got.thin


def test_a_discipline_nobody_chose_has_no_share_and_is_not_thin(qs: QuestionnaireSet) -> None:
    got = discipline_coverage(qs, [D])["ops"]
    assert (got.asked, got.respondents, got.answered) == (0, 0, 0)
    assert got.share is None and got.scored_share is None
    assert not got.thin


def test_assessment_carries_coverage_into_its_json(qs: QuestionnaireSet) -> None:
    assessment = score(qs, [A, B, C, D])
    assert assessment.coverage["ops"].thin
    as_json = assessment.to_json()["coverage"]["ops"]
    assert as_json == {
        "discipline": "ops", "asked": 3, "respondents": 3, "questions": 3, "answered": 7,
        "scored": 3, "share": 77.8, "scored_share": 33.3, "thin": True,
    }  # fmt: skip
