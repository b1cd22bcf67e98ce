"""GitLabSource robustness: rate limits, 5xx, errors without tokens, paging beyond 10,000,
incremental re-runs, killed-and-resumed runs, and GitLab's DORA API cross-check."""

from __future__ import annotations

import logging
import time

import pytest

from opsmaturity.config import GitLabSource as GitLabConfig
from opsmaturity.config import IncidentDetection, MetricsOptions
from opsmaturity.errors import AuthError, NotFound, OpsMaturityError, SourceError
from opsmaturity.period import Period
from opsmaturity.records import Change, Deployment, Incident, Repository
from opsmaturity.sources.base import MemoryCheckpoints, NullProgress, Window
from opsmaturity.sources.gitlab import GitLabSource
from tests.fakeforge.gitlab import FakeGitLab
from tests.fakeforge.gitlab_scenarios import (
    at,
    billing,
    checkout_builder,
    legacy,
    many_issues,
    northwind,
)
from tests.fakeforge.scenario import Org, Scenario
from tests.gitlab_helpers import TOKEN, Store, Waits, collect, make_source, of_kind

Q3 = Period.quarter("2026Q3")


# -- rate limits and transient errors ------------------------------------------------------
def test_429_retry_after_is_obeyed_and_shown_as_a_wait(fake: FakeGitLab) -> None:
    expected = collect(make_source(fake), {})
    fake.log.reset()
    fake.faults.add("retry_after", "deployments", times=1, retry_after=1)
    source, waits = make_source(fake), Waits()
    source.open(waits, MemoryCheckpoints())
    assert collect(source, {}) == expected
    assert waits.waits == [(1.0, "GitLab rate limit (429), waiting 1 s")]
    assert fake.log.count(status=429) == 1


def test_429_without_retry_after_waits_for_ratelimit_reset(fake: FakeGitLab) -> None:
    fake.faults.add("primary_rate_limit", "environments", times=1, reset_in=1)
    source, waits = make_source(fake), Waits()
    source.open(waits, MemoryCheckpoints())
    collect(source, {})
    assert [reason for _, reason in waits.waits] == [
        "GitLab rate limit (429), waiting until RateLimit-Reset s"
    ]


def test_5xx_burst_is_retried_with_backoff(fake: FakeGitLab) -> None:
    expected = collect(make_source(fake), {})
    fake.faults.status(502, times=2, endpoint="commits")
    fake.faults.add("connection_reset", "merge_requests", times=1)
    source, waits = make_source(fake), Waits()
    source.open(waits, MemoryCheckpoints())
    assert collect(source, {}) == expected
    assert len(waits.waits) == 2 and "502" in waits.waits[0][1]


def test_persistent_5xx_becomes_a_source_error(fake: FakeGitLab) -> None:
    fake.faults.status(500, times=None, endpoint="group_issues")  # type: ignore[arg-type]
    with pytest.raises(SourceError, match=r"failed on incidents \(HTTP 500\)"):
        collect(make_source(fake, max_retries=1), {})


def test_malformed_json_is_retried_then_becomes_a_source_error(fake: FakeGitLab) -> None:
    fake.faults.add("malformed_json", "group_projects", times=1)
    assert make_source(fake).repositories()  # one HTML page is retried like a 5xx
    fake.faults.add("malformed_json", "group_projects", times=None)
    with pytest.raises(
        SourceError, match=r"projects of group .*unreadable answer \(cut or not JSON\)"
    ):
        make_source(fake, max_retries=1).repositories()


# -- clear errors, never a token -------------------------------------------------------------
def test_bad_token_names_the_env_var_and_scope_not_the_token(
    fake: FakeGitLab, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    cfg = GitLabConfig(kind="gitlab", base_url=fake.url, group="northwind", token_env="GL_RO")
    source = GitLabSource.from_config(cfg, "gitlab", env={"GL_RO": "glpat-WRONG-secret"})
    with pytest.raises(AuthError) as err:
        source.repositories()
    message = str(err.value)
    assert "$GL_RO" in message and "read_api" in message and "401" in message
    out = capsys.readouterr()
    for text in (message, repr(err.value), caplog.text, out.out, out.err):
        assert "glpat-WRONG-secret" not in text


def test_missing_token_env_var_is_an_auth_error(fake: FakeGitLab) -> None:
    cfg = GitLabConfig(kind="gitlab", base_url=fake.url, group="northwind")
    with pytest.raises(AuthError, match=r"\$GITLAB_TOKEN is not set.*read_api"):
        GitLabSource.from_config(cfg, "gitlab", env={})


def test_403_and_404_are_clear(fake: FakeGitLab) -> None:
    fake.faults.status(403, times=1, endpoint="group_projects")
    with pytest.raises(AuthError, match=r"403.*\$GITLAB_TOKEN.*read_api.*Reporter"):
        make_source(fake).repositories()
    with pytest.raises(NotFound, match=r"projects of group nowhere not found.*\$GITLAB_TOKEN"):
        make_source(fake, group="nowhere").repositories()
    for error in (AuthError, NotFound):
        assert issubclass(error, OpsMaturityError)


# -- paging beyond GitLab's count limit -------------------------------------------------------
def test_incidents_page_beyond_10000_without_totals() -> None:
    with FakeGitLab(many_issues(10_050, incident=True), TOKEN) as server:
        source = make_source(server, group="bulk", incidents=IncidentDetection(labels=[]))
        repo = source.repositories()[0]
        window = Window(at(1, 1), at(12, 1))
        incidents = list(source.incidents(repo, window))
        assert len(incidents) == len({i.id for i in incidents}) == 10_050
        issues = [e for e in server.log.entries if e.endpoint == "gitlab.group_issues"]
        assert len(issues) == 101 + 1  # 10,050 updated in the window + 1 page opened before it


# -- incremental sync and resume ------------------------------------------------------------
def test_no_change_rerun_asks_only_for_what_changed(fake: FakeGitLab) -> None:
    source = make_source(fake)
    first = collect(source, {})
    fake.log.reset()
    assert collect(source, dict(first)) == first
    by = fake.log.by_endpoint()
    assert by == {
        "gitlab.group_projects": 1,
        "gitlab.deployments": 1,  # checkout: production, since the high-water mark
        "gitlab.releases": 1,  # billing: releases are re-read (short list), none new
        "gitlab.group_issues": 2,  # incident type + label "incident", for the whole group
    }


def test_incremental_run_picks_up_new_deployments_like_a_full_run() -> None:
    b = checkout_builder()
    scenario = Scenario([Org("northwind", 1, [b.repo, billing(), legacy()])])
    with FakeGitLab(scenario, TOKEN) as server:
        source = make_source(server)
        store = collect(source, {})
        b.pull("Late fix", at(8, 3, 9), at(8, 3, 11), commits=1)
        b.deploy(at(8, 4, 9))
        b.issue("Late outage", at(8, 4, 10), at(8, 4, 12), incident=True)
        server.log.reset()
        collect(source, store)
        assert server.log.count("commits") == 1  # the history, for the new deployment only
        assert server.log.count("deployment_merge_requests") == 0
        assert store == collect(make_source(server), {})


@pytest.mark.parametrize(
    ("endpoint", "after"),
    [
        ("commits", 1),
        ("merge_requests", 0),
        ("group_issues", 1),
        ("merge_request_commits", 0),
        ("deployments", 1),
    ],
)
def test_killed_and_resumed_equals_uninterrupted(endpoint: str, after: int) -> None:
    with FakeGitLab(northwind(), TOKEN) as server:
        uninterrupted = collect(make_source(server), {})
        checkpoints, store = MemoryCheckpoints(), {}
        killed = make_source(server, max_retries=0)
        killed.open(NullProgress(), checkpoints)
        server.faults.status(500, times=None, after=after, endpoint=endpoint)  # type: ignore[arg-type]
        with pytest.raises(SourceError):
            collect(killed, store)
        assert store != uninterrupted  # the kill really lost something
        server.faults.clear()
        resumed = make_source(server)
        resumed.open(NullProgress(), checkpoints)
        assert collect(resumed, store) == uninterrupted


# -- GitLab's DORA API cross-check ---------------------------------------------------------
def test_dora_metrics_from_gitlab_for_the_group(fake: FakeGitLab) -> None:
    figures = make_source(fake).dora_metrics(Q3)
    assert figures == {
        "scope": "group:northwind",
        "start_date": "2026-07-01",
        "end_date": "2026-09-30",
        "deployment_frequency": 3,
        "deployment_frequency_per_day": 3 / 92,
        "lead_time_for_changes": 86_700.0,
        "time_to_restore_service": 7_200.0,
        "change_failure_rate": pytest.approx(1 / 3),
    }
    project = make_source(fake).dora_metrics(Q3, project="northwind/checkout")
    assert project is not None and project["scope"] == "project:northwind/checkout"


@pytest.mark.parametrize("status", [403, 404])
def test_dora_api_absent_is_said_once(status: int) -> None:
    with FakeGitLab(northwind(), TOKEN, dora_status=status) as server:
        source = make_source(server)
        assert source.dora_metrics(Q3) is None
        assert source.dora_metrics(Q3) is None
        assert [n.resource for n in source.notes()] == ["dora_api"]
        assert (
            f"({status}:" in source.notes()[0].message and "Ultimate" in source.notes()[0].message
        )
        assert server.log.count("group_dora") == 2  # one try per call, then given up


def test_our_metrics_with_gitlab_definitions_agree_with_gitlabs_api(fake: FakeGitLab) -> None:
    """GitLab's definitions on our side — lead time from merge, failures from incidents
    only, incidents of type incident only — give GitLab's figures."""
    from opsmaturity.metrics import engine

    gitlab_incidents = IncidentDetection(labels=[])
    store: Store = collect(make_source(fake, include=["checkout"], incidents=gitlab_incidents), {})
    gitlab = make_source(fake).dora_metrics(Q3, project="northwind/checkout")
    assert gitlab is not None
    options = MetricsOptions(lead_time_start="merge", failure_rules=["incident"])
    report = engine.compute_metrics(
        repositories=of_kind(store, Repository),
        deployments=of_kind(store, Deployment),
        changes=of_kind(store, Change),
        incidents=of_kind(store, Incident),
        teams={},
        period=Q3,
        options=options,
    )
    ours = report.scope("repository", "northwind/checkout")
    assert ours.deployment_frequency.deployments == gitlab["deployment_frequency"]
    assert ours.deployment_frequency.per_day == pytest.approx(
        gitlab["deployment_frequency_per_day"]
    )
    assert ours.lead_time_for_changes.median_hours == pytest.approx(
        gitlab["lead_time_for_changes"] / 3600
    )
    assert ours.change_failure_rate.value == pytest.approx(gitlab["change_failure_rate"])
    assert ours.incident_mttr.median_hours == pytest.approx(
        gitlab["time_to_restore_service"] / 3600
    )


def test_dora_metrics_for_explicit_projects(fake: FakeGitLab) -> None:
    one = make_source(fake, group=None, projects=["northwind/checkout"]).dora_metrics(Q3)
    assert one is not None and one["scope"] == "project:northwind/checkout"
    two = make_source(fake, group=None, projects=["northwind/checkout", "northwind/legacy"])
    assert two.dora_metrics(Q3) is None
    assert two.dora_metrics(Q3, project="northwind/legacy") is not None
    assert make_source(fake, dora_api=False).dora_metrics(Q3) is None


def test_seconds_between_requests_paces_the_client(fake: FakeGitLab) -> None:
    cfg = GitLabConfig(
        kind="gitlab", base_url=fake.url, group="northwind", seconds_between_requests=0.1
    )
    source = GitLabSource.from_config(cfg, "gitlab", env={"GITLAB_TOKEN": TOKEN})
    started = time.perf_counter()
    source.repositories()
    source.repositories()
    assert time.perf_counter() - started >= 0.2
