"""Input columns → the engine's frames, built once so every metric is a vectorised pass.

The columns come from record objects (``build_frames``) or straight from the store
(``columnar``); see ``columns`` for their contract. Times are float seconds since the epoch
(UTC), repositories small integer codes (sorted by name) and commits dense integer keys of
(repository, sha) — a SHA is unique only within its repository (forks share history) — so
joins are array lookups, not hash joins. Only successful, finished production deployments
are kept; everything else is noise to every metric.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..config import MetricsOptions
from ..records import Change, Deployment, Incident, Repository
from .columns import (
    ChangeColumns,
    Columns,
    IncidentColumns,
    columns_from_records,
    needs_pr_columns,
    strings,
)

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


def factorize_strings(values: np.ndarray) -> tuple[np.ndarray, int]:
    """``pd.factorize`` of an object array of strings, several times faster on millions.

    Factorizes the strings' 64-bit hashes instead (integers hash and compare cheaply), then
    checks every string equals its code's representative: the codes are exactly those of
    ``pd.factorize`` (first-appearance order), and a hash collision falls back to it.
    """
    hashes = np.fromiter(map(hash, values), dtype=np.int64, count=len(values))
    codes, uniques = pd.factorize(hashes)
    representative = np.zeros(len(uniques), dtype=np.int64)
    representative[codes] = np.arange(len(values))
    if not (values[representative[codes]] == values).all():
        codes, uniques = pd.factorize(values)
    return codes.astype(np.int64), len(uniques)


def commit_keys(
    sha_lists: Sequence[np.ndarray], repo_lists: Sequence[np.ndarray]
) -> tuple[list[np.ndarray], int]:
    """Dense integer keys of (repository, sha) pairs, one array per input list.

    Strings are hashed once (the expensive part); a SHA found in two repositories (a fork)
    gets one extra key per additional repository, so keys stay dense for array lookups.
    """
    sizes = np.cumsum([0, *map(len, sha_lists)])
    codes, n = factorize_strings(np.concatenate([np.asarray(x, dtype=object) for x in sha_lists]))
    repo = np.concatenate(repo_lists).astype(np.int64)
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


def _order(repo: np.ndarray, finish: np.ndarray, ids: np.ndarray) -> np.ndarray:
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
    listed_names: Sequence[str], tables: list[np.ndarray]
) -> tuple[list[str], np.ndarray, list[np.ndarray]]:
    """Names sorted, which are listed, and the repository code of every row of each table."""
    factored = [pd.factorize(t) for t in tables]
    names = sorted(set(listed_names).union(*(u.tolist() for _, u in factored)))
    lookup = {n: k for k, n in enumerate(names)}
    listed = np.zeros(len(names), dtype=bool)
    listed[[lookup[n] for n in listed_names]] = True
    codes = []
    for local, uniques in factored:
        table = np.array([lookup[u] for u in uniques.tolist()], dtype=np.int64)
        codes.append(table[local] if len(local) else np.zeros(0, dtype=np.int64))
    return names, listed, codes


def build_frames(
    *,
    repositories: Sequence[Repository],
    deployments: Sequence[Deployment],
    changes: Sequence[Change],
    incidents: Sequence[Incident],
    options: MetricsOptions,
    need_paths: bool = False,
) -> Frames:
    """Encode record objects (see ``frames_from_columns`` for input already in columns)."""
    columns = columns_from_records(
        repositories=repositories,
        deployments=deployments,
        changes=changes,
        incidents=incidents,
        options=options,
        need_paths=need_paths,
    )
    return frames_from_columns(columns, options)


def _segments(lens: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Indexes that gather variable-length segments (lengths ``lens``) in ``order``."""
    starts = np.cumsum(lens) - lens
    taken = lens[order]
    offset = np.arange(int(taken.sum())) - np.repeat(np.cumsum(taken) - taken, taken)
    return np.repeat(starts[order], taken) + offset


def frames_from_columns(c: Columns, options: MetricsOptions) -> Frames:
    """Encode columns once: integer repository codes, commit keys, sorted deployments."""
    d, ch, inc = c.deployments, c.changes, c.incidents
    names, listed, (dep_repo, chg_repo, inc_repo) = _repositories(
        c.repositories, [d.repository, ch.repository, inc.repository]
    )
    order = _order(dep_repo, d.finish, d.id)
    lens = d.n_changes[order]
    repo = dep_repo[order]
    rev_rows = np.fromiter(ch.reverts, dtype=np.int64, count=len(ch.reverts))
    inc_rows = np.fromiter(inc.linked_sha, dtype=np.int64, count=len(inc.linked_sha))
    keys, n_keys = commit_keys(
        [
            d.sha[order],
            d.shipped[_segments(d.n_changes, order)],
            ch.sha,
            strings(list(ch.reverts.values())),
            strings(list(inc.linked_sha.values())),
        ],
        [repo, np.repeat(repo, lens), chg_repo, chg_repo[rev_rows], inc_repo[inc_rows]],
    )
    head_key, ship_key, chg_key, rev_key, link_key = keys
    dep_frame = pd.DataFrame(
        {"id": d.id[order], "repo": repo, "head": head_key, "finish": d.finish[order]}
    ).assign(n_changes=lens)
    ships = pd.DataFrame({"dep": np.repeat(np.arange(len(order)), lens), "key": ship_key})
    revert_key = np.full(len(ch.sha), -1, dtype=np.int64)
    revert_key[rev_rows] = rev_key
    linked_key = np.full(len(inc.id), -1, dtype=np.int64)
    linked_key[inc_rows] = link_key
    keep = first_occurrence(chg_key, n_keys)
    paths = None
    if ch.paths is not None:
        paths = np.empty(len(ch.sha), dtype=object)
        paths[:] = [()] * len(paths)
        for row, value in ch.paths.items():
            paths[row] = tuple(value)
        paths = paths[keep]
    change_frame = _change_frame(ch, chg_key, chg_repo, revert_key, options)
    return Frames(
        repo_names=names,
        listed=listed,
        deps=dep_frame,
        ships=ships,
        changes=change_frame[keep].reset_index(drop=True),
        incidents=_incident_frame(inc, inc_repo, linked_key, dep_frame),
        paths=paths,
        n_keys=n_keys,
    )


def _labelled(labels: dict[int, Sequence[str]], n: int, *label_sets: list[str]) -> list[np.ndarray]:
    """Per label set: which changes carry one of its labels (case-insensitive)."""
    rows = list(labels)
    lowered = [{x.lower() for x in labels[k]} for k in rows]
    out = []
    for label_set in label_sets:
        wanted = {x.lower() for x in label_set}
        flags = np.zeros(n, dtype=bool)
        flags[rows] = [not wanted.isdisjoint(ls) for ls in lowered]
        out.append(flags)
    return out


def _change_frame(
    ch: ChangeColumns,
    key: np.ndarray,
    repo: np.ndarray,
    revert_key: np.ndarray,
    options: MetricsOptions,
) -> pd.DataFrame:
    hotfix, rework = _labelled(ch.labels, len(key), options.hotfix_labels, options.rework_labels)
    cols: dict[str, np.ndarray] = {
        "key": key,
        "repo": repo,
        "authored": ch.authored,
        "bot": ch.bot,
        "hotfix": hotfix,
        "rework": rework,
        "reverts": revert_key,
    }
    if needs_pr_columns(options):
        if ch.pr is None or ch.first is None or ch.merged is None or ch.committed is None:
            raise ValueError(f"lead_time_start={options.lead_time_start} needs the PR columns")
        cols |= {"pr": ch.pr, "first": ch.first, "merged": ch.merged, "committed": ch.committed}
    return pd.DataFrame(cols)


def _incident_frame(
    inc: IncidentColumns,
    repo: np.ndarray,
    linked_key: np.ndarray,
    deps: pd.DataFrame,
) -> pd.DataFrame:
    """Incidents with the deployment row they name, when they name one we know."""
    linked_dep = np.full(len(inc.id), -1, dtype=np.int64)
    if inc.linked_deployment:
        pairs = zip(deps["repo"].tolist(), deps["id"].tolist(), strict=True)
        dep_index = {pair: k for k, pair in enumerate(pairs)}
        codes = repo.tolist()
        for row, dep_id in inc.linked_deployment.items():
            linked_dep[row] = dep_index.get((codes[row], dep_id), -1)
    return pd.DataFrame(
        {
            "id": inc.id,
            "repo": repo,
            "created": inc.created,
            "resolved": inc.resolved,
            "severity": strings([norm_severity(s) for s in inc.severity]),
            "linked_dep": linked_dep,
            "linked_key": linked_key,
        }
    )
