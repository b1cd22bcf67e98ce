"""GitHub source: an organization (or a list of repositories) as canonical records.

Talks to github.com, GitHub Enterprise Server (``https://HOST/api/v3``) or the fake
server through PyGithub (see :mod:`.client` for why lists are paged by hand).
Deployments are detected per repository (:mod:`.deployments`), changes resolved from
compares and pull requests (:mod:`.changes`), incidents read from labelled issues.

Checkpoints (per repository, typed in :mod:`.state`): ``deployments`` holds the detected
method, the window start and first-page ETags; it is set at the end of :meth:`changes`, so
it is stored only with the changes of those deployments: an interrupted run redoes that
repository and an unchanged one costs a 304. ``incidents`` holds the issue queries' ETags.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from ...config import GitHubSource as GitHubConfig
from ...errors import AuthError, NotFound
from ...records import Change, CollectionNote, Deployment, DeploymentStatus, Incident, Repository
from ...tokens import read_token
from ..base import Checkpoints, Progress, Source, Window
from ..commit_graph import CommitGraph, GraphCommit
from ..rules import in_scope
from ..shipped import ADDED, shipped
from . import records as rec
from .changes import HISTORY_MARGIN, ChangeReader
from .client import SCOPES, GitHubApi
from .deployments import AUTO_ORDER, DeploymentReader, Detect, Found
from .incidents import IncidentReader
from .state import SyncState, load

log = logging.getLogger("opsmaturity.github")


class GitHubSource(Source):
    """DORA records from GitHub; build it with :meth:`from_config`."""

    def __init__(
        self,
        name: str,
        api: GitHubApi,
        *,
        org: str | None = None,
        repositories: Sequence[str] = (),
        include: Sequence[str] = ("*",),
        exclude: Sequence[str] = (),
        include_archived: bool = False,
        detect: Detect | None = None,
        incident_labels: Sequence[str] = ("incident",),
        title_pattern: str | None = None,
        severity_prefix: str = "sev",
        concurrency: int = 8,
        path_repositories: Iterable[str] = (),
        first_commits: bool = True,
    ) -> None:
        """``first_commits``: read a squash-merged PR's own commits for its first-commit
        time (needed only for ``lead_time_start: first_commit``; one request per PR)."""
        super().__init__(name)
        self.api = api
        self.org, self.explicit = org, list(repositories)
        self.include, self.exclude, self.include_archived = include, exclude, include_archived
        self.detect = detect = detect or Detect()
        self.incident_labels = list(incident_labels)
        self.title_pattern = re.compile(title_pattern) if title_pattern else None
        self.severity_prefix = severity_prefix.lower()
        self.path_repositories = set(path_repositories)
        # Fan-out inside a repository (statuses, compares, PR commits), shared by all the
        # repositories the collector runs at once: 2x keeps both levels busy while staying
        # far below GitHub's 100 concurrent requests (secondary rate limit).
        self.pool = ThreadPoolExecutor(max_workers=2 * concurrency, thread_name_prefix="github")
        self.reader = DeploymentReader(api, detect, self.pool)
        self.change_reader = ChangeReader(api, self.pool, first_commits)
        self.incident_reader = IncidentReader(
            api,
            None if self.explicit else org,
            self.incident_labels,
            self.title_pattern,
            self.severity_prefix,
        )
        self._pending: dict[str, SyncState] = {}

    @classmethod
    def from_config(
        cls,
        cfg: GitHubConfig,
        name: str,
        env: Mapping[str, str] = os.environ,
        *,
        path_repositories: Iterable[str] = (),
        sleep: Callable[[float], None] = time.sleep,
        first_commits: bool = True,
    ) -> GitHubSource:
        """``path_repositories``: repositories whose teams claim paths (monorepos); only
        their commits are fetched one by one for the files they touch."""
        token = read_token(env, cfg.token_env)
        if not token:
            raise AuthError(f"${cfg.token_env} is not set; export a GitHub token ({SCOPES})")
        api = GitHubApi(
            cfg.base_url.rstrip("/"),
            token,
            cfg.token_env,
            seconds_between_requests=cfg.seconds_between_requests,
            pool_size=4,
            sleep=sleep,
        )
        d = cfg.deployments
        return cls(
            name,
            api,
            org=cfg.org,
            repositories=cfg.repositories,
            include=cfg.include,
            exclude=cfg.exclude,
            include_archived=cfg.include_archived,
            detect=Detect(d.method, tuple(d.environments), tuple(d.workflows), d.tag_pattern),
            incident_labels=cfg.incidents.labels,
            title_pattern=cfg.incidents.title_pattern,
            severity_prefix=cfg.incidents.severity_label_prefix,
            concurrency=cfg.concurrency,
            path_repositories=path_repositories,
            first_commits=first_commits,
        )

    def open(self, progress: Progress, checkpoints: Checkpoints) -> None:
        super().open(progress, checkpoints)
        self.api.progress = progress  # rate-limit waits show on the same display
        self.incident_reader.open(progress, checkpoints)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.api.close()

    # -- repositories ------------------------------------------------------------------
    def repositories(self) -> list[Repository]:
        raw = [self._one_repo(n) for n in self.explicit] if self.explicit else self._org_repos()
        repos = [r for r in map(rec.repository, raw) if self._wanted(r)]
        self.incident_reader.expect([r.full_name for r in repos])
        return repos

    def _wanted(self, repo: Repository) -> bool:
        names = (repo.full_name, repo.full_name.split("/", 1)[-1])
        return in_scope(names, self.include, self.exclude, repo.archived, self.include_archived)

    def _one_repo(self, full_name: str) -> dict[str, Any]:
        cached = json.loads(self.checkpoints.get(full_name, "repository") or "{}")
        page = self.api.get(f"/repos/{full_name}", etag=cached.get("etag"), what=full_name)
        if page.not_modified:
            return dict(cached["repo"])
        self.checkpoints.set(
            full_name,
            "repository",
            json.dumps({"etag": page.etag, "repo": rec.repository_fields(page.data)}),
        )
        return dict(page.data)

    def _org_repos(self) -> list[dict[str, Any]]:
        """Every page conditionally, each cached with its ETag: no change costs 304s."""
        assert self.org
        cached = json.loads(self.checkpoints.get("*", "repositories") or "{}")
        old_pages = cached.get("pages", []) if cached.get("org") == self.org else []
        pages: list[dict[str, Any]] = []
        repos: list[dict[str, Any]] = []
        url: str | None = f"/orgs/{self.org}/repos"
        params: dict[str, Any] | None = {"per_page": 100, "type": "all", "sort": "full_name"}
        try:
            while url:
                old = old_pages[len(pages)] if len(pages) < len(old_pages) else {}
                page = self.api.get(url, params, old.get("etag"), f"GitHub organization {self.org}")
                if page.not_modified:
                    entry = old
                else:
                    entry = {
                        "etag": page.etag,
                        "next": page.next_url,
                        "items": [rec.repository_fields(r) for r in page.data],
                    }
                pages.append(entry)
                repos.extend(entry["items"])
                url, params = entry["next"], None
        except NotFound:
            raise NotFound(
                f"GitHub organization {self.org!r}: not found or no access with the "
                f"token in ${self.api.token_env}"
            ) from None
        self.checkpoints.set("*", "repositories", json.dumps({"org": self.org, "pages": pages}))
        return repos

    # -- deployments -----------------------------------------------------------------
    def deployments(
        self, repository: Repository, window: Window
    ) -> Iterator[Deployment | CollectionNote]:
        repo = repository.full_name
        state = load(self.checkpoints, repo, "deployments", window)
        found = self._detect(repository, window, state)
        if found is None:
            self._pending[repo] = SyncState(window.since, method="none")
            message = (
                f"no deployments found via {', '.join(AUTO_ORDER)} "
                f"(workflows {list(self.detect.workflows)}, tags {self.detect.tag_pattern})"
            )
            log.info("%s: %s", repo, message)
            yield CollectionNote(repo, "deployments", message, "warning")
            return
        memo = {**state.memo, **found.memo} if found.not_modified else found.memo
        self._pending[repo] = SyncState(
            window.since, method=found.method, etags=found.etags, memo=memo
        )
        if found.not_modified:
            log.info("%s: deployments via %s unchanged since the last run", repo, found.method)
            return
        log.info("%s: deployments detected via %s (%d)", repo, found.method, len(found.deployments))
        self.progress.advance(repo, "deployments", len(found.deployments))
        yield CollectionNote(
            repo, "deployments", f"deployments detected via {found.method}", "info"
        )
        yield from found.deployments

    def _detect(self, repository: Repository, window: Window, state: SyncState) -> Found | None:
        method = self.detect.method
        order = (
            [method]
            if method != "auto"
            else ([state.method] if state.method in AUTO_ORDER else list(AUTO_ORDER))
        )
        for candidate in order:
            saved = state if state.method == candidate else SyncState(window.since)
            found = self.reader.read(
                candidate, repository.full_name, repository.default_branch, window, saved
            )
            if found.applies or found.not_modified or method != "auto":
                return found
        return None

    # -- changes ---------------------------------------------------------------------
    def changes(
        self, repository: Repository, window: Window, deployments: Sequence[Deployment]
    ) -> Iterator[Change | Deployment | CollectionNote]:
        """Each success's commits, from the history read once (:mod:`.changes`). The
        deployments checkpoint is set last: the collector persists it once these records
        are stored, so an interrupted run redoes the repository instead of skipping its
        changes."""
        repo = repository.full_name
        ordered = sorted(
            (d for d in deployments if d.status == DeploymentStatus.SUCCESS),
            key=lambda d: (d.finished_at, d.id),
        )
        pairs: list[tuple[Deployment, Deployment | None]] = []
        for index, cur in enumerate(ordered):
            prev = ordered[index - 1] if index else None
            if prev is not None or (cur.finished_at and cur.finished_at >= window.since):
                pairs.append((cur, prev))  # else: the base before the window, not reported
        ranges: list[list[GraphCommit]] = []
        if pairs:
            graph, missing = self._graph(repo, ordered, pairs, window)

            def compare(base: str, head: str) -> list[GraphCommit]:
                return [rec.graph_commit(c) for c in self.change_reader.compare(repo, base, head)]

            for cur, prev in pairs:
                base = prev.sha if prev is not None else None
                ranges.append((yield from shipped(graph, missing, cur, base, window, compare)))
        unique = {c.sha: c for commits in ranges for c in commits}
        changes = self.change_reader.changes(
            repo, list(unique.values()), with_paths=repo in self.path_repositories
        )
        self.progress.advance(repo, "changes", len(changes))
        yield from changes
        for (dep, _), commits in zip(pairs, ranges, strict=True):
            yield replace(dep, change_shas=tuple(c.sha for c in commits))
        if repo in self._pending:
            self.checkpoints.set(repo, "deployments", self._pending.pop(repo).dump())

    def _graph(
        self,
        repo: str,
        ordered: list[Deployment],
        pairs: list[tuple[Deployment, Deployment | None]],
        window: Window,
    ) -> tuple[CommitGraph, dict[str, str]]:
        """The history once, from the newest deployed SHA back to the look-back start,
        plus the deployed SHAs it lacks; returns the graph and, per deployed SHA it still
        lacks, why (``older`` than the history read, or ``gone`` from GitHub)."""
        tips = list(dict.fromkeys(d.sha for d in reversed(ordered)))
        since = min([window.since, *(d.created_at for d in ordered)]) - HISTORY_MARGIN
        graph, tip = self.change_reader.history(repo, tips, since)
        missing: dict[str, str] = {}
        shipping = {cur.sha for cur, _ in pairs}
        for sha in (s for s in tips if s in shipping):  # an older base: compared in _shipped
            if sha not in graph:
                why = self.change_reader.extend(repo, graph, tip, sha)
                if why != ADDED:
                    missing[sha] = why
        return graph, missing

    # -- incidents -------------------------------------------------------------------
    def incidents(
        self, repository: Repository, window: Window
    ) -> Iterator[Incident | CollectionNote]:
        """The repository's incidents: from one organization-wide query shared by all its
        repositories when collecting an organization, else from the repository's issues."""
        yield from self.incident_reader.incidents(repository.full_name, window)
