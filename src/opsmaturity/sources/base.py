"""The ``Source`` interface every data source implements, and what the collector gives it.

A source turns one outside system (GitHub, GitLab, CSV files, the demo generator) into
canonical records — nothing else crosses this boundary. The collector (``collect.py``)
picks repositories, runs sources concurrently, stores what they yield and keeps
checkpoints; a source only reads and translates.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

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
        self.progress: Progress = NullProgress()
        self.checkpoints: Checkpoints = MemoryCheckpoints()

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
        self, repository: Repository, deployments: Sequence[Deployment]
    ) -> Iterable[Change | Deployment | CollectionNote]:
        """The commits those deployments shipped, with pull/merge-request context.

        Also yields each deployment again with ``change_shas`` filled in (records are
        frozen; the store's upsert replaces the earlier copy).
        """

    @abstractmethod
    def incidents(
        self, repository: Repository, window: Window
    ) -> Iterable[Incident | CollectionNote]:
        """Incidents opened in ``window`` or still open at its start."""

    def close(self) -> None:
        """Release network resources (sessions, pools)."""
        return None
