"""Jira Cloud, Jira Service Management and Jira Data Center incidents via the ``jira`` package.

References: Jira Cloud platform REST API v3, "Search for issues using JQL enhanced search"
(``GET /rest/api/3/search/jql``, ``nextPageToken`` paging; the older ``/rest/api/3/search``
with ``startAt`` was retired) —
https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/ —
and Jira Data Center REST API v2 ``GET /rest/api/2/search`` (``startAt``/``maxResults``/
``total``) — https://docs.atlassian.com/software/jira/docs/api/REST/latest/.

* JQL: the configured query, or ``issuetype = Incident AND project in (...)``; the window
  is added as ``created >= "…" AND created < "…"``. JQL dates are read in the Jira
  user's time zone, so the window is widened by a day each side and cut exactly here.
* Fields: ``summary``, ``created``, ``resolutiondate``, ``priority``, ``components``,
  ``labels``, ``status``, ``project``, plus the configured custom fields.
* Placement keys: each component's name, then the project key.
* Auth: Cloud takes the account e-mail and an API token (basic); Data Center a personal
  access token (bearer). 401/403 become one line naming the env var.
* 429 (``Retry-After`` honoured), 5xx, dropped connections and bodies that are cut or not
  JSON are retried with a growing pause (:mod:`.retry`); the client's own retries are off.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from ...config import Config
from ...config import JiraSource as JiraConfig
from ...errors import AuthError, SourceError
from ...records import Incident
from ...tokens import read_token
from .base import Found, IncidentSource, SyncMarks
from .retry import CONNECTION_FAILED, CUT_OR_NOT_JSON, Throttled, Transient, retry_after
from .services import ServiceMap

PAGE = 100
FIELDS = [
    "summary",
    "created",
    "resolutiondate",
    "priority",
    "components",
    "labels",
    "status",
    "project",
]
#: JQL compares dates in the user's time zone: ask for a day more each side.
JQL_MARGIN = timedelta(days=1)


class JiraSource(IncidentSource):
    """Incident issues of Jira (Cloud or Data Center) found by a JQL query."""

    tool = "Jira"

    def __init__(
        self,
        name: str,
        *,
        base_url: str,
        token: str,
        token_env: str,
        services: ServiceMap,
        user: str | None = None,
        deployment: str = "cloud",
        projects: list[str] | None = None,
        jql: str | None = None,
        severity_field: str | None = None,
        custom_fields: Mapping[str, str] | None = None,
        priorities: list[str] | None = None,
        ca_bundle: str | None = None,
        pause: float = 1.0,
    ) -> None:
        super().__init__(name, services, priorities)
        self.base_url, self.token_env = base_url.rstrip("/"), token_env
        self.cloud = deployment == "cloud"
        self.jql = jql or _default_jql(projects or [])
        self.severity_field = severity_field
        self.custom_fields = dict(custom_fields or {})
        self.pause = pause
        self._client = self._connect(token, user, ca_bundle)

    @classmethod
    def from_config(
        cls, entry: JiraConfig, name: str, config: Config, env: Mapping[str, str]
    ) -> JiraSource:
        token = read_token(env, entry.token_env)
        if not token:
            raise AuthError(
                f"{name}: set the environment variable {entry.token_env} to a Jira API token"
            )
        user = env.get(entry.user_env) if entry.user_env else None
        if entry.deployment == "cloud" and not user:
            raise AuthError(
                f"{name}: set the environment variable {entry.user_env or 'JIRA_USER'} to the Jira account e-mail"
            )
        return cls(
            name,
            base_url=entry.base_url,
            token=token,
            token_env=entry.token_env,
            services=ServiceMap.from_config(config.services, config.teams),
            user=user,
            deployment=entry.deployment,
            projects=entry.projects,
            jql=entry.jql,
            severity_field=entry.severity_field,
            custom_fields=entry.custom_fields,
            priorities=entry.priorities,
            ca_bundle=str(config.resolve(entry.ca_bundle)) if entry.ca_bundle else None,
        )

    def _connect(self, token: str, user: str | None, ca_bundle: str | None) -> Any:
        """The client, after reading ``serverInfo`` (retried like a search)."""
        client = self.retrying.call(
            lambda: self._attempt_connect(token, user, ca_bundle),
            f"{self.base_url}/rest/api/2/serverInfo",
        )
        client._session.max_retries = 0  # one retry policy from here on: ours (see .retry)
        if client._is_cloud != self.cloud:  # each search endpoint exists on one kind only
            client.close()
            actual, label = (
                ("cloud", "Cloud") if client._is_cloud else ("datacenter", "Data Center")
            )
            raise SourceError(
                f"{self.name}: {self.base_url} is Jira {label}; set `deployment: {actual}`"
            )
        return client

    def _attempt_connect(self, token: str, user: str | None, ca_bundle: str | None) -> Any:
        from jira import JIRA, JIRAError

        options: dict[str, Any] = {
            "server": self.base_url,
            "rest_api_version": "3" if self.cloud else "2",
            "check_update": False,
            "verify": ca_bundle or True,
        }
        auth: dict[str, Any] = {"basic_auth": (user, token)} if user else {"token_auth": token}
        try:
            return JIRA(options=options, get_server_info=True, max_retries=0, timeout=30, **auth)
        except JIRAError as exc:
            raise self._error(exc, "serverInfo") from None
        except Exception as exc:  # requests' connection errors and cut bodies, before any answer
            raise _transient(exc) from None

    def fetch(self, since: datetime, until: datetime, sync: SyncMarks) -> Iterator[Found]:
        jql = self._windowed(since, until)
        pages = self._cloud_pages(jql) if self.cloud else self._datacenter_pages(jql)
        for issues in pages:
            for raw in issues:
                incident = self.translate(raw, self._incident)
                if since <= incident.created_at < until:
                    yield incident, _keys(raw)
        sync.covered(until)

    def _windowed(self, since: datetime, until: datetime) -> str:
        lo, hi = (
            (since - JQL_MARGIN).strftime("%Y-%m-%d %H:%M"),
            (until + JQL_MARGIN).strftime("%Y-%m-%d %H:%M"),
        )
        return f'({self.jql}) AND created >= "{lo}" AND created < "{hi}" ORDER BY created ASC'

    def _fields(self) -> list[str]:
        extra = [self.severity_field] if self.severity_field else []
        return FIELDS + extra + list(self.custom_fields.values())

    def _cloud_pages(self, jql: str) -> Iterator[list[dict[str, Any]]]:
        """``/rest/api/3/search/jql``: follow ``nextPageToken`` until it is absent."""
        token: str | None = None
        while True:
            body = self._call(
                self._client.enhanced_search_issues,
                jql,
                nextPageToken=token,
                maxResults=PAGE,
                fields=self._fields(),
                json_result=True,
            )
            yield body.get("issues") or []
            token = body.get("nextPageToken")
            if not token or body.get("isLast"):
                return

    def _datacenter_pages(self, jql: str) -> Iterator[list[dict[str, Any]]]:
        """``/rest/api/2/search``: advance ``startAt`` by what came back, up to ``total``."""
        start = 0
        while True:
            body = self._call(
                self._client.search_issues,
                jql,
                startAt=start,
                maxResults=PAGE,
                fields=self._fields(),
                json_result=True,
            )
            issues = body.get("issues") or []
            yield issues
            start += len(issues)
            if not issues or start >= int(body.get("total") or 0):
                return

    def _call(self, search: Any, jql: str, **kwargs: Any) -> dict[str, Any]:
        """One search page, retried through passing faults (:mod:`.retry`)."""
        endpoint = "/rest/api/3/search/jql" if self.cloud else "/rest/api/2/search"
        return self.retrying.call(
            lambda: self._attempt(search, jql, **kwargs), self.base_url + endpoint
        )

    def _attempt(self, search: Any, jql: str, **kwargs: Any) -> dict[str, Any]:
        from jira import JIRAError

        try:
            body = search(jql, **kwargs)
        except JIRAError as exc:
            raise self._error(exc, "search") from None
        except Exception as exc:  # requests' connection errors, a cut or non-JSON body
            raise _transient(exc) from None
        if not isinstance(body, dict):
            raise SourceError(f"{self.name}: unexpected Jira answer (not a JSON object)")
        return body

    def _error(self, exc: Any, what: str) -> Exception:
        """A JIRAError as ours: final for credentials and queries, passing for 429 and 5xx."""
        status = getattr(exc, "status_code", None)
        if status == 401:
            return AuthError(
                f"{self.name}: Jira refused the credentials in {self.token_env} (401); check the token and account"
            )
        if status == 403:
            return AuthError(
                f"{self.name}: the account in {self.token_env} may not search these projects (403)"
            )
        if status == 429:
            response = getattr(exc, "response", None)
            return Throttled(
                retry_after(response.headers.get("Retry-After")) if response is not None else None
            )
        if status is None or status >= 500:
            return Transient(f"answered {status}" if status else CONNECTION_FAILED)
        if status == 400:
            return SourceError(
                f"{self.name}: Jira rejected the JQL query (400): {_first_message(exc)}"
            )
        return SourceError(f"{self.name}: Jira answered {status} to {what}")

    def _incident(self, raw: dict[str, Any]) -> Incident:
        fields = raw.get("fields") or {}
        priority = (fields.get("priority") or {}).get("name")
        severity = _value(fields.get(self.severity_field)) if self.severity_field else None
        extra = tuple(
            f"{label}:{value}"
            for label, field_id in self.custom_fields.items()
            if (value := _value(fields.get(field_id))) is not None
        )
        resolved = fields.get("resolutiondate")
        return Incident(
            id=str(raw.get("key") or raw["id"]),
            repository="",
            title=str(fields.get("summary") or ""),
            created_at=_time(fields["created"]),
            resolved_at=_time(resolved) if resolved else None,
            labels=tuple(str(x) for x in fields.get("labels") or ()) + extra,
            severity=severity or priority,
            status=(fields.get("status") or {}).get("name"),
            priority=priority,
            services=tuple(
                str(c.get("name")) for c in fields.get("components") or () if c.get("name")
            ),
        )

    def query_fingerprint(self) -> str:
        return (
            self.jql + "|" + json.dumps([self.severity_field, self.custom_fields], sort_keys=True)
        )

    def close(self) -> None:
        self._client.close()


def _transient(exc: Exception) -> Exception:
    """What a non-Jira exception from the client means: a passing fault, or a bug to show."""
    import requests

    if isinstance(exc, requests.RequestException):
        return Transient(CONNECTION_FAILED)
    if isinstance(exc, ValueError):  # the JSON decoder's error: a body cut or not JSON
        return Transient(CUT_OR_NOT_JSON)
    return exc


def _default_jql(projects: list[str]) -> str:
    quoted = ", ".join(f'"{p}"' for p in projects)
    return f"issuetype = Incident AND project in ({quoted})"


def _keys(raw: dict[str, Any]) -> tuple[str, ...]:
    fields = raw.get("fields") or {}
    components = [str(c.get("name")) for c in fields.get("components") or () if c.get("name")]
    project = (fields.get("project") or {}).get("key")
    return tuple(components + ([str(project)] if project else []))


def _value(field: Any) -> str | None:
    """A custom field's text: select lists hold ``value``, others ``name`` or the plain value."""
    if field is None:
        return None
    if isinstance(field, dict):
        return str(field.get("value") or field.get("name") or "") or None
    if isinstance(field, list):
        return ",".join(v for v in (_value(x) for x in field) if v) or None
    return str(field)


def _time(text: str) -> datetime:
    """Jira writes ``2026-07-01T10:00:00.000+0000``."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _first_message(exc: Any) -> str:
    text = str(getattr(exc, "text", "") or "")
    return text.splitlines()[0][:200] if text else "see the query in the config"
