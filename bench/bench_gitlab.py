"""GitLab source benchmark (issue 6): ours vs the minimum request count vs a naive loop.

A generated group of 50 projects over 2026Q3 (~5,000 production deployments; ~310 landed
commits per project, ~20,000 default-branch commits with merge and branch commits — the
GitHub bench's scale), 50 ms latency injected on every request of FakeGitLab.

* ours: ``GitLabSource`` through the collector (8 projects at a time), then a no-change
  re-run with the same store (incremental: ``updated_after`` the checkpoints' high-water
  marks; python-gitlab sends no conditional requests, so there are no 304s);
* minimum: the fewest paginated requests (per_page=100) that return the same records,
  counted from the scenario (not from our log) for the same way of reading GitLab:
  environments, the production deployments (+ the last success before the window), per
  successful deployment one ``compare`` with the previous success (its commit list: every
  commit shipped, direct pushes and merge commits included; none when the SHA is the
  same; GitLab's compare is one uncapped response for an authenticated caller) and, where
  it shipped commits, its merge requests; each of those MRs' commits once (GitLab has no
  bulk endpoint for either); the merged-MR index where a deployment shipped commits but
  GitLab linked no MR; a deployment with no predecessor, its MRs only; and the incident
  listings the config asks for (type and each label; GitLab's issues API has no OR). Not
  counted: the detection probe (one ``per_page=1`` deployments request per production
  environment, once per project, remembered in a checkpoint);
* naive: a sequential python-gitlab loop as a script would write it (python-gitlab's
  default page size of 20, ``get_all=True``): deployments → their MRs → MR commits, then
  incidents (no environments, baseline or compare: it reads less than ours, and misses
  direct pushes and merge commits). On ``--naive-repos`` projects only, extrapolated
  linearly to all (it says so).

Run: ``PYTHONPATH=src .venv/bin/python bench/bench_gitlab.py [--repos 50]
[--deployments 100] [--commits 310] [--latency 0.05] [--naive-repos 10] [--profile]``.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import gitlab  # noqa: E402
from tests.fakeforge import (  # noqa: E402
    Deployment,
    FakeForge,
    Issue,
    Pull,
    Repo,
    Scenario,
    generate,
)
from tests.fakeforge.gitlab import FakeGitLab  # noqa: E402
from tests.fakeforge.gitlab_dora import deployed_merge_requests  # noqa: E402
from tests.fakeforge.gitlab_render import mr_commits  # noqa: E402
from tests.fakeforge.gitlab_render_ci import (  # noqa: E402
    deployment_finished,
    deployment_status,
    deployment_updated,
)
from tests.fakeforge.gitlab_scenarios import many_issues  # noqa: E402

from opsmaturity.collect import collect  # noqa: E402
from opsmaturity.config import GitLabSource as GitLabConfig  # noqa: E402
from opsmaturity.config import IncidentDetection  # noqa: E402
from opsmaturity.sources.base import Window  # noqa: E402
from opsmaturity.sources.gitlab import GitLabSource  # noqa: E402
from opsmaturity.sources.gitlab.changes import MR_LOOKBACK  # noqa: E402
from opsmaturity.store import Store  # noqa: E402

START, END = datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC)
WINDOW = Window(START - timedelta(days=45), END)
TOKEN = "bench-token"


def pages(items: int) -> int:
    return max(1, math.ceil(items / 100))


def minimum_requests(scenario: Scenario, window: Window) -> int:
    """Fewest requests for the same records, per_page=100, counted from the data."""
    total = pages(len(scenario.repos))
    for repo in scenario.repos:
        total += _minimum_for(repo, window)
    return total


def _minimum_for(repo: Repo, window: Window) -> int:
    prod = [d for d in repo.deployments if d.environment == "production"]
    listed = [d for d in prod if deployment_updated(d) >= window.since]
    requests = 1 + 1 + pages(len(listed))  # environments, last success before, the listing
    done = sorted(
        (d for d in prod if deployment_status(d) == "success" and deployment_finished(d)),
        key=lambda d: (deployment_finished(d), d.id),
    )
    before = [d for d in done if deployment_finished(d) < window.since]  # type: ignore[operator]
    shipped = [d for d in done if _inside(d, window)]
    previous = before[-1] if before else None  # the baseline: the first one's diff base
    mrs: dict[int, Pull] = {}
    indexed = False
    for dep in shipped:
        linked = deployed_merge_requests(repo, dep)
        if previous is None:  # nothing to compare with: the deployment's MRs only
            requests += pages(len(linked))
            mrs.update((p.number, p) for p in linked)
        elif previous.sha != dep.sha:
            requests += 1  # compare with the previous success (one response, uncapped)
            if dep.sha not in repo.ancestors(previous.sha):  # it shipped commits
                requests += pages(len(linked))
                mrs.update((p.number, p) for p in linked)
                indexed = indexed or not linked
        previous = dep
    requests += sum(pages(len(mr_commits(p))) for p in mrs.values())  # each MR's, once
    if indexed:  # merged MRs index, to tell an unlinked squash commit from a direct push
        since = min(d.created_at for d in before[-1:] + listed) - MR_LOOKBACK
        merged = [p for p in repo.pulls if p.merged_at and p.merged_at >= since]
        requests += pages(len(merged))
    rules = IncidentDetection()  # type: ignore[call-arg]
    chosen: list[Callable[[Issue], bool]] = [lambda i: i.issue_type == "incident"]
    chosen += [_labelled(label) for label in rules.labels]
    return requests + sum(_incident_listings(repo, window, f) for f in chosen)


def shipped_commits(scenario: Scenario, window: Window) -> int:
    """Distinct change records a complete run stores: every commit the window's successful
    deployments shipped past their predecessor, whatever its MR; a repository's very first
    deployment (nothing to compare with) ships its MRs' commits only."""
    total = 0
    for repo in scenario.repos:
        done = sorted(
            (
                d
                for d in repo.deployments
                if d.environment == "production" and deployment_status(d) == "success"
            ),
            key=lambda d: (deployment_finished(d), d.id),
        )
        before = [d for d in done if deployment_finished(d) < window.since]  # type: ignore[operator]
        inside = [d for d in done if _inside(d, window)]
        old = set().union(*(repo.ancestors(d.sha) for d in before + done[:1]))
        new = set().union(*(repo.ancestors(d.sha) for d in inside))
        first = {s for p in deployed_merge_requests(repo, done[0]) for s in mr_commits(p)}
        total += len(new - old) + (len(first) if done[0] in inside else 0)
    return total


def _labelled(label: str) -> Callable[[Issue], bool]:
    return lambda issue: label in issue.labels


def _inside(dep: Deployment, window: Window) -> bool:
    finished = deployment_finished(dep)
    return finished is not None and window.since <= finished < window.until


def _incident_listings(repo: Repo, window: Window, chosen: Callable[[Issue], bool]) -> int:
    """One incident filter (the type, or a label) × (updated in the window, opened before
    it and still open): GitLab's issues API has no OR across filters."""
    incidents = [i for i in repo.issues if chosen(i)]
    updated = [i for i in incidents if i.updated_at >= window.since]
    still_open = [i for i in incidents if i.state == "open" and i.created_at < window.since]
    return pages(len(updated)) + pages(len(still_open))


def run_ours(server: FakeForge, store: Store, concurrency: int) -> tuple[float, int, int]:
    cfg = GitLabConfig(kind="gitlab", group="acme", base_url=server.url, token_env="BENCH_TOKEN")
    source = GitLabSource.from_config(cfg, "gitlab", env={"BENCH_TOKEN": server.token})
    server.log.reset()
    started = time.perf_counter()
    collect(source, store, WINDOW, concurrency=concurrency)
    seconds = time.perf_counter() - started
    source.close()
    return seconds, server.log.total, server.log.not_modified


def run_naive(server: FakeForge, repos: int) -> tuple[float, int]:
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
    return time.perf_counter() - started, server.log.total


def profile(server: FakeForge, label: str) -> None:
    """Requests per endpoint, to see where a run spends them."""
    counts = server.log.by_endpoint().most_common()
    print(f"  {label} by endpoint: " + ", ".join(f"{e.split('.', 1)[-1]} {n}" for e, n in counts))


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
    minimum = minimum_requests(scenario, WINDOW)
    with FakeGitLab(scenario, token=TOKEN) as server:
        server.faults.latency(args.latency)
        store = Store(":memory:")
        seconds, requests, _ = run_ours(server, store, args.concurrency)
        print(
            f"ours:     {requests} requests in {seconds:.1f} s with {args.concurrency} "
            f"projects at a time (minimum {minimum}; ratio {requests / minimum:.2f}x)"
        )
        if args.profile:
            profile(server, "ours")
        print(f"          stored: {store.count()}")
        print(
            f"          changes expected (every commit shipped): {shipped_commits(scenario, WINDOW)}"
        )
        again, again_requests, not_modified = run_ours(server, store, args.concurrency)
        shared = server.log.count("group_projects")
        print(
            f"re-run:   {again_requests} requests ({not_modified} were 304) in {again:.1f} s, "
            f"{again_requests / args.repos:.2f} per project "
            f"({(again_requests - shared) / args.repos:.2f} + {shared} group listing)"
        )
        if args.profile:
            profile(server, "re-run")
        naive_repos = min(args.naive_repos or args.repos, args.repos)
        naive, naive_requests = run_naive(server, naive_repos)
        scale = args.repos / naive_repos
        print(
            f"naive:    {naive_requests} requests in {naive:.1f} s for {naive_repos} projects "
            f"(sequential python-gitlab, per_page 20)"
            + (
                f" (x{scale:.1f}, extrapolated linearly → ~{naive * scale:.0f} s for all)"
                if scale != 1
                else ""
            )
        )
        if args.profile:
            profile(server, "naive")
        print(f"speed-up: {naive * scale / seconds:.1f}x faster than the naive loop")
    paging()


if __name__ == "__main__":
    main()
