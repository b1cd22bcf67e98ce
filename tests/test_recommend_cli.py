"""``opsmaturity recommend``: the what-if command, through typer's CliRunner."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from opsmaturity.cli import app
from opsmaturity.demo import demo_answers

from .conftest import ROOT, write

runner = CliRunner()


def demo_config(tmp_path: Path) -> Path:
    """The demo config with its store in ``tmp_path`` (the demo source fills it offline)."""
    data = yaml.safe_load((ROOT / "examples" / "demo.yaml").read_text())
    data["store"] = str(tmp_path / "store.sqlite")
    return write(tmp_path / "demo.yaml", yaml.safe_dump(data))


def answers(tmp_path: Path) -> list[str]:
    args = []
    for i, response in enumerate(demo_answers()):
        path = write(tmp_path / f"r{i}.yaml", yaml.safe_dump(response.to_dict()))
        args += ["--answers", str(path)]
    return args


def test_prints_matrix_ranking_and_what_would_change(tmp_path: Path) -> None:
    config = demo_config(tmp_path)
    result = runner.invoke(
        app, ["recommend", "--config", str(config), *answers(tmp_path)], terminal_width=120
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.splitlines()[0] == "Platform engineering with stream-aligned teams"
    assert "Decision matrix" in out and "Ranking" in out and "Fit score" in out
    assert "Spread between teams" in out and "Confidence: medium" in out
    assert "At about 400 engineers (now 120)" in out


def test_what_if_engineers_and_profile_change_the_ranking(tmp_path: Path) -> None:
    config = demo_config(tmp_path)
    base = ["recommend", "--config", str(config), *answers(tmp_path)]
    big = runner.invoke(app, [*base, "--engineers", "3000"], terminal_width=120)
    assert big.exit_code == 0, big.output
    assert big.output.splitlines()[0].startswith("Dedicated SRE")
    assert "(now 3000)" in big.output
    regulated = runner.invoke(app, [*base, "--profile", "regulated"], terminal_width=120)
    assert regulated.output.splitlines()[0].startswith("SysOps-led")


def test_without_answers_the_evidence_is_insufficient(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["recommend", "--config", str(demo_config(tmp_path))], terminal_width=120
    )
    assert result.exit_code == 0, result.output
    assert "Confidence: low" in result.output and "no practice survey (low)" in result.output
    assert "Evidence to collect" in result.output


def test_bad_options_are_one_line_errors(tmp_path: Path) -> None:
    config = demo_config(tmp_path)
    zero = runner.invoke(app, ["recommend", "--config", str(config), "--engineers", "0"])
    assert zero.exit_code == 2 and "Traceback" not in zero.output
    odd = runner.invoke(app, ["recommend", "--config", str(config), "--profile", "bank"])
    assert odd.exit_code == 2 and "bank" in odd.output
    missing = runner.invoke(app, ["recommend", "--config", str(tmp_path / "none.yaml")])
    assert missing.exit_code == 2 and "none.yaml" in missing.output
