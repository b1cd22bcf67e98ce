"""Packs → the engine's frames, built once so every metric is a vectorised pass.

Each repository's records are packed (``packs``) — from record objects here, from the
store's cache in ``stored`` — and the packs concatenated: times are float seconds since
the epoch (UTC), repositories small integer codes (sorted by name) and commits dense
integer keys (a pack's local keys shifted by the keys of the packs before it), so joins
are array lookups, not hash joins. Only successful, finished production deployments are
kept; everything else is noise to every metric.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from operator import attrgetter
from typing import Any

import numpy as np
import pandas as pd

from ..config import MetricsOptions
from ..records import Change, Deployment, Incident, Repository
from .packs import Pack, pack_records

_NOT_ALNUM = re.compile(r"[^0-9a-z]")


def norm_severity(value: str | None) -> str | None:
    """``SEV-1``, ``sev1`` and ``Sev 1`` are the same severity."""
    return None if value is None else _NOT_ALNUM.sub("", value.lower()) or None


@dataclass(frozen=True)
class Frames:
    """The records as columns; see the module docstring for the encodings."""

    repo_names: list[str]
    listed: np.ndarray  # bool per repo code: named in `repositories`
    deps: pd.DataFrame  # id, env, repo, head, finish, n_changes; sorted by repo, finish, id, env
    ships: pd.DataFrame  # dep (row in deps), key; in deps order
    changes: pd.DataFrame  # key, repo, authored, committed, first, merged, pr, bot, ...
    incidents: pd.DataFrame  # id, repo, created, resolved, severity, linked_dep, linked_key
    paths: np.ndarray | None  # object array of path tuples aligned with changes, if needed
    n_keys: int  # commit keys are dense: 0 ≤ key < n_keys
    shas: Sequence[str] = ()  # per commit key: its SHA, when every pack carries them (fresh)


def first_occurrence(keys: np.ndarray, n_keys: int) -> np.ndarray:
    """True at the first row of each key: array writes instead of a hash table."""
    first = np.full(n_keys, len(keys), dtype=np.int64)
    np.minimum.at(first, keys, np.arange(len(keys)))
    return first[keys] == np.arange(len(keys))


def needs_pr_columns(options: MetricsOptions) -> bool:
    """Pull-request times matter only when lead time does not start at the commit."""
    return options.lead_time_start != "commit"


def production_environments(options: MetricsOptions) -> Callable[[str], bool]:
    """Whether an environment name counts as production (case-insensitive)."""
    envs = {e.lower() for e in options.environments}
    return lambda environment: environment.lower() in envs


def strings(values: Sequence[Any]) -> np.ndarray:
    """An object array of ``values`` (``np.array`` would make fixed-width unicode)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def build_frames(
    *,
    repositories: Sequence[Repository],
    deployments: Iterable[Deployment],
    changes: Iterable[Change],
    incidents: Iterable[Incident],
    options: MetricsOptions,
    need_paths: bool = False,
) -> Frames:
    """Encode record objects: packed per repository, in the order given."""
    grouped: dict[str, tuple[list[Any], list[Any], list[Any]]] = defaultdict(lambda: ([], [], []))
    streams: tuple[Iterable[Deployment | Change | Incident], ...] = (
        deployments,
        changes,
        incidents,
    )
    for k, records in enumerate(streams):
        for r in records:
            grouped[r.repository][k].append(r)
    packs = [pack_records(name, *lists) for name, lists in grouped.items()]
    return frames_from_packs(packs, [r.full_name for r in repositories], options, need_paths)


def _frame(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """A frame over the arrays as they are: no copy into 2-D blocks (a second of copying
    at millions of rows, for an engine that reads column by column)."""
    return pd.DataFrame(columns, copy=False)


def _cat(arrays: Sequence[np.ndarray], dtype: Any) -> np.ndarray:
    return np.concatenate(arrays) if arrays else np.zeros(0, dtype=dtype)


def _offsets(sizes: Sequence[int]) -> np.ndarray:
    """Where each part starts when parts of these sizes are laid end to end."""
    return np.cumsum([0, *sizes[:-1]], dtype=np.int64) if len(sizes) else np.zeros(0, np.int64)


def _sparse(parts: Iterable[dict[int, Any]], starts: np.ndarray) -> dict[int, Any]:
    """Per-pack ``{row: value}`` dicts as one dict over the concatenated rows."""
    return {int(s) + k: v for part, s in zip(parts, starts, strict=True) for k, v in part.items()}


def frames_from_packs(
    packs: Iterable[Pack], listed_names: Sequence[str], options: MetricsOptions, need_paths: bool
) -> Frames:
    """Concatenate one pack per repository into the frames (see the module docstring)."""
    # a repository with nothing the metrics read (e.g. only collection notes) is not one
    packs = sorted((p for p in packs if p.n_keys or p.inc_id), key=attrgetter("repository"))
    names = sorted(set(listed_names).union(p.repository for p in packs))
    lookup = {n: k for k, n in enumerate(names)}
    listed = np.zeros(len(names), dtype=bool)
    listed[[lookup[n] for n in listed_names]] = True
    code = np.array([lookup[p.repository] for p in packs], dtype=np.int64)
    key_base = _offsets([p.n_keys for p in packs])
    deps, ships, dep_rows = _deployments(packs, code, key_base, options)
    changes, paths = _changes(packs, code, key_base, options, need_paths)
    return Frames(
        repo_names=names,
        listed=listed,
        deps=deps,
        ships=ships,
        changes=changes,
        incidents=_incidents(packs, code, key_base, dep_rows),
        paths=paths,
        n_keys=int(sum(p.n_keys for p in packs)),
        shas=list(chain.from_iterable(p.shas for p in packs))
        if all(p.shas or not p.n_keys for p in packs)
        else [],
    )


def _deployments(
    packs: list[Pack], code: np.ndarray, key_base: np.ndarray, options: MetricsOptions
) -> tuple[pd.DataFrame, pd.DataFrame, list[dict[str, int]]]:
    """Deployments in production environments (packs sort them by finish, id, environment),
    their shipments, and per pack the row of each kept deployment id."""
    production = production_environments(options)
    count = np.array([len(p.dep_id) for p in packs], dtype=np.int64)
    keep = _cat(
        [np.array(list(map(production, p.environments)), bool)[p.dep_env] for p in packs], bool
    )
    lens = _cat([p.dep_changes for p in packs], np.int64)
    base = np.repeat(key_base, count)
    kept_lens = lens[keep]
    deps = _frame(
        {
            "id": strings(list(chain.from_iterable(p.dep_id for p in packs)))[keep],
            "env": strings([p.environments[e] for p in packs for e in p.dep_env.tolist()])[keep],
            "repo": np.repeat(code, count)[keep],
            "head": (_cat([p.dep_head for p in packs], np.int64) + base)[keep],
            "finish": _cat([p.dep_finish for p in packs], np.float64)[keep],
            "n_changes": kept_lens,
        }
    )
    shipped = _cat([p.shipped for p in packs], np.int64) + np.repeat(base, lens)
    ships = _frame(
        {
            "dep": np.repeat(np.arange(len(kept_lens)), kept_lens),
            "key": shipped[np.repeat(keep, lens)],
        }
    )
    rows = np.cumsum(keep) - 1
    starts = _offsets(count.tolist())
    dep_rows = [
        {p.dep_id[k]: int(rows[s + k]) for k in range(len(p.dep_id)) if keep[s + k]}
        if p.inc_linked_deployment
        else {}
        for p, s in zip(packs, starts, strict=True)
    ]
    return deps, ships, dep_rows


def _changes(
    packs: list[Pack],
    code: np.ndarray,
    key_base: np.ndarray,
    options: MetricsOptions,
    need_paths: bool,
) -> tuple[pd.DataFrame, np.ndarray | None]:
    """Changes, pack after pack; a pack's change row k holds its local key k."""
    count = np.array([len(p.authored) for p in packs], dtype=np.int64)
    starts = _offsets(count.tolist())
    n = int(count.sum())
    key = np.arange(n, dtype=np.int64) + np.repeat(key_base - starts, count)
    hotfix, rework = _labelled(packs, starts, n, options.hotfix_labels, options.rework_labels)
    reverts = _keys_at(n, [p.reverts for p in packs], starts, key_base)
    cols: dict[str, np.ndarray] = {
        "key": key,
        "repo": np.repeat(code, count),
        "authored": _cat([p.authored for p in packs], np.float64),
        "bot": _cat([p.bot for p in packs], bool),
        "hotfix": hotfix,
        "rework": rework,
        "reverts": reverts,
    }
    if needs_pr_columns(options):
        cols |= {
            "pr": _cat([_or(p.pr, p, -1, np.int64) for p in packs], np.int64),
            "first": _cat([_or(p.first, p, np.nan, np.float64) for p in packs], np.float64),
            "merged": _cat([_or(p.merged, p, np.nan, np.float64) for p in packs], np.float64),
            "committed": _cat(
                [p.authored if p.committed is None else p.committed for p in packs], np.float64
            ),
        }
    paths = None
    if need_paths:
        paths = np.empty(n, dtype=object)
        paths[:] = [()] * n
        for row, value in _sparse((p.paths for p in packs), starts).items():
            paths[row] = tuple(value)
    return _frame(cols), paths


def _keys_at(
    n: int, parts: Sequence[dict[int, int]], starts: np.ndarray, key_base: np.ndarray
) -> np.ndarray:
    """Per-pack sparse ``{row: local key}`` as one array of global keys, -1 for none."""
    out = np.full(n, -1, dtype=np.int64)
    for part, s, b in zip(parts, starts, key_base, strict=True):
        for row, key in part.items():
            out[s + row] = b + key
    return out


def _or(values: np.ndarray | None, p: Pack, missing: float, dtype: Any) -> np.ndarray:
    """A pack's optional column, or ``missing`` throughout when it has none."""
    return np.full(len(p.authored), missing, dtype=dtype) if values is None else values


def _labelled(
    packs: list[Pack], starts: np.ndarray, n: int, *label_sets: list[str]
) -> list[np.ndarray]:
    """Per label set: which changes carry one of its labels (case-insensitive). Each pack's
    distinct label lists are judged once, then spread over its rows."""
    out = []
    for label_set in label_sets:
        wanted = {x.lower() for x in label_set}
        flags = np.zeros(n, dtype=bool)
        for p, s in zip(packs, starts, strict=True):
            if len(p.label_row):
                hit = np.array([not wanted.isdisjoint(map(str.lower, ls)) for ls in p.label_sets])
                flags[s + p.label_row] = hit[p.label_set]
        out.append(flags)
    return out


def _incidents(
    packs: list[Pack], code: np.ndarray, key_base: np.ndarray, dep_rows: list[dict[str, int]]
) -> pd.DataFrame:
    """Incidents with the commit key and the deployment row they name, when we know them."""
    count = np.array([len(p.inc_id) for p in packs], dtype=np.int64)
    starts = _offsets(count.tolist())
    n = int(count.sum())
    linked_key = _keys_at(n, [p.inc_linked_key for p in packs], starts, key_base)
    linked_dep = np.full(n, -1, dtype=np.int64)
    for p, s, rows in zip(packs, starts, dep_rows, strict=True):
        for row, dep_id in p.inc_linked_deployment.items():
            linked_dep[s + row] = rows.get(dep_id, -1)
    severity = chain.from_iterable(p.inc_severity for p in packs)
    return _frame(
        {
            "id": strings(list(chain.from_iterable(p.inc_id for p in packs))),
            "repo": np.repeat(code, count),
            "created": _cat([p.inc_created for p in packs], np.float64),
            "resolved": _cat([p.inc_resolved for p in packs], np.float64),
            "severity": strings([norm_severity(s) for s in severity]),
            "linked_dep": linked_dep,
            "linked_key": linked_key,
        }
    )
