"""The source contract (``sources/base.py``): one signature per method on every source,
no method relying on what an earlier one left behind, checkpoints written with the records
they vouch for, and the optional capabilities as real methods with defaults."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from opsmaturity.demo.source import DemoSource
from opsmaturity.period import Period
from opsmaturity.records import Deployment, record_key
from opsmaturity.sources.base import ForgeDora, MemoryCheckpoints, NullProgress, Source, Window
from opsmaturity.sources.files import FilesSource
from opsmaturity.sources.github import GitHubSource
from opsmaturity.sources.gitlab import GitLabSource
from tests import github_source_helpers as gh
from tests import gitlab_helpers as gl
from tests.fakeforge import generate
from tests.fakeforge.github import FakeGitHub
from tests.fakeforge.gitlab import FakeGitLab
from tests.fakeforge.gitlab_scenarios import northwind

WINDOW = Window(datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 8, 1, tzinfo=UTC))
CONTRACT = ("open", "repositories", "deployments", "changes", "incidents", "forge_dora", "notes")


@pytest.mark.parametrize("cls", [GitHubSource, GitLabSource, DemoSource, FilesSource])
@pytest.mark.parametrize("method", CONTRACT)
def test_every_source_takes_the_contracts_arguments(cls: type[Source], method: str) -> None:
    ours = list(inspect.signature(getattr(cls, method)).parameters)
    assert ours == list(inspect.signature(getattr(Source, method)).parameters)


@pytest.fixture(scope="module")
def hub() -> Iterator[FakeGitHub]:
    scenario = generate(3, repos=2, deployments=8, commits=40, start=WINDOW.since, end=WINDOW.until)
    with FakeGitHub(scenario) as server:
        yield server


def test_github_changes_need_nothing_from_an_earlier_call(hub: FakeGitHub) -> None:
    """``changes`` gets the window; a fresh source gives what the source that listed the
    deployments gives."""
    first = gh.make_source(hub, org="acme")
    for repo in first.repositories():
        deployments = [d for d in first.deployments(repo, WINDOW) if isinstance(d, Deployment)]
        assert deployments
        listed = {record_key(r): r for r in first.changes(repo, WINDOW, deployments)}
        fresh = gh.make_source(hub, org="acme")
        assert {record_key(r): r for r in fresh.changes(repo, WINDOW, deployments)} == listed


def test_github_deployments_checkpoint_is_set_with_the_changes_not_before(hub: FakeGitHub) -> None:
    checkpoints = MemoryCheckpoints()
    source = gh.make_source(hub, org="acme", checkpoints=checkpoints)
    repo = source.repositories()[0]
    deployments = [d for d in source.deployments(repo, WINDOW) if isinstance(d, Deployment)]
    assert checkpoints.get(repo.full_name, "deployments") is None
    changes = source.changes(repo, WINDOW, deployments)
    next(iter(changes))
    assert checkpoints.get(repo.full_name, "deployments") is None  # not before the last one
    list(changes)
    assert checkpoints.get(repo.full_name, "deployments") is not None
    # incidents: one organization-wide query; its checkpoint only once every repository
    # in scope has taken its share (a repository that failed leaves it unset)
    repos = source.repositories()
    list(source.incidents(repos[0], WINDOW))
    assert checkpoints.get("*", "incidents") is None
    for other in repos[1:]:
        list(source.incidents(other, WINDOW))
    assert checkpoints.get("*", "incidents") is not None


def test_gitlab_forge_dora_is_in_our_units() -> None:
    """gitlab_scenarios.northwind in 2026Q3: 3 deployments in 92 days, lead time 86,700 s,
    time to restore 7,200 s, change failure rate 1 / 3 (see test_source_gitlab_sync)."""
    with FakeGitLab(northwind(), token=gl.TOKEN) as fake:
        figures = gl.make_source(fake).forge_dora(Period.quarter("2026Q3"))
    assert figures == ForgeDora(
        scope="group:northwind",
        start=date(2026, 7, 1),
        end=date(2026, 9, 30),
        deployments_per_week=pytest.approx(3 / 92 * 7),
        lead_time_hours=pytest.approx(86_700 / 3600),
        change_failure_rate=pytest.approx(1 / 3),
        recovery_hours=2.0,
    )
    assert figures is not None and figures.document()["metrics"] == {
        "deployment_frequency": figures.deployments_per_week,
        "lead_time_for_changes": figures.lead_time_hours,
        "change_failure_rate": figures.change_failure_rate,
        "failed_deployment_recovery_time": 2.0,
    }


def test_optional_capabilities_default_to_nothing() -> None:
    source = DemoSource()
    assert source.forge_dora(Period.quarter("2026Q3")) is None
    assert source.notes() == []


def test_progress_is_passed_in_and_reaches_the_api_client(hub: FakeGitHub) -> None:
    source = gh.make_source(hub, org="acme")
    recorder = gh.Recorder()
    source.open(recorder, MemoryCheckpoints())
    assert source.progress is recorder and source.api.progress is recorder
    source.open(NullProgress(), MemoryCheckpoints())
    assert source.api.progress is source.progress
