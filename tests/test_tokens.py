"""Tokens from the environment: stripped, refused with control characters inside, and
scrubbed from every exception and log line that reaches the user."""

from __future__ import annotations

import io
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from opsmaturity import pipeline
from opsmaturity.cli import app
from opsmaturity.errors import AuthError
from opsmaturity.progress import configure_logging
from opsmaturity.records import Deployment
from opsmaturity.tokens import read_token, scrub
from tests.fakeforge import load_scenario
from tests.fakeforge.github import FakeGitHub
from tests.github_source_helpers import ENV, collect, make_source

from .conftest import ROOT

TOKEN = "ghp_TOKENthatMUSTneverSHOW0123456789"
runner = CliRunner()


@pytest.fixture
def small() -> Iterator[FakeGitHub]:
    with FakeGitHub(load_scenario("small"), token=TOKEN) as server:
        yield server


@pytest.mark.parametrize("pasted", [TOKEN + "\n", TOKEN + "\r\n", f"  {TOKEN}\t", "\n" + TOKEN])
def test_surrounding_whitespace_is_stripped(small: FakeGitHub, pasted: str) -> None:
    assert read_token({ENV: pasted}, ENV) == TOKEN
    store = collect(make_source(small, token=pasted))
    assert any(isinstance(r, Deployment) for r in store.values())


@pytest.mark.parametrize("inside", ["\n", "\r", "\x00", "\x1b"])
def test_a_control_character_inside_is_refused_naming_the_variable(inside: str) -> None:
    with pytest.raises(AuthError) as err:
        read_token({ENV: TOKEN[:10] + inside + TOKEN[10:]}, ENV)
    message = str(err.value)
    assert f"${ENV} contains a control character" in message
    assert TOKEN[:10] not in message and TOKEN[10:] not in message and "\n" not in message


def test_unset_or_blank_is_none() -> None:
    assert read_token({}, ENV) is None and read_token({ENV: " \n"}, ENV) is None


def test_scrub_replaces_the_token_and_its_repr() -> None:
    read_token({"SCRUB_ME": TOKEN + "\n"}, "SCRUB_ME")
    text = f"InvalidHeader: Invalid header value b'token {TOKEN}\\n' / {TOKEN!r}"
    assert TOKEN not in scrub(text) and "***" in scrub(text)


def test_a_bug_carrying_the_token_shows_one_scrubbed_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last line of defence: an exception nobody foresaw, whose text has the token."""
    config = shutil.copy(ROOT / "examples" / "github.yaml", tmp_path / "gh.yaml")

    def explode(*args: Any, **kwargs: Any) -> None:
        token = read_token({"GITHUB_TOKEN": TOKEN + "\n"}, "GITHUB_TOKEN")
        raise ValueError(f"Invalid header value b'token {token}\\n'\nsecond line {token}")

    monkeypatch.setattr(pipeline, "collect_all", explode)
    result = runner.invoke(app, ["collect", "-c", str(config)], terminal_width=300)
    assert result.exit_code == 70
    assert TOKEN not in result.output and "Traceback" not in result.output
    assert result.output.count("\n") == 1 and "internal error: ValueError" in result.output

    monkeypatch.setenv("OPSMATURITY_DEBUG", "1")
    debug = runner.invoke(app, ["collect", "-c", str(config)], terminal_width=300)
    assert "Traceback" in debug.output and TOKEN not in debug.output


def test_log_lines_are_scrubbed(monkeypatch: pytest.MonkeyPatch) -> None:
    read_token({"LOGGED": TOKEN}, "LOGGED")
    monkeypatch.setattr(logging.getLogger("opsmaturity"), "handlers", [])
    out = io.StringIO()
    configure_logging(Console(file=out, width=300))
    logger = logging.getLogger("opsmaturity.test")
    logger.warning("retrying with %s", TOKEN)
    try:
        raise RuntimeError(f"boom {TOKEN}")
    except RuntimeError:
        logger.exception("failed")
    assert "retrying with ***" in out.getvalue() and "boom ***" in out.getvalue()
    assert TOKEN not in out.getvalue()
