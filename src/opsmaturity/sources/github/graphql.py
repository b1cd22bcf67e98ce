"""GitHub's GraphQL API over ``requests``: retries, rate limits, partial answers, cost.

GraphQL is one ``POST`` (``https://api.github.com/graphql``; Enterprise Server
``https://HOST/api/graphql``) whose failures come in two layers:

* **HTTP**: 401 bad credentials (stop), 403/429 secondary or primary rate limit (wait
  ``retry-after`` or until ``x-ratelimit-reset``, shown through ``Progress.waiting``),
  5xx, a broken connection or a cut body (back off and retry);
* **an HTTP 200 with** ``errors`` (docs: "Using the API / Errors"): ``NOT_FOUND`` (the
  repository is gone or hidden: :class:`NotFound`), ``RATE_LIMITED`` (wait for the reset),
  a refused query (no ``data`` key: a bug on our side, :class:`SourceError` at once), or
  ``data`` null or partial, a field that could not be read (retried: GitHub's timeouts
  look so).

Every query asks ``rateLimit { cost remaining resetAt }``; :class:`Usage` adds up the
queries and the points they cost, for the collection note and the bench.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from ...errors import AuthError, NotFound, RateLimited, SourceError
from ..base import NullProgress, Progress
from .client import SCOPES, TRANSIENT, _backoff, _rate_limit_wait, _rate_limited

log = logging.getLogger("opsmaturity.github")

#: Error types GitHub gives a query it will not run; retrying cannot help.
REFUSED = {
    "MISSING_PAGINATION_BOUNDARIES",
    "EXCESSIVE_PAGINATION",
    "MAX_NODE_LIMIT_EXCEEDED",
    "INVALID_CURSOR_ARGUMENTS",
}


def graphql_url(base_url: str) -> str:
    """The GraphQL endpoint for a REST base URL: ``https://HOST/api/v3`` (Enterprise
    Server) → ``https://HOST/api/graphql``; anything else (api.github.com, a fake) →
    ``BASE/graphql``."""
    base = base_url.rstrip("/")
    if base.endswith("/api/v3"):
        return base.removesuffix("/v3") + "/graphql"
    return base + "/graphql"


@dataclass
class Usage:
    """What the GraphQL API was asked for: queries sent and points they cost."""

    queries: int = 0
    points: int = 0
    remaining: int | None = None
    reset_at: str | None = None

    def line(self) -> str:
        left = (
            f", {self.remaining} left until {self.reset_at}" if self.remaining is not None else ""
        )
        return f"GraphQL: {self.queries} queries, {self.points} points{left}"


class Unavailable(SourceError):
    """The GraphQL endpoint does not answer (404, not GraphQL): REST is the fallback."""


class PartialAnswer(Exception):
    """A 200 whose ``errors`` name fields that could not be read (retried)."""


class ServerError(Exception):
    """A 5xx answer (retried)."""


class GraphQLApi:
    """POSTs queries with the robustness of :class:`~.client.GitHubApi`'s GETs."""

    def __init__(
        self,
        url: str,
        token: str,
        token_env: str,
        *,
        timeout: int = 30,
        retries: int = 5,
        max_wait: float = 3600.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = url
        self._headers = {
            "Authorization": f"bearer {token}",
            "Accept": "application/vnd.github+json",
            "User-Agent": "opsmaturity",
        }
        self.token_env = token_env
        self.timeout, self.retries, self.max_wait, self.sleep = timeout, retries, max_wait, sleep
        self.progress: Progress = NullProgress()
        self.usage = Usage()
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            with self._lock:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()

    # -- one query, with retries -----------------------------------------------------
    def query(
        self, text: str, variables: dict[str, Any] | None = None, what: str = ""
    ) -> dict[str, Any]:
        """The ``data`` of one query; raises our errors (see the module docstring)."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._once(text, variables or {}, what)
            except (*TRANSIENT, ValueError, PartialAnswer, ServerError) as exc:
                reason = _why(exc)
                if attempt > self.retries:
                    raise SourceError(
                        f"{what}: GitHub GraphQL at {self.url} failed after {attempt} attempts "
                        f"({reason})"
                    ) from None
                wait = _backoff(attempt)
                log.info("%s: %s, retrying in %.1f s", what, reason, wait)
            except _Wait as pause:
                if pause.seconds > self.max_wait or attempt > self.retries + 3:
                    raise RateLimited(
                        f"{what}: GitHub GraphQL rate limit, retry in {pause.seconds:.0f} s",
                        retry_after=pause.seconds,
                    ) from None
                wait = pause.seconds
                log.warning("%s: GitHub GraphQL rate limit, waiting %.1f s", what, wait)
            if wait >= 1:
                self.progress.waiting(wait, f"GitHub: {what}")
            self.sleep(wait)

    def _once(self, text: str, variables: dict[str, Any], what: str) -> dict[str, Any]:
        response = self._session().post(
            self.url,
            json={"query": text, "variables": variables},
            headers=self._headers,
            timeout=self.timeout,
        )
        with self._lock:
            self.usage.queries += 1
        self._check_status(response, what)
        body = response.json()  # ValueError when cut or not JSON: retried
        if not isinstance(body, dict) or not ("data" in body or "errors" in body):
            raise ValueError("not a GraphQL answer")
        self._check_errors(body, response, what)
        data: dict[str, Any] = body["data"]
        self._count(data.get("rateLimit"))
        return data

    def _check_status(self, response: requests.Response, what: str) -> None:
        status = response.status_code
        if status == 200:
            return
        headers = {k.lower(): v for k, v in response.headers.items()}
        message = _message(response)
        if status == 401:
            raise AuthError(
                f"GitHub rejected the token in ${self.token_env} (401 Bad credentials);"
                f" it needs {SCOPES}"
            )
        if status in (403, 429) and _rate_limited(headers, message):
            raise _Wait(_rate_limit_wait(headers, 1))
        if status == 403:
            raise AuthError(
                f"{what}: GitHub refused access (403) with the token in ${self.token_env}; "
                f"it needs {SCOPES}"
            )
        if status in (404, 410):
            raise Unavailable(f"GitHub GraphQL API not available at {self.url} ({status})")
        if status >= 500:
            raise ServerError(f"GitHub answered {status}")
        raise SourceError(f"{what}: GitHub GraphQL answered {status}: {message or 'no message'}")

    def _check_errors(self, body: dict[str, Any], response: requests.Response, what: str) -> None:
        errors = body.get("errors") or []
        if not errors:
            return
        first = errors[0]
        kinds = {e.get("type") for e in errors}
        if "RATE_LIMITED" in kinds:
            headers = {k.lower(): v for k, v in response.headers.items()}
            raise _Wait(_rate_limit_wait({**headers, "x-ratelimit-remaining": "0"}, 1))
        if "NOT_FOUND" in kinds:
            raise NotFound(
                f"{what}: {first.get('message', 'not found')} (token in ${self.token_env})"
            )
        if "data" not in body or kinds & REFUSED:  # refused before running: no data at all
            raise SourceError(f"{what}: GitHub GraphQL refused the query: {first.get('message')}")
        where = ".".join(str(p) for p in first.get("path") or []) or "data"
        raise PartialAnswer(f"{where} unreadable: {first.get('message', '')[:80]}")

    def _count(self, rate: dict[str, Any] | None) -> None:
        if not rate:
            return
        with self._lock:
            self.usage.points += int(rate.get("cost") or 0)
            self.usage.remaining = rate.get("remaining")
            self.usage.reset_at = rate.get("resetAt")


class _Wait(Exception):
    """A rate limit said to wait ``seconds`` before the next attempt."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


def _message(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("message", "")) if isinstance(body, dict) else ""


def _why(exc: BaseException) -> str:
    if isinstance(exc, PartialAnswer | ServerError):
        return str(exc)
    if isinstance(exc, requests.Timeout):
        return "timed out"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "answer cut short"
    if isinstance(exc, requests.ConnectionError):
        return "connection failed"
    return "unreadable answer: cut or not JSON"
