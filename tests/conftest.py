"""Shared fixtures. Tests run offline, in UTC, with no token in the environment."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

if TYPE_CHECKING:
    from tests.fakeforge.gitlab import FakeGitLab

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

# CI replays the same examples on every run, so a landing is decided by the code, not by
# a draw; local runs keep exploring new ones (and keep what fails in .hypothesis/).
settings.register_profile("ci", derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")


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


@pytest.fixture(scope="module")
def _gitlab_server(request: pytest.FixtureRequest) -> Iterator[FakeGitLab]:
    """One fake GitLab per test module, serving the module's ``GITLAB_SCENARIO`` (a
    scenario factory; default ``gitlab_scenarios.northwind``) for the module's ``TOKEN``."""
    from tests.fakeforge.gitlab import FakeGitLab
    from tests.fakeforge.gitlab_scenarios import northwind
    from tests.gitlab_helpers import TOKEN

    scenario = getattr(request.module, "GITLAB_SCENARIO", northwind)
    with FakeGitLab(scenario(), getattr(request.module, "TOKEN", TOKEN)) as server:
        yield server


@pytest.fixture
def fake(_gitlab_server: FakeGitLab) -> FakeGitLab:
    """The module's fake GitLab, with no faults and an empty request log for each test."""
    _gitlab_server.faults.clear()
    _gitlab_server.log.reset()
    return _gitlab_server
