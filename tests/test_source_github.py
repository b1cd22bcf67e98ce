"""GitHubSource with the real PyGithub against FakeGitHub: detection, changes, incidents."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from opsmaturity.records import Change, CollectionNote, Deployment, Incident
from opsmaturity.sources.base import Window
from tests.fakeforge import Org, RepoBuilder, Scenario, fake_sha, generate, load_scenario
from tests.fakeforge.github import FakeGitHub
from tests.github_source_helpers import WINDOW, collect, make_source, of_type


def z(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.fixture(scope="module")
def small() -> Iterator[FakeGitHub]:
    with FakeGitHub(load_scenario("small"), token="s3cret-token") as server:
        yield server


def deployments_of(store: dict, repo: str = "northwind/checkout") -> list[Deployment]:
    found = [d for d in of_type(store, Deployment).values() if d.repository == repo]
    return sorted(found, key=lambda d: d.finished_at)


def test_repositories_skip_archived_and_subgroups(small: FakeGitHub) -> None:
    source = make_source(small)
    assert [r.full_name for r in source.repositories()] == ["northwind/checkout"]
    everything = make_source(small, include_archived=True, exclude=["leg*"])
    assert [r.full_name for r in everything.repositories()] == ["northwind/checkout"]
    listed = make_source(small, repositories=["northwind/legacy"], include_archived=True)
    assert [(r.full_name, r.archived) for r in listed.repositories()] == [
        ("northwind/legacy", True)
    ]


def test_deployments_api_counts_inactive_successes_and_keeps_failures(small: FakeGitHub) -> None:
    store = collect(make_source(small, deployments={"method": "deployments"}))
    got = [(d.id, d.status.value, d.finished_at, d.environment) for d in deployments_of(store)]
    assert got == [
        ("1001", "success", z("2026-07-02T09:05:00+00:00"), "production"),  # the base, before
        ("1003", "success", z("2026-07-04T10:05:00+00:00"), "production"),  # inactive later
        ("1004", "failure", z("2026-07-05T02:10:00+00:00"), "production"),
        ("1005", "success", z("2026-07-07T13:05:00+00:00"), "production"),
    ]


def test_changes_follow_compare_and_resolve_squash_and_rebase(small: FakeGitHub) -> None:
    store = collect(make_source(small))
    by_id = {d.id: d for d in deployments_of(store)}
    assert by_id["1003"].change_shas == (fake_sha("s1"),)
    assert by_id["1005"].change_shas == (fake_sha("c5"), fake_sha("r1"), fake_sha("r2"))
    changes = {c.sha: c for c in of_type(store, Change).values()}
    assert set(changes) == {fake_sha(x) for x in ("s1", "c5", "r1", "r2")}
    squash = changes[fake_sha("s1")]
    assert (squash.pr_number, squash.pr_labels, squash.author) == (2, ("bug",), "linus")
    assert squash.authored_at == z("2026-07-03T04:30:00+00:00")  # +05:30 in the git data
    assert squash.committed_at == z("2026-07-04T09:00:00+00:00")
    assert squash.pr_first_commit_at == z("2026-07-03T04:30:00+00:00")  # from the PR's commits
    assert squash.pr_merged_at == z("2026-07-04T09:00:00+00:00")
    for label in ("r1", "r2"):
        rebased = changes[fake_sha(label)]
        assert (rebased.pr_number, rebased.pr_labels) == (3, ("hotfix",))
        assert rebased.pr_first_commit_at == z("2026-07-06T00:00:00+00:00")
    bot = changes[fake_sha("c5")]
    assert (bot.is_bot, bot.pr_number, bot.author) == (True, None, "dependabot[bot]")
    assert not squash.is_bot and changes[fake_sha("r1")].parents == (fake_sha("c5"),)


def test_incidents_from_labelled_issues_never_pull_requests(small: FakeGitHub) -> None:
    store = collect(make_source(small))
    incidents = sorted(of_type(store, Incident).values(), key=lambda i: i.created_at)
    assert [(i.id, i.resolved_at, i.severity) for i in incidents] == [
        ("6", z("2026-07-05T04:50:00+00:00"), "sev1"),
        ("8", None, "sev3"),
    ]
    by_title = collect(
        make_source(small, incidents={"labels": ["nope"], "title_pattern": "(?i)typo|abandoned"})
    )
    # PR #5 "Abandoned idea" matches the title too, but pull requests are never incidents.
    assert [i.id for i in of_type(by_title, Incident).values()] == ["7"]


def test_workflow_runs_detection(small: FakeGitHub) -> None:
    store = collect(make_source(small, deployments={"method": "workflow_runs"}))
    got = [(d.id, d.status.value, d.sha) for d in deployments_of(store)]
    assert got == [
        ("run:7001", "success", fake_sha("m1")),
        ("run:7002", "success", fake_sha("s1")),
        ("run:7003", "failure", fake_sha("c5")),
        ("run:7004", "success", fake_sha("r2")),  # 7005 ran on a branch: not a deployment
    ]
    assert {d.id: d.change_shas for d in deployments_of(store)}["run:7004"] == (
        fake_sha("c5"),
        fake_sha("r1"),
        fake_sha("r2"),
    )


def test_release_detection_skips_drafts_and_prereleases(small: FakeGitHub) -> None:
    store = collect(make_source(small, deployments={"method": "releases"}))
    got = [(d.id, d.sha, d.finished_at) for d in deployments_of(store)]
    assert got == [
        ("release:v1.0.0", fake_sha("s1"), z("2026-07-04T10:10:00+00:00")),
        ("release:v1.1.0", fake_sha("r2"), z("2026-07-07T13:10:00+00:00")),
    ]
    notes = [n.message for n in of_type(store, CollectionNote).values()]
    assert any("release:v1.0.0 has no earlier successful deployment" in n for n in notes)


def test_tag_detection_uses_the_tagged_commit_time(small: FakeGitHub) -> None:
    store = collect(make_source(small, deployments={"method": "tags", "tag_pattern": "v*.*.0"}))
    got = [(d.id, d.finished_at) for d in deployments_of(store)]
    assert got == [
        ("tag:v1.0.0", z("2026-07-04T09:00:00+00:00")),
        ("tag:v1.1.0", z("2026-07-07T12:00:00+00:00")),
    ]


def test_auto_detection_logs_one_line_per_repository(caplog: pytest.LogCaptureFixture) -> None:
    t0 = datetime(2026, 6, 1, tzinfo=UTC)
    releases = RepoBuilder("acme/released", 1)
    releases.commit("one", t0)
    releases.release("v1", t0 + timedelta(days=1))
    releases.commit("two", t0 + timedelta(days=33))
    releases.release("v2", t0 + timedelta(days=34))
    deployed = RepoBuilder("acme/deployed", 2)
    deployed.commit("one", t0)
    deployed.deploy(t0 + timedelta(days=1), run=False)
    deployed.commit("two", t0 + timedelta(days=33))
    deployed.deploy(t0 + timedelta(days=34), run=False)
    nothing = RepoBuilder("acme/quiet", 3)
    nothing.commit("one", t0)
    scenario = Scenario([Org("acme", 1, [releases.build(), deployed.build(), nothing.build()])])
    caplog.set_level(logging.INFO, logger="opsmaturity.github")
    with FakeGitHub(scenario) as server:
        store = collect(make_source(server, org="acme"), WINDOW)
    lines = [r.getMessage() for r in caplog.records if r.name == "opsmaturity.github"]
    assert sorted(lines) == [
        "acme/deployed: deployments detected via deployments (2)",
        "acme/quiet: no deployments found via deployments, workflow_runs, releases, tags "
        "(workflows ['deploy', 'deploy.yml', 'deploy.yaml', 'release.yml'], tags v*)",
        "acme/released: deployments detected via releases (2)",
    ]
    assert {d.detection.value for d in of_type(store, Deployment).values()} == {
        "deployment",
        "release",
    }


def test_history_beyond_250_commits_is_read_once_not_compared() -> None:
    t0 = datetime(2026, 7, 1, tzinfo=UTC)
    b = RepoBuilder("acme/busy", 1)
    b.commit("base", t0)
    b.deploy(t0 + timedelta(hours=1), run=False)
    for i in range(620):
        b.commit(f"c{i}", t0 + timedelta(days=2, minutes=i))
    b.deploy(t0 + timedelta(days=4), run=False)
    with FakeGitHub(Scenario([Org("acme", 1, [b.build()])])) as server:
        store = collect(make_source(server, org="acme"))
        assert server.log.count("github.commits") == 7  # 621 commits, 100 a page
        assert server.log.count("github.compare") == 0
    last = deployments_of(store, "acme/busy")[-1]
    assert len(last.change_shas) == 620 and len(of_type(store, Change)) == 620


def test_monorepo_paths_recorded_for_path_repositories(small: FakeGitHub) -> None:
    store = collect(make_source(small, path_repositories=["northwind/checkout"]))
    paths = {c.sha: c.paths for c in of_type(store, Change).values()}
    assert paths[fake_sha("s1")] == ("services/pay/money.py",)
    assert paths[fake_sha("r2")] == ("services/search/cache.py",)
    plain = collect(make_source(small))
    assert all(c.paths == () for c in of_type(plain, Change).values())


def test_window_start_bounds_what_is_read(small: FakeGitHub) -> None:
    late = Window(datetime(2026, 7, 6, tzinfo=UTC), datetime(2026, 7, 10, tzinfo=UTC))
    store = collect(make_source(small), late)
    # 1004 failed before the window: dropped; 1003 stays as the base for 1005.
    assert [d.id for d in deployments_of(store)] == ["1003", "1005"]
    assert [i.id for i in of_type(store, Incident).values()] == ["8"]


def test_every_change_is_attributed_to_its_true_pull_request() -> None:
    """On generated history (merge, squash and rebase PRs, direct pushes, bots), each
    change's PR is the one the scenario says produced it, and bots are exactly the bots."""
    scenario = generate(
        11,
        repos=2,
        deployments=15,
        commits=60,
        start=datetime(2026, 7, 1, tzinfo=UTC),
        end=datetime(2026, 8, 1, tzinfo=UTC),
    )
    window = Window(datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 8, 1, tzinfo=UTC))
    with FakeGitHub(scenario) as server:
        store = collect(make_source(server, org="acme"), window)
    changes = list(of_type(store, Change).values())
    assert len(changes) > 100
    for change in changes:
        repo = scenario.repo(change.repository)
        truth = [p for p in repo.pulls if change.sha in p.landed or change.sha in p.commits]
        assert change.pr_number == (truth[0].number if truth else None), change.message
        commit = repo.commit(change.sha)
        # bot work: a bot's commit, or any commit of a bot's pull request (issue #12)
        assert change.is_bot == (commit.author.is_bot or any(p.author.is_bot for p in truth))
        if truth:
            first = min(repo.commit(s).authored_at for s in truth[0].commits)
            assert change.pr_first_commit_at == first


def test_a_rollback_ships_nothing() -> None:
    t0 = datetime(2026, 7, 1, tzinfo=UTC)
    b = RepoBuilder("acme/rolled", 1)
    old = b.commit("stable", t0)
    b.deploy(t0 + timedelta(hours=1), run=False)
    b.commit("broken", t0 + timedelta(days=3))
    b.deploy(t0 + timedelta(days=3, hours=1), run=False)
    b.deploy(t0 + timedelta(days=3, hours=2), sha=old, run=False)
    with FakeGitHub(Scenario([Org("acme", 1, [b.build()])])) as server:
        store = collect(make_source(server, org="acme"))
    shipped = [d.change_shas for d in deployments_of(store, "acme/rolled")]
    assert shipped[1:] == [(fake_sha("acme/rolled:1:broken"),), ()]


def test_github_enterprise_base_url() -> None:
    with FakeGitHub(load_scenario("small"), prefix="/api/v3") as ghes:
        store = collect(make_source(ghes))
        assert all(e.path.startswith("/api/v3/") for e in ghes.log.entries)
    assert [d.id for d in deployments_of(store)] == ["1001", "1003", "1004", "1005"]


def test_a_vanished_commit_range_becomes_a_note() -> None:
    t0 = datetime(2026, 7, 1, tzinfo=UTC)
    b = RepoBuilder("acme/pushed", 1)
    b.commit("one", t0)
    b.deploy(t0 + timedelta(hours=1), run=False)
    b.commit("two", t0 + timedelta(days=3))
    b.deploy(t0 + timedelta(days=3, hours=1), sha="f" * 40, run=False)  # force-pushed away
    with FakeGitHub(Scenario([Org("acme", 1, [b.build()])])) as server:
        store = collect(make_source(server, org="acme"))
    assert [d.change_shas for d in deployments_of(store, "acme/pushed")] == [(), ()]
    notes = [n.message for n in of_type(store, CollectionNote).values()]
    assert any("compare not found" in n for n in notes)
