"""One organization- or group-wide read, shared by its repositories' calls.

Why: the source contract asks per repository (``incidents(repo, window)``), but both
forges can list the issues of a whole organization/group in one query, so an unchanged
organization costs one request instead of one per repository. The first repository's
call reads for all (the others wait on a lock); each takes its share.

The read's checkpoint vouches for every repository's records, so it is set only when every
repository in scope has taken its share: a repository that failed (or a run killed
before the last one) leaves it unset, and the next run reads again instead of skipping
what was never stored. A read that raised is not kept: the next repository tries again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["OrgShares"]

R = TypeVar("R")
#: What a read returns: records per repository, and how to set its checkpoint.
Read = Callable[[], tuple[dict[str, list[R]], Callable[[], None]]]


class OrgShares(Generic[R]):
    """A shared read and the repositories that still have to take their share."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._expected: set[str] = set()
        self._taken: set[str] = set()
        self._read: tuple[dict[str, list[R]], Callable[[], None]] | None = None

    def expect(self, repositories: list[str]) -> None:
        """The repositories in scope (from ``repositories()``); forgets an earlier read."""
        with self._lock:
            self._expected, self._taken, self._read = set(repositories), set(), None

    def covers(self, repository: str) -> bool:
        return repository in self._expected

    def share(self, repository: str, read: Read[R]) -> list[R]:
        """``repository``'s records, reading for all on the first call."""
        with self._lock:
            if self._read is None:
                self._read = read()
            return list(self._read[0].get(repository, []))

    def taken(self, repository: str) -> None:
        """``repository``'s records were handed out; the last one sets the checkpoint."""
        with self._lock:
            self._taken.add(repository)
            if self._read is not None and self._taken >= self._expected:
                self._read[1]()
