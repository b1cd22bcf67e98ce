"""The restricted URL fetcher: our assets and data: URIs only; no file elsewhere, no network."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsmaturity.report.fetcher import allowed_path, restricted_fetcher
from opsmaturity.report.render import _weasyprint


@pytest.fixture
def assets(tmp_path: Path) -> Path:
    root = tmp_path / "templates"
    (root / "assets").mkdir(parents=True)
    (root / "assets" / "mark.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", "utf-8")
    (tmp_path / "secret.txt").write_text("secret", "utf-8")
    return root


def test_files_inside_the_roots_are_allowed(assets: Path) -> None:
    url = (assets / "assets" / "mark.svg").as_uri()
    assert allowed_path(url, [assets]) == (assets / "assets" / "mark.svg").resolve()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "https://example.com/logo.png",
        "http://127.0.0.1:8080/",
        "ftp://example.com/x",
        "file://otherhost/etc/passwd",
    ],
)
def test_everything_else_is_refused(assets: Path, url: str) -> None:
    assert allowed_path(url, [assets]) is None


def test_dot_dot_cannot_climb_out(assets: Path) -> None:
    url = assets.as_uri() + "/assets/../../secret.txt"
    assert allowed_path(url, [assets]) is None


def test_a_missing_file_inside_the_roots_is_refused(assets: Path) -> None:
    assert allowed_path((assets / "nope.css").as_uri(), [assets]) is None


def test_the_weasyprint_fetcher_records_and_refuses(assets: Path) -> None:
    _weasyprint()
    fetcher = restricted_fetcher([assets])
    ok = fetcher.fetch((assets / "assets" / "mark.svg").as_uri())
    assert ok.read().startswith(b"<svg")
    assert fetcher.fetch("data:text/plain,hi").read() == b"hi"
    for url in ("file:///etc/passwd", "https://example.com/x.png"):
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(url)
    assert fetcher.refused == ["file:///etc/passwd", "https://example.com/x.png"]


def test_a_template_reaching_outside_renders_without_it(assets: Path, tmp_path: Path) -> None:
    weasyprint = _weasyprint()
    fetcher = restricted_fetcher([assets])
    html = (
        '<p>x</p><img src="file:///etc/passwd"><img src="https://example.com/a.png">'
        f'<img src="{(tmp_path / "secret.txt").as_uri()}">'
    )
    pdf = weasyprint.HTML(string=html, base_url=assets.as_uri() + "/", url_fetcher=fetcher)
    assert pdf.write_pdf().startswith(b"%PDF")
    assert sorted(fetcher.refused) == sorted(
        ["file:///etc/passwd", "https://example.com/a.png", (tmp_path / "secret.txt").as_uri()]
    )
