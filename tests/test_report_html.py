"""The HTML report: sections present, numbers equal to the JSON, untrusted text escaped."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsmaturity.dora import HEADLINE_FIELD, METRICS
from opsmaturity.report.render import render_html
from tests.report_support import HOSTILE, Tagged, hostile_data, report_data, typed


@pytest.fixture(scope="module")
def data() -> dict:
    return report_data()


@pytest.fixture(scope="module")
def page(data: dict) -> Tagged:
    return Tagged(render_html(typed(data)))


def org(data: dict) -> dict:
    return next(s for s in data["metrics"]["scopes"] if s["scope"] == "organization")


def test_every_section_is_present(page: Tagged, data: dict) -> None:
    expected = {
        "cover",
        "contents",
        "summary",
        "practices",
        "recommendation",
        "repositories",
        "methodology",
    } | {f"metric-{m}" for m in METRICS}
    expected |= {f"team-{i}" for i in range(1, len(data["teams"]) + 1)}
    assert expected <= page.ids()


def test_contents_link_to_every_chapter(page: Tagged) -> None:
    links = {a["href"] for tag, a in page.elements if tag == "a" and "href" in a}
    chapters = {f"#{a['id']}" for tag, a in page.elements if tag == "section" and "id" in a}
    assert chapters - {"#cover", "#contents"} <= links


def test_headline_numbers_equal_the_json(page: Tagged, data: dict) -> None:
    cards = [a for a in page.having("data-metric") if a.get("class") == "card"]
    assert [c["data-metric"] for c in cards] == list(METRICS)
    for card in cards:
        metric = card["data-metric"]
        expected = org(data)[metric][HEADLINE_FIELD[metric]]
        assert float(card["data-value"]) == pytest.approx(expected, rel=1e-12)


def test_team_rows_equal_the_json(page: Tagged, data: dict) -> None:
    rows = [a for a in page.having("data-scope") if a.get("data-metric") in METRICS]
    teams = [s for s in data["metrics"]["scopes"] if s["scope"] == "team"]
    assert len(rows) == len(teams) * len(METRICS)
    for row in rows:
        metric = row["data-metric"]
        scope = next(s for s in teams if s["name"] == row["data-scope"])
        value = scope[metric][HEADLINE_FIELD[metric]]
        assert row["data-value"] == ("" if value is None else repr(value))


def test_discipline_scores_equal_the_json(page: Tagged, data: dict) -> None:
    disciplines = data["assessment"]["organization"]["disciplines"]
    shown = page.having("data-discipline")
    assert {a["data-discipline"] for a in shown} == set(disciplines) - {"dora"}
    for a in shown:
        assert float(a["data-value"]) == disciplines[a["data-discipline"]]["median"]


def test_our_benchmark_row_is_marked(data: dict) -> None:
    html = render_html(typed(data))
    tier = org(data)["deployment_frequency"]["tier"]
    section = html.split('id="metric-deployment_frequency"')[1].split("</section>")[0]
    marked = section.split('<tr class="ours">')[1].split("</tr>")[0]
    assert f"tier-{tier}" in marked and "◀ Northwind Retail" in marked


def test_formatted_figures_are_shown(data: dict) -> None:
    html = render_html(typed(data))
    per_week = org(data)["deployment_frequency"]["per_week"]
    assert f"{per_week:.1f} / week" in html
    cfr = org(data)["change_failure_rate"]["value"]
    assert f"{cfr * 100:.1f} %" in html


def test_deltas_against_the_previous_report(data: dict) -> None:
    html = render_html(typed(data))
    assert "Compared with" in html and data["previous"]["period"]["label"] in html
    change = data["deltas"]["metrics"]["lead_time_for_changes"]["change"]
    direction = "better" if change < 0 else "worse"
    assert f"delta delta-{direction}" in html


def test_paper_sizes() -> None:
    assert "@page { size: Letter; }" in render_html(typed(report_data()), paper="Letter")
    assert "@page { size: A4; }" in render_html(typed(report_data()))


def test_unknown_paper_is_an_error() -> None:
    from opsmaturity.errors import ReportError

    with pytest.raises(ReportError, match="paper"):
        render_html(typed(report_data()), paper="A3")


def test_hostile_names_are_escaped() -> None:
    html = render_html(typed(hostile_data()))
    assert HOSTILE not in html
    assert "file:///etc/passwd" not in html.replace("&#34;file:///etc/passwd&#34;", "")
    escaped = "&lt;img src=&#34;file:///etc/passwd&#34;&gt;"
    for where in ("team-1", "repositories", "methodology", "recommendation"):
        section = html.split(f'id="{where}"')[1].split("</section>")[0]
        assert escaped in section, where
    assert 'src="file:' not in html


def test_hostile_accent_colour_never_reaches_the_css() -> None:
    html = render_html(typed(hostile_data()))
    assert "--accent: #1f5f8b;" in html
    assert "url(file" not in html


def test_logo_is_inlined_not_linked(tmp_path) -> None:
    logo = tmp_path / "logo.svg"
    logo.write_text("<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>", "utf-8")
    data = report_data()
    data["branding"]["logo"] = str(logo)
    page = Tagged(render_html(typed(data)))
    (img,) = [a for tag, a in page.elements if tag == "img" and a.get("class") == "logo"]
    assert img["src"].startswith("data:image/svg+xml;base64,")
    assert str(tmp_path) not in img["src"]


def test_a_logo_gone_since_the_json_was_written_is_a_clear_error(tmp_path) -> None:
    from opsmaturity.errors import ReportError

    data = report_data()
    data["branding"]["logo"] = str(tmp_path / "gone.png")
    with pytest.raises(ReportError, match=r"logo file cannot be read: .*gone\.png"):
        render_html(typed(data))


def test_html_is_deterministic() -> None:
    from opsmaturity.report import charts

    first = render_html(typed(report_data()))
    charts.trend.cache_clear()
    charts.discipline_overview.cache_clear()
    assert render_html(typed(report_data())) == first


def test_a_change_of_method_since_the_previous_report_is_called_out() -> None:
    from opsmaturity.report.views import build_context

    data = report_data()
    assert build_context(typed(data)).methodology.caveats == []
    data["previous"]["options"]["lead_time_start"] = "merge"
    (caveat,) = build_context(typed(data)).methodology.caveats
    assert caveat.startswith("Lead time start was 'merge' in 2026Q2 and is 'commit' now")


def test_weasyprint_is_imported_only_for_a_pdf() -> None:
    import subprocess
    import sys

    code = (
        "import json, sys; from opsmaturity.report import render_html, write_report;"
        "from tests.report_support import report_data, typed; render_html(typed(report_data()));"
        "assert 'weasyprint' not in sys.modules, 'imported too early'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[1])
