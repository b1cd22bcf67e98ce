"""build_report_data: the typed report data, its JSON, deltas and the logo check."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from opsmaturity.errors import ReportError
from opsmaturity.records import CollectionNote
from opsmaturity.report import ReportData, build_report_data, report_json
from opsmaturity.report.data import Comparison
from tests.report_support import (
    config_for,
    engine_inputs,
    engine_report_data,
    previous_data,
    report_data,
    typed,
)

GENERATED = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)


def as_json(data: ReportData) -> dict[str, Any]:
    """The report JSON as a reader sees it (tuples become lists on the way)."""
    return json.loads(json.dumps(report_json(data)))


def build(tmp_path: Path, **overrides: Any) -> ReportData:
    data = report_data()
    kwargs = {**engine_inputs(data), "previous": typed(previous_data()).comparison(), **overrides}
    return build_report_data(config=config_for(data, tmp_path), generated_at=GENERATED, **kwargs)


def test_rebuilds_the_fixture_from_config_and_engine_results(tmp_path: Path) -> None:
    assert as_json(build(tmp_path)) == report_data()


def test_json_reads_back_to_the_same_typed_data() -> None:
    data = typed(report_data())
    assert typed(as_json(data)) == data


def test_notes_are_canonical_records(tmp_path: Path) -> None:
    note = CollectionNote("org/repo", "deployments", "No deployments found.", "warning")
    data = build(tmp_path, notes=[note])
    assert as_json(data)["data_quality"]["notes"] == [
        {"repository": "org/repo", "resource": "deployments", "message": "No deployments found.",
         "level": "warning"},
    ]  # fmt: skip


def test_bots_excluded_comes_from_the_metrics_caveat(tmp_path: Path) -> None:
    caveats = org(report_data())["warnings"]
    expected = sum(w["count"] for w in caveats if w["code"] == "bots_excluded")
    assert expected > 0
    assert build(tmp_path).data_quality.bots_excluded == expected


def org(data: dict) -> dict:
    return data["metrics"]["scopes"][0]


def test_headline_takes_the_organization_scope() -> None:
    data = report_data()
    assert org(data)["scope"] == "organization"
    assert typed(data).headline() == {
        "deployment_frequency": org(data)["deployment_frequency"]["per_week"],
        "lead_time_for_changes": org(data)["lead_time_for_changes"]["median_hours"],
        "change_failure_rate": org(data)["change_failure_rate"]["value"],
        "failed_deployment_recovery_time": org(data)["failed_deployment_recovery_time"][
            "median_hours"
        ],
        "rework_rate": org(data)["rework_rate"]["value"],
    }


def test_quarter_over_quarter_deltas(tmp_path: Path) -> None:
    now, before = org(report_data()), org(previous_data())
    d = build(tmp_path).deltas.metrics
    for metric, field in (
        ("deployment_frequency", "per_week"),
        ("lead_time_for_changes", "median_hours"),
        ("change_failure_rate", "value"),
        ("rework_rate", "value"),
    ):
        assert d[metric].change == pytest.approx(
            now[metric][field] - before[metric][field], abs=1e-6
        )
        assert d[metric].previous == before[metric][field]


def test_deltas_by_hand() -> None:
    data = report_data()
    data["previous"]["metrics"] = {
        "deployment_frequency": 26.92,
        "lead_time_for_changes": 30.2,
        "change_failure_rate": 0.1343,
        "failed_deployment_recovery_time": None,
        "rework_rate": 0.25,
    }
    o = org(data)
    o["deployment_frequency"]["per_week"] = 31.35
    o["lead_time_for_changes"]["median_hours"] = 21.4
    o["change_failure_rate"]["value"] = 0.1117
    o["rework_rate"]["value"] = None
    d = typed(data).deltas.metrics
    assert d["deployment_frequency"].change == pytest.approx(4.43)
    assert d["lead_time_for_changes"].change == pytest.approx(-8.8)
    assert d["change_failure_rate"].change == pytest.approx(-0.0226)
    # unknown on either side: no change, never a change from zero
    assert d["failed_deployment_recovery_time"].change is None
    assert (d["rework_rate"].current, d["rework_rate"].previous) == (None, 0.25)
    assert d["rework_rate"].change is None


def test_discipline_deltas_by_hand() -> None:
    data = report_data()
    data["previous"]["disciplines"] = {"devops": 50.0, "sre": None}
    data["assessment"]["organization"]["disciplines"]["devops"]["median"] = 62.5
    d = typed(data).deltas.disciplines
    assert d["devops"].change == pytest.approx(12.5)
    assert d["sre"].change is None and d["culture"].previous is None


def test_no_previous_report_means_no_deltas(tmp_path: Path) -> None:
    data = as_json(build(tmp_path, previous=None))
    assert data["previous"] is None
    assert data["deltas"] == {"metrics": {}, "disciplines": {}, "teams": {}}


def test_previous_keeps_only_headline_figures() -> None:
    prev = typed(previous_data()).comparison()
    assert prev.period.label == "2026Q2"
    lead_time = org(previous_data())["lead_time_for_changes"]["median_hours"]
    assert prev.metrics["lead_time_for_changes"] == lead_time
    assert {f.name for f in dataclasses.fields(Comparison)} == {
        "period", "generated_at", "metrics", "disciplines", "options", "teams", "respondents",
        "roles",
    }  # fmt: skip
    assert prev.options == previous_data()["data_quality"]["options"]


def test_a_renamed_field_fails_loudly() -> None:
    """No silent default: a field the writer no longer has is an error when read back."""
    data = report_data()
    lead_time = org(data)["lead_time_for_changes"]
    lead_time["median"] = lead_time.pop("median_hours")
    with pytest.raises(ReportError, match=r"lead_time_for_changes\.median_hours: Field required"):
        typed(data)


def test_missing_logo_is_a_clear_error(tmp_path: Path) -> None:
    data = report_data()
    config = config_for(data, tmp_path, logo="brand/logo.png")
    with pytest.raises(ReportError, match=r"logo file not found: .*brand/logo\.png"):
        build_report_data(config=config, metrics=typed(data).metrics, generated_at=GENERATED)


def test_logo_is_resolved_against_the_config_folder(tmp_path: Path) -> None:
    (tmp_path / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", "utf-8")
    data = report_data()
    config = config_for(data, tmp_path, logo="logo.svg", accent_color="#aa3300")
    built = build_report_data(config=config, metrics=typed(data).metrics, generated_at=GENERATED)
    assert built.branding.logo == str((tmp_path / "logo.svg").resolve())
    assert built.branding.accent_color == "#aa3300"


def test_metrics_only_report_has_no_survey_sections(tmp_path: Path) -> None:
    data = report_data()
    built = as_json(
        build_report_data(
            config=config_for(data, tmp_path), metrics=typed(data).metrics, generated_at=GENERATED
        )
    )
    assert built["assessment"] is None and built["recommendation"] is None
    assert built["mismatches"] == []
    assert built["data_quality"]["repositories"] == sorted(
        s["name"] for s in data["metrics"]["scopes"] if s["scope"] == "repository"
    )


def shape(value: object, prefix: str = "") -> set[str]:
    """Every key path in a JSON value; list elements share one ``[]`` path."""
    if isinstance(value, dict):
        out = set()
        for key, item in value.items():
            # dict keys that are data (team names, area ids) are not part of the shape
            part = "*" if prefix.endswith(("teams", "areas", "disciplines", "self_report",
                                             "bands", "by_rule", "points", "respondents",
                                             "roles", "compare")) else key  # fmt: skip
            out |= {f"{prefix}.{part}"} | shape(item, f"{prefix}.{part}")
        return out
    if isinstance(value, list):
        return set().union(*(shape(v, f"{prefix}[]") for v in value)) if value else set()
    return set()


def test_fixture_has_the_shape_the_engines_produce() -> None:
    """The fixture is a snapshot of the engines (``python -m tests.report_support``
    regenerates it); this fails when an engine's JSON shape moves away from it."""
    fixture = report_data()
    fresh = as_json(engine_report_data("2026Q3", previous=typed(previous_data())))
    for key in ("metrics", "assessment", "recommendation", "mismatches", "definitions",
                "benchmark", "data_quality", "deltas", "cross_check"):  # fmt: skip
        assert shape(fresh[key]) == shape(fixture[key]), key
