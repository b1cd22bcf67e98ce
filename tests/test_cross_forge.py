"""One history, one answer: the same commits, pull/merge requests, deployments and
incidents served by the fake GitHub and by the fake GitLab give the same records and
the same metrics JSON, scope by scope and metric by metric (issue #12).

The metrics JSON holds nothing forge-specific: it is compared whole. What legitimately
differs lives elsewhere and is listed in :data:`FORGE_SPECIFIC`: GitLab's own DORA API
figures (stored as the ``forge_dora`` document, shown as the report's ``cross_check``),
which GitHub has no counterpart for; the wording of collection notes (``deployments
detected via …``); and each repository's web URL.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from opsmaturity.cli import app
from opsmaturity.records import Change
from tests import github_source_helpers as gh
from tests import gitlab_helpers as gl
from tests.fakeforge.cross_scenarios import BOT_PULLS, at, dependabot_quarter
from tests.fakeforge.github import FakeGitHub
from tests.fakeforge.gitlab import FakeGitLab

from .conftest import write

runner = CliRunner()
TOKEN = "cross-forge-token-123"

#: Report/store fields that legitimately differ between forges; none is in the metrics JSON.
FORGE_SPECIFIC = frozenset({"cross_check", "forge_dora", "notes", "url"})


def _metrics_json(tmp_path: Path, source_line: str) -> dict[str, Any]:
    config = write(
        tmp_path / "org.yaml",
        f"""\
organization: {{name: Northwind, engineers: 12}}
period: {{quarter: 2026Q3}}
sources:
{source_line}
teams:
  Web: {{repositories: ["northwind/storefront"]}}
  Money: {{repositories: ["northwind/payments", "northwind/storefront"]}}
""",
    )
    collected = runner.invoke(app, ["collect", "-c", str(config)], env={"COLUMNS": "200"})
    assert collected.exit_code == 0, collected.output
    result = runner.invoke(app, ["metrics", "-c", str(config), "--format", "json"])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.output))


def _keys(value: Any) -> set[str]:
    """Every key at any depth of a JSON value."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    mp = pytest.MonkeyPatch()
    mp.setenv("CROSS_TOKEN", TOKEN)
    try:
        with FakeGitHub(dependabot_quarter(), token=TOKEN) as hub:
            github = _metrics_json(
                tmp_path_factory.mktemp("github"),
                f"  - {{kind: github, base_url: '{hub.url}', token_env: CROSS_TOKEN, org: northwind}}",
            )
        with FakeGitLab(dependabot_quarter(), token=TOKEN) as lab:
            gitlab = _metrics_json(
                tmp_path_factory.mktemp("gitlab"),
                f"  - {{kind: gitlab, base_url: '{lab.url}', token_env: CROSS_TOKEN, "
                "group: northwind}",
            )
    finally:
        mp.undo()
    return github, gitlab


def _scopes(doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(s["scope"], s["name"]): s for s in doc["scopes"]}


def test_every_scope_and_metric_is_the_same_on_both_forges(
    both: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    assert not FORGE_SPECIFIC & _keys(both[0]) and not FORGE_SPECIFIC & _keys(both[1])
    github, gitlab = (_scopes(doc) for doc in both)
    assert set(github) == set(gitlab)
    assert {"organization", "team", "repository"} <= {scope for scope, _ in github}
    for key, scope in github.items():
        for metric, figures in scope.items():
            assert figures == gitlab[key][metric], (key, metric)
    # the completeness section names its source (github, gitlab); both must be complete
    assert all(doc["completeness"]["complete"] for doc in both)
    assert {**both[0], "completeness": None} == {**both[1], "completeness": None}


def test_the_history_is_not_trivial(both: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """Guards the comparison above: every metric has data on both forges."""
    org = next(s for s in both[0]["scopes"] if s["scope"] == "organization")
    assert org["deployment_frequency"]["deployments"] == 10
    assert org["lead_time_for_changes"]["n"] > 10
    assert org["change_failure_rate"]["failed"] >= 2
    assert org["failed_deployment_recovery_time"]["n"] >= 2


def _bot_flags(changes: list[Change]) -> dict[str, bool]:
    return {c.sha: c.is_bot for c in changes}


def _expected_bot_shas() -> set[str]:
    scenario = dependabot_quarter()
    shas: set[str] = set()
    for repo in scenario.orgs[0].repos:
        bot_pulls = [p for p in repo.pulls if p.author.is_bot]
        assert len(bot_pulls) == BOT_PULLS[repo.full_name]
        shas |= {s for p in bot_pulls for s in (*p.commits, *p.landed)}
    return shas


def test_bot_pull_requests_are_bot_work_with_their_merge_commits_on_github() -> None:
    """Regression (issue #12): GitHub left a bot PR's merge commit as human work."""
    window = gh.Window(at(6, 1), at(10, 1))
    with FakeGitHub(dependabot_quarter()) as server:
        changes = list(gh.of_type(gh.collect(gh.make_source(server), window), Change).values())
    flags = _bot_flags(changes)
    expected = _expected_bot_shas() & set(flags)
    assert len(expected) >= 6  # 4 PR commits (squash: the squash commit) + 2 merge commits
    assert {sha for sha, bot in flags.items() if bot} == expected


def test_bot_merge_requests_are_bot_work_with_their_merge_commits_on_gitlab() -> None:
    with FakeGitLab(dependabot_quarter(), token=gl.TOKEN) as fake:
        store = gl.collect(gl.make_source(fake), {}, gl.Window(at(6, 1), at(10, 1)))
    flags = _bot_flags(gl.of_kind(store, Change))
    assert {sha for sha, bot in flags.items() if bot} == _expected_bot_shas() & set(flags)
