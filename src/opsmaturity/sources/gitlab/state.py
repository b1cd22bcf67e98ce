"""Incremental sync state for the GitLab source, kept as JSON in a checkpoint.

A resource's checkpoint says which span was collected (``since`` … ``hwm``, the largest
``updated_at`` seen) and, for deployments, the last successful SHA per environment (the
base of the next compare). A run whose window starts inside that span asks GitLab only for
what was updated after ``hwm``; any other window starts afresh.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..base import Window
from . import records as rec

#: Re-ask a little before the high-water mark: GitLab compares at second precision.
OVERLAP = timedelta(seconds=1)


@dataclass
class SyncState:
    """A resource's checkpoint: coverage start, ``updated_at`` high-water mark, last SHAs."""

    since: datetime
    hwm: datetime | None = None
    prev: dict[str, str] = field(default_factory=dict)
    incremental: bool = False
    baseline: set[str] = field(default_factory=set)
    cutoff: datetime | None = None
    """The high-water mark as loaded: items updated up to it were collected already."""

    @property
    def after(self) -> datetime:
        return self.hwm - OVERLAP if self.incremental and self.hwm else self.since

    def seen(self, updated: datetime | None) -> bool:
        """Already collected by the previous run (incremental mode only)."""
        return bool(self.cutoff and updated and updated <= self.cutoff)

    def advance(self, updated: datetime | None) -> None:
        if updated is not None and (self.hwm is None or updated > self.hwm):
            self.hwm = updated

    def dump(self) -> str:
        return json.dumps(
            {
                "since": self.since.isoformat(),
                "hwm": self.hwm.isoformat() if self.hwm else None,
                "prev": self.prev,
            }
        )

    @classmethod
    def load(cls, raw: str | None, window: Window) -> SyncState:
        """Resume from ``raw`` when it covers this window's start, else start afresh."""
        data = json.loads(raw) if raw else {}
        since, hwm = rec.when(data.get("since")), rec.when(data.get("hwm"))
        if since and since <= window.since <= (hwm or since):
            return cls(since, hwm, dict(data.get("prev") or {}), incremental=True, cutoff=hwm)
        return cls(window.since)
