"""The report's Incidents section: figures equal the JSON, the tool is named, open and
unmapped incidents are listed, untrusted titles are escaped, definitions are written down."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from opsmaturity.metrics.incidents import DEFINITIONS
from opsmaturity.report import format as fmt
from opsmaturity.report.incidents_view import build_incidents
from opsmaturity.report.render import csv_tables, render_html
from tests.report_support import HOSTILE, Tagged, report_data, typed

ROOT = Path(__file__).resolve().parents[1]


def with_open_and_unmapped() -> dict:
    """The fixture plus one incident open at the period's end (on two repositories, with a
    hostile title) and one unmapped service."""
    data = copy.deepcopy(report_data())
    incidents = data["incidents"]
    incidents["open_at_end"] = [
        {
            "source": "demo",
            "id": "418",
            "title": f"Checkout down {HOSTILE}",
            "opened": "2026-09-29T14:05:00+00:00",
            "priority": "P2",
            "repositories": ["northwind/checkout-api", "northwind/payments"],
        }
    ]
    incidents["unmapped"] = [{"label": "storefront-cdn", "count": 2}]
    incidents["records"] = incidents["opened"] + 1
    return data


def section(html: str) -> str:
    return html.split('id="incidents"', 1)[1].split("</section>", 1)[0]


def test_section_shows_the_json_figures_and_the_tool() -> None:
    data = report_data()
    html = render_html(typed(data))
    page = Tagged(html)
    assert "incidents" in page.ids()
    assert {a["href"] for a in page.having("href")} >= {"#incidents"}
    cards = {a["data-figure"]: a.get("data-value") for a in page.having("data-figure")}
    assert cards["opened"] == str(data["incidents"]["opened"]) == "22"
    assert cards["open-at-end"] == "0"
    body = section(html)
    assert "simulated PagerDuty-style on-call tool (source demo)" in body
    assert "6 min" in body and "10 min" in body  # median and p90 from the JSON: 6.0, 10.0
    assert "None: every incident" in body  # nothing open at the end
    priorities = re.findall(r'<td class="name">(P\d)</td>', body)
    assert priorities == ["P1", "P2", "P3"]


def test_open_and_unmapped_incidents_are_listed_and_titles_escaped() -> None:
    html = render_html(typed(with_open_and_unmapped()))
    body = section(html)
    assert HOSTILE not in html and "Checkout down &lt;img" in body
    assert "northwind/checkout-api, northwind/payments" in body
    assert "storefront-cdn: 2 incidents" in body
    assert "repository records stand for 22 incidents" in body


def test_definitions_are_on_the_methodology_page_and_in_the_docs() -> None:
    html = render_html(typed(report_data()))
    methodology = html.split('id="methodology"', 1)[1]
    docs = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    for name, text in DEFINITIONS.values():
        assert name in methodology and text.replace("'", "&#39;") in methodology
        assert f"- **{name}**: {text}" in docs


def test_report_without_incident_figures_has_no_section() -> None:
    data = report_data()
    data["incidents"] = None
    html = render_html(typed(data))
    assert 'id="incidents"' not in html and 'href="#incidents"' not in html
    assert build_incidents(typed(data)) is None and "incidents" not in csv_tables(typed(data))


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("pagerduty", "PagerDuty (source pd)"),
        ("jira", "Jira / Jira Service Management (source pd)"),
    ],
)
def test_the_source_kind_names_the_tool(kind: str, words: str) -> None:
    data = report_data()
    data["data_quality"]["sources"] = [{"name": "pd", "kind": kind}]
    data["incidents"]["by_source"] = [{"label": "pd", "count": 22}]
    view = build_incidents(typed(data))
    assert view is not None and view.origin == f"Incidents came from {words}."
    assert [(r.label, r.count, r.share) for r in view.by_source] == [(words, 22, "100 %")]


def test_restore_figures_are_the_organization_metrics() -> None:
    data = report_data()
    org = next(s for s in data["metrics"]["scopes"] if s["scope"] == "organization")
    view = build_incidents(typed(data))
    assert view is not None
    restore = dict(view.restore)
    assert restore["Time to restore, median (opened → resolved)"] == fmt.hours(
        org["incident_mttr"]["median_hours"]
    )
    assert restore["Resolved incidents measured"] == str(org["incident_mttr"]["n"])
    incident_rule = org["change_failure_rate"]["by_rule"].get("incident", 0)
    assert restore["Deployments failed by an incident"] == str(incident_rule)
