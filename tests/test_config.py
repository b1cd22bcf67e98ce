"""Config loading: valid files load; every kind of mistake gives file:line: field: reason."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from opsmaturity.config import json_schema, load_config
from opsmaturity.errors import ConfigError
from opsmaturity.period import Period

from .conftest import ROOT, write

VALID = """\
organization:
  name: Acme
  engineers: 40
period:
  quarter: 2026Q3
sources:
  - kind: github
    org: acme
"""


@pytest.mark.parametrize("name", ["github.yaml", "gitlab.yaml", "files.yaml", "demo.yaml"])
def test_shipped_examples_are_valid(name: str) -> None:
    cfg = load_config(ROOT / "examples" / name)
    assert cfg.reporting_period.days >= 90


def test_defaults_and_resolution(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path / "acme.yaml", VALID))
    assert cfg.reporting_period == Period(date(2026, 7, 1), date(2026, 9, 30))
    assert cfg.metrics.benchmark == 2024 and cfg.metrics.lead_time_start == "commit"
    assert cfg.store_path == tmp_path.resolve() / ".opsmaturity" / "store.sqlite"
    assert cfg.sources[0].token_env == "GITHUB_TOKEN"
    assert cfg.source_name(0) == "github"


BROKEN = [
    # (replace this, with that, expected line, expected message)
    (
        "kind: github",
        "kind: gitlub",
        7,
        "sources[0].kind: expected 'github', 'gitlab', 'files', 'demo', 'pagerduty', 'jira' or 'opsgenie', got 'gitlub'",
    ),
    ("engineers: 40", "engineers: -1", 3, "organization.engineers: Input should be greater than 0"),
    (
        "engineers: 40",
        "engineers: many",
        3,
        "organization.engineers: Input should be a valid integer",
    ),
    (
        "quarter: 2026Q3",
        "quarter: 2026Q5",
        5,
        "period.quarter: expected a quarter like '2026Q3', got '2026Q5'",
    ),
    ("    org: acme", "    org: acme\n    colour: red", 9, "sources[0].colour: unknown field"),
    (
        "    org: acme",
        "    org: acme\n    token_env: ghp_abcdef",
        9,
        "sources[0].token_env: looks like a token",
    ),
    ("  name: Acme\n", "", 1, "organization.name: required field is missing"),
]


@pytest.mark.parametrize(("old", "new", "line", "message"), BROKEN)
def test_errors_name_file_line_and_field(
    tmp_path: Path, old: str, new: str, line: int, message: str
) -> None:
    path = write(tmp_path / "acme.yaml", VALID.replace(old, new))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}:{line}: {message}")
    assert "\n" not in str(caught.value)


def test_token_value_never_echoed(tmp_path: Path) -> None:
    path = write(tmp_path / "a.yaml", VALID + "    token_env: ghp_SECRET123\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "SECRET123" not in str(caught.value)


def test_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.yaml", VALID + "teams: [unclosed\n")
    with pytest.raises(ConfigError, match=rf"^{path}:\d+: invalid YAML"):
        load_config(path)


def test_missing_file_and_non_mapping(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match=":1: expected a mapping"):
        load_config(write(tmp_path / "list.yaml", "- 1\n- 2\n"))


def test_period_forms(tmp_path: Path) -> None:
    text = VALID.replace("  quarter: 2026Q3", "  start: 2026-08-10\n  end: 2026-08-01")
    with pytest.raises(ConfigError, match="period: end 2026-08-01 is before start 2026-08-10"):
        load_config(write(tmp_path / "p.yaml", text))
    ok = VALID.replace("  quarter: 2026Q3", "  start: 2026-08-01\n  end: 2026-08-14")
    assert load_config(write(tmp_path / "q.yaml", ok)).reporting_period.days == 14


def test_unknown_timezone(tmp_path: Path) -> None:
    text = VALID + "metrics:\n  timezone: Mars/Olympus\n"
    with pytest.raises(ConfigError, match=r":10: metrics.timezone: unknown time zone"):
        load_config(write(tmp_path / "tz.yaml", text))


def test_json_schema_describes_sources() -> None:
    schema = json.loads(json_schema())
    assert "base_dir" not in schema["properties"]
    assert {"organization", "period", "sources", "teams", "metrics"} <= set(schema["properties"])
    assert "GitHubSource" in schema["$defs"] and "GitLabSource" in schema["$defs"]
