"""The ``Source`` contract every data source implements, and what the collector gives it.

A source turns one outside system (GitHub, GitLab, CSV files, the demo generator) into
canonical records — nothing else crosses this boundary. The collector (``collect.py``)
picks repositories, runs sources concurrently, stores what they yield and keeps
checkpoints; a source only reads and translates.

**The order of calls** (``collect.collect`` and ``pipeline.collect_sources``)::

    source.open(progress, checkpoints)      once, before anything else
    source.repositories()                   once
    for each repository (concurrently, each on one thread, in this order):
        source.deployments(repo, window)
        source.changes(repo, window, deployments)    the Deployment records just yielded
        source.incidents(repo, window)
    source.forge_dora(period)               optional capability; default None
    source.notes()                          optional; default none
    source.close()                          always, even after an error

Every call receives what it needs (the window included): no method relies on state
that an earlier call left behind, except the per-repository sync state a source may carry
from ``deployments`` to ``changes`` of the same repository (its checkpoint is written
once both are stored). Records a call yields are stored before the next call starts;
a checkpoint a call sets is persisted only after that call's records are stored, so a
checkpoint never vouches for records that a crash lost. A repository whose call raises
:class:`~opsmaturity.errors.SourceError` is recorded as failed and its unsaved
checkpoints are discarded; :class:`~opsmaturity.errors.AuthError` stops the run.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from ..period import Period
from ..records import Change, CollectionNote, Deployment, Incident, Repository


@dataclass(frozen=True, slots=True)
class Window:
    """The time span to collect: ``since`` inclusive, ``until`` exclusive, both UTC-aware.

    Collectors ask for a little more than the reporting period (the deployment before
    it, incidents that straddle its start), so this is not the reporting period itself.
    """

    since: datetime
    until: datetime


class Progress(Protocol):
    """Progress callbacks; the CLI shows them as rich progress bars, tests record them."""

    def advance(self, repository: str, resource: str, count: int = 1) -> None:
        """``count`` more items of ``resource`` were read for ``repository``."""

    def waiting(self, seconds: float, reason: str) -> None:
        """The source is sleeping (rate limit, backoff); show it instead of looking stuck."""


class Checkpoints(Protocol):
    """Per-repository, per-resource sync state kept in the store (ETags, cursors, 'done')."""

    def get(self, repository: str, resource: str) -> str | None: ...

    def set(self, repository: str, resource: str, value: str) -> None: ...


class NullProgress:
    """Progress sink that ignores everything (library use, tests)."""

    def advance(self, repository: str, resource: str, count: int = 1) -> None:
        return None

    def waiting(self, seconds: float, reason: str) -> None:
        return None


class MemoryCheckpoints:
    """In-memory checkpoints for one-off runs and tests."""

    def __init__(self) -> None:
        self._data: dict[tuple[str, str], str] = {}

    def get(self, repository: str, resource: str) -> str | None:
        return self._data.get((repository, resource))

    def set(self, repository: str, resource: str, value: str) -> None:
        self._data[(repository, resource)] = value


@dataclass(frozen=True, slots=True)
class ForgeDora:
    """A forge's own DORA figures for a period (GitLab Ultimate's DORA API), in our units,
    so the report can set them beside ours. None where the forge gave no value."""

    scope: str
    """What the forge measured: ``group:northwind`` or ``project:northwind/checkout``."""
    start: date
    end: date
    deployments_per_week: float | None
    lead_time_hours: float | None
    change_failure_rate: float | None
    """A fraction (0.25 = 25 %)."""
    recovery_hours: float | None

    def document(self) -> dict[str, Any]:
        """The JSON the store keeps: figures keyed by our metric names, in our units."""
        return {
            "scope": self.scope,
            "start_date": self.start.isoformat(),
            "end_date": self.end.isoformat(),
            "metrics": {
                "deployment_frequency": self.deployments_per_week,
                "lead_time_for_changes": self.lead_time_hours,
                "change_failure_rate": self.change_failure_rate,
                "failed_deployment_recovery_time": self.recovery_hours,
            },
        }


class Source(ABC):
    """One outside system, read into canonical records.

    Methods may also yield :class:`CollectionNote` records for what they could not read
    or what they detected (e.g. which deployment method a repository uses); those end up
    on the report's data-quality page. Errors are raised as :mod:`opsmaturity.errors`.
    """

    #: Name of this source in the store (``github``, ``gitlab-2``...).
    name: str

    def __init__(self, name: str) -> None:
        self.name = name
        self._progress: Progress = NullProgress()
        self._checkpoints: Checkpoints = MemoryCheckpoints()

    def open(self, progress: Progress, checkpoints: Checkpoints) -> None:
        """Called once before anything else: where to report progress and keep sync
        state. Sources that hand progress on (to an API client) extend this."""
        self._progress = progress
        self._checkpoints = checkpoints

    @property
    def progress(self) -> Progress:
        """What :meth:`open` was given (a sink that ignores everything before it)."""
        return self._progress

    @property
    def checkpoints(self) -> Checkpoints:
        """What :meth:`open` was given (in-memory before it)."""
        return self._checkpoints

    @abstractmethod
    def repositories(self) -> list[Repository]:
        """Repositories in scope, after include/exclude and archived filtering."""

    @abstractmethod
    def deployments(
        self, repository: Repository, window: Window
    ) -> Iterable[Deployment | CollectionNote]:
        """Production deployment attempts finishing in ``window``, plus the last success
        before it (so the first deployment in the window can be diffed against it)."""

    @abstractmethod
    def changes(
        self, repository: Repository, window: Window, deployments: Sequence[Deployment]
    ) -> Iterable[Change | Deployment | CollectionNote]:
        """The commits ``deployments`` (what :meth:`deployments` yielded for the same
        ``window``) shipped, with pull/merge-request context.

        Also yields each deployment again with ``change_shas`` filled in (records are
        frozen; the store's upsert replaces the earlier copy).
        """

    @abstractmethod
    def incidents(
        self, repository: Repository, window: Window
    ) -> Iterable[Incident | CollectionNote]:
        """Incidents opened in ``window`` or still open at its start."""

    def forge_dora(self, period: Period) -> ForgeDora | None:
        """The forge's own DORA figures for ``period``, for the report's cross-check;
        None when the source has none (the default) or the forge would not give them."""
        return None

    def notes(self) -> list[CollectionNote]:
        """Notes about the source as a whole, beyond those its methods yielded (e.g. that
        the forge's DORA API is not available); stored after :meth:`forge_dora`."""
        return []

    def usage(self) -> str | None:
        """What the collection cost the forge's API (queries, GraphQL points), for the
        collector's closing summary; None when the source does not count it."""
        return None

    def close(self) -> None:
        """Release network resources (sessions, pools)."""
        return None
