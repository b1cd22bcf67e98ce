"""GitHub GraphQL benchmark (issue #15): requests and points vs the data floor, wall time
vs the naive loop, the no-change re-run, peak memory.

The scenario of ``bench_github.py``: a generated org of 50 repositories over 2026Q3
(~5,000 production deployments, ~15,000 default-branch commits), 50 ms latency injected
on every request of FakeGitHub (REST and GraphQL alike).

* ours: the GitHub source with ``api: graphql`` through the collector (8 repositories at
  a time), then a no-change re-run with the same store;
* data floor: ceil(items/100) per resource per repository (an empty list still costs one):
  production deployments down to the last success before the window, the default
  branch's commits from the newest deployed commit back to the look-back start, merged
  pull requests updated in the window, incident issues; plus the organization's pages;
* naive: ``bench_github.run_naive`` (a sequential PyGithub loop, per_page 30).

Run: ``PYTHONPATH=src .venv/bin/python bench/bench_github_graphql.py [--repos 50]
[--latency 0.05] [--naive-repos N]``. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import math
import resource
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_github import END, START, WINDOW, run_naive  # noqa: E402
from tests.fakeforge import Repo, Scenario, generate  # noqa: E402
from tests.fakeforge.github import FakeGitHub  # noqa: E402

from opsmaturity.collect import collect  # noqa: E402
from opsmaturity.config import GitHubSource as GitHubConfig  # noqa: E402
from opsmaturity.sources.base import Window  # noqa: E402
from opsmaturity.sources.github.graphql_source import GitHubGraphQLSource  # noqa: E402
from opsmaturity.store import Store  # noqa: E402


def pages(items: int) -> int:
    return max(1, math.ceil(items / 100))


def data_floor(scenario: Scenario, window: Window) -> Counter[str]:
    """Pages of 100 per resource, summed over repositories (see the module docstring)."""
    floor: Counter[str] = Counter(repositories=pages(len(scenario.repos)))
    for repo in scenario.repos:
        for resource_name, items in _items(repo, window).items():
            floor[resource_name] += pages(items)
    return floor


def _items(repo: Repo, window: Window) -> dict[str, int]:
    prod = sorted(
        (
            d
            for d in repo.deployments
            if d.environment == "production" and d.final_state != "pending"
        ),
        key=lambda d: (d.created_at, d.id),
        reverse=True,
    )
    finished = [(d, [s for s in d.statuses if s.state != "inactive"][-1].at) for d in prod]
    before = next(
        (
            i
            for i, (d, at) in enumerate(finished)
            if at < window.since and d.final_state == "success"
        ),
        len(prod) - 1,
    )
    successes = [d for d, at in finished if d.final_state == "success" and at < window.until]
    newest = successes[0].sha if successes else None
    commits = [c for c in repo.history(newest) if c.committed_at >= window.since] if newest else []
    merged = [p for p in repo.pulls if p.merged_at and window.since <= p.updated_at < window.until]
    incidents = [
        i
        for i in repo.issues
        if "incident" in i.labels and (i.updated_at >= window.since or i.state == "open")
    ]
    return {
        "deployments": before + 1,
        "commits": len(commits),
        "pull requests": len(merged),
        "incident issues": len(incidents),
    }


def run_ours(server: FakeGitHub, store: Store) -> tuple[float, Counter[str], int]:
    cfg = GitHubConfig(
        kind="github", org="acme", base_url=server.api, token_env="BENCH_TOKEN", api="graphql"
    )
    source = GitHubGraphQLSource.from_config(cfg, "github", env={"BENCH_TOKEN": server.token})
    server.log.reset()
    server.graphql_costs.clear()
    started = time.perf_counter()
    collect(source, store, WINDOW, concurrency=cfg.concurrency)
    seconds = time.perf_counter() - started
    source.close()
    return seconds, Counter(server.log.by_endpoint()), sum(server.graphql_costs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repos", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--naive-repos", type=int, default=None)
    args = parser.parse_args()
    scenario = generate(3, repos=args.repos, deployments=100, commits=310, start=START, end=END)
    floor = data_floor(scenario, WINDOW)
    print(f"org: {args.repos} repos, {args.latency * 1000:.0f} ms latency per request")
    print(
        "data floor: "
        + ", ".join(f"{v} {k}" for k, v in floor.items())
        + f" = {sum(floor.values())} requests"
    )
    with FakeGitHub(scenario, token="bench-token") as server:
        server.faults.latency(args.latency)
        store = Store(":memory:")
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        seconds, by_endpoint, points = run_ours(server, store)
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        requests = sum(by_endpoint.values())
        total_floor = sum(floor.values())
        print(
            f"ours:     {requests} requests ({dict(by_endpoint)}), {points} points, "
            f"in {seconds:.1f} s; {requests / total_floor:.2f}x the data floor"
        )
        print(
            f"          stored: {store.count()}; peak RSS {rss_after / 1024:.0f} MB "
            f"(+{(rss_after - rss_before) / 1024:.0f} MB during the run, fake server included)"
        )
        again, again_by, again_points = run_ours(server, store)
        again_requests = sum(again_by.values())
        print(
            f"re-run:   {again_requests} requests, {again_points} points in {again:.1f} s, "
            f"{again_requests / args.repos:.2f} per repository"
        )
        naive_repos = args.naive_repos or args.repos
        naive, naive_requests = run_naive(server, naive_repos)
        scale = args.repos / naive_repos
        print(
            f"naive:    {naive_requests} requests in {naive:.1f} s for {naive_repos} repos"
            + (f" (x{scale:.1f} → ~{naive * scale:.0f} s for all)" if scale != 1 else "")
        )
        print(f"speed-up: {naive * scale / seconds:.1f}x faster than the naive loop")


if __name__ == "__main__":
    main()
