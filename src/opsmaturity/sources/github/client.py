"""GitHub REST over PyGithub's ``Requester``: paging, ETags, retries and rate limits.

Why not PyGithub's ``PaginatedList``: it never sends conditional headers (PyGithub issue
#536), hides ``Link``/``ETag`` headers, cannot resume mid-list, and its default
``GithubRetry`` sleeps inside urllib3 where no progress bar can show the wait. So PyGithub
does auth, the (Enterprise) base URL, the connection pool and exceptions; this module
pages by ``Link rel="next"``, sends ``If-None-Match``, retries 5xx and broken connections
with backoff, and waits out primary and secondary rate limits through ``Progress.waiting``.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import requests
from github import Auth, Github, GithubException

from ...errors import AuthError, NotFound, RateLimited, SourceError
from ..base import NullProgress, Progress

log = logging.getLogger("opsmaturity.github")

#: Scopes named in the 401 message.
SCOPES = (
    "classic token: repo (read:org for organization listing); fine-grained token: read access "
    "to Metadata, Contents, Deployments, Actions, Issues and Pull requests"
)
TRANSIENT = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


@dataclass(frozen=True)
class Page:
    """One response: ``data`` is None for a 304 (``not_modified``)."""

    data: Any
    etag: str | None
    next_url: str | None
    not_modified: bool = False


def next_link(link: str | None) -> str | None:
    """The ``rel="next"`` URL of a Link header (GitHub joins entries with ``", "``)."""
    for part in (link or "").split(", "):
        url, _, rel = part.partition("; ")
        if rel == 'rel="next"':
            return url.strip("<>")
    return None


class GitHubApi:
    """Authenticated GET requests with the robustness a long collection needs."""

    def __init__(
        self,
        base_url: str,
        token: str,
        token_env: str,
        *,
        seconds_between_requests: float = 0.0,
        pool_size: int = 16,
        timeout: int = 30,
        retries: int = 5,
        max_wait: float = 3600.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        # retry=None: PyGithub must not retry or sleep by itself; _request does, visibly.
        # seconds_between_requests: PyGithub's 0.25 s default throttle serialises every
        # worker; we rely on bounded concurrency + rate-limit handling instead (0 by default).
        self._options: dict[str, Any] = {
            "base_url": base_url,
            "auth": Auth.Token(token),
            "per_page": 100,
            "retry": None,
            "timeout": timeout,
            "pool_size": pool_size,
            "seconds_between_requests": seconds_between_requests or None,
            "lazy": True,
        }
        self._local = threading.local()
        self._clients: list[Github] = []
        self._lock = threading.Lock()
        self.token_env = token_env
        self.retries = retries
        self.max_wait = max_wait
        self.sleep = sleep
        self.progress: Progress = NullProgress()

    def _client(self) -> Github:
        """One PyGithub client per thread: its Requester keeps the request being sent on a
        shared connection object (``request()`` then ``getresponse()``), so sharing one
        between threads could pair a request with another thread's response."""
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = Github(**self._options)
            with self._lock:
                self._clients.append(client)
        return client

    def _url(self, url: str) -> str:
        """``url`` as an absolute URL, for messages (paths are relative to the base URL)."""
        if "://" in url:
            return url.split("?", 1)[0]
        return str(self._options["base_url"]).rstrip("/") + "/" + url.lstrip("/")

    def close(self) -> None:
        with self._lock:
            clients, self._clients = self._clients, []
        for client in clients:
            client.close()

    def get(
        self,
        url: str,
        params: dict[str, Any] | None = None,
        etag: str | None = None,
        what: str = "",
    ) -> Page:
        """GET ``url`` (a path or a Link URL); ``etag`` makes it conditional."""
        headers = {"If-None-Match": etag} if etag else None
        response_headers, data = self._request(url, params, headers, what or url)
        if data is None and etag:
            return Page(None, etag, None, not_modified=True)
        return Page(data, response_headers.get("etag"), next_link(response_headers.get("link")))

    def pages(
        self,
        url: str,
        params: dict[str, Any] | None = None,
        etag: str | None = None,
        what: str = "",
    ) -> Iterator[Page]:
        """Every page of a list, following ``Link rel="next"``; a 304 on page 1 ends it."""
        page = self.get(url, {"per_page": 100, **(params or {})}, etag, what)
        yield page
        while page.next_url:
            page = self.get(page.next_url, None, None, what)
            yield page

    # -- one request, with retries -------------------------------------------------------
    def _request(
        self, url: str, params: dict[str, Any] | None, headers: dict[str, str] | None, what: str
    ) -> tuple[dict[str, Any], Any]:
        attempt = 0
        while True:
            attempt += 1
            try:
                result = self._client().requester.requestJsonAndCheck("GET", url, params, headers)
                if _malformed(result[1]):
                    raise UnreadableBody()
                return result
            except GithubException as exc:
                wait = self._wait_for(exc, attempt, what)
            except (*TRANSIENT, UnreadableBody, ValueError) as exc:
                # ValueError: PyGithub re-raises JSONDecodeError for a body that starts
                # with { or [ but is cut (on a 200 and on a 5xx error body alike).
                reason = _why(exc)
                if attempt > self.retries:
                    raise SourceError(
                        f"{what}: GitHub at {self._url(url)} failed after {attempt} attempts "
                        f"({reason})"
                    ) from None
                wait = _backoff(attempt)
                log.info("%s: %s, retrying in %.1f s", what, reason, wait)
            if wait >= 1:
                self.progress.waiting(wait, f"GitHub: {what}")
            self.sleep(wait)

    def _wait_for(self, exc: GithubException, attempt: int, what: str) -> float:
        """Seconds to wait before retrying ``exc``, or raise our own error."""
        status, headers = exc.status, {k.lower(): v for k, v in (exc.headers or {}).items()}
        message = str((exc.data or {}).get("message", "")) if isinstance(exc.data, dict) else ""
        if status == 401:
            raise AuthError(
                f"GitHub rejected the token in ${self.token_env} (401 Bad credentials);"
                f" it needs {SCOPES}"
            ) from None
        if status in (403, 429) and _rate_limited(headers, message):
            wait = _rate_limit_wait(headers, attempt)
            if wait > self.max_wait or attempt > self.retries + 3:
                raise RateLimited(
                    f"{what}: GitHub rate limit, retry in {wait:.0f} s", retry_after=wait
                ) from None
            log.warning("%s: GitHub rate limit (%s), waiting %.1f s", what, status, wait)
            return wait
        if status == 403:
            raise AuthError(
                f"{what}: GitHub refused access (403) with the token in "
                f"${self.token_env}; it needs {SCOPES}"
            ) from None
        if status == 404:
            raise NotFound(
                f"{what}: not found or no access with the token in ${self.token_env}"
            ) from None
        if status >= 500 and attempt <= self.retries:
            wait = _backoff(attempt)
            log.info("%s: GitHub %s, retrying in %.1f s", what, status, wait)
            return wait
        raise SourceError(f"{what}: GitHub answered {status}: {message or 'no message'}") from None


class UnreadableBody(Exception):
    """A 2xx whose body was not JSON (PyGithub wraps it as ``{"data": text}``)."""


def _why(exc: BaseException) -> str:
    """What went wrong with one attempt, in words (never an exception's class name)."""
    if isinstance(exc, requests.Timeout):
        return "timed out"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "answer cut short"
    if isinstance(exc, requests.ConnectionError):
        return "connection failed"
    return "unreadable answer: cut or not JSON"


def _malformed(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and isinstance(data.get("data"), str)
        and set(data) <= {"data", "url"}
    )


def _rate_limited(headers: dict[str, str], message: str) -> bool:
    return (
        headers.get("x-ratelimit-remaining") == "0"
        or "retry-after" in headers
        or "rate limit" in message.lower()
    )


def _rate_limit_wait(headers: dict[str, str], attempt: int) -> float:
    """GitHub's rule: Retry-After if given; else until x-ratelimit-reset when remaining is 0;
    else at least a minute, growing (docs: rate-limits-for-the-rest-api)."""
    if "retry-after" in headers:
        return max(0.0, float(headers["retry-after"]))
    if headers.get("x-ratelimit-remaining") == "0" and "x-ratelimit-reset" in headers:
        # The fake and GitHub share the wall clock: this is the one place time is read,
        # because GitHub states the reset as an absolute epoch second.
        return max(0.0, float(headers["x-ratelimit-reset"]) - time.time()) + 1.0
    return 60.0 * 2 ** (attempt - 1)


def _backoff(attempt: int) -> float:
    """Exponential backoff with jitter for 5xx and broken connections: 0.5, 1, 2, 4... s."""
    return min(30.0, 0.5 * 2 ** (attempt - 1)) * (0.5 + random.random() / 2)
