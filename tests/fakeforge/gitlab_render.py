"""Scenario objects rendered as GitLab REST v4 entities (``APIEntities*`` in GitLab's OpenAPI).

Projects, commits, merge requests (merge, squash or fast-forward rebase), releases, tags
and issues; CI objects are in :mod:`.gitlab_render_ci`. Unset values are ``null``, as
GitLab sends them, and every URL starts with the server's own root, so python-gitlab never
warns about foreign Link URLs.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from .scenario import Commit, Issue, Person, Pull, Release, Repo


#: GitHub-style deployment states → GitLab deployment status.
def z(value: datetime | None) -> str | None:
    """GitLab's UTC timestamp form: ``2016-08-11T11:32:35.444Z``."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def local(value: datetime) -> str:
    """Commit dates keep the author's offset, as GitLab shows them."""
    return value.isoformat(timespec="milliseconds")


def person_id(p: Person) -> int:
    return int(hashlib.sha1(p.email.encode()).hexdigest()[:6], 16)


def username(p: Person) -> str:
    """GitLab usernames cannot hold brackets: ``dependabot[bot]`` becomes ``dependabot-bot``."""
    login = p.login or p.email.split("@", 1)[0]
    return login.replace("[bot]", "-bot")


def user(root: str, p: Person | None) -> dict[str, Any] | None:
    if p is None:
        return None
    name = username(p)
    return {
        "id": person_id(p),
        "username": name,
        "name": p.name,
        "state": "active",
        "locked": False,
        "avatar_url": None,
        "web_url": f"{root}/{name}",
    }


def project_web(root: str, repo: Repo) -> str:
    return f"{root}/{repo.full_name}"


def namespace(root: str, repo: Repo, org_id: int) -> dict[str, Any]:
    path = repo.namespace
    return {
        "id": org_id if "/" not in path else org_id * 1000 + len(path),
        "name": path.rsplit("/", 1)[-1],
        "path": path.rsplit("/", 1)[-1],
        "kind": "group",
        "full_path": path,
        "parent_id": None,
        "avatar_url": None,
        "web_url": f"{root}/groups/{path}",
    }


def project(root: str, repo: Repo, org_id: int) -> dict[str, Any]:
    web = project_web(root, repo)
    created = z(repo.created_at or (repo.commits[0].committed_at if repo.commits else None))
    api = f"{root}/api/v4/projects/{repo.id}"
    return {
        "id": repo.id,
        "description": repo.description,
        "name": repo.name,
        "name_with_namespace": repo.full_name.replace("/", " / "),
        "path": repo.name,
        "path_with_namespace": repo.full_name,
        "created_at": created,
        "default_branch": repo.default_branch,
        "tag_list": [],
        "topics": [],
        "ssh_url_to_repo": f"git@127.0.0.1:{repo.full_name}.git",
        "http_url_to_repo": f"{web}.git",
        "web_url": web,
        "readme_url": None,
        "forks_count": 0,
        "avatar_url": None,
        "star_count": 0,
        "last_activity_at": created,
        "visibility": "private" if repo.private else "public",
        "namespace": namespace(root, repo, org_id),
        "empty_repo": not repo.commits,
        "archived": repo.archived,
        "_links": {
            "self": api,
            "issues": f"{api}/issues",
            "merge_requests": f"{api}/merge_requests",
            "repo_branches": f"{api}/repository/branches",
            "events": f"{api}/events",
        },
        "issues_enabled": True,
        "merge_requests_enabled": True,
        "jobs_enabled": True,
        "open_issues_count": sum(1 for i in repo.issues if i.state == "open"),
    }


def commit(root: str, repo: Repo, c: Commit) -> dict[str, Any]:
    title = c.message.split("\n", 1)[0]
    return {
        "id": c.sha,
        "short_id": c.sha[:8],
        "created_at": local(c.committed_at),
        "parent_ids": list(c.parents),
        "title": title,
        "message": c.message,
        "author_name": c.author.name,
        "author_email": c.author.email,
        "authored_date": local(c.authored_at),
        "committer_name": c.committer.name,
        "committer_email": c.committer.email,
        "committed_date": local(c.committed_at),
        "trailers": {},
        "extended_trailers": {},
        "web_url": f"{project_web(root, repo)}/-/commit/{c.sha}",
    }


def diff(path: str) -> dict[str, Any]:
    return {
        "old_path": path,
        "new_path": path,
        "a_mode": "100644",
        "b_mode": "100644",
        "diff": "@@ -1 +1 @@\n-old\n+new\n",
        "new_file": False,
        "renamed_file": False,
        "deleted_file": False,
    }


# -- merge requests ---------------------------------------------------------------------
def mr_state(p: Pull) -> str:
    return {"open": "opened"}.get(p.state, p.state)


def mr_commits(p: Pull) -> list[str]:
    """A fast-forward (rebase) MR's commits are the rebased ones that landed."""
    return list(p.landed) if p.merge_style == "rebase" and p.landed else list(p.commits)


def merge_request(root: str, repo: Repo, p: Pull) -> dict[str, Any]:
    merged = p.state == "merged"
    landed = p.landed[-1] if p.landed else None
    ref = f"!{p.number}"
    return {
        "id": p.id or repo.id * 100_000 + p.number,
        "iid": p.number,
        "project_id": repo.id,
        "title": p.title,
        "description": "",
        "state": mr_state(p),
        "created_at": z(p.created_at),
        "updated_at": z(p.updated_at),
        "merged_by": user(root, p.author) if merged else None,
        "merge_user": user(root, p.author) if merged else None,
        "merged_at": z(p.merged_at) if merged else None,
        "closed_by": None,
        "closed_at": z(p.closed_at) if p.state == "closed" else None,
        "target_branch": p.base,
        "source_branch": p.head_ref,
        "user_notes_count": 0,
        "upvotes": 0,
        "downvotes": 0,
        "author": user(root, p.author),
        "assignees": [],
        "assignee": None,
        "reviewers": [],
        "source_project_id": repo.id,
        "target_project_id": repo.id,
        "labels": list(p.labels),
        "draft": False,
        "work_in_progress": False,
        "milestone": None,
        "merge_when_pipeline_succeeds": False,
        "merge_status": "can_be_merged",
        "detailed_merge_status": "not_open" if p.state != "open" else "mergeable",
        "sha": (mr_commits(p) or [p.head_sha])[-1],
        "merge_commit_sha": landed if merged and p.merge_style == "merge" else None,
        "squash_commit_sha": landed if merged and p.merge_style == "squash" else None,
        "discussion_locked": None,
        "should_remove_source_branch": None,
        "force_remove_source_branch": False,
        "reference": ref,
        "references": {"short": ref, "relative": ref, "full": f"{repo.full_name}{ref}"},
        "web_url": f"{project_web(root, repo)}/-/merge_requests/{p.number}",
        "time_stats": {
            "time_estimate": 0,
            "total_time_spent": 0,
            "human_time_estimate": None,
            "human_total_time_spent": None,
        },
        "squash": p.merge_style == "squash",
        "squash_on_merge": p.merge_style == "squash",
        "task_completion_status": {"count": 0, "completed_count": 0},
        "has_conflicts": False,
        "blocking_discussions_resolved": True,
    }


# -- releases, tags, issues ---------------------------------------------------------------
def release_sha(repo: Repo, r: Release) -> str | None:
    tag = next((t for t in repo.tags if t.name == r.tag), None)
    return tag.sha if tag else repo.resolve(r.target)


def release(root: str, repo: Repo, r: Release) -> dict[str, Any]:
    sha = release_sha(repo, r)
    c = repo.commit(sha) if sha else None
    web = project_web(root, repo)
    return {
        "name": r.name,
        "tag_name": r.tag,
        "description": "",
        "created_at": z(r.created_at),
        "released_at": z(r.published_at or r.created_at),
        "upcoming_release": False,
        "description_html": "",
        "author": None,
        "commit": commit(root, repo, c) if c else None,
        "milestones": [],
        "commit_path": f"/{repo.full_name}/-/commit/{sha}",
        "tag_path": f"/{repo.full_name}/-/tags/{r.tag}",
        "assets": {"count": 0, "sources": [], "links": []},
        "evidences": [],
        "_links": {"self": f"{web}/-/releases/{r.tag}"},
    }


def tag(root: str, repo: Repo, name: str, sha: str) -> dict[str, Any]:
    c = repo.commit(sha)
    rel = next((r for r in repo.releases if r.tag == name), None)
    return {
        "name": name,
        "message": "",
        "target": sha,
        "commit": commit(root, repo, c) if c else None,
        "release": {"tag_name": name, "description": ""} if rel else None,
        "protected": False,
        "created_at": None,
    }


def issue(root: str, repo: Repo, i: Issue) -> dict[str, Any]:
    web = project_web(root, repo)
    api = f"{root}/api/v4/projects/{repo.id}/issues/{i.number}"
    ref = f"#{i.number}"
    return {
        "id": i.id or repo.id * 100_000 + i.number,
        "iid": i.number,
        "project_id": repo.id,
        "title": i.title,
        "description": "",
        "state": "opened" if i.state == "open" else "closed",
        "created_at": z(i.created_at),
        "updated_at": z(i.updated_at),
        "closed_at": z(i.closed_at),
        "closed_by": None,
        "labels": list(i.labels),
        "milestone": None,
        "assignees": [],
        "author": user(root, i.author),
        "type": i.issue_type.upper(),
        "assignee": None,
        "user_notes_count": 0,
        "merge_requests_count": 0,
        "upvotes": 0,
        "downvotes": 0,
        "due_date": None,
        "confidential": False,
        "discussion_locked": None,
        "issue_type": i.issue_type,
        "web_url": f"{web}/-/issues/{i.number}",
        "time_stats": {
            "time_estimate": 0,
            "total_time_spent": 0,
            "human_time_estimate": None,
            "human_total_time_spent": None,
        },
        "task_completion_status": {"count": 0, "completed_count": 0},
        "has_tasks": False,
        "_links": {
            "self": api,
            "notes": f"{api}/notes",
            "project": f"{root}/api/v4/projects/{repo.id}",
        },
        "references": {"short": ref, "relative": ref, "full": f"{repo.full_name}{ref}"},
        "severity": "UNKNOWN",
        "subscribed": False,
        "moved_to_id": None,
        "service_desk_reply_to": None,
    }
