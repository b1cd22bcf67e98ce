"""A per-client limit on new respondents through the open link.

The open link lets anyone who can reach the server create a respondent; without a limit one
script could fill the store with empty responses. Each client address may start at most
``per_minute`` respondents in any sliding 60-second window. Behind a reverse proxy every
request comes from the proxy's address, so the limit is then shared: raise it there.
The clock is passed in (the app's ``now``), so tests need no sleeping.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

WINDOW = timedelta(minutes=1)
DEFAULT_PER_MINUTE = 10
MAX_CLIENTS = 10_000
"""Clients remembered before idle ones are forgotten: memory stays bounded."""


class RateLimit:
    """Sliding-window counts per client; ``per_minute`` 0 means no limit."""

    def __init__(self, per_minute: int = DEFAULT_PER_MINUTE) -> None:
        self.per_minute = per_minute
        self._seen: dict[str, deque[datetime]] = {}

    def allow(self, client: str, now: datetime) -> bool:
        """Record a new respondent for ``client`` if under the limit; False when over it."""
        if self.per_minute <= 0:
            return True
        times = self._seen.setdefault(client, deque())
        _expire(times, now)
        if len(times) >= self.per_minute:
            return False
        times.append(now)
        if len(self._seen) > MAX_CLIENTS:
            self._forget_idle(now)
        return True

    def retry_after(self, client: str, now: datetime) -> int:
        """Whole seconds until ``client`` may start another respondent (at least 1)."""
        times = self._seen.get(client)
        if not times:
            return 1
        wait = (times[0] + WINDOW - now).total_seconds()
        return max(1, int(wait + 0.999))

    def _forget_idle(self, now: datetime) -> None:
        for client in list(self._seen):
            _expire(self._seen[client], now)
            if not self._seen[client]:
                del self._seen[client]


def _expire(times: deque[datetime], now: datetime) -> None:
    while times and times[0] <= now - WINDOW:
        times.popleft()
