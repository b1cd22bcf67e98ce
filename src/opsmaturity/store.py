"""The embedded store: one SQLite file of canonical records and sync checkpoints.

Records are kept as JSON keyed by (kind, source, key), so an upsert of the same record
replaces it — a re-run or a resumed run never duplicates. Checkpoints are per
(source, repository, resource): sources keep ETags, cursors and "done" markers there,
which is what makes collection incremental and resumable.

Readers may cache what they derive from a repository's records (the metrics keep packed
columns, ``metrics.stored``): every record written that is new or different bumps the
*generation* of its repository (SQLite triggers, so no writer can forget), and a derived
value is only handed back while its generation is current. Re-writing identical records —
a collection re-run — changes nothing, so nothing is recomputed.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import StoreError
from .records import KIND_OF, RECORD_TYPES, R, Record, from_dict, record_key, to_dict

SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL, source TEXT NOT NULL, key TEXT NOT NULL,
    repository TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (kind, source, key)
);
CREATE INDEX IF NOT EXISTS records_by_repo ON records (kind, repository);
CREATE TABLE IF NOT EXISTS documents (
    source TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (source, key)
);
CREATE TABLE IF NOT EXISTS generations (
    repository TEXT PRIMARY KEY, generation INTEGER NOT NULL
);
CREATE TRIGGER IF NOT EXISTS records_inserted AFTER INSERT ON records BEGIN
    INSERT INTO generations VALUES (new.repository, 1)
    ON CONFLICT (repository) DO UPDATE SET generation = generation + 1;
END;
CREATE TRIGGER IF NOT EXISTS records_updated AFTER UPDATE ON records BEGIN
    INSERT INTO generations VALUES (new.repository, 1)
    ON CONFLICT (repository) DO UPDATE SET generation = generation + 1;
    UPDATE generations SET generation = generation + 1
    WHERE repository = old.repository AND old.repository IS NOT new.repository;
END;
CREATE TRIGGER IF NOT EXISTS records_deleted AFTER DELETE ON records BEGIN
    UPDATE generations SET generation = generation + 1 WHERE repository = old.repository;
END;
CREATE TABLE IF NOT EXISTS derived (
    name TEXT NOT NULL, repository TEXT NOT NULL, generation INTEGER NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (name, repository)
);
CREATE TABLE IF NOT EXISTS collection_runs (
    source TEXT NOT NULL, repository TEXT NOT NULL, status TEXT NOT NULL,
    detail TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT,
    PRIMARY KEY (source, repository)
);
CREATE TABLE IF NOT EXISTS checkpoints (
    source TEXT NOT NULL, repository TEXT NOT NULL, resource TEXT NOT NULL,
    value TEXT NOT NULL, updated_at TEXT NOT NULL,
    PRIMARY KEY (source, repository, resource)
);
"""


_DECODE_BATCH = 5_000

_UPSERT = (
    "INSERT INTO records VALUES (?,?,?,?,?) ON CONFLICT (kind, source, key) DO UPDATE"
    " SET repository = excluded.repository, data = excluded.data"
    " WHERE records.repository IS NOT excluded.repository OR records.data IS NOT excluded.data"
)


class Store:
    """A SQLite-backed record store; safe to share between collector threads."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self.read_only = False
        """True when the store could only be opened for reading (metrics still work)."""
        if str(path) != ":memory:":
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"{self.path}: cannot create the store's folder: {exc.strerror}"
                ) from None
        try:
            self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open store: {exc}") from exc
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
            self._check_version()
        except sqlite3.OperationalError as exc:
            self._db.close()  # an upgrade cut short is rolled back, never half-applied
            if not self._open_read_only():
                raise StoreError(f"{self.path}: cannot open store: {exc}") from exc
        except sqlite3.Error as exc:
            self._db.close()
            raise StoreError(f"{self.path}: cannot open store: {exc}") from exc

    def _open_read_only(self) -> bool:
        """Open an existing store we may not write (a read-only file or folder): first
        read-only, then immutable (WAL needs a writable folder for its shared memory)."""
        if str(self.path) == ":memory:" or not self.path.is_file():
            return False
        uri = self.path.resolve().as_uri()
        for mode in ("?mode=ro", "?immutable=1"):
            try:
                db = sqlite3.connect(
                    uri + mode, uri=True, check_same_thread=False, isolation_level=None
                )
                db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
                row = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            except sqlite3.Error:
                continue
            if row is None or int(row[0]) > SCHEMA_VERSION:
                db.close()
                return False
            self._db, self.read_only = db, True
            if int(row[0]) < SCHEMA_VERSION or not self._has_table("collection_runs"):
                self._db.execute(
                    "CREATE TEMP TABLE IF NOT EXISTS collection_runs (source, repository, status, detail, started_at, finished_at)"
                )
            return True
        return False

    def _has_table(self, name: str) -> bool:
        found = self._db.execute("SELECT 1 FROM sqlite_master WHERE name=?", (name,)).fetchone()
        return found is not None

    def _check_version(self) -> None:
        row = self._db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None:
            self._db.execute(
                "INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
        elif int(row[0]) == 1:  # v1 had no generations: every repository starts at 1
            self._db.executescript(
                "BEGIN;"
                "INSERT OR IGNORE INTO generations SELECT DISTINCT repository, 1 FROM records;"
                f"UPDATE meta SET value = '{SCHEMA_VERSION}' WHERE key = 'schema_version';"
                "COMMIT;"
            )
        elif int(row[0]) > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: store schema version {row[0]} was written by a newer "
                f"opsmaturity (this one reads up to {SCHEMA_VERSION}); upgrade opsmaturity "
                "or point `store:` at another file"
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- records -------------------------------------------------------------------

    def upsert(self, source: str, records: Iterable[Record]) -> int:
        """Insert or replace records (one transaction); returns how many were given. Records
        identical to the stored ones change nothing (their repository's generation stays)."""
        rows = [
            (
                KIND_OF[type(r)],
                source,
                record_key(r),
                getattr(r, "repository", getattr(r, "full_name", "")),
                json.dumps(to_dict(r), sort_keys=True),
            )
            for r in records
        ]
        with self._lock:
            try:
                self._db.execute("BEGIN")
                self._db.executemany(_UPSERT, rows)
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._db.execute("ROLLBACK")
                raise StoreError(f"{self.path}: cannot write records: {exc}") from exc
        return len(rows)

    def records(
        self, cls: type[R], *, source: str | None = None, repository: str | None = None
    ) -> Iterator[R]:
        """Stored records of one type, optionally for one source and/or repository."""
        for data in self.dicts(KIND_OF[cls], source=source, repository=repository):
            yield from_dict(cls, data)

    def dicts(
        self, kind: str, *, source: str | None = None, repository: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Stored records of one kind in their ``records.to_dict`` form, ordered by source
        then key: for readers that need a few fields of many records, not objects."""
        sql = "SELECT data FROM records WHERE kind=?"
        args: list[str] = [kind]
        if repository is not None:
            # otherwise SQLite walks the primary key for its (source, key) order: every
            # record of the kind, for one repository's handful
            sql = "SELECT data FROM records INDEXED BY records_by_repo WHERE kind=?"
            sql, args = sql + " AND repository=?", [*args, repository]
        if source is not None:
            sql, args = sql + " AND source=?", [*args, source]
        with self._lock:
            texts = [data for (data,) in self._db.execute(sql + " ORDER BY source, key", args)]
        for k in range(0, len(texts), _DECODE_BATCH):  # one parse per batch: ~2× faster
            yield from json.loads("[" + ",".join(texts[k : k + _DECODE_BATCH]) + "]")

    def forget(self, source: str) -> int:
        """Delete every record of ``source`` (an incident tool whose ``services:`` mapping
        changed re-places its incidents); returns how many went. Checkpoints stay."""
        with self._lock:
            try:
                self._db.execute("BEGIN")
                gone = self._db.execute("DELETE FROM records WHERE source = ?", (source,)).rowcount
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._db.execute("ROLLBACK")
                raise StoreError(f"{self.path}: cannot delete records: {exc}") from exc
        return int(gone)

    def forget_notes(self, source: str, repository: str, resource: str, prefix: str) -> int:
        """Delete the notes of ``source`` on ``repository``'s ``resource`` whose message starts
        with ``prefix``: a later run that collected it makes "not collected" untrue."""
        key = f"{repository}:{resource}:{prefix}"
        with self._lock:
            gone = self._db.execute(
                "DELETE FROM records WHERE kind = 'note' AND source = ? AND substr(key, 1, ?) = ?",
                (source, len(key), key),
            ).rowcount
        return int(gone)

    def count(self, kind: str | None = None) -> dict[str, int]:
        """Number of stored records per kind (all kinds when ``kind`` is None)."""
        with self._lock:
            rows = self._db.execute("SELECT kind, COUNT(*) FROM records GROUP BY kind").fetchall()
        counts = {k: 0 for k in RECORD_TYPES} | dict(rows)
        return {kind: counts.get(kind, 0)} if kind else counts

    def sources(self) -> list[str]:
        """Sources that wrote records: index seeks from one source to the next, per kind
        (a DISTINCT would read every record: seconds at millions)."""
        found: set[str] = set()
        first = "SELECT MIN(source) FROM records WHERE kind = ?"
        after = "SELECT source FROM records WHERE kind = ? AND source > ? ORDER BY source LIMIT 1"
        with self._lock:
            for kind in RECORD_TYPES:
                row = self._db.execute(first, (kind,)).fetchone()
                while row is not None and row[0] is not None:
                    found.add(row[0])
                    row = self._db.execute(after, (kind, row[0])).fetchone()
        return sorted(found)

    # -- documents: JSON a source fetched beside its records (e.g. GitLab's DORA figures) --

    def put_document(self, source: str, key: str, value: Any) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO documents VALUES (?,?,?)",
                (source, key, json.dumps(value, sort_keys=True)),
            )

    def documents(self, key: str) -> dict[str, Any]:
        """``{source: value}`` of every document stored under ``key``."""
        with self._lock:
            rows = self._db.execute(
                "SELECT source, value FROM documents WHERE key=? ORDER BY source", (key,)
            ).fetchall()
        return {source: json.loads(value) for source, value in rows}

    # -- derived values: caches of what a reader computes from a repository's records ----

    def derived(self, name: str) -> list[tuple[str, int, bytes | None]]:
        """Every repository with records: ``(repository, generation, value)``, where value is
        the ``name`` value stored for this generation, or None when missing or outdated."""
        with self._lock:
            return self._db.execute(
                "SELECT g.repository, g.generation, d.value FROM generations g"
                " LEFT JOIN derived d ON d.name = ? AND d.repository = g.repository"
                " AND d.generation = g.generation ORDER BY g.repository",
                (name,),
            ).fetchall()

    def put_derived(self, name: str, values: Iterable[tuple[str, int, bytes]]) -> None:
        """Store ``(repository, generation, value)`` triples computed from records read at
        that generation (read the generation first: a later upsert then outdates them)."""
        rows = [(name, repository, gen, value) for repository, gen, value in values]
        with self._lock:
            try:
                self._db.execute("BEGIN")
                self._db.executemany("INSERT OR REPLACE INTO derived VALUES (?,?,?,?)", rows)
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._db.execute("ROLLBACK")
                raise StoreError(f"{self.path}: cannot write derived values: {exc}") from exc

    # -- collection runs: what was started and what finished, so a crash leaves a trace --

    def start_collection(self, source: str, repositories: Iterable[str]) -> None:
        """Mark ``repositories`` of ``source`` (``""``: the source's own listing) as being
        collected, before anything is fetched: a run that never finishes stays marked."""
        now = datetime.now(UTC).isoformat()  # bookkeeping only; never feeds a metric
        rows = [(source, repo, "running", "", now) for repo in repositories]
        with self._lock:
            self._db.executemany(
                "INSERT OR REPLACE INTO collection_runs VALUES (?,?,?,?,?,NULL)", rows
            )

    def finish_collection(
        self, source: str, repository: str, status: str, detail: str = ""
    ) -> None:
        """Record how the collection of ``repository`` ended: ``complete`` or ``failed``."""
        now = datetime.now(UTC).isoformat()
        with self._lock:
            self._db.execute(
                "UPDATE collection_runs SET status=?, detail=?, finished_at=?"
                " WHERE source=? AND repository=?",
                (status, detail, now, source, repository),
            )

    def collection_runs(self) -> list[tuple[str, str, str, str]]:
        """``(source, repository, status, detail)`` of every recorded collection."""
        with self._lock:
            return self._db.execute(
                "SELECT source, repository, status, detail FROM collection_runs"
                " ORDER BY source, repository"
            ).fetchall()

    # -- checkpoints -----------------------------------------------------------------

    def checkpoint(self, source: str, repository: str, resource: str) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT value FROM checkpoints WHERE source=? AND repository=? AND resource=?",
                (source, repository, resource),
            ).fetchone()
        return row[0] if row else None

    def set_checkpoint(self, source: str, repository: str, resource: str, value: str) -> None:
        now = datetime.now(UTC).isoformat()  # bookkeeping only; never feeds a metric
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO checkpoints VALUES (?,?,?,?,?)",
                (source, repository, resource, value, now),
            )

    def checkpoints_for(self, source: str) -> SourceCheckpoints:
        """The :class:`~opsmaturity.sources.base.Checkpoints` view a source is given."""
        return SourceCheckpoints(self, source)


class SourceCheckpoints:
    """Checkpoints of one source, as the Source interface expects them."""

    def __init__(self, store: Store, source: str) -> None:
        self._store, self._source = store, source

    def get(self, repository: str, resource: str) -> str | None:
        return self._store.checkpoint(self._source, repository, resource)

    def set(self, repository: str, resource: str, value: str) -> None:
        self._store.set_checkpoint(self._source, repository, resource, value)
