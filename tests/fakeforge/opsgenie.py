"""``FakeOpsgenie``: Opsgenie's List incidents endpoint, for the ``opsgenie`` source.

Wire facts from the Incident API (https://docs.opsgenie.com/docs/incident-api, List
incidents) and Pagination (https://docs.opsgenie.com/docs/pagination):

* ``Authorization: GenieKey <key>``; otherwise 401 ``{"message", "took", "requestId"}``.
* Search syntax: https://support.atlassian.com/opsgenie/docs/search-syntax-for-users/
  (the alert syntax's operators; ``createdAt`` as epoch milliseconds).
* ``GET /v1/incidents``: ``query`` (this fake understands ``createdAt>=MS``,
  ``createdAt<MS``, ``status: X`` and ``priority: PN`` joined by ``AND``), ``offset``,
  ``limit`` (default 20, above 100 → 422), ``sort=createdAt``, ``order`` (default desc).
* Body ``{data, paging: {first, next, last}, took, requestId}``; ``next`` only when
  another page exists; the same link in an ``X-Paging-Next`` header.
* Faults: ``retry_after`` renders a 429 with ``X-RateLimit-State: THROTTLED``.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .faults import FaultRule
from .server import FakeForge, Request, Response

_CLAUSE = re.compile(r"^\s*(createdAt)\s*(>=|<)\s*(\d+)\s*$|^\s*(status|priority)\s*:\s*(\S+)\s*$")


@dataclass
class OGIncident:
    id: str
    tiny_id: int
    message: str
    created_at: datetime
    status: str = "resolved"
    priority: str = "P3"
    services: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    updated_at: datetime | None = None

    def wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "serviceId": self.services[0] if self.services else None,
            "tinyId": str(self.tiny_id),
            "message": self.message,
            "status": self.status,
            "tags": self.tags,
            "createdAt": _iso(self.created_at),
            "updatedAt": _iso(self.updated_at or self.created_at),
            "priority": self.priority,
            "ownerTeam": "",
            "responders": [],
            "extraProperties": {},
            "impactedServices": self.services,
        }


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class FakeOpsgenie(FakeForge):
    """``FakeOpsgenie(incidents, token)``; ``.api`` is the base URL (US or EU host stand-in)."""

    forge = "opsgenie"

    @property
    def api(self) -> str:
        return self.url

    @property
    def incidents(self) -> list[OGIncident]:
        return self.scenario  # type: ignore[no-any-return]

    def setup_routes(self) -> None:
        self.add_route("GET", r"/v1/incidents", "opsgenie.incidents", self.list_incidents)

    def authenticate(self, req: Request) -> bool:
        return bool(req.headers.get("authorization", "") == f"GenieKey {self.token}")

    def unauthorized(self, req: Request) -> Response:
        return _error(401, "Could not authenticate")

    def not_found(self, req: Request) -> Response:
        return _error(404, "Not found")

    def fault_response(self, req: Request, rule: FaultRule) -> Response:
        if rule.kind == "retry_after":
            headers = {
                "X-RateLimit-State": "THROTTLED",
                "Retry-After": str(rule.params.get("retry_after", 0)),
            }
            return Response(
                429,
                {"message": "Request throttled", "took": 0.0, "requestId": str(uuid.uuid4())},
                headers,
            )
        return _error(int(rule.params.get("status", 502)), "Internal Server Error")

    def list_incidents(self, req: Request) -> Response:
        try:
            offset, limit = int(req.arg("offset") or 0), int(req.arg("limit") or 20)
        except ValueError:
            return _error(422, "offset and limit must be integers")
        if not 1 <= limit <= 100 or offset < 0:
            return _error(422, "limit must be between 1 and 100")
        items = self._matching(req.arg("query") or "")
        if isinstance(items, Response):
            return items
        items.sort(
            key=lambda i: (i.created_at, i.tiny_id), reverse=req.arg("order", "desc") == "desc"
        )
        chunk = items[offset : offset + limit]
        query = {k: v for k, v in req.query.items() if k not in ("offset", "limit")}
        paging = {"first": self.absolute(req.path, {**query, "offset": 0, "limit": limit})}
        headers = {}
        if offset + limit < len(items):
            paging["next"] = self.absolute(
                req.path, {**query, "offset": offset + limit, "limit": limit}
            )
            headers["X-Paging-Next"] = paging["next"]
        last = max(0, (len(items) - 1) // limit * limit)
        paging["last"] = self.absolute(req.path, {**query, "offset": last, "limit": limit})
        body = {
            "data": [i.wire() for i in chunk],
            "paging": paging,
            "took": 0.01,
            "requestId": str(uuid.uuid4()),
        }
        return Response(200, body, headers)

    def _matching(self, query: str) -> list[OGIncident] | Response:
        items = list(self.incidents)
        for clause in [
            c
            for c in re.split(r"\s+AND\s+", query.replace("(", " ").replace(")", " "))
            if c.strip()
        ]:
            found = _CLAUSE.match(clause)
            if not found:
                return _error(422, f"Invalid query: {clause.strip()}")
            if found.group(1):
                bound = datetime.fromtimestamp(int(found.group(3)) / 1000, UTC)
                if found.group(2) == ">=":
                    items = [i for i in items if i.created_at >= bound]
                else:
                    items = [i for i in items if i.created_at < bound]
            else:
                name, value = found.group(4), found.group(5)
                items = [i for i in items if getattr(i, name) == value]
        return items


def _error(status: int, message: str) -> Response:
    return Response(status, {"message": message, "took": 0.0, "requestId": str(uuid.uuid4())})
