"""Helpers for the GitHub GraphQL tests: the same source over REST and over GraphQL."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from opsmaturity.config import GitHubSource as GitHubConfig
from opsmaturity.records import Record
from opsmaturity.sources.base import MemoryCheckpoints, Window
from opsmaturity.sources.github import GitHubSource
from opsmaturity.sources.github.graphql_source import GitHubGraphQLSource
from tests.fakeforge.github import FakeGitHub
from tests.github_source_helpers import ENV, WINDOW, Recorder, collect


def make(
    server: FakeGitHub,
    api: str,
    *,
    recorder: Recorder | None = None,
    checkpoints: MemoryCheckpoints | None = None,
    path_repositories: Iterable[str] = (),
    first_commits: bool = True,
    **config: Any,
) -> GitHubSource:
    """A source on ``server`` over ``api`` (``rest``: the REST source itself)."""
    options: dict[str, Any] = {
        "kind": "github",
        "base_url": server.api,
        "token_env": ENV,
        "api": api,
    }
    if "repositories" not in config:
        options["org"] = "northwind"
    options.update(config)
    recorder = recorder or Recorder()
    cfg = GitHubConfig(**options)
    env = {ENV: server.token}
    source: GitHubSource
    if api == "rest":
        source = GitHubSource.from_config(
            cfg, "github", env=env, path_repositories=path_repositories, sleep=recorder.sleep
        )
    else:
        source = GitHubGraphQLSource.from_config(
            cfg,
            "github",
            env=env,
            path_repositories=path_repositories,
            sleep=recorder.sleep,
            first_commits=first_commits,
        )
    source.open(recorder, checkpoints if checkpoints is not None else MemoryCheckpoints())
    return source


def both(
    server: FakeGitHub, window: Window = WINDOW, **config: Any
) -> tuple[dict[str, Record], dict[str, Record]]:
    """Records collected over REST and over GraphQL from one fake."""
    rest = make(server, "rest", **config)
    graphql = make(server, "graphql", **config)
    try:
        return collect(rest, window), collect(graphql, window)
    finally:
        rest.close()
        graphql.close()
