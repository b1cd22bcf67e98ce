"""The operating-model recommendation: decision matrix, confidence, what-if, roadmap."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsmaturity.demo.answers import demo_answers
from opsmaturity.errors import ConfigError
from opsmaturity.practices.answers import Answer, Response
from opsmaturity.practices.questionnaire import load_questionnaires
from opsmaturity.practices.scoring import Assessment, GroupScores, Score, maturity_level, score
from opsmaturity.recommend import METRICS, Recommendation, load_rules, recommend
from opsmaturity.recommend.matrix import amount
from opsmaturity.recommend.roadmap import WEAK_AREA
from opsmaturity.resources import data_dir

TIER_NAMES = ("elite", "high", "medium", "low")


def assessment(
    scores: Mapping[str, float], respondents: int = 5, split: tuple[str, ...] = ()
) -> Assessment:
    """An assessment whose organization medians are exactly ``scores``."""

    def make(key: str, value: float) -> Score:
        level, name = maturity_level(value)
        return Score(key, key, value, level, name, respondents, None, key in split)

    disciplines = {k: make(k, v) for k, v in scores.items() if "." not in k}
    areas = {k: make(k, v) for k, v in scores.items() if "." in k}
    group = GroupScores(respondents, make("overall", 50.0), disciplines, areas, {}, None)
    return Assessment(group, {}, {})


def run(
    engineers: int = 120,
    profile: str = "software",
    scores: Mapping[str, float] | None = None,
    tiers: Mapping[str, str | None] | None = None,
    **extra: Any,
) -> Recommendation:
    return recommend(
        engineers=engineers,
        profile=profile,
        assessment=assessment(scores, extra.pop("respondents", 5)) if scores is not None else None,
        dora_tiers=tiers or {},
        **extra,
    )


def all_tiers(tier: str, metrics: tuple[str, ...] = METRICS[:4]) -> dict[str, str]:
    return {m: tier for m in metrics}


STRONG = {"devops": 80, "sre": 80, "sre.slo": 80, "sre.on_call": 80, "sre.postmortems": 80}
SPREAD = {"Red": {"overall": "elite"}, "Blue": {"overall": "low"}, "Grey": {"overall": "high"}}

# Written from the rules' rationale, not from running the code:
# startups culture-first, mid-market platform (pipeline automation), enterprises SRE;
# infrastructure-critical and regulated estates SysOps-led; the network lagging -> NetOps.
PROFILES: list[tuple[str, dict[str, Any], str]] = [
    ("startup, nothing else known", {"engineers": 12, "teams": 2}, "culture_first_devops"),
    ("small, weak culture", {"engineers": 30, "scores": {"culture": 30}}, "culture_first_devops"),
    (
        "small with weak culture beats mid-size pull",
        {"engineers": 60, "teams": 3, "scores": {"culture": 20}},
        "culture_first_devops",
    ),
    (
        "mid-market, slow delivery",
        {"engineers": 120, "teams": 8, "tiers": all_tiers("medium")},
        "platform_engineering",
    ),
    (
        "mid-market, weak DevOps, low throughput",
        {
            "engineers": 200,
            "scores": {"devops": 35},
            "tiers": {"deployment_frequency": "low", "lead_time_for_changes": "low"},
        },
        "platform_engineering",
    ),
    (
        "mid-market, teams far apart",
        {"engineers": 250, "teams": 10, "team_tiers": SPREAD},
        "platform_engineering",
    ),
    (
        "enterprise, strong practice",
        {"engineers": 1500, "teams": 40, "scores": STRONG},
        "sre_and_platform",
    ),
    (
        "large, unstable",
        {
            "engineers": 600,
            "scores": {"devops": 65},
            "tiers": {"change_failure_rate": "low", "failed_deployment_recovery_time": "low"},
        },
        "sre_and_platform",
    ),
    ("enterprise, nothing else known", {"engineers": 3000}, "sre_and_platform"),
    (
        "infrastructure-critical mid-size",
        {"engineers": 120, "profile": "infrastructure-critical"},
        "sysops_led",
    ),
    ("small regulated", {"engineers": 40, "profile": "regulated"}, "sysops_led"),
    (
        "large regulated, weak SysOps",
        {"engineers": 2000, "profile": "regulated", "scores": {"sysops": 30}},
        "sysops_led",
    ),
    (
        "large regulated, strong reliability",
        {"engineers": 2000, "profile": "regulated", "scores": STRONG},
        "sre_and_platform",
    ),
    (
        "network far behind delivery",
        {"engineers": 120, "scores": {"netops": 20, "devops": 70}},
        "netops",
    ),
    (
        "network keeping pace",
        {"engineers": 120, "scores": {"netops": 60, "devops": 70}},
        "platform_engineering",
    ),
]


@pytest.mark.parametrize(("case", "inputs", "model"), PROFILES, ids=[p[0] for p in PROFILES])
def test_profile_table(case: str, inputs: dict[str, Any], model: str) -> None:
    ranking = run(**inputs).ranking
    assert ranking[0].model_id == model, [(m.model_id, m.fit) for m in ranking]


def test_every_model_is_ranked_with_a_fit_from_every_dimension() -> None:
    result = run(**PROFILES[3][1])
    book = load_rules()
    assert [m.model_id for m in result.ranking] != []
    assert {m.model_id for m in result.ranking} == {m.id for m in book.models}
    assert [m.rank for m in result.ranking] == [1, 2, 3, 4, 5]
    for fit in result.ranking:
        assert set(fit.contributions) == {d.id for d in book.dimensions}
        assert fit.fit == pytest.approx(sum(fit.contributions.values()), abs=0.05)
    assert [f.fit for f in result.ranking] == sorted((f.fit for f in result.ranking), reverse=True)


def test_size_axis_amounts_never_favour_a_smaller_model_as_counts_grow() -> None:
    """The data property that makes more engineers or teams never point to a smaller model."""
    book = load_rules()
    axis = book.size_axis
    for dim in (d for d in book.dimensions if d.kind == "anchored"):
        assert dim.anchors is not None
        xs = [*dim.anchors, dim.anchors[-1] * 10]
        for small, large in zip(axis, axis[1:], strict=False):
            gaps = [amount(dim, large, x) - amount(dim, small, x) for x in xs]
            assert gaps == sorted(gaps), (dim.id, small, large)


@settings(max_examples=80, deadline=None)
@given(
    engineers=st.lists(st.integers(1, 20_000), min_size=2, max_size=2, unique=True),
    profile=st.sampled_from(["software", "infrastructure-critical", "regulated"]),
    teams=st.one_of(st.none(), st.integers(1, 60)),
    tiers=st.dictionaries(st.sampled_from(METRICS[:4]), st.sampled_from(TIER_NAMES)),
    scores=st.one_of(
        st.none(),
        st.dictionaries(
            st.sampled_from(["devops", "sre", "culture", "sysops", "netops", "sre.slo"]),
            st.floats(0, 100),
        ),
    ),
)
def test_more_engineers_never_moves_toward_a_smaller_organization_model(
    engineers: list[int],
    profile: str,
    teams: int | None,
    tiers: dict[str, str],
    scores: dict[str, float] | None,
) -> None:
    axis = load_rules().size_axis
    fewer, more = sorted(engineers)
    inputs = {"profile": profile, "teams": teams, "tiers": tiers, "scores": scores}
    before = run(fewer, **inputs).ranking[0].model_id  # type: ignore[arg-type]
    after = run(more, **inputs).ranking[0].model_id  # type: ignore[arg-type]
    if before in axis and after in axis:
        assert axis.index(after) >= axis.index(before)


def dont_know_everything() -> list[Response]:
    qs = load_questionnaires()
    blank = {q.id: Answer(None) for q in qs.questions()}
    return [Response(f"r{i}", "Developer", "Red", blank) for i in range(6)]


def test_all_dont_know_gives_insufficient_evidence_and_what_to_collect() -> None:
    qs = load_questionnaires()
    result = recommend(
        engineers=120,
        profile="software",
        assessment=score(qs, dont_know_everything()),
        dora_tiers={**all_tiers("high"), "overall": "high"},
        teams=4,
    )
    assert result.status == "insufficient" and result.confidence == "insufficient"
    assert result.model_id is None and "Insufficient evidence" in result.name
    assert any("DevOps questions" in c for c in result.collect)
    assert "Collect first" in result.summary
    assert not result.team_types and not result.keep


def test_size_and_profile_alone_are_insufficient() -> None:
    result = run(engineers=120)
    assert result.status == "insufficient"
    assert result.ranking[0].model_id == "platform_engineering"  # provisional, still shown


def test_metrics_without_a_survey_recommend_with_low_confidence() -> None:
    tiers = {**all_tiers("medium"), "overall": "medium"}
    result = run(engineers=120, teams=6, tiers=tiers, measured={"rework_rate": 0.15})
    assert result.status == "recommended" and result.confidence == "low"
    assert "no practice survey (low)" in result.confidence_reason


def test_confidence_is_high_only_when_every_factor_is() -> None:
    scores = {**STRONG, "culture": 80, "sysops": 80, "netops": 80, "sre.toil": 80}
    strong = {
        "engineers": 1500,
        "teams": 30,
        "scores": scores,
        "tiers": all_tiers("elite"),
        "measured": {"rework_rate": 0.03},
        "respondents": 12,
    }
    assert run(**strong).confidence == "high"
    assert run(**{**strong, "respondents": 4}).confidence == "medium"
    split = assessment(
        scores, 12, split=("devops", "sre", "culture", "sysops", "netops", "sre.slo")
    )
    result = recommend(
        engineers=1500,
        profile="software",
        assessment=split,
        dora_tiers=all_tiers("elite"),
        teams=30,
        measured={"rework_rate": 0.03},
    )
    assert result.confidence == "low"
    assert "respondents agree on" in result.confidence_reason


def test_a_close_race_is_low_confidence_and_suggests_a_blend() -> None:
    scores = dict.fromkeys(["devops", "culture", "sysops", "sre", "netops", "sre.slo"], 55.0)
    result = run(engineers=400, teams=12, scores=scores, tiers=all_tiers("high"), respondents=12)
    margin = result.ranking[0].fit - result.ranking[1].fit
    assert margin < 1.0
    assert result.confidence == "low" and result.blend
    assert result.runner_up_name in result.blend


def test_what_would_change_is_computed_and_exact_for_engineers() -> None:
    inputs = {"teams": 8, "scores": {"devops": 60, "culture": 60}, "tiers": all_tiers("high")}
    result = run(engineers=120, **inputs)  # type: ignore[arg-type]
    top = result.ranking[0].model_id
    found = [c for c in result.what_would_change if c.dimension == "engineers"]
    assert found, result.what_would_change
    for change in found:
        assert isinstance(change.value, float)
        at = int(change.value)
        assert run(engineers=at, **inputs).ranking[0].model_id == change.model_id  # type: ignore[arg-type]
        before = at - 1 if at > 120 else at + 1
        assert run(engineers=before, **inputs).ranking[0].model_id == top  # type: ignore[arg-type]
        assert "(now 120)" in change.text and change.model_name in change.text


def test_what_would_change_names_other_profiles_and_scores() -> None:
    result = run(engineers=120, teams=8, scores={"culture": 60, "devops": 60})
    texts = [c.text for c in result.what_would_change]
    assert any(t.startswith("If the organization were infrastructure-critical") for t in texts)
    assert all(c.model_id != result.ranking[0].model_id for c in result.what_would_change)


def test_reasons_and_why_not_are_plain_words_from_the_largest_amounts() -> None:
    result = run(**PROFILES[3][1])
    top = result.ranking[0]
    assert 1 <= len(result.evidence) <= 3
    assert [r.points for r in result.evidence] == sorted(
        (p for p in top.contributions.values() if p > 0), reverse=True
    )[: len(result.evidence)]
    assert all(r.text.endswith(".") and ":" in r.text for r in result.evidence)
    assert result.why_not and result.runner_up_id == result.ranking[1].model_id
    assert all(r.points < 0 for r in result.why_not)


def weak_or_none(action: Any) -> bool:
    return (action.area_score is None or action.area_score < WEAK_AREA) and (
        action.metric_tier in (None, "medium", "low")
    )


@settings(max_examples=60, deadline=None)
@given(
    engineers=st.integers(1, 20_000),
    profile=st.sampled_from(["software", "infrastructure-critical", "regulated"]),
    tiers=st.dictionaries(st.sampled_from(METRICS[:4]), st.sampled_from(TIER_NAMES)),
    scores=st.dictionaries(
        st.sampled_from(
            [
                "devops",
                "sre",
                "culture",
                "sre.slo",
                "devops.ci",
                "devops.iac",
                "sysops.access",
                "devops.delivery",
                "sre.capacity_load",
            ]
        ),
        st.floats(0, 100),
    ),
)
def test_no_roadmap_action_cites_a_strength(
    engineers: int, profile: str, tiers: dict[str, str], scores: dict[str, float]
) -> None:
    result = run(engineers, profile, scores, tiers)
    assert len(result.roadmap) <= 10
    assert len({a.title for a in result.roadmap}) == len(result.roadmap)
    for action in result.roadmap:
        assert weak_or_none(action), action
        assert action.area_score is not None or action.metric_tier is not None, action
        assert not any(
            w in action.rationale for w in ("Optimised", "Measured)", "elite", "high tier")
        )
        assert action.owner and action.effort in ("S", "M", "L")
        assert action.direction == ("up" if action.metric == "deployment_frequency" else "down")


def test_a_strong_organization_gets_no_padding_actions() -> None:
    scores = {"devops.ci": 90, "devops.iac": 88, "sre.slo": 85}
    assert run(120, "software", scores, all_tiers("elite")).roadmap == ()


def test_roadmap_puts_the_weakest_first_and_names_metric_direction_owner() -> None:
    scores = {"devops": 70, "devops.ci": 80, "sre.slo": 10, "sre.toil": 30, "culture.learning": 65}
    result = run(120, "software", scores, {"change_failure_rate": "low"})
    areas = [a.practice_area for a in result.roadmap]
    assert areas[:2] == ["sre.slo", "sre.toil"] and "devops.ci" not in areas
    slo = result.roadmap[0]
    assert (slo.metric, slo.metric_tier, slo.direction, slo.owner, slo.effort) == (
        "change_failure_rate",
        "low",
        "down",
        "stream-aligned",
        "M",
    )
    assert "scores 10/100 (Initial)" in slo.rationale
    assert [a.rank for a in result.roadmap] == list(range(1, len(result.roadmap) + 1))


def _team(overall: float, areas: Mapping[str, float]) -> GroupScores:
    def make(key: str, value: float) -> Score:
        level, name = maturity_level(value)
        return Score(key, key, value, level, name, 2, None, False)

    return GroupScores(
        2, make("overall", overall), {}, {k: make(k, v) for k, v in areas.items()}, {}, None
    )


def test_the_teams_that_lag_most_get_their_own_lines() -> None:
    base = assessment({"devops": 60})
    teams = {
        "Red": _team(80, {"devops.ci": 85}),
        "Blue": _team(45, {"devops.ci": 30, "sre.slo": 20}),
        "Grey": _team(70, {"devops.ci": 70}),
    }
    result = recommend(
        engineers=120,
        profile="software",
        assessment=Assessment(base.organization, teams, {}),
        dora_tiers={},
        team_tiers={
            "Red": {"overall": "elite"},
            "Blue": {"overall": "low", "change_failure_rate": "low"},
            "Grey": {"overall": "high"},
        },
    )
    assert [line.team for line in result.team_lines] == ["Blue", "Grey"]
    blue = result.team_lines[0]
    assert "45/100 against 80" in blue.reason and "low against elite" in blue.reason
    assert blue.actions[0].startswith("Define SLOs")


def northwind() -> Recommendation:
    qs = load_questionnaires()
    tiers = {
        "overall": "high",
        "deployment_frequency": "elite",
        "lead_time_for_changes": "high",
        "change_failure_rate": "high",
        "failed_deployment_recovery_time": "high",
    }
    return recommend(
        engineers=120,
        profile="software",
        assessment=score(qs, demo_answers(questionnaires=qs)),
        dora_tiers=tiers,
        teams=4,
        measured={"rework_rate": 0.21},
        team_tiers={"Checkout": {"overall": "elite"}, "Warehouse": {"overall": "low"}},
    )


def test_the_demo_rests_on_several_dimensions_and_is_not_high_by_default() -> None:
    result = northwind()
    assert result.model_id == "platform_engineering"
    top = result.ranking[0]
    assert sum(1 for v in top.contributions.values() if abs(v) >= 0.1) >= 5
    assert len({r.dimension for r in result.evidence}) == 3
    assert result.confidence != "high"
    assert result.what_would_change and result.why_not


def test_json_round_trip_gives_the_same_typed_result() -> None:
    result = northwind()
    data = json.loads(json.dumps(result.to_json()))
    assert data == result.to_json()
    assert Recommendation.from_json(data) == result
    assert {"type", "role", "interaction"} == set(data["team_types"][0])


def test_every_practice_area_and_metric_has_an_owned_roadmap_action() -> None:
    qs = load_questionnaires()
    areas = {f"{d.id}.{a.id}" for d in qs.disciplines if d.kind == "practices" for a in d.areas}
    book = load_rules()
    assert areas == set(book.area_actions)
    assert set(book.metric_actions) == set(METRICS)


def test_every_dimension_and_model_has_text() -> None:
    book = load_rules()
    for model in book.models:
        assert model.summary.strip() and model.keep and model.change and model.actions
        assert "stream-aligned" in {t.type for t in model.team_types}
    for dim in book.dimensions:
        assert dim.rationale.strip() and dim.collect.strip() and dim.weight > 0
        for model, effect in dim.models.items():
            assert effect.for_ or effect.against, (dim.id, model)
    assert math.isclose(sum(d.weight for d in book.dimensions), 12.5)


def test_malformed_rules_file_names_file_and_line(tmp_path: Path) -> None:
    text = (data_dir() / "recommendation_rules.yaml").read_text()
    broken = tmp_path / "rules.yaml"
    broken.write_text(text.replace("    weight: 1.0\n", "    weight: 0\n", 1))
    line = text[: text.index("    weight: 1.0\n")].count("\n") + 1
    with pytest.raises(
        ConfigError, match=rf"rules\.yaml:{line}: dimensions\[0\]\.weight: .*greater than 0"
    ):
        load_rules(broken)
    broken.write_text(text.replace("      netops: {coefficient", "      nothing: {coefficient", 1))
    with pytest.raises(ConfigError, match=r"rules\.yaml:\d+: unknown model 'nothing'"):
        load_rules(broken)
    broken.write_text(text.replace("    input: {score: culture}", "    input: {scor: culture}", 1))
    with pytest.raises(ConfigError, match=r"rules\.yaml:\d+: dimensions\[5\]\.input.*"):
        load_rules(broken)


def test_the_docs_list_every_dimension_with_its_weight() -> None:
    text = (Path(__file__).resolve().parents[1] / "docs" / "practices.md").read_text()
    for dim in load_rules().dimensions:
        assert f"| {dim.name} | {dim.weight:g} |" in text, dim.id


@settings(max_examples=40, deadline=None)
@given(
    teams=st.lists(st.integers(1, 200), min_size=2, max_size=2, unique=True),
    engineers=st.integers(1, 20_000),
    profile=st.sampled_from(["software", "infrastructure-critical", "regulated"]),
)
def test_more_teams_never_moves_toward_a_smaller_organization_model(
    teams: list[int], engineers: int, profile: str
) -> None:
    axis = load_rules().size_axis
    fewer, more = sorted(teams)
    before = run(engineers, profile, teams=fewer).ranking[0].model_id
    after = run(engineers, profile, teams=more).ranking[0].model_id
    if before in axis and after in axis:
        assert axis.index(after) >= axis.index(before)


def test_measured_what_ifs_move_a_whole_tier_at_a_time() -> None:
    inputs = {"teams": 4, "scores": {"devops": 60, "culture": 60}, "tiers": all_tiers("elite")}
    result = run(engineers=120, **inputs)  # type: ignore[arg-type]
    measured = [c for c in result.what_would_change if c.dimension in ("throughput", "stability")]
    assert measured, result.what_would_change
    for change in measured:
        assert change.value in (1.0, 1 / 3, -1 / 3, -1.0)
        assert " were all " in change.text and "(now elite)" in change.text
        tier = change.threshold.split(" were all ")[1].split(" (")[0]
        metrics = ("deployment_frequency", "lead_time_for_changes")
        if change.dimension == "stability":
            metrics = ("change_failure_rate", "failed_deployment_recovery_time")
        moved = {**all_tiers("elite"), **dict.fromkeys(metrics, tier)}
        assert run(engineers=120, **{**inputs, "tiers": moved}).ranking[0].model_id == (  # type: ignore[arg-type]
            change.model_id
        )


@settings(max_examples=40, deadline=None)
@given(
    engineers=st.integers(1, 20_000),
    profile=st.sampled_from(["software", "infrastructure-critical", "regulated"]),
    teams=st.one_of(st.none(), st.integers(1, 60)),
    tiers=st.dictionaries(st.sampled_from(METRICS[:4]), st.sampled_from(TIER_NAMES)),
    scores=st.dictionaries(
        st.sampled_from(["devops", "sre", "culture", "sysops", "netops", "sre.slo"]),
        st.floats(0, 100),
    ),
)
def test_every_reported_change_really_hands_over_the_lead(
    engineers: int, profile: str, teams: int | None, tiers: dict[str, str], scores: dict[str, float]
) -> None:
    from opsmaturity.recommend.facts import Facts, observe
    from opsmaturity.recommend.matrix import leader

    book = load_rules()
    facts = Facts(engineers, profile, assessment(scores), tiers, teams)
    values = {d.id: observe(d, facts).value for d in book.dimensions}
    result = run(engineers, profile, scores, tiers, teams=teams)
    assert leader(book, values) == result.ranking[0].model_id
    for change in result.what_would_change:
        assert change.model_id != result.ranking[0].model_id
        assert leader(book, {**values, change.dimension: change.value}) == change.model_id
        if change.dimension in ("engineers", "teams"):
            now = values[change.dimension]
            assert isinstance(change.value, float) and isinstance(now, float)
            closer = change.value - 1 if change.value > now else change.value + 1
            assert leader(book, {**values, change.dimension: closer}) == result.ranking[0].model_id


def test_a_network_what_if_stays_within_reach_of_the_scores() -> None:
    """NetOps can fall to 0 at most: with DevOps at 30 it can never be 50 points behind,
    though 50 points behind (reading -1) would hand NetOps the lead here."""
    from opsmaturity.recommend.facts import Facts, observe
    from opsmaturity.recommend.matrix import leader

    book, scores = load_rules(), {"netops": 30, "devops": 30}
    facts = Facts(120, "software", assessment(scores), {}, None)
    values = {d.id: observe(d, facts).value for d in book.dimensions}
    assert leader(book, {**values, "netops": -1.0}) == "netops"  # out of reach
    result = run(engineers=120, scores=scores)
    assert not [c for c in result.what_would_change if c.model_id == "netops"]
