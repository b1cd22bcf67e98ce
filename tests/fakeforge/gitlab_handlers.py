"""FakeGitLab's project resources: deployments, environments, merge requests, commits,
compare, pipelines and jobs, releases, tags and issues — with the filters and orderings
GitLab documents for each (``doc/api/*.md``). A mixin: ``FakeGitLab`` supplies ``url``,
``page`` (offset pagination) and ``not_found``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from . import gitlab_render as render
from . import gitlab_render_ci as ci
from .gitlab_dora import deployed_merge_requests
from .scenario import Repo
from .server import Request, Response


def parse_time(text: str | None) -> datetime | None:
    """ISO 8601 date or datetime (``Z`` allowed); naive values are UTC, as GitLab reads them."""
    if not text:
        return None
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def flag(req: Request, name: str) -> bool | None:
    """A Grape boolean: ``true``/``True``/``1``/``yes`` (python-gitlab sends ``True``)."""
    value = req.arg(name)
    if value is None or value == "":
        return None
    return value.lower() in ("true", "1", "t", "yes", "y", "on")


def _between(moment: datetime | None, after: datetime | None, before: datetime | None) -> bool:
    if moment is None:
        return after is None and before is None
    return (after is None or moment >= after) and (before is None or moment <= before)


class ProjectResources:
    """Handlers ``(req, repo) -> Response`` for ``/projects/:id/...`` listings."""

    url: str
    page: Callable[..., Response]
    not_found: Callable[..., Response]

    # -- deployments and environments ---------------------------------------------------
    @staticmethod
    def deployment_query_error(req: Request) -> str | None:
        """GitLab's ``DeploymentsFinder`` rejects inefficient filter/sort pairs (400)."""
        updated = bool(req.arg("updated_after") or req.arg("updated_before"))
        finished = bool(req.arg("finished_after") or req.arg("finished_before"))
        order = req.arg("order_by")
        if updated and finished:
            return "Both `updated_at` filter and `finished_at` filter can not be specified"
        if updated and order and order != "updated_at":
            return "`updated_at` filter and `updated_at` sorting must be paired"
        if finished != (order == "finished_at"):
            return "`finished_at` filter and `finished_at` sorting must be paired"
        if finished and req.arg("status") != "success":
            return "`finished_at` filter must be combined with `success` status filter."
        if req.arg("status") and req.arg("status") not in ci.GITLAB_DEPLOYMENT_STATUSES:
            return f"The deployment status {req.arg('status')} is invalid"
        return None

    def deployments(self, req: Request, repo: Repo) -> Response:
        error = self.deployment_query_error(req)
        if error:
            return Response(400, {"message": f"400 Bad request - {error}"})
        items = list(repo.deployments)
        env, status = req.arg("environment"), req.arg("status")
        if env:
            items = [d for d in items if d.environment == env]
        if status:
            items = [d for d in items if ci.deployment_status(d) == status]
        upd = (parse_time(req.arg("updated_after")), parse_time(req.arg("updated_before")))
        if any(upd):
            items = [d for d in items if _between(ci.deployment_updated(d), *upd)]
        fin = (parse_time(req.arg("finished_after")), parse_time(req.arg("finished_before")))
        if any(fin):
            items = [d for d in items if _between(ci.deployment_finished(d), *fin)]
        keys: dict[str, Callable[[Any], Any]] = {
            "id": lambda d: d.id,
            "iid": lambda d: d.iid,
            "created_at": lambda d: (d.created_at, d.id),
            "updated_at": lambda d: (ci.deployment_updated(d), d.id),
            "finished_at": lambda d: (ci.deployment_finished(d) or d.created_at, d.id),
            "ref": lambda d: (d.ref, d.id),
        }
        by = "updated_at" if any(upd) else (req.arg("order_by") or "id")  # as GitLab enforces
        key = keys.get(by, keys["id"])
        items.sort(key=key, reverse=req.arg("sort", "asc") == "desc")
        return self.page(req, items, lambda d: ci.deployment(self.url, repo, d))

    def _deployment(self, req: Request, repo: Repo) -> Any:
        return next((d for d in repo.deployments if str(d.id) == req.params["dep"]), None)

    def deployment(self, req: Request, repo: Repo) -> Response:
        d = self._deployment(req, repo)
        if d is None:
            return self.not_found(req)
        return Response(200, ci.deployment(self.url, repo, d))

    def deployment_mrs(self, req: Request, repo: Repo) -> Response:
        d = self._deployment(req, repo)
        if d is None:
            return self.not_found(req)
        mrs = sorted(deployed_merge_requests(repo, d), key=lambda p: p.created_at, reverse=True)
        return self.page(req, mrs, lambda p: render.merge_request(self.url, repo, p))

    def environments(self, req: Request, repo: Repo) -> Response:
        envs = list(repo.environments)
        if req.arg("name"):
            envs = [e for e in envs if e.name == req.arg("name")]
        if req.arg("search"):
            envs = [e for e in envs if (req.arg("search") or "") in e.name]
        return self.page(req, envs, lambda e: ci.environment(self.url, repo, e))

    # -- merge requests and commits -------------------------------------------------------
    def merge_requests(self, req: Request, repo: Repo) -> Response:
        items = list(repo.pulls)
        state = req.arg("state", "all")
        if state != "all":
            items = [p for p in items if render.mr_state(p) == state]
        if req.arg("target_branch"):
            items = [p for p in items if p.base == req.arg("target_branch")]
        for name in ("merged", "created", "updated"):
            window = (parse_time(req.arg(f"{name}_after")), parse_time(req.arg(f"{name}_before")))
            if any(window):
                items = [p for p in items if _between(getattr(p, f"{name}_at"), *window)]
        if req.arg("labels"):
            wanted = set((req.arg("labels") or "").split(","))
            items = [p for p in items if wanted <= set(p.labels)]
        field = {"updated_at": "updated_at", "merged_at": "merged_at"}.get(
            req.arg("order_by") or "", "created_at"
        )
        items.sort(
            key=lambda p: (getattr(p, field) or p.created_at, p.number),
            reverse=req.arg("sort", "desc") != "asc",
        )
        return self.page(req, items, lambda p: render.merge_request(self.url, repo, p))

    def mr_commits(self, req: Request, repo: Repo) -> Response:
        pull = repo.pull(int(req.params["iid"]))
        if pull is None:
            return self.not_found(req)
        commits = [c for c in (repo.commit(s) for s in reversed(render.mr_commits(pull))) if c]
        return self.page(req, commits, lambda c: render.commit(self.url, repo, c))

    def commits(self, req: Request, repo: Repo) -> Response:
        head = repo.resolve(req.arg("ref_name") or repo.default_branch)
        if head is None:
            return self.not_found(req, "Commit")
        items = list(reversed(repo.history(head)))
        since, until = parse_time(req.arg("since")), parse_time(req.arg("until"))
        if since or until:
            items = [c for c in items if _between(c.committed_at, since, until)]
        path = req.arg("path")
        if path:
            items = [
                c
                for c in items
                if any(f == path or f.startswith(path.rstrip("/") + "/") for f in c.files)
            ]
        if flag(req, "first_parent"):
            chain, cur = set(), head
            while cur and repo.commit(cur):
                chain.add(cur)
                parents = repo.commit(cur).parents  # type: ignore[union-attr]
                cur = parents[0] if parents else ""
            items = [c for c in items if c.sha in chain]
        return self.page(req, items, lambda c: render.commit(self.url, repo, c))

    def commit(self, req: Request, repo: Repo) -> Response:
        sha = repo.resolve(req.params["sha"])
        c = repo.commit(sha) if sha else None
        return (
            Response(200, render.commit(self.url, repo, c)) if c else self.not_found(req, "Commit")
        )

    def commit_diff(self, req: Request, repo: Repo) -> Response:
        sha = repo.resolve(req.params["sha"])
        c = repo.commit(sha) if sha else None
        if c is None:
            return self.not_found(req, "Commit")
        return self.page(req, c.files, render.diff)

    def compare(self, req: Request, repo: Repo) -> Response:
        base, head = repo.resolve(req.arg("from") or ""), repo.resolve(req.arg("to") or "")
        if base is None or head is None:
            return self.not_found(req, "Ref")
        done = repo.ancestors(base)
        commits = [c for c in repo.history(head) if c.sha not in done]
        files = sorted({f for c in commits for f in c.files})
        last = repo.commit(head)
        assert last is not None
        return Response(
            200,
            {
                "commit": render.commit(self.url, repo, commits[-1] if commits else last),
                "commits": [render.commit(self.url, repo, c) for c in commits],
                "diffs": [render.diff(f) for f in files],
                "compare_timeout": False,
                "compare_same_ref": base == head,
                "web_url": f"{render.project_web(self.url, repo)}/-/compare/{base}...{head}",
            },
        )

    # -- pipelines, jobs, releases, tags, issues ------------------------------------------
    def pipelines(self, req: Request, repo: Repo) -> Response:
        runs = list(repo.runs)
        for name, get in (
            ("ref", lambda r: r.branch),
            ("sha", lambda r: r.head_sha),
            ("status", lambda r: ci.pipeline(self.url, repo, r)["status"]),
        ):
            if req.arg(name):
                runs = [r for r in runs if get(r) == req.arg(name)]
        for name in ("updated", "created"):
            window = (parse_time(req.arg(f"{name}_after")), parse_time(req.arg(f"{name}_before")))
            if any(window):
                runs = [r for r in runs if _between(getattr(r, f"{name}_at"), *window)]
        by = req.arg("order_by", "id")
        runs.sort(
            key=lambda r: (r.updated_at, r.id) if by == "updated_at" else (r.id,),
            reverse=req.arg("sort", "desc") != "asc",
        )
        return self.page(req, runs, lambda r: ci.pipeline(self.url, repo, r))

    def pipeline_jobs(self, req: Request, repo: Repo) -> Response:
        run = next((r for r in repo.runs if str(r.id) == req.params["pid"]), None)
        if run is None:
            return self.not_found(req)
        jobs = [j for j in ci.run_jobs(run) if self._in_scope(req, j.status)]
        return self.page(req, jobs, lambda j: ci.job(self.url, repo, run, j))

    def jobs(self, req: Request, repo: Repo) -> Response:
        pairs = [(r, j) for r in repo.runs for j in ci.run_jobs(r) if self._in_scope(req, j.status)]
        pairs.sort(key=lambda rj: rj[1].id, reverse=True)
        return self.page(req, pairs, lambda rj: ci.job(self.url, repo, rj[0], rj[1]))

    @staticmethod
    def _in_scope(req: Request, status: str) -> bool:
        scope = req.args("scope")
        return not scope or status in scope

    def releases(self, req: Request, repo: Repo) -> Response:
        items = [r for r in repo.releases if not r.draft]
        by = req.arg("order_by", "released_at")
        items.sort(
            key=lambda r: (
                r.created_at if by == "created_at" else (r.published_at or r.created_at),
                r.id,
            ),
            reverse=req.arg("sort", "desc") != "asc",
        )
        return self.page(req, items, lambda r: render.release(self.url, repo, r))

    def tags(self, req: Request, repo: Repo) -> Response:
        def when(sha: str) -> datetime:
            c = repo.commit(sha)
            return c.committed_at if c else datetime.min.replace(tzinfo=UTC)

        items = list(repo.tags)
        if req.arg("search"):
            items = [t for t in items if (req.arg("search") or "") in t.name]
        by = req.arg("order_by", "updated")
        items.sort(
            key=lambda t: t.name if by == "name" else (when(t.sha), t.name),
            reverse=req.arg("sort", "desc") != "asc",
        )
        return self.page(req, items, lambda t: render.tag(self.url, repo, t.name, t.sha))

    def issues(self, req: Request, repo: Repo) -> Response:
        items = [(repo, i) for i in self.matching_issues(req, repo.issues)]
        return self.page(
            req, self.sorted_issues(req, items), lambda ri: render.issue(self.url, *ri)
        )

    @staticmethod
    def matching_issues(req: Request, issues: list[Any]) -> list[Any]:
        """The issues list filters GitLab applies, for project- and group-level lists."""
        items = list(issues)
        state = req.arg("state", "all")
        if state != "all":
            items = [i for i in items if ("opened" if i.state == "open" else "closed") == state]
        if req.arg("issue_type"):
            items = [i for i in items if i.issue_type == req.arg("issue_type")]
        if req.arg("labels"):
            wanted = {x for x in (req.arg("labels") or "").split(",") if x}
            items = [i for i in items if wanted <= set(i.labels)]
        for name in ("created", "updated"):
            window = (parse_time(req.arg(f"{name}_after")), parse_time(req.arg(f"{name}_before")))
            if any(window):
                items = [i for i in items if _between(getattr(i, f"{name}_at"), *window)]
        return items

    @staticmethod
    def sorted_issues(req: Request, items: list[tuple[Repo, Any]]) -> list[tuple[Repo, Any]]:
        by = "updated_at" if req.arg("order_by") == "updated_at" else "created_at"
        return sorted(
            items,
            key=lambda ri: (getattr(ri[1], by), ri[0].id, ri[1].number),
            reverse=req.arg("sort", "desc") != "asc",
        )
