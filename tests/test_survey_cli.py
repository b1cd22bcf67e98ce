"""survey invite / export and report from the store, through the CLI."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opsmaturity.cli import app
from opsmaturity.config import load_config
from opsmaturity.practices.answers import Answer, read_answers
from opsmaturity.survey.storage import SurveyStore

from .conftest import ROOT

runner = CliRunner()
NOW = datetime(2026, 12, 4, tzinfo=UTC)


@pytest.fixture()
def demo_yaml(tmp_path: Path) -> Path:
    return Path(shutil.copy(ROOT / "examples" / "demo.yaml", tmp_path / "demo.yaml"))


def test_invite_prints_personal_links_with_preset_team(demo_yaml: Path) -> None:
    args = [
        "survey",
        "invite",
        "-c",
        str(demo_yaml),
        "--count",
        "3",
        "--team",
        "checkout",
        "--role",
        "SRE",
        "--base-url",
        "https://survey.example/",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    links = result.output.split()
    assert len(links) == 3 and len(set(links)) == 3
    assert all(link.startswith("https://survey.example/r/") and len(link) > 50 for link in links)
    with SurveyStore(load_config(demo_yaml).store_path) as store:
        assert [(r.team, r.role) for r in store.respondents()] == [("Checkout", "SRE")] * 3
        token = links[0].rsplit("/", 1)[1]
        assert store.respondent(token) is not None
        assert token not in store.path.read_bytes().decode("latin-1")  # only its hash is kept


def test_invite_with_an_unknown_team_names_the_closest(demo_yaml: Path) -> None:
    result = runner.invoke(
        app, ["survey", "invite", "-c", str(demo_yaml), "--team", "Catalogue"], terminal_width=300
    )
    assert result.exit_code == 2
    assert (
        "--team: 'Catalogue' is not a team of Northwind Retail; did you mean 'Catalog'?"
        in result.output
    )


def fill_store(config: Path) -> None:
    with SurveyStore(load_config(config).store_path) as store:
        ana = store.respondent(store.invite(NOW, team="Checkout"))
        bo = store.respondent(store.invite(NOW))
        store.invite(NOW)  # never opened: not a response
        assert ana is not None and bo is not None
        store.set_details(
            ana.id, NOW, name="Ana", team="Checkout", role="Developer", disciplines=["devops"]
        )
        store.save_answers(
            ana.id,
            {"devops.ci.build_on_commit": Answer(3.0), "devops.ci.tests_on_commit": Answer(None)},
            NOW,
        )
        store.set_details(bo.id, NOW, name=None, team=None, role="SRE", disciplines=["sre"])
        store.save_answers(bo.id, {"sre.slo.defined": Answer(2.0)}, NOW)


@pytest.mark.parametrize("fmt", ["yaml", "csv"])
def test_export_writes_answers_that_import_back(demo_yaml: Path, tmp_path: Path, fmt: str) -> None:
    fill_store(demo_yaml)
    out = tmp_path / ("answers" if fmt == "yaml" else "answers.csv")
    result = runner.invoke(
        app, ["survey", "export", "-c", str(demo_yaml), "--format", fmt, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    responses = read_answers([out]).responses
    assert [(r.respondent, r.team, r.role) for r in responses] == [
        ("Ana", "Checkout", "Developer"),
        ("respondent 2", None, "SRE"),
    ]
    assert responses[0].answers == {
        "devops.ci.build_on_commit": Answer(3.0),
        "devops.ci.tests_on_commit": Answer(None),
    }
    assert responses[1].disciplines == ("sre",)


def test_report_uses_the_stored_answers_without_answers_files(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples" / "files", tmp_path / "files")
    config = Path(shutil.copy(ROOT / "examples" / "files.yaml", tmp_path / "files.yaml"))
    fill_store(config)
    out = tmp_path / "r.pdf"
    result = runner.invoke(
        app, ["report", "-c", str(config), "--out", str(out)], terminal_width=300
    )
    assert result.exit_code == 0, result.output
    assert "using the answers of 2 survey respondents" in result.output
    report = json.loads(out.with_suffix(".json").read_text())
    assert report["assessment"]["organization"]["respondents"] == 2
    assert set(report["assessment"]["teams"]) == {"Checkout"}


def test_serve_prints_a_working_admin_link_and_warns_on_all_interfaces(
    demo_yaml: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import re

    import uvicorn
    from starlette.testclient import TestClient

    served: dict[str, object] = {}

    def run(web: object, **options: object) -> None:
        """Stands in for the server loop: requests the pages while the store is open."""
        client = TestClient(web)  # type: ignore[arg-type]
        admin = re.search(r"/admin/[\w-]+", served["printed"]()).group(0)  # type: ignore[operator, union-attr]
        served.update(
            options,
            admin=client.get(admin).status_code,
            guessed=client.get("/admin/guessed").status_code,
        )

    monkeypatch.setattr(uvicorn, "run", run)
    outputs: list[str] = []
    served["printed"] = lambda: "".join(outputs)
    import opsmaturity.cli as cli_module

    monkeypatch.setattr(cli_module, "_out", lambda: _Recorder(outputs))
    result = runner.invoke(
        app,
        ["survey", "serve", "-c", str(demo_yaml), "--host", "0.0.0.0", "--port", "8099"],
        terminal_width=400,
    )
    assert result.exit_code == 0, result.output
    assert "WARNING: listening on ALL network interfaces (0.0.0.0)" in result.output
    assert (served["host"], served["port"], served["access_log"]) == ("0.0.0.0", 8099, False)
    printed = "".join(outputs)
    assert re.search(
        r"Consultant page \(keep it private\): http://127\.0\.0\.1:8099/admin/\S+", printed
    )
    assert "Open link: off" in printed
    assert (served["admin"], served["guessed"]) == (200, 403)


class _Recorder:
    """A console that keeps what is printed (the link must be read before the server runs)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def print(self, text: object, **_options: object) -> None:
        self.lines.append(f"{text}\n")


def test_serve_on_localhost_does_not_warn(demo_yaml: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda app, **options: None)
    result = runner.invoke(
        app, ["survey", "serve", "-c", str(demo_yaml), "--open-link"], terminal_width=400
    )
    assert result.exit_code == 0 and "WARNING" not in result.output
    assert (
        "Open link: http://127.0.0.1:8080/ (at most 10 new responses per minute from one address)\n"
        in result.output
    )


def test_quick_summary_for_the_terminal() -> None:
    from opsmaturity.practices.questionnaire import load_questionnaires
    from opsmaturity.survey.quick import quick_result, summary_text

    answers = {"dora.throughput.deployment_frequency": Answer(5.0), "sre.slo.defined": Answer(1.0)}
    text = summary_text(quick_result(load_questionnaires(), answers))
    assert (
        "deployment frequency               Elite       (On demand (multiple deploys per day))"
        in text
    )
    assert "  1. SRE: " in text and "CC BY 4.0" in text
