"""JSON and CSV outputs: golden files, round trip through --compare-with, formats."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from opsmaturity.dora import HEADLINE_FIELD, METRICS
from opsmaturity.errors import ReportError
from opsmaturity.report import (
    build_report_data,
    read_previous,
    report_from_json,
    to_json_text,
    write_report,
)
from opsmaturity.report.render import csv_tables, csv_text
from tests.report_support import (
    GOLDEN,
    config_for,
    engine_inputs,
    previous_data,
    report_data,
    typed,
)

GENERATED = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)

UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
"""``UPDATE_GOLDEN=1 pytest tests/test_report_files.py`` rewrites the golden files."""


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    assert path.exists(), f"missing golden file {path}; run with UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The fixture's report as the pipeline builds it: the engines' results plus the config
    (the benchmark and definitions straight from their data files)."""
    folder = tmp_path_factory.mktemp("report")
    data = report_data()
    built = build_report_data(
        config=config_for(data, folder), generated_at=GENERATED, **engine_inputs(data),
        previous=typed(previous_data()).comparison(),
    )  # fmt: skip
    out = folder / "q3" / "northwind.pdf"
    files = write_report(built, out, formats=("json", "csv", "html"))
    return {"files": files, "dir": out.parent}


def test_writes_the_asked_formats_side_by_side(written: dict) -> None:
    files, folder = written["files"], written["dir"]
    assert files.pdf is None
    assert files.json == folder / "northwind.json" and files.html == folder / "northwind.html"
    assert sorted(p.name for p in files.csv) == [
        "northwind-incidents.csv", "northwind-metrics.csv", "northwind-practices.csv",
        "northwind-roadmap.csv", "northwind-trend.csv",
    ]  # fmt: skip
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [files.json.name, files.html.name, *(p.name for p in files.csv)]
    )


def test_json_golden(written: dict) -> None:
    golden("report.json", written["files"].json.read_text(encoding="utf-8"))


@pytest.mark.parametrize("table", ["metrics", "trend", "practices", "roadmap", "incidents"])
def test_csv_golden(written: dict, table: str) -> None:
    path = written["dir"] / f"northwind-{table}.csv"
    golden(f"report-{table}.csv", path.read_text(encoding="utf-8"))


def test_json_is_the_report_data_and_reads_back_for_compare_with(written: dict) -> None:
    text = written["files"].json.read_text(encoding="utf-8")
    assert json.loads(text) == report_data()
    again = report_from_json(json.loads(text))
    assert again == typed(report_data())
    assert json.loads(to_json_text(again)) == json.loads(text)
    assert read_previous(written["files"].json) == again.comparison()


def test_metrics_csv_equals_the_json() -> None:
    data = report_data()
    rows = list(csv.DictReader(io.StringIO(csv_text(csv_tables(typed(data))["metrics"]))))
    assert len(rows) == len(data["metrics"]["scopes"])
    for row, scope in zip(rows, data["metrics"]["scopes"], strict=True):
        assert (row["scope"], row["name"]) == (scope["scope"], scope["name"])
        for m in METRICS:
            value = scope[m][HEADLINE_FIELD[m]]
            cell = row[f"{m}.{HEADLINE_FIELD[m]}"]
            assert cell == ("" if value is None else repr(value))


def test_unknown_is_an_empty_cell_never_zero() -> None:
    assert csv_text([["a", "b", "c"], [None, 0, False]]) == "a,b,c\n,0,false\n"


def test_json_is_stable_and_utf8() -> None:
    text = to_json_text(typed(report_data()))
    assert text.endswith("}\n") and "\\u" not in text and "–" in text
    assert list(json.loads(text)) == sorted(json.loads(text))


def test_metrics_only_report_writes_two_tables(tmp_path: Path) -> None:
    data = report_data()
    data.update(assessment=None, recommendation=None, incidents=None)
    files = write_report(typed(data), tmp_path / "r.pdf", formats=("csv",))
    assert [p.name for p in files.csv] == ["r-metrics.csv", "r-trend.csv"]


def test_unknown_format_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="docx"):
        write_report(typed(report_data()), tmp_path / "r.pdf", formats=("pdf", "docx"))


def test_json_has_no_floats_that_json_cannot_hold() -> None:
    json.loads(
        to_json_text(typed(report_data())), parse_constant=lambda c: pytest.fail(f"non-JSON {c}")
    )
