"""What a deployment shipped, from the commit graph read once per repository.

Why here: GitHub (REST and GraphQL) and GitLab read one history per repository and derive
each deployment's commits from it the same way, with the same fallbacks and the same
notes, so one history gives one answer whatever the forge:

- the commits reachable from the deployment and not from the previous one (the graph);
- a first deployment with no earlier one: its commits since the look-back start, noted;
- a commit missing from the history read: one compare on the forge, noted;
- a commit the forge no longer has (a force-push): no change records, noted.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping

from ..errors import NotFound
from ..records import CollectionNote, Deployment
from .base import Window
from .commit_graph import CommitGraph, GraphCommit, MissingCommit

__all__ = ["ADDED", "GONE", "OLDER", "shipped"]

#: How a commit absent from the history read was settled: fetched into the graph, older
#: than the look-back start, or gone from the forge.
ADDED, OLDER, GONE = "added", "older", "gone"

Compare = Callable[[str, str], list[GraphCommit]]
"""``compare(base, head)``: the forge's commits reachable from head and not from base;
raises :class:`~opsmaturity.errors.NotFound` when either is gone."""


def shipped(
    graph: CommitGraph,
    missing: Mapping[str, str],
    dep: Deployment,
    base: str | None,
    window: Window,
    compare: Compare,
) -> Generator[CollectionNote, None, list[GraphCommit]]:
    """What ``dep`` shipped since the deployment of ``base`` (None: since the look-back
    start); yields the notes a reader of the report needs, returns the commits."""
    if GONE in (missing.get(dep.sha), missing.get(base or "")):
        yield _gone(dep)
        return []
    if base is None:
        yield CollectionNote(
            dep.repository,
            "changes",
            f"deployment {dep.id} has no earlier successful deployment to diff against; "
            f"its changes are its commits since the look-back start {window.since:%Y-%m-%d}",
            "info",
        )
        if dep.sha in missing:
            return []  # older than the look-back start: nothing since it
    try:
        return graph.shipped(dep.sha, base, since=window.since)
    except MissingCommit as gap:
        yield CollectionNote(
            dep.repository,
            "changes",
            f"deployment {dep.id}: commit {gap.sha[:12]} is not in the history read; "
            "compared instead",
            "info",
        )
    if base is None:
        return []
    try:
        return compare(base, dep.sha)
    except NotFound:
        yield _gone(dep)
        return []


def _gone(dep: Deployment) -> CollectionNote:
    return CollectionNote(
        dep.repository,
        "changes",
        f"deployment {dep.id}: compare not found (force-push?); it has no change records",
        "warning",
    )
