"""``FakeGitLab``: GitLab REST ``/api/v4`` over real HTTP, for python-gitlab.

What it honours, as gitlab.com does: ``PRIVATE-TOKEN`` or ``Authorization: Bearer``
auth; offset pagination (``per_page`` default 20, max 100) with ``x-page``,
``x-per-page``, ``x-next-page``, ``x-prev-page``, ``x-total``, ``x-total-pages`` and
``Link`` (first/prev/next/last), dropping the totals and ``rel="last"`` above 10,000
items; ``RateLimit-*`` headers on every response and a plain-text 429 "Retry later"
when throttled; ids given as numbers or URL-encoded paths; the filters a DORA collector
sends. Project resources are handled in :mod:`.gitlab_handlers`, bodies rendered by
:mod:`.gitlab_render` / :mod:`.gitlab_render_ci`, DORA figures computed by :mod:`.gitlab_dora`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import date
from email.utils import formatdate
from typing import Any

from . import gitlab_render as render
from .faults import FaultRule
from .gitlab_dora import INTERVALS, METRICS, dora_metrics, successes
from .gitlab_handlers import ProjectResources, flag
from .pagination import link_header, page_args, paginate
from .scenario import Org, Repo, Scenario
from .server import FakeForge, Quota, Request, Response

#: Above this many items GitLab stops counting: no x-total, x-total-pages, rel="last".
COUNT_LIMIT = 10_000
API = "/api/v4"
P = API + r"/projects/(?P<id>[^?]+?)"


class FakeGitLab(ProjectResources, FakeForge):
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
            API + r"/groups/(?P<id>[^?]+?)/issues",
            "gitlab.group_issues",
            self.group_issues,
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

    def group_issues(self, req: Request) -> Response:
        """``/groups/:id/issues``: issues of every project in the group and its subgroups
        (GitLab includes descendants here), the project-level filters and orderings."""
        repos = self.group_repos(req.params["id"], subgroups=True)
        if repos is None:
            return self.not_found(req, "Group")
        items = [(r, i) for r in repos for i in self.matching_issues(req, r.issues)]
        return self.page(
            req, self.sorted_issues(req, items), lambda ri: render.issue(self.url, *ri)
        )

    def project(self, req: Request, repo: Repo) -> Response:
        return Response(200, render.project(self.url, repo, self._org_of(repo).id))

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
