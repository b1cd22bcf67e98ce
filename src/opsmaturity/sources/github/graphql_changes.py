"""What each deployment shipped, from the default branch's history read once over GraphQL.

The history (with parents) is read from the newest deployed commit, a page of 100 at a
time, until it holds every deployed commit and is *closed* (every loaded commit that the
oldest deployment's commit cannot reach has its parents loaded), so :class:`CommitGraph`
answers ``previous..new`` for every deployment. Merged pull requests come in the same
requests (most recently updated first), and commits are attributed to them by the same
rules as the REST source: a merge commit's branch, a rebase merge's same-second run, a
squash commit itself; a one-commit pull request's first-commit time comes from its own
commits, batched (one query for up to 100 pull requests).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ...records import Change
from ..commit_graph import CommitGraph, GraphCommit
from ..rules import is_bot_work, reverted_sha
from ..rules import parse_optional_time as when
from ..rules import parse_time as at
from . import graphql_queries as q
from .graphql import GraphQLApi
from .records import PullInfo

#: How far past the oldest deployment the history is read at most, looking for commits a
#: branch merged much later brought in, before giving up on closing the graph.
READ_BACK = timedelta(days=30)
_MAINLINE = PullInfo(0, None, None, ())


def noreply_login(email: str | None) -> str | None:
    """The account of a GitHub no-reply address (``ID+login@users.noreply.github.com``):
    GraphQL's ``GitActor.user`` is null for a bot, yet REST names the bot by this login."""
    local, _, domain = (email or "").partition("@")
    if domain.split(".")[:2] != ["users", "noreply"]:
        return None
    return local.split("+", 1)[-1] or None


def graph_commit(node: dict[str, Any]) -> GraphCommit:
    """A ``history`` node as a :class:`GraphCommit`."""
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


def rest_commit(c: dict[str, Any]) -> GraphCommit:
    """A REST compare commit as a :class:`GraphCommit` (the compare fallback)."""
    git = c["commit"]
    return GraphCommit(
        sha=c["sha"],
        parents=tuple(p["sha"] for p in c["parents"]),
        authored_at=at(git["author"]["date"]),
        committed_at=at(git["committer"]["date"]),
        author_name=git["author"].get("name") or "",
        author_email=git["author"].get("email") or "",
        author_login=(c.get("author") or {}).get("login"),
        message=git.get("message") or "",
    )


def pull_info(node: dict[str, Any]) -> PullInfo:
    """A merged pull request; a ``Bot`` author gets REST's ``[bot]`` login back."""
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


def change(repo: str, c: GraphCommit, pull: PullInfo | None, paths: tuple[str, ...]) -> Change:
    """The canonical change, exactly as the REST source words it."""
    login = c.author_login or c.author_name or ""
    return Change(
        repository=repo,
        sha=c.sha,
        authored_at=c.authored_at,
        committed_at=c.committed_at,
        author=login,
        is_bot=is_bot_work((login, c.author_name, c.author_email), pull.author if pull else None),
        message=c.message[:1000],
        reverts=reverted_sha(c.message),
        parents=c.parents,
        pr_number=pull.number if pull else None,
        pr_opened_at=pull.opened_at if pull else None,
        pr_merged_at=pull.merged_at if pull else None,
        pr_first_commit_at=pull.first_commit_at if pull else None,
        pr_labels=pull.labels if pull else (),
        paths=paths,
    )


@dataclass
class History:
    """The loaded graph, and the merged pull requests read so far."""

    graph: CommitGraph = field(default_factory=CommitGraph)
    pulls: list[dict[str, Any]] = field(default_factory=list)
    pulls_after: str | None = None
    pulls_done: bool = False

    def take_pulls(self, conn: dict[str, Any] | None) -> None:
        if conn is None:
            return
        self.pulls.extend(conn["nodes"])
        self.pulls_after = conn["pageInfo"]["endCursor"]
        self.pulls_done = not conn["pageInfo"]["hasNextPage"]


class HistoryReader:
    """Reads one repository's history and merged pull requests over GraphQL."""

    def __init__(self, api: GraphQLApi) -> None:
        self.api = api

    def load(self, repo: str, heads: Sequence[str], base: str, oldest: datetime) -> History:
        """History from the first of ``heads`` (newest first) that exists, until it holds
        every head and is closed above ``base``, or reaches ``READ_BACK`` before ``oldest``."""
        history = History()
        needed = set(heads)
        for head in heads:
            after: str | None = None
            while True:
                data = self._page(
                    repo,
                    head,
                    after,
                    history,
                    with_pulls=history.pulls_after is None and not history.pulls_done,
                )
                obj = data["repository"].get("object")
                if obj is None:
                    break  # this commit is gone (force-push): try the next deployed one
                conn = obj["history"]
                history.graph.add(graph_commit(n) for n in conn["nodes"])
                last = conn["nodes"][-1] if conn["nodes"] else None
                far = last is not None and at(last["committedDate"]) < oldest - READ_BACK
                if (
                    not conn["pageInfo"]["hasNextPage"]
                    or far
                    or (needed <= set(_shas(history.graph)) and _closed(history.graph, base))
                ):
                    return history
                after = conn["pageInfo"]["endCursor"]
        return history

    def more_pulls(self, repo: str, history: History, oldest: datetime) -> None:
        """Further pages of merged pull requests until one was updated before ``oldest``."""
        while not history.pulls_done and (
            not history.pulls or at(history.pulls[-1]["updatedAt"]) >= oldest
        ):
            self._page(repo, "0" * 40, None, history, with_pulls=True, with_history=False)

    def _page(
        self,
        repo: str,
        head: str,
        after: str | None,
        history: History,
        *,
        with_pulls: bool,
        with_history: bool = True,
    ) -> dict[str, Any]:
        owner, name = repo.split("/", 1)
        data = self.api.query(
            q.HISTORY_AND_PULLS,
            {
                "owner": owner,
                "name": name,
                "head": head,
                "after": after,
                "withHistory": with_history,
                "withPulls": with_pulls,
                "pullsAfter": history.pulls_after,
            },
            what=f"{repo} history",
        )
        if with_pulls:
            history.take_pulls(data["repository"].get("pullRequests"))
        return data

    def first_commit_times(self, repo: str, numbers: Sequence[int]) -> dict[int, datetime | None]:
        """The earliest author time among each pull request's commits, 100 per query."""
        owner, name = repo.split("/", 1)
        found: dict[int, datetime | None] = {}
        for start in range(0, len(numbers), 100):
            chunk = list(numbers[start : start + 100])
            data = self.api.query(
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


def _shas(graph: CommitGraph) -> Iterable[str]:
    return (c.sha for c in graph)


def _closed(graph: CommitGraph, base: str) -> bool:
    """Every loaded commit ``base`` cannot reach has all its parents loaded."""
    reach: set[str] = set()
    stack = [base]
    while stack:
        sha = stack.pop()
        commit = graph.get(sha)
        if commit is None or sha in reach:
            continue
        reach.add(sha)
        stack.extend(commit.parents)
    return all(p in graph for c in graph if c.sha not in reach for p in c.parents)


# -- attribution (the REST source's rules, on GraphCommit) ----------------------------
def attribute(commits: dict[str, GraphCommit], merged: dict[str, PullInfo]) -> dict[str, PullInfo]:
    """Each commit of the shipped range → its pull request: the merge, squash or last
    rebased commit itself, a merge's branch commits, a rebase's same-second run."""
    owner: dict[str, PullInfo] = {sha: _MAINLINE for sha in _mainline(commits)}
    for sha, pull in merged.items():
        owner[sha] = pull
        head = commits[sha]
        if len(head.parents) > 1:
            _claim_branch(list(head.parents[1:]), commits, owner, pull)
        else:
            _claim_rebased(head, commits, owner, pull)
    owner = {sha: p for sha, p in owner.items() if p is not _MAINLINE}
    for pull in {id(p): p for p in owner.values()}.values():
        pull.commits = [s for s, p in owner.items() if p is pull]
        own = [commits[s] for s in pull.commits if len(commits[s].parents) < 2]
        pull.first_commit_at = min((c.authored_at for c in own), default=None)
    return owner


def _mainline(commits: dict[str, GraphCommit]) -> set[str]:
    parents = {p for c in commits.values() for p in c.parents}
    line: set[str] = set()
    for tip in (sha for sha in commits if sha not in parents):
        sha: str | None = tip
        while sha in commits and sha not in line:
            line.add(sha)
            first = commits[sha].parents
            sha = first[0] if first else None
    return line


def _claim_branch(
    start: list[str], commits: dict[str, GraphCommit], owner: dict[str, PullInfo], pull: PullInfo
) -> None:
    stack = list(start)
    while stack:
        sha = stack.pop()
        if sha in commits and sha not in owner:
            owner[sha] = pull
            stack.extend(commits[sha].parents)


def _claim_rebased(
    head: GraphCommit, commits: dict[str, GraphCommit], owner: dict[str, PullInfo], pull: PullInfo
) -> None:
    current = head
    while current.parents:
        prev = commits.get(current.parents[0])
        if (
            prev is None
            or owner.get(prev.sha, _MAINLINE) is not _MAINLINE
            or len(prev.parents) > 1
            or prev.committed_at != head.committed_at
        ):
            return
        owner[prev.sha] = pull
        current = prev
