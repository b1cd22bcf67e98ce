"""Which commits a GitLab deployment shipped, with their merge-request context.

A change is every commit a deployment shipped that the previous successful deployment to
the same environment had not: merge commits, squash commits and direct pushes included,
as the GitHub source counts them. Why not a compare (and a merge-request list) per
deployment: that costs two or more requests per deployment. Instead the default branch's
history is listed once per project (``/repository/commits?ref_name=&since=``, pages of 100,
with ``parent_ids``) and each deployment's commits come from the
:class:`~..commit_graph.CommitGraph` (git's ``previous..new``). A deployed SHA the listing
lacks is added by one compare against the listed tip; only a SHA GitLab no longer has
(force-push) is a note.

Merge requests come from one list of the project's merged MRs (``merged_after`` the
history's start): the SHA that landed each one — ``merge_commit_sha``, else
``squash_commit_sha``, else ``sha`` (fast-forward) — and :mod:`..attribution` finds the
rest in the graph. A squash keeps no trace of its branch, so its first commit needs the
MR's commit list: fetched only when ``first_commits`` is asked for (``lead_time_start:
first_commit``). A commit no MR claims is a direct push, kept without MR context.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ...errors import NotFound
from ...records import Change
from ..attribution import attribute, first_authored
from ..commit_graph import CommitGraph, GraphCommit
from ..shipped import ADDED, GONE, OLDER
from . import records as rec
from .client import GitLabAPI, encode

#: How far before the earliest deployment the history is read: a branch merged after it
#: may hold commits written before it (older ones would be missed; see docs/sources.md).
HISTORY_MARGIN = timedelta(days=7)


class ChangeReader:
    """Per-project reader: the history once, merged MRs once, changes from the graph."""

    def __init__(
        self,
        api: GitLabAPI,
        repository: str,
        *,
        want_paths: bool = False,
        first_commits: bool = True,
    ) -> None:
        self.api = api
        self.repository = repository
        self.project = f"/projects/{encode(repository)}"
        self.want_paths = want_paths
        self.first_commits = first_commits

    # -- history ---------------------------------------------------------------------
    def history(self, tips: list[str], since: datetime) -> tuple[CommitGraph, str | None]:
        """The history from the first of ``tips`` (newest deployed SHAs first) GitLab can
        list, back to ``since``; with the tip used (None when none could be listed)."""
        for tip in tips:
            graph = CommitGraph()
            try:
                items = self.api.iter(
                    f"{self.project}/repository/commits",
                    "commits",
                    ref_name=tip,
                    since=since.isoformat(),
                )
                graph.add(rec.graph_commit(c) for c in items)
            except NotFound:
                continue  # a force-pushed SHA: try the next deployed one
            return graph, tip
        return CommitGraph(), None

    def extend(self, graph: CommitGraph, tip: str | None, sha: str) -> str:
        """Add to ``graph`` the commits of ``sha`` that ``tip``'s history lacks, by one
        compare. Returns ``added``; ``older`` when ``sha`` is an ancestor older than the
        history read; ``gone`` when GitLab no longer has it (force-push)."""
        if tip is None:
            return GONE
        try:
            ahead = self.compare(tip, sha)
        except NotFound:
            return GONE
        graph.add(rec.graph_commit(c) for c in reversed(ahead))
        return ADDED if sha in graph else OLDER

    def compare(self, base: str, head: str) -> list[dict[str, Any]]:
        """Commits reachable from ``head`` and not from ``base``, oldest first (none
        after a rollback)."""
        body = self.api.get(
            f"{self.project}/repository/compare",
            f"compare {base[:8]}..{head[:8]}",
            **{"from": base, "to": head},
        )
        return list(body.get("commits") or [])

    # -- changes ---------------------------------------------------------------------
    def changes(self, commits: list[GraphCommit], merged_after: datetime) -> list[Change]:
        """Canonical changes for ``commits``, with MR context and (monorepos) paths."""
        if not commits:
            return []
        owner = attribute(commits, self._landed({c.sha for c in commits}, merged_after))
        first = first_authored(owner, commits)
        if self.first_commits:
            self._squashed_firsts(owner, first)
        return [
            rec.change(
                self.repository,
                c,
                owner.get(c.sha),
                first.get(id(owner[c.sha])) if c.sha in owner else None,
                self._paths(c.sha),
            )
            for c in commits
        ]

    def _landed(self, shas: set[str], merged_after: datetime) -> dict[str, dict[str, Any]]:
        """Merged MRs by the one SHA that landed each: the merge commit, else the squash
        commit, else the head (fast-forward); only those among ``shas``."""
        landed: dict[str, dict[str, Any]] = {}
        mrs = self.api.iter(
            f"{self.project}/merge_requests",
            "merge requests",
            state="merged",
            merged_after=merged_after.isoformat(),
        )
        for mr in mrs:
            sha = mr.get("merge_commit_sha") or mr.get("squash_commit_sha") or mr.get("sha")
            if sha in shas:
                landed[sha] = mr
        return landed

    def _squashed_firsts(
        self, owner: dict[str, dict[str, Any]], first: dict[int, datetime]
    ) -> None:
        """A squash MR's first commit is in its own commit list (one request per MR)."""
        for mr in {id(m): m for m in owner.values()}.values():
            if mr.get("squash_commit_sha") and mr.get("squash_commit_sha") in owner:
                path = f"{self.project}/merge_requests/{int(mr['iid'])}/commits"
                stamps = [
                    rec.when(x.get("authored_date"))
                    for x in self.api.iter(path, f"commits of merge request !{mr['iid']}")
                ]
                found = min((s for s in stamps if s is not None), default=None)
                if found is not None:
                    first[id(mr)] = min(found, first.get(id(mr), found))

    def _paths(self, sha: str) -> tuple[str, ...]:
        """Files a commit touched — fetched only for monorepos, where teams claim paths."""
        if not self.want_paths:
            return ()
        path = f"{self.project}/repository/commits/{sha}/diff"
        files: set[str] = set()
        for d in self.api.iter(path, f"files of commit {sha[:8]}"):
            files.update(p for p in (d.get("old_path"), d.get("new_path")) if p)
        return tuple(sorted(files))
