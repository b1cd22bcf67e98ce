"""The REST :class:`~.changes.ChangeReader`'s reads, over GraphQL, for the same answers.

The rules stay the REST reader's (the history once from the newest deployed commit back
to the look-back start, :mod:`..attribution`, the compare for a deployed commit the
history lacks); only three reads move to GraphQL:

* the **history** pages (``Commit.history(since:)`` with parents), with the first page of
  **merged pull requests** (most recently updated first) in the same request;
* further pull-request pages, until one was updated before the oldest shipped commit;
* the **first commits** of one-commit (squash) pull requests: 100 pull requests a query
  instead of a request each (only when ``first_commits`` is asked for).

GraphQL shows a bot as a ``Bot`` whose ``login`` lacks ``[bot]``, and a bot's commit has no
``user``: :func:`pull_info` and :func:`graph_commit` give REST's ``[bot]`` login back.
"""

from __future__ import annotations

import threading
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..commit_graph import CommitGraph, GraphCommit
from ..rules import parse_optional_time as when
from ..rules import parse_time as at
from . import graphql_queries as q
from .changes import ChangeReader
from .client import GitHubApi
from .graphql import GraphQLApi
from .records import PullInfo
from .state import stamp

#: A commit id for queries that skip the history (``@include(if: false)``).
NO_COMMIT = "0" * 40


def noreply_login(email: str | None) -> str | None:
    """The account of a GitHub no-reply address (``ID+login@users.noreply.github.com``):
    GraphQL's ``GitActor.user`` is null for a bot, yet REST names the bot by this login."""
    local, _, domain = (email or "").partition("@")
    if domain.split(".")[:2] != ["users", "noreply"]:
        return None
    return local.split("+", 1)[-1] or None


def graph_commit(node: dict[str, Any]) -> GraphCommit:
    """A ``history`` node as a :class:`GraphCommit` (as :func:`.records.graph_commit`)."""
    author = node.get("author") or {}
    user = author.get("user") or {}
    return GraphCommit(
        sha=node["oid"],
        parents=tuple(p["oid"] for p in node["parents"]["nodes"]),
        authored_at=at(node["authoredDate"]),
        committed_at=at(node["committedDate"]),
        author_name=author.get("name") or "",
        author_email=author.get("email") or "",
        author_login=user.get("login") or noreply_login(author.get("email")),
        message=node.get("message") or "",
    )


def pull_info(node: dict[str, Any]) -> PullInfo:
    """A merged pull request (as :func:`.records.pull_info`); a ``Bot`` author gets REST's
    ``[bot]`` login back."""
    author = node.get("author") or {}
    login = author.get("login")
    if login and author.get("__typename") == "Bot":
        login = f"{login}[bot]"
    return PullInfo(
        node["number"],
        when(node["createdAt"]),
        when(node["mergedAt"]),
        tuple(label["name"] for label in node["labels"]["nodes"]),
        author=login,
    )


@dataclass
class PullPages:
    """Merged pull requests read so far for one repository, and where to go on."""

    nodes: list[dict[str, Any]] = field(default_factory=list)
    after: str | None = None
    done: bool = False
    started: bool = False

    def take(self, conn: dict[str, Any] | None) -> None:
        if conn is None:
            return
        self.started = True
        self.nodes.extend(conn["nodes"])
        self.after = conn["pageInfo"]["endCursor"]
        self.done = not conn["pageInfo"]["hasNextPage"]


class GraphQLChangeReader(ChangeReader):
    """:class:`ChangeReader` reading history, pull requests and first commits over GraphQL."""

    def __init__(
        self, api: GitHubApi, graphql: GraphQLApi, pool: Executor, first_commits: bool = True
    ) -> None:
        super().__init__(api, pool, first_commits)
        self.graphql = graphql
        self._pulls: dict[str, PullPages] = {}
        self._lock = threading.Lock()

    def forget(self, repo: str) -> None:
        """Drop what was read for ``repo`` (its changes are done)."""
        with self._lock:
            self._pulls.pop(repo, None)

    # -- history ---------------------------------------------------------------------
    def history(
        self, repo: str, tips: list[str], since: datetime
    ) -> tuple[CommitGraph, str | None]:
        pulls = PullPages()
        with self._lock:
            self._pulls[repo] = pulls
        for tip in tips:
            graph = CommitGraph()
            after: str | None = None
            while True:
                data = self._page(repo, pulls, head=tip, after=after, since=since)
                obj = data["repository"].get("object")
                if obj is None:
                    break  # a force-pushed commit: try the next deployed one
                conn = obj["history"]
                graph.add(graph_commit(n) for n in conn["nodes"])
                if not conn["pageInfo"]["hasNextPage"]:
                    return graph, tip
                after = conn["pageInfo"]["endCursor"]
        return CommitGraph(), None

    def _page(
        self,
        repo: str,
        pulls: PullPages,
        *,
        head: str | None = None,
        after: str | None = None,
        since: datetime | None = None,
    ) -> dict[str, Any]:
        """One request: a history page (when ``head``) and, while wanted, a pull-request page."""
        owner, name = repo.split("/", 1)
        with_pulls = head is None or not pulls.started
        data = self.graphql.query(
            q.HISTORY_AND_PULLS,
            {
                "owner": owner,
                "name": name,
                "head": head or NO_COMMIT,
                "after": after,
                "since": stamp(since) if since else None,
                "withHistory": head is not None,
                "withPulls": with_pulls,
                "pullsAfter": pulls.after,
            },
            what=f"{repo} history" if head else f"{repo} pull requests",
        )
        if with_pulls:
            pulls.take(data["repository"].get("pullRequests"))
        return data

    # -- pull requests ---------------------------------------------------------------
    def _merged_pulls(self, repo: str, oldest: datetime, shas: set[str]) -> dict[str, PullInfo]:
        """Merged PRs, most recently updated first, until one is older than ``oldest``."""
        with self._lock:
            pulls = self._pulls.setdefault(repo, PullPages())
        while not pulls.started or (
            not pulls.done and pulls.nodes and at(pulls.nodes[-1]["updatedAt"]) >= oldest
        ):
            self._page(repo, pulls)
        found: dict[str, PullInfo] = {}
        for node in pulls.nodes:
            sha = (node.get("mergeCommit") or {}).get("oid")
            if node.get("mergedAt") and sha in shas:
                found[sha] = pull_info(node)
        return found

    def first_commit_times(self, repo: str, numbers: list[int]) -> dict[int, datetime | None]:
        """The earliest author time among each pull request's commits, 100 PRs a query."""
        owner, name = repo.split("/", 1)
        found: dict[int, datetime | None] = {}
        for start in range(0, len(numbers), 100):
            chunk = numbers[start : start + 100]
            data = self.graphql.query(
                q.first_commits(chunk),
                {"owner": owner, "name": name},
                what=f"{repo} pull request commits",
            )
            for number in chunk:
                pull = data["repository"].get(f"p{number}") or {}
                nodes = (pull.get("commits") or {}).get("nodes") or []
                times = [when(n["commit"]["authoredDate"]) for n in nodes]
                found[number] = min((t for t in times if t), default=None)
        return found
