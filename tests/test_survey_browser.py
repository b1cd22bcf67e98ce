"""The web survey in a real browser: Playwright driving Debian's chromium against uvicorn.

Few and broad on purpose (each launches pages in a real browser): a phone-sized run with a
resume from the link, a desktop-sized run with the refusals (wrong token, missing CSRF
token, another respondent's link), then the report built from what was stored.
Screenshots go to ``$SURVEY_SCREENSHOTS`` (default: the test's tmp folder) to look at.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from opsmaturity.cli import app as cli
from opsmaturity.config import load_config
from opsmaturity.practices.questionnaire import load_questionnaires
from opsmaturity.survey.app import SurveySettings, create_app
from opsmaturity.survey.storage import SurveyStore

from .conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
ADMIN = "browser-admin-token"
NOW = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="needs Debian's chromium (scripts/system-deps.sh)"
)


def expect(locator: Any) -> Any:
    """Playwright's retrying assertions (imported late: the module skips without chromium)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture()
def site(tmp_path: Path) -> Iterator[tuple[str, SurveyStore, Path]]:
    """A survey server on 127.0.0.1 (a free port) over the files example's store."""
    shutil.copytree(ROOT / "examples" / "files", tmp_path / "files")
    config = Path(shutil.copy(ROOT / "examples" / "files.yaml", tmp_path / "files.yaml"))
    store = SurveyStore(load_config(config).store_path)
    settings = SurveySettings(teams=["Checkout", "Catalog"], admin_token=ADMIN)
    web = create_app(store, load_questionnaires(), settings, lambda: NOW)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(web, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", store, config
    finally:
        server.should_exit = True
        thread.join(5)
        store.close()


def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SURVEY_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def saved(page: Any, action: Any) -> None:
    """Do ``action`` and wait until the page has saved the answer (204 from /answer)."""
    with page.expect_response(lambda r: r.url.endswith("/answer")) as info:
        action()
    assert info.value.status == 204


def answer_page(page: Any, choice: str) -> None:
    """Pick the label ``choice`` for every question on the page, each saved as it is given."""
    questions = page.locator("fieldset.question")
    for index in range(questions.count()):
        saved(page, questions.nth(index).get_by_label(choice, exact=True).check)
    expect(page.locator("#saved")).to_have_text("Saved.")


def test_phone_fill_resume_from_the_link_and_finish(
    browser: Any, site: tuple[str, SurveyStore, Path], tmp_path: Path
) -> None:
    base, store, _config = site
    folder = shots(tmp_path)
    link = f"{base}/r/{store.invite(NOW, team='Checkout')}"
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(link)
    page.get_by_label("Your role").fill("Developer")
    for box in page.locator("input[name=discipline]").all():
        box.uncheck()
    page.get_by_label("Culture").check()
    expect(page.locator("#total")).to_have_text("You chose 12 questions, about 4 minutes.")
    page.screenshot(path=folder / "phone-1-details.png", full_page=True)
    page.get_by_role("button", name="Start").click()
    page.wait_for_url(f"{link}/s/1")
    expect(page.locator("#progress-label")).to_contain_text(
        "Page 1 of 3 · 0 of 12 questions answered"
    )
    page.keyboard.press("Tab")  # skip link first: keyboard users can jump to the questions
    expect(page.locator("a.skip")).to_be_focused()
    first = page.locator("fieldset.question").first
    first.get_by_label("Agree", exact=True).check()
    saved(page, lambda: page.keyboard.press("ArrowDown"))  # arrow keys move within the group
    expect(first.get_by_label("Strongly agree")).to_be_checked()
    assert store.answers(store.respondents()[0].id)["culture.westrum.information_sought"].value == 6
    answer_page(page, "Somewhat agree")
    expect(page.locator("#progress-label")).to_contain_text("6 of 12 questions answered")
    page.screenshot(path=folder / "phone-2-section.png", full_page=True)
    context.close()  # closing the tab loses nothing: every answer was saved as it was given

    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(link)
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{link}/s/2")  # page one is complete: resume on page two
    page.get_by_role("button", name="Back").click()
    page.wait_for_url(f"{link}/s/1")
    expect(page.locator("fieldset.question input:checked")).to_have_count(6)
    page.get_by_role("button", name="Next").click()
    for number in (2, 3):
        page.wait_for_url(f"{link}/s/{number}")
        answer_page(page, "Don't know" if number == 3 else "Agree")
        page.get_by_role("button", name="Review and finish" if number == 3 else "Next").click()
    page.wait_for_url(f"{link}/done")
    expect(page.locator("table.coverage")).to_contain_text("12 of 12")
    page.get_by_role("button", name="Send my answers").click()
    page.get_by_role("heading", name="Thank you").wait_for()
    page.screenshot(path=folder / "phone-3-done.png", full_page=True)
    context.close()
    [respondent] = store.respondents()
    answers = store.answers(respondent.id)
    assert (
        len(answers) == 12 and respondent.finished_at is not None and respondent.team == "Checkout"
    )
    assert answers["culture.westrum.information_sought"].value == 4.0  # "Somewhat agree"
    assert answers["culture.documentation.reliable"].value is None  # page three: "Don't know"


def test_desktop_refusals_isolation_and_the_report(
    browser: Any, site: tuple[str, SurveyStore, Path], tmp_path: Path
) -> None:
    base, store, config = site
    folder = shots(tmp_path)
    first, second = store.invite(NOW), store.invite(NOW)
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    assert page.goto(f"{base}/r/{first}x").status == 403
    page.screenshot(path=folder / "desktop-1-wrong-token.png")
    page.goto(f"{base}/r/{first}")
    page.get_by_label("Your name").fill("Ana")
    page.get_by_label("Your team").select_option("Catalog")
    for box in page.locator("input[name=discipline]").all():
        box.uncheck()
    page.get_by_label("Delivery performance").check()
    page.get_by_role("button", name="Start").click()
    page.wait_for_url(f"{base}/r/{first}/s/1")
    page.get_by_label("On demand (multiple deploys per day)").check()
    page.locator("fieldset.question").nth(1).get_by_label("Less than one day", exact=True).check()
    page.screenshot(path=folder / "desktop-2-section.png", full_page=True)
    page.get_by_role("button", name="Next").click()
    page.wait_for_url(f"{base}/r/{first}/s/2")
    expect(page.locator(".notice").first).to_contain_text("The answers change here")
    page.get_by_label("Percentage (0 to 100)").first.fill("150")
    page.get_by_role("button", name="Review and finish").click()
    expect(page.locator("#errors")).to_be_focused()  # the error summary takes the focus
    page.screenshot(path=folder / "desktop-3-error.png", full_page=True)
    page.get_by_label("Percentage (0 to 100)").first.fill("10")
    page.evaluate("document.querySelector('input[name=csrf]').remove()")
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/s/2")
    ) as info:
        page.get_by_role("button", name="Review and finish").click()
    assert info.value.status == 403
    expect(page.get_by_role("heading", name="This form has expired")).to_be_visible()
    page.screenshot(path=folder / "desktop-4-no-csrf.png")

    other = context.new_page()  # the second respondent, in the same browser
    other.goto(f"{base}/r/{second}")
    assert "Ana" not in other.content()
    other.get_by_role("button", name="Start").click()
    other.wait_for_url(f"{base}/r/{second}/s/1")
    expect(other.locator("input:checked")).to_have_count(0)
    admin = context.new_page()
    admin.goto(f"{base}/admin/{ADMIN}")
    expect(admin.locator("main")).to_contain_text("2 links · 1 started")
    admin.screenshot(path=folder / "desktop-5-admin.png", full_page=True)
    context.close()

    result = CliRunner().invoke(
        cli, ["report", "-c", str(config), "--out", str(tmp_path / "r.pdf")]
    )
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["assessment"]["organization"]["respondents"] == 1
    assert set(report["assessment"]["teams"]) == {"Catalog"}
