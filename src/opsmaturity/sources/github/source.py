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
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from ...config import GitHubSource as GitHubConfig
from ...errors import AuthError, NotFound
from ...records import Change, CollectionNote, Deployment, DeploymentStatus, Incident, Repository
from ...tokens import read_token
from ..base import Checkpoints, Progress, Source, Window
from ..rules import in_scope
from ..rules import parse_optional_time as when
from . import records as rec
from .changes import ChangeReader
from .client import SCOPES, GitHubApi
from .deployments import AUTO_ORDER, DeploymentReader, Detect, Found
from .state import DeploymentState, IncidentState, stamp

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
    ) -> None:
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
        self.change_reader = ChangeReader(api, self.pool)
        self._pending: dict[str, DeploymentState] = {}

    @classmethod
    def from_config(
        cls,
        cfg: GitHubConfig,
        name: str,
        env: Mapping[str, str] = os.environ,
        *,
        path_repositories: Iterable[str] = (),
        sleep: Callable[[float], None] = time.sleep,
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
        )

    def open(self, progress: Progress, checkpoints: Checkpoints) -> None:
        super().open(progress, checkpoints)
        self.api.progress = progress  # rate-limit waits show on the same display

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.api.close()

    # -- repositories ------------------------------------------------------------------
    def repositories(self) -> list[Repository]:
        raw = [self._one_repo(n) for n in self.explicit] if self.explicit else self._org_repos()
        return [r for r in map(rec.repository, raw) if self._wanted(r)]

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
        state = DeploymentState.load(self.checkpoints, repo, window.since)
        found = self._detect(repository, window, state)
        if found is None:
            self._pending[repo] = DeploymentState("none", stamp(window.since))
            message = (
                f"no deployments found via {', '.join(AUTO_ORDER)} "
                f"(workflows {list(self.detect.workflows)}, tags {self.detect.tag_pattern})"
            )
            log.info("%s: %s", repo, message)
            yield CollectionNote(repo, "deployments", message, "warning")
            return
        self._pending[repo] = replace(
            found.state, method=found.method, etag=found.etag, since=stamp(window.since)
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

    def _detect(
        self, repository: Repository, window: Window, state: DeploymentState
    ) -> Found | None:
        method = self.detect.method
        order = (
            [method]
            if method != "auto"
            else ([state.method] if state.method in AUTO_ORDER else list(AUTO_ORDER))
        )
        for candidate in order:
            saved = state if state.method == candidate else DeploymentState()
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
        """Each success's commits: a compare with the previous success. The deployments
        checkpoint is set last: the collector persists it once these records are stored,
        so an interrupted run redoes the repository instead of skipping its changes."""
        repo = repository.full_name
        ordered = sorted(
            (d for d in deployments if d.status == DeploymentStatus.SUCCESS),
            key=lambda d: (d.finished_at, d.id),
        )
        pairs: list[tuple[Deployment, str | None]] = []
        for index, cur in enumerate(ordered):
            prev = ordered[index - 1] if index else None
            if prev is None:
                if cur.finished_at and cur.finished_at >= window.since:
                    yield CollectionNote(
                        repo,
                        "changes",
                        f"deployment {cur.id} has no earlier "
                        "successful deployment to diff against; its changes "
                        "are unknown",
                        "info",
                    )
                continue
            pairs.append((cur, None if prev.sha == cur.sha else prev.sha))
        found = list(self.pool.map(lambda p: self._compare(repo, p[0], p[1]), pairs))
        for (dep, _), commits in zip(pairs, found, strict=True):
            if commits is None:
                yield CollectionNote(
                    repo, "changes", f"deployment {dep.id}: compare not found (force-push?)"
                )
        ranges = [r or [] for r in found]
        unique = {c["sha"]: c for commits in ranges for c in commits}
        changes = self.change_reader.changes(
            repo, list(unique.values()), with_paths=repo in self.path_repositories
        )
        self.progress.advance(repo, "changes", len(changes))
        yield from changes
        for (dep, _), commits in zip(pairs, ranges, strict=True):
            yield replace(dep, change_shas=tuple(c["sha"] for c in commits))
        if repo in self._pending:
            self.checkpoints.set(repo, "deployments", self._pending.pop(repo).dump())

    def _compare(self, repo: str, dep: Deployment, base: str | None) -> list[dict[str, Any]] | None:
        """Commits ``dep`` shipped since ``base``; None when GitHub no longer has the range."""
        if base is None:
            return []
        try:
            return self.change_reader.compare(repo, base, dep.sha)
        except NotFound:
            return None

    # -- incidents -------------------------------------------------------------------
    def incidents(
        self, repository: Repository, window: Window
    ) -> Iterator[Incident | CollectionNote]:
        repo = repository.full_name
        etags = IncidentState.load(self.checkpoints, repo, window.since).etags
        new_etags: dict[str, str | None] = {}
        seen: set[int] = set()
        for updated, still_open in self._issue_queries(window):
            # Sorted by update time, the first query's page 1 changes whenever any matching
            # issue changes; a 304 there means the open-issues query cannot have changed.
            changed = yield from self._issue_query(repo, updated, etags, new_etags, seen, window)
            if changed:
                yield from self._issue_query(repo, still_open, etags, new_etags, seen, window)
            else:
                new_etags[still_open[0]] = etags.get(still_open[0])
        self.progress.advance(repo, "incidents", len(seen))
        self.checkpoints.set(repo, "incidents", IncidentState(stamp(window.since), new_etags).dump())

    def _issue_query(
        self,
        repo: str,
        query: tuple[str, dict[str, Any]],
        etags: dict[str, str | None],
        new_etags: dict[str, str | None],
        seen: set[int],
        window: Window,
    ) -> Generator[Incident, None, bool]:
        """Yield the incidents of one issue query; return False when it was a 304."""
        key, params = query
        pages = self.api.pages(f"/repos/{repo}/issues", params, etags.get(key), f"{repo} issues")
        for number, page in enumerate(pages):
            new_etags[key] = page.etag if number == 0 else new_etags[key]
            if page.not_modified:
                return False
            for issue in page.data:
                incident = self._incident(repo, issue, window)
                if incident is not None and issue["number"] not in seen:
                    seen.add(issue["number"])
                    yield incident
        return True

    def _issue_queries(self, window: Window) -> list[tuple[tuple[str, Any], tuple[str, Any]]]:
        """Per label: issues updated in the window, and those still open (opened before)."""
        since = stamp(window.since)
        updated = {"state": "all", "since": since, "sort": "updated", "direction": "desc"}
        if self.title_pattern is not None:
            return [(("all", updated), ("open", {"state": "open"}))]
        return [
            (
                (label, {**updated, "labels": label}),
                (f"{label}:open", {"state": "open", "labels": label}),
            )
            for label in self.incident_labels
        ]

    def _incident(self, repo: str, issue: dict[str, Any], window: Window) -> Incident | None:
        """An incident issue opened before the window's end and not closed before its start."""
        wanted = {x.lower() for x in self.incident_labels}
        if not rec.is_incident(issue, wanted, self.title_pattern):
            return None
        incident = rec.incident(repo, issue, self.severity_prefix)
        if incident.created_at >= window.until:
            return None
        closed = when(issue.get("closed_at"))
        if incident.created_at < window.since and closed is not None and closed < window.since:
            return None
        return incident
