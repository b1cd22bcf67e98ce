"""Sync state for the GitHub source, kept as JSON in per-repository checkpoints.

``deployments``: the detected method, the window start it was read for, the first-page
ETag of the method's main list (an unchanged repository costs one 304), and what the
method needs to skip work next time (deploy workflow ids and their ETags, tagged commits'
times). ``incidents``: the window start and the ETags of the issue queries.
A state read for another window start is discarded.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from ..base import Checkpoints


def stamp(value: datetime) -> str:
    """GitHub's query and checkpoint time format (UTC, second precision)."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class DeploymentState:
    """What the last run learned about one repository's deployments."""

    method: str | None = None
    """``deployments``, ``workflow_runs``, ``releases``, ``tags``, or ``none`` when none applies."""
    since: str | None = None
    """The window start (:func:`stamp`) the state was read for."""
    etag: str | None = None
    """ETag of the method's first page (workflow runs: their ETags as sorted JSON)."""
    workflows: list[int] | None = None
    """Ids of the deploy workflows (``workflow_runs``)."""
    etags: dict[str, str | None] | None = None
    """Each deploy workflow's first-page ETag (``workflow_runs``)."""
    times: dict[str, str] | None = None
    """Committer time per tagged SHA (``tags``: a tag carries no date)."""

    def dump(self) -> str:
        """JSON with only the fields set (the same shape earlier versions wrote)."""
        return json.dumps({k: v for k, v in asdict(self).items() if v is not None})

    @classmethod
    def load(cls, checkpoints: Checkpoints, repo: str, since: datetime) -> DeploymentState:
        """The saved state when it was read for the window starting at ``since``, else empty."""
        raw = checkpoints.get(repo, "deployments")
        data: dict[str, Any] = json.loads(raw) if raw else {}
        if data.get("since") != stamp(since):
            return cls()
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


@dataclass
class IncidentState:
    """ETags of the issue queries, per query key, for one window start."""

    since: str
    etags: dict[str, str | None] = field(default_factory=dict)

    def dump(self) -> str:
        return json.dumps({"since": self.since, "etags": self.etags})

    @classmethod
    def load(cls, checkpoints: Checkpoints, repo: str, since: datetime) -> IncidentState:
        raw = checkpoints.get(repo, "incidents")
        data: dict[str, Any] = json.loads(raw) if raw else {}
        if data.get("since") != stamp(since):
            return cls(stamp(since))
        return cls(stamp(since), dict(data.get("etags") or {}))
