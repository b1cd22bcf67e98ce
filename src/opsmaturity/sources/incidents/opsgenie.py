"""Opsgenie incidents through ``requests`` (its Python SDK has been unmaintained since 2021).

Atlassian has ended Opsgenie sales and announced its end of support; Jira Service
Management is the successor (see the ``jira`` source). References: Incident API
https://docs.opsgenie.com/docs/incident-api (List incidents ``GET /v1/incidents``) and
Pagination https://docs.opsgenie.com/docs/pagination.

* Hosts: ``https://api.opsgenie.com`` (US) and ``https://api.eu.opsgenie.com`` (EU).
* Auth: ``Authorization: GenieKey <key>``; 401/403 become one line naming the env var.
* Paging: ``offset``, ``limit`` (default 20, at most 100), ``sort``, ``order``; the body's
  ``paging.next`` is the next page's URL (followed only on the same host, so the key
  never leaves it).
* ``query``: Opsgenie's search syntax (key-value fields, condition operators ``>=``/``<``,
  ``AND``; timestamps as epoch milliseconds or ISO 8601 — Atlassian's "Search syntax for
  alerts", which users and incidents share:
  https://support.atlassian.com/opsgenie/docs/search-syntax-for-users/); the window is
  ``createdAt>=… AND createdAt<…`` in epoch milliseconds, joined with the configured query.
* Fields: ``id``, ``tinyId``, ``message``, ``status`` (open/resolved/closed), ``priority``
  (P1–P5), ``tags``, ``createdAt``, ``updatedAt``, ``impactedServices`` (service ids).
  The incident object has no resolution time: a resolved or closed incident's
  ``updatedAt`` is taken for it (a later edit moves it; docs/sources.md says so).
* 429 (``X-RateLimit-State: THROTTLED``) is retried after ``Retry-After`` or a growing pause;
  5xx, dropped connections and bodies that are cut or not JSON are retried too (:mod:`.retry`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from ...config import Config
from ...config import OpsgenieSource as OpsgenieConfig
from ...errors import AuthError, SourceError
from ...records import Incident
from ...tokens import read_token
from .base import Found, IncidentSource, SyncMarks
from .retry import CONNECTION_FAILED, CUT_OR_NOT_JSON, Throttled, Transient, retry_after
from .services import ServiceMap

HOSTS = {"us": "https://api.opsgenie.com", "eu": "https://api.eu.opsgenie.com"}
PAGE = 100
TIMEOUT = 30


class OpsgenieSource(IncidentSource):
    """Incidents of an Opsgenie account, optionally narrowed by an Opsgenie query."""

    tool = "Opsgenie"

    def __init__(
        self,
        name: str,
        *,
        key: str,
        key_env: str,
        services: ServiceMap,
        region: str = "us",
        base_url: str | None = None,
        query: str | None = None,
        priorities: list[str] | None = None,
        ca_bundle: str | None = None,
        pause: float = 1.0,
    ) -> None:
        super().__init__(name, services, priorities)
        import requests

        self.key_env = key_env
        self.base_url = (base_url or HOSTS[region]).rstrip("/")
        self.query = query
        self.pause = pause
        self.session = requests.Session()
        self.session.headers.update(
            {"Authorization": f"GenieKey {key}", "Accept": "application/json"}
        )
        if ca_bundle:
            self.session.verify = ca_bundle

    @classmethod
    def from_config(
        cls, entry: OpsgenieConfig, name: str, config: Config, env: Mapping[str, str]
    ) -> OpsgenieSource:
        key = read_token(env, entry.token_env)
        if not key:
            raise AuthError(
                f"{name}: set the environment variable {entry.token_env} to an Opsgenie API key"
            )
        return cls(
            name,
            key=key,
            key_env=entry.token_env,
            services=ServiceMap.from_config(config.services, config.teams),
            region=entry.region,
            base_url=entry.base_url,
            query=entry.query,
            priorities=entry.priorities,
            ca_bundle=str(config.resolve(entry.ca_bundle)) if entry.ca_bundle else None,
        )

    def fetch(self, since: datetime, until: datetime, sync: SyncMarks) -> Iterator[Found]:
        url: str | None = f"{self.base_url}/v1/incidents"
        params: dict[str, Any] | None = {
            "query": self._query(since, until),
            "offset": 0,
            "limit": PAGE,
            "sort": "createdAt",
            "order": "asc",
        }
        while url:
            body = self._get(url, params)
            for raw in body.get("data") or []:
                yield self.translate(raw, self._incident), tuple(raw.get("impactedServices") or ())
            url, params = self._next(body), None
        sync.covered(until)

    def _query(self, since: datetime, until: datetime) -> str:
        window = f"createdAt>={_millis(since)} AND createdAt<{_millis(until)}"
        return f"{window} AND ({self.query})" if self.query else window

    def _next(self, body: dict[str, Any]) -> str | None:
        """The next page's URL, only on our own host: the key must not follow a link away."""
        link = (body.get("paging") or {}).get("next")
        if not link or not body.get("data"):
            return None
        if urlsplit(link).netloc != urlsplit(self.base_url).netloc:
            raise SourceError(
                f"{self.name}: Opsgenie's next-page link points to another host; stopped"
            )
        return str(link)

    def _get(self, url: str, params: dict[str, Any] | None) -> dict[str, Any]:
        """One page, retried through passing faults (:mod:`.retry`)."""
        return self.retrying.call(lambda: self._attempt(url, params), url.split("?", 1)[0])

    def _attempt(self, url: str, params: dict[str, Any] | None) -> dict[str, Any]:
        import requests

        try:
            response = self.session.get(url, params=params, timeout=TIMEOUT)
        except requests.RequestException:
            raise Transient(CONNECTION_FAILED) from None
        if response.status_code == 429:
            raise Throttled(retry_after(response.headers.get("Retry-After")))
        if response.status_code in (401, 403):
            raise AuthError(
                f"{self.name}: Opsgenie refused the key in {self.key_env} ({response.status_code}); "
                "use an API key with read access (an API integration's key or a global key)"
            )
        if response.status_code >= 500:
            raise Transient(f"answered {response.status_code}")
        if response.status_code >= 400:
            raise SourceError(
                f"{self.name}: Opsgenie answered {response.status_code}: {_message(response)}"
            )
        try:
            data = response.json()
        except ValueError:
            raise Transient(CUT_OR_NOT_JSON) from None
        if not isinstance(data, dict):
            raise SourceError(f"{self.name}: unexpected Opsgenie answer (not a JSON object)")
        return data

    def _incident(self, raw: dict[str, Any]) -> Incident:
        status = raw.get("status")
        done = status in ("resolved", "closed")
        services = tuple(str(s) for s in raw.get("impactedServices") or ())
        return Incident(
            id=str(raw["id"]),
            repository="",
            title=str(raw.get("message") or ""),
            created_at=_time(raw["createdAt"]),
            resolved_at=_time(raw["updatedAt"]) if done and raw.get("updatedAt") else None,
            labels=tuple(str(t) for t in raw.get("tags") or ()),
            severity=raw.get("priority"),
            status=status,
            priority=raw.get("priority"),
            services=services,
        )

    def query_fingerprint(self) -> str:
        return self.query or ""

    def close(self) -> None:
        self.session.close()


def _millis(value: datetime) -> int:
    return int(value.astimezone(UTC).timestamp() * 1000)


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _message(response: Any) -> str:
    try:
        return str(response.json().get("message") or "")
    except ValueError:
        return ""
