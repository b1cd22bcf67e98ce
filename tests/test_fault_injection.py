"""Faults at the HTTP layer, for both forges, through the real clients and the real collector.

The promise (README, "Reliability"): every run either heals to records identical to a
clean run's, or ends with the gap named (the repository recorded as not collected, the
others complete) and ``metrics`` refusing it without ``--allow-incomplete``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from opsmaturity.collect import CollectSummary, collect
from opsmaturity.completeness import Completeness
from opsmaturity.errors import IncompleteData
from opsmaturity.records import CollectionNote
from opsmaturity.sources.base import Window
from opsmaturity.store import Store
from tests.fakeforge import generate
from tests.fakeforge.github import FakeGitHub
from tests.fakeforge.gitlab import FakeGitLab
from tests.fakeforge.gitlab_scenarios import northwind
from tests.github_source_helpers import Recorder
from tests.github_source_helpers import make_source as github_source
from tests.gitlab_helpers import TOKEN
from tests.gitlab_helpers import WINDOW as GITLAB_WINDOW
from tests.gitlab_helpers import make_source as gitlab_source

GITHUB_WINDOW = Window(datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 8, 1, tzinfo=UTC))

#: (kind, params): every way a body or an answer breaks that the suite injects.
FAULTS: list[tuple[str, dict[str, Any]]] = [
    ("cut_json", {}),  # 200, JSON cut mid-body, matching Content-Length
    ("truncated_json", {}),  # 200, full Content-Length, half the bytes
    ("cut_json", {"status": 502}),  # 502 whose JSON error body is cut
    ("malformed_json", {}),  # 200 with an HTML page
    ("status", {"status": 502}),
    ("status", {"status": 503}),
    ("connection_reset", {}),
]
FAULT_IDS = [f"{kind}-{params.get('status', '')}".rstrip("-") for kind, params in FAULTS]


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


@pytest.fixture(scope="module")
def gitlab() -> Iterator[FakeGitLab]:
    with FakeGitLab(northwind(), TOKEN) as server:
        yield server


@pytest.fixture(autouse=True)
def _no_faults_left(github: FakeGitHub, gitlab: FakeGitLab) -> Iterator[None]:
    yield
    github.faults.clear()
    gitlab.faults.clear()


def run_github(server: FakeGitHub, store_path: Path) -> tuple[CollectSummary, dict[str, Any]]:
    recorder = Recorder()
    source = github_source(server, org="acme", recorder=recorder)
    with Store(store_path) as store:
        try:
            summary = collect(source, store, GITHUB_WINDOW, progress=recorder, concurrency=1)
        finally:
            source.close()
        return summary, snapshot(store)


def run_gitlab(server: FakeGitLab, store_path: Path) -> tuple[CollectSummary, dict[str, Any]]:
    source = gitlab_source(server, max_retries=3)
    with Store(store_path) as store:
        try:
            summary = collect(source, store, GITLAB_WINDOW, concurrency=1)
        finally:
            source.close()
        return summary, snapshot(store)


def assert_gap_refused(store_path: Path, source: str, repository: str) -> None:
    """The gap is named, and refused unless --allow-incomplete."""
    with Store(store_path) as store:
        found = Completeness.from_runs(store.collection_runs(), [source], store.sources())
    assert [s.label for s in found.gaps] == [f"{source}:{repository}"]
    with pytest.raises(IncompleteData, match=f"{source}:{repository} not collected"):
        found.require(allow_incomplete=False)


def snapshot(store: Store) -> dict[str, Any]:
    """Every stored record by kind, as sorted JSON: two equal snapshots mean equal figures."""
    kinds = ("repository", "deployment", "change", "incident", "note")
    return {
        kind: sorted(json.dumps(d, sort_keys=True) for d in store.dicts(kind)) for kind in kinds
    }


@pytest.fixture(scope="module")
def github_clean(github: FakeGitHub, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    summary, records = run_github(github, tmp_path_factory.mktemp("gh") / "store.sqlite")
    assert not summary.failed and records["deployment"] and records["change"]
    return records


@pytest.fixture(scope="module")
def gitlab_clean(gitlab: FakeGitLab, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    summary, records = run_gitlab(gitlab, tmp_path_factory.mktemp("gl") / "store.sqlite")
    assert not summary.failed and records["deployment"] and records["change"]
    return records


# -- faults that pass: the run heals to the clean run's records ---------------------------
@pytest.mark.parametrize(("kind", "params"), FAULTS, ids=FAULT_IDS)
@pytest.mark.parametrize(
    "endpoint",
    [
        "org_repos",
        "deployments",
        "deployment_statuses",
        "commits",
        "pulls",
        "pull_commits",
        "org_issues",
    ],
)
def test_github_heals_to_the_clean_run(
    github: FakeGitHub,
    github_clean: dict[str, Any],
    tmp_path: Path,
    kind: str,
    params: dict[str, Any],
    endpoint: str,
) -> None:
    rule = github.faults.add(kind, f"github.{endpoint}", times=2, **params)
    summary, records = run_github(github, tmp_path / "store.sqlite")
    assert rule.fired == 2, "the fault never fired: the test would prove nothing"
    assert not summary.failed
    assert records == github_clean
    with Store(tmp_path / "store.sqlite") as store:
        assert Completeness.from_runs(store.collection_runs(), ["github"], store.sources()).complete


@pytest.mark.parametrize(("kind", "params"), FAULTS, ids=FAULT_IDS)
@pytest.mark.parametrize(
    "endpoint",
    [
        "group_projects",
        "environments",
        "deployments",
        "commits",
        "merge_requests",
        "merge_request_commits",
        "group_issues",
    ],
)
def test_gitlab_heals_to_the_clean_run(
    gitlab: FakeGitLab,
    gitlab_clean: dict[str, Any],
    tmp_path: Path,
    kind: str,
    params: dict[str, Any],
    endpoint: str,
) -> None:
    rule = gitlab.faults.add(kind, f"gitlab.{endpoint}", times=2, **params)
    summary, records = run_gitlab(gitlab, tmp_path / "store.sqlite")
    assert rule.fired == 2, "the fault never fired: the test would prove nothing"
    assert not summary.failed
    assert records == gitlab_clean


# -- faults that never pass: one repository is named as not collected, the rest complete ---
@pytest.mark.parametrize(("kind", "params"), FAULTS[:4], ids=FAULT_IDS[:4])
def test_github_gap_is_one_named_repository(
    github: FakeGitHub,
    github_clean: dict[str, Any],
    tmp_path: Path,
    kind: str,
    params: dict[str, Any],
) -> None:
    broken = "acme/service-001"
    github.faults.add(kind, "github.deployments", path=f"/repos/{broken}/", **params)
    summary, records = run_github(github, tmp_path / "store.sqlite")
    assert list(summary.failed) == [broken]
    why = summary.failed[broken]
    assert "after 6 attempts" in why and github.api in why and "Error" not in why
    assert "Traceback" not in why and "_Malformed" not in why
    for kind_name in ("deployment", "change"):
        others = [r for r in github_clean[kind_name] if broken not in r]
        assert [r for r in records[kind_name] if broken not in r] == others
        assert not [r for r in records[kind_name] if f'"{broken}"' in r]
    with Store(tmp_path / "store.sqlite") as store:
        notes = [n for n in store.records(CollectionNote) if n.repository == broken]
    assert len(notes) == 1 and "not collected" in notes[0].message
    assert_gap_refused(tmp_path / "store.sqlite", "github", broken)


def test_a_run_that_fills_the_gap_withdraws_its_note(
    github: FakeGitHub, github_clean: dict[str, Any], tmp_path: Path
) -> None:
    """A repository not collected, then collected by the next run: the data-quality notes
    no longer say it is missing, and the records are the clean run's."""
    broken, store_path = "acme/service-001", tmp_path / "store.sqlite"
    github.faults.add("status", "github.deployments", path=f"/repos/{broken}/", status=502)
    failed, _ = run_github(github, store_path)
    assert list(failed.failed) == [broken]
    github.faults.clear()
    summary, records = run_github(github, store_path)
    assert not summary.failed
    assert not [n for n in records["note"] if "not collected" in n]
    assert {k: v for k, v in records.items() if k != "note"} == {
        k: v for k, v in github_clean.items() if k != "note"
    }
    with Store(store_path) as store:
        found = Completeness.from_runs(store.collection_runs(), ["github"], store.sources())
    assert not found.gaps


@pytest.mark.parametrize(("kind", "params"), FAULTS[:4], ids=FAULT_IDS[:4])
def test_gitlab_gap_is_one_named_repository(
    gitlab: FakeGitLab,
    gitlab_clean: dict[str, Any],
    tmp_path: Path,
    kind: str,
    params: dict[str, Any],
) -> None:
    gitlab.faults.add(
        kind, "gitlab.environments", path="/projects/northwind/platform/billing/", **params
    )
    summary, records = run_gitlab(gitlab, tmp_path / "store.sqlite")
    assert len(summary.failed) == 1
    ((broken, why),) = summary.failed.items()
    assert gitlab.url in why and "Error" not in why and "Traceback" not in why
    for kind_name in ("deployment", "change"):
        others = [r for r in gitlab_clean[kind_name] if f'"{broken}"' not in r]
        assert [r for r in records[kind_name] if f'"{broken}"' not in r] == others
        assert not [r for r in records[kind_name] if f'"repository": "{broken}"' in r]
    assert_gap_refused(tmp_path / "store.sqlite", "gitlab", broken)
