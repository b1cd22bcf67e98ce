"""The request log: what a client really sent, so tests and benchmarks can count it."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from fnmatch import fnmatchcase


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    """One request as the fake server saw and answered it."""

    method: str
    path: str
    query: str
    endpoint: str
    status: int
    bytes: int
    seconds: float
    fault: str | None = None


def endpoint_matches(label: str, pattern: str) -> bool:
    """``pattern`` matches the full label (``github.deployments``) or its unprefixed part."""
    short = label.split(".", 1)[-1]
    return fnmatchcase(label, pattern) or fnmatchcase(short, pattern)


class RequestLog:
    """Thread-safe list of :class:`LoggedRequest`, with the counts tests ask for."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[LoggedRequest] = []

    def add(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    def reset(self) -> None:
        with self._lock:
            self._entries.clear()

    @property
    def entries(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._entries)

    def count(self, endpoint: str | None = None, status: int | None = None) -> int:
        """Requests to ``endpoint`` (a label or glob; None = all), optionally of one status."""
        return sum(
            1
            for e in self.entries
            if (endpoint is None or endpoint_matches(e.endpoint, endpoint))
            and (status is None or e.status == status)
        )

    @property
    def total(self) -> int:
        return len(self.entries)

    @property
    def not_modified(self) -> int:
        """Responses that were 304 (free on GitHub's quota)."""
        return self.count(status=304)

    @property
    def bytes(self) -> int:
        return sum(e.bytes for e in self.entries)

    def statuses(self) -> Counter[int]:
        return Counter(e.status for e in self.entries)

    def by_endpoint(self) -> Counter[str]:
        return Counter(e.endpoint for e in self.entries)
