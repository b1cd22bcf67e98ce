"""The GitHub source over GraphQL gives the REST source's records, with fewer requests.

Every scenario the REST tests use is collected twice from one fake, over REST and over
GraphQL, and the stored records must be equal one by one: squash, rebase and merge pull
requests, bots (a ``Bot`` actor on GraphQL, a ``[bot]`` login on REST), rollbacks, a
force-pushed range, monorepo paths, GitHub Enterprise Server, named repositories.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsmaturity.errors import AuthError, SourceError
from opsmaturity.records import Change, CollectionNote, Deployment, Incident, Record
from opsmaturity.sources.base import MemoryCheckpoints, Window
from opsmaturity.sources.github.graphql import graphql_url
from tests.fakeforge import Org, RepoBuilder, Scenario, generate, load_scenario
from tests.fakeforge.cross_scenarios import dependabot_quarter
from tests.fakeforge.github import FakeGitHub
from tests.fakeforge.scenario import StatusEvent
from tests.github_graphql_helpers import both, make
from tests.github_source_helpers import Recorder, collect, of_type

QUARTER = Window(datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC))
JULY = Window(datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 8, 1, tzinfo=UTC))


def assert_same(rest: dict[str, Record], graphql: dict[str, Record]) -> None:
    assert set(rest) == set(graphql)
    for key, record in rest.items():
        assert graphql[key] == record, key


def rest_requests(server: FakeGitHub) -> int:
    return server.log.total - server.log.count("github.graphql")


def test_small_scenario_is_the_same_and_reads_no_rest() -> None:
    with FakeGitHub(load_scenario("small"), token="t0k") as server:
        rest = collect(make(server, "rest"))
        server.log.reset()
        graphql = collect(make(server, "graphql"))
        assert rest_requests(server) == 0
        # probe, deployments, history + pull requests, first commits, incidents
        assert server.log.count("github.graphql") == 5
    assert_same(rest, graphql)
    assert len(of_type(graphql, Change)) == 4


@pytest.mark.parametrize("paths", [False, True], ids=["plain", "monorepo-paths"])
def test_the_dependabot_quarter_is_the_same(paths: bool) -> None:
    """Merge, squash and rebase PRs, four dependabot PRs, a revert, a rollback, staging."""
    monorepo = ["northwind/storefront"] if paths else []
    with FakeGitHub(dependabot_quarter(), token="t0k") as server:
        rest, graphql = both(server, QUARTER, path_repositories=monorepo)
    assert_same(rest, graphql)
    changes = of_type(graphql, Change).values()
    assert sum(c.is_bot for c in changes) >= 6
    assert any(c.paths for c in changes) == paths


def test_generated_history_is_the_same() -> None:
    scenario = generate(11, repos=3, deployments=15, commits=60, start=JULY.since, end=JULY.until)
    with FakeGitHub(scenario, token="t0k") as server:
        rest, graphql = both(server, JULY, org="acme")
    assert_same(rest, graphql)
    assert len(of_type(graphql, Change)) > 100


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 10_000), deployments=st.integers(2, 12), commits=st.integers(5, 80))
def test_any_generated_history_is_the_same(seed: int, deployments: int, commits: int) -> None:
    """Property: whatever the mix of merges, squashes, rebases, bots and deployments, the
    graph read once gives what a compare per deployment gave."""
    scenario = generate(
        seed, repos=1, deployments=deployments, commits=commits, start=JULY.since, end=JULY.until
    )
    with FakeGitHub(scenario, token="t0k") as server:
        rest, graphql = both(server, JULY, org="acme")
    assert_same(rest, graphql)


def _one(builder: RepoBuilder) -> Scenario:
    return Scenario([Org("acme", 1, [builder.build()])])


def test_a_rollback_ships_nothing_on_both() -> None:
    t0 = datetime(2026, 7, 1, tzinfo=UTC)
    b = RepoBuilder("acme/rolled", 1)
    old = b.commit("stable", t0)
    b.deploy(t0 + timedelta(hours=1), run=False)
    b.commit("broken", t0 + timedelta(days=3))
    b.deploy(t0 + timedelta(days=3, hours=1), run=False)
    b.deploy(t0 + timedelta(days=3, hours=2), sha=old, run=False)
    with FakeGitHub(_one(b), token="t0k") as server:
        rest, graphql = both(server, org="acme")
    assert_same(rest, graphql)
    shipped = sorted(of_type(graphql, Deployment).values(), key=lambda d: d.finished_at)
    assert [len(d.change_shas) for d in shipped] == [0, 1, 0]


def test_a_force_pushed_range_is_the_same_note() -> None:
    t0 = datetime(2026, 7, 1, tzinfo=UTC)
    b = RepoBuilder("acme/pushed", 1)
    b.commit("one", t0)
    b.deploy(t0 + timedelta(hours=1), run=False)
    b.commit("two", t0 + timedelta(days=3))
    b.deploy(t0 + timedelta(days=3, hours=1), sha="f" * 40, run=False)
    with FakeGitHub(_one(b), token="t0k") as server:
        rest, graphql = both(server, org="acme")
    assert_same(rest, graphql)
    assert any("compare not found" in n.message for n in of_type(graphql, CollectionNote).values())


def test_a_long_history_is_paged_once() -> None:
    """621 commits before the last deployment: 7 history pages (no compare), the first
    with the merged pull requests; plus the probe, the deployments and the incidents."""
    t0 = datetime(2026, 7, 1, tzinfo=UTC)
    b = RepoBuilder("acme/busy", 1)
    b.commit("base", t0)
    b.deploy(t0 + timedelta(hours=1), run=False)
    for i in range(620):
        b.commit(f"c{i}", t0 + timedelta(days=2, minutes=i))
    b.deploy(t0 + timedelta(days=4), run=False)
    with FakeGitHub(_one(b), token="t0k") as server:
        rest = collect(make(server, "rest", org="acme"))
        server.log.reset()
        graphql = collect(make(server, "graphql", org="acme"))
        assert server.log.total == server.log.count("github.graphql") == 1 + 1 + 7 + 1
    assert_same(rest, graphql)
    assert len(of_type(graphql, Change)) == 620


def test_enterprise_server_and_named_repositories() -> None:
    assert graphql_url("https://ghe.example/api/v3") == "https://ghe.example/api/graphql"
    assert graphql_url("https://api.github.com") == "https://api.github.com/graphql"
    with FakeGitHub(load_scenario("small"), token="t0k", prefix="/api/v3") as ghes:
        rest, graphql = both(ghes, repositories=["northwind/checkout"])
        assert {e.path for e in ghes.log.entries if e.endpoint == "github.graphql"} == {
            "/api/graphql"
        }
    assert_same(rest, graphql)


def test_other_detection_methods_are_read_over_rest() -> None:
    with FakeGitHub(load_scenario("small"), token="t0k") as server:
        rest, graphql = both(server, deployments={"method": "releases"})
    assert_same(rest, graphql)
    assert {d.id for d in of_type(graphql, Deployment).values()} == {
        "release:v1.0.0",
        "release:v1.1.0",
    }


def test_a_no_change_rerun_costs_one_query_for_all_repositories() -> None:
    scenario = generate(5, repos=4, deployments=8, commits=40, start=JULY.since, end=JULY.until)
    checkpoints = MemoryCheckpoints()
    with FakeGitHub(scenario, token="t0k") as server:
        first = collect(make(server, "graphql", org="acme", checkpoints=checkpoints), JULY)
        server.log.reset()
        again = collect(
            make(server, "graphql", org="acme", checkpoints=checkpoints), JULY, dict(first)
        )
        assert server.log.total == 1
        assert again == first
        # a new status on one repository's newest deployment: that repository is read again
        newest = max(scenario.repos[0].deployments, key=lambda d: d.created_at)
        newest.statuses.append(StatusEvent("error", newest.updated_at + timedelta(minutes=1)))
        server.log.reset()
        collect(make(server, "graphql", org="acme", checkpoints=checkpoints), JULY, dict(first))
        assert 1 < server.log.total <= 5


def test_first_commits_are_read_only_when_asked() -> None:
    with FakeGitHub(load_scenario("small"), token="t0k") as server:
        collect(make(server, "graphql", first_commits=False))
        assert server.log.count("github.graphql") == 4  # no pull request commits query


def test_auto_falls_back_to_rest_with_a_note_where_graphql_does_not_answer() -> None:
    with FakeGitHub(load_scenario("small"), token="t0k") as server:
        server.faults.add("status", "github.graphql", status=404)
        source = make(server, "auto")
        store = collect(source)
        assert [n.message for n in source.notes()] == [
            f"GitHub GraphQL API not available at {server.api}/graphql (404): collected over REST"
        ]
        assert source.usage() is None
        assert server.log.count("github.deployments") == 1
        with pytest.raises(SourceError, match="set api: rest"):
            make(server, "graphql").repositories()
    assert len(of_type(store, Change)) == 4


def test_bad_token_is_an_auth_error_naming_the_variable() -> None:
    with FakeGitHub(load_scenario("small"), token="t0k") as server:
        source = make(server, "graphql")
        source.graphql.__dict__["_headers"]["Authorization"] = "bearer wrong-token"  # type: ignore[union-attr]
        with pytest.raises(AuthError) as err:
            source.repositories()
    assert "$GH_TEST_TOKEN" in str(err.value) and "wrong-token" not in str(err.value)


def test_usage_reports_queries_and_points() -> None:
    with FakeGitHub(load_scenario("small"), token="t0k") as server:
        recorder = Recorder()
        source = make(server, "graphql", recorder=recorder)
        collect(source)
        assert source.usage() == (
            f"GraphQL: 5 queries, {sum(server.graphql_costs)} points, "
            f"{5000 - sum(server.graphql_costs)} left until "
            f"{source.graphql.usage.reset_at}"  # type: ignore[union-attr]
        )
    assert recorder.advanced[("northwind/checkout", "deployments")] == 4


def test_incident_lists_beyond_one_page_are_the_same() -> None:
    """250 incidents still open from before the window, 120 opened and closed in it: both
    issue lists page, each on its own once the other is done."""
    t0 = datetime(2026, 6, 1, tzinfo=UTC)
    b = RepoBuilder("acme/noisy", 1)
    b.commit("one", t0)
    b.deploy(t0 + timedelta(hours=1), run=False)
    for i in range(250):
        b.issue(f"Old outage {i}", t0 + timedelta(hours=i), labels=["incident"], incident=True)
    for i in range(120):
        opened = datetime(2026, 7, 4, tzinfo=UTC) + timedelta(minutes=i)
        b.issue(
            f"New outage {i}",
            opened,
            opened + timedelta(hours=1),
            labels=["incident"],
            incident=True,
        )
    with FakeGitHub(_one(b), token="t0k") as server:
        rest, graphql = both(server, org="acme")
    assert_same(rest, graphql)
    assert len(of_type(graphql, Incident)) == 250 + 120
