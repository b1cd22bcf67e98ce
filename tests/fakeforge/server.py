"""``FakeForge``: a real threaded HTTP server on 127.0.0.1 that forges subclass.

The base does everything forge-neutral — routing, auth → 401, fault injection, weak
ETags and 304s, latency, the request log and the rate-limit quota — and subclasses
(``FakeGitHub``, ``FakeGitLab``) register routes and format bodies and headers the way
their forge does. Clients talk to it over real sockets, so their retry, paging and
connection-pool code runs exactly as against the real service.
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from .faults import Decision, FaultRule, Faults, damage
from .log import LoggedRequest, RequestLog


class Headers(dict[str, str]):
    """Case-insensitive request headers (keys stored lower-case)."""

    def __init__(self, items: Any = ()) -> None:
        super().__init__((k.lower(), v) for k, v in items)

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return super().get(key.lower(), default)

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())


@dataclass
class Request:
    """One parsed request; ``endpoint`` and ``params`` are filled in by routing."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: Headers
    body: bytes = b""
    endpoint: str = "unknown"
    params: dict[str, str] = field(default_factory=dict)

    def arg(self, name: str, default: str | None = None) -> str | None:
        """First value of query parameter ``name``."""
        values = self.query.get(name)
        return values[0] if values else default

    def args(self, name: str) -> list[str]:
        """All values of ``name``, also accepting the ``name[]`` array form."""
        return self.query.get(name, []) + self.query.get(f"{name}[]", [])


@dataclass
class Response:
    """A JSON ``body`` or ``raw`` bytes, with status and headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    content_type: str = "application/json; charset=utf-8"

    def payload(self) -> bytes:
        if self.raw is not None:
            return self.raw
        if self.body is None:
            return b""
        return json.dumps(self.body, separators=(",", ":")).encode()


Handler = Callable[[Request], Response]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    endpoint: str
    handler: Handler


class Quota:
    """A primary rate-limit window: ``limit`` requests per hour; 304s are free."""

    def __init__(self, limit: int = 5000, window: int = 3600) -> None:
        self.limit = limit
        self.window = window
        self.used = 0
        self.reset_at = int(time.time()) + window
        self._lock = threading.Lock()

    def consume(self, counted: bool) -> tuple[int, int, int]:
        """Count one request; return ``(remaining, used, reset_at)`` after it."""
        with self._lock:
            now = time.time()
            if now >= self.reset_at:
                self.used, self.reset_at = 0, int(now) + self.window
            if counted:
                self.used += 1
            return max(0, self.limit - self.used), self.used, self.reset_at


def weak_etag(payload: bytes) -> str:
    return 'W/"' + hashlib.sha1(payload).hexdigest() + '"'


def _etag_matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison (RFC 9110): ``W/`` prefixes are ignored; ``*`` matches."""
    bare = etag.removeprefix("W/")
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or bare in tags


class FakeForge:
    """Base fake server: ``FakeForge(scenario, token)``, ``start()``/``stop()`` or ``with``."""

    #: Prefix for endpoint labels and error messages (``github``, ``gitlab``).
    forge = "forge"

    def __init__(self, scenario: Any, token: str = "fake-token", *, seed: int = 0) -> None:
        self.scenario = scenario
        self.token = token
        self.faults = Faults(seed)
        self.log = RequestLog()
        self.quota = Quota()
        self.routes: list[Route] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.setup_routes()

    # -- lifecycle -----------------------------------------------------------------
    def start(self) -> FakeForge:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.forge = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name=f"fake-{self.forge}"
        )
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            assert self._thread is not None
            self._thread.join(5)
            self._server = None

    def __enter__(self) -> FakeForge:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("server not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` — the root every absolute URL in a body starts with."""
        return f"http://127.0.0.1:{self.port}"

    # -- hooks for subclasses ------------------------------------------------------
    def setup_routes(self) -> None:
        """Register routes with :meth:`add_route`."""

    def add_route(self, method: str, pattern: str, endpoint: str, handler: Handler) -> None:
        """``pattern`` is a regex over the whole path, with named groups for params."""
        self.routes.append(Route(method, re.compile(pattern + r"\Z"), endpoint, handler))

    def authenticate(self, req: Request) -> bool:
        """Default: ``Authorization: token X`` or ``Bearer X``."""
        auth = req.headers.get("authorization", "")
        scheme, _, value = auth.partition(" ")
        return scheme.lower() in ("token", "bearer") and value == self.token

    def handle(self, req: Request) -> Response:
        """Route ``req`` (already matched by :meth:`match`) to its handler."""
        handler = self.match(req)
        return handler(req) if handler else self.not_found(req)

    def unauthorized(self, req: Request) -> Response:
        return Response(401, {"message": "Bad credentials"})

    def not_found(self, req: Request) -> Response:
        return Response(404, {"message": "Not Found"})

    def fault_response(self, req: Request, rule: FaultRule) -> Response:
        """Render a failure fault; subclasses override the forge-specific kinds."""
        p = rule.params
        if rule.kind == "retry_after":
            headers = {"Retry-After": str(p.get("retry_after", 1))} if p.get("header", True) else {}
            return Response(429, {"message": "Too Many Requests"}, headers)
        return Response(int(p.get("status", 502)), {"message": "Server Error"})

    def decorate(self, req: Request, resp: Response, counted: bool) -> None:
        """Add forge headers (rate limits...) to every response; ``counted`` is False for 304."""
        self.quota.consume(counted)

    # -- helpers for subclasses ----------------------------------------------------
    def absolute(self, path: str, query: dict[str, Any] | None = None) -> str:
        """Absolute URL on this server for ``path`` (must start with ``/``)."""
        qs = f"?{urlencode(query, doseq=True)}" if query else ""
        return f"{self.url}{path}{qs}"

    def page_url(self, req: Request, page: int, per_page: int | None = None) -> str:
        """``req``'s URL with ``page`` replaced and ``per_page`` carried along."""
        query = {k: v for k, v in req.query.items() if k not in ("page", "per_page")}
        if per_page is not None:
            query["per_page"] = [str(per_page)]
        query["page"] = [str(page)]
        return self.absolute(req.path, query)

    def match(self, req: Request) -> Handler | None:
        """Find the route; sets ``req.endpoint`` and ``req.params``."""
        for route in self.routes:
            if route.method != req.method:
                continue
            found = route.pattern.match(req.path)
            if found:
                req.endpoint, req.params = route.endpoint, found.groupdict()
                return route.handler
        req.endpoint = f"{self.forge}.unknown"
        return None

    # -- the request pipeline ------------------------------------------------------
    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        started = time.perf_counter()
        split = urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        req = Request(
            h.command,
            unquote(split.path),
            parse_qs(split.query, keep_blank_values=True),
            Headers(h.headers.items()),
            h.rfile.read(length) if length else b"",
        )
        handler = self.match(req)
        decision = Decision()
        if not self.authenticate(req):
            resp = self.unauthorized(req)
        else:
            decision = self.faults.check(req.endpoint, req.path)
            if decision.latency:
                time.sleep(decision.latency)
            if decision.failure is not None and decision.failure.kind == "connection_reset":
                self._reset(h)
                self._log(req, 0, 0, started, "connection_reset")
                return
            if decision.failure is not None:
                resp = self.fault_response(req, decision.failure)
            else:
                resp = handler(req) if handler else self.not_found(req)
                self._conditional(req, resp)
        payload = resp.payload()
        fault = decision.failure.kind if decision.failure else None
        truncate = False
        if decision.body is not None:
            fault = decision.body.kind
            damaged = damage(decision.body, resp.status, payload)
            resp.status, payload, truncate = (
                damaged.status,
                damaged.payload,
                damaged.cut_after_headers,
            )
            resp.content_type = damaged.content_type or resp.content_type
        self.decorate(req, resp, counted=resp.status != 304)  # after damage: a 502 is a 502
        # Log before writing, so a client that has its answer always finds it in the log.
        self._log(req, resp.status, len(payload), started, fault)
        self._write(h, resp, payload, truncate=truncate)

    def _conditional(self, req: Request, resp: Response) -> None:
        """Weak ETag on every 200 GET; a matching ``If-None-Match`` turns it into a 304."""
        if req.method != "GET" or resp.status != 200 or resp.raw is not None:
            return
        etag = weak_etag(resp.payload())
        resp.headers["ETag"] = etag
        inm = req.headers.get("if-none-match")
        if inm and _etag_matches(inm, etag):
            resp.status, resp.body = 304, None

    def _write(
        self, h: BaseHTTPRequestHandler, resp: Response, payload: bytes, truncate: bool
    ) -> None:
        h.send_response(resp.status)
        if payload or resp.status != 304:
            h.send_header("Content-Type", resp.content_type)
        for name, value in resp.headers.items():
            h.send_header(name, value)
        h.send_header("Content-Length", str(len(payload)))
        if truncate:
            h.send_header("Connection", "close")
            h.close_connection = True
            payload = payload[: len(payload) // 2]
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(payload)

    @staticmethod
    def _reset(h: BaseHTTPRequestHandler) -> None:
        """Close with RST (SO_LINGER 0): the client sees a connection reset, no response."""
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.close_connection = True
        h.connection.close()

    def _log(self, req: Request, status: int, size: int, started: float, fault: str | None) -> None:
        query = urlencode(req.query, doseq=True)
        seconds = time.perf_counter() - started
        self.log.add(
            LoggedRequest(req.method, req.path, query, req.endpoint, status, size, seconds, fault)
        )


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, the body waits for the client's
    # delayed ACK (up to 40 ms a request on Linux), which real servers do not make us pay.
    disable_nagle_algorithm = True

    def _dispatch(self) -> None:
        forge: FakeForge = self.server.forge  # type: ignore[attr-defined]
        try:
            forge._serve(self)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _dispatch

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr access log; the RequestLog records everything."""
