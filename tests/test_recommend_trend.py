"""Trend what-ifs: a metric's change since last quarter, carried forward, that changes the lead."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opsmaturity.cli import app
from opsmaturity.metrics import benchmark_table
from opsmaturity.recommend import Recommendation, recommend
from opsmaturity.recommend.trend import ALL, MAX_QUARTERS, project, trend_lines
from opsmaturity.report.decision_view import decision_page

BENCH = benchmark_table(2024)
METRICS = (
    "deployment_frequency",
    "lead_time_for_changes",
    "change_failure_rate",
    "failed_deployment_recovery_time",
    "rework_rate",
)
# Elite throughput, high stability: 10 deploys a week, 20 h lead time, 12 % failing, 5 h
# recovery, 8 % rework. At 250 engineers SRE + platform leads platform engineering by
# 2.29 to 1.70 (see test_the_lead_and_its_margin_by_hand).
NOW = {
    "deployment_frequency": 10.0,
    "lead_time_for_changes": 20.0,
    "change_failure_rate": 0.12,
    "failed_deployment_recovery_time": 5.0,
    "rework_rate": 0.08,
}


def run(previous: dict[str, float | None] | None, engineers: int = 250) -> Recommendation:
    return recommend(
        engineers=engineers,
        profile="software",
        assessment=None,
        dora_tiers={m: BENCH.tier(m, NOW[m]) for m in METRICS[:4]},
        measured=NOW,
        previous=previous,
        since="2026Q2" if previous is not None else None,
        tier_of=BENCH.tier,
    )


@pytest.mark.parametrize(
    ("metric", "previous", "current", "quarters", "expected"),
    [
        ("change_failure_rate", 0.14, 0.12, 4, 0.04),  # -2 points a quarter
        ("change_failure_rate", 0.10, 0.50, 2, 1.0),  # a rate never passes 100 %
        ("rework_rate", 0.30, 0.10, 1, 0.0),  # ... nor falls below 0
        ("lead_time_for_changes", 10.0, 20.0, 1, 40.0),  # doubles each quarter
        ("deployment_frequency", 14.0, 10.0, 2, 10 * (10 / 14) ** 2),
        ("failed_deployment_recovery_time", 0.0, 3.0, 3, 3.0),  # no ratio from zero
    ],
)
def test_projection_by_hand(
    metric: str, previous: float, current: float, quarters: int, expected: float
) -> None:
    assert project(metric, previous, current, quarters) == pytest.approx(expected)


def test_the_lead_and_its_margin_by_hand() -> None:
    fits = {f.model_id: f.fit for f in run(None).ranking}
    assert max(fits, key=fits.__getitem__) == "sre_and_platform"
    assert (fits["sre_and_platform"], fits["platform_engineering"]) == (2.29, 1.7)


def test_lead_time_doubling_hands_the_lead_to_platform_in_one_quarter() -> None:
    # 10 h -> 20 h doubles to 40 h next quarter: high instead of elite, so throughput reads
    # (1 + 1/3) / 2 = 2/3 instead of 1. Weight 1.5 x -1/3 = -0.5 times each coefficient:
    # SRE + platform (1.0) 2.29 - 0.5 = 1.79; platform (-1.2) 1.70 + 0.6 = 2.30: platform leads.
    rec = run({**NOW, "lead_time_for_changes": 10.0})
    (trend,) = rec.trends
    assert (trend.metric, trend.quarters, trend.tier) == ("lead_time_for_changes", 1, "high")
    assert trend.projected == pytest.approx(40.0)
    assert trend.model_id == "platform_engineering"
    assert trend.text == (
        "If lead time keeps rising (worsening) as it did since 2026Q2 (10.0 h → 20.0 h), "
        "in 1 more quarter it would be 40.0 h (high): Platform engineering with "
        "stream-aligned teams would lead."
    )


def test_falling_frequency_flips_when_it_leaves_elite_and_every_trend_together() -> None:
    # 14 -> 10 a week: 7.14 next quarter (still elite, >= 7), 5.10 the one after (high).
    rec = run({**NOW, "deployment_frequency": 14.0, "lead_time_for_changes": 10.0})
    by_metric = {t.metric: t for t in rec.trends}
    assert by_metric["deployment_frequency"].quarters == 2
    assert by_metric["deployment_frequency"].projected == pytest.approx(10 * (10 / 14) ** 2)
    assert by_metric["lead_time_for_changes"].quarters == 1
    assert [t.metric for t in rec.trends] == [
        "lead_time_for_changes", "deployment_frequency", ALL,
    ]  # fmt: skip
    assert rec.trends[-1].quarters == 1
    assert "If every measured trend since 2026Q2 continues" in rec.trends[-1].text


def test_worsening_stability_only_strengthens_sre_and_says_so() -> None:
    # Failing changes favour SRE + platform, already in the lead: nothing would change.
    rec = run({**NOW, "change_failure_rate": 0.08, "failed_deployment_recovery_time": 2.0})
    assert rec.trends == ()
    assert rec.trend_since == "2026Q2"
    assert trend_lines(rec) == [
        f"No measured trend since 2026Q2, sustained for up to {MAX_QUARTERS // 4} years, "
        "would change the lead."
    ]


def test_flat_or_unknown_figures_are_no_trend() -> None:
    unchanged = run(dict(NOW))
    assert unchanged.trends == ()
    missing = run(dict.fromkeys(METRICS))
    assert missing.trends == ()


def test_without_a_previous_report_nothing_is_said() -> None:
    rec = run(None)
    assert (rec.trends, rec.trend_since) == ((), None)
    assert trend_lines(rec) == []
    assert decision_page(rec).trends == []


def test_trends_round_trip_through_json_and_reach_the_page() -> None:
    rec = run({**NOW, "lead_time_for_changes": 10.0})
    again = Recommendation.from_json(json.loads(json.dumps(rec.to_json())))
    assert again == rec
    page = decision_page(again)
    assert page.trend_since == "2026Q2"
    assert page.trends == [rec.trends[0].text]
    old = rec.to_json()
    del old["trends"], old["trend_since"]  # a report written before trends
    assert Recommendation.from_json(old).trends == ()


def test_recommend_compare_with_prints_the_trends(tmp_path: Path) -> None:
    from tests.test_recommend_cli import answers, demo_config

    out = tmp_path / "demo"
    assert CliRunner().invoke(app, ["demo", "--out", str(out)]).exit_code == 0
    previous = next(out.glob("*2026Q2.json"))
    result = CliRunner().invoke(
        app,
        ["recommend", "--config", str(demo_config(tmp_path)), *answers(tmp_path),
         "--compare-with", str(previous)],
        terminal_width=200,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "If the trends since 2026Q2 continue" in result.output
    assert "a what-if, not a forecast" in result.output
