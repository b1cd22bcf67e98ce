"""The README stays true: its two commands exist, every command it lists is real and vice versa."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from opsmaturity.cli import app

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")


def test_two_setup_commands_exist_as_make_targets() -> None:
    block = re.search(r"## Try it: two commands\n.*?```sh\n(.*?)```", README, re.S)
    assert block, "README lost its 'Try it: two commands' block"
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]
    for target in ("demo", "test", "lint", "bench"):
        assert re.search(rf"^{target}:", MAKEFILE, re.M), f"Makefile has no {target} target"


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make lint test" in ci


def _commands(args: list[str]) -> set[str]:
    result = CliRunner().invoke(app, [*args, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    section = result.output.split("Commands")[-1]
    return set(re.findall(r"│ (\w[\w-]*)\s{2,}", section))


def test_every_command_is_documented_and_every_documented_command_exists() -> None:
    top = _commands([])
    assert {"demo", "collect", "metrics", "report", "survey", "config", "questionnaire"} <= top
    full = {c for c in top if c not in ("config", "questionnaire")}
    full |= {f"config {c}" for c in _commands(["config"])}
    full |= {f"questionnaire {c}" for c in _commands(["questionnaire"])}
    full |= {f"survey {c}" for c in _commands(["survey"])}
    documented = set(re.findall(r"\| `opsmaturity ([a-z]+(?: [a-z]+)?)", README))
    documented |= {"config check"}  # listed together with `config schema`
    assert full == documented


def test_every_option_in_the_readme_table_exists() -> None:
    for command, options in [
        (["report"], ["--config", "--answers", "--compare-with", "--out"]),
        (["metrics"], ["--config", "--format", "--rows"]),
        (["demo"], ["--out"]),
        (["questionnaire", "export"], ["--format"]),
        (["survey"], ["--out", "--quick", "--discipline"]),
        (["survey", "serve"], ["--config", "--host", "--port", "--open-link", "--quick"]),
        (["survey", "invite"], ["--config", "--count", "--team", "--role", "--base-url"]),
        (["survey", "export"], ["--config", "--format", "--out"]),
    ]:
        result = CliRunner().invoke(app, [*command, "--help"], terminal_width=200)
        for option in options:
            assert option in result.output, f"{' '.join(command)} lost {option}"
