"""``FakeJira``: Jira Cloud (``/rest/api/3/search/jql``) or Data Center (``/rest/api/2/search``).

Wire facts from the Jira Cloud platform REST API v3 ("Search for issues using JQL enhanced
search", https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/)
and Jira Data Center REST API v2 (``/rest/api/2/search``, ``/rest/api/2/serverInfo``,
``/rest/api/2/field``):

* Cloud: ``GET /rest/api/3/search/jql?jql&nextPageToken&maxResults&fields`` → ``{issues,
  nextPageToken, isLast}``; ``nextPageToken`` is absent on the last page (JRACLOUD-92184);
  ``maxResults`` above 100 is cut to 100 when fields are asked for. The retired
  ``GET /rest/api/3/search`` answers 410. Basic auth (e-mail : API token).
* Data Center: ``GET /rest/api/2/search?jql&startAt&maxResults&fields`` → ``{startAt,
  maxResults, total, issues}``, ``maxResults`` capped at :attr:`FakeJira.dc_max` (the
  ``jira.search.views.default.max`` setting, 1000 by default). Bearer personal access token.
* ``serverInfo`` says ``deploymentType`` Cloud or Server; ``field`` lists fields with
  ``clauseNames`` (the client translates names through it).
* JQL understood: ``project in ("A", "B")``, ``issuetype = X``, ``created >= "yyyy-MM-dd
  HH:mm"``, ``created < "…"`` (UTC here), ``ORDER BY created ASC``; other clauses are
  accepted and ignored. Faults: ``retry_after`` renders a 429 with ``Retry-After``.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .faults import FaultRule
from .server import FakeForge, Request, Response


@dataclass
class JiraIssue:
    key: str
    summary: str
    created: datetime
    resolved: datetime | None = None
    priority: str = "High"
    components: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    issuetype: str = "Incident"
    custom: dict[str, Any] = field(default_factory=dict)

    @property
    def project(self) -> str:
        return self.key.split("-")[0]

    def wire(self, wanted: list[str]) -> dict[str, Any]:
        number = int(self.key.split("-")[1])
        fields: dict[str, Any] = {
            "summary": self.summary,
            "created": _jira_time(self.created),
            "resolutiondate": _jira_time(self.resolved) if self.resolved else None,
            "priority": {"id": "2", "name": self.priority},
            "components": [
                {"id": str(10000 + i), "name": c} for i, c in enumerate(self.components)
            ],
            "labels": self.labels,
            "status": {"name": "Resolved" if self.resolved else "Open"},
            "project": {"id": "10000", "key": self.project},
            "issuetype": {"name": self.issuetype},
            **self.custom,
        }
        if wanted and "*all" not in wanted:
            fields = {k: v for k, v in fields.items() if k in wanted}
        return {
            "id": str(10000 + number),
            "key": self.key,
            "self": f"/rest/api/2/issue/{10000 + number}",
            "fields": fields,
        }


def _jira_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


_PROJECTS = re.compile(r"project\s+in\s*\(([^)]*)\)", re.I)
_TYPE = re.compile(r"issuetype\s*=\s*\"?(\w+)\"?", re.I)
_CREATED = re.compile(r"created\s*(>=|<)\s*\"([^\"]+)\"", re.I)


class FakeJira(FakeForge):
    """``FakeJira(issues, token, cloud=True, user="ops@example.com")``; ``.api`` is the site URL."""

    forge = "jira"

    def __init__(
        self,
        issues: list[JiraIssue],
        token: str = "jira-fake-token",
        *,
        cloud: bool = True,
        user: str = "ops@example.com",
        dc_max: int = 1000,
    ) -> None:
        self.cloud, self.user, self.dc_max = cloud, user, dc_max
        self.tokens_handed: list[str] = []
        super().__init__(issues, token)

    @property
    def api(self) -> str:
        return self.url

    @property
    def issues(self) -> list[JiraIssue]:
        return self.scenario  # type: ignore[no-any-return]

    def setup_routes(self) -> None:
        v = r"/rest/api/(?P<v>[23])"
        self.add_route("GET", v + r"/serverInfo", "jira.server_info", self.server_info)
        self.add_route("GET", v + r"/field", "jira.fields", self.fields)
        self.add_route("GET", r"/rest/api/3/search/jql", "jira.search_jql", self.search_jql)
        self.add_route("GET", v + r"/search", "jira.search", self.search)

    def authenticate(self, req: Request) -> bool:
        auth = req.headers.get("authorization", "")
        if self.cloud:
            expected = base64.b64encode(f"{self.user}:{self.token}".encode()).decode()
            return bool(auth == f"Basic {expected}")
        return bool(auth == f"Bearer {self.token}")

    def unauthorized(self, req: Request) -> Response:
        return Response(
            401,
            {
                "errorMessages": [
                    "You are not authenticated. Authentication required to perform this operation."
                ],
                "errors": {},
            },
        )

    def not_found(self, req: Request) -> Response:
        return Response(404, {"errorMessages": ["Not found"], "errors": {}})

    def fault_response(self, req: Request, rule: FaultRule) -> Response:
        if rule.kind == "retry_after":
            return Response(
                429,
                {"errorMessages": ["Rate limit exceeded."]},
                {"Retry-After": str(rule.params.get("retry_after", 0))},
            )
        return Response(
            int(rule.params.get("status", 502)), {"errorMessages": ["Internal server error"]}
        )

    # -- handlers --------------------------------------------------------------------
    def server_info(self, req: Request) -> Response:
        if self.cloud:
            return Response(
                200,
                {
                    "baseUrl": self.url,
                    "version": "1001.0.0-SNAPSHOT",
                    "versionNumbers": [1001, 0, 0],
                    "deploymentType": "Cloud",
                    "buildNumber": 100275,
                    "serverTitle": "Jira",
                },
            )
        return Response(
            200,
            {
                "baseUrl": self.url,
                "version": "9.12.2",
                "versionNumbers": [9, 12, 2],
                "deploymentType": "Server",
                "buildNumber": 9120002,
                "serverTitle": "Jira",
            },
        )

    def fields(self, req: Request) -> Response:
        names = [
            "summary",
            "created",
            "resolutiondate",
            "priority",
            "components",
            "labels",
            "status",
            "project",
            "issuetype",
        ]
        out = [{"id": n, "name": n.title(), "custom": False, "clauseNames": [n]} for n in names]
        for issue in self.issues:
            for cf in issue.custom:
                number = cf.split("_")[-1]
                out.append({"id": cf, "name": cf, "custom": True, "clauseNames": [f"cf[{number}]"]})
        return Response(200, out)

    def search_jql(self, req: Request) -> Response:
        if not self.cloud:
            return self.not_found(req)
        found = self._matching(req.arg("jql") or "")
        if isinstance(found, Response):
            return found
        limit = min(int(req.arg("maxResults") or 50), 100)
        start = (
            int(req.arg("nextPageToken") or 0) if (req.arg("nextPageToken") or "").isdigit() else 0
        )
        if req.arg("nextPageToken") and not req.arg("nextPageToken", "").isdigit():
            return Response(400, {"errorMessages": ["Invalid nextPageToken"], "errors": {}})
        chunk = found[start : start + limit]
        body: dict[str, Any] = {
            "issues": [i.wire(_fields(req)) for i in chunk],
            "isLast": start + limit >= len(found),
        }
        if not body["isLast"]:
            body["nextPageToken"] = str(start + limit)
            self.tokens_handed.append(body["nextPageToken"])
        return Response(200, body)

    def search(self, req: Request) -> Response:
        if req.params["v"] == "3" or self.cloud:
            return Response(
                410,
                {
                    "errorMessages": [
                        "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API."
                    ],
                    "errors": {},
                },
            )
        found = self._matching(req.arg("jql") or "")
        if isinstance(found, Response):
            return found
        start, limit = (
            int(req.arg("startAt") or 0),
            min(int(req.arg("maxResults") or 50), self.dc_max),
        )
        chunk = found[start : start + limit]
        return Response(
            200,
            {
                "startAt": start,
                "maxResults": limit,
                "total": len(found),
                "issues": [i.wire(_fields(req)) for i in chunk],
            },
        )

    def _matching(self, jql: str) -> list[JiraIssue] | Response:
        items = list(self.issues)
        projects = _PROJECTS.search(jql)
        if projects:
            keys = {p.strip().strip('"').strip("'") for p in projects.group(1).split(",")}
            items = [i for i in items if i.project in keys]
        kind = _TYPE.search(jql)
        if kind:
            items = [i for i in items if i.issuetype.lower() == kind.group(1).lower()]
        for op, text in _CREATED.findall(jql):
            try:
                bound = datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
            except ValueError:
                return Response(
                    400,
                    {
                        "errorMessages": [f"Date value '{text}' for field 'created' is invalid."],
                        "errors": {},
                    },
                )
            items = [i for i in items if (i.created >= bound if op == ">=" else i.created < bound)]
        return sorted(items, key=lambda i: (i.created, i.key))


def _fields(req: Request) -> list[str]:
    return [f for value in req.args("fields") for f in value.split(",") if f]
