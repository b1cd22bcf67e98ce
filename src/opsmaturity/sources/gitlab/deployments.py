"""Finding a GitLab project's production deployments, by each detection method.

* ``deployments``: the Deployments API in production environments — tier ``production``
  or a configured name — with status success/failed/canceled.
* ``pipelines``: default-branch pipelines with a job of the configured name (``deploy``);
  the job's outcome and finish time are the deployment's.
* ``releases`` / ``tags``: each release (or matching tag) is a successful deployment.

``auto`` tries them in that order and keeps the first that finds anything. Each lister
yields ``(deployment, updated_at)``; the caller keeps the high-water mark for the next run.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from fnmatch import fnmatchcase
from typing import Any

from ...config import DeploymentDetection
from ...records import Deployment
from . import records as rec
from .client import GitLabAPI, encode

#: Pipelines inspected, newest first, to find the last deployment before the window.
BASELINE_PIPELINES = 20
Found = tuple[Deployment, datetime | None]


@dataclass(frozen=True)
class Method:
    """A detection result: the method and, for ``deployments``, the environments."""

    kind: str
    environments: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.kind == "deployments":
            return f"GitLab Deployments API, environment(s) {', '.join(self.environments)}"
        if self.kind == "pipelines":
            return "default-branch pipelines with a deploy job"
        return f"GitLab {self.kind}"


class DeploymentFinder:
    """Detection and listing for one GitLab instance and detection config."""

    def __init__(self, api: GitLabAPI, config: DeploymentDetection) -> None:
        self.api = api
        self.config = config

    # -- detection --------------------------------------------------------------------
    def detect(self, repository: str, default_branch: str) -> Method | None:
        order = ["deployments", "pipelines", "releases", "tags"]
        wanted = self.config.method
        if wanted == "workflow_runs":  # GitLab's equivalent of a workflow run is a pipeline
            wanted = "pipelines"
        for kind in order if wanted == "auto" else [wanted]:
            method = self._probe(kind, repository, default_branch, explicit=wanted != "auto")
            if method is not None:
                return method
        return None

    def _probe(self, kind: str, repo: str, branch: str, explicit: bool) -> Method | None:
        project = f"/projects/{encode(repo)}"
        if kind == "deployments":
            envs = self.production_environments(repo)
            if explicit:
                return Method(kind, tuple(envs))
            used = [
                e
                for e in envs
                if self.api.first(f"{project}/deployments", "deployments", environment=e)
            ]
            return Method(kind, tuple(used)) if used else None
        if explicit:
            return Method(kind)
        if kind == "pipelines":
            jobs = self.api.iter(f"{project}/jobs", "jobs")
            found = any(
                j.get("name") == self.config.job and j.get("ref") == branch
                for _, j in zip(range(100), jobs, strict=False)
            )
            return Method(kind) if found else None
        if kind == "releases":
            return Method(kind) if self.api.first(f"{project}/releases", "releases") else None
        tags = self.api.iter(f"{project}/repository/tags", "tags")
        hit = any(
            fnmatchcase(t["name"], self.config.tag_pattern)
            for _, t in zip(range(100), tags, strict=False)
        )
        return Method(kind) if hit else None

    def production_environments(self, repo: str) -> list[str]:
        names = {n.lower() for n in self.config.environments}
        envs = self.api.iter(f"/projects/{encode(repo)}/environments", "environments")
        return [
            e["name"] for e in envs if e.get("tier") == "production" or e["name"].lower() in names
        ]

    # -- listing ------------------------------------------------------------------------
    def from_deployments(
        self, repo: str, env: str, after: datetime, baseline_before: datetime | None
    ) -> Iterator[Found]:
        """Deployments to ``env`` updated after ``after``; first the last success before
        ``baseline_before`` when asked (the diff base for the window's first one)."""
        path = f"/projects/{encode(repo)}/deployments"
        if baseline_before is not None:
            last = self.api.first(
                path,
                f"deployments to {env}",
                environment=env,
                status="success",
                finished_before=baseline_before.isoformat(),
                order_by="finished_at",
                sort="desc",
            )
            dep = rec.deployment(repo, last) if last else None
            if dep is not None:
                yield dep, None
        for item in self.api.iter(
            path,
            f"deployments to {env}",
            environment=env,
            updated_after=after.isoformat(),
            order_by="updated_at",
            sort="asc",
        ):
            dep = rec.deployment(repo, item)
            if dep is not None:
                yield dep, rec.when(item.get("updated_at"))

    def from_pipelines(
        self, repo: str, branch: str, after: datetime, baseline_before: datetime | None
    ) -> Iterator[Found]:
        path = f"/projects/{encode(repo)}/pipelines"
        if baseline_before is not None:
            older = self.api.iter(
                path,
                "pipelines",
                ref=branch,
                status="success",
                updated_before=baseline_before.isoformat(),
                order_by="updated_at",
                sort="desc",
            )
            for _, pipe in zip(range(BASELINE_PIPELINES), older, strict=False):
                dep = self._pipeline(repo, pipe)
                if dep is not None and dep.status == "success":
                    yield dep, None
                    break
        for pipe in self.api.iter(
            path,
            "pipelines",
            ref=branch,
            updated_after=after.isoformat(),
            order_by="updated_at",
            sort="asc",
        ):
            if pipe.get("status") in rec.STATUS:
                dep = self._pipeline(repo, pipe)
                if dep is not None:
                    yield dep, rec.when(pipe.get("updated_at"))

    def _pipeline(self, repo: str, pipe: dict[str, Any]) -> Deployment | None:
        jobs = self.api.iter(
            f"/projects/{encode(repo)}/pipelines/{pipe['id']}/jobs",
            f"jobs of pipeline {pipe['id']}",
        )
        named = [j for j in jobs if j.get("name") == self.config.job]
        return rec.pipeline_deployment(repo, pipe, named[-1]) if named else None

    def from_releases(self, repo: str, since: datetime, until: datetime) -> Iterator[Found]:
        items = self.api.iter(
            f"/projects/{encode(repo)}/releases", "releases", order_by="released_at", sort="desc"
        )
        yield from _newest_first(
            repo, (rec.release_deployment(repo, r) for r in items), since, until
        )

    def from_tags(self, repo: str, since: datetime, until: datetime) -> Iterator[Found]:
        items = self.api.iter(
            f"/projects/{encode(repo)}/repository/tags", "tags", order_by="updated", sort="desc"
        )
        deps = (
            rec.tag_deployment(repo, t)
            for t in items
            if fnmatchcase(t["name"], self.config.tag_pattern)
        )
        yield from _newest_first(repo, deps, since, until)


def _newest_first(
    repo: str, deps: Iterator[Deployment | None], since: datetime, until: datetime
) -> Iterator[Found]:
    """Window members of a newest-first stream, then the first one before the window."""
    for dep in deps:
        if dep is None or dep.finished_at is None or dep.finished_at >= until:
            continue
        if dep.finished_at < since:
            yield dep, None  # the baseline: diffed against, not reported
            return
        yield dep, dep.finished_at
