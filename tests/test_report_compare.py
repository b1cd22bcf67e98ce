"""``--compare-with``: a previous report is validated with the types that wrote it.

Every broken file gives one line naming the file and the field, exit code 4 (like every
other --compare-with error), never a traceback or a KeyError/TypeError/AttributeError.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from opsmaturity.cli import app
from opsmaturity.errors import ReportError
from opsmaturity.report import SCHEMA, read_previous
from tests.report_support import previous_data, typed

from .conftest import ROOT

runner = CliRunner()
Edit = Callable[[dict[str, Any]], Any]


def org(data: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in data["metrics"]["scopes"] if s["scope"] == "organization")


def drop(key: str) -> Edit:
    return lambda d: d.pop(key)


def put(path: str, value: Any) -> Edit:
    """Set a dotted path (``metrics.scopes.0.name``) to ``value``."""

    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[int(last) if isinstance(node, list) else last] = value

    return edit


def drop_at(path: str) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        del node[last]

    return edit


def no_organization(data: dict[str, Any]) -> None:
    data["metrics"]["scopes"] = [
        s for s in data["metrics"]["scopes"] if s["scope"] != "organization"
    ]


# (case id, edit of a valid report, the field the one-line error must name)
CASES: list[tuple[str, Edit, str]] = [
    ("no period", drop("period"), "period: Field required"),
    ("period not an object", put("period", "2026Q2"), "period:"),
    ("impossible start date", put("period.start", "2026-02-30"), "period.start:"),
    ("label a number", put("period.label", 2026), "period.label:"),
    ("no metrics", drop("metrics"), "metrics: Field required"),
    ("metrics a string", put("metrics", "fast"), "metrics:"),
    ("scopes missing", drop_at("metrics.scopes"), "metrics.scopes: Field required"),
    ("scopes not a list", put("metrics.scopes", {"organization": 1}), "metrics.scopes:"),
    ("a scope is null", put("metrics.scopes.1", None), "metrics.scopes.1:"),
    (
        "headline figure mistyped",
        put("metrics.scopes.0.lead_time_for_changes.median_hours", "fast"),
        "metrics.scopes.0.lead_time_for_changes.median_hours: Input should be a valid number",
    ),
    (
        "headline figure renamed",
        drop_at("metrics.scopes.0.change_failure_rate.value"),
        "metrics.scopes.0.change_failure_rate.value: Field required",
    ),
    (
        "a metric missing",
        drop_at("metrics.scopes.0.deployment_frequency"),
        "metrics.scopes.0.deployment_frequency: Field required",
    ),
    ("warnings not a list", put("metrics.scopes.0.warnings", 3), "metrics.scopes.0.warnings:"),
    ("no organization scope", no_organization, "metrics.scopes: no organization scope"),
    (
        "discipline score mistyped",
        put("assessment.organization.disciplines.devops.median", [62]),
        "assessment.organization.disciplines.devops.median:",
    ),
    ("assessment a list", put("assessment", []), "assessment:"),
    ("no data quality", drop("data_quality"), "data_quality: Field required"),
    ("options not an object", put("data_quality.options", ["x"]), "data_quality.options:"),
    ("generated_at not a time", put("generated_at", "yesterday"), "generated_at:"),
    (
        "a team's headline figure mistyped",
        put("metrics.scopes.4.change_failure_rate.value", "low"),
        "metrics.scopes.4.change_failure_rate.value: Input should be a valid number",
    ),
    (
        "respondent count missing",
        drop_at("assessment.organization.disciplines.devops.respondents"),
        "assessment.organization.disciplines.devops.respondents: Field required",
    ),
    ("roles missing", drop_at("assessment.roles"), "assessment.roles: Field required"),
    ("a role count mistyped", put("assessment.roles.SRE", "two"), "assessment.roles.SRE:"),
]


@pytest.fixture(scope="module")
def valid() -> dict[str, Any]:
    data = previous_data()
    assert org(data) is data["metrics"]["scopes"][0]
    return data


def write_broken(folder: Path, valid: dict[str, Any], edit: Edit) -> Path:
    data = copy.deepcopy(valid)
    edit(data)
    path = folder / "q2.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(("case", "edit", "field"), CASES, ids=[c[0] for c in CASES])
def test_broken_previous_report_names_file_and_field(
    tmp_path: Path, valid: dict[str, Any], case: str, edit: Edit, field: str
) -> None:
    path = write_broken(tmp_path, valid, edit)
    with pytest.raises(ReportError) as caught:
        read_previous(path)
    message = str(caught.value)
    assert message.startswith(f"--compare-with: {path}: "), message
    assert field in message, message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "file not found"),
        ("{not json", "cannot read"),
        (b"\xff\xfe\x00binary", "cannot read"),
        ('{"schema": "x"}', "not an opsmaturity report JSON (schema 'x'"),
        ("[1, 2]", "not an opsmaturity report JSON (schema 'list'"),
        ("null", "not an opsmaturity report JSON"),
        (json.dumps({"schema": SCHEMA}), "period: Field required (and 4 more)"),
    ],
    ids=["missing", "not-json", "binary", "other-schema", "a-list", "null", "only-the-tag"],
)
def test_unreadable_previous_reports(
    tmp_path: Path, content: str | bytes | None, message: str
) -> None:
    path = tmp_path / "prev.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ReportError, match=re.escape(message)):
        read_previous(path)


def test_valid_previous_report_gives_its_headline_figures(
    tmp_path: Path, valid: dict[str, Any]
) -> None:
    path = write_broken(tmp_path, valid, lambda d: None)
    assert read_previous(path) == typed(valid).comparison()


@pytest.fixture()
def files_yaml(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "examples" / "files", tmp_path / "files")
    return Path(shutil.copy(ROOT / "examples" / "files.yaml", tmp_path / "files.yaml"))


@pytest.mark.parametrize(
    ("case", "edit", "field"),
    [CASES[0], CASES[9], CASES[13], CASES[14]],
    ids=[CASES[i][0] for i in (0, 9, 13, 14)],
)
def test_cli_gives_one_line_and_exit_4(
    files_yaml: Path, tmp_path: Path, valid: dict[str, Any], case: str, edit: Edit, field: str
) -> None:
    path = write_broken(tmp_path, valid, edit)
    result = runner.invoke(
        app,
        [
            "report",
            "-c",
            str(files_yaml),
            "--compare-with",
            str(path),
            "--out",
            str(tmp_path / "r.pdf"),
        ],
        terminal_width=400,
    )
    assert result.exit_code == 4, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --compare-with: "), result.output
    assert str(path) in lines[0] and field in lines[0]
    assert "Traceback" not in result.output and not (tmp_path / "r.pdf").exists()
