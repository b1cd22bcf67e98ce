"""One repository's records packed for the engine: built once, read many times.

A pack holds exactly what the metrics read of a repository's deployments, changes and
incidents, as numpy arrays plus a few sparse values. Commits are local integer keys — a SHA
is unique only within its repository — with the repository's changes first (change row k
has key k), so the engine joins by array lookups and never hashes a SHA again. The store
keeps packs beside the records (``stored.frames_from_store``) and rebuilds a repository's
pack only after its records change; ``frames.frames_from_packs`` concatenates them.

Choices the packs fix, which every metric then shares:

* a deployment is identified by (environment in any case, id) within its repository; of a
  record repeated across sources the last one read wins; only successful, finished
  deployments the source calls production are kept (``environments`` filters at read time);
* of a change repeated across sources the first one read wins;
* deployments are sorted by finish time, then id, so ties never depend on input order.
"""

from __future__ import annotations

import json
import math
import struct
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

import numpy as np

from ..records import Change, Deployment, Incident, to_dict

FORMAT = 3
"""Bumped whenever the encoding or what is packed changes (a dedupe rule, which deployments
are kept...): packs of another format are rebuilt from the records."""

_TIME, _INT, _FLAG = np.dtype("<f8"), np.dtype("<i8"), np.dtype("?")  # little-endian on disk
_ARRAYS = {
    "dep_finish": _TIME,
    "dep_head": _INT,
    "dep_changes": _INT,
    "dep_env": _INT,
    "shipped": _INT,
    "authored": _TIME,
    "bot": _FLAG,
    "label_row": _INT,
    "label_set": _INT,
    "pr": _INT,
    "first": _TIME,
    "merged": _TIME,
    "committed": _TIME,
    "inc_created": _TIME,
    "inc_resolved": _TIME,
}
_OPTIONAL = ("pr", "first", "merged", "committed")


@dataclass(frozen=True)
class Pack:
    """A repository's records as the engine reads them (see the module docstring)."""

    repository: str
    n_keys: int  # local commit keys: 0 ≤ key < n_keys; changes hold 0 … len(authored)-1
    environments: list[str]  # names dep_env indexes
    dep_id: list[str]  # successful production deployments, sorted by finish then id
    dep_finish: np.ndarray  # float64 epoch seconds (UTC)
    dep_head: np.ndarray  # int64 key of the deployed commit
    dep_changes: np.ndarray  # int64: how many commits each shipped
    dep_env: np.ndarray  # int64 index into environments
    shipped: np.ndarray  # int64 keys of every deployment's change_shas, in deployment order
    authored: np.ndarray  # float64 per change
    bot: np.ndarray  # bool per change
    label_sets: list[list[str]]  # the distinct label lists of pull requests
    label_row: np.ndarray  # int64: the change rows whose pull request has labels
    label_set: np.ndarray  # int64 per such row: its index in label_sets
    reverts: dict[int, int]  # change row → key of the commit it reverts
    paths: dict[int, list[str]]  # change row → files touched (rows with any)
    pr: np.ndarray | None  # int64 PR number, -1 for none; None when no change has PR data
    first: np.ndarray | None  # float64 pr_first_commit_at, NaN for none
    merged: np.ndarray | None  # float64 pr_merged_at
    committed: np.ndarray | None  # float64 committed_at; None when equal to authored throughout
    inc_id: list[str]
    inc_created: np.ndarray  # float64
    inc_resolved: np.ndarray  # float64, NaN while open
    inc_severity: list[str | None]
    inc_linked_key: dict[int, int]  # incident row → key of the blamed commit
    inc_linked_deployment: dict[int, str]  # incident row → id of the blamed deployment
    shas: list[str]  # per local key: its SHA, for the rows behind the figures; not kept in
    # the store (hundreds of MB at millions of commits that no figure reads): [] when read back


Row = dict[str, Any]
"""A record in its stored form (``records.to_dict``): what the store holds, read without
building record objects — at millions of records the objects cost most of the time."""


def _seconds(text: str | None) -> float:
    """Epoch seconds of a stored (ISO 8601, UTC) timestamp; NaN for none."""
    return math.nan if text is None else datetime.fromisoformat(text).timestamp()


def _shipped(d: Row) -> bool:
    return d["status"] == "success" and d["finished_at"] is not None and d["is_production"]


def pack_records(
    repository: str,
    deployments: Iterable[Deployment],
    changes: Iterable[Change],
    incidents: Iterable[Incident],
) -> Pack:
    """:func:`pack_repository` of record objects."""
    return pack_repository(
        repository, map(to_dict, deployments), map(to_dict, changes), map(to_dict, incidents)
    )


def pack_repository(
    repository: str, deployments: Iterable[Row], changes: Iterable[Row], incidents: Iterable[Row]
) -> Pack:
    """Pack one repository's stored records, given in reading order (which breaks ties
    between duplicates)."""
    chosen: dict[str, Row] = {}
    for c in changes:
        chosen.setdefault(c["sha"], c)
    keys = {sha: k for k, sha in enumerate(chosen)}

    def key(sha: str) -> int:
        return keys.setdefault(sha, len(keys))

    latest = {(d["environment"].lower(), d["id"]): d for d in deployments if _shipped(d)}
    finish = {k: _seconds(d["finished_at"]) for k, d in latest.items()}
    order = sorted(latest, key=lambda k: (finish[k], k[1], k[0]))
    deps = [latest[k] for k in order]
    envs = sorted({d["environment"] for d in deps})
    env_code = {e: k for k, e in enumerate(envs)}
    heads = [key(d["sha"]) for d in deps]
    shipped = [key(sha) for d in deps for sha in d["change_shas"]]
    chs = list(chosen.values())
    reverts = {k: key(c["reverts"]) for k, c in enumerate(chs) if c["reverts"]}
    incs = list(incidents)
    linked = {k: key(i["linked_sha"]) for k, i in enumerate(incs) if i["linked_sha"]}
    n_keys = len(keys)  # every key is given out above
    with_pr = any(
        c["pr_number"] is not None or c["pr_merged_at"] or c["pr_first_commit_at"] for c in chs
    )
    authored = [_seconds(c["authored_at"]) for c in chs]
    labelled = [(k, tuple(c["pr_labels"])) for k, c in enumerate(chs) if c["pr_labels"]]
    label_sets = {labels: k for k, labels in enumerate(dict.fromkeys(t for _, t in labelled))}
    rewritten = any(c["committed_at"] != c["authored_at"] for c in chs)
    return Pack(
        repository=repository,
        n_keys=n_keys,
        environments=envs,
        dep_id=[d["id"] for d in deps],
        dep_finish=np.array([finish[k] for k in order], dtype=np.float64),
        dep_head=np.array(heads, dtype=np.int64),
        dep_changes=np.array([len(d["change_shas"]) for d in deps], dtype=np.int64),
        dep_env=np.array([env_code[d["environment"]] for d in deps], dtype=np.int64),
        shipped=np.array(shipped, dtype=np.int64),
        authored=np.array(authored, dtype=np.float64),
        bot=np.array([c["is_bot"] for c in chs], dtype=np.bool_),
        label_sets=[list(labels) for labels in label_sets],
        label_row=np.array([k for k, _ in labelled], dtype=np.int64),
        label_set=np.array([label_sets[t] for _, t in labelled], dtype=np.int64),
        reverts=reverts,
        paths={k: c["paths"] for k, c in enumerate(chs) if c["paths"]},
        pr=_array([-1 if c["pr_number"] is None else c["pr_number"] for c in chs], with_pr, int),
        first=_array([_seconds(c["pr_first_commit_at"]) for c in chs], with_pr, float),
        merged=_array([_seconds(c["pr_merged_at"]) for c in chs], with_pr, float),
        committed=_array([_seconds(c["committed_at"]) for c in chs], rewritten, float),
        inc_id=[i["id"] for i in incs],
        inc_created=np.array([_seconds(i["created_at"]) for i in incs], dtype=np.float64),
        inc_resolved=np.array([_seconds(i["resolved_at"]) for i in incs], dtype=np.float64),
        inc_severity=[i["severity"] for i in incs],
        inc_linked_key=linked,
        inc_linked_deployment={
            k: i["linked_deployment"] for k, i in enumerate(incs) if i["linked_deployment"]
        },
        shas=list(keys),
    )


def _array(values: Sequence[Any], wanted: bool, kind: type) -> np.ndarray | None:
    return np.array(values, dtype=np.int64 if kind is int else np.float64) if wanted else None


# -- bytes: a JSON header (small values, array lengths) then the arrays' raw bytes ----------

_PREFIX = struct.Struct("<II")  # header length, CRC-32 of header and body


def to_bytes(pack: Pack) -> bytes:
    """The pack as bytes: plain data only (no pickle), so a store file is never code."""
    header: dict[str, Any] = {"format": FORMAT, "arrays": {}}
    body: list[bytes] = []
    for f in fields(pack):
        value = getattr(pack, f.name)
        if f.name in _UNSTORED:
            continue
        if f.name in _ARRAYS:
            if value is not None:
                header["arrays"][f.name] = len(value)
                body.append(np.ascontiguousarray(value, dtype=_ARRAYS[f.name]).tobytes())
        elif isinstance(value, dict):
            header[f.name] = [[k, v] for k, v in value.items()]
        else:
            header[f.name] = value
    payload = json.dumps(header, separators=(",", ":")).encode() + b"".join(body)
    return _PREFIX.pack(len(payload) - sum(map(len, body)), zlib.crc32(payload)) + payload


class PackFormatError(ValueError):
    """A pack of another encoding, or damaged: rebuild it from the records."""


def from_bytes(blob: bytes) -> Pack:
    """Inverse of :func:`to_bytes`; arrays are read-only views of ``blob``. Anything but an
    intact pack of this format — a flipped bit included — is refused, never half-read."""
    try:
        size, crc = _PREFIX.unpack_from(blob)
        if zlib.crc32(memoryview(blob)[_PREFIX.size :]) != crc:
            raise PackFormatError("checksum mismatch")
        pack = _decode(blob, size)
        _check(pack)
    except PackFormatError:
        raise
    except Exception as exc:  # whatever a damaged blob makes the decoder trip on
        raise PackFormatError(f"unreadable pack: {exc!r}") from exc
    return pack


def _decode(blob: bytes, size: int) -> Pack:
    header = json.loads(blob[_PREFIX.size : _PREFIX.size + size])
    if header.pop("format", None) != FORMAT:
        raise PackFormatError("pack written in another format")
    offset = _PREFIX.size + size
    values: dict[str, Any] = dict.fromkeys(_OPTIONAL) | {"shas": []}
    for name, count in header.pop("arrays").items():
        dtype = _ARRAYS[name]
        values[name] = np.frombuffer(blob, dtype=dtype, count=count, offset=offset)
        offset += count * dtype.itemsize
    if offset != len(blob):
        raise PackFormatError("pack truncated or padded")
    for name, value in header.items():
        values[name] = {k: v for k, v in value} if name in _SPARSE else value
    return Pack(**values)


def _check(p: Pack) -> None:
    """The invariants the engine indexes by: consistent lengths, keys below n_keys."""
    n_dep, n_chg, n_inc = len(p.dep_id), len(p.authored), len(p.inc_id)
    keys = [p.dep_head, p.shipped, np.fromiter(p.reverts.values(), np.int64)]
    keys.append(np.fromiter(p.inc_linked_key.values(), np.int64))
    ok = (
        all(len(a) == n_dep for a in (p.dep_finish, p.dep_head, p.dep_changes, p.dep_env))
        and all(a is None or len(a) == n_chg for a in (p.bot, p.pr, p.first, p.merged))
        and (p.committed is None or len(p.committed) == n_chg)
        and len(p.inc_created) == len(p.inc_resolved) == len(p.inc_severity) == n_inc
        and int(p.dep_changes.sum()) == len(p.shipped)
        and _within(p.dep_changes, len(p.shipped) + 1)
        and _within(p.dep_env, len(p.environments))
        and n_chg <= p.n_keys
        and (not p.shas or len(p.shas) == p.n_keys)
        and all(_within(k, p.n_keys) for k in keys)
        and len(p.label_row) == len(p.label_set)
        and _within(p.label_row, n_chg)
        and _within(p.label_set, len(p.label_sets))
        and all(0 <= row < n_chg for row in [*p.reverts, *p.paths])
        and all(0 <= row < n_inc for row in [*p.inc_linked_key, *p.inc_linked_deployment])
    )
    if not ok:
        raise PackFormatError("pack inconsistent")


def _within(values: np.ndarray, bound: int) -> bool:
    return not len(values) or (int(values.min()) >= 0 and int(values.max()) < bound)


_SPARSE = {"reverts", "paths", "inc_linked_key", "inc_linked_deployment"}
_UNSTORED = {"shas"}
