"""Files source: documented columns import; a bad row names file, row and column; nothing half-imported."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from opsmaturity.collect import collect, collection_window
from opsmaturity.errors import SourceError
from opsmaturity.period import Period
from opsmaturity.records import Change, Deployment, Incident
from opsmaturity.sources.files import COLUMNS, FilesSource
from opsmaturity.store import Store

from .conftest import ROOT, write

EXAMPLES = ROOT / "examples" / "files"


def _example_source() -> FilesSource:
    return FilesSource(
        deployments=EXAMPLES / "deployments.csv",
        changes=EXAMPLES / "changes.csv",
        incidents=EXAMPLES / "incidents.csv",
    )


def test_example_files_import_into_the_store(tmp_path: Path) -> None:
    source = _example_source()
    with Store(tmp_path / "s.sqlite") as store:
        summary = collect(source, store, collection_window(Period.quarter("2026Q3")))
        assert summary.failed == {}
        assert store.count() | {} == {
            "repository": 2,
            "change": 8,
            "deployment": 4,
            "incident": 1,
            "note": 0,
        }
        (failed,) = [d for d in store.records(Deployment) if d.status == "failure"]
        assert failed.change_shas == ("c4", "c5")
        assert failed.finished_at == datetime(2026, 7, 9, 13, 25, tzinfo=UTC)  # +02:00 → UTC
        bot = next(c for c in store.records(Change) if c.sha == "c3")
        assert (
            bot.is_bot
            and bot.pr_labels == ("dependencies",)
            and bot.committed_at == bot.authored_at
        )
        (incident,) = store.records(Incident)
        assert incident.severity == "SEV2"


def test_json_files_import(tmp_path: Path) -> None:
    path = write(
        tmp_path / "incidents.json",
        """[
      {"id": "INC-9", "repository": "svc/api", "title": "Outage", "created_at": "2026-07-01T10:00:00Z",
       "labels": ["incident", "sev1"], "severity": "SEV1"}
    ]""",
    )
    (incident,) = FilesSource(incidents=path)._incidents
    assert incident.labels == ("incident", "sev1") and incident.resolved_at is None


BAD_ROWS = [
    (
        "deployments.csv",
        "id,repository,environment,sha,created_at,finished_at,status\n"
        "1,a/b,production,x,2026-07-01T10:00:00Z,2026-07-01T10:05:00Z,success\n"
        "2,a/b,production,y,2026-07-02T10:00:00,2026-07-02T10:05:00Z,success\n",
        Deployment,
        "row 3: column 'created_at': timestamp '2026-07-02T10:00:00' has no time zone",
    ),
    (
        "deployments.csv",
        "id,repository,environment,sha,created_at,finished_at,status\n"
        "1,a/b,production,x,2026-07-01T10:00:00Z,2026-07-01T10:05:00Z,deployed\n",
        Deployment,
        "row 2: column 'status': expected one of success, failure, error, cancelled",
    ),
    (
        "deployments.csv",
        "id,repository,environment,sha,created_at,status\n"
        "1,a/b,production,x,2026-07-01T10:00:00Z,success\n",
        Deployment,
        "row 2: column 'finished_at': a successful deployment needs it",
    ),
    (
        "changes.csv",
        "repository,sha,authored_at,is_bot\na/b,c1,2026-07-01T10:00:00Z,maybe\n",
        Change,
        "row 2: column 'is_bot': expected true or false, got 'maybe'",
    ),
    (
        "changes.csv",
        "repository,sha,authored_at,colour\na/b,c1,2026-07-01T10:00:00Z,red\n",
        Change,
        "row 2: unknown column 'colour'",
    ),
    (
        "incidents.csv",
        "id,repository,title,created_at\nINC-1,a/b,,2026-07-01T10:00:00Z\n",
        Incident,
        "row 2: column 'title': value is required",
    ),
    ("incidents.json", '[{"id": "1"', Incident, ":1: invalid JSON"),
    ("incidents.json", '{"id": "1"}', Incident, "expected a JSON array of objects"),
]


@pytest.mark.parametrize(("name", "text", "cls", "message"), BAD_ROWS)
def test_bad_rows_name_file_row_and_column(
    tmp_path: Path, name: str, text: str, cls: type, message: str
) -> None:
    path = write(tmp_path / name, text)
    kind = {Deployment: "deployments", Change: "changes", Incident: "incidents"}[cls]
    with pytest.raises(SourceError) as caught:
        FilesSource(**{kind: path})
    assert str(caught.value).startswith(str(path))
    assert message in str(caught.value)


def test_nothing_half_imported(tmp_path: Path) -> None:
    good = EXAMPLES / "deployments.csv"
    bad = write(tmp_path / "incidents.csv", "id,repository,title,created_at\nX,a/b,t,yesterday\n")
    with Store(tmp_path / "s.sqlite") as store, pytest.raises(SourceError):
        source = FilesSource(deployments=good, incidents=bad)
        collect(source, store, collection_window(Period.quarter("2026Q3")))
    with Store(tmp_path / "s.sqlite") as store:
        assert sum(store.count().values()) == 0


def test_documentation_lists_every_column() -> None:
    doc = (ROOT / "docs" / "files.md").read_text(encoding="utf-8")
    for cls, columns in COLUMNS.items():
        for column in columns:
            assert f"`{column}`" in doc, f"docs/files.md does not document {cls.__name__}.{column}"
