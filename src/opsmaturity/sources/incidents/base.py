"""What every incident-tool source shares: filters, service placement, incremental sync.

An incident tool has no repositories, deployments or commits, so an
:class:`IncidentSource` answers the repository-centred :class:`~..base.Source` methods
with nothing and is collected through :meth:`IncidentSource.collect_incidents` instead
(``collect.collect`` sends it there). Each tool only implements :meth:`fetch`: the
incidents created in a span, as records without a repository, plus the keys (service
ids and names, components, project keys) the ``services:`` mapping places them by.

Incremental sync: the checkpoint remembers the span already read and the creation time
of the oldest incident that was still open. The next run whose window starts inside that
span reads again only from that oldest open incident (or from the end of the span), so
incidents resolved since are updated and nothing older is asked for twice.
"""

from __future__ import annotations

import hashlib
import json
import re
from abc import abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ...errors import SourceError
from ...records import Change, CollectionNote, Deployment, Incident, Repository
from ..base import Source, Window
from .retry import Retrying
from .services import Placement, ServiceMap

#: The pseudo repository an incident source keeps its checkpoints under.
CHECKPOINT_SCOPE = "*"
#: Re-read a little before the covered span's end: tools index creation at second precision.
OVERLAP = timedelta(minutes=5)

_NOT_ALNUM = re.compile(r"[^0-9a-z]")

Found = tuple[Incident, Sequence[str]]
"""An incident without a repository yet, and the keys that place it."""


def norm_priority(value: str | None) -> str:
    """``P1``, ``p-1`` and ``P 1`` are one priority."""
    return _NOT_ALNUM.sub("", (value or "").lower())


@dataclass
class SyncState:
    """The incidents checkpoint: span read (``since`` … ``until``), oldest open incident, and
    the fingerprint of the placement (mapping and filters) the stored records were made with."""

    since: datetime
    until: datetime | None = None
    oldest_open: datetime | None = None
    fingerprint: str = ""

    @classmethod
    def load(cls, raw: str | None, window: Window, fingerprint: str = "") -> SyncState:
        """Resume when the stored span covers this window's start and the placement is the
        same, else start afresh."""
        data = json.loads(raw) if raw else {}
        since = _when(data.get("since"))
        until = _when(data.get("until"))
        same = data.get("fingerprint", "") == fingerprint
        if same and since and until and since <= window.since <= until:
            return cls(since, until, _when(data.get("oldest_open")), fingerprint)
        return cls(window.since, fingerprint=fingerprint)

    def start(self, window: Window) -> datetime:
        """Where this run must start reading."""
        if self.until is None:
            return window.since
        resume = self.until - OVERLAP
        return min(resume, self.oldest_open) if self.oldest_open else resume

    def dump(self, until: datetime, oldest_open: datetime | None) -> str:
        """The checkpoint after reading up to ``until``; the span read never shrinks."""
        until = max(until, self.until) if self.until else until
        return json.dumps(
            {
                "since": self.since.isoformat(),
                "until": until.isoformat(),
                "oldest_open": oldest_open.isoformat() if oldest_open else None,
                "fingerprint": self.fingerprint,
            }
        )


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class IncidentSource(Source):
    """An incident tool read into :class:`Incident` records placed on repositories."""

    #: Shown in messages (``PagerDuty``, ``Jira``...).
    tool = "incident tool"
    #: First pause before a request is tried again, in seconds (see :mod:`.retry`).
    pause = 1.0

    def __init__(
        self, name: str, services: ServiceMap, priorities: Sequence[str] | None = None
    ) -> None:
        super().__init__(name)
        self.services = services
        self.priorities = None if priorities is None else {norm_priority(p) for p in priorities}

    @abstractmethod
    def fetch(self, since: datetime, until: datetime, sync: SyncMarks) -> Iterable[Found]:
        """Incidents created in ``[since, until)``, oldest spans first; call
        ``sync.covered(t)`` once everything created before ``t`` has been yielded."""

    def collect_incidents(self, window: Window) -> Iterator[Incident | CollectionNote]:
        """Every incident of the window placed on its repositories, then the notes."""
        raw = self.checkpoints.get(CHECKPOINT_SCOPE, "incidents")
        state = SyncState.load(raw, window, self.fingerprint())
        marks = SyncMarks(self, state)
        placement = Placement(self.services)
        left_out = 0
        start = state.start(window)
        if start >= window.until:  # an earlier window inside what was read: nothing new to ask
            return
        for incident, keys in self.fetch(start, window.until, marks):
            if not self.wanted(incident):
                left_out += 1
                continue
            marks.saw(incident)
            yield from placement.place(incident, keys)
            self.progress.advance(self.name, "incidents")
        marks.covered(window.until)
        yield from placement.notes(self.name)
        if left_out:
            yield self.filter_note()

    @property
    def retrying(self) -> Retrying:
        """The retry policy of this source's requests, reporting waits to its progress."""
        return Retrying(f"{self.name}: {self.tool}", pause=self.pause, progress=self.progress)

    def fingerprint(self) -> str:
        """What decides which records a run stores: the mapping, the filters, the query."""
        parts = {
            "services": {k: list(v) for k, v in sorted(self.services.targets.items())},
            "priorities": sorted(self.priorities) if self.priorities is not None else None,
            "query": self.query_fingerprint(),
        }
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]

    def query_fingerprint(self) -> str:
        """The tool-side filters (query, ids, urgencies...) as text; tools override."""
        return ""

    def placement_changed(self) -> bool:
        """The stored records were placed or filtered differently: they must be replaced."""
        raw = self.checkpoints.get(CHECKPOINT_SCOPE, "incidents")
        if not raw:
            return False
        return bool(json.loads(raw).get("fingerprint", "") != self.fingerprint())

    def translate(
        self, raw: dict[str, Any], convert: Callable[[dict[str, Any]], Incident]
    ) -> Incident:
        """``convert(raw)``; a malformed tool object is one clear error, not a traceback."""
        try:
            return convert(raw)
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            ident = raw.get("key") or raw.get("id") or "?"
            raise SourceError(
                f"{self.name}: {self.tool} incident {ident} is unreadable ({type(exc).__name__}: {exc})"
            ) from None

    def wanted(self, incident: Incident) -> bool:
        """Whether the priority filter keeps it (an incident with no priority is kept)."""
        if self.priorities is None:
            return True
        value = incident.priority or incident.severity
        return value is None or norm_priority(value) in self.priorities

    def filter_note(self) -> CollectionNote:
        return CollectionNote(
            repository="*",
            resource="incidents",
            message=f"{self.name}: incidents of other priorities were left out by the source's "
            "`priorities` filter.",
            level="info",
        )

    # An incident tool has no repositories, deployments or commits.
    def repositories(self) -> list[Repository]:
        return []

    def deployments(
        self, repository: Repository, window: Window
    ) -> Iterable[Deployment | CollectionNote]:
        return []

    def changes(
        self, repository: Repository, window: Window, deployments: Sequence[Deployment]
    ) -> Iterable[Change | Deployment | CollectionNote]:
        return []

    def incidents(
        self, repository: Repository, window: Window
    ) -> Iterable[Incident | CollectionNote]:
        return []


class SyncMarks:
    """Tracks what a run has read and moves the checkpoint as spans complete."""

    def __init__(self, source: IncidentSource, state: SyncState) -> None:
        self._source = source
        self._state = state
        self._oldest_open: datetime | None = None

    def saw(self, incident: Incident) -> None:
        if incident.resolved_at is None and (
            self._oldest_open is None or incident.created_at < self._oldest_open
        ):
            self._oldest_open = incident.created_at

    def covered(self, until: datetime) -> None:
        """Everything created before ``until`` has been yielded (the collector stores it
        before it writes this checkpoint)."""
        value = self._state.dump(until, self._oldest_open)
        self._source.checkpoints.set(CHECKPOINT_SCOPE, "incidents", value)
