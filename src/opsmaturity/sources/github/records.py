"""Pure translations from GitHub REST v3 JSON to canonical records (no I/O here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from re import Pattern
from typing import Any

from ...records import Change, Deployment, DeploymentStatus, Detection, Incident, Repository
from ..commit_graph import GraphCommit
from ..rules import is_bot_work, reverted_sha
from ..rules import parse_optional_time as when
from ..rules import parse_time as at

#: Deployment status states that end an attempt (``inactive`` only marks a superseded one).
FINAL_STATES = {
    "success": DeploymentStatus.SUCCESS,
    "failure": DeploymentStatus.FAILURE,
    "error": DeploymentStatus.ERROR,
}
RUN_CONCLUSIONS = {"success": DeploymentStatus.SUCCESS, "failure": DeploymentStatus.FAILURE}
REPOSITORY_FIELDS = ("full_name", "default_branch", "archived", "html_url")


@dataclass
class PullInfo:
    """The pull request a commit came through, as the changes need it."""

    number: int
    opened_at: datetime | None
    merged_at: datetime | None
    labels: tuple[str, ...]
    author: str | None = None
    """Login of the user who opened it (a bot's PR makes all its commits bot work)."""
    first_commit_at: datetime | None = None
    commits: list[str] = field(default_factory=list)


def repository(r: dict[str, Any]) -> Repository:
    return Repository(
        r["full_name"],
        r.get("default_branch") or "main",
        bool(r.get("archived")),
        r.get("html_url") or "",
    )


def repository_fields(r: dict[str, Any]) -> dict[str, Any]:
    """The fields a repository checkpoint keeps (enough to rebuild :func:`repository`)."""
    return {k: r.get(k) for k in REPOSITORY_FIELDS}


def deployment_attempt(
    repo: str, d: dict[str, Any], statuses: list[dict[str, Any]]
) -> Deployment | None:
    """A Deployments-API deployment from its statuses (newest first), ignoring
    ``inactive`` (GitHub adds it to a superseded success; it must not uncount it).
    Unfinished → None."""
    states = [s for s in statuses if s["state"] != "inactive"]
    if not states or states[0]["state"] not in FINAL_STATES:
        return None
    return Deployment(
        id=str(d["id"]),
        repository=repo,
        environment=d["environment"],
        sha=d["sha"],
        created_at=at(d["created_at"]),
        finished_at=at(states[0]["created_at"]),
        status=FINAL_STATES[states[0]["state"]],
        detection=Detection.DEPLOYMENT,
    )


def run_deployment(repo: str, run: dict[str, Any]) -> Deployment | None:
    """A completed deploy workflow run; other conclusions (cancelled, skipped) → None."""
    status = RUN_CONCLUSIONS.get(run.get("conclusion") or "")
    if status is None:
        return None
    return Deployment(
        id=f"run:{run['id']}",
        repository=repo,
        environment="production",
        sha=run["head_sha"],
        created_at=at(run["created_at"]),
        finished_at=when(run["updated_at"]),
        status=status,
        detection=Detection.WORKFLOW_RUN,
    )


def release_deployment(repo: str, r: dict[str, Any], sha: str) -> Deployment:
    return Deployment(
        id=f"release:{r['tag_name']}",
        repository=repo,
        environment="production",
        sha=sha,
        created_at=at(r["created_at"]),
        finished_at=at(r["published_at"]),
        status=DeploymentStatus.SUCCESS,
        detection=Detection.RELEASE,
    )


def tag_deployment(repo: str, name: str, sha: str, committed: str) -> Deployment:
    """A tag has no date of its own: the tagged commit's committer time stands for it."""
    stamp_at = at(committed)
    return Deployment(
        id=f"tag:{name}",
        repository=repo,
        environment="production",
        sha=sha,
        created_at=stamp_at,
        finished_at=stamp_at,
        status=DeploymentStatus.SUCCESS,
        detection=Detection.TAG,
    )


def pull_info(p: dict[str, Any]) -> PullInfo:
    return PullInfo(
        p["number"],
        when(p["created_at"]),
        when(p["merged_at"]),
        tuple(label["name"] for label in p.get("labels", [])),
        author=(p.get("user") or {}).get("login"),
    )


def graph_commit(c: dict[str, Any]) -> GraphCommit:
    """A REST commit (commit list, compare) as the forge-neutral graph holds it."""
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


def change(repo: str, c: GraphCommit, pull: PullInfo | None, paths: tuple[str, ...]) -> Change:
    """A shipped commit, with its pull request's context when it had one."""
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


def labels(issue: dict[str, Any]) -> tuple[str, ...]:
    return tuple(
        label["name"] if isinstance(label, dict) else str(label)
        for label in issue.get("labels", [])
    )


def incident(repo: str, issue: dict[str, Any], severity_prefix: str) -> Incident:
    """An incident issue; its severity is the first label starting with ``severity_prefix``."""
    names = labels(issue)
    closed = when(issue.get("closed_at"))
    return Incident(
        id=str(issue["number"]),
        repository=repo,
        title=issue.get("title", ""),
        created_at=at(issue["created_at"]),
        resolved_at=closed if issue["state"] == "closed" else None,
        labels=names,
        severity=next((n for n in names if n.lower().startswith(severity_prefix)), None),
    )


def is_incident(
    issue: dict[str, Any], incident_labels: set[str], title: Pattern[str] | None
) -> bool:
    """An issue (not a pull request: GitHub lists both) with an incident label or title."""
    if "pull_request" in issue:
        return False
    by_label = any(n.lower() in incident_labels for n in labels(issue))
    return by_label or bool(title and title.search(issue.get("title", "")))
