"""FakeGitHub: the real PyGithub lists everything, pages, and meets every fault knob;
every kind of response conforms to GitHub's official OpenAPI description."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests
from github import BadCredentialsException, GithubException, UnknownObjectException
from github.GithubException import RateLimitExceededExceedsMaxWait

from tests.fakeforge import RepoBuilder, Scenario, load_scenario
from tests.fakeforge.clients import github_client
from tests.fakeforge.conformance import response_schema, spec_path, validate
from tests.fakeforge.github import FakeGitHub
from tests.fakeforge.scenario import Org

SPEC = "github-openapi-subset.json"
T0 = datetime(2026, 7, 1, tzinfo=UTC)


def big_scenario() -> Scenario:
    """One repository with 1,050 commits, 1,100 runs on main and 40 on a branch."""
    b = RepoBuilder("acme/big", 7)
    for i in range(1050):
        b.commit(f"change {i}", T0 + timedelta(minutes=i))
    head = b.head
    assert head is not None
    workflow = b.repo.workflows[1]
    for i in range(1140):
        at = T0 + timedelta(hours=i)
        b.run(workflow, head, at, at + timedelta(minutes=5), branch="main" if i < 1100 else "dev")
    return Scenario([Org("acme", 1, [b.build()])])


@pytest.fixture(scope="module")
def small() -> Iterator[FakeGitHub]:
    with FakeGitHub(load_scenario("small"), token="t0k") as server:
        yield server


@pytest.fixture(scope="module")
def big() -> Iterator[FakeGitHub]:
    with FakeGitHub(big_scenario(), token="t0k") as server:
        yield server


@pytest.fixture
def fresh() -> Iterator[FakeGitHub]:
    """A server of its own, for tests that add faults."""
    with FakeGitHub(load_scenario("small"), token="t0k") as server:
        yield server


def get(server: FakeGitHub, path: str, **headers: str) -> requests.Response:
    return requests.get(server.api + path, headers={"Authorization": "token t0k", **headers})


# -- the real client ------------------------------------------------------------------
def test_pygithub_lists_every_resource_with_one_request_each(small: FakeGitHub) -> None:
    g = github_client(small, lazy=True)
    small.log.reset()
    repo = g.get_repo("northwind/checkout")
    repos = list(g.get_organization("northwind").get_repos())
    deployments = list(repo.get_deployments())
    statuses = list(deployments[2].get_statuses())
    seen = {
        "repos": [(r.full_name, r.archived, r.default_branch, r.pushed_at) for r in repos],
        "deployments": [
            (
                d.id,
                d.environment,
                d.task,
                d.production_environment,
                d.original_environment,
                d.creator.login,
            )
            for d in deployments
        ],
        "statuses": [(s.state, s.created_at, s.environment) for s in statuses],
        "releases": [
            (r.tag_name, r.draft, r.prerelease, r.published_at) for r in repo.get_releases()
        ],
        "tags": [(t.name, t.commit.sha) for t in repo.get_tags()],
        "commits": [
            (c.sha, c.commit.author.date, c.commit.committer.date, len(c.parents), c.author.login)
            for c in repo.get_commits()
        ],
        "pulls": [
            (
                p.number,
                p.state,
                p.merged_at,
                p.merge_commit_sha,
                [x.name for x in p.labels],
                p.user.login,
                p.head.ref,
            )
            for p in repo.get_pulls(state="all")
        ],
        "issues": [
            (i.number, i.state, i.closed_at, [x.name for x in i.labels])
            for i in repo.get_issues(state="all")
        ],
        "workflows": [(w.id, w.name, w.path) for w in repo.get_workflows()],
        "runs": [
            (r.id, r.head_branch, r.conclusion, r.path, r.created_at)
            for r in repo.get_workflow_runs()
        ],
        "environments": [e.name for e in repo.get_environments()],
    }
    assert [d[0] for d in seen["deployments"]] == [1005, 1004, 1003, 1002, 1001]
    assert [s[0] for s in seen["statuses"]] == ["inactive", "success", "in_progress", "queued"]
    assert [r[0] for r in seen["repos"]] == ["northwind/checkout", "northwind/legacy"]
    assert len(seen["commits"]) == 8 and len(seen["pulls"]) == 5 and len(seen["issues"]) == 8
    assert len(seen["runs"]) == 6 and seen["environments"] == ["production", "staging"]
    # 11 list calls and not one lazy completion; lazy=True makes get_repo free, except that
    # PyGithub's get_environments() fetches the repository itself first.
    assert small.log.total == 12, small.log.by_endpoint()
    assert small.log.count("github.repo") == 1


def test_pygithub_pages_through_1050_commits(big: FakeGitHub) -> None:
    big.log.reset()
    commits = list(github_client(big, lazy=True).get_repo("acme/big").get_commits())
    assert len(commits) == 1050 and commits[0].commit.message == "change 1049"
    assert big.log.count("github.commits") == 11  # ceil(1050 / 100)
    big.log.reset()
    default = list(github_client(big, per_page=30, lazy=True).get_repo("acme/big").get_commits())
    assert len(default) == 1050 and big.log.count("github.commits") == 35


def test_link_header_is_githubs_exact_format(big: FakeGitHub) -> None:
    resp = get(big, "/repos/acme/big/commits?per_page=100&page=2")
    base = f"{big.api}/repos/acme/big/commits?per_page=100&page="
    assert resp.headers["Link"] == (
        f'<{base}1>; rel="prev", <{base}3>; rel="next", <{base}11>; rel="last", <{base}1>; rel="first"'
    )
    first = get(big, "/repos/acme/big/commits")
    assert len(first.json()) == 30
    assert first.headers["Link"].startswith(
        f'<{big.api}/repos/acme/big/commits?page=2>; rel="next"'
    )
    assert "Link" not in get(big, "/repos/acme/big/tags").headers
    assert len(get(big, "/repos/acme/big/commits?per_page=500").json()) == 100


def test_rate_limit_headers_on_every_response(small: FakeGitHub) -> None:
    for path in ("/user", "/repos/northwind/checkout", "/repos/nope/nope"):
        headers = get(small, path).headers
        for name in ("limit", "remaining", "used", "reset", "resource"):
            assert f"x-ratelimit-{name}" in headers


def test_conditional_request_gives_304_free_of_quota(fresh: FakeGitHub) -> None:
    first = get(fresh, "/repos/northwind/checkout/deployments")
    assert first.headers["ETag"].startswith('W/"')
    again = get(
        fresh, "/repos/northwind/checkout/deployments", **{"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304 and again.content == b""
    assert again.headers["x-ratelimit-remaining"] == first.headers["x-ratelimit-remaining"]
    repo = github_client(fresh).get_repo("northwind/checkout")
    assert repo.update() is False  # PyGithub's own conditional GET
    assert fresh.log.not_modified == 2


def test_compare_caps_at_250_without_paging_and_pages_with_it(big: FakeGitHub) -> None:
    repo = big.scenario.repos[0]
    base, head = repo.commits[100].sha, repo.commits[-1].sha
    raw = get(big, f"/repos/acme/big/compare/{base}...{head}").json()
    assert raw["total_commits"] == 949 and len(raw["commits"]) == 250
    assert raw["commits"][-1]["sha"] == head and raw["status"] == "ahead"
    big.log.reset()
    comparison = (
        github_client(big, lazy=True)
        .get_repo("acme/big")
        .compare(base, head, comparison_commits_per_page=250)
    )
    shas = [c.sha for c in comparison.commits]
    assert shas == [c.sha for c in repo.commits[101:]]
    assert big.log.count("github.compare") == 4  # pages of 250: 949 → 4


def test_filtered_runs_cap_at_1000(big: FakeGitHub) -> None:
    repo = github_client(big, lazy=True).get_repo("acme/big")
    assert len(list(repo.get_workflow_runs(branch="main"))) == 1000
    assert len(list(repo.get_workflow_runs(branch="dev"))) == 40
    unfiltered = get(big, "/repos/acme/big/actions/runs?per_page=100&page=12").json()
    assert unfiltered["total_count"] == 1140 and len(unfiltered["workflow_runs"]) == 40
    assert repo.get_workflow_runs(created="2026-07-01..2026-07-01").totalCount == 24
    assert repo.get_workflow_runs(created=">=2026-08-16").totalCount == 1140 - 24 * 46


def test_deployment_filters_and_prs_among_issues(small: FakeGitHub) -> None:
    repo = github_client(small, lazy=True).get_repo("northwind/checkout")
    assert [d.id for d in repo.get_deployments(environment="staging")] == [1002]
    sha = small.scenario.repo("northwind/checkout").commits[5].sha
    assert [d.id for d in repo.get_deployments(sha=sha)] == [1003, 1002]
    issues = get(small, "/repos/northwind/checkout/issues?state=all&labels=incident").json()
    assert [i["number"] for i in issues] == [8, 6]
    everything = get(small, "/repos/northwind/checkout/issues?state=all").json()
    assert sorted(i["number"] for i in everything if "pull_request" in i) == [1, 2, 3, 4, 5]


def test_bad_token_and_invisible_repo(small: FakeGitHub) -> None:
    with pytest.raises(BadCredentialsException):
        github_client(small, token="wrong").get_user().login  # noqa: B018
    small.scenario.repo("northwind/legacy").visible = False
    try:
        with pytest.raises(UnknownObjectException):
            github_client(small).get_repo("northwind/legacy")
    finally:
        small.scenario.repo("northwind/legacy").visible = True
    assert get(small, "/repos/northwind/platform/api").status_code == 404


# -- faults ----------------------------------------------------------------------------
def test_fixed_latency_and_deterministic_jitter(fresh: FakeGitHub) -> None:
    fresh.faults.latency(0.05, jitter=0.05, endpoint="repo")
    started = time.perf_counter()
    get(fresh, "/repos/northwind/checkout")
    elapsed = time.perf_counter() - started
    assert 0.05 <= elapsed < 0.5
    fast = time.perf_counter()
    get(fresh, "/user")
    assert time.perf_counter() - fast < 0.05


def test_5xx_burst_is_retried_by_pygithub(fresh: FakeGitHub) -> None:
    fresh.faults.status(502, times=2, endpoint="github.deployments")
    deployments = list(
        github_client(fresh, lazy=True).get_repo("northwind/checkout").get_deployments()
    )
    assert len(deployments) == 5
    assert [e.status for e in fresh.log.entries] == [502, 502, 200]


def test_after_lets_requests_through_first(fresh: FakeGitHub) -> None:
    fresh.faults.status(503, times=1, after=2, endpoint="user")
    assert [get(fresh, "/user").status_code for _ in range(4)] == [200, 200, 503, 200]


def test_429_with_and_without_retry_after(fresh: FakeGitHub) -> None:
    fresh.faults.add("retry_after", "user", times=1, retry_after=0)
    assert github_client(fresh).get_user().login == "octocat"
    assert [e.status for e in fresh.log.entries] == [429, 200]
    fresh.faults.add("retry_after", "user", times=1, header=False)
    resp = get(fresh, "/user")
    assert resp.status_code == 429 and "Retry-After" not in resp.headers


def test_primary_rate_limit(fresh: FakeGitHub) -> None:
    fresh.faults.add("primary_rate_limit", "user", times=1, reset_in=30)
    resp = get(fresh, "/user")
    assert resp.status_code == 403 and resp.headers["x-ratelimit-remaining"] == "0"
    assert 29 <= int(resp.headers["x-ratelimit-reset"]) - time.time() <= 31
    fresh.faults.add("primary_rate_limit", "user", times=1, reset_in=30)
    from github import GithubRetry

    strict = github_client(fresh, retry=GithubRetry(total=2, max_rate_limit_wait=5))
    with pytest.raises(RateLimitExceededExceedsMaxWait):
        strict.get_user().login  # noqa: B018


def test_secondary_rate_limit_with_and_without_retry_after(fresh: FakeGitHub) -> None:
    fresh.faults.add("secondary_rate_limit", "user", times=1, retry_after=0)
    fresh.faults.add("secondary_rate_limit", "user", times=1, retry_after=None, status=429)
    first, second = get(fresh, "/user"), get(fresh, "/user")
    assert first.status_code == 403 and first.headers["retry-after"] == "0"
    assert second.status_code == 429 and "retry-after" not in second.headers
    assert "secondary rate limit" in second.json()["message"]
    # Without retry-after PyGithub waits its secondary_rate_wait (0.1 s here), then retries.
    fresh.faults.add("secondary_rate_limit", "user", times=1, retry_after=None)
    assert github_client(fresh).get_user().login == "octocat"


def test_connection_reset(fresh: FakeGitHub) -> None:
    fresh.faults.add("connection_reset", "user", times=1)
    with pytest.raises(requests.ConnectionError):
        get(fresh, "/user")
    fresh.faults.add("connection_reset", "user", times=1)
    assert github_client(fresh).get_user().login == "octocat"  # urllib3 retries the GET
    assert [e.fault for e in fresh.log.entries] == ["connection_reset", "connection_reset", None]


def test_truncated_and_malformed_json(fresh: FakeGitHub) -> None:
    fresh.faults.add("truncated_json", "repo", times=1)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        get(fresh, "/repos/northwind/checkout").json()
    fresh.faults.add("malformed_json", "repo", times=1)
    with pytest.raises(requests.exceptions.JSONDecodeError):
        get(fresh, "/repos/northwind/checkout").json()
    assert get(fresh, "/repos/northwind/checkout").json()["id"] == 101


def test_unknown_fault_kind_is_refused(fresh: FakeGitHub) -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        fresh.faults.add("gremlins")


def test_request_log_counts(fresh: FakeGitHub) -> None:
    get(fresh, "/user")
    get(fresh, "/repos/northwind/checkout/deployments")
    get(fresh, "/repos/northwind/checkout/deployments/1001/statuses")
    log = fresh.log
    assert log.total == 3 and log.count("deployment*") == 2 and log.count("github.user") == 1
    assert log.statuses()[200] == 3 and log.bytes == sum(e.bytes for e in log.entries) > 0
    log.reset()
    assert log.total == 0


# -- conformance ----------------------------------------------------------------------
def _cases(scenario: Scenario) -> dict[str, str]:
    repo = scenario.repo("northwind/checkout")
    assert repo is not None
    base, merge = repo.commits[0].sha, repo.commits[3].sha
    r = "/repos/northwind/checkout"
    return {
        "/orgs/{org}/repos": "/orgs/northwind/repos",
        "/repos/{owner}/{repo}": r,
        "/repos/{owner}/{repo}/deployments": f"{r}/deployments",
        "/repos/{owner}/{repo}/deployments/{deployment_id}": f"{r}/deployments/1003",
        "/repos/{owner}/{repo}/deployments/{deployment_id}/statuses": f"{r}/deployments/1003/statuses",
        "/repos/{owner}/{repo}/environments": f"{r}/environments",
        "/repos/{owner}/{repo}/releases": f"{r}/releases",
        "/repos/{owner}/{repo}/tags": f"{r}/tags",
        "/repos/{owner}/{repo}/commits": f"{r}/commits",
        "/repos/{owner}/{repo}/commits/{ref}": f"{r}/commits/main",
        "/repos/{owner}/{repo}/commits/{commit_sha}/pulls": f"{r}/commits/{merge}/pulls",
        "/repos/{owner}/{repo}/compare/{basehead}": f"{r}/compare/{base}...main",
        "/repos/{owner}/{repo}/pulls": f"{r}/pulls?state=all",
        "/repos/{owner}/{repo}/pulls/{pull_number}": f"{r}/pulls/3",
        "/repos/{owner}/{repo}/pulls/{pull_number}/commits": f"{r}/pulls/3/commits",
        "/repos/{owner}/{repo}/issues": f"{r}/issues?state=all",
        "/repos/{owner}/{repo}/actions/runs": f"{r}/actions/runs",
        "/repos/{owner}/{repo}/actions/workflows": f"{r}/actions/workflows",
        "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs": f"{r}/actions/workflows/deploy.yml/runs",
        "/rate_limit": "/rate_limit",
        "/user": "/user",
    }


needs_spec = pytest.mark.skipif(
    spec_path(SPEC) is None,
    reason=f"../shared/forge-api/{SPEC} is absent (schemas live outside the repo)",
)


@needs_spec
@pytest.mark.parametrize("operation", list(_cases(load_scenario("small"))))
def test_every_response_conforms_to_github_openapi(small: FakeGitHub, operation: str) -> None:
    resp = get(small, _cases(small.scenario)[operation])
    assert resp.status_code == 200
    body = resp.json()
    assert body, "an empty body proves nothing"
    assert validate(SPEC, response_schema(SPEC, operation), body) == []


@needs_spec
def test_error_bodies_conform(small: FakeGitHub) -> None:
    resp = get(small, "/repos/northwind/nope")
    schema = response_schema(SPEC, "/repos/{owner}/{repo}", "404")
    assert resp.status_code == 404 and validate(SPEC, schema, resp.json()) == []


@needs_spec
def test_the_validator_can_fail(small: FakeGitHub) -> None:
    body = get(small, "/repos/northwind/checkout/deployments").json()
    del body[0]["sha"]
    errors = validate(SPEC, response_schema(SPEC, "/repos/{owner}/{repo}/deployments"), body)
    assert errors == ["0: 'sha' is a required property"]


def test_ghes_prefix(small: FakeGitHub) -> None:
    with FakeGitHub(load_scenario("small"), token="t0k", prefix="/api/v3") as ghes:
        g = github_client(ghes)
        assert g.get_repo("northwind/checkout").get_deployments().totalCount == 5
        assert ghes.api.endswith("/api/v3")


def test_pygithub_rejects_nothing_we_send(small: FakeGitHub) -> None:
    """Every URL in bodies and Links is on our host:port (PyGithub asserts it)."""
    g = github_client(small, per_page=2)
    repo = g.get_repo("northwind/checkout")
    assert len(list(repo.get_pulls(state="all"))) == 5
    assert all(u.startswith(small.api) for u in (repo.url, repo.deployments_url))
    with pytest.raises(GithubException):
        repo.get_commit("0" * 40)
