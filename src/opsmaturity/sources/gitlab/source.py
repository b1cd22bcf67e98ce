"""``GitLabSource``: DORA data from gitlab.com or a self-managed GitLab, via python-gitlab.

Per project: production deployments (see :mod:`.deployments`), the changes they
shipped with merge-request context (:mod:`.changes`), and incidents (issues of
type ``incident`` or with configured labels). Runs are incremental: checkpoints keep each
project's detection method, the ``updated_at`` high-water marks and the last successful
SHA per environment, and are written only after the data they cover was yielded, so a
killed run resumes without gaps. :meth:`GitLabSource.dora_metrics` fetches GitLab's own
DORA figures (Ultimate tier) for the methodology page's cross-check.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from ... import config as cfgmod
from ...errors import AuthError, NotFound
from ...period import Period
from ...records import (
    Change,
    CollectionNote,
    Deployment,
    DeploymentStatus,
    Detection,
    Incident,
    Repository,
)
from ...tokens import read_token
from ..base import Checkpoints, ForgeDora, Progress, Source, Window
from ..rules import in_scope
from . import records as rec
from .changes import ChangeResolver
from .client import GitLabAPI, encode
from .deployments import DeploymentFinder, Found, Method
from .state import SyncState

DORA_METRICS = (
    "deployment_frequency",
    "lead_time_for_changes",
    "time_to_restore_service",
    "change_failure_rate",
)


class GitLabSource(Source):
    """One GitLab group (with subgroups) or list of projects, read into records."""

    def __init__(
        self,
        name: str,
        api: GitLabAPI,
        *,
        group: str | None = None,
        projects: Sequence[str] = (),
        include: Sequence[str] = ("*",),
        exclude: Sequence[str] = (),
        include_archived: bool = False,
        detection: cfgmod.DeploymentDetection | None = None,
        incidents: cfgmod.IncidentDetection | None = None,
        dora_api: bool = True,
        monorepos: Iterable[str] = (),
    ) -> None:
        self.api = api
        super().__init__(name)
        self.group, self.projects = group, list(projects)
        self.include, self.exclude = list(include), list(exclude)
        self.include_archived = include_archived
        self.detection = detection or cfgmod.DeploymentDetection()  # type: ignore[call-arg]
        self.incident_rules = incidents or cfgmod.IncidentDetection()  # type: ignore[call-arg]
        self.dora_api = dora_api
        self.monorepos = set(monorepos)
        self.finder = DeploymentFinder(api, self.detection)
        self._notes: list[CollectionNote] = []
        self._pending: dict[str, SyncState] = {}

    @classmethod
    def from_config(
        cls,
        cfg: cfgmod.GitLabSource,
        name: str,
        env: Mapping[str, str] = os.environ,
        *,
        monorepos: Iterable[str] = (),
    ) -> GitLabSource:
        """Build from config; the token is read from ``env[cfg.token_env]`` and kept only
        inside the client. ``monorepos``: projects whose changes need file paths."""
        token = read_token(env, cfg.token_env)
        if not token:
            raise AuthError(
                f"${cfg.token_env} is not set: export a GitLab token with the read_api scope in it"
            )
        api = GitLabAPI(cfg.base_url, token, cfg.token_env, pause=cfg.seconds_between_requests)
        return cls(
            name,
            api,
            group=cfg.group,
            projects=cfg.repositories,
            include=cfg.include,
            exclude=cfg.exclude,
            include_archived=cfg.include_archived,
            detection=cfg.deployments,
            incidents=cfg.incidents,
            dora_api=cfg.dora_api,
            monorepos=monorepos,
        )

    def open(self, progress: Progress, checkpoints: Checkpoints) -> None:
        super().open(progress, checkpoints)
        self.api.progress = progress  # rate-limit waits show on the same display

    # -- repositories -----------------------------------------------------------------
    def repositories(self) -> list[Repository]:
        if self.group:
            params = {"include_subgroups": "true"}
            if not self.include_archived:
                params["archived"] = "false"
            items: Iterable[dict[str, Any]] = self.api.iter(
                f"/groups/{encode(self.group)}/projects",
                f"projects of group {self.group}",
                **params,
            )
        else:
            items = (self.api.get(f"/projects/{encode(p)}", f"project {p}") for p in self.projects)
        repos = [rec.repository(p) for p in items]
        kept = [r for r in repos if self._in_scope(r)]
        return sorted(kept, key=lambda r: r.full_name)

    def _in_scope(self, repo: Repository) -> bool:
        names = [repo.full_name]
        if self.group and repo.full_name.startswith(self.group + "/"):
            names.append(repo.full_name[len(self.group) + 1 :])
        return in_scope(names, self.include, self.exclude, repo.archived, self.include_archived)

    # -- deployments ------------------------------------------------------------------
    def deployments(
        self, repository: Repository, window: Window
    ) -> Iterator[Deployment | CollectionNote]:
        name = repository.full_name
        method = self._method(repository)
        if method is None:
            yield CollectionNote(
                name,
                "deployments",
                "no deployments found by any method (Deployments API, deploy jobs, releases, tags)",
                "warning",
            )
            return
        if method.kind == "deployments" and not method.environments:
            yield CollectionNote(
                name,
                "deployments",
                "no production environment (tier production or a configured name) in this project",
                "warning",
            )
            return
        yield CollectionNote(name, "deployments", f"deployments from {method.describe()}", "info")
        state = SyncState.load(self.checkpoints.get(name, "deployments"), window)
        if method.kind in ("releases", "tags"):
            state = SyncState(window.since)  # short lists, re-read whole each run
        self._pending[name] = state
        for dep, updated in self._found(repository, method, window, state):
            state.advance(updated)
            if updated is None:
                state.baseline.add(dep.id)
            elif state.seen(updated) or not _finishes_in(dep, window):
                continue
            self.progress.advance(name, "deployments")
            yield dep

    def _found(
        self, repo: Repository, method: Method, window: Window, state: SyncState
    ) -> Iterator[Found]:
        base = None if state.incremental else window.since
        name = repo.full_name
        if method.kind == "deployments":
            for env in method.environments:
                yield from self.finder.from_deployments(name, env, state.after, base)
        elif method.kind == "pipelines":
            yield from self.finder.from_pipelines(name, repo.default_branch, state.after, base)
        elif method.kind == "releases":
            yield from self.finder.from_releases(name, window.since, window.until)
        else:
            yield from self.finder.from_tags(name, window.since, window.until)

    def _method(self, repo: Repository) -> Method | None:
        """The detection method, remembered in a checkpoint so re-runs skip probing."""
        raw = self.checkpoints.get(repo.full_name, "gitlab.detection")
        if raw:
            data = json.loads(raw)
            if data.get("config") == self.detection.method:
                return Method(data["kind"], tuple(data["environments"]))
        method = self.finder.detect(repo.full_name, repo.default_branch)
        if method is not None:
            self.checkpoints.set(
                repo.full_name,
                "gitlab.detection",
                json.dumps(
                    {
                        "config": self.detection.method,
                        "kind": method.kind,
                        "environments": list(method.environments),
                    }
                ),
            )
        return method

    # -- changes ----------------------------------------------------------------------
    def changes(
        self, repository: Repository, window: Window, deployments: Sequence[Deployment]
    ) -> Iterator[Change | Deployment | CollectionNote]:
        name = repository.full_name
        state = self._pending.pop(name, None)
        if state is None:
            raw = json.loads(self.checkpoints.get(name, "deployments") or "{}")
            state = SyncState(datetime.min, prev=dict(raw.get("prev") or {}))
        resolver = ChangeResolver(self.api, name, want_paths=name in self.monorepos)
        ordered = sorted(deployments, key=lambda d: (d.finished_at or d.created_at, d.id))
        earliest = min((d.created_at for d in ordered), default=None)
        for dep in ordered:
            if dep.status != DeploymentStatus.SUCCESS:
                continue
            base = state.prev.get(dep.environment)
            state.prev[dep.environment] = dep.sha
            if dep.id in state.baseline:
                continue
            found = yield from self._shipped(resolver, dep, base, earliest or dep.created_at)
            yield from found
            self.progress.advance(name, "changes", len(found))
            yield replace(dep, change_shas=tuple(c.sha for c in found))
        if state.since != datetime.min:
            self.checkpoints.set(name, "deployments", state.dump())

    def _shipped(
        self, resolver: ChangeResolver, dep: Deployment, base: str | None, since: datetime
    ) -> Generator[CollectionNote, None, list[Change]]:
        """The deployment's changes: ``compare`` with the previous success when known (its
        MRs add context), else — the first deployment — its MRs' commits."""
        linked = dep.id if dep.detection == Detection.DEPLOYMENT else None
        if base is None:
            return resolver.of_deployment(dep.id) if linked else []
        if base == dep.sha:
            return []
        try:
            return resolver.of_range(base, dep.sha, since, linked)
        except NotFound:  # e.g. the previous deployment's commit was force-pushed away
            yield CollectionNote(
                dep.repository,
                "changes",
                f"cannot compare {base[:8]}..{dep.sha[:8]} (404); deployment {dep.id} "
                + ("has only its merge requests' commits" if linked else "has no change records"),
                "warning",
            )
            return resolver.of_deployment(dep.id) if linked else []

    # -- incidents --------------------------------------------------------------------
    def incidents(
        self, repository: Repository, window: Window
    ) -> Iterator[Incident | CollectionNote]:
        name = repository.full_name
        state = SyncState.load(self.checkpoints.get(name, "incidents"), window)
        rules = self.incident_rules
        found: dict[str, dict[str, Any]] = {}
        for issue in self._incident_issues(name, window, state):
            state.advance(rec.when(issue.get("updated_at")))
            key = str(issue["iid"])
            if issue.pop("_by_title", False) and (
                key in found or not re.search(rules.title_pattern or "", issue.get("title") or "")
            ):
                continue
            found.setdefault(key, issue)
        for issue in found.values():
            if state.seen(rec.when(issue.get("updated_at"))):
                continue
            incident = rec.incident(name, issue, rules.severity_label_prefix)
            if _relevant(incident, window):
                self.progress.advance(name, "incidents")
                yield incident
        self.checkpoints.set(name, "incidents", state.dump())

    def _incident_issues(
        self, name: str, window: Window, state: SyncState
    ) -> Iterator[dict[str, Any]]:
        """Issues of type incident, or with an incident label, or (when configured) a
        matching title: those updated since the window/last run, plus, on a first run,
        those opened earlier and still open."""
        path = f"/projects/{encode(name)}/issues"
        filters: list[dict[str, str]] = [{"issue_type": "incident"}]
        filters += [{"labels": label} for label in self.incident_rules.labels]
        spans = [{"updated_after": state.after.isoformat()}]
        if not state.incremental:
            spans.append({"state": "opened", "created_before": window.since.isoformat()})
        for f in filters:
            for span in spans:
                yield from self.api.iter(path, "incidents", **f, **span)
        if self.incident_rules.title_pattern:
            for issue in self.api.iter(path, "issues", **spans[0]):
                yield {**issue, "_by_title": True}

    # -- GitLab's own DORA figures ------------------------------------------------------
    def dora_metrics(self, period: Period, project: str | None = None) -> dict[str, Any] | None:
        """GitLab's DORA API figures for ``period``: the group's, or ``project``'s (or the
        only configured project's when there is no group), else None.

        Values as GitLab gives them for ``interval=all``: deployments (a count; GitLab's
        UI shows count ÷ days, given here as ``deployment_frequency_per_day``); lead time
        (merge → deployment finished) and time to restore (incident open) in seconds, each
        a median of daily medians; change failure rate = incidents ÷ deployments, with no
        link between them. On 403/404 (not Ultimate, or no Reporter role) a note says so
        once, in :meth:`notes`.
        """
        if not self.dora_api:
            return None
        lone = self.projects[0] if len(self.projects) == 1 else None
        target = project or self.group or lone
        if target is None:
            return None  # several explicit projects: ask for each one
        kind = "groups" if project is None and self.group else "projects"
        out: dict[str, Any] = {
            "scope": f"{kind[:-1]}:{target}",
            "start_date": period.start.isoformat(),
            "end_date": period.end.isoformat(),
        }
        for metric in DORA_METRICS:
            try:
                body = self.api.get(
                    f"/{kind}/{encode(target)}/dora/metrics",
                    "DORA metrics",
                    metric=metric,
                    interval="all",
                    start_date=period.start.isoformat(),
                    end_date=period.end.isoformat(),
                )
            except (AuthError, NotFound) as exc:
                self._dora_absent(target, exc)
                return None
            out[metric] = body[0]["value"] if body else None
        count = out["deployment_frequency"]
        out["deployment_frequency_per_day"] = count / period.days if count is not None else None
        return out

    def _dora_absent(self, target: str, exc: Exception) -> None:
        if any(n.resource == "dora_api" for n in self._notes):
            return
        code = "403" if isinstance(exc, AuthError) else "404"
        self._notes.append(
            CollectionNote(
                target,
                "dora_api",
                f"GitLab's DORA metrics API is not available for {target} ({code}: it needs the "
                "Ultimate tier and the Reporter role); figures are ours alone",
                "info",
            )
        )

    def forge_dora(self, period: Period) -> ForgeDora | None:
        """:meth:`dora_metrics` in our units: deployments per week, hours, a fraction."""
        figures = self.dora_metrics(period)
        if figures is None:
            return None

        def hours(seconds: float | None) -> float | None:
            return None if seconds is None else seconds / 3600

        per_day = figures["deployment_frequency_per_day"]
        return ForgeDora(
            scope=figures["scope"],
            start=period.start,
            end=period.end,
            deployments_per_week=None if per_day is None else per_day * 7,
            lead_time_hours=hours(figures["lead_time_for_changes"]),
            change_failure_rate=figures["change_failure_rate"],
            recovery_hours=hours(figures["time_to_restore_service"]),
        )

    def notes(self) -> list[CollectionNote]:
        """Whether GitLab's DORA API was unavailable (once per source)."""
        return list(self._notes)

    def close(self) -> None:
        self.api.gl.session.close()


def _finishes_in(dep: Deployment, window: Window) -> bool:
    return dep.finished_at is not None and window.since <= dep.finished_at < window.until


def _relevant(incident: Incident, window: Window) -> bool:
    """Opened in the window, or opened before it and still open at its start."""
    if incident.created_at >= window.until:
        return False
    return (
        incident.created_at >= window.since
        or incident.resolved_at is None
        or incident.resolved_at >= window.since
    )
