"""One sync-state shape for both forges, kept as JSON in per-repository checkpoints.

Why one shape: a re-run's cost rests on three facts, whatever the forge — which window
the state was collected for, the ETags of conditional lists (GitHub answers an unchanged
list with a free 304), and the ``updated_at`` high-water mark (GitLab has no conditional
requests, so it asks only for what was updated since). Each forge uses the parts its API
supports; ``memo`` keeps what is worth not asking again (the deployment method's workflow
ids, tagged commits' times, production environments).

A state read for another window is discarded, except that a high-water-mark state also
covers a later window start inside the span it collected (``since`` … ``hwm``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .base import Window
from .rules import parse_optional_time

#: Re-ask a little before the high-water mark: GitLab compares at second precision.
OVERLAP = timedelta(seconds=1)


@dataclass
class SyncState:
    """What the last run learned about one resource of one repository (or org/group)."""

    since: datetime
    """The window start the state was collected for."""
    method: str | None = None
    """The detected deployment method (``deployments``, ``workflow_runs``, ...)."""
    etags: dict[str, str | None] = field(default_factory=dict)
    """First-page ETag per conditional query, by a key the forge chooses."""
    hwm: datetime | None = None
    """The largest ``updated_at`` seen (items updated later are new)."""
    prev: dict[str, str] = field(default_factory=dict)
    """The last successful deployment's SHA per environment (the next one's base)."""
    memo: dict[str, Any] = field(default_factory=dict)
    """Forge-specific facts not worth reading again (JSON-serialisable)."""
    resumed: bool = False
    """Loaded from a checkpoint that covers this window (not stored)."""
    cutoff: datetime | None = None
    """The high-water mark as loaded: items updated up to it are stored already."""
    baseline: set[str] = field(default_factory=set)
    """Deployments read only as a diff base this run (not stored)."""

    @property
    def after(self) -> datetime:
        """Ask for items updated after this: the high-water mark when resuming."""
        return self.hwm - OVERLAP if self.resumed and self.hwm else self.since

    def seen(self, updated: datetime | None) -> bool:
        """Already collected by the previous run (when resuming)."""
        return bool(self.cutoff and updated and updated <= self.cutoff)

    def advance(self, updated: datetime | None) -> None:
        if updated is not None and (self.hwm is None or updated > self.hwm):
            self.hwm = updated

    def dump(self) -> str:
        data: dict[str, Any] = {
            "since": self.since.isoformat(),
            "method": self.method,
            "etags": self.etags,
            "hwm": self.hwm.isoformat() if self.hwm else None,
            "prev": self.prev,
            "memo": self.memo,
        }
        return json.dumps({k: v for k, v in data.items() if v not in (None, {}, [])})

    @classmethod
    def load(cls, raw: str | None, window: Window, *, exact: bool = False) -> SyncState:
        """Resume from ``raw`` when it covers this window's start, else start afresh.
        ``exact``: only for the very same start (ETags belong to one query)."""
        try:
            data = json.loads(raw) if raw else {}
            since, hwm = (
                parse_optional_time(data.get("since")),
                parse_optional_time(data.get("hwm")),
            )
        except (ValueError, TypeError, AttributeError):
            data, since, hwm = {}, None, None  # an older or damaged checkpoint: start afresh
        covers = since is not None and (
            since == window.since if exact else since <= window.since <= (hwm or since)
        )
        if not covers or since is None:
            return cls(window.since)
        return cls(
            since,
            method=data.get("method"),
            etags=dict(data.get("etags") or {}),
            hwm=hwm,
            prev=dict(data.get("prev") or {}),
            memo=dict(data.get("memo") or {}),
            resumed=True,
            cutoff=hwm,
        )
