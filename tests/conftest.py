"""Shared fixtures. Tests run offline, in UTC, with no token in the environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def _no_real_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test never sees a real token from the developer's shell."""
    for name in list(os.environ):
        if name.endswith("_TOKEN"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TZ", "UTC")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
