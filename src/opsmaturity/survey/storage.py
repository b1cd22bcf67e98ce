"""Survey respondents and their answers, kept in the assessment's store file.

Three tables beside the records (``CREATE TABLE IF NOT EXISTS``, so any store gains them
without a schema bump): settings (the server's secret, whether the survey is closed),
respondents (optional name, team, role, chosen disciplines, timestamps) and answers
(one row per respondent and question, written as each answer is given).

A respondent is found only by the hash of their link's token: the token itself is never
stored, so the store file does not hand out working links, and nothing here can list
another respondent's answers from a token.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import StoreError
from ..practices.answers import Answer, Response

_SCHEMA = """
CREATE TABLE IF NOT EXISTS survey_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS survey_respondents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL UNIQUE,
    via TEXT NOT NULL,
    name TEXT, team TEXT, role TEXT, disciplines TEXT,
    quick INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, finished_at TEXT
);
CREATE TABLE IF NOT EXISTS survey_answers (
    respondent_id INTEGER NOT NULL REFERENCES survey_respondents (id),
    question_id TEXT NOT NULL, value REAL, comment TEXT, answered_at TEXT NOT NULL,
    PRIMARY KEY (respondent_id, question_id)
);
"""
TOKEN_BYTES = 24  # 192 bits from `secrets`: unguessable


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Respondent:
    """One link's respondent; ``name`` is optional, team and role may be preset by the invite."""

    id: int
    via: str
    name: str | None
    team: str | None
    role: str | None
    disciplines: tuple[str, ...] | None
    quick: bool
    created_at: str
    updated_at: str
    finished_at: str | None

    @property
    def label(self) -> str:
        """How reports name this respondent: their name, or an anonymous number."""
        return self.name or f"respondent {self.id}"


class SurveyStore:
    """The survey tables of one store file; safe to share between server threads."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA busy_timeout = 5000")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open the survey tables: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> SurveyStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self, sql: str, args: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._db.execute(sql, tuple(args)).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"{self.path}: survey store: {exc}") from exc

    # settings ---------------------------------------------------------------------------
    def setting(self, key: str) -> str | None:
        rows = self._run("SELECT value FROM survey_settings WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def set_setting(self, key: str, value: str) -> None:
        self._run(
            "INSERT INTO survey_settings VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = ?",
            (key, value, value),
        )

    def secret(self) -> bytes:
        """The server's signing key (CSRF tokens), made once per store."""
        value = self.setting("secret")
        if value is None:
            value = secrets.token_hex(32)
            self.set_setting("secret", value)
        return bytes.fromhex(value)

    @property
    def closed(self) -> bool:
        return self.setting("closed") == "1"

    def set_closed(self, closed: bool) -> None:
        self.set_setting("closed", "1" if closed else "0")

    # respondents -------------------------------------------------------------------------
    def invite(
        self,
        now: datetime,
        *,
        via: str = "invite",
        team: str | None = None,
        role: str | None = None,
        quick: bool = False,
    ) -> str:
        """A new respondent; returns the link token (shown once, stored only as a hash)."""
        token = new_token()
        stamp = now.isoformat(timespec="seconds")
        self._run(
            "INSERT INTO survey_respondents (token_hash, via, team, role, quick, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (token_hash(token), via, team, role, int(quick), stamp, stamp),
        )
        return token

    def respondent(self, token: str) -> Respondent | None:
        rows = self._run(
            f"SELECT {_COLUMNS} FROM survey_respondents WHERE token_hash = ?", (token_hash(token),)
        )
        return _respondent(rows[0]) if rows else None

    def respondents(self) -> list[Respondent]:
        return [
            _respondent(r)
            for r in self._run(f"SELECT {_COLUMNS} FROM survey_respondents ORDER BY id")
        ]

    def set_details(
        self,
        respondent_id: int,
        now: datetime,
        *,
        name: str | None,
        team: str | None,
        role: str | None,
        disciplines: Iterable[str] | None,
    ) -> None:
        chosen = json.dumps(list(disciplines)) if disciplines is not None else None
        self._run(
            "UPDATE survey_respondents SET name = ?, team = ?, role = ?, disciplines = ?, "
            "updated_at = ? WHERE id = ?",
            (name, team, role, chosen, now.isoformat(timespec="seconds"), respondent_id),
        )

    def finish(self, respondent_id: int, now: datetime) -> None:
        stamp = now.isoformat(timespec="seconds")
        self._run(
            "UPDATE survey_respondents SET finished_at = ?, updated_at = ? WHERE id = ?",
            (stamp, stamp, respondent_id),
        )

    # answers -----------------------------------------------------------------------------
    def save_answers(
        self, respondent_id: int, answers: Mapping[str, Answer], now: datetime
    ) -> None:
        """Upsert answers as given (None = don't know); one transaction, so a page is whole."""
        stamp = now.isoformat(timespec="seconds")
        rows = [(respondent_id, q, a.value, a.comment, stamp) for q, a in answers.items()]
        with self._lock:
            try:
                with self._db:
                    self._db.execute("BEGIN")
                    self._db.executemany(
                        "INSERT INTO survey_answers VALUES (?, ?, ?, ?, ?) ON CONFLICT "
                        "(respondent_id, question_id) DO UPDATE SET value = excluded.value, "
                        "comment = excluded.comment, answered_at = excluded.answered_at",
                        rows,
                    )
                    self._db.execute(
                        "UPDATE survey_respondents SET updated_at = ? WHERE id = ?",
                        (stamp, respondent_id),
                    )
            except sqlite3.Error as exc:
                raise StoreError(f"{self.path}: cannot save answers: {exc}") from exc

    def answers(self, respondent_id: int) -> dict[str, Answer]:
        rows = self._run(
            "SELECT question_id, value, comment FROM survey_answers WHERE respondent_id = ?",
            (respondent_id,),
        )
        return {q: Answer(v, c) for q, v, c in rows}

    def responses(self, *, include_quick: bool = True) -> list[Response]:
        """Every respondent who answered something, as the responses the scoring reads."""
        out = []
        for r in self.respondents():
            answers = self.answers(r.id)
            if answers and (include_quick or not r.quick):
                out.append(Response(
                    respondent=r.label, role=r.role or "", team=r.team, answers=answers,
                    disciplines=r.disciplines, source=f"{self.path}#respondent-{r.id}",
                ))  # fmt: skip
        return out


_COLUMNS = "id, via, name, team, role, disciplines, quick, created_at, updated_at, finished_at"


def _respondent(row: tuple[Any, ...]) -> Respondent:
    rid, via, name, team, role, chosen, quick, created, updated, finished = row
    disciplines = tuple(json.loads(chosen)) if chosen else None
    return Respondent(
        rid, via, name, team, role, disciplines, bool(quick), created, updated, finished
    )


def has_survey(path: Path) -> bool:
    """Whether a store file holds survey answers (without creating the file)."""
    if not path.is_file():
        return False
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            return bool(db.execute("SELECT 1 FROM survey_answers LIMIT 1").fetchall())
    except sqlite3.Error:
        return False
