"""The whole CLI against the fake forges: config → collect → store → metrics → report.

Real PyGithub / python-gitlab over real HTTP; the token must not reach any output,
the store or the report.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opsmaturity.cli import app
from tests.fakeforge import load_scenario
from tests.fakeforge.github import FakeGitHub
from tests.fakeforge.gitlab import FakeGitLab
from tests.fakeforge.gitlab_scenarios import northwind

from .conftest import write

runner = CliRunner()
TOKEN = "glpat-TOPSECRET-pipeline-77"


def _config(tmp_path: Path, source: str) -> Path:
    return write(
        tmp_path / "org.yaml",
        f"""\
organization: {{name: Northwind, engineers: 25}}
period: {{quarter: 2026Q3}}
sources:
{source}
teams:
  Checkout: {{repositories: ["northwind/checkout"]}}
""",
    )


def _everything_written(tmp_path: Path) -> str:
    return "".join(p.read_bytes().decode("latin-1") for p in tmp_path.rglob("*") if p.is_file())


def test_gitlab_collect_metrics_and_report_with_cross_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NW_GITLAB", TOKEN)
    with FakeGitLab(northwind(), token=TOKEN) as fake:
        config = _config(
            tmp_path,
            f"  - {{kind: gitlab, base_url: '{fake.url}', token_env: NW_GITLAB, group: northwind}}",
        )
        collected = runner.invoke(app, ["collect", "-c", str(config)], env={"COLUMNS": "200"})
        assert collected.exit_code == 0, collected.output
    metrics = runner.invoke(app, ["metrics", "-c", str(config), "--format", "json"])
    assert metrics.exit_code == 0, metrics.output
    scopes = {(s["scope"], s["name"]): s for s in json.loads(metrics.output)["scopes"]}
    checkout = scopes[("repository", "northwind/checkout")]
    # gitlab_scenarios.northwind: D1, D3 and D4 succeed in production in 2026Q3
    assert checkout["deployment_frequency"]["deployments"] == 3
    out = tmp_path / "report" / "northwind.pdf"
    report = runner.invoke(app, ["report", "-c", str(config), "--out", str(out)])
    assert report.exit_code == 0, report.output
    data = json.loads(out.with_suffix(".json").read_text())
    check = data["cross_check"]["metrics"]
    assert check["change_failure_rate"]["gitlab"] is not None
    assert "Cross-check with GitLab" in out.with_suffix(".html").read_text()
    for output in (collected.output, metrics.output, report.output, _everything_written(tmp_path)):
        assert TOKEN not in output


def test_github_collect_then_metrics(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    token = "ghp_PIPELINEsecret000111"
    monkeypatch.setenv("NW_GITHUB", token)
    scenario = load_scenario("small")
    with FakeGitHub(scenario, token=token) as fake:
        org = scenario.orgs[0].name
        config = _config(
            tmp_path,
            f"  - {{kind: github, base_url: '{fake.url}', token_env: NW_GITHUB, org: {org}}}",
        )
        collected = runner.invoke(app, ["collect", "-c", str(config)], env={"COLUMNS": "200"})
        assert collected.exit_code == 0, collected.output
        requests_first = fake.log.count()
        again = runner.invoke(app, ["collect", "-c", str(config)], env={"COLUMNS": "200"})
        assert again.exit_code == 0, again.output
        assert fake.log.count() - requests_first < requests_first  # incremental re-run
        assert "Packed the records" in collected.output
        assert "Packed the records" not in again.output  # nothing changed: nothing to repack
    metrics = runner.invoke(app, ["metrics", "-c", str(config), "--format", "json"])
    assert metrics.exit_code == 0, metrics.output
    org_scope = next(
        s for s in json.loads(metrics.output)["scopes"] if s["scope"] == "organization"
    )
    assert org_scope["deployment_frequency"]["deployments"] >= 1
    for output in (collected.output, again.output, metrics.output, _everything_written(tmp_path)):
        assert token not in output


def test_github_bad_token_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NW_GITHUB", "ghp_wrong")
    with FakeGitHub(load_scenario("small"), token="ghp_right") as fake:
        config = _config(
            tmp_path,
            f"  - {{kind: github, base_url: '{fake.url}', token_env: NW_GITHUB, org: acme}}",
        )
        result = runner.invoke(app, ["collect", "-c", str(config)], env={"COLUMNS": "300"})
    assert result.exit_code == 5
    assert "NW_GITHUB" in result.output and "ghp_wrong" not in result.output
