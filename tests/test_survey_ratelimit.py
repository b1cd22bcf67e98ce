"""The open link's limit on new respondents per client address: the class and the route."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from opsmaturity.cli import app
from opsmaturity.practices.questionnaire import QuestionnaireSet
from opsmaturity.survey.app import SurveySettings, create_app
from opsmaturity.survey.ratelimit import RateLimit
from opsmaturity.survey.storage import SurveyStore
from tests.test_questionnaire import tiny
from tests.test_survey_web import ADMIN, csrf

T0 = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_sliding_window_per_client_by_hand() -> None:
    limit = RateLimit(per_minute=2)
    assert limit.allow("a", at(0)) and limit.allow("a", at(10))
    assert not limit.allow("a", at(30))  # third within a minute
    assert limit.retry_after("a", at(30)) == 30  # the first one leaves the window at 60 s
    assert limit.allow("b", at(30))  # another address has its own count
    assert not limit.allow("a", at(59.5))
    assert limit.allow("a", at(60))  # the one from 0 s has left the window
    assert not limit.allow("a", at(65))  # 10 s and 60 s are still in it
    assert limit.allow("a", at(70))


def test_refused_attempts_do_not_count() -> None:
    limit = RateLimit(per_minute=1)
    assert limit.allow("a", at(0))
    for second in range(1, 60):
        assert not limit.allow("a", at(second))
    assert limit.allow("a", at(60))


def test_zero_means_no_limit() -> None:
    limit = RateLimit(per_minute=0)
    assert all(limit.allow("a", at(0)) for _ in range(1000))


@pytest.fixture
def qs(tmp_path: Path) -> QuestionnaireSet:
    return tiny(tmp_path)


@pytest.fixture
def store(tmp_path: Path) -> SurveyStore:
    with SurveyStore(tmp_path / "store.sqlite") as opened:
        yield opened


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def test_the_open_link_refuses_a_fourth_respondent_a_minute_from_one_address(
    store: SurveyStore, qs: QuestionnaireSet
) -> None:
    clock = Clock()
    settings = SurveySettings(
        teams=["Checkout"], admin_token=ADMIN, open_link=True, open_per_minute=3
    )
    asgi = create_app(store, qs, settings, clock)
    one = TestClient(asgi, follow_redirects=False, client=("203.0.113.7", 50000))
    form = {"csrf": csrf(one.get("/").text)}
    for _ in range(3):
        assert one.post("/open", data=form).status_code == 303
    refused = one.post("/open", data=form)
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "60"
    assert "Too many new responses" in refused.text
    assert len(store.respondents()) == 3  # the refused attempt created nobody

    other = TestClient(asgi, follow_redirects=False, client=("198.51.100.4", 50000))
    assert other.post("/open", data={"csrf": csrf(other.get("/").text)}).status_code == 303

    clock.now = T0 + timedelta(seconds=61)
    assert one.post("/open", data=form).status_code == 303
    assert len(store.respondents()) == 5


def test_serve_has_the_option() -> None:
    result = CliRunner().invoke(app, ["survey", "serve", "--help"], terminal_width=200)
    assert "--open-limit" in result.output


def test_serve_announces_the_configured_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    from tests.test_recommend_cli import demo_config

    seen: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda asgi, **options: seen.update(app=asgi))
    config = str(demo_config(tmp_path))
    args = ["survey", "serve", "-c", config, "--open-link", "--open-limit", "0"]
    result = CliRunner().invoke(app, args, terminal_width=400)
    assert result.exit_code == 0, result.output
    assert "(no limit on new responses per address)" in result.output
    assert "app" in seen
