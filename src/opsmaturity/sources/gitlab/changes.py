"""Which commits a GitLab deployment shipped, with their merge-request context.

A change is every commit a deployment shipped that the previous successful deployment to
the same environment had not (issue 4): merge commits, squash commits and direct pushes
included, as the GitHub source counts them. So when the previous SHA is known the commit
list is ``compare`` (``from...to``; one request, uncapped for an authenticated caller),
and merge requests only add context (iid, labels, opened/merged times, first-commit
time): the deployment's own MRs (``/deployments/:id/merge_requests``, what GitLab's DORA
uses), or, for pipelines/releases/tags and deployments GitLab linked no MR to, the merged
MRs whose merge, squash or head SHA is in the range. A squash commit belongs to its MR;
a commit no MR claims is a direct push, kept without MR context. A deployment with no
predecessor has nothing to compare with: its changes are its MRs' commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ...records import Change
from . import records as rec
from .client import GitLabAPI, encode

#: How far before the earliest deployment to look for merged MRs when resolving a range.
MR_LOOKBACK = timedelta(days=7)
#: The MR fields whose SHA lands it on the target branch (merge, squash, fast-forward head).
LANDING = ("merge_commit_sha", "squash_commit_sha", "sha")


class ChangeResolver:
    """Per-repository resolver; caches MR commits so each MR costs one listing."""

    def __init__(self, api: GitLabAPI, repository: str, *, want_paths: bool = False) -> None:
        self.api = api
        self.repository = repository
        self.project = f"/projects/{encode(repository)}"
        self.want_paths = want_paths
        self._commits: dict[int, list[dict[str, Any]]] = {}
        self._first: dict[int, datetime | None] = {}
        self._index: dict[str, dict[str, Any]] | None = None

    def of_deployment(self, deployment_id: str) -> list[Change]:
        """Changes of the MRs GitLab linked to a deployment (empty when none): the only
        view of a deployment without a predecessor to compare with."""
        out: list[Change] = []
        for mr in self._linked(deployment_id):
            commits = self._mr_commits(mr)
            out.extend(self._change(c, mr) for c in reversed(commits))  # newest first
        return _unique(out)

    def of_range(
        self, base: str, head: str, since: datetime, deployment_id: str | None = None
    ) -> list[Change]:
        """Every commit in ``base...head``, oldest first, with MR context: from the
        deployment's linked MRs when given and any, else from merged MRs (after
        ``since − 7 days``) that landed in the range."""
        commits = self.compare(base, head)
        if not commits:
            return []
        mrs = self._linked(deployment_id) if deployment_id else []
        if not mrs:
            index = self._mr_index(since - MR_LOOKBACK)
            mrs = list({id(m): m for c in commits if (m := index.get(c["id"]))}.values())
        owner: dict[str, dict[str, Any]] = {}
        for mr in mrs:
            owner.update({c["id"]: mr for c in self._mr_commits(mr)})
            owner.update({mr[k]: mr for k in LANDING if mr.get(k)})
        return [self._change(c, owner.get(c["id"])) for c in commits]

    def compare(self, base: str, head: str) -> list[dict[str, Any]]:
        """Commits reachable from ``head`` and not from ``base`` (none after a rollback)."""
        body = self.api.get(
            f"{self.project}/repository/compare",
            f"compare {base[:8]}..{head[:8]}",
            **{"from": base, "to": head},
        )
        return list(body.get("commits") or [])

    # -- helpers ----------------------------------------------------------------------
    def _linked(self, deployment_id: str) -> list[dict[str, Any]]:
        path = f"{self.project}/deployments/{deployment_id}/merge_requests"
        return list(self.api.iter(path, f"merge requests of deployment {deployment_id}"))

    def _mr_commits(self, mr: dict[str, Any]) -> list[dict[str, Any]]:
        iid = int(mr["iid"])
        if iid not in self._commits:
            path = f"{self.project}/merge_requests/{iid}/commits"
            self._commits[iid] = list(self.api.iter(path, f"commits of merge request !{iid}"))
        return self._commits[iid]

    def _first_commit(self, mr: dict[str, Any]) -> datetime | None:
        """The MR's earliest authored commit (for a squash MR, before squashing)."""
        iid = int(mr["iid"])
        if iid not in self._first:
            stamps = [rec.when(x.get("authored_date")) for x in self._mr_commits(mr)]
            self._first[iid] = min((s for s in stamps if s is not None), default=None)
        return self._first[iid]

    def _change(self, c: dict[str, Any], mr: dict[str, Any] | None) -> Change:
        first = self._first_commit(mr) if mr is not None else None
        return rec.change(self.repository, c, mr, first, self._paths(c["id"]))

    def _paths(self, sha: str) -> tuple[str, ...]:
        """Files a commit touched — fetched only for monorepos, where teams claim paths."""
        if not self.want_paths:
            return ()
        path = f"{self.project}/repository/commits/{sha}/diff"
        files: set[str] = set()
        for d in self.api.iter(path, f"files of commit {sha[:8]}"):
            files.update(p for p in (d.get("old_path"), d.get("new_path")) if p)
        return tuple(sorted(files))

    def _mr_index(self, merged_after: datetime) -> dict[str, dict[str, Any]]:
        """Merged MRs by the SHAs that land them: merge, squash, and head (fast-forward)."""
        if self._index is None:
            self._index = {}
            mrs = self.api.iter(
                f"{self.project}/merge_requests",
                "merge requests",
                state="merged",
                merged_after=merged_after.isoformat(),
            )
            for mr in mrs:
                self._index.update({mr[k]: mr for k in LANDING if mr.get(k)})
        return self._index


def _unique(changes: list[Change]) -> list[Change]:
    seen: dict[str, Change] = {}
    for c in changes:
        seen.setdefault(c.sha, c)
    return list(seen.values())
