"""The operating-model recommendation: every rule fires and holds back, models, roadmap."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsmaturity.demo.answers import demo_answers
from opsmaturity.errors import ConfigError
from opsmaturity.practices.questionnaire import load_questionnaires
from opsmaturity.practices.scoring import Assessment, GroupScores, Score, maturity_level, score
from opsmaturity.recommend import METRICS, load_rules, recommend
from opsmaturity.resources import data_dir


def assessment(scores: Mapping[str, float], respondents: int = 5) -> Assessment:
    """An assessment whose organization medians are exactly ``scores``."""

    def make(key: str, value: float) -> Score:
        level, name = maturity_level(value)
        return Score(key, key.replace(".", " "), value, level, name, respondents, None, False)

    disciplines = {k: make(k, v) for k, v in scores.items() if "." not in k}
    areas = {k: make(k, v) for k, v in scores.items() if "." in k}
    overall = make("overall", 50.0)
    group = GroupScores(respondents, overall, disciplines, areas, {}, None)
    return Assessment(group, {}, {})


def run(
    engineers: int = 120,
    profile: str = "software",
    scores: Mapping[str, float] | None = None,
    tiers: Mapping[str, str | None] | None = None,
) -> Any:
    return recommend(
        engineers=engineers,
        profile=profile,
        assessment=assessment(scores) if scores is not None else None,
        dora_tiers=tiers or {},
    )


# rule id → (inputs that fire it, inputs that do not): the boundary on each side
RULE_CASES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "small_organization": ({"engineers": 49}, {"engineers": 50}),
    "mid_size_organization": ({"engineers": 299}, {"engineers": 300}),
    "large_organization": ({"engineers": 300}, {"engineers": 299}),
    "infrastructure_critical": ({"profile": "infrastructure-critical"}, {"profile": "software"}),
    "regulated": ({"profile": "regulated"}, {"profile": "infrastructure-critical"}),
    "weak_culture": ({"scores": {"culture": 39.9}}, {"scores": {"culture": 40}}),
    "strong_devops_at_scale": (
        {"engineers": 300, "scores": {"devops": 60}},
        {"engineers": 300, "scores": {"devops": 59.9}},
    ),
    "slow_delivery_at_scale": (
        {"engineers": 50, "tiers": {"overall": "medium"}},
        {"engineers": 50, "tiers": {"overall": "high"}},
    ),
    "reliability_gap": (
        {"scores": {"sre": 30}, "tiers": {"failed_deployment_recovery_time": "low"}},
        {"scores": {"sre": 30}, "tiers": {"failed_deployment_recovery_time": None}},
    ),
    "network_bottleneck": (
        {"scores": {"netops": 30, "devops": 50}},
        {"scores": {"netops": 30, "devops": 49}},
    ),
    "weak_sysops_foundation": (
        {"scores": {"sysops": 39}, "profile": "regulated"},
        {"scores": {"sysops": 39}, "profile": "software"},
    ),
}


def test_every_rule_has_a_firing_and_a_silent_case() -> None:
    assert {rule.id for rule in load_rules().rules} == set(RULE_CASES)


@pytest.mark.parametrize("rule_id", sorted(RULE_CASES))
def test_rule_fires(rule_id: str) -> None:
    result = run(**RULE_CASES[rule_id][0])
    assert rule_id in result.fired_rules
    rule = next(r for r in load_rules().rules if r.id == rule_id)
    if result.model_id == rule.model:
        assert rule_id in [e.rule_id for e in result.evidence]


@pytest.mark.parametrize("rule_id", sorted(RULE_CASES))
def test_rule_does_not_fire(rule_id: str) -> None:
    assert rule_id not in run(**RULE_CASES[rule_id][1]).fired_rules


def test_unknown_scores_never_satisfy_a_condition() -> None:
    assert "weak_culture" not in run(scores=None).fired_rules
    assert "weak_culture" not in run(scores={"devops": 10}).fired_rules


MODEL_TABLE = [
    (12, "software", None, {}, "culture_first_devops"),
    (120, "software", None, {}, "platform_engineering"),
    (1500, "software", None, {}, "sre_and_platform"),
    (120, "infrastructure-critical", None, {}, "sysops_led"),
    (40, "regulated", None, {}, "sysops_led"),
    (120, "software", {"netops": 20, "devops": 70}, {}, "netops"),
    (120, "software", {"culture": 20}, {}, "platform_engineering"),  # 3 vs 2
    (60, "software", {"culture": 20}, {"overall": "high"}, "platform_engineering"),
    (30, "software", {"culture": 20}, {}, "culture_first_devops"),
]


@pytest.mark.parametrize(("engineers", "profile", "scores", "tiers", "model"), MODEL_TABLE)
def test_primary_model(
    engineers: int, profile: str, scores: dict[str, float] | None, tiers: dict[str, str], model: str
) -> None:
    assert run(engineers, profile, scores, tiers).model_id == model


def test_ties_go_to_the_model_listed_first() -> None:
    # mid-size (platform 3) + weak culture (culture-first 2) + weak sysops? no: make 3 vs 3
    result = run(49, "software", {"culture": 10}, {})  # culture-first 3 + 2 = 5
    assert result.points["culture_first_devops"] == 5
    tie = run(300, "regulated", {}, {})  # sre_and_platform 3 vs sysops_led 4
    assert tie.model_id == "sysops_led"


CONFIDENCE = [
    # margin ≥ 3 with survey and measurement → high
    ({"engineers": 120, "scores": {"devops": 50}, "tiers": {"overall": "high"}}, "high"),
    # margin 3 but no data at all → medium (margin ≥ 2)
    ({"engineers": 120}, "medium"),
    # margin 1 (regulated 4 vs large 3), no data → low
    ({"engineers": 300, "profile": "regulated"}, "low"),
    # margin 1 with measured data → medium
    ({"engineers": 300, "profile": "regulated", "tiers": {"overall": "high"}}, "medium"),
]


@pytest.mark.parametrize(("inputs", "confidence"), CONFIDENCE)
def test_confidence(inputs: dict[str, Any], confidence: str) -> None:
    assert run(**inputs).confidence == confidence


def test_same_inputs_same_output() -> None:
    inputs = {
        "engineers": 200,
        "profile": "software",
        "scores": {"sre": 20, "sre.slo": 10},
        "tiers": {"overall": "low"},
    }
    assert run(**inputs).to_json() == run(**inputs).to_json()


def test_roadmap_puts_the_weakest_practice_first_and_names_its_metric() -> None:
    scores = {"devops": 70, "devops.ci": 80, "sre.slo": 10, "sre.toil": 30, "culture.learning": 65}
    result = run(120, "software", scores, {"change_failure_rate": "low"})
    structural = [
        a for a in result.roadmap if a.title.startswith(("Form a thin", "Run the platform"))
    ]
    assert len(structural) == 2 and result.roadmap[0] in structural
    areas = [a.practice_area for a in result.roadmap if a not in structural]
    assert areas[:2] == ["sre.slo", "sre.toil"]
    slo = next(a for a in result.roadmap if a.practice_area == "sre.slo")
    assert (slo.metric, slo.metric_tier, slo.area_score, slo.horizon) == (
        "change_failure_rate",
        "low",
        10,
        "next quarter",
    )
    assert "scores 10/100 (Initial)" in slo.rationale
    assert [a.rank for a in result.roadmap] == list(range(1, len(result.roadmap) + 1))


def test_a_low_metric_tier_raises_an_area_up_the_roadmap() -> None:
    scores = {"devops.ci": 40, "devops.version_control": 45}  # ci is weaker...
    plain = [a.practice_area for a in run(120, "software", scores, {}).roadmap]
    urgent = [
        a.practice_area
        for a in run(120, "software", scores, {"lead_time_for_changes": "low"}).roadmap
    ]
    assert plain.index("devops.ci") < plain.index("devops.version_control")
    # ...but version control moves lead time, which is low: 45 - 15 = 30 < 40
    assert urgent.index("devops.version_control") < urgent.index("devops.ci")


@settings(max_examples=60, deadline=None)
@given(
    engineers=st.integers(1, 20_000),
    profile=st.sampled_from(["software", "infrastructure-critical", "regulated"]),
    tiers=st.dictionaries(
        st.sampled_from([*METRICS, "overall"]),
        st.sampled_from(["elite", "high", "medium", "low", None]),
    ),
    scores=st.one_of(
        st.none(),
        st.dictionaries(
            st.sampled_from(["devops", "sre", "culture", "sre.slo", "devops.ci", "sysops.access"]),
            st.floats(0, 100),
        ),
    ),
)
def test_roadmap_always_has_five_to_ten_distinct_actions(
    engineers: int, profile: str, tiers: dict[str, str | None], scores: dict[str, float] | None
) -> None:
    result = run(engineers, profile, scores, tiers)
    assert 5 <= len(result.roadmap) <= 10
    assert len({a.title for a in result.roadmap}) == len(result.roadmap)
    assert all(a.horizon in ("next quarter", "next year") and a.rationale for a in result.roadmap)
    assert result.evidence and result.team_types


def test_keep_and_change_lists_name_strengths_and_weaknesses() -> None:
    scores = {"devops.ci": 90, "devops.iac": 75, "sre.slo": 15}
    result = run(120, "software", scores, {"deployment_frequency": "elite", "overall": "medium"})
    assert "devops ci (90/100, Optimised)" in result.keep
    assert "Deployment frequency at elite level" in result.keep
    assert "Improve sre slo (15/100, Initial)" in result.change
    assert "Give every team the same automated path to production." in result.change  # from a rule


def test_to_json_is_plain() -> None:
    data = run().to_json()
    assert json.loads(json.dumps(data)) == data
    assert data["model_id"] == "platform_engineering"
    assert {"type", "role", "interaction"} == set(data["team_types"][0])


def test_every_practice_area_has_a_roadmap_action() -> None:
    qs = load_questionnaires()
    areas = {f"{d.id}.{a.id}" for d in qs.disciplines if d.kind == "practices" for a in d.areas}
    book = load_rules()
    assert areas == set(book.area_actions)
    assert set(book.metric_actions) == set(METRICS)


def test_every_model_uses_team_topologies_and_has_text() -> None:
    book = load_rules()
    for model in book.models:
        assert model.summary.strip() and model.keep and model.change and model.actions
        assert "stream-aligned" in {t.type for t in model.team_types}
    assert all(rule.rationale.strip() and rule.evidence.strip() for rule in book.rules)


def test_northwind_demo_gets_platform_engineering() -> None:
    qs = load_questionnaires()
    tiers = {"overall": "medium", "deployment_frequency": "high", "change_failure_rate": "medium"}
    result = recommend(
        engineers=120,
        profile="software",
        assessment=score(qs, demo_answers(questionnaires=qs)),
        dora_tiers=tiers,
    )
    assert result.model_id == "platform_engineering" and result.confidence == "high"
    assert 5 <= len(result.roadmap) <= 10


def test_malformed_rules_file_names_file_and_line(tmp_path: Path) -> None:
    text = (data_dir() / "recommendation_rules.yaml").read_text()
    broken = tmp_path / "rules.yaml"
    broken.write_text(text.replace("    points: 3\n", "    points: 0\n", 1))
    line = text[: text.index("    points: 3\n")].count("\n") + 1
    with pytest.raises(
        ConfigError, match=rf"rules\.yaml:{line}: rules\[0\]\.points: .*greater than 0"
    ):
        load_rules(broken)
    broken.write_text(text.replace("model: culture_first_devops", "model: nothing", 1))
    with pytest.raises(ConfigError, match=r"rules\.yaml:\d+: unknown model"):
        load_rules(broken)
    broken.write_text(text.replace("when: {engineers_max: 49}", "when: {engineer_max: 49}", 1))
    with pytest.raises(
        ConfigError, match=r"rules\.yaml:\d+: rules\[0\]\.when\.engineer_max: Extra inputs"
    ):
        load_rules(broken)


def _team(overall: float | None) -> GroupScores:
    level = maturity_level(overall) if overall is not None else (None, None)
    score_ = Score("overall", "Overall", overall, level[0], level[1], 2, None, False)
    return GroupScores(2, score_, {}, {}, {}, None)


@pytest.mark.parametrize(
    ("teams", "expected"),
    [
        (
            {"Red": 70.0, "Blue": 50.0, "Grey": None},
            "Start with team Blue (50/100, lowest of 2 teams; Red scores 70)",
        ),
        ({"Red": 69.9, "Blue": 50.0}, None),  # a gap under 20 points is not worth a line
        ({"Red": 90.0}, None),
    ],
)
def test_a_struggling_team_is_named_in_the_change_list(
    teams: dict[str, float | None], expected: str | None
) -> None:
    base = assessment({"devops": 60})
    with_teams = Assessment(base.organization, {k: _team(v) for k, v in teams.items()}, {})
    change = recommend(
        engineers=120, profile="software", assessment=with_teams, dora_tiers={}
    ).change
    named = [c for c in change if c.startswith("Start with team")]
    assert [c.split(":")[0] for c in named] == ([expected] if expected else [])
