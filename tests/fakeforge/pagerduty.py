"""``FakePagerDuty``: PagerDuty REST API v2 incidents, over TLS, for the ``pagerduty`` client.

Wire facts follow PagerDuty's API reference — List incidents
(https://developer.pagerduty.com/api-reference/9d0b4b12e36f9-list-incidents), List log
entries for an incident, Pagination (classic ``limit``/``offset``/``more``), Errors and
Rate limits — and ``reference/REST/openapiv3.json`` in PagerDuty/api-schema:

* ``Authorization: Token token=<key>``; anything else is 401 ``{"error": {"message",
  "code": 2006}}``. The ``Accept`` header each request carried is logged for tests.
* ``GET /incidents``: ``since``/``until`` (span at most 6 months, else 400 code 2001;
  default the last 30 days — tests always pass both), ``date_range=all``, ``statuses[]``,
  ``service_ids[]``, ``team_ids[]``, ``urgencies[]``, ``sort_by``, ``time_zone``.
  Matching is on ``created_at`` in ``[since, until)``.
* Paging: ``limit`` (default 25, above 100 → 400 code 2001), ``offset``;
  ``offset + limit > 10000`` → 400 code 2002. Body ``{incidents, limit, offset, more, total}``
  with ``total`` null unless ``total=true``.
* ``GET /incidents/{id}/log_entries`` pages the same way (``log_entries``).
* Faults: ``retry_after`` renders PagerDuty's 429 (code 2020, ``ratelimit-*`` headers).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .faults import FaultRule
from .server import FakeForge, Request, Response, _Handler
from .tls import serve_tls, tls_files

MAX_SPAN = timedelta(days=183)
ITERATION_LIMIT = 10_000


@dataclass
class PDIncident:
    """One incident as the fake keeps it; :meth:`wire` renders the API object."""

    id: str
    number: int
    title: str
    created_at: datetime
    service_id: str
    service_name: str
    status: str = "resolved"
    urgency: str = "high"
    priority: str | None = None
    resolved_at: datetime | None = None
    teams: list[tuple[str, str]] = field(default_factory=list)
    omit_resolved_at: bool = False
    """Render without ``resolved_at`` (older objects): the client must read the log."""

    def wire(self, base: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "type": "incident",
            "summary": f"[#{self.number}] {self.title}",
            "self": f"{base}/incidents/{self.id}",
            "html_url": f"https://example.pagerduty.com/incidents/{self.id}",
            "incident_number": self.number,
            "title": self.title,
            "created_at": _iso(self.created_at),
            "updated_at": _iso(self.resolved_at or self.created_at),
            "status": self.status,
            "incident_key": f"key-{self.id}",
            "service": {
                "id": self.service_id,
                "type": "service_reference",
                "summary": self.service_name,
                "self": f"{base}/services/{self.service_id}",
                "html_url": f"https://example.pagerduty.com/service-directory/{self.service_id}",
            },
            "assignments": [],
            "acknowledgements": [],
            "last_status_change_at": _iso(self.resolved_at or self.created_at),
            "urgency": self.urgency,
            "priority": None,
            "teams": [
                {
                    "id": tid,
                    "type": "team_reference",
                    "summary": name,
                    "self": f"{base}/teams/{tid}",
                }
                for tid, name in self.teams
            ],
            "resolve_reason": None,
        }
        if self.priority:
            body["priority"] = {
                "id": f"PRI{self.priority}",
                "type": "priority",
                "summary": self.priority,
                "name": self.priority,
            }
        if not self.omit_resolved_at:
            body["resolved_at"] = _iso(self.resolved_at) if self.resolved_at else None
        return body


def _iso(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class FakePagerDuty(FakeForge):
    """``FakePagerDuty(incidents, token, tls_dir=tmp_path)``; ``.api`` is the https base URL
    and ``.cert`` the certificate file to give the client as ``verify``."""

    forge = "pagerduty"

    def __init__(
        self, incidents: list[PDIncident], token: str = "pd-fake-key", *, tls_dir: Path
    ) -> None:
        super().__init__(incidents, token)
        self.cert, self._key = tls_files(tls_dir)
        self.accept_headers: list[str] = []

    @property
    def incidents(self) -> list[PDIncident]:
        return self.scenario  # type: ignore[no-any-return]

    def start(self) -> FakePagerDuty:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.forge = self  # type: ignore[attr-defined]
        serve_tls(server, self.cert, self._key)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name="fake-pagerduty"
        )
        self._thread.daemon = True
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def api(self) -> str:
        return self.url

    def setup_routes(self) -> None:
        self.add_route("GET", r"/incidents", "pagerduty.incidents", self.list_incidents)
        self.add_route(
            "GET",
            r"/incidents/(?P<id>[^/]+)/log_entries",
            "pagerduty.log_entries",
            self.log_entries,
        )

    def authenticate(self, req: Request) -> bool:
        self.accept_headers.append(req.headers.get("accept", ""))
        return bool(req.headers.get("authorization", "") == f"Token token={self.token}")

    def unauthorized(self, req: Request) -> Response:
        return _error(401, 2006, "Authentication failed")

    def not_found(self, req: Request) -> Response:
        return _error(404, 2100, "Not Found")

    def fault_response(self, req: Request, rule: FaultRule) -> Response:
        if rule.kind == "retry_after":
            reset = str(rule.params.get("retry_after", 1))
            headers = {
                "ratelimit-limit": "960",
                "ratelimit-remaining": "0",
                "ratelimit-reset": reset,
            }
            return Response(
                429, {"error": {"message": "Rate Limit Exceeded", "code": 2020}}, headers
            )
        return Response(
            int(rule.params.get("status", 502)),
            {"error": {"message": "Internal Server Error", "code": 2000}},
        )

    # -- handlers --------------------------------------------------------------------
    def list_incidents(self, req: Request) -> Response:
        paging = _paging(req)
        if isinstance(paging, Response):
            return paging
        found = self._filter(req)
        if isinstance(found, Response):
            return found
        found.sort(key=lambda i: (i.created_at, i.number))
        return _page(req, "incidents", [i.wire(self.url) for i in found], *paging)

    def _filter(self, req: Request) -> list[PDIncident] | Response:
        items = list(self.incidents)
        if req.arg("date_range") != "all":
            try:
                since = _parse(req.arg("since") or "")
                until = _parse(req.arg("until") or "")
            except ValueError:
                return _error(
                    400, 2001, "Invalid Input Provided", ["since and until must be ISO 8601 dates"]
                )
            if until - since > MAX_SPAN:
                return _error(
                    400, 2001, "Invalid Input Provided", ["Date Range cannot exceed 6 months"]
                )
            items = [i for i in items if since <= i.created_at < until]
        for name, value in (
            ("statuses", "status"),
            ("service_ids", "service_id"),
            ("urgencies", "urgency"),
        ):
            wanted = req.args(name)
            if wanted:
                items = [i for i in items if getattr(i, value) in wanted]
        teams = req.args("team_ids")
        if teams:
            items = [i for i in items if any(t in teams for t, _ in i.teams)]
        return items

    def log_entries(self, req: Request) -> Response:
        paging = _paging(req)
        if isinstance(paging, Response):
            return paging
        incident = next((i for i in self.incidents if i.id == req.params["id"]), None)
        if incident is None:
            return self.not_found(req)
        entries = [_entry("trigger_log_entry", incident, incident.created_at)]
        if incident.resolved_at:
            entries.append(_entry("resolve_log_entry", incident, incident.resolved_at))
        return _page(req, "log_entries", entries, *paging)


def _entry(kind: str, incident: PDIncident, at: datetime) -> dict[str, Any]:
    return {
        "id": f"R{kind[:3].upper()}{incident.id}",
        "type": kind,
        "summary": kind.replace("_log_entry", ""),
        "created_at": _iso(at),
        "incident": {"id": incident.id, "type": "incident_reference"},
    }


def _paging(req: Request) -> tuple[int, int] | Response:
    try:
        limit, offset = int(req.arg("limit") or 25), int(req.arg("offset") or 0)
    except ValueError:
        return _error(400, 2001, "Invalid Input Provided", ["limit and offset must be integers"])
    if limit > 100 or limit < 1 or offset < 0:
        return _error(400, 2001, "Invalid Input Provided", ["Limit must be between 1 and 100"])
    if offset + limit > ITERATION_LIMIT:
        return _error(400, 2002, "Arguments Caused Error", ["Offset must be less than 10000"])
    return limit, offset


def _page(req: Request, key: str, items: list[dict[str, Any]], limit: int, offset: int) -> Response:
    chunk = items[offset : offset + limit]
    total = len(items) if req.arg("total") == "true" else None
    body = {
        key: chunk,
        "limit": limit,
        "offset": offset,
        "more": offset + limit < len(items),
        "total": total,
    }
    return Response(200, body)


def _error(status: int, code: int, message: str, errors: list[str] | None = None) -> Response:
    body: dict[str, Any] = {"error": {"message": message, "code": code}}
    if errors:
        body["error"]["errors"] = errors
    return Response(status, body)
