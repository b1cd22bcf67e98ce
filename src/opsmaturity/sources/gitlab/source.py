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
from collections.abc import Iterable, Iterator, Mapping, Sequence
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
    Incident,
    Repository,
)
from ...tokens import read_token
from ..base import Checkpoints, ForgeDora, Progress, Source, Window
from ..commit_graph import CommitGraph, GraphCommit
from ..rules import in_scope
from ..shipped import ADDED, shipped
from . import records as rec
from .changes import HISTORY_MARGIN, ChangeReader
from .client import GitLabAPI, encode
from .deployments import DeploymentFinder, Found, Method
from .incidents import IncidentReader
from .state import SyncState, load

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
        first_commits: bool = True,
    ) -> None:
        """``first_commits``: read a squash MR's own commits for its first-commit time
        (needed only for ``lead_time_start: first_commit``; one request per MR)."""
        self.api = api
        super().__init__(name)
        self.group, self.projects = group, list(projects)
        self.include, self.exclude = list(include), list(exclude)
        self.include_archived = include_archived
        self.detection = detection or cfgmod.DeploymentDetection()  # type: ignore[call-arg]
        self.incident_rules = incidents or cfgmod.IncidentDetection()  # type: ignore[call-arg]
        self.dora_api = dora_api
        self.monorepos = set(monorepos)
        self.first_commits = first_commits
        self.finder = DeploymentFinder(api, self.detection)
        self.incident_reader = IncidentReader(api, group, self.incident_rules)
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
        first_commits: bool = True,
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
            first_commits=first_commits,
        )

    def open(self, progress: Progress, checkpoints: Checkpoints) -> None:
        super().open(progress, checkpoints)
        self.api.progress = progress  # rate-limit waits show on the same display
        self.incident_reader.open(progress, checkpoints)

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
        listed = [(p, rec.repository(p)) for p in items]
        kept = [(p, r) for p, r in listed if self._in_scope(r)]
        if self.group:
            self.incident_reader.expect([p for p, _ in kept])
        return sorted((r for _, r in kept), key=lambda r: r.full_name)

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
        state = load(self.checkpoints, name, "deployments", window)
        self._pending[name] = state
        for dep, updated in self._found(repository, method, window, state):
            state.advance(updated)
            if updated is None:
                if state.resumed:
                    continue  # releases/tags list it again; the saved bases are newer
                state.baseline.add(dep.id)
            elif state.seen(updated) or not _finishes_in(dep, window):
                continue
            self.progress.advance(name, "deployments")
            yield dep

    def _found(
        self, repo: Repository, method: Method, window: Window, state: SyncState
    ) -> Iterator[Found]:
        base = None if state.resumed else window.since
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
        """Each new success's commits, from the history read once (:mod:`.changes`). The
        deployments checkpoint is set last, with the records it vouches for."""
        name = repository.full_name
        state = self._pending.pop(name, None)
        keep = state is not None
        if state is None:  # a fresh source: the bases the last run left, nothing to save
            raw = json.loads(self.checkpoints.get(name, "deployments") or "{}")
            state = SyncState(window.since, prev=dict(raw.get("prev") or {}))
            state.memo = dict(raw.get("memo") or {})
        pairs, since = self._pairs(state, deployments, window)
        ranges: list[list[GraphCommit]] = []
        if pairs:
            reader = ChangeReader(
                self.api,
                name,
                want_paths=name in self.monorepos,
                first_commits=self.first_commits,
            )
            graph, missing = self._graph(reader, pairs, since)

            def compare(base: str, head: str) -> list[GraphCommit]:
                return [rec.graph_commit(c) for c in reader.compare(base, head)]

            for dep, base in pairs:
                ranges.append((yield from shipped(graph, missing, dep, base, window, compare)))
            unique = {c.sha: c for commits in ranges for c in commits}
            changes = reader.changes(list(unique.values()), merged_after=since)
            self.progress.advance(name, "changes", len(changes))
            yield from changes
        for (dep, _), commits in zip(pairs, ranges, strict=True):
            yield replace(dep, change_shas=tuple(c.sha for c in commits))
        if keep:
            self.checkpoints.set(name, "deployments", state.dump())

    @staticmethod
    def _pairs(
        state: SyncState, deployments: Sequence[Deployment], window: Window
    ) -> tuple[list[tuple[Deployment, str | None]], datetime]:
        """New successes with their base (the previous success's SHA in the environment),
        and how far back the history must reach to cover them."""
        prev_at: dict[str, str] = dict(state.memo.get("prev_at") or {})
        ordered = sorted(deployments, key=lambda d: (d.finished_at or d.created_at, d.id))
        pairs: list[tuple[Deployment, str | None]] = []
        times: list[datetime] = []
        for dep in ordered:
            if dep.status != DeploymentStatus.SUCCESS:
                continue
            base, base_at = state.prev.get(dep.environment), prev_at.get(dep.environment)
            state.prev[dep.environment] = dep.sha
            prev_at[dep.environment] = dep.created_at.isoformat()
            if dep.id in state.baseline:
                continue
            pairs.append((dep, base))
            times.append(dep.created_at)
            times.append(rec.when(base_at) or dep.created_at if base else window.since)
        state.memo["prev_at"] = prev_at
        return pairs, min(times, default=window.since) - HISTORY_MARGIN

    @staticmethod
    def _graph(
        reader: ChangeReader, pairs: list[tuple[Deployment, str | None]], since: datetime
    ) -> tuple[CommitGraph, dict[str, str]]:
        """The history once, from the newest deployed SHA back to ``since``, plus the
        deployed SHAs it lacks; returns the graph and, per SHA it still lacks, why."""
        tips = list(dict.fromkeys(d.sha for d, _ in reversed(pairs)))
        graph, tip = reader.history(tips, since)
        missing: dict[str, str] = {}
        for sha in tips:  # a base older than the history: compared once, in _shipped
            if sha not in graph:
                why = reader.extend(graph, tip, sha)
                if why != ADDED:
                    missing[sha] = why
        return graph, missing

    # -- incidents --------------------------------------------------------------------
    def incidents(
        self, repository: Repository, window: Window
    ) -> Iterator[Incident | CollectionNote]:
        """The project's incidents: from one group-wide query shared by all its projects
        when collecting a group, else from the project's issues (:mod:`.incidents`)."""
        yield from self.incident_reader.incidents(repository.full_name, window)

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
