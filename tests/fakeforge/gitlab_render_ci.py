"""Scenario CI objects rendered as GitLab entities: deployments, environments, pipelines
and jobs. GitHub-style deployment statuses map onto GitLab's ``created/running/success/
failed/canceled``; a pipeline's jobs are synthesised (``build`` + ``deploy`` for a deploy
workflow, ``build`` + ``test`` otherwise) when the scenario gives none.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .gitlab_render import commit, project_web, user, z
from .scenario import Deployment, Environment, Job, Repo, Run

DEPLOYMENT_STATUS = {
    "queued": "created",
    "pending": "created",
    "in_progress": "running",
    "success": "success",
    "failure": "failed",
    "error": "failed",
    "canceled": "canceled",
    "cancelled": "canceled",
}
FINAL = ("success", "failed", "canceled")
GITLAB_DEPLOYMENT_STATUSES = (
    "created",
    "running",
    "success",
    "failed",
    "canceled",
    "skipped",
    "blocked",
)
#: Workflow-run conclusion → GitLab pipeline/job status.
RUN_STATUS = {"success": "success", "failure": "failed", "cancelled": "canceled", None: "running"}


# -- deployments, environments, pipelines, jobs -----------------------------------------
def deployment_status(d: Deployment) -> str:
    return DEPLOYMENT_STATUS.get(d.final_state, "created")


def deployment_finished(d: Deployment) -> datetime | None:
    """Time of the last non-``inactive`` status, when that status is final."""
    events = [s for s in d.statuses if s.state != "inactive"]
    if events and DEPLOYMENT_STATUS.get(events[-1].state) in FINAL:
        return events[-1].at
    return None


def deployment_updated(d: Deployment) -> datetime:
    events = [s for s in d.statuses if s.state != "inactive"]
    return events[-1].at if events else d.created_at


def environment_basic(root: str, repo: Repo, env: Environment) -> dict[str, Any]:
    return {
        "id": env.id,
        "name": env.name,
        "slug": env.name.lower().replace("/", "-"),
        "external_url": None,
        "created_at": z(repo.commits[0].committed_at) if repo.commits else None,
        "updated_at": z(repo.commits[0].committed_at) if repo.commits else None,
    }


def environment(root: str, repo: Repo, env: Environment) -> dict[str, Any]:
    return {
        **environment_basic(root, repo, env),
        "tier": env.tier,
        "state": "available",
        "description": None,
        "auto_stop_at": None,
        "auto_stop_setting": "always",
    }


def pipeline(root: str, repo: Repo, run: Run) -> dict[str, Any]:
    status = RUN_STATUS.get(run.conclusion, "running") if run.status == "completed" else "running"
    return {
        "id": run.id,
        "iid": run.run_number,
        "project_id": repo.id,
        "sha": run.head_sha,
        "ref": run.branch,
        "status": status,
        "source": "push",
        "created_at": z(run.created_at),
        "updated_at": z(run.updated_at),
        "web_url": f"{project_web(root, repo)}/-/pipelines/{run.id}",
    }


def run_jobs(run: Run) -> list[Job]:
    """The scenario's jobs, or a synthesised ``build`` (+ ``deploy`` for a deploy workflow)."""
    if run.jobs:
        return run.jobs
    status = RUN_STATUS.get(run.conclusion, "running") if run.status == "completed" else "running"
    done = run.updated_at if status in FINAL else None
    build = Job(
        run.id * 10 + 1,
        "build",
        "success",
        run.created_at,
        run.created_at,
        run.created_at,
        stage="build",
    )
    if "deploy" not in f"{run.name} {run.path}".lower():
        test = Job(run.id * 10 + 2, "test", status, run.created_at, run.created_at, done, "test")
        return [build, test]
    return [build, Job(run.id * 10 + 2, "deploy", status, run.created_at, run.created_at, done)]


def job(root: str, repo: Repo, run: Run, j: Job) -> dict[str, Any]:
    c = repo.commit(run.head_sha)
    duration = (
        (j.finished_at - j.started_at).total_seconds() if j.finished_at and j.started_at else None
    )
    return {
        "id": j.id,
        "status": j.status,
        "stage": j.stage,
        "name": j.name,
        "ref": run.branch,
        "tag": False,
        "coverage": None,
        "allow_failure": False,
        "created_at": z(j.created_at),
        "started_at": z(j.started_at),
        "finished_at": z(j.finished_at),
        "erased_at": None,
        "duration": duration,
        "queued_duration": 0.0,
        "user": None,
        "commit": commit(root, repo, c) if c else None,
        "pipeline": pipeline(root, repo, run),
        "failure_reason": "script_failure" if j.status == "failed" else None,
        "web_url": f"{project_web(root, repo)}/-/jobs/{j.id}",
        "artifacts": [],
        "runner": None,
        "artifacts_expire_at": None,
        "archived": False,
        "tag_list": [],
    }


def deployment(root: str, repo: Repo, d: Deployment) -> dict[str, Any]:
    env = repo.environment(d.environment) or Environment(0, d.environment, "other")
    finished = deployment_finished(d)
    status = deployment_status(d)
    c = repo.commit(d.sha)
    started = d.statuses[1].at if len(d.statuses) > 1 else d.created_at
    job_id = d.id * 10 + 9
    fake_run = Run(
        d.id * 10 + 8,
        0,
        "deploy",
        "deploy",
        d.ref,
        d.sha,
        d.created_at,
        finished or deployment_updated(d),
        "completed" if finished else "in_progress",
        {"success": "success", "failed": "failure", "canceled": "cancelled"}.get(status),
    )
    deployable_job = Job(
        job_id, "deploy", status if status in FINAL else "running", d.created_at, started, finished
    )
    return {
        "id": d.id,
        "iid": d.iid or d.id,
        "ref": d.ref,
        "sha": d.sha,
        "created_at": z(d.created_at),
        "updated_at": z(deployment_updated(d)),
        "status": status,
        "user": user(root, d.creator),
        "environment": environment_basic(root, repo, env),
        "deployable": job(root, repo, fake_run, deployable_job) if c else None,
    }
