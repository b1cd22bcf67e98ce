"""The leader's next questions: team deltas, changed respondents, same-period refusal."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from opsmaturity.cli import SCORE_LINE, app
from opsmaturity.errors import ReportError
from opsmaturity.report.model import deltas, summarize
from opsmaturity.report.quarter import refuse_same_period, respondent_note
from opsmaturity.report.render import render_html
from opsmaturity.report.views import build_context
from tests.report_support import Tagged, previous_data, report_data

from .conftest import ROOT, write


def with_previous(current: dict, previous: dict) -> dict:
    data = copy.deepcopy(current)
    data["previous"] = summarize(previous)
    data["deltas"] = deltas(data)
    return data


def test_team_pages_show_each_teams_own_change() -> None:
    data = with_previous(report_data(), previous_data())
    prev_t = data["previous"]["teams"]
    for team, figures in data["deltas"]["teams"].items():
        for metric, d in figures.items():
            assert d["previous"] == prev_t[team][metric]
            if d["current"] is not None and d["previous"] is not None:
                assert d["change"] == pytest.approx(d["current"] - d["previous"], abs=1e-6)
    pages = {p.name: p for p in build_context(data).teams}
    warehouse = dict(pages["Warehouse"].changes)
    cfr = data["deltas"]["teams"]["Warehouse"]["change_failure_rate"]
    assert cfr["change"] < 0 and warehouse["Change failure rate"].direction == "better"
    rows = Tagged(render_html(data)).having("data-team-change")
    assert len(rows) == 5 * len(data["teams"])


def test_a_team_missing_last_quarter_has_unknown_changes() -> None:
    previous = previous_data()
    previous["metrics"]["scopes"] = [
        s for s in previous["metrics"]["scopes"] if s.get("name") != "Warehouse"
    ]
    data = with_previous(report_data(), previous)
    assert all(d["change"] is None for d in data["deltas"]["teams"]["Warehouse"].values())
    page = next(p for p in build_context(data).teams if p.name == "Warehouse")
    assert {d.direction for _, d in page.changes} == {"unknown"}


def test_a_practice_delta_says_when_respondents_changed() -> None:
    previous = previous_data()
    previous["assessment"]["organization"]["disciplines"]["devops"]["respondents"] = 7
    data = with_previous(report_data(), previous)
    devops = data["deltas"]["disciplines"]["devops"]
    assert devops["note"] == "respondents changed: 10 now, 7 in 2026Q2"
    views = {d.id: d for d in build_context(data).practices.disciplines}  # type: ignore[union-attr]
    assert views["devops"].delta.note == devops["note"]  # type: ignore[union-attr]
    assert views["sre"].delta.note == ""  # type: ignore[union-attr]
    assert devops["note"] in render_html(data)


@pytest.mark.parametrize(
    ("counts", "roles_now", "roles_then", "note"),
    [
        ({"current": 10, "previous": 10}, {"Dev": 5}, {"Dev": 5}, ""),
        ({"current": 10, "previous": 8}, {}, {}, "respondents changed: 10 now, 8 in Q2"),
        (
            {"current": 5, "previous": 5},
            {"Dev": 5},
            {"SRE": 5},
            "respondents' roles changed since Q2",
        ),
        ({"current": 5, "previous": None}, {"Dev": 5}, {}, ""),
        (None, {}, {}, ""),
    ],
)
def test_respondent_note(counts: dict | None, roles_now: dict, roles_then: dict, note: str) -> None:
    assert respondent_note(counts, roles_now, roles_then, "Q2") == note


def test_comparing_a_period_with_itself_is_refused() -> None:
    same = {"period": {"start": "2026-07-01", "end": "2026-09-30", "label": "2026Q3"}}
    with pytest.raises(ReportError, match=r"same period \(2026Q3\)"):
        refuse_same_period(same, "2026-07-01", "2026-09-30", "2026Q3", "q3.json")
    refuse_same_period(same, "2026-10-01", "2026-12-31", "2026Q4", "q3.json")
    refuse_same_period(None, "2026-07-01", "2026-09-30", "2026Q3", "q3.json")


def test_the_cli_refuses_the_same_period_in_one_line(tmp_path: Path) -> None:
    config = yaml.safe_load((ROOT / "examples" / "demo.yaml").read_text())
    config["store"] = str(tmp_path / "store.sqlite")
    path = write(tmp_path / "demo.yaml", yaml.safe_dump(config))
    same = write(
        tmp_path / "q3.json", (ROOT / "tests" / "fixtures" / "report_data.json").read_text()
    )
    result = CliRunner().invoke(
        app,
        ["report", "-c", str(path), "--compare-with", str(same), "--out", str(tmp_path / "r.pdf")],
        terminal_width=400,
    )
    assert result.exit_code == 4
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "covers the same period (2026Q3)" in lines[0]
    assert not (tmp_path / "r.pdf").exists()


def test_the_metrics_table_explains_its_score_in_one_line(tmp_path: Path) -> None:
    config = yaml.safe_load((ROOT / "examples" / "demo.yaml").read_text())
    config["store"] = str(tmp_path / "store.sqlite")
    path = write(tmp_path / "demo.yaml", yaml.safe_dump(config))
    result = CliRunner().invoke(app, ["metrics", "-c", str(path)], terminal_width=400)
    assert result.exit_code == 0, result.output
    assert "\n" not in SCORE_LINE and SCORE_LINE in result.output
