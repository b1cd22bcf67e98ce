"""Deployment detection for GitHub: Deployments API, Actions runs, releases, tags.

Each reader returns the production deployment attempts finishing in the window plus the
last success before it (the base the first in-window deployment is diffed against), and
the first-page ETag of its main list, so an unchanged repository costs one 304 next time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from ...records import Deployment, DeploymentStatus
from ..base import Window
from ..rules import parse_time as at
from . import records as rec
from .client import GitHubApi
from .state import SyncState, stamp

AUTO_ORDER = ("deployments", "workflow_runs", "releases", "tags")


@dataclass(frozen=True)
class Detect:
    """The detection settings of a source (from ``DeploymentDetection``)."""

    method: str = "auto"
    environments: tuple[str, ...] = ("production", "prod", "live")
    workflows: tuple[str, ...] = ("deploy", "deploy.yml", "deploy.yaml", "release.yml")
    tag_pattern: str = "v*"


@dataclass
class Found:
    """What one reader found; ``applies`` is False when the repository shows no sign of it."""

    method: str
    deployments: list[Deployment] = field(default_factory=list)
    etags: dict[str, str | None] = field(default_factory=dict)
    """First-page ETags of the lists read (``list``, ``runs:<workflow id>``)."""
    applies: bool = True
    not_modified: bool = False
    memo: dict[str, Any] = field(default_factory=dict)
    """What the next run need not read again (workflow ids, tagged commits' times)."""


class _Keeper:
    """Keeps in-window attempts and the newest success before the window, newest first in."""

    def __init__(self, window: Window) -> None:
        self.window = window
        self.kept: list[Deployment] = []
        self.before: Deployment | None = None

    def offer(self, dep: Deployment | None) -> None:
        if dep is None or dep.finished_at is None or dep.finished_at >= self.window.until:
            return
        if dep.finished_at >= self.window.since:
            self.kept.append(dep)
        elif dep.status == DeploymentStatus.SUCCESS and (
            self.before is None or dep.finished_at > (self.before.finished_at or dep.finished_at)
        ):
            self.before = dep

    def result(self) -> list[Deployment]:
        every = self.kept + ([self.before] if self.before else [])
        return sorted(every, key=lambda d: (d.finished_at, d.id))


class DeploymentReader:
    """Reads one repository's deployments by a method; requests go through ``api``."""

    def __init__(self, api: GitHubApi, detect: Detect, pool: Executor) -> None:
        self.api = api
        self.detect = detect
        self.pool = pool
        self.production_names = {e.lower() for e in detect.environments}

    def read(self, method: str, repo: str, branch: str, window: Window, saved: SyncState) -> Found:
        readers: dict[str, Callable[..., Found]] = {
            "deployments": self.deployments,
            "workflow_runs": self.workflow_runs,
            "releases": self.releases,
            "tags": self.tags,
        }
        return readers[method](repo, branch, window, saved)

    # -- Deployments API -------------------------------------------------------------
    def deployments(self, repo: str, branch: str, window: Window, saved: SyncState) -> Found:
        found = Found("deployments")
        keeper = _Keeper(window)
        what = f"{repo} deployments"
        for number, page in enumerate(
            self.api.pages(f"/repos/{repo}/deployments", None, saved.etags.get("list"), what)
        ):
            if page.not_modified:
                return Found("deployments", not_modified=True, etags={"list": page.etag})
            if number == 0:
                found.etags["list"] = page.etag
            production = [d for d in page.data if self._is_production(d)]
            if number == 0 and not production and not page.next_url:
                found.applies = False
            recent = [d for d in production if at(d["created_at"]) >= window.since]
            for dep in self.pool.map(lambda d: self._attempt(repo, d), recent):
                keeper.offer(dep)
            for d in production[len(recent) :]:
                if keeper.before is not None:
                    break
                keeper.offer(self._attempt(repo, d))
            oldest = at(page.data[-1]["created_at"]) if page.data else None
            if keeper.before is not None and oldest is not None and oldest < window.since:
                break
        found.deployments = keeper.result()
        found.applies = found.applies or bool(found.deployments)
        return found

    def _is_production(self, d: dict[str, Any]) -> bool:
        return (
            bool(d.get("production_environment"))
            or str(d.get("environment", "")).lower() in self.production_names
        )

    def _attempt(self, repo: str, d: dict[str, Any]) -> Deployment | None:
        """The deployment's outcome from its latest status, ignoring ``inactive`` (GitHub
        adds it to a superseded success; it must not uncount it). Unfinished → None."""
        page = self.api.get(
            d["statuses_url"], {"per_page": 100}, what=f"{repo} deployment statuses"
        )
        return rec.deployment_attempt(repo, d, page.data)

    # -- GitHub Actions runs ---------------------------------------------------------
    def workflow_runs(self, repo: str, branch: str, window: Window, saved: SyncState) -> Found:
        found = Found("workflow_runs")
        ids: list[int] | None = saved.memo.get("workflows")
        if ids is None:
            listing = self.api.get(
                f"/repos/{repo}/actions/workflows", {"per_page": 100}, what=f"{repo} workflows"
            )
            ids = [w["id"] for w in listing.data["workflows"] if self._is_deploy(w)]
        found.memo["workflows"] = ids
        if not ids:
            found.applies = False
            return found
        keeper = _Keeper(window)
        etags = saved.etags
        new_etags = found.etags
        changed = False
        for wf in ids:
            url = f"/repos/{repo}/actions/workflows/{wf}/runs"
            query = {"branch": branch, "status": "completed", "created": f">={stamp(window.since)}"}
            for number, page in enumerate(
                self.api.pages(url, query, etags.get(f"runs:{wf}"), f"{repo} workflow runs")
            ):
                if page.not_modified:
                    new_etags[f"runs:{wf}"] = page.etag
                    break
                changed = True
                if number == 0:
                    new_etags[f"runs:{wf}"] = page.etag
                for run in page.data["workflow_runs"]:
                    keeper.offer(rec.run_deployment(repo, run))
            if changed:
                before = self.api.get(
                    url,
                    {
                        "branch": branch,
                        "status": "success",
                        "per_page": 1,
                        "created": f"<{stamp(window.since)}",
                    },
                    what=f"{repo} workflow runs",
                )
                for run in before.data["workflow_runs"]:
                    keeper.offer(rec.run_deployment(repo, run))
        found.not_modified = not changed
        found.deployments = keeper.result()
        found.applies = found.not_modified or bool(found.deployments)
        return found

    def _is_deploy(self, workflow: dict[str, Any]) -> bool:
        names = {w.lower() for w in self.detect.workflows}
        file = str(workflow.get("path", "")).rsplit("/", 1)[-1].lower()
        return str(workflow.get("name", "")).lower() in names or file in names

    # -- releases --------------------------------------------------------------------
    def releases(self, repo: str, branch: str, window: Window, saved: SyncState) -> Found:
        found = Found("releases")
        keeper = _Keeper(window)
        published: list[dict[str, Any]] = []
        for number, page in enumerate(
            self.api.pages(
                f"/repos/{repo}/releases", None, saved.etags.get("list"), f"{repo} releases"
            )
        ):
            if page.not_modified:
                return Found("releases", not_modified=True, etags={"list": page.etag})
            if number == 0:
                found.etags["list"] = page.etag
            rels = [
                r
                for r in page.data
                if not r["draft"] and not r["prerelease"] and r.get("published_at")
            ]
            published.extend(rels)
            if any(at(r["published_at"]) < window.since for r in rels):
                break
        if not published:
            found.applies = False
            return found
        shas = self._tag_shas(repo, {r["tag_name"] for r in published})
        for r in published:
            if r["tag_name"] in shas:
                keeper.offer(rec.release_deployment(repo, r, shas[r["tag_name"]]))
        found.deployments = keeper.result()
        return found

    def _tag_shas(self, repo: str, wanted: Iterable[str]) -> dict[str, str]:
        wanted, shas = set(wanted), {}
        for page in self.api.pages(f"/repos/{repo}/tags", what=f"{repo} tags"):
            shas.update({t["name"]: t["commit"]["sha"] for t in page.data if t["name"] in wanted})
            if wanted <= set(shas):
                break
        return shas

    # -- tags ------------------------------------------------------------------------
    def tags(self, repo: str, branch: str, window: Window, saved: SyncState) -> Found:
        """Tags matching the pattern; a tag has no date, so the tagged commit's is used."""
        found = Found("tags")
        tags: list[dict[str, Any]] = []
        for number, page in enumerate(
            self.api.pages(f"/repos/{repo}/tags", None, saved.etags.get("list"), f"{repo} tags")
        ):
            if page.not_modified:
                return Found("tags", not_modified=True, etags={"list": page.etag})
            if number == 0:
                found.etags["list"] = page.etag
            tags += [t for t in page.data if fnmatchcase(t["name"], self.detect.tag_pattern)]
        if not tags:
            found.applies = False
            return found
        times: dict[str, str] = dict(saved.memo.get("times") or {})
        missing = sorted({t["commit"]["sha"] for t in tags} - set(times))
        for sha, time in self.pool.map(lambda s: (s, self._commit_time(repo, s)), missing):
            times[sha] = time
        found.memo["times"] = times
        keeper = _Keeper(window)
        for t in tags:
            sha = t["commit"]["sha"]
            keeper.offer(rec.tag_deployment(repo, t["name"], sha, times[sha]))
        found.deployments = keeper.result()
        return found

    def _commit_time(self, repo: str, sha: str) -> str:
        page = self.api.get(f"/repos/{repo}/commits/{sha}", what=f"{repo} tagged commit")
        return str(page.data["commit"]["committer"]["date"])
