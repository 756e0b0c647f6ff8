"""The origin application over real HTTP on 127.0.0.1: routes, headers, access log, IMDSv2."""

from __future__ import annotations

import ast
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from webstack.constructs.web_tier import HEALTH_PATH
from webstack_app import __version__
from webstack_app.metadata import InstanceIdentity
from webstack_app.server import App, WebstackServer

from .conftest import APP_DIR

FIXED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


class FakeImds(BaseHTTPRequestHandler):
    """IMDSv2 as EC2 documents it: a PUT for a token, reads that carry it, 401 otherwise.
    https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html"""

    token = "token-for-the-test"
    calls: list[str] = []  # noqa: RUF012 - shared by the handler instances of one server

    def do_PUT(self) -> None:
        self.calls.append(f"PUT {self.path}")
        if self.path != "/latest/api/token" or not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            self._send(400, b"")
            return
        self._send(200, self.token.encode())

    def do_GET(self) -> None:
        self.calls.append(f"GET {self.path}")
        if self.headers.get("X-aws-ec2-metadata-token") != self.token:
            self._send(401, b"")
        elif self.path == "/latest/meta-data/instance-id":
            self._send(200, b"i-0123456789abcdef0")
        else:
            self._send(404, b"")

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def imds() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), FakeImds)
    FakeImds.calls = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def _closed_port() -> str:
    """An endpoint nothing listens on: connections are refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


@pytest.fixture
def serve():
    started: list[WebstackServer] = []

    def start(identity: InstanceIdentity) -> tuple[str, io.StringIO]:
        log = io.StringIO()
        server = WebstackServer(
            ("127.0.0.1", 0), App(version="9.9.9", build="b" * 64, identity=identity, now=lambda: FIXED), log
        )
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
        return f"http://127.0.0.1:{server.server_port}", log

    yield start
    for server in started:
        server.shutdown()
        server.server_close()


def _get(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def test_health_path_is_the_target_groups(serve):
    base, _ = serve(InstanceIdentity(_closed_port()))
    status, headers, body = _get(base + HEALTH_PATH)
    assert status == 200, body
    assert json.loads(body) == {"status": "ok"}
    assert headers["Content-Type"] == "application/json"


def test_hello_reports_instance_id_from_imdsv2_and_version(serve, imds):
    base, _ = serve(InstanceIdentity(imds))
    status, headers, body = _get(base + "/api/hello")
    assert status == 200
    assert json.loads(body) == {
        "message": "Hello from the webstack origin",
        "instance_id": "i-0123456789abcdef0",
        "version": "9.9.9",
        "build": "b" * 64,
        "time": "2026-01-02T03:04:05+00:00",
    }
    # never cached anywhere: CloudFront's /api/* behaviour disables caching, the app says so too
    assert headers["Cache-Control"] == "no-store"
    # the token first, then the read carrying it; the id is remembered
    assert FakeImds.calls == ["PUT /latest/api/token", "GET /latest/meta-data/instance-id"]
    _get(base + "/api/hello")
    assert len(FakeImds.calls) == 2


def test_hello_off_ec2_answers_quickly_without_instance_id(serve):
    base, _ = serve(InstanceIdentity(_closed_port()))
    began = time.monotonic()
    status, _, body = _get(base + "/api/hello")
    assert status == 200
    assert json.loads(body)["instance_id"] is None
    assert time.monotonic() - began < 2


def test_unresponsive_imds_costs_at_most_the_timeout_and_is_not_retried_at_once():
    # a listener that never answers: the connect succeeds, the read times out
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        now = [100.0]
        identity = InstanceIdentity(f"http://127.0.0.1:{silent.getsockname()[1]}", timeout=0.2, clock=lambda: now[0])
        began = time.monotonic()
        assert identity.instance_id() is None
        assert time.monotonic() - began < 1.5
        began = time.monotonic()
        assert identity.instance_id() is None  # remembered: no second wait
        assert time.monotonic() - began < 0.1


def test_unknown_path_is_404_and_other_methods_405(serve):
    base, _ = serve(InstanceIdentity(_closed_port()))
    status, _, body = _get(base + "/api/nope")
    assert status == 404 and json.loads(body)["error"] == "not found"
    status, headers, _ = _get(base + "/api/hello", method="DELETE")
    assert status == 405 and headers["Allow"] == "GET, HEAD"
    status, headers, body = _get(base + HEALTH_PATH, method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0


def test_each_request_is_one_json_access_log_line(serve):
    base, log = serve(InstanceIdentity(_closed_port()))
    _get(base + "/api/hello?x=1", headers={"User-Agent": "probe/1", "X-Amz-Cf-Id": "cf-abc=="})
    _get(base + "/api/missing")
    # the line is written once the answer is sent: the client may read it first
    give_up = time.monotonic() + 5
    while len(log.getvalue().splitlines()) < 2 and time.monotonic() < give_up:
        time.sleep(0.01)
    records = [json.loads(line) for line in log.getvalue().splitlines()]
    # two handler threads: their lines may land in either order
    assert sorted((r["method"], r["path"], r["status"]) for r in records) == [
        ("GET", "/api/hello?x=1", 200),
        ("GET", "/api/missing", 404),
    ]
    (first,) = [r for r in records if r["status"] == 200]
    assert first["user_agent"] == "probe/1" and first["trace_id"] == "cf-abc=="
    assert first["remote"] == "127.0.0.1" and first["bytes"] > 0 and first["duration_ms"] >= 0


def _python39() -> str | None:
    """A Python 3.9 (Amazon Linux 2023's python3) to run the app with: WEBSTACK_PYTHON39 or python3.9."""
    for candidate in (os.environ.get("WEBSTACK_PYTHON39"), shutil.which("python3.9")):
        if not candidate:
            continue
        probe = subprocess.run(
            [candidate, "-c", "import sys; print(sys.version_info[:2] == (3, 9))"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.stdout.strip() == "True":
            return candidate
    return None


INTERPRETERS = [
    pytest.param(sys.executable, id="this-python"),
    pytest.param(
        _python39(),
        id="python3.9",
        marks=pytest.mark.skipif(
            _python39() is None, reason="no Python 3.9 here (set WEBSTACK_PYTHON39); syntax is checked below"
        ),
    ),
]


@pytest.mark.parametrize("python", INTERPRETERS)
def test_runs_as_a_module_and_stops_on_sigterm(python: str):
    """What systemd does: ``python3 -m webstack_app`` in the install folder, SIGTERM to stop."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "PYTHONPATH": str(APP_DIR),
        "WEBSTACK_IMDS_ENDPOINT": _closed_port(),
        "WEBSTACK_APP_BUILD": "c" * 64,
    }
    process = subprocess.Popen(
        [python, "-m", "webstack_app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=APP_DIR,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert json.loads(process.stdout.readline())["message"] == "listening"
        status, _, body = _get(f"http://127.0.0.1:{port}/api/hello")
        answer = json.loads(body)
        assert status == 200 and (answer["version"], answer["build"]) == (__version__, "c" * 64)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_bad_port_is_one_line_and_nonzero():
    result = subprocess.run(
        [sys.executable, "-m", "webstack_app", "--port", "70000"],
        cwd=APP_DIR,
        env={**os.environ, "PYTHONPATH": str(APP_DIR)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "--port 70000 is not a TCP port" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("source", sorted((APP_DIR / "webstack_app").glob("*.py")), ids=lambda p: p.name)
def test_code_is_valid_python_3_9(source: Path):
    """Amazon Linux 2023's python3 is 3.9: syntax newer than that would fail at boot."""
    ast.parse(source.read_text(), filename=str(source), feature_version=(3, 9))
