"""The rows behind the figures, completed from the store: which source each row came from,
and the stored records no metric reads, each with why (another environment, a run that
failed or never finished, the same record from another source).

The packs (``packs``) decide which record of a duplicate counts — of deployments the last
one read, of changes the first, in the store's (source, key) order — so this module reads
the store in that order and applies the same choice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd

from ..config import MetricsOptions
from ..store import Store
from .frames import production_environments
from .rows import MetricRows


def with_sources(rows: MetricRows, store: Store, options: MetricsOptions) -> MetricRows:
    """``rows`` with their ``source`` filled and the unread deployments and changes added."""
    sources = store.sources()
    return MetricRows(
        deployments=_deployments(rows.deployments, _read(store, "deployment", sources), options),
        changes=_changes(rows.changes, _read(store, "change", sources)),
        incidents=_incidents(rows.incidents, _read(store, "incident", sources)),
    )


def _read(store: Store, kind: str, sources: list[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    for source in sources:
        for record in store.dicts(kind, source=source):
            yield source, record


def _shipped_why(d: dict[str, Any], production: Callable[[str], bool]) -> str:
    """Why a stored deployment is not one the metrics read ('' when it is)."""
    if d["status"] != "success":
        return f"did not succeed ({d['status']})"
    if d["finished_at"] is None:
        return "not finished"
    if not d["is_production"] or not production(d["environment"]):
        return "not production"
    return ""


def _deployments(
    table: pd.DataFrame, records: Iterator[tuple[str, dict[str, Any]]], options: MetricsOptions
) -> pd.DataFrame:
    production = production_environments(options)
    rows = list(records)
    last: dict[tuple[str, str, str], str] = {}
    for source, d in rows:  # of a deployment read twice, the last successful read counts
        if d["status"] == "success" and d["finished_at"] is not None and d["is_production"]:
            last[(d["repository"], d["environment"].lower(), d["id"])] = source
    extra = []
    for source, d in rows:
        key = (d["repository"], d["environment"].lower(), d["id"])
        why = _shipped_why(d, production)
        if not why and last[key] != source:
            why = f"superseded by the same deployment from {last[key]}"
        if why:
            extra.append(
                {
                    "source": source,
                    "repository": d["repository"],
                    "environment": d["environment"],
                    "id": d["id"],
                    "sha": d["sha"],
                    "finished_at": d["finished_at"],
                    "counts": False,
                    "reason": why,
                    "failed": False,
                    "unrecovered": False,
                    "rework": False,
                }
            )
    envs = [str(e).lower() for e in table["environment"]]
    keys = zip(table["repository"], envs, table["id"], strict=True)
    table = table.assign(source=_column(table, [last.get(k) for k in keys]))
    return _append(table, extra)


def _changes(table: pd.DataFrame, records: Iterator[tuple[str, dict[str, Any]]]) -> pd.DataFrame:
    first: dict[tuple[str, str], str] = {}
    extra = []
    for source, c in records:  # of a change read twice, the first read counts
        key = (c["repository"], c["sha"])
        if key in first:
            extra.append(
                {
                    "source": source,
                    "repository": c["repository"],
                    "sha": c["sha"],
                    "authored_at": c["authored_at"],
                    "pull_request": c["pr_number"],
                    "counts": False,
                    "reason": f"superseded by the same commit from {first[key]}",
                    "clock_skew": False,
                }
            )
        else:
            first[key] = source
    keys = zip(table["repository"], table["sha"], strict=True)
    table = table.assign(source=_column(table, [first.get(k) for k in keys]))
    return _append(table, extra)


def _incidents(table: pd.DataFrame, records: Iterator[tuple[str, dict[str, Any]]]) -> pd.DataFrame:
    """Incidents are never merged: the n-th row of an (repository, id) is its n-th record."""
    by_key: dict[tuple[str, str], list[str]] = defaultdict(list)
    for source, i in records:
        by_key[(i["repository"], i["id"])].append(source)
    nth = table.groupby(["repository", "id"], sort=False).cumcount().tolist()
    keys = zip(table["repository"], table["id"], nth, strict=True)
    return table.assign(source=_column(table, [_at(by_key[(r, i)], n) for r, i, n in keys]))


def _column(table: pd.DataFrame, values: list[str | None]) -> pd.Series:
    return pd.Series(values, index=table.index, dtype=object)


def _at(values: list[str], n: int) -> str | None:
    return values[n] if n < len(values) else None


def _append(table: pd.DataFrame, extra: list[dict[str, Any]]) -> pd.DataFrame:
    if not extra:
        return table
    both = pd.concat([table, pd.DataFrame(extra)], ignore_index=True)
    return both[list(table.columns)].astype({"counts": bool})
