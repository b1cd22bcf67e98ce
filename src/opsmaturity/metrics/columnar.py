"""The store → the engine's columns, without building a Python object per record.

One SELECT per record kind pulls just the fields the engine reads out of each record's JSON
(SQLite's ``json_extract``) and streams them in chunks into numpy arrays; timestamps are
parsed by pandas in bulk. The metrics are exactly those of ``compute_metrics`` over
``store.records(...)``: the same fields, the same duplicates (across sources) dropped; only
the row order may differ, which no metric depends on.
"""

from __future__ import annotations

import gc
import json
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd

from ..config import MetricsOptions, Team
from ..period import Period
from ..store import Store
from .columns import (
    ChangeColumns,
    Columns,
    DeploymentColumns,
    IncidentColumns,
    needs_pr_columns,
    production_environments,
    strings,
)
from .engine import Bucket, compute_from_frames
from .frames import Frames, frames_from_columns
from .model import MetricsReport

CHUNK = 100_000


def metrics_from_store(
    store: Store,
    *,
    teams: Mapping[str, Team],
    period: Period,
    options: MetricsOptions,
    trend_bucket: Bucket = "month",
    organization: str = "organization",
) -> MetricsReport:
    """``compute_metrics`` over every record in ``store``, without loading them as objects."""
    frames = frames_from_store(
        store, options=options, need_paths=any(t.paths for t in teams.values())
    )
    return compute_from_frames(
        frames,
        teams=teams,
        period=period,
        options=options,
        trend_bucket=trend_bucket,
        organization=organization,
    )


def frames_from_store(store: Store, *, options: MetricsOptions, need_paths: bool = False) -> Frames:
    """The engine's frames straight from the store (see ``frames.build_frames``)."""
    return frames_from_columns(columns_from_store(store, options, need_paths), options)


def columns_from_store(store: Store, options: MetricsOptions, need_paths: bool) -> Columns:
    """Every record of the store as columns, read under the store's lock.

    Store has no columnar API, so this reads its ``records`` table directly (read-only).
    Reading deployments and changes over two connections in parallel saved only ~4%:
    the time goes to SQLite parsing JSON and to building Python values, both serial.
    """
    with store._lock, _gc_paused():
        db = store._db
        return Columns(
            repositories=[n for (n,) in db.execute(_sql(db, "repository", []))],
            deployments=_deployments(db, options),
            changes=_changes(db, options, need_paths),
            incidents=_incidents(db),
        )


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Millions of short-lived row tuples would trigger the cyclic collector again and
    again for nothing (none forms a cycle): a third of the read time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _sql(db: sqlite3.Connection, kind: str, fields: list[str], where: str = "") -> str:
    """One row per record: its repository, then the JSON fields asked for.

    Rows come in table (rowid) order unless several sources hold records of ``kind``: then
    in ``Store.records``' order (source, key), so the same duplicate wins as on the record
    path. Any other order gives the same metrics (the engine does not depend on it).
    """
    values = ", ".join(["repository", *(f"json_extract(data, '$.{f}')" for f in fields)])
    if _several_sources(db, kind):
        return f"SELECT {values} FROM records WHERE kind = '{kind}'{where} ORDER BY source, key"
    # a plain table scan: faster than hopping through an index, and in rowid order
    return f"SELECT {values} FROM records NOT INDEXED WHERE kind = '{kind}'{where}"


def _several_sources(db: sqlite3.Connection, kind: str) -> bool:
    """Two index seeks, not a scan: the first and last source of ``kind``."""
    ends = "SELECT source FROM records WHERE kind = ? ORDER BY source {} LIMIT 1"
    first = db.execute(ends.format("ASC"), (kind,)).fetchone()
    last = db.execute(ends.format("DESC"), (kind,)).fetchone()
    return first != last


def _chunks(db: sqlite3.Connection, sql: str) -> Iterator[list[tuple[Any, ...]]]:
    cursor = db.execute(sql)
    while rows := cursor.fetchmany(CHUNK):
        yield rows


def _columns(db: sqlite3.Connection, sql: str, kinds: Sequence[str]) -> list[Any]:
    """The result of ``sql``, each column converted (see ``_CONVERT``) a chunk at a time,
    so only its compact form is ever held: the raw texts of one chunk at most."""
    parts: list[list[Any]] = [[] for _ in kinds]
    names: dict[str, str] = {}  # one str object per distinct name, not one per row
    n = 0
    for rows in _chunks(db, sql):
        for part, kind, values in zip(parts, kinds, zip(*rows, strict=True), strict=True):
            part.append(_CONVERT[kind](values, n, names))
        n += len(rows)
    return [_join(kind, part) for kind, part in zip(kinds, parts, strict=True)]


_CONVERT: dict[str, Callable[[tuple[Any, ...], int, dict[str, str]], Any]] = {
    "text": lambda v, n, names: v,
    "name": lambda v, n, names: list(map(names.setdefault, v, v)),
    "time": lambda v, n, names: epochs(v),
    "bool": lambda v, n, names: np.array(v, dtype=bool),
    "int": lambda v, n, names: np.array([-1 if x is None else x for x in v], dtype=np.int64),
    "some": lambda v, n, names: {n + k: x for k, x in enumerate(v) if x},  # sparse values
    "some lists": lambda v, n, names: {n + k: json.loads(x) for k, x in enumerate(v) if x != "[]"},
    "lists": lambda v, n, names: [json.loads(x) for x in v],
}


def _join(kind: str, parts: list[Any]) -> Any:
    if kind in ("time", "bool", "int"):
        return np.concatenate(parts) if parts else np.zeros(0, dtype=_EMPTY[kind])
    if kind.startswith("some"):
        return {k: v for part in parts for k, v in part.items()}
    return list(chain.from_iterable(parts))


_EMPTY = {"time": np.float64, "bool": bool, "int": np.int64}


def epochs(values: Sequence[str | None]) -> np.ndarray:
    """ISO 8601 texts (as ``records.to_dict`` writes them) → epoch seconds, NaN for null.

    Integer microseconds ÷ 10⁶ is exactly what ``datetime.timestamp`` computes.
    """
    if not values:
        return np.zeros(0, dtype=np.float64)
    texts = np.asarray(values, dtype=object)
    stamps = pd.DatetimeIndex(pd.to_datetime(texts, format="ISO8601", utc=True))
    out = stamps.as_unit("us").asi8 / 1e6
    out[stamps.isna()] = np.nan
    return out


def _deployments(db: sqlite3.Connection, options: MetricsOptions) -> DeploymentColumns:
    success = (
        " AND json_extract(data, '$.status') = 'success'"
        " AND json_extract(data, '$.finished_at') IS NOT NULL"
        " AND json_extract(data, '$.is_production')"
    )
    sql = _sql(
        db, "deployment", ["id", "sha", "finished_at", "environment", "change_shas"], success
    )
    repo, ids, sha, finish, env, shipped = _columns(
        db, sql, ["name", "text", "text", "time", "name", "lists"]
    )
    production = production_environments(options)
    rows = _last_of_each([k for k, e in enumerate(env) if production(e)], repo, ids)
    n_changes = np.fromiter(map(len, shipped), dtype=np.int64, count=len(shipped))
    keep = np.zeros(len(ids), dtype=bool)
    keep[rows] = True
    flat = strings(list(chain.from_iterable(shipped)))
    return DeploymentColumns(
        id=strings(ids)[keep],
        repository=strings(repo)[keep],
        sha=strings(sha)[keep],
        finish=finish[keep],
        n_changes=n_changes[keep],
        shipped=flat if keep.all() else flat[np.repeat(keep, n_changes)],
    )


def _last_of_each(rows: list[int], repo: list[str], ids: list[str]) -> list[int]:
    """Of a deployment repeated (across sources), the last row wins, as in the records path."""
    last = {(repo[k], ids[k]): k for k in rows}
    return rows if len(last) == len(rows) else sorted(last.values())


_PR_FIELDS = {"pr_number": "int", "pr_first_commit_at": "time", "pr_merged_at": "time"}


def _changes(db: sqlite3.Connection, options: MetricsOptions, need_paths: bool) -> ChangeColumns:
    kinds = {
        "repository": "name",
        "sha": "text",
        "authored_at": "time",
        "is_bot": "bool",
        "pr_labels": "some lists",
        "reverts": "some",
    }
    if needs_pr_columns(options):
        kinds |= _PR_FIELDS | {"committed_at": "time"}
    if need_paths:
        kinds["paths"] = "some lists"
    sql = _sql(db, "change", list(kinds)[1:])
    c = dict(zip(kinds, _columns(db, sql, list(kinds.values())), strict=True))
    pr = {}
    if needs_pr_columns(options):
        pr = {
            "pr": c["pr_number"],
            "first": c["pr_first_commit_at"],
            "merged": c["pr_merged_at"],
            "committed": c["committed_at"],
        }
    return ChangeColumns(
        repository=strings(c["repository"]),
        sha=strings(c["sha"]),
        authored=c["authored_at"],
        bot=c["is_bot"],
        labels=c["pr_labels"],
        reverts=c["reverts"],
        paths=c.get("paths"),
        **pr,
    )


def _incidents(db: sqlite3.Connection) -> IncidentColumns:
    fields = ["id", "created_at", "resolved_at", "severity", "linked_sha", "linked_deployment"]
    kinds = ["name", "text", "time", "time", "text", "some", "some"]
    repo, ids, created, resolved, severity, sha, dep = _columns(
        db, _sql(db, "incident", fields), kinds
    )
    return IncidentColumns(
        id=strings(ids),
        repository=strings(repo),
        created=created,
        resolved=resolved,
        severity=severity,
        linked_sha=sha,
        linked_deployment=dep,
    )
