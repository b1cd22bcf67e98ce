"""A tier never contradicts the band text shown beside it; where a DORA year's clusters
overlap or leave gaps, the report says in words where the value falls and why (issue 12).
And every benchmark value says where it was read."""

from __future__ import annotations

import numpy as np
import pytest

from opsmaturity.metrics import benchmark_table

from .test_metrics_fixtures import at, dep, inc, org, run

YEARS = (2022, 2023, 2024)
GRID = {
    "deployment_frequency": np.geomspace(0.005, 50, 300),
    "lead_time_for_changes": np.geomspace(0.01, 20_000, 300),
    "change_failure_rate": np.linspace(0, 1, 201),
    "failed_deployment_recovery_time": np.geomspace(0.01, 20_000, 300),
}


def _inside(value: float, span) -> bool:
    lo, hi = span
    return (lo is None or value >= lo) and (hi is None or value < hi)


@pytest.mark.parametrize("year", YEARS)
def test_a_tier_shown_with_dora_words_alone_holds_the_value_or_explains_itself(year) -> None:
    b = benchmark_table(year)
    for metric, values in GRID.items():
        for value in values.tolist():
            band = next(x for x in b.bands[metric] if x.tier == b.tier(metric, value))
            note = b.placement_note(metric, value)
            if band.range is None:
                assert band.label != band.dora and "DORA's answer" in band.label, band
                continue
            if band.label == band.dora:  # DORA's words alone: they must describe the value
                assert _inside(value, band.range), (metric, value, band)
            assert (note is None) == _inside(value, band.range), (metric, value, note)


def test_a_recovery_of_29_hours_in_2024_says_which_gap_it_falls_in() -> None:
    b = benchmark_table(2024)
    low = b.bands["failed_deployment_recovery_time"][-1]
    assert b.tier("failed_deployment_recovery_time", 29.3) == "low"
    assert low.label == "One day or more (DORA's answer: between one week and one month)"
    note = b.placement_note("failed_deployment_recovery_time", 29.3)
    assert note is not None
    assert "between the High cluster's answer (less than one day)" in note
    assert "the Low cluster's (between one week and one month)" in note
    assert "no DORA 2024 cluster answered in between" in note


def test_overlapping_bands_say_they_are_never_applied() -> None:
    b = benchmark_table(2024)
    medium_cfr = b.bands["change_failure_rate"][2]
    medium_fdrt = b.bands["failed_deployment_recovery_time"][2]
    assert "never applied: the High tier covers it" in medium_cfr.label
    assert "never applied: the High tier covers it" in medium_fdrt.label


def test_the_engine_explains_a_tier_outside_its_cluster() -> None:
    """One failed deployment, restored by its incident 29.3 h after it finished."""
    report = run(
        [dep("1", at(2), ["a"]), dep("2", at(20), ["b"])],
        [],
        [inc("i", at(2, 1), at(2, 29.3), linked_deployment="1")],
        benchmark=2024,
    )
    scope = org(report)
    fdrt = scope.failed_deployment_recovery_time
    assert fdrt.median_hours == pytest.approx(29.3) and fdrt.tier == "low"
    notes = [w for w in scope.warnings if w.code == "tier_outside_cluster"]
    assert [w.metric for w in notes] == ["failed_deployment_recovery_time"]
    assert notes[0].message.startswith("29.3 h lies between the High cluster's answer")


@pytest.mark.parametrize("year", YEARS)
def test_every_value_names_where_it_was_read(year) -> None:
    b = benchmark_table(year)
    read = {r["id"] for r in b.source["read"]}
    for bands in b.bands.values():
        for band in bands:
            assert set(band.read_in) <= read, band
            assert bool(band.read_in) == (band.confidence in {"V", "C"}), band
    for r in b.source["read"]:
        assert r["cite"].split(",")[0] in b.notes  # the methodology names every source
    assert "recollection" not in b.notes


def test_2024_values_are_all_read_in_octopus_deploys_reproduction() -> None:
    b = benchmark_table(2024)
    assert all("octopus" in band.read_in for bands in b.bands.values() for band in bands)
    assert "No source consulted confirms" not in b.notes
