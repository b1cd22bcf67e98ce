"""FakeGitHub's pull-request and issue routes (GitHub lists pull requests among issues).

A mixin of :class:`~.github.FakeGitHub`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .server import Request, Response


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class PullRoutes:
    """Needs ``_repo``, ``_org``, ``_paged``, ``render``, ``not_found`` (see :class:`~.github.FakeGitHub`)."""

    def pulls(self, req: Request) -> Response:
        repo = self._repo(req)
        assert repo is not None
        state = req.arg("state", "open")
        found = [
            p for p in repo.pulls if state == "all" or (state == "open") == (p.state == "open")
        ]
        if req.arg("base"):
            found = [p for p in found if p.base == req.arg("base")]
        if req.arg("head"):
            found = [p for p in found if req.arg("head", "").split(":")[-1] == p.head_ref]
        key = "updated_at" if req.arg("sort") == "updated" else "created_at"
        found.sort(
            key=lambda p: (getattr(p, key), p.number),
            reverse=req.arg("direction", "desc") == "desc",
        )
        org = self._org(repo)
        return self._paged(req, found, lambda p: self.render.pull(repo, org, p))

    def pull(self, req: Request) -> Response:
        repo = self._repo(req)
        assert repo is not None
        p = repo.pull(int(req.params["number"]))
        if p is None:
            return self.not_found(req)
        return Response(200, self.render.pull(repo, self._org(repo), p, full=True))

    def issues(self, req: Request) -> Response:
        """Issues *and* pull requests (GitHub lists both), newest first by default."""
        repo = self._repo(req)
        assert repo is not None
        state = req.arg("state", "open")
        items: list[Any] = [*repo.issues, *repo.pulls]
        items = [i for i in items if state == "all" or (state == "open") == (i.state == "open")]
        labels = [x for x in (req.arg("labels") or "").split(",") if x]
        items = [i for i in items if all(label in i.labels for label in labels)]
        if req.arg("since"):
            items = [i for i in items if i.updated_at >= _when(req.arg("since") or "")]
        key = "updated_at" if req.arg("sort") == "updated" else "created_at"
        items.sort(
            key=lambda i: (getattr(i, key), i.number),
            reverse=req.arg("direction", "desc") == "desc",
        )
        return self._paged(req, items, lambda i: self.render.issue(repo, i))

    def org_issues(self, req: Request) -> Response:
        """``/orgs/{org}/issues``: issues and pull requests of every visible repository,
        each with its ``repository``. GitHub's ``filter`` defaults to ``assigned`` (to
        the caller); nothing in a scenario is assigned, so only ``all``/``repos`` (every
        issue the caller can see) and ``created`` (by the caller) return anything."""
        org = self.scenario.org(req.params["org"])
        if org is None:
            return self.not_found(req)
        who = req.arg("filter", "assigned")
        login = self.scenario.user.login
        state = req.arg("state", "open")
        labels = [x for x in (req.arg("labels") or "").split(",") if x]
        since = _when(req.arg("since") or "") if req.arg("since") else None
        items: list[tuple[Any, Any]] = []
        for repo in self._github_repos(org):
            for i in [*repo.issues, *repo.pulls]:
                if who in ("assigned", "mentioned", "subscribed"):
                    continue
                if who == "created" and i.author.login != login:
                    continue
                if state != "all" and (state == "open") != (i.state == "open"):
                    continue
                if not all(label in i.labels for label in labels):
                    continue
                if since is not None and i.updated_at < since:
                    continue
                items.append((repo, i))
        key = "updated_at" if req.arg("sort") == "updated" else "created_at"
        items.sort(
            key=lambda ri: (getattr(ri[1], key), ri[0].full_name, ri[1].number),
            reverse=req.arg("direction", "desc") == "desc",
        )
        return self._paged(
            req,
            items,
            lambda ri: {
                **self.render.issue(ri[0], ri[1]),
                "repository": self.render.repo(ri[0], org),
            },
        )

    def issue(self, req: Request) -> Response:
        repo = self._repo(req)
        assert repo is not None
        number = int(req.params["number"])
        found = [i for i in [*repo.issues, *repo.pulls] if i.number == number]
        return Response(200, self.render.issue(repo, found[0])) if found else self.not_found(req)
