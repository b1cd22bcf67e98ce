"""Forge-neutral scenario data: what an organization's repositories contain.

The same dataclasses feed FakeGitHub and FakeGitLab; each fake renders them in its own
wire format (a pull request is a GitLab merge request, a workflow run is a pipeline, a
GitLab group's subgroups are repositories whose full name has more path segments).
Datetimes are timezone-aware in whatever zone the "author" lived in; fakes render UTC.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

BOT_LOGINS = ("dependabot[bot]", "renovate[bot]", "github-actions[bot]")


def fake_sha(label: str) -> str:
    """A stable 40-hex SHA for a human label (scenario files use labels like ``c1``)."""
    if len(label) == 40 and all(c in "0123456789abcdef" for c in label):
        return label
    return hashlib.sha1(label.encode()).hexdigest()


@dataclass
class Person:
    name: str
    email: str
    login: str | None = None

    @property
    def is_bot(self) -> bool:
        return bool(self.login) and (self.login or "").endswith("[bot]")


@dataclass
class Commit:
    sha: str
    message: str
    author: Person
    committer: Person
    authored_at: datetime
    committed_at: datetime
    parents: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


@dataclass
class Pull:
    """A pull request (GitHub) or merge request (GitLab); ``number`` is the IID."""

    number: int
    title: str
    author: Person
    created_at: datetime
    state: str = "merged"  # open | merged | closed
    merge_style: str = "merge"  # merge | squash | rebase
    base: str = "main"
    head_ref: str = "feature"
    commits: list[str] = field(default_factory=list)  # the PR branch's own commits
    merged_at: datetime | None = None
    closed_at: datetime | None = None
    merge_commit_sha: str | None = None  # the merge/squash commit, or the last rebased one
    labels: list[str] = field(default_factory=list)
    id: int = 0
    landed: list[str] = field(default_factory=list)  # default-branch SHAs it produced

    @property
    def head_sha(self) -> str:
        return self.commits[-1] if self.commits else (self.merge_commit_sha or "")

    @property
    def updated_at(self) -> datetime:
        return self.merged_at or self.closed_at or self.created_at


@dataclass
class StatusEvent:
    state: str  # queued | in_progress | success | failure | error | inactive | pending
    at: datetime
    description: str = ""


@dataclass
class Deployment:
    id: int
    environment: str
    sha: str
    created_at: datetime
    ref: str = "main"
    task: str = "deploy"
    creator: Person | None = None
    statuses: list[StatusEvent] = field(default_factory=list)
    production: bool | None = None  # None: decided by the environment's tier
    iid: int = 0

    @property
    def updated_at(self) -> datetime:
        return self.statuses[-1].at if self.statuses else self.created_at

    @property
    def final_state(self) -> str:
        """Latest status ignoring ``inactive`` (which only marks a superseded success)."""
        states = [s.state for s in self.statuses if s.state != "inactive"]
        return states[-1] if states else "pending"


@dataclass
class Job:
    id: int
    name: str
    status: str  # success | failed | canceled | running ...
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    stage: str = "deploy"


@dataclass
class Workflow:
    id: int
    name: str
    path: str  # .github/workflows/deploy.yml
    state: str = "active"


@dataclass
class Run:
    """A GitHub Actions workflow run, or a GitLab pipeline."""

    id: int
    workflow_id: int
    name: str
    path: str
    branch: str
    head_sha: str
    created_at: datetime
    updated_at: datetime
    status: str = "completed"  # queued | in_progress | completed
    conclusion: str | None = "success"  # success | failure | cancelled | None
    event: str = "push"
    run_number: int = 1
    jobs: list[Job] = field(default_factory=list)


@dataclass
class Release:
    id: int
    tag: str
    name: str
    created_at: datetime
    published_at: datetime | None = None
    draft: bool = False
    prerelease: bool = False
    target: str = "main"


@dataclass
class Tag:
    name: str
    sha: str


@dataclass
class Issue:
    number: int
    title: str
    author: Person
    created_at: datetime
    state: str = "open"  # open | closed
    closed_at: datetime | None = None
    labels: list[str] = field(default_factory=list)
    issue_type: str = "issue"  # issue | incident
    id: int = 0

    @property
    def updated_at(self) -> datetime:
        return self.closed_at or self.created_at


@dataclass
class Environment:
    id: int
    name: str
    tier: str = "production"  # production | staging | testing | development | other


@dataclass
class Repo:
    """A repository or project; ``commits`` are in topological order, oldest first."""

    full_name: str
    id: int
    default_branch: str = "main"
    archived: bool = False
    private: bool = True
    visible: bool = True  # False: the token cannot see it (404)
    description: str = ""
    created_at: datetime | None = None
    commits: list[Commit] = field(default_factory=list)
    branches: dict[str, str] = field(default_factory=dict)
    pulls: list[Pull] = field(default_factory=list)
    deployments: list[Deployment] = field(default_factory=list)
    environments: list[Environment] = field(default_factory=list)
    workflows: list[Workflow] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)
    releases: list[Release] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.full_name.rsplit("/", 1)[-1]

    @property
    def namespace(self) -> str:
        """Owner (GitHub) or group path incl. subgroups (GitLab)."""
        return self.full_name.rsplit("/", 1)[0]

    @cached_property
    def commit_index(self) -> dict[str, int]:
        return {c.sha: i for i, c in enumerate(self.commits)}

    def commit(self, sha: str) -> Commit | None:
        i = self.commit_index.get(sha)
        return self.commits[i] if i is not None else None

    def resolve(self, ref: str) -> str | None:
        """A branch, tag or (prefix of a) SHA → full SHA."""
        if ref in self.branches:
            return self.branches[ref]
        for tag in self.tags:
            if tag.name == ref:
                return tag.sha
        if ref in self.commit_index:
            return ref
        if len(ref) >= 7:
            hits = [c.sha for c in self.commits if c.sha.startswith(ref)]
            return hits[0] if len(hits) == 1 else None
        return None

    def ancestors(self, sha: str) -> set[str]:
        """``sha`` and every commit reachable from it (memoised; don't mutate the result)."""
        cache: dict[str, set[str]] = self.__dict__.setdefault("_ancestors", {})
        if sha not in cache:
            cache[sha] = self._walk(sha)
        return cache[sha]

    def _walk(self, sha: str) -> set[str]:
        seen: set[str] = set()
        stack = [sha]
        while stack:
            cur = stack.pop()
            if cur in seen or cur not in self.commit_index:
                continue
            seen.add(cur)
            stack.extend(self.commits[self.commit_index[cur]].parents)
        return seen

    def history(self, head: str) -> list[Commit]:
        """Commits reachable from ``head``, oldest first (topological)."""
        reach = self.ancestors(head)
        return [c for c in self.commits if c.sha in reach]

    def pulls_of_commit(self, sha: str) -> list[Pull]:
        """Pull requests whose branch commits or merge commit include ``sha``."""
        return [
            p
            for p in self.pulls
            if sha in p.commits or sha in p.landed or sha == p.merge_commit_sha
        ]

    def pull(self, number: int) -> Pull | None:
        return next((p for p in self.pulls if p.number == number), None)

    def environment(self, name: str) -> Environment | None:
        return next((e for e in self.environments if e.name == name), None)

    def reset_caches(self) -> None:
        """Call after mutating ``commits``."""
        self.__dict__.pop("commit_index", None)
        self.__dict__.pop("_ancestors", None)


@dataclass
class Org:
    """An organization (GitHub) or top-level group (GitLab)."""

    name: str
    id: int = 1
    repos: list[Repo] = field(default_factory=list)

    def repo(self, full_name: str) -> Repo | None:
        return next((r for r in self.repos if r.full_name == full_name), None)


@dataclass
class Scenario:
    orgs: list[Org] = field(default_factory=list)
    user: Person = field(default_factory=lambda: Person("Octo Cat", "octo@example.com", "octocat"))

    def org(self, name: str) -> Org | None:
        return next((o for o in self.orgs if o.name == name), None)

    def repo(self, full_name: str) -> Repo | None:
        for org in self.orgs:
            found = org.repo(full_name)
            if found is not None:
                return found
        return None

    @property
    def repos(self) -> list[Repo]:
        return [r for org in self.orgs for r in org.repos]
