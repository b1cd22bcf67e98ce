"""One retry policy for every incident tool's requests.

A 5xx, a dropped connection and a body that is cut or not JSON (a proxy's HTML page sent
with status 200, a 502 whose JSON error body is cut) are all passing faults of the path
to the tool, not answers: each is tried again after a growing pause, like the forges'
requests. A 429 is waited out as the tool asks (``Retry-After``) or with the same growing
pause. When the attempts run out, the error names the source, the tool, the URL and the
reason, and the collector records that source as not collected.

Each source turns one attempt's failure into :class:`Transient` or :class:`Throttled`;
anything else (401, 403, a 400 on the query) is final and raised as it is.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from ...errors import RateLimited, SourceError
from ..base import NullProgress, Progress

log = logging.getLogger("opsmaturity.sources.incidents")

T = TypeVar("T")

#: Attempts at one request before a transient fault is reported (the forges use 6 too).
ATTEMPTS = 6
#: 429s waited out for one request before the rate limit is reported.
RATE_LIMIT_RETRIES = 6
#: Longest pause between two attempts, in seconds.
MAX_PAUSE = 30.0

#: One attempt's reasons, in words (never an exception's class name).
CUT_OR_NOT_JSON = "unreadable answer: cut or not JSON"
CONNECTION_FAILED = "connection failed"


class Transient(Exception):
    """One attempt failed in a way worth trying again; ``reason`` says how, in words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Throttled(Exception):
    """The tool answered 429; ``retry_after`` is its ``Retry-After`` in seconds, if given."""

    def __init__(self, retry_after: float | None = None) -> None:
        super().__init__("429")
        self.retry_after = retry_after


@dataclass
class Retrying:
    """The policy for one source: ``label`` (``pagerduty: PagerDuty``) opens each message,
    ``pause`` is the first pause in seconds (tests pass a millisecond)."""

    label: str
    pause: float = 1.0
    attempts: int = ATTEMPTS
    rate_limit_retries: int = RATE_LIMIT_RETRIES
    progress: Progress = field(default_factory=NullProgress)
    sleep: Callable[[float], None] = time.sleep

    def call(self, attempt: Callable[[], T], url: str) -> T:
        """``attempt()``, again after each :class:`Transient` or :class:`Throttled`."""
        failures = throttled = 0
        while True:
            try:
                return attempt()
            except Throttled as exc:
                throttled += 1
                if throttled > self.rate_limit_retries:
                    raise RateLimited(
                        f"{self.label} kept rate-limiting {url} (429); try again in a minute",
                        retry_after=exc.retry_after or 60.0,
                    ) from None
                wait = exc.retry_after if exc.retry_after is not None else self._backoff(throttled)
                reason = "rate limit"
            except Transient as exc:
                failures += 1
                if failures >= self.attempts:
                    raise SourceError(
                        f"{self.label} at {url} failed after {failures} attempts ({exc.reason})"
                    ) from None
                wait, reason = self._backoff(failures), exc.reason
            log.info("%s: %s at %s, retrying in %.1f s", self.label, reason, url, wait)
            if wait >= 1:
                self.progress.waiting(wait, f"{self.label}: {reason}")
            self.sleep(wait)

    def _backoff(self, attempt: int) -> float:
        return float(min(MAX_PAUSE, self.pause * 2 ** (attempt - 1)))


def retry_after(value: str | None) -> float | None:
    """A ``Retry-After`` header in seconds (the date form is not used by these tools)."""
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
