"""An empty period after a successful collection: every figure with its reason, and no
advice to run a collection that already ran (issue 12)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from opsmaturity.cli import app

from .conftest import ROOT

runner = CliRunner()


def _empty_files_config(tmp_path: Path) -> Path:
    """examples/files.yaml over files holding only their header rows."""
    (tmp_path / "files").mkdir()
    for name in ("deployments", "changes", "incidents"):
        header = (ROOT / "examples" / "files" / f"{name}.csv").read_text().splitlines()[0]
        (tmp_path / "files" / f"{name}.csv").write_text(header + "\n")
    return Path(shutil.copy(ROOT / "examples" / "files.yaml", tmp_path / "files.yaml"))


def test_metrics_after_a_collection_that_found_nothing(tmp_path: Path) -> None:
    config = _empty_files_config(tmp_path)
    collected = runner.invoke(app, ["collect", "-c", str(config)], terminal_width=200)
    assert collected.exit_code == 0 and "nothing found" in collected.output
    table = runner.invoke(app, ["metrics", "-c", str(config)], terminal_width=200)
    assert table.exit_code == 0, table.output
    assert "run `opsmaturity collect" not in table.output
    for line in (
        "Deploy frequency: no successful production deployment in the period",
        "Lead time: no deployed change with a known start time in the period",
        "Failure rate: no successful production deployment in the period",
        "Recovery time: no failed deployment in the period",
        "Incident MTTR: no resolved incident opened in the period",
    ):
        assert line in table.output
    doc = json.loads(runner.invoke(app, ["metrics", "-c", str(config), "-f", "json"]).output)
    org = doc["scopes"][0]
    assert org["deployment_frequency"]["deployments"] == 0
    assert org["lead_time_for_changes"]["median_hours"] is None
    assert all(
        org[m]["reason"]
        for m in ("deployment_frequency", "lead_time_for_changes", "change_failure_rate")
    )


def test_a_store_no_collection_filled_still_says_collect_first(tmp_path: Path) -> None:
    config = shutil.copy(ROOT / "examples" / "github.yaml", tmp_path / "gh.yaml")
    result = runner.invoke(app, ["metrics", "-c", str(config)], terminal_width=300)
    assert result.exit_code == 3
    assert "store is empty; run `opsmaturity collect" in result.output
