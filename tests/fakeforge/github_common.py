"""Shared bits of the GitHub renderers: timestamps, node ids, the web host."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

HTML = "https://github.example"
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def ts(value: datetime | None) -> str | None:
    """GitHub's timestamp form: UTC with a ``Z``."""
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def node_id(kind: str, key: object) -> str:
    return f"{kind}_" + hashlib.sha1(f"{kind}:{key}".encode()).hexdigest()[:16]


def id_of(login: str) -> int:
    return int(hashlib.sha1(login.encode()).hexdigest()[:8], 16)
