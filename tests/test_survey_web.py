"""The web survey's routes through Starlette's TestClient: flow, isolation, CSRF, limits."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from opsmaturity.practices.answers import Answer
from opsmaturity.practices.questionnaire import QuestionnaireSet, load_questionnaires
from opsmaturity.survey.app import SurveySettings, create_app
from opsmaturity.survey.storage import SurveyStore
from tests.test_questionnaire import tiny

NOW = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
ADMIN = "admin-token-for-tests"


@pytest.fixture
def qs(tmp_path: Path) -> QuestionnaireSet:
    return tiny(tmp_path)


@pytest.fixture
def store(tmp_path: Path) -> SurveyStore:
    with SurveyStore(tmp_path / "store.sqlite") as opened:
        yield opened


def client(store: SurveyStore, qs: QuestionnaireSet, **options: object) -> TestClient:
    settings = SurveySettings(teams=["Checkout", "Catalog"], admin_token=ADMIN, **options)  # type: ignore[arg-type]
    return TestClient(create_app(store, qs, settings, lambda: NOW), follow_redirects=False)


def csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "form without a CSRF field"
    return match.group(1)


def start(web: TestClient, token: str, **details: object) -> str:
    """Fill the details page; returns the section page's CSRF token."""
    page = web.get(f"/r/{token}")
    form = {"csrf": csrf(page.text), "name": "Ana", "team": "Checkout", "role": "Developer",
            "discipline": ["ops", "self"], **details}  # fmt: skip
    reply = web.post(f"/r/{token}", data=form)
    assert reply.status_code == 303, reply.text
    return csrf(web.get(reply.headers["location"]).text)


def test_a_respondent_fills_every_page_goes_back_and_finishes(
    store: SurveyStore, qs: QuestionnaireSet
) -> None:
    web = client(store, qs)
    token = store.invite(NOW)
    page = web.get(f"/r/{token}")
    assert "Ops</strong> · 3 questions, about 1 min" in page.text
    assert "Self-report</strong> · 2 questions, about 1 min" in page.text
    token_csrf = start(web, token)
    first = web.get(f"/r/{token}/s/1")
    assert "Page 1 of 3 · 0 of 5 questions answered" in first.text
    assert '<p class="help" id="help-ops-alpha-one">Good one.</p>' in first.text
    assert 'aria-describedby="help-ops-alpha-one"' in first.text
    assert first.text.count("Don't know") == 2
    go = web.post(
        f"/r/{token}/s/1",
        data={
            "csrf": token_csrf,
            "q:ops.alpha.one": "3",
            "q:ops.alpha.two": "dont_know",
            "go": "next",
        },
    )
    assert go.headers["location"] == f"/r/{token}/s/2"
    back = web.post(
        f"/r/{token}/s/2", data={"csrf": token_csrf, "q:ops.beta.three": "1", "go": "back"}
    )
    assert back.headers["location"] == f"/r/{token}/s/1"
    again = web.get(f"/r/{token}/s/1").text
    assert 'value="3" checked' in again and 'value="dont_know" checked' in again
    page3 = web.get(f"/r/{token}/s/3").text
    assert "The answers change here: now a choice from “Rarely” to “Daily”" in page3
    assert "The answers change here: now a percentage from 0 to 100" in page3
    done = web.post(
        f"/r/{token}/s/3",
        data={
            "csrf": token_csrf,
            "q:self.delivery.freq": "2",
            "q:self.delivery.cfr": "12",
            "go": "next",
        },
    )
    assert done.headers["location"] == f"/r/{token}/done"
    review = web.get(f"/r/{token}/done").text
    assert re.search(r"Ops</a></th><td>3 of 3", review)
    sent = web.post(f"/r/{token}/done", data={"csrf": token_csrf})
    assert sent.status_code == 303 and "Thank you" in web.get(f"/r/{token}/done").text
    [respondent] = store.respondents()
    assert (respondent.name, respondent.team, respondent.role) == ("Ana", "Checkout", "Developer")
    assert respondent.disciplines == ("ops", "self") and respondent.finished_at == NOW.isoformat()
    assert store.answers(respondent.id) == {
        "ops.alpha.one": Answer(3.0), "ops.alpha.two": Answer(None), "ops.beta.three": Answer(1.0),
        "self.delivery.freq": Answer(2.0), "self.delivery.cfr": Answer(12.0),
    }  # fmt: skip


def test_the_same_link_resumes_at_the_first_open_page(
    store: SurveyStore, qs: QuestionnaireSet
) -> None:
    web = client(store, qs)
    token = store.invite(NOW)
    token_csrf = start(web, token)
    web.post(
        f"/r/{token}/s/1",
        data={"csrf": token_csrf, "q:ops.alpha.one": "1", "q:ops.alpha.two": "2", "go": "later"},
    )
    page = web.get(f"/r/{token}")
    assert "Welcome back" in page.text
    resumed = web.post(
        f"/r/{token}",
        data={"csrf": csrf(page.text), "team": "Checkout", "discipline": ["ops", "self"]},
    )
    assert resumed.headers["location"] == f"/r/{token}/s/2"


def test_a_bad_percentage_keeps_what_was_typed_and_saves_the_rest(
    store: SurveyStore, qs: QuestionnaireSet
) -> None:
    web = client(store, qs)
    token = store.invite(NOW)
    token_csrf = start(web, token)
    reply = web.post(
        f"/r/{token}/s/3",
        data={
            "csrf": token_csrf,
            "q:self.delivery.freq": "1",
            "q:self.delivery.cfr": "150",
            "go": "next",
        },
    )
    assert reply.status_code == 400
    assert "Enter a number from 0 to 100" in reply.text and 'value="150"' in reply.text
    assert store.answers(store.respondents()[0].id) == {"self.delivery.freq": Answer(1.0)}


def test_autosave_stores_one_answer_as_it_is_given(
    store: SurveyStore, qs: QuestionnaireSet
) -> None:
    web = client(store, qs)
    token = store.invite(NOW)
    token_csrf = start(web, token)
    saved = web.post(
        f"/r/{token}/answer",
        data={"csrf": token_csrf, "question": "ops.alpha.two", "q:ops.alpha.two": "4"},
    )
    assert saved.status_code == 204
    assert store.answers(store.respondents()[0].id) == {"ops.alpha.two": Answer(4.0)}
    unknown = web.post(
        f"/r/{token}/answer", data={"csrf": token_csrf, "question": "nope.a.b", "q:nope.a.b": "1"}
    )
    assert unknown.status_code == 400


@pytest.mark.parametrize("path", ["/r/{t}", "/r/{t}/s/1", "/r/{t}/done", "/admin/{t}"])
def test_a_wrong_token_is_refused_with_403(
    store: SurveyStore, qs: QuestionnaireSet, path: str
) -> None:
    store.invite(NOW)
    reply = client(store, qs).get(path.format(t="not-a-real-token"))
    assert reply.status_code == 403


def test_forms_without_their_csrf_token_are_refused(
    store: SurveyStore, qs: QuestionnaireSet
) -> None:
    web = client(store, qs)
    token, other = store.invite(NOW), store.invite(NOW)
    start(web, token)
    other_csrf = start(web, other)
    for data in ({}, {"csrf": "forged"}, {"csrf": other_csrf}):
        reply = web.post(f"/r/{token}/s/1", data={**data, "q:ops.alpha.one": "4"})
        assert reply.status_code == 403 and "This form has expired" in reply.text
    admin = web.post(f"/admin/{ADMIN}", data={"action": "close"})
    assert admin.status_code == 403 and not store.closed
    assert store.answers(store.respondent(token).id) == {}  # type: ignore[union-attr]


def test_one_respondent_never_sees_anothers_answers(
    store: SurveyStore, qs: QuestionnaireSet
) -> None:
    web = client(store, qs)
    first, second = store.invite(NOW), store.invite(NOW)
    first_csrf = start(web, first, name="Ana")
    web.post(f"/r/{first}/s/1", data={"csrf": first_csrf, "q:ops.alpha.one": "4", "go": "next"})
    start(web, second, name="Bo")
    page = web.get(f"/r/{second}/s/1").text
    assert " checked" not in page and "Ana" not in page
    assert "Ana" not in web.get(f"/r/{second}").text


def test_details_are_checked_and_escaped(store: SurveyStore, qs: QuestionnaireSet) -> None:
    web = client(store, qs)
    token = store.invite(NOW)
    page_csrf = csrf(web.get(f"/r/{token}").text)
    bad = web.post(f"/r/{token}", data={"csrf": page_csrf, "team": "Chekout", "discipline": []})
    assert bad.status_code == 400
    assert "Pick your team from the list." in bad.text and "Choose at least one part" in bad.text
    web.post(
        f"/r/{token}",
        data={
            "csrf": page_csrf,
            "name": "<script>alert(1)</script>",
            "team": "Catalog",
            "role": "SRE",
            "discipline": ["ops"],
        },
    )
    admin = web.get(f"/admin/{ADMIN}").text
    assert "<script>alert" not in web.get(f"/r/{token}").text
    assert "&lt;script&gt;" in web.get(f"/r/{token}").text
    assert "<td>Catalog</td><td>SRE</td><td>1</td>" in admin


def test_the_consultant_sees_progress_and_closes_the_survey(
    store: SurveyStore, qs: QuestionnaireSet
) -> None:
    web = client(store, qs)
    token = store.invite(NOW, team="Checkout", role="SRE")
    store.invite(NOW)
    token_csrf = start(web, token, role="SRE")
    web.post(
        f"/r/{token}/s/1",
        data={"csrf": token_csrf, "q:ops.alpha.one": "4", "q:ops.alpha.two": "1", "go": "next"},
    )
    admin = web.get(f"/admin/{ADMIN}")
    assert "2 links · 1 started · 0 sent their answers" in admin.text
    assert "<td>Ops</td><td>1</td><td>2 of 3</td>" in admin.text
    closed = web.post(f"/admin/{ADMIN}", data={"csrf": csrf(admin.text), "action": "close"})
    assert closed.status_code == 303 and store.closed
    assert web.get(f"/r/{token}/s/1").status_code == 410
    assert web.post(f"/r/{token}/answer", data={"csrf": token_csrf}).status_code == 410


def test_open_link_is_off_by_default_and_works_when_on(
    store: SurveyStore, qs: QuestionnaireSet
) -> None:
    assert "by invitation" in client(store, qs).get("/").text
    assert client(store, qs).post("/open", data={}).status_code == 403
    web = client(store, qs, open_link=True)
    landing = web.get("/")
    assert web.post("/open", data={"csrf": "forged"}).status_code == 403
    made = web.post("/open", data={"csrf": csrf(landing.text)})
    assert made.status_code == 303 and made.headers["location"].startswith("/r/")
    assert [r.via for r in store.respondents()] == ["open"]


def test_large_bodies_are_refused_and_headers_are_strict(
    store: SurveyStore, qs: QuestionnaireSet
) -> None:
    web = client(store, qs)
    token = store.invite(NOW)
    assert web.post(f"/r/{token}/answer", content=b"x" * 70_000).status_code == 413
    headers = web.get(f"/r/{token}").headers
    assert headers["referrer-policy"] == "no-referrer" and headers["x-frame-options"] == "DENY"
    assert "default-src 'none'" in headers["content-security-policy"]
    assert headers["cache-control"] == "no-store"


def test_quick_check_shows_tiers_and_top_gaps(store: SurveyStore) -> None:
    qs = load_questionnaires()
    web = client(store, qs, quick=True)
    token = store.invite(NOW, quick=True)
    page = web.get(f"/r/{token}").text
    assert "14 questions, about 5 minutes" in page and "CC BY 4.0" in page
    token_csrf = csrf(page)
    reply = web.post(f"/r/{token}", data={"csrf": token_csrf, "team": "Checkout"})
    assert reply.status_code == 303
    store.save_answers(store.respondents()[0].id, {
        "dora.throughput.deployment_frequency": Answer(5.0),
        "dora.throughput.lead_time_for_changes": Answer(3.0),
        "dora.instability.change_failure_rate": Answer(30.0),
        "dora.throughput.failed_deployment_recovery_time": Answer(None),
        "sre.slo.defined": Answer(0.0), "devops.ci.tests_on_commit": Answer(1.0),
        "culture.westrum.failure_learning": Answer(5.0), "sysops.monitoring.before_users": Answer(4.0),
    }, NOW)  # fmt: skip
    result = web.get(f"/r/{token}/done").text
    assert re.search(r"Deployment frequency</th><td>On demand.*?tier-elite", result)
    assert re.search(
        r"Lead time for changes</th><td>Between one day and one week.*?tier-high", result
    )
    assert re.search(
        r"Change failure rate</th><td>30 %</td><td><span class=\"tier tier-low", result
    )
    gaps = re.findall(r"<li><strong>([^<]+):</strong>", result)
    assert gaps == [
        "SRE",
        "DevOps",
        "Culture",
    ]  # 0, 1/6 and 5/6 of the way; SysOps at 4/4 is no gap


def test_quick_open_link_says_how_long_it_takes(store: SurveyStore) -> None:
    page = client(store, load_questionnaires(), quick=True, open_link=True).get("/").text
    assert "14 questions, about 5 minutes, with your result straight away." in page
