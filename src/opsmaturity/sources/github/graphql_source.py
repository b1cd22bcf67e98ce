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
from typing import Any

from ...config import GitHubSource as GitHubConfig
from ...errors import NotFound, SourceError
from ...records import Change, CollectionNote, Deployment, Incident, Repository
from ...tokens import read_token
from ..base import Checkpoints, Progress, Window
from ..rules import in_scope
from ..rules import parse_time as at
from . import graphql_queries as q
from . import records as rec
from .changes import ChangeReader
from .deployments import _Keeper
from .graphql import GraphQLApi, Unavailable, graphql_url
from .graphql_changes import GraphQLChangeReader
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
        super().__init__(name, api, first_commits=first_commits, **options)
        self.graphql = graphql
        self.mode = mode
        self.enabled = mode != "rest" and graphql is not None
        if graphql is not None and self.enabled:
            self.change_reader = GraphQLChangeReader(api, graphql, self.pool, first_commits)
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
            cfg,
            name,
            env,
            path_repositories=path_repositories,
            sleep=sleep,
            first_commits=first_commits,
        )
        assert isinstance(source, GitHubGraphQLSource)
        token = read_token(env, cfg.token_env) or ""
        source.graphql = GraphQLApi(graphql_url(cfg.base_url), token, cfg.token_env, sleep=sleep)
        source.mode = cfg.api
        source.enabled = cfg.api != "rest"
        if source.enabled:
            source.change_reader = GraphQLChangeReader(
                source.api, source.graphql, source.pool, first_commits
            )
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
            self.change_reader = ChangeReader(self.api, self.pool, self.change_reader.first_commits)
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
        """The REST source's rules with GraphQL reads (:mod:`.graphql_changes`); the
        fingerprint checkpoint is set last, once these records are stored."""
        repo = repository.full_name
        try:
            yield from super().changes(repository, window, deployments)
        finally:
            if isinstance(self.change_reader, GraphQLChangeReader):
                self.change_reader.forget(repo)
        if repo in self._graph_pending:
            self.checkpoints.set(repo, "graphql_deployments", self._graph_pending.pop(repo))

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
                    incident = self.incident_reader._incident(_issue(node), window, repo)
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
