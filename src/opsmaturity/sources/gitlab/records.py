"""Pure translations from GitLab REST v4 JSON to canonical records (no I/O here)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ...records import (
    Change,
    Deployment,
    DeploymentStatus,
    Detection,
    Incident,
    Repository,
)
from ..commit_graph import GraphCommit
from ..rules import is_bot, is_bot_work, reverted_sha
from ..rules import parse_optional_time as when

#: GitLab deployment/job status → ours; anything else (created, running...) is not final.
STATUS = {
    "success": DeploymentStatus.SUCCESS,
    "failed": DeploymentStatus.FAILURE,
    "canceled": DeploymentStatus.CANCELLED,
}
SEVERITY_LEVELS = ("CRITICAL", "HIGH", "MEDIUM", "LOW")


def repository(p: dict[str, Any]) -> Repository:
    return Repository(
        full_name=p["path_with_namespace"],
        default_branch=p.get("default_branch") or "main",
        archived=bool(p.get("archived")),
        url=p.get("web_url") or "",
    )


def deployment(repo: str, d: dict[str, Any], production: bool = True) -> Deployment | None:
    """A Deployments-API deployment, or None while it is not finished."""
    status = STATUS.get(d.get("status") or "")
    if status is None:
        return None
    job = d.get("deployable") or {}
    finished = when(job.get("finished_at")) or when(d.get("updated_at"))
    return Deployment(
        id=str(d["id"]),
        repository=repo,
        environment=(d.get("environment") or {}).get("name", ""),
        sha=d["sha"],
        created_at=when(d["created_at"]),  # type: ignore[arg-type]
        finished_at=finished,
        status=status,
        detection=Detection.DEPLOYMENT,
        is_production=production,
    )


def pipeline_deployment(
    repo: str, pipeline: dict[str, Any], job: dict[str, Any]
) -> Deployment | None:
    """A pipeline whose deploy job finished: the job's outcome and times."""
    status = STATUS.get(job.get("status") or "")
    if status is None:
        return None
    return Deployment(
        id=str(pipeline["id"]),
        repository=repo,
        environment="production",
        sha=pipeline["sha"],
        created_at=when(job.get("created_at") or pipeline["created_at"]),  # type: ignore[arg-type]
        finished_at=when(job.get("finished_at")) or when(pipeline.get("updated_at")),
        status=status,
        detection=Detection.PIPELINE,
    )


def release_deployment(repo: str, r: dict[str, Any]) -> Deployment | None:
    at = when(r.get("released_at") or r.get("created_at"))
    sha = (r.get("commit") or {}).get("id")
    if at is None or not sha:
        return None
    return Deployment(
        str(r["tag_name"]),
        repo,
        "production",
        sha,
        at,
        at,
        DeploymentStatus.SUCCESS,
        Detection.RELEASE,
    )


def tag_deployment(repo: str, t: dict[str, Any]) -> Deployment | None:
    c = t.get("commit") or {}
    at = when(t.get("created_at") or c.get("committed_date"))
    if at is None or not c.get("id"):
        return None
    return Deployment(
        str(t["name"]), repo, "production", c["id"], at, at, DeploymentStatus.SUCCESS, Detection.TAG
    )


def graph_commit(c: dict[str, Any]) -> GraphCommit:
    """A REST commit (commit list, compare) as the forge-neutral graph holds it."""
    return GraphCommit(
        sha=c["id"],
        parents=tuple(c.get("parent_ids") or ()),
        authored_at=when(c.get("authored_date") or c.get("created_at")),  # type: ignore[arg-type]
        committed_at=when(c.get("committed_date") or c.get("created_at")),  # type: ignore[arg-type]
        author_name=c.get("author_name") or "",
        author_email=c.get("author_email") or "",
        message=c.get("message") or c.get("title") or "",
    )


def change(
    repo: str,
    c: GraphCommit,
    mr: dict[str, Any] | None = None,
    first_commit_at: datetime | None = None,
    paths: tuple[str, ...] = (),
) -> Change:
    """A shipped commit, with its merge request's context when it came through one."""
    author = c.author_name
    mr_author = ((mr or {}).get("author") or {}).get("username")
    return Change(
        repository=repo,
        sha=c.sha,
        authored_at=c.authored_at,
        committed_at=c.committed_at,
        author=mr_author if mr_author and not is_bot(author, c.author_email) else author,
        is_bot=is_bot_work((author, c.author_email), mr_author),
        message=c.message[:1000],
        reverts=reverted_sha(c.message),
        parents=c.parents,
        pr_number=mr["iid"] if mr else None,
        pr_opened_at=when(mr.get("created_at")) if mr else None,
        pr_merged_at=when(mr.get("merged_at")) if mr else None,
        pr_first_commit_at=first_commit_at,
        pr_labels=tuple(mr.get("labels") or ()) if mr else (),
        paths=paths,
    )


def severity(issue: dict[str, Any], prefix: str) -> str | None:
    """GitLab's incident severity, else a label like ``sev1``/``SEV-2``/``severity::1``."""
    level = (issue.get("severity") or "").upper()
    if level in SEVERITY_LEVELS:
        return level
    for label in issue.get("labels") or ():
        if prefix and label.lower().startswith(prefix.lower()):
            return label
    return None


def incident(repo: str, issue: dict[str, Any], severity_prefix: str) -> Incident:
    return Incident(
        id=str(issue["iid"]),
        repository=repo,
        title=issue.get("title") or "",
        created_at=when(issue["created_at"]),  # type: ignore[arg-type]
        resolved_at=when(issue.get("closed_at")),
        labels=tuple(issue.get("labels") or ()),
        severity=severity(issue, severity_prefix),
    )
