"""FakeGitHub's git-history routes: commits, one commit, compare, PR commits.

A mixin of :class:`~.github.FakeGitHub`; compare follows GitHub: at most 250 commits
(the newest) without paging parameters, pages of up to 1,000 with them, files on page 1.
"""

from __future__ import annotations

from datetime import datetime

from .pagination import link_header, page_args, paginate
from .server import Request, Response

DOCS = "https://docs.github.com/rest"


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class GitRoutes:
    """Needs ``_repo``, ``_org``, ``_paged``, ``render``, ``api``, ``page_url``, ``not_found``."""

    def commits(self, req: Request) -> Response:
        repo = self._repo(req)
        assert repo is not None
        head = repo.resolve(req.arg("sha") or repo.default_branch)
        if head is None:
            return Response(404, {"message": "Not Found", "documentation_url": DOCS})
        found = repo.history(head)[::-1]
        path, since, until = req.arg("path"), req.arg("since"), req.arg("until")
        who = req.arg("author")
        if path:
            found = [
                c
                for c in found
                if any(f == path or f.startswith(path.rstrip("/") + "/") for f in c.files)
            ]
        if since:
            found = [c for c in found if c.committed_at >= _when(since)]
        if until:
            found = [c for c in found if c.committed_at <= _when(until)]
        if who:
            found = [c for c in found if who in (c.author.login, c.author.email)]
        return self._paged(req, found, lambda c: self.render.commit(repo, c))

    def commit(self, req: Request) -> Response:
        repo = self._repo(req)
        assert repo is not None
        sha = repo.resolve(req.params["ref"])
        c = repo.commit(sha) if sha else None
        if c is None:
            return Response(
                422,
                {
                    "message": f"No commit found for SHA: {req.params['ref']}",
                    "documentation_url": DOCS,
                    "status": "422",
                },
            )
        return Response(200, self.render.commit(repo, c, files=True))

    def commit_pulls(self, req: Request) -> Response:
        repo = self._repo(req)
        assert repo is not None
        sha = repo.resolve(req.params["ref"]) or req.params["ref"]
        org = self._org(repo)
        return self._paged(req, repo.pulls_of_commit(sha), lambda p: self.render.pull(repo, org, p))

    def compare(self, req: Request) -> Response:
        repo = self._repo(req)
        assert repo is not None
        base, head = repo.resolve(req.params["base"]), repo.resolve(req.params["head"])
        if base is None or head is None:
            return self.not_found(req)
        of_base, of_head = repo.ancestors(base), repo.ancestors(head)
        behind_set, common = of_base - of_head, of_base & of_head
        ahead = [c for c in repo.history(head) if c.sha not in of_base]
        merge_base = max(common, key=lambda s: repo.commit_index[s]) if common else base
        status = (
            "identical"
            if not ahead and not behind_set
            else "ahead"
            if not behind_set
            else "behind"
            if not ahead
            else "diverged"
        )
        url = (
            f"{self.api}/repos/{repo.full_name}/compare/{req.params['base']}...{req.params['head']}"
        )
        files = sorted({f for c in ahead for f in c.files})
        paging = "page" in req.query or "per_page" in req.query
        link = None
        if paging:
            page_no, per_page = page_args(req.query, 250, 1000)
            page = paginate(ahead, page_no, per_page)
            shown = page.items
            carry = per_page if "per_page" in req.query else None
            link = link_header(
                {
                    "prev": page.prev_page,
                    "next": page.next_page,
                    "last": page.last_page if page.next_page else None,
                    "first": 1 if page.prev_page else None,
                },
                lambda n: self.page_url(req, n, carry),
            )
            files = files if page_no == 1 else []
        else:
            shown = ahead[-250:]
        mb = repo.commit(merge_base)
        assert mb is not None
        body = {
            "url": url,
            "html_url": url.replace(self.api, "https://github.example"),
            "permalink_url": url,
            "diff_url": f"{url}.diff",
            "patch_url": f"{url}.patch",
            "base_commit": self.render.commit(repo, repo.commit(base) or mb),
            "merge_base_commit": self.render.commit(repo, mb),
            "status": status,
            "ahead_by": len(ahead),
            "behind_by": len(behind_set),
            "total_commits": len(ahead),
            "commits": [self.render.commit(repo, c) for c in shown],
            "files": [self.render.diff_entry(repo, head, f) for f in files[:300]],
        }
        return Response(200, body, {"Link": link} if link else {})

    def pull_commits(self, req: Request) -> Response:
        repo = self._repo(req)
        assert repo is not None
        p = repo.pull(int(req.params["number"]))
        if p is None:
            return self.not_found(req)
        commits = [c for c in (repo.commit(s) for s in p.commits) if c is not None][:250]
        return self._paged(req, commits, lambda c: self.render.commit(repo, c))
