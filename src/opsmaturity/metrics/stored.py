"""The store → the engine's frames, through per-repository packs cached in the store.

A repository's pack (``packs``) is built from its records the first time the metrics need
it after those records changed, and kept in the store (``Store.derived``). Later runs read
a few arrays per repository instead of millions of JSON records: the SQLite parse and the
Python objects per record cost more than every metric together. ``opsmaturity collect``
builds the packs of what it collected, so the first report after it starts at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from itertools import islice

from ..config import MetricsOptions, Team
from ..period import Period
from ..records import Repository
from ..store import Store
from .engine import Bucket, compute_from_frames
from .frames import Frames, frames_from_packs
from .model import MetricsReport
from .packs import Pack, PackFormatError, from_bytes, pack_repository, to_bytes

DERIVED_NAME = "metrics-pack"
BATCH = 64  # repositories packed per store transaction

Built = Callable[[int, int], None]
"""Told ``(packed so far, to pack)`` as stale packs are rebuilt: for a progress bar."""


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
    """The engine's frames from the store's packs (see ``frames.frames_from_packs``)."""
    listed = [r.full_name for r in store.records(Repository)]
    return frames_from_packs(load_packs(store), listed, options, need_paths)


def load_packs(store: Store, built: Built | None = None) -> list[Pack]:
    """Every repository's pack: current ones read, missing or outdated ones rebuilt and kept."""
    return list(_packs(store, built))


def refresh_packs(store: Store, built: Built | None = None) -> int:
    """Rebuild the packs that are missing or outdated (``opsmaturity collect`` does, so the
    next report starts at once); returns how many were rebuilt."""
    rebuilt = [0]

    def count(done: int, total: int) -> None:
        rebuilt[0] = done
        if built is not None:
            built(done, total)

    for _ in _packs(store, count):
        pass
    return rebuilt[0]


def _packs(store: Store, built: Built | None) -> Iterator[Pack]:
    stale = []
    for repository, generation, blob in store.derived(DERIVED_NAME):
        try:
            if blob is not None:
                yield from_bytes(blob)
                continue
        except PackFormatError:
            pass
        stale.append((repository, generation))
    todo, done = iter(stale), 0
    while batch := list(islice(todo, BATCH)):
        fresh = [(name, gen, pack_stored(store, name)) for name, gen in batch]
        store.put_derived(DERIVED_NAME, [(name, gen, to_bytes(p)) for name, gen, p in fresh])
        done += len(fresh)
        if built is not None:
            built(done, len(stale))
        yield from (p for _, _, p in fresh)


def pack_stored(store: Store, repository: str) -> Pack:
    """Pack one repository from its stored records, in the store's (source, key) order."""
    return pack_repository(
        repository,
        store.dicts("deployment", repository=repository),
        store.dicts("change", repository=repository),
        store.dicts("incident", repository=repository),
    )
