"""GitHub REST JSON bodies for scenario objects: complete items, URLs on the fake's host.

Every item carries every property of its OpenAPI schema, because PyGithub re-fetches an
object's ``url`` as soon as code reads an attribute missing from a list payload
(see ../shared/reference/forge-apis.md §0), which would distort request counts.
"""

from __future__ import annotations

import hashlib
from typing import Any

from .github_common import EPOCH, HTML, id_of, node_id, ts  # noqa: F401  (re-exported)
from .github_render_work import WorkRender
from .scenario import (
    Commit,
    Deployment,
    Environment,
    Org,
    Person,
    Release,
    Repo,
    StatusEvent,
    Tag,
)


class GitHubRender(WorkRender):
    """Renders objects with ``api`` (``http://127.0.0.1:PORT[/api/v3]``) in every URL."""

    def __init__(self, api: str) -> None:
        self.api = api
        self._repos: dict[tuple[int, str], dict[str, Any]] = {}

    # -- people ----------------------------------------------------------------------
    def user(self, login: str, kind: str = "User") -> dict[str, Any]:
        url = f"{self.api}/users/{login}"
        return {
            "login": login,
            "id": id_of(login),
            "node_id": node_id("U", login),
            "avatar_url": f"{HTML}/avatars/{login}",
            "gravatar_id": "",
            "url": url,
            "html_url": f"{HTML}/{login}",
            "followers_url": f"{url}/followers",
            "following_url": f"{url}/following{{/other_user}}",
            "gists_url": f"{url}/gists{{/gist_id}}",
            "starred_url": f"{url}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{url}/subscriptions",
            "organizations_url": f"{url}/orgs",
            "repos_url": f"{url}/repos",
            "events_url": f"{url}/events{{/privacy}}",
            "received_events_url": f"{url}/received_events",
            "type": "Bot" if login.endswith("[bot]") else kind,
            "site_admin": False,
            "user_view_type": "public",
        }

    def person(self, person: Person | None) -> dict[str, Any] | None:
        return self.user(person.login) if person and person.login else None

    def me(self, person: Person) -> dict[str, Any]:
        """``GET /user``: a private-user (``user_view_type`` picks the oneOf branch)."""
        login = person.login or "octocat"
        extra = {
            "name": person.name,
            "company": None,
            "blog": "",
            "location": None,
            "email": person.email,
            "hireable": None,
            "bio": None,
            "twitter_username": None,
            "public_repos": 0,
            "public_gists": 0,
            "followers": 0,
            "following": 0,
            "created_at": ts(EPOCH),
            "updated_at": ts(EPOCH),
            "private_gists": 0,
            "total_private_repos": 0,
            "owned_private_repos": 0,
            "disk_usage": 0,
            "collaborators": 0,
            "two_factor_authentication": True,
            "plan": {"collaborators": 0, "name": "pro", "space": 976562499, "private_repos": 9999},
            "notification_email": person.email,
        }
        return {**self.user(login), **extra, "user_view_type": "private"}

    # -- repositories ----------------------------------------------------------------
    def repo(self, repo: Repo, org: Org) -> dict[str, Any]:
        url = f"{self.api}/repos/{repo.full_name}"
        html = f"{HTML}/{repo.full_name}"
        pushed = max((c.committed_at for c in repo.commits), default=repo.created_at or EPOCH)
        urls = {
            f"{name}_url": f"{url}/{path}"
            for name, path in {
                "archive": "{archive_format}{/ref}",
                "assignees": "assignees{/user}",
                "blobs": "git/blobs{/sha}",
                "branches": "branches{/branch}",
                "collaborators": "collaborators{/collaborator}",
                "comments": "comments{/number}",
                "commits": "commits{/sha}",
                "compare": "compare/{base}...{head}",
                "contents": "contents/{+path}",
                "contributors": "contributors",
                "deployments": "deployments",
                "downloads": "downloads",
                "events": "events",
                "forks": "forks",
                "git_commits": "git/commits{/sha}",
                "git_refs": "git/refs{/sha}",
                "git_tags": "git/tags{/sha}",
                "hooks": "hooks",
                "issue_comment": "issues/comments{/number}",
                "issue_events": "issues/events{/number}",
                "issues": "issues{/number}",
                "keys": "keys{/key_id}",
                "labels": "labels{/name}",
                "languages": "languages",
                "merges": "merges",
                "milestones": "milestones{/number}",
                "notifications": "notifications{?since,all,participating}",
                "pulls": "pulls{/number}",
                "releases": "releases{/id}",
                "stargazers": "stargazers",
                "statuses": "statuses/{sha}",
                "subscribers": "subscribers",
                "subscription": "subscription",
                "tags": "tags",
                "teams": "teams",
                "trees": "git/trees{/sha}",
            }.items()
        }
        return {
            "id": repo.id,
            "node_id": node_id("R", repo.id),
            "name": repo.name,
            "full_name": repo.full_name,
            "private": repo.private,
            "owner": self.user(org.name, "Organization"),
            "html_url": html,
            "description": repo.description or None,
            "fork": False,
            "url": url,
            **urls,
            "git_url": f"git://github.example/{repo.full_name}.git",
            "ssh_url": f"git@github.example:{repo.full_name}.git",
            "clone_url": f"{html}.git",
            "mirror_url": None,
            "svn_url": html,
            "homepage": None,
            "language": "Python",
            "forks_count": 0,
            "forks": 0,
            "stargazers_count": 0,
            "watchers_count": 0,
            "watchers": 0,
            "size": 100,
            "default_branch": repo.default_branch,
            "open_issues_count": sum(1 for i in repo.issues if i.state == "open"),
            "open_issues": sum(1 for i in repo.issues if i.state == "open"),
            "is_template": False,
            "topics": [],
            "has_issues": True,
            "has_projects": False,
            "has_wiki": False,
            "has_pages": False,
            "has_downloads": True,
            "has_discussions": False,
            "archived": repo.archived,
            "disabled": False,
            "visibility": "private" if repo.private else "public",
            "pushed_at": ts(pushed),
            "created_at": ts(repo.created_at or EPOCH),
            "updated_at": ts(pushed),
            "permissions": {
                "admin": False,
                "maintain": False,
                "push": False,
                "triage": False,
                "pull": True,
            },
            "allow_rebase_merge": True,
            "allow_squash_merge": True,
            "allow_auto_merge": False,
            "delete_branch_on_merge": True,
            "allow_merge_commit": True,
            "allow_forking": False,
            "web_commit_signoff_required": False,
            "subscribers_count": 0,
            "network_count": 0,
            "license": None,
            "temp_clone_token": "",
            "security_and_analysis": None,
            "custom_properties": {},
        }

    # -- deployments -----------------------------------------------------------------
    def deployment(self, repo: Repo, dep: Deployment, production: bool) -> dict[str, Any]:
        url = f"{self.api}/repos/{repo.full_name}/deployments/{dep.id}"
        return {
            "url": url,
            "id": dep.id,
            "node_id": node_id("DE", dep.id),
            "sha": dep.sha,
            "ref": dep.ref,
            "task": dep.task,
            "payload": {},
            "original_environment": dep.environment,
            "environment": dep.environment,
            "description": None,
            "creator": self.person(dep.creator),
            "created_at": ts(dep.created_at),
            "updated_at": ts(dep.updated_at),
            "statuses_url": f"{url}/statuses",
            "repository_url": f"{self.api}/repos/{repo.full_name}",
            "transient_environment": False,
            "production_environment": production,
            "performed_via_github_app": None,
        }

    def deployment_status(
        self, repo: Repo, dep: Deployment, index: int, event: StatusEvent
    ) -> dict[str, Any]:
        dep_url = f"{self.api}/repos/{repo.full_name}/deployments/{dep.id}"
        sid = dep.id * 100 + index + 1
        return {
            "url": f"{dep_url}/statuses/{sid}",
            "id": sid,
            "node_id": node_id("DES", sid),
            "state": event.state,
            "creator": self.person(dep.creator),
            "description": event.description,
            "environment": dep.environment,
            "target_url": "",
            "log_url": "",
            "environment_url": "",
            "created_at": ts(event.at),
            "updated_at": ts(event.at),
            "deployment_url": dep_url,
            "repository_url": f"{self.api}/repos/{repo.full_name}",
            "performed_via_github_app": None,
        }

    def environment(self, repo: Repo, env: Environment) -> dict[str, Any]:
        return {
            "id": env.id,
            "node_id": node_id("EN", env.id),
            "name": env.name,
            "url": f"{self.api}/repos/{repo.full_name}/environments/{env.name}",
            "html_url": f"{HTML}/{repo.full_name}/deployments/activity_log?environments_filter={env.name}",
            "created_at": ts(repo.created_at or EPOCH),
            "updated_at": ts(repo.created_at or EPOCH),
            "protection_rules": [],
            "deployment_branch_policy": None,
        }

    # -- releases and tags -----------------------------------------------------------
    def release(self, repo: Repo, rel: Release) -> dict[str, Any]:
        url = f"{self.api}/repos/{repo.full_name}/releases/{rel.id}"
        return {
            "url": url,
            "html_url": f"{HTML}/{repo.full_name}/releases/tag/{rel.tag}",
            "assets_url": f"{url}/assets",
            "upload_url": f"{url}/assets{{?name,label}}",
            "tarball_url": f"{self.api}/repos/{repo.full_name}/tarball/{rel.tag}",
            "zipball_url": f"{self.api}/repos/{repo.full_name}/zipball/{rel.tag}",
            "id": rel.id,
            "node_id": node_id("RE", rel.id),
            "tag_name": rel.tag,
            "target_commitish": rel.target,
            "name": rel.name,
            "body": "",
            "draft": rel.draft,
            "prerelease": rel.prerelease,
            "immutable": False,
            "created_at": ts(rel.created_at),
            "published_at": ts(rel.published_at),
            "updated_at": ts(rel.published_at or rel.created_at),
            "author": self.user("octocat"),
            "assets": [],
            "body_html": "",
            "body_text": "",
            "mentions_count": 0,
            "discussion_url": f"{HTML}/{repo.full_name}/discussions",
            "reactions": self.reactions(url),
        }

    def tag(self, repo: Repo, tag: Tag) -> dict[str, Any]:
        base = f"{self.api}/repos/{repo.full_name}"
        return {
            "name": tag.name,
            "commit": {"sha": tag.sha, "url": f"{base}/commits/{tag.sha}"},
            "zipball_url": f"{base}/zipball/{tag.name}",
            "tarball_url": f"{base}/tarball/{tag.name}",
            "node_id": node_id("TA", f"{repo.full_name}:{tag.name}"),
        }

    # -- commits ---------------------------------------------------------------------
    def commit(self, repo: Repo, c: Commit, files: bool = False) -> dict[str, Any]:
        url = f"{self.api}/repos/{repo.full_name}/commits/{c.sha}"
        git = f"{self.api}/repos/{repo.full_name}/git"
        out: dict[str, Any] = {
            "url": url,
            "sha": c.sha,
            "node_id": node_id("C", c.sha),
            "html_url": f"{HTML}/{repo.full_name}/commit/{c.sha}",
            "comments_url": f"{url}/comments",
            "commit": {
                "url": f"{git}/commits/{c.sha}",
                "author": {
                    "name": c.author.name,
                    "email": c.author.email,
                    "date": ts(c.authored_at),
                },
                "committer": {
                    "name": c.committer.name,
                    "email": c.committer.email,
                    "date": ts(c.committed_at),
                },
                "message": c.message,
                "comment_count": 0,
                "tree": {"sha": c.sha[::-1], "url": f"{git}/trees/{c.sha[::-1]}"},
                "verification": {
                    "verified": False,
                    "reason": "unsigned",
                    "signature": None,
                    "payload": None,
                    "verified_at": None,
                },
            },
            "author": self.person(c.author) or {},
            "committer": self.person(c.committer) or {},
            "parents": [
                {
                    "sha": p,
                    "url": f"{self.api}/repos/{repo.full_name}/commits/{p}",
                    "html_url": f"{HTML}/{repo.full_name}/commit/{p}",
                }
                for p in c.parents
            ],
        }
        if files:
            out["stats"] = {"additions": len(c.files), "deletions": 0, "total": len(c.files)}
            out["files"] = [self.diff_entry(repo, c.sha, f) for f in c.files]
        return out

    def diff_entry(self, repo: Repo, sha: str, path: str) -> dict[str, Any]:
        base = f"{self.api}/repos/{repo.full_name}"
        return {
            "sha": hashlib.sha1(f"{sha}:{path}".encode()).hexdigest(),
            "filename": path,
            "status": "modified",
            "additions": 1,
            "deletions": 0,
            "changes": 1,
            "blob_url": f"{HTML}/{repo.full_name}/blob/{sha}/{path}",
            "raw_url": f"{HTML}/{repo.full_name}/raw/{sha}/{path}",
            "contents_url": f"{base}/contents/{path}?ref={sha}",
            "patch": "@@ -1 +1 @@",
        }

    # -- pull requests and issues ----------------------------------------------------
    # -- actions -----------------------------------------------------------------------
    def minimal_repo(self, repo: Repo, org: Org) -> dict[str, Any]:
        """The form nested in runs and pulls; memoised, as it is large and repeated."""
        key = (repo.id, repo.default_branch)
        if key not in self._repos:
            self._repos[key] = self.repo(repo, org)
        return self._repos[key]
