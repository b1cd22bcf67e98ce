"""PagerDuty incidents through the official ``pagerduty`` client (REST API v2).

Reference: https://developer.pagerduty.com/api-reference/9d0b4b12e36f9-list-incidents
(``GET /incidents``) and PagerDuty/api-schema ``reference/REST/openapiv3.json``.

* ``since``/``until`` may span at most six months (400, code 2001), so the window is read
  in spans of :data:`SPAN` days, oldest first.
* Classic paging: ``limit`` (≤ 100) and ``offset``, body ``{incidents, limit, offset, more}``;
  ``offset + limit`` may not pass 10,000 (400, code 2002), so a span that reaches it is
  read again as two halves.
* The client sends ``Authorization: Token token=…`` and the v2 ``Accept`` header, retries
  429 with its own backoff (at most :data:`RATE_LIMIT_RETRIES` times here), and raises on
  401 — turned into one line naming the environment variable.
* 5xx answers, dropped connections and bodies that are cut or not JSON are retried with a
  growing pause (:mod:`.retry`); the client's own network retries are turned off for it.
* A resolved incident without ``resolved_at`` gets its time from its log entries
  (``GET /incidents/{id}/log_entries``, the ``resolve_log_entry``).
"""

from __future__ import annotations

import json
import logging
import ssl
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from ...config import Config
from ...config import PagerDutySource as PagerDutyConfig
from ...errors import AuthError, RateLimited, SourceError
from ...records import Incident
from ...tokens import read_token
from .base import Found, IncidentSource, SyncMarks
from .retry import CONNECTION_FAILED, CUT_OR_NOT_JSON, Transient
from .services import ServiceMap

log = logging.getLogger("opsmaturity.sources.pagerduty")

#: Days per ``since``/``until`` request span: well inside the API's six months.
SPAN = timedelta(days=30)
#: Page size: the API's maximum.
PAGE = 100
#: ``offset + limit`` may not exceed this (code 2002).
OFFSET_LIMIT = 10_000
#: How often a 429 is retried (with the client's growing cooldown) before giving up.
RATE_LIMIT_RETRIES = 8
#: Shortest span a too-full span is split into; below it the API limit is reported.
MIN_SPAN = timedelta(minutes=1)


class PagerDutySource(IncidentSource):
    """Incidents of a PagerDuty account, optionally narrowed to services, teams, urgencies."""

    tool = "PagerDuty"

    def __init__(
        self,
        name: str,
        *,
        token: str,
        token_env: str,
        services: ServiceMap,
        base_url: str | None = None,
        service_ids: list[str] | None = None,
        team_ids: list[str] | None = None,
        urgencies: list[str] | None = None,
        statuses: list[str] | None = None,
        priorities: list[str] | None = None,
        ca_bundle: str | None = None,
        cooldown: float | None = None,
    ) -> None:
        super().__init__(name, services, priorities)
        from pagerduty import RestApiV2Client

        self.token_env = token_env
        verify = ssl.create_default_context(cafile=ca_bundle) if ca_bundle else True
        self.client = RestApiV2Client(token, base_url=base_url, verify=verify)
        self.client.retry[429] = RATE_LIMIT_RETRIES
        self.client.max_network_attempts = 0  # one retry policy: ours, for every passing fault
        if cooldown is not None:
            self.client.sleep_timer = self.pause = cooldown
        self.filters: dict[str, list[str]] = {
            "service_ids[]": list(service_ids or []),
            "team_ids[]": list(team_ids or []),
            "urgencies[]": list(urgencies or []),
            "statuses[]": list(statuses or []),
        }

    @classmethod
    def from_config(
        cls, entry: PagerDutyConfig, name: str, config: Config, env: Mapping[str, str]
    ) -> PagerDutySource:
        token = read_token(env, entry.token_env)
        if not token:
            raise AuthError(
                f"{name}: set the environment variable {entry.token_env} to a PagerDuty REST API key"
            )
        return cls(
            name,
            token=token,
            token_env=entry.token_env,
            services=ServiceMap.from_config(config.services, config.teams),
            base_url=entry.base_url,
            service_ids=entry.service_ids,
            team_ids=entry.team_ids,
            urgencies=list(entry.urgencies),
            statuses=list(entry.statuses),
            priorities=entry.priorities,
            ca_bundle=str(config.resolve(entry.ca_bundle)) if entry.ca_bundle else None,
        )

    def fetch(self, since: datetime, until: datetime, sync: SyncMarks) -> Iterator[Found]:
        start = since
        while start < until:
            end = min(start + SPAN, until)
            for raw in self._span(start, end):
                yield self.translate(raw, self._incident), _keys(raw)
            sync.covered(end)
            start = end

    def _span(self, since: datetime, until: datetime) -> list[dict[str, Any]]:
        """Every incident created in the span; halves it when paging would pass 10,000."""
        items: list[dict[str, Any]] = []
        offset = 0
        while True:
            if offset + PAGE > OFFSET_LIMIT:
                if until - since <= MIN_SPAN:
                    raise SourceError(
                        f"{self.name}: more than {OFFSET_LIMIT} incidents created within a minute"
                    )
                middle = since + (until - since) / 2
                log.info(
                    "%s: span %s..%s holds over %d incidents; splitting",
                    self.name,
                    since,
                    until,
                    OFFSET_LIMIT,
                )
                return self._span(since, middle) + self._span(middle, until)
            body = self._get("/incidents", self._params(since, until, offset))
            page = body.get("incidents") or []
            items.extend(page)
            if not body.get("more") or not page:
                return items
            offset += len(page)

    def _params(self, since: datetime, until: datetime, offset: int) -> dict[str, Any]:
        params: dict[str, Any] = {
            "since": since.isoformat(),
            "until": until.isoformat(),
            "limit": PAGE,
            "offset": offset,
            "time_zone": "UTC",
            "sort_by": "created_at:asc",
        }
        params.update({k: v for k, v in self.filters.items() if v})
        return params

    def _get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        """One GET, retried through passing faults (:mod:`.retry`); 429s are the client's."""
        return self.retrying.call(
            lambda: self._attempt(path, params), self.client.url.rstrip("/") + path
        )

    def _attempt(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        """One GET through the client; its errors become ours, never carrying the key."""
        from pagerduty import Error, HttpError

        try:
            response = self.client.get(path, params=params)
        except HttpError as exc:
            status = exc.response.status_code if exc.response is not None else 0
            raise self._http_error(status, path) from None
        except Error:  # the client's network errors: not retried there (max_network_attempts 0)
            raise Transient(CONNECTION_FAILED) from None
        if response.status_code >= 500:
            raise Transient(f"answered {response.status_code}")
        if response.status_code >= 400:
            raise self._http_error(response.status_code, path, _error_message(response))
        try:
            data = response.json()
        except ValueError:
            raise Transient(CUT_OR_NOT_JSON) from None
        if not isinstance(data, dict):
            raise SourceError(f"{self.name}: {path}: unexpected answer (not a JSON object)")
        return data

    def _http_error(self, status: int, path: str, detail: str = "") -> SourceError:
        if status == 401:
            return AuthError(
                f"{self.name}: PagerDuty refused the key in {self.token_env} (401); check it is a valid REST API key"
            )
        if status == 403:
            return AuthError(
                f"{self.name}: the key in {self.token_env} may not read {path} (403); use a key with read access"
            )
        if status == 429:
            return RateLimited(
                f"{self.name}: PagerDuty kept rate-limiting {path} (429); try again in a minute"
            )
        return SourceError(
            f"{self.name}: PagerDuty answered {status} to {path}{': ' + detail if detail else ''}"
        )

    def _incident(self, raw: dict[str, Any]) -> Incident:
        service = raw.get("service") or {}
        priority = (raw.get("priority") or {}).get("summary")
        resolved = raw.get("resolved_at")
        if raw.get("status") == "resolved" and not resolved:
            resolved = self._resolved_from_log(raw)
        acks = [a.get("at") for a in raw.get("acknowledgements") or [] if a.get("at")]
        return Incident(
            id=str(raw["id"]),
            repository="",
            title=str(raw.get("title") or raw.get("summary") or ""),
            created_at=_time(raw["created_at"]),
            resolved_at=_time(resolved) if resolved else None,
            acknowledged_at=_time(min(acks)) if acks else None,
            labels=tuple(t.get("summary", "") for t in raw.get("teams") or [] if t.get("summary")),
            severity=priority,
            status=raw.get("status"),
            priority=priority,
            urgency=raw.get("urgency"),
            services=(str(service.get("summary") or service.get("id") or ""),) if service else (),
        )

    def _resolved_from_log(self, raw: dict[str, Any]) -> str | None:
        """The resolve entry's time, else the last status change (a resolved incident's)."""
        body = self._get(
            f"/incidents/{raw['id']}/log_entries", {"is_overview": "true", "limit": PAGE}
        )
        times = [
            e["created_at"]
            for e in body.get("log_entries") or []
            if e.get("type") == "resolve_log_entry"
        ]
        return max(times) if times else raw.get("last_status_change_at")

    def query_fingerprint(self) -> str:
        return json.dumps(self.filters, sort_keys=True)

    def close(self) -> None:
        self.client.close()


def _keys(raw: dict[str, Any]) -> tuple[str, ...]:
    """Service id and name: the ``services:`` mapping may use either."""
    service = raw.get("service") or {}
    return tuple(str(v) for v in (service.get("id"), service.get("summary")) if v)


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _error_message(response: Any) -> str:
    try:
        error = response.json().get("error") or {}
    except ValueError:
        return ""
    return str(error.get("message") or "")
