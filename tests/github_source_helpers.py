"""Helpers shared by the GitHub source tests: build a source on a fake, run a collection."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from opsmaturity.config import GitHubSource as GitHubConfig
from opsmaturity.records import Deployment, Record, record_key
from opsmaturity.sources.base import MemoryCheckpoints, Window
from opsmaturity.sources.github import GitHubSource
from tests.fakeforge.github import FakeGitHub

ENV = "GH_TEST_TOKEN"
WINDOW = Window(datetime(2026, 7, 3, tzinfo=UTC), datetime(2026, 7, 10, tzinfo=UTC))


@dataclass
class Recorder:
    """Progress sink and sleeper that remember what they were told (and never sleep)."""

    waits: list[tuple[float, str]] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)
    advanced: dict[tuple[str, str], int] = field(default_factory=dict)

    def advance(self, repository: str, resource: str, count: int = 1) -> None:
        key = (repository, resource)
        self.advanced[key] = self.advanced.get(key, 0) + count

    def waiting(self, seconds: float, reason: str) -> None:
        self.waits.append((seconds, reason))

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


def make_source(
    server: FakeGitHub,
    *,
    token: str | None = None,
    recorder: Recorder | None = None,
    checkpoints: MemoryCheckpoints | None = None,
    path_repositories: Iterable[str] = (),
    **config: Any,
) -> GitHubSource:
    options: dict[str, Any] = {"kind": "github", "base_url": server.api, "token_env": ENV}
    if "repositories" not in config:
        options["org"] = "northwind"
    options.update(config)
    recorder = recorder or Recorder()
    source = GitHubSource.from_config(
        GitHubConfig(**options),
        "github",
        env={ENV: token or server.token},
        path_repositories=path_repositories,
        sleep=recorder.sleep,
    )
    source.open(recorder, checkpoints if checkpoints is not None else MemoryCheckpoints())
    return source


def collect(
    source: GitHubSource, window: Window = WINDOW, store: dict[str, Record] | None = None
) -> dict[str, Record]:
    """The lead's collector contract in miniature: per repository deployments → changes →
    incidents, each batch upserted by key once the source has yielded all of it."""
    store = {} if store is None else store
    repos = source.repositories()
    store.update({record_key(r): r for r in repos})
    for repo in repos:
        deployments = list(source.deployments(repo, window))
        store.update({record_key(r): r for r in deployments})
        shipped = [d for d in deployments if isinstance(d, Deployment)]
        store.update({record_key(r): r for r in source.changes(repo, window, shipped)})
        store.update({record_key(r): r for r in source.incidents(repo, window)})
    return store


def of_type(store: dict[str, Record], cls: type) -> dict[str, Any]:
    return {k: v for k, v in store.items() if isinstance(v, cls)}
