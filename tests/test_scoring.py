"""Scoring by hand, aggregation and spread, team scores, survey-vs-data, the demo answers."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsmaturity.demo.answers import demo_answers
from opsmaturity.practices.answers import Answer, Response
from opsmaturity.practices.compare import compare_survey_with_data, measured_bucket
from opsmaturity.practices.questionnaire import QuestionnaireSet, load_questionnaires
from opsmaturity.practices.scoring import maturity_level, respondent_scores, score
from tests.test_questionnaire import write_tiny

OPS_LEVELS = ("ops.alpha.one", "ops.alpha.two", "ops.beta.three")


@pytest.fixture(scope="module")
def qs(tmp_path_factory: pytest.TempPathFactory) -> QuestionnaireSet:
    return load_questionnaires(write_tiny(tmp_path_factory.mktemp("q")))


@pytest.fixture(scope="module")
def bundled() -> QuestionnaireSet:
    return load_questionnaires()


def person(
    name: str, levels: tuple[float | None, ...], team: str | None = None, **extra: float | None
) -> Response:
    answers = {qid: Answer(v) for qid, v in zip(OPS_LEVELS, levels, strict=True)}
    answers.update({f"self.delivery.{k}": Answer(v) for k, v in extra.items()})
    return Response(name, "Developer", team, answers)


# (one, two (weight 3), three (area beta, weight 2)) → alpha, beta, ops, overall
BY_HAND = [
    ((2, 4, 1), 87.5, 25.0, (87.5 + 2 * 25) / 3),  # alpha = (50*1 + 100*3) / 4
    ((0, 0, 0), 0.0, 0.0, 0.0),
    ((4, 4, 4), 100.0, 100.0, 100.0),
    ((1, 3, None), 62.5, None, 62.5),  # don't know is left out, not zero
    ((None, None, 2), None, 50.0, 50.0),
]


@pytest.mark.parametrize(("levels", "alpha", "beta", "ops"), BY_HAND)
def test_respondent_scores_by_hand(
    qs: QuestionnaireSet,
    levels: tuple[float | None, ...],
    alpha: float | None,
    beta: float | None,
    ops: float,
) -> None:
    got = respondent_scores(qs, person("x", levels))
    assert got["ops.alpha"] == (None if alpha is None else pytest.approx(alpha))
    assert got["ops.beta"] == (None if beta is None else pytest.approx(beta))
    assert got["ops"] == pytest.approx(ops)
    assert got["overall"] == pytest.approx(ops)  # the self-report discipline is not in overall


def test_self_report_percent_scores_lower_is_better(qs: QuestionnaireSet) -> None:
    got = respondent_scores(qs, person("x", (0, 0, 0), freq=1, cfr=10))
    assert got["self.delivery"] == pytest.approx((50 + 90) / 2)
    assert got["overall"] == 0.0


@pytest.mark.parametrize(
    ("value", "level", "name"),
    [(0, 1, "Initial"), (19.99, 1, "Initial"), (20, 2, "Repeatable"), (59.9, 3, "Defined"),
     (60, 4, "Measured"), (80, 5, "Optimised"), (100, 5, "Optimised")],
)  # fmt: skip
def test_maturity_levels(value: float, level: int, name: str) -> None:
    assert maturity_level(value) == (level, name)


def test_median_quartiles_and_std_over_respondents(qs: QuestionnaireSet) -> None:
    # area beta holds one question: levels 1..4 score 25, 50, 75, 100
    people = [person(str(i), (0, 0, level)) for i, level in enumerate((4, 1, 3, 2))]
    beta = score(qs, people).organization.areas["ops.beta"]
    assert beta.median == 62.5 and (beta.level, beta.level_name) == (4, "Measured")
    assert beta.spread is not None
    assert (beta.spread.q1, beta.spread.q3, beta.spread.iqr) == (43.75, 81.25, 37.5)
    assert (beta.spread.min, beta.spread.max) == (25.0, 100.0)
    assert beta.spread.std == pytest.approx(math.sqrt((37.5**2 * 2 + 12.5**2 * 2) / 4))
    assert beta.respondents == 4 and beta.disagreement


def test_close_answers_are_not_a_disagreement(qs: QuestionnaireSet) -> None:
    people = [person("a", (0, 0, 2)), person("b", (0, 0, 3))]  # IQR = (75-50)/2 = 12.5
    beta = score(qs, people).organization.areas["ops.beta"]
    assert beta.median == 62.5 and beta.spread is not None and beta.spread.iqr == 12.5
    assert not beta.disagreement


def test_no_answers_is_unknown_with_a_reason_not_zero(qs: QuestionnaireSet) -> None:
    result = score(qs, [person("a", (1, 1, None))]).organization.areas["ops.beta"]
    assert (result.median, result.level, result.respondents) == (None, None, 0)
    assert result.reason == "no answers (all skipped or don't know)"
    empty = score(qs, []).organization.overall
    assert empty.median is None and empty.reason == "no respondents"


def test_team_scores_and_team_disagreement_reaches_the_organization(qs: QuestionnaireSet) -> None:
    people = [
        person("a", (4, 4, 4), "Red"),
        person("b", (4, 4, 4), "Red"),
        person("c", (0, 0, 0), "Blue"),
        person("d", (0, 0, 4), "Blue"),  # Blue disagrees on beta: 0 vs 100
        person("e", (2, 2, 2)),  # no team: counted for the organization only
    ]
    assessment = score(qs, people)
    assert sorted(assessment.teams) == ["Blue", "Red"]
    red, blue = assessment.teams["Red"], assessment.teams["Blue"]
    assert red.respondents == 2 and red.disciplines["ops"].median == 100.0
    assert blue.areas["ops.beta"].median == 50.0 and blue.areas["ops.beta"].disagreement
    org = assessment.organization
    assert org.respondents == 5 and org.areas["ops.alpha"].median == 50.0
    assert org.areas["ops.beta"].disagreement and not org.areas["ops.alpha"].disagreement
    assert assessment.roles == {"Developer": 5}


def test_self_report_medians(qs: QuestionnaireSet) -> None:
    people = [
        person("a", (0, 0, 0), freq=0, cfr=5),
        person("b", (0, 0, 0), freq=2, cfr=20),
        person("c", (0, 0, 0), freq=1, cfr=None),
        person("d", (0, 0, 0), freq=2, cfr=40),
    ]
    report = score(qs, people).organization.self_report
    assert (report["deployment_frequency"].value, report["deployment_frequency"].label) == (
        1.0,
        "Weekly",
    )
    assert (
        report["change_failure_rate"].value == 20 and report["change_failure_rate"].respondents == 3
    )


def test_to_json_is_plain_and_rounded(qs: QuestionnaireSet) -> None:
    data = score(qs, [person("a", (1, 2, 3), "Red")]).to_json()
    assert json.loads(json.dumps(data)) == data
    assert data["organization"]["areas"]["ops.alpha"]["median"] == 43.8  # (25 + 150) / 4 = 43.75
    assert set(data) == {"organization", "teams", "roles", "coverage"}
    assert data["teams"]["Red"]["respondents"] == 1


levels = st.one_of(st.none(), st.integers(0, 4).map(float))


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(levels, levels, levels, st.sampled_from(["Red", "Blue", None])),
        min_size=1,
        max_size=8,
    ),
    st.randoms(),
)
def test_order_of_respondents_never_changes_the_scores(
    qs: QuestionnaireSet,
    rows: list[tuple[float | None, float | None, float | None, str | None]],
    rnd: object,
) -> None:
    people = [person(str(i), row[:3], row[3]) for i, row in enumerate(rows)]
    shuffled = list(people)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert score(qs, people).to_json() == score(qs, shuffled).to_json()
    overall = score(qs, people).organization.overall
    assert overall.median is None or 0 <= overall.median <= 100


# --- survey versus data -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("metric", "value", "rank", "label"),
    [
        ("deployment_frequency", 0.0, 0, "Fewer than once per six months"),
        ("deployment_frequency", 0.5, 2, "Between once per week and once per month"),
        ("deployment_frequency", 1.0, 3, "Between once per day and once per week"),
        ("deployment_frequency", 9.0, 4, "Between once per hour and once per day"),
        ("deployment_frequency", 30.0, 5, "On demand (multiple deploys per day)"),
        ("lead_time_for_changes", 0.5, 5, "Less than one hour"),
        ("lead_time_for_changes", 24.0, 3, "Between one day and one week"),
        ("lead_time_for_changes", 23.9, 4, "Less than one day"),
        ("lead_time_for_changes", 5000.0, 0, "More than six months"),
        ("change_failure_rate", 0.15, 4, "15 % or less"),
        ("change_failure_rate", 0.151, 3, "15-30 %"),
        ("change_failure_rate", 0.9, 0, "more than 60 %"),
        ("rework_rate", 0.07, 3, "5-10 %"),
    ],
)
def test_measured_values_fall_in_the_survey_buckets(
    bundled: QuestionnaireSet, metric: str, value: float, rank: int, label: str
) -> None:
    question = next(q for q in bundled.questions() if q.metric == metric)
    assert measured_bucket(bundled, question, value) == (rank, label)


def test_mismatch_reports_both_values(qs: QuestionnaireSet) -> None:
    assessment = score(qs, [person("a", (0, 0, 0), freq=2, cfr=10)])  # Daily, 10 %
    measured = {
        "deployment_frequency": 0.5,
        "change_failure_rate": 0.35,
        "lead_time_for_changes": 3.0,
    }
    freq, cfr = compare_survey_with_data(assessment, measured, qs)
    assert (freq.metric, freq.reported, freq.measured, freq.buckets_apart, freq.direction) == (
        "deployment_frequency", "Daily", "Rarely", 2, "optimistic",
    )  # fmt: skip
    assert "0.50 deployments per week" in freq.message
    assert (cfr.reported, cfr.measured, cfr.buckets_apart) == (
        "10 % (15 % or less)",
        "more than 30 %",
        2,
    )
    assert "35.0 %" in cfr.message


def test_same_bucket_or_unknown_is_not_a_mismatch(qs: QuestionnaireSet) -> None:
    assessment = score(qs, [person("a", (0, 0, 0), freq=1, cfr=None)])
    assert (
        compare_survey_with_data(
            assessment, {"deployment_frequency": 3.0, "change_failure_rate": 0.5}, qs
        )
        == []
    )
    assert compare_survey_with_data(assessment, {"deployment_frequency": None}, qs) == []


def test_pessimistic_self_report(qs: QuestionnaireSet) -> None:
    assessment = score(qs, [person("a", (0, 0, 0), freq=0, cfr=50)])
    found = compare_survey_with_data(
        assessment, {"deployment_frequency": 1.0, "change_failure_rate": 0.2}, qs
    )
    assert [(m.metric, m.buckets_apart, m.direction) for m in found] == [
        ("deployment_frequency", 1, "pessimistic"),
        ("change_failure_rate", 1, "pessimistic"),
    ]


def test_compare_for_one_team(qs: QuestionnaireSet) -> None:
    people = [person("a", (0, 0, 0), "Red", freq=2), person("b", (0, 0, 0), "Blue", freq=0)]
    assessment = score(qs, people)
    measured = {"deployment_frequency": 0.1}
    assert compare_survey_with_data(assessment, measured, qs, team="Blue") == []
    [red] = compare_survey_with_data(assessment, measured, qs, team="Red")
    assert red.team == "Red" and red.to_json()["team"] == "Red"
    assert compare_survey_with_data(assessment, measured, qs, team="Green") == []


# --- the demo organization ----------------------------------------------------------------


def test_demo_answers_are_realistic_and_valid(bundled: QuestionnaireSet, tmp_path: Path) -> None:
    responses = demo_answers(questionnaires=bundled)
    assert len(responses) == 10 and all(r.role and r.team for r in responses)
    assessment = score(bundled, responses)
    devops = {team: g.disciplines["devops"].median for team, g in assessment.teams.items()}
    assert devops["Checkout"] > devops["Catalog"] > devops["Platform"] > devops["Warehouse"]  # type: ignore[operator]
    platform = assessment.teams["Platform"]
    assert (
        platform.disciplines["sysops"].median
        > assessment.teams["Catalog"].disciplines["sysops"].median
    )  # type: ignore[operator]
    assert platform.areas["sre.slo"].disagreement  # the lead believes in SLOs nobody reviews
    assert any(s.disagreement for s in assessment.teams["Warehouse"].areas.values())
    assert not any(s.disagreement for s in assessment.teams["Checkout"].areas.values())
    assert platform.disciplines["netops"].respondents == 3
    assert assessment.teams["Checkout"].disciplines["netops"].median is None


def test_demo_answers_are_deterministic(bundled: QuestionnaireSet) -> None:
    assert demo_answers(42, bundled) == demo_answers(42, bundled)
    assert demo_answers(42, bundled) != demo_answers(7, bundled)
