"""GitHub source over the GraphQL API, with REST where GraphQL cannot serve.

Same records, fewer requests (issue #15): deployments come with their statuses in the
same page, each repository's history is read once (:mod:`.graphql_changes`) instead of a
compare per deployment, and one probe per 100 repositories lists them with fingerprints
of their newest deployments and issues, so an unchanged repository costs nothing more.

REST still serves what GraphQL lacks or what a repository needs: deployments detected by
workflow runs, releases or tags (the repository is then read over REST throughout), the
files a commit touched (monorepos split by path), and the compare of a deployment whose
commit the loaded history does not hold. ``api: auto`` falls back to REST entirely, with a
note, where the GraphQL endpoint does not answer.

Checkpoints: ``graphql_deployments`` and ``graphql_incidents`` hold the window start and
the probe's fingerprint; the first is set at the end of :meth:`changes` and the second at
the end of :meth:`incidents`, so both are stored only with the records they vouch for
(the contract in :mod:`opsmaturity.sources.base`). A repository read over REST keeps the
REST checkpoints.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from ...config import GitHubSource as GitHubConfig
from ...errors import NotFound, SourceError
from ...records import Change, CollectionNote, Deployment, DeploymentStatus, Incident, Repository
from ...tokens import read_token
from ..base import Checkpoints, Progress, Window
from ..commit_graph import GraphCommit, MissingCommit
from ..rules import in_scope
from ..rules import parse_time as at
from . import graphql_queries as q
from . import records as rec
from .deployments import _Keeper
from .graphql import GraphQLApi, Unavailable, graphql_url
from .graphql_changes import History, HistoryReader, attribute, change, pull_info, rest_commit
from .source import GitHubSource
from .state import stamp

log = logging.getLogger("opsmaturity.github")

#: Repositories named one by one are probed this many per query (aliases).
PROBE_BATCH = 50


class GitHubGraphQLSource(GitHubSource):
    """DORA records from GitHub's GraphQL API; build it with :meth:`from_config`."""

    def __init__(
        self,
        name: str,
        api: Any,
        *,
        graphql: GraphQLApi | None = None,
        mode: str = "auto",
        first_commits: bool = True,
        **options: Any,
    ) -> None:
        super().__init__(name, api, **options)
        self.graphql = graphql
        self.mode = mode
        self.first_commits = first_commits
        self.enabled = mode != "rest" and graphql is not None
        self.history = HistoryReader(graphql) if graphql is not None else None
        self._fingerprints: dict[str, dict[str, str]] = {}
        self._via_rest: set[str] = set()
        self._graph_pending: dict[str, str] = {}
        self._api_notes: list[CollectionNote] = []

    @classmethod
    def from_config(  # type: ignore[override]
        cls,
        cfg: GitHubConfig,
        name: str,
        env: Mapping[str, str] = os.environ,
        *,
        path_repositories: Iterable[str] = (),
        sleep: Callable[[float], None] = time.sleep,
        first_commits: bool = True,
    ) -> GitHubGraphQLSource:
        """``first_commits``: read one-commit pull requests' own commits (only
        ``lead_time_start: first_commit`` needs them)."""
        source = super().from_config(
            cfg, name, env, path_repositories=path_repositories, sleep=sleep
        )
        assert isinstance(source, GitHubGraphQLSource)
        token = read_token(env, cfg.token_env) or ""
        source.graphql = GraphQLApi(graphql_url(cfg.base_url), token, cfg.token_env, sleep=sleep)
        source.history = HistoryReader(source.graphql)
        source.mode = cfg.api
        source.enabled = cfg.api != "rest"
        source.first_commits = first_commits
        return source

    def open(self, progress: Progress, checkpoints: Checkpoints) -> None:
        super().open(progress, checkpoints)
        if self.graphql is not None:
            self.graphql.progress = progress

    def close(self) -> None:
        super().close()
        if self.graphql is not None:
            self.graphql.close()

    def notes(self) -> list[CollectionNote]:
        """Where GraphQL was wanted and REST had to serve instead."""
        return [*super().notes(), *self._api_notes]

    def usage(self) -> str | None:
        """GraphQL queries and the points they cost (the CLI prints it after the counts)."""
        return self.graphql.usage.line() if self.graphql is not None and self.enabled else None

    # -- repositories: the probe -------------------------------------------------------
    def repositories(self) -> list[Repository]:
        if not self.enabled:
            return super().repositories()
        try:
            nodes = self._probe()
        except Unavailable as exc:
            if self.mode == "graphql":
                raise SourceError(f"{exc}; set api: rest (or auto) for this source") from None
            log.warning("%s; collecting over REST", exc)
            self.enabled = False
            self._api_notes.append(
                CollectionNote("*", "api", f"{exc}: collected over REST", "warning")
            )
            return super().repositories()
        repos = []
        for node in nodes:
            repo = Repository(
                node["nameWithOwner"],
                (node.get("defaultBranchRef") or {}).get("name") or "main",
                bool(node["isArchived"]),
                node.get("url") or "",
            )
            names = (repo.full_name, repo.full_name.split("/", 1)[-1])
            if in_scope(names, self.include, self.exclude, repo.archived, self.include_archived):
                repos.append(repo)
                self._fingerprints[repo.full_name] = _fingerprints(node)
        return repos

    def _probe(self) -> list[dict[str, Any]]:
        """Repositories with fingerprints: the organization's pages, or named ones in batches."""
        envs = self._environments()
        if not self.explicit:
            nodes: list[dict[str, Any]] = []
            after: str | None = None
            while True:
                data = self._query(
                    q.ORG_PROBE,
                    {"org": self.org, "after": after, "environments": envs},
                    f"GitHub organization {self.org}",
                )
                if data.get("organization") is None:
                    raise NotFound(
                        f"GitHub organization {self.org!r}: not found or no access with the token in ${self.api.token_env}"
                    )
                conn = data["organization"]["repositories"]
                nodes.extend(conn["nodes"])
                if not conn["pageInfo"]["hasNextPage"]:
                    return nodes
                after = conn["pageInfo"]["endCursor"]
        found: list[dict[str, Any]] = []
        for start in range(0, len(self.explicit), PROBE_BATCH):
            chunk = self.explicit[start : start + PROBE_BATCH]
            variables: dict[str, Any] = {"environments": envs}
            for i, full_name in enumerate(chunk):
                variables[f"o{i}"], _, variables[f"n{i}"] = full_name.partition("/")
            data = self._query(q.repositories_probe(len(chunk)), variables, "GitHub repositories")
            found.extend(data[f"r{i}"] for i in range(len(chunk)))
        return found

    def _query(self, text: str, variables: dict[str, Any], what: str) -> dict[str, Any]:
        assert self.graphql is not None
        return self.graphql.query(text, variables, what)

    def _environments(self) -> list[str]:
        """Production names as configured and in their usual spellings (REST compares them
        case-insensitively; GraphQL's ``environments:`` filter takes exact names)."""
        names: list[str] = []
        for env in self.detect.environments:
            for spelling in (env, env.lower(), env.capitalize(), env.upper()):
                if spelling not in names:
                    names.append(spelling)
        return names

    # -- deployments -----------------------------------------------------------------
    def deployments(
        self, repository: Repository, window: Window
    ) -> Iterator[Deployment | CollectionNote]:
        repo = repository.full_name
        if not self.enabled or self.detect.method not in ("auto", "deployments"):
            self._via_rest.add(repo)
            yield from super().deployments(repository, window)
            return
        self._via_rest.discard(repo)
        fingerprint = self._fingerprints.get(repo, {}).get("deployments")
        state = json.dumps({"since": stamp(window.since), "fingerprint": fingerprint})
        if fingerprint is not None and self.checkpoints.get(repo, "graphql_deployments") == state:
            self._graph_pending[repo] = state
            log.info("%s: deployments unchanged since the last run", repo)
            return
        found, applies = self._read_deployments(repo, window)
        if not applies and self.detect.method == "auto":
            self._via_rest.add(repo)  # no Deployments API use: workflow runs, releases, tags
            yield from super().deployments(repository, window)
            return
        self._graph_pending[repo] = state
        log.info("%s: deployments detected via deployments (%d)", repo, len(found))
        self.progress.advance(repo, "deployments", len(found))
        yield CollectionNote(repo, "deployments", "deployments detected via deployments", "info")
        yield from found

    def _read_deployments(self, repo: str, window: Window) -> tuple[list[Deployment], bool]:
        """Production deployments, newest first, down to the last success before the window;
        each with its statuses in the same page."""
        owner, name = repo.split("/", 1)
        keeper = _Keeper(window)
        applies, after = False, None
        while True:
            variables = {
                "owner": owner,
                "name": name,
                "environments": self._environments(),
                "after": after,
            }
            conn = self._query(q.DEPLOYMENTS, variables, f"{repo} deployments")["repository"][
                "deployments"
            ]
            nodes = conn["nodes"]
            applies = applies or bool(nodes)
            recent = [n for n in nodes if at(n["createdAt"]) >= window.since]
            for node in recent:
                keeper.offer(_attempt(repo, node))
            for node in nodes[len(recent) :]:
                if keeper.before is not None:
                    break
                keeper.offer(_attempt(repo, node))
            oldest = at(nodes[-1]["createdAt"]) if nodes else None
            if keeper.before is not None and oldest is not None and oldest < window.since:
                break
            if not conn["pageInfo"]["hasNextPage"]:
                break
            after = conn["pageInfo"]["endCursor"]
        return keeper.result(), applies

    # -- changes ---------------------------------------------------------------------
    def changes(
        self, repository: Repository, window: Window, deployments: Sequence[Deployment]
    ) -> Iterator[Change | Deployment | CollectionNote]:
        repo = repository.full_name
        if not self.enabled or repo in self._via_rest:
            yield from super().changes(repository, window, deployments)
            return
        ordered = sorted(
            (d for d in deployments if d.status == DeploymentStatus.SUCCESS),
            key=lambda d: (d.finished_at, d.id),
        )
        pairs: list[tuple[Deployment, str | None]] = []
        for index, cur in enumerate(ordered):
            if index == 0:
                if cur.finished_at and cur.finished_at >= window.since:
                    yield CollectionNote(
                        repo,
                        "changes",
                        f"deployment {cur.id} has no earlier successful "
                        "deployment to diff against; its changes are unknown",
                        "info",
                    )
                continue
            prev = ordered[index - 1]
            pairs.append((cur, None if prev.sha == cur.sha else prev.sha))
        history, ranges, notes = self._ranges(repo, ordered, pairs)
        yield from notes
        changes = self._changes(repo, history, ranges) if history is not None else []
        self.progress.advance(repo, "changes", len(changes))
        yield from changes
        for (dep, _), commits in zip(pairs, ranges, strict=True):
            yield replace(dep, change_shas=tuple(c.sha for c in commits))
        if repo in self._graph_pending:
            self.checkpoints.set(repo, "graphql_deployments", self._graph_pending.pop(repo))

    def _ranges(
        self, repo: str, ordered: list[Deployment], pairs: list[tuple[Deployment, str | None]]
    ) -> tuple[History | None, list[list[GraphCommit]], list[CollectionNote]]:
        """Each pair's shipped commits, from the graph; a compare where it lacks a commit."""
        if not any(base for _, base in pairs):
            return None, [[] for _ in pairs], []
        assert self.history is not None
        heads = list(dict.fromkeys(d.sha for d in reversed(ordered)))
        oldest = min(d.created_at for d in ordered)
        history = self.history.load(repo, heads, ordered[0].sha, oldest)
        ranges: list[list[GraphCommit]] = []
        notes: list[CollectionNote] = []
        for dep, base in pairs:
            if base is None:
                ranges.append([])
                continue
            try:
                ranges.append(history.graph.shipped(dep.sha, base))
            except MissingCommit:
                compared = self._rest_compare(repo, base, dep.sha)
                if compared is None:
                    notes.append(
                        CollectionNote(
                            repo, "changes", f"deployment {dep.id}: compare not found (force-push?)"
                        )
                    )
                ranges.append(compared or [])
        return history, ranges, notes

    def _rest_compare(self, repo: str, base: str, head: str) -> list[GraphCommit] | None:
        """REST's compare, for a deployment whose commit the history does not hold."""
        commits: list[dict[str, Any]] = []
        try:
            for page in self.api.pages(
                f"/repos/{repo}/compare/{base}...{head}", {"page": 1}, what=f"{repo} compare"
            ):
                if page.data["status"] == "behind":
                    return []
                commits.extend(page.data["commits"])
        except NotFound:
            return None
        return [rest_commit(c) for c in commits]

    def _changes(
        self, repo: str, history: History, ranges: list[list[GraphCommit]]
    ) -> list[Change]:
        unique = {c.sha: c for commits in ranges for c in commits}
        if not unique:
            return []
        assert self.history is not None
        oldest = min(c.committed_at for c in unique.values())
        self.history.more_pulls(repo, history, oldest)
        merged = {}
        for node in history.pulls:
            sha = (node.get("mergeCommit") or {}).get("oid")
            if node.get("mergedAt") and sha in unique:
                merged[sha] = pull_info(node)
        owner = attribute(unique, merged)
        lonely = [p for p in {id(p): p for p in owner.values()}.values() if len(p.commits) == 1]
        if lonely and self.first_commits:
            times = self.history.first_commit_times(repo, [p.number for p in lonely])
            for pull in lonely:
                pull.first_commit_at = times.get(pull.number) or pull.first_commit_at
        paths = self._paths(repo, list(unique)) if repo in self.path_repositories else {}
        return [change(repo, c, owner.get(c.sha), paths.get(c.sha, ())) for c in unique.values()]

    def _paths(self, repo: str, shas: list[str]) -> dict[str, tuple[str, ...]]:
        """Files per commit, from REST (GraphQL's ``Commit`` does not list them)."""

        def files(sha: str) -> tuple[str, tuple[str, ...]]:
            page = self.api.get(f"/repos/{repo}/commits/{sha}", what=f"{repo} commit files")
            return sha, tuple(f["filename"] for f in page.data.get("files", []))

        return dict(self.pool.map(files, shas))

    # -- incidents -------------------------------------------------------------------
    def incidents(
        self, repository: Repository, window: Window
    ) -> Iterator[Incident | CollectionNote]:
        if not self.enabled:
            yield from super().incidents(repository, window)
            return
        repo = repository.full_name
        fingerprint = self._fingerprints.get(repo, {}).get("issues")
        state = json.dumps({"since": stamp(window.since), "fingerprint": fingerprint})
        if fingerprint is not None and self.checkpoints.get(repo, "graphql_incidents") == state:
            return
        labels: list[list[str] | None] = (
            [None]
            if self.title_pattern is not None
            else [[label] for label in self.incident_labels]
        )
        owner, name = repo.split("/", 1)
        base: dict[str, Any] = {"owner": owner, "name": name, "since": stamp(window.since)}
        base.update({f"l{i}": label for i, label in enumerate(labels)})
        cursors: dict[str, str | None] = {f"{k}{i}": None for i in range(len(labels)) for k in "uo"}
        seen: set[int] = set()
        while cursors:
            keys = list(cursors)
            variables = {**base, **{f"a{k}": cursors[k] for k in keys}}
            if not any(k.startswith("u") for k in keys):
                variables.pop("since")  # a variable the query does not use is refused
            data = self._query(q.incident_issues(keys), variables, f"{repo} issues")["repository"]
            cursors = {}
            for key in keys:
                conn = data[key]
                for node in conn["nodes"]:
                    incident = self._incident(repo, _issue(node), window)
                    if incident is not None and node["number"] not in seen:
                        seen.add(node["number"])
                        yield incident
                if conn["pageInfo"]["hasNextPage"]:
                    cursors[key] = conn["pageInfo"]["endCursor"]
        self.progress.advance(repo, "incidents", len(seen))
        self.checkpoints.set(repo, "graphql_incidents", state)


def _attempt(repo: str, node: dict[str, Any]) -> Deployment | None:
    """A deployment node as the REST rules read it (statuses newest first)."""
    deployment = {
        "id": node["databaseId"],
        "environment": node["environment"],
        "sha": node["commitOid"],
        "created_at": node["createdAt"],
    }
    statuses = [
        {"state": s["state"].lower(), "created_at": s["createdAt"]}
        for s in node["statuses"]["nodes"]
    ]
    return rec.deployment_attempt(repo, deployment, statuses)


def _issue(node: dict[str, Any]) -> dict[str, Any]:
    """An issue node in the REST shape the incident rules read."""
    return {
        "number": node["number"],
        "title": node["title"],
        "state": node["state"].lower(),
        "created_at": node["createdAt"],
        "closed_at": node["closedAt"],
        "labels": [{"name": label["name"]} for label in node["labels"]["nodes"]],
    }


def _fingerprints(node: dict[str, Any]) -> dict[str, str]:
    """What the probe saw of a repository's deployments and issues, as comparable text."""
    return {
        "deployments": json.dumps(node.get("deployments"), sort_keys=True),
        "issues": json.dumps(node.get("issues"), sort_keys=True),
    }
