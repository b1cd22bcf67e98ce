"""Bad input, table-driven: every case ends with its exit code and ONE line naming the file
(and the line and field where there is one), never a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opsmaturity.cli import app

from .conftest import ROOT

runner = CliRunner()
GOOD_HEAD = "organization: {name: Acme, engineers: 40}\nperiod: {quarter: 2026Q3}\n"


def forge(url: str) -> str:
    return GOOD_HEAD + f"sources:\n  - kind: gitlab\n    base_url: '{url}'\n    group: acme\n"


@dataclass(frozen=True)
class Case:
    """``files`` to write in a fresh folder, the command (``{dir}`` is that folder), and what
    the one line must hold."""

    id: str
    files: dict[str, str | bytes]
    args: list[str]
    exit_code: int
    expect: list[str]


DEMO = str(ROOT / "examples" / "demo.yaml")
CASES = [
    Case(
        "base_url not a url",
        {"c.yaml": forge("not a url")},
        ["config", "check", "{dir}/c.yaml"],
        2,
        ["c.yaml:5: sources[0].base_url: expected an http(s) URL", "'not a url'"],
    ),
    Case(
        "base_url ftp",
        {"c.yaml": forge("ftp://gitlab.example.com")},
        ["config", "check", "{dir}/c.yaml"],
        2,
        ["c.yaml:5: sources[0].base_url:", "ftp://gitlab.example.com"],
    ),
    Case(
        "base_url without host",
        {"c.yaml": forge("https://")},
        ["config", "check", "{dir}/c.yaml"],
        2,
        ["c.yaml:5: sources[0].base_url:"],
    ),
    Case(
        "impossible date",
        {
            "c.yaml": "organization: {name: A, engineers: 3}\nperiod:\n  start: 2026-02-30\n  end: 2026-03-31\n"
            "sources: [{kind: demo}]\n"
        },
        ["config", "check", "{dir}/c.yaml"],
        2,
        ["c.yaml:3: period.start: '2026-02-30'", "day is out of range"],
    ),
    Case(
        "latin-1 config",
        {"c.yaml": "organization: {name: Soci\xe9t\xe9, engineers: 3}\n".encode("latin-1")},
        ["config", "check", "{dir}/c.yaml"],
        2,
        ["c.yaml:1: not UTF-8 text (byte 0xe9)"],
    ),
    Case(
        "binary config",
        {"c.yaml": b"\x7fELF\x02\x01\x01\x00" + bytes(range(256))},
        ["metrics", "-c", "{dir}/c.yaml"],
        2,
        ["c.yaml:2: not UTF-8 text (byte 0x80)"],
    ),
    Case(
        "NUL in config",
        {"c.yaml": b"organization: \x00\n"},
        ["config", "check", "{dir}/c.yaml"],
        2,
        ["c.yaml:1: invalid YAML"],
    ),
    Case(
        "binary answers",
        {"a.yaml": bytes(range(128, 256))},
        ["report", "-c", DEMO, "--answers", "{dir}/a.yaml", "--out", "{dir}/r.pdf"],
        2,
        ["a.yaml:1: not UTF-8 text"],
    ),
    Case(
        "duplicate key",
        {
            "c.yaml": GOOD_HEAD + "sources: [{kind: demo}]\nteams:\n  Web: {repositories: [a/b]}\n"
            "  Web: {repositories: [a/c]}\n"
        },
        ["config", "check", "{dir}/c.yaml"],
        2,
        ["c.yaml:6: Web: duplicate key (first given on line 5)"],
    ),
    Case(
        "80,000-character name",
        {
            "c.yaml": f"organization: {{name: {'x' * 80_000}, engineers: 3}}\nperiod: {{quarter: 2026Q3}}\n"
            "sources: [{kind: demo}]\n"
        },
        ["config", "check", "{dir}/c.yaml"],
        2,
        ["c.yaml:1: organization.name: String should have at most 500"],
    ),
    Case(
        "1,000-character team name",
        {
            "c.yaml": GOOD_HEAD
            + "sources: [{kind: demo}]\nteams:\n  "
            + "T" * 1000
            + ": {repositories: [a/b]}\n"
        },
        ["config", "check", "{dir}/c.yaml"],
        2,
        ["c.yaml:5: teams.TTTT", "…", "at most 500 characters"],
    ),
    Case(
        "config is a folder",
        {"c.yaml/x": ""},
        ["metrics", "-c", "{dir}/c.yaml"],
        2,
        ["c.yaml: cannot read: Is a directory"],
    ),
    Case(
        "config missing",
        {},
        ["report", "-c", "{dir}/none.yaml"],
        2,
        ["none.yaml: cannot read: No such file"],
    ),
    Case(
        "--out onto a folder",
        {"out/x": ""},
        ["report", "-c", DEMO, "--out", "{dir}/out"],
        4,
        ["--out", "/out: is a folder"],
    ),
    Case(
        "--out not a PDF",
        {},
        ["report", "-c", DEMO, "--out", "{dir}/r.html"],
        4,
        ["--out", "/r.html: give the PDF's path, ending in .pdf"],
    ),
    Case(
        "--out under a file",
        {"file": ""},
        ["report", "-c", DEMO, "--out", "{dir}/file/r.pdf"],
        4,
        ["--out", "/file is a file, not a folder"],
    ),
    Case(
        "--out under /proc",
        {},
        ["report", "-c", DEMO, "--out", "/proc/opsmaturity/r.pdf"],
        4,
        ["--out /proc/opsmaturity/r.pdf: cannot write in /proc/opsmaturity"],
    ),
    Case(
        "demo --out under a file",
        {"file": ""},
        ["demo", "--out", "{dir}/file/demo"],
        4,
        ["--out", "/file is a file, not a folder"],
    ),
    Case(
        "export --out onto a folder",
        {"out/x": ""},
        ["questionnaire", "export", "--out", "{dir}/out"],
        4,
        ["/out: is a folder"],
    ),
]


def materialise(case: Case, folder: Path) -> list[str]:
    for name, content in case.files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return [a.replace("{dir}", str(folder)) for a in case.args]


def assert_one_line(output: str, exit_code: int, expected_code: int, expect: list[str]) -> None:
    assert exit_code == expected_code, output
    assert "Traceback" not in output and "╭" not in output, output
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    for part in expect:
        assert part in lines[0], (part, lines[0])


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_one_line(case: Case, tmp_path: Path) -> None:
    args = materialise(case, tmp_path)
    result = runner.invoke(app, args, terminal_width=100_000, env={"COLUMNS": "100000"})
    assert_one_line(result.output, result.exit_code, case.exit_code, case.expect)


# -- cases that need a user who cannot write: root passes every permission check ---------------
def _as_nobody() -> Callable[[list[str]], subprocess.CompletedProcess[str]]:
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None:
        pytest.skip("needs root and setpriv to run as an unprivileged user")
    probe = subprocess.run(
        [
            setpriv,
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            sys.executable,
            "-c",
            "import opsmaturity",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        timeout=60,
        check=False,
    )
    if probe.returncode != 0:
        pytest.skip(
            "the unprivileged user cannot import opsmaturity from this checkout "
            "(its folder is not readable by others)"
        )

    def run(args: list[str]) -> subprocess.CompletedProcess[str]:
        command = [
            setpriv,
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            sys.executable,
            "-m",
            "opsmaturity",
            *args,
        ]
        env = {**os.environ, "COLUMNS": "100000", "PYTHONPATH": str(ROOT / "src")}
        return subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=120, check=False
        )

    return run


def open_up(path: Path) -> None:
    """Let the unprivileged user reach ``path`` (pytest's tmp folders are root-only)."""
    for parent in [path, *path.parents]:
        parent.chmod(parent.stat().st_mode | 0o005)


def test_unreadable_config_is_one_line_not_a_box(tmp_path: Path) -> None:
    run = _as_nobody()
    config = tmp_path / "c.yaml"
    shutil.copy(DEMO, config)
    open_up(tmp_path)
    config.chmod(0o600)
    for args in (["config", "check", str(config)], ["metrics", "-c", str(config)]):
        done = run(args)
        assert_one_line(
            done.stdout + done.stderr,
            done.returncode,
            2,
            [f"{config}: cannot read: Permission denied"],
        )


def test_out_into_a_read_only_folder(tmp_path: Path) -> None:
    run = _as_nobody()
    folder = tmp_path / "ro"
    folder.mkdir()
    open_up(folder)
    folder.chmod(0o555)
    done = run(["questionnaire", "export", "--out", str(folder / "q.csv")])
    assert_one_line(
        done.stdout + done.stderr,
        done.returncode,
        4,
        [f"cannot write in {folder}: Permission denied"],
    )


def test_metrics_from_a_read_only_store_in_a_read_only_folder(tmp_path: Path) -> None:
    run = _as_nobody()
    shutil.copytree(ROOT / "examples" / "files", tmp_path / "files")
    config = Path(shutil.copy(ROOT / "examples" / "files.yaml", tmp_path / "files.yaml"))
    first = runner.invoke(app, ["metrics", "-c", str(config), "-f", "csv"])
    assert first.exit_code == 0, first.output
    store = tmp_path / ".opsmaturity"
    open_up(store)
    for path in store.iterdir():
        path.chmod(0o444)
    store.chmod(0o555)
    tmp_path.chmod(0o555)
    done = run(["metrics", "-c", str(config), "-f", "csv"])
    assert done.returncode == 0, done.stderr
    assert done.stdout == first.output
