"""Import canonical records from CSV or JSON files (Jenkins, Argo CD, PagerDuty, Jira...).

Each file holds one kind of record; columns are the record's fields (see
``docs/files.md``). Lists are ``;``-separated in CSV and arrays in JSON; timestamps are
ISO 8601 *with* an offset (``2026-07-01T09:30:00+02:00`` or ``...Z``). Every file is
parsed and validated completely before anything is returned, so a bad row means
nothing is imported — the error names the file, row and column.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import SourceError
from ..records import (
    Change,
    CollectionNote,
    Deployment,
    DeploymentStatus,
    Detection,
    Incident,
    Repository,
)
from .base import Source, Window

Parser = Callable[[str], Any]


def _timestamp(text: str) -> datetime:
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"timestamp {text!r} has no time zone; add Z or an offset like +02:00")
    return value


def _optional(parse: Parser) -> Parser:
    return lambda text: None if text in ("", None) else parse(text)


def _list(text: Any) -> tuple[str, ...]:
    if isinstance(text, list):
        return tuple(str(x) for x in text)
    return tuple(part.strip() for part in str(text or "").split(";") if part.strip())


def _bool(text: Any) -> bool:
    if isinstance(text, bool):
        return text
    lowered = str(text).strip().lower()
    if lowered in ("true", "yes", "1", "y"):
        return True
    if lowered in ("false", "no", "0", "n", ""):
        return False
    raise ValueError(f"expected true or false, got {text!r}")


def _int(text: Any) -> int:
    return int(str(text).strip().lstrip("#!"))


def _choice(enum: type) -> Parser:
    def parse(text: str) -> Any:
        try:
            return enum(str(text).strip().lower())
        except ValueError:
            options = ", ".join(m.value for m in enum)  # type: ignore[attr-defined]
            raise ValueError(f"expected one of {options}, got {text!r}") from None

    return parse


#: Column → (required, parser) per record type; the order documents the file format.
COLUMNS: dict[type, dict[str, tuple[bool, Parser]]] = {
    Deployment: {
        "id": (True, str),
        "repository": (True, str),
        "environment": (True, str),
        "sha": (True, str),
        "created_at": (True, _timestamp),
        "finished_at": (False, _optional(_timestamp)),
        "status": (True, _choice(DeploymentStatus)),
        "change_shas": (False, _list),
        "is_production": (False, lambda t: True if t in ("", None) else _bool(t)),
    },
    Change: {
        "repository": (True, str),
        "sha": (True, str),
        "authored_at": (True, _timestamp),
        "committed_at": (False, _optional(_timestamp)),
        "author": (False, lambda t: t or ""),
        "is_bot": (False, _bool),
        "message": (False, lambda t: (t or "")[:1000]),
        "reverts": (False, lambda t: t or None),
        "parents": (False, _list),
        "pr_number": (False, _optional(_int)),
        "pr_opened_at": (False, _optional(_timestamp)),
        "pr_merged_at": (False, _optional(_timestamp)),
        "pr_first_commit_at": (False, _optional(_timestamp)),
        "pr_labels": (False, _list),
        "paths": (False, _list),
    },
    Incident: {
        "id": (True, str),
        "repository": (True, str),
        "title": (True, str),
        "created_at": (True, _timestamp),
        "resolved_at": (False, _optional(_timestamp)),
        "labels": (False, _list),
        "severity": (False, lambda t: t or None),
        "linked_sha": (False, lambda t: t or None),
        "linked_deployment": (False, lambda t: t or None),
        "acknowledged_at": (False, _optional(_timestamp)),
        "status": (False, lambda t: t or None),
        "priority": (False, lambda t: t or None),
        "urgency": (False, lambda t: t or None),
        "services": (False, _list),
    },
}


def read_records(path: Path, cls: type) -> list[Any]:
    """All records of ``cls`` in a CSV or JSON file; SourceError naming file:row:column."""
    rows = list(_rows(path))
    columns = COLUMNS[cls]
    records = []
    for number, row in rows:
        unknown = sorted(set(row) - set(columns))
        if unknown:
            raise SourceError(f"{path}: row {number}: unknown column {unknown[0]!r}")
        values: dict[str, Any] = {}
        for column, (required, parse) in columns.items():
            raw = row.get(column)
            if raw in (None, "") and required:
                raise SourceError(f"{path}: row {number}: column {column!r}: value is required")
            try:
                values[column] = parse("" if raw is None else raw)
            except (ValueError, TypeError) as exc:
                raise SourceError(f"{path}: row {number}: column {column!r}: {exc}") from None
        records.append(_build(cls, values, path, number))
    return records


def _build(cls: type, values: dict[str, Any], path: Path, number: int) -> Any:
    if cls is Deployment:
        values["detection"] = Detection.FILE
        if values["finished_at"] is None and values["status"] == DeploymentStatus.SUCCESS:
            raise SourceError(
                f"{path}: row {number}: column 'finished_at': a successful deployment needs it"
            )
    if cls is Change and values["committed_at"] is None:
        values["committed_at"] = values["authored_at"]
    return cls(**values)


def _rows(path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
    """(row number, mapping) pairs; CSV rows count the header as row 1, as spreadsheets do."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SourceError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SourceError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
        if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
            raise SourceError(f"{path}: expected a JSON array of objects")
        return ((i, d) for i, d in enumerate(data, start=1))
    reader = csv.DictReader(text.splitlines())
    return ((i, {k.strip(): v for k, v in row.items() if k}) for i, row in enumerate(reader, 2))


class FilesSource(Source):
    """Records from files, served per repository like any other source."""

    def __init__(
        self,
        name: str = "files",
        *,
        deployments: Path | None = None,
        changes: Path | None = None,
        incidents: Path | None = None,
    ) -> None:
        super().__init__(name)
        self._deployments: list[Deployment] = (
            read_records(deployments, Deployment) if deployments else []
        )
        self._changes: list[Change] = read_records(changes, Change) if changes else []
        self._incidents: list[Incident] = read_records(incidents, Incident) if incidents else []

    def repositories(self) -> list[Repository]:
        names = {d.repository for d in self._deployments}
        names |= {c.repository for c in self._changes} | {i.repository for i in self._incidents}
        return [Repository(full_name=name) for name in sorted(names)]

    def deployments(
        self, repository: Repository, window: Window
    ) -> Iterable[Deployment | CollectionNote]:
        return [d for d in self._deployments if d.repository == repository.full_name]

    def changes(
        self, repository: Repository, window: Window, deployments: Sequence[Deployment]
    ) -> Iterable[Change | Deployment | CollectionNote]:
        return [c for c in self._changes if c.repository == repository.full_name]

    def incidents(
        self, repository: Repository, window: Window
    ) -> Iterable[Incident | CollectionNote]:
        return [i for i in self._incidents if i.repository == repository.full_name]
