"""Output contracts: the stable JSON names, CSV and the terminal table."""

from __future__ import annotations

import csv
import io
import json

from rich.console import Console
from rich.table import Table

from opsmaturity.config import Team
from opsmaturity.metrics import render_table, to_csv
from opsmaturity.metrics.render import CSV_COLUMNS

from .test_metrics_fixtures import at, chg, dep, inc, run

DEPS = [dep("0", at(1, month=6), ["h"]), dep("1", at(10), ["a"]), dep("2", at(12), ["b"])]
CHANGES = [chg("h", at(1, month=6)), chg("a", at(9)), chg("b", at(11))]
INCIDENTS = [inc("i", at(10, 1), at(10, 3))]


def report():
    return run(
        DEPS,
        CHANGES,
        INCIDENTS,
        repositories=["org/a", "org/idle"],
        teams={"core": Team(repositories=["org/*"])},
    )


def test_json_keeps_the_stable_names_of_issue_4() -> None:
    doc = json.loads(json.dumps(report().to_json()))  # JSON-serialisable as is
    assert doc["period"] == {"start": "2026-07-01", "end": "2026-09-30"}
    assert doc["benchmark"] == "dora-2024"
    assert [(s["scope"], s["name"]) for s in doc["scopes"]] == [
        ("organization", "organization"),
        ("team", "core"),
        ("repository", "org/a"),
        ("repository", "org/idle"),
    ]
    scope = doc["scopes"][0]
    required = {
        "deployment_frequency": {"deployments", "per_week", "deployment_days", "tier"},
        "lead_time_for_changes": {"median_hours", "p90_hours", "n", "tier"},
        "change_failure_rate": {"value", "failed", "deployments", "tier"},
        "failed_deployment_recovery_time": {"median_hours", "n", "tier"},
        "rework_rate": {"value"},
    }
    for metric, keys in required.items():
        assert keys <= set(scope[metric]), metric
    assert isinstance(scope["warnings"], list)
    assert isinstance(doc["trend"], list) and doc["trend"]
    cfr = scope["change_failure_rate"]
    assert (cfr["value"], cfr["failed"], cfr["deployments"]) == (0.5, 1, 2)  # a fraction
    assert doc["failed_deployments"] == [
        {
            "repository": "org/a",
            "id": "1",
            "finished_at": "2026-07-10T00:00:00+00:00",
            "rules": ["incident"],
            "recovery_hours": 3.0,
        }
    ]


def test_unknown_values_are_null_with_a_reason_in_json() -> None:
    idle = report().to_json()["scopes"][3]
    assert idle["lead_time_for_changes"]["median_hours"] is None
    assert idle["lead_time_for_changes"]["reason"]
    assert idle["change_failure_rate"]["value"] is None
    assert idle["warnings"][0]["code"] == "no_deployments"


def test_trend_points_have_their_fields() -> None:
    trend = report().to_json()["trend"]
    assert {(t["scope"], t["bucket"]) for t in trend} == {
        (s, m) for s in ("organization", "team") for m in ("2026-07", "2026-08", "2026-09")
    }
    july = next(t for t in trend if t["scope"] == "organization" and t["bucket"] == "2026-07")
    assert july["deployments"] == 2 and july["start"] == "2026-07-01" and july["days"] == 31
    assert july["change_failure_rate"] == 0.5
    assert july["lead_time_median_hours"] == 24.0
    august = next(t for t in trend if t["scope"] == "organization" and t["bucket"] == "2026-08")
    assert august["deployments"] == 0 and august["change_failure_rate"] is None


def test_csv_has_one_row_per_scope_and_blank_unknowns() -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(report()))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r["name"] for r in rows] == ["organization", "core", "org/a", "org/idle"]
    assert rows[0]["change_failure_rate"] == "0.5"
    assert rows[3]["lead_time_median_hours"] == ""
    assert "no_deployments" in rows[3]["warnings"]


def test_render_table_shows_every_scope() -> None:
    table = render_table(report())
    assert isinstance(table, Table) and table.row_count == 4
    console = Console(width=200, record=True, color_system=None)
    console.print(table)
    text = console.export_text()
    assert "org/idle" in text and "50%" in text and "dora-2024" in text


def test_plain_equals_dataclasses_asdict() -> None:
    """``plain`` is ``asdict`` minus the deep copies: same dicts, tuples and lists."""
    from dataclasses import asdict

    from opsmaturity.metrics.model import plain

    report = run(
        [dep("1", at(2), ["c1"]), dep("2", at(3))], [chg("c1", at(1))], [inc("i", at(2, 1))]
    )
    assert report.failed_deployments and report.trend and report.scopes[0].warnings
    for s in report.scopes:
        assert plain(s) == asdict(s)
    for f in report.failed_deployments:
        assert plain(f) == asdict(f)
    assert [plain(t) for t in report.trend] == [asdict(t) for t in report.trend]
