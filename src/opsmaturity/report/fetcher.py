"""A WeasyPrint URL fetcher that can only read our own template assets.

Report text is untrusted (repository, team, respondent and PR names come from forges and
surveys). Templates escape it, and this fetcher is the second wall: even if markup slipped
through, WeasyPrint could fetch nothing but ``data:`` URIs and files under the allowed
folders (the template folders and the configured logo). No network, no other file.
See https://doc.courtbouillon.org/weasyprint/stable/first_steps.html#security
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit


def allowed_path(url: str, roots: Iterable[Path]) -> Path | None:
    """The local file a ``file:`` URL names, if it lies inside one of ``roots``."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = Path(unquote(parts.path)).resolve()
    for root in roots:
        root = root.resolve()
        if path == root or root in path.parents:
            return path if path.is_file() else None
    return None


def restricted_fetcher(roots: Iterable[Path]) -> Any:
    """A ``weasyprint.URLFetcher`` allowing ``data:`` URIs and files under ``roots``.

    Refused URLs are recorded in its ``refused`` list (tests assert it stays empty for
    hostile input) and fail the fetch, so WeasyPrint leaves that resource out.
    """
    import mimetypes

    from weasyprint.urls import URLFetcher, URLFetcherResponse

    allowed = tuple(Path(r) for r in roots)

    class RestrictedFetcher(URLFetcher):  # type: ignore[misc]
        refused: list[str]

        def __init__(self) -> None:
            super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
            self.refused = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = allowed_path(url, allowed)
            if path is None:
                self.refused.append(url)
                raise ValueError(f"refused to fetch {url!r}: outside the report's assets")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime})

    return RestrictedFetcher()
