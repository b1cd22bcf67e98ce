"""How the GitLab source uses the shared :class:`~..sync_state.SyncState`.

GitLab sends no ETags, so its states are high-water marks: a resource's checkpoint says
which span was collected (``since`` … ``hwm``, the largest ``updated_at`` seen) and a run
whose window starts inside that span asks only for what was updated after ``hwm``.
``deployments`` (per project) also keeps the last successful SHA per environment
(``prev``, the next deployment's base) and when it was deployed (``memo["prev_at"]``, how
far back the history must reach). ``incidents`` is kept per project, or under ``*`` for
the group-wide query.
"""

from __future__ import annotations

from ..base import Checkpoints, Window
from ..sync_state import OVERLAP, SyncState

__all__ = ["OVERLAP", "SyncState", "load"]


def load(checkpoints: Checkpoints, key: str, resource: str, window: Window) -> SyncState:
    """The saved state of ``resource`` when it covers this window's start, else fresh."""
    return SyncState.load(checkpoints.get(key, resource), window)
