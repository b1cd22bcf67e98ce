"""GitLab source benchmark (issues 6 and 15): ours beside the REST floor, the data floor
and a naive loop, per endpoint.

A generated group of 50 projects over 2026Q3 (~5,000 production deployments; ~310 landed
commits per project, ~20,000 default-branch commits with merge and branch commits — the
GitHub bench's scale), 50 ms latency injected on every request of FakeGitLab.

* ours: ``GitLabSource`` through the collector (8 projects at a time) as a default config
  builds it (``lead_time_start: commit``: no per-MR commit lists), then a no-change re-run
  with the same store (incremental: ``updated_after`` the checkpoints' high-water marks;
  python-gitlab sends no conditional requests, so there are no 304s);
* REST floor (issue 15), per project in pages of 100 (an empty list still costs one):
  environments; the production deployment pages (they carry status and finish time) and
  the last success before the window; the default branch's history once, from the newest
  deployed SHA back to the look-back start; merged MRs in the window; incident issues
  (one listing); plus the group's project list;
* data floor: ceil(items / 100) per resource and project;
* naive: a sequential python-gitlab loop as a script would write it (python-gitlab's
  default page size of 20, ``get_all=True``): deployments → their MRs → MR commits, then
  incidents (no environments, baseline or compare: it reads less than ours, and misses
  direct pushes and merge commits). On ``--naive-repos`` projects only, extrapolated
  linearly to all (it says so).

Run: ``PYTHONPATH=src .venv/bin/python -u bench/bench_gitlab.py [--repos 50]
[--deployments 100] [--commits 310] [--latency 0.05] [--naive-repos 10]``. Prints
figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import math
import resource
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import gitlab  # noqa: E402
from tests.fakeforge import (  # noqa: E402
    FakeForge,
    Repo,
    Scenario,
    generate,
)
from tests.fakeforge.gitlab import FakeGitLab  # noqa: E402
from tests.fakeforge.gitlab_render_ci import (  # noqa: E402
    deployment_finished,
    deployment_status,
    deployment_updated,
)
from tests.fakeforge.gitlab_scenarios import many_issues  # noqa: E402

from opsmaturity.collect import collect  # noqa: E402
from opsmaturity.config import GitLabSource as GitLabConfig  # noqa: E402
from opsmaturity.sources.base import Window  # noqa: E402
from opsmaturity.sources.gitlab import GitLabSource  # noqa: E402
from opsmaturity.sources.gitlab.changes import HISTORY_MARGIN  # noqa: E402
from opsmaturity.store import Store  # noqa: E402

START, END = datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC)
WINDOW = Window(START - timedelta(days=45), END)
TOKEN = "bench-token"
#: Endpoints in the order the table prints them (others follow).
ORDER = [
    "group_projects",
    "environments",
    "deployments",
    "commits",
    "compare",
    "merge_requests",
    "merge_request_commits",
    "deployment_merge_requests",
    "group_issues",
    "issues",
]


def pages(items: int) -> int:
    return max(1, math.ceil(items / 100))


def floors(scenario: Scenario, window: Window) -> tuple[Counter[str], Counter[str]]:
    """(REST floor, data floor) by endpoint, counted from the scenario."""
    rest: Counter[str] = Counter({"group_projects": pages(len(scenario.repos))})
    data: Counter[str] = Counter({"group_projects": pages(len(scenario.repos))})
    for repo in scenario.repos:
        listed, history, merged, incidents = _resources(repo, window)
        rest.update(
            {
                "environments": 1,
                "deployments": pages(len(listed)) + 1,  # + the last success before
                "commits": pages(len(history)),
                "merge_requests": pages(len(merged)),
                "issues": pages(len(incidents)),
            }
        )
        data.update(
            {
                "environments": 1,
                "deployments": pages(len(listed) + 1),
                "commits": pages(len(history)),
                "merge_requests": pages(len(merged)),
                "issues": pages(len(incidents)),
            }
        )
    return rest, data


def _resources(repo: Repo, window: Window) -> tuple[list, list, list, list]:
    """Production deployments listed, history read, merged MRs, incident issues."""
    prod = [d for d in repo.deployments if d.environment == "production"]
    listed = [d for d in prod if deployment_updated(d) >= window.since]
    done = sorted(
        (d for d in prod if deployment_status(d) == "success" and deployment_finished(d)),
        key=lambda d: (deployment_finished(d), d.id),
    )
    shipping = [d for d in done if deployment_finished(d) < window.until]  # type: ignore[operator]
    history: list = []
    if shipping:
        since = min([window.since, *(d.created_at for d in shipping)]) - HISTORY_MARGIN
        history = [c for c in repo.history(shipping[-1].sha) if c.committed_at >= since]
    merged = [p for p in repo.pulls if p.merged_at and p.merged_at >= window.since]
    incidents = [
        i
        for i in repo.issues
        if (i.issue_type == "incident" or "incident" in i.labels) and i.updated_at >= window.since
    ]
    return listed, history, merged, incidents


def run_ours(server: FakeForge, store: Store, concurrency: int) -> tuple[float, Counter[str]]:
    cfg = GitLabConfig(kind="gitlab", group="acme", base_url=server.url, token_env="BENCH_TOKEN")
    source = GitLabSource.from_config(
        cfg, "gitlab", env={"BENCH_TOKEN": server.token}, first_commits=False
    )
    server.log.reset()
    started = time.perf_counter()
    collect(source, store, WINDOW, concurrency=concurrency)
    seconds = time.perf_counter() - started
    source.close()
    return seconds, _by_endpoint(server)


def _by_endpoint(server: FakeForge) -> Counter[str]:
    return Counter({e.split(".", 1)[-1]: n for e, n in server.log.by_endpoint().items()})


def table(columns: dict[str, Counter[str]]) -> None:
    """Requests per endpoint, one column per way of reading, with totals."""
    first = [e for e in ORDER if any(c[e] for c in columns.values())]
    names = first + sorted({e for c in columns.values() for e in c} - set(first))
    print(f"  {'endpoint':<26}" + "".join(f"{h:>14}" for h in columns))
    for name in names:
        print(f"  {name:<26}" + "".join(f"{c[name]:>14,}" for c in columns.values()))
    print(f"  {'total':<26}" + "".join(f"{sum(c.values()):>14,}" for c in columns.values()))


def run_naive(server: FakeForge, repos: int) -> tuple[float, Counter[str]]:
    gl = gitlab.Gitlab(server.url, private_token=server.token)
    server.log.reset()
    started = time.perf_counter()
    projects = gl.groups.get("acme", lazy=True).projects.list(get_all=True, order_by="path")
    for project in sorted(projects, key=lambda p: p.path)[:repos]:
        p = gl.projects.get(project.id, lazy=True)
        for dep in p.deployments.list(get_all=True, environment="production"):
            for mr in dep.mergerequests.list(get_all=True):
                p.mergerequests.get(mr.iid, lazy=True).commits(get_all=True)
        p.issues.list(get_all=True, issue_type="incident")
    return time.perf_counter() - started, _by_endpoint(server)


def paging(items: int = 10_050) -> None:
    """python-gitlab paging beyond GitLab's 10,000 count limit (no totals), no latency."""
    with FakeGitLab(many_issues(items), TOKEN) as fake:
        gl = gitlab.Gitlab(fake.url, private_token=TOKEN, per_page=100)
        started = time.perf_counter()
        listing = gl.projects.get(9, lazy=True).issues.list(iterator=True)
        count = sum(1 for _ in listing)
        seconds = time.perf_counter() - started
        print(
            f"paging:   python-gitlab read {count} issues in {fake.log.total} requests, "
            f"{seconds:.1f} s (x-total: {listing.total})"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repos", type=int, default=50)
    parser.add_argument("--deployments", type=int, default=100)
    parser.add_argument("--commits", type=int, default=310, help="landed per project")
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--naive-repos", type=int, default=10, help="0: all")
    parser.add_argument("--profile", action="store_true", help="requests per endpoint")
    args = parser.parse_args()
    scenario = generate(
        7,
        repos=args.repos,
        deployments=args.deployments,
        commits=args.commits,
        start=START,
        end=END,
    )
    deployments = sum(
        1 for r in scenario.repos for d in r.deployments if d.environment == "production"
    )
    commits = sum(len(r.history(r.branches[r.default_branch])) for r in scenario.repos)
    print(
        f"group: {args.repos} projects, {deployments} production deployments, {commits} "
        f"commits, {args.latency * 1000:.0f} ms latency per request"
    )
    rest, data = floors(scenario, WINDOW)
    with FakeGitLab(scenario, token=TOKEN) as server:
        server.faults.latency(args.latency)
        store = Store(":memory:")
        seconds, ours = run_ours(server, store, args.concurrency)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        again, rerun = run_ours(server, store, args.concurrency)
        naive_repos = min(args.naive_repos or args.repos, args.repos)
        naive, naive_counts = run_naive(server, naive_repos)
    scale = args.repos / naive_repos
    naive_all = Counter({e: round(n * scale) for e, n in naive_counts.items()})
    label = "naive" if scale == 1 else f"naive (x{scale:.0f})"
    table({"ours": ours, "REST floor": rest, "data floor": data, label: naive_all})
    total = sum(ours.values())
    print(
        f"ours:     {total:,} requests in {seconds:.1f} s with {args.concurrency} projects at "
        f"a time = {total / sum(rest.values()):.2f}x the REST floor, "
        f"{total / sum(data.values()):.2f}x the data floor; stored {store.count()}"
    )
    shared = rerun["group_projects"] + rerun["group_issues"]
    print(
        f"re-run:   {sum(rerun.values())} requests in {again:.1f} s: "
        f"{(sum(rerun.values()) - shared) / args.repos:.2f} per project + {shared} group-wide "
        f"({dict(rerun)})"
    )
    print(
        f"naive:    {sum(naive_counts.values()):,} requests in {naive:.1f} s for {naive_repos} "
        f"projects (sequential python-gitlab, per_page 20)"
        + (
            f" (x{scale:.0f}, extrapolated linearly → ~{naive * scale:.0f} s for all)"
            if scale != 1
            else ""
        )
    )
    print(f"speed-up: {naive * scale / seconds:.1f}x faster than the naive loop")
    print(f"memory:   peak RSS {peak:.0f} MB (this process, the fake server included)")
    paging()


if __name__ == "__main__":
    main()
