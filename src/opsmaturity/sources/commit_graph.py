"""A repository's commit graph, read once, answering "which commits did deployment D ship".

Why: asking the forge for a compare per deployment costs one request per deployment
(thousands per quarter in a busy organization), while the default branch's history with
parents is a few pages. With the graph in memory, what a deployment shipped is git's
``previous..new``: the commits reachable from the deployed SHA and not from the previous
successful deployment's SHA. The same answer covers merge commits (their branch commits
are reachable through the second parent), squash and rebase merges (the rewritten commits
are on the first-parent line), rollbacks and redeploys of an older SHA (everything
reachable from it is reachable from the previous one: nothing shipped).

This module knows no forge: GitHub REST, GitHub GraphQL (``history`` nodes) and GitLab
all turn their commit listings into :class:`GraphCommit` and ask the same questions.

Rules the callers rely on:

- **The graph holds what was loaded.** Parents outside it (older than the look-back
  start) end a walk; nothing is fetched from here.
- **No predecessor** (``previous_sha=None``, the first deployment a source ever saw):
  everything reachable from the deployed SHA within the loaded history, optionally only
  commits committed at or after ``since`` (the look-back start). The caller decides
  whether that is wanted; it is stated, not guessed.
- **A SHA the graph lacks** (a force-push rewrote history, a deployment from another
  branch, history not loaded that far) raises :class:`MissingCommit`; the caller notes it
  (a ``CollectionNote``) and only then falls back to the forge's compare for that one
  deployment.
- **Order**: oldest first, the reverse of the order the history listed them (forges list
  newest first, children before parents), which is also the order of a forge's compare.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

__all__ = ["CommitGraph", "GraphCommit", "MissingCommit"]


@dataclass(frozen=True, slots=True)
class GraphCommit:
    """One commit as every forge can describe it: enough to walk the graph and to build
    a ``Change`` record without asking again."""

    sha: str
    parents: tuple[str, ...]
    """Parent SHAs, first parent first (the branch merged into); two or more: a merge."""
    authored_at: datetime
    """Git author date: when the work was written (survives rebase and squash)."""
    committed_at: datetime
    """Git committer date: when the commit was (re)written, e.g. by a rebase merge."""
    author_name: str = ""
    author_email: str = ""
    author_login: str | None = None
    """The forge account of the author, when the forge matched one (GitHub)."""
    message: str = ""
    paths: tuple[str, ...] = ()
    """Files the commit touched, when loaded (monorepos split by path); else empty."""

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


class MissingCommit(LookupError):
    """A SHA asked about is not in the loaded history (force-push, other branch, too old)."""

    def __init__(self, sha: str) -> None:
        super().__init__(f"commit {sha[:12]} is not in the loaded history")
        self.sha = sha


class CommitGraph:
    """Commits of one repository by SHA, in the order they were added (newest first)."""

    def __init__(self, commits: Iterable[GraphCommit] = ()) -> None:
        self._commits: dict[str, GraphCommit] = {}
        self._order: dict[str, int] = {}
        self._reach_cache: tuple[str, frozenset[str]] | None = None
        self.add(commits)

    # -- loading -----------------------------------------------------------------------
    def add(self, commits: Iterable[GraphCommit]) -> None:
        """Add commits listed newest first; a SHA already known keeps its first copy
        (pages of one listing may overlap when a push lands mid-read)."""
        for commit in commits:
            if commit.sha not in self._commits:
                self._order[commit.sha] = len(self._order)
                self._commits[commit.sha] = commit
        self._reach_cache = None

    def __contains__(self, sha: object) -> bool:
        return sha in self._commits

    def __len__(self) -> int:
        return len(self._commits)

    def __iter__(self) -> Iterator[GraphCommit]:
        """Commits in the order added (newest first for a forge listing)."""
        return iter(self._commits.values())

    def get(self, sha: str) -> GraphCommit | None:
        return self._commits.get(sha)

    # -- questions ---------------------------------------------------------------------
    def shipped(
        self, new_sha: str, previous_sha: str | None, since: datetime | None = None
    ) -> list[GraphCommit]:
        """Commits a deployment of ``new_sha`` shipped after one of ``previous_sha``:
        git's ``previous..new``, oldest first. ``previous_sha=None`` (no predecessor):
        all loaded history reachable from ``new_sha``, committed at or after ``since``
        when given. Raises :class:`MissingCommit` when either SHA is not loaded."""
        for sha in (new_sha, previous_sha):
            if sha is not None and sha not in self._commits:
                raise MissingCommit(sha)
        if previous_sha == new_sha:
            return []
        known = self._reachable(previous_sha) if previous_sha is not None else frozenset()
        found = self._walk([new_sha], stop=known)
        commits = self._oldest_first(found)
        if previous_sha is None and since is not None:
            commits = [c for c in commits if c.committed_at >= since]
        return commits

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """Whether ``ancestor`` is reachable from ``descendant`` (a rollback test)."""
        for sha in (ancestor, descendant):
            if sha not in self._commits:
                raise MissingCommit(sha)
        return ancestor in self._reachable(descendant)

    def merged_branch(self, merge_sha: str) -> list[GraphCommit]:
        """The commits a merge commit brought in: reachable from its second and later
        parents and not from its first (git's ``M^1..M`` minus ``M`` itself), oldest
        first. Empty for a commit with one parent or none."""
        merge = self._commits.get(merge_sha)
        if merge is None:
            raise MissingCommit(merge_sha)
        if not merge.is_merge:
            return []
        mainline = self._walk([merge.parents[0]], stop=frozenset())
        return self._oldest_first(self._walk(list(merge.parents[1:]), stop=mainline))

    def rebased_run(self, last_sha: str, claimed: Iterable[str] = ()) -> list[GraphCommit]:
        """A rebase merge's commits, oldest first, ending with ``last_sha`` (the SHA the
        forge records as the merge commit): the first-parent run of one-parent commits
        committed in the same second as it, since the forge rewrites them all at once.
        ``claimed`` SHAs (already another request's) end the run."""
        last = self._commits.get(last_sha)
        if last is None:
            raise MissingCommit(last_sha)
        stop = set(claimed)
        run = [last]
        current = last
        while current.parents:
            prev = self._commits.get(current.parents[0])
            if (
                prev is None
                or prev.sha in stop
                or prev.is_merge
                or prev.committed_at != last.committed_at
            ):
                break
            run.append(prev)
            current = prev
        return run[::-1]

    # -- walking -----------------------------------------------------------------------
    def _reachable(self, sha: str) -> frozenset[str]:
        """Loaded commits reachable from ``sha`` (itself included); the last answer is
        kept, since deployments in order ask for each previous SHA twice in a row."""
        if self._reach_cache is not None and self._reach_cache[0] == sha:
            return self._reach_cache[1]
        reach = frozenset(self._walk([sha], stop=frozenset()))
        self._reach_cache = (sha, reach)
        return reach

    def _walk(self, starts: list[str], stop: frozenset[str] | set[str]) -> set[str]:
        """Loaded commits reachable from ``starts`` without entering ``stop``."""
        seen: set[str] = set()
        stack = [s for s in starts if s in self._commits and s not in stop]
        while stack:
            sha = stack.pop()
            if sha in seen:
                continue
            seen.add(sha)
            stack.extend(
                p
                for p in self._commits[sha].parents
                if p in self._commits and p not in stop and p not in seen
            )
        return seen

    def _oldest_first(self, shas: Iterable[str]) -> list[GraphCommit]:
        return [self._commits[s] for s in sorted(shas, key=self._order.__getitem__, reverse=True)]
