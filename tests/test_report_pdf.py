"""The PDF: rendered once per module (slow), checked for pages, sections, text and safety."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from opsmaturity.dora import METRICS
from opsmaturity.report import write_report
from tests.report_support import hostile_data, typed

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The full fixture, with hostile names, as a PDF: one WeasyPrint run for the module."""
    data = hostile_data()
    out = tmp_path_factory.mktemp("pdf") / "report.pdf"
    files = write_report(typed(data), out, formats=("pdf",))
    reader = PdfReader(str(out))
    pages = [page.extract_text() or "" for page in reader.pages]
    return {
        "files": files,
        "reader": reader,
        "pages": pages,
        "text": "\n".join(pages),
        "data": data,
    }


def test_writes_a_pdf(rendered: dict) -> None:
    path: Path = rendered["files"].pdf
    assert path.read_bytes().startswith(b"%PDF-")
    assert 12 <= len(rendered["pages"]) <= 40


def test_a4_pages(rendered: dict) -> None:
    box = rendered["reader"].pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def headings(rendered: dict) -> list[str]:
    """Each page's first line: its chapter heading (the running header comes last)."""
    return [page.split("\n", 1)[0] for page in rendered["pages"]]


def test_sections_in_order(rendered: dict) -> None:
    names = [
        "Contents", "Executive summary", "Deployment frequency", "Lead time for changes",
        "Change failure rate", "Failed deployment recovery time", "Deployment rework rate",
        "Practices assessment", "Recommendation and roadmap", "Repository figures",
        "Methodology and data quality",
    ]  # fmt: skip
    firsts = headings(rendered)
    assert all(n in firsts for n in names), firsts
    assert [firsts.index(n) for n in names] == sorted(firsts.index(n) for n in names)


def test_page_numbers_and_running_header(rendered: dict) -> None:
    pages = rendered["pages"]
    total = len(pages)
    assert f"Page 3 of {total}" in pages[2]
    assert "Northwind Retail · 2026Q3" in pages[2]
    assert "Page" not in pages[0]  # the cover has no running header or footer


def test_one_page_executive_summary(rendered: dict) -> None:
    summary = rendered["pages"][2]
    assert "Executive summary" in summary and "Top three actions" in summary


def test_contents_give_the_right_page_numbers(rendered: dict) -> None:
    contents = rendered["pages"][1].replace(".", "").replace(" ", "")
    firsts = headings(rendered)
    for name in ("Executive summary", "Lead time for changes", "Practices assessment",
                 "Methodology and data quality"):  # fmt: skip
        assert f"{name.replace(' ', '')}{firsts.index(name) + 1}\n" in contents, name


def test_every_metric_has_a_page_with_its_benchmark(rendered: dict) -> None:
    firsts = headings(rendered)
    for metric in METRICS:
        name = next(d["name"] for d in rendered["data"]["definitions"] if d["id"] == metric)
        page = rendered["pages"][firsts.index(name)]
        assert "Sample:" in page and "Trend" in page, name
        if metric != "rework_rate":  # DORA published no rework-rate tiers
            assert "dora-2024 benchmark" in page and "◀ Northwind" in page, name


def test_team_pages(rendered: dict) -> None:
    for team in rendered["data"]["teams"][1:]:
        assert f"Team: {team['name']}" in rendered["text"]


def test_hostile_names_print_as_text_and_fetch_nothing(rendered: dict) -> None:
    assert rendered["files"].refused == ()
    text = rendered["text"].replace("\n", "")
    assert '<img src="file:///etc/passwd">' in text  # shown literally, as text
    assert "root:x:0:0" not in text


def test_tagged_accessible_pdf(rendered: dict) -> None:
    root = rendered["reader"].trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
    assert "/Lang" in root
