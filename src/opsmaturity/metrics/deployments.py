"""Deployment history: first shipments, neighbours in a repository, local days and buckets.

Deployments are sorted by repository then finish time (``frames.build_frames``), so a
repository's previous/next deployment is simply the adjacent row, and a commit's first
shipment is its first occurrence in the exploded ``ships`` table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from ..period import Period
from .frames import Frames, first_occurrence


@dataclass(frozen=True)
class History:
    """Per-deployment and per-shipment context shared by all metrics."""

    first: np.ndarray  # bool per ships row: the commit's first shipment
    chg: np.ndarray  # per ships row: row in frames.changes, -1 when no change record
    first_dep: np.ndarray  # per commit key: deployment row that first shipped it, or -1
    next_row: np.ndarray  # per deployment: next deployment of the repository, or -1
    has_prev: np.ndarray  # per deployment: an earlier deployment of the repository exists
    seen: np.ndarray  # per deployment: first deployment row that shipped or deployed its head


def history(f: Frames) -> History:
    """First shipments, change rows, neighbours and where each head was first seen."""
    keys = f.ships["key"].to_numpy()
    ship_dep = f.ships["dep"].to_numpy()
    first = first_occurrence(keys, f.n_keys)
    chg_of_key = np.full(f.n_keys, -1, dtype=np.int64)
    chg_of_key[f.changes["key"].to_numpy()] = np.arange(len(f.changes))  # keys are unique
    chg = chg_of_key[keys]
    first_dep = np.full(f.n_keys, -1, dtype=np.int64)
    first_dep[keys[first]] = ship_dep[first]
    repo = f.deps["repo"].to_numpy()
    n = len(repo)
    same = repo[1:] == repo[:-1]
    next_row = np.where(np.append(same, False), np.arange(n) + 1, -1)
    has_prev = np.insert(same, 0, False) if n else np.zeros(0, dtype=bool)
    heads = f.deps["head"].to_numpy()
    seen_by = np.where(first_dep >= 0, first_dep, n)
    np.minimum.at(seen_by, heads, np.arange(n))
    return History(first, chg, first_dep, next_row, has_prev, seen_by[heads])


def local_days(seconds: np.ndarray, tz: str) -> np.ndarray:
    """Local calendar dates (datetime64[D]) of UTC epoch seconds in ``tz``, DST-aware."""
    stamps = pd.to_datetime(seconds, unit="s", utc=True).tz_convert(tz).tz_localize(None)
    return np.asarray(stamps.to_numpy(), dtype="datetime64[D]")


def bucket_starts(days: np.ndarray, bucket: str) -> np.ndarray:
    """First local date of each date's week (ISO, Monday), month or quarter."""
    if bucket == "week":
        # 1970-01-01 was a Thursday: shift by 3 so Mondays are multiples of 7.
        n = days.astype(np.int64)
        return (n - (n + 3) % 7).astype("datetime64[D]")
    months = days.astype("datetime64[M]").astype(np.int64)
    if bucket == "quarter":
        months = months - months % 3
    elif bucket != "month":
        raise ValueError(f"trend bucket must be week, month or quarter, got {bucket!r}")
    return months.astype("datetime64[M]").astype("datetime64[D]")


def bucket_label(start: date, bucket: str) -> str:
    """``2026-W27``, ``2026-07`` or ``2026Q3``."""
    if bucket == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if bucket == "month":
        return f"{start.year}-{start.month:02d}"
    return f"{start.year}Q{(start.month - 1) // 3 + 1}"


def period_buckets(period: Period, bucket: str) -> list[tuple[date, date]]:
    """The buckets that cover the period, each clipped to it: (first day, last day)."""
    day = np.datetime64(period.start.isoformat(), "D")
    last = np.datetime64(period.end.isoformat(), "D")
    starts = np.unique(bucket_starts(np.arange(day, last + 1), bucket))
    out = []
    for k, s in enumerate(starts):
        lo = max(s, day)
        hi = min(starts[k + 1] - 1, last) if k + 1 < len(starts) else last
        out.append((_date(lo), _date(hi)))
    return out


def _date(day: np.datetime64) -> date:
    return date(1970, 1, 1) + timedelta(days=int(day.astype(np.int64)))
