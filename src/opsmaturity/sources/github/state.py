"""How the GitHub source uses the shared :class:`~..sync_state.SyncState`.

``deployments`` (per repository): the detected method, ETags of the method's lists
(``list``: the main list's first page; ``runs:<id>``: each deploy workflow's runs), and in
``memo`` the deploy workflow ids (``workflows``) and tagged commits' times (``times``).
``incidents`` (per repository, or ``*`` for the organization-wide query): the issue
queries' ETags. Both resume only for the very same window start: an ETag answers one query.
"""

from __future__ import annotations

from datetime import datetime

from ..base import Checkpoints, Window
from ..sync_state import SyncState

__all__ = ["SyncState", "load", "stamp"]


def stamp(value: datetime) -> str:
    """GitHub's query and checkpoint time format (UTC, second precision)."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def load(checkpoints: Checkpoints, key: str, resource: str, window: Window) -> SyncState:
    """The saved state of ``resource`` for this very window start, else a fresh one."""
    return SyncState.load(checkpoints.get(key, resource), window, exact=True)
