"""FakeGitHub's deployment routes: deployments and their statuses, environments, releases, tags.

A mixin of :class:`~.github.FakeGitHub`. Deployments are listed newest first; statuses
newest first, as GitHub does.
"""

from __future__ import annotations

from .scenario import Deployment, Repo
from .server import Request, Response


class DeploymentRoutes:
    """Needs ``_repo``, ``_org``, ``_paged``, ``render``, ``not_found`` (see :class:`~.github.FakeGitHub`)."""

    def _production(self, repo: Repo, dep: Deployment) -> bool:
        if dep.production is not None:
            return dep.production
        env = repo.environment(dep.environment)
        return env is not None and env.tier == "production"

    def deployments(self, req: Request) -> Response:
        repo = self._repo(req)
        assert repo is not None
        found = [
            d
            for d in repo.deployments
            if all(req.arg(k) in (None, getattr(d, k)) for k in ("sha", "ref", "task"))
            and req.arg("environment") in (None, d.environment)
        ]
        found.sort(key=lambda d: (d.created_at, d.id), reverse=True)
        return self._paged(
            req, found, lambda d: self.render.deployment(repo, d, self._production(repo, d))
        )

    def _deployment(self, req: Request) -> tuple[Repo, Deployment | None]:
        repo = self._repo(req)
        assert repo is not None
        dep_id = int(req.params["id"])
        return repo, next((d for d in repo.deployments if d.id == dep_id), None)

    def deployment(self, req: Request) -> Response:
        repo, dep = self._deployment(req)
        if dep is None:
            return self.not_found(req)
        return Response(200, self.render.deployment(repo, dep, self._production(repo, dep)))

    def statuses(self, req: Request) -> Response:
        repo, dep = self._deployment(req)
        if dep is None:
            return self.not_found(req)
        events = list(enumerate(dep.statuses))[::-1]  # newest first, as GitHub
        return self._paged(
            req, events, lambda ie: self.render.deployment_status(repo, dep, ie[0], ie[1])
        )

    def environments(self, req: Request) -> Response:
        repo = self._repo(req)
        assert repo is not None
        return self._paged(
            req, repo.environments, lambda e: self.render.environment(repo, e), wrap="environments"
        )

    def releases(self, req: Request) -> Response:
        repo = self._repo(req)
        assert repo is not None
        found = sorted(repo.releases, key=lambda r: (r.created_at, r.id), reverse=True)
        return self._paged(req, found, lambda r: self.render.release(repo, r))

    def tags(self, req: Request) -> Response:
        repo = self._repo(req)
        assert repo is not None
        return self._paged(
            req,
            sorted(repo.tags, key=lambda t: t.name, reverse=True),
            lambda t: self.render.tag(repo, t),
        )
