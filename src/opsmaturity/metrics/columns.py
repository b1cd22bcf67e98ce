"""The engine's input as plain columns: what both record objects and the store reduce to.

``frames.frames_from_columns`` encodes these; ``columns_from_records`` makes them from record
objects and ``columnar.frames_from_store`` straight from the SQLite store, so millions of
records never have to exist as Python objects. Rare values (labels, reverts, links, paths)
are sparse ``{row: value}`` dicts: most changes carry none, and a per-row column of empties
would cost as much as the data itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from operator import attrgetter
from typing import Any

import numpy as np

from ..config import MetricsOptions
from ..records import Change, Deployment, DeploymentStatus, Incident, Repository


@dataclass(frozen=True)
class DeploymentColumns:
    """Successful, finished production deployments only, one row per (repository, id)."""

    id: np.ndarray  # object (str)
    repository: np.ndarray  # object (str)
    sha: np.ndarray  # object (str)
    finish: np.ndarray  # float64 epoch seconds (UTC)
    n_changes: np.ndarray  # int64: len(change_shas)
    shipped: np.ndarray  # object (str): every row's change_shas, concatenated in row order


@dataclass(frozen=True)
class ChangeColumns:
    """Changes in input order; the first row of a (repository, sha) wins."""

    repository: np.ndarray  # object (str)
    sha: np.ndarray  # object (str)
    authored: np.ndarray  # float64 epoch seconds
    bot: np.ndarray  # bool
    labels: dict[int, Sequence[str]]  # pr_labels of the rows that have any
    reverts: dict[int, str]  # the sha a row reverts
    pr: np.ndarray | None = None  # int64, -1 for none; needed unless lead time starts at commit
    first: np.ndarray | None = None  # float64 pr_first_commit_at, NaN for none
    merged: np.ndarray | None = None  # float64 pr_merged_at
    committed: np.ndarray | None = None  # float64 committed_at
    paths: dict[int, Sequence[str]] | None = None  # only when a team claims monorepo paths


@dataclass(frozen=True)
class IncidentColumns:
    id: np.ndarray  # object (str)
    repository: np.ndarray  # object (str)
    created: np.ndarray  # float64 epoch seconds
    resolved: np.ndarray  # float64, NaN while open
    severity: list[str | None]
    linked_sha: dict[int, str]
    linked_deployment: dict[int, str]


@dataclass(frozen=True)
class Columns:
    repositories: list[str]  # names of the listed Repository records
    deployments: DeploymentColumns
    changes: ChangeColumns
    incidents: IncidentColumns


def needs_pr_columns(options: MetricsOptions) -> bool:
    """Pull-request times matter only when lead time does not start at the commit."""
    return options.lead_time_start != "commit"


def production_environments(options: MetricsOptions) -> Callable[[str], bool]:
    """Whether an environment name counts as production (case-insensitive), memoised."""
    envs = {e.lower() for e in options.environments}
    memo: dict[str, bool] = {}

    def ok(environment: str) -> bool:
        hit = memo.get(environment)
        if hit is None:
            hit = memo[environment] = environment.lower() in envs
        return hit

    return ok


def epoch_seconds(values: Sequence[datetime | None]) -> np.ndarray:
    """Epoch seconds; NaN for None. ``datetime.timestamp`` is the fastest exact conversion."""
    if None not in values:
        return np.fromiter(
            map(datetime.timestamp, values),  # type: ignore[arg-type]
            dtype=np.float64,
            count=len(values),
        )
    return np.fromiter(
        (math.nan if v is None else v.timestamp() for v in values),
        dtype=np.float64,
        count=len(values),
    )


def sparse(values: list[Any]) -> dict[int, Any]:
    """{row: value} of the non-empty values; a C-speed scan, since most are empty."""
    has = np.fromiter(map(bool, values), dtype=bool, count=len(values))
    return {k: values[k] for k in np.flatnonzero(has).tolist()}


def strings(values: Sequence[str | None]) -> np.ndarray:
    """An object array of ``values`` (``np.array`` would make fixed-width unicode)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _col(records: Sequence[object], name: str) -> list[Any]:
    return list(map(attrgetter(name), records))


def columns_from_records(
    *,
    repositories: Sequence[Repository],
    deployments: Sequence[Deployment],
    changes: Sequence[Change],
    incidents: Sequence[Incident],
    options: MetricsOptions,
    need_paths: bool = False,
) -> Columns:
    """Record objects as columns: one attribute pass per column over each sequence."""
    return Columns(
        repositories=[r.full_name for r in repositories],
        deployments=_deployments(deployments, options),
        changes=_changes(changes, options, need_paths),
        incidents=_incidents(incidents),
    )


def _deployments(deployments: Sequence[Deployment], options: MetricsOptions) -> DeploymentColumns:
    production = production_environments(options)

    def keep(d: Deployment) -> bool:
        return (
            d.status is DeploymentStatus.SUCCESS
            and d.finished_at is not None
            and d.is_production
            and production(d.environment)
        )

    deps = list({(d.repository, d.id): d for d in filter(keep, deployments)}.values())
    shas = _col(deps, "change_shas")
    return DeploymentColumns(
        id=strings(_col(deps, "id")),
        repository=strings(_col(deps, "repository")),
        sha=strings(_col(deps, "sha")),
        finish=epoch_seconds(_col(deps, "finished_at")),
        n_changes=np.fromiter(map(len, shas), dtype=np.int64, count=len(shas)),
        shipped=strings(list(chain.from_iterable(shas))),
    )


def _changes(changes: Sequence[Change], options: MetricsOptions, need_paths: bool) -> ChangeColumns:
    pr: dict[str, np.ndarray] = {}
    if needs_pr_columns(options):
        pr = {
            "pr": np.array(
                [-1 if n is None else n for n in _col(changes, "pr_number")], dtype=np.int64
            ),
            "first": epoch_seconds(_col(changes, "pr_first_commit_at")),
            "merged": epoch_seconds(_col(changes, "pr_merged_at")),
            "committed": epoch_seconds(_col(changes, "committed_at")),
        }
    return ChangeColumns(
        repository=strings(_col(changes, "repository")),
        sha=strings(_col(changes, "sha")),
        authored=epoch_seconds(_col(changes, "authored_at")),
        bot=np.array(_col(changes, "is_bot"), dtype=bool),
        labels=sparse(_col(changes, "pr_labels")),
        reverts=sparse(_col(changes, "reverts")),
        paths=sparse(_col(changes, "paths")) if need_paths else None,
        **pr,
    )


def _incidents(incidents: Sequence[Incident]) -> IncidentColumns:
    return IncidentColumns(
        id=strings(_col(incidents, "id")),
        repository=strings(_col(incidents, "repository")),
        created=epoch_seconds(_col(incidents, "created_at")),
        resolved=epoch_seconds(_col(incidents, "resolved_at")),
        severity=_col(incidents, "severity"),
        linked_sha=sparse(_col(incidents, "linked_sha")),
        linked_deployment=sparse(_col(incidents, "linked_deployment")),
    )
