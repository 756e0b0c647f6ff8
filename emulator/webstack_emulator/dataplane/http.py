"""The HTTP plumbing the edge and the load balancers share: a request and a
response as plain values, and a threaded loopback server that hands each
request to a function."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

BIND_ADDRESS = "127.0.0.1"
# Hop-by-hop headers never travel past one connection (RFC 9110 section 7.6.1).
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"}
)
_REASONS = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    304: "Not Modified",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    500: "Internal Server Error",
    501: "Not Implemented",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass
class Request:
    method: str
    path: str
    query: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    client_ip: str = BIND_ADDRESS

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    @property
    def target(self) -> str:
        return self.path + (f"?{self.query}" if self.query else "")


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    def without(self, *names: str) -> list[tuple[str, str]]:
        gone = {n.lower() for n in names}
        return [(k, v) for k, v in self.headers if k.lower() not in gone]


def text(status: int, body: str, *headers: tuple[str, str], content_type: str = "text/plain") -> Response:
    return Response(status, [("Content-Type", content_type), *headers], body.encode())


App = Callable[[Request], Response]
Admit = Callable[[str], bool]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY: the head and the body leave in two writes; with Nagle's algorithm the
    # body waits for the client's delayed ACK of the head (~40 ms on Linux) on every
    # keep-alive request, a stall no CloudFront edge or ALB adds.
    disable_nagle_algorithm = True
    server: LoopbackServer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the emulator's log is for the control plane."""

    def _request(self) -> Request:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        return Request(
            self.command, split.path or "/", split.query, list(self.headers.items()), body, self.client_address[0]
        )

    def _handle(self) -> None:
        request = self._request()
        try:
            response = self.server.app(request)
        except Exception as exc:  # an emulator bug must not kill the connection silently
            response = text(500, f"local data plane error: {type(exc).__name__}: {exc}\n")
        # send_response_only: the answer's own Server and Date (the origin's) are passed on, not doubled.
        self.send_response_only(response.status, _REASONS.get(response.status, ""))
        if response.header("Date") is None:
            self.send_header("Date", self.date_time_string())
        for name, value in response.headers:
            if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if request.method != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _handle


class LoopbackServer(ThreadingHTTPServer):
    """One threaded HTTP server on 127.0.0.1; ``admit(client_ip)`` False closes
    the connection before any byte is read (a security group dropping it)."""

    daemon_threads = True

    def __init__(self, app: App, port: int = 0, admit: Admit | None = None) -> None:
        self.app = app
        self.admit = admit
        super().__init__((BIND_ADDRESS, port), _Handler)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def verify_request(self, request: Any, client_address: Any) -> bool:
        return self.admit is None or self.admit(str(client_address[0]))

    def start(self) -> LoopbackServer:
        self._thread = threading.Thread(target=self.serve_forever, name=f"dataplane:{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.shutdown()
        self.server_close()
