"""GitHub source benchmark (issues 5 and 15): ours beside the REST floor, the data floor
and a naive loop, per endpoint.

A generated org of 50 repositories over 2026Q3 (~5,000 production deployments, ~18,500
default-branch commits), 50 ms latency injected on every request of FakeGitHub.

* ours: ``GitHubSource`` through the collector (8 repositories at a time) as a default
  config builds it (``lead_time_start: commit``, so no per-PR commit lists), then a
  no-change re-run with the same store (conditional requests → 304s);
* REST floor (issue 15), per repository in pages of 100 (an empty list still costs one):
  the deployments list newest first down to the last success before the window; one
  status list per production deployment considered (REST deployments carry no state);
  the default branch's history once, from the newest deployed SHA back to the look-back
  start; closed PRs sorted by update until one is older than the window; incident issues
  (one listing); plus the organization's repository list;
* data floor: ceil(items / 100) per resource and repository (what GraphQL reaches with
  each deployment's statuses in the same page);
* naive: a sequential PyGithub loop (repos → deployments → statuses → compare) with
  PyGithub's defaults (per_page 30) but without its 0.25 s throttle, on ``--naive-repos``
  repositories, extrapolated linearly to all (it says so).

Run: ``PYTHONPATH=src .venv/bin/python -u bench/bench_github.py [--repos 50]
[--latency 0.05] [--naive-repos 10]``. Prints figures; asserts nothing.
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

from github import Auth, Github  # noqa: E402
from tests.fakeforge import Repo, Scenario, generate  # noqa: E402
from tests.fakeforge.github import FakeGitHub  # noqa: E402

from opsmaturity.collect import collect  # noqa: E402
from opsmaturity.config import GitHubSource as GitHubConfig  # noqa: E402
from opsmaturity.sources.base import Window  # noqa: E402
from opsmaturity.sources.github import GitHubSource  # noqa: E402
from opsmaturity.sources.github.changes import HISTORY_MARGIN  # noqa: E402
from opsmaturity.store import Store  # noqa: E402

START, END = datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC)
WINDOW = Window(START - timedelta(days=45), END)
#: Endpoints in the order the table prints them (others follow).
ORDER = [
    "org_repos",
    "deployments",
    "deployment_statuses",
    "commits",
    "compare",
    "pulls",
    "pull_commits",
    "org_issues",
    "issues",
]


def pages(items: int) -> int:
    return max(1, math.ceil(items / 100))


def floors(scenario: Scenario, window: Window) -> tuple[Counter[str], Counter[str]]:
    """(REST floor, data floor) by endpoint, counted from the scenario."""
    rest: Counter[str] = Counter({"org_repos": pages(len(scenario.repos))})
    data: Counter[str] = Counter({"org_repos": pages(len(scenario.repos))})
    for repo in scenario.repos:
        for name, count in _rest_floor(repo, window).items():
            rest[name] += count
        for name, count in _data_floor(repo, window).items():
            data[name] += count
    return rest, data


def _considered(repo: Repo, window: Window) -> tuple[list, list, object]:
    deps = sorted(repo.deployments, key=lambda d: (d.created_at, d.id), reverse=True)
    prod = [d for d in deps if d.environment == "production" and d.final_state != "pending"]
    inside = [d for d in prod if window.since <= _final_at(d) < window.until]
    before = next(
        (d for d in prod if _final_at(d) < window.since and d.final_state == "success"), None
    )
    return prod, inside, before


def _history(repo: Repo, window: Window, inside: list, before: object) -> list:
    """Default-branch commits from the newest deployed SHA back to the look-back start."""
    done = [d for d in inside + ([before] if before else []) if d.final_state == "success"]
    if not done:
        return []
    newest = max(done, key=_final_at)
    since = min([window.since, *(d.created_at for d in done)]) - HISTORY_MARGIN
    return [c for c in repo.history(newest.sha) if c.committed_at >= since]


def _rest_floor(repo: Repo, window: Window) -> Counter[str]:
    prod, inside, before = _considered(repo, window)
    listed = [d for d in prod if d.created_at >= window.since or d is before]
    history = _history(repo, window, inside, before)
    closed = [p for p in repo.pulls if p.state != "open" and p.updated_at >= window.since]
    incidents = [i for i in repo.issues if "incident" in i.labels and i.updated_at >= window.since]
    return Counter(
        {
            "deployments": pages(
                len([d for d in repo.deployments if d.created_at >= window.since]) + 1
            ),
            "deployment_statuses": len(listed),
            "commits": pages(len(history)),
            "pulls": len(closed) // 100 + 1,
            "issues": pages(len(incidents)),
        }
    )


def _data_floor(repo: Repo, window: Window) -> Counter[str]:
    prod, inside, before = _considered(repo, window)
    listed = [d for d in prod if d.created_at >= window.since or d is before]
    history = _history(repo, window, inside, before)
    merged = [p for p in repo.pulls if p.merged_at and p.merged_at >= window.since]
    incidents = [i for i in repo.issues if "incident" in i.labels and i.updated_at >= window.since]
    return Counter(
        {
            "deployments": pages(len(listed)),
            "commits": pages(len(history)),
            "pulls": pages(len(merged)),
            "issues": pages(len(incidents)),
        }
    )


def _final_at(dep: object) -> datetime:
    states = [s for s in dep.statuses if s.state != "inactive"]  # type: ignore[attr-defined]
    return states[-1].at


def run_ours(server: FakeGitHub, store: Store) -> tuple[float, Counter[str]]:
    cfg = GitHubConfig(kind="github", org="acme", base_url=server.api, token_env="BENCH_TOKEN")
    source = GitHubSource.from_config(
        cfg, "github", env={"BENCH_TOKEN": server.token}, first_commits=False
    )
    server.log.reset()
    started = time.perf_counter()
    collect(source, store, WINDOW, concurrency=cfg.concurrency)
    seconds = time.perf_counter() - started
    source.close()
    return seconds, _by_endpoint(server)


def run_naive(server: FakeGitHub, repos: int) -> tuple[float, Counter[str]]:
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
    return time.perf_counter() - started, _by_endpoint(server)


def _by_endpoint(server: FakeGitHub) -> Counter[str]:
    return Counter({e.split(".", 1)[-1]: n for e, n in server.log.by_endpoint().items()})


def table(columns: dict[str, Counter[str]]) -> None:
    """Requests per endpoint, one column per way of reading, with totals."""
    names = [e for e in ORDER if any(c[e] for c in columns.values())]
    names += sorted({e for c in columns.values() for e in c} - set(names))
    print(f"  {'endpoint':<22}" + "".join(f"{h:>14}" for h in columns))
    for name in names:
        print(f"  {name:<22}" + "".join(f"{c[name]:>14,}" for c in columns.values()))
    print(f"  {'total':<22}" + "".join(f"{sum(c.values()):>14,}" for c in columns.values()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repos", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--naive-repos", type=int, default=10, help="0: all")
    args = parser.parse_args()
    scenario = generate(3, repos=args.repos, deployments=100, commits=310, start=START, end=END)
    deployments = sum(
        1 for r in scenario.repos for d in r.deployments if d.environment == "production"
    )
    commits = sum(len(r.history(r.branches[r.default_branch])) for r in scenario.repos)
    print(
        f"org: {args.repos} repos, {deployments} production deployments, {commits} commits, "
        f"{args.latency * 1000:.0f} ms latency per request"
    )
    rest, data = floors(scenario, WINDOW)
    with FakeGitHub(scenario, token="bench-token") as server:
        server.faults.latency(args.latency)
        store = Store(":memory:")
        seconds, ours = run_ours(server, store)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        again, rerun = run_ours(server, store)
        naive_repos = min(args.naive_repos or args.repos, args.repos)
        naive, naive_counts = run_naive(server, naive_repos)
    scale = args.repos / naive_repos
    naive_all = Counter({e: round(n * scale) for e, n in naive_counts.items()})
    label = "naive" if scale == 1 else f"naive (x{scale:.0f})"
    table({"ours": ours, "REST floor": rest, "data floor": data, label: naive_all})
    total = sum(ours.values())
    print(
        f"ours:     {total:,} requests in {seconds:.1f} s = {total / sum(rest.values()):.2f}x the "
        f"REST floor, {total / sum(data.values()):.2f}x the data floor; stored {store.count()}"
    )
    shared = rerun["org_repos"] + rerun["org_issues"]
    print(
        f"re-run:   {sum(rerun.values())} requests (all 304s, free on GitHub's quota) in "
        f"{again:.1f} s: {(sum(rerun.values()) - shared) / args.repos:.2f} per repository "
        f"+ {shared} organization-wide ({dict(rerun)})"
    )
    print(
        f"naive:    {sum(naive_counts.values()):,} requests in {naive:.1f} s for {naive_repos} "
        f"repos" + (f" (x{scale:.0f} → ~{naive * scale:.0f} s for all)" if scale != 1 else "")
    )
    print(f"speed-up: {naive * scale / seconds:.1f}x faster than the naive loop")
    print(f"memory:   peak RSS {peak:.0f} MB (this process, the fake server included)")


if __name__ == "__main__":
    main()
