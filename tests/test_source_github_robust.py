"""GitHubSource robustness: errors, rate limits, 5xx, resume after a kill, incremental
re-runs, and the token never leaving the process."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from opsmaturity.errors import AuthError, NotFound, SourceError
from opsmaturity.records import Deployment, Repository, to_dict
from opsmaturity.sources.base import MemoryCheckpoints, Window
from tests.fakeforge import generate, load_scenario
from tests.fakeforge.github import FakeGitHub
from tests.github_source_helpers import ENV, WINDOW, Recorder, collect, make_source, of_type

BIG_WINDOW = Window(datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 8, 1, tzinfo=UTC))


@pytest.fixture
def small() -> Iterator[FakeGitHub]:
    with FakeGitHub(load_scenario("small"), token="s3cret-token") as server:
        yield server


@pytest.fixture(scope="module")
def generated() -> Iterator[FakeGitHub]:
    scenario = generate(
        7,
        repos=3,
        deployments=12,
        commits=60,
        start=datetime(2026, 7, 1, tzinfo=UTC),
        end=datetime(2026, 8, 1, tzinfo=UTC),
    )
    with FakeGitHub(scenario, token="s3cret-token") as server:
        yield server


def test_bad_token_names_the_env_var_and_scopes(small: FakeGitHub) -> None:
    with pytest.raises(AuthError) as err:
        make_source(small, token="wrong-token").repositories()
    message = str(err.value)
    assert f"${ENV}" in message and "401" in message and "Deployments" in message
    assert "wrong-token" not in message


def test_missing_token_is_an_auth_error(small: FakeGitHub) -> None:
    from opsmaturity.config import GitHubSource as GitHubConfig
    from opsmaturity.sources.github import GitHubSource

    cfg = GitHubConfig(kind="github", org="northwind", base_url=small.api, token_env=ENV)
    with pytest.raises(AuthError, match=f"\\${ENV} is not set"):
        GitHubSource.from_config(cfg, "github", env={})


def test_unknown_org_is_not_found_or_no_access(small: FakeGitHub) -> None:
    with pytest.raises(NotFound, match="'nowhere': not found or no access"):
        make_source(small, org="nowhere").repositories()


def test_primary_rate_limit_waits_for_reset_and_shows_it(small: FakeGitHub) -> None:
    small.faults.add("primary_rate_limit", "deployments", times=1, reset_in=1)
    recorder = Recorder()
    store = collect(make_source(small, recorder=recorder))
    assert len(of_type(store, Deployment)) == 4
    assert len(recorder.waits) == 1 and 1.0 <= recorder.waits[0][0] <= 3.0
    assert "northwind/checkout deployments" in recorder.waits[0][1]
    assert recorder.sleeps[0] == recorder.waits[0][0]


def test_secondary_rate_limit_obeys_retry_after(small: FakeGitHub) -> None:
    small.faults.add("secondary_rate_limit", "org_issues", times=1, retry_after=7, status=429)
    recorder = Recorder()
    collect(make_source(small, recorder=recorder))
    assert [w for w, _ in recorder.waits] == [7.0]


def test_5xx_burst_and_broken_connections_are_retried(small: FakeGitHub) -> None:
    reference = collect(make_source(small))
    small.faults.status(502, times=3, endpoint="commits")
    small.faults.add("connection_reset", "pulls", times=1)
    small.faults.add("truncated_json", "deployment_statuses", times=1)
    small.faults.add("malformed_json", "org_issues", times=1)
    recorder = Recorder()
    assert collect(make_source(small, recorder=recorder)) == reference
    assert len(recorder.sleeps) == 6 and all(0 < s <= 30 for s in recorder.sleeps)


def test_endless_5xx_becomes_a_source_error(small: FakeGitHub) -> None:
    small.faults.status(503, times=100, endpoint="deployments")
    source = make_source(small)
    repo = source.repositories()[0]
    with pytest.raises(SourceError, match="deployments: GitHub answered 503"):
        list(source.deployments(repo, WINDOW))


def _uninterrupted(server: FakeGitHub) -> dict:
    return collect(make_source(server), BIG_WINDOW)


@pytest.mark.parametrize(
    "endpoint, after", [("commits", 1), ("org_issues", 1), ("deployment_statuses", 30)]
)
def test_killed_and_resumed_equals_uninterrupted(
    generated: FakeGitHub, endpoint: str, after: int
) -> None:
    generated.faults.clear()
    expected = collect(make_source(generated, org="acme"), BIG_WINDOW)
    checkpoints, store = MemoryCheckpoints(), {}
    generated.faults.status(500, times=10_000, endpoint=endpoint, after=after)
    with pytest.raises(SourceError):  # the "kill": a run dies part-way
        collect(make_source(generated, org="acme", checkpoints=checkpoints), BIG_WINDOW, store)
    generated.faults.clear()
    assert 0 < len(store) < len(expected)
    generated.log.reset()
    resumed = collect(
        make_source(generated, org="acme", checkpoints=checkpoints), BIG_WINDOW, store
    )
    assert resumed == expected
    assert generated.log.not_modified >= 1  # finished repositories were not refetched


def test_no_change_rerun_costs_one_request_per_repo(generated: FakeGitHub) -> None:
    generated.faults.clear()
    checkpoints = MemoryCheckpoints()
    first = collect(make_source(generated, org="acme", checkpoints=checkpoints), BIG_WINDOW)
    generated.log.reset()
    again = collect(make_source(generated, org="acme", checkpoints=checkpoints), BIG_WINDOW)
    repos = len(generated.scenario.repos)
    # One org listing and one organization-wide incident query, then per repository
    # the deployments list: all 304s.
    assert generated.log.total == 2 + repos
    assert generated.log.count("org_issues") == 1
    assert generated.log.not_modified == generated.log.total
    # Nothing changed, so nothing but the repositories is yielded again; the store keeps
    # what the first run wrote.
    assert again == {k: v for k, v in first.items() if isinstance(v, Repository)}


def test_the_token_never_appears_anywhere(
    small: FakeGitHub, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    small.faults.add("primary_rate_limit", "deployments", times=1, reset_in=0)
    small.faults.status(502, times=1, endpoint="org_issues")
    checkpoints = MemoryCheckpoints()
    store = collect(make_source(small, checkpoints=checkpoints))
    errors = []
    for token in ("wrong-token", "s3cret-token"):
        try:
            make_source(small, token=token, org="nowhere").repositories()
        except (AuthError, NotFound) as exc:
            errors.append(str(exc))
    outputs = [
        caplog.text,
        *errors,
        json.dumps([to_dict(r) for r in store.values()]),
        json.dumps({str(k): v for k, v in checkpoints._data.items()}),
    ]
    assert len(errors) == 2 and store
    for text in outputs:
        assert "s3cret-token" not in text and "wrong-token" not in text
