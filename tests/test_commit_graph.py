"""The forge-neutral commit graph: what a deployment shipped, by hand and by property."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsmaturity.sources.commit_graph import CommitGraph, GraphCommit, MissingCommit

T0 = datetime(2026, 7, 1, 9, tzinfo=UTC)


def commit(sha: str, *parents: str, minute: int = 0, committed: int | None = None) -> GraphCommit:
    at = T0 + timedelta(minutes=minute)
    done = at if committed is None else T0 + timedelta(minutes=committed)
    return GraphCommit(sha, tuple(parents), at, done, "Ann", "ann@example.com", "ann", sha)


def graph(*commits: GraphCommit) -> CommitGraph:
    """A graph from commits given oldest first, loaded newest first as forges list them."""
    return CommitGraph(reversed(commits))


def shas(commits: list[GraphCommit]) -> list[str]:
    return [c.sha for c in commits]


# a1 - a2 ----------- m (merge of feature b1, b2) - s (squash) - r1 - r2 (rebase, same second)
#        \- b1 - b2 -/
HISTORY = graph(
    commit("a1", minute=0),
    commit("a2", "a1", minute=1),
    commit("b1", "a2", minute=2),
    commit("b2", "b1", minute=3),
    commit("m", "a2", "b2", minute=4),
    commit("s", "m", minute=5),
    commit("r1", "s", minute=6, committed=9),
    commit("r2", "r1", minute=7, committed=9),
)


def test_a_merge_ships_its_branch_and_itself_oldest_first() -> None:
    assert shas(HISTORY.shipped("m", "a2")) == ["b1", "b2", "m"]


def test_squash_and_rebase_merges_ship_their_rewritten_commits() -> None:
    assert shas(HISTORY.shipped("s", "m")) == ["s"]
    assert shas(HISTORY.shipped("r2", "s")) == ["r1", "r2"]


def test_a_rollback_or_redeploy_ships_nothing() -> None:
    assert HISTORY.shipped("a2", "r2") == []  # rollback to an older SHA
    assert HISTORY.shipped("r2", "r2") == []  # the same SHA again
    assert HISTORY.is_ancestor("a2", "r2") and not HISTORY.is_ancestor("r2", "a2")


def test_no_predecessor_ships_the_loaded_history_since_the_look_back_start() -> None:
    assert shas(HISTORY.shipped("m", None)) == ["a1", "a2", "b1", "b2", "m"]
    since = T0 + timedelta(minutes=3)
    assert shas(HISTORY.shipped("m", None, since=since)) == ["b2", "m"]


def test_a_sha_missing_from_the_loaded_history_is_named() -> None:
    with pytest.raises(MissingCommit) as raised:
        HISTORY.shipped("f" * 40, "a2")
    assert raised.value.sha == "f" * 40
    with pytest.raises(MissingCommit):
        HISTORY.shipped("m", "gone")


def test_parents_outside_the_loaded_history_end_the_walk() -> None:
    partial = graph(commit("x2", "x1-not-loaded", minute=1), commit("x3", "x2", minute=2))
    assert shas(partial.shipped("x3", None)) == ["x2", "x3"]


def test_merged_branch_and_rebased_run() -> None:
    assert shas(HISTORY.merged_branch("m")) == ["b1", "b2"]
    assert HISTORY.merged_branch("s") == []
    assert shas(HISTORY.rebased_run("r2")) == ["r1", "r2"]
    assert shas(HISTORY.rebased_run("r2", claimed={"r1"})) == ["r2"]
    assert shas(HISTORY.rebased_run("s")) == ["s"]


def test_a_commit_listed_twice_keeps_its_first_place() -> None:
    g = graph(commit("a1"), commit("a2", "a1", minute=1))
    g.add([commit("a2", "a1", minute=1)])
    assert len(g) == 2 and shas(list(g)) == ["a2", "a1"]


# -- property: shipped is a plain set difference of reachability --------------------------
@st.composite
def dags(draw: st.DrawFn) -> tuple[list[GraphCommit], int, int | None]:
    """Random histories (each commit's parents are earlier commits), plus a deployed
    commit and, maybe, a previous one."""
    n = draw(st.integers(1, 30))
    commits: list[GraphCommit] = []
    for i in range(n):
        count = draw(st.integers(0, min(i, 3)))
        parents = (
            draw(st.lists(st.integers(0, i - 1), min_size=count, max_size=count, unique=True))
            if i
            else []
        )
        commits.append(commit(f"c{i}", *(f"c{p}" for p in parents), minute=i))
    new = draw(st.integers(0, n - 1))
    previous = draw(st.none() | st.integers(0, n - 1))
    return commits, new, previous


def reachable(by_sha: dict[str, GraphCommit], start: str) -> set[str]:
    seen, queue = set(), [start]
    while queue:
        sha = queue.pop(0)
        if sha not in seen and sha in by_sha:
            seen.add(sha)
            queue.extend(by_sha[sha].parents)
    return seen


@settings(max_examples=300, deadline=None)
@given(dags())
def test_shipped_equals_a_breadth_first_set_difference(
    case: tuple[list[GraphCommit], int, int | None],
) -> None:
    commits, new, previous = case
    by_sha = {c.sha: c for c in commits}
    g = graph(*commits)
    prev_sha = f"c{previous}" if previous is not None else None
    expected = reachable(by_sha, f"c{new}") - (reachable(by_sha, prev_sha) if prev_sha else set())
    got = g.shipped(f"c{new}", prev_sha)
    assert set(shas(got)) == expected
    assert len(got) == len(expected)
    # oldest first: every commit comes after its parents
    place = {c.sha: i for i, c in enumerate(got)}
    assert all(place[p] < place[c.sha] for c in got for p in c.parents if p in place)


@settings(max_examples=200, deadline=None)
@given(dags())
def test_merged_branch_equals_second_parents_minus_first(
    case: tuple[list[GraphCommit], int, int | None],
) -> None:
    commits, new, _ = case
    by_sha = {c.sha: c for c in commits}
    merge = by_sha[f"c{new}"]
    expected: set[str] = set()
    if len(merge.parents) > 1:
        side = set().union(*(reachable(by_sha, p) for p in merge.parents[1:]))
        expected = side - reachable(by_sha, merge.parents[0])
    assert set(shas(graph(*commits).merged_branch(merge.sha))) == expected
