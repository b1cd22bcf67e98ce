"""The store path: packs cached in the store give exactly the record path's metrics, and a
pack is never read after the records it was built from changed.

Every equality check compares ``metrics_from_store`` / ``frames_from_store`` with the
record path (``compute_metrics`` / ``build_frames`` over ``store.records(...)``), so it
fails on anything the pack bytes or the store cache get wrong.
"""

from __future__ import annotations

import json
import sqlite3
import struct
import zlib
from collections.abc import Iterator
from dataclasses import fields
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsmaturity.config import MetricsOptions, Team
from opsmaturity.demo import source as demo
from opsmaturity.metrics import Frames, build_frames, compute_metrics
from opsmaturity.metrics import packs as packs_module
from opsmaturity.metrics.packs import Pack, PackFormatError, from_bytes, pack_records, to_bytes
from opsmaturity.metrics.stored import (
    DERIVED_NAME,
    frames_from_store,
    load_packs,
    metrics_from_store,
)
from opsmaturity.records import Change, Deployment, Incident, Record, Repository
from opsmaturity.store import Store

from .test_metrics_fixtures import Q3, at, chg, dep, inc


@pytest.fixture(scope="module")
def demo_records() -> list[Record]:
    return demo.generate(42).records()


@pytest.fixture
def store() -> Iterator[Store]:
    with Store(":memory:") as s:
        yield s


@pytest.fixture
def file_store(tmp_path: Path) -> Iterator[Store]:
    """A store file, as the pipeline has (WAL mode)."""
    with Store(tmp_path / "store.sqlite") as s:
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


def _check(store: Store, options: MetricsOptions, *, need_paths: bool = False) -> Frames:
    """Frames read from the store (twice: built, then cached) equal the record path's."""
    slow = build_frames(**_stored(store), options=options, need_paths=need_paths)
    for _ in range(2):
        fast = frames_from_store(store, options=options, need_paths=need_paths)
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
    slow = compute_metrics(**_stored(store), options=options, trend_bucket="week", **kw)
    for _ in range(2):  # packs built, then read back from the store
        fast = metrics_from_store(store, options=options, trend_bucket="week", **kw)
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
        chg("c1", at(1, 3.5).astimezone(plus2).replace(microsecond=678901), is_bot=True),
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
    assert frames.incidents["linked_dep"].tolist() == [0, -1, -1]


def test_a_store_file_reads_the_same(file_store: Store, demo_records: list[Record]) -> None:
    file_store.upsert("demo", demo_records)
    file_store.upsert("other", _mixed())  # two sources: the (source, key) order
    config = demo.demo_config()
    kw: dict[str, Any] = {"teams": config.teams, "period": config.reporting_period}
    slow = compute_metrics(**_stored(file_store), options=MetricsOptions(), **kw)
    assert (
        metrics_from_store(file_store, options=MetricsOptions(), **kw).to_json() == slow.to_json()
    )
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


def test_one_id_in_two_production_environments_is_two_deployments(store: Store) -> None:
    """Two sources whose ids collide, in different environments: both deployments count
    (within one source, the store's key already makes the later record replace the first)."""
    store.upsert("eu", [dep("9", at(2), ["c1"], env="prod-eu")])
    store.upsert("us", [dep("9", at(3), ["c1"], env="prod-us")])
    options = MetricsOptions(environments=["prod-eu", "prod-us"])
    frames = _check(store, options)
    assert frames.deps["id"].tolist() == ["9", "9"]
    assert frames_from_store(store, options=MetricsOptions(environments=["prod-us"])).deps[
        "finish"
    ].tolist() == [at(3).timestamp()]


def test_teams_with_paths_read_paths(store: Store) -> None:
    store.upsert("s", _mixed())
    teams = {"x": Team(paths={"org/a": ["svc/**"]})}
    fast = metrics_from_store(store, teams=teams, period=Q3, options=MetricsOptions())
    slow = compute_metrics(**_stored(store), teams=teams, period=Q3, options=MetricsOptions())
    assert fast.to_json() == slow.to_json()


# -- the cache: built once, rebuilt exactly when its records change ------------------------


def _rebuilt(store: Store) -> list[int]:
    calls: list[int] = []
    load_packs(store, built=lambda done, total: calls.append(total))
    return calls


def test_packs_are_built_once_and_kept(store: Store, demo_records: list[Record]) -> None:
    store.upsert("demo", demo_records)
    repos = {getattr(r, "repository", getattr(r, "full_name", "")) for r in demo_records}
    assert _rebuilt(store)[-1] == len(repos)  # the first read packs every repository
    assert _rebuilt(store) == []  # the second reads them all back
    assert all(value is not None for _, _, value in store.derived(DERIVED_NAME))


def test_an_upsert_outdates_only_its_repositories_packs(store: Store) -> None:
    store.upsert("s", [dep("1", at(2), ["c1"]), dep("1", at(2), ["x1"], repo="org/b")])
    assert _rebuilt(store) == [2]
    store.upsert("s", [dep("2", at(3), ["c2"]), chg("c2", at(1))])
    assert _rebuilt(store) == [1]  # org/a only
    frames = frames_from_store(store, options=MetricsOptions())
    assert frames.deps["id"].tolist() == ["1", "2", "1"]  # the new deployment is read
    assert frames.changes["authored"].tolist() == [at(1).timestamp()]


def test_a_pack_built_before_a_concurrent_upsert_is_never_read(store: Store) -> None:
    """The generation is read before the records: an upsert in between outdates the pack."""
    store.upsert("s", [dep("1", at(2), ["c1"])])
    [(repo, generation, _)] = store.derived(DERIVED_NAME)
    old = pack_records(repo, store.records(Deployment), [], [])
    store.upsert("s", [dep("2", at(3), ["c2"])])  # lands while `old` was being built
    store.put_derived(DERIVED_NAME, [(repo, generation, to_bytes(old))])
    assert store.derived(DERIVED_NAME)[0][2] is None
    assert frames_from_store(store, options=MetricsOptions()).deps["id"].tolist() == ["1", "2"]


def test_packs_of_another_format_are_rebuilt(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    store.upsert("s", [dep("1", at(2), ["c1"])])
    assert _rebuilt(store) == [1]
    monkeypatch.setattr(packs_module, "FORMAT", packs_module.FORMAT + 1)
    assert _rebuilt(store) == [1]
    assert _rebuilt(store) == []


def test_a_version_1_store_gets_generations_and_its_metrics(tmp_path: Path) -> None:
    """Stores written before the cache existed: every repository starts stale and is packed."""
    path = tmp_path / "old.sqlite"
    with Store(path) as s:
        s.upsert("s", [Repository("org/a"), dep("1", at(2), ["c1"]), chg("c1", at(1))])
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM generations")
        db.execute("DROP TABLE derived")
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    with Store(path) as s:
        assert [(r, g, v) for r, g, v in s.derived(DERIVED_NAME)] == [("org/a", 1, None)]
        report = metrics_from_store(s, teams={}, period=Q3, options=MetricsOptions())
        assert report.scope("organization").lead_time_for_changes.n == 1
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == ("2",)


# -- the bytes ---------------------------------------------------------------------------


def _assert_same_pack(a: Pack, b: Pack) -> None:
    """Equal in every field the store keeps (SHAs are rebuilt from records, for the rows)."""
    assert a.shas == [] or a.shas == b.shas
    for f in fields(Pack):
        if f.name == "shas":
            continue
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            assert x is not None and y is not None, f.name
            np.testing.assert_array_equal(x, y, err_msg=f.name, strict=True)
        else:
            assert x == y, f.name


def test_every_demo_pack_round_trips_its_bytes(demo_records: list[Record]) -> None:
    by_repo: dict[str, list[list[Any]]] = {}
    for r in demo_records:
        if isinstance(r, Deployment | Change | Incident):
            lists = by_repo.setdefault(r.repository, [[], [], []])
            lists[[Deployment, Change, Incident].index(type(r))].append(r)
    assert len(by_repo) > 5
    for name, (d, c, i) in by_repo.items():
        pack = pack_records(name, d, c, i)
        _assert_same_pack(from_bytes(to_bytes(pack)), pack)


names = st.text(alphabet='ab"\\é/ ', min_size=1, max_size=4)


@settings(max_examples=60, deadline=None)
@given(
    shas=st.lists(names, min_size=1, max_size=6, unique=True),
    picks=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 40), names), max_size=8),
    labels=st.lists(st.lists(names, max_size=2), max_size=6),
)
def test_random_packs_round_trip(
    shas: list[str], picks: list[tuple[int, int, str]], labels: list[list[str]]
) -> None:
    deployments = [
        dep(dep_id, at(1, hour), [shas[k % len(shas)]], env=["production", "eu"][k % 2])
        for k, hour, dep_id in picks
    ]
    changes = [
        chg(sha, at(1), pr_labels=tuple(labels[k]) if k < len(labels) else (), reverts=shas[0])
        for k, sha in enumerate(shas)
    ]
    incidents = [inc(i, at(2), linked_sha=shas[-1], severity=None) for _, _, i in picks[:2]]
    pack = pack_records("o/r", deployments, changes, incidents)
    _assert_same_pack(from_bytes(to_bytes(pack)), pack)
    assert pack.n_keys == len(set(shas))
    assert pack.dep_finish.tolist() == sorted(pack.dep_finish.tolist())


def _blob(store: Store) -> bytes:
    store.upsert("s", [dep("1", at(2), ["c1"]), dep("2", at(3), ["c2"]), chg("c1", at(1))])
    return to_bytes(pack_records("org/a", store.records(Deployment), store.records(Change), []))


def _header(blob: bytes) -> tuple[dict[str, Any], bytes]:
    size = struct.unpack_from("<I", blob)[0]
    return json.loads(blob[8 : 8 + size]), blob[8 + size :]


def _reframed(header: dict[str, Any], body: bytes) -> bytes:
    """A pack whose checksum is right for its damaged content: only the checks stop it."""
    payload = json.dumps(header).encode() + body
    return struct.pack("<II", len(payload) - len(body), zlib.crc32(payload)) + payload


def _damaged(blob: bytes) -> list[bytes]:
    header, body = _header(blob)
    flipped = bytearray(blob)
    flipped[-3] ^= 0x10  # one bit of the last array: the sum no longer matches
    return [
        blob[:-3],
        blob[:2],
        b"\0" * 9,
        bytes(flipped),
        _reframed("x", b""),  # type: ignore[arg-type]
        _reframed(header | {"arrays": []}, body),
        _reframed(header | {"reverts": [5]}, body),  # a sparse entry that is not a pair
        _reframed(header | {"n_keys": 1}, body),  # keys beyond n_keys
        _reframed(header | {"reverts": [[0, 7]]}, body),
        _reframed(header | {"environments": []}, body),
        _reframed(header | {"dep_id": ["1"]}, body),
    ]


def test_every_damaged_pack_is_refused(store: Store) -> None:
    blob = _blob(store)
    assert from_bytes(blob).dep_id == ["1", "2"]
    for damaged in _damaged(blob):
        with pytest.raises(PackFormatError):
            from_bytes(damaged)


@pytest.mark.parametrize("k", range(11))
def test_a_damaged_pack_is_rebuilt_not_trusted(store: Store, k: int) -> None:
    blob = _blob(store)
    [(repo, generation, _)] = store.derived(DERIVED_NAME)
    store.put_derived(DERIVED_NAME, [(repo, generation, _damaged(blob)[k])])
    assert _rebuilt(store) == [1]
    assert frames_from_store(store, options=MetricsOptions()).deps["id"].tolist() == ["1", "2"]


def test_one_deployment_in_two_spellings_of_production_counts_once(store: Store) -> None:
    """Environment names compare in any case, for identity as for the production filter."""
    store.upsert("github", [dep("42", at(2), ["c1"], env="Production"), chg("c1", at(1))])
    store.upsert("files", [dep("42", at(2, 1), ["c1"], env="production")])
    frames = _check(store, MetricsOptions())
    # read in (source, key) order, so "github" comes last and its version wins
    assert frames.deps["finish"].tolist() == [at(2).timestamp()]


def test_a_store_that_refuses_writes_still_gives_the_metrics(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """Packs are a cache: a read-only or locked store costs speed, never the numbers."""
    store.upsert("s", [dep("1", at(2), ["c1"]), chg("c1", at(1))])
    store._db.execute("PRAGMA query_only = 1")
    with caplog.at_level("WARNING", logger="opsmaturity.metrics.stored"):
        report = metrics_from_store(store, teams={}, period=Q3, options=MetricsOptions())
    assert report.scope("organization").lead_time_for_changes.n == 1
    assert "metrics packs not kept in the store" in caplog.text
    assert store.derived(DERIVED_NAME)[0][2] is None
