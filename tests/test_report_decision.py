"""The operating-model decision page: typed view from the typed recommendation, and its HTML."""

from __future__ import annotations

import dataclasses

import pytest

from opsmaturity.errors import ReportError
from opsmaturity.recommend import Recommendation
from opsmaturity.report.decision_view import decision_page
from opsmaturity.report.render import render_html
from opsmaturity.report.views import build_context
from tests.report_support import Tagged, report_data, typed


@pytest.fixture(scope="module")
def data() -> dict:
    return report_data()


def test_the_page_is_built_from_the_typed_recommendation(data: dict) -> None:
    rec = Recommendation.from_json(data["recommendation"])
    page = decision_page(rec)
    assert typed(data).recommendation == rec
    assert build_context(typed(data)).decision == page
    assert page.model == rec.name and not page.insufficient
    assert len(page.columns) == len(rec.ranking) == len(page.fits)
    assert [r.id for r in page.rows] == [d.id for d in rec.dimensions]
    assert page.reasons == [r.text for r in rec.evidence] and len(page.reasons) <= 3
    assert page.why_not and page.changes and page.runner_up == rec.runner_up_name
    top = page.ranking[0]
    assert top.top and top.bar_width == pytest.approx(100.0)
    assert all(0 <= r.bar_width <= 100 for r in page.ranking)


def test_cells_are_shaded_by_sign_and_size(data: dict) -> None:
    page = decision_page(Recommendation.from_json(data["recommendation"]))
    cells = [c for row in page.rows for c in row.cells]
    blank = [c for c in cells if abs(c.points) < 0.05]
    assert all(c.text == "·" and c.style == "" for c in blank)
    shaded = [c for c in cells if abs(c.points) >= 0.05]
    assert all(("31,95,139" in c.style) == (c.points > 0) for c in shaded)
    strongest = max(shaded, key=lambda c: abs(c.points))
    assert "0.75)" in strongest.style


def test_the_html_matrix_equals_the_json(data: dict) -> None:
    page = Tagged(render_html(typed(data)))
    assert "decision" in page.ids()
    assert {"href": "#decision"} in [a for t, a in page.elements if t == "a"]
    fits = {f["model_id"]: f["contributions"] for f in data["recommendation"]["ranking"]}
    cells = page.having("data-points")
    assert len(cells) == len(fits) * len(data["recommendation"]["dimensions"])
    rows = [a["data-dimension"] for a in page.having("data-dimension")]
    assert rows == [d["id"] for d in data["recommendation"]["dimensions"]]
    for i, cell in enumerate(cells):
        dimension = rows[i // len(fits)]
        assert float(cell["data-points"]) == fits[cell["data-model"]][dimension]


def test_insufficient_evidence_says_so_and_what_to_collect(data: dict) -> None:
    saved = dict(data["recommendation"])
    saved.update(status="insufficient", confidence="insufficient", collect=["Ask the survey."])
    page = decision_page(Recommendation.from_json(saved))
    assert page.insufficient and page.collect == ["Ask the survey."]
    assert not any(r.top for r in page.ranking)
    html = render_html(typed({**data, "recommendation": saved}))
    assert "What the evidence leans toward" in html and "Evidence to collect" in html


def test_without_a_recommendation_there_is_no_decision_page(data: dict) -> None:
    report = dataclasses.replace(typed(data), recommendation=None)
    assert build_context(report).decision is None
    html = Tagged(render_html(report))
    assert "decision" not in html.ids()
    assert {"href": "#decision"} not in [a for t, a in html.elements if t == "a"]


def test_a_report_from_before_the_matrix_names_the_missing_field(data: dict) -> None:
    """Read back with the writer's types: no silently empty page, one line naming the field."""
    old = {k: v for k, v in data["recommendation"].items() if k not in ("ranking", "dimensions")}
    with pytest.raises(ReportError, match=r"recommendation\.\w+: Field required"):
        typed({**data, "recommendation": old})
