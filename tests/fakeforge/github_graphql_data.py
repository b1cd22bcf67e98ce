"""Scenario objects as GitHub GraphQL values, for the fake ``POST /graphql``.

graphql-core's default resolver reads a dict key named like the field and, when the value
is callable, calls it with ``(info, **arguments)``; so every object here is a dict whose
plain fields are values and whose fields with arguments (connections, ``object``,
``history``) are small functions. Only the fields a collector reads have values; any other
field resolves to null. The data is the same scenario the REST fake serves, so both APIs
describe one history: same SHAs, times, logins (a bot's ``login`` without ``[bot]`` here,
with it on REST), URLs.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from graphql import GraphQLError

from .github_common import HTML, id_of, node_id, ts
from .scenario import Commit, Deployment, Issue, Org, Person, Pull, Repo, Scenario

Value = dict[str, Any]


class NotFoundError(GraphQLError):
    """GitHub's ``type: NOT_FOUND`` error: the field is null, the error names its path."""

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"type": "NOT_FOUND"})


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def cursor(index: int) -> str:
    return base64.b64encode(f"cursor:{index}".encode()).decode()


def _offset(after: str | None) -> int:
    """Items after ``after`` start at this index; a cursor we never issued is refused."""
    if not after:
        return 0
    try:
        return int(base64.b64decode(after).decode().removeprefix("cursor:")) + 1
    except (ValueError, UnicodeDecodeError):
        raise GraphQLError(f"`{after}` does not appear to be a valid cursor.") from None


def connection(items: Sequence[Any], render: Callable[[Any], Value], args: dict[str, Any]) -> Value:
    """One page of a cursor connection: ``nodes``, ``edges``, ``pageInfo``, ``totalCount``.
    ``first``/``last`` are already checked (1..100) by the endpoint before execution."""
    start = _offset(args.get("after"))
    end = len(items)
    if args.get("before"):
        end = min(end, _offset(args["before"]) - 1)
    if args.get("first") is not None:
        window = range(start, min(end, start + int(args["first"])))
    else:
        window = range(max(start, end - int(args.get("last") or 0)), end)
    nodes = [render(items[i]) for i in window]
    return {
        "nodes": nodes,
        "edges": [{"cursor": cursor(i), "node": n} for i, n in zip(window, nodes, strict=True)],
        "totalCount": len(items),
        "pageInfo": {
            "hasNextPage": window.stop < end,
            "hasPreviousPage": window.start > 0,
            "startCursor": cursor(window.start) if nodes else None,
            "endCursor": cursor(window.stop - 1) if nodes else None,
        },
    }


def _ordered(items: list[Any], order: dict[str, Any] | None, fields: dict[str, str]) -> list[Any]:
    """Sort by an ``orderBy`` input (``{field, direction}``); ties by number/id as GitHub."""
    if not order:
        return items
    key = fields[order["field"]]
    tie = "number" if items and hasattr(items[0], "number") else "id"
    return sorted(
        items,
        key=lambda i: (getattr(i, key), getattr(i, tie)),
        reverse=order["direction"] == "DESC",
    )


class GraphData:
    """Builds resolver values over ``scenario`` for a server whose web host is :data:`HTML`."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario

    # -- root ------------------------------------------------------------------------
    def root(self, rate_limit: Callable[..., Value]) -> Value:
        return {
            "repository": self._repository_field,
            "organization": self._organization_field,
            "rateLimit": rate_limit,
        }

    def _repository_field(self, info: Any, owner: str, name: str, **_: Any) -> Value:
        repo = self._visible(f"{owner}/{name}")
        if repo is None:
            raise NotFoundError(
                f"Could not resolve to a Repository with the name '{owner}/{name}'."
            )
        return self.repository(repo)

    def _organization_field(self, info: Any, login: str) -> Value:
        org = self.scenario.org(login)
        if org is None:
            raise NotFoundError(
                f"Could not resolve to an Organization with the login of '{login}'."
            )
        return self.organization(org)

    def _visible(self, full_name: str) -> Repo | None:
        repo = self.scenario.repo(full_name)
        ok = repo is not None and repo.visible and full_name.count("/") == 1
        return repo if ok else None

    # -- owners and repositories -------------------------------------------------------
    def organization(self, org: Org) -> Value:
        def repositories(info: Any, **args: Any) -> Value:
            repos = [r for r in org.repos if r.visible and r.full_name.count("/") == 1]
            order = args.get("orderBy") or {"field": "CREATED_AT", "direction": "DESC"}
            if order["field"] == "NAME":
                repos.sort(key=lambda r: r.full_name.lower(), reverse=order["direction"] == "DESC")
            else:
                repos.sort(key=lambda r: r.id, reverse=order["direction"] == "DESC")
            return connection(repos, self.repository, args)

        return {"__typename": "Organization", "login": org.name, "repositories": repositories}

    def repository(self, repo: Repo) -> Value:
        head = repo.branches.get(repo.default_branch)
        return {
            "__typename": "Repository",
            "id": node_id("R", repo.id),
            "databaseId": repo.id,
            "name": repo.name,
            "nameWithOwner": repo.full_name,
            "url": f"{HTML}/{repo.full_name}",
            "isArchived": repo.archived,
            "isPrivate": repo.private,
            "defaultBranchRef": {
                "name": repo.default_branch,
                "target": (lambda info: self._commit_or_none(repo, head)),
            },
            "deployments": lambda info, **a: self._deployments(repo, a),
            "object": lambda info, **a: self._object(repo, a),
            "pullRequests": lambda info, **a: self._pulls(repo, a),
            "pullRequest": lambda info, number: self._pull_field(repo, number),
            "issues": lambda info, **a: self._issues(repo, a),
        }

    # -- deployments -----------------------------------------------------------------
    def _deployments(self, repo: Repo, args: dict[str, Any]) -> Value:
        found = list(repo.deployments)
        if args.get("environments"):
            found = [d for d in found if d.environment in args["environments"]]
        order = args.get("orderBy") or {"field": "CREATED_AT", "direction": "ASC"}
        found = _ordered(found, order, {"CREATED_AT": "created_at"})
        return connection(found, lambda d: self.deployment(repo, d), args)

    def deployment(self, repo: Repo, dep: Deployment) -> Value:
        newest_first = list(enumerate(dep.statuses))[::-1]
        latest = self._status(dep, *newest_first[0]) if newest_first else None
        return {
            "__typename": "Deployment",
            "id": node_id("DE", dep.id),
            "databaseId": dep.id,
            "environment": dep.environment,
            "originalEnvironment": dep.environment,
            "commitOid": dep.sha,
            "createdAt": ts(dep.created_at),
            "updatedAt": ts(dep.updated_at),
            "task": dep.task,
            "state": _deployment_state(dep),
            "latestStatus": latest,
            "statuses": lambda info, **a: connection(
                newest_first, lambda ie: self._status(dep, *ie), a
            ),
        }

    @staticmethod
    def _status(dep: Deployment, index: int, event: Any) -> Value:
        return {
            "__typename": "DeploymentStatus",
            "id": node_id("DES", dep.id * 100 + index + 1),
            "state": event.state.upper(),
            "description": event.description,
            "environment": dep.environment,
            "createdAt": ts(event.at),
            "updatedAt": ts(event.at),
        }

    # -- git -------------------------------------------------------------------------
    def _object(self, repo: Repo, args: dict[str, Any]) -> Value | None:
        ref = args.get("oid") or args.get("expression") or ""
        sha = repo.resolve(ref) if len(ref) != 40 else (ref if ref in repo.commit_index else None)
        return self._commit_or_none(repo, sha)

    def _commit_or_none(self, repo: Repo, sha: str | None) -> Value | None:
        commit = repo.commit(sha) if sha else None
        return self.commit(repo, commit) if commit else None

    def commit(self, repo: Repo, c: Commit) -> Value:
        def history(info: Any, **args: Any) -> Value:
            found = repo.history(c.sha)[::-1]
            if args.get("since"):
                found = [x for x in found if x.committed_at >= _when(args["since"])]
            if args.get("until"):
                found = [x for x in found if x.committed_at <= _when(args["until"])]
            return connection(found, lambda x: self.commit(repo, x), args)

        return {
            "__typename": "Commit",
            "id": node_id("C", c.sha),
            "oid": c.sha,
            "abbreviatedOid": c.sha[:7],
            "message": c.message,
            "messageHeadline": c.message.split("\n", 1)[0],
            "authoredDate": ts(c.authored_at),
            "committedDate": ts(c.committed_at),
            "author": self.git_actor(c.author, c.authored_at),
            "committer": self.git_actor(c.committer, c.committed_at),
            "url": f"{HTML}/{repo.full_name}/commit/{c.sha}",
            "parents": lambda info, **a: connection(
                c.parents, lambda sha: {"__typename": "Commit", "oid": sha}, a
            ),
            "history": history,
        }

    def git_actor(self, person: Person, when: datetime) -> Value:
        """A bot is not a ``User``: its commits have ``user`` null (README fact 7)."""
        user = self.user(person) if person.login and not person.is_bot else None
        return {"name": person.name, "email": person.email, "date": ts(when), "user": user}

    # -- actors ----------------------------------------------------------------------
    @staticmethod
    def user(person: Person) -> Value:
        login = person.login or ""
        return {
            "__typename": "User",
            "login": login,
            "databaseId": id_of(login),
            "id": node_id("U", login),
            "url": f"{HTML}/{login}",
        }

    def actor(self, person: Person | None) -> Value | None:
        """``Actor``: a ``Bot`` (login without ``[bot]``, as GitHub's GraphQL shows it) or a
        ``User``; null for a person the forge does not know."""
        if person is None or not person.login:
            return None
        if person.is_bot:
            login = person.login.removesuffix("[bot]")
            return {
                "__typename": "Bot",
                "login": login,
                "id": node_id("BOT", login),
                "url": f"{HTML}/apps/{login}",
            }
        return self.user(person)

    # -- pull requests and issues ------------------------------------------------------
    def _pulls(self, repo: Repo, args: dict[str, Any]) -> Value:
        states = {s.lower() for s in args.get("states") or ("OPEN", "CLOSED", "MERGED")}
        found = [p for p in repo.pulls if p.state in states]
        if args.get("baseRefName"):
            found = [p for p in found if p.base == args["baseRefName"]]
        if args.get("labels"):
            found = [p for p in found if set(args["labels"]) & set(p.labels)]
        order = args.get("orderBy") or {"field": "CREATED_AT", "direction": "ASC"}
        found = _ordered(found, order, {"CREATED_AT": "created_at", "UPDATED_AT": "updated_at"})
        return connection(found, lambda p: self.pull(repo, p), args)

    def _pull_field(self, repo: Repo, number: int) -> Value | None:
        pull = repo.pull(number)
        if pull is None:
            raise NotFoundError(f"Could not resolve to a PullRequest with the number of {number}.")
        return self.pull(repo, pull)

    def pull(self, repo: Repo, p: Pull) -> Value:
        merge = repo.commit(p.merge_commit_sha) if p.merge_commit_sha and p.merged_at else None
        commits = [c for c in (repo.commit(s) for s in p.commits) if c is not None][:250]
        return {
            "__typename": "PullRequest",
            "id": node_id("PR", f"{repo.full_name}#{p.number}"),
            "number": p.number,
            "title": p.title,
            "state": p.state.upper(),
            "merged": p.state == "merged",
            "createdAt": ts(p.created_at),
            "updatedAt": ts(p.updated_at),
            "mergedAt": ts(p.merged_at),
            "closedAt": ts(p.closed_at or p.merged_at),
            "baseRefName": p.base,
            "headRefName": p.head_ref,
            "mergeCommit": self.commit(repo, merge) if merge else None,
            "author": self.actor(p.author),
            "labels": lambda info, **a: self._labels(p.labels, a),
            "commits": lambda info, **a: connection(
                commits,
                lambda c: {"__typename": "PullRequestCommit", "commit": self.commit(repo, c)},
                a,
            ),
            "url": f"{HTML}/{repo.full_name}/pull/{p.number}",
        }

    @staticmethod
    def _labels(names: Sequence[str], args: dict[str, Any]) -> Value:
        return connection(list(names), lambda n: {"__typename": "Label", "name": n}, args)

    def _issues(self, repo: Repo, args: dict[str, Any]) -> Value:
        """Issues only (GraphQL lists pull requests separately, unlike REST)."""
        filters = args.get("filterBy") or {}
        states = {
            s.lower() for s in args.get("states") or filters.get("states") or ("OPEN", "CLOSED")
        }
        found = [i for i in repo.issues if i.state in states]
        labels = args.get("labels") or filters.get("labels")
        if labels:
            found = [i for i in found if set(labels) & set(i.labels)]
        if filters.get("since"):
            found = [i for i in found if i.updated_at >= _when(filters["since"])]
        order = args.get("orderBy") or {"field": "CREATED_AT", "direction": "ASC"}
        found = _ordered(found, order, {"CREATED_AT": "created_at", "UPDATED_AT": "updated_at"})
        return connection(found, lambda i: self.issue(repo, i), args)

    def issue(self, repo: Repo, i: Issue) -> Value:
        return {
            "__typename": "Issue",
            "id": node_id("I", f"{repo.full_name}#{i.number}"),
            "number": i.number,
            "title": i.title,
            "state": i.state.upper(),
            "createdAt": ts(i.created_at),
            "updatedAt": ts(i.updated_at),
            "closedAt": ts(i.closed_at),
            "author": self.actor(i.author),
            "labels": lambda info, **a: self._labels(i.labels, a),
            "url": f"{HTML}/{repo.full_name}/issues/{i.number}",
        }


def _deployment_state(dep: Deployment) -> str:
    """``Deployment.state``: the latest status as the deployment's own state; a
    superseded success reads ``INACTIVE``, as on GitHub."""
    if not dep.statuses:
        return "PENDING"
    last = dep.statuses[-1].state
    known = {"success": "ACTIVE", "failure": "FAILURE", "error": "ERROR", "inactive": "INACTIVE"}
    return known.get(last, "IN_PROGRESS" if last == "in_progress" else "PENDING")
