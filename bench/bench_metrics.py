"""Benchmark the DORA metrics engine: 1,000,000 deployments, 5,000,000 changes, 2,000 repos.

Times what ``opsmaturity metrics`` does for every scope (organization, 50 teams, 2,000
repositories) plus the monthly trend, split into loading (``frames_from_store``: the packs
the store keeps per repository → frames) and the engine proper (``compute_from_frames``).
The synthetic store is written once through ``Store.upsert`` and cached under /tmp by size
and seed; writing it is not timed. Packing every repository — what the first read after a
collection does, and what ``opsmaturity collect`` does as it finishes — runs in a child
process with its own time and peak memory, so the figures after it are a later run's.
``--input records`` times the record path instead: every record as a Python object, then
``build_frames``. Target (issue 4): ≤ 10 s and ≤ 2 GB, 2 cores.

    PYTHONPATH=src python bench/bench_metrics.py [--deployments N] [--seed S] [--input store|records] [--repack]
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from opsmaturity.config import MetricsOptions, Team
from opsmaturity.metrics import Frames, build_frames, compute_from_frames
from opsmaturity.metrics.stored import frames_from_store, load_packs
from opsmaturity.period import Period
from opsmaturity.records import RECORD_TYPES, from_dict, to_dict
from opsmaturity.store import Store

REPOS, TEAMS, CHANGES_PER_DEPLOYMENT = 2_000, 50, 5
SOURCE = "bench"
Rows = dict[str, list[dict[str, Any]]]


def _rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(n_deployments: int, seed: int) -> Iterator[Rows]:
    """A synthetic organization, one repository at a time, as the store's JSON dicts
    (``records.to_dict`` form); ~10% of deployments finish before the period (history)."""
    rng = np.random.default_rng(seed)
    base = datetime(2026, 6, 22, tzinfo=UTC)
    minutes = [(base + timedelta(minutes=m)).isoformat() for m in range(0, 101 * 1440)]
    per_repo = n_deployments // REPOS
    for r in range(REPOS):
        name = f"org/team{r % TEAMS:02d}-svc{r:04d}"
        at = np.sort(rng.integers(3 * 1440, 101 * 1440, per_repo))
        age = rng.integers(1, 72 * 60, (per_repo, CHANGES_PER_DEPLOYMENT))
        label = rng.random(per_repo)
        out: Rows = {
            "repository": [
                {"full_name": name, "default_branch": "main", "archived": False, "url": ""}
            ],
            "deployment": [],
            "change": [],
            "incident": [],
        }
        for k in range(per_repo):
            shas = [f"{r:04x}{k:06x}{j}" + "0" * 29 for j in range(CHANGES_PER_DEPLOYMENT)]
            labels = ["hotfix"] if label[k] < 0.03 else ["bug"] if label[k] < 0.06 else []
            for j, sha in enumerate(shas):
                when = minutes[max(int(at[k]) - int(age[k, j]), 0)]
                out["change"].append(
                    _change(name, sha, when, labels, bool(j == 4 and label[k] > 0.9))
                )
            finished = minutes[int(at[k])]
            out["deployment"].append(_deployment(f"{k}", name, shas, finished))
            if label[k] > 0.97:
                opened = min(int(at[k]) + 30, len(minutes) - 1)
                resolved = (base + timedelta(minutes=opened + 180)).isoformat()
                out["incident"].append(_incident(f"{k}", name, minutes[opened], resolved))
        yield out


def _change(repo: str, sha: str, when: str, labels: list[str], bot: bool) -> dict[str, Any]:
    none = dict.fromkeys(("reverts", "pr_number", "pr_opened_at", "pr_merged_at"))
    return {
        "repository": repo,
        "sha": sha,
        "authored_at": when,
        "committed_at": when,
        "author": "dev",
        "is_bot": bot,
        "message": "",
        "parents": [],
        "pr_first_commit_at": None,
        "pr_labels": labels,
        "paths": [],
        **none,
    }


def _deployment(id_: str, repo: str, shas: list[str], finished: str) -> dict[str, Any]:
    return {
        "id": id_,
        "repository": repo,
        "environment": "production",
        "sha": shas[-1],
        "created_at": finished,
        "finished_at": finished,
        "status": "success",
        "detection": "deployment",
        "change_shas": shas,
        "is_production": True,
    }


def _incident(id_: str, repo: str, opened: str, resolved: str) -> dict[str, Any]:
    return {
        "id": id_,
        "repository": repo,
        "title": "outage",
        "created_at": opened,
        "resolved_at": resolved,
        "labels": [],
        "severity": "SEV2",
        "linked_sha": None,
        "linked_deployment": None,
    }


def _objects(rows: Rows) -> dict[str, list[Any]]:
    return {kind: [from_dict(RECORD_TYPES[kind], d) for d in ds] for kind, ds in rows.items()}


def bench_store(n_deployments: int, seed: int) -> Path:
    """The synthetic store file, written once (through ``Store.upsert``) and reused."""
    path = Path(tempfile.gettempdir()) / f"opsmaturity-bench-{n_deployments}-{seed}-v1.sqlite"
    if path.exists():
        return path
    t = time.perf_counter()
    part = path.with_suffix(".part")
    part.unlink(missing_ok=True)
    checked = False
    with Store(part) as store:
        for rows in generate(n_deployments, seed):
            objects = _objects(rows)
            if not checked:  # the dicts above are exactly what the store would write
                assert all(
                    to_dict(o) == d for k in rows for o, d in zip(objects[k], rows[k], strict=True)
                )
                checked = True
            for kind in ("repository", "deployment", "change", "incident"):
                store.upsert(SOURCE, objects[kind])
    os.replace(part, path)
    print(
        f"wrote {path} ({path.stat().st_size / 2**20:,.0f} MB) in {time.perf_counter() - t:.0f} s"
    )
    return path


def load_records(n_deployments: int, seed: int) -> dict[str, list[Any]]:
    """The old path's input: every record as a Python object."""
    out: dict[str, list[Any]] = {k: [] for k in ("repository", "deployment", "change", "incident")}
    for rows in generate(n_deployments, seed):
        for kind, objects in _objects(rows).items():
            out[kind].extend(objects)
    return out


def load(args: argparse.Namespace, options: MetricsOptions) -> tuple[Frames, float, float, str]:
    """Frames, the load time, the RSS before loading (inputs included) and what was timed."""
    if args.input == "store":
        path = bench_store(args.deployments, args.seed)
        pack_in_child(path, args.repack)
        base_rss = _rss_mb()
        t = time.perf_counter()
        with Store(path) as store:
            frames = frames_from_store(store, options=options)
        return frames, time.perf_counter() - t, base_rss, "frames_from_store, packs current"
    t = time.perf_counter()
    records = load_records(args.deployments, args.seed)
    gc.collect()
    gc.freeze()  # the inputs are long-lived; keep the collector off them while timing
    print(
        f"generated {len(records['deployment']):,} deployment objects, "
        f"{len(records['change']):,} changes in {time.perf_counter() - t:.0f} s; "
        f"peak RSS {_rss_mb():,.0f} MB"
    )
    base_rss = _rss_mb()
    t = time.perf_counter()
    frames = build_frames(
        repositories=records["repository"],
        deployments=records["deployment"],
        changes=records["change"],
        incidents=records["incident"],
        options=options,
    )
    return frames, time.perf_counter() - t, base_rss, "build_frames from record objects"


def pack_in_child(path: Path, repack: bool) -> None:
    """Bring every pack up to date in a child process (timed there, when there is work)."""
    if repack:
        with Store(path) as store:
            store._db.execute("DELETE FROM derived")
    subprocess.run([sys.executable, __file__, "--pack-only", str(path)], check=True)


def pack_only(path: Path) -> None:
    rebuilt = [0]
    t = time.perf_counter()
    with Store(path) as store:
        packs = load_packs(store, built=lambda done, total: rebuilt.__setitem__(0, done))
    if rebuilt[0]:
        print(
            f"packed {rebuilt[0]:,} of {len(packs):,} repositories (the first read after "
            f"collection): {time.perf_counter() - t:6.2f} s, peak RSS {_rss_mb():,.0f} MB"
        )


def main() -> None:
    if sys.argv[1:2] == ["--pack-only"]:
        return pack_only(Path(sys.argv[2]))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deployments", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="engine runs; the best is kept")
    parser.add_argument(
        "--input",
        choices=["store", "records"],
        default="store",
        help="store: frames_from_store over the cached store file (default); "
        "records: build_frames over record objects",
    )
    parser.add_argument("--repack", action="store_true", help="drop the packs first: time packing")
    args = parser.parse_args()
    teams = {f"team{t:02d}": Team(repositories=[f"org/team{t:02d}-*"]) for t in range(TEAMS)}
    options = MetricsOptions()
    period = Period.quarter("2026Q3")
    frames, load_s, base_rss, what = load(args, options)
    runs = []
    for _ in range(max(args.repeat, 1)):
        t = time.perf_counter()
        report = compute_from_frames(
            frames, teams=teams, period=period, options=options, trend_bucket="month"
        )
        runs.append(time.perf_counter() - t)
    org = report.scope("organization")
    print(
        f"{len(frames.deps):,} production deployments, {len(frames.ships):,} shipped commits, "
        f"{len(frames.changes):,} changes, {len(frames.incidents):,} incidents; "
        f"scopes {len(report.scopes):,}, trend points {len(report.trend):,}, "
        f"failed deployments {len(report.failed_deployments):,}"
    )
    print(
        f"organization: {org.deployment_frequency.deployments:,} deployments, "
        f"lead time p50 {org.lead_time_for_changes.median_hours:.4f} h "
        f"(n={org.lead_time_for_changes.n:,}), CFR {org.change_failure_rate.value:.4f}"
    )
    print(f"load ({what}): {load_s:6.2f} s")
    print(
        f"engine (compute_from_frames): {min(runs):6.2f} s best of {', '.join(f'{r:.2f}' for r in runs)}"
    )
    print(f"total (load + best engine):   {load_s + min(runs):6.2f} s")
    print(f"total (load + first engine):  {load_s + runs[0]:6.2f} s  (one `opsmaturity metrics`)")
    print(f"peak RSS {_rss_mb():,.0f} MB (before loading {base_rss:,.0f} MB)")


if __name__ == "__main__":
    main()
