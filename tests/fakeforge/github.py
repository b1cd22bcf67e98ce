"""``FakeGitHub``: the GitHub REST endpoints a DORA tool reads, on GitHub's exact wire.

Paging as GitHub (``per_page`` default 30, max 100; ``Link`` with next/last/prev/first),
``x-ratelimit-*`` on every response, 304s free of quota, compare capped at 250 commits
without paging parameters, filtered workflow-run lists capped at 1,000 results, pull
requests listed among issues with a ``pull_request`` key, deployments newest first.
Repositories whose full name has more than two segments (GitLab subgroups) do not exist
here. Pass ``prefix="/api/v3"`` to look like GitHub Enterprise Server.

This module holds the server, its routes, errors, rate-limit headers and paging, and the
account, organization and repository resources; the other resources are mixins, one
module each: :mod:`.github_deployments` (deployments, statuses, environments, releases,
tags), :mod:`.github_pulls` (pull requests and issues), :mod:`.github_actions` (workflows
and their runs), :mod:`.github_git` (commits, compare, pull-request commits), and
:mod:`.github_graphql` (``POST /graphql`` on GitHub's public schema).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from .faults import FaultRule
from .github_actions import ActionsRoutes
from .github_deployments import DeploymentRoutes
from .github_git import GitRoutes
from .github_graphql import GraphQLRoutes, PointQuota
from .github_pulls import PullRoutes
from .github_render import GitHubRender
from .pagination import link_header, page_args, paginate
from .scenario import Org, Repo, Scenario
from .server import FakeForge, Request, Response

DOCS = "https://docs.github.com/rest"
REPO = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"


class FakeGitHub(DeploymentRoutes, PullRoutes, ActionsRoutes, GitRoutes, GraphQLRoutes, FakeForge):
    """A fake api.github.com (or GHES with ``prefix="/api/v3"``) over ``scenario``."""

    forge = "github"

    def __init__(
        self, scenario: Scenario, token: str = "fake-token", *, prefix: str = "", seed: int = 0
    ) -> None:
        self.prefix = prefix
        self._render: GitHubRender | None = None
        self.graphql_quota = PointQuota()
        self.graphql_costs: list[int] = []
        super().__init__(scenario, token, seed=seed)

    @property
    def api(self) -> str:
        """The base URL a client is given: ``http://127.0.0.1:PORT[/api/v3]``."""
        return self.url + self.prefix

    @property
    def render(self) -> GitHubRender:
        if self._render is None or self._render.api != self.api:
            self._render = GitHubRender(self.api)
        return self._render

    def setup_routes(self) -> None:
        p = self.prefix
        routes: list[tuple[str, str, Callable[[Request], Response]]] = [
            ("/user", "user", self.get_user),
            ("/rate_limit", "rate_limit", self.get_rate_limit),
            ("/orgs/(?P<org>[^/]+)", "org", self.get_org),
            ("/orgs/(?P<org>[^/]+)/repos", "org_repos", self.org_repos),
            ("/orgs/(?P<org>[^/]+)/issues", "org_issues", self.org_issues),
            (REPO, "repo", self.get_repo),
            (REPO + "/deployments", "deployments", self.deployments),
            (REPO + r"/deployments/(?P<id>\d+)", "deployment", self.deployment),
            (REPO + r"/deployments/(?P<id>\d+)/statuses", "deployment_statuses", self.statuses),
            (REPO + "/environments", "environments", self.environments),
            (REPO + "/releases", "releases", self.releases),
            (REPO + "/tags", "tags", self.tags),
            (REPO + "/commits", "commits", self.commits),
            (REPO + "/commits/(?P<ref>[^/]+)", "commit", self.commit),
            (REPO + "/commits/(?P<ref>[^/]+)/pulls", "commit_pulls", self.commit_pulls),
            (REPO + r"/compare/(?P<base>.+?)\.\.\.(?P<head>.+)", "compare", self.compare),
            (REPO + "/pulls", "pulls", self.pulls),
            (REPO + r"/pulls/(?P<number>\d+)", "pull", self.pull),
            (REPO + r"/pulls/(?P<number>\d+)/commits", "pull_commits", self.pull_commits),
            (REPO + "/issues", "issues", self.issues),
            (REPO + r"/issues/(?P<number>\d+)", "issue", self.issue),
            (REPO + "/actions/workflows", "workflows", self.workflows),
            (REPO + "/actions/workflows/(?P<wf>[^/]+)/runs", "workflow_runs", self.runs),
            (REPO + "/actions/runs", "runs", self.runs),
        ]
        for pattern, name, handler in routes:
            self.add_route("GET", p + pattern, f"github.{name}", self._guarded(handler))
        self.add_route("POST", self.graphql_path(p), "github.graphql", self.graphql)

    # -- forge behaviour ---------------------------------------------------------------
    def _guarded(self, handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
        """Resolve ``{owner}/{repo}`` first: unknown or invisible repositories are 404."""

        def run(req: Request) -> Response:
            if "owner" in req.params and self._repo(req) is None:
                return self.not_found(req)
            return handler(req)

        return run

    def _repo(self, req: Request) -> Repo | None:
        repo = self.scenario.repo(f"{req.params['owner']}/{req.params['repo']}")
        return repo if repo is not None and repo.visible else None

    def _org(self, repo: Repo) -> Org:
        return next(o for o in self.scenario.orgs if repo in o.repos)

    def not_found(self, req: Request) -> Response:
        return Response(404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"})

    def unauthorized(self, req: Request) -> Response:
        return Response(
            401, {"message": "Bad credentials", "documentation_url": DOCS, "status": "401"}
        )

    def fault_response(self, req: Request, rule: FaultRule) -> Response:
        p = rule.params
        if rule.kind == "primary_rate_limit":
            reset = int(time.time() + float(p.get("reset_in", 1)) + 0.999)
            body = {
                "message": "API rate limit exceeded for user ID 1. If you reach out to "
                "GitHub Support for help, please include the request ID.",
                "documentation_url": f"{DOCS}/overview/rate-limits-for-the-rest-api",
            }
            return Response(
                int(p.get("status", 403)),
                body,
                {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)},
            )
        if rule.kind == "secondary_rate_limit":
            body = {
                "message": "You have exceeded a secondary rate limit. Please wait a few "
                "minutes before you try again.",
                "documentation_url": f"{DOCS}/overview/rate-limits-for-the-rest-api",
            }
            after = p.get("retry_after", 1)
            headers = {} if after is None else {"retry-after": str(after)}
            return Response(int(p.get("status", 403)), body, headers)
        resp = super().fault_response(req, rule)
        resp.body = {
            "message": "Server Error" if resp.status >= 500 else "Too Many Requests",
            "documentation_url": DOCS,
        }
        return resp

    def decorate(self, req: Request, resp: Response, counted: bool) -> None:
        """``x-ratelimit-*`` on every response; 304s and ``/rate_limit`` are free; GraphQL
        counts points on its own quota (its handler sets its headers)."""
        free = req.endpoint in ("github.rate_limit", "github.graphql")
        remaining, used, reset = self.quota.consume(counted and not free)
        defaults = {
            "x-ratelimit-limit": str(self.quota.limit),
            "x-ratelimit-remaining": str(remaining),
            "x-ratelimit-used": str(used),
            "x-ratelimit-reset": str(reset),
            "x-ratelimit-resource": "core",
            "x-github-api-version-selected": "2022-11-28",
        }
        for name, value in defaults.items():
            resp.headers.setdefault(name, value)

    # -- paging ----------------------------------------------------------------------
    def _paged(
        self,
        req: Request,
        items: Sequence[Any],
        render: Callable[[Any], Any],
        *,
        default: int = 30,
        maximum: int = 100,
        wrap: str | None = None,
        total: int | None = None,
    ) -> Response:
        page_no, per_page = page_args(req.query, default, maximum)
        page = paginate(items, page_no, per_page)
        carry = per_page if "per_page" in req.query else None
        rels = {
            "prev": page.prev_page,
            "next": page.next_page,
            "last": page.last_page if page.next_page else None,
            "first": 1 if page.prev_page else None,
        }
        link = link_header(rels, lambda n: self.page_url(req, n, carry))
        body: Any = [render(item) for item in page.items]
        if wrap:
            body = {"total_count": len(items) if total is None else total, wrap: body}
        return Response(200, body, {"Link": link} if link else {})

    # -- handlers --------------------------------------------------------------------
    def get_user(self, req: Request) -> Response:
        return Response(200, self.render.me(self.scenario.user))

    def get_rate_limit(self, req: Request) -> Response:
        remaining, used, reset = self.quota.consume(False)
        core = {
            "limit": self.quota.limit,
            "remaining": remaining,
            "reset": reset,
            "used": used,
            "resource": "core",
        }
        search = {"limit": 30, "remaining": 30, "reset": reset, "used": 0, "resource": "search"}
        return Response(200, {"resources": {"core": core, "search": search}, "rate": core})

    def get_org(self, req: Request) -> Response:
        org = self.scenario.org(req.params["org"])
        if org is None:
            return self.not_found(req)
        url = f"{self.api}/orgs/{org.name}"
        body = {
            **self.render.user(org.name, "Organization"),
            "url": url,
            "repos_url": f"{url}/repos",
            "description": None,
            "name": org.name,
            "public_repos": 0,
            "total_private_repos": len(org.repos),
        }
        return Response(200, body)

    def _github_repos(self, org: Org) -> list[Repo]:
        return [r for r in org.repos if r.visible and r.full_name.count("/") == 1]

    def org_repos(self, req: Request) -> Response:
        org = self.scenario.org(req.params["org"])
        if org is None:
            return self.not_found(req)
        repos = sorted(self._github_repos(org), key=lambda r: r.full_name.lower())
        if req.arg("sort") == "created":
            repos.sort(key=lambda r: r.id)
        return self._paged(req, repos, lambda r: self.render.repo(r, org))

    def get_repo(self, req: Request) -> Response:
        repo = self._repo(req)
        assert repo is not None
        return Response(200, self.render.repo(repo, self._org(repo)))
