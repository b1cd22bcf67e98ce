"""The commits each GitHub deployment shipped, with the pull requests they came from.

Commits come from the compare API (``base...head``), paged so ranges beyond GitHub's
250-commit cap are complete. Pull requests are matched without one request per commit:
the closed-PR list maps each ``merge_commit_sha`` to its PR; a merge commit's second
parent leads to the PR's branch commits; a rebase merge's commits are the first-parent
run before its ``merge_commit_sha`` committed in the same second (GitHub rewrites them at
merge time); a squash or one-commit PR needs its own commit list for the first-commit time.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Executor
from datetime import datetime
from typing import Any

from ...records import Change
from ..rules import parse_optional_time as when
from ..rules import parse_time as at
from . import records as rec
from .client import GitHubApi
from .records import PullInfo

#: Placeholder owner for first-parent (mainline) commits while claiming branch commits.
_MAINLINE = PullInfo(0, None, None, ())


def _mainline(by_sha: dict[str, Any]) -> set[str]:
    """First-parent chains from the tips of the range: the default branch's own commits,
    which a merge's branch walk must not claim."""
    parents = {p["sha"] for c in by_sha.values() for p in c["parents"]}
    line: set[str] = set()
    for tip in (sha for sha in by_sha if sha not in parents):
        sha: str | None = tip
        while sha in by_sha and sha not in line:
            line.add(sha)
            first = by_sha[sha]["parents"]
            sha = first[0]["sha"] if first else None
    return line


class ChangeReader:
    """Compares deployments and attributes commits to pull requests for one source."""

    def __init__(self, api: GitHubApi, pool: Executor) -> None:
        self.api = api
        self.pool = pool

    def compare(self, repo: str, base: str, head: str) -> list[dict[str, Any]]:
        """Commits in ``head`` not in ``base``, oldest first, all pages (no 250 cap)."""
        commits: list[dict[str, Any]] = []
        url = f"/repos/{repo}/compare/{base}...{head}"
        for page in self.api.pages(url, {"page": 1}, what=f"{repo} compare"):
            if page.data["status"] == "behind":
                return []  # a rollback ships nothing new
            commits.extend(page.data["commits"])
        return commits

    def changes(
        self, repo: str, commits: list[dict[str, Any]], with_paths: bool = False
    ) -> list[Change]:
        """Canonical changes for ``commits``, with PR context and (optionally) paths."""
        if not commits:
            return []
        pulls = self._attribute(repo, commits)
        paths = self._paths(repo, [c["sha"] for c in commits]) if with_paths else {}
        return [
            rec.change(repo, c, pulls.get(c["sha"]), paths.get(c["sha"], ())) for c in commits
        ]

    # -- pull requests ---------------------------------------------------------------
    def _attribute(self, repo: str, commits: list[dict[str, Any]]) -> dict[str, PullInfo]:
        by_sha = {c["sha"]: c for c in commits}
        oldest = min(at(c["commit"]["committer"]["date"]) for c in commits)
        merged = self._merged_pulls(repo, oldest, set(by_sha))
        owner: dict[str, PullInfo] = {sha: _MAINLINE for sha in _mainline(by_sha)}
        for sha, pull in merged.items():
            owner[sha] = pull  # the merge, squash or last rebased commit itself
            head = by_sha[sha]
            parents = [p["sha"] for p in head["parents"]]
            if len(parents) > 1:
                self._claim_branch(parents[1:], by_sha, owner, pull)
            else:
                self._claim_rebased(head, by_sha, owner, pull)
        owner = {sha: p for sha, p in owner.items() if p is not _MAINLINE}
        for pull in {id(p): p for p in owner.values()}.values():
            pull.commits = [s for s, p in owner.items() if p is pull]
        self._first_commits(repo, owner, by_sha)
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

    @staticmethod
    def _claim_branch(
        start: list[str], by_sha: dict[str, Any], owner: dict[str, PullInfo], pull: PullInfo
    ) -> None:
        stack = list(start)
        while stack:
            sha = stack.pop()
            if sha in by_sha and sha not in owner:
                owner[sha] = pull
                stack.extend(p["sha"] for p in by_sha[sha]["parents"])

    @staticmethod
    def _claim_rebased(
        head: dict[str, Any], by_sha: dict[str, Any], owner: dict[str, PullInfo], pull: PullInfo
    ) -> None:
        stamp = head["commit"]["committer"]["date"]
        current = head
        while current["parents"]:
            prev = by_sha.get(current["parents"][0]["sha"])
            if (
                prev is None
                or owner.get(prev["sha"], _MAINLINE) is not _MAINLINE
                or len(prev["parents"]) > 1
                or prev["commit"]["committer"]["date"] != stamp
            ):
                return
            owner[prev["sha"]] = pull
            current = prev

    def _first_commits(self, repo: str, owner: dict[str, PullInfo], by_sha: dict[str, Any]) -> None:
        pulls = list({id(p): p for p in owner.values()}.values())
        lonely = [p for p in pulls if len(p.commits) == 1]
        for pull in pulls:
            own = [by_sha[s] for s in pull.commits if len(by_sha[s]["parents"]) < 2]
            times = [when(c["commit"]["author"]["date"]) for c in own]
            pull.first_commit_at = min((t for t in times if t), default=None)
        for pull, first in zip(
            lonely, self.pool.map(lambda p: self._pull_first(repo, p), lonely), strict=True
        ):
            pull.first_commit_at = first or pull.first_commit_at

    def _pull_first(self, repo: str, pull: PullInfo) -> datetime | None:
        """A squash (or one-commit) PR: its own commits hold the first-commit time."""
        page = self.api.get(
            f"/repos/{repo}/pulls/{pull.number}/commits",
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
