"""Fault injection: latency, error bursts, rate limits and broken bodies, per endpoint.

Rules are matched against the stable endpoint labels the servers give their routes
(``github.deployments``, ``gitlab.merge_requests``); a pattern may omit the forge prefix
(``deployments*``). ``after`` lets N matching requests through first, ``times`` limits
how many requests a rule affects (None = every one). A ``path`` param limits a rule to
request paths containing it (one repository's requests, say).
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Any

from .log import endpoint_matches

#: Faults that replace the response entirely.
FAILURES = (
    "status",
    "retry_after",
    "primary_rate_limit",
    "secondary_rate_limit",
    "connection_reset",
)
#: Faults that damage a normal response's body.
BODY_FAULTS = ("truncated_json", "malformed_json", "cut_json")
#: Faults a handler applies itself, through :meth:`Faults.take` (GraphQL's 200 with errors).
HANDLER_FAULTS = ("graphql_error",)
KINDS = ("latency", *FAILURES, *BODY_FAULTS, *HANDLER_FAULTS)


@dataclass
class FaultRule:
    """One injected behaviour; ``params`` hold kind-specific knobs.

    * ``latency``: ``seconds`` (fixed), ``jitter`` (uniform extra 0..jitter)
    * ``status``: ``status`` (default 502)
    * ``retry_after``: 429 with ``retry_after`` seconds (default 1); ``header=False`` omits it
    * ``primary_rate_limit``: 403 (or ``status``), remaining 0, reset ``reset_in`` s away (default 1)
    * ``secondary_rate_limit``: 403 (or ``status``) with ``retry_after`` (default 1; None omits)
    * ``connection_reset``: the socket is closed with RST before any answer
    * ``truncated_json``: the body is cut in half after a full Content-Length
    * ``malformed_json``: a complete response whose body is not JSON (an HTML page, status
      200 unless ``status`` is given)
    * ``cut_json``: the JSON body cut in half with a *matching* Content-Length, so only a
      parser notices; ``status`` (e.g. 502) turns it into a cut JSON error body
    * ``graphql_error``: a 200 whose ``field`` (or whole ``data``) is null, with an error
      naming its path (applied by the fake's GraphQL handler)
    """

    kind: str
    endpoint: str = "*"
    times: int | None = None
    after: int = 0
    params: dict[str, Any] = field(default_factory=dict)
    seen: int = 0
    fired: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; known: {', '.join(KINDS)}")

    def take(self, endpoint: str, path: str = "") -> bool:
        """Whether this rule fires for one more request to ``endpoint`` (caller holds the lock)."""
        if not endpoint_matches(endpoint, self.endpoint):
            return False
        if self.params.get("path") and str(self.params["path"]) not in path:
            return False
        self.seen += 1
        if self.seen <= self.after or (self.times is not None and self.fired >= self.times):
            return False
        self.fired += 1
        return True


@dataclass
class Decision:
    """What the faults say about one request."""

    latency: float = 0.0
    failure: FaultRule | None = None
    body: FaultRule | None = None


class Faults:
    """The rules of one server; thread-safe, deterministic jitter by ``seed``."""

    def __init__(self, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self.rules: list[FaultRule] = []

    def add(
        self,
        kind: str,
        endpoint: str = "*",
        times: int | None = None,
        after: int = 0,
        **params: Any,
    ) -> FaultRule:
        rule = FaultRule(kind, endpoint, times, after, dict(params))
        with self._lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()

    # Shorthands for the common knobs.
    def latency(self, seconds: float, jitter: float = 0.0, endpoint: str = "*") -> FaultRule:
        return self.add("latency", endpoint, seconds=seconds, jitter=jitter)

    def status(
        self, status: int = 502, times: int = 1, endpoint: str = "*", after: int = 0
    ) -> FaultRule:
        return self.add("status", endpoint, times, after, status=status)

    def take(self, kind: str, endpoint: str, path: str = "") -> FaultRule | None:
        """The first rule of a handler-applied ``kind`` that fires for this request."""
        with self._lock:
            for rule in self.rules:
                if rule.kind == kind and rule.take(endpoint, path):
                    return rule
        return None

    def check(self, endpoint: str, path: str = "") -> Decision:
        """Consume the rules that apply to one request (to ``path``) and say what to do."""
        decision = Decision()
        with self._lock:
            for rule in self.rules:
                if rule.kind == "latency" and rule.take(endpoint, path):
                    jitter = float(rule.params.get("jitter", 0.0))
                    extra = self._random.uniform(0, jitter) if jitter else 0.0
                    decision.latency += float(rule.params.get("seconds", 0.0)) + extra
            for rule in self.rules:
                if rule.kind in FAILURES and rule.take(endpoint, path):
                    decision.failure = rule
                    return decision
            for rule in self.rules:
                if rule.kind in BODY_FAULTS and rule.take(endpoint, path):
                    decision.body = rule
                    break
        return decision


#: What a proxy in trouble sends instead of JSON.
HTML_PAGE = b"<html><body>upstream sent garbage</body></html>"
ERROR_BODY = b'{"message":"Server Error","documentation_url":"https://example.invalid/errors"}'


@dataclass(frozen=True)
class Damage:
    """How a body fault changes the response about to be written."""

    status: int
    payload: bytes
    cut_after_headers: bool = False
    """Send the full Content-Length but only half the bytes, then close."""
    content_type: str | None = None
    """Replaces the response's Content-Type when set."""


def damage(rule: FaultRule, status: int, payload: bytes) -> Damage:
    """Apply a body fault to a response's ``status`` and ``payload``."""
    forced = rule.params.get("status")
    if rule.kind == "truncated_json":
        return Damage(status, payload, cut_after_headers=True)
    if rule.kind == "malformed_json":
        return Damage(int(forced or status), HTML_PAGE, content_type="text/html; charset=utf-8")
    body = ERROR_BODY if forced and int(forced) >= 400 else payload
    return Damage(int(forced or status), body[: max(1, len(body) // 2)])
