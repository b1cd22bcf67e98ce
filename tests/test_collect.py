"""The collector: stores as it goes, records failed repositories, stops on bad credentials."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from opsmaturity.collect import collect, collection_window
from opsmaturity.errors import AuthError, NotFound
from opsmaturity.period import Period
from opsmaturity.records import Change, CollectionNote, Deployment, Incident, Repository
from opsmaturity.sources.base import Source, Window
from opsmaturity.store import Store

from .conftest import ROOT

T0 = datetime(2026, 7, 1, tzinfo=UTC)


class ListSource(Source):
    """A source over fixed records; ``broken`` repositories raise the given error."""

    def __init__(self, repos: list[str], broken: dict[str, Exception] | None = None) -> None:
        super().__init__("list")
        self.repos, self.broken = repos, broken or {}
        self.calls: list[tuple[str, str]] = []

    def repositories(self) -> list[Repository]:
        return [Repository(name) for name in self.repos]

    def deployments(self, repository: Repository, window: Window) -> Iterable[Deployment]:
        self.calls.append((repository.full_name, "deployments"))
        if repository.full_name in self.broken:
            raise self.broken[repository.full_name]
        self.progress.advance(repository.full_name, "deployments")
        return [
            Deployment(
                "1", repository.full_name, "production", "b", T0, T0, "success", "deployment"
            )
        ]

    def changes(
        self, repository: Repository, window: Window, deployments: Sequence[Deployment]
    ) -> Iterable[Change | Deployment]:
        self.calls.append((repository.full_name, "changes"))
        assert [d.id for d in deployments] == ["1"]
        change = Change(repository.full_name, "b", T0 - timedelta(hours=3), T0)
        return [
            change,
            Deployment(
                "1",
                repository.full_name,
                "production",
                "b",
                T0,
                T0,
                "success",
                "deployment",
                change_shas=("b",),
            ),
        ]

    def incidents(
        self, repository: Repository, window: Window
    ) -> Iterable[Incident | CollectionNote]:
        return [
            CollectionNote(
                repository.full_name, "incidents", "no incident labels configured", "info"
            )
        ]


class Recorder:
    def __init__(self) -> None:
        self.items: list[tuple[str, str, int]] = []

    def advance(self, repository: str, resource: str, count: int = 1) -> None:
        self.items.append((repository, resource, count))

    def waiting(self, seconds: float, reason: str) -> None:
        pass


def test_collects_every_repository(tmp_path: Path) -> None:
    source, progress = ListSource(["o/a", "o/b", "o/c"]), Recorder()
    window = collection_window(Period.quarter("2026Q3"))
    with Store(tmp_path / "s.sqlite") as store:
        summary = collect(source, store, window, progress=progress, concurrency=2)
        assert summary.repositories == 3 and summary.failed == {}
        assert store.count() == {
            "repository": 3,
            "change": 3,
            "deployment": 3,
            "incident": 0,
            "note": 3,
        }
        assert all(d.change_shas == ("b",) for d in store.records(Deployment))  # upsert replaced
    assert sorted(r for r, _, _ in progress.items) == ["o/a", "o/b", "o/c"]


def test_a_failing_repository_is_recorded_not_dropped(tmp_path: Path) -> None:
    source = ListSource(["o/a", "o/b"], broken={"o/b": NotFound("o/b: not found or no access")})
    with Store(tmp_path / "s.sqlite") as store:
        summary = collect(source, store, collection_window(Period.quarter("2026Q3")))
        assert summary.failed == {"o/b": "o/b: not found or no access"}
        notes = [n for n in store.records(CollectionNote) if n.level == "error"]
        assert [(n.repository, n.message) for n in notes] == [
            ("o/b", "not collected: o/b: not found or no access")
        ]
        assert store.count("deployment") == {"deployment": 1}


def test_bad_credentials_stop_the_run(tmp_path: Path) -> None:
    source = ListSource(["o/a"], broken={"o/a": AuthError("GITHUB_TOKEN was refused")})
    with Store(tmp_path / "s.sqlite") as store, pytest.raises(AuthError):
        collect(source, store, collection_window(Period.quarter("2026Q3")))


def test_window_reaches_before_the_period() -> None:
    window = collection_window(Period.quarter("2026Q3"), "UTC", timedelta(days=45))
    assert window.since == datetime(2026, 5, 17, tzinfo=UTC)
    assert window.until == datetime(2026, 10, 1, tzinfo=UTC)


def test_python_dash_m_works() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "opsmaturity", "--version"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0 and result.stdout.startswith("opsmaturity ")


class CheckpointingSource(ListSource):
    """Sets a checkpoint while its generator runs, then fails for ``o/b``."""

    def deployments(self, repository: Repository, window: Window) -> Iterable[Deployment]:
        self.checkpoints.set(repository.full_name, "deployments", "cursor-1")
        assert self.checkpoints.get(repository.full_name, "deployments") == "cursor-1"
        yield from super().deployments(repository, window)


def test_checkpoints_are_written_only_after_their_records(tmp_path: Path) -> None:
    source = CheckpointingSource(["o/a", "o/b"], broken={"o/b": NotFound("gone")})
    with Store(tmp_path / "s.sqlite") as store:
        collect(source, store, collection_window(Period.quarter("2026Q3")))
        assert store.checkpoint("list", "o/a", "deployments") == "cursor-1"
        # o/b failed before its records were stored: its checkpoint must not survive
        assert store.checkpoint("list", "o/b", "deployments") is None
