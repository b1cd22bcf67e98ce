"""The one place python-gitlab is called: paging, retries, waits and errors.

Every list goes through :meth:`GitLabAPI.iter`, which always asks for ``per_page=100``
and ``iterator=True`` — python-gitlab's bare ``list()`` silently returns page one only.
Retries are python-gitlab's own (``retry_transient_errors=True``: 5xx and dropped
connections with exponential backoff; 429 waits ``Retry-After`` or until
``RateLimit-Reset``); a response hook reports each wait to the progress bar so a long
pause never looks like a hang. Errors leave as :mod:`opsmaturity.errors`, built from
names only, so the token can never appear in a message.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import gitlab
import requests
from gitlab import exceptions as glexc

from ...errors import AuthError, NotFound, RateLimited, SourceError
from ..base import NullProgress, Progress

PER_PAGE = 100
TRANSIENT = {500, 502, 503, 504, *range(520, 531)}


def encode(path: str) -> str:
    """A project or group path as GitLab wants it in a URL (``a%2Fb``)."""
    return quote(path, safe="")


class GitLabAPI:
    """A python-gitlab client bound to one instance and one token (named by ``token_env``)."""

    def __init__(
        self,
        url: str,
        token: str,
        token_env: str,
        *,
        timeout: float = 30.0,
        max_retries: int = 10,
        pause: float = 0.0,
        session: requests.Session | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.pause = pause
        self.token_env = token_env
        self.max_retries = max_retries
        self.progress: Progress = NullProgress()
        session = session or requests.Session()
        session.hooks["response"].append(self._observe)
        self.gl = gitlab.Gitlab(
            self.url,
            private_token=token,
            per_page=PER_PAGE,
            retry_transient_errors=True,
            timeout=timeout,
            session=session,
        )

    def iter(self, path: str, what: str, **params: Any) -> Iterator[dict[str, Any]]:
        """Every item of a paginated list, lazily; ``what`` names it in errors."""
        params.setdefault("per_page", PER_PAGE)
        with self._errors(what):
            items = self.gl.http_list(
                path, query_data=params, iterator=True, max_retries=self.max_retries
            )
            yield from items

    def first(self, path: str, what: str, **params: Any) -> dict[str, Any] | None:
        """The first item of a list, in one request (``per_page=1``)."""
        return next(iter(self.iter(path, what, **{**params, "per_page": 1})), None)

    def get(self, path: str, what: str, **params: Any) -> Any:
        with self._errors(what):
            return self.gl.http_get(path, query_data=params, max_retries=self.max_retries)

    def _observe(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        """Tell the progress bar before python-gitlab sleeps on a 429 or a 5xx; then keep
        the configured pause between requests (``seconds_between_requests``). A 2xx whose
        body is cut or not JSON raises :class:`UnreadableBody`, which python-gitlab retries
        like a dropped connection (it would otherwise raise a parsing error mid-list, after
        moving its cursor past the page, or hand back an HTML page as if it were data)."""
        status = response.status_code
        if self.pause:
            time.sleep(self.pause)
        if 200 <= status < 300 and not _json_body(response):
            self.progress.waiting(0.1, "GitLab sent an unreadable answer; retrying with backoff")
            raise UnreadableBody(f"unreadable answer from {response.url.split('?', 1)[0]}")
        if status == 429:
            wait = response.headers.get("Retry-After") or "until RateLimit-Reset"
            seconds = float(wait) if wait.replace(".", "", 1).isdigit() else 0.0
            self.progress.waiting(seconds, f"GitLab rate limit (429), waiting {wait} s")
        elif status in TRANSIENT:
            self.progress.waiting(0.1, f"GitLab answered {status}; retrying with backoff")

    @contextmanager
    def _errors(self, what: str) -> Iterator[None]:
        """Turn python-gitlab and requests failures into our errors (never a token)."""
        try:
            yield
        except SourceError:
            raise
        except Exception as exc:
            mapped = translate(exc, what, self.url, self.token_env)
            if mapped is None:
                raise
            raise mapped from exc


class UnreadableBody(requests.exceptions.ChunkedEncodingError):
    """A 2xx whose body is cut or is not JSON: retried like a broken connection."""


def _json_body(response: requests.Response) -> bool:
    """Whether a GET's body is JSON (an empty body, e.g. a 204, counts as fine)."""
    if response.request.method != "GET" or not response.content:
        return True
    try:
        response.json()
    except ValueError:
        return False
    return True


def translate(exc: BaseException, what: str, url: str, token_env: str) -> SourceError | None:
    """Our error for a client failure; None leaves unknown exceptions (bugs) alone."""
    if isinstance(exc, glexc.GitlabError):
        code = exc.response_code
        if code == 401:
            return AuthError(
                f"GitLab at {url} rejected the token in ${token_env} (401): check that it is "
                "valid, not expired, and has the read_api scope"
            )
        if code == 403:
            return AuthError(
                f"GitLab at {url} refused access to {what} (403): the token in ${token_env} "
                "needs the read_api scope and at least the Reporter role"
            )
        if code == 404:
            return NotFound(
                f"{what} not found on GitLab at {url} (404): check the name, or that the "
                f"token in ${token_env} can see it"
            )
        if code == 429:
            return RateLimited(f"GitLab at {url} kept rate-limiting {what} (429)", 60.0)
        if isinstance(exc, glexc.GitlabParsingError):
            return SourceError(f"GitLab at {url} sent an unreadable answer for {what}")
        return SourceError(f"GitLab at {url} failed on {what} (HTTP {code})")
    if isinstance(exc, requests.RequestException):
        return SourceError(f"could not read {what} from GitLab at {url}: {_why(exc)} after retries")
    return None


def _why(exc: requests.RequestException) -> str:
    """What went wrong, in words (never an exception's class name)."""
    if isinstance(exc, UnreadableBody):
        return "unreadable answer (cut or not JSON)"
    if isinstance(exc, requests.Timeout):
        return "timed out"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "answer cut short"
    if isinstance(exc, requests.ConnectionError):
        return "connection failed"
    return "request failed"
