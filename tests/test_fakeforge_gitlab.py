"""FakeGitLab proven with the real python-gitlab, GitLab's OpenAPI schemas and every fault knob."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import gitlab
import pytest
import requests

from tests.conftest import SHARED
from tests.fakeforge.gitlab import FakeGitLab
from tests.fakeforge.gitlab_scenarios import many_issues, northwind

TOKEN = "glpat-fake-token-for-tests"
SPEC = SHARED / "forge-api" / "gitlab-openapi-subset.yaml"
P1 = "/api/v4/projects/1"


def client(fake: FakeGitLab, **kwargs: Any) -> gitlab.Gitlab:
    return gitlab.Gitlab(fake.url, private_token=TOKEN, per_page=100, **kwargs)


def raw(fake: FakeGitLab, path: str, **params: Any) -> requests.Response:
    return requests.get(fake.url + path, params=params, headers={"PRIVATE-TOKEN": TOKEN}, timeout=5)


# -- python-gitlab lists every resource ------------------------------------------------------
def test_group_projects_subgroups_and_archived(fake: FakeGitLab) -> None:
    group = client(fake).groups.get("northwind", lazy=True)

    def names(**kw: Any) -> list[str]:
        return sorted(p.path_with_namespace for p in group.projects.list(iterator=True, **kw))

    assert names() == ["northwind/checkout", "northwind/legacy"]
    assert names(include_subgroups=True) == [
        "northwind/checkout",
        "northwind/legacy",
        "northwind/platform/billing",
    ]
    assert names(include_subgroups=True, archived=False) == [
        "northwind/checkout",
        "northwind/platform/billing",
    ]
    assert names(archived=True) == ["northwind/legacy"]


def test_project_by_id_and_by_encoded_path(fake: FakeGitLab) -> None:
    gl = client(fake)
    assert gl.projects.get(1).path_with_namespace == "northwind/checkout"
    assert gl.projects.get("northwind/platform/billing").id == 2
    with pytest.raises(gitlab.GitlabGetError) as err:
        gl.projects.get("northwind/nope")
    assert err.value.response_code == 404


def test_deployments_filters_and_order(fake: FakeGitLab) -> None:
    project = client(fake).projects.get(1, lazy=True)
    prod = list(project.deployments.list(iterator=True, environment="production"))
    assert [d.status for d in prod] == ["success", "success", "failed", "success", "success"]
    assert [d.id for d in prod] == sorted(d.id for d in prod)  # default: id asc
    failed = list(project.deployments.list(iterator=True, status="failed"))
    assert len(failed) == 1 and failed[0].deployable["finished_at"] == "2026-07-07T09:05:00.000Z"
    newest = list(
        project.deployments.list(
            iterator=True,
            environment="production",
            order_by="updated_at",
            sort="desc",
            updated_after="2026-07-05T00:00:00Z",
        )
    )
    assert [d.updated_at for d in newest] == [
        "2026-07-12T00:05:00.000Z",
        "2026-07-07T18:05:00.000Z",
        "2026-07-07T09:05:00.000Z",
    ]
    last = list(
        project.deployments.list(
            iterator=True,
            status="success",
            order_by="finished_at",
            sort="desc",
            finished_before="2026-07-01T00:00:00Z",
        )
    )
    assert [d.created_at for d in last] == ["2026-06-10T09:00:00.000Z"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {"updated_after": "2026-07-01", "order_by": "id"},
            "`updated_at` filter and `updated_at` sorting must be paired",
        ),
        (
            {"finished_before": "2026-07-01", "status": "success"},
            "`finished_at` filter and `finished_at` sorting must be paired",
        ),
        (
            {"finished_before": "2026-07-01", "order_by": "finished_at"},
            "`finished_at` filter must be combined with `success` status filter.",
        ),
        (
            {"updated_after": "2026-07-01", "finished_after": "2026-07-01"},
            "Both `updated_at` filter and `finished_at` filter can not be specified",
        ),
        ({"status": "done"}, "The deployment status done is invalid"),
    ],
)
def test_deployments_reject_what_gitlab_rejects(
    fake: FakeGitLab, query: dict[str, str], message: str
) -> None:
    resp = raw(fake, f"{P1}/deployments", **query)
    assert (resp.status_code, resp.json()) == (400, {"message": f"400 Bad request - {message}"})


def test_deployment_merge_requests_and_their_commits(fake: FakeGitLab) -> None:
    project = client(fake).projects.get(1, lazy=True)
    deps = project.deployments.list(iterator=True, environment="production")
    shipped = [(d.status, [m.iid for m in d.mergerequests.list(iterator=True)]) for d in deps]
    assert shipped == [
        ("success", []),
        ("success", [1]),
        ("failed", []),
        ("success", [2]),
        ("success", [4]),
    ]
    squash = project.mergerequests.get(2, lazy=True)
    assert len(list(squash.commits(per_page=100))) == 3


def test_merge_requests_state_and_merged_range(fake: FakeGitLab) -> None:
    project = client(fake).projects.get(1, lazy=True)
    merged = list(
        project.mergerequests.list(
            iterator=True, state="merged", merged_after="2026-07-05T00:00:00Z"
        )
    )
    assert sorted(m.iid for m in merged) == [2, 4]
    styles = {
        m.iid: (m.merge_commit_sha is not None, m.squash_commit_sha is not None)
        for m in project.mergerequests.list(iterator=True, state="all")
    }
    assert styles == {1: (True, False), 2: (False, True), 4: (False, False)}


def test_commits_compare_pipelines_jobs_releases_tags_environments(fake: FakeGitLab) -> None:
    gl = client(fake)
    project = gl.projects.get(1, lazy=True)
    commits = list(project.commits.list(iterator=True))
    assert commits[-1].title == "Initial commit"  # newest first
    since = list(project.commits.list(iterator=True, since="2026-07-06T12:30:00Z"))
    assert [c.title for c in since][-1] == "Bump lodash"
    first, last = commits[-1].id, commits[0].id
    cmp = project.repository_compare(first, last)
    assert len(cmp["commits"]) == len(commits) - 1 and cmp["compare_same_ref"] is False
    pipelines = list(project.pipelines.list(iterator=True))
    assert len(pipelines) == 5
    jobs = list(project.pipelines.get(pipelines[0].id, lazy=True).jobs.list(iterator=True))
    assert [j.name for j in jobs] == ["build", "deploy"]
    assert len(list(project.jobs.list(iterator=True))) == 10
    assert [r.tag_name for r in project.releases.list(iterator=True)] == ["v1.0.0"]
    assert [t.name for t in project.tags.list(iterator=True)] == ["v1.0.0"]
    envs = {e.name: e.tier for e in project.environments.list(iterator=True)}
    assert envs == {"production": "production", "staging": "staging"}


def test_issues_incident_type_labels_and_created_range(fake: FakeGitLab) -> None:
    project = client(fake).projects.get(1, lazy=True)
    incidents = list(project.issues.list(iterator=True, issue_type="incident"))
    assert [(i.title, i.issue_type, i.type) for i in incidents] == [
        ("Checkout down", "incident", "INCIDENT")
    ]
    labelled = list(project.issues.list(iterator=True, labels="incident"))
    assert [i.title for i in labelled] == ["Slow page"]
    july20 = list(project.issues.list(iterator=True, created_after="2026-07-20T00:00:00Z"))
    assert sorted(i.title for i in july20) == ["Slow page", "Typo"]
    opened = list(project.issues.list(iterator=True, state="opened"))
    assert [i.title for i in opened] == ["Slow page"]


# -- DORA API, hand-computed (see gitlab_scenarios) ------------------------------------------
@pytest.mark.parametrize(
    ("metric", "value"),
    [
        ("deployment_frequency", 3),
        ("lead_time_for_changes", 86_700.0),
        ("time_to_restore_service", 7_200.0),
        ("change_failure_rate", 1 / 3),
    ],
)
def test_dora_metrics_as_gitlab_documents(fake: FakeGitLab, metric: str, value: float) -> None:
    gl = client(fake)
    query = {
        "metric": metric,
        "start_date": "2026-07-01",
        "end_date": "2026-09-30",
        "interval": "all",
    }
    assert gl.http_get("/projects/1/dora/metrics", query_data=query) == [
        {"date": "2026-07-01", "value": pytest.approx(value)}
    ]
    assert gl.http_get("/groups/northwind/dora/metrics", query_data=query) == [
        {"date": "2026-07-01", "value": pytest.approx(value)}
    ]


def test_dora_daily_and_monthly_buckets(fake: FakeGitLab) -> None:
    gl = client(fake)
    q = {"metric": "deployment_frequency", "start_date": "2026-07-06", "end_date": "2026-07-08"}
    assert gl.http_get(f"{P1[7:]}/dora/metrics", query_data=q) == [
        {"date": "2026-07-06", "value": 0},
        {"date": "2026-07-07", "value": 1},
        {"date": "2026-07-08", "value": 0},
    ]
    monthly = gl.http_get(
        f"{P1[7:]}/dora/metrics",
        query_data={
            "metric": "change_failure_rate",
            "start_date": "2026-07-01",
            "end_date": "2026-08-31",
            "interval": "monthly",
        },
    )
    assert monthly == [
        {"date": "2026-07-01", "value": pytest.approx(1 / 3)},
        {"date": "2026-08-01", "value": None},
    ]
    bad = raw(
        fake, f"{P1}/dora/metrics", metric="nope", start_date="2026-07-01", end_date="2026-07-02"
    )
    assert bad.status_code == 400


@pytest.mark.parametrize("status", [403, 404])
def test_dora_api_absent_below_ultimate(status: int) -> None:
    with FakeGitLab(northwind(), TOKEN, dora_status=status) as server:
        resp = raw(server, f"{P1}/dora/metrics", metric="deployment_frequency")
        assert resp.status_code == status


# -- pagination ---------------------------------------------------------------------------
def test_offset_pagination_headers_default_20_max_100() -> None:
    with FakeGitLab(many_issues(45), TOKEN) as server:
        first = raw(server, "/api/v4/projects/9/issues")
        assert len(first.json()) == 20
        h = first.headers
        assert (h["x-page"], h["x-per-page"], h["x-next-page"], h["x-prev-page"]) == (
            "1",
            "20",
            "2",
            "",
        )
        assert (h["x-total"], h["x-total-pages"]) == ("45", "3")
        assert [rel for rel in ("next", "first", "last") if rel in first.links] == [
            "next",
            "first",
            "last",
        ]
        assert (
            first.links["last"]["url"].startswith(server.url)
            and "page=3" in first.links["last"]["url"]
        )
        capped = raw(server, "/api/v4/projects/9/issues", per_page=500, page=1)
        assert len(capped.json()) == 45 and capped.headers["x-per-page"] == "100"
        assert "Link" in capped.headers and "next" not in capped.links
        gl = gitlab.Gitlab(server.url, private_token=TOKEN)
        listing = gl.projects.get(9, lazy=True).issues.list(iterator=True)
        assert len(list(listing)) == 45 and listing.total == 45
        assert server.log.count("gitlab.issues") == 2 + 3  # two raw requests, then 3 pages


def test_python_gitlab_pages_beyond_10000_without_totals() -> None:
    with FakeGitLab(many_issues(10_050), TOKEN) as server:
        gl = gitlab.Gitlab(server.url, private_token=TOKEN, per_page=100)
        listing = gl.projects.get(9, lazy=True).issues.list(iterator=True)
        started = time.perf_counter()
        iids = [i.iid for i in listing]
        assert len(iids) == len(set(iids)) == 10_050
        assert listing.total is None and listing.total_pages is None
        assert server.log.count("gitlab.issues") == 101
        assert time.perf_counter() - started < 30
        last = raw(server, "/api/v4/projects/9/issues", per_page=100, page=101)
        assert "x-total" not in last.headers and "last" not in last.links
        assert last.headers["x-next-page"] == "" and len(last.json()) == 50


# -- auth, headers, conditional requests ----------------------------------------------------
def test_private_token_and_bearer_auth(fake: FakeGitLab) -> None:
    assert gitlab.Gitlab(fake.url, oauth_token=TOKEN).projects.get(1).id == 1
    with pytest.raises(gitlab.GitlabAuthenticationError):
        gitlab.Gitlab(fake.url, private_token="wrong").projects.get(1)
    assert raw(fake, P1).status_code == 200
    assert requests.get(fake.url + P1, timeout=5).status_code == 401
    assert fake.log.count(status=401) == 2


def test_ratelimit_headers_and_304(fake: FakeGitLab) -> None:
    first = raw(fake, P1)
    for name in (
        "RateLimit-Limit",
        "RateLimit-Remaining",
        "RateLimit-Reset",
        "RateLimit-ResetTime",
        "RateLimit-Observed",
        "RateLimit-Name",
    ):
        assert name in first.headers
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    again = requests.get(
        fake.url + P1, headers={"PRIVATE-TOKEN": TOKEN, "If-None-Match": etag}, timeout=5
    )
    assert again.status_code == 304 and again.content == b""
    assert fake.log.not_modified == 1


# -- every fault knob ------------------------------------------------------------------------
def test_latency_fixed_and_jittered_per_endpoint(fake: FakeGitLab) -> None:
    fake.faults.latency(0.2, endpoint="environments")
    fake.faults.latency(0.0, jitter=0.1, endpoint="releases")
    started = time.perf_counter()
    raw(fake, f"{P1}/environments")
    assert time.perf_counter() - started >= 0.2
    started = time.perf_counter()
    raw(fake, P1)
    assert time.perf_counter() - started < 0.2
    raw(fake, f"{P1}/releases")
    slow = [e.seconds for e in fake.log.entries if e.endpoint == "gitlab.releases"]
    assert 0.0 <= slow[0] <= 0.15


def test_5xx_burst_is_retried_only_with_retry_transient_errors(fake: FakeGitLab) -> None:
    fake.faults.status(502, times=2, endpoint="project")
    assert client(fake, retry_transient_errors=True).projects.get(1).id == 1
    assert [e.status for e in fake.log.entries] == [502, 502, 200]
    fake.faults.status(503, times=1, endpoint="project")
    with pytest.raises(gitlab.GitlabGetError) as err:
        client(fake).projects.get(1)
    assert err.value.response_code == 503


def test_429_with_retry_after_is_obeyed(fake: FakeGitLab) -> None:
    fake.faults.add("retry_after", "project", times=1, retry_after=1)
    resp = raw(fake, P1)
    assert resp.status_code == 429 and resp.text == "Retry later\n"
    assert resp.headers["Retry-After"] == "1" and resp.headers["RateLimit-Remaining"] == "0"
    fake.faults.add("retry_after", "project", times=1, retry_after=1)
    started = time.perf_counter()
    assert client(fake).projects.get(1).id == 1
    assert time.perf_counter() - started >= 1.0
    assert fake.log.count(status=429) == 2


def test_429_without_retry_after_waits_for_ratelimit_reset(fake: FakeGitLab) -> None:
    fake.faults.add("retry_after", "project", times=1, header=False, reset_in=1)
    fake.faults.add("primary_rate_limit", "environments", times=1, reset_in=1)
    fake.faults.add("secondary_rate_limit", "releases", times=1, retry_after=0)
    gl = client(fake)
    assert gl.projects.get(1).id == 1
    resp = raw(fake, f"{P1}/environments")
    assert resp.status_code == 429 and "Retry-After" not in resp.headers
    assert int(resp.headers["RateLimit-Reset"]) >= int(time.time())
    resp = raw(fake, f"{P1}/releases")
    assert resp.status_code == 429 and resp.headers["Retry-After"] == "0"
    assert fake.log.count(status=429) == 3


def test_connection_reset_and_truncated_json_are_retried(fake: FakeGitLab) -> None:
    fake.faults.add("connection_reset", "project", times=1)
    fake.faults.add("truncated_json", "environments", times=1)
    gl = client(fake, retry_transient_errors=True)
    assert gl.projects.get(1).id == 1
    envs = list(gl.projects.get(1, lazy=True).environments.list(iterator=True))
    assert len(envs) == 2
    faults = [e.fault for e in fake.log.entries if e.fault]
    assert faults == ["connection_reset", "truncated_json"]


def test_malformed_json_is_a_parsing_error(fake: FakeGitLab) -> None:
    fake.faults.add("malformed_json", "releases", times=1)
    with pytest.raises(gitlab.GitlabParsingError):
        list(client(fake).projects.get(1, lazy=True).releases.list(iterator=True))


def test_fault_after_lets_requests_through_first(fake: FakeGitLab) -> None:
    fake.faults.status(500, times=1, after=2, endpoint="project")
    assert [raw(fake, P1).status_code for _ in range(4)] == [200, 200, 500, 200]
    assert fake.log.count("project") == 4 and fake.log.statuses()[500] == 1


def test_dora_aggregates_daily_rows_as_gitlab_does() -> None:
    """Lead time: median of daily medians — 07-02: MRs of 1 h and 3 h → 2 h; 07-03: 10 h →
    median(2 h, 10 h) = 6 h, where a median over MRs would say 3 h. CFR in August: two
    incidents, no deployment → 2 / GREATEST(0, 1) = 2.0."""
    from datetime import UTC, datetime

    from tests.fakeforge.builder import RepoBuilder
    from tests.fakeforge.scenario import Org, Scenario

    def t(day: int, hour: int, month: int = 7) -> datetime:
        return datetime(2026, month, day, hour, tzinfo=UTC)

    b = RepoBuilder("solo/app", 1)
    b.commit("Initial commit", t(1, 0))
    b.pull("A", t(1, 1), t(2, 9), commits=1)
    b.pull("B", t(1, 2), t(2, 7), commits=1)
    b.deploy(t(2, 10) - timedelta(minutes=5))  # finishes 10:00: 1 h and 3 h
    b.pull("C", t(2, 12), t(3, 0), commits=1)
    b.deploy(t(3, 10) - timedelta(minutes=5))  # finishes 10:00: 10 h
    b.issue("Outage", t(1, 9, 8), t(1, 10, 8), incident=True)
    b.issue("Outage again", t(2, 9, 8), t(2, 13, 8), incident=True)
    scenario = Scenario([Org("solo", 1, [b.build()])])
    with FakeGitLab(scenario, TOKEN) as server:
        gl = gitlab.Gitlab(server.url, private_token=TOKEN)

        def value(metric: str, start: str, end: str) -> object:
            query = {"metric": metric, "start_date": start, "end_date": end, "interval": "all"}
            return gl.http_get("/projects/1/dora/metrics", query_data=query)[0]["value"]

        assert value("lead_time_for_changes", "2026-07-01", "2026-07-31") == 6 * 3600
        assert value("change_failure_rate", "2026-08-01", "2026-08-31") == 2.0
        assert value("time_to_restore_service", "2026-08-01", "2026-08-31") == 2.5 * 3600
        assert value("change_failure_rate", "2026-09-01", "2026-09-30") is None
