"""The main job end to end through the CLI: metrics, report, demo, exports, error exits."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opsmaturity.cli import app
from opsmaturity.metrics.stored import DERIVED_NAME
from opsmaturity.store import Store

from .conftest import ROOT, write

runner = CliRunner()


@pytest.fixture()
def demo_yaml(tmp_path: Path) -> Path:
    return Path(shutil.copy(ROOT / "examples" / "demo.yaml", tmp_path / "demo.yaml"))


@pytest.fixture()
def files_yaml(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "examples" / "files", tmp_path / "files")
    return Path(shutil.copy(ROOT / "examples" / "files.yaml", tmp_path / "files.yaml"))


def test_metrics_json_on_files_source(files_yaml: Path) -> None:
    result = runner.invoke(app, ["metrics", "--config", str(files_yaml), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    org = next(s for s in data["scopes"] if s["scope"] == "organization")
    # examples/files: 3 successful production deployments in 2026Q3 (92 days)
    assert org["deployment_frequency"]["deployments"] == 3
    assert org["deployment_frequency"]["per_week"] == pytest.approx(3 * 7 / 92)
    # PD-1 opened after jenkins-101 and before the next production deployment → 1 failure
    assert org["change_failure_rate"]["failed"] == 1
    assert data["period"] == {"start": "2026-07-01", "end": "2026-09-30"}
    assert (files_yaml.parent / ".opsmaturity" / "store.sqlite").exists()


def test_metrics_csv_and_table(files_yaml: Path) -> None:
    result = runner.invoke(app, ["metrics", "-c", str(files_yaml), "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert {row["scope"] for row in rows} >= {"organization", "repository"}
    table = runner.invoke(app, ["metrics", "-c", str(files_yaml)], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "initech/tps" in table.output


def test_report_writes_every_format(files_yaml: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "initech.pdf"
    result = runner.invoke(app, ["report", "-c", str(files_yaml), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    assert out.with_suffix(".html").exists() and out.with_suffix(".json").exists()
    assert list(out.parent.glob("initech-*.csv"))


def test_report_with_missing_answers_file(files_yaml: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["report", "-c", str(files_yaml), "--answers", str(tmp_path / "none.yaml")]
    )
    assert result.exit_code == 2
    assert "none.yaml" in result.output


def test_report_with_unreadable_previous(files_yaml: Path, tmp_path: Path) -> None:
    bad = write(tmp_path / "prev.json", "{not json")
    result = runner.invoke(
        app,
        [
            "report",
            "-c",
            str(files_yaml),
            "--compare-with",
            str(bad),
            "--out",
            str(tmp_path / "r.pdf"),
        ],
    )
    assert result.exit_code == 4 and "--compare-with: cannot read" in result.output


def test_forge_source_with_empty_store_says_collect_first(tmp_path: Path) -> None:
    config = shutil.copy(ROOT / "examples" / "github.yaml", tmp_path / "gh.yaml")
    result = runner.invoke(app, ["metrics", "-c", str(config)], terminal_width=300)
    assert result.exit_code == 3
    assert "store is empty; run `opsmaturity collect" in result.output


def test_collect_without_token_names_the_variable(tmp_path: Path) -> None:
    config = shutil.copy(ROOT / "examples" / "github.yaml", tmp_path / "gh.yaml")
    result = runner.invoke(app, ["collect", "-c", str(config)], terminal_width=300)
    assert result.exit_code == 5
    assert "GITHUB_TOKEN" in result.output


def test_collect_files_source(files_yaml: Path) -> None:
    result = runner.invoke(app, ["collect", "-c", str(files_yaml)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "2 repositories, 4 deployments, 8 changes, 1 incidents" in result.output
    # packed as it finishes, so the next report reads packs, not records
    assert "Packed the records of 2 repositories for the metrics." in result.output
    with Store(files_yaml.parent / ".opsmaturity" / "store.sqlite") as store:
        assert all(value is not None for _, _, value in store.derived(DERIVED_NAME))


def test_questionnaire_export(tmp_path: Path) -> None:
    result = runner.invoke(app, ["questionnaire", "export", "--format", "csv"])
    assert result.exit_code == 0
    assert "question_id" in result.output.splitlines()[0] or "id" in result.output.splitlines()[0]
    out = tmp_path / "form.html"
    result = runner.invoke(app, ["questionnaire", "export", "--format", "html", "--out", str(out)])
    assert result.exit_code == 0 and out.read_text().lstrip().lower().startswith("<!doctype html")


def test_survey_needs_a_terminal(tmp_path: Path) -> None:
    result = runner.invoke(app, ["survey", "--out", str(tmp_path / "a.yaml")], terminal_width=300)
    assert result.exit_code == 2 and "interactive terminal" in result.output


@pytest.mark.slow
def test_demo_end_to_end(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--out", str(tmp_path / "demo")], terminal_width=300)
    assert result.exit_code == 0, result.output
    pdf = tmp_path / "demo" / "northwind-retail-2026Q3.pdf"
    assert str(pdf) in result.output.replace("\n", "")
    data = json.loads(pdf.with_suffix(".json").read_text())
    assert data["previous"] is not None  # quarter-over-quarter against 2026Q2
    assert (tmp_path / "demo" / "northwind-retail-2026Q2.json").exists()
    # every file the run lists is its own (a rows CSV once overwrote the incidents table)
    listed = [line.split()[-1] for line in result.output.splitlines() if "/demo/" in line]
    assert len(listed) == len(set(listed)) >= 12
    rows = tmp_path / "demo" / "northwind-retail-2026Q3-rows-incidents.csv"
    table = tmp_path / "demo" / "northwind-retail-2026Q3-incidents.csv"
    assert rows.read_text().splitlines()[0] != table.read_text().splitlines()[0]
    # what --compare-with reads back of 2026Q2 is exactly what the report compared with
    from opsmaturity.report import read_previous, report_from_json

    previous = read_previous(tmp_path / "demo" / "northwind-retail-2026Q2.json")
    assert previous == report_from_json(data).previous


def test_demo_example_config_matches_the_built_in_demo(demo_yaml: Path) -> None:
    from opsmaturity.config import load_config
    from opsmaturity.demo.source import demo_teams

    config = load_config(demo_yaml)
    assert {n: t.paths for n, t in config.teams.items()} == {
        n: t.paths for n, t in demo_teams().items()
    }
    result = runner.invoke(app, ["metrics", "-c", str(demo_yaml), "--format", "json"])
    assert result.exit_code == 0, result.output
    names = {(s["scope"], s["name"]) for s in json.loads(result.output)["scopes"]}
    assert ("organization", "Northwind Retail") in names
    assert {("team", t) for t in ("Checkout", "Catalog", "Platform", "Warehouse")} <= names
