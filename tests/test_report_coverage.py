"""Coverage per discipline in the report: shown beside each score, thin ones marked, in JSON."""

from __future__ import annotations

import copy
from typing import Any

from opsmaturity.report import report_json
from opsmaturity.report.render import render_html
from tests.report_support import Tagged, report_data, typed


def covered(discipline: str, asked: int, respondents: int, answered: int, scored: int) -> dict:
    total = asked * 10
    return {
        "discipline": discipline, "asked": asked, "respondents": respondents, "questions": 10,
        "answered": answered, "scored": scored, "share": 100 * answered / total,
        "scored_share": 100 * scored / total, "thin": 100 * scored / total < 50,
    }  # fmt: skip


def with_coverage() -> dict[str, Any]:
    data = copy.deepcopy(report_data())
    data["assessment"]["coverage"] = {  # replaces the fixture's demo coverage
        "sre": covered("sre", 12, 9, 60, 40),  # 50 % answered, 33 % usable: thin
        "devops": covered("devops", 12, 12, 120, 110),
    }
    return data


def test_each_discipline_shows_who_answered_and_what_share() -> None:
    html = render_html(typed(with_coverage()))
    page = Tagged(html)
    rows = {a["data-discipline"]: a for a in page.having("data-discipline")}
    assert rows["sre"].get("data-thin") == "1"
    assert "data-thin" not in rows["devops"]
    assert "9 of 12 · 50 %" in html
    assert "12 of 12 · 100 %" in html
    assert "◔ thin coverage" in html


def test_without_thin_disciplines_no_thin_note() -> None:
    data = with_coverage()
    data["assessment"]["coverage"].pop("sre")
    html = render_html(typed(data))
    assert "◔ thin coverage" not in html
    assert "12 of 12 · 100 %" in html


def test_coverage_round_trips_through_the_json() -> None:
    data = with_coverage()
    again = report_json(typed(data))["assessment"]["coverage"]
    assert again["sre"]["thin"] is True
    assert again["sre"]["respondents"] == 9 and again["sre"]["asked"] == 12
    assert again["devops"]["share"] == 100.0


def test_a_report_written_before_coverage_still_reads_and_renders() -> None:
    data = report_data()
    del data["assessment"]["coverage"]
    assert "of 10 · " not in render_html(typed(data))
