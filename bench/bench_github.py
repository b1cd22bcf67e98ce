"""GitHub source benchmark (issue 5): ours vs the minimum request count vs a naive loop.

A generated org of 50 repositories over 2026Q3 (~5,000 production deployments, ~18,500
default-branch commits), 50 ms latency injected on every request of FakeGitHub.

* ours: ``GitHubSource`` through the collector (8 repositories at a time), then a
  no-change re-run with the same store (conditional requests → 304s);
* minimum: the fewest paginated requests (per_page=100) that return the same data,
  computed from the scenario;
* naive: a sequential PyGithub loop (repos → deployments → statuses → compare) with
  PyGithub's defaults (per_page 30) but without its 0.25 s throttle.

Run: ``PYTHONPATH=src .venv/bin/python bench/bench_github.py [--repos 50] [--latency 0.05]
[--naive-repos N]``. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from github import Auth, Github  # noqa: E402
from tests.fakeforge import Repo, Scenario, generate  # noqa: E402
from tests.fakeforge.github import FakeGitHub  # noqa: E402

from opsmaturity.collect import collect  # noqa: E402
from opsmaturity.config import GitHubSource as GitHubConfig  # noqa: E402
from opsmaturity.sources.base import Window  # noqa: E402
from opsmaturity.sources.github import GitHubSource  # noqa: E402
from opsmaturity.store import Store  # noqa: E402

START, END = datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC)
WINDOW = Window(START - timedelta(days=45), END)


def minimum_requests(scenario: Scenario, window: Window) -> int:
    """Fewest requests for the same records, per_page=100, counted from the data."""
    total = math.ceil(len(scenario.repos) / 100)
    for repo in scenario.repos:
        total += _minimum_for(repo, window)
    return total


def _minimum_for(repo: Repo, window: Window) -> int:
    deps = sorted(repo.deployments, key=lambda d: (d.created_at, d.id), reverse=True)
    prod = [d for d in deps if d.environment == "production" and d.final_state != "pending"]
    inside = [d for d in prod if window.since <= _final_at(d) < window.until]
    before = next(
        (d for d in prod if _final_at(d) < window.since and d.final_state == "success"), None
    )
    listed = deps.index(before) + 1 if before else len(deps)
    bases = [before] if before else []
    # list pages + one status list per production deployment considered
    requests = max(1, math.ceil(listed / 100)) + len(inside) + len(bases)
    successes = sorted([d for d in inside if d.final_state == "success"] + bases, key=_final_at)
    shas: set[str] = set()
    for prev, cur in zip(successes, successes[1:], strict=False):
        ahead = [c.sha for c in repo.history(cur.sha) if c.sha not in repo.ancestors(prev.sha)]
        shas.update(ahead)
        requests += max(1, math.ceil(len(ahead) / 100)) if prev.sha != cur.sha else 0
    oldest = min(c.committed_at for c in repo.commits if c.sha in shas)
    closed = [p for p in repo.pulls if p.state != "open" and p.updated_at >= oldest]
    requests += max(1, math.ceil(len(closed) / 100))
    used = [p for p in repo.pulls if p.merged_at and set(p.landed) & shas]
    requests += sum(1 for p in used if len(p.landed) == 1 and p.merge_style != "merge")
    return requests + 2  # incident issues: updated in the window + still open


def _final_at(dep: object) -> datetime:
    states = [s for s in dep.statuses if s.state != "inactive"]  # type: ignore[attr-defined]
    return states[-1].at


def run_ours(server: FakeGitHub, store: Store) -> tuple[float, int, int]:
    cfg = GitHubConfig(kind="github", org="acme", base_url=server.api, token_env="BENCH_TOKEN")
    source = GitHubSource.from_config(cfg, "github", env={"BENCH_TOKEN": server.token})
    server.log.reset()
    started = time.perf_counter()
    collect(source, store, WINDOW, concurrency=cfg.concurrency)
    seconds = time.perf_counter() - started
    source.close()
    return seconds, server.log.total, server.log.not_modified


def run_naive(server: FakeGitHub, repos: int) -> tuple[float, int]:
    g = Github(base_url=server.api, auth=Auth.Token(server.token), seconds_between_requests=0)
    server.log.reset()
    started = time.perf_counter()
    for repo in list(g.get_organization("acme").get_repos())[:repos]:
        previous = None
        for dep in repo.get_deployments():
            if dep.created_at < WINDOW.since:
                break
            states = [s.state for s in dep.get_statuses() if s.state != "inactive"]
            if dep.environment == "production" and states and states[0] == "success":
                if previous is not None:
                    sum(1 for _ in repo.compare(dep.sha, previous).commits)
                previous = dep.sha
    return time.perf_counter() - started, server.log.total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repos", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--naive-repos", type=int, default=None)
    args = parser.parse_args()
    scenario = generate(3, repos=args.repos, deployments=100, commits=310, start=START, end=END)
    deployments = sum(
        1 for r in scenario.repos for d in r.deployments if d.environment == "production"
    )
    commits = sum(
        len(r.history(r.default_branch and r.branches[r.default_branch])) for r in scenario.repos
    )
    print(
        f"org: {args.repos} repos, {deployments} production deployments, {commits} commits, "
        f"{args.latency * 1000:.0f} ms latency per request"
    )
    minimum = minimum_requests(scenario, WINDOW)
    with FakeGitHub(scenario, token="bench-token") as server:
        server.faults.latency(args.latency)
        store = Store(":memory:")
        seconds, requests, _ = run_ours(server, store)
        print(
            f"ours:     {requests} requests in {seconds:.1f} s "
            f"(minimum {minimum}; ratio {requests / minimum:.2f}x)"
        )
        print(f"          stored: {store.count()}")
        again, again_requests, not_modified = run_ours(server, store)
        print(
            f"re-run:   {again_requests} requests ({not_modified} were 304) in {again:.1f} s, "
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
