"""The web survey: server-rendered forms that work without JavaScript, on Starlette.

A respondent's link ``/r/<token>`` is their only key: every page looks the respondent up by
the token's hash, so one link can never reach another respondent's answers. Each section
page posts its answers (saved before moving on, back or forward); with JavaScript every
answer is also saved the moment it is given. The consultant's page ``/admin/<token>`` shows
progress and can close the survey.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..practices.answers import Answer, parse_value
from ..practices.questionnaire import Question, QuestionnaireSet
from . import flow, pages
from .admin import overview
from .quick import ATTRIBUTION, QUICK_IDS, quick_result
from .ratelimit import DEFAULT_PER_MINUTE, RateLimit
from .security import BodyLimit, SecurityHeaders, csrf_ok, csrf_token
from .storage import Respondent, SurveyStore, token_hash

DONT_KNOW = "dont_know"
MAX_TEXT = 80
_OPEN_COOKIE = "opsmaturity_open"


@dataclass
class SurveySettings:
    """What ``survey serve`` decided: teams to pick from, the admin token, open link, mode."""

    teams: Sequence[str]
    admin_token: str
    open_link: bool = False
    quick: bool = False
    benchmark_year: int = 2024
    open_per_minute: int = DEFAULT_PER_MINUTE
    """New respondents one client address may start through the open link per minute; 0: no limit."""


def create_app(
    store: SurveyStore,
    qs: QuestionnaireSet,
    settings: SurveySettings,
    now: Callable[[], datetime],
) -> Starlette:
    """The ASGI app; ``now`` is the clock (the CLI passes the real one, tests a fixed one)."""
    survey = _Survey(store, qs, settings, now)
    routes = [
        Route("/", survey.landing),
        Route("/open", survey.open_link, methods=["POST"]),
        Route("/r/{token}", survey.details, methods=["GET", "POST"]),
        Route("/r/{token}/s/{number:int}", survey.section, methods=["GET", "POST"]),
        Route("/r/{token}/answer", survey.autosave, methods=["POST"]),
        Route("/r/{token}/done", survey.done, methods=["GET", "POST"]),
        Route("/admin/{token}", survey.admin, methods=["GET", "POST"]),
        Mount("/static", StaticFiles(directory=pages.STATIC_DIR), name="static"),
    ]
    middleware = [Middleware(SecurityHeaders), Middleware(BodyLimit)]
    return Starlette(routes=routes, middleware=middleware)


class _Survey:
    def __init__(
        self,
        store: SurveyStore,
        qs: QuestionnaireSet,
        settings: SurveySettings,
        now: Callable[[], datetime],
    ) -> None:
        self.store, self.qs, self.settings, self.now = store, qs, settings, now
        self.secret = store.secret()
        self.admin_hash = token_hash(settings.admin_token)
        self.open_limit = RateLimit(settings.open_per_minute)

    # -- helpers ---------------------------------------------------------------------------
    def _page(self, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("quick", self.settings.quick)
        return HTMLResponse(pages.render(name, **context), status_code=status)

    def _refuse(self, status: int, title: str, message: str) -> HTMLResponse:
        return self._page("message.html.j2", status, title=title, message=message)

    def _respondent(self, request: Request) -> Respondent | HTMLResponse:
        found = self.store.respondent(request.path_params["token"])
        if found is None:
            return self._refuse(
                403,
                "This link is not valid",
                "Check that the whole link was copied, or ask the person who sent it for a new one.",
            )
        if self.store.closed:
            return self._refuse(
                410,
                "This survey is closed",
                "Thank you: the answers you gave are kept. Ask the organiser if you still want to add some.",
            )
        return found

    async def _form(self, request: Request, scope: str) -> FormData | HTMLResponse:
        form = await request.form()
        if not csrf_ok(self.secret, scope, form.get("csrf")):
            return self._refuse(
                403,
                "This form has expired",
                "The page was open too long or came from somewhere else. Go back, reload it and try again.",
            )
        return form

    def _only(self, respondent: Respondent) -> frozenset[str] | None:
        return QUICK_IDS if respondent.quick else None

    def _sections(self, respondent: Respondent) -> list[flow.Section]:
        return flow.sections(self.qs, respondent.disciplines, self._only(respondent))

    # -- pages -----------------------------------------------------------------------------
    async def landing(self, request: Request) -> Response:
        if self.store.closed:
            return self._refuse(410, "This survey is closed", "Thank you for your interest.")
        if not self.settings.open_link:
            return self._page(
                "message.html.j2",
                title="This survey is by invitation",
                message="Open the personal link you were sent; it keeps your answers and lets you resume.",
            )
        nonce = request.cookies.get(_OPEN_COOKIE) or secrets.token_urlsafe(16)
        response = self._page(
            "landing.html.j2",
            csrf=csrf_token(self.secret, f"open:{nonce}"),
            total=len(QUICK_IDS) if self.settings.quick else None,
            minutes=flow.minutes,
        )
        response.set_cookie(_OPEN_COOKIE, nonce, httponly=True, samesite="strict", path="/open")
        return response

    async def open_link(self, request: Request) -> Response:
        if not self.settings.open_link or self.store.closed:
            return self._refuse(
                403, "This survey is by invitation", "Open the personal link you were sent."
            )
        form = await self._form(request, f"open:{request.cookies.get(_OPEN_COOKIE, '')}")
        if isinstance(form, HTMLResponse):
            return form
        client, now = request.client.host if request.client else "", self.now()
        if not self.open_limit.allow(client, now):
            refused = self._refuse(
                429,
                "Too many new responses",
                "Too many responses were started from this address in the last minute. "
                "Wait a minute and try again, or ask the organiser for a personal link.",
            )
            refused.headers["Retry-After"] = str(self.open_limit.retry_after(client, now))
            return refused
        token = self.store.invite(now, via="open", quick=self.settings.quick)
        return RedirectResponse(f"/r/{token}", status_code=303)

    async def details(self, request: Request) -> Response:
        respondent = self._respondent(request)
        if isinstance(respondent, HTMLResponse):
            return respondent
        token = request.path_params["token"]
        values: dict[str, Any] = {
            "name": respondent.name or "",
            "team": respondent.team or "",
            "role": respondent.role or "",
            "disciplines": list(respondent.disciplines or self._default_disciplines(respondent)),
        }
        errors: list[str] = []
        if request.method == "POST":
            form = await self._form(request, f"r:{token_hash(token)}")
            if isinstance(form, HTMLResponse):
                return form
            values, errors = self._read_details(form, respondent)
            if not errors:
                self.store.set_details(
                    respondent.id,
                    self.now(),
                    name=values["name"] or None,
                    team=values["team"] or None,
                    role=values["role"] or None,
                    disciplines=values["disciplines"],
                )
                fresh = self.store.respondent(token)
                assert fresh is not None
                start = flow.first_open_section(self._sections(fresh), self.store.answers(fresh.id))
                return RedirectResponse(f"/r/{token}/s/{start}", status_code=303)
        answered = self.store.answers(respondent.id)
        counts = flow.question_counts(self.qs, self._only(respondent))
        return self._page(
            "details.html.j2",
            400 if errors else 200,
            token=token,
            values=values,
            errors=errors,
            csrf=csrf_token(self.secret, f"r:{token_hash(token)}"),
            teams=self.settings.teams,
            disciplines=[d for d in self.qs.disciplines if counts[d.id]],
            counts=counts,
            minutes=flow.minutes,
            seconds=flow.SECONDS_PER_QUESTION,
            returning=bool(answered),
            respondent=respondent,
            attribution=ATTRIBUTION if respondent.quick else None,
        )

    def _default_disciplines(self, respondent: Respondent) -> list[str]:
        counts = flow.question_counts(self.qs, self._only(respondent))
        return [d.id for d in self.qs.disciplines if counts[d.id]]

    def _read_details(
        self, form: FormData, respondent: Respondent
    ) -> tuple[dict[str, Any], list[str]]:
        errors = []
        values: dict[str, Any] = {
            k: str(form.get(k) or "").strip() for k in ("name", "team", "role")
        }
        for key in ("name", "role", "team"):
            if len(values[key]) > MAX_TEXT:
                errors.append(f"The {key} is longer than {MAX_TEXT} characters.")
                values[key] = values[key][:MAX_TEXT]
        if self.settings.teams and values["team"] and values["team"] not in self.settings.teams:
            errors.append("Pick your team from the list.")
            values["team"] = ""
        counts = flow.question_counts(self.qs, self._only(respondent))
        chosen = [
            d.id for d in self.qs.disciplines if d.id in form.getlist("discipline") and counts[d.id]
        ]
        if respondent.quick:
            chosen = self._default_disciplines(respondent)
        if not chosen:
            errors.append("Choose at least one part of the survey to answer.")
        values["disciplines"] = chosen
        return values, errors

    async def section(self, request: Request) -> Response:
        respondent = self._respondent(request)
        if isinstance(respondent, HTMLResponse):
            return respondent
        token = request.path_params["token"]
        if respondent.disciplines is None:
            return RedirectResponse(f"/r/{token}", status_code=303)
        sections = self._sections(respondent)
        number = request.path_params["number"]
        if not 1 <= number <= len(sections):
            return self._refuse(404, "No such page", "This survey has no page with that number.")
        page = sections[number - 1]
        answers = self.store.answers(respondent.id)
        errors: dict[str, str] = {}
        typed: dict[str, str] = {}
        if request.method == "POST":
            form = await self._form(request, f"r:{token_hash(token)}")
            if isinstance(form, HTMLResponse):
                return form
            given, errors = self._read_answers(page.questions, form)
            typed = {q: str(form.get(f"q:{q}") or "") for q in errors}
            if given:
                self.store.save_answers(respondent.id, given, self.now())
                answers = {**answers, **given}
            if not errors:
                return RedirectResponse(
                    self._next(token, form.get("go"), number, len(sections)), status_code=303
                )
        done, total = flow.progress(sections, answers)
        return self._page(
            "section.html.j2",
            400 if errors else 200,
            token=token,
            page=page,
            sections=sections,
            answers=answers,
            errors=errors,
            done=done,
            total=total,
            qs=self.qs,
            notices=flow.scale_notices(self.qs, sections),
            describe=flow.describe_scale,
            csrf=csrf_token(self.secret, f"r:{token_hash(token)}"),
            dont_know=DONT_KNOW,
            typed=typed,
        )

    def _next(self, token: str, go: Any, number: int, count: int) -> str:
        if go == "back":
            return f"/r/{token}/s/{number - 1}" if number > 1 else f"/r/{token}"
        if go == "later":
            return f"/r/{token}/done?saved=1"
        return f"/r/{token}/s/{number + 1}" if number < count else f"/r/{token}/done"

    def _read_answers(
        self, questions: Sequence[Question], form: FormData
    ) -> tuple[dict[str, Answer], dict[str, str]]:
        given: dict[str, Answer] = {}
        errors: dict[str, str] = {}
        for question in questions:
            raw = str(form.get(f"q:{question.id}") or "").strip()
            if form.get(f"dk:{question.id}") or raw == DONT_KNOW:
                given[question.id] = Answer(None)
            elif raw:
                try:
                    given[question.id] = Answer(parse_value(self.qs, question, raw))
                except ValueError:
                    errors[question.id] = (
                        "Enter a number from 0 to 100, or tick “Don't know”."
                        if question.type == "percent"
                        else "Pick one of the answers."
                    )
        return given, errors

    async def autosave(self, request: Request) -> Response:
        """One answer, saved as it is given (JavaScript only); 204, or 400 with the reason."""
        respondent = self._respondent(request)
        if isinstance(respondent, HTMLResponse):
            return respondent
        form = await self._form(request, f"r:{token_hash(request.path_params['token'])}")
        if isinstance(form, HTMLResponse):
            return form
        question = self.qs.question(str(form.get("question") or ""))
        allowed = self._only(respondent)
        if question is None or (allowed is not None and question.id not in allowed):
            return Response("unknown question", status_code=400, media_type="text/plain")
        given, errors = self._read_answers([question], form)
        if errors:
            return Response(errors[question.id], status_code=400, media_type="text/plain")
        if given:
            self.store.save_answers(respondent.id, given, self.now())
        return Response(status_code=204)

    async def done(self, request: Request) -> Response:
        respondent = self._respondent(request)
        if isinstance(respondent, HTMLResponse):
            return respondent
        token = request.path_params["token"]
        if request.method == "POST":
            form = await self._form(request, f"r:{token_hash(token)}")
            if isinstance(form, HTMLResponse):
                return form
            self.store.finish(respondent.id, self.now())
            return RedirectResponse(f"/r/{token}/done", status_code=303)
        sections = self._sections(respondent)
        answers = self.store.answers(respondent.id)
        coverage = [
            (
                d,
                sum(
                    1
                    for s in sections
                    if s.discipline.id == d.id
                    for q in s.questions
                    if q.id in answers
                ),
                sum(len(s.questions) for s in sections if s.discipline.id == d.id),
                next(s.number for s in sections if s.discipline.id == d.id),
            )
            for d in self.qs.disciplines
            if any(s.discipline.id == d.id for s in sections)
        ]
        missing = [s for s in sections if any(q.id not in answers for q in s.questions)]
        result = (
            quick_result(self.qs, answers, self.settings.benchmark_year)
            if respondent.quick
            else None
        )
        return self._page(
            "done.html.j2",
            token=token,
            coverage=coverage,
            missing=missing,
            result=result,
            finished=respondent.finished_at is not None,
            saved=request.query_params.get("saved"),
            csrf=csrf_token(self.secret, f"r:{token_hash(token)}"),
            sections=sections,
            attribution=ATTRIBUTION,
        )

    async def admin(self, request: Request) -> Response:
        given = token_hash(request.path_params["token"])
        if not hmac.compare_digest(given, self.admin_hash):
            return self._refuse(403, "Not allowed", "This consultant link is not valid.")
        if request.method == "POST":
            form = await self._form(request, f"admin:{self.admin_hash}")
            if isinstance(form, HTMLResponse):
                return form
            self.store.set_closed(form.get("action") == "close")
            return RedirectResponse(request.url.path, status_code=303)
        return self._page(
            "admin.html.j2",
            view=overview(self.store, self.qs, QUICK_IDS if self.settings.quick else None),
            closed=self.store.closed,
            open_link=self.settings.open_link,
            csrf=csrf_token(self.secret, f"admin:{self.admin_hash}"),
        )
