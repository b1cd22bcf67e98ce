"""Incidents from GitLab issues: of type ``incident``, or labelled, or (when configured)
with a matching title.

Why a group-wide query: GitLab has no conditional requests, and its issues API has no OR
across filters, so per project even an unchanged re-run costs a request per filter and
project. ``/groups/:id/issues`` covers every project of the group and its subgroups, so
an unchanged group costs one request per filter (asking only for what was updated after
the high-water mark). Each project's ``incidents`` call takes its share
(:mod:`..org_shares`). Explicit project lists, with no group, are read per project.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from ...config import IncidentDetection
from ...records import Incident
from ..base import Checkpoints, MemoryCheckpoints, NullProgress, Progress, Window
from ..org_shares import OrgShares
from . import records as rec
from .client import GitLabAPI, encode
from .state import SyncState, load

#: Checkpoint key of group-wide state (the collector flushes it at the end).
GROUP_KEY = "*"


class IncidentReader:
    """Reads incident issues for one source, per group or per project."""

    def __init__(self, api: GitLabAPI, group: str | None, rules: IncidentDetection) -> None:
        self.api = api
        self.group = group
        self.rules = rules
        self.progress: Progress = NullProgress()
        self.checkpoints: Checkpoints = MemoryCheckpoints()
        self.paths: dict[int, str] = {}
        """Project id → path, from the group's project listing (issues carry the id)."""
        self._shares: OrgShares[Incident] = OrgShares()

    def open(self, progress: Progress, checkpoints: Checkpoints) -> None:
        self.progress, self.checkpoints = progress, checkpoints

    def expect(self, projects: list[dict[str, Any]]) -> None:
        """The projects in scope (listing items): the group query is shared among them."""
        self.paths = {int(p["id"]): p["path_with_namespace"] for p in projects if "id" in p}
        self._shares.expect([p["path_with_namespace"] for p in projects])

    def incidents(self, name: str, window: Window) -> Iterator[Incident]:
        if self.group is None or not self._shares.covers(name):
            state = load(self.checkpoints, name, "incidents", window)
            found = self._read(f"/projects/{encode(name)}/issues", window, state, name)
            incidents = found.get(name, [])
            self.progress.advance(name, "incidents", len(incidents))
            yield from incidents
            self.checkpoints.set(name, "incidents", state.dump())
            return
        incidents = self._shares.share(name, lambda: self._group(window))
        self.progress.advance(name, "incidents", len(incidents))
        yield from incidents
        self._shares.taken(name)

    def _group(self, window: Window) -> tuple[dict[str, list[Incident]], Callable[[], None]]:
        assert self.group is not None
        state = load(self.checkpoints, GROUP_KEY, "incidents", window)
        found = self._read(f"/groups/{encode(self.group)}/issues", window, state)
        return found, lambda: self.checkpoints.set(GROUP_KEY, "incidents", state.dump())

    def _read(
        self, path: str, window: Window, state: SyncState, project: str | None = None
    ) -> dict[str, list[Incident]]:
        """New or changed incidents since the state's high-water mark, per project."""
        found: dict[tuple[int, int], dict[str, Any]] = {}
        for issue in self._issues(path, window, state):
            state.advance(rec.when(issue.get("updated_at")))
            key = (int(issue.get("project_id") or 0), int(issue["iid"]))
            if issue.pop("_by_title", False) and (
                key in found
                or not re.search(self.rules.title_pattern or "", issue.get("title") or "")
            ):
                continue
            found.setdefault(key, issue)
        out: dict[str, list[Incident]] = {}
        for (project_id, _), issue in found.items():
            name = project or self.paths.get(project_id)
            if name is None:
                continue  # a project outside the listing (e.g. archived)
            if state.seen(rec.when(issue.get("updated_at"))):
                continue
            incident = rec.incident(name, issue, self.rules.severity_label_prefix)
            if _relevant(incident, window):
                out.setdefault(name, []).append(incident)
        return out

    def _issues(self, path: str, window: Window, state: SyncState) -> Iterator[dict[str, Any]]:
        """Issues of type incident, or with an incident label, or (when configured) a
        matching title: those updated since the window/last run, plus, on a first run,
        those opened earlier and still open."""
        filters: list[dict[str, str]] = [{"issue_type": "incident"}]
        filters += [{"labels": label} for label in self.rules.labels]
        spans = [{"updated_after": state.after.isoformat()}]
        if not state.resumed:
            spans.append({"state": "opened", "created_before": window.since.isoformat()})
        for f in filters:
            for span in spans:
                yield from self.api.iter(path, "incidents", **f, **span)
        if self.rules.title_pattern:
            for issue in self.api.iter(path, "issues", **spans[0]):
                yield {**issue, "_by_title": True}


def _relevant(incident: Incident, window: Window) -> bool:
    """Opened in the window, or opened before it and still open at its start."""
    if incident.created_at >= window.until:
        return False
    return (
        incident.created_at >= window.since
        or incident.resolved_at is None
        or incident.resolved_at >= window.since
    )
