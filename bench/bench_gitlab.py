"""GitLab source benchmark (issue 6): requests vs the minimum, wall time vs a naive loop.

A generated group of ``REPOS`` projects over 2026Q3, 50 ms latency on every request of
FakeGitLab.

* ours: ``GitLabSource`` over all projects, ``CONCURRENCY`` at a time (as the collector
  runs it), then a no-change re-run with the same checkpoints;
* minimum: for every listing our run made, ``ceil(items / 100)`` pages (at least one),
  plus the single-object requests — what perfect paging of the same reads would cost;
* naive: a sequential python-gitlab loop as a script would write it (default page size,
  ``get_all=True``): deployments → their MRs → MR commits, then incidents.

Run: ``PYTHONPATH=src .venv/bin/python bench/bench_gitlab.py``. Prints figures; asserts nothing.
"""

from __future__ import annotations

import math
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import gitlab  # noqa: E402
from tests.fakeforge.builder import generate  # noqa: E402
from tests.fakeforge.gitlab import FakeGitLab  # noqa: E402
from tests.fakeforge.gitlab_scenarios import at, many_issues  # noqa: E402

from opsmaturity.records import Deployment  # noqa: E402
from opsmaturity.sources.base import MemoryCheckpoints, Window  # noqa: E402
from opsmaturity.sources.gitlab import GitLabSource  # noqa: E402
from opsmaturity.sources.gitlab_api import GitLabAPI  # noqa: E402

REPOS, DEPLOYMENTS, COMMITS = 8, 30, 120
LATENCY, CONCURRENCY = 0.05, 8
TOKEN = "bench-token"
WINDOW = Window(at(6, 1), at(10, 1))


class CountingAPI(GitLabAPI):
    """Counts items per listing, to work out the minimum number of pages."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.listings: list[int] = []
        self.gets = 0

    def iter(self, path: str, what: str, **params: Any) -> Any:
        size = int(params.get("per_page", 100))
        count = 0
        try:
            for item in super().iter(path, what, **params):
                count += 1
                yield item
        finally:  # also when the caller stops early (a probe reading one item)
            self.listings.append(max(1, math.ceil(count / size)))

    def get(self, path: str, what: str, **params: Any) -> Any:
        self.gets += 1
        return super().get(path, what, **params)


def ours(source: GitLabSource) -> float:
    started = time.perf_counter()
    repos = source.repositories()

    def one(repo: Any) -> None:
        deps = [d for d in source.deployments(repo, WINDOW) if isinstance(d, Deployment)]
        list(source.changes(repo, deps))
        list(source.incidents(repo, WINDOW))

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(one, repos))
    return time.perf_counter() - started


def naive(url: str) -> float:
    started = time.perf_counter()
    gl = gitlab.Gitlab(url, private_token=TOKEN)
    for project in gl.groups.get("acme", lazy=True).projects.list(get_all=True):
        p = gl.projects.get(project.id, lazy=True)
        for dep in p.deployments.list(get_all=True, environment="production"):
            for mr in dep.mergerequests.list(get_all=True):
                p.mergerequests.get(mr.iid, lazy=True).commits(get_all=True)
        p.issues.list(get_all=True, issue_type="incident")
    return time.perf_counter() - started


def paging(items: int = 10_050) -> None:
    """python-gitlab paging beyond GitLab's 10,000 count limit (no totals), no latency."""
    with FakeGitLab(many_issues(items), TOKEN) as fake:
        gl = gitlab.Gitlab(fake.url, private_token=TOKEN, per_page=100)
        started = time.perf_counter()
        listing = gl.projects.get(9, lazy=True).issues.list(iterator=True)
        count = sum(1 for _ in listing)
        seconds = time.perf_counter() - started
        print(
            f"paging:  python-gitlab read {count} issues in {fake.log.total} requests, "
            f"{seconds:.1f} s (x-total: {listing.total})"
        )


def main() -> None:
    scenario = generate(7, repos=REPOS, deployments=DEPLOYMENTS, commits=COMMITS)
    with FakeGitLab(scenario, TOKEN) as fake:
        fake.faults.latency(LATENCY)
        api = CountingAPI(fake.url, TOKEN, "GITLAB_TOKEN")
        source = GitLabSource("gitlab", api, group="acme")
        source.checkpoints = MemoryCheckpoints()
        seconds = ours(source)
        requests = fake.log.total
        minimum = sum(api.listings) + api.gets
        fake.log.reset()
        rerun_seconds = ours(source)
        rerun = fake.log.total
        fake.log.reset()
        naive_seconds = naive(fake.url)
        naive_requests = fake.log.total
    print(
        f"scenario: {REPOS} projects, ~{DEPLOYMENTS} production deployments and "
        f"~{COMMITS} commits each, {LATENCY * 1000:.0f} ms latency per request"
    )
    print(
        f"ours:    {requests} requests (minimum paginated count {minimum}), "
        f"{seconds:.1f} s with {CONCURRENCY} projects at a time"
    )
    print(f"re-run:  {rerun} requests, {rerun_seconds:.1f} s (nothing changed)")
    print(
        f"naive:   {naive_requests} requests, {naive_seconds:.1f} s sequential python-gitlab "
        f"(per_page 20) — ours is {naive_seconds / seconds:.1f}x faster"
    )


if __name__ == "__main__":
    main()
    paging()
