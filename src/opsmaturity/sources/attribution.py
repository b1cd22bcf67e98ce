"""Which pull/merge request brought each shipped commit, from the commit graph alone.

Why here: GitHub (REST and GraphQL) and GitLab list merged requests with the SHA that
landed each one — the merge commit, the squash commit, or the last commit of a rebase or
fast-forward — but not the commits behind it (that takes a request per PR). The graph
fills the gap the same way on every forge, so one history gives one answer:

- a **merge commit**'s branch commits are those reachable through its second parent that
  are not on the default branch's first-parent line (the branch may itself contain merges);
- a **squash commit** is the request's only commit on the default branch;
- a **rebase merge** (GitHub) or **fast-forward** (GitLab) rewrites the request's commits
  at merge time: the first-parent run before the landing SHA committed in the same second.

Only commits in ``commits`` (what the deployments shipped) are attributed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TypeVar

from .commit_graph import GraphCommit

__all__ = ["attribute", "first_authored"]

R = TypeVar("R")
_MAINLINE = object()


def attribute(commits: Sequence[GraphCommit], landed: Mapping[str, R]) -> dict[str, R]:
    """Each commit's request, for commits some request in ``landed`` (landing SHA →
    request) brought; direct pushes are absent from the result."""
    by_sha = {c.sha: c for c in commits}
    owner: dict[str, object] = {sha: _MAINLINE for sha in _mainline(by_sha)}
    for sha, request in landed.items():
        if sha not in by_sha:
            continue
        owner[sha] = request  # the merge, squash or last rebased commit itself
        head = by_sha[sha]
        if head.is_merge:
            _claim_branch(list(head.parents[1:]), by_sha, owner, request)
        else:
            _claim_rebased(head, by_sha, owner, request)
    return {sha: r for sha, r in owner.items() if r is not _MAINLINE}  # type: ignore[misc]


def first_authored(owner: Mapping[str, R], commits: Sequence[GraphCommit]) -> dict[int, datetime]:
    """Per request (by ``id``), the earliest author time among its own commits, merge
    commits left out (they are written at merge time, not when the work began)."""
    by_sha = {c.sha: c for c in commits}
    first: dict[int, datetime] = {}
    for sha, request in owner.items():
        commit = by_sha[sha]
        if commit.is_merge:
            continue
        key = id(request)
        if key not in first or commit.authored_at < first[key]:
            first[key] = commit.authored_at
    return first


def _mainline(by_sha: Mapping[str, GraphCommit]) -> set[str]:
    """First-parent chains from the tips of the shipped commits: the default branch's own
    commits, which a merge's branch walk must not claim."""
    parents = {p for c in by_sha.values() for p in c.parents}
    line: set[str] = set()
    for tip in (sha for sha in by_sha if sha not in parents):
        sha = tip
        while sha in by_sha and sha not in line:
            line.add(sha)
            first = by_sha[sha].parents
            sha = first[0] if first else ""
    return line


def _claim_branch(
    start: list[str], by_sha: Mapping[str, GraphCommit], owner: dict[str, object], request: object
) -> None:
    stack = list(start)
    while stack:
        sha = stack.pop()
        if sha in by_sha and sha not in owner:
            owner[sha] = request
            stack.extend(by_sha[sha].parents)


def _claim_rebased(
    head: GraphCommit, by_sha: Mapping[str, GraphCommit], owner: dict[str, object], request: object
) -> None:
    current = head
    while current.parents:
        prev = by_sha.get(current.parents[0])
        if (
            prev is None
            or owner.get(prev.sha, _MAINLINE) is not _MAINLINE
            or prev.is_merge
            or prev.committed_at != head.committed_at
        ):
            return
        owner[prev.sha] = request
        current = prev
