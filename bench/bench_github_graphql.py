"""GitHub GraphQL benchmark (issue #15): requests and points vs the data floor, wall time
vs the naive loop, the no-change re-run, peak memory.

The scenario of ``bench_github.py``: a generated org of 50 repositories over 2026Q3
(~5,000 production deployments, ~15,000 default-branch commits), 50 ms latency injected
on every request of FakeGitHub (REST and GraphQL alike).

* ours: the GitHub source with ``api: graphql`` through the collector (8 repositories at
  a time), then a no-change re-run with the same store;
* data floor: ``bench_github.floors``' — ceil(items/100) per resource per repository (an
  empty list still costs one): production deployments down to the last success before
  the window, the default branch's commits from the newest deployed commit back to the
  look-back start, merged pull requests, incident issues; plus the organization's pages;
* naive: ``bench_github.run_naive`` (a sequential PyGithub loop, per_page 30).

As ``bench_github.py``, the source is built as a default config builds it
(``lead_time_start: commit``: no pull-request commit lists).

Run: ``PYTHONPATH=src .venv/bin/python bench/bench_github_graphql.py [--repos 50]
[--latency 0.05] [--naive-repos N]``. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_github import END, START, WINDOW, floors, run_naive  # noqa: E402
from tests.fakeforge import generate  # noqa: E402
from tests.fakeforge.github import FakeGitHub  # noqa: E402

from opsmaturity.collect import collect  # noqa: E402
from opsmaturity.config import GitHubSource as GitHubConfig  # noqa: E402
from opsmaturity.sources.github.graphql_source import GitHubGraphQLSource  # noqa: E402
from opsmaturity.store import Store  # noqa: E402


def run_ours(server: FakeGitHub, store: Store) -> tuple[float, Counter[str], int]:
    cfg = GitHubConfig(
        kind="github", org="acme", base_url=server.api, token_env="BENCH_TOKEN", api="graphql"
    )
    source = GitHubGraphQLSource.from_config(
        cfg, "github", env={"BENCH_TOKEN": server.token}, first_commits=False
    )
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
    parser.add_argument("--naive-repos", type=int, default=10, help="0: all")
    args = parser.parse_args()
    scenario = generate(3, repos=args.repos, deployments=100, commits=310, start=START, end=END)
    floor = floors(scenario, WINDOW)[1]
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
        naive_repos = min(args.naive_repos or args.repos, args.repos)
        naive, naive_counts = run_naive(server, naive_repos)
        naive_requests = sum(naive_counts.values())
        scale = args.repos / naive_repos
        print(
            f"naive:    {naive_requests} requests in {naive:.1f} s for {naive_repos} repos"
            + (f" (x{scale:.1f} → ~{naive * scale:.0f} s for all)" if scale != 1 else "")
        )
        print(f"speed-up: {naive * scale / seconds:.1f}x faster than the naive loop")


if __name__ == "__main__":
    main()
