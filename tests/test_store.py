"""The store: exact round trips, idempotent upserts, checkpoints, schema versions."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsmaturity.errors import StoreError
from opsmaturity.records import Change, CollectionNote, Deployment, Incident, Repository
from opsmaturity.store import SCHEMA_VERSION, Store

aware = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from(
        [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
    ),
)
text = st.text(max_size=30)
names = st.text(min_size=1, max_size=20)
labels = st.lists(text, max_size=3).map(tuple)

changes = st.builds(
    Change,
    repository=names,
    sha=names,
    authored_at=aware,
    committed_at=aware,
    author=text,
    is_bot=st.booleans(),
    message=text,
    reverts=st.none() | names,
    parents=labels,
    pr_number=st.none() | st.integers(1, 10**6),
    pr_opened_at=st.none() | aware,
    pr_merged_at=st.none() | aware,
    pr_first_commit_at=st.none() | aware,
    pr_labels=labels,
    paths=labels,
)
deployments = st.builds(
    Deployment,
    id=names,
    repository=names,
    environment=names,
    sha=names,
    created_at=aware,
    finished_at=st.none() | aware,
    status=st.sampled_from(["success", "failure", "error", "cancelled"]),
    detection=st.sampled_from(["deployment", "workflow_run", "pipeline", "release", "tag", "file"]),
    change_shas=labels,
    is_production=st.booleans(),
)
incidents = st.builds(
    Incident,
    id=names,
    repository=names,
    title=text,
    created_at=aware,
    resolved_at=st.none() | aware,
    labels=labels,
    severity=st.none() | text,
    linked_sha=st.none() | names,
    linked_deployment=st.none() | names,
)
repositories = st.builds(
    Repository, full_name=names, default_branch=names, archived=st.booleans(), url=text
)
notes = st.builds(CollectionNote, repository=names, resource=names, message=text, level=names)


@settings(max_examples=60, deadline=None)
@given(record=st.one_of(changes, deployments, incidents, repositories, notes))
def test_every_record_round_trips_exactly(record: object) -> None:
    with Store(":memory:") as store:
        store.upsert("src", [record])  # type: ignore[list-item]
        (back,) = list(store.records(type(record), source="src"))  # type: ignore[arg-type]
    assert back == record
    for name in getattr(record, "_timestamps", ()):
        value = getattr(back, name)
        assert value is None or value.tzinfo == UTC


def _deployment(id_: str, status: str = "success") -> Deployment:
    at = datetime(2026, 7, 1, tzinfo=UTC)
    return Deployment(id_, "o/r", "production", "abc", at, at, status, "deployment")


def test_upsert_is_idempotent_and_replaces(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        store.upsert("gh", [_deployment("1"), _deployment("2")])
        store.upsert("gh", [_deployment("1", "failure")])
        store.upsert("gl", [_deployment("1")])  # same id, other source: its own record
        assert store.count("deployment") == {"deployment": 3}
        by_source = {d.status for d in store.records(Deployment, source="gh", repository="o/r")}
        assert by_source == {"failure", "success"}
        assert store.sources() == ["gh", "gl"]


def test_checkpoints_persist(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with Store(path) as store:
        view = store.checkpoints_for("gh")
        assert view.get("o/r", "deployments") is None
        view.set("o/r", "deployments", 'W/"etag-1"')
        view.set("o/r", "deployments", 'W/"etag-2"')
    with Store(path) as again:
        assert again.checkpoint("gh", "o/r", "deployments") == 'W/"etag-2"'
        assert again.checkpoint("gl", "o/r", "deployments") is None


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    Store(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION + 1),))
    with pytest.raises(StoreError, match="written by a newer opsmaturity"):
        Store(path)


def test_unopenable_store_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "dir.sqlite").mkdir()
    with pytest.raises(StoreError, match="cannot open store"):
        Store(tmp_path / "dir.sqlite")


def test_naive_timestamps_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Change("o/r", "abc", datetime(2026, 1, 1), datetime(2026, 1, 1, tzinfo=UTC))


def _generations(store: Store) -> dict[str, int]:
    return {repo: gen for repo, gen, _ in store.derived("x")}


def test_generations_move_only_when_a_repositorys_records_change() -> None:
    at = datetime(2026, 7, 1, tzinfo=UTC)
    a, b = Change("org/a", "c1", at, at), Change("org/b", "c2", at, at)
    with Store(":memory:") as store:
        store.upsert("s", [a, b])
        assert _generations(store) == {"org/a": 1, "org/b": 1}
        store.upsert("s", [a, b])  # a re-run writing the same records
        assert _generations(store) == {"org/a": 1, "org/b": 1}
        store.upsert("s", [Change("org/a", "c1", at, at, message="edited")])
        assert _generations(store) == {"org/a": 2, "org/b": 1}
        store.upsert("other", [b])  # the same record from another source is another record
        assert _generations(store) == {"org/a": 2, "org/b": 2}


def test_derived_values_are_handed_back_only_for_their_generation() -> None:
    at = datetime(2026, 7, 1, tzinfo=UTC)
    with Store(":memory:") as store:
        store.upsert("s", [Change("org/a", "c1", at, at)])
        store.put_derived("x", [("org/a", 1, b"v1")])
        assert store.derived("x") == [("org/a", 1, b"v1")]
        assert store.derived("y") == [("org/a", 1, None)]  # another name: nothing stored
        store.upsert("s", [Change("org/a", "c2", at, at)])
        assert store.derived("x") == [("org/a", 2, None)]
