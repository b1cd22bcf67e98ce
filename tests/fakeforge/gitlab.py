"""``FakeGitLab``: GitLab REST ``/api/v4`` over real HTTP, for python-gitlab.

What it honours, as gitlab.com does: ``PRIVATE-TOKEN`` or ``Authorization: Bearer``
auth; offset pagination (``per_page`` default 20, max 100) with ``x-page``,
``x-per-page``, ``x-next-page``, ``x-prev-page``, ``x-total``, ``x-total-pages`` and
``Link`` (first/prev/next/last), dropping the totals and ``rel="last"`` above 10,000
items; ``RateLimit-*`` headers on every response and a plain-text 429 "Retry later"
when throttled; ids given as numbers or URL-encoded paths; the filters a DORA collector
sends. Bodies come from :mod:`.gitlab_render`, DORA figures from :mod:`.gitlab_dora`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from email.utils import formatdate
from typing import Any

from . import gitlab_render as render
from .faults import FaultRule
from .gitlab_dora import INTERVALS, METRICS, deployed_merge_requests, dora_metrics, successes
from .pagination import link_header, page_args, paginate
from .scenario import Org, Repo, Scenario
from .server import FakeForge, Quota, Request, Response

#: Above this many items GitLab stops counting: no x-total, x-total-pages, rel="last".
COUNT_LIMIT = 10_000
API = "/api/v4"
P = API + r"/projects/(?P<id>[^?]+?)"


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


class FakeGitLab(FakeForge):
    """``FakeGitLab(scenario, token)``; ``dora_status=403`` (or 404) hides the DORA API as
    on a non-Ultimate instance; ``rate_limit`` is ``RateLimit-Limit`` per minute."""

    forge = "gitlab"

    def __init__(
        self,
        scenario: Scenario,
        token: str = "fake-token",
        *,
        seed: int = 0,
        dora_status: int | None = None,
        rate_limit: int = 2000,
    ) -> None:
        self.dora_status = dora_status
        self.rate_limit = rate_limit
        super().__init__(scenario, token, seed=seed)
        self.quota = Quota(rate_limit, window=60)  # GitLab throttles per minute

    # -- auth and headers -----------------------------------------------------------
    def authenticate(self, req: Request) -> bool:
        if req.headers.get("private-token") == self.token:
            return True
        scheme, _, value = req.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and value == self.token

    def unauthorized(self, req: Request) -> Response:
        return Response(401, {"message": "401 Unauthorized"})

    def not_found(self, req: Request, what: str = "") -> Response:
        return Response(404, {"message": f"404 {what} Not Found".replace("  ", " ")})

    def rate_headers(self, remaining: int, reset_at: int, observed: int) -> dict[str, str]:
        return {
            "RateLimit-Name": "throttle_authenticated_api",
            "RateLimit-Limit": str(self.rate_limit),
            "RateLimit-Observed": str(observed),
            "RateLimit-Remaining": str(remaining),
            "RateLimit-Reset": str(reset_at),
            "RateLimit-ResetTime": formatdate(reset_at, usegmt=True),
        }

    def decorate(self, req: Request, resp: Response, counted: bool) -> None:
        """``RateLimit-*`` on every answer from GitLab itself; a 5xx stands for a proxy error
        and carries none (python-gitlab would otherwise wait for ``RateLimit-Reset``)."""
        remaining, used, reset_at = self.quota.consume(counted)
        if resp.status >= 500:
            return
        for name, value in self.rate_headers(remaining, reset_at, used).items():
            resp.headers.setdefault(name, value)

    def fault_response(self, req: Request, rule: FaultRule) -> Response:
        """GitLab throttles with 429 and a plain-text body; GitHub's two limit kinds map to
        429 without ``Retry-After`` (wait for ``RateLimit-Reset``) and with it."""
        p = rule.params
        if rule.kind in ("retry_after", "primary_rate_limit", "secondary_rate_limit"):
            reset_at = int(time.time()) + int(p.get("reset_in", p.get("retry_after", 1) or 1))
            headers = self.rate_headers(0, reset_at, self.rate_limit + 1)
            wants_header = rule.kind != "primary_rate_limit" and p.get("header", True)
            if wants_header and p.get("retry_after", 1) is not None:
                headers["Retry-After"] = str(p.get("retry_after", 1))
            return Response(
                int(p.get("status", 429)),
                None,
                headers,
                raw=b"Retry later\n",
                content_type="text/plain",
            )
        status = int(p.get("status", 502))
        return Response(status, {"message": f"{status} Server Error"})

    # -- lookups ----------------------------------------------------------------------
    def _org_of(self, repo: Repo) -> Org:
        return next(o for o in self.scenario.orgs if repo in o.repos)

    def project_of(self, req: Request) -> Repo | None:
        ident = req.params["id"]
        for repo in self.scenario.repos:
            if repo.visible and (str(repo.id) == ident or repo.full_name == ident):
                return repo
        return None

    def group_repos(self, ident: str, subgroups: bool) -> list[Repo] | None:
        org = next((o for o in self.scenario.orgs if str(o.id) == ident), None)
        path = org.name if org else ident
        repos = [r for r in self.scenario.repos if r.visible]
        if not any(r.namespace == path or r.namespace.startswith(path + "/") for r in repos):
            return None
        return [
            r
            for r in repos
            if r.namespace == path or (subgroups and r.namespace.startswith(path + "/"))
        ]

    # -- responses ----------------------------------------------------------------------
    def page(
        self, req: Request, items: Sequence[Any], render_one: Callable[[Any], Any]
    ) -> Response:
        """One page of ``items`` with GitLab's offset-pagination headers."""
        number, per_page = page_args(req.query, 20, 100)
        page = paginate(items, number, per_page)
        counted = page.total <= COUNT_LIMIT
        headers = {
            "x-page": str(page.page),
            "x-per-page": str(per_page),
            "x-next-page": str(page.next_page or ""),
            "x-prev-page": str(page.prev_page or ""),
        }
        if counted:
            headers["x-total"] = str(page.total)
            headers["x-total-pages"] = str(page.last_page)
        rels = {
            "prev": page.prev_page,
            "next": page.next_page,
            "first": 1,
            "last": page.last_page if counted else None,
        }
        link = link_header(rels, lambda n: self.page_url(req, n, per_page))
        if link:
            headers["Link"] = link
        return Response(200, [render_one(x) for x in page.items], headers)

    def with_project(
        self, fn: Callable[[Request, Repo], Response]
    ) -> Callable[[Request], Response]:
        def handler(req: Request) -> Response:
            repo = self.project_of(req)
            return fn(req, repo) if repo else self.not_found(req, "Project")

        return handler

    # -- routes -----------------------------------------------------------------------
    def setup_routes(self) -> None:
        routes: list[tuple[str, str, Callable[[Request, Repo], Response]]] = [
            (
                P + "/deployments/(?P<dep>\\d+)/merge_requests",
                "deployment_merge_requests",
                self.deployment_mrs,
            ),
            (P + "/deployments/(?P<dep>\\d+)", "deployment", self.deployment),
            (P + "/deployments", "deployments", self.deployments),
            (P + "/environments", "environments", self.environments),
            (P + "/merge_requests/(?P<iid>\\d+)/commits", "merge_request_commits", self.mr_commits),
            (P + "/merge_requests", "merge_requests", self.merge_requests),
            (P + "/repository/commits/(?P<sha>[0-9a-f]+)/diff", "commit_diff", self.commit_diff),
            (P + "/repository/commits/(?P<sha>[0-9a-f]+)", "commit", self.commit),
            (P + "/repository/commits", "commits", self.commits),
            (P + "/repository/compare", "compare", self.compare),
            (P + "/repository/tags", "tags", self.tags),
            (P + "/pipelines/(?P<pid>\\d+)/jobs", "pipeline_jobs", self.pipeline_jobs),
            (P + "/pipelines", "pipelines", self.pipelines),
            (P + "/jobs", "jobs", self.jobs),
            (P + "/releases", "releases", self.releases),
            (P + "/issues", "issues", self.issues),
            (P + "/dora/metrics", "project_dora", self.project_dora),
            (P, "project", self.project),
        ]
        self.add_route(
            "GET",
            API + r"/groups/(?P<id>[^?]+?)/projects",
            "gitlab.group_projects",
            self.group_projects,
        )
        self.add_route(
            "GET",
            API + r"/groups/(?P<id>[^?]+?)/dora/metrics",
            "gitlab.group_dora",
            self.group_dora,
        )
        for pattern, label, fn in routes:
            self.add_route("GET", pattern, f"gitlab.{label}", self.with_project(fn))

    # -- projects -----------------------------------------------------------------------
    def group_projects(self, req: Request) -> Response:
        repos = self.group_repos(req.params["id"], bool(flag(req, "include_subgroups")))
        if repos is None:
            return self.not_found(req, "Group")
        archived = flag(req, "archived")
        if archived is not None:
            repos = [r for r in repos if r.archived == archived]
        repos = sorted(repos, key=lambda r: r.id, reverse=req.arg("sort", "desc") != "asc")
        return self.page(req, repos, lambda r: render.project(self.url, r, self._org_of(r).id))

    def project(self, req: Request, repo: Repo) -> Response:
        return Response(200, render.project(self.url, repo, self._org_of(repo).id))

    # -- deployments and environments ---------------------------------------------------
    def deployments(self, req: Request, repo: Repo) -> Response:
        items = list(repo.deployments)
        env, status = req.arg("environment"), req.arg("status")
        if env:
            items = [d for d in items if d.environment == env]
        if status:
            items = [d for d in items if render.deployment_status(d) == status]
        upd = (parse_time(req.arg("updated_after")), parse_time(req.arg("updated_before")))
        if any(upd):
            items = [d for d in items if _between(render.deployment_updated(d), *upd)]
        fin = (parse_time(req.arg("finished_after")), parse_time(req.arg("finished_before")))
        if any(fin):
            items = [d for d in items if _between(render.deployment_finished(d), *fin)]
        keys: dict[str, Callable[[Any], Any]] = {
            "id": lambda d: d.id,
            "iid": lambda d: d.iid,
            "created_at": lambda d: (d.created_at, d.id),
            "updated_at": lambda d: (render.deployment_updated(d), d.id),
            "finished_at": lambda d: (render.deployment_finished(d) or d.created_at, d.id),
            "ref": lambda d: (d.ref, d.id),
        }
        key = keys.get(req.arg("order_by", "id") or "id", keys["id"])
        items.sort(key=key, reverse=req.arg("sort", "asc") == "desc")
        return self.page(req, items, lambda d: render.deployment(self.url, repo, d))

    def _deployment(self, req: Request, repo: Repo) -> Any:
        return next((d for d in repo.deployments if str(d.id) == req.params["dep"]), None)

    def deployment(self, req: Request, repo: Repo) -> Response:
        d = self._deployment(req, repo)
        if d is None:
            return self.not_found(req)
        return Response(200, render.deployment(self.url, repo, d))

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
        return self.page(req, envs, lambda e: render.environment(self.url, repo, e))

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
            ("status", lambda r: render.pipeline(self.url, repo, r)["status"]),
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
        return self.page(req, runs, lambda r: render.pipeline(self.url, repo, r))

    def pipeline_jobs(self, req: Request, repo: Repo) -> Response:
        run = next((r for r in repo.runs if str(r.id) == req.params["pid"]), None)
        if run is None:
            return self.not_found(req)
        jobs = [j for j in render.run_jobs(run) if self._in_scope(req, j.status)]
        return self.page(req, jobs, lambda j: render.job(self.url, repo, run, j))

    def jobs(self, req: Request, repo: Repo) -> Response:
        pairs = [
            (r, j) for r in repo.runs for j in render.run_jobs(r) if self._in_scope(req, j.status)
        ]
        pairs.sort(key=lambda rj: rj[1].id, reverse=True)
        return self.page(req, pairs, lambda rj: render.job(self.url, repo, rj[0], rj[1]))

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
        items = list(repo.issues)
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
        by = "updated_at" if req.arg("order_by") == "updated_at" else "created_at"
        items.sort(
            key=lambda i: (getattr(i, by), i.number), reverse=req.arg("sort", "desc") != "asc"
        )
        return self.page(req, items, lambda i: render.issue(self.url, repo, i))

    # -- DORA ---------------------------------------------------------------------------
    def project_dora(self, req: Request, repo: Repo) -> Response:
        return self._dora(req, [repo])

    def group_dora(self, req: Request) -> Response:
        repos = self.group_repos(req.params["id"], subgroups=True)
        return self._dora(req, repos) if repos is not None else self.not_found(req, "Group")

    def _dora(self, req: Request, repos: list[Repo]) -> Response:
        if self.dora_status is not None:
            return Response(
                self.dora_status,
                {
                    "message": f"{self.dora_status} Forbidden"
                    if self.dora_status == 403
                    else "404 Not Found"
                },
            )
        metric, interval = req.arg("metric"), req.arg("interval", "daily") or "daily"
        if metric not in METRICS:
            return Response(400, {"error": "metric does not have a valid value"})
        if interval not in INTERVALS:
            return Response(400, {"error": "interval does not have a valid value"})
        try:
            end = date.fromisoformat(req.arg("end_date") or "")
            start = date.fromisoformat(req.arg("start_date") or "")
        except ValueError:
            return Response(400, {"error": "start_date and end_date are required ISO dates here"})
        tiers = req.args("environment_tiers") or ["production"]
        return Response(200, dora_metrics(repos, metric, start, end, interval, tiers))


__all__ = ["COUNT_LIMIT", "FakeGitLab", "successes"]
