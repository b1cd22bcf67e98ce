"""The commits each GitHub deployment shipped, with the pull requests they came from.

Why not a compare per deployment: that costs one request per deployment. Instead the
default branch's history is listed once per repository (``/commits?sha=&since=``, pages
of 100, with parents), from the newest deployed SHA back to the look-back start, and
each deployment's commits come from the :class:`~..commit_graph.CommitGraph` (git's
``previous..new``). A deployed SHA the listing lacks (a rollback's newer SHA, a deployment
from another branch) is added by one compare against the listed tip; only a SHA GitHub no
longer has (force-push) is a note.

Pull requests come from the closed-PR list (sorted by update, newest first, until older
than the oldest shipped commit): ``merge_commit_sha`` names the merge, squash or last
rebased commit, and :mod:`..attribution` finds the rest in the graph. A squash merge keeps no trace of its branch, so its first
commit needs the PR's commit list: fetched only when ``first_commits`` is asked for
(``lead_time_start: first_commit``).
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Executor
from datetime import datetime, timedelta
from typing import Any

from ...errors import NotFound
from ...records import Change
from ..attribution import attribute, first_authored
from ..commit_graph import CommitGraph, GraphCommit
from ..rules import parse_optional_time as when
from ..rules import parse_time as at
from ..shipped import ADDED, GONE, OLDER
from . import records as rec
from .client import GitHubApi
from .records import PullInfo
from .state import stamp

#: How far before the earliest deployment the history is read: a branch merged after it
#: may hold commits written before it (older ones would be missed; see docs/sources.md).
HISTORY_MARGIN = timedelta(days=7)


class ChangeReader:
    """Reads one repository's history once and attributes commits to pull requests."""

    def __init__(self, api: GitHubApi, pool: Executor, first_commits: bool = True) -> None:
        self.api = api
        self.pool = pool
        self.first_commits = first_commits

    # -- history ---------------------------------------------------------------------
    def history(
        self, repo: str, tips: list[str], since: datetime
    ) -> tuple[CommitGraph, str | None]:
        """The history from the first of ``tips`` (newest deployed SHAs first) GitHub can
        list, back to ``since``; with the tip used (None when none could be listed)."""
        for tip in tips:
            graph = CommitGraph()
            try:
                for page in self.api.pages(
                    f"/repos/{repo}/commits",
                    {"sha": tip, "since": stamp(since)},
                    what=f"{repo} commits",
                ):
                    graph.add(rec.graph_commit(c) for c in page.data)
            except NotFound:
                continue  # a force-pushed SHA: try the next deployed one
            return graph, tip
        return CommitGraph(), None

    def extend(self, repo: str, graph: CommitGraph, tip: str | None, sha: str) -> str:
        """Add to ``graph`` the commits of ``sha`` that ``tip``'s history lacks, by one
        compare. Returns ``added``; ``older`` when ``sha`` is an ancestor older than the
        history read; ``gone`` when GitHub no longer has it (force-push)."""
        if tip is None:
            return GONE
        try:
            ahead = self.compare(repo, tip, sha, behind_is_empty=False)
        except NotFound:
            return GONE
        graph.add(rec.graph_commit(c) for c in reversed(ahead))
        return ADDED if sha in graph else OLDER

    def compare(
        self, repo: str, base: str, head: str, behind_is_empty: bool = True
    ) -> list[dict[str, Any]]:
        """Commits in ``head`` not in ``base``, oldest first, all pages (no 250 cap)."""
        commits: list[dict[str, Any]] = []
        url = f"/repos/{repo}/compare/{base}...{head}"
        for page in self.api.pages(url, {"page": 1}, what=f"{repo} compare"):
            if behind_is_empty and page.data["status"] == "behind":
                return []  # a rollback ships nothing new
            commits.extend(page.data["commits"])
        return commits

    # -- changes ---------------------------------------------------------------------
    def changes(
        self, repo: str, commits: list[GraphCommit], with_paths: bool = False
    ) -> list[Change]:
        """Canonical changes for ``commits``, with PR context and (optionally) paths."""
        if not commits:
            return []
        pulls = self._attribute(repo, commits)
        paths = self._paths(repo, [c.sha for c in commits]) if with_paths else {}
        return [rec.change(repo, c, pulls.get(c.sha), paths.get(c.sha, ())) for c in commits]

    # -- pull requests ---------------------------------------------------------------
    def _attribute(self, repo: str, commits: list[GraphCommit]) -> dict[str, PullInfo]:
        oldest = min(c.committed_at for c in commits)
        merged = self._merged_pulls(repo, oldest, {c.sha for c in commits})
        owner = attribute(commits, merged)
        for pull in {id(p): p for p in owner.values()}.values():
            pull.commits = [s for s, p in owner.items() if p is pull]
        self._first_commits(repo, owner, commits)
        return owner

    def _merged_pulls(self, repo: str, oldest: datetime, shas: set[str]) -> dict[str, PullInfo]:
        """Closed PRs, most recently updated first, until before the oldest commit."""
        found: dict[str, PullInfo] = {}
        query = {"state": "closed", "sort": "updated", "direction": "desc"}
        for page in self.api.pages(f"/repos/{repo}/pulls", query, what=f"{repo} pull requests"):
            for p in page.data:
                sha = p.get("merge_commit_sha")
                if p.get("merged_at") and sha in shas:
                    found[sha] = rec.pull_info(p)
            if not page.data or at(page.data[-1]["updated_at"]) < oldest:
                break
        return found

    def _first_commits(
        self, repo: str, owner: dict[str, PullInfo], commits: list[GraphCommit]
    ) -> None:
        pulls = list({id(p): p for p in owner.values()}.values())
        first = first_authored(owner, commits)
        for pull in pulls:
            pull.first_commit_at = first.get(id(pull))
        if not self.first_commits:
            return
        lonely = [p for p in pulls if len(p.commits) == 1]  # squash (or a one-commit PR)
        times = self.first_commit_times(repo, [p.number for p in lonely])
        for pull in lonely:
            pull.first_commit_at = times.get(pull.number) or pull.first_commit_at

    def first_commit_times(self, repo: str, numbers: list[int]) -> dict[int, datetime | None]:
        """The earliest author time among each pull request's commits: a squash (or
        one-commit) PR's own commits hold its first-commit time. One list per PR on REST."""
        found = self.pool.map(lambda n: self._pull_first(repo, n), numbers)
        return dict(zip(numbers, found, strict=True))

    def _pull_first(self, repo: str, number: int) -> datetime | None:
        page = self.api.get(
            f"/repos/{repo}/pulls/{number}/commits",
            {"per_page": 100},
            what=f"{repo} pull request commits",
        )
        times = [when(c["commit"]["author"]["date"]) for c in page.data]
        return min((t for t in times if t), default=None)

    # -- records ---------------------------------------------------------------------
    def _paths(self, repo: str, shas: Iterable[str]) -> dict[str, tuple[str, ...]]:
        def files(sha: str) -> tuple[str, tuple[str, ...]]:
            page = self.api.get(f"/repos/{repo}/commits/{sha}", what=f"{repo} commit files")
            return sha, tuple(f["filename"] for f in page.data.get("files", []))

        return dict(self.pool.map(files, list(shas)))
