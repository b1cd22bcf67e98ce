"""GitHub REST bodies for work items: pull requests, issues, workflows and runs.

A mixin of :class:`~.github_render.GitHubRender`, split out to keep modules small.
"""

from __future__ import annotations

from typing import Any

from .github_common import EPOCH, HTML, id_of, node_id, ts
from .scenario import Issue, Org, Pull, Repo, Run, Workflow


class WorkRender:
    """Needs ``api``, ``ts``-style helpers and ``user``/``person``/``minimal_repo``."""

    api: str

    def label(self, repo: Repo, name: str) -> dict[str, Any]:
        return {
            "id": id_of(f"{repo.full_name}:{name}"),
            "node_id": node_id("LA", f"{repo.full_name}:{name}"),
            "url": f"{self.api}/repos/{repo.full_name}/labels/{name}",
            "name": name,
            "description": "",
            "color": "ededed",
            "default": False,
        }

    def reactions(self, url: str) -> dict[str, Any]:
        keys = ("+1", "-1", "laugh", "confused", "heart", "hooray", "eyes", "rocket")
        return {"url": f"{url}/reactions", "total_count": 0, **dict.fromkeys(keys, 0)}

    def pull(self, repo: Repo, org: Org, p: Pull, full: bool = False) -> dict[str, Any]:
        base = f"{self.api}/repos/{repo.full_name}"
        url = f"{base}/pulls/{p.number}"
        issue_url = f"{base}/issues/{p.number}"
        html = f"{HTML}/{repo.full_name}/pull/{p.number}"
        repo_json = self.minimal_repo(repo, org)
        state = "open" if p.state == "open" else "closed"

        def side(ref: str, sha: str) -> dict[str, Any]:
            return {
                "label": f"{org.name}:{ref}",
                "ref": ref,
                "sha": sha,
                "user": self.user(org.name, "Organization"),
                "repo": repo_json,
            }

        base_sha = repo.branches.get(p.base, "")
        out: dict[str, Any] = {
            "url": url,
            "id": p.id or p.number,
            "node_id": node_id("PR", f"{repo.full_name}#{p.number}"),
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "issue_url": issue_url,
            "commits_url": f"{url}/commits",
            "review_comments_url": f"{url}/comments",
            "review_comment_url": f"{base}/pulls/comments{{/number}}",
            "comments_url": f"{issue_url}/comments",
            "statuses_url": f"{base}/statuses/{p.head_sha}",
            "number": p.number,
            "state": state,
            "locked": False,
            "title": p.title,
            "user": self.person(p.author),
            "body": None,
            "labels": [self.label(repo, n) for n in p.labels],
            "milestone": None,
            "active_lock_reason": None,
            "created_at": ts(p.created_at),
            "updated_at": ts(p.updated_at),
            "closed_at": ts(p.closed_at),
            "merged_at": ts(p.merged_at),
            "merge_commit_sha": p.merge_commit_sha,
            "assignee": None,
            "assignees": [],
            "requested_reviewers": [],
            "requested_teams": [],
            "head": side(p.head_ref, p.head_sha),
            "base": side(p.base, base_sha),
            "_links": {
                k: {"href": v}
                for k, v in {
                    "self": url,
                    "html": html,
                    "issue": issue_url,
                    "comments": f"{issue_url}/comments",
                    "review_comments": f"{url}/comments",
                    "review_comment": f"{base}/pulls/comments{{/number}}",
                    "commits": f"{url}/commits",
                    "statuses": f"{base}/statuses/{p.head_sha}",
                }.items()
            },
            "author_association": "MEMBER",
            "auto_merge": None,
            "draft": False,
        }
        if full:
            out.update(
                {
                    "merged": p.merged_at is not None,
                    "mergeable": None,
                    "rebaseable": None,
                    "mergeable_state": "unknown",
                    "merged_by": self.user("ada") if p.merged_at else None,
                    "comments": 0,
                    "review_comments": 0,
                    "maintainer_can_modify": False,
                    "commits": len(p.commits),
                    "additions": len(p.commits),
                    "deletions": 0,
                    "changed_files": len(p.commits),
                }
            )
        return out

    def issue(self, repo: Repo, i: Issue | Pull) -> dict[str, Any]:
        base = f"{self.api}/repos/{repo.full_name}"
        url = f"{base}/issues/{i.number}"
        is_pull = isinstance(i, Pull)
        closed = i.state != "open"
        out: dict[str, Any] = {
            "id": i.id or i.number,
            "node_id": node_id("I", f"{repo.full_name}#{i.number}"),
            "url": url,
            "repository_url": base,
            "labels_url": f"{url}/labels{{/name}}",
            "comments_url": f"{url}/comments",
            "events_url": f"{url}/events",
            "html_url": f"{HTML}/{repo.full_name}/{'pull' if is_pull else 'issues'}/{i.number}",
            "number": i.number,
            "state": "closed" if closed else "open",
            "title": i.title,
            "body": None,
            "user": self.person(i.author),
            "labels": [self.label(repo, n) for n in i.labels],
            "assignee": None,
            "assignees": [],
            "milestone": None,
            "locked": False,
            "active_lock_reason": None,
            "comments": 0,
            "closed_at": ts(i.closed_at),
            "created_at": ts(i.created_at),
            "updated_at": ts(i.updated_at),
            "closed_by": None,
            "author_association": "MEMBER",
            "draft": False,
            "timeline_url": f"{url}/timeline",
            "performed_via_github_app": None,
            "reactions": self.reactions(url),
            "type": None,
        }
        if closed:
            # Open issues carry ``state_reason: null`` on github.com, but the spec's enum has
            # no null, so the fake omits it there (nothing here reads it on open issues).
            out["state_reason"] = "completed"
        if isinstance(i, Pull):
            html = f"{HTML}/{repo.full_name}/pull/{i.number}"
            out["pull_request"] = {
                "url": f"{base}/pulls/{i.number}",
                "html_url": html,
                "diff_url": f"{html}.diff",
                "patch_url": f"{html}.patch",
                "merged_at": ts(i.merged_at),
            }
        elif i.issue_type == "incident":
            out["type"] = {
                "id": 3,
                "node_id": "IT_incident",
                "name": "Incident",
                "description": "A production incident",
                "color": "red",
                "created_at": ts(EPOCH),
                "updated_at": ts(EPOCH),
                "is_enabled": True,
            }
        return out

    def workflow(self, repo: Repo, wf: Workflow) -> dict[str, Any]:
        return {
            "id": wf.id,
            "node_id": node_id("W", wf.id),
            "name": wf.name,
            "path": wf.path,
            "state": wf.state,
            "created_at": ts(repo.created_at or EPOCH),
            "updated_at": ts(repo.created_at or EPOCH),
            "url": f"{self.api}/repos/{repo.full_name}/actions/workflows/{wf.id}",
            "html_url": f"{HTML}/{repo.full_name}/blob/main/{wf.path}",
            "badge_url": f"{HTML}/{repo.full_name}/workflows/{wf.name}/badge.svg",
        }

    def run(self, repo: Repo, org: Org, run: Run) -> dict[str, Any]:
        base = f"{self.api}/repos/{repo.full_name}"
        url = f"{base}/actions/runs/{run.id}"
        c = repo.commit(run.head_sha)
        repo_json = self.minimal_repo(repo, org)
        return {
            "id": run.id,
            "name": run.name,
            "node_id": node_id("WFR", run.id),
            "check_suite_id": run.id + 1,
            "check_suite_node_id": node_id("CS", run.id),
            "head_branch": run.branch,
            "head_sha": run.head_sha,
            "path": run.path,
            "display_title": c.message.splitlines()[0] if c else run.name,
            "run_number": run.run_number,
            "run_attempt": 1,
            "event": run.event,
            "status": run.status,
            "conclusion": run.conclusion,
            "workflow_id": run.workflow_id,
            "url": url,
            "html_url": f"{HTML}/{repo.full_name}/actions/runs/{run.id}",
            "pull_requests": [],
            "referenced_workflows": [],
            "created_at": ts(run.created_at),
            "updated_at": ts(run.updated_at),
            "run_started_at": ts(run.created_at),
            "actor": self.user("ada"),
            "triggering_actor": self.user("ada"),
            "jobs_url": f"{url}/jobs",
            "logs_url": f"{url}/logs",
            "check_suite_url": f"{base}/check-suites/{run.id + 1}",
            "artifacts_url": f"{url}/artifacts",
            "cancel_url": f"{url}/cancel",
            "rerun_url": f"{url}/rerun",
            "previous_attempt_url": None,
            "workflow_url": f"{base}/actions/workflows/{run.workflow_id}",
            "head_commit": None
            if c is None
            else {
                "id": c.sha,
                "tree_id": c.sha[::-1],
                "message": c.message,
                "timestamp": ts(c.committed_at),
                "author": {"name": c.author.name, "email": c.author.email},
                "committer": {"name": c.committer.name, "email": c.committer.email},
            },
            "repository": repo_json,
            "head_repository": repo_json,
            "head_repository_id": repo.id,
        }
