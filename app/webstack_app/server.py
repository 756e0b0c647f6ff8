"""The HTTP server: JSON answers under /api/, one JSON access-log line per request."""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime, timezone
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, TextIO

from webstack_app.metadata import InstanceIdentity

HEALTH_PATH = "/api/health"
HELLO_PATH = "/api/hello"
# Headers that identify a request across CloudFront and the ALB, first found wins.
TRACE_HEADERS = ("X-Amz-Cf-Id", "X-Amzn-Trace-Id")

Answer = tuple[int, dict[str, Any]]


class App:
    """What the routes answer; no HTTP in here, so the tests can call it directly."""

    def __init__(
        self,
        *,
        version: str,
        identity: InstanceIdentity,
        now: Callable[[], datetime],
        build: str | None = None,
    ) -> None:
        self.version = version
        self.build = build
        self.identity = identity
        self.now = now
        self.routes: dict[str, Callable[[], Answer]] = {HEALTH_PATH: self.health, HELLO_PATH: self.hello}

    def health(self) -> Answer:
        return HTTPStatus.OK, {"status": "ok"}

    def hello(self) -> Answer:
        return HTTPStatus.OK, {
            "message": "Hello from the webstack origin",
            "instance_id": self.identity.instance_id(),
            "version": self.version,
            "build": self.build,
            "time": self.now().isoformat(timespec="seconds"),
        }

    def answer(self, method: str, path: str) -> tuple[int, dict[str, Any], dict[str, str]]:
        """(status, body, extra headers) for ``method`` on ``path`` (query string ignored)."""
        route = self.routes.get(path.split("?", 1)[0])
        if route is None:
            return HTTPStatus.NOT_FOUND, {"error": "not found", "path": path[:200]}, {}
        if method not in ("GET", "HEAD"):
            return HTTPStatus.METHOD_NOT_ALLOWED, {"error": "method not allowed"}, {"Allow": "GET, HEAD"}
        status, body = route()
        return status, body, {}


class Handler(BaseHTTPRequestHandler):
    server: WebstackServer
    protocol_version = "HTTP/1.1"
    server_version = "webstack-app"
    sys_version = ""

    def _respond(self) -> None:
        started = time.monotonic()
        status, body, headers = self.server.app.answer(self.command, self.path)
        payload = (json.dumps(body, separators=(",", ":")) + "\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-store")
        if self.command not in ("GET", "HEAD"):
            self.send_header("Connection", "close")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        if self.command not in ("GET", "HEAD"):
            # A request body is never read: close rather than parse it as the next request.
            self.close_connection = True
        self.server.access_log(self, status, len(payload), time.monotonic() - started)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _respond

    def log_message(self, format: str, *args: Any) -> None:
        """The base class's free-text lines (errors such as a malformed request line) as JSON too."""
        self.server.write_log({"level": "error", "message": format % args, "remote": self.client_address[0]})

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        """Every request is logged once, by ``access_log``, after the body is sent."""


class WebstackServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], app: App, log: TextIO | None = None) -> None:
        super().__init__(address, Handler)
        self.app = app
        self.log = log or sys.stdout

    def write_log(self, record: dict[str, Any]) -> None:
        record = {"time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"), **record}
        self.log.write(json.dumps(record, separators=(",", ":")) + "\n")
        self.log.flush()

    def access_log(self, handler: Handler, status: int, size: int, seconds: float) -> None:
        trace = next((handler.headers[h] for h in TRACE_HEADERS if handler.headers.get(h)), None)
        self.write_log(
            {
                "level": "info",
                "remote": handler.client_address[0],
                "forwarded_for": handler.headers.get("X-Forwarded-For"),
                "method": handler.command,
                "path": handler.path[:2000],
                "status": int(status),
                "bytes": size,
                "duration_ms": round(seconds * 1000, 3),
                "user_agent": handler.headers.get("User-Agent"),
                "trace_id": trace,
            }
        )
