"""Tier tables, 0–10 scores, overall tier, and definitions as data (docs kept in step)."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsmaturity.metrics import benchmark_table, metric_definitions, score
from opsmaturity.metrics.docs import metrics_doc
from opsmaturity.metrics.tiers import TIERED, frequency_bucket, overall_tier

from .test_metrics_fixtures import at, chg, dep, org, run

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("year", "metric", "value", "tier"),
    [
        (2024, "deployment_frequency", 7.0, "elite"),
        (2024, "deployment_frequency", 6.99, "high"),
        (2024, "deployment_frequency", 1.0, "high"),
        (2024, "deployment_frequency", 0.5, "medium"),
        (2024, "deployment_frequency", 0.1, "low"),
        (2024, "lead_time_for_changes", 23.9, "elite"),
        (2024, "lead_time_for_changes", 24.0, "high"),
        (2024, "lead_time_for_changes", 200.0, "medium"),
        (2024, "lead_time_for_changes", 800.0, "low"),
        (2024, "change_failure_rate", 0.05, "elite"),
        (2024, "change_failure_rate", 0.10, "high"),  # medium's 10% sits inside high's band
        (2024, "change_failure_rate", 0.21, "low"),
        (2024, "failed_deployment_recovery_time", 0.5, "elite"),
        (2024, "failed_deployment_recovery_time", 23.0, "high"),
        (2024, "failed_deployment_recovery_time", 48.0, "low"),
        (2023, "change_failure_rate", 0.10, "high"),
        (2023, "change_failure_rate", 0.15, "medium"),
        (2023, "change_failure_rate", 0.16, "low"),
        (2023, "failed_deployment_recovery_time", 48.0, "medium"),
        (2023, "deployment_frequency", 0.1, "low"),
        (2022, "deployment_frequency", 7.0, "high"),
        (2022, "deployment_frequency", 3.0, "medium"),  # between clusters: the lower one
        (2022, "lead_time_for_changes", 1.0, "high"),  # no elite in 2022
        (2022, "change_failure_rate", 0.30, "medium"),
        (2022, "change_failure_rate", 0.40, "low"),
    ],
)
def test_tiers_by_year(year, metric, value, tier) -> None:
    assert benchmark_table(year).tier(metric, value) == tier


def test_unknown_value_has_no_tier_and_unknown_year_is_an_error() -> None:
    assert benchmark_table(2024).tier("lead_time_for_changes", None) is None
    with pytest.raises(ValueError, match="2021"):
        benchmark_table(2021)


@pytest.mark.parametrize("year", [2022, 2023, 2024])
def test_benchmark_files_are_complete_and_cite_their_source(year) -> None:
    b = benchmark_table(year)
    assert b.id == f"dora-{year}" and b.year == year
    assert b.source["url"].startswith("https://dora.dev/research/")
    assert b.notes and b.title
    assert set(b.bands) == set(TIERED)
    assert set(b.respondents) == set(b.tiers)
    for metric, bands in b.bands.items():
        assert [band.tier for band in bands] == list(b.tiers), metric
        assert bands[-1].bound is None, f"{metric}: the last band must take the rest"
        assert all(band.bound is not None for band in bands[:-1]), metric
        assert all(band.label and band.confidence in {"V", "C", "M"} for band in bands)
        assert b.compare[metric] in {">=", "<", "<="}


@pytest.mark.parametrize(
    ("metric", "value", "expected"),
    [
        ("lead_time_for_changes", 0.0, 10.0),  # clamped below the first anchor
        ("lead_time_for_changes", 24.0, 8.0),
        ("lead_time_for_changes", 10_000.0, 0.0),
        ("failed_deployment_recovery_time", 1.0, 10.0),
        ("deployment_frequency", 7.0, 8.0),
        ("deployment_frequency", 1.0, 6.0),
        ("deployment_frequency", 100.0, 10.0),
        ("change_failure_rate", 0.0, 10.0),
        ("change_failure_rate", 0.075, 8.5),  # linear between 5% → 9 and 10% → 8
        ("rework_rate", 0.6, 0.0),
        ("lead_time_for_changes", None, None),
    ],
)
def test_scores_follow_the_documented_anchors(metric, value, expected) -> None:
    assert score(metric, value) == (None if expected is None else pytest.approx(expected))


def test_log_interpolation_between_anchors() -> None:
    # halfway in log10 between 24 h (8) and 168 h (6): sqrt(24 × 168) h scores 7
    assert score("lead_time_for_changes", (24 * 168) ** 0.5) == pytest.approx(7.0)


@pytest.mark.parametrize(
    ("per_week", "bucket"),
    [
        (None, None),
        (0.0, None),
        (7.0, "on_demand"),
        (1.0, "daily_weekly"),
        (0.23, "weekly_monthly"),
        (0.04, "monthly_six_monthly"),
        (0.01, "fewer"),
    ],
)
def test_frequency_buckets(per_week, bucket) -> None:
    assert frequency_bucket(per_week) == bucket


@pytest.mark.parametrize(
    ("tiers", "expected"),
    [
        (("elite", "elite", "elite", "elite"), "elite"),
        (("elite", "high", "medium", "low"), "medium"),  # median rounded toward worse
        (("elite", "elite", "low", None), "elite"),  # three known: the middle one
        (("elite", "high", "low", None), "high"),
        (("elite", None, "elite", "elite"), None),  # lead time unknown
    ],
)
def test_overall_tier(tiers, expected) -> None:
    assert overall_tier(benchmark_table(2024), dict(zip(TIERED, tiers, strict=True))) == expected


def test_benchmark_option_changes_the_tiers() -> None:
    deployments = [dep("0", at(1, month=6), ["h"])] + [
        dep(str(d), at(1 + d), [f"c{d}"]) for d in range(30)
    ]
    changes = [chg("h", at(1, month=6))] + [chg(f"c{d}", at(1 + d, -2)) for d in range(30)]
    r2024 = run(deployments, changes)
    r2022 = run(deployments, changes, benchmark=2022)
    assert r2024.to_json()["benchmark"] == "dora-2024"
    assert r2022.to_json()["benchmark"] == "dora-2022"
    assert org(r2024).lead_time_for_changes.tier == "elite"
    assert org(r2022).lead_time_for_changes.tier == "high"


def test_every_metric_definition_has_its_texts() -> None:
    defs = metric_definitions()
    assert [d.id for d in defs] == [
        *TIERED[:2],
        "change_failure_rate",
        "failed_deployment_recovery_time",
        "rework_rate",
    ]
    for d in defs:
        assert d.name and d.summary and d.unit and len(d.definition) > 200, d.id
        xs = [x for x, _ in d.points]
        assert xs == sorted(xs) and len(xs) >= 3, d.id
        assert all(0 <= s <= 10 for _, s in d.points)


def test_docs_metrics_md_is_generated_from_the_data() -> None:
    path = ROOT / "docs" / "metrics.md"
    assert path.read_text(encoding="utf-8") == metrics_doc(), (
        "docs/metrics.md is stale: run "
        "`PYTHONPATH=src python -m opsmaturity.metrics.docs > docs/metrics.md`"
    )


def test_every_warning_code_the_engine_emits_is_documented() -> None:
    from opsmaturity.metrics import metrics_notes
    from opsmaturity.metrics.results import _COUNTED

    emitted = {code for code, *_ in _COUNTED} | {
        "no_deployments",
        "repositories_without_deployments",
        "small_sample",
        "monorepo_changes_without_paths",
        "tier_outside_cluster",
    }
    documented = metrics_notes()["warnings"]
    assert emitted == set(documented)
    assert all(isinstance(text, str) and text for text in documented.values())
