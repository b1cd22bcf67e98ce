"""Helpers shared by the GitLab source tests: building a source, and a tiny collector.

The collector follows the lead's contract (``collect.py``): per repository,
``deployments(repo, window)`` → ``changes(repo, window, deployments)`` → ``incidents(repo,
window)``, every record upserted by :func:`record_key` as it arrives.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from opsmaturity.records import Deployment, Record, record_key
from opsmaturity.sources.base import Window
from opsmaturity.sources.gitlab import GitLabSource
from opsmaturity.sources.gitlab.client import GitLabAPI
from tests.fakeforge.gitlab import FakeGitLab
from tests.fakeforge.gitlab_scenarios import at

TOKEN = "glpat-SECRET-do-not-print-42"
WINDOW = Window(at(6, 15), at(10, 1))


def make_source(fake: FakeGitLab, *, max_retries: int = 3, **kwargs: Any) -> GitLabSource:
    api = GitLabAPI(fake.url, TOKEN, "GITLAB_TOKEN", max_retries=max_retries)
    kwargs.setdefault("group", "northwind")
    return GitLabSource("gitlab", api, **kwargs)


@dataclass
class Waits:
    """A Progress that records waits and counts."""

    waits: list[tuple[float, str]] = field(default_factory=list)
    counts: dict[tuple[str, str], int] = field(default_factory=dict)

    def advance(self, repository: str, resource: str, count: int = 1) -> None:
        key = (repository, resource)
        self.counts[key] = self.counts.get(key, 0) + count

    def waiting(self, seconds: float, reason: str) -> None:
        self.waits.append((seconds, reason))


Store = dict[tuple[str, str], Record]


def upsert(store: Store, records: Iterable[Record]) -> list[Record]:
    batch = list(records)
    for r in batch:
        store[(type(r).__name__, record_key(r))] = r
    return batch


def collect(source: GitLabSource, store: Store, window: Window = WINDOW) -> Store:
    for repo in source.repositories():
        upsert(store, [repo])
        deps = upsert(store, source.deployments(repo, window))
        shipped = [d for d in deps if isinstance(d, Deployment)]
        upsert(store, source.changes(repo, window, shipped))
        upsert(store, source.incidents(repo, window))
    return store


def of_kind(store: Store, kind: type) -> list[Any]:
    return sorted((r for r in store.values() if isinstance(r, kind)), key=record_key)
