"""The store → the engine's frames, through per-repository packs cached in the store.

A repository's pack (``packs``) is built from its records the first time the metrics need
it after those records changed, and kept in the store (``Store.derived``). Later runs read
a few arrays per repository instead of millions of JSON records: the SQLite parse and the
Python objects per record cost more than every metric together. ``opsmaturity collect``
builds the packs of what it collected, so the first report after it starts at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from itertools import islice

from ..config import MetricsOptions, Team
from ..errors import StoreError
from ..period import Period
from ..records import Repository
from ..store import Store
from .engine import Bucket, compute_from_frames
from .frames import Frames, frames_from_packs
from .model import MetricsReport
from .packs import Pack, PackFormatError, from_bytes, pack_repository, to_bytes
from .rows import MetricRows, metric_rows
from .sourced import with_sources

log = logging.getLogger(__name__)

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


def rows_from_store(
    store: Store,
    *,
    teams: Mapping[str, Team],
    period: Period,
    options: MetricsOptions,
    trend_bucket: Bucket = "month",
    organization: str = "organization",
) -> MetricRows:
    """The rows behind ``metrics_from_store``'s figures (``rows.metric_rows``), with each
    row's source and the stored records no metric reads (``sourced``). Packs are built
    afresh from the records: the stored ones leave out the SHAs only the rows show."""
    listed = [r.full_name for r in store.records(Repository)]
    packs = [pack_stored(store, name) for name, _, _ in store.derived(DERIVED_NAME)]
    need_paths = any(t.paths for t in teams.values())
    frames = frames_from_packs(packs, listed, options, need_paths)
    rows = metric_rows(
        frames,
        teams=teams,
        period=period,
        options=options,
        trend_bucket=trend_bucket,
        organization=organization,
    )
    return with_sources(rows, store, options)


def frames_from_store(store: Store, *, options: MetricsOptions, need_paths: bool = False) -> Frames:
    """The engine's frames from the store's packs (see ``frames.frames_from_packs``)."""
    listed = [r.full_name for r in store.records(Repository)]
    return frames_from_packs(load_packs(store), listed, options, need_paths)


def load_packs(store: Store, built: Built | None = None) -> list[Pack]:
    """Every repository's pack: current ones read, missing or outdated ones rebuilt and kept."""
    return [pack for pack, _ in _packs(store, built)]


def refresh_packs(store: Store, built: Built | None = None) -> int:
    """Rebuild the packs that are missing or outdated (``opsmaturity collect`` does, so the
    next report starts at once); returns how many were rebuilt."""
    return sum(rebuilt for _, rebuilt in _packs(store, built))


def _packs(store: Store, built: Built | None) -> Iterator[tuple[Pack, bool]]:
    """Every pack, and whether it was rebuilt now."""
    stale = []
    for repository, generation, blob in store.derived(DERIVED_NAME):
        pack = _readable(blob)
        if pack is None:
            stale.append((repository, generation))
        else:
            yield pack, False
    todo, done, keep = iter(stale), 0, True
    while batch := list(islice(todo, BATCH)):
        fresh = [(name, gen, pack_stored(store, name)) for name, gen in batch]
        keep = keep and _keep(store, [(name, gen, to_bytes(p)) for name, gen, p in fresh])
        done += len(fresh)
        if built is not None:
            built(done, len(stale))
        yield from ((p, True) for _, _, p in fresh)


def _readable(blob: bytes | None) -> Pack | None:
    """The pack in ``blob``, or None when there is none or it cannot be trusted."""
    if blob is None:
        return None
    try:
        return from_bytes(blob)
    except PackFormatError as exc:
        log.info("rebuilding a metrics pack: %s", exc)
        return None


def _keep(store: Store, values: list[tuple[str, int, bytes]]) -> bool:
    """Cache packs in the store; a store we may not write to (read-only file, another
    user's, locked) costs speed, not the metrics. Returns whether to keep trying."""
    try:
        store.put_derived(DERIVED_NAME, values)
    except StoreError as exc:
        log.warning("metrics packs not kept in the store, so they are rebuilt next time: %s", exc)
        return False
    return True


def pack_stored(store: Store, repository: str) -> Pack:
    """Pack one repository from its stored records, in the store's (source, key) order."""
    return pack_repository(
        repository,
        store.dicts("deployment", repository=repository),
        store.dicts("change", repository=repository),
        store.dicts("incident", repository=repository),
    )
