"""Per-metric display facts: read once from data/metrics.yaml, and true to the engine's
result types (a renamed result field fails here, not as a silent dash in the report)."""

from __future__ import annotations

import dataclasses
import typing

import pytest

from opsmaturity import dora
from opsmaturity.metrics import ScopeMetrics, TrendPoint, metric_definitions


def result_type(metric: str) -> type:
    hints = typing.get_type_hints(ScopeMetrics)
    return typing.cast(type, hints[metric])


def names(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def test_every_defined_metric_has_display_facts_in_report_order() -> None:
    assert tuple(d.id for d in metric_definitions()) == dora.METRICS
    assert set(dora.metric_display()) == set(dora.METRICS)


@pytest.mark.parametrize("metric", dora.METRICS)
def test_display_fields_exist_on_the_engine_results(metric: str) -> None:
    shown = dora.metric_display()[metric]
    fields = names(result_type(metric))
    assert shown.headline in fields and shown.sample_field in fields
    assert shown.trend_field in names(TrendPoint)
    assert shown.format in dora.FORMATS and shown.short


def test_only_deployment_frequency_improves_as_it_rises() -> None:
    better_up = [m for m, d in dora.metric_display().items() if d.higher_is_better]
    assert better_up == ["deployment_frequency"]


def _entry(display: dict) -> dict:
    return {
        "id": "lead_time_for_changes",
        "name": "Lead time for changes",
        "unit": "hours",
        "display": display,
    }


def test_a_broken_display_block_names_metric_and_key() -> None:
    with pytest.raises(ValueError, match=r"metrics.yaml: lead_time_for_changes: display: 'short'"):
        dora._display(_entry({"format": "hours"}))
    with pytest.raises(ValueError, match="format 'days' is not one of per_week, hours, rate"):
        dora._display(_entry({"format": "days"}))
