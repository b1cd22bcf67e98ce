"""The CLI, through typer's CliRunner: normal runs and every kind of error exit."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from opsmaturity import __version__
from opsmaturity.cli import app

from .conftest import ROOT, write

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"opsmaturity {__version__}"


def test_no_arguments_shows_help() -> None:
    result = runner.invoke(app, [])
    assert "Usage" in result.output and "demo" in result.output


def test_config_check_ok() -> None:
    result = runner.invoke(app, ["config", "check", str(ROOT / "examples" / "github.yaml")])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output and "Acme Payments" in result.output


def test_config_check_broken_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    text = (ROOT / "examples" / "github.yaml").read_text().replace("kind: github", "kind: gitlub")
    path = write(tmp_path / "acme.yaml", text)
    result = runner.invoke(app, ["config", "check", str(path)], terminal_width=400)
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == [
        f"error: {path}:17: sources[0].kind: expected 'github', 'gitlab', 'files', 'demo', "
        "'pagerduty', 'jira' or 'opsgenie', got 'gitlub'"
    ]


def test_config_check_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["config", "check", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2 and "cannot read" in result.output


def test_config_schema_is_json() -> None:
    result = runner.invoke(app, ["config", "schema"])
    assert result.exit_code == 0
    assert json.loads(result.output)["title"] == "opsmaturity assessment config"


def test_unknown_option_is_a_usage_error() -> None:
    result = runner.invoke(app, ["metrics", "--colour"])
    assert result.exit_code == 2
