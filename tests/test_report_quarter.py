"""The leader's next questions: team deltas, changed respondents, same-period refusal."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from opsmaturity.cli import SCORE_LINE, app
from opsmaturity.errors import ReportError
from opsmaturity.period import Period
from opsmaturity.report import ReportData, read_previous
from opsmaturity.report.data import Change
from opsmaturity.report.quarter import refuse_same_period, respondent_note
from opsmaturity.report.render import render_html
from opsmaturity.report.views import build_context
from tests.report_support import Tagged, previous_data, report_data, typed

from .conftest import ROOT, write


def with_previous(current: dict, previous: dict, folder: Path) -> ReportData:
    """The current report compared with ``previous`` as ``--compare-with`` reads it."""
    path = write(folder / "q2.json", json.dumps(previous))
    return dataclasses.replace(typed(current), previous=read_previous(path))


def test_the_previous_report_keeps_teams_respondents_and_roles(tmp_path: Path) -> None:
    previous = previous_data()
    data = with_previous(report_data(), previous, tmp_path)
    assert data.previous == typed(previous).comparison()
    warehouse = next(s for s in previous["metrics"]["scopes"] if s["name"] == "Warehouse")
    assert (
        data.previous.teams["Warehouse"]["change_failure_rate"]
        == (  # type: ignore[union-attr]
            warehouse["change_failure_rate"]["value"]
        )
    )
    assert data.previous.respondents["netops"] == 3  # type: ignore[union-attr]
    assert data.previous.roles == previous["assessment"]["roles"]  # type: ignore[union-attr]


def test_team_pages_show_each_teams_own_change(tmp_path: Path) -> None:
    data = with_previous(report_data(), previous_data(), tmp_path)
    assert data.previous is not None
    prev_t = data.previous.teams
    teams = data.deltas.teams
    assert set(teams) == {t.name for t in data.teams}
    for team, figures in teams.items():
        for metric, d in figures.items():
            assert d.previous == prev_t[team][metric]
            if d.current is not None and d.previous is not None:
                assert d.change == pytest.approx(d.current - d.previous, abs=1e-6)
    pages = {p.name: p for p in build_context(data).teams}
    warehouse = dict(pages["Warehouse"].changes)
    cfr = teams["Warehouse"]["change_failure_rate"]
    assert cfr.change is not None and cfr.change < 0
    assert warehouse["Change failure rate"].direction == "better"
    rows = Tagged(render_html(data)).having("data-team-change")
    assert len(rows) == 5 * len(data.teams)


def test_a_team_missing_last_quarter_has_unknown_changes(tmp_path: Path) -> None:
    previous = previous_data()
    previous["metrics"]["scopes"] = [
        s for s in previous["metrics"]["scopes"] if s.get("name") != "Warehouse"
    ]
    data = with_previous(report_data(), previous, tmp_path)
    assert all(d.change is None for d in data.deltas.teams["Warehouse"].values())
    page = next(p for p in build_context(data).teams if p.name == "Warehouse")
    assert {d.direction for _, d in page.changes} == {"unknown"}


def test_without_a_previous_report_team_pages_show_no_changes() -> None:
    data = typed(report_data())
    data = dataclasses.replace(data, previous=None)
    assert all(p.changes == () for p in build_context(data).teams)
    assert not Tagged(render_html(data)).having("data-team-change")


def test_a_practice_delta_says_when_respondents_changed(tmp_path: Path) -> None:
    previous = previous_data()
    previous["assessment"]["organization"]["disciplines"]["devops"]["respondents"] = 7
    data = with_previous(report_data(), previous, tmp_path)
    devops = data.deltas.disciplines["devops"]
    assert (devops.respondents.current, devops.respondents.previous) == (10, 7)
    assert devops.note == "respondents changed: 10 now, 7 in 2026Q2"
    views = {d.id: d for d in build_context(data).practices.disciplines}  # type: ignore[union-attr]
    assert views["devops"].delta.note == devops.note  # type: ignore[union-attr]
    assert views["sre"].delta.note == ""  # type: ignore[union-attr]
    assert devops.note in render_html(data)


def test_a_practice_delta_says_when_roles_changed(tmp_path: Path) -> None:
    previous = previous_data()
    previous["assessment"]["roles"] = {"Developer": 10}
    data = with_previous(report_data(), previous, tmp_path)
    notes = {d.note for d in data.deltas.disciplines.values()}
    assert notes == {"respondents' roles changed since 2026Q2"}


@pytest.mark.parametrize(
    ("counts", "roles_now", "roles_then", "note"),
    [
        ((10, 10), {"Dev": 5}, {"Dev": 5}, ""),
        ((10, 8), {}, {}, "respondents changed: 10 now, 8 in Q2"),
        (
            (5, 5),
            {"Dev": 5},
            {"SRE": 5},
            "respondents' roles changed since Q2",
        ),
        ((5, None), {"Dev": 5}, {}, ""),
        ((None, None), {}, {}, ""),
    ],
)
def test_respondent_note(
    counts: tuple[int | None, int | None], roles_now: dict, roles_then: dict, note: str
) -> None:
    assert respondent_note(Change.of(*counts), roles_now, roles_then, "Q2") == note


def test_comparing_a_period_with_itself_is_refused() -> None:
    same = typed(report_data()).comparison()
    q3, path = Period.quarter("2026Q3"), Path("q3.json")
    with pytest.raises(ReportError, match=r"q3.json covers the same period \(2026Q3\)"):
        refuse_same_period(same, q3, path)
    refuse_same_period(same, Period.quarter("2026Q4"), path)
    refuse_same_period(None, q3, path)


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
