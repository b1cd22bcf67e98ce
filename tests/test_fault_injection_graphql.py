"""Faults on GitHub's GraphQL endpoint, through the real collector (issue #15).

The promise is REST's (``test_fault_injection.py``): every run either heals to records
identical to a clean run's, or ends with the gap named (one repository recorded as not
collected, the others complete) and refused without ``--allow-incomplete``. GraphQL adds
its own ways to fail: HTTP 200 with ``errors`` and partial ``data``, secondary limits on
the one endpoint, an exhausted point budget (``RATE_LIMITED``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from opsmaturity.collect import CollectSummary, collect
from opsmaturity.completeness import Completeness
from opsmaturity.records import CollectionNote
from opsmaturity.sources.base import Window
from opsmaturity.store import Store
from tests.fakeforge import generate
from tests.fakeforge.github import FakeGitHub
from tests.github_graphql_helpers import make
from tests.github_source_helpers import Recorder
from tests.test_fault_injection import assert_gap_refused, snapshot

WINDOW = Window(datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 8, 1, tzinfo=UTC))
ENDPOINT = "github.graphql"

#: (kind, params): what the GraphQL endpoint's answers suffer.
FAULTS: list[tuple[str, dict[str, Any]]] = [
    ("status", {"status": 502}),
    ("status", {"status": 503}),
    ("cut_json", {}),
    ("truncated_json", {}),
    ("cut_json", {"status": 502}),
    ("malformed_json", {}),
    ("connection_reset", {}),
    ("secondary_rate_limit", {"retry_after": 2}),
    ("secondary_rate_limit", {"retry_after": 2, "status": 429}),
    ("primary_rate_limit", {"reset_in": 2}),
    ("graphql_error", {}),  # 200, data null, an error
    ("graphql_error", {"field": "repository"}),  # 200, partial data: one field null
    ("graphql_error", {"field": "history"}),
    ("graphql_error", {"field": "deployments"}),
]
FAULT_IDS = ["-".join([kind, *(str(v) for v in params.values())]) for kind, params in FAULTS]
#: Which query the fault hits: the probe, deployments, history, first commits, incidents...
AFTER = [0, 1, 2, 4, 6]


@pytest.fixture(scope="module")
def github() -> Iterator[FakeGitHub]:
    scenario = generate(
        11,
        repos=3,
        deployments=6,
        commits=30,
        start=datetime(2026, 7, 1, tzinfo=UTC),
        end=datetime(2026, 8, 1, tzinfo=UTC),
    )
    with FakeGitHub(scenario, token="s3cret-token") as server:
        yield server


@pytest.fixture(autouse=True)
def _no_faults_left(github: FakeGitHub) -> Iterator[None]:
    yield
    github.faults.clear()


def run(
    server: FakeGitHub, store_path: Path, recorder: Recorder | None = None
) -> tuple[CollectSummary, dict[str, Any], Recorder]:
    recorder = recorder or Recorder()
    source = make(server, "graphql", org="acme", recorder=recorder)
    with Store(store_path) as store:
        try:
            summary = collect(source, store, WINDOW, progress=recorder, concurrency=1)
        finally:
            source.close()
        return summary, snapshot(store), recorder


@pytest.fixture(scope="module")
def clean(github: FakeGitHub, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    github.log.reset()
    summary, records, _ = run(github, tmp_path_factory.mktemp("gq") / "store.sqlite")
    assert not summary.failed and records["deployment"] and records["change"]
    assert github.log.count(ENDPOINT) >= max(AFTER) + 2  # (a rollback's range: a REST compare)
    return records


# -- faults that pass: the run heals to the clean run's records ---------------------------
@pytest.mark.parametrize("after", AFTER)
@pytest.mark.parametrize(("kind", "params"), FAULTS, ids=FAULT_IDS)
def test_graphql_heals_to_the_clean_run(
    github: FakeGitHub,
    clean: dict[str, Any],
    tmp_path: Path,
    kind: str,
    params: dict[str, Any],
    after: int,
) -> None:
    rule = github.faults.add(kind, ENDPOINT, times=2, after=after, **params)
    summary, records, recorder = run(github, tmp_path / "store.sqlite")
    assert rule.fired == 2, "the fault never fired: the test would prove nothing"
    assert not summary.failed
    assert records == clean
    if "rate_limit" in kind:
        assert len(recorder.waits) == 2 and all("GitHub:" in why for _, why in recorder.waits)
    with Store(tmp_path / "store.sqlite") as store:
        assert Completeness.from_runs(store.collection_runs(), ["github"], store.sources()).complete


def test_an_exhausted_point_budget_waits_for_its_reset(
    github: FakeGitHub, clean: dict[str, Any], tmp_path: Path
) -> None:
    """HTTP 200 with ``RATE_LIMITED``: wait until ``x-ratelimit-reset``, then go on."""

    class Clock(Recorder):
        def sleep(self, seconds: float) -> None:  # the hour passes: the budget is back
            super().sleep(seconds)
            github.graphql_quota.used = 0

    github.graphql_quota.used = github.graphql_quota.limit
    try:
        summary, records, recorder = run(github, tmp_path / "store.sqlite", Clock())
    finally:
        github.graphql_quota.used = 0
    assert not summary.failed and records == clean
    assert len(recorder.sleeps) == 1 and recorder.sleeps[0] > 60


# -- faults that never pass: one repository is named as not collected, the rest complete ---
@pytest.mark.parametrize(
    ("kind", "params"),
    [("graphql_error", {"field": "repository"}), ("graphql_error", {})],
    ids=["partial-data", "no-data"],
)
def test_a_repository_that_never_reads_is_one_named_gap(
    github: FakeGitHub, clean: dict[str, Any], tmp_path: Path, kind: str, params: dict[str, Any]
) -> None:
    broken = "acme/service-001"
    github.faults.add(kind, ENDPOINT, path=f'"{broken.split("/")[1]}"', **params)
    summary, records, _ = run(github, tmp_path / "store.sqlite")
    assert list(summary.failed) == [broken]
    why = summary.failed[broken]
    assert "after 6 attempts" in why and github.url in why
    assert "Traceback" not in why and "Error" not in why
    for kind_name in ("deployment", "change"):
        others = [r for r in clean[kind_name] if f'"{broken}"' not in r]
        assert [r for r in records[kind_name] if f'"{broken}"' not in r] == others
        assert not [r for r in records[kind_name] if f'"repository": "{broken}"' in r]
    with Store(tmp_path / "store.sqlite") as store:
        notes = [n for n in store.records(CollectionNote) if n.repository == broken]
    assert len(notes) == 1 and "not collected" in notes[0].message
    assert_gap_refused(tmp_path / "store.sqlite", "github", broken)


def test_a_run_killed_and_resumed_gives_the_clean_records(
    github: FakeGitHub, clean: dict[str, Any], tmp_path: Path
) -> None:
    """Killed while the second repository's changes are stored; the resumed run redoes
    that repository (its checkpoint was never written) and skips the first."""

    class Killer(Recorder):
        def advance(self, repository: str, resource: str, count: int = 1) -> None:
            super().advance(repository, resource, count)
            if resource == "changes" and len({r for r, k in self.advanced if k == "changes"}) == 2:
                raise KeyboardInterrupt

    store_path = tmp_path / "store.sqlite"
    with pytest.raises(KeyboardInterrupt):
        run(github, store_path, Killer())
    with Store(store_path) as store:
        assert not Completeness.from_runs(
            store.collection_runs(), ["github"], store.sources()
        ).complete
    github.log.reset()
    summary, records, _ = run(github, store_path)
    assert not summary.failed and records == clean
    resumed_queries = github.log.total
    github.log.reset()
    run(github, tmp_path / "fresh.sqlite")
    assert resumed_queries < github.log.total  # the first repository was not read again
    with Store(store_path) as store:
        assert Completeness.from_runs(store.collection_runs(), ["github"], store.sources()).complete
