"""Incidents from GitHub issues: labelled (or titled) issues, never pull requests.

Why an organization-wide query: per repository, even an unchanged re-run costs a
conditional request per repository and label. ``/orgs/{org}/issues?filter=all`` lists
every issue of the organization the token can see, with its repository, so one query per
label (sorted by update, so page 1 changes whenever any matching issue does) serves all
repositories, and an unchanged organization costs one free 304. Each repository's
``incidents`` call takes its share; the organization's checkpoint is set only once every
repository in scope has taken its share (a repository that failed leaves it unset, so the
next run reads again rather than skipping what was never stored). Explicit repository
lists, with no organization, are read per repository as before.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from re import Pattern
from typing import Any

from ...records import Incident
from ..base import Checkpoints, MemoryCheckpoints, NullProgress, Progress, Window
from ..org_shares import OrgShares
from ..rules import parse_optional_time as when
from . import records as rec
from .client import GitHubApi
from .state import SyncState, load, stamp

#: Checkpoint key of organization-wide state (the collector flushes it at the end).
ORG_KEY = "*"
Query = tuple[str, dict[str, Any]]


class IncidentReader:
    """Reads incident issues for one source, per organization or per repository."""

    def __init__(
        self,
        api: GitHubApi,
        org: str | None,
        labels: list[str],
        title_pattern: Pattern[str] | None,
        severity_prefix: str,
    ) -> None:
        self.api = api
        self.org = org
        self.labels = labels
        self.title_pattern = title_pattern
        self.severity_prefix = severity_prefix
        self.progress: Progress = NullProgress()
        self.checkpoints: Checkpoints = MemoryCheckpoints()
        self._shares: OrgShares[Incident] = OrgShares()

    def open(self, progress: Progress, checkpoints: Checkpoints) -> None:
        self.progress, self.checkpoints = progress, checkpoints

    def expect(self, repositories: list[str]) -> None:
        """The repositories in scope: the organization query is shared among them."""
        self._shares.expect(repositories)

    def incidents(self, repo: str, window: Window) -> Iterator[Incident]:
        if self.org is None or not self._shares.covers(repo):
            yield from self._of_repository(repo, window)
            return
        found = self._shares.share(repo, lambda: self._organization(window))
        self.progress.advance(repo, "incidents", len(found))
        yield from found
        self._shares.taken(repo)

    # -- the organization, once --------------------------------------------------------
    def _organization(self, window: Window) -> tuple[dict[str, list[Incident]], Callable[[], None]]:
        saved = load(self.checkpoints, ORG_KEY, "incidents", window)
        state = SyncState(window.since)
        url = f"/orgs/{self.org}/issues"
        found = _collect(self._read(url, window, saved.etags, state.etags))
        shares: dict[str, list[Incident]] = {}
        for issue in found.values():
            incident = self._incident(issue, window)
            if incident is not None:
                shares.setdefault(incident.repository, []).append(incident)
        return shares, lambda: self.checkpoints.set(ORG_KEY, "incidents", state.dump())

    # -- one repository ---------------------------------------------------------------
    def _of_repository(self, repo: str, window: Window) -> Iterator[Incident]:
        saved = load(self.checkpoints, repo, "incidents", window)
        state = SyncState(window.since)
        found = _collect(self._read(f"/repos/{repo}/issues", window, saved.etags, state.etags))
        incidents = [i for i in (self._incident(x, window, repo) for x in found.values()) if i]
        self.progress.advance(repo, "incidents", len(incidents))
        yield from incidents
        self.checkpoints.set(repo, "incidents", state.dump())

    # -- queries ----------------------------------------------------------------------
    def _read(
        self,
        url: str,
        window: Window,
        etags: dict[str, str | None],
        new_etags: dict[str, str | None],
    ) -> Iterator[dict[str, Any]]:
        """Issues of every query; sorted by update time, the first query's page 1 changes
        whenever any matching issue changes, so a 304 there means the open-issues query
        cannot have changed either (both are skipped)."""
        for updated, still_open in self._queries(window):
            changed = yield from self._query(url, updated, etags, new_etags)
            if changed:
                yield from self._query(url, still_open, etags, new_etags)
            else:
                new_etags[still_open[0]] = etags.get(still_open[0])

    def _query(
        self,
        url: str,
        query: Query,
        etags: dict[str, str | None],
        new_etags: dict[str, str | None],
    ) -> Generator[dict[str, Any], None, bool]:
        """Yield one query's issues; return False when it was a 304."""
        key, params = query
        what = url.removeprefix("/repos/").removeprefix("/orgs/").replace("/issues", " issues")
        for number, page in enumerate(self.api.pages(url, params, etags.get(key), what)):
            if number == 0:
                new_etags[key] = page.etag
            if page.not_modified:
                return False
            yield from page.data
        return True

    def _queries(self, window: Window) -> list[tuple[Query, Query]]:
        """Per label: issues updated in the window, and those still open (opened before)."""
        since = stamp(window.since)
        updated = {"state": "all", "since": since, "sort": "updated", "direction": "desc"}
        if self.org is not None:
            updated["filter"] = "all"
        still: dict[str, Any] = {"state": "open", **({"filter": "all"} if self.org else {})}
        if self.title_pattern is not None:
            return [(("all", updated), ("open", still))]
        return [
            ((label, {**updated, "labels": label}), (f"{label}:open", {**still, "labels": label}))
            for label in self.labels
        ]

    def _incident(
        self, issue: dict[str, Any], window: Window, repo: str | None = None
    ) -> Incident | None:
        """An incident issue opened before the window's end and not closed before its start."""
        wanted = {x.lower() for x in self.labels}
        if not rec.is_incident(issue, wanted, self.title_pattern):
            return None
        name = repo or (issue.get("repository") or {}).get("full_name")
        if not name:
            return None
        incident = rec.incident(name, issue, self.severity_prefix)
        if incident.created_at >= window.until:
            return None
        closed = when(issue.get("closed_at"))
        if incident.created_at < window.since and closed is not None and closed < window.since:
            return None
        return incident


def _collect(issues: Iterator[dict[str, Any]]) -> dict[tuple[str, int], dict[str, Any]]:
    """Issues by (repository, number), first copy kept (queries overlap)."""
    found: dict[tuple[str, int], dict[str, Any]] = {}
    for issue in issues:
        key = ((issue.get("repository") or {}).get("full_name", ""), int(issue["number"]))
        found.setdefault(key, issue)
    return found
