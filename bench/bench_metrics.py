"""Benchmark the DORA metrics engine: 1,000,000 deployments, 5,000,000 changes, 2,000 repos.

Prints the wall time and memory of ``compute_metrics`` for every scope (organization,
50 teams, 2,000 repositories) plus the monthly trend, split into encoding the records
(``build_frames``) and the engine proper (``compute_from_frames``). Generating the records
is not timed. Target (issue 4): ≤ 10 s and ≤ 2 GB on a 2-core machine.

    PYTHONPATH=src python bench/bench_metrics.py [--deployments N] [--seed S]
"""

from __future__ import annotations

import argparse
import gc
import resource
import time
from datetime import UTC, datetime, timedelta

import numpy as np

from opsmaturity.config import MetricsOptions, Team
from opsmaturity.metrics import build_frames, compute_from_frames
from opsmaturity.period import Period
from opsmaturity.records import Change, Deployment, Incident, Repository

REPOS, TEAMS, CHANGES_PER_DEPLOYMENT = 2_000, 50, 5


def _rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(n_deployments: int, seed: int) -> tuple[list, list, list, list]:
    """A synthetic organization; ~10% of deployments finish before the period (history)."""
    rng = np.random.default_rng(seed)
    base = datetime(2026, 6, 22, tzinfo=UTC)
    minutes = [base + timedelta(minutes=m) for m in range(0, 101 * 1440)]
    repos = [Repository(f"org/team{r % TEAMS:02d}-svc{r:04d}") for r in range(REPOS)]
    per_repo = n_deployments // REPOS
    deployments, changes, incidents = [], [], []
    hot, bug = ("hotfix",), ("bug",)
    for r, repo in enumerate(repos):
        name = repo.full_name
        at = np.sort(rng.integers(3 * 1440, 101 * 1440, per_repo))
        age = rng.integers(1, 72 * 60, (per_repo, CHANGES_PER_DEPLOYMENT))
        label = rng.random(per_repo)
        for k in range(per_repo):
            shas = tuple(f"{r:04x}{k:06x}{j}" + "0" * 29 for j in range(CHANGES_PER_DEPLOYMENT))
            labels = hot if label[k] < 0.03 else bug if label[k] < 0.06 else ()
            for j, sha in enumerate(shas):
                when = minutes[max(int(at[k]) - int(age[k, j]), 0)]
                changes.append(
                    Change(
                        name,
                        sha,
                        when,
                        when,
                        author="dev",
                        pr_labels=labels,
                        is_bot=j == 4 and label[k] > 0.9,
                    )
                )
            finished = minutes[int(at[k])]
            deployments.append(
                Deployment(
                    f"{k}",
                    name,
                    "production",
                    shas[-1],
                    finished,
                    finished,
                    "success",
                    "deployment",
                    shas,
                )
            )
            if label[k] > 0.97:
                opened = minutes[min(int(at[k]) + 30, len(minutes) - 1)]
                incidents.append(
                    Incident(
                        f"{k}", name, "outage", opened, opened + timedelta(hours=3), severity="SEV2"
                    )
                )
    return repos, deployments, changes, incidents


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deployments", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="engine runs; the best is kept")
    args = parser.parse_args()
    t0 = time.perf_counter()
    repos, deployments, changes, incidents = generate(args.deployments, args.seed)
    gc.collect()
    gc.freeze()  # the inputs are long-lived; keep the collector off them while timing
    print(
        f"generated {len(deployments):,} deployments, {len(changes):,} changes, "
        f"{len(incidents):,} incidents, {REPOS:,} repositories "
        f"in {time.perf_counter() - t0:.1f} s; peak RSS {_rss_mb():,.0f} MB"
    )
    teams = {f"team{t:02d}": Team(repositories=[f"org/team{t:02d}-*"]) for t in range(TEAMS)}
    options = MetricsOptions()
    period = Period.quarter("2026Q3")
    base_rss = _rss_mb()
    t1 = time.perf_counter()
    frames = build_frames(
        repositories=repos,
        deployments=deployments,
        changes=changes,
        incidents=incidents,
        options=options,
    )
    t2 = time.perf_counter()
    runs = []
    for _ in range(max(args.repeat, 1)):
        t = time.perf_counter()
        report = compute_from_frames(
            frames, teams=teams, period=period, options=options, trend_bucket="month"
        )
        runs.append(time.perf_counter() - t)
    org = report.scope("organization")
    print(
        f"scopes {len(report.scopes):,}, trend points {len(report.trend):,}, "
        f"failed deployments {len(report.failed_deployments):,}"
    )
    print(
        f"organization: {org.deployment_frequency.deployments:,} deployments, "
        f"lead time p50 {org.lead_time_for_changes.median_hours:.2f} h "
        f"(n={org.lead_time_for_changes.n:,}), CFR {org.change_failure_rate.value:.3f}"
    )
    print(f"encode records (build_frames):     {t2 - t1:6.2f} s")
    print(
        f"engine (compute_from_frames):      {min(runs):6.2f} s best of "
        f"{', '.join(f'{r:.2f}' for r in runs)}"
    )
    print(f"total compute_metrics equivalent:  {t2 - t1 + min(runs):6.2f} s")
    print(
        f"peak RSS {_rss_mb():,.0f} MB (inputs alone {base_rss:,.0f} MB; "
        f"engine added {_rss_mb() - base_rss:,.0f} MB)"
    )


if __name__ == "__main__":
    main()
