"""Which teams drove the organization's change of each headline metric, by hand."""

from __future__ import annotations

import copy

from opsmaturity.report.data import Change
from opsmaturity.report.metrics_view import drivers_text
from opsmaturity.report.quarter import Drivers, drivers
from opsmaturity.report.render import render_html
from tests.report_support import report_data, typed

LT = "lead_time_for_changes"


def teams(**changes: tuple[float | None, float | None]) -> dict[str, dict[str, Change]]:
    return {team: {LT: Change.of(now, then)} for team, (now, then) in changes.items()}


def test_teams_split_by_the_organizations_direction_largest_first() -> None:
    org = Change.of(40.0, 50.0)  # -10 h
    found = drivers(
        org,
        teams(
            Red=(20.0, 50.0),  # -30 h
            Blue=(45.0, 50.0),  # -5 h
            Grey=(70.0, 60.0),  # +10 h: the other way
            Teal=(30.0, 30.0),  # unchanged: drives nothing
            New=(25.0, None),  # no figure last quarter: drives nothing
        ),
        LT,
    )
    assert found == Drivers(along=(("Red", -30.0), ("Blue", -5.0)), against=(("Grey", 10.0),))


def test_an_unchanged_or_unknown_organization_has_no_drivers() -> None:
    moved = teams(Red=(20.0, 50.0))
    assert drivers(Change.of(40.0, 40.0), moved, LT) == Drivers((), ())
    assert drivers(Change.of(None, 40.0), moved, LT) == Drivers((), ())


def test_a_team_without_the_metric_is_skipped() -> None:
    found = drivers(Change.of(1.0, 2.0), {"Red": {}}, LT)
    assert found == Drivers((), ())


def test_the_line_under_each_headline_names_the_teams() -> None:
    data = typed(report_data())
    # The fixture's team lead times against 2026Q2: Warehouse's fell by 21.2 days (over
    # 500 h), Platform's by 38 minutes; Catalog's rose 1.9 h and Checkout's 14 minutes, while the
    # organization's median fell.
    team = data.deltas.teams
    assert team["Warehouse"][LT].change is not None and team["Warehouse"][LT].change < -500
    assert drivers_text(LT, data) == (
        "Driven by Warehouse (−21.2 days) and Platform (−38 min); "
        "Catalog (+1.9 h) and Checkout (+14 min) went the other way."
    )
    # Three teams on one side: two named, the third counted.
    assert drivers_text("change_failure_rate", data) == (
        "Driven by Warehouse (−16.2 pp), Catalog (−5.6 pp) and 1 more team; "
        "Checkout (+0.6 pp) went the other way."
    )


def test_no_line_without_a_previous_report() -> None:
    data = copy.deepcopy(report_data())
    data["previous"] = None
    assert drivers_text(LT, typed(data)) == ""
    assert 'class="small drivers"' not in render_html(typed(data))


def test_the_metric_pages_show_the_drivers() -> None:
    html = render_html(typed(report_data()))
    assert html.count('class="small drivers"') == 5
    assert "Driven by Warehouse (−21.2 days) and Platform (−38 min)" in html
