"""Canonical records: the only data that crosses the source boundary.

Every source (GitHub, GitLab, files, demo) turns what it reads into these frozen
dataclasses; the store keeps them, and metrics compute from them alone. Timestamps
are always timezone-aware and normalised to UTC on construction, so arithmetic
between records from different sources and time zones is always correct.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar, TypeVar


class DeploymentStatus(StrEnum):
    """Outcome of a deployment attempt."""

    SUCCESS = "success"
    FAILURE = "failure"
    ERROR = "error"
    CANCELLED = "cancelled"


class Detection(StrEnum):
    """How a source recognised something as a deployment."""

    DEPLOYMENT = "deployment"
    WORKFLOW_RUN = "workflow_run"
    PIPELINE = "pipeline"
    RELEASE = "release"
    TAG = "tag"
    FILE = "file"


def utc(value: datetime | None, name: str = "timestamp") -> datetime | None:
    """Return ``value`` in UTC; reject naive datetimes, whose meaning is a guess."""
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)


class _Record:
    """Shared behaviour: UTC normalisation and tuple coercion after construction."""

    _timestamps: ClassVar[tuple[str, ...]] = ()
    _tuples: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        for name in self._timestamps:
            object.__setattr__(self, name, utc(getattr(self, name), name))
        for name in self._tuples:
            object.__setattr__(self, name, tuple(getattr(self, name)))


@dataclass(frozen=True, slots=True)
class Repository(_Record):
    """A repository (GitHub) or project (GitLab) that deploys software."""

    full_name: str
    """Owner-qualified name, e.g. ``northwind/checkout`` or ``group/sub/project``."""
    default_branch: str = "main"
    """The branch production deployments are cut from."""
    archived: bool = False
    """Archived repositories are listed but skipped by collection by default."""
    url: str = ""
    """Web URL for people, never an API URL carrying credentials."""


@dataclass(frozen=True, slots=True)
class Change(_Record):
    """A commit that reached (or may reach) production, with its pull-request context."""

    _timestamps: ClassVar[tuple[str, ...]] = (
        "authored_at",
        "committed_at",
        "pr_opened_at",
        "pr_merged_at",
        "pr_first_commit_at",
    )
    _tuples: ClassVar[tuple[str, ...]] = ("pr_labels", "paths", "parents")

    repository: str
    """Full name of the repository the commit belongs to."""
    sha: str
    """Full commit SHA; unique within the repository."""
    authored_at: datetime
    """When the author wrote the commit (git author date) — DORA's 'committed' time."""
    committed_at: datetime
    """When the commit was (re)written, e.g. by a rebase or squash (git committer date)."""
    author: str = ""
    """Forge login of the author, or the git author name when no login is known."""
    is_bot: bool = False
    """True for automation (dependabot, renovate, ``[bot]`` logins); excluded by default."""
    message: str = ""
    """Commit message (first 1,000 characters); used to recognise reverts."""
    reverts: str | None = None
    """SHA this commit reverts, when the message or forge says so."""
    parents: tuple[str, ...] = ()
    """Parent SHAs; two or more for a merge commit."""
    pr_number: int | None = None
    """Pull request (GitHub) or merge request IID (GitLab) that brought the commit in."""
    pr_opened_at: datetime | None = None
    """When that pull/merge request was opened."""
    pr_merged_at: datetime | None = None
    """When that pull/merge request was merged."""
    pr_first_commit_at: datetime | None = None
    """Author time of the earliest commit in that pull/merge request."""
    pr_labels: tuple[str, ...] = ()
    """Labels of that pull/merge request (e.g. ``hotfix``, ``bug``)."""
    paths: tuple[str, ...] = ()
    """Files touched, when known; lets monorepo teams claim their own changes."""


@dataclass(frozen=True, slots=True)
class Deployment(_Record):
    """One attempt to deploy a version of a repository to an environment."""

    _timestamps: ClassVar[tuple[str, ...]] = ("created_at", "finished_at")
    _tuples: ClassVar[tuple[str, ...]] = ("change_shas",)

    id: str
    """Source-unique identifier (deployment id, run id, pipeline id, release tag...)."""
    repository: str
    """Full name of the repository deployed."""
    environment: str
    """Target environment name as the source reports it (e.g. ``production``)."""
    sha: str
    """Commit SHA deployed."""
    created_at: datetime
    """When the deployment was requested."""
    finished_at: datetime | None
    """When it reached its final status; None while still running."""
    status: DeploymentStatus
    """Final outcome."""
    detection: Detection
    """How the source recognised this as a deployment."""
    change_shas: tuple[str, ...] = ()
    """Commits this deployment shipped that the previous successful one did not."""
    is_production: bool = True
    """Whether the source considers the environment production."""

    def __post_init__(self) -> None:
        _Record.__post_init__(self)
        object.__setattr__(self, "status", DeploymentStatus(self.status))
        object.__setattr__(self, "detection", Detection(self.detection))


@dataclass(frozen=True, slots=True)
class Incident(_Record):
    """A production incident: an outage or degradation that needed remediation."""

    _timestamps: ClassVar[tuple[str, ...]] = ("created_at", "resolved_at", "acknowledged_at")
    _tuples: ClassVar[tuple[str, ...]] = ("labels", "services")

    id: str
    """Source-unique identifier (issue number, PagerDuty id...)."""
    repository: str
    """Repository (or service name) the incident belongs to."""
    title: str
    """Short description; untrusted text, escaped wherever shown."""
    created_at: datetime
    """When the incident was opened."""
    resolved_at: datetime | None = None
    """When service was restored (issue closed); None while open."""
    labels: tuple[str, ...] = ()
    """Labels or tags of the incident."""
    severity: str | None = None
    """Severity as given (``SEV1``, ``P2``...), when known."""
    linked_sha: str | None = None
    """Commit SHA blamed for the incident, when known."""
    linked_deployment: str | None = None
    """Deployment id blamed for the incident, when known."""
    acknowledged_at: datetime | None = None
    """When someone first acknowledged it (incident tools), when known."""
    status: str | None = None
    """Status as the tool reports it (``triggered``, ``acknowledged``, ``resolved``...)."""
    priority: str | None = None
    """Priority as given (``P1``...), when the tool has one besides severity."""
    urgency: str | None = None
    """Urgency (PagerDuty's ``high``/``low``), when the tool has one."""
    services: tuple[str, ...] = ()
    """Services, components or projects the incident touched, as the tool names them."""


@dataclass(frozen=True, slots=True)
class CollectionNote(_Record):
    """Something a collection could not do, kept for the report's data-quality page."""

    _timestamps: ClassVar[tuple[str, ...]] = ()

    repository: str
    """Repository concerned, or ``*`` for the whole source."""
    resource: str
    """What could not be collected (``deployments``, ``changes``, ``dora_api``...)."""
    message: str
    """One human sentence saying what happened; never contains a token."""
    level: str = field(default="warning")
    """``info``, ``warning`` or ``error``."""


Record = Repository | Change | Deployment | Incident | CollectionNote
R = TypeVar("R", Repository, Change, Deployment, Incident, CollectionNote)

RECORD_TYPES: dict[str, type] = {
    "repository": Repository,
    "change": Change,
    "deployment": Deployment,
    "incident": Incident,
    "note": CollectionNote,
}
KIND_OF: dict[type, str] = {cls: kind for kind, cls in RECORD_TYPES.items()}


def record_key(record: Record) -> str:
    """Identity of a record within its source: what an upsert replaces."""
    if isinstance(record, Repository):
        return record.full_name
    if isinstance(record, Change):
        return f"{record.repository}@{record.sha}"
    if isinstance(record, Deployment | Incident):
        return f"{record.repository}#{record.id}"
    return f"{record.repository}:{record.resource}:{record.message}"


def to_dict(record: Record) -> dict[str, Any]:
    """JSON-ready dict: timestamps as ISO 8601 UTC, tuples as lists, enums as strings."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, StrEnum):
            value = value.value
        out[f.name] = value
    return out


def from_dict(cls: type[R], data: dict[str, Any]) -> R:
    """Inverse of :func:`to_dict`; unknown keys are an error, not silently dropped."""
    unknown = data.keys() - _FIELD_NAMES[cls]
    if unknown:
        raise ValueError(f"unknown field(s) for {cls.__name__}: {', '.join(sorted(unknown))}")
    kwargs = dict(data)
    for name in getattr(cls, "_timestamps", ()):
        value = kwargs.get(name)
        if isinstance(value, str):
            kwargs[name] = datetime.fromisoformat(value)
    return cls(**kwargs)


# ``dataclasses.fields`` is slow enough to matter when the store reads millions of records
_FIELD_NAMES = {cls: frozenset(f.name for f in dataclasses.fields(cls)) for cls in KIND_OF}
