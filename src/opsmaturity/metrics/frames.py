"""Canonical records → column arrays, built once so every metric is a vectorised pass.

Times become float seconds since the epoch (UTC), repositories small integer codes (sorted
by name) and commits dense integer keys of (repository, sha) — a SHA is unique only within
its repository (forks share history) — so joins are array lookups, not hash joins. Only successful, finished production
deployments are kept; everything else is noise to every metric.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from operator import attrgetter
from typing import Any

import numpy as np
import pandas as pd

from ..config import MetricsOptions
from ..records import Change, Deployment, DeploymentStatus, Incident, Repository

_NOT_ALNUM = re.compile(r"[^0-9a-z]")


def norm_severity(value: str | None) -> str | None:
    """``SEV-1``, ``sev1`` and ``Sev 1`` are the same severity."""
    return None if value is None else _NOT_ALNUM.sub("", value.lower()) or None


@dataclass(frozen=True)
class Frames:
    """The records as columns; see the module docstring for the encodings."""

    repo_names: list[str]
    listed: np.ndarray  # bool per repo code: named in `repositories`
    deps: pd.DataFrame  # id, repo, head, finish, n_changes; sorted by repo, finish, id
    ships: pd.DataFrame  # dep (row in deps), key; in deps order
    changes: pd.DataFrame  # key, repo, authored, committed, first, merged, pr, bot, ...
    incidents: pd.DataFrame  # id, repo, created, resolved, severity, linked_dep, linked_key
    paths: np.ndarray | None  # object array of path tuples aligned with changes, if needed
    n_keys: int  # commit keys are dense: 0 ≤ key < n_keys


def _ts(values: list[datetime | None]) -> np.ndarray:
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


def _col(records: Sequence[object], name: str) -> list:  # type: ignore[type-arg]
    return list(map(attrgetter(name), records))


def _factor(values: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    local, uniques = pd.factorize(np.asarray(values, dtype=object))
    return local, list(uniques)


def _codes(factored: tuple[np.ndarray, list[str]], lookup: dict[str, int]) -> np.ndarray:
    """Global repository codes from a local factorization (map the few uniques only)."""
    local, uniques = factored
    table = np.array([lookup[u] for u in uniques], dtype=np.int64)
    return table[local] if len(local) else np.zeros(0, dtype=np.int64)


def commit_keys(
    sha_lists: list[list[str]], repo_lists: list[np.ndarray]
) -> tuple[list[np.ndarray], int]:
    """Dense integer keys of (repository, sha) pairs, one array per input list.

    Strings are hashed once (the expensive part); a SHA found in two repositories (a fork)
    gets one extra key per additional repository, so keys stay dense for array lookups.
    """
    sizes = np.cumsum([0, *map(len, sha_lists)])
    codes, uniques = pd.factorize(np.concatenate([np.asarray(x, dtype=object) for x in sha_lists]))
    repo = np.concatenate(repo_lists).astype(np.int64)
    n = len(uniques)
    owner = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(owner, codes, repo)
    clash = owner[codes] != repo
    keys = codes.astype(np.int64)
    if clash.any():
        extra, more = pd.factorize(codes[clash] * (int(repo.max()) + 1) + repo[clash])
        keys[clash] = n + extra
        n += len(more)
    return [keys[a:b] for a, b in zip(sizes[:-1], sizes[1:], strict=True)], n


def first_occurrence(keys: np.ndarray, n_keys: int) -> np.ndarray:
    """True at the first row of each key: array writes instead of a hash table."""
    first = np.full(n_keys, len(keys), dtype=np.int64)
    np.minimum.at(first, keys, np.arange(len(keys)))
    return first[keys] == np.arange(len(keys))


def _is_production(options: MetricsOptions) -> Callable[[Deployment], bool]:
    envs = {e.lower() for e in options.environments}
    memo: dict[str, bool] = {}

    def keep(d: Deployment) -> bool:
        if d.status is not DeploymentStatus.SUCCESS or d.finished_at is None:
            return False
        if not d.is_production:
            return False
        ok = memo.get(d.environment)
        if ok is None:
            ok = memo[d.environment] = d.environment.lower() in envs
        return ok

    return keep


def _order(repo: np.ndarray, finish: np.ndarray, ids: list[str]) -> np.ndarray:
    """Sort by repository, finish time, then id — ties broken by id, never by input order."""
    order = np.lexsort((finish, repo))
    r, f = repo[order], finish[order]
    same = (r[1:] == r[:-1]) & (f[1:] == f[:-1])
    tie = np.zeros(len(order), dtype=bool)
    tie[1:] |= same
    tie[:-1] |= same
    if tie.any():
        order[tie] = sorted(order[tie], key=lambda i: (repo[i], finish[i], ids[i]))
    return order


def _repositories(
    repositories: Sequence[Repository], tables: list[Sequence[Any]]
) -> tuple[list[str], np.ndarray, list[np.ndarray]]:
    """Names sorted, which are listed, and the repository code of every row of each table."""
    factored = [_factor(_col(rows, "repository")) for rows in tables]
    names = sorted({r.full_name for r in repositories}.union(*(u for _, u in factored)))
    lookup = {n: k for k, n in enumerate(names)}
    listed = np.zeros(len(names), dtype=bool)
    listed[[lookup[r.full_name] for r in repositories]] = True
    return names, listed, [_codes(f, lookup) for f in factored]


def build_frames(
    *,
    repositories: Sequence[Repository],
    deployments: Sequence[Deployment],
    changes: Sequence[Change],
    incidents: Sequence[Incident],
    options: MetricsOptions,
    need_paths: bool = False,
) -> Frames:
    """Encode the records once; the cost is one pass per column over each sequence."""
    keep = _is_production(options)
    deps = list({(d.repository, d.id): d for d in filter(keep, deployments)}.values())
    names, listed, (dep_repo, chg_repo, inc_repo) = _repositories(
        repositories, [deps, changes, incidents]
    )
    dep_finish = _ts(_col(deps, "finished_at"))
    dep_ids = _col(deps, "id")
    order = _order(dep_repo, dep_finish, dep_ids)
    deps = [deps[i] for i in order]
    shas = _col(deps, "change_shas")
    lens = np.fromiter(map(len, shas), dtype=np.int64, count=len(shas))
    ship_shas = list(chain.from_iterable(shas))
    ship_repo = np.repeat(dep_repo[order], lens)
    reverts = _present(_col(changes, "reverts"))
    linked = _present(_col(incidents, "linked_sha"))
    rev_rows = np.array([k for k, _ in reverts], dtype=np.int64)
    inc_rows = np.array([k for k, _ in linked], dtype=np.int64)
    sha_lists = [
        _col(deps, "sha"),
        ship_shas,
        _col(changes, "sha"),
        [s for _, s in reverts],
        [s for _, s in linked],
    ]
    repo_lists = [dep_repo[order], ship_repo, chg_repo, chg_repo[rev_rows], inc_repo[inc_rows]]
    keys, n_keys = commit_keys(sha_lists, repo_lists)
    head_key, ship_key, chg_key, rev_key, link_key = keys
    dep_frame = pd.DataFrame(
        {
            "id": np.asarray(dep_ids, dtype=object)[order],
            "repo": dep_repo[order],
            "head": head_key,
            "finish": dep_finish[order],
            "n_changes": lens,
        }
    )
    ships = pd.DataFrame({"dep": np.repeat(np.arange(len(deps)), lens), "key": ship_key})
    revert_key = np.full(len(changes), -1, dtype=np.int64)
    revert_key[rev_rows] = rev_key
    change_frame = _change_frame(changes, chg_key, chg_repo, revert_key, options)
    linked_key = np.full(len(incidents), -1, dtype=np.int64)
    linked_key[inc_rows] = link_key
    incident_frame = _incident_frame(incidents, inc_repo, linked_key, dep_frame)
    keep_change = first_occurrence(chg_key, n_keys)
    paths = None
    if need_paths:
        paths = np.empty(len(changes), dtype=object)
        paths[:] = [c.paths for c in changes]
        paths = paths[keep_change]
    return Frames(
        repo_names=names,
        listed=listed,
        deps=dep_frame,
        ships=ships,
        changes=change_frame[keep_change].reset_index(drop=True),
        incidents=incident_frame,
        paths=paths,
        n_keys=n_keys,
    )


def _present(values: list[str | None]) -> list[tuple[int, str]]:
    """(row, value) of the non-empty values; a C-speed scan, since most are None."""
    has = np.fromiter(map(bool, values), dtype=bool, count=len(values))
    return [(k, values[k]) for k in np.flatnonzero(has).tolist()]  # type: ignore[misc]


def _labelled(all_labels: list[tuple[str, ...]], *label_sets: list[str]) -> list[np.ndarray]:
    """Per label set: which changes carry one of its labels (case-insensitive)."""
    has = np.fromiter(map(bool, all_labels), dtype=bool, count=len(all_labels))
    rows = np.flatnonzero(has).tolist()  # most changes carry no label at all
    lowered = [{x.lower() for x in all_labels[k]} for k in rows]
    out = []
    for labels in label_sets:
        wanted = {x.lower() for x in labels}
        flags = np.zeros(len(all_labels), dtype=bool)
        flags[rows] = [not wanted.isdisjoint(ls) for ls in lowered]
        out.append(flags)
    return out


def _change_frame(
    changes: Sequence[Change],
    key: np.ndarray,
    repo: np.ndarray,
    revert_key: np.ndarray,
    options: MetricsOptions,
) -> pd.DataFrame:
    hotfix, rework = _labelled(
        _col(changes, "pr_labels"), options.hotfix_labels, options.rework_labels
    )
    cols: dict[str, np.ndarray] = {
        "key": key,
        "repo": repo,
        "authored": _ts(_col(changes, "authored_at")),
        "bot": np.array(_col(changes, "is_bot"), dtype=bool),
        "hotfix": hotfix,
        "rework": rework,
        "reverts": revert_key,
    }
    if options.lead_time_start != "commit":
        cols["pr"] = np.array(
            [-1 if n is None else n for n in _col(changes, "pr_number")], dtype=np.int64
        )
        cols["first"] = _ts(_col(changes, "pr_first_commit_at"))
        cols["merged"] = _ts(_col(changes, "pr_merged_at"))
        cols["committed"] = _ts(_col(changes, "committed_at"))
    return pd.DataFrame(cols)


def _incident_frame(
    incidents: Sequence[Incident],
    repo: np.ndarray,
    linked_key: np.ndarray,
    deps: pd.DataFrame,
) -> pd.DataFrame:
    """Incidents with the deployment row they name, when they name one we know."""
    dep_index: dict[tuple[int, str], int] = {}
    if any(i.linked_deployment for i in incidents):
        pairs = zip(deps["repo"].tolist(), deps["id"].tolist(), strict=True)
        dep_index = {pair: k for k, pair in enumerate(pairs)}
    linked_dep = np.array(
        [
            dep_index.get((r, i.linked_deployment), -1) if i.linked_deployment else -1
            for r, i in zip(repo.tolist(), incidents, strict=True)
        ],
        dtype=np.int64,
    )
    return pd.DataFrame(
        {
            "id": np.asarray([i.id for i in incidents], dtype=object),
            "repo": repo,
            "created": _ts(_col(incidents, "created_at")),
            "resolved": _ts(_col(incidents, "resolved_at")),
            "severity": np.asarray([norm_severity(i.severity) for i in incidents], dtype=object),
            "linked_dep": linked_dep,
            "linked_key": linked_key,
        }
    )
