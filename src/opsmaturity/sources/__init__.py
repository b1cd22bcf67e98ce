"""Data sources. ``build_source`` is the one place a config entry becomes a concrete source.

Layout: ``base.py`` (the contract every source implements), ``rules.py`` (rules both
forges share: bot work, reverts, repository globs, times), ``commit_graph.py`` (the
history read once), ``shipped.py`` (what a deployment shipped, with the same fallbacks and
notes on every forge), ``attribution.py`` (which pull/merge request
brought each commit), ``sync_state.py`` (the one checkpoint shape), ``org_shares.py`` (one
organization-wide read shared by its repositories), one package per forge built alike
(``github/``, ``gitlab/``: ``client``, ``deployments``, ``changes``, ``incidents``,
``records``, ``state``, ``source``; GitHub adds ``graphql*`` for its GraphQL API, chosen
by ``api:``), and ``files.py``. The demo's source lives in :mod:`opsmaturity.demo`.
Concrete classes are importable from here too, loaded on first use (forge clients are heavy).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib import import_module
from typing import Any

from ..config import Config
from .base import ForgeDora, Source, Window

__all__ = [
    "FilesSource",
    "ForgeDora",
    "GitHubSource",
    "GitLabSource",
    "Source",
    "Window",
    "build_source",
    "build_sources",
]
_LAZY = {
    "GitHubSource": ".github",
    "GitLabSource": ".gitlab",
    "FilesSource": ".files",
}


def __getattr__(name: str) -> Any:
    """``from opsmaturity.sources import GitHubSource`` without importing every client."""
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def build_source(config: Config, index: int, env: Mapping[str, str] | None = None) -> Source:
    """The source for ``config.sources[index]``; forge clients are imported only when used."""
    entry, name = config.sources[index], config.source_name(index)
    env = os.environ if env is None else env
    if entry.kind == "demo":
        from ..demo.source import DemoSource
        from .incidents.services import ServiceMap

        services = (
            ServiceMap.from_config(config.services, config.teams) if config.services else None
        )
        return DemoSource(name=name, seed=entry.seed, services=services)
    if entry.kind == "files":
        from .files import FilesSource

        return FilesSource(
            name,
            deployments=config.resolve(entry.deployments) if entry.deployments else None,
            changes=config.resolve(entry.changes) if entry.changes else None,
            incidents=config.resolve(entry.incidents) if entry.incidents else None,
        )
    if entry.kind == "pagerduty" or entry.kind == "jira" or entry.kind == "opsgenie":
        from .incidents import build_incident_source

        return build_incident_source(config, index, env)
    # monorepos: only repositories some team splits by path need per-commit file lists
    path_repositories = {repo for team in config.teams.values() for repo in team.paths}
    # a squash merge's first commit costs a request per pull/merge request: only when wanted
    first_commits = config.metrics.lead_time_start == "first_commit"
    if entry.kind == "github":
        from .github.graphql_source import GitHubGraphQLSource

        # api: rest|graphql|auto; the GraphQL source falls back to REST where it must
        return GitHubGraphQLSource.from_config(
            entry, name, env=env, path_repositories=path_repositories, first_commits=first_commits
        )
    from .gitlab import GitLabSource

    return GitLabSource.from_config(
        entry, name, env=env, monorepos=sorted(path_repositories), first_commits=first_commits
    )


def build_sources(config: Config, env: Mapping[str, str] | None = None) -> list[Source]:
    return [build_source(config, i, env) for i in range(len(config.sources))]
