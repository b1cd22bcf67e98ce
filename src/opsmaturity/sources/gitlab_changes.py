"""Which commits a GitLab deployment shipped, with their merge-request context.

Two ways, as issue 6 describes: the deployment's own merge requests
(``/deployments/:id/merge_requests``, what GitLab's DORA uses) and their commits; or, for
pipelines/releases/tags and deployments without linked MRs, ``compare`` between
consecutive successful deployments. Either way a squash commit is replaced by the
commits of the MR it squashed, so lead time starts at the work's real author time, and a
merge commit (bookkeeping) is not a change of its own.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..records import Change
from . import gitlab_records as rec
from .gitlab_api import GitLabAPI, encode

#: How far before the earliest deployment to look for merged MRs when resolving a range.
MR_LOOKBACK = timedelta(days=7)


class ChangeResolver:
    """Per-repository resolver; caches MR commits so each MR costs one listing."""

    def __init__(self, api: GitLabAPI, repository: str, *, want_paths: bool = False) -> None:
        self.api = api
        self.repository = repository
        self.project = f"/projects/{encode(repository)}"
        self.want_paths = want_paths
        self._commits: dict[int, list[dict[str, Any]]] = {}
        self._index: dict[str, dict[str, Any]] | None = None

    def of_deployment(self, deployment_id: str) -> list[Change]:
        """Changes of the MRs GitLab linked to a deployment (empty when none)."""
        path = f"{self.project}/deployments/{deployment_id}/merge_requests"
        out: list[Change] = []
        for mr in self.api.iter(path, f"merge requests of deployment {deployment_id}"):
            out.extend(self._mr_changes(mr))
        return _unique(out)

    def of_range(self, base: str, head: str, since: datetime) -> list[Change]:
        """Changes in ``base..head``; MRs merged after ``since − 7 days`` give context."""
        body = self.api.get(
            f"{self.project}/repository/compare",
            f"compare {base[:8]}..{head[:8]}",
            **{"from": base, "to": head},
        )
        commits: list[dict[str, Any]] = body.get("commits") or []
        index = self._mr_index(since - MR_LOOKBACK)
        claimed: dict[str, dict[str, Any]] = {}
        for c in commits:
            mr = index.get(c["id"])
            if mr is not None:
                claimed.update({mc["id"]: mr for mc in self._mr_commits(mr)})
        out: list[Change] = []
        for c in commits:
            mr = index.get(c["id"])
            if mr is not None and c["id"] == mr.get("squash_commit_sha"):
                out.extend(self._mr_changes(mr))
            elif mr is not None and c["id"] == mr.get("merge_commit_sha"):
                continue
            else:
                owner = claimed.get(c["id"])
                out.append(self._change(c, owner))
        return _unique(out)

    # -- helpers ----------------------------------------------------------------------
    def _mr_commits(self, mr: dict[str, Any]) -> list[dict[str, Any]]:
        iid = int(mr["iid"])
        if iid not in self._commits:
            path = f"{self.project}/merge_requests/{iid}/commits"
            self._commits[iid] = list(self.api.iter(path, f"commits of merge request !{iid}"))
        return self._commits[iid]

    def _mr_changes(self, mr: dict[str, Any]) -> list[Change]:
        commits = self._mr_commits(mr)
        return [self._change(c, mr) for c in reversed(commits)]  # GitLab lists newest first

    def _change(self, c: dict[str, Any], mr: dict[str, Any] | None) -> Change:
        first = None
        if mr is not None:
            stamps = [rec.when(x.get("authored_date")) for x in self._mr_commits(mr)]
            first = min((s for s in stamps if s is not None), default=None)
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
                for key in ("sha", "merge_commit_sha", "squash_commit_sha"):
                    if mr.get(key):
                        self._index[mr[key]] = mr
        return self._index


def _unique(changes: list[Change]) -> list[Change]:
    seen: dict[str, Change] = {}
    for c in changes:
        seen.setdefault(c.sha, c)
    return list(seen.values())
