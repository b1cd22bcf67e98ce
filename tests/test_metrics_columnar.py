"""The columnar path: frames read straight from the store equal frames built from records.

Every check compares ``frames_from_store`` / ``metrics_from_store`` with the record path
(``build_frames`` / ``compute_metrics`` over ``store.records(...)``), so it fails on any
field the SQL reads differently from ``records.from_dict``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsmaturity.config import MetricsOptions, Team
from opsmaturity.metrics import Frames, build_frames, compute_metrics
from opsmaturity.metrics.columnar import epochs, frames_from_store, metrics_from_store
from opsmaturity.metrics.columns import strings
from opsmaturity.metrics.frames import factorize_strings
from opsmaturity.records import (
    KIND_OF,
    Change,
    Deployment,
    Incident,
    Record,
    Repository,
    from_dict,
)
from opsmaturity.store import Store

from .test_metrics_fixtures import Q3, at, chg, dep, inc

demo = pytest.importorskip("opsmaturity.sources.demo", reason="demo source not available")


@pytest.fixture(scope="module")
def demo_records() -> list[Record]:
    return demo.generate(42).records()


@pytest.fixture
def store() -> Iterator[Store]:
    with Store(":memory:") as s:
        yield s


def _stored(store: Store) -> dict[str, Any]:
    return {
        "repositories": list(store.records(Repository)),
        "deployments": list(store.records(Deployment)),
        "changes": list(store.records(Change)),
        "incidents": list(store.records(Incident)),
    }


def _assert_same_frames(a: Frames, b: Frames) -> None:
    assert a.repo_names == b.repo_names and a.n_keys == b.n_keys
    assert a.listed.tolist() == b.listed.tolist()
    for name in ("deps", "ships", "changes", "incidents"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)
    assert (a.paths is None) == (b.paths is None)
    if a.paths is not None and b.paths is not None:
        assert a.paths.tolist() == b.paths.tolist()


def _table_order(store: Store) -> dict[str, Any]:
    """The records in the order the columnar reader meets them when a kind has one source
    (table order); with several sources both paths use ``Store.records``' (source, key)."""
    out = {}
    for name, cls in [("repositories", Repository), ("deployments", Deployment)]:
        out[name] = list(store.records(cls))
    for name, cls in [("changes", Change), ("incidents", Incident)]:
        kind = KIND_OF[cls]
        if len({r for (r,) in store._db.execute(SOURCES, (kind,))}) > 1:
            out[name] = list(store.records(cls))
        else:
            rows = store._db.execute(TABLE_ORDER, (kind,))
            out[name] = [from_dict(cls, json.loads(data)) for (data,) in rows]
    return out


SOURCES = "SELECT source FROM records WHERE kind = ?"
TABLE_ORDER = "SELECT data FROM records WHERE kind = ? ORDER BY rowid"


def _check(store: Store, options: MetricsOptions, *, need_paths: bool = False) -> Frames:
    """Frames read from the store equal frames built from the same records, column by column
    (deployments are sorted by the encoding, so only changes and incidents keep input order)."""
    fast = frames_from_store(store, options=options, need_paths=need_paths)
    slow = build_frames(**_table_order(store), options=options, need_paths=need_paths)
    _assert_same_frames(fast, slow)
    return fast


OPTIONS = [
    MetricsOptions(),
    MetricsOptions(lead_time_start="merge", timezone="America/New_York"),
    MetricsOptions(lead_time_start="first_commit", incident_scope="team", severities=["SEV1"]),
    MetricsOptions(environments=["PRODUCTION", "live"], exclude_bots=False, benchmark=2022),
]


@pytest.mark.parametrize("options", OPTIONS)
def test_demo_store_gives_exactly_the_record_path_report(
    store: Store, demo_records: list[Record], options: MetricsOptions
) -> None:
    store.upsert("demo", demo_records)
    config = demo.demo_config()
    kw: dict[str, Any] = {"teams": config.teams, "period": config.reporting_period}
    fast = metrics_from_store(store, options=options, trend_bucket="week", **kw)
    slow = compute_metrics(**_stored(store), options=options, trend_bucket="week", **kw)
    assert fast.to_json() == slow.to_json()
    assert fast.scope("organization").deployment_frequency.deployments > 0
    _check(store, options, need_paths=True)


def test_no_production_deployment_with_monorepo_teams_and_incidents(
    store: Store, demo_records: list[Record]
) -> None:
    """Regression: incidents but zero deployments used to index an empty claim array."""
    store.upsert("demo", demo_records)
    config = demo.demo_config()
    options = MetricsOptions(environments=["nowhere"])
    kw: dict[str, Any] = {"teams": config.teams, "period": config.reporting_period}
    fast = metrics_from_store(store, options=options, **kw)
    assert fast.to_json() == compute_metrics(**_stored(store), options=options, **kw).to_json()
    assert fast.scope("organization").deployment_frequency.deployments == 0


def test_empty_store(store: Store) -> None:
    frames = _check(store, MetricsOptions())
    assert (len(frames.deps), len(frames.changes), frames.repo_names) == (0, 0, [])
    report = metrics_from_store(store, teams={}, period=Q3, options=MetricsOptions())
    assert report.scope("organization").deployment_frequency.deployments == 0


def test_one_deployment_and_its_changes(store: Store) -> None:
    store.upsert("s", [Repository("org/a"), dep("1", at(2), ["c1", "c2"]), chg("c1", at(1))])
    frames = _check(store, MetricsOptions())
    assert frames.deps["n_changes"].tolist() == [2] and len(frames.ships) == 2
    assert frames.changes["authored"].tolist() == [at(1).timestamp()]


def _mixed() -> list[Record]:
    """Statuses, environments, None timestamps, µs, other offsets, non-ASCII, sparse fields."""
    plus2 = timezone(timedelta(hours=2))
    return [
        Repository("org/a"),
        Repository("org/é"),
        dep("1", at(2), ["c1", "c2", "c3"]),
        dep("2", at(3, 1.5), [], head="c1"),  # a rollback shipping nothing
        dep("3", None, ["c4"]),  # still running
        dep("4", at(4), ["c4"], status="failure"),
        dep("5", at(4), ["c4"], env="Staging"),
        dep("6", at(5), ["c4"], env="PROD"),
        dep("7", at(5), ["c5"], is_production=False),
        dep("8", at(5), ["c6"], repo="org/é"),
        dep('ü"9', at(6, 0.000001), ["c\\7"]),  # escapes in JSON text
        chg("c1", datetime(2026, 7, 1, 3, 4, 5, 678901, tzinfo=plus2), is_bot=True),
        chg("c2", at(1), pr_labels=("HotFix", "bug"), pr_number=7, pr_merged_at=at(1, 2)),
        chg("c3", at(1), reverts="c1", pr_number=8, pr_first_commit_at=at(1) - timedelta(days=2)),
        chg("c4", at(3), paths=("svc/x.py", "docs/é.md"), committed_at=at(3, 1)),
        chg("c6", at(4), repo="org/é", pr_labels=("feature",)),
        chg("c\\7", at(5)),
        inc("i1", at(2, 1), at(2, 3), severity="SEV-1", linked_deployment="1"),
        inc("i2", at(3), None, linked_sha="c2", labels=("x",)),
        inc("i3", at(4), at(4, 1), repo="org/é", linked_deployment="missing"),
    ]


@pytest.mark.parametrize("options", OPTIONS)
def test_edge_cases_read_exactly_as_records(store: Store, options: MetricsOptions) -> None:
    store.upsert("s", _mixed())
    frames = _check(store, options, need_paths=True)
    prod = "prod" in {e.lower() for e in options.environments}  # deployment 6 is in "PROD"
    assert frames.deps["id"].tolist() == ["1", "2", *(["6"] if prod else []), 'ü"9', "8"]
    assert np.isnan(frames.incidents["resolved"].to_numpy()[1])


@pytest.fixture
def file_store(tmp_path: Path) -> Iterator[Store]:
    """A store file, as the pipeline has (WAL mode)."""
    with Store(tmp_path / "store.sqlite") as s:
        yield s


def test_a_store_file_reads_the_same(file_store: Store, demo_records: list[Record]) -> None:
    file_store.upsert("demo", demo_records)
    file_store.upsert("other", _mixed())  # two sources: the (source, key) order
    config = demo.demo_config()
    kw: dict[str, Any] = {"teams": config.teams, "period": config.reporting_period}
    fast = metrics_from_store(file_store, options=MetricsOptions(), **kw)
    slow = compute_metrics(**_stored(file_store), options=MetricsOptions(), **kw)
    assert fast.to_json() == slow.to_json()
    _check(file_store, MetricsOptions(), need_paths=True)


@pytest.mark.parametrize("kind", ["memory", "file"])
def test_records_repeated_across_sources_keep_the_record_path_winner(
    kind: str, store: Store, file_store: Store
) -> None:
    """Deployments: the last source's version wins; changes: the first source's."""
    store = store if kind == "memory" else file_store
    store.upsert("a", [dep("1", at(2), ["c1"]), chg("c1", at(1)), inc("i", at(3))])
    store.upsert("b", [dep("1", at(4), ["c1", "c2"]), chg("c1", at(1, 5)), inc("i", at(5))])
    store.upsert("c", [dep("1", at(6), ["c1"], env="staging")])  # not production: ignored
    frames = _check(store, MetricsOptions())
    assert frames.deps["finish"].tolist() == [at(4).timestamp()]
    assert frames.changes["authored"].tolist() == [at(1).timestamp()]
    assert len(frames.incidents) == 2


def test_teams_with_paths_read_paths(store: Store) -> None:
    store.upsert("s", _mixed())
    teams = {"x": Team(paths={"org/a": ["svc/**"]})}
    fast = metrics_from_store(store, teams=teams, period=Q3, options=MetricsOptions())
    slow = compute_metrics(**_stored(store), teams=teams, period=Q3, options=MetricsOptions())
    assert fast.to_json() == slow.to_json()


aware = st.datetimes(
    min_value=datetime(1990, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30))]),
)


@settings(max_examples=200, deadline=None)
@given(stamps=st.lists(st.none() | aware, max_size=5))
def test_epochs_equal_datetime_timestamp(stamps: Sequence[datetime | None]) -> None:
    texts = [None if s is None else s.astimezone(UTC).isoformat() for s in stamps]
    expected = [np.nan if s is None else s.timestamp() for s in stamps]
    np.testing.assert_array_equal(epochs(texts), np.array(expected, dtype=np.float64))


class _Colliding(str):
    """A string whose hash collides with every other's: forces the exact fallback."""

    def __hash__(self) -> int:
        return 7


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.text(max_size=3), max_size=30), collide=st.booleans())
def test_factorize_strings_equals_pandas(values: list[str], collide: bool) -> None:
    array = strings([_Colliding(v) if collide else v for v in values])
    codes, n = factorize_strings(array)
    expected, uniques = pd.factorize(np.asarray(values, dtype=object))
    assert codes.tolist() == expected.tolist() and n == len(uniques)
