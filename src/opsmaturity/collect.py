"""The collector: run a source over its repositories, concurrently, into the store.

Per repository it asks for deployments, then the changes they shipped, then incidents,
and upserts each batch as soon as it arrives, so an interrupted run keeps what it had
and the source's checkpoints let the next run resume. A repository that fails is
recorded as a :class:`CollectionNote` (and listed by the CLI), never silently dropped;
credential errors stop the whole run because every other repository would fail too.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

from .completeness import SOURCE_RUN
from .errors import AuthError, SourceError
from .period import Period
from .records import KIND_OF, CollectionNote, Deployment, Record, Repository
from .sources.base import NullProgress, Progress, Source, Window
from .sources.incidents.base import IncidentSource
from .store import Store
from .tokens import scrub

log = logging.getLogger("opsmaturity.collect")

#: How far before the period collection reaches: the previous deployment and look-back.
DEFAULT_LEAD_IN = timedelta(days=45)


PLURALS = {
    "repository": "repositories",
    "deployment": "deployments",
    "change": "changes",
    "incident": "incidents",
    "note": "notes",
}


COLLECTED = "collection"
"""Store document a finished collection leaves per source, even when it found nothing: an
empty store after a collection is an empty period, not a store nobody filled."""

#: How a note saying a scope is missing begins; a later run that collects the scope
#: deletes it, so the data-quality page never says "not collected" of collected data.
NOT_COLLECTED = "not collected:"


@dataclass
class CollectSummary:
    """What one collection did, for the CLI's closing lines."""

    source: str
    repositories: int = 0
    written: dict[str, int] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    usage: str | None = None
    """What the run cost the forge's API (e.g. GraphQL queries and points), when counted."""

    def add(self, kind: str, count: int) -> None:
        self.written[kind] = self.written.get(kind, 0) + count

    def counts(self) -> list[tuple[int, str]]:
        """``(count, plural label)`` per record kind, in a fixed reading order."""
        order = ("repository", "deployment", "change", "incident", "note")
        return [(self.written[k], PLURALS[k]) for k in order if self.written.get(k)]


class PendingCheckpoints:
    """Holds a source's checkpoints until the records they vouch for are stored.

    A source sets a checkpoint while its generator is still being consumed; writing it
    at once would let a kill between that moment and the upsert skip records on resume.
    """

    def __init__(self, store: Store, source: str) -> None:
        self._view = store.checkpoints_for(source)
        self._pending: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def get(self, repository: str, resource: str) -> str | None:
        with self._lock:
            pending = self._pending.get((repository, resource))
        return pending if pending is not None else self._view.get(repository, resource)

    def set(self, repository: str, resource: str, value: str) -> None:
        with self._lock:
            self._pending[(repository, resource)] = value

    def flush(self, repository: str | None = None) -> None:
        """Persist the pending checkpoints of ``repository`` (all when None)."""
        with self._lock:
            keys = [k for k in self._pending if repository is None or k[0] == repository]
            items = [(k, self._pending.pop(k)) for k in keys]
        for (repo, resource), value in items:
            self._view.set(repo, resource, value)

    def discard(self, repository: str) -> None:
        """Forget what a failed repository claimed: its records were not all stored."""
        with self._lock:
            for key in [k for k in self._pending if k[0] == repository]:
                del self._pending[key]


def collection_window(
    period: Period, tz: str = "UTC", lead_in: timedelta = DEFAULT_LEAD_IN
) -> Window:
    """The span to collect for ``period``: a lead-in before it, up to its end."""
    return Window(since=period.start_at(tz) - lead_in, until=period.end_at(tz))


def collect(
    source: Source,
    store: Store,
    window: Window,
    *,
    progress: Progress | None = None,
    concurrency: int = 8,
) -> CollectSummary:
    """Collect every repository of ``source`` into ``store``; returns a summary. The store
    records the run as started before anything is fetched and finished after, so a
    crash or a kill leaves it marked incomplete."""
    store.start_collection(source.name, [SOURCE_RUN])
    try:
        if isinstance(source, IncidentSource):
            summary = collect_incidents(source, store, window, progress=progress)
            if summary.failed:
                store.finish_collection(
                    source.name, SOURCE_RUN, "failed", summary.failed[SOURCE_RUN]
                )
                return summary
        else:
            summary = _collect(source, store, window, progress, concurrency)
    except BaseException as exc:
        why = scrub(str(exc)) if isinstance(exc, SourceError) else "stopped before the end"
        store.finish_collection(source.name, SOURCE_RUN, "failed", why)
        raise
    store.finish_collection(source.name, SOURCE_RUN, "complete")
    store.put_document(source.name, COLLECTED, {"written": summary.written})
    summary.usage = source.usage() if isinstance(source, Source) else None
    return summary


def _collect(
    source: Source, store: Store, window: Window, progress: Progress | None, concurrency: int
) -> CollectSummary:
    checkpoints = PendingCheckpoints(store, source.name)
    source.open(progress or NullProgress(), checkpoints)
    repositories = [r for r in source.repositories()]
    store.upsert(source.name, repositories)
    store.start_collection(source.name, [r.full_name for r in repositories])
    summary = CollectSummary(source.name, repositories=len(repositories))
    summary.add("repository", len(repositories))

    def run(repo: Repository) -> None:
        try:
            _collect_repository(source, store, repo, window, summary, checkpoints)
        except AuthError:
            checkpoints.discard(repo.full_name)
            raise
        except SourceError as exc:
            checkpoints.discard(repo.full_name)
            why = scrub(str(exc))
            summary.failed[repo.full_name] = why
            note = CollectionNote(repo.full_name, "repository", f"{NOT_COLLECTED} {why}", "error")
            store.forget_notes(source.name, repo.full_name, "repository", NOT_COLLECTED)
            store.upsert(source.name, [note])
            store.finish_collection(source.name, repo.full_name, "failed", why)
            log.warning("%s: %s", repo.full_name, exc)
        else:
            store.forget_notes(source.name, repo.full_name, "repository", NOT_COLLECTED)
            store.finish_collection(source.name, repo.full_name, "complete")

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        for future in [pool.submit(run, repo) for repo in repositories]:
            future.result()  # re-raises AuthError (and bugs) in the caller's thread
    checkpoints.flush()  # source-wide checkpoints (e.g. the repository list)
    return summary


#: Incident records stored per batch: a failure later in the run keeps what was read.
INCIDENT_BATCH = 500


def collect_incidents(
    source: IncidentSource, store: Store, window: Window, *, progress: Progress | None = None
) -> CollectSummary:
    """Collect an incident tool: batches stored as they come, checkpoints after them."""
    checkpoints = PendingCheckpoints(store, source.name)
    source.open(progress or NullProgress(), checkpoints)
    summary = CollectSummary(source.name)
    if source.placement_changed():
        gone = store.forget(source.name)
        log.info(
            "%s: services mapping or filters changed; %d stored records re-placed",
            source.name,
            gone,
        )
    batch: list[Record] = []
    try:
        for record in source.collect_incidents(window):
            batch.append(record)
            if len(batch) >= INCIDENT_BATCH:
                _save(source, store, batch, summary)
                checkpoints.flush()
                batch = []
    except AuthError:
        _save(source, store, batch, summary)  # what was read stays; the checkpoint says how far
        checkpoints.flush()
        raise
    except SourceError as exc:
        # Retries ran out (see sources/incidents/retry.py): this tool is recorded as not
        # collected, and the sources after it carry on, as a forge's repositories do.
        why = scrub(str(exc)).removeprefix(f"{source.name}: ")
        summary.failed[SOURCE_RUN] = why
        batch.append(CollectionNote("*", "incidents", f"{NOT_COLLECTED} {why}", "error"))
        log.warning("%s: %s", source.name, why)
    store.forget_notes(source.name, "*", "incidents", NOT_COLLECTED)  # this run's word stands
    _save(source, store, batch, summary)
    checkpoints.flush()
    return summary


def _collect_repository(
    source: Source,
    store: Store,
    repo: Repository,
    window: Window,
    summary: CollectSummary,
    checkpoints: PendingCheckpoints,
) -> None:
    def save(records: Iterable[Record]) -> list[Record]:
        batch = _save(source, store, records, summary)
        checkpoints.flush(repo.full_name)  # only now are the records they vouch for stored
        return batch

    deployments = save(source.deployments(repo, window))
    shipped = [r for r in deployments if isinstance(r, Deployment)]
    save(source.changes(repo, window, shipped))
    save(source.incidents(repo, window))


def _save(
    source: Source, store: Store, records: Iterable[Record], summary: CollectSummary
) -> list[Record]:
    batch = list(records)
    store.upsert(source.name, batch)
    for record in batch:
        summary.add(KIND_OF[type(record)], 1)
    return batch
